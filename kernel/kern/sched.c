/*
 * sched.c: virtual CPUs.
 *
 * At most rump_ncpu threads run kernel code at once.  A CPU is a unit of a
 * counting semaphore: sched_cpu_free counts the free ones and the fast
 * path (kern_private.h) is one compare-and-swap to take and one atomic add
 * to give back.  Only when none is free does a thread sleep, on cpu_cv
 * under cpu_mtx, announced in sched_cpu_waiters so that givers know to
 * signal.  A waiter registers itself before its last look at the count and
 * a giver adds before it looks for waiters (both sequentially consistent),
 * so one of the two always sees the other: no lost wake-up.
 *
 * Whether a thread holds a CPU is recorded in its lwp (l_hascpu), which is
 * what lets sync.c and the hypervisor's upcalls give the CPU back around
 * a blocking call without knowing the caller's state: a thread never
 * blocks while holding a CPU (kernel.h), so NCPU cannot cause a deadlock.
 */
#include "k/kernel.h"
#include "rump/rumpuser.h"

#include "kern_private.h"

int rump_ncpu = 1;
_Atomic int sched_cpu_free;
_Atomic int sched_cpu_waiters;
static struct rumpuser_mtx *cpu_mtx;
static struct rumpuser_cv *cpu_cv;

int
sched_init(int ncpu)
{
	int error;

	if (cpu_mtx == NULL && (error = rumpuser_mutex_init(&cpu_mtx)) != 0)
		return error;
	if (cpu_cv == NULL && (error = rumpuser_cv_init(&cpu_cv)) != 0)
		return error;
	rump_ncpu = ncpu;
	atomic_store(&sched_cpu_free, ncpu);
	return 0;
}

static bool
sched_trytake(void)
{
	int n = atomic_load(&sched_cpu_free);

	while (n > 0) {
		if (atomic_compare_exchange_weak(&sched_cpu_free, &n, n - 1))
			return true;
	}
	return false;
}

void
sched_take_slow(void)
{
	rumpuser_mutex_enter(cpu_mtx);
	atomic_fetch_add(&sched_cpu_waiters, 1);
	while (!sched_trytake())
		rumpuser_cv_wait(cpu_cv, cpu_mtx);
	atomic_fetch_sub(&sched_cpu_waiters, 1);
	rumpuser_mutex_exit(cpu_mtx);
}

void
sched_wake(void)
{
	rumpuser_mutex_enter(cpu_mtx);
	rumpuser_cv_signal(cpu_cv);
	rumpuser_mutex_exit(cpu_mtx);
}

/*
 * The kernel.h interface.  With an lwp it is idempotent (taking a CPU one
 * holds, or giving back one it does not, does nothing); a thread without
 * an lwp gets the raw semaphore.
 */
void
sched_enter(void)
{
	struct lwp *l = rumpuser_curlwp();

	if (l != NULL && l->l_hascpu)
		return;
	sched_take();
	if (l != NULL)
		l->l_hascpu = true;
}

void
sched_exit(void)
{
	struct lwp *l = rumpuser_curlwp();

	if (l != NULL) {
		if (!l->l_hascpu)
			return;
		l->l_hascpu = false;
	}
	sched_give();
}

struct lwp *
cpu_block_begin(void)
{
	struct lwp *l = rumpuser_curlwp();

	if (l == NULL || !l->l_hascpu)
		return NULL;
	l->l_hascpu = false;
	sched_give();
	return l;
}

void
cpu_block_end(struct lwp *l)
{
	if (l == NULL)
		return;
	sched_take();
	l->l_hascpu = true;
}

/*
 * Upcalls: rumpuser calls these blindly around host calls that may block.
 * Only a CPU that hyp_unschedule gave back is taken again by hyp_schedule.
 */
void
hyp_unschedule(void)
{
	struct lwp *l = rumpuser_curlwp();

	if (l == NULL || !l->l_hascpu)
		return;
	l->l_hascpu = false;
	l->l_unsched = true;
	sched_give();
}

void
hyp_schedule(void)
{
	struct lwp *l = rumpuser_curlwp();

	if (l == NULL || !l->l_unsched)
		return;
	l->l_unsched = false;
	sched_take();
	l->l_hascpu = true;
}
