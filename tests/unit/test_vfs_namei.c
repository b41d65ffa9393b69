/*
 * test_vfs_namei.c: path name resolution (absolute, relative, ".", "..",
 * symlinks and ELOOP, ENAMETOOLONG, trailing slashes, *at() with dirfds,
 * AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH), search permission, and mounts:
 * mount/umount2 of a second tmpfs and crossing mount points.
 */
#include "compat.h"

static void
namei_dots_and_slashes(void **state)
{
	struct stat a, b;

	(void)state;
	TEST_DIR();
	CHECK_OK(rump_sys_mkdir(tp("a"), 0755));
	CHECK_OK(rump_sys_mkdir(tp("a/b"), 0755));
	put_file(tp("a/b/f"), "x");
	a = stat_ok(tp("a/b/f"));
	b = stat_ok(tp("a/./b/../b/f"));
	assert_int_equal(a.st_ino, b.st_ino);
	b = stat_ok(tp("/a//b///f"));
	assert_int_equal(a.st_ino, b.st_ino);
	/* ".." of the root is the root. */
	a = stat_ok("/");
	b = stat_ok("/..");
	assert_int_equal(a.st_ino, b.st_ino);
	assert_int_equal(a.st_dev, b.st_dev);
	b = stat_ok("/../../..");
	assert_int_equal(a.st_ino, b.st_ino);
	a = stat_ok(T);
	b = stat_ok(tp("../../../..%s", T));
	assert_int_equal(a.st_ino, b.st_ino);
	/* ".." through a missing or non-directory component fails. */
	CHECK_ERR(rump_sys_stat(tp("missing/.."), &b), ENOENT);
	CHECK_ERR(rump_sys_stat(tp("a/b/f/.."), &b), ENOTDIR);
	CHECK_ERR(rump_sys_stat(tp("a/b/f/"), &b), ENOTDIR);
	CHECK_ERR(rump_sys_stat(tp("a/b/f/x"), &b), ENOTDIR);
	CHECK_ERR(rump_sys_stat("", &b), ENOENT);
}

static void
namei_relative(void **state)
{
	char buf[16];
	struct stat a, b;

	(void)state;
	TEST_DIR();
	CHECK_OK(rump_sys_mkdir(tp("d"), 0755));
	put_file(tp("d/f"), "rel");
	proc_enter();
	CHECK_OK(rump_sys_chdir(T));
	get_file("d/f", buf, sizeof(buf));
	assert_string_equal(buf, "rel");
	get_file("./d/../d/f", buf, sizeof(buf));
	assert_string_equal(buf, "rel");
	CHECK_OK(rump_sys_chdir("d"));
	get_file("f", buf, sizeof(buf));
	assert_string_equal(buf, "rel");
	a = stat_ok("..");
	b = stat_ok(T);
	assert_int_equal(a.st_ino, b.st_ino);
	CHECK_OK(rump_sys_chdir("/"));
	proc_leave();
}

static void
namei_symlinks(void **state)
{
	char buf[16];
	struct stat st, lst;

	(void)state;
	TEST_DIR();
	CHECK_OK(rump_sys_mkdir(tp("d"), 0755));
	put_file(tp("d/f"), "target");
	CHECK_OK(rump_sys_symlink("f", tp("d/rel")));
	CHECK_OK(rump_sys_symlink(tp("d/f"), tp("abs")));
	CHECK_OK(rump_sys_symlink("d", tp("ld")));
	CHECK_OK(rump_sys_symlink("missing", tp("dangling")));
	/* A relative target is relative to the link's directory. */
	get_file(tp("d/rel"), buf, sizeof(buf));
	assert_string_equal(buf, "target");
	get_file(tp("abs"), buf, sizeof(buf));
	assert_string_equal(buf, "target");
	get_file(tp("ld/rel"), buf, sizeof(buf));
	assert_string_equal(buf, "target");
	st = stat_ok(tp("ld"));
	assert_true(S_ISDIR(st.st_mode));
	CHECK_OK(rump_sys_lstat(tp("ld"), &lst));
	assert_true(S_ISLNK(lst.st_mode));
	assert_int_equal(lst.st_size, 1);
	/* A trailing slash follows the link even for lstat. */
	CHECK_OK(rump_sys_lstat(tp("ld/"), &lst));
	assert_true(S_ISDIR(lst.st_mode));
	CHECK_ERR(rump_sys_stat(tp("d/rel/"), &st), ENOTDIR);
	CHECK_ERR(rump_sys_stat(tp("dangling"), &st), ENOENT);
	CHECK_OK(rump_sys_lstat(tp("dangling"), &lst));
	assert_true(S_ISLNK(lst.st_mode));
	/* ".." after a symlink to a directory is the target's parent. */
	CHECK_OK(rump_sys_mkdir(tp("d/sub"), 0755));
	CHECK_OK(rump_sys_symlink("d/sub", tp("lsub")));
	get_file(tp("lsub/../f"), buf, sizeof(buf));
	assert_string_equal(buf, "target");
}

static void
set_linkprefix(const char *v)
{
	int fd = (int)CHECK_OK(rump_sys_open("/proc/sys/vfs/linkprefix",
	    O_WRONLY, 0));

	assert_int_equal(CHECK_OK(rump_sys_write(fd, v, strlen(v))),
	    (long)strlen(v));
	CHECK_OK(rump_sys_close(fd));
}

/* vfs.linkprefix: absolute targets under it resolve without it (what a
 * hijacked "ln -s /rump/x" means); readlink keeps the text as written. */
static void
namei_linkprefix(void **state)
{
	char buf[PATH_MAX], target[PATH_MAX];
	struct stat st;
	ssize_t n;

	(void)state;
	HOST_INVALID();
	TEST_DIR();
	CHECK_OK(rump_sys_mkdir(tp("d"), 0755));
	put_file(tp("d/f"), "target");
	snprintf(target, sizeof(target), "/rump%s", tp("d/f"));
	CHECK_OK(rump_sys_symlink(target, tp("abs")));
	CHECK_OK(rump_sys_symlink("/rump", tp("root")));
	CHECK_OK(rump_sys_symlink("/rump/", tp("root2")));
	snprintf(buf, sizeof(buf), "/rumpish%s", tp("d/f"));
	CHECK_OK(rump_sys_symlink(buf, tp("other")));
	/* Off (the default): the targets name /rump in this kernel. */
	CHECK_ERR(rump_sys_stat(tp("abs"), &st), ENOENT);
	set_linkprefix("/rump/\n");
	get_file(tp("abs"), buf, sizeof(buf));
	assert_string_equal(buf, "target");
	n = CHECK_OK(rump_sys_readlink(tp("abs"), buf, sizeof(buf) - 1));
	buf[n] = '\0';
	assert_string_equal(buf, target);
	CHECK_OK(rump_sys_lstat(tp("abs"), &st));
	assert_int_equal(st.st_size, (long)strlen(target));
	get_file(tp("root%s/d/f", T), buf, sizeof(buf));
	assert_string_equal(buf, "target");
	get_file(tp("root2%s/d/f", T), buf, sizeof(buf));
	assert_string_equal(buf, "target");
	/* Only the whole component matches. */
	CHECK_ERR(rump_sys_stat(tp("other"), &st), ENOENT);
	/* Relative values are not prefixes; empty turns it off. */
	set_linkprefix("rump");
	CHECK_ERR(rump_sys_stat(tp("abs"), &st), ENOENT);
	set_linkprefix("/rump");
	CHECK_OK(rump_sys_stat(tp("abs"), &st));
	set_linkprefix("\n");
	CHECK_ERR(rump_sys_stat(tp("abs"), &st), ENOENT);
}

static void
namei_eloop(void **state)
{
	struct stat st;
	char buf[16];
	int i;

	(void)state;
	TEST_DIR();
	CHECK_OK(rump_sys_symlink("b", tp("a")));
	CHECK_OK(rump_sys_symlink("a", tp("b")));
	CHECK_ERR(rump_sys_stat(tp("a"), &st), ELOOP);
	CHECK_ERR(rump_sys_open(tp("a"), O_RDONLY, 0), ELOOP);
	CHECK_ERR(rump_sys_open(tp("a"), O_RDWR | O_CREAT, 0644), ELOOP);
	CHECK_ERR(rump_sys_stat(tp("a/x"), &st), ELOOP);
	CHECK_OK(rump_sys_lstat(tp("a"), &st));
	CHECK_OK(rump_sys_symlink("self", tp("self")));
	CHECK_ERR(rump_sys_stat(tp("self"), &st), ELOOP);

	/* s1 -> f, s(i) -> s(i-1): reaching f from s40 takes 40 links. */
	put_file(tp("f"), "end");
	CHECK_OK(rump_sys_symlink("f", tp("s1")));
	for (i = 2; i <= 41; i++) {
		char target[16];

		snprintf(target, sizeof(target), "s%d", i - 1);
		CHECK_OK(rump_sys_symlink(target, tp("s%d", i)));
	}
	get_file(tp("s40"), buf, sizeof(buf));
	assert_string_equal(buf, "end");
	CHECK_ERR(rump_sys_stat(tp("s41"), &st), ELOOP);
	CHECK_ERR(rump_sys_open(tp("s41"), O_RDONLY, 0), ELOOP);
	/* The count is per lookup: it restarts with the next call. */
	get_file(tp("s40"), buf, sizeof(buf));
	assert_string_equal(buf, "end");
}

static void
namei_nametoolong(void **state)
{
	char name[300], *path;
	struct stat st;
	size_t n;
	int fd;

	(void)state;
	TEST_DIR();
	memset(name, 'n', 255);
	name[255] = '\0';
	fd = (int)CHECK_OK(rump_sys_open(tp("%s", name), O_RDWR | O_CREAT,
	    0644));
	CHECK_OK(rump_sys_close(fd));
	CHECK_OK(rump_sys_stat(tp("%s", name), &st));
	name[255] = 'n';
	name[256] = '\0';
	CHECK_ERR(rump_sys_open(tp("%s", name), O_RDWR | O_CREAT, 0644),
	    ENAMETOOLONG);
	CHECK_ERR(rump_sys_stat(tp("%s", name), &st), ENAMETOOLONG);
	CHECK_ERR(rump_sys_mkdir(tp("%s", name), 0755), ENAMETOOLONG);

	/* 4095 bytes plus the NUL fit in PATH_MAX; 4096 do not. */
	path = malloc(8192);
	assert_non_null(path);
	put_file(tp("f"), "x");
	n = (size_t)snprintf(path, 8192, "%s/", T);
	while (n < 4095 - 1)
		path[n++] = '/';
	path[n++] = 'f';
	path[n] = '\0';
	assert_int_equal(strlen(path), 4095);
	CHECK_OK(rump_sys_stat(path, &st));
	memmove(path + 1, path, n + 1);
	path[0] = '/';
	assert_int_equal(strlen(path), 4096);
	CHECK_ERR(rump_sys_stat(path, &st), ENAMETOOLONG);
	CHECK_ERR(rump_sys_open(path, O_RDONLY, 0), ENAMETOOLONG);
	free(path);
}

static void
namei_trailing_slash(void **state)
{
	struct stat st;

	(void)state;
	TEST_DIR();
	CHECK_OK(rump_sys_mkdir(tp("a/"), 0755));
	st = stat_ok(tp("a"));
	assert_true(S_ISDIR(st.st_mode));
	CHECK_OK(rump_sys_mkdir(tp("b//"), 0755));
	put_file(tp("f"), "x");
	CHECK_ERR(rump_sys_stat(tp("f/"), &st), ENOTDIR);
	CHECK_ERR(rump_sys_lstat(tp("f/"), &st), ENOTDIR);
	CHECK_ERR(rump_sys_unlink(tp("f/")), ENOTDIR);
	CHECK_ERR(rump_sys_unlink(tp("a/")), EISDIR);
	CHECK_ERR(rump_sys_rmdir(tp("a/.")), EINVAL);
	CHECK_ERR(rump_sys_rmdir(tp("a/..")), ENOTEMPTY);
	CHECK_ERR(rump_sys_rename(tp("f"), tp("g/")), ENOTDIR);
	CHECK_ERR(rump_sys_rename(tp("f/"), tp("g")), ENOTDIR);
	CHECK_OK(rump_sys_rename(tp("b/"), tp("c/")));
	CHECK_OK(rump_sys_rmdir(tp("c/")));
	CHECK_ERR(rump_sys_mknod(tp("p/"), S_IFIFO | 0644, 0), ENOENT);
	CHECK_ERR(rump_sys_symlink("x", tp("sl/")), ENOENT);
	CHECK_ERR(rump_sys_link(tp("f"), tp("h/")), ENOENT);
	CHECK_OK(rump_sys_rmdir(tp("a/")));
}

static void
namei_at_calls(void **state)
{
	struct stat a, b;
	int dfd, fd;

	(void)state;
	TEST_DIR();
	CHECK_OK(rump_sys_mkdir(tp("d"), 0755));
	put_file(tp("d/f"), "hello");
	CHECK_OK(rump_sys_symlink("f", tp("d/l")));
	dfd = (int)CHECK_OK(rump_sys_open(tp("d"), O_RDONLY | O_DIRECTORY, 0));
	fd = (int)CHECK_OK(rump_sys_open(tp("d/f"), O_RDONLY, 0));

	CHECK_OK(rump_sys_newfstatat(dfd, "f", &a, 0));
	assert_int_equal(a.st_size, 5);
	CHECK_OK(rump_sys_newfstatat(dfd, "l", &b, 0));
	assert_int_equal(a.st_ino, b.st_ino);
	CHECK_OK(rump_sys_newfstatat(dfd, "l", &b, AT_SYMLINK_NOFOLLOW));
	assert_true(S_ISLNK(b.st_mode));
	CHECK_OK(rump_sys_newfstatat(AT_FDCWD, tp("d/f"), &b, 0));
	assert_int_equal(a.st_ino, b.st_ino);
	/* AT_EMPTY_PATH: the descriptor itself, of any type. */
	CHECK_OK(rump_sys_newfstatat(fd, "", &b, AT_EMPTY_PATH));
	assert_int_equal(a.st_ino, b.st_ino);
	CHECK_OK(rump_sys_newfstatat(dfd, "", &b, AT_EMPTY_PATH));
	assert_true(S_ISDIR(b.st_mode));
	CHECK_ERR(rump_sys_newfstatat(fd, "", &b, 0), ENOENT);
	CHECK_ERR(rump_sys_newfstatat(9999, "", &b, AT_EMPTY_PATH), EBADF);
	/* A relative path needs a directory descriptor. */
	CHECK_ERR(rump_sys_newfstatat(fd, "x", &b, 0), ENOTDIR);
	CHECK_ERR(rump_sys_newfstatat(9999, "f", &b, 0), EBADF);
	CHECK_ERR(rump_sys_newfstatat(dfd, "f", &b, 0x40000000), EINVAL);
	/* Other *at calls with the same dirfd. */
	CHECK_OK(rump_sys_mkdirat(dfd, "sub", 0755));
	CHECK_OK(rump_sys_symlinkat("sub", dfd, "lsub"));
	CHECK_OK(rump_sys_linkat(dfd, "f", dfd, "sub/hard", 0));
	CHECK_OK(rump_sys_newfstatat(dfd, "lsub/hard", &b, 0));
	assert_int_equal(a.st_ino, b.st_ino);
	assert_int_equal(b.st_nlink, 2);
	CHECK_OK(rump_sys_unlinkat(dfd, "sub/hard", 0));
	CHECK_OK(rump_sys_unlinkat(dfd, "sub", AT_REMOVEDIR));
	CHECK_ERR(rump_sys_newfstatat(dfd, "lsub", &b, 0), ENOENT);
	CHECK_OK(rump_sys_close(fd));
	CHECK_OK(rump_sys_close(dfd));
}

static void
namei_search_permission(void **state)
{
	struct stat st;
	int fd;

	(void)state;
	TEST_DIR();
	CHECK_OK(rump_sys_mkdir(tp("noexec"), 0644));
	put_file(tp("noexec/f"), "x");
	CHECK_OK(rump_sys_mkdir(tp("exeonly"), 0711));
	put_file(tp("exeonly/f"), "x");
	CHECK_OK(rump_sys_symlink("noexec/f", tp("l")));
	user_enter();
	CHECK_ERR(rump_sys_stat(tp("noexec/f"), &st), EACCES);
	CHECK_ERR(rump_sys_stat(tp("l"), &st), EACCES);
	CHECK_OK(rump_sys_lstat(tp("l"), &st));
	CHECK_ERR(rump_sys_chdir(tp("noexec")), EACCES);
	/* Search without read: names can be used, not listed. */
	CHECK_OK(rump_sys_stat(tp("exeonly/f"), &st));
	CHECK_ERR(rump_sys_open(tp("exeonly"), O_RDONLY | O_DIRECTORY, 0),
	    EACCES);
	fd = (int)CHECK_OK(rump_sys_open(tp("exeonly/f"), O_RDONLY, 0));
	CHECK_OK(rump_sys_close(fd));
	user_leave();
	/* Root searches anyway. */
	CHECK_OK(rump_sys_stat(tp("noexec/f"), &st));
}

static void
mount_tmpfs(void **state)
{
	struct statfs sf;
	struct stat a, b;
	char buf[16];
	int fd;

	(void)state;
	TEST_DIR();
	CHECK_OK(rump_sys_mkdir(tp("mnt"), 0755));
	put_file(tp("mnt/under"), "covered");
	CHECK_OK(rump_sys_mount("none", tp("mnt"), "tmpfs", 0, NULL));
	/* The new file system is empty and has its own device. */
	CHECK_ERR(rump_sys_stat(tp("mnt/under"), &a), ENOENT);
	a = stat_ok(T);
	b = stat_ok(tp("mnt"));
	assert_true(S_ISDIR(b.st_mode));
	assert_true(a.st_dev != b.st_dev);
	CHECK_OK(rump_sys_statfs(tp("mnt"), &sf));
	assert_int_equal(sf.f_type, TMPFS_MAGIC);
	/* ".." from its root leads back to the covering file system. */
	b = stat_ok(tp("mnt/.."));
	assert_int_equal(a.st_ino, b.st_ino);
	assert_int_equal(a.st_dev, b.st_dev);
	put_file(tp("mnt/inside"), "in");
	get_file(tp("mnt/inside"), buf, sizeof(buf));
	assert_string_equal(buf, "in");
	/* Busy while a file in it is open; rmdir of the mount point too. */
	fd = (int)CHECK_OK(rump_sys_open(tp("mnt/inside"), O_RDONLY, 0));
	CHECK_ERR(rump_sys_umount2(tp("mnt"), 0), EBUSY);
	CHECK_ERR(rump_sys_rmdir(tp("mnt")), EBUSY);
	CHECK_OK(rump_sys_close(fd));
	CHECK_OK(rump_sys_umount2(tp("mnt"), 0));
	CHECK_ERR(rump_sys_stat(tp("mnt/inside"), &a), ENOENT);
	get_file(tp("mnt/under"), buf, sizeof(buf));
	assert_string_equal(buf, "covered");
	/* Not a mount point any more. */
	CHECK_ERR(rump_sys_umount2(tp("mnt"), 0), EINVAL);
	CHECK_ERR(rump_sys_umount2(tp("nonexistent"), 0), ENOENT);
	CHECK_ERR(rump_sys_umount2(tp("mnt"), 0x80000000), EINVAL);
}

static void
mount_errors(void **state)
{
	(void)state;
	TEST_DIR();
	CHECK_OK(rump_sys_mkdir(tp("mnt"), 0755));
	put_file(tp("file"), "x");
	CHECK_ERR(rump_sys_mount("none", tp("mnt"), "nosuchfs", 0, NULL),
	    ENODEV);
	CHECK_ERR(rump_sys_mount("none", tp("missing"), "tmpfs", 0, NULL),
	    ENOENT);
	CHECK_ERR(rump_sys_mount("none", tp("file"), "tmpfs", 0, NULL),
	    ENOTDIR);
	user_enter();
	CHECK_ERR(rump_sys_mount("none", tp("mnt"), "tmpfs", 0, NULL), EPERM);
	user_leave();
	CHECK_OK(rump_sys_mount("none", tp("mnt"), "tmpfs", 0, NULL));
	user_enter();
	CHECK_ERR(rump_sys_umount2(tp("mnt"), 0), EPERM);
	user_leave();
	CHECK_OK(rump_sys_umount2(tp("mnt"), 0));
}

static void
mount_stacked_visible_to_children(void **state)
{
	struct stat st;

	(void)state;
	TEST_DIR();
	CHECK_OK(rump_sys_mkdir(tp("mnt"), 0755));
	CHECK_OK(rump_sys_mount("none", tp("mnt"), "tmpfs", 0, NULL));
	CHECK_OK(rump_sys_mkdir(tp("mnt/deeper"), 0755));
	CHECK_OK(rump_sys_mount("none", tp("mnt/deeper"), "tmpfs", 0, NULL));
	put_file(tp("mnt/deeper/f"), "x");
	/* The mount table is the kernel's, not a process's. */
	proc_enter();
	CHECK_OK(rump_sys_stat(tp("mnt/deeper/f"), &st));
	proc_leave();
	CHECK_ERR(rump_sys_umount2(tp("mnt"), 0), EBUSY);
	CHECK_OK(rump_sys_umount2(tp("mnt/deeper"), 0));
	CHECK_OK(rump_sys_umount2(tp("mnt"), 0));
	CHECK_ERR(rump_sys_stat(tp("mnt/deeper"), &st), ENOENT);
}

static int
group_setup(void **state)
{
	(void)state;
	return test_kernel_init("namei");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(namei_dots_and_slashes),
		cmocka_unit_test(namei_relative),
		cmocka_unit_test(namei_symlinks),
		cmocka_unit_test(namei_linkprefix),
		cmocka_unit_test(namei_eloop),
		cmocka_unit_test(namei_nametoolong),
		cmocka_unit_test(namei_trailing_slash),
		cmocka_unit_test(namei_at_calls),
		cmocka_unit_test(namei_search_permission),
		cmocka_unit_test(mount_tmpfs),
		cmocka_unit_test(mount_errors),
		cmocka_unit_test(mount_stacked_visible_to_children),
	};

	return cmocka_run_group_tests_name("vfs_namei", tests, group_setup,
	    NULL);
}
