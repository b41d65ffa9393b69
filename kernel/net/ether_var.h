/*
 * ether_var.h: inside the Ethernet layer - what if_ether.c, if_arp.c,
 * nd6.c and neigh.c call of each other (drivers use net/if_ether.h).
 */
#ifndef NET_ETHER_VAR_H
#define NET_ETHER_VAR_H

#include "net/if.h"
#include "net/if_ether.h"

/* if_ether.c */
int ether_output(struct ifnet *ifp, struct mbuf *m, int af,
    const struct in6_addr *nexthop);
/* Frames m (a packet, l3 first) to dst with type and sends it; owns m. */
int ether_send(struct ifnet *ifp, struct mbuf *m, const uint8_t *dst,
    uint16_t type);
bool ether_mcast_map(int af, const struct in6_addr *group,
    uint8_t mac[ETHER_ADDR_LEN]);
/*
 * neigh.c asks for a solicitation of addr: an ARP request or a neighbour
 * solicitation, to unicast (the entry's old lladdr: a probe) or, when
 * NULL, broadcast / the solicited-node group.  No lock held.
 */
void ether_solicit(struct ifnet *ifp, int af, const struct in6_addr *addr,
    const uint8_t *unicast);

/* netinet/if_arp.c: an ARP packet (from its header on); owns m. */
void arp_input(struct ifnet *ifp, struct mbuf *m);
void arp_request(struct ifnet *ifp, const struct in6_addr *tip,
    const uint8_t *unicast);

/* netinet6/nd6.c */
void nd6_ns_output(struct ifnet *ifp, const struct in6_addr *target,
    const uint8_t *unicast);
void nd6_if_detached(struct ifnet *ifp);
struct ip_rcv;
/* An NS or NA (from icmp6_input, checksum checked); does not own m. */
void nd6_input(struct mbuf *m, const struct ip_rcv *r);
/* A tentative address was added (if_addr_add): one DAD probe, a timer. */
void nd6_dad_start(struct ifnet *ifp, const struct in6_addr *addr);
/* The interface came up: its EUI-64 link-local address (then DAD). */
void nd6_ifup(struct ifnet *ifp);

#endif /* NET_ETHER_VAR_H */
