/*
 * if_ether.h: the Ethernet layer (net/if_ether.c, net/netinet/if_arp.c,
 * net/netinet6/nd6.c) - the contract between the link-layer drivers
 * (shmif, tap, the test driver etest) and the network layer.
 *
 * A driver fills a struct ifnet's name and if_softc, then calls
 * ether_ifattach() with its link address and its transmit function.  The
 * layer sets if_type ARPHRD_ETHER, the hardware address, MTU 1500,
 * IFF_BROADCAST | IFF_MULTICAST, if_output (ether_output: next hop to
 * link address through neigh_resolve, ARP/ND solicitations, framing) and
 * if_mcast (the multicast filter), and attaches the interface.
 *
 * Receive: the driver hands each whole frame (from the destination MAC
 * on, no FCS) to ether_input(), from its receive thread, no lock held.
 * The layer counts it, filters on the destination (ours, broadcast, a
 * joined multicast group; everything under IFF_PROMISC or IFF_ALLMULTI
 * for multicasts), drops runts and frames longer than MTU + header
 * (ierrors), and dispatches by ethertype: IPv4 to if_input, ARP to
 * arp_input, IPv6 to if_input (ND is ICMPv6, reached from icmp6_input).
 * Bad frames are dropped and counted, never a crash.
 *
 * Transmit: the layer calls the driver's xmit with a whole frame
 * (m_pkthdr.len set, at most if_mtu + ETHER_HDR_LEN bytes); xmit owns
 * it and returns 0 or an errno (ENOBUFS: queue full, ENETDOWN: no
 * carrier).  It is called with no lock held and may block briefly.
 */
#ifndef NET_IF_ETHER_H
#define NET_IF_ETHER_H

#include "net/if.h"

#define ETHER_ADDR_LEN	6
#define ETHER_HDR_LEN	14
#define ETHER_MIN_LEN	60		/* without FCS: shorter is padded */
#define ETHERMTU	1500
#define ETHERTYPE_IP	0x0800
#define ETHERTYPE_ARP	0x0806
#define ETHERTYPE_IPV6	0x86dd

struct ether_header {
	uint8_t ether_dhost[ETHER_ADDR_LEN];
	uint8_t ether_shost[ETHER_ADDR_LEN];
	uint16_t ether_type;		/* network order */
} __attribute__((__packed__));

typedef int (*ether_xmit_t)(struct ifnet *ifp, struct mbuf *frame);

/* Attaches ifp as an Ethernet interface (if_attach's errnos). */
int ether_ifattach(struct ifnet *ifp, const uint8_t lladdr[ETHER_ADDR_LEN],
    ether_xmit_t xmit);
/* Detaches it: neighbours, multicast memberships and addresses go. */
void ether_ifdetach(struct ifnet *ifp);
/* A received frame; owns m. */
void ether_input(struct ifnet *ifp, struct mbuf *m);
/* A random locally administered unicast address (02:xx:...). */
void ether_randaddr(uint8_t lladdr[ETHER_ADDR_LEN]);
/*
 * For a driver whose link says a received frame's TCP checksum was left
 * undone by a sender it trusts (shmif's SHMIF_FR_CSUM_TCP, tap's
 * NEEDS_CSUM): the offset of the TCP header from the IP header when the
 * frame m (Ethernet header at 0, len bytes in its first mbuf) is an
 * unfragmented IPv4 or an IPv6 TCP packet with TCP as the first next
 * header, with room for the TCP header; else -1 (the driver counts an
 * input error).  With an offset the driver marks m M_CSUM_TCP |
 * M_CSUM_DATA_VALID at l4off: TCP takes it as verified, and a kernel
 * forwarding it fills the checksum (in_ifoutput).
 */
int ether_tcp_l4off(const struct mbuf *m);

#endif /* NET_IF_ETHER_H */
