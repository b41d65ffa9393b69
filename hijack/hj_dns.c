/*
 * hj_dns.c: DNS questions and answers on the kernel's sockets, for the
 * stub resolver (hj_resolv.c, doc/HIJACK.md "Name lookup").
 *
 * RFC 1035 messages: one question with RD set, answers read with every
 * offset and compression pointer checked (a loop or an overrun makes the
 * answer unreadable, never a crash), over UDP to one server at a time
 * and over TCP when the answer comes truncated.  An answer counts only
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
static int
dns_query(unsigned char *q, size_t qlen, uint16_t id, const char *name,
    int qtype)
{
	size_t o = 12, n;
	const char *p = name, *dot;

	if (qlen < 12 + HJ_RES_NAMELEN + 6)
		return -1;
	memset(q, 0, 12);
	q[0] = (unsigned char)(id >> 8);
	q[1] = (unsigned char)id;
	q[2] = 0x01;			/* RD */
	q[5] = 1;			/* one question */
	while (*p != '\0') {
		dot = strchr(p, '.');
		n = dot != NULL ? (size_t)(dot - p) : strlen(p);
		if (n == 0 || n > 63 || o + n + 1 > 12 + 254)
			return -1;
		q[o++] = (unsigned char)n;
		memcpy(q + o, p, n);
		o += n;
		p += n;
		if (*p == '.')
			p++;
	}
	q[o++] = 0;
	q[o++] = 0;
	q[o++] = (unsigned char)qtype;
	q[o++] = 0;
	q[o++] = 1;			/* IN */
	return (int)o;
}

/*
 * The name at offset *off of m (compression followed, loops and overruns
 * refused): its text in out, *off past it.  0 or -1.
 */
static int
dns_name(const unsigned char *m, size_t len, size_t *off, char *out,
    size_t outlen)
{
	size_t o = *off, w = 0, jumps = 0, end = 0;
	bool jumped = false;

	for (;;) {
		unsigned c;

		if (o >= len)
			return -1;
		c = m[o];
		if ((c & 0xc0) == 0xc0) {
			if (o + 1 >= len || ++jumps > 64)
				return -1;
			if (!jumped)
				end = o + 2;
			jumped = true;
			o = ((c & 0x3f) << 8) | m[o + 1];
			continue;
		}
		if (c & 0xc0)
			return -1;
		if (c == 0) {
			if (!jumped)
				end = o + 1;
			break;
		}
		if (o + 1 + c > len || w + c + 2 > outlen)
			return -1;
		if (w > 0)
			out[w++] = '.';
		memcpy(out + w, m + o + 1, c);
		w += c;
		o += 1 + c;
	}
	if (w == 0 && outlen > 1)
		out[w++] = '.';
	out[w] = '\0';
	*off = end;
	return 0;
}

static unsigned
be16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}


/*
 * Takes the answer to "name qtype": A/AAAA records of the name or of its
 * CNAME chain go into r (r->canon the chain's end), a PTR's target into
 * r->canon.  HJ_ANS_BAD for a message that does not answer the question
 * (ignored: the real answer may still come), HJ_ANS_MALFORMED for one that
 * does but whose records cannot be read (final, as glibc takes it).
 */
static int
dns_parse(const unsigned char *m, size_t len, uint16_t id, const char *name,
    int qtype, struct hj_hostres *r)
{
	char qn[HJ_RES_NAMELEN], owner[HJ_RES_NAMELEN], cur[HJ_RES_NAMELEN];
	char target[HJ_RES_NAMELEN];
	size_t o = 12;
	unsigned an, i, type, rdlen;
	int rcode, got = 0;

	if (len < 12 || be16(m) != id || !(m[2] & 0x80) || be16(m + 4) != 1)
		return HJ_ANS_BAD;
	if (dns_name(m, len, &o, qn, sizeof(qn)) != 0 || o + 4 > len ||
	    strcasecmp(qn, name) != 0 || be16(m + o) != (unsigned)qtype ||
	    be16(m + o + 2) != 1)
		return HJ_ANS_BAD;
	o += 4;
	rcode = m[3] & 15;
	if (rcode == 3)
		return HJ_ANS_NXDOMAIN;
	if (rcode != 0)
		return HJ_ANS_SERVFAIL;
	snprintf(cur, sizeof(cur), "%s", name);
	an = be16(m + 6);
	for (i = 0; i < an; i++) {
		if (dns_name(m, len, &o, owner, sizeof(owner)) != 0 ||
		    o + 10 > len)
			return HJ_ANS_MALFORMED;
		type = be16(m + o);
		rdlen = be16(m + o + 8);
		o += 10;
		if (o + rdlen > len)
			return HJ_ANS_MALFORMED;
		if (be16(m + o - 8) != 1 || strcasecmp(owner, cur) != 0) {
			o += rdlen;
			continue;
		}
		if (type == HJ_T_CNAME || type == HJ_T_PTR) {
			size_t t = o;

			if (dns_name(m, len, &t, target, sizeof(target)) != 0)
				return HJ_ANS_MALFORMED;
			if (type == HJ_T_CNAME) {
				hj_res_add_alias(r, cur);
				snprintf(cur, sizeof(cur), "%s", target);
			} else if ((int)type == qtype && !got++)
				snprintf(r->canon, sizeof(r->canon), "%s",
				    target);
		} else if ((int)type == qtype && type == HJ_T_A && rdlen == 4) {
			struct hj_addr a = { .family = AF_INET };

			memcpy(&a.a.v4, m + o, 4);
			hj_res_add_addr(r, &a);
			got++;
		} else if ((int)type == qtype && type == HJ_T_AAAA &&
		    rdlen == 16) {
			struct hj_addr a = { .family = AF_INET6 };

			memcpy(&a.a.v6, m + o, 16);
			hj_res_add_addr(r, &a);
			got++;
		}
		o += rdlen;
	}
	if (got && qtype != HJ_T_PTR)
		snprintf(r->canon, sizeof(r->canon), "%s", cur);
	return got ? HJ_ANS_OK : HJ_ANS_NODATA;
}

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
	n = be16(l);
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
		return n < 0 ? HJ_ANS_SERVFAIL : dns_parse(ans, (size_t)n, id,
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
		if (!same_addr(ns, &from) || n < 12 || be16(ans) != id)
			continue;
		if (ans[2] & 0x02) {	/* TC */
			hjk_close(fd);
			n = ask_tcp(ns, q, qlen, ans, MSG_MAX, deadline);
			return n < 0 ? HJ_ANS_SERVFAIL : dns_parse(ans,
			    (size_t)n, id, name, qtype, r);
		}
		if ((rv = dns_parse(ans, (size_t)n, id, name, qtype, r)) !=
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
	if ((qlen = dns_query(q, sizeof(q), id, name, qtype)) < 0)
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

