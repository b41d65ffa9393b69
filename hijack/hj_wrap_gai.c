/*
 * hj_wrap_gai.c: getaddrinfo_a, gai_suspend and gai_cancel for programs
 * whose sockets are the kernel's.
 *
 * glibc's getaddrinfo_a runs its requests on threads of its own that call
 * its internal getaddrinfo, past the shim (doc/HIJACK.md, "Name lookup"),
 * so while inet sockets are the kernel's each request is a thread here
 * that calls the shim's getaddrinfo (hj_wrap_netdb.c), and the results go
 * into the gaicb as glibc puts them (ar_result, and the error that glibc's
 * own gai_error reads, EAI_INPROGRESS until done).  The rules are glibc's
 * (resolv/getaddrinfo_a.c, gai_suspend.c): GAI_WAIT returns once all are
 * done, GAI_NOWAIT at once and then notifies as the sigevent says
 * (SIGEV_SIGNAL with si_code SI_ASYNCNL, SIGEV_THREAD); gai_suspend
 * returns EAI_ALLDONE when none of its list is in progress, 0 once one
 * of them ends, and at the timeout EAI_SYSTEM (where its documentation
 * says EAI_AGAIN: its futex wait's timeout comes back as EAGAIN, which
 * it does not translate).  A request runs as soon as it
 * is made, so gai_cancel answers EAI_NOTCANCELED while it runs and
 * EAI_ALLDONE after, never EAI_CANCELED.
 */
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "hj.h"
#include "hj_resolv.h"

HOST_CACHE(getaddrinfo_a);
HOST_CACHE(gai_suspend);
HOST_CACHE(gai_cancel);

struct batch {
	int left;			/* requests still running */
	int mode;
	struct sigevent sev;
	pid_t pid;
};

struct job {
	struct gaicb *req;
	struct batch *b;
	struct job *next;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t done_cv = PTHREAD_COND_INITIALIZER;
static struct job *running;		/* under mu */

static bool
is_running(const struct gaicb *req)
{
	struct job *j;

	for (j = running; j != NULL; j = j->next)
		if (j->req == req)
			return true;
	return false;
}

struct notice {
	void (*fn)(union sigval);
	union sigval v;
};

static void *
notice_thread(void *arg)
{
	struct notice n = *(struct notice *)arg;

	free(arg);
	n.fn(n.v);
	return NULL;
}

/* The batch's sigevent, as glibc's __gai_notify_only sends it. */
static void
notify(const struct sigevent *sev, pid_t pid)
{
	if (sev->sigev_notify == SIGEV_SIGNAL) {
		siginfo_t si;

		memset(&si, 0, sizeof(si));
		si.si_signo = sev->sigev_signo;
		si.si_code = SI_ASYNCNL;
		si.si_pid = getpid();
		si.si_uid = getuid();
		si.si_value = sev->sigev_value;
		(void)syscall(SYS_rt_sigqueueinfo, pid, sev->sigev_signo, &si);
	} else if (sev->sigev_notify == SIGEV_THREAD) {
		struct notice *n = malloc(sizeof(*n));
		pthread_attr_t a, *ap = sev->sigev_notify_attributes;
		pthread_t t;

		if (n == NULL)
			return;
		n->fn = sev->sigev_notify_function;
		n->v = sev->sigev_value;
		if (ap == NULL) {
			pthread_attr_init(&a);
			pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
			ap = &a;
		}
		if (pthread_create(&t, ap, notice_thread, n) != 0)
			free(n);
		if (ap == &a)
			pthread_attr_destroy(&a);
	}
}

static void *
worker(void *arg)
{
	struct job *j = arg, **pp;
	struct gaicb *r = j->req;
	struct addrinfo *res = NULL;
	struct batch *b = j->b;
	int rv;

	rv = getaddrinfo(r->ar_name, r->ar_service, r->ar_request, &res);
	pthread_mutex_lock(&mu);
	r->ar_result = rv == 0 ? res : NULL;
	__atomic_store_n(&r->__return, rv, __ATOMIC_RELEASE);
	for (pp = &running; *pp != NULL && *pp != j; pp = &(*pp)->next)
		;
	if (*pp != NULL)
		*pp = j->next;
	free(j);
	if (--b->left > 0 || b->mode == GAI_WAIT) {
		pthread_cond_broadcast(&done_cv);
		pthread_mutex_unlock(&mu);
		return NULL;
	}
	pthread_cond_broadcast(&done_cv);
	pthread_mutex_unlock(&mu);
	notify(&b->sev, b->pid);
	free(b);
	return NULL;
}

HJ_EXPORT int
getaddrinfo_a(int mode, struct gaicb *list[], int ent, struct sigevent *sev)
{
	struct batch *b;
	pthread_attr_t a;
	int i, rv = 0;

	if (!hj_res_routed())
		return HOST(getaddrinfo_a)(mode, list, ent, sev);
	if (mode != GAI_WAIT && mode != GAI_NOWAIT) {
		errno = EINVAL;
		return EAI_SYSTEM;
	}
	if ((b = calloc(1, sizeof(*b))) == NULL)
		return EAI_AGAIN;
	b->mode = mode;
	b->sev.sigev_notify = SIGEV_NONE;
	if (sev != NULL)
		b->sev = *sev;
	b->pid = getpid();
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	pthread_mutex_lock(&mu);
	for (i = 0; i < ent; i++) {
		struct job *j;
		pthread_t t;

		if (list[i] == NULL)
			continue;
		if ((j = malloc(sizeof(*j))) == NULL) {
			list[i]->__return = EAI_MEMORY;
			rv = EAI_SYSTEM;
			continue;
		}
		j->req = list[i];
		j->b = b;
		list[i]->__return = EAI_INPROGRESS;
		list[i]->ar_result = NULL;
		if ((errno = pthread_create(&t, &a, worker, j)) != 0) {
			list[i]->__return = EAI_SYSTEM;
			free(j);
			rv = EAI_SYSTEM;
			continue;
		}
		j->next = running;
		running = j;
		b->left++;
	}
	pthread_attr_destroy(&a);
	if (b->left == 0) {		/* nothing runs: notify now */
		pthread_mutex_unlock(&mu);
		if (mode == GAI_NOWAIT)
			notify(&b->sev, b->pid);
		free(b);
		return rv;
	}
	if (mode == GAI_NOWAIT) {
		pthread_mutex_unlock(&mu);
		return rv;
	}
	while (b->left > 0)
		pthread_cond_wait(&done_cv, &mu);
	pthread_mutex_unlock(&mu);
	free(b);
	return rv;
}

HJ_EXPORT int
gai_suspend(const struct gaicb *const list[], int ent,
    const struct timespec *timeout)
{
	struct timespec until;
	bool *watch;
	int i, rv = EAI_ALLDONE;

	if (!hj_res_routed())
		return HOST(gai_suspend)(list, ent, timeout);
	if (timeout != NULL) {
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += timeout->tv_sec;
		until.tv_nsec += timeout->tv_nsec;
		if (until.tv_nsec >= 1000000000) {
			until.tv_nsec -= 1000000000;
			until.tv_sec++;
		}
	}
	if ((watch = calloc(ent > 0 ? (size_t)ent : 1, sizeof(*watch))) == NULL)
		return EAI_MEMORY;
	pthread_mutex_lock(&mu);
	/* only those running now are waited for (glibc's waitlists) */
	for (i = 0; i < ent; i++)
		if (list[i] != NULL && list[i]->__return == EAI_INPROGRESS &&
		    is_running(list[i]))
			watch[i] = true, rv = 0;
	while (rv == 0) {
		for (i = 0; i < ent; i++)
			if (watch[i] && list[i]->__return != EAI_INPROGRESS)
				goto out;
		if (timeout == NULL)
			pthread_cond_wait(&done_cv, &mu);
		else if (pthread_cond_timedwait(&done_cv, &mu, &until) ==
		    ETIMEDOUT)
			rv = EAI_SYSTEM;	/* glibc 2.36's, not EAI_AGAIN */
	}
out:
	pthread_mutex_unlock(&mu);
	free(watch);
	return rv;
}

HJ_EXPORT int
gai_cancel(struct gaicb *req)
{
	bool run;

	if (!hj_res_routed())
		return HOST(gai_cancel)(req);
	pthread_mutex_lock(&mu);
	run = is_running(req);
	pthread_mutex_unlock(&mu);
	return run ? EAI_NOTCANCELED : EAI_ALLDONE;
}
