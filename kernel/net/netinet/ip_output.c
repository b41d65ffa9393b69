/*
 * ip_output.c: the output path of both families (in_output), the IPv4
 * header, IPv4 fragmentation and the hand-off to the interface with the
 * deferred transport checksum (contract in netinet/ip_var.h).
 *
 * No lock is held or taken here but if_lock (through the route lookup)
 * and the PMTU cache's leaf lock; callers may hold a so_lock.
 */
#include "k/kernel.h"
#include "k/abi_net.h"
#include "k/socket.h"
#include "net/if.h"
#include "net/netinet/in_pcb.h"
#include "net/netinet/ip_var.h"
#include "net/netinet/in_var.h"

int64_t ip_defttl = IPDEFTTL;
struct ipstat ipstat;
static atomic_uint ip_idgen;

void
ip_out_frompcb(struct ip_out *o, const struct inpcb *inp, int proto,
    const struct in6_addr *dst)
{
	memset(o, 0, sizeof(*o));
	o->proto = proto;
	o->dst = dst != NULL ? *dst : inp->inp_faddr;
	o->af = in6_is_v4mapped(&o->dst) ? AF_INET : AF_INET6;
	o->src = inp->inp_laddr;
	if (in6_is_v4any(&o->src) && o->af == AF_INET6)
		memset(&o->src, 0, sizeof(o->src));
	if (o->af == AF_INET) {
		bool mc = IN_MULTICAST(ntohl(in6_v4addr(&o->dst)));

		o->ttl = mc ? inp->inp_mcast_ttl : inp->inp_ttl;
		o->tos = inp->inp_tos;
		o->pmtudisc = inp->inp_pmtudisc;
		if (mc && inp->inp_mcast_loop)
			o->flags |= IPOUT_MCAST_LOOP;
		o->ifindex = mc ? inp->inp_mcast_ifindex :
		    inp->inp_ucast_ifindex;
	} else {
		bool mc = in6_is_multicast(&o->dst);

		o->ttl = mc ? inp->inp_mcast_hops6 : inp->inp_hops6;
		if (mc && o->ttl < 0)
			o->ttl = 1;
		o->tos = inp->inp_tclass;
		o->pmtudisc = inp->inp_pmtudisc6;
		if (inp->inp_flags & INP_DONTFRAG6)
			o->flags |= IPOUT_DONTFRAG;
		if (mc && inp->inp_mcast_loop6)
			o->flags |= IPOUT_MCAST_LOOP;
		o->ifindex = mc ? inp->inp_mcast_ifindex :
		    inp->inp_ucast_ifindex;
		o->flowlabel = ntohl(inp->inp_flowinfo) & IPV6_FLOWLABEL_MASK;
	}
	if (inp->inp_bound_ifindex != 0)
		o->ifindex = inp->inp_bound_ifindex;
	if (inp->inp_socket != NULL &&
	    (inp->inp_socket->so_options & SOF_BROADCAST))
		o->flags |= IPOUT_BROADCAST;
	if (inp->inp_flags & INP_HDRINCL)
		o->flags |= IPOUT_RAWHDR;
}

/* Computes a deferred transport checksum of a whole packet in place. */
int
in_csum_finish(struct mbuf *m, int af)
{
	uint32_t fl = m->m_pkthdr.csum_flags;
	size_t l4 = m->m_pkthdr.l4off, at, len;
	struct in6_addr src, dst;
	uint16_t sum;
	uint8_t proto;

	if (!(fl & (M_CSUM_TCP | M_CSUM_UDP | M_CSUM_ICMP6)))
		return 0;
	at = (fl & M_CSUM_TCP) ? 16 : (fl & M_CSUM_UDP) ? 6 : 2;
	proto = (fl & M_CSUM_TCP) ? IPPROTO_TCP : (fl & M_CSUM_UDP) ?
	    IPPROTO_UDP : IPPROTO_ICMPV6;
	if (m->m_pkthdr.len < l4 + at + 2)
		return EINVAL;
	len = m->m_pkthdr.len - l4;
	if (af == AF_INET) {
		struct ip ip;

		m_copydata(m, 0, sizeof(ip), &ip);
		in6_set_v4mapped(&src, ip.ip_src.s_addr);
		in6_set_v4mapped(&dst, ip.ip_dst.s_addr);
	} else {
		struct ip6_hdr ip6;

		m_copydata(m, 0, sizeof(ip6), &ip6);
		src = ip6.ip6_src;
		dst = ip6.ip6_dst;
	}
	sum = 0;
	if (m_copyback(m, l4 + at, 2, &sum) != 0)
		return ENOBUFS;
	sum = in_cksum_pseudo(af, &src, &dst, proto, m, l4, len);
	if (sum == 0 && proto == IPPROTO_UDP)
		sum = 0xffff;
	m->m_pkthdr.csum_flags &= ~(M_CSUM_TCP | M_CSUM_UDP | M_CSUM_ICMP6);
	return m_copyback(m, l4 + at, 2, &sum);
}

int
in_ifoutput(struct ifnet *ifp, struct mbuf *m, int af,
    const struct in6_addr *nexthop)
{
	int error;

	if (ifp->if_gone || !(ifp->if_flags & IFF_UP)) {
		m_freem(m);
		return ENETDOWN;
	}
	if (ifp->if_flags & IFF_LOOPBACK) {
		/* As Linux's lo: the receiver trusts an unfilled checksum. */
		if (m->m_pkthdr.csum_flags &
		    (M_CSUM_TCP | M_CSUM_UDP | M_CSUM_ICMP6)) {
			m->m_pkthdr.csum_flags &=
			    ~(M_CSUM_TCP | M_CSUM_UDP | M_CSUM_ICMP6);
			m->m_pkthdr.csum_flags |= M_CSUM_DATA_VALID;
		}
	} else if ((m->m_pkthdr.csum_flags & M_CSUM_TCP) &&
	    (ifp->if_csumtx & (af == AF_INET ? M_CSUM_TCP : IF_CSUM_TCP6))) {
		;	/* the driver's (net/if.h, if_csumtx) */
	} else if ((error = in_csum_finish(m, af)) != 0) {
		m_freem(m);
		return error;
	}
	m->m_pkthdr.l3off = 0;
	return ifp->if_output(ifp, m, af, nexthop);
}

int
in_output(struct mbuf *m, const struct ip_out *o)
{
	struct in_route ro;
	int error;

	if (m == NULL)
		return ENOBUFS;
	if (o->af != AF_INET && o->af != AF_INET6) {
		m_freem(m);
		return EAFNOSUPPORT;
	}
	if ((error = in_route_lookup(o->af, &o->dst, o->ifindex, &ro)) != 0) {
		atomic_fetch_add(&ipstat.ips_noroute, 1);
		m_freem(m);
		return error;
	}
	if (ro.ro_bcast && !(o->flags & IPOUT_BROADCAST)) {
		m_freem(m);
		return EACCES;
	}
	/* Every ICMP message sent from here counts, as Linux's
	 * __ip_make_skb/__ip6_make_skb count them (OutMsgs, OutTypeN). */
	if (!(o->flags & IPOUT_RAWHDR) && m->m_pkthdr.len >= 1 &&
	    o->proto == (o->af == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6)) {
		struct icmpstat *st = o->af == AF_INET ? &icmpstat :
		    &icmp6stat;
		uint8_t type;

		m_copydata(m, 0, 1, &type);
		atomic_fetch_add(&st->icps_outmsgs, 1);
		atomic_fetch_add(&st->icps_outtype[type], 1);
	}
	if (!in6_is_anyaddr(&o->src))
		ro.ro_src = o->src;
	else if (o->af == AF_INET && in6_is_unspec(&ro.ro_src)) {
		m_freem(m);
		return EADDRNOTAVAIL;
	}
	if (o->af == AF_INET)
		return ip4_output(m, o, &ro);
	return ip6_output(m, o, &ro);
}

int
ip4_output(struct mbuf *m, const struct ip_out *o, struct in_route *ro)
{
	struct ip ip;
	size_t len, hlen = sizeof(ip);
	bool df;
	int error;
	struct mbuf *list, *n;

	if (!(o->flags & IPOUT_RAWHDR)) {
		size_t plen = m->m_pkthdr.len;

		if (plen + hlen > IP_MAXPACKET) {
			m_freem(m);
			return EMSGSIZE;
		}
		M_PREPEND(m, hlen);
		if (m == NULL)
			return ENOBUFS;
		if (m->m_pkthdr.csum_flags &
		    (M_CSUM_TCP | M_CSUM_UDP | M_CSUM_ICMP6))
			m->m_pkthdr.l4off = (uint16_t)hlen;
		len = m->m_pkthdr.len;
		memset(&ip, 0, sizeof(ip));
		ip.ip_vhl = IP_VHL(IPVERSION, hlen);
		ip.ip_tos = o->tos < 0 ? 0 : (uint8_t)o->tos;
		ip.ip_len = htons((uint16_t)len);
		ip.ip_ttl = (uint8_t)(o->ttl < 0 ? ip_defttl : o->ttl);
		ip.ip_p = (uint8_t)o->proto;
		ip.ip_src.s_addr = in6_v4addr(&ro->ro_src);
		ip.ip_dst.s_addr = in6_v4addr(&o->dst);
		df = o->pmtudisc == IP_PMTUDISC_DO ||
		    o->pmtudisc == IP_PMTUDISC_PROBE ||
		    (o->pmtudisc == IP_PMTUDISC_WANT && len <= ro->ro_mtu);
		ip.ip_off = htons(df ? IP_DF : 0);
		/* A DF packet needs no unique id (RFC 6864). */
		ip.ip_id = df ? 0 : htons((uint16_t)atomic_fetch_add(
		    &ip_idgen, 1));
		ip.ip_sum = 0;
		ip.ip_sum = in_cksum_buf(&ip, hlen);
		memcpy(mtod(m, void *), &ip, hlen);
	} else {
		/* IP_HDRINCL: the user's header, length and checksum fixed
		 * as Linux's raw_send_hdrinc does. */
		len = m->m_pkthdr.len;
		if (len < hlen || len > IP_MAXPACKET) {
			m_freem(m);
			return EINVAL;
		}
		if ((m = m_pullup(m, hlen)) == NULL)
			return ENOBUFS;
		memcpy(&ip, mtod(m, void *), hlen);
		hlen = IP_HLEN(&ip);
		if (hlen < sizeof(ip) || hlen > len) {
			m_freem(m);
			return EINVAL;
		}
		ip.ip_len = htons((uint16_t)len);
		if (ip.ip_id == 0)
			ip.ip_id = htons((uint16_t)atomic_fetch_add(&ip_idgen, 1));
		if (ip.ip_src.s_addr == 0)
			ip.ip_src.s_addr = in6_v4addr(&ro->ro_src);
		ip.ip_sum = 0;
		memcpy(mtod(m, void *), &ip, sizeof(ip));
		if ((m = m_pullup(m, hlen)) == NULL)
			return ENOBUFS;
		ip.ip_sum = in_cksum(m, 0, hlen);
		memcpy(mtod(m, uint8_t *) + 10, &ip.ip_sum, 2);
		df = (ntohs(ip.ip_off) & IP_DF) != 0;
	}
	atomic_fetch_add(&ipstat.ips_localout, 1);
	m->m_pkthdr.l3off = 0;
	if (len <= ro->ro_mtu) {
		m->m_pkthdr.segsz = 0;
		return in_ifoutput(ro->ro_ifp, m, AF_INET, &ro->ro_nexthop);
	}
	if (m->m_pkthdr.segsz != 0)
		return ip4_lso_output(ro->ro_ifp, m, ro->ro_mtu,
		    &ro->ro_nexthop);
	if (df) {
		atomic_fetch_add(&ipstat.ips_cantfrag, 1);
		m_freem(m);
		return EMSGSIZE;
	}
	if ((error = in_csum_finish(m, AF_INET)) != 0) {
		m_freem(m);
		return error;
	}
	if ((error = ip_fragment(m, ro->ro_mtu, &list)) != 0)
		return error;
	for (; list != NULL; list = n) {
		n = list->m_nextpkt;
		list->m_nextpkt = NULL;
		if (error == 0)
			error = in_ifoutput(ro->ro_ifp, list, AF_INET,
			    &ro->ro_nexthop);
		else
			m_freem(list);
	}
	return error;
}

int
ip_fragment(struct mbuf *m, uint32_t mtu, struct mbuf **listp)
{
	struct ip ip;
	size_t hlen, len, per, off;
	struct mbuf *head = NULL, **tail = &head;
	uint16_t off0;

	*listp = NULL;
	if ((m = m_pullup(m, sizeof(ip))) == NULL)
		return ENOBUFS;
	memcpy(&ip, mtod(m, void *), sizeof(ip));
	hlen = IP_HLEN(&ip);
	len = m->m_pkthdr.len;
	if (mtu < hlen + 8 || (m = m_pullup(m, hlen)) == NULL) {
		m_freem(m);
		return EMSGSIZE;
	}
	per = (mtu - hlen) & ~(size_t)7;
	off0 = ntohs(ip.ip_off);
	if (ip.ip_id == 0)
		ip.ip_id = htons((uint16_t)atomic_fetch_add(&ip_idgen, 1));
	for (off = hlen; off < len; off += per) {
		size_t chunk = MIN(per, len - off);
		struct mbuf *f, *data;
		struct ip fh = ip;
		uint16_t fo = (uint16_t)((off0 & IP_OFFMASK) + (off - hlen) / 8);

		if ((f = m_gethdr(MT_HEADER)) == NULL)
			goto nomem;
		if ((data = m_copym(m, off, chunk)) == NULL) {
			m_freem(f);
			goto nomem;
		}
		/* Options are not copied: we send none. */
		fh.ip_vhl = IP_VHL(IPVERSION, sizeof(fh));
		fh.ip_len = htons((uint16_t)(sizeof(fh) + chunk));
		fh.ip_off = htons(fo | (off + chunk < len || (off0 & IP_MF) ?
		    IP_MF : 0));
		fh.ip_sum = 0;
		fh.ip_sum = in_cksum_buf(&fh, sizeof(fh));
		memcpy(mtod(f, void *), &fh, sizeof(fh));
		f->m_len = sizeof(fh);
		f->m_pkthdr.len = (uint32_t)sizeof(fh);
		f->m_pkthdr.csum_flags = m->m_pkthdr.csum_flags &
		    M_CSUM_DATA_VALID;
		m_cat(f, data);
		f->m_pkthdr.len = (uint32_t)(sizeof(fh) + chunk);
		*tail = f;
		tail = &f->m_nextpkt;
		atomic_fetch_add(&ipstat.ips_fragmented, 1);
	}
	m_freem(m);
	*listp = head;
	return 0;
nomem:
	m_freem(m);
	m_freem_list(head);
	return ENOBUFS;
}
