/*
 * vfs_attr.c: the system calls that change a file's attributes or data
 * as a whole: chmod, fchmod, fchmodat, chown, fchown, lchown, fchownat,
 * utimensat, truncate, ftruncate, fallocate, fsync and fdatasync.
 *
 * The rules are Linux's for a process without capabilities, with root
 * (fsuid 0) holding CAP_CHOWN, CAP_FOWNER and CAP_FSETID: only the owner
 * changes the mode (S_ISGID dropped when it is not in the file's group);
 * only root gives a file away; the owner may move it to a group it is in;
 * a chown clears S_ISUID (and S_ISGID with group execute) on non-
 * directories, whoever calls.  Timestamps other than "now" need the owner;
 * "now" also passes with write permission.
 *
 * Locking: vfs_giant around each vnode operation; descriptors are held
 * outside it.
 */
#include "vfs_private.h"

#include "syscallargs.h"

#define FALLOC_FL_NO_HIDE_STALE		0x04
#define FALLOC_FL_COLLAPSE_RANGE	0x08
#define FALLOC_FL_INSERT_RANGE		0x20
#define FALLOC_FL_UNSHARE_RANGE		0x40
#define FALLOC_FL_SUPPORTED	(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE | \
	FALLOC_FL_NO_HIDE_STALE | FALLOC_FL_COLLAPSE_RANGE | \
	FALLOC_FL_ZERO_RANGE | FALLOC_FL_INSERT_RANGE | FALLOC_FL_UNSHARE_RANGE)

/*
 * The vnode for a path call (flags: AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH),
 * referenced; fn runs on it with vfs_giant held.
 */
static int
vfs_path_apply(int dirfd, const char *upath, int atflags,
    int (*fn)(struct vnode *, void *), void *arg)
{
	struct pathbuf pb;
	struct nameidata nd;
	int error;

	if ((error = pathbuf_copyin(upath, &pb)) != 0)
		return error;
	vfs_lock();
	nd.ni_dirfd = dirfd;
	nd.ni_path = pb.pb_path;
	nd.ni_flags = ((atflags & AT_SYMLINK_NOFOLLOW) ? 0 : NAMEI_FOLLOW) |
	    ((atflags & AT_EMPTY_PATH) ? NAMEI_EMPTYPATH : 0);
	if ((error = namei(&nd)) == 0) {
		error = fn(nd.ni_vp, arg);
		namei_done(&nd);
	}
	vfs_unlock();
	pathbuf_free(&pb);
	return error;
}

/* The same for a descriptor (not O_PATH). */
static int
vfs_fd_apply(int fd, int (*fn)(struct vnode *, void *), void *arg)
{
	struct file *fp;
	struct vnode *vp;
	int error;

	if ((error = fd_getvnode(fd, false, &fp, &vp)) != 0)
		return error;
	if (vp == NULL) {
		/* Pipes and sockets: Linux's pseudo inodes, not kept here. */
		error = EINVAL;
	} else {
		vfs_lock();
		error = fn(vp, arg);
		vfs_unlock();
	}
	file_rele(fp);
	return error;
}

/* --- chmod ---------------------------------------------------------------------- */

struct chmod_args {
	mode_t mode;
	bool nofollow;
};

static int
chmod_vnode(struct vnode *vp, void *arg)
{
	struct chmod_args *ca = arg;
	const struct kauth_cred *cred = kauth_cred_get();
	struct vattr va, nva;
	mode_t mode = ca->mode & 07777;
	int error;

	/* Linux has no symlink modes (fchmodat2 AT_SYMLINK_NOFOLLOW). */
	if (ca->nofollow && vp->v_type == VLNK)
		return EOPNOTSUPP;
	if (vn_rdonly(vp))
		return EROFS;
	if ((error = vn_getattr(vp, &va)) != 0)
		return error;
	if (!vn_isowner(&va, cred))
		return EPERM;
	if ((mode & S_ISGID) && !cred_is_root(cred) &&
	    !cred_groupmember(cred, va.va_gid))
		mode &= ~(mode_t)S_ISGID;
	memset(&nva, 0, sizeof(nva));
	nva.va_mask = VA_MODE;
	nva.va_mode = mode;
	return vn_setattr(vp, &nva);
}

int
sys_fchmodat(struct lwp *l, int dirfd, const char *path, mode_t mode,
    int flags, register_t *retval)
{
	struct chmod_args ca = { .mode = mode,
	    .nofollow = (flags & AT_SYMLINK_NOFOLLOW) != 0 };

	(void)l;
	*retval = 0;
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return EINVAL;
	return vfs_path_apply(dirfd, path, flags, chmod_vnode, &ca);
}

int
sys_chmod(struct lwp *l, const char *path, mode_t mode, register_t *retval)
{
	return sys_fchmodat(l, AT_FDCWD, path, mode, 0, retval);
}

int
sys_fchmod(struct lwp *l, int fd, mode_t mode, register_t *retval)
{
	struct chmod_args ca = { .mode = mode, .nofollow = false };

	(void)l;
	*retval = 0;
	return vfs_fd_apply(fd, chmod_vnode, &ca);
}

/* --- chown ------------------------------------------------------------------------ */

struct chown_args {
	uid_t uid;
	gid_t gid;
};

static int
chown_vnode(struct vnode *vp, void *arg)
{
	struct chown_args *ca = arg;
	const struct kauth_cred *cred = kauth_cred_get();
	bool chuid = ca->uid != (uid_t)-1, chgid = ca->gid != (gid_t)-1;
	struct vattr va, nva;
	int error;

	if (vn_rdonly(vp))
		return EROFS;
	if ((error = vn_getattr(vp, &va)) != 0)
		return error;
	if (!cred_is_root(cred)) {
		if (chuid && (cred->cr_fsuid != va.va_uid ||
		    ca->uid != va.va_uid))
			return EPERM;
		if (chgid && (cred->cr_fsuid != va.va_uid ||
		    (ca->gid != va.va_gid &&
		    !cred_groupmember(cred, ca->gid))))
			return EPERM;
	}
	memset(&nva, 0, sizeof(nva));
	if (chuid) {
		nva.va_mask |= VA_UID;
		nva.va_uid = ca->uid;
	}
	if (chgid) {
		nva.va_mask |= VA_GID;
		nva.va_gid = ca->gid;
	}
	if ((chuid || chgid) && vp->v_type != VDIR) {
		nva.va_mode = va.va_mode;
		if (va.va_mode & S_ISUID)
			nva.va_mode &= ~(mode_t)S_ISUID;
		if ((va.va_mode & (S_ISGID | (S_IXUSR >> 3))) ==
		    (S_ISGID | (S_IXUSR >> 3)))
			nva.va_mode &= ~(mode_t)S_ISGID;
		if (nva.va_mode != va.va_mode)
			nva.va_mask |= VA_MODE;
	}
	if (nva.va_mask == 0) {
		/* chown(f, -1, -1) still marks the inode changed. */
		nva.va_mask = VA_CTIME;
		nva.va_ctime.tv_nsec = UTIME_NOW;
	}
	return vn_setattr(vp, &nva);
}

int
sys_fchownat(struct lwp *l, int dirfd, const char *path, uid_t owner,
    gid_t group, int flags, register_t *retval)
{
	struct chown_args ca = { .uid = owner, .gid = group };

	(void)l;
	*retval = 0;
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return EINVAL;
	return vfs_path_apply(dirfd, path, flags, chown_vnode, &ca);
}

int
sys_chown(struct lwp *l, const char *path, uid_t owner, gid_t group,
    register_t *retval)
{
	return sys_fchownat(l, AT_FDCWD, path, owner, group, 0, retval);
}

int
sys_lchown(struct lwp *l, const char *path, uid_t owner, gid_t group,
    register_t *retval)
{
	return sys_fchownat(l, AT_FDCWD, path, owner, group,
	    AT_SYMLINK_NOFOLLOW, retval);
}

int
sys_fchown(struct lwp *l, int fd, uid_t owner, gid_t group,
    register_t *retval)
{
	struct chown_args ca = { .uid = owner, .gid = group };

	(void)l;
	*retval = 0;
	return vfs_fd_apply(fd, chown_vnode, &ca);
}

/* --- utimensat ----------------------------------------------------------------------- */

static int
utimes_vnode(struct vnode *vp, void *arg)
{
	const struct timespec *ts = arg;
	const struct kauth_cred *cred = kauth_cred_get();
	struct vattr va, nva;
	bool explicit;
	int error;

	if (vn_rdonly(vp))
		return EROFS;
	if ((error = vn_getattr(vp, &va)) != 0)
		return error;
	explicit = (ts[0].tv_nsec != UTIME_NOW && ts[0].tv_nsec != UTIME_OMIT) ||
	    (ts[1].tv_nsec != UTIME_NOW && ts[1].tv_nsec != UTIME_OMIT);
	if (!vn_isowner(&va, cred)) {
		if (explicit)
			return EPERM;
		if ((error = vfs_access_check(&va, W_OK, cred)) != 0)
			return error;
	}
	memset(&nva, 0, sizeof(nva));
	nva.va_mask = VA_ATIME | VA_MTIME;
	nva.va_atime = ts[0];
	nva.va_mtime = ts[1];
	return vn_setattr(vp, &nva);
}

static bool
utimes_valid(const struct timespec *ts)
{
	if (ts->tv_nsec == UTIME_NOW || ts->tv_nsec == UTIME_OMIT)
		return true;
	return ts->tv_nsec >= 0 && ts->tv_nsec <= 999999999L;
}

int
sys_utimensat(struct lwp *l, int dirfd, const char *path, const void *utimes,
    int flags, register_t *retval)
{
	struct timespec ts[2];
	struct file *fp;
	struct vnode *vp;
	int error;

	(void)l;
	*retval = 0;
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return EINVAL;
	if (utimes != NULL) {
		if ((error = copyin(utimes, ts, sizeof(ts))) != 0)
			return error;
		if (!utimes_valid(&ts[0]) || !utimes_valid(&ts[1]))
			return EINVAL;
		/* Nothing to do: Linux does not even look at the path. */
		if (ts[0].tv_nsec == UTIME_OMIT && ts[1].tv_nsec == UTIME_OMIT)
			return 0;
	} else {
		ts[0].tv_sec = ts[1].tv_sec = 0;
		ts[0].tv_nsec = ts[1].tv_nsec = UTIME_NOW;
	}
	if (path != NULL)
		return vfs_path_apply(dirfd, path, flags, utimes_vnode, ts);
	/* futimens(): the descriptor itself. */
	if (dirfd == AT_FDCWD)
		return EFAULT;
	if (flags != 0)
		return EINVAL;
	if ((error = fd_getvnode(dirfd, false, &fp, &vp)) != 0)
		return error;
	if (vp != NULL) {
		vfs_lock();
		error = utimes_vnode(vp, ts);
		vfs_unlock();
	}
	file_rele(fp);
	return error;
}

/* --- truncate, fallocate ---------------------------------------------------------------- */

static int
truncate_vnode(struct vnode *vp, void *arg)
{
	int64_t len = *(int64_t *)arg;
	int error;

	if (vp->v_type == VDIR)
		return EISDIR;
	if (vp->v_type != VREG)
		return EINVAL;
	if (vn_rdonly(vp))
		return EROFS;
	if ((error = vn_access(vp, W_OK, kauth_cred_get())) != 0)
		return error;
	if (len > VFS_MAXFILESIZE)
		return EFBIG;
	return vn_truncate(vp, len, false);
}

int
sys_truncate(struct lwp *l, const char *path, off_t length,
    register_t *retval)
{
	int64_t len = length;

	(void)l;
	*retval = 0;
	if (len < 0)
		return EINVAL;
	return vfs_path_apply(AT_FDCWD, path, 0, truncate_vnode, &len);
}

int
sys_ftruncate(struct lwp *l, int fd, off_t length, register_t *retval)
{
	struct file *fp;
	struct vnode *vp;
	int error;

	(void)l;
	*retval = 0;
	if (length < 0)
		return EINVAL;
	if ((error = fd_getvnode(fd, false, &fp, &vp)) != 0)
		return error;
	if (vp == NULL || vp->v_type != VREG || !FWRITE(fp))
		error = EINVAL;
	else if (length > VFS_MAXFILESIZE)
		error = EFBIG;
	else {
		vfs_lock();
		error = vn_truncate(vp, length, true);
		vfs_unlock();
	}
	file_rele(fp);
	return error;
}

int
sys_fallocate(struct lwp *l, int fd, int mode, off_t offset, off_t len,
    register_t *retval)
{
	struct file *fp;
	struct vnode *vp;
	int64_t end;
	int error;

	(void)l;
	*retval = 0;
	if ((error = fd_getvnode(fd, false, &fp, &vp)) != 0)
		return error;
	if (offset < 0 || len <= 0)
		error = EINVAL;
	else if (mode & ~FALLOC_FL_SUPPORTED)
		error = EOPNOTSUPP;
	else if ((mode & (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE)) ==
	    (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE))
		error = EOPNOTSUPP;
	else if ((mode & FALLOC_FL_PUNCH_HOLE) &&
	    !(mode & FALLOC_FL_KEEP_SIZE))
		error = EOPNOTSUPP;
	else if (!FWRITE(fp))
		error = EBADF;
	else if (vp == NULL)
		error = fp->f_type == DTYPE_PIPE ? ESPIPE : ENODEV;
	else if (vp->v_type == VFIFO)
		error = ESPIPE;
	else if (vp->v_type == VDIR)
		error = EISDIR;
	else if (vp->v_type != VREG)
		error = ENODEV;
	else if (__builtin_add_overflow(offset, len, &end) ||
	    end > VFS_MAXFILESIZE)
		error = EFBIG;
	else if (vp->v_op->vop_fallocate == NULL)
		error = EOPNOTSUPP;
	else {
		vfs_lock();
		error = vp->v_op->vop_fallocate(vp, mode, offset, len);
		vfs_unlock();
	}
	file_rele(fp);
	return error;
}

/* --- fsync ----------------------------------------------------------------------------- */

static int
vfs_fsync(int fd, bool dataonly)
{
	const struct devsw *sw;
	struct file *fp;
	struct vnode *vp;
	int error;

	if ((error = fd_getvnode(fd, false, &fp, &vp)) != 0)
		return error;
	if (vp == NULL || vp->v_type == VFIFO || vp->v_type == VSOCK) {
		error = EINVAL;
	} else if (vp->v_type == VCHR || vp->v_type == VBLK) {
		sw = devsw_lookup(vp->v_type == VBLK, vp->v_rdev);
		error = sw != NULL && sw->d_fsync != NULL ?
		    sw->d_fsync(vp->v_rdev) : 0;
	} else if (vp->v_op->vop_fsync != NULL) {
		vfs_lock();
		error = vp->v_op->vop_fsync(vp, dataonly);
		vfs_unlock();
	}
	file_rele(fp);
	return error;
}

int
sys_fsync(struct lwp *l, int fd, register_t *retval)
{
	(void)l;
	*retval = 0;
	return vfs_fsync(fd, false);
}

int
sys_fdatasync(struct lwp *l, int fd, register_t *retval)
{
	(void)l;
	*retval = 0;
	return vfs_fsync(fd, true);
}
