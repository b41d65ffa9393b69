/*
 * test_tcp.c: TCP over the loopback as a user sees it: the states
 * through TCP_INFO (handshake, half-close, the active closer's TIME_WAIT
 * seen through the port it holds, RST), the error paths of connect,
 * bind, send and recv (ECONNREFUSED, EADDRINUSE, ENOTCONN, EISCONN,
 * EINPROGRESS + SO_ERROR, ECONNRESET, EPIPE), options (TCP_NODELAY,
 * TCP_CORK, TCP_MAXSEG, TCP_KEEP*, TCP_CONGESTION, TCP_USER_TIMEOUT),
 * SIOCINQ/SIOCOUTQ, and a 256 MiB transfer between two threads checked
 * byte for byte.  The same source runs against the host (TEST_ON_HOST),
 * the reference for every answer; where Linux keeps TIME_WAIT off the
 * socket (it reports TCP_CLOSE) this kernel does the same.
 */
#include "compat.h"

#include <pthread.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <linux/tcp.h>
#include <sys/socket.h>
#include <linux/sockios.h>

#include "tcp_compat.h"

/* tcpi_state values (Linux's include/net/tcp_states.h). */
enum {
	TCP_ESTABLISHED = 1, TCP_SYN_SENT, TCP_SYN_RECV, TCP_FIN_WAIT1,
	TCP_FIN_WAIT2, TCP_TIME_WAIT, TCP_CLOSE, TCP_CLOSE_WAIT, TCP_LAST_ACK,
	TCP_LISTEN, TCP_CLOSING
};
#ifndef MIN
#define MIN(a, b)	((a) < (b) ? (a) : (b))
#endif

/* --- helpers ---------------------------------------------------------------- */

static void
short_sleep(void)
{
	struct timespec ts = { 0, 2 * 1000 * 1000 };

	nanosleep(&ts, NULL);
}

static struct sockaddr_in
lo_addr(uint16_t port)
{
	struct sockaddr_in sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sin;
}

static uint16_t
port_of(int s)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);

	CHECK_OK(rump_sys_getsockname(s, (struct sockaddr *)&sin, &len));
	return ntohs(sin.sin_port);
}

static int
tcp_socket(void)
{
	return (int)CHECK_OK(rump_sys_socket(AF_INET, SOCK_STREAM, 0));
}

/* A listener on 127.0.0.1 with an ephemeral port. */
static int
listener(uint16_t *portp, int backlog)
{
	struct sockaddr_in sin = lo_addr(0);
	int s = tcp_socket();

	CHECK_OK(rump_sys_bind(s, (struct sockaddr *)&sin, sizeof(sin)));
	CHECK_OK(rump_sys_listen(s, backlog));
	*portp = port_of(s);
	return s;
}

static int
connect_to(uint16_t port)
{
	struct sockaddr_in sin = lo_addr(port);
	int s = tcp_socket();

	CHECK_OK(rump_sys_connect(s, (struct sockaddr *)&sin, sizeof(sin)));
	return s;
}

/* A connected pair: *cp the client, *ap the accepted end. */
static void
tcp_pair(int lst, uint16_t port, int *cp, int *ap)
{
	*cp = connect_to(port);
	*ap = (int)CHECK_OK(rump_sys_accept(lst, NULL, NULL));
}

static int
tcp_state(int s)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	memset(&ti, 0, sizeof(ti));
	CHECK_OK(rump_sys_getsockopt(s, IPPROTO_TCP, TCP_INFO, &ti, &len));
	return ti.tcpi_state;
}

/* Waits (bounded) for a socket to reach a state; returns the last one. */
static int
wait_state(int s, int want)
{
	int st = -1, i;

	for (i = 0; i < 2000; i++) {
		if ((st = tcp_state(s)) == want)
			break;
		short_sleep();
	}
	return st;
}

static int
sock_error(int s)
{
	int err = -1;
	socklen_t len = sizeof(err);

	CHECK_OK(rump_sys_getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len));
	return err;
}

static void
set_int(int s, int level, int name, int v)
{
	CHECK_OK(rump_sys_setsockopt(s, level, name, &v, sizeof(v)));
}

static int
get_int(int s, int level, int name)
{
	int v = -1;
	socklen_t len = sizeof(v);

	CHECK_OK(rump_sys_getsockopt(s, level, name, &v, &len));
	return v;
}

static void
linger0(int s)
{
	struct linger l = { 1, 0 };

	CHECK_OK(rump_sys_setsockopt(s, SOL_SOCKET, SO_LINGER, &l, sizeof(l)));
}

/* --- states ------------------------------------------------------------------ */

static void
tcp_states_close(void **state)
{
	uint16_t port;
	int lst, c, a;
	char buf[8];

	(void)state;
	lst = listener(&port, 8);
	assert_int_equal(tcp_state(lst), TCP_LISTEN);
	tcp_pair(lst, port, &c, &a);
	assert_int_equal(wait_state(c, TCP_ESTABLISHED), TCP_ESTABLISHED);
	assert_int_equal(tcp_state(a), TCP_ESTABLISHED);

	/* Half-close: the client's FIN, data still flows the other way. */
	CHECK_OK(rump_sys_shutdown(c, SHUT_WR));
	assert_int_equal(wait_state(c, TCP_FIN_WAIT2), TCP_FIN_WAIT2);
	assert_int_equal(wait_state(a, TCP_CLOSE_WAIT), TCP_CLOSE_WAIT);
	assert_int_equal(CHECK_OK(rump_sys_read(a, buf, sizeof(buf))), 0);
	assert_int_equal(CHECK_OK(rump_sys_write(a, "late", 4)), 4);
	assert_int_equal(CHECK_OK(rump_sys_read(c, buf, sizeof(buf))), 4);
	assert_memory_equal(buf, "late", 4);
	CHECK_ERR(rump_sys_sendto(c, "x", 1, MSG_NOSIGNAL, NULL, 0), EPIPE);

	/* The server's close: LAST_ACK, then gone; the client holds
	 * TIME_WAIT in the port table (Linux reports the socket closed). */
	CHECK_OK(rump_sys_close(a));
	assert_int_equal(CHECK_OK(rump_sys_read(c, buf, sizeof(buf))), 0);
	assert_int_equal(wait_state(c, TCP_CLOSE), TCP_CLOSE);
	CHECK_OK(rump_sys_close(c));
	CHECK_OK(rump_sys_close(lst));
}

/* The active closer's TIME_WAIT keeps its port from a plain bind. */
static void
tcp_time_wait_port(void **state)
{
	struct sockaddr_in sin;
	uint16_t port, cport;
	int lst, c, a, s;
	char buf[4];

	(void)state;
	lst = listener(&port, 8);
	/* Linux lets a TIME_WAIT port go to SO_REUSEADDR only if the old
	 * socket had it too. */
	c = tcp_socket();
	set_int(c, SOL_SOCKET, SO_REUSEADDR, 1);
	sin = lo_addr(port);
	CHECK_OK(rump_sys_connect(c, (struct sockaddr *)&sin, sizeof(sin)));
	a = (int)CHECK_OK(rump_sys_accept(lst, NULL, NULL));
	cport = port_of(c);
	CHECK_OK(rump_sys_close(c));		/* active close: FIN first */
	assert_int_equal(CHECK_OK(rump_sys_read(a, buf, sizeof(buf))), 0);
	CHECK_OK(rump_sys_close(a));		/* their FIN: we TIME_WAIT */
	short_sleep();
	sin = lo_addr(cport);
	s = tcp_socket();
	CHECK_ERR(rump_sys_bind(s, (struct sockaddr *)&sin, sizeof(sin)),
	    EADDRINUSE);
	CHECK_OK(rump_sys_close(s));
	/* SO_REUSEADDR may take a port held only by TIME_WAIT. */
	s = tcp_socket();
	set_int(s, SOL_SOCKET, SO_REUSEADDR, 1);
	CHECK_OK(rump_sys_bind(s, (struct sockaddr *)&sin, sizeof(sin)));
	CHECK_OK(rump_sys_close(s));
	CHECK_OK(rump_sys_close(lst));
}

/*
 * RFC 6191: the server closed first and holds TIME_WAIT for the 4-tuple;
 * the same client port connecting again (newer timestamp and sequence
 * number) takes the tuple over instead of being refused.
 */
static void
tcp_time_wait_reuse(void **state)
{
	struct sockaddr_in sin, me;
	uint16_t port, cport;
	int lst, c, a;
	char buf[4];

	(void)state;
	lst = listener(&port, 8);
	tcp_pair(lst, port, &c, &a);
	cport = port_of(c);
	CHECK_OK(rump_sys_close(a));		/* server: active close */
	assert_int_equal(CHECK_OK(rump_sys_read(c, buf, sizeof(buf))), 0);
	CHECK_OK(rump_sys_close(c));		/* client: LAST_ACK, gone */
	short_sleep();
	for (int round = 0; round < 2; round++) {
		c = tcp_socket();
		set_int(c, SOL_SOCKET, SO_REUSEADDR, 1);
		me = lo_addr(cport);
		CHECK_OK(rump_sys_bind(c, (struct sockaddr *)&me, sizeof(me)));
		sin = lo_addr(port);
		CHECK_OK(rump_sys_connect(c, (struct sockaddr *)&sin,
		    sizeof(sin)));
		a = (int)CHECK_OK(rump_sys_accept(lst, NULL, NULL));
		assert_int_equal(CHECK_OK(rump_sys_write(c, "re", 2)), 2);
		assert_int_equal(CHECK_OK(rump_sys_read(a, buf, sizeof(buf))),
		    2);
		CHECK_OK(rump_sys_close(a));
		assert_int_equal(CHECK_OK(rump_sys_read(c, buf, sizeof(buf))),
		    0);
		CHECK_OK(rump_sys_close(c));
		short_sleep();
	}
	CHECK_OK(rump_sys_close(lst));
}

/* Simultaneous close: both FINs cross; both ends end up closed. */
static void
tcp_both_close(void **state)
{
	uint16_t port;
	int lst, c, a;
	char buf[4];

	(void)state;
	lst = listener(&port, 8);
	tcp_pair(lst, port, &c, &a);
	CHECK_OK(rump_sys_shutdown(c, SHUT_WR));
	CHECK_OK(rump_sys_shutdown(a, SHUT_WR));
	assert_int_equal(CHECK_OK(rump_sys_read(a, buf, sizeof(buf))), 0);
	assert_int_equal(CHECK_OK(rump_sys_read(c, buf, sizeof(buf))), 0);
	assert_int_equal(wait_state(c, TCP_CLOSE), TCP_CLOSE);
	assert_int_equal(wait_state(a, TCP_CLOSE), TCP_CLOSE);
	CHECK_OK(rump_sys_close(c));
	CHECK_OK(rump_sys_close(a));
	CHECK_OK(rump_sys_close(lst));
}

/* SO_LINGER 0: RST; the peer's read says ECONNRESET, then EPIPE. */
static void
tcp_reset(void **state)
{
	uint16_t port;
	int lst, c, a;
	char buf[4];

	(void)state;
	lst = listener(&port, 8);
	tcp_pair(lst, port, &c, &a);
	linger0(a);
	CHECK_OK(rump_sys_close(a));
	assert_int_equal(wait_state(c, TCP_CLOSE), TCP_CLOSE);
	CHECK_ERR(rump_sys_read(c, buf, sizeof(buf)), ECONNRESET);
	CHECK_ERR(rump_sys_sendto(c, "x", 1, MSG_NOSIGNAL, NULL, 0), EPIPE);
	assert_int_equal(CHECK_OK(rump_sys_read(c, buf, sizeof(buf))), 0);
	CHECK_OK(rump_sys_close(c));

	/* Closing with unread data resets as well (RFC 9293 3.10.4). */
	tcp_pair(lst, port, &c, &a);
	assert_int_equal(CHECK_OK(rump_sys_write(c, "data", 4)), 4);
	short_sleep();
	CHECK_OK(rump_sys_close(a));
	assert_int_equal(wait_state(c, TCP_CLOSE), TCP_CLOSE);
	CHECK_ERR(rump_sys_read(c, buf, sizeof(buf)), ECONNRESET);
	CHECK_OK(rump_sys_close(c));
	CHECK_OK(rump_sys_close(lst));
}

/* --- errors ---------------------------------------------------------------- */

static void
tcp_connect_errors(void **state)
{
	struct sockaddr_in sin;
	struct pollfd pfd;
	uint16_t port;
	int lst, s, c, a;

	(void)state;
	/* A port nobody listens on: RST to the SYN. */
	lst = listener(&port, 8);
	CHECK_OK(rump_sys_close(lst));
	sin = lo_addr(port);
	s = tcp_socket();
	CHECK_ERR(rump_sys_connect(s, (struct sockaddr *)&sin, sizeof(sin)),
	    ECONNREFUSED);
	CHECK_OK(rump_sys_close(s));

	/* Non-blocking: EINPROGRESS, then the error in SO_ERROR. */
	s = (int)CHECK_OK(rump_sys_socket(AF_INET, SOCK_STREAM |
	    SOCK_NONBLOCK, 0));
	CHECK_ERR(rump_sys_connect(s, (struct sockaddr *)&sin, sizeof(sin)),
	    EINPROGRESS);
	pfd.fd = s;
	pfd.events = POLLOUT;
	assert_int_equal(CHECK_OK(rump_sys_poll(&pfd, 1, 5000)), 1);
	assert_int_equal(sock_error(s), ECONNREFUSED);
	assert_int_equal(sock_error(s), 0);
	CHECK_OK(rump_sys_close(s));

	/* Non-blocking to a listener: EINPROGRESS, then connected. */
	lst = listener(&port, 8);
	sin = lo_addr(port);
	s = (int)CHECK_OK(rump_sys_socket(AF_INET, SOCK_STREAM |
	    SOCK_NONBLOCK, 0));
	CHECK_ERR(rump_sys_connect(s, (struct sockaddr *)&sin, sizeof(sin)),
	    EINPROGRESS);
	pfd.fd = s;
	pfd.events = POLLOUT;
	assert_int_equal(CHECK_OK(rump_sys_poll(&pfd, 1, 5000)), 1);
	assert_int_equal(sock_error(s), 0);
	/* Linux: the next connect reports the finished one, then EISCONN. */
	CHECK_OK(rump_sys_connect(s, (struct sockaddr *)&sin, sizeof(sin)));
	CHECK_ERR(rump_sys_connect(s, (struct sockaddr *)&sin, sizeof(sin)),
	    EISCONN);
	a = (int)CHECK_OK(rump_sys_accept(lst, NULL, NULL));
	CHECK_OK(rump_sys_close(a));
	CHECK_OK(rump_sys_close(s));

	/* Blocking connect twice. */
	tcp_pair(lst, port, &c, &a);
	CHECK_ERR(rump_sys_connect(c, (struct sockaddr *)&sin, sizeof(sin)),
	    EISCONN);
	CHECK_OK(rump_sys_close(c));
	CHECK_OK(rump_sys_close(a));
	CHECK_OK(rump_sys_close(lst));
}

static void
tcp_bind_errors(void **state)
{
	struct sockaddr_in sin;
	uint16_t port;
	int lst, s;

	(void)state;
	lst = listener(&port, 8);
	sin = lo_addr(port);
	s = tcp_socket();
	CHECK_ERR(rump_sys_bind(s, (struct sockaddr *)&sin, sizeof(sin)),
	    EADDRINUSE);
	/* SO_REUSEADDR does not share a port with a listener. */
	set_int(s, SOL_SOCKET, SO_REUSEADDR, 1);
	CHECK_ERR(rump_sys_bind(s, (struct sockaddr *)&sin, sizeof(sin)),
	    EADDRINUSE);
	CHECK_OK(rump_sys_close(s));
	/* Bound twice. */
	s = tcp_socket();
	sin = lo_addr(0);
	CHECK_OK(rump_sys_bind(s, (struct sockaddr *)&sin, sizeof(sin)));
	CHECK_ERR(rump_sys_bind(s, (struct sockaddr *)&sin, sizeof(sin)),
	    EINVAL);
	CHECK_OK(rump_sys_close(s));
	CHECK_OK(rump_sys_close(lst));
}

static void
tcp_unconnected(void **state)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	char buf[4];
	int s;

	(void)state;
	s = tcp_socket();
	CHECK_ERR(rump_sys_read(s, buf, sizeof(buf)), ENOTCONN);
	CHECK_ERR(rump_sys_getpeername(s, (struct sockaddr *)&sin, &len),
	    ENOTCONN);
	CHECK_ERR(rump_sys_sendto(s, "x", 1, MSG_NOSIGNAL, NULL, 0), EPIPE);
	CHECK_ERR(rump_sys_shutdown(s, SHUT_WR), ENOTCONN);
	CHECK_ERR(rump_sys_accept(s, NULL, NULL), EINVAL);
	CHECK_OK(rump_sys_close(s));
}

/* --- options and ioctls --------------------------------------------------- */

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

/* --- bulk ---------------------------------------------------------------- */

#define BULK_BYTES	(256u << 20)
#define BULK_CHUNK	(256u << 10)

struct bulk {
	int fd;
	uint64_t sum;
	size_t bytes;
};

/* A byte stream anyone can regenerate: xorshift from a seed. */
static void
fill_pattern(uint8_t *p, size_t n, uint64_t *st)
{
	uint64_t x = *st;

	for (size_t i = 0; i < n; i += 8) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		memcpy(p + i, &x, MIN(8, n - i));
	}
	*st = x;
}

static uint64_t
fnv(uint64_t h, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static void *
bulk_writer(void *arg)
{
	struct bulk *b = arg;
	uint8_t *buf = malloc(BULK_CHUNK);
	uint64_t st = 0x1234567, h = 0xcbf29ce484222325ULL;
	size_t off, done = 0;

	assert_non_null(buf);
	while (done < BULK_BYTES) {
		fill_pattern(buf, BULK_CHUNK, &st);
		h = fnv(h, buf, BULK_CHUNK);
		for (off = 0; off < BULK_CHUNK;) {
			ssize_t n = rump_sys_write(b->fd, buf + off,
			    BULK_CHUNK - off);

			if (n <= 0)
				goto out;
			off += (size_t)n;
		}
		done += BULK_CHUNK;
	}
out:
	b->sum = h;
	b->bytes = done;
	CHECK_OK(rump_sys_shutdown(b->fd, SHUT_WR));
	free(buf);
	return NULL;
}

static void
tcp_bulk_256m(void **state)
{
	struct bulk w;
	pthread_t t;
	uint16_t port;
	uint8_t *buf = malloc(BULK_CHUNK);
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t total = 0;
	int lst, c, a;
	ssize_t n;

	(void)state;
	assert_non_null(buf);
	lst = listener(&port, 8);
	tcp_pair(lst, port, &c, &a);
	w.fd = c;
	assert_int_equal(pthread_create(&t, NULL, bulk_writer, &w), 0);
	while ((n = rump_sys_read(a, buf, BULK_CHUNK)) > 0) {
		h = fnv(h, buf, (size_t)n);
		total += (size_t)n;
	}
	assert_int_equal(n, 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(w.bytes, BULK_BYTES);
	assert_int_equal(total, BULK_BYTES);
	assert_true(h == w.sum);
	free(buf);
	CHECK_OK(rump_sys_close(c));
	CHECK_OK(rump_sys_close(a));
	CHECK_OK(rump_sys_close(lst));
}

/* --- many connections -------------------------------------------------------- */

/* 1000 connections opened and closed: descriptors come back; TIME_WAIT
 * stays with the active closer's pcb, not a descriptor. */
static void
tcp_connect_loop(void **state)
{
	uint16_t port;
	int lst, c, a, first, s;
	char buf[8], before[32];

	(void)state;
	(void)before;
#ifndef TEST_ON_HOST
	/* TIME_WAIT for 20 ms here, so the pcbs can be seen to go. */
	char saved[32], now[32];

	get_file("/proc/sys/net/ipv4/tcp_msl_ms", saved, sizeof(saved));
	put_file("/proc/sys/net/ipv4/tcp_msl_ms", "10");
	get_file("/proc/sys/net/ipv4/tcp_pcbs", before, sizeof(before));
#endif
	lst = listener(&port, 64);
	first = tcp_socket();
	CHECK_OK(rump_sys_close(first));
	for (int i = 0; i < 1000; i++) {
		tcp_pair(lst, port, &c, &a);
		assert_int_equal(CHECK_OK(rump_sys_write(c, "ping", 4)), 4);
		assert_int_equal(CHECK_OK(rump_sys_read(a, buf, 4)), 4);
		/* The server closes first, as an HTTP server does. */
		CHECK_OK(rump_sys_close(a));
		assert_int_equal(CHECK_OK(rump_sys_read(c, buf, 4)), 0);
		CHECK_OK(rump_sys_close(c));
	}
	s = tcp_socket();
	assert_int_equal(s, first);
	CHECK_OK(rump_sys_close(s));
	CHECK_OK(rump_sys_close(lst));
#ifndef TEST_ON_HOST
	/* Every connection's pcb is gone once TIME_WAIT ran out. */
	for (int i = 0; i < 2000; i++) {
		get_file("/proc/sys/net/ipv4/tcp_pcbs", now, sizeof(now));
		if (strcmp(now, before) == 0)
			break;
		short_sleep();
	}
	assert_string_equal(now, before);
	put_file("/proc/sys/net/ipv4/tcp_msl_ms", saved);
#endif
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tcp_states_close),
		cmocka_unit_test(tcp_time_wait_port),
		cmocka_unit_test(tcp_time_wait_reuse),
		cmocka_unit_test(tcp_both_close),
		cmocka_unit_test(tcp_reset),
		cmocka_unit_test(tcp_connect_errors),
		cmocka_unit_test(tcp_bind_errors),
		cmocka_unit_test(tcp_unconnected),
		cmocka_unit_test(tcp_options),
		cmocka_unit_test(tcp_maxseg_negotiated),
		cmocka_unit_test(tcp_queue_ioctls),
		cmocka_unit_test(tcp_info_counters),
		cmocka_unit_test(tcp_zero_window),
		cmocka_unit_test(tcp_ipv6),
		cmocka_unit_test(tcp_bulk_256m),
		cmocka_unit_test(tcp_connect_loop),
	};

	if (test_kernel_init("tcp") != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
