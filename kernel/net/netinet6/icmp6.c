/*
 * icmp6.c: ICMPv6 - echo replies, errors about packets we received
 * (icmp6_error), and errors about packets we sent handed to their
 * transport's ctlinput (RFC 4443; contract in netinet/ip_var.h).
 * Neighbour solicitations/advertisements go to netinet6/nd6.c.  Same rate limit as
 * ICMP (none towards the loopback).  No lock is held.
 */
#include "k/kernel.h"
#include "k/abi_net.h"
#include "net/if.h"
#include "net/netinet/in_pcb.h"
#include "net/netinet/ip_var.h"
#include "net/netinet/in_var.h"
#include "net/ether_var.h"

static void
icmp6_send(struct mbuf *m, const struct in6_addr *src,
    const struct in6_addr *dst, int tclass)
{
	struct ip_out o;
	struct in6_addr s = *src;
	uint16_t sum = 0;

	if (in6_is_unspec(&s) && in_selectsrc(AF_INET6, dst, 0, &s) != 0) {
		m_freem(m);
		return;
	}
	m_copyback(m, 2, 2, &sum);
	sum = in_cksum_pseudo(AF_INET6, &s, dst, IPPROTO_ICMPV6, m, 0,
	    m->m_pkthdr.len);
	if (m_copyback(m, 2, 2, &sum) != 0) {
		m_freem(m);
		return;
	}
	memset(&o, 0, sizeof(o));
	o.af = AF_INET6;
	o.proto = IPPROTO_ICMPV6;
	o.src = s;
	o.dst = *dst;
	o.ttl = -1;
	o.tos = tclass;
	o.pmtudisc = IP_PMTUDISC_DONT;
	(void)in_output(m, &o);
}

static bool
icmp6_is_error(uint8_t t)
{
	return t < 128;
}

void
icmp6_error(struct mbuf *m, int type, int code, uint32_t info)
{
	struct ip6_hdr ip6;
	struct icmp6_hdr ih;
	struct mbuf *n;
	struct in6_addr from;
	size_t qlen;
	uint8_t buf[IPV6_MINMTU];

	if (m->m_pkthdr.len < sizeof(ip6))
		goto drop;
	m_copydata(m, 0, sizeof(ip6), &ip6);
	if (in6_is_unspec(&ip6.ip6_src) || in6_is_multicast(&ip6.ip6_src))
		goto drop;
	/* RFC 4443 2.4(e): not to multicast, except too-big and an unknown
	 * option of type 10xxxxxx. */
	if (in6_is_multicast(&ip6.ip6_dst) && type != ICMPV6_PKT_TOOBIG &&
	    !(type == ICMPV6_PARAMPROB && code == ICMPV6_UNK_OPTION))
		goto drop;
	if (ip6.ip6_nxt == IPPROTO_ICMPV6 &&
	    m->m_pkthdr.len >= sizeof(ip6) + 1) {
		uint8_t t;

		m_copydata(m, sizeof(ip6), 1, &t);
		if (icmp6_is_error(t))
			goto drop;
	}
	{
		struct in_route ro;

		if (in_route_lookup(AF_INET6, &ip6.ip6_src, 0, &ro) != 0)
			goto drop;
		if (!(ro.ro_ifp->if_flags & IFF_LOOPBACK) &&
		    !icmp_ratelimit(AF_INET6))
			goto drop;
	}
	qlen = MIN((size_t)m->m_pkthdr.len,
	    IPV6_MINMTU - sizeof(ip6) - sizeof(ih));
	memset(&ih, 0, sizeof(ih));
	ih.icmp6_type = (uint8_t)type;
	ih.icmp6_code = (uint8_t)code;
	if (type == ICMPV6_PKT_TOOBIG || type == ICMPV6_PARAMPROB)
		ih.icmp6_mtu = htonl(info);
	if ((n = m_gethdr(MT_DATA)) == NULL)
		goto drop;
	memcpy(mtod(n, void *), &ih, sizeof(ih));
	n->m_len = n->m_pkthdr.len = sizeof(ih);
	m_copydata(m, 0, qlen, buf);
	if (m_append(n, qlen, buf) != 0) {
		m_freem(n);
		goto drop;
	}
	m_freem(m);
	from = ip6.ip6_dst;
	if (in6_is_multicast(&from) || if_ours(AF_INET6, &from, NULL) == NULL)
		memset(&from, 0, sizeof(from));
	icmp6_send(n, &from, &ip6.ip6_src, 0);
	return;
drop:
	m_freem(m);
}

/* Linux's icmpv6_err_convert. */
static void
icmp6_errno(int type, int code, int *errp, bool *hardp)
{
	*errp = 0;
	*hardp = false;
	switch (type) {
	case ICMPV6_DEST_UNREACH:
		*hardp = true;
		switch (code) {
		case ICMPV6_NOROUTE:
			*errp = ENETUNREACH;
			*hardp = false;
			break;
		case 2:			/* beyond scope (was not neighbour) */
		case ICMPV6_ADDR_UNREACH:
			*errp = EHOSTUNREACH;
			*hardp = false;
			break;
		case ICMPV6_PORT_UNREACH:
			*errp = ECONNREFUSED;
			break;
		case ICMPV6_ADM_PROHIBITED:
		case ICMPV6_POLICY_FAIL:
		case ICMPV6_REJECT_ROUTE:
			*errp = EACCES;
			break;
		default:
			*errp = EPROTO;
		}
		break;
	case ICMPV6_PKT_TOOBIG:
		*errp = EMSGSIZE;
		break;
	case ICMPV6_TIME_EXCEED:
		*errp = EHOSTUNREACH;
		break;
	case ICMPV6_PARAMPROB:
		*errp = EPROTO;
		*hardp = true;
		break;
	}
}

static void
icmp6_notify(struct mbuf *m, const struct ip_rcv *r,
    const struct icmp6_hdr *ih)
{
	struct ip6_hdr q;
	struct ip_ctlmsg c;
	const struct ip_protosw *p;
	uint8_t quoted[64];
	size_t qoff = r->off + sizeof(*ih), ql, off;
	uint8_t nxt;
	int n;

	if (r->len < sizeof(*ih) + sizeof(q) + 8)
		return;
	m_copydata(m, qoff, sizeof(q), &q);
	/* Walk the quoted packet's extension headers to its transport. */
	nxt = q.ip6_nxt;
	off = qoff + sizeof(q);
	for (n = 0; n < 8; n++) {
		struct ip6_ext e;

		if (nxt != IPPROTO_HOPOPTS && nxt != IPPROTO_DSTOPTS &&
		    nxt != IPPROTO_ROUTING && nxt != IPPROTO_FRAGMENT)
			break;
		if (off + 8 > m->m_pkthdr.len)
			return;
		m_copydata(m, off, 2, &e);
		off += nxt == IPPROTO_FRAGMENT ? 8 : ((size_t)e.ip6e_len + 1) * 8;
		nxt = e.ip6e_nxt;
	}
	if (off + 8 > m->m_pkthdr.len)
		return;
	ql = MIN((size_t)m->m_pkthdr.len - off, sizeof(quoted));
	m_copydata(m, off, ql, quoted);
	memset(&c, 0, sizeof(c));
	c.af = AF_INET6;
	icmp6_errno(ih->icmp6_type, ih->icmp6_code, &c.error, &c.hard);
	if (c.error == 0)
		return;
	c.icmp_type = ih->icmp6_type;
	c.icmp_code = ih->icmp6_code;
	if (ih->icmp6_type == ICMPV6_PKT_TOOBIG) {
		c.icmp_info = ntohl(ih->icmp6_mtu);
		if (c.icmp_info < IPV6_MINMTU)
			c.icmp_info = IPV6_MINMTU;
		in_pmtu_update(AF_INET6, &q.ip6_dst, c.icmp_info);
	}
	c.src = q.ip6_src;
	c.dst = q.ip6_dst;
	c.offender = r->src;
	c.quoted = quoted;
	c.quotedlen = ql;
	c.m = m;
	c.payoff = qoff;
	c.l4off = off;
	c.rcv = r;
	p = ip_proto_lookup(AF_INET6, nxt);
	if (p != NULL && p->ipp_ctlinput != NULL)
		p->ipp_ctlinput(&c);
	rip_ctlinput(&c, nxt);
}

void
icmp6_input(struct mbuf *m, const struct ip_rcv *r)
{
	struct icmp6_hdr ih;
	struct mbuf *n;

	atomic_fetch_add(&icmp6stat.icps_inmsgs, 1);
	if (r->len < sizeof(ih))
		goto bad;
	if (!(m->m_pkthdr.csum_flags & M_CSUM_DATA_VALID) &&
	    in_cksum_pseudo(AF_INET6, &r->src, &r->dst, IPPROTO_ICMPV6, m,
	    r->off, r->len) != 0) {
		atomic_fetch_add(&icmp6stat.icps_incsumerrors, 1);
		goto bad;
	}
	m_copydata(m, r->off, sizeof(ih), &ih);
	atomic_fetch_add(&icmp6stat.icps_intype[ih.icmp6_type], 1);
	switch (ih.icmp6_type) {
	case ICMPV6_ECHO_REQUEST:
		if (icmp_echo_ignore_all ||
		    ((r->flags & IPRCV_MCAST) && icmp_echo_ignore_broadcasts))
			break;
		if ((n = in_mcopy(m, r->off, r->len)) == NULL)
			break;
		ih.icmp6_type = ICMPV6_ECHO_REPLY;
		m_copyback(n, 0, 1, &ih.icmp6_type);
		{
			struct in6_addr from = r->dst;

			if (r->flags & IPRCV_MCAST)
				memset(&from, 0, sizeof(from));
			icmp6_send(n, &from, &r->src, r->tos);
		}
		break;
	case ICMPV6_ECHO_REPLY:
		ping6_input(m, r);
		break;
	case 135:	/* neighbour solicitation */
	case 136:	/* neighbour advertisement */
		nd6_input(m, r);
		break;
	/* Router solicitations/advertisements and redirects (133, 134,
	 * 137) are ignored: no SLAAC, and redirects never change routes. */
	case ICMPV6_DEST_UNREACH:
	case ICMPV6_PKT_TOOBIG:
	case ICMPV6_TIME_EXCEED:
	case ICMPV6_PARAMPROB:
		icmp6_notify(m, r, &ih);
		break;
	default:
		break;
	}
	m_freem(m);
	return;
bad:
	atomic_fetch_add(&icmp6stat.icps_inerrors, 1);
	m_freem(m);
}
