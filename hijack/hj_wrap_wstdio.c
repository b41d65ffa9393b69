/*
 * hj_wrap_wstdio.c: wide-character stdio on kernel streams.
 *
 * A kernel stream is an fopencookie() stream (hj_wrap_stdio.c), and glibc
 * gives those no wide buffers: fwprintf and fputwc fail on one, fgetws
 * crashes.  So the wide functions are done here on top of the byte
 * stream, with iconv between wchar_t and the stream's charset (bound
 * when the stream turns wide, as glibc binds it: the locale's charset,
 * or fopen's ",ccs=NAME").  Host streams go to the host's functions after
 * one load (no kernel stream open: no lookup at all).
 *
 * The wscanf family scans a copy: the stream's next line goes into a
 * host memfd opened as a wide stream, the host's vfwscanf runs on it, and
 * what it did not take goes back to the kernel stream (ungetc); when it
 * ran past the copy's end another line is added and the scan starts again
 * (its stores are simply done again).  So it reads no further ahead than
 * the host's scanf would on a line-buffered input.
 */
#include <errno.h>
#include <iconv.h>
#include <langinfo.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <wchar.h>

#include "hj.h"
#include "hj_stdio.h"

/* glibc's names behind _FORTIFY_SOURCE and C99 scanf, not in its headers. */
wchar_t *__fgetws_chk(wchar_t *, size_t, int, FILE *);
wchar_t *__fgetws_unlocked_chk(wchar_t *, size_t, int, FILE *);
int __vfwprintf_chk(FILE *, int, const wchar_t *, va_list);
int __fwprintf_chk(FILE *, int, const wchar_t *, ...);
int __vwprintf_chk(int, const wchar_t *, va_list);
int __wprintf_chk(int, const wchar_t *, ...);
int __isoc99_vfwscanf(FILE *, const wchar_t *, va_list);
int __isoc99_fwscanf(FILE *, const wchar_t *, ...);
int __isoc99_vwscanf(const wchar_t *, va_list);
int __isoc99_wscanf(const wchar_t *, ...);
/*
 * Under -std=c11 the headers turn fwscanf into __isoc99_fwscanf; glibc's
 * old names (GNU %a) are defined under their own symbol names here.
 */
int old_vfwscanf(FILE *, const wchar_t *, va_list) __asm__("vfwscanf");
int old_fwscanf(FILE *, const wchar_t *, ...) __asm__("fwscanf");
int old_vwscanf(const wchar_t *, va_list) __asm__("vwscanf");
int old_wscanf(const wchar_t *, ...) __asm__("wscanf");

HOST_CACHE(fwide);
HOST_CACHE(fgetwc);
HOST_CACHE(getwc);
HOST_CACHE(fgetwc_unlocked);
HOST_CACHE(getwc_unlocked);
HOST_CACHE(fgetws);
HOST_CACHE(fgetws_unlocked);
HOST_CACHE(__fgetws_chk);
HOST_CACHE(__fgetws_unlocked_chk);
HOST_CACHE(fputwc);
HOST_CACHE(putwc);
HOST_CACHE(fputwc_unlocked);
HOST_CACHE(putwc_unlocked);
HOST_CACHE(fputws);
HOST_CACHE(fputws_unlocked);
HOST_CACHE(ungetwc);
HOST_CACHE(vfwprintf);
HOST_CACHE(__vfwprintf_chk);
HOST_CACHE(__isoc99_vfwscanf);
HOST_CACHE(fopen);
HOST_CACHE(fclose);

#define NO_ICONV	((iconv_t)-1)

/* The host's vfwscanf, by its symbol name (HOST() would look up ours). */
static int
host_old_vfwscanf(FILE *f, const wchar_t *fmt, va_list ap)
{
	static void *cache;
	__typeof__(&old_vfwscanf) fn = (__typeof__(&old_vfwscanf))
	    (__atomic_load_n(&cache, __ATOMIC_ACQUIRE) != NULL ? cache :
	    hj_next(&cache, "vfwscanf"));

	return fn(f, fmt, ap);
}

/* --- the stream's state ---------------------------------------------------- */

void
hj_wide_init(struct hj_wide *w)
{
	w->orient = 0;
	w->cs[0] = '\0';
	w->out = w->in = NULL;
}

void
hj_wide_reset(struct hj_wide *w, FILE *f)
{
	(void)f;
	if (w->out != NULL)
		iconv_close((iconv_t)w->out);
	if (w->in != NULL)
		iconv_close((iconv_t)w->in);
	hj_wide_init(w);
}

/* Output transliterates what the charset lacks ("EUR"), as glibc's does. */
static const char *
out_name(const char *cs, char name[64])
{
	snprintf(name, 64, "%s//TRANSLIT", cs);
	return name;
}

static int
set_charset(struct hj_wide *w, const char *cs, size_t n)
{
	char name[64];
	iconv_t t;

	if (n == 0 || n >= sizeof(w->cs)) {
		errno = EINVAL;
		return -1;
	}
	memcpy(w->cs, cs, n);
	w->cs[n] = '\0';
	if ((t = iconv_open(out_name(w->cs, name), "WCHAR_T")) == NO_ICONV) {
		w->cs[0] = '\0';
		errno = EINVAL;
		return -1;
	}
	w->out = t;
	w->orient = 1;
	return 0;
}

int
hj_wide_ccs(struct hj_wide *w, const char *ccs)
{
	hj_wide_reset(w, NULL);
	return set_charset(w, ccs, strcspn(ccs, ","));
}

/*
 * The orientation, decided now if mode asks (fwide's rule).  A stream
 * that has done byte I/O (its buffer exists) is a byte stream, as glibc's
 * byte functions would have made it.
 */
static int
orient(struct hj_wide *w, FILE *f, int mode)
{
	if (w->orient == 0 && f->_IO_buf_base != NULL)
		w->orient = -1;
	if (w->orient == 0 && mode > 0) {
		const char *cs = nl_langinfo(CODESET);

		if (set_charset(w, cs, strlen(cs)) != 0)
			return 0;
	} else if (w->orient == 0 && mode < 0) {
		w->orient = -1;
	}
	return w->orient;
}

/* The stream, wide, with its converter for direction out (or in). */
static iconv_t
conv(struct hj_wide *w, FILE *f, bool out)
{
	void **slot = out ? &w->out : &w->in;
	char name[64];
	iconv_t t;

	if (orient(w, f, 1) != 1)
		return NO_ICONV;
	if (*slot == NULL) {
		t = out ? iconv_open(out_name(w->cs, name), "WCHAR_T") :
		    iconv_open("WCHAR_T", w->cs);
		if (t == NO_ICONV)
			return NO_ICONV;
		*slot = t;
	}
	return (iconv_t)*slot;
}

static void
set_error(FILE *f, int e)
{
	f->_flags |= _IO_ERR_SEEN;
	errno = e;
}

/* --- output --------------------------------------------------------------- */

/* n wide characters out, f locked: 0, or -1 with the error flag set. */
static int
put_wide(struct hj_wide *w, FILE *f, const wchar_t *s, size_t n)
{
	iconv_t t = conv(w, f, true);
	char buf[512];

	if (t == NO_ICONV)
		return -1;
	while (n > 0) {
		char *ip = (char *)(uintptr_t)s, *op = buf;
		size_t il = n * sizeof(wchar_t), ol = sizeof(buf), len;

		if (iconv(t, &ip, &il, &op, &ol) == (size_t)-1 &&
		    errno != E2BIG) {
			set_error(f, EILSEQ);
			return -1;
		}
		len = (size_t)(op - buf);
		if (fwrite_unlocked(buf, 1, len, f) != len)
			return -1;
		s = (const wchar_t *)(uintptr_t)ip;
		n = il / sizeof(wchar_t);
	}
	return 0;
}

static wint_t
k_fputwc(struct hj_wide *w, wchar_t wc, FILE *f)
{
	int rv;

	flockfile(f);
	rv = put_wide(w, f, &wc, 1);
	funlockfile(f);
	return rv == 0 ? (wint_t)wc : WEOF;
}

static int
k_fputws(struct hj_wide *w, const wchar_t *s, FILE *f)
{
	int rv;

	flockfile(f);
	rv = put_wide(w, f, s, wcslen(s));
	funlockfile(f);
	return rv == 0 ? 1 : -1;	/* glibc's fputws answers 1 */
}

/* Formats into wide memory (growing it), then out through put_wide. */
static int
k_vfwprintf(struct hj_wide *w, FILE *f, const wchar_t *fmt, va_list ap)
{
	wchar_t small[256], *b = small, *nb;
	size_t cap = sizeof(small) / sizeof(small[0]);
	va_list aq;
	int n, rv;

	flockfile(f);
	if (orient(w, f, 1) != 1) {
		funlockfile(f);
		return -1;
	}
	for (;;) {
		errno = 0;
		va_copy(aq, ap);
		n = vswprintf(b, cap, fmt, aq);
		va_end(aq);
		/* -1 is "too small" or a conversion error: only grow for the first. */
		if (n >= 0 || errno == EILSEQ || cap >= ((size_t)1 << 26))
			break;
		cap *= 2;
		if ((nb = realloc(b == small ? NULL : b, cap *
		    sizeof(wchar_t))) == NULL) {
			n = -1;
			break;
		}
		b = nb;
	}
	if (n < 0 && errno == 0)
		errno = EOVERFLOW;
	rv = n >= 0 && put_wide(w, f, b, (size_t)n) == 0 ? n : -1;
	funlockfile(f);
	if (b != small)
		free(b);
	return rv;
}

/* --- input ---------------------------------------------------------------- */

/* Bytes back onto the stream, last first (glibc keeps any number). */
static int
unget_bytes(FILE *f, const char *b, size_t n)
{
	while (n > 0)
		if (ungetc((unsigned char)b[--n], f) == EOF)
			return -1;
	return 0;
}

/* One wide character in, f locked; WEOF at the end or on an error. */
static wint_t
get_wide(struct hj_wide *w, FILE *f)
{
	iconv_t t = conv(w, f, false);
	char buf[16];
	size_t n = 0;
	wchar_t wc;
	int c;

	if (t == NO_ICONV)
		return WEOF;
	for (;;) {
		char *ip = buf, *op = (char *)&wc;
		size_t il, ol = sizeof(wc);

		if ((c = getc_unlocked(f)) == EOF) {
			if (n > 0)	/* a character cut short by the end */
				set_error(f, EILSEQ);
			return WEOF;
		}
		buf[n++] = (char)c;
		il = n;
		if (iconv(t, &ip, &il, &op, &ol) == (size_t)-1 &&
		    op == (char *)&wc && errno != EINVAL) {
			/* The bad bytes stay: the next call meets them too. */
			(void)unget_bytes(f, buf, n);
			set_error(f, EILSEQ);
			return WEOF;
		}
		if (op != (char *)&wc) {
			/* What came after the character stays in the stream. */
			if (unget_bytes(f, ip, il) != 0)
				return WEOF;
			return (wint_t)wc;
		}
		/* Incomplete: keep what iconv did not take, read more. */
		memmove(buf, ip, il);
		n = il;
		if (n == sizeof(buf)) {
			set_error(f, EILSEQ);
			return WEOF;
		}
	}
}

static wint_t
k_fgetwc(struct hj_wide *w, FILE *f)
{
	wint_t c;

	flockfile(f);
	c = get_wide(w, f);
	funlockfile(f);
	return c;
}

static wchar_t *
k_fgetws(struct hj_wide *w, wchar_t *buf, int n, FILE *f)
{
	int i = 0, err;
	wint_t c = 0;

	if (n <= 0) {
		errno = EINVAL;
		return NULL;
	}
	flockfile(f);
	err = f->_flags & _IO_ERR_SEEN;
	f->_flags &= ~_IO_ERR_SEEN;
	while (i < n - 1 && (c = get_wide(w, f)) != WEOF) {
		buf[i++] = (wchar_t)c;
		if (c == L'\n')
			break;
	}
	/* Nothing read, or an error on the way: NULL, as glibc. */
	if ((i == 0 && n > 1) || (f->_flags & _IO_ERR_SEEN)) {
		f->_flags |= err;
		funlockfile(f);
		return NULL;
	}
	f->_flags |= err;
	buf[i] = L'\0';
	funlockfile(f);
	return buf;
}

static wint_t
k_ungetwc(struct hj_wide *w, wint_t wc, FILE *f)
{
	iconv_t t;
	wchar_t c = (wchar_t)wc;
	char buf[16], *ip = (char *)&c, *op = buf;
	size_t il = sizeof(c), ol = sizeof(buf);
	wint_t rv = WEOF;

	if (wc == WEOF)
		return WEOF;
	flockfile(f);
	if ((t = conv(w, f, true)) != NO_ICONV &&
	    iconv(t, &ip, &il, &op, &ol) != (size_t)-1 &&
	    unget_bytes(f, buf, (size_t)(op - buf)) == 0)
		rv = wc;
	funlockfile(f);
	return rv;
}

/*
 * The scanf family on a copy (see the top of the file).  iso: C99's
 * (%a a float) or glibc's old one (%a allocates).
 */
static int
k_vfwscanf(struct hj_wide *w, FILE *f, const wchar_t *fmt, va_list ap,
    bool iso)
{
	char *buf = NULL, *nb, path[40];
	size_t len = 0, cap = 0;
	int mfd, rv = EOF, c = 0, e;
	bool at_end = false;
	long used;
	FILE *m;
	va_list aq;

	flockfile(f);
	if (conv(w, f, false) == NO_ICONV) {
		funlockfile(f);
		return EOF;
	}
	if ((mfd = memfd_create("rumphijack-wscanf", MFD_CLOEXEC)) < 0) {
		funlockfile(f);
		return EOF;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", mfd);
	for (;;) {
		/* One more line of the stream into the copy. */
		size_t from = len;

		while (!at_end && c != '\n') {
			if ((c = getc_unlocked(f)) == EOF) {
				at_end = true;
				break;
			}
			if (len == cap) {
				cap = cap ? cap * 2 : 256;
				if ((nb = realloc(buf, cap)) == NULL)
					goto fail;
				buf = nb;
			}
			buf[len++] = (char)c;
		}
		c = 0;
		if (pwrite(mfd, buf + from, len - from, (off_t)from) !=
		    (ssize_t)(len - from))
			goto fail;
		/* A wide stream on the copy, with the stream's charset. */
		{
			char mode[64];

			snprintf(mode, sizeof(mode), "r,ccs=%s", w->cs);
			if ((m = HOST(fopen)(path, mode)) == NULL)
				goto fail;
		}
		va_copy(aq, ap);
		rv = iso ? HOST(__isoc99_vfwscanf)(m, fmt, aq) :
		    host_old_vfwscanf(m, fmt, aq);
		va_end(aq);
		e = errno;
		if (feof(m) && !at_end) {
			/* It wanted more than the line: add one, scan again. */
			HOST(fclose)(m);
			continue;
		}
		used = ftell(m);
		HOST(fclose)(m);
		break;
	}
	if (used < 0 || (size_t)used > len)
		used = (long)len;
	if (unget_bytes(f, buf + used, len - (size_t)used) != 0)
		rv = EOF;
	if (at_end && (size_t)used == len)
		f->_flags |= _IO_EOF_SEEN;
	close(mfd);
	free(buf);
	funlockfile(f);
	errno = e;
	return rv;
fail:
	e = errno;
	close(mfd);
	if (len > 0)
		(void)unget_bytes(f, buf, len);
	free(buf);
	funlockfile(f);
	errno = e;
	return EOF;
}

/* --- the exported names ------------------------------------------------------ */

#define WIDE_OR_HOST(f, w)	struct hj_wide *w = hj_stdio_wide(f)

HJ_EXPORT int
fwide(FILE *f, int mode)
{
	WIDE_OR_HOST(f, w);
	int rv;

	if (w == NULL)
		return HOST(fwide)(f, mode);
	flockfile(f);
	rv = orient(w, f, mode);
	funlockfile(f);
	return rv;
}

#define GETWC(name)							\
HJ_EXPORT wint_t							\
name(FILE *f)								\
{									\
	WIDE_OR_HOST(f, w);						\
	return w == NULL ? HOST(name)(f) : k_fgetwc(w, f);		\
}
GETWC(fgetwc)
GETWC(getwc)
GETWC(fgetwc_unlocked)
GETWC(getwc_unlocked)

HJ_EXPORT wint_t
getwchar(void)
{
	return fgetwc(stdin);
}

HJ_EXPORT wint_t
getwchar_unlocked(void)
{
	return fgetwc_unlocked(stdin);
}

#define PUTWC(name)							\
HJ_EXPORT wint_t							\
name(wchar_t wc, FILE *f)						\
{									\
	WIDE_OR_HOST(f, w);						\
	return w == NULL ? HOST(name)(wc, f) : k_fputwc(w, wc, f);	\
}
PUTWC(fputwc)
PUTWC(putwc)
PUTWC(fputwc_unlocked)
PUTWC(putwc_unlocked)

HJ_EXPORT wint_t
putwchar(wchar_t wc)
{
	return fputwc(wc, stdout);
}

HJ_EXPORT wint_t
putwchar_unlocked(wchar_t wc)
{
	return fputwc_unlocked(wc, stdout);
}

#define GETWS(name)							\
HJ_EXPORT wchar_t *							\
name(wchar_t *buf, int n, FILE *f)					\
{									\
	WIDE_OR_HOST(f, w);						\
	return w == NULL ? HOST(name)(buf, n, f) :			\
	    k_fgetws(w, buf, n, f);					\
}
GETWS(fgetws)
GETWS(fgetws_unlocked)

/* _FORTIFY_SOURCE's: size is the buffer's, in wide characters. */
#define GETWS_CHK(name)							\
HJ_EXPORT wchar_t *							\
name(wchar_t *buf, size_t size, int n, FILE *f)				\
{									\
	WIDE_OR_HOST(f, w);						\
	if (w == NULL)							\
		return HOST(name)(buf, size, n, f);			\
	if ((size_t)n > size)						\
		abort();	/* glibc's __chk_fail, without its name */ \
	return k_fgetws(w, buf, n, f);					\
}
GETWS_CHK(__fgetws_chk)
GETWS_CHK(__fgetws_unlocked_chk)

#define PUTWS(name)							\
HJ_EXPORT int								\
name(const wchar_t *s, FILE *f)						\
{									\
	WIDE_OR_HOST(f, w);						\
	return w == NULL ? HOST(name)(s, f) : k_fputws(w, s, f);	\
}
PUTWS(fputws)
PUTWS(fputws_unlocked)

HJ_EXPORT wint_t
ungetwc(wint_t wc, FILE *f)
{
	WIDE_OR_HOST(f, w);

	return w == NULL ? HOST(ungetwc)(wc, f) : k_ungetwc(w, wc, f);
}

/* --- printf ------------------------------------------------------------------ */

HJ_EXPORT int
vfwprintf(FILE *f, const wchar_t *fmt, va_list ap)
{
	WIDE_OR_HOST(f, w);

	return w == NULL ? HOST(vfwprintf)(f, fmt, ap) :
	    k_vfwprintf(w, f, fmt, ap);
}

HJ_EXPORT int
__vfwprintf_chk(FILE *f, int flag, const wchar_t *fmt, va_list ap)
{
	WIDE_OR_HOST(f, w);

	return w == NULL ? HOST(__vfwprintf_chk)(f, flag, fmt, ap) :
	    k_vfwprintf(w, f, fmt, ap);
}

HJ_EXPORT int
vwprintf(const wchar_t *fmt, va_list ap)
{
	return vfwprintf(stdout, fmt, ap);
}

HJ_EXPORT int
__vwprintf_chk(int flag, const wchar_t *fmt, va_list ap)
{
	return __vfwprintf_chk(stdout, flag, fmt, ap);
}

#define VARIADIC(call)							\
	va_list ap;							\
	int rv;								\
									\
	va_start(ap, fmt);						\
	rv = call;							\
	va_end(ap);							\
	return rv

HJ_EXPORT int
fwprintf(FILE *f, const wchar_t *fmt, ...)
{
	VARIADIC(vfwprintf(f, fmt, ap));
}

HJ_EXPORT int
__fwprintf_chk(FILE *f, int flag, const wchar_t *fmt, ...)
{
	VARIADIC(__vfwprintf_chk(f, flag, fmt, ap));
}

HJ_EXPORT int
wprintf(const wchar_t *fmt, ...)
{
	VARIADIC(vfwprintf(stdout, fmt, ap));
}

HJ_EXPORT int
__wprintf_chk(int flag, const wchar_t *fmt, ...)
{
	VARIADIC(__vfwprintf_chk(stdout, flag, fmt, ap));
}

/* --- scanf ------------------------------------------------------------------- */

HJ_EXPORT int
old_vfwscanf(FILE *f, const wchar_t *fmt, va_list ap)
{
	WIDE_OR_HOST(f, w);

	return w == NULL ? host_old_vfwscanf(f, fmt, ap) :
	    k_vfwscanf(w, f, fmt, ap, false);
}

HJ_EXPORT int
__isoc99_vfwscanf(FILE *f, const wchar_t *fmt, va_list ap)
{
	WIDE_OR_HOST(f, w);

	return w == NULL ? HOST(__isoc99_vfwscanf)(f, fmt, ap) :
	    k_vfwscanf(w, f, fmt, ap, true);
}

HJ_EXPORT int
old_vwscanf(const wchar_t *fmt, va_list ap)
{
	return old_vfwscanf(stdin, fmt, ap);
}

HJ_EXPORT int
__isoc99_vwscanf(const wchar_t *fmt, va_list ap)
{
	return __isoc99_vfwscanf(stdin, fmt, ap);
}

HJ_EXPORT int
old_fwscanf(FILE *f, const wchar_t *fmt, ...)
{
	VARIADIC(old_vfwscanf(f, fmt, ap));
}

HJ_EXPORT int
__isoc99_fwscanf(FILE *f, const wchar_t *fmt, ...)
{
	VARIADIC(__isoc99_vfwscanf(f, fmt, ap));
}

HJ_EXPORT int
old_wscanf(const wchar_t *fmt, ...)
{
	VARIADIC(old_vfwscanf(stdin, fmt, ap));
}

HJ_EXPORT int
__isoc99_wscanf(const wchar_t *fmt, ...)
{
	VARIADIC(__isoc99_vfwscanf(stdin, fmt, ap));
}
