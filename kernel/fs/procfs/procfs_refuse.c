/*
 * procfs_refuse.c: the vnode operations procfs and sysfs refuse, with the
 * errnos Linux's pseudo file systems give (no create method is EACCES,
 * no mknod, mkdir, link or rename method EPERM, no fsync EINVAL).
 */
#include "procfs.h"

int
procfs_create(struct vnode *dvp, const char *name, size_t namelen,
    const struct vattr *va, struct vnode **vpp)
{
	(void)dvp; (void)name; (void)namelen; (void)vpp;
	/* Linux: no create method is EACCES, no mknod method EPERM. */
	return va->va_type == VREG ? EACCES : EPERM;
}

int
procfs_mkdir(struct vnode *dvp, const char *name, size_t namelen,
    const struct vattr *va, struct vnode **vpp)
{
	(void)dvp; (void)name; (void)namelen; (void)va; (void)vpp;
	return EPERM;
}

int
procfs_symlink(struct vnode *dvp, const char *name, size_t namelen,
    const struct vattr *va, const char *target, struct vnode **vpp)
{
	(void)dvp; (void)name; (void)namelen; (void)va; (void)target;
	(void)vpp;
	return EPERM;
}

int
procfs_link(struct vnode *dvp, const char *name, size_t namelen,
    struct vnode *vp)
{
	(void)dvp; (void)name; (void)namelen; (void)vp;
	return EPERM;
}

int
procfs_remove(struct vnode *dvp, const char *name, size_t namelen,
    struct vnode *vp)
{
	(void)dvp; (void)name; (void)namelen; (void)vp;
	return EPERM;
}

int
procfs_rename(struct vnode *fdvp, const char *fname, size_t flen,
    struct vnode *fvp, struct vnode *tdvp, const char *tname, size_t tlen,
    struct vnode *tvp, unsigned flags)
{
	(void)fdvp; (void)fname; (void)flen; (void)fvp; (void)tdvp;
	(void)tname; (void)tlen; (void)tvp; (void)flags;
	return EPERM;
}

int
procfs_fallocate(struct vnode *vp, int mode, int64_t off, int64_t len)
{
	(void)vp; (void)mode; (void)off; (void)len;
	return EOPNOTSUPP;
}

/* Linux's seq files seek only with SEEK_SET and SEEK_CUR. */
int
procfs_seekdata(struct vnode *vp, int whence, int64_t off, int64_t *resultp)
{
	(void)vp; (void)whence; (void)off; (void)resultp;
	return EINVAL;
}

/* Linux: procfs files have no fsync method, which is EINVAL. */
int
procfs_fsync(struct vnode *vp, bool dataonly)
{
	(void)vp; (void)dataonly;
	return EINVAL;
}

