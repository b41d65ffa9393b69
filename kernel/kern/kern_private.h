/*
 * kern_private.h: what the base files of kern/ share among themselves and
 * do not offer to the other factions (those use the k/ headers).  Also the
 * prototypes of the public rump_* functions defined here: the kernel
 * cannot include <rump/rump.h>, which pulls in host headers, so the
 * signatures are repeated with the kernel's identical Linux-ABI types.
 *
 * Owner: the kern base (init, sched, sync, kmem, proc/lwp, syscall,
 * sysctl).  Descriptor files may include it but should keep their own
 * private declarations in a header of their own.
 */
#ifndef KERN_PRIVATE_H
#define KERN_PRIVATE_H

#include <limits.h>

#include "k/kernel.h"

/* --- public API (include/rump/rump.h, k/component.h) ---------------------- */
int rump_init(void);
const char *rump_version(void);
int rump_halt(void);
int rump_lwproc_rfork(int flags);
int rump_lwproc_newlwp(pid_t pid);
void rump_lwproc_switch(struct lwp *l);
void rump_lwproc_releaselwp(void);
struct lwp *rump_lwproc_curlwp(void);
int rump_module_load(const char *path);
int rump_syscall(int num, const int64_t *args, int nargs, int64_t *retval);
#define RUMP_RFFDG	0x01
#define RUMP_RFCFDG	0x02

/* --- init.c: the kernel's life cycle -------------------------------------- */
enum kernel_state {
	KSTATE_COLD,		/* not booted (or a bad parameter; may retry) */
	KSTATE_BOOTING,		/* one thread is booting, others wait */
	KSTATE_UP,		/* booted (maybe with failed components) */
	KSTATE_FAILED,		/* boot failed past the point of retrying */
	KSTATE_HALTED		/* rump_halt() ran */
};
extern _Atomic int kernel_state;
/* 0 if the kernel is up (booting it if cold); EIO after rump_halt(). */
int kernel_ensure_booted(void);

/* --- subr_prf.c ------------------------------------------------------------ */
/* Reports a bad RUMP_* parameter value on the console, quoted, sanitized. */
void kprint_param_error(const char *name, const char *value,
    const char *why);

/* --- kmem.c ---------------------------------------------------------------- */
void kmem_setlimit(uint64_t limit);		/* once, at boot */
/* For allocations that must not fail on RUMP_MEMLIMIT (lwps): accounted
 * but not limited; NULL only when the host is out of memory. */
void *kmem_zalloc_nolimit(size_t size);

/* --- sched.c: the virtual CPU semaphore ------------------------------------ */
extern _Atomic int sched_cpu_free;
extern _Atomic int sched_cpu_waiters;
int sched_init(int ncpu);
void sched_take_slow(void);
void sched_wake(void);

/* Raw take/give; the caller keeps l_hascpu right. */
static inline void
sched_take(void)
{
	int n = atomic_load_explicit(&sched_cpu_free, memory_order_relaxed);

	while (n > 0) {
		if (atomic_compare_exchange_weak(&sched_cpu_free, &n, n - 1))
			return;
	}
	sched_take_slow();
}

static inline void
sched_give(void)
{
	atomic_fetch_add(&sched_cpu_free, 1);
	if (atomic_load(&sched_cpu_waiters) != 0)
		sched_wake();
}

/* Around a blocking host call: give the CPU back if this thread holds one
 * (returns its lwp, or NULL if there was nothing to give back). */
struct lwp *cpu_block_begin(void);
void cpu_block_end(struct lwp *l);

/* The upcalls handed to rumpuser_init(). */
void hyp_schedule(void);
void hyp_unschedule(void);

/*
 * The lwp l (cpu_block_begin's) goes to sleep, as opposed to a lock's
 * short wait: whoever serves its caller may stop waiting actively for
 * the answer (rump_lwproc_blockhint).
 */
static inline void
sleep_hint(struct lwp *l)
{
	if (l != NULL && l->l_blockhint != NULL)
		atomic_store_explicit(l->l_blockhint, 1, memory_order_relaxed);
}
void hyp_lwpexit(void *lwp);

/* --- kern_proc.c, kern_lwp.c ----------------------------------------------- */
extern struct proc *proc1;		/* the local client, pid 1 */
extern struct lwp lwp0;			/* the boot thread's lwp, in proc0 */
extern kmutex_t proc_list_lock;
int proc_init(void);
void proc_exit(struct proc *p);		/* last reference is gone */
void proc_hold_locked(struct proc *p);
bool proc_drop_locked(struct proc *p);	/* true: last one, p unlinked */
/* Publishes a new credential (p_lock held; the old one is the caller's). */
void proc_set_cred(struct proc *p, struct kauth_cred *cred);
void proc_run_shutdown_hooks(void);

/* --- kern_callout.c: its lock, at boot before the components --------------- */
void callout_startup(void);
pid_t id_alloc(void);			/* proc_list_lock held; -1: none */

void lwp0_init(void);
bool lwp_tid_in_use(pid_t tid);		/* proc_list_lock held */
int lwp_create(struct proc *p, bool bound, struct lwp **lp);
void lwp_free(struct lwp *l);		/* not current on any thread */
struct lwp *lwp_implicit(void);		/* curlwp_get slow path */
/* The lwp's credential snapshot, refreshed if the process changed it. */
void lwp_cred_refresh(struct lwp *l);
/* A public lwproc call made from inside a system call: says so, true. */
bool lwproc_busy(const char *what);

static inline void
lwp_cred_check(struct lwp *l)
{
	struct kauth_cred *pc;

	pc = __atomic_load_n(&l->l_proc->p_cred, __ATOMIC_RELAXED);
	if (__builtin_expect(l->l_cred != pc, 0))
		lwp_cred_refresh(l);
}

/* Enter/leave the kernel with a known lwp (the syscall fast path). */
static inline void
lwp_enter(struct lwp *l)
{
	if (l->l_ncalls++ == 0 && !l->l_hascpu) {
		sched_take();
		l->l_hascpu = true;
	}
}

static inline void
lwp_leave(struct lwp *l)
{
	if (--l->l_ncalls == 0 && l->l_hascpu) {
		l->l_hascpu = false;
		sched_give();
	}
}

/*
 * Kernel context for work done outside any call (a process's exit from a
 * dying host thread, ...): if the thread is not in the kernel, it borrows
 * a temporary lwp in proc0 and a CPU until kctx_exit().
 */
struct kctx {
	struct lwp *prev;	/* the thread's lwp before (may be NULL) */
	bool borrowed;
	struct lwp tmp;
};
void kctx_enter(struct kctx *c);
void kctx_exit(struct kctx *c);

/* --- kern_cred.c ----------------------------------------------------------- */
/* The privilege checks Linux makes with capabilities, on euid 0. */
bool cred_capable(const struct kauth_cred *cred);

/* --- component.c ----------------------------------------------------------- */
int component_init_pending(void);	/* 0 or the first error */

/* --- kern_sysctl.c --------------------------------------------------------- */
int sysctl_init(void);
void kern_getuts(struct utsname *uts);
int kern_sethostname(const char *name, size_t len);
int kern_setdomainname(const char *name, size_t len);

#endif /* KERN_PRIVATE_H */
