/*
 * test_module.c: a component library loaded at run time.  This program is
 * linked without procfs; rump_module_load() of librumpfs_procfs.so must
 * bring /proc up in the running kernel, as rump_server -l will.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <cmocka.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>

static const char *
procfs_lib(void)
{
	const char *p = getenv("RUMP_TEST_PROCFS_LIB");

	assert_non_null(p);
	return p;
}

static void
procfs_absent_until_loaded(void **state)
{
	struct stat st;
	char buf[32];
	ssize_t n;
	int fd;

	(void)state;
	assert_int_equal(rump_sys_stat("/proc/sys/kern/maxvnodes", &st), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(rump_module_load(procfs_lib()), 0);
	fd = rump_sys_open("/proc/sys/kern/maxvnodes", O_RDONLY, 0);
	assert_true(fd >= 0);
	n = rump_sys_read(fd, buf, sizeof(buf) - 1);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(buf, "1024\n");
	assert_int_equal(rump_sys_close(fd), 0);
	/* Loading it again initializes nothing twice and breaks nothing. */
	assert_int_equal(rump_module_load(procfs_lib()), 0);
	assert_int_equal(rump_sys_stat("/proc/self", &st), 0);
}

static void
bad_library_is_an_error(void **state)
{
	struct stat st;

	(void)state;
	assert_int_equal(rump_module_load(NULL), EINVAL);
	assert_int_not_equal(rump_module_load("/nonexistent/librumpx.so"), 0);
	/* A file that is not a shared object. */
	assert_int_not_equal(rump_module_load("/etc/hostname"), 0);
	/* The kernel goes on. */
	assert_int_equal(rump_sys_mkdir("/still-up", 0755), 0);
	assert_int_equal(rump_sys_stat("/still-up", &st), 0);
}

static int
setup(void **state)
{
	(void)state;
	return rump_init();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(procfs_absent_until_loaded),
		cmocka_unit_test(bad_library_is_an_error),
	};

	return cmocka_run_group_tests_name("module", tests, setup, NULL);
}
