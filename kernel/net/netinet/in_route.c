/*
 * in_route.c: the route lookup of the output path (our own addresses,
 * 127/8 and ::1 go to lo; broadcasts and multicast to their interface;
 * the rest by the routing table of net/route.c), source address
 * selection and the path MTU cache (contract in netinet/ip_var.h).
 *
 * The PMTU cache is a small array under pmtu_lock (a leaf lock), entries
 * expiring after 10 minutes as Linux's net.ipv4.route.mtu_expires.
 */
#include "k/kernel.h"
#include "k/abi_net.h"
#include "net/if.h"
#include "net/route.h"
#include "net/netinet/in_pcb.h"
#include "net/netinet/ip_var.h"
#include "net/netinet/in_var.h"

#define PMTU_SLOTS	64
#define PMTU_EXPIRE_NS	(600LL * 1000000000LL)
#define IP_MIN_PMTU	552		/* Linux's net.ipv4.route.min_pmtu */

struct pmtu_ent {
	struct in6_addr dst;
	uint32_t mtu;
	int64_t expires;		/* uptime ns, 0: free */
};
static kmutex_t pmtu_lock;
static struct pmtu_ent pmtu_tab[PMTU_SLOTS];

static int64_t
uptime_ns(void)
{
	struct timespec ts;

	getnanouptime(&ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void
in_pmtu_init(void)
{
	mutex_init(&pmtu_lock);
}

static uint32_t
pmtu_cached(const struct in6_addr *dst)
{
	int64_t now = uptime_ns();
	uint32_t mtu = 0;

	mutex_enter(&pmtu_lock);
	for (int i = 0; i < PMTU_SLOTS; i++) {
		struct pmtu_ent *e = &pmtu_tab[i];

		if (e->expires != 0 && e->expires <= now)
			e->expires = 0;
		if (e->expires != 0 && in6_equal(&e->dst, dst)) {
			mtu = e->mtu;
			break;
		}
	}
	mutex_exit(&pmtu_lock);
	return mtu;
}

void
in_pmtu_update(int af, const struct in6_addr *dst, uint32_t mtu)
{
	struct pmtu_ent *slot = NULL;
	int64_t now = uptime_ns();

	if (af == AF_INET && mtu < IP_MIN_PMTU)
		mtu = IP_MIN_PMTU;
	if (af == AF_INET6 && mtu < IPV6_MINMTU)
		mtu = IPV6_MINMTU;
	mutex_enter(&pmtu_lock);
	for (int i = 0; i < PMTU_SLOTS; i++) {
		struct pmtu_ent *e = &pmtu_tab[i];

		if (e->expires != 0 && in6_equal(&e->dst, dst)) {
			slot = e;
			break;
		}
		if (slot == NULL && (e->expires == 0 || e->expires <= now))
			slot = e;
	}
	if (slot == NULL)
		slot = &pmtu_tab[dst->s6_addr32[3] % PMTU_SLOTS];
	/* An update only lowers the MTU (a larger value is a forgery). */
	if (slot->expires == 0 || !in6_equal(&slot->dst, dst) ||
	    mtu < slot->mtu) {
		slot->dst = *dst;
		slot->mtu = mtu;
	}
	slot->expires = now + PMTU_EXPIRE_NS;
	mutex_exit(&pmtu_lock);
}

/* Fills ro for a packet leaving through ifp towards nexthop. */
static int
route_via(struct ifnet *ifp, int af, const struct in6_addr *dst,
    const struct in6_addr *nexthop, const struct in6_addr *prefsrc,
    uint32_t mtu, struct in_route *ro)
{
	uint32_t pm;

	ro->ro_ifp = ifp;
	ro->ro_nexthop = *nexthop;
	ro->ro_mtu = mtu != 0 && mtu < ifp->if_mtu ? mtu : ifp->if_mtu;
	if ((pm = pmtu_cached(dst)) != 0 && pm < ro->ro_mtu)
		ro->ro_mtu = pm;
	if (prefsrc != NULL) {
		ro->ro_src = *prefsrc;
		return 0;
	}
	/* The address on the next hop's subnet, as Linux's
	 * inet_select_addr(dev, gateway) prefers. */
	return if_srcaddr(ifp, af, nexthop, &ro->ro_src);
}

int
in_route_lookup(int af, const struct in6_addr *dst, int ifindex,
    struct in_route *ro)
{
	struct ifnet *ifp, *want = NULL;
	struct route_info ri;
	bool bcast = false;
	uint32_t pm;
	int error;

	memset(ro, 0, sizeof(*ro));
	if (ifindex != 0 && (want = if_byindex(ifindex)) == NULL)
		return ENODEV;
	ifp = if_ours(af, dst, &bcast);
	if (ifp != NULL && bcast && want != NULL &&
	    !(want->if_flags & IFF_LOOPBACK)) {
		/* A broadcast sent out of the interface asked for. */
		ro->ro_bcast = true;
		return route_via(want, af, dst, dst, NULL, 0, ro);
	}
	if (ifp != NULL && bcast && !(ifp->if_flags & IFF_LOOPBACK)) {
		/* A directed broadcast of one of our subnets: the wire. */
		ro->ro_bcast = true;
		return route_via(ifp, af, dst, dst, NULL, 0, ro);
	}
	if (ifp == NULL && ((af == AF_INET &&
	    IN_MULTICAST(ntohl(in6_v4addr(dst)))) ||
	    (af == AF_INET6 && in6_is_multicast(dst)))) {
		/* Multicast: the interface asked for, else the route to the
		 * group, else the loopback (as part 1: a kernel without
		 * interfaces still loops its multicast back). */
		if (want != NULL && !(want->if_flags & IFF_LOOPBACK))
			return route_via(want, af, dst, dst, NULL, 0, ro);
		if (want == NULL && route_lookup(af, dst, 0, &ri) == 0 &&
		    ri.ri_type == RTN_UNICAST &&
		    (ifp = if_byindex(ri.ri_ifindex)) != NULL &&
		    !(ifp->if_flags & IFF_LOOPBACK))
			return route_via(ifp, af, dst, dst, NULL, ri.ri_mtu,
			    ro);
		ifp = lo_ifp;
	}
	if (ifp == NULL) {
		/* Not ours: the routing table (net/route.c). */
		if ((error = route_lookup(af, dst, ifindex, &ri)) != 0)
			return error;
		if ((ifp = if_byindex(ri.ri_ifindex)) == NULL)
			return ENETUNREACH;
		if (ri.ri_type == RTN_BROADCAST)
			ro->ro_bcast = true;
		if (ri.ri_type != RTN_LOCAL)
			return route_via(ifp, af, dst,
			    (ri.ri_flags & RTF_GATEWAY) ? &ri.ri_gw : dst,
			    ri.ri_has_prefsrc ? &ri.ri_prefsrc : NULL,
			    ri.ri_mtu, ro);
	}
	if (want != NULL && want != ifp && !(ifp->if_flags & IFF_LOOPBACK)) {
		/* Bound elsewhere: only lo reaches our own addresses. */
		return ENETUNREACH;
	}
	/* Local traffic leaves through the loopback (Linux's local table). */
	ro->ro_ifp = lo_ifp != NULL ? lo_ifp : ifp;
	ro->ro_local = true;
	ro->ro_bcast = bcast;
	ro->ro_nexthop = *dst;
	ro->ro_mtu = ro->ro_ifp->if_mtu;
	if ((pm = pmtu_cached(dst)) != 0 && pm < ro->ro_mtu)
		ro->ro_mtu = pm;
	/* The source: the destination itself when it is an address of ours
	 * (not a broadcast or a loopback-prefix alias), else lo's primary. */
	if (af == AF_INET && !bcast && if_ours(AF_INET, dst, NULL) != NULL) {
		struct in6_addr a;

		in6_set_v4mapped(&a, htonl(INADDR_LOOPBACK));
		if (IN_LOOPBACK(ntohl(in6_v4addr(dst))))
			ro->ro_src = a;
		else
			ro->ro_src = *dst;
		return 0;
	}
	if (af == AF_INET6 && !in6_is_multicast(dst)) {
		ro->ro_src = *dst;
		return 0;
	}
	return if_srcaddr(ro->ro_ifp, af, dst, &ro->ro_src);
}

int
in_selectsrc(int af, const struct in6_addr *dst, int ifindex,
    struct in6_addr *src)
{
	struct in_route ro;
	int error;

	if ((error = in_route_lookup(af, dst, ifindex, &ro)) != 0)
		return error;
	*src = ro.ro_src;
	return 0;
}

uint32_t
in_pathmtu(int af, const struct in6_addr *dst)
{
	struct in_route ro;

	if (in_route_lookup(af, dst, 0, &ro) != 0)
		return af == AF_INET ? 576 : IPV6_MINMTU;
	return ro.ro_mtu;
}

uint32_t
in_maxmss(int af, const struct in6_addr *dst)
{
	uint32_t mtu = in_pathmtu(af, dst);
	uint32_t hdr = (af == AF_INET ? 20 : 40) + 20;

	/* The IP length field caps a segment over a 64 KiB MTU. */
	if (mtu > IP_MAXPACKET)
		mtu = IP_MAXPACKET;
	return mtu > hdr ? mtu - hdr : 0;
}
