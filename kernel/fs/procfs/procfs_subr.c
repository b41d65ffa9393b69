/*
 * procfs_subr.c: what procfs shows, generated from kernel state on each
 * read: /proc/mounts, /proc/<pid>/{status,comm}, the targets of the
 * symlinks (self, fd/N, cwd, root), and the process queries the vnode
 * operations need.
 *
 * Locking: called with vfs_giant held.  A process is held with proc_find
 * while it is looked at; p_lock covers its credentials, cwd, root, comm
 * and umask, fd_lock its descriptor table.  Neither is held across a call
 * into vfs: vnodes are referenced under the lock and used after it.  A
 * last proc_rele() runs the exit hooks, which take vfs_giant again: that
 * is safe because vfs_lock() is recursive for its owner.
 */
#include "k/kernel.h"
#include "k/file.h"
#include "k/vnode.h"

#include "procfs.h"

/* --- text buffers --------------------------------------------------------- */

int
pfs_text_reserve(struct pfs_text *t, size_t need)
{
	size_t ncap;
	char *nbuf;

	if (t->t_nomem)
		return ENOMEM;
	if (t->t_cap - t->t_len >= need)
		return 0;
	ncap = MAX(t->t_cap * 2, t->t_len + need);
	ncap = MAX(ncap, (size_t)256);
	nbuf = kmem_alloc(ncap);
	if (nbuf == NULL) {
		t->t_nomem = true;
		return ENOMEM;
	}
	if (t->t_len > 0)
		memcpy(nbuf, t->t_buf, t->t_len);
	if (t->t_buf != NULL)
		kmem_free(t->t_buf, t->t_cap);
	t->t_buf = nbuf;
	t->t_cap = ncap;
	return 0;
}

void
pfs_text_printf(struct pfs_text *t, const char *fmt, ...)
{
	va_list ap;
	size_t room;
	int n;

	if (pfs_text_reserve(t, 64) != 0)
		return;
	for (;;) {
		room = t->t_cap - t->t_len;
		va_start(ap, fmt);
		n = kvsnprintf(t->t_buf + t->t_len, room, fmt, ap);
		va_end(ap);
		if (n < 0) {
			t->t_nomem = true;
			return;
		}
		if ((size_t)n < room) {
			t->t_len += (size_t)n;
			return;
		}
		if (pfs_text_reserve(t, (size_t)n + 1) != 0)
			return;
	}
}

void
pfs_text_free(struct pfs_text *t)
{
	if (t->t_buf != NULL)
		kmem_free(t->t_buf, t->t_cap);
	t->t_buf = NULL;
	t->t_len = t->t_cap = 0;
}

/* /proc/mounts escapes the separators inside a field, as Linux does. */
static void
pfs_text_mangled(struct pfs_text *t, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\\')
			pfs_text_printf(t, "\\%03o", (unsigned char)*s);
		else
			pfs_text_printf(t, "%c", *s);
	}
}

/* --- /proc/mounts ------------------------------------------------------------ */

int
pfs_gen_mounts(struct pfs_text *t)
{
	struct mount *mp;

	TAILQ_FOREACH(mp, &mountlist, mnt_list) {
		pfs_text_mangled(t, mp->mnt_source[0] != '\0' ?
		    mp->mnt_source : "none");
		pfs_text_printf(t, " ");
		pfs_text_mangled(t, mp->mnt_path[0] != '\0' ?
		    mp->mnt_path : "/");
		pfs_text_printf(t, " %s %s%s%s%s 0 0\n",
		    mp->mnt_op->vfs_name,
		    (mp->mnt_flag & MS_RDONLY) ? "ro" : "rw",
		    (mp->mnt_flag & MS_NOSUID) ? ",nosuid" : "",
		    (mp->mnt_flag & MS_NODEV) ? ",nodev" : "",
		    (mp->mnt_flag & MS_NOEXEC) ? ",noexec" : "");
	}
	return t->t_nomem ? ENOMEM : 0;
}

/* --- processes --------------------------------------------------------------- */

static struct proc *
pfs_proc_get(pid_t pid)
{
	/* pid 0 is the kernel itself; Linux shows no /proc/0 either. */
	if (pid <= 0)
		return NULL;
	return proc_find(pid);
}

/* Asks the process list without taking a reference. */
bool
pfs_proc_alive(pid_t pid)
{
	pid_t found;

	if (pid <= 0)
		return false;
	return proc_nextpid(pid - 1, &found) == 0 && found == pid;
}

/* A snapshot of what status and the access checks need. */
struct pfs_procinfo {
	pid_t pi_pid, pi_ppid;
	mode_t pi_umask;
	char pi_comm[sizeof(((struct proc *)0)->p_comm) + 1];
	struct kauth_cred *pi_cred;	/* held */
	int pi_nfiles;
};

static int
pfs_procinfo_get(pid_t pid, struct pfs_procinfo *pi)
{
	struct proc *p;

	p = pfs_proc_get(pid);
	if (p == NULL)
		return ESRCH;
	mutex_enter(&p->p_lock);
	pi->pi_pid = p->p_pid;
	pi->pi_ppid = p->p_ppid;
	pi->pi_umask = p->p_umask;
	memcpy(pi->pi_comm, p->p_comm, sizeof(p->p_comm));
	pi->pi_comm[sizeof(pi->pi_comm) - 1] = '\0';
	pi->pi_cred = p->p_cred;
	cred_hold(pi->pi_cred);
	mutex_exit(&p->p_lock);
	pi->pi_nfiles = 0;
	if (p->p_fd != NULL) {
		mutex_enter(&p->p_fd->fd_lock);
		pi->pi_nfiles = p->p_fd->fd_nfiles;
		mutex_exit(&p->p_fd->fd_lock);
	}
	proc_rele(p);
	return 0;
}

static void
pfs_procinfo_done(struct pfs_procinfo *pi)
{
	cred_free(pi->pi_cred);
}

int
pfs_proc_owner(pid_t pid, uid_t *uidp, gid_t *gidp)
{
	struct pfs_procinfo pi;
	int error;

	if ((error = pfs_procinfo_get(pid, &pi)) != 0)
		return ENOENT;
	*uidp = pi.pi_cred->cr_euid;
	*gidp = pi.pi_cred->cr_egid;
	pfs_procinfo_done(&pi);
	return 0;
}

/*
 * Linux guards fd/, cwd and root with a ptrace access check; ours is the
 * core of it: root, or a caller whose fsuid is every uid of the target.
 */
int
pfs_proc_canread(pid_t pid)
{
	const struct kauth_cred *me = kauth_cred_get();
	struct pfs_procinfo pi;
	const struct kauth_cred *c;
	bool ok;

	if (pfs_procinfo_get(pid, &pi) != 0)
		return ENOENT;
	c = pi.pi_cred;
	ok = cred_is_root(me) || (me->cr_fsuid == c->cr_uid &&
	    me->cr_fsuid == c->cr_euid && me->cr_fsuid == c->cr_suid);
	pfs_procinfo_done(&pi);
	return ok ? 0 : EACCES;
}

int
pfs_gen_status(pid_t pid, struct pfs_text *t)
{
	struct pfs_procinfo pi;
	const struct kauth_cred *c;
	const char *s;
	int i;

	if (pfs_procinfo_get(pid, &pi) != 0)
		return ESRCH;
	c = pi.pi_cred;
	pfs_text_printf(t, "Name:\t");
	/* Linux escapes the two characters that would break the format. */
	for (s = pi.pi_comm; *s != '\0'; s++) {
		if (*s == '\n')
			pfs_text_printf(t, "\\n");
		else if (*s == '\\')
			pfs_text_printf(t, "\\\\");
		else
			pfs_text_printf(t, "%c", *s);
	}
	pfs_text_printf(t, "\nUmask:\t%04o\n", (unsigned)pi.pi_umask);
	pfs_text_printf(t, "Tgid:\t%d\nPid:\t%d\nPPid:\t%d\n",
	    (int)pi.pi_pid, (int)pi.pi_pid, (int)pi.pi_ppid);
	pfs_text_printf(t, "Uid:\t%u\t%u\t%u\t%u\n", (unsigned)c->cr_uid,
	    (unsigned)c->cr_euid, (unsigned)c->cr_suid, (unsigned)c->cr_fsuid);
	pfs_text_printf(t, "Gid:\t%u\t%u\t%u\t%u\n", (unsigned)c->cr_gid,
	    (unsigned)c->cr_egid, (unsigned)c->cr_sgid, (unsigned)c->cr_fsgid);
	pfs_text_printf(t, "FDSize:\t%d\nGroups:\t", pi.pi_nfiles);
	for (i = 0; i < c->cr_ngroups; i++)
		pfs_text_printf(t, "%u ", (unsigned)c->cr_groups[i]);
	pfs_text_printf(t, "\nThreads:\t1\n");
	pfs_procinfo_done(&pi);
	return t->t_nomem ? ENOMEM : 0;
}

int
pfs_gen_comm(pid_t pid, struct pfs_text *t)
{
	struct pfs_procinfo pi;

	if (pfs_procinfo_get(pid, &pi) != 0)
		return ESRCH;
	pfs_text_printf(t, "%s\n", pi.pi_comm);
	pfs_procinfo_done(&pi);
	return t->t_nomem ? ENOMEM : 0;
}

/* --- descriptors --------------------------------------------------------------- */

/*
 * What a descriptor refers to, taken under fd_lock: the table's reference
 * keeps the file alive while we look, and the vnode is referenced so it
 * can be used after the lock is dropped.
 */
struct pfs_fdinfo {
	struct vnode *fi_vp;		/* referenced, or NULL */
	enum ftype fi_type;
	uintptr_t fi_id;		/* identity of a pipe or socket */
	int fi_accmode;
};

static int
pfs_fdinfo_get(pid_t pid, int fd, bool wantvp, struct pfs_fdinfo *fi)
{
	struct filedesc *fdp;
	struct file *fp;
	struct proc *p;
	int error = ENOENT;

	p = pfs_proc_get(pid);
	if (p == NULL)
		return ENOENT;
	fdp = p->p_fd;
	if (fdp != NULL && fd >= 0) {
		mutex_enter(&fdp->fd_lock);
		if (fd < fdp->fd_nfiles &&
		    (fp = fdp->fd_ofiles[fd].ff_file) != NULL) {
			fi->fi_vp = wantvp ? fp->f_vnode : NULL;
			if (fi->fi_vp != NULL)
				vref(fi->fi_vp);
			fi->fi_type = fp->f_type;
			fi->fi_id = (uintptr_t)fp->f_data;
			fi->fi_accmode = fp->f_flag & O_ACCMODE;
			error = 0;
		}
		mutex_exit(&fdp->fd_lock);
	}
	proc_rele(p);
	return error;
}

int
pfs_fd_accmode(pid_t pid, int fd, int *accmodep)
{
	struct pfs_fdinfo fi;
	int error;

	/* No vnode reference: this runs from vfs_loadvnode too. */
	if ((error = pfs_fdinfo_get(pid, fd, false, &fi)) != 0)
		return error;
	*accmodep = fi.fi_accmode;
	return 0;
}

int
pfs_fd_next(pid_t pid, int minfd, int *fdp)
{
	struct filedesc *fdt;
	struct proc *p;
	int fd, error = ENOENT;

	p = pfs_proc_get(pid);
	if (p == NULL)
		return ENOENT;
	fdt = p->p_fd;
	if (fdt != NULL) {
		mutex_enter(&fdt->fd_lock);
		for (fd = MAX(minfd, 0); fd < fdt->fd_nfiles; fd++) {
			if (fdt->fd_ofiles[fd].ff_file != NULL) {
				*fdp = fd;
				error = 0;
				break;
			}
		}
		mutex_exit(&fdt->fd_lock);
	}
	proc_rele(p);
	return error;
}

/* --- symlink targets ------------------------------------------------------------ */

/*
 * The path of a vnode for a link; a vnode no longer in the tree reads
 * like Linux's unlinked files, with the name we can no longer know.
 */
static int
pfs_vnode_link(struct vnode *vp, char *buf, size_t len)
{
	int error;

	error = vfs_vnode_path(vp, buf, len);
	if (error == ENOENT) {
		kstrlcpy(buf, "(deleted)", len);
		error = 0;
	}
	return error;
}

static int
pfs_link_dir(pid_t pid, bool cwd, char *buf, size_t len)
{
	struct vnode *vp;
	struct proc *p;
	int error;

	if ((error = pfs_proc_canread(pid)) != 0)
		return error;
	p = pfs_proc_get(pid);
	if (p == NULL)
		return ENOENT;
	mutex_enter(&p->p_lock);
	vp = cwd ? p->p_cwd : p->p_root;
	if (vp != NULL)
		vref(vp);
	mutex_exit(&p->p_lock);
	proc_rele(p);
	if (vp == NULL) {
		/* A process without its own root sees the kernel's. */
		kstrlcpy(buf, "/", len);
		return 0;
	}
	error = pfs_vnode_link(vp, buf, len);
	vrele(vp);
	return error;
}

static int
pfs_link_fd(pid_t pid, int fd, char *buf, size_t len)
{
	struct pfs_fdinfo fi;
	int error;

	if ((error = pfs_proc_canread(pid)) != 0)
		return error;
	if ((error = pfs_fdinfo_get(pid, fd, true, &fi)) != 0)
		return error;
	if (fi.fi_vp != NULL) {
		error = pfs_vnode_link(fi.fi_vp, buf, len);
		vrele(fi.fi_vp);
		return error;
	}
	/* Linux names objects outside the tree by kind and inode number. */
	switch (fi.fi_type) {
	case DTYPE_PIPE:
		ksnprintf(buf, len, "pipe:[%lu]", (unsigned long)(fi.fi_id >> 3));
		break;
	case DTYPE_SOCKET:
		ksnprintf(buf, len, "socket:[%lu]",
		    (unsigned long)(fi.fi_id >> 3));
		break;
	default:
		ksnprintf(buf, len, "anon_inode:[misc]");
		break;
	}
	return 0;
}

int
pfs_gen_link(uint64_t key, char *buf, size_t len)
{
	switch (pfs_kind(key)) {
	case PFS_SELF:
		ksnprintf(buf, len, "%d", (int)curproc->p_pid);
		return 0;
	case PFS_CWD:
		return pfs_link_dir(pfs_pid(key), true, buf, len);
	case PFS_ROOTLNK:
		return pfs_link_dir(pfs_pid(key), false, buf, len);
	case PFS_FD:
		return pfs_link_fd(pfs_pid(key), (int)pfs_idx(key), buf, len);
	default:
		return EINVAL;
	}
}
