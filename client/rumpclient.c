/*
 * rumpclient.c: librumpclient, the remote end of rump_sys_* (rumpclient.h,
 * doc/PROTOCOL.md).
 *
 * A connection per thread: the thread that initializes holds the process's
 * first connection (kind NEW), every other thread opens its own on its
 * first call (kind THREAD, presenting the process token), so calls of
 * different threads are in flight at once and block independently.  A
 * connection is one lwp of this process in the kernel; when its thread
 * exits it is kept for the next thread (thread_exit).  Fork, exec and
 * explicit processes are in rumpclient_proc.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <rump/rumpclient.h>
#include <rump/rump_syscalls.h>

#include "rumpclient_int.h"
#include "sp_url.h"


struct rc_state rc = { .lock = PTHREAD_MUTEX_INITIALIZER };
__thread struct rconn *tconn;
pthread_once_t key_once = PTHREAD_ONCE_INIT;

void
warnx_(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("rumpclient: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* Hidden by the version script; the generated stubs set errno with it. */
void
rumpuser_seterrno(int error)
{
	errno = error;
}

static void
conn_free(struct rconn *c)
{
	struct rconn **pp;

	pthread_mutex_lock(&rc.lock);
	for (pp = &rc.conns; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	for (pp = &rc.idle; *pp != NULL; pp = &(*pp)->idle_next) {
		if (*pp == c) {
			*pp = c->idle_next;
			rc.nidle--;
			break;
		}
	}
	pthread_mutex_unlock(&rc.lock);
	if (c->fd >= 0)
		close(c->fd);
	sp_buf_free(&c->buf);
	sp_shm_detach(&c->shm);
	free(c);
}

/*
 * Ends an lwp and waits until the server has released it: the server
 * closes its end only after that, so a process ended here has dropped
 * its locks and descriptors before the caller goes on, as locally.
 */
void
conn_release(struct rconn *c)
{
	struct timeval tv = { 5, 0 };
	char b;

	if (c->fd >= 0 && shutdown(c->fd, SHUT_WR) == 0) {
		setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		while (recv(c->fd, &b, 1, 0) > 0)
			continue;
	}
	conn_free(c);
}

/*
 * A thread that exits leaves its lwp of the process's own process for the
 * next thread that calls, instead of ending it: otherwise the process in
 * the kernel would end with whichever thread happened to connect first
 * while others still run (a thread pool), and threads that come and go
 * would each pay for a connection.  Explicit lwps (rumpclient_lwproc_*)
 * end with their thread, as before.
 */
#define MAXIDLE	16

static void
thread_exit(void *v)
{
	struct rconn *c = v;

	if (c->own) {
		pthread_mutex_lock(&rc.lock);
		if (c->pid == rc.pid && rc.nidle < MAXIDLE) {
			c->idle_next = rc.idle;
			rc.idle = c;
			rc.nidle++;
			pthread_mutex_unlock(&rc.lock);
			return;
		}
		pthread_mutex_unlock(&rc.lock);
	}
	conn_release(c);
}

/* An own connection a thread left, taken off the idle list, or NULL. */
static struct rconn *
idle_take(void)
{
	struct rconn *c;

	for (;;) {
		pthread_mutex_lock(&rc.lock);
		if ((c = rc.idle) != NULL) {
			rc.idle = c->idle_next;
			rc.nidle--;
		}
		pthread_mutex_unlock(&rc.lock);
		if (c == NULL || c->pid == rc.pid)
			return c;
		/* Left from before a reconnect: that process is gone. */
		conn_free(c);
	}
}

void
make_key(void)
{
	pthread_key_create(&rc.key, thread_exit);
}

static void
conn_bind(struct rconn *c)
{
	pthread_once(&key_once, make_key);
	tconn = c;
	pthread_setspecific(rc.key, c);
	pthread_mutex_lock(&rc.lock);
	c->next = rc.conns;
	rc.conns = c;
	pthread_mutex_unlock(&rc.lock);
}

/* One frame out, its answer back: through the region or the socket.
 * *body is valid until the connection's next round trip. */
int
roundtrip(struct rconn *c, struct iovec *iov, int n, uint16_t *type,
    const uint8_t **body, size_t *len)
{
	int error;

	if (c->shm.ctl != NULL)
		return sp_shm_call(&c->shm, c->fd, &c->buf, iov, n, type, body,
		    len);
	if ((error = sp_sendv(c->fd, iov, n)) != 0)
		return error;
	error = sp_recv(c->fd, &c->buf, SP_MAXFRAME, type, len);
	*body = c->buf.data;
	return error;
}

/*
 * The client's sockets live at the top of the descriptor space, in
 * [fdbase, fdbase + RUMPCLIENT_NFDS), out of the way of programs that
 * dup2 onto low numbers they chose (a shell's "exec 3>file"); a hijack
 * keeps programs from closing them (rumpclient_fdbase).
 */
static int fdbase = -1;

static void
set_fdbase(void)
{
	struct rlimit rl;
	rlim_t top = 1024;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY
	    && rl.rlim_cur < top)
		top = rl.rlim_cur;
	fdbase = top > 2 * RUMPCLIENT_NFDS ? (int)(top - RUMPCLIENT_NFDS) :
	    (int)(top / 2);
}

static int
move_high(int fd)
{
	int hi;

	if (fdbase < 0)
		set_fdbase();
	if (fd >= fdbase)
		return fd;
	if ((hi = fcntl(fd, F_DUPFD_CLOEXEC, fdbase)) < 0)
		return fd;		/* no room up there: stay where it is */
	close(fd);
	return hi;
}

int
rumpclient_isfd(int fd)
{
	struct rconn *c;
	int mine = 0;

	pthread_mutex_lock(&rc.lock);
	for (c = rc.conns; c != NULL && !mine; c = c->next)
		mine = c->fd == fd;
	pthread_mutex_unlock(&rc.lock);
	return mine;
}

int
rumpclient_fdbase(void)
{
	if (fdbase < 0)
		set_fdbase();
	return fdbase;
}

static int
dial(int *fdp)
{
	int fd = socket(rc.addr.ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return errno;
	fd = move_high(fd);
	if (!rc.addr.isunix)	/* a call is one small write: no Nagle wait */
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &(int){ 1 }, sizeof(int));
	if (connect(fd, (const struct sockaddr *)&rc.addr.ss, rc.addr.len)
	    != 0) {
		int error = errno;

		/* The socket's permissions, not a refusal: init_locked keeps
		 * quiet on EACCES (hello_recv() reports refusals), so say it. */
		if (error == EACCES)
			warnx_("cannot reach %s: %s", getenv("RUMP_SERVER"),
			    strerror(error));
		close(fd);
		return error;
	}
	*fdp = fd;
	return 0;
}

/* c, of kind, is the process's own connection now. */
static void
own_process(struct rconn *c, uint16_t kind)
{
	rc.pid = c->pid;
	memcpy(rc.token, c->token, SP_COOKIELEN);
	c->own = true;
	rc.procinfo = (kind == SP_KIND_NEW ? 0 : RUMPCLIENT_KEPT) |
	    (c->srvflags & SP_WELCOME_HOSTIDS ? RUMPCLIENT_HOSTIDS : 0);
}

int
rumpclient_procinfo(void)
{
	return rc.procinfo;
}

/* A new connection of kind for this thread; main: the process's own;
 * exec_after: an EXEC HELLO follows the first. */
static int
connect_kind(uint16_t kind, const uint8_t *cookie, bool main,
    bool exec_after, struct rconn **cp)
{
	struct rconn *c = calloc(1, sizeof(*c));
	int error;

	if (c == NULL)
		return ENOMEM;
	c->fd = -1;
	for (bool early = offer_early(kind);; early = false) {
		if ((error = dial(&c->fd)) != 0 ||
		    (error = handshake(c, kind, cookie, early, exec_after)) !=
		    EAGAIN)
			break;
		close(c->fd);
		c->fd = -1;
	}
	if (error != 0) {
		if (c->fd >= 0)
			close(c->fd);
		sp_buf_free(&c->buf);
		free(c);
		return error;
	}
	if (main)
		own_process(c, kind);
	conn_bind(c);
	*cp = c;
	return 0;
}

int
connect_as(uint16_t kind, const uint8_t *cookie, bool main,
    struct rconn **cp)
{
	return connect_kind(kind, cookie, main, false, cp);
}

static int
parse_retry(void)
{
	const char *v = getenv("RUMPHIJACK_RETRYCONNECT");
	char *end;

	rc.retry = RETRY_NONE;
	if (v == NULL || *v == '\0')
		return 0;
	if (strcmp(v, "inftime") == 0)
		rc.retry = RETRY_INF;
	else if (strcmp(v, "once") == 0)
		rc.retry = RETRY_ONCE;
	else if (strcmp(v, "die") == 0)
		rc.retry = RETRY_DIE;
	else {
		errno = 0;
		rc.retrysecs = strtol(v, &end, 10);
		if (errno != 0 || *end != '\0' || rc.retrysecs <= 0) {
			warnx_("RUMPHIJACK_RETRYCONNECT=%s: expected inftime, "
			    "once, die or a number of seconds", v);
			return EINVAL;
		}
		rc.retry = RETRY_SECS;
	}
	return 0;
}

static int
config(void)
{
	const char *url = getenv("RUMP_SERVER"), *sf;
	int error;

	if (url == NULL) {
		warnx_("RUMP_SERVER is not set (unix:///path or "
		    "tcp://addr:port)");
		return ENOTCONN;
	}
	if ((error = sp_url_parse(url, &rc.addr)) != 0) {
		warnx_("RUMP_SERVER=%s: not unix:///path or tcp://addr:port",
		    url);
		return error;
	}
	stats_init();
	rc.secretlen = 0;
	if ((sf = getenv("RUMPCLIENT_SECRET")) != NULL &&
	    (error = sp_secret_load(sf, rc.secret, &rc.secretlen)) != 0) {
		warnx_("RUMPCLIENT_SECRET=%s: %s", sf, error == EINVAL ?
		    "empty or longer than 256 bytes" : strerror(error));
		return error;
	}
	return parse_retry();
}

/* What the image before us (rumpclient_exec) or the kernel that forked
 * us (RUMPHIJACK's embedded one) knew of the server's flags. */
static void
known_flags(void)
{
	const char *v = getenv(SRVFLAGS_ENV);
	char *end;
	long f;

	if (v == NULL)
		return;
	errno = 0;
	f = strtol(v, &end, 10);
	if (errno == 0 && *end == '\0' && f >= 0 && f <= 0xffff)
		srvflags = (int)f;
	unsetenv(SRVFLAGS_ENV);
}

/* After rumpclient_exec: the connection came with us. */
static int
resume_exec(const char *v)
{
	struct rconn *c;
	char *end;
	long fd;
	int error;

	errno = 0;
	fd = strtol(v, &end, 10);
	unsetenv(EXECFD_ENV);
	if (errno != 0 || *end != '\0' || fd < 0 || fd > 65535 ||
	    fcntl((int)fd, F_SETFD, FD_CLOEXEC) != 0) {
		warnx_("%s=%s: not an open descriptor", EXECFD_ENV, v);
		return EBADF;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return ENOMEM;
	c->fd = (int)fd;
	if ((error = handshake(c, SP_KIND_EXEC, NULL,
	    offer_early(SP_KIND_EXEC), false)) != 0) {
		close(c->fd);
		sp_buf_free(&c->buf);
		free(c);
		return error;
	}
	own_process(c, SP_KIND_EXEC);
	conn_bind(c);
	return 0;
}

/*
 * A forked child's process waits under a cookie in hex: the child of a
 * process that embeds the kernel (rump_server_prefork), or one that
 * exec'd before its first call (rumpclient_vfork), which FORKEXEC_ENV
 * says: the EXEC HELLO goes right behind the claim.
 */
static int
claim_cookie(const char *hex)
{
	uint8_t cookie[SP_COOKIELEN];
	bool exec_after = getenv(FORKEXEC_ENV) != NULL;
	struct rconn *c;
	unsigned v;

	unsetenv(FORKEXEC_ENV);
	for (int i = 0; i < SP_COOKIELEN; i++) {
		if (sscanf(hex + 2 * i, "%2x", &v) != 1) {
			unsetenv(FORKCOOKIE_ENV);
			warnx_("%s: not %d hex digits", FORKCOOKIE_ENV,
			    2 * SP_COOKIELEN);
			return EINVAL;
		}
		cookie[i] = (uint8_t)v;
	}
	unsetenv(FORKCOOKIE_ENV);
	return connect_kind(SP_KIND_FORK, cookie, true, exec_after, &c);
}

/* A child of rumpclient_vfork claims its process at its first call. */
int
claim_pending(void)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	struct rconn *c;
	int error = 0;

	pthread_mutex_lock(&lock);
	if (rc.pending) {
		if ((error = connect_as(SP_KIND_FORK, rc.pcookie, true,
		    &c)) != 0) {
			warnx_("forked child could not claim its process: %s",
			    strerror(error));
			rc.inited = false;
		}
		rc.pending = false;
	}
	pthread_mutex_unlock(&lock);
	return error;
}

static int
init_locked(void)
{
	const char *execfd = getenv(EXECFD_ENV);
	const char *forkcookie = getenv(FORKCOOKIE_ENV);
	struct rconn *c;
	int error;

	if (rc.inited)
		return 0;
	if ((error = config()) != 0)
		return error;
	known_flags();
	if (execfd != NULL)
		error = resume_exec(execfd);
	else if (forkcookie != NULL)
		error = claim_cookie(forkcookie);
	else
		error = connect_as(SP_KIND_NEW, NULL, true, &c);
	if (error == 0)
		rc.inited = true;
	else if (error != EACCES)
		warnx_("cannot reach %s: %s", getenv("RUMP_SERVER"),
		    strerror(error));
	return error;
}

int
rumpclient_init(void)
{
	static pthread_mutex_t initlock = PTHREAD_MUTEX_INITIALIZER;
	int error;

	pthread_mutex_lock(&initlock);
	error = init_locked();
	pthread_mutex_unlock(&initlock);
	if (error != 0) {
		errno = error;
		return -1;
	}
	return 0;
}

pid_t
rumpclient_getpid(void)
{
	return rc.pid;
}

/* The server went away under c: what RUMPHIJACK_RETRYCONNECT says. */
int
lost(struct rconn *c)
{
	time_t until = time(NULL) + rc.retrysecs;
	struct rconn *nc;
	int error;

	tconn = NULL;
	pthread_setspecific(rc.key, NULL);
	conn_free(c);
	switch (rc.retry) {
	case RETRY_DIE:
		warnx_("the server went away; exiting "
		    "(RUMPHIJACK_RETRYCONNECT=die)");
		_exit(1);
	case RETRY_NONE:
		return ENOTCONN;
	default:
		break;
	}
	/* A new process: what the old one had in the kernel is gone. */
	for (;;) {
		if ((error = connect_as(SP_KIND_NEW, NULL, true, &nc)) == 0)
			return ENOTCONN;
		if (rc.retry == RETRY_ONCE ||
		    (rc.retry == RETRY_SECS && time(NULL) >= until))
			return ENOTCONN;
		usleep(100000);
	}
}

int
thread_conn(struct rconn **cp)
{
	int error;

	if (__builtin_expect(rc.pending, 0) && claim_pending() != 0)
		return ENOTCONN;
	if (tconn != NULL) {
		*cp = tconn;
		return 0;
	}
	if (!rc.inited && rumpclient_init() != 0)
		return errno == EACCES ? EACCES : ENOTCONN;
	if (tconn != NULL) {
		*cp = tconn;
		return 0;
	}
	if ((*cp = idle_take()) != NULL) {
		tconn = *cp;
		pthread_setspecific(rc.key, *cp);
		return 0;
	}
	if ((error = connect_as(SP_KIND_THREAD, rc.token, false, cp)) != 0)
		return error == EACCES ? EACCES : ENOTCONN;
	(*cp)->own = true;
	return 0;
}

/*
 * An ioctl whose argument depends on the socket's family (sp_ioctl_famdep)
 * goes, for an AF_INET6 socket, with SP_IOC_INET6 in its request: the
 * family is asked first (one more round trip, for a configuration call).
 * A descriptor that is no socket keeps the request as it is.
 */
static const int64_t *
ioctl_family(const int64_t *args, int64_t *fixed)
{
	int fam = 0;
	socklen_t len = sizeof(fam);
	int64_t ga[5] = { args[0], SOL_SOCKET, SO_DOMAIN,
	    (int64_t)(intptr_t)&fam, (int64_t)(intptr_t)&len }, rv;

	if (rump_syscall(RUMP_SYS_getsockopt, ga, 5, &rv) != 0 ||
	    fam != AF_INET6)
		return args;
	memcpy(fixed, args, 3 * sizeof(*args));
	fixed[1] = (int64_t)((uint64_t)fixed[1] | SP_IOC_INET6);
	return fixed;
}

int
rump_syscall(int num, const int64_t *args, int nargs, int64_t *retval)
{
	int64_t fixed[3];
	const uint8_t *body;
	struct sp_creq r;
	struct rconn *c;
	uint16_t type;
	size_t len;
	int error, proto;
	uint64_t t0 = 0;

	if ((error = thread_conn(&c)) != 0)
		return error;
	if (num == RUMP_SYS_ioctl && nargs == 3 &&
	    sp_ioctl_famdep((uint64_t)args[1]) &&
	    !((uint64_t)args[1] & SP_IOC_INET6))
		args = ioctl_family(args, fixed);
	if ((error = sp_creq_build(&r, num, args, nargs)) != 0)
		return error;
	if (__builtin_expect(stats_on, 0))
		t0 = stats_now();
	error = roundtrip(c, r.iov, r.niov, &type, &body, &len);
	if (__builtin_expect(stats_on, 0))
		stats_call(num, stats_now() - t0);
	if (error == EFAULT) {
		/* A bad buffer, refused before a byte left: as a kernel. */
		sp_creq_free(&r);
		return EFAULT;
	}
	if (error == 0 && type != SP_REPLY)
		error = EPROTO;
	if (error != 0) {
		sp_creq_free(&r);
		return lost(c);
	}
	error = sp_creq_finish(&r, body, len, retval, &proto);
	sp_creq_free(&r);
	if (proto) {
		warnx_("malformed reply from the server; disconnecting");
		return lost(c);
	}
	return error;
}

/* Asks the server for a copy of c's process: the cookie to claim it. */
