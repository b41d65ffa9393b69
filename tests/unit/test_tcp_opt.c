/*
 * test_tcp_opt.c: TCP's options and ioctls over the loopback as a user
 * sees them: TCP_NODELAY, TCP_CORK, TCP_MAXSEG (set, and negotiated with
 * the peer), TCP_KEEP*, TCP_CONGESTION, TCP_USER_TIMEOUT, SIOCINQ and
 * SIOCOUTQ, TCP_INFO's counters, a zero window and its probes, and the
 * same over IPv6.  The same source runs against the host (TEST_ON_HOST),
 * the reference for every answer.  The states, errors and bulk transfer
 * are in test_tcp.c.
 */
#include "compat.h"

#include <pthread.h>
#include <linux/sockios.h>

#include "tcp_helpers.h"

static void
tcp_options(void **state)
{
	char name[16];
	socklen_t len;
	uint16_t port;
	int lst, c, a;

	(void)state;
	lst = listener(&port, 8);
	tcp_pair(lst, port, &c, &a);
	assert_int_equal(get_int(c, IPPROTO_TCP, TCP_NODELAY), 0);
	set_int(c, IPPROTO_TCP, TCP_NODELAY, 1);
	assert_int_equal(get_int(c, IPPROTO_TCP, TCP_NODELAY), 1);
	set_int(c, IPPROTO_TCP, TCP_CORK, 1);
	assert_int_equal(get_int(c, IPPROTO_TCP, TCP_CORK), 1);
	set_int(c, IPPROTO_TCP, TCP_CORK, 0);
	set_int(c, IPPROTO_TCP, TCP_KEEPIDLE, 30);
	assert_int_equal(get_int(c, IPPROTO_TCP, TCP_KEEPIDLE), 30);
	set_int(c, IPPROTO_TCP, TCP_KEEPINTVL, 5);
	assert_int_equal(get_int(c, IPPROTO_TCP, TCP_KEEPINTVL), 5);
	set_int(c, IPPROTO_TCP, TCP_KEEPCNT, 4);
	assert_int_equal(get_int(c, IPPROTO_TCP, TCP_KEEPCNT), 4);
	CHECK_ERR(rump_sys_setsockopt(c, IPPROTO_TCP, TCP_KEEPIDLE, &(int){0},
	    sizeof(int)), EINVAL);
	CHECK_ERR(rump_sys_setsockopt(c, IPPROTO_TCP, TCP_KEEPCNT,
	    &(int){-1}, sizeof(int)), EINVAL);
	set_int(c, IPPROTO_TCP, TCP_USER_TIMEOUT, 1500);
	assert_int_equal(get_int(c, IPPROTO_TCP, TCP_USER_TIMEOUT), 1500);
	CHECK_ERR(rump_sys_setsockopt(c, IPPROTO_TCP, TCP_USER_TIMEOUT,
	    &(int){-1}, sizeof(int)), EINVAL);
	set_int(c, SOL_SOCKET, SO_KEEPALIVE, 1);
	assert_int_equal(get_int(c, SOL_SOCKET, SO_KEEPALIVE), 1);
	/* The MSS of a loopback connection is large. */
	assert_true(get_int(c, IPPROTO_TCP, TCP_MAXSEG) > 16000);
	CHECK_ERR(rump_sys_setsockopt(c, IPPROTO_TCP, TCP_MAXSEG, &(int){10},
	    sizeof(int)), EINVAL);

	/* Congestion control by name. */
	CHECK_OK(rump_sys_setsockopt(c, IPPROTO_TCP, TCP_CONGESTION, "reno",
	    4));
	len = sizeof(name);
	memset(name, 0, sizeof(name));
	CHECK_OK(rump_sys_getsockopt(c, IPPROTO_TCP, TCP_CONGESTION, name,
	    &len));
	assert_string_equal(name, "reno");
	CHECK_OK(rump_sys_setsockopt(c, IPPROTO_TCP, TCP_CONGESTION, "cubic",
	    5));
	len = sizeof(name);
	CHECK_OK(rump_sys_getsockopt(c, IPPROTO_TCP, TCP_CONGESTION, name,
	    &len));
	assert_string_equal(name, "cubic");
	CHECK_ERR(rump_sys_setsockopt(c, IPPROTO_TCP, TCP_CONGESTION,
	    "nonesuch", 8), ENOENT);
	CHECK_OK(rump_sys_close(c));
	CHECK_OK(rump_sys_close(a));
	CHECK_OK(rump_sys_close(lst));
}

/* TCP_MAXSEG set before connect is what the peer's MSS becomes. */
static void
tcp_maxseg_negotiated(void **state)
{
	struct sockaddr_in sin;
	uint16_t port;
	int lst, c, a;

	(void)state;
	lst = listener(&port, 8);
	c = tcp_socket();
	set_int(c, IPPROTO_TCP, TCP_MAXSEG, 1000);
	sin = lo_addr(port);
	CHECK_OK(rump_sys_connect(c, (struct sockaddr *)&sin, sizeof(sin)));
	a = (int)CHECK_OK(rump_sys_accept(lst, NULL, NULL));
	/* The accepted end may send at most 1000 bytes of payload (less
	 * the timestamp option) per segment. */
	assert_true(get_int(a, IPPROTO_TCP, TCP_MAXSEG) <= 1000);
	assert_true(get_int(a, IPPROTO_TCP, TCP_MAXSEG) >= 980);
	CHECK_OK(rump_sys_close(c));
	CHECK_OK(rump_sys_close(a));
	CHECK_OK(rump_sys_close(lst));
}

static void
tcp_queue_ioctls(void **state)
{
	uint16_t port;
	int lst, c, a, n;
	char buf[100];

	(void)state;
	lst = listener(&port, 8);
	tcp_pair(lst, port, &c, &a);
	memset(buf, 'q', sizeof(buf));
	assert_int_equal(CHECK_OK(rump_sys_write(c, buf, sizeof(buf))), 100);
	n = -1;
	for (int i = 0; i < 1000 && n != 100; i++) {
		CHECK_OK(rump_sys_ioctl(a, SIOCINQ, &n));
		if (n != 100)
			short_sleep();
	}
	assert_int_equal(n, 100);
	/* Acknowledged data leaves the send queue. */
	n = -1;
	for (int i = 0; i < 1000 && n != 0; i++) {
		CHECK_OK(rump_sys_ioctl(c, SIOCOUTQ, &n));
		if (n != 0)
			short_sleep();
	}
	assert_int_equal(n, 0);
	assert_int_equal(CHECK_OK(rump_sys_read(a, buf, 60)), 60);
	CHECK_OK(rump_sys_ioctl(a, SIOCINQ, &n));
	assert_int_equal(n, 40);
	CHECK_ERR(rump_sys_ioctl(lst, SIOCINQ, &n), EINVAL);
	CHECK_OK(rump_sys_close(c));
	CHECK_OK(rump_sys_close(a));
	CHECK_OK(rump_sys_close(lst));
}

static void
tcp_info_counters(void **state)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);
	uint16_t port;
	int lst, c, a;
	char buf[4096];

	(void)state;
	lst = listener(&port, 8);
	tcp_pair(lst, port, &c, &a);
	memset(buf, 1, sizeof(buf));
	for (int i = 0; i < 16; i++)
		assert_int_equal(CHECK_OK(rump_sys_write(c, buf, sizeof(buf))),
		    sizeof(buf));
	for (size_t got = 0; got < 16 * sizeof(buf);)
		got += (size_t)CHECK_OK(rump_sys_read(a, buf, sizeof(buf)));
	CHECK_OK(rump_sys_getsockopt(c, IPPROTO_TCP, TCP_INFO, &ti, &len));
	assert_int_equal(ti.tcpi_state, TCP_ESTABLISHED);
	assert_true(ti.tcpi_options & TCPI_OPT_TIMESTAMPS);
	assert_true(ti.tcpi_options & TCPI_OPT_SACK);
	assert_true(ti.tcpi_options & TCPI_OPT_WSCALE);
	assert_true(ti.tcpi_snd_mss > 16000);
	assert_true(ti.tcpi_snd_cwnd >= 2);
	assert_true(ti.tcpi_rtt > 0);
	assert_int_equal(ti.tcpi_total_retrans, 0);
	assert_true(ti.tcpi_segs_out >= 2);
	assert_true(ti.tcpi_bytes_acked >= 16 * sizeof(buf));
	CHECK_OK(rump_sys_getsockopt(a, IPPROTO_TCP, TCP_INFO, &ti, &len));
	assert_true(ti.tcpi_bytes_received >= 16 * sizeof(buf));
	CHECK_OK(rump_sys_close(c));
	CHECK_OK(rump_sys_close(a));
	CHECK_OK(rump_sys_close(lst));
}

/*
 * A receiver that does not read: the sender fills its window and then
 * its buffer (EAGAIN), the advertised window reaches zero; once the
 * reader drains, the window opens again and every byte arrives.
 */
static void
tcp_zero_window(void **state)
{
	static char buf[1 << 16];
	struct tcp_info ti;
	socklen_t len = sizeof(ti);
	uint16_t port;
	size_t sent = 0, got = 0;
	int lst, c, a, fl, inq = -1, outq = -1;
	ssize_t n;

	(void)state;
	lst = listener(&port, 8);
	tcp_pair(lst, port, &c, &a);
	fl = (int)CHECK_OK(rump_sys_fcntl(c, F_GETFL, 0));
	CHECK_OK(rump_sys_fcntl(c, F_SETFL, fl | O_NONBLOCK));
	memset(buf, 'w', sizeof(buf));
	for (int tries = 0; tries < 200; tries++) {
		while ((n = rump_sys_write(c, buf, sizeof(buf))) > 0)
			sent += (size_t)n;
		assert_int_equal(errno, EAGAIN);
		short_sleep();
		if ((n = rump_sys_write(c, buf, sizeof(buf))) > 0)
			sent += (size_t)n;
		else
			break;
	}
	/* The receiver's buffer holds data, the rest waits at the sender
	 * behind the closed window. */
	CHECK_OK(rump_sys_ioctl(a, SIOCINQ, &inq));
	CHECK_OK(rump_sys_ioctl(c, SIOCOUTQ, &outq));
	assert_true(inq > 0);
	assert_true(outq > 0);
	assert_true((size_t)inq < sent && (size_t)outq < sent);
	CHECK_OK(rump_sys_getsockopt(c, IPPROTO_TCP, TCP_INFO, &ti, &len));
	assert_int_equal(ti.tcpi_state, TCP_ESTABLISHED);
	CHECK_OK(rump_sys_fcntl(c, F_SETFL, fl));
	CHECK_OK(rump_sys_shutdown(c, SHUT_WR));
	while ((n = CHECK_OK(rump_sys_read(a, buf, sizeof(buf)))) > 0)
		got += (size_t)n;
	assert_int_equal(got, sent);
	CHECK_OK(rump_sys_close(c));
	CHECK_OK(rump_sys_close(a));
	CHECK_OK(rump_sys_close(lst));
}

/* IPv6 over ::1, and an IPv4 client of a dual-stack IPv6 listener. */
static void
tcp_ipv6(void **state)
{
	struct sockaddr_in6 s6, peer;
	struct sockaddr_in sin;
	socklen_t len = sizeof(s6);
	int lst, c, a;
	char buf[8];

	(void)state;
	memset(&s6, 0, sizeof(s6));
	s6.sin6_family = AF_INET6;
	s6.sin6_addr = in6addr_any;
	lst = (int)CHECK_OK(rump_sys_socket(AF_INET6, SOCK_STREAM, 0));
	CHECK_OK(rump_sys_bind(lst, (struct sockaddr *)&s6, sizeof(s6)));
	CHECK_OK(rump_sys_listen(lst, 8));
	CHECK_OK(rump_sys_getsockname(lst, (struct sockaddr *)&s6, &len));

	s6.sin6_addr = in6addr_loopback;
	c = (int)CHECK_OK(rump_sys_socket(AF_INET6, SOCK_STREAM, 0));
	CHECK_OK(rump_sys_connect(c, (struct sockaddr *)&s6, sizeof(s6)));
	len = sizeof(peer);
	a = (int)CHECK_OK(rump_sys_accept(lst, (struct sockaddr *)&peer,
	    &len));
	assert_int_equal(peer.sin6_family, AF_INET6);
	assert_true(IN6_IS_ADDR_LOOPBACK(&peer.sin6_addr));
	assert_int_equal(CHECK_OK(rump_sys_write(c, "six", 3)), 3);
	assert_int_equal(CHECK_OK(rump_sys_read(a, buf, sizeof(buf))), 3);
	assert_memory_equal(buf, "six", 3);
	assert_int_equal(tcp_state(a), TCP_ESTABLISHED);
	/* The MSS of ::1 is lo's MTU less 60 bytes of headers (and 12 of
	 * timestamps). */
	assert_true(get_int(c, IPPROTO_TCP, TCP_MAXSEG) > 16000);
	CHECK_OK(rump_sys_close(c));
	CHECK_OK(rump_sys_close(a));

	/* IPv4 to the same port: accepted as a v4-mapped peer. */
	sin = lo_addr(ntohs(s6.sin6_port));
	c = tcp_socket();
	CHECK_OK(rump_sys_connect(c, (struct sockaddr *)&sin, sizeof(sin)));
	len = sizeof(peer);
	a = (int)CHECK_OK(rump_sys_accept(lst, (struct sockaddr *)&peer,
	    &len));
	assert_int_equal(peer.sin6_family, AF_INET6);
	assert_true(IN6_IS_ADDR_V4MAPPED(&peer.sin6_addr));
	assert_int_equal(CHECK_OK(rump_sys_write(a, "four", 4)), 4);
	assert_int_equal(CHECK_OK(rump_sys_read(c, buf, sizeof(buf))), 4);
	assert_memory_equal(buf, "four", 4);
	CHECK_OK(rump_sys_close(c));
	CHECK_OK(rump_sys_close(a));
	CHECK_OK(rump_sys_close(lst));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tcp_options),
		cmocka_unit_test(tcp_maxseg_negotiated),
		cmocka_unit_test(tcp_queue_ioctls),
		cmocka_unit_test(tcp_info_counters),
		cmocka_unit_test(tcp_zero_window),
		cmocka_unit_test(tcp_ipv6),
	};

	if (test_kernel_init("tcp_opt") != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
