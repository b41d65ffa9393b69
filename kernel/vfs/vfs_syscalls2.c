/*
 * vfs_syscalls2.c: the system calls that change the name space: mkdir,
 * mkdirat, mknod, mknodat, unlink, unlinkat, rmdir, rename, renameat,
 * renameat2, link, linkat, symlink, symlinkat; and the helpers through
 * which kernel code (dev, etfs, procfs) creates, removes and looks up
 * nodes (vnode.h).
 *
 * Each check comes in Linux's order, so that a call failing for two
 * reasons reports the errno Linux reports.  The core functions take a
 * kernel path and a cred; a NULL cred is the kernel itself (no
 * permission checks, no umask, root owns what it creates).
 *
 * Locking: the core functions run with vfs_giant held.
 */
#include "vfs_private.h"

#include "syscallargs.h"

static mode_t
vfs_umask(const struct kauth_cred *cred)
{
	return cred == NULL ? 0 : curproc->p_umask;
}

static int
vfs_parent(int dirfd, const char *path, int nflags, struct nameidata *nd)
{
	nd->ni_dirfd = dirfd;
	nd->ni_path = path;
	nd->ni_flags = nflags | NAMEI_PARENT;
	return namei(nd);
}

/* A name to create: EEXIST if taken, ENOENT for "name/" (not mkdir). */
static int
vfs_newname(const struct nameidata *nd, bool isdir)
{
	if (nd->ni_vp != NULL || nd->ni_namelen == 0)
		return EEXIST;
	if (nd->ni_trailslash && !isdir)
		return ENOENT;
	return 0;
}

/* --- mkdir, mknod, symlink ------------------------------------------------------- */

static int
vfs_mkdir(int dirfd, const char *path, mode_t mode, int nflags,
    const struct kauth_cred *cred)
{
	struct nameidata nd;
	struct vnode *dvp, *vp;
	struct vattr va;
	int error;

	if ((error = vfs_parent(dirfd, path, nflags, &nd)) != 0)
		return error;
	dvp = nd.ni_dvp;
	if ((error = vfs_newname(&nd, true)) == 0 &&
	    (error = vn_create_check(dvp, cred)) == 0 &&
	    (error = vn_newattr(dvp, VDIR, mode & 01777 & ~vfs_umask(cred),
	    cred, &va)) == 0) {
		error = dvp->v_op->vop_mkdir == NULL ? EPERM :
		    dvp->v_op->vop_mkdir(dvp, nd.ni_name, nd.ni_namelen, &va,
		    &vp);
		if (error == 0)
			vrele(vp);
	}
	namei_done(&nd);
	return error;
}

static int
vfs_mknod_vp(int dirfd, const char *path, mode_t mode, dev_t dev, int nflags,
    const struct kauth_cred *cred, struct vnode **vpp)
{
	struct nameidata nd;
	struct vnode *dvp, *vp;
	struct vattr va;
	enum vtype type;
	int error;

	switch (mode & S_IFMT) {
	case 0:
	case S_IFREG:
		type = VREG;
		break;
	case S_IFCHR:
		type = VCHR;
		break;
	case S_IFBLK:
		type = VBLK;
		break;
	case S_IFIFO:
		type = VFIFO;
		break;
	case S_IFSOCK:
		type = VSOCK;
		break;
	case S_IFDIR:
		return EPERM;
	default:
		return EINVAL;
	}
	if ((error = vfs_parent(dirfd, path, nflags, &nd)) != 0)
		return error;
	dvp = nd.ni_dvp;
	if ((error = vfs_newname(&nd, false)) == 0 &&
	    (error = vn_create_check(dvp, cred)) == 0) {
		/* CAP_MKNOD, after the directory's permissions (Linux). */
		if ((type == VCHR || type == VBLK) && cred != NULL &&
		    !cred_is_root(cred))
			error = EPERM;
		else
			error = vn_newattr(dvp, type, mode & ~vfs_umask(cred),
			    cred, &va);
	}
	if (error == 0) {
		if (type == VCHR || type == VBLK)
			va.va_rdev = MAKEDEV(MAJOR(dev), MINOR(dev));
		error = dvp->v_op->vop_create == NULL ? EPERM :
		    dvp->v_op->vop_create(dvp, nd.ni_name, nd.ni_namelen, &va,
		    &vp);
		if (error == 0) {
			if (type == VCHR || type == VBLK)
				vp->v_rdev = va.va_rdev;
			if (vpp != NULL)
				*vpp = vp;
			else
				vrele(vp);
		}
	}
	namei_done(&nd);
	return error;
}

static int
vfs_mknod(int dirfd, const char *path, mode_t mode, dev_t dev, int nflags,
    const struct kauth_cred *cred)
{
	return vfs_mknod_vp(dirfd, path, mode, dev, nflags, cred, NULL);
}

static int
vfs_symlink(const char *target, int dirfd, const char *path,
    const struct kauth_cred *cred)
{
	struct nameidata nd;
	struct vnode *dvp, *vp;
	struct vattr va;
	int error;

	if ((error = vfs_parent(dirfd, path, 0, &nd)) != 0)
		return error;
	dvp = nd.ni_dvp;
	if ((error = vfs_newname(&nd, false)) == 0 &&
	    (error = vn_create_check(dvp, cred)) == 0 &&
	    (error = vn_newattr(dvp, VLNK, 0777, cred, &va)) == 0) {
		error = dvp->v_op->vop_symlink == NULL ? EPERM :
		    dvp->v_op->vop_symlink(dvp, nd.ni_name, nd.ni_namelen, &va,
		    target, &vp);
		if (error == 0)
			vrele(vp);
	}
	namei_done(&nd);
	return error;
}

int
sys_mkdirat(struct lwp *l, int dirfd, const char *upath, mode_t mode,
    register_t *retval)
{
	struct pathbuf pb;
	int error;

	*retval = 0;
	if ((error = pathbuf_copyin(upath, &pb)) != 0)
		return error;
	vfs_lock();
	error = vfs_mkdir(dirfd, pb.pb_path, mode, 0, l->l_cred);
	vfs_unlock();
	pathbuf_free(&pb);
	return error;
}

int
sys_mkdir(struct lwp *l, const char *path, mode_t mode, register_t *retval)
{
	return sys_mkdirat(l, AT_FDCWD, path, mode, retval);
}

int
sys_mknodat(struct lwp *l, int dirfd, const char *upath, mode_t mode,
    dev_t dev, register_t *retval)
{
	struct pathbuf pb;
	int error;

	*retval = 0;
	if ((error = pathbuf_copyin(upath, &pb)) != 0)
		return error;
	vfs_lock();
	error = vfs_mknod(dirfd, pb.pb_path, mode, dev, 0, l->l_cred);
	vfs_unlock();
	pathbuf_free(&pb);
	return error;
}

int
sys_mknod(struct lwp *l, const char *path, mode_t mode, dev_t dev,
    register_t *retval)
{
	return sys_mknodat(l, AT_FDCWD, path, mode, dev, retval);
}

int
sys_symlinkat(struct lwp *l, const char *utarget, int dirfd,
    const char *upath, register_t *retval)
{
	struct pathbuf target, pb;
	int error;

	*retval = 0;
	if ((error = pathbuf_copyin(utarget, &target)) != 0)
		return error;
	if (target.pb_path[0] == '\0') {
		pathbuf_free(&target);
		return ENOENT;
	}
	if ((error = pathbuf_copyin(upath, &pb)) != 0) {
		pathbuf_free(&target);
		return error;
	}
	vfs_lock();
	error = vfs_symlink(target.pb_path, dirfd, pb.pb_path, l->l_cred);
	vfs_unlock();
	pathbuf_free(&pb);
	pathbuf_free(&target);
	return error;
}

int
sys_symlink(struct lwp *l, const char *target, const char *path,
    register_t *retval)
{
	return sys_symlinkat(l, target, AT_FDCWD, path, retval);
}

/* --- unlink, rmdir ------------------------------------------------------------------ */

static int
vfs_unlink(int dirfd, const char *path, int nflags,
    const struct kauth_cred *cred)
{
	struct nameidata nd;
	struct vnode *dvp, *vp;
	int error;

	if ((error = vfs_parent(dirfd, path, nflags, &nd)) != 0)
		return error;
	dvp = nd.ni_dvp;
	vp = nd.ni_vp;
	if (nd.ni_namelen == 0 || vn_isdot(nd.ni_name, nd.ni_namelen) ||
	    vn_isdotdot(nd.ni_name, nd.ni_namelen))
		error = EISDIR;
	else if (vn_rdonly(dvp))
		error = EROFS;
	else if (vp == NULL)
		error = ENOENT;
	else if (nd.ni_trailslash)
		error = vp->v_type == VDIR ? EISDIR : ENOTDIR;
	else if ((error = vn_delete_check(dvp, vp, 0, cred)) == 0)
		error = dvp->v_op->vop_remove == NULL ? EPERM :
		    dvp->v_op->vop_remove(dvp, nd.ni_name, nd.ni_namelen, vp);
	namei_done(&nd);
	return error;
}

static int
vfs_rmdir(int dirfd, const char *path, const struct kauth_cred *cred)
{
	struct nameidata nd;
	struct vnode *dvp, *vp;
	int error;

	if ((error = vfs_parent(dirfd, path, 0, &nd)) != 0)
		return error;
	dvp = nd.ni_dvp;
	vp = nd.ni_vp;
	if (nd.ni_namelen == 0)
		error = EBUSY;
	else if (vn_isdot(nd.ni_name, nd.ni_namelen))
		error = EINVAL;
	else if (vn_isdotdot(nd.ni_name, nd.ni_namelen))
		error = ENOTEMPTY;
	else if (vn_rdonly(dvp))
		error = EROFS;
	else if (vp == NULL)
		error = ENOENT;
	else if ((error = vn_delete_check(dvp, vp, 1, cred)) == 0)
		error = dvp->v_op->vop_rmdir == NULL ? EPERM :
		    dvp->v_op->vop_rmdir(dvp, nd.ni_name, nd.ni_namelen, vp);
	namei_done(&nd);
	return error;
}

int
sys_unlinkat(struct lwp *l, int dirfd, const char *upath, int flags,
    register_t *retval)
{
	struct pathbuf pb;
	int error;

	*retval = 0;
	if (flags & ~AT_REMOVEDIR)
		return EINVAL;
	if ((error = pathbuf_copyin(upath, &pb)) != 0)
		return error;
	vfs_lock();
	if (flags & AT_REMOVEDIR)
		error = vfs_rmdir(dirfd, pb.pb_path, l->l_cred);
	else
		error = vfs_unlink(dirfd, pb.pb_path, 0, l->l_cred);
	vfs_unlock();
	pathbuf_free(&pb);
	return error;
}

int
sys_unlink(struct lwp *l, const char *path, register_t *retval)
{
	return sys_unlinkat(l, AT_FDCWD, path, 0, retval);
}

int
sys_rmdir(struct lwp *l, const char *path, register_t *retval)
{
	return sys_unlinkat(l, AT_FDCWD, path, AT_REMOVEDIR, retval);
}

/* --- rename --------------------------------------------------------------------------- */

/*
 * Is anc vp itself or above it (walking ".." inside one mount)?  A walk
 * longer than any path could be is a cycle of ".." entries (a damaged
 * disk image): answered as "above", so the rename is refused.
 */
#define VN_ANCESTOR_MAXSTEPS	(PATH_MAX / 2)
static bool
vn_isancestor(struct vnode *anc, struct vnode *vp)
{
	struct vnode *cur, *parent;
	bool found = false;
	int steps = 0;

	cur = vp;
	vref(cur);
	for (;;) {
		if (cur == anc || ++steps > VN_ANCESTOR_MAXSTEPS) {
			found = true;
			break;
		}
		if (vn_ismountroot(cur) || cur == rootvnode ||
		    vn_lookup(cur, "..", 2, &parent) != 0)
			break;
		if (parent == cur) {
			vrele(parent);
			break;
		}
		vrele(cur);
		cur = parent;
	}
	vrele(cur);
	return found;
}

static int
vfs_rename(int fdirfd, const char *from, int tdirfd, const char *to,
    unsigned int flags, const struct kauth_cred *cred)
{
	struct nameidata fnd, tnd;
	struct vnode *fdvp, *fvp, *tdvp, *tvp;
	bool fisdir, tisdir;
	int error;

	if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT))
		return EINVAL;
	if ((flags & RENAME_EXCHANGE) &&
	    (flags & (RENAME_NOREPLACE | RENAME_WHITEOUT)))
		return EINVAL;
	/* Whiteouts are for overlay file systems, which we do not have. */
	if (flags & RENAME_WHITEOUT)
		return EINVAL;
	if ((error = vfs_parent(fdirfd, from, 0, &fnd)) != 0)
		return error;
	if ((error = vfs_parent(tdirfd, to, 0, &tnd)) != 0) {
		namei_done(&fnd);
		return error;
	}
	fdvp = fnd.ni_dvp;
	fvp = fnd.ni_vp;
	tdvp = tnd.ni_dvp;
	tvp = tnd.ni_vp;

	if (fdvp->v_mount != tdvp->v_mount) {
		error = EXDEV;
		goto out;
	}
	if (fnd.ni_namelen == 0 || vn_isdot(fnd.ni_name, fnd.ni_namelen) ||
	    vn_isdotdot(fnd.ni_name, fnd.ni_namelen)) {
		error = EBUSY;
		goto out;
	}
	if (tnd.ni_namelen == 0 || vn_isdot(tnd.ni_name, tnd.ni_namelen) ||
	    vn_isdotdot(tnd.ni_name, tnd.ni_namelen)) {
		error = (flags & RENAME_NOREPLACE) ? EEXIST : EBUSY;
		goto out;
	}
	if (vn_rdonly(fdvp)) {
		error = EROFS;
		goto out;
	}
	if (fvp == NULL) {
		error = ENOENT;
		goto out;
	}
	if ((flags & RENAME_NOREPLACE) && tvp != NULL) {
		error = EEXIST;
		goto out;
	}
	if ((flags & RENAME_EXCHANGE) && tvp == NULL) {
		error = ENOENT;
		goto out;
	}
	fisdir = fvp->v_type == VDIR;
	tisdir = tvp != NULL && tvp->v_type == VDIR;
	/* "name/" must be a directory, on either side. */
	if ((!fisdir && fnd.ni_trailslash) ||
	    (!fisdir && !(flags & RENAME_EXCHANGE) && tnd.ni_trailslash) ||
	    ((flags & RENAME_EXCHANGE) && !tisdir && tnd.ni_trailslash)) {
		error = ENOTDIR;
		goto out;
	}
	/* No directory into its own subtree, no target above the source. */
	if (fisdir && fdvp != tdvp && vn_isancestor(fvp, tdvp)) {
		error = EINVAL;
		goto out;
	}
	if (tisdir && fdvp != tdvp && vn_isancestor(tvp, fdvp)) {
		error = (flags & RENAME_EXCHANGE) ? EINVAL : ENOTEMPTY;
		goto out;
	}
	/* Two names of one file: Linux does nothing and succeeds. */
	if (fvp == tvp)
		goto out;
	if ((error = vn_delete_check(fdvp, fvp, -1, cred)) != 0)
		goto out;
	if (tvp == NULL)
		error = vn_create_check(tdvp, cred);
	else if (flags & RENAME_EXCHANGE)
		error = vn_delete_check(tdvp, tvp, -1, cred);
	else
		error = vn_delete_check(tdvp, tvp, fisdir ? 1 : 0, cred);
	if (error != 0)
		goto out;
	/* A directory moving to a new parent rewrites its "..". */
	if (fdvp != tdvp && cred != NULL) {
		if (fisdir && (error = vn_access(fvp, W_OK, cred)) != 0)
			goto out;
		if ((flags & RENAME_EXCHANGE) && tisdir &&
		    (error = vn_access(tvp, W_OK, cred)) != 0)
			goto out;
	}
	if (fdvp->v_op->vop_rename == NULL) {
		error = EPERM;
		goto out;
	}
	error = fdvp->v_op->vop_rename(fdvp, fnd.ni_name, fnd.ni_namelen, fvp,
	    tdvp, tnd.ni_name, tnd.ni_namelen, tvp, flags & RENAME_EXCHANGE);
	if (error == 0) {
		ncache_enter(tdvp, tnd.ni_name, tnd.ni_namelen, fvp);
		if (flags & RENAME_EXCHANGE)
			ncache_enter(fdvp, fnd.ni_name, fnd.ni_namelen, tvp);
	}
out:
	namei_done(&tnd);
	namei_done(&fnd);
	return error;
}

int
sys_renameat2(struct lwp *l, int olddirfd, const char *uold, int newdirfd,
    const char *unew, unsigned int flags, register_t *retval)
{
	struct pathbuf from, to;
	int error;

	*retval = 0;
	if ((error = pathbuf_copyin(uold, &from)) != 0)
		return error;
	if ((error = pathbuf_copyin(unew, &to)) != 0) {
		pathbuf_free(&from);
		return error;
	}
	vfs_lock();
	error = vfs_rename(olddirfd, from.pb_path, newdirfd, to.pb_path, flags,
	    l->l_cred);
	vfs_unlock();
	pathbuf_free(&to);
	pathbuf_free(&from);
	return error;
}

int
sys_renameat(struct lwp *l, int olddirfd, const char *oldpath, int newdirfd,
    const char *newpath, register_t *retval)
{
	return sys_renameat2(l, olddirfd, oldpath, newdirfd, newpath, 0,
	    retval);
}

int
sys_rename(struct lwp *l, const char *oldpath, const char *newpath,
    register_t *retval)
{
	return sys_renameat2(l, AT_FDCWD, oldpath, AT_FDCWD, newpath, 0,
	    retval);
}

/* --- link -------------------------------------------------------------------------------- */

/*
 * Links fvp as path.  tmpfile: fvp is an O_TMPFILE file that may get its
 * first name (otherwise an unlinked file cannot come back: ENOENT).
 */
static int
vfs_link(struct vnode *fvp, bool tmpfile, int dirfd, const char *path,
    const struct kauth_cred *cred)
{
	struct nameidata nd;
	struct vnode *tdvp;
	struct vattr va;
	int error;

	if ((error = vfs_parent(dirfd, path, 0, &nd)) != 0)
		return error;
	tdvp = nd.ni_dvp;
	if ((error = vfs_newname(&nd, false)) != 0)
		goto out;
	if (fvp->v_mount != tdvp->v_mount) {
		error = EXDEV;
		goto out;
	}
	if ((error = vn_create_check(tdvp, cred)) != 0)
		goto out;
	if (fvp->v_type == VDIR) {
		error = EPERM;
		goto out;
	}
	if ((error = vn_getattr(fvp, &va)) != 0)
		goto out;
	if (va.va_nlink == 0 && !tmpfile) {
		error = ENOENT;
		goto out;
	}
	error = tdvp->v_op->vop_link == NULL ? EPERM :
	    tdvp->v_op->vop_link(tdvp, nd.ni_name, nd.ni_namelen, fvp);
	if (error == 0)
		ncache_enter(tdvp, nd.ni_name, nd.ni_namelen, fvp);
out:
	namei_done(&nd);
	return error;
}

int
sys_linkat(struct lwp *l, int olddirfd, const char *uold, int newdirfd,
    const char *unew, int flags, register_t *retval)
{
	struct pathbuf from, to;
	struct nameidata nd;
	struct file *fp = NULL;
	bool tmpfile = false;
	int error;

	*retval = 0;
	if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return EINVAL;
	if ((error = pathbuf_copyin(uold, &from)) != 0)
		return error;
	if ((error = pathbuf_copyin(unew, &to)) != 0) {
		pathbuf_free(&from);
		return error;
	}
	if (from.pb_path[0] == '\0' && (flags & AT_EMPTY_PATH)) {
		/* Naming a file by descriptor takes CAP_DAC_READ_SEARCH. */
		if (!cred_is_root(l->l_cred))
			error = ENOENT;
		else if ((error = fd_getfile(olddirfd, &fp)) == 0 &&
		    fp->f_vnode == NULL)
			error = ENOENT;
		if (error == 0) {
			tmpfile = (file_flags(fp) & __O_TMPFILE) != 0;
			vfs_lock();
			error = vfs_link(fp->f_vnode, tmpfile, newdirfd,
			    to.pb_path, l->l_cred);
			vfs_unlock();
		}
		if (fp != NULL)
			file_rele(fp);
	} else {
		vfs_lock();
		nd.ni_dirfd = olddirfd;
		nd.ni_path = from.pb_path;
		nd.ni_flags = (flags & AT_SYMLINK_FOLLOW) ? NAMEI_FOLLOW : 0;
		if ((error = namei(&nd)) == 0) {
			error = vfs_link(nd.ni_vp, false, newdirfd, to.pb_path,
			    l->l_cred);
			namei_done(&nd);
		}
		vfs_unlock();
	}
	pathbuf_free(&to);
	pathbuf_free(&from);
	return error;
}

int
sys_link(struct lwp *l, const char *oldpath, const char *newpath,
    register_t *retval)
{
	return sys_linkat(l, AT_FDCWD, oldpath, AT_FDCWD, newpath, 0, retval);
}

/* --- for kernel code ---------------------------------------------------------------------- */

int
vfs_mkdir_kernel(const char *path, mode_t mode)
{
	int error;

	vfs_lock();
	error = vfs_mkdir(AT_FDCWD, path, mode, NAMEI_KERNEL, NULL);
	vfs_unlock();
	return error;
}

int
vfs_mknod_kernel(const char *path, mode_t mode, dev_t dev)
{
	int error;

	vfs_lock();
	error = vfs_mknod(AT_FDCWD, path, mode, dev, NAMEI_KERNEL, NULL);
	vfs_unlock();
	return error;
}

int
vfs_unlink_kernel(const char *path)
{
	int error;

	vfs_lock();
	error = vfs_unlink(AT_FDCWD, path, NAMEI_KERNEL, NULL);
	vfs_unlock();
	return error;
}

int
vfs_lookup_kernel(const char *path, struct vnode **vpp)
{
	struct nameidata nd;
	int error;

	vfs_lock();
	nd.ni_dirfd = AT_FDCWD;
	nd.ni_path = path;
	nd.ni_flags = NAMEI_KERNEL | NAMEI_FOLLOW;
	if ((error = namei(&nd)) == 0) {
		*vpp = nd.ni_vp;
		nd.ni_vp = NULL;
		namei_done(&nd);
	}
	vfs_unlock();
	return error;
}

/* --- for AF_UNIX path names (net/unix) ------------------------------------ */

int
vfs_socket_create(const char *path, mode_t mode, const struct kauth_cred *cred,
    struct vnode **vpp)
{
	int error;

	vfs_lock();
	error = vfs_mknod_vp(AT_FDCWD, path, S_IFSOCK | (mode & 07777), 0, 0,
	    cred, vpp);
	vfs_unlock();
	return error;
}

int
vfs_socket_lookup(const char *path, const struct kauth_cred *cred,
    struct vnode **vpp)
{
	struct nameidata nd;
	int error;

	vfs_lock();
	nd.ni_dirfd = AT_FDCWD;
	nd.ni_path = path;
	nd.ni_flags = NAMEI_FOLLOW;
	if ((error = namei(&nd)) == 0) {
		if (nd.ni_vp->v_type != VSOCK)
			error = ECONNREFUSED;
		else
			error = vn_access(nd.ni_vp, W_OK, cred);
		if (error == 0) {
			*vpp = nd.ni_vp;
			nd.ni_vp = NULL;
		}
		namei_done(&nd);
	}
	vfs_unlock();
	return error;
}

void
vfs_vrele_unlocked(struct vnode *vp)
{
	vfs_lock();
	vrele(vp);
	vfs_unlock();
}
