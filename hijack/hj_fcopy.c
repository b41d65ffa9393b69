/*
 * hj_fcopy.c: hj_fcopy and hj_fstrnlen, with which the shim reads a path
 * it must route (fcopy.c): a path in unmapped memory is EFAULT, as the
 * host would answer, instead of a crash in the shim.
 */
#define FCOPY_PREFIX	hj_
/* The shim is loaded with the program (LD_PRELOAD), never by dlopen: its
 * thread-local pointer can be in the static TLS block, one load away. */
#define FCOPY_TLS	__attribute__((tls_model("initial-exec")))
#include "../rumpuser/fcopy.c"
