/*
 * test_tcp_loss.c: TCP under deterministic loss on the loopback, through
 * lo's test-only fault hook (net.lo.fault.* under /proc/sys): chosen
 * segments of one port are dropped, duplicated, held back (reordered) or
 * delayed; transfers still arrive byte for byte, and TCP_INFO's counters
 * say why (retransmissions, out-of-order arrivals).  Also the lost SYN
 * (retransmitted after the initial RTO), EALREADY while a SYN is
 * outstanding, and TCP_USER_TIMEOUT giving up on a dead peer.  Only a
 * rump kernel has the hook: every case is HOST_INVALID.
 */
#include "compat.h"

#include <pthread.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <linux/tcp.h>
#include <sys/socket.h>

#include "tcp_helpers.h"

#define FAULT	"/proc/sys/net/lo/fault/"

enum { F_NONE, F_DROP, F_DUP, F_HOLD, F_DELAY };

static void
fault_param(const char *name, unsigned long v)
{
	char path[128], val[32];

	snprintf(path, sizeof(path), FAULT "%s", name);
	snprintf(val, sizeof(val), "%lu", v);
	put_file(path, val);
}

/* Acts on the nth segment of port (either direction), then every
 * `every`th, at most count times; written last, action arms it. */
static void
fault_set(int action, uint16_t port, unsigned nth, unsigned every,
    unsigned count, unsigned arg)
{
	fault_param("proto", IPPROTO_TCP);
	fault_param("port", port);
	fault_param("nth", nth);
	fault_param("every", every);
	fault_param("count", count);
	fault_param("arg", arg);
	fault_param("action", (unsigned long)action);
}

static unsigned long
fault_hits(void)
{
	char buf[32];

	get_file(FAULT "hits", buf, sizeof(buf));
	return strtoul(buf, NULL, 10);
}

static void
fault_clear(void)
{
	fault_param("action", F_NONE);
}

static void
info(int s, struct tcp_info *ti)
{
	socklen_t len = sizeof(*ti);

	memset(ti, 0, sizeof(*ti));
	CHECK_OK(rump_sys_getsockopt(s, IPPROTO_TCP, TCP_INFO, ti, &len));
}

/* --- a checked transfer ------------------------------------------------------ */

#define XFER_CHUNK	(64u << 10)

struct xfer {
	int fd;
	size_t bytes;
	uint64_t sum;
};

static uint8_t
pattern(size_t off)
{
	return (uint8_t)(off * 2654435761u >> 13);
}

static void *
writer(void *arg)
{
	struct xfer *x = arg;
	uint8_t *buf = malloc(XFER_CHUNK);
	size_t done = 0, i, off;

	assert_non_null(buf);
	while (done < x->bytes) {
		size_t n = MIN(XFER_CHUNK, x->bytes - done);

		for (i = 0; i < n; i++)
			buf[i] = pattern(done + i);
		for (off = 0; off < n;) {
			ssize_t w = rump_sys_write(x->fd, buf + off, n - off);

			if (w <= 0) {
				free(buf);
				return NULL;
			}
			off += (size_t)w;
		}
		done += n;
	}
	CHECK_OK(rump_sys_shutdown(x->fd, SHUT_WR));
	free(buf);
	return NULL;
}

/* Sends bytes from c to a in a thread; asserts every byte arrived right. */
static void
transfer(int c, int a, size_t bytes)
{
	struct xfer x = { c, bytes, 0 };
	uint8_t *buf = malloc(XFER_CHUNK);
	size_t got = 0, i, bad = 0;
	pthread_t t;
	ssize_t n;

	assert_non_null(buf);
	assert_int_equal(pthread_create(&t, NULL, writer, &x), 0);
	while ((n = rump_sys_read(a, buf, XFER_CHUNK)) > 0) {
		for (i = 0; i < (size_t)n; i++)
			if (buf[i] != pattern(got + i))
				bad++;
		got += (size_t)n;
	}
	assert_int_equal(n, 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(got, bytes);
	assert_int_equal(bad, 0);
	free(buf);
}

/* --- cases ---------------------------------------------------------------- */

/*
 * Three small segments, the first lost: sending and delivery happen in
 * the writer's thread (lo's queue), so the order on the wire is fixed.
 * The second arrives out of order (a SACK says so); the first comes
 * again after the retransmission timeout.
 */
static void
loss_single_drop(void **state)
{
	struct tcp_info tc, ta;
	char out[3000], in[3000];
	uint16_t port;
	size_t got = 0;
	int lst, c, a, one = 1;

	(void)state;
	HOST_INVALID();
	lst = listener(&port, 8);
	tcp_pair(lst, port, &c, &a);
	CHECK_OK(rump_sys_setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one,
	    sizeof(one)));
	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = (char)pattern(i);
	fault_set(F_DROP, port, 1, 0, 1, 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(CHECK_OK(rump_sys_write(c, out + 1000 * i,
		    1000)), 1000);
	while (got < sizeof(in))
		got += (size_t)CHECK_OK(rump_sys_read(a, in + got,
		    sizeof(in) - got));
	assert_memory_equal(in, out, sizeof(out));
	assert_int_equal(fault_hits(), 1);
	fault_clear();
	info(c, &tc);
	info(a, &ta);
	assert_true(tc.tcpi_total_retrans >= 1);
	assert_true(tc.tcpi_bytes_retrans >= 1000);
	assert_true(ta.tcpi_rcv_ooopack >= 1);
	CHECK_OK(rump_sys_close(c));
	CHECK_OK(rump_sys_close(a));
	CHECK_OK(rump_sys_close(lst));
}

/* Data segments only (c -> a) lost, several: SACK recovery retransmits. */
static void
loss_many_drops_sack(void **state)
{
	struct tcp_info tc, ta;
	uint16_t port;
	int lst, c, a;

	(void)state;
	HOST_INVALID();
	lst = listener(&port, 8);
	tcp_pair(lst, port, &c, &a);
	fault_set(F_DROP, port, 4, 9, 8, 0);
	transfer(c, a, 16u << 20);
	assert_true(fault_hits() >= 1);
	fault_clear();
	info(c, &tc);
	info(a, &ta);
	assert_true(tc.tcpi_options & TCPI_OPT_SACK);
	assert_true(tc.tcpi_total_retrans >= 1);
	assert_true(tc.tcpi_bytes_retrans > 0);
	/* The receiver saw holes: data out of order, reported in SACKs. */
	assert_true(ta.tcpi_rcv_ooopack >= 1);
	CHECK_OK(rump_sys_close(c));
	CHECK_OK(rump_sys_close(a));
	CHECK_OK(rump_sys_close(lst));
}

static void
loss_duplicates(void **state)
{
	uint16_t port;
	int lst, c, a;

	(void)state;
	HOST_INVALID();
	lst = listener(&port, 8);
	tcp_pair(lst, port, &c, &a);
	fault_set(F_DUP, port, 3, 3, 0, 0);
	transfer(c, a, 8u << 20);
	assert_true(fault_hits() >= 10);
	fault_clear();
	CHECK_OK(rump_sys_close(c));
	CHECK_OK(rump_sys_close(a));
	CHECK_OK(rump_sys_close(lst));
}

static void
loss_reorder(void **state)
{
	struct tcp_info ta;
	uint16_t port;
	int lst, c, a;

	(void)state;
	HOST_INVALID();
	lst = listener(&port, 8);
	tcp_pair(lst, port, &c, &a);
	/* Every 5th segment overtaken by the next two. */
	fault_set(F_HOLD, port, 5, 5, 20, 2);
	transfer(c, a, 8u << 20);
	assert_true(fault_hits() >= 1);
	fault_clear();
	info(a, &ta);
	assert_true(ta.tcpi_rcv_ooopack >= 1);
	CHECK_OK(rump_sys_close(c));
	CHECK_OK(rump_sys_close(a));
	CHECK_OK(rump_sys_close(lst));
}

static void
loss_delay(void **state)
{
	uint16_t port;
	int lst, c, a;

	(void)state;
	HOST_INVALID();
	lst = listener(&port, 8);
	tcp_pair(lst, port, &c, &a);
	fault_set(F_DELAY, port, 4, 6, 5, 30);
	transfer(c, a, 4u << 20);
	assert_true(fault_hits() >= 1);
	fault_clear();
	CHECK_OK(rump_sys_close(c));
	CHECK_OK(rump_sys_close(a));
	CHECK_OK(rump_sys_close(lst));
}

/* The first SYN is lost: connect still succeeds, after one RTO. */
static void
loss_syn(void **state)
{
	struct tcp_info ti;
	uint16_t port;
	int lst, c, a;

	(void)state;
	HOST_INVALID();
	lst = listener(&port, 8);
	fault_set(F_DROP, port, 1, 0, 1, 0);
	tcp_pair(lst, port, &c, &a);
	assert_int_equal(fault_hits(), 1);
	fault_clear();
	info(c, &ti);
	assert_int_equal(ti.tcpi_state, TCP_ESTABLISHED);
	assert_true(ti.tcpi_total_retrans >= 1);
	CHECK_OK(rump_sys_close(c));
	CHECK_OK(rump_sys_close(a));
	CHECK_OK(rump_sys_close(lst));
}

/* While SYNs go unanswered: EINPROGRESS, then EALREADY. */
static void
loss_connect_ealready(void **state)
{
	struct sockaddr_in sin;
	uint16_t port;
	int lst, s;

	(void)state;
	HOST_INVALID();
	lst = listener(&port, 8);
	fault_set(F_DROP, port, 1, 1, 0, 0);
	sin = lo_addr(port);
	s = (int)CHECK_OK(rump_sys_socket(AF_INET, SOCK_STREAM |
	    SOCK_NONBLOCK, 0));
	CHECK_ERR(rump_sys_connect(s, (struct sockaddr *)&sin, sizeof(sin)),
	    EINPROGRESS);
	CHECK_ERR(rump_sys_connect(s, (struct sockaddr *)&sin, sizeof(sin)),
	    EALREADY);
	CHECK_OK(rump_sys_close(s));
	fault_clear();
	CHECK_OK(rump_sys_close(lst));
}

/* A peer that stopped answering: TCP_USER_TIMEOUT ends the connection. */
static void
loss_user_timeout(void **state)
{
	uint16_t port;
	int lst, c, a, v = 300;
	char buf[8];

	(void)state;
	HOST_INVALID();
	lst = listener(&port, 8);
	tcp_pair(lst, port, &c, &a);
	CHECK_OK(rump_sys_setsockopt(c, IPPROTO_TCP, TCP_USER_TIMEOUT, &v,
	    sizeof(v)));
	fault_set(F_DROP, port, 1, 1, 0, 0);
	assert_int_equal(CHECK_OK(rump_sys_write(c, "lost", 4)), 4);
	/* Blocks until the timeout kills the connection. */
	CHECK_ERR(rump_sys_read(c, buf, sizeof(buf)), ETIMEDOUT);
	fault_clear();
	CHECK_OK(rump_sys_close(c));
	CHECK_OK(rump_sys_close(a));
	CHECK_OK(rump_sys_close(lst));
}

/* Keepalive against a peer that went silent: probes, then ETIMEDOUT. */
static void
loss_keepalive(void **state)
{
	uint16_t port;
	int lst, c, a, v;
	char buf[4];

	(void)state;
	HOST_INVALID();
	lst = listener(&port, 8);
	tcp_pair(lst, port, &c, &a);
	v = 1;
	CHECK_OK(rump_sys_setsockopt(c, SOL_SOCKET, SO_KEEPALIVE, &v,
	    sizeof(v)));
	CHECK_OK(rump_sys_setsockopt(c, IPPROTO_TCP, TCP_KEEPIDLE, &v,
	    sizeof(v)));
	CHECK_OK(rump_sys_setsockopt(c, IPPROTO_TCP, TCP_KEEPINTVL, &v,
	    sizeof(v)));
	v = 2;
	CHECK_OK(rump_sys_setsockopt(c, IPPROTO_TCP, TCP_KEEPCNT, &v,
	    sizeof(v)));
	fault_set(F_DROP, port, 1, 1, 0, 0);
	/* Blocks until the unanswered probes end the connection. */
	CHECK_ERR(rump_sys_read(c, buf, sizeof(buf)), ETIMEDOUT);
	assert_true(fault_hits() >= 2);
	fault_clear();
	CHECK_OK(rump_sys_close(c));
	CHECK_OK(rump_sys_close(a));
	CHECK_OK(rump_sys_close(lst));
}

/*
 * Simultaneous open (RFC 9293 3.5, figure 8): each end connects to the
 * other; A's SYN is held back until B's has gone, so both SYNs cross and
 * both ends pass through SYN-RECEIVED to ESTABLISHED.
 */
static void
simultaneous_open(void **state)
{
	struct sockaddr_in sa, sb;
	struct pollfd pfd[2];
	struct tcp_info ti;
	socklen_t len = sizeof(sa);
	int a, b, err;
	char buf[4];

	(void)state;
	HOST_INVALID();
	a = (int)CHECK_OK(rump_sys_socket(AF_INET, SOCK_STREAM |
	    SOCK_NONBLOCK, 0));
	b = (int)CHECK_OK(rump_sys_socket(AF_INET, SOCK_STREAM |
	    SOCK_NONBLOCK, 0));
	sa = lo_addr(0);
	CHECK_OK(rump_sys_bind(a, (struct sockaddr *)&sa, sizeof(sa)));
	CHECK_OK(rump_sys_getsockname(a, (struct sockaddr *)&sa, &len));
	sb = lo_addr(0);
	len = sizeof(sb);
	CHECK_OK(rump_sys_bind(b, (struct sockaddr *)&sb, sizeof(sb)));
	CHECK_OK(rump_sys_getsockname(b, (struct sockaddr *)&sb, &len));
	fault_set(F_HOLD, ntohs(sa.sin_port), 1, 0, 1, 1);
	CHECK_ERR(rump_sys_connect(a, (struct sockaddr *)&sb, sizeof(sb)),
	    EINPROGRESS);
	err = rump_sys_connect(b, (struct sockaddr *)&sa, sizeof(sa));
	assert_true(err == 0 || errno == EINPROGRESS);
	assert_int_equal(fault_hits(), 1);
	fault_clear();
	pfd[0].fd = a;
	pfd[0].events = POLLOUT;
	pfd[1].fd = b;
	pfd[1].events = POLLOUT;
	for (int i = 0; i < 100; i++) {
		pfd[0].revents = pfd[1].revents = 0;
		CHECK_OK(rump_sys_poll(pfd, 2, 100));
		if ((pfd[0].revents & POLLOUT) && (pfd[1].revents & POLLOUT))
			break;
	}
	info(a, &ti);
	assert_int_equal(ti.tcpi_state, TCP_ESTABLISHED);
	info(b, &ti);
	assert_int_equal(ti.tcpi_state, TCP_ESTABLISHED);
	assert_int_equal(CHECK_OK(rump_sys_write(a, "sim", 3)), 3);
	for (int i = 0; i < 100; i++) {
		pfd[1].events = POLLIN;
		if (CHECK_OK(rump_sys_poll(&pfd[1], 1, 100)) == 1)
			break;
	}
	assert_int_equal(CHECK_OK(rump_sys_read(b, buf, sizeof(buf))), 3);
	assert_memory_equal(buf, "sim", 3);
	CHECK_OK(rump_sys_close(a));
	CHECK_OK(rump_sys_close(b));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(loss_single_drop),
		cmocka_unit_test(loss_many_drops_sack),
		cmocka_unit_test(loss_duplicates),
		cmocka_unit_test(loss_reorder),
		cmocka_unit_test(loss_delay),
		cmocka_unit_test(loss_syn),
		cmocka_unit_test(loss_connect_ealready),
		cmocka_unit_test(loss_user_timeout),
		cmocka_unit_test(simultaneous_open),
		cmocka_unit_test(loss_keepalive),
	};

	if (test_kernel_init("tcp_loss") != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
