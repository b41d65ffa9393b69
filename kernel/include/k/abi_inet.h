/*
 * abi_inet.h: the Linux internet ABI as the kernel speaks it (x86_64 and
 * aarch64, both little-endian): addresses, protocol numbers, the IP, IPv6,
 * ICMP and TCP option numbers and their structs, struct tcp_info exactly
 * as Linux's UAPI lays it out, and the wire headers (IPv4, IPv6, ICMP,
 * ICMPv6, UDP, TCP), whose multi-byte fields are in network byte order.
 *
 * Written from Linux's UAPI (linux/in.h, in6.h, ipv6.h, icmp.h, icmpv6.h,
 * tcp.h, errqueue.h); the family fields are uint16_t (Linux's
 * sa_family_t) so this header needs nothing but k/abi.h's types.  No host
 * header is included.
 */
#ifndef K_ABI_INET_H
#define K_ABI_INET_H

#include <stdint.h>

/* Errnos the network layer reports that k/abi.h may not have yet. */
#ifndef ENONET
#define ENONET		64
#endif
#ifndef EPROTO
#define EPROTO		71
#endif
#ifndef ENETRESET
#define ENETRESET	102
#endif
#ifndef EHOSTDOWN
#define EHOSTDOWN	112
#endif

/* --- byte order ---------------------------------------------------------- */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
static inline uint16_t htons(uint16_t v) { return v; }
static inline uint32_t htonl(uint32_t v) { return v; }
#else
static inline uint16_t htons(uint16_t v) { return __builtin_bswap16(v); }
static inline uint32_t htonl(uint32_t v) { return __builtin_bswap32(v); }
#endif
#define ntohs(v)	htons(v)
#define ntohl(v)	htonl(v)

/* --- addresses ----------------------------------------------------------- */
typedef uint32_t in_addr_t;
typedef uint16_t in_port_t;

struct in_addr {
	in_addr_t s_addr;		/* network order */
};

struct in6_addr {
	union {
		uint8_t u6_addr8[16];
		uint16_t u6_addr16[8];
		uint32_t u6_addr32[4];
	} in6_u;
};
#define s6_addr		in6_u.u6_addr8
#define s6_addr16	in6_u.u6_addr16
#define s6_addr32	in6_u.u6_addr32

struct sockaddr_in {
	uint16_t sin_family;		/* AF_INET */
	in_port_t sin_port;		/* network order */
	struct in_addr sin_addr;
	uint8_t sin_zero[8];
};

struct sockaddr_in6 {
	uint16_t sin6_family;		/* AF_INET6 */
	in_port_t sin6_port;
	uint32_t sin6_flowinfo;
	struct in6_addr sin6_addr;
	uint32_t sin6_scope_id;
};
#define SIN6_LEN_RFC2133 24		/* Linux accepts this shorter form */

/* Host-order values, as Linux's UAPI defines them. */
#define INADDR_ANY		((in_addr_t)0x00000000)
#define INADDR_BROADCAST	((in_addr_t)0xffffffff)
#define INADDR_NONE		((in_addr_t)0xffffffff)
#define INADDR_DUMMY		((in_addr_t)0xc0000008)
#define INADDR_LOOPBACK		((in_addr_t)0x7f000001)
#define IN_LOOPBACKNET		127
#define INADDR_UNSPEC_GROUP	((in_addr_t)0xe0000000)
#define INADDR_ALLHOSTS_GROUP	((in_addr_t)0xe0000001)
#define INADDR_ALLRTRS_GROUP	((in_addr_t)0xe0000002)
#define INADDR_ALLSNOOPERS_GROUP ((in_addr_t)0xe000006a)
#define INADDR_MAX_LOCAL_GROUP	((in_addr_t)0xe00000ff)
#define IN_MULTICAST(a)		(((a) & 0xf0000000) == 0xe0000000)
#define IN_BADCLASS(a)		(((a) & 0xf0000000) == 0xf0000000)
#define IN_LOOPBACK(a)		(((a) & 0xff000000) == 0x7f000000)

#define IN6ADDR_ANY_INIT	{ { { 0,0,0,0, 0,0,0,0, 0,0,0,0, 0,0,0,0 } } }
#define IN6ADDR_LOOPBACK_INIT	{ { { 0,0,0,0, 0,0,0,0, 0,0,0,0, 0,0,0,1 } } }
/* Compound literals (the kernel exports no in6addr_any symbol). */
#define in6addr_any		((struct in6_addr)IN6ADDR_ANY_INIT)
#define in6addr_loopback	((struct in6_addr)IN6ADDR_LOOPBACK_INIT)

#define INET_ADDRSTRLEN		16
#define INET6_ADDRSTRLEN	46

/* --- protocols (IPPROTO_*) ------------------------------------------------ */
#define IPPROTO_IP		0
#define IPPROTO_HOPOPTS		0	/* IPv6 hop-by-hop options */
#define IPPROTO_ICMP		1
#define IPPROTO_IGMP		2
#define IPPROTO_IPIP		4
#define IPPROTO_TCP		6
#define IPPROTO_EGP		8
#define IPPROTO_PUP		12
#define IPPROTO_UDP		17
#define IPPROTO_IDP		22
#define IPPROTO_TP		29
#define IPPROTO_DCCP		33
#define IPPROTO_IPV6		41
#define IPPROTO_ROUTING		43
#define IPPROTO_FRAGMENT	44
#define IPPROTO_RSVP		46
#define IPPROTO_GRE		47
#define IPPROTO_ESP		50
#define IPPROTO_AH		51
#define IPPROTO_ICMPV6		58
#define IPPROTO_NONE		59
#define IPPROTO_DSTOPTS		60
#define IPPROTO_MTP		92
#define IPPROTO_BEETPH		94
#define IPPROTO_ENCAP		98
#define IPPROTO_PIM		103
#define IPPROTO_COMP		108
#define IPPROTO_L2TP		115
#define IPPROTO_MH		135
#define IPPROTO_SCTP		132
#define IPPROTO_UDPLITE		136
#define IPPROTO_MPLS		137
#define IPPROTO_ETHERNET	143
#define IPPROTO_RAW		255
#define IPPROTO_MPTCP		262
#define IPPROTO_MAX		263

/* Option levels (SOL_SOCKET is in the socket ABI). */
#define SOL_IP			0
#define SOL_TCP			6
#define SOL_UDP			17
#define SOL_IPV6		41
#define SOL_ICMPV6		58
#define SOL_RAW			255

/* --- IPv4 options (level SOL_IP) ------------------------------------------ */
#define IP_TOS			1
#define IP_TTL			2
#define IP_HDRINCL		3
#define IP_OPTIONS		4
#define IP_ROUTER_ALERT		5
#define IP_RECVOPTS		6
#define IP_RETOPTS		7
#define IP_PKTINFO		8
#define IP_PKTOPTIONS		9
#define IP_MTU_DISCOVER		10
#define IP_RECVERR		11
#define IP_RECVTTL		12
#define IP_RECVTOS		13
#define IP_MTU			14
#define IP_FREEBIND		15
#define IP_IPSEC_POLICY		16
#define IP_XFRM_POLICY		17
#define IP_PASSSEC		18
#define IP_TRANSPARENT		19
#define IP_RECVRETOPTS		IP_RETOPTS
#define IP_ORIGDSTADDR		20
#define IP_RECVORIGDSTADDR	IP_ORIGDSTADDR
#define IP_MINTTL		21
#define IP_NODEFRAG		22
#define IP_CHECKSUM		23
#define IP_BIND_ADDRESS_NO_PORT	24
#define IP_RECVFRAGSIZE		25
#define IP_RECVERR_RFC4884	26
#define IP_MULTICAST_IF		32
#define IP_MULTICAST_TTL	33
#define IP_MULTICAST_LOOP	34
#define IP_ADD_MEMBERSHIP	35
#define IP_DROP_MEMBERSHIP	36
#define IP_UNBLOCK_SOURCE	37
#define IP_BLOCK_SOURCE		38
#define IP_ADD_SOURCE_MEMBERSHIP 39
#define IP_DROP_SOURCE_MEMBERSHIP 40
#define IP_MSFILTER		41
#define MCAST_JOIN_GROUP	42
#define MCAST_BLOCK_SOURCE	43
#define MCAST_UNBLOCK_SOURCE	44
#define MCAST_LEAVE_GROUP	45
#define MCAST_JOIN_SOURCE_GROUP	46
#define MCAST_LEAVE_SOURCE_GROUP 47
#define MCAST_MSFILTER		48
#define IP_MULTICAST_ALL	49
#define IP_UNICAST_IF		50
#define IP_LOCAL_PORT_RANGE	51
#define IP_PROTOCOL		52

/* IP_MTU_DISCOVER values (also IPV6_MTU_DISCOVER) */
#define IP_PMTUDISC_DONT	0
#define IP_PMTUDISC_WANT	1
#define IP_PMTUDISC_DO		2
#define IP_PMTUDISC_PROBE	3
#define IP_PMTUDISC_INTERFACE	4
#define IP_PMTUDISC_OMIT	5

#define IP_DEFAULT_MULTICAST_TTL  1
#define IP_DEFAULT_MULTICAST_LOOP 1
#define IP_MAX_MEMBERSHIPS	20	/* Linux: net.ipv4.igmp_max_memberships */

struct ip_mreq {
	struct in_addr imr_multiaddr;
	struct in_addr imr_interface;
};
struct ip_mreqn {
	struct in_addr imr_multiaddr;
	struct in_addr imr_address;
	int imr_ifindex;
};
struct ip_mreq_source {
	uint32_t imr_multiaddr;
	uint32_t imr_interface;
	uint32_t imr_sourceaddr;
};
struct in_pktinfo {
	int ipi_ifindex;
	struct in_addr ipi_spec_dst;
	struct in_addr ipi_addr;
};

/* --- IPv6 options (level SOL_IPV6) ---------------------------------------- */
#define IPV6_ADDRFORM		1
#define IPV6_2292PKTINFO	2
#define IPV6_2292HOPOPTS	3
#define IPV6_2292DSTOPTS	4
#define IPV6_2292RTHDR		5
#define IPV6_2292PKTOPTIONS	6
#define IPV6_CHECKSUM		7
#define IPV6_2292HOPLIMIT	8
#define IPV6_NEXTHOP		9
#define IPV6_AUTHHDR		10
#define IPV6_FLOWINFO		11
#define IPV6_UNICAST_HOPS	16
#define IPV6_MULTICAST_IF	17
#define IPV6_MULTICAST_HOPS	18
#define IPV6_MULTICAST_LOOP	19
#define IPV6_ADD_MEMBERSHIP	20
#define IPV6_DROP_MEMBERSHIP	21
#define IPV6_JOIN_GROUP		IPV6_ADD_MEMBERSHIP
#define IPV6_LEAVE_GROUP	IPV6_DROP_MEMBERSHIP
#define IPV6_ROUTER_ALERT	22
#define IPV6_MTU_DISCOVER	23
#define IPV6_MTU		24
#define IPV6_RECVERR		25
#define IPV6_V6ONLY		26
#define IPV6_JOIN_ANYCAST	27
#define IPV6_LEAVE_ANYCAST	28
#define IPV6_MULTICAST_ALL	29
#define IPV6_ROUTER_ALERT_ISOLATE 30
#define IPV6_RECVERR_RFC4884	31
#define IPV6_IPSEC_POLICY	34
#define IPV6_XFRM_POLICY	35
#define IPV6_HDRINCL		36
#define IPV6_RECVPKTINFO	49
#define IPV6_PKTINFO		50
#define IPV6_RECVHOPLIMIT	51
#define IPV6_HOPLIMIT		52
#define IPV6_RECVHOPOPTS	53
#define IPV6_HOPOPTS		54
#define IPV6_RTHDRDSTOPTS	55
#define IPV6_RECVRTHDR		56
#define IPV6_RTHDR		57
#define IPV6_RECVDSTOPTS	58
#define IPV6_DSTOPTS		59
#define IPV6_RECVPATHMTU	60
#define IPV6_PATHMTU		61
#define IPV6_DONTFRAG		62
#define IPV6_RECVTCLASS		66
#define IPV6_TCLASS		67
#define IPV6_AUTOFLOWLABEL	70
#define IPV6_ADDR_PREFERENCES	72
#define IPV6_MINHOPCOUNT	73
#define IPV6_ORIGDSTADDR	74
#define IPV6_RECVORIGDSTADDR	IPV6_ORIGDSTADDR
#define IPV6_TRANSPARENT	75
#define IPV6_UNICAST_IF		76
#define IPV6_RECVFRAGSIZE	77
#define IPV6_FREEBIND		78

/* IPV6_MTU_DISCOVER values */
#define IPV6_PMTUDISC_DONT	0
#define IPV6_PMTUDISC_WANT	1
#define IPV6_PMTUDISC_DO	2
#define IPV6_PMTUDISC_PROBE	3
#define IPV6_PMTUDISC_INTERFACE	4
#define IPV6_PMTUDISC_OMIT	5

struct ipv6_mreq {
	struct in6_addr ipv6mr_multiaddr;
	int ipv6mr_interface;
};
struct in6_pktinfo {
	struct in6_addr ipi6_addr;
	int ipi6_ifindex;
};
struct ip6_mtuinfo {
	struct sockaddr_in6 ip6m_addr;
	uint32_t ip6m_mtu;
};

/* Raw socket filters: ICMP_FILTER at SOL_RAW, ICMPV6_FILTER at SOL_ICMPV6. */
#define ICMP_FILTER		1
struct icmp_filter {
	uint32_t data;
};
#define ICMPV6_FILTER		1
struct icmp6_filter {
	uint32_t icmp6_filt[8];
};

/* --- the error queue (linux/errqueue.h), IP_RECVERR / IPV6_RECVERR ------- */
struct sock_extended_err {
	uint32_t ee_errno;
	uint8_t ee_origin;
	uint8_t ee_type;
	uint8_t ee_code;
	uint8_t ee_pad;
	uint32_t ee_info;
	uint32_t ee_data;
};
#define SO_EE_ORIGIN_NONE	0
#define SO_EE_ORIGIN_LOCAL	1
#define SO_EE_ORIGIN_ICMP	2
#define SO_EE_ORIGIN_ICMP6	3
#define SO_EE_ORIGIN_TXSTATUS	4
#define SO_EE_ORIGIN_ZEROCOPY	5
#define SO_EE_ORIGIN_TXTIME	6
/* The offender's address follows the struct in the cmsg data. */
#define SO_EE_OFFENDER(ee)	((void *)((struct sock_extended_err *)(ee) + 1))

/* --- TCP options (level SOL_TCP) ------------------------------------------ */
#define TCP_NODELAY		1
#define TCP_MAXSEG		2
#define TCP_CORK		3
#define TCP_KEEPIDLE		4
#define TCP_KEEPINTVL		5
#define TCP_KEEPCNT		6
#define TCP_SYNCNT		7
#define TCP_LINGER2		8
#define TCP_DEFER_ACCEPT	9
#define TCP_WINDOW_CLAMP	10
#define TCP_INFO		11
#define TCP_QUICKACK		12
#define TCP_CONGESTION		13
#define TCP_MD5SIG		14
#define TCP_THIN_LINEAR_TIMEOUTS 16
#define TCP_THIN_DUPACK		17
#define TCP_USER_TIMEOUT	18
#define TCP_REPAIR		19
#define TCP_REPAIR_QUEUE	20
#define TCP_QUEUE_SEQ		21
#define TCP_REPAIR_OPTIONS	22
#define TCP_FASTOPEN		23
#define TCP_TIMESTAMP		24
#define TCP_NOTSENT_LOWAT	25
#define TCP_CC_INFO		26
#define TCP_SAVE_SYN		27
#define TCP_SAVED_SYN		28
#define TCP_REPAIR_WINDOW	29
#define TCP_FASTOPEN_CONNECT	30
#define TCP_ULP			31
#define TCP_MD5SIG_EXT		32
#define TCP_FASTOPEN_KEY	33
#define TCP_FASTOPEN_NO_COOKIE	34
#define TCP_ZEROCOPY_RECEIVE	35
#define TCP_INQ			36
#define TCP_CM_INQ		TCP_INQ
#define TCP_TX_DELAY		37

#define TCP_MAXWIN		65535
#define TCP_MAX_WINSHIFT	14
#define TCP_MSS_DEFAULT		536
#define TCP_MSS_DESIRED		1220
#define TCP_CONGESTION_NAME_MAX	16	/* TCP_CA_NAME_MAX */

/* tcpi_state, and the states /proc/net/tcp shows */
#define TCP_ESTABLISHED		1
#define TCP_SYN_SENT		2
#define TCP_SYN_RECV		3
#define TCP_FIN_WAIT1		4
#define TCP_FIN_WAIT2		5
#define TCP_TIME_WAIT		6
#define TCP_CLOSE		7
#define TCP_CLOSE_WAIT		8
#define TCP_LAST_ACK		9
#define TCP_LISTEN		10
#define TCP_CLOSING		11
#define TCP_NEW_SYN_RECV	12

/* tcpi_ca_state */
#define TCP_CA_Open		0
#define TCP_CA_Disorder		1
#define TCP_CA_CWR		2
#define TCP_CA_Recovery		3
#define TCP_CA_Loss		4

/* tcpi_options */
#define TCPI_OPT_TIMESTAMPS	1
#define TCPI_OPT_SACK		2
#define TCPI_OPT_WSCALE		4
#define TCPI_OPT_ECN		8
#define TCPI_OPT_ECN_SEEN	16
#define TCPI_OPT_SYN_DATA	32
#define TCPI_OPT_USEC_TS	64

/*
 * struct tcp_info as Linux lays it out (through tcpi_total_rto_time,
 * 6.7); getsockopt copies min(optlen, sizeof) bytes as Linux does.  Times
 * are in microseconds unless noted.
 */
struct tcp_info {
	uint8_t tcpi_state;
	uint8_t tcpi_ca_state;
	uint8_t tcpi_retransmits;
	uint8_t tcpi_probes;
	uint8_t tcpi_backoff;
	uint8_t tcpi_options;
	uint8_t tcpi_snd_wscale : 4, tcpi_rcv_wscale : 4;
	uint8_t tcpi_delivery_rate_app_limited : 1,
	    tcpi_fastopen_client_fail : 2;

	uint32_t tcpi_rto;
	uint32_t tcpi_ato;
	uint32_t tcpi_snd_mss;
	uint32_t tcpi_rcv_mss;

	uint32_t tcpi_unacked;
	uint32_t tcpi_sacked;
	uint32_t tcpi_lost;
	uint32_t tcpi_retrans;
	uint32_t tcpi_fackets;

	uint32_t tcpi_last_data_sent;	/* ms */
	uint32_t tcpi_last_ack_sent;	/* ms; not kept by Linux either */
	uint32_t tcpi_last_data_recv;	/* ms */
	uint32_t tcpi_last_ack_recv;	/* ms */

	uint32_t tcpi_pmtu;
	uint32_t tcpi_rcv_ssthresh;
	uint32_t tcpi_rtt;
	uint32_t tcpi_rttvar;
	uint32_t tcpi_snd_ssthresh;
	uint32_t tcpi_snd_cwnd;
	uint32_t tcpi_advmss;
	uint32_t tcpi_reordering;

	uint32_t tcpi_rcv_rtt;
	uint32_t tcpi_rcv_space;

	uint32_t tcpi_total_retrans;

	uint64_t tcpi_pacing_rate;
	uint64_t tcpi_max_pacing_rate;
	uint64_t tcpi_bytes_acked;
	uint64_t tcpi_bytes_received;
	uint32_t tcpi_segs_out;
	uint32_t tcpi_segs_in;

	uint32_t tcpi_notsent_bytes;
	uint32_t tcpi_min_rtt;
	uint32_t tcpi_data_segs_in;
	uint32_t tcpi_data_segs_out;

	uint64_t tcpi_delivery_rate;

	uint64_t tcpi_busy_time;
	uint64_t tcpi_rwnd_limited;
	uint64_t tcpi_sndbuf_limited;

	uint32_t tcpi_delivered;
	uint32_t tcpi_delivered_ce;

	uint64_t tcpi_bytes_sent;
	uint64_t tcpi_bytes_retrans;
	uint32_t tcpi_dsack_dups;
	uint32_t tcpi_reord_seen;

	uint32_t tcpi_rcv_ooopack;

	uint32_t tcpi_snd_wnd;
	uint32_t tcpi_rcv_wnd;

	uint32_t tcpi_rehash;

	uint16_t tcpi_total_rto;
	uint16_t tcpi_total_rto_recoveries;
	uint32_t tcpi_total_rto_time;	/* ms */
};
_Static_assert(sizeof(struct tcp_info) == 248, "Linux struct tcp_info");

/* --- wire headers (network byte order) ------------------------------------ */
/* IPv4 header (RFC 791), without options. */
struct ip {
	uint8_t ip_vhl;			/* version << 4 | header length / 4 */
	uint8_t ip_tos;
	uint16_t ip_len;		/* total length */
	uint16_t ip_id;
	uint16_t ip_off;		/* flags and fragment offset / 8 */
	uint8_t ip_ttl;
	uint8_t ip_p;
	uint16_t ip_sum;
	struct in_addr ip_src, ip_dst;
};
#define IP_VERSION(ip)		((ip)->ip_vhl >> 4)
#define IP_HLEN(ip)		(((ip)->ip_vhl & 0x0f) << 2)	/* bytes */
#define IP_VHL(v, hlen)		((uint8_t)((v) << 4 | (hlen) >> 2))
/* ip_off, after ntohs */
#define IP_RF			0x8000
#define IP_DF			0x4000
#define IP_MF			0x2000
#define IP_OFFMASK		0x1fff
#define IP_MAXPACKET		65535
#define IPVERSION		4
#define MAXTTL			255
#define IPDEFTTL		64
#define IP_MINMTU		68	/* RFC 791: every link carries this */

/* IPv6 header (RFC 8200). */
struct ip6_hdr {
	uint32_t ip6_flow;		/* version 4, class 8, flow label 20 */
	uint16_t ip6_plen;		/* payload length */
	uint8_t ip6_nxt;
	uint8_t ip6_hlim;
	struct in6_addr ip6_src, ip6_dst;
};
#define IPV6_VERSION_MASK	0xf0
#define IPV6_VERSION		0x60	/* in the first byte */
#define IPV6_FLOWLABEL_MASK	0x000fffff	/* of ntohl(ip6_flow) */
#define IPV6_MINMTU		1280
#define IPV6_MAXPACKET		65535
#define IPV6_DEFHLIM		64

/* A generic extension header: next header, length in 8 octets minus 1. */
struct ip6_ext {
	uint8_t ip6e_nxt;
	uint8_t ip6e_len;
};
/* Fragment header (RFC 8200 4.5). */
struct ip6_frag {
	uint8_t ip6f_nxt;
	uint8_t ip6f_reserved;
	uint16_t ip6f_offlg;		/* offset << 3 | M */
	uint32_t ip6f_ident;
};
#define IP6F_OFF_MASK		0xfff8	/* of ntohs(ip6f_offlg) */
#define IP6F_MORE_FRAG		0x0001

/* UDP (RFC 768). */
struct udphdr {
	uint16_t uh_sport;
	uint16_t uh_dport;
	uint16_t uh_ulen;
	uint16_t uh_sum;
};

/* TCP (RFC 9293), without options. */
struct tcphdr {
	uint16_t th_sport;
	uint16_t th_dport;
	uint32_t th_seq;
	uint32_t th_ack;
	uint8_t th_offx2;		/* data offset << 4 */
	uint8_t th_flags;
	uint16_t th_win;
	uint16_t th_sum;
	uint16_t th_urp;
};
#define TH_OFF(th)		((th)->th_offx2 >> 4)	/* in 32-bit words */
#define TH_FIN			0x01
#define TH_SYN			0x02
#define TH_RST			0x04
#define TH_PUSH			0x08
#define TH_ACK			0x10
#define TH_URG			0x20
#define TH_ECE			0x40
#define TH_CWR			0x80
#define TCPOPT_EOL		0
#define TCPOPT_NOP		1
#define TCPOPT_MAXSEG		2
#define TCPOLEN_MAXSEG		4
#define TCPOPT_WINDOW		3
#define TCPOLEN_WINDOW		3
#define TCPOPT_SACK_PERMITTED	4
#define TCPOLEN_SACK_PERMITTED	2
#define TCPOPT_SACK		5
#define TCPOPT_TIMESTAMP	8
#define TCPOLEN_TIMESTAMP	10
#define TCP_MAXOLEN		40

/* ICMP (RFC 792): the first 8 bytes of every message. */
struct icmphdr {
	uint8_t icmp_type;
	uint8_t icmp_code;
	uint16_t icmp_cksum;
	union {
		struct {
			uint16_t id;
			uint16_t sequence;
		} echo;
		uint32_t gateway;
		struct {
			uint16_t unused;
			uint16_t mtu;
		} frag;
		uint8_t pptr;		/* parameter problem pointer */
	} un;
};
#define ICMP_ECHOREPLY		0
#define ICMP_DEST_UNREACH	3
#define ICMP_SOURCE_QUENCH	4
#define ICMP_REDIRECT		5
#define ICMP_ECHO		8
#define ICMP_ROUTERADVERT	9
#define ICMP_ROUTERSOLICIT	10
#define ICMP_TIME_EXCEEDED	11
#define ICMP_PARAMETERPROB	12
#define ICMP_TIMESTAMP		13
#define ICMP_TIMESTAMPREPLY	14
#define ICMP_INFO_REQUEST	15
#define ICMP_INFO_REPLY		16
#define ICMP_ADDRESS		17
#define ICMP_ADDRESSREPLY	18
#define NR_ICMP_TYPES		18
/* ICMP_DEST_UNREACH codes */
#define ICMP_NET_UNREACH	0
#define ICMP_HOST_UNREACH	1
#define ICMP_PROT_UNREACH	2
#define ICMP_PORT_UNREACH	3
#define ICMP_FRAG_NEEDED	4
#define ICMP_SR_FAILED		5
#define ICMP_NET_UNKNOWN	6
#define ICMP_HOST_UNKNOWN	7
#define ICMP_HOST_ISOLATED	8
#define ICMP_NET_ANO		9
#define ICMP_HOST_ANO		10
#define ICMP_NET_UNR_TOS	11
#define ICMP_HOST_UNR_TOS	12
#define ICMP_PKT_FILTERED	13
#define ICMP_PREC_VIOLATION	14
#define ICMP_PREC_CUTOFF	15
#define NR_ICMP_UNREACH		15
/* ICMP_REDIRECT codes */
#define ICMP_REDIR_NET		0
#define ICMP_REDIR_HOST		1
#define ICMP_REDIR_NETTOS	2
#define ICMP_REDIR_HOSTTOS	3
/* ICMP_TIME_EXCEEDED codes */
#define ICMP_EXC_TTL		0
#define ICMP_EXC_FRAGTIME	1

/* ICMPv6 (RFC 4443): the first 8 bytes of every message. */
struct icmp6_hdr {
	uint8_t icmp6_type;
	uint8_t icmp6_code;
	uint16_t icmp6_cksum;
	union {
		uint32_t un_data32[1];
		uint16_t un_data16[2];
		uint8_t un_data8[4];
	} icmp6_dataun;
};
#define icmp6_data32		icmp6_dataun.un_data32
#define icmp6_data16		icmp6_dataun.un_data16
#define icmp6_data8		icmp6_dataun.un_data8
#define icmp6_pptr		icmp6_data32[0]
#define icmp6_mtu		icmp6_data32[0]
#define icmp6_id		icmp6_data16[0]
#define icmp6_seq		icmp6_data16[1]
#define ICMPV6_DEST_UNREACH	1
#define ICMPV6_PKT_TOOBIG	2
#define ICMPV6_TIME_EXCEED	3
#define ICMPV6_PARAMPROB	4
#define ICMPV6_ECHO_REQUEST	128
#define ICMPV6_ECHO_REPLY	129
#define ICMPV6_MGM_QUERY	130
#define ICMPV6_MGM_REPORT	131
#define ICMPV6_MGM_REDUCTION	132
#define NDISC_ROUTER_SOLICITATION	133
#define NDISC_ROUTER_ADVERTISEMENT	134
#define NDISC_NEIGHBOUR_SOLICITATION	135
#define NDISC_NEIGHBOUR_ADVERTISEMENT	136
#define NDISC_REDIRECT		137
#define ICMPV6_MLD2_REPORT	143
/* ICMPV6_DEST_UNREACH codes */
#define ICMPV6_NOROUTE		0
#define ICMPV6_ADM_PROHIBITED	1
#define ICMPV6_NOT_NEIGHBOUR	2
#define ICMPV6_ADDR_UNREACH	3
#define ICMPV6_PORT_UNREACH	4
#define ICMPV6_POLICY_FAIL	5
#define ICMPV6_REJECT_ROUTE	6
/* ICMPV6_TIME_EXCEED codes */
#define ICMPV6_EXC_HOPLIMIT	0
#define ICMPV6_EXC_FRAGTIME	1
/* ICMPV6_PARAMPROB codes */
#define ICMPV6_HDR_FIELD	0
#define ICMPV6_UNK_NEXTHDR	1
#define ICMPV6_UNK_OPTION	2

#endif /* K_ABI_INET_H */
