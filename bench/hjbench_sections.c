/*
 * hjbench_sections.c: the four sections of hjbench's report, each run by
 * the driver and printed as it ends: 1, non-routed calls with and without
 * the shim; 2, routed calls in /rump against the host; 3, start-up of
 * rumphijack against plain true; 4, tar xf of a tree of 10000 files, built
 * here, into /rump against /dev/shm.  What does not work yet reads
 * "n/a (reason)".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hjbench.h"

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

void
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

		if (strstr(plain.key[k], "(stub)") != NULL)
			note = one <= GOAL_NS ? "goal met" : "over the goal";
		else if (strcmp(plain.key[k], "stat(host)") == 0)
			note = "(a path: not in the goal)";
		else if (strcmp(plain.key[k], "getppid") == 0)
			note = "(not wrapped: the noise)";
		else
			note = "(a system call: its noise)";
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
	    "file open, so that the shim's descriptor map exists; (stub): "
	    "the host's\n  close/read are bench/hjstub.c's, which answer "
	    "descriptor %d without a\n  system call: what the shim adds, "
	    "without the kernel's noise (the goal)\n", HJSTUB_FD);
}

void
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

/*
 * A tree of short commands: sh running TREE_CMDS `stat` one after the
 * other, on the host, under rumphijack on a host path (the shim in each
 * process), on /rump (each process connects to the tree's kernel as a
 * new process) and in /rump (the shell's cwd is there: each command is
 * a fork and an exec of a kernel process).  The figure is per command:
 * what a script or a make pays.
 */
static void
tree_row(void)
{
	enum { HOST, SHIMONLY, KERNEL, INSIDE, N };
	static const char *const label[N] = { "sh: stat /dev/shm",
	    "rumphijack: stat /dev/shm", "rumphijack: stat /rump",
	    "rumphijack: cd /rump; stat ." };
	char shbin[PATH_MAX], script[N][180], why[N][256];
	char *argv[N][6];
	double v[N][TREE_RUNS];

	if (which("sh", shbin, sizeof(shbin)) != 0) {
		printf("  tree: n/a (no sh in PATH)\n");
		return;
	}
	memset(why, 0, sizeof(why));
	for (int i = 0; i < N; i++) {
		int a = 0;

		snprintf(script[i], sizeof(script[i]), "%si=0; while [ $i -lt "
		    "%d ]; do stat %s >/dev/null; i=$((i+1)); done",
		    i == INSIDE ? "cd /rump && " : "", TREE_CMDS,
		    i == KERNEL ? "/rump" : i == INSIDE ? "." : "/dev/shm");
		if (i != HOST) {
			argv[i][a++] = rumphijack;
			argv[i][a++] = "--";
		}
		argv[i][a++] = shbin;
		argv[i][a++] = "-c";
		argv[i][a++] = script[i];
		argv[i][a] = NULL;
	}
	for (int r = -1; r < TREE_RUNS; r++) {
		for (int i = 0; i < N; i++) {
			uint64_t ns;

			if (why[i][0] != '\0' || run_ok(argv[i],
			    env_with(NULL), &ns, why[i], sizeof(why[i])) != 0)
				continue;
			if (r >= 0)
				v[i][r] = (double)ns / 1e6 / TREE_CMDS;
		}
	}
	printf("  a tree: sh running %d stat commands, per command, median of "
	    "%d runs\n", TREE_CMDS, TREE_RUNS);
	for (int i = 0; i < N; i++) {
		if (why[i][0] != '\0') {
			printf("  %-30s n/a (%s)\n", label[i], why[i]);
			continue;
		}
		double m = median(v[i], TREE_RUNS);

		printf("  %-30s %8.3f ms", label[i], m);
		if (i != HOST && why[HOST][0] == '\0') {
			double h = median(v[HOST], TREE_RUNS);

			printf("  %+7.3f ms  ratio %5.2f", m - h, m / h);
		}
		printf("\n");
	}
}

void
startup(void)
{
	enum { TRUE, SHIM, FLOOR, HIJACK, N };
	static const char *const label[N] = { "true", "LD_PRELOAD=shim true",
	    "hjfloor -- true", "rumphijack -- true" };
	char truebin[PATH_MAX], floorbin[PATH_MAX], why[N][256];
	char *argv[N][4];
	char **env[N];
	double v[N][START_RUNS], cpu[N][START_RUNS], m0 = 0, c0 = 0;

	printf("3. start-up, fork+exec+wait, median of %d runs (goal: "
	    "rumphijack -- true\n   within +%.0f ms of true); cpu: user+system "
	    "time of the process tree, steadier\n   than the wall clock on a "
	    "busy machine; hjfloor: a launcher that only\n   vforks, execs and "
	    "waits (bench/hjfloor.c), the least one more exec costs\n",
	    START_RUNS, START_GOAL_MS);
	if (which("true", truebin, sizeof(truebin)) != 0) {
		printf("  n/a (no true in PATH)\n");
		return;
	}
	memset(why, 0, sizeof(why));
	if (beside("hjfloor", floorbin, sizeof(floorbin)) != 0)
		msg(why[FLOOR], sizeof(why[FLOOR]), "no hjfloor beside hjbench");
	argv[TRUE][0] = truebin, argv[TRUE][1] = NULL;
	argv[SHIM][0] = truebin, argv[SHIM][1] = NULL;
	argv[FLOOR][0] = floorbin, argv[FLOOR][1] = "--";
	argv[FLOOR][2] = truebin, argv[FLOOR][3] = NULL;
	argv[HIJACK][0] = rumphijack, argv[HIJACK][1] = "--";
	argv[HIJACK][2] = truebin, argv[HIJACK][3] = NULL;
	/* env_with() has one buffer: copy each environment's array. */
	for (int i = 0; i < N; i++) {
		char **e = env_with(i == SHIM ? preload() : NULL);
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
		for (int i = 0; i < N; i++) {
			uint64_t ns;

			if (why[i][0] != '\0' || run_ok(argv[i], env[i], &ns,
			    why[i], sizeof(why[i])) != 0)
				continue;
			if (r >= 0) {
				v[i][r] = (double)ns / 1e6;
				cpu[i][r] = (double)run_cpu_ns / 1e6;
			}
		}
	}
	for (int i = 0; i < N; i++) {
		if (why[i][0] != '\0') {
			printf("  %-22s n/a (%s)\n", label[i], why[i]);
			continue;
		}
		double m = median(v[i], START_RUNS);
		double c = median(cpu[i], START_RUNS);

		printf("  %-22s %8.3f ms  cpu %7.3f ms", label[i], m, c);
		if (i == TRUE) {
			m0 = m;
			c0 = c;
		} else if (why[TRUE][0] == '\0') {
			printf("  %+7.3f ms (cpu %+7.3f)", m - m0, c - c0);
			if (i == HIJACK)
				printf("  %s", m - m0 <= START_GOAL_MS ?
				    "goal met" : "over the goal");
		}
		printf("\n");
	}
	for (int i = 0; i < N; i++)
		free(env[i]);
	tree_row();
}

/* --- 4: tar --------------------------------------------------------------- */

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
	char why[512] = "", ewhy[512] = "", e[300];
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
	if (run_ok(a_check, env_with(NULL), &ns, why, sizeof(why)) != 0) {
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
		if (emb && run_ok(a_emb, env_with(preload()), &ns, ewhy,
		    sizeof(ewhy)) != 0)
			emb = false;
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

void
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
