/*
 * hj_dns.c: DNS questions and answers over the kernel's sockets, for the
 * stub resolver (hj_resolv.c, doc/HIJACK.md "Name lookup").
 *
 * The messages (hj_dnsmsg.c) go over UDP to one server at a time and
 * over TCP when the answer comes truncated.  An answer counts only
 * from the server asked and for the question asked; anything else is
 * ignored while the timeout runs, as glibc ignores it.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

#include "hj.h"
#include "hj_resolv.h"

#define MSG_MAX		65536

/* A query for name (no trailing dot) of qtype; its length or -1. */
/* --- talking to the servers ---------------------------------------------- */

static long
now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static socklen_t
ns_len(const struct sockaddr_in6 *ns)
{
	return ns->sin6_family == AF_INET ? sizeof(struct sockaddr_in) :
	    sizeof(struct sockaddr_in6);
}

/* Waits for fd to be ready for events until the deadline: 1, 0 or -1. */
static int
kwait(int fd, short events, long deadline)
{
	struct pollfd p = { .fd = fd, .events = events };
	long left;
	int n;

	for (;;) {
		if ((left = deadline - now_ms()) <= 0)
			return 0;
		n = hjk_poll(&p, 1, (int)left);
		if (n > 0)
			return (p.revents & (POLLERR | POLLNVAL)) &&
			    !(p.revents & events) ? -1 : 1;
		if (n == 0)
			return 0;
		if (errno != EINTR)
			return -1;
	}
}

static int
kfull(int fd, void *buf, size_t len, bool wr, long deadline)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		if (kwait(fd, wr ? POLLOUT : POLLIN, deadline) != 1)
			return -1;
		n = wr ? hjk_write(fd, (char *)buf + done, len - done) :
		    hjk_read(fd, (char *)buf + done, len - done);
		if (n <= 0 && !(n < 0 && (errno == EAGAIN || errno == EINTR)))
			return -1;
		if (n > 0)
			done += (size_t)n;
	}
	return 0;
}

/* The question over TCP (RFC 1035 4.2.2): the answer's length or -1. */
static int
ask_tcp(const struct sockaddr_in6 *ns, const unsigned char *q, int qlen,
    unsigned char *ans, size_t anslen, long deadline)
{
	unsigned char l[2] = { (unsigned char)(qlen >> 8), (unsigned char)qlen };
	int fd, rv = -1, err;
	socklen_t el = sizeof(err);
	unsigned n;

	fd = hjk_socket(ns->sin6_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (hjk_connect(fd, (const struct sockaddr *)ns, ns_len(ns)) != 0 &&
	    errno != EINPROGRESS)
		goto out;
	if (kwait(fd, POLLOUT, deadline) != 1 ||
	    hjk_getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) != 0 || err)
		goto out;
	if (kfull(fd, l, 2, true, deadline) || kfull(fd, (void *)q,
	    (size_t)qlen, true, deadline) || kfull(fd, l, 2, false, deadline))
		goto out;
	n = hj_dns_be16(l);
	if (n > anslen || kfull(fd, ans, n, false, deadline))
		goto out;
	rv = (int)n;
out:
	hjk_close(fd);
	return rv;
}

static bool
same_addr(const struct sockaddr_in6 *ns, const struct sockaddr_in6 *from)
{
	if (ns->sin6_family != from->sin6_family)
		return false;
	if (ns->sin6_family == AF_INET) {
		const struct sockaddr_in *a = (const void *)ns;
		const struct sockaddr_in *b = (const void *)from;

		return a->sin_port == b->sin_port &&
		    a->sin_addr.s_addr == b->sin_addr.s_addr;
	}
	return ns->sin6_port == from->sin6_port &&
	    memcmp(&ns->sin6_addr, &from->sin6_addr, 16) == 0;
}

/*
 * Asks one server over UDP until the deadline: HJ_ANS_* as dns_parse says,
 * or HJ_ANS_SERVFAIL for no usable answer.  A truncated answer is asked
 * again over TCP.
 */
static int
ask_udp(const struct hj_rconf *rc, const struct sockaddr_in6 *ns,
    const unsigned char *q, int qlen, uint16_t id, const char *name,
    int qtype, struct hj_hostres *r, long deadline, unsigned char *ans)
{
	struct sockaddr_in6 from;
	socklen_t fl;
	ssize_t n;
	int fd, rv = HJ_ANS_SERVFAIL, w;

	if (rc->usevc) {
		n = ask_tcp(ns, q, qlen, ans, MSG_MAX, deadline);
		return n < 0 ? HJ_ANS_SERVFAIL : hj_dns_parse(ans, (size_t)n, id,
		    name, qtype, r);
	}
	fd = hjk_socket(ns->sin6_family, SOCK_DGRAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (fd < 0)
		return HJ_ANS_SERVFAIL;
	if (hjk_connect(fd, (const struct sockaddr *)ns, ns_len(ns)) != 0 ||
	    hjk_sendto(fd, q, (size_t)qlen, 0, NULL, 0) != qlen)
		goto out;
	while ((w = kwait(fd, POLLIN, deadline)) == 1) {
		fl = sizeof(from);
		n = hjk_recvfrom(fd, ans, MSG_MAX, 0, (struct sockaddr *)&from,
		    &fl);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			break;		/* ECONNREFUSED: nobody there */
		}
		if (!same_addr(ns, &from) || n < 12 || hj_dns_be16(ans) != id)
			continue;
		if (ans[2] & 0x02) {	/* TC */
			hjk_close(fd);
			n = ask_tcp(ns, q, qlen, ans, MSG_MAX, deadline);
			return n < 0 ? HJ_ANS_SERVFAIL : hj_dns_parse(ans,
			    (size_t)n, id, name, qtype, r);
		}
		if ((rv = hj_dns_parse(ans, (size_t)n, id, name, qtype, r)) !=
		    HJ_ANS_BAD)
			break;
		rv = HJ_ANS_SERVFAIL;
	}
out:
	hjk_close(fd);
	return rv;
}

/* One question to the servers in turn, attempts times (resolv.conf(5)). */
int
hj_dns_ask(const struct hj_rconf *rc, const char *name, int qtype,
    struct hj_hostres *r, bool *timedout)
{
	unsigned char q[12 + HJ_RES_NAMELEN + 6], *ans;
	uint16_t id;
	int qlen, try, i, rv = HJ_ANS_SERVFAIL, first = 0;
	long secs;

	if (getrandom(&id, sizeof(id), 0) != sizeof(id))
		id = (uint16_t)now_ms();
	if ((qlen = hj_dns_query(q, sizeof(q), id, name, qtype)) < 0)
		return HJ_ANS_NXDOMAIN;	/* no such name can exist */
	if ((ans = malloc(MSG_MAX)) == NULL)
		return HJ_ANS_SERVFAIL;
	if (rc->rotate)
		first = (int)(id % (unsigned)rc->nns);
	*timedout = true;
	for (try = 0; try < rc->attempts; try++) {
		secs = (long)rc->timeout << try;
		if (try > 0)
			secs /= rc->nns;
		if (secs < 1)
			secs = 1;
		for (i = 0; i < rc->nns; i++) {
			const struct sockaddr_in6 *ns =
			    &rc->ns[(first + i) % rc->nns];
			long t0 = now_ms();

			rv = ask_udp(rc, ns, q, qlen, id, name, qtype, r,
			    t0 + secs * 1000, ans);
			if (rv == HJ_ANS_OK || rv == HJ_ANS_NXDOMAIN ||
			    rv == HJ_ANS_NODATA || rv == HJ_ANS_MALFORMED) {
				*timedout = false;
				goto done;
			}
			if (now_ms() - t0 < secs * 1000)
				*timedout = false;	/* it answered */
		}
	}
done:
	free(ans);
	return rv;
}

