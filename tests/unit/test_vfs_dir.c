/*
 * test_vfs_dir.c: directories: mkdir(at), rmdir, unlink(at), getdents64,
 * chdir/fchdir/getcwd and chroot.
 */
#include "compat.h"

struct dirent64_rec {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

static void
mkdir_basics(void **state)
{
	struct stat st, parent0, parent1;
	mode_t old;

	(void)state;
	TEST_DIR();
	old = rump_sys_umask(022);
	parent0 = stat_ok(T);
	assert_int_equal(parent0.st_nlink, 2);
	CHECK_OK(rump_sys_mkdir(tp("d"), 0777));
	st = stat_ok(tp("d"));
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0755);
	assert_int_equal(st.st_nlink, 2);
	assert_int_equal(st.st_uid, 0);
	parent1 = stat_ok(T);
	assert_int_equal(parent1.st_nlink, 3);
	/* The sticky bit is kept, the umask applies to the rest. */
	CHECK_OK(rump_sys_mkdir(tp("sticky"), 01777));
	assert_int_equal(stat_ok(tp("sticky")).st_mode & 07777, 01755);
	rump_sys_umask(0);
	CHECK_OK(rump_sys_mkdir(tp("open"), 0777));
	assert_int_equal(stat_ok(tp("open")).st_mode & 07777, 0777);
	rump_sys_umask(old);

	CHECK_ERR(rump_sys_mkdir(tp("d"), 0755), EEXIST);
	put_file(tp("f"), "x");
	CHECK_ERR(rump_sys_mkdir(tp("f"), 0755), EEXIST);
	CHECK_OK(rump_sys_symlink("nowhere", tp("dangling")));
	CHECK_ERR(rump_sys_mkdir(tp("dangling"), 0755), EEXIST);
	CHECK_ERR(rump_sys_mkdir(tp("missing/d"), 0755), ENOENT);
	CHECK_ERR(rump_sys_mkdir(tp("f/d"), 0755), ENOTDIR);
	CHECK_ERR(rump_sys_mkdir("/", 0755), EEXIST);
	CHECK_ERR(rump_sys_mkdir(tp("."), 0755), EEXIST);
	CHECK_ERR(rump_sys_mkdir("", 0755), ENOENT);
}

static void
mkdirat_dirfd(void **state)
{
	struct stat st;
	int dfd, ffd;

	(void)state;
	TEST_DIR();
	dfd = (int)CHECK_OK(rump_sys_open(T, O_RDONLY | O_DIRECTORY, 0));
	CHECK_OK(rump_sys_mkdirat(dfd, "sub", 0700));
	st = stat_ok(tp("sub"));
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0700);
	CHECK_ERR(rump_sys_mkdirat(dfd, "sub", 0700), EEXIST);
	CHECK_OK(rump_sys_mkdirat(AT_FDCWD, tp("abs"), 0755));
	put_file(tp("f"), "x");
	ffd = (int)CHECK_OK(rump_sys_open(tp("f"), O_RDONLY, 0));
	CHECK_ERR(rump_sys_mkdirat(ffd, "x", 0755), ENOTDIR);
	CHECK_ERR(rump_sys_mkdirat(9999, "x", 0755), EBADF);
	CHECK_OK(rump_sys_close(ffd));
	CHECK_OK(rump_sys_close(dfd));
}

static void
rmdir_cases(void **state)
{
	struct stat st;

	(void)state;
	TEST_DIR();
	CHECK_OK(rump_sys_mkdir(tp("d"), 0755));
	put_file(tp("d/f"), "x");
	CHECK_ERR(rump_sys_rmdir(tp("d")), ENOTEMPTY);
	CHECK_ERR(rump_sys_rmdir(tp("d/f")), ENOTDIR);
	CHECK_ERR(rump_sys_rmdir(tp("missing")), ENOENT);
	CHECK_ERR(rump_sys_rmdir("/"), EBUSY);
	CHECK_ERR(rump_sys_rmdir(tp("d/.")), EINVAL);
	CHECK_ERR(rump_sys_rmdir(tp("d/..")), ENOTEMPTY);
	CHECK_OK(rump_sys_symlink("d", tp("ld")));
	CHECK_ERR(rump_sys_rmdir(tp("ld")), ENOTDIR);
	CHECK_OK(rump_sys_unlink(tp("d/f")));
	assert_int_equal(stat_ok(T).st_nlink, 3);
	CHECK_OK(rump_sys_rmdir(tp("d")));
	assert_int_equal(stat_ok(T).st_nlink, 2);
	CHECK_ERR(rump_sys_stat(tp("d"), &st), ENOENT);
	CHECK_ERR(rump_sys_rmdir(tp("d")), ENOENT);
}

static void
unlink_cases(void **state)
{
	struct stat st;
	char buf[8];
	int dfd;

	(void)state;
	TEST_DIR();
	CHECK_OK(rump_sys_mkdir(tp("d"), 0755));
	put_file(tp("f"), "data");
	CHECK_OK(rump_sys_link(tp("f"), tp("g")));
	CHECK_OK(rump_sys_symlink("f", tp("l")));
	CHECK_ERR(rump_sys_unlink(tp("d")), EISDIR);
	CHECK_ERR(rump_sys_unlink(tp("missing")), ENOENT);
	CHECK_ERR(rump_sys_unlink(tp("f/x")), ENOTDIR);
	/* Unlinking a symlink removes the link, not its target. */
	CHECK_OK(rump_sys_unlink(tp("l")));
	CHECK_ERR(rump_sys_lstat(tp("l"), &st), ENOENT);
	assert_int_equal(stat_ok(tp("f")).st_nlink, 2);
	CHECK_OK(rump_sys_unlink(tp("f")));
	st = stat_ok(tp("g"));
	assert_int_equal(st.st_nlink, 1);
	get_file(tp("g"), buf, sizeof(buf));
	assert_string_equal(buf, "data");

	dfd = (int)CHECK_OK(rump_sys_open(T, O_RDONLY | O_DIRECTORY, 0));
	CHECK_ERR(rump_sys_unlinkat(dfd, "g", AT_REMOVEDIR), ENOTDIR);
	CHECK_ERR(rump_sys_unlinkat(dfd, "d", 0), EISDIR);
	CHECK_ERR(rump_sys_unlinkat(dfd, "g", 0x1), EINVAL);
	CHECK_OK(rump_sys_unlinkat(dfd, "g", 0));
	CHECK_OK(rump_sys_unlinkat(dfd, "d", AT_REMOVEDIR));
	CHECK_ERR(rump_sys_stat(tp("d"), &st), ENOENT);
	CHECK_ERR(rump_sys_unlinkat(9999, "x", 0), EBADF);
	CHECK_OK(rump_sys_close(dfd));
}

static void
unlink_permissions_nonroot(void **state)
{
	(void)state;
	TEST_DIR();
	CHECK_OK(rump_sys_mkdir(tp("ro"), 0755));
	put_file(tp("ro/f"), "x");
	CHECK_OK(rump_sys_mkdir(tp("tmp"), 0755));
	CHECK_OK(rump_sys_chmod(tp("tmp"), 01777));
	put_file(tp("tmp/roots"), "x");
	CHECK_OK(rump_sys_mkdir(tp("open"), 0755));
	CHECK_OK(rump_sys_chmod(tp("open"), 0777));
	put_file(tp("open/roots"), "x");
	user_enter();
	CHECK_ERR(rump_sys_unlink(tp("ro/f")), EACCES);
	CHECK_ERR(rump_sys_rmdir(tp("ro")), EACCES);
	/* Sticky directory: only the owner of the file may remove it. */
	CHECK_ERR(rump_sys_unlink(tp("tmp/roots")), EPERM);
	put_file(tp("tmp/mine"), "x");
	CHECK_OK(rump_sys_unlink(tp("tmp/mine")));
	/* Without the sticky bit, write permission on the directory is enough. */
	CHECK_OK(rump_sys_unlink(tp("open/roots")));
	user_leave();
}

/* Reads the whole directory with buffers of bufsz; calls fn per record. */
static int
list_dir(const char *path, size_t bufsz,
    void (*fn)(const struct dirent64_rec *, void *), void *arg)
{
	char *buf;
	ssize_t n, off;
	int fd, count = 0;

	buf = malloc(bufsz);
	assert_non_null(buf);
	fd = (int)CHECK_OK(rump_sys_open(path, O_RDONLY | O_DIRECTORY, 0));
	for (;;) {
		n = CHECK_OK(rump_sys_getdents64(fd, buf, bufsz));
		if (n == 0)
			break;
		for (off = 0; off < n; ) {
			const struct dirent64_rec *d = (const void *)(buf + off);

			assert_true(d->d_reclen >=
			    offsetof(struct dirent64_rec, d_name) + 2);
			assert_int_equal(d->d_reclen % 8, 0);
			assert_true(off + d->d_reclen <= n);
			assert_true(strlen(d->d_name) <
			    d->d_reclen - offsetof(struct dirent64_rec, d_name));
			fn(d, arg);
			count++;
			off += d->d_reclen;
		}
	}
	CHECK_OK(rump_sys_close(fd));
	free(buf);
	return count;
}

struct typecheck {
	int seen;
};

static void
check_type(const struct dirent64_rec *d, void *arg)
{
	struct typecheck *tc = arg;
	struct stat st;
	static const struct {
		const char *name;
		unsigned char type;
	} want[] = {
		{ ".", DT_DIR }, { "..", DT_DIR }, { "reg", DT_REG },
		{ "dir", DT_DIR }, { "lnk", DT_LNK }, { "fifo", DT_FIFO },
	};
	size_t i;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		if (strcmp(d->d_name, want[i].name) != 0)
			continue;
		assert_int_equal(d->d_type, want[i].type);
		assert_int_equal(tc->seen & (1 << i), 0);
		tc->seen |= 1 << i;
		if (i >= 2) {
			CHECK_OK(rump_sys_lstat(tp("%s", d->d_name), &st));
			assert_int_equal(d->d_ino, st.st_ino);
		}
		return;
	}
	fail_msg("unexpected entry \"%s\"", d->d_name);
}

static void
getdents_types(void **state)
{
	struct typecheck tc = { 0 };

	(void)state;
	TEST_DIR();
	put_file(tp("reg"), "x");
	CHECK_OK(rump_sys_mkdir(tp("dir"), 0755));
	CHECK_OK(rump_sys_symlink("reg", tp("lnk")));
	CHECK_OK(rump_sys_mknod(tp("fifo"), S_IFIFO | 0644, 0));
	put_file(tp("gone"), "x");
	CHECK_OK(rump_sys_unlink(tp("gone")));
	assert_int_equal(list_dir(T, 4096, check_type, &tc), 6);
	assert_int_equal(tc.seen, 0x3f);
	/* An empty directory has "." and ".." only. */
	tc.seen = 0;
	assert_int_equal(list_dir(tp("dir"), 4096, check_type, &tc), 2);
}

#define NBIG	1000

static void
mark_seen(const struct dirent64_rec *d, void *arg)
{
	int *seen = arg;
	int i;

	if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0) {
		seen[NBIG]++;
		return;
	}
	assert_int_equal(sscanf(d->d_name, "e%d", &i), 1);
	assert_true(i >= 0 && i < NBIG);
	seen[i]++;
}

static void
getdents_many_small_buffer(void **state)
{
	int seen[NBIG + 1];
	int i, fd;

	(void)state;
	TEST_DIR();
	for (i = 0; i < NBIG; i++) {
		fd = (int)CHECK_OK(rump_sys_open(tp("e%04d", i),
		    O_WRONLY | O_CREAT | O_EXCL, 0644));
		CHECK_OK(rump_sys_close(fd));
	}
	assert_int_equal(stat_ok(T).st_nlink, 2);
	memset(seen, 0, sizeof(seen));
	assert_int_equal(list_dir(T, 512, mark_seen, seen), NBIG + 2);
	for (i = 0; i < NBIG; i++)
		assert_int_equal(seen[i], 1);
	assert_int_equal(seen[NBIG], 2);
	/* Remove every other one and list again. */
	for (i = 0; i < NBIG; i += 2)
		CHECK_OK(rump_sys_unlink(tp("e%04d", i)));
	memset(seen, 0, sizeof(seen));
	assert_int_equal(list_dir(T, 512, mark_seen, seen), NBIG / 2 + 2);
	for (i = 0; i < NBIG; i++)
		assert_int_equal(seen[i], i % 2);
}

static void
getdents_offsets_and_errors(void **state)
{
	struct {
		char name[16];
		int64_t off;
	} rec[16];
	char buf[4096];
	ssize_t n, off;
	int fd, ffd, nrec = 0, i, j;

	(void)state;
	TEST_DIR();
	for (i = 0; i < 8; i++)
		put_file(tp("n%d", i), "x");
	fd = (int)CHECK_OK(rump_sys_open(T, O_RDONLY | O_DIRECTORY, 0));
	n = CHECK_OK(rump_sys_getdents64(fd, buf, sizeof(buf)));
	for (off = 0; off < n; nrec++) {
		const struct dirent64_rec *d = (const void *)(buf + off);

		assert_true(nrec < 16);
		snprintf(rec[nrec].name, sizeof(rec[nrec].name), "%s",
		    d->d_name);
		rec[nrec].off = d->d_off;
		off += d->d_reclen;
	}
	assert_int_equal(nrec, 10);
	assert_int_equal(CHECK_OK(rump_sys_getdents64(fd, buf, sizeof(buf))),
	    0);
	for (i = 0; i < nrec; i++)
		for (j = i + 1; j < nrec; j++)
			assert_true(rec[i].off != rec[j].off);
	/* d_off of a record is where the next one starts. */
	for (i = 0; i < nrec - 1; i++) {
		const struct dirent64_rec *d = (const void *)buf;

		assert_int_equal(CHECK_OK(rump_sys_lseek(fd, rec[i].off,
		    SEEK_SET)), rec[i].off);
		CHECK_OK(rump_sys_getdents64(fd, buf, sizeof(buf)));
		assert_string_equal(d->d_name, rec[i + 1].name);
	}
	/* Rewinding lists from the start again. */
	CHECK_OK(rump_sys_lseek(fd, 0, SEEK_SET));
	n = CHECK_OK(rump_sys_getdents64(fd, buf, sizeof(buf)));
	assert_string_equal(((const struct dirent64_rec *)buf)->d_name,
	    rec[0].name);
	/* A buffer too small for one record. */
	CHECK_OK(rump_sys_lseek(fd, 0, SEEK_SET));
	CHECK_ERR(rump_sys_getdents64(fd, buf, 8), EINVAL);
	CHECK_OK(rump_sys_close(fd));
	CHECK_ERR(rump_sys_getdents64(fd, buf, sizeof(buf)), EBADF);
	ffd = (int)CHECK_OK(rump_sys_open(tp("n0"), O_RDONLY, 0));
	CHECK_ERR(rump_sys_getdents64(ffd, buf, sizeof(buf)), ENOTDIR);
	CHECK_OK(rump_sys_close(ffd));
	/* A removed directory lists nothing. */
	CHECK_OK(rump_sys_mkdir(tp("dead"), 0755));
	fd = (int)CHECK_OK(rump_sys_open(tp("dead"), O_RDONLY | O_DIRECTORY,
	    0));
	CHECK_OK(rump_sys_rmdir(tp("dead")));
	CHECK_ERR(rump_sys_getdents64(fd, buf, sizeof(buf)), ENOENT);
	CHECK_OK(rump_sys_close(fd));
}

static void
cwd_getcwd(void **state)
{
	char buf[PATH_MAX], want[PATH_MAX];
	struct stat st;
	int dfd, ffd;

	(void)state;
	TEST_DIR();
	proc_enter();
	CHECK_OK(rump_sys_chdir("/"));
	assert_non_null(rump_sys_getcwd(buf, sizeof(buf)));
	assert_string_equal(buf, "/");
	CHECK_OK(rump_sys_mkdir(tp("a"), 0755));
	CHECK_OK(rump_sys_mkdir(tp("a/b"), 0755));
	CHECK_OK(rump_sys_mkdir(tp("a/b/c"), 0755));
	CHECK_OK(rump_sys_chdir(tp("a")));
	CHECK_OK(rump_sys_chdir("b/c"));
	assert_non_null(rump_sys_getcwd(buf, sizeof(buf)));
	assert_string_equal(buf, tp("a/b/c"));
	CHECK_OK(rump_sys_chdir(".."));
	assert_non_null(rump_sys_getcwd(buf, sizeof(buf)));
	assert_string_equal(buf, tp("a/b"));
	/* Relative names now start at a/b. */
	put_file("rel", "r");
	CHECK_OK(rump_sys_stat(tp("a/b/rel"), &st));
	/* Renaming an ancestor shows in the next getcwd. */
	CHECK_OK(rump_sys_rename(tp("a"), tp("z")));
	assert_non_null(rump_sys_getcwd(buf, sizeof(buf)));
	assert_string_equal(buf, tp("z/b"));
	/* Buffer sizes: the path plus its NUL, else ERANGE. */
	snprintf(want, sizeof(want), "%s", tp("z/b"));
	errno = 0;
	assert_null(rump_sys_getcwd(buf, strlen(want)));
	assert_int_equal(errno, ERANGE);
	assert_null(rump_sys_getcwd(buf, 2));
	assert_int_equal(errno, ERANGE);
	assert_non_null(rump_sys_getcwd(buf, strlen(want) + 1));
	assert_string_equal(buf, want);
	/* Through a symlink, getcwd gives the real path. */
	CHECK_OK(rump_sys_symlink("z/b/c", tp("lc")));
	CHECK_OK(rump_sys_chdir(tp("lc")));
	assert_non_null(rump_sys_getcwd(buf, sizeof(buf)));
	assert_string_equal(buf, tp("z/b/c"));
	/* fchdir */
	dfd = (int)CHECK_OK(rump_sys_open(tp("z"), O_RDONLY | O_DIRECTORY, 0));
	CHECK_OK(rump_sys_fchdir(dfd));
	assert_non_null(rump_sys_getcwd(buf, sizeof(buf)));
	assert_string_equal(buf, tp("z"));
	ffd = (int)CHECK_OK(rump_sys_open(tp("z/b/rel"), O_RDONLY, 0));
	CHECK_ERR(rump_sys_fchdir(ffd), ENOTDIR);
	CHECK_ERR(rump_sys_fchdir(9999), EBADF);
	CHECK_ERR(rump_sys_chdir(tp("z/b/rel")), ENOTDIR);
	CHECK_ERR(rump_sys_chdir(tp("missing")), ENOENT);
	CHECK_OK(rump_sys_close(ffd));
	CHECK_OK(rump_sys_close(dfd));
	/* A removed cwd: getcwd ENOENT, nothing can be created in it. */
	CHECK_OK(rump_sys_mkdir(tp("doomed"), 0755));
	CHECK_OK(rump_sys_chdir(tp("doomed")));
	CHECK_OK(rump_sys_rmdir(tp("doomed")));
	errno = 0;
	assert_null(rump_sys_getcwd(buf, sizeof(buf)));
	assert_int_equal(errno, ENOENT);
	CHECK_ERR(rump_sys_open("f", O_RDWR | O_CREAT, 0644), ENOENT);
	CHECK_ERR(rump_sys_mkdir("d", 0755), ENOENT);
	st = stat_ok(".");
	assert_int_equal(st.st_nlink, 0);
	CHECK_OK(rump_sys_chdir("/"));
	proc_leave();
}

static void
cwd_is_per_process(void **state)
{
	char buf[PATH_MAX];

	(void)state;
	TEST_DIR();
	HOST_INVALID();		/* host: proc_enter() does not fork */
	assert_non_null(rump_sys_getcwd(buf, sizeof(buf)));
	assert_string_equal(buf, "/");
	proc_enter();
	CHECK_OK(rump_sys_chdir(T));
	proc_enter();
	/* A forked process starts where its parent was. */
	assert_non_null(rump_sys_getcwd(buf, sizeof(buf)));
	assert_string_equal(buf, T);
	CHECK_OK(rump_sys_chdir("/"));
	proc_leave();
	assert_non_null(rump_sys_getcwd(buf, sizeof(buf)));
	assert_string_equal(buf, T);
	proc_leave();
	assert_non_null(rump_sys_getcwd(buf, sizeof(buf)));
	assert_string_equal(buf, "/");
}

static void
chroot_jail(void **state)
{
	struct stat a, b;
	char buf[PATH_MAX];
	int fd;
#ifdef TEST_ON_HOST
	int rootfd;
#endif

	(void)state;
	TEST_DIR();
	CHECK_OK(rump_sys_mkdir(tp("jail"), 0755));
	CHECK_OK(rump_sys_mkdir(tp("jail/sub"), 0755));
	put_file(tp("jail/inside"), "in");
	put_file(tp("outside"), "out");
	CHECK_OK(rump_sys_symlink("/inside", tp("jail/abslink")));
	CHECK_ERR(rump_sys_chroot(tp("outside")), ENOTDIR);
	CHECK_ERR(rump_sys_chroot(tp("missing")), ENOENT);
	user_enter();
	CHECK_ERR(rump_sys_chroot(tp("jail")), EPERM);
	user_leave();

#ifdef TEST_ON_HOST
	rootfd = (int)CHECK_OK(open("/", O_RDONLY | O_DIRECTORY));
#endif
	proc_enter();
	CHECK_OK(rump_sys_chroot(tp("jail")));
	CHECK_OK(rump_sys_chdir("/"));
	assert_non_null(rump_sys_getcwd(buf, sizeof(buf)));
	assert_string_equal(buf, "/");
	get_file("/inside", buf, sizeof(buf));
	assert_string_equal(buf, "in");
	/* Absolute symlinks resolve inside the new root, ".." stops at it. */
	get_file("/abslink", buf, sizeof(buf));
	assert_string_equal(buf, "in");
	a = stat_ok("/");
	b = stat_ok("/..");
	assert_int_equal(a.st_ino, b.st_ino);
	CHECK_ERR(rump_sys_stat("/../outside", &b), ENOENT);
	CHECK_ERR(rump_sys_stat("../../../outside", &b), ENOENT);
	CHECK_OK(rump_sys_chdir("sub"));
	assert_non_null(rump_sys_getcwd(buf, sizeof(buf)));
	assert_string_equal(buf, "/sub");
	fd = (int)CHECK_OK(rump_sys_open("../inside", O_RDONLY, 0));
	CHECK_OK(rump_sys_close(fd));
#ifdef TEST_ON_HOST
	CHECK_OK(fchdir(rootfd));
	CHECK_OK(chroot("."));
	CHECK_OK(chdir("/"));
	close(rootfd);
#endif
	proc_leave();
	/* The chroot was the child's alone. */
	get_file(tp("outside"), buf, sizeof(buf));
	assert_string_equal(buf, "out");
}

static int
group_setup(void **state)
{
	(void)state;
	return test_kernel_init("dir");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mkdir_basics),
		cmocka_unit_test(mkdirat_dirfd),
		cmocka_unit_test(rmdir_cases),
		cmocka_unit_test(unlink_cases),
		cmocka_unit_test(unlink_permissions_nonroot),
		cmocka_unit_test(getdents_types),
		cmocka_unit_test(getdents_many_small_buffer),
		cmocka_unit_test(getdents_offsets_and_errors),
		cmocka_unit_test(cwd_getcwd),
		cmocka_unit_test(cwd_is_per_process),
		cmocka_unit_test(chroot_jail),
	};

	return cmocka_run_group_tests_name("vfs_dir", tests, group_setup,
	    NULL);
}
