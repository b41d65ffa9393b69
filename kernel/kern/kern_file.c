/*
 * kern_file.c: open file descriptions (struct file) and the waiting
 * primitives of descriptors: file_cv_wait() and poll's generation counter.
 *
 * A file is reference counted (f_count, atomic).  Descriptor slots, calls
 * in progress and other kernel holders each own a reference; the last
 * file_rele() calls fo_close, drops the opener's credentials and frees the
 * file.  f_lock covers f_offset and f_flag (see k/file.h).
 *
 * Poll waits on one kernel-wide generation counter (see k/file.h): simple,
 * never a busy wait, at the price of waking every poller on any readiness
 * change; poll re-checks its descriptors, so such wakeups are harmless.
 * sel_lock only orders sleeping against selnotify()'s broadcast: sel_gen
 * and sel_nwaiters are atomics, and selnotify() skips the lock entirely
 * when nobody sleeps in poll, which keeps pipe and socket I/O off it.
 */
#include "k/kernel.h"
#include "k/file.h"

/*
 * How long a sleeper goes without checking lwp_interrupted().  Nothing
 * wakes a sleeper on interruption, so this bounds how late an interrupted
 * call notices; long enough that idle sleepers cost next to nothing.
 */
#define INTR_SLICE_NS	(250LL * 1000 * 1000)

static kmutex_t sel_lock;
static kcondvar_t sel_cv;
static _Atomic uint64_t sel_gen;
static atomic_int sel_nwaiters;		/* threads in sel_wait() */
static atomic_int sel_state;		/* 0 none, 1 setting up, 2 ready */

/*
 * Sets up sel_lock and sel_cv once.  file_init() does it at boot; doing
 * it on first use too keeps poll safe if the bootstrap never calls it.
 */
static void
sel_setup(void)
{
	int expect = 0;

	if (atomic_load(&sel_state) == 2)
		return;
	if (atomic_compare_exchange_strong(&sel_state, &expect, 1)) {
		mutex_init(&sel_lock);
		cv_init(&sel_cv);
		atomic_store(&sel_state, 2);
		return;
	}
	while (atomic_load(&sel_state) != 2)
		(void)kpause_ns(1000);	/* another thread sets up */
}

void
file_init(void)
{
	sel_setup();
}

int
file_alloc(struct file **fpp)
{
	struct file *fp;

	/* Memory is the only limit on open files here (no ENFILE table). */
	if ((fp = kmem_zalloc(sizeof(*fp))) == NULL)
		return ENOMEM;
	mutex_init(&fp->f_lock);
	atomic_init(&fp->f_count, 1);
	fp->f_cred = kauth_cred_get();
	cred_hold(fp->f_cred);
	*fpp = fp;
	return 0;
}

void
file_hold(struct file *fp)
{
	int old;

	old = atomic_fetch_add_explicit(&fp->f_count, 1, memory_order_relaxed);
	KASSERT(old > 0);
}

void
file_rele(struct file *fp)
{
	int old;

	/* acq_rel: the freeing thread sees every holder's last writes. */
	old = atomic_fetch_sub_explicit(&fp->f_count, 1, memory_order_acq_rel);
	KASSERT(old > 0);
	if (old != 1)
		return;
	/* f_ops is still NULL if the file was never set up (error paths). */
	if (fp->f_ops != NULL && fp->f_ops->fo_close != NULL)
		(void)fp->f_ops->fo_close(fp);
	if (fp->f_cred != NULL)
		cred_free(fp->f_cred);
	mutex_destroy(&fp->f_lock);
	kmem_free(fp, sizeof(*fp));
}

int64_t
uptime_ns(void)
{
	struct timespec ts;

	getnanouptime(&ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int
file_cv_wait(kcondvar_t *cv, kmutex_t *m, int64_t deadline)
{
	struct lwp *l = curlwp;
	int64_t ns = INTR_SLICE_NS, now;

	if (lwp_interrupted(l))
		return EINTR;
	if (deadline != KWAIT_FOREVER) {
		now = uptime_ns();
		if (now >= deadline)
			return ETIMEDOUT;
		if (deadline - now < ns)
			ns = deadline - now;
	}
	(void)cv_timedwait(cv, m, ns);
	if (lwp_interrupted(l))
		return EINTR;
	if (deadline != KWAIT_FOREVER && uptime_ns() >= deadline)
		return ETIMEDOUT;
	return 0;
}

/*
 * The increment of sel_gen and the load of sel_nwaiters here, against the
 * increment of sel_nwaiters and the load of sel_gen in sel_wait(), are all
 * sequentially consistent: either this sees the waiter and broadcasts
 * under sel_lock, or the waiter sees the new generation and does not
 * sleep.  No wakeup is lost.
 */
void
selnotify(void)
{
	atomic_fetch_add(&sel_gen, 1);
	if (atomic_load(&sel_nwaiters) == 0)
		return;
	mutex_enter(&sel_lock);
	cv_broadcast(&sel_cv);
	mutex_exit(&sel_lock);
}

uint64_t
sel_generation(void)
{
	return atomic_load(&sel_gen);
}

int
sel_wait(uint64_t gen, int64_t deadline)
{
	int error = 0;

	sel_setup();
	mutex_enter(&sel_lock);
	atomic_fetch_add(&sel_nwaiters, 1);
	while (atomic_load(&sel_gen) == gen) {
		error = file_cv_wait(&sel_cv, &sel_lock, deadline);
		if (error != 0)
			break;
	}
	atomic_fetch_sub(&sel_nwaiters, 1);
	mutex_exit(&sel_lock);
	return error;
}

/* Per-object readiness: for now the kernel-wide generation (k/file.h). */
void
selinit(struct selinfo *sip)
{
	sip->si_waiters = NULL;
}

void
seldestroy(struct selinfo *sip)
{
	KASSERT(sip->si_waiters == NULL);
}

void
selrecord(struct selinfo *sip __unused)
{
}

void
selwakeup(struct selinfo *sip __unused, int events __unused)
{
	selnotify();
}
