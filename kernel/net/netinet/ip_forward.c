/*
 * ip_forward.c: forwarding of packets not addressed to us, both families,
 * when net.ipv4.ip_forward / net.ipv6.conf.all.forwarding is 1 (0 at
 * boot, as Linux; the switches are in net/route.c).
 *
 * As a router (RFC 1812, RFC 8200): the TTL / hop limit is decremented,
 * a packet arriving with 1 (or 0) is answered with ICMP time exceeded; no
 * route is ICMP net unreachable / ICMPv6 no route; an unreachable route
 * is host unreachable; too big for the next link is fragmented (IPv4
 * without DF) or answered with frag needed / packet too big.  Packets
 * from a loopback interface, to or from link-local IPv6 addresses and
 * to broadcasts are not forwarded.  Redirects are neither sent nor
 * obeyed (icmp.c ignores received ones, Linux's accept_redirects=0 for a
 * router).  Called from ip_input/ip6_input, no lock held; owns m.
 */
#include "k/kernel.h"
#include "k/abi_net.h"
#include "net/if.h"
#include "net/route.h"
#include "net/netinet/in_pcb.h"
#include "net/netinet/ip_var.h"
#include "net/netinet/in_var.h"

static int
unreach_code(int af, int error)
{
	if (af == AF_INET)
		return error == EHOSTUNREACH ? ICMP_HOST_UNREACH :
		    ICMP_NET_UNREACH;
	return error == EHOSTUNREACH ? ICMPV6_ADDR_UNREACH : ICMPV6_NOROUTE;
}

void
ip_forward(struct mbuf *m, int af)
{
	struct ifnet *inifp = m->m_pkthdr.rcvif;
	struct ipstat *st = af == AF_INET ? &ipstat : &ip6stat;
	struct in_route ro;
	struct in6_addr dst;
	size_t len = m->m_pkthdr.len;
	int error;

	if (inifp == NULL || (inifp->if_flags & IFF_LOOPBACK) ||
	    (m->m_flags & M_LOOP))
		goto drop;
	if (af == AF_INET) {
		struct ip ip;
		size_t hlen;

		m_copydata(m, 0, sizeof(ip), &ip);
		hlen = IP_HLEN(&ip);
		if (ip.ip_ttl <= 1) {
			icmp_error(AF_INET, m, ICMP_TIME_EXCEEDED, ICMP_EXC_TTL,
			    0);
			return;
		}
		in6_set_v4mapped(&dst, ip.ip_dst.s_addr);
		if (ip.ip_dst.s_addr == htonl(INADDR_BROADCAST) ||
		    ip.ip_dst.s_addr == 0)
			goto drop;
		if ((error = in_route_lookup(AF_INET, &dst, 0, &ro)) != 0) {
			icmp_error(AF_INET, m, ICMP_DEST_UNREACH,
			    unreach_code(AF_INET, error), 0);
			return;
		}
		if (ro.ro_local || ro.ro_bcast)
			goto drop;
		if (len > ro.ro_ifp->if_mtu && (ntohs(ip.ip_off) & IP_DF) &&
		    m->m_pkthdr.segsz == 0) {
			icmp_error(AF_INET, m, ICMP_DEST_UNREACH,
			    ICMP_FRAG_NEEDED, ro.ro_ifp->if_mtu);
			return;
		}
		if ((m = m_pullup(m, hlen)) == NULL)
			return;
		ip.ip_ttl--;
		ip.ip_sum = 0;
		memcpy(mtod(m, void *), &ip, sizeof(ip));
		ip.ip_sum = in_cksum(m, 0, hlen);
		memcpy(mtod(m, uint8_t *) + 10, &ip.ip_sum, 2);
		/* A TCP checksum the sending kernel left undone (shmif,
		 * tap's partial ones) stays marked: in_ifoutput fills it
		 * unless the next link takes it so too. */
		m->m_pkthdr.csum_flags &= M_CSUM_TCP;
		m->m_pkthdr.l4off = (uint16_t)hlen;
		atomic_fetch_add(&st->ips_forwarded, 1);
		/* A large segment received whole goes on whole or cut. */
		if (m->m_pkthdr.segsz != 0) {
			(void)ip4_lso_output(ro.ro_ifp, m, ro.ro_mtu,
			    &ro.ro_nexthop);
			return;
		}
		if (len > ro.ro_ifp->if_mtu) {
			struct mbuf *list, *n;

			/* The checksum covers the whole datagram. */
			if (in_csum_finish(m, AF_INET) != 0) {
				m_freem(m);
				return;
			}
			if (ip_fragment(m, ro.ro_ifp->if_mtu, &list) != 0)
				return;
			for (; list != NULL; list = n) {
				n = list->m_nextpkt;
				list->m_nextpkt = NULL;
				(void)in_ifoutput(ro.ro_ifp, list, AF_INET,
				    &ro.ro_nexthop);
			}
			return;
		}
		(void)in_ifoutput(ro.ro_ifp, m, AF_INET, &ro.ro_nexthop);
		return;
	} else {
		struct ip6_hdr ip6;

		m_copydata(m, 0, sizeof(ip6), &ip6);
		if (in6_is_linklocal(&ip6.ip6_src) ||
		    in6_is_linklocal(&ip6.ip6_dst) ||
		    in6_is_unspec(&ip6.ip6_src))
			goto drop;
		if (ip6.ip6_hlim <= 1) {
			icmp_error(AF_INET6, m, ICMPV6_TIME_EXCEED,
			    ICMPV6_EXC_HOPLIMIT, 0);
			return;
		}
		dst = ip6.ip6_dst;
		if ((error = in_route_lookup(AF_INET6, &dst, 0, &ro)) != 0) {
			icmp_error(AF_INET6, m, ICMPV6_DEST_UNREACH,
			    unreach_code(AF_INET6, error), 0);
			return;
		}
		if (ro.ro_local)
			goto drop;
		if (len > ro.ro_ifp->if_mtu) {
			icmp_error(AF_INET6, m, ICMPV6_PKT_TOOBIG, 0,
			    ro.ro_ifp->if_mtu);
			return;
		}
		if ((m = m_pullup(m, sizeof(ip6))) == NULL)
			return;
		ip6.ip6_hlim--;
		memcpy(mtod(m, void *), &ip6, sizeof(ip6));
		m->m_pkthdr.csum_flags &= M_CSUM_TCP;	/* as IPv4's */
		atomic_fetch_add(&st->ips_forwarded, 1);
		(void)in_ifoutput(ro.ro_ifp, m, AF_INET6, &ro.ro_nexthop);
		return;
	}
drop:
	atomic_fetch_add(&st->ips_forward_dropped, 1);
	m_freem(m);
}
