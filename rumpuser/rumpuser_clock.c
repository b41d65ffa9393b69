/*
 * rumpuser_clock.c: the host's clocks, and sleeping.
 *
 * RELWALL: gettime reads the wall clock (CLOCK_REALTIME), sleep is
 * relative.  ABSMONO: gettime reads CLOCK_MONOTONIC, sleep is until an
 * absolute CLOCK_MONOTONIC time.  A sleep gives up the caller's virtual
 * CPU for its duration; signals do not cut it short (EINTR restarts it).
 */
#include <errno.h>
#include <time.h>

#include "rumpuser_int.h"

RUMPUSER_EXPORT int
rumpuser_clock_gettime(int which, int64_t *sec, long *nsec)
{
	struct timespec ts;
	clockid_t clk;
	int error = 0, saved = errno;

	switch (which) {
	case RUMPUSER_CLOCK_RELWALL:
		clk = CLOCK_REALTIME;
		break;
	case RUMPUSER_CLOCK_ABSMONO:
		clk = CLOCK_MONOTONIC;
		break;
	default:
		return EINVAL;
	}
	if (clock_gettime(clk, &ts) != 0) {
		error = errno;
		errno = saved;
		return error;
	}
	*sec = ts.tv_sec;
	*nsec = ts.tv_nsec;
	return 0;
}

RUMPUSER_EXPORT int
rumpuser_clock_sleep(int which, int64_t sec, long nsec)
{
	struct timespec ts, rem;
	int error = 0, saved = errno;

	if (nsec < 0 || nsec >= 1000000000L)
		return EINVAL;
	if (which != RUMPUSER_CLOCK_RELWALL && which != RUMPUSER_CLOCK_ABSMONO)
		return EINVAL;
	/* A relative sleep of zero or less is over already. */
	if (which == RUMPUSER_CLOCK_RELWALL && (sec < 0 ||
	    (sec == 0 && nsec == 0)))
		return 0;
	if (sec < 0)
		sec = 0;
	ts.tv_sec = (time_t)sec;
	ts.tv_nsec = nsec;

	rumpuser__unsched();
	if (which == RUMPUSER_CLOCK_RELWALL) {
		while (nanosleep(&ts, &rem) != 0) {
			if (errno != EINTR) {
				error = errno;
				break;
			}
			ts = rem;
		}
	} else {
		do {
			error = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME,
			    &ts, NULL);
		} while (error == EINTR);
	}
	errno = saved;
	rumpuser__sched();
	return error;
}
