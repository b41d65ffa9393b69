/*
 * rumpuser_sync.c: mutexes, reader/writer locks and condition variables
 * as heap-allocated wrappers around pthread objects.
 *
 * These only block the host thread.  Giving up the virtual CPU before
 * blocking is the job of the kernel's wrappers (kern/sync.c), which know
 * whether the caller holds one.  A failing pthread call on a valid object
 * is a kernel bug (unlocking a lock it does not hold ...): abort.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "rumpuser_int.h"

struct rumpuser_mtx {
	pthread_mutex_t pm;
};

struct rumpuser_rw {
	pthread_rwlock_t prw;
};

struct rumpuser_cv {
	pthread_cond_t pc;
};

#define CHECK(what, call) do {						\
	int error_ = (call);						\
	if (error_ != 0)						\
		rumpuser__fatal(what, error_);				\
} while (0)

RUMPUSER_EXPORT int
rumpuser_mutex_init(struct rumpuser_mtx **mtxp)
{
	struct rumpuser_mtx *mtx;
	int error, saved = errno;

	mtx = malloc(sizeof(*mtx));
	errno = saved;
	if (mtx == NULL)
		return ENOMEM;
	if ((error = pthread_mutex_init(&mtx->pm, NULL)) != 0) {
		free(mtx);
		return error;
	}
	*mtxp = mtx;
	return 0;
}

RUMPUSER_EXPORT void
rumpuser_mutex_enter(struct rumpuser_mtx *mtx)
{
	CHECK("mutex_enter", pthread_mutex_lock(&mtx->pm));
}

RUMPUSER_EXPORT int
rumpuser_mutex_tryenter(struct rumpuser_mtx *mtx)
{
	int error = pthread_mutex_trylock(&mtx->pm);

	if (error != 0 && error != EBUSY)
		rumpuser__fatal("mutex_tryenter", error);
	return error;
}

RUMPUSER_EXPORT void
rumpuser_mutex_exit(struct rumpuser_mtx *mtx)
{
	CHECK("mutex_exit", pthread_mutex_unlock(&mtx->pm));
}

RUMPUSER_EXPORT void
rumpuser_mutex_destroy(struct rumpuser_mtx *mtx)
{
	CHECK("mutex_destroy", pthread_mutex_destroy(&mtx->pm));
	free(mtx);
}

RUMPUSER_EXPORT int
rumpuser_rw_init(struct rumpuser_rw **rwp)
{
	struct rumpuser_rw *rw;
	pthread_rwlockattr_t attr;
	int error, saved = errno;

	rw = malloc(sizeof(*rw));
	errno = saved;
	if (rw == NULL)
		return ENOMEM;
	/*
	 * glibc prefers readers by default, which lets a stream of readers
	 * starve a writer forever.  The price of preferring writers: a
	 * thread must not take the read lock twice (no kernel lock is
	 * recursive anyway).
	 */
	if ((error = pthread_rwlockattr_init(&attr)) != 0) {
		free(rw);
		return error;
	}
	(void)pthread_rwlockattr_setkind_np(&attr,
	    PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	error = pthread_rwlock_init(&rw->prw, &attr);
	(void)pthread_rwlockattr_destroy(&attr);
	if (error != 0) {
		free(rw);
		return error;
	}
	*rwp = rw;
	return 0;
}

RUMPUSER_EXPORT void
rumpuser_rw_enter(struct rumpuser_rw *rw, int iswrite)
{
	if (iswrite)
		CHECK("rw_enter", pthread_rwlock_wrlock(&rw->prw));
	else
		CHECK("rw_enter", pthread_rwlock_rdlock(&rw->prw));
}

RUMPUSER_EXPORT int
rumpuser_rw_tryenter(struct rumpuser_rw *rw, int iswrite)
{
	int error;

	if (iswrite)
		error = pthread_rwlock_trywrlock(&rw->prw);
	else
		error = pthread_rwlock_tryrdlock(&rw->prw);
	/* EAGAIN: too many readers; to the caller that is "busy" too. */
	if (error == EAGAIN)
		error = EBUSY;
	if (error != 0 && error != EBUSY)
		rumpuser__fatal("rw_tryenter", error);
	return error;
}

RUMPUSER_EXPORT void
rumpuser_rw_exit(struct rumpuser_rw *rw)
{
	CHECK("rw_exit", pthread_rwlock_unlock(&rw->prw));
}

RUMPUSER_EXPORT void
rumpuser_rw_destroy(struct rumpuser_rw *rw)
{
	CHECK("rw_destroy", pthread_rwlock_destroy(&rw->prw));
	free(rw);
}

RUMPUSER_EXPORT int
rumpuser_cv_init(struct rumpuser_cv **cvp)
{
	struct rumpuser_cv *cv;
	pthread_condattr_t attr;
	int error, saved = errno;

	cv = malloc(sizeof(*cv));
	errno = saved;
	if (cv == NULL)
		return ENOMEM;
	/* Timeouts are relative: a wall-clock step must not stretch them. */
	if ((error = pthread_condattr_init(&attr)) != 0) {
		free(cv);
		return error;
	}
	error = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	if (error == 0)
		error = pthread_cond_init(&cv->pc, &attr);
	(void)pthread_condattr_destroy(&attr);
	if (error != 0) {
		free(cv);
		return error;
	}
	*cvp = cv;
	return 0;
}

RUMPUSER_EXPORT void
rumpuser_cv_destroy(struct rumpuser_cv *cv)
{
	CHECK("cv_destroy", pthread_cond_destroy(&cv->pc));
	free(cv);
}

RUMPUSER_EXPORT void
rumpuser_cv_wait(struct rumpuser_cv *cv, struct rumpuser_mtx *mtx)
{
	CHECK("cv_wait", pthread_cond_wait(&cv->pc, &mtx->pm));
}

RUMPUSER_EXPORT int
rumpuser_cv_timedwait(struct rumpuser_cv *cv, struct rumpuser_mtx *mtx,
    int64_t sec, long nsec)
{
	struct timespec ts;
	int error, saved = errno;

	/* Normalize; a timeout in the past expires at once. */
	if (sec > INT64_MAX / 4)
		sec = INT64_MAX / 4;	/* forever, without overflow */
	else if (sec < -INT64_MAX / 4)
		sec = -INT64_MAX / 4;
	sec += nsec / 1000000000L;
	nsec %= 1000000000L;
	if (nsec < 0) {
		sec--;
		nsec += 1000000000L;
	}
	if (sec < 0)
		sec = nsec = 0;
	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	errno = saved;
	ts.tv_sec += sec;
	ts.tv_nsec += nsec;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	error = pthread_cond_timedwait(&cv->pc, &mtx->pm, &ts);
	if (error != 0 && error != ETIMEDOUT)
		rumpuser__fatal("cv_timedwait", error);
	return error;
}

RUMPUSER_EXPORT void
rumpuser_cv_signal(struct rumpuser_cv *cv)
{
	CHECK("cv_signal", pthread_cond_signal(&cv->pc));
}

RUMPUSER_EXPORT void
rumpuser_cv_broadcast(struct rumpuser_cv *cv)
{
	CHECK("cv_broadcast", pthread_cond_broadcast(&cv->pc));
}
