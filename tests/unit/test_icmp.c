/*
 * test_icmp.c: ICMP as sockets and tools see it.  The error queue
 * (IP_RECVERR, IPV6_RECVERR, recvmsg(MSG_ERRQUEUE)) of raw, ping and UDP
 * sockets, as iputils ping and traceroute read it: the sock_extended_err
 * (origin, type, code, errno), the offender's address, the quoted
 * destination as the name, what was sent as the data, MSG_ERRQUEUE and
 * MSG_TRUNC in the flags, POLLERR while errors are queued, and when
 * so_error says so (set by an error, before the datagrams; the next
 * record's errno after a read).  IPV6_CHECKSUM, which ping -6 sets (at
 * level SOL_RAW) on its raw ICMPv6 socket.  The counters a ping moves
 * (/proc/net/snmp's Icmp and IcmpMsg, /proc/net/snmp6's Icmp6) and a raw
 * socket's line in /proc/net/raw.
 *
 * The ICMP errors come over the loopback: UDP to a closed port, and time
 * exceeded / net unreachable packets written by a second raw socket
 * (quoting an echo request to 192.0.2.1 / 2001:db8::1, so no packet ever
 * leaves).  The same source runs against the host (TEST_ON_HOST, in a
 * network namespace of its own: `unshare -n` with lo up, so the counters
 * are the namespace's) as the reference for every answer.
 */
#include "compat.h"

#include <arpa/inet.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <netinet/icmp6.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/ip_icmp.h>
#include <sys/socket.h>

#ifdef TEST_ON_HOST
#define rump_sys_sendmsg	sendmsg
#define rump_sys_recvmsg	recvmsg
#endif

#define ECHO_ID		0x4242
#define QDST4		"192.0.2.1"
#define QDST6		"2001:db8::1"

static struct sockaddr_in
sin4(const char *a, uint16_t port)
{
	struct sockaddr_in s;

	memset(&s, 0, sizeof(s));
	s.sin_family = AF_INET;
	s.sin_port = htons(port);
	assert_int_equal(inet_pton(AF_INET, a, &s.sin_addr), 1);
	return s;
}

static struct sockaddr_in6
sin6(const char *a, uint16_t port)
{
	struct sockaddr_in6 s;

	memset(&s, 0, sizeof(s));
	s.sin6_family = AF_INET6;
	s.sin6_port = htons(port);
	assert_int_equal(inet_pton(AF_INET6, a, &s.sin6_addr), 1);
	return s;
}

static uint16_t
cksum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

/* The echo request an error quotes: 16 bytes, id and seq as given. */
static void
echo_req(uint8_t *p, uint8_t type, uint16_t id, uint16_t seq)
{
	uint16_t v;

	memset(p, 0, 16);
	p[0] = type;
	v = htons(id);
	memcpy(p + 4, &v, 2);
	v = htons(seq);
	memcpy(p + 6, &v, 2);
	memcpy(p + 8, "errqueue", 8);
	v = cksum(p, 16);
	memcpy(p + 2, &v, 2);
}

/* Sends an ICMP error from 127.0.0.1 to 127.0.0.1 through raw socket tx,
 * about an echo request from 127.0.0.1 to qdst with id and seq. */
static void
inject4(int tx, uint8_t type, uint8_t code, const char *qdst, uint16_t id,
    uint16_t seq)
{
	struct sockaddr_in to = sin4("127.0.0.1", 0);
	struct sockaddr_in q = sin4("127.0.0.1", 0), d = sin4(qdst, 0);
	uint8_t pkt[8 + 20 + 16];
	struct ip ip;
	uint16_t v;

	memset(pkt, 0, sizeof(pkt));
	pkt[0] = type;
	pkt[1] = code;
	memset(&ip, 0, sizeof(ip));
	ip.ip_v = 4;
	ip.ip_hl = 5;
	ip.ip_len = htons(20 + 16);
	ip.ip_ttl = 1;
	ip.ip_p = IPPROTO_ICMP;
	ip.ip_src = q.sin_addr;
	ip.ip_dst = d.sin_addr;
	memcpy(pkt + 8, &ip, 20);
	v = cksum(pkt + 8, 20);
	memcpy(pkt + 8 + 10, &v, 2);
	echo_req(pkt + 28, ICMP_ECHO, id, seq);
	v = cksum(pkt, sizeof(pkt));
	memcpy(pkt + 2, &v, 2);
	assert_int_equal(CHECK_OK(rump_sys_sendto(tx, pkt, sizeof(pkt), 0,
	    (struct sockaddr *)&to, sizeof(to))), sizeof(pkt));
}

/* The same in ICMPv6 from ::1 to ::1 (the kernel computes the checksum),
 * about an echo request from ::1 to QDST6. */
static void
inject6(int tx, uint8_t type, uint8_t code, uint16_t id, uint16_t seq)
{
	struct sockaddr_in6 to = sin6("::1", 0), d = sin6(QDST6, 0);
	uint8_t pkt[8 + 40 + 16];
	struct ip6_hdr ip6;

	memset(pkt, 0, sizeof(pkt));
	pkt[0] = type;
	pkt[1] = code;
	memset(&ip6, 0, sizeof(ip6));
	ip6.ip6_flow = htonl(6u << 28);
	ip6.ip6_plen = htons(16);
	ip6.ip6_nxt = IPPROTO_ICMPV6;
	ip6.ip6_hlim = 1;
	ip6.ip6_src = in6addr_loopback;
	ip6.ip6_dst = d.sin6_addr;
	memcpy(pkt + 8, &ip6, 40);
	echo_req(pkt + 48, ICMP6_ECHO_REQUEST, id, seq);
	assert_int_equal(CHECK_OK(rump_sys_sendto(tx, pkt, sizeof(pkt), 0,
	    (struct sockaddr *)&to, sizeof(to))), sizeof(pkt));
}

/* Waits (bounded, not timed) for POLLERR on s; returns revents. */
static int
wait_err(int s)
{
	struct pollfd p = { .fd = s, .events = POLLIN };

	assert_int_equal(CHECK_OK(rump_sys_poll(&p, 1, 5000)), 1);
	assert_true(p.revents & POLLERR);
	return p.revents;
}

static int
revents_now(int s)
{
	struct pollfd p = { .fd = s, .events = POLLIN };

	CHECK_OK(rump_sys_poll(&p, 1, 0));
	return p.revents;
}

static int
so_error(int s)
{
	int v = -1;
	socklen_t l = sizeof(v);

	CHECK_OK(rump_sys_getsockopt(s, SOL_SOCKET, SO_ERROR, &v, &l));
	return v;
}

/* One record of the error queue, taken apart. */
struct errrec {
	ssize_t n;			/* data bytes returned */
	uint8_t data[64];
	int flags;			/* msg_flags */
	struct sockaddr_storage name;
	socklen_t namelen;
	int level, type;		/* of the IP_RECVERR cmsg */
	struct sock_extended_err ee;
	struct sockaddr_storage off;	/* SO_EE_OFFENDER */
	int hoplimit;			/* IPV6_HOPLIMIT cmsg before it, or -1 */
	int ncmsg;
};

static void
recv_err(int s, size_t room, struct errrec *r)
{
	union {
		struct cmsghdr h;
		uint8_t b[512];
	} cbuf;
	struct iovec iov = { .iov_base = r->data, .iov_len = room };
	struct msghdr msg = {
		.msg_name = &r->name, .msg_namelen = sizeof(r->name),
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf.b, .msg_controllen = sizeof(cbuf.b),
	};
	struct cmsghdr *c;

	memset(r, 0, sizeof(*r));
	r->level = r->hoplimit = -1;
	msg.msg_name = &r->name;
	r->n = CHECK_OK(rump_sys_recvmsg(s, &msg, MSG_ERRQUEUE |
	    MSG_DONTWAIT));
	r->flags = msg.msg_flags;
	r->namelen = msg.msg_namelen;
	for (c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
		r->ncmsg++;
		if ((c->cmsg_level == SOL_IP && c->cmsg_type == IP_RECVERR) ||
		    (c->cmsg_level == SOL_IPV6 &&
		    c->cmsg_type == IPV6_RECVERR)) {
			size_t dl = c->cmsg_len - CMSG_LEN(0);

			assert_true(dl >= sizeof(r->ee));
			r->level = c->cmsg_level;
			r->type = c->cmsg_type;
			memcpy(&r->ee, CMSG_DATA(c), sizeof(r->ee));
			dl -= sizeof(r->ee);
			memcpy(&r->off, CMSG_DATA(c) + sizeof(r->ee),
			    dl < sizeof(r->off) ? dl : sizeof(r->off));
		} else if (c->cmsg_level == SOL_IPV6 &&
		    c->cmsg_type == IPV6_HOPLIMIT && r->level == -1) {
			memcpy(&r->hoplimit, CMSG_DATA(c), sizeof(int));
		}
	}
}

static void
check_err_empty(int s)
{
	uint8_t b[16];
	struct iovec iov = { .iov_base = b, .iov_len = sizeof(b) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

	CHECK_ERR(rump_sys_recvmsg(s, &msg, MSG_ERRQUEUE), EAGAIN);
}

static int
raw4(bool recverr)
{
	int s = (int)CHECK_OK(rump_sys_socket(AF_INET, SOCK_RAW,
	    IPPROTO_ICMP)), one = 1;

	if (recverr)
		CHECK_OK(rump_sys_setsockopt(s, SOL_IP, IP_RECVERR, &one,
		    sizeof(one)));
	return s;
}

/* Reads the raw copy of an ICMP packet of the given type (skipping
 * others, such as our own echo of what tx sent). */
static void
drain_copy(int s, uint8_t type)
{
	uint8_t b[256];
	ssize_t n;
	int k;

	for (k = 0; k < 4; k++) {
		struct pollfd p = { .fd = s, .events = POLLIN };

		assert_int_equal(CHECK_OK(rump_sys_poll(&p, 1, 5000)), 1);
		n = CHECK_OK(rump_sys_recvfrom(s, b, sizeof(b), MSG_DONTWAIT,
		    NULL, NULL));
		assert_true(n >= 28);
		if (b[20] == type)
			break;
	}
	assert_true(k < 4);
}

/* iputils ping -t 1: a time exceeded about our echo request. */
static void
raw4_time_exceeded(void **state)
{
	struct sockaddr_in *nm, *off;
	struct errrec r;
	uint8_t b[128];
	int tx, s;

	(void)state;
	tx = raw4(false);
	s = raw4(true);
	inject4(tx, ICMP_TIME_EXCEEDED, ICMP_EXC_TTL, QDST4, ECHO_ID, 7);
	wait_err(s);
	/* The error comes first, before the raw copy of the ICMP packet. */
	CHECK_ERR(rump_sys_recvfrom(s, b, sizeof(b), 0, NULL, NULL),
	    EHOSTUNREACH);
	assert_true(revents_now(s) & POLLERR);
	/* ping reads 8 bytes: the rest of the echo is cut (MSG_TRUNC). */
	recv_err(s, 8, &r);
	assert_int_equal(r.n, 8);
	assert_int_equal(r.flags, MSG_ERRQUEUE | MSG_TRUNC);
	assert_int_equal(r.data[0], ICMP_ECHO);
	assert_int_equal(r.data[4] << 8 | r.data[5], ECHO_ID);
	assert_int_equal(r.data[7], 7);
	nm = (struct sockaddr_in *)&r.name;
	assert_int_equal(r.namelen, sizeof(struct sockaddr_in));
	assert_int_equal(nm->sin_family, AF_INET);
	assert_int_equal(nm->sin_port, 0);
	assert_int_equal(nm->sin_addr.s_addr, sin4(QDST4, 0).sin_addr.s_addr);
	assert_int_equal(r.level, SOL_IP);
	assert_int_equal(r.type, IP_RECVERR);
	assert_int_equal(r.ee.ee_errno, EHOSTUNREACH);
	assert_int_equal(r.ee.ee_origin, SO_EE_ORIGIN_ICMP);
	assert_int_equal(r.ee.ee_type, ICMP_TIME_EXCEEDED);
	assert_int_equal(r.ee.ee_code, ICMP_EXC_TTL);
	assert_int_equal(r.ee.ee_info, 0);
	assert_int_equal(r.ee.ee_data, 0);
	off = (struct sockaddr_in *)&r.off;
	assert_int_equal(off->sin_family, AF_INET);
	assert_int_equal(off->sin_addr.s_addr, htonl(INADDR_LOOPBACK));
	/* Read, the queue is empty and nothing is pending. */
	assert_false(revents_now(s) & POLLERR);
	check_err_empty(s);
	assert_int_equal(so_error(s), 0);
	/* The raw copy is still there for whoever wants it. */
	drain_copy(s, ICMP_TIME_EXCEEDED);
	/* Not for a socket without IP_RECVERR (unconnected). */
	CHECK_OK(rump_sys_close(s));
	s = raw4(false);
	inject4(tx, ICMP_TIME_EXCEEDED, ICMP_EXC_TTL, QDST4, ECHO_ID, 8);
	drain_copy(s, ICMP_TIME_EXCEEDED);
	check_err_empty(s);
	assert_int_equal(so_error(s), 0);
	assert_false(revents_now(s) & POLLERR);
	CHECK_OK(rump_sys_close(s));
	CHECK_OK(rump_sys_close(tx));
}

/* Two errors: each read leaves the next one's errno pending; a whole
 * read is not truncated; IP_RECVERR off empties the queue. */
static void
raw4_queue_order(void **state)
{
	struct errrec r;
	int tx, s, zero = 0;

	(void)state;
	tx = raw4(false);
	s = raw4(true);
	inject4(tx, ICMP_DEST_UNREACH, ICMP_NET_UNREACH, QDST4,
	    ECHO_ID, 1);
	wait_err(s);
	assert_int_equal(so_error(s), ENETUNREACH);
	inject4(tx, ICMP_TIME_EXCEEDED, ICMP_EXC_TTL, QDST4, ECHO_ID, 2);
	wait_err(s);
	assert_int_equal(so_error(s), EHOSTUNREACH);
	assert_int_equal(so_error(s), 0);
	recv_err(s, sizeof(r.data), &r);
	assert_int_equal(r.n, 16);
	assert_int_equal(r.flags, MSG_ERRQUEUE);
	assert_memory_equal(r.data + 8, "errqueue", 8);
	assert_int_equal(r.ee.ee_errno, ENETUNREACH);
	assert_int_equal(r.ee.ee_type, ICMP_DEST_UNREACH);
	assert_int_equal(r.ee.ee_code, ICMP_NET_UNREACH);
	/* The next is pending again. */
	assert_true(revents_now(s) & POLLERR);
	assert_int_equal(so_error(s), EHOSTUNREACH);
	recv_err(s, sizeof(r.data), &r);
	assert_int_equal(r.ee.ee_type, ICMP_TIME_EXCEEDED);
	assert_int_equal(r.data[7], 2);
	assert_int_equal(so_error(s), 0);
	check_err_empty(s);
	/* Turning IP_RECVERR off drops what is queued. */
	inject4(tx, ICMP_TIME_EXCEEDED, ICMP_EXC_TTL, QDST4, ECHO_ID, 3);
	wait_err(s);
	CHECK_OK(rump_sys_setsockopt(s, SOL_IP, IP_RECVERR, &zero,
	    sizeof(zero)));
	check_err_empty(s);
	CHECK_OK(rump_sys_close(s));
	CHECK_OK(rump_sys_close(tx));
}

/* Without IP_RECVERR a connected raw socket gets hard errors about
 * packets to its peer as so_error; soft ones (net and host unreachable
 * are, RFC 1122) and others' not at all. */
static void
raw4_connected(void **state)
{
	struct sockaddr_in lo5 = sin4("127.0.0.5", 0);
	int tx, s;

	(void)state;
	tx = raw4(false);
	s = raw4(false);
	CHECK_OK(rump_sys_connect(s, (struct sockaddr *)&lo5, sizeof(lo5)));
	inject4(tx, ICMP_DEST_UNREACH, ICMP_PROT_UNREACH, QDST4, ECHO_ID, 1);
	inject4(tx, ICMP_TIME_EXCEEDED, ICMP_EXC_TTL, "127.0.0.5", ECHO_ID, 2);
	inject4(tx, ICMP_DEST_UNREACH, ICMP_NET_UNREACH, "127.0.0.5",
	    ECHO_ID, 3);
	/* All went through ICMP input once tx has its copies. */
	drain_copy(tx, ICMP_DEST_UNREACH);
	drain_copy(tx, ICMP_TIME_EXCEEDED);
	drain_copy(tx, ICMP_DEST_UNREACH);
	assert_int_equal(so_error(s), 0);
	inject4(tx, ICMP_DEST_UNREACH, ICMP_PROT_UNREACH, "127.0.0.5",
	    ECHO_ID, 4);
	wait_err(s);
	assert_int_equal(so_error(s), ENOPROTOOPT);
	check_err_empty(s);
	CHECK_OK(rump_sys_close(s));
	CHECK_OK(rump_sys_close(tx));
}

static int
raw6(bool recverr)
{
	int s = (int)CHECK_OK(rump_sys_socket(AF_INET6, SOCK_RAW,
	    IPPROTO_ICMPV6)), one = 1;

	if (recverr) {
		CHECK_OK(rump_sys_setsockopt(s, SOL_IPV6, IPV6_RECVERR, &one,
		    sizeof(one)));
		CHECK_OK(rump_sys_setsockopt(s, SOL_IPV6, IPV6_RECVHOPLIMIT,
		    &one, sizeof(one)));
	}
	return s;
}

/* iputils ping -6 -t 1: "Time exceeded: Hop limit". */
static void
raw6_time_exceeded(void **state)
{
	struct sockaddr_in6 *nm, *off;
	struct errrec r;
	uint8_t b[128];
	int tx, s;

	(void)state;
	tx = raw6(false);
	s = raw6(true);
	inject6(tx, ICMP6_TIME_EXCEEDED, ICMP6_TIME_EXCEED_TRANSIT, ECHO_ID, 9);
	wait_err(s);
	CHECK_ERR(rump_sys_recvfrom(s, b, sizeof(b), 0, NULL, NULL),
	    EHOSTUNREACH);
	recv_err(s, 8, &r);
	assert_int_equal(r.n, 8);
	assert_int_equal(r.flags, MSG_ERRQUEUE | MSG_TRUNC);
	assert_int_equal(r.data[0], ICMP6_ECHO_REQUEST);
	assert_int_equal(r.data[4] << 8 | r.data[5], ECHO_ID);
	assert_int_equal(r.data[7], 9);
	nm = (struct sockaddr_in6 *)&r.name;
	assert_int_equal(r.namelen, sizeof(struct sockaddr_in6));
	assert_int_equal(nm->sin6_family, AF_INET6);
	assert_int_equal(nm->sin6_port, 0);
	{
		struct sockaddr_in6 q = sin6(QDST6, 0);

		assert_memory_equal(&nm->sin6_addr, &q.sin6_addr, 16);
	}
	assert_int_equal(r.level, SOL_IPV6);
	assert_int_equal(r.type, IPV6_RECVERR);
	assert_int_equal(r.ee.ee_errno, EHOSTUNREACH);
	assert_int_equal(r.ee.ee_origin, SO_EE_ORIGIN_ICMP6);
	assert_int_equal(r.ee.ee_type, ICMP6_TIME_EXCEEDED);
	assert_int_equal(r.ee.ee_code, ICMP6_TIME_EXCEED_TRANSIT);
	off = (struct sockaddr_in6 *)&r.off;
	assert_int_equal(off->sin6_family, AF_INET6);
	assert_memory_equal(&off->sin6_addr, &in6addr_loopback, 16);
	/* IPV6_RECVHOPLIMIT: the ICMP packet's hop limit, before it. */
	assert_int_equal(r.hoplimit, 64);
	assert_int_equal(r.ncmsg, 2);
	check_err_empty(s);
	assert_int_equal(so_error(s), 0);
	CHECK_OK(rump_sys_close(s));
	CHECK_OK(rump_sys_close(tx));
}

/* ICMPv6 raw sockets: the checksum at 2, settable at SOL_RAW only. */
static void
raw6_checksum_option(void **state)
{
	int s, v;
	socklen_t l = sizeof(v);

	(void)state;
	s = raw6(false);
	CHECK_OK(rump_sys_getsockopt(s, SOL_IPV6, IPV6_CHECKSUM, &v, &l));
	assert_int_equal(v, 2);
	v = 2;
	CHECK_ERR(rump_sys_setsockopt(s, SOL_IPV6, IPV6_CHECKSUM, &v,
	    sizeof(v)), EINVAL);
	CHECK_OK(rump_sys_setsockopt(s, SOL_RAW, IPV6_CHECKSUM, &v,
	    sizeof(v)));
	v = 3;
	CHECK_ERR(rump_sys_setsockopt(s, SOL_RAW, IPV6_CHECKSUM, &v,
	    sizeof(v)), EINVAL);
	l = sizeof(v);
	CHECK_OK(rump_sys_getsockopt(s, SOL_RAW, IPV6_CHECKSUM, &v, &l));
	assert_int_equal(v, 2);
	CHECK_OK(rump_sys_close(s));
	/* Another protocol: none by default, an even offset at either. */
	s = (int)CHECK_OK(rump_sys_socket(AF_INET6, SOCK_RAW, 253));
	l = sizeof(v);
	CHECK_OK(rump_sys_getsockopt(s, SOL_IPV6, IPV6_CHECKSUM, &v, &l));
	assert_int_equal(v, -1);
	v = 4;
	CHECK_OK(rump_sys_setsockopt(s, SOL_IPV6, IPV6_CHECKSUM, &v,
	    sizeof(v)));
	l = sizeof(v);
	CHECK_OK(rump_sys_getsockopt(s, SOL_RAW, IPV6_CHECKSUM, &v, &l));
	assert_int_equal(v, 4);
	CHECK_OK(rump_sys_close(s));
}

/* UDP to a closed port: the data is the payload sent, the name has the
 * port; ECONNREFUSED first on a plain recv. */
static void
udp_port_unreach(void **state)
{
	static const struct { int af; const char *a; } fam[] = {
		{ AF_INET, "127.0.0.1" }, { AF_INET6, "::1" },
	};
	uint8_t b[16];

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		struct sockaddr_storage to;
		socklen_t tl = fam[i].af == AF_INET ?
		    sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
		struct errrec r;
		bool v6 = fam[i].af == AF_INET6;
		int c, s, one = 1;

		/* A port nobody has: bound, known, closed. */
		c = (int)CHECK_OK(rump_sys_socket(fam[i].af, SOCK_DGRAM, 0));
		if (v6)
			*(struct sockaddr_in6 *)&to = sin6(fam[i].a, 0);
		else
			*(struct sockaddr_in *)&to = sin4(fam[i].a, 0);
		CHECK_OK(rump_sys_bind(c, (struct sockaddr *)&to, tl));
		CHECK_OK(rump_sys_getsockname(c, (struct sockaddr *)&to, &tl));
		CHECK_OK(rump_sys_close(c));

		s = (int)CHECK_OK(rump_sys_socket(fam[i].af, SOCK_DGRAM, 0));
		CHECK_OK(rump_sys_setsockopt(s, v6 ? SOL_IPV6 : SOL_IP,
		    v6 ? IPV6_RECVERR : IP_RECVERR, &one, sizeof(one)));
		CHECK_OK(rump_sys_sendto(s, "hello", 5, 0,
		    (struct sockaddr *)&to, tl));
		wait_err(s);
		CHECK_ERR(rump_sys_recvfrom(s, b, sizeof(b), MSG_DONTWAIT,
		    NULL, NULL), ECONNREFUSED);
		recv_err(s, sizeof(r.data), &r);
		assert_int_equal(r.n, 5);
		assert_memory_equal(r.data, "hello", 5);
		assert_int_equal(r.flags, MSG_ERRQUEUE);
		assert_int_equal(r.namelen, tl);
		assert_memory_equal(&r.name, &to, tl);
		assert_int_equal(r.ee.ee_errno, ECONNREFUSED);
		if (v6) {
			assert_int_equal(r.level, SOL_IPV6);
			assert_int_equal(r.ee.ee_origin, SO_EE_ORIGIN_ICMP6);
			assert_int_equal(r.ee.ee_type, ICMP6_DST_UNREACH);
			assert_int_equal(r.ee.ee_code,
			    ICMP6_DST_UNREACH_NOPORT);
			assert_int_equal(((struct sockaddr_in6 *)&r.off)->
			    sin6_family, AF_INET6);
		} else {
			assert_int_equal(r.level, SOL_IP);
			assert_int_equal(r.ee.ee_origin, SO_EE_ORIGIN_ICMP);
			assert_int_equal(r.ee.ee_type, ICMP_DEST_UNREACH);
			assert_int_equal(r.ee.ee_code, ICMP_PORT_UNREACH);
			assert_int_equal(((struct sockaddr_in *)&r.off)->
			    sin_addr.s_addr, htonl(INADDR_LOOPBACK));
		}
		check_err_empty(s);
		CHECK_OK(rump_sys_close(s));
	}
}

/* An ICMP datagram ("ping") socket: the error about its identifier. */
static void
ping_socket_error(void **state)
{
	struct sockaddr_in me = sin4("127.0.0.1", 0);
	socklen_t ml = sizeof(me);
	struct errrec r;
	uint8_t b[64];
	int tx, s, one = 1;

	(void)state;
	HOST_INVALID();		/* the host's ping_group_range is its own */
	put_file("/proc/sys/net/ipv4/ping_group_range", "0 2147483647");
	s = (int)CHECK_OK(rump_sys_socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP));
	CHECK_OK(rump_sys_setsockopt(s, SOL_IP, IP_RECVERR, &one,
	    sizeof(one)));
	CHECK_OK(rump_sys_bind(s, (struct sockaddr *)&me, sizeof(me)));
	CHECK_OK(rump_sys_getsockname(s, (struct sockaddr *)&me, &ml));
	assert_int_not_equal(me.sin_port, 0);
	tx = raw4(false);
	/* Another identifier: not this socket's. */
	inject4(tx, ICMP_TIME_EXCEEDED, ICMP_EXC_TTL, QDST4,
	    (uint16_t)(ntohs(me.sin_port) + 1), 1);
	check_err_empty(s);
	inject4(tx, ICMP_TIME_EXCEEDED, ICMP_EXC_TTL, QDST4,
	    ntohs(me.sin_port), 5);
	wait_err(s);
	CHECK_ERR(rump_sys_recvfrom(s, b, sizeof(b), 0, NULL, NULL),
	    EHOSTUNREACH);
	recv_err(s, sizeof(r.data), &r);
	assert_int_equal(r.n, 16);
	assert_int_equal(r.flags, MSG_ERRQUEUE);
	assert_int_equal(r.data[0], ICMP_ECHO);
	assert_int_equal(r.data[7], 5);
	assert_int_equal(r.ee.ee_origin, SO_EE_ORIGIN_ICMP);
	assert_int_equal(r.ee.ee_type, ICMP_TIME_EXCEEDED);
	assert_int_equal(((struct sockaddr_in *)&r.name)->sin_addr.s_addr,
	    sin4(QDST4, 0).sin_addr.s_addr);
	CHECK_OK(rump_sys_close(s));
	CHECK_OK(rump_sys_close(tx));
	put_file("/proc/sys/net/ipv4/ping_group_range", "1 0");
}

/* MSG_ERRQUEUE on TCP: its queue is empty (EAGAIN), data stays. */
static void
tcp_errqueue_empty(void **state)
{
	int s;

	(void)state;
	s = (int)CHECK_OK(rump_sys_socket(AF_INET, SOCK_STREAM, 0));
	check_err_empty(s);
	CHECK_OK(rump_sys_close(s));
}

/* The value of column name on /proc/net/snmp's lines for proto (0 if
 * the column is absent: IcmpMsg lists only the nonzero types). */
static long long
snmp(const char *proto, const char *name)
{
	static char buf[16384];
	char *line[64], *s1, *s2, *a, *b, *sv;
	size_t pl = strlen(proto);
	ssize_t n;
	int fd = (int)CHECK_OK(rump_sys_open("/proc/net/snmp", O_RDONLY)), nl;

	n = CHECK_OK(rump_sys_read(fd, buf, sizeof(buf) - 1));
	buf[n] = '\0';
	CHECK_OK(rump_sys_close(fd));
	for (nl = 0, a = strtok_r(buf, "\n", &sv); a != NULL && nl < 64;
	    a = strtok_r(NULL, "\n", &sv))
		line[nl++] = a;
	/* Pairs of lines "proto: names" and "proto: values". */
	for (int i = 0; i + 1 < nl; i++) {
		if (strncmp(line[i], proto, pl) != 0 || line[i][pl] != ':' ||
		    strncmp(line[i + 1], proto, pl) != 0 ||
		    line[i + 1][pl] != ':')
			continue;
		for (a = strtok_r(line[i] + pl + 1, " ", &s1),
		    b = strtok_r(line[i + 1] + pl + 1, " ", &s2);
		    a != NULL && b != NULL; a = strtok_r(NULL, " ", &s1),
		    b = strtok_r(NULL, " ", &s2))
			if (strcmp(a, name) == 0)
				return atoll(b);
		i++;
	}
	return 0;
}

/* The value of name in /proc/net/snmp6 (-1 if absent). */
static long long
snmp6(const char *name)
{
	static char buf[16384];
	char key[48], *p;
	ssize_t n;
	int fd = (int)CHECK_OK(rump_sys_open("/proc/net/snmp6", O_RDONLY));

	buf[0] = '\n';
	n = CHECK_OK(rump_sys_read(fd, buf + 1, sizeof(buf) - 2));
	buf[n + 1] = '\0';
	CHECK_OK(rump_sys_close(fd));
	snprintf(key, sizeof(key), "\n%s ", name);
	if ((p = strstr(buf, key)) == NULL)
		return -1;
	p += strlen(key);
	/* Linux: padded to 32 with spaces, then a tab. */
	assert_true(strlen(name) + (size_t)(strchr(p, '\t') - p) + 1 >= 32);
	return atoll(strchr(p, '\t') + 1);
}

/* A ping over lo: both ends are this kernel, so each counter moves once
 * in and once out. */
static void
icmp_counters(void **state)
{
	struct sockaddr_in to = sin4("127.0.0.1", 0);
	struct sockaddr_in6 to6 = sin6("::1", 0);
	long long in0 = snmp("Icmp", "InMsgs"), out0 = snmp("Icmp", "OutMsgs");
	long long ie = snmp("Icmp", "InEchos"), ir = snmp("Icmp", "InEchoReps");
	long long oe = snmp("Icmp", "OutEchos"), t8 = snmp("IcmpMsg",
	    "OutType8"), t0 = snmp("IcmpMsg", "InType0");
	long long oer = snmp("Icmp", "OutEchoReps");
	long long e6 = snmp6("Icmp6InEchos"), r6 = snmp6("Icmp6OutEchoReplies");
	long long m6 = snmp6("Icmp6OutMsgs"), y6 = snmp6("Icmp6InType129");
	uint8_t req[16], b[128];
	int s;

	(void)state;
	s = raw4(false);
	echo_req(req, ICMP_ECHO, ECHO_ID, 1);
	CHECK_OK(rump_sys_sendto(s, req, sizeof(req), 0,
	    (struct sockaddr *)&to, sizeof(to)));
	drain_copy(s, ICMP_ECHOREPLY);
	assert_int_equal(snmp("Icmp", "InMsgs"), in0 + 2);
	assert_int_equal(snmp("Icmp", "OutMsgs"), out0 + 2);
	assert_int_equal(snmp("Icmp", "InEchos"), ie + 1);
	assert_int_equal(snmp("Icmp", "InEchoReps"), ir + 1);
	assert_int_equal(snmp("Icmp", "OutEchos"), oe + 1);
	assert_int_equal(snmp("Icmp", "OutEchoReps"), oer + 1);
	assert_int_equal(snmp("IcmpMsg", "OutType8"), t8 + 1);
	assert_int_equal(snmp("IcmpMsg", "InType0"), t0 + 1);
	/* /proc/net/raw: the protocol where a port would be. */
	{
		char raw[4096];
		int fd = (int)CHECK_OK(rump_sys_open("/proc/net/raw",
		    O_RDONLY));
		ssize_t n = CHECK_OK(rump_sys_read(fd, raw, sizeof(raw) - 1));

		raw[n] = '\0';
		CHECK_OK(rump_sys_close(fd));
		assert_non_null(strstr(raw, ": 00000000:0001 00000000:0000 07 "));
	}
	CHECK_OK(rump_sys_close(s));
	s = raw6(false);
	echo_req(req, ICMP6_ECHO_REQUEST, ECHO_ID, 2);
	CHECK_OK(rump_sys_sendto(s, req, sizeof(req), 0,
	    (struct sockaddr *)&to6, sizeof(to6)));
	{
		struct pollfd p = { .fd = s, .events = POLLIN };
		int k;

		for (k = 0; k < 4; k++) {
			assert_int_equal(CHECK_OK(rump_sys_poll(&p, 1, 5000)),
			    1);
			CHECK_OK(rump_sys_recvfrom(s, b, sizeof(b), 0, NULL,
			    NULL));
			if (b[0] == ICMP6_ECHO_REPLY)
				break;
		}
		assert_true(k < 4);
	}
	assert_int_equal(snmp6("Icmp6InEchos"), e6 + 1);
	assert_int_equal(snmp6("Icmp6OutEchoReplies"), r6 + 1);
	assert_int_equal(snmp6("Icmp6InType129"), (y6 < 0 ? 0 : y6) + 1);
	assert_true(snmp6("Icmp6OutMsgs") >= m6 + 2);
	assert_int_equal(snmp6("Udp6InDatagrams") >= 0, 1);
	CHECK_OK(rump_sys_close(s));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(raw4_time_exceeded),
		cmocka_unit_test(raw4_queue_order),
		cmocka_unit_test(raw4_connected),
		cmocka_unit_test(raw6_time_exceeded),
		cmocka_unit_test(raw6_checksum_option),
		cmocka_unit_test(udp_port_unreach),
		cmocka_unit_test(ping_socket_error),
		cmocka_unit_test(tcp_errqueue_empty),
		cmocka_unit_test(icmp_counters),
	};

	if (test_kernel_init("icmp") != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
