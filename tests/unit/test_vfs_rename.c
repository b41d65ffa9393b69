/*
 * test_vfs_rename.c: the name space edits: rename/renameat/renameat2
 * (RENAME_NOREPLACE, RENAME_EXCHANGE), link/linkat, symlink/symlinkat,
 * readlink/readlinkat.
 */
#include "compat.h"

static void
rename_files(void **state)
{
	struct stat st, old;
	char buf[16];
	int fd;

	(void)state;
	TEST_DIR();
	put_file(tp("a"), "A");
	old = stat_ok(tp("a"));
	CHECK_OK(rump_sys_rename(tp("a"), tp("b")));
	CHECK_ERR(rump_sys_stat(tp("a"), &st), ENOENT);
	st = stat_ok(tp("b"));
	assert_int_equal(st.st_ino, old.st_ino);
	get_file(tp("b"), buf, sizeof(buf));
	assert_string_equal(buf, "A");
	/* Over an existing file: replaced; an open descriptor keeps the old. */
	put_file(tp("c"), "C");
	fd = (int)CHECK_OK(rump_sys_open(tp("c"), O_RDONLY, 0));
	CHECK_OK(rump_sys_rename(tp("b"), tp("c")));
	get_file(tp("c"), buf, sizeof(buf));
	assert_string_equal(buf, "A");
	CHECK_OK(rump_sys_fstat(fd, &st));
	assert_int_equal(st.st_nlink, 0);
	memset(buf, 0, sizeof(buf));
	CHECK_OK(rump_sys_read(fd, buf, sizeof(buf)));
	assert_string_equal(buf, "C");
	CHECK_OK(rump_sys_close(fd));
	/* To itself and to another link of itself: nothing happens. */
	CHECK_OK(rump_sys_rename(tp("c"), tp("c")));
	CHECK_OK(rump_sys_link(tp("c"), tp("c2")));
	CHECK_OK(rump_sys_rename(tp("c"), tp("c2")));
	CHECK_OK(rump_sys_stat(tp("c"), &st));
	assert_int_equal(st.st_nlink, 2);
	CHECK_OK(rump_sys_stat(tp("c2"), &st));
	/* A symlink is replaced, not followed. */
	put_file(tp("target"), "T");
	CHECK_OK(rump_sys_symlink("target", tp("sl")));
	CHECK_OK(rump_sys_rename(tp("c2"), tp("sl")));
	CHECK_OK(rump_sys_lstat(tp("sl"), &st));
	assert_true(S_ISREG(st.st_mode));
	get_file(tp("target"), buf, sizeof(buf));
	assert_string_equal(buf, "T");
	/* Errors. */
	CHECK_ERR(rump_sys_rename(tp("missing"), tp("x")), ENOENT);
	CHECK_ERR(rump_sys_rename(tp("c"), tp("nodir/x")), ENOENT);
	CHECK_ERR(rump_sys_rename(tp("c"), tp("target/x")), ENOTDIR);
	CHECK_ERR(rump_sys_rename(tp("c"), ""), ENOENT);
}

static void
rename_dirs(void **state)
{
	struct stat st, a, b;

	(void)state;
	TEST_DIR();
	CHECK_OK(rump_sys_mkdir(tp("p1"), 0755));
	CHECK_OK(rump_sys_mkdir(tp("p2"), 0755));
	CHECK_OK(rump_sys_mkdir(tp("p1/d"), 0755));
	CHECK_OK(rump_sys_mkdir(tp("p1/d/sub"), 0755));
	put_file(tp("p1/d/f"), "x");
	put_file(tp("file"), "x");
	assert_int_equal(stat_ok(tp("p1")).st_nlink, 3);
	/* Moving a directory moves its ".." and the link counts. */
	CHECK_OK(rump_sys_rename(tp("p1/d"), tp("p2/d")));
	assert_int_equal(stat_ok(tp("p1")).st_nlink, 2);
	assert_int_equal(stat_ok(tp("p2")).st_nlink, 3);
	a = stat_ok(tp("p2/d/.."));
	b = stat_ok(tp("p2"));
	assert_int_equal(a.st_ino, b.st_ino);
	CHECK_OK(rump_sys_stat(tp("p2/d/f"), &st));
	/* Into itself. */
	CHECK_ERR(rump_sys_rename(tp("p2/d"), tp("p2/d/sub/d")), EINVAL);
	CHECK_ERR(rump_sys_rename(tp("p2"), tp("p2/d/x")), EINVAL);
	/* Type mismatches. */
	CHECK_ERR(rump_sys_rename(tp("file"), tp("p1")), EISDIR);
	CHECK_ERR(rump_sys_rename(tp("p1"), tp("file")), ENOTDIR);
	/* Over an empty directory: fine; over a non-empty one: not. */
	CHECK_ERR(rump_sys_rename(tp("p1"), tp("p2")), ENOTEMPTY);
	CHECK_OK(rump_sys_mkdir(tp("empty"), 0755));
	CHECK_OK(rump_sys_rename(tp("p1"), tp("empty")));
	CHECK_ERR(rump_sys_stat(tp("p1"), &st), ENOENT);
	assert_int_equal(stat_ok(T).st_nlink, 4);	/* p2, empty */
	/* "." and ".." cannot be renamed, nor be the target. */
	CHECK_ERR(rump_sys_rename(tp("p2/d/."), tp("x")), EBUSY);
	CHECK_ERR(rump_sys_rename(tp("p2/d/.."), tp("x")), EBUSY);
	CHECK_ERR(rump_sys_rename(tp("empty"), tp("p2/.")), EBUSY);
	CHECK_ERR(rump_sys_rename("/", tp("x")), EBUSY);
}

static void
rename_across_mounts(void **state)
{
	struct stat st;

	(void)state;
	TEST_DIR();
	CHECK_OK(rump_sys_mkdir(tp("mnt"), 0755));
	CHECK_OK(rump_sys_mount("none", tp("mnt"), "tmpfs", 0, NULL));
	put_file(tp("f"), "x");
	CHECK_OK(rump_sys_mkdir(tp("d"), 0755));
	CHECK_ERR(rump_sys_rename(tp("f"), tp("mnt/f")), EXDEV);
	CHECK_ERR(rump_sys_rename(tp("d"), tp("mnt/d")), EXDEV);
	CHECK_ERR(rump_sys_link(tp("f"), tp("mnt/f")), EXDEV);
	/* The mount point itself is busy. */
	CHECK_ERR(rump_sys_rename(tp("mnt"), tp("mnt2")), EBUSY);
	CHECK_ERR(rump_sys_stat(tp("mnt/f"), &st), ENOENT);
	CHECK_OK(rump_sys_umount2(tp("mnt"), 0));
}

static void
renameat2_flags(void **state)
{
	char buf[16];
	struct stat st;
	int d1, d2;

	(void)state;
	TEST_DIR();
	CHECK_OK(rump_sys_mkdir(tp("x"), 0755));
	CHECK_OK(rump_sys_mkdir(tp("y"), 0755));
	put_file(tp("x/a"), "AAA");
	put_file(tp("y/b"), "BB");
	d1 = (int)CHECK_OK(rump_sys_open(tp("x"), O_RDONLY | O_DIRECTORY, 0));
	d2 = (int)CHECK_OK(rump_sys_open(tp("y"), O_RDONLY | O_DIRECTORY, 0));
	CHECK_ERR(rump_sys_renameat2(d1, "a", d2, "b", RENAME_NOREPLACE),
	    EEXIST);
	get_file(tp("y/b"), buf, sizeof(buf));
	assert_string_equal(buf, "BB");
	CHECK_OK(rump_sys_renameat2(d1, "a", d2, "a", RENAME_NOREPLACE));
	CHECK_ERR(rump_sys_stat(tp("x/a"), &st), ENOENT);
	/* Exchange swaps the two names atomically. */
	CHECK_OK(rump_sys_renameat2(d2, "a", d2, "b", RENAME_EXCHANGE));
	get_file(tp("y/a"), buf, sizeof(buf));
	assert_string_equal(buf, "BB");
	get_file(tp("y/b"), buf, sizeof(buf));
	assert_string_equal(buf, "AAA");
	/* Even a file with a directory, across directories. */
	CHECK_OK(rump_sys_mkdir(tp("x/dir"), 0755));
	put_file(tp("x/dir/inner"), "i");
	CHECK_OK(rump_sys_renameat2(d1, "dir", d2, "a", RENAME_EXCHANGE));
	assert_true(S_ISDIR(stat_ok(tp("y/a")).st_mode));
	assert_true(S_ISREG(stat_ok(tp("x/dir")).st_mode));
	CHECK_OK(rump_sys_stat(tp("y/a/inner"), &st));
	assert_int_equal(stat_ok(tp("y/a/..")).st_ino, stat_ok(tp("y")).st_ino);
	assert_int_equal(stat_ok(tp("x")).st_nlink, 2);
	assert_int_equal(stat_ok(tp("y")).st_nlink, 3);
	/* Both names must exist; flags are exclusive. */
	CHECK_ERR(rump_sys_renameat2(d1, "dir", d2, "none", RENAME_EXCHANGE),
	    ENOENT);
	CHECK_ERR(rump_sys_renameat2(d1, "dir", d2, "b",
	    RENAME_EXCHANGE | RENAME_NOREPLACE), EINVAL);
	CHECK_ERR(rump_sys_renameat2(d1, "dir", d2, "b", 0x100), EINVAL);
	/* Plain renameat with dirfds and AT_FDCWD. */
	CHECK_OK(rump_sys_renameat(d1, "dir", AT_FDCWD, tp("moved")));
	CHECK_OK(rump_sys_stat(tp("moved"), &st));
	CHECK_ERR(rump_sys_renameat(9999, "dir", d2, "x"), EBADF);
	CHECK_OK(rump_sys_close(d1));
	CHECK_OK(rump_sys_close(d2));
}

static void
rename_permissions_nonroot(void **state)
{
	(void)state;
	TEST_DIR();
	CHECK_OK(rump_sys_mkdir(tp("ro"), 0755));
	put_file(tp("ro/f"), "x");
	CHECK_OK(rump_sys_mkdir(tp("tmp"), 0755));
	CHECK_OK(rump_sys_chmod(tp("tmp"), 01777));
	put_file(tp("tmp/roots"), "x");
	user_enter();
	CHECK_ERR(rump_sys_rename(tp("ro/f"), tp("ro/g")), EACCES);
	CHECK_ERR(rump_sys_rename(tp("tmp/roots"), tp("tmp/mine")), EPERM);
	put_file(tp("tmp/mine"), "m");
	CHECK_ERR(rump_sys_rename(tp("tmp/mine"), tp("tmp/roots")), EPERM);
	CHECK_OK(rump_sys_rename(tp("tmp/mine"), tp("tmp/mine2")));
	user_leave();
}

static void
link_cases(void **state)
{
	struct stat st;
	char buf[16];
	int dfd;

	(void)state;
	TEST_DIR();
	put_file(tp("f"), "shared");
	CHECK_OK(rump_sys_link(tp("f"), tp("g")));
	CHECK_OK(rump_sys_link(tp("g"), tp("h")));
	st = stat_ok(tp("f"));
	assert_int_equal(st.st_nlink, 3);
	assert_int_equal(stat_ok(tp("h")).st_ino, st.st_ino);
	put_file(tp("h"), "changed");
	get_file(tp("f"), buf, sizeof(buf));
	assert_string_equal(buf, "changed");
	CHECK_OK(rump_sys_unlink(tp("f")));
	assert_int_equal(stat_ok(tp("g")).st_nlink, 2);
	/* Errors. */
	CHECK_ERR(rump_sys_link(tp("g"), tp("h")), EEXIST);
	CHECK_ERR(rump_sys_link(tp("missing"), tp("x")), ENOENT);
	CHECK_ERR(rump_sys_link(tp("g"), tp("nodir/x")), ENOENT);
	CHECK_OK(rump_sys_mkdir(tp("d"), 0755));
	CHECK_ERR(rump_sys_link(tp("d"), tp("d2")), EPERM);
	/* linkat: a symlink itself, or with AT_SYMLINK_FOLLOW its target. */
	CHECK_OK(rump_sys_symlink("g", tp("sl")));
	dfd = (int)CHECK_OK(rump_sys_open(T, O_RDONLY | O_DIRECTORY, 0));
	CHECK_OK(rump_sys_linkat(dfd, "sl", dfd, "sl_hard", 0));
	CHECK_OK(rump_sys_lstat(tp("sl_hard"), &st));
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(st.st_nlink, 2);
	CHECK_OK(rump_sys_linkat(dfd, "sl", AT_FDCWD, tp("target_hard"),
	    AT_SYMLINK_FOLLOW));
	CHECK_OK(rump_sys_lstat(tp("target_hard"), &st));
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_nlink, 3);
	CHECK_ERR(rump_sys_linkat(dfd, "g", dfd, "x", 0x1), EINVAL);
	CHECK_ERR(rump_sys_linkat(9999, "g", dfd, "x", 0), EBADF);
	CHECK_OK(rump_sys_close(dfd));
}

static void
symlink_readlink(void **state)
{
	char buf[64], *longname;
	struct stat st;
	ssize_t n;
	int dfd;

	(void)state;
	TEST_DIR();
	CHECK_OK(rump_sys_symlink("some/where/else", tp("l")));
	CHECK_OK(rump_sys_lstat(tp("l"), &st));
	assert_int_equal(st.st_size, 15);
	memset(buf, 'X', sizeof(buf));
	n = CHECK_OK(rump_sys_readlink(tp("l"), buf, sizeof(buf)));
	assert_int_equal(n, 15);
	assert_memory_equal(buf, "some/where/else", 15);
	assert_int_equal(buf[15], 'X');		/* no NUL */
	/* Truncated to the buffer, silently. */
	memset(buf, 'X', sizeof(buf));
	assert_int_equal(CHECK_OK(rump_sys_readlink(tp("l"), buf, 4)), 4);
	assert_memory_equal(buf, "someX", 5);
	CHECK_ERR(rump_sys_readlink(tp("l"), buf, 0), EINVAL);
	/* The target is stored as given, not resolved. */
	CHECK_OK(rump_sys_symlink("../../x/./y//", tp("odd")));
	n = CHECK_OK(rump_sys_readlink(tp("odd"), buf, sizeof(buf)));
	assert_int_equal(n, 13);
	assert_memory_equal(buf, "../../x/./y//", 13);
	/* Errors. */
	put_file(tp("f"), "x");
	CHECK_ERR(rump_sys_readlink(tp("f"), buf, sizeof(buf)), EINVAL);
	CHECK_ERR(rump_sys_readlink(T, buf, sizeof(buf)), EINVAL);
	CHECK_ERR(rump_sys_readlink(tp("missing"), buf, sizeof(buf)), ENOENT);
	CHECK_ERR(rump_sys_symlink("x", tp("f")), EEXIST);
	CHECK_ERR(rump_sys_symlink("x", tp("l")), EEXIST);
	CHECK_ERR(rump_sys_symlink("", tp("empty")), ENOENT);
	CHECK_ERR(rump_sys_symlink("x", tp("nodir/l")), ENOENT);
	/* Targets up to PATH_MAX - 1 bytes. */
	longname = malloc(PATH_MAX + 1);
	assert_non_null(longname);
	memset(longname, 'a', PATH_MAX);
	longname[PATH_MAX - 1] = '\0';
	CHECK_OK(rump_sys_symlink(longname, tp("long")));
	CHECK_OK(rump_sys_lstat(tp("long"), &st));
	assert_int_equal(st.st_size, PATH_MAX - 1);
	longname[PATH_MAX - 1] = 'a';
	longname[PATH_MAX] = '\0';
	CHECK_ERR(rump_sys_symlink(longname, tp("toolong")), ENAMETOOLONG);
	free(longname);
	/* *at forms. */
	dfd = (int)CHECK_OK(rump_sys_open(T, O_RDONLY | O_DIRECTORY, 0));
	CHECK_OK(rump_sys_symlinkat("f", dfd, "atlink"));
	n = CHECK_OK(rump_sys_readlinkat(dfd, "atlink", buf, sizeof(buf)));
	assert_int_equal(n, 1);
	assert_int_equal(buf[0], 'f');
	n = CHECK_OK(rump_sys_readlinkat(AT_FDCWD, tp("atlink"), buf,
	    sizeof(buf)));
	assert_int_equal(n, 1);
	CHECK_ERR(rump_sys_readlinkat(dfd, "f", buf, sizeof(buf)), EINVAL);
	CHECK_ERR(rump_sys_symlinkat("f", 9999, "x"), EBADF);
	CHECK_OK(rump_sys_close(dfd));
	/* Owned by the creator, mode 0777 whatever the umask. */
	CHECK_OK(rump_sys_lstat(tp("atlink"), &st));
	assert_int_equal(st.st_mode & 07777, 0777);
	assert_int_equal(st.st_uid, 0);
}

static int
group_setup(void **state)
{
	(void)state;
	return test_kernel_init("rename");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rename_files),
		cmocka_unit_test(rename_dirs),
		cmocka_unit_test(rename_across_mounts),
		cmocka_unit_test(renameat2_flags),
		cmocka_unit_test(rename_permissions_nonroot),
		cmocka_unit_test(link_cases),
		cmocka_unit_test(symlink_readlink),
	};

	return cmocka_run_group_tests_name("vfs_rename", tests, group_setup,
	    NULL);
}
