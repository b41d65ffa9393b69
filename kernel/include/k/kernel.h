/*
 * kernel.h: the kernel's basic services, used by every faction.
 *
 * Conventions inside the kernel: functions return 0 or a positive errno
 * (k/abi.h); results come back through out-pointers.  The -1/errno
 * convention appears only in the rump_sys_* stubs at the public edge.
 */
#ifndef K_KERNEL_H
#define K_KERNEL_H

#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "k/abi.h"
#include "k/queue.h"

#define __printflike(a, b) __attribute__((__format__(__printf__, a, b)))
#define __unused __attribute__((__unused__))
#define __noreturn __attribute__((__noreturn__))

#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define howmany(x, y) (((x) + ((y) - 1)) / (y))
#define roundup(x, y) (howmany(x, y) * (y))
#define __arraycount(a) (sizeof(a) / sizeof((a)[0]))

struct lwp;
struct proc;
struct kauth_cred;

/* --- freestanding helpers (the written-down allow-list) ------------------ */
void *memcpy(void *, const void *, size_t);
void *memmove(void *, const void *, size_t);
void *memset(void *, int, size_t);
int memcmp(const void *, const void *, size_t);
size_t strlen(const char *);
int strcmp(const char *, const char *);
int strncmp(const char *, const char *, size_t);
char *strchr(const char *, int);
/* Our own, always NUL-terminated; returns strlen(src). */
size_t kstrlcpy(char *dst, const char *src, size_t size);

/* --- console: subr_prf.c ------------------------------------------------- */
int ksnprintf(char *buf, size_t size, const char *fmt, ...) __printflike(3, 4);
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
void kprintf(const char *fmt, ...) __printflike(1, 2);
/* Printed only when RUMP_VERBOSE is set. */
void kverbose(const char *fmt, ...) __printflike(1, 2);
void panic(const char *fmt, ...) __printflike(1, 2) __noreturn;
extern int rump_verbose;

#define KASSERT(e) do { if (__builtin_expect(!(e), 0)) \
	panic("kernel assertion \"%s\" failed: %s:%d", #e, __FILE__, __LINE__); \
	} while (0)

/* --- memory: kern/kmem.c ----------------------------------------------- */
/*
 * kmem_alloc() returns NULL when RUMP_MEMLIMIT would be exceeded, after the
 * registered reclaimers (vnode cache ...) had one chance to free memory.
 * There is no sleeping allocation: callers turn NULL into ENOMEM/ENOSPC.
 */
void *kmem_alloc(size_t size);
void *kmem_zalloc(size_t size);
void kmem_free(void *p, size_t size);
/* Zeroed pages of KMEM_PAGE_SIZE bytes, aligned to it (file data). */
#define KMEM_PAGE_SIZE	4096
void *kmem_page_alloc(void);
void kmem_page_free(void *p);
/* Pages kept outside kmem (memory objects), counted against the limit. */
bool kmem_pages_charge(uint64_t npages);
void kmem_pages_uncharge(uint64_t npages);
char *kmem_strdup(const char *s);		/* free with kmem_strfree */
void kmem_strfree(char *s);
/* Bytes in use, and the limit (0 = none). */
uint64_t kmem_inuse(void);
uint64_t kmem_limit(void);
/* True when usage is above the low-water mark (90% of the limit). */
bool kmem_pressure(void);
/* Reclaimers run when an allocation would pass the limit. */
void kmem_register_reclaimer(void (*fn)(void));

/* --- locking: kern/sync.c ------------------------------------------------- */
/*
 * A thread that blocks gives up its virtual CPU first and takes one back
 * after; a thread never blocks while holding a CPU, so NCPU bounds how many
 * threads run in the kernel without ever causing a deadlock.
 */
typedef struct kmutex { struct rumpuser_mtx *mtx; } kmutex_t;
typedef struct kcondvar { struct rumpuser_cv *cv; } kcondvar_t;
typedef struct krwlock { struct rumpuser_rw *rw; } krwlock_t;

void mutex_init(kmutex_t *);
void mutex_destroy(kmutex_t *);
void mutex_enter(kmutex_t *);
bool mutex_tryenter(kmutex_t *);
void mutex_exit(kmutex_t *);

void rw_init(krwlock_t *);
void rw_destroy(krwlock_t *);
void rw_enter(krwlock_t *, bool write);
void rw_exit(krwlock_t *);

void cv_init(kcondvar_t *);
void cv_destroy(kcondvar_t *);
void cv_wait(kcondvar_t *, kmutex_t *);
/* timeout in ns (relative); 0 or ETIMEDOUT. */
int cv_timedwait(kcondvar_t *, kmutex_t *, int64_t ns);
void cv_signal(kcondvar_t *);
void cv_broadcast(kcondvar_t *);

/* --- virtual CPUs: kern/sched.c ----------------------------------------- */
extern int rump_ncpu;
void sched_enter(void);		/* take a virtual CPU (may block) */
void sched_exit(void);		/* give it back */

/* --- bootstrap parameters: kern/init.c ------------------------------------ */
extern int rump_threads;	/* RUMP_THREADS: 0 = create no threads */
extern int64_t kern_maxvnodes;	/* RUMP_NVNODES, sysctl kern.maxvnodes */
extern int64_t kern_maxfiles;	/* sysctl kern.maxfiles */

/*
 * Public entry points other than rump_syscall (rump_etfs_*, ...) wrap their
 * kernel work in these: boots the kernel if needed, gets the caller's lwp
 * and a virtual CPU.  0, EIO after rump_halt(), or the boot error.  Nests.
 */
int kernel_enter(struct lwp **lp);
void kernel_exit(struct lwp *l);

/*
 * Kernel threads (kern/kern_lwp.c): run fn(arg) in a host thread with an
 * lwp in proc0 and a CPU.  EOPNOTSUPP when RUMP_THREADS=0.  cookiep NULL:
 * detached; else join it with kthread_join().
 */
int kthread_create(void (*fn)(void *), void *arg, const char *name,
    void **cookiep);
int kthread_join(void *cookie);

/* --- time: kern/kern_time.c ------------------------------------------------ */
void getnanotime(struct timespec *ts);		/* wall clock */
void getnanouptime(struct timespec *ts);	/* monotonic */
int kpause_ns(int64_t ns);			/* sleep without a CPU */

/* --- randomness ---------------------------------------------------------- */
/* flags: GRND_NONBLOCK (EAGAIN if the pool is not ready), GRND_INSECURE. */
int kern_getrandom(void *buf, size_t len, int flags, size_t *retp);

/* --- user memory: kern/copy.c -------------------------------------------- */
/*
 * Client buffers are in this address space (local clients) or staged in it
 * by the sysproxy server (remote clients), so copying is memcpy plus the
 * checks a kernel makes: NULL and wrap-around give EFAULT.
 */
int copyin(const void *uaddr, void *kaddr, size_t len);
int copyout(const void *kaddr, void *uaddr, size_t len);
/* Copies a NUL-terminated string; ENAMETOOLONG if it does not fit. */
int copyinstr(const char *uaddr, char *kaddr, size_t len, size_t *donep);

enum uio_rw { UIO_READ, UIO_WRITE };
struct uio {
	struct iovec *uio_iov;	/* user buffers (kernel memory if uio_kernel) */
	int uio_iovcnt;
	int64_t uio_offset;
	size_t uio_resid;
	enum uio_rw uio_rw;	/* UIO_READ: data goes to the buffers */
	bool uio_kernel;	/* buffers are kernel memory: no copyin/out */
	/*
	 * The kernel reads for itself (namei following a link, getcwd
	 * looking for a name), not for a caller's readlink(2) or
	 * getdents(2): procfs remembers only what a caller was shown, and
	 * its gone links read but do not resolve (procfs_snap.c).
	 */
	bool uio_internal;
};
/* Moves n bytes between kaddr and the uio, advancing it. */
int uiomove(void *kaddr, size_t n, struct uio *uio);
/* uiomove, with the kernel side's copy fault-safe too (EFAULT): for
 * memory a client may unmap or shrink (memory objects). */
int uiomove_fsafe(void *kaddr, size_t n, struct uio *uio);
/* Builds a uio over a user iovec array (checked, at most UIO_MAXIOV). */
int uio_setup_user(struct uio *uio, struct iovec *kiov, const void *uiov,
    int iovcnt, int64_t off, enum uio_rw rw);

/* --- credentials, processes, lwps: kern/kern_proc.c, kern_cred.c ---------- */
struct kauth_cred {
	atomic_int cr_refcnt;
	uid_t cr_uid, cr_euid, cr_suid, cr_fsuid;
	gid_t cr_gid, cr_egid, cr_sgid, cr_fsgid;
	int cr_ngroups;
	gid_t *cr_groups;
};
struct kauth_cred *cred_alloc(void);		/* root, no groups */
struct kauth_cred *cred_dup(const struct kauth_cred *);
void cred_hold(struct kauth_cred *);
void cred_free(struct kauth_cred *);
bool cred_groupmember(const struct kauth_cred *, gid_t gid);
bool cred_is_root(const struct kauth_cred *);	/* fsuid == 0 */

struct filedesc;
struct vnode;

struct proc {
	LIST_ENTRY(proc) p_list;
	pid_t p_pid;
	pid_t p_ppid;
	kmutex_t p_lock;		/* p_cred, p_cwdi, p_rlimit, p_comm */
	int p_refcnt;			/* lwps plus explicit holds */
	struct kauth_cred *p_cred;	/* replaced, never modified in place */
	struct filedesc *p_fd;
	struct vnode *p_cwd;		/* referenced */
	struct vnode *p_root;		/* referenced */
	mode_t p_umask;
	bool p_linkout;			/* RUMP_PR_LINKOUT: ELINKOUT, not a
					 * lookup of a host target in here */
	struct rlimit p_rlimit[RLIM_NLIMITS];
	char p_comm[16];
	void *p_private;		/* owner's (sysproxy server, hijack) */
	int p_nlwps;			/* under the proc list lock */
};

struct lwp {
	struct proc *l_proc;
	int l_tid;
	struct kauth_cred *l_cred;	/* snapshot of p_cred for this call */
	bool l_bound;			/* bound to a host thread for good */
	int l_ncalls;			/* nesting depth of kernel entries */
	struct seltable *l_seltable;	/* poll table of selrecord() (k/file.h) */
	_Atomic uint32_t *l_blockhint;	/* set to 1 when it sleeps (see
					   rump_lwproc_blockhint) */
	/* Private to kern/: */
	LIST_ENTRY(lwp) l_list;		/* all lwps, under the proc list lock */
	bool l_hascpu;			/* holds a virtual CPU */
	bool l_unsched;			/* CPU given back by hyp_unschedule */
	bool l_onthread;		/* current lwp of some host thread */
};

extern struct proc proc0;		/* the kernel itself, pid 0 */
struct lwp *curlwp_get(void);		/* creates/binds one if needed */
#define curlwp (curlwp_get())
#define curproc (curlwp->l_proc)

struct proc *proc_find(pid_t pid);	/* referenced; proc_rele when done */
void proc_rele(struct proc *);
/* Smallest live pid > after (start with -1), for procfs; else ENOENT. */
int proc_nextpid(pid_t after, pid_t *pidp);
/* New process forked from parent (fd table copied if copyfd, else empty). */
int proc_fork(struct proc *parent, bool copyfd, struct proc **newp);
/* Credentials of the calling lwp for this call (no reference taken). */
static inline struct kauth_cred *
kauth_cred_get(void)
{
	return curlwp->l_cred;
}

/*
 * Hooks for factions above the base: vfs holds cwd/root vnodes across fork
 * and releases them at exit; the base cannot call vfs directly.
 */
/* ph_fork runs before the child has its pid and becomes visible. */
struct proc_hooks {
	void (*ph_fork)(struct proc *parent, struct proc *child);
	void (*ph_exit)(struct proc *p);
};
void proc_hooks_register(const struct proc_hooks *hooks);
/* Run by rump_halt(): vfs syncs and unmounts here. */
void shutdown_hook_register(void (*fn)(void));

/* --- sleeping with a CPU given back ---------------------------------------- */
/* True if the calling lwp's process has a pending interruption. */
bool lwp_interrupted(struct lwp *l);

#endif /* K_KERNEL_H */
