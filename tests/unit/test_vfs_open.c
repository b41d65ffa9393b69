/*
 * test_vfs_open.c: open, openat, openat2, creat and close: creation flags,
 * access modes, O_TMPFILE, permission checks for a non-root process.
 */
#include "compat.h"

static void
open_creat_excl(void **state)
{
	struct stat st;
	int fd;

	(void)state;
	TEST_DIR();
	CHECK_ERR(rump_sys_open(tp("f"), O_RDONLY, 0), ENOENT);
	fd = (int)CHECK_OK(rump_sys_open(tp("f"), O_RDWR | O_CREAT | O_EXCL,
	    0644));
	CHECK_OK(rump_sys_close(fd));
	CHECK_ERR(rump_sys_open(tp("f"), O_RDWR | O_CREAT | O_EXCL, 0644),
	    EEXIST);
	/* Without O_EXCL an existing file is simply opened. */
	fd = (int)CHECK_OK(rump_sys_open(tp("f"), O_RDWR | O_CREAT, 0600));
	CHECK_OK(rump_sys_close(fd));
	st = stat_ok(tp("f"));
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_int_equal(st.st_nlink, 1);
	assert_int_equal(st.st_size, 0);
	/* O_EXCL does not follow a dangling symlink: the name exists. */
	CHECK_OK(rump_sys_symlink("nowhere", tp("dangling")));
	CHECK_ERR(rump_sys_open(tp("dangling"), O_RDWR | O_CREAT | O_EXCL,
	    0644), EEXIST);
	CHECK_ERR(rump_sys_lstat(tp("nowhere"), &st), ENOENT);
	/* Without O_EXCL it creates the target. */
	fd = (int)CHECK_OK(rump_sys_open(tp("dangling"), O_RDWR | O_CREAT,
	    0644));
	CHECK_OK(rump_sys_close(fd));
	st = stat_ok(tp("nowhere"));
	assert_true(S_ISREG(st.st_mode));
	/* Missing parent, parent that is a file. */
	CHECK_ERR(rump_sys_open(tp("nodir/f"), O_RDWR | O_CREAT, 0644),
	    ENOENT);
	CHECK_ERR(rump_sys_open(tp("f/x"), O_RDWR | O_CREAT, 0644), ENOTDIR);
	CHECK_ERR(rump_sys_open(tp("f/x"), O_RDONLY, 0), ENOTDIR);
	CHECK_ERR(rump_sys_open("", O_RDONLY, 0), ENOENT);
	CHECK_ERR(rump_sys_open(tp("f"), O_RDONLY | O_CREAT | O_EXCL |
	    O_DIRECTORY, 0644), EINVAL);
}

static void
open_mode_umask(void **state)
{
	mode_t old;
	int fd;

	(void)state;
	TEST_DIR();
	old = rump_sys_umask(022);
	fd = (int)CHECK_OK(rump_sys_open(tp("a"), O_WRONLY | O_CREAT, 0666));
	CHECK_OK(rump_sys_close(fd));
	assert_int_equal(stat_ok(tp("a")).st_mode & 07777, 0644);
	assert_int_equal(rump_sys_umask(0), 022);
	fd = (int)CHECK_OK(rump_sys_open(tp("b"), O_WRONLY | O_CREAT, 0666));
	CHECK_OK(rump_sys_close(fd));
	assert_int_equal(stat_ok(tp("b")).st_mode & 07777, 0666);
	rump_sys_umask(077);
	fd = (int)CHECK_OK(rump_sys_open(tp("c"), O_WRONLY | O_CREAT, 0777));
	CHECK_OK(rump_sys_close(fd));
	assert_int_equal(stat_ok(tp("c")).st_mode & 07777, 0700);
	/* A read-only mode still gives a writable descriptor at creation. */
	rump_sys_umask(022);
	fd = (int)CHECK_OK(rump_sys_open(tp("ro"), O_RDWR | O_CREAT, 0444));
	assert_int_equal(CHECK_OK(rump_sys_write(fd, "x", 1)), 1);
	CHECK_OK(rump_sys_close(fd));
	assert_int_equal(stat_ok(tp("ro")).st_mode & 07777, 0444);
	rump_sys_umask(old);
}

static void
open_trunc(void **state)
{
	char buf[32];
	int fd;

	(void)state;
	TEST_DIR();
	put_file(tp("f"), "hello world");
	fd = (int)CHECK_OK(rump_sys_open(tp("f"), O_RDWR, 0));
	assert_int_equal(CHECK_OK(rump_sys_write(fd, "J", 1)), 1);
	CHECK_OK(rump_sys_close(fd));
	get_file(tp("f"), buf, sizeof(buf));
	assert_string_equal(buf, "Jello world");
	fd = (int)CHECK_OK(rump_sys_open(tp("f"), O_WRONLY | O_TRUNC, 0));
	assert_int_equal(stat_ok(tp("f")).st_size, 0);
	assert_int_equal(CHECK_OK(rump_sys_write(fd, "new", 3)), 3);
	CHECK_OK(rump_sys_close(fd));
	get_file(tp("f"), buf, sizeof(buf));
	assert_string_equal(buf, "new");
	/* creat() is O_WRONLY|O_CREAT|O_TRUNC. */
	fd = (int)CHECK_OK(rump_sys_creat(tp("f"), 0644));
	assert_int_equal(stat_ok(tp("f")).st_size, 0);
	CHECK_ERR(rump_sys_read(fd, buf, 1), EBADF);
	CHECK_OK(rump_sys_close(fd));
	fd = (int)CHECK_OK(rump_sys_creat(tp("g"), 0600));
	CHECK_OK(rump_sys_close(fd));
	assert_int_equal(stat_ok(tp("g")).st_mode & 07777, 0600);
}

static void
open_append_two_fds(void **state)
{
	char buf[32];
	int a, b;

	(void)state;
	TEST_DIR();
	put_file(tp("log"), "");
	a = (int)CHECK_OK(rump_sys_open(tp("log"), O_WRONLY | O_APPEND, 0));
	b = (int)CHECK_OK(rump_sys_open(tp("log"), O_WRONLY | O_APPEND, 0));
	assert_int_equal(CHECK_OK(rump_sys_write(a, "aa", 2)), 2);
	assert_int_equal(CHECK_OK(rump_sys_write(b, "bb", 2)), 2);
	/* Seeking does not matter: every write goes to the end. */
	CHECK_OK(rump_sys_lseek(a, 0, SEEK_SET));
	assert_int_equal(CHECK_OK(rump_sys_write(a, "cc", 2)), 2);
	assert_int_equal(CHECK_OK(rump_sys_lseek(a, 0, SEEK_CUR)), 6);
	CHECK_OK(rump_sys_close(a));
	CHECK_OK(rump_sys_close(b));
	get_file(tp("log"), buf, sizeof(buf));
	assert_string_equal(buf, "aabbcc");
}

static void
open_directory(void **state)
{
	int fd;

	(void)state;
	TEST_DIR();
	put_file(tp("f"), "x");
	CHECK_OK(rump_sys_mkdir(tp("d"), 0755));
	CHECK_ERR(rump_sys_open(tp("f"), O_RDONLY | O_DIRECTORY, 0), ENOTDIR);
	fd = (int)CHECK_OK(rump_sys_open(tp("d"), O_RDONLY | O_DIRECTORY, 0));
	CHECK_OK(rump_sys_close(fd));
	fd = (int)CHECK_OK(rump_sys_open(tp("d"), O_RDONLY, 0));
	CHECK_OK(rump_sys_close(fd));
	CHECK_ERR(rump_sys_open(tp("d"), O_WRONLY, 0), EISDIR);
	CHECK_ERR(rump_sys_open(tp("d"), O_RDWR, 0), EISDIR);
	CHECK_ERR(rump_sys_open(tp("d"), O_RDONLY | O_CREAT, 0644), EISDIR);
	CHECK_ERR(rump_sys_open(tp("d"), O_RDONLY | O_TRUNC, 0), EISDIR);
	CHECK_ERR(rump_sys_open(tp("nope"), O_RDONLY | O_DIRECTORY, 0),
	    ENOENT);
	/* A trailing slash asks for a directory. */
	CHECK_ERR(rump_sys_open(tp("f/"), O_RDONLY, 0), ENOTDIR);
	CHECK_ERR(rump_sys_open(tp("new/"), O_RDWR | O_CREAT, 0644), EISDIR);
	fd = (int)CHECK_OK(rump_sys_open(tp("d/"), O_RDONLY, 0));
	CHECK_OK(rump_sys_close(fd));
}

static void
open_nofollow(void **state)
{
	int fd;

	(void)state;
	TEST_DIR();
	put_file(tp("f"), "x");
	CHECK_OK(rump_sys_mkdir(tp("d"), 0755));
	put_file(tp("d/g"), "y");
	CHECK_OK(rump_sys_symlink("f", tp("lf")));
	CHECK_OK(rump_sys_symlink("d", tp("ld")));
	CHECK_ERR(rump_sys_open(tp("lf"), O_RDONLY | O_NOFOLLOW, 0), ELOOP);
	CHECK_ERR(rump_sys_open(tp("lf"), O_WRONLY | O_CREAT | O_NOFOLLOW,
	    0644), ELOOP);
	fd = (int)CHECK_OK(rump_sys_open(tp("f"), O_RDONLY | O_NOFOLLOW, 0));
	CHECK_OK(rump_sys_close(fd));
	/* Only the last component is concerned. */
	fd = (int)CHECK_OK(rump_sys_open(tp("ld/g"), O_RDONLY | O_NOFOLLOW,
	    0));
	CHECK_OK(rump_sys_close(fd));
	fd = (int)CHECK_OK(rump_sys_open(tp("lf"), O_RDONLY, 0));
	CHECK_OK(rump_sys_close(fd));
}

static void
open_cloexec(void **state)
{
	int fd;

	(void)state;
	TEST_DIR();
	fd = (int)CHECK_OK(rump_sys_open(tp("f"), O_RDWR | O_CREAT | O_CLOEXEC,
	    0644));
	assert_int_equal(CHECK_OK(rump_sys_fcntl(fd, F_GETFD, 0)), FD_CLOEXEC);
	/* O_CLOEXEC is a descriptor flag, not a status flag. */
	assert_int_equal(CHECK_OK(rump_sys_fcntl(fd, F_GETFL, 0)) & O_CLOEXEC,
	    0);
	CHECK_OK(rump_sys_close(fd));
	fd = (int)CHECK_OK(rump_sys_open(tp("f"), O_RDWR, 0));
	assert_int_equal(CHECK_OK(rump_sys_fcntl(fd, F_GETFD, 0)), 0);
	CHECK_OK(rump_sys_close(fd));
}

static void
open_tmpfile(void **state)
{
	struct stat st;
	char buf[16];
	int fd, dfd;

	(void)state;
	TEST_DIR();
	fd = (int)CHECK_OK(rump_sys_open(T, O_TMPFILE | O_RDWR, 0600));
	assert_int_equal(CHECK_OK(rump_sys_write(fd, "secret", 6)), 6);
	memset(buf, 0, sizeof(buf));
	assert_int_equal(CHECK_OK(rump_sys_pread64(fd, buf, sizeof(buf), 0)),
	    6);
	assert_string_equal(buf, "secret");
	CHECK_OK(rump_sys_fstat(fd, &st));
	assert_int_equal(st.st_nlink, 0);
	assert_int_equal(st.st_size, 6);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	/* The directory stays empty: rmdir would succeed. */
	dfd = (int)CHECK_OK(rump_sys_open(T, O_RDONLY | O_DIRECTORY, 0));
	/* An anonymous file can be given a name (root may do so). */
	CHECK_OK(rump_sys_linkat(fd, "", dfd, "named", AT_EMPTY_PATH));
	CHECK_OK(rump_sys_fstat(fd, &st));
	assert_int_equal(st.st_nlink, 1);
	get_file(tp("named"), buf, sizeof(buf));
	assert_string_equal(buf, "secret");
	CHECK_OK(rump_sys_close(fd));
	CHECK_OK(rump_sys_close(dfd));
	/* Errors: needs write access, a directory. */
	CHECK_ERR(rump_sys_open(T, O_TMPFILE | O_RDONLY, 0600), EINVAL);
	CHECK_ERR(rump_sys_open(tp("named"), O_TMPFILE | O_RDWR, 0600),
	    ENOTDIR);
	CHECK_ERR(rump_sys_open(tp("nodir"), O_TMPFILE | O_RDWR, 0600),
	    ENOENT);
}

static void
openat_dirfd(void **state)
{
	char buf[16];
	int dfd, ffd, fd;

	(void)state;
	TEST_DIR();
	CHECK_OK(rump_sys_mkdir(tp("d"), 0755));
	dfd = (int)CHECK_OK(rump_sys_open(tp("d"), O_RDONLY | O_DIRECTORY, 0));
	fd = (int)CHECK_OK(rump_sys_openat(dfd, "f", O_WRONLY | O_CREAT, 0644));
	assert_int_equal(CHECK_OK(rump_sys_write(fd, "in d", 4)), 4);
	CHECK_OK(rump_sys_close(fd));
	get_file(tp("d/f"), buf, sizeof(buf));
	assert_string_equal(buf, "in d");
	/* The dirfd keeps naming the directory after it is renamed. */
	CHECK_OK(rump_sys_rename(tp("d"), tp("e")));
	fd = (int)CHECK_OK(rump_sys_openat(dfd, "f", O_RDONLY, 0));
	CHECK_OK(rump_sys_close(fd));
	/* AT_FDCWD is the cwd; an absolute path ignores dirfd, even a bad one. */
	fd = (int)CHECK_OK(rump_sys_openat(AT_FDCWD, tp("e/f"), O_RDONLY, 0));
	CHECK_OK(rump_sys_close(fd));
	fd = (int)CHECK_OK(rump_sys_openat(9999, tp("e/f"), O_RDONLY, 0));
	CHECK_OK(rump_sys_close(fd));
	CHECK_ERR(rump_sys_openat(9999, "f", O_RDONLY, 0), EBADF);
	CHECK_ERR(rump_sys_openat(-5, "f", O_RDONLY, 0), EBADF);
	ffd = (int)CHECK_OK(rump_sys_openat(dfd, "f", O_RDONLY, 0));
	CHECK_ERR(rump_sys_openat(ffd, "x", O_RDONLY, 0), ENOTDIR);
	CHECK_ERR(rump_sys_openat(dfd, "missing", O_RDONLY, 0), ENOENT);
	CHECK_OK(rump_sys_close(ffd));
	CHECK_OK(rump_sys_close(dfd));
}

static int
do_openat2(int dfd, const char *path, uint64_t flags, uint64_t mode,
    uint64_t resolve)
{
	struct open_how how;

	memset(&how, 0, sizeof(how));
	how.flags = flags;
	how.mode = mode;
	how.resolve = resolve;
	return rump_sys_openat2(dfd, path, &how, sizeof(how));
}

static void
openat2_resolve(void **state)
{
	struct {
		struct open_how how;
		uint64_t extra;
	} big;
	struct open_how how;
	int dfd, fd;

	(void)state;
	TEST_DIR();
	CHECK_OK(rump_sys_mkdir(tp("root"), 0755));
	CHECK_OK(rump_sys_mkdir(tp("root/sub"), 0755));
	put_file(tp("root/f"), "f");
	put_file(tp("outside"), "o");
	CHECK_OK(rump_sys_symlink("f", tp("root/lnk")));
	CHECK_OK(rump_sys_symlink("../outside", tp("root/esc")));
	dfd = (int)CHECK_OK(rump_sys_open(tp("root"), O_RDONLY | O_DIRECTORY,
	    0));

	/* Plain use, and staying beneath. */
	fd = (int)CHECK_OK(do_openat2(dfd, "f", O_RDONLY, 0, 0));
	CHECK_OK(rump_sys_close(fd));
	fd = (int)CHECK_OK(do_openat2(dfd, "sub/../f", O_RDONLY, 0,
	    RESOLVE_BENEATH));
	CHECK_OK(rump_sys_close(fd));
	fd = (int)CHECK_OK(do_openat2(dfd, "new", O_RDWR | O_CREAT, 0600,
	    RESOLVE_BENEATH));
	CHECK_OK(rump_sys_close(fd));
	assert_int_equal(stat_ok(tp("root/new")).st_mode & 07777, 0600);
	CHECK_ERR(do_openat2(dfd, "../outside", O_RDONLY, 0, RESOLVE_BENEATH),
	    EXDEV);
	CHECK_ERR(do_openat2(dfd, "sub/../../outside", O_RDONLY, 0,
	    RESOLVE_BENEATH), EXDEV);
	CHECK_ERR(do_openat2(dfd, tp("outside"), O_RDONLY, 0,
	    RESOLVE_BENEATH), EXDEV);
	CHECK_ERR(do_openat2(dfd, "esc", O_RDONLY, 0, RESOLVE_BENEATH), EXDEV);
	/* RESOLVE_IN_ROOT: dirfd is "/" for this lookup. */
	fd = (int)CHECK_OK(do_openat2(dfd, "/f", O_RDONLY, 0,
	    RESOLVE_IN_ROOT));
	CHECK_OK(rump_sys_close(fd));
	fd = (int)CHECK_OK(do_openat2(dfd, "../../f", O_RDONLY, 0,
	    RESOLVE_IN_ROOT));
	CHECK_OK(rump_sys_close(fd));
	/* No symlinks at all. */
	CHECK_ERR(do_openat2(dfd, "lnk", O_RDONLY, 0, RESOLVE_NO_SYMLINKS),
	    ELOOP);
	fd = (int)CHECK_OK(do_openat2(dfd, "lnk", O_RDONLY, 0, 0));
	CHECK_OK(rump_sys_close(fd));

	/* Argument checks. */
	memset(&how, 0, sizeof(how));
	how.flags = O_RDONLY;
	CHECK_ERR(rump_sys_openat2(dfd, "f", &how, 8), EINVAL);
	CHECK_ERR(rump_sys_openat2(dfd, "f", &how, 0), EINVAL);
	CHECK_ERR(do_openat2(dfd, "f", O_RDONLY, 0644, 0), EINVAL);
	CHECK_ERR(do_openat2(dfd, "f", O_RDONLY, 0, 0x80000000ULL), EINVAL);
	CHECK_ERR(do_openat2(dfd, "f", 1ULL << 40, 0, 0), EINVAL);
	CHECK_ERR(do_openat2(dfd, "new2", O_RDWR | O_CREAT, 010000, 0),
	    EINVAL);
	/* A larger struct is fine if the tail is zero, E2BIG if not. */
	memset(&big, 0, sizeof(big));
	big.how.flags = O_RDONLY;
	fd = (int)CHECK_OK(rump_sys_openat2(dfd, "f", &big.how, sizeof(big)));
	CHECK_OK(rump_sys_close(fd));
	big.extra = 1;
	CHECK_ERR(rump_sys_openat2(dfd, "f", &big.how, sizeof(big)), E2BIG);
	CHECK_OK(rump_sys_close(dfd));
}

static void
close_errors(void **state)
{
	int fd;

	(void)state;
	TEST_DIR();
	fd = (int)CHECK_OK(rump_sys_open(tp("f"), O_RDWR | O_CREAT, 0644));
	CHECK_OK(rump_sys_close(fd));
	CHECK_ERR(rump_sys_close(fd), EBADF);
	CHECK_ERR(rump_sys_close(-1), EBADF);
	CHECK_ERR(rump_sys_close(1 << 20), EBADF);
	/* Access modes are enforced per descriptor. */
	fd = (int)CHECK_OK(rump_sys_open(tp("f"), O_RDONLY, 0));
	CHECK_ERR(rump_sys_write(fd, "x", 1), EBADF);
	CHECK_OK(rump_sys_close(fd));
	fd = (int)CHECK_OK(rump_sys_open(tp("f"), O_WRONLY, 0));
	{
		char c;

		CHECK_ERR(rump_sys_read(fd, &c, 1), EBADF);
	}
	CHECK_OK(rump_sys_close(fd));
}

static void
open_permissions_nonroot(void **state)
{
	int fd;

	(void)state;
	TEST_DIR();
	put_file(tp("secret"), "s");
	CHECK_OK(rump_sys_chmod(tp("secret"), 0600));
	put_file(tp("public"), "p");
	CHECK_OK(rump_sys_chmod(tp("public"), 0644));
	CHECK_OK(rump_sys_mkdir(tp("closed"), 0700));
	put_file(tp("closed/f"), "c");
	CHECK_OK(rump_sys_mkdir(tp("mine"), 0755));
	CHECK_OK(rump_sys_chown(tp("mine"), USER_UID, USER_GID));

	user_enter();
	CHECK_ERR(rump_sys_open(tp("secret"), O_RDONLY, 0), EACCES);
	CHECK_ERR(rump_sys_open(tp("public"), O_WRONLY, 0), EACCES);
	CHECK_ERR(rump_sys_open(tp("public"), O_RDONLY | O_TRUNC, 0), EACCES);
	fd = (int)CHECK_OK(rump_sys_open(tp("public"), O_RDONLY, 0));
	CHECK_OK(rump_sys_close(fd));
	/* No write permission on the directory: cannot create. */
	CHECK_ERR(rump_sys_open(tp("new"), O_WRONLY | O_CREAT, 0644), EACCES);
	/* No search permission: cannot reach what is inside. */
	CHECK_ERR(rump_sys_open(tp("closed/f"), O_RDONLY, 0), EACCES);
	/* In its own directory, files it creates are its own. */
	fd = (int)CHECK_OK(rump_sys_open(tp("mine/f"), O_RDWR | O_CREAT, 0600));
	CHECK_OK(rump_sys_close(fd));
	user_leave();

	{
		struct stat st = stat_ok(tp("mine/f"));

		assert_int_equal(st.st_uid, USER_UID);
		assert_int_equal(st.st_gid, USER_GID);
	}
	/* Root passes mode bits. */
	CHECK_OK(rump_sys_chmod(tp("secret"), 0));
	fd = (int)CHECK_OK(rump_sys_open(tp("secret"), O_RDWR, 0));
	CHECK_OK(rump_sys_close(fd));
}

static int
group_setup(void **state)
{
	(void)state;
	return test_kernel_init("open");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(open_creat_excl),
		cmocka_unit_test(open_mode_umask),
		cmocka_unit_test(open_trunc),
		cmocka_unit_test(open_append_two_fds),
		cmocka_unit_test(open_directory),
		cmocka_unit_test(open_nofollow),
		cmocka_unit_test(open_cloexec),
		cmocka_unit_test(open_tmpfile),
		cmocka_unit_test(openat_dirfd),
		cmocka_unit_test(openat2_resolve),
		cmocka_unit_test(close_errors),
		cmocka_unit_test(open_permissions_nonroot),
	};

	return cmocka_run_group_tests_name("vfs_open", tests, group_setup,
	    NULL);
}
