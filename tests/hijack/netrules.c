/*
 * netrules: the socket rules of the hijack, checked by a plain libc
 * program that runs unmodified under librumphijack.so with DIR in the
 * kernel (/rump/...); ../hijack_net.bats runs it.
 *
 *   netrules DIR hostrights	(default socket=: host unix sockets)
 *   netrules DIR unix		(unix sockets named under DIR)
 *   netrules DIR fifopipe	(SIGPIPE from a kernel fifo)
 *
 * hostrights: a kernel descriptor cannot leave through a host socket
 * (EBADF, nothing sent), a host one still can.  unix: a host unix socket
 * bound or sent to a name under DIR becomes the kernel's under the same
 * number with its flags; names come back as the program gave them;
 * accepted sockets, SCM_RIGHTS both ways (and EBADF for a host
 * descriptor), FIONREAD, FIONBIO, poll, dup, fork, shutdown, EPIPE with
 * and without SIGPIPE, isfdtype.  Prints "ok WHAT" or "FAIL WHAT: ..."
 * per check; exit 0 only if every check passed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *dir;
static int failures;

static void
check(bool ok, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	fputs(ok ? "ok " : "FAIL ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (!ok) {
		printf(" (errno %d %s)", saved, strerror(saved));
		failures++;
	}
	putchar('\n');
	fflush(stdout);
	errno = 0;
}

static socklen_t
addr(struct sockaddr_un *sun, const char *name)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	snprintf(sun->sun_path, sizeof(sun->sun_path), "%s/%s", dir, name);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
	    strlen(sun->sun_path) + 1);
}

/* Sends one byte with the descriptors fds[0..n) as SCM_RIGHTS. */
static ssize_t
send_fds(int s, const int *fds, int n)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(4 * sizeof(int))];
	} u;
	struct iovec iov = { .iov_base = "F", .iov_len = 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
	    .msg_control = u.buf, .msg_controllen = CMSG_SPACE(n * sizeof(int)) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);

	memset(u.buf, 0, sizeof(u.buf));
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(n * sizeof(int));
	memcpy(CMSG_DATA(c), fds, n * sizeof(int));
	return sendmsg(s, &m, 0);
}

/* Receives one byte and up to 4 descriptors; returns how many. */
static int
recv_fds(int s, int *fds, int flags)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(4 * sizeof(int))];
	} u;
	char b;
	struct iovec iov = { .iov_base = &b, .iov_len = 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
	    .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *c;
	int n = 0;

	if (recvmsg(s, &m, flags) != 1)
		return -1;
	for (c = CMSG_FIRSTHDR(&m); c != NULL; c = CMSG_NXTHDR(&m, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			n = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
			memcpy(fds, CMSG_DATA(c), n * sizeof(int));
		}
	return n;
}

static bool
reads(int fd, const char *want)
{
	char buf[64];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n < 0)
		return false;
	buf[n] = '\0';
	return strcmp(buf, want) == 0;
}

static int
kfile(void)
{
	char p[PATH_MAX];
	int fd;

	snprintf(p, sizeof(p), "%s/file", dir);
	fd = open(p, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0 && write(fd, "kernel file\n", 12) != 12)
		return -1;
	return fd;
}

static void
hostrights(void)
{
	int sv[2], f = kfile(), h = open("/dev/null", O_RDONLY), got[4];
	int avail = -1;

	check(f >= 0 && h >= 0, "a kernel file and a host file open");
	check(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0,
	    "socketpair(AF_UNIX) under the default");
	errno = 0;
	check(send_fds(sv[0], &f, 1) == -1 && errno == EBADF,
	    "a kernel descriptor on a host socket: EBADF");
	check(ioctl(sv[1], FIONREAD, &avail) == 0 && avail == 0,
	    "nothing was sent");
	check(send_fds(sv[0], &h, 1) == 1, "a host descriptor on a host socket");
	check(recv_fds(sv[1], got, 0) == 1 && got[0] != h,
	    "it arrives as a new descriptor");
}

static volatile sig_atomic_t pipes;

static void
onpipe(int sig)
{
	(void)sig;
	pipes++;
}

static void
unixrules(void)
{
	struct sockaddr_un a, b;
	struct stat st;
	socklen_t alen, blen;
	int s, s0, c, l, k, f, got[4], v, h;
	char buf[16];
	pid_t pid;
	struct pollfd pfd;

	/* A host socket named under DIR: the kernel's, same number, flags. */
	s0 = s = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	alen = addr(&a, "dgram");
	check(bind(s, (struct sockaddr *)&a, alen) == 0, "bind under DIR");
	check(s == s0 && (fcntl(s, F_GETFL) & O_NONBLOCK) &&
	    (fcntl(s, F_GETFD) & FD_CLOEXEC), "same number, O_NONBLOCK, "
	    "FD_CLOEXEC");
	check(stat(a.sun_path, &st) == 0 && S_ISSOCK(st.st_mode),
	    "stat shows a socket");
	blen = sizeof(b);
	check(getsockname(s, (struct sockaddr *)&b, &blen) == 0 &&
	    blen == alen && strcmp(b.sun_path, a.sun_path) == 0,
	    "getsockname: the name as bound");
	errno = 0;
	check(recv(s, buf, sizeof(buf), 0) == -1 && errno == EAGAIN,
	    "empty non-blocking recv: EAGAIN");
	c = socket(AF_UNIX, SOCK_DGRAM, 0);
	check(sendto(c, "dg", 2, 0, (struct sockaddr *)&a, alen) == 2,
	    "sendto the name from a fresh host socket");
	v = -1;
	check(ioctl(s, FIONREAD, &v) == 0 && v == 2, "FIONREAD");
	blen = sizeof(b);
	check(recvfrom(s, buf, sizeof(buf), 0, (struct sockaddr *)&b,
	    &blen) == 2 && memcmp(buf, "dg", 2) == 0, "recvfrom");
	v = 0;
	check(ioctl(s, FIONBIO, &v) == 0 && !(fcntl(s, F_GETFL) & O_NONBLOCK),
	    "FIONBIO clears O_NONBLOCK");
	close(c);
	close(s);

	/* Streams: listen, connect, accept4. */
	l = socket(AF_UNIX, SOCK_STREAM, 0);
	alen = addr(&a, "stream");
	check(bind(l, (struct sockaddr *)&a, alen) == 0 && listen(l, 4) == 0,
	    "bind and listen under DIR");
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	check(connect(c, (struct sockaddr *)&a, alen) == 0, "connect");
	blen = sizeof(b);
	k = accept4(l, (struct sockaddr *)&b, &blen, SOCK_CLOEXEC);
	check(k >= 0 && (fcntl(k, F_GETFD) & FD_CLOEXEC), "accept4 with "
	    "SOCK_CLOEXEC");
	blen = sizeof(b);
	check(getpeername(c, (struct sockaddr *)&b, &blen) == 0 &&
	    strcmp(b.sun_path, a.sun_path) == 0, "getpeername: the name");
	check(isfdtype(k, S_IFSOCK) == 1, "isfdtype(S_IFSOCK)");

	/* SCM_RIGHTS: a kernel file across, a host one refused. */
	f = kfile();
	check(send_fds(c, &f, 1) == 1, "send a kernel file with SCM_RIGHTS");
	check(recv_fds(k, got, MSG_CMSG_CLOEXEC) == 1 && got[0] != f &&
	    reads(got[0], "kernel file\n") &&
	    (fcntl(got[0], F_GETFD) & FD_CLOEXEC),
	    "received: a new descriptor of the file, MSG_CMSG_CLOEXEC");
	h = open("/dev/null", O_RDONLY);
	errno = 0;
	check(send_fds(c, &h, 1) == -1 && errno == EBADF,
	    "a host descriptor on a kernel socket: EBADF");

	/* poll, dup, fork. */
	pfd.fd = k;
	pfd.events = POLLIN;
	check(poll(&pfd, 1, 0) == 0, "poll: nothing to read");
	if ((pid = fork()) == 0)
		_exit(write(c, "child", 5) == 5 ? 0 : 1);
	waitpid(pid, &v, 0);
	check(WIFEXITED(v) && WEXITSTATUS(v) == 0, "a forked child writes");
	check(poll(&pfd, 1, 5000) == 1 && (pfd.revents & POLLIN),
	    "poll: readable");
	s = dup(k);
	close(k);
	check(read(s, buf, 5) == 5 && memcmp(buf, "child", 5) == 0,
	    "read on a dup after close of the original");
	check(shutdown(c, SHUT_WR) == 0 && read(s, buf, 1) == 0,
	    "shutdown: the peer reads EOF");

	/* EPIPE: SIGPIPE unless MSG_NOSIGNAL. */
	signal(SIGPIPE, onpipe);
	close(s);
	errno = 0;
	check(send(c, "x", 1, MSG_NOSIGNAL) == -1 && errno == EPIPE &&
	    pipes == 0, "EPIPE with MSG_NOSIGNAL, no signal");
	errno = 0;
	check(send(c, "x", 1, 0) == -1 && errno == EPIPE && pipes == 1,
	    "EPIPE and SIGPIPE");
	close(c);
	close(l);
	check(unlink(a.sun_path) == 0, "unlink the name");
}

/* write(2) on a kernel fifo without readers: EPIPE and SIGPIPE, as on
 * Linux (the kernel cannot signal; the shim does). */
static void
fifopipe(void)
{
	char p[PATH_MAX];
	int r, w;

	snprintf(p, sizeof(p), "%s/fifo", dir);
	check(mkfifo(p, 0600) == 0, "mkfifo in the kernel");
	r = open(p, O_RDONLY | O_NONBLOCK);
	w = open(p, O_WRONLY | O_NONBLOCK);
	check(r >= 0 && w >= 0, "both ends open");
	close(r);
	signal(SIGPIPE, onpipe);
	errno = 0;
	check(write(w, "x", 1) == -1 && errno == EPIPE && pipes == 1,
	    "write without readers: EPIPE and SIGPIPE");
	errno = 0;
	check(writev(w, &(struct iovec){ .iov_base = "x", .iov_len = 1 }, 1) ==
	    -1 && errno == EPIPE && pipes == 2, "writev: EPIPE and SIGPIPE");
	signal(SIGPIPE, SIG_DFL);
	close(w);
}

int
main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: netrules DIR hostrights|unix|fifopipe\n");
		return 2;
	}
	dir = argv[1];
	if (strcmp(argv[2], "hostrights") == 0)
		hostrights();
	else if (strcmp(argv[2], "unix") == 0)
		unixrules();
	else if (strcmp(argv[2], "fifopipe") == 0)
		fifopipe();
	else
		return 2;
	return failures ? 1 : 0;
}
