/*
 * fdrules: the descriptor rules of the hijack, checked by a plain libc
 * program that runs unmodified, under librumphijack.so with DIR in the
 * kernel (/rump/...), or on the host with DIR a host directory as the
 * reference (../hijack.bats runs both and compares).
 *
 *   fdrules DIR dup2|fork|exec|dupfd|closerange|select|pollfile|pollfifo|epoll
 *   fdrules DIR epollet|epolldup
 *
 * Prints one line per check, "ok WHAT" or "FAIL WHAT: detail", and exits
 * 0 only if every check passed.  The lines name no paths, descriptor
 * numbers or times, so the host's and the kernel's outputs are equal.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
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
	errno = 0;	/* a FAIL line shows the errno of its own check */
}

/* DIR/name, in one of a few rotating buffers. */
static const char *
P(const char *name)
{
	static char buf[4][PATH_MAX];
	static int i;
	char *b = buf[i++ % 4];

	snprintf(b, PATH_MAX, "%s/%s", dir, name);
	return b;
}

/* The whole content of fd from offset 0, NUL-terminated. */
static const char *
content(int fd)
{
	static char buf[4096];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	buf[n < 0 ? 0 : n] = '\0';
	return buf;
}

static bool
is_closed(int fd)
{
	errno = 0;
	return fcntl(fd, F_GETFD) == -1 && errno == EBADF;
}

static double
now(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Lowest descriptor number not in use. */
static int
lowest_free(void)
{
	int fd = 0;

	while (fcntl(fd, F_GETFD) != -1)
		fd++;
	return fd;
}

/* --- dup2 of a kernel descriptor onto stdout ----------------------------- */

static void
t_dup2(void)
{
	const char *want = "printf line 1\nwrite line\ndprintf line 2\n";
	int saved, fd, p[2];
	char c = 0;

	fd = open(P("dup2.out"), O_CREAT | O_WRONLY | O_TRUNC, 0644);
	check(fd >= 0, "open a file");
	check(fd >= 0 && fd < 64, "its descriptor is a small number");
	saved = dup(1);
	check(saved >= 0, "dup(1) keeps stdout");
	fflush(stdout);
	if (dup2(fd, 1) != 1) {
		check(false, "dup2 onto 1");
		return;
	}
	printf("printf line %d\n", 1);
	fflush(stdout);
	if (write(1, "write line\n", 11) != 11)
		failures++;
	dprintf(1, "dprintf line %d\n", 2);
	dup2(saved, 1);
	close(saved);
	check(true, "dup2 onto 1");
	close(fd);

	fd = open(P("dup2.out"), O_RDONLY);
	check(fd >= 0, "reopen it");
	check(strcmp(content(fd), want) == 0,
	    "printf, write and dprintf on 1 landed in the file");
	close(fd);

	/* A host descriptor dup2'd over a kernel one replaces it. */
	fd = open(P("dup2.other"), O_CREAT | O_RDWR | O_TRUNC, 0644);
	check(fd >= 0 && pipe(p) == 0, "open a file and a pipe");
	check(dup2(p[1], fd) == fd, "dup2 a pipe over the file's number");
	check(write(fd, "x", 1) == 1 && read(p[0], &c, 1) == 1 && c == 'x',
	    "that number writes into the pipe now");
	close(fd);
	close(p[0]);
	close(p[1]);
	fd = open(P("dup2.other"), O_RDONLY);
	check(fd >= 0 && content(fd)[0] == '\0', "the file got nothing");
	close(fd);
}

/* --- fork: the child shares the parent's open files ---------------------- */

static void
t_fork(void)
{
	int fd, st = -1;
	pid_t pid;

	fd = open(P("fork.out"), O_CREAT | O_RDWR | O_TRUNC, 0644);
	check(fd >= 0, "open a file");
	fflush(stdout);
	if ((pid = fork()) == 0) {
		int f2, ok = write(fd, "child\n", 6) == 6;

		f2 = open(P("fork.child"), O_CREAT | O_WRONLY | O_TRUNC, 0644);
		ok = ok && f2 >= 0 && write(f2, "made by the child\n", 18) == 18;
		close(f2);
		close(fd);
		_exit(ok ? 0 : 1);
	}
	check(pid > 0, "fork");
	check(waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	    WEXITSTATUS(st) == 0, "the child wrote through the inherited "
	    "descriptor and made a file");
	check(write(fd, "parent\n", 7) == 7, "the parent writes after it");
	check(strcmp(content(fd), "child\nparent\n") == 0,
	    "the parent sees the child's data, the offset is shared");
	check(lseek(fd, 0, SEEK_CUR) == 13, "the offset is past both");
	check(access(P("fork.child"), F_OK) == 0,
	    "the parent sees the child's file");

	/* A second child that exits through exit() (stdio, atexit). */
	fflush(stdout);
	if ((pid = fork()) == 0) {
		FILE *f = fdopen(dup(fd), "w");

		if (f == NULL)
			_exit(1);
		fprintf(f, "stdio child\n");
		exit(fclose(f) == 0 ? 0 : 1);
	}
	check(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	    WEXITSTATUS(st) == 0, "a child writes with stdio and exits");
	check(strcmp(content(fd), "child\nparent\nstdio child\n") == 0,
	    "the parent sees that too");
	check(write(fd, "", 0) == 0, "the parent's descriptor still works");
	close(fd);
}

/* --- exec: what survives execve ------------------------------------------ */

static char exe[PATH_MAX];

/*
 * What a shell does for "fdrules exec-stdio <in >out": fork, open both,
 * dup2 them onto 0 and 1, close the originals, exec.  Before anything
 * else: the parent has not used the kernel yet when it forks.
 */
static void
exec_redirected(void)
{
	int in, out, st = -1;
	pid_t pid;

	fflush(stdout);
	if ((pid = fork()) == 0) {
		in = open(P("exec.in"), O_CREAT | O_RDWR | O_TRUNC, 0644);
		if (in < 0 || write(in, "to stdin\n", 9) != 9 ||
		    lseek(in, 0, SEEK_SET) != 0)
			_exit(2);
		out = open(P("exec.out"), O_CREAT | O_WRONLY | O_TRUNC, 0644);
		if (out < 0 || dup2(in, 0) != 0 || dup2(out, 1) != 1)
			_exit(3);
		close(in);
		close(out);
		execl(exe, "fdrules", dir, "exec-stdio", (char *)NULL);
		_exit(4);
	}
	check(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	    WEXITSTATUS(st) == 0, "fork, dup2 files onto 0 and 1, exec: "
	    "the new image exits 0");
	out = open(P("exec.out"), O_RDONLY);
	check(out >= 0 && strcmp(content(out), "read to stdin\n") == 0,
	    "it read the file on 0 and wrote the other on 1");
	close(out);
}

/* The image exec_redirected() starts: stdin to stdout, with "read ". */
static int
t_exec_stdio(void)
{
	char buf[256];
	ssize_t n = read(0, buf, sizeof(buf));

	if (n <= 0)
		return 1;
	if (write(1, "read ", 5) != 5 || write(1, buf, (size_t)n) != n)
		return 1;
	return 0;
}

static void
t_exec(void)
{
	char a[4][16];
	ssize_t n;
	int keep, clo, setfd, dupcl;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0) {
		check(false, "readlink /proc/self/exe");
		return;
	}
	exe[n] = '\0';
	exec_redirected();

	keep = open(P("exec.keep"), O_CREAT | O_RDWR | O_TRUNC, 0644);
	clo = open(P("exec.cloexec"), O_CREAT | O_RDWR | O_TRUNC | O_CLOEXEC,
	    0644);
	setfd = open(P("exec.setfd"), O_CREAT | O_RDWR | O_TRUNC, 0644);
	check(keep >= 0 && clo >= 0 && setfd >= 0, "open three files");
	check(write(keep, "keep", 4) == 4, "write to the first");
	check(fcntl(keep, F_GETFD) == 0, "the first is not close-on-exec");
	check(fcntl(clo, F_GETFD) == FD_CLOEXEC,
	    "O_CLOEXEC shows in F_GETFD");
	check(fcntl(setfd, F_SETFD, FD_CLOEXEC) == 0 &&
	    fcntl(setfd, F_GETFD) == FD_CLOEXEC, "F_SETFD FD_CLOEXEC");
	dupcl = fcntl(keep, F_DUPFD_CLOEXEC, 0);
	check(dupcl >= 0 && fcntl(dupcl, F_GETFD) == FD_CLOEXEC,
	    "F_DUPFD_CLOEXEC");
	snprintf(a[0], sizeof(a[0]), "%d", keep);
	snprintf(a[1], sizeof(a[1]), "%d", clo);
	snprintf(a[2], sizeof(a[2]), "%d", setfd);
	snprintf(a[3], sizeof(a[3]), "%d", dupcl);
	fflush(stdout);
	execl(exe, "fdrules", dir, "exec-child", a[0], a[1], a[2], a[3],
	    (char *)NULL);
	check(false, "execl");
}

static void
t_exec_child(char **argv)
{
	int keep = atoi(argv[0]), clo = atoi(argv[1]), setfd = atoi(argv[2]),
	    dupcl = atoi(argv[3]), fd;
	struct stat st;
	char c;

	check(true, "the new image runs");
	check(fcntl(keep, F_GETFD) == 0, "the non-cloexec file survived exec");
	check(fstat(keep, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 4,
	    "fstat on it: the file of 4 bytes");
	check(lseek(keep, 0, SEEK_CUR) == 4, "its offset survived");
	check(write(keep, "+exec", 5) == 5, "the new image writes to it");
	check(strcmp(content(keep), "keep+exec") == 0, "and reads it back");
	check(is_closed(clo), "the O_CLOEXEC file is closed (EBADF)");
	errno = 0;
	check(read(clo, &c, 1) == -1 && errno == EBADF,
	    "read on it fails with EBADF");
	check(is_closed(setfd), "the F_SETFD FD_CLOEXEC file is closed");
	check(is_closed(dupcl), "the F_DUPFD_CLOEXEC copy is closed");
	fd = open(P("exec.keep"), O_RDONLY);
	check(fd >= 0 && fd != keep, "a new open gets another number");
	check(fd >= 0 && strcmp(content(fd), "keep+exec") == 0,
	    "and the same file");
	close(fd);
	close(keep);
}

/* --- F_DUPFD and dup ----------------------------------------------------- */

static void
t_dupfd(void)
{
	int fd, d100, d100c, d, h, d200;

	fd = open(P("dupfd"), O_CREAT | O_RDWR | O_TRUNC, 0644);
	check(fd >= 0, "open a file");
	d100 = fcntl(fd, F_DUPFD, 100);
	check(d100 >= 100, "F_DUPFD 100 gives >= 100");
	check(fcntl(d100, F_GETFD) == 0, "without close-on-exec");
	d100c = fcntl(fd, F_DUPFD_CLOEXEC, 100);
	check(d100c >= 100 && d100c != d100, "F_DUPFD_CLOEXEC 100: another "
	    "number >= 100");
	check(fcntl(d100c, F_GETFD) == FD_CLOEXEC, "with close-on-exec");
	check(write(d100, "abc", 3) == 3, "write through the copy");
	check(lseek(fd, 0, SEEK_CUR) == 3 && lseek(d100c, 0, SEEK_CUR) == 3,
	    "the offset is shared by all three");
	check(strcmp(content(fd), "abc") == 0, "the original reads it");
	d = lowest_free();
	check(dup(fd) == d, "dup gives the lowest free number");
	h = open("/dev/null", O_RDONLY);
	check(h >= 0 && h != fd && h != d && h != d100 && h != d100c,
	    "a host open does not reuse a kernel number");
	close(h);
	d200 = dup2(fd, 200);
	check(d200 == 200, "dup2 onto 200");
	check(close(fd) == 0, "close the original");
	check(write(d200, "d", 1) == 1 && write(d100, "e", 1) == 1 &&
	    strcmp(content(d100c), "abcde") == 0, "the copies still work");
	check(fcntl(fd, F_DUPFD, 100) == -1 && errno == EBADF,
	    "F_DUPFD on the closed one: EBADF");
	close(d);
	close(d100);
	close(d100c);
	close(d200);
	check(is_closed(d100) && is_closed(d200), "all closed");
}

/* --- close_range ----------------------------------------------------------- */

static void
t_closerange(void)
{
	int k[3], p[2], first, fd, i;

	first = lowest_free();
	for (i = 0; i < 3; i++)
		k[i] = open(P("cr"), O_CREAT | O_RDWR, 0644);
	check(k[0] >= 0 && k[1] >= 0 && k[2] >= 0 && pipe(p) == 0,
	    "open three files and a pipe");
	check(close_range((unsigned)k[1], (unsigned)k[1], 0) == 0,
	    "close_range over one file");
	check(is_closed(k[1]) && !is_closed(k[0]) && !is_closed(k[2]),
	    "only that one is closed");
	check(close_range((unsigned)first, ~0U, CLOSE_RANGE_CLOEXEC) == 0,
	    "close_range CLOSE_RANGE_CLOEXEC over all of them");
	check(fcntl(k[0], F_GETFD) == FD_CLOEXEC &&
	    fcntl(k[2], F_GETFD) == FD_CLOEXEC &&
	    fcntl(p[0], F_GETFD) == FD_CLOEXEC, "all are close-on-exec");
	check(write(k[0], "x", 1) == 1, "and still open");
	check(close_range((unsigned)first, ~0U, 0) == 0,
	    "close_range over all of them");
	check(is_closed(k[0]) && is_closed(k[2]), "the files are closed");
	check(is_closed(p[0]) && is_closed(p[1]), "the pipe is closed");
	errno = 0;
	check(write(k[0], "x", 1) == -1 && errno == EBADF,
	    "write on a closed one: EBADF");
	fd = open(P("cr"), O_RDWR);
	check(fd == first, "the next open gets the lowest number again");
	check(fd >= 0 && strcmp(content(fd), "x") == 0,
	    "the files are reachable after close_range");
	close(fd);
}

/* --- select ---------------------------------------------------------------- */

static void
t_select(void)
{
	struct timeval tv;
	fd_set r, w;
	int fd, p[2], n;
	double t0;

	fd = open(P("sel"), O_CREAT | O_RDWR | O_TRUNC, 0644);
	check(fd >= 0 && fd < FD_SETSIZE, "a file's descriptor is < "
	    "FD_SETSIZE");
	check(pipe(p) == 0, "a host pipe");
	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_SET(fd, &r);
	FD_SET(fd, &w);
	FD_SET(p[0], &r);
	tv.tv_sec = 5;
	tv.tv_usec = 0;
	n = select((fd > p[0] ? fd : p[0]) + 1, &r, &w, NULL, &tv);
	check(n == 2, "select: 2 ready (the file both ways)");
	check(FD_ISSET(fd, &r) && FD_ISSET(fd, &w) && !FD_ISSET(p[0], &r),
	    "the file is readable and writable, the empty pipe is not");
	check(write(p[1], "x", 1) == 1, "write into the pipe");
	FD_ZERO(&r);
	FD_SET(fd, &r);
	FD_SET(p[0], &r);
	tv.tv_sec = 5;
	n = select((fd > p[0] ? fd : p[0]) + 1, &r, NULL, NULL, &tv);
	check(n == 2 && FD_ISSET(fd, &r) && FD_ISSET(p[0], &r),
	    "now both are readable");
	FD_ZERO(&r);
	FD_SET(p[1], &r);	/* a pipe's write end never reads */
	tv.tv_sec = 0;
	tv.tv_usec = 200000;
	t0 = now(CLOCK_MONOTONIC);
	n = select(p[1] + 1, &r, NULL, NULL, &tv);
	check(n == 0 && now(CLOCK_MONOTONIC) - t0 >= 0.15,
	    "select times out");
	close(fd);
	close(p[0]);
	close(p[1]);
}

/* --- poll ------------------------------------------------------------------ */

struct later {
	int fd;
	double delay;
};

static void *
write_later(void *arg)
{
	struct later *l = arg;
	struct timespec ts = { 0, (long)(l->delay * 1e9) };

	nanosleep(&ts, NULL);
	if (write(l->fd, "w", 1) != 1)
		perror("fdrules: write_later");
	return NULL;
}

/*
 * poll(fds, n, ms) that another thread makes ready after delay seconds
 * (by writing to wfd; wfd -1: nothing happens).  Checks the result count,
 * that it took about the right time, and that it waited without burning
 * the CPU.
 */
static void
poll_case(const char *what, struct pollfd *fds, int nfds, int ms, int wfd,
    double delay, int want)
{
	struct later l = { wfd, delay };
	pthread_t t;
	double t0, c0, dt, dc, expect;
	int n;

	if (wfd >= 0)
		pthread_create(&t, NULL, write_later, &l);
	t0 = now(CLOCK_MONOTONIC);
	c0 = now(CLOCK_PROCESS_CPUTIME_ID);
	n = poll(fds, (nfds_t)nfds, ms);
	dt = now(CLOCK_MONOTONIC) - t0;
	dc = now(CLOCK_PROCESS_CPUTIME_ID) - c0;
	if (wfd >= 0)
		pthread_join(t, NULL);
	expect = wfd >= 0 ? delay : (want == 0 ? ms / 1000.0 : 0);
	check(n == want, "%s: poll returns %d", what, want);
	check(dt >= expect * 0.8 && dt < expect + 1.0,
	    "%s: returns after the right time", what);
	check(dc < 0.1 + dt * 0.3, "%s: without busy-waiting", what);
}

static void
t_pollfile(void)
{
	struct pollfd fds[2];
	int fd, p[2];

	fd = open(P("pollfile"), O_CREAT | O_RDWR | O_TRUNC, 0644);
	check(fd >= 0 && pipe(p) == 0, "a file and a host pipe");
	fds[0] = (struct pollfd){ .fd = p[0], .events = POLLIN };
	fds[1] = (struct pollfd){ .fd = fd, .events = POLLIN | POLLOUT };
	poll_case("file ready", fds, 2, 5000, -1, 0, 1);
	check(fds[0].revents == 0, "the empty pipe: no events");
	check(fds[1].revents == (POLLIN | POLLOUT),
	    "the file: POLLIN|POLLOUT");

	/* A file never has POLLPRI: this waits on the pipe alone. */
	fds[1].events = POLLPRI;
	poll_case("nothing ready", fds, 2, 1000, -1, 0, 0);
	check(fds[0].revents == 0 && fds[1].revents == 0, "no events");
	poll_case("pipe written later", fds, 2, 10000, p[1], 0.3, 1);
	check(fds[0].revents == POLLIN && fds[1].revents == 0,
	    "the pipe: POLLIN, the file: none");
	fds[1].events = POLLIN;
	poll_case("both ready", fds, 2, 5000, -1, 0, 2);
	check(fds[0].revents == POLLIN && fds[1].revents == POLLIN,
	    "both: POLLIN");

	/* A closed descriptor number is POLLNVAL. */
	close(fd);
	fds[1].revents = 0;
	check(poll(&fds[1], 1, 0) == 1 && fds[1].revents == POLLNVAL,
	    "a closed file's number: POLLNVAL");
	close(p[0]);
	close(p[1]);
}

static void
t_pollfifo(void)
{
	struct pollfd fds[2];
	int rd, wr, p[2];
	char c;

	check(mkfifo(P("fifo"), 0600) == 0, "mkfifo");
	rd = open(P("fifo"), O_RDONLY | O_NONBLOCK);
	wr = open(P("fifo"), O_WRONLY | O_NONBLOCK);
	check(rd >= 0 && wr >= 0, "open both ends");
	check(pipe(p) == 0, "a host pipe");
	fds[0] = (struct pollfd){ .fd = p[0], .events = POLLIN };
	fds[1] = (struct pollfd){ .fd = rd, .events = POLLIN };
	poll_case("nothing ready", fds, 2, 1000, -1, 0, 0);
	check(fds[0].revents == 0 && fds[1].revents == 0, "no events");
	poll_case("fifo written later", fds, 2, 10000, wr, 0.3, 1);
	check(fds[0].revents == 0 && fds[1].revents == POLLIN,
	    "the pipe: none, the fifo: POLLIN");
	check(read(rd, &c, 1) == 1 && c == 'w', "read the fifo");
	poll_case("pipe written later", fds, 2, 10000, p[1], 0.3, 1);
	check(fds[0].revents == POLLIN && fds[1].revents == 0,
	    "the pipe: POLLIN, the fifo: none");
	check(write(wr, "v", 1) == 1, "write the fifo");
	poll_case("both ready", fds, 2, 5000, -1, 0, 2);
	check(fds[0].revents == POLLIN && fds[1].revents == POLLIN,
	    "both: POLLIN");
	fds[1] = (struct pollfd){ .fd = wr, .events = POLLOUT };
	check(poll(&fds[1], 1, 1000) == 1 && fds[1].revents == POLLOUT,
	    "the fifo's write end: POLLOUT");
	close(wr);
	fds[1] = (struct pollfd){ .fd = rd, .events = POLLIN };
	check(read(rd, &c, 1) == 1 && c == 'v', "drain the fifo");
	check(poll(&fds[1], 1, 1000) == 1 && fds[1].revents == POLLHUP,
	    "the writer gone: POLLHUP");
	close(rd);
	close(p[0]);
	close(p[1]);
}

/* epoll over a host pipe and a fifo in DIR (a kernel fifo under /rump). */
static void
t_epoll(void)
{
	struct epoll_event ev, got[4];
	double t0, c0;
	int ep, rd, wr, p[2], n;
	char c;

	check(mkfifo(P("efifo"), 0600) == 0, "mkfifo");
	rd = open(P("efifo"), O_RDONLY | O_NONBLOCK);
	wr = open(P("efifo"), O_WRONLY | O_NONBLOCK);
	check(rd >= 0 && wr >= 0 && pipe(p) == 0, "a fifo and a host pipe");
	check((ep = epoll_create1(EPOLL_CLOEXEC)) >= 0, "epoll_create1");
	ev = (struct epoll_event){ .events = EPOLLIN, .data.u32 = 1 };
	check(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) == 0, "add the pipe");
	ev = (struct epoll_event){ .events = EPOLLIN, .data.u32 = 2 };
	check(epoll_ctl(ep, EPOLL_CTL_ADD, rd, &ev) == 0, "add the fifo");
	check(epoll_ctl(ep, EPOLL_CTL_ADD, rd, &ev) == -1 && errno == EEXIST,
	    "adding twice: EEXIST");
	t0 = now(CLOCK_MONOTONIC);
	c0 = now(CLOCK_PROCESS_CPUTIME_ID);
	n = epoll_wait(ep, got, 4, 500);
	check(n == 0, "nothing ready: 0 after the timeout");
	check(now(CLOCK_MONOTONIC) - t0 >= 0.4, "it waited");
	check(now(CLOCK_PROCESS_CPUTIME_ID) - c0 < 0.2,
	    "without busy-waiting");
	check(write(wr, "k", 1) == 1, "write the fifo");
	n = epoll_wait(ep, got, 4, 5000);
	check(n == 1 && got[0].data.u32 == 2 && (got[0].events & EPOLLIN),
	    "the fifo: EPOLLIN");
	check(write(p[1], "h", 1) == 1, "write the pipe");
	n = epoll_wait(ep, got, 4, 5000);
	check(n == 2, "both ready: 2 events");
	check(read(rd, &c, 1) == 1 && read(p[0], &c, 1) == 1, "drain both");
	check(epoll_ctl(ep, EPOLL_CTL_DEL, rd, NULL) == 0, "remove the fifo");
	check(write(wr, "k", 1) == 1, "write the fifo again");
	check(epoll_wait(ep, got, 4, 200) == 0, "a removed fifo: no event");
	close(ep);
	close(rd);
	close(wr);
	close(p[0]);
	close(p[1]);
}

/* EPOLLET and EPOLLONESHOT on a fifo in DIR (a kernel fifo under /rump). */
struct etwait {
	int ep, n;
	struct epoll_event ev;
};

static void *
et_waiter(void *arg)
{
	struct etwait *w = arg;

	w->n = epoll_wait(w->ep, &w->ev, 1, 10000);
	return NULL;
}

static void
t_epollet(void)
{
	struct epoll_event ev, got[4];
	struct etwait w;
	struct timespec pause = { 0, 50 * 1000 * 1000 };
	pthread_t t;
	double t0, c0;
	int ep, ep1, rd, wr;
	char buf[8];

	check(mkfifo(P("etfifo"), 0600) == 0, "mkfifo");
	rd = open(P("etfifo"), O_RDONLY | O_NONBLOCK);
	wr = open(P("etfifo"), O_WRONLY | O_NONBLOCK);
	check(rd >= 0 && wr >= 0, "open both ends");
	check((ep = epoll_create1(0)) >= 0, "epoll_create1");
	ev = (struct epoll_event){ .events = EPOLLIN | EPOLLET, .data.u32 = 5 };
	check(epoll_ctl(ep, EPOLL_CTL_ADD, rd, &ev) == 0, "add, edge-triggered");
	check(epoll_wait(ep, got, 4, 0) == 0, "nothing yet");
	check(write(wr, "a", 1) == 1, "write");
	check(epoll_wait(ep, got, 4, 1000) == 1 && got[0].data.u32 == 5 &&
	    got[0].events == EPOLLIN, "the edge: EPOLLIN");
	check(epoll_wait(ep, got, 4, 0) == 0, "no new edge: nothing");
	t0 = now(CLOCK_MONOTONIC);
	c0 = now(CLOCK_PROCESS_CPUTIME_ID);
	check(epoll_wait(ep, got, 4, 300) == 0, "still no edge after a wait");
	check(now(CLOCK_MONOTONIC) - t0 >= 0.25, "it waited");
	check(now(CLOCK_PROCESS_CPUTIME_ID) - c0 < 0.2, "without busy-waiting");
	check(write(wr, "b", 1) == 1, "write again");
	check(epoll_wait(ep, got, 4, 1000) == 1, "a new edge");
	check(read(rd, buf, sizeof(buf)) == 2, "read both bytes");
	check(read(rd, buf, sizeof(buf)) == -1 && errno == EAGAIN,
	    "then EAGAIN");
	/* A thread asleep in epoll_wait wakes on the next edge. */
	w.ep = ep;
	w.n = -2;
	check(pthread_create(&t, NULL, et_waiter, &w) == 0, "a waiting thread");
	nanosleep(&pause, NULL);
	check(write(wr, "c", 1) == 1, "write while it waits");
	pthread_join(t, NULL);
	check(w.n == 1 && w.ev.data.u32 == 5, "it woke with the event");
	/* One-shot: once, then nothing until EPOLL_CTL_MOD. */
	check((ep1 = epoll_create1(0)) >= 0, "another epoll");
	ev = (struct epoll_event){ .events = EPOLLOUT | EPOLLONESHOT,
	    .data.u32 = 6 };
	check(epoll_ctl(ep1, EPOLL_CTL_ADD, wr, &ev) == 0, "add, one-shot");
	check(epoll_wait(ep1, got, 4, 1000) == 1 && got[0].data.u32 == 6,
	    "one event");
	check(epoll_wait(ep1, got, 4, 0) == 0, "then none");
	check(epoll_ctl(ep1, EPOLL_CTL_ADD, wr, &ev) == -1 && errno == EEXIST,
	    "still registered: EEXIST");
	check(epoll_ctl(ep1, EPOLL_CTL_MOD, wr, &ev) == 0, "re-armed");
	check(epoll_wait(ep1, got, 4, 1000) == 1, "one more event");
	check(epoll_ctl(ep1, EPOLL_CTL_MOD, rd + wr + 100, &ev) == -1 &&
	    errno == EBADF, "MOD of a closed number: EBADF");
	close(ep1);
	close(ep);
	close(rd);
	close(wr);
}

/* A dup of an epoll descriptor, and a forked child, keep its fifo. */
static void
t_epolldup(void)
{
	struct epoll_event ev, got[4];
	int ep, ep2, ep3, rd, wr, p[2], st;
	pid_t pid;
	char c;

	check(mkfifo(P("dfifo"), 0600) == 0, "mkfifo");
	rd = open(P("dfifo"), O_RDONLY | O_NONBLOCK);
	wr = open(P("dfifo"), O_WRONLY | O_NONBLOCK);
	check(rd >= 0 && wr >= 0 && pipe(p) == 0, "a fifo and a host pipe");
	check((ep = epoll_create1(0)) >= 0, "epoll_create1");
	ev = (struct epoll_event){ .events = EPOLLIN, .data.u32 = 7 };
	check(epoll_ctl(ep, EPOLL_CTL_ADD, rd, &ev) == 0, "add the fifo");
	ev = (struct epoll_event){ .events = EPOLLIN, .data.u32 = 8 };
	check(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) == 0, "add the pipe");
	check((ep2 = dup(ep)) >= 0 && close(ep) == 0, "dup, close the original");
	check(write(wr, "k", 1) == 1, "write the fifo");
	check(epoll_wait(ep2, got, 4, 1000) == 1 && got[0].data.u32 == 7,
	    "the dup sees the fifo");
	check(epoll_ctl(ep2, EPOLL_CTL_ADD, rd, &ev) == -1 && errno == EEXIST,
	    "the dup has it: EEXIST");
	check((ep3 = fcntl(ep2, F_DUPFD_CLOEXEC, 0)) >= 0, "F_DUPFD_CLOEXEC");
	check(epoll_ctl(ep3, EPOLL_CTL_DEL, rd, NULL) == 0,
	    "remove it through the other number");
	check(epoll_wait(ep2, got, 4, 0) == 0, "gone for both");
	ev = (struct epoll_event){ .events = EPOLLIN, .data.u32 = 9 };
	check(epoll_ctl(ep2, EPOLL_CTL_ADD, rd, &ev) == 0, "add it back");
	check(dup2(ep3, 100) == 100 && close(ep3) == 0 && close(ep2) == 0,
	    "dup2, close the others");
	check(write(p[1], "h", 1) == 1, "write the pipe");
	check(epoll_wait(100, got, 4, 1000) == 2, "both through dup2's number");
	pid = fork();
	if (pid == 0) {
		int n = epoll_wait(100, got, 4, 1000);

		_exit(n == 2 ? 0 : 1);
	}
	check(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	    WEXITSTATUS(st) == 0, "a forked child sees both");
	check(read(rd, &c, 1) == 1 && read(p[0], &c, 1) == 1, "drain both");
	check(epoll_wait(100, got, 4, 0) == 0, "nothing left");
	close(100);
	/* A new epoll at a reused number starts empty. */
	check((ep = epoll_create1(0)) >= 0, "a new epoll");
	check(write(wr, "k", 1) == 1, "write the fifo");
	check(epoll_wait(ep, got, 4, 0) == 0, "the new one has nothing");
	close(ep);
	close(rd);
	close(wr);
	close(p[0]);
	close(p[1]);
}

int
main(int argc, char **argv)
{
	const char *t;

	if (argc < 3) {
		fprintf(stderr, "usage: fdrules DIR dup2|fork|exec|dupfd|"
		    "closerange|select|pollfile|pollfifo|epoll|epollet|epolldup\n");
		return 2;
	}
	dir = argv[1];
	t = argv[2];
	if (strcmp(t, "dup2") == 0)
		t_dup2();
	else if (strcmp(t, "fork") == 0)
		t_fork();
	else if (strcmp(t, "exec") == 0)
		t_exec();
	else if (strcmp(t, "exec-stdio") == 0)
		return t_exec_stdio();
	else if (strcmp(t, "exec-child") == 0 && argc == 7)
		t_exec_child(argv + 3);
	else if (strcmp(t, "dupfd") == 0)
		t_dupfd();
	else if (strcmp(t, "closerange") == 0)
		t_closerange();
	else if (strcmp(t, "select") == 0)
		t_select();
	else if (strcmp(t, "pollfile") == 0)
		t_pollfile();
	else if (strcmp(t, "pollfifo") == 0)
		t_pollfifo();
	else if (strcmp(t, "epoll") == 0)
		t_epoll();
	else if (strcmp(t, "epollet") == 0)
		t_epollet();
	else if (strcmp(t, "epolldup") == 0)
		t_epolldup();
	else {
		fprintf(stderr, "fdrules: unknown test %s\n", t);
		return 2;
	}
	printf("%s\n", failures ? "FAILED" : "PASSED");
	return failures ? 1 : 0;
}
