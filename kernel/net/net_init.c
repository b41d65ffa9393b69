/*
 * net_init.c: the net faction's component.
 *
 * The network stack needs kernel threads (its timers are callouts run by
 * one), so with RUMP_THREADS=0 the faction refuses to come up: it says so
 * on the console, registers no system calls (socket calls answer ENOSYS)
 * and domain_register() refuses protocols.  Its init still returns 0, so a
 * kernel without threads boots as it did before sockets existed: a failed
 * component would make rump_init() fail.
 */
#include "k/kernel.h"
#include "k/component.h"
#include "k/socket.h"
#include "k/syscall.h"
#include "syscallargs.h"

#include "net_private.h"

static bool net_running;

bool
net_up(void)
{
	return __atomic_load_n(&net_running, __ATOMIC_ACQUIRE);
}

static int
net_init(void)
{
	int error;

	/* Packet buffers work either way (nothing else may need them). */
	mbuf_init();
	netisr_init();
	if (!rump_threads) {
		kprintf("rump: net: not started: RUMP_THREADS=0 (the stack's "
		    "timers need threads); socket calls answer ENOSYS\n");
		return 0;
	}
	domain_init();
	if ((error = socket_init()) != 0)
		return error;
	syscall_register(syscalls_net);
	__atomic_store_n(&net_running, true, __ATOMIC_RELEASE);
	return 0;
}

RUMP_COMPONENT(net_component, "net", net_init, NULL, "kern")
