/*
 * test_libc_calls.c: open, openat, fcntl and ioctl called in every form
 * glibc's variadic prototypes accept, renamed to rump_sys_*: two or three
 * arguments, an int, a pointer or nothing as the third.  Built with
 * -Wall -Werror like every test, the file is the proof that such a
 * program compiles unchanged; run, that the stubs read the optional
 * argument exactly when the flags or the command say it is there
 * (the mode with O_CREAT and O_TMPFILE, fcntl's int and struct pointers,
 * ioctl's pointer).  The prototypes themselves are compared with glibc's
 * by test_libc_protos_* (gen/gensyscalls_libc.c).
 */
#include "compat.h"

static mode_t
mode_of(const char *path)
{
	struct stat st;

	CHECK_OK(rump_sys_stat(path, &st));
	return st.st_mode & 07777;
}

static void
open_two_or_three_args(void **state)
{
	char buf[8];
	int fd, dfd;

	(void)state;
	TEST_DIR();
	/* O_CREAT: the mode is read (umask 022). */
	fd = (int)CHECK_OK(rump_sys_open(tp("f"), O_CREAT | O_EXCL |
	    O_WRONLY, 0640));
	assert_int_equal(CHECK_OK(rump_sys_write(fd, "abc", 3)), 3);
	CHECK_OK(rump_sys_close(fd));
	assert_int_equal(mode_of(tp("f")), 0640);
	/* No O_CREAT: two arguments, as open(2) is mostly called. */
	fd = (int)CHECK_OK(rump_sys_open(tp("f"), O_RDONLY));
	memset(buf, 0, sizeof(buf));
	assert_int_equal(CHECK_OK(rump_sys_read(fd, buf, sizeof(buf))), 3);
	assert_string_equal(buf, "abc");
	CHECK_OK(rump_sys_close(fd));
	CHECK_ERR(rump_sys_open(tp("none"), O_RDONLY), ENOENT);
	/* O_TMPFILE needs its mode as much as O_CREAT does. */
	fd = (int)CHECK_OK(rump_sys_open(T, O_TMPFILE | O_RDWR, 0604));
	{
		struct stat st;

		CHECK_OK(rump_sys_fstat(fd, &st));
		assert_int_equal(st.st_mode & 07777, 0604);
	}
	CHECK_OK(rump_sys_close(fd));
	/* openat, both forms. */
	dfd = (int)CHECK_OK(rump_sys_open(T, O_RDONLY | O_DIRECTORY));
	fd = (int)CHECK_OK(rump_sys_openat(dfd, "g", O_CREAT | O_WRONLY,
	    0600));
	CHECK_OK(rump_sys_close(fd));
	assert_int_equal(mode_of(tp("g")), 0600);
	fd = (int)CHECK_OK(rump_sys_openat(dfd, "g", O_RDONLY));
	CHECK_OK(rump_sys_close(fd));
	CHECK_ERR(rump_sys_openat(dfd, "none", O_RDONLY), ENOENT);
	CHECK_OK(rump_sys_close(dfd));
}

static void
fcntl_int_pointer_none(void **state)
{
	struct flock fl;
	int fd, fd2, nfd;

	(void)state;
	TEST_DIR();
	put_file(tp("f"), "0123456789");
	fd = (int)CHECK_OK(rump_sys_open(tp("f"), O_RDWR));
	/* None: F_GETFL, F_GETFD with two arguments. */
	assert_int_equal(CHECK_OK(rump_sys_fcntl(fd, F_GETFL)) & O_NONBLOCK,
	    0);
	assert_int_equal(CHECK_OK(rump_sys_fcntl(fd, F_GETFD)), 0);
	/* An int: F_SETFL, F_SETFD, F_DUPFD. */
	CHECK_OK(rump_sys_fcntl(fd, F_SETFL, O_NONBLOCK));
	assert_int_not_equal(CHECK_OK(rump_sys_fcntl(fd, F_GETFL)) &
	    O_NONBLOCK, 0);
	CHECK_OK(rump_sys_fcntl(fd, F_SETFD, FD_CLOEXEC));
	assert_int_equal(CHECK_OK(rump_sys_fcntl(fd, F_GETFD)), FD_CLOEXEC);
	nfd = (int)CHECK_OK(rump_sys_fcntl(fd, F_DUPFD, 20));
	assert_true(nfd >= 20);
	CHECK_OK(rump_sys_close(nfd));
	/* A pointer: an open file description's lock seen from another. */
	fd2 = (int)CHECK_OK(rump_sys_open(tp("f"), O_RDWR));
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	fl.l_start = 2;
	fl.l_len = 3;
	CHECK_OK(rump_sys_fcntl(fd, F_OFD_SETLK, &fl));
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_RDLCK;
	fl.l_whence = SEEK_SET;
	fl.l_len = 0;
	CHECK_OK(rump_sys_fcntl(fd2, F_OFD_GETLK, &fl));
	assert_int_equal(fl.l_type, F_WRLCK);
	assert_int_equal(fl.l_start, 2);
	assert_int_equal(fl.l_len, 3);
	fl.l_pid = 0;		/* GETLK said -1; SETLK wants 0 */
	CHECK_ERR(rump_sys_fcntl(fd2, F_OFD_SETLK, &fl), EAGAIN);
	/* Process locks, the classic pointer commands (on the OFD lock's
	 * file they would conflict with it, as on Linux). */
	CHECK_OK(rump_sys_close(fd2));
	CHECK_OK(rump_sys_close(fd));
	put_file(tp("g"), "0123456789");
	fd = (int)CHECK_OK(rump_sys_open(tp("g"), O_RDWR));
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_RDLCK;
	fl.l_whence = SEEK_SET;
	CHECK_OK(rump_sys_fcntl(fd, F_SETLK, &fl));
	CHECK_OK(rump_sys_fcntl(fd, F_GETLK, &fl));
	assert_int_equal(fl.l_type, F_UNLCK);	/* our own lock */
	CHECK_ERR(rump_sys_fcntl(fd, F_SETLK, (struct flock *)NULL), EFAULT);
	CHECK_OK(rump_sys_close(fd));
	CHECK_ERR(rump_sys_fcntl(fd, F_GETFL), EBADF);
}

static void
ioctl_pointer_or_none(void **state)
{
	int p[2], n = -1;

	(void)state;
	TEST_DIR();
	CHECK_OK(rump_sys_pipe(p));
	assert_int_equal(CHECK_OK(rump_sys_write(p[1], "xyz", 3)), 3);
	CHECK_OK(rump_sys_ioctl(p[0], FIONREAD, &n));
	assert_int_equal(n, 3);
	/* Requests without an argument, called with two. */
	CHECK_OK(rump_sys_ioctl(p[0], FIOCLEX));
	assert_int_equal(CHECK_OK(rump_sys_fcntl(p[0], F_GETFD)), FD_CLOEXEC);
	CHECK_OK(rump_sys_ioctl(p[0], FIONCLEX));
	assert_int_equal(CHECK_OK(rump_sys_fcntl(p[0], F_GETFD)), 0);
	CHECK_ERR(rump_sys_ioctl(-1, FIONREAD, &n), EBADF);
	CHECK_OK(rump_sys_close(p[0]));
	CHECK_OK(rump_sys_close(p[1]));
}

static int
group_setup(void **state)
{
	(void)state;
	return test_kernel_init("libc_calls");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(open_two_or_three_args),
		cmocka_unit_test(fcntl_int_pointer_none),
		cmocka_unit_test(ioctl_pointer_or_none),
	};

	return cmocka_run_group_tests_name("libc_calls", tests, group_setup,
	    NULL);
}
