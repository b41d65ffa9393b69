/*
 * hjbench: what the hijack costs, in one run.  A plain libc program: it
 * links no kernel, and runs unmodified with and without LD_PRELOAD.
 *
 *   hjbench [SHIM [RUMPHIJACK]]    the driver (default: ../hijack/ next to
 *                                  this program in the build tree)
 *   hjbench --calls FILE [KFILE]   worker: non-routed calls on host FILE
 *                                  (KFILE: a routed file opened first, so
 *                                  the shim has a kernel and a fd map)
 *   hjbench --routed DIR [N]       worker: stat, open+close, pwrite in DIR
 *                                  (N calls a block)
 *
 * The driver spawns workers alternately without and with
 * LD_PRELOAD=librumphijack.so (no RUMP_SERVER: an embedded kernel) and
 * prints, side by side:
 *
 *   1. non-routed calls on a host descriptor (close(-1), read of 0 bytes,
 *      fstat; stat of a host path and an unwrapped getppid to compare), no
 *      shim vs shim: ns/op and the difference (goal: within 2 ns).  The
 *      difference is also taken within one process, against libc's own
 *      definition called through a pointer: the noise between processes
 *      is as large as the goal;
 *   2. routed stat, open+close, pwrite 4 KiB in /rump (embedded kernel)
 *      vs the same calls on the host in /dev/shm: ratio (goal <= 1.0), and
 *      for reference the same under rumphijack (a remote kernel);
 *   3. start-up of `rumphijack -- true` against plain `true` (and `true`
 *      with the shim preloaded), all by fork+exec+wait, wall clock and
 *      CPU time (goal: within +2 ms of `true`);
 *   4. `tar xf` of a 10000-file archive, built here, under rumphijack into
 *      /rump vs plain tar into /dev/shm: ratio (goal <= 1.2); if that does
 *      not work yet, again without the utime, chown and chmod calls; for
 *      reference, tar with the kernel in its own process (LD_PRELOAD).
 *
 * What does not work yet (a wrapper others are still writing) reads
 * "n/a (reason)".  A worker takes the best of many short blocks of a loop
 * (the cost of a call, without the interruptions); the driver prints the
 * median over its processes.
 *
 * This file holds main(), which runs a worker or the driver, and the
 * helpers of both (the clock, medians, messages); the workers are in
 * hjbench_worker.c, the driver's processes in hjbench_run.c and its four
 * sections in hjbench_sections.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hjbench.h"

char self[PATH_MAX], shim[PATH_MAX], rumphijack[PATH_MAX];
char work[64];
char outf[PATH_MAX], errf[PATH_MAX];

uint64_t
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

double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(v[0]), cmpd);
	return v[n / 2];
}

/* snprintf for messages: truncating them is fine. */
void
msg(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

/* --- main ----------------------------------------------------------------- */

/* dir of this program + rel, into out, if it exists. */
int
beside(const char *rel, char *out, size_t len)
{
	char d[PATH_MAX];
	char *slash;

	snprintf(d, sizeof(d), "%s", self);
	if ((slash = strrchr(d, '/')) != NULL)
		*slash = '\0';
	return snprintf(out, len, "%s/%s", d, rel) < (int)len &&
	    access(out, R_OK) == 0 ? 0 : -1;
}

static int
absolute(const char *p, char *out, size_t len)
{
	if (realpath(p, out) == NULL || strlen(out) >= len) {
		fprintf(stderr, "hjbench: %s: %s\n", p, strerror(errno));
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	ssize_t n;

	if (argc >= 3 && strcmp(argv[1], "--calls") == 0)
		return w_calls(argv[2], argc > 3 ? argv[3] : NULL);
	if ((argc == 3 || argc == 4) && strcmp(argv[1], "--routed") == 0)
		return w_routed(argv[2], argc == 4 && atoi(argv[3]) > 0 ?
		    atoi(argv[3]) : ROUTED_N);
	if (argc > 3 || (argc > 1 && argv[1][0] == '-')) {
		fprintf(stderr, "usage: hjbench [librumphijack.so "
		    "[rumphijack]]\n");
		return 2;
	}
	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) < 0) {
		perror("hjbench: /proc/self/exe");
		return 1;
	}
	self[n] = '\0';
	if (argc > 1 ? absolute(argv[1], shim, sizeof(shim)) != 0 :
	    beside("../hijack/librumphijack.so", shim, sizeof(shim)) != 0) {
		fprintf(stderr, "hjbench: no librumphijack.so\n");
		return 1;
	}
	if (argc > 2 ? absolute(argv[2], rumphijack, sizeof(rumphijack))
	    != 0 : beside("../hijack/rumphijack", rumphijack,
	    sizeof(rumphijack)) != 0) {
		fprintf(stderr, "hjbench: no rumphijack\n");
		return 1;
	}
	snprintf(work, sizeof(work), "/dev/shm/hjbench.XXXXXX");
	if (mkdtemp(work) == NULL) {
		perror("hjbench: mkdtemp /dev/shm");
		return 1;
	}
	snprintf(outf, sizeof(outf), "%s/out", work);
	snprintf(errf, sizeof(errf), "%s/err", work);
	printf("hjbench: shim = %s; host = %s (tmpfs)\n  a call: the best of "
	    "%d blocks of %d in a process, the median of %d processes\n  "
	    "(routed: %d blocks of %d, %d processes)\n", shim, work,
	    CALL_BLOCKS, CALL_N, CALL_ROUNDS, ROUTED_BLOCKS, ROUTED_N,
	    ROUTED_ROUNDS);
	fflush(stdout);
	calls();
	fflush(stdout);
	routed();
	fflush(stdout);
	startup();
	fflush(stdout);
	tar();
	rm_rf(work);
	return 0;
}
