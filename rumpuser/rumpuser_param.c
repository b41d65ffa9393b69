/*
 * rumpuser_param.c: run-time parameters (the environment) and the host's
 * CPU count.  The kernel reads them once at bootstrap.
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rumpuser_int.h"

RUMPUSER_EXPORT int
rumpuser_getparam(const char *name, char *buf, size_t buflen)
{
	const char *value;
	size_t len;

	if ((value = getenv(name)) == NULL)
		return ENOENT;
	len = strlen(value);
	if (len >= buflen)
		return ENAMETOOLONG;
	memcpy(buf, value, len + 1);
	return 0;
}

/* The CPUs this process may run on (as nproc counts them): one system
 * call, where the online count reads a file in /sys. */
RUMPUSER_EXPORT int
rumpuser_ncpu(void)
{
	int saved = errno;
	cpu_set_t set;
	long n;

	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		n = CPU_COUNT(&set);
	else
		n = sysconf(_SC_NPROCESSORS_ONLN);
	errno = saved;
	return n < 1 ? 1 : n > 4096 ? 4096 : (int)n;
}
