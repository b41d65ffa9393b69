/*
 * if.h: network interfaces (net/if.c) - the link layer as the network
 * layer sees it.
 *
 * An interface (struct ifnet) has a name ("lo", later "shmif0", "tap0"),
 * an index (1, 2 ... never reused while the kernel lives), IFF_* flags in
 * Linux's numbering, an MTU, its IPv4 and IPv6 addresses and counters.
 * The driver gives if_output (the network layer hands it a packet whose
 * first byte is the IP header) and calls if_input() with received IP
 * packets.  Part 2 adds link-layer drivers (shmif, tap: if_output does
 * ARP/ND and framing), a routing table (net/route.c, replacing
 * in_route_lookup's loopback-only answer) and netlink on top of this.
 *
 * Locking: the interface list and every interface's address lists are
 * read under if_lock (a reader/writer lock: input, output and address
 * selection read; attach, detach and address changes write).  The
 * counters are atomics.  An ifnet is never freed while the kernel runs
 * (detach marks it gone), so a pointer held across if_lock stays valid.
 * if_output and if_input are called with no lock held.
 */
#ifndef NET_IF_H
#define NET_IF_H

#include "k/kernel.h"
#include "k/abi_inet.h"
#include "k/mbuf.h"

#define IFNAMSIZ	16

/* if_flags: Linux's IFF_* numbers (netdevice(7)) */
#define IFF_UP		0x0001
#define IFF_BROADCAST	0x0002
#define IFF_DEBUG	0x0004
#define IFF_LOOPBACK	0x0008
#define IFF_POINTOPOINT	0x0010
#define IFF_NOTRAILERS	0x0020
#define IFF_RUNNING	0x0040
#define IFF_NOARP	0x0080
#define IFF_PROMISC	0x0100
#define IFF_ALLMULTI	0x0200
#define IFF_MASTER	0x0400
#define IFF_SLAVE	0x0800
#define IFF_MULTICAST	0x1000
#define IFF_PORTSEL	0x2000
#define IFF_AUTOMEDIA	0x4000
#define IFF_DYNAMIC	0x8000
#define IFF_LOWER_UP	0x10000
#define IFF_DORMANT	0x20000
#define IFF_ECHO	0x40000

/* if_csumtx: beside M_CSUM_TCP (IPv4), IPv6 TCP checksums left to the
 * driver (k/mbuf.h's M_CSUM_* are per transport, not per family). */
#define IF_CSUM_TCP6	0x10000

/* Linux's ARPHRD_* link types, as /sys/class/net/X/type and netlink say. */
#define ARPHRD_ETHER	1
#define ARPHRD_LOOPBACK	772
#define ARPHRD_NONE	0xfffe

/* An address of an interface; ifa_flags IFA_F_* as Linux numbers them. */
#define IFA_F_SECONDARY		0x01
#define IFA_F_NODAD		0x02
#define IFA_F_DADFAILED		0x08
#define IFA_F_HOMEADDRESS	0x10
#define IFA_F_DEPRECATED	0x20
#define IFA_F_TENTATIVE		0x40
#define IFA_F_PERMANENT		0x80
/* scope, RT_SCOPE_* */
#define RT_SCOPE_UNIVERSE	0
#define RT_SCOPE_SITE		200
#define RT_SCOPE_LINK		253
#define RT_SCOPE_HOST		254
#define RT_SCOPE_NOWHERE	255

struct ifnet;

struct ifaddr {
	TAILQ_ENTRY(ifaddr) ifa_list;	/* on its interface's ifa4/ifa6 */
	struct ifnet *ifa_ifp;
	int ifa_af;			/* AF_INET or AF_INET6 */
	struct in6_addr ifa_addr;	/* v4-mapped for IPv4 */
	/* The far end of a point-to-point address (ip addr add A peer P,
	 * SIOCSIFDSTADDR), Linux's ifa_address (IPv6: peer_addr):
	 * ifa_addr when none.  IPv4's connected route is the peer's
	 * prefix, IPv6 adds a /128 route to it; the address is keyed by
	 * ifa_addr alone (Linux also lets one local have several peers). */
	struct in6_addr ifa_peer;
	struct in6_addr ifa_mask;	/* likewise (all ones over the prefix) */
	struct in6_addr ifa_broad;	/* IPv4 broadcast (v4-mapped), or 0 */
	/* No broadcast shown (an rtnetlink add without IFA_BROADCAST:
	 * Linux's ifa_broadcast 0); ifa_broad still receives. */
	bool ifa_brdnone;
	bool ifa_brdset;		/* ifa_broad set by the user (if_cfg.c):
					 * shown even without IFF_BROADCAST */
	int ifa_plen;			/* prefix length: /8 is 8 (IPv4) */
	int ifa_flags;			/* IFA_F_* */
	int ifa_scope;			/* RT_SCOPE_* */
};
TAILQ_HEAD(ifaddrhead, ifaddr);

struct if_counters {
	atomic_uint_fast64_t ipackets, ibytes, ierrors, idrops;
	atomic_uint_fast64_t opackets, obytes, oerrors, odrops;
	atomic_uint_fast64_t imcasts, omcasts;
};

struct ifnet {
	TAILQ_ENTRY(ifnet) if_list;	/* all interfaces, by index */
	char if_name[IFNAMSIZ];
	int if_index;			/* 1 ... */
	int if_flags;			/* IFF_* (if_lock) */
	uint32_t if_mtu;		/* bytes of IP packet the link carries */
	int if_type;			/* ARPHRD_* */
	uint8_t if_hwaddr[8];		/* link-layer address, if_hwlen bytes */
	int if_hwlen;
	int if_txqlen;			/* as Linux's txqueuelen, for tools */
	/*
	 * Bytes of IP packet the link takes and gives as one TCP segment
	 * (m_pkthdr.segsz set) when that is more than if_mtu; 0: none.  A
	 * link whose far ends are our kernels (shmif) sets it, so a bulk
	 * transfer pays the per-packet costs once per 64 KiB (netinet/
	 * tcp_lso.c cuts such a packet for any other link).  Added for the
	 * speed goals of issue 12.
	 */
	uint32_t if_tsomax;
	/* M_CSUM_TCP: the driver has IPv4 TCP checksums finished further on
	 * (tap with the host's offloads; shmif, whose receivers take them
	 * unfinished), so in_ifoutput leaves them; IF_CSUM_TCP6 the same
	 * for IPv6 TCP (shmif). */
	uint32_t if_csumtx;
	struct ifaddrhead if_ifa4;	/* IPv4 addresses, primary first */
	struct ifaddrhead if_ifa6;	/* IPv6 addresses */
	struct if_counters if_cnt;
	bool if_gone;			/* detached: no new packets */
	/*
	 * Sends one IP packet (m_pkthdr.l3off 0, m_pkthdr.len set) to the
	 * next hop nexthop (v4-mapped for IPv4; the destination itself when
	 * on link).  Owns m.  0 or an errno (ENOBUFS when the queue is full);
	 * called with no lock held.
	 */
	int (*if_output)(struct ifnet *ifp, struct mbuf *m, int af,
	    const struct in6_addr *nexthop);
	/* Multicast membership changed (group joined/left); may be NULL. */
	void (*if_mcast)(struct ifnet *ifp, int af,
	    const struct in6_addr *group, bool join);
	/* Deletes the interface (ip link del): the driver lets go of its
	 * host resource and calls if_detach (through ether_ifdetach); 0 or
	 * an errno.  NULL: it cannot be deleted (lo), EOPNOTSUPP.  Called
	 * with no lock held, privilege checked.  Added for RTM_DELLINK. */
	int (*if_destroy)(struct ifnet *ifp);
	void *if_softc;			/* the driver's */
	/* The link layer's state (net/if_ether.c: its transmit function
	 * and multicast filter); NULL for lo.  Added with the Ethernet
	 * layer, so drivers keep if_softc for themselves. */
	void *if_l2;
};
TAILQ_HEAD(ifnethead, ifnet);

extern krwlock_t if_lock;
extern struct ifnethead if_all;		/* under if_lock */
extern struct ifnet *lo_ifp;		/* the loopback, attached at init */

/* Adds ifp (its name, flags, mtu, if_output filled in): sets if_index.
 * EEXIST if the name is taken, ENOMEM. */
int if_attach(struct ifnet *ifp);
/* Marks ifp gone and drops its addresses (pcbs keep theirs). */
void if_detach(struct ifnet *ifp);
/* By index or name, or NULL (a gone interface is not found). */
struct ifnet *if_byindex(int index);
struct ifnet *if_byname(const char *name);

/*
 * Addresses.  af AF_INET or AF_INET6, addr v4-mapped for IPv4, plen the
 * prefix length.  EEXIST if the interface has it, EINVAL for a bad prefix,
 * ENOMEM.
 */
int if_addr_add(struct ifnet *ifp, int af, const struct in6_addr *addr,
    int plen, int flags);
/* The same with a peer (NULL or addr: none), of the same family. */
int if_addr_add_peer(struct ifnet *ifp, int af, const struct in6_addr *addr,
    const struct in6_addr *peer, int plen, int flags);
/* Changes the peer of IPv4 address addr (its routes follow):
 * EADDRNOTAVAIL if ifp does not have addr. */
int if_addr_setpeer(struct ifnet *ifp, const struct in6_addr *addr,
    const struct in6_addr *peer);
int if_addr_del(struct ifnet *ifp, int af, const struct in6_addr *addr);
/*
 * Is addr one of ours?  Returns the interface that has it (NULL if none).
 * For IPv4 also true for 127/8 when lo is up (Linux's "local" route of
 * 127.0.0.0/8), and *bcast (may be NULL) is set when addr is the limited
 * broadcast or a directed broadcast of one of our subnets.
 */
struct ifnet *if_ours(int af, const struct in6_addr *addr, bool *bcast);
/*
 * A source address of ifp for dst (same prefix preferred, else the
 * primary one): 0, or EADDRNOTAVAIL if ifp has no address of af.
 */
int if_srcaddr(struct ifnet *ifp, int af, const struct in6_addr *dst,
    struct in6_addr *src);

/*
 * A received IP packet from a driver: m starts at the IP header,
 * m_pkthdr.rcvif is ifp.  Counted, then handed to ip_input/ip6_input by
 * the first nibble.  Owns m.  Drivers call it with no lock held, from
 * netisr (loopback) or their receive thread.
 */
void if_input(struct ifnet *ifp, struct mbuf *m);

#endif /* NET_IF_H */
