/*
 * procfs_vfsops.c: procfs, a small synthetic file system of kernel state,
 * registered as "proc" and mounted at /proc when the kernel boots.
 *
 * What it shows (every name is also in the README):
 *   /proc/self          symlink to the caller's /proc/<pid>
 *   /proc/mounts        one line per mount: "source path type rw 0 0"
 *                       (ro/nosuid/nodev/noexec as set; blanks escaped)
 *   /proc/sys/A/B/C     the sysctl A.B.C: read gives the value and a
 *                       newline; writing (root only, mode 0644, read-only
 *                       sysctls 0444) sets it, EINVAL on bad input
 *   /proc/<pid>/        one directory per live process (not pid 0):
 *     fd/N              symlink per open descriptor: the file's path, or
 *                       "pipe:[id]", "socket:[id]", "anon_inode:[misc]"
 *                       (readlink only: following one resolves the path
 *                       text, so it reaches files that have a path)
 *     cwd, root         symlinks to the directories' paths
 *     status            Name, Umask, Tgid, Pid, PPid, Uid, Gid, FDSize,
 *                       Groups, Threads lines, Linux's format
 *     comm              the command name and a newline
 * statfs reports PROC_SUPER_MAGIC; inode numbers are the node keys.
 * The component also registers sysfs (sysfs.c) and mounts it on /sys.
 *
 * Locking: vfs_giant is held by vfs around every operation here.
 */
#include "k/kernel.h"
#include "k/component.h"
#include "k/vnode.h"

#include "procfs.h"

struct timespec procfs_boottime;

int
procfs_mount(struct mount *mp, const char *source, const char *data)
{
	(void)source;
	(void)data;
	/* All state lives in the keys and the kernel: nothing per mount. */
	mp->mnt_data = NULL;
	return 0;
}

int
procfs_unmount(struct mount *mp, int flags)
{
	(void)mp;
	(void)flags;
	return 0;
}

static int
procfs_root(struct mount *mp, struct vnode **vpp)
{
	return vcache_get(mp, pfs_key(PFS_ROOT, 0, 0), vpp);
}

void
pfs_statfs(struct mount *mp, struct statfs *sf, long magic)
{
	memset(sf, 0, sizeof(*sf));
	sf->f_type = magic;
	sf->f_bsize = 4096;
	sf->f_frsize = 4096;
	sf->f_namelen = NAME_MAX;
	sf->f_fsid.val[0] = (int32_t)(uint32_t)mp->mnt_fsid;
	sf->f_fsid.val[1] = (int32_t)(uint32_t)(mp->mnt_fsid >> 32);
}

static int
procfs_statfs(struct mount *mp, struct statfs *sf)
{
	pfs_statfs(mp, sf, PROC_SUPER_MAGIC);
	return 0;
}

int
procfs_sync(struct mount *mp)
{
	(void)mp;
	return 0;
}

static int
procfs_loadvnode(struct mount *mp, struct vnode *vp, uint64_t key)
{
	(void)mp;
	if (!pfs_exists(key) && pfs_listed(key) == NULL)
		return ENOENT;
	vp->v_op = &procfs_vnodeops;
	vp->v_type = pfs_vtype(pfs_kind(key));
	vp->v_data = NULL;
	return 0;
}

static const struct vfsops procfs_vfsops = {
	.vfs_name = "proc",
	.vfs_mount = procfs_mount,
	.vfs_unmount = procfs_unmount,
	.vfs_root = procfs_root,
	.vfs_statfs = procfs_statfs,
	.vfs_sync = procfs_sync,
	.vfs_loadvnode = procfs_loadvnode,
};

static int
procfs_init(void)
{
	int error;

	getnanotime(&procfs_boottime);
	pfs_snap_init();
	if ((error = pfs_sys_init()) != 0)
		return error;
	if ((error = vfs_register(&procfs_vfsops)) != 0)
		return error;
	return sysfs_init();
}

/* Mounts a file system of type on the directory path, made if needed. */
static int
procfs_mountat(const char *path, const char *type)
{
	struct mount *mp;
	struct vnode *vp;
	int error;

	error = vfs_mkdir_kernel(path, 0555);
	if (error != 0 && error != EEXIST)
		goto fail;
	if ((error = vfs_lookup_kernel(path, &vp)) != 0)
		goto fail;
	vfs_lock();
	error = vfs_domount(type, vp, type, 0, NULL, &mp);
	vrele(vp);
	vfs_unlock();
	if (error != 0)
		goto fail;
	kverbose("procfs: mounted %s on %s\n", type, path);
	return 0;
fail:
	kprintf("procfs: cannot mount %s on %s: error %d\n", type, path,
	    error);
	return error;
}

/* Mounts procfs on /proc and sysfs on /sys once vfs has a root. */
static int
procfs_postinit(void)
{
	int error;

	if ((error = procfs_mountat("/proc", "proc")) != 0)
		return error;
	return procfs_mountat("/sys", "sysfs");
}

RUMP_COMPONENT(procfs_component, "procfs", procfs_init, procfs_postinit,
    "vfs")
