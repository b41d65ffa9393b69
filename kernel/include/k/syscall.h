/*
 * syscall.h: the kernel's system-call dispatch (kern/kern_syscall.c).
 *
 * The entries come from syscalls.master through gen/: each faction has a
 * generated table of {number, name, handler} that its component registers
 * at init.  A number with no registered handler returns ENOSYS, so a kernel
 * without a faction answers honestly.
 */
#ifndef K_SYSCALL_H
#define K_SYSCALL_H

#include "k/kernel.h"

#define SYS_MAXSYSCALL 512

typedef int (*sy_call_t)(struct lwp *, const register_t *args,
    register_t *retval);

struct sysent_reg {
	int sr_num;		/* -1 terminates a table */
	const char *sr_name;
	int sr_nargs;
	sy_call_t sr_call;
};

void syscall_register(const struct sysent_reg *table);

#endif /* K_SYSCALL_H */
