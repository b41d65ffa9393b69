/*
 * ip_var.h: the network layer's interface to transports (TCP, UDP, raw,
 * ping) - output, input registration, error notification, checksums, MTU
 * and the shared IP-level socket options.  IPv4 (netinet/ip_input.c,
 * ip_output.c, ip_frag.c) and IPv6 (netinet6/ip6_input.c, ip6_output.c,
 * frag6.c) behind one set of calls; addresses are in6_addr with IPv4 in
 * v4-mapped form (netinet/in_pcb.h).
 *
 * Ownership (k/mbuf.h): in_output() and every input function own the
 * packet they are given.  Locking: in_output() may be called with a
 * socket's so_lock held (it never delivers synchronously: loopback
 * queues, see k/socket.h); input and ctlinput functions are called with
 * no lock held, from netisr_run() or a driver's receive thread.
 */
#ifndef NETINET_IP_VAR_H
#define NETINET_IP_VAR_H

#include "k/kernel.h"
#include "k/abi_inet.h"
#include "k/mbuf.h"

struct inpcb;
struct ifnet;
struct socket;
struct sockopt;

/* --- output ---------------------------------------------------------------- */
/*
 * Checksum offload between the transport and in_output (m_pkthdr.
 * csum_flags, added to k/mbuf.h's M_CSUM_*): a transport that sets
 * M_CSUM_TCP or M_CSUM_UDP (or M_CSUM_ICMP6) leaves its checksum field
 * zero with l4off set; in_output computes it unless the packet goes over
 * the loopback, where the receiver gets M_CSUM_DATA_VALID instead (as
 * Linux's lo passes CHECKSUM_PARTIAL on).
 */

/* What a transport asks in_output to send. */
struct ip_out {
	int af;				/* AF_INET or AF_INET6 (of the packet) */
	int proto;			/* IPPROTO_* of the payload */
	struct in6_addr src;		/* v4-mapped for IPv4; :: = choose */
	struct in6_addr dst;
	int ttl;			/* hop limit, -1: the sysctl default */
	int tos;			/* TOS / traffic class, -1: 0 */
	int pmtudisc;			/* IP_PMTUDISC_*, -1: WANT (TCP: DO) */
	int ifindex;			/* 0, or the interface to use */
	int flags;			/* IPOUT_* */
	uint32_t flowlabel;		/* IPv6, host order, 20 bits */
};
#define IPOUT_BROADCAST	0x01	/* SO_BROADCAST: may send to a broadcast */
#define IPOUT_MCAST_LOOP 0x02	/* multicast: deliver to ourselves too */
#define IPOUT_DONTFRAG	0x04	/* IPv6 DONTFRAG: EMSGSIZE, never fragment */
#define IPOUT_RAWHDR	0x08	/* IPv4 header given by the user (HDRINCL) */

/*
 * Fills o from inp: its family, addresses (dst from inp_faddr unless dst
 * is given), TTL, TOS, PMTU mode and multicast options.
 */
void ip_out_frompcb(struct ip_out *o, const struct inpcb *inp, int proto,
    const struct in6_addr *dst);
/*
 * Prepends the IPv4 or IPv6 header to m (which starts at the transport
 * header, room reserved per k/mbuf.h), chooses the interface and next
 * hop (in_route_lookup), fragments when the packet exceeds the path MTU
 * and fragmenting is allowed, else fails with EMSGSIZE (DF set, IPv6
 * DONTFRAG, or a too-large TCP segment) and hands the packet(s) to
 * if_output.  0 or an errno: EMSGSIZE, ENETUNREACH, EHOSTUNREACH,
 * EACCES (broadcast without IPOUT_BROADCAST), EADDRNOTAVAIL (src not
 * ours), ENOBUFS.  Owns m.
 */
int in_output(struct mbuf *m, const struct ip_out *o);

/* A route for dst: interface, source address, next hop and MTU. */
struct in_route {
	struct ifnet *ro_ifp;
	struct in6_addr ro_src;		/* preferred source */
	struct in6_addr ro_nexthop;	/* gateway or dst itself */
	uint32_t ro_mtu;		/* path MTU (PMTU cache, interface) */
	bool ro_local;			/* dst is one of ours */
	bool ro_bcast;			/* dst is a broadcast address */
};
/*
 * Every local address, 127/8 and ::1 route to lo; broadcasts and
 * multicast leave by their interface (multicast without one: lo);
 * anything else by route_lookup (net/route.h): ENETUNREACH without a
 * route, EHOSTUNREACH for an unreachable one; ENODEV for a bad ifindex.
 */
int in_route_lookup(int af, const struct in6_addr *dst, int ifindex,
    struct in_route *ro);
/*
 * Source address for dst (connect, unbound sendto): 0, ENETUNREACH or
 * EADDRNOTAVAIL.
 */
int in_selectsrc(int af, const struct in6_addr *dst, int ifindex,
    struct in6_addr *src);

/* --- path MTU ----------------------------------------------------------- */
/* The path MTU to dst (interface MTU unless the PMTU cache knows less). */
uint32_t in_pathmtu(int af, const struct in6_addr *dst);
/* An ICMP frag-needed / packet-too-big said mtu; kept 10 minutes (Linux's
 * net.ipv4.route.mtu_expires).  Floors: 552 IPv4 (min_pmtu), 1280 IPv6. */
void in_pmtu_update(int af, const struct in6_addr *dst, uint32_t mtu);
/* Largest TCP payload to dst without options: MTU - IP - TCP headers. */
uint32_t in_maxmss(int af, const struct in6_addr *dst);

/* --- input ----------------------------------------------------------------- */
/* What the network layer tells a transport about a received packet. */
struct ip_rcv {
	int af;				/* family of the packet */
	struct in6_addr src, dst;	/* v4-mapped for IPv4 */
	size_t off;			/* offset of the transport header in m */
	size_t len;			/* transport header + payload bytes */
	int ttl;			/* TTL / hop limit it arrived with */
	int tos;			/* TOS / traffic class */
	struct ifnet *ifp;		/* where it came in */
	int flags;			/* IPRCV_* */
	uint32_t fragsize;		/* largest fragment if reassembled */
	size_t nxtoff;			/* offset of the field that named the
					 * protocol (ICMPv6 parameter problem) */
};
#define IPRCV_BCAST	0x01	/* to a broadcast address */
#define IPRCV_MCAST	0x02	/* to a multicast group */
#define IPRCV_REASS	0x04	/* was reassembled */

/*
 * An ICMP/ICMPv6 error about a packet we sent, for its transport: the
 * quoted packet's addresses (src is ours), its transport header bytes.
 */
struct ip_ctlmsg {
	int af;				/* family of the quoted packet */
	int error;			/* errno: ECONNREFUSED, EHOSTUNREACH,
					 * ENETUNREACH, EMSGSIZE, EHOSTDOWN,
					 * ENOPROTOOPT, EPROTO ... */
	int icmp_type, icmp_code;	/* as received (for the error queue) */
	uint32_t icmp_info;		/* MTU for EMSGSIZE, else 0 */
	bool hard;			/* Linux's icmp_err_convert "fatal" */
	struct in6_addr src, dst;	/* of the quoted packet */
	struct in6_addr offender;	/* who sent the ICMP */
	const uint8_t *quoted;		/* quoted transport header */
	size_t quotedlen;		/* >= 8 */
	struct mbuf *m;			/* the whole ICMP packet (read only) */
	size_t payoff;			/* offset of the quoted IP header in m */
	size_t l4off;			/* ... of the quoted transport header */
	const struct ip_rcv *rcv;	/* how the ICMP packet arrived */
};

struct ip_protosw {
	/* A packet for this protocol: the transport owns m. */
	void (*ipp_input)(struct mbuf *m, const struct ip_rcv *r);
	/* An error about one we sent (may be NULL). */
	void (*ipp_ctlinput)(const struct ip_ctlmsg *c);
};
/*
 * Registers the transport for proto in family af (AF_INET, AF_INET6; one
 * transport may register the same functions for both).  Unregistered
 * protocols get ICMP protocol unreachable / ICMPv6 parameter problem.
 * EEXIST if taken.  Called from component init.
 */
int ip_proto_register(int af, int proto, const struct ip_protosw *p);

/* --- ICMP errors from transports ----------------------------------------- */
/*
 * Sends an ICMP (af AF_INET) or ICMPv6 error about packet m (whose
 * network header starts at m_pkthdr.l3off, normally 0) to its source:
 * type/code as on the wire, info the MTU (frag needed / too big) or the
 * pointer (parameter problem).  Rate limited; never about an ICMP error,
 * a broadcast, multicast or a non-first fragment.  Consumes m.
 */
void icmp_error(int af, struct mbuf *m, int type, int code, uint32_t info);

/* --- checksums (netinet/in_cksum.c) ------------------------------------- */
/* One's complement sum of bytes [off, off + len) of a chain, folded, not
 * complemented; an odd-offset start is handled. */
uint32_t in_cksum_sum(const struct mbuf *m, size_t off, size_t len,
    uint32_t sum);
/* The Internet checksum (complemented) of [off, off + len). */
uint16_t in_cksum(const struct mbuf *m, size_t off, size_t len);
/* Over a flat buffer. */
uint16_t in_cksum_buf(const void *buf, size_t len);
/*
 * Transport checksum with the pseudo header of af (src/dst v4-mapped for
 * IPv4, length len, next header proto) over [off, off + len).
 * Verifying a received packet: 0 means good.
 */
uint16_t in_cksum_pseudo(int af, const struct in6_addr *src,
    const struct in6_addr *dst, uint8_t proto, const struct mbuf *m,
    size_t off, size_t len);

/* --- the IP-level socket options ------------------------------------------ */
/*
 * SOL_IP and SOL_IPV6 options of an inet socket (so_pcb an inpcb), for
 * every transport's pr_ctloutput to forward to: IP_TTL, IP_TOS,
 * IP_RECVERR, IP_PKTINFO, IP_RECVTTL, IP_RECVTOS, IP_MTU_DISCOVER, IP_MTU,
 * IP_MINTTL, IP_FREEBIND, IP_BIND_ADDRESS_NO_PORT, IP_MULTICAST_IF/TTL/
 * LOOP/ALL, IP_ADD/DROP_MEMBERSHIP, IP_UNICAST_IF, IPV6_V6ONLY,
 * IPV6_RECVPKTINFO, IPV6_UNICAST_HOPS, IPV6_MULTICAST_*, IPV6_JOIN/
 * LEAVE_GROUP, IPV6_RECVERR, IPV6_TCLASS, IPV6_RECVHOPLIMIT,
 * IPV6_RECVTCLASS, IPV6_MTU_DISCOVER, IPV6_MTU, IPV6_DONTFRAG; others
 * ENOPROTOOPT.  so_lock held.
 */
int ip_ctloutput(int op, struct socket *so, struct sockopt *sopt);
/*
 * Receive-side ancillary data for a datagram, as the pcb's options ask
 * (IP_PKTINFO, IP_RECVTTL, IP_RECVTOS, IPV6_PKTINFO, IPV6_HOPLIMIT,
 * IPV6_TCLASS ...): a chain of MT_CONTROL cmsgs or NULL.
 */
struct mbuf *ip_savecontrol(const struct inpcb *inp, const struct ip_rcv *r);
/*
 * Send-side ancillary data: IP_PKTINFO/IPV6_PKTINFO (source address,
 * interface), IP_TTL, IP_TOS, IPV6_HOPLIMIT, IPV6_TCLASS, IPV6_DONTFRAG
 * applied to o.  EINVAL for a malformed or unknown cmsg, EADDRNOTAVAIL
 * for a source not ours.  control is kept (the caller frees it).
 */
int ip_applycontrol(const struct inpcb *inp, struct mbuf *control,
    struct ip_out *o);
/*
 * The error queue (ip_errq.c).  ip_errq_append queues an error on inp if
 * it has IP_RECVERR / IPV6_RECVERR (so_lock held): the data is c->m from
 * dataoff on (what the socket sent), the name the quoted destination with
 * port (network order).  The caller sets so_error.  True if queued.
 */
bool ip_errq_append(struct inpcb *inp, const struct ip_ctlmsg *c,
    size_t dataoff, uint16_t port);
/* recvmsg(MSG_ERRQUEUE) on an inet socket (pr_recverr): the first record,
 * EAGAIN if none. */
int ip_errq_recv(struct socket *so, struct mbuf **datap,
    struct mbuf **controlp, struct sockaddr_storage *from,
    socklen_t *fromlenp);
/* pr_poll of the inet transports: POLLERR while errors are queued. */
int ip_errq_poll(struct socket *so, int events);
/* Drops every queued error (IP_RECVERR off, the pcb freed). */
void ip_errq_purge(struct inpcb *inp);

/* --- sysctls and statistics ------------------------------------------------ */
extern int64_t ip_defttl;		/* net.ipv4.ip_default_ttl (64) */
extern int64_t ip6_defhlim;		/* net.ipv6.conf.all.hop_limit (64) */

struct ipstat {
	atomic_uint_fast64_t ips_total, ips_badsum, ips_tooshort, ips_badhlen,
	    ips_badlen, ips_badvers, ips_noproto, ips_delivered, ips_fragments,
	    ips_fragdropped, ips_fragtimeout, ips_reassembled, ips_localout,
	    ips_fragmented, ips_cantfrag, ips_noroute, ips_odropped,
	    ips_forward_dropped, ips_forwarded;
};
extern struct ipstat ipstat, ip6stat;

/* UDP's MIB counters (/proc/net/snmp's Udp line), IPv4 and IPv6 together. */
struct udpstat {
	atomic_uint_fast64_t udps_indatagrams, udps_noports, udps_inerrors,
	    udps_outdatagrams, udps_rcvbuferrors, udps_sndbuferrors,
	    udps_incsumerrors;
};
extern struct udpstat udpstat;

/* ICMP's and ICMPv6's MIB counters (/proc/net/snmp's Icmp and IcmpMsg
 * lines, /proc/net/snmp6's Icmp6 ones): per type in and out as Linux's
 * icmpmsg MIB, out counted for every locally sent ICMP (in_output). */
struct icmpstat {
	atomic_uint_fast64_t icps_inmsgs, icps_inerrors, icps_incsumerrors,
	    icps_outmsgs, icps_outerrors, icps_ratelimit;
	atomic_uint_fast64_t icps_intype[256], icps_outtype[256];
};
extern struct icmpstat icmpstat, icmp6stat;

#endif /* NETINET_IP_VAR_H */
