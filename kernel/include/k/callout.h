/*
 * callout.h: timers that run a function later (kern/kern_callout.c).
 *
 * Callouts run on one kernel thread ("callout"), in deadline order, each
 * with a virtual CPU and no lock held; a handler takes the locks it needs
 * (a socket's so_lock ...) and calls netisr_run() after dropping them if
 * it sent packets.  With RUMP_THREADS=0 there is no thread: callout_init
 * still works but callout_schedule returns EOPNOTSUPP (the net faction
 * refuses to initialize in that case and says so).
 *
 * Rules (NetBSD's): a callout is initialized once; scheduling a pending
 * callout moves its deadline; callout_stop() cancels a pending one and
 * says whether it was pending, but a handler already running goes on;
 * callout_halt() also waits for a running handler to return (never call
 * it from that handler, nor while holding a lock the handler takes: pass
 * that lock as interlock, and it is released while waiting).
 */
#ifndef K_CALLOUT_H
#define K_CALLOUT_H

#include "k/kernel.h"

struct callout {
	void (*c_func)(void *);
	void *c_arg;
	int64_t c_time;			/* uptime deadline in ns */
	int c_flags;			/* private */
	uint32_t c_index;		/* private: position in the timer heap */
};

void callout_init(struct callout *c, void (*func)(void *), void *arg);
/* Runs func(arg) ns nanoseconds from now (>= 0).  0 or EOPNOTSUPP. */
int callout_schedule(struct callout *c, int64_t ns);
/* True if it was pending (and now is not). */
bool callout_stop(struct callout *c);
/* callout_stop, then waits for a running handler; interlock may be NULL. */
bool callout_halt(struct callout *c, kmutex_t *interlock);
bool callout_pending(const struct callout *c);
/* Undoes callout_init; the callout must not be pending or running. */
void callout_destroy(struct callout *c);

#endif /* K_CALLOUT_H */
