/*
 * tmpfs_fileops.c: tmpfs attribute and data operations (getattr, setattr,
 * read, write, fallocate, seek data/hole, fsync) and the end of a vnode's
 * life (inactive, reclaim).
 *
 * Data lives in tmpfs_mem.c.  A write that runs out of space (or reaches
 * the maximum file size) after writing something returns success with the
 * uio showing the short count, as Linux's write(2) does; the next write
 * then fails with ENOSPC.  Timestamps follow Linux: a write moves mtime
 * and ctime, a read moves atime (relatime), an attribute change ctime.
 *
 * Node lifetime: a node with no links is freed by vop_inactive when its
 * last vnode reference goes, which is when an open-but-deleted file's
 * space comes back; the vnode is dropped from the cache at once since its
 * key (the node's address) means nothing any more.
 *
 * Locking: vfs_giant, held by the caller.
 */
#include <rump/rumpuser.h>

#include "tmpfs.h"

int
tmpfs_getattr(struct vnode *vp, struct vattr *va)
{
	struct tmpfs_node *node = VTOTN(vp);

	memset(va, 0, sizeof(*va));
	va->va_type = node->tn_type;
	va->va_mode = node->tn_mode;
	va->va_nlink = node->tn_nlink;
	va->va_uid = node->tn_uid;
	va->va_gid = node->tn_gid;
	va->va_fsid = vp->v_mount->mnt_fsid;
	va->va_fileid = node->tn_ino;
	switch (node->tn_type) {
	case VREG:
		va->va_size = node->tn_size;
		va->va_bytes = node->tn_data.tp_npages * TMPFS_PAGE_SIZE;
		break;
	case VLNK:
		va->va_size = node->tn_size;
		break;
	case VDIR:
		va->va_size = tmpfs_dir_size(node);
		break;
	default:
		break;
	}
	va->va_blocksize = TMPFS_PAGE_SIZE;
	va->va_atime = node->tn_atime;
	va->va_mtime = node->tn_mtime;
	va->va_ctime = node->tn_ctime;
	va->va_btime = node->tn_btime;
	va->va_rdev = node->tn_rdev;
	return 0;
}

/* An explicit time from utimensat; false for UTIME_OMIT. */
static bool
tmpfs_settime(struct timespec *dst, const struct timespec *src,
    const struct timespec *now)
{
	if (src->tv_nsec == UTIME_OMIT)
		return false;
	*dst = src->tv_nsec == UTIME_NOW ? *now : *src;
	return true;
}

/*
 * The vfs checked permissions and that VA_SIZE is not for a directory.
 * Every change moves ctime (or sets it, with VA_CTIME); a size given moves
 * mtime too, even an unchanged one, as truncate(2) does on Linux.
 */
int
tmpfs_setattr(struct vnode *vp, const struct vattr *va)
{
	struct tmpfs_node *node = VTOTN(vp);
	struct timespec now;
	unsigned mask = va->va_mask;
	bool changed = false;

	if (mask & VA_SIZE) {
		if (node->tn_type == VDIR)
			return EISDIR;
		if (node->tn_type != VREG)
			return EINVAL;
		if (va->va_size < 0)
			return EINVAL;
	}
	getnanotime(&now);
	if (mask & VA_SIZE) {
		int error = tmpfs_pages_truncate(&node->tn_mount->tm_pool,
		    &node->tn_data, node->tn_size, va->va_size);

		if (error != 0)
			return error;
		node->tn_size = va->va_size;
		node->tn_mtime = now;
		changed = true;
	}
	if (mask & VA_MODE) {
		node->tn_mode = va->va_mode & 07777;
		changed = true;
	}
	if (mask & VA_UID) {
		node->tn_uid = va->va_uid;
		changed = true;
	}
	if (mask & VA_GID) {
		node->tn_gid = va->va_gid;
		changed = true;
	}
	if ((mask & VA_ATIME) &&
	    tmpfs_settime(&node->tn_atime, &va->va_atime, &now))
		changed = true;
	if ((mask & VA_MTIME) &&
	    tmpfs_settime(&node->tn_mtime, &va->va_mtime, &now))
		changed = true;
	if ((mask & VA_CTIME) &&
	    tmpfs_settime(&node->tn_ctime, &va->va_ctime, &now))
		return 0;
	if (changed)
		node->tn_ctime = now;
	return 0;
}

int
tmpfs_read(struct vnode *vp, struct uio *uio, int ioflag)
{
	struct tmpfs_node *node = VTOTN(vp);
	int error;

	(void)ioflag;
	if (node->tn_type == VDIR)
		return EISDIR;
	if (node->tn_type != VREG)
		return EINVAL;
	if (uio->uio_resid == 0)
		return 0;
	error = tmpfs_pages_read(&node->tn_data, node->tn_size, uio);
	tmpfs_accessed(node);
	return error;
}

int
tmpfs_write(struct vnode *vp, struct uio *uio, int ioflag)
{
	struct tmpfs_node *node = VTOTN(vp);
	size_t resid;
	int error;

	if (node->tn_type == VDIR)
		return EISDIR;
	if (node->tn_type != VREG)
		return EINVAL;
	if (ioflag & IO_APPEND)
		uio->uio_offset = node->tn_size;
	if ((resid = uio->uio_resid) == 0)
		return 0;
	error = tmpfs_pages_write(&node->tn_mount->tm_pool, &node->tn_data,
	    uio, &node->tn_size);
	if (uio->uio_resid == resid)
		return error;
	tmpfs_update(node, TMPFS_UPD_MTIME | TMPFS_UPD_CTIME);
	/* Linux's file_remove_privs(): see vfs_killpriv_mode(). */
	if ((node->tn_mode & (S_ISUID | S_ISGID)) != 0)
		node->tn_mode = vfs_killpriv_mode(node->tn_mode, node->tn_gid,
		    kauth_cred_get());
	/* Bytes written are acknowledged: report them, not the error. */
	return 0;
}

/*
 * fallocate: 0 and KEEP_SIZE allocate, PUNCH_HOLE|KEEP_SIZE frees, and
 * ZERO_RANGE (which Linux's tmpfs lacks; ext4 and xfs have it) zeroes and
 * allocates.  Allocation checks the free space first, as statfs reports
 * it, so a request that cannot fit fails with ENOSPC before using any;
 * one that fails half-way keeps the pages it got, which read as zeros.
 */
int
tmpfs_fallocate(struct vnode *vp, int mode, int64_t off, int64_t len)
{
	struct tmpfs_node *node = VTOTN(vp);
	struct tmpfs_mount *tm = node->tn_mount;
	int error;

	if (node->tn_type == VDIR)
		return EISDIR;
	if (node->tn_type != VREG)
		return ENODEV;
	if (off < 0 || len <= 0)
		return EINVAL;
	if (off > TMPFS_MAXFILESIZE - len)
		return EFBIG;
	if (node->tn_data.tp_mobj != NULL) {
		if ((error = tmpfs_mobj_fallocate(&tm->tm_pool, &node->tn_data,
		    &node->tn_size, mode, off, len)) != 0)
			return error;
		tmpfs_update(node, TMPFS_UPD_MTIME | TMPFS_UPD_CTIME);
		return 0;
	}
	switch (mode) {
	case 0:
	case FALLOC_FL_KEEP_SIZE:
	case FALLOC_FL_ZERO_RANGE:
	case FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE:
		if (tmpfs_pages_missing(&node->tn_data, off, len) >
		    tmpfs_freepages(tm))
			return ENOSPC;
		if (mode & FALLOC_FL_ZERO_RANGE)
			error = tmpfs_pages_zero(&tm->tm_pool, &node->tn_data,
			    off, len);
		else
			error = tmpfs_pages_allocate(&tm->tm_pool,
			    &node->tn_data, off, len);
		if (error != 0)
			return error;
		if (!(mode & FALLOC_FL_KEEP_SIZE) && off + len > node->tn_size)
			node->tn_size = off + len;
		break;
	case FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE:
		tmpfs_pages_punch(&tm->tm_pool, &node->tn_data, off, len);
		break;
	default:
		return EOPNOTSUPP;
	}
	tmpfs_update(node, TMPFS_UPD_MTIME | TMPFS_UPD_CTIME);
	return 0;
}

int
tmpfs_seekdata(struct vnode *vp, int whence, int64_t off, int64_t *resultp)
{
	struct tmpfs_node *node = VTOTN(vp);

	if (node->tn_type != VREG)
		return EINVAL;
	return tmpfs_pages_seek(&node->tn_data, node->tn_size, whence, off,
	    resultp);
}

int
tmpfs_fsync(struct vnode *vp, bool dataonly)
{
	(void)vp;
	(void)dataonly;
	return 0;
}

/*
 * A host descriptor for the file's memory object (made on the first
 * shared mapping), writable or not; the caller owns it.  The checks of
 * the descriptor's access mode were made by the caller (sys_prctl).
 */
int
tmpfs_mapobj(struct vnode *vp, int writable, int *hfdp)
{
	struct tmpfs_node *node = VTOTN(vp);
	int error;

	if (node->tn_type != VREG)
		return ENODEV;
	if ((error = tmpfs_pages_tomobj(&node->tn_mount->tm_pool,
	    &node->tn_data, node->tn_size)) != 0)
		return error;
	return rumpuser_mobj_export(node->tn_data.tp_mobj, writable, hfdp);
}

void
tmpfs_inactive(struct vnode *vp)
{
	struct tmpfs_node *node = VTOTN(vp);

	if (node == NULL || node->tn_nlink != 0)
		return;
	node->tn_vnode = NULL;
	vp->v_data = NULL;
	tmpfs_node_free(node);
	vcache_remove(vp);
}

void
tmpfs_reclaim(struct vnode *vp)
{
	struct tmpfs_node *node = VTOTN(vp);

	if (node == NULL)
		return;
	KASSERT(node->tn_vnode == vp);
	node->tn_vnode = NULL;
	vp->v_data = NULL;
}
