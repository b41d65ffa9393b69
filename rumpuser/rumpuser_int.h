/*
 * rumpuser_int.h: private helpers of the Linux/pthreads hypercall layer.
 *
 * The library is built with hidden visibility: only what carries
 * RUMPUSER_EXPORT (the rumpuser_* functions of <rump/rumpuser.h>) leaves
 * it.  Names with the rumpuser__ prefix are internal to the library.
 */
#ifndef RUMPUSER_INT_H
#define RUMPUSER_INT_H

#include <rump/rumpuser.h>

#define RUMPUSER_EXPORT __attribute__((__visibility__("default")))

/* The upcalls handed over by rumpuser_init(); zero until then. */
extern struct rumpuser_hyperup rumpuser__hyp;

/*
 * A hypercall that may block on the host gives up the caller's virtual
 * CPU around the host call, so that other threads can run in the kernel
 * meanwhile.  Read errno before calling rumpuser__sched(): the upcall may
 * change it.
 */
static inline void
rumpuser__unsched(void)
{
	if (rumpuser__hyp.hyp_unschedule != NULL)
		rumpuser__hyp.hyp_unschedule();
}

static inline void
rumpuser__sched(void)
{
	if (rumpuser__hyp.hyp_schedule != NULL)
		rumpuser__hyp.hyp_schedule();
}

/* A host primitive failed where the kernel cannot cope: print, abort. */
void rumpuser__fatal(const char *what, int error)
    __attribute__((__noreturn__));

#endif /* RUMPUSER_INT_H */
