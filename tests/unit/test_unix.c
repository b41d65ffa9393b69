/*
 * test_unix.c: AF_UNIX sockets in the kernel: stream, datagram and
 * seqpacket through socketpair and through names (path names in the
 * kernel's file system, abstract names, autobind), the errors of bind and
 * connect, getsockname/getpeername lengths, SCM_RIGHTS with a kernel file,
 * SCM_CREDENTIALS and SO_PEERCRED, and 1000 socketpairs without a leak.
 */
#include "compat.h"

#include <pthread.h>

/* send(2) and recv(2) are sendto and recvfrom without an address. */
#define rump_sys_send(s, b, l, f)	rump_sys_sendto(s, b, l, f, NULL, 0)
#define rump_sys_recv(s, b, l, f)	rump_sys_recvfrom(s, b, l, f, NULL, NULL)

static socklen_t
sun_make(struct sockaddr_un *sun, const char *path)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	strncpy(sun->sun_path, path, sizeof(sun->sun_path) - 1);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
	    strlen(path) + 1);
}

/* An abstract name: NUL then name, length without a final NUL. */
static socklen_t
sun_abstract(struct sockaddr_un *sun, const char *name)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path + 1, name, strlen(name));
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
	    strlen(name));
}

static void
pair_stream(void **state)
{
	struct stat st;
	char buf[64];
	int sv[2];

	(void)state;
	CHECK_OK(rump_sys_socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	assert_int_equal(CHECK_OK(rump_sys_write(sv[0], "hello", 5)), 5);
	assert_int_equal(CHECK_OK(rump_sys_write(sv[0], " world", 6)), 6);
	memset(buf, 0, sizeof(buf));
	/* A stream joins what was written. */
	assert_int_equal(CHECK_OK(rump_sys_read(sv[1], buf, sizeof(buf))), 11);
	assert_string_equal(buf, "hello world");
	CHECK_OK(rump_sys_fstat(sv[0], &st));
	assert_true(S_ISSOCK(st.st_mode));
	CHECK_ERR(rump_sys_lseek(sv[0], 0, SEEK_SET), ESPIPE);
	/* Half close: EOF on the other side, which can still send. */
	CHECK_OK(rump_sys_shutdown(sv[0], SHUT_WR));
	assert_int_equal(CHECK_OK(rump_sys_read(sv[1], buf, sizeof(buf))), 0);
	CHECK_ERR(rump_sys_send(sv[0], "x", 1, MSG_NOSIGNAL), EPIPE);
	assert_int_equal(CHECK_OK(rump_sys_write(sv[1], "back", 4)), 4);
	assert_int_equal(CHECK_OK(rump_sys_read(sv[0], buf, sizeof(buf))), 4);
	/* Peer closed: EOF, then EPIPE for the writer. */
	CHECK_OK(rump_sys_close(sv[0]));
	assert_int_equal(CHECK_OK(rump_sys_read(sv[1], buf, sizeof(buf))), 0);
	CHECK_ERR(rump_sys_send(sv[1], "x", 1, MSG_NOSIGNAL), EPIPE);
	CHECK_OK(rump_sys_close(sv[1]));
}

static void
pair_dgram_seqpacket(void **state)
{
	char buf[64];
	int sv[2], types[] = { SOCK_DGRAM, SOCK_SEQPACKET };

	(void)state;
	for (int t = 0; t < 2; t++) {
		CHECK_OK(rump_sys_socketpair(AF_UNIX, types[t], 0, sv));
		assert_int_equal(CHECK_OK(rump_sys_send(sv[0], "one", 3, 0)),
		    3);
		assert_int_equal(CHECK_OK(rump_sys_send(sv[0], "three", 5,
		    0)), 5);
		/* Message boundaries stay. */
		assert_int_equal(CHECK_OK(rump_sys_recv(sv[1], buf,
		    sizeof(buf), 0)), 3);
		/* A short buffer truncates; MSG_TRUNC gives the length. */
		assert_int_equal(CHECK_OK(rump_sys_recv(sv[1], buf, 2,
		    MSG_TRUNC)), 5);
		assert_memory_equal(buf, "th", 2);
		CHECK_ERR(rump_sys_recv(sv[1], buf, sizeof(buf),
		    MSG_DONTWAIT), EAGAIN);
		/* A zero-length message is a message. */
		assert_int_equal(CHECK_OK(rump_sys_send(sv[0], "", 0, 0)), 0);
		assert_int_equal(CHECK_OK(rump_sys_recv(sv[1], buf,
		    sizeof(buf), MSG_DONTWAIT)), 0);
		CHECK_OK(rump_sys_close(sv[0]));
		CHECK_OK(rump_sys_close(sv[1]));
	}
}

static void
socket_errors(void **state)
{
	int sv[2];

	(void)state;
	CHECK_ERR(rump_sys_socket(AF_UNIX, SOCK_STREAM, 5), EPROTONOSUPPORT);
	CHECK_ERR(rump_sys_socket(AF_UNIX, 77, 0), EINVAL);
	CHECK_ERR(rump_sys_socket(AF_UNIX, SOCK_STREAM | 0x10000000, 0),
	    EINVAL);
	CHECK_ERR(rump_sys_socket(AF_UNIX, SOCK_RDM, 0), ESOCKTNOSUPPORT);
	CHECK_ERR(rump_sys_socket(1000, SOCK_STREAM, 0), EAFNOSUPPORT);
	CHECK_ERR(rump_sys_socket(-1, SOCK_STREAM, 0), EAFNOSUPPORT);
	CHECK_ERR(rump_sys_socketpair(AF_UNIX, SOCK_STREAM, 0, NULL), EFAULT);
	CHECK_OK(rump_sys_socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
	    sv));
	assert_int_equal(CHECK_OK(rump_sys_fcntl(sv[0], F_GETFD, 0)),
	    FD_CLOEXEC);
	CHECK_OK(rump_sys_close(sv[0]));
	CHECK_OK(rump_sys_close(sv[1]));
	/* Not a socket. */
	CHECK_ERR(rump_sys_listen(0 + 1000, 1), EBADF);
}

static void
path_bind_connect(void **state)
{
	struct sockaddr_un sun, got;
	socklen_t len, glen;
	struct stat st;
	char buf[16];
	int ls, cs, as, ds;

	(void)state;
	TEST_DIR();
	len = sun_make(&sun, tp("sock"));
	ls = (int)CHECK_OK(rump_sys_socket(AF_UNIX, SOCK_STREAM, 0));
	/* Not bound: listen refuses, connect finds nobody. */
	CHECK_ERR(rump_sys_listen(ls, 5), EINVAL);
	cs = (int)CHECK_OK(rump_sys_socket(AF_UNIX, SOCK_STREAM, 0));
	CHECK_ERR(rump_sys_connect(cs, (struct sockaddr *)&sun, len), ENOENT);
	CHECK_OK(rump_sys_bind(ls, (struct sockaddr *)&sun, len));
	/* The name is a socket node; a second bind finds it taken. */
	st = stat_ok(tp("sock"));
	assert_true(S_ISSOCK(st.st_mode));
	CHECK_ERR(rump_sys_bind(ls, (struct sockaddr *)&sun, len), EADDRINUSE);
	/* Bound already: a free name answers EINVAL and is not made. */
	{
		struct sockaddr_un other;
		socklen_t olen = sun_make(&other, tp("other"));

		CHECK_ERR(rump_sys_bind(ls, (struct sockaddr *)&other, olen),
		    EINVAL);
		CHECK_ERR(rump_sys_access(tp("other"), F_OK), ENOENT);
	}
	ds = (int)CHECK_OK(rump_sys_socket(AF_UNIX, SOCK_STREAM, 0));
	CHECK_ERR(rump_sys_bind(ds, (struct sockaddr *)&sun, len), EADDRINUSE);
	/* Bound but not listening. */
	CHECK_ERR(rump_sys_connect(cs, (struct sockaddr *)&sun, len),
	    ECONNREFUSED);
	CHECK_OK(rump_sys_listen(ls, 5));
	/* A datagram socket cannot connect to a stream one. */
	CHECK_OK(rump_sys_close(ds));
	ds = (int)CHECK_OK(rump_sys_socket(AF_UNIX, SOCK_DGRAM, 0));
	CHECK_ERR(rump_sys_connect(ds, (struct sockaddr *)&sun, len),
	    EPROTOTYPE);
	CHECK_OK(rump_sys_close(ds));
	CHECK_OK(rump_sys_connect(cs, (struct sockaddr *)&sun, len));
	CHECK_ERR(rump_sys_connect(cs, (struct sockaddr *)&sun, len), EISCONN);
	glen = sizeof(got);
	as = (int)CHECK_OK(rump_sys_accept(ls, (struct sockaddr *)&got,
	    &glen));
	/* The connecting socket is unbound: the family alone. */
	assert_int_equal(glen, sizeof(sa_family_t));
	assert_int_equal(got.sun_family, AF_UNIX);
	glen = sizeof(got);
	CHECK_OK(rump_sys_getpeername(cs, (struct sockaddr *)&got, &glen));
	assert_int_equal(glen, len);
	assert_string_equal(got.sun_path, tp("sock"));
	glen = sizeof(got);
	CHECK_OK(rump_sys_getsockname(as, (struct sockaddr *)&got, &glen));
	assert_int_equal(glen, len);
	/* A short room: truncated, the full length reported. */
	glen = 4;
	memset(&got, 0, sizeof(got));
	CHECK_OK(rump_sys_getsockname(ls, (struct sockaddr *)&got, &glen));
	assert_int_equal(glen, len);
	assert_int_equal(got.sun_path[2], 0);
	/* The name goes, the connection stays. */
	CHECK_OK(rump_sys_unlink(tp("sock")));
	assert_int_equal(CHECK_OK(rump_sys_write(cs, "hi", 2)), 2);
	assert_int_equal(CHECK_OK(rump_sys_read(as, buf, sizeof(buf))), 2);
	CHECK_OK(rump_sys_close(cs));
	cs = (int)CHECK_OK(rump_sys_socket(AF_UNIX, SOCK_STREAM, 0));
	CHECK_ERR(rump_sys_connect(cs, (struct sockaddr *)&sun, len), ENOENT);
	/* A file that is not a socket. */
	put_file(tp("plain"), "x");
	len = sun_make(&sun, tp("plain"));
	CHECK_ERR(rump_sys_connect(cs, (struct sockaddr *)&sun, len),
	    ECONNREFUSED);
	CHECK_OK(rump_sys_close(cs));
	CHECK_OK(rump_sys_close(as));
	CHECK_OK(rump_sys_close(ls));
}

static void
abstract_and_autobind(void **state)
{
	struct sockaddr_un sun, got;
	socklen_t len, glen;
	char buf[16];
	int a, b;

	(void)state;
	len = sun_abstract(&sun, "rump-test-abstract");
	a = (int)CHECK_OK(rump_sys_socket(AF_UNIX, SOCK_DGRAM, 0));
	CHECK_OK(rump_sys_bind(a, (struct sockaddr *)&sun, len));
	glen = sizeof(got);
	CHECK_OK(rump_sys_getsockname(a, (struct sockaddr *)&got, &glen));
	assert_int_equal(glen, len);
	assert_memory_equal(&got, &sun, len);
	b = (int)CHECK_OK(rump_sys_socket(AF_UNIX, SOCK_DGRAM, 0));
	CHECK_ERR(rump_sys_bind(b, (struct sockaddr *)&sun, len), EADDRINUSE);
	/* Unbound: getsockname gives the family alone. */
	glen = sizeof(got);
	CHECK_OK(rump_sys_getsockname(b, (struct sockaddr *)&got, &glen));
	assert_int_equal(glen, sizeof(sa_family_t));
	/* An unbound sender: the receiver gets no address. */
	assert_int_equal(CHECK_OK(rump_sys_sendto(b, "abc", 3, 0,
	    (struct sockaddr *)&sun, len)), 3);
	glen = sizeof(got);
	assert_int_equal(CHECK_OK(rump_sys_recvfrom(a, buf, sizeof(buf), 0,
	    (struct sockaddr *)&got, &glen)), 3);
	assert_int_equal(glen, 0);
	/* Autobind: the family alone binds to "\0XXXXX". */
	CHECK_OK(rump_sys_bind(b, (struct sockaddr *)&sun,
	    sizeof(sa_family_t)));
	glen = sizeof(got);
	CHECK_OK(rump_sys_getsockname(b, (struct sockaddr *)&got, &glen));
	assert_int_equal(glen, offsetof(struct sockaddr_un, sun_path) + 6);
	assert_int_equal(got.sun_path[0], 0);
	assert_int_equal(CHECK_OK(rump_sys_sendto(b, "de", 2, 0,
	    (struct sockaddr *)&sun, len)), 2);
	glen = sizeof(sun);
	{
		struct sockaddr_un from;

		assert_int_equal(CHECK_OK(rump_sys_recvfrom(a, buf,
		    sizeof(buf), 0, (struct sockaddr *)&from, &glen)), 2);
		assert_int_equal(glen,
		    offsetof(struct sockaddr_un, sun_path) + 6);
		assert_memory_equal(&from, &got, glen);
	}
	CHECK_OK(rump_sys_close(a));
	/* The receiver is gone. */
	CHECK_ERR(rump_sys_sendto(b, "x", 1, 0, (struct sockaddr *)&sun, len),
	    ECONNREFUSED);
	CHECK_OK(rump_sys_close(b));
}

static void
dgram_connected(void **state)
{
	struct sockaddr_un sa, sb;
	socklen_t la, lb;
	char buf[16];
	int a, b, c;

	(void)state;
	la = sun_abstract(&sa, "rump-dg-a");
	lb = sun_abstract(&sb, "rump-dg-b");
	a = (int)CHECK_OK(rump_sys_socket(AF_UNIX, SOCK_DGRAM, 0));
	b = (int)CHECK_OK(rump_sys_socket(AF_UNIX, SOCK_DGRAM, 0));
	c = (int)CHECK_OK(rump_sys_socket(AF_UNIX, SOCK_DGRAM, 0));
	CHECK_OK(rump_sys_bind(a, (struct sockaddr *)&sa, la));
	CHECK_OK(rump_sys_bind(b, (struct sockaddr *)&sb, lb));
	/* Unconnected without an address. */
	CHECK_ERR(rump_sys_send(c, "x", 1, 0), ENOTCONN);
	CHECK_ERR(rump_sys_getpeername(c, (struct sockaddr *)&sa, &la), ENOTCONN);
	la = sun_abstract(&sa, "rump-dg-a");
	/* a connects to b: c may no longer send to a. */
	CHECK_OK(rump_sys_connect(a, (struct sockaddr *)&sb, lb));
	CHECK_ERR(rump_sys_sendto(c, "x", 1, 0, (struct sockaddr *)&sa, la),
	    EPERM);
	assert_int_equal(CHECK_OK(rump_sys_send(a, "ab", 2, 0)), 2);
	assert_int_equal(CHECK_OK(rump_sys_recv(b, buf, sizeof(buf), 0)), 2);
	/* b goes: a's next send is refused, then a is unconnected. */
	CHECK_OK(rump_sys_close(b));
	CHECK_ERR(rump_sys_send(a, "x", 1, 0), ECONNREFUSED);
	CHECK_ERR(rump_sys_send(a, "x", 1, 0), ENOTCONN);
	CHECK_OK(rump_sys_close(a));
	CHECK_OK(rump_sys_close(c));
}

static void
dgram_full_and_emsgsize(void **state)
{
	static char big[300000];
	int sv[2], n = 0, sz = 4096;

	(void)state;
	CHECK_OK(rump_sys_socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
	CHECK_ERR(rump_sys_send(sv[0], big, sizeof(big), 0), EMSGSIZE);
	CHECK_OK(rump_sys_setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &sz,
	    sizeof(sz)));
	/* The receiver fills: a non-blocking sender gets EAGAIN. */
	while (rump_sys_send(sv[0], big, 1000, MSG_DONTWAIT) == 1000)
		assert_true(++n < 100000);
	assert_int_equal(errno, EAGAIN);
	assert_true(n > 0);
	/* A datagram read makes room again. */
	assert_int_equal(CHECK_OK(rump_sys_recv(sv[1], big, sizeof(big), 0)),
	    1000);
	assert_int_equal(CHECK_OK(rump_sys_send(sv[0], big, 1000,
	    MSG_DONTWAIT)), 1000);
	CHECK_OK(rump_sys_close(sv[0]));
	CHECK_OK(rump_sys_close(sv[1]));
}

/* msg: the one byte "byte" (iov) with n descriptors as SCM_RIGHTS in
 * cbuf (room for them); its control header, for tests to spoil. */
static struct cmsghdr *
rights_msg(struct msghdr *msg, struct iovec *iov, const char *byte,
    void *cbuf, const int *fds, int n)
{
	struct cmsghdr *cm;

	memset(msg, 0, sizeof(*msg));
	iov->iov_base = (void *)byte;
	iov->iov_len = 1;
	msg->msg_iov = iov;
	msg->msg_iovlen = 1;
	msg->msg_control = cbuf;
	msg->msg_controllen = CMSG_SPACE(n * sizeof(int));
	cm = CMSG_FIRSTHDR(msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(n * sizeof(int));
	memcpy(CMSG_DATA(cm), fds, n * sizeof(int));
	return cm;
}

static void
scm_rights(void **state)
{
	char buf[16], cbuf[CMSG_SPACE(2 * sizeof(int))];
	struct msghdr msg;
	struct iovec iov;
	struct cmsghdr *cm;
	int sv[2], fd, fds[2], got;

	(void)state;
	TEST_DIR();
	put_file(tp("passed"), "content of the file");
	fd = (int)CHECK_OK(rump_sys_open(tp("passed"), O_RDONLY, 0));
	CHECK_OK(rump_sys_socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	cm = rights_msg(&msg, &iov, "F", cbuf, &fd, 1);
	assert_int_equal(CHECK_OK(rump_sys_sendmsg(sv[0], &msg, 0)), 1);
	/* The sender's descriptor may go: the file is in flight. */
	CHECK_OK(rump_sys_close(fd));
	memset(&msg, 0, sizeof(msg));
	memset(cbuf, 0, sizeof(cbuf));
	iov.iov_base = buf;
	iov.iov_len = sizeof(buf);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cbuf;
	msg.msg_controllen = sizeof(cbuf);
	assert_int_equal(CHECK_OK(rump_sys_recvmsg(sv[1], &msg,
	    MSG_CMSG_CLOEXEC)), 1);
	assert_int_equal(msg.msg_flags & MSG_CTRUNC, 0);
	cm = CMSG_FIRSTHDR(&msg);
	assert_non_null(cm);
	assert_int_equal(cm->cmsg_level, SOL_SOCKET);
	assert_int_equal(cm->cmsg_type, SCM_RIGHTS);
	assert_int_equal(cm->cmsg_len, CMSG_LEN(sizeof(int)));
	memcpy(&got, CMSG_DATA(cm), sizeof(int));
	assert_int_equal(CHECK_OK(rump_sys_fcntl(got, F_GETFD, 0)),
	    FD_CLOEXEC);
	memset(buf, 0, sizeof(buf));
	assert_int_equal(CHECK_OK(rump_sys_read(got, buf, 7)), 7);
	assert_string_equal(buf, "content");
	CHECK_OK(rump_sys_close(got));

	/* No room for the descriptors: MSG_CTRUNC, and they are dropped. */
	fds[0] = sv[0];
	fds[1] = sv[1];
	cm = rights_msg(&msg, &iov, "G", cbuf, fds, 2);
	assert_int_equal(CHECK_OK(rump_sys_sendmsg(sv[0], &msg, 0)), 1);
	memset(&msg, 0, sizeof(msg));
	iov.iov_base = buf;
	iov.iov_len = sizeof(buf);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	assert_int_equal(CHECK_OK(rump_sys_recvmsg(sv[1], &msg, 0)), 1);
	assert_int_equal(msg.msg_flags & MSG_CTRUNC, MSG_CTRUNC);
	assert_int_equal(msg.msg_controllen, 0);

	/* A bad descriptor, a bad header. */
	fd = 999;
	cm = rights_msg(&msg, &iov, "H", cbuf, &fd, 1);
	CHECK_ERR(rump_sys_sendmsg(sv[0], &msg, 0), EBADF);
	cm->cmsg_len = CMSG_SPACE(sizeof(int)) + 64;
	CHECK_ERR(rump_sys_sendmsg(sv[0], &msg, 0), EINVAL);
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	cm->cmsg_type = 77;
	CHECK_ERR(rump_sys_sendmsg(sv[0], &msg, 0), EINVAL);
	/* Nothing of those was sent. */
	CHECK_ERR(rump_sys_recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT),
	    EAGAIN);
	CHECK_OK(rump_sys_close(sv[0]));
	CHECK_OK(rump_sys_close(sv[1]));
}

/* A stream read that takes descriptors ends with the data sent with them
 * (Linux); the next write's bytes come in the next read. */
static void
scm_rights_read_boundary(void **state)
{
	char buf[32], cbuf[CMSG_SPACE(sizeof(int))];
	struct msghdr msg;
	struct iovec iov;
	struct cmsghdr *cm;
	int sv[2], fd, got;

	(void)state;
	TEST_DIR();
	put_file(tp("b"), "x");
	fd = (int)CHECK_OK(rump_sys_open(tp("b"), O_RDONLY, 0));
	CHECK_OK(rump_sys_socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	assert_int_equal(CHECK_OK(rump_sys_write(sv[0], "ab", 2)), 2);
	cm = rights_msg(&msg, &iov, "F", cbuf, &fd, 1);
	assert_int_equal(CHECK_OK(rump_sys_sendmsg(sv[0], &msg, 0)), 1);
	assert_int_equal(CHECK_OK(rump_sys_write(sv[0], "HELLO", 5)), 5);
	/* Plain bytes before run into the descriptors' byte; the read
	 * stops after it. */
	memset(&msg, 0, sizeof(msg));
	memset(buf, 0, sizeof(buf));
	iov.iov_base = buf;
	iov.iov_len = sizeof(buf);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cbuf;
	msg.msg_controllen = sizeof(cbuf);
	assert_int_equal(CHECK_OK(rump_sys_recvmsg(sv[1], &msg, 0)), 3);
	assert_memory_equal(buf, "abF", 3);
	cm = CMSG_FIRSTHDR(&msg);
	assert_non_null(cm);
	assert_int_equal(cm->cmsg_type, SCM_RIGHTS);
	memcpy(&got, CMSG_DATA(cm), sizeof(int));
	CHECK_OK(rump_sys_close(got));
	memset(buf, 0, sizeof(buf));
	assert_int_equal(CHECK_OK(rump_sys_read(sv[1], buf, sizeof(buf))), 5);
	assert_string_equal(buf, "HELLO");
	CHECK_OK(rump_sys_close(fd));
	CHECK_OK(rump_sys_close(sv[0]));
	CHECK_OK(rump_sys_close(sv[1]));
}

static void
scm_credentials(void **state)
{
	char buf[16], cbuf[CMSG_SPACE(sizeof(struct ucred))];
	struct ucred uc;
	struct msghdr msg;
	struct iovec iov;
	struct cmsghdr *cm;
	socklen_t len;
	int sv[2], on = 1;

	(void)state;
	CHECK_OK(rump_sys_socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
	len = sizeof(uc);
	CHECK_OK(rump_sys_getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &uc,
	    &len));
	assert_int_equal(len, sizeof(uc));
	assert_int_equal(uc.pid, rump_sys_getpid());
	assert_int_equal(uc.uid, rump_sys_geteuid());
	assert_int_equal(uc.gid, rump_sys_getegid());
	CHECK_OK(rump_sys_setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on,
	    sizeof(on)));
	assert_int_equal(CHECK_OK(rump_sys_send(sv[0], "c", 1, 0)), 1);
	memset(&msg, 0, sizeof(msg));
	iov.iov_base = buf;
	iov.iov_len = sizeof(buf);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cbuf;
	msg.msg_controllen = sizeof(cbuf);
	assert_int_equal(CHECK_OK(rump_sys_recvmsg(sv[1], &msg, 0)), 1);
	cm = CMSG_FIRSTHDR(&msg);
	assert_non_null(cm);
	assert_int_equal(cm->cmsg_type, SCM_CREDENTIALS);
	memcpy(&uc, CMSG_DATA(cm), sizeof(uc));
	assert_int_equal(uc.pid, rump_sys_getpid());
	assert_int_equal(uc.uid, rump_sys_geteuid());

	/* A non-root sender cannot claim another pid. */
	user_enter();
	memset(&msg, 0, sizeof(msg));
	iov.iov_base = "d";
	iov.iov_len = 1;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cbuf;
	msg.msg_controllen = sizeof(cbuf);
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_CREDENTIALS;
	cm->cmsg_len = CMSG_LEN(sizeof(uc));
	uc.pid = rump_sys_getpid() + 1000;
	uc.uid = USER_UID;
	uc.gid = USER_GID;
	memcpy(CMSG_DATA(cm), &uc, sizeof(uc));
	CHECK_ERR(rump_sys_sendmsg(sv[0], &msg, 0), EPERM);
	/* Nor a uid that is none of its real, effective and saved ones. */
	uc.pid = rump_sys_getpid();
	uc.uid = USER_UID + 1;
	memcpy(CMSG_DATA(cm), &uc, sizeof(uc));
	CHECK_ERR(rump_sys_sendmsg(sv[0], &msg, 0), EPERM);
	uc.uid = USER_UID;
	memcpy(CMSG_DATA(cm), &uc, sizeof(uc));
	assert_int_equal(CHECK_OK(rump_sys_sendmsg(sv[0], &msg, 0)), 1);
	user_leave();
	CHECK_OK(rump_sys_close(sv[0]));
	CHECK_OK(rump_sys_close(sv[1]));
}

/* A sysctl counter of the kernel (net.core.*). */
static long
counter(const char *name)
{
	char path[128], buf[64];

	snprintf(path, sizeof(path), "/proc/sys/net/core/%s", name);
	get_file(path, buf, sizeof(buf));
	return atol(buf);
}

static void
many_socketpairs_no_leak(void **state)
{
	long socks, mbufs, kmem;
	int sv[2], first;

	(void)state;
	HOST_INVALID();
	/* One round first, so that caches are warm. */
	CHECK_OK(rump_sys_socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	first = sv[0];
	CHECK_OK(rump_sys_write(sv[0], "w", 1));
	CHECK_OK(rump_sys_close(sv[0]));
	CHECK_OK(rump_sys_close(sv[1]));
	socks = counter("sockets");
	mbufs = counter("mbufs");
	kmem = counter("kmem_inuse");
	for (int i = 0; i < 1000; i++) {
		int types[] = { SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET };

		CHECK_OK(rump_sys_socketpair(AF_UNIX, types[i % 3], 0, sv));
		assert_int_equal(sv[0], first);
		CHECK_OK(rump_sys_send(sv[0], "data", 4, 0));
		if (i % 2)
			CHECK_OK(rump_sys_recv(sv[1], (char[8]){ 0 }, 8, 0));
		CHECK_OK(rump_sys_close(sv[0]));
		CHECK_OK(rump_sys_close(sv[1]));
	}
	assert_int_equal(counter("sockets"), socks);
	assert_int_equal(counter("mbufs"), mbufs);
	assert_int_equal(counter("kmem_inuse"), kmem);
}

static int
group_setup(void **state)
{
	(void)state;
	return test_kernel_init("unix");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pair_stream),
		cmocka_unit_test(pair_dgram_seqpacket),
		cmocka_unit_test(socket_errors),
		cmocka_unit_test(path_bind_connect),
		cmocka_unit_test(abstract_and_autobind),
		cmocka_unit_test(dgram_connected),
		cmocka_unit_test(dgram_full_and_emsgsize),
		cmocka_unit_test(scm_rights),
		cmocka_unit_test(scm_rights_read_boundary),
		cmocka_unit_test(scm_credentials),
		cmocka_unit_test(many_socketpairs_no_leak),
	};

	return cmocka_run_group_tests_name("unix", tests, group_setup, NULL);
}
