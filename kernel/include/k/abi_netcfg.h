/*
 * abi_netcfg.h: the Linux ABI of network configuration, as the unmodified
 * tools use it: the interface, route and ARP ioctls (netdevice(7),
 * arp(7), route(8) via struct rtentry) and netlink (netlink(7),
 * rtnetlink(7), sock_diag(7)).  Numbers and layouts are Linux's UAPI
 * (<linux/sockios.h>, <linux/if.h>, <linux/route.h>, <linux/if_arp.h>,
 * <linux/netlink.h>, <linux/rtnetlink.h>, <linux/if_link.h>,
 * <linux/if_addr.h>, <linux/neighbour.h>), identical on x86_64 and
 * aarch64.  Include after k/abi.h (it includes k/abi_inet.h).
 */
#ifndef K_ABI_NETCFG_H
#define K_ABI_NETCFG_H

#include "k/abi_inet.h"

/* --- ioctls ------------------------------------------------------------- */
#define SIOCADDRT	0x890B
#define SIOCDELRT	0x890C
#define SIOCGIFNAME	0x8910
#define SIOCGIFCONF	0x8912
#define SIOCGIFFLAGS	0x8913
#define SIOCSIFFLAGS	0x8914
#define SIOCGIFADDR	0x8915
#define SIOCSIFADDR	0x8916
#define SIOCGIFDSTADDR	0x8917
#define SIOCSIFDSTADDR	0x8918
#define SIOCGIFBRDADDR	0x8919
#define SIOCSIFBRDADDR	0x891a
#define SIOCGIFNETMASK	0x891b
#define SIOCSIFNETMASK	0x891c
#define SIOCGIFMETRIC	0x891d
#define SIOCSIFMETRIC	0x891e
#define SIOCGIFMTU	0x8921
#define SIOCSIFMTU	0x8922
#define SIOCSIFNAME	0x8923
#define SIOCSIFHWADDR	0x8924
#define SIOCGIFHWADDR	0x8927
#define SIOCDIFADDR	0x8936
#define SIOCGIFINDEX	0x8933
#define SIOCGIFTXQLEN	0x8942
#define SIOCSIFTXQLEN	0x8943
#define SIOCDARP	0x8953
#define SIOCGARP	0x8954
#define SIOCSARP	0x8955
#define SIOCGIFMAP	0x8970
#define SIOCSIFMAP	0x8971

/* The range the socket layer hands to the interface code. */
#define SIOC_NETCFG_FIRST	0x890B
#define SIOC_NETCFG_LAST	0x89ff

struct ifmap {
	unsigned long mem_start;
	unsigned long mem_end;
	unsigned short base_addr;
	unsigned char irq;
	unsigned char dma;
	unsigned char port;
};

struct ifreq {
	char ifr_name[16];
	union {
		struct sockaddr ifru_addr;
		short ifru_flags;
		int ifru_ivalue;
		int ifru_mtu;
		struct ifmap ifru_map;
		char ifru_newname[16];
		void *ifru_data;
	} ifr_ifru;
};
#define ifr_addr	ifr_ifru.ifru_addr
#define ifr_flags	ifr_ifru.ifru_flags
#define ifr_ifindex	ifr_ifru.ifru_ivalue
#define ifr_metric	ifr_ifru.ifru_ivalue
#define ifr_qlen	ifr_ifru.ifru_ivalue
#define ifr_mtu		ifr_ifru.ifru_mtu
#define ifr_map		ifr_ifru.ifru_map
#define ifr_newname	ifr_ifru.ifru_newname

struct ifconf {
	int ifc_len;
	union {
		char *ifcu_buf;
		struct ifreq *ifcu_req;
	} ifc_ifcu;
};

/* struct rtentry (<linux/route.h>) */
struct rtentry {
	unsigned long rt_pad1;
	struct sockaddr rt_dst;
	struct sockaddr rt_gateway;
	struct sockaddr rt_genmask;
	unsigned short rt_flags;
	short rt_pad2;
	unsigned long rt_pad3;
	void *rt_pad4;
	short rt_metric;
	char *rt_dev;
	unsigned long rt_mtu;
	unsigned long rt_window;
	unsigned short rt_irtt;
};
#define RTF_UP		0x0001
#define RTF_GATEWAY	0x0002
#define RTF_HOST	0x0004
#define RTF_REJECT	0x0200

/* struct in6_rtmsg (<linux/ipv6_route.h>): SIOCADDRT/SIOCDELRT on an
 * AF_INET6 socket */
struct in6_rtmsg {
	struct in6_addr rtmsg_dst;
	struct in6_addr rtmsg_src;
	struct in6_addr rtmsg_gateway;
	uint32_t rtmsg_type;
	uint16_t rtmsg_dst_len;
	uint16_t rtmsg_src_len;
	uint32_t rtmsg_metric;
	unsigned long rtmsg_info;
	uint32_t rtmsg_flags;
	int rtmsg_ifindex;
};

/* struct in6_ifreq (<linux/ipv6.h>): SIOCSIFADDR/SIOCDIFADDR there */
struct in6_ifreq {
	struct in6_addr ifr6_addr;
	uint32_t ifr6_prefixlen;
	int ifr6_ifindex;
};

/* struct arpreq (<linux/if_arp.h>) */
struct arpreq {
	struct sockaddr arp_pa;
	struct sockaddr arp_ha;
	int arp_flags;
	struct sockaddr arp_netmask;
	char arp_dev[16];
};
#define ATF_COM		0x02
#define ATF_PERM	0x04
#define ATF_PUBL	0x08

/* --- netlink ------------------------------------------------------------ */
#define NETLINK_ROUTE		0
#define NETLINK_SOCK_DIAG	4
#define NETLINK_GENERIC		16
#define MAX_LINKS		32

struct sockaddr_nl {
	sa_family_t nl_family;
	unsigned short nl_pad;
	uint32_t nl_pid;
	uint32_t nl_groups;
};

struct nlmsghdr {
	uint32_t nlmsg_len;
	uint16_t nlmsg_type;
	uint16_t nlmsg_flags;
	uint32_t nlmsg_seq;
	uint32_t nlmsg_pid;
};
#define NLMSG_ALIGNTO	4u
#define NLMSG_ALIGN(len) (((len) + NLMSG_ALIGNTO - 1) & ~(NLMSG_ALIGNTO - 1))
#define NLMSG_HDRLEN	((int)NLMSG_ALIGN(sizeof(struct nlmsghdr)))

#define NLM_F_REQUEST	0x01
#define NLM_F_MULTI	0x02
#define NLM_F_ACK	0x04
#define NLM_F_ECHO	0x08
#define NLM_F_DUMP_INTR	0x10
#define NLM_F_DUMP_FILTERED 0x20
#define NLM_F_ROOT	0x100
#define NLM_F_MATCH	0x200
#define NLM_F_ATOMIC	0x400
#define NLM_F_DUMP	(NLM_F_ROOT | NLM_F_MATCH)
#define NLM_F_REPLACE	0x100
#define NLM_F_EXCL	0x200
#define NLM_F_CREATE	0x400
#define NLM_F_APPEND	0x800
/* Flags of an NLMSG_ERROR message. */
#define NLM_F_CAPPED	0x100
#define NLM_F_ACK_TLVS	0x200

#define NLMSG_NOOP	0x1
#define NLMSG_ERROR	0x2
#define NLMSG_DONE	0x3
#define NLMSG_OVERRUN	0x4
#define NLMSG_MIN_TYPE	0x10

struct nlmsgerr {
	int error;
	struct nlmsghdr msg;
};
#define NLMSGERR_ATTR_MSG	1
#define NLMSGERR_ATTR_OFFS	2

struct nlattr {
	uint16_t nla_len;
	uint16_t nla_type;
};
#define NLA_F_NESTED		(1 << 15)
#define NLA_F_NET_BYTEORDER	(1 << 14)
#define NLA_TYPE_MASK		(~(NLA_F_NESTED | NLA_F_NET_BYTEORDER))
#define NLA_ALIGN(len)		(((len) + 3u) & ~3u)
#define NLA_HDRLEN		((int)NLA_ALIGN(sizeof(struct nlattr)))

/* SOL_NETLINK options */
#define SOL_NETLINK		270
#define NETLINK_ADD_MEMBERSHIP	1
#define NETLINK_DROP_MEMBERSHIP	2
#define NETLINK_PKTINFO		3
#define NETLINK_BROADCAST_ERROR	4
#define NETLINK_NO_ENOBUFS	5
#define NETLINK_LISTEN_ALL_NSID	8
#define NETLINK_LIST_MEMBERSHIPS 9
#define NETLINK_CAP_ACK		10
#define NETLINK_EXT_ACK		11
#define NETLINK_GET_STRICT_CHK	12

/* rtnetlink message types */
#define RTM_NEWLINK	16
#define RTM_DELLINK	17
#define RTM_GETLINK	18
#define RTM_SETLINK	19
#define RTM_NEWADDR	20
#define RTM_DELADDR	21
#define RTM_GETADDR	22
#define RTM_NEWROUTE	24
#define RTM_DELROUTE	25
#define RTM_GETROUTE	26
#define RTM_NEWNEIGH	28
#define RTM_DELNEIGH	29
#define RTM_GETNEIGH	30
#define RTM_NEWRULE	32
#define RTM_DELRULE	33
#define RTM_GETRULE	34
#define RTM_NEWQDISC	36
#define RTM_GETQDISC	38
#define RTM_NEWNETCONF	80
#define RTM_GETNETCONF	82
#define RTM_GETSTATS	94
#define RTM_MAX		0x7f

/* multicast groups (bit number + 1) */
#define RTNLGRP_LINK		1
#define RTNLGRP_NEIGH		3
#define RTNLGRP_IPV4_IFADDR	5
#define RTNLGRP_IPV4_ROUTE	7
#define RTNLGRP_IPV6_IFADDR	9
#define RTNLGRP_IPV6_ROUTE	11

struct ifinfomsg {
	unsigned char ifi_family;
	unsigned char __ifi_pad;
	unsigned short ifi_type;
	int ifi_index;
	unsigned int ifi_flags;
	unsigned int ifi_change;
};

#define IFLA_UNSPEC		0
#define IFLA_ADDRESS		1
#define IFLA_BROADCAST		2
#define IFLA_IFNAME		3
#define IFLA_MTU		4
#define IFLA_LINK		5
#define IFLA_QDISC		6
#define IFLA_STATS		7
#define IFLA_TXQLEN		13
#define IFLA_MAP		14
#define IFLA_OPERSTATE		16
#define IFLA_PROTINFO		12
#define IFLA_LINKMODE		17
#define IFLA_LINKINFO		18
#define IFLA_GROUP		27
#define IFLA_PROMISCUITY	30
#define IFLA_NUM_TX_QUEUES	31
#define IFLA_NUM_RX_QUEUES	32
#define IFLA_CARRIER		33
#define IFLA_STATS64		23
#define IFLA_EXT_MASK		29
#define IFLA_MIN_MTU		50
#define IFLA_MAX_MTU		51
#define IFLA_CARRIER_CHANGES	35
#define IFLA_GSO_MAX_SEGS	40
#define IFLA_GSO_MAX_SIZE	41
#define IFLA_ALT_IFNAME		53
#define IFLA_MAX		65

/* IFLA_PROTINFO of an AF_INET6 link message (Linux's inet6_fill_ifinfo) */
#define IFLA_INET6_FLAGS	1
#define IFLA_INET6_CACHEINFO	5
#define IFLA_INET6_TOKEN	7
#define IFLA_INET6_ADDR_GEN_MODE	8
#define IF_RA_READY		0x80000000u	/* "IF_READY": up with carrier */

struct ifla_cacheinfo {
	uint32_t max_reasm_len, tstamp, reachable_time, retrans_time;
};

#define IFLA_INFO_KIND		1
#define IFLA_INFO_DATA		2

/* IFLA_OPERSTATE values (RFC 2863) */
#define IF_OPER_UNKNOWN		0
#define IF_OPER_DOWN		2
#define IF_OPER_UP		6

struct rtnl_link_stats {
	uint32_t rx_packets, tx_packets, rx_bytes, tx_bytes;
	uint32_t rx_errors, tx_errors, rx_dropped, tx_dropped;
	uint32_t multicast, collisions;
	uint32_t rx_length_errors, rx_over_errors, rx_crc_errors;
	uint32_t rx_frame_errors, rx_fifo_errors, rx_missed_errors;
	uint32_t tx_aborted_errors, tx_carrier_errors, tx_fifo_errors;
	uint32_t tx_heartbeat_errors, tx_window_errors;
	uint32_t rx_compressed, tx_compressed;
	uint32_t rx_nohandler;
};

struct rtnl_link_stats64 {
	uint64_t rx_packets, tx_packets, rx_bytes, tx_bytes;
	uint64_t rx_errors, tx_errors, rx_dropped, tx_dropped;
	uint64_t multicast, collisions;
	uint64_t rx_length_errors, rx_over_errors, rx_crc_errors;
	uint64_t rx_frame_errors, rx_fifo_errors, rx_missed_errors;
	uint64_t tx_aborted_errors, tx_carrier_errors, tx_fifo_errors;
	uint64_t tx_heartbeat_errors, tx_window_errors;
	uint64_t rx_compressed, tx_compressed;
	uint64_t rx_nohandler;
	uint64_t rx_otherhost_dropped;
};

struct rtnl_link_ifmap {
	uint64_t mem_start;
	uint64_t mem_end;
	uint64_t base_addr;
	uint16_t irq;
	uint8_t dma;
	uint8_t port;
};

struct ifaddrmsg {
	uint8_t ifa_family;
	uint8_t ifa_prefixlen;
	uint8_t ifa_flags;
	uint8_t ifa_scope;
	uint32_t ifa_index;
};
#define IFA_UNSPEC	0
#define IFA_ADDRESS	1
#define IFA_LOCAL	2
#define IFA_LABEL	3
#define IFA_BROADCAST	4
#define IFA_ANYCAST	5
#define IFA_CACHEINFO	6
#define IFA_MULTICAST	7
#define IFA_FLAGS	8
#define IFA_RT_PRIORITY	9
#define IFA_TARGET_NETNSID 10
#define IFA_PROTO	11
#define IFA_MAX		11

struct ifa_cacheinfo {
	uint32_t ifa_prefered;
	uint32_t ifa_valid;
	uint32_t cstamp;
	uint32_t tstamp;
};

struct rtmsg {
	unsigned char rtm_family;
	unsigned char rtm_dst_len;
	unsigned char rtm_src_len;
	unsigned char rtm_tos;
	unsigned char rtm_table;
	unsigned char rtm_protocol;
	unsigned char rtm_scope;
	unsigned char rtm_type;
	unsigned int rtm_flags;
};

struct ndmsg {
	uint8_t ndm_family;
	uint8_t ndm_pad1;
	uint16_t ndm_pad2;
	int32_t ndm_ifindex;
	uint16_t ndm_state;
	uint8_t ndm_flags;
	uint8_t ndm_type;
};

#endif /* K_ABI_NETCFG_H */
