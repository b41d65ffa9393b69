/*
 * in6_ioctl.c: the IPv6 route and address ioctls of AF_INET6 sockets, as
 * net-tools' `route -A inet6` and `ifconfig X inet6 add/del` send them:
 * SIOCADDRT/SIOCDELRT with a struct in6_rtmsg (what Linux's
 * ipv6_route_ioctl makes of one: table main, metric 1024 when 0, a
 * route through no interface and no gateway ENODEV, a gateway through
 * lo refused as route6_gw_lo says), SIOCSIFADDR/
 * SIOCDIFADDR with a struct in6_ifreq (addrconf_add_ifaddr/del_ifaddr:
 * a permanent address with its prefix route; the delete names the prefix
 * length too).  Errnos as Linux's: a prefix past 128 EINVAL, an unknown
 * index ENODEV, an existing route or address EEXIST, a missing route
 * ESRCH, a missing address EADDRNOTAVAIL.  Privilege was checked by the
 * caller (if_ioctl.c).
 */
#include "k/kernel.h"
#include "k/abi.h"
#include "k/abi_netcfg.h"
#include "net/if_cfg.h"
#include "net/route.h"
#include "net/netinet/in_pcb.h"

int
route6_ioctl(unsigned long cmd, void *data)
{
	struct in6_rtmsg rt;
	struct route_info ri;
	int error;

	if ((error = copyin(data, &rt, sizeof(rt))) != 0)
		return error;
	if (rt.rtmsg_dst_len > 128 || rt.rtmsg_src_len > 128)
		return EINVAL;
	if (rt.rtmsg_ifindex != 0 && if_byindex(rt.rtmsg_ifindex) == NULL)
		return ENODEV;
	memset(&ri, 0, sizeof(ri));
	ri.ri_af = AF_INET6;
	ri.ri_table = RT_TABLE_MAIN;
	ri.ri_dst = rt.rtmsg_dst;
	ri.ri_plen = rt.rtmsg_dst_len;
	ri.ri_ifindex = rt.rtmsg_ifindex;
	ri.ri_metric = rt.rtmsg_metric != 0 ? rt.rtmsg_metric :
	    RT6_METRIC_USER;
	if (rt.rtmsg_flags & RTF_GATEWAY) {
		ri.ri_gw = rt.rtmsg_gateway;
		ri.ri_flags |= RTF_GATEWAY;
	}
	/* route_add keeps dst masked to plen, as Linux's fib6 does. */
	for (int i = 0; i < 16; i++) {
		int b = ri.ri_plen - 8 * i;

		ri.ri_dst.s6_addr[i] &= b >= 8 ? 0xff : b <= 0 ? 0 :
		    (uint8_t)(0xff << (8 - b));
	}
	if (cmd == SIOCDELRT)
		return route_delete(&ri, false);
	ri.ri_protocol = RTPROT_BOOT;
	ri.ri_type = (rt.rtmsg_flags & RTF_REJECT) ? RTN_UNREACHABLE :
	    RTN_UNICAST;
	if (ri.ri_type == RTN_UNICAST && ri.ri_ifindex == 0 &&
	    !(ri.ri_flags & RTF_GATEWAY))
		return ENODEV;
	if ((error = route6_gw_lo(&ri)) != 0)
		return error;
	return route_add(&ri, RT_F_CREATE | RT_F_EXCL);
}

/* Does ifp have addr with prefix length plen? */
static bool
has_addr6(struct ifnet *ifp, const struct in6_addr *addr, int plen)
{
	struct ifaddr *ifa;
	bool found = false;

	rw_enter(&if_lock, false);
	TAILQ_FOREACH(ifa, &ifp->if_ifa6, ifa_list)
		if (in6_equal(&ifa->ifa_addr, addr) && ifa->ifa_plen == plen)
			found = true;
	rw_exit(&if_lock);
	return found;
}

int
in6_addr_ioctl(unsigned long cmd, void *data)
{
	struct in6_ifreq r;
	struct ifnet *ifp;
	int error;

	if ((error = copyin(data, &r, sizeof(r))) != 0)
		return error;
	if (r.ifr6_prefixlen > 128)
		return EINVAL;
	if ((ifp = if_byindex(r.ifr6_ifindex)) == NULL)
		return ENODEV;
	if (cmd == SIOCDIFADDR) {
		if (!has_addr6(ifp, &r.ifr6_addr, (int)r.ifr6_prefixlen))
			return EADDRNOTAVAIL;
		return if_addr_del(ifp, AF_INET6, &r.ifr6_addr);
	}
	/* Not an interface's address: multicast, ::, v4-mapped. */
	if (in6_is_multicast(&r.ifr6_addr) || in6_is_unspec(&r.ifr6_addr) ||
	    in6_is_v4mapped(&r.ifr6_addr))
		return EINVAL;
	return if_addr_add(ifp, AF_INET6, &r.ifr6_addr,
	    (int)r.ifr6_prefixlen, 0);
}
