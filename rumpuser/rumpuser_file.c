/*
 * rumpuser_file.c: host files and block devices, for etfs and the disk
 * images of file systems.
 *
 * Every call that may block on the host (a disk, an NFS mount) gives up
 * the caller's virtual CPU around the host call.  Reads and writes are
 * positional (preadv/pwritev), so one descriptor can serve concurrent
 * requests; a short count is returned as is, the kernel decides.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "rumpuser_int.h"

/* rumpuser_iovec is struct iovec by another name: pass it through. */
_Static_assert(sizeof(struct rumpuser_iovec) == sizeof(struct iovec) &&
    offsetof(struct rumpuser_iovec, iov_base) ==
    offsetof(struct iovec, iov_base) &&
    offsetof(struct rumpuser_iovec, iov_len) ==
    offsetof(struct iovec, iov_len), "rumpuser_iovec is not an iovec");

RUMPUSER_EXPORT int
rumpuser_getfileinfo(const char *path, uint64_t *sizep, int *typep)
{
	struct stat st;
	uint64_t size = 0;
	int fd, type, error = 0, saved = errno;

	rumpuser__unsched();
	if (stat(path, &st) != 0) {
		error = errno;
		goto out;
	}
	if (S_ISDIR(st.st_mode))
		type = RUMPUSER_FT_DIR;
	else if (S_ISREG(st.st_mode))
		type = RUMPUSER_FT_REG;
	else if (S_ISBLK(st.st_mode))
		type = RUMPUSER_FT_BLK;
	else if (S_ISCHR(st.st_mode))
		type = RUMPUSER_FT_CHR;
	else
		type = RUMPUSER_FT_OTHER;
	if (type == RUMPUSER_FT_REG) {
		size = (uint64_t)st.st_size;
	} else if (type == RUMPUSER_FT_BLK) {
		/* st_size of a device node is 0: ask the device. */
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
			error = errno;
			goto out;
		}
		if (ioctl(fd, BLKGETSIZE64, &size) != 0)
			error = errno;
		close(fd);
		if (error != 0)
			goto out;
	}
	if (sizep != NULL)
		*sizep = size;
	if (typep != NULL)
		*typep = type;
out:
	errno = saved;
	rumpuser__sched();
	return error;
}

RUMPUSER_EXPORT int
rumpuser_open(const char *path, int ruflags, int *fdp)
{
	int flags, fd, error = 0, saved = errno;

	switch (ruflags & RUMPUSER_OPEN_ACCMODE) {
	case RUMPUSER_OPEN_RDONLY:
		flags = O_RDONLY;
		break;
	case RUMPUSER_OPEN_WRONLY:
		flags = O_WRONLY;
		break;
	case RUMPUSER_OPEN_RDWR:
		flags = O_RDWR;
		break;
	default:
		return EINVAL;
	}
	if (ruflags & ~(RUMPUSER_OPEN_ACCMODE | RUMPUSER_OPEN_CREATE |
	    RUMPUSER_OPEN_EXCL))
		return EINVAL;
	if (ruflags & RUMPUSER_OPEN_CREATE)
		flags |= O_CREAT;
	if (ruflags & RUMPUSER_OPEN_EXCL)
		flags |= O_EXCL;

	rumpuser__unsched();
	do {
		fd = open(path, flags | O_CLOEXEC, 0644);
	} while (fd < 0 && errno == EINTR);
	if (fd < 0)
		error = errno;
	errno = saved;
	rumpuser__sched();
	if (error == 0)
		*fdp = fd;
	return error;
}

RUMPUSER_EXPORT int
rumpuser_close(int fd)
{
	int error = 0, saved = errno;

	/* Linux frees the descriptor even on EINTR: never retry. */
	if (close(fd) != 0 && errno != EINTR)
		error = errno;
	errno = saved;
	return error;
}

RUMPUSER_EXPORT int
rumpuser_iovread(int fd, struct rumpuser_iovec *iov, size_t iovlen,
    int64_t off, size_t *retp)
{
	ssize_t n;
	int error = 0, saved = errno;

	if (iovlen > IOV_MAX)
		return EINVAL;
	rumpuser__unsched();
	do {
		n = preadv(fd, (const struct iovec *)(void *)iov, (int)iovlen,
		    (off_t)off);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		error = errno;
	errno = saved;
	rumpuser__sched();
	if (error == 0)
		*retp = (size_t)n;
	return error;
}

RUMPUSER_EXPORT int
rumpuser_iovwrite(int fd, const struct rumpuser_iovec *iov, size_t iovlen,
    int64_t off, size_t *retp)
{
	ssize_t n;
	int error = 0, saved = errno;

	if (iovlen > IOV_MAX)
		return EINVAL;
	rumpuser__unsched();
	do {
		n = pwritev(fd, (const struct iovec *)(const void *)iov,
		    (int)iovlen, (off_t)off);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		error = errno;
	errno = saved;
	rumpuser__sched();
	if (error == 0)
		*retp = (size_t)n;
	return error;
}

RUMPUSER_EXPORT int
rumpuser_syncfd(int fd, int flags)
{
	int rv, error = 0, saved = errno;

	rumpuser__unsched();
	do {
		if (flags & RUMPUSER_SYNCFD_DATA)
			rv = fdatasync(fd);
		else
			rv = fsync(fd);
	} while (rv != 0 && errno == EINTR);
	if (rv != 0)
		error = errno;
	errno = saved;
	rumpuser__sched();
	return error;
}
