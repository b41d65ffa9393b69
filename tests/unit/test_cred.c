/*
 * test_cred.c: what a process's identity decides in the file system:
 * owners of new files (fs ids), set-gid directories, S_ISUID/S_ISGID
 * cleared by write and chown and dropped by chmod, sticky directories,
 * supplementary groups; as root and as a non-root process (entered with
 * the set*id calls of the kernel under test, or of the host).
 */
#include "compat.h"

#define OTHER_GID	4321	/* a group the user is not in by default */

static gid_t none[1];

/* Like user_enter(), with the user's supplementary groups given. */
static void
user_enter_groups(int ngroups, const gid_t *groups)
{
#ifdef TEST_ON_HOST
	if (geteuid() != 0)
		skip();
	CHECK_OK(rump_sys_setgroups((size_t)ngroups, groups));
	CHECK_OK(rump_sys_setresgid(USER_GID, USER_GID, 0));
	CHECK_OK(rump_sys_setresuid(USER_UID, USER_UID, 0));
#else
	proc_enter();
	CHECK_OK(rump_sys_setgroups((size_t)ngroups, groups));
	CHECK_OK(rump_sys_setresgid(USER_GID, USER_GID, USER_GID));
	CHECK_OK(rump_sys_setresuid(USER_UID, USER_UID, USER_UID));
#endif
}

static void
user_leave_groups(void)
{
	user_leave();
#ifdef TEST_ON_HOST
	CHECK_OK(rump_sys_setgroups(0, none));
#endif
}

/* An empty directory everyone may write in. */
static void
open_dir(const char *path)
{
	CHECK_OK(rump_sys_mkdir(path, 0777));
	CHECK_OK(rump_sys_chmod(path, 0777));
}

static void
new_files_owned_by_fs_ids(void **state)
{
	struct stat st;
	int fd;

	(void)state;
	TEST_DIR();
	open_dir(tp("d"));
	user_enter();
	put_file(tp("d/f"), "x");
	CHECK_OK(rump_sys_mkdir(tp("d/sub"), 0755));
	user_leave();
	st = stat_ok(tp("d/f"));
	assert_int_equal(st.st_uid, USER_UID);
	assert_int_equal(st.st_gid, USER_GID);
	st = stat_ok(tp("d/sub"));
	assert_int_equal(st.st_uid, USER_UID);
	assert_int_equal(st.st_gid, USER_GID);

	/* Root with other fs ids: those own what it creates. */
	proc_enter();
	assert_int_equal(rump_sys_setfsuid(2000), 0);
	assert_int_equal(rump_sys_setfsgid(2001), 0);
	fd = (int)CHECK_OK(rump_sys_open(tp("d/byfs"), O_CREAT | O_WRONLY,
	    0644));
	CHECK_OK(rump_sys_close(fd));
	assert_int_equal(rump_sys_setfsuid(0), 2000);
	assert_int_equal(rump_sys_setfsgid(0), 2001);
	proc_leave();
	st = stat_ok(tp("d/byfs"));
	assert_int_equal(st.st_uid, 2000);
	assert_int_equal(st.st_gid, 2001);
}

static void
fsuid_decides_permission(void **state)
{
	(void)state;
	TEST_DIR();
	put_file(tp("secret"), "x");
	CHECK_OK(rump_sys_chmod(tp("secret"), 0600));
	proc_enter();
	(void)rump_sys_setfsuid(USER_UID);
	CHECK_ERR(rump_sys_open(tp("secret"), O_RDONLY, 0), EACCES);
	CHECK_ERR(rump_sys_chmod(tp("secret"), 0644), EPERM);
	(void)rump_sys_setfsuid(0);
	CHECK_OK(rump_sys_close((int)CHECK_OK(rump_sys_open(tp("secret"),
	    O_RDONLY, 0))));
	proc_leave();
}

static void
setgid_directory_inherits(void **state)
{
	struct stat st;

	(void)state;
	TEST_DIR();
	open_dir(tp("sg"));
	CHECK_OK(rump_sys_chown(tp("sg"), 0, OTHER_GID));
	CHECK_OK(rump_sys_chmod(tp("sg"), 02777));
	user_enter();
	put_file(tp("sg/f"), "x");
	CHECK_OK(rump_sys_mkdir(tp("sg/sub"), 0755));
	/* Not in the group: asking for S_ISGID on a new file loses it. */
	CHECK_OK(rump_sys_close((int)CHECK_OK(rump_sys_open(tp("sg/x"),
	    O_CREAT | O_WRONLY, 02755))));
	user_leave();
	st = stat_ok(tp("sg/f"));
	assert_int_equal(st.st_uid, USER_UID);
	assert_int_equal(st.st_gid, OTHER_GID);
	assert_int_equal(st.st_mode & S_ISGID, 0);
	st = stat_ok(tp("sg/sub"));
	assert_int_equal(st.st_gid, OTHER_GID);
	assert_int_equal(st.st_mode & 07777, 02755);
	st = stat_ok(tp("sg/x"));
	assert_int_equal(st.st_gid, OTHER_GID);
	assert_int_equal(st.st_mode & 07777, 0755);
}

static void
write_clears_setid_bits(void **state)
{
	struct stat st;
	int fd;

	(void)state;
	TEST_DIR();
	put_file(tp("f"), "x");
	CHECK_OK(rump_sys_chmod(tp("f"), 06777));
	put_file(tp("noexec"), "x");
	CHECK_OK(rump_sys_chmod(tp("noexec"), 06666));
	user_enter();
	fd = (int)CHECK_OK(rump_sys_open(tp("f"), O_WRONLY, 0));
	assert_int_equal(rump_sys_write(fd, "y", 1), 1);
	CHECK_OK(rump_sys_close(fd));
	/* Without group execute S_ISGID goes too when the writer is not
	 * in the file's group (Linux 6.x). */
	fd = (int)CHECK_OK(rump_sys_open(tp("noexec"), O_WRONLY, 0));
	assert_int_equal(rump_sys_write(fd, "y", 1), 1);
	CHECK_OK(rump_sys_close(fd));
	user_leave();
	st = stat_ok(tp("f"));
	assert_int_equal(st.st_mode & 07777, 0777);
	st = stat_ok(tp("noexec"));
	assert_int_equal(st.st_mode & 07777, 0666);
	/* ... and stays for a writer in the group. */
	CHECK_OK(rump_sys_chown(tp("noexec"), 0, USER_GID));
	CHECK_OK(rump_sys_chmod(tp("noexec"), 02666));
	user_enter();
	fd = (int)CHECK_OK(rump_sys_open(tp("noexec"), O_WRONLY, 0));
	assert_int_equal(rump_sys_write(fd, "y", 1), 1);
	CHECK_OK(rump_sys_close(fd));
	user_leave();
	assert_int_equal(stat_ok(tp("noexec")).st_mode & 07777, 02666);

	/* Root (CAP_FSETID) writes and the bits stay. */
	CHECK_OK(rump_sys_chmod(tp("f"), 06777));
	fd = (int)CHECK_OK(rump_sys_open(tp("f"), O_WRONLY, 0));
	assert_int_equal(rump_sys_write(fd, "z", 1), 1);
	CHECK_OK(rump_sys_close(fd));
	assert_int_equal(stat_ok(tp("f")).st_mode & 07777, 06777);
}

static void
truncate_by_user_clears_setuid(void **state)
{
	(void)state;
	TEST_DIR();
	put_file(tp("f"), "xyz");
	CHECK_OK(rump_sys_chmod(tp("f"), 04777));
	user_enter();
	CHECK_OK(rump_sys_truncate(tp("f"), 1));
	user_leave();
	assert_int_equal(stat_ok(tp("f")).st_mode & 07777, 0777);
}

static void
chown_clears_setid_bits(void **state)
{
	struct stat st;

	(void)state;
	TEST_DIR();
	put_file(tp("f"), "x");
	CHECK_OK(rump_sys_chown(tp("f"), USER_UID, USER_GID));
	CHECK_OK(rump_sys_chmod(tp("f"), 06755));
	user_enter();
	/* The owner gives the file to its own group: both bits go. */
	CHECK_OK(rump_sys_chown(tp("f"), (uid_t)-1, USER_GID));
	user_leave();
	st = stat_ok(tp("f"));
	assert_int_equal(st.st_mode & 07777, 0755);
	/* Others may not give it away, nor change its group. */
	put_file(tp("g"), "x");
	user_enter();
	CHECK_ERR(rump_sys_chown(tp("g"), USER_UID, (gid_t)-1), EPERM);
	CHECK_ERR(rump_sys_chown(tp("f"), (uid_t)-1, OTHER_GID), EPERM);
	CHECK_ERR(rump_sys_chown(tp("f"), 0, (gid_t)-1), EPERM);
	user_leave();
	assert_int_equal(stat_ok(tp("g")).st_uid, 0);
}

static void
chmod_drops_setgid_outside_group(void **state)
{
	gid_t other = OTHER_GID;
	struct stat st;

	(void)state;
	TEST_DIR();
	put_file(tp("f"), "x");
	CHECK_OK(rump_sys_chown(tp("f"), USER_UID, OTHER_GID));
	user_enter();
	CHECK_OK(rump_sys_chmod(tp("f"), 02755));
	user_leave();
	st = stat_ok(tp("f"));
	assert_int_equal(st.st_mode & 07777, 0755);
	/* In the group through a supplementary group: it stays. */
	user_enter_groups(1, &other);
	CHECK_OK(rump_sys_chmod(tp("f"), 02755));
	user_leave_groups();
	assert_int_equal(stat_ok(tp("f")).st_mode & 07777, 02755);
	/* Not the owner: no chmod at all. */
	user_enter();
	CHECK_ERR(rump_sys_chmod(tp("../"), 0777), EPERM);
	user_leave();
}

static void
sticky_directory(void **state)
{
	(void)state;
	TEST_DIR();
	open_dir(tp("tmp"));
	CHECK_OK(rump_sys_chmod(tp("tmp"), 01777));
	put_file(tp("tmp/roots"), "x");
	CHECK_OK(rump_sys_chmod(tp("tmp/roots"), 0666));
	user_enter();
	put_file(tp("tmp/mine"), "x");
	CHECK_ERR(rump_sys_unlink(tp("tmp/roots")), EPERM);
	CHECK_ERR(rump_sys_rename(tp("tmp/roots"), tp("tmp/x")), EPERM);
	/* Replacing another's file by rename is removing it: also EPERM. */
	CHECK_ERR(rump_sys_rename(tp("tmp/mine"), tp("tmp/roots")), EPERM);
	CHECK_OK(rump_sys_rename(tp("tmp/mine"), tp("tmp/mine2")));
	CHECK_OK(rump_sys_unlink(tp("tmp/mine2")));
	user_leave();
	stat_ok(tp("tmp/roots"));

	/* The directory's owner may remove anything in it. */
	open_dir(tp("own"));
	CHECK_OK(rump_sys_chown(tp("own"), USER_UID, USER_GID));
	CHECK_OK(rump_sys_chmod(tp("own"), 01777));
	put_file(tp("own/roots"), "x");
	user_enter();
	CHECK_OK(rump_sys_unlink(tp("own/roots")));
	user_leave();
	/* Root removes anything. */
	user_enter();
	put_file(tp("tmp/users"), "x");
	user_leave();
	CHECK_OK(rump_sys_unlink(tp("tmp/users")));
}

static void
supplementary_groups_grant(void **state)
{
	gid_t other = OTHER_GID, got[2];
	char buf[8];
	int fd;

	(void)state;
	TEST_DIR();
	put_file(tp("g"), "x");
	CHECK_OK(rump_sys_chown(tp("g"), 0, OTHER_GID));
	CHECK_OK(rump_sys_chmod(tp("g"), 0640));
	CHECK_OK(rump_sys_mkdir(tp("gd"), 0770));
	CHECK_OK(rump_sys_chown(tp("gd"), 0, OTHER_GID));
	CHECK_OK(rump_sys_chmod(tp("gd"), 0770));
	user_enter();
	CHECK_ERR(rump_sys_open(tp("g"), O_RDONLY, 0), EACCES);
	CHECK_ERR(rump_sys_open(tp("gd/new"), O_CREAT | O_WRONLY, 0600),
	    EACCES);
	user_leave();
	user_enter_groups(1, &other);
	assert_int_equal(rump_sys_getgroups(2, got), 1);
	assert_int_equal(got[0], OTHER_GID);
	fd = (int)CHECK_OK(rump_sys_open(tp("g"), O_RDONLY, 0));
	assert_int_equal(rump_sys_read(fd, buf, sizeof(buf)), 1);
	CHECK_OK(rump_sys_close(fd));
	CHECK_ERR(rump_sys_open(tp("g"), O_WRONLY, 0), EACCES);
	put_file(tp("gd/new"), "x");
	user_leave_groups();
}

/* Linux's rules for the set*id calls of a process that is not root. */
static void
nonroot_id_changes(void **state)
{
	uid_t r, e, s;

	(void)state;
	TEST_DIR();
	user_enter();
	CHECK_ERR(rump_sys_setuid(USER_UID + 1), EPERM);
	CHECK_ERR(rump_sys_setgid(OTHER_GID), EPERM);
	CHECK_ERR(rump_sys_setreuid((uid_t)-1, USER_UID + 1), EPERM);
	CHECK_ERR(rump_sys_setresgid((gid_t)-1, OTHER_GID, (gid_t)-1), EPERM);
	CHECK_ERR(rump_sys_setgroups(0, none), EPERM);
	/* An fs id outside the process's ids is refused without an error. */
	assert_int_equal(rump_sys_setfsuid(USER_UID + 1), USER_UID);
	assert_int_equal(rump_sys_setfsuid((uid_t)-1), USER_UID);
	CHECK_OK(rump_sys_setresuid((uid_t)-1, USER_UID, (uid_t)-1));
	CHECK_OK(rump_sys_getresuid(&r, &e, &s));
	assert_int_equal(e, USER_UID);
	user_leave();
}

static int
group_setup(void **state)
{
	(void)state;
	return test_kernel_init("cred");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(new_files_owned_by_fs_ids),
		cmocka_unit_test(fsuid_decides_permission),
		cmocka_unit_test(setgid_directory_inherits),
		cmocka_unit_test(write_clears_setid_bits),
		cmocka_unit_test(truncate_by_user_clears_setuid),
		cmocka_unit_test(chown_clears_setid_bits),
		cmocka_unit_test(chmod_drops_setgid_outside_group),
		cmocka_unit_test(sticky_directory),
		cmocka_unit_test(supplementary_groups_grant),
		cmocka_unit_test(nonroot_id_changes),
	};

	return cmocka_run_group_tests_name("cred", tests, group_setup, NULL);
}
