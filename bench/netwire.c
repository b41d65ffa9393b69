/*
 * netwire: TCP between two network stacks over a real link, with the
 * socket calls made in the process that runs the stack (rump_sys_* on an
 * embedded kernel, or the host's libc), so that the stack and driver are
 * timed without the remote-call (sysproxy) cost that bench/netif.sh's
 * hijacked nc and python3 pay.  One program, two roles:
 *
 *   netwire serve  [--net SPEC] PORT       sink for the bulk connection,
 *                                          echo for the round-trip one
 *   netwire client [--net SPEC] ADDR PORT  prints "MB/s RT/s PING-ms"
 *
 * With --net SPEC (rump_server's syntax: shmif:/bus,10.0.0.1/24 or
 * tap:tap9,10.10.0.2/24) the role boots a kernel and configures that
 * interface; without it the role uses the host's sockets, so the same
 * workload runs host-to-host over a veth pair for the reference.
 * NETWIRE_MB (default 200) sets the bulk size, NETWIRE_RT (default 5000)
 * the number of 1-byte round trips; the last figure is the average of
 * 200 ICMP echoes (a raw socket, as ping's).  bench/netif.sh runs it.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>

#include "netopt.h"

struct side {
	int (*socket)(int, int, int);
	int (*bind)(int, const struct sockaddr *, socklen_t);
	int (*listen)(int, int);
	int (*accept)(int, struct sockaddr *, socklen_t *);
	int (*connect)(int, const struct sockaddr *, socklen_t);
	int (*setsockopt)(int, int, int, const void *, socklen_t);
	ssize_t (*read)(int, void *, size_t);
	ssize_t (*write)(int, const void *, size_t);
	int (*shutdown)(int, int);
	int (*close)(int);
	ssize_t (*sendto)(int, const void *, size_t, int,
	    const struct sockaddr *, socklen_t);
	ssize_t (*recvfrom)(int, void *, size_t, int, struct sockaddr *,
	    socklen_t *);
};

static const struct side host = { socket, bind, listen, accept, connect,
	setsockopt, read, write, shutdown, close, sendto, recvfrom };
static const struct side kern = { rump_sys_socket, rump_sys_bind,
	rump_sys_listen, rump_sys_accept, rump_sys_connect,
	rump_sys_setsockopt, rump_sys_read, rump_sys_write,
	rump_sys_shutdown, rump_sys_close, rump_sys_sendto,
	rump_sys_recvfrom };
static const struct side *S = &host;

#define CHUNK	(128u << 10)

static void
die(const char *what)
{
	fprintf(stderr, "netwire: %s: %s\n", what, strerror(errno));
	exit(1);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static size_t
envnum(const char *name, size_t dflt)
{
	const char *s = getenv(name);

	return s != NULL && *s != '\0' ? strtoul(s, NULL, 10) : dflt;
}

static void
boot(const char *spec)
{
	struct netopts ops;
	int error;

	memset(&ops, 0, sizeof(ops));
	if (netopt_parse(&ops, spec, "netwire") != 0)
		exit(1);
	if ((error = rump_init()) != 0) {
		fprintf(stderr, "netwire: rump_init: %s\n", strerror(error));
		exit(1);
	}
	if (netopt_apply(&ops, "netwire") != 0)
		exit(1);
	S = &kern;
}

static void
nodelay(int fd)
{
	int one = 1;

	(void)S->setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static void
serve(int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
	    .sin_port = htons((uint16_t)port) };
	static char buf[CHUNK];
	int l, c, one = 1;
	ssize_t n;

	if ((l = S->socket(AF_INET, SOCK_STREAM, 0)) < 0)
		die("socket");
	(void)S->setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (S->bind(l, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		die("bind");
	if (S->listen(l, 4) < 0)
		die("listen");
	/* The bulk connection: read to the end, then say how much. */
	if ((c = S->accept(l, NULL, NULL)) < 0)
		die("accept");
	while ((n = S->read(c, buf, sizeof(buf))) > 0)
		continue;
	if (n < 0)
		die("read");
	S->close(c);
	/* The round-trip connection: echo each byte. */
	if ((c = S->accept(l, NULL, NULL)) < 0)
		die("accept");
	nodelay(c);
	while ((n = S->read(c, buf, 1)) == 1)
		if (S->write(c, buf, 1) != 1)
			die("write");
	S->close(c);
	/* The echo connection: the kernel answers pings until its end. */
	if ((c = S->accept(l, NULL, NULL)) < 0)
		die("accept");
	while (S->read(c, buf, sizeof(buf)) > 0)
		continue;
	S->close(c);
	S->close(l);
}

static int
dial(const char *addr, int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
	    .sin_port = htons((uint16_t)port) };
	int fd;

	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1) {
		fprintf(stderr, "netwire: %s: not an IPv4 address\n", addr);
		exit(1);
	}
	/* The server may still be booting: retry for 10 s. */
	for (int tries = 0;; tries++) {
		if ((fd = S->socket(AF_INET, SOCK_STREAM, 0)) < 0)
			die("socket");
		if (S->connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0)
			return fd;
		if (tries == 100)
			die("connect");
		S->close(fd);
		usleep(100 * 1000);
	}
}

static uint16_t
icmp_sum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* The average ICMP echo round trip to addr, in ms, over n echoes (a raw
 * socket, as ping's), the peer's stack answering. */
static double
echo_rtt(const char *addr, int n)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	uint8_t req[64], ans[256];
	uint16_t id = (uint16_t)getpid(), sum;
	double t0, total = 0;
	int fd;

	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1 ||
	    (fd = S->socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)) < 0)
		return 0;
	for (int i = 0; i < n; i++) {
		memset(req, 0, sizeof(req));
		req[0] = 8;			/* echo request */
		req[4] = (uint8_t)(id >> 8);
		req[5] = (uint8_t)id;
		req[6] = (uint8_t)(i >> 8);
		req[7] = (uint8_t)i;
		sum = icmp_sum(req, sizeof(req));
		req[2] = (uint8_t)(sum >> 8);
		req[3] = (uint8_t)sum;
		t0 = now();
		if (S->sendto(fd, req, sizeof(req), 0, (struct sockaddr *)&sin,
		    sizeof(sin)) != (ssize_t)sizeof(req))
			die("sendto");
		for (;;) {
			ssize_t r = S->recvfrom(fd, ans, sizeof(ans), 0, NULL,
			    NULL);
			size_t hl;

			if (r < 0)
				die("recvfrom");
			hl = (size_t)(ans[0] & 0xf) * 4;
			if ((size_t)r >= hl + 8 && ans[hl] == 0 &&
			    memcmp(ans + hl + 4, req + 4, 4) == 0)
				break;
		}
		total += now() - t0;
	}
	S->close(fd);
	return total / n * 1e3;
}

static void
client(const char *addr, int port)
{
	static char buf[CHUNK];
	size_t total = envnum("NETWIRE_MB", 200) << 20, rt = envnum("NETWIRE_RT",
	    5000);
	double t0, mbs, rts, ping;
	char c = 'x';
	int fd;

	fd = dial(addr, port);
	memset(buf, 'x', sizeof(buf));
	t0 = now();
	for (size_t done = 0; done < total; ) {
		size_t want = total - done < CHUNK ? total - done : CHUNK;
		ssize_t n = S->write(fd, buf, want);

		if (n <= 0)
			die("write");
		done += (size_t)n;
	}
	/* Timed to the server's end of the stream (it closes after EOF). */
	S->shutdown(fd, SHUT_WR);
	while (S->read(fd, buf, sizeof(buf)) > 0)
		continue;
	mbs = (double)total / (1 << 20) / (now() - t0);
	S->close(fd);

	fd = dial(addr, port);
	nodelay(fd);
	t0 = now();
	for (size_t i = 0; i < rt; i++)
		if (S->write(fd, &c, 1) != 1 || S->read(fd, &c, 1) != 1)
			die("round trip");
	rts = (double)rt / (now() - t0);
	S->close(fd);
	fd = dial(addr, port);		/* keeps the server up */
	ping = echo_rtt(addr, 200);
	S->close(fd);
	printf("%.1f %.0f %.3f\n", mbs, rts, ping);
}

/* NETWIRE_STATS=1: the kernel's interface and TCP counters on stderr
 * (drops and retransmissions explain a slow run). */
static void
stats(const char *role)
{
	static const char *const files[] = { "/proc/net/dev",
	    "/proc/net/snmp" };
	char buf[8192];
	ssize_t n;
	int fd;

	if (getenv("NETWIRE_STATS") == NULL)
		return;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if ((fd = rump_sys_open(files[i], 0)) < 0)
			continue;
		n = rump_sys_read(fd, buf, sizeof(buf) - 1);
		rump_sys_close(fd);
		if (n > 0) {
			buf[n] = '\0';
			fprintf(stderr, "--- %s %s\n%s", role, files[i], buf);
		}
	}
}

int
main(int argc, char **argv)
{
	const char *spec = NULL;
	int i = 2;

	if (argc >= 4 && strcmp(argv[2], "--net") == 0) {
		spec = argv[3];
		i = 4;
	}
	if (argc < 3 || (strcmp(argv[1], "serve") == 0 && argc != i + 1) ||
	    (strcmp(argv[1], "client") == 0 && argc != i + 2) ||
	    (strcmp(argv[1], "serve") != 0 && strcmp(argv[1], "client") != 0)) {
		fprintf(stderr, "usage: netwire serve [--net SPEC] PORT\n"
		    "       netwire client [--net SPEC] ADDR PORT\n");
		return 2;
	}
	if (spec != NULL)
		boot(spec);
	if (strcmp(argv[1], "serve") == 0)
		serve(atoi(argv[i]));
	else
		client(argv[i], atoi(argv[i + 1]));
	if (spec != NULL)
		stats(argv[1]);
	return 0;
}
