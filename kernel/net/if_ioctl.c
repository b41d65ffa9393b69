/*
 * if_ioctl.c: the classic interface, route and ARP ioctls on any socket
 * (netdevice(7), arp(7), route(8)'s SIOCADDRT), as Linux answers them.
 *
 * Linux splits them: the device ones (flags, MTU, index, name, hardware
 * address, queue length, map, SIOCGIFCONF) work on a socket of any
 * family (net/core/dev_ioctl.c); the IPv4 address ones and SIOCADDRT and
 * the ARP ones only on AF_INET sockets (net/ipv4/devinet.c, af_inet.c),
 * others answer ENOTTY; on AF_INET6 sockets SIOCADDRT/SIOCDELRT and
 * SIOCSIFADDR/SIOCDIFADDR take the IPv6 structs (net/in6_ioctl.c).  Setting needs CAP_NET_ADMIN (EPERM, checked
 * before the name is looked up); an unknown name is ENODEV; a bad pointer
 * EFAULT.  The socket layer calls netcfg_ioctl with no lock held.
 */
#include "k/kernel.h"
#include "k/abi.h"
#include "k/abi_netcfg.h"
#include "k/socket.h"
#include "net/if_cfg.h"
#include "net/netinet/in_pcb.h"

static int
ifconf(struct ifconf *uifc)
{
	struct ifconf ifc;
	struct ifnet *ifp;
	struct ifaddr *ifa;
	char *pos;
	int len, total = 0, error = 0;

	if ((error = copyin(uifc, &ifc, sizeof(ifc))) != 0)
		return error;
	pos = ifc.ifc_ifcu.ifcu_buf;
	len = ifc.ifc_len;
	rw_enter(&if_lock, false);
	TAILQ_FOREACH(ifp, &if_all, if_list) {
		if (ifp->if_gone)
			continue;
		TAILQ_FOREACH(ifa, &ifp->if_ifa4, ifa_list) {
			struct ifreq ifr;
			struct sockaddr_in *sin =
			    (struct sockaddr_in *)&ifr.ifr_addr;

			if (pos == NULL) {
				total += (int)sizeof(ifr);
				continue;
			}
			if (len - total < (int)sizeof(ifr))
				goto full;
			memset(&ifr, 0, sizeof(ifr));
			kstrlcpy(ifr.ifr_name, ifp->if_name, IFNAMSIZ);
			sin->sin_family = AF_INET;
			sin->sin_addr.s_addr = in6_v4addr(&ifa->ifa_addr);
			/* copyout is a memcpy or a recoverable fault: it
			 * does not sleep under the read lock. */
			if ((error = copyout(&ifr, pos + total,
			    sizeof(ifr))) != 0)
				goto full;
			total += (int)sizeof(ifr);
		}
	}
full:
	rw_exit(&if_lock);
	if (error != 0)
		return error;
	return copyout(&total, &uifc->ifc_len, sizeof(total));
}

/* The interface of ifr (the name NUL-terminated first); ENODEV. */
static struct ifnet *
ifr_dev(struct ifreq *ifr, bool alias)
{
	char name[IFNAMSIZ], *colon;

	ifr->ifr_name[IFNAMSIZ - 1] = '\0';
	kstrlcpy(name, ifr->ifr_name, sizeof(name));
	if (alias && (colon = strchr(name, ':')) != NULL)
		*colon = '\0';
	return if_byname(name);
}

/* The device ioctls (dev_ioctl): any family.  *out: copy ifr back. */
static int
dev_ioctl(unsigned long cmd, struct ifreq *ifr, bool *out)
{
	struct ifnet *ifp;

	switch (cmd) {
	case SIOCSIFFLAGS: case SIOCSIFMETRIC: case SIOCSIFMTU:
	case SIOCSIFHWADDR: case SIOCSIFMAP: case SIOCSIFTXQLEN:
	case SIOCSIFNAME:
		if (!netcfg_priv())
			return EPERM;
		break;
	case SIOCGIFNAME:
		ifp = if_byindex(ifr->ifr_ifindex);
		if (ifp == NULL)
			return ENODEV;
		rw_enter(&if_lock, false);
		kstrlcpy(ifr->ifr_name, ifp->if_name, IFNAMSIZ);
		rw_exit(&if_lock);
		*out = true;
		return 0;
	case SIOCGIFFLAGS: case SIOCGIFMETRIC: case SIOCGIFMTU:
	case SIOCGIFHWADDR: case SIOCGIFMAP: case SIOCGIFINDEX:
	case SIOCGIFTXQLEN:
		break;
	default:
		return ENOTTY;
	}
	if ((ifp = ifr_dev(ifr, false)) == NULL)
		return ENODEV;
	switch (cmd) {
	case SIOCGIFFLAGS:
		ifr->ifr_flags = (short)ifc_getflags(ifp);
		break;
	case SIOCGIFMETRIC:
		ifr->ifr_metric = 0;
		break;
	case SIOCGIFMTU:
		ifr->ifr_mtu = (int)ifp->if_mtu;
		break;
	case SIOCGIFHWADDR:
		memset(&ifr->ifr_addr, 0, sizeof(ifr->ifr_addr));
		memcpy(ifr->ifr_addr.sa_data, ifp->if_hwaddr,
		    (size_t)MIN(ifp->if_hwlen, 8));
		ifr->ifr_addr.sa_family = (sa_family_t)ifp->if_type;
		break;
	case SIOCGIFMAP:
		memset(&ifr->ifr_map, 0, sizeof(ifr->ifr_map));
		break;
	case SIOCGIFINDEX:
		ifr->ifr_ifindex = ifp->if_index;
		break;
	case SIOCGIFTXQLEN:
		ifr->ifr_qlen = ifp->if_txqlen;
		break;
	case SIOCSIFFLAGS:
		return ifc_setflags(ifp, (unsigned short)ifr->ifr_flags);
	case SIOCSIFMETRIC:
	case SIOCSIFMAP:
		return EOPNOTSUPP;
	case SIOCSIFMTU:
		return ifc_setmtu(ifp, ifr->ifr_mtu);
	case SIOCSIFTXQLEN:
		return ifc_settxqlen(ifp, ifr->ifr_qlen);
	case SIOCSIFHWADDR:
		return ifc_sethwaddr(ifp, ifr->ifr_addr.sa_family,
		    (const uint8_t *)ifr->ifr_addr.sa_data);
	case SIOCSIFNAME:
		ifr->ifr_newname[IFNAMSIZ - 1] = '\0';
		return ifc_rename(ifp, ifr->ifr_newname);
	}
	*out = true;
	return 0;
}

/* devinet_ioctl: the IPv4 address ioctls, AF_INET sockets only. */
static int
inet_ioctl(unsigned long cmd, struct ifreq *ifr, bool *out)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&ifr->ifr_addr;
	struct ifnet *ifp;
	struct ifaddr ifa;
	bool alias;

	switch (cmd) {
	case SIOCGIFADDR: case SIOCGIFBRDADDR: case SIOCGIFDSTADDR:
	case SIOCGIFNETMASK:
		break;
	case SIOCSIFADDR: case SIOCSIFBRDADDR: case SIOCSIFDSTADDR:
	case SIOCSIFNETMASK:
		if (!netcfg_priv())
			return EPERM;
		if (sin->sin_family != AF_INET)
			return EINVAL;
		break;
	default:
		return EINVAL;
	}
	ifr->ifr_name[IFNAMSIZ - 1] = '\0';
	alias = strchr(ifr->ifr_name, ':') != NULL;
	if ((ifp = ifr_dev(ifr, true)) == NULL)
		return ENODEV;
	/* Aliases ("lo:1") have no labels here: none of them exists. */
	if ((alias || !ifc_addr4_first(ifp, &ifa)) && cmd != SIOCSIFADDR)
		return EADDRNOTAVAIL;
	switch (cmd) {
	case SIOCGIFADDR: case SIOCGIFBRDADDR: case SIOCGIFDSTADDR:
	case SIOCGIFNETMASK:
		memset(sin, 0, sizeof(*sin));
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = cmd == SIOCGIFBRDADDR ?
		    ifc_brd4(&ifa) : in6_v4addr(cmd == SIOCGIFNETMASK ?
		    &ifa.ifa_mask : cmd == SIOCGIFDSTADDR ? &ifa.ifa_peer :
		    &ifa.ifa_addr);
		*out = true;
		return 0;
	case SIOCSIFADDR:
		if (alias) {
			struct in6_addr a;
			int plen;

			in6_set_v4mapped(&a, sin->sin_addr.s_addr);
			plen = ntohl(sin->sin_addr.s_addr) >> 31 == 0 ? 8 :
			    ntohl(sin->sin_addr.s_addr) >> 30 == 2 ? 16 : 24;
			return if_addr_add(ifp, AF_INET, &a, plen, 0);
		}
		return ifc_addr4_set(ifp, sin->sin_addr.s_addr);
	case SIOCSIFNETMASK:
		return ifc_addr4_setmask(ifp, sin->sin_addr.s_addr);
	case SIOCSIFBRDADDR:
		return ifc_addr4_setbrd(ifp, sin->sin_addr.s_addr);
	default:	/* SIOCSIFDSTADDR */
		return ifc_addr4_setdst(ifp, sin->sin_addr.s_addr);
	}
}

static int
netcfg_ioctl(struct socket *so, unsigned long cmd, void *data)
{
	int family = so->so_proto->pr_domain->dom_family;
	struct ifreq ifr;
	bool out = false;
	int error;

	/* inet6_ioctl: the IPv6 layouts of the same numbers. */
	if (family == AF_INET6 && (cmd == SIOCADDRT || cmd == SIOCDELRT ||
	    cmd == SIOCSIFADDR || cmd == SIOCDIFADDR)) {
		if (!netcfg_priv())
			return EPERM;
		return cmd == SIOCADDRT || cmd == SIOCDELRT ?
		    route6_ioctl(cmd, data) : in6_addr_ioctl(cmd, data);
	}
	switch (cmd) {
	case SIOCGIFCONF:
		return ifconf(data);
	case SIOCADDRT: case SIOCDELRT:
	case SIOCSARP: case SIOCGARP: case SIOCDARP:
		if (family != AF_INET)
			return ENOTTY;
		if (!netcfg_priv() && cmd != SIOCGARP)
			return EPERM;
		if (cmd == SIOCADDRT || cmd == SIOCDELRT)
			return route_ioctl(cmd, data);
		return arp_ioctl(cmd, data);
	case SIOCGIFADDR: case SIOCSIFADDR: case SIOCGIFBRDADDR:
	case SIOCSIFBRDADDR: case SIOCGIFNETMASK: case SIOCSIFNETMASK:
	case SIOCGIFDSTADDR: case SIOCSIFDSTADDR:
		if (family != AF_INET)
			return ENOTTY;
		if ((error = copyin(data, &ifr, sizeof(ifr))) != 0)
			return error;
		error = inet_ioctl(cmd, &ifr, &out);
		break;
	default:
		if ((error = copyin(data, &ifr, sizeof(ifr))) != 0)
			return error;
		error = dev_ioctl(cmd, &ifr, &out);
		break;
	}
	if (error == 0 && out)
		error = copyout(&ifr, data, sizeof(ifr));
	return error;
}

void
netcfg_ioctl_init(void)
{
	so_netcfg_ioctl_register(netcfg_ioctl);
}
