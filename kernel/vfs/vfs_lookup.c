/*
 * vfs_lookup.c: namei, path name resolution with Linux's rules.
 *
 * A path is resolved component by component from the process root
 * (absolute) or from ni_dirfd (AT_FDCWD: the cwd).  Every directory
 * traversed needs search permission.  ".." at the process root stays
 * there; ".." at the root of a mounted file system continues from the
 * covered vnode; a directory with a mount on it is replaced by the
 * mount's root.  Symbolic links are followed in the middle of a path, at
 * the end with NAMEI_FOLLOW, and whenever a trailing slash follows them;
 * at most MAXSYMLINKS per lookup (ELOOP).  A relative target continues
 * from the link's directory, an absolute one from the root.  The expanded
 * path lives in ni_buf, freed by namei_done().
 *
 * NAMEI_PARENT stops before the last component: ni_dvp is its directory,
 * ni_name/ni_namelen the name ("." and ".." included: the caller decides
 * what they mean), ni_vp the vnode if the name exists (not crossed into a
 * mount, so that mount points can be refused), else NULL.  A path made
 * only of slashes gives the root with an empty name.  With NAMEI_FOLLOW a
 * final symlink is followed first (open with O_CREAT creates its target).
 *
 * openat2's RESOLVE_* are NAMEI_BENEATH (no escape above the dirfd:
 * EXDEV), NAMEI_INROOT (the dirfd acts as the root), NAMEI_NOXDEV (no
 * mount crossing: EXDEV) and NAMEI_NOSYMLINKS (ELOOP on any symlink).
 *
 * The sysctl vfs.linkprefix (empty: off) names where clients show this
 * kernel's root: the hijack's "/rump".  An absolute link target under it
 * resolves as if the prefix were not written, so "ln -s /rump/x y" in a
 * hijacked program reaches the kernel's /x, while readlink still answers
 * the text as written.  A process that set RUMP_PR_LINKOUT (the hijack)
 * gets ELINKOUT for an absolute target outside the prefix: that target is
 * a host path, and the hijack finishes the call on the host.
 *
 * Locking: vfs_giant held throughout.  The process root is borrowed
 * without a reference: changing it needs vfs_giant.
 */
#include "k/sysctl.h"
#include "vfs_private.h"

#define LINKPREFIX_MAX	256

static char linkprefix_text[LINKPREFIX_MAX];	/* the sysctl's value */
static char linkprefix[LINKPREFIX_MAX];		/* in use: vfs_giant */
static size_t linkprefix_len;

/* A new vfs.linkprefix: taken if absolute, trailing slashes dropped. */
static void
linkprefix_changed(const struct sysctl_node *n)
{
	char v[LINKPREFIX_MAX];
	size_t len;

	(void)sysctl_read_text(n, v, sizeof(v), &len);
	while (len > 0 && (v[len - 1] == '\n' || v[len - 1] == '/'))
		len--;
	vfs_lock();
	if (len > 0 && v[0] == '/') {
		memcpy(linkprefix, v, len);
		linkprefix_len = len;
	} else {
		linkprefix_len = 0;
	}
	vfs_unlock();
}

static struct sysctl_node linkprefix_node = {
	.sn_name = "vfs.linkprefix", .sn_type = SYSCTL_STRING,
	.sn_writable = true, .sn_str = linkprefix_text,
	.sn_len = sizeof(linkprefix_text), .sn_changed = linkprefix_changed,
};

int
namei_init(void)
{
	return sysctl_register(&linkprefix_node);
}

/* The n bytes of a link target at buf, less vfs.linkprefix if it starts
 * with it ("/rump/x" to "/x", "/rump" to "/"); the new length. */
static size_t
ni_unprefix(char *buf, size_t n)
{
	size_t m = linkprefix_len;

	if (m == 0 || n < m || memcmp(buf, linkprefix, m) != 0 ||
	    (n > m && buf[m] != '/'))
		return n;
	if (n == m) {
		buf[0] = '/';
		return 1;
	}
	memmove(buf, buf + m, n - m);
	return n - m;
}

struct nistate {
	struct nameidata *nd;
	const struct kauth_cred *cred;	/* NULL for NAMEI_KERNEL */
	struct vnode *root;		/* where "/" and ".." stop */
	struct mount *mnt;		/* NAMEI_NOXDEV: the only mount */
	int flags;
	int depth;			/* NAMEI_BENEATH: levels below dirfd */
	int nlinks;
};

/* The directory a relative lookup starts from, referenced. */
static int
ni_getdir(struct nameidata *nd, bool anytype, struct vnode **vpp)
{
	struct file *fp;
	struct vnode *vp;
	int error;

	if (nd->ni_flags & NAMEI_KERNEL) {
		vp = rootvnode;
	} else if (nd->ni_dirfd == AT_FDCWD) {
		vp = curproc->p_cwd;
		if (vp == NULL)
			vp = rootvnode;
	} else {
		if ((error = fd_getfile(nd->ni_dirfd, &fp)) != 0)
			return error;
		vp = fp->f_vnode;
		if (vp != NULL)
			vref(vp);
		/* vfs_lock nests, so a last reference may go here. */
		file_rele(fp);
		if (vp == NULL)
			return ENOTDIR;
		if (!anytype && vp->v_type != VDIR) {
			vrele(vp);
			return ENOTDIR;
		}
		*vpp = vp;
		return 0;
	}
	if (vp == NULL)
		return ENOENT;
	vref(vp);
	*vpp = vp;
	return 0;
}

/* Replaces *vpp, a directory with something mounted on it, by the root. */
static int
ni_crossdown(struct nistate *ns, struct vnode **vpp)
{
	struct vnode *vp = *vpp, *root;

	while (vp->v_type == VDIR && vp->v_mountedhere != NULL) {
		if (ns->flags & NAMEI_NOXDEV)
			return EXDEV;
		root = vp->v_mountedhere->mnt_rootvp;
		vref(root);
		vrele(vp);
		*vpp = vp = root;
	}
	return 0;
}

static int
ni_dotdot(struct nistate *ns, struct vnode *cur, struct vnode **nextp)
{
	struct vnode *vp = cur;

	if (cur == ns->root) {
		vref(cur);
		*nextp = cur;
		return 0;
	}
	if ((ns->flags & NAMEI_BENEATH) && ns->depth <= 0)
		return EXDEV;
	while (vn_ismountroot(vp) && vp->v_mount->mnt_vnodecovered != NULL) {
		if (ns->flags & NAMEI_NOXDEV)
			return EXDEV;
		vp = vp->v_mount->mnt_vnodecovered;
		if (vp == ns->root) {
			vref(vp);
			*nextp = vp;
			return 0;
		}
	}
	return vn_lookup(vp, "..", 2, nextp);
}

/*
 * Follows the symlink lnk found in *curp: the path to resolve becomes its
 * target followed by rest, in a new ni_buf.  *curp changes to the root
 * for an absolute target.
 */
static int
ni_follow(struct nistate *ns, struct vnode *lnk, const char *rest,
    struct vnode **curp, const char **cpp)
{
	struct nameidata *nd = ns->nd;
	struct iovec iov;
	struct uio uio;
	size_t n, restlen;
	char *buf;
	int error;

	if (ns->flags & NAMEI_NOSYMLINKS)
		return ELOOP;
	if (++ns->nlinks > MAXSYMLINKS)
		return ELOOP;
	if (lnk->v_op == NULL || lnk->v_op->vop_readlink == NULL)
		return EINVAL;
	if ((buf = kmem_alloc(PATH_MAX)) == NULL)
		return ENOMEM;
	iov.iov_base = buf;
	iov.iov_len = PATH_MAX - 1;
	uio.uio_iov = &iov;
	uio.uio_iovcnt = 1;
	uio.uio_offset = 0;
	uio.uio_resid = PATH_MAX - 1;
	uio.uio_rw = UIO_READ;
	uio.uio_kernel = true;
	uio.uio_internal = true;
	if ((error = lnk->v_op->vop_readlink(lnk, &uio)) != 0)
		goto fail;
	n = PATH_MAX - 1 - uio.uio_resid;
	if (n == 0) {
		error = ENOENT;
		goto fail;
	}
	if (buf[0] == '/') {
		size_t m = ni_unprefix(buf, n);

		/* A target outside the prefix is the host's: the caller
		 * (the hijack) finishes the call there. */
		if (m == n && linkprefix_len > 0 &&
		    !(ns->flags & NAMEI_KERNEL) && curproc->p_linkout) {
			error = ELINKOUT;
			goto fail;
		}
		n = m;
	}
	restlen = strlen(rest);
	if (n + restlen >= PATH_MAX) {
		error = ENAMETOOLONG;
		goto fail;
	}
	/* rest may point into the old ni_buf: copy before freeing it. */
	memcpy(buf + n, rest, restlen + 1);
	if (nd->ni_buf != NULL)
		kmem_free(nd->ni_buf, PATH_MAX);
	nd->ni_buf = buf;
	*cpp = buf;
	if (buf[0] == '/') {
		if ((ns->flags & NAMEI_BENEATH) || ((ns->flags & NAMEI_NOXDEV) &&
		    ns->root->v_mount != ns->mnt))
			return EXDEV;
		vrele(*curp);
		*curp = ns->root;
		vref(*curp);
		ns->depth = 0;
		return ni_crossdown(ns, curp);
	}
	return 0;
fail:
	kmem_free(buf, PATH_MAX);
	return error;
}

int
namei(struct nameidata *nd)
{
	struct nistate ns;
	struct vnode *cur = NULL, *start = NULL, *next;
	const char *cp, *comp, *rest, *q;
	size_t len;
	bool islast, trail;
	int error;

	nd->ni_dvp = nd->ni_vp = NULL;
	nd->ni_name = NULL;
	nd->ni_namelen = 0;
	nd->ni_trailslash = false;
	nd->ni_buf = NULL;
	ns.nd = nd;
	ns.flags = nd->ni_flags;
	ns.depth = 0;
	ns.nlinks = 0;
	ns.mnt = NULL;
	if (ns.flags & NAMEI_KERNEL) {
		ns.cred = NULL;
		ns.root = rootvnode;
	} else {
		struct lwp *l = curlwp;

		ns.cred = l->l_cred;
		ns.root = l->l_proc->p_root != NULL ? l->l_proc->p_root :
		    rootvnode;
	}
	if (ns.root == NULL)
		return ENOENT;

	cp = nd->ni_path;
	if (cp[0] == '\0') {
		if (!(ns.flags & NAMEI_EMPTYPATH) || (ns.flags & NAMEI_PARENT))
			return ENOENT;
		if ((error = ni_getdir(nd, true, &cur)) != 0)
			return error;
		if ((ns.flags & NAMEI_DIRECTORY) && cur->v_type != VDIR) {
			vrele(cur);
			return ENOTDIR;
		}
		nd->ni_vp = cur;
		return 0;
	}
	if (strlen(cp) >= PATH_MAX)
		return ENAMETOOLONG;

	/* Where to begin; a bad dirfd does not matter to absolute paths. */
	if (cp[0] == '/' && (ns.flags & NAMEI_BENEATH))
		return EXDEV;
	if (cp[0] != '/' || (ns.flags & NAMEI_INROOT)) {
		if ((error = ni_getdir(nd, false, &start)) != 0)
			return error;
		if (ns.flags & NAMEI_INROOT)
			ns.root = start;
	}
	cur = cp[0] == '/' ? ns.root : start;
	vref(cur);
	ns.mnt = cur->v_mount;
	if ((error = ni_crossdown(&ns, &cur)) != 0)
		goto out;

	for (;;) {
		while (*cp == '/')
			cp++;
		if (*cp == '\0') {
			/* Only slashes: the directory reached is the result. */
			if (ns.flags & NAMEI_PARENT) {
				vref(cur);
				nd->ni_dvp = cur;
			}
			nd->ni_vp = cur;
			nd->ni_name = cp;
			cur = NULL;
			break;
		}
		comp = cp;
		for (len = 0; comp[len] != '\0' && comp[len] != '/'; len++)
			continue;
		if (len > NAME_MAX) {
			error = ENAMETOOLONG;
			break;
		}
		rest = comp + len;
		for (q = rest; *q == '/'; q++)
			continue;
		islast = *q == '\0';
		trail = islast && rest != q;

		if (cur->v_type != VDIR) {
			error = ENOTDIR;
			break;
		}
		if (ns.cred != NULL &&
		    (error = vn_access(cur, X_OK, ns.cred)) != 0)
			break;

		if (islast && (ns.flags & NAMEI_PARENT)) {
			next = NULL;
			if (vn_isdot(comp, len)) {
				vref(cur);
				next = cur;
			} else if (vn_isdotdot(comp, len)) {
				if ((error = ni_dotdot(&ns, cur, &next)) != 0)
					break;
			} else if ((error = vn_lookup(cur, comp, len,
			    &next)) != 0) {
				if (error != ENOENT)
					break;
				next = NULL;
				error = 0;
			}
			if (next != NULL && next->v_type == VLNK &&
			    (ns.flags & NAMEI_FOLLOW)) {
				error = ni_follow(&ns, next, rest, &cur, &cp);
				vrele(next);
				if (error != 0)
					break;
				continue;
			}
			nd->ni_dvp = cur;
			nd->ni_vp = next;
			nd->ni_name = comp;
			nd->ni_namelen = len;
			nd->ni_trailslash = trail;
			cur = NULL;
			break;
		}

		if (vn_isdot(comp, len)) {
			vref(cur);
			next = cur;
		} else if (vn_isdotdot(comp, len)) {
			if ((error = ni_dotdot(&ns, cur, &next)) != 0)
				break;
		} else {
			if ((error = vn_lookup(cur, comp, len, &next)) != 0)
				break;
			if ((error = ni_crossdown(&ns, &next)) != 0) {
				vrele(next);
				break;
			}
		}
		if (next->v_type == VLNK &&
		    (!islast || (ns.flags & NAMEI_FOLLOW) || trail)) {
			error = ni_follow(&ns, next, rest, &cur, &cp);
			vrele(next);
			if (error != 0)
				break;
			continue;
		}
		if (vn_isdotdot(comp, len))
			ns.depth--;
		else if (!vn_isdot(comp, len)) {
			ns.depth++;
			if (islast && (ns.flags & NAMEI_REMEMBER) &&
			    next->v_type != VDIR)
				ncache_enter(cur, comp, len, next);
		}
		vrele(cur);
		cur = next;
		cp = rest;
		if (islast) {
			if ((trail || (ns.flags & NAMEI_DIRECTORY)) &&
			    cur->v_type != VDIR) {
				error = ENOTDIR;
				break;
			}
			nd->ni_vp = cur;
			nd->ni_name = comp;
			nd->ni_namelen = len;
			nd->ni_trailslash = trail;
			cur = NULL;
			break;
		}
	}
out:
	if (cur != NULL)
		vrele(cur);
	if (start != NULL)
		vrele(start);
	if (error != 0) {
		if (nd->ni_buf != NULL)
			kmem_free(nd->ni_buf, PATH_MAX);
		nd->ni_buf = NULL;
	}
	return error;
}

void
namei_done(struct nameidata *nd)
{
	if (nd->ni_dvp != NULL)
		vrele(nd->ni_dvp);
	if (nd->ni_vp != NULL)
		vrele(nd->ni_vp);
	if (nd->ni_buf != NULL)
		kmem_free(nd->ni_buf, PATH_MAX);
	nd->ni_dvp = nd->ni_vp = NULL;
	nd->ni_buf = NULL;
}
