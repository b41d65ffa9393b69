/*
 * kern_callout.c: timers (k/callout.h) on one kernel thread.
 *
 * Pending callouts sit in a binary min-heap ordered by deadline; a
 * callout's c_index is its slot, so stopping or moving one is O(log n)
 * without a search.  The heap array only grows (doubling), so scheduling
 * allocates nothing once the array is big enough: TCP moves its timers
 * for every segment.  The thread ("callout") is created by the first
 * callout_schedule(); it sleeps until the earliest deadline, then runs the
 * handler with its virtual CPU and no lock held.
 *
 * Locking: co_lock covers the heap, every callout's c_time, c_flags and
 * c_index, and co_running.  It is a leaf lock: it is never held while a
 * handler runs or while waiting for another lock, so a caller may hold
 * any lock (a socket's so_lock) when scheduling or stopping.
 */
#include "k/kernel.h"
#include "k/callout.h"

#include "kern_private.h"

#define CALLOUT_INITED	0x01	/* callout_init ran */
#define CALLOUT_PENDING	0x02	/* in the heap */

static kmutex_t co_lock;
static kcondvar_t co_cv;		/* the thread sleeps here */
static kcondvar_t co_donecv;		/* callout_halt waits here */
static struct callout **co_heap;
static uint32_t co_count, co_size;
static struct callout *co_running;	/* handler being run, or NULL */
static struct lwp *co_lwp;		/* the thread's lwp */
static int64_t co_sleepuntil;		/* the thread's wake-up deadline */
static bool co_sleeping;
static bool co_started, co_halting, co_exited;
static void *co_cookie;

static int64_t
uptime_ns(void)
{
	struct timespec ts;

	getnanouptime(&ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void
callout_startup(void)
{
	mutex_init(&co_lock);
	cv_init(&co_cv);
	cv_init(&co_donecv);
}

/* --- the heap (co_lock held) ----------------------------------------------- */

static void
heap_set(uint32_t i, struct callout *c)
{
	co_heap[i] = c;
	c->c_index = i;
}

static void
heap_up(uint32_t i)
{
	struct callout *c = co_heap[i];

	while (i > 0) {
		uint32_t p = (i - 1) / 2;

		if (co_heap[p]->c_time <= c->c_time)
			break;
		heap_set(i, co_heap[p]);
		i = p;
	}
	heap_set(i, c);
}

static void
heap_down(uint32_t i)
{
	struct callout *c = co_heap[i];

	for (;;) {
		uint32_t l = 2 * i + 1, m;

		if (l >= co_count)
			break;
		m = l;
		if (l + 1 < co_count && co_heap[l + 1]->c_time < co_heap[l]->c_time)
			m = l + 1;
		if (co_heap[m]->c_time >= c->c_time)
			break;
		heap_set(i, co_heap[m]);
		i = m;
	}
	heap_set(i, c);
}

static void
heap_remove(struct callout *c)
{
	uint32_t i = c->c_index;
	struct callout *last;

	KASSERT(i < co_count && co_heap[i] == c);
	c->c_flags &= ~CALLOUT_PENDING;
	last = co_heap[--co_count];
	if (last == c)
		return;
	heap_set(i, last);
	heap_up(i);
	heap_down(last->c_index);
}

/* Makes room for one more; drops co_lock while allocating. */
static void
heap_reserve(void)
{
	while (co_count == co_size) {
		uint32_t nsize = co_size ? co_size * 2 : 64, osize = co_size;
		struct callout **n;

		mutex_exit(&co_lock);
		/* Timers of existing objects must not fail at RUMP_MEMLIMIT. */
		n = kmem_zalloc_nolimit(nsize * sizeof(*n));
		if (n == NULL)
			panic("callout: out of host memory for %u timers",
			    nsize);
		mutex_enter(&co_lock);
		if (co_size != osize) {		/* someone else grew it */
			kmem_free(n, nsize * sizeof(*n));
			continue;
		}
		if (co_count > 0)
			memcpy(n, co_heap, co_count * sizeof(*n));
		if (co_heap != NULL)
			kmem_free(co_heap, co_size * sizeof(*n));
		co_heap = n;
		co_size = nsize;
	}
}

/* --- the thread -------------------------------------------------------------- */

static void
callout_thread(void *arg __unused)
{
	struct callout *c;
	int64_t now;

	mutex_enter(&co_lock);
	co_lwp = curlwp;
	while (!co_halting) {
		if (co_count == 0) {
			co_sleeping = true;
			co_sleepuntil = INT64_MAX;
			cv_wait(&co_cv, &co_lock);
			co_sleeping = false;
			continue;
		}
		c = co_heap[0];
		now = uptime_ns();
		if (c->c_time > now) {
			co_sleeping = true;
			co_sleepuntil = c->c_time;
			(void)cv_timedwait(&co_cv, &co_lock, c->c_time - now);
			co_sleeping = false;
			continue;
		}
		heap_remove(c);
		co_running = c;
		mutex_exit(&co_lock);
		c->c_func(c->c_arg);
		mutex_enter(&co_lock);
		co_running = NULL;
		cv_broadcast(&co_donecv);
	}
	co_exited = true;
	cv_broadcast(&co_donecv);
	mutex_exit(&co_lock);
}

/* rump_halt: no handler runs after the kernel is halted. */
static void
callout_shutdown(void)
{
	void *cookie;

	mutex_enter(&co_lock);
	co_halting = true;
	cv_signal(&co_cv);
	cookie = co_cookie;
	co_cookie = NULL;
	mutex_exit(&co_lock);
	if (cookie != NULL)
		(void)kthread_join(cookie);
}

/* Starts the thread once; co_lock held, dropped and retaken. */
static int
callout_start_thread(void)
{
	void *cookie;
	int error;

	co_started = true;
	mutex_exit(&co_lock);
	error = kthread_create(callout_thread, NULL, "callout", &cookie);
	mutex_enter(&co_lock);
	if (error != 0) {
		co_started = false;
		return error;
	}
	co_cookie = cookie;
	/* Registered after the factions' hooks, so it runs before them. */
	shutdown_hook_register(callout_shutdown);
	return 0;
}

/* --- the interface ---------------------------------------------------------- */

void
callout_init(struct callout *c, void (*func)(void *), void *arg)
{
	c->c_func = func;
	c->c_arg = arg;
	c->c_time = 0;
	c->c_flags = CALLOUT_INITED;
	c->c_index = UINT32_MAX;
}

int
callout_schedule(struct callout *c, int64_t ns)
{
	int64_t when;
	int error;

	KASSERT(c->c_flags & CALLOUT_INITED);
	if (!rump_threads)
		return EOPNOTSUPP;
	if (ns < 0)
		ns = 0;
	when = uptime_ns();
	when = ns > INT64_MAX - when ? INT64_MAX : when + ns;
	mutex_enter(&co_lock);
	if (!co_started && (error = callout_start_thread()) != 0) {
		mutex_exit(&co_lock);
		return error == ENOMEM ? error : EOPNOTSUPP;
	}
	if (c->c_flags & CALLOUT_PENDING) {
		int64_t old = c->c_time;

		c->c_time = when;
		if (when < old)
			heap_up(c->c_index);
		else if (when > old)
			heap_down(c->c_index);
	} else {
		heap_reserve();
		c->c_time = when;
		c->c_flags |= CALLOUT_PENDING;
		co_heap[co_count] = c;
		c->c_index = co_count++;
		heap_up(c->c_index);
	}
	/* Wake the thread only if it sleeps past this deadline. */
	if (co_sleeping && when < co_sleepuntil) {
		co_sleepuntil = when;
		cv_signal(&co_cv);
	}
	mutex_exit(&co_lock);
	return 0;
}

bool
callout_stop(struct callout *c)
{
	bool pending;

	mutex_enter(&co_lock);
	pending = (c->c_flags & CALLOUT_PENDING) != 0;
	if (pending)
		heap_remove(c);
	mutex_exit(&co_lock);
	return pending;
}

bool
callout_halt(struct callout *c, kmutex_t *interlock)
{
	bool pending, dropped = false;

	mutex_enter(&co_lock);
	pending = (c->c_flags & CALLOUT_PENDING) != 0;
	if (pending)
		heap_remove(c);
	/* From its own handler: it cannot wait for itself. */
	if (co_running == c && co_lwp != NULL && curlwp == co_lwp) {
		mutex_exit(&co_lock);
		return pending;
	}
	while (co_running == c && !co_exited) {
		if (interlock != NULL && !dropped) {
			/* Lock order is interlock before co_lock. */
			mutex_exit(&co_lock);
			mutex_exit(interlock);
			dropped = true;
			mutex_enter(&co_lock);
			continue;
		}
		cv_wait(&co_donecv, &co_lock);
	}
	mutex_exit(&co_lock);
	if (dropped)
		mutex_enter(interlock);
	return pending;
}

bool
callout_pending(const struct callout *c)
{
	return (__atomic_load_n(&c->c_flags, __ATOMIC_RELAXED) &
	    CALLOUT_PENDING) != 0;
}

void
callout_destroy(struct callout *c)
{
	KASSERT(!(c->c_flags & CALLOUT_PENDING));
	KASSERT(co_running != c || curlwp == co_lwp);
	c->c_flags = 0;
	c->c_func = NULL;
}
