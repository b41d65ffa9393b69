/*
 * sys_poll.c: poll and ppoll over the files' fo_poll.
 *
 * The client's pollfd array is copied in, scanned, and the scan repeated
 * each time the poll generation moves (selnotify(), see k/file.h) until a
 * descriptor is ready, the timeout passes or the call is interrupted.  The
 * generation is read before each scan, so a change that happens during
 * the scan makes the wait return at once: no wakeup is lost.  After the
 * timeout one last scan runs, as in Linux.  No lock is held across a scan.
 *
 * Linux's rules: a negative fd is skipped (revents 0); a descriptor that
 * is not open (or is O_PATH) reports POLLNVAL; POLLERR and POLLHUP are
 * always reported; nfds above RLIMIT_NOFILE is EINVAL.
 */
#include "k/kernel.h"
#include "k/file.h"

#include "syscallargs.h"

#define NSMALLFDS	32		/* pollfds kept on the stack */
/* What a file without fo_poll reports: always ready (Linux). */
#define DEFAULT_POLLMASK (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM)
#define NS_PER_SEC	1000000000LL

/* One pass over the array; returns how many entries have revents. */
static int
poll_scan(struct pollfd *fds, unsigned long nfds)
{
	struct file *fp;
	unsigned long i;
	int n = 0, want, rev;

	for (i = 0; i < nfds; i++) {
		if (fds[i].fd < 0) {
			fds[i].revents = 0;
			continue;
		}
		if (fd_getfile_io(fds[i].fd, &fp) != 0) {
			rev = POLLNVAL;
		} else {
			want = (uint16_t)fds[i].events | POLLERR | POLLHUP;
			if (fp->f_ops->fo_poll != NULL)
				rev = fp->f_ops->fo_poll(fp, want);
			else
				rev = DEFAULT_POLLMASK;
			rev &= want;
			file_rele(fp);
		}
		fds[i].revents = (int16_t)rev;
		if (rev != 0)
			n++;
	}
	return n;
}

/*
 * The common part: deadline is an uptime in ns, KWAIT_FOREVER, or 0 for
 * a single scan.
 */
static int
dopoll(void *ufds, unsigned long nfds, int64_t deadline, register_t *retval)
{
	struct pollfd small[NSMALLFDS], *fds = small;
	size_t size;
	bool timedout = false;
	uint64_t gen;
	int error, n;

	if (nfds > (unsigned long)fd_nofile())
		return EINVAL;
	size = nfds * sizeof(*fds);	/* nfds <= NR_OPEN: no overflow */
	if (nfds > NSMALLFDS && (fds = kmem_alloc(size)) == NULL)
		return ENOMEM;
	if ((error = copyin(ufds, fds, size)) != 0)
		goto out;
	for (;;) {
		gen = sel_generation();
		n = poll_scan(fds, nfds);
		if (n > 0 || timedout || deadline == 0)
			break;
		error = sel_wait(gen, deadline);
		if (error == ETIMEDOUT) {
			timedout = true;
			error = 0;
		} else if (error != 0) {
			goto out;		/* EINTR */
		}
	}
	/* The whole array goes back: fd and events are unchanged. */
	if ((error = copyout(fds, ufds, size)) == 0)
		*retval = n;
out:
	if (fds != small)
		kmem_free(fds, size);
	return error;
}

/* now + ns, or KWAIT_FOREVER if that is past what an int64_t holds. */
static int64_t
deadline_after(int64_t sec, long nsec)
{
	int64_t now = uptime_ns();

	if (sec > (INT64_MAX - now) / NS_PER_SEC - 1)
		return KWAIT_FOREVER;
	return now + sec * NS_PER_SEC + nsec;
}

int
sys_poll(struct lwp *l __unused, void *ufds, unsigned long nfds, int timeout,
    register_t *retval)
{
	int64_t deadline;

	if (timeout < 0)
		deadline = KWAIT_FOREVER;
	else if (timeout == 0)
		deadline = 0;
	else
		deadline = deadline_after(timeout / 1000,
		    (long)(timeout % 1000) * 1000000L);
	return dopoll(ufds, nfds, deadline, retval);
}

int
sys_ppoll(struct lwp *l __unused, void *ufds, unsigned long nfds,
    const void *utmo, const void *usigmask, size_t sigsetsize,
    register_t *retval)
{
	struct timespec ts;
	uint64_t sigmask;
	int64_t deadline = KWAIT_FOREVER;
	int error;

	/* Linux's order: the timeout, then the signal mask, then nfds. */
	if (utmo != NULL) {
		if ((error = copyin(utmo, &ts, sizeof(ts))) != 0)
			return error;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= NS_PER_SEC)
			return EINVAL;
		if (ts.tv_sec == 0 && ts.tv_nsec == 0)
			deadline = 0;
		else
			deadline = deadline_after(ts.tv_sec, ts.tv_nsec);
	}
	/*
	 * The kernel has no signals, so the mask is checked (size, address)
	 * as Linux checks it and then ignored: nothing could interrupt the
	 * wait that the mask would block.  The hijack applies it on the host.
	 * The remaining time is not written back: the argument is input
	 * only here, as glibc's wrapper makes it anyway.
	 */
	if (usigmask != NULL) {
		if (sigsetsize != sizeof(sigmask))
			return EINVAL;
		if ((error = copyin(usigmask, &sigmask, sizeof(sigmask))) != 0)
			return error;
	}
	return dopoll(ufds, nfds, deadline, retval);
}
