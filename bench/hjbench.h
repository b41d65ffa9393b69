/*
 * hjbench.h: what the files of hjbench share: the sizes of its runs, the
 * driver's paths (set up by main() in hjbench.c), and the functions of
 * hjbench.c (timing, medians, messages), hjbench_worker.c (the two
 * measuring workers), hjbench_run.c (the driver's processes: spawning a
 * worker or a command and collecting what it printed) and
 * hjbench_sections.c (the four sections of the report).
 */
#ifndef HJBENCH_H
#define HJBENCH_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#define CALL_BLOCKS	50	/* a worker's figure: the best block of */
#define CALL_N		1000	/* ... this many calls */
#define ROUTED_BLOCKS	20
#define ROUTED_N	2000
#define CALL_ROUNDS	15	/* worker processes per side: calls */
#define ROUTED_ROUNDS	7	/* ... routed calls */
_Static_assert(ROUTED_ROUNDS <= CALL_ROUNDS, "struct res holds CALL_ROUNDS");
#define START_RUNS	100	/* start-up: median of runs */
#define TREE_RUNS	15	/* start-up: a tree of short commands */
#define TREE_CMDS	20
#define TAR_ROUNDS	5
#define TAR_DIRS	100
#define TAR_FILES	10000	/* in all */
#define KDIR		"/rump/hjbench"
#define GOAL_NS		2.0
#define START_GOAL_MS	2.0	/* rumphijack -- true over true */
#define HJSTUB_FD	999	/* hjstub.c answers for it without the kernel */
#define TIMEOUT_S	120

/* The driver's paths: this program, the shim, rumphijack, the host work
 * directory, and the files a spawned process writes stdout and stderr to. */
/* The file rel beside this program, into out: 0, or -1 if there is none. */
int beside(const char *rel, char *out, size_t len);
extern char self[PATH_MAX], shim[PATH_MAX], rumphijack[PATH_MAX];
extern char work[64];		/* /dev/shm/hjbench.XXXXXX */
extern char outf[PATH_MAX], errf[PATH_MAX];

/* A worker's results: up to MAXKEY "name value" lines, or why it failed. */
#define MAXKEY	8
struct res {
	int n;
	char key[MAXKEY][32];
	double v[MAXKEY][CALL_ROUNDS];
	double v2[MAXKEY][CALL_ROUNDS];	/* a second value, if any */
	char na[256];		/* nonempty: not available */
};

/* hjbench.c */
uint64_t now_ns(void);
double median(double *v, int n);
void msg(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* hjbench_worker.c: hjbench --calls and --routed. */
int w_calls(const char *file, const char *kfile);
int w_routed(const char *dir, int n);

/* hjbench_run.c */
char **env_with(const char *extra);
const char *preload(void);
const char *first_line(const char *file, char *buf, size_t len);
int run(char *const argv[], char *const env[], uint64_t *ns, char *why,
    size_t whylen);
/* The CPU time (user + system) of the last run()'s process and its
 * waited-for children. */
extern uint64_t run_cpu_ns;
const char *how(int status, char *buf, size_t len);
/* run(), and a status other than 0 told in why: 0 only when the command
 * ran and exited 0. */
int run_ok(char *const argv[], char *const env[], uint64_t *ns, char *why,
    size_t whylen);
void worker(struct res *r, int round, char *const argv[], char *const env[]);
int which(const char *name, char *out, size_t len);
void rm_rf(const char *p);

/* hjbench_sections.c: the four sections. */
void calls(void);
void routed(void);
void startup(void);
void tar(void);

#endif
