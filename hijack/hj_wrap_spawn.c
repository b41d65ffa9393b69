/*
 * hj_wrap_spawn.c: posix_spawn, posix_spawnp, system, popen, pclose.
 *
 * glibc's posix_spawn runs an internal clone and execve that no wrapper
 * sees.  When the child has nothing to do with the kernel (no inheritable
 * kernel descriptor, the current directory on the host, no routed path
 * or kernel descriptor among the file actions or the program, and the
 * environment names our server if we are a remote client) the host's
 * posix_spawn runs as is.  Otherwise ours: our fork() (a copy of the
 * kernel process), the file actions through our open, dup2, close,
 * chdir, fchdir, close_range, tcsetpgrp, then our execve or execvpe; an
 * exec failure comes back through a close-on-exec pipe as the error
 * number, as glibc reports it.  All the attributes are applied: signal
 * mask and defaults, process group, session, scheduler, RESETIDS
 * (POSIX_SPAWN_USEVFORK means nothing here).  Reading the file actions
 * relies on glibc's private layout of them, which is checked once against
 * actions built through the public API; if it ever differs, spawns go to
 * the host's posix_spawn.
 *
 * system() and popen() call glibc's internal posix_spawn, not ours, so
 * they are redone over ours under the same rule (the host's when the
 * child needs nothing of the kernel); pclose knows our popen streams and
 * passes the others to the host.
 */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "hj.h"
#include "hj_spawn.h"

extern char **environ;

HOST_CACHE(posix_spawn);
HOST_CACHE(posix_spawnp);
HOST_CACHE(system);
HOST_CACHE(popen);
HOST_CACHE(pclose);
HOST_CACHE(pipe2);
HOST_CACHE(read);
HOST_CACHE(write);
HOST_CACHE(close);
HOST_CACHE(fcntl);

/* --- glibc's file actions ------------------------------------------------ */

/* One action as glibc (2.35 on) keeps it: checked by layout_ok(). */
struct gl_action {
	int tag;
	union {
		struct { int fd; } close;
		struct { int fd, newfd; } dup2;
		struct { int fd; char *path; int oflag; mode_t mode; } open;
		struct { char *path; } chdir;
		struct { int fd; } fchdir;
		struct { int from; } closefrom;
		struct { int fd; } tcsetpgrp;
	} u;
};
enum { A_CLOSE, A_DUP2, A_OPEN, A_CHDIR, A_FCHDIR, A_CLOSEFROM, A_TCSETPGRP };

static int layout;			/* 0: unknown, 1: as above, -1: not */

static bool
layout_ok(void)
{
	posix_spawn_file_actions_t fa;
	const struct gl_action *a;
	bool ok;

	if (layout != 0)
		return layout > 0;
	if (posix_spawn_file_actions_init(&fa) != 0)
		return false;
	ok = posix_spawn_file_actions_addclose(&fa, 3) == 0 &&
	    posix_spawn_file_actions_adddup2(&fa, 4, 5) == 0 &&
	    posix_spawn_file_actions_addopen(&fa, 6, "/o", O_RDONLY, 0640)
	    == 0 &&
	    posix_spawn_file_actions_addchdir_np(&fa, "/c") == 0 &&
	    posix_spawn_file_actions_addfchdir_np(&fa, 7) == 0 &&
	    posix_spawn_file_actions_addclosefrom_np(&fa, 8) == 0 &&
	    posix_spawn_file_actions_addtcsetpgrp_np(&fa, 9) == 0;
	a = (const struct gl_action *)(const void *)fa.__actions;
	ok = ok && fa.__used == 7 &&
	    a[0].tag == A_CLOSE && a[0].u.close.fd == 3 &&
	    a[1].tag == A_DUP2 && a[1].u.dup2.fd == 4 &&
	    a[1].u.dup2.newfd == 5 &&
	    a[2].tag == A_OPEN && a[2].u.open.fd == 6 &&
	    strcmp(a[2].u.open.path, "/o") == 0 &&
	    a[2].u.open.oflag == O_RDONLY && a[2].u.open.mode == 0640 &&
	    a[3].tag == A_CHDIR && strcmp(a[3].u.chdir.path, "/c") == 0 &&
	    a[4].tag == A_FCHDIR && a[4].u.fchdir.fd == 7 &&
	    a[5].tag == A_CLOSEFROM && a[5].u.closefrom.from == 8 &&
	    a[6].tag == A_TCSETPGRP && a[6].u.tcsetpgrp.fd == 9;
	posix_spawn_file_actions_destroy(&fa);
	layout = ok ? 1 : -1;
	return ok;
}

static const struct gl_action *
actions(const posix_spawn_file_actions_t *fa, int *n)
{
	*n = fa != NULL ? fa->__used : 0;
	return fa != NULL ? (const void *)fa->__actions : NULL;
}

static bool
routed(const char *path)
{
	char kb[PATH_MAX];
	const char *kp;
	int kd;

	return path != NULL &&
	    hj_route(AT_FDCWD, path, kb, sizeof(kb), &kd, &kp) == HJ_KERNEL;
}

/* Would exec'ing file (searched in PATH: search) reach the kernel? */
static bool
routed_prog(const char *file, bool search)
{
	char buf[PATH_MAX];
	const char *path;

	if (!search || file == NULL || strchr(file, '/') != NULL)
		return routed(file);
	if ((path = getenv("PATH")) == NULL)
		path = "/bin:/usr/bin";
	while (*path != '\0') {
		const char *colon = strchr(path, ':');
		size_t len = colon ? (size_t)(colon - path) : strlen(path);

		snprintf(buf, sizeof(buf), "%.*s%s%s", (int)len, path,
		    len ? "/" : "", file);
		if (routed(buf))
			return true;
		path += len + (colon ? 1 : 0);
	}
	return false;
}

static bool
kfd(int fd)
{
	return hj_fd_kernel(fd) >= 0;
}

/*
 * A remote client's child must reach the same server; our execve passes
 * RUMP_SERVER on, the host's spawn passes envp as it is.
 */
static bool
env_has_server(char *const envp[])
{
	const char *s;

	if (!hj_remote || (s = getenv("RUMP_SERVER")) == NULL)
		return true;
	for (; envp != NULL && *envp != NULL; envp++)
		if (strncmp(*envp, "RUMP_SERVER=", 12) == 0)
			return strcmp(*envp + 12, s) == 0;
	return false;
}

/* Can the host's posix_spawn do it: nothing of the kernel involved? */
static bool
host_can(const char *file, bool search, const posix_spawn_file_actions_t *fa,
    char *const envp[])
{
	const struct gl_action *a;
	char *s;
	int n;

	if (hj_inside)
		return true;
	if (__builtin_expect(!hj_ready, 0))
		hj_setup();
	if (hj_cwd_kernel || !env_has_server(envp))
		return false;
	if (hj_fdmap != NULL && (s = hj_fd_export()) != NULL) {
		free(s);
		return false;
	}
	if (routed_prog(file, search))
		return false;
	if ((a = actions(fa, &n)) == NULL || n == 0)
		return true;
	if (!layout_ok())
		return true;		/* unreadable: the host's, as is */
	for (int i = 0; i < n; i++) {
		switch (a[i].tag) {
		case A_CLOSE:
			if (kfd(a[i].u.close.fd))
				return false;
			break;
		case A_DUP2:
			if (kfd(a[i].u.dup2.fd) || kfd(a[i].u.dup2.newfd))
				return false;
			break;
		case A_OPEN:
			if (kfd(a[i].u.open.fd) || routed(a[i].u.open.path))
				return false;
			break;
		case A_CHDIR:
			if (routed(a[i].u.chdir.path))
				return false;
			break;
		case A_FCHDIR:
			if (kfd(a[i].u.fchdir.fd))
				return false;
			break;
		default:
			break;
		}
	}
	return true;
}

/* --- our posix_spawn --------------------------------------------------- */

struct spawn {
	const char *file;
	const posix_spawn_file_actions_t *fa;
	const posix_spawnattr_t *attr;
	char *const *argv, *const *envp;
	bool search;
	sigset_t oldmask;
	int errfd;
};

/* The file actions, in order; 0 or an errno. */
static int
run_actions(struct spawn *s)
{
	int n, fd, top = 2;
	const struct gl_action *a = actions(s->fa, &n);

	/* The error pipe moves above every number the actions name. */
	for (int i = 0; i < n; i++) {
		switch (a[i].tag) {
		case A_CLOSE:
			fd = a[i].u.close.fd;
			break;
		case A_DUP2:
			fd = a[i].u.dup2.newfd > a[i].u.dup2.fd ?
			    a[i].u.dup2.newfd : a[i].u.dup2.fd;
			break;
		case A_OPEN:
			fd = a[i].u.open.fd;
			break;
		case A_FCHDIR:
			fd = a[i].u.fchdir.fd;
			break;
		case A_TCSETPGRP:
			fd = a[i].u.tcsetpgrp.fd;
			break;
		default:
			fd = -1;
			break;
		}
		top = fd > top ? fd : top;
	}
	if (s->errfd <= top) {
		if ((fd = HOST(fcntl)(s->errfd, F_DUPFD_CLOEXEC, top + 1)) < 0)
			return errno;
		HOST(close)(s->errfd);
		s->errfd = fd;
	}
	for (int i = 0; i < n; i++) {
		const struct gl_action *x = &a[i];

		switch (x->tag) {
		case A_CLOSE:
			/* glibc: closing what is not open is no error. */
			close(x->u.close.fd);
			break;
		case A_DUP2:
			if (x->u.dup2.fd == x->u.dup2.newfd) {
				/* Same number: only clears close-on-exec. */
				int fl = fcntl(x->u.dup2.fd, F_GETFD);

				if (fl < 0 || fcntl(x->u.dup2.fd, F_SETFD,
				    fl & ~FD_CLOEXEC) < 0)
					return errno;
			} else if (dup2(x->u.dup2.fd, x->u.dup2.newfd) < 0) {
				return errno;
			}
			break;
		case A_OPEN:
			if ((fd = open(x->u.open.path, x->u.open.oflag,
			    x->u.open.mode)) < 0)
				return errno;
			if (fd != x->u.open.fd) {
				if (dup2(fd, x->u.open.fd) < 0)
					return errno;
				close(fd);
			}
			break;
		case A_CHDIR:
			if (chdir(x->u.chdir.path) != 0)
				return errno;
			break;
		case A_FCHDIR:
			if (fchdir(x->u.fchdir.fd) != 0)
				return errno;
			break;
		case A_CLOSEFROM:
			fd = x->u.closefrom.from;
			if (fd < s->errfd)
				close_range((unsigned)fd,
				    (unsigned)s->errfd - 1, 0);
			close_range((unsigned)(fd > s->errfd ? fd :
			    s->errfd + 1), ~0u, 0);
			break;
		case A_TCSETPGRP:
			if (tcsetpgrp(x->u.tcsetpgrp.fd, getpgrp()) != 0)
				return errno;
			break;
		default:
			return ENOSYS;
		}
	}
	return 0;
}

/* The attributes before the file actions; 0 or an errno. */
static int
run_attrs(struct spawn *s, short flags)
{
	struct sigaction dfl, cur;
	struct sched_param sp;
	sigset_t def;
	int policy;
	pid_t pg;

	/* Handlers are this image's: none may run before the exec. */
	sigemptyset(&def);
	if (flags & POSIX_SPAWN_SETSIGDEF)
		posix_spawnattr_getsigdefault(s->attr, &def);
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	for (int sig = 1; sig < NSIG; sig++) {
		if (sigismember(&def, sig) == 1 ||
		    (sigaction(sig, NULL, &cur) == 0 &&
		    cur.sa_handler != SIG_IGN && cur.sa_handler != SIG_DFL))
			sigaction(sig, &dfl, NULL);
	}
	if (flags & (POSIX_SPAWN_SETSCHEDPARAM | POSIX_SPAWN_SETSCHEDULER)) {
		posix_spawnattr_getschedparam(s->attr, &sp);
		if (flags & POSIX_SPAWN_SETSCHEDULER) {
			posix_spawnattr_getschedpolicy(s->attr, &policy);
			if (sched_setscheduler(0, policy, &sp) < 0)
				return errno;
		} else if (sched_setparam(0, &sp) < 0) {
			return errno;
		}
	}
	if ((flags & POSIX_SPAWN_SETSID) && setsid() < 0)
		return errno;
	if (flags & POSIX_SPAWN_SETPGROUP) {
		posix_spawnattr_getpgroup(s->attr, &pg);
		if (setpgid(0, pg) != 0)
			return errno;
	}
	if ((flags & POSIX_SPAWN_RESETIDS) &&
	    (seteuid(getuid()) != 0 || setegid(getgid()) != 0))
		return errno;
	return 0;
}

static void __attribute__((noreturn))
child(struct spawn *s)
{
	short flags = 0;
	sigset_t mask;
	int err;

	if (s->attr != NULL)
		posix_spawnattr_getflags(s->attr, &flags);
	if ((err = run_attrs(s, flags)) != 0 || (err = run_actions(s)) != 0)
		goto fail;
	if (flags & POSIX_SPAWN_SETSIGMASK)
		posix_spawnattr_getsigmask(s->attr, &mask);
	else
		mask = s->oldmask;
	sigprocmask(SIG_SETMASK, &mask, NULL);
	if (s->search)
		hj_execvpe(s->file, s->argv, s->envp, false);
	else
		execve(s->file, s->argv, s->envp);
	err = errno;
fail:
	while (HOST(write)(s->errfd, &err, sizeof(err)) < 0 && errno == EINTR)
		continue;
	_exit(127);
}

static int
spawn(pid_t *pidp, const char *file, const posix_spawn_file_actions_t *fa,
    const posix_spawnattr_t *attr, char *const argv[], char *const envp[],
    bool search)
{
	struct spawn s = { file, fa, attr, argv, envp, search, { { 0 } }, -1 };
	int p[2], err = 0, st;
	sigset_t all;
	ssize_t n;
	pid_t pid;

	if (fa != NULL && fa->__used > 0 && !layout_ok())
		return ENOSYS;
	if (HOST(pipe2)(p, O_CLOEXEC) != 0)
		return errno;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &s.oldmask);
	if ((pid = hj_kernel_vfork()) == 0) {
		HOST(close)(p[0]);
		s.errfd = p[1];
		child(&s);
	}
	err = errno;
	pthread_sigmask(SIG_SETMASK, &s.oldmask, NULL);
	HOST(close)(p[1]);
	if (pid < 0) {
		HOST(close)(p[0]);
		return err;
	}
	/* EOF: the exec closed the pipe; an int: why it failed. */
	while ((n = HOST(read)(p[0], &err, sizeof(err))) < 0 && errno == EINTR)
		continue;
	HOST(close)(p[0]);
	if (n == (ssize_t)sizeof(err)) {
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			continue;
		return err;
	}
	if (pidp != NULL)
		*pidp = pid;
	return 0;
}

HJ_EXPORT int
posix_spawn(pid_t *pid, const char *path,
    const posix_spawn_file_actions_t *fa, const posix_spawnattr_t *attr,
    char *const argv[], char *const envp[])
{
	hj_fd_flush();
	if (host_can(path, false, fa, envp))
		return HOST(posix_spawn)(pid, path, fa, attr, argv, envp);
	return spawn(pid, path, fa, attr, argv, envp, false);
}

HJ_EXPORT int
posix_spawnp(pid_t *pid, const char *file,
    const posix_spawn_file_actions_t *fa, const posix_spawnattr_t *attr,
    char *const argv[], char *const envp[])
{
	hj_fd_flush();
	if (host_can(file, true, fa, envp))
		return HOST(posix_spawnp)(pid, file, fa, attr, argv, envp);
	return spawn(pid, file, fa, attr, argv, envp, true);
}

/* --- system, popen, pclose ----------------------------------------------- */

static pthread_mutex_t sys_lock = PTHREAD_MUTEX_INITIALIZER;
static int sys_users;			/* system() calls under way */
static struct sigaction sys_int, sys_quit;	/* what they replaced */

HJ_EXPORT int
system(const char *cmd)
{
	static const char *const shell = "/bin/sh";
	struct sigaction ign;
	sigset_t chld, omask, def;
	posix_spawnattr_t at;
	char *argv[] = { (char *)"sh", (char *)"-c", (char *)cmd, NULL };
	int st = 0, err;
	pid_t pid;

	hj_fd_flush();
	if (cmd == NULL || host_can(shell, false, NULL, environ))
		return HOST(system)(cmd);
	/* POSIX: the caller ignores SIGINT and SIGQUIT, blocks SIGCHLD. */
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	pthread_mutex_lock(&sys_lock);
	if (sys_users++ == 0) {
		sigaction(SIGINT, &ign, &sys_int);
		sigaction(SIGQUIT, &ign, &sys_quit);
	}
	pthread_mutex_unlock(&sys_lock);
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &omask);

	sigemptyset(&def);
	if (sys_int.sa_handler != SIG_IGN)
		sigaddset(&def, SIGINT);
	if (sys_quit.sa_handler != SIG_IGN)
		sigaddset(&def, SIGQUIT);
	posix_spawnattr_init(&at);
	posix_spawnattr_setsigdefault(&at, &def);
	posix_spawnattr_setsigmask(&at, &omask);
	posix_spawnattr_setflags(&at,
	    POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
	err = spawn(&pid, shell, NULL, &at, argv, environ, false);
	posix_spawnattr_destroy(&at);
	if (err == 0) {
		while (waitpid(pid, &st, 0) < 0)
			if (errno != EINTR) {
				st = -1;
				break;
			}
	} else {
		st = W_EXITCODE(127, 0);
	}

	pthread_mutex_lock(&sys_lock);
	if (--sys_users == 0) {
		sigaction(SIGINT, &sys_int, NULL);
		sigaction(SIGQUIT, &sys_quit, NULL);
	}
	pthread_mutex_unlock(&sys_lock);
	sigprocmask(SIG_SETMASK, &omask, NULL);
	return st;
}

/* Our popen streams: pclose must wait for their children. */
struct pstream {
	struct pstream *next;
	FILE *fp;
	int fd;
	pid_t pid;
};
static pthread_mutex_t pop_lock = PTHREAD_MUTEX_INITIALIZER;
static struct pstream *pstreams;

HJ_EXPORT FILE *
popen(const char *cmd, const char *mode)
{
	char *argv[] = { (char *)"sh", (char *)"-c", (char *)cmd, NULL };
	posix_spawn_file_actions_t fa;
	bool rd, ce = false;
	struct pstream *ps;
	int p[2], mine, theirs, err;
	FILE *fp = NULL;

	hj_fd_flush();
	if (host_can("/bin/sh", false, NULL, environ))
		return HOST(popen)(cmd, mode);
	if (mode == NULL || (mode[0] != 'r' && mode[0] != 'w')) {
		errno = EINVAL;
		return NULL;
	}
	rd = mode[0] == 'r';
	for (const char *m = mode + 1; *m != '\0'; m++) {
		if (*m != 'e') {
			errno = EINVAL;
			return NULL;
		}
		ce = true;
	}
	if ((ps = calloc(1, sizeof(*ps))) == NULL)
		return NULL;
	if (HOST(pipe2)(p, O_CLOEXEC) != 0) {
		free(ps);
		return NULL;
	}
	mine = rd ? p[0] : p[1];
	theirs = rd ? p[1] : p[0];
	posix_spawn_file_actions_init(&fa);
	/* dup2 onto itself clears close-on-exec. */
	err = posix_spawn_file_actions_adddup2(&fa, theirs, rd ? 1 : 0);
	/* POSIX: the child has none of the earlier popen streams. */
	pthread_mutex_lock(&pop_lock);
	for (struct pstream *q = pstreams; q != NULL && err == 0; q = q->next)
		err = posix_spawn_file_actions_addclose(&fa, q->fd);
	if (err == 0)
		err = spawn(&ps->pid, "/bin/sh", &fa, NULL, argv, environ,
		    false);
	pthread_mutex_unlock(&pop_lock);
	posix_spawn_file_actions_destroy(&fa);
	HOST(close)(theirs);
	if (err == 0 && !ce)
		HOST(fcntl)(mine, F_SETFD, 0);
	if (err != 0 || (fp = fdopen(mine, rd ? "r" : "w")) == NULL) {
		if (err == 0) {
			err = errno;
			HOST(close)(mine);
			while (waitpid(ps->pid, NULL, 0) < 0 && errno == EINTR)
				continue;
		} else {
			HOST(close)(mine);
		}
		free(ps);
		errno = err;
		return NULL;
	}
	ps->fp = fp;
	ps->fd = mine;
	pthread_mutex_lock(&pop_lock);
	ps->next = pstreams;
	pstreams = ps;
	pthread_mutex_unlock(&pop_lock);
	return fp;
}

HJ_EXPORT int
pclose(FILE *fp)
{
	struct pstream **pp, *ps = NULL;
	int st;

	pthread_mutex_lock(&pop_lock);
	for (pp = &pstreams; *pp != NULL; pp = &(*pp)->next) {
		if ((*pp)->fp == fp) {
			ps = *pp;
			*pp = ps->next;
			break;
		}
	}
	pthread_mutex_unlock(&pop_lock);
	if (ps == NULL) {
		int fd = hj_fdmap != NULL && fp != NULL ? fileno(fp) : -1;

		st = HOST(pclose)(fp);
		if (fd >= 0)
			hj_fd_freed(fd);
		return st;
	}
	fclose(fp);
	while (waitpid(ps->pid, &st, 0) < 0) {
		if (errno != EINTR) {
			st = -1;
			break;
		}
	}
	free(ps);
	return st;
}
