/*
 * hj_wrap_xattr.c: the extended attribute calls (get, set, list, remove
 * and their l and f forms) on kernel paths and descriptors.
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

HOST_CACHE(getxattr);
HOST_CACHE(lgetxattr);
HOST_CACHE(fgetxattr);
HOST_CACHE(setxattr);
HOST_CACHE(lsetxattr);
HOST_CACHE(fsetxattr);
HOST_CACHE(listxattr);
HOST_CACHE(llistxattr);
HOST_CACHE(flistxattr);
HOST_CACHE(removexattr);
HOST_CACHE(lremovexattr);
HOST_CACHE(fremovexattr);

/* --- extended attributes ---------------------------------------------------- */

/*
 * The kernel keeps no extended attributes: like a Linux file system
 * without xattr support, get/set/remove fail with ENOTSUP and the list is
 * empty, once the file is known to exist (ls -l and cp -a ask; both take
 * ENOTSUP for "none").
 */
static int
k_noxattr(int kd, const char *kp, int flags, bool list)
{
	struct stat st;

	if (hjk_newfstatat(kd, kp, &st, flags) != 0)
		return -1;
	if (list)
		return 0;
	errno = ENOTSUP;
	return -1;
}

static int
kfd_noxattr(int k, bool list)
{
	struct stat st;

	if (hjk_fstat(k, &st) != 0)
		return -1;
	if (list)
		return 0;
	errno = ENOTSUP;
	return -1;
}

HJ_EXPORT ssize_t
getxattr(const char *path, const char *name, void *val, size_t size)
{
	ROUTE(AT_FDCWD, path);
	if (where == HJ_HOST)
		return HOST(getxattr)(path, name, val, size);
	KLINKOUT(ssize_t, k_noxattr(kd, kp, 0, false), true,
	    HOST(getxattr)(hp, name, val, size));
}

HJ_EXPORT ssize_t
lgetxattr(const char *path, const char *name, void *val, size_t size)
{
	ROUTE(AT_FDCWD, path);
	if (where == HJ_HOST)
		return HOST(lgetxattr)(path, name, val, size);
	KLINKOUT(ssize_t, k_noxattr(kd, kp, AT_SYMLINK_NOFOLLOW, false), false,
	    HOST(lgetxattr)(hp, name, val, size));
}

HJ_EXPORT ssize_t
fgetxattr(int fd, const char *name, void *val, size_t size)
{
	int k = hj_fd_kernel(fd);

	return k < 0 ? HOST(fgetxattr)(fd, name, val, size) :
	    kfd_noxattr(k, false);
}

HJ_EXPORT int
setxattr(const char *path, const char *name, const void *val, size_t size,
    int flags)
{
	ROUTE(AT_FDCWD, path);
	if (where == HJ_HOST)
		return HOST(setxattr)(path, name, val, size, flags);
	KLINKOUT(int, k_noxattr(kd, kp, 0, false), true,
	    HOST(setxattr)(hp, name, val, size, flags));
}

HJ_EXPORT int
lsetxattr(const char *path, const char *name, const void *val, size_t size,
    int flags)
{
	ROUTE(AT_FDCWD, path);
	if (where == HJ_HOST)
		return HOST(lsetxattr)(path, name, val, size, flags);
	KLINKOUT(int, k_noxattr(kd, kp, AT_SYMLINK_NOFOLLOW, false), false,
	    HOST(lsetxattr)(hp, name, val, size, flags));
}

HJ_EXPORT int
fsetxattr(int fd, const char *name, const void *val, size_t size, int flags)
{
	int k = hj_fd_kernel(fd);

	return k < 0 ? HOST(fsetxattr)(fd, name, val, size, flags) :
	    kfd_noxattr(k, false);
}

HJ_EXPORT ssize_t
listxattr(const char *path, char *list, size_t size)
{
	ROUTE(AT_FDCWD, path);
	if (where == HJ_HOST)
		return HOST(listxattr)(path, list, size);
	KLINKOUT(ssize_t, k_noxattr(kd, kp, 0, true), true,
	    HOST(listxattr)(hp, list, size));
}

HJ_EXPORT ssize_t
llistxattr(const char *path, char *list, size_t size)
{
	ROUTE(AT_FDCWD, path);
	if (where == HJ_HOST)
		return HOST(llistxattr)(path, list, size);
	KLINKOUT(ssize_t, k_noxattr(kd, kp, AT_SYMLINK_NOFOLLOW, true), false,
	    HOST(llistxattr)(hp, list, size));
}

HJ_EXPORT ssize_t
flistxattr(int fd, char *list, size_t size)
{
	int k = hj_fd_kernel(fd);

	return k < 0 ? HOST(flistxattr)(fd, list, size) : kfd_noxattr(k, true);
}

HJ_EXPORT int
removexattr(const char *path, const char *name)
{
	ROUTE(AT_FDCWD, path);
	if (where == HJ_HOST)
		return HOST(removexattr)(path, name);
	KLINKOUT(int, k_noxattr(kd, kp, 0, false), true,
	    HOST(removexattr)(hp, name));
}

HJ_EXPORT int
lremovexattr(const char *path, const char *name)
{
	ROUTE(AT_FDCWD, path);
	if (where == HJ_HOST)
		return HOST(lremovexattr)(path, name);
	KLINKOUT(int, k_noxattr(kd, kp, AT_SYMLINK_NOFOLLOW, false), false,
	    HOST(lremovexattr)(hp, name));
}

HJ_EXPORT int
fremovexattr(int fd, const char *name)
{
	int k = hj_fd_kernel(fd);

	return k < 0 ? HOST(fremovexattr)(fd, name) : kfd_noxattr(k, false);
}
