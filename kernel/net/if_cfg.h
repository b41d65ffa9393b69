/*
 * if_cfg.h: configuring interfaces (net/if_cfg.c), the operations the
 * ioctls (net/if_ioctl.c) and rtnetlink (net/netlink/) share, with
 * Linux's rules and errnos (net/core/dev.c, net/ipv4/devinet.c).
 *
 * Every function takes if_lock itself; none sleeps with it held.  Callers
 * check privilege first (netcfg_priv: CAP_NET_ADMIN is euid 0 here).
 */
#ifndef NET_IF_CFG_H
#define NET_IF_CFG_H

#include "net/if.h"

/* CAP_NET_ADMIN: the caller's euid is 0. */
bool netcfg_priv(void);

/* Flags as SIOCGIFFLAGS/ifi_flags report them (RUNNING, LOWER_UP from
 * the state). */
unsigned ifc_getflags(const struct ifnet *ifp);
/* Linux's dev_change_flags: only the changeable flags move; IFF_UP
 * brings RUNNING and LOWER_UP with it (no carrier state yet). */
int ifc_setflags(struct ifnet *ifp, unsigned flags);
/* dev_set_mtu: EINVAL outside [68 (lo: 0), 65535 (lo: 2^31-1)]. */
int ifc_setmtu(struct ifnet *ifp, int mtu);
int ifc_settxqlen(struct ifnet *ifp, int qlen);
/* dev_set_mac_address with eth_mac_addr's checks (lo has it too, as on
 * Linux): EOPNOTSUPP for a link without a 6-byte address, EINVAL if
 * family (ARPHRD_*) is not the link's, EADDRNOTAVAIL for a multicast or
 * zero address.  Added with
 * SIOCSIFHWADDR and IFLA_ADDRESS (the contract grows, nothing changes). */
int ifc_sethwaddr(struct ifnet *ifp, int family, const uint8_t *addr);
/* dev_change_name: EEXIST if taken, EINVAL if bad; up or not (Linux 6). */
int ifc_rename(struct ifnet *ifp, const char *name);
/* Deletes ifp (rtnetlink RTM_DELLINK): EPERM without privilege,
 * EOPNOTSUPP for a link that cannot go (lo), ENODEV if gone already. */
int ifc_destroy(struct ifnet *ifp);
/* A valid interface name (dev_valid_name). */
bool ifc_validname(const char *name);

/* The broadcast address reported for ifa: none on a link without
 * IFF_BROADCAST (lo), as Linux shows it. */
in_addr_t ifc_brd4(const struct ifaddr *ifa);
/* The first (primary) IPv4 address of ifp, copied; false if none. */
bool ifc_addr4_first(struct ifnet *ifp, struct ifaddr *out);
/*
 * Replaces the primary IPv4 address by addr with its classful prefix
 * (SIOCSIFADDR; 0.0.0.0 removes it), or sets its mask or broadcast.
 * EADDRNOTAVAIL when there is none to change.
 */
int ifc_addr4_set(struct ifnet *ifp, in_addr_t addr);
int ifc_addr4_setmask(struct ifnet *ifp, in_addr_t mask);
int ifc_addr4_setbrd(struct ifnet *ifp, in_addr_t brd);
/* SIOCSIFDSTADDR: the primary address's peer (EINVAL for a multicast
 * one); its routes follow. */
int ifc_addr4_setdst(struct ifnet *ifp, in_addr_t dst);
/* Sets the broadcast of address addr (rtnetlink IFA_BROADCAST). */
int ifc_addr_setbrd(struct ifnet *ifp, const struct in6_addr *addr,
    const struct in6_addr *brd);
/* Shows none for address addr (rtnetlink without IFA_BROADCAST); the
 * subnet's broadcast is still received (its local route). */
int ifc_addr_nobrd(struct ifnet *ifp, const struct in6_addr *addr);

/*
 * Interface kinds that can be created by name ("ip link add NAME type
 * KIND"): a driver (shmif, tap) registers its creator, which attaches an
 * interface called name (0 or an errno: EEXIST, EINVAL ...).  Creating
 * an unknown kind is EOPNOTSUPP.  ENOSPC when the table is full.
 */
typedef int (*if_create_t)(const char *name);
int if_kind_register(const char *kind, if_create_t create);
int if_kind_create(const char *kind, const char *name);

/* route_ioctl.c: SIOCADDRT/SIOCDELRT (a struct rtentry at data) and
 * SIOCSARP/SIOCGARP/SIOCDARP (a struct arpreq), privilege checked. */
int route_ioctl(unsigned long cmd, void *data);
int arp_ioctl(unsigned long cmd, void *data);
/* in6_ioctl.c: the same numbers on AF_INET6 sockets: SIOCADDRT/SIOCDELRT
 * with a struct in6_rtmsg, SIOCSIFADDR/SIOCDIFADDR with a struct
 * in6_ifreq, privilege checked. */
int route6_ioctl(unsigned long cmd, void *data);
int in6_addr_ioctl(unsigned long cmd, void *data);

#endif /* NET_IF_CFG_H */
