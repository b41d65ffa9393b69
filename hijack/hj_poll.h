/*
 * hj_poll.h: waiting on host and kernel descriptors at once
 * (hj_wrap_poll.c), shared with the epoll wrappers (hj_wrap_epoll.c).
 */
#ifndef HJ_POLL_H
#define HJ_POLL_H

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>

/*
 * A calling thread's waiter: the helper thread that waits in the kernel
 * on the caller's behalf while the caller waits on the host.
 */
struct hj_waiter {
	unsigned gen;			/* the fork generation it belongs to */
	int efd;			/* host eventfd: the helper is done */
	int wake[2];			/* kernel pipe: a byte ends its wait */
	pthread_mutex_t lock;
	pthread_cond_t cv;
	int state;			/* W_IDLE, W_GO, W_EXIT */
	struct pollfd *kbuf;		/* kernel pollfds; [0] is wake[0] */
	size_t kcap;
	unsigned long nk;
	int rv, err;			/* the kernel poll's result */
	int stop;			/* atomic: the caller wants it back */
	int abandoned;			/* atomic: its caller left (longjmp) */
	int busy;			/* the caller is inside a wait */
};

/* This thread's waiter, made on first use; NULL and errno if none. */
struct hj_waiter *hj_waiter_get(void);

/*
 * poll(2) over fds holding host numbers, some of them the kernel's; the
 * timeout (NULL: none) and mask as ppoll takes them.  A kick ends the
 * wait with what is ready (possibly nothing).
 */
int hj_poll_mixed(struct pollfd *fds, nfds_t n, const struct timespec *tmo,
    const sigset_t *mask);
/* The same, where fds[0..nraw) hold kernel descriptors, not host numbers. */
int hj_poll_mixed_raw(struct pollfd *fds, nfds_t n, nfds_t nraw,
    const struct timespec *tmo, const sigset_t *mask);

/*
 * hj_wrap_epoll.c follows which host numbers name an epoll instance that
 * has kernel descriptors: the descriptor wrappers tell it what they
 * duplicated (old to new) and what they closed ([lo, hi]).
 */
void hj_epoll_duped(int oldfd, int newfd);
void hj_epoll_closed(int lo, int hi);
extern void *hj_epoll_regs;		/* NULL: nothing to follow */

#endif /* HJ_POLL_H */
