/*
 * kern_select.c: per-object readiness, the selinfo wait lists behind poll,
 * select and epoll (the contract is in k/file.h).
 *
 * A selinfo is the head of a list of registrations (struct selreg), each
 * linking it to one waiter: a poll call or an epoll item.  Registrations
 * live in memory the waiter owns (its seltable's slots, an epoll item's
 * array), so selrecord never allocates and may run under object locks.
 *
 * Locking: one kernel-wide mutex, sel_lock, covers every selinfo list,
 * every selreg's links and sr_sip, and the sw_wake callbacks (a poll call
 * sleeps on its condvar with sel_lock).  Order: object locks, then
 * sel_lock, then an epoll's ready-list lock.  One lock keeps the
 * detach-versus-wake races simple (a registration is unlinked and the
 * waiter freed only after sel_lock was held without it being linked) and
 * lets a wakeup run into nested epoll instances without a lock dance;
 * it is held only for list walks, never across a sleep of its holder.
 *
 * Lost wakeups: a waiter registers (selrecord stores the list head) before
 * its fo_poll tests readiness; a waker changes state before selwakeup loads
 * the head.  Both sides pass a sequentially consistent fence between the
 * two, so either the waiter sees the new state or the waker sees the
 * registration; when the object's lock orders them anyway the fences are
 * free of consequence.
 */
#include "k/kernel.h"
#include "k/file.h"

static kmutex_t sel_lock;
static atomic_int sel_state;		/* 0 none, 1 setting up, 2 ready */

/* sel_lock is set up on first use: poll may come before any init hook. */
static void
sel_setup(void)
{
	int expect = 0;

	if (atomic_load(&sel_state) == 2)
		return;
	if (atomic_compare_exchange_strong(&sel_state, &expect, 1)) {
		mutex_init(&sel_lock);
		atomic_store(&sel_state, 2);
		return;
	}
	while (atomic_load(&sel_state) != 2)
		(void)kpause_ns(1000);	/* another thread sets up */
}

kmutex_t *
sel_lock_get(void)
{
	sel_setup();
	return &sel_lock;
}

static struct selreg *
sel_head(struct selinfo *sip)
{
	return __atomic_load_n((struct selreg **)&sip->si_waiters,
	    __ATOMIC_RELAXED);
}

static void
sel_sethead(struct selinfo *sip, struct selreg *sr)
{
	__atomic_store_n((struct selreg **)&sip->si_waiters, sr,
	    __ATOMIC_RELAXED);
}

/* Unlinks sr from its selinfo; sel_lock held. */
static void
sel_unlink(struct selreg *sr)
{
	if (sr->sr_next != NULL)
		sr->sr_next->sr_prevp = sr->sr_prevp;
	if (sr->sr_prevp == (struct selreg **)&sr->sr_sip->si_waiters)
		sel_sethead(sr->sr_sip, sr->sr_next);
	else
		*sr->sr_prevp = sr->sr_next;
	sr->sr_next = NULL;
	sr->sr_prevp = NULL;
	sr->sr_sip = NULL;
}

void
selinit(struct selinfo *sip)
{
	sel_sethead(sip, NULL);
}

void
seldestroy(struct selinfo *sip)
{
	struct selreg *sr;

	if (sel_head(sip) == NULL)
		return;
	/* Left-overs are detached, not woken: their waiter goes on alone. */
	sel_setup();
	mutex_enter(&sel_lock);
	while ((sr = sel_head(sip)) != NULL)
		sel_unlink(sr);
	mutex_exit(&sel_lock);
}

struct seltable *
sel_settable(struct seltable *st)
{
	struct lwp *l = curlwp;
	struct seltable *old = l->l_seltable;

	l->l_seltable = st;
	return old;
}

void
selrecord(struct selinfo *sip)
{
	struct seltable *st = curlwp->l_seltable;
	struct selreg *sr, *head;

	if (st == NULL)
		return;
	if (st->st_used >= st->st_nregs) {
		st->st_overflow = true;
		return;
	}
	sr = &st->st_regs[st->st_used++];
	sr->sr_w = st->st_w;
	sr->sr_events = st->st_events;
	sel_setup();
	mutex_enter(&sel_lock);
	head = sel_head(sip);
	sr->sr_sip = sip;
	sr->sr_next = head;
	if (head != NULL)
		head->sr_prevp = &sr->sr_next;
	sr->sr_prevp = (struct selreg **)&sip->si_waiters;
	sel_sethead(sip, sr);
	mutex_exit(&sel_lock);
	atomic_thread_fence(memory_order_seq_cst);
}

void
sel_unregister(struct selreg *regs, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (__atomic_load_n(&regs[i].sr_sip, __ATOMIC_RELAXED) != NULL)
			break;
	if (i == n)
		return;
	mutex_enter(&sel_lock);
	for (; i < n; i++)
		if (regs[i].sr_sip != NULL)
			sel_unlink(&regs[i]);
	mutex_exit(&sel_lock);
}

void
selwakeup_locked(struct selinfo *sip, int events)
{
	struct selreg *sr, *next;
	bool exclusive_done = false;

	for (sr = sel_head(sip); sr != NULL; sr = next) {
		next = sr->sr_next;
		if (events != 0 && (events & sr->sr_events) == 0)
			continue;
		if (sr->sr_w->sw_exclusive) {
			if (exclusive_done)
				continue;
			if (sr->sr_w->sw_wake(sr->sr_w, events))
				exclusive_done = true;
		} else {
			(void)sr->sr_w->sw_wake(sr->sr_w, events);
		}
	}
}

void
selwakeup(struct selinfo *sip, int events)
{
	atomic_thread_fence(memory_order_seq_cst);
	if (sel_head(sip) == NULL)
		return;
	mutex_enter(&sel_lock);
	selwakeup_locked(sip, events);
	mutex_exit(&sel_lock);
}
