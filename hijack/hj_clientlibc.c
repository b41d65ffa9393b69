/*
 * hj_clientlibc.c: the host libc's functions for the librumpclient linked
 * into the shim.  Its calls of the names the shim wraps (client_libc.list)
 * are renamed hj_libc_NAME by client_ns.sh and land here: the client
 * talks to its server over the host's descriptors and must never go
 * through the shim's own wrappers (which would route them, or recurse).
 */
#include <fcntl.h>
#include <stdarg.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hj.h"

/* The prototypes are the host's; visibility hidden, as all of the shim's
 * own names. */
#define LIBC(fn)	HOST_CACHE(fn); extern __typeof__(fn) hj_libc_##fn

LIBC(close);
LIBC(connect);
LIBC(execve);
LIBC(fcntl64);
LIBC(fork);
LIBC(fstat64);
LIBC(ftruncate64);
LIBC(memfd_create);
LIBC(mmap64);
LIBC(open64);
LIBC(read);
LIBC(recv);
LIBC(recvmsg);
LIBC(sendmsg);
LIBC(setsockopt);
LIBC(shutdown);
LIBC(socket);
LIBC(write);

int hj_libc_close(int fd) { return HOST(close)(fd); }

int
hj_libc_connect(int fd, const struct sockaddr *sa, socklen_t len)
{
	return HOST(connect)(fd, sa, len);
}

int
hj_libc_execve(const char *path, char *const argv[], char *const envp[])
{
	return HOST(execve)(path, argv, envp);
}

/* Every fcntl the client makes takes an int or no argument. */
int
hj_libc_fcntl64(int fd, int cmd, ...)
{
	va_list ap;
	long arg;

	va_start(ap, cmd);
	arg = va_arg(ap, long);
	va_end(ap);
	return HOST(fcntl64)(fd, cmd, arg);
}

pid_t hj_libc_fork(void) { return HOST(fork)(); }

int
hj_libc_fstat64(int fd, struct stat64 *st)
{
	return HOST(fstat64)(fd, st);
}

int
hj_libc_ftruncate64(int fd, off64_t len)
{
	return HOST(ftruncate64)(fd, len);
}

int
hj_libc_memfd_create(const char *name, unsigned flags)
{
	return HOST(memfd_create)(name, flags);
}

void *
hj_libc_mmap64(void *addr, size_t len, int prot, int flags, int fd,
    off64_t off)
{
	return HOST(mmap64)(addr, len, prot, flags, fd, off);
}

int
hj_libc_open64(const char *path, int flags, ...)
{
	mode_t mode = 0;

	if (flags & (O_CREAT | O_TMPFILE)) {
		va_list ap;

		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, int);
		va_end(ap);
	}
	return HOST(open64)(path, flags, mode);
}

ssize_t hj_libc_read(int fd, void *buf, size_t n)
{ return HOST(read)(fd, buf, n); }

ssize_t
hj_libc_recv(int fd, void *buf, size_t n, int flags)
{
	return HOST(recv)(fd, buf, n, flags);
}

ssize_t
hj_libc_recvmsg(int fd, struct msghdr *msg, int flags)
{
	return HOST(recvmsg)(fd, msg, flags);
}

ssize_t
hj_libc_sendmsg(int fd, const struct msghdr *msg, int flags)
{
	return HOST(sendmsg)(fd, msg, flags);
}

int
hj_libc_setsockopt(int fd, int level, int name, const void *val,
    socklen_t len)
{
	return HOST(setsockopt)(fd, level, name, val, len);
}

int hj_libc_shutdown(int fd, int how) { return HOST(shutdown)(fd, how); }

int
hj_libc_socket(int domain, int type, int proto)
{
	return HOST(socket)(domain, type, proto);
}

ssize_t hj_libc_write(int fd, const void *buf, size_t n)
{ return HOST(write)(fd, buf, n); }
