/*
 * rumpuser_init.c: the version handshake with the kernel, the upcalls it
 * hands over, errno at the public edge and process exit.
 *
 * rumpuser_init() runs once, before the kernel creates threads, so the
 * upcalls are written once and then only read, without a lock.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rumpuser_int.h"

struct rumpuser_hyperup rumpuser__hyp;

RUMPUSER_EXPORT int
rumpuser_init(int version, const struct rumpuser_hyperup *hyp)
{
	if (version != RUMPUSER_VERSION) {
		fprintf(stderr, "rumpuser: the kernel wants hypercall version "
		    "%d, this librumpuser implements version %d\n", version,
		    RUMPUSER_VERSION);
		return EINVAL;
	}
	if (hyp != NULL)
		rumpuser__hyp = *hyp;
	return 0;
}

RUMPUSER_EXPORT void
rumpuser_seterrno(int error)
{
	errno = error;
}

RUMPUSER_EXPORT void
rumpuser_exit(int value)
{
	if (value == RUMPUSER_PANIC)
		abort();
	exit(value);
}

void
rumpuser__fatal(const char *what, int error)
{
	fprintf(stderr, "rumpuser: %s: %s\n", what, strerror(error));
	abort();
}
