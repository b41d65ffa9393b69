/*
 * testlib.c: helpers shared by the unit tests (see compat.h for the
 * contract).  Compiled into every test executable, in rump mode and in
 * host mode (-DTEST_ON_HOST).  Not thread-safe except where noted: tests
 * call these from their main thread.
 */
#include "compat.h"

#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

char T[PATH_MAX];
#ifndef TEST_ON_HOST
static struct lwp *savedlwp[8];
static int nsaved;
#endif
static char groupdir[PATH_MAX];

long
check_ok_(long r, const char *expr, const char *file, int line)
{
	if (r == -1) {
		print_error("%s: expected success, got -1 errno %d (%s)\n",
		    expr, errno, strerror(errno));
		_fail(file, line);
	}
	return r;
}

void
check_err_(long r, int err, const char *expr, const char *file, int line)
{
	if (r != -1) {
		print_error("%s: expected -1 errno %d (%s), got %ld\n",
		    expr, err, strerror(err), r);
		_fail(file, line);
	}
	if (errno != err) {
		print_error("%s: expected errno %d (%s), got %d (%s)\n",
		    expr, err, strerror(err), errno, strerror(errno));
		_fail(file, line);
	}
}

#ifdef TEST_ON_HOST
/*
 * A private mount and UTS namespace whose root is a fresh tmpfs mounted
 * over /tmp (invisible outside the namespace), with /dev and /proc bound
 * in.  Nothing is left behind when the process ends.
 */
static int
host_init(void)
{
	static bool done;

	if (done)
		return 0;
	if (unshare(CLONE_NEWNS | CLONE_NEWUTS) != 0) {
		fprintf(stderr, "host mode needs root (unshare: %s)\n",
		    strerror(errno));
		return -1;
	}
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
	    mount("none", "/tmp", "tmpfs", 0, "mode=0755") != 0 ||
	    mkdir("/tmp/dev", 0755) != 0 || mkdir("/tmp/proc", 0555) != 0 ||
	    mount("/dev", "/tmp/dev", NULL, MS_BIND | MS_REC, NULL) != 0 ||
	    mount("/proc", "/tmp/proc", NULL, MS_BIND | MS_REC, NULL) != 0 ||
	    chdir("/tmp") != 0 || chroot(".") != 0 || chdir("/") != 0) {
		fprintf(stderr, "host mode setup: %s\n", strerror(errno));
		return -1;
	}
	umask(022);
	done = true;
	return 0;
}
#endif

int
test_kernel_init(const char *group)
{
#ifdef TEST_ON_HOST
	assert_int_equal(host_init(), 0);
#else
	assert_int_equal(rump_init(), 0);
#endif
	rump_sys_umask(022);	/* Linux's default; tests rely on it */
	snprintf(groupdir, sizeof(groupdir), "/t_%s", group);
	CHECK_OK(rump_sys_mkdir(groupdir, 0755));
	return 0;
}

/*
 * A test that failed inside user_enter() or proc_enter() left the thread
 * there; bring it back so the next test starts as root in the main process.
 */
static void
reset_process(void)
{
#ifdef TEST_ON_HOST
	if (geteuid() != 0 && getuid() != 0 && rump_sys_setresuid(0, 0, 0) == 0)
		(void)rump_sys_setresgid(0, 0, 0);
	(void)chdir("/");
#else
	while (nsaved > 0)
		proc_leave();
#endif
}

void
test_dir(const char *name)
{
	int n;

	assert_true(groupdir[0] != '\0');	/* test_kernel_init() ran */
	reset_process();

	n = snprintf(T, sizeof(T), "%s/%s", groupdir, name);
	assert_true(n > 0 && (size_t)n < sizeof(T));
	CHECK_OK(rump_sys_mkdir(T, 0755));
}

const char *
tp(const char *fmt, ...)
{
	static char bufs[16][PATH_MAX];
	static int next;
	char *b = bufs[next++ % 16];
	va_list ap;
	size_t n;

	n = (size_t)snprintf(b, PATH_MAX, "%s/", T);
	va_start(ap, fmt);
	vsnprintf(b + n, PATH_MAX - n, fmt, ap);
	va_end(ap);
	return b;
}

void
put_file(const char *path, const char *s)
{
	size_t len = strlen(s);
	int fd;

	fd = (int)CHECK_OK(rump_sys_open(path, O_WRONLY | O_CREAT | O_TRUNC,
	    0644));
	assert_int_equal(CHECK_OK(rump_sys_write(fd, s, len)), (long)len);
	CHECK_OK(rump_sys_close(fd));
}

size_t
get_file(const char *path, char *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;
	int fd;

	assert_true(len > 0);
	fd = (int)CHECK_OK(rump_sys_open(path, O_RDONLY, 0));
	while (got < len - 1) {
		n = CHECK_OK(rump_sys_read(fd, buf + got, len - 1 - got));
		if (n == 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	CHECK_OK(rump_sys_close(fd));
	return got;
}

struct stat
stat_ok(const char *path)
{
	struct stat st;

	memset(&st, 0, sizeof(st));
	CHECK_OK(rump_sys_stat(path, &st));
	return st;
}

/* --- kernel processes ---------------------------------------------------- */


void
proc_enter(void)
{
#ifndef TEST_ON_HOST
	assert_true(nsaved < 8);
	(void)rump_sys_getpid();	/* make sure the thread has an lwp */
	savedlwp[nsaved] = rump_lwproc_curlwp();
	assert_non_null(savedlwp[nsaved]);
	nsaved++;
	assert_int_equal(rump_lwproc_rfork(RUMP_RFFDG), 0);
#endif
}

void
proc_leave(void)
{
#ifndef TEST_ON_HOST
	assert_true(nsaved > 0);
	rump_lwproc_releaselwp();
	rump_lwproc_switch(savedlwp[--nsaved]);
#endif
}

void
user_enter(void)
{
#ifdef TEST_ON_HOST
	if (geteuid() != 0)
		skip();
	CHECK_OK(rump_sys_setgroups(0, NULL));
	CHECK_OK(rump_sys_setresgid(USER_GID, USER_GID, 0));
	CHECK_OK(rump_sys_setresuid(USER_UID, USER_UID, 0));
#else
	proc_enter();
	CHECK_OK(rump_sys_setgroups(0, NULL));
	CHECK_OK(rump_sys_setresgid(USER_GID, USER_GID, USER_GID));
	CHECK_OK(rump_sys_setresuid(USER_UID, USER_UID, USER_UID));
#endif
	assert_int_equal(rump_sys_geteuid(), USER_UID);
}

void
user_leave(void)
{
#ifdef TEST_ON_HOST
	CHECK_OK(rump_sys_setresuid(0, 0, 0));
	CHECK_OK(rump_sys_setresgid(0, 0, 0));
#else
	proc_leave();
#endif
	assert_int_equal(rump_sys_geteuid(), 0);
}

void *
shared_alloc(size_t len)
{
	void *p;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
	    -1, 0);
	assert_true(p != MAP_FAILED);
	return p;	/* zero-filled; left mapped for the life of the test */
}

void
wait_flag(volatile int *flag, int value)
{
	struct timespec ts = { 0, 1000000 };

	while (__atomic_load_n(flag, __ATOMIC_ACQUIRE) < value)
		nanosleep(&ts, NULL);
}

struct child {
	int (*fn)(void *);
	void *arg;
	int rv;
#ifdef TEST_ON_HOST
	pid_t pid;
#else
	pthread_t thr;
#endif
};

#ifndef TEST_ON_HOST
/*
 * The thread's first call binds it to the local client's process (pid 1);
 * it forks that process, runs fn there, ends the child and then releases
 * its own lwp.
 */
static void *
child_thread(void *v)
{
	struct child *c = v;
	struct lwp *mine;

	(void)rump_sys_getpid();
	mine = rump_lwproc_curlwp();
	if (rump_lwproc_rfork(RUMP_RFFDG) != 0) {
		c->rv = -1000;
		return NULL;
	}
	c->rv = c->fn(c->arg);
	rump_lwproc_releaselwp();
	rump_lwproc_switch(mine);
	rump_lwproc_releaselwp();
	return NULL;
}
#endif

struct child *
child_start(int (*fn)(void *), void *arg)
{
	struct child *c;

	c = calloc(1, sizeof(*c));
	assert_non_null(c);
	c->fn = fn;
	c->arg = arg;
#ifdef TEST_ON_HOST
	fflush(NULL);
	c->pid = fork();
	assert_true(c->pid >= 0);
	if (c->pid == 0)
		_exit(fn(arg) & 0xff);
#else
	assert_int_equal(pthread_create(&c->thr, NULL, child_thread, c), 0);
#endif
	return c;
}

int
child_wait(struct child *c)
{
	int rv;
#ifdef TEST_ON_HOST
	int status;

	assert_int_equal(waitpid(c->pid, &status, 0), c->pid);
	assert_true(WIFEXITED(status));
	rv = WEXITSTATUS(status);
#else
	assert_int_equal(pthread_join(c->thr, NULL), 0);
	rv = c->rv;
#endif
	free(c);
	return rv;
}

int
child_run(int (*fn)(void *), void *arg)
{
	return child_wait(child_start(fn, arg));
}

uint16_t
sum16(const uint8_t *p, size_t len, uint32_t sum)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)(p[len - 1] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint16_t
tcp4_sum(const uint8_t *ip)
{
	size_t len = (size_t)(ip[2] << 8 | ip[3]);
	uint32_t ps = 6 + (uint32_t)(len - 20);

	for (size_t i = 12; i < 20; i += 2)
		ps += (uint32_t)(ip[i] << 8 | ip[i + 1]);
	return sum16(ip + 20, len - 20, ps);
}

/* RUMP_TEST_FILTER=pattern runs only the matching cases (debugging). */
__attribute__((constructor)) static void
test_filter_from_env(void)
{
	const char *f = getenv("RUMP_TEST_FILTER");

	if (f != NULL && *f != '\0')
		cmocka_set_test_filter(f);
}
