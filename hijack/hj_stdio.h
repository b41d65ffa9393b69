/*
 * hj_stdio.h: stdio on kernel descriptors (hj_wrap_stdio.c).
 */
#ifndef HJ_STDIO_H
#define HJ_STDIO_H

/*
 * Gives stdin, stdout and stderr whose descriptor (0, 1, 2) is now the
 * kernel's a stream that reaches the kernel: glibc's own streams write
 * with its internal write(), which the placeholder refuses (EBADF).
 * Output still buffered in the old stream moves to the new one, as it
 * would have gone to the new descriptor.  Call it once the descriptor map
 * is imported, and after a dup2/dup3 onto 0-2; cheap when nothing
 * changed, and a no-op for a stream that is already the shim's.
 */
void hj_stdio_fixup(void);

#endif /* HJ_STDIO_H */
