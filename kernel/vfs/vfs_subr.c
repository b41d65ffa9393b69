/*
 * vfs_subr.c: helpers shared by the vfs files and exported to file
 * systems and drivers: path buffers, vnode-operation wrappers, Unix
 * permission checks (Linux's generic_permission with root as
 * CAP_DAC_OVERRIDE), the checks for creating and removing names, the
 * conversion of attributes to struct stat / statx, the vtype tables, and
 * the device switch.
 *
 * Locking: the vnode helpers run with vfs_giant held.  The device switch
 * has its own lock for attach; lookups read it without a lock (entries are
 * published with a release store of the count and never change).
 */
#include "vfs_private.h"

/* --- client paths ---------------------------------------------------------------- */

int
pathbuf_copyin(const char *upath, struct pathbuf *pb)
{
	char *big;
	int error;

	pb->pb_path = pb->pb_small;
	error = copyinstr(upath, pb->pb_small, sizeof(pb->pb_small), NULL);
	if (error != ENAMETOOLONG)
		return error;
	if ((big = kmem_alloc(PATH_MAX)) == NULL)
		return ENOMEM;
	/* ENAMETOOLONG now means PATH_MAX bytes without a NUL. */
	if ((error = copyinstr(upath, big, PATH_MAX, NULL)) != 0) {
		kmem_free(big, PATH_MAX);
		return error;
	}
	pb->pb_path = big;
	return 0;
}

void
pathbuf_free(struct pathbuf *pb)
{
	if (pb->pb_path != NULL && pb->pb_path != pb->pb_small)
		kmem_free(pb->pb_path, PATH_MAX);
	pb->pb_path = NULL;
}

/* --- vnode operation wrappers ------------------------------------------------------ */

int
vn_getattr(struct vnode *vp, struct vattr *va)
{
	int error;

	if (vp->v_op == NULL || vp->v_op->vop_getattr == NULL)
		return EOPNOTSUPP;
	if ((error = vp->v_op->vop_getattr(vp, va)) != 0)
		return error;
	if (va->va_fsid == 0 && vp->v_mount != NULL)
		va->va_fsid = vp->v_mount->mnt_fsid;
	return 0;
}

int
vn_setattr(struct vnode *vp, const struct vattr *va)
{
	if (vp->v_op == NULL || vp->v_op->vop_setattr == NULL)
		return EOPNOTSUPP;
	return vp->v_op->vop_setattr(vp, va);
}

int
vn_lookup(struct vnode *dvp, const char *name, size_t len,
    struct vnode **vpp)
{
	if (dvp->v_type != VDIR)
		return ENOTDIR;
	if (dvp->v_op == NULL || dvp->v_op->vop_lookup == NULL)
		return ENOTDIR;
	return dvp->v_op->vop_lookup(dvp, name, len, vpp);
}

/* --- permissions ------------------------------------------------------------------- */

int
vfs_access_check(const struct vattr *va, int accmode,
    const struct kauth_cred *cred)
{
	mode_t mode = va->va_mode;
	int bits;

	accmode &= R_OK | W_OK | X_OK;
	if (cred_is_root(cred)) {
		/* CAP_DAC_OVERRIDE: all but executing a file nobody may. */
		if ((accmode & X_OK) && va->va_type != VDIR &&
		    (mode & (S_IXUSR | (S_IXUSR >> 3) | (S_IXUSR >> 6))) == 0)
			return EACCES;
		return 0;
	}
	if (cred->cr_fsuid == va->va_uid)
		bits = (int)(mode >> 6) & 7;
	else if (cred_groupmember(cred, va->va_gid))
		bits = (int)(mode >> 3) & 7;
	else
		bits = (int)mode & 7;
	return (accmode & ~bits) != 0 ? EACCES : 0;
}

int
vn_access(struct vnode *vp, int mode, const struct kauth_cred *cred)
{
	struct vattr va;
	int error;

	if (mode == 0)
		return 0;
	/* The common case of a root caller needs no attributes. */
	if (cred_is_root(cred) && (!(mode & X_OK) || vp->v_type == VDIR))
		return 0;
	if ((error = vn_getattr(vp, &va)) != 0)
		return error;
	return vfs_access_check(&va, mode, cred);
}

bool
vn_rdonly(const struct vnode *vp)
{
	return vp->v_mount != NULL && (vp->v_mount->mnt_flag & MS_RDONLY);
}

/* CAP_FOWNER: the owner or root. */
bool
vn_isowner(const struct vattr *va, const struct kauth_cred *cred)
{
	return cred_is_root(cred) || cred->cr_fsuid == va->va_uid;
}

bool
vn_isdot(const char *name, size_t len)
{
	return len == 1 && name[0] == '.';
}

bool
vn_isdotdot(const char *name, size_t len)
{
	return len == 2 && name[0] == '.' && name[1] == '.';
}

bool
vn_ismountroot(const struct vnode *vp)
{
	return vp->v_mount != NULL && vp->v_mount->mnt_rootvp == vp;
}

int
vn_create_check(struct vnode *dvp, const struct kauth_cred *cred)
{
	struct vattr va;
	int error;

	if (dvp->v_type != VDIR)
		return ENOTDIR;
	if (vn_rdonly(dvp))
		return EROFS;
	if ((error = vn_getattr(dvp, &va)) != 0)
		return error;
	/* Linux: nothing is created in a directory already removed. */
	if (va.va_nlink == 0)
		return ENOENT;
	return cred == NULL ? 0 : vfs_access_check(&va, W_OK | X_OK, cred);
}

int
vn_delete_check(struct vnode *dvp, struct vnode *vp, int wantdir,
    const struct kauth_cred *cred)
{
	struct vattr dva, va;
	int error;

	if (cred != NULL) {
		if ((error = vn_getattr(dvp, &dva)) != 0)
			return error;
		if ((error = vfs_access_check(&dva, W_OK | X_OK, cred)) != 0)
			return error;
		/* Sticky: only the owner of the file or of the directory. */
		if ((dva.va_mode & S_ISVTX) && !cred_is_root(cred) &&
		    cred->cr_fsuid != dva.va_uid) {
			if ((error = vn_getattr(vp, &va)) != 0)
				return error;
			if (cred->cr_fsuid != va.va_uid)
				return EPERM;
		}
	}
	if (wantdir == 1 && vp->v_type != VDIR)
		return ENOTDIR;
	if (wantdir == 0 && vp->v_type == VDIR)
		return EISDIR;
	if (vp->v_mountedhere != NULL || vn_ismountroot(vp))
		return EBUSY;
	return 0;
}

int
vn_newattr(struct vnode *dvp, enum vtype type, mode_t mode,
    const struct kauth_cred *cred, struct vattr *va)
{
	struct vattr dva;
	int error;

	if ((error = vn_getattr(dvp, &dva)) != 0)
		return error;
	memset(va, 0, sizeof(*va));
	va->va_type = type;
	mode &= 07777;
	if (cred == NULL) {
		/* The kernel's own nodes belong to root. */
		va->va_mode = mode;
		va->va_mask = VA_MODE | VA_UID | VA_GID;
		return 0;
	}
	va->va_uid = cred->cr_fsuid;
	if (dva.va_mode & S_ISGID) {
		/* BSD group semantics on set-group-ID directories. */
		va->va_gid = dva.va_gid;
		if (type == VDIR)
			mode |= S_ISGID;
		else if ((mode & (S_ISGID | (S_IXUSR >> 3))) ==
		    (S_ISGID | (S_IXUSR >> 3)) && !cred_is_root(cred) &&
		    !cred_groupmember(cred, dva.va_gid))
			mode &= ~(mode_t)S_ISGID;
	} else
		va->va_gid = cred->cr_fsgid;
	va->va_mode = mode;
	va->va_mask = VA_MODE | VA_UID | VA_GID;
	return 0;
}

/* --- attributes for clients ------------------------------------------------------- */

void
vattr_to_stat(const struct vattr *va, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = va->va_fsid;
	st->st_ino = va->va_fileid;
	st->st_nlink = va->va_nlink;
	st->st_mode = vtype_to_ifmt(va->va_type) | (va->va_mode & 07777);
	st->st_uid = va->va_uid;
	st->st_gid = va->va_gid;
	st->st_rdev = va->va_rdev;
	st->st_size = va->va_size;
	st->st_blksize = va->va_blocksize != 0 ? va->va_blocksize : 4096;
	st->st_blocks = (int64_t)((va->va_bytes + 511) / 512);
	st->st_atime_sec = va->va_atime.tv_sec;
	st->st_atime_nsec = (uint64_t)va->va_atime.tv_nsec;
	st->st_mtime_sec = va->va_mtime.tv_sec;
	st->st_mtime_nsec = (uint64_t)va->va_mtime.tv_nsec;
	st->st_ctime_sec = va->va_ctime.tv_sec;
	st->st_ctime_nsec = (uint64_t)va->va_ctime.tv_nsec;
}

static void
ts_to_statx(const struct timespec *ts, struct statx_timestamp *sx)
{
	sx->tv_sec = ts->tv_sec;
	sx->tv_nsec = (uint32_t)ts->tv_nsec;
	sx->__reserved = 0;
}

void
vattr_to_statx(const struct vattr *va, const struct vnode *vp,
    struct statx *stx)
{
	memset(stx, 0, sizeof(*stx));
	stx->stx_mask = STATX_BASIC_STATS | STATX_MNT_ID;
	stx->stx_blksize = va->va_blocksize != 0 ? va->va_blocksize : 4096;
	stx->stx_nlink = va->va_nlink;
	stx->stx_uid = va->va_uid;
	stx->stx_gid = va->va_gid;
	stx->stx_mode = (uint16_t)(vtype_to_ifmt(va->va_type) |
	    (va->va_mode & 07777));
	stx->stx_ino = va->va_fileid;
	stx->stx_size = (uint64_t)va->va_size;
	stx->stx_blocks = (va->va_bytes + 511) / 512;
	ts_to_statx(&va->va_atime, &stx->stx_atime);
	ts_to_statx(&va->va_mtime, &stx->stx_mtime);
	ts_to_statx(&va->va_ctime, &stx->stx_ctime);
	if (va->va_btime.tv_sec != 0 || va->va_btime.tv_nsec != 0) {
		ts_to_statx(&va->va_btime, &stx->stx_btime);
		stx->stx_mask |= STATX_BTIME;
	}
	stx->stx_rdev_major = MAJOR(va->va_rdev);
	stx->stx_rdev_minor = MINOR(va->va_rdev);
	stx->stx_dev_major = MAJOR(va->va_fsid);
	stx->stx_dev_minor = MINOR(va->va_fsid);
	stx->stx_mnt_id = vp != NULL && vp->v_mount != NULL ?
	    (uint64_t)vp->v_mount->mnt_id : 0;
}

/* --- descriptors ---------------------------------------------------------------- */

int
fd_getvnode(int fd, bool pathok, struct file **fpp, struct vnode **vpp)
{
	struct file *fp;
	int error;

	if ((error = fd_getfile(fd, &fp)) != 0)
		return error;
	if (!pathok && file_ispath(fp)) {
		file_rele(fp);
		return EBADF;
	}
	*fpp = fp;
	*vpp = fp->f_vnode;
	return 0;
}

/* --- vnode types ---------------------------------------------------------------- */

uint8_t
vtype_to_dt(enum vtype t)
{
	switch (t) {
	case VREG:	return DT_REG;
	case VDIR:	return DT_DIR;
	case VBLK:	return DT_BLK;
	case VCHR:	return DT_CHR;
	case VLNK:	return DT_LNK;
	case VSOCK:	return DT_SOCK;
	case VFIFO:	return DT_FIFO;
	default:	return DT_UNKNOWN;
	}
}

mode_t
vtype_to_ifmt(enum vtype t)
{
	switch (t) {
	case VREG:	return S_IFREG;
	case VDIR:	return S_IFDIR;
	case VBLK:	return S_IFBLK;
	case VCHR:	return S_IFCHR;
	case VLNK:	return S_IFLNK;
	case VSOCK:	return S_IFSOCK;
	case VFIFO:	return S_IFIFO;
	default:	return 0;
	}
}

enum vtype
ifmt_to_vtype(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG:	return VREG;
	case S_IFDIR:	return VDIR;
	case S_IFBLK:	return VBLK;
	case S_IFCHR:	return VCHR;
	case S_IFLNK:	return VLNK;
	case S_IFSOCK:	return VSOCK;
	case S_IFIFO:	return VFIFO;
	default:	return VNON;
	}
}

/* --- the device switch ------------------------------------------------------------- */

#define NDEVSW	64

struct devsw_ent {
	bool de_isblk;
	uint32_t de_major;
	const struct devsw *de_sw;
};
static struct devsw_ent devsw_tab[NDEVSW];
static atomic_int devsw_count;
static atomic_flag devsw_busy = ATOMIC_FLAG_INIT;

int
devsw_attach(bool isblk, uint32_t major, const struct devsw *sw)
{
	int i, n, error = 0;

	/* Attaching is rare and quick: a flag spin is enough. */
	while (atomic_flag_test_and_set_explicit(&devsw_busy,
	    memory_order_acquire))
		continue;
	n = atomic_load_explicit(&devsw_count, memory_order_relaxed);
	for (i = 0; i < n; i++) {
		if (devsw_tab[i].de_isblk == isblk &&
		    devsw_tab[i].de_major == major) {
			error = EEXIST;
			break;
		}
	}
	if (error == 0 && n == NDEVSW)
		error = ENOSPC;
	if (error == 0) {
		devsw_tab[n].de_isblk = isblk;
		devsw_tab[n].de_major = major;
		devsw_tab[n].de_sw = sw;
		atomic_store_explicit(&devsw_count, n + 1,
		    memory_order_release);
	}
	atomic_flag_clear_explicit(&devsw_busy, memory_order_release);
	return error;
}

const struct devsw *
devsw_lookup(bool isblk, dev_t dev)
{
	uint32_t major = MAJOR(dev);
	int i, n;

	n = atomic_load_explicit(&devsw_count, memory_order_acquire);
	for (i = 0; i < n; i++) {
		if (devsw_tab[i].de_isblk == isblk &&
		    devsw_tab[i].de_major == major)
			return devsw_tab[i].de_sw;
	}
	return NULL;
}

mode_t
vfs_killpriv_mode(mode_t mode, gid_t gid, const struct kauth_cred *cred)
{
	if (cred_is_root(cred))
		return mode;
	mode &= ~(mode_t)S_ISUID;
	if ((mode & S_ISGID) && ((mode & 0010) || !cred_groupmember(cred, gid)))
		mode &= ~(mode_t)S_ISGID;
	return mode;
}
