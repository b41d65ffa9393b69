/*
 * fuzz_sysproxy.c: a libFuzzer target for the sysproxy parsers, what the
 * server takes off the wire (SP_HELLO, SP_SYSCALL, the framing) and what
 * the client takes (SP_REPLY).  Parsers only: nothing here calls into a
 * kernel.  Where the server would run the call, a stand-in "kernel" reads
 * every input buffer and writes every output buffer the decoder handed
 * out, so that a buffer of the wrong size or outside the frame shows up
 * (AddressSanitizer, or the CHECKs below when there is none).  Without
 * libFuzzer, standalone.c drives the same function.
 *
 * The input: byte 0 chooses the target (modulo NMODES), the rest is its:
 *   0  SP_SYSCALL body: [1] what the kernel answers (retsel below),
 *      [2..] the body, copied into a buffer of exactly its length.
 *      sp_scall_decode(); when it decodes, sp_scall_reply(); freed.
 *   1  SP_HELLO body: [1..] the body.  sp_hello_parse(), sp_secret_equal().
 *   2  SP_REPLY body for a client request: [1] the call (calls[] below),
 *      [2..9] its parameters, [10..] the reply body.  sp_creq_build() with
 *      buffers of this process, then sp_creq_finish() on the body.
 *   3  a byte stream as a client sends it: [1..] frames.  sp_recv() on a
 *      socket pair, every frame handled as conn_main() in the server does.
 *   4  a round trip: [1] the call, [2..9] its parameters, [10] what the
 *      kernel answers, [11..] the data of input buffers.  The request the
 *      client builds must decode on the server to the same arguments and
 *      data, and the reply must bring back what the kernel wrote.
 * tests/fuzz/make_corpus.py writes seeds in this layout.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "sp_proto.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FUZZ_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define FUZZ_ASAN 1
#endif
#ifdef FUZZ_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n)	ASAN_POISON_MEMORY_REGION(p, n)
#define UNPOISON(p, n)	ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define POISON(p, n)	((void)(p), (void)(n))
#define UNPOISON(p, n)	((void)(p), (void)(n))
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { MODE_SCALL, MODE_HELLO, MODE_REPLY, MODE_STREAM, MODE_ROUNDTRIP,
	NMODES };

/* Parameter bytes of a client call. */
#define NPARAM		8
/* The kernel reads and writes at most this much at either end of a big
 * buffer. */
#define FILL_CAP	4096
/* Replies up to this size are parsed back. */
#define FLAT_MAX	(1u << 20)
/* The largest first frame, as in handshake(). */
#define HELLO_MAX	(sizeof(struct sp_hdr) + sizeof(struct sp_hello) + \
			    SP_MAXSECRET + 256)
/* What fits a socket pair's buffer. */
#define STREAM_MAX	(128u << 10)
/* Client output buffers before a call. */
#define CLIENT_FILL	0xee

#define CHECK(c)	((c) ? (void)0 : fail(__LINE__, #c))

static _Noreturn void
fail(int line, const char *what)
{
	fprintf(stderr, "fuzz_sysproxy.c:%d: check failed: %s\n", line, what);
	abort();
}

static bool
is_output(uint8_t kind)
{
	return kind == SPA_OUT || kind == SPA_INOUT || kind == SPA_IOV_OUT;
}

/* What the stand-in kernel writes at byte j of output argument i. */
static uint8_t
pat(unsigned seed, int i, uint64_t j)
{
	return (uint8_t)(seed * 131u + (unsigned)i * 31u + (unsigned)j * 7u +
	    (unsigned)(j >> 8));
}

/* Are all n bytes of a buffer written/read, or only the ends (cap)? */
static bool
whole(uint64_t n, uint64_t cap)
{
	return n <= cap || n - cap <= cap;
}

/* Writes the pattern to [0, n) of p (offsets from base), only the first
 * and last cap bytes when it is bigger. */
static void
fill(uint8_t *p, uint64_t n, uint64_t base, unsigned seed, int i,
    uint64_t cap)
{
	for (uint64_t j = 0; j < n; j++) {
		if (j == cap && !whole(n, cap))
			j = n - cap;
		p[j] = pat(seed, i, base + j);
	}
}

/* Reads the bytes a kernel would read (the ends of big buffers). */
static unsigned
touch(const uint8_t *p, uint64_t n, uint64_t cap)
{
	unsigned sum = 0;

	for (uint64_t j = 0; j < n; j++) {
		if (j == cap && !whole(n, cap))
			j = n - cap;
		sum += p[j];
	}
	return sum;
}

/* Is [p, p + n) inside [base, base + len)? */
static bool
within(const void *p, uint64_t n, const void *base, size_t len)
{
	uintptr_t a = (uintptr_t)p, b = (uintptr_t)base;

	return a >= b && n <= len && a - b <= len - n;
}

static volatile unsigned sink;

/* --- the server half ------------------------------------------------------ */

/* What sp_scall_decode() promises of a call it lets run. */
static void
check_decoded(const struct sp_scall *c, const uint8_t *body, size_t len)
{
	CHECK(c->num >= 0 && c->num < SP_NSYS);
	CHECK(sp_systab[c->num].name != NULL);
	CHECK(c->nargs == sp_systab[c->num].nargs);
	for (int i = 0; i < c->nargs; i++) {
		void *p = (void *)(intptr_t)c->args[i];
		uint64_t n = c->size[i], total = 0;

		switch (c->kind[i]) {
		case SPA_PATH:
			CHECK(within(p, 1, body, len));
			CHECK(memchr(p, '\0', (size_t)(body + len -
			    (const uint8_t *)p)) != NULL);
			CHECK(strlen(p) < SP_MAXPATH);
			break;
		case SPA_IN: case SPA_INOUT:
			CHECK(n <= SP_MAXDATA);
			CHECK(within(p, n, body, len));
			break;
		case SPA_OUT:
			CHECK(n <= SP_MAXDATA);
			CHECK(c->buf[i] != NULL && p == c->buf[i]);
			break;
		case SPA_IOV_IN: case SPA_IOV_OUT:
			CHECK(n <= SP_MAXIOV);
			CHECK(p == c->kiov[i] && (n == 0 || p != NULL));
			for (uint64_t k = 0; k < n; k++)
				total += c->kiov[i][k].iov_len;
			CHECK(total <= SP_MAXDATA);
			for (uint64_t k = 0; k < n; k++) {
				const struct iovec *v = &c->kiov[i][k];

				if (c->kind[i] == SPA_IOV_IN)
					CHECK(within(v->iov_base, v->iov_len,
					    body, len));
				else
					CHECK(within(v->iov_base, v->iov_len,
					    c->buf[i], total));
			}
			break;
		case SPA_NONE:
			CHECK(p == NULL);
			break;
		case SPA_SCALAR: case SPA_FCNTL: case SPA_IOCTL:
			break;
		default:
			CHECK(!"a kind that does not run");
		}
	}
}

/* The kernel: reads the inputs, writes the outputs (pattern of seed). */
static void
kernel_run(struct sp_scall *c, unsigned seed, uint64_t cap)
{
	unsigned sum = 0;

	for (int i = 0; i < c->nargs; i++) {
		uint8_t *p = (uint8_t *)(intptr_t)c->args[i];
		uint64_t base = 0;

		switch (c->kind[i]) {
		case SPA_PATH:
			sum += (unsigned)strlen((char *)p);
			break;
		case SPA_IN:
			sum += touch(p, c->size[i], cap);
			break;
		case SPA_INOUT:
			sum += touch(p, c->size[i], cap);
			fill(p, c->size[i], 0, seed, i, cap);
			break;
		case SPA_OUT:
			fill(p, c->size[i], 0, seed, i, cap);
			break;
		case SPA_IOV_IN:
			for (uint64_t k = 0; k < c->size[i]; k++)
				sum += touch(c->kiov[i][k].iov_base,
				    c->kiov[i][k].iov_len, cap);
			break;
		case SPA_IOV_OUT:
			for (uint64_t k = 0; k < c->size[i]; k++) {
				fill(c->kiov[i][k].iov_base,
				    c->kiov[i][k].iov_len, base, seed, i, cap);
				base += c->kiov[i][k].iov_len;
			}
			break;
		default:
			break;
		}
	}
	sink += sum;
}

/* How many bytes of output argument i the reply carries. */
static uint64_t
out_len(const struct sp_scall *c, int i, int64_t rv)
{
	uint64_t n = c->size[i], r = rv < 0 ? 0 : (uint64_t)rv;

	if (c->kind[i] == SPA_IOV_OUT) {
		n = 0;
		for (uint64_t k = 0; k < c->size[i]; k++)
			n += c->kiov[i][k].iov_len;
		return r < n ? r : n;
	}
	if (c->kind[i] == SPA_OUT && sp_systab[c->num].args[i].outret)
		return r < n ? r : n;
	return n;
}

/* The reply frame of sp_scall_reply() is what the protocol says. */
static void
check_reply(const struct sp_scall *c, const struct iovec *iov, int niov,
    int64_t rv, int error, unsigned seed, uint64_t cap)
{
	const struct sp_hdr *h = iov[0].iov_base;
	struct sp_replyhdr rh;
	uint64_t total = 0;
	uint8_t *flat, *q;
	size_t off;

	CHECK(niov >= 1 && iov[0].iov_len >= sizeof(*h) + sizeof(rh));
	for (int k = 0; k < niov; k++)
		total += iov[k].iov_len;
	CHECK(h->len == total && h->type == SP_REPLY && h->zero == 0);
	CHECK(total <= SP_MAXFRAME);
	if (total > FLAT_MAX) {
		for (int k = 0; k < niov; k++)
			sink += touch(iov[k].iov_base, iov[k].iov_len, 64);
		return;
	}
	if ((flat = malloc(total)) == NULL)
		return;
	q = flat;
	for (int k = 0; k < niov; k++) {
		memcpy(q, iov[k].iov_base, iov[k].iov_len);
		q += iov[k].iov_len;
	}
	memcpy(&rh, flat + sizeof(*h), sizeof(rh));
	off = sizeof(*h) + sizeof(rh);
	CHECK(rh.error == error && rh.zero == 0);
	CHECK(rh.retval == (error == 0 ? rv : 0));
	for (int i = 0; error == 0 && i < c->nargs; i++) {
		uint64_t n, want;

		if (!is_output(c->kind[i]))
			continue;
		CHECK(total - off >= 8);
		memcpy(&n, flat + off, 8);
		off += 8;
		want = out_len(c, i, rv);
		CHECK(n == want && total - off >= ((n + 7) & ~(uint64_t)7));
		if (whole(c->size[i], cap) && c->kind[i] != SPA_IOV_OUT)
			for (uint64_t j = 0; j < n; j++)
				CHECK(flat[off + j] == pat(seed, i, j));
		off += n;
		for (; (n & 7) != 0; n++)
			CHECK(flat[off++] == 0);
	}
	CHECK(off == total);
	free(flat);
}

/* retsel: what the kernel answers; bits 6-7 set: EIO, else bits 0-1 say
 * the return value: 0, small, every output byte, INT64_MAX (clamped). */
static int64_t
pick_retval(const struct sp_scall *c, unsigned retsel)
{
	int64_t all = 0;

	switch (retsel & 3) {
	case 0:
		return 0;
	case 1:
		return (retsel >> 2) & 15;
	case 2:
		for (int i = 0; i < c->nargs; i++)
			if (is_output(c->kind[i]))
				all += (int64_t)out_len(c, i, INT64_MAX);
		return all;
	default:
		return INT64_MAX;
	}
}

/* One SP_SYSCALL body, as do_syscall() in the server takes it. */
static int
server_call(uint8_t *body, size_t len, unsigned retsel)
{
	struct sp_scall c;
	struct iovec *iov;
	uint8_t *meta;
	int64_t rv = 0;
	int error, niov;

	if ((error = sp_scall_decode(&c, body, len)) != 0) {
		CHECK(error == EPROTO);
		sp_scall_free(&c);
		return error;
	}
	error = c.error;
	CHECK(error >= 0);
	if (error == 0) {
		check_decoded(&c, body, len);
		kernel_run(&c, retsel, FILL_CAP);
		if ((retsel & 0xc0) == 0xc0)
			error = EIO;
		else
			rv = pick_retval(&c, retsel);
	}
	if (sp_scall_reply(&c, rv, error, &iov, &niov, &meta) == 0) {
		check_reply(&c, iov, niov, rv, error, retsel, FILL_CAP);
		free(iov);
		free(meta);
	}
	sp_scall_free(&c);
	return 0;
}

/* One SP_HELLO body, as handshake() and rehello() take it. */
static int
server_hello(uint8_t *body, size_t len)
{
	static const uint8_t key[] = "s3cret";
	struct sp_hello h;
	const uint8_t *secret = NULL;
	char name[16];
	size_t nl;
	int eq;

	memset(name, 'x', sizeof(name));
	if (sp_hello_parse(body, len, &h, &secret, name, sizeof(name)) != 0)
		return EPROTO;
	CHECK(h.magic == SP_MAGIC && h.zero == 0);
	CHECK(h.secretlen <= SP_MAXSECRET);
	CHECK(sizeof(h) + h.secretlen + h.namelen == len);
	CHECK(secret == body + sizeof(h));
	nl = strnlen(name, sizeof(name));
	CHECK(nl < sizeof(name));
	CHECK(nl == (h.namelen < sizeof(name) - 1 ? h.namelen :
	    sizeof(name) - 1));
	for (size_t i = 0; i < nl; i++) {
		uint8_t b = body[sizeof(h) + h.secretlen + i];

		/* Control characters are replaced (and, where char is
		 * signed, bytes from 0x80 too). */
		CHECK((uint8_t)name[i] >= 0x20 && name[i] != 0x7f);
		CHECK((uint8_t)name[i] == b || name[i] == '?');
	}
	/* What handshake() does with the secret, and that it is right. */
	eq = sp_secret_equal(key, sizeof(key) - 1, secret, h.secretlen);
	CHECK(eq == (h.secretlen == sizeof(key) - 1 &&
	    memcmp(secret, key, sizeof(key) - 1) == 0));
	sink += (unsigned)sp_secret_equal(secret, h.secretlen, secret,
	    h.secretlen);
	return 0;
}

/* A copy of exactly len bytes, so that a read past it is caught. */
static uint8_t *
exact_copy(const uint8_t *p, size_t len)
{
	uint8_t *b = malloc(len ? len : 1);

	if (b != NULL && len > 0)
		memcpy(b, p, len);
	return b;
}

/* Frames through sp_recv(), handled as conn_main() does. */
static void
server_stream(const uint8_t *d, size_t n)
{
	struct sp_buf b = { .data = NULL };
	size_t off = 0;
	int sv[2];

	if (n > STREAM_MAX)
		n = STREAM_MAX;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		return;
	(void)fcntl(sv[0], F_SETFL, O_NONBLOCK);
	while (off < n) {
		ssize_t w = send(sv[0], d + off, n - off, MSG_NOSIGNAL);

		if (w <= 0)
			break;
		off += (size_t)w;
	}
	shutdown(sv[0], SHUT_WR);
	for (int k = 0; k < 256; k++) {
		uint16_t type;
		size_t len;
		int error;

		error = sp_recv(sv[1], &b, k == 0 ? HELLO_MAX : SP_MAXFRAME,
		    &type, &len);
		if (error != 0)
			break;
		CHECK(len <= SP_MAXFRAME - sizeof(struct sp_hdr));
		CHECK(b.cap >= len + 8);
		if (k == 0 && type != SP_HELLO)
			break;
		if (type == SP_HELLO)
			error = server_hello(b.data, len);
		else if (type == SP_SYSCALL)
			error = server_call(b.data, len, (unsigned)k);
		else if (type != SP_PREFORK || len != 0)
			error = EPROTO;
		if (error != 0)
			break;
	}
	sp_buf_free(&b);
	close(sv[0]);
	close(sv[1]);
}

/* --- the client half ------------------------------------------------------ */

/*
 * The buffers of a client call are carved from an arena, with guard bytes
 * between them (poisoned under AddressSanitizer, checked after the call
 * without), so that a write past a buffer is caught either way.
 */
#define ARENA_SIZE	(32u << 10)
#define GUARD		16
#define GUARD_BYTE	0xa5
#define MAXREGION	16

struct req {
	uint8_t *arena;
	size_t used;
	struct { uint8_t *p; size_t n; } reg[MAXREGION];
	int nreg;
	int num, nargs;
	int64_t args[SP_MAXARGS];
	int expect;			/* the errno the server answers */
	struct sp_creq r;
};

static void *
carve(struct req *q, size_t n)
{
	uint8_t *p;

	q->used = (q->used + 15) & ~(size_t)15;
	CHECK(q->nreg < MAXREGION && ARENA_SIZE - q->used >= n + GUARD);
	p = q->arena + q->used;
	q->reg[q->nreg].p = p;
	q->reg[q->nreg++].n = n;
	q->used += n + GUARD;
	return p;
}

/* Input data: from the fuzz input, cycled. */
static void
data_fill(uint8_t *p, size_t n, const uint8_t *in, size_t inlen,
    unsigned salt)
{
	for (size_t k = 0; k < n; k++)
		p[k] = inlen ? (uint8_t)(in[k % inlen] ^ salt) :
		    (uint8_t)(k * 13 + salt);
}

static void *
carve_in(struct req *q, size_t n, const uint8_t *in, size_t inlen)
{
	void *p = carve(q, n);

	data_fill(p, n, in, inlen, (unsigned)q->nreg);
	return p;
}

static void *
carve_out(struct req *q, size_t n)
{
	void *p = carve(q, n);

	memset(p, CLIENT_FILL, n);
	return p;
}

static char *
carve_path(struct req *q, const uint8_t *prm, const uint8_t *in,
    size_t inlen)
{
	size_t n = prm[1] % 48;
	char *s = carve(q, n + 1);

	for (size_t k = 0; k < n; k++)
		s[k] = inlen && in[k % inlen] != 0 ? (char)in[k % inlen] :
		    (char)('a' + k % 26);
	s[n] = '\0';
	return s;
}

static struct iovec *
carve_iov(struct req *q, const uint8_t *prm, bool in, const uint8_t *data,
    size_t datalen)
{
	int cnt = prm[0] % 5;
	struct iovec *v = carve(q, (size_t)cnt * sizeof(*v));

	for (int k = 0; k < cnt; k++) {
		v[k].iov_len = prm[1 + k];
		if (v[k].iov_len == 0 && (prm[5] >> k & 1))
			v[k].iov_base = NULL;
		else if (in)
			v[k].iov_base = carve_in(q, v[k].iov_len, data,
			    datalen);
		else
			v[k].iov_base = carve_out(q, v[k].iov_len);
	}
	return v;
}

/* The calls of modes 2 and 4, from NPARAM parameter bytes and data. */
static void
setup_call(struct req *q, unsigned which, const uint8_t *prm,
    const uint8_t *in, size_t inlen)
{
	static const char *const names[] = { "read", "write", "stat",
	    "readv", "writev", "fcntl", "ioctl", "poll", "getdents64",
	    "prlimit64", "getgroups", "ppoll", "open", "utimensat" };
	static int nums[sizeof(names) / sizeof(names[0])];
	static bool looked;
	unsigned ncalls = sizeof(names) / sizeof(names[0]);
	size_t count = prm[0] | (size_t)(prm[1] & 1) << 8;
	int64_t *a = q->args;

	if (!looked) {
		for (unsigned k = 0; k < ncalls; k++) {
			nums[k] = -1;
			for (int n = 0; n < SP_NSYS; n++)
				if (sp_systab[n].name != NULL &&
				    strcmp(sp_systab[n].name, names[k]) == 0)
					nums[k] = n;
			CHECK(nums[k] >= 0);
		}
		looked = true;
	}
	which %= ncalls;
	q->num = nums[which];
	q->nargs = sp_systab[q->num].nargs;
	q->expect = 0;
	a[0] = 3;
	switch (which) {
	case 0: case 8:		/* read, getdents64 */
		a[1] = (intptr_t)carve_out(q, count);
		a[2] = (int64_t)count;
		break;
	case 1:			/* write */
		a[1] = (intptr_t)carve_in(q, count, in, inlen);
		a[2] = (int64_t)count;
		break;
	case 2:			/* stat */
		a[0] = (intptr_t)carve_path(q, prm, in, inlen);
		a[1] = (intptr_t)carve_out(q, sizeof(struct stat));
		break;
	case 3: case 4:		/* readv, writev */
		a[1] = (intptr_t)carve_iov(q, prm, which == 4, in, inlen);
		a[2] = prm[0] % 5;
		break;
	case 5: {		/* fcntl */
		static const int cmds[] = { F_GETLK, F_SETLK, F_OFD_GETLK,
		    F_GETFD, F_SETFL, F_GETOWN_EX };
		int cmd = cmds[prm[2] % 6];

		a[1] = cmd;
		if (cmd == F_GETLK || cmd == F_SETLK || cmd == F_OFD_GETLK)
			a[2] = (intptr_t)carve_in(q, sizeof(struct flock), in,
			    inlen);
		else
			a[2] = prm[3];
		if (cmd == F_GETOWN_EX)
			q->expect = EINVAL;
		break;
	}
	case 6: {		/* ioctl */
		static const unsigned long reqs[] = { FIONREAD, FIONBIO,
		    FIOCLEX, _IOWR('f', 99, char[24]), _IOR('f', 98, short),
		    TCGETS };
		unsigned long rq = reqs[prm[2] % 6];
		uint8_t kind;
		uint64_t sz;

		a[1] = (int64_t)rq;
		CHECK(sp_ioctl_arg(rq, &kind, &sz) == 0);
		if (kind == SPA_REJECT) {
			q->expect = (int)sz;
			a[2] = prm[3];
		} else if (kind == SPA_NONE) {
			a[2] = prm[3];
		} else {
			a[2] = (intptr_t)carve_in(q, sz, in, inlen);
		}
		break;
	}
	case 7: case 11: {	/* poll, ppoll */
		unsigned nfds = prm[2] % 5;

		a[0] = (intptr_t)carve_in(q, nfds * sizeof(struct pollfd), in,
		    inlen);
		a[1] = nfds;
		a[2] = prm[3];
		if (which == 11) {
			a[2] = prm[3] & 1 ? (intptr_t)carve_in(q,
			    sizeof(struct timespec), in, inlen) : 0;
			a[3] = prm[3] & 2 ? (intptr_t)carve_in(q, 8, in,
			    inlen) : 0;
			a[4] = 8;
		}
		break;
	}
	case 9:			/* prlimit64 */
		a[0] = 0;
		a[1] = RLIMIT_NOFILE;
		a[2] = prm[2] & 1 ? (intptr_t)carve_in(q,
		    sizeof(struct rlimit), in, inlen) : 0;
		a[3] = prm[2] & 2 ? (intptr_t)carve_out(q,
		    sizeof(struct rlimit)) : 0;
		break;
	case 10: {		/* getgroups */
		unsigned n = prm[2] % 8;

		a[0] = n;
		a[1] = n > 0 || (prm[3] & 1) ?
		    (intptr_t)carve_out(q, n * sizeof(gid_t)) : 0;
		break;
	}
	case 12:		/* open */
		a[0] = (intptr_t)carve_path(q, prm, in, inlen);
		a[1] = prm[2];
		a[2] = prm[3];
		break;
	default:		/* utimensat */
		a[0] = -100;
		a[1] = prm[2] & 1 ? (intptr_t)carve_path(q, prm, in, inlen) :
		    0;
		a[2] = prm[2] & 2 ? (intptr_t)carve_in(q,
		    2 * sizeof(struct timespec), in, inlen) : 0;
		a[3] = prm[3];
		break;
	}
	if (q->expect == 0 && sp_systab[q->num].unsupp != 0)
		q->expect = sp_systab[q->num].unsupp;
}

/* Builds the call: 0 and the arena guarded, or sp_creq_build's errno. */
static int
req_start(struct req *q, const uint8_t *d, size_t n, size_t nhead)
{
	uint8_t prm[NPARAM] = { 0 };
	size_t gap;

	memset(q, 0, sizeof(*q));
	if ((q->arena = malloc(ARENA_SIZE)) == NULL)
		return ENOMEM;
	memset(q->arena, GUARD_BYTE, ARENA_SIZE);
	if (n > 1)
		memcpy(prm, d + 1, n - 1 < NPARAM ? n - 1 : NPARAM);
	setup_call(q, n > 0 ? d[0] : 0, prm, n > nhead ? d + nhead : NULL,
	    n > nhead ? n - nhead : 0);
	/* Guards poisoned from here: the client must stay in its buffers. */
	for (int k = 0; k <= q->nreg; k++) {
		uint8_t *from = k == 0 ? q->arena :
		    q->reg[k - 1].p + q->reg[k - 1].n;
		uint8_t *to = k < q->nreg ? q->reg[k].p : q->arena + ARENA_SIZE;

		gap = (size_t)(to - from);
		POISON(from, gap);
	}
	return sp_creq_build(&q->r, q->num, q->args, q->nargs);
}

static void
req_end(struct req *q)
{
	sp_creq_free(&q->r);
	if (q->arena == NULL)
		return;
	UNPOISON(q->arena, ARENA_SIZE);
	for (int k = 0; k <= q->nreg; k++) {
		uint8_t *from = k == 0 ? q->arena :
		    q->reg[k - 1].p + q->reg[k - 1].n;
		uint8_t *to = k < q->nreg ? q->reg[k].p : q->arena + ARENA_SIZE;

		for (; from < to; from++)
			CHECK(*from == GUARD_BYTE);
	}
	free(q->arena);
}

/* Mode 2: a reply body from the wire for a call of this process. */
static void
client_reply(const uint8_t *d, size_t n)
{
	struct req q;
	uint8_t *body;
	size_t head = 1 + NPARAM, len = n > head ? n - head : 0;
	int64_t rv = -12345;
	int proto = -1, error;

	if (req_start(&q, d, n, n) == 0 &&
	    (body = exact_copy(d + n - len, len)) != NULL) {
		error = sp_creq_finish(&q.r, body, len, &rv, &proto);
		CHECK(proto == 0 || proto == 1);
		if (proto)
			CHECK(error == EPROTO);
		else if (error == 0)
			CHECK(len >= sizeof(struct sp_replyhdr) &&
			    memcmp(&rv, body, sizeof(rv)) == 0);
		else
			CHECK(error > 0 && len == sizeof(struct sp_replyhdr));
		free(body);
	}
	req_end(&q);
}

/* Gathers an iovec array into one buffer (NULL if too big). */
static uint8_t *
flatten(const struct iovec *iov, int niov, size_t *lenp)
{
	size_t total = 0;
	uint8_t *buf, *p;

	for (int k = 0; k < niov; k++)
		total += iov[k].iov_len;
	if (total > FLAT_MAX || (buf = malloc(total ? total : 1)) == NULL)
		return NULL;
	p = buf;
	for (int k = 0; k < niov; k++) {
		memcpy(p, iov[k].iov_base, iov[k].iov_len);
		p += iov[k].iov_len;
	}
	*lenp = total;
	return buf;
}

/* Mode 4: client request -> server -> kernel -> reply -> client. */
static void
roundtrip(const uint8_t *d, size_t n)
{
	size_t head = 2 + NPARAM, flen, rlen;
	unsigned ksel = n > 1 + NPARAM ? d[1 + NPARAM] : 0;
	struct req q;
	struct sp_scall c;
	struct sp_creq *r = &q.r;
	struct iovec *iov;
	uint8_t *frame = NULL, *body = NULL, *reply = NULL, *meta;
	const struct sp_hdr *h;
	int64_t rv = 0, rv2 = -1;
	int error, niov, proto = -1;

	memset(&c, 0, sizeof(c));
	error = req_start(&q, d, n, head);
	CHECK(error == 0 || error == ENOMEM);
	if (error != 0)
		goto out;
	if ((frame = flatten(r->iov, r->niov, &flen)) == NULL)
		goto out;
	h = (const struct sp_hdr *)frame;
	CHECK(flen >= sizeof(*h) + sizeof(struct sp_callhdr));
	CHECK(h->len == flen && h->type == SP_SYSCALL && h->zero == 0);
	CHECK(flen % 8 == 0);
	if ((body = exact_copy(frame + sizeof(*h), flen - sizeof(*h))) == NULL)
		goto out;
	CHECK(sp_scall_decode(&c, body, flen - sizeof(*h)) == 0);
	CHECK(c.error == q.expect);
	CHECK(c.num == q.num && c.nargs == q.nargs);

	/* The server sees what the client sent. */
	if (c.error == 0) {
		check_decoded(&c, body, flen - sizeof(*h));
		for (int i = 0; i < c.nargs; i++) {
			const uint8_t *mine, *got;
			const struct iovec *v;

			mine = (const uint8_t *)(intptr_t)r->args[i];
			got = (const uint8_t *)(intptr_t)c.args[i];
			v = (const struct iovec *)mine;

			if (r->isnull[i]) {
				CHECK(got == NULL && c.kind[i] == SPA_SCALAR);
				continue;
			}
			CHECK(c.kind[i] == r->kind[i]);
			switch (c.kind[i]) {
			case SPA_PATH:
				CHECK(strcmp((const char *)got,
				    (const char *)mine) == 0);
				break;
			case SPA_IN: case SPA_INOUT:
				CHECK(c.size[i] == r->size[i]);
				CHECK(memcmp(got, mine, c.size[i]) == 0);
				break;
			case SPA_OUT:
				CHECK(c.size[i] == r->size[i]);
				break;
			case SPA_IOV_IN: case SPA_IOV_OUT:
				CHECK(c.size[i] == r->size[i]);
				for (uint64_t k = 0; k < c.size[i]; k++) {
					CHECK(c.kiov[i][k].iov_len ==
					    v[k].iov_len);
					if (c.kind[i] == SPA_IOV_IN &&
					    v[k].iov_len > 0)
						CHECK(memcmp(
						    c.kiov[i][k].iov_base,
						    v[k].iov_base,
						    v[k].iov_len) == 0);
				}
				break;
			case SPA_NONE:
				CHECK(got == NULL);
				break;
			default:
				CHECK(c.args[i] == r->args[i]);
				break;
			}
		}
		kernel_run(&c, ksel, UINT64_MAX);
	}
	error = c.error;
	if (error == 0 && (ksel & 0xc0) == 0xc0)
		error = EIO;
	else if (error == 0)
		rv = (ksel & 0x3f) * 9;
	CHECK(sp_scall_reply(&c, rv, error, &iov, &niov, &meta) == 0);
	check_reply(&c, iov, niov, rv, error, ksel, UINT64_MAX);
	reply = flatten(iov, niov, &rlen);
	free(iov);
	free(meta);
	if (reply == NULL)
		goto out;

	/* The client gets back what the kernel wrote, and only that. */
	CHECK(sp_creq_finish(r, reply + sizeof(*h), rlen - sizeof(*h), &rv2,
	    &proto) == error);
	CHECK(proto == 0);
	if (error != 0)
		goto out;
	CHECK(rv2 == rv);
	for (int i = 0; i < c.nargs; i++) {
		const uint8_t *mine = (const uint8_t *)(intptr_t)r->args[i];
		const struct iovec *v = (const struct iovec *)mine;
		uint64_t want, j = 0;

		if (!is_output(c.kind[i]))
			continue;
		want = out_len(&c, i, rv);
		if (c.kind[i] != SPA_IOV_OUT) {
			for (; j < r->size[i]; j++)
				CHECK(mine[j] == (j < want ? pat(ksel, i, j) :
				    c.kind[i] == SPA_OUT ? CLIENT_FILL :
				    mine[j]));
			continue;
		}
		for (uint64_t k = 0; k < r->size[i]; k++) {
			const uint8_t *b = v[k].iov_base;

			for (size_t m = 0; m < v[k].iov_len; m++, j++)
				CHECK(b[m] == (j < want ? pat(ksel, i, j) :
				    CLIENT_FILL));
		}
	}
out:
	sp_scall_free(&c);
	free(reply);
	free(body);
	free(frame);
	req_end(&q);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *body;

	if (size == 0)
		return 0;
	switch (data[0] % NMODES) {
	case MODE_SCALL:
		if (size < 2)
			return 0;
		if ((body = exact_copy(data + 2, size - 2)) != NULL)
			(void)server_call(body, size - 2, data[1]);
		free(body);
		break;
	case MODE_HELLO:
		if ((body = exact_copy(data + 1, size - 1)) != NULL)
			(void)server_hello(body, size - 1);
		free(body);
		break;
	case MODE_REPLY:
		client_reply(data + 1, size - 1);
		break;
	case MODE_STREAM:
		server_stream(data + 1, size - 1);
		break;
	case MODE_ROUNDTRIP:
		roundtrip(data + 1, size - 1);
		break;
	}
	return 0;
}
