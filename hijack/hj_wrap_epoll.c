/*
 * hj_wrap_epoll.c: epoll sets holding kernel descriptors.
 *
 * The host's epoll cannot watch a kernel descriptor (its host number is a
 * placeholder), so a host epoll instance that is given kernel descriptors
 * gets a kernel epoll instance beside it (a registry: host epoll ->
 * kernel epoll descriptor), and the kernel descriptors go into that one
 * with the program's events and data.  So EPOLLET, EPOLLONESHOT,
 * EPOLLEXCLUSIVE, the (file, descriptor) keys and every errno are the
 * kernel's, which are Linux's.  Waiting on an epoll without a registry is
 * the host's call.  Otherwise the host epoll and the kernel one are
 * polled together (hj_poll_mixed_raw: no spinning, signals and timeouts
 * the host's), then each that is readable gives its events with a
 * zero-timeout epoll_wait, the two taking turns at going first so neither
 * starves the other.  An epoll_ctl while another thread waits needs no
 * help: the kernel instance becomes readable if the new item is ready.
 *
 * A registry belongs to the host epoll's open file, not to a number: it
 * follows every host number that names that file, as the descriptor
 * wrappers report them (dup, dup2, dup3, F_DUPFD, close, close_range),
 * and it is inherited by fork with the kernel process's descriptors.  The
 * kernel instance is closed when the last of those numbers is closed.
 * A number the shim did not see made (an epoll descriptor received over
 * a unix socket, or kept across exec) does not find its registry.
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

struct reg {
	struct reg *next;
	int kep;			/* the kernel epoll descriptor */
	int *alias;			/* host numbers of the host epoll */
	int nalias, cap;
};

static pthread_mutex_t rlock = PTHREAD_MUTEX_INITIALIZER;
void *hj_epoll_regs;			/* struct reg list, under rlock */
static unsigned turn;

static void
prefork(void)
{
	pthread_mutex_lock(&rlock);
}

static void
postfork(void)
{
	pthread_mutex_unlock(&rlock);
}

static void
reg_once(void)
{
	pthread_atfork(prefork, postfork, postfork);
}

static int
alias_find(const struct reg *r, int fd)
{
	for (int i = 0; i < r->nalias; i++)
		if (r->alias[i] == fd)
			return i;
	return -1;
}

/* The registry of host number epfd; rlock held. */
static struct reg *
reg_find(int epfd)
{
	for (struct reg *r = hj_epoll_regs; r != NULL; r = r->next)
		if (alias_find(r, epfd) >= 0)
			return r;
	return NULL;
}

static int
alias_add(struct reg *r, int fd)
{
	if (r->nalias == r->cap) {
		int cap = r->cap ? 2 * r->cap : 4;
		int *a = realloc(r->alias, (size_t)cap * sizeof(*a));

		if (a == NULL)
			return -1;
		r->alias = a;
		r->cap = cap;
	}
	r->alias[r->nalias++] = fd;
	return 0;
}

/* Drops host numbers [lo, hi] from every registry; rlock held. */
static void
reg_drop(int lo, int hi)
{
	struct reg **pp = (struct reg **)&hj_epoll_regs, *r;

	while ((r = *pp) != NULL) {
		for (int i = 0; i < r->nalias;) {
			if (r->alias[i] >= lo && r->alias[i] <= hi)
				r->alias[i] = r->alias[--r->nalias];
			else
				i++;
		}
		if (r->nalias > 0) {
			pp = &r->next;
			continue;
		}
		/* The last number went: so did the host epoll. */
		*pp = r->next;
		(void)hjk_close(r->kep);
		free(r->alias);
		free(r);
	}
}

void
hj_epoll_closed(int lo, int hi)
{
	if (__atomic_load_n(&hj_epoll_regs, __ATOMIC_ACQUIRE) == NULL)
		return;
	pthread_mutex_lock(&rlock);
	reg_drop(lo, hi);
	pthread_mutex_unlock(&rlock);
}

void
hj_epoll_duped(int oldfd, int newfd)
{
	struct reg *r;

	if (__atomic_load_n(&hj_epoll_regs, __ATOMIC_ACQUIRE) == NULL ||
	    oldfd == newfd)
		return;
	pthread_mutex_lock(&rlock);
	reg_drop(newfd, newfd);		/* what newfd was is gone */
	if ((r = reg_find(oldfd)) != NULL && alias_add(r, newfd) != 0)
		fprintf(stderr, "rumphijack: out of memory: epoll descriptor "
		    "%d loses its kernel descriptors\n", newfd);
	pthread_mutex_unlock(&rlock);
}

HJ_EXPORT int
epoll_create(int size)
{
	int fd;

	hj_fd_flush();
	fd = HOST(epoll_create)(size);

	if (fd >= 0)
		hj_epoll_closed(fd, fd);	/* a number reused unseen */
	return fd;
}

HJ_EXPORT int
epoll_create1(int flags)
{
	int fd;

	hj_fd_flush();
	fd = HOST(epoll_create1)(flags);

	if (fd >= 0)
		hj_epoll_closed(fd, fd);
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

/* The kernel epoll of host epoll epfd, made if need be; -1 and errno. */
static int
reg_kep(int epfd, bool create)
{
	struct reg *r;
	int kep = -1;

	pthread_mutex_lock(&rlock);
	if ((r = reg_find(epfd)) != NULL) {
		kep = r->kep;
	} else if (!create) {
		errno = ENOENT;
	} else if ((r = calloc(1, sizeof(*r))) != NULL) {
		if ((r->kep = hjk_epoll_create1(EPOLL_CLOEXEC)) < 0 ||
		    alias_add(r, epfd) != 0) {
			if (r->kep >= 0)
				(void)hjk_close(r->kep);
			free(r);
		} else {
			kep = r->kep;
			r->next = hj_epoll_regs;
			__atomic_store_n(&hj_epoll_regs, r, __ATOMIC_RELEASE);
		}
	}
	pthread_mutex_unlock(&rlock);
	return kep;
}

HJ_EXPORT int
epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	int k = hj_fd_kernel(fd), kep;

	if (k < 0)
		return HOST(epoll_ctl)(epfd, op, fd, ev);
	if (hj_fd_kernel(epfd) >= 0 || epfd == fd) {
		errno = EINVAL;
		return -1;
	}
	if (check_epoll(epfd) != 0)
		return -1;
	pthread_once(&once, reg_once);
	/* DEL and MOD of a set that never had kernel descriptors: ENOENT. */
	if ((kep = reg_kep(epfd, op == EPOLL_CTL_ADD)) < 0)
		return -1;
	return hjk_epoll_ctl(kep, op, k, ev);
}

/* --- waiting ----------------------------------------------------------- */

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int
k_wait(int epfd, int kep, struct epoll_event *ev, int max,
    const struct timespec *tmo, const sigset_t *mask)
{
	int64_t deadline = 0, left;
	struct timespec ts, *tp = NULL;
	struct pollfd pf[2];
	int rv, got, n;
	bool hostfirst;

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
		/* pf[0] is a kernel descriptor itself, pf[1] a host one. */
		pf[0] = (struct pollfd){ kep, POLLIN, 0 };
		pf[1] = (struct pollfd){ epfd, POLLIN, 0 };
		if ((rv = hj_poll_mixed_raw(pf, 2, 1, tp, mask)) < 0)
			return -1;
		if (rv == 0)
			return 0;
		if (pf[1].revents & POLLNVAL) {
			errno = EBADF;
			return -1;
		}
		got = 0;
		hostfirst = __atomic_fetch_add(&turn, 1, __ATOMIC_RELAXED) & 1;
		for (int side = 0; side < 2 && got < max; side++) {
			bool host = (side == 0) == hostfirst;

			if (host && (pf[1].revents & POLLIN))
				n = HOST(epoll_wait)(epfd, ev + got, max - got,
				    0);
			else if (!host && (pf[0].revents & POLLIN))
				n = hjk_epoll_wait(kep, ev + got, max - got,
				    0);
			else
				continue;
			if (n > 0)
				got += n;
		}
		if (got > 0)
			return got;
		/* Another thread took what was ready: wait on. */
		if (tp != NULL) {
			if ((left = deadline - now_ns()) <= 0)
				return 0;
			ts.tv_sec = left / 1000000000;
			ts.tv_nsec = left % 1000000000;
		}
	}
}

/* The kernel epoll beside epfd, or -1 for a host-only set (unlocked
 * peek first: a program that never gave epoll a kernel descriptor pays
 * one load). */
static int
kernel_of(int epfd)
{
	struct reg *r;
	int kep = -1;

	if (__builtin_expect(__atomic_load_n(&hj_epoll_regs,
	    __ATOMIC_ACQUIRE) == NULL, 1))
		return -1;
	pthread_mutex_lock(&rlock);
	if ((r = reg_find(epfd)) != NULL)
		kep = r->kep;
	pthread_mutex_unlock(&rlock);
	return kep;
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
	int kep = kernel_of(epfd);

	if (kep < 0)
		return HOST(epoll_wait)(epfd, ev, max, timeout);
	return k_wait(epfd, kep, ev, max, ms_time(timeout, &ts), NULL);
}

HJ_EXPORT int
epoll_pwait(int epfd, struct epoll_event *ev, int max, int timeout,
    const sigset_t *mask)
{
	struct timespec ts;
	int kep = kernel_of(epfd);

	if (kep < 0)
		return HOST(epoll_pwait)(epfd, ev, max, timeout, mask);
	return k_wait(epfd, kep, ev, max, ms_time(timeout, &ts), mask);
}

HJ_EXPORT int
epoll_pwait2(int epfd, struct epoll_event *ev, int max,
    const struct timespec *tmo, const sigset_t *mask)
{
	int kep = kernel_of(epfd);

	if (kep < 0)
		return HOST(epoll_pwait2)(epfd, ev, max, tmo, mask);
	if (tmo != NULL && (tmo->tv_sec < 0 || tmo->tv_nsec < 0 ||
	    tmo->tv_nsec >= 1000000000L)) {
		errno = EINVAL;
		return -1;
	}
	return k_wait(epfd, kep, ev, max, tmo, mask);
}
