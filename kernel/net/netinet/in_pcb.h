/*
 * in_pcb.h: internet protocol control blocks and their tables
 * (netinet/in_pcb.c, in_pcbport.c) - shared by UDP, TCP, raw and ping
 * sockets of both families.
 *
 * One struct inpcb serves IPv4 and IPv6 sockets: addresses are kept as
 * in6_addr, an IPv4 address in its v4-mapped form (::ffff:a.b.c.d), and
 * inp_af says which family the socket is.  An AF_INET6 socket without
 * IPV6_V6ONLY talks IPv4 through v4-mapped addresses.  Ports are in
 * network order.
 *
 * Each protocol has one struct inpcbtable: all its pcbs, a hash by
 * 4-tuple of the connected ones and a hash by local port of every bound
 * one, one port space for both families (as Linux's).
 *
 * Lifetime: in_pcballoc() takes a hold on the socket (sohold), so
 * inp_socket stays valid as long as the pcb does; the pcb is reference
 * counted (inp_refs: the socket's so_pcb link is one, each lookup result
 * another) and freed, with its socket hold released, at the last
 * in_pcbrele().  in_pcbdetach() unhashes it and sets INP_DEAD.
 *
 * Locking: the pcb's fields are under its socket's so_lock, except the
 * hash linkage, inp_tstate and the bind fields, which the table's
 * ipt_lock also covers (written with both held, read with either).  Lock
 * order (k/socket.h): so_lock before ipt_lock.  So the input path looks
 * up under ipt_lock, which returns a referenced pcb, drops ipt_lock,
 * takes so_lock, checks INP_DEAD, delivers, drops so_lock and calls
 * in_pcbrele().
 */
#ifndef NETINET_IN_PCB_H
#define NETINET_IN_PCB_H

#include "k/kernel.h"
#include "k/abi_inet.h"
#include "k/mbuf.h"

struct socket;
struct sockaddr;
struct inpcbtable;
struct ip_errrec;

/* inp_flags */
#define INP_V6ONLY	0x0001	/* IPV6_V6ONLY: no v4-mapped traffic */
#define INP_RECVERR	0x0002	/* IP_RECVERR / IPV6_RECVERR */
#define INP_PKTINFO	0x0004	/* IP_PKTINFO: in_pktinfo on receive */
#define INP_RECVPKTINFO6 0x0008	/* IPV6_RECVPKTINFO */
#define INP_RECVTTL	0x0010	/* IP_RECVTTL */
#define INP_RECVTOS	0x0020	/* IP_RECVTOS */
#define INP_RECVHOPLIMIT 0x0040	/* IPV6_RECVHOPLIMIT */
#define INP_RECVTCLASS	0x0080	/* IPV6_RECVTCLASS */
#define INP_HDRINCL	0x0100	/* raw: the user gives the IP header */
#define INP_ANONPORT	0x0200	/* port chosen by connect/send, not bind */
#define INP_REUSEADDR	0x0400	/* SO_REUSEADDR at bind (kept past close) */
#define INP_REUSEPORT	0x0800	/* SO_REUSEPORT at bind */
#define INP_FREEBIND	0x1000	/* IP_FREEBIND / IP_TRANSPARENT */
#define INP_MCAST_ALL	0x2000	/* IP_MULTICAST_ALL (default on) */
#define INP_DONTFRAG6	0x4000	/* IPV6_DONTFRAG */
#define INP_DEAD	0x8000	/* detached: unhashed, so_pcb cleared */
#define INP_BIND_NOPORT	0x10000	/* IP_BIND_ADDRESS_NO_PORT */
#define INP_RECVFRAGSIZE 0x20000 /* IP_RECVFRAGSIZE */

/*
 * inp_tstate: what the transport says about the pcb, for the bind rules
 * (SO_REUSEADDR does not share a port with a listener; TIME_WAIT entries
 * are reusable by SO_REUSEADDR).  Set with in_pcbsetstate().
 */
#define INP_TS_OTHER	0
#define INP_TS_LISTEN	1
#define INP_TS_TIMEWAIT	2

/* A multicast group joined (IP_ADD_MEMBERSHIP / IPV6_JOIN_GROUP). */
struct in_mship {
	LIST_ENTRY(in_mship) im_list;
	int im_af;
	struct in6_addr im_group;	/* v4-mapped for IPv4 */
	int im_ifindex;
};
LIST_HEAD(in_mshiphead, in_mship);

struct inpcb {
	LIST_ENTRY(inpcb) inp_hash;	/* 4-tuple hash (connected only) */
	LIST_ENTRY(inpcb) inp_lhash;	/* local-port hash (bound) */
	TAILQ_ENTRY(inpcb) inp_queue;	/* all pcbs of the table */
	struct inpcbtable *inp_table;
	struct socket *inp_socket;	/* held (see the lifetime rule) */
	void *inp_ppcb;			/* the transport's (struct tcpcb) */
	atomic_int inp_refs;
	int inp_af;			/* AF_INET or AF_INET6 */
	int inp_proto;			/* IPPROTO_* (raw: the socket's) */
	int inp_flags;			/* INP_* */
	int inp_tstate;			/* INP_TS_* */
	uid_t inp_uid;			/* euid at creation (SO_REUSEPORT) */

	struct in6_addr inp_laddr;	/* local, :: or ::ffff:0.0.0.0 if any */
	struct in6_addr inp_faddr;	/* foreign, all zero if not connected */
	uint16_t inp_lport;		/* network order, 0: not bound */
	uint16_t inp_fport;
	bool inp_bound;			/* on the local-port hash */
	bool inp_connected;		/* on the 4-tuple hash */
	int inp_bound_ifindex;		/* SO_BINDTODEVICE (0: none) */

	/* IP-level options (ip_ctloutput), -1 meaning "the default". */
	int inp_ttl;			/* IP_TTL */
	int inp_hops6;			/* IPV6_UNICAST_HOPS */
	uint8_t inp_tos;		/* IP_TOS */
	int inp_tclass;			/* IPV6_TCLASS */
	int inp_pmtudisc;		/* IP_MTU_DISCOVER (IP_PMTUDISC_*) */
	int inp_pmtudisc6;		/* IPV6_MTU_DISCOVER */
	int inp_minttl;			/* IP_MINTTL (0: none) */
	int inp_mcast_ttl;		/* IP_MULTICAST_TTL, default 1 */
	int inp_mcast_hops6;		/* IPV6_MULTICAST_HOPS, -1 */
	bool inp_mcast_loop;		/* IP_MULTICAST_LOOP, default on */
	bool inp_mcast_loop6;		/* IPV6_MULTICAST_LOOP */
	struct in_addr inp_mcast_addr;	/* IP_MULTICAST_IF address */
	int inp_mcast_ifindex;		/* IP_MULTICAST_IF / IPV6_MULTICAST_IF */
	int inp_ucast_ifindex;		/* IP_UNICAST_IF / IPV6_UNICAST_IF */
	struct in_mshiphead inp_mships;
	int inp_nmships;
	uint32_t inp_flowinfo;		/* IPV6_FLOWINFO */
	int inp_cksum6;			/* raw IPV6_CHECKSUM offset, -1 */
	uint32_t inp_icmpfilter;	/* raw ICMP_FILTER */
	uint32_t inp_icmp6filter[8];	/* raw ICMPV6_FILTER */

	/* The error queue (IP_RECVERR, ip_errq.c): ICMP errors about what
	 * this socket sent, read with MSG_ERRQUEUE. */
	struct ip_errrec *inp_errq;
	struct ip_errrec *inp_errq_tail;
	size_t inp_errq_bytes;
};

/* The table of one protocol.  Hash sizes are powers of two. */
LIST_HEAD(inpcbhead, inpcb);
TAILQ_HEAD(inpcbqueue, inpcb);
struct inpcbtable {
	kmutex_t ipt_lock;
	const char *ipt_name;		/* "tcp", "udp" ... */
	int ipt_proto;
	struct inpcbqueue ipt_queue;	/* every pcb */
	struct inpcbhead *ipt_hash;	/* by 4-tuple */
	struct inpcbhead *ipt_lhash;	/* by local port */
	uint32_t ipt_mask, ipt_lmask;
	uint32_t ipt_count;
	uint32_t ipt_secret[4];		/* RFC 6056 and hash keys */
	uint32_t ipt_portoff;		/* RFC 6056 algorithm 3 counter */
	/*
	 * Transport hook, may be NULL: a TIME_WAIT pcb tw stands in the way
	 * of a connect() 4-tuple; returns true if the transport recycled it
	 * (RFC 6191 / Linux tcp_tw_reuse) so the tuple may be taken.  Called
	 * with ipt_lock held: it may not take so_lock; it marks tw for the
	 * transport to reap.
	 */
	bool (*ipt_tw_recycle)(struct inpcb *tw);
	/* Ephemeral ports are unused by everyone (UDP) or unique per
	 * 4-tuple (TCP, as Linux's connect). */
	bool ipt_tuple_unique;
};

/*
 * A table's buckets, n of each (a power of two): static, so that a boot
 * faults none of their pages in (zero is an empty list) and a table costs
 * memory only where sockets hash.
 */
#define INPCB_BUCKETS(name, n) \
	static struct inpcbhead name##_hash[n], name##_lhash[n]
#define INPCB_TABLE_INIT(t, tname, proto, name) \
	in_pcbtable_init(t, tname, proto, name##_hash, name##_lhash, \
	    __arraycount(name##_hash))
/* Sets up t over its buckets (INPCB_BUCKETS).  0, or EINVAL for a count
 * that is not a power of two. */
int in_pcbtable_init(struct inpcbtable *t, const char *name, int proto,
    struct inpcbhead *hash, struct inpcbhead *lhash, uint32_t n);

/* sysctl net.ipv4.ip_local_port_range (inclusive, host order). */
extern int64_t ip_port_first, ip_port_last;

/*
 * A new pcb for so (so_lock held), of family af, in t: so->so_pcb is set,
 * defaults from the sysctls.  0 or ENOBUFS.
 */
int in_pcballoc(struct socket *so, struct inpcbtable *t, int af, int proto);
/*
 * bind(): checks the address (length, family: EINVAL / EAFNOSUPPORT as
 * Linux, EADDRNOTAVAIL if not local unless IP_FREEBIND), privileged ports
 * (EACCES below 1024 unless root), the Linux conflict rules (EADDRINUSE;
 * SO_REUSEADDR, SO_REUSEPORT with the same uid, wildcard vs specific,
 * v4-mapped vs IPv6 and V6ONLY), EINVAL if already bound; port 0 picks an
 * ephemeral port (EADDRINUSE when none is free).
 */
int in_pcbbind(struct inpcb *inp, const struct sockaddr *sa, socklen_t len);
/*
 * connect(): validates the address like bind, chooses the source address
 * (in_selectsrc) and, if unbound, an ephemeral port (RFC 6056 algorithm 3,
 * 4-tuple unique); hashes the 4-tuple.  EADDRINUSE if the 4-tuple is
 * taken, ENETUNREACH if there is no route, EAFNOSUPPORT/EINVAL for bad
 * addresses, EADDRNOTAVAIL for port 0 on a stream protocol.
 */
int in_pcbconnect(struct inpcb *inp, const struct sockaddr *sa,
    socklen_t len);
/* An ephemeral port for an unbound pcb (UDP send, TCP listen without
 * bind): 0 or EAGAIN when the range is used up. */
int in_pcbautobind(struct inpcb *inp);
/* Parses and checks a destination for connect or sendto: *faddr
 * (v4-mapped for IPv4), *fport; same errors as in_pcbconnect. */
int in_pcbcheckdst(const struct inpcb *inp, const struct sockaddr *sa,
    socklen_t len, struct in6_addr *faddr, uint16_t *fport);
/* Unconnect (UDP AF_UNSPEC connect): faddr cleared, laddr back to what
 * bind() set, rehashed. */
void in_pcbdisconnect(struct inpcb *inp);
/* Unhash, clear so_pcb, INP_DEAD, drop the socket's reference. */
void in_pcbdetach(struct inpcb *inp);
void in_pcbref(struct inpcb *inp);
/* Drops a reference; the last one frees inp (so_lock held if the caller
 * has it: the socket's hold is released with sorele). */
void in_pcbrele(struct inpcb *inp);
/* Sets inp_tstate (so_lock held; takes ipt_lock). */
void in_pcbsetstate(struct inpcb *inp, int tstate);
/* listen(): inp_tstate LISTEN, after checking the bind rules again
 * (another socket of the port may have started listening): EADDRINUSE. */
int in_pcblisten(struct inpcb *inp);

/* Names of the ends, as getsockname/getpeername give them for the
 * socket's family (IPv4 peers of an AF_INET6 socket v4-mapped). */
int in_pcbsockaddr(const struct inpcb *inp, struct sockaddr *sa,
    socklen_t *lenp);
int in_pcbpeeraddr(const struct inpcb *inp, struct sockaddr *sa,
    socklen_t *lenp);
/* A sockaddr of the socket's family for addr/port (recvfrom, accept). */
socklen_t in_sockaddr_fill(int sockaf, const struct in6_addr *addr,
    uint16_t port, struct sockaddr *sa);

/*
 * Lookups for input: faddr/fport the packet's source, laddr/lport its
 * destination (v4-mapped for IPv4; af the packet's family).  The result
 * is referenced (in_pcbrele when done) or NULL.
 *
 * in_pcblookup_connect: the connected pcb of exactly that 4-tuple.
 * in_pcblookup_bound: the best bound, unconnected pcb for laddr/lport
 *   (specific address before wildcard; among SO_REUSEPORT siblings one
 *   chosen by the flow hash of the 4-tuple); with INPLOOKUP_LISTEN only
 *   inp_tstate LISTEN ones (TCP).
 * in_pcblookup: connect, then bound.
 */
#define INPLOOKUP_LISTEN	0x01
struct inpcb *in_pcblookup_connect(struct inpcbtable *t, int af,
    const struct in6_addr *faddr, uint16_t fport,
    const struct in6_addr *laddr, uint16_t lport);
struct inpcb *in_pcblookup_bound(struct inpcbtable *t, int af,
    const struct in6_addr *faddr, uint16_t fport,
    const struct in6_addr *laddr, uint16_t lport, int flags);
struct inpcb *in_pcblookup(struct inpcbtable *t, int af,
    const struct in6_addr *faddr, uint16_t fport,
    const struct in6_addr *laddr, uint16_t lport, int flags);
/*
 * Every pcb that matches a packet (broadcast and multicast UDP, raw and
 * ping sockets): fills up to max referenced pcbs into v, returns how many
 * matched (may be more than max).  match is called under ipt_lock.
 */
size_t in_pcblookup_all(struct inpcbtable *t,
    bool (*match)(const struct inpcb *, void *), void *arg,
    struct inpcb **v, size_t max);
/* Whether inp accepts packets of family af to laddr (V6ONLY, mapped). */
bool in_pcbaccepts(const struct inpcb *inp, int af,
    const struct in6_addr *laddr);

/* --- address helpers ------------------------------------------------------ */
static inline bool
in6_is_v4mapped(const struct in6_addr *a)
{
	return a->s6_addr32[0] == 0 && a->s6_addr32[1] == 0 &&
	    a->s6_addr32[2] == htonl(0x0000ffff);
}
static inline bool
in6_is_unspec(const struct in6_addr *a)
{
	return (a->s6_addr32[0] | a->s6_addr32[1] | a->s6_addr32[2] |
	    a->s6_addr32[3]) == 0;
}
static inline bool
in6_is_loopback(const struct in6_addr *a)
{
	return a->s6_addr32[0] == 0 && a->s6_addr32[1] == 0 &&
	    a->s6_addr32[2] == 0 && a->s6_addr32[3] == htonl(1);
}
static inline bool
in6_is_multicast(const struct in6_addr *a)
{
	return a->s6_addr[0] == 0xff;
}
static inline bool
in6_is_linklocal(const struct in6_addr *a)
{
	return a->s6_addr[0] == 0xfe && (a->s6_addr[1] & 0xc0) == 0x80;
}
static inline bool
in6_equal(const struct in6_addr *a, const struct in6_addr *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}
/* The v4-mapped form of a (network order) IPv4 address. */
static inline void
in6_set_v4mapped(struct in6_addr *a, in_addr_t v4)
{
	a->s6_addr32[0] = 0;
	a->s6_addr32[1] = 0;
	a->s6_addr32[2] = htonl(0x0000ffff);
	a->s6_addr32[3] = v4;
}
static inline in_addr_t
in6_v4addr(const struct in6_addr *a)
{
	return a->s6_addr32[3];
}
/* The IPv4 wildcard in mapped form: ::ffff:0.0.0.0. */
static inline bool
in6_is_v4any(const struct in6_addr *a)
{
	return in6_is_v4mapped(a) && a->s6_addr32[3] == 0;
}
/* Wildcard of either family. */
static inline bool
in6_is_anyaddr(const struct in6_addr *a)
{
	return in6_is_unspec(a) || in6_is_v4any(a);
}

#endif /* NETINET_IN_PCB_H */
