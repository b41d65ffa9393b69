/*
 * sys_poll.c: poll, ppoll, select and pselect6 over the files' fo_poll and
 * the selinfo wait lists (kern_select.c, k/file.h).
 *
 * A call scans its descriptors once with a seltable as the lwp's poll
 * table, so every fo_poll registers the call on the selinfos it reports
 * on, and keeps a reference on each file it polled (as Linux's poll_wait
 * does) so that no object goes away under a registration.  If nothing is
 * ready it sleeps until one of those selinfos is woken (or the timeout, or
 * an interruption), then scans again without registering, until something
 * is ready.  A wakeup between the registering scan and the sleep is kept
 * in pw_woken, so none is lost.  After the timeout one last scan runs, as
 * in Linux.  At the end every registration is removed, then the files are
 * released.  Files without fo_poll are always ready (Linux).
 *
 * Linux's rules: a negative poll fd is skipped (revents 0); a descriptor
 * that is not open (or is O_PATH) reports POLLNVAL to poll and EBADF to
 * select; POLLERR and POLLHUP are always reported; nfds above
 * RLIMIT_NOFILE is EINVAL for poll; select looks at no more descriptors
 * than the table has slots.
 */
#include "k/kernel.h"
#include "k/file.h"

#include "syscallargs.h"

#define NSMALLFDS	32		/* pollfds kept on the stack */
#define CHUNK_REGS	32		/* registrations per chunk */
/* What a file without fo_poll reports: always ready (Linux). */
#define DEFAULT_POLLMASK (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM)
#define NS_PER_SEC	1000000000LL
/* A poll whose registrations did not all fit re-scans this often. */
#define OVERFLOW_SLICE_NS (10LL * 1000 * 1000)

/* Linux's select sets in terms of poll bits. */
#define POLLIN_SET	(POLLRDNORM | POLLRDBAND | POLLIN | POLLHUP | POLLERR)
#define POLLOUT_SET	(POLLWRBAND | POLLWRNORM | POLLOUT | POLLERR)
#define POLLEX_SET	(POLLPRI)

struct regchunk {
	struct regchunk *rc_next;
	int rc_used;
	struct selreg rc_regs[CHUNK_REGS];
};

/* One waiting call: its waiter, its registrations, its files. */
struct pollwait {
	struct selwaiter pw_w;		/* first: pw_wake casts back */
	kcondvar_t pw_cv;		/* with sel_lock */
	bool pw_woken;			/* under sel_lock */
	bool pw_registering;		/* this scan registers */
	bool pw_overflow;		/* some registration did not fit */
	bool pw_hascv;			/* pw_cv set up (registering calls) */
	struct seltable pw_st;
	struct regchunk *pw_chunks;	/* the first one is pw_chunk0 */
	struct regchunk pw_chunk0;
	struct file **pw_files;		/* referenced, pw_nfiles of them */
	unsigned long pw_nfiles;
	unsigned long pw_maxfiles;
};

static bool
pw_wake(struct selwaiter *w, int events __unused)
{
	struct pollwait *pw = (struct pollwait *)w;

	pw->pw_woken = true;
	cv_broadcast(&pw->pw_cv);
	return true;
}

/* maxfiles: how many files a registering scan may keep. */
static int
pw_init(struct pollwait *pw, unsigned long maxfiles, bool registering)
{
	memset(pw, 0, sizeof(*pw));
	pw->pw_w.sw_wake = pw_wake;
	pw->pw_chunks = &pw->pw_chunk0;
	pw->pw_st.st_w = &pw->pw_w;
	pw->pw_registering = registering;
	if (!registering)
		return 0;
	if (maxfiles > 0 && (pw->pw_files =
	    kmem_alloc(maxfiles * sizeof(*pw->pw_files))) == NULL)
		return ENOMEM;
	pw->pw_maxfiles = maxfiles;
	pw->pw_hascv = true;
	cv_init(&pw->pw_cv);
	return 0;
}

static void
pw_fini(struct pollwait *pw)
{
	struct regchunk *rc, *next;

	for (rc = pw->pw_chunks; rc != NULL; rc = next) {
		next = rc->rc_next;
		sel_unregister(rc->rc_regs, rc->rc_used);
		if (rc != &pw->pw_chunk0)
			kmem_free(rc, sizeof(*rc));
	}
	/* Released only now: the objects outlived the registrations. */
	for (unsigned long i = 0; i < pw->pw_nfiles; i++)
		file_rele(pw->pw_files[i]);
	if (pw->pw_maxfiles > 0)
		kmem_free(pw->pw_files, pw->pw_maxfiles * sizeof(*pw->pw_files));
	if (pw->pw_hascv)
		cv_destroy(&pw->pw_cv);
}

/*
 * fo_poll of fp for want, registering if this scan does; consumes the
 * caller's reference on fp (kept in pw_files while registering).
 */
static int
pw_poll(struct pollwait *pw, struct file *fp, int want)
{
	struct regchunk *rc = pw->pw_chunks;
	struct seltable *old;
	int rev;

	if (fp->f_ops->fo_poll == NULL) {
		file_rele(fp);
		return DEFAULT_POLLMASK & want;
	}
	if (!pw->pw_registering) {
		rev = fp->f_ops->fo_poll(fp, want);
		file_rele(fp);
		return rev & want;
	}
	if (CHUNK_REGS - rc->rc_used < SELRECORD_MAX &&
	    (rc = kmem_alloc(sizeof(*rc))) != NULL) {
		rc->rc_used = 0;
		rc->rc_next = pw->pw_chunks;
		pw->pw_chunks = rc;
	}
	if (rc == NULL) {
		/* No memory for registrations: poll by slices instead. */
		pw->pw_overflow = true;
		rc = pw->pw_chunks;
	}
	pw->pw_st.st_regs = rc->rc_regs;
	pw->pw_st.st_nregs = CHUNK_REGS;
	pw->pw_st.st_used = rc->rc_used;
	pw->pw_st.st_events = want | POLLERR | POLLHUP;
	old = sel_settable(&pw->pw_st);
	rev = fp->f_ops->fo_poll(fp, want);
	(void)sel_settable(old);
	rc->rc_used = pw->pw_st.st_used;
	if (pw->pw_st.st_overflow)
		pw->pw_overflow = true;
	KASSERT(pw->pw_nfiles < pw->pw_maxfiles);
	pw->pw_files[pw->pw_nfiles++] = fp;
	return rev & want;
}

/* Sleeps until a registered selinfo is woken: 0, ETIMEDOUT, EINTR. */
static int
pw_sleep(struct pollwait *pw, int64_t deadline)
{
	kmutex_t *lock = sel_lock_get();
	int64_t dl = deadline;
	int error = 0;

	if (pw->pw_overflow) {
		int64_t slice = uptime_ns() + OVERFLOW_SLICE_NS;

		if (slice < dl)
			dl = slice;
	}
	mutex_enter(lock);
	while (!pw->pw_woken) {
		error = file_cv_wait(&pw->pw_cv, lock, dl);
		if (error != 0)
			break;
	}
	pw->pw_woken = false;
	mutex_exit(lock);
	if (error == ETIMEDOUT && dl != deadline)
		error = 0;		/* the overflow slice, not the timeout */
	return error;
}

/* --- poll, ppoll ---------------------------------------------------------- */

/* One pass over the array; returns how many entries have revents. */
static int
poll_scan(struct pollwait *pw, struct pollfd *fds, unsigned long nfds)
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
			rev = pw_poll(pw, fp, want);
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
	struct pollwait pw;
	size_t size;
	bool timedout = false;
	int error, n;

	if (nfds > (unsigned long)fd_nofile())
		return EINVAL;
	size = nfds * sizeof(*fds);	/* nfds <= NR_OPEN: no overflow */
	if (nfds > NSMALLFDS && (fds = kmem_alloc(size)) == NULL)
		return ENOMEM;
	if ((error = copyin(ufds, fds, size)) != 0)
		goto out;
	if ((error = pw_init(&pw, nfds, deadline != 0)) != 0)
		goto out;
	for (;;) {
		n = poll_scan(&pw, fds, nfds);
		pw.pw_registering = false;
		if (n > 0 || timedout || deadline == 0)
			break;
		error = pw_sleep(&pw, deadline);
		if (error == ETIMEDOUT) {
			timedout = true;
			error = 0;
		} else if (error != 0) {
			break;			/* EINTR */
		}
	}
	pw_fini(&pw);
	/* The whole array goes back: fd and events are unchanged. */
	if (error == 0 && (error = copyout(fds, ufds, size)) == 0)
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

/* A timespec timeout: EINVAL if malformed; 0 for "return at once". */
static int
timeout_ts(const struct timespec *ts, int64_t *deadlinep)
{
	if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= NS_PER_SEC)
		return EINVAL;
	if (ts->tv_sec == 0 && ts->tv_nsec == 0)
		*deadlinep = 0;
	else
		*deadlinep = deadline_after(ts->tv_sec, ts->tv_nsec);
	return 0;
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
		if ((error = timeout_ts(&ts, &deadline)) != 0)
			return error;
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

/* --- select, pselect6 ------------------------------------------------------ */

#define NFDBITS		64
#define FDS_WORDS(n)	(((size_t)(n) + NFDBITS - 1) / NFDBITS)

/* The three input sets and the three results, word arrays of nwords. */
struct selsets {
	uint64_t *in[3];
	uint64_t *out[3];
	size_t nwords;
};

static const int sel_want[3] = { POLLIN_SET, POLLOUT_SET, POLLEX_SET };

/* One pass; the count of bits set in the results, or -errno (EBADF). */
static int
select_scan(struct pollwait *pw, struct selsets *ss, int nfds)
{
	struct file *fp;
	uint64_t bit, any;
	int fd, k, n = 0, want, rev;

	for (size_t w = 0; w < ss->nwords; w++) {
		any = 0;
		for (k = 0; k < 3; k++) {
			if (ss->in[k] != NULL)
				any |= ss->in[k][w];
			if (ss->out[k] != NULL)
				ss->out[k][w] = 0;
		}
		for (; any != 0; any &= any - 1) {
			fd = (int)(w * NFDBITS) + __builtin_ctzll(any);
			if (fd >= nfds)
				break;
			bit = 1ULL << (fd % NFDBITS);
			want = 0;
			for (k = 0; k < 3; k++)
				if (ss->in[k] != NULL && (ss->in[k][w] & bit))
					want |= sel_want[k];
			if (fd_getfile_io(fd, &fp) != 0)
				return -EBADF;
			rev = pw_poll(pw, fp, want | POLLERR | POLLHUP);
			for (k = 0; k < 3; k++) {
				if (ss->in[k] == NULL ||
				    !(ss->in[k][w] & bit) ||
				    !(rev & sel_want[k]))
					continue;
				ss->out[k][w] |= bit;
				n++;
			}
		}
	}
	return n;
}

/*
 * The common part of select and pselect6.  *deadlinep as for dopoll; on
 * return the sets are copied out (only on success, as Linux).
 */
static int
doselect(int nfds, void *const usets[3], int64_t deadline,
    register_t *retval)
{
	struct selsets ss;
	struct pollwait pw;
	struct filedesc *fdp = curproc->p_fd;
	uint64_t *mem = NULL;
	size_t bytes, nmem = 0;
	bool timedout = false;
	int error = 0, n, k, maxfds;

	if (nfds < 0)
		return EINVAL;
	/* Linux looks at no more descriptors than the table has. */
	mutex_enter(&fdp->fd_lock);
	maxfds = fdp->fd_nfiles;
	mutex_exit(&fdp->fd_lock);
	maxfds = (int)(FDS_WORDS(maxfds < NFDBITS ? NFDBITS : maxfds) *
	    NFDBITS);
	if (nfds > maxfds)
		nfds = maxfds;
	memset(&ss, 0, sizeof(ss));
	ss.nwords = FDS_WORDS(nfds);
	bytes = ss.nwords * sizeof(uint64_t);
	for (k = 0; k < 3; k++)
		if (usets[k] != NULL)
			nmem += 2 * ss.nwords;
	if (nmem > 0 && (mem = kmem_zalloc(nmem * sizeof(uint64_t))) == NULL)
		return ENOMEM;
	for (k = 0, n = 0; k < 3; k++) {
		if (usets[k] == NULL)
			continue;
		ss.in[k] = mem + n;
		ss.out[k] = mem + n + ss.nwords;
		n += 2 * (int)ss.nwords;
		if ((error = copyin(usets[k], ss.in[k], bytes)) != 0)
			goto out;
	}
	if ((error = pw_init(&pw, (unsigned long)nfds, deadline != 0)) != 0)
		goto out;
	for (;;) {
		n = select_scan(&pw, &ss, nfds);
		pw.pw_registering = false;
		if (n < 0) {
			error = -n;
			break;
		}
		if (n > 0 || timedout || deadline == 0)
			break;
		error = pw_sleep(&pw, deadline);
		if (error == ETIMEDOUT) {
			timedout = true;
			error = 0;
		} else if (error != 0) {
			break;			/* EINTR */
		}
	}
	pw_fini(&pw);
	for (k = 0; error == 0 && k < 3; k++)
		if (usets[k] != NULL)
			error = copyout(ss.out[k], usets[k], bytes);
	if (error == 0)
		*retval = n;
out:
	if (mem != NULL)
		kmem_free(mem, nmem * sizeof(uint64_t));
	return error;
}

/* What is left of the timeout, for write-back; zero once it passed. */
static void
time_left(int64_t deadline, struct timespec *ts)
{
	int64_t left = deadline - uptime_ns();

	if (deadline == KWAIT_FOREVER)
		left = INT64_MAX;
	if (left < 0)
		left = 0;
	ts->tv_sec = left / NS_PER_SEC;
	ts->tv_nsec = (long)(left % NS_PER_SEC);
}

int
sys_select(struct lwp *l __unused, int nfds, void *rfds, void *wfds,
    void *efds, void *utv, register_t *retval)
{
	void *sets[3] = { rfds, wfds, efds };
	struct timeval tv;
	struct timespec ts;
	int64_t deadline = KWAIT_FOREVER, usec;
	int error;

	if (utv != NULL) {
		if ((error = copyin(utv, &tv, sizeof(tv))) != 0)
			return error;
		/* Linux folds whole seconds of tv_usec into tv_sec. */
		if (tv.tv_sec < 0 || tv.tv_usec < 0)
			return EINVAL;
		usec = tv.tv_usec;
		ts.tv_sec = tv.tv_sec + usec / 1000000;
		ts.tv_nsec = (long)(usec % 1000000) * 1000;
		if (ts.tv_sec < tv.tv_sec)
			ts.tv_sec = INT64_MAX;	/* overflowed: forever */
		if ((error = timeout_ts(&ts, &deadline)) != 0)
			return error;
	}
	error = doselect(nfds, sets, deadline, retval);
	/*
	 * Linux writes the time left back (not for a zero timeout) and
	 * ignores a failure to do so.
	 */
	if (utv != NULL && deadline != 0 && error != EINVAL) {
		time_left(deadline, &ts);
		tv.tv_sec = ts.tv_sec;
		tv.tv_usec = ts.tv_nsec / 1000;
		(void)copyout(&tv, utv, sizeof(tv));
	}
	return error;
}

/* pselect6's sixth argument: the signal mask and its size. */
struct pselect_sig {
	const void *ss;
	size_t ss_len;
};

int
sys_pselect6(struct lwp *l __unused, int nfds, void *rfds, void *wfds,
    void *efds, void *uts, const void *usig, register_t *retval)
{
	void *sets[3] = { rfds, wfds, efds };
	struct pselect_sig sig;
	struct timespec ts;
	int64_t deadline = KWAIT_FOREVER;
	int error;

	if (uts != NULL) {
		if ((error = copyin(uts, &ts, sizeof(ts))) != 0)
			return error;
		if ((error = timeout_ts(&ts, &deadline)) != 0)
			return error;
	}
	/*
	 * As ppoll's: the mask is accepted and ignored (no signals here).
	 * Its size is checked as Linux does; its contents are not read,
	 * since over the remote protocol they would be the client's memory.
	 */
	if (usig != NULL) {
		if ((error = copyin(usig, &sig, sizeof(sig))) != 0)
			return error;
		if (sig.ss != NULL && sig.ss_len != sizeof(uint64_t))
			return EINVAL;
	}
	error = doselect(nfds, sets, deadline, retval);
	if (uts != NULL && deadline != 0 && error != EINVAL) {
		time_left(deadline, &ts);
		(void)copyout(&ts, uts, sizeof(ts));
	}
	return error;
}
