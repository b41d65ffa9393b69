/*
 * in_route.c: the route lookup of part 1 (every local address, 127/8 and
 * ::1 go to lo; nothing else is reachable), source address selection and
 * the path MTU cache (contract in netinet/ip_var.h).
 *
 * The PMTU cache is a small array under pmtu_lock (a leaf lock), entries
 * expiring after 10 minutes as Linux's net.ipv4.route.mtu_expires.
 */
#include "k/kernel.h"
#include "k/abi_net.h"
#include "net/if.h"
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

int
in_route_lookup(int af, const struct in6_addr *dst, int ifindex,
    struct in_route *ro)
{
	struct ifnet *ifp;
	bool bcast = false;
	uint32_t pm;

	memset(ro, 0, sizeof(*ro));
	ifp = if_ours(af, dst, &bcast);
	if (ifp == NULL && af == AF_INET &&
	    IN_MULTICAST(ntohl(in6_v4addr(dst))))
		ifp = lo_ifp;		/* multicast loops back on lo */
	if (ifp == NULL && af == AF_INET6 && in6_is_multicast(dst))
		ifp = lo_ifp;
	if (ifp == NULL)
		return ENETUNREACH;
	if (ifindex != 0 && ifindex != ifp->if_index) {
		struct ifnet *want = if_byindex(ifindex);

		if (want == NULL)
			return ENODEV;
		/* Bound elsewhere: only lo reaches our own addresses. */
		if (!(ifp->if_flags & IFF_LOOPBACK))
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
