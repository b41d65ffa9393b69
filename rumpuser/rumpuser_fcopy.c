/*
 * rumpuser_fcopy.c: the hypercalls rumpuser_fcopy and rumpuser_fstrnlen,
 * which the kernel's copyin, copyout and copyinstr use (fcopy.c).
 */
#include "rumpuser_int.h"

#define FCOPY_PREFIX	rumpuser_
#define FCOPY_API	RUMPUSER_EXPORT
#include "fcopy.c"
