/*
 * hj_wrap_misc.c: descriptor calls beyond read and write: fallocate,
 * flock, lockf, ioctl and the terminal queries, sync, fadvise, pathconf.
 * (Copies between descriptors are hj_wrap_copy.c's, temporary files
 * hj_wrap_tmp.c's.)
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/fs.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/statfs.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "hj.h"

HOST_CACHE(fallocate64);
HOST_CACHE(posix_fallocate64);
HOST_CACHE(flock);
HOST_CACHE(lockf64);
HOST_CACHE(ioctl);
HOST_CACHE(isatty);
HOST_CACHE(tcgetattr);
HOST_CACHE(tcsetattr);
HOST_CACHE(tcgetpgrp);
HOST_CACHE(tcsetpgrp);
HOST_CACHE(ttyname);
HOST_CACHE(ttyname_r);
HOST_CACHE(sync);
HOST_CACHE(syncfs);
HOST_CACHE(posix_fadvise64);
HOST_CACHE(readahead);
HOST_CACHE(sync_file_range);
HOST_CACHE(pathconf);
HOST_CACHE(fpathconf);

/* --- fallocate ---------------------------------------------------------------- */

HJ_EXPORT int
fallocate64(int fd, int mode, off_t off, off_t len)
{
	int k = hj_fd_kernel(fd);

	return k < 0 ? HOST(fallocate64)(fd, mode, off, len) :
	    hjk_fallocate(k, mode, off, len);
}

HJ_EXPORT int
fallocate(int fd, int mode, off_t off, off_t len)
{
	return fallocate64(fd, mode, off, len);
}

/* Returns an error number, like POSIX says; errno is left alone. */
HJ_EXPORT int
posix_fallocate64(int fd, off_t off, off_t len)
{
	struct stat st;
	int k = hj_fd_kernel(fd), e = errno, rv = 0;

	if (k < 0)
		return HOST(posix_fallocate64)(fd, off, len);
	if (off < 0 || len <= 0)
		return EINVAL;
	if (hjk_fallocate(k, 0, off, len) != 0) {
		rv = errno;
		/* No fallocate in that file system: extend (holes read 0). */
		if (rv == EOPNOTSUPP && hjk_fstat(k, &st) == 0 &&
		    S_ISREG(st.st_mode))
			rv = off + len <= st.st_size ||
			    hjk_ftruncate(k, off + len) == 0 ? 0 : errno;
	}
	errno = e;
	return rv;
}

HJ_EXPORT int
posix_fallocate(int fd, off_t off, off_t len)
{
	return posix_fallocate64(fd, off, len);
}

/* --- locks ----------------------------------------------------------------------- */

HJ_EXPORT int
flock(int fd, int op)
{
	int k = hj_fd_kernel(fd);

	return k < 0 ? HOST(flock)(fd, op) : hjk_flock(k, op);
}

/* lockf as POSIX defines it over fcntl record locks, on the kernel's. */
HJ_EXPORT int
lockf64(int fd, int cmd, off_t len)
{
	struct flock fl = { .l_whence = SEEK_CUR, .l_start = 0, .l_len = len };
	int k = hj_fd_kernel(fd);

	if (k < 0)
		return HOST(lockf64)(fd, cmd, len);
	switch (cmd) {
	case F_TEST:
		fl.l_type = F_RDLCK;
		if (hjk_fcntl(k, F_GETLK, (long)&fl) != 0)
			return -1;
		if (fl.l_type == F_UNLCK || fl.l_pid == hjk_getpid())
			return 0;
		errno = EACCES;
		return -1;
	case F_ULOCK:
		fl.l_type = F_UNLCK;
		return hjk_fcntl(k, F_SETLK, (long)&fl);
	case F_LOCK:
		fl.l_type = F_WRLCK;
		return hjk_fcntl(k, F_SETLKW, (long)&fl);
	case F_TLOCK:
		fl.l_type = F_WRLCK;
		return hjk_fcntl(k, F_SETLK, (long)&fl);
	default:
		errno = EINVAL;
		return -1;
	}
}

HJ_EXPORT int
lockf(int fd, int cmd, off_t len)
{
	return lockf64(fd, cmd, len);
}

/* --- ioctl, terminals ---------------------------------------------------------- */

/*
 * Sharing extents (cp's reflink attempt) between a kernel descriptor and
 * anything: never possible, and FICLONE's argument is a descriptor
 * number although its request encodes a pointer to an int, which the
 * remote protocol would try to copy.  -2: not such a request.
 */
static int
k_clone(int fd, int k, unsigned req, void *arg)
{
	int src;

	if (req == FICLONE)
		src = (int)(intptr_t)arg;
	else if (req == FICLONERANGE && arg != NULL)
		src = (int)((struct file_clone_range *)arg)->src_fd;
	else if (req == FIDEDUPERANGE && k >= 0)
		src = fd;
	else
		return -2;
	if (k < 0 && hj_fd_kernel(src) < 0)
		return -2;		/* the host's business */
	/* Across kernels: another file system; inside ours: no extents. */
	errno = k >= 0 && hj_fd_kernel(src) >= 0 ? EOPNOTSUPP : EXDEV;
	return -1;
}

HJ_EXPORT int
ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;
	int k = hj_fd_kernel(fd), rv;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (hj_fdmap != NULL &&
	    (rv = k_clone(fd, k, (unsigned)req, arg)) != -2)
		return rv;
	if (k < 0)
		return HOST(ioctl)(fd, req, arg);
	/* Close-on-exec lives on both sides: the placeholder's decides. */
	if ((unsigned)req == FIOCLEX || (unsigned)req == FIONCLEX)
		return hj_fd_setcloexec(fd, (unsigned)req == FIOCLEX);
	return hjk_ioctl(k, req, arg);
}

/*
 * No kernel descriptor is a terminal.  Asking the host would ask the
 * placeholder (an O_PATH descriptor: EBADF, and a wrong answer).
 */
static int
notty(void)
{
	errno = ENOTTY;
	return -1;
}

HJ_EXPORT int
isatty(int fd)
{
	if (hj_fd_kernel(fd) < 0)
		return HOST(isatty)(fd);
	errno = ENOTTY;
	return 0;
}

HJ_EXPORT int
tcgetattr(int fd, struct termios *t)
{
	return hj_fd_kernel(fd) < 0 ? HOST(tcgetattr)(fd, t) : notty();
}

HJ_EXPORT int
tcsetattr(int fd, int act, const struct termios *t)
{
	return hj_fd_kernel(fd) < 0 ? HOST(tcsetattr)(fd, act, t) : notty();
}

HJ_EXPORT pid_t
tcgetpgrp(int fd)
{
	return hj_fd_kernel(fd) < 0 ? HOST(tcgetpgrp)(fd) : notty();
}

HJ_EXPORT int
tcsetpgrp(int fd, pid_t pgrp)
{
	return hj_fd_kernel(fd) < 0 ? HOST(tcsetpgrp)(fd, pgrp) : notty();
}

HJ_EXPORT char *
ttyname(int fd)
{
	if (hj_fd_kernel(fd) < 0)
		return HOST(ttyname)(fd);
	errno = ENOTTY;
	return NULL;
}

HJ_EXPORT int
ttyname_r(int fd, char *buf, size_t len)
{
	if (hj_fd_kernel(fd) < 0)
		return HOST(ttyname_r)(fd, buf, len);
	errno = ENOTTY;
	return ENOTTY;
}

int __ttyname_r_chk(int, char *, size_t, size_t);

HJ_EXPORT int
__ttyname_r_chk(int fd, char *buf, size_t len, size_t buflen)
{
	if (len > buflen)
		__chk_fail();
	return ttyname_r(fd, buf, len);
}

/* --- sync, advice ----------------------------------------------------------- */

/* Whether this process uses a kernel already: sync must not boot one. */
static bool
kernel_in_use(void)
{
	if (hj_inside)
		return false;
	if (__builtin_expect(!hj_ready, 0))
		hj_setup();
	return hj_cfg.vfs && (hj_remote || hj_fdmap != NULL ||
	    hj_cwd_kernel || getenv("RUMP_SERVER") != NULL);
}

HJ_EXPORT void
sync(void)
{
	HOST(sync)();
	if (kernel_in_use())
		hjk_sync();
}

HJ_EXPORT int
syncfs(int fd)
{
	int k = hj_fd_kernel(fd);

	return k < 0 ? HOST(syncfs)(fd) : hjk_syncfs(k);
}

/* Advice costs the kernel nothing: check what Linux checks, do nothing. */
HJ_EXPORT int
posix_fadvise64(int fd, off_t off, off_t len, int advice)
{
	struct stat st;
	int k = hj_fd_kernel(fd), e = errno, rv = 0;

	if (k < 0)
		return HOST(posix_fadvise64)(fd, off, len, advice);
	if (hjk_fstat(k, &st) != 0)
		rv = errno;
	else if (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))
		rv = ESPIPE;
	else if (advice < POSIX_FADV_NORMAL || advice > POSIX_FADV_NOREUSE ||
	    len < 0)
		rv = EINVAL;
	errno = e;
	return rv;
}

HJ_EXPORT int
posix_fadvise(int fd, off_t off, off_t len, int advice)
{
	return posix_fadvise64(fd, off, len, advice);
}

HJ_EXPORT ssize_t
readahead(int fd, off64_t off, size_t count)
{
	struct stat st;
	int k = hj_fd_kernel(fd);

	if (k < 0)
		return HOST(readahead)(fd, off, count);
	if (hjk_fstat(k, &st) != 0)
		return -1;
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

HJ_EXPORT int
sync_file_range(int fd, off64_t off, off64_t n, unsigned flags)
{
	struct stat st;
	int k = hj_fd_kernel(fd);

	if (k < 0)
		return HOST(sync_file_range)(fd, off, n, flags);
	if ((flags & ~(SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
	    SYNC_FILE_RANGE_WAIT_AFTER)) || off < 0 || n < 0) {
		errno = EINVAL;
		return -1;
	}
	if (hjk_fstat(k, &st) != 0)
		return -1;
	if (S_ISFIFO(st.st_mode)) {
		errno = ESPIPE;
		return -1;
	}
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode) &&
	    !S_ISDIR(st.st_mode) && !S_ISLNK(st.st_mode))
		return 0;
	return (flags & SYNC_FILE_RANGE_WRITE) ? hjk_fdatasync(k) : 0;
}

/* --- pathconf ---------------------------------------------------------------- */

/* The limits that depend on the file system, from the kernel's statfs;
 * the others are the same constants everywhere, so the host's. */
static long
k_pathconf(const struct statfs *f, int name)
{
	switch (name) {
	case _PC_LINK_MAX:
		return 127;		/* Linux's default for file systems */
	case _PC_NAME_MAX:
		return f->f_namelen;
	case _PC_FILESIZEBITS:
		return 64;
	case _PC_2_SYMLINKS:
		return 1;
	case _PC_REC_INCR_XFER_SIZE:
	case _PC_REC_MIN_XFER_SIZE:
	case _PC_ALLOC_SIZE_MIN:
		return f->f_bsize;
	case _PC_REC_XFER_ALIGN:
		return f->f_frsize ? f->f_frsize : f->f_bsize;
	default:
		return HOST(pathconf)("/", name);
	}
}

/* pathconf of a kernel path: the value, or -1 with errno (HJ_ELINKOUT
 * too; a value of -1, "no limit", leaves errno alone). */
static long
k_pathconf_path(const char *kp, int name)
{
	struct statfs f;

	if (hjk_statfs(kp, &f) != 0)
		return -1;
	return k_pathconf(&f, name);
}

HJ_EXPORT long
pathconf(const char *path, int name)
{
	ROUTE(AT_FDCWD, path);
	if (where == HJ_HOST)
		return HOST(pathconf)(path, name);
	KLINKOUT(long, k_pathconf_path(kp, name), true,
	    HOST(pathconf)(hp, name));
}

HJ_EXPORT long
fpathconf(int fd, int name)
{
	struct statfs f;
	int k = hj_fd_kernel(fd);

	if (k < 0)
		return HOST(fpathconf)(fd, name);
	if (hjk_fstatfs(k, &f) != 0)
		return -1;
	return k_pathconf(&f, name);
}
