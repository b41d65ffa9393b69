/*
 * route.h: the IPv4/IPv6 routing tables and the neighbour (ARP/ND) table
 * (net/route.c, net/neigh.c) - the contract the packet paths, rtnetlink,
 * the route ioctls and /proc/net/{route,ipv6_route,arp} build on.
 *
 * Model: Linux's.  Two tables per family, RT_TABLE_LOCAL (255: our own
 * addresses, their broadcasts; searched first) and RT_TABLE_MAIN (254:
 * prefix routes, gateways, defaults; what `ip route` shows).  Other table
 * numbers (1..252, 253 "default") are accepted and listed but not looked
 * up (no policy rules: `ip rule` is not done).  A route is keyed, as in
 * Linux's fib, by (family, table, dst/plen, metric); IPv6 also by
 * gateway+ifindex (Linux's multipath siblings are separate entries there).
 *
 * Connected routes: when an address is added (if_addr_add) the kernel
 * adds, with protocol RTPROT_KERNEL, as Linux does:
 *   IPv4 a.b.c.d/n on ifp: table local, type local, dst a.b.c.d/32, scope
 *     host, prefsrc a.b.c.d; table local, type broadcast, the subnet's
 *     broadcast /32 (n < 31), scope link; table main, type unicast,
 *     the prefix/n, scope link, prefsrc a.b.c.d (n < 32).
 *   IPv6 addr/n on ifp: table local, type local, addr/128; table main,
 *     type unicast, prefix/n, metric 256 (fe80::/64 for link-local ones;
 *     a /128 too, but ::1), and with a peer P a /128 route to P.
 * and removes them with the address (if_addr_del, if_detach).  Routes
 * through a detached interface are removed; routes through a down
 * interface stay but are not chosen (Linux's "linkdown").
 *
 * Addresses are struct in6_addr everywhere, IPv4 in v4-mapped form
 * (::ffff:a.b.c.d); a v4 prefix length is 0..32 (not 96+).  dst is kept
 * masked to plen (the adder's extra bits are cleared, as Linux does for
 * IPv6 and refuses for IPv4: we refuse too, EINVAL).
 *
 * Locking: one reader/writer lock (route_lock) over both tables; lookups
 * read, changes write.  if_lock may be taken (for reading) under it -
 * lookups check the interfaces - never the other way round: the
 * connected-route hooks run with if_lock NOT held.  Walk callbacks run
 * with route_lock held for reading: they must not call route_* or sleep
 * (copy what you need; netlink dumps copy into their skb).  No socket lock
 * is ever taken under route_lock.  The neighbour table has its own leaf
 * lock (neigh_lock) with the same callback rule.
 */
#ifndef NET_ROUTE_H
#define NET_ROUTE_H

#include "k/kernel.h"
#include "k/abi_inet.h"
#include "k/mbuf.h"

struct ifnet;
struct ifaddr;

/* --- Linux's numbers (linux/rtnetlink.h, linux/route.h) ------------------ */
/* rtm_type */
#define RTN_UNSPEC	0
#define RTN_UNICAST	1	/* a gateway or direct route */
#define RTN_LOCAL	2	/* one of our addresses */
#define RTN_BROADCAST	3	/* accept locally as broadcast, send as bcast */
#define RTN_ANYCAST	4
#define RTN_MULTICAST	5
#define RTN_BLACKHOLE	6	/* silently dropped (output: EINVAL) */
#define RTN_UNREACHABLE	7	/* EHOSTUNREACH, ICMP host unreachable */
#define RTN_PROHIBIT	8	/* EACCES, ICMP admin prohibited */
#define RTN_THROW	9	/* not in this table: lookup goes on */
#define RTN_NAT		10
#define RTN_XRESOLVE	11
#define RTN_MAX		11
/* rtm_protocol: who added it */
#define RTPROT_UNSPEC	0
#define RTPROT_REDIRECT	1
#define RTPROT_KERNEL	2	/* connected routes */
#define RTPROT_BOOT	3	/* ip route add's default; SIOCADDRT */
#define RTPROT_STATIC	4
#define RTPROT_RA	9
#define RTPROT_DHCP	16
/* rtm_table */
#define RT_TABLE_UNSPEC		0
#define RT_TABLE_COMPAT		252
#define RT_TABLE_DEFAULT	253
#define RT_TABLE_MAIN		254
#define RT_TABLE_LOCAL		255
/* rtm_scope: RT_SCOPE_* are in net/if.h (UNIVERSE 0, LINK 253, HOST 254) */
/* Route flags as /proc/net/route and SIOCADDRT's rt_flags spell them. */
#define RTF_UP		0x0001
#define RTF_GATEWAY	0x0002
#define RTF_HOST	0x0004
#define RTF_REINSTATE	0x0008
#define RTF_DYNAMIC	0x0010
#define RTF_MODIFIED	0x0020
#define RTF_MTU		0x0040
#define RTF_REJECT	0x0200
/* Metrics as Linux's defaults: IPv4 routes 0, IPv6 ones 1024 (user) and
 * 256 (kernel prefix routes). */
#define RT6_METRIC_USER		1024
#define RT6_METRIC_KERNEL	256

/* Flags of route_add/neigh_add: NLM_F_* values, so netlink passes its own. */
#define RT_F_REPLACE	0x100	/* NLM_F_REPLACE: replace the matching one */
#define RT_F_EXCL	0x200	/* NLM_F_EXCL: EEXIST if it exists */
#define RT_F_CREATE	0x400	/* NLM_F_CREATE: create if missing */
#define RT_F_APPEND	0x800	/* NLM_F_APPEND: add next to existing */

/* --- routes ---------------------------------------------------------------- */
struct route_info {
	int ri_af;			/* AF_INET or AF_INET6 */
	uint8_t ri_table;		/* RT_TABLE_*; 0 on add means main */
	uint8_t ri_type;		/* RTN_*; 0 on add means unicast */
	uint8_t ri_protocol;		/* RTPROT_* */
	uint8_t ri_scope;		/* RT_SCOPE_*; on add, see route_add */
	struct in6_addr ri_dst;		/* v4-mapped for IPv4; masked */
	int ri_plen;			/* 0..32 / 0..128; 0 is a default */
	struct in6_addr ri_gw;		/* next hop if RTF_GATEWAY */
	struct in6_addr ri_prefsrc;	/* RTA_PREFSRC if ri_has_prefsrc */
	bool ri_has_prefsrc;
	int ri_ifindex;			/* output interface; 0: none / any */
	uint32_t ri_metric;		/* RTA_PRIORITY */
	uint32_t ri_mtu;		/* RTAX_MTU, 0: the interface's */
	int ri_flags;			/* RTF_* (RTF_GATEWAY, RTF_HOST ...) */
};

/*
 * Adds a route.  Required: ri_af, ri_dst/ri_plen; ri_ifindex and/or
 * RTF_GATEWAY with ri_gw for unicast routes (with only a gateway the
 * interface is the one whose connected route reaches ri_gw: ENETUNREACH
 * if none; a gateway that is not on link through ri_ifindex is
 * ENETUNREACH too, as Linux's "Nexthop has invalid gateway").  A zero
 * ri_scope on add is computed as Linux does: host for local, link for
 * direct unicast and broadcast, universe for gateway routes.  flags:
 * RT_F_* (netlink's NLM_F_* bits).  A route with the same key (table,
 * dst/plen, metric[, gw/ifindex for IPv6]): EEXIST with RT_F_EXCL or
 * without RT_F_REPLACE/RT_F_APPEND; RT_F_REPLACE overwrites it;
 * none and no RT_F_CREATE: ENOENT.  Errors: EINVAL (bad family, plen,
 * host bits set in an IPv4 dst, type > RTN_MAX), ENODEV (no ri_ifindex
 * interface), ENETUNREACH (gateway), ENOMEM.  SIOCADDRT passes
 * RT_F_CREATE|RT_F_EXCL; `ip route add` likewise, `replace`
 * CREATE|REPLACE.
 */
int route_add(const struct route_info *ri, int flags);
/*
 * Linux's IPv6 routes through lo are reject routes, so the configuration
 * interfaces (rtnetlink, SIOCADDRT) refuse an IPv6 gateway reached
 * through lo (EHOSTUNREACH) and lo as a link-local gateway's device
 * (EINVAL); 0 otherwise.  route_add itself takes lo as a link (the
 * embedder's rump_net_route, the tests of the table).
 */
int route6_gw_lo(const struct route_info *ri);

/*
 * Deletes the first route matching ri: always ri_af, ri_dst/ri_plen and
 * ri_table (0 means main, as Linux's RTM_DELROUTE without a table); the
 * other fields only where set (nonzero): ri_metric (match_metric true to
 * match metric 0 too), ri_ifindex, RTF_GATEWAY+ri_gw, ri_type,
 * ri_protocol, ri_scope (nonzero and not RT_SCOPE_NOWHERE).  0, or ESRCH
 * when nothing matches (Linux's "No such process").
 */
int route_delete(const struct route_info *ri, bool match_metric);

/*
 * The route for dst: the local table, then main; in each the longest
 * prefix, then the lowest metric, through an interface that is up.
 * oif nonzero limits the search to routes through that interface (plus
 * unreachable/blackhole/prohibit routes), as SO_BINDTODEVICE /
 * IP_PKTINFO do; ENODEV if no such interface.  Fills *out (a copy; the
 * route may go away after).  Errors: ENETUNREACH (no route), EHOSTUNREACH
 * (an RTN_UNREACHABLE route), EACCES (RTN_PROHIBIT), EINVAL (RTN_BLACKHOLE)
 * - what connect/sendto give on Linux.
 */
int route_lookup(int af, const struct in6_addr *dst, int oif,
    struct route_info *out);

/*
 * Calls fn for every route of af (0: both) in table (0: all tables), in
 * table then dst order, until fn returns nonzero.  *pos (may be NULL) is
 * where to start (0 first); on return it is the index of the route fn
 * stopped on (so a netlink dump resumes there) or the count.  Returns fn's
 * nonzero value or 0.  fn runs under route_lock (see the top).
 */
int route_walk(int af, int table, int *pos,
    int (*fn)(const struct route_info *ri, void *arg), void *arg);

/* Changes of the tables so far; callers caching a lookup compare it. */
uint64_t route_genid(void);

/*
 * Kernel hooks (called by if.c, not by configuration code): the connected
 * routes of an address added/removed; a detached interface's routes go.
 * Called with if_lock not held.
 */
void route_ifa_added(struct ifnet *ifp, int af, const struct in6_addr *addr,
    const struct in6_addr *peer, int plen);
void route_ifa_removed(struct ifnet *ifp, int af,
    const struct in6_addr *addr, const struct in6_addr *peer, int plen);
void route_if_detached(struct ifnet *ifp);
void route_init(void);

/* --- forwarding ---------------------------------------------------------- */
/*
 * net.ipv4.ip_forward / net.ipv6.conf.all.forwarding (0 at boot, as
 * Linux); /proc/sys/net/... reads and writes them through sysctl.
 */
bool ip_forwarding(int af);

/* --- neighbours (ARP, ND) ------------------------------------------------ */
/* Linux's NUD_* states (linux/neighbour.h), and NTF_* flags. */
#define NUD_NONE	0x00
#define NUD_INCOMPLETE	0x01	/* resolving: packets wait */
#define NUD_REACHABLE	0x02	/* confirmed lately */
#define NUD_STALE	0x04	/* usable, to be confirmed on use */
#define NUD_DELAY	0x08
#define NUD_PROBE	0x10
#define NUD_FAILED	0x20	/* resolution failed: EHOSTUNREACH */
#define NUD_NOARP	0x40	/* no resolution needed (lo, multicast) */
#define NUD_PERMANENT	0x80	/* set by hand (ip neigh add, SIOCSARP) */
#define NUD_VALID	(NUD_PERMANENT | NUD_NOARP | NUD_REACHABLE | \
			 NUD_PROBE | NUD_STALE | NUD_DELAY)
#define NTF_USE		0x01
#define NTF_SELF	0x02
#define NTF_MASTER	0x04
#define NTF_PROXY	0x08
#define NTF_ROUTER	0x80

#define NEIGH_LLMAX	8

struct neigh_info {
	int ni_af;			/* AF_INET (ARP) or AF_INET6 (ND) */
	struct in6_addr ni_addr;	/* v4-mapped for IPv4 */
	int ni_ifindex;
	uint8_t ni_lladdr[NEIGH_LLMAX];	/* valid if ni_lllen > 0 */
	int ni_lllen;
	uint16_t ni_state;		/* NUD_* */
	uint8_t ni_flags;		/* NTF_* */
	/* ages in ms, for `ip -s neigh` (NDA_CACHEINFO) */
	uint32_t ni_confirmed_ms, ni_used_ms, ni_updated_ms;
	uint32_t ni_probes;		/* solicitations sent */
};

/*
 * Adds or changes an entry (ip neigh add/replace/change, SIOCSARP).
 * Required: ni_af, ni_addr, ni_ifindex; ni_state 0 means NUD_PERMANENT;
 * ni_lllen must equal the interface's address length (EINVAL) unless
 * the state is NUD_NOARP/NUD_FAILED/NUD_INCOMPLETE.  flags RT_F_*:
 * existing and RT_F_EXCL: EEXIST; existing without RT_F_REPLACE: EEXIST
 * (Linux's `ip neigh add` on an existing entry); missing without
 * RT_F_CREATE: ENOENT.  ENODEV (no interface), ENOMEM.  Packets queued
 * while the entry was resolving are sent when it becomes valid.
 */
int neigh_add(const struct neigh_info *ni, int flags);
/* Removes an entry (its queued packets dropped): 0 or ENOENT. */
int neigh_delete(int af, const struct in6_addr *addr, int ifindex);
/* A copy of one entry: 0 or ENOENT. */
int neigh_lookup(int af, const struct in6_addr *addr, int ifindex,
    struct neigh_info *out);
/*
 * Calls fn for every entry of af (0: both) on ifindex (0: all), like
 * route_walk (same *pos and return rules); fn runs under neigh_lock.
 */
int neigh_walk(int af, int ifindex, int *pos,
    int (*fn)(const struct neigh_info *ni, void *arg), void *arg);
/* Removes the non-permanent entries of af (0: both) on ifindex (0: all)
 * (ip neigh flush); returns how many went. */
int neigh_flush(int af, int ifindex);

/*
 * The driver side (net/if_ether.c): the link address for nexthop on ifp.
 * 0 with *lladdr filled: send now.  EINPROGRESS: m was queued on the
 * entry (at most 3 packets, Linux's unres_qlen_bytes-ish; older ones
 * dropped) and a solicitation sent; the entry sends it later or drops it
 * when resolution fails (the sender's next packet gets EHOSTUNREACH).
 * EHOSTUNREACH: the entry is NUD_FAILED (m freed; a new round of
 * solicitations starts, as Linux retries a failed neighbour on use).
 * ENOBUFS: no memory or the table is full (m freed).  Owns m unless 0.
 * The timers (INCOMPLETE -> FAILED after 3 solicitations 1 s apart,
 * REACHABLE -> STALE, DELAY -> PROBE) are neigh.c's callouts.
 */
int neigh_resolve(struct ifnet *ifp, int af, const struct in6_addr *nexthop,
    struct mbuf *m, uint8_t *lladdr);
/*
 * A received ARP reply/request or ND advertisement/solicitation told us
 * addr is at lladdr on ifp.  solicited: it answered our question (then
 * the entry becomes REACHABLE), else STALE.  create: make an entry if
 * none (a request addressed to us; Linux ignores unsolicited
 * "gratuitous" ARP for addresses it has no entry for).  override: may
 * change an existing lladdr (ND's O flag; ARP always).  Sends the
 * packets waiting on the entry.
 */
void neigh_update(struct ifnet *ifp, int af, const struct in6_addr *addr,
    const uint8_t *lladdr, int lllen, bool solicited, bool create,
    bool override);
void neigh_if_detached(struct ifnet *ifp);
void neigh_init(void);

#endif /* NET_ROUTE_H */
