/*
 * hj_wrap_mount.c: mount(2), umount2(2) and umount(2).  A mount whose
 * target lies under a routed prefix is the kernel's: the unmodified
 * `mount -t ext2 /rump/dev/hd0 /rump/mnt` mounts the kernel's block device
 * /dev/hd0 on its /mnt.  The source is routed like any path when it is
 * one (it starts with '/' or names something under the prefix); a source
 * that is not a path ("none", "tmpfs") goes to the kernel as it is, and a
 * host path as a source of a kernel mount is ENOTBLK (the kernel cannot
 * see the host's files; rump_server -d or rumphijack --image make one a
 * kernel device).  Unmounting follows the target.
 */
#include <errno.h>
#include <string.h>
#include <sys/mount.h>

#include "hj.h"

HOST_CACHE(mount);
HOST_CACHE(umount2);
HOST_CACHE(umount);

HJ_EXPORT int
mount(const char *source, const char *target, const char *fstype,
    unsigned long flags, const void *data)
{
	char kb2[PATH_MAX];
	const char *kp2 = source;
	int kd2, where2;

	ROUTE(AT_FDCWD, target);
	if (where == HJ_HOST)
		return HOST(mount)(source, target, fstype, flags, data);
	(void)kd;
	if (source != NULL && source[0] == '/') {
		where2 = hj_route(AT_FDCWD, source, kb2, sizeof(kb2), &kd2,
		    &kp2);
		if (where2 < 0)
			return -1;
		if (where2 == HJ_HOST) {
			errno = ENOTBLK;
			return -1;
		}
	}
	return hjk_mount(kp2, kp, fstype, flags, data);
}

HJ_EXPORT int
umount2(const char *target, int flags)
{
	ROUTE(AT_FDCWD, target);
	if (where == HJ_HOST)
		return HOST(umount2)(target, flags);
	(void)kd;
	return hjk_umount2(kp, flags);
}

HJ_EXPORT int
umount(const char *target)
{
	ROUTE(AT_FDCWD, target);
	if (where == HJ_HOST)
		return HOST(umount)(target);
	(void)kd;
	return hjk_umount2(kp, 0);
}
