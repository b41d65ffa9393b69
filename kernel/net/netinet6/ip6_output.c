/*
 * ip6_output.c: the IPv6 header and fragmentation (called by in_output;
 * contract in netinet/ip_var.h).  We emit no extension headers but the
 * fragment header.  No lock is held or taken.
 */
#include "k/kernel.h"
#include "k/abi_net.h"
#include "net/if.h"
#include "net/netinet/in_pcb.h"
#include "net/netinet/ip_var.h"
#include "net/netinet/in_var.h"

static atomic_uint ip6_idgen;

int
ip6_output(struct mbuf *m, const struct ip_out *o, struct in_route *ro)
{
	struct ip6_hdr ip6;
	size_t plen = m->m_pkthdr.len, len;
	struct mbuf *list, *n;
	int error;

	if (plen > IPV6_MAXPACKET) {
		m_freem(m);
		return EMSGSIZE;
	}
	M_PREPEND(m, sizeof(ip6));
	if (m == NULL)
		return ENOBUFS;
	if (m->m_pkthdr.csum_flags & (M_CSUM_TCP | M_CSUM_UDP | M_CSUM_ICMP6))
		m->m_pkthdr.l4off = sizeof(ip6);
	memset(&ip6, 0, sizeof(ip6));
	ip6.ip6_flow = htonl(0x60000000u |
	    (uint32_t)((o->tos < 0 ? 0 : o->tos) & 0xff) << 20 |
	    (o->flowlabel & IPV6_FLOWLABEL_MASK));
	ip6.ip6_plen = htons((uint16_t)plen);
	ip6.ip6_nxt = (uint8_t)o->proto;
	ip6.ip6_hlim = (uint8_t)(o->ttl < 0 ? ip6_defhlim : o->ttl);
	ip6.ip6_src = ro->ro_src;
	ip6.ip6_dst = o->dst;
	memcpy(mtod(m, void *), &ip6, sizeof(ip6));
	len = m->m_pkthdr.len;
	atomic_fetch_add(&ip6stat.ips_localout, 1);
	if (len <= ro->ro_mtu)
		return in_ifoutput(ro->ro_ifp, m, AF_INET6, &ro->ro_nexthop);
	if ((o->flags & IPOUT_DONTFRAG) || o->pmtudisc == IP_PMTUDISC_DO ||
	    o->pmtudisc == IP_PMTUDISC_PROBE) {
		atomic_fetch_add(&ip6stat.ips_cantfrag, 1);
		m_freem(m);
		return EMSGSIZE;
	}
	/* The transport checksum covers the whole datagram: fill it now. */
	if (m->m_pkthdr.csum_flags & (M_CSUM_TCP | M_CSUM_UDP | M_CSUM_ICMP6)) {
		struct in6_addr s = ip6.ip6_src, d = ip6.ip6_dst;
		uint32_t fl = m->m_pkthdr.csum_flags;
		size_t at = (fl & M_CSUM_TCP) ? 16 : (fl & M_CSUM_UDP) ? 6 : 2;
		uint8_t p = (fl & M_CSUM_TCP) ? IPPROTO_TCP :
		    (fl & M_CSUM_UDP) ? IPPROTO_UDP : IPPROTO_ICMPV6;
		uint16_t sum = in_cksum_pseudo(AF_INET6, &s, &d, p, m,
		    sizeof(ip6), plen);

		if (sum == 0 && p == IPPROTO_UDP)
			sum = 0xffff;
		if (m_copyback(m, sizeof(ip6) + at, 2, &sum) != 0) {
			m_freem(m);
			return ENOBUFS;
		}
		m->m_pkthdr.csum_flags &= ~(M_CSUM_TCP | M_CSUM_UDP |
		    M_CSUM_ICMP6);
	}
	if ((error = ip6_fragment(m, sizeof(ip6), (uint8_t)o->proto,
	    ro->ro_mtu, &list)) != 0)
		return error;
	for (; list != NULL; list = n) {
		n = list->m_nextpkt;
		list->m_nextpkt = NULL;
		if (error == 0)
			error = in_ifoutput(ro->ro_ifp, list, AF_INET6,
			    &ro->ro_nexthop);
		else
			m_freem(list);
	}
	return error;
}

int
ip6_fragment(struct mbuf *m, size_t unfraglen, uint8_t nxt, uint32_t mtu,
    struct mbuf **listp)
{
	struct mbuf *head = NULL, **tail = &head;
	size_t len = m->m_pkthdr.len, per, off;
	uint32_t id = htonl(atomic_fetch_add(&ip6_idgen, 1) * 2654435761u);
	uint8_t hdr[64];

	*listp = NULL;
	if (unfraglen > sizeof(hdr) ||
	    mtu < unfraglen + sizeof(struct ip6_frag) + 8) {
		m_freem(m);
		return EMSGSIZE;
	}
	m_copydata(m, 0, unfraglen, hdr);
	/* The header before the fragment header names it (we emit none
	 * between: hdr[6] is the IPv6 next header). */
	hdr[6] = IPPROTO_FRAGMENT;
	per = (mtu - unfraglen - sizeof(struct ip6_frag)) & ~(size_t)7;
	for (off = unfraglen; off < len; off += per) {
		size_t chunk = MIN(per, len - off);
		struct ip6_frag fh;
		struct mbuf *f, *data;
		uint16_t pl = (uint16_t)(unfraglen - sizeof(struct ip6_hdr) +
		    sizeof(fh) + chunk);

		/* 48 bytes of headers: more than an mbuf's room after the
		 * reserved link space, so a small external buffer. */
		if ((f = m_getcl(MT_HEADER, M_PKTHDR, MAX_HDR_ROOM + 256)) ==
		    NULL)
			goto nomem;
		if ((data = m_copym(m, off, chunk)) == NULL) {
			m_freem(f);
			goto nomem;
		}
		memcpy(mtod(f, void *), hdr, unfraglen);
		pl = htons(pl);
		memcpy(mtod(f, uint8_t *) + 4, &pl, 2);
		fh.ip6f_nxt = nxt;
		fh.ip6f_reserved = 0;
		fh.ip6f_offlg = htons((uint16_t)((off - unfraglen) |
		    (off + chunk < len ? IP6F_MORE_FRAG : 0)));
		fh.ip6f_ident = id;
		memcpy(mtod(f, uint8_t *) + unfraglen, &fh, sizeof(fh));
		f->m_len = (uint32_t)(unfraglen + sizeof(fh));
		f->m_pkthdr.len = f->m_len;
		m_cat(f, data);
		f->m_pkthdr.len = (uint32_t)(unfraglen + sizeof(fh) + chunk);
		*tail = f;
		tail = &f->m_nextpkt;
		atomic_fetch_add(&ip6stat.ips_fragmented, 1);
	}
	m_freem(m);
	*listp = head;
	return 0;
nomem:
	m_freem(m);
	m_freem_list(head);
	return ENOBUFS;
}
