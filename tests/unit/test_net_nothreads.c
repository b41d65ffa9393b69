/*
 * test_net_nothreads.c: a kernel booted with RUMP_THREADS=0 has no
 * network (TCP's timers need the kernel's threads): the net faction
 * refuses to start and every socket call answers ENOSYS, while the rest
 * of the kernel works.  Rump only.
 */
#include "compat.h"

#include <netinet/in.h>

static void
sockets_refused(void **state)
{
	struct sockaddr_in sin;
	int sv[2];

	(void)state;
	HOST_INVALID();
	CHECK_ERR(rump_sys_socket(AF_INET, SOCK_STREAM, 0), ENOSYS);
	CHECK_ERR(rump_sys_socket(AF_INET6, SOCK_DGRAM, 0), ENOSYS);
	CHECK_ERR(rump_sys_socket(AF_UNIX, SOCK_STREAM, 0), ENOSYS);
	CHECK_ERR(rump_sys_socketpair(AF_UNIX, SOCK_STREAM, 0, sv), ENOSYS);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	CHECK_ERR(rump_sys_bind(0, (struct sockaddr *)&sin, sizeof(sin)),
	    ENOSYS);
	/* The file system is there all the same. */
	TEST_DIR();
	put_file(tp("f"), "still a kernel");
}

static int
group_setup(void **state)
{
	(void)state;
	return test_kernel_init("net_nothreads");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sockets_refused),
	};

	return cmocka_run_group_tests_name("net_nothreads", tests, group_setup,
	    NULL);
}
