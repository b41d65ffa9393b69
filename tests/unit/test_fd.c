/*
 * test_fd.c: descriptor tables: dup/dup2/dup3, fcntl descriptor and status
 * flags, close_range, RLIMIT_NOFILE and EMFILE, ioctl FIONREAD/FIONBIO/
 * FIOCLEX/FIONCLEX.
 */
#include "compat.h"

static int
open_file(const char *path)
{
	return (int)CHECK_OK(rump_sys_open(path, O_RDWR | O_CREAT, 0644));
}

static void
dup_shares_description(void **state)
{
	int a, b, c, d;

	(void)state;
	TEST_DIR();
	put_file(tp("f"), "0123456789");
	a = open_file(tp("f"));
	b = open_file(tp("f"));
	c = open_file(tp("f"));
	CHECK_OK(rump_sys_close(b));
	/* The lowest free number. */
	d = (int)CHECK_OK(rump_sys_dup(a));
	assert_int_equal(d, b);
	/* One offset, one set of status flags; cloexec is per descriptor. */
	CHECK_OK(rump_sys_lseek(a, 4, SEEK_SET));
	assert_int_equal(CHECK_OK(rump_sys_lseek(d, 0, SEEK_CUR)), 4);
	CHECK_OK(rump_sys_fcntl(d, F_SETFL, O_APPEND));
	assert_true(CHECK_OK(rump_sys_fcntl(a, F_GETFL, 0)) & O_APPEND);
	CHECK_OK(rump_sys_fcntl(a, F_SETFD, FD_CLOEXEC));
	assert_int_equal(CHECK_OK(rump_sys_fcntl(d, F_GETFD, 0)), 0);
	/* The file stays open until the last descriptor goes. */
	CHECK_OK(rump_sys_close(a));
	assert_int_equal(CHECK_OK(rump_sys_lseek(d, 0, SEEK_CUR)), 4);
	CHECK_ERR(rump_sys_dup(a), EBADF);
	CHECK_ERR(rump_sys_dup(-1), EBADF);
	CHECK_OK(rump_sys_close(c));
	CHECK_OK(rump_sys_close(d));
}

static void
dup2_dup3(void **state)
{
	char buf[8];
	int a, b, t;

	(void)state;
	TEST_DIR();
	put_file(tp("a"), "AAAA");
	put_file(tp("b"), "BBBB");
	a = (int)CHECK_OK(rump_sys_open(tp("a"), O_RDONLY, 0));
	b = (int)CHECK_OK(rump_sys_open(tp("b"), O_RDONLY, 0));
	/* dup2 onto an open descriptor closes it first. */
	assert_int_equal(CHECK_OK(rump_sys_dup2(a, b)), b);
	memset(buf, 0, sizeof(buf));
	CHECK_OK(rump_sys_read(b, buf, 4));
	assert_string_equal(buf, "AAAA");
	/* Onto a free high number. */
	t = 200;
	assert_int_equal(CHECK_OK(rump_sys_dup2(a, t)), t);
	assert_int_equal(CHECK_OK(rump_sys_fcntl(t, F_GETFD, 0)), 0);
	/* Onto itself: a no-op that returns it, if it is open. */
	assert_int_equal(CHECK_OK(rump_sys_dup2(a, a)), a);
	CHECK_ERR(rump_sys_dup2(999, 999), EBADF);
	CHECK_ERR(rump_sys_dup2(999, t), EBADF);
	CHECK_ERR(rump_sys_dup2(a, -1), EBADF);
	/* dup3: cloexec at once, never onto itself. */
	assert_int_equal(CHECK_OK(rump_sys_dup3(a, t, O_CLOEXEC)), t);
	assert_int_equal(CHECK_OK(rump_sys_fcntl(t, F_GETFD, 0)), FD_CLOEXEC);
	assert_int_equal(CHECK_OK(rump_sys_dup3(a, t, 0)), t);
	assert_int_equal(CHECK_OK(rump_sys_fcntl(t, F_GETFD, 0)), 0);
	CHECK_ERR(rump_sys_dup3(a, a, 0), EINVAL);
	CHECK_ERR(rump_sys_dup3(a, t, O_APPEND), EINVAL);
	CHECK_ERR(rump_sys_dup3(999, t, 0), EBADF);
	CHECK_OK(rump_sys_close(t));
	CHECK_OK(rump_sys_close(a));
	CHECK_OK(rump_sys_close(b));
}

static void
fcntl_dupfd_and_fd_flags(void **state)
{
	int a, d, e;

	(void)state;
	TEST_DIR();
	a = open_file(tp("f"));
	d = (int)CHECK_OK(rump_sys_fcntl(a, F_DUPFD, 150));
	assert_int_equal(d, 150);
	/* Lowest free at or above the argument. */
	e = (int)CHECK_OK(rump_sys_fcntl(a, F_DUPFD, 150));
	assert_int_equal(e, 151);
	assert_int_equal(CHECK_OK(rump_sys_fcntl(e, F_GETFD, 0)), 0);
	CHECK_OK(rump_sys_close(d));
	d = (int)CHECK_OK(rump_sys_fcntl(a, F_DUPFD_CLOEXEC, 150));
	assert_int_equal(d, 150);
	assert_int_equal(CHECK_OK(rump_sys_fcntl(d, F_GETFD, 0)), FD_CLOEXEC);
	CHECK_OK(rump_sys_fcntl(d, F_SETFD, 0));
	assert_int_equal(CHECK_OK(rump_sys_fcntl(d, F_GETFD, 0)), 0);
	CHECK_OK(rump_sys_fcntl(d, F_SETFD, FD_CLOEXEC));
	assert_int_equal(CHECK_OK(rump_sys_fcntl(d, F_GETFD, 0)), FD_CLOEXEC);
	CHECK_ERR(rump_sys_fcntl(a, F_DUPFD, -1), EINVAL);
	CHECK_ERR(rump_sys_fcntl(a, 12345, 0), EINVAL);
	CHECK_ERR(rump_sys_fcntl(999, F_GETFD, 0), EBADF);
	CHECK_ERR(rump_sys_fcntl(999, F_DUPFD, 0), EBADF);
	CHECK_OK(rump_sys_close(d));
	CHECK_OK(rump_sys_close(e));
	CHECK_OK(rump_sys_close(a));
}

static void
fcntl_status_flags(void **state)
{
	char buf[16];
	long fl;
	int fd;

	(void)state;
	TEST_DIR();
	put_file(tp("f"), "abc");
	fd = (int)CHECK_OK(rump_sys_open(tp("f"), O_RDWR, 0));
	fl = CHECK_OK(rump_sys_fcntl(fd, F_GETFL, 0));
	assert_int_equal(fl & O_ACCMODE, O_RDWR);
	assert_int_equal(fl & (O_APPEND | O_NONBLOCK), 0);
	/* O_APPEND on: writes go to the end. */
	CHECK_OK(rump_sys_fcntl(fd, F_SETFL, fl | O_APPEND));
	assert_true(CHECK_OK(rump_sys_fcntl(fd, F_GETFL, 0)) & O_APPEND);
	CHECK_OK(rump_sys_lseek(fd, 0, SEEK_SET));
	CHECK_OK(rump_sys_write(fd, "d", 1));
	/* Off again: writes go to the offset. */
	CHECK_OK(rump_sys_fcntl(fd, F_SETFL, fl & ~O_APPEND));
	assert_int_equal(CHECK_OK(rump_sys_fcntl(fd, F_GETFL, 0)) & O_APPEND,
	    0);
	CHECK_OK(rump_sys_lseek(fd, 0, SEEK_SET));
	CHECK_OK(rump_sys_write(fd, "X", 1));
	get_file(tp("f"), buf, sizeof(buf));
	assert_string_equal(buf, "Xbcd");
	/* The access mode and creation flags cannot be changed. */
	CHECK_OK(rump_sys_fcntl(fd, F_SETFL, O_RDONLY | O_NONBLOCK | O_TRUNC));
	fl = CHECK_OK(rump_sys_fcntl(fd, F_GETFL, 0));
	assert_int_equal(fl & O_ACCMODE, O_RDWR);
	assert_true(fl & O_NONBLOCK);
	assert_int_equal(stat_ok(tp("f")).st_size, 4);
	CHECK_OK(rump_sys_close(fd));
	fd = (int)CHECK_OK(rump_sys_open(tp("f"), O_WRONLY | O_APPEND, 0));
	fl = CHECK_OK(rump_sys_fcntl(fd, F_GETFL, 0));
	assert_int_equal(fl & O_ACCMODE, O_WRONLY);
	assert_true(fl & O_APPEND);
	CHECK_OK(rump_sys_close(fd));
	CHECK_ERR(rump_sys_fcntl(fd, F_GETFL, 0), EBADF);
	CHECK_ERR(rump_sys_fcntl(fd, F_SETFL, 0), EBADF);
}

static void
close_range_cases(void **state)
{
	int a, i;

	(void)state;
	TEST_DIR();
	a = open_file(tp("f"));
	for (i = 300; i < 310; i++)
		CHECK_OK(rump_sys_dup2(a, i));
	CHECK_OK(rump_sys_close_range(302, 304, CLOSE_RANGE_CLOEXEC));
	assert_int_equal(CHECK_OK(rump_sys_fcntl(301, F_GETFD, 0)), 0);
	assert_int_equal(CHECK_OK(rump_sys_fcntl(303, F_GETFD, 0)), FD_CLOEXEC);
	assert_int_equal(CHECK_OK(rump_sys_fcntl(305, F_GETFD, 0)), 0);
	CHECK_OK(rump_sys_close_range(302, 307, 0));
	CHECK_OK(rump_sys_fcntl(301, F_GETFD, 0));
	for (i = 302; i <= 307; i++)
		CHECK_ERR(rump_sys_fcntl(i, F_GETFD, 0), EBADF);
	CHECK_OK(rump_sys_fcntl(308, F_GETFD, 0));
	CHECK_ERR(rump_sys_close_range(310, 300, 0), EINVAL);
	CHECK_ERR(rump_sys_close_range(300, 310, 0x80), EINVAL);
	/* Closing a range with nothing in it is fine. */
	CHECK_OK(rump_sys_close_range(5000, 6000, 0));
	CHECK_OK(rump_sys_close_range(300, 309, 0));
	CHECK_ERR(rump_sys_fcntl(308, F_GETFD, 0), EBADF);
	CHECK_OK(rump_sys_close(a));
}

static void
rlimit_nofile_emfile(void **state)
{
	struct rlimit rl, saved, got;
	int fds[128], n = 0, fd, i, pfd[2];

	(void)state;
	TEST_DIR();
	put_file(tp("f"), "x");
	proc_enter();
	CHECK_OK(rump_sys_getrlimit(RLIMIT_NOFILE, &saved));
	assert_true(saved.rlim_cur > 0);
	assert_true(saved.rlim_cur <= saved.rlim_max);
	rl.rlim_cur = 64;
	rl.rlim_max = saved.rlim_max;
	CHECK_OK(rump_sys_setrlimit(RLIMIT_NOFILE, &rl));
	CHECK_OK(rump_sys_getrlimit(RLIMIT_NOFILE, &got));
	assert_int_equal(got.rlim_cur, 64);
	/* Open until the table is full: the last one gets 63. */
	for (;;) {
		fd = rump_sys_open(tp("f"), O_RDONLY, 0);
		if (fd == -1)
			break;
		assert_true(n < 128);
		fds[n++] = fd;
	}
	assert_int_equal(errno, EMFILE);
	assert_true(n > 0);
	assert_int_equal(fds[n - 1], 63);
	for (i = 0; i < 64; i++)
		CHECK_OK(rump_sys_fcntl(i, F_GETFD, 0));
	/* Every way to make a descriptor says EMFILE; numbers past it EBADF. */
	CHECK_ERR(rump_sys_dup(fds[0]), EMFILE);
	CHECK_ERR(rump_sys_pipe(pfd), EMFILE);
	CHECK_ERR(rump_sys_fcntl(fds[0], F_DUPFD, 0), EMFILE);
	CHECK_ERR(rump_sys_fcntl(fds[0], F_DUPFD, 64), EINVAL);
	CHECK_ERR(rump_sys_dup2(fds[0], 64), EBADF);
	CHECK_ERR(rump_sys_openat(AT_FDCWD, tp("f"), O_RDONLY, 0), EMFILE);
	/* One free slot is reused at once. */
	CHECK_OK(rump_sys_close(fds[n / 2]));
	assert_int_equal(CHECK_OK(rump_sys_open(tp("f"), O_RDONLY, 0)),
	    fds[n / 2]);
	/* Soft above hard is refused. */
	rl.rlim_cur = saved.rlim_max;
	rl.rlim_max = 64;
	if (saved.rlim_max > 64)
		CHECK_ERR(rump_sys_setrlimit(RLIMIT_NOFILE, &rl), EINVAL);
	for (i = 0; i < n; i++)
		CHECK_OK(rump_sys_close(fds[i]));
	CHECK_OK(rump_sys_setrlimit(RLIMIT_NOFILE, &saved));
	proc_leave();
}

/*
 * Runs in a child process: raising a hard limit back needs privilege the
 * host's root may lack, so nothing here is undone; the process just ends.
 * Returns 0 or the number of the step that went wrong.
 */
static int
rlimit_child(void *arg)
{
	struct rlimit rl;

	(void)arg;
	rl.rlim_cur = 32;
	rl.rlim_max = 128;
	if (rump_sys_setrlimit(RLIMIT_NOFILE, &rl) != 0)
		return 1;
	if (rump_sys_setgroups(0, NULL) != 0 ||
	    rump_sys_setresgid(USER_GID, USER_GID, USER_GID) != 0 ||
	    rump_sys_setresuid(USER_UID, USER_UID, USER_UID) != 0)
		return 2;
	/* Lowering is allowed, raising the hard limit is not. */
	rl.rlim_cur = 16;
	rl.rlim_max = 64;
	if (rump_sys_setrlimit(RLIMIT_NOFILE, &rl) != 0)
		return 3;
	rl.rlim_max = 128;
	if (rump_sys_setrlimit(RLIMIT_NOFILE, &rl) != -1 || errno != EPERM)
		return 4;
	rl.rlim_cur = 65;
	rl.rlim_max = 64;
	if (rump_sys_setrlimit(RLIMIT_NOFILE, &rl) != -1 || errno != EINVAL)
		return 5;
	if (rump_sys_getrlimit(RLIMIT_NOFILE, &rl) != 0 ||
	    rl.rlim_cur != 16 || rl.rlim_max != 64)
		return 6;
	return 0;
}

static void
rlimit_nonroot(void **state)
{
	struct rlimit before, after;

	(void)state;
	TEST_DIR();
	CHECK_OK(rump_sys_getrlimit(RLIMIT_NOFILE, &before));
	/* prlimit64 on ourselves (pid 0) reads the same limits. */
	CHECK_OK(rump_sys_prlimit64(0, RLIMIT_NOFILE, NULL, &after));
	assert_int_equal(after.rlim_cur, before.rlim_cur);
	assert_int_equal(after.rlim_max, before.rlim_max);
	CHECK_ERR(rump_sys_prlimit64(0, 9999, NULL, &after), EINVAL);
	assert_int_equal(child_run(rlimit_child, NULL), 0);
	/* Limits are per process: ours did not change. */
	CHECK_OK(rump_sys_getrlimit(RLIMIT_NOFILE, &after));
	assert_int_equal(after.rlim_cur, before.rlim_cur);
	assert_int_equal(after.rlim_max, before.rlim_max);
}

static void
ioctl_requests(void **state)
{
	int fd, avail, on;

	(void)state;
	TEST_DIR();
	put_file(tp("f"), "0123456789");
	fd = (int)CHECK_OK(rump_sys_open(tp("f"), O_RDWR, 0));
	/* FIONREAD on a regular file: bytes from the offset to the end. */
	CHECK_OK(rump_sys_ioctl(fd, FIONREAD, &avail));
	assert_int_equal(avail, 10);
	CHECK_OK(rump_sys_lseek(fd, 7, SEEK_SET));
	CHECK_OK(rump_sys_ioctl(fd, FIONREAD, &avail));
	assert_int_equal(avail, 3);
	/* FIONBIO sets and clears O_NONBLOCK. */
	on = 1;
	CHECK_OK(rump_sys_ioctl(fd, FIONBIO, &on));
	assert_true(CHECK_OK(rump_sys_fcntl(fd, F_GETFL, 0)) & O_NONBLOCK);
	on = 0;
	CHECK_OK(rump_sys_ioctl(fd, FIONBIO, &on));
	assert_int_equal(CHECK_OK(rump_sys_fcntl(fd, F_GETFL, 0)) & O_NONBLOCK,
	    0);
	/* FIOCLEX / FIONCLEX: the descriptor flag. */
	CHECK_OK(rump_sys_ioctl(fd, FIOCLEX, NULL));
	assert_int_equal(CHECK_OK(rump_sys_fcntl(fd, F_GETFD, 0)), FD_CLOEXEC);
	CHECK_OK(rump_sys_ioctl(fd, FIONCLEX, NULL));
	assert_int_equal(CHECK_OK(rump_sys_fcntl(fd, F_GETFD, 0)), 0);
	/* Unknown requests on a regular file. */
	CHECK_ERR(rump_sys_ioctl(fd, 0x5401 /* TCGETS */, &avail), ENOTTY);
	CHECK_OK(rump_sys_close(fd));
	CHECK_ERR(rump_sys_ioctl(fd, FIONREAD, &avail), EBADF);
}

static int
group_setup(void **state)
{
	(void)state;
	return test_kernel_init("fd");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dup_shares_description),
		cmocka_unit_test(dup2_dup3),
		cmocka_unit_test(fcntl_dupfd_and_fd_flags),
		cmocka_unit_test(fcntl_status_flags),
		cmocka_unit_test(close_range_cases),
		cmocka_unit_test(rlimit_nofile_emfile),
		cmocka_unit_test(rlimit_nonroot),
		cmocka_unit_test(ioctl_requests),
	};

	return cmocka_run_group_tests_name("fd", tests, group_setup, NULL);
}
