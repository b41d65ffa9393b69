/*
 * test_udp.c: UDP, ping and raw sockets over the loopback as a user sees
 * them: bind/connect/send error paths (EINVAL, EAFNOSUPPORT, EADDRINUSE,
 * EADDRNOTAVAIL, EDESTADDRREQ, EMSGSIZE, EACCES, ECONNREFUSED through ICMP
 * port unreachable), IPv4, IPv6 and v4-mapped addresses, IPV6_V6ONLY,
 * SO_REUSEADDR/SO_REUSEPORT, IP_PKTINFO/IPV6_RECVPKTINFO ancillary data,
 * broadcast on 127.255.255.255, a 60 000-byte datagram fragmented over a
 * 1500-byte lo and reassembled, ping sockets (net.ipv4.ping_group_range)
 * over 127.0.0.1 and ::1, raw ICMP as root (EPERM otherwise), and lo's
 * fault hook dropping and duplicating datagrams.  The same source runs
 * against the host (TEST_ON_HOST) as the reference for every answer;
 * cases that change kernel settings run in the rump kernel only.
 */
#include "compat.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <sys/socket.h>

#include "tcp_compat.h"

#ifdef TEST_ON_HOST
#define rump_sys_sendmsg	sendmsg
#define rump_sys_recvmsg	recvmsg
#endif

#define FAULT	"/proc/sys/net/lo/fault/"

static ssize_t
recv_(int s, void *buf, size_t len, int flags)
{
	return rump_sys_recvfrom(s, buf, len, flags, NULL, NULL);
}

static struct sockaddr_in
sin4(in_addr_t a, uint16_t port)
{
	struct sockaddr_in s;

	memset(&s, 0, sizeof(s));
	s.sin_family = AF_INET;
	s.sin_port = htons(port);
	s.sin_addr.s_addr = htonl(a);
	return s;
}

static struct sockaddr_in6
sin6(const struct in6_addr *a, uint16_t port)
{
	struct sockaddr_in6 s;

	memset(&s, 0, sizeof(s));
	s.sin6_family = AF_INET6;
	s.sin6_port = htons(port);
	s.sin6_addr = *a;
	return s;
}

static int
udp4(void)
{
	return (int)CHECK_OK(rump_sys_socket(AF_INET, SOCK_DGRAM, 0));
}

static int
udp6(void)
{
	return (int)CHECK_OK(rump_sys_socket(AF_INET6, SOCK_DGRAM, 0));
}

/* Binds s to 127.0.0.1 with an ephemeral port; returns the port. */
static uint16_t
bind4(int s, in_addr_t a)
{
	struct sockaddr_in b = sin4(a, 0);
	socklen_t len = sizeof(b);

	CHECK_OK(rump_sys_bind(s, (struct sockaddr *)&b, sizeof(b)));
	CHECK_OK(rump_sys_getsockname(s, (struct sockaddr *)&b, &len));
	assert_int_equal(len, sizeof(b));
	assert_int_not_equal(b.sin_port, 0);
	return ntohs(b.sin_port);
}

static uint16_t
bind6(int s, const struct in6_addr *a)
{
	struct sockaddr_in6 b = sin6(a, 0);
	socklen_t len = sizeof(b);

	CHECK_OK(rump_sys_bind(s, (struct sockaddr *)&b, sizeof(b)));
	CHECK_OK(rump_sys_getsockname(s, (struct sockaddr *)&b, &len));
	assert_int_equal(len, sizeof(b));
	return ntohs(b.sin6_port);
}

static void
fault_param(const char *name, unsigned long v)
{
	char path[128], val[32];

	snprintf(path, sizeof(path), FAULT "%s", name);
	snprintf(val, sizeof(val), "%lu", v);
	put_file(path, val);
}

/* --- bind ------------------------------------------------------------------- */

static void
udp_bind_errors(void **state)
{
	struct sockaddr_in b = sin4(INADDR_LOOPBACK, 0);
	struct sockaddr_in6 b6 = sin6(&in6addr_loopback, 0);
	struct sockaddr_in other = sin4(0xc0000201, 0);	/* 192.0.2.1 */
	int s = udp4(), t = udp4();
	uint16_t port;

	(void)state;
	CHECK_ERR(rump_sys_bind(s, (struct sockaddr *)&b, sizeof(b) - 1),
	    EINVAL);
	CHECK_ERR(rump_sys_bind(s, (struct sockaddr *)&b6, sizeof(b6)),
	    EAFNOSUPPORT);
	CHECK_ERR(rump_sys_bind(s, (struct sockaddr *)&other, sizeof(other)),
	    EADDRNOTAVAIL);
	port = bind4(s, INADDR_LOOPBACK);
	/* Bound already. */
	CHECK_ERR(rump_sys_bind(s, (struct sockaddr *)&b, sizeof(b)), EINVAL);
	/* The same port: taken, for the same address and for the wildcard. */
	b = sin4(INADDR_LOOPBACK, port);
	CHECK_ERR(rump_sys_bind(t, (struct sockaddr *)&b, sizeof(b)),
	    EADDRINUSE);
	b = sin4(INADDR_ANY, port);
	CHECK_ERR(rump_sys_bind(t, (struct sockaddr *)&b, sizeof(b)),
	    EADDRINUSE);
	/* Another loopback address is a different address. */
	b = sin4(0x7f000002, port);
	CHECK_OK(rump_sys_bind(t, (struct sockaddr *)&b, sizeof(b)));
	CHECK_OK(rump_sys_close(s));
	CHECK_OK(rump_sys_close(t));
}

static void
udp_bind_reuse(void **state)
{
	int on = 1, a = udp4(), b = udp4(), c = udp4();
	struct sockaddr_in sa;
	uint16_t port;

	(void)state;
	/* SO_REUSEADDR on both shares a port. */
	CHECK_OK(rump_sys_setsockopt(a, SOL_SOCKET, SO_REUSEADDR, &on,
	    sizeof(on)));
	CHECK_OK(rump_sys_setsockopt(b, SOL_SOCKET, SO_REUSEADDR, &on,
	    sizeof(on)));
	port = bind4(a, INADDR_LOOPBACK);
	sa = sin4(INADDR_LOOPBACK, port);
	CHECK_OK(rump_sys_bind(b, (struct sockaddr *)&sa, sizeof(sa)));
	/* Not for a socket without it. */
	CHECK_ERR(rump_sys_bind(c, (struct sockaddr *)&sa, sizeof(sa)),
	    EADDRINUSE);
	CHECK_OK(rump_sys_close(a));
	CHECK_OK(rump_sys_close(b));
	CHECK_OK(rump_sys_close(c));

	/* SO_REUSEPORT likewise. */
	a = udp4();
	b = udp4();
	CHECK_OK(rump_sys_setsockopt(a, SOL_SOCKET, SO_REUSEPORT, &on,
	    sizeof(on)));
	CHECK_OK(rump_sys_setsockopt(b, SOL_SOCKET, SO_REUSEPORT, &on,
	    sizeof(on)));
	port = bind4(a, INADDR_ANY);
	sa = sin4(INADDR_ANY, port);
	CHECK_OK(rump_sys_bind(b, (struct sockaddr *)&sa, sizeof(sa)));
	CHECK_OK(rump_sys_close(a));
	CHECK_OK(rump_sys_close(b));
}

static void
udp_bind_v6(void **state)
{
	struct in6_addr any = IN6ADDR_ANY_INIT, mapped;
	int on = 1, a = udp6(), b = udp4(), c = udp6();
	struct sockaddr_in sa;
	struct sockaddr_in6 s6;
	uint16_t port;

	(void)state;
	/* A dual-stack [::] socket holds the port for IPv4 too ... */
	port = bind6(a, &any);
	sa = sin4(INADDR_LOOPBACK, port);
	CHECK_ERR(rump_sys_bind(b, (struct sockaddr *)&sa, sizeof(sa)),
	    EADDRINUSE);
	CHECK_OK(rump_sys_close(a));
	/* ... an IPV6_V6ONLY one does not. */
	a = udp6();
	CHECK_OK(rump_sys_setsockopt(a, IPPROTO_IPV6, IPV6_V6ONLY, &on,
	    sizeof(on)));
	port = bind6(a, &any);
	sa = sin4(INADDR_LOOPBACK, port);
	CHECK_OK(rump_sys_bind(b, (struct sockaddr *)&sa, sizeof(sa)));
	/* A v4-mapped address on a V6ONLY socket is refused. */
	inet_pton(AF_INET6, "::ffff:127.0.0.1", &mapped);
	CHECK_OK(rump_sys_setsockopt(c, IPPROTO_IPV6, IPV6_V6ONLY, &on,
	    sizeof(on)));
	s6 = sin6(&mapped, 0);
	CHECK_ERR(rump_sys_bind(c, (struct sockaddr *)&s6, sizeof(s6)),
	    EINVAL);
	/* A short sockaddr_in6 and the wrong family. */
	CHECK_ERR(rump_sys_bind(c, (struct sockaddr *)&s6, 20), EINVAL);
	CHECK_ERR(rump_sys_bind(c, (struct sockaddr *)&sa, sizeof(sa)),
	    EINVAL);
	CHECK_OK(rump_sys_close(a));
	CHECK_OK(rump_sys_close(b));
	CHECK_OK(rump_sys_close(c));
}

/* --- data ------------------------------------------------------------------- */

static void
udp_send_recv_v4(void **state)
{
	int r = udp4(), s = udp4();
	uint16_t port = bind4(r, INADDR_LOOPBACK), sport;
	struct sockaddr_in to = sin4(INADDR_LOOPBACK, port), from;
	socklen_t len = sizeof(from);
	char buf[64];

	(void)state;
	assert_int_equal(CHECK_OK(rump_sys_sendto(s, "hello", 5, 0,
	    (struct sockaddr *)&to, sizeof(to))), 5);
	/* The sender was bound on the way. */
	sport = ntohs(((struct sockaddr_in *)&from)->sin_port);
	assert_int_equal(CHECK_OK(rump_sys_recvfrom(r, buf, sizeof(buf), 0,
	    (struct sockaddr *)&from, &len)), 5);
	assert_memory_equal(buf, "hello", 5);
	assert_int_equal(len, sizeof(from));
	assert_int_equal(from.sin_family, AF_INET);
	assert_int_equal(ntohl(from.sin_addr.s_addr), INADDR_LOOPBACK);
	len = sizeof(to);
	CHECK_OK(rump_sys_getsockname(s, (struct sockaddr *)&to, &len));
	assert_int_equal(from.sin_port, to.sin_port);
	(void)sport;

	/* A zero-length datagram is a datagram. */
	to = sin4(INADDR_LOOPBACK, port);
	assert_int_equal(CHECK_OK(rump_sys_sendto(s, "", 0, 0,
	    (struct sockaddr *)&to, sizeof(to))), 0);
	assert_int_equal(CHECK_OK(rump_sys_recvfrom(r, buf, sizeof(buf), 0,
	    NULL, NULL)), 0);

	/* Truncation: MSG_TRUNC gives the real length. */
	CHECK_OK(rump_sys_sendto(s, "0123456789", 10, 0,
	    (struct sockaddr *)&to, sizeof(to)));
	assert_int_equal(CHECK_OK(rump_sys_recvfrom(r, buf, 4, MSG_TRUNC,
	    NULL, NULL)), 10);
	assert_memory_equal(buf, "0123", 4);

	/* Errors: no destination, port 0, too large, wrong family. */
	CHECK_ERR(rump_sys_sendto(s, "x", 1, 0, NULL, 0), EDESTADDRREQ);
	to = sin4(INADDR_LOOPBACK, 0);
	CHECK_ERR(rump_sys_sendto(s, "x", 1, 0, (struct sockaddr *)&to,
	    sizeof(to)), EINVAL);
	{
		static char big[65508];
		struct sockaddr_in6 w;

		to = sin4(INADDR_LOOPBACK, port);
		CHECK_ERR(rump_sys_sendto(s, big, sizeof(big), 0,
		    (struct sockaddr *)&to, sizeof(to)), EMSGSIZE);
		w = sin6(&in6addr_loopback, port);
		CHECK_ERR(rump_sys_sendto(s, "x", 1, 0, (struct sockaddr *)&w,
		    sizeof(w)), EAFNOSUPPORT);
	}
	CHECK_OK(rump_sys_close(r));
	CHECK_OK(rump_sys_close(s));
}

static void
udp_connected(void **state)
{
	int r = udp4(), s = udp4(), t = udp4();
	uint16_t port = bind4(r, INADDR_LOOPBACK), dead;
	struct sockaddr_in to = sin4(INADDR_LOOPBACK, port), peer;
	struct sockaddr_in un = sin4(INADDR_ANY, 0);
	socklen_t len = sizeof(peer);
	char buf[16];

	(void)state;
	CHECK_ERR(rump_sys_getpeername(s, (struct sockaddr *)&peer, &len),
	    ENOTCONN);
	CHECK_OK(rump_sys_connect(s, (struct sockaddr *)&to, sizeof(to)));
	len = sizeof(peer);
	CHECK_OK(rump_sys_getpeername(s, (struct sockaddr *)&peer, &len));
	assert_int_equal(peer.sin_port, htons(port));
	assert_int_equal(CHECK_OK(rump_sys_write(s, "abc", 3)), 3);
	assert_int_equal(CHECK_OK(rump_sys_read(r, buf, sizeof(buf))), 3);

	/* A port nobody has: ICMP port unreachable -> ECONNREFUSED. */
	dead = bind4(t, INADDR_LOOPBACK);
	CHECK_OK(rump_sys_close(t));
	to = sin4(INADDR_LOOPBACK, dead);
	CHECK_OK(rump_sys_connect(s, (struct sockaddr *)&to, sizeof(to)));
	assert_int_equal(CHECK_OK(rump_sys_sendto(s, "x", 1, 0, NULL, 0)), 1);
	CHECK_ERR(recv_(s, buf, sizeof(buf), MSG_DONTWAIT),
	    ECONNREFUSED);
	/* The error is reported once. */
	CHECK_ERR(recv_(s, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);

	/* connect(AF_UNSPEC) dissolves the association. */
	un.sin_family = AF_UNSPEC;
	CHECK_OK(rump_sys_connect(s, (struct sockaddr *)&un, sizeof(un)));
	len = sizeof(peer);
	CHECK_ERR(rump_sys_getpeername(s, (struct sockaddr *)&peer, &len),
	    ENOTCONN);
	CHECK_ERR(rump_sys_sendto(s, "x", 1, 0, NULL, 0), EDESTADDRREQ);
	CHECK_OK(rump_sys_close(r));
	CHECK_OK(rump_sys_close(s));
}

static void
udp_v6_mapped(void **state)
{
	struct in6_addr any = IN6ADDR_ANY_INIT, mapped;
	int r = udp6(), s4 = udp4(), s6 = udp6();
	uint16_t port = bind6(r, &any);
	struct sockaddr_in to4 = sin4(INADDR_LOOPBACK, port);
	struct sockaddr_in6 to6 = sin6(&in6addr_loopback, port), from;
	socklen_t len = sizeof(from);
	char buf[16];

	(void)state;
	/* IPv4 to a dual-stack socket: the source comes v4-mapped. */
	CHECK_OK(rump_sys_sendto(s4, "v4", 2, 0, (struct sockaddr *)&to4,
	    sizeof(to4)));
	assert_int_equal(CHECK_OK(rump_sys_recvfrom(r, buf, sizeof(buf), 0,
	    (struct sockaddr *)&from, &len)), 2);
	assert_int_equal(len, sizeof(from));
	assert_int_equal(from.sin6_family, AF_INET6);
	inet_pton(AF_INET6, "::ffff:127.0.0.1", &mapped);
	assert_memory_equal(&from.sin6_addr, &mapped, sizeof(mapped));
	/* IPv6 to it, from ::1. */
	CHECK_OK(rump_sys_sendto(s6, "v6", 2, 0, (struct sockaddr *)&to6,
	    sizeof(to6)));
	len = sizeof(from);
	assert_int_equal(CHECK_OK(rump_sys_recvfrom(r, buf, sizeof(buf), 0,
	    (struct sockaddr *)&from, &len)), 2);
	assert_memory_equal(&from.sin6_addr, &in6addr_loopback, 16);
	/* An AF_INET6 socket sends to a mapped address as IPv4. */
	to6 = sin6(&mapped, port);
	CHECK_OK(rump_sys_sendto(s6, "m", 1, 0, (struct sockaddr *)&to6,
	    sizeof(to6)));
	len = sizeof(from);
	assert_int_equal(CHECK_OK(rump_sys_recvfrom(r, buf, sizeof(buf), 0,
	    (struct sockaddr *)&from, &len)), 1);
	assert_memory_equal(&from.sin6_addr, &mapped, sizeof(mapped));
	/* A V6ONLY socket cannot reach a mapped address. */
	{
		int on = 1, v = udp6();

		CHECK_OK(rump_sys_setsockopt(v, IPPROTO_IPV6, IPV6_V6ONLY,
		    &on, sizeof(on)));
		CHECK_ERR(rump_sys_connect(v, (struct sockaddr *)&to6,
		    sizeof(to6)), ENETUNREACH);
		CHECK_OK(rump_sys_close(v));
	}
	CHECK_OK(rump_sys_close(r));
	CHECK_OK(rump_sys_close(s4));
	CHECK_OK(rump_sys_close(s6));
}

static void
udp_pktinfo(void **state)
{
	int on = 1, r = udp4(), s = udp4(), r6 = udp6();
	struct in6_addr any = IN6ADDR_ANY_INIT;
	uint16_t port = bind4(r, INADDR_ANY), port6;
	struct sockaddr_in to = sin4(0x7f000005, port);
	struct sockaddr_in6 to6;
	char buf[16], cbuf[256];
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr mh;
	struct cmsghdr *c;
	bool seen = false;

	(void)state;
	CHECK_OK(rump_sys_setsockopt(r, IPPROTO_IP, IP_PKTINFO, &on,
	    sizeof(on)));
	CHECK_OK(rump_sys_sendto(s, "p", 1, 0, (struct sockaddr *)&to,
	    sizeof(to)));
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf;
	mh.msg_controllen = sizeof(cbuf);
	assert_int_equal(CHECK_OK(rump_sys_recvmsg(r, &mh, 0)), 1);
	for (c = CMSG_FIRSTHDR(&mh); c != NULL; c = CMSG_NXTHDR(&mh, c)) {
		struct in_pktinfo pi;

		if (c->cmsg_level != IPPROTO_IP || c->cmsg_type != IP_PKTINFO)
			continue;
		assert_int_equal(c->cmsg_len, CMSG_LEN(sizeof(pi)));
		memcpy(&pi, CMSG_DATA(c), sizeof(pi));
		/* The destination the datagram was sent to. */
		assert_int_equal(ntohl(pi.ipi_addr.s_addr), 0x7f000005);
		assert_true(pi.ipi_ifindex > 0);
		seen = true;
	}
	assert_true(seen);

	/* IPV6_RECVPKTINFO on ::1. */
	port6 = bind6(r6, &any);
	CHECK_OK(rump_sys_setsockopt(r6, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on,
	    sizeof(on)));
	{
		int s6 = udp6();

		to6 = sin6(&in6addr_loopback, port6);
		CHECK_OK(rump_sys_sendto(s6, "q", 1, 0,
		    (struct sockaddr *)&to6, sizeof(to6)));
		CHECK_OK(rump_sys_close(s6));
	}
	mh.msg_control = cbuf;
	mh.msg_controllen = sizeof(cbuf);
	seen = false;
	assert_int_equal(CHECK_OK(rump_sys_recvmsg(r6, &mh, 0)), 1);
	for (c = CMSG_FIRSTHDR(&mh); c != NULL; c = CMSG_NXTHDR(&mh, c)) {
		struct in6_pktinfo pi;

		if (c->cmsg_level != IPPROTO_IPV6 ||
		    c->cmsg_type != IPV6_PKTINFO)
			continue;
		memcpy(&pi, CMSG_DATA(c), sizeof(pi));
		assert_memory_equal(&pi.ipi6_addr, &in6addr_loopback, 16);
		seen = true;
	}
	assert_true(seen);

	/* IP_PKTINFO on send picks the source address. */
	{
		struct in_pktinfo pi;
		struct sockaddr_in from;
		socklen_t len = sizeof(from);

		memset(&pi, 0, sizeof(pi));
		pi.ipi_spec_dst.s_addr = htonl(0x7f000009);
		memset(cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf;
		mh.msg_controllen = CMSG_SPACE(sizeof(pi));
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
		to = sin4(INADDR_LOOPBACK, port);
		mh.msg_name = &to;
		mh.msg_namelen = sizeof(to);
		iov.iov_len = 1;
		assert_int_equal(CHECK_OK(rump_sys_sendmsg(s, &mh, 0)), 1);
		assert_int_equal(CHECK_OK(rump_sys_recvfrom(r, buf,
		    sizeof(buf), 0, (struct sockaddr *)&from, &len)), 1);
		assert_int_equal(ntohl(from.sin_addr.s_addr), 0x7f000009);
	}
	CHECK_OK(rump_sys_close(r));
	CHECK_OK(rump_sys_close(r6));
	CHECK_OK(rump_sys_close(s));
}

static void
udp_broadcast_lo(void **state)
{
	int on = 1, r = udp4(), s = udp4();
	uint16_t port = bind4(r, INADDR_ANY);
	struct sockaddr_in to = sin4(0x7fffffff, port);	/* 127.255.255.255 */
	char buf[8];

	(void)state;
	CHECK_ERR(rump_sys_sendto(s, "b", 1, 0, (struct sockaddr *)&to,
	    sizeof(to)), EACCES);
	CHECK_OK(rump_sys_setsockopt(s, SOL_SOCKET, SO_BROADCAST, &on,
	    sizeof(on)));
	assert_int_equal(CHECK_OK(rump_sys_sendto(s, "b", 1, 0,
	    (struct sockaddr *)&to, sizeof(to))), 1);
	assert_int_equal(CHECK_OK(rump_sys_recvfrom(r, buf, sizeof(buf), 0,
	    NULL, NULL)), 1);
	CHECK_OK(rump_sys_close(r));
	CHECK_OK(rump_sys_close(s));
}

/* 60 000 bytes through a 1500-byte lo: 41 fragments, reassembled. */
static void
udp_fragmented(void **state)
{
	static unsigned char out[60000], in[60001];
	int r, s;
	uint16_t port;
	struct sockaddr_in to;
	struct sockaddr_in6 to6;
	struct in6_addr any = IN6ADDR_ANY_INIT;

	(void)state;
	HOST_INVALID();		/* the host's lo MTU is not ours to change */
	put_file("/proc/sys/net/lo/mtu", "1500");
	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = (unsigned char)(i * 7 + i / 251);
	r = udp4();
	s = udp4();
	port = bind4(r, INADDR_LOOPBACK);
	to = sin4(INADDR_LOOPBACK, port);
	assert_int_equal(CHECK_OK(rump_sys_sendto(s, out, sizeof(out), 0,
	    (struct sockaddr *)&to, sizeof(to))), sizeof(out));
	assert_int_equal(CHECK_OK(rump_sys_recvfrom(r, in, sizeof(in), 0,
	    NULL, NULL)), sizeof(out));
	assert_memory_equal(in, out, sizeof(out));
	/* With DF asked for, the datagram is refused instead. */
	{
		int v = IP_PMTUDISC_DO;

		CHECK_OK(rump_sys_setsockopt(s, IPPROTO_IP, IP_MTU_DISCOVER,
		    &v, sizeof(v)));
		CHECK_ERR(rump_sys_sendto(s, out, sizeof(out), 0,
		    (struct sockaddr *)&to, sizeof(to)), EMSGSIZE);
	}
	CHECK_OK(rump_sys_close(r));
	CHECK_OK(rump_sys_close(s));

	/* IPv6: the fragment header. */
	r = udp6();
	s = udp6();
	port = bind6(r, &any);
	to6 = sin6(&in6addr_loopback, port);
	assert_int_equal(CHECK_OK(rump_sys_sendto(s, out, sizeof(out), 0,
	    (struct sockaddr *)&to6, sizeof(to6))), sizeof(out));
	memset(in, 0, sizeof(in));
	assert_int_equal(CHECK_OK(rump_sys_recvfrom(r, in, sizeof(in), 0,
	    NULL, NULL)), sizeof(out));
	assert_memory_equal(in, out, sizeof(out));
	CHECK_OK(rump_sys_close(r));
	CHECK_OK(rump_sys_close(s));
	put_file("/proc/sys/net/lo/mtu", "65536");
}

/* lo's fault hook: the 1st datagram to a port dropped, the 2nd doubled. */
static void
udp_fault_hook(void **state)
{
	int r = udp4(), s = udp4();
	uint16_t port = bind4(r, INADDR_LOOPBACK);
	struct sockaddr_in to = sin4(INADDR_LOOPBACK, port);
	char buf[8], hits[32];

	(void)state;
	HOST_INVALID();
	fault_param("proto", IPPROTO_UDP);
	fault_param("port", port);
	fault_param("nth", 1);
	fault_param("every", 0);
	fault_param("count", 1);
	fault_param("arg", 0);
	fault_param("action", 1);		/* drop */
	CHECK_OK(rump_sys_sendto(s, "1", 1, 0, (struct sockaddr *)&to,
	    sizeof(to)));
	CHECK_OK(rump_sys_sendto(s, "2", 1, 0, (struct sockaddr *)&to,
	    sizeof(to)));
	assert_int_equal(CHECK_OK(recv_(r, buf, sizeof(buf), 0)), 1);
	assert_int_equal(buf[0], '2');
	CHECK_ERR(recv_(r, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
	get_file(FAULT "hits", hits, sizeof(hits));
	assert_int_equal(strtoul(hits, NULL, 10), 1);

	fault_param("action", 2);		/* duplicate the next one */
	CHECK_OK(rump_sys_sendto(s, "3", 1, 0, (struct sockaddr *)&to,
	    sizeof(to)));
	assert_int_equal(CHECK_OK(recv_(r, buf, sizeof(buf), 0)), 1);
	assert_int_equal(buf[0], '3');
	assert_int_equal(CHECK_OK(recv_(r, buf, sizeof(buf),
	    MSG_DONTWAIT)), 1);
	assert_int_equal(buf[0], '3');
	CHECK_ERR(recv_(r, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
	fault_param("action", 0);
	/* A bad action is refused by the sysctl's range. */
	{
		int fd = (int)CHECK_OK(rump_sys_open(FAULT "action", O_WRONLY, 0));

		CHECK_ERR(rump_sys_write(fd, "9", 1), EINVAL);
		CHECK_OK(rump_sys_close(fd));
	}
	CHECK_OK(rump_sys_close(r));
	CHECK_OK(rump_sys_close(s));
}

/* --- ping and raw ----------------------------------------------------------- */

static void
echo_check(int s, const void *dst, socklen_t dlen, bool v6, size_t hdr)
{
	unsigned char req[16], rep[128];
	ssize_t n;

	memset(req, 0, sizeof(req));
	req[0] = v6 ? 128 : ICMP_ECHO;
	req[6] = 0;
	req[7] = 42;			/* sequence */
	memcpy(req + 8, "pingpong", 8);
	assert_int_equal(CHECK_OK(rump_sys_sendto(s, req, sizeof(req), 0,
	    dst, dlen)), sizeof(req));
	n = CHECK_OK(recv_(s, rep, sizeof(rep), 0));
	assert_int_equal(n, (ssize_t)(hdr + sizeof(req)));
	assert_int_equal(rep[hdr], v6 ? 129 : ICMP_ECHOREPLY);
	assert_int_equal(rep[hdr + 7], 42);
	assert_memory_equal(rep + hdr + 8, "pingpong", 8);
}

static void
ping_sockets(void **state)
{
	struct sockaddr_in to = sin4(INADDR_LOOPBACK, 0);
	struct sockaddr_in6 to6 = sin6(&in6addr_loopback, 0);
	char saved[64];
	int s;

	(void)state;
	HOST_INVALID();		/* the host's ping_group_range is its own */
	get_file("/proc/sys/net/ipv4/ping_group_range", saved, sizeof(saved));
	/* Linux's default "1 0" lets nobody in, root included. */
	assert_string_equal(saved, "1\t0\n");
	CHECK_ERR(rump_sys_socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP), EACCES);
	put_file("/proc/sys/net/ipv4/ping_group_range", "0 2147483647");
	s = (int)CHECK_OK(rump_sys_socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP));
	echo_check(s, &to, sizeof(to), false, 0);
	/* Only echo requests may be sent. */
	{
		unsigned char bad[8] = { ICMP_ECHOREPLY };

		CHECK_ERR(rump_sys_sendto(s, bad, sizeof(bad), 0,
		    (struct sockaddr *)&to, sizeof(to)), EINVAL);
	}
	CHECK_OK(rump_sys_close(s));
	s = (int)CHECK_OK(rump_sys_socket(AF_INET6, SOCK_DGRAM,
	    IPPROTO_ICMPV6));
	echo_check(s, &to6, sizeof(to6), true, 0);
	CHECK_OK(rump_sys_close(s));
	put_file("/proc/sys/net/ipv4/ping_group_range", "1 0");
}

static void
raw_icmp(void **state)
{
	struct sockaddr_in to = sin4(INADDR_LOOPBACK, 0);
	int s;

	(void)state;
	s = (int)CHECK_OK(rump_sys_socket(AF_INET, SOCK_RAW, IPPROTO_ICMP));
	/* A raw IPv4 socket sees our request and the reply, IP headers and
	 * all; skip our own request. */
	{
		unsigned char req[16], rep[128];
		ssize_t n;
		int k;

		memset(req, 0, sizeof(req));
		req[0] = ICMP_ECHO;
		req[4] = 0x12;
		req[7] = 7;
		{
			/* The checksum is ours to compute on a raw socket. */
			uint32_t sum = 0;

			for (size_t i = 0; i < sizeof(req); i += 2)
				sum += (uint32_t)(req[i] << 8 | req[i + 1]);
			sum = (sum & 0xffff) + (sum >> 16);
			sum = ~sum & 0xffff;
			req[2] = (unsigned char)(sum >> 8);
			req[3] = (unsigned char)sum;
		}
		CHECK_OK(rump_sys_sendto(s, req, sizeof(req), 0,
		    (struct sockaddr *)&to, sizeof(to)));
		for (k = 0; k < 4; k++) {
			n = CHECK_OK(recv_(s, rep, sizeof(rep), 0));
			assert_int_equal(n, 20 + (ssize_t)sizeof(req));
			assert_int_equal(rep[0] >> 4, 4);
			if (rep[20] == ICMP_ECHOREPLY)
				break;
		}
		assert_true(k < 4);
		assert_int_equal(rep[24], 0x12);
	}
	CHECK_OK(rump_sys_close(s));
	/* Not for others. */
	user_enter();
	CHECK_ERR(rump_sys_socket(AF_INET, SOCK_RAW, IPPROTO_ICMP), EPERM);
	CHECK_ERR(rump_sys_socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6), EPERM);
	user_leave();
}

static void
udp_options(void **state)
{
	int s = udp4(), s6 = udp6(), v;
	socklen_t len = sizeof(v);

	(void)state;
	CHECK_OK(rump_sys_getsockopt(s, IPPROTO_IP, IP_TTL, &v, &len));
	assert_int_equal(v, 64);
	v = 7;
	CHECK_OK(rump_sys_setsockopt(s, IPPROTO_IP, IP_TTL, &v, sizeof(v)));
	len = sizeof(v);
	CHECK_OK(rump_sys_getsockopt(s, IPPROTO_IP, IP_TTL, &v, &len));
	assert_int_equal(v, 7);
	v = 256;
	CHECK_ERR(rump_sys_setsockopt(s, IPPROTO_IP, IP_TTL, &v, sizeof(v)),
	    EINVAL);
	v = 0x10;
	CHECK_OK(rump_sys_setsockopt(s, IPPROTO_IP, IP_TOS, &v, sizeof(v)));
	len = sizeof(v);
	CHECK_OK(rump_sys_getsockopt(s, IPPROTO_IP, IP_TOS, &v, &len));
	assert_int_equal(v, 0x10);
	len = sizeof(v);
	CHECK_OK(rump_sys_getsockopt(s6, IPPROTO_IPV6, IPV6_V6ONLY, &v,
	    &len));
	assert_int_equal(v, 0);
	len = sizeof(v);
	CHECK_OK(rump_sys_getsockopt(s6, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &v,
	    &len));
	assert_int_equal(v, 64);
	/* IPv6 options on an IPv4 socket: Linux says EOPNOTSUPP. */
	CHECK_ERR(rump_sys_getsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &v, &len),
	    EOPNOTSUPP);
	CHECK_ERR(rump_sys_getsockopt(s, IPPROTO_IP, 9999, &v, &len),
	    ENOPROTOOPT);
	/* IP_MTU needs a peer. */
	CHECK_ERR(rump_sys_getsockopt(s, IPPROTO_IP, IP_MTU, &v, &len),
	    ENOTCONN);
	{
		struct ip_mreqn mr;

		memset(&mr, 0, sizeof(mr));
		mr.imr_multiaddr.s_addr = htonl(0xe0000123);
		mr.imr_ifindex = 1;
		CHECK_OK(rump_sys_setsockopt(s, IPPROTO_IP, IP_ADD_MEMBERSHIP,
		    &mr, sizeof(mr)));
		CHECK_ERR(rump_sys_setsockopt(s, IPPROTO_IP, IP_ADD_MEMBERSHIP,
		    &mr, sizeof(mr)), EADDRINUSE);
		CHECK_OK(rump_sys_setsockopt(s, IPPROTO_IP,
		    IP_DROP_MEMBERSHIP, &mr, sizeof(mr)));
		CHECK_ERR(rump_sys_setsockopt(s, IPPROTO_IP,
		    IP_DROP_MEMBERSHIP, &mr, sizeof(mr)), EADDRNOTAVAIL);
		mr.imr_multiaddr.s_addr = htonl(INADDR_LOOPBACK);
		CHECK_ERR(rump_sys_setsockopt(s, IPPROTO_IP, IP_ADD_MEMBERSHIP,
		    &mr, sizeof(mr)), EINVAL);
	}
	CHECK_OK(rump_sys_close(s));
	CHECK_OK(rump_sys_close(s6));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(udp_bind_errors),
		cmocka_unit_test(udp_bind_reuse),
		cmocka_unit_test(udp_bind_v6),
		cmocka_unit_test(udp_send_recv_v4),
		cmocka_unit_test(udp_connected),
		cmocka_unit_test(udp_v6_mapped),
		cmocka_unit_test(udp_pktinfo),
		cmocka_unit_test(udp_broadcast_lo),
		cmocka_unit_test(udp_fragmented),
		cmocka_unit_test(udp_fault_hook),
		cmocka_unit_test(udp_options),
		cmocka_unit_test(ping_sockets),
		cmocka_unit_test(raw_icmp),
	};

	if (test_kernel_init("udp") != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
