/*
 * tmpfs_vnops.c: tmpfs name-space operations (lookup, create, link,
 * remove, rename, readdir, readlink) and the vnode operations table.
 *
 * The vfs layer has checked permissions, types, loops and sticky bits
 * before calling here; these functions still refuse what would corrupt
 * the tree (an existing name, a non-empty directory replaced, an entry in
 * a removed directory) with Linux's errno.  Timestamps follow Linux:
 * creating, linking or removing a name touches the directory's mtime and
 * ctime and the node's ctime.
 *
 * New nodes get their vnode through vcache_get() with the node's address
 * as key; vfs_loadvnode (tmpfs_vfsops.c) binds the two.
 *
 * Locking: vfs_giant, held by the caller.
 */
#include "tmpfs.h"

const struct vnodeops tmpfs_vnodeops = {
	.vop_lookup = tmpfs_lookup,
	.vop_create = tmpfs_create,
	.vop_mkdir = tmpfs_mkdir,
	.vop_symlink = tmpfs_symlink,
	.vop_link = tmpfs_link,
	.vop_remove = tmpfs_remove,
	.vop_rmdir = tmpfs_rmdir,
	.vop_rename = tmpfs_rename,
	.vop_readdir = tmpfs_readdir,
	.vop_readlink = tmpfs_readlink,
	.vop_getattr = tmpfs_getattr,
	.vop_setattr = tmpfs_setattr,
	.vop_read = tmpfs_read,
	.vop_write = tmpfs_write,
	.vop_fallocate = tmpfs_fallocate,
	.vop_mapobj = tmpfs_mapobj,
	.vop_seekdata = tmpfs_seekdata,
	.vop_fsync = tmpfs_fsync,
	.vop_inactive = tmpfs_inactive,
	.vop_reclaim = tmpfs_reclaim,
};

int
tmpfs_lookup(struct vnode *dvp, const char *name, size_t namelen,
    struct vnode **vpp)
{
	struct tmpfs_node *dir = VTOTN(dvp), *parent;
	struct tmpfs_dirent *de;

	if (dir->tn_type != VDIR)
		return ENOTDIR;
	if (namelen == 1 && name[0] == '.') {
		vref(dvp);
		*vpp = dvp;
		return 0;
	}
	if (namelen == 2 && name[0] == '.' && name[1] == '.') {
		/* A removed directory has no parent any more. */
		if ((parent = dir->tn_d.td_parent) == NULL)
			return ENOENT;
		if (parent == dir) {
			vref(dvp);
			*vpp = dvp;
			return 0;
		}
		return vcache_get(dvp->v_mount, TMPFS_KEY(parent), vpp);
	}
	if (namelen > NAME_MAX)
		return ENAMETOOLONG;
	if ((de = tmpfs_dir_lookup(dir, name, namelen)) == NULL)
		return ENOENT;
	return vcache_get(dvp->v_mount, TMPFS_KEY(de->td_node), vpp);
}

/* Checks common to everything that adds a name to dvp. */
static int
tmpfs_dir_canadd(struct tmpfs_node *dir, const char *name, size_t namelen)
{
	if (dir->tn_type != VDIR)
		return ENOTDIR;
	/* Linux: nothing can be created in a removed directory. */
	if (dir->tn_nlink == 0)
		return ENOENT;
	if (namelen == 0)
		return ENOENT;
	if (namelen > NAME_MAX)
		return ENAMETOOLONG;
	if (tmpfs_dir_lookup(dir, name, namelen) != NULL)
		return EEXIST;
	return 0;
}

/* Makes a node of type under dvp/name and returns its vnode. */
static int
tmpfs_makenode(struct vnode *dvp, const char *name, size_t namelen,
    enum vtype type, const struct vattr *va, const char *target,
    struct vnode **vpp)
{
	struct tmpfs_node *dir = VTOTN(dvp), *node;
	struct tmpfs_dirent *de;
	struct vnode *vp;
	size_t tlen = 0;
	mode_t mode;
	int error;

	if ((error = tmpfs_dir_canadd(dir, name, namelen)) != 0)
		return error;
	if (type == VDIR && dir->tn_nlink >= TMPFS_LINK_MAX)
		return EMLINK;
	mode = va->va_mode;
	if (type == VLNK) {
		if (target == NULL)
			return EINVAL;
		tlen = strlen(target);
		if (tlen == 0)
			return ENOENT;
		if (tlen >= PATH_MAX)
			return ENAMETOOLONG;
		mode = 0777;		/* symlink modes mean nothing */
	}
	/* Every allocation before the entry goes in, so nothing to undo. */
	if ((error = tmpfs_dir_reserve(dir)) != 0)
		return error;
	error = tmpfs_node_alloc(dir->tn_mount, type, mode, va->va_uid,
	    va->va_gid, va->va_rdev, &node);
	if (error != 0)
		return error;
	if (type == VLNK) {
		if ((node->tn_u.tn_target = kmem_alloc(tlen + 1)) == NULL) {
			tmpfs_node_free(node);
			return ENOSPC;
		}
		memcpy(node->tn_u.tn_target, target, tlen + 1);
		node->tn_size = (int64_t)tlen;
	}
	if ((error = tmpfs_dirent_alloc(name, namelen, &de)) != 0) {
		tmpfs_node_free(node);
		return error;
	}
	if ((error = vcache_get(dvp->v_mount, TMPFS_KEY(node), &vp)) != 0) {
		tmpfs_dirent_free(de);
		node->tn_vnode = NULL;
		tmpfs_node_free(node);
		return error;
	}
	tmpfs_dir_insert(dir, de, node);
	tmpfs_update(dir, TMPFS_UPD_MTIME | TMPFS_UPD_CTIME);
	*vpp = vp;
	return 0;
}

int
tmpfs_create(struct vnode *dvp, const char *name, size_t namelen,
    const struct vattr *va, struct vnode **vpp)
{
	switch (va->va_type) {
	case VREG:
	case VFIFO:
	case VCHR:
	case VBLK:
	case VSOCK:
		return tmpfs_makenode(dvp, name, namelen, va->va_type, va,
		    NULL, vpp);
	default:
		return EINVAL;
	}
}

int
tmpfs_mkdir(struct vnode *dvp, const char *name, size_t namelen,
    const struct vattr *va, struct vnode **vpp)
{
	return tmpfs_makenode(dvp, name, namelen, VDIR, va, NULL, vpp);
}

int
tmpfs_symlink(struct vnode *dvp, const char *name, size_t namelen,
    const struct vattr *va, const char *target, struct vnode **vpp)
{
	return tmpfs_makenode(dvp, name, namelen, VLNK, va, target, vpp);
}

int
tmpfs_link(struct vnode *dvp, const char *name, size_t namelen,
    struct vnode *vp)
{
	struct tmpfs_node *dir = VTOTN(dvp), *node = VTOTN(vp);
	struct tmpfs_dirent *de;
	int error;

	if (dvp->v_mount != vp->v_mount)
		return EXDEV;
	if (node->tn_type == VDIR)
		return EPERM;
	if ((error = tmpfs_dir_canadd(dir, name, namelen)) != 0)
		return error;
	/* Whether an unlinked file may come back (O_TMPFILE) is the VFS's call. */
	if (node->tn_nlink >= TMPFS_LINK_MAX)
		return EMLINK;
	if ((error = tmpfs_dir_reserve(dir)) != 0)
		return error;
	if ((error = tmpfs_dirent_alloc(name, namelen, &de)) != 0)
		return error;
	tmpfs_dir_insert(dir, de, node);
	tmpfs_update(node, TMPFS_UPD_CTIME);
	tmpfs_update(dir, TMPFS_UPD_MTIME | TMPFS_UPD_CTIME);
	return 0;
}

/* The entry name in dir, which must name vp's node. */
static struct tmpfs_dirent *
tmpfs_dir_find(struct tmpfs_node *dir, const char *name, size_t namelen,
    struct vnode *vp)
{
	struct tmpfs_dirent *de;

	if (dir->tn_type != VDIR)
		return NULL;
	de = tmpfs_dir_lookup(dir, name, namelen);
	if (de == NULL || de->td_node != VTOTN(vp))
		return NULL;
	return de;
}

int
tmpfs_remove(struct vnode *dvp, const char *name, size_t namelen,
    struct vnode *vp)
{
	struct tmpfs_node *dir = VTOTN(dvp), *node = VTOTN(vp);
	struct tmpfs_dirent *de;

	if ((de = tmpfs_dir_find(dir, name, namelen, vp)) == NULL)
		return ENOENT;
	if (node->tn_type == VDIR)
		return EISDIR;
	tmpfs_dir_detach(dir, de);
	tmpfs_dirent_free(de);
	/* At nlink 0 the node lives on until its last vnode reference. */
	tmpfs_update(node, TMPFS_UPD_CTIME);
	tmpfs_update(dir, TMPFS_UPD_MTIME | TMPFS_UPD_CTIME);
	return 0;
}

int
tmpfs_rmdir(struct vnode *dvp, const char *name, size_t namelen,
    struct vnode *vp)
{
	struct tmpfs_node *dir = VTOTN(dvp), *node = VTOTN(vp);
	struct tmpfs_dirent *de;

	if ((de = tmpfs_dir_find(dir, name, namelen, vp)) == NULL)
		return ENOENT;
	if (node->tn_type != VDIR)
		return ENOTDIR;
	if (node == node->tn_mount->tm_root)
		return EBUSY;
	if (node->tn_d.td_nentries != 0)
		return ENOTEMPTY;
	tmpfs_dir_detach(dir, de);
	tmpfs_dirent_free(de);
	node->tn_nlink = 0;		/* its "." goes too */
	tmpfs_update(node, TMPFS_UPD_CTIME);
	tmpfs_update(dir, TMPFS_UPD_MTIME | TMPFS_UPD_CTIME);
	return 0;
}

/*
 * rename: the vfs checked permissions, loops, type compatibility and
 * RENAME_NOREPLACE.  A replaced target loses a link (a directory all of
 * them); a moved directory's ".." follows it, which moves one link from
 * the old parent to the new.
 */
int
tmpfs_rename(struct vnode *fdvp, const char *fname, size_t flen,
    struct vnode *fvp, struct vnode *tdvp, const char *tname, size_t tlen,
    struct vnode *tvp, unsigned flags)
{
	struct tmpfs_node *fdir = VTOTN(fdvp), *tdir = VTOTN(tdvp);
	struct tmpfs_node *fnode = VTOTN(fvp), *tnode;
	struct tmpfs_dirent *fde, *tde, *nde;
	int error;

	if (fdvp->v_mount != tdvp->v_mount || fvp->v_mount != tdvp->v_mount)
		return EXDEV;
	tnode = tvp != NULL ? VTOTN(tvp) : NULL;
	if ((fde = tmpfs_dir_find(fdir, fname, flen, fvp)) == NULL)
		return ENOENT;
	if (tdir->tn_type != VDIR)
		return ENOTDIR;
	if (tdir->tn_nlink == 0)
		return ENOENT;
	tde = NULL;
	if (tnode != NULL &&
	    (tde = tmpfs_dir_find(tdir, tname, tlen, tvp)) == NULL)
		return ENOENT;

	if (flags & RENAME_EXCHANGE) {
		if (tnode == NULL)
			return ENOENT;
		if (fnode == tnode)
			return 0;
		/* Entries keep their names and cookies, swap their nodes. */
		tmpfs_dir_replace(fdir, fde, tnode);
		tmpfs_dir_replace(tdir, tde, fnode);
		tmpfs_update(tnode, TMPFS_UPD_CTIME);
		goto done;
	}

	/* Two names of one file: POSIX says do nothing, successfully. */
	if (fnode == tnode)
		return 0;
	if (tnode != NULL) {
		if (tnode->tn_type == VDIR) {
			if (fnode->tn_type != VDIR)
				return EISDIR;
			if (tnode->tn_d.td_nentries != 0)
				return ENOTEMPTY;
		} else if (fnode->tn_type == VDIR)
			return ENOTDIR;
		tmpfs_dir_detach(fdir, fde);
		tmpfs_dirent_free(fde);
		tmpfs_dir_replace(tdir, tde, fnode);
		if (tnode->tn_type == VDIR) {
			tnode->tn_nlink = 0;
			tnode->tn_d.td_parent = NULL;
		}
		tmpfs_update(tnode, TMPFS_UPD_CTIME);
		goto done;
	}

	if (tlen == 0)
		return ENOENT;
	if (tlen > NAME_MAX)
		return ENAMETOOLONG;
	if (fnode->tn_type == VDIR && fdir != tdir &&
	    tdir->tn_nlink >= TMPFS_LINK_MAX)
		return EMLINK;
	if (tmpfs_dir_lookup(tdir, tname, tlen) != NULL)
		return EEXIST;
	if ((error = tmpfs_dir_reserve(tdir)) != 0)
		return error;
	if ((error = tmpfs_dirent_alloc(tname, tlen, &nde)) != 0)
		return error;
	tmpfs_dir_detach(fdir, fde);
	tmpfs_dirent_free(fde);
	tmpfs_dir_insert(tdir, nde, fnode);
done:
	tmpfs_update(fnode, TMPFS_UPD_CTIME);
	tmpfs_update(fdir, TMPFS_UPD_MTIME | TMPFS_UPD_CTIME);
	if (tdir != fdir)
		tmpfs_update(tdir, TMPFS_UPD_MTIME | TMPFS_UPD_CTIME);
	return 0;
}

int
tmpfs_readdir(struct vnode *vp, struct uio *uio)
{
	struct tmpfs_node *dir = VTOTN(vp);
	int error;

	if (dir->tn_type != VDIR)
		return ENOTDIR;
	/* Linux: reading a removed directory is ENOENT. */
	if (dir->tn_nlink == 0)
		return ENOENT;
	error = tmpfs_dir_getdents(dir, uio);
	tmpfs_accessed(dir);
	return error;
}

int
tmpfs_readlink(struct vnode *vp, struct uio *uio)
{
	struct tmpfs_node *node = VTOTN(vp);
	int error;

	if (node->tn_type != VLNK)
		return EINVAL;
	error = uiomove(node->tn_u.tn_target,
	    MIN((size_t)node->tn_size, uio->uio_resid), uio);
	tmpfs_accessed(node);
	return error;
}
