/*
 * fuzz_client.c: the client half of the sysproxy fuzz target (see
 * fuzz_sysproxy.c for the input layout): the calls a client makes, built
 * by sp_creq_build() from buffers carved out of a guarded arena
 * (setup_call(), the calls of make_corpus.py's seeds); mode 2, a reply
 * body from the wire through sp_creq_finish(); mode 4, the round trip of
 * a call from the client through the server's decoder, the stand-in
 * kernel of fuzz_server.c and the reply back into the client's buffers,
 * which must hold what the kernel wrote and nothing else.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>

#include "fuzz_sysproxy.h"

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

/* Parameter bytes of a client call. */
#define NPARAM		8
/* Client output buffers before a call. */
#define CLIENT_FILL	0xee

/*
 * The buffers of a client call are carved from an arena, with guard bytes
 * between them (poisoned under AddressSanitizer, checked after the call
 * without), so that a write past a buffer is caught either way.
 */
#define ARENA_SIZE	(32u << 10)
#define GUARD		16
#define GUARD_BYTE	0xa5
#define MAXREGION	64

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

/*
 * A msghdr of a socket call: a name of up to 139 bytes (rooms past 128 go
 * as 128; a name to send past it is refused), control of up to 63, an
 * iovec array of carve_iov(), any of them NULL.
 */
static void
carve_msg(struct req *q, struct msghdr *m, const uint8_t *prm, bool send,
    const uint8_t *in, size_t inlen)
{
	size_t nl = prm[3] % (send ? 129 : 140), cl = prm[4] % 64;

	memset(m, 0, sizeof(*m));
	if (prm[2] & 1) {
		m->msg_name = send ? carve_in(q, nl, in, inlen) :
		    carve_out(q, nl);
		m->msg_namelen = (socklen_t)nl;
	}
	if (prm[2] & 2) {
		m->msg_control = send ? carve_in(q, cl, in, inlen) :
		    carve_out(q, cl);
		m->msg_controllen = cl;
	}
	if (prm[2] & 4) {
		m->msg_iov = carve_iov(q, prm, send, in, inlen);
		m->msg_iovlen = prm[0] % 5;
	}
}

/* The calls of modes 2 and 4, from NPARAM parameter bytes and data. */
static void
setup_call(struct req *q, unsigned which, const uint8_t *prm,
    const uint8_t *in, size_t inlen)
{
	static const char *const names[] = { "read", "write", "stat",
	    "readv", "writev", "fcntl", "ioctl", "poll", "getdents64",
	    "prlimit64", "getgroups", "ppoll", "open", "utimensat",
	    "sendmsg", "recvmsg", "sendmmsg", "recvmmsg", "getsockname" };
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
	case 14: case 15: {	/* sendmsg, recvmsg */
		struct msghdr *m = carve(q, sizeof(*m));

		carve_msg(q, m, prm, which == 14, in, inlen);
		a[1] = (intptr_t)m;
		a[2] = prm[5];
		break;
	}
	case 16: case 17: {	/* sendmmsg, recvmmsg */
		unsigned vlen = prm[6] % 4;
		struct mmsghdr *mv = carve(q, vlen * sizeof(*mv));

		for (unsigned k = 0; k < vlen; k++) {
			uint8_t p2[NPARAM];

			memcpy(p2, prm, NPARAM);
			p2[2] = (uint8_t)(prm[2] >> k | 4);
			p2[3] = (uint8_t)(prm[3] + 17 * k);
			carve_msg(q, &mv[k].msg_hdr, p2, which == 16, in,
			    inlen);
			mv[k].msg_len = 0x55555555;
		}
		a[1] = (intptr_t)mv;
		a[2] = vlen;
		a[3] = prm[5];
		if (which == 17)
			a[4] = prm[7] & 1 ? (intptr_t)carve_in(q,
			    sizeof(struct timespec), in, inlen) : 0;
		break;
	}
	case 18: {		/* getsockname */
		socklen_t room = prm[2] % 40, *lenp;

		a[1] = prm[3] & 1 ? 0 : (intptr_t)carve_out(q, room);
		lenp = carve(q, sizeof(*lenp));
		*lenp = room;
		a[2] = (intptr_t)lenp;
		break;
	}
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
void
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

/* The server's messages are the client's: lengths, and bytes to send. */
static void
same_msgs(const struct sp_scall *c, int i, int64_t arg)
{
	bool mm = c->kind[i] == SPA_MMSG_SEND || c->kind[i] == SPA_MMSG_RECV;
	bool send = c->kind[i] == SPA_MSG_SEND || c->kind[i] == SPA_MMSG_SEND;
	const struct mmsghdr *sv = c->buf[i];

	for (uint64_t k = 0; k < c->size[i]; k++) {
		const struct msghdr *m = &sv[k].msg_hdr;
		const struct msghdr *u = mm ?
		    &((const struct mmsghdr *)(intptr_t)arg)[k].msg_hdr :
		    (const struct msghdr *)(intptr_t)arg;

		CHECK((m->msg_name == NULL) == (u->msg_name == NULL));
		CHECK((m->msg_control == NULL) == (u->msg_control == NULL));
		CHECK((m->msg_iov == NULL) == (u->msg_iov == NULL));
		CHECK(m->msg_iovlen == u->msg_iovlen);
		if (m->msg_name != NULL)
			CHECK(m->msg_namelen == (u->msg_namelen > SP_MAXNAME ?
			    SP_MAXNAME : u->msg_namelen));
		if (m->msg_control != NULL)
			CHECK(m->msg_controllen == u->msg_controllen);
		if (send && m->msg_name != NULL && m->msg_namelen > 0)
			CHECK(memcmp(m->msg_name, u->msg_name,
			    m->msg_namelen) == 0);
		if (send && m->msg_control != NULL && m->msg_controllen > 0)
			CHECK(memcmp(m->msg_control, u->msg_control,
			    m->msg_controllen) == 0);
		for (uint64_t j = 0; m->msg_iov != NULL && j < m->msg_iovlen;
		    j++) {
			CHECK(m->msg_iov[j].iov_len == u->msg_iov[j].iov_len);
			if (send && u->msg_iov[j].iov_len > 0)
				CHECK(memcmp(m->msg_iov[j].iov_base,
				    u->msg_iov[j].iov_base,
				    u->msg_iov[j].iov_len) == 0);
		}
	}
}

/* Bytes of a client buffer: what the kernel wrote (pattern from base) up
 * to n, untouched (CLIENT_FILL) after. */
static void
check_piece(const uint8_t *p, size_t room, uint64_t n, uint64_t base,
    unsigned ksel, int i)
{
	for (uint64_t j = 0; j < room; j++)
		CHECK(p[j] == (j < n ? pat(ksel, i, base + j) : CLIENT_FILL));
}

/* What came back of the messages (fuzz_server.c's kernel_msgs()). */
static void
msgs_back(const struct sp_scall *c, int i, int64_t arg, int64_t rv,
    unsigned ksel)
{
	bool mm = c->kind[i] != SPA_MSG_RECV;
	uint64_t k = mm ? (uint64_t)rv : 1;
	const struct mmsghdr *sv = c->buf[i];

	for (uint64_t j = 0; j < k; j++) {
		struct mmsghdr *um = &((struct mmsghdr *)(intptr_t)arg)[j];
		const struct msghdr *u = mm ? &um->msg_hdr :
		    (const struct msghdr *)(intptr_t)arg;
		const struct msghdr *m = &sv[j].msg_hdr;
		uint64_t got = mm ? sv[j].msg_len : (uint64_t)rv, base = 0;

		if (mm)
			CHECK(um->msg_len == sv[j].msg_len);
		if (c->kind[i] == SPA_MMSG_SEND)
			continue;
		CHECK(u->msg_namelen == m->msg_namelen);
		CHECK(u->msg_controllen == m->msg_controllen);
		CHECK(u->msg_flags == m->msg_flags);
		/* Unless the kernel set lengths past the rooms (then the
		 * room is not known here), the name and control are its. */
		if (u->msg_name != NULL && !(ksel & 2))
			check_piece(u->msg_name, u->msg_namelen,
			    u->msg_namelen, 0, ksel, i);
		if (u->msg_control != NULL && !(ksel & 4))
			check_piece(u->msg_control, u->msg_controllen,
			    u->msg_controllen, 0, ksel, i);
		for (uint64_t v = 0; u->msg_iov != NULL && v < u->msg_iovlen;
		    v++) {
			uint64_t l = u->msg_iov[v].iov_len;
			uint64_t n = got > base ? got - base : 0;

			check_piece(u->msg_iov[v].iov_base, l, n < l ? n : l,
			    base, ksel, i);
			base += l;
		}
	}
}

/* Mode 4: client request -> server -> kernel -> reply -> client. */
void
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
			case SPA_VALRES:
				CHECK(c.size[i] == r->size[i]);
				break;
			case SPA_MSG_SEND: case SPA_MSG_RECV:
			case SPA_MMSG_SEND: case SPA_MMSG_RECV:
				CHECK(c.size[i] == r->size[i]);
				same_msgs(&c, i, r->args[i]);
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
	/* An *mmsg kernel handles at most the messages it was given. */
	for (int i = 0; error == 0 && i < c.nargs; i++)
		if (c.kind[i] == SPA_MMSG_SEND || c.kind[i] == SPA_MMSG_RECV)
			rv %= (int64_t)c.size[i] + 1;
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
		if (c.kind[i] == SPA_MSG_RECV || c.kind[i] == SPA_MMSG_SEND ||
		    c.kind[i] == SPA_MMSG_RECV) {
			msgs_back(&c, i, r->args[i], rv, ksel);
			continue;
		}
		if (c.kind[i] == SPA_VALRES) {
			/* Room bytes the kernel wrote; the rest untouched. */
			for (; j < r->size[i]; j++)
				CHECK(mine[j] == (j < want ? pat(ksel, i, j) :
				    CLIENT_FILL));
			continue;
		}
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
