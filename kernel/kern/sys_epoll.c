/*
 * sys_epoll.c: epoll instances (epoll_create, epoll_create1, epoll_ctl,
 * epoll_wait, epoll_pwait, epoll_pwait2) with Linux's semantics.
 *
 * An item is one registration, keyed by (open file, descriptor number)
 * as in Linux.  At EPOLL_CTL_ADD it registers on the selinfos the file's
 * fo_poll records (k/file.h) and stays registered until it is deleted,
 * its epoll instance closes, or the file's last reference goes
 * (epoll_file_release(), called by file_rele() before fo_close).  A
 * descriptor closed while a dup of it keeps the file open therefore keeps
 * its item, as in Linux.  The item holds no reference on the file.
 *
 * A selwakeup() on a registered selinfo puts the item on the instance's
 * ready list (ep_item_wake); epoll_wait takes items off that list, polls
 * each again for its current events and reports those; a level-triggered
 * item that reported goes back to the tail, an edge-triggered one waits
 * for its next wakeup, a one-shot one is disabled until EPOLL_CTL_MOD.
 * Idle items are on no list that a wait looks at.
 *
 * Locking, in order:
 *   ep_global     (one, sleepable) adding and removing items, the files'
 *                 item lists (f_epitems), the nesting graph for ELOOP;
 *   ep_mtx        (per instance, sleepable) its items' hash and fields,
 *                 held across the fo_poll calls of ctl and wait, so an
 *                 item (and its file, see above) stays while it is polled;
 *                 nested instances are taken outer first (no cycles: ELOOP);
 *   object locks, then sel_lock (kern_select.c): ei_events is written with
 *                 ep_mtx and sel_lock held, so either one is enough to
 *                 read it;
 *   ep_lock       (per instance) the ready list, ei_ready, sleeping waiters.
 * No lock is held across a sleep except ep_lock, with which waiters sleep.
 */
#include "k/kernel.h"
#include "k/file.h"

#include "syscallargs.h"

#define EP_MAX_NESTS	4		/* Linux's */
#define EP_MINHASH	16
/* Bits of ei_events that are flags, not events. */
#define EP_PRIVATE_BITS	(EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE)
/* What an exclusive item may ask for. */
#define EPOLLEXCLUSIVE_OK_BITS (EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | \
	EPOLLWAKEUP | EPOLLET | EPOLLEXCLUSIVE)
#define EP_MAX_EVENTS	(INT32_MAX / (int)sizeof(struct epoll_event))
#define NS_PER_SEC	1000000000LL

struct eventpoll;

struct epitem {
	struct selwaiter ei_w;		/* first: ep_item_wake casts back */
	struct eventpoll *ei_ep;
	struct file *ei_file;		/* not referenced (see above) */
	int ei_fd;
	uint32_t ei_events;		/* interest and flags (see locking) */
	uint64_t ei_data;
	bool ei_ready;			/* on ep_ready; ep_lock */
	TAILQ_ENTRY(epitem) ei_rdlink;	/* ep_ready; ep_lock */
	LIST_ENTRY(epitem) ei_hlink;	/* ep_hash; ep_mtx */
	struct epitem *ei_fnext;	/* the file's items; ep_global */
	struct epitem **ei_fprevp;
	int ei_nregs;
	struct selreg ei_regs[SELRECORD_MAX];
};

LIST_HEAD(epbucket, epitem);

struct eventpoll {
	kmutex_t ep_mtx;
	kmutex_t ep_lock;
	kcondvar_t ep_cv;		/* waiters, with ep_lock */
	TAILQ_HEAD(, epitem) ep_ready;
	int ep_nready;			/* ep_lock */
	struct epbucket *ep_hash;	/* ep_mtx */
	unsigned int ep_nbuckets;
	unsigned int ep_nitems;
	struct selinfo ep_sel;		/* pollers of the epoll descriptor */
	struct file *ep_file;
};

static int ep_fo_poll(struct file *, int);
static int ep_fo_close(struct file *);

static const struct fileops epollops = {
	.fo_read = anon_fo_rw,
	.fo_write = anon_fo_rw,
	.fo_poll = ep_fo_poll,
	.fo_stat = anon_fo_stat,
	.fo_close = ep_fo_close,
	.fo_seek = anon_fo_seek,
	/* ioctl: ENOTTY (Linux) */
};

static kmutex_t ep_global;
static atomic_int ep_state;		/* 0 none, 1 setting up, 2 ready */

static void
ep_setup(void)
{
	int expect = 0;

	if (atomic_load(&ep_state) == 2)
		return;
	if (atomic_compare_exchange_strong(&ep_state, &expect, 1)) {
		mutex_init(&ep_global);
		atomic_store(&ep_state, 2);
		return;
	}
	while (atomic_load(&ep_state) != 2)
		(void)kpause_ns(1000);
}

static bool
is_epoll(struct file *fp)
{
	return fp->f_ops == &epollops;
}

/* --- wakeups and polling of items ---------------------------------------- */

/* Queues ei unless it is there; ep_lock held. */
static void
ep_queue(struct eventpoll *ep, struct epitem *ei)
{
	if (ei->ei_ready)
		return;
	ei->ei_ready = true;
	TAILQ_INSERT_TAIL(&ep->ep_ready, ei, ei_rdlink);
	ep->ep_nready++;
}

static void
ep_dequeue(struct eventpoll *ep, struct epitem *ei)
{
	if (!ei->ei_ready)
		return;
	ei->ei_ready = false;
	TAILQ_REMOVE(&ep->ep_ready, ei, ei_rdlink);
	ep->ep_nready--;
}

/* sw_wake of an item: sel_lock held. */
static bool
ep_item_wake(struct selwaiter *w, int events __unused)
{
	struct epitem *ei = (struct epitem *)w;
	struct eventpoll *ep = ei->ei_ep;

	if ((ei->ei_events & ~EP_PRIVATE_BITS) == 0)
		return false;		/* a one-shot item that fired */
	mutex_enter(&ep->ep_lock);
	ep_queue(ep, ei);
	cv_broadcast(&ep->ep_cv);
	mutex_exit(&ep->ep_lock);
	selwakeup_locked(&ep->ep_sel, POLLIN | POLLRDNORM);
	return true;
}

/* Queues ei and wakes whoever waits for ep (ctl found ei ready). */
static void
ep_queue_wake(struct eventpoll *ep, struct epitem *ei)
{
	mutex_enter(&ep->ep_lock);
	ep_queue(ep, ei);
	cv_broadcast(&ep->ep_cv);
	mutex_exit(&ep->ep_lock);
	selwakeup(&ep->ep_sel, POLLIN | POLLRDNORM);
}

/* The events of ei now, without registering; ep_mtx held. */
static uint32_t
ep_item_poll(struct epitem *ei)
{
	struct file *fp = ei->ei_file;
	struct seltable *old;
	uint32_t want = ei->ei_events & ~EP_PRIVATE_BITS;
	int rev;

	old = sel_settable(NULL);
	rev = fp->f_ops->fo_poll(fp, (int)want);
	(void)sel_settable(old);
	return (uint32_t)rev & want;
}

/* --- the item table -------------------------------------------------------- */

static unsigned int
ep_hashof(struct eventpoll *ep, struct file *fp, int fd)
{
	uintptr_t h = (uintptr_t)fp >> 4;

	h ^= (uintptr_t)(unsigned int)fd * 0x9e3779b1u;
	h ^= h >> 16;
	return (unsigned int)h & (ep->ep_nbuckets - 1);
}

static struct epitem *
ep_find(struct eventpoll *ep, struct file *fp, int fd)
{
	struct epitem *ei;

	LIST_FOREACH(ei, &ep->ep_hash[ep_hashof(ep, fp, fd)], ei_hlink)
		if (ei->ei_file == fp && ei->ei_fd == fd)
			return ei;
	return NULL;
}

/* Doubles the table when it gets crowded; a failure only costs speed. */
static void
ep_grow(struct eventpoll *ep)
{
	struct epbucket *nh, *oh = ep->ep_hash;
	unsigned int on = ep->ep_nbuckets, i;
	struct epitem *ei;

	if (ep->ep_nitems < 2 * on || on >= (1u << 24))
		return;
	if ((nh = kmem_alloc(2 * on * sizeof(*nh))) == NULL)
		return;
	for (i = 0; i < 2 * on; i++)
		LIST_INIT(&nh[i]);
	ep->ep_hash = nh;
	ep->ep_nbuckets = 2 * on;
	for (i = 0; i < on; i++) {
		while ((ei = LIST_FIRST(&oh[i])) != NULL) {
			LIST_REMOVE(ei, ei_hlink);
			LIST_INSERT_HEAD(&nh[ep_hashof(ep, ei->ei_file,
			    ei->ei_fd)], ei, ei_hlink);
		}
	}
	kmem_free(oh, on * sizeof(*oh));
}

/* The file's list of items (f_epitems); ep_global held. */
static void
ep_flink(struct epitem *ei)
{
	struct epitem **headp = (struct epitem **)&ei->ei_file->f_epitems;

	ei->ei_fnext = *headp;
	if (ei->ei_fnext != NULL)
		ei->ei_fnext->ei_fprevp = &ei->ei_fnext;
	ei->ei_fprevp = headp;
	__atomic_store_n(headp, ei, __ATOMIC_RELEASE);
}

static void
ep_funlink(struct epitem *ei)
{
	if (ei->ei_fnext != NULL)
		ei->ei_fnext->ei_fprevp = ei->ei_fprevp;
	__atomic_store_n(ei->ei_fprevp, ei->ei_fnext, __ATOMIC_RELEASE);
}

/* Removes and frees ei; ep_global and ep_mtx held. */
static void
ep_remove(struct eventpoll *ep, struct epitem *ei)
{
	/* After this no wakeup can reach ei (sel_lock orders them). */
	sel_unregister(ei->ei_regs, ei->ei_nregs);
	mutex_enter(&ep->ep_lock);
	ep_dequeue(ep, ei);
	mutex_exit(&ep->ep_lock);
	LIST_REMOVE(ei, ei_hlink);
	ep_funlink(ei);
	ep->ep_nitems--;
	kmem_free(ei, sizeof(*ei));
}

void
epoll_file_release(struct file *fp)
{
	struct epitem *ei;
	struct eventpoll *ep;

	ep_setup();
	mutex_enter(&ep_global);
	while ((ei = fp->f_epitems) != NULL) {
		ep = ei->ei_ep;
		mutex_enter(&ep->ep_mtx);
		ep_remove(ep, ei);
		mutex_exit(&ep->ep_mtx);
	}
	mutex_exit(&ep_global);
}

/* --- nesting: ELOOP ---------------------------------------------------------- */

/*
 * How deep the instances under ep nest (0: none), or INT32_MAX if the
 * target of the insertion is among them; ep_global held.
 */
static int
ep_depth_down(struct eventpoll *ep, struct eventpoll *target, int level)
{
	struct epitem *ei;
	int d, max = 0;

	if (level > EP_MAX_NESTS + 1)
		return INT32_MAX;	/* already too deep to matter */
	for (unsigned int i = 0; i < ep->ep_nbuckets; i++) {
		LIST_FOREACH(ei, &ep->ep_hash[i], ei_hlink) {
			struct eventpoll *sub;

			if (!is_epoll(ei->ei_file))
				continue;
			sub = ei->ei_file->f_data;
			if (sub == target)
				return INT32_MAX;
			d = ep_depth_down(sub, target, level + 1);
			if (d == INT32_MAX)
				return d;
			if (d + 1 > max)
				max = d + 1;
		}
	}
	return max;
}

/* How many instances contain ep, on the longest chain; ep_global held. */
static int
ep_depth_up(struct eventpoll *ep, int level)
{
	struct epitem *ei;
	int d, max = 0;

	if (level > EP_MAX_NESTS + 1)
		return INT32_MAX / 2;
	for (ei = ep->ep_file->f_epitems; ei != NULL; ei = ei->ei_fnext) {
		d = ep_depth_up(ei->ei_ep, level + 1) + 1;
		if (d > max)
			max = d;
	}
	return max;
}

/* ELOOP if putting sub into ep makes a cycle or too deep a nest. */
static int
ep_loop_check(struct eventpoll *ep, struct eventpoll *sub)
{
	int down = ep_depth_down(sub, ep, 0);

	if (down == INT32_MAX || down > EP_MAX_NESTS)
		return ELOOP;
	if (down + 1 + ep_depth_up(ep, 0) > EP_MAX_NESTS)
		return ELOOP;
	return 0;
}

/* --- epoll_ctl ----------------------------------------------------------------- */

/* ep_global and ep_mtx held. */
static int
ep_insert(struct eventpoll *ep, struct file *fp, int fd,
    const struct epoll_event *ev)
{
	struct epitem *ei;
	struct seltable st, *old;
	uint32_t want;
	int rev;

	if ((ei = kmem_zalloc(sizeof(*ei))) == NULL)
		return ENOMEM;
	ei->ei_w.sw_wake = ep_item_wake;
	ei->ei_w.sw_exclusive = (ev->events & EPOLLEXCLUSIVE) != 0;
	ei->ei_ep = ep;
	ei->ei_file = fp;
	ei->ei_fd = fd;
	ei->ei_events = ev->events | EPOLLERR | EPOLLHUP;
	ei->ei_data = ev->data;
	LIST_INSERT_HEAD(&ep->ep_hash[ep_hashof(ep, fp, fd)], ei, ei_hlink);
	ep_flink(ei);
	ep->ep_nitems++;
	ep_grow(ep);

	want = ei->ei_events & ~EP_PRIVATE_BITS;
	memset(&st, 0, sizeof(st));
	st.st_w = &ei->ei_w;
	st.st_regs = ei->ei_regs;
	st.st_nregs = SELRECORD_MAX;
	st.st_events = (int)want;
	old = sel_settable(&st);
	rev = fp->f_ops->fo_poll(fp, (int)want);
	(void)sel_settable(old);
	ei->ei_nregs = st.st_used;
	if (st.st_overflow)
		kverbose("epoll: a file recorded more than %d "
		    "selinfos; the rest is not watched\n", SELRECORD_MAX);
	if ((uint32_t)rev & want)
		ep_queue_wake(ep, ei);
	return 0;
}

/* ep_mtx held. */
static void
ep_modify(struct eventpoll *ep, struct epitem *ei,
    const struct epoll_event *ev)
{
	kmutex_t *sl = sel_lock_get();

	mutex_enter(sl);
	ei->ei_events = ev->events | EPOLLERR | EPOLLHUP;
	for (int i = 0; i < ei->ei_nregs; i++)
		ei->ei_regs[i].sr_events =
		    (int)(ei->ei_events & ~EP_PRIVATE_BITS);
	mutex_exit(sl);
	ei->ei_data = ev->data;
	if (ep_item_poll(ei) != 0)
		ep_queue_wake(ep, ei);
}

int
sys_epoll_ctl(struct lwp *l __unused, int epfd, int op, int fd,
    void *uevent, register_t *retval)
{
	struct epoll_event ev;
	struct file *epf = NULL, *tf = NULL;
	struct eventpoll *ep;
	struct epitem *ei;
	bool global = false;
	int error;

	memset(&ev, 0, sizeof(ev));
	/* Linux's order of checks, so the same mistake gets the same errno. */
	if (op != EPOLL_CTL_DEL &&
	    (error = copyin(uevent, &ev, sizeof(ev))) != 0)
		return error;
	if ((error = fd_getfile_io(epfd, &epf)) != 0)
		return error;
	if ((error = fd_getfile_io(fd, &tf)) != 0)
		goto out;
	/*
	 * Files that are always ready (regular files, directories, devices
	 * without a poll of their own) cannot be watched (Linux: EPERM);
	 * fifos can.
	 */
	if ((tf->f_type == DTYPE_VNODE && tf->f_ops->fo_poll != pipe_fo_poll) ||
	    tf->f_ops->fo_poll == NULL) {
		error = EPERM;
		goto out;
	}
	if (epf == tf || !is_epoll(epf)) {
		error = EINVAL;
		goto out;
	}
	if (ev.events & EPOLLEXCLUSIVE) {
		if (op == EPOLL_CTL_MOD || (op == EPOLL_CTL_ADD &&
		    (is_epoll(tf) || (ev.events & ~EPOLLEXCLUSIVE_OK_BITS)))) {
			error = EINVAL;
			goto out;
		}
	}
	ep = epf->f_data;
	if (op == EPOLL_CTL_ADD || op == EPOLL_CTL_DEL) {
		ep_setup();
		mutex_enter(&ep_global);
		global = true;
		if (op == EPOLL_CTL_ADD && is_epoll(tf) &&
		    (error = ep_loop_check(ep, tf->f_data)) != 0)
			goto unlock;
	}
	mutex_enter(&ep->ep_mtx);
	ei = ep_find(ep, tf, fd);
	error = EINVAL;
	switch (op) {
	case EPOLL_CTL_ADD:
		error = ei == NULL ? ep_insert(ep, tf, fd, &ev) : EEXIST;
		break;
	case EPOLL_CTL_DEL:
		if (ei != NULL) {
			ep_remove(ep, ei);
			error = 0;
		} else {
			error = ENOENT;
		}
		break;
	case EPOLL_CTL_MOD:
		if (ei == NULL) {
			error = ENOENT;
		} else if (!(ei->ei_events & EPOLLEXCLUSIVE)) {
			ep_modify(ep, ei, &ev);
			error = 0;
		}
		break;
	}
	mutex_exit(&ep->ep_mtx);
unlock:
	if (global)
		mutex_exit(&ep_global);
out:
	/* With no lock held: the last reference may remove epoll items. */
	if (tf != NULL)
		file_rele(tf);
	file_rele(epf);
	if (error == 0)
		*retval = 0;
	return error;
}

/* --- the descriptor ------------------------------------------------------------- */

static int
ep_fo_poll(struct file *fp, int events)
{
	struct eventpoll *ep = fp->f_data;
	struct seltable *old;
	struct epitem *ei;
	bool any = false;

	selrecord(&ep->ep_sel);
	/* Items are polled to see if they still have events, not recorded. */
	old = sel_settable(NULL);
	mutex_enter(&ep->ep_mtx);
	mutex_enter(&ep->ep_lock);
	ei = TAILQ_FIRST(&ep->ep_ready);
	mutex_exit(&ep->ep_lock);
	while (ei != NULL && !any) {
		/* Queued items leave the list only with ep_mtx. */
		any = ep_item_poll(ei) != 0;
		mutex_enter(&ep->ep_lock);
		ei = TAILQ_NEXT(ei, ei_rdlink);
		mutex_exit(&ep->ep_lock);
	}
	mutex_exit(&ep->ep_mtx);
	(void)sel_settable(old);
	return any ? events & (POLLIN | POLLRDNORM) : 0;
}

static int
ep_fo_close(struct file *fp)
{
	struct eventpoll *ep = fp->f_data;
	struct epitem *ei;

	ep_setup();
	mutex_enter(&ep_global);
	mutex_enter(&ep->ep_mtx);
	for (unsigned int i = 0; i < ep->ep_nbuckets; i++)
		while ((ei = LIST_FIRST(&ep->ep_hash[i])) != NULL)
			ep_remove(ep, ei);
	mutex_exit(&ep->ep_mtx);
	mutex_exit(&ep_global);
	KASSERT(ep->ep_nitems == 0 && ep->ep_nready == 0);
	seldestroy(&ep->ep_sel);
	kmem_free(ep->ep_hash, ep->ep_nbuckets * sizeof(*ep->ep_hash));
	cv_destroy(&ep->ep_cv);
	mutex_destroy(&ep->ep_lock);
	mutex_destroy(&ep->ep_mtx);
	kmem_free(ep, sizeof(*ep));
	return 0;
}

static int
ep_create(int flags, register_t *retval)
{
	struct eventpoll *ep;
	struct file *fp;
	int error, fd;

	if ((ep = kmem_zalloc(sizeof(*ep))) == NULL)
		return ENOMEM;
	ep->ep_nbuckets = EP_MINHASH;
	ep->ep_hash = kmem_alloc(EP_MINHASH * sizeof(*ep->ep_hash));
	if (ep->ep_hash == NULL) {
		kmem_free(ep, sizeof(*ep));
		return ENOMEM;
	}
	if ((error = file_alloc(&fp)) != 0) {
		kmem_free(ep->ep_hash, EP_MINHASH * sizeof(*ep->ep_hash));
		kmem_free(ep, sizeof(*ep));
		return error;
	}
	for (unsigned int i = 0; i < EP_MINHASH; i++)
		LIST_INIT(&ep->ep_hash[i]);
	mutex_init(&ep->ep_mtx);
	mutex_init(&ep->ep_lock);
	cv_init(&ep->ep_cv);
	TAILQ_INIT(&ep->ep_ready);
	selinit(&ep->ep_sel);
	ep->ep_file = fp;
	fp->f_flag = O_RDWR;
	fp->f_type = DTYPE_MISC;
	fp->f_ops = &epollops;
	fp->f_data = ep;
	error = fd_install_lowest(fp, 0, (flags & EPOLL_CLOEXEC) != 0, &fd);
	file_rele(fp);			/* the table's, or the last: frees ep */
	if (error == 0)
		*retval = fd;
	return error;
}

int
sys_epoll_create(struct lwp *l __unused, int size, register_t *retval)
{
	if (size <= 0)
		return EINVAL;
	return ep_create(0, retval);
}

int
sys_epoll_create1(struct lwp *l __unused, int flags, register_t *retval)
{
	if ((flags & ~EPOLL_CLOEXEC) != 0)
		return EINVAL;
	return ep_create(flags, retval);
}

/* --- epoll_wait ------------------------------------------------------------------ */

/*
 * Reports up to maxevents ready items to uevents; ep_mtx held.  Each item
 * queued on entry is looked at once (items queued meanwhile wait for the
 * next call), so level-triggered items requeued at the tail cannot make
 * this loop forever.
 */
static int
ep_send(struct eventpoll *ep, char *uevents, int maxevents, int *errorp)
{
	struct epoll_event ev;
	struct epitem *ei;
	kmutex_t *sl = sel_lock_get();
	int n = 0, todo;
	uint32_t rev;

	mutex_enter(&ep->ep_lock);
	todo = ep->ep_nready;
	mutex_exit(&ep->ep_lock);
	for (; todo > 0 && n < maxevents; todo--) {
		mutex_enter(&ep->ep_lock);
		if ((ei = TAILQ_FIRST(&ep->ep_ready)) != NULL)
			ep_dequeue(ep, ei);
		mutex_exit(&ep->ep_lock);
		if (ei == NULL)
			break;
		if ((ei->ei_events & ~EP_PRIVATE_BITS) == 0 ||
		    (rev = ep_item_poll(ei)) == 0)
			continue;	/* disabled, or no longer ready */
		memset(&ev, 0, sizeof(ev));
		ev.events = rev;
		ev.data = ei->ei_data;
		if ((*errorp = copyout(&ev, uevents + (size_t)n * sizeof(ev),
		    sizeof(ev))) != 0) {
			mutex_enter(&ep->ep_lock);
			ep_queue(ep, ei);	/* not lost */
			mutex_exit(&ep->ep_lock);
			break;
		}
		n++;
		if (ei->ei_events & EPOLLONESHOT) {
			mutex_enter(sl);
			ei->ei_events &= EP_PRIVATE_BITS;
			mutex_exit(sl);
		} else if (!(ei->ei_events & EPOLLET)) {
			mutex_enter(&ep->ep_lock);
			ep_queue(ep, ei);
			mutex_exit(&ep->ep_lock);
		}
	}
	return n;
}

/* deadline: an uptime in ns, KWAIT_FOREVER, or 0 (do not wait). */
static int
ep_wait(int epfd, void *uevents, int maxevents, int64_t deadline,
    register_t *retval)
{
	struct file *fp;
	struct eventpoll *ep;
	bool timedout = false;
	int error = 0, n;

	if (maxevents <= 0 || maxevents > EP_MAX_EVENTS)
		return EINVAL;
	if ((error = fd_getfile_io(epfd, &fp)) != 0)
		return error;
	if (!is_epoll(fp)) {
		file_rele(fp);
		return EINVAL;
	}
	ep = fp->f_data;
	for (;;) {
		mutex_enter(&ep->ep_mtx);
		n = ep_send(ep, uevents, maxevents, &error);
		mutex_exit(&ep->ep_mtx);
		if (n > 0) {
			error = 0;	/* what was copied out is the answer */
			break;
		}
		if (error != 0 || timedout || deadline == 0)
			break;
		mutex_enter(&ep->ep_lock);
		while (ep->ep_nready == 0) {
			error = file_cv_wait(&ep->ep_cv, &ep->ep_lock,
			    deadline);
			if (error != 0)
				break;
		}
		mutex_exit(&ep->ep_lock);
		if (error == ETIMEDOUT) {
			timedout = true;	/* one last look, as Linux */
			error = 0;
		} else if (error != 0) {
			break;			/* EINTR */
		}
	}
	file_rele(fp);
	if (error == 0)
		*retval = n;
	return error;
}

static int64_t
ms_deadline(int timeout)
{
	if (timeout < 0)
		return KWAIT_FOREVER;
	if (timeout == 0)
		return 0;
	return uptime_ns() + (int64_t)timeout * 1000000LL;
}

/* As ppoll's: checked as Linux checks it, then ignored (no signals). */
static int
check_sigmask(const void *usigmask, size_t sigsetsize)
{
	uint64_t mask;

	if (usigmask == NULL)
		return 0;
	if (sigsetsize != sizeof(mask))
		return EINVAL;
	return copyin(usigmask, &mask, sizeof(mask));
}

int
sys_epoll_wait(struct lwp *l __unused, int epfd, void *events, int maxevents,
    int timeout, register_t *retval)
{
	return ep_wait(epfd, events, maxevents, ms_deadline(timeout), retval);
}

int
sys_epoll_pwait(struct lwp *l __unused, int epfd, void *events,
    int maxevents, int timeout, const void *sigmask, size_t sigsetsize,
    register_t *retval)
{
	int error;

	if ((error = check_sigmask(sigmask, sigsetsize)) != 0)
		return error;
	return ep_wait(epfd, events, maxevents, ms_deadline(timeout), retval);
}

int
sys_epoll_pwait2(struct lwp *l __unused, int epfd, void *events,
    int maxevents, const void *utmo, const void *sigmask, size_t sigsetsize,
    register_t *retval)
{
	struct timespec ts;
	int64_t deadline = KWAIT_FOREVER, now;
	int error;

	if (utmo != NULL) {
		if ((error = copyin(utmo, &ts, sizeof(ts))) != 0)
			return error;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 ||
		    ts.tv_nsec >= NS_PER_SEC)
			return EINVAL;
		now = uptime_ns();
		if (ts.tv_sec == 0 && ts.tv_nsec == 0)
			deadline = 0;
		else if (ts.tv_sec < (INT64_MAX - now) / NS_PER_SEC - 1)
			deadline = now + ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
	}
	if ((error = check_sigmask(sigmask, sigsetsize)) != 0)
		return error;
	return ep_wait(epfd, events, maxevents, deadline, retval);
}
