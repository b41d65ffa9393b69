/*
 * test_memlimit.c: a kernel booted with RUMP_MEMLIMIT=8m refuses what does
 * not fit with ENOSPC or ENOMEM, never crashes, and keeps working once
 * space is freed.  (Host mode: the test directory is a tmpfs of size=8m.)
 */
#include "compat.h"

#define MiB	(1024 * 1024)

static bool
out_of_space(int err)
{
	return err == ENOSPC || err == ENOMEM;
}

/* Writes up to max bytes in 1 MiB chunks; returns what was written. */
static size_t
fill(int fd, size_t max, int *errp)
{
	static char chunk[MiB];
	size_t total = 0;
	ssize_t n;

	memset(chunk, 'm', sizeof(chunk));
	*errp = 0;
	while (total < max) {
		n = rump_sys_write(fd, chunk, sizeof(chunk));
		if (n == -1) {
			*errp = errno;
			break;
		}
		assert_true(n > 0 && (size_t)n <= sizeof(chunk));
		total += (size_t)n;
	}
	return total;
}

static void
big_file_refused_cleanly(void **state)
{
	char buf[64];
	struct stat st;
	size_t total, again;
	int fd, err;

	(void)state;
	TEST_DIR();
#ifdef TEST_ON_HOST
	CHECK_OK(mount("none", T, "tmpfs", 0, "size=8m"));
#endif
	fd = (int)CHECK_OK(rump_sys_open(tp("big"), O_WRONLY | O_CREAT, 0644));
	total = fill(fd, 100 * MiB, &err);
	if (!out_of_space(err))
		fail_msg("wrote %zu bytes, then errno %d (%s)", total, err,
		    strerror(err));
	assert_true(total <= 8 * MiB);
	/* What was acknowledged is there. */
	CHECK_OK(rump_sys_fstat(fd, &st));
	assert_int_equal((size_t)st.st_size, total);
	CHECK_OK(rump_sys_close(fd));
	if (total > 0) {
		fd = (int)CHECK_OK(rump_sys_open(tp("big"), O_RDONLY, 0));
		assert_int_equal(CHECK_OK(rump_sys_pread64(fd, buf, 1,
		    (off_t)total - 1)), 1);
		assert_int_equal(buf[0], 'm');
		CHECK_OK(rump_sys_close(fd));
	}
	/* Freed space can be used again. */
	CHECK_OK(rump_sys_unlink(tp("big")));
	fd = (int)CHECK_OK(rump_sys_open(tp("big2"), O_WRONLY | O_CREAT, 0644));
	again = fill(fd, 100 * MiB, &err);
	assert_true(out_of_space(err));
	assert_true(again >= total / 2);
	CHECK_OK(rump_sys_close(fd));
	CHECK_OK(rump_sys_unlink(tp("big2")));
	/* And the kernel works as before. */
	put_file(tp("small"), "still alive");
	get_file(tp("small"), buf, sizeof(buf));
	assert_string_equal(buf, "still alive");
	CHECK_OK(rump_sys_mkdir(tp("dir"), 0755));
	CHECK_OK(rump_sys_rmdir(tp("dir")));
	CHECK_OK(rump_sys_unlink(tp("small")));
#ifdef TEST_ON_HOST
	CHECK_OK(umount2(T, 0));
#endif
}

static void
many_files_refused_cleanly(void **state)
{
	static char page[4096];
	char buf[32];
	int i, n, fd, err = 0;

	(void)state;
	TEST_DIR();
#ifdef TEST_ON_HOST
	CHECK_OK(mount("none", T, "tmpfs", 0, "size=8m"));
#endif
	memset(page, 'p', sizeof(page));
	for (n = 0; n < 100000; n++) {
		fd = rump_sys_open(tp("f%d", n), O_WRONLY | O_CREAT, 0644);
		if (fd == -1) {
			err = errno;
			break;
		}
		if (rump_sys_write(fd, page, sizeof(page)) != sizeof(page)) {
			err = errno;
			rump_sys_close(fd);
			n++;	/* it exists */
			break;
		}
		CHECK_OK(rump_sys_close(fd));
	}
	if (!out_of_space(err))
		fail_msg("%d files, then errno %d (%s)", n, err, strerror(err));
	assert_true(n <= 8 * 1024 / 4 + 1);
	/* Everything created is intact, and removable. */
	for (i = 0; i < n - 1; i++)
		assert_int_equal(stat_ok(tp("f%d", i)).st_size, 4096);
	for (i = 0; i < n; i++)
		CHECK_OK(rump_sys_unlink(tp("f%d", i)));
	put_file(tp("after"), "ok");
	get_file(tp("after"), buf, sizeof(buf));
	assert_string_equal(buf, "ok");
#ifdef TEST_ON_HOST
	CHECK_OK(umount2(T, 0));
#endif
}

static void
sparse_file_costs_nothing(void **state)
{
	struct stat st;
	char c;
	int fd;

	(void)state;
	TEST_DIR();
	fd = (int)CHECK_OK(rump_sys_open(tp("sparse"), O_RDWR | O_CREAT, 0644));
	/* A byte at 50 GiB needs one page, not 50 GiB. */
	assert_int_equal(CHECK_OK(rump_sys_pwrite64(fd, "s", 1,
	    50LL * 1024 * MiB)), 1);
	CHECK_OK(rump_sys_fstat(fd, &st));
	assert_int_equal(st.st_size, 50LL * 1024 * MiB + 1);
	assert_int_equal(CHECK_OK(rump_sys_pread64(fd, &c, 1,
	    50LL * 1024 * MiB)), 1);
	assert_int_equal(c, 's');
	CHECK_OK(rump_sys_close(fd));
	CHECK_OK(rump_sys_unlink(tp("sparse")));
}

static int
group_setup(void **state)
{
	(void)state;
	return test_kernel_init("memlimit");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(big_file_refused_cleanly),
		cmocka_unit_test(many_files_refused_cleanly),
		cmocka_unit_test(sparse_file_costs_nothing),
	};

	return cmocka_run_group_tests_name("memlimit", tests, group_setup,
	    NULL);
}
