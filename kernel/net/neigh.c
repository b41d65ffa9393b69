/*
 * neigh.c: the neighbour table, ARP and ND entries (contract in
 * net/route.h).  Stub: answers EOPNOTSUPP until the table lands.
 */
#include "k/kernel.h"
#include "net/if.h"
#include "net/route.h"

void neigh_init(void) {}
int neigh_add(const struct neigh_info *ni, int flags)
{ (void)ni; (void)flags; return EOPNOTSUPP; }
int neigh_delete(int af, const struct in6_addr *addr, int ifindex)
{ (void)af; (void)addr; (void)ifindex; return EOPNOTSUPP; }
int neigh_lookup(int af, const struct in6_addr *addr, int ifindex,
    struct neigh_info *out)
{ (void)af; (void)addr; (void)ifindex; (void)out; return EOPNOTSUPP; }
int neigh_walk(int af, int ifindex, int *pos,
    int (*fn)(const struct neigh_info *ni, void *arg), void *arg)
{ (void)af; (void)ifindex; (void)fn; (void)arg; if (pos) *pos = 0; return 0; }
int neigh_flush(int af, int ifindex) { (void)af; (void)ifindex; return 0; }
int neigh_resolve(struct ifnet *ifp, int af, const struct in6_addr *nexthop,
    struct mbuf *m, uint8_t *lladdr)
{ (void)ifp; (void)af; (void)nexthop; (void)lladdr; m_freem(m); return EOPNOTSUPP; }
void neigh_update(struct ifnet *ifp, int af, const struct in6_addr *addr,
    const uint8_t *lladdr, int lllen, bool solicited, bool create,
    bool override)
{ (void)ifp; (void)af; (void)addr; (void)lladdr; (void)lllen;
  (void)solicited; (void)create; (void)override; }
void neigh_if_detached(struct ifnet *ifp) { (void)ifp; }
