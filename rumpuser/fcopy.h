/*
 * fcopy.h: copies from and to a caller's pointer that answer EFAULT
 * instead of crashing when it points at unmapped memory (doc/DESIGN.md,
 * "Bad pointers").  fcopy.c is compiled into each library that reads
 * callers' memory, under its own prefix (FCOPY_PREFIX), so that two
 * copies linked into one program do not collide.
 */
#ifndef RUMP_FCOPY_H
#define RUMP_FCOPY_H

#include <stddef.h>

#ifndef FCOPY_PREFIX
#error "FCOPY_PREFIX: the library's prefix, e.g. -DFCOPY_PREFIX=sp_"
#endif
#define FCOPY_CAT2(a, b)	a##b
#define FCOPY_CAT(a, b)		FCOPY_CAT2(a, b)
#define FCOPY(name)		FCOPY_CAT(FCOPY_PREFIX, name)

/* 0, or EFAULT (nothing or part of dst written). */
int FCOPY(fcopy)(void *dst, const void *src, size_t len);
/*
 * strnlen of a caller's string: 0 with *lenp, or EFAULT.  A string
 * without a NUL in max bytes gives *lenp == max.
 */
int FCOPY(fstrnlen)(const char *s, size_t max, size_t *lenp);
/*
 * fstrnlen for short scans: on x86_64 a plain loop whose load the
 * handler knows (no recovery point to arm: a nanosecond, for the shim's
 * look at every path); elsewhere fstrnlen.
 */
int FCOPY(fpeek)(const char *s, size_t max, size_t *lenp);
/*
 * Touches each page of [p, p + len): 0 if all can be read (and, with
 * writable, written), else EFAULT.  The write is an atomic or of zero, so
 * the memory keeps its contents even against another thread's stores;
 * on x86_64 it is one locked instruction a page that the handler knows
 * (nothing armed).  For a buffer that will be read or written later, out
 * of reach of a recovery point (librumpclient's outputs, before a call).
 */
int FCOPY(fprobe)(void *p, size_t len, int writable);

#endif
