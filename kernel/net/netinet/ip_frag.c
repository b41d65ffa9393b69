/*
 * ip_frag.c: reassembly of IPv4 and IPv6 fragments, with limits
 * (contract in netinet/in_var.h).
 *
 * A queue per (family, source, destination, id, protocol) holds the
 * fragments' payloads sorted by offset, plus the first fragment's
 * headers.  Limits against memory exhaustion: bytes held by all queues
 * (net.ipv4.ipfrag_high_thresh, shared by IPv6), the number of queues,
 * fragments per queue, and a lifetime (net.ipv4.ipfrag_time): when a new
 * fragment does not fit, the oldest queues go first.  Overlapping
 * fragments drop the whole queue (RFC 5722; Linux does the same for
 * IPv4).  A queue that times out with its first fragment answers ICMP
 * time exceeded (reassembly), as RFC 792 / 4443 say.
 *
 * Expiry is checked on every fragment arrival (so a quiet kernel keeps a
 * stale queue until the next fragment or until memory is needed).
 * Locking: frag_lock, a leaf; ICMP errors are sent after dropping it.
 */
#include "k/kernel.h"
#include "k/abi_net.h"
#include "net/if.h"
#include "net/netinet/in_pcb.h"
#include "net/netinet/ip_var.h"
#include "net/netinet/in_var.h"

int64_t ipfrag_high_thresh = 4 * 1024 * 1024;
int64_t ipfrag_time = 30;
int64_t ipfrag_max_queues = 1024;
#define FRAG_MAXPERQ	256	/* fragments in one queue (64 KiB / 256) */

struct frag_q {
	TAILQ_ENTRY(frag_q) fq_list;	/* oldest first */
	int fq_af;
	struct in6_addr fq_src, fq_dst;
	uint32_t fq_id;
	uint8_t fq_proto;
	int64_t fq_expires;
	struct mbuf *fq_frags;		/* payloads by offset (m_nextpkt) */
	struct mbuf *fq_hdr;		/* headers of the first fragment */
	size_t fq_total;		/* payload length, 0 until the last */
	size_t fq_bytes;		/* charged to frag_mem */
	uint32_t fq_maxfrag;
	int fq_nfrags;
};
static TAILQ_HEAD(, frag_q) frag_queues = TAILQ_HEAD_INITIALIZER(frag_queues);
static kmutex_t frag_lock;
static size_t frag_mem;
static int frag_nq;

/* Offsets and lengths ride in the payload mbufs' packet headers. */
#define FOFF(m)		((m)->m_pkthdr.flowid)
#define FLEN(m)		((m)->m_pkthdr.len)

void
ip_reass_init(void)
{
	mutex_init(&frag_lock);
}

static int64_t
now_ns(void)
{
	struct timespec ts;

	getnanouptime(&ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void
fq_free(struct frag_q *q)
{
	TAILQ_REMOVE(&frag_queues, q, fq_list);
	frag_mem -= q->fq_bytes;
	frag_nq--;
	m_freem_list(q->fq_frags);
	kmem_free(q, sizeof(*q));
}

/* Unlinks an expired queue; returns its first-fragment headers (for the
 * time-exceeded error) or NULL. */
static struct mbuf *
fq_expire(struct frag_q *q)
{
	struct mbuf *h = q->fq_hdr;

	q->fq_hdr = NULL;
	fq_free(q);
	atomic_fetch_add(q->fq_af == AF_INET ? &ipstat.ips_fragtimeout :
	    &ip6stat.ips_fragtimeout, 1);
	return h;
}

static void
send_timeouts(struct mbuf *list)
{
	struct mbuf *n;

	for (; list != NULL; list = n) {
		uint8_t v;

		n = list->m_nextpkt;
		list->m_nextpkt = NULL;
		m_copydata(list, 0, 1, &v);
		if ((v >> 4) == 4)
			icmp_error(AF_INET, list, ICMP_TIME_EXCEEDED,
			    ICMP_EXC_FRAGTIME, 0);
		else
			icmp_error(AF_INET6, list, ICMPV6_TIME_EXCEED,
			    ICMPV6_EXC_FRAGTIME, 0);
	}
}

/* frag_lock held: collects expired queues' headers on *errs. */
static void
expire_locked(int64_t now, struct mbuf **errs)
{
	struct frag_q *q;

	while ((q = TAILQ_FIRST(&frag_queues)) != NULL &&
	    q->fq_expires <= now) {
		struct mbuf *h = fq_expire(q);

		if (h != NULL) {
			h->m_nextpkt = *errs;
			*errs = h;
		}
	}
}

void
ip_reass_expire(void)
{
	struct mbuf *errs = NULL;

	mutex_enter(&frag_lock);
	expire_locked(now_ns(), &errs);
	mutex_exit(&frag_lock);
	send_timeouts(errs);
}

/*
 * Adds one fragment: payload pl (offset off, more: MF), hdr the first
 * fragment's headers when off is 0 (else NULL).  Returns the complete
 * queue, unlinked (the caller builds the packet), or NULL.
 */
static struct frag_q *
frag_add(int af, const struct in6_addr *src, const struct in6_addr *dst,
    uint32_t id, uint8_t proto, struct mbuf *pl, size_t off, bool more,
    struct mbuf *hdr)
{
	struct frag_q *q;
	struct mbuf **pp, *cur, *errs = NULL;
	size_t len = FLEN(pl), need, got;
	int64_t now = now_ns();

	FOFF(pl) = (uint32_t)off;
	need = len + (hdr != NULL ? hdr->m_pkthdr.len : 0);
	mutex_enter(&frag_lock);
	expire_locked(now, &errs);
	TAILQ_FOREACH(q, &frag_queues, fq_list)
		if (q->fq_af == af && q->fq_id == id &&
		    q->fq_proto == proto && in6_equal(&q->fq_src, src) &&
		    in6_equal(&q->fq_dst, dst))
			break;
	/* Room: the oldest queues make way (not the one being filled). */
	while (frag_mem + need > (size_t)ipfrag_high_thresh ||
	    (q == NULL && frag_nq >= ipfrag_max_queues)) {
		struct frag_q *old = TAILQ_FIRST(&frag_queues);

		if (old == NULL || old == q)
			goto drop;
		atomic_fetch_add(af == AF_INET ? &ipstat.ips_fragdropped :
		    &ip6stat.ips_fragdropped, 1);
		m_freem(old->fq_hdr);
		old->fq_hdr = NULL;
		fq_free(old);
	}
	if (q == NULL) {
		if ((q = kmem_zalloc(sizeof(*q))) == NULL)
			goto drop;
		q->fq_af = af;
		q->fq_src = *src;
		q->fq_dst = *dst;
		q->fq_id = id;
		q->fq_proto = proto;
		q->fq_expires = now + ipfrag_time * 1000000000LL;
		TAILQ_INSERT_TAIL(&frag_queues, q, fq_list);
		frag_nq++;
	}
	if (q->fq_nfrags >= FRAG_MAXPERQ)
		goto dropq;
	if (!more) {
		if (q->fq_total != 0 && q->fq_total != off + len)
			goto dropq;
		q->fq_total = off + len;
	}
	if (q->fq_total != 0 && off + len > q->fq_total)
		goto dropq;
	/* Sorted insert; any overlap kills the queue (RFC 5722). */
	for (pp = &q->fq_frags; (cur = *pp) != NULL; pp = &cur->m_nextpkt) {
		if (FOFF(cur) >= off + len)
			break;
		if (FOFF(cur) + FLEN(cur) > off)
			goto dropq;
	}
	pl->m_nextpkt = cur;
	*pp = pl;
	q->fq_nfrags++;
	q->fq_bytes += need;
	frag_mem += need;
	if (len > q->fq_maxfrag)
		q->fq_maxfrag = (uint32_t)len;
	if (hdr != NULL) {
		m_freem(q->fq_hdr);
		q->fq_hdr = hdr;
	}
	if (q->fq_total == 0 || q->fq_hdr == NULL)
		goto pending;
	got = 0;
	for (cur = q->fq_frags; cur != NULL; cur = cur->m_nextpkt) {
		if (FOFF(cur) != got)
			goto pending;
		got += FLEN(cur);
	}
	if (got != q->fq_total)
		goto pending;
	TAILQ_REMOVE(&frag_queues, q, fq_list);
	frag_mem -= q->fq_bytes;
	frag_nq--;
	mutex_exit(&frag_lock);
	send_timeouts(errs);
	return q;
pending:
	mutex_exit(&frag_lock);
	send_timeouts(errs);
	return NULL;
dropq:
	atomic_fetch_add(af == AF_INET ? &ipstat.ips_fragdropped :
	    &ip6stat.ips_fragdropped, 1);
	m_freem(q->fq_hdr);
	q->fq_hdr = NULL;
	fq_free(q);
drop:
	mutex_exit(&frag_lock);
	m_freem(pl);
	m_freem(hdr);
	send_timeouts(errs);
	return NULL;
}

/* Joins a complete queue: headers then payloads.  NULL at the limit. */
static struct mbuf *
frag_join(struct frag_q *q, uint32_t *maxfragp)
{
	struct mbuf *m = q->fq_hdr, *p, *n;

	*maxfragp = q->fq_maxfrag;
	for (p = q->fq_frags; p != NULL; p = n) {
		n = p->m_nextpkt;
		p->m_nextpkt = NULL;
		p->m_flags &= ~M_PKTHDR;
		m_cat(m, p);
	}
	m->m_pkthdr.len = (uint32_t)m_length(m);
	kmem_free(q, sizeof(*q));
	return m;
}

struct mbuf *
ip_reass(struct mbuf *m)
{
	struct ip ip;
	size_t hlen, len, off;
	struct mbuf *hdr = NULL;
	struct frag_q *q;
	struct in6_addr src, dst;
	uint16_t fo;
	uint32_t maxfrag;
	bool more;

	memcpy(&ip, mtod(m, void *), sizeof(ip));
	hlen = IP_HLEN(&ip);
	len = m->m_pkthdr.len - hlen;
	fo = ntohs(ip.ip_off);
	off = (size_t)(fo & IP_OFFMASK) * 8;
	more = (fo & IP_MF) != 0;
	/* Fragments but the last carry multiples of 8; nothing may end past
	 * 64 KiB (the ping of death). */
	if ((more && (len == 0 || (len & 7) != 0)) ||
	    off + len + hlen > IP_MAXPACKET) {
		atomic_fetch_add(&ipstat.ips_fragdropped, 1);
		m_freem(m);
		return NULL;
	}
	in6_set_v4mapped(&src, ip.ip_src.s_addr);
	in6_set_v4mapped(&dst, ip.ip_dst.s_addr);
	if (off == 0) {
		if ((hdr = m_copym(m, 0, hlen)) == NULL ||
		    (hdr = m_pullup(hdr, hlen)) == NULL) {
			m_freem(m);
			return NULL;
		}
	}
	m_adj(m, (ssize_t)hlen);
	q = frag_add(AF_INET, &src, &dst, ntohs(ip.ip_id), ip.ip_p, m, off,
	    more, hdr);
	if (q == NULL)
		return NULL;
	m = frag_join(q, &maxfrag);
	memcpy(&ip, mtod(m, void *), sizeof(ip));
	ip.ip_len = htons((uint16_t)m->m_pkthdr.len);
	ip.ip_off = 0;
	ip.ip_sum = 0;
	memcpy(mtod(m, void *), &ip, sizeof(ip));
	ip.ip_sum = in_cksum(m, 0, IP_HLEN(&ip));
	memcpy(mtod(m, uint8_t *) + 10, &ip.ip_sum, 2);
	m->m_pkthdr.flowid = maxfrag + (uint32_t)IP_HLEN(&ip);
	atomic_fetch_add(&ipstat.ips_reassembled, 1);
	return m;
}

struct mbuf *
frag6_input(struct mbuf *m, size_t fragoff, size_t nxtoff)
{
	struct ip6_hdr ip6;
	struct ip6_frag fh;
	struct mbuf *hdr = NULL;
	struct frag_q *q;
	size_t len, off;
	uint16_t offlg;
	uint32_t maxfrag;
	uint8_t nxt;
	bool more;

	if (m->m_pkthdr.len < fragoff + sizeof(fh)) {
		m_freem(m);
		return NULL;
	}
	m_copydata(m, 0, sizeof(ip6), &ip6);
	m_copydata(m, fragoff, sizeof(fh), &fh);
	len = m->m_pkthdr.len - fragoff - sizeof(fh);
	offlg = ntohs(fh.ip6f_offlg);
	off = offlg & IP6F_OFF_MASK;
	more = (offlg & IP6F_MORE_FRAG) != 0;
	if (more && (len == 0 || (len & 7) != 0)) {
		/* RFC 8200 4.5: parameter problem pointing at payload length */
		icmp_error(AF_INET6, m, ICMPV6_PARAMPROB, ICMPV6_HDR_FIELD, 4);
		return NULL;
	}
	if (off + len > IPV6_MAXPACKET) {
		icmp_error(AF_INET6, m, ICMPV6_PARAMPROB, ICMPV6_HDR_FIELD,
		    (uint32_t)fragoff + 2);
		return NULL;
	}
	if (off == 0 && !more) {
		/* An atomic fragment (RFC 6946): just drop the header. */
		struct mbuf *t;

		if ((hdr = m_copym(m, 0, fragoff)) == NULL ||
		    (hdr = m_pullup(hdr, fragoff)) == NULL) {
			m_freem(m);
			return NULL;
		}
		m_adj(m, (ssize_t)(fragoff + sizeof(fh)));
		t = hdr;
		m->m_flags &= ~M_PKTHDR;
		m_cat(t, m);
		m = t;
		m->m_pkthdr.len = (uint32_t)m_length(m);
		maxfrag = 0;
		goto fix;
	}
	if (off == 0 && ((hdr = m_copym(m, 0, fragoff)) == NULL ||
	    (hdr = m_pullup(hdr, fragoff)) == NULL)) {
		m_freem(m);
		return NULL;
	}
	m_adj(m, (ssize_t)(fragoff + sizeof(fh)));
	q = frag_add(AF_INET6, &ip6.ip6_src, &ip6.ip6_dst,
	    ntohl(fh.ip6f_ident), fh.ip6f_nxt, m, off, more, hdr);
	if (q == NULL)
		return NULL;
	m = frag_join(q, &maxfrag);
	atomic_fetch_add(&ip6stat.ips_reassembled, 1);
fix:
	nxt = fh.ip6f_nxt;
	if (m_copyback(m, nxtoff, 1, &nxt) != 0) {
		m_freem(m);
		return NULL;
	}
	ip6.ip6_plen = htons((uint16_t)(m->m_pkthdr.len - sizeof(ip6)));
	if (m_copyback(m, 4, 2, &ip6.ip6_plen) != 0) {
		m_freem(m);
		return NULL;
	}
	m->m_pkthdr.flowid = maxfrag;
	return m;
}
