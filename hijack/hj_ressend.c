/*
 * hj_ressend.c: res_nsend's exchange with the name servers over the
 * kernel's sockets, for the res_* wrappers (hj_wrap_resolv.c).
 *
 * glibc's resolver sends with internal socket calls the shim never sees,
 * so the exchange is redone here by glibc's rules (resolv/res_send.c):
 * the servers of the res_state in turn, retry times; over UDP with
 * retrans << index seconds for each (divided by nscount past the first),
 * TCP for the whole pass with RES_USEVC or a query past 512 bytes, and
 * TCP to the same server when an answer comes truncated.  A datagram
 * counts only with the query's id and question; SERVFAIL, NOTIMP,
 * REFUSED and a lame answer move on to the next server.  The results
 * are glibc's: the answer's length (a TCP answer longer than the buffer
 * is cut, flagged TC and its whole length returned), or -1 with errno
 * ESRCH, EINVAL, ECONNREFUSED (nobody answered), ETIMEDOUT or the TCP
 * error.  No socket stays open between calls (RES_STAYOPEN is not kept).
 */
#include <arpa/nameser.h>
#include <poll.h>
#include <resolv.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

#include "hj.h"
#include "hj_resq.h"

static long
now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* The server of index ns: glibc keeps an IPv6 one in _u._ext.nsaddrs
 * with a zero family in nsaddr_list (__res_get_nsaddr). */
const struct sockaddr *
hj_resq_nsaddr(const struct __res_state *st, int ns)
{
	if (st->nsaddr_list[ns].sin_family == 0 &&
	    st->_u._ext.nsaddrs[ns] != NULL)
		return (const struct sockaddr *)st->_u._ext.nsaddrs[ns];
	return (const struct sockaddr *)&st->nsaddr_list[ns];
}

static socklen_t
sa_len(const struct sockaddr *sa)
{
	return sa->sa_family == AF_INET ? sizeof(struct sockaddr_in) :
	    sizeof(struct sockaddr_in6);
}

/* Whether every question of q is in a (res_queriesmatch): 1, 0, or -1
 * for a message that cannot be read. */
static int
queries_match(const unsigned char *q, const unsigned char *qend,
    const unsigned char *a, const unsigned char *aend)
{
	char qn[NS_MAXDNAME + 1], an[NS_MAXDNAME + 1];
	const unsigned char *qp = q + NS_HFIXEDSZ, *ap;
	unsigned qd, ad, i, j;
	int n;

	if (q + NS_HFIXEDSZ > qend || a + NS_HFIXEDSZ > aend)
		return -1;
	if (((q[2] >> 3) & 15) == ns_o_update &&
	    ((a[2] >> 3) & 15) == ns_o_update)
		return 1;
	qd = (unsigned)q[4] << 8 | q[5];
	ad = (unsigned)a[4] << 8 | a[5];
	if (qd != ad)
		return 0;
	for (i = 0; i < qd; i++) {
		unsigned qt, qc;
		bool found = false;

		if ((n = dn_expand(q, qend, qp, qn, sizeof(qn))) < 0)
			return -1;
		qp += n;
		if (qp + 4 > qend)
			return -1;
		qt = (unsigned)qp[0] << 8 | qp[1];
		qc = (unsigned)qp[2] << 8 | qp[3];
		qp += 4;
		ap = a + NS_HFIXEDSZ;
		for (j = 0; j < ad && !found; j++) {
			if ((n = dn_expand(a, aend, ap, an, sizeof(an))) < 0)
				return -1;
			ap += n;
			if (ap + 4 > aend)
				return -1;
			found = ((unsigned)ap[0] << 8 | ap[1]) == qt &&
			    ((unsigned)ap[2] << 8 | ap[3]) == qc &&
			    strcasecmp(qn, an) == 0;
			ap += 4;
		}
		if (!found)
			return 0;
	}
	return 1;
}

/* Reads len bytes from a blocking kernel socket: 0, or -1 with errno
 * (0 for the peer's end, as glibc leaves it). */
static int
read_all(int fd, unsigned char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = hjk_read(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* One exchange over TCP (send_vc): the answer's whole length, 0 to try
 * the next server (*terrno says why) or -1 to give up. */
static int
send_vc(const struct __res_state *st, const unsigned char *buf, int buflen,
    unsigned char *ans, int anssiz, int *terrno, int ns)
{
	const struct sockaddr *sa = hj_resq_nsaddr(st, ns);
	unsigned char *out, junk[NS_PACKETSZ];
	bool reset = false;
	int fd, rlen, len;

again:
	if ((fd = hjk_socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
		*terrno = errno;
		return -1;
	}
	errno = 0;
	if (hjk_connect(fd, sa, sa_len(sa)) < 0) {
		*terrno = errno;
		hjk_close(fd);
		return 0;
	}
	if ((out = malloc((size_t)buflen + 2)) == NULL) {
		*terrno = ENOMEM;
		hjk_close(fd);
		return 0;
	}
	out[0] = (unsigned char)(buflen >> 8);
	out[1] = (unsigned char)buflen;
	memcpy(out + 2, buf, (size_t)buflen);
	while ((len = (int)hjk_write(fd, out, (size_t)buflen + 2)) < 0 &&
	    errno == EINTR)
		;
	free(out);
	if (len != buflen + 2) {
		*terrno = errno;
		hjk_close(fd);
		return 0;
	}
	for (;;) {
		unsigned char l2[2];

		if (read_all(fd, l2, 2) != 0) {
			*terrno = errno;
			hjk_close(fd);
			if (*terrno == ECONNRESET && !reset) {
				reset = true;	/* a restarted server: once more */
				goto again;
			}
			return 0;
		}
		rlen = l2[0] << 8 | l2[1];
		len = rlen > anssiz ? anssiz : rlen;
		if (len < NS_HFIXEDSZ) {
			*terrno = EMSGSIZE;
			hjk_close(fd);
			return 0;
		}
		if (read_all(fd, ans, (size_t)len) != 0) {
			*terrno = errno;
			hjk_close(fd);
			return 0;
		}
		if (rlen > anssiz) {	/* keep the stream in step */
			int left = rlen - anssiz;

			ans[2] |= 0x02;		/* TC */
			while (left > 0) {
				int k = left > (int)sizeof(junk) ?
				    (int)sizeof(junk) : left;

				if (read_all(fd, junk, (size_t)k) != 0)
					break;
				left -= k;
			}
		}
		if (ans[0] == buf[0] && ans[1] == buf[1])
			break;
		/* an answer to an older query on this stream: skip it */
	}
	hjk_close(fd);
	return rlen;
}

/* One exchange over UDP (send_dg): the answer's length, 1 with *vc set
 * for a truncated one, 0 to try the next server, -1 to give up. */
static int
send_dg(const struct __res_state *st, const unsigned char *buf, int buflen,
    unsigned char *ans, int anssiz, int *terrno, int ns, bool *vc,
    bool *gotsomewhere)
{
	const struct sockaddr *sa = hj_resq_nsaddr(st, ns);
	long seconds = st->retrans > 0 ? (long)st->retrans << ns : 0;
	long deadline, left;
	struct pollfd p;
	int fd, rv = 0;
	ssize_t n;

	if (ns > 0)
		seconds /= st->nscount;
	if (seconds <= 0)
		seconds = 1;
	if ((fd = hjk_socket(sa->sa_family, SOCK_DGRAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) < 0) {
		*terrno = errno;
		return -1;
	}
	if (hjk_connect(fd, sa, sa_len(sa)) < 0)
		goto out;
	deadline = now_ms() + seconds * 1000L;
	errno = 0;			/* glibc's, as a rcode's -1 leaves it */
	while ((n = hjk_sendto(fd, buf, (size_t)buflen, MSG_NOSIGNAL, NULL,
	    0)) != buflen) {
		if (errno != EINTR && errno != EAGAIN)
			goto out;
	}
	for (;;) {
		if ((left = deadline - now_ms()) <= 0) {
			*gotsomewhere = true;
			goto out;
		}
		p.fd = fd;
		p.events = POLLIN;
		p.revents = 0;
		if ((n = hjk_poll(&p, 1, left > 1 << 30 ? 1 << 30 : (int)left)) ==
		    0 && now_ms() >= deadline) {
			*gotsomewhere = true;
			goto out;
		}
		if (n == 0)
			continue;	/* a wait cut at 2^30 ms */
		if (n < 0) {
			if (errno == EINTR)
				continue;
			goto out;
		}
		n = hjk_recvfrom(fd, ans, (size_t)anssiz, 0, NULL, NULL);
		if (n <= 0) {
			if (n < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			goto out;	/* ECONNREFUSED: nobody at the port */
		}
		*gotsomewhere = true;
		if (n < NS_HFIXEDSZ) {
			*terrno = EMSGSIZE;
			goto out;
		}
		/* glibc takes a question it cannot read (-1) as matching */
		if (ans[0] != buf[0] || ans[1] != buf[1] ||
		    queries_match(buf, buf + buflen, ans, ans + anssiz) == 0)
			continue;	/* spurious: keep waiting */
		{
			int rcode = ans[3] & 15;
			unsigned ancount = (unsigned)ans[6] << 8 | ans[7];
			unsigned arcount = (unsigned)ans[10] << 8 | ans[11];

			if (rcode == ns_r_servfail || rcode == ns_r_notimpl ||
			    rcode == ns_r_refused)
				goto out;
			/* lame: no answer, not authoritative, no recursion */
			if (rcode == ns_r_noerror && ancount == 0 &&
			    !(ans[2] & 0x04) && !(ans[3] & 0x80) && arcount == 0)
				goto out;
		}
		if (!(st->options & RES_IGNTC) && (ans[2] & 0x02)) {
			*vc = true;
			rv = 1;
			goto out;
		}
		rv = (int)n;
		break;
	}
out:
	hjk_close(fd);
	return rv;
}

static unsigned
ns_offset(const struct __res_state *st)
{
	static unsigned next;
	unsigned o;

	if (st->nscount <= 1 || !(st->options & RES_ROTATE))
		return 0;
	o = __atomic_fetch_add(&next, 2, __ATOMIC_RELAXED);
	if (!(o & 1)) {			/* first use: a random start */
		unsigned r;

		if (getrandom(&r, sizeof(r), 0) != sizeof(r))
			r = (unsigned)now_ms();
		o = r | 1;
		__atomic_store_n(&next, o + 2, __ATOMIC_RELAXED);
	}
	return (o >> 1) % (unsigned)st->nscount;
}

int
hj_resq_send(struct __res_state *st, const unsigned char *buf, int buflen,
    unsigned char *ans, int anssiz)
{
	int terrno = ETIMEDOUT, try, shift, n, nns;
	bool vc, gotsomewhere = false;
	unsigned off;

	if (st->nscount <= 0) {
		errno = ESRCH;
		return -1;
	}
	if (anssiz < NS_HFIXEDSZ) {
		errno = EINVAL;
		return -1;
	}
	vc = (st->options & RES_USEVC) || buflen > NS_PACKETSZ;
	off = ns_offset(st);
	nns = st->nscount < MAXNS ? st->nscount : MAXNS;
	for (try = 0; try < st->retry; try++)
		for (shift = 0; shift < nns; shift++) {
			int ns = (int)(((unsigned)shift + off) % (unsigned)nns);

			if (vc) {
				try = st->retry;	/* one pass over TCP */
				n = send_vc(st, buf, buflen, ans, anssiz,
				    &terrno, ns);
			} else {
				n = send_dg(st, buf, buflen, ans, anssiz,
				    &terrno, ns, &vc, &gotsomewhere);
				if (n > 0 && vc) {	/* truncated: same server */
					try = st->retry;
					n = send_vc(st, buf, buflen, ans,
					    anssiz, &terrno, ns);
				}
			}
			if (n < 0)
				return -1;
			if (n == 0)
				continue;
			/* glibc clears AD unless told to trust the servers */
			if (n > NS_HFIXEDSZ && !(st->options & RES_TRUSTAD))
				ans[3] &= (unsigned char)~0x20;
			return n;
		}
	errno = !vc ? (gotsomewhere ? ETIMEDOUT : ECONNREFUSED) : terrno;
	return -1;
}

static bool
qtype_is(const unsigned char *p, int t)
{
	return p[0] == 0 && p[1] == t && p[2] == 0 && p[3] == ns_c_in;
}

/*
 * RES_NOAAAA (glibc 2.36's no-aaaa): an AAAA question is asked as A, so
 * that a missing name still says NXDOMAIN, and the answer comes back as
 * the AAAA question's with no records.  False when it does not apply.
 */
bool
hj_resq_noaaaa(struct __res_state *st, const unsigned char *buf, int buflen,
    unsigned char *ans, int anssiz, int *result)
{
	unsigned char q[NS_HFIXEDSZ + NS_MAXCDNAME + 4];
	const unsigned char *e;
	int n, ret;

	if (!(st->options & RES_NOAAAA) || buflen <= NS_HFIXEDSZ)
		return false;
	memcpy(q, buf, NS_HFIXEDSZ);
	/* a plain query of one question, nothing else */
	if ((q[2] & 0x80) || (q[2] & 0x78) || (q[3] & 15) || q[4] != 0 ||
	    q[5] != 1 || q[6] || q[7] || q[8] || q[9])
		return false;
	q[10] = q[11] = 0;		/* no EDNS0 */
	if ((n = ns_name_unpack(buf, buf + buflen, buf + NS_HFIXEDSZ,
	    q + NS_HFIXEDSZ, NS_MAXCDNAME)) < 0)
		return false;
	if (buflen - NS_HFIXEDSZ - n < 4 ||
	    !qtype_is(buf + NS_HFIXEDSZ + n, ns_t_aaaa))
		return false;
	e = q + NS_HFIXEDSZ;
	(void)ns_name_skip(&e, q + sizeof(q));
	memcpy((unsigned char *)e, "\0\1\0\1", 4);	/* A, IN */
	memset(ans, 0, (size_t)anssiz);
	ret = hj_resq_send(st, q, (int)(e + 4 - q), ans, anssiz);
	e = ans + NS_HFIXEDSZ;
	if (ns_name_skip(&e, ans + anssiz) == 0 && ans + anssiz - e >= 4 &&
	    qtype_is(e, ns_t_a)) {
		ans[e - ans + 1] = ns_t_aaaa;
		memset(ans + 6, 0, 6);	/* no answer, authority, additional */
		*result = ret <= 0 ? ret : (int)(e - ans + 4);
	}
	/* else *result stays as it was, as glibc leaves it (res_query then
	 * reads the zeroed answer as NOERROR without data) */
	return true;
}
