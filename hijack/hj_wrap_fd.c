/*
 * hj_wrap_fd.c: the descriptor calls: open family, close, read/write
 * family, lseek, dup family, fcntl, close_range, fstat, fsync.  Each
 * costs a map lookup when the descriptor is the host's.  EPIPE from a
 * kernel write raises SIGPIPE (hj_sigpipe), which the kernel cannot.
 */
#include <limits.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "hj.h"
#include "hj_poll.h"

HOST_CACHE(open);
HOST_CACHE(openat);
HOST_CACHE(close);
HOST_CACHE(read);
HOST_CACHE(write);
HOST_CACHE(pread64);
HOST_CACHE(pwrite64);
HOST_CACHE(readv);
HOST_CACHE(writev);
HOST_CACHE(preadv64);
HOST_CACHE(pwritev64);
HOST_CACHE(preadv64v2);
HOST_CACHE(pwritev64v2);
HOST_CACHE(lseek64);
HOST_CACHE(dup);
HOST_CACHE(dup2);
HOST_CACHE(dup3);
HOST_CACHE(fcntl);
HOST_CACHE(close_range);
HOST_CACHE(fstat);
HOST_CACHE(fsync);
HOST_CACHE(fdatasync);
HOST_CACHE(ftruncate64);

/* --- open ------------------------------------------------------------- */

static int
k_openat(int kd, const char *kp, int flags, mode_t mode)
{
	int kfd = hjk_openat(kd, kp, flags, mode);

	if (kfd < 0)
		return -1;
	return hj_fd_install(kfd, 0, (flags & O_CLOEXEC) != 0);
}

static int
do_openat(int dirfd, const char *path, int flags, mode_t mode)
{
	char kbuf[PATH_MAX];
	const char *kp;
	int kd;

	switch (hj_route(dirfd, path, kbuf, sizeof(kbuf), &kd, &kp)) {
	case HJ_HOST:
		hj_fd_flush();
		return HOST(openat)(dirfd, path, flags, mode);
	case HJ_KERNEL:
		/* O_CREAT|O_EXCL and O_NOFOLLOW do not follow the last. */
		KLINKOUT(int, k_openat(kd, kp, flags, mode),
		    !(flags & O_NOFOLLOW) &&
		    (flags & (O_CREAT | O_EXCL)) != (O_CREAT | O_EXCL),
		    (hj_fd_flush(), HOST(openat)(AT_FDCWD, hp, flags, mode)));
	default:
		return -1;
	}
}

#define OPEN_MODE(flags, mode) do {					\
	if ((flags) & (O_CREAT | __O_TMPFILE)) {			\
		va_list ap;						\
		va_start(ap, flags);					\
		mode = (mode_t)va_arg(ap, int);				\
		va_end(ap);						\
	}								\
} while (0)

HJ_EXPORT int
open(const char *path, int flags, ...)
{
	mode_t mode = 0;

	OPEN_MODE(flags, mode);
	return do_openat(AT_FDCWD, path, flags, mode);
}

HJ_EXPORT int
open64(const char *path, int flags, ...)
{
	mode_t mode = 0;

	OPEN_MODE(flags, mode);
	return do_openat(AT_FDCWD, path, flags | O_LARGEFILE, mode);
}

HJ_EXPORT int
openat(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;

	OPEN_MODE(flags, mode);
	return do_openat(dirfd, path, flags, mode);
}

HJ_EXPORT int
openat64(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;

	OPEN_MODE(flags, mode);
	return do_openat(dirfd, path, flags | O_LARGEFILE, mode);
}

/* The _FORTIFY_SOURCE entries: no mode argument. */
HJ_EXPORT int
__open_2(const char *path, int flags)
{
	return do_openat(AT_FDCWD, path, flags, 0);
}

HJ_EXPORT int
__open64_2(const char *path, int flags)
{
	return do_openat(AT_FDCWD, path, flags | O_LARGEFILE, 0);
}

HJ_EXPORT int
__openat_2(int dirfd, const char *path, int flags)
{
	return do_openat(dirfd, path, flags, 0);
}

HJ_EXPORT int
__openat64_2(int dirfd, const char *path, int flags)
{
	return do_openat(dirfd, path, flags | O_LARGEFILE, 0);
}

HJ_EXPORT int
creat(const char *path, mode_t mode)
{
	return do_openat(AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, mode);
}

HJ_EXPORT int
creat64(const char *path, mode_t mode)
{
	return do_openat(AT_FDCWD, path,
	    O_CREAT | O_WRONLY | O_TRUNC | O_LARGEFILE, mode);
}

/* --- close, read, write ------------------------------------------------- */

/* The shim's own sockets look closed to the program. */
static int
private_fd(void)
{
	errno = EBADF;
	return -1;
}

HJ_EXPORT int
close(int fd)
{
	if (hj_fd_private(fd))
		return private_fd();
	if (hj_fd_kernel(fd) < 0) {
		int rv = HOST(close)(fd);

		if (rv == 0 && hj_epoll_regs != NULL)
			hj_epoll_closed(fd, fd);
		if (rv == 0)
			hj_fd_freed(fd);
		return rv;
	}
	return hj_fd_close(fd);
}

HJ_EXPORT ssize_t
read(int fd, void *buf, size_t n)
{
	int k = hj_fd_kernel(fd);

	return k < 0 ? HOST(read)(fd, buf, n) : hjk_read(k, buf, n);
}

HJ_EXPORT ssize_t
write(int fd, const void *buf, size_t n)
{
	int k = hj_fd_kernel(fd);

	return k < 0 ? HOST(write)(fd, buf, n) :
	    hj_sigpipe(hjk_write(k, buf, n), 0);
}

HJ_EXPORT ssize_t
pread64(int fd, void *buf, size_t n, off_t off)
{
	int k = hj_fd_kernel(fd);

	return k < 0 ? HOST(pread64)(fd, buf, n, off) :
	    hjk_pread64(k, buf, n, off);
}

HJ_EXPORT ssize_t
pread(int fd, void *buf, size_t n, off_t off)
{
	return pread64(fd, buf, n, off);
}

HJ_EXPORT ssize_t
pwrite64(int fd, const void *buf, size_t n, off_t off)
{
	int k = hj_fd_kernel(fd);

	return k < 0 ? HOST(pwrite64)(fd, buf, n, off) :
	    hjk_pwrite64(k, buf, n, off);
}

HJ_EXPORT ssize_t
pwrite(int fd, const void *buf, size_t n, off_t off)
{
	return pwrite64(fd, buf, n, off);
}

HJ_EXPORT ssize_t
readv(int fd, const struct iovec *iov, int cnt)
{
	int k = hj_fd_kernel(fd);

	return k < 0 ? HOST(readv)(fd, iov, cnt) : hjk_readv(k, iov, cnt);
}

HJ_EXPORT ssize_t
writev(int fd, const struct iovec *iov, int cnt)
{
	int k = hj_fd_kernel(fd);

	return k < 0 ? HOST(writev)(fd, iov, cnt) :
	    hj_sigpipe(hjk_writev(k, iov, cnt), 0);
}

HJ_EXPORT ssize_t
preadv64(int fd, const struct iovec *iov, int cnt, off_t off)
{
	int k = hj_fd_kernel(fd);

	return k < 0 ? HOST(preadv64)(fd, iov, cnt, off) :
	    hjk_preadv(k, iov, cnt, off);
}

HJ_EXPORT ssize_t
preadv(int fd, const struct iovec *iov, int cnt, off_t off)
{
	return preadv64(fd, iov, cnt, off);
}

HJ_EXPORT ssize_t
pwritev64(int fd, const struct iovec *iov, int cnt, off_t off)
{
	int k = hj_fd_kernel(fd);

	return k < 0 ? HOST(pwritev64)(fd, iov, cnt, off) :
	    hjk_pwritev(k, iov, cnt, off);
}

HJ_EXPORT ssize_t
pwritev(int fd, const struct iovec *iov, int cnt, off_t off)
{
	return pwritev64(fd, iov, cnt, off);
}

/* The v2 calls: the kernel has preadv2/pwritev2 with Linux's RWF_* flags
 * and offset -1 for the file offset. */
HJ_EXPORT ssize_t
preadv64v2(int fd, const struct iovec *iov, int cnt, off_t off, int flags)
{
	int k = hj_fd_kernel(fd);

	return k < 0 ? HOST(preadv64v2)(fd, iov, cnt, off, flags) :
	    hjk_preadv2(k, iov, cnt, off, flags);
}

HJ_EXPORT ssize_t
preadv2(int fd, const struct iovec *iov, int cnt, off_t off, int flags)
{
	return preadv64v2(fd, iov, cnt, off, flags);
}

HJ_EXPORT ssize_t
pwritev64v2(int fd, const struct iovec *iov, int cnt, off_t off, int flags)
{
	int k = hj_fd_kernel(fd);

	return k < 0 ? HOST(pwritev64v2)(fd, iov, cnt, off, flags) :
	    hj_sigpipe(hjk_pwritev2(k, iov, cnt, off, flags), 0);
}

HJ_EXPORT ssize_t
pwritev2(int fd, const struct iovec *iov, int cnt, off_t off, int flags)
{
	return pwritev64v2(fd, iov, cnt, off, flags);
}

HJ_EXPORT off_t
lseek64(int fd, off_t off, int whence)
{
	int k = hj_fd_kernel(fd);

	return k < 0 ? HOST(lseek64)(fd, off, whence) :
	    hjk_lseek(k, off, whence);
}

HJ_EXPORT off_t
lseek(int fd, off_t off, int whence)
{
	return lseek64(fd, off, whence);
}

HJ_EXPORT int
fsync(int fd)
{
	int k = hj_fd_kernel(fd);

	return k < 0 ? HOST(fsync)(fd) : hjk_fsync(k);
}

HJ_EXPORT int
fdatasync(int fd)
{
	int k = hj_fd_kernel(fd);

	return k < 0 ? HOST(fdatasync)(fd) : hjk_fdatasync(k);
}

HJ_EXPORT int
ftruncate64(int fd, off_t len)
{
	int k = hj_fd_kernel(fd);

	return k < 0 ? HOST(ftruncate64)(fd, len) : hjk_ftruncate(k, len);
}

HJ_EXPORT int
ftruncate(int fd, off_t len)
{
	return ftruncate64(fd, len);
}

HJ_EXPORT int
fstat(int fd, struct stat *st)
{
	int k = hj_fd_kernel(fd);

	return k < 0 ? HOST(fstat)(fd, st) : hjk_fstat(k, st);
}

HJ_EXPORT int
fstat64(int fd, struct stat64 *st)
{
	return fstat(fd, (struct stat *)st);
}

/* --- dup, fcntl, close_range ------------------------------------------- */

HJ_EXPORT int
dup(int fd)
{
	if (hj_fd_kernel(fd) < 0) {
		int nfd;

		hj_fd_flush();
		nfd = HOST(dup)(fd);

		if (nfd >= 0 && hj_epoll_regs != NULL)
			hj_epoll_duped(fd, nfd);
		return nfd;
	}
	return hj_fd_dupmin(fd, 0, false);
}

HJ_EXPORT int
dup2(int oldfd, int newfd)
{
	if (hj_fd_private(oldfd) || hj_fd_private(newfd))
		return private_fd();
	if (hj_fd_kernel(oldfd) < 0 && hj_fd_kernel(newfd) < 0) {
		int rv = HOST(dup2)(oldfd, newfd);

		if (rv >= 0 && oldfd != newfd && hj_epoll_regs != NULL)
			hj_epoll_duped(oldfd, newfd);
		return rv;
	}
	if (oldfd == newfd)
		return fcntl(oldfd, F_GETFD) < 0 ? -1 : newfd;
	return hj_fd_dup3(oldfd, newfd, 0);
}

HJ_EXPORT int
dup3(int oldfd, int newfd, int flags)
{
	if (hj_fd_private(oldfd) || hj_fd_private(newfd))
		return private_fd();
	if (hj_fd_kernel(oldfd) < 0 && hj_fd_kernel(newfd) < 0) {
		int rv = HOST(dup3)(oldfd, newfd, flags);

		if (rv >= 0 && hj_epoll_regs != NULL)
			hj_epoll_duped(oldfd, newfd);
		return rv;
	}
	if (flags & ~O_CLOEXEC) {
		errno = EINVAL;
		return -1;
	}
	return hj_fd_dup3(oldfd, newfd, flags);
}

static int
k_fcntl(int fd, int k, int cmd, long arg)
{
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		return hj_fd_dupmin(fd, (int)arg, cmd == F_DUPFD_CLOEXEC);
	case F_GETFD:
		if (k == HJ_KFD_FREE) {
			errno = EBADF;
			return -1;
		}
		return HOST(fcntl)(fd, F_GETFD);
	case F_SETFD:
		return hj_fd_setcloexec(fd, (arg & FD_CLOEXEC) != 0);
	default:
		return hjk_fcntl(k, cmd, arg);
	}
}

/* fcntl's third argument, when there is one, is an int, a long or a
 * pointer: read as a long it passes any of them on unchanged. */
static int
do_fcntl(int fd, int cmd, long arg)
{
	int k = hj_fd_kernel(fd), nfd;

	if (k < 0) {
		if (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC)
			hj_fd_flush();
		nfd = HOST(fcntl)(fd, cmd, arg);
		if (nfd >= 0 && (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC) &&
		    hj_epoll_regs != NULL)
			hj_epoll_duped(fd, nfd);
		return nfd;
	}
	return k_fcntl(fd, k, cmd, arg);
}

HJ_EXPORT int
fcntl(int fd, int cmd, ...)
{
	va_list ap;
	long arg;

	va_start(ap, cmd);
	arg = va_arg(ap, long);
	va_end(ap);
	return do_fcntl(fd, cmd, arg);
}

HJ_EXPORT int
fcntl64(int fd, int cmd, ...)
{
	va_list ap;
	long arg;

	va_start(ap, cmd);
	arg = va_arg(ap, long);
	va_end(ap);
	return do_fcntl(fd, cmd, arg);
}

/* The host's close_range over [first, last] minus the shim's sockets. */
static int
host_close_range(unsigned first, unsigned last, int flags)
{
	unsigned lo = (unsigned)hj_priv_lo, hi = (unsigned)hj_priv_hi;
	unsigned long long from = first;	/* may pass UINT_MAX */
	int rv = 0;

	if (hi == 0 || last < lo || first >= hi)
		return HOST(close_range)(first, last, flags);
	for (unsigned fd = lo; fd < hi; fd++) {
		if (fd < from || fd > last || !hj_fd_private((int)fd))
			continue;
		if (fd > from &&
		    HOST(close_range)((unsigned)from, fd - 1, flags) != 0)
			rv = -1;
		from = (unsigned long long)fd + 1;
	}
	if (from <= last &&
	    HOST(close_range)((unsigned)from, last, flags) != 0)
		rv = -1;
	return rv;
}

HJ_EXPORT int
close_range(unsigned first, unsigned last, int flags)
{
	if (first > last) {
		errno = EINVAL;
		return -1;
	}
	if (hj_fd_close_range(first, last, flags) != 0)
		return -1;
	if (host_close_range(first, last, flags) != 0)
		return -1;
	if (!(flags & CLOSE_RANGE_CLOEXEC))
		hj_fd_freed(first > INT_MAX ? INT_MAX : (int)first);
	if (!(flags & CLOSE_RANGE_CLOEXEC) && hj_epoll_regs != NULL)
		hj_epoll_closed((int)first, last > INT_MAX ? INT_MAX : (int)last);
	return 0;
}

HJ_EXPORT void
closefrom(int lowfd)
{
	(void)close_range(lowfd < 0 ? 0 : (unsigned)lowfd, ~0U, 0);
}

/* --- _FORTIFY_SOURCE reads: glibc's versions read internally ------------ */

HJ_EXPORT ssize_t
__read_chk(int fd, void *buf, size_t n, size_t buflen)
{
	if (n > buflen)
		__chk_fail();
	return read(fd, buf, n);
}

HJ_EXPORT ssize_t
__pread64_chk(int fd, void *buf, size_t n, off_t off, size_t buflen)
{
	if (n > buflen)
		__chk_fail();
	return pread64(fd, buf, n, off);
}

HJ_EXPORT ssize_t
__pread_chk(int fd, void *buf, size_t n, off_t off, size_t buflen)
{
	if (n > buflen)
		__chk_fail();
	return pread64(fd, buf, n, off);
}
