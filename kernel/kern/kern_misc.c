/*
 * kern_misc.c: process-level system calls of the kern faction that are
 * not descriptor I/O or identity: ids, umask, uname and host names,
 * resource limits, getrandom.
 *
 * Linux is the spec for every errno and its order.  "Privileged" is
 * euid 0 (cred_capable), standing for CAP_SYS_ADMIN / CAP_SYS_RESOURCE.
 * Locking: p_lock for p_umask and p_rlimit.
 */
#include "k/file.h"
#include "k/kernel.h"
#include "k/syscall.h"

#include "kern_private.h"
#include "syscallargs.h"

#define NR_OPEN_MAX	1048576		/* Linux's fs.nr_open default */
/* Linux's historical per-call cap of the urandom read path. */
#define GETRANDOM_MAX	33554431
#define GETRANDOM_CHUNK	4096

int
sys_getpid(struct lwp *l, register_t *retval)
{
	*retval = l->l_proc->p_pid;
	return 0;
}

int
sys_getppid(struct lwp *l, register_t *retval)
{
	*retval = __atomic_load_n(&l->l_proc->p_ppid, __ATOMIC_RELAXED);
	return 0;
}

int
sys_gettid(struct lwp *l, register_t *retval)
{
	*retval = l->l_tid;
	return 0;
}

int
sys_umask(struct lwp *l, mode_t mask, register_t *retval)
{
	struct proc *p = l->l_proc;

	mutex_enter(&p->p_lock);
	*retval = p->p_umask;
	p->p_umask = mask & 0777;
	mutex_exit(&p->p_lock);
	return 0;
}

/*
 * RUMP_PR_MAPOBJ(fd, prot, flags): mmap(2)'s checks of the descriptor,
 * then the file's memory object as a new host descriptor, read-write if
 * the descriptor is open for writing (so mprotect may add PROT_WRITE to
 * a shared mapping, as on Linux), read-only otherwise.
 */
static int
prctl_mapobj(int fd, unsigned long prot, unsigned long flags,
    register_t *retval)
{
	struct file *fp;
	int error, type = (int)(flags & MAP_TYPE), hfd;

	if (type != MAP_SHARED && type != MAP_SHARED_VALIDATE)
		return EINVAL;
	if ((error = fd_getfile_io(fd, &fp)) != 0)
		return error;
	if (fp->f_ops->fo_mapobj == NULL)
		error = ENODEV;
	else if (!FREAD(fp))
		error = EACCES;
	else if ((prot & PROT_WRITE) && !FWRITE(fp))
		error = EACCES;
	else if ((error = fp->f_ops->fo_mapobj(fp, FWRITE(fp), &hfd)) == 0)
		*retval = hfd;
	file_rele(fp);
	return error;
}

/* prctl: only the kernel's own options; every Linux one is EINVAL here. */
int
sys_prctl(struct lwp *l, int option, unsigned long arg2, unsigned long arg3,
    unsigned long arg4, unsigned long arg5, register_t *retval)
{
	struct proc *p = l->l_proc;

	if (option == RUMP_PR_MAPOBJ) {
		if (arg2 > INT32_MAX || arg5 != 0)
			return arg2 > INT32_MAX ? EBADF : EINVAL;
		return prctl_mapobj((int)arg2, arg3, arg4, retval);
	}
	if (option != RUMP_PR_LINKOUT || arg2 > 1 || arg3 != 0 ||
	    arg4 != 0 || arg5 != 0)
		return EINVAL;
	mutex_enter(&p->p_lock);
	p->p_linkout = arg2 != 0;
	mutex_exit(&p->p_lock);
	*retval = 0;
	return 0;
}

int
sys_uname(struct lwp *l, void *buf, register_t *retval)
{
	struct utsname uts;

	(void)l;
	*retval = 0;
	kern_getuts(&uts);
	return copyout(&uts, buf, sizeof(uts));
}

static int
set_uts_name(struct lwp *l, const char *name, size_t len,
    int (*set)(const char *, size_t))
{
	char buf[NEW_UTS_LEN];
	int error;

	if (!cred_capable(l->l_cred))
		return EPERM;
	if (len > NEW_UTS_LEN)
		return EINVAL;
	if ((error = copyin(name, buf, len)) != 0)
		return error;
	return set(buf, len);
}

int
sys_sethostname(struct lwp *l, const char *name, size_t len,
    register_t *retval)
{
	*retval = 0;
	return set_uts_name(l, name, len, kern_sethostname);
}

int
sys_setdomainname(struct lwp *l, const char *name, size_t len,
    register_t *retval)
{
	*retval = 0;
	return set_uts_name(l, name, len, kern_setdomainname);
}

/* --- resource limits -------------------------------------------------------- */

/*
 * Linux's do_prlimit(): the target's limit is read into *oldp and, if
 * newp, replaced, both only on success.  Raising a hard limit takes
 * privilege; RLIMIT_NOFILE may not pass nr_open even then.
 */
static int
do_prlimit(struct lwp *l, struct proc *p, int resource,
    const struct rlimit *newp, struct rlimit *oldp)
{
	struct rlimit *rl;
	int error = 0;

	if ((unsigned)resource >= RLIM_NLIMITS)
		return EINVAL;
	if (newp != NULL) {
		if (newp->rlim_cur > newp->rlim_max)
			return EINVAL;
		if (resource == RLIMIT_NOFILE && newp->rlim_max > NR_OPEN_MAX)
			return EPERM;
	}
	mutex_enter(&p->p_lock);
	rl = &p->p_rlimit[resource];
	if (newp != NULL && newp->rlim_max > rl->rlim_max &&
	    !cred_capable(l->l_cred))
		error = EPERM;
	if (error == 0) {
		if (oldp != NULL)
			*oldp = *rl;
		if (newp != NULL)
			*rl = *newp;
	}
	mutex_exit(&p->p_lock);
	return error;
}

int
sys_getrlimit(struct lwp *l, int resource, void *rlim, register_t *retval)
{
	struct rlimit rl;
	int error;

	*retval = 0;
	if ((error = do_prlimit(l, l->l_proc, resource, NULL, &rl)) != 0)
		return error;
	return copyout(&rl, rlim, sizeof(rl));
}

int
sys_setrlimit(struct lwp *l, int resource, const void *rlim,
    register_t *retval)
{
	struct rlimit rl;
	int error;

	*retval = 0;
	if ((error = copyin(rlim, &rl, sizeof(rl))) != 0)
		return error;
	return do_prlimit(l, l->l_proc, resource, &rl, NULL);
}

/* Linux's check_prlimit_permission() for a process other than ours. */
static bool
prlimit_allowed(struct lwp *l, struct proc *p)
{
	const struct kauth_cred *c = l->l_cred;
	const struct kauth_cred *t;
	bool ok;

	if (p == l->l_proc || cred_capable(c))
		return true;
	mutex_enter(&p->p_lock);
	t = p->p_cred;
	ok = c->cr_uid == t->cr_uid && c->cr_uid == t->cr_euid &&
	    c->cr_uid == t->cr_suid && c->cr_gid == t->cr_gid &&
	    c->cr_gid == t->cr_egid && c->cr_gid == t->cr_sgid;
	mutex_exit(&p->p_lock);
	return ok;
}

int
sys_prlimit64(struct lwp *l, pid_t pid, int resource, const void *newlim,
    void *oldlim, register_t *retval)
{
	struct rlimit nrl, orl;
	struct proc *p;
	int error;

	*retval = 0;
	if (newlim != NULL &&
	    (error = copyin(newlim, &nrl, sizeof(nrl))) != 0)
		return error;
	if (pid < 0)
		return ESRCH;
	if (pid == 0 || pid == l->l_proc->p_pid) {
		p = l->l_proc;
		mutex_enter(&proc_list_lock);
		proc_hold_locked(p);
		mutex_exit(&proc_list_lock);
	} else if ((p = proc_find(pid)) == NULL) {
		return ESRCH;
	}
	if (!prlimit_allowed(l, p))
		error = EPERM;
	else
		error = do_prlimit(l, p, resource,
		    newlim != NULL ? &nrl : NULL,
		    oldlim != NULL ? &orl : NULL);
	proc_rele(p);
	if (error == 0 && oldlim != NULL)
		error = copyout(&orl, oldlim, sizeof(orl));
	return error;
}

/* --- getrandom ---------------------------------------------------------------- */

int
sys_getrandom(struct lwp *l, void *buf, size_t buflen, unsigned int flags,
    register_t *retval)
{
	char chunk[GETRANDOM_CHUNK];
	size_t done = 0, n, got;
	int error = 0;

	(void)l;
	*retval = 0;
	if (flags & ~(unsigned)(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
		return EINVAL;
	if ((flags & (GRND_INSECURE | GRND_RANDOM)) ==
	    (GRND_INSECURE | GRND_RANDOM))
		return EINVAL;
	buflen = MIN(buflen, (size_t)GETRANDOM_MAX);
	while (done < buflen) {
		n = MIN(buflen - done, sizeof(chunk));
		/* GRND_RANDOM draws from the same pool since Linux 5.6. */
		error = kern_getrandom(chunk, n,
		    (int)(flags & (GRND_NONBLOCK | GRND_INSECURE)), &got);
		if (error == 0)
			error = copyout(chunk, (char *)buf + done, got);
		if (error != 0)
			break;
		done += got;
		if (got < n)
			break;
	}
	memset(chunk, 0, sizeof(chunk));
	if (done > 0)
		error = 0;
	*retval = (register_t)done;
	return error;
}
