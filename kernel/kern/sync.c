/*
 * sync.c: kernel mutexes, rwlocks and condition variables over rumpuser.
 *
 * The rule (kernel.h): a thread never blocks while holding a virtual CPU.
 * Each lock is first tried without blocking, which is the common case and
 * costs one host trylock; only on contention does the thread give back its
 * CPU (if it holds one), block in the host, and take a CPU again while
 * holding the lock.  Waiting on a condition variable always gives the CPU
 * back.  The primitives work the same with or without a CPU or an lwp, so
 * they may be used during bootstrap and from the hypervisor's threads.
 *
 * Initialization allocates a host object of a fixed small size; the kernel
 * cannot run without its locks and the init functions cannot fail by
 * contract, so a host allocation failure there is a panic.
 */
#include "k/kernel.h"
#include "rump/rumpuser.h"

#include "kern_private.h"

void
mutex_init(kmutex_t *m)
{
	int error;

	if ((error = rumpuser_mutex_init(&m->mtx)) != 0)
		panic("mutex_init: host mutex allocation failed (error %d)",
		    error);
}

void
mutex_destroy(kmutex_t *m)
{
	if (m->mtx != NULL)
		rumpuser_mutex_destroy(m->mtx);
	m->mtx = NULL;
}

void
mutex_enter(kmutex_t *m)
{
	struct lwp *l;

	if (__builtin_expect(rumpuser_mutex_tryenter(m->mtx) == 0, 1))
		return;
	l = cpu_block_begin();
	rumpuser_mutex_enter(m->mtx);
	cpu_block_end(l);
}

bool
mutex_tryenter(kmutex_t *m)
{
	return rumpuser_mutex_tryenter(m->mtx) == 0;
}

void
mutex_exit(kmutex_t *m)
{
	rumpuser_mutex_exit(m->mtx);
}

void
rw_init(krwlock_t *rw)
{
	int error;

	if ((error = rumpuser_rw_init(&rw->rw)) != 0)
		panic("rw_init: host rwlock allocation failed (error %d)",
		    error);
}

void
rw_destroy(krwlock_t *rw)
{
	if (rw->rw != NULL)
		rumpuser_rw_destroy(rw->rw);
	rw->rw = NULL;
}

void
rw_enter(krwlock_t *rw, bool write)
{
	struct lwp *l;

	if (__builtin_expect(rumpuser_rw_tryenter(rw->rw, write) == 0, 1))
		return;
	l = cpu_block_begin();
	rumpuser_rw_enter(rw->rw, write);
	cpu_block_end(l);
}

void
rw_exit(krwlock_t *rw)
{
	rumpuser_rw_exit(rw->rw);
}

void
cv_init(kcondvar_t *cv)
{
	int error;

	if ((error = rumpuser_cv_init(&cv->cv)) != 0)
		panic("cv_init: host condvar allocation failed (error %d)",
		    error);
}

void
cv_destroy(kcondvar_t *cv)
{
	if (cv->cv != NULL)
		rumpuser_cv_destroy(cv->cv);
	cv->cv = NULL;
}

void
cv_wait(kcondvar_t *cv, kmutex_t *m)
{
	struct lwp *l;

	l = cpu_block_begin();
	sleep_hint(l);
	rumpuser_cv_wait(cv->cv, m->mtx);
	cpu_block_end(l);
}

int
cv_timedwait(kcondvar_t *cv, kmutex_t *m, int64_t ns)
{
	struct lwp *l;
	int error;

	/* A deadline already passed: report it without sleeping. */
	if (ns <= 0)
		return ETIMEDOUT;
	l = cpu_block_begin();
	sleep_hint(l);
	error = rumpuser_cv_timedwait(cv->cv, m->mtx, ns / 1000000000,
	    (long)(ns % 1000000000));
	cpu_block_end(l);
	return error == ETIMEDOUT ? ETIMEDOUT : 0;
}

void
cv_signal(kcondvar_t *cv)
{
	rumpuser_cv_signal(cv->cv);
}

void
cv_broadcast(kcondvar_t *cv)
{
	rumpuser_cv_broadcast(cv->cv);
}
