/*
 * test_socket.c: the socket calls every family shares, as a user sees
 * them: socket()/socketpair() refusals (EAFNOSUPPORT, EPROTONOSUPPORT,
 * ESOCKTNOSUPPORT, EINVAL, EOPNOTSUPP), socket calls on descriptors that
 * are not sockets (ENOTSOCK, EBADF), SO_TYPE/SO_DOMAIN/SO_PROTOCOL/
 * SO_ACCEPTCONN, sockets as plain descriptors (read, write, readv, writev,
 * dup, fcntl O_NONBLOCK, fstat), SO_RCVTIMEO and SO_SNDTIMEO, MSG_PEEK,
 * MSG_TRUNC and MSG_DONTWAIT on datagrams, sendmmsg/recvmmsg with
 * MSG_WAITFORONE, FIONREAD/SIOCINQ/SIOCOUTQ, shutdown's errors.  The same
 * source runs against the host (TEST_ON_HOST), the reference.
 */
#include "compat.h"

#include <arpa/inet.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "tcp_compat.h"

#ifdef TEST_ON_HOST
#define rump_sys_sendmsg	sendmsg
#define rump_sys_recvmsg	recvmsg
#define rump_sys_sendmmsg	sendmmsg
#define rump_sys_recvmmsg	recvmmsg
#endif

static int
get_int(int s, int level, int name)
{
	int v = -1;
	socklen_t len = sizeof(v);

	CHECK_OK(rump_sys_getsockopt(s, level, name, &v, &len));
	assert_int_equal(len, sizeof(v));
	return v;
}

/* A UDP socket bound to 127.0.0.1 on a port of the kernel's choosing. */
static int
udp_bound(struct sockaddr_in *sin)
{
	socklen_t len = sizeof(*sin);
	int s = (int)CHECK_OK(rump_sys_socket(AF_INET, SOCK_DGRAM, 0));

	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK_OK(rump_sys_bind(s, (struct sockaddr *)sin, sizeof(*sin)));
	CHECK_OK(rump_sys_getsockname(s, (struct sockaddr *)sin, &len));
	return s;
}

static void
socket_refusals(void **state)
{
	int sv[2];

	(void)state;
	CHECK_ERR(rump_sys_socket(255, SOCK_STREAM, 0), EAFNOSUPPORT);
	CHECK_ERR(rump_sys_socket(-1, SOCK_STREAM, 0), EAFNOSUPPORT);
	CHECK_ERR(rump_sys_socket(AF_INET, SOCK_STREAM, IPPROTO_UDP),
	    EPROTONOSUPPORT);
	CHECK_ERR(rump_sys_socket(AF_INET, SOCK_DGRAM, IPPROTO_TCP),
	    EPROTONOSUPPORT);
	CHECK_ERR(rump_sys_socket(AF_INET6, SOCK_STREAM, 99),
	    EPROTONOSUPPORT);
	/* AF_UNIX takes 0 or PF_UNIX. */
	CHECK_ERR(rump_sys_socket(AF_UNIX, SOCK_STREAM, 2), EPROTONOSUPPORT);
	/* Types: unknown ones and unknown flags are EINVAL. */
	CHECK_ERR(rump_sys_socket(AF_INET, 77, 0), EINVAL);
	CHECK_ERR(rump_sys_socket(AF_INET, SOCK_STREAM | 0x100000, 0), EINVAL);
	/* Linux makes an AF_UNIX SOCK_RAW a datagram socket. */
	{
		int s = (int)CHECK_OK(rump_sys_socket(AF_UNIX, SOCK_RAW, 0));

		assert_int_equal(get_int(s, SOL_SOCKET, SO_TYPE), SOCK_DGRAM);
		CHECK_OK(rump_sys_close(s));
	}
	/* socketpair is AF_UNIX's alone. */
	CHECK_ERR(rump_sys_socketpair(AF_INET, SOCK_STREAM, 0, sv),
	    EOPNOTSUPP);
	CHECK_ERR(rump_sys_socketpair(AF_INET6, SOCK_DGRAM, 0, sv),
	    EOPNOTSUPP);
	CHECK_ERR(rump_sys_socketpair(AF_UNIX, SOCK_STREAM, 5, sv),
	    EPROTONOSUPPORT);
}

static void
not_a_socket(void **state)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd, v;

	(void)state;
	TEST_DIR();
	put_file(tp("f"), "x");
	fd = (int)CHECK_OK(rump_sys_open(tp("f"), O_RDONLY, 0));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	CHECK_ERR(rump_sys_bind(fd, (struct sockaddr *)&sin, sizeof(sin)),
	    ENOTSOCK);
	CHECK_ERR(rump_sys_listen(fd, 1), ENOTSOCK);
	CHECK_ERR(rump_sys_accept(fd, NULL, NULL), ENOTSOCK);
	CHECK_ERR(rump_sys_connect(fd, (struct sockaddr *)&sin, sizeof(sin)),
	    ENOTSOCK);
	CHECK_ERR(rump_sys_getsockname(fd, (struct sockaddr *)&sin, &len),
	    ENOTSOCK);
	CHECK_ERR(rump_sys_shutdown(fd, SHUT_RD), ENOTSOCK);
	len = sizeof(v);
	CHECK_ERR(rump_sys_getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &len),
	    ENOTSOCK);
	CHECK_ERR(rump_sys_sendto(fd, "x", 1, 0, NULL, 0), ENOTSOCK);
	CHECK_OK(rump_sys_close(fd));
	/* A closed descriptor. */
	CHECK_ERR(rump_sys_listen(fd, 1), EBADF);
	CHECK_ERR(rump_sys_sendto(fd, "x", 1, 0, NULL, 0), EBADF);
}

static void
identity_options(void **state)
{
	int s, l, sv[2];

	(void)state;
	s = (int)CHECK_OK(rump_sys_socket(AF_INET6, SOCK_DGRAM, 0));
	assert_int_equal(get_int(s, SOL_SOCKET, SO_TYPE), SOCK_DGRAM);
	assert_int_equal(get_int(s, SOL_SOCKET, SO_DOMAIN), AF_INET6);
	assert_int_equal(get_int(s, SOL_SOCKET, SO_PROTOCOL), IPPROTO_UDP);
	assert_int_equal(get_int(s, SOL_SOCKET, SO_ACCEPTCONN), 0);
	CHECK_OK(rump_sys_close(s));
	l = (int)CHECK_OK(rump_sys_socket(AF_INET, SOCK_STREAM, 0));
	assert_int_equal(get_int(l, SOL_SOCKET, SO_PROTOCOL), IPPROTO_TCP);
	CHECK_OK(rump_sys_listen(l, 4));
	assert_int_equal(get_int(l, SOL_SOCKET, SO_ACCEPTCONN), 1);
	/* These are read-only. */
	{
		int one = 1;

		CHECK_ERR(rump_sys_setsockopt(l, SOL_SOCKET, SO_TYPE, &one,
		    sizeof(one)), ENOPROTOOPT);
	}
	CHECK_OK(rump_sys_close(l));
	CHECK_OK(rump_sys_socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv));
	assert_int_equal(get_int(sv[0], SOL_SOCKET, SO_TYPE), SOCK_SEQPACKET);
	assert_int_equal(get_int(sv[0], SOL_SOCKET, SO_DOMAIN), AF_UNIX);
	assert_int_equal(get_int(sv[0], SOL_SOCKET, SO_PROTOCOL), 0);
	CHECK_OK(rump_sys_close(sv[0]));
	CHECK_OK(rump_sys_close(sv[1]));
}

static void
plain_descriptor_calls(void **state)
{
	char a[] = "hello ", b[] = "world", got[32];
	struct iovec iov[2] = { { a, 6 }, { b, 5 } };
	struct stat st;
	int sv[2], d, n;

	(void)state;
	CHECK_OK(rump_sys_socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
	    sv));
	assert_int_equal(CHECK_OK(rump_sys_fcntl(sv[0], F_GETFD, 0)),
	    FD_CLOEXEC);
	CHECK_OK(rump_sys_fstat(sv[0], &st));
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(CHECK_OK(rump_sys_writev(sv[0], iov, 2)), 11);
	/* FIONREAD and SIOCINQ: bytes waiting; SIOCOUTQ: unread by peer. */
	n = -1;
	CHECK_OK(rump_sys_ioctl(sv[1], FIONREAD, &n));
	assert_int_equal(n, 11);
	n = -1;
	CHECK_OK(rump_sys_ioctl(sv[1], SIOCINQ, &n));
	assert_int_equal(n, 11);
	/* Linux counts the buffers' full size: at least the bytes. */
	n = -1;
	CHECK_OK(rump_sys_ioctl(sv[0], SIOCOUTQ, &n));
	assert_true(n >= 11);
	memset(got, 0, sizeof(got));
	iov[0].iov_base = got;
	iov[0].iov_len = 3;
	iov[1].iov_base = got + 3;
	iov[1].iov_len = 20;
	assert_int_equal(CHECK_OK(rump_sys_readv(sv[1], iov, 2)), 11);
	assert_string_equal(got, "hello world");
	n = -1;
	CHECK_OK(rump_sys_ioctl(sv[0], SIOCOUTQ, &n));
	assert_int_equal(n, 0);
	/* A dup is the same socket; the peer sees EOF only when both go. */
	d = (int)CHECK_OK(rump_sys_dup(sv[0]));
	CHECK_OK(rump_sys_close(sv[0]));
	assert_int_equal(CHECK_OK(rump_sys_write(d, "z", 1)), 1);
	assert_int_equal(CHECK_OK(rump_sys_read(sv[1], got, sizeof(got))), 1);
	/* O_NONBLOCK by fcntl: an empty read is EAGAIN. */
	CHECK_OK(rump_sys_fcntl(sv[1], F_SETFL, O_NONBLOCK));
	CHECK_ERR(rump_sys_read(sv[1], got, sizeof(got)), EAGAIN);
	CHECK_OK(rump_sys_close(d));
	assert_int_equal(CHECK_OK(rump_sys_read(sv[1], got, sizeof(got))), 0);
	CHECK_OK(rump_sys_close(sv[1]));
}

static void
timeouts(void **state)
{
	struct timeval tv = { 0, 20000 };
	struct sockaddr_in sin;
	char buf[8];
	int s, sv[2];

	(void)state;
	s = udp_bound(&sin);
	CHECK_OK(rump_sys_setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv,
	    sizeof(tv)));
	/* A blocking receive gives up after the timeout: EAGAIN. */
	CHECK_ERR(rump_sys_recvfrom(s, buf, sizeof(buf), 0, NULL, NULL),
	    EAGAIN);
	{
		struct timeval got;
		socklen_t len = sizeof(got);

		CHECK_OK(rump_sys_getsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &got,
		    &len));
		assert_int_equal(len, sizeof(got));
		assert_int_equal(got.tv_sec, 0);
		assert_int_equal(got.tv_usec, 20000);
	}
	tv.tv_usec = 2000000;	/* out of range */
	CHECK_ERR(rump_sys_setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv,
	    sizeof(tv)), EDOM);
	CHECK_OK(rump_sys_close(s));
	/* SO_SNDTIMEO: a full stream gives up with EAGAIN. */
	CHECK_OK(rump_sys_socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	tv.tv_usec = 20000;
	CHECK_OK(rump_sys_setsockopt(sv[0], SOL_SOCKET, SO_SNDTIMEO, &tv,
	    sizeof(tv)));
	{
		static char big[65536];
		ssize_t r;
		int k = 0;

		while ((r = rump_sys_sendto(sv[0], big, sizeof(big), 0, NULL,
		    0)) > 0)
			assert_true(++k < 1000);
		assert_int_equal(r, -1);
		assert_int_equal(errno, EAGAIN);
	}
	CHECK_OK(rump_sys_close(sv[0]));
	CHECK_OK(rump_sys_close(sv[1]));
}

static void
datagram_flags(void **state)
{
	struct sockaddr_in sin;
	char buf[16];
	int r, s;

	(void)state;
	r = udp_bound(&sin);
	s = (int)CHECK_OK(rump_sys_socket(AF_INET, SOCK_DGRAM, 0));
	CHECK_ERR(rump_sys_recvfrom(r, buf, sizeof(buf), MSG_DONTWAIT, NULL,
	    NULL), EAGAIN);
	CHECK_OK(rump_sys_sendto(s, "0123456789", 10, 0,
	    (struct sockaddr *)&sin, sizeof(sin)));
	/* MSG_PEEK leaves it; MSG_TRUNC reports the whole length. */
	assert_int_equal(CHECK_OK(rump_sys_recvfrom(r, buf, 4, MSG_PEEK, NULL,
	    NULL)), 4);
	assert_int_equal(CHECK_OK(rump_sys_recvfrom(r, buf, 4,
	    MSG_PEEK | MSG_TRUNC, NULL, NULL)), 10);
	{
		struct msghdr msg;
		struct iovec iov = { buf, 4 };

		memset(&msg, 0, sizeof(msg));
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		assert_int_equal(CHECK_OK(rump_sys_recvmsg(r, &msg, 0)), 4);
		assert_int_equal(msg.msg_flags & MSG_TRUNC, MSG_TRUNC);
		assert_memory_equal(buf, "0123", 4);
	}
	/* The rest of a truncated datagram is gone. */
	CHECK_ERR(rump_sys_recvfrom(r, buf, sizeof(buf), MSG_DONTWAIT, NULL,
	    NULL), EAGAIN);
	CHECK_OK(rump_sys_close(r));
	CHECK_OK(rump_sys_close(s));
}

static void
mmsg(void **state)
{
	struct sockaddr_in sin;
	struct mmsghdr mv[4];
	struct iovec iov[4];
	char bufs[4][16];
	int r, s, i;

	(void)state;
	r = udp_bound(&sin);
	s = (int)CHECK_OK(rump_sys_socket(AF_INET, SOCK_DGRAM, 0));
	CHECK_OK(rump_sys_connect(s, (struct sockaddr *)&sin, sizeof(sin)));
	memset(mv, 0, sizeof(mv));
	for (i = 0; i < 3; i++) {
		snprintf(bufs[i], sizeof(bufs[i]), "msg%d%.*s", i, i, "xyz");
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = strlen(bufs[i]);
		mv[i].msg_hdr.msg_iov = &iov[i];
		mv[i].msg_hdr.msg_iovlen = 1;
	}
	assert_int_equal(CHECK_OK(rump_sys_sendmmsg(s, mv, 3, 0)), 3);
	for (i = 0; i < 3; i++)
		assert_int_equal(mv[i].msg_len, 4 + i);
	/* Receive up to 4; MSG_WAITFORONE returns the 3 that are there. */
	memset(mv, 0, sizeof(mv));
	memset(bufs, 0, sizeof(bufs));
	for (i = 0; i < 4; i++) {
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = sizeof(bufs[i]);
		mv[i].msg_hdr.msg_iov = &iov[i];
		mv[i].msg_hdr.msg_iovlen = 1;
	}
	assert_int_equal(CHECK_OK(rump_sys_recvmmsg(r, mv, 4, MSG_WAITFORONE,
	    NULL)), 3);
	for (i = 0; i < 3; i++) {
		char want[16];

		snprintf(want, sizeof(want), "msg%d%.*s", i, i, "xyz");
		assert_int_equal(mv[i].msg_len, strlen(want));
		assert_string_equal(bufs[i], want);
	}
	/* Nothing left: EAGAIN non-blocking. */
	CHECK_ERR(rump_sys_recvmmsg(r, mv, 4, MSG_DONTWAIT, NULL), EAGAIN);
	CHECK_OK(rump_sys_close(r));
	CHECK_OK(rump_sys_close(s));
}

static void
shutdown_errors(void **state)
{
	int s, sv[2];
	char c;

	(void)state;
	s = (int)CHECK_OK(rump_sys_socket(AF_INET, SOCK_STREAM, 0));
	CHECK_ERR(rump_sys_shutdown(s, SHUT_RDWR), ENOTCONN);
	CHECK_ERR(rump_sys_shutdown(s, 7), EINVAL);
	CHECK_OK(rump_sys_close(s));
	CHECK_OK(rump_sys_socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	CHECK_ERR(rump_sys_shutdown(sv[0], -1), EINVAL);
	CHECK_OK(rump_sys_shutdown(sv[0], SHUT_WR));
	assert_int_equal(CHECK_OK(rump_sys_read(sv[1], &c, 1)), 0);
	CHECK_ERR(rump_sys_sendto(sv[0], "x", 1, MSG_NOSIGNAL, NULL, 0),
	    EPIPE);
	CHECK_OK(rump_sys_close(sv[0]));
	CHECK_OK(rump_sys_close(sv[1]));
}

static int
group_setup(void **state)
{
	(void)state;
	return test_kernel_init("socket");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(socket_refusals),
		cmocka_unit_test(not_a_socket),
		cmocka_unit_test(identity_options),
		cmocka_unit_test(plain_descriptor_calls),
		cmocka_unit_test(timeouts),
		cmocka_unit_test(datagram_flags),
		cmocka_unit_test(mmsg),
		cmocka_unit_test(shutdown_errors),
	};

	return cmocka_run_group_tests_name("socket", tests, group_setup, NULL);
}
