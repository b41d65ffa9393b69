/*
 * init.c: bootstrap (rump_init) and halt.
 *
 * rump_init() reads top to bottom as the boot phases:
 *   hypervisor -> parameters -> CPUs -> proc0/proc1 -> sysctl ->
 *   components (init, then postinit, in dependency order) -> up.
 * It boots once per process.  Concurrent first callers wait for the one
 * that boots and get its answer; later calls return the same answer.
 *
 * Parameters come only through rumpuser_getparam().  An empty value is the
 * same as an unset one.  A malformed value prints one line naming the
 * variable and what is wrong, and rump_init() returns EINVAL having done
 * nothing, so the caller may fix the environment and call again:
 *   RUMP_NCPU      1..256 (default: host CPUs, at most 256)
 *   RUMP_MEMLIMIT  bytes with an optional k/m/g suffix (any case), at
 *                  least 1m (default: no limit)
 *   RUMP_NVNODES   16..16777216 (default 1024), also kern.maxvnodes
 *   RUMP_THREADS   0 or 1 (default 1)
 *   RUMP_VERBOSE   on when set to anything but "" or "0"
 * A failure later in the boot (no memory) is final: FAILED state.
 * A component that fails does not stop the boot: the kernel comes up
 * without it (and what needs it), and rump_init() returns the first error.
 *
 * rump_halt() runs the shutdown hooks (file systems sync) and marks the
 * kernel halted: system calls then fail with EIO, rump_init() too (a
 * kernel is not rebooted in the same process).  Calls already inside the
 * kernel are not waited for.
 */
#include "k/kernel.h"
#include "rump/rumpuser.h"

#include "kern_private.h"

#define NCPU_MAX	256
#define MEMLIMIT_MIN	(1024 * 1024)
#define NVNODES_MIN	16
#define NVNODES_MAX	(1 << 24)

_Atomic int kernel_state = KSTATE_COLD;
int rump_threads = 1;
static int boot_error;
static _Atomic bool hyp_ready;
static atomic_flag halting = ATOMIC_FLAG_INIT;

static const struct rumpuser_hyperup hyperup = {
	.hyp_schedule = hyp_schedule,
	.hyp_unschedule = hyp_unschedule,
	.hyp_lwpexit = hyp_lwpexit,
};

struct bootparams {
	int ncpu;
	uint64_t memlimit;
	int64_t nvnodes;
	int threads;
	int verbose;
};

/* 0 and the value in buf, ENOENT if unset or empty, EINVAL (reported). */
static int
param_get(const char *name, char *buf, size_t len)
{
	int error;

	error = rumpuser_getparam(name, buf, len);
	if (error == ENOENT || (error == 0 && buf[0] == '\0'))
		return ENOENT;
	if (error == ENAMETOOLONG) {
		kprintf("rump: %s: value too long\n", name);
		return EINVAL;
	}
	if (error != 0) {
		kprintf("rump: %s: cannot read it (error %d)\n", name, error);
		return EINVAL;
	}
	return 0;
}

/* Leading decimal digits of s; ERANGE on overflow, EINVAL if none. */
static int
parse_u64(const char *s, uint64_t *vp, const char **endp)
{
	uint64_t v = 0;
	const char *p;

	for (p = s; *p >= '0' && *p <= '9'; p++) {
		unsigned d = (unsigned)(*p - '0');

		if (v > (UINT64_MAX - d) / 10)
			return ERANGE;
		v = v * 10 + d;
	}
	*endp = p;
	if (p == s)
		return EINVAL;
	*vp = v;
	return 0;
}

static int
param_int(const char *name, int64_t min, int64_t max, int64_t *vp)
{
	char buf[64], why[64];
	const char *end;
	uint64_t v;
	int error;

	if ((error = param_get(name, buf, sizeof(buf))) != 0)
		return error;
	error = parse_u64(buf, &v, &end);
	if (error == EINVAL || (error == 0 && *end != '\0')) {
		kprint_param_error(name, buf, "not a number");
		return EINVAL;
	}
	if (error == ERANGE || v < (uint64_t)min || v > (uint64_t)max) {
		ksnprintf(why, sizeof(why), "out of range (%lld..%lld)",
		    (long long)min, (long long)max);
		kprint_param_error(name, buf, why);
		return EINVAL;
	}
	*vp = (int64_t)v;
	return 0;
}

static int
param_size(const char *name, uint64_t min, uint64_t *vp)
{
	char buf[64];
	const char *end;
	uint64_t v, mult = 1;
	int error;

	if ((error = param_get(name, buf, sizeof(buf))) != 0)
		return error;
	error = parse_u64(buf, &v, &end);
	if (error == 0 && *end != '\0') {
		switch (*end++) {
		case 'k': case 'K':
			mult = 1024;
			break;
		case 'm': case 'M':
			mult = 1024 * 1024;
			break;
		case 'g': case 'G':
			mult = 1024 * 1024 * 1024;
			break;
		default:
			error = EINVAL;
			break;
		}
		if (*end != '\0')
			error = EINVAL;
	}
	if (error == EINVAL) {
		kprint_param_error(name, buf,
		    "not a size (use bytes or k/m/g suffixes)");
		return EINVAL;
	}
	if (error == ERANGE || v > (uint64_t)INT64_MAX / mult) {
		kprint_param_error(name, buf, "too large");
		return EINVAL;
	}
	v *= mult;
	if (v < min) {
		kprint_param_error(name, buf, "below the minimum of 1m");
		return EINVAL;
	}
	*vp = v;
	return 0;
}

/* Reads every parameter, reporting each bad one; EINVAL if any was. */
static int
params_read(struct bootparams *bp)
{
	char buf[64];
	int64_t v;
	int error, bad = 0;

	bp->verbose = param_get("RUMP_VERBOSE", buf, sizeof(buf)) == 0 &&
	    strcmp(buf, "0") != 0;

	bp->ncpu = rumpuser_ncpu();
	if (bp->ncpu < 1)
		bp->ncpu = 1;
	if (bp->ncpu > NCPU_MAX)
		bp->ncpu = NCPU_MAX;
	if ((error = param_int("RUMP_NCPU", 1, NCPU_MAX, &v)) == 0)
		bp->ncpu = (int)v;
	else if (error != ENOENT)
		bad = 1;

	bp->memlimit = 0;
	error = param_size("RUMP_MEMLIMIT", MEMLIMIT_MIN, &bp->memlimit);
	if (error != 0 && error != ENOENT)
		bad = 1;

	bp->nvnodes = 1024;
	error = param_int("RUMP_NVNODES", NVNODES_MIN, NVNODES_MAX,
	    &bp->nvnodes);
	if (error != 0 && error != ENOENT)
		bad = 1;

	bp->threads = 1;
	if ((error = param_int("RUMP_THREADS", 0, 1, &v)) == 0)
		bp->threads = (int)v;
	else if (error != ENOENT)
		bad = 1;

	return bad ? EINVAL : 0;
}

/* Everything past the parameters; an error here leaves FAILED. */
static int
boot_kernel(const struct bootparams *bp)
{
	char mem[32];
	int error;

	rump_verbose = bp->verbose;
	rump_threads = bp->threads;
	kern_maxvnodes = bp->nvnodes;
	kmem_setlimit(bp->memlimit);
	if (bp->memlimit != 0)
		ksnprintf(mem, sizeof(mem), "%llu bytes",
		    (unsigned long long)bp->memlimit);
	else
		kstrlcpy(mem, "none", sizeof(mem));
	kverbose("rump: booting: %d CPUs, memlimit %s, maxvnodes %lld%s\n",
	    bp->ncpu, mem, (long long)bp->nvnodes,
	    bp->threads ? "" : ", no threads");

	if ((error = sched_init(bp->ncpu)) != 0)
		return error;
	if ((error = proc_init()) != 0)
		return error;
	callout_startup();

	/* From here the boot thread works in the kernel as lwp0. */
	lwp0.l_onthread = true;
	rumpuser_curlwpop(RUMPUSER_LWP_SET, &lwp0);
	lwp_enter(&lwp0);
	error = sysctl_init();
	if (error == 0)
		boot_error = component_init_pending();
	lwp_leave(&lwp0);
	rumpuser_curlwpop(RUMPUSER_LWP_CLEAR, &lwp0);
	lwp0.l_onthread = false;
	return error;
}

static int
boot(void)
{
	struct bootparams bp;
	int error;

	if (!atomic_load(&hyp_ready)) {
		error = rumpuser_init(RUMPUSER_VERSION, &hyperup);
		if (error != 0) {
			kprintf("rump: rumpuser_init failed (error %d)\n",
			    error);
			atomic_store(&kernel_state, KSTATE_COLD);
			return error;
		}
		atomic_store(&hyp_ready, true);
	}
	if ((error = params_read(&bp)) != 0) {
		atomic_store(&kernel_state, KSTATE_COLD);
		return error;
	}
	error = boot_kernel(&bp);
	if (error != 0) {
		kprintf("rump: boot failed (error %d)\n", error);
		boot_error = error;
		atomic_store(&kernel_state, KSTATE_FAILED);
		return error;
	}
	kverbose("rump: up%s\n", boot_error ? " (some components failed)" :
	    "");
	atomic_store(&kernel_state, KSTATE_UP);
	return boot_error;
}

/*
 * A thread with an lwp during the boot is the boot thread (lwp0) or a
 * kernel thread a component started: both are part of the boot and must
 * not wait for its end.
 */
static bool
booting_thread(void)
{
	return atomic_load(&hyp_ready) && rumpuser_curlwp() != NULL;
}

/* The version meson.build gives the library (RUMP_PKGVERSION). */
const char *
rump_version(void)
{
	return RUMP_PKGVERSION;
}

int
rump_init(void)
{
	for (;;) {
		int s = atomic_load(&kernel_state);

		switch (s) {
		case KSTATE_UP:
		case KSTATE_FAILED:
			return boot_error;
		case KSTATE_HALTED:
			return EIO;
		case KSTATE_BOOTING:
			/* A component's init may call in again. */
			if (booting_thread())
				return 0;
			rumpuser_clock_sleep(RUMPUSER_CLOCK_RELWALL, 0,
			    1000000);
			break;
		case KSTATE_COLD:
			if (atomic_compare_exchange_strong(&kernel_state, &s,
			    KSTATE_BOOTING))
				return boot();
			break;
		}
	}
}

int
kernel_ensure_booted(void)
{
	int error;

	switch (atomic_load(&kernel_state)) {
	case KSTATE_UP:
		return 0;
	case KSTATE_HALTED:
		return EIO;
	case KSTATE_BOOTING:
		if (booting_thread())
			return 0;
		break;
	default:
		break;
	}
	error = rump_init();
	switch (atomic_load(&kernel_state)) {
	case KSTATE_UP:
		return 0;
	case KSTATE_HALTED:
		return EIO;
	default:
		return error != 0 ? error : EIO;
	}
}

int
rump_halt(void)
{
	struct lwp *l;
	int error;

	if (atomic_load(&kernel_state) != KSTATE_UP)
		return 0;
	if (atomic_flag_test_and_set(&halting))
		return 0;
	if ((error = kernel_enter(&l)) != 0)
		return error;
	kverbose("rump: halting\n");
	proc_run_shutdown_hooks();
	atomic_store(&kernel_state, KSTATE_HALTED);
	kernel_exit(l);
	kverbose("rump: halted\n");
	return 0;
}
