/*
 * ip_input.c: IPv4 input - header checks, local delivery, reassembly,
 * and the table of transports for both families (contract in
 * netinet/ip_var.h).
 *
 * Called from if_input with no lock held.  A packet not for us is
 * dropped, or forwarded (ip_forward.c) when net.ipv4.ip_forward is 1.
 * The transport table is written at component init only, read without a
 * lock after.
 */
#include "k/kernel.h"
#include "k/abi_net.h"
#include "net/if.h"
#include "net/route.h"
#include "net/netinet/in_pcb.h"
#include "net/netinet/ip_var.h"
#include "net/netinet/in_var.h"

static const struct ip_protosw *ip_protos[2][256];

static int
afslot(int af)
{
	return af == AF_INET ? 0 : 1;
}

int
ip_proto_register(int af, int proto, const struct ip_protosw *p)
{
	if ((af != AF_INET && af != AF_INET6) || proto < 0 || proto > 255)
		return EINVAL;
	if (ip_protos[afslot(af)][proto] != NULL)
		return EEXIST;
	ip_protos[afslot(af)][proto] = p;
	return 0;
}

const struct ip_protosw *
ip_proto_lookup(int af, int proto)
{
	if (proto < 0 || proto > 255)
		return NULL;
	return ip_protos[afslot(af)][proto];
}

void
ip_deliver(struct mbuf *m, struct ip_rcv *r, int proto)
{
	const struct ip_protosw *p = ip_proto_lookup(r->af, proto);

	/* Raw sockets see every packet of their protocol (copies). */
	rip_input_all(m, r, proto);
	if (p != NULL && p->ipp_input != NULL) {
		atomic_fetch_add(r->af == AF_INET ? &ipstat.ips_delivered :
		    &ip6stat.ips_delivered, 1);
		p->ipp_input(m, r);
		return;
	}
	atomic_fetch_add(r->af == AF_INET ? &ipstat.ips_noproto :
	    &ip6stat.ips_noproto, 1);
	if (rip_has_proto(r->af, proto)) {
		m_freem(m);
		return;
	}
	if (r->af == AF_INET)
		icmp_error(AF_INET, m, ICMP_DEST_UNREACH, ICMP_PROT_UNREACH, 0);
	else
		icmp_error(AF_INET6, m, ICMPV6_PARAMPROB, ICMPV6_UNK_NEXTHDR,
		    (uint32_t)r->nxtoff);
}

void
ip_input(struct mbuf *m)
{
	struct ifnet *ifp = m->m_pkthdr.rcvif;
	struct ip ip;
	struct ip_rcv r;
	size_t hlen, len;
	in_addr_t src, dst;
	bool bcast = false;
	uint16_t off;

	atomic_fetch_add(&ipstat.ips_total, 1);
	if (m->m_pkthdr.len < sizeof(ip)) {
		atomic_fetch_add(&ipstat.ips_tooshort, 1);
		goto drop;
	}
	if ((m = m_pullup(m, sizeof(ip))) == NULL)
		return;
	memcpy(&ip, mtod(m, void *), sizeof(ip));
	if (IP_VERSION(&ip) != IPVERSION) {
		atomic_fetch_add(&ipstat.ips_badvers, 1);
		goto drop;
	}
	hlen = IP_HLEN(&ip);
	if (hlen < sizeof(ip) || hlen > m->m_pkthdr.len) {
		atomic_fetch_add(&ipstat.ips_badhlen, 1);
		goto drop;
	}
	if ((m = m_pullup(m, hlen)) == NULL)
		return;
	if (!(m->m_flags & M_LOOP) && in_cksum(m, 0, hlen) != 0) {
		atomic_fetch_add(&ipstat.ips_badsum, 1);
		goto drop;
	}
	len = ntohs(ip.ip_len);
	if (len < hlen || len > m->m_pkthdr.len) {
		atomic_fetch_add(&ipstat.ips_badlen, 1);
		goto drop;
	}
	if (m->m_pkthdr.len > len)
		m_adj(m, -(ssize_t)(m->m_pkthdr.len - len));
	src = ntohl(ip.ip_src.s_addr);
	dst = ntohl(ip.ip_dst.s_addr);
	/* Martians (RFC 1812 5.3.7): never a source of ours to answer. */
	if (IN_MULTICAST(src) || src == INADDR_BROADCAST || IN_BADCLASS(src) ||
	    ((src >> 24) == 0 && src != 0) ||
	    (IN_LOOPBACK(src) && (ifp == NULL ||
	    !(ifp->if_flags & IFF_LOOPBACK))))
		goto drop;

	memset(&r, 0, sizeof(r));
	r.af = AF_INET;
	in6_set_v4mapped(&r.src, ip.ip_src.s_addr);
	in6_set_v4mapped(&r.dst, ip.ip_dst.s_addr);
	if (IN_MULTICAST(dst))
		r.flags |= IPRCV_MCAST;
	else if (if_ours(AF_INET, &r.dst, &bcast) == NULL) {
		/* Not for us: a router forwards it (net.ipv4.ip_forward). */
		if (ip_forwarding(AF_INET)) {
			ip_forward(m, AF_INET);
			return;
		}
		atomic_fetch_add(&ipstat.ips_forward_dropped, 1);
		goto drop;
	}
	if (bcast || dst == INADDR_ANY)
		r.flags |= IPRCV_BCAST;

	off = ntohs(ip.ip_off);
	if (off & (IP_MF | IP_OFFMASK)) {
		atomic_fetch_add(&ipstat.ips_fragments, 1);
		if ((m = ip_reass(m)) == NULL)
			return;
		m_copydata(m, 0, sizeof(ip), &ip);
		hlen = IP_HLEN(&ip);
		r.flags |= IPRCV_REASS;
		r.fragsize = m->m_pkthdr.flowid;	/* set by ip_reass */
		m->m_pkthdr.flowid = 0;
		len = m->m_pkthdr.len;
	}
	r.off = hlen;
	r.len = len - hlen;
	r.ttl = ip.ip_ttl;
	r.tos = ip.ip_tos;
	r.ifp = ifp;
	r.nxtoff = 9;
	m->m_pkthdr.l3off = 0;
	m->m_pkthdr.l4off = (uint16_t)hlen;
	ip_deliver(m, &r, ip.ip_p);
	return;
drop:
	m_freem(m);
}
