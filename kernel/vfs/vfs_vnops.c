/*
 * vfs_vnops.c: opening vnodes and the file operations of open vnodes.
 *
 * vn_open() applies open(2)'s rules (creation, O_EXCL, O_TRUNC,
 * O_DIRECTORY, O_NOFOLLOW, O_PATH, O_TMPFILE, access checks, EROFS,
 * EISDIR) and returns a file set up with one of three tables: vn_fileops
 * for regular files, directories and devices (dispatched to the device
 * switch), vn_pathops for O_PATH files (only fstat and the *at calls work
 * on them), and vn_fifoops for fifos, whose I/O is the pipe code's.
 *
 * Offsets: with FOF_UPDATE_OFFSET, f_lock is held across a regular-file
 * transfer (Linux's f_pos_lock), so concurrent reads of one description
 * see consistent offsets.  Lock order: f_lock, then vfs_giant.  Device
 * transfers run without vfs_giant (drivers may sleep) and take f_lock
 * only to read and store the offset.
 *
 * The last close releases what the open took: the device close, the
 * fifo's reader/writer count, the writer count, the file's OFD and flock
 * locks, the vnode.
 */
#include "vfs_private.h"

static int vn_read(struct file *, struct uio *, int);
static int vn_write(struct file *, struct uio *, int);
static int vn_ioctl(struct file *, unsigned long, void *);
static int vn_poll(struct file *, int);
static int vn_stat(struct file *, struct stat *);
static int vn_close(struct file *);
static int vn_seek(struct file *, int64_t, int, int64_t *);
static int vn_mapobj(struct file *, int, int *);

const struct fileops vn_fileops = {
	.fo_read = vn_read,
	.fo_write = vn_write,
	.fo_ioctl = vn_ioctl,
	.fo_poll = vn_poll,
	.fo_stat = vn_stat,
	.fo_close = vn_close,
	.fo_seek = vn_seek,
	.fo_mapobj = vn_mapobj,
};

static int
vn_badf_rw(struct file *fp, struct uio *uio, int fflags)
{
	(void)fp;
	(void)uio;
	(void)fflags;
	return EBADF;
}

static int
vn_badf_ioctl(struct file *fp, unsigned long cmd, void *data)
{
	(void)fp;
	(void)cmd;
	(void)data;
	return EBADF;
}

static int
vn_path_poll(struct file *fp, int events)
{
	(void)fp;
	(void)events;
	return POLLNVAL;
}

static int
vn_badf_seek(struct file *fp, int64_t off, int whence, int64_t *newoffp)
{
	(void)fp;
	(void)off;
	(void)whence;
	(void)newoffp;
	return EBADF;
}

static const struct fileops vn_pathops = {
	.fo_read = vn_badf_rw,
	.fo_write = vn_badf_rw,
	.fo_ioctl = vn_badf_ioctl,
	.fo_poll = vn_path_poll,
	.fo_stat = vn_stat,
	.fo_close = vn_close,
	.fo_seek = vn_badf_seek,
};

static int vn_fifo_close(struct file *);

static const struct fileops vn_fifoops = {
	.fo_read = pipe_fo_read,
	.fo_write = pipe_fo_write,
	.fo_ioctl = pipe_fo_ioctl,
	.fo_poll = pipe_fo_poll,
	.fo_stat = vn_stat,
	.fo_close = vn_fifo_close,
	.fo_seek = NULL,		/* ESPIPE */
};

/* --- open ------------------------------------------------------------------------- */

/*
 * O_TMPFILE: a file made under a hidden name and unlinked at once, all
 * under vfs_giant, so nobody can see the name.  Returns it referenced.
 */
static int
vn_open_tmpfile(int dirfd, const char *path, mode_t cmode, int nflags,
    const struct kauth_cred *cred, struct vnode **vpp)
{
	static unsigned tmpseq;
	struct nameidata nd;
	struct vnode *dvp, *vp;
	struct vattr va;
	char name[40];
	int error, len, tries;

	nd.ni_dirfd = dirfd;
	nd.ni_path = path;
	nd.ni_flags = nflags | NAMEI_FOLLOW;
	if ((error = namei(&nd)) != 0)
		return error;
	dvp = nd.ni_vp;
	if (dvp->v_type != VDIR)
		error = ENOTDIR;
	else if ((error = vn_create_check(dvp, cred)) == 0)
		error = vn_newattr(dvp, VREG, cmode, cred, &va);
	if (error == 0 && dvp->v_op->vop_create == NULL)
		error = EOPNOTSUPP;
	for (tries = 0; error == 0; tries++) {
		len = ksnprintf(name, sizeof(name), ".rump_tmpfile.%u",
		    tmpseq++);
		error = dvp->v_op->vop_create(dvp, name, (size_t)len, &va,
		    &vp);
		if (error == EEXIST && tries < 100) {
			error = 0;
			continue;
		}
		if (error != 0)
			break;
		error = dvp->v_op->vop_remove != NULL ?
		    dvp->v_op->vop_remove(dvp, name, (size_t)len, vp) :
		    EOPNOTSUPP;
		if (error != 0)
			vrele(vp);
		else
			*vpp = vp;
		break;
	}
	namei_done(&nd);
	return error;
}

/* Creates or finds the file of an O_CREAT open; returns it referenced. */
static int
vn_open_creat(int dirfd, const char *path, int flags, mode_t cmode,
    int nflags, const struct kauth_cred *cred, struct vnode **vpp,
    bool *createdp)
{
	struct nameidata nd;
	struct vnode *dvp, *vp;
	struct vattr va;
	int error;

	nd.ni_dirfd = dirfd;
	nd.ni_path = path;
	nd.ni_flags = nflags | NAMEI_PARENT |
	    ((flags & (O_EXCL | O_NOFOLLOW)) ? 0 : NAMEI_FOLLOW);
	if ((error = namei(&nd)) != 0)
		return error;
	dvp = nd.ni_dvp;
	vp = nd.ni_vp;
	if (nd.ni_trailslash || nd.ni_namelen == 0) {
		/* Linux: O_CREAT with a trailing slash is EISDIR. */
		error = vp != NULL && (flags & O_EXCL) ? EEXIST : EISDIR;
	} else if (vp != NULL) {
		if (flags & O_EXCL)
			error = EEXIST;
		else {
			vref(vp);
			*vpp = vp;
			if (vp->v_type != VDIR)
				ncache_enter(dvp, nd.ni_name, nd.ni_namelen,
				    vp);
		}
	} else if ((error = vn_create_check(dvp, cred)) == 0 &&
	    (error = vn_newattr(dvp, VREG, cmode, cred, &va)) == 0) {
		error = dvp->v_op->vop_create == NULL ? EOPNOTSUPP :
		    dvp->v_op->vop_create(dvp, nd.ni_name, nd.ni_namelen, &va,
		    vpp);
		if (error == 0) {
			*createdp = true;
			ncache_enter(dvp, nd.ni_name, nd.ni_namelen, *vpp);
		}
	}
	namei_done(&nd);
	return error;
}

/* Checks an existing vnode against the open's mode; with vfs_giant. */
static int
vn_open_check(struct vnode *vp, int flags, const struct kauth_cred *cred)
{
	int acc = flags & O_ACCMODE, mode = 0;
	bool wantwrite = acc != O_RDONLY || (flags & O_TRUNC);
	struct vattr va;
	int error;

	switch (vp->v_type) {
	case VLNK:
		return ELOOP;		/* O_NOFOLLOW met a symlink */
	case VSOCK:
		return ENXIO;
	case VDIR:
		if (wantwrite || (flags & O_CREAT))
			return EISDIR;
		break;
	default:
		break;
	}
	if ((flags & O_DIRECTORY) && vp->v_type != VDIR)
		return ENOTDIR;
	if (acc != O_WRONLY)
		mode |= R_OK;
	if (wantwrite)
		mode |= W_OK;
	if ((error = vn_access(vp, mode, cred)) != 0)
		return error;
	if (wantwrite && vn_rdonly(vp) &&
	    (vp->v_type == VREG || vp->v_type == VDIR))
		return EROFS;
	if ((vp->v_type == VCHR || vp->v_type == VBLK) &&
	    (vp->v_mount->mnt_flag & MS_NODEV))
		return EACCES;
	if (flags & O_NOATIME) {
		if ((error = vn_getattr(vp, &va)) != 0)
			return error;
		if (!vn_isowner(&va, cred))
			return EPERM;
	}
	return 0;
}

int
vn_truncate(struct vnode *vp, int64_t len, bool settimes)
{
	struct vattr va, cur;
	int error;

	memset(&va, 0, sizeof(va));
	va.va_mask = VA_SIZE;
	va.va_size = len;
	/* A truncate is a write: it drops the set-id bits as one does. */
	if ((error = vn_getattr(vp, &cur)) != 0)
		return error;
	if (vp->v_type == VREG && (cur.va_mode & (S_ISUID | S_ISGID)) != 0) {
		mode_t m = vfs_killpriv_mode(cur.va_mode, cur.va_gid,
		    kauth_cred_get());

		if (m != cur.va_mode) {
			va.va_mask |= VA_MODE;
			va.va_mode = m & 07777;
		}
	}
	if (settimes) {
		/* ftruncate and O_TRUNC move the times even for no change. */
		va.va_mask |= VA_MTIME | VA_CTIME;
		va.va_mtime.tv_nsec = va.va_ctime.tv_nsec = UTIME_NOW;
	}
	return vn_setattr(vp, &va);
}

int
vn_open(int dirfd, const char *path, int flags, mode_t cmode, int nflags,
    struct file **fpp)
{
	struct kauth_cred *cred = kauth_cred_get();
	struct vnode *vp = NULL;
	const struct devsw *sw = NULL;
	struct nameidata nd;
	struct file *fp;
	bool created = false;
	int error, depth;

	cmode &= 07777 & ~curproc->p_umask;
	if ((error = file_alloc(&fp)) != 0)
		return error;
	vfs_lock();
	if (flags & __O_TMPFILE) {
		error = vn_open_tmpfile(dirfd, path, cmode, nflags, cred, &vp);
		created = true;
	} else if ((flags & O_CREAT) && !(flags & O_PATH)) {
		error = vn_open_creat(dirfd, path, flags, cmode, nflags, cred,
		    &vp, &created);
	} else {
		nd.ni_dirfd = dirfd;
		nd.ni_path = path;
		nd.ni_flags = nflags | NAMEI_REMEMBER |
		    ((flags & O_NOFOLLOW) ? 0 : NAMEI_FOLLOW) |
		    ((flags & O_DIRECTORY) ? NAMEI_DIRECTORY : 0);
		if ((error = namei(&nd)) == 0) {
			vp = nd.ni_vp;
			nd.ni_vp = NULL;
			namei_done(&nd);
		}
	}
	if (error != 0)
		goto fail;

	fp->f_type = DTYPE_VNODE;
	fp->f_vnode = vp;
	fp->f_data = vp;
	if (flags & O_PATH) {
		if ((flags & O_DIRECTORY) && vp->v_type != VDIR) {
			error = ENOTDIR;
			goto fail;
		}
		fp->f_flag = O_PATH | O_LARGEFILE |
		    (flags & (O_DIRECTORY | O_NOFOLLOW));
		fp->f_ops = &vn_pathops;
		vfs_unlock();
		*fpp = fp;
		return 0;
	}
	if (!created && (error = vn_open_check(vp, flags, cred)) != 0)
		goto fail;

	/* O_TMPFILE|O_EXCL files may never get a name (linkat refuses). */
	fp->f_flag = (flags & ~VFS_OPENONLY_FLAGS) | O_LARGEFILE;
	if ((flags & (__O_TMPFILE | O_EXCL)) == (__O_TMPFILE | O_EXCL))
		fp->f_flag &= ~__O_TMPFILE;

	switch (vp->v_type) {
	case VREG:
		if ((flags & O_TRUNC) && !created &&
		    (error = vn_truncate(vp, 0, true)) != 0)
			goto fail;
		if (FWRITE(fp))
			vp->v_writecount++;
		fp->f_ops = &vn_fileops;
		break;
	case VFIFO:
		depth = vfs_giant_forget();
		error = fifo_open(&vp->v_fifo, &vfs_giant, flags, fp);
		vfs_giant_remember(depth);
		if (error != 0)
			goto fail;
		fp->f_ops = &vn_fifoops;
		break;
	case VCHR:
	case VBLK:
		if ((sw = devsw_lookup(vp->v_type == VBLK, vp->v_rdev)) ==
		    NULL) {
			error = ENXIO;
			goto fail;
		}
		break;
	default:
		fp->f_ops = &vn_fileops;
		break;
	}
	vfs_unlock();

	/* Drivers may sleep in open: without vfs_giant, fp not live yet. */
	if (sw != NULL) {
		if (sw->d_open != NULL &&
		    (error = sw->d_open(vp->v_rdev, fp->f_flag)) != 0) {
			vfs_lock();
			goto fail;
		}
		fp->f_ops = &vn_fileops;
	}
	*fpp = fp;
	return 0;
fail:
	if (vp != NULL)
		vrele(vp);
	fp->f_vnode = NULL;
	fp->f_data = NULL;
	vfs_unlock();
	file_rele(fp);
	return error;
}

/* --- transfers -------------------------------------------------------------------- */

static int
vn_devrw(struct file *fp, struct vnode *vp, struct uio *uio, int fflags)
{
	const struct devsw *sw;
	int (*fn)(dev_t, struct uio *, int);
	bool upd = (fflags & FOF_UPDATE_OFFSET) != 0;
	int error;

	if ((sw = devsw_lookup(vp->v_type == VBLK, vp->v_rdev)) == NULL)
		return ENXIO;
	fn = uio->uio_rw == UIO_READ ? sw->d_read : sw->d_write;
	if (fn == NULL)
		return EINVAL;
	if (upd) {
		mutex_enter(&fp->f_lock);
		uio->uio_offset = fp->f_offset;
		mutex_exit(&fp->f_lock);
	}
	error = fn(vp->v_rdev, uio, file_flags(fp));
	if (upd) {
		mutex_enter(&fp->f_lock);
		fp->f_offset = uio->uio_offset;
		mutex_exit(&fp->f_lock);
	}
	return error;
}

static int
vn_read(struct file *fp, struct uio *uio, int fflags)
{
	struct vnode *vp = fp->f_vnode;
	bool upd = (fflags & FOF_UPDATE_OFFSET) != 0;
	int error;

	switch (vp->v_type) {
	case VREG:
		break;
	case VDIR:
		return EISDIR;
	case VCHR:
	case VBLK:
		return vn_devrw(fp, vp, uio, fflags);
	default:
		return EINVAL;
	}
	if (upd) {
		mutex_enter(&fp->f_lock);
		uio->uio_offset = fp->f_offset;
	}
	vfs_lock();
	error = vp->v_op->vop_read(vp, uio, 0);
	vfs_unlock();
	if (upd) {
		fp->f_offset = uio->uio_offset;
		mutex_exit(&fp->f_lock);
	}
	return error;
}

static int
vn_write(struct file *fp, struct uio *uio, int fflags)
{
	struct vnode *vp = fp->f_vnode;
	bool upd = (fflags & FOF_UPDATE_OFFSET) != 0;
	int error = 0, ioflag = 0, ff = file_flags(fp);
	size_t excess = 0;

	switch (vp->v_type) {
	case VREG:
		break;
	case VCHR:
	case VBLK:
		return vn_devrw(fp, vp, uio, fflags);
	default:
		return EINVAL;
	}
	if (uio->uio_resid == 0)
		return 0;
	if ((ff & O_APPEND) || (fflags & FOF_APPEND))
		ioflag |= IO_APPEND;
	if ((ff & (O_SYNC | O_DSYNC)) || (fflags & FOF_SYNC))
		ioflag |= IO_SYNC;
	if (upd) {
		mutex_enter(&fp->f_lock);
		uio->uio_offset = fp->f_offset;
	}
	vfs_lock();
	if (!(ioflag & IO_APPEND)) {
		/* Past the largest file: EFBIG, or a short write up to it. */
		if (uio->uio_offset >= VFS_MAXFILESIZE)
			error = EFBIG;
		else if ((uint64_t)uio->uio_resid >
		    (uint64_t)(VFS_MAXFILESIZE - uio->uio_offset)) {
			excess = uio->uio_resid -
			    (size_t)(VFS_MAXFILESIZE - uio->uio_offset);
			uio->uio_resid -= excess;
		}
	}
	if (error == 0)
		error = vp->v_op->vop_write(vp, uio, ioflag);
	uio->uio_resid += excess;
	vfs_unlock();
	if (upd) {
		fp->f_offset = uio->uio_offset;
		mutex_exit(&fp->f_lock);
	}
	return error;
}

/* --- the rest of the file operations ---------------------------------------------- */

static int
vn_seek(struct file *fp, int64_t off, int whence, int64_t *newoffp)
{
	struct vnode *vp = fp->f_vnode;
	const struct devsw *sw;
	struct vattr va;
	int64_t base, newoff;
	uint64_t size;
	int error = 0;

	mutex_enter(&fp->f_lock);
	switch (vp->v_type) {
	case VREG:
	case VBLK:
		switch (whence) {
		case SEEK_SET:
			base = 0;
			break;
		case SEEK_CUR:
			base = fp->f_offset;
			break;
		case SEEK_END:
			if (vp->v_type == VBLK) {
				sw = devsw_lookup(true, vp->v_rdev);
				if (sw == NULL || sw->d_size == NULL ||
				    sw->d_size(vp->v_rdev, &size) != 0)
					size = 0;
				base = (int64_t)size;
				break;
			}
			vfs_lock();
			error = vn_getattr(vp, &va);
			vfs_unlock();
			base = error == 0 ? va.va_size : 0;
			break;
		case SEEK_DATA:
		case SEEK_HOLE:
			if (vp->v_type != VREG) {
				error = EINVAL;
				break;
			}
			vfs_lock();
			if (vp->v_op->vop_seekdata != NULL) {
				error = vp->v_op->vop_seekdata(vp, whence, off,
				    &newoff);
			} else if ((error = vn_getattr(vp, &va)) == 0) {
				/* All data, one hole at the end. */
				if (off < 0 || off >= va.va_size)
					error = ENXIO;
				else
					newoff = whence == SEEK_DATA ? off :
					    va.va_size;
			}
			vfs_unlock();
			if (error == 0)
				goto set;
			break;
		default:
			error = EINVAL;
			break;
		}
		if (error == 0 && __builtin_add_overflow(base, off, &newoff))
			error = EINVAL;
		break;
	case VDIR:
	case VCHR:
		/* Directories seek to readdir cookies; devices by offset. */
		if (whence == SEEK_SET)
			newoff = off;
		else if (whence == SEEK_CUR) {
			if (__builtin_add_overflow(fp->f_offset, off, &newoff))
				error = EINVAL;
		} else
			error = EINVAL;
		break;
	default:
		error = ESPIPE;
		break;
	}
	if (error == 0 && newoff < 0)
		error = EINVAL;
set:
	if (error == 0) {
		fp->f_offset = newoff;
		*newoffp = newoff;
	}
	mutex_exit(&fp->f_lock);
	return error;
}

static int
vn_stat(struct file *fp, struct stat *st)
{
	struct vattr va;
	int error;

	vfs_lock();
	error = vn_getattr(fp->f_vnode, &va);
	vfs_unlock();
	if (error == 0)
		vattr_to_stat(&va, st);
	return error;
}

#define FICLONE		0x40049409UL
#define FICLONERANGE	0x4020940dUL
#define FIDEDUPERANGE	0xc0189436UL
#define FIGETBSZ	2UL
#define BLKGETSIZE	0x1260UL
#define BLKSSZGET	0x1268UL
#define BLKGETSIZE64	0x80081272UL

static int
vn_blkioctl(dev_t dev, const struct devsw *sw, unsigned long cmd, void *data)
{
	uint64_t size;
	unsigned long sectors;
	int ssz = 512, error;

	if (sw->d_size == NULL)
		return ENOTTY;
	switch (cmd) {
	case BLKGETSIZE64:
		if ((error = sw->d_size(dev, &size)) != 0)
			return error;
		return copyout(&size, data, sizeof(size));
	case BLKGETSIZE:
		if ((error = sw->d_size(dev, &size)) != 0)
			return error;
		sectors = (unsigned long)(size / 512);
		return copyout(&sectors, data, sizeof(sectors));
	case BLKSSZGET:
		return copyout(&ssz, data, sizeof(ssz));
	default:
		return ENOTTY;
	}
}

static int
vn_ioctl(struct file *fp, unsigned long cmd, void *data)
{
	struct vnode *vp = fp->f_vnode;
	const struct devsw *sw;
	struct vattr va;
	int64_t n;
	int error, val;

	switch (vp->v_type) {
	case VREG:
		switch (cmd) {
		case FIONREAD:
			vfs_lock();
			error = vn_getattr(vp, &va);
			vfs_unlock();
			if (error != 0)
				return error;
			mutex_enter(&fp->f_lock);
			n = va.va_size - fp->f_offset;
			mutex_exit(&fp->f_lock);
			val = n < 0 ? 0 : n > INT_MAX ? INT_MAX : (int)n;
			return copyout(&val, data, sizeof(val));
		case FIGETBSZ:
			val = 4096;
			return copyout(&val, data, sizeof(val));
		case FICLONE:
		case FICLONERANGE:
		case FIDEDUPERANGE:
			/* No shared extents here: cp falls back to copying. */
			return EOPNOTSUPP;
		default:
			return ENOTTY;
		}
	case VCHR:
	case VBLK:
		if ((sw = devsw_lookup(vp->v_type == VBLK, vp->v_rdev)) == NULL)
			return ENXIO;
		error = sw->d_ioctl != NULL ? sw->d_ioctl(vp->v_rdev, cmd, data) :
		    ENOTTY;
		if (error == ENOTTY && vp->v_type == VBLK)
			error = vn_blkioctl(vp->v_rdev, sw, cmd, data);
		return error;
	default:
		return ENOTTY;
	}
}

static int
vn_poll(struct file *fp, int events)
{
	struct vnode *vp = fp->f_vnode;
	const struct devsw *sw;

	if ((vp->v_type == VCHR || vp->v_type == VBLK) &&
	    (sw = devsw_lookup(vp->v_type == VBLK, vp->v_rdev)) != NULL &&
	    sw->d_poll != NULL)
		return sw->d_poll(vp->v_rdev, events);
	/* Files never block. */
	return events & (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM);
}

static int
vn_close(struct file *fp)
{
	struct vnode *vp = fp->f_vnode;
	const struct devsw *sw;

	if ((vp->v_type == VCHR || vp->v_type == VBLK) && !file_ispath(fp) &&
	    (sw = devsw_lookup(vp->v_type == VBLK, vp->v_rdev)) != NULL &&
	    sw->d_close != NULL)
		(void)sw->d_close(vp->v_rdev, file_flags(fp));
	vfs_lock();
	if (vp->v_type == VREG && !file_ispath(fp) && FWRITE(fp))
		vp->v_writecount--;
	if (vp->v_lockf != NULL)
		lf_release_file(vp, fp);
	vrele(vp);
	vfs_unlock();
	return 0;
}

static int
vn_fifo_close(struct file *fp)
{
	struct vnode *vp = fp->f_vnode;

	vfs_lock();
	fifo_close(&vp->v_fifo, fp);
	if (vp->v_lockf != NULL)
		lf_release_file(vp, fp);
	vrele(vp);
	vfs_unlock();
	return 0;
}

/* Shared mappings: regular files of a file system that has objects. */
static int
vn_mapobj(struct file *fp, int writable, int *hfdp)
{
	struct vnode *vp = fp->f_vnode;
	int error;

	if (vp == NULL || vp->v_type != VREG ||
	    vp->v_op->vop_mapobj == NULL)
		return ENODEV;
	vfs_lock();
	error = vp->v_op->vop_mapobj(vp, writable, hfdp);
	vfs_unlock();
	return error;
}
