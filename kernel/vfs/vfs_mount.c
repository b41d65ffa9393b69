/*
 * vfs_mount.c: file-system types, the mount list, and the system calls
 * mount, umount2, statfs, fstatfs, sync and syncfs.
 *
 * A mount holds a reference to its root vnode (mnt_rootvp) and to the
 * vnode it covers, whose v_mountedhere points back.  Unmounting needs
 * every other vnode of the file system unused: open files, cwds and
 * mounts stacked inside make it EBUSY (MNT_FORCE and MNT_DETACH do not
 * change that: a lazy detach would need vnodes that outlive their mount;
 * they are accepted and behave as a plain unmount).  MS_BIND and MS_MOVE
 * are EOPNOTSUPP; propagation changes (MS_PRIVATE ...) are accepted on a
 * mount point and change nothing, as every mount here is private.
 *
 * Locking: vfs_giant covers the mount list and every mount.  The type
 * table is append-only and read without a lock.
 */
#include "vfs_private.h"

#include "syscallargs.h"

/* mount(2) flags beyond k/abi.h's. */
#define MS_SYNCHRONOUS	16
#define MS_MANDLOCK	64
#define MS_DIRSYNC	128
#define MS_NOATIME	1024
#define MS_NODIRATIME	2048
#define MS_MOVE		8192
#define MS_REC		16384
#define MS_SILENT	32768
#define MS_UNBINDABLE	(1 << 17)
#define MS_PRIVATE	(1 << 18)
#define MS_SLAVE	(1 << 19)
#define MS_SHARED	(1 << 20)
#define MS_RELATIME	(1 << 21)
#define MS_STRICTATIME	(1 << 24)
#define MS_LAZYTIME	(1 << 25)
#define MS_MGC_MSK	0xffff0000UL
#define MS_MGC_VAL	0xc0ed0000UL
#define MS_PROPAGATION	(MS_UNBINDABLE | MS_PRIVATE | MS_SLAVE | MS_SHARED)
/* What a mount keeps in mnt_flag. */
#define MNT_KEEPFLAGS	(MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | \
			 MS_SYNCHRONOUS | MS_MANDLOCK | MS_DIRSYNC | \
			 MS_NOATIME | MS_NODIRATIME | MS_RELATIME | \
			 MS_STRICTATIME | MS_LAZYTIME)
/* Private: marked by a first MNT_EXPIRE. */
#define MNT_EXPIREMARK	(1 << 30)

/* statfs f_flags */
#define ST_RDONLY	1
#define ST_NOSUID	2
#define ST_NODEV	4
#define ST_NOEXEC	8
#define ST_SYNCHRONOUS	16
#define ST_VALID	32
#define ST_MANDLOCK	64
#define ST_NOATIME	1024
#define ST_NODIRATIME	2048
#define ST_RELATIME	4096

#define PIPEFS_MAGIC	0x50495045
#define SOCKFS_MAGIC	0x534f434b
#define ANON_INODE_FS_MAGIC 0x09041934

struct mountlist mountlist = TAILQ_HEAD_INITIALIZER(mountlist);
struct vnode *rootvnode;

#define NVFSTYPES	16
static const struct vfsops *vfs_types[NVFSTYPES];
static atomic_int vfs_ntypes;
static atomic_flag vfs_types_busy = ATOMIC_FLAG_INIT;
static int vfs_nextmntid = 1;

int
vfs_register(const struct vfsops *ops)
{
	int i, n, error = 0;

	while (atomic_flag_test_and_set_explicit(&vfs_types_busy,
	    memory_order_acquire))
		continue;
	n = atomic_load_explicit(&vfs_ntypes, memory_order_relaxed);
	for (i = 0; i < n; i++)
		if (strcmp(vfs_types[i]->vfs_name, ops->vfs_name) == 0)
			error = EEXIST;
	if (error == 0 && n == NVFSTYPES)
		error = ENOSPC;
	if (error == 0) {
		vfs_types[n] = ops;
		atomic_store_explicit(&vfs_ntypes, n + 1, memory_order_release);
	}
	atomic_flag_clear_explicit(&vfs_types_busy, memory_order_release);
	return error;
}

const struct vfsops *
vfs_getopsbyname(const char *name)
{
	int i, n;

	n = atomic_load_explicit(&vfs_ntypes, memory_order_acquire);
	for (i = 0; i < n; i++)
		if (strcmp(vfs_types[i]->vfs_name, name) == 0)
			return vfs_types[i];
	return NULL;
}

/* With vfs_giant held.  Takes its own reference on vp. */
int
vfs_domount(const char *type, struct vnode *vp, const char *source,
    int flags, const char *data, struct mount **mpp)
{
	const struct vfsops *ops;
	struct mount *mp;
	struct vnode *root;
	int error;

	if ((ops = vfs_getopsbyname(type)) == NULL)
		return ENODEV;
	if (vp != NULL && vp->v_type != VDIR)
		return ENOTDIR;
	if ((mp = kmem_zalloc(sizeof(*mp))) == NULL)
		return ENOMEM;
	mp->mnt_op = ops;
	mp->mnt_flag = flags & MNT_KEEPFLAGS;
	mp->mnt_id = vfs_nextmntid++;
	/* An anonymous device number, as Linux gives tmpfs (0:N). */
	mp->mnt_fsid = MAKEDEV(0, (uint32_t)mp->mnt_id);
	kstrlcpy(mp->mnt_source, source != NULL ? source : "none",
	    sizeof(mp->mnt_source));
	if (vp == NULL || vfs_vnode_path(vp, mp->mnt_path,
	    sizeof(mp->mnt_path)) != 0)
		kstrlcpy(mp->mnt_path, "/", sizeof(mp->mnt_path));
	if ((error = ops->vfs_mount(mp, source, data)) != 0) {
		kmem_free(mp, sizeof(*mp));
		return error;
	}
	if ((error = ops->vfs_root(mp, &root)) != 0) {
		(void)ops->vfs_unmount(mp, MNT_FORCE);
		kmem_free(mp, sizeof(*mp));
		return error;
	}
	mp->mnt_rootvp = root;
	if (vp != NULL) {
		vref(vp);
		mp->mnt_vnodecovered = vp;
		vp->v_mountedhere = mp;
	}
	TAILQ_INSERT_TAIL(&mountlist, mp, mnt_list);
	if (mpp != NULL)
		*mpp = mp;
	return 0;
}

struct busy_count {
	struct vnode *root;
	int busy;
	int writers;
};

static void
busy_count_fn(struct vnode *vp, void *arg)
{
	struct busy_count *bc = arg;

	/* The mount's own reference on its root does not count. */
	if (vp->v_usecount > (vp == bc->root ? 1 : 0))
		bc->busy++;
	if (vp->v_writecount > 0)
		bc->writers++;
}

/* With vfs_giant held; the caller holds no reference into mp. */
static int
vfs_unmount(struct mount *mp, int flags)
{
	struct busy_count bc = { .root = mp->mnt_rootvp };
	struct vnode *covered, *root;
	int error;

	if (mp->mnt_vnodecovered == NULL)
		return EBUSY;		/* the root file system stays */
	vcache_reclaim(mp, INT_MAX);
	vcache_foreach(mp, busy_count_fn, &bc);
	if (bc.busy != 0)
		return EBUSY;
	if (mp->mnt_op->vfs_sync != NULL)
		(void)mp->mnt_op->vfs_sync(mp);
	root = mp->mnt_rootvp;
	mp->mnt_rootvp = NULL;
	vrele(root);
	vcache_reclaim(mp, INT_MAX);
	if ((error = mp->mnt_op->vfs_unmount(mp, flags)) != 0) {
		if (mp->mnt_op->vfs_root(mp, &root) == 0)
			mp->mnt_rootvp = root;
		return error;
	}
	covered = mp->mnt_vnodecovered;
	covered->v_mountedhere = NULL;
	vrele(covered);
	TAILQ_REMOVE(&mountlist, mp, mnt_list);
	kmem_free(mp, sizeof(*mp));
	return 0;
}

void
vfs_sync_all(void)
{
	struct mount *mp;

	TAILQ_FOREACH(mp, &mountlist, mnt_list) {
		if (mp->mnt_op->vfs_sync != NULL)
			(void)mp->mnt_op->vfs_sync(mp);
	}
}

/* mount(2) and umount2(2) need CAP_SYS_ADMIN: the effective uid 0. */
static bool
vfs_capable(void)
{
	return kauth_cred_get()->cr_euid == 0;
}

static int
vfs_remount(struct mount *mp, unsigned long flags)
{
	struct busy_count bc = { .root = NULL };

	if ((flags & MS_RDONLY) && !(mp->mnt_flag & MS_RDONLY)) {
		/* Linux refuses to go read-only under open writers. */
		vcache_foreach(mp, busy_count_fn, &bc);
		if (bc.writers != 0)
			return EBUSY;
	}
	mp->mnt_flag = (mp->mnt_flag & ~MNT_KEEPFLAGS) |
	    ((int)flags & MNT_KEEPFLAGS);
	return 0;
}

int
sys_mount(struct lwp *l, const char *usource, const char *utarget,
    const char *ufstype, unsigned long flags, const void *udata,
    register_t *retval)
{
	struct pathbuf target, source = { .pb_path = NULL };
	struct nameidata nd;
	char fstype[64], *data = NULL;
	struct vnode *vp;
	int error;

	(void)l;
	*retval = 0;
	if ((flags & MS_MGC_MSK) == MS_MGC_VAL)
		flags &= ~MS_MGC_MSK;
	if ((error = pathbuf_copyin(utarget, &target)) != 0)
		return error;
	fstype[0] = '\0';
	if (ufstype != NULL) {
		error = copyinstr(ufstype, fstype, sizeof(fstype), NULL);
		if (error == ENAMETOOLONG) {
			fstype[0] = '\0';
			error = 0;
		}
		if (error != 0)
			goto out;
	}
	if (usource != NULL && (error = pathbuf_copyin(usource, &source)) != 0)
		goto out;
	if (udata != NULL) {
		if ((data = kmem_alloc(PATH_MAX)) == NULL) {
			error = ENOMEM;
			goto out;
		}
		/* Linux copies a page; a longer option string is cut. */
		error = copyinstr(udata, data, PATH_MAX, NULL);
		if (error == ENAMETOOLONG) {
			data[PATH_MAX - 1] = '\0';
			error = 0;
		}
		if (error != 0)
			goto out;
	}

	vfs_lock();
	nd.ni_dirfd = AT_FDCWD;
	nd.ni_path = target.pb_path;
	nd.ni_flags = NAMEI_FOLLOW;
	if ((error = namei(&nd)) != 0)
		goto unlock;
	vp = nd.ni_vp;
	if (!vfs_capable()) {
		error = EPERM;
	} else if (flags & MS_REMOUNT) {
		error = vn_ismountroot(vp) ? vfs_remount(vp->v_mount, flags) :
		    EINVAL;
	} else if (flags & MS_BIND) {
		error = EOPNOTSUPP;
	} else if (flags & MS_PROPAGATION) {
		error = vn_ismountroot(vp) ? 0 : EINVAL;
	} else if (flags & MS_MOVE) {
		error = EOPNOTSUPP;
	} else if (fstype[0] == '\0') {
		error = ufstype == NULL ? EINVAL : ENODEV;
	} else if (vfs_getopsbyname(fstype) == NULL) {
		error = ENODEV;
	} else {
		error = vfs_domount(fstype, vp, source.pb_path != NULL ?
		    source.pb_path : "none", (int)(flags & MNT_KEEPFLAGS),
		    data, NULL);
	}
	namei_done(&nd);
unlock:
	vfs_unlock();
out:
	if (data != NULL)
		kmem_free(data, PATH_MAX);
	pathbuf_free(&source);
	pathbuf_free(&target);
	return error;
}

int
sys_umount2(struct lwp *l, const char *utarget, int flags,
    register_t *retval)
{
	struct pathbuf target;
	struct nameidata nd;
	struct mount *mp;
	struct vnode *vp;
	int error;

	(void)l;
	*retval = 0;
	if (flags & ~(MNT_FORCE | MNT_DETACH | MNT_EXPIRE | UMOUNT_NOFOLLOW))
		return EINVAL;
	if ((flags & MNT_EXPIRE) && (flags & (MNT_FORCE | MNT_DETACH)))
		return EINVAL;
	if ((error = pathbuf_copyin(utarget, &target)) != 0)
		return error;
	vfs_lock();
	nd.ni_dirfd = AT_FDCWD;
	nd.ni_path = target.pb_path;
	nd.ni_flags = (flags & UMOUNT_NOFOLLOW) ? 0 : NAMEI_FOLLOW;
	if ((error = namei(&nd)) != 0)
		goto out;
	vp = nd.ni_vp;
	mp = vp->v_mount;
	error = !vfs_capable() ? EPERM : !vn_ismountroot(vp) ? EINVAL : 0;
	namei_done(&nd);
	if (error != 0)
		goto out;
	if (flags & MNT_EXPIRE) {
		/* The first call marks the mount, a second one unmounts. */
		if (!(mp->mnt_flag & MNT_EXPIREMARK)) {
			mp->mnt_flag |= MNT_EXPIREMARK;
			error = EAGAIN;
			goto out;
		}
	}
	error = vfs_unmount(mp, flags);
out:
	vfs_unlock();
	pathbuf_free(&target);
	return error;
}

/* With vfs_giant held. */
static int
vfs_statfs_vnode(struct vnode *vp, struct statfs *sf)
{
	struct mount *mp = vp->v_mount;
	int error, mf = mp->mnt_flag;

	memset(sf, 0, sizeof(*sf));
	if (mp->mnt_op->vfs_statfs != NULL &&
	    (error = mp->mnt_op->vfs_statfs(mp, sf)) != 0)
		return error;
	if (sf->f_fsid.val[0] == 0 && sf->f_fsid.val[1] == 0) {
		sf->f_fsid.val[0] = (int32_t)(uint32_t)mp->mnt_fsid;
		sf->f_fsid.val[1] = (int32_t)(uint32_t)(mp->mnt_fsid >> 32);
	}
	if (sf->f_namelen == 0)
		sf->f_namelen = NAME_MAX;
	if (sf->f_frsize == 0)
		sf->f_frsize = sf->f_bsize;
	sf->f_flags = ST_VALID;
	if (mf & MS_RDONLY)
		sf->f_flags |= ST_RDONLY;
	if (mf & MS_NOSUID)
		sf->f_flags |= ST_NOSUID;
	if (mf & MS_NODEV)
		sf->f_flags |= ST_NODEV;
	if (mf & MS_NOEXEC)
		sf->f_flags |= ST_NOEXEC;
	if (mf & MS_SYNCHRONOUS)
		sf->f_flags |= ST_SYNCHRONOUS;
	if (mf & MS_MANDLOCK)
		sf->f_flags |= ST_MANDLOCK;
	if (mf & MS_NOATIME)
		sf->f_flags |= ST_NOATIME;
	if (mf & MS_NODIRATIME)
		sf->f_flags |= ST_NODIRATIME;
	if (mf & MS_RELATIME)
		sf->f_flags |= ST_RELATIME;
	return 0;
}

int
sys_statfs(struct lwp *l, const char *upath, void *ubuf, register_t *retval)
{
	struct pathbuf pb;
	struct nameidata nd;
	struct statfs sf;
	int error;

	(void)l;
	*retval = 0;
	if ((error = pathbuf_copyin(upath, &pb)) != 0)
		return error;
	vfs_lock();
	nd.ni_dirfd = AT_FDCWD;
	nd.ni_path = pb.pb_path;
	nd.ni_flags = NAMEI_FOLLOW;
	if ((error = namei(&nd)) == 0) {
		error = vfs_statfs_vnode(nd.ni_vp, &sf);
		namei_done(&nd);
	}
	vfs_unlock();
	pathbuf_free(&pb);
	if (error == 0)
		error = copyout(&sf, ubuf, sizeof(sf));
	return error;
}

int
sys_fstatfs(struct lwp *l, int fd, void *ubuf, register_t *retval)
{
	struct statfs sf;
	struct file *fp;
	struct vnode *vp;
	int error;

	(void)l;
	*retval = 0;
	if ((error = fd_getvnode(fd, true, &fp, &vp)) != 0)
		return error;
	if (vp != NULL) {
		vfs_lock();
		error = vfs_statfs_vnode(vp, &sf);
		vfs_unlock();
	} else {
		/* Pipes and sockets live on Linux's internal file systems. */
		memset(&sf, 0, sizeof(sf));
		sf.f_type = fp->f_type == DTYPE_PIPE ? PIPEFS_MAGIC :
		    fp->f_type == DTYPE_SOCKET ? SOCKFS_MAGIC :
		    ANON_INODE_FS_MAGIC;
		sf.f_bsize = sf.f_frsize = 4096;
		sf.f_namelen = NAME_MAX;
		sf.f_flags = ST_VALID;
	}
	file_rele(fp);
	if (error == 0)
		error = copyout(&sf, ubuf, sizeof(sf));
	return error;
}

int
sys_sync(struct lwp *l, register_t *retval)
{
	(void)l;
	*retval = 0;
	vfs_lock();
	vfs_sync_all();
	vfs_unlock();
	return 0;
}

int
sys_syncfs(struct lwp *l, int fd, register_t *retval)
{
	struct file *fp;
	struct vnode *vp;
	struct mount *mp;
	int error;

	(void)l;
	*retval = 0;
	if ((error = fd_getvnode(fd, false, &fp, &vp)) != 0)
		return error;
	if (vp != NULL) {
		vfs_lock();
		mp = vp->v_mount;
		if (mp != NULL && mp->mnt_op->vfs_sync != NULL)
			error = mp->mnt_op->vfs_sync(mp);
		vfs_unlock();
	}
	file_rele(fp);
	return error;
}
