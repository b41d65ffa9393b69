/*
 * subr_prf.c: formatted output for the kernel, and panic.
 *
 * kvsnprintf() understands the subset of printf the kernel uses: the
 * conversions d i u x X o s c p %, the length modifiers hh h l ll z j t,
 * the flags '-' and '0', a width and a precision (both may be '*').  It
 * returns the length the full output would have, like vsnprintf.
 *
 * kprintf() formats into a buffer on the stack and writes it with one
 * rumpuser_console_write(), so concurrent lines do not interleave; output
 * longer than KPRINTF_BUFSIZE is truncated.  No locks are taken, so these
 * are safe anywhere, including before rump_init() and in panic.
 */
#include "k/kernel.h"
#include "rump/rumpuser.h"

#include "kern_private.h"

#define KPRINTF_BUFSIZE	512

int rump_verbose;

struct outbuf {
	char *buf;
	size_t size;
	size_t len;		/* what the output would need */
};

static void
out_char(struct outbuf *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void
out_pad(struct outbuf *o, char c, int n)
{
	while (n-- > 0)
		out_char(o, c);
}

/* Emits s[0..n) padded to width; zero padding goes after a sign. */
static void
out_field(struct outbuf *o, const char *s, size_t n, int width, bool left,
    bool zero)
{
	int pad = width > (int)n ? width - (int)n : 0;

	if (left) {
		while (n--)
			out_char(o, *s++);
		out_pad(o, ' ', pad);
		return;
	}
	if (zero && n > 0 && (*s == '-' || *s == '+')) {
		out_char(o, *s++);
		n--;
	}
	out_pad(o, zero ? '0' : ' ', pad);
	while (n--)
		out_char(o, *s++);
}

/* Digits of v in base into the end of buf; returns the start. */
static char *
fmt_unsigned(char *end, uint64_t v, unsigned base, bool upper, int prec)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char *p = end;
	int n = 0;

	do {
		*--p = digits[v % base];
		v /= base;
		n++;
	} while (v != 0);
	/* The caller's buffer holds 64 digits of precision at most. */
	while (n++ < prec && n <= 64)
		*--p = '0';
	return p;
}

int
kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct outbuf o = { buf, size, 0 };
	char num[80];
	const char *s;
	uint64_t uv;
	int64_t sv;

	for (; *fmt != '\0'; fmt++) {
		bool left = false, zero = false;
		int width = 0, prec = -1, lmod = 0;
		unsigned base;
		char *p;

		if (*fmt != '%') {
			out_char(&o, *fmt);
			continue;
		}
		fmt++;
		for (;; fmt++) {
			if (*fmt == '-')
				left = true;
			else if (*fmt == '0')
				zero = true;
			else if (*fmt != '+' && *fmt != ' ' && *fmt != '#')
				break;
		}
		if (*fmt == '*') {
			width = va_arg(ap, int);
			if (width < 0) {
				left = true;
				width = -width;
			}
			fmt++;
		} else {
			while (*fmt >= '0' && *fmt <= '9' && width < 1000)
				width = width * 10 + (*fmt++ - '0');
		}
		if (*fmt == '.') {
			fmt++;
			prec = 0;
			if (*fmt == '*') {
				prec = va_arg(ap, int);
				fmt++;
			} else {
				while (*fmt >= '0' && *fmt <= '9' && prec < 1000)
					prec = prec * 10 + (*fmt++ - '0');
			}
		}
		/* lmod: -2 hh, -1 h, 0 int, 1 long, 2 long long/intmax/size */
		for (;; fmt++) {
			if (*fmt == 'h')
				lmod--;
			else if (*fmt == 'l')
				lmod++;
			else if (*fmt == 'z' || *fmt == 'j' || *fmt == 't')
				lmod = 2;
			else
				break;
		}
		if (left)
			zero = false;

		switch (*fmt) {
		case 'd':
		case 'i':
			if (lmod >= 2)
				sv = va_arg(ap, long long);
			else if (lmod == 1)
				sv = va_arg(ap, long);
			else
				sv = va_arg(ap, int);
			if (lmod == -1)
				sv = (short)sv;
			else if (lmod <= -2)
				sv = (signed char)sv;
			uv = sv < 0 ? -(uint64_t)sv : (uint64_t)sv;
			p = fmt_unsigned(num + sizeof(num), uv, 10, false, prec);
			if (sv < 0)
				*--p = '-';
			if (prec >= 0)
				zero = false;
			out_field(&o, p, (size_t)(num + sizeof(num) - p), width,
			    left, zero);
			break;
		case 'u':
		case 'x':
		case 'X':
		case 'o':
			if (lmod >= 2)
				uv = va_arg(ap, unsigned long long);
			else if (lmod == 1)
				uv = va_arg(ap, unsigned long);
			else
				uv = va_arg(ap, unsigned int);
			if (lmod == -1)
				uv = (unsigned short)uv;
			else if (lmod <= -2)
				uv = (unsigned char)uv;
			base = *fmt == 'o' ? 8 : *fmt == 'u' ? 10 : 16;
			p = fmt_unsigned(num + sizeof(num), uv, base,
			    *fmt == 'X', prec);
			if (prec >= 0)
				zero = false;
			out_field(&o, p, (size_t)(num + sizeof(num) - p), width,
			    left, zero);
			break;
		case 'p':
			uv = (uintptr_t)va_arg(ap, void *);
			p = fmt_unsigned(num + sizeof(num), uv, 16, false, -1);
			*--p = 'x';
			*--p = '0';
			out_field(&o, p, (size_t)(num + sizeof(num) - p), width,
			    left, false);
			break;
		case 's': {
			size_t n = 0;

			s = va_arg(ap, const char *);
			if (s == NULL)
				s = "(null)";
			/* Bounded scan: with a precision s need not end. */
			while ((prec < 0 || n < (size_t)prec) && s[n] != '\0')
				n++;
			out_field(&o, s, n, width, left, false);
			break;
		}
		case 'c':
			num[0] = (char)va_arg(ap, int);
			out_field(&o, num, 1, width, left, false);
			break;
		case '%':
			out_char(&o, '%');
			break;
		case '\0':
			fmt--;		/* a lone '%' at the end */
			break;
		default:
			/* Unknown conversion: show it rather than guess. */
			out_char(&o, '%');
			out_char(&o, *fmt);
			break;
		}
	}
	if (size > 0)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return o.len > INT_MAX ? INT_MAX : (int)o.len;
}

int
ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

static void
kvprintf(const char *fmt, va_list ap)
{
	char buf[KPRINTF_BUFSIZE];
	int n;

	n = kvsnprintf(buf, sizeof(buf), fmt, ap);
	if (n >= (int)sizeof(buf)) {
		/* Truncated: keep the line ending if there was one. */
		n = sizeof(buf) - 1;
		if (fmt[0] != '\0' && fmt[strlen(fmt) - 1] == '\n')
			buf[n - 1] = '\n';
	}
	rumpuser_console_write(buf, (size_t)n);
}

void
kprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
}

void
kverbose(const char *fmt, ...)
{
	va_list ap;

	if (!rump_verbose)
		return;
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
}

void
panic(const char *fmt, ...)
{
	char buf[KPRINTF_BUFSIZE];
	va_list ap;
	size_t n;

	kstrlcpy(buf, "rump: panic: ", sizeof(buf));
	n = strlen(buf);
	va_start(ap, fmt);
	kvsnprintf(buf + n, sizeof(buf) - n - 1, fmt, ap);
	va_end(ap);
	n = strlen(buf);
	buf[n++] = '\n';
	rumpuser_console_write(buf, n);
	rumpuser_exit(RUMPUSER_PANIC);
}

void
kprint_param_error(const char *name, const char *value, const char *why)
{
	char v[80];
	size_t i;

	/* The value came from the environment: show it, but harmlessly. */
	for (i = 0; value[i] != '\0' && i < sizeof(v) - 1; i++) {
		unsigned char c = (unsigned char)value[i];

		v[i] = (c < 0x20 || c >= 0x7f || c == '"') ? '?' : (char)c;
	}
	v[i] = '\0';
	kprintf("rump: %s=\"%s\"%s: %s\n", name, v,
	    value[i] != '\0' ? "..." : "", why);
}

size_t
kstrlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size > 0) {
		size_t n = len < size - 1 ? len : size - 1;

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}
