/*
 * vfs_getcwd.c: from vnodes back to names: getcwd(2), the paths procfs
 * shows (vfs_vnode_path), and the working and root directories (chdir,
 * fchdir, chroot).
 *
 * A directory's path is found by walking "..": in each parent the
 * directory's name is looked up in a small name cache, or else found by
 * reading the parent (tmpfs directories are small) and comparing inode
 * numbers.  A non-directory has no ".."; its name is known only from the
 * name cache, entered when it was opened or created.  Every cache hit is
 * checked by looking the name up again, so renames and unlinks never give
 * a wrong answer, at worst ENOENT.
 *
 * The cache holds no references: an entry names its vnode and the parent
 * directory's vnode by pointer, and is dropped when either is freed
 * (ncache_purge from the vnode cache), so its pointers are always live.
 *
 * Locking: vfs_giant covers the cache and every walk.
 */
#include "vfs_private.h"

#include "syscallargs.h"

struct ncentry {
	LIST_ENTRY(ncentry) nc_byvp;
	LIST_ENTRY(ncentry) nc_bydvp;
	struct vnode *nc_vp;
	struct vnode *nc_dvp;
	size_t nc_len;
	char nc_name[];
};

#define NC_HASHBITS	10
#define NC_HASHSIZE	(1U << NC_HASHBITS)
static LIST_HEAD(nchead, ncentry) nc_byvp[NC_HASHSIZE], nc_bydvp[NC_HASHSIZE];

static inline unsigned
nc_hash(const struct vnode *vp)
{
	uint64_t h = (uint64_t)(uintptr_t)vp * 0x9e3779b97f4a7c15ULL;

	return (unsigned)(h >> (64 - NC_HASHBITS));
}

static struct ncentry *
nc_find(const struct vnode *vp)
{
	struct ncentry *e;

	LIST_FOREACH(e, &nc_byvp[nc_hash(vp)], nc_byvp) {
		if (e->nc_vp == vp)
			return e;
	}
	return NULL;
}

static void
nc_free(struct ncentry *e)
{
	LIST_REMOVE(e, nc_byvp);
	LIST_REMOVE(e, nc_bydvp);
	kmem_free(e, sizeof(*e) + e->nc_len + 1);
}

void
ncache_enter(struct vnode *dvp, const char *name, size_t len,
    struct vnode *vp)
{
	struct ncentry *e;

	if ((e = nc_find(vp)) != NULL) {
		/* strncmp: clang turns memcmp() == 0 into bcmp (boundary). */
		if (e->nc_dvp == dvp && e->nc_len == len &&
		    strncmp(e->nc_name, name, len) == 0)
			return;
		nc_free(e);
	}
	/* The cache is a hint: without memory, there is no entry. */
	if ((e = kmem_alloc(sizeof(*e) + len + 1)) == NULL)
		return;
	e->nc_vp = vp;
	e->nc_dvp = dvp;
	e->nc_len = len;
	memcpy(e->nc_name, name, len);
	e->nc_name[len] = '\0';
	LIST_INSERT_HEAD(&nc_byvp[nc_hash(vp)], e, nc_byvp);
	LIST_INSERT_HEAD(&nc_bydvp[nc_hash(dvp)], e, nc_bydvp);
}

void
ncache_purge(struct vnode *vp)
{
	struct ncentry *e, *ne;

	if ((e = nc_find(vp)) != NULL)
		nc_free(e);
	LIST_FOREACH_SAFE(e, &nc_bydvp[nc_hash(vp)], nc_bydvp, ne) {
		if (e->nc_dvp == vp)
			nc_free(e);
	}
}

/* True if name in dvp is still vp. */
static bool
nc_valid(struct vnode *dvp, const char *name, size_t len, struct vnode *vp)
{
	struct vnode *xvp;
	bool ok;

	if (vn_lookup(dvp, name, len, &xvp) != 0)
		return false;
	ok = xvp == vp;
	vrele(xvp);
	return ok;
}

/* Finds vp's name in directory dvp into name[NAME_MAX + 1]. */
static int
vn_dirname(struct vnode *dvp, struct vnode *vp, char *name, size_t *lenp)
{
	struct linux_dirent64 *d;
	struct ncentry *e;
	struct vattr va;
	struct iovec iov;
	struct uio uio;
	int64_t cookie = 0;
	size_t n, off, len;
	char *buf;
	int error;

	if ((e = nc_find(vp)) != NULL && e->nc_dvp == dvp &&
	    nc_valid(dvp, e->nc_name, e->nc_len, vp)) {
		memcpy(name, e->nc_name, e->nc_len + 1);
		*lenp = e->nc_len;
		return 0;
	}
	if (dvp->v_op->vop_readdir == NULL)
		return ENOENT;
	if ((error = vn_getattr(vp, &va)) != 0)
		return error;
	if ((buf = kmem_alloc(4096)) == NULL)
		return ENOMEM;
	for (error = ENOENT;;) {
		iov.iov_base = buf;
		iov.iov_len = 4096;
		uio = (struct uio){ .uio_iov = &iov, .uio_iovcnt = 1,
		    .uio_offset = cookie, .uio_resid = 4096,
		    .uio_rw = UIO_READ, .uio_kernel = true,
		    .uio_internal = true };
		if (dvp->v_op->vop_readdir(dvp, &uio) != 0)
			break;
		n = 4096 - uio.uio_resid;
		if (n == 0 || uio.uio_offset == cookie)
			break;
		cookie = uio.uio_offset;
		for (off = 0; off + sizeof(*d) <= n; off += d->d_reclen) {
			d = (struct linux_dirent64 *)(void *)(buf + off);
			if (d->d_reclen == 0)
				break;
			len = strlen(d->d_name);
			if (d->d_ino != va.va_fileid || vn_isdot(d->d_name, len) ||
			    vn_isdotdot(d->d_name, len) || len > NAME_MAX)
				continue;
			if (nc_valid(dvp, d->d_name, len, vp)) {
				memcpy(name, d->d_name, len + 1);
				*lenp = len;
				error = 0;
				break;
			}
		}
		if (error == 0)
			break;
	}
	kmem_free(buf, 4096);
	if (error == 0)
		ncache_enter(dvp, name, *lenp, vp);
	return error;
}

int
vn_path(struct vnode *vp, struct vnode *root, char *buf, size_t len,
    char **startp, bool *unreachablep)
{
	char name[NAME_MAX + 1];
	struct vnode *cur, *parent;
	struct ncentry *e;
	size_t nlen;
	char *p;
	int error = 0;

	*unreachablep = false;
	if (len < 2)
		return ENAMETOOLONG;
	p = buf + len;
	*--p = '\0';
	cur = vp;
	vref(cur);
	while (cur != root) {
		if (vn_ismountroot(cur)) {
			if (cur->v_mount->mnt_vnodecovered == NULL) {
				*unreachablep = true;
				break;
			}
			parent = cur->v_mount->mnt_vnodecovered;
			vref(parent);
			vrele(cur);
			cur = parent;
			continue;
		}
		if (cur->v_type == VDIR) {
			if ((error = vn_lookup(cur, "..", 2, &parent)) != 0)
				break;
			if ((error = vn_dirname(parent, cur, name, &nlen)) != 0) {
				vrele(parent);
				break;
			}
		} else {
			if ((e = nc_find(cur)) == NULL) {
				error = ENOENT;
				break;
			}
			/* Held first: the lookup may reclaim free vnodes. */
			parent = e->nc_dvp;
			vref(parent);
			nlen = e->nc_len;
			memcpy(name, e->nc_name, nlen + 1);
			if (!nc_valid(parent, name, nlen, cur)) {
				vrele(parent);
				error = ENOENT;
				break;
			}
		}
		if ((size_t)(p - buf) < nlen + 1) {
			vrele(parent);
			error = ENAMETOOLONG;
			break;
		}
		p -= nlen;
		memcpy(p, name, nlen);
		*--p = '/';
		vrele(cur);
		cur = parent;
	}
	vrele(cur);
	if (error != 0)
		return error;
	if (*p == '\0') {
		if (p == buf)
			return ENAMETOOLONG;
		*--p = '/';
	}
	*startp = p;
	return 0;
}

int
vfs_vnode_path(struct vnode *vp, char *buf, size_t len)
{
	bool unreachable;
	char *start;
	int error;

	if (rootvnode == NULL)
		return ENOENT;
	if ((error = vn_path(vp, rootvnode, buf, len, &start,
	    &unreachable)) != 0)
		return error;
	if (unreachable)
		return ENOENT;		/* in a detached tree */
	memmove(buf, start, strlen(start) + 1);
	return 0;
}

int
sys_getcwd(struct lwp *l, char *ubuf, size_t size, register_t *retval)
{
	static const char unreach[] = "(unreachable)";
	struct proc *p = l->l_proc;
	struct vnode *cwd, *root;
	bool unreachable;
	char *buf, *start;
	size_t n;
	int error;

	if ((buf = kmem_alloc(PATH_MAX)) == NULL)
		return ENOMEM;
	vfs_lock();
	cwd = p->p_cwd != NULL ? p->p_cwd : rootvnode;
	root = p->p_root != NULL ? p->p_root : rootvnode;
	error = cwd == NULL ? ENOENT :
	    vn_path(cwd, root, buf, PATH_MAX, &start, &unreachable);
	vfs_unlock();
	if (error == 0 && unreachable) {
		/* Linux marks a cwd outside the process root this way. */
		if ((size_t)(start - buf) < sizeof(unreach) - 1)
			error = ENAMETOOLONG;
		else {
			start -= sizeof(unreach) - 1;
			memcpy(start, unreach, sizeof(unreach) - 1);
		}
	}
	if (error == 0) {
		n = (size_t)(buf + PATH_MAX - start);
		if (size < n)
			error = ERANGE;
		else if ((error = copyout(start, ubuf, n)) == 0)
			*retval = (register_t)n;
	}
	kmem_free(buf, PATH_MAX);
	return error;
}

/* Makes vp (a searchable directory) p's cwd or root; with vfs_giant. */
static void
vfs_setdir(struct proc *p, struct vnode *vp, bool isroot)
{
	struct vnode *old;

	vref(vp);
	mutex_enter(&p->p_lock);
	if (isroot) {
		old = p->p_root;
		p->p_root = vp;
	} else {
		old = p->p_cwd;
		p->p_cwd = vp;
	}
	mutex_exit(&p->p_lock);
	if (old != NULL)
		vrele(old);
}

/* chdir and chroot: the target must be a directory we may search. */
static int
vfs_chdir_common(struct lwp *l, const char *upath, bool isroot)
{
	struct pathbuf pb;
	struct nameidata nd;
	struct vnode *vp;
	int error;

	if ((error = pathbuf_copyin(upath, &pb)) != 0)
		return error;
	vfs_lock();
	nd.ni_dirfd = AT_FDCWD;
	nd.ni_path = pb.pb_path;
	nd.ni_flags = NAMEI_FOLLOW;
	if ((error = namei(&nd)) == 0) {
		vp = nd.ni_vp;
		if (vp->v_type != VDIR)
			error = ENOTDIR;
		else if ((error = vn_access(vp, X_OK, l->l_cred)) == 0) {
			/* CAP_SYS_CHROOT, checked after the path as Linux. */
			if (isroot && l->l_cred->cr_euid != 0)
				error = EPERM;
			else
				vfs_setdir(l->l_proc, vp, isroot);
		}
		namei_done(&nd);
	}
	vfs_unlock();
	pathbuf_free(&pb);
	return error;
}

int
sys_chdir(struct lwp *l, const char *upath, register_t *retval)
{
	*retval = 0;
	return vfs_chdir_common(l, upath, false);
}

int
sys_chroot(struct lwp *l, const char *upath, register_t *retval)
{
	*retval = 0;
	return vfs_chdir_common(l, upath, true);
}

int
sys_fchdir(struct lwp *l, int fd, register_t *retval)
{
	struct file *fp;
	struct vnode *vp;
	int error;

	*retval = 0;
	if ((error = fd_getvnode(fd, true, &fp, &vp)) != 0)
		return error;
	vfs_lock();
	if (vp == NULL || vp->v_type != VDIR)
		error = ENOTDIR;
	else if ((error = vn_access(vp, X_OK, l->l_cred)) == 0)
		vfs_setdir(l->l_proc, vp, false);
	vfs_unlock();
	file_rele(fp);
	return error;
}
