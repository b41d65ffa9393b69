/*
 * abi_net.h: the Linux socket ABI the whole network stack shares (from
 * Linux's UAPI: <linux/socket.h>, <asm-generic/socket.h>, <bits/socket.h>
 * layouts for x86_64 and aarch64).  Included by k/abi.h.  The inet ABI
 * (sockaddr_in/in6, IPPROTO_*, IP_*, IPV6_*, TCP_*) is in k/abi_inet.h.
 */
#ifndef K_ABI_NET_H
#define K_ABI_NET_H

typedef uint32_t socklen_t;
typedef uint16_t sa_family_t;

/* Address families (PF_* are the same numbers). */
#define AF_UNSPEC	0
#define AF_UNIX		1
#define AF_LOCAL	AF_UNIX
#define AF_INET		2
#define AF_AX25		3
#define AF_IPX		4
#define AF_APPLETALK	5
#define AF_NETROM	6
#define AF_BRIDGE	7
#define AF_ATMPVC	8
#define AF_X25		9
#define AF_INET6	10
#define AF_ROSE		11
#define AF_DECnet	12
#define AF_NETBEUI	13
#define AF_SECURITY	14
#define AF_KEY		15
#define AF_NETLINK	16
#define AF_ROUTE	AF_NETLINK
#define AF_PACKET	17
#define AF_ASH		18
#define AF_ECONET	19
#define AF_ATMSVC	20
#define AF_RDS		21
#define AF_SNA		22
#define AF_IRDA		23
#define AF_PPPOX	24
#define AF_WANPIPE	25
#define AF_LLC		26
#define AF_IB		27
#define AF_MPLS		28
#define AF_CAN		29
#define AF_TIPC		30
#define AF_BLUETOOTH	31
#define AF_IUCV		32
#define AF_RXRPC	33
#define AF_ISDN		34
#define AF_PHONET	35
#define AF_IEEE802154	36
#define AF_CAIF		37
#define AF_ALG		38
#define AF_NFC		39
#define AF_VSOCK	40
#define AF_KCM		41
#define AF_QIPCRTR	42
#define AF_SMC		43
#define AF_XDP		44
#define AF_MCTP		45
#define AF_MAX		46
#define PF_UNSPEC	AF_UNSPEC
#define PF_UNIX		AF_UNIX
#define PF_LOCAL	AF_LOCAL
#define PF_INET		AF_INET
#define PF_INET6	AF_INET6
#define PF_NETLINK	AF_NETLINK
#define PF_PACKET	AF_PACKET
#define PF_MAX		AF_MAX

/* Socket types and socket()/socketpair()/accept4() flags. */
#define SOCK_STREAM	1
#define SOCK_DGRAM	2
#define SOCK_RAW	3
#define SOCK_RDM	4
#define SOCK_SEQPACKET	5
#define SOCK_DCCP	6
#define SOCK_PACKET	10
#define SOCK_TYPE_MASK	0xf
#define SOCK_NONBLOCK	O_NONBLOCK
#define SOCK_CLOEXEC	O_CLOEXEC

/* send/recv flags. */
#define MSG_OOB			0x00000001
#define MSG_PEEK		0x00000002
#define MSG_DONTROUTE		0x00000004
#define MSG_TRYHARD		MSG_DONTROUTE
#define MSG_CTRUNC		0x00000008
#define MSG_PROBE		0x00000010
#define MSG_TRUNC		0x00000020
#define MSG_DONTWAIT		0x00000040
#define MSG_EOR			0x00000080
#define MSG_WAITALL		0x00000100
#define MSG_FIN			0x00000200
#define MSG_SYN			0x00000400
#define MSG_CONFIRM		0x00000800
#define MSG_RST			0x00001000
#define MSG_ERRQUEUE		0x00002000
#define MSG_NOSIGNAL		0x00004000
#define MSG_MORE		0x00008000
#define MSG_WAITFORONE		0x00010000
#define MSG_SENDPAGE_NOPOLICY	0x00010000
#define MSG_BATCH		0x00040000
#define MSG_ZEROCOPY		0x04000000
#define MSG_FASTOPEN		0x20000000
#define MSG_CMSG_CLOEXEC	0x40000000

/* Option levels. */
#define SOL_SOCKET	1
#define SOL_IP		0
#define SOL_TCP		6
#define SOL_UDP		17
#define SOL_IPV6	41
#define SOL_ICMPV6	58
#define SOL_RAW		255
#define SOL_PACKET	263
#define SOL_NETLINK	270

/* SOL_SOCKET options (asm-generic/socket.h: x86_64 and aarch64 alike). */
#define SO_DEBUG			1
#define SO_REUSEADDR			2
#define SO_TYPE				3
#define SO_ERROR			4
#define SO_DONTROUTE			5
#define SO_BROADCAST			6
#define SO_SNDBUF			7
#define SO_RCVBUF			8
#define SO_KEEPALIVE			9
#define SO_OOBINLINE			10
#define SO_NO_CHECK			11
#define SO_PRIORITY			12
#define SO_LINGER			13
#define SO_BSDCOMPAT			14
#define SO_REUSEPORT			15
#define SO_PASSCRED			16
#define SO_PEERCRED			17
#define SO_RCVLOWAT			18
#define SO_SNDLOWAT			19
#define SO_RCVTIMEO_OLD			20
#define SO_SNDTIMEO_OLD			21
#define SO_SECURITY_AUTHENTICATION	22
#define SO_SECURITY_ENCRYPTION_TRANSPORT 23
#define SO_SECURITY_ENCRYPTION_NETWORK	24
#define SO_BINDTODEVICE			25
#define SO_ATTACH_FILTER		26
#define SO_DETACH_FILTER		27
#define SO_PEERNAME			28
#define SO_TIMESTAMP_OLD		29
#define SO_ACCEPTCONN			30
#define SO_PEERSEC			31
#define SO_SNDBUFFORCE			32
#define SO_RCVBUFFORCE			33
#define SO_PASSSEC			34
#define SO_TIMESTAMPNS_OLD		35
#define SO_MARK				36
#define SO_TIMESTAMPING_OLD		37
#define SO_PROTOCOL			38
#define SO_DOMAIN			39
#define SO_RXQ_OVFL			40
#define SO_WIFI_STATUS			41
#define SO_PEEK_OFF			42
#define SO_NOFCS			43
#define SO_LOCK_FILTER			44
#define SO_SELECT_ERR_QUEUE		45
#define SO_BUSY_POLL			46
#define SO_MAX_PACING_RATE		47
#define SO_BPF_EXTENSIONS		48
#define SO_INCOMING_CPU			49
#define SO_ATTACH_BPF			50
#define SO_ATTACH_REUSEPORT_CBPF	51
#define SO_ATTACH_REUSEPORT_EBPF	52
#define SO_CNX_ADVICE			53
#define SO_MEMINFO			55
#define SO_INCOMING_NAPI_ID		56
#define SO_COOKIE			57
#define SO_PEERGROUPS			59
#define SO_ZEROCOPY			60
#define SO_TXTIME			61
#define SO_BINDTOIFINDEX		62
#define SO_TIMESTAMP_NEW		63
#define SO_TIMESTAMPNS_NEW		64
#define SO_TIMESTAMPING_NEW		65
#define SO_RCVTIMEO_NEW			66
#define SO_SNDTIMEO_NEW			67
#define SO_DETACH_REUSEPORT_BPF		68
#define SO_PREFER_BUSY_POLL		69
#define SO_BUSY_POLL_BUDGET		70
#define SO_NETNS_COOKIE			71
#define SO_BUF_LOCK			72
#define SO_RESERVE_MEM			73
#define SO_TXREHASH			74
#define SO_RCVMARK			75
#define SO_PASSPIDFD			76
#define SO_PEERPIDFD			77
/* 64-bit time_t: the plain names are the old ones. */
#define SO_RCVTIMEO			SO_RCVTIMEO_OLD
#define SO_SNDTIMEO			SO_SNDTIMEO_OLD
#define SO_TIMESTAMP			SO_TIMESTAMP_OLD
#define SO_TIMESTAMPNS			SO_TIMESTAMPNS_OLD
#define SO_TIMESTAMPING			SO_TIMESTAMPING_OLD
#define SO_GET_FILTER			SO_ATTACH_FILTER
#define SO_DETACH_BPF			SO_DETACH_FILTER

/* Control message types at SOL_SOCKET. */
#define SCM_RIGHTS		0x01
#define SCM_CREDENTIALS		0x02
#define SCM_SECURITY		0x03
#define SCM_PIDFD		0x04
#define SCM_TIMESTAMP		SO_TIMESTAMP
#define SCM_TIMESTAMPNS		SO_TIMESTAMPNS
#define SCM_TIMESTAMPING	SO_TIMESTAMPING
#define SCM_MAX_FD		253	/* descriptors in one SCM_RIGHTS */

/* shutdown(). */
#define SHUT_RD		0
#define SHUT_WR		1
#define SHUT_RDWR	2

/* Socket ioctls. */
#define SIOCINQ		FIONREAD
#define SIOCOUTQ	0x5411		/* TIOCOUTQ */
#define SIOCOUTQNSD	0x894B
#define SIOCATMARK	0x8905
#define SIOCGSTAMP_OLD	0x8906
#define SIOCGSTAMPNS_OLD 0x8907
#define SIOCGPGRP	0x8904
#define SIOCSPGRP	0x8902
#define FIOSETOWN	0x8901
#define FIOGETOWN	0x8903

/* poll bits beyond k/abi.h's. */
#define POLLRDBAND	0x0080
#define POLLWRBAND	0x0200
#define POLLMSG		0x0400
#define POLLREMOVE	0x1000
#define POLLRDHUP	0x2000

/* Linux's limits: the backlog cap and the largest unix path. */
#define SOMAXCONN	4096
#define UNIX_PATH_MAX	108

struct sockaddr {
	sa_family_t sa_family;
	char sa_data[14];
};

struct sockaddr_storage {
	sa_family_t ss_family;
	char __ss_padding[128 - sizeof(sa_family_t) - sizeof(unsigned long)];
	unsigned long __ss_align;
};

struct sockaddr_un {
	sa_family_t sun_family;
	char sun_path[UNIX_PATH_MAX];
};

struct linger {
	int l_onoff;
	int l_linger;
};

struct ucred {
	pid_t pid;
	uid_t uid;
	gid_t gid;
};

/* SO_RCVTIMEO_OLD takes struct timeval (k/abi.h). */
/* For SO_RCVTIMEO_NEW. */
struct __kernel_sock_timeval {
	int64_t tv_sec;
	int64_t tv_usec;
};

/* The user's layouts, as the kernel reads them (glibc's on 64-bit). */
struct msghdr {
	void *msg_name;
	socklen_t msg_namelen;
	struct iovec *msg_iov;
	size_t msg_iovlen;
	void *msg_control;
	size_t msg_controllen;
	int msg_flags;
};

struct mmsghdr {
	struct msghdr msg_hdr;
	unsigned int msg_len;
};

struct cmsghdr {
	size_t cmsg_len;	/* header and data */
	int cmsg_level;
	int cmsg_type;
	/* data follows, aligned to CMSG_ALIGN */
};

#define CMSG_ALIGN(len) (((len) + sizeof(size_t) - 1) & ~(sizeof(size_t) - 1))
#define CMSG_DATA(cmsg) ((unsigned char *)(cmsg) + CMSG_ALIGN(sizeof(struct cmsghdr)))
#define CMSG_SPACE(len) (CMSG_ALIGN(sizeof(struct cmsghdr)) + CMSG_ALIGN(len))
#define CMSG_LEN(len)	(CMSG_ALIGN(sizeof(struct cmsghdr)) + (len))
#define CMSG_FIRSTHDR(mhdr)						\
	((size_t)(mhdr)->msg_controllen >= sizeof(struct cmsghdr) ?	\
	    (struct cmsghdr *)(mhdr)->msg_control : (struct cmsghdr *)0)
/* The next header after cmsg within a buffer of buflen bytes at buf. */
static inline struct cmsghdr *
cmsg_nxthdr_buf(const void *buf, size_t buflen, const struct cmsghdr *cmsg)
{
	const unsigned char *end = (const unsigned char *)buf + buflen;
	const unsigned char *next;

	if (cmsg->cmsg_len < sizeof(struct cmsghdr))
		return (struct cmsghdr *)0;
	next = (const unsigned char *)cmsg + CMSG_ALIGN(cmsg->cmsg_len);
	if (next < (const unsigned char *)cmsg ||
	    (size_t)(end - next) < sizeof(struct cmsghdr) ||
	    (size_t)(end - next) < CMSG_ALIGN(((const struct cmsghdr *)
	    (const void *)next)->cmsg_len))
		return (struct cmsghdr *)0;
	return (struct cmsghdr *)(uintptr_t)next;
}
#define CMSG_NXTHDR(mhdr, cmsg) cmsg_nxthdr_buf((mhdr)->msg_control,	\
	(mhdr)->msg_controllen, (cmsg))

#endif /* K_ABI_NET_H */
