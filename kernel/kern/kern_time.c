/*
 * kern_time.c: clocks, sleeping, and randomness from the host.
 *
 * Every host call that may block here is made without a virtual CPU
 * (cpu_block_begin/end), per the rule in kernel.h.
 */
#include "k/kernel.h"
#include "rump/rumpuser.h"

#include "kern_private.h"

#define NSEC_PER_SEC	1000000000L

static void
host_gettime(int which, struct timespec *ts)
{
	int64_t sec;
	long nsec;

	if (rumpuser_clock_gettime(which, &sec, &nsec) != 0) {
		sec = 0;
		nsec = 0;
	}
	ts->tv_sec = sec;
	ts->tv_nsec = nsec;
}

void
getnanotime(struct timespec *ts)
{
	host_gettime(RUMPUSER_CLOCK_RELWALL, ts);
}

void
getnanouptime(struct timespec *ts)
{
	host_gettime(RUMPUSER_CLOCK_ABSMONO, ts);
}

/* Sleeps ns nanoseconds (relative); 0 (there are no signals to wake it). */
int
kpause_ns(int64_t ns)
{
	struct lwp *l;

	if (ns <= 0)
		return 0;
	l = cpu_block_begin();
	sleep_hint(l);
	rumpuser_clock_sleep(RUMPUSER_CLOCK_RELWALL, ns / NSEC_PER_SEC,
	    (long)(ns % NSEC_PER_SEC));
	cpu_block_end(l);
	return 0;
}

/*
 * Fills buf from the host's generator.  Flags are getrandom(2)'s: without
 * GRND_INSECURE it waits for the host pool to be ready, unless
 * GRND_NONBLOCK, which makes that EAGAIN.  *retp gets the bytes produced;
 * a short count comes back with error 0 only after some progress.
 */
int
kern_getrandom(void *buf, size_t len, int flags, size_t *retp)
{
	struct lwp *l;
	size_t done = 0, n;
	int ruflags = 0, error = 0;

	if ((flags & GRND_INSECURE) == 0)
		ruflags |= RUMPUSER_RANDOM_HARD;
	if (flags & GRND_NONBLOCK)
		ruflags |= RUMPUSER_RANDOM_NOWAIT;
	l = cpu_block_begin();
	while (done < len) {
		n = 0;
		error = rumpuser_getrandom((char *)buf + done, len - done,
		    ruflags, &n);
		if (error != 0 || n == 0)
			break;
		done += n;
	}
	cpu_block_end(l);
	*retp = done;
	if (done > 0)
		return 0;
	if (error == 0 && len > 0)
		error = EAGAIN;
	return error;
}
