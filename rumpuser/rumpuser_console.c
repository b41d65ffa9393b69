/*
 * rumpuser_console.c: the kernel console is the host's stderr.  Writes
 * are unbuffered, so lines from several threads interleave at worst
 * between write(2) calls, never inside a short line.
 */
#include <errno.h>
#include <unistd.h>

#include "rumpuser_int.h"

RUMPUSER_EXPORT void
rumpuser_console_write(const char *buf, size_t len)
{
	ssize_t n;
	int saved = errno;

	while (len > 0) {
		n = write(STDERR_FILENO, buf, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			/* Nowhere to report a console failure: drop it. */
			break;
		}
		buf += n;
		len -= (size_t)n;
	}
	errno = saved;
}
