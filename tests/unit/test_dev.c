/*
 * test_dev.c: devices: /dev/null, zero, full, random, urandom, getrandom,
 * device nodes made with mknod (Linux numbers: (1,3) is null), and etfs:
 * host files exposed as kernel block devices or regular files.
 */
#include "compat.h"

static void
dev_nodes_exist(void **state)
{
	static const struct {
		const char *path;
		unsigned int minor;
	} devs[] = {
		{ "/dev/null", 3 }, { "/dev/zero", 5 }, { "/dev/full", 7 },
		{ "/dev/random", 8 }, { "/dev/urandom", 9 },
	};
	struct stat st;
	size_t i;

	(void)state;
	TEST_DIR();
	for (i = 0; i < sizeof(devs) / sizeof(devs[0]); i++) {
		st = stat_ok(devs[i].path);
		assert_true(S_ISCHR(st.st_mode));
		assert_int_equal(major(st.st_rdev), 1);
		assert_int_equal(minor(st.st_rdev), devs[i].minor);
		assert_int_equal(st.st_mode & 0666, 0666);
	}
	assert_true(S_ISDIR(stat_ok("/dev").st_mode));
}

static void
dev_null_zero_full(void **state)
{
	char buf[4096];
	size_t i;
	int fd;

	(void)state;
	TEST_DIR();
	fd = (int)CHECK_OK(rump_sys_open("/dev/null", O_RDWR, 0));
	assert_int_equal(CHECK_OK(rump_sys_write(fd, "gone", 4)), 4);
	assert_int_equal(CHECK_OK(rump_sys_read(fd, buf, sizeof(buf))), 0);
	CHECK_OK(rump_sys_close(fd));

	fd = (int)CHECK_OK(rump_sys_open("/dev/zero", O_RDWR, 0));
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(CHECK_OK(rump_sys_read(fd, buf, sizeof(buf))),
	    sizeof(buf));
	for (i = 0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 0);
	assert_int_equal(CHECK_OK(rump_sys_write(fd, "x", 1)), 1);
	CHECK_OK(rump_sys_close(fd));

	fd = (int)CHECK_OK(rump_sys_open("/dev/full", O_RDWR, 0));
	CHECK_ERR(rump_sys_write(fd, "x", 1), ENOSPC);
	memset(buf, 'x', 16);
	assert_int_equal(CHECK_OK(rump_sys_read(fd, buf, 16)), 16);
	for (i = 0; i < 16; i++)
		assert_int_equal(buf[i], 0);
	CHECK_OK(rump_sys_close(fd));
}

static void
dev_random(void **state)
{
	unsigned char a[32], b[32];
	int fd;

	(void)state;
	TEST_DIR();
	fd = (int)CHECK_OK(rump_sys_open("/dev/urandom", O_RDONLY, 0));
	assert_int_equal(CHECK_OK(rump_sys_read(fd, a, sizeof(a))), sizeof(a));
	assert_int_equal(CHECK_OK(rump_sys_read(fd, b, sizeof(b))), sizeof(b));
	assert_memory_not_equal(a, b, sizeof(a));
	CHECK_OK(rump_sys_close(fd));
	fd = (int)CHECK_OK(rump_sys_open("/dev/random", O_RDONLY, 0));
	assert_true(CHECK_OK(rump_sys_read(fd, a, sizeof(a))) > 0);
	CHECK_OK(rump_sys_close(fd));
	/* getrandom(2) */
	assert_int_equal(CHECK_OK(rump_sys_getrandom(a, sizeof(a), 0)),
	    sizeof(a));
	assert_int_equal(CHECK_OK(rump_sys_getrandom(b, sizeof(b),
	    GRND_NONBLOCK)), sizeof(b));
	assert_memory_not_equal(a, b, sizeof(a));
	CHECK_ERR(rump_sys_getrandom(a, sizeof(a), 0x100), EINVAL);
}

static void
mknod_char_devices(void **state)
{
	struct stat st;
	char buf[16];
	int fd;

	(void)state;
	TEST_DIR();
	CHECK_OK(rump_sys_mknod(tp("mynull"), S_IFCHR | 0666, makedev(1, 3)));
	st = stat_ok(tp("mynull"));
	assert_true(S_ISCHR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0644);	/* umask 022 */
	assert_int_equal(st.st_rdev, makedev(1, 3));
	fd = (int)CHECK_OK(rump_sys_open(tp("mynull"), O_RDWR, 0));
	assert_int_equal(CHECK_OK(rump_sys_write(fd, "abc", 3)), 3);
	assert_int_equal(CHECK_OK(rump_sys_read(fd, buf, sizeof(buf))), 0);
	CHECK_OK(rump_sys_close(fd));
	assert_int_equal(stat_ok(tp("mynull")).st_size, 0);
	/* (1,5) is zero, wherever the node is. */
	CHECK_OK(rump_sys_mknod(tp("myzero"), S_IFCHR | 0600, makedev(1, 5)));
	fd = (int)CHECK_OK(rump_sys_open(tp("myzero"), O_RDONLY, 0));
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(CHECK_OK(rump_sys_read(fd, buf, 4)), 4);
	assert_memory_equal(buf, "\0\0\0\0", 4);
	CHECK_OK(rump_sys_close(fd));
	/* A node without a driver can be made, not opened. */
	CHECK_OK(rump_sys_mknod(tp("nodrv"), S_IFCHR | 0600, makedev(4000, 7)));
	assert_int_equal(stat_ok(tp("nodrv")).st_rdev, makedev(4000, 7));
	CHECK_ERR(rump_sys_open(tp("nodrv"), O_RDONLY, 0), ENXIO);
	CHECK_OK(rump_sys_mknod(tp("nodrvb"), S_IFBLK | 0600, makedev(4000, 7)));
	assert_true(S_ISBLK(stat_ok(tp("nodrvb")).st_mode));
	CHECK_ERR(rump_sys_open(tp("nodrvb"), O_RDONLY, 0), ENXIO);
	CHECK_ERR(rump_sys_mknod(tp("mynull"), S_IFCHR | 0666, makedev(1, 3)),
	    EEXIST);
	/* Only root makes device nodes. */
	CHECK_OK(rump_sys_chmod(T, 0777));
	user_enter();
	CHECK_ERR(rump_sys_mknod(tp("usernull"), S_IFCHR | 0666, makedev(1, 3)),
	    EPERM);
	CHECK_ERR(rump_sys_mknod(tp("userblk"), S_IFBLK | 0666, makedev(7, 0)),
	    EPERM);
	user_leave();
	CHECK_OK(rump_sys_chmod(tp("mynull"), 0666));
	user_enter();
	/* ... but may use them. */
	fd = (int)CHECK_OK(rump_sys_open(tp("mynull"), O_WRONLY, 0));
	CHECK_OK(rump_sys_close(fd));
	user_leave();
}

#ifndef TEST_ON_HOST
#define ETFS_SIZE	(1024 * 1024)

/* A host temporary file of ETFS_SIZE bytes, byte i = i * 13 + 1. */
static int
make_host_file(char *path, size_t len)
{
	unsigned char *buf;
	int hfd;
	size_t i;

	snprintf(path, len, "/tmp/rumpetfs.XXXXXX");
	hfd = mkstemp(path);
	assert_true(hfd >= 0);
	buf = malloc(ETFS_SIZE);
	assert_non_null(buf);
	for (i = 0; i < ETFS_SIZE; i++)
		buf[i] = (unsigned char)(i * 13 + 1);
	assert_int_equal(pwrite(hfd, buf, ETFS_SIZE, 0), ETFS_SIZE);
	free(buf);
	return hfd;
}
#endif

static void
etfs_block_device(void **state)
{
	(void)state;
	TEST_DIR();
	HOST_INVALID();
	REMOTE_INVALID();	/* rump_server -d is the remote way */
#ifndef TEST_ON_HOST
	unsigned char buf[4096], want[4096];
	char hostpath[64];
	struct stat st;
	int hfd, fd;
	size_t i;

	hfd = make_host_file(hostpath, sizeof(hostpath));
	assert_int_equal(rump_etfs_register("/dev/hdtest", hostpath,
	    RUMP_ETFS_BLK), 0);
	st = stat_ok("/dev/hdtest");
	assert_true(S_ISBLK(st.st_mode));
	fd = (int)CHECK_OK(rump_sys_open("/dev/hdtest", O_RDWR, 0));
	/* Reads see the host file's bytes. */
	assert_int_equal(CHECK_OK(rump_sys_pread64(fd, buf, sizeof(buf),
	    8192)), sizeof(buf));
	for (i = 0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], (unsigned char)((8192 + i) * 13 + 1));
	/* Writes reach the host file (at the latest after fsync). */
	memset(want, 0xa5, sizeof(want));
	assert_int_equal(CHECK_OK(rump_sys_pwrite64(fd, want, sizeof(want),
	    65536)), sizeof(want));
	CHECK_OK(rump_sys_fsync(fd));
	CHECK_OK(rump_sys_close(fd));
	assert_int_equal(pread(hfd, buf, sizeof(buf), 65536), sizeof(buf));
	assert_memory_equal(buf, want, sizeof(want));
	/* A host path that does not exist. */
	assert_int_equal(rump_etfs_register("/dev/hdbad",
	    "/nonexistent/rump-etfs-file", RUMP_ETFS_BLK), ENOENT);
	CHECK_ERR(rump_sys_stat("/dev/hdbad", &st), ENOENT);
	/* Removal. */
	assert_int_equal(rump_etfs_remove("/dev/hdtest"), 0);
	CHECK_ERR(rump_sys_stat("/dev/hdtest", &st), ENOENT);
	assert_int_equal(rump_etfs_remove("/dev/hdtest"), ENOENT);
	close(hfd);
	unlink(hostpath);
#endif
}

static void
etfs_regular_file_window(void **state)
{
	(void)state;
	TEST_DIR();
	HOST_INVALID();
	REMOTE_INVALID();	/* rump_server -d is the remote way */
#ifndef TEST_ON_HOST
	unsigned char buf[64];
	char hostpath[64];
	struct stat st;
	int hfd, fd;
	size_t i;

	hfd = make_host_file(hostpath, sizeof(hostpath));
	/* Host files as regular files are not done yet (README): refused,
	 * and nothing appears in the namespace. */
	assert_int_equal(rump_etfs_register(tp("hostfile"), hostpath,
	    RUMP_ETFS_REG), EOPNOTSUPP);
	CHECK_ERR(rump_sys_stat(tp("hostfile"), &st), ENOENT);
	/* A window of the host file starting at 4096. */
	assert_int_equal(rump_etfs_register_withsize("/dev/hdwin", hostpath,
	    RUMP_ETFS_BLK, 4096, 8192), 0);
	fd = (int)CHECK_OK(rump_sys_open("/dev/hdwin", O_RDONLY, 0));
	assert_int_equal(CHECK_OK(rump_sys_pread64(fd, buf, sizeof(buf), 0)),
	    sizeof(buf));
	for (i = 0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], (unsigned char)((4096 + i) * 13 + 1));
	CHECK_OK(rump_sys_close(fd));
	assert_int_equal(rump_etfs_remove("/dev/hdwin"), 0);
	close(hfd);
	unlink(hostpath);
#endif
}

static int
group_setup(void **state)
{
	(void)state;
	return test_kernel_init("dev");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dev_nodes_exist),
		cmocka_unit_test(dev_null_zero_full),
		cmocka_unit_test(dev_random),
		cmocka_unit_test(mknod_char_devices),
		cmocka_unit_test(etfs_block_device),
		cmocka_unit_test(etfs_regular_file_window),
	};

	return cmocka_run_group_tests_name("dev", tests, group_setup, NULL);
}
