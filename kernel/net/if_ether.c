/*
 * if_ether.c: the Ethernet layer (contract in net/if_ether.h) - framing,
 * receive filtering by destination, the multicast filter, and the output
 * path that finds the next hop's link address through the neighbour table
 * (net/neigh.c) before handing a whole frame to the driver.
 *
 * Per-interface state (struct ether_softc, hung on ifp->if_l2) is the
 * driver's transmit function and the multicast filter: the Ethernet
 * groups joined through if_mcast, reference counted because several IP
 * groups map to one Ethernet group (RFC 1112 6.4 keeps only the low 23
 * bits, RFC 2464 7 the low 32).  The filter has ETHER_MCAST_MAX slots;
 * past that the interface accepts every multicast, as Linux drivers fall
 * back to allmulti when their hardware filter is full.  The all-hosts
 * (224.0.0.1) and all-nodes (ff02::1) groups and the solicited-node
 * groups of our IPv6 addresses are always accepted, since the IP layers
 * here do not join them explicitly.
 *
 * Counters (if_cnt): every received frame counts in ipackets/ibytes
 * (frame bytes without FCS, as Linux's rx_bytes); multicast and broadcast
 * frames also in imcasts; frames filtered out are not counted (a NIC
 * never passes them up); runts, oversize frames and unknown ethertypes
 * count in ierrors or idrops.  Sent frames count in opackets/obytes,
 * multicast ones in omcasts, driver refusals in oerrors.
 */
#include "k/kernel.h"
#include "k/abi_net.h"
#include "k/socket.h"
#include "net/if.h"
#include "net/if_ether.h"
#include "net/route.h"
#include "net/ether_var.h"
#include "net/netinet/in_pcb.h"

#define ETHER_MCAST_MAX	32

struct ether_group {
	uint8_t eg_addr[ETHER_ADDR_LEN];
	int eg_refs;
};

struct ether_softc {
	ether_xmit_t es_xmit;
	kmutex_t es_lock;		/* the filter (a leaf) */
	struct ether_group es_groups[ETHER_MCAST_MAX];
	bool es_overflow;		/* filter full: take all multicasts */
};

static const uint8_t ether_bcast[ETHER_ADDR_LEN] =
    { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

void
ether_randaddr(uint8_t lladdr[ETHER_ADDR_LEN])
{
	size_t got = 0;

	if (kern_getrandom(lladdr, ETHER_ADDR_LEN, 0, &got) != 0 ||
	    got != ETHER_ADDR_LEN) {
		/* No entropy: still unique enough within one process. */
		static atomic_uint seq;
		unsigned v = atomic_fetch_add(&seq, 1) + 1;

		memset(lladdr, 0, ETHER_ADDR_LEN);
		memcpy(lladdr + 2, &v, sizeof(v));
	}
	lladdr[0] = (uint8_t)((lladdr[0] & ~0x01) | 0x02); /* local, unicast */
}

int
ether_tcp_l4off(const struct mbuf *m)
{
	const uint8_t *p = mtod(m, const uint8_t *);
	size_t len = m->m_len, hl;
	uint16_t type;

	if (len < ETHER_HDR_LEN || m->m_pkthdr.len != len)
		return -1;
	type = (uint16_t)(p[12] << 8 | p[13]);
	p += ETHER_HDR_LEN;
	len -= ETHER_HDR_LEN;
	if (type == ETHERTYPE_IP) {
		struct ip ip;

		if (len < sizeof(ip))
			return -1;
		memcpy(&ip, p, sizeof(ip));
		hl = IP_HLEN(&ip);
		if (IP_VERSION(&ip) != IPVERSION || hl < sizeof(ip) ||
		    ip.ip_p != IPPROTO_TCP || (ntohs(ip.ip_off) &
		    (IP_MF | IP_OFFMASK)) != 0 || ntohs(ip.ip_len) > len ||
		    ntohs(ip.ip_len) < hl + sizeof(struct tcphdr))
			return -1;
		return (int)hl;
	}
	if (type == ETHERTYPE_IPV6) {
		struct ip6_hdr ip6;

		if (len < sizeof(ip6))
			return -1;
		memcpy(&ip6, p, sizeof(ip6));
		if ((p[0] & IPV6_VERSION_MASK) != IPV6_VERSION ||
		    ip6.ip6_nxt != IPPROTO_TCP || sizeof(ip6) +
		    (size_t)ntohs(ip6.ip6_plen) > len ||
		    ntohs(ip6.ip6_plen) < sizeof(struct tcphdr))
			return -1;
		return (int)sizeof(ip6);
	}
	return -1;
}

/* The Ethernet group of an IP multicast group (false if not one). */
bool
ether_mcast_map(int af, const struct in6_addr *group,
    uint8_t mac[ETHER_ADDR_LEN])
{
	if (af == AF_INET) {
		uint32_t a = ntohl(in6_v4addr(group));

		if ((a >> 28) != 0xe)
			return false;
		mac[0] = 0x01;
		mac[1] = 0x00;
		mac[2] = 0x5e;
		mac[3] = (uint8_t)((a >> 16) & 0x7f);
		mac[4] = (uint8_t)(a >> 8);
		mac[5] = (uint8_t)a;
		return true;
	}
	if (!in6_is_multicast(group))
		return false;
	mac[0] = 0x33;
	mac[1] = 0x33;
	memcpy(mac + 2, &group->s6_addr[12], 4);
	return true;
}

static void
ether_mcast(struct ifnet *ifp, int af, const struct in6_addr *group,
    bool join)
{
	struct ether_softc *es = ifp->if_l2;
	uint8_t mac[ETHER_ADDR_LEN];
	int i, freeslot = -1;

	if (es == NULL || !ether_mcast_map(af, group, mac))
		return;
	mutex_enter(&es->es_lock);
	for (i = 0; i < ETHER_MCAST_MAX; i++) {
		struct ether_group *g = &es->es_groups[i];

		if (g->eg_refs == 0) {
			if (freeslot < 0)
				freeslot = i;
			continue;
		}
		if (memcmp(g->eg_addr, mac, ETHER_ADDR_LEN) == 0) {
			if (join)
				g->eg_refs++;
			else
				g->eg_refs--;
			mutex_exit(&es->es_lock);
			return;
		}
	}
	if (join) {
		if (freeslot >= 0) {
			memcpy(es->es_groups[freeslot].eg_addr, mac,
			    ETHER_ADDR_LEN);
			es->es_groups[freeslot].eg_refs = 1;
		} else
			es->es_overflow = true;
	}
	mutex_exit(&es->es_lock);
}

/* Is the multicast destination dst one we listen to? */
static bool
ether_mcast_wanted(struct ifnet *ifp, const uint8_t *dst)
{
	struct ether_softc *es = ifp->if_l2;
	struct ifaddr *ifa;
	bool ok = false;
	int i;

	/* all-hosts 224.0.0.1, all-nodes ff02::1 */
	if (memcmp(dst, "\x01\x00\x5e\x00\x00\x01", 6) == 0 ||
	    memcmp(dst, "\x33\x33\x00\x00\x00\x01", 6) == 0)
		return true;
	mutex_enter(&es->es_lock);
	ok = es->es_overflow;
	for (i = 0; !ok && i < ETHER_MCAST_MAX; i++)
		ok = es->es_groups[i].eg_refs > 0 &&
		    memcmp(es->es_groups[i].eg_addr, dst, ETHER_ADDR_LEN) == 0;
	mutex_exit(&es->es_lock);
	if (ok || dst[0] != 0x33 || dst[1] != 0x33 || dst[2] != 0xff)
		return ok;
	/* ff02::1:ffXX:XXXX, the solicited-node group of one of ours */
	rw_enter(&if_lock, false);
	TAILQ_FOREACH(ifa, &ifp->if_ifa6, ifa_list)
		if (memcmp(&ifa->ifa_addr.s6_addr[13], dst + 3, 3) == 0) {
			ok = true;
			break;
		}
	rw_exit(&if_lock);
	return ok;
}

int
ether_ifattach(struct ifnet *ifp, const uint8_t lladdr[ETHER_ADDR_LEN],
    ether_xmit_t xmit)
{
	struct ether_softc *es;
	int error;

	if (xmit == NULL || (lladdr[0] & 0x01))
		return EINVAL;
	if ((es = kmem_zalloc(sizeof(*es))) == NULL)
		return ENOMEM;
	mutex_init(&es->es_lock);
	es->es_xmit = xmit;
	ifp->if_l2 = es;
	ifp->if_type = ARPHRD_ETHER;
	memcpy(ifp->if_hwaddr, lladdr, ETHER_ADDR_LEN);
	ifp->if_hwlen = ETHER_ADDR_LEN;
	ifp->if_mtu = ETHERMTU;
	ifp->if_flags |= IFF_BROADCAST | IFF_MULTICAST;
	if (ifp->if_txqlen == 0)
		ifp->if_txqlen = 1000;
	ifp->if_output = ether_output;
	ifp->if_mcast = ether_mcast;
	if ((error = if_attach(ifp)) != 0) {
		ifp->if_l2 = NULL;
		mutex_destroy(&es->es_lock);
		kmem_free(es, sizeof(*es));
		return error;
	}
	if (ifp->if_flags & IFF_UP)
		nd6_ifup(ifp);
	return 0;
}

void
ether_ifdetach(struct ifnet *ifp)
{
	/* neigh_if_detached and route_if_detached come through if_detach;
	 * es stays: a thread still inside ether_input/output may use it,
	 * and an ifnet is never freed either (net/if.h). */
	nd6_if_detached(ifp);
	if_detach(ifp);
}

/*
 * Prepends the header and hands the frame to the driver.  Owns m.
 */
int
ether_send(struct ifnet *ifp, struct mbuf *m, const uint8_t *dst,
    uint16_t type)
{
	struct ether_softc *es = ifp->if_l2;
	struct ether_header *eh;
	uint32_t len;
	int error;

	if (ifp->if_gone || !(ifp->if_flags & IFF_UP)) {
		m_freem(m);
		return ENETDOWN;
	}
	if (m->m_pkthdr.len > ifp->if_mtu && (m->m_pkthdr.segsz == 0 ||
	    m->m_pkthdr.len > ifp->if_tsomax)) {
		atomic_fetch_add(&ifp->if_cnt.odrops, 1);
		m_freem(m);
		return EMSGSIZE;
	}
	if ((m = m_prepend(m, ETHER_HDR_LEN)) == NULL) {
		atomic_fetch_add(&ifp->if_cnt.odrops, 1);
		return ENOBUFS;
	}
	eh = mtod(m, struct ether_header *);
	memcpy(eh->ether_dhost, dst, ETHER_ADDR_LEN);
	memcpy(eh->ether_shost, ifp->if_hwaddr, ETHER_ADDR_LEN);
	eh->ether_type = htons(type);
	if (m->m_pkthdr.len < ETHER_MIN_LEN) {
		static const uint8_t zero[ETHER_MIN_LEN];

		if (m_append(m, ETHER_MIN_LEN - m->m_pkthdr.len, zero) != 0) {
			atomic_fetch_add(&ifp->if_cnt.odrops, 1);
			m_freem(m);
			return ENOBUFS;
		}
	}
	len = m->m_pkthdr.len;
	error = es->es_xmit(ifp, m);
	if (error != 0) {
		atomic_fetch_add(&ifp->if_cnt.oerrors, 1);
		return error;
	}
	atomic_fetch_add(&ifp->if_cnt.opackets, 1);
	atomic_fetch_add(&ifp->if_cnt.obytes, len);
	if (dst[0] & 0x01)
		atomic_fetch_add(&ifp->if_cnt.omcasts, 1);
	return 0;
}

/* Is dst (IPv4) the limited or a directed broadcast on ifp? */
static bool
ether_is_bcast4(struct ifnet *ifp, const struct in6_addr *dst)
{
	struct ifaddr *ifa;
	bool yes = in6_v4addr(dst) == INADDR_BROADCAST;

	rw_enter(&if_lock, false);
	TAILQ_FOREACH(ifa, &ifp->if_ifa4, ifa_list)
		if (!yes && !in6_is_unspec(&ifa->ifa_broad) &&
		    in6_equal(&ifa->ifa_broad, dst))
			yes = true;
	rw_exit(&if_lock);
	return yes;
}

int
ether_output(struct ifnet *ifp, struct mbuf *m, int af,
    const struct in6_addr *nexthop)
{
	uint8_t dst[NEIGH_LLMAX];
	int error;

	if (af != AF_INET && af != AF_INET6) {
		m_freem(m);
		return EAFNOSUPPORT;
	}
	if (ether_mcast_map(af, nexthop, dst))
		;
	else if (af == AF_INET && ether_is_bcast4(ifp, nexthop))
		memcpy(dst, ether_bcast, ETHER_ADDR_LEN);
	else if ((error = neigh_resolve(ifp, af, nexthop, m, dst)) != 0)
		return error == EINPROGRESS ? 0 : error;
	return ether_send(ifp, m, dst, af == AF_INET ? ETHERTYPE_IP :
	    ETHERTYPE_IPV6);
}

void
ether_input(struct ifnet *ifp, struct mbuf *m)
{
	struct ether_header eh;
	uint32_t len = m->m_pkthdr.len;
	uint16_t type;
	bool mcast;

	m->m_pkthdr.rcvif = ifp;
	if (ifp->if_l2 == NULL || ifp->if_gone || !(ifp->if_flags & IFF_UP)) {
		m_freem(m);
		return;
	}
	/* Above the MTU: only a large segment the driver said it carries. */
	if (len < ETHER_HDR_LEN || (len > ifp->if_mtu + ETHER_HDR_LEN &&
	    (m->m_pkthdr.segsz == 0 || len > ifp->if_tsomax +
	    ETHER_HDR_LEN))) {
		atomic_fetch_add(&ifp->if_cnt.ipackets, 1);
		atomic_fetch_add(&ifp->if_cnt.ierrors, 1);
		m_freem(m);
		return;
	}
	m_copydata(m, 0, ETHER_HDR_LEN, &eh);
	mcast = (eh.ether_dhost[0] & 0x01) != 0;
	if (!(ifp->if_flags & IFF_PROMISC)) {
		if (!mcast) {
			if (memcmp(eh.ether_dhost, ifp->if_hwaddr,
			    ETHER_ADDR_LEN) != 0) {
				m_freem(m);
				return;
			}
		} else if (memcmp(eh.ether_dhost, ether_bcast,
		    ETHER_ADDR_LEN) != 0 && !(ifp->if_flags & IFF_ALLMULTI) &&
		    !ether_mcast_wanted(ifp, eh.ether_dhost)) {
			m_freem(m);
			return;
		}
	}
	/* Our own frames looped back by a bus are not input. */
	if (memcmp(eh.ether_shost, ifp->if_hwaddr, ETHER_ADDR_LEN) == 0) {
		m_freem(m);
		return;
	}
	if (mcast) {
		atomic_fetch_add(&ifp->if_cnt.imcasts, 1);
		m->m_flags |= memcmp(eh.ether_dhost, ether_bcast,
		    ETHER_ADDR_LEN) == 0 ? M_BCAST : M_MCAST;
	} else if (memcmp(eh.ether_dhost, ifp->if_hwaddr,
	    ETHER_ADDR_LEN) != 0) {
		/* promiscuous catch for another host: not for our stack */
		atomic_fetch_add(&ifp->if_cnt.ipackets, 1);
		atomic_fetch_add(&ifp->if_cnt.ibytes, len);
		m_freem(m);
		return;
	}
	type = ntohs(eh.ether_type);
	m_adj(m, ETHER_HDR_LEN);
	switch (type) {
	case ETHERTYPE_IP:
	case ETHERTYPE_IPV6:
		/* if_input counts the packet and the IP bytes. */
		atomic_fetch_add(&ifp->if_cnt.ibytes, ETHER_HDR_LEN);
		if (m->m_pkthdr.len < 1) {
			atomic_fetch_add(&ifp->if_cnt.ipackets, 1);
			atomic_fetch_add(&ifp->if_cnt.ierrors, 1);
			m_freem(m);
			return;
		}
		if_input(ifp, m);
		break;
	case ETHERTYPE_ARP:
		atomic_fetch_add(&ifp->if_cnt.ipackets, 1);
		atomic_fetch_add(&ifp->if_cnt.ibytes, len);
		arp_input(ifp, m);
		break;
	default:
		/* Linux counts an unknown protocol as rx_dropped */
		atomic_fetch_add(&ifp->if_cnt.ipackets, 1);
		atomic_fetch_add(&ifp->if_cnt.ibytes, len);
		atomic_fetch_add(&ifp->if_cnt.idrops, 1);
		m_freem(m);
		break;
	}
}

/* The neighbour table asks for a solicitation (net/neigh.c). */
void
ether_solicit(struct ifnet *ifp, int af, const struct in6_addr *addr,
    const uint8_t *unicast)
{
	if (ifp->if_l2 == NULL)
		return;
	if (af == AF_INET)
		arp_request(ifp, addr, unicast);
	else
		nd6_ns_output(ifp, addr, unicast);
}
