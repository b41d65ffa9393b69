/*
 * test_vfs_attr.c: attributes: stat/fstat/lstat/newfstatat/statx,
 * timestamps, chmod/fchmod/fchmodat, chown/fchown/lchown/fchownat,
 * utimensat/futimens, access/faccessat/faccessat2, umask, statfs/fstatfs.
 */
#include "compat.h"

#include <time.h>

/* Lets the clock advance so that "later" timestamps differ. */
static void
tick(void)
{
	struct timespec ts = { 0, 30 * 1000 * 1000 };

	nanosleep(&ts, NULL);
}

static int
tscmp(struct timespec a, struct timespec b)
{
	if (a.tv_sec != b.tv_sec)
		return a.tv_sec < b.tv_sec ? -1 : 1;
	if (a.tv_nsec != b.tv_nsec)
		return a.tv_nsec < b.tv_nsec ? -1 : 1;
	return 0;
}

static void
set_times(const char *path, time_t atime, time_t mtime)
{
	struct timespec ts[2] = { { atime, 0 }, { mtime, 0 } };

	CHECK_OK(rump_sys_utimensat(AT_FDCWD, path, ts, 0));
}

static void
stat_basics(void **state)
{
	struct timespec before, after;
	struct stat st, fst, lst;
	int fd;

	(void)state;
	TEST_DIR();
	clock_gettime(CLOCK_REALTIME, &before);
	put_file(tp("f"), "12345");
	clock_gettime(CLOCK_REALTIME, &after);
	st = stat_ok(tp("f"));
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_int_equal(st.st_size, 5);
	assert_int_equal(st.st_nlink, 1);
	assert_int_equal(st.st_uid, 0);
	assert_int_equal(st.st_gid, 0);
	assert_true(st.st_ino != 0);
	assert_true(st.st_blksize > 0);
	assert_int_equal(st.st_dev, stat_ok(T).st_dev);
	/* The kernel's clock is the wall clock. */
	assert_true(st.st_mtim.tv_sec >= before.tv_sec - 1);
	assert_true(st.st_mtim.tv_sec <= after.tv_sec + 1);
	assert_true(tscmp(st.st_ctim, st.st_mtim) >= 0);

	fd = (int)CHECK_OK(rump_sys_open(tp("f"), O_RDONLY, 0));
	CHECK_OK(rump_sys_fstat(fd, &fst));
	assert_int_equal(fst.st_ino, st.st_ino);
	assert_int_equal(fst.st_size, 5);
	CHECK_OK(rump_sys_close(fd));
	CHECK_ERR(rump_sys_fstat(fd, &fst), EBADF);
	CHECK_ERR(rump_sys_fstat(-1, &fst), EBADF);
	CHECK_ERR(rump_sys_stat(tp("missing"), &st), ENOENT);
	CHECK_ERR(rump_sys_lstat(tp("f/x"), &st), ENOTDIR);

	CHECK_OK(rump_sys_symlink("f", tp("l")));
	CHECK_OK(rump_sys_lstat(tp("l"), &lst));
	assert_true(S_ISLNK(lst.st_mode));
	assert_int_equal(lst.st_mode & 0777, 0777);
	assert_int_equal(lst.st_size, 1);
	assert_true(lst.st_ino != st.st_ino);
	/* Hard links share the inode. */
	CHECK_OK(rump_sys_link(tp("f"), tp("h")));
	assert_int_equal(stat_ok(tp("h")).st_ino, st.st_ino);
	assert_int_equal(stat_ok(tp("f")).st_nlink, 2);
	st = stat_ok(T);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_nlink, 2);
}

static void
statx_fields(void **state)
{
	struct statx sx;
	struct stat st;
	int fd;

	(void)state;
	TEST_DIR();
	put_file(tp("f"), "abc");
	CHECK_OK(rump_sys_link(tp("f"), tp("h")));
	CHECK_OK(rump_sys_symlink("f", tp("l")));
	st = stat_ok(tp("f"));
	memset(&sx, 0xff, sizeof(sx));
	CHECK_OK(rump_sys_statx(AT_FDCWD, tp("f"), 0,
	    STATX_BASIC_STATS | STATX_BTIME, &sx));
	assert_int_equal(sx.stx_mask & STATX_BASIC_STATS, STATX_BASIC_STATS);
	assert_int_equal(sx.stx_size, 3);
	assert_int_equal(sx.stx_mode, st.st_mode);
	assert_int_equal(sx.stx_nlink, 2);
	assert_int_equal(sx.stx_ino, st.st_ino);
	assert_int_equal(sx.stx_uid, 0);
	assert_int_equal(sx.stx_blksize, st.st_blksize);
	assert_int_equal(sx.stx_mtime.tv_sec, st.st_mtim.tv_sec);
	assert_int_equal(sx.stx_mtime.tv_nsec, st.st_mtim.tv_nsec);
	assert_int_equal(makedev(sx.stx_dev_major, sx.stx_dev_minor),
	    st.st_dev);
	/* Birth time: set at creation, not after the last change. */
	assert_true(sx.stx_mask & STATX_BTIME);
	assert_true(sx.stx_btime.tv_sec != 0);
	assert_true(sx.stx_btime.tv_sec < sx.stx_ctime.tv_sec ||
	    (sx.stx_btime.tv_sec == sx.stx_ctime.tv_sec &&
	    sx.stx_btime.tv_nsec <= sx.stx_ctime.tv_nsec));
	/* Hard link: same inode. */
	CHECK_OK(rump_sys_statx(AT_FDCWD, tp("h"), 0, STATX_INO, &sx));
	assert_int_equal(sx.stx_ino, st.st_ino);
	/* Symlinks, the descriptor itself. */
	CHECK_OK(rump_sys_statx(AT_FDCWD, tp("l"), AT_SYMLINK_NOFOLLOW,
	    STATX_BASIC_STATS, &sx));
	assert_true(S_ISLNK(sx.stx_mode));
	CHECK_OK(rump_sys_statx(AT_FDCWD, tp("l"), 0, STATX_BASIC_STATS, &sx));
	assert_true(S_ISREG(sx.stx_mode));
	fd = (int)CHECK_OK(rump_sys_open(tp("f"), O_RDONLY, 0));
	CHECK_OK(rump_sys_statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &sx));
	assert_int_equal(sx.stx_ino, st.st_ino);
	CHECK_ERR(rump_sys_statx(fd, "", 0, STATX_BASIC_STATS, &sx), ENOENT);
	CHECK_OK(rump_sys_close(fd));
	/* Errors. */
	CHECK_ERR(rump_sys_statx(AT_FDCWD, tp("missing"), 0, STATX_BASIC_STATS,
	    &sx), ENOENT);
	CHECK_ERR(rump_sys_statx(AT_FDCWD, tp("f"), 0x40000000,
	    STATX_BASIC_STATS, &sx), EINVAL);
	CHECK_ERR(rump_sys_statx(AT_FDCWD, tp("f"), 0, STATX__RESERVED, &sx),
	    EINVAL);
	CHECK_ERR(rump_sys_statx(AT_FDCWD, tp("f"),
	    AT_STATX_FORCE_SYNC | AT_STATX_DONT_SYNC, STATX_BASIC_STATS, &sx),
	    EINVAL);
	CHECK_ERR(rump_sys_statx(9999, "f", 0, STATX_BASIC_STATS, &sx), EBADF);
}

static void
timestamps_move_forward(void **state)
{
	struct stat st0, st1, d0, d1;
	char c;
	int fd;

	(void)state;
	TEST_DIR();
	put_file(tp("f"), "abc");
	/* Writing moves mtime and ctime, not atime. */
	set_times(tp("f"), 1000000000, 1000000000);
	st0 = stat_ok(tp("f"));
	assert_int_equal(st0.st_mtim.tv_sec, 1000000000);
	assert_int_equal(st0.st_atim.tv_sec, 1000000000);
	tick();
	fd = (int)CHECK_OK(rump_sys_open(tp("f"), O_WRONLY, 0));
	CHECK_OK(rump_sys_write(fd, "x", 1));
	CHECK_OK(rump_sys_close(fd));
	st1 = stat_ok(tp("f"));
	assert_true(st1.st_mtim.tv_sec > 1000000000);
	assert_true(tscmp(st1.st_ctim, st0.st_ctim) > 0);
	assert_int_equal(st1.st_atim.tv_sec, 1000000000);
	/* Reading an old atime brings it forward (strict or relatime). */
	fd = (int)CHECK_OK(rump_sys_open(tp("f"), O_RDONLY, 0));
	CHECK_OK(rump_sys_read(fd, &c, 1));
	CHECK_OK(rump_sys_close(fd));
	st1 = stat_ok(tp("f"));
	assert_true(st1.st_atim.tv_sec > 1000000000);
	/* chmod changes ctime only. */
	st0 = stat_ok(tp("f"));
	tick();
	CHECK_OK(rump_sys_chmod(tp("f"), 0600));
	st1 = stat_ok(tp("f"));
	assert_true(tscmp(st1.st_ctim, st0.st_ctim) > 0);
	assert_int_equal(tscmp(st1.st_mtim, st0.st_mtim), 0);
	/* Truncation changes mtime and ctime. */
	set_times(tp("f"), 1000000000, 1000000000);
	CHECK_OK(rump_sys_truncate(tp("f"), 1));
	assert_true(stat_ok(tp("f")).st_mtim.tv_sec > 1000000000);
	/* Entries added or removed change the directory's mtime and ctime. */
	set_times(T, 1000000000, 1000000000);
	d0 = stat_ok(T);
	tick();
	put_file(tp("g"), "");
	d1 = stat_ok(T);
	assert_true(d1.st_mtim.tv_sec > 1000000000);
	assert_true(tscmp(d1.st_ctim, d0.st_ctim) > 0);
	set_times(T, 1000000000, 1000000000);
	CHECK_OK(rump_sys_unlink(tp("g")));
	assert_true(stat_ok(T).st_mtim.tv_sec > 1000000000);
	/* A new link changes the file's ctime. */
	st0 = stat_ok(tp("f"));
	tick();
	CHECK_OK(rump_sys_link(tp("f"), tp("h")));
	st1 = stat_ok(tp("f"));
	assert_true(tscmp(st1.st_ctim, st0.st_ctim) > 0);
}

static void
utimensat_cases(void **state)
{
	struct timespec ts[2], now;
	struct stat st, before;
	int fd;

	(void)state;
	TEST_DIR();
	put_file(tp("f"), "x");
	CHECK_OK(rump_sys_symlink("f", tp("l")));
	ts[0].tv_sec = 1234567890;
	ts[0].tv_nsec = 123456789;
	ts[1].tv_sec = 987654321;
	ts[1].tv_nsec = 5;
	CHECK_OK(rump_sys_utimensat(AT_FDCWD, tp("f"), ts, 0));
	st = stat_ok(tp("f"));
	assert_int_equal(st.st_atim.tv_sec, 1234567890);
	assert_int_equal(st.st_atim.tv_nsec, 123456789);
	assert_int_equal(st.st_mtim.tv_sec, 987654321);
	assert_int_equal(st.st_mtim.tv_nsec, 5);
	/* UTIME_OMIT keeps, UTIME_NOW takes the clock. */
	clock_gettime(CLOCK_REALTIME, &now);
	ts[0].tv_nsec = UTIME_OMIT;
	ts[1].tv_nsec = UTIME_NOW;
	CHECK_OK(rump_sys_utimensat(AT_FDCWD, tp("f"), ts, 0));
	st = stat_ok(tp("f"));
	assert_int_equal(st.st_atim.tv_sec, 1234567890);
	assert_true(st.st_mtim.tv_sec >= now.tv_sec - 1);
	/* NULL: both now. */
	set_times(tp("f"), 1000000000, 1000000000);
	CHECK_OK(rump_sys_utimensat(AT_FDCWD, tp("f"), NULL, 0));
	st = stat_ok(tp("f"));
	assert_true(st.st_atim.tv_sec >= now.tv_sec - 1);
	assert_true(st.st_mtim.tv_sec >= now.tv_sec - 1);
	/* Both omitted: nothing changes, not even ctime. */
	before = stat_ok(tp("f"));
	ts[0].tv_nsec = UTIME_OMIT;
	ts[1].tv_nsec = UTIME_OMIT;
	tick();
	CHECK_OK(rump_sys_utimensat(AT_FDCWD, tp("f"), ts, 0));
	st = stat_ok(tp("f"));
	assert_int_equal(tscmp(st.st_ctim, before.st_ctim), 0);
	/* futimens: the descriptor, path NULL. */
	fd = (int)CHECK_OK(rump_sys_open(tp("f"), O_RDONLY, 0));
	ts[0].tv_sec = 2000000000;
	ts[0].tv_nsec = 0;
	ts[1] = ts[0];
	CHECK_OK(rump_sys_utimensat(fd, NULL, ts, 0));
	assert_int_equal(stat_ok(tp("f")).st_mtim.tv_sec, 2000000000);
	CHECK_OK(rump_sys_close(fd));
	CHECK_ERR(rump_sys_utimensat(fd, NULL, ts, 0), EBADF);
	/* AT_SYMLINK_NOFOLLOW: the link's own times. */
	ts[0].tv_sec = ts[1].tv_sec = 1100000000;
	CHECK_OK(rump_sys_utimensat(AT_FDCWD, tp("l"), ts,
	    AT_SYMLINK_NOFOLLOW));
	CHECK_OK(rump_sys_lstat(tp("l"), &st));
	assert_int_equal(st.st_mtim.tv_sec, 1100000000);
	assert_int_equal(stat_ok(tp("f")).st_mtim.tv_sec, 2000000000);
	/* Bad nanoseconds, bad flags, missing file. */
	ts[0].tv_nsec = 1000000000;
	ts[1].tv_nsec = 0;
	CHECK_ERR(rump_sys_utimensat(AT_FDCWD, tp("f"), ts, 0), EINVAL);
	ts[0].tv_nsec = -1;
	CHECK_ERR(rump_sys_utimensat(AT_FDCWD, tp("f"), ts, 0), EINVAL);
	CHECK_ERR(rump_sys_utimensat(AT_FDCWD, tp("f"), NULL, 0x4000000),
	    EINVAL);
	CHECK_ERR(rump_sys_utimensat(AT_FDCWD, tp("missing"), NULL, 0),
	    ENOENT);
}

static void
utimensat_permissions_nonroot(void **state)
{
	struct timespec ts[2] = { { 5, 0 }, { 5, 0 } };

	(void)state;
	TEST_DIR();
	put_file(tp("ro"), "x");
	CHECK_OK(rump_sys_chmod(tp("ro"), 0644));
	put_file(tp("rw"), "x");
	CHECK_OK(rump_sys_chmod(tp("rw"), 0666));
	user_enter();
	/* Setting to "now" needs write permission; explicit times ownership. */
	CHECK_ERR(rump_sys_utimensat(AT_FDCWD, tp("ro"), NULL, 0), EACCES);
	CHECK_OK(rump_sys_utimensat(AT_FDCWD, tp("rw"), NULL, 0));
	CHECK_ERR(rump_sys_utimensat(AT_FDCWD, tp("rw"), ts, 0), EPERM);
	CHECK_ERR(rump_sys_utimensat(AT_FDCWD, tp("ro"), ts, 0), EPERM);
	user_leave();
	CHECK_OK(rump_sys_utimensat(AT_FDCWD, tp("ro"), ts, 0));
}

static void
chmod_cases(void **state)
{
	struct stat st;
	int fd, dfd;

	(void)state;
	TEST_DIR();
	put_file(tp("f"), "x");
	CHECK_OK(rump_sys_symlink("f", tp("l")));
	CHECK_OK(rump_sys_chmod(tp("f"), 0751));
	st = stat_ok(tp("f"));
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0751);
	/* Through a symlink: the target changes. */
	CHECK_OK(rump_sys_chmod(tp("l"), 04700));
	assert_int_equal(stat_ok(tp("f")).st_mode & 07777, 04700);
	CHECK_OK(rump_sys_lstat(tp("l"), &st));
	assert_int_equal(st.st_mode & 0777, 0777);
	fd = (int)CHECK_OK(rump_sys_open(tp("f"), O_RDONLY, 0));
	CHECK_OK(rump_sys_fchmod(fd, 0640));
	assert_int_equal(stat_ok(tp("f")).st_mode & 07777, 0640);
	CHECK_OK(rump_sys_close(fd));
	CHECK_ERR(rump_sys_fchmod(fd, 0640), EBADF);
	dfd = (int)CHECK_OK(rump_sys_open(T, O_RDONLY | O_DIRECTORY, 0));
	CHECK_OK(rump_sys_fchmodat(dfd, "f", 0604, 0));
	assert_int_equal(stat_ok(tp("f")).st_mode & 07777, 0604);
	CHECK_ERR(rump_sys_fchmodat(dfd, "missing", 0604, 0), ENOENT);
	CHECK_OK(rump_sys_close(dfd));
	CHECK_ERR(rump_sys_chmod(tp("missing"), 0644), ENOENT);
	CHECK_ERR(rump_sys_chmod(tp("f/x"), 0644), ENOTDIR);
	/* Directories too. */
	CHECK_OK(rump_sys_mkdir(tp("d"), 0755));
	CHECK_OK(rump_sys_chmod(tp("d"), 01700));
	st = stat_ok(tp("d"));
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 01700);
}

static void
chmod_nonroot(void **state)
{
	(void)state;
	TEST_DIR();
	put_file(tp("roots"), "x");
	put_file(tp("mine"), "x");
	CHECK_OK(rump_sys_chown(tp("mine"), USER_UID, USER_GID));
	put_file(tp("mine_othergroup"), "x");
	CHECK_OK(rump_sys_chown(tp("mine_othergroup"), USER_UID, 0));
	user_enter();
	CHECK_ERR(rump_sys_chmod(tp("roots"), 0777), EPERM);
	CHECK_OK(rump_sys_chmod(tp("mine"), 02755));
	/* The setgid bit is dropped when the file's group is not ours. */
	CHECK_OK(rump_sys_chmod(tp("mine_othergroup"), 02755));
	user_leave();
	assert_int_equal(stat_ok(tp("mine")).st_mode & 07777, 02755);
	assert_int_equal(stat_ok(tp("mine_othergroup")).st_mode & 07777, 0755);
	assert_int_equal(stat_ok(tp("roots")).st_mode & 07777, 0644);
}

static void
chown_cases(void **state)
{
	struct stat st;
	int fd, dfd;

	(void)state;
	TEST_DIR();
	put_file(tp("f"), "x");
	CHECK_OK(rump_sys_symlink("f", tp("l")));
	CHECK_OK(rump_sys_chown(tp("f"), 1000, 2000));
	st = stat_ok(tp("f"));
	assert_int_equal(st.st_uid, 1000);
	assert_int_equal(st.st_gid, 2000);
	/* -1 leaves a field alone. */
	CHECK_OK(rump_sys_chown(tp("f"), (uid_t)-1, 3000));
	st = stat_ok(tp("f"));
	assert_int_equal(st.st_uid, 1000);
	assert_int_equal(st.st_gid, 3000);
	/* lchown changes the link, not the target. */
	CHECK_OK(rump_sys_lchown(tp("l"), 4000, 4000));
	CHECK_OK(rump_sys_lstat(tp("l"), &st));
	assert_int_equal(st.st_uid, 4000);
	st = stat_ok(tp("f"));
	assert_int_equal(st.st_uid, 1000);
	/* chown follows it. */
	CHECK_OK(rump_sys_chown(tp("l"), 5000, (gid_t)-1));
	assert_int_equal(stat_ok(tp("f")).st_uid, 5000);
	CHECK_OK(rump_sys_lstat(tp("l"), &st));
	assert_int_equal(st.st_uid, 4000);
	fd = (int)CHECK_OK(rump_sys_open(tp("f"), O_RDONLY, 0));
	CHECK_OK(rump_sys_fchown(fd, 0, 0));
	assert_int_equal(stat_ok(tp("f")).st_uid, 0);
	CHECK_OK(rump_sys_close(fd));
	CHECK_ERR(rump_sys_fchown(fd, 0, 0), EBADF);
	dfd = (int)CHECK_OK(rump_sys_open(T, O_RDONLY | O_DIRECTORY, 0));
	CHECK_OK(rump_sys_fchownat(dfd, "l", 6000, 6000, AT_SYMLINK_NOFOLLOW));
	CHECK_OK(rump_sys_lstat(tp("l"), &st));
	assert_int_equal(st.st_uid, 6000);
	CHECK_OK(rump_sys_fchownat(dfd, "l", 7000, 7000, 0));
	assert_int_equal(stat_ok(tp("f")).st_uid, 7000);
	CHECK_ERR(rump_sys_fchownat(dfd, "l", 0, 0, 0x1), EINVAL);
	CHECK_OK(rump_sys_close(dfd));
	CHECK_ERR(rump_sys_chown(tp("missing"), 0, 0), ENOENT);
	/* Changing the owner clears set-user-ID and set-group-ID. */
	CHECK_OK(rump_sys_chmod(tp("f"), 06755));
	CHECK_OK(rump_sys_chown(tp("f"), 1, 1));
	assert_int_equal(stat_ok(tp("f")).st_mode & 07777, 0755);
}

static void
chown_nonroot(void **state)
{
	(void)state;
	TEST_DIR();
	put_file(tp("roots"), "x");
	put_file(tp("mine"), "x");
	CHECK_OK(rump_sys_chown(tp("mine"), USER_UID, 0));
	user_enter();
	CHECK_ERR(rump_sys_chown(tp("roots"), USER_UID, USER_GID), EPERM);
	CHECK_ERR(rump_sys_chown(tp("mine"), 0, (gid_t)-1), EPERM);
	CHECK_ERR(rump_sys_chown(tp("mine"), (uid_t)-1, 4242), EPERM);
	/* Its own file to a group it is in. */
	CHECK_OK(rump_sys_chown(tp("mine"), (uid_t)-1, USER_GID));
	CHECK_OK(rump_sys_chown(tp("mine"), USER_UID, (gid_t)-1));
	user_leave();
	assert_int_equal(stat_ok(tp("mine")).st_gid, USER_GID);
}

static void
access_cases(void **state)
{
	int dfd;

	(void)state;
	TEST_DIR();
	put_file(tp("none"), "x");
	CHECK_OK(rump_sys_chmod(tp("none"), 0));
	put_file(tp("ro"), "x");
	CHECK_OK(rump_sys_chmod(tp("ro"), 0444));
	put_file(tp("exe"), "x");
	CHECK_OK(rump_sys_chmod(tp("exe"), 0100));
	CHECK_OK(rump_sys_symlink("missing", tp("dangling")));
	/* Root: read and write always, execute if any x bit is set. */
	CHECK_OK(rump_sys_access(tp("none"), R_OK | W_OK));
	CHECK_ERR(rump_sys_access(tp("none"), X_OK), EACCES);
	CHECK_OK(rump_sys_access(tp("exe"), X_OK));
	CHECK_OK(rump_sys_access(T, X_OK));
	CHECK_OK(rump_sys_access(tp("none"), F_OK));
	CHECK_ERR(rump_sys_access(tp("missing"), F_OK), ENOENT);
	CHECK_ERR(rump_sys_access(tp("dangling"), F_OK), ENOENT);
	CHECK_ERR(rump_sys_access(tp("none"), 0100), EINVAL);
	dfd = (int)CHECK_OK(rump_sys_open(T, O_RDONLY | O_DIRECTORY, 0));
	CHECK_OK(rump_sys_faccessat(dfd, "ro", R_OK));
	CHECK_ERR(rump_sys_faccessat(dfd, "missing", R_OK), ENOENT);
	CHECK_OK(rump_sys_faccessat2(dfd, "dangling", F_OK,
	    AT_SYMLINK_NOFOLLOW));
	CHECK_ERR(rump_sys_faccessat2(dfd, "ro", F_OK, 0x1), EINVAL);

	user_enter();
	CHECK_ERR(rump_sys_access(tp("ro"), W_OK), EACCES);
	CHECK_OK(rump_sys_access(tp("ro"), R_OK));
	CHECK_ERR(rump_sys_access(tp("none"), R_OK), EACCES);
	CHECK_ERR(rump_sys_faccessat(dfd, "ro", R_OK | W_OK), EACCES);
	CHECK_ERR(rump_sys_faccessat2(dfd, "exe", X_OK, AT_EACCESS), EACCES);
	user_leave();

	/* Real root, effective 1000: access() checks the real uid. */
	proc_enter();
	CHECK_OK(rump_sys_setresuid(0, USER_UID, 0));
	CHECK_OK(rump_sys_faccessat2(dfd, "ro", W_OK, 0));
	CHECK_OK(rump_sys_access(tp("none"), R_OK));
	CHECK_ERR(rump_sys_faccessat2(dfd, "ro", W_OK, AT_EACCESS), EACCES);
	CHECK_ERR(rump_sys_faccessat2(dfd, "none", R_OK, AT_EACCESS), EACCES);
	CHECK_OK(rump_sys_setresuid(0, 0, 0));
	proc_leave();
	CHECK_OK(rump_sys_close(dfd));
}

static void
umask_values(void **state)
{
	mode_t old;

	(void)state;
	TEST_DIR();
	old = rump_sys_umask(027);
	assert_int_equal(rump_sys_umask(0777 | S_ISVTX), 027);
	assert_int_equal(rump_sys_umask(old), 0777);
	assert_int_equal(rump_sys_umask(old), old);
}

static void
statfs_cases(void **state)
{
	struct statfs sf, fsf;
	int fd;

	(void)state;
	TEST_DIR();
	CHECK_OK(rump_sys_statfs("/", &sf));
	assert_int_equal(sf.f_type, TMPFS_MAGIC);
	assert_true(sf.f_bsize > 0);
	assert_int_equal(sf.f_namelen, 255);
	assert_true(sf.f_bfree <= sf.f_blocks);
	assert_true(sf.f_bavail <= sf.f_blocks);
	put_file(tp("f"), "x");
	fd = (int)CHECK_OK(rump_sys_open(tp("f"), O_RDONLY, 0));
	CHECK_OK(rump_sys_fstatfs(fd, &fsf));
	assert_int_equal(fsf.f_type, TMPFS_MAGIC);
	assert_int_equal(fsf.f_bsize, sf.f_bsize);
	assert_int_equal(fsf.f_fsid.__val[0], sf.f_fsid.__val[0]);
	assert_int_equal(fsf.f_fsid.__val[1], sf.f_fsid.__val[1]);
	CHECK_OK(rump_sys_close(fd));
	CHECK_ERR(rump_sys_fstatfs(fd, &fsf), EBADF);
	CHECK_ERR(rump_sys_statfs(tp("missing"), &sf), ENOENT);
	CHECK_ERR(rump_sys_statfs(tp("f/x"), &sf), ENOTDIR);
}

static int
group_setup(void **state)
{
	(void)state;
	return test_kernel_init("attr");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stat_basics),
		cmocka_unit_test(statx_fields),
		cmocka_unit_test(timestamps_move_forward),
		cmocka_unit_test(utimensat_cases),
		cmocka_unit_test(utimensat_permissions_nonroot),
		cmocka_unit_test(chmod_cases),
		cmocka_unit_test(chmod_nonroot),
		cmocka_unit_test(chown_cases),
		cmocka_unit_test(chown_nonroot),
		cmocka_unit_test(access_cases),
		cmocka_unit_test(umask_values),
		cmocka_unit_test(statfs_cases),
	};

	return cmocka_run_group_tests_name("vfs_attr", tests, group_setup,
	    NULL);
}
