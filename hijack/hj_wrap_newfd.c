/*
 * hj_wrap_newfd.c: the libc functions that create host descriptors and
 * take neither a path nor a descriptor the kernel could own (pipe,
 * eventfd, memfd_create, tmpfile, shm_open ...), and those that close a
 * host descriptor inside libc (fclose).
 *
 * Nothing here is routed.  They are wrapped for the cache of free
 * placeholders (hj_fd.c): before the host hands out a number, the cached
 * ones go back to it (hj_fd_flush), so pipe() after close() of a kernel
 * descriptor gets that number, as on Linux; and a number libc frees is
 * reported (hj_fd_freed), so no kernel descriptor is given a higher one.
 */
#include <fcntl.h>
#include <pty.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/fanotify.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/pidfd.h>
#include <sys/timerfd.h>
#include <mqueue.h>
#include <unistd.h>

#include "hj.h"

HOST_CACHE(pipe);
HOST_CACHE(pipe2);
HOST_CACHE(eventfd);
HOST_CACHE(memfd_create);
HOST_CACHE(timerfd_create);
HOST_CACHE(inotify_init);
HOST_CACHE(inotify_init1);
HOST_CACHE(fanotify_init);
HOST_CACHE(pidfd_open);
HOST_CACHE(tmpfile);
HOST_CACHE(tmpfile64);
HOST_CACHE(shm_open);
HOST_CACHE(mq_open);
HOST_CACHE(posix_openpt);
HOST_CACHE(getpt);
HOST_CACHE(openpty);
HOST_CACHE(fclose);
HOST_CACHE(fcloseall);

HJ_EXPORT int
pipe(int fds[2])
{
	hj_fd_flush();
	return HOST(pipe)(fds);
}

HJ_EXPORT int
pipe2(int fds[2], int flags)
{
	hj_fd_flush();
	return HOST(pipe2)(fds, flags);
}

HJ_EXPORT int
eventfd(unsigned int count, int flags)
{
	hj_fd_flush();
	return HOST(eventfd)(count, flags);
}

HJ_EXPORT int
memfd_create(const char *name, unsigned int flags)
{
	hj_fd_flush();
	return HOST(memfd_create)(name, flags);
}

HJ_EXPORT int
timerfd_create(int clockid, int flags)
{
	hj_fd_flush();
	return HOST(timerfd_create)(clockid, flags);
}

HJ_EXPORT int
inotify_init(void)
{
	hj_fd_flush();
	return HOST(inotify_init)();
}

HJ_EXPORT int
inotify_init1(int flags)
{
	hj_fd_flush();
	return HOST(inotify_init1)(flags);
}

HJ_EXPORT int
fanotify_init(unsigned int flags, unsigned int event_f_flags)
{
	hj_fd_flush();
	return HOST(fanotify_init)(flags, event_f_flags);
}

HJ_EXPORT int
pidfd_open(pid_t pid, unsigned int flags)
{
	hj_fd_flush();
	return HOST(pidfd_open)(pid, flags);
}

HJ_EXPORT FILE *
tmpfile(void)
{
	hj_fd_flush();
	return HOST(tmpfile)();
}

HJ_EXPORT FILE *
tmpfile64(void)
{
	hj_fd_flush();
	return HOST(tmpfile64)();
}

HJ_EXPORT int
shm_open(const char *name, int oflag, mode_t mode)
{
	hj_fd_flush();
	return HOST(shm_open)(name, oflag, mode);
}

/* mq_open's mode and attributes are there only with O_CREAT. */
HJ_EXPORT mqd_t
mq_open(const char *name, int oflag, ...)
{
	struct mq_attr *attr = NULL;
	mode_t mode = 0;
	va_list ap;

	if (oflag & O_CREAT) {
		va_start(ap, oflag);
		mode = (mode_t)va_arg(ap, int);
		attr = va_arg(ap, struct mq_attr *);
		va_end(ap);
	}
	hj_fd_flush();
	return HOST(mq_open)(name, oflag, mode, attr);
}

HJ_EXPORT int
posix_openpt(int flags)
{
	hj_fd_flush();
	return HOST(posix_openpt)(flags);
}

HJ_EXPORT int
getpt(void)
{
	hj_fd_flush();
	return HOST(getpt)();
}

HJ_EXPORT int
openpty(int *amaster, int *aslave, char *name, const struct termios *tp,
    const struct winsize *wp)
{
	hj_fd_flush();
	return HOST(openpty)(amaster, aslave, name, tp, wp);
}

/* A host stream's descriptor is freed inside libc. */
HJ_EXPORT int
fclose(FILE *f)
{
	int fd = f != NULL && hj_fdmap != NULL ? fileno(f) : -1, rv;

	if (fd >= 0 && hj_fd_kernel(fd) >= 0)
		fd = -1;	/* a kernel stream: its close did it */
	rv = HOST(fclose)(f);
	if (fd >= 0)
		hj_fd_freed(fd);
	return rv;
}

HJ_EXPORT int
fcloseall(void)
{
	int rv = HOST(fcloseall)();

	/* Which numbers it freed is not known: any of them. */
	hj_fd_freed(0);
	return rv;
}
