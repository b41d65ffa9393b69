/*
 * ext2_file.c: ext2 attribute and data operations (getattr, setattr,
 * read, write, readlink, fsync) and the end of a vnode's life (inactive,
 * reclaim).
 *
 * Data goes through the buffer cache one block at a time; a hole reads
 * as zeros and is filled on write.  A write that runs out of space after
 * writing something returns the short count, as Linux's write(2) does.
 * Times follow Linux: a write moves mtime and ctime, a read moves atime
 * under relatime rules (not on a read-only mount), an attribute change
 * ctime.  fsync and fdatasync write the whole mount back in order
 * (ext2_syncfs): simpler than tracking a file's own blocks, and every
 * acknowledged point is consistent.
 *
 * An inode with no links left is freed (blocks, xattr block, bitmap bit)
 * by vop_inactive when its last reference goes.
 *
 * Locking: vfs_giant, held by the caller.
 */
#include "ext2fs.h"

int
ext2_getattr(struct vnode *vp, struct vattr *va)
{
	struct ext2_inode *ip = VTOI(vp);

	memset(va, 0, sizeof(*va));
	va->va_type = ext2_vtype(ip->i_mode);
	va->va_mode = ip->i_mode & 07777;
	va->va_nlink = ip->i_nlink;
	va->va_uid = ip->i_uid;
	va->va_gid = ip->i_gid;
	va->va_fsid = vp->v_mount->mnt_fsid;
	va->va_fileid = ip->i_number;
	switch (va->va_type) {
	case VREG:
	case VDIR:
	case VLNK:
		va->va_size = (int64_t)ip->i_size;
		break;
	default:
		break;
	}
	va->va_bytes = ip->i_blocks * 512;
	va->va_blocksize = ip->i_em->em_bsize;
	va->va_atime = ip->i_atime;
	va->va_mtime = ip->i_mtime;
	va->va_ctime = ip->i_ctime;
	va->va_btime = ip->i_crtime;
	va->va_rdev = ip->i_rdev;
	return 0;
}

static bool
ext2_settime(struct timespec *dst, const struct timespec *src,
    const struct timespec *now)
{
	if (src->tv_nsec == UTIME_OMIT)
		return false;
	*dst = src->tv_nsec == UTIME_NOW ? *now : *src;
	return true;
}

int
ext2_setattr(struct vnode *vp, const struct vattr *va)
{
	struct ext2_inode *ip = VTOI(vp);
	struct timespec now;
	unsigned mask = va->va_mask;
	bool changed = false;
	int error;

	if (ip->i_em->em_ronly)
		return EROFS;
	if (mask & VA_SIZE) {
		if (vp->v_type == VDIR)
			return EISDIR;
		if (vp->v_type != VREG || va->va_size < 0)
			return EINVAL;
		if ((uint64_t)va->va_size > ext2_maxfilesize(ip->i_em))
			return EFBIG;
	}
	getnanotime(&now);
	if (mask & VA_SIZE) {
		if ((uint64_t)va->va_size < ip->i_size) {
			if ((error = ext2_truncate(ip, (uint64_t)va->va_size)) != 0)
				return error;
		} else
			ip->i_size = (uint64_t)va->va_size;
		ip->i_mtime = now;
		changed = true;
	}
	if (mask & VA_MODE) {
		ip->i_mode = (uint16_t)((ip->i_mode & S_IFMT) |
		    (va->va_mode & 07777));
		changed = true;
	}
	if (mask & VA_UID) {
		ip->i_uid = va->va_uid;
		changed = true;
	}
	if (mask & VA_GID) {
		ip->i_gid = va->va_gid;
		changed = true;
	}
	if ((mask & VA_ATIME) && ext2_settime(&ip->i_atime, &va->va_atime, &now))
		changed = true;
	if ((mask & VA_MTIME) && ext2_settime(&ip->i_mtime, &va->va_mtime, &now))
		changed = true;
	if (!((mask & VA_CTIME) &&
	    ext2_settime(&ip->i_ctime, &va->va_ctime, &now)) && changed)
		ip->i_ctime = now;
	return ext2_iupdate(ip);
}

static int
ext2_tscmp(const struct timespec *a, const struct timespec *b)
{
	if (a->tv_sec != b->tv_sec)
		return a->tv_sec < b->tv_sec ? -1 : 1;
	if (a->tv_nsec != b->tv_nsec)
		return a->tv_nsec < b->tv_nsec ? -1 : 1;
	return 0;
}

/* relatime: as tmpfs_accessed(). */
static void
ext2_accessed(struct ext2_inode *ip)
{
	struct timespec now;
	struct mount *mp = ip->i_vnode != NULL ? ip->i_vnode->v_mount : NULL;

	if (ip->i_em->em_ronly || (mp != NULL && (mp->mnt_flag & MS_RDONLY)))
		return;
	getnanotime(&now);
	if (ext2_tscmp(&ip->i_atime, &ip->i_mtime) <= 0 ||
	    ext2_tscmp(&ip->i_atime, &ip->i_ctime) <= 0 ||
	    now.tv_sec - ip->i_atime.tv_sec >= 24 * 60 * 60) {
		ip->i_atime = now;
		(void)ext2_iupdate(ip);
	}
}

static char ext2_zeros[1u << EXT2_MAXBSHIFT];

int
ext2_read(struct vnode *vp, struct uio *uio, int ioflag)
{
	struct ext2_inode *ip = VTOI(vp);
	struct ext2_mount *em = ip->i_em;
	struct ext2_buf *bp;
	uint64_t off, lbn;
	uint32_t boff, pbn;
	size_t n;
	int error = 0;

	(void)ioflag;
	if (vp->v_type == VDIR)
		return EISDIR;
	if (vp->v_type != VREG)
		return EINVAL;
	if (uio->uio_offset < 0)
		return EINVAL;
	while (uio->uio_resid > 0 && (uint64_t)uio->uio_offset < ip->i_size) {
		off = (uint64_t)uio->uio_offset;
		lbn = off >> em->em_bshift;
		boff = (uint32_t)(off & (em->em_bsize - 1));
		n = MIN((size_t)(em->em_bsize - boff), uio->uio_resid);
		n = (size_t)MIN((uint64_t)n, ip->i_size - off);
		if ((error = ext2_bmap(ip, lbn, false, &pbn, NULL)) != 0)
			break;
		if (pbn == 0) {
			error = uiomove(ext2_zeros, n, uio);
		} else {
			if ((error = ext2_bread(em, pbn, false, &bp)) != 0)
				break;
			error = uiomove(bp->b_data + boff, n, uio);
			ext2_brelse(em, bp);
		}
		if (error != 0)
			break;
	}
	ext2_accessed(ip);
	return error;
}

int
ext2_write(struct vnode *vp, struct uio *uio, int ioflag)
{
	struct ext2_inode *ip = VTOI(vp);
	struct ext2_mount *em = ip->i_em;
	uint64_t off, lbn, max = ext2_maxfilesize(em);
	struct ext2_buf *bp;
	uint32_t boff, pbn;
	size_t n, resid;
	bool isnew;
	int error = 0;

	if (vp->v_type == VDIR)
		return EISDIR;
	if (vp->v_type != VREG)
		return EINVAL;
	if (em->em_ronly)
		return EROFS;
	if (ioflag & IO_APPEND)
		uio->uio_offset = (int64_t)ip->i_size;
	if (uio->uio_offset < 0)
		return EINVAL;
	if ((resid = uio->uio_resid) == 0)
		return 0;
	if ((uint64_t)uio->uio_offset >= max)
		return EFBIG;
	while (uio->uio_resid > 0 && (uint64_t)uio->uio_offset < max) {
		off = (uint64_t)uio->uio_offset;
		lbn = off >> em->em_bshift;
		boff = (uint32_t)(off & (em->em_bsize - 1));
		n = MIN((size_t)(em->em_bsize - boff), uio->uio_resid);
		n = (size_t)MIN((uint64_t)n, max - off);
		if ((error = ext2_bmap(ip, lbn, true, &pbn, &isnew)) != 0)
			break;
		if (isnew || n == em->em_bsize)
			error = ext2_bget(em, pbn, false, &bp);
		else
			error = ext2_bread(em, pbn, false, &bp);
		if (error != 0)
			break;
		error = uiomove(bp->b_data + boff, n, uio);
		ext2_bdirty(em, bp);
		ext2_brelse(em, bp);
		if (error != 0)
			break;
		if ((uint64_t)uio->uio_offset > ip->i_size)
			ip->i_size = (uint64_t)uio->uio_offset;
	}
	if (uio->uio_resid == resid) {
		(void)ext2_iupdate(ip);		/* blocks may have moved */
		return error;
	}
	ext2_itimes(ip, false, true, true);
	if ((ip->i_mode & (S_ISUID | S_ISGID)) != 0)
		ip->i_mode = (uint16_t)((ip->i_mode & S_IFMT) |
		    vfs_killpriv_mode(ip->i_mode & 07777, ip->i_gid,
		    kauth_cred_get()));
	(void)ext2_iupdate(ip);
	if (ioflag & IO_SYNC)
		(void)ext2_syncfs(em);
	return 0;
}

int
ext2_readlink(struct vnode *vp, struct uio *uio)
{
	struct ext2_inode *ip = VTOI(vp);
	struct ext2_mount *em = ip->i_em;
	uint8_t text[EXT2_FASTLINK_MAX];
	uint64_t eablocks = ip->i_file_acl != 0 ? em->em_bsize >> 9 : 0;
	struct ext2_buf *bp;
	uint32_t pbn, i;
	size_t len = (size_t)ip->i_size;
	int error;

	if (vp->v_type != VLNK)
		return EINVAL;
	if (ip->i_blocks == eablocks) {
		/* Fast: the text is in i_block (length checked at load). */
		for (i = 0; i < EXT2_N_BLOCKS; i++)
			ext2_put32(text + 4 * i, ip->i_db[i]);
		return uiomove(text, MIN(len, uio->uio_resid), uio);
	}
	if ((error = ext2_bmap(ip, 0, false, &pbn, NULL)) != 0)
		return error;
	if (pbn == 0) {
		ext2_corrupt(em, "symlink %u has no block", ip->i_number);
		return EIO;
	}
	if ((error = ext2_bread(em, pbn, true, &bp)) != 0)
		return error;
	error = uiomove(bp->b_data, MIN(len, uio->uio_resid), uio);
	ext2_brelse(em, bp);
	return error;
}

/*
 * SEEK_DATA / SEEK_HOLE: a block not mapped is a hole (indirect blocks
 * are walked one data block at a time: bounded by the file's size).
 */
int
ext2_seekdata(struct vnode *vp, int whence, int64_t off, int64_t *resultp)
{
	struct ext2_inode *ip = VTOI(vp);
	struct ext2_mount *em = ip->i_em;
	uint64_t lbn, last;
	uint32_t pbn;
	int error;

	if (vp->v_type != VREG)
		return EINVAL;
	if (off < 0 || (uint64_t)off >= ip->i_size)
		return ENXIO;
	last = (ip->i_size - 1) >> em->em_bshift;
	for (lbn = (uint64_t)off >> em->em_bshift; lbn <= last; lbn++) {
		if ((error = ext2_bmap(ip, lbn, false, &pbn, NULL)) != 0)
			return error;
		if ((pbn != 0) == (whence == SEEK_DATA)) {
			*resultp = MAX(off, (int64_t)(lbn << em->em_bshift));
			return 0;
		}
	}
	if (whence == SEEK_DATA)
		return ENXIO;
	*resultp = (int64_t)ip->i_size;	/* the hole at the end */
	return 0;
}

int
ext2_fsync(struct vnode *vp, bool dataonly)
{
	(void)dataonly;
	return ext2_syncfs(VTOI(vp)->i_em);
}

void
ext2_inactive(struct vnode *vp)
{
	struct ext2_inode *ip = VTOI(vp);

	if (ip == NULL || ip->i_nlink != 0 || ip->i_em->em_ronly)
		return;
	(void)ext2_idelete(ip);
	/* The cache frees an unhashed vnode without a reclaim. */
	vp->v_data = NULL;
	kmem_free(ip, sizeof(*ip));
	vcache_remove(vp);
}

void
ext2_reclaim(struct vnode *vp)
{
	struct ext2_inode *ip = VTOI(vp);

	if (ip != NULL) {
		kmem_free(ip, sizeof(*ip));
		vp->v_data = NULL;
	}
}
