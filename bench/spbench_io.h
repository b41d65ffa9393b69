/*
 * spbench_io.h: the kernel half of spbench, included by spbench.c (linked
 * with librumpclient: a remote kernel) and by spbench_local.c (linked with
 * the kernel: an embedded one), so that both time the very same loops.
 * Which kernel rump_sys_* reaches is decided by the link, not here.
 */
#ifndef SPBENCH_IO_H
#define SPBENCH_IO_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <rump/rump_syscalls.h>

#define ROUNDS		5		/* every figure is a median of rounds */
#define NCALLS		10000		/* calls per round of a call loop */
#define IOBYTES		(32u << 20)	/* bytes per round of an I/O loop */
#define IOBUFMAX	(1u << 20)

/* Where the kernel-side files live, in either kernel. */
#define KDIR		"/spbench"
#define KSTATME		KDIR "/statme"
#define KBIG		KDIR "/big"

static char iobuf[IOBUFMAX];

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int
cmpd(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(v[0]), cmpd);
	return v[n / 2];
}

/* Makes KDIR and the file that stat looks at; 0 or -1 (errno). */
static int
kfiles_make(void)
{
	int fd;

	if (rump_sys_mkdir(KDIR, 0755) == -1 && errno != EEXIST)
		return -1;
	if ((fd = rump_sys_open(KSTATME, O_CREAT | O_WRONLY, 0644)) == -1)
		return -1;
	return rump_sys_close(fd);
}

enum call { CALL_GETPID, CALL_STAT };

/* ns per call, median of rounds; -1 if a call failed (errno set). */
static double
call_ns(enum call which)
{
	double v[ROUNDS];
	struct stat st;

	for (int r = 0; r < ROUNDS; r++) {
		uint64_t t0 = now_ns();

		for (int i = 0; i < NCALLS; i++) {
			if (which == CALL_GETPID ? rump_sys_getpid() <= 0 :
			    rump_sys_stat(KSTATME, &st) != 0)
				return -1;
		}
		v[r] = (double)(now_ns() - t0) / NCALLS;
	}
	return median(v, ROUNDS);
}

/* MB/s (10^6 bytes a second) of IOBYTES written to or read from KBIG in
 * calls of bufsize; median of rounds; -1 if a call failed (errno set).
 * Reading reads what the last write left, so write first. */
static double
io_mbps(size_t bufsize, int reading)
{
	double v[ROUNDS];

	for (int r = 0; r < ROUNDS; r++) {
		int fd = reading ? rump_sys_open(KBIG, O_RDONLY, 0) :
		    rump_sys_open(KBIG, O_CREAT | O_TRUNC | O_WRONLY, 0644);
		uint64_t t0 = now_ns();

		if (fd == -1)
			return -1;
		for (size_t done = 0; done < IOBYTES; done += bufsize) {
			ssize_t n = reading ? rump_sys_read(fd, iobuf, bufsize) :
			    rump_sys_write(fd, iobuf, bufsize);

			if (n != (ssize_t)bufsize) {
				if (n >= 0)
					errno = EIO;	/* short: unexpected */
				return -1;
			}
		}
		v[r] = IOBYTES / ((double)(now_ns() - t0) / 1e9) / 1e6;
		rump_sys_close(fd);
	}
	return median(v, ROUNDS);
}

/* The I/O figures, in the order both programs report them. */
static const struct iotest {
	const char *name;	/* also the key spbench_local prints */
	size_t bufsize;
	int reading;
} iotests[] = {
	{ "write4k", 4096, 0 },
	{ "read4k", 4096, 1 },
	{ "write1m", IOBUFMAX, 0 },
	{ "read1m", IOBUFMAX, 1 },
};
#define NIOTESTS	(sizeof(iotests) / sizeof(iotests[0]))

#endif /* SPBENCH_IO_H */
