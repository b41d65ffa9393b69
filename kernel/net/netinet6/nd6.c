/*
 * nd6.c: IPv6 neighbour discovery (RFC 4861) over Ethernet.
 * Not done yet: neighbour solicitations are not sent, so IPv6 next hops
 * on an Ethernet interface resolve only through permanent entries (ip
 * neigh add); everything else fails with EHOSTUNREACH after the
 * neighbour table's retries.
 */
#include "k/kernel.h"
#include "net/if.h"
#include "net/ether_var.h"

void
nd6_ns_output(struct ifnet *ifp, const struct in6_addr *target,
    const uint8_t *unicast)
{
	(void)ifp;
	(void)target;
	(void)unicast;
}

void
nd6_if_detached(struct ifnet *ifp)
{
	(void)ifp;
}
