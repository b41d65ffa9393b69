/*
 * sp_fcopy.c: sp_fcopy and sp_fstrnlen, with which librumpclient reads
 * and writes its caller's buffers (fcopy.c).
 */
#define FCOPY_PREFIX	sp_
#include "../rumpuser/fcopy.c"
