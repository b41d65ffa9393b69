/*
 * route.c: the IPv4/IPv6 routing tables (contract in net/route.h).
 * Stub: the API compiles and answers EOPNOTSUPP until the tables land.
 */
#include "k/kernel.h"
#include "net/if.h"
#include "net/route.h"

void route_init(void) {}
int route_add(const struct route_info *ri, int flags)
{ (void)ri; (void)flags; return EOPNOTSUPP; }
int route_delete(const struct route_info *ri, bool match_metric)
{ (void)ri; (void)match_metric; return EOPNOTSUPP; }
int route_lookup(int af, const struct in6_addr *dst, int oif,
    struct route_info *out)
{ (void)af; (void)dst; (void)oif; (void)out; return EOPNOTSUPP; }
int route_walk(int af, int table, int *pos,
    int (*fn)(const struct route_info *ri, void *arg), void *arg)
{ (void)af; (void)table; (void)fn; (void)arg; if (pos) *pos = 0; return 0; }
uint64_t route_genid(void) { return 0; }
void route_ifa_added(struct ifnet *ifp, int af, const struct in6_addr *addr,
    int plen) { (void)ifp; (void)af; (void)addr; (void)plen; }
void route_ifa_removed(struct ifnet *ifp, int af,
    const struct in6_addr *addr, int plen)
{ (void)ifp; (void)af; (void)addr; (void)plen; }
void route_if_detached(struct ifnet *ifp) { (void)ifp; }
bool ip_forwarding(int af) { (void)af; return false; }
