/*
 * if_ether_standin.c: A STAND-IN for the Ethernet layer of net/if_ether.h,
 * only so that shmif and tap build and carry IP before the real layer
 * (branch "ether": if_ether.c, ARP, ND) is merged.  DELETE THIS FILE when
 * merging it (its symbols collide on purpose).
 *
 * No ARP or ND: every frame goes to the source address of the last frame
 * received (broadcast before any), and every frame whose destination is
 * ours, broadcast or multicast is taken, its IPv4/IPv6 payload handed to
 * if_input().  That is enough for a link with two parties: two kernels
 * on a bus, or a kernel on a tap and a host with a static neighbour.
 */
#include "k/kernel.h"
#include "net/if.h"
#include "net/if_ether.h"


#define MAXIF 32
static struct {
	struct ifnet *ifp;
	ether_xmit_t xmit;
	uint8_t peer[ETHER_ADDR_LEN];
	atomic_bool havepeer;
} standin_tab[MAXIF];
static atomic_int standin_n;

static int
slot_of(struct ifnet *ifp)
{
	int n = atomic_load(&standin_n);

	for (int i = 0; i < n; i++)
		if (standin_tab[i].ifp == ifp)
			return i;
	return -1;
}

static int
standin_output(struct ifnet *ifp, struct mbuf *m, int af,
    const struct in6_addr *nexthop __unused)
{
	struct ether_header eh;
	int slot = slot_of(ifp);
	ether_xmit_t xmit = slot >= 0 ? standin_tab[slot].xmit : NULL;
	uint32_t len;

	if (slot >= 0 && atomic_load(&standin_tab[slot].havepeer))
		memcpy(eh.ether_dhost, standin_tab[slot].peer, ETHER_ADDR_LEN);
	else
		memset(eh.ether_dhost, 0xff, ETHER_ADDR_LEN);
	memcpy(eh.ether_shost, ifp->if_hwaddr, ETHER_ADDR_LEN);
	eh.ether_type = af == AF_INET6 ? __builtin_bswap16(ETHERTYPE_IPV6) :
	    __builtin_bswap16(ETHERTYPE_IP);
	M_PREPEND(m, ETHER_HDR_LEN);
	if (m == NULL)
		return ENOBUFS;
	m_copyback(m, 0, sizeof(eh), &eh);
	len = m->m_pkthdr.len;
	if (xmit == NULL) {
		m_freem(m);
		return ENETDOWN;
	}
	if (xmit(ifp, m) != 0)
		return 0;		/* counted by the driver */
	atomic_fetch_add(&ifp->if_cnt.opackets, 1);
	atomic_fetch_add(&ifp->if_cnt.obytes, len);
	return 0;
}

int
ether_ifattach(struct ifnet *ifp, const uint8_t lladdr[ETHER_ADDR_LEN],
    ether_xmit_t xmit)
{
	int n = atomic_load(&standin_n);

	if (n == MAXIF)
		return ENOSPC;
	ifp->if_type = ARPHRD_ETHER;
	memcpy(ifp->if_hwaddr, lladdr, ETHER_ADDR_LEN);
	ifp->if_hwlen = ETHER_ADDR_LEN;
	ifp->if_mtu = ETHERMTU;
	ifp->if_flags = IFF_BROADCAST | IFF_MULTICAST;
	ifp->if_txqlen = 1000;
	ifp->if_output = standin_output;
	standin_tab[n].ifp = ifp;
	standin_tab[n].xmit = xmit;
	atomic_store(&standin_n, n + 1);
	return if_attach(ifp);
}

void
ether_ifdetach(struct ifnet *ifp)
{
	if_detach(ifp);
}

void
ether_input(struct ifnet *ifp, struct mbuf *m)
{
	struct ether_header eh;
	uint16_t type;

	if (m->m_pkthdr.len < ETHER_HDR_LEN ||
	    m->m_pkthdr.len > ifp->if_mtu + ETHER_HDR_LEN) {
		atomic_fetch_add(&ifp->if_cnt.ierrors, 1);
		m_freem(m);
		return;
	}
	m_copydata(m, 0, sizeof(eh), &eh);
	if (!(eh.ether_dhost[0] & 1) &&
	    memcmp(eh.ether_dhost, ifp->if_hwaddr, ETHER_ADDR_LEN) != 0 &&
	    !(ifp->if_flags & IFF_PROMISC)) {
		m_freem(m);
		return;
	}
	if (!(eh.ether_shost[0] & 1)) {
		int slot = slot_of(ifp);

		if (slot >= 0) {
			memcpy(standin_tab[slot].peer, eh.ether_shost,
			    ETHER_ADDR_LEN);
			atomic_store(&standin_tab[slot].havepeer, true);
		}
	}
	type = __builtin_bswap16(eh.ether_type);
	if (type != ETHERTYPE_IP && type != ETHERTYPE_IPV6) {
		m_freem(m);
		return;
	}
	m_adj(m, ETHER_HDR_LEN);
	m->m_pkthdr.rcvif = ifp;
	if_input(ifp, m);
}

void
ether_randaddr(uint8_t lladdr[ETHER_ADDR_LEN])
{
	size_t got;

	kern_getrandom(lladdr, ETHER_ADDR_LEN, 0, &got);
	lladdr[0] = (uint8_t)((lladdr[0] & 0xfe) | 0x02);
}
