/*
 * kern_lwp.c: lwps (the kernel's threads of a process) and how host
 * threads get one.
 *
 * A host thread's current lwp is a thread-local pointer kept by rumpuser
 * (rumpuser_curlwp), so the bound case costs one call.  A thread without
 * one gets an implicit lwp in proc1 on its first kernel entry (l_bound):
 * it stays until the thread exits (hyp_lwpexit) or switches away from it.
 * rump_lwproc_* make explicit lwps: they live until released, can be
 * switched to by any one thread at a time, and the last one of a process
 * (other than pid 0 and 1) ends the process.
 *
 * l_cred is a referenced snapshot of p_cred taken at kernel entry, so a
 * call sees one identity throughout; the entry compares pointers and
 * refreshes only when the process has swapped its credentials.
 *
 * Locking: the lwp list, tids and process reference counts are under
 * proc_list_lock; an lwp's other fields belong to the thread running it.
 */
#include "k/file.h"
#include "k/kernel.h"
#include "rump/rumpuser.h"

#include "kern_private.h"

struct lwp lwp0;
static LIST_HEAD(, lwp) alllwp = LIST_HEAD_INITIALIZER(alllwp);

/* lwp0 is the boot thread's (and rump_halt's when borrowed): tid 0. */
void
lwp0_init(void)
{
	lwp0.l_proc = &proc0;
	lwp0.l_tid = 0;
	cred_hold(proc0.p_cred);
	lwp0.l_cred = proc0.p_cred;
	mutex_enter(&proc_list_lock);
	LIST_INSERT_HEAD(&alllwp, &lwp0, l_list);
	proc0.p_nlwps++;
	mutex_exit(&proc_list_lock);
}

bool
lwp_tid_in_use(pid_t tid)
{
	struct lwp *l;

	LIST_FOREACH(l, &alllwp, l_list) {
		if (l->l_tid == tid)
			return true;
	}
	return false;
}

/*
 * A new lwp in p, which the caller keeps referenced for the duration.  The
 * first lwp of a process gets tid == pid, as a Linux main thread does.
 */
int
lwp_create(struct proc *p, bool bound, struct lwp **lp)
{
	struct lwp *l;
	pid_t tid;

	l = kmem_zalloc_nolimit(sizeof(*l));
	if (l == NULL)
		return ENOMEM;
	l->l_proc = p;
	l->l_bound = bound;
	mutex_enter(&p->p_lock);
	cred_hold(p->p_cred);
	l->l_cred = p->p_cred;
	mutex_exit(&p->p_lock);

	mutex_enter(&proc_list_lock);
	if (p->p_nlwps == 0 && p != &proc0 && !lwp_tid_in_use(p->p_pid))
		tid = p->p_pid;
	else
		tid = id_alloc();
	if (tid < 0) {
		mutex_exit(&proc_list_lock);
		cred_free(l->l_cred);
		kmem_free(l, sizeof(*l));
		return EAGAIN;
	}
	l->l_tid = tid;
	LIST_INSERT_HEAD(&alllwp, l, l_list);
	p->p_nlwps++;
	proc_hold_locked(p);
	mutex_exit(&proc_list_lock);
	*lp = l;
	return 0;
}

void
lwp_free(struct lwp *l)
{
	struct proc *p = l->l_proc;
	bool last;

	KASSERT(l != &lwp0);
	mutex_enter(&proc_list_lock);
	LIST_REMOVE(l, l_list);
	p->p_nlwps--;
	last = proc_drop_locked(p);
	mutex_exit(&proc_list_lock);
	cred_free(l->l_cred);
	kmem_free(l, sizeof(*l));
	if (last)
		proc_exit(p);
}

void
lwp_cred_refresh(struct lwp *l)
{
	struct proc *p = l->l_proc;
	struct kauth_cred *old;

	mutex_enter(&p->p_lock);
	old = l->l_cred;
	cred_hold(p->p_cred);
	l->l_cred = p->p_cred;
	mutex_exit(&p->p_lock);
	cred_free(old);
}

static void
lwp_bind(struct lwp *l)
{
	l->l_onthread = true;
	rumpuser_curlwpop(RUMPUSER_LWP_SET, l);
}

static void
lwp_unbind(struct lwp *l)
{
	rumpuser_curlwpop(RUMPUSER_LWP_CLEAR, l);
	__atomic_store_n(&l->l_onthread, false, __ATOMIC_RELEASE);
}

struct lwp *
lwp_implicit(void)
{
	struct lwp *l;
	int error;

	if (proc1 == NULL)
		panic("kernel entered before rump_init()");
	error = lwp_create(proc1, true, &l);
	if (error != 0)
		panic("cannot create an lwp for a host thread (error %d)",
		    error);
	lwp_bind(l);
	return l;
}

struct lwp *
curlwp_get(void)
{
	struct lwp *l = rumpuser_curlwp();

	if (__builtin_expect(l != NULL, 1))
		return l;
	return lwp_implicit();
}

bool
lwp_interrupted(struct lwp *l)
{
	(void)l;
	/* No signals are modelled; a halting kernel interrupts sleepers. */
	return atomic_load(&kernel_state) == KSTATE_HALTED;
}

void
kctx_enter(struct kctx *c)
{
	c->prev = rumpuser_curlwp();
	c->borrowed = false;
	if (c->prev != NULL && c->prev->l_hascpu)
		return;
	memset(&c->tmp, 0, sizeof(c->tmp));
	c->tmp.l_proc = &proc0;
	c->tmp.l_cred = proc0.p_cred;	/* never swapped: no reference */
	c->tmp.l_tid = 0;
	if (c->prev != NULL)
		rumpuser_curlwpop(RUMPUSER_LWP_CLEAR, c->prev);
	rumpuser_curlwpop(RUMPUSER_LWP_SET, &c->tmp);
	c->tmp.l_ncalls = 1;
	sched_take();
	c->tmp.l_hascpu = true;
	c->borrowed = true;
}

void
kctx_exit(struct kctx *c)
{
	if (!c->borrowed)
		return;
	c->tmp.l_hascpu = false;
	sched_give();
	rumpuser_curlwpop(RUMPUSER_LWP_CLEAR, &c->tmp);
	if (c->prev != NULL)
		rumpuser_curlwpop(RUMPUSER_LWP_SET, c->prev);
}

/* The host thread that had l is exiting. */
void
hyp_lwpexit(void *arg)
{
	struct lwp *l = arg;

	if (l == NULL || l == &lwp0)
		return;
	if (rumpuser_curlwp() == l)
		rumpuser_curlwpop(RUMPUSER_LWP_CLEAR, l);
	l->l_onthread = false;
	lwp_free(l);
}

/* --- the public lwproc interface ------------------------------------------ */

/* Switching lwps inside a call would leave the call's lwp dangling. */
bool
lwproc_busy(const char *what)
{
	struct lwp *l = rumpuser_curlwp();

	if (l == NULL || l->l_ncalls == 0)
		return false;
	kprintf("rump: %s called from inside the kernel, ignored\n", what);
	return true;
}

void
rump_lwproc_switch(struct lwp *newl)
{
	struct lwp *cur;

	if (atomic_load(&kernel_state) != KSTATE_UP)
		return;
	cur = rumpuser_curlwp();
	if (cur == newl || lwproc_busy("rump_lwproc_switch"))
		return;
	if (newl != NULL &&
	    __atomic_exchange_n(&newl->l_onthread, true, __ATOMIC_ACQ_REL)) {
		kprintf("rump: rump_lwproc_switch: lwp %d is another "
		    "thread's current lwp, ignored\n", newl->l_tid);
		return;
	}
	if (cur != NULL) {
		lwp_unbind(cur);
		/* An implicit lwp exists only to be this thread's. */
		if (cur->l_bound)
			lwp_free(cur);
	}
	if (newl != NULL)
		rumpuser_curlwpop(RUMPUSER_LWP_SET, newl);
}

void
rump_lwproc_releaselwp(void)
{
	struct lwp *cur;

	if (atomic_load(&kernel_state) != KSTATE_UP)
		return;
	cur = rumpuser_curlwp();
	if (cur == NULL || cur == &lwp0 ||
	    lwproc_busy("rump_lwproc_releaselwp"))
		return;
	lwp_unbind(cur);
	lwp_free(cur);
}

/*
 * A caller that asks for its implicit lwp may switch away and back to it,
 * so from here on it is kept like an explicit one (until released or the
 * thread exits) instead of being freed on the first switch.
 */
struct lwp *
rump_lwproc_curlwp(void)
{
	struct lwp *l;

	if (atomic_load(&kernel_state) == KSTATE_COLD)
		return NULL;
	l = rumpuser_curlwp();
	if (l != NULL && l->l_bound)
		l->l_bound = false;
	return l;
}

void
rump_lwproc_blockhint(void *word)
{
	struct lwp *l;

	if (atomic_load(&kernel_state) == KSTATE_COLD)
		return;
	/* A thread's implicit lwp too: made now if need be, and kept. */
	if ((l = rump_lwproc_curlwp()) == NULL && word != NULL)
		l = curlwp;
	if (l != NULL)
		l->l_blockhint = word;
}

/*
 * RUMP_RFFDG copies the descriptor table, RUMP_RFCFDG starts it empty.
 * 0 also copies: NetBSD's 0 shares the table, which a Linux process model
 * without CLONE_FILES-style sharing here cannot do, and a copy is what a
 * fork(2) gives.
 */
int
rump_lwproc_rfork(int flags)
{
	struct lwp *l, *nl = NULL;
	struct proc *p;
	int error;

	if ((flags & ~(RUMP_RFFDG | RUMP_RFCFDG)) != 0 ||
	    flags == (RUMP_RFFDG | RUMP_RFCFDG))
		return EINVAL;
	if (lwproc_busy("rump_lwproc_rfork"))
		return EBUSY;
	if ((error = kernel_enter(&l)) != 0)
		return error;
	error = proc_fork(l->l_proc, (flags & RUMP_RFCFDG) == 0, &p);
	if (error == 0) {
		error = lwp_create(p, false, &nl);
		proc_rele(p);		/* the lwp holds it now */
	}
	kernel_exit(l);
	if (error == 0)
		rump_lwproc_switch(nl);
	return error;
}

int
rump_proc_execnotify(const char *comm)
{
	struct lwp *l;
	struct proc *p;
	int error;

	if (lwproc_busy("rump_proc_execnotify"))
		return EBUSY;
	if ((error = kernel_enter(&l)) != 0)
		return error;
	p = l->l_proc;
	fd_closeexec(p);
	if (comm != NULL) {
		mutex_enter(&p->p_lock);
		kstrlcpy(p->p_comm, comm, sizeof(p->p_comm));
		mutex_exit(&p->p_lock);
	}
	kernel_exit(l);
	return 0;
}

int
rump_lwproc_newlwp(pid_t pid)
{
	struct lwp *l, *nl = NULL;
	struct proc *p;
	int error;

	if (lwproc_busy("rump_lwproc_newlwp"))
		return EBUSY;
	if ((error = kernel_enter(&l)) != 0)
		return error;
	p = proc_find(pid);
	if (p == NULL) {
		error = ESRCH;
	} else {
		error = lwp_create(p, false, &nl);
		proc_rele(p);
	}
	kernel_exit(l);
	if (error == 0)
		rump_lwproc_switch(nl);
	return error;
}

/* --- kernel threads --------------------------------------------------------- */

struct kthread {
	void (*kt_fn)(void *);
	void *kt_arg;
	struct lwp *kt_lwp;
};

static void *
kthread_main(void *arg)
{
	struct kthread *kt = arg;
	struct lwp *l = kt->kt_lwp;

	lwp_bind(l);
	lwp_enter(l);
	kt->kt_fn(kt->kt_arg);
	lwp_leave(l);
	lwp_unbind(l);
	kmem_free(kt, sizeof(*kt));
	lwp_free(l);
	return NULL;
}

int
kthread_create(void (*fn)(void *), void *arg, const char *name,
    void **cookiep)
{
	struct kthread *kt;
	int error;

	if (!rump_threads)
		return EOPNOTSUPP;
	kt = kmem_alloc(sizeof(*kt));
	if (kt == NULL)
		return ENOMEM;
	kt->kt_fn = fn;
	kt->kt_arg = arg;
	error = lwp_create(&proc0, false, &kt->kt_lwp);
	if (error != 0) {
		kmem_free(kt, sizeof(*kt));
		return error;
	}
	error = rumpuser_thread_create(kthread_main, kt, name,
	    cookiep != NULL, cookiep);
	if (error != 0) {
		lwp_free(kt->kt_lwp);
		kmem_free(kt, sizeof(*kt));
	}
	return error;
}

int
kthread_join(void *cookie)
{
	struct lwp *l;
	int error;

	l = cpu_block_begin();
	error = rumpuser_thread_join(cookie);
	cpu_block_end(l);
	return error;
}
