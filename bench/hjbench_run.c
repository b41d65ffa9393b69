/*
 * hjbench_run.c: the driver's processes.  A worker or a command is spawned
 * with an environment of the driver's choosing (without LD_PRELOAD,
 * RUMP_SERVER and RUMPHIJACK*, then maybe the shim preloaded), its stdout
 * and stderr into files of the work directory, timed from fork to reaping
 * and killed after TIMEOUT_S; a worker's "name value" lines are collected
 * into a struct res, round by round, or the reason it failed.  Here too
 * the lookup of a program in PATH and the removal of a tree.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hjbench.h"

extern char **environ;

/* environ without LD_PRELOAD, RUMP_SERVER and RUMPHIJACK*; then extra. */
char **
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

const char *
preload(void)
{
	static char s[PATH_MAX + 16];

	snprintf(s, sizeof(s), "LD_PRELOAD=%s", shim);
	return s;
}

/* The first line of file into buf ("" if none). */
const char *
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
uint64_t run_cpu_ns;

int
run(char *const argv[], char *const env[], uint64_t *ns, char *why,
    size_t whylen)
{
	uint64_t t0 = now_ns();
	struct rusage ru;
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
	while (wait4(pid, &status, 0, &ru) < 0)
		if (errno != EINTR) {
			msg(why, whylen, "waitpid: %s", strerror(errno));
			return -1;
		}
	*ns = now_ns() - t0;
	run_cpu_ns = ((uint64_t)ru.ru_utime.tv_sec + (uint64_t)ru.ru_stime.tv_sec)
	    * 1000000000u + ((uint64_t)ru.ru_utime.tv_usec +
	    (uint64_t)ru.ru_stime.tv_usec) * 1000u;
	return status;
}

/* A status as words ("" if it is a plain exit 0). */
const char *
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

int
run_ok(char *const argv[], char *const env[], uint64_t *ns, char *why,
    size_t whylen)
{
	char st[64], e[200];
	int s = run(argv, env, ns, why, whylen);

	if (s > 0)
		msg(why, whylen, "%s: %s", how(s, st, sizeof(st)),
		    first_line(errf, e, sizeof(e)));
	return s == 0 ? 0 : -1;
}


void
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

/* name looked up in PATH into out; 0 or -1. */
int
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

static int
rm_one(const char *p, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st, (void)type, (void)ftw;
	return remove(p) != 0 && errno != ENOENT ? -1 : 0;
}

void
rm_rf(const char *p)
{
	(void)nftw(p, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}
