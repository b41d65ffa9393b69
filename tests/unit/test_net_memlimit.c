/*
 * test_net_memlimit.c: a kernel booted with RUMP_MEMLIMIT=16m whose
 * sockets fill it.  New connections fail with ENOBUFS or ENOMEM, never a
 * crash; a connection made before goes on carrying data byte-exact; once
 * the hoard is closed the memory comes back and new connections work.
 * A second case fills a receiver that never reads with datagrams: the
 * sends are refused or dropped at the buffer's limit, the kernel lives.
 * Rump only: the host has no such limit to hit.
 */
#include "compat.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#define MAXCONN	200000
#define MIN(a, b)	((a) < (b) ? (a) : (b))

static bool
out_of_memory(int err)
{
	return err == ENOBUFS || err == ENOMEM;
}

static struct sockaddr_in
lo(uint16_t port)
{
	struct sockaddr_in s;

	memset(&s, 0, sizeof(s));
	s.sin_family = AF_INET;
	s.sin_port = htons(port);
	s.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return s;
}

static int
listen_any(uint16_t *portp)
{
	struct sockaddr_in s = lo(0);
	socklen_t len = sizeof(s);
	int l = (int)CHECK_OK(rump_sys_socket(AF_INET, SOCK_STREAM, 0));

	CHECK_OK(rump_sys_bind(l, (struct sockaddr *)&s, sizeof(s)));
	CHECK_OK(rump_sys_listen(l, 4096));
	CHECK_OK(rump_sys_getsockname(l, (struct sockaddr *)&s, &len));
	*portp = ntohs(s.sin_port);
	return l;
}

/*
 * One connection to port, accepted: 0; -1 and errno when a call fails;
 * 1 when the listener never sees it (the server could not make the
 * connection's socket and dropped the handshake's last ACK, as Linux
 * does when it cannot take a connection: the client thinks it is up).
 */
static int
pair(int l, uint16_t port, int *cp, int *ap)
{
	struct sockaddr_in s = lo(port);
	struct pollfd p = { .fd = l, .events = POLLIN };
	int c, err;

	*cp = *ap = -1;
	if ((c = (int)rump_sys_socket(AF_INET, SOCK_STREAM, 0)) < 0)
		return -1;
	if (rump_sys_connect(c, (struct sockaddr *)&s, sizeof(s)) < 0)
		goto fail;
	if (CHECK_OK(rump_sys_poll(&p, 1, 2000)) == 0) {
		CHECK_OK(rump_sys_close(c));
		return 1;
	}
	/* Non-blocking: a queued connection may be reset before we take
	 * it (memory ran out on its way), and then nothing comes. */
	if ((*ap = (int)rump_sys_accept4(l, NULL, NULL, SOCK_NONBLOCK)) < 0) {
		if (errno != EAGAIN)
			goto fail;
		CHECK_OK(rump_sys_close(c));
		return 1;
	}
	CHECK_OK(rump_sys_fcntl(*ap, F_SETFL, 0));
	*cp = c;
	return 0;
fail:
	err = errno;
	rump_sys_close(c);
	errno = err;
	return -1;
}

/* Sends len patterned bytes one way and checks them on the other. */
static void
transfer(int from, int to, size_t len)
{
	static unsigned char out[65536], in[65536];
	size_t sent = 0, got = 0;

	time_t start = time(NULL), last = start;
	size_t lastgot = 0;

	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = (unsigned char)(i * 7 + 3);
	while (got < len) {
		/* A stuck connection fails the test instead of hanging it. */
		if (got != lastgot) {
			lastgot = got;
			last = time(NULL);
		} else if (time(NULL) - last > 60) {
			fail_msg("transfer stuck: %zu of %zu sent, %zu received",
			    sent, len, got);
		}
		if (sent < len) {
			size_t n = MIN(sizeof(out) - sent % sizeof(out),
			    len - sent);
			ssize_t w = rump_sys_sendto(from, out + sent %
			    sizeof(out), n, MSG_DONTWAIT, NULL, 0);

			if (w > 0)
				sent += (size_t)w;
			else
				assert_int_equal(errno, EAGAIN);
		}
		{
			ssize_t r = rump_sys_recvfrom(to, in, sizeof(in),
			    MSG_DONTWAIT, NULL, NULL);

			if (r > 0) {
				for (ssize_t i = 0; i < r; i++)
					assert_int_equal(in[i],
					    out[(got + (size_t)i) %
					    sizeof(out)]);
				got += (size_t)r;
			} else {
				assert_int_equal(r, -1);
				assert_int_equal(errno, EAGAIN);
			}
		}
	}
}

static void
connections_until_full(void **state)
{
	static int cs[MAXCONN], as[MAXCONN];
	uint16_t port;
	int l, c0, a0, n, err = 0, c, a;
	bool taken;

	(void)state;
	HOST_INVALID();
	{
		struct rlimit rl = { 3 * MAXCONN, 3 * MAXCONN };

		CHECK_OK(rump_sys_setrlimit(RLIMIT_NOFILE, &rl));
	}
	l = listen_any(&port);
	assert_int_equal(pair(l, port, &c0, &a0), 0);
	for (n = 0; n < MAXCONN; n++) {
		int rv = pair(l, port, &cs[n], &as[n]);

		if (rv < 0)
			err = errno;
		if (rv != 0)
			break;
	}
	if (err != 0 && !out_of_memory(err))
		fail_msg("%d connections, then errno %d (%s)", n, err,
		    strerror(err));
	assert_true(n < MAXCONN);
	assert_true(n > 100);
	/* At the limit a send is taken or refused for memory, nothing
	 * else; the connection stays up. */
	{
		struct sockaddr_in peer;
		socklen_t plen = sizeof(peer);
		ssize_t w = rump_sys_sendto(c0, "at the limit", 12,
		    MSG_DONTWAIT, NULL, 0);

		if (w < 0)
			assert_true(out_of_memory(errno) || errno == EAGAIN);
		else
			assert_int_equal(w, 12);
		CHECK_OK(rump_sys_getpeername(c0, (struct sockaddr *)&peer,
		    &plen));
		taken = w == 12;
	}
	for (int i = 0; i < n; i++) {
		CHECK_OK(rump_sys_close(cs[i]));
		CHECK_OK(rump_sys_close(as[i]));
	}
	/* What the send took at the limit arrives once there is room
	 * (the retransmission timer sends it). */
	if (taken) {
		char buf[12];
		struct pollfd p = { .fd = a0, .events = POLLIN };

		assert_int_equal(CHECK_OK(rump_sys_poll(&p, 1, 20000)), 1);
		assert_int_equal(CHECK_OK(rump_sys_recvfrom(a0, buf,
		    sizeof(buf), MSG_WAITALL, NULL, NULL)), 12);
		assert_memory_equal(buf, "at the limit", 12);
	}
	/* The memory came back: connections work again (to a new
	 * listener: the old one may yet take the dropped handshake). */
	CHECK_OK(rump_sys_close(l));
	l = listen_any(&port);
	for (int i = 0; i < 100; i++) {
		assert_int_equal(pair(l, port, &c, &a), 0);
		transfer(c, a, 4096);
		CHECK_OK(rump_sys_close(c));
		CHECK_OK(rump_sys_close(a));
	}
	/* The connection made before the limit goes on, both ways. */
	transfer(c0, a0, 1024 * 1024);
	transfer(a0, c0, 1024 * 1024);
	CHECK_OK(rump_sys_close(c0));
	CHECK_OK(rump_sys_close(a0));
	CHECK_OK(rump_sys_close(l));
}

static void
datagrams_into_a_full_receiver(void **state)
{
	static char big[60000];
	struct sockaddr_in to = lo(0);
	socklen_t len = sizeof(to);
	int r, s, refused = 0;

	(void)state;
	HOST_INVALID();
	r = (int)CHECK_OK(rump_sys_socket(AF_INET, SOCK_DGRAM, 0));
	CHECK_OK(rump_sys_bind(r, (struct sockaddr *)&to, sizeof(to)));
	CHECK_OK(rump_sys_getsockname(r, (struct sockaddr *)&to, &len));
	s = (int)CHECK_OK(rump_sys_socket(AF_INET, SOCK_DGRAM, 0));
	/* UDP drops what the receiver has no room for; the sender may be
	 * refused memory. Either way the kernel goes on. */
	for (int i = 0; i < 2000; i++) {
		if (rump_sys_sendto(s, big, sizeof(big), 0,
		    (struct sockaddr *)&to, sizeof(to)) < 0) {
			assert_true(out_of_memory(errno));
			refused++;
		}
	}
	{
		int q = -1;

		CHECK_OK(rump_sys_ioctl(r, FIONREAD, &q));
		assert_int_equal(q, sizeof(big));	/* the first queued */
	}
	assert_int_equal(CHECK_OK(rump_sys_recvfrom(r, big, sizeof(big), 0,
	    NULL, NULL)), sizeof(big));
	CHECK_OK(rump_sys_close(r));
	CHECK_OK(rump_sys_close(s));
	(void)refused;
}

static int
group_setup(void **state)
{
	(void)state;
	return test_kernel_init("net_memlimit");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(connections_until_full),
		cmocka_unit_test(datagrams_into_a_full_receiver),
	};

	return cmocka_run_group_tests_name("net_memlimit", tests, group_setup,
	    NULL);
}
