/*
 * kern_proc.c: processes.
 *
 * proc0 is the kernel itself (pid 0); proc1 is the local client (pid 1),
 * which every host thread of the embedding program joins by default.  Each
 * further process comes from proc_fork() (rump_lwproc_rfork, the sysproxy
 * server's clients).  Both proc0 and proc1 hold a reference of their own,
 * so they live until the process does, even without lwps.
 *
 * A process lives while p_refcnt > 0: one reference per lwp plus explicit
 * holds (proc_find).  The last proc_rele/lwp_free unlinks it and
 * proc_exit() runs the exit hooks (vfs drops cwd/root), closes its
 * descriptors and frees it.
 *
 * Locking: proc_list_lock protects allproc, every p_refcnt and p_nlwps,
 * the id allocator and the lwp list (kern_lwp.c).  p_lock protects a
 * process's p_cred, p_cwd/p_root, p_rlimit, p_umask and p_comm; p_cred is
 * also read without a lock by the syscall entry to compare a pointer, so
 * it is stored with __atomic_store_n.  Order: p_lock before proc_list_lock.
 */
#include "k/file.h"
#include "k/kernel.h"
#include "rump/rumpuser.h"

#include "kern_private.h"

/* Like Linux's PID_MAX_LIMIT on 64-bit; ids wrap to 2 after it. */
#define PID_MAX		4194304
#define MAXHOOKS	16

struct proc proc0;
struct proc *proc1;
kmutex_t proc_list_lock;
static LIST_HEAD(, proc) allproc = LIST_HEAD_INITIALIZER(allproc);

static pid_t pid_next = 1;
static bool pid_wrapped;

static const struct proc_hooks *_Atomic proc_hooks[MAXHOOKS];
static _Atomic int proc_nhooks;
static void (*_Atomic shutdown_hooks[MAXHOOKS])(void);
static _Atomic int shutdown_nhooks;

/* Linux's defaults for a login session, with nofile at 1024/1048576. */
static void
rlimit_defaults(struct rlimit *rl)
{
	int i;

	for (i = 0; i < RLIM_NLIMITS; i++) {
		rl[i].rlim_cur = RLIM_INFINITY;
		rl[i].rlim_max = RLIM_INFINITY;
	}
	rl[RLIMIT_STACK].rlim_cur = 8 * 1024 * 1024;
	rl[RLIMIT_CORE].rlim_cur = 0;
	rl[RLIMIT_NOFILE].rlim_cur = 1024;
	rl[RLIMIT_NOFILE].rlim_max = 1048576;
	rl[RLIMIT_MEMLOCK].rlim_cur = 8 * 1024 * 1024;
	rl[RLIMIT_MEMLOCK].rlim_max = 8 * 1024 * 1024;
	rl[RLIMIT_MSGQUEUE].rlim_cur = 819200;
	rl[RLIMIT_MSGQUEUE].rlim_max = 819200;
	rl[RLIMIT_NICE].rlim_cur = 0;
	rl[RLIMIT_NICE].rlim_max = 0;
	rl[RLIMIT_RTPRIO].rlim_cur = 0;
	rl[RLIMIT_RTPRIO].rlim_max = 0;
}

/* Is id a live pid or tid?  proc_list_lock held. */
static bool
id_in_use(pid_t id)
{
	struct proc *p;

	LIST_FOREACH(p, &allproc, p_list) {
		if (p->p_pid == id)
			return true;
	}
	return lwp_tid_in_use(id);
}

/*
 * Pids and tids share one space, as on Linux.  Until the first wrap every
 * number is fresh; after it, live ones are skipped.  -1 if none is free.
 */
pid_t
id_alloc(void)
{
	int tries;

	for (tries = 0; tries < PID_MAX; tries++) {
		pid_t id = pid_next++;

		if (pid_next >= PID_MAX) {
			pid_next = 2;
			pid_wrapped = true;
		}
		if (!pid_wrapped || !id_in_use(id))
			return id;
	}
	return -1;
}

/* Unlinks p, whose last reference is gone; proc_list_lock held. */
static void
proc_unlink_locked(struct proc *p)
{
	struct proc *q;

	LIST_REMOVE(p, p_list);
	/* Orphans go to pid 1, as Linux gives them to init. */
	LIST_FOREACH(q, &allproc, p_list) {
		if (q->p_ppid == p->p_pid)
			__atomic_store_n(&q->p_ppid, 1, __ATOMIC_RELAXED);
	}
}

void
proc_hold_locked(struct proc *p)
{
	p->p_refcnt++;
}

/* Drops a reference; true if it was the last (p is then unlinked). */
bool
proc_drop_locked(struct proc *p)
{
	KASSERT(p->p_refcnt > 0);
	if (--p->p_refcnt > 0)
		return false;
	proc_unlink_locked(p);
	return true;
}

struct proc *
proc_find(pid_t pid)
{
	struct proc *p;

	mutex_enter(&proc_list_lock);
	LIST_FOREACH(p, &allproc, p_list) {
		if (p->p_pid == pid) {
			proc_hold_locked(p);
			break;
		}
	}
	mutex_exit(&proc_list_lock);
	return p;
}

void
proc_rele(struct proc *p)
{
	bool last;

	mutex_enter(&proc_list_lock);
	last = proc_drop_locked(p);
	mutex_exit(&proc_list_lock);
	if (last)
		proc_exit(p);
}

int
proc_nextpid(pid_t after, pid_t *pidp)
{
	struct proc *p;
	pid_t best = -1;

	mutex_enter(&proc_list_lock);
	LIST_FOREACH(p, &allproc, p_list) {
		if (p->p_pid > after && (best < 0 || p->p_pid < best))
			best = p->p_pid;
	}
	mutex_exit(&proc_list_lock);
	if (best < 0)
		return ENOENT;
	*pidp = best;
	return 0;
}

void
proc_set_cred(struct proc *p, struct kauth_cred *cred)
{
	__atomic_store_n(&p->p_cred, cred, __ATOMIC_RELEASE);
}

int
proc_fork(struct proc *parent, bool copyfd, struct proc **newp)
{
	struct proc *p;
	pid_t pid;
	int i, n;

	p = kmem_zalloc(sizeof(*p));
	if (p == NULL)
		return ENOMEM;
	mutex_init(&p->p_lock);

	mutex_enter(&parent->p_lock);
	cred_hold(parent->p_cred);
	p->p_cred = parent->p_cred;
	p->p_umask = parent->p_umask;
	p->p_linkout = parent->p_linkout;
	memcpy(p->p_rlimit, parent->p_rlimit, sizeof(p->p_rlimit));
	memcpy(p->p_comm, parent->p_comm, sizeof(p->p_comm));
	mutex_exit(&parent->p_lock);

	p->p_fd = copyfd ? fd_copy(parent->p_fd) : fd_init();
	if (p->p_fd == NULL) {
		cred_free(p->p_cred);
		mutex_destroy(&p->p_lock);
		kmem_free(p, sizeof(*p));
		return ENOMEM;
	}
	p->p_ppid = parent->p_pid;
	p->p_refcnt = 1;

	n = atomic_load(&proc_nhooks);
	for (i = 0; i < n && i < MAXHOOKS; i++) {
		const struct proc_hooks *h = atomic_load(&proc_hooks[i]);

		if (h != NULL && h->ph_fork != NULL)
			h->ph_fork(parent, p);
	}

	mutex_enter(&proc_list_lock);
	pid = id_alloc();
	if (pid >= 0) {
		p->p_pid = pid;
		LIST_INSERT_HEAD(&allproc, p, p_list);
	}
	mutex_exit(&proc_list_lock);
	if (pid < 0) {
		/* Never published: undo the hooks and free it. */
		proc_exit(p);
		return EAGAIN;
	}
	*newp = p;
	return 0;
}

/*
 * The last reference is gone and p is unlinked.  Runs in kernel context:
 * the caller's if it is in the kernel, else a borrowed one in proc0.
 */
void
proc_exit(struct proc *p)
{
	struct kctx ctx;
	int i;

	kctx_enter(&ctx);
	for (i = MIN(atomic_load(&proc_nhooks), MAXHOOKS) - 1; i >= 0; i--) {
		const struct proc_hooks *h = atomic_load(&proc_hooks[i]);

		if (h != NULL && h->ph_exit != NULL)
			h->ph_exit(p);
	}
	if (p->p_fd != NULL)
		fd_free(p->p_fd);
	cred_free(p->p_cred);
	mutex_destroy(&p->p_lock);
	kmem_free(p, sizeof(*p));
	kctx_exit(&ctx);
}

void
proc_hooks_register(const struct proc_hooks *hooks)
{
	int slot = atomic_fetch_add(&proc_nhooks, 1);

	if (slot >= MAXHOOKS)
		panic("proc_hooks_register: more than %d hooks", MAXHOOKS);
	atomic_store(&proc_hooks[slot], hooks);
}

void
shutdown_hook_register(void (*fn)(void))
{
	int slot = atomic_fetch_add(&shutdown_nhooks, 1);

	if (slot >= MAXHOOKS)
		panic("shutdown_hook_register: more than %d hooks", MAXHOOKS);
	atomic_store(&shutdown_hooks[slot], fn);
}

/* Last registered runs first: file systems above vfs before vfs. */
void
proc_run_shutdown_hooks(void)
{
	int i;

	for (i = MIN(atomic_load(&shutdown_nhooks), MAXHOOKS) - 1; i >= 0;
	    i--) {
		void (*fn)(void) = atomic_load(&shutdown_hooks[i]);

		if (fn != NULL)
			fn();
	}
}

/*
 * proc0 and lwp0 (which the boot thread uses), then proc1 forked from
 * proc0: root, umask 022, empty descriptor table.
 */
int
proc_init(void)
{
	int error;

	mutex_init(&proc_list_lock);
	mutex_init(&proc0.p_lock);
	proc0.p_pid = 0;
	proc0.p_ppid = 0;
	proc0.p_refcnt = 1;
	proc0.p_umask = 022;
	rlimit_defaults(proc0.p_rlimit);
	kstrlcpy(proc0.p_comm, "kernel", sizeof(proc0.p_comm));
	proc0.p_cred = cred_alloc();
	if (proc0.p_cred == NULL)
		return ENOMEM;
	proc0.p_fd = fd_init();
	if (proc0.p_fd == NULL)
		return ENOMEM;
	LIST_INSERT_HEAD(&allproc, &proc0, p_list);
	lwp0_init();

	error = proc_fork(&proc0, false, &proc1);
	if (error != 0)
		return error;
	KASSERT(proc1->p_pid == 1);
	mutex_enter(&proc1->p_lock);
	kstrlcpy(proc1->p_comm, "local", sizeof(proc1->p_comm));
	mutex_exit(&proc1->p_lock);
	return 0;
}
