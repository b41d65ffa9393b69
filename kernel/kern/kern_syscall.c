/*
 * kern_syscall.c: the system-call dispatch and the kernel entry.
 *
 * sysent[] maps a Linux x86_64 number to its handler; factions fill it
 * from their generated tables (syscalls_<faction>[] from syscalls.master)
 * when their component initializes.  An empty slot answers ENOSYS.
 *
 * rump_syscall() is the one door for system calls.  Its bound fast path
 * is: the thread's lwp (one thread-local load), the halted check, a CPU
 * (one compare-and-swap), the credential snapshot check (one pointer
 * compare), an indirect call, and the CPU back (one atomic add).
 *
 * Locking: slots are written once at component init and read without a
 * lock (atomic loads, so a module loaded at run time is seen whole).
 */
#include "k/component.h"
#include "k/kernel.h"
#include "k/syscall.h"
#include "rump/rumpuser.h"

#include "kern_private.h"
#include "syscallargs.h"

static sy_call_t sysent[SYS_MAXSYSCALL];

void
syscall_register(const struct sysent_reg *table)
{
	const struct sysent_reg *sr;

	for (sr = table; sr->sr_num != -1; sr++) {
		sy_call_t old = NULL;

		if (sr->sr_num < 0 || sr->sr_num >= SYS_MAXSYSCALL ||
		    sr->sr_call == NULL) {
			kprintf("rump: syscall_register: bad entry %d (%s)\n",
			    sr->sr_num, sr->sr_name ? sr->sr_name : "?");
			continue;
		}
		/* First come keeps the slot: two factions claiming one
		 * number is a build error worth seeing, not overriding. */
		if (!__atomic_compare_exchange_n(&sysent[sr->sr_num], &old,
		    sr->sr_call, false, __ATOMIC_RELEASE, __ATOMIC_RELAXED) &&
		    old != sr->sr_call)
			kprintf("rump: syscall_register: %d (%s) already "
			    "registered, kept the first\n", sr->sr_num,
			    sr->sr_name ? sr->sr_name : "?");
	}
}

/* A thread without an lwp, or a kernel not up yet: the rare path. */
static int
syscall_enter_slow(struct lwp **lp)
{
	int error;

	if ((error = kernel_ensure_booted()) != 0)
		return error;
	*lp = curlwp_get();
	return 0;
}

int
rump_syscall(int num, const int64_t *args, int nargs, int64_t *retval)
{
	register_t a[6] = { 0, 0, 0, 0, 0, 0 };
	register_t rv = 0;
	struct lwp *l;
	sy_call_t call;
	int error, i;

	if (__builtin_expect((unsigned)num >= SYS_MAXSYSCALL, 0))
		return ENOSYS;
	call = __atomic_load_n(&sysent[num], __ATOMIC_ACQUIRE);
	l = rumpuser_curlwp();
	if (__builtin_expect(l == NULL, 0)) {
		if ((error = syscall_enter_slow(&l)) != 0)
			return error;
		call = __atomic_load_n(&sysent[num], __ATOMIC_ACQUIRE);
	}
	if (__builtin_expect(atomic_load_explicit(&kernel_state,
	    memory_order_relaxed) == KSTATE_HALTED, 0))
		return EIO;
	if (call == NULL)
		return ENOSYS;
	/* The handler reads as many as it takes; missing ones are 0. */
	if (args != NULL) {
		for (i = 0; i < nargs && i < 6; i++)
			a[i] = args[i];
	}

	lwp_enter(l);
	lwp_cred_check(l);
	error = call(l, a, &rv);
	lwp_leave(l);

	if (retval != NULL)
		*retval = error == 0 ? rv : -1;
	return error;
}

int
kernel_enter(struct lwp **lp)
{
	struct lwp *l;
	int error;

	if ((error = kernel_ensure_booted()) != 0)
		return error;
	l = curlwp_get();
	lwp_enter(l);
	lwp_cred_check(l);
	*lp = l;
	return 0;
}

void
kernel_exit(struct lwp *l)
{
	lwp_leave(l);
}

/* The base's own component: the kern faction's entry points. */
static int
kern_init(void)
{
	syscall_register(syscalls_kern);
	return 0;
}

RUMP_COMPONENT(kern_component, "kern", kern_init, NULL, NULL)
