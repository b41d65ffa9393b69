/*
 * test_procfs.c: procfs inside the kernel: sysctl files under /proc/sys
 * (kern.maxvnodes is /proc/sys/kern/maxvnodes) and /proc/self/fd.
 */
#include "compat.h"

#define MAXVNODES	"/proc/sys/kern/maxvnodes"
#define PROC_SUPER_MAGIC	0x9fa0

static void
sysctl_maxvnodes(void **state)
{
	char buf[64];
	ssize_t n;
	int fd;

	(void)state;
	TEST_DIR();
	HOST_INVALID();		/* a rump kernel's tunable */
	get_file(MAXVNODES, buf, sizeof(buf));
	assert_string_equal(buf, "1024\n");
	fd = (int)CHECK_OK(rump_sys_open(MAXVNODES, O_WRONLY, 0));
	assert_int_equal(CHECK_OK(rump_sys_write(fd, "2048", 4)), 4);
	CHECK_OK(rump_sys_close(fd));
	get_file(MAXVNODES, buf, sizeof(buf));
	assert_string_equal(buf, "2048\n");
	/* What "echo 4096 > maxvnodes" does: O_CREAT|O_TRUNC, a newline. */
	fd = (int)CHECK_OK(rump_sys_open(MAXVNODES, O_WRONLY | O_CREAT |
	    O_TRUNC, 0644));
	assert_int_equal(CHECK_OK(rump_sys_write(fd, "4096\n", 5)), 5);
	CHECK_OK(rump_sys_close(fd));
	get_file(MAXVNODES, buf, sizeof(buf));
	assert_string_equal(buf, "4096\n");
	/* Garbage is refused and changes nothing. */
	fd = (int)CHECK_OK(rump_sys_open(MAXVNODES, O_WRONLY, 0));
	CHECK_ERR(rump_sys_write(fd, "lots", 4), EINVAL);
	CHECK_ERR(rump_sys_write(fd, "12x", 3), EINVAL);
	CHECK_ERR(rump_sys_write(fd, "-5", 2), EINVAL);
	CHECK_OK(rump_sys_close(fd));
	get_file(MAXVNODES, buf, sizeof(buf));
	assert_string_equal(buf, "4096\n");
	/* Reading in small pieces gives the same text. */
	fd = (int)CHECK_OK(rump_sys_open(MAXVNODES, O_RDONLY, 0));
	assert_int_equal(CHECK_OK(rump_sys_read(fd, buf, 2)), 2);
	n = CHECK_OK(rump_sys_read(fd, buf + 2, sizeof(buf) - 3));
	assert_int_equal(n, 3);
	buf[5] = '\0';
	assert_string_equal(buf, "4096\n");
	CHECK_OK(rump_sys_close(fd));
	/* Only root writes. */
	user_enter();
	CHECK_ERR(rump_sys_open(MAXVNODES, O_WRONLY, 0), EACCES);
	fd = (int)CHECK_OK(rump_sys_open(MAXVNODES, O_RDONLY, 0));
	CHECK_OK(rump_sys_close(fd));
	user_leave();
	fd = (int)CHECK_OK(rump_sys_open(MAXVNODES, O_WRONLY, 0));
	assert_int_equal(CHECK_OK(rump_sys_write(fd, "1024", 4)), 4);
	CHECK_OK(rump_sys_close(fd));
	get_file(MAXVNODES, buf, sizeof(buf));
	assert_string_equal(buf, "1024\n");
}

static void
sysctl_directory(void **state)
{
	struct stat st;

	(void)state;
	TEST_DIR();
	HOST_INVALID();
	st = stat_ok("/proc/sys/kern");
	assert_true(S_ISDIR(st.st_mode));
	st = stat_ok(MAXVNODES);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0644);
	assert_int_equal(st.st_uid, 0);
	CHECK_ERR(rump_sys_stat("/proc/sys/kern/nosuchknob", &st), ENOENT);
}

struct fdlist {
	int want;
	bool found;
	int n;
};

static void
scan_fd_dir(struct fdlist *fl)
{
	char buf[4096];
	ssize_t n, off;
	int dfd;

	dfd = (int)CHECK_OK(rump_sys_open("/proc/self/fd", O_RDONLY |
	    O_DIRECTORY, 0));
	while ((n = CHECK_OK(rump_sys_getdents64(dfd, buf, sizeof(buf)))) > 0) {
		for (off = 0; off < n; ) {
			const char *name = buf + off + 19;
			unsigned short reclen;

			memcpy(&reclen, buf + off + 16, sizeof(reclen));
			if (strcmp(name, ".") != 0 && strcmp(name, "..") != 0) {
				fl->n++;
				if (atoi(name) == fl->want)
					fl->found = true;
			}
			off += reclen;
		}
	}
	CHECK_OK(rump_sys_close(dfd));
}

static void
proc_self_fd(void **state)
{
	struct fdlist fl;
	char name[32], buf[PATH_MAX];
	ssize_t n;
	int fd;

	(void)state;
	TEST_DIR();
	put_file(tp("target"), "x");
	fd = (int)CHECK_OK(rump_sys_open(tp("target"), O_RDONLY, 0));
	fd = (int)CHECK_OK(rump_sys_dup2(fd, 77));
	memset(&fl, 0, sizeof(fl));
	fl.want = 77;
	scan_fd_dir(&fl);
	assert_true(fl.found);
	assert_true(fl.n >= 2);		/* ours plus the directory's own */
	snprintf(name, sizeof(name), "/proc/self/fd/%d", fd);
	n = CHECK_OK(rump_sys_readlink(name, buf, sizeof(buf) - 1));
	buf[n] = '\0';
	assert_string_equal(buf, tp("target"));
	/* Opening the link reopens the file. */
	{
		struct stat a, b;
		int fd2;

		fd2 = (int)CHECK_OK(rump_sys_open(name, O_RDONLY, 0));
		CHECK_OK(rump_sys_fstat(fd, &a));
		CHECK_OK(rump_sys_fstat(fd2, &b));
		assert_int_equal(a.st_ino, b.st_ino);
		CHECK_OK(rump_sys_close(fd2));
	}
	CHECK_OK(rump_sys_close(fd));
	memset(&fl, 0, sizeof(fl));
	fl.want = 77;
	scan_fd_dir(&fl);
	assert_false(fl.found);
	CHECK_ERR(rump_sys_readlink(name, buf, sizeof(buf)), ENOENT);
	/* /proc/self names the calling process. */
	n = CHECK_OK(rump_sys_readlink("/proc/self", buf, sizeof(buf) - 1));
	buf[n] = '\0';
	assert_int_equal(atoi(buf), rump_sys_getpid());
}

static void
proc_statfs(void **state)
{
	struct statfs sf;

	(void)state;
	TEST_DIR();
	CHECK_OK(rump_sys_statfs("/proc", &sf));
	assert_int_equal(sf.f_type, PROC_SUPER_MAGIC);
	CHECK_OK(rump_sys_statfs("/proc/self/fd", &sf));
	assert_int_equal(sf.f_type, PROC_SUPER_MAGIC);
}

static int
group_setup(void **state)
{
	(void)state;
	return test_kernel_init("procfs");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sysctl_maxvnodes),
		cmocka_unit_test(sysctl_directory),
		cmocka_unit_test(proc_self_fd),
		cmocka_unit_test(proc_statfs),
	};

	return cmocka_run_group_tests_name("procfs", tests, group_setup, NULL);
}
