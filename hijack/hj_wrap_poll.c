/*
 * hj_wrap_poll.c: poll, ppoll, select and pselect over any mix of host
 * and kernel descriptors.
 *
 * A set without kernel descriptors is the host's business alone.  One
 * with kernel descriptors is first checked without waiting (one kernel
 * call, then the host's); if nothing is ready and the caller may wait,
 * the wait is split.
 * A helper thread (one per calling thread, made on first need) waits in
 * the kernel on the kernel descriptors plus the read end of a kernel
 * pipe; the calling thread waits in the host's ppoll on the host
 * descriptors plus an eventfd that the helper writes when its poll
 * returns.  Whichever side returns first ends the other: the helper by
 * writing the eventfd, the caller by writing a byte into the kernel pipe.
 * The caller stays in a host call, so signals interrupt it (EINTR),
 * ppoll's mask applies, and the timeout is the host's.  Nothing spins.
 *
 * select works on fd_set bits of host numbers (kernel descriptors have
 * host numbers), so FD_SET's __fdelt_chk needs nothing from us.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <unistd.h>

#include "hj.h"
#include "hj_poll.h"

HOST_CACHE(poll);
HOST_CACHE(ppoll);
HOST_CACHE(select);
HOST_CACHE(pselect);
HOST_CACHE(__poll_chk);
HOST_CACHE(__ppoll_chk);
HOST_CACHE(eventfd);
HOST_CACHE(read);
HOST_CACHE(write);
HOST_CACHE(close);

enum { W_IDLE, W_GO, W_EXIT };

#define NSMALL	32			/* pollfds kept on the stack */

static __thread struct hj_waiter *tw;
static unsigned forkgen;
static pthread_key_t wkey;
static pthread_once_t wonce = PTHREAD_ONCE_INIT;

/* --- the helper ---------------------------------------------------------- */

static void
drain(int kfd)
{
	char buf[64];

	while (hjk_read(kfd, buf, sizeof(buf)) > 0)
		continue;
}

/*
 * Frees what w holds: its helper is exiting (live: true), or this is a
 * forked child where the helper never existed.  There the condition
 * variable may still count the parent's helper as a waiter (destroying it
 * would wait for that helper forever), and the eventfd's number may have
 * been closed and reused by the child (a close_range before exec): it is
 * left alone, close-on-exec.  The kernel pipe has no host number, so the
 * child's copy of it is still ours.
 */
static void
waiter_free(struct hj_waiter *w, bool live)
{
	hjk_close(w->wake[0]);
	hjk_close(w->wake[1]);
	if (live) {
		hj_fd_unhide_close(w->efd);
		pthread_mutex_destroy(&w->lock);
		pthread_cond_destroy(&w->cv);
	}
	free(w->kbuf);
	free(w);
}

static void *
helper(void *arg)
{
	struct hj_waiter *w = arg;
	uint64_t one = 1;
	int rv, err;

	for (;;) {
		pthread_mutex_lock(&w->lock);
		while (w->state == W_IDLE)
			pthread_cond_wait(&w->cv, &w->lock);
		if (w->state == W_EXIT) {
			pthread_mutex_unlock(&w->lock);
			break;
		}
		pthread_mutex_unlock(&w->lock);
		for (;;) {
			rv = hjk_poll(w->kbuf, w->nk, -1);
			err = errno;
			if (rv <= 0 || w->kbuf[0].revents == 0)
				break;
			if (w->kbuf[0].revents & (POLLNVAL | POLLERR)) {
				rv = -1;	/* our pipe is gone */
				err = EIO;
				break;
			}
			/* Drain first, then look at the flags: a byte
			 * written after the look stays for the next poll. */
			drain(w->wake[0]);
			if (rv > 1 ||
			    __atomic_load_n(&w->stop, __ATOMIC_SEQ_CST) ||
			    __atomic_load_n(&w->abandoned, __ATOMIC_SEQ_CST))
				break;
			/* A byte left over from an earlier wait. */
		}
		pthread_mutex_lock(&w->lock);
		w->rv = rv;
		w->err = err;
		if (w->state == W_GO)
			w->state = W_IDLE;
		pthread_mutex_unlock(&w->lock);
		if (__atomic_load_n(&w->abandoned, __ATOMIC_SEQ_CST))
			return NULL;	/* leaked on purpose: see abandon() */
		while (HOST(write)(w->efd, &one, sizeof(one)) < 0 &&
		    errno == EINTR)
			continue;
	}
	if (!__atomic_load_n(&w->abandoned, __ATOMIC_SEQ_CST))
		waiter_free(w, true);
	return NULL;
}

/*
 * The caller left a wait without finishing it (a signal handler that
 * longjmp'ed, a cancellation): its helper may still be in the kernel.
 * It is told to stop and then leaks, with its descriptors, so that
 * nothing (a late kick, the helper) touches freed memory or reused
 * descriptor numbers.
 */
static void
abandon(struct hj_waiter *w)
{
	__atomic_store_n(&w->abandoned, 1, __ATOMIC_SEQ_CST);
	__atomic_store_n(&w->stop, 1, __ATOMIC_SEQ_CST);
	(void)hjk_write(w->wake[1], "", 1);
	pthread_mutex_lock(&w->lock);
	if (w->state == W_IDLE)
		w->state = W_EXIT;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->lock);
}

/* The thread that owned w exits. */
static void
waiter_exit(void *v)
{
	struct hj_waiter *w = v;

	if (w->gen != __atomic_load_n(&forkgen, __ATOMIC_RELAXED)) {
		waiter_free(w, false);	/* a forked child: no helper */
		return;
	}
	if (w->busy) {
		abandon(w);
		return;
	}
	pthread_mutex_lock(&w->lock);
	w->state = W_EXIT;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->lock);
}

/* The child has none of the helpers: every waiter is stale. */
static void
postfork_child(void)
{
	__atomic_add_fetch(&forkgen, 1, __ATOMIC_RELAXED);
}

static void
waiter_once(void)
{
	pthread_key_create(&wkey, waiter_exit);
	pthread_atfork(NULL, NULL, postfork_child);
}

static struct hj_waiter *
waiter_new(void)
{
	struct hj_waiter *w = calloc(1, sizeof(*w));
	sigset_t all, old;
	pthread_attr_t at;
	pthread_t t;
	int e;

	if (w == NULL)
		return NULL;
	w->efd = w->wake[0] = w->wake[1] = -1;
	if ((w->efd = HOST(eventfd)(0, EFD_CLOEXEC)) < 0)
		goto fail;
	/* Out of reach of a close_range of "everything else". */
	w->efd = hj_fd_hide(w->efd);
	if (hjk_pipe2(w->wake, O_NONBLOCK | O_CLOEXEC) != 0)
		goto fail;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cv, NULL);
	w->gen = __atomic_load_n(&forkgen, __ATOMIC_RELAXED);
	/* The helper takes no signals: they are the caller's. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	e = pthread_create(&t, &at, helper, w);
	pthread_attr_destroy(&at);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e == 0)
		return w;
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->cv);
	errno = e;
fail:
	e = errno;
	if (w->efd >= 0)
		hj_fd_unhide_close(w->efd);
	if (w->wake[0] >= 0) {
		hjk_close(w->wake[0]);
		hjk_close(w->wake[1]);
	}
	free(w);
	errno = e;
	return NULL;
}

struct hj_waiter *
hj_waiter_get(void)
{
	struct hj_waiter *w = tw;

	pthread_once(&wonce, waiter_once);
	if (w != NULL && w->gen == __atomic_load_n(&forkgen, __ATOMIC_RELAXED)
	    && !w->busy)
		return w;
	if (w != NULL) {
		if (w->gen != __atomic_load_n(&forkgen, __ATOMIC_RELAXED))
			waiter_free(w, false);
		else
			abandon(w);
		tw = NULL;
		pthread_setspecific(wkey, NULL);
	}
	if ((w = waiter_new()) == NULL)
		return NULL;
	tw = w;
	pthread_setspecific(wkey, w);
	return w;
}

/* Room for n kernel pollfds after w's own. */
static int
waiter_room(struct hj_waiter *w, size_t n)
{
	struct pollfd *p;

	if (n + 1 <= w->kcap)
		return 0;
	if ((p = realloc(w->kbuf, (n + 1) * sizeof(*p))) == NULL)
		return -1;
	w->kbuf = p;
	w->kcap = n + 1;
	return 0;
}

/*
 * The split wait: host pollfds hf[1..nh] here, kernel ones in
 * w->kbuf[1..nk] in the helper; hf[0] and kbuf[0] are the waiter's.
 * Returns the host ppoll's result less the eventfd (-1 and errno too).
 */
static int
split_wait(struct hj_waiter *w, struct pollfd *hf, nfds_t nh, nfds_t nk,
    const struct timespec *tmo, const sigset_t *mask)
{
	uint64_t v;
	int hr, herr;

	w->kbuf[0].fd = w->wake[0];
	w->kbuf[0].events = POLLIN;
	w->kbuf[0].revents = 0;
	w->nk = nk + 1;
	hf[0].fd = w->efd;
	hf[0].events = POLLIN;
	hf[0].revents = 0;
	w->busy = 1;
	__atomic_store_n(&w->stop, 0, __ATOMIC_SEQ_CST);
	pthread_mutex_lock(&w->lock);
	w->state = W_GO;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->lock);

	hr = HOST(ppoll)(hf, nh + 1, tmo, mask);
	herr = errno;
	if (hr <= 0 || !(hf[0].revents & POLLIN)) {
		__atomic_store_n(&w->stop, 1, __ATOMIC_SEQ_CST);
		(void)hjk_write(w->wake[1], "", 1);
	}
	/* The helper is done with kbuf once it has written the eventfd. */
	while (HOST(read)(w->efd, &v, sizeof(v)) < 0 && errno == EINTR)
		continue;
	pthread_mutex_lock(&w->lock);
	pthread_mutex_unlock(&w->lock);
	w->busy = 0;
	if (hr > 0 && hf[0].revents != 0)
		hr--;
	errno = herr;
	return hr;
}

/* --- poll over a mix ------------------------------------------------------ */

static bool
zero_time(const struct timespec *tmo)
{
	return tmo != NULL && tmo->tv_sec == 0 && tmo->tv_nsec == 0;
}

int
hj_poll_mixed(struct pollfd *fds, nfds_t n, const struct timespec *tmo,
    const sigset_t *mask)
{
	return hj_poll_mixed_raw(fds, n, 0, tmo, mask);
}

int
hj_poll_mixed_raw(struct pollfd *fds, nfds_t n, nfds_t nraw,
    const struct timespec *tmo, const sigset_t *mask)
{
	struct pollfd hsmall[NSMALL + 1], ksmall[NSMALL + 1], *hf, *kf;
	nfds_t hsmallidx[NSMALL], ksmallidx[NSMALL], *hidx, *kidx;
	static const struct timespec zero = { 0, 0 };
	struct hj_waiter *w = NULL;
	nfds_t nh = 0, nk = 0, i;
	void *mem = NULL;
	int kr, hr = 0, herr = 0, rv = 0, k;
	bool now;

	for (i = 0; i < n; i++) {
		if (fds[i].fd < 0)
			continue;
		if (i < nraw || hj_fd_kernel(fds[i].fd) >= 0)
			nk++;
		else
			nh++;
	}
	if (n <= NSMALL) {
		hf = hsmall;
		kf = ksmall;
		hidx = hsmallidx;
		kidx = ksmallidx;
	} else {
		mem = malloc(2 * (n + 1) * sizeof(struct pollfd) +
		    2 * n * sizeof(nfds_t));
		if (mem == NULL)
			return -1;
		hf = mem;
		kf = hf + n + 1;
		hidx = (nfds_t *)(kf + n + 1);
		kidx = hidx + n;
	}
	nh = nk = 0;
	for (i = 0; i < n; i++) {
		fds[i].revents = 0;
		if (fds[i].fd < 0)
			continue;
		if ((k = i < nraw ? fds[i].fd : hj_fd_kernel(fds[i].fd)) >= 0) {
			kf[nk + 1] = (struct pollfd){ k, fds[i].events, 0 };
			kidx[nk++] = i;
		} else {
			hf[nh + 1] = fds[i];
			hidx[nh++] = i;
		}
	}

	/* What is ready now needs no thread. */
	if ((kr = hjk_poll(kf + 1, nk, 0)) < 0) {
		rv = -1;
		goto out;
	}
	/*
	 * The host's descriptors are looked at without waiting too: with
	 * the kernel's answer, or when nothing of the kernel's is ready,
	 * because the host's may be (a pipe with data, stdout writable, the
	 * common case of a program copying between a file and a socket).
	 * One host call says so, where the split wait would wake the
	 * helper, make it poll the kernel and stop it again: several remote
	 * calls and thread wake-ups.
	 */
	now = kr > 0 || zero_time(tmo);
	if (nh > 0 || (now && mask != NULL)) {
		hr = HOST(ppoll)(hf + 1, nh, &zero, mask);
		herr = errno;
	}
	if (!now && hr == 0) {
		if ((w = hj_waiter_get()) == NULL ||
		    waiter_room(w, nk) != 0) {
			rv = -1;
			goto out;
		}
		memcpy(w->kbuf + 1, kf + 1, nk * sizeof(*kf));
		hr = split_wait(w, hf, nh, nk, tmo, mask);
		herr = errno;
		if (w->rv < 0 && hr <= 0) {
			errno = w->err;
			rv = -1;
			goto out;
		}
		memcpy(kf + 1, w->kbuf + 1, nk * sizeof(*kf));
		kr = w->rv < 0 ? 0 : w->rv;
	}
	for (i = 0; i < nk && kr > 0; i++)
		if ((fds[kidx[i]].revents = kf[i + 1].revents) != 0)
			rv++;
	for (i = 0; i < nh && hr > 0; i++)
		if ((fds[hidx[i]].revents = hf[i + 1].revents) != 0)
			rv++;
	/* Interrupted with nothing ready: EINTR, as the host said. */
	if (hr < 0 && rv == 0) {
		errno = herr;
		rv = -1;
	}
out:
	free(mem);
	return rv;
}

/*
 * Does any of fds[0..n) name a kernel descriptor?  glibc 2.36 declares
 * poll's array write-only; the empty asm keeps gcc from concluding that
 * reading it reads uninitialized memory.
 */
#define any_kernel(fds, n) ({						\
	struct pollfd *fds_ = (fds);					\
	__asm__("" : "+r"(fds_));					\
	any_kernel_(fds_, (n));						\
})

static bool
any_kernel_(const struct pollfd *fds, nfds_t n)
{
	if (__builtin_expect(hj_fdmap == NULL, 1))
		return false;
	for (nfds_t i = 0; i < n; i++)
		if (hj_fd_kernel(fds[i].fd) >= 0)
			return true;
	return false;
}

HJ_EXPORT int
poll(struct pollfd *fds, nfds_t n, int timeout)
{
	struct timespec ts;

	if (!any_kernel(fds, n))
		return HOST(poll)(fds, n, timeout);
	ts.tv_sec = timeout / 1000;
	ts.tv_nsec = (long)(timeout % 1000) * 1000000L;
	return hj_poll_mixed(fds, n, timeout < 0 ? NULL : &ts, NULL);
}

HJ_EXPORT int
ppoll(struct pollfd *fds, nfds_t n, const struct timespec *tmo,
    const sigset_t *mask)
{
	if (!any_kernel(fds, n))
		return HOST(ppoll)(fds, n, tmo, mask);
	if (tmo != NULL && (tmo->tv_sec < 0 || tmo->tv_nsec < 0 ||
	    tmo->tv_nsec >= 1000000000L)) {
		errno = EINVAL;
		return -1;
	}
	return hj_poll_mixed(fds, n, tmo, mask);
}

/* _FORTIFY_SOURCE's entries: the array must hold n entries. */
HJ_EXPORT int
__poll_chk(struct pollfd *fds, nfds_t n, int timeout, size_t fdslen)
{
	if (!any_kernel(fds, n))
		return HOST(__poll_chk)(fds, n, timeout, fdslen);
	if (fdslen / sizeof(*fds) < n)
		__chk_fail();
	return poll(fds, n, timeout);
}

HJ_EXPORT int
__ppoll_chk(struct pollfd *fds, nfds_t n, const struct timespec *tmo,
    const sigset_t *mask, size_t fdslen)
{
	if (!any_kernel(fds, n))
		return HOST(__ppoll_chk)(fds, n, tmo, mask, fdslen);
	if (fdslen / sizeof(*fds) < n)
		__chk_fail();
	return ppoll(fds, n, tmo, mask);
}

/* --- select ------------------------------------------------------------ */

/* Linux's sets: what makes a descriptor readable, writable, exceptional. */
#define SEL_IN	(POLLIN | POLLRDNORM | POLLRDBAND | POLLHUP | POLLERR)
#define SEL_OUT	(POLLOUT | POLLWRNORM | POLLWRBAND | POLLERR)
#define SEL_EX	(POLLPRI)

static bool
isset(const fd_set *s, int fd)
{
	return s != NULL && FD_ISSET(fd, s);
}

static bool
sets_kernel(int nfds, const fd_set *r, const fd_set *w, const fd_set *e)
{
	if (__builtin_expect(hj_fdmap == NULL, 1) || nfds <= 0)
		return false;
	if (nfds > hj_fdmax)
		nfds = hj_fdmax;
	for (int fd = 0; fd < nfds; fd++)
		if ((isset(r, fd) || isset(w, fd) || isset(e, fd)) &&
		    hj_fd_kernel(fd) >= 0)
			return true;
	return false;
}

static int
k_select(int nfds, fd_set *r, fd_set *w, fd_set *e,
    const struct timespec *tmo, const sigset_t *mask)
{
	struct pollfd small[NSMALL], *fds = small;
	nfds_t n = 0;
	int rv, count = 0;

	for (int fd = 0; fd < nfds; fd++)
		if (isset(r, fd) || isset(w, fd) || isset(e, fd))
			n++;
	if (n > NSMALL && (fds = malloc(n * sizeof(*fds))) == NULL)
		return -1;
	n = 0;
	for (int fd = 0; fd < nfds; fd++) {
		short ev = (short)((isset(r, fd) ? POLLIN : 0) |
		    (isset(w, fd) ? POLLOUT : 0) |
		    (isset(e, fd) ? POLLPRI : 0));

		if (ev != 0)
			fds[n++] = (struct pollfd){ fd, ev, 0 };
	}
	if ((rv = hj_poll_mixed(fds, n, tmo, mask)) < 0)
		goto out;
	for (nfds_t i = 0; i < n; i++) {
		if (fds[i].revents & POLLNVAL) {
			errno = EBADF;
			rv = -1;
			goto out;
		}
	}
	for (nfds_t i = 0; i < n; i++) {
		int fd = fds[i].fd, rev = fds[i].revents;

		if (isset(r, fd) && !(rev & SEL_IN))
			FD_CLR(fd, r);
		if (isset(w, fd) && !(rev & SEL_OUT))
			FD_CLR(fd, w);
		if (isset(e, fd) && !(rev & SEL_EX))
			FD_CLR(fd, e);
		count += isset(r, fd) + isset(w, fd) + isset(e, fd);
	}
	rv = count;
out:
	if (fds != small)
		free(fds);
	return rv;
}

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

HJ_EXPORT int
select(int nfds, fd_set *r, fd_set *w, fd_set *e, struct timeval *tv)
{
	struct timespec ts;
	int64_t start = 0, left;
	int rv, err;

	if (!sets_kernel(nfds, r, w, e))
		return HOST(select)(nfds, r, w, e, tv);
	if (tv != NULL) {
		if (tv->tv_sec < 0 || tv->tv_usec < 0) {
			errno = EINVAL;
			return -1;
		}
		/* Linux normalizes a tv_usec of a second or more. */
		ts.tv_sec = tv->tv_sec + tv->tv_usec / 1000000;
		ts.tv_nsec = (tv->tv_usec % 1000000) * 1000;
		start = now_ns();
	}
	rv = k_select(nfds, r, w, e, tv != NULL ? &ts : NULL, NULL);
	err = errno;
	if (tv != NULL) {
		/* Linux leaves the time not slept in *tv. */
		left = ((int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec) -
		    (now_ns() - start);
		if (left < 0)
			left = 0;
		tv->tv_sec = left / 1000000000;
		tv->tv_usec = (left % 1000000000) / 1000;
	}
	errno = err;
	return rv;
}

HJ_EXPORT int
pselect(int nfds, fd_set *r, fd_set *w, fd_set *e,
    const struct timespec *tmo, const sigset_t *mask)
{
	if (!sets_kernel(nfds, r, w, e))
		return HOST(pselect)(nfds, r, w, e, tmo, mask);
	if (tmo != NULL && (tmo->tv_sec < 0 || tmo->tv_nsec < 0 ||
	    tmo->tv_nsec >= 1000000000L)) {
		errno = EINVAL;
		return -1;
	}
	return k_select(nfds, r, w, e, tmo, mask);
}
