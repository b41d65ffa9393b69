/*
 * if_arp.c: ARP for IPv4 over Ethernet (RFC 826), answering and learning
 * as Linux's arp_process() does with its default sysctls (arp_ignore 0,
 * arp_accept 0, arp_announce 0):
 *
 *  - a request for any of our addresses (any interface: Linux's "weak
 *    host" model) is answered, and its sender is learnt (a STALE entry
 *    is created or updated: the request tells us where it is);
 *  - any other request or reply updates an entry that already exists
 *    (REACHABLE for a reply sent to us, STALE otherwise) and never
 *    creates one: unsolicited "gratuitous" ARP for an address we do not
 *    know is ignored;
 *  - packets whose hardware or protocol type or lengths are not Ethernet
 *    and IPv4, truncated ones, and those with a multicast or loopback
 *    sender are dropped and counted in ierrors; a sender that is one of
 *    our own addresses (a conflict) changes nothing.
 *
 * Requests are sent by the neighbour table (net/neigh.c, its timers) via
 * ether_solicit: broadcast for INCOMPLETE, unicast to the known address
 * for PROBE, from a source address of the interface (0.0.0.0 if it has
 * none, as an RFC 5227 probe).
 */
#include "k/kernel.h"
#include "k/abi_net.h"
#include "net/if.h"
#include "net/if_ether.h"
#include "net/ether_var.h"
#include "net/route.h"
#include "net/netinet/in_pcb.h"

#define ARPHRD_ETHER_WIRE	1
#define ARPOP_REQUEST		1
#define ARPOP_REPLY		2

struct ether_arp {
	uint16_t ar_hrd, ar_pro;
	uint8_t ar_hln, ar_pln;
	uint16_t ar_op;
	uint8_t ar_sha[ETHER_ADDR_LEN];
	uint8_t ar_spa[4];
	uint8_t ar_tha[ETHER_ADDR_LEN];
	uint8_t ar_tpa[4];
} __attribute__((__packed__));

static void
arp_send(struct ifnet *ifp, int op, const uint8_t *dstmac,
    const uint8_t *tha, in_addr_t spa, in_addr_t tpa)
{
	struct ether_arp ar;
	struct mbuf *m;

	memset(&ar, 0, sizeof(ar));
	ar.ar_hrd = htons(ARPHRD_ETHER_WIRE);
	ar.ar_pro = htons(ETHERTYPE_IP);
	ar.ar_hln = ETHER_ADDR_LEN;
	ar.ar_pln = 4;
	ar.ar_op = htons((uint16_t)op);
	memcpy(ar.ar_sha, ifp->if_hwaddr, ETHER_ADDR_LEN);
	memcpy(ar.ar_spa, &spa, 4);
	if (tha != NULL)
		memcpy(ar.ar_tha, tha, ETHER_ADDR_LEN);
	memcpy(ar.ar_tpa, &tpa, 4);
	if ((m = m_gethdr(MT_DATA)) == NULL) {
		atomic_fetch_add(&ifp->if_cnt.odrops, 1);
		return;
	}
	m->m_len = 0;
	m->m_pkthdr.len = 0;
	if (m_append(m, sizeof(ar), &ar) != 0) {
		atomic_fetch_add(&ifp->if_cnt.odrops, 1);
		m_freem(m);
		return;
	}
	(void)ether_send(ifp, m, dstmac, ETHERTYPE_ARP);
}

void
arp_request(struct ifnet *ifp, const struct in6_addr *tip,
    const uint8_t *unicast)
{
	static const uint8_t bcast[ETHER_ADDR_LEN] =
	    { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	struct in6_addr src;

	if (if_srcaddr(ifp, AF_INET, tip, &src) != 0)
		in6_set_v4mapped(&src, INADDR_ANY);
	/* Linux leaves the target hardware address zero in a request. */
	arp_send(ifp, ARPOP_REQUEST, unicast != NULL ? unicast : bcast, NULL,
	    in6_v4addr(&src), in6_v4addr(tip));
}

static bool
bad_sender(in_addr_t a)
{
	uint32_t h = ntohl(a);

	return (h >> 28) == 0xe || (h >> 24) == 127 || h == 0xffffffffu;
}

void
arp_input(struct ifnet *ifp, struct mbuf *m)
{
	struct ether_arp ar;
	struct in6_addr sip, tip;
	in_addr_t spa, tpa;
	bool tome, request;
	uint16_t op;

	if (m->m_pkthdr.len < sizeof(ar))
		goto bad;
	m_copydata(m, 0, sizeof(ar), &ar);
	op = ntohs(ar.ar_op);
	if (ntohs(ar.ar_hrd) != ARPHRD_ETHER_WIRE ||
	    ntohs(ar.ar_pro) != ETHERTYPE_IP || ar.ar_hln != ETHER_ADDR_LEN ||
	    ar.ar_pln != 4 || (op != ARPOP_REQUEST && op != ARPOP_REPLY))
		goto bad;
	memcpy(&spa, ar.ar_spa, 4);
	memcpy(&tpa, ar.ar_tpa, 4);
	if ((ar.ar_sha[0] & 0x01) || bad_sender(spa) ||
	    (ntohl(tpa) >> 28) == 0xe || (ntohl(tpa) >> 24) == 127)
		goto bad;
	if (ifp->if_flags & IFF_NOARP)
		goto drop;
	in6_set_v4mapped(&sip, spa);
	in6_set_v4mapped(&tip, tpa);
	request = op == ARPOP_REQUEST;
	/* Our own address as sender: someone else uses it (or our echo). */
	if (spa != INADDR_ANY && if_ours(AF_INET, &sip, NULL) != NULL)
		goto drop;
	tome = if_ours(AF_INET, &tip, NULL) != NULL;
	if (request && tome) {
		/* An RFC 5227 probe (sender 0.0.0.0) teaches nothing. */
		if (spa != INADDR_ANY)
			neigh_update(ifp, AF_INET, &sip, ar.ar_sha,
			    ETHER_ADDR_LEN, false, true, true);
		arp_send(ifp, ARPOP_REPLY, ar.ar_sha, ar.ar_sha, tpa, spa);
	} else if (spa != INADDR_ANY) {
		/* A reply unicast to us answers our request. */
		bool solicited = !request && !(m->m_flags & (M_BCAST |
		    M_MCAST));

		neigh_update(ifp, AF_INET, &sip, ar.ar_sha, ETHER_ADDR_LEN,
		    solicited, false, true);
	}
	m_freem(m);
	return;
bad:
	atomic_fetch_add(&ifp->if_cnt.ierrors, 1);
drop:
	m_freem(m);
}
