/*
 * spbench: the cost of a remote kernel, in one run.  It starts its own
 * rump_server (-s, on a unix socket in a private temporary directory,
 * SIGTERM at the end), talks to it through librumpclient, and compares:
 *
 *   - getpid and stat against one 64-byte round trip over a unix socket
 *     between two processes (a socketpair echo, timed here): the floor of
 *     any remote call;
 *   - read and write throughput against an embedded kernel, timed by
 *     spbench_local (this program cannot link the kernel: the rump_sys_*
 *     names are librumpclient's here) running the same loops
 *     (spbench_io.h);
 *   - 64 client processes calling at once against 64 echo pairs.
 *
 * The one-client figures are taken with both ends on one CPU, then (with
 * two CPUs or more) on two, each over the socket alone (RUMPCLIENT_SHM=0)
 * and with the shared-memory region (doc/PROTOCOL.md); the 64 clients run
 * on any CPU.  The region is offered because librumpclient counts the
 * CPUs it may use once, at the first connection, made here before
 * anything is pinned.  On one CPU it is set up but cannot pay: neither
 * end can spin while the other runs, so every call is a RING over the
 * socket and a wake-up, and that row measures the socket's cost (it is
 * labelled so); only the two-CPU row measures calls through the region.
 *
 * Usage: spbench [RUMP_SERVER_BINARY [SPBENCH_LOCAL_BINARY]]; without
 * arguments both are looked for next to this program in the build tree
 * (../server/rump_server, ./spbench_local).  Figures are medians of rounds.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <libgen.h>
#include <pthread.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <rump/rumpclient.h>

#include "spbench_io.h"

#define MSGLEN		64	/* bytes each way of a base round trip */
#define NCLIENTS	64	/* processes of the many-clients figure */
#define MANY_NS		1000000000u	/* ... calling for this long */
#define MANY_ROUNDS	3

static struct {
	pid_t pid;
	char dir[32];
	char sock[64];
} server = { .pid = -1 };

static void stop_server(void);

static void
die(const char *what)
{
	fprintf(stderr, "spbench: %s: %s\n", what, strerror(errno));
	stop_server();
	exit(1);
}

/* --- CPUs ----------------------------------------------------------------- */

/*
 * A wake-up on another CPU can cost several times a context switch (in a
 * VM especially), and where the host scheduler puts the two ends varies
 * from run to run; so the one-client figures are taken twice with both
 * ends placed: on one CPU, then on two.  The 64 clients run anywhere.
 */
static cpu_set_t allcpus;	/* what we were allowed at start */

/* Puts thread tid (0: the caller) on cpu, or on all of allcpus if -1. */
static void
pin(pid_t tid, int cpu)
{
	cpu_set_t one;

	CPU_ZERO(&one);
	if (cpu >= 0)
		CPU_SET(cpu, &one);
	(void)sched_setaffinity(tid, sizeof(cpu_set_t),
	    cpu >= 0 ? &one : &allcpus);
}

/* Every thread of process pid; those it creates later inherit. */
static void
pin_process(pid_t pid, int cpu)
{
	char dir[64];
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/task", (int)pid);
	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			pin((pid_t)atoi(de->d_name), cpu);
	closedir(d);
}

/* The n-th CPU we may use (0, 1), or -1. */
static int
nth_cpu(int n)
{
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &allcpus) && n-- == 0)
			return c;
	return -1;
}

/* --- the base: a 64-byte echo between two processes --------------------- */

static int
full(ssize_t (*io)(int, void *, size_t), int fd, char *buf, size_t len)
{
	for (size_t done = 0; done < len;) {
		ssize_t n = io(fd, buf + done, len - done);

		if (n <= 0)
			return -1;
		done += (size_t)n;
	}
	return 0;
}

static ssize_t do_read(int fd, void *b, size_t n) { return read(fd, b, n); }
static ssize_t do_write(int fd, void *b, size_t n) { return write(fd, b, n); }

/* The echoing end: answers each message until the other end closes. */
static void
echo_serve(int fd)
{
	char msg[MSGLEN];

	while (full(do_read, fd, msg, sizeof(msg)) == 0)
		if (full(do_write, fd, msg, sizeof(msg)) != 0)
			break;
}

/* One round trip from the calling end. */
static int
echo_call(int fd)
{
	char msg[MSGLEN] = "ping";

	return full(do_write, fd, msg, sizeof(msg)) == 0 &&
	    full(do_read, fd, msg, sizeof(msg)) == 0 ? 0 : -1;
}

/* A socketpair with an echoing child on the other end (on CPU cpu, if
 * not -1); fd: our end. */
static pid_t
echo_start(int *fd, int cpu, const int *closefds, int nclose)
{
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
		return -1;
	if ((pid = fork()) == 0) {
		for (int i = 0; i < nclose; i++)
			close(closefds[i]);
		if (cpu >= 0)
			pin(0, cpu);
		close(sv[0]);
		echo_serve(sv[1]);
		_exit(0);
	}
	close(sv[1]);
	if (pid < 0)
		close(sv[0]);
	*fd = sv[0];
	return pid;
}

static double
rtt_ns(int echocpu)
{
	double v[ROUNDS];
	pid_t pid;
	int fd;

	if ((pid = echo_start(&fd, echocpu, NULL, 0)) < 0)
		die("echo process");
	for (int r = 0; r < ROUNDS; r++) {
		uint64_t t0 = now_ns();

		for (int i = 0; i < NCALLS; i++)
			if (echo_call(fd) != 0)
				die("echo");
		v[r] = (double)(now_ns() - t0) / NCALLS;
	}
	close(fd);
	waitpid(pid, NULL, 0);
	return median(v, ROUNDS);
}

/* --- many clients at once ------------------------------------------------ */

/*
 * Each client says "ready" (one byte on ready, then closes it), waits for
 * the deadline on start, calls until it, and writes its count on res.
 * A client that fails exits without a count.
 */
struct many {
	int ready[2], start[2], res[2];
};

static void
client_main(struct many *m, int remote)
{
	uint64_t end, count = 0;
	struct stat st;
	pid_t echo = -1;
	int fd = -1;

	close(m->ready[0]);
	close(m->start[1]);
	close(m->res[0]);
	if (remote) {
		if (rump_sys_getpid() <= 0)
			_exit(1);
	} else {
		int keep[] = { m->ready[1], m->start[0], m->res[1] };

		if ((echo = echo_start(&fd, -1, keep, 3)) < 0)
			_exit(1);
	}
	if (write(m->ready[1], "r", 1) != 1)
		_exit(1);
	close(m->ready[1]);
	if (read(m->start[0], &end, sizeof(end)) != sizeof(end))
		_exit(1);
	while (now_ns() < end) {
		if (!remote ? echo_call(fd) != 0 :
		    (count & 1) ? rump_sys_stat(KSTATME, &st) != 0 :
		    rump_sys_getpid() <= 0)
			_exit(1);
		count++;
	}
	if (!remote) {
		close(fd);
		waitpid(echo, NULL, 0);
	}
	if (write(m->res[1], &count, sizeof(count)) != sizeof(count))
		_exit(1);
	_exit(0);
}

/* Reads until len bytes or end of file; how many came. */
static size_t
read_upto(int fd, void *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got < len && (n = read(fd, (char *)buf + got, len - got)) > 0)
		got += (size_t)n;
	return got;
}

/* Calls (or echo round trips) a second of NCLIENTS clients together. */
static double
many_round(int remote)
{
	uint64_t ends[NCLIENTS], counts[NCLIENTS], t0, total = 0;
	char ready[NCLIENTS];
	pid_t pids[NCLIENTS];
	struct many m;
	size_t got, nres;
	int failed = 0;

	if (pipe(m.ready) != 0 || pipe(m.start) != 0 || pipe(m.res) != 0)
		die("pipe");
	fflush(NULL);
	for (int i = 0; i < NCLIENTS; i++) {
		pids[i] = remote ? rumpclient_fork() : fork();
		if (pids[i] < 0)
			die("fork");
		if (pids[i] == 0)
			client_main(&m, remote);	/* does not return */
	}
	close(m.ready[1]);
	close(m.start[0]);
	close(m.res[1]);
	got = read_upto(m.ready[0], ready, sizeof(ready));
	t0 = now_ns();
	/* Everyone goes, even after a failure: each waits for its word. */
	for (int i = 0; i < NCLIENTS; i++)
		ends[i] = got == NCLIENTS ? t0 + MANY_NS : 0;
	if (write(m.start[1], ends, sizeof(ends)) != sizeof(ends))
		die("start");
	nres = read_upto(m.res[0], counts, sizeof(counts)) / sizeof(counts[0]);
	for (int i = 0; i < NCLIENTS; i++) {
		int status;

		if (waitpid(pids[i], &status, 0) != pids[i] ||
		    !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			failed++;
	}
	close(m.ready[0]);
	close(m.start[1]);
	close(m.res[0]);
	if (got != NCLIENTS || nres != NCLIENTS || failed != 0) {
		errno = EIO;
		die(remote ? "a remote client failed" : "an echo client failed");
	}
	for (int i = 0; i < NCLIENTS; i++)
		total += counts[i];
	return (double)total / (MANY_NS / 1e9);
}

static double
many_rate(int remote)
{
	double v[MANY_ROUNDS];

	for (int r = 0; r < MANY_ROUNDS; r++)
		v[r] = many_round(remote);
	return median(v, MANY_ROUNDS);
}

/* --- the server and the local figures ------------------------------------ */

/* path of name relative to this program's directory. */
static void
beside_me(char *out, size_t len, const char *name)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n < 0)
		die("/proc/self/exe");
	self[n] = '\0';
	snprintf(out, len, "%s/%s", dirname(self), name);
}

static void
start_server(const char *binary)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char url[80];
	int fd, status;

	strcpy(server.dir, "/tmp/spbench.XXXXXX");
	if (mkdtemp(server.dir) == NULL)
		die("mkdtemp");
	snprintf(server.sock, sizeof(server.sock), "%s/sock", server.dir);
	snprintf(url, sizeof(url), "unix://%s", server.sock);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", server.sock);
	fflush(NULL);
	if ((server.pid = fork()) < 0)
		die("fork");
	if (server.pid == 0) {
		/* If spbench dies, so does its server. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		execl(binary, "rump_server", "-s", url, (char *)NULL);
		fprintf(stderr, "spbench: %s: %s\n", binary, strerror(errno));
		_exit(127);
	}
	/* Ready when it accepts a connection; 10 s at most. */
	for (int i = 0; i < 1000; i++) {
		if (waitpid(server.pid, &status, WNOHANG) == server.pid) {
			fprintf(stderr, "spbench: %s exited at start (status "
			    "0x%x)\n", binary, status);
			server.pid = -1;
			stop_server();
			exit(1);
		}
		if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0)
			die("socket");
		if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
			close(fd);
			setenv("RUMP_SERVER", url, 1);
			return;
		}
		close(fd);
		usleep(10000);
	}
	errno = ETIMEDOUT;
	die("rump_server does not listen");
}

/* SIGTERM, then up to 10 s for it to sync and go; SIGKILL past that. */
static void
stop_server(void)
{
	int status = 0, i;

	if (server.pid > 0) {
		kill(server.pid, SIGTERM);
		for (i = 0; i < 1000; i++) {
			if (waitpid(server.pid, &status, WNOHANG) == server.pid)
				break;
			usleep(10000);
		}
		if (i == 1000) {
			fprintf(stderr, "spbench: rump_server ignores SIGTERM; "
			    "killing it\n");
			kill(server.pid, SIGKILL);
			waitpid(server.pid, &status, 0);
		} else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "spbench: rump_server did not exit "
			    "cleanly (status 0x%x)\n", status);
		}
		server.pid = -1;
	}
	if (server.dir[0] != '\0') {
		unlink(server.sock);	/* it removes it itself; if killed */
		rmdir(server.dir);
		server.dir[0] = '\0';
	}
}

/* Runs spbench_local and reads its "key value" lines. */
struct localfig {
	double getpid, stat, io[NIOTESTS];
};

static void
run_local(const char *binary, struct localfig *lf)
{
	char line[128], key[32];
	int p[2], status, seen = 0;
	double v;
	FILE *f;
	pid_t pid;

	if (pipe(p) != 0)
		die("pipe");
	fflush(NULL);
	if ((pid = fork()) < 0)
		die("fork");
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		execl(binary, "spbench_local", (char *)NULL);
		fprintf(stderr, "spbench: %s: %s\n", binary, strerror(errno));
		_exit(127);
	}
	close(p[1]);
	if ((f = fdopen(p[0], "r")) == NULL)
		die("fdopen");
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "%31s %lf", key, &v) != 2)
			continue;
		if (strcmp(key, "getpid") == 0)
			lf->getpid = v, seen++;
		else if (strcmp(key, "stat") == 0)
			lf->stat = v, seen++;
		for (size_t i = 0; i < NIOTESTS; i++)
			if (strcmp(key, iotests[i].name) == 0)
				lf->io[i] = v, seen++;
	}
	fclose(f);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0 || seen != 2 + (int)NIOTESTS) {
		errno = EIO;
		die("spbench_local failed");
	}
}

/* --- the report ------------------------------------------------------------ */

/* ratio: how many times slower the remote kernel is than the reference. */
static void
report(const char *what, const char *ref, double r, double k,
    const char *unit, double ratio)
{
	printf("  %-24s %-5s %10.1f %-7s  remote %10.1f %-7s  ratio %5.2f\n",
	    what, ref, r, unit, k, unit, ratio);
	fflush(stdout);
}

/* The one-client figures, the server and the echoing end on srvcpu, this
 * process on cpu.  Returns the calls a second of getpid+stat. */
static double
one_client(const struct localfig *lf, int cpu, int srvcpu)
{
	static const char *const ioname[NIOTESTS] = {
		"write, 4 KiB calls", "read, 4 KiB calls",
		"write, 1 MiB calls", "read, 1 MiB calls",
	};
	double rtt, gp, st, io;

	pin(0, cpu);
	pin_process(server.pid, srvcpu);
	rtt = rtt_ns(srvcpu);
	printf("  %-24s %-5s %10.1f ns/op\n", "unix round trip 64 B", "base",
	    rtt);
	if ((gp = call_ns(CALL_GETPID)) < 0)
		die("remote getpid");
	report("getpid", "base", rtt, gp, "ns/op", gp / rtt);
	if ((st = call_ns(CALL_STAT)) < 0)
		die("remote stat");
	report("stat (existing file)", "base", rtt, st, "ns/op", st / rtt);
	for (size_t i = 0; i < NIOTESTS; i++) {
		if ((io = io_mbps(iotests[i].bufsize, iotests[i].reading)) < 0)
			die(iotests[i].name);
		report(ioname[i], "local", lf->io[i], io, "MB/s",
		    lf->io[i] / io);
	}
	return 2e9 / (gp + st);
}

/* one_client on a thread of its own, so that it makes a connection of
 * its own: over the socket alone, or with a shared region. */
struct one_args {
	const struct localfig *lf;
	int cpu, srvcpu;
	bool shm;
	double rate;
};

static void *
one_thread(void *arg)
{
	struct one_args *a = arg;

	a->rate = one_client(a->lf, a->cpu, a->srvcpu);
	return NULL;
}

static double
one_connection(const struct localfig *lf, int cpu, int srvcpu, bool shm)
{
	struct one_args a = { lf, cpu, srvcpu, shm, 0 };
	pthread_t t;

	if (!shm)
		printf(" over the socket alone (RUMPCLIENT_SHM=0):\n");
	else if (cpu == srvcpu)
		printf(" with the shared-memory region, on one CPU (no end can "
		    "spin while the other\n runs: each call wakes the other "
		    "end through the socket, so this is the\n socket's "
		    "cost):\n");
	else
		printf(" with the shared-memory region (each end spins on its "
		    "own CPU):\n");
	if (shm)
		unsetenv("RUMPCLIENT_SHM");
	else
		setenv("RUMPCLIENT_SHM", "0", 1);
	if ((errno = pthread_create(&t, NULL, one_thread, &a)) != 0)
		die("pthread_create");
	pthread_join(t, NULL);
	unsetenv("RUMPCLIENT_SHM");
	return a.rate;
}

int
main(int argc, char **argv)
{
	char srvbin[PATH_MAX], localbin[PATH_MAX];
	struct localfig lf = { 0 };
	double one, base_many, rump_many;
	int cpu0, cpu1;

	if (argc > 3) {
		fprintf(stderr, "usage: spbench [rump_server [spbench_local]]\n");
		return 2;
	}
	if (argc > 1)
		snprintf(srvbin, sizeof(srvbin), "%s", argv[1]);
	else
		beside_me(srvbin, sizeof(srvbin), "../server/rump_server");
	if (argc > 2)
		snprintf(localbin, sizeof(localbin), "%s", argv[2]);
	else
		beside_me(localbin, sizeof(localbin), "spbench_local");
	signal(SIGPIPE, SIG_IGN);
	memset(iobuf, 'x', sizeof(iobuf));
	if (sched_getaffinity(0, sizeof(allcpus), &allcpus) != 0)
		die("sched_getaffinity");
	cpu0 = nth_cpu(0);
	cpu1 = nth_cpu(1);

	/* Connected before anything is pinned: a client that can use only
	 * one CPU offers no shared region. */
	start_server(srvbin);
	if (rumpclient_init() != 0)
		die("rumpclient_init");
	if (kfiles_make() != 0)
		die("remote setup");
	/* The embedded kernel's figures, on the CPU of the one-CPU part. */
	pin(0, cpu0);
	run_local(localbin, &lf);

	printf("spbench: remote = rump_server -s %s, through librumpclient; "
	    "medians of %d rounds\n", getenv("RUMP_SERVER"), ROUNDS);
	printf("  base  = a %d-byte round trip over a unix socketpair "
	    "between two processes\n"
	    "  local = the same loops on an embedded kernel (spbench_local)\n"
	    "  ratio = how many times slower the remote kernel is than base "
	    "or local\n", MSGLEN);
	printf("client and server on one CPU (%d):\n", cpu0);
	one = one_connection(&lf, cpu0, cpu0, false);
	(void)one_connection(&lf, cpu0, cpu0, true);
	if (cpu1 >= 0) {
		printf("client on CPU %d, server on CPU %d:\n", cpu0, cpu1);
		(void)one_connection(&lf, cpu0, cpu1, false);
		(void)one_connection(&lf, cpu0, cpu1, true);
	}

	printf("%d clients at once, on any CPU:\n", NCLIENTS);
	pin(0, -1);
	pin_process(server.pid, -1);
	base_many = many_rate(0);
	rump_many = many_rate(1);
	report("getpid+stat", "base", base_many, rump_many, "calls/s",
	    base_many / rump_many);
	stop_server();
	printf("  (base: %d echo pairs; one remote client alone on one CPU: "
	    "%.0f calls/s)\n", NCLIENTS, one);
	printf("embedded kernel: getpid %.1f ns/op, stat %.1f ns/op; "
	    "%d CPUs usable\n", lf.getpid, lf.stat, CPU_COUNT(&allcpus));
	return 0;
}
