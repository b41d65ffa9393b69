/*
 * hjbench: what the hijack costs, in one run.  A plain libc program: it
 * links no kernel, and runs unmodified with and without LD_PRELOAD.
 *
 *   hjbench [SHIM [RUMPHIJACK]]    the driver (default: ../hijack/ next to
 *                                  this program in the build tree)
 *   hjbench --calls FILE [KFILE]   worker: non-routed calls on host FILE
 *                                  (KFILE: a routed file opened first, so
 *                                  the shim has a kernel and a fd map)
 *   hjbench --routed DIR [N]       worker: stat, open+close, pwrite in DIR
 *                                  (N calls a block)
 *
 * The driver spawns workers alternately without and with
 * LD_PRELOAD=librumphijack.so (no RUMP_SERVER: an embedded kernel) and
 * prints, side by side:
 *
 *   1. non-routed calls on a host descriptor (close(-1), read of 0 bytes,
 *      fstat; stat of a host path and an unwrapped getppid to compare), no
 *      shim vs shim: ns/op and the difference (goal: within 2 ns).  The
 *      difference is also taken within one process, against libc's own
 *      definition called through a pointer: the noise between processes
 *      is as large as the goal;
 *   2. routed stat, open+close, pwrite 4 KiB in /rump (embedded kernel)
 *      vs the same calls on the host in /dev/shm: ratio (goal <= 1.0), and
 *      for reference the same under rumphijack (a remote kernel);
 *   3. start-up of `rumphijack -- true` against plain `true` (and `true`
 *      with the shim preloaded), all by fork+exec+wait (goal < 10 ms);
 *   4. `tar xf` of a 10000-file archive, built here, under rumphijack into
 *      /rump vs plain tar into /dev/shm: ratio (goal <= 1.2); if that does
 *      not work yet, again without the utime, chown and chmod calls; for
 *      reference, tar with the kernel in its own process (LD_PRELOAD).
 *
 * What does not work yet (a wrapper others are still writing) reads
 * "n/a (reason)".  A worker takes the best of many short blocks of a loop
 * (the cost of a call, without the interruptions); the driver prints the
 * median over its processes.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <gnu/lib-names.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CALL_BLOCKS	50	/* a worker's figure: the best block of */
#define CALL_N		1000	/* ... this many calls */
#define ROUTED_BLOCKS	20
#define ROUTED_N	2000
#define CALL_ROUNDS	15	/* worker processes per side: calls */
#define ROUTED_ROUNDS	7	/* ... routed calls */
_Static_assert(ROUTED_ROUNDS <= CALL_ROUNDS, "struct res holds CALL_ROUNDS");
#define START_RUNS	20	/* start-up: median of runs */
#define TAR_ROUNDS	5
#define TAR_DIRS	100
#define TAR_FILES	10000	/* in all */
#define KDIR		"/rump/hjbench"
#define GOAL_NS		2.0
#define TIMEOUT_S	120

extern char **environ;

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int
cmpd(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(v[0]), cmpd);
	return v[n / 2];
}

/* snprintf for messages: truncating them is fine. */
static void __attribute__((format(printf, 3, 4)))
msg(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

/* --- the workers ---------------------------------------------------------- */

/* Times stmt n times per block, nb blocks; the best ns/op into out. */
#define TIME(out, nb, n, stmt) do {					\
	double best_ = 1e300;						\
	for (int b_ = 0; b_ < (nb); b_++) {				\
		uint64_t t0_ = now_ns();				\
		for (int i_ = 0; i_ < (n); i_++) {			\
			stmt;						\
		}							\
		double v_ = (double)(now_ns() - t0_) / (n);		\
		if (v_ < best_)						\
			best_ = v_;					\
	}								\
	(out) = best_;							\
} while (0)
#define ROUTED(out, stmt)	TIME(out, ROUTED_BLOCKS, n, stmt)

/* A worker's failure: one "n/a" line the driver shows as the reason. */
static int
na(const char *what, const char *path)
{
	printf("n/a %s %s: %s\n", what, path, strerror(errno));
	return 1;
}

/*
 * Each call twice, in alternate blocks: through the program's PLT (the
 * shim's wrapper when it is preloaded) and through a pointer to libc's own
 * definition (never the shim).  Their difference within one process is
 * the shim's cost without the noise between processes; without the shim
 * it is the difference between a PLT call and a pointer call.
 */
#define TIME2(out, out2, nb, n, stmt, stmt2) do {			\
	double best_ = 1e300, best2_ = 1e300;				\
	for (int b_ = 0; b_ < (nb); b_++) {				\
		uint64_t t0_ = now_ns();				\
		for (int i_ = 0; i_ < (n); i_++) {			\
			stmt;						\
		}							\
		uint64_t t1_ = now_ns();				\
		for (int i_ = 0; i_ < (n); i_++) {			\
			stmt2;						\
		}							\
		double v_ = (double)(t1_ - t0_) / (n);			\
		double v2_ = (double)(now_ns() - t1_) / (n);		\
		if (v_ < best_)						\
			best_ = v_;					\
		if (v2_ < best2_)					\
			best2_ = v2_;					\
	}								\
	(out) = best_;							\
	(out2) = best2_;						\
} while (0)
#define CALLS(stmt, stmt2)	TIME2(v, v2, CALL_BLOCKS, CALL_N, stmt, stmt2)

static struct {
	int (*close)(int);
	ssize_t (*read)(int, void *, size_t);
	int (*fstat)(int, struct stat *);
	int (*stat)(const char *, struct stat *);
	pid_t (*getppid)(void);
} libc;

static int
libc_find(void)
{
	void *h = dlopen(LIBC_SO, RTLD_LAZY | RTLD_NOLOAD);

	if (h == NULL)
		return -1;
	libc.close = (int (*)(int))dlsym(h, "close");
	libc.read = (ssize_t (*)(int, void *, size_t))dlsym(h, "read");
	libc.fstat = (int (*)(int, struct stat *))dlsym(h, "fstat");
	libc.stat = (int (*)(const char *, struct stat *))dlsym(h, "stat");
	libc.getppid = (pid_t (*)(void))dlsym(h, "getppid");
	return libc.close && libc.read && libc.fstat && libc.stat &&
	    libc.getppid ? 0 : -1;
}

static int
w_calls(const char *file, const char *kfile)
{
	struct stat st;
	char buf[1];
	double v, v2;
	int fd, kfd = -1;

	if (libc_find() != 0) {
		printf("n/a %s: no libc definitions: %s\n", LIBC_SO,
		    dlerror());
		return 1;
	}
	if (kfile != NULL && ((kfd = open(kfile, O_RDWR | O_CREAT, 0644)) < 0))
		return na("open", kfile);
	if ((fd = open(file, O_RDWR)) < 0)
		return na("open", file);
	CALLS((void)close(-1), (void)libc.close(-1));
	printf("close(-1) %.2f %.2f\n", v, v2);
	CALLS(if (read(fd, buf, 0) != 0) return na("read", file),
	    if (libc.read(fd, buf, 0) != 0) return na("read", file));
	printf("read(0B) %.2f %.2f\n", v, v2);
	CALLS(if (fstat(fd, &st) != 0) return na("fstat", file),
	    if (libc.fstat(fd, &st) != 0) return na("fstat", file));
	printf("fstat %.2f %.2f\n", v, v2);
	CALLS(if (stat(file, &st) != 0) return na("stat", file),
	    if (libc.stat(file, &st) != 0) return na("stat", file));
	printf("stat(host) %.2f %.2f\n", v, v2);
	CALLS((void)getppid(), (void)libc.getppid());
	printf("getppid %.2f %.2f\n", v, v2);
	close(fd);
	if (kfd >= 0)
		close(kfd);
	return 0;
}

static int
w_routed(const char *dir, int n)
{
	static char page[4096];
	char f[PATH_MAX];
	struct stat st;
	uint64_t t0;
	double v;
	int fd;

	memset(page, 'x', sizeof(page));
	t0 = now_ns();
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		return na("mkdir", dir);
	printf("first %.2f\n", (double)(now_ns() - t0));
	snprintf(f, sizeof(f), "%s/f", dir);
	if ((fd = open(f, O_RDWR | O_CREAT | O_TRUNC, 0644)) < 0)
		return na("create", f);
	if (pwrite(fd, page, sizeof(page), 0) != (ssize_t)sizeof(page))
		return na("pwrite", f);
	ROUTED(v, if (stat(f, &st) != 0) return na("stat", f));
	printf("stat %.2f\n", v);
	ROUTED(v, {
		int x = open(f, O_RDONLY);
		if (x < 0)
			return na("open", f);
		close(x);
	});
	printf("open+close %.2f\n", v);
	ROUTED(v, if (pwrite(fd, page, sizeof(page), 0) !=
	    (ssize_t)sizeof(page)) return na("pwrite", f));
	printf("pwrite(4KiB) %.2f\n", v);
	/* That it was written, once. */
	memset(page, 0, sizeof(page));
	if (fstat(fd, &st) != 0 || pread(fd, page, sizeof(page), 0) !=
	    (ssize_t)sizeof(page))
		return na("fstat+pread", f);
	if (st.st_size != (off_t)sizeof(page) || page[0] != 'x' ||
	    page[sizeof(page) - 1] != 'x') {
		errno = EIO;
		return na("read back", f);
	}
	close(fd);
	unlink(f);
	rmdir(dir);
	return 0;
}

/* --- the driver: processes ------------------------------------------------ */

static char self[PATH_MAX], shim[PATH_MAX], rumphijack[PATH_MAX];
static char work[64];		/* /dev/shm/hjbench.XXXXXX */
static char outf[PATH_MAX], errf[PATH_MAX];

/* environ without LD_PRELOAD, RUMP_SERVER and RUMPHIJACK*; then extra. */
static char **
env_with(const char *extra)
{
	static char *env[4096];
	static char pre[PATH_MAX + 16];
	size_t n = 0;

	for (char **e = environ; *e != NULL && n < 4094; e++)
		if (strncmp(*e, "LD_PRELOAD=", 11) != 0 &&
		    strncmp(*e, "RUMP_SERVER=", 12) != 0 &&
		    strncmp(*e, "RUMPHIJACK", 10) != 0)
			env[n++] = *e;
	if (extra != NULL) {
		snprintf(pre, sizeof(pre), "%s", extra);
		env[n++] = pre;
	}
	env[n] = NULL;
	return env;
}

static const char *
preload(void)
{
	static char s[PATH_MAX + 16];

	snprintf(s, sizeof(s), "LD_PRELOAD=%s", shim);
	return s;
}

/* The first line of file into buf ("" if none). */
static const char *
first_line(const char *file, char *buf, size_t len)
{
	FILE *f = fopen(file, "r");

	buf[0] = '\0';
	if (f != NULL) {
		if (fgets(buf, (int)len, f) != NULL)
			buf[strcspn(buf, "\n")] = '\0';
		fclose(f);
	}
	return buf;
}

/*
 * Runs argv[0] (a path) with env, stdout into outf and stderr into errf;
 * its wait status, and the wall time from fork to reaping in *ns.  -1 if
 * it could not run or was killed after TIMEOUT_S (why: in why).
 */
static int
run(char *const argv[], char *const env[], uint64_t *ns, char *why,
    size_t whylen)
{
	uint64_t t0 = now_ns();
	int status, pfd;
	pid_t pid;

	if ((pid = fork()) < 0) {
		msg(why, whylen, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		int o = open(outf, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int e = open(errf, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		setpgid(0, 0);
		if (o < 0 || e < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0)
			_exit(126);
		execve(argv[0], argv, env);
		dprintf(2, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	setpgid(pid, pid);
	pfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pfd >= 0) {
		struct pollfd p = { .fd = pfd, .events = POLLIN };
		int r;

		while ((r = poll(&p, 1, TIMEOUT_S * 1000)) < 0 &&
		    errno == EINTR)
			continue;
		close(pfd);
		if (r == 0) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			msg(why, whylen, "%s: no end after %d s",
			    argv[0], TIMEOUT_S);
			return -1;
		}
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			msg(why, whylen, "waitpid: %s", strerror(errno));
			return -1;
		}
	*ns = now_ns() - t0;
	return status;
}

/* A status as words ("" if it is a plain exit 0). */
static const char *
how(int status, char *buf, size_t len)
{
	if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %d", WTERMSIG(status));
	else if (WEXITSTATUS(status) != 0)
		snprintf(buf, len, "exit status %d", WEXITSTATUS(status));
	else
		buf[0] = '\0';
	return buf;
}

/* A worker's results: up to MAXKEY "name value" lines, or why it failed. */
#define MAXKEY	8
struct res {
	int n;
	char key[MAXKEY][32];
	double v[MAXKEY][CALL_ROUNDS];
	double v2[MAXKEY][CALL_ROUNDS];	/* a second value, if any */
	char na[256];		/* nonempty: not available */
};

static void
worker(struct res *r, int round, char *const argv[], char *const env[])
{
	char line[512], st[64];
	uint64_t ns;
	int status, k = 0;
	FILE *f;

	if (r->na[0] != '\0')
		return;
	if ((status = run(argv, env, &ns, r->na, sizeof(r->na))) < 0)
		return;
	if ((f = fopen(outf, "r")) == NULL) {
		msg(r->na, sizeof(r->na), "%s: %s", outf, strerror(errno));
		return;
	}
	while (fgets(line, sizeof(line), f) != NULL && k < MAXKEY) {
		char key[32];
		double v, v2 = 0;

		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "n/a ", 4) == 0) {
			msg(r->na, sizeof(r->na), "%s", line + 4);
			break;
		}
		if (sscanf(line, "%31s %lf %lf", key, &v, &v2) < 2)
			continue;
		snprintf(r->key[k], sizeof(r->key[k]), "%s", key);
		r->v2[k][round] = v2;
		r->v[k++][round] = v;
	}
	fclose(f);
	if (r->na[0] == '\0' && (status != 0 || k == 0)) {
		char e[200];

		msg(r->na, sizeof(r->na), "%s%s%s", how(status, st,
		    sizeof(st)), status != 0 ? ": " : "no output: ",
		    first_line(errf, e, sizeof(e)));
	}
	r->n = k;
}

static double
med(struct res *r, int k, int rounds)
{
	return median(r->v[k], rounds);
}

/* The median over rounds of the first value less the second. */
static double
med_diff(struct res *r, int k, int rounds)
{
	double d[CALL_ROUNDS];

	for (int i = 0; i < rounds; i++)
		d[i] = r->v[k][i] - r->v2[k][i];
	return median(d, rounds);
}

/* --- 1 and 2: the calls --------------------------------------------------- */

static void
calls(void)
{
	static struct res plain, hj, hjk;
	char file[PATH_MAX], kfile[] = KDIR "-calls";
	char *a_plain[] = { self, "--calls", file, NULL };
	char *a_hjk[] = { self, "--calls", file, kfile, NULL };
	int fd;

	snprintf(file, sizeof(file), "%s/calls", work);
	if ((fd = open(file, O_RDWR | O_CREAT, 0644)) >= 0)
		close(fd);
	for (int r = 0; r < CALL_ROUNDS; r++) {
		if (r % 2 == 0) {
			worker(&plain, r, a_plain, env_with(NULL));
			worker(&hj, r, a_plain, env_with(preload()));
		} else {
			worker(&hj, r, a_plain, env_with(preload()));
			worker(&plain, r, a_plain, env_with(NULL));
		}
		worker(&hjk, r, a_hjk, env_with(preload()));
	}
	unlink(file);
	printf("1. non-routed calls on a host descriptor (goal: shim within "
	    "%.0f ns of no shim)\n", GOAL_NS);
	if (plain.na[0] != '\0' || hj.na[0] != '\0') {
		printf("  n/a (%s)\n", plain.na[0] ? plain.na : hj.na);
		return;
	}
	printf("  %-12s %8s %8s %11s %11s %11s\n", "ns/op", "no shim", "shim",
	    "diff", "diff procs", "kernel up");
	for (int k = 0; k < plain.n && k < hj.n; k++) {
		double p = med(&plain, k, CALL_ROUNDS);
		double h = med(&hj, k, CALL_ROUNDS);
		double cal = med_diff(&plain, k, CALL_ROUNDS);
		double one = med_diff(&hj, k, CALL_ROUNDS) - cal;
		const char *note;

		if (strcmp(plain.key[k], "stat(host)") == 0)
			note = "(a path: not in the goal)";
		else if (strcmp(plain.key[k], "getppid") == 0)
			note = "(not wrapped: the noise)";
		else
			note = one <= GOAL_NS ? "goal met" : "over the goal";
		printf("  %-12s %8.1f %8.1f %+11.1f %+11.1f", plain.key[k], p, h,
		    one, h - p);
		if (hjk.na[0] == '\0' && k < hjk.n)
			printf(" %+11.1f", med_diff(&hjk, k, CALL_ROUNDS) - cal);
		else
			printf(" %11s", "n/a");
		printf("  %s\n", note);
	}
	if (hjk.na[0] != '\0')
		printf("  kernel up: n/a (%s)\n", hjk.na);
	printf("  diff: within the shim's process, the call less libc's own "
	    "definition called\n  directly, less the same without the shim "
	    "(the precise one); diff procs: shim\n  less no shim (includes "
	    "the noise between processes); kernel up: diff with a\n  kernel "
	    "file open, so that the shim's descriptor map exists\n");
}

static void
routed(void)
{
	static struct res host, kern, remote;
	char dir[PATH_MAX], few[16];
	char *a_host[] = { self, "--routed", dir, NULL };
	char *a_kern[] = { self, "--routed", KDIR, NULL };
	char *a_remote[] = { rumphijack, "--", self, "--routed", KDIR, few,
	    NULL };

	snprintf(dir, sizeof(dir), "%s/routed", work);
	snprintf(few, sizeof(few), "%d", ROUTED_N / 20);
	for (int r = 0; r < ROUTED_ROUNDS; r++) {
		if (r % 2 == 0) {
			worker(&host, r, a_host, env_with(NULL));
			worker(&kern, r, a_kern, env_with(preload()));
		} else {
			worker(&kern, r, a_kern, env_with(preload()));
			worker(&host, r, a_host, env_with(NULL));
		}
		worker(&remote, r, a_remote, env_with(NULL));
	}
	printf("2. routed calls in " KDIR ": LD_PRELOAD shim + embedded kernel "
	    "vs host in /dev/shm\n   (goal: ratio <= 1.0); for reference, "
	    "the remote kernel of rumphijack --\n");
	if (host.na[0] != '\0') {
		printf("  n/a (host: %s)\n", host.na);
		return;
	}
	if (kern.na[0] != '\0')
		printf("  embedded: n/a (%s)\n", kern.na);
	if (remote.na[0] != '\0')
		printf("  remote: n/a (%s)\n", remote.na);
	printf("  %-16s %9s %9s %6s %-9s %9s %6s\n", "ns/op", "host",
	    "embedded", "ratio", "", "remote", "ratio");
	for (int k = 0; k < host.n; k++) {
		bool first = strcmp(host.key[k], "first") == 0;
		bool hx = kern.na[0] == '\0' && k < kern.n;
		bool hy = remote.na[0] == '\0' && k < remote.n;
		double h = med(&host, k, ROUTED_ROUNDS), x = 0, y = 0;

		if (hx)
			x = med(&kern, k, ROUTED_ROUNDS);
		if (hy)
			y = med(&remote, k, ROUTED_ROUNDS);
		if (first) {	/* no goal: ms, and the ratios mean nothing */
			printf("  %-16s %9.3f", "first call, ms", h / 1e6);
			if (hx)
				printf(" %9.3f %6s %-9s", x / 1e6, "", "");
			else
				printf(" %9s %6s %-9s", "n/a", "", "");
			if (hy)
				printf(" %9.3f\n", y / 1e6);
			else
				printf(" %9s\n", "n/a");
			continue;
		}
		printf("  %-16s %9.1f", host.key[k], h);
		if (hx)
			printf(" %9.1f %6.2f %-9s", x, x / h, x / h <= 1.0 ?
			    "goal met" : "over goal");
		else
			printf(" %9s %6s %-9s", "n/a", "", "");
		if (hy)
			printf(" %9.1f %6.2f", y, y / h);
		else
			printf(" %9s", "n/a");
		printf("\n");
	}
	printf("  first call: mkdir; under the shim it loads and boots the "
	    "kernel (embedded)\n  or connects to it (remote)\n");
}

/* --- 3: start-up ---------------------------------------------------------- */

/* name looked up in PATH into out; 0 or -1. */
static int
which(const char *name, char *out, size_t len)
{
	const char *path = getenv("PATH");
	char buf[4096];

	snprintf(buf, sizeof(buf), "%s", path ? path : "/usr/bin:/bin");
	for (char *save, *d = strtok_r(buf, ":", &save); d != NULL;
	    d = strtok_r(NULL, ":", &save)) {
		if (snprintf(out, len, "%s/%s", d, name) < (int)len &&
		    access(out, X_OK) == 0)
			return 0;
	}
	return -1;
}

static void
startup(void)
{
	static const char *const label[] = { "true", "LD_PRELOAD=shim true",
	    "rumphijack -- true" };
	char truebin[PATH_MAX], why[3][256] = { "", "", "" }, st[64];
	char *argv[3][4];
	char **env[3];
	double v[3][START_RUNS];

	printf("3. start-up, fork+exec+wait, median of %d runs (goal: "
	    "rumphijack -- true < 10 ms)\n", START_RUNS);
	if (which("true", truebin, sizeof(truebin)) != 0) {
		printf("  n/a (no true in PATH)\n");
		return;
	}
	argv[0][0] = truebin, argv[0][1] = NULL;
	argv[1][0] = truebin, argv[1][1] = NULL;
	argv[2][0] = rumphijack, argv[2][1] = "--", argv[2][2] = truebin;
	argv[2][3] = NULL;
	/* env_with() has one buffer: copy each environment's array. */
	for (int i = 0; i < 3; i++) {
		char **e = env_with(i == 1 ? preload() : NULL);
		size_t n = 0;

		while (e[n] != NULL)
			n++;
		env[i] = malloc((n + 1) * sizeof(char *));
		if (env[i] == NULL) {
			printf("  n/a (out of memory)\n");
			return;
		}
		memcpy(env[i], e, (n + 1) * sizeof(char *));
	}
	for (int r = -2; r < START_RUNS; r++) {	/* two to warm up */
		for (int i = 0; i < 3; i++) {
			uint64_t ns;
			int s;

			if (why[i][0] != '\0')
				continue;
			if ((s = run(argv[i], env[i], &ns, why[i],
			    sizeof(why[i]))) < 0)
				continue;
			if (s != 0) {
				char e[200];

				msg(why[i], sizeof(why[i]), "%s: %s",
				    how(s, st, sizeof(st)),
				    first_line(errf, e, sizeof(e)));
				continue;
			}
			if (r >= 0)
				v[i][r] = (double)ns / 1e6;
		}
	}
	for (int i = 0; i < 3; i++) {
		if (why[i][0] != '\0') {
			printf("  %-22s n/a (%s)\n", label[i], why[i]);
			continue;
		}
		double m = median(v[i], START_RUNS);
		printf("  %-22s %8.3f ms", label[i], m);
		if (i == 2)
			printf("  %s", m < 10.0 ? "goal met" : "over the goal");
		printf("\n");
	}
	for (int i = 0; i < 3; i++)
		free(env[i]);
}

/* --- 4: tar --------------------------------------------------------------- */

static int
rm_one(const char *p, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st, (void)type, (void)ftw;
	return remove(p) != 0 && errno != ENOENT ? -1 : 0;
}

static void
rm_rf(const char *p)
{
	(void)nftw(p, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static long nfound;

static int
count_one(const char *p, const struct stat *st, int type, struct FTW *ftw)
{
	(void)p, (void)ftw;
	if (type == FTW_F && S_ISREG(st->st_mode))
		nfound++;
	return 0;
}

/* work/src/x/dNN/fNNNN, small files of varied sizes; bytes, or -1. */
static long
make_tree(const char *top)
{
	static char data[2048];
	char p[PATH_MAX];
	long bytes = 0;
	int fd;

	memset(data, 'y', sizeof(data));
	if (snprintf(p, sizeof(p), "%s/x", top) >= (int)sizeof(p) ||
	    mkdir(top, 0755) != 0 || mkdir(p, 0755) != 0)
		return -1;
	for (int d = 0; d < TAR_DIRS; d++) {
		if (snprintf(p, sizeof(p), "%s/x/d%02d", top, d) >=
		    (int)sizeof(p) || mkdir(p, 0755) != 0)
			return -1;
		for (int i = 0; i < TAR_FILES / TAR_DIRS; i++) {
			size_t len = (size_t)(d * 131 + i * 17) % sizeof(data);

			if (snprintf(p, sizeof(p), "%s/x/d%02d/f%04d", top, d,
			    i) >= (int)sizeof(p) || (fd = open(p, O_WRONLY |
			    O_CREAT | O_EXCL, 0644)) < 0 ||
			    write(fd, data, len) != (ssize_t)len)
				return -1;
			close(fd);
			bytes += (long)len;
		}
	}
	return bytes;
}

/* The tar(1) this runs, and its archive. */
static char tarbin[PATH_MAX], archive[PATH_MAX];

/*
 * tar xf ARCHIVE [opt...] -C DIR, into /rump under rumphijack against
 * into /dev/shm: checked once (untimed: the tree copied out and counted),
 * then timed.  0, or -1 with the line printed as n/a.
 */
static int
tar_x(const char *label, char *const opt[], int nopt)
{
	char hdir[PATH_MAX], check[PATH_MAX], out[PATH_MAX + 8];
	char why[512] = "", ewhy[512] = "", st[64], e[300];
	char *a_host[16], *a_check[16], *a_kern[16], *a_emb[16];
	double vh[TAR_ROUNDS], vk[TAR_ROUNDS], ve[TAR_ROUNDS];
	int nh = 0, nc = 0, nk = 0, s;
	bool emb = true;
	uint64_t ns;

	snprintf(hdir, sizeof(hdir), "%s/h", work);
	snprintf(check, sizeof(check), "%s/check", work);
	snprintf(out, sizeof(out), "/x:%s", check);
	a_check[nc++] = rumphijack, a_check[nc++] = "-o";
	a_check[nc++] = out, a_check[nc++] = "--";
	a_kern[nk++] = rumphijack, a_kern[nk++] = "--";
	a_host[nh++] = a_check[nc++] = a_kern[nk++] = tarbin;
	a_host[nh++] = a_check[nc++] = a_kern[nk++] = "xf";
	a_host[nh++] = a_check[nc++] = a_kern[nk++] = archive;
	for (int i = 0; i < nopt; i++)
		a_host[nh++] = a_check[nc++] = a_kern[nk++] = opt[i];
	a_host[nh++] = a_check[nc++] = a_kern[nk++] = "-C";
	a_host[nh++] = hdir;
	a_check[nc++] = a_kern[nk++] = "/rump";
	a_host[nh] = a_check[nc] = a_kern[nk] = NULL;
	/* The same command with the kernel in tar's own process. */
	memcpy(a_emb, a_kern + 2, (size_t)(nk - 1) * sizeof(char *));

	/* Does it work at all? */
	s = run(a_check, env_with(NULL), &ns, why, sizeof(why));
	if (s != 0) {
		if (s > 0)
			msg(why, sizeof(why), "%s: %s", how(s, st, sizeof(st)),
			    first_line(errf, e, sizeof(e)));
		printf("  %s: n/a (%s)\n", label, why);
		rm_rf(check);
		return -1;
	}
	nfound = 0;
	(void)nftw(check, count_one, 16, FTW_PHYS);
	rm_rf(check);
	if (nfound != TAR_FILES) {
		printf("  %s: n/a (%ld of %d files extracted)\n", label,
		    nfound, TAR_FILES);
		return -1;
	}
	for (int r = 0; r < TAR_ROUNDS; r++) {
		if (mkdir(hdir, 0755) != 0) {
			printf("  %s: n/a (mkdir %s: %s)\n", label, hdir,
			    strerror(errno));
			return -1;
		}
		s = run(a_host, env_with(NULL), &ns, why, sizeof(why));
		rm_rf(hdir);
		if (s != 0) {
			printf("  %s: n/a (host: %s)\n", label, s < 0 ? why :
			    first_line(errf, e, sizeof(e)));
			return -1;
		}
		vh[r] = (double)ns / 1e6;
		s = run(a_kern, env_with(NULL), &ns, why, sizeof(why));
		if (s != 0) {
			printf("  %s: n/a (%s)\n", label, s < 0 ? why :
			    first_line(errf, e, sizeof(e)));
			return -1;
		}
		vk[r] = (double)ns / 1e6;
		if (emb && (s = run(a_emb, env_with(preload()), &ns, ewhy,
		    sizeof(ewhy))) != 0) {
			if (s > 0)
				msg(ewhy, sizeof(ewhy), "%s: %s", how(s, st,
				    sizeof(st)), first_line(errf, e,
				    sizeof(e)));
			emb = false;
		}
		ve[r] = (double)ns / 1e6;
	}
	double h = median(vh, TAR_ROUNDS), k = median(vk, TAR_ROUNDS);
	printf("  %s:\n    %-44s %8.1f ms\n    %-44s %8.1f ms  ratio %5.2f  "
	    "%s\n", label, "into /dev/shm", h, "rumphijack -- into /rump "
	    "(remote kernel)", k, k / h, k / h <= 1.2 ? "goal met" :
	    "over the goal");
	if (emb) {
		double x = median(ve, TAR_ROUNDS);

		printf("    %-44s %8.1f ms  ratio %5.2f\n", "LD_PRELOAD only "
		    "(embedded kernel, lost at exit)", x, x / h);
	} else {
		printf("    LD_PRELOAD only: n/a (%s)\n", ewhy);
	}
	return 0;
}

static void
tar(void)
{
	static char *const plain[] = { NULL };
	static char *const fewer[] = { "-m", "--no-same-owner",
	    "--no-same-permissions" };
	char src[PATH_MAX], why[512] = "", e[300];
	char *a_make[] = { tarbin, "cf", archive, "-C", src, "x", NULL };
	uint64_t ns;
	long bytes;
	int s;

	printf("4. tar xf of %d files in %d directories, median of %d rounds "
	    "(goal: ratio <= 1.2)\n", TAR_FILES, TAR_DIRS, TAR_ROUNDS);
	if (which("tar", tarbin, sizeof(tarbin)) != 0) {
		printf("  n/a (no tar in PATH)\n");
		return;
	}
	snprintf(src, sizeof(src), "%s/src", work);
	snprintf(archive, sizeof(archive), "%s/a.tar", work);
	if ((bytes = make_tree(src)) < 0) {
		printf("  n/a (making the tree in %s: %s)\n", src,
		    strerror(errno));
		rm_rf(src);
		return;
	}
	s = run(a_make, env_with(NULL), &ns, why, sizeof(why));
	rm_rf(src);
	if (s != 0) {
		printf("  n/a (tar cf: %s)\n", s < 0 ? why :
		    first_line(errf, e, sizeof(e)));
		return;
	}
	printf("  archive: %.1f MiB\n", (double)bytes / (1 << 20));
	/* Without the attribute calls (utime, chown, chmod) if those fail. */
	if (tar_x("tar xf", plain, 0) != 0)
		(void)tar_x("tar xf -m --no-same-owner --no-same-permissions",
		    fewer, 3);
	unlink(archive);
}

/* --- main ----------------------------------------------------------------- */

/* dir of this program + rel, into out, if it exists. */
static int
beside(const char *rel, char *out, size_t len)
{
	char d[PATH_MAX];
	char *slash;

	snprintf(d, sizeof(d), "%s", self);
	if ((slash = strrchr(d, '/')) != NULL)
		*slash = '\0';
	return snprintf(out, len, "%s/%s", d, rel) < (int)len &&
	    access(out, R_OK) == 0 ? 0 : -1;
}

static int
absolute(const char *p, char *out, size_t len)
{
	if (realpath(p, out) == NULL || strlen(out) >= len) {
		fprintf(stderr, "hjbench: %s: %s\n", p, strerror(errno));
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	ssize_t n;

	if (argc >= 3 && strcmp(argv[1], "--calls") == 0)
		return w_calls(argv[2], argc > 3 ? argv[3] : NULL);
	if ((argc == 3 || argc == 4) && strcmp(argv[1], "--routed") == 0)
		return w_routed(argv[2], argc == 4 && atoi(argv[3]) > 0 ?
		    atoi(argv[3]) : ROUTED_N);
	if (argc > 3 || (argc > 1 && argv[1][0] == '-')) {
		fprintf(stderr, "usage: hjbench [librumphijack.so "
		    "[rumphijack]]\n");
		return 2;
	}
	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) < 0) {
		perror("hjbench: /proc/self/exe");
		return 1;
	}
	self[n] = '\0';
	if (argc > 1 ? absolute(argv[1], shim, sizeof(shim)) != 0 :
	    beside("../hijack/librumphijack.so", shim, sizeof(shim)) != 0) {
		fprintf(stderr, "hjbench: no librumphijack.so\n");
		return 1;
	}
	if (argc > 2 ? absolute(argv[2], rumphijack, sizeof(rumphijack))
	    != 0 : beside("../hijack/rumphijack", rumphijack,
	    sizeof(rumphijack)) != 0) {
		fprintf(stderr, "hjbench: no rumphijack\n");
		return 1;
	}
	snprintf(work, sizeof(work), "/dev/shm/hjbench.XXXXXX");
	if (mkdtemp(work) == NULL) {
		perror("hjbench: mkdtemp /dev/shm");
		return 1;
	}
	snprintf(outf, sizeof(outf), "%s/out", work);
	snprintf(errf, sizeof(errf), "%s/err", work);
	printf("hjbench: shim = %s; host = %s (tmpfs)\n  a call: the best of "
	    "%d blocks of %d in a process, the median of %d processes\n  "
	    "(routed: %d blocks of %d, %d processes)\n", shim, work,
	    CALL_BLOCKS, CALL_N, CALL_ROUNDS, ROUTED_BLOCKS, ROUTED_N,
	    ROUTED_ROUNDS);
	fflush(stdout);
	calls();
	fflush(stdout);
	routed();
	fflush(stdout);
	startup();
	fflush(stdout);
	tar();
	rm_rf(work);
	return 0;
}
