/*
 * hj_wrap_epoll.c: epoll sets holding kernel descriptors.
 *
 * The host's epoll cannot watch a kernel descriptor (its host number is a
 * placeholder), so the shim keeps, per epoll descriptor, a registry of the
 * kernel descriptors added to it, with their events and data.  Waiting on
 * an epoll whose registry is empty is the host's call.  Otherwise the
 * epoll descriptor itself (readable when it has events) is polled along
 * with the registered kernel descriptors (hj_poll_mixed: no spinning,
 * signals and timeouts the host's); then the host's events come from a
 * zero-timeout epoll_wait and the kernel's from the poll, the two taking
 * turns at going first so neither starves the other.
 *
 * Kernel descriptors are level-triggered: EPOLLET is accepted and treated
 * as level-triggered, so an edge-triggered program (which reads until
 * EAGAIN) works, seeing an event more often than on Linux, never fewer.
 * EPOLLONESHOT is honoured: the entry is disabled after one event until
 * EPOLL_CTL_MOD.  EPOLLEXCLUSIVE and EPOLLWAKEUP are ignored.
 *
 * An epoll_ctl on a kernel descriptor while another thread waits on the
 * same epoll ends that wait early, and it restarts with the new set.  The
 * registry goes by the epoll descriptor's number: an epoll_create that
 * returns the number starts it afresh, a dup of an epoll descriptor does
 * not see the original's kernel descriptors, and a registered kernel
 * descriptor that is closed leaves the set (as on Linux) once its number
 * no longer maps to the same kernel descriptor.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "hj.h"
#include "hj_poll.h"

HOST_CACHE(epoll_create);
HOST_CACHE(epoll_create1);
HOST_CACHE(epoll_ctl);
HOST_CACHE(epoll_wait);
HOST_CACHE(epoll_pwait);
HOST_CACHE(epoll_pwait2);
HOST_CACHE(fcntl);
HOST_CACHE(readlink);

/* What a kernel poll can report, in epoll's bits (the same values). */
#define POLLBITS	(EPOLLIN | EPOLLPRI | EPOLLOUT | EPOLLERR | EPOLLHUP | \
	EPOLLRDNORM | EPOLLRDBAND | EPOLLWRNORM | EPOLLWRBAND | EPOLLMSG | \
	EPOLLRDHUP)

struct kent {
	int fd, kfd;			/* host number, kernel descriptor */
	uint32_t events;
	epoll_data_t data;
	bool off;			/* EPOLLONESHOT has fired */
};

struct reg {
	struct reg *next;
	int epfd;
	struct kent *e;
	int n, cap;
	unsigned rot;			/* where the next report starts */
	struct hj_waiter *waiting;	/* threads in k_wait on it */
};

static pthread_mutex_t rlock = PTHREAD_MUTEX_INITIALIZER;
static struct reg *regs;
static unsigned turn;

static void
prefork(void)
{
	pthread_mutex_lock(&rlock);
}

static void
postfork_parent(void)
{
	pthread_mutex_unlock(&rlock);
}

/* The child has no waiting threads. */
static void
postfork_child(void)
{
	for (struct reg *r = regs; r != NULL; r = r->next)
		r->waiting = NULL;
	pthread_mutex_unlock(&rlock);
}

static void
reg_once(void)
{
	pthread_atfork(prefork, postfork_parent, postfork_child);
}

static struct reg *
reg_find(int epfd)
{
	for (struct reg *r = regs; r != NULL; r = r->next)
		if (r->epfd == epfd)
			return r;
	return NULL;
}

/* A new epoll at epfd: whatever was kept under the number is stale. */
static void
reg_forget(int epfd)
{
	struct reg **pp, *r;

	if (__atomic_load_n(&regs, __ATOMIC_ACQUIRE) == NULL)
		return;
	pthread_mutex_lock(&rlock);
	for (pp = &regs; (r = *pp) != NULL; pp = &r->next) {
		if (r->epfd == epfd) {
			for (struct hj_waiter *w = r->waiting; w != NULL;
			    w = w->regnext)
				w->reg = NULL;
			*pp = r->next;
			free(r->e);
			free(r);
			break;
		}
	}
	pthread_mutex_unlock(&rlock);
}

static int
ent_find(struct reg *r, int fd)
{
	for (int i = 0; i < r->n; i++)
		if (r->e[i].fd == fd)
			return i;
	return -1;
}

static void
ent_remove(struct reg *r, int i)
{
	r->e[i] = r->e[--r->n];
}

/* Drops the entries whose number no longer holds their descriptor. */
static void
reg_prune(struct reg *r)
{
	for (int i = 0; i < r->n;)
		if (hj_fd_kernel(r->e[i].fd) != r->e[i].kfd)
			ent_remove(r, i);
		else
			i++;
}

HJ_EXPORT int
epoll_create(int size)
{
	int fd = HOST(epoll_create)(size);

	if (fd >= 0)
		reg_forget(fd);
	return fd;
}

HJ_EXPORT int
epoll_create1(int flags)
{
	int fd = HOST(epoll_create1)(flags);

	if (fd >= 0)
		reg_forget(fd);
	return fd;
}

/* 0 if epfd is an open epoll descriptor, else -1 and errno. */
static int
check_epoll(int epfd)
{
	char path[64], link[64];
	ssize_t n;

	if (HOST(fcntl)(epfd, F_GETFD) < 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", epfd);
	n = HOST(readlink)(path, link, sizeof(link) - 1);
	if (n < 0)
		return 0;		/* no /proc: take the caller's word */
	link[n] = '\0';
	if (strcmp(link, "anon_inode:[eventpoll]") != 0) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

static int
k_ctl(int epfd, int op, int fd, int kfd, struct epoll_event *ev)
{
	struct reg *r;
	struct kent *e;
	int i, rv = -1;

	if (hj_fd_kernel(epfd) >= 0 || epfd == fd) {
		errno = EINVAL;
		return -1;
	}
	if (check_epoll(epfd) != 0)
		return -1;
	if (op != EPOLL_CTL_DEL && ev == NULL) {
		errno = EFAULT;
		return -1;
	}
	pthread_mutex_lock(&rlock);
	if ((r = reg_find(epfd)) != NULL)
		reg_prune(r);
	i = r != NULL ? ent_find(r, fd) : -1;
	switch (op) {
	case EPOLL_CTL_ADD:
		if (i >= 0) {
			errno = EEXIST;
			goto out;
		}
		if (r == NULL) {
			if ((r = calloc(1, sizeof(*r))) == NULL)
				goto out;
			r->epfd = epfd;
			r->next = regs;
			__atomic_store_n(&regs, r, __ATOMIC_RELEASE);
		}
		if (r->n == r->cap) {
			int cap = r->cap ? 2 * r->cap : 8;

			if ((e = realloc(r->e, (size_t)cap * sizeof(*e))) ==
			    NULL)
				goto out;
			r->e = e;
			r->cap = cap;
		}
		r->e[r->n++] = (struct kent){ fd, kfd, ev->events, ev->data,
		    false };
		break;
	case EPOLL_CTL_MOD:
		if (i < 0) {
			errno = ENOENT;
			goto out;
		}
		r->e[i].events = ev->events;
		r->e[i].data = ev->data;
		r->e[i].off = false;
		break;
	case EPOLL_CTL_DEL:
		if (i < 0) {
			errno = ENOENT;
			goto out;
		}
		ent_remove(r, i);
		break;
	default:
		errno = EINVAL;
		goto out;
	}
	rv = 0;
	for (struct hj_waiter *w = r->waiting; w != NULL; w = w->regnext)
		hj_waiter_kick(w);
out:
	pthread_mutex_unlock(&rlock);
	return rv;
}

HJ_EXPORT int
epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	int k = hj_fd_kernel(fd);

	if (k < 0) {
		/* A host descriptor at a number a closed kernel one had. */
		if (op == EPOLL_CTL_ADD &&
		    __atomic_load_n(&regs, __ATOMIC_ACQUIRE) != NULL) {
			struct reg *r;

			pthread_mutex_lock(&rlock);
			if ((r = reg_find(epfd)) != NULL)
				reg_prune(r);
			pthread_mutex_unlock(&rlock);
		}
		return HOST(epoll_ctl)(epfd, op, fd, ev);
	}
	pthread_once(&once, reg_once);
	return k_ctl(epfd, op, fd, k, ev);
}

/* --- waiting ----------------------------------------------------------- */

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The host's wait, with what is left of the time (rounded up to ms:
 * epoll_pwait2 needs Linux 5.11). */
static int
host_wait(int epfd, struct epoll_event *ev, int max,
    const struct timespec *tmo, const sigset_t *mask)
{
	int ms = -1;

	if (tmo != NULL)
		ms = tmo->tv_sec >= INT_MAX / 1000 - 1 ? INT_MAX :
		    (int)(tmo->tv_sec * 1000 + (tmo->tv_nsec + 999999) /
		    1000000);
	return HOST(epoll_pwait)(epfd, ev, max, ms, mask);
}

/*
 * The kernel entries that fired into ev[*got..max); ONESHOT ones off.
 * Like Linux's ready list, the start rotates past the last one reported,
 * so a small max still reaches every ready descriptor in turn.
 */
static void
take_kernel(int epfd, const struct pollfd *pf, const struct kent *snap,
    int n, struct epoll_event *ev, int max, int *got)
{
	struct reg *r;
	int i, j, k, start;

	pthread_mutex_lock(&rlock);
	r = reg_find(epfd);
	start = r != NULL && n > 0 ? (int)(r->rot % (unsigned)n) : 0;
	for (k = 0; k < n && *got < max; k++) {
		uint32_t bits;

		i = (start + k) % n;
		bits = (uint16_t)pf[i].revents;
		if (bits & POLLNVAL)
			continue;	/* closed: reg_prune drops it */
		bits &= snap[i].events | EPOLLERR | EPOLLHUP;
		if (bits == 0)
			continue;
		/* A oneshot entry fires once, even if two threads saw it. */
		j = r != NULL ? ent_find(r, snap[i].fd) : -1;
		if (j < 0 || r->e[j].off || r->e[j].kfd != snap[i].kfd)
			continue;
		if (snap[i].events & EPOLLONESHOT)
			r->e[j].off = true;
		ev[*got].events = bits;
		ev[*got].data = snap[i].data;
		(*got)++;
		r->rot = (unsigned)i + 1;
	}
	pthread_mutex_unlock(&rlock);
}

static int
k_wait(int epfd, struct epoll_event *ev, int max,
    const struct timespec *tmo, const sigset_t *mask)
{
	int64_t deadline = 0, left;
	struct timespec ts, *tp = NULL;
	struct pollfd *pf = NULL;
	struct kent *snap = NULL;
	struct hj_waiter *w;
	struct reg *r;
	int n, rv, got, kicked;

	if (max <= 0) {
		errno = EINVAL;
		return -1;
	}
	if (tmo != NULL) {
		ts = *tmo;
		tp = &ts;
		deadline = ts.tv_sec >= 1000000000 ? INT64_MAX :
		    now_ns() + ts.tv_sec * 1000000000 + ts.tv_nsec;
	}
	for (;;) {
		if ((w = hj_waiter_get()) == NULL)
			return -1;
		pthread_mutex_lock(&rlock);
		if ((r = reg_find(epfd)) != NULL)
			reg_prune(r);
		n = 0;
		if (r != NULL && r->n > 0) {
			free(pf);
			free(snap);
			pf = malloc((size_t)(r->n + 1) * sizeof(*pf));
			snap = malloc((size_t)r->n * sizeof(*snap));
			if (pf == NULL || snap == NULL) {
				pthread_mutex_unlock(&rlock);
				rv = -1;
				break;
			}
			for (int i = 0; i < r->n; i++) {
				if (r->e[i].off)
					continue;
				snap[n] = r->e[i];
				pf[n + 1] = (struct pollfd){ r->e[i].fd,
				    (short)(r->e[i].events & POLLBITS), 0 };
				n++;
			}
		}
		if (n > 0) {
			w->reg = r;
			w->regnext = r->waiting;
			r->waiting = w;
		}
		__atomic_store_n(&w->kicked, 0, __ATOMIC_SEQ_CST);
		pthread_mutex_unlock(&rlock);
		if (n == 0) {
			/* Nothing of the kernel's (left): the host's wait. */
			rv = host_wait(epfd, ev, max, tp, mask);
			break;
		}
		pf[0] = (struct pollfd){ epfd, POLLIN, 0 };
		rv = hj_poll_mixed(pf, (nfds_t)n + 1, tp, mask);

		pthread_mutex_lock(&rlock);
		if (w->reg != NULL) {
			struct reg *wr = w->reg;
			struct hj_waiter **pp = &wr->waiting;

			while (*pp != NULL && *pp != w)
				pp = &(*pp)->regnext;
			if (*pp == w)
				*pp = w->regnext;
		}
		w->reg = NULL;
		kicked = __atomic_exchange_n(&w->kicked, 0, __ATOMIC_SEQ_CST);
		pthread_mutex_unlock(&rlock);
		if (rv < 0)
			break;
		got = 0;
		if (rv > 0) {
			bool hostfirst = __atomic_fetch_add(&turn, 1,
			    __ATOMIC_RELAXED) & 1;
			int h;

			if (!hostfirst)
				take_kernel(epfd, pf + 1, snap, n, ev, max,
				    &got);
			if ((pf[0].revents & POLLIN) && got < max &&
			    (h = HOST(epoll_wait)(epfd, ev + got, max - got,
			    0)) > 0)
				got += h;
			if (hostfirst)
				take_kernel(epfd, pf + 1, snap, n, ev, max,
				    &got);
		}
		if (got > 0 || (rv == 0 && !kicked)) {
			rv = got;
			break;
		}
		/* Kicked, or a race left nothing to report: wait on. */
		if (tp != NULL) {
			if ((left = deadline - now_ns()) <= 0) {
				rv = 0;
				break;
			}
			ts.tv_sec = left / 1000000000;
			ts.tv_nsec = left % 1000000000;
		}
	}
	free(pf);
	free(snap);
	return rv;
}

/* Is there a registry with kernel descriptors for epfd? (Unlocked peek:
 * k_wait looks again under the lock.) */
static bool
has_kernel(int epfd)
{
	struct reg *r;
	bool yes;

	if (__builtin_expect(__atomic_load_n(&regs, __ATOMIC_ACQUIRE) == NULL,
	    1))
		return false;
	pthread_mutex_lock(&rlock);
	yes = (r = reg_find(epfd)) != NULL && r->n > 0;
	pthread_mutex_unlock(&rlock);
	return yes;
}

static const struct timespec *
ms_time(int ms, struct timespec *ts)
{
	if (ms < 0)
		return NULL;
	ts->tv_sec = ms / 1000;
	ts->tv_nsec = (long)(ms % 1000) * 1000000L;
	return ts;
}

HJ_EXPORT int
epoll_wait(int epfd, struct epoll_event *ev, int max, int timeout)
{
	struct timespec ts;

	if (!has_kernel(epfd))
		return HOST(epoll_wait)(epfd, ev, max, timeout);
	return k_wait(epfd, ev, max, ms_time(timeout, &ts), NULL);
}

HJ_EXPORT int
epoll_pwait(int epfd, struct epoll_event *ev, int max, int timeout,
    const sigset_t *mask)
{
	struct timespec ts;

	if (!has_kernel(epfd))
		return HOST(epoll_pwait)(epfd, ev, max, timeout, mask);
	return k_wait(epfd, ev, max, ms_time(timeout, &ts), mask);
}

HJ_EXPORT int
epoll_pwait2(int epfd, struct epoll_event *ev, int max,
    const struct timespec *tmo, const sigset_t *mask)
{
	if (!has_kernel(epfd))
		return HOST(epoll_pwait2)(epfd, ev, max, tmo, mask);
	if (tmo != NULL && (tmo->tv_sec < 0 || tmo->tv_nsec < 0 ||
	    tmo->tv_nsec >= 1000000000L)) {
		errno = EINVAL;
		return -1;
	}
	return k_wait(epfd, ev, max, tmo, mask);
}
