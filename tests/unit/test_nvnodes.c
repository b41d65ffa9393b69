/*
 * test_nvnodes.c: a kernel booted with RUMP_NVNODES=64 keeps at most 64
 * unused vnodes cached, so a tree of 10 000 files is reclaimed and
 * reloaded many times over: contents, inode numbers and open files must
 * come through unchanged.
 */
#include "compat.h"

#define NDIRS	100
#define NPER	100

static ino_t inos[NDIRS][NPER];

static void
maxvnodes_is_the_parameter(void **state)
{
	char buf[32];

	(void)state;
	TEST_DIR();
	HOST_INVALID();		/* a rump kernel's tunable */
	get_file("/proc/sys/kern/maxvnodes", buf, sizeof(buf));
	assert_string_equal(buf, "64\n");
}

static void
tree_of_10000_files(void **state)
{
	char content[PATH_MAX], buf[PATH_MAX];
	struct stat st;
	const char *p;
	int d, f, fd, held;

	(void)state;
	TEST_DIR();
	put_file(tp("held"), "held open throughout");
	held = (int)CHECK_OK(rump_sys_open(tp("held"), O_RDWR, 0));
	for (d = 0; d < NDIRS; d++) {
		CHECK_OK(rump_sys_mkdir(tp("d%02d", d), 0755));
		for (f = 0; f < NPER; f++) {
			p = tp("d%02d/f%02d", d, f);
			snprintf(content, sizeof(content), "%s", p);
			fd = (int)CHECK_OK(rump_sys_open(content,
			    O_WRONLY | O_CREAT | O_EXCL, 0644));
			assert_int_equal(CHECK_OK(rump_sys_write(fd, content,
			    strlen(content))), (long)strlen(content));
			CHECK_OK(rump_sys_fstat(fd, &st));
			inos[d][f] = st.st_ino;
			CHECK_OK(rump_sys_close(fd));
		}
	}
	/* Read everything back, in a different order than written. */
	for (f = NPER - 1; f >= 0; f--) {
		for (d = 0; d < NDIRS; d++) {
			p = tp("d%02d/f%02d", d, f);
			snprintf(content, sizeof(content), "%s", p);
			get_file(content, buf, sizeof(buf));
			if (strcmp(buf, content) != 0)
				fail_msg("%s holds \"%s\"", content, buf);
			st = stat_ok(content);
			assert_int_equal(st.st_ino, inos[d][f]);
			assert_int_equal(st.st_nlink, 1);
			assert_int_equal((size_t)st.st_size, strlen(content));
		}
	}
	/* Directory link counts survived reclaim too. */
	for (d = 0; d < NDIRS; d++)
		assert_int_equal(stat_ok(tp("d%02d", d)).st_nlink, 2);
	assert_int_equal(stat_ok(T).st_nlink, 2 + NDIRS);
	/* The file held open all along is intact and usable. */
	memset(buf, 0, sizeof(buf));
	assert_int_equal(CHECK_OK(rump_sys_pread64(held, buf, sizeof(buf) - 1,
	    0)), 20);
	assert_string_equal(buf, "held open throughout");
	assert_int_equal(CHECK_OK(rump_sys_pwrite64(held, "HELD", 4, 0)), 4);
	CHECK_OK(rump_sys_close(held));
	get_file(tp("held"), buf, sizeof(buf));
	assert_string_equal(buf, "HELD open throughout");
}

static void
unlinked_open_file_survives_reclaim(void **state)
{
	char buf[32];
	int fd, i, t;

	(void)state;
	TEST_DIR();
	put_file(tp("ghost"), "boo");
	fd = (int)CHECK_OK(rump_sys_open(tp("ghost"), O_RDONLY, 0));
	CHECK_OK(rump_sys_unlink(tp("ghost")));
	/* Churn far more vnodes than the cache holds. */
	for (i = 0; i < 1000; i++) {
		t = (int)CHECK_OK(rump_sys_open(tp("c%d", i),
		    O_WRONLY | O_CREAT, 0644));
		CHECK_OK(rump_sys_close(t));
	}
	memset(buf, 0, sizeof(buf));
	assert_int_equal(CHECK_OK(rump_sys_pread64(fd, buf, sizeof(buf), 0)),
	    3);
	assert_string_equal(buf, "boo");
	CHECK_OK(rump_sys_close(fd));
	/* Renames and removals of reclaimed vnodes. */
	for (i = 0; i < 1000; i++)
		CHECK_OK(rump_sys_rename(tp("c%d", i), tp("r%d", i)));
	for (i = 0; i < 1000; i++)
		CHECK_OK(rump_sys_unlink(tp("r%d", i)));
	CHECK_OK(rump_sys_rmdir(T));
}

static int
group_setup(void **state)
{
	(void)state;
	return test_kernel_init("nvnodes");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(maxvnodes_is_the_parameter),
		cmocka_unit_test(tree_of_10000_files),
		cmocka_unit_test(unlinked_open_file_survives_reclaim),
	};

	return cmocka_run_group_tests_name("nvnodes", tests, group_setup,
	    NULL);
}
