/*
 * rumpuser_thread.c: host threads for the kernel, and the lwp bound to
 * each host thread.
 *
 * curlwp is a __thread pointer, so rumpuser_curlwp() is one TLS load.  A
 * pthread key holds the same pointer only for its destructor: when a host
 * thread with a bound lwp exits, hyp_lwpexit(lwp) lets the kernel release
 * it.  Threads made here start with every signal blocked: the host
 * process's signal handlers are for its own threads, not the kernel's.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "rumpuser_int.h"

static __thread void *curlwp;
static pthread_key_t lwpkey;
static pthread_once_t lwpkey_once = PTHREAD_ONCE_INIT;

struct thrstart {
	void *(*fn)(void *);
	void *arg;
	char name[16];		/* the kernel's limit for a thread name */
};

static void
lwpkey_dtor(void *lwp)
{
	/* curlwp (TLS) is still valid while key destructors run. */
	if (lwp != NULL && rumpuser__hyp.hyp_lwpexit != NULL)
		rumpuser__hyp.hyp_lwpexit(lwp);
	curlwp = NULL;
}

static void
lwpkey_create(void)
{
	int error;

	if ((error = pthread_key_create(&lwpkey, lwpkey_dtor)) != 0)
		rumpuser__fatal("pthread_key_create", error);
}

static void *
thrstart(void *v)
{
	struct thrstart ts = *(struct thrstart *)v;

	free(v);
	if (ts.name[0] != '\0')
		(void)pthread_setname_np(pthread_self(), ts.name);
	return ts.fn(ts.arg);
}

RUMPUSER_EXPORT int
rumpuser_thread_create(void *(*fn)(void *), void *arg, const char *name,
    int joinable, void **cookiep)
{
	pthread_attr_t attr;
	pthread_t tid, *ptid = NULL;
	sigset_t all, old;
	struct thrstart *ts;
	int error, saved = errno;

	if ((ts = malloc(sizeof(*ts))) == NULL ||
	    (joinable && (ptid = malloc(sizeof(*ptid))) == NULL)) {
		free(ts);
		errno = saved;
		return ENOMEM;
	}
	ts->fn = fn;
	ts->arg = arg;
	ts->name[0] = '\0';
	if (name != NULL) {
		strncpy(ts->name, name, sizeof(ts->name) - 1);
		ts->name[sizeof(ts->name) - 1] = '\0';
	}
	if ((error = pthread_attr_init(&attr)) != 0)
		goto fail;
	if (!joinable)
		(void)pthread_attr_setdetachstate(&attr,
		    PTHREAD_CREATE_DETACHED);
	/* The new thread inherits the mask in force at pthread_create. */
	sigfillset(&all);
	(void)pthread_sigmask(SIG_SETMASK, &all, &old);
	error = pthread_create(&tid, &attr, thrstart, ts);
	(void)pthread_sigmask(SIG_SETMASK, &old, NULL);
	(void)pthread_attr_destroy(&attr);
	if (error != 0)
		goto fail;
	if (joinable) {
		*ptid = tid;
		*cookiep = ptid;
	} else if (cookiep != NULL) {
		*cookiep = NULL;
	}
	errno = saved;
	return 0;

fail:
	free(ts);
	free(ptid);
	errno = saved;
	return error;
}

RUMPUSER_EXPORT void
rumpuser_thread_exit(void)
{
	pthread_exit(NULL);
}

RUMPUSER_EXPORT int
rumpuser_thread_join(void *cookie)
{
	pthread_t *ptid = cookie;
	int error;

	if (ptid == NULL)
		return EINVAL;
	/* Waiting for a thread is a blocking host call. */
	rumpuser__unsched();
	error = pthread_join(*ptid, NULL);
	rumpuser__sched();
	if (error == 0)
		free(ptid);
	return error;
}

RUMPUSER_EXPORT void
rumpuser_curlwpop(int op, void *lwp)
{
	int error;

	(void)pthread_once(&lwpkey_once, lwpkey_create);
	switch (op) {
	case RUMPUSER_LWP_SET:
		if (lwp == NULL || curlwp != NULL)
			rumpuser__fatal("curlwpop SET: bad lwp or thread "
			    "already bound", EINVAL);
		curlwp = lwp;
		break;
	case RUMPUSER_LWP_CLEAR:
		if (curlwp != lwp)
			rumpuser__fatal("curlwpop CLEAR: not the bound lwp",
			    EINVAL);
		curlwp = NULL;
		lwp = NULL;
		break;
	default:
		rumpuser__fatal("curlwpop: unknown op", EINVAL);
	}
	if ((error = pthread_setspecific(lwpkey, lwp)) != 0)
		rumpuser__fatal("pthread_setspecific", error);
}

RUMPUSER_EXPORT void *
rumpuser_curlwp(void)
{
	return curlwp;
}
