/*
 * test_tcp.c: TCP over the loopback as a user sees it: the states
 * through TCP_INFO (handshake, half-close, the active closer's TIME_WAIT
 * seen through the port it holds, RST), the error paths of connect,
 * bind, send and recv (ECONNREFUSED, EADDRINUSE, ENOTCONN, EISCONN,
 * EINPROGRESS + SO_ERROR, ECONNRESET, EPIPE), a 256 MiB transfer between
 * two threads checked byte for byte, large reads and writes racing
 * shutdown(SHUT_RD / SHUT_WR),
 * and 1000 connections opened and
 * closed (options and ioctls are in test_tcp_opt.c).  The same source runs against the host (TEST_ON_HOST),
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

#include "tcp_helpers.h"

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

/* One writer in large writes of a counted pattern (byte at offset o is
 * o % 251), and one thread that shuts one side (how) after 5 ms. */
struct race {
	int fd, how;
	size_t sent;
};

static void *
race_writer(void *arg)
{
	struct race *r = arg;
	uint8_t *buf = malloc(BULK_CHUNK);

	assert_non_null(buf);
	r->sent = 0;
	while (r->sent < ((size_t)256 << 20)) {
		ssize_t n;

		for (size_t i = 0; i < BULK_CHUNK; i++)
			buf[i] = (uint8_t)((r->sent + i) % 251);
		n = rump_sys_sendto(r->fd, buf, BULK_CHUNK, MSG_NOSIGNAL,
		    NULL, 0);
		if (n <= 0)
			break;
		r->sent += (size_t)n;
	}
	free(buf);
	return NULL;
}

static void *
race_shutter(void *arg)
{
	struct race *r = arg;

	usleep(5000);
	CHECK_OK(rump_sys_shutdown(r->fd, r->how));
	return NULL;
}

/*
 * A reader taking large chunks while another thread shuts the socket's
 * reading side: the flush that shutdown makes meets reads in progress
 * and must leave the socket sound.  Ends by the read's 0, or by 64 MiB.
 */
static void
tcp_read_shutdown_race(void **state)
{
	uint8_t *buf = malloc(BULK_CHUNK);
	uint16_t port;
	int lst;

	(void)state;
	assert_non_null(buf);
	lst = listener(&port, 8);
	for (int round = 0; round < 4; round++) {
		struct race w, s;
		pthread_t tw, ts;
		size_t total = 0;
		ssize_t n;
		int c, a;

		tcp_pair(lst, port, &c, &a);
		w.fd = c;
		s.fd = a;
		s.how = SHUT_RD;
		assert_int_equal(pthread_create(&tw, NULL, race_writer, &w), 0);
		assert_int_equal(pthread_create(&ts, NULL, race_shutter, &s),
		    0);
		while (total < ((size_t)64 << 20) &&
		    (n = rump_sys_read(a, buf, BULK_CHUNK)) > 0)
			total += (size_t)n;
		assert_int_equal(pthread_join(ts, NULL), 0);
		CHECK_OK(rump_sys_close(a));	/* the writer's end: a reset */
		assert_int_equal(pthread_join(tw, NULL), 0);
		CHECK_OK(rump_sys_close(c));
	}
	free(buf);
	CHECK_OK(rump_sys_close(lst));
}

/*
 * A writer in large writes while another thread shuts its sending side:
 * what the writes returned is exactly what the reader gets, in order:
 * nothing counted that was not sent, nothing sent twice.
 */
static void
tcp_write_shutdown_race(void **state)
{
	uint8_t *buf = malloc(BULK_CHUNK);
	uint16_t port;
	int lst;

	(void)state;
	assert_non_null(buf);
	lst = listener(&port, 8);
	for (int round = 0; round < 4; round++) {
		struct race w;
		pthread_t tw, ts;
		size_t got = 0;
		ssize_t n;
		int c, a;

		tcp_pair(lst, port, &c, &a);
		w.fd = c;
		w.how = SHUT_WR;
		assert_int_equal(pthread_create(&tw, NULL, race_writer, &w),
		    0);
		assert_int_equal(pthread_create(&ts, NULL, race_shutter, &w),
		    0);
		while ((n = rump_sys_read(a, buf, BULK_CHUNK)) > 0) {
			for (ssize_t i = 0; i < n; i++)
				if (buf[i] != (uint8_t)((got + (size_t)i) %
				    251))
					fail_msg("byte %zu is wrong",
					    got + (size_t)i);
			got += (size_t)n;
		}
		assert_int_equal(n, 0);
		assert_int_equal(pthread_join(ts, NULL), 0);
		assert_int_equal(pthread_join(tw, NULL), 0);
		assert_int_equal(got, w.sent);
		CHECK_OK(rump_sys_close(c));
		CHECK_OK(rump_sys_close(a));
	}
	free(buf);
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
		cmocka_unit_test(tcp_bulk_256m),
		cmocka_unit_test(tcp_read_shutdown_race),
		cmocka_unit_test(tcp_write_shutdown_race),
		cmocka_unit_test(tcp_connect_loop),
	};

	if (test_kernel_init("tcp") != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
