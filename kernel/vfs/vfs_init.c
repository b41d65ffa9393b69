/*
 * vfs_init.c: the vfs component.  vfs_init sets up vfs_giant, the vnode
 * cache and advisory locks, registers the vfs system calls, the process
 * hooks (fork: the child shares cwd and root; exit: they are released),
 * the descriptor-close hook (POSIX locks), a kmem reclaimer that frees
 * unused vnodes, and a shutdown hook that syncs every mount.
 * vfs_postinit mounts tmpfs as the root and gives every existing process
 * (proc0, the local client) the root as cwd and root.
 *
 * Locking: vfs_giant is a plain kmutex; vfs_lock() makes it recursive for
 * the lwp that owns it (see vfs_private.h for why).  giant_owner is only
 * ever compared with the caller's own lwp, so a stale value read by
 * another thread is harmless; giant_depth is touched by the owner only.
 */
#include "k/component.h"
#include "k/syscall.h"

#include "vfs_private.h"

#include "syscallargs.h"

/*
 * The hypercall behind curlwp, which unlike curlwp never creates an lwp:
 * vfs_lock also runs where the caller has none (a process's exit hook
 * and last closes run after its lwp was unbound), and must not bind a
 * new one to the thread.  Such a caller (NULL) cannot recurse.
 */
void *rumpuser_curlwp(void);

kmutex_t vfs_giant;
static void *_Atomic giant_owner;
static int giant_depth;

void
vfs_lock(void)
{
	void *l = rumpuser_curlwp();

	if (l != NULL &&
	    atomic_load_explicit(&giant_owner, memory_order_relaxed) == l) {
		giant_depth++;
		return;
	}
	mutex_enter(&vfs_giant);
	atomic_store_explicit(&giant_owner, l, memory_order_relaxed);
	giant_depth = 1;
}

void
vfs_unlock(void)
{
	KASSERT(giant_depth > 0);
	if (--giant_depth > 0)
		return;
	atomic_store_explicit(&giant_owner, NULL, memory_order_relaxed);
	mutex_exit(&vfs_giant);
}

/*
 * For code that sleeps on vfs_giant without knowing about the recursion
 * (fifo_open): the mutex stays held, but the bookkeeping is cleared so
 * that whoever takes it while we sleep starts afresh.
 */
int
vfs_giant_forget(void)
{
	int depth = giant_depth;

	giant_depth = 0;
	atomic_store_explicit(&giant_owner, NULL, memory_order_relaxed);
	return depth;
}

void
vfs_giant_remember(int depth)
{
	atomic_store_explicit(&giant_owner, rumpuser_curlwp(),
	    memory_order_relaxed);
	giant_depth = depth;
}

int
vfs_cv_wait(kcondvar_t *cv, int64_t deadline)
{
	int depth, error;

	depth = vfs_giant_forget();
	error = file_cv_wait(cv, &vfs_giant, deadline);
	vfs_giant_remember(depth);
	return error;
}

/* --- process hooks ------------------------------------------------------------ */

static void
vfs_proc_fork(struct proc *parent, struct proc *child)
{
	vfs_lock();
	child->p_cwd = parent->p_cwd;
	child->p_root = parent->p_root;
	if (child->p_cwd != NULL)
		vref(child->p_cwd);
	if (child->p_root != NULL)
		vref(child->p_root);
	vfs_unlock();
}

static void
vfs_proc_exit(struct proc *p)
{
	struct vnode *cwd, *root;

	vfs_lock();
	mutex_enter(&p->p_lock);
	cwd = p->p_cwd;
	root = p->p_root;
	p->p_cwd = p->p_root = NULL;
	mutex_exit(&p->p_lock);
	if (cwd != NULL)
		vrele(cwd);
	if (root != NULL)
		vrele(root);
	vfs_unlock();
}

static const struct proc_hooks vfs_proc_hooks = {
	.ph_fork = vfs_proc_fork,
	.ph_exit = vfs_proc_exit,
};

/*
 * A descriptor of table fdp was closed: Linux releases the POSIX record
 * locks its owner holds on that file, whichever descriptor took them.
 * Most files never see a lock, so the common case does not take the lock.
 */
static void
vfs_fdclose(struct filedesc *fdp, struct file *fp)
{
	struct vnode *vp = fp->f_vnode;

	if (vp == NULL || __atomic_load_n(&vp->v_lockf, __ATOMIC_RELAXED) ==
	    NULL)
		return;
	vfs_lock();
	lf_release_posix(vp, fdp);
	vfs_unlock();
}

/*
 * kmem is short of memory: free the vnodes nobody uses.  This may run
 * inside any allocation, also one made with vfs_giant held (then it does
 * nothing: the tree is in the middle of a change).
 */
static void
vfs_reclaimer(void)
{
	if (!mutex_tryenter(&vfs_giant))
		return;
	vcache_reclaim(NULL, INT_MAX);
	mutex_exit(&vfs_giant);
}

static void
vfs_shutdown(void)
{
	vfs_lock();
	vfs_sync_all();
	vfs_unlock();
}

static int
vfs_init(void)
{
	int error;

	mutex_init(&vfs_giant);
	vcache_init();
	lf_init();
	if ((error = namei_init()) != 0)
		return error;
	syscall_register(syscalls_vfs);
	proc_hooks_register(&vfs_proc_hooks);
	fd_close_hook_register(vfs_fdclose);
	kmem_register_reclaimer(vfs_reclaimer);
	shutdown_hook_register(vfs_shutdown);
	return 0;
}

/* Gives p the root as cwd and root where it has none yet. */
static void
vfs_setroot(struct proc *p)
{
	vfs_lock();
	mutex_enter(&p->p_lock);
	if (p->p_cwd == NULL) {
		vref(rootvnode);
		p->p_cwd = rootvnode;
	}
	if (p->p_root == NULL) {
		vref(rootvnode);
		p->p_root = rootvnode;
	}
	mutex_exit(&p->p_lock);
	vfs_unlock();
}

static int
vfs_postinit(void)
{
	struct mount *mp;
	struct proc *p;
	pid_t pid;
	int error;

	if (vfs_getopsbyname("tmpfs") == NULL) {
		kprintf("vfs: tmpfs is not linked in: no root file system\n");
		return ENODEV;
	}
	vfs_lock();
	error = vfs_domount("tmpfs", NULL, "tmpfs", 0, NULL, &mp);
	if (error == 0) {
		rootvnode = mp->mnt_rootvp;
		vref(rootvnode);
	}
	vfs_unlock();
	if (error != 0) {
		kprintf("vfs: cannot mount the root tmpfs: error %d\n", error);
		return error;
	}
	kverbose("vfs: root file system is tmpfs\n");

	/* The proc list lock is not held across vfs_lock (fork's order). */
	vfs_setroot(&proc0);
	pid = -1;
	while (proc_nextpid(pid, &pid) == 0) {
		if ((p = proc_find(pid)) == NULL)
			continue;
		if (p != &proc0)
			vfs_setroot(p);
		proc_rele(p);
	}
	return 0;
}

RUMP_COMPONENT(vfs_component, "vfs", vfs_init, vfs_postinit, "kern")
