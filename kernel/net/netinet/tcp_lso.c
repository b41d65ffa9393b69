/*
 * tcp_lso.c: large TCP segments (IPv4).  TCP builds a segment of up to
 * 64 KiB when the path's interface carries such segments whole
 * (if_tsomax: shmif, between our kernels), marking it with
 * m_pkthdr.segsz = its MSS; a receiving kernel takes it as one segment
 * (as Linux's GRO would have merged it).  Where such a packet must leave
 * by a link that does not carry it (another interface, a smaller path
 * MTU, or a router forwarding a received one), ip4_lso_output() cuts it
 * into ordinary segments of at most segsz payload each, as Linux's GSO
 * does: every one a valid TCP segment with its own sequence number,
 * IP length, id and checksums, FIN and PSH on the last only, CWR on the
 * first only.  A received packet's checksum is verified before it is
 * cut, so a corrupt one is dropped rather than given good checksums.
 */
#include "k/kernel.h"
#include "k/abi_net.h"
#include "k/socket.h"
#include "net/if.h"
#include "net/netinet/in_pcb.h"
#include "net/netinet/in_var.h"
#include "net/netinet/ip_var.h"
#include "net/netinet/tcp_var.h"

#define LSO_HDRMAX	120		/* IPv4 and TCP headers with options */

static uint32_t lso_idgen;

/*
 * Cuts the IPv4 TCP packet m (IP header at 0) into segments that fit
 * mtu, into *listp.  Owns m.  0, EMSGSIZE (no room for payload), EINVAL
 * (not a TCP packet that can be cut, or a bad checksum), ENOBUFS.
 */
static int
tcp4_segment(struct mbuf *m, uint32_t mtu, struct mbuf **listp)
{
	uint8_t hdr[LSO_HDRMAX];
	struct ip ip;
	struct tcphdr th;
	struct mbuf *head = NULL, **tail = &head;
	size_t hl, thl, len, payload, mss, off;
	uint32_t seq;
	uint16_t id;
	int error = EINVAL;

	*listp = NULL;
	if ((m = m_pullup(m, sizeof(ip))) == NULL)
		return ENOBUFS;
	memcpy(&ip, mtod(m, void *), sizeof(ip));
	hl = IP_HLEN(&ip);
	len = m->m_pkthdr.len;
	if (ip.ip_p != IPPROTO_TCP || hl < sizeof(ip) || hl > 60 ||
	    ntohs(ip.ip_len) != len || (ntohs(ip.ip_off) & (IP_MF |
	    IP_OFFMASK)) != 0 || len < hl + sizeof(th))
		goto drop;
	if ((m = m_pullup(m, hl + sizeof(th))) == NULL)
		return ENOBUFS;
	memcpy(&th, mtod(m, uint8_t *) + hl, sizeof(th));
	thl = (size_t)TH_OFF(&th) * 4;
	if (thl < sizeof(th) || hl + thl > len ||
	    (th.th_flags & (TH_SYN | TH_RST | TH_URG)))
		goto drop;
	if (!(m->m_pkthdr.csum_flags & (M_CSUM_TCP | M_CSUM_DATA_VALID))) {
		struct in6_addr src, dst;

		in6_set_v4mapped(&src, ip.ip_src.s_addr);
		in6_set_v4mapped(&dst, ip.ip_dst.s_addr);
		if (in_cksum_pseudo(AF_INET, &src, &dst, IPPROTO_TCP, m, hl,
		    len - hl) != 0)
			goto drop;
	}
	if ((m = m_pullup(m, hl + thl)) == NULL)
		return ENOBUFS;
	memcpy(hdr, mtod(m, void *), hl + thl);
	payload = len - hl - thl;
	if (mtu <= hl + thl + 8) {
		error = EMSGSIZE;
		goto drop;
	}
	mss = mtu - hl - thl;
	if (m->m_pkthdr.segsz != 0 && m->m_pkthdr.segsz < mss)
		mss = m->m_pkthdr.segsz;
	seq = ntohl(th.th_seq);
	id = ntohs(ip.ip_id);
	if (id == 0 && !(ntohs(ip.ip_off) & IP_DF))
		id = (uint16_t)__atomic_fetch_add(&lso_idgen, payload / mss + 1,
		    __ATOMIC_RELAXED);
	for (off = 0; off < payload; off += mss) {
		size_t chunk = MIN(mss, payload - off);
		bool last = off + chunk == payload;
		struct ip *fip = (struct ip *)(void *)hdr;
		struct tcphdr fth;
		struct mbuf *f, *data;

		if ((f = m_gethdr(MT_HEADER)) == NULL ||
		    (data = m_copym(m, hl + thl + off, chunk)) == NULL) {
			m_freem(f);
			error = ENOBUFS;
			goto drop;
		}
		fip->ip_len = htons((uint16_t)(hl + thl + chunk));
		if (id != 0)
			fip->ip_id = htons((uint16_t)(id + off / mss));
		fip->ip_sum = 0;
		fip->ip_sum = in_cksum_buf(hdr, hl);
		memcpy(&fth, hdr + hl, sizeof(fth));
		fth.th_seq = htonl(seq + (uint32_t)off);
		fth.th_flags = th.th_flags;
		if (!last)
			fth.th_flags &= (uint8_t)~(TH_FIN | TH_PUSH);
		if (off != 0)
			fth.th_flags &= (uint8_t)~TH_CWR;
		fth.th_sum = 0;
		memcpy(mtod(f, uint8_t *), hdr, hl);
		memcpy(mtod(f, uint8_t *) + hl, &fth, sizeof(fth));
		memcpy(mtod(f, uint8_t *) + hl + sizeof(fth), hdr + hl +
		    sizeof(fth), thl - sizeof(fth));
		f->m_len = (uint32_t)(hl + thl);
		f->m_pkthdr.len = f->m_len;
		m_cat(f, data);
		f->m_pkthdr.len = (uint32_t)(hl + thl + chunk);
		f->m_pkthdr.csum_flags = M_CSUM_TCP;
		f->m_pkthdr.l3off = 0;
		f->m_pkthdr.l4off = (uint16_t)hl;
		f->m_pkthdr.flowid = m->m_pkthdr.flowid;
		*tail = f;
		tail = &f->m_nextpkt;
	}
	m_freem(m);
	*listp = head;
	return 0;
drop:
	m_freem(m);
	m_freem_list(head);
	return error;
}

int
ip4_lso_output(struct ifnet *ifp, struct mbuf *m, uint32_t mtu,
    const struct in6_addr *nexthop)
{
	struct mbuf *list, *n;
	int error;

	if (m->m_pkthdr.len <= mtu) {
		m->m_pkthdr.segsz = 0;
		return in_ifoutput(ifp, m, AF_INET, nexthop);
	}
	/* The link carries it whole (and nothing on the path is smaller). */
	if (m->m_pkthdr.len <= ifp->if_tsomax && mtu >= ifp->if_mtu)
		return in_ifoutput(ifp, m, AF_INET, nexthop);
	if ((error = tcp4_segment(m, mtu, &list)) != 0) {
		atomic_fetch_add(&ipstat.ips_odropped, 1);
		return error;
	}
	for (; list != NULL; list = n) {
		n = list->m_nextpkt;
		list->m_nextpkt = NULL;
		if (error == 0)
			error = in_ifoutput(ifp, list, AF_INET, nexthop);
		else
			m_freem(list);
	}
	return error;
}

uint32_t
tcp_lso_max(int af, const struct in6_addr *dst)
{
	struct in_route ro;

	if (af != AF_INET || in_route_lookup(af, dst, 0, &ro) != 0 ||
	    ro.ro_ifp->if_tsomax == 0 || ro.ro_mtu < ro.ro_ifp->if_mtu)
		return 0;
	return MIN(ro.ro_ifp->if_tsomax, (uint32_t)IP_MAXPACKET);
}
