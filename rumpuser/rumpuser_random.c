/*
 * rumpuser_random.c: randomness from the host kernel's pool (getrandom).
 *
 * RUMPUSER_RANDOM_NOWAIT never blocks: before the host pool is ready it
 * returns what it got (EAGAIN if nothing).  Otherwise the call waits for
 * the pool, without holding the caller's virtual CPU.  Reads are looped
 * so that *retp == buflen unless NOWAIT stopped early.
 */
#include <errno.h>
#include <stdbool.h>
#include <sys/random.h>

#include "rumpuser_int.h"

RUMPUSER_EXPORT int
rumpuser_getrandom(void *buf, size_t buflen, int flags, size_t *retp)
{
	unsigned char *p = buf;
	size_t done = 0;
	ssize_t n;
	int error = 0, saved = errno;
	bool blocking = false;

	while (done < buflen) {
		/* Try without blocking first: after boot that always works. */
		if (blocking)
			n = getrandom(p + done, buflen - done, 0);
		else
			n = getrandom(p + done, buflen - done, GRND_NONBLOCK);
		if (n >= 0) {
			done += (size_t)n;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN && !blocking &&
		    (flags & RUMPUSER_RANDOM_NOWAIT) == 0) {
			/* Pool not ready yet: wait without our CPU. */
			rumpuser__unsched();
			do {
				n = getrandom(p + done, buflen - done, 0);
			} while (n < 0 && errno == EINTR);
			error = n < 0 ? errno : 0;
			rumpuser__sched();
			if (n < 0)
				break;
			done += (size_t)n;
			blocking = true;
			continue;
		}
		if (done == 0 || errno != EAGAIN)
			error = errno;
		break;
	}
	errno = saved;
	if (retp != NULL)
		*retp = done;
	return error;
}
