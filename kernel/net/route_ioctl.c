/*
 * route_ioctl.c: the route and ARP ioctls of AF_INET sockets, as
 * net-tools' route(8) and arp(8) send them: SIOCADDRT/SIOCDELRT with a
 * struct rtentry (Linux's ip_rt_ioctl and rtentry_to_fib_config) over
 * route_add/route_delete, and SIOCSARP/SIOCGARP/SIOCDARP with a struct
 * arpreq (arp_ioctl, arp_req_set/get/delete) over neigh_*.  The errnos
 * are Linux's: a mask that is not contiguous or a destination with bits
 * outside it EINVAL, an unknown rt_dev/arp_dev ENODEV, a missing route
 * ESRCH, an ARP address that is not IPv4 EPFNOSUPPORT, a hardware
 * address of another type than the device's EINVAL, no route to the
 * address ENETUNREACH, no entry ENXIO.  Proxy ARP (ATF_PUBL) is not
 * kept: EOPNOTSUPP.  Privilege was checked by the caller (if_ioctl.c).
 */
#include "k/kernel.h"
#include "k/abi.h"
#include "k/abi_netcfg.h"
#include "net/if_cfg.h"
#include "net/route.h"
#include "net/netinet/in_pcb.h"

#define ATF_NETMASK	0x20
#define ATF_DONTPUB	0x40

static in_addr_t
sin_addr(const struct sockaddr *sa)
{
	in_addr_t a;

	memcpy(&a, sa->sa_data + 2, 4);
	return a;
}

/* The prefix length of a contiguous mask, or -1. */
static int
mask_plen(in_addr_t mask)
{
	uint32_t m = ntohl(mask);
	int n = 0;

	while (n < 32 && (m & (0x80000000u >> n)))
		n++;
	return (n == 32 ? 0 : m << n) != 0 ? -1 : n;
}

/* rt_dev (a user pointer, or NULL) as an interface: ENODEV. */
static int
rt_dev(const char *udev, int *ifindex)
{
	char name[IFNAMSIZ], *colon;
	struct ifnet *ifp;
	size_t n;
	int error;

	*ifindex = 0;
	if (udev == NULL)
		return 0;
	if ((error = copyinstr(udev, name, sizeof(name), &n)) != 0)
		return error == ENAMETOOLONG ? ENODEV : error;
	if ((colon = strchr(name, ':')) != NULL)	/* an alias: its device */
		*colon = '\0';
	if ((ifp = if_byname(name)) == NULL)
		return ENODEV;
	*ifindex = ifp->if_index;
	return 0;
}

int
route_ioctl(unsigned long cmd, void *data)
{
	struct rtentry rt;
	struct route_info ri;
	in_addr_t dst, mask, gw;
	int plen, error;

	if ((error = copyin(data, &rt, sizeof(rt))) != 0)
		return error;
	if (rt.rt_dst.sa_family != AF_INET)
		return EAFNOSUPPORT;
	memset(&ri, 0, sizeof(ri));
	ri.ri_af = AF_INET;
	ri.ri_table = RT_TABLE_MAIN;
	dst = sin_addr(&rt.rt_dst);
	if (rt.rt_flags & RTF_HOST) {
		plen = 32;
	} else {
		mask = rt.rt_genmask.sa_family == AF_INET ||
		    rt.rt_genmask.sa_family == AF_UNSPEC ?
		    sin_addr(&rt.rt_genmask) : 0;
		/* A default route may come without a mask. */
		if (dst == 0 && rt.rt_genmask.sa_family != AF_INET)
			mask = 0;
		if ((plen = mask_plen(mask)) < 0 || (dst & ~mask) != 0)
			return EINVAL;
	}
	in6_set_v4mapped(&ri.ri_dst, dst);
	ri.ri_plen = plen;
	if ((error = rt_dev(rt.rt_dev, &ri.ri_ifindex)) != 0)
		return error;
	/* rt_metric is the user's metric plus one (route(8) adds it). */
	if (rt.rt_metric > 0)
		ri.ri_metric = (uint32_t)(rt.rt_metric - 1);
	gw = rt.rt_gateway.sa_family == AF_INET ? sin_addr(&rt.rt_gateway) :
	    0;
	if (gw != 0) {
		in6_set_v4mapped(&ri.ri_gw, gw);
		ri.ri_flags |= RTF_GATEWAY;
	}
	if (cmd == SIOCDELRT)
		return route_delete(&ri, rt.rt_metric > 0);
	if ((rt.rt_flags & RTF_GATEWAY) && gw == 0)
		return EINVAL;
	ri.ri_protocol = RTPROT_BOOT;
	ri.ri_type = (rt.rt_flags & RTF_REJECT) ? RTN_UNREACHABLE :
	    RTN_UNICAST;
	if (ri.ri_type == RTN_UNICAST && ri.ri_ifindex == 0 && gw == 0)
		return ENODEV;	/* nowhere to send: Linux's "no device" */
	if (rt.rt_flags & RTF_MTU)
		ri.ri_mtu = (uint32_t)rt.rt_mtu;
	return route_add(&ri, RT_F_CREATE | RT_F_EXCL);
}

/* --- ARP ------------------------------------------------------------------ */

/* The interface for an arpreq without a device: the one the route to
 * the address leaves by (Linux's ip_route_output, scope link). */
static int
arp_dev_for(const struct in6_addr *a, struct ifnet **ifpp)
{
	struct route_info ri;
	int error;

	if ((error = route_lookup(AF_INET, a, 0, &ri)) != 0)
		return error;
	if ((*ifpp = if_byindex(ri.ri_ifindex)) == NULL)
		return EINVAL;
	return 0;
}

int
arp_ioctl(unsigned long cmd, void *data)
{
	struct arpreq r;
	struct neigh_info ni;
	struct ifnet *ifp = NULL;
	struct in6_addr a;
	int error;

	if ((error = copyin(data, &r, sizeof(r))) != 0)
		return error;
	if (r.arp_pa.sa_family != AF_INET)
		return EPFNOSUPPORT;
	if (!(r.arp_flags & ATF_PUBL) &&
	    (r.arp_flags & (ATF_NETMASK | ATF_DONTPUB)))
		return EINVAL;
	r.arp_dev[sizeof(r.arp_dev) - 1] = '\0';
	if (r.arp_dev[0] != '\0' && (ifp = if_byname(r.arp_dev)) == NULL)
		return ENODEV;
	if (r.arp_flags & ATF_PUBL)
		return cmd == SIOCGARP ? ENXIO : EOPNOTSUPP;
	in6_set_v4mapped(&a, sin_addr(&r.arp_pa));
	switch (cmd) {
	case SIOCGARP:
		if (ifp == NULL)
			return ENODEV;
		if (neigh_lookup(AF_INET, &a, ifp->if_index, &ni) != 0)
			return ENXIO;
		if (!(ni.ni_state & NUD_NOARP)) {
			memset(&r.arp_ha, 0, sizeof(r.arp_ha));
			memcpy(r.arp_ha.sa_data, ni.ni_lladdr,
			    (size_t)MIN(ni.ni_lllen, 14));
			r.arp_ha.sa_family = (sa_family_t)ifp->if_type;
			r.arp_flags = (ni.ni_state & NUD_PERMANENT) ?
			    ATF_PERM | ATF_COM :
			    (ni.ni_state & NUD_VALID) ? ATF_COM : 0;
			kstrlcpy(r.arp_dev, ifp->if_name, sizeof(r.arp_dev));
		}
		return copyout(&r, data, sizeof(r));
	case SIOCSARP:
		if (ifp == NULL && (error = arp_dev_for(&a, &ifp)) != 0)
			return error;
		if (r.arp_ha.sa_family != (sa_family_t)ifp->if_type)
			return EINVAL;
		memset(&ni, 0, sizeof(ni));
		ni.ni_af = AF_INET;
		ni.ni_addr = a;
		ni.ni_ifindex = ifp->if_index;
		ni.ni_state = (r.arp_flags & ATF_PERM) ? NUD_PERMANENT :
		    NUD_STALE;
		if (r.arp_flags & ATF_COM) {
			ni.ni_lllen = ifp->if_hwlen;
			memcpy(ni.ni_lladdr, r.arp_ha.sa_data,
			    (size_t)MIN(ni.ni_lllen, NEIGH_LLMAX));
		} else {
			/* No address: Linux makes an entry to resolve. */
			ni.ni_state = NUD_INCOMPLETE;
		}
		return neigh_add(&ni, RT_F_CREATE | RT_F_REPLACE);
	default:	/* SIOCDARP */
		if (ifp == NULL && (error = arp_dev_for(&a, &ifp)) != 0)
			return error;
		return neigh_delete(AF_INET, &a, ifp->if_index) == 0 ? 0 :
		    ENXIO;
	}
}
