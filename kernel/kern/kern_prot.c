/*
 * kern_prot.c: identity system calls (get/set uid, gid, groups).
 *
 * Linux's rules, with "privileged" meaning euid 0 (cred_capable): an
 * unprivileged process may only move among the ids it already has.
 * Credentials are per process here (glibc makes set*id process-wide on
 * Linux too) and are replaced, never edited: cred_change() duplicates
 * p_cred, lets an edit function check and modify the copy, and swaps it
 * in under p_lock.  The calling lwp sees its new identity at once; other
 * lwps of the process at their next kernel entry.
 */
#include "k/kernel.h"
#include "k/syscall.h"

#include "kern_private.h"
#include "syscallargs.h"

#define NOID	((uint32_t)-1)		/* "leave unchanged" / invalid id */

struct idargs {
	uint32_t r, e, s;
};

/* arg is a struct idargs, or a struct groupsarg for setgroups. */
typedef int (*cred_edit_t)(const struct kauth_cred *old,
    struct kauth_cred *nc, const void *arg);

static int
cred_change(struct lwp *l, cred_edit_t edit, const void *a)
{
	struct proc *p = l->l_proc;
	struct kauth_cred *old, *nc;
	int error;

	mutex_enter(&p->p_lock);
	old = p->p_cred;
	nc = cred_dup(old);
	if (nc == NULL) {
		mutex_exit(&p->p_lock);
		return ENOMEM;
	}
	error = edit(old, nc, a);
	if (error != 0) {
		mutex_exit(&p->p_lock);
		cred_free(nc);
		return error;
	}
	proc_set_cred(p, nc);
	mutex_exit(&p->p_lock);
	cred_free(old);			/* the process's reference */
	lwp_cred_refresh(l);
	return 0;
}

static bool
is_one_of(uint32_t id, uint32_t a, uint32_t b, uint32_t c)
{
	return id == a || id == b || id == c;
}

/* --- uids ------------------------------------------------------------------ */

static int
edit_setuid(const struct kauth_cred *o, struct kauth_cred *n,
    const void *arg)
{
	const struct idargs *a = arg;
	if (cred_capable(o)) {
		n->cr_uid = n->cr_euid = n->cr_suid = n->cr_fsuid = a->r;
	} else if (a->r == o->cr_uid || a->r == o->cr_suid) {
		n->cr_euid = n->cr_fsuid = a->r;
	} else {
		return EPERM;
	}
	return 0;
}

static int
edit_setreuid(const struct kauth_cred *o, struct kauth_cred *n,
    const void *arg)
{
	const struct idargs *a = arg;
	bool cap = cred_capable(o);

	if (a->r != NOID) {
		if (!cap && a->r != o->cr_uid && a->r != o->cr_euid)
			return EPERM;
		n->cr_uid = a->r;
	}
	if (a->e != NOID) {
		if (!cap && !is_one_of(a->e, o->cr_uid, o->cr_euid, o->cr_suid))
			return EPERM;
		n->cr_euid = a->e;
	}
	/* The saved id follows a real change, as Linux (and POSIX) say. */
	if (a->r != NOID || (a->e != NOID && a->e != o->cr_uid))
		n->cr_suid = n->cr_euid;
	n->cr_fsuid = n->cr_euid;
	return 0;
}

static int
edit_setresuid(const struct kauth_cred *o, struct kauth_cred *n,
    const void *arg)
{
	const struct idargs *a = arg;
	if (!cred_capable(o)) {
		if (a->r != NOID &&
		    !is_one_of(a->r, o->cr_uid, o->cr_euid, o->cr_suid))
			return EPERM;
		if (a->e != NOID &&
		    !is_one_of(a->e, o->cr_uid, o->cr_euid, o->cr_suid))
			return EPERM;
		if (a->s != NOID &&
		    !is_one_of(a->s, o->cr_uid, o->cr_euid, o->cr_suid))
			return EPERM;
	}
	if (a->r != NOID)
		n->cr_uid = a->r;
	if (a->e != NOID)
		n->cr_euid = a->e;
	if (a->s != NOID)
		n->cr_suid = a->s;
	n->cr_fsuid = n->cr_euid;
	return 0;
}

static int
edit_setfsuid(const struct kauth_cred *o, struct kauth_cred *n,
    const void *arg)
{
	const struct idargs *a = arg;
	if (!cred_capable(o) &&
	    !is_one_of(a->r, o->cr_uid, o->cr_euid, o->cr_suid) &&
	    a->r != o->cr_fsuid)
		return EPERM;
	n->cr_fsuid = a->r;
	return 0;
}

/* --- gids: the same rules; privilege is still euid 0 (CAP_SETGID) ---------- */

static int
edit_setgid(const struct kauth_cred *o, struct kauth_cred *n,
    const void *arg)
{
	const struct idargs *a = arg;
	if (cred_capable(o)) {
		n->cr_gid = n->cr_egid = n->cr_sgid = n->cr_fsgid = a->r;
	} else if (a->r == o->cr_gid || a->r == o->cr_sgid) {
		n->cr_egid = n->cr_fsgid = a->r;
	} else {
		return EPERM;
	}
	return 0;
}

static int
edit_setregid(const struct kauth_cred *o, struct kauth_cred *n,
    const void *arg)
{
	const struct idargs *a = arg;
	bool cap = cred_capable(o);

	if (a->r != NOID) {
		if (!cap && a->r != o->cr_gid && a->r != o->cr_egid)
			return EPERM;
		n->cr_gid = a->r;
	}
	if (a->e != NOID) {
		if (!cap && !is_one_of(a->e, o->cr_gid, o->cr_egid, o->cr_sgid))
			return EPERM;
		n->cr_egid = a->e;
	}
	if (a->r != NOID || (a->e != NOID && a->e != o->cr_gid))
		n->cr_sgid = n->cr_egid;
	n->cr_fsgid = n->cr_egid;
	return 0;
}

static int
edit_setresgid(const struct kauth_cred *o, struct kauth_cred *n,
    const void *arg)
{
	const struct idargs *a = arg;
	if (!cred_capable(o)) {
		if (a->r != NOID &&
		    !is_one_of(a->r, o->cr_gid, o->cr_egid, o->cr_sgid))
			return EPERM;
		if (a->e != NOID &&
		    !is_one_of(a->e, o->cr_gid, o->cr_egid, o->cr_sgid))
			return EPERM;
		if (a->s != NOID &&
		    !is_one_of(a->s, o->cr_gid, o->cr_egid, o->cr_sgid))
			return EPERM;
	}
	if (a->r != NOID)
		n->cr_gid = a->r;
	if (a->e != NOID)
		n->cr_egid = a->e;
	if (a->s != NOID)
		n->cr_sgid = a->s;
	n->cr_fsgid = n->cr_egid;
	return 0;
}

static int
edit_setfsgid(const struct kauth_cred *o, struct kauth_cred *n,
    const void *arg)
{
	const struct idargs *a = arg;
	if (!cred_capable(o) &&
	    !is_one_of(a->r, o->cr_gid, o->cr_egid, o->cr_sgid) &&
	    a->r != o->cr_fsgid)
		return EPERM;
	n->cr_fsgid = a->r;
	return 0;
}

/* --- the system calls ------------------------------------------------------- */

int
sys_getuid(struct lwp *l, register_t *retval)
{
	*retval = l->l_cred->cr_uid;
	return 0;
}

int
sys_geteuid(struct lwp *l, register_t *retval)
{
	*retval = l->l_cred->cr_euid;
	return 0;
}

int
sys_getgid(struct lwp *l, register_t *retval)
{
	*retval = l->l_cred->cr_gid;
	return 0;
}

int
sys_getegid(struct lwp *l, register_t *retval)
{
	*retval = l->l_cred->cr_egid;
	return 0;
}

int
sys_setuid(struct lwp *l, uid_t uid, register_t *retval)
{
	struct idargs a = { uid, NOID, NOID };

	*retval = 0;
	if (uid == NOID)
		return EINVAL;
	return cred_change(l, edit_setuid, &a);
}

int
sys_setgid(struct lwp *l, gid_t gid, register_t *retval)
{
	struct idargs a = { gid, NOID, NOID };

	*retval = 0;
	if (gid == NOID)
		return EINVAL;
	return cred_change(l, edit_setgid, &a);
}

int
sys_setreuid(struct lwp *l, uid_t ruid, uid_t euid, register_t *retval)
{
	struct idargs a = { ruid, euid, NOID };

	*retval = 0;
	return cred_change(l, edit_setreuid, &a);
}

int
sys_setregid(struct lwp *l, gid_t rgid, gid_t egid, register_t *retval)
{
	struct idargs a = { rgid, egid, NOID };

	*retval = 0;
	return cred_change(l, edit_setregid, &a);
}

int
sys_setresuid(struct lwp *l, uid_t ruid, uid_t euid, uid_t suid,
    register_t *retval)
{
	struct idargs a = { ruid, euid, suid };

	*retval = 0;
	return cred_change(l, edit_setresuid, &a);
}

int
sys_setresgid(struct lwp *l, gid_t rgid, gid_t egid, gid_t sgid,
    register_t *retval)
{
	struct idargs a = { rgid, egid, sgid };

	*retval = 0;
	return cred_change(l, edit_setresgid, &a);
}

static int
copyout_ids(uint32_t a, uint32_t b, uint32_t c, void *pa, void *pb, void *pc)
{
	int error;

	if ((error = copyout(&a, pa, sizeof(a))) != 0)
		return error;
	if ((error = copyout(&b, pb, sizeof(b))) != 0)
		return error;
	return copyout(&c, pc, sizeof(c));
}

int
sys_getresuid(struct lwp *l, uid_t *ruid, uid_t *euid, uid_t *suid,
    register_t *retval)
{
	const struct kauth_cred *c = l->l_cred;

	*retval = 0;
	return copyout_ids(c->cr_uid, c->cr_euid, c->cr_suid, ruid, euid,
	    suid);
}

int
sys_getresgid(struct lwp *l, gid_t *rgid, gid_t *egid, gid_t *sgid,
    register_t *retval)
{
	const struct kauth_cred *c = l->l_cred;

	*retval = 0;
	return copyout_ids(c->cr_gid, c->cr_egid, c->cr_sgid, rgid, egid,
	    sgid);
}

/* setfsuid/setfsgid never fail: they return the previous id either way. */
int
sys_setfsuid(struct lwp *l, uid_t fsuid, register_t *retval)
{
	struct idargs a = { fsuid, NOID, NOID };

	*retval = l->l_cred->cr_fsuid;
	if (fsuid != NOID && fsuid != l->l_cred->cr_fsuid)
		(void)cred_change(l, edit_setfsuid, &a);
	return 0;
}

int
sys_setfsgid(struct lwp *l, gid_t fsgid, register_t *retval)
{
	struct idargs a = { fsgid, NOID, NOID };

	*retval = l->l_cred->cr_fsgid;
	if (fsgid != NOID && fsgid != l->l_cred->cr_fsgid)
		(void)cred_change(l, edit_setfsgid, &a);
	return 0;
}

int
sys_getgroups(struct lwp *l, int size, gid_t *list, register_t *retval)
{
	const struct kauth_cred *c = l->l_cred;
	int error;

	if (size < 0)
		return EINVAL;
	if (size > 0) {
		if (size < c->cr_ngroups)
			return EINVAL;
		error = copyout(c->cr_groups, list,
		    (size_t)c->cr_ngroups * sizeof(gid_t));
		if (error != 0)
			return error;
	}
	*retval = c->cr_ngroups;
	return 0;
}

/* Shell sort: up to NGROUPS_MAX entries, no allocation, no recursion. */
static void
sort_gids(gid_t *g, size_t n)
{
	size_t gap, i, j;

	for (gap = n / 2; gap > 0; gap /= 2) {
		for (i = gap; i < n; i++) {
			gid_t v = g[i];

			for (j = i; j >= gap && g[j - gap] > v; j -= gap)
				g[j] = g[j - gap];
			g[j] = v;
		}
	}
}

struct groupsarg {
	gid_t *groups;
	int ngroups;
};

/* Replaces n's groups by ga's (which n then owns). */
static int
edit_setgroups_any(struct kauth_cred *n, const struct groupsarg *ga)
{
	if (n->cr_groups != NULL)
		kmem_free(n->cr_groups, (size_t)n->cr_ngroups * sizeof(gid_t));
	n->cr_groups = ga->groups;
	n->cr_ngroups = ga->ngroups;
	return 0;
}

static int
edit_setgroups(const struct kauth_cred *o, struct kauth_cred *n,
    const void *arg)
{
	if (!cred_capable(o))
		return EPERM;
	return edit_setgroups_any(n, arg);
}

int
sys_setgroups(struct lwp *l, size_t size, const gid_t *list,
    register_t *retval)
{
	struct groupsarg ga = { NULL, 0 };
	size_t sz = size * sizeof(gid_t);
	int error;

	*retval = 0;
	if (!cred_capable(l->l_cred))
		return EPERM;
	if (size > NGROUPS_MAX)
		return EINVAL;
	if (size > 0) {
		ga.groups = kmem_alloc(sz);
		if (ga.groups == NULL)
			return ENOMEM;
		if ((error = copyin(list, ga.groups, sz)) != 0) {
			kmem_free(ga.groups, sz);
			return error;
		}
		sort_gids(ga.groups, size);
		ga.ngroups = (int)size;
	}
	error = cred_change(l, edit_setgroups, &ga);
	if (error != 0 && ga.groups != NULL)
		kmem_free(ga.groups, sz);
	return error;
}

/* --- the embedder's setter ------------------------------------------------- */

struct setcredarg {
	const unsigned int *uids, *gids;
	struct groupsarg ga;
};

static int
edit_all(const struct kauth_cred *o, struct kauth_cred *n, const void *arg)
{
	const struct setcredarg *a = arg;

	(void)o;
	n->cr_uid = a->uids[0];
	n->cr_euid = a->uids[1];
	n->cr_suid = a->uids[2];
	n->cr_fsuid = a->uids[3];
	n->cr_gid = a->gids[0];
	n->cr_egid = a->gids[1];
	n->cr_sgid = a->gids[2];
	n->cr_fsgid = a->gids[3];
	return edit_setgroups_any(n, &a->ga);
}

/*
 * rump_proc_setcred(): the embedder gives the current process exactly
 * these ids (real, effective, saved, fs) and groups, with no rule applied:
 * a server that checked a peer's host identity makes the kernel process
 * match it (server/, doc/PROTOCOL.md).  0, EINVAL (an id of -1, too many
 * groups), ENOMEM, EBUSY from inside a call.
 */
int
rump_proc_setcred(const unsigned int uids[4], const unsigned int gids[4],
    int ngroups, const unsigned int *groups)
{
	struct setcredarg a = { uids, gids, { NULL, 0 } };
	size_t sz = (size_t)(ngroups > 0 ? ngroups : 0) * sizeof(gid_t);
	struct lwp *l;
	int error;

	if (ngroups < 0 || ngroups > NGROUPS_MAX ||
	    (ngroups > 0 && groups == NULL))
		return EINVAL;
	for (int i = 0; i < 4; i++)
		if (uids[i] == NOID || gids[i] == NOID)
			return EINVAL;
	if (lwproc_busy("rump_proc_setcred"))
		return EBUSY;
	if ((error = kernel_enter(&l)) != 0)
		return error;
	if (sz > 0) {
		if ((a.ga.groups = kmem_alloc(sz)) == NULL) {
			kernel_exit(l);
			return ENOMEM;
		}
		memcpy(a.ga.groups, groups, sz);
		sort_gids(a.ga.groups, sz / sizeof(gid_t));
		a.ga.ngroups = ngroups;
	}
	error = cred_change(l, edit_all, &a);
	if (error != 0 && a.ga.groups != NULL)
		kmem_free(a.ga.groups, sz);
	kernel_exit(l);
	return error;
}
