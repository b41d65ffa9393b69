/*
 * tcp_helpers.h: the small socket helpers of the TCP tests (test_tcp.c,
 * test_tcp_opt.c, test_tcp_loss.c, test_tcp_rst.c): loopback addresses,
 * listeners and connected pairs, TCP_INFO states, integer options.  Each
 * stops the test on a failed call (CHECK_OK).  Include after compat.h.
 */
#ifndef TESTS_UNIT_TCP_HELPERS_H
#define TESTS_UNIT_TCP_HELPERS_H

#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <linux/tcp.h>
#include <sys/socket.h>

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

static inline void
short_sleep(void)
{
	struct timespec ts = { 0, 2 * 1000 * 1000 };

	nanosleep(&ts, NULL);
}

static inline struct sockaddr_in
lo_addr(uint16_t port)
{
	struct sockaddr_in sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sin;
}

static inline uint16_t
port_of(int s)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);

	CHECK_OK(rump_sys_getsockname(s, (struct sockaddr *)&sin, &len));
	return ntohs(sin.sin_port);
}

static inline int
tcp_socket(void)
{
	return (int)CHECK_OK(rump_sys_socket(AF_INET, SOCK_STREAM, 0));
}

/* A listener on 127.0.0.1 with an ephemeral port. */
static inline int
listener(uint16_t *portp, int backlog)
{
	struct sockaddr_in sin = lo_addr(0);
	int s = tcp_socket();

	CHECK_OK(rump_sys_bind(s, (struct sockaddr *)&sin, sizeof(sin)));
	CHECK_OK(rump_sys_listen(s, backlog));
	*portp = port_of(s);
	return s;
}

static inline int
connect_to(uint16_t port)
{
	struct sockaddr_in sin = lo_addr(port);
	int s = tcp_socket();

	CHECK_OK(rump_sys_connect(s, (struct sockaddr *)&sin, sizeof(sin)));
	return s;
}

/* A connected pair: *cp the client, *ap the accepted end. */
static inline void
tcp_pair(int lst, uint16_t port, int *cp, int *ap)
{
	*cp = connect_to(port);
	*ap = (int)CHECK_OK(rump_sys_accept(lst, NULL, NULL));
}

static inline int
tcp_state(int s)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	memset(&ti, 0, sizeof(ti));
	CHECK_OK(rump_sys_getsockopt(s, IPPROTO_TCP, TCP_INFO, &ti, &len));
	return ti.tcpi_state;
}

/* Waits (bounded) for a socket to reach a state; returns the last one. */
static inline int
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

static inline int
sock_error(int s)
{
	int err = -1;
	socklen_t len = sizeof(err);

	CHECK_OK(rump_sys_getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len));
	return err;
}

static inline void
set_int(int s, int level, int name, int v)
{
	CHECK_OK(rump_sys_setsockopt(s, level, name, &v, sizeof(v)));
}

static inline int
get_int(int s, int level, int name)
{
	int v = -1;
	socklen_t len = sizeof(v);

	CHECK_OK(rump_sys_getsockopt(s, level, name, &v, &len));
	return v;
}

static inline void
linger0(int s)
{
	struct linger l = { 1, 0 };

	CHECK_OK(rump_sys_setsockopt(s, SOL_SOCKET, SO_LINGER, &l, sizeof(l)));
}

#endif /* TESTS_UNIT_TCP_HELPERS_H */
