/*
 * test_procfs.c: procfs inside the kernel: sysctl files under /proc/sys
 * (kern.maxvnodes is /proc/sys/kern/maxvnodes), /proc/self/fd, and that
 * what readdir lists, lookup finds: a name listed to a reader that is gone
 * since (descriptor closed, process exited) still answers lstat and
 * readlink as it was, also while other processes come and go.
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

#ifndef TEST_ON_HOST
/*
 * What readdir lists, lookup finds: only in a rump kernel (Linux lets the
 * lstat of a listed name that is gone fail), and over rump_lwproc.
 */
/* The names in directory path, without "." and "..": count of them. */
static int
list_dir(const char *path, char (*names)[256], int max)
{
	char buf[4096];
	ssize_t n, off;
	int dfd, nnames = 0;

	dfd = (int)CHECK_OK(rump_sys_open(path, O_RDONLY | O_DIRECTORY, 0));
	while ((n = CHECK_OK(rump_sys_getdents64(dfd, buf, sizeof(buf)))) > 0) {
		for (off = 0; off < n; ) {
			const char *name = buf + off + 19;
			unsigned short reclen;

			memcpy(&reclen, buf + off + 16, sizeof(reclen));
			off += reclen;
			if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
				continue;
			assert_true(nnames < max);
			snprintf(names[nnames++], sizeof(*names), "%s", name);
		}
	}
	/* Closed before the names are looked at, as fts does it. */
	CHECK_OK(rump_sys_close(dfd));
	return nnames;
}

static bool
listed(char (*names)[256], int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++) {
		if (strcmp(names[i], name) == 0)
			return true;
	}
	return false;
}

/*
 * The walk of find and du: list a directory, close it, lstat every name
 * (readlink the links), descend into the directories.  Every listed name
 * must answer.  Returns the number of names seen.
 */
static int
walk(const char *path, int depth)
{
	/* A name buffer per depth, kept across walks: 1 MiB allocated per
	 * directory cost most of the test's time under MALLOC_PERTURB_. */
	static char (*names_at[8])[256];
	char (*names)[256], sub[PATH_MAX], buf[PATH_MAX];
	struct stat st;
	int i, n, nseen;

	assert_true(depth < 8);
	if (names_at[depth] == NULL)
		names_at[depth] = malloc(4096 * sizeof(*names));
	names = names_at[depth];
	assert_non_null(names);
	n = nseen = list_dir(path, names, 4096);
	for (i = 0; i < n; i++) {
		if (snprintf(sub, sizeof(sub), "%s/%s", path, names[i]) >=
		    (int)sizeof(sub))
			fail_msg("%s/%s: path too long", path, names[i]);
		if (rump_sys_lstat(sub, &st) != 0)
			fail_msg("%s listed, lstat: %s", sub, strerror(errno));
		if (S_ISLNK(st.st_mode) &&
		    rump_sys_readlink(sub, buf, sizeof(buf)) < 0)
			fail_msg("%s listed, readlink: %s", sub,
			    strerror(errno));
		if (S_ISDIR(st.st_mode))
			nseen += walk(sub, depth + 1);
	}
	return nseen;
}

/*
 * A descriptor listed and then closed, and a process listed and then
 * ended, answer as they were; names never listed, or no longer listed
 * after a new readdir, are ENOENT as before.
 */
static int
lstat_errno(void *arg)
{
	struct stat st;

	return rump_sys_lstat(arg, &st) == 0 ? 0 : errno;
}

static void
proc_gone_entries(void **state)
{
	char (*names)[256], path[64], buf[PATH_MAX];
	struct lwp *me, *kid;
	struct stat st;
	ssize_t n;
	int fd, dfd, kfd, pid, kidpid, nn;

	(void)state;
	TEST_DIR();
	HOST_INVALID();		/* Linux lets the lstat fail */
	names = malloc(4096 * sizeof(*names));
	assert_non_null(names);
	pid = rump_sys_getpid();
	put_file(tp("f"), "x");

	/* A descriptor closed after the listing: a link to what it was. */
	fd = (int)CHECK_OK(rump_sys_open(tp("f"), O_RDONLY, 0));
	/* High, so that the listing's own descriptor does not reuse it. */
	CHECK_OK(rump_sys_dup2(fd, 77));
	CHECK_OK(rump_sys_close(fd));
	fd = 77;
	nn = list_dir("/proc/self/fd", names, 4096);
	snprintf(path, sizeof(path), "%d", fd);
	assert_true(listed(names, nn, path));
	CHECK_OK(rump_sys_close(fd));
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", pid, fd);
	CHECK_OK(rump_sys_lstat(path, &st));
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0500);	/* it was O_RDONLY */
	n = CHECK_OK(rump_sys_readlink(path, buf, sizeof(buf) - 1));
	buf[n] = '\0';
	assert_string_equal(buf, tp("f"));
	/* It names nothing to open: the descriptor is closed. */
	CHECK_ERR(rump_sys_open(path, O_RDONLY, 0), ENOENT);
	CHECK_ERR(rump_sys_stat(path, &st), ENOENT);
	/* Another process never had it listed. */
	assert_int_equal(child_run(lstat_errno, path), ENOENT);
	/* A name never listed is not there. */
	snprintf(buf, sizeof(buf), "/proc/%d/fd/999", pid);
	CHECK_ERR(rump_sys_lstat(buf, &st), ENOENT);
	/* A new listing no longer has it, and then neither has lookup. */
	(void)list_dir("/proc/self/fd", names, 4096);
	CHECK_ERR(rump_sys_lstat(path, &st), ENOENT);
	CHECK_ERR(rump_sys_readlink(path, buf, sizeof(buf)), ENOENT);

	/* A process listed (with its directories), then ended. */
	me = rump_lwproc_curlwp();
	assert_int_equal(rump_lwproc_rfork(RUMP_RFCFDG), 0);
	kid = rump_lwproc_curlwp();
	kidpid = rump_sys_getpid();
	CHECK_OK(rump_sys_chdir(T));
	kfd = (int)CHECK_OK(rump_sys_open(tp("f"), O_WRONLY, 0));
	rump_lwproc_switch(me);
	snprintf(path, sizeof(path), "%d", kidpid);
	nn = list_dir("/proc", names, 4096);
	assert_true(listed(names, nn, path));
	snprintf(path, sizeof(path), "/proc/%d", kidpid);
	assert_int_equal(list_dir(path, names, 4096), 5);
	snprintf(path, sizeof(path), "/proc/%d/fd", kidpid);
	assert_int_equal(list_dir(path, names, 4096), 1);
	rump_lwproc_switch(kid);
	rump_lwproc_releaselwp();	/* the last lwp: the process ends */
	rump_lwproc_switch(me);
	snprintf(path, sizeof(path), "/proc/%d", kidpid);
	CHECK_OK(rump_sys_lstat(path, &st));
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0555);
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", kidpid, kfd);
	CHECK_OK(rump_sys_lstat(path, &st));
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0300);	/* it was O_WRONLY */
	n = CHECK_OK(rump_sys_readlink(path, buf, sizeof(buf) - 1));
	buf[n] = '\0';
	assert_string_equal(buf, tp("f"));
	/* Its directories open and are empty now. */
	snprintf(path, sizeof(path), "/proc/%d/fd", kidpid);
	assert_int_equal(list_dir(path, names, 4096), 0);
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", kidpid, kfd);
	CHECK_ERR(rump_sys_lstat(path, &st), ENOENT);
	snprintf(path, sizeof(path), "/proc/%d", kidpid);
	assert_int_equal(list_dir(path, names, 4096), 0);
	/* The listing of /proc/<pid> is the empty one now. */
	snprintf(path, sizeof(path), "/proc/%d/status", kidpid);
	CHECK_ERR(rump_sys_lstat(path, &st), ENOENT);
	/* Not listed any more, not found any more. */
	(void)list_dir("/proc", names, 4096);
	snprintf(path, sizeof(path), "/proc/%d", kidpid);
	CHECK_ERR(rump_sys_lstat(path, &st), ENOENT);

	/* Listed /proc/<pid>, then ended: its files and links answer. */
	assert_int_equal(rump_lwproc_rfork(RUMP_RFCFDG), 0);
	kid = rump_lwproc_curlwp();
	kidpid = rump_sys_getpid();
	CHECK_OK(rump_sys_chdir(T));
	rump_lwproc_switch(me);
	(void)list_dir("/proc", names, 4096);
	snprintf(path, sizeof(path), "/proc/%d", kidpid);
	assert_int_equal(list_dir(path, names, 4096), 5);
	rump_lwproc_switch(kid);
	rump_lwproc_releaselwp();
	rump_lwproc_switch(me);
	snprintf(path, sizeof(path), "/proc/%d/status", kidpid);
	CHECK_OK(rump_sys_lstat(path, &st));
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0444);
	snprintf(path, sizeof(path), "/proc/%d/cwd", kidpid);
	n = CHECK_OK(rump_sys_readlink(path, buf, sizeof(buf) - 1));
	buf[n] = '\0';
	assert_string_equal(buf, T);
	snprintf(path, sizeof(path), "/proc/%d/fd", kidpid);
	CHECK_OK(rump_sys_lstat(path, &st));
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(list_dir(path, names, 4096), 0);

	/* The walker's own descriptor of the directory it read. */
	dfd = (int)CHECK_OK(rump_sys_open("/proc/self/fd", O_RDONLY |
	    O_DIRECTORY, 0));
	CHECK_OK(rump_sys_close(dfd));
	assert_true(walk("/proc/self/fd", 0) >= 1);
	free(names);
}

/* The kernel's memory in use (kmem), or -1 without the net sysctls. */
static long long
kmem_inuse(void)
{
	char buf[64];
	struct stat st;

	if (rump_sys_stat("/proc/sys/net/core/kmem_inuse", &st) != 0)
		return -1;
	get_file("/proc/sys/net/core/kmem_inuse", buf, sizeof(buf));
	return atoll(buf);
}

/*
 * A reader's listings are kmem (what RUMP_MEMLIMIT counts), freed when
 * the reader ends; a reader keeps the last 16 directories it listed.
 */
static void
proc_listings_bounded(void **state)
{
	char (*names)[256], path[64], lname[200];
	struct lwp *me, *kids[16];
	long long before, peak, after;
	struct stat st;
	int fd, i, pids[16];

	(void)state;
	TEST_DIR();
	HOST_INVALID();
	names = malloc(4096 * sizeof(*names));
	assert_non_null(names);
	memset(lname, 'n', sizeof(lname) - 1);
	lname[sizeof(lname) - 1] = '\0';
	put_file(tp("%s", lname), "x");

	/* 300 descriptors with long targets, listed by a reader that ends. */
	before = kmem_inuse();
	proc_enter();
	fd = (int)CHECK_OK(rump_sys_open(tp("%s", lname), O_RDONLY, 0));
	for (i = 0; i < 300; i++)
		CHECK_OK(rump_sys_dup2(fd, 100 + i));
	assert_true(list_dir("/proc/self/fd", names, 4096) >= 301);
	for (i = 0; i < 300; i++)
		CHECK_OK(rump_sys_close(100 + i));
	CHECK_OK(rump_sys_close(fd));
	peak = kmem_inuse();
	/* The listing answers for what is closed now. */
	CHECK_OK(rump_sys_lstat("/proc/self/fd/399", &st));
	proc_leave();
	after = kmem_inuse();
	if (before >= 0) {
		print_message("kmem before %lld, listed %lld, ended %lld\n",
		    before, peak, after);
		/* Each record holds its target: 300 * 200 bytes at least. */
		assert_true(peak - before >= 300 * 200);
		assert_true(after - before < (peak - before) / 4);
	}

	/*
	 * 16 listings kept, the least recently used (listed, or a lookup in
	 * it) dropped first.
	 */
	fd = (int)CHECK_OK(rump_sys_open(tp("%s", lname), O_RDONLY, 0));
	CHECK_OK(rump_sys_dup2(fd, 77));
	CHECK_OK(rump_sys_close(fd));
	me = rump_lwproc_curlwp();
	for (i = 0; i < 16; i++) {
		assert_int_equal(rump_lwproc_rfork(RUMP_RFCFDG), 0);
		kids[i] = rump_lwproc_curlwp();
		pids[i] = rump_sys_getpid();
		rump_lwproc_switch(me);
	}
	assert_true(list_dir("/proc/self/fd", names, 4096) >= 1);
	CHECK_OK(rump_sys_close(77));
	(void)list_dir("/proc", names, 4096);
	for (i = 0; i < 14; i++) {
		snprintf(path, sizeof(path), "/proc/%d", pids[i]);
		assert_int_equal(list_dir(path, names, 4096), 5);
	}
	/* 16 listings: fd/77 answers (and its listing is used now). */
	CHECK_OK(rump_sys_lstat("/proc/self/fd/77", &st));
	/* 16 listings more: the fd listing is the one too many. */
	for (i = 0; i < 16; i++) {
		snprintf(path, sizeof(path), "/proc/%d/fd", pids[i]);
		assert_int_equal(list_dir(path, names, 4096), 0);
	}
	CHECK_ERR(rump_sys_lstat("/proc/self/fd/77", &st), ENOENT);
	for (i = 0; i < 16; i++) {
		rump_lwproc_switch(kids[i]);
		rump_lwproc_releaselwp();
	}
	rump_lwproc_switch(me);
	free(names);
}

/* What the churning process does, and how it says it stopped. */
struct churn {
	volatile int stop;
	volatile int rounds;
	int error;
};

/*
 * Opens and closes descriptors and forks children that open one and end,
 * until told to stop: the descriptors and processes a walker sees come
 * and go.  It also holds a descriptor of the last child's /proc/<pid>
 * across that child's end, as a walker does (fts keeps its directories
 * open): the path of such a descriptor is what the kernel searches for
 * in /proc itself.  Runs on its own thread: no cmocka asserts here.
 */
static int
churn(void *arg)
{
	struct churn *c = arg;
	struct lwp *me, *kid;
	char kdir[32];
	int fd[4], i, kfd, held = -1, pfd;

	me = rump_lwproc_curlwp();
	pfd = rump_sys_open("/proc", O_RDONLY | O_DIRECTORY, 0);
	if (pfd < 0) {
		c->error = errno;
		return -1;
	}
	while (!__atomic_load_n(&c->stop, __ATOMIC_ACQUIRE)) {
		for (i = 0; i < 4; i++) {
			fd[i] = rump_sys_open(i % 2 ? "/proc" : T,
			    O_RDONLY | O_DIRECTORY, 0);
			if (fd[i] < 0) {
				c->error = errno;
				return -1;
			}
		}
		for (i = 0; i < 4; i++)
			(void)rump_sys_close(fd[i]);
		if (rump_lwproc_rfork(RUMP_RFCFDG) != 0) {
			c->error = EAGAIN;
			return -1;
		}
		kid = rump_lwproc_curlwp();
		kfd = rump_sys_open("/proc", O_RDONLY | O_DIRECTORY, 0);
		if (kfd >= 0)
			(void)rump_sys_close(rump_sys_dup(kfd));
		snprintf(kdir, sizeof(kdir), "%d", rump_sys_getpid());
		rump_lwproc_switch(me);
		if (held >= 0)
			(void)rump_sys_close(held);
		held = rump_sys_openat(pfd, kdir, O_RDONLY | O_DIRECTORY, 0);
		rump_lwproc_switch(kid);
		rump_lwproc_releaselwp();
		rump_lwproc_switch(me);
		__atomic_add_fetch(&c->rounds, 1, __ATOMIC_RELEASE);
	}
	if (held >= 0)
		(void)rump_sys_close(held);
	(void)rump_sys_close(pfd);
	return 0;
}

/*
 * The whole of /proc walked again and again while another process opens
 * and closes descriptors and forks children that end: every listed name
 * answers lstat (and readlink), every listed directory opens.
 */
static void
proc_walk_under_load(void **state)
{
	struct churn *c;
	struct child *ch;
	int i, fd;

	(void)state;
	TEST_DIR();
	HOST_INVALID();		/* Linux lets the lstat fail */
	c = shared_alloc(sizeof(*c));
	fd = (int)CHECK_OK(rump_sys_open(T, O_RDONLY | O_DIRECTORY, 0));
	ch = child_start(churn, c);
	wait_flag(&c->rounds, 1);
	for (i = 0; i < 300; i++)
		assert_true(walk("/proc", 0) > 10);
	/* The churn went on all along. */
	print_message("%d walks, %d churn rounds\n", i,
	    __atomic_load_n(&c->rounds, __ATOMIC_ACQUIRE));
	assert_true(__atomic_load_n(&c->rounds, __ATOMIC_ACQUIRE) > 10);
	__atomic_store_n(&c->stop, 1, __ATOMIC_RELEASE);
	assert_int_equal(child_wait(ch), 0);
	assert_int_equal(c->error, 0);
	CHECK_OK(rump_sys_close(fd));
}

#else /* TEST_ON_HOST */
static void
proc_gone_entries(void **state)
{
	(void)state;
	skip();
}

static void
proc_walk_under_load(void **state)
{
	(void)state;
	skip();
}

static void
proc_listings_bounded(void **state)
{
	(void)state;
	skip();
}
#endif /* TEST_ON_HOST */

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
		cmocka_unit_test(proc_gone_entries),
		cmocka_unit_test(proc_walk_under_load),
		cmocka_unit_test(proc_listings_bounded),
	};

	return cmocka_run_group_tests_name("procfs", tests, group_setup, NULL);
}
