/*
 * test_sockmsg.c: the socket calls whose arguments are structures the
 * kernel reads and fills, as a program sees them: sendmmsg/recvmmsg
 * (msg_len, names, MSG_WAITFORONE), recvmsg names cut to their room with
 * the full length back, MSG_TRUNC, gathering and scattering iovecs (with
 * an empty NULL one), socklen_t value-result rooms (huge, small,
 * negative) of getsockname/getsockopt/accept, the socket ioctls
 * (SIOCINQ/FIONREAD, SIOCOUTQ, SIOCOUTQNSD, SIOCATMARK, FIONBIO), and the
 * lengths a msghdr may not have (EMSGSIZE, EINVAL, ENOBUFS, EFAULT).
 *
 * Embedded, these are the kernel's answers; in suite "remote" the same
 * source checks that the sysproxy marshaling of @valres, @msg_* and
 * @mmsg_* (sysproxy/sp_msg.c) gives the same ones; against the host
 * (TEST_ON_HOST) it is the reference.
 */
#include "compat.h"

#include <arpa/inet.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "tcp_compat.h"

#ifdef TEST_ON_HOST
#define rump_sys_ioctl		ioctl
#endif

static struct sockaddr_in
lo4(uint16_t port)
{
	struct sockaddr_in s;

	memset(&s, 0, sizeof(s));
	s.sin_family = AF_INET;
	s.sin_port = htons(port);
	s.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return s;
}

/* A UDP socket bound to 127.0.0.1 on an ephemeral port; *port gets it. */
static int
udp_bound(uint16_t *port)
{
	struct sockaddr_in b = lo4(0);
	socklen_t len = sizeof(b);
	int s = (int)CHECK_OK(rump_sys_socket(AF_INET, SOCK_DGRAM, 0));

	CHECK_OK(rump_sys_bind(s, (struct sockaddr *)&b, sizeof(b)));
	CHECK_OK(rump_sys_getsockname(s, (struct sockaddr *)&b, &len));
	assert_int_equal(len, sizeof(b));
	*port = ntohs(b.sin_port);
	return s;
}

/* A connected TCP pair over lo: *cp the client, *ap the accepted end. */
static void
tcp_pair(int *cp, int *ap)
{
	struct sockaddr_in b = lo4(0);
	socklen_t len = sizeof(b);
	int ls = (int)CHECK_OK(rump_sys_socket(AF_INET, SOCK_STREAM, 0));

	CHECK_OK(rump_sys_bind(ls, (struct sockaddr *)&b, sizeof(b)));
	CHECK_OK(rump_sys_listen(ls, 1));
	CHECK_OK(rump_sys_getsockname(ls, (struct sockaddr *)&b, &len));
	*cp = (int)CHECK_OK(rump_sys_socket(AF_INET, SOCK_STREAM, 0));
	CHECK_OK(rump_sys_connect(*cp, (struct sockaddr *)&b, sizeof(b)));
	/* No room asked for: nothing is written. */
	*ap = (int)CHECK_OK(rump_sys_accept(ls, NULL, NULL));
	CHECK_OK(rump_sys_close(ls));
}

/* --- sendmmsg / recvmmsg ---------------------------------------------------- */

static void
mmsg_udp(void **state)
{
	char out[3][8] = { "a", "bb", "ccccccc" }, in[4][16];
	struct sockaddr_in to, from[4];
	struct mmsghdr mv[4];
	struct iovec iov[4];
	struct timespec tmo = { 5, 0 };
	uint16_t pr, ps;
	int r = udp_bound(&pr), s = udp_bound(&ps);

	(void)state;
	to = lo4(pr);
	memset(mv, 0, sizeof(mv));
	for (int i = 0; i < 3; i++) {
		iov[i].iov_base = out[i];
		iov[i].iov_len = strlen(out[i]);
		mv[i].msg_hdr.msg_name = &to;
		mv[i].msg_hdr.msg_namelen = sizeof(to);
		mv[i].msg_hdr.msg_iov = &iov[i];
		mv[i].msg_hdr.msg_iovlen = 1;
		mv[i].msg_len = 999;
	}
	assert_int_equal(CHECK_OK(rump_sys_sendmmsg(s, mv, 3, 0)), 3);
	for (int i = 0; i < 3; i++)
		assert_int_equal(mv[i].msg_len, strlen(out[i]));
	/* No messages: nothing happens. */
	assert_int_equal(CHECK_OK(rump_sys_sendmmsg(s, mv, 0, 0)), 0);

	memset(mv, 0, sizeof(mv));
	memset(in, 0, sizeof(in));
	memset(from, 0, sizeof(from));
	for (int i = 0; i < 4; i++) {
		iov[i].iov_base = in[i];
		iov[i].iov_len = sizeof(in[i]);
		mv[i].msg_hdr.msg_name = &from[i];
		mv[i].msg_hdr.msg_namelen = sizeof(from[i]);
		mv[i].msg_hdr.msg_iov = &iov[i];
		mv[i].msg_hdr.msg_iovlen = 1;
	}
	/* Three are queued; the fourth is not waited for. */
	assert_int_equal(CHECK_OK(rump_sys_recvmmsg(r, mv, 4, MSG_WAITFORONE,
	    &tmo)), 3);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(mv[i].msg_len, strlen(out[i]));
		assert_string_equal(in[i], out[i]);
		assert_int_equal(mv[i].msg_hdr.msg_namelen, sizeof(from[i]));
		assert_int_equal(ntohs(from[i].sin_port), ps);
		assert_int_equal(from[i].sin_addr.s_addr,
		    htonl(INADDR_LOOPBACK));
	}
	assert_int_equal(mv[3].msg_len, 0);
	CHECK_ERR(rump_sys_recvmmsg(r, mv, 4, MSG_DONTWAIT, NULL), EAGAIN);
	CHECK_OK(rump_sys_close(r));
	CHECK_OK(rump_sys_close(s));
}

/* --- recvmsg: names, truncation, iovecs --------------------------------------- */

static void
recvmsg_name_room(void **state)
{
	struct sockaddr_in to, from;
	struct msghdr msg;
	struct iovec iov;
	char buf[32];
	uint16_t pr, ps;
	int r = udp_bound(&pr), s = udp_bound(&ps);

	(void)state;
	to = lo4(pr);
	for (int i = 0; i < 3; i++)
		assert_int_equal(CHECK_OK(rump_sys_sendto(s, "0123456789", 10,
		    0, (struct sockaddr *)&to, sizeof(to))), 10);

	/* A room of 4: 4 bytes of the name, the full length back. */
	memset(&msg, 0, sizeof(msg));
	memset(&from, 0xee, sizeof(from));
	iov.iov_base = buf;
	iov.iov_len = sizeof(buf);
	msg.msg_name = &from;
	msg.msg_namelen = 4;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	assert_int_equal(CHECK_OK(rump_sys_recvmsg(r, &msg, 0)), 10);
	assert_int_equal(msg.msg_namelen, sizeof(struct sockaddr_in));
	assert_int_equal(from.sin_family, AF_INET);
	assert_int_equal(ntohs(from.sin_port), ps);
	assert_int_equal(from.sin_addr.s_addr, 0xeeeeeeeeu);
	assert_int_equal(msg.msg_flags, 0);

	/* Three bytes of ten: MSG_TRUNC; with the flag, the whole length. */
	memset(&msg, 0, sizeof(msg));
	memset(buf, 0, sizeof(buf));
	iov.iov_len = 3;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	assert_int_equal(CHECK_OK(rump_sys_recvmsg(r, &msg, 0)), 3);
	assert_int_equal(msg.msg_flags & MSG_TRUNC, MSG_TRUNC);
	assert_int_equal(msg.msg_namelen, 0);
	assert_string_equal(buf, "012");
	memset(buf, 0, sizeof(buf));
	msg.msg_flags = 0;
	assert_int_equal(CHECK_OK(rump_sys_recvmsg(r, &msg, MSG_TRUNC)), 10);
	assert_string_equal(buf, "012");

	/* A huge room for an address: the real length. */
	{
		struct sockaddr_storage ss;
		socklen_t len = 1u << 20;

		CHECK_OK(rump_sys_getsockname(r, (struct sockaddr *)&ss,
		    &len));
		assert_int_equal(len, sizeof(struct sockaddr_in));
	}
	CHECK_OK(rump_sys_close(r));
	CHECK_OK(rump_sys_close(s));
}

static void
msg_iovecs(void **state)
{
	struct iovec out[4] = {
		{ "gath", 4 }, { NULL, 0 }, { "er", 2 }, { "ed!", 3 },
	};
	char a[5], b[16];
	struct iovec in[2] = { { a, sizeof(a) }, { b, sizeof(b) } };
	struct msghdr msg;
	int sv[2];

	(void)state;
	CHECK_OK(rump_sys_socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv));
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = out;
	msg.msg_iovlen = 4;
	assert_int_equal(CHECK_OK(rump_sys_sendmsg(sv[0], &msg, 0)), 9);
	/* No iovecs at all: an empty record. */
	msg.msg_iov = NULL;
	msg.msg_iovlen = 0;
	assert_int_equal(CHECK_OK(rump_sys_sendmsg(sv[0], &msg, 0)), 0);

	memset(&msg, 0, sizeof(msg));
	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	msg.msg_iov = in;
	msg.msg_iovlen = 2;
	assert_int_equal(CHECK_OK(rump_sys_recvmsg(sv[1], &msg, 0)), 9);
	assert_memory_equal(a, "gathe", 5);
	assert_string_equal(b, "red!");
	assert_int_equal(msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC), 0);
	assert_int_equal(CHECK_OK(rump_sys_recvmsg(sv[1], &msg, 0)), 0);
	CHECK_OK(rump_sys_close(sv[0]));
	CHECK_OK(rump_sys_close(sv[1]));
}

/* --- socklen_t value-result rooms ------------------------------------------------ */

static void
valres_rooms(void **state)
{
	struct sockaddr_in sin;
	socklen_t len;
	int type, s;
	uint16_t port;

	(void)state;
	s = udp_bound(&port);
	/* A room of 2: the family only, the full length back. */
	memset(&sin, 0, sizeof(sin));
	len = 2;
	CHECK_OK(rump_sys_getsockname(s, (struct sockaddr *)&sin, &len));
	assert_int_equal(len, sizeof(sin));
	assert_int_equal(sin.sin_family, AF_INET);
	assert_int_equal(sin.sin_port, 0);
	/* A room of 0 writes nothing, and NULL is fine for it. */
	len = 0;
	CHECK_OK(rump_sys_getsockname(s, NULL, &len));
	assert_int_equal(len, sizeof(sin));
	/* Negative: EINVAL. */
	len = (socklen_t)-1;
	CHECK_ERR(rump_sys_getsockname(s, (struct sockaddr *)&sin, &len),
	    EINVAL);
	/* An option in a huge room: its own length (UDP and AF_UNIX, whose
	 * protocols see SOL_SOCKET options first). */
	for (int k = 0; k < 2; k++) {
		if (k == 1) {
			CHECK_OK(rump_sys_close(s));
			s = (int)CHECK_OK(rump_sys_socket(AF_UNIX, SOCK_DGRAM,
			    0));
		}
		len = 100000;
		type = -1;
		CHECK_OK(rump_sys_getsockopt(s, SOL_SOCKET, SO_TYPE, &type,
		    &len));
		assert_int_equal(len, sizeof(int));
		assert_int_equal(type, SOCK_DGRAM);
		len = (socklen_t)-5;
		CHECK_ERR(rump_sys_getsockopt(s, SOL_SOCKET, SO_TYPE, &type,
		    &len), EINVAL);
	}
	CHECK_OK(rump_sys_close(s));
}

/* --- ioctls ---------------------------------------------------------------------- */

static void
socket_ioctls(void **state)
{
	int c, a, n, on, s;
	char buf[16];
	uint16_t port;

	(void)state;
	tcp_pair(&c, &a);
	assert_int_equal(CHECK_OK(rump_sys_sendto(c, "hello", 5, 0, NULL, 0)),
	    5);
	/* The loopback delivers at once; wait for the bytes all the same. */
	for (int i = 0; i < 200; i++) {
		CHECK_OK(rump_sys_ioctl(a, SIOCINQ, &n));
		if (n == 5)
			break;
		usleep(10000);
	}
	assert_int_equal(n, 5);
	CHECK_OK(rump_sys_ioctl(a, FIONREAD, &n));
	assert_int_equal(n, 5);
	n = -1;
	CHECK_OK(rump_sys_ioctl(a, SIOCATMARK, &n));
	assert_int_equal(n, 0);
	for (int i = 0; i < 200; i++) {
		CHECK_OK(rump_sys_ioctl(c, SIOCOUTQ, &n));
		if (n == 0)
			break;
		usleep(10000);
	}
	assert_int_equal(n, 0);
	n = -1;
	CHECK_OK(rump_sys_ioctl(c, SIOCOUTQNSD, &n));
	assert_int_equal(n, 0);
	assert_int_equal(CHECK_OK(rump_sys_recvfrom(a, buf, sizeof(buf), 0,
	    NULL, NULL)), 5);
	/* FIONBIO: the empty socket answers EAGAIN, then blocks again. */
	on = 1;
	CHECK_OK(rump_sys_ioctl(a, FIONBIO, &on));
	CHECK_ERR(rump_sys_recvfrom(a, buf, sizeof(buf), 0, NULL, NULL),
	    EAGAIN);
	on = 0;
	CHECK_OK(rump_sys_ioctl(a, FIONBIO, &on));
	CHECK_ERR(rump_sys_recvfrom(a, buf, sizeof(buf), MSG_DONTWAIT, NULL,
	    NULL), EAGAIN);
	CHECK_OK(rump_sys_close(c));
	CHECK_OK(rump_sys_close(a));

	/* A datagram socket: the size of the next datagram. */
	s = udp_bound(&port);
	{
		struct sockaddr_in to = lo4(port);

		assert_int_equal(CHECK_OK(rump_sys_sendto(s, "abc", 3, 0,
		    (struct sockaddr *)&to, sizeof(to))), 3);
		assert_int_equal(CHECK_OK(rump_sys_sendto(s, "defgh", 5, 0,
		    (struct sockaddr *)&to, sizeof(to))), 5);
	}
	CHECK_OK(rump_sys_ioctl(s, FIONREAD, &n));
	assert_int_equal(n, 3);
	CHECK_OK(rump_sys_close(s));
}

/* --- lengths a msghdr may not have ---------------------------------------------- */

static void
msg_bad_lengths(void **state)
{
	struct sockaddr_storage ss[2];
	struct sockaddr_in to;
	struct msghdr msg;
	struct mmsghdr mv[2];
	struct iovec iov = { "x", 1 };
	char cbuf[64];
	uint16_t port;
	int s = udp_bound(&port);

	(void)state;
	to = lo4(port);
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1025;	/* past UIO_MAXIOV */
	CHECK_ERR(rump_sys_sendmsg(s, &msg, 0), EMSGSIZE);
	CHECK_ERR(rump_sys_recvmsg(s, &msg, MSG_DONTWAIT), EMSGSIZE);
	msg.msg_iovlen = (size_t)1 << 40;
	CHECK_ERR(rump_sys_sendmsg(s, &msg, 0), EMSGSIZE);
	msg.msg_iovlen = 1;

	/* A negative name length. */
	memset(ss, 0, sizeof(ss));
	memcpy(ss, &to, sizeof(to));
	msg.msg_name = ss;
	msg.msg_namelen = (socklen_t)-1;
	CHECK_ERR(rump_sys_sendmsg(s, &msg, 0), EINVAL);
	CHECK_ERR(rump_sys_recvmsg(s, &msg, MSG_DONTWAIT), EINVAL);
#ifndef TEST_ON_HOST
	/* Past a sockaddr_storage: this kernel says EINVAL (Linux cuts it
	 * to 128 bytes). */
	msg.msg_namelen = sizeof(ss);
	CHECK_ERR(rump_sys_sendmsg(s, &msg, 0), EINVAL);
#endif

	/* Control past optmem_max: ENOBUFS, however large. */
	msg.msg_name = &to;
	msg.msg_namelen = sizeof(to);
	memset(cbuf, 0, sizeof(cbuf));
	msg.msg_control = cbuf;
	msg.msg_controllen = (size_t)1 << 40;
	CHECK_ERR(rump_sys_sendmsg(s, &msg, 0), ENOBUFS);
	msg.msg_controllen = (size_t)1 << 62;
	CHECK_ERR(rump_sys_sendmsg(s, &msg, 0), ENOBUFS);

	/* No msghdr. */
	CHECK_ERR(rump_sys_sendmsg(s, NULL, 0), EFAULT);
	CHECK_ERR(rump_sys_recvmsg(s, NULL, MSG_DONTWAIT), EFAULT);

	/* In a batch, a bad second message ends it after the first. */
	memset(mv, 0, sizeof(mv));
	mv[0].msg_hdr.msg_name = &to;
	mv[0].msg_hdr.msg_namelen = sizeof(to);
	mv[0].msg_hdr.msg_iov = &iov;
	mv[0].msg_hdr.msg_iovlen = 1;
	mv[1] = mv[0];
	mv[1].msg_hdr.msg_iovlen = 5000;
	assert_int_equal(CHECK_OK(rump_sys_sendmmsg(s, mv, 2, 0)), 1);
	assert_int_equal(mv[0].msg_len, 1);
	CHECK_ERR(rump_sys_sendmmsg(s, &mv[1], 1, 0), EMSGSIZE);
	CHECK_OK(rump_sys_close(s));
}

/* --- more than one call's worth ---------------------------------------------- */

/*
 * Over a remote kernel a call carries at most 16 MiB: a bigger room is a
 * short one (transparent: the kernel writes what it has), and a batch
 * past it sends fewer messages, which the caller sends again, as with any
 * short count.  Embedded, the same loops simply finish at once.
 */
static void
msg_big(void **state)
{
	enum { NMSG = 300, DGRAM = 60000 };
	size_t big = (size_t)64 << 20;
	struct mmsghdr *mv = calloc(NMSG, sizeof(*mv));
	char *buf = malloc(big);
	struct sockaddr_in to;
	struct msghdr msg;
	struct iovec iov;
	uint16_t pr, ps;
	int r = udp_bound(&pr), s = udp_bound(&ps), sent = 0, sv[2];

	(void)state;
	assert_non_null(mv);
	assert_non_null(buf);
	/* A 64 MiB room for 10 bytes. */
	CHECK_OK(rump_sys_socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	assert_int_equal(CHECK_OK(rump_sys_sendto(sv[0], "0123456789", 10, 0,
	    NULL, 0)), 10);
	memset(&msg, 0, sizeof(msg));
	iov.iov_base = buf;
	iov.iov_len = big;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	assert_int_equal(CHECK_OK(rump_sys_recvmsg(sv[1], &msg, 0)), 10);
	assert_memory_equal(buf, "0123456789", 10);
	CHECK_OK(rump_sys_close(sv[0]));
	CHECK_OK(rump_sys_close(sv[1]));

	/* 300 datagrams of 60000 bytes: 18 MB in one batch. */
	memset(buf, 'z', DGRAM);
	to = lo4(pr);
	iov.iov_len = DGRAM;
	for (int i = 0; i < NMSG; i++) {
		mv[i].msg_hdr.msg_name = &to;
		mv[i].msg_hdr.msg_namelen = sizeof(to);
		mv[i].msg_hdr.msg_iov = &iov;
		mv[i].msg_hdr.msg_iovlen = 1;
	}
	for (int calls = 0; sent < NMSG && calls < NMSG; calls++) {
		int n = (int)CHECK_OK(rump_sys_sendmmsg(s, mv + sent,
		    (unsigned)(NMSG - sent), 0));

		assert_true(n >= 1 && n <= NMSG - sent);
		for (int i = sent; i < sent + n; i++)
			assert_int_equal(mv[i].msg_len, DGRAM);
		sent += n;
	}
	assert_int_equal(sent, NMSG);
	CHECK_OK(rump_sys_close(r));
	CHECK_OK(rump_sys_close(s));
	free(buf);
	free(mv);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mmsg_udp),
		cmocka_unit_test(recvmsg_name_room),
		cmocka_unit_test(msg_iovecs),
		cmocka_unit_test(valres_rooms),
		cmocka_unit_test(socket_ioctls),
		cmocka_unit_test(msg_bad_lengths),
		cmocka_unit_test(msg_big),
	};

	if (test_kernel_init("sockmsg") != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
