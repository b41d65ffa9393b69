/*
 * vfs_syscalls.c: the system calls that open, inspect and read names:
 * open, openat, openat2, creat, stat, lstat, fstat, newfstatat, statx,
 * access, faccessat, faccessat2, readlink, readlinkat, getdents64, fcntl
 * and flock.
 *
 * Every handler has the same shape: copy the path in (pathbuf), take
 * vfs_giant, namei, act, release, drop vfs_giant, copy out.  Descriptors
 * are looked up before vfs_giant is taken and released after it is
 * dropped.  stat and open are the hot paths: no allocation for short
 * paths, no attribute fetch a root caller does not need.
 */
#include "vfs_private.h"

#include "syscallargs.h"

#define VALID_OPEN_FLAGS (O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | \
	O_APPEND | O_NONBLOCK | __O_SYNC | O_DSYNC | O_ASYNC | O_DIRECT | \
	O_LARGEFILE | O_DIRECTORY | O_NOFOLLOW | O_NOATIME | O_CLOEXEC | \
	O_PATH | __O_TMPFILE)
#define O_PATH_FLAGS	(O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
#define OPEN_HOW_SIZE0	24
#define RESOLVE_ALL	(RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS | \
	RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH | RESOLVE_IN_ROOT | RESOLVE_CACHED)

/* --- open ----------------------------------------------------------------------- */

static int
vfs_open_fd(int dirfd, const char *upath, int flags, mode_t mode, int nflags,
    register_t *retval)
{
	struct pathbuf pb;
	struct file *fp;
	int error, fd;

	if ((error = pathbuf_copyin(upath, &pb)) != 0)
		return error;
	error = vn_open(dirfd, pb.pb_path, flags, mode, nflags, &fp);
	pathbuf_free(&pb);
	if (error != 0)
		return error;
	error = fd_install_lowest(fp, 0, (flags & O_CLOEXEC) != 0, &fd);
	file_rele(fp);
	if (error == 0)
		*retval = fd;
	return error;
}

/* The flag rules open(2) and openat2(2) share. */
static int
vfs_open_flags(int flags)
{
	if (flags & __O_TMPFILE) {
		if ((flags & (O_TMPFILE | O_CREAT)) != O_TMPFILE)
			return EINVAL;
		if ((flags & O_ACCMODE) == O_RDONLY)
			return EINVAL;
	} else if ((flags & (O_CREAT | O_DIRECTORY)) ==
	    (O_CREAT | O_DIRECTORY)) {
		return EINVAL;
	}
	return 0;
}

int
sys_openat(struct lwp *l, int dirfd, const char *path, int flags,
    mode_t mode, register_t *retval)
{
	int error;

	(void)l;
	/* open(2) ignores what it does not know, and most flags of O_PATH. */
	flags &= VALID_OPEN_FLAGS;
	if (flags & O_PATH)
		flags &= O_PATH_FLAGS;
	if ((error = vfs_open_flags(flags)) != 0)
		return error;
	if (!(flags & (O_CREAT | __O_TMPFILE)))
		mode = 0;
	return vfs_open_fd(dirfd, path, flags, mode & 07777, 0, retval);
}

int
sys_open(struct lwp *l, const char *path, int flags, mode_t mode,
    register_t *retval)
{
	return sys_openat(l, AT_FDCWD, path, flags, mode, retval);
}

int
sys_creat(struct lwp *l, const char *path, mode_t mode, register_t *retval)
{
	return sys_openat(l, AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC,
	    mode, retval);
}

int
sys_openat2(struct lwp *l, int dirfd, const char *path, void *uhow,
    size_t size, register_t *retval)
{
	struct open_how how;
	uint64_t tail[8];
	size_t off, n, i;
	int error, flags, nflags = 0;

	(void)l;
	if (size < OPEN_HOW_SIZE0)
		return EINVAL;
	if (size > 4096)
		return E2BIG;
	if ((error = copyin(uhow, &how, sizeof(how))) != 0)
		return error;
	/* A larger struct from a newer client: its extra fields must be 0. */
	for (off = sizeof(how); off < size; off += n) {
		n = MIN(size - off, sizeof(tail));
		if ((error = copyin((const char *)uhow + off, tail, n)) != 0)
			return error;
		for (i = 0; i < n; i++)
			if (((const char *)tail)[i] != 0)
				return E2BIG;
	}
	if (how.flags & ~(uint64_t)VALID_OPEN_FLAGS)
		return EINVAL;
	if (how.resolve & ~(uint64_t)RESOLVE_ALL)
		return EINVAL;
	if ((how.resolve & RESOLVE_BENEATH) && (how.resolve & RESOLVE_IN_ROOT))
		return EINVAL;
	flags = (int)how.flags;
	if (flags & (O_CREAT | __O_TMPFILE)) {
		if (how.mode & ~(uint64_t)07777)
			return EINVAL;
	} else if (how.mode != 0)
		return EINVAL;
	if ((flags & O_PATH) && (flags & ~O_PATH_FLAGS))
		return EINVAL;
	if ((error = vfs_open_flags(flags)) != 0)
		return error;
	/* Everything is "cached" here, but these would write. */
	if ((how.resolve & RESOLVE_CACHED) &&
	    (flags & (O_TRUNC | O_CREAT | __O_TMPFILE)))
		return EAGAIN;
	if (how.resolve & RESOLVE_NO_XDEV)
		nflags |= NAMEI_NOXDEV;
	if (how.resolve & RESOLVE_NO_SYMLINKS)
		nflags |= NAMEI_NOSYMLINKS;
	if (how.resolve & RESOLVE_BENEATH)
		nflags |= NAMEI_BENEATH;
	if (how.resolve & RESOLVE_IN_ROOT)
		nflags |= NAMEI_INROOT;
	return vfs_open_fd(dirfd, path, flags, (mode_t)how.mode, nflags,
	    retval);
}

/* --- stat ----------------------------------------------------------------------- */

static void
stat_to_statx(const struct stat *st, struct statx *stx)
{
	memset(stx, 0, sizeof(*stx));
	stx->stx_mask = STATX_BASIC_STATS;
	stx->stx_blksize = (uint32_t)st->st_blksize;
	stx->stx_nlink = (uint32_t)st->st_nlink;
	stx->stx_uid = st->st_uid;
	stx->stx_gid = st->st_gid;
	stx->stx_mode = (uint16_t)st->st_mode;
	stx->stx_ino = st->st_ino;
	stx->stx_size = (uint64_t)st->st_size;
	stx->stx_blocks = (uint64_t)st->st_blocks;
	stx->stx_atime.tv_sec = (int64_t)st->st_atime_sec;
	stx->stx_atime.tv_nsec = (uint32_t)st->st_atime_nsec;
	stx->stx_mtime.tv_sec = (int64_t)st->st_mtime_sec;
	stx->stx_mtime.tv_nsec = (uint32_t)st->st_mtime_nsec;
	stx->stx_ctime.tv_sec = (int64_t)st->st_ctime_sec;
	stx->stx_ctime.tv_nsec = (uint32_t)st->st_ctime_nsec;
	stx->stx_rdev_major = MAJOR(st->st_rdev);
	stx->stx_rdev_minor = MINOR(st->st_rdev);
	stx->stx_dev_major = MAJOR(st->st_dev);
	stx->stx_dev_minor = MINOR(st->st_dev);
}

/*
 * The attributes behind (dirfd, path) into st or stx.  An empty path with
 * AT_EMPTY_PATH names dirfd itself, which may be a pipe or a socket.
 */
static int
vfs_statat(int dirfd, const char *upath, int atflags, struct stat *st,
    struct statx *stx)
{
	struct pathbuf pb;
	struct nameidata nd;
	struct vattr va;
	struct file *fp;
	struct vnode *vp;
	int error;

	if ((error = pathbuf_copyin(upath, &pb)) != 0)
		return error;
	if (pb.pb_path[0] == '\0' && (atflags & AT_EMPTY_PATH) &&
	    dirfd != AT_FDCWD) {
		pathbuf_free(&pb);
		if ((error = fd_getfile(dirfd, &fp)) != 0)
			return error;
		if ((vp = fp->f_vnode) == NULL) {
			error = fp->f_ops->fo_stat != NULL ?
			    fp->f_ops->fo_stat(fp, st) : EOPNOTSUPP;
			if (error == 0 && stx != NULL)
				stat_to_statx(st, stx);
		} else {
			vfs_lock();
			if ((error = vn_getattr(vp, &va)) == 0) {
				if (stx != NULL)
					vattr_to_statx(&va, vp, stx);
				else
					vattr_to_stat(&va, st);
			}
			vfs_unlock();
		}
		file_rele(fp);
		return error;
	}
	vfs_lock();
	nd.ni_dirfd = dirfd;
	nd.ni_path = pb.pb_path;
	nd.ni_flags = ((atflags & AT_SYMLINK_NOFOLLOW) ? 0 : NAMEI_FOLLOW) |
	    ((atflags & AT_EMPTY_PATH) ? NAMEI_EMPTYPATH : 0);
	if ((error = namei(&nd)) == 0) {
		vp = nd.ni_vp;
		if ((error = vn_getattr(vp, &va)) == 0) {
			if (stx != NULL)
				vattr_to_statx(&va, vp, stx);
			else
				vattr_to_stat(&va, st);
		}
		namei_done(&nd);
	}
	vfs_unlock();
	pathbuf_free(&pb);
	return error;
}

int
sys_newfstatat(struct lwp *l, int dirfd, const char *path, void *ust,
    int flags, register_t *retval)
{
	struct stat st;
	int error;

	(void)l;
	*retval = 0;
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT))
		return EINVAL;
	if ((error = vfs_statat(dirfd, path, flags, &st, NULL)) != 0)
		return error;
	return copyout(&st, ust, sizeof(st));
}

int
sys_stat(struct lwp *l, const char *path, void *ust, register_t *retval)
{
	return sys_newfstatat(l, AT_FDCWD, path, ust, 0, retval);
}

int
sys_lstat(struct lwp *l, const char *path, void *ust, register_t *retval)
{
	return sys_newfstatat(l, AT_FDCWD, path, ust, AT_SYMLINK_NOFOLLOW,
	    retval);
}

int
sys_fstat(struct lwp *l, int fd, void *ust, register_t *retval)
{
	struct stat st;
	struct file *fp;
	int error;

	(void)l;
	*retval = 0;
	if ((error = fd_getfile(fd, &fp)) != 0)
		return error;
	error = fp->f_ops->fo_stat != NULL ? fp->f_ops->fo_stat(fp, &st) :
	    EOPNOTSUPP;
	file_rele(fp);
	if (error == 0)
		error = copyout(&st, ust, sizeof(st));
	return error;
}

int
sys_statx(struct lwp *l, int dirfd, const char *path, int flags,
    unsigned int mask, void *ubuf, register_t *retval)
{
	struct statx stx;
	struct stat st;
	int error;

	(void)l;
	*retval = 0;
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT |
	    AT_STATX_SYNC_TYPE))
		return EINVAL;
	if ((flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE)
		return EINVAL;
	if (mask & STATX__RESERVED)
		return EINVAL;
	if ((error = vfs_statat(dirfd, path, flags, &st, &stx)) != 0)
		return error;
	return copyout(&stx, ubuf, sizeof(stx));
}

/* --- access ------------------------------------------------------------------------ */

static int
vfs_access(struct lwp *l, int dirfd, const char *upath, int mode, int flags)
{
	struct kauth_cred *cred = l->l_cred, *rcred = NULL;
	struct pathbuf pb;
	struct nameidata nd;
	struct vnode *vp;
	int error;

	if (mode & ~(R_OK | W_OK | X_OK))
		return EINVAL;
	if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return EINVAL;
	if ((error = pathbuf_copyin(upath, &pb)) != 0)
		return error;
	/* Without AT_EACCESS the real ids decide, for the lookup too. */
	if (!(flags & AT_EACCESS) && (cred->cr_uid != cred->cr_fsuid ||
	    cred->cr_gid != cred->cr_fsgid)) {
		rcred = cred_dup(cred);
		rcred->cr_fsuid = cred->cr_uid;
		rcred->cr_fsgid = cred->cr_gid;
		l->l_cred = rcred;
	}
	vfs_lock();
	nd.ni_dirfd = dirfd;
	nd.ni_path = pb.pb_path;
	nd.ni_flags = ((flags & AT_SYMLINK_NOFOLLOW) ? 0 : NAMEI_FOLLOW) |
	    ((flags & AT_EMPTY_PATH) ? NAMEI_EMPTYPATH : 0);
	if ((error = namei(&nd)) == 0) {
		vp = nd.ni_vp;
		if ((mode & W_OK) && vn_rdonly(vp) && (vp->v_type == VREG ||
		    vp->v_type == VDIR || vp->v_type == VLNK))
			error = EROFS;
		else
			error = vn_access(vp, mode, l->l_cred);
		namei_done(&nd);
	}
	vfs_unlock();
	if (rcred != NULL) {
		l->l_cred = cred;
		cred_free(rcred);
	}
	pathbuf_free(&pb);
	return error;
}

int
sys_access(struct lwp *l, const char *path, int mode, register_t *retval)
{
	*retval = 0;
	return vfs_access(l, AT_FDCWD, path, mode, 0);
}

int
sys_faccessat(struct lwp *l, int dirfd, const char *path, int mode,
    register_t *retval)
{
	*retval = 0;
	return vfs_access(l, dirfd, path, mode, 0);
}

int
sys_faccessat2(struct lwp *l, int dirfd, const char *path, int mode,
    int flags, register_t *retval)
{
	*retval = 0;
	return vfs_access(l, dirfd, path, mode, flags);
}

/* --- readlink ----------------------------------------------------------------------- */

int
sys_readlinkat(struct lwp *l, int dirfd, const char *upath, char *ubuf,
    size_t bufsiz, register_t *retval)
{
	struct pathbuf pb;
	struct nameidata nd;
	struct iovec iov;
	struct uio uio;
	struct vnode *vp;
	size_t len;
	char *kbuf;
	int error;

	(void)l;
	/* Linux takes an int: zero and negative sizes are EINVAL. */
	if (bufsiz == 0 || bufsiz > INT_MAX)
		return EINVAL;
	len = MIN(bufsiz, (size_t)PATH_MAX);
	if ((error = pathbuf_copyin(upath, &pb)) != 0)
		return error;
	if ((kbuf = kmem_alloc(len)) == NULL) {
		pathbuf_free(&pb);
		return ENOMEM;
	}
	vfs_lock();
	nd.ni_dirfd = dirfd;
	nd.ni_path = pb.pb_path;
	nd.ni_flags = NAMEI_EMPTYPATH;
	if ((error = namei(&nd)) == 0) {
		vp = nd.ni_vp;
		if (vp->v_type != VLNK || vp->v_op->vop_readlink == NULL) {
			/* An empty path naming a non-link: ENOENT (Linux). */
			error = pb.pb_path[0] == '\0' ? ENOENT : EINVAL;
		} else {
			iov.iov_base = kbuf;
			iov.iov_len = len;
			uio = (struct uio){ .uio_iov = &iov, .uio_iovcnt = 1,
			    .uio_offset = 0, .uio_resid = len,
			    .uio_rw = UIO_READ, .uio_kernel = true };
			error = vp->v_op->vop_readlink(vp, &uio);
			len -= uio.uio_resid;
		}
		namei_done(&nd);
	}
	vfs_unlock();
	pathbuf_free(&pb);
	if (error == 0 && (error = copyout(kbuf, ubuf, len)) == 0)
		*retval = (register_t)len;
	kmem_free(kbuf, MIN(bufsiz, (size_t)PATH_MAX));
	return error;
}

int
sys_readlink(struct lwp *l, const char *path, char *buf, size_t bufsiz,
    register_t *retval)
{
	return sys_readlinkat(l, AT_FDCWD, path, buf, bufsiz, retval);
}

/* --- directories ---------------------------------------------------------------------- */

#define GETDENTS_MAX	(64 * 1024)

int
sys_getdents64(struct lwp *l, int fd, void *udirp, size_t count,
    register_t *retval)
{
	struct file *fp;
	struct vnode *vp;
	struct iovec iov;
	struct uio uio;
	size_t n, done = 0;
	char *kbuf = NULL;
	int error;

	(void)l;
	if ((error = fd_getvnode(fd, false, &fp, &vp)) != 0)
		return error;
	if (vp == NULL || vp->v_type != VDIR) {
		error = ENOTDIR;
		goto out;
	}
	if (vp->v_op->vop_readdir == NULL) {
		error = ENOTDIR;
		goto out;
	}
	/* Fewer bytes than asked for is fine: the caller asks again. */
	n = MIN(count, (size_t)GETDENTS_MAX);
	if (n > 0 && (kbuf = kmem_alloc(n)) == NULL) {
		error = ENOMEM;
		goto out;
	}
	iov.iov_base = kbuf;
	iov.iov_len = n;
	mutex_enter(&fp->f_lock);
	uio = (struct uio){ .uio_iov = &iov, .uio_iovcnt = 1,
	    .uio_offset = fp->f_offset, .uio_resid = n, .uio_rw = UIO_READ,
	    .uio_kernel = true };
	vfs_lock();
	error = vp->v_op->vop_readdir(vp, &uio);
	vfs_unlock();
	if (error == 0) {
		fp->f_offset = uio.uio_offset;
		done = n - uio.uio_resid;
	}
	mutex_exit(&fp->f_lock);
	if (error == 0 && done > 0)
		error = copyout(kbuf, udirp, done);
	if (error == 0)
		*retval = (register_t)done;
out:
	if (kbuf != NULL)
		kmem_free(kbuf, n);
	file_rele(fp);
	return error;
}

/* --- fcntl and flock -------------------------------------------------------------------- */

#define F_SETSIG	10
#define F_GETSIG	11
#define F_GETLEASE	1025
#define CHANGEABLE_FLAGS (O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT | \
	O_NOATIME)

static int
fcntl_setfl(struct lwp *l, struct file *fp, int arg)
{
	struct vattr va;
	int error, fl;

	if (file_ispath(fp))
		return EBADF;
	if ((arg & O_NOATIME) && !(file_flags(fp) & O_NOATIME) &&
	    fp->f_vnode != NULL) {
		vfs_lock();
		error = vn_getattr(fp->f_vnode, &va);
		vfs_unlock();
		if (error != 0)
			return error;
		if (!vn_isowner(&va, l->l_cred))
			return EPERM;
	}
	mutex_enter(&fp->f_lock);
	fl = (fp->f_flag & ~CHANGEABLE_FLAGS) | (arg & CHANGEABLE_FLAGS);
	__atomic_store_n(&fp->f_flag, fl, __ATOMIC_RELAXED);
	mutex_exit(&fp->f_lock);
	return 0;
}

int
sys_fcntl(struct lwp *l, int fd, int cmd, long arg, register_t *retval)
{
	struct file *fp;
	bool cloexec;
	int error, newfd, sz;

	*retval = 0;
	if ((error = fd_getfile(fd, &fp)) != 0)
		return error;
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if (arg < 0 || arg >= fd_nofile()) {
			error = EINVAL;
			break;
		}
		error = fd_install_lowest(fp, (int)arg, cmd == F_DUPFD_CLOEXEC,
		    &newfd);
		if (error == 0)
			*retval = newfd;
		break;
	case F_GETFD:
		if ((error = fd_getcloexec(fd, &cloexec)) == 0)
			*retval = cloexec ? FD_CLOEXEC : 0;
		break;
	case F_SETFD:
		error = fd_setcloexec(fd, (arg & FD_CLOEXEC) != 0);
		break;
	case F_GETFL:
		*retval = file_flags(fp) & ~VFS_OPENONLY_FLAGS;
		break;
	case F_SETFL:
		error = fcntl_setfl(l, fp, (int)arg);
		break;
	case F_GETLK:
	case F_SETLK:
	case F_SETLKW:
	case F_OFD_GETLK:
	case F_OFD_SETLK:
	case F_OFD_SETLKW:
		error = file_ispath(fp) ? EBADF :
		    lf_fcntl(fp, cmd, (void *)(intptr_t)arg);
		break;
	case F_GETPIPE_SZ:
		if ((error = pipe_getsize(fp, &sz)) == 0)
			*retval = sz;
		break;
	case F_SETPIPE_SZ:
		if ((error = pipe_setsize(fp, (unsigned int)arg, &sz)) == 0)
			*retval = sz;
		break;
	case F_GETOWN:
	case F_GETSIG:
		/* No signals are delivered: nobody owns the file. */
		*retval = 0;
		break;
	case F_SETOWN:
	case F_SETSIG:
		error = file_ispath(fp) ? EBADF : 0;
		break;
	case F_GETLEASE:
		*retval = F_UNLCK;
		break;
	default:
		error = EINVAL;
		break;
	}
	file_rele(fp);
	return error;
}

int
sys_flock(struct lwp *l, int fd, int operation, register_t *retval)
{
	struct file *fp;
	struct vnode *vp;
	int error;

	(void)l;
	*retval = 0;
	/* As Linux: LOCK_MAND requests never worked there and now succeed
	 * without effect, before the descriptor is even looked at; a bad
	 * operation is EINVAL before a bad descriptor is EBADF. */
	if (operation & LOCK_MAND)
		return 0;
	if (!lf_flock_valid(operation))
		return EINVAL;
	if ((error = fd_getvnode(fd, false, &fp, &vp)) != 0)
		return error;
	error = lf_flock(fp, operation);
	file_rele(fp);
	return error;
}
