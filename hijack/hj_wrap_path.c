/*
 * hj_wrap_path.c: path calls of the core: the stat family, mkdir, unlink,
 * rmdir, rename, chdir/fchdir and getcwd.  A call whose paths lie in
 * different kernels (rename from the host into /rump) fails with EXDEV,
 * as between two file systems; where a path leaves the kernel through an
 * absolute link, it is the host's path it leads to (hj_wrap_walk.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hj.h"

HOST_CACHE(stat);
HOST_CACHE(lstat);
HOST_CACHE(fstatat);
HOST_CACHE(statx);
HOST_CACHE(mkdir);
HOST_CACHE(mkdirat);
HOST_CACHE(unlink);
HOST_CACHE(unlinkat);
HOST_CACHE(rmdir);
HOST_CACHE(rename);
HOST_CACHE(renameat);
HOST_CACHE(renameat2);
HOST_CACHE(chdir);
HOST_CACHE(fchdir);
HOST_CACHE(getcwd);
HOST_CACHE(umask);

HJ_EXPORT int
stat(const char *path, struct stat *st)
{
	ROUTE(AT_FDCWD, path);
	if (where == HJ_HOST)
		return HOST(stat)(path, st);
	KLINKOUT(int, hjk_newfstatat(kd, kp, st, 0), true,
	    HOST(stat)(hp, st));
}

HJ_EXPORT int
stat64(const char *path, struct stat64 *st)
{
	return stat(path, (struct stat *)st);
}

HJ_EXPORT int
lstat(const char *path, struct stat *st)
{
	ROUTE(AT_FDCWD, path);
	if (where == HJ_HOST)
		return HOST(lstat)(path, st);
	KLINKOUT(int, hjk_newfstatat(kd, kp, st, AT_SYMLINK_NOFOLLOW), false,
	    HOST(lstat)(hp, st));
}

HJ_EXPORT int
lstat64(const char *path, struct stat64 *st)
{
	return lstat(path, (struct stat *)st);
}

HJ_EXPORT int
fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
	int k;

	/* fstatat(kfd, "", st, AT_EMPTY_PATH) is an fstat. */
	if ((flags & AT_EMPTY_PATH) && hj_empty(path) &&
	    (k = hj_fd_kernel(dirfd)) >= 0)
		return hjk_newfstatat(k, "", st, flags);
	ROUTE(dirfd, path);
	if (where == HJ_HOST)
		return HOST(fstatat)(dirfd, path, st, flags);
	KLINKOUT(int, hjk_newfstatat(kd, kp, st, flags),
	    !(flags & AT_SYMLINK_NOFOLLOW),
	    HOST(fstatat)(AT_FDCWD, hp, st, flags));
}

HJ_EXPORT int
fstatat64(int dirfd, const char *path, struct stat64 *st, int flags)
{
	return fstatat(dirfd, path, (struct stat *)st, flags);
}

HJ_EXPORT int
statx(int dirfd, const char *path, int flags, unsigned mask,
    struct statx *stx)
{
	int k;

	if ((flags & AT_EMPTY_PATH) && hj_empty(path) &&
	    (k = hj_fd_kernel(dirfd)) >= 0)
		return hjk_statx(k, "", flags, mask, stx);
	ROUTE(dirfd, path);
	if (where == HJ_HOST)
		return HOST(statx)(dirfd, path, flags, mask, stx);
	KLINKOUT(int, hjk_statx(kd, kp, flags, mask, stx),
	    !(flags & AT_SYMLINK_NOFOLLOW),
	    HOST(statx)(AT_FDCWD, hp, flags, mask, stx));
}

HJ_EXPORT int
mkdir(const char *path, mode_t mode)
{
	ROUTE(AT_FDCWD, path);
	if (where == HJ_HOST)
		return HOST(mkdir)(path, mode);
	KLINKOUT(int, hjk_mkdirat(kd, kp, mode), false, HOST(mkdir)(hp, mode));
}

HJ_EXPORT int
mkdirat(int dirfd, const char *path, mode_t mode)
{
	ROUTE(dirfd, path);
	if (where == HJ_HOST)
		return HOST(mkdirat)(dirfd, path, mode);
	KLINKOUT(int, hjk_mkdirat(kd, kp, mode), false, HOST(mkdir)(hp, mode));
}

HJ_EXPORT int
unlink(const char *path)
{
	ROUTE(AT_FDCWD, path);
	if (where == HJ_HOST)
		return HOST(unlink)(path);
	KLINKOUT(int, hjk_unlinkat(kd, kp, 0), false, HOST(unlink)(hp));
}

HJ_EXPORT int
unlinkat(int dirfd, const char *path, int flags)
{
	ROUTE(dirfd, path);
	if (where == HJ_HOST)
		return HOST(unlinkat)(dirfd, path, flags);
	KLINKOUT(int, hjk_unlinkat(kd, kp, flags), false,
	    HOST(unlinkat)(AT_FDCWD, hp, flags));
}

HJ_EXPORT int
rmdir(const char *path)
{
	ROUTE(AT_FDCWD, path);
	if (where == HJ_HOST)
		return HOST(rmdir)(path);
	KLINKOUT(int, hjk_unlinkat(kd, kp, AT_REMOVEDIR), false,
	    HOST(rmdir)(hp));
}

static int
host_rename(int od, const char *op, int nd, const char *np, unsigned flags)
{
	return flags == 0 ? HOST(renameat)(od, op, nd, np) :
	    HOST(renameat2)(od, op, nd, np, flags);
}

/*
 * Both paths routed to the kernel may still lead out of it through an
 * absolute link (hj_wrap_walk.c): both out is the host's rename of the
 * host paths; one out, the other in, EXDEV, as between two mounts.
 * A path routed to the host and one that leads from the kernel to the
 * host are both the host's too.
 */
HJ_EXPORT int
renameat2(int olddirfd, const char *oldpath, int newdirfd,
    const char *newpath, unsigned flags)
{
	char kb2[PATH_MAX], hp[PATH_MAX], hp2[PATH_MAX];
	const char *kp2;
	int kd2, where2, r, s1, s2;

	ROUTE(olddirfd, oldpath);
	where2 = hj_route(newdirfd, newpath, kb2, sizeof(kb2), &kd2, &kp2);
	if (where2 < 0)
		return -1;
	if (where != where2) {
		if (hj_nullpair(oldpath, newpath)) {
			errno = EFAULT;
			return -1;
		}
		if (where == HJ_KERNEL && hj_linkout_on() &&
		    hj_linkout_side(kd, kp, false, hp) == 1)
			return host_rename(AT_FDCWD, hp, newdirfd, newpath,
			    flags);
		if (where2 == HJ_KERNEL && hj_linkout_on() &&
		    hj_linkout_side(kd2, kp2, false, hp) == 1)
			return host_rename(olddirfd, oldpath, AT_FDCWD, hp,
			    flags);
		errno = EXDEV;
		return -1;
	}
	if (where == HJ_HOST)
		return host_rename(olddirfd, oldpath, newdirfd, newpath, flags);
	hj_linkout_armed = 1;
	r = hjk_renameat2(kd, kp, kd2, kp2, flags);
	hj_linkout_armed = 0;
	if (r == 0 || errno != HJ_ELINKOUT)
		return r;
	if ((s1 = hj_linkout_side(kd, kp, false, hp)) < 0 ||
	    (s2 = hj_linkout_side(kd2, kp2, false, hp2)) < 0)
		return -1;
	if (s1 && s2)
		return host_rename(AT_FDCWD, hp, AT_FDCWD, hp2, flags);
	errno = s1 || s2 ? EXDEV : ENOENT;
	return -1;
}

HJ_EXPORT int
renameat(int olddirfd, const char *oldpath, int newdirfd,
    const char *newpath)
{
	return renameat2(olddirfd, oldpath, newdirfd, newpath, 0);
}

HJ_EXPORT int
rename(const char *oldpath, const char *newpath)
{
	return renameat2(AT_FDCWD, oldpath, AT_FDCWD, newpath, 0);
}

/* --- the current directory ---------------------------------------------- */

HJ_EXPORT int
chdir(const char *path)
{
	ROUTE(AT_FDCWD, path);
	if (where == HJ_HOST) {
		if (HOST(chdir)(path) != 0)
			return -1;
		hj_cwd_kernel = false;
		return 0;
	}
	if (kd != AT_FDCWD) {
		errno = EINVAL;
		return -1;
	}
	hj_linkout_armed = 1;
	if (hjk_chdir(kp) != 0) {
		char hp[PATH_MAX];

		hj_linkout_armed = 0;
		/* Into a host directory through a link: the cwd leaves. */
		if (errno != HJ_ELINKOUT || hj_linkout_path(kd, kp, true,
		    hp) != 0 || HOST(chdir)(hp) != 0)
			return -1;
		hj_cwd_kernel = false;
		return 0;
	}
	hj_linkout_armed = 0;
	hj_cwd_kernel = true;
	return 0;
}

HJ_EXPORT int
fchdir(int fd)
{
	int k = hj_fd_kernel(fd);

	if (k < 0) {
		if (HOST(fchdir)(fd) != 0)
			return -1;
		hj_cwd_kernel = false;
		return 0;
	}
	if (hjk_fchdir(k) != 0)
		return -1;
	hj_cwd_kernel = true;
	return 0;
}

/* The kernel's cwd shown under the prefix: "/x" is "/rump/x". */
static char *
kernel_cwd(char *buf, size_t size)
{
	char kb[PATH_MAX];
	const char *pre = hj_show_prefix();
	size_t pl = strlen(pre), kl;
	bool alloc = buf == NULL;

	if (hjk_getcwd(kb, sizeof(kb)) == NULL)
		return NULL;
	kl = strlen(kb);
	if (pl > 0 && kl == 1)
		kl = 0;			/* "/" is the prefix itself */
	if (alloc) {
		size = size > pl + kl ? size : pl + kl + 1;
		if ((buf = malloc(size)) == NULL)
			return NULL;
	}
	if (pl + kl + 1 > size) {
		if (alloc)
			free(buf);
		errno = size == 0 ? EINVAL : ERANGE;
		return NULL;
	}
	memcpy(buf, pre, pl);
	memcpy(buf + pl, kb, kl);
	buf[pl + kl] = '\0';
	return buf;
}

HJ_EXPORT char *
getcwd(char *buf, size_t size)
{
	if (!hj_cwd_kernel)
		return HOST(getcwd)(buf, size);
	return kernel_cwd(buf, size);
}

HJ_EXPORT char *
__getcwd_chk(char *buf, size_t size, size_t buflen)
{
	(void)buflen;
	return getcwd(buf, size);
}

HJ_EXPORT char *
get_current_dir_name(void)
{
	return getcwd(NULL, 0);
}

/* The kernel process keeps its own umask: both change together. */
HJ_EXPORT mode_t
umask(mode_t mask)
{
	mode_t old = HOST(umask)(mask);

	if (hj_kernel_is_up())
		(void)hjk_umask(mask);
	return old;
}
