/*
 * hj_fcopy.c: hj_fcopy and hj_fstrnlen, with which the shim reads a path
 * it must route (fcopy.c): a path in unmapped memory is EFAULT, as the
 * host would answer, instead of a crash in the shim.
 */
#define FCOPY_PREFIX	hj_
#include "../rumpuser/fcopy.c"
