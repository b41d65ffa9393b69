/*
 * hj_wrap_attr.c: the remaining path and descriptor calls on names and
 * attributes: access, chmod, chown, link, symlink, readlink, the utime
 * family, truncate, mknod/mkfifo, statfs/statvfs and the old *xstat*
 * entry points (extended attributes: hj_wrap_xattr.c).  Each routes its
 * path (or asks whether its descriptor is the kernel's) and otherwise
 * calls the host untouched.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/time.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <utime.h>

#include "hj.h"

HOST_CACHE(access);
HOST_CACHE(faccessat);
HOST_CACHE(euidaccess);
HOST_CACHE(eaccess);
HOST_CACHE(chmod);
HOST_CACHE(fchmod);
HOST_CACHE(fchmodat);
HOST_CACHE(lchmod);
HOST_CACHE(chown);
HOST_CACHE(fchown);
HOST_CACHE(lchown);
HOST_CACHE(fchownat);
HOST_CACHE(linkat);
HOST_CACHE(symlink);
HOST_CACHE(symlinkat);
HOST_CACHE(readlink);
HOST_CACHE(readlinkat);
HOST_CACHE(utime);
HOST_CACHE(utimes);
HOST_CACHE(lutimes);
HOST_CACHE(futimes);
HOST_CACHE(futimesat);
HOST_CACHE(utimensat);
HOST_CACHE(futimens);
HOST_CACHE(truncate64);
HOST_CACHE(mknodat);
HOST_CACHE(mkfifoat);
HOST_CACHE(statfs);
HOST_CACHE(fstatfs);
HOST_CACHE(statvfs);
HOST_CACHE(fstatvfs);

/* The second path of link/linkat, routed. */
#define ROUTE2(dirfd, path)						\
	char kb2[PATH_MAX];						\
	const char *kp2;						\
	int kd2, where2 = hj_route(dirfd, path, kb2, sizeof(kb2), &kd2,	\
	    &kp2);							\
	if (where2 < 0)							\
		return -1;

/* glibc's fortify failure: it aborts with "buffer overflow detected". */
/* --- access --------------------------------------------------------------- */

HJ_EXPORT int
access(const char *path, int mode)
{
	ROUTE(AT_FDCWD, path);
	if (where == HJ_HOST)
		return HOST(access)(path, mode);
	KLINKOUT(int, hjk_faccessat(kd, kp, mode), true,
	    HOST(access)(hp, mode));
}

HJ_EXPORT int
faccessat(int dirfd, const char *path, int mode, int flags)
{
	ROUTE(dirfd, path);
	if (where == HJ_HOST)
		return HOST(faccessat)(dirfd, path, mode, flags);
	KLINKOUT(int, flags == 0 ? hjk_faccessat(kd, kp, mode) :
	    hjk_faccessat2(kd, kp, mode, flags), !(flags & AT_SYMLINK_NOFOLLOW),
	    HOST(faccessat)(AT_FDCWD, hp, mode, flags));
}

HJ_EXPORT int
euidaccess(const char *path, int mode)
{
	ROUTE(AT_FDCWD, path);
	if (where == HJ_HOST)
		return HOST(euidaccess)(path, mode);
	KLINKOUT(int, hjk_faccessat2(kd, kp, mode, AT_EACCESS), true,
	    HOST(euidaccess)(hp, mode));
}

HJ_EXPORT int
eaccess(const char *path, int mode)
{
	ROUTE(AT_FDCWD, path);
	if (where == HJ_HOST)
		return HOST(eaccess)(path, mode);
	KLINKOUT(int, hjk_faccessat2(kd, kp, mode, AT_EACCESS), true,
	    HOST(eaccess)(hp, mode));
}

/* --- chmod, chown ----------------------------------------------------------- */

HJ_EXPORT int
chmod(const char *path, mode_t mode)
{
	ROUTE(AT_FDCWD, path);
	if (where == HJ_HOST)
		return HOST(chmod)(path, mode);
	KLINKOUT(int, hjk_fchmodat(kd, kp, mode, 0), true,
	    HOST(chmod)(hp, mode));
}

HJ_EXPORT int
lchmod(const char *path, mode_t mode)
{
	ROUTE(AT_FDCWD, path);
	if (where == HJ_HOST)
		return HOST(lchmod)(path, mode);
	KLINKOUT(int, hjk_fchmodat(kd, kp, mode, AT_SYMLINK_NOFOLLOW), false,
	    HOST(fchmodat)(AT_FDCWD, hp, mode, AT_SYMLINK_NOFOLLOW));
}

HJ_EXPORT int
fchmodat(int dirfd, const char *path, mode_t mode, int flags)
{
	ROUTE(dirfd, path);
	if (where == HJ_HOST)
		return HOST(fchmodat)(dirfd, path, mode, flags);
	KLINKOUT(int, hjk_fchmodat(kd, kp, mode, flags),
	    !(flags & AT_SYMLINK_NOFOLLOW),
	    HOST(fchmodat)(AT_FDCWD, hp, mode, flags));
}

HJ_EXPORT int
fchmod(int fd, mode_t mode)
{
	int k = hj_fd_kernel(fd);

	return k < 0 ? HOST(fchmod)(fd, mode) : hjk_fchmod(k, mode);
}

HJ_EXPORT int
chown(const char *path, uid_t uid, gid_t gid)
{
	ROUTE(AT_FDCWD, path);
	if (where == HJ_HOST)
		return HOST(chown)(path, uid, gid);
	KLINKOUT(int, hjk_fchownat(kd, kp, uid, gid, 0), true,
	    HOST(chown)(hp, uid, gid));
}

HJ_EXPORT int
lchown(const char *path, uid_t uid, gid_t gid)
{
	ROUTE(AT_FDCWD, path);
	if (where == HJ_HOST)
		return HOST(lchown)(path, uid, gid);
	KLINKOUT(int, hjk_fchownat(kd, kp, uid, gid, AT_SYMLINK_NOFOLLOW),
	    false, HOST(lchown)(hp, uid, gid));
}

HJ_EXPORT int
fchownat(int dirfd, const char *path, uid_t uid, gid_t gid, int flags)
{
	ROUTE(dirfd, path);
	if (where == HJ_HOST)
		return HOST(fchownat)(dirfd, path, uid, gid, flags);
	KLINKOUT(int, hjk_fchownat(kd, kp, uid, gid, flags),
	    !(flags & AT_SYMLINK_NOFOLLOW),
	    HOST(fchownat)(AT_FDCWD, hp, uid, gid, flags));
}

HJ_EXPORT int
fchown(int fd, uid_t uid, gid_t gid)
{
	int k = hj_fd_kernel(fd);

	return k < 0 ? HOST(fchown)(fd, uid, gid) : hjk_fchown(k, uid, gid);
}

/* --- link, symlink, readlink ----------------------------------------------- */

/*
 * Paths on different sides are EXDEV, as between two mounts; a NULL one
 * (the host's side) is EFAULT, as the host answers it.  A kernel path
 * that leads out through an absolute link is the host path it leads to
 * (the old one followed with AT_SYMLINK_FOLLOW): both on the host, the
 * host links them.
 */
static int
link2(int od, const char *op, int where, int kd, const char *kp, int nd,
    const char *np, int where2, int kd2, const char *kp2, int flags)
{
	char hp[PATH_MAX], hp2[PATH_MAX];
	bool follow = (flags & AT_SYMLINK_FOLLOW) != 0;
	int r, s1, s2;

	if (where != where2) {
		if (hj_nullpair(op, np)) {
			errno = EFAULT;
			return -1;
		}
		if (where == HJ_KERNEL && hj_linkout_on() &&
		    hj_linkout_side(kd, kp, follow, hp) == 1)
			return HOST(linkat)(AT_FDCWD, hp, nd, np, flags);
		if (where2 == HJ_KERNEL && hj_linkout_on() &&
		    hj_linkout_side(kd2, kp2, false, hp) == 1)
			return HOST(linkat)(od, op, AT_FDCWD, hp, flags);
		errno = EXDEV;
		return -1;
	}
	if (where == HJ_HOST)
		return HOST(linkat)(od, op, nd, np, flags);
	hj_linkout_armed = 1;
	r = hjk_linkat(kd, kp, kd2, kp2, flags);
	hj_linkout_armed = 0;
	if (r == 0 || errno != HJ_ELINKOUT)
		return r;
	if ((s1 = hj_linkout_side(kd, kp, follow, hp)) < 0 ||
	    (s2 = hj_linkout_side(kd2, kp2, false, hp2)) < 0)
		return -1;
	if (s1 && s2)
		return HOST(linkat)(AT_FDCWD, hp, AT_FDCWD, hp2, flags);
	errno = s1 || s2 ? EXDEV : ENOENT;
	return -1;
}

HJ_EXPORT int
linkat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath,
    int flags)
{
	ROUTE(olddirfd, oldpath);
	ROUTE2(newdirfd, newpath);
	return link2(olddirfd, oldpath, where, kd, kp, newdirfd, newpath,
	    where2, kd2, kp2, flags);
}

HJ_EXPORT int
link(const char *oldpath, const char *newpath)
{
	ROUTE(AT_FDCWD, oldpath);
	ROUTE2(AT_FDCWD, newpath);
	return link2(AT_FDCWD, oldpath, where, kd, kp, AT_FDCWD, newpath,
	    where2, kd2, kp2, 0);
}

/*
 * The target is stored as written, as on the host: whoever follows the
 * link resolves it, so an absolute "/rump/x" target means the kernel's
 * own "/rump/x" (README: not done).
 */
HJ_EXPORT int
symlinkat(const char *target, int dirfd, const char *linkpath)
{
	ROUTE(dirfd, linkpath);
	if (where == HJ_HOST)
		return HOST(symlinkat)(target, dirfd, linkpath);
	/* Its directory reached through a link out: made on the host. */
	KLINKOUT(int, hjk_symlinkat(target, kd, kp), false,
	    HOST(symlinkat)(target, AT_FDCWD, hp));
}

HJ_EXPORT int
symlink(const char *target, const char *linkpath)
{
	ROUTE(AT_FDCWD, linkpath);
	if (where == HJ_HOST)
		return HOST(symlink)(target, linkpath);
	KLINKOUT(int, hjk_symlinkat(target, kd, kp), false,
	    HOST(symlinkat)(target, AT_FDCWD, hp));
}

HJ_EXPORT ssize_t
readlinkat(int dirfd, const char *path, char *buf, size_t len)
{
	ROUTE(dirfd, path);
	if (where == HJ_HOST)
		return hj_sockname_fix(buf, HOST(readlinkat)(dirfd, path, buf, len), len);
	KLINKOUT(ssize_t, hjk_readlinkat(kd, kp, buf, len), false,
	    HOST(readlink)(hp, buf, len));
}

HJ_EXPORT ssize_t
readlink(const char *path, char *buf, size_t len)
{
	ROUTE(AT_FDCWD, path);
	if (where == HJ_HOST)
		return hj_sockname_fix(buf, HOST(readlink)(path, buf, len), len);
	KLINKOUT(ssize_t, hjk_readlinkat(kd, kp, buf, len), false,
	    HOST(readlink)(hp, buf, len));
}

/* _FORTIFY_SOURCE entries: the same checks as glibc's, then ours. */
ssize_t __readlink_chk(const char *, char *, size_t, size_t);
ssize_t __readlinkat_chk(int, const char *, char *, size_t, size_t);

HJ_EXPORT ssize_t
__readlink_chk(const char *path, char *buf, size_t len, size_t buflen)
{
	if (len > buflen)
		__chk_fail();
	return readlinkat(AT_FDCWD, path, buf, len);
}

HJ_EXPORT ssize_t
__readlinkat_chk(int dirfd, const char *path, char *buf, size_t len,
    size_t buflen)
{
	if (len > buflen)
		__chk_fail();
	return readlinkat(dirfd, path, buf, len);
}

/* --- times ---------------------------------------------------------------- */

/* timeval[2] as timespec[2] (NULL: now); -1 EINVAL for a bad tv_usec. */
static int
tv2ts(const struct timeval tv[2], struct timespec ts[2],
    const struct timespec **out)
{
	*out = NULL;
	if (tv == NULL)
		return 0;
	for (int i = 0; i < 2; i++) {
		if (tv[i].tv_usec < 0 || tv[i].tv_usec >= 1000000) {
			errno = EINVAL;
			return -1;
		}
		ts[i].tv_sec = tv[i].tv_sec;
		ts[i].tv_nsec = tv[i].tv_usec * 1000;
	}
	*out = ts;
	return 0;
}

/* A NULL path (Linux's futimens on dirfd) is refused by glibc's
 * utimensat with EINVAL; hj_route gives it to the host, which does. */
HJ_EXPORT int
utimensat(int dirfd, const char *path, const struct timespec ts[2],
    int flags)
{
	ROUTE(dirfd, path);
	if (where == HJ_HOST)
		return HOST(utimensat)(dirfd, path, ts, flags);
	KLINKOUT(int, hjk_utimensat(kd, kp, ts, flags),
	    !(flags & AT_SYMLINK_NOFOLLOW),
	    HOST(utimensat)(AT_FDCWD, hp, ts, flags));
}

HJ_EXPORT int
futimens(int fd, const struct timespec ts[2])
{
	int k = hj_fd_kernel(fd);

	return k < 0 ? HOST(futimens)(fd, ts) : hjk_utimensat(k, NULL, ts, 0);
}

HJ_EXPORT int
utime(const char *path, const struct utimbuf *t)
{
	struct timespec ts[2];

	ROUTE(AT_FDCWD, path);
	if (where == HJ_HOST)
		return HOST(utime)(path, t);
	if (t != NULL) {
		ts[0].tv_sec = t->actime;
		ts[1].tv_sec = t->modtime;
		ts[0].tv_nsec = ts[1].tv_nsec = 0;
	}
	KLINKOUT(int, hjk_utimensat(kd, kp, t != NULL ? ts : NULL, 0), true,
	    HOST(utime)(hp, t));
}

HJ_EXPORT int
utimes(const char *path, const struct timeval tv[2])
{
	struct timespec ts[2];
	const struct timespec *tp;

	ROUTE(AT_FDCWD, path);
	if (where == HJ_HOST)
		return HOST(utimes)(path, tv);
	if (tv2ts(tv, ts, &tp) != 0)
		return -1;
	KLINKOUT(int, hjk_utimensat(kd, kp, tp, 0), true,
	    HOST(utimensat)(AT_FDCWD, hp, tp, 0));
}

HJ_EXPORT int
lutimes(const char *path, const struct timeval tv[2])
{
	struct timespec ts[2];
	const struct timespec *tp;

	ROUTE(AT_FDCWD, path);
	if (where == HJ_HOST)
		return HOST(lutimes)(path, tv);
	if (tv2ts(tv, ts, &tp) != 0)
		return -1;
	KLINKOUT(int, hjk_utimensat(kd, kp, tp, AT_SYMLINK_NOFOLLOW), false,
	    HOST(utimensat)(AT_FDCWD, hp, tp, AT_SYMLINK_NOFOLLOW));
}

HJ_EXPORT int
futimes(int fd, const struct timeval tv[2])
{
	struct timespec ts[2];
	const struct timespec *tp;
	int k = hj_fd_kernel(fd);

	if (k < 0)
		return HOST(futimes)(fd, tv);
	if (tv2ts(tv, ts, &tp) != 0)
		return -1;
	return hjk_utimensat(k, NULL, tp, 0);
}

HJ_EXPORT int
futimesat(int dirfd, const char *path, const struct timeval tv[2])
{
	struct timespec ts[2];
	const struct timespec *tp;
	int k;

	if (path == NULL && (k = hj_fd_kernel(dirfd)) >= 0) {
		if (tv2ts(tv, ts, &tp) != 0)
			return -1;
		return hjk_utimensat(k, NULL, tp, 0);
	}
	ROUTE(dirfd, path);
	if (where == HJ_HOST)
		return HOST(futimesat)(dirfd, path, tv);
	if (tv2ts(tv, ts, &tp) != 0)
		return -1;
	KLINKOUT(int, hjk_utimensat(kd, kp, tp, 0), true,
	    HOST(utimensat)(AT_FDCWD, hp, tp, 0));
}

/* --- truncate, mknod, mkfifo ---------------------------------------------- */

HJ_EXPORT int
truncate64(const char *path, off_t len)
{
	ROUTE(AT_FDCWD, path);
	if (where == HJ_HOST)
		return HOST(truncate64)(path, len);
	KLINKOUT(int, hjk_truncate(kp, len), true, HOST(truncate64)(hp, len));
}

HJ_EXPORT int
truncate(const char *path, off_t len)
{
	return truncate64(path, len);
}

HJ_EXPORT int
mknodat(int dirfd, const char *path, mode_t mode, dev_t dev)
{
	ROUTE(dirfd, path);
	if (where == HJ_HOST)
		return HOST(mknodat)(dirfd, path, mode, dev);
	KLINKOUT(int, hjk_mknodat(kd, kp, mode, dev), false,
	    HOST(mknodat)(AT_FDCWD, hp, mode, dev));
}

HJ_EXPORT int
mknod(const char *path, mode_t mode, dev_t dev)
{
	return mknodat(AT_FDCWD, path, mode, dev);
}

HJ_EXPORT int
mkfifoat(int dirfd, const char *path, mode_t mode)
{
	ROUTE(dirfd, path);
	if (where == HJ_HOST)
		return HOST(mkfifoat)(dirfd, path, mode);
	KLINKOUT(int, hjk_mknodat(kd, kp, (mode & 07777) | S_IFIFO, 0), false,
	    HOST(mkfifoat)(AT_FDCWD, hp, mode));
}

HJ_EXPORT int
mkfifo(const char *path, mode_t mode)
{
	return mkfifoat(AT_FDCWD, path, mode);
}

/* --- statfs, statvfs -------------------------------------------------------- */

_Static_assert(sizeof(struct statfs) == sizeof(struct statfs64),
    "statfs64 is statfs on this ABI");
_Static_assert(sizeof(struct statvfs) == sizeof(struct statvfs64),
    "statvfs64 is statvfs on this ABI");

HJ_EXPORT int
statfs(const char *path, struct statfs *buf)
{
	ROUTE(AT_FDCWD, path);
	if (where == HJ_HOST)
		return HOST(statfs)(path, buf);
	KLINKOUT(int, hjk_statfs(kp, buf), true, HOST(statfs)(hp, buf));
}

HJ_EXPORT int
statfs64(const char *path, struct statfs64 *buf)
{
	return statfs(path, (struct statfs *)buf);
}

HJ_EXPORT int
fstatfs(int fd, struct statfs *buf)
{
	int k = hj_fd_kernel(fd);

	return k < 0 ? HOST(fstatfs)(fd, buf) : hjk_fstatfs(k, buf);
}

HJ_EXPORT int
fstatfs64(int fd, struct statfs64 *buf)
{
	return fstatfs(fd, (struct statfs *)buf);
}

#define HJ_ST_VALID	0x0020	/* statfs f_flags: the flags are filled */

/* statvfs from the kernel's statfs (glibc does the same from the host's). */
static void
fs2vfs(const struct statfs *f, struct statvfs *v)
{
	memset(v, 0, sizeof(*v));
	v->f_bsize = (unsigned long)f->f_bsize;
	v->f_frsize = (unsigned long)(f->f_frsize != 0 ? f->f_frsize :
	    f->f_bsize);
	v->f_blocks = f->f_blocks;
	v->f_bfree = f->f_bfree;
	v->f_bavail = f->f_bavail;
	v->f_files = f->f_files;
	v->f_ffree = f->f_ffree;
	v->f_favail = f->f_ffree;
	v->f_fsid = (unsigned)f->f_fsid.__val[0] |
	    (unsigned long)(unsigned)f->f_fsid.__val[1] << 32;
	v->f_flag = (unsigned long)f->f_flags & ~(unsigned long)HJ_ST_VALID;
	v->f_namemax = (unsigned long)f->f_namelen;
}

/* statvfs of a kernel path: 0, or -1 with errno (HJ_ELINKOUT too). */
static int
k_statvfs(const char *kp, struct statvfs *buf)
{
	struct statfs f;

	if (hjk_statfs(kp, &f) != 0)
		return -1;
	fs2vfs(&f, buf);
	return 0;
}

HJ_EXPORT int
statvfs(const char *path, struct statvfs *buf)
{
	ROUTE(AT_FDCWD, path);
	if (where == HJ_HOST)
		return HOST(statvfs)(path, buf);
	KLINKOUT(int, k_statvfs(kp, buf), true, HOST(statvfs)(hp, buf));
}

HJ_EXPORT int
statvfs64(const char *path, struct statvfs64 *buf)
{
	return statvfs(path, (struct statvfs *)buf);
}

HJ_EXPORT int
fstatvfs(int fd, struct statvfs *buf)
{
	struct statfs f;
	int k = hj_fd_kernel(fd);

	if (k < 0)
		return HOST(fstatvfs)(fd, buf);
	if (hjk_fstatfs(k, &f) != 0)
		return -1;
	fs2vfs(&f, buf);
	return 0;
}

HJ_EXPORT int
fstatvfs64(int fd, struct statvfs64 *buf)
{
	return fstatvfs(fd, (struct statvfs *)buf);
}

/* --- the old *xstat* and *xmknod* entry points --------------------------- */

/*
 * Binaries built against glibc < 2.33 call these; glibc keeps them only
 * as compat symbols (no dlsym by plain name), so they end in our own
 * stat/lstat/fstat/fstatat/mknodat, which route and fall back to the
 * host's new calls.  x86_64 knows versions 0 (kernel) and 1 (glibc).
 */
int __xstat(int, const char *, struct stat *);
int __xstat64(int, const char *, struct stat64 *);
int __lxstat(int, const char *, struct stat *);
int __lxstat64(int, const char *, struct stat64 *);
int __fxstat(int, int, struct stat *);
int __fxstat64(int, int, struct stat64 *);
int __fxstatat(int, int, const char *, struct stat *, int);
int __fxstatat64(int, int, const char *, struct stat64 *, int);
int __xmknod(int, const char *, mode_t, dev_t *);
int __xmknodat(int, int, const char *, mode_t, dev_t *);

static bool
xstat_ver(int ver)
{
	if (ver == 0 || ver == 1)
		return true;
	errno = EINVAL;
	return false;
}

HJ_EXPORT int
__xstat(int ver, const char *path, struct stat *st)
{
	return xstat_ver(ver) ? stat(path, st) : -1;
}

HJ_EXPORT int
__xstat64(int ver, const char *path, struct stat64 *st)
{
	return xstat_ver(ver) ? stat(path, (struct stat *)st) : -1;
}

HJ_EXPORT int
__lxstat(int ver, const char *path, struct stat *st)
{
	return xstat_ver(ver) ? lstat(path, st) : -1;
}

HJ_EXPORT int
__lxstat64(int ver, const char *path, struct stat64 *st)
{
	return xstat_ver(ver) ? lstat(path, (struct stat *)st) : -1;
}

HJ_EXPORT int
__fxstat(int ver, int fd, struct stat *st)
{
	return xstat_ver(ver) ? fstat(fd, st) : -1;
}

HJ_EXPORT int
__fxstat64(int ver, int fd, struct stat64 *st)
{
	return xstat_ver(ver) ? fstat(fd, (struct stat *)st) : -1;
}

HJ_EXPORT int
__fxstatat(int ver, int dirfd, const char *path, struct stat *st, int flags)
{
	return xstat_ver(ver) ? fstatat(dirfd, path, st, flags) : -1;
}

HJ_EXPORT int
__fxstatat64(int ver, int dirfd, const char *path, struct stat64 *st,
    int flags)
{
	return xstat_ver(ver) ?
	    fstatat(dirfd, path, (struct stat *)st, flags) : -1;
}

HJ_EXPORT int
__xmknodat(int ver, int dirfd, const char *path, mode_t mode, dev_t *dev)
{
	if (ver != 0) {
		errno = EINVAL;
		return -1;
	}
	return mknodat(dirfd, path, mode, *dev);
}

HJ_EXPORT int
__xmknod(int ver, const char *path, mode_t mode, dev_t *dev)
{
	return __xmknodat(ver, AT_FDCWD, path, mode, dev);
}
