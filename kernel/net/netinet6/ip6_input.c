/*
 * ip6_input.c: IPv6 input - header checks, the extension header chain
 * (hop-by-hop, routing, destination options, fragment), local delivery
 * (contract in netinet/ip_var.h).
 *
 * Called from if_input with no lock held.  Not ours: dropped, or
 * forwarded (ip_forward.c) with net.ipv6.conf.all.forwarding 1.  Unknown options are handled by their two high
 * bits (RFC 8200 4.2); a routing header with segments left is refused with
 * a parameter problem, as a host must.
 */
#include "k/kernel.h"
#include "k/abi_net.h"
#include "net/if.h"
#include "net/route.h"
#include "net/netinet/in_pcb.h"
#include "net/netinet/ip_var.h"
#include "net/netinet/in_var.h"

int64_t ip6_defhlim = IPV6_DEFHLIM;
struct ipstat ip6stat;

#define IP6_MAXEXT	16	/* extension headers followed in one packet */

/* Options of a hop-by-hop or destination header at off (len bytes):
 * 0 to go on, else the packet was consumed. */
static int
ip6_options(struct mbuf *m, size_t off, size_t len, bool mcast)
{
	size_t p = off + 2, end = off + len;

	while (p < end) {
		uint8_t t, l;

		m_copydata(m, p, 1, &t);
		if (t == 0) {		/* Pad1 */
			p++;
			continue;
		}
		if (p + 2 > end)
			goto bad;
		m_copydata(m, p + 1, 1, &l);
		if (p + 2 + l > end)
			goto bad;
		if (t != 1 && t != 5 && t != 0xc2) {	/* PadN, RA, Jumbo */
			switch (t >> 6) {
			case 0:
				break;
			case 1:
				m_freem(m);
				return 1;
			case 2:
				icmp_error(AF_INET6, m, ICMPV6_PARAMPROB,
				    ICMPV6_UNK_OPTION, (uint32_t)p);
				return 1;
			case 3:
				if (mcast) {
					m_freem(m);
					return 1;
				}
				icmp_error(AF_INET6, m, ICMPV6_PARAMPROB,
				    ICMPV6_UNK_OPTION, (uint32_t)p);
				return 1;
			}
		}
		p += 2 + l;
	}
	return 0;
bad:
	icmp_error(AF_INET6, m, ICMPV6_PARAMPROB, ICMPV6_HDR_FIELD,
	    (uint32_t)p);
	return 1;
}

void
ip6_input(struct mbuf *m)
{
	struct ifnet *ifp = m->m_pkthdr.rcvif;
	struct ip6_hdr ip6;
	struct ip_rcv r;
	size_t off, plen, nxtoff;
	uint8_t nxt;
	int n;

	atomic_fetch_add(&ip6stat.ips_total, 1);
	if (m->m_pkthdr.len < sizeof(ip6)) {
		atomic_fetch_add(&ip6stat.ips_tooshort, 1);
		goto drop;
	}
	if ((m = m_pullup(m, sizeof(ip6))) == NULL)
		return;
	memcpy(&ip6, mtod(m, void *), sizeof(ip6));
	if ((ip6.ip6_flow & htonl(0xf0000000)) != htonl(0x60000000)) {
		atomic_fetch_add(&ip6stat.ips_badvers, 1);
		goto drop;
	}
	plen = ntohs(ip6.ip6_plen);
	if (plen == 0 || sizeof(ip6) + plen > m->m_pkthdr.len) {
		/* Jumbograms (plen 0) need a link we do not have. */
		atomic_fetch_add(&ip6stat.ips_badlen, 1);
		goto drop;
	}
	if (m->m_pkthdr.len > sizeof(ip6) + plen)
		m_adj(m, -(ssize_t)(m->m_pkthdr.len - sizeof(ip6) - plen));
	/* RFC 4291: never a multicast or unspecified-to-answer source; ::1
	 * only from the loopback. */
	if (in6_is_multicast(&ip6.ip6_src) ||
	    ((in6_is_loopback(&ip6.ip6_src) || in6_is_loopback(&ip6.ip6_dst))
	    && (ifp == NULL || !(ifp->if_flags & IFF_LOOPBACK))) ||
	    in6_is_v4mapped(&ip6.ip6_src) || in6_is_v4mapped(&ip6.ip6_dst))
		goto drop;
	memset(&r, 0, sizeof(r));
	r.af = AF_INET6;
	r.src = ip6.ip6_src;
	r.dst = ip6.ip6_dst;
	if (in6_is_multicast(&r.dst))
		r.flags |= IPRCV_MCAST;
	else if (if_ours(AF_INET6, &r.dst, NULL) == NULL) {
		if (ip_forwarding(AF_INET6)) {
			ip_forward(m, AF_INET6);
			return;
		}
		atomic_fetch_add(&ip6stat.ips_forward_dropped, 1);
		goto drop;
	}
	r.ttl = ip6.ip6_hlim;
	r.tos = (ntohl(ip6.ip6_flow) >> 20) & 0xff;
	r.ifp = ifp;

	nxt = ip6.ip6_nxt;
	nxtoff = 6;
	off = sizeof(ip6);
	for (n = 0; n < IP6_MAXEXT; n++) {
		struct ip6_ext ext;
		size_t elen;

		switch (nxt) {
		case IPPROTO_HOPOPTS:
			if (n != 0) {	/* only right after the header */
				icmp_error(AF_INET6, m, ICMPV6_PARAMPROB,
				    ICMPV6_UNK_NEXTHDR, (uint32_t)nxtoff);
				return;
			}
			/* FALLTHROUGH */
		case IPPROTO_DSTOPTS:
		case IPPROTO_ROUTING:
			if (off + 2 > m->m_pkthdr.len)
				goto drop;
			m_copydata(m, off, 2, &ext);
			elen = ((size_t)ext.ip6e_len + 1) * 8;
			if (off + elen > m->m_pkthdr.len) {
				icmp_error(AF_INET6, m, ICMPV6_PARAMPROB,
				    ICMPV6_HDR_FIELD, (uint32_t)off + 1);
				return;
			}
			if (nxt == IPPROTO_ROUTING) {
				uint8_t left;

				m_copydata(m, off + 3, 1, &left);
				if (left != 0) {
					icmp_error(AF_INET6, m,
					    ICMPV6_PARAMPROB, ICMPV6_HDR_FIELD,
					    (uint32_t)off + 2);
					return;
				}
			} else if (ip6_options(m, off, elen,
			    (r.flags & IPRCV_MCAST) != 0) != 0)
				return;
			nxtoff = off;
			nxt = ext.ip6e_nxt;
			off += elen;
			continue;
		case IPPROTO_FRAGMENT:
			atomic_fetch_add(&ip6stat.ips_fragments, 1);
			if ((m = frag6_input(m, off, nxtoff)) == NULL)
				return;
			r.flags |= IPRCV_REASS;
			r.fragsize = m->m_pkthdr.flowid;
			m->m_pkthdr.flowid = 0;
			/* The fragment header is gone: nxt is at nxtoff. */
			m_copydata(m, nxtoff, 1, &nxt);
			continue;
		case IPPROTO_NONE:
			goto drop;
		default:
			break;
		}
		break;
	}
	if (n == IP6_MAXEXT)
		goto drop;
	r.off = off;
	r.len = m->m_pkthdr.len - off;
	r.nxtoff = nxtoff;
	m->m_pkthdr.l3off = 0;
	m->m_pkthdr.l4off = (uint16_t)off;
	ip_deliver(m, &r, nxt);
	return;
drop:
	m_freem(m);
}
