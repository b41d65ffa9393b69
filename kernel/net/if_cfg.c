/*
 * if_cfg.c: interface configuration shared by the ioctls and rtnetlink
 * (contract in net/if_cfg.h).  The rules are Linux's: which flags a user
 * may change, the MTU bounds, renaming only while down, classful
 * prefixes for an address set by SIOCSIFADDR.
 */
#include "k/kernel.h"
#include "k/abi_net.h"
#include "net/if_cfg.h"
#include "net/ether_var.h"
#include "net/route.h"
#include "net/netinet/in_pcb.h"

/* What dev_change_flags lets a user change. */
#define IFF_CHANGEABLE	(IFF_UP | IFF_DEBUG | IFF_NOTRAILERS | IFF_NOARP | \
	IFF_DYNAMIC | IFF_MULTICAST | IFF_PORTSEL | IFF_AUTOMEDIA | \
	IFF_PROMISC | IFF_ALLMULTI)

bool
netcfg_priv(void)
{
	return kauth_cred_get()->cr_euid == 0;
}

unsigned
ifc_getflags(const struct ifnet *ifp)
{
	unsigned f = (unsigned)ifp->if_flags;

	f &= ~(unsigned)(IFF_RUNNING | IFF_LOWER_UP | IFF_DORMANT);
	if ((ifp->if_flags & IFF_UP) && (ifp->if_flags & IFF_RUNNING))
		f |= IFF_RUNNING | IFF_LOWER_UP;
	return f;
}

int
ifc_setflags(struct ifnet *ifp, unsigned flags)
{
	int f;
	bool wasup;

	rw_enter(&if_lock, true);
	wasup = (ifp->if_flags & IFF_UP) != 0;
	f = (ifp->if_flags & ~IFF_CHANGEABLE) | ((int)flags & IFF_CHANGEABLE);
	if (f & IFF_UP)
		f |= IFF_RUNNING | IFF_LOWER_UP;
	else
		f &= ~(IFF_RUNNING | IFF_LOWER_UP);
	ifp->if_flags = f;
	rw_exit(&if_lock);
	/* An Ethernet interface coming up gets its link-local address. */
	if (!wasup && (f & IFF_UP))
		nd6_ifup(ifp);
	return 0;
}

int
ifc_setmtu(struct ifnet *ifp, int mtu)
{
	bool lo = ifp->if_type == ARPHRD_LOOPBACK;

	if (mtu < (lo ? 0 : 68) || (!lo && mtu > 65535))
		return EINVAL;
	rw_enter(&if_lock, true);
	ifp->if_mtu = (uint32_t)mtu;
	rw_exit(&if_lock);
	return 0;
}

int
ifc_sethwaddr(struct ifnet *ifp, int family, const uint8_t *addr)
{
	static const uint8_t zero[6];

	/* Every link here has eth_mac_addr and changes it live, lo too
	 * (IFF_LIVE_ADDR_CHANGE, as Linux's lo, veth and tap). */
	if (ifp->if_hwlen != 6)
		return EOPNOTSUPP;
	if (family != ifp->if_type)
		return EINVAL;
	/* is_valid_ether_addr: not multicast, not all zeros. */
	if ((addr[0] & 1) || memcmp(addr, zero, 6) == 0)
		return EADDRNOTAVAIL;
	rw_enter(&if_lock, true);
	memcpy(ifp->if_hwaddr, addr, 6);
	rw_exit(&if_lock);
	return 0;
}

int
ifc_settxqlen(struct ifnet *ifp, int qlen)
{
	if (qlen < 0)
		return EINVAL;
	rw_enter(&if_lock, true);
	ifp->if_txqlen = qlen;
	rw_exit(&if_lock);
	return 0;
}

bool
ifc_validname(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n >= IFNAMSIZ || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (name[i] == '/' || name[i] == ':' || name[i] == ' ' ||
		    name[i] == '\t' || name[i] == '\n')
			return false;
	return true;
}

int
ifc_rename(struct ifnet *ifp, const char *name)
{
	struct ifnet *o;

	if (!ifc_validname(name))
		return EINVAL;
	rw_enter(&if_lock, true);
	if (strcmp(ifp->if_name, name) == 0) {
		rw_exit(&if_lock);
		return 0;
	}
	TAILQ_FOREACH(o, &if_all, if_list) {
		if (!o->if_gone && strcmp(o->if_name, name) == 0) {
			rw_exit(&if_lock);
			return EEXIST;
		}
	}
	kstrlcpy(ifp->if_name, name, sizeof(ifp->if_name));
	rw_exit(&if_lock);
	return 0;
}

in_addr_t
ifc_brd4(const struct ifaddr *ifa)
{
	if (ifa->ifa_brdnone ||
	    (!(ifa->ifa_ifp->if_flags & IFF_BROADCAST) && !ifa->ifa_brdset))
		return 0;
	return in6_v4addr(&ifa->ifa_broad);
}

bool
ifc_addr4_first(struct ifnet *ifp, struct ifaddr *out)
{
	struct ifaddr *ifa;

	rw_enter(&if_lock, false);
	ifa = TAILQ_FIRST(&ifp->if_ifa4);
	if (ifa != NULL)
		*out = *ifa;
	rw_exit(&if_lock);
	return ifa != NULL;
}

/* inet_abc_len: the classful prefix of an address, -1 for multicast. */
static int
abc_len(in_addr_t a)
{
	uint32_t h = ntohl(a);

	if ((h >> 24) == 0 || h == 0xffffffffu)
		return 0;
	if ((h & 0x80000000u) == 0)
		return 8;
	if ((h & 0xc0000000u) == 0x80000000u)
		return 16;
	if ((h & 0xe0000000u) == 0xc0000000u)
		return 24;
	if ((h & 0xf0000000u) == 0xf0000000u)
		return 32;
	return -1;
}

int
ifc_addr4_set(struct ifnet *ifp, in_addr_t addr)
{
	struct ifaddr old;
	struct in6_addr a;
	int plen = abc_len(addr), error;

	if (plen < 0)
		return EINVAL;
	if (ifc_addr4_first(ifp, &old)) {
		if (in6_v4addr(&old.ifa_addr) == addr)
			return 0;
		(void)if_addr_del(ifp, AF_INET, &old.ifa_addr);
	}
	if (addr == 0)
		return 0;	/* Linux: 0.0.0.0 leaves no address */
	if (ifp->if_flags & IFF_POINTOPOINT)
		plen = 32;
	in6_set_v4mapped(&a, addr);
	error = if_addr_add(ifp, AF_INET, &a, plen, 0);
	if (error == 0 && !(ifp->if_flags & IFF_BROADCAST)) {
		struct in6_addr none = { 0 };

		(void)ifc_addr_setbrd(ifp, &a, &none);
	}
	return error;
}

/* The primary IPv4 address of ifp, for changing (if_lock held). */
static struct ifaddr *
primary4(struct ifnet *ifp)
{
	return TAILQ_FIRST(&ifp->if_ifa4);
}

int
ifc_addr4_setmask(struct ifnet *ifp, in_addr_t mask)
{
	uint32_t h = ntohl(mask), oldm;
	struct ifaddr *ifa;
	struct in6_addr addr, peer;
	int plen = 0, oldplen;

	/* bad_mask: contiguous ones from the top. */
	while (plen < 32 && (h & (0x80000000u >> plen)))
		plen++;
	if (plen < 32 && (h << plen) != 0)
		return EINVAL;
	rw_enter(&if_lock, true);
	if ((ifa = primary4(ifp)) == NULL) {
		rw_exit(&if_lock);
		return EADDRNOTAVAIL;
	}
	oldm = ifa->ifa_mask.s6_addr32[3];
	if (oldm == mask) {
		rw_exit(&if_lock);
		return 0;
	}
	{
		in_addr_t local = in6_v4addr(&ifa->ifa_addr);

		addr = ifa->ifa_addr;
		peer = ifa->ifa_peer;
		oldplen = ifa->ifa_plen;
		ifa->ifa_plen = plen;
		ifa->ifa_mask.s6_addr32[3] = mask;
		/* A broadcast that followed the old mask follows the new. */
		if ((ifp->if_flags & IFF_BROADCAST) && plen < 31 &&
		    in6_v4addr(&ifa->ifa_broad) == (local | ~oldm))
			in6_set_v4mapped(&ifa->ifa_broad, local | ~mask);
	}
	rw_exit(&if_lock);
	/* Linux takes the address out and puts it back: the old prefix's
	 * routes go, the new one's come. */
	route_ifa_removed(ifp, AF_INET, &addr, &peer, oldplen);
	route_ifa_added(ifp, AF_INET, &addr, &peer, plen);
	return 0;
}

int
ifc_addr4_setbrd(struct ifnet *ifp, in_addr_t brd)
{
	struct ifaddr *ifa;

	rw_enter(&if_lock, true);
	if ((ifa = primary4(ifp)) == NULL) {
		rw_exit(&if_lock);
		return EADDRNOTAVAIL;
	}
	if (brd == 0)
		memset(&ifa->ifa_broad, 0, sizeof(ifa->ifa_broad));
	else
		in6_set_v4mapped(&ifa->ifa_broad, brd);
	ifa->ifa_brdset = true;
	ifa->ifa_brdnone = false;
	rw_exit(&if_lock);
	return 0;
}

int
ifc_addr4_setdst(struct ifnet *ifp, in_addr_t dst)
{
	struct ifaddr ifa;
	struct in6_addr p;

	if (!ifc_addr4_first(ifp, &ifa))
		return EADDRNOTAVAIL;
	if (in6_v4addr(&ifa.ifa_peer) == dst)
		return 0;
	if (abc_len(dst) < 0)
		return EINVAL;
	in6_set_v4mapped(&p, dst);
	return if_addr_setpeer(ifp, &ifa.ifa_addr, &p);
}

int
ifc_addr_nobrd(struct ifnet *ifp, const struct in6_addr *addr)
{
	struct ifaddr *ifa;

	rw_enter(&if_lock, true);
	TAILQ_FOREACH(ifa, &ifp->if_ifa4, ifa_list)
		if (in6_equal(&ifa->ifa_addr, addr))
			ifa->ifa_brdnone = true;
	rw_exit(&if_lock);
	return 0;
}

int
ifc_addr_setbrd(struct ifnet *ifp, const struct in6_addr *addr,
    const struct in6_addr *brd)
{
	struct ifaddr *ifa;

	rw_enter(&if_lock, true);
	TAILQ_FOREACH(ifa, &ifp->if_ifa4, ifa_list)
		if (in6_equal(&ifa->ifa_addr, addr))
			break;
	if (ifa == NULL) {
		rw_exit(&if_lock);
		return EADDRNOTAVAIL;
	}
	if (in6_v4addr(brd) == 0)
		memset(&ifa->ifa_broad, 0, sizeof(ifa->ifa_broad));
	else
		ifa->ifa_broad = *brd;
	ifa->ifa_brdset = true;
	ifa->ifa_brdnone = false;
	rw_exit(&if_lock);
	return 0;
}

int
ifc_destroy(struct ifnet *ifp)
{
	if (!netcfg_priv())
		return EPERM;
	if (ifp->if_destroy == NULL)
		return EOPNOTSUPP;
	return ifp->if_destroy(ifp);
}

/* --- creatable kinds ------------------------------------------------------ */

#define IF_MAXKINDS	8

static struct {
	char kind[IFNAMSIZ];
	if_create_t create;
} if_kinds[IF_MAXKINDS];

int
if_kind_register(const char *kind, if_create_t create)
{
	int error = ENOSPC;

	rw_enter(&if_lock, true);
	for (int i = 0; i < IF_MAXKINDS; i++) {
		if (if_kinds[i].create == NULL) {
			kstrlcpy(if_kinds[i].kind, kind, IFNAMSIZ);
			if_kinds[i].create = create;
			error = 0;
			break;
		}
	}
	rw_exit(&if_lock);
	return error;
}

int
if_kind_create(const char *kind, const char *name)
{
	if_create_t fn = NULL;

	rw_enter(&if_lock, false);
	for (int i = 0; i < IF_MAXKINDS; i++)
		if (if_kinds[i].create != NULL &&
		    strcmp(if_kinds[i].kind, kind) == 0)
			fn = if_kinds[i].create;
	rw_exit(&if_lock);
	if (fn == NULL)
		return EOPNOTSUPP;
	if (!ifc_validname(name))
		return EINVAL;
	return fn(name);
}
