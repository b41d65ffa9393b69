/*
 * netproc: netbench's socket rows between two processes, the way programs
 * under rumphijack talk: a plain libc program that forks a server and
 * times the client.  Run as "netproc RUMPHIJACK", it runs itself once on
 * the host's loopback and once in a rumphijack tree (the two processes on
 * the tree's kernel), and prints the rows side by side with the ratio
 * tree/host (higher: the tree faster).  "netproc --run" is one side.
 * Only 127.0.0.1 is used, with ports the kernels choose.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BULK_BYTES	(256u << 20)
#define BULK_CHUNK	(128u << 10)
#define RR_COUNT	20000
#define CONN_COUNT	2000
#define UDP_COUNT	100000
#define NROWS		4

static const char *const rows[NROWS] = {
	"TCP bulk, 128 KiB writes", "TCP 64-byte round trips",
	"TCP connect+accept+close", "UDP 64-byte datagrams",
};
static const char *const units[NROWS] = { "MB/s", "k/s", "k/s", "k/s" };
static const double scales[NROWS] = { 1e-6, 1e-3, 1e-3, 1e-3 };

static void
die(const char *what)
{
	fprintf(stderr, "netproc: %s: %s\n", what, strerror(errno));
	exit(1);
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* A socket of type bound to 127.0.0.1 and a free port, written to *sin. */
static int
bound(int type, struct sockaddr_in *sin)
{
	socklen_t len = sizeof(*sin);
	int fd = socket(AF_INET, type, 0);

	if (fd < 0)
		die("socket");
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)sin, sizeof(*sin)) < 0 ||
	    getsockname(fd, (struct sockaddr *)sin, &len) < 0)
		die("bind");
	return fd;
}

static int
connect_to(const struct sockaddr_in *sin)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	if (fd < 0)
		die("socket");
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (const struct sockaddr *)sin, sizeof(*sin)) < 0)
		die("connect");
	return fd;
}

/* Forks the server side: fn(listening or bound fd) in a child. */
static pid_t
serve(int fd, void (*fn)(int))
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork");
	if (pid == 0) {
		fn(fd);
		_exit(0);
	}
	close(fd);
	return pid;
}

static void
reap(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) ||
	    WEXITSTATUS(st) != 0) {
		fprintf(stderr, "netproc: the server process failed\n");
		exit(1);
	}
}

static void
sink(int l)
{
	static char buf[BULK_CHUNK];
	int c = accept(l, NULL, NULL);

	if (c < 0)
		die("accept");
	while (read(c, buf, sizeof(buf)) > 0)
		continue;
	close(c);
}

static void
echo(int l)
{
	char buf[64];
	int c = accept(l, NULL, NULL), one = 1;
	ssize_t n;

	if (c < 0)
		die("accept");
	(void)setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	while ((n = read(c, buf, sizeof(buf))) > 0)
		if (write(c, buf, (size_t)n) != n)
			die("write");
	close(c);
}

static void
acceptor(int l)
{
	for (int i = 0; i < CONN_COUNT; i++) {
		int c = accept(l, NULL, NULL);

		if (c < 0)
			die("accept");
		close(c);
	}
}

static void
udp_sink(int s)
{
	char buf[64];
	struct timeval tv = { 0, 200000 };
	int got = 0;

	/* Until the last datagram or a quiet 200 ms (UDP may drop). */
	(void)setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	while (got < UDP_COUNT && recv(s, buf, sizeof(buf), 0) > 0)
		got++;
}

static double
b_bulk(void)
{
	static char buf[BULK_CHUNK];
	struct sockaddr_in sin;
	int l = bound(SOCK_STREAM, &sin), c;
	uint64_t t0;
	pid_t pid;

	if (listen(l, 1) < 0)
		die("listen");
	pid = serve(l, sink);
	c = connect_to(&sin);
	t0 = now_ns();
	for (size_t sent = 0; sent < BULK_BYTES; sent += sizeof(buf))
		if (write(c, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
			die("write");
	close(c);
	reap(pid);
	return BULK_BYTES / ((now_ns() - t0) / 1e9);
}

static double
b_rr(void)
{
	struct sockaddr_in sin;
	char buf[64] = { 0 };
	int l = bound(SOCK_STREAM, &sin), c;
	uint64_t t0;
	pid_t pid;

	if (listen(l, 1) < 0)
		die("listen");
	pid = serve(l, echo);
	c = connect_to(&sin);
	t0 = now_ns();
	for (int i = 0; i < RR_COUNT; i++) {
		size_t got = 0;

		if (write(c, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
			die("write");
		while (got < sizeof(buf)) {
			ssize_t n = read(c, buf + got, sizeof(buf) - got);

			if (n <= 0)
				die("read");
			got += (size_t)n;
		}
	}
	t0 = now_ns() - t0;
	close(c);
	reap(pid);
	return RR_COUNT / (t0 / 1e9);
}

static double
b_conn(void)
{
	struct sockaddr_in sin;
	int l = bound(SOCK_STREAM, &sin);
	uint64_t t0;
	pid_t pid;

	if (listen(l, 128) < 0)
		die("listen");
	pid = serve(l, acceptor);
	t0 = now_ns();
	for (int i = 0; i < CONN_COUNT; i++)
		close(connect_to(&sin));
	reap(pid);
	return CONN_COUNT / ((now_ns() - t0) / 1e9);
}

static double
b_udp(void)
{
	struct sockaddr_in sin;
	char buf[64] = { 0 };
	int r = bound(SOCK_DGRAM, &sin), s;
	uint64_t t0;
	pid_t pid;

	pid = serve(r, udp_sink);
	if ((s = socket(AF_INET, SOCK_DGRAM, 0)) < 0)
		die("socket");
	t0 = now_ns();
	for (int i = 0; i < UDP_COUNT; i++)
		if (sendto(s, buf, sizeof(buf), 0, (struct sockaddr *)&sin,
		    sizeof(sin)) < 0 && errno != ENOBUFS && errno != EAGAIN)
			die("sendto");
	t0 = now_ns() - t0;
	close(s);
	reap(pid);
	return UDP_COUNT / (t0 / 1e9);
}

/* One side: the four rates, one per line, on stdout. */
static int
run_side(void)
{
	double (*const fn[NROWS])(void) = { b_bulk, b_rr, b_conn, b_udp };

	for (int i = 0; i < NROWS; i++)
		printf("%.1f\n", fn[i]());
	return 0;
}

/* Runs argv and reads NROWS rates from its stdout. */
static void
side(char *const argv[], double *v)
{
	int p[2], st;
	FILE *f;
	pid_t pid;

	if (pipe(p) < 0)
		die("pipe");
	if ((pid = fork()) < 0)
		die("fork");
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	f = fdopen(p[0], "r");
	for (int i = 0; i < NROWS; i++)
		if (fscanf(f, "%lf", &v[i]) != 1) {
			fprintf(stderr, "netproc: %s gave no figures\n",
			    argv[0]);
			exit(1);
		}
	fclose(f);
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) ||
	    WEXITSTATUS(st) != 0) {
		fprintf(stderr, "netproc: %s failed\n", argv[0]);
		exit(1);
	}
}

int
main(int argc, char **argv)
{
	char self[4096];
	double h[NROWS], k[NROWS];
	ssize_t n;

	signal(SIGPIPE, SIG_IGN);
	if (argc == 2 && strcmp(argv[1], "--run") == 0)
		return run_side();
	if (argc != 2) {
		fprintf(stderr, "usage: netproc RUMPHIJACK | netproc --run\n");
		return 2;
	}
	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) < 0)
		die("readlink");
	self[n] = '\0';
	{
		char *host[] = { self, (char *)"--run", NULL };
		char *tree[] = { argv[1], (char *)"--", self, (char *)"--run",
		    NULL };

		side(host, h);
		side(tree, k);
	}
	printf("netproc: two processes; host = the host's loopback, tree = a "
	    "rumphijack tree's kernel; ratio tree/host (higher: tree faster)\n");
	for (int i = 0; i < NROWS; i++)
		printf("%-28s host %10.1f %-5s tree %10.1f %-5s ratio %5.2f\n",
		    rows[i], h[i] * scales[i], units[i], k[i] * scales[i],
		    units[i], k[i] / h[i]);
	return 0;
}
