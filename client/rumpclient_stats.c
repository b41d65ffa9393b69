/*
 * rumpclient_stats.c: RUMPCLIENT_STATS=FILE, what this process's remote
 * calls cost (doc/PROTOCOL.md, "Measuring").  Each process appends one
 * line to FILE when it exits: its calls by name with their mean time,
 * and how their waits went through the shared region (answered while
 * the client spun, or asleep on the socket after a RING).  Off, a call
 * pays one predicted branch.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rumpclient_int.h"
#include "sp_systab.h"

bool stats_on;
static char *stats_path;
static _Atomic unsigned long ncalls[SP_NSYS];
static _Atomic unsigned long long nsecs[SP_NSYS];

uint64_t
stats_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* A forked child counts its own calls only. */
static void
stats_child(void)
{
	memset(&sp_shm_stats, 0, sizeof(sp_shm_stats));
	memset(ncalls, 0, sizeof(ncalls));
	memset(nsecs, 0, sizeof(nsecs));
}

void
stats_init(void)
{
	const char *v = getenv("RUMPCLIENT_STATS");

	if (v == NULL || *v == '\0' || stats_path != NULL)
		return;
	if ((stats_path = strdup(v)) == NULL)
		return;
	pthread_atfork(NULL, NULL, stats_child);
	sp_shm_counting = true;
	stats_on = true;
}

void
stats_call(int num, uint64_t ns)
{
	if (num < 0 || num >= SP_NSYS)
		return;
	atomic_fetch_add_explicit(&ncalls[num], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&nsecs[num], ns, memory_order_relaxed);
}

/* One line, written at once (O_APPEND): processes of a tree share FILE. */
__attribute__((destructor)) static void
stats_write(void)
{
	struct sp_shm_stats *s = &sp_shm_stats;
	unsigned long total = 0;
	char line[8192];
	size_t n = 0;
	int fd;

	if (!stats_on)
		return;
	for (int i = 0; i < SP_NSYS; i++)
		total += ncalls[i];
	n += (size_t)snprintf(line, sizeof(line), "pid %d %s: %lu calls; "
	    "region: %lu posted, %lu answered while spinning, %lu slept, "
	    "%lu rings, %lu on the socket (too big);", (int)getpid(),
	    program_invocation_short_name, total, s->posted, s->spun,
	    s->slept, s->rang, s->big);
	for (int i = 0; i < SP_NSYS && n < sizeof(line) - 64; i++) {
		const char *name = sp_systab[i].name;
		char num[16];

		if (ncalls[i] == 0)
			continue;
		if (name == NULL) {
			snprintf(num, sizeof(num), "#%d", i);
			name = num;
		}
		n += (size_t)snprintf(line + n, sizeof(line) - n,
		    " %s %lu x %.1f us", name, ncalls[i],
		    (double)nsecs[i] / 1000.0 / (double)ncalls[i]);
	}
	n += (size_t)snprintf(line + n, sizeof(line) - n, "\n");
	if ((fd = open(stats_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
	    0644)) < 0)
		return;
	(void)!write(fd, line, n < sizeof(line) ? n : sizeof(line) - 1);
	close(fd);
}
