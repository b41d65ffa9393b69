/*
 * test_boot.c: bootstrap and the process model: rump_init, pids of
 * threads and forked processes (rump_lwproc_*), descriptor table copies,
 * per-process cwd and umask, credentials (the setuid family, groups),
 * uname and sethostname.
 */
#include "compat.h"

#include <pthread.h>

#ifndef TEST_ON_HOST
static struct lwp *
bound_lwp(void)
{
	(void)rump_sys_getpid();	/* binds one if the thread has none */
	return rump_lwproc_curlwp();
}
#endif

static void
init_twice(void **state)
{
	(void)state;
	TEST_DIR();
	HOST_INVALID();
#ifndef TEST_ON_HOST
	assert_int_equal(rump_init(), 0);
	assert_int_equal(rump_init(), 0);
	CHECK_OK(rump_sys_access(T, F_OK));	/* same kernel, same files */
#endif
}

static void
main_thread_is_pid_1(void **state)
{
	(void)state;
	TEST_DIR();
	HOST_INVALID();
	REMOTE_INVALID();	/* pid 1 is the server's own process */
	assert_int_equal(rump_sys_getpid(), 1);
}

struct ids {
	pid_t pid, tid;
};

static void *
ids_thread(void *arg)
{
	struct ids *ids = arg;

	ids->pid = rump_sys_getpid();
	ids->tid = rump_sys_gettid();
	return NULL;
}

static void
threads_share_the_process(void **state)
{
	struct ids a, b;
	pthread_t t1, t2;

	(void)state;
	TEST_DIR();
	assert_int_equal(pthread_create(&t1, NULL, ids_thread, &a), 0);
	assert_int_equal(pthread_join(t1, NULL), 0);
	assert_int_equal(pthread_create(&t2, NULL, ids_thread, &b), 0);
	assert_int_equal(pthread_join(t2, NULL), 0);
	assert_int_equal(a.pid, rump_sys_getpid());
	assert_int_equal(b.pid, rump_sys_getpid());
	assert_true(a.tid != rump_sys_gettid());
	/* The main thread's tid is the pid. */
	assert_int_equal(rump_sys_gettid(), rump_sys_getpid());
}

static void
rfork_copies_descriptors(void **state)
{
	(void)state;
	TEST_DIR();
	HOST_INVALID();
#ifndef TEST_ON_HOST
	struct lwp *l0;
	char buf[8];
	pid_t child;
	int fd;

	put_file(tp("f"), "parent");
	fd = (int)CHECK_OK(rump_sys_open(tp("f"), O_RDONLY, 0));
	l0 = bound_lwp();
	assert_int_equal(rump_lwproc_rfork(RUMP_RFFDG), 0);
	child = rump_sys_getpid();
	assert_true(child != MAIN_PID);
	assert_int_equal(rump_sys_getppid(), MAIN_PID);
	assert_true(rump_lwproc_curlwp() != l0);
	/* Same open file description: the offset is shared. */
	memset(buf, 0, sizeof(buf));
	assert_int_equal(CHECK_OK(rump_sys_read(fd, buf, 3)), 3);
	assert_string_equal(buf, "par");
	/* The table is a copy: closing here leaves the parent's open. */
	CHECK_OK(rump_sys_close(fd));
	rump_lwproc_releaselwp();
	rump_lwproc_switch(l0);
	assert_int_equal(rump_sys_getpid(), MAIN_PID);
	assert_int_equal(CHECK_OK(rump_sys_lseek(fd, 0, SEEK_CUR)), 3);
	CHECK_OK(rump_sys_close(fd));
#endif
}

static void
rfork_empty_table(void **state)
{
	(void)state;
	TEST_DIR();
	HOST_INVALID();
#ifndef TEST_ON_HOST
	struct lwp *l0;
	struct stat st;
	int fd, nfd;

	put_file(tp("f"), "x");
	fd = (int)CHECK_OK(rump_sys_open(tp("f"), O_RDONLY, 0));
	CHECK_OK(rump_sys_dup2(fd, 40));
	l0 = bound_lwp();
	assert_int_equal(rump_lwproc_rfork(RUMP_RFCFDG), 0);
	CHECK_ERR(rump_sys_fstat(fd, &st), EBADF);
	CHECK_ERR(rump_sys_fstat(40, &st), EBADF);
	nfd = (int)CHECK_OK(rump_sys_open(tp("f"), O_RDONLY, 0));
	assert_int_equal(nfd, 0);
	rump_lwproc_releaselwp();
	rump_lwproc_switch(l0);
	CHECK_OK(rump_sys_fstat(fd, &st));
	CHECK_OK(rump_sys_close(40));
	CHECK_OK(rump_sys_close(fd));
#endif
}

static void
release_ends_process(void **state)
{
	(void)state;
	TEST_DIR();
	HOST_INVALID();
#ifndef TEST_ON_HOST
	struct lwp *l0, *lc;
	pid_t child;

	l0 = bound_lwp();
	assert_int_equal(rump_lwproc_rfork(RUMP_RFFDG), 0);
	child = rump_sys_getpid();
	lc = rump_lwproc_curlwp();
	/* Switching away keeps the child alive: a second lwp can join it. */
	rump_lwproc_switch(l0);
	assert_int_equal(rump_lwproc_newlwp(child), 0);
	assert_int_equal(rump_sys_getpid(), child);
	rump_lwproc_releaselwp();
	/* Releasing its last lwp ends it. */
	rump_lwproc_switch(lc);
	assert_int_equal(rump_sys_getpid(), child);
	rump_lwproc_releaselwp();
	rump_lwproc_switch(l0);
	assert_int_equal(rump_lwproc_newlwp(child), ESRCH);
	assert_int_equal(rump_lwproc_newlwp(99999), ESRCH);
	assert_int_equal(rump_sys_getpid(), MAIN_PID);
	/* Without an lwp, the next call binds the thread to pid 1 again. */
	assert_int_equal(rump_lwproc_rfork(RUMP_RFFDG), 0);
	assert_true(rump_sys_getpid() != MAIN_PID);
	rump_lwproc_releaselwp();
	assert_int_equal(rump_sys_getpid(), MAIN_PID);
	rump_lwproc_switch(l0);
#endif
}

static void
newlwp_joins_process(void **state)
{
	(void)state;
	TEST_DIR();
	HOST_INVALID();
#ifndef TEST_ON_HOST
	struct lwp *l0;
	pid_t tid0;

	l0 = bound_lwp();
	tid0 = rump_sys_gettid();
	assert_int_equal(rump_lwproc_newlwp(MAIN_PID), 0);
	assert_true(rump_lwproc_curlwp() != l0);
	assert_int_equal(rump_sys_getpid(), MAIN_PID);
	assert_true(rump_sys_gettid() != tid0);
	rump_lwproc_releaselwp();
	rump_lwproc_switch(l0);
	assert_int_equal(rump_sys_gettid(), tid0);
#endif
}

static void
switch_changes_cwd_and_umask(void **state)
{
	(void)state;
	TEST_DIR();
	HOST_INVALID();
#ifndef TEST_ON_HOST
	struct lwp *l0, *lc;
	char buf[PATH_MAX];
	mode_t parent_mask;

	l0 = bound_lwp();
	parent_mask = rump_sys_umask(022);
	rump_sys_umask(parent_mask);
	assert_non_null(rump_sys_getcwd(buf, sizeof(buf)));
	assert_string_equal(buf, "/");
	assert_int_equal(rump_lwproc_rfork(RUMP_RFFDG), 0);
	lc = rump_lwproc_curlwp();
	/* The child starts with the parent's umask and cwd. */
	assert_int_equal(rump_sys_umask(077), parent_mask);
	CHECK_OK(rump_sys_chdir(T));
	rump_lwproc_switch(l0);
	assert_non_null(rump_sys_getcwd(buf, sizeof(buf)));
	assert_string_equal(buf, "/");
	assert_int_equal(rump_sys_umask(parent_mask), parent_mask);
	rump_lwproc_switch(lc);
	assert_non_null(rump_sys_getcwd(buf, sizeof(buf)));
	assert_string_equal(buf, T);
	assert_int_equal(rump_sys_umask(077), 077);
	/* Relative names follow the current process's cwd. */
	put_file("rel", "r");
	CHECK_OK(rump_sys_access(tp("rel"), F_OK));
	rump_lwproc_releaselwp();
	rump_lwproc_switch(l0);
#endif
}

#define STEP(cond) do { step++; if (!(cond)) return step; } while (0)

/* In a child process (which just ends): the setuid family. */
static int
creds_child(void *arg)
{
	gid_t groups[8];
	uid_t r, e, s;
	gid_t gr, ge, gs;
	int step = 0;

	(void)arg;
	STEP(rump_sys_getuid() == 0 && rump_sys_geteuid() == 0);
	STEP(rump_sys_getgid() == 0 && rump_sys_getegid() == 0);
	/* setfsuid answers the previous value; -1 only asks. */
	STEP(rump_sys_setfsuid(123) == 0);
	STEP(rump_sys_setfsuid((uid_t)-1) == 123);
	STEP(rump_sys_setfsuid(0) == 123);
	STEP(rump_sys_setfsgid(77) == 0);
	STEP(rump_sys_setfsgid((gid_t)-1) == 77);
	STEP(rump_sys_setfsgid(0) == 77);
	groups[0] = 10;
	groups[1] = 20;
	groups[2] = 30;
	STEP(rump_sys_setgroups(3, groups) == 0);
	STEP(rump_sys_getgroups(0, NULL) == 3);
	memset(groups, 0, sizeof(groups));
	STEP(rump_sys_getgroups(8, groups) == 3);
	STEP(groups[0] == 10 && groups[1] == 20 && groups[2] == 30);
	STEP(rump_sys_getgroups(1, groups) == -1 && errno == EINVAL);
	STEP(rump_sys_setresgid(100, 200, 300) == 0);
	STEP(rump_sys_getresgid(&gr, &ge, &gs) == 0);
	STEP(gr == 100 && ge == 200 && gs == 300);
	STEP(rump_sys_getgid() == 100 && rump_sys_getegid() == 200);
	STEP(rump_sys_setresuid(1, 2, 3) == 0);
	STEP(rump_sys_getresuid(&r, &e, &s) == 0);
	STEP(r == 1 && e == 2 && s == 3);
	STEP(rump_sys_getuid() == 1 && rump_sys_geteuid() == 2);
	/* Unprivileged now: only among the real, effective, saved ids. */
	STEP(rump_sys_setuid(3) == 0);
	STEP(rump_sys_geteuid() == 3 && rump_sys_getuid() == 1);
	STEP(rump_sys_setuid(4000) == -1 && errno == EPERM);
	STEP(rump_sys_setresuid(0, (uid_t)-1, (uid_t)-1) == -1 &&
	    errno == EPERM);
	STEP(rump_sys_setreuid((uid_t)-1, 1) == 0);
	STEP(rump_sys_geteuid() == 1);
	STEP(rump_sys_setgid(4000) == -1 && errno == EPERM);
	STEP(rump_sys_setgid(300) == 0 && rump_sys_getegid() == 300);
	STEP(rump_sys_setregid(4000, (gid_t)-1) == -1 && errno == EPERM);
	STEP(rump_sys_setgroups(0, NULL) == -1 && errno == EPERM);
	STEP(rump_sys_sethostname("x", 1) == -1 && errno == EPERM);
	return 0;
}

static void
credentials(void **state)
{
	(void)state;
	TEST_DIR();
	assert_int_equal(child_run(creds_child, NULL), 0);
	/* The parent kept its own. */
	assert_int_equal(rump_sys_geteuid(), 0);
	assert_int_equal(rump_sys_getegid(), 0);
}

static int
root_setuid_child(void *arg)
{
	int step = 0;

	(void)arg;
	/* Root's setuid sets all three ids: no way back. */
	STEP(rump_sys_setuid(500) == 0);
	STEP(rump_sys_getuid() == 500 && rump_sys_geteuid() == 500);
	STEP(rump_sys_setuid(0) == -1 && errno == EPERM);
	return 0;
}

static void
root_setuid_is_final(void **state)
{
	(void)state;
	TEST_DIR();
	assert_int_equal(child_run(root_setuid_child, NULL), 0);
}

static void
uname_and_hostname(void **state)
{
	struct utsname u;
	char name[80];

	(void)state;
	TEST_DIR();
	CHECK_OK(rump_sys_uname(&u));
	assert_string_equal(u.sysname, "Linux");
#if defined(__x86_64__)
	assert_string_equal(u.machine, "x86_64");
#elif defined(__aarch64__)
	assert_string_equal(u.machine, "aarch64");
#endif
	assert_true(u.nodename[0] != '\0');
	assert_true(u.release[0] != '\0');
	CHECK_OK(rump_sys_setdomainname("example.org", 11));
	CHECK_OK(rump_sys_uname(&u));
	assert_string_equal(u.domainname, "example.org");
	CHECK_OK(rump_sys_sethostname("rumptest", 8));
	CHECK_OK(rump_sys_uname(&u));
	assert_string_equal(u.nodename, "rumptest");
	/* The length counts, not a NUL. */
	CHECK_OK(rump_sys_sethostname("kernelXYZ", 6));
	CHECK_OK(rump_sys_uname(&u));
	assert_string_equal(u.nodename, "kernel");
	memset(name, 'h', sizeof(name));
	CHECK_OK(rump_sys_sethostname(name, 64));
	CHECK_ERR(rump_sys_sethostname(name, 65), EINVAL);
	CHECK_OK(rump_sys_uname(&u));
	assert_int_equal(strlen(u.nodename), 64);
	user_enter();
	CHECK_ERR(rump_sys_sethostname("user", 4), EPERM);
	CHECK_ERR(rump_sys_setdomainname("user", 4), EPERM);
	user_leave();
	CHECK_OK(rump_sys_uname(&u));
	assert_int_equal(strlen(u.nodename), 64);
}

static void
umask_per_process(void **state)
{
	mode_t old;

	(void)state;
	TEST_DIR();
	old = rump_sys_umask(027);
	assert_int_equal(rump_sys_umask(027), 027);
	proc_enter();
	assert_int_equal(rump_sys_umask(0), 027);
	CHECK_OK(rump_sys_mkdir(tp("d"), 0777));
	assert_int_equal(stat_ok(tp("d")).st_mode & 0777, 0777);
	proc_leave();
#ifndef TEST_ON_HOST
	assert_int_equal(rump_sys_umask(old), 027);
#else
	rump_sys_umask(old);
#endif
}

static int
group_setup(void **state)
{
	(void)state;
	return test_kernel_init("boot");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(init_twice),
		cmocka_unit_test(main_thread_is_pid_1),
		cmocka_unit_test(threads_share_the_process),
		cmocka_unit_test(rfork_copies_descriptors),
		cmocka_unit_test(rfork_empty_table),
		cmocka_unit_test(release_ends_process),
		cmocka_unit_test(newlwp_joins_process),
		cmocka_unit_test(switch_changes_cwd_and_umask),
		cmocka_unit_test(credentials),
		cmocka_unit_test(root_setuid_is_final),
		cmocka_unit_test(uname_and_hostname),
		cmocka_unit_test(umask_per_process),
	};

	return cmocka_run_group_tests_name("boot", tests, group_setup, NULL);
}
