/*
 * ext2_vnops.c: ext2 name-space operations (lookup, create, mkdir,
 * symlink, link, remove, rmdir, rename, readdir) and the vnode
 * operations table.
 *
 * The vfs layer has checked permissions, types, loops and sticky bits;
 * these functions still refuse what would corrupt the image (an existing
 * name, a non-empty directory replaced, an entry in a removed directory,
 * more than EXT2_LINK_MAX links) with Linux's errno.  Each operation
 * changes the image in an order that a crash leaves repairable by e2fsck
 * without losing a name: the new entry before the old one goes, link
 * counts raised before an entry is added.
 *
 * A vnode's key is its inode number; new inodes are written to the
 * buffer cache and then loaded through vcache_get like any other.
 *
 * Locking: vfs_giant, held by the caller.
 */
#include "ext2fs.h"

static int ext2_lookup(struct vnode *, const char *, size_t,
    struct vnode **);
static int ext2_create(struct vnode *, const char *, size_t,
    const struct vattr *, struct vnode **);
static int ext2_mkdir(struct vnode *, const char *, size_t,
    const struct vattr *, struct vnode **);
static int ext2_symlink(struct vnode *, const char *, size_t,
    const struct vattr *, const char *, struct vnode **);
static int ext2_link(struct vnode *, const char *, size_t, struct vnode *);
static int ext2_remove(struct vnode *, const char *, size_t, struct vnode *);
static int ext2_rmdir(struct vnode *, const char *, size_t, struct vnode *);
static int ext2_rename(struct vnode *, const char *, size_t, struct vnode *,
    struct vnode *, const char *, size_t, struct vnode *, unsigned);
static int ext2_readdir(struct vnode *, struct uio *);

const struct vnodeops ext2_vnodeops = {
	.vop_lookup = ext2_lookup,
	.vop_create = ext2_create,
	.vop_mkdir = ext2_mkdir,
	.vop_symlink = ext2_symlink,
	.vop_link = ext2_link,
	.vop_remove = ext2_remove,
	.vop_rmdir = ext2_rmdir,
	.vop_rename = ext2_rename,
	.vop_readdir = ext2_readdir,
	.vop_readlink = ext2_readlink,
	.vop_getattr = ext2_getattr,
	.vop_setattr = ext2_setattr,
	.vop_read = ext2_read,
	.vop_write = ext2_write,
	.vop_seekdata = ext2_seekdata,
	.vop_fsync = ext2_fsync,
	.vop_inactive = ext2_inactive,
	.vop_reclaim = ext2_reclaim,
};

static int
ext2_lookup(struct vnode *dvp, const char *name, size_t namelen,
    struct vnode **vpp)
{
	struct ext2_inode *dp = VTOI(dvp);
	uint32_t ino;
	int error;

	if (dvp->v_type != VDIR)
		return ENOTDIR;
	if (namelen == 1 && name[0] == '.') {
		vref(dvp);
		*vpp = dvp;
		return 0;
	}
	if (namelen > NAME_MAX)
		return ENAMETOOLONG;
	if (dp->i_nlink == 0)
		return ENOENT;
	if ((error = ext2_dir_lookup(dp, name, namelen, &ino)) != 0)
		return error;
	if (ino == dp->i_number) {
		vref(dvp);
		*vpp = dvp;
		return 0;
	}
	return vcache_get(dvp->v_mount, ino, vpp);
}

static int
ext2_canadd(struct vnode *dvp, const char *name, size_t namelen)
{
	struct ext2_inode *dp = VTOI(dvp);
	uint32_t ino;
	int error;

	if (dp->i_em->em_ronly)
		return EROFS;
	if (dvp->v_type != VDIR)
		return ENOTDIR;
	if (dp->i_nlink == 0)
		return ENOENT;
	if (namelen == 0)
		return ENOENT;
	if (namelen > NAME_MAX)
		return ENAMETOOLONG;
	error = ext2_dir_lookup(dp, name, namelen, &ino);
	if (error == 0)
		return EEXIST;
	return error == ENOENT ? 0 : error;
}

static int
ext2_makenode(struct vnode *dvp, const char *name, size_t namelen,
    uint16_t mode, const struct vattr *va, const char *target,
    struct vnode **vpp)
{
	struct ext2_inode *dp = VTOI(dvp), *ip;
	struct ext2_mount *em = dp->i_em;
	bool isdir = (mode & S_IFMT) == S_IFDIR, isnew;
	uint8_t text[EXT2_FASTLINK_MAX];
	struct ext2_buf *bp;
	size_t tlen = 0;
	uint32_t ino, pbn, i;
	int error;

	if ((error = ext2_canadd(dvp, name, namelen)) != 0)
		return error;
	if (isdir && dp->i_nlink >= EXT2_LINK_MAX)
		return EMLINK;
	if ((mode & S_IFMT) == S_IFLNK) {
		tlen = strlen(target);
		if (tlen == 0)
			return ENOENT;
		if (tlen >= em->em_bsize || tlen >= PATH_MAX)
			return ENAMETOOLONG;
	}
	if ((error = ext2_ialloc(em, dp, isdir, &ino)) != 0)
		return error;
	if ((error = ext2_iinit(em, ino, mode, va->va_uid, va->va_gid,
	    &ip)) != 0) {
		(void)ext2_ifree(em, ino, isdir);
		return error;
	}
	switch (mode & S_IFMT) {
	case S_IFDIR:
		ip->i_nlink = 2;
		error = ext2_dir_init(ip, dp->i_number);
		break;
	case S_IFLNK:
		ip->i_size = tlen;
		if (tlen < EXT2_FASTLINK_MAX) {
			memset(text, 0, sizeof(text));
			memcpy(text, target, tlen);
			for (i = 0; i < EXT2_N_BLOCKS; i++)
				ip->i_db[i] = ext2_get32(text + 4 * i);
			break;
		}
		if ((error = ext2_bmap(ip, 0, true, &pbn, &isnew)) != 0)
			break;
		if ((error = ext2_bget(em, pbn, true, &bp)) != 0)
			break;
		memcpy(bp->b_data, target, tlen);
		ext2_bdirty(em, bp);
		ext2_brelse(em, bp);
		break;
	case S_IFCHR:
	case S_IFBLK:
		ext2_setrdev(ip, va->va_rdev);
		break;
	default:
		break;
	}
	if (error == 0)
		error = ext2_iupdate(ip);
	if (error == 0 && isdir) {
		dp->i_nlink++;
		error = ext2_iupdate(dp);
	}
	if (error == 0)
		error = ext2_dir_add(dp, name, namelen, ino, mode);
	if (error != 0) {
		if (isdir && dp->i_nlink > 2) {
			dp->i_nlink--;
			(void)ext2_iupdate(dp);
		}
		ip->i_nlink = 0;
		(void)ext2_idelete(ip);
		kmem_free(ip, sizeof(*ip));
		return error;
	}
	kmem_free(ip, sizeof(*ip));
	ext2_itimes(dp, false, true, true);
	(void)ext2_iupdate(dp);
	return vcache_get(dvp->v_mount, ino, vpp);
}

static int
ext2_create(struct vnode *dvp, const char *name, size_t namelen,
    const struct vattr *va, struct vnode **vpp)
{
	switch (va->va_type) {
	case VREG:
	case VFIFO:
	case VCHR:
	case VBLK:
	case VSOCK:
		return ext2_makenode(dvp, name, namelen,
		    (uint16_t)(vtype_to_ifmt(va->va_type) | (va->va_mode & 07777)),
		    va, NULL, vpp);
	default:
		return EINVAL;
	}
}

static int
ext2_mkdir(struct vnode *dvp, const char *name, size_t namelen,
    const struct vattr *va, struct vnode **vpp)
{
	return ext2_makenode(dvp, name, namelen,
	    (uint16_t)(S_IFDIR | (va->va_mode & 07777)), va, NULL, vpp);
}

static int
ext2_symlink(struct vnode *dvp, const char *name, size_t namelen,
    const struct vattr *va, const char *target, struct vnode **vpp)
{
	if (target == NULL)
		return EINVAL;
	return ext2_makenode(dvp, name, namelen, S_IFLNK | 0777, va, target,
	    vpp);
}

static int
ext2_link(struct vnode *dvp, const char *name, size_t namelen,
    struct vnode *vp)
{
	struct ext2_inode *dp = VTOI(dvp), *ip = VTOI(vp);
	int error;

	if (dvp->v_mount != vp->v_mount)
		return EXDEV;
	if (vp->v_type == VDIR)
		return EPERM;
	if ((error = ext2_canadd(dvp, name, namelen)) != 0)
		return error;
	if (ip->i_nlink >= EXT2_LINK_MAX)
		return EMLINK;
	ip->i_nlink++;
	ext2_itimes(ip, false, false, true);
	if ((error = ext2_iupdate(ip)) != 0 ||
	    (error = ext2_dir_add(dp, name, namelen, ip->i_number,
	    ip->i_mode)) != 0) {
		ip->i_nlink--;
		(void)ext2_iupdate(ip);
		return error;
	}
	ext2_itimes(dp, false, true, true);
	return ext2_iupdate(dp);
}

/* The entry name in dvp must still name vp. */
static int
ext2_entry_is(struct vnode *dvp, const char *name, size_t namelen,
    struct vnode *vp)
{
	uint32_t ino;
	int error;

	if (dvp->v_type != VDIR)
		return ENOTDIR;
	if ((error = ext2_dir_lookup(VTOI(dvp), name, namelen, &ino)) != 0)
		return error;
	return ino == VTOI(vp)->i_number ? 0 : ENOENT;
}

static void
ext2_droplink(struct ext2_inode *ip)
{
	if (ip->i_nlink > 0)
		ip->i_nlink--;
	ext2_itimes(ip, false, false, true);
	(void)ext2_iupdate(ip);
}

static int
ext2_remove(struct vnode *dvp, const char *name, size_t namelen,
    struct vnode *vp)
{
	struct ext2_inode *dp = VTOI(dvp);
	int error;

	if (dp->i_em->em_ronly)
		return EROFS;
	if ((error = ext2_entry_is(dvp, name, namelen, vp)) != 0)
		return error;
	if (vp->v_type == VDIR)
		return EISDIR;
	if ((error = ext2_dir_remove(dp, name, namelen)) != 0)
		return error;
	ext2_droplink(VTOI(vp));
	ext2_itimes(dp, false, true, true);
	return ext2_iupdate(dp);
}

static int
ext2_rmdir(struct vnode *dvp, const char *name, size_t namelen,
    struct vnode *vp)
{
	struct ext2_inode *dp = VTOI(dvp), *ip = VTOI(vp);
	bool empty;
	int error;

	if (dp->i_em->em_ronly)
		return EROFS;
	if ((error = ext2_entry_is(dvp, name, namelen, vp)) != 0)
		return error;
	if (vp->v_type != VDIR)
		return ENOTDIR;
	if (ip->i_number == EXT2_ROOTINO)
		return EBUSY;
	if ((error = ext2_dir_isempty(ip, &empty)) != 0)
		return error;
	if (!empty)
		return ENOTEMPTY;
	if ((error = ext2_dir_remove(dp, name, namelen)) != 0)
		return error;
	ip->i_nlink = 0;		/* its "." goes too */
	ext2_itimes(ip, false, false, true);
	(void)ext2_iupdate(ip);
	if (dp->i_nlink > 2)
		dp->i_nlink--;
	ext2_itimes(dp, false, true, true);
	return ext2_iupdate(dp);
}

/* A directory moved from fdp to tdp: its ".." and the parents' links. */
static int
ext2_reparent(struct ext2_inode *ip, struct ext2_inode *fdp,
    struct ext2_inode *tdp)
{
	int error;

	if (fdp == tdp)
		return 0;
	if ((error = ext2_dir_setparent(ip, tdp->i_number)) != 0)
		return error;
	(void)ext2_iupdate(ip);
	tdp->i_nlink++;
	(void)ext2_iupdate(tdp);
	if (fdp->i_nlink > 2)
		fdp->i_nlink--;
	return ext2_iupdate(fdp);
}

static int
ext2_rename(struct vnode *fdvp, const char *fname, size_t flen,
    struct vnode *fvp, struct vnode *tdvp, const char *tname, size_t tlen,
    struct vnode *tvp, unsigned flags)
{
	struct ext2_inode *fdp = VTOI(fdvp), *tdp = VTOI(tdvp);
	struct ext2_inode *fip = VTOI(fvp), *tip;
	bool fdir = fvp->v_type == VDIR, empty;
	int error;

	if (fdvp->v_mount != tdvp->v_mount || fvp->v_mount != tdvp->v_mount)
		return EXDEV;
	if (fdp->i_em->em_ronly)
		return EROFS;
	tip = tvp != NULL ? VTOI(tvp) : NULL;
	if ((error = ext2_entry_is(fdvp, fname, flen, fvp)) != 0)
		return error;
	if (tdvp->v_type != VDIR)
		return ENOTDIR;
	if (tdp->i_nlink == 0)
		return ENOENT;
	if (tip != NULL && (error = ext2_entry_is(tdvp, tname, tlen,
	    tvp)) != 0)
		return error;

	if (flags & RENAME_EXCHANGE) {
		if (tip == NULL)
			return ENOENT;
		if (fip == tip)
			return 0;
		if ((error = ext2_dir_rewrite(fdp, fname, flen, tip->i_number,
		    tip->i_mode)) != 0 ||
		    (error = ext2_dir_rewrite(tdp, tname, tlen, fip->i_number,
		    fip->i_mode)) != 0)
			return error;
		if (fdir != (tvp->v_type == VDIR) || fdp != tdp) {
			if (fdir && (error = ext2_reparent(fip, fdp, tdp)) != 0)
				return error;
			if (tvp->v_type == VDIR &&
			    (error = ext2_reparent(tip, tdp, fdp)) != 0)
				return error;
		}
		ext2_itimes(tip, false, false, true);
		(void)ext2_iupdate(tip);
		goto done;
	}

	if (fip == tip)
		return 0;
	if (tip != NULL) {
		if (tvp->v_type == VDIR) {
			if (!fdir)
				return EISDIR;
			if ((error = ext2_dir_isempty(tip, &empty)) != 0)
				return error;
			if (!empty)
				return ENOTEMPTY;
		} else if (fdir)
			return ENOTDIR;
		if ((error = ext2_dir_rewrite(tdp, tname, tlen, fip->i_number,
		    fip->i_mode)) != 0)
			return error;
		if ((error = ext2_dir_remove(fdp, fname, flen)) != 0)
			return error;
		if (tvp->v_type == VDIR) {
			tip->i_nlink = 0;
			ext2_itimes(tip, false, false, true);
			(void)ext2_iupdate(tip);
			/* The target's ".." link on tdp goes. */
			if (tdp->i_nlink > 2)
				tdp->i_nlink--;
			(void)ext2_iupdate(tdp);
		} else
			ext2_droplink(tip);
	} else {
		if (tlen == 0)
			return ENOENT;
		if (tlen > NAME_MAX)
			return ENAMETOOLONG;
		if (fdir && fdp != tdp && tdp->i_nlink >= EXT2_LINK_MAX)
			return EMLINK;
		if ((error = ext2_canadd(tdvp, tname, tlen)) != 0)
			return error;
		if ((error = ext2_dir_add(tdp, tname, tlen, fip->i_number,
		    fip->i_mode)) != 0)
			return error;
		if ((error = ext2_dir_remove(fdp, fname, flen)) != 0)
			return error;
	}
	if (fdir && (error = ext2_reparent(fip, fdp, tdp)) != 0)
		return error;
done:
	ext2_itimes(fip, false, false, true);
	(void)ext2_iupdate(fip);
	ext2_itimes(fdp, false, true, true);
	(void)ext2_iupdate(fdp);
	if (tdp != fdp) {
		ext2_itimes(tdp, false, true, true);
		(void)ext2_iupdate(tdp);
	}
	return 0;
}

static int
ext2_readdir(struct vnode *vp, struct uio *uio)
{
	struct ext2_inode *dp = VTOI(vp);

	if (vp->v_type != VDIR)
		return ENOTDIR;
	if (dp->i_nlink == 0)
		return ENOENT;
	return ext2_dir_getdents(dp, uio);
}
