/*
 * fsbench: the same file-system operations timed, in one run, on the host
 * kernel (a directory in /dev/shm, tmpfs) and in an embedded rump kernel,
 * printed as ns/op and as the ratio kernel/host.  Also rump_init() time and
 * the resident memory an idle kernel adds.  Figures are medians of rounds.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>

/* One side of the comparison: the host's calls or the kernel's. */
struct side {
	const char *name;
	char base[256];
	int (*open)(const char *, int, mode_t);
	int (*close)(int);
	ssize_t (*read)(int, void *, size_t);
	ssize_t (*write)(int, const void *, size_t);
	int (*stat)(const char *, struct stat *);
	int (*mkdir)(const char *, mode_t);
	int (*unlink)(const char *);
	int (*rmdir)(const char *);
	ssize_t (*getdents)(int, void *, size_t);
};

static int h_open(const char *p, int f, mode_t m) { return open(p, f, m); }
static int k_open(const char *p, int f, mode_t m)
{ return rump_sys_open(p, f, m); }
static ssize_t h_getdents(int fd, void *b, size_t n) { return syscall(SYS_getdents64, fd, b, n); }

static struct side host = { "host", "", h_open, close, read, write, stat,
	mkdir, unlink, rmdir, h_getdents };
static struct side kern = { "rump", "", k_open, rump_sys_close,
	rump_sys_read, rump_sys_write, rump_sys_stat, rump_sys_mkdir,
	rump_sys_unlink, rump_sys_rmdir, rump_sys_getdents64 };

#define NFILES 10000
#define SEQBYTES (256u << 20)
#define ROUNDS 5

static char iobuf[1 << 20];

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
	fprintf(stderr, "fsbench: %s: %s: ", s->name, what);
	perror(NULL);
	exit(1);
}

static void
path(char *buf, size_t len, const struct side *s, const char *rel, int i)
{
	snprintf(buf, len, "%s/%s%d", s->base, rel, i);
}

/* Each benchmark returns ns per operation for one round. */
static double
b_stat(struct side *s)
{
	char p[300];
	struct stat st;
	int n = 200000, fd;

	path(p, sizeof(p), s, "statme", 0);
	if ((fd = s->open(p, O_CREAT | O_WRONLY, 0644)) == -1)
		die(s, "create");
	s->close(fd);
	uint64_t t0 = now_ns();
	for (int i = 0; i < n; i++)
		if (s->stat(p, &st) == -1)
			die(s, "stat");
	return (double)(now_ns() - t0) / n;
}

static double
b_openclose(struct side *s)
{
	char p[300];
	int n = 100000, fd;

	path(p, sizeof(p), s, "statme", 0);
	uint64_t t0 = now_ns();
	for (int i = 0; i < n; i++) {
		if ((fd = s->open(p, O_RDONLY, 0)) == -1)
			die(s, "open");
		s->close(fd);
	}
	return (double)(now_ns() - t0) / n;
}

static double
b_create4k(struct side *s)
{
	char d[300], p[320];
	int fd;

	path(d, sizeof(d), s, "many", 0);
	if (s->mkdir(d, 0755) == -1)
		die(s, "mkdir");
	uint64_t t0 = now_ns();
	for (int i = 0; i < NFILES; i++) {
		snprintf(p, sizeof(p), "%s/f%d", d, i);
		if ((fd = s->open(p, O_CREAT | O_WRONLY | O_TRUNC, 0644)) == -1 ||
		    s->write(fd, iobuf, 4096) != 4096)
			die(s, "create+write");
		s->close(fd);
	}
	return (double)(now_ns() - t0) / NFILES;
}

static double
b_readdir(struct side *s)
{
	char d[300], buf[32768];
	int fd, count = 0;
	ssize_t n;

	path(d, sizeof(d), s, "many", 0);
	uint64_t t0 = now_ns();
	if ((fd = s->open(d, O_RDONLY | O_DIRECTORY, 0)) == -1)
		die(s, "opendir");
	while ((n = s->getdents(fd, buf, sizeof(buf))) > 0)
		for (ssize_t off = 0; off < n; count++)
			off += *(unsigned short *)(buf + off + 16);
	s->close(fd);
	double r = (double)(now_ns() - t0) / count;
	if (count != NFILES + 2)
		die(s, "readdir count");
	return r;
}

static void
cleanup_many(struct side *s)
{
	char d[300], p[320];

	path(d, sizeof(d), s, "many", 0);
	for (int i = 0; i < NFILES; i++) {
		snprintf(p, sizeof(p), "%s/f%d", d, i);
		s->unlink(p);
	}
	s->rmdir(d);
}

/* Sequential I/O: ns per MiB written or read through 1 MiB calls. */
static double
b_seq(struct side *s, int reading)
{
	char p[300];
	int fd;

	path(p, sizeof(p), s, "big", 0);
	fd = reading ? s->open(p, O_RDONLY, 0) :
	    s->open(p, O_CREAT | O_TRUNC | O_WRONLY, 0644);
	if (fd == -1)
		die(s, "open big");
	uint64_t t0 = now_ns();
	for (unsigned done = 0; done < SEQBYTES; done += sizeof(iobuf)) {
		ssize_t n = reading ? s->read(fd, iobuf, sizeof(iobuf)) :
		    s->write(fd, iobuf, sizeof(iobuf));
		if (n != (ssize_t)sizeof(iobuf))
			die(s, reading ? "read" : "write");
	}
	double r = (double)(now_ns() - t0) / (SEQBYTES >> 20);
	s->close(fd);
	return r;
}
static double b_seqwrite(struct side *s) { return b_seq(s, 0); }
static double b_seqread(struct side *s) { return b_seq(s, 1); }

static int
cmpd(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double
median(double (*fn)(struct side *), struct side *s, void (*after)(struct side *))
{
	double v[ROUNDS];

	for (int i = 0; i < ROUNDS; i++) {
		v[i] = fn(s);
		if (after)
			after(s);
	}
	qsort(v, ROUNDS, sizeof(v[0]), cmpd);
	return v[ROUNDS / 2];
}

static long
rss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kib = -1;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	if (f)
		fclose(f);
	return kib;
}

static void
report(const char *what, const char *unit, double h, double k)
{
	printf("%-28s host %10.1f %-7s rump %10.1f %-7s ratio %5.2f\n",
	    what, h, unit, k, unit, k / h);
}

int
main(void)
{
	static const struct {
		const char *name, *unit;
		double (*fn)(struct side *);
		void (*after)(struct side *);
	} benches[] = {
		{ "stat (cached file)", "ns/op", b_stat, NULL },
		{ "open+close", "ns/op", b_openclose, NULL },
		{ "create+write 4KiB+close", "ns/file", b_create4k, NULL },
		{ "readdir 10000 entries", "ns/ent", b_readdir, cleanup_many },
		{ "sequential write 256 MiB", "ns/MiB", b_seqwrite, NULL },
		{ "sequential read 256 MiB", "ns/MiB", b_seqread, NULL },
	};
	char tmpl[] = "/dev/shm/fsbench.XXXXXX";
	long rss0, rss1;
	uint64_t t0;
	int error;

	memset(iobuf, 'x', sizeof(iobuf));
	if (mkdtemp(tmpl) == NULL) {
		perror("mkdtemp /dev/shm");
		return 1;
	}
	snprintf(host.base, sizeof(host.base), "%s", tmpl);
	snprintf(kern.base, sizeof(kern.base), "/bench");

	rss0 = rss_kib();
	t0 = now_ns();
	if ((error = rump_init()) != 0) {
		fprintf(stderr, "rump_init: %s\n", strerror(error));
		return 1;
	}
	double boot_ms = (double)(now_ns() - t0) / 1e6;
	rss1 = rss_kib();
	if (rump_sys_mkdir(kern.base, 0755) == -1)
		die(&kern, "mkdir base");

	printf("fsbench: host = %s (tmpfs), rump = embedded kernel; "
	    "median of %d rounds\n", host.base, ROUNDS);
	printf("rump_init: %.2f ms; idle kernel adds %ld KiB resident\n",
	    boot_ms, rss1 - rss0);
	for (size_t i = 0; i < sizeof(benches) / sizeof(benches[0]); i++) {
		/* The create benchmark needs the directory gone between rounds,
		 * readdir needs it present: create once more for readdir. */
		double h, k;
		if (benches[i].fn == b_create4k) {
			h = median(b_create4k, &host, cleanup_many);
			k = median(b_create4k, &kern, cleanup_many);
			b_create4k(&host);
			b_create4k(&kern);
		} else {
			h = median(benches[i].fn, &host, NULL);
			k = median(benches[i].fn, &kern, NULL);
			if (benches[i].after) {
				benches[i].after(&host);
				benches[i].after(&kern);
			}
		}
		report(benches[i].name, benches[i].unit, h, k);
	}

	char p[300];
	path(p, sizeof(p), &host, "big", 0);
	unlink(p);
	path(p, sizeof(p), &host, "statme", 0);
	unlink(p);
	rmdir(host.base);
	return 0;
}
