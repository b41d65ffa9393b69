/*
 * netbench: the same socket workloads timed, in one run, over the host
 * kernel's loopback and inside an embedded rump kernel (its own loopback),
 * printed side by side with the ratio kernel/host (above 1: the kernel is
 * faster, for every row).  Rows: TCP bulk throughput, 64-byte TCP
 * request/response round trips, TCP connections set up and torn down, UDP
 * 64-byte datagrams; then the resident memory of 10 000 idle established
 * connections in the kernel.  Each figure is the median of ROUNDS rounds.
 * Only 127.0.0.1 is used, with ports the kernels choose.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>

/* One side of the comparison: the host's calls or the kernel's. */
struct side {
	const char *name;
	int (*socket)(int, int, int);
	int (*bind)(int, const struct sockaddr *, socklen_t);
	int (*listen)(int, int);
	int (*accept)(int, struct sockaddr *, socklen_t *);
	int (*connect)(int, const struct sockaddr *, socklen_t);
	int (*getsockname)(int, struct sockaddr *, socklen_t *);
	int (*setsockopt)(int, int, int, const void *, socklen_t);
	ssize_t (*read)(int, void *, size_t);
	ssize_t (*write)(int, const void *, size_t);
	ssize_t (*sendto)(int, const void *, size_t, int,
	    const struct sockaddr *, socklen_t);
	ssize_t (*recv)(int, void *, size_t, int);
	int (*close)(int);
};

static ssize_t h_recv(int s, void *b, size_t n, int f) { return recv(s, b, n, f); }
static ssize_t k_recv(int s, void *b, size_t n, int f)
{ return rump_sys_recvfrom(s, b, n, f, NULL, NULL); }

static struct side host = { "host", socket, bind, listen, accept, connect,
	getsockname, setsockopt, read, write, sendto, h_recv, close };
static struct side kern = { "rump", rump_sys_socket, rump_sys_bind,
	rump_sys_listen, rump_sys_accept, rump_sys_connect,
	rump_sys_getsockname, rump_sys_setsockopt, rump_sys_read,
	rump_sys_write, rump_sys_sendto, k_recv, rump_sys_close };

#define ROUNDS		5
#define BULK_BYTES	(512u << 20)
#define BULK_CHUNK	(128u << 10)
#define RR_COUNT	50000
#define CONN_COUNT	2000
#define UDP_COUNT	200000
#define IDLE_CONNS	10000

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void
die(const struct side *s, const char *what)
{
	fprintf(stderr, "netbench: %s: %s: %s\n", s->name, what,
	    strerror(errno));
	exit(1);
}

/* A socket of type bound to 127.0.0.1 and a free port, written to *sin. */
static int
bound(struct side *s, int type, struct sockaddr_in *sin)
{
	socklen_t len = sizeof(*sin);
	int fd;

	if ((fd = s->socket(AF_INET, type, 0)) < 0)
		die(s, "socket");
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s->bind(fd, (struct sockaddr *)sin, sizeof(*sin)) < 0)
		die(s, "bind");
	if (s->getsockname(fd, (struct sockaddr *)sin, &len) < 0)
		die(s, "getsockname");
	return fd;
}

static int
tcp_listener(struct side *s, struct sockaddr_in *sin, int backlog)
{
	int fd = bound(s, SOCK_STREAM, sin);

	if (s->listen(fd, backlog) < 0)
		die(s, "listen");
	return fd;
}

/* A TCP listener on every local address (port in sin, which is kept). */
static int
listener_any(struct side *s, struct sockaddr_in *sin, int backlog)
{
	struct sockaddr_in any = *sin;
	int fd, one = 1;

	if ((fd = s->socket(AF_INET, SOCK_STREAM, 0)) < 0)
		die(s, "socket");
	(void)s->setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	any.sin_addr.s_addr = htonl(INADDR_ANY);
	if (s->bind(fd, (struct sockaddr *)&any, sizeof(any)) < 0)
		die(s, "bind");
	if (s->listen(fd, backlog) < 0)
		die(s, "listen");
	return fd;
}

static int
tcp_connect(struct side *s, const struct sockaddr_in *sin)
{
	int fd, one = 1;

	if ((fd = s->socket(AF_INET, SOCK_STREAM, 0)) < 0)
		die(s, "socket");
	(void)s->setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (s->connect(fd, (const struct sockaddr *)sin, sizeof(*sin)) < 0)
		die(s, "connect");
	return fd;
}

/* A connected pair over loopback: *a the client, *b the accepted end. */
static void
tcp_pair(struct side *s, int *a, int *b)
{
	struct sockaddr_in sin;
	int lfd = tcp_listener(s, &sin, 1), one = 1;

	*a = tcp_connect(s, &sin);
	if ((*b = s->accept(lfd, NULL, NULL)) < 0)
		die(s, "accept");
	(void)s->setsockopt(*b, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	s->close(lfd);
}

static void
readfull(struct side *s, int fd, void *buf, size_t n)
{
	ssize_t r;

	for (size_t done = 0; done < n; done += (size_t)r)
		if ((r = s->read(fd, (char *)buf + done, n - done)) <= 0)
			die(s, "read");
}

struct job {
	struct side *s;
	int fd;
	size_t n;
};

static void *
bulk_reader(void *arg)
{
	struct job *j = arg;
	static char rbuf[BULK_CHUNK];
	size_t left = j->n;
	ssize_t r;

	while (left > 0) {
		if ((r = j->s->read(j->fd, rbuf, sizeof(rbuf))) <= 0)
			die(j->s, "bulk read");
		left -= (size_t)r;
	}
	return NULL;
}

/* TCP bulk: bytes per second from one thread to another. */
static double
b_bulk(struct side *s)
{
	static char wbuf[BULK_CHUNK];
	struct job j;
	pthread_t t;
	uint64_t t0;
	int a, b;

	tcp_pair(s, &a, &b);
	j = (struct job){ s, b, BULK_BYTES };
	t0 = now_ns();
	pthread_create(&t, NULL, bulk_reader, &j);
	for (size_t done = 0; done < BULK_BYTES; done += sizeof(wbuf))
		if (s->write(a, wbuf, sizeof(wbuf)) != (ssize_t)sizeof(wbuf))
			die(s, "bulk write");
	pthread_join(t, NULL);
	t0 = now_ns() - t0;
	s->close(a);
	s->close(b);
	return BULK_BYTES / (t0 / 1e9);
}

static void *
rr_echo(void *arg)
{
	struct job *j = arg;
	char buf[64];

	for (size_t i = 0; i < j->n; i++) {
		readfull(j->s, j->fd, buf, sizeof(buf));
		if (j->s->write(j->fd, buf, sizeof(buf)) != sizeof(buf))
			die(j->s, "echo write");
	}
	return NULL;
}

/* 64-byte request, 64-byte response: round trips per second. */
static double
b_rr(struct side *s)
{
	char buf[64] = "request";
	struct job j;
	pthread_t t;
	uint64_t t0;
	int a, b;

	tcp_pair(s, &a, &b);
	j = (struct job){ s, b, RR_COUNT };
	pthread_create(&t, NULL, rr_echo, &j);
	t0 = now_ns();
	for (int i = 0; i < RR_COUNT; i++) {
		if (s->write(a, buf, sizeof(buf)) != sizeof(buf))
			die(s, "rr write");
		readfull(s, a, buf, sizeof(buf));
	}
	t0 = now_ns() - t0;
	pthread_join(t, NULL);
	s->close(a);
	s->close(b);
	return RR_COUNT / (t0 / 1e9);
}

static void *
conn_acceptor(void *arg)
{
	struct job *j = arg;
	char c;

	for (size_t i = 0; i < j->n; i++) {
		int fd = j->s->accept(j->fd, NULL, NULL);

		if (fd < 0)
			die(j->s, "accept");
		/* Wait for the client's close, then close: a full teardown. */
		(void)j->s->read(fd, &c, 1);
		j->s->close(fd);
	}
	return NULL;
}

/* connect, accept, close both ends: connections per second. */
static double
b_conn(struct side *s)
{
	struct sockaddr_in sin;
	struct job j;
	pthread_t t;
	uint64_t t0;
	int lfd = tcp_listener(s, &sin, 128);
	/* A closed connection's 4-tuple stays in TIME_WAIT for 60 s, and a
	 * host that ran this a moment ago has thousands: spread the
	 * connections over destinations in 127/8 (the listener takes them
	 * all: 127/8 is lo's), from a random start, so every run and both
	 * sides set up connections and do not wait for ports. */
	uint32_t dst = 0x7f000000u | (((uint32_t)rand() & 0xffff) << 8);

	sin.sin_addr.s_addr = htonl(INADDR_ANY);
	s->close(lfd);
	lfd = listener_any(s, &sin, 128);
	j = (struct job){ s, lfd, CONN_COUNT };
	pthread_create(&t, NULL, conn_acceptor, &j);
	t0 = now_ns();
	for (int i = 0; i < CONN_COUNT; i++) {
		if (i % 250 == 0)
			sin.sin_addr.s_addr = htonl(dst | (uint32_t)(1 +
			    i / 250 % 254));
		s->close(tcp_connect(s, &sin));
	}
	pthread_join(t, NULL);
	t0 = now_ns() - t0;
	s->close(lfd);
	return CONN_COUNT / (t0 / 1e9);
}

static void *
udp_sink(void *arg)
{
	struct job *j = arg;
	char buf[64];
	size_t got = 0;

	/* Counts until the sender's last datagram or a quiet 200 ms. */
	while (got < j->n && j->s->recv(j->fd, buf, sizeof(buf), 0) > 0)
		got++;
	j->n = got;
	return NULL;
}

/* UDP: 64-byte datagrams received per second. */
static double
b_udp(struct side *s)
{
	struct sockaddr_in sin, sin2;
	struct timeval tv = { 0, 200000 };
	char buf[64] = "datagram";
	struct job j;
	pthread_t t;
	uint64_t t0;
	int r = bound(s, SOCK_DGRAM, &sin), w = bound(s, SOCK_DGRAM, &sin2);
	int big = 4 << 20;

	(void)s->setsockopt(r, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	(void)s->setsockopt(r, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	j = (struct job){ s, r, UDP_COUNT };
	pthread_create(&t, NULL, udp_sink, &j);
	t0 = now_ns();
	for (int i = 0; i < UDP_COUNT; i++)
		if (s->sendto(w, buf, sizeof(buf), 0,
		    (struct sockaddr *)&sin, sizeof(sin)) != sizeof(buf))
			die(s, "sendto");
	pthread_join(t, NULL);
	t0 = now_ns() - t0;
	s->close(r);
	s->close(w);
	return j.n / (t0 / 1e9);
}

static int
cmpd(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
median(double (*fn)(struct side *), struct side *s)
{
	double v[ROUNDS];

	for (int i = 0; i < ROUNDS; i++)
		v[i] = fn(s);
	qsort(v, ROUNDS, sizeof(v[0]), cmpd);
	return v[ROUNDS / 2];
}

static long
rss_kib(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long pages = 0, rss = 0;

	if (f != NULL) {
		if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
			rss = 0;
		fclose(f);
	}
	return rss * (sysconf(_SC_PAGESIZE) / 1024);
}

/* Resident memory the kernel adds for IDLE_CONNS established pairs. */
static void
idle_conns(void)
{
	struct rlimit rl = { 3 * IDLE_CONNS + 64, 3 * IDLE_CONNS + 64 };
	struct sockaddr_in sin;
	static int fds[2 * IDLE_CONNS];
	long rss0, rss1;
	int lfd;

	if (rump_sys_setrlimit(RLIMIT_NOFILE, &rl) < 0)
		die(&kern, "setrlimit");
	rss0 = rss_kib();
	lfd = tcp_listener(&kern, &sin, 1024);
	for (int i = 0; i < IDLE_CONNS; i++) {
		fds[2 * i] = tcp_connect(&kern, &sin);
		if ((fds[2 * i + 1] = kern.accept(lfd, NULL, NULL)) < 0)
			die(&kern, "accept");
	}
	rss1 = rss_kib();
	printf("%-28s rump %8.1f MiB resident (%.1f KiB a connection)\n",
	    "10000 idle TCP connections", (rss1 - rss0) / 1024.0,
	    (double)(rss1 - rss0) / IDLE_CONNS);
	for (int i = 0; i < 2 * IDLE_CONNS; i++)
		kern.close(fds[i]);
	kern.close(lfd);
}

int
main(int argc, char **argv)
{
	static const struct {
		const char *name, *unit;
		double scale;
		double (*fn)(struct side *);
	} benches[] = {
		{ "TCP bulk, 128 KiB writes", "MB/s", 1e-6, b_bulk },
		{ "TCP 64-byte round trips", "k/s", 1e-3, b_rr },
		{ "TCP connect+accept+close", "k/s", 1e-3, b_conn },
		{ "UDP 64-byte datagrams", "k/s", 1e-3, b_udp },
	};
	int error;

	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	if ((error = rump_init()) != 0) {
		fprintf(stderr, "rump_init: %s\n", strerror(error));
		return 1;
	}
	printf("netbench: host = the host's loopback, rump = an embedded "
	    "kernel's; median of %d rounds; ratio rump/host (higher: rump "
	    "faster)\n", ROUNDS);
	for (size_t i = 0; i < sizeof(benches) / sizeof(benches[0]); i++) {
		/* "netbench WORD" runs the rows whose name has WORD. */
		if (argc > 1 && strstr(benches[i].name, argv[1]) == NULL)
			continue;
		double h = median(benches[i].fn, &host);
		double k = median(benches[i].fn, &kern);

		printf("%-28s host %10.1f %-5s rump %10.1f %-5s ratio %5.2f\n",
		    benches[i].name, h * benches[i].scale, benches[i].unit,
		    k * benches[i].scale, benches[i].unit, k / h);
	}
	if (argc == 1 || strstr("idle", argv[1]) != NULL)
		idle_conns();
	return 0;
}
