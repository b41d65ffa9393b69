/*
 * test_tcp_many.c: 10 000 idle established TCP connections in one kernel
 * (20 000 descriptors: RLIMIT_NOFILE raised inside the kernel), each
 * still working at the end, then all closed with the descriptor count
 * back where it started.
 */
#include "compat.h"
#include "tcp_compat.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <linux/tcp.h>

#define NCONN	10000

static void
tcp_ten_thousand(void **state)
{
	static int cl[NCONN], sv[NCONN];
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	struct rlimit rl = { 3 * NCONN, 3 * NCONN }, old;
	int lst, i, first;
	char c;

	(void)state;
	CHECK_OK(rump_sys_getrlimit(RLIMIT_NOFILE, &old));
	if (old.rlim_max > rl.rlim_max)
		rl.rlim_max = old.rlim_max;
#ifdef TEST_ON_HOST
	/* A container may not raise the host's hard limit. */
	if (rump_sys_setrlimit(RLIMIT_NOFILE, &rl) != 0)
		skip();
#endif
	CHECK_OK(rump_sys_setrlimit(RLIMIT_NOFILE, &rl));
	first = (int)CHECK_OK(rump_sys_socket(AF_INET, SOCK_STREAM, 0));
	CHECK_OK(rump_sys_close(first));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lst = (int)CHECK_OK(rump_sys_socket(AF_INET, SOCK_STREAM, 0));
	CHECK_OK(rump_sys_bind(lst, (struct sockaddr *)&sin, sizeof(sin)));
	CHECK_OK(rump_sys_listen(lst, 128));
	CHECK_OK(rump_sys_getsockname(lst, (struct sockaddr *)&sin, &len));
	for (i = 0; i < NCONN; i++) {
		cl[i] = (int)CHECK_OK(rump_sys_socket(AF_INET, SOCK_STREAM, 0));
		CHECK_OK(rump_sys_connect(cl[i], (struct sockaddr *)&sin,
		    sizeof(sin)));
		sv[i] = (int)CHECK_OK(rump_sys_accept(lst, NULL, NULL));
	}
	/* All alive: a byte each way on a spread of them. */
	for (i = 0; i < NCONN; i += 97) {
		assert_int_equal(CHECK_OK(rump_sys_write(cl[i], "x", 1)), 1);
		assert_int_equal(CHECK_OK(rump_sys_read(sv[i], &c, 1)), 1);
		assert_int_equal(CHECK_OK(rump_sys_write(sv[i], "y", 1)), 1);
		assert_int_equal(CHECK_OK(rump_sys_read(cl[i], &c, 1)), 1);
		assert_int_equal(c, 'y');
	}
	for (i = 0; i < NCONN; i++) {
		CHECK_OK(rump_sys_close(cl[i]));
		CHECK_OK(rump_sys_close(sv[i]));
	}
	CHECK_OK(rump_sys_close(lst));
	i = (int)CHECK_OK(rump_sys_socket(AF_INET, SOCK_STREAM, 0));
	assert_int_equal(i, first);
	CHECK_OK(rump_sys_close(i));
	CHECK_OK(rump_sys_setrlimit(RLIMIT_NOFILE, &old));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tcp_ten_thousand),
	};

	if (test_kernel_init("tcp_many") != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
