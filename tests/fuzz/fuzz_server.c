/*
 * fuzz_server.c: the server half of the sysproxy fuzz target (see
 * fuzz_sysproxy.c for the input layout): mode 0, an SP_SYSCALL body
 * through sp_scall_decode() and sp_scall_reply(); mode 1, an SP_HELLO
 * body through sp_hello_parse() and sp_secret_equal(); mode 3, a byte
 * stream of frames through sp_recv(), handled as conn_main() in the server
 * does.  Here too the stand-in kernel that runs a decoded call (reads its
 * inputs, writes a pattern into its outputs) and the checks of what the
 * decoder promises and of the reply frame, which the round trip of
 * fuzz_client.c uses as well.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <net/if.h>
#include <net/route.h>
#include <sys/uio.h>
#include <unistd.h>

#include "fuzz_sysproxy.h"

/* The kernel reads and writes at most this much at either end of a big
 * buffer. */
#define FILL_CAP	4096
/* The largest first frame, as in handshake(). */
#define HELLO_MAX	(sizeof(struct sp_hdr) + sizeof(struct sp_hello) + \
			    SP_MAXSECRET + 256)
/* What fits a socket pair's buffer. */
#define STREAM_MAX	(128u << 10)

/*
 * What sp_msg_decode() promises of a message argument: at most
 * SP_MAXMMSG messages, each with at most SP_MAXIOV iovecs, sent pieces
 * inside the frame (a name of at most SP_MAXNAME bytes, control of at most
 * SP_MAXCONTROL), and all the bytes of the call within SP_MAXDATA.
 */
static void
check_msgs(const struct sp_scall *c, int i, const uint8_t *body, size_t len)
{
	const struct mmsghdr *mh = c->buf[i];
	bool send = c->kind[i] == SPA_MSG_SEND || c->kind[i] == SPA_MMSG_SEND;
	uint64_t total = 0;

	CHECK(mh != NULL && (void *)(intptr_t)c->args[i] == mh);
	CHECK(c->size[i] <= SP_MAXMMSG);
	CHECK(c->kind[i] == SPA_MSG_SEND || c->kind[i] == SPA_MSG_RECV ||
	    c->size[i] == (uint64_t)c->args[sp_systab[c->num].args[i].ref]);
	for (uint64_t k = 0; k < c->size[i]; k++) {
		const struct msghdr *m = &mh[k].msg_hdr;

		if (m->msg_name != NULL) {
			CHECK(m->msg_namelen <= SP_MAXNAME);
			if (send)
				CHECK(within(m->msg_name, m->msg_namelen,
				    body, len));
			total += m->msg_namelen;
		}
		if (m->msg_control != NULL) {
			CHECK(m->msg_controllen <= SP_MAXCONTROL);
			if (send)
				CHECK(within(m->msg_control,
				    m->msg_controllen, body, len));
			total += m->msg_controllen;
		}
		CHECK(m->msg_iovlen <= SP_MAXIOV);
		if (m->msg_iov == NULL)
			continue;
		for (uint64_t j = 0; j < m->msg_iovlen; j++) {
			const struct iovec *v = &m->msg_iov[j];

			CHECK(v->iov_len <= SP_MAXDATA);
			if (send)
				CHECK(within(v->iov_base, v->iov_len, body,
				    len));
			total += v->iov_len;
		}
	}
	CHECK(total <= SP_MAXDATA);
}

/* The stand-in kernel on a message argument: fills what it may, sets
 * lengths it should not (the reply must hold to the rooms). */
static void
kernel_msgs(struct sp_scall *c, int i, unsigned seed, uint64_t cap)
{
	struct mmsghdr *mh = c->buf[i];

	if (c->kind[i] == SPA_MSG_SEND || mh == NULL)
		return;
	for (uint64_t k = 0; k < c->size[i]; k++) {
		struct msghdr *m = &mh[k].msg_hdr;
		uint64_t base = 0;

		mh[k].msg_len = seed & 1 ? 1u << 31 : seed * 977u;
		if (c->kind[i] == SPA_MMSG_SEND)
			continue;
		if (m->msg_name != NULL)
			fill(m->msg_name, m->msg_namelen, 0, seed, i, cap);
		if (m->msg_control != NULL)
			fill(m->msg_control, m->msg_controllen, 0, seed, i,
			    cap);
		for (uint64_t j = 0; m->msg_iov != NULL &&
		    j < m->msg_iovlen; j++) {
			fill(m->msg_iov[j].iov_base, m->msg_iov[j].iov_len,
			    base, seed, i, cap);
			base += m->msg_iov[j].iov_len;
		}
		m->msg_namelen = seed & 2 ? 0xffffffffu : m->msg_namelen;
		m->msg_controllen = seed & 4 ? SIZE_MAX : m->msg_controllen;
		m->msg_flags = (int)seed;
	}
}

/* What sp_scall_decode() promises of a call it lets run. */
void
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
		case SPA_OUT:	/* NULL: an output the client cannot write */
			CHECK(n <= SP_MAXDATA);
			CHECK(p == NULL || (c->buf[i] != NULL && p == c->buf[i]));
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
				else if (v->iov_base != NULL) /* NULL: SP_LEN_FAULT */
					CHECK(within(v->iov_base, v->iov_len,
					    c->buf[i], total));
			}
			break;
		case SPA_NONE:
			CHECK(p == NULL);
			break;
		case SPA_VALRES:
			CHECK(n <= SP_MAXVALRES);
			CHECK(c->buf[i] != NULL && p == c->buf[i]);
			break;
		case SPA_MSG_SEND: case SPA_MSG_RECV:
		case SPA_MMSG_SEND: case SPA_MMSG_RECV:
			check_msgs(c, i, body, len);
			break;
		case SPA_IFCONF: {
			const struct ifconf *ifc = p;

			CHECK(p != NULL && p == c->buf[i]);
			CHECK(ifc->ifc_buf == NULL ||
			    ifc->ifc_buf == (const char *)(ifc + 1));
			CHECK(ifc->ifc_len <= (int)SP_MAXDATA);
			break;
		}
		case SPA_RTENTRY: {
			const struct rtentry *rt = p;

			CHECK(within(p, sizeof(*rt), body, len));
			CHECK(rt->rt_dev == NULL || (within(rt->rt_dev,
			    IFNAMSIZ, body, len) && memchr(rt->rt_dev, '\0',
			    IFNAMSIZ) != NULL));
			break;
		}
		case SPA_SCALAR: case SPA_FCNTL: case SPA_IOCTL:
			break;
		default:
			CHECK(!"a kind that does not run");
		}
	}
}

/* The kernel: reads the inputs, writes the outputs (pattern of seed). */
void
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
		case SPA_OUT: case SPA_VALRES:
			fill(p, c->size[i], 0, seed, i, cap);
			break;
		case SPA_MSG_SEND: case SPA_MSG_RECV:
		case SPA_MMSG_SEND: case SPA_MMSG_RECV:
			kernel_msgs(c, i, seed, cap);
			break;
		case SPA_IFCONF: {
			struct ifconf *ifc = (struct ifconf *)p;

			if (ifc->ifc_buf != NULL && ifc->ifc_len > 0) {
				fill((uint8_t *)ifc->ifc_buf,
				    (uint64_t)ifc->ifc_len, 0,
				    seed, i, cap);
				ifc->ifc_len = (int)(seed % ((unsigned)
				    ifc->ifc_len + 1));
			} else {
				ifc->ifc_len = (int)(seed & 0xffff);
			}
			break;
		}
		case SPA_RTENTRY:
			sum += touch(p, sizeof(struct rtentry), cap);
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
uint64_t
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
	if (c->kind[i] == SPA_VALRES) {
		int ref = sp_systab[c->num].args[i].ref;
		socklen_t now = 0;

		if (ref >= 0 && c->kind[ref] == SPA_INOUT && c->args[ref] != 0)
			memcpy(&now, (void *)(intptr_t)c->args[ref],
			    sizeof(now));
		return now < n ? now : n;
	}
	/* Messages: what sp_msg_reply() built (0 before the reply). */
	if (c->kind[i] == SPA_MSG_RECV || c->kind[i] == SPA_MMSG_SEND ||
	    c->kind[i] == SPA_MMSG_RECV || c->kind[i] == SPA_IFCONF)
		return c->rlen[i];
	return n;
}

/* The reply frame of sp_scall_reply() is what the protocol says. */
void
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
		if (whole(c->size[i], cap) && c->kind[i] != SPA_IOV_OUT &&
		    c->kind[i] != SPA_MSG_RECV && c->kind[i] != SPA_IFCONF &&
		    c->kind[i] != SPA_MMSG_SEND && c->kind[i] != SPA_MMSG_RECV)
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
int
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
int
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

/* Frames through sp_recv(), handled as conn_main() does. */
void
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
