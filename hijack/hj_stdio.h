/*
 * hj_stdio.h: stdio on kernel descriptors (hj_wrap_stdio.c).
 */
#ifndef HJ_STDIO_H
#define HJ_STDIO_H

#include <stdio.h>

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

/*
 * The wide-character side of a kernel stream (hj_wrap_wstdio.c).  glibc
 * gives a cookie stream no wide buffers (fgetws on one crashes, fwprintf
 * fails), so the shim does the wide functions itself on top of the byte
 * stream: orientation as fwide(3) has it, and the conversion bound when
 * the stream turns wide (the locale's charset then, or fopen's ",ccs=").
 */
struct hj_wide {
	int orient;		/* fwide's: 0 not yet, 1 wide, -1 bytes */
	char cs[40];		/* the charset, once wide */
	void *out, *in;		/* iconv_t, opened on first use, or NULL */
};
void hj_wide_init(struct hj_wide *w);
/* Back to "no orientation"; frees the converters.  f may be NULL. */
void hj_wide_reset(struct hj_wide *w, FILE *f);
/* fopen's ",ccs=NAME": wide with that charset; EINVAL if iconv has none. */
int hj_wide_ccs(struct hj_wide *w, const char *ccs);
/* The wide side of f if f is a kernel stream of the shim, else NULL. */
struct hj_wide *hj_stdio_wide(FILE *f);

#endif /* HJ_STDIO_H */
