/*
 * sp_listen.c: the listening side of rump_init_server(): the socket (a
 * stale unix socket is replaced, a live one refused), the thread that
 * accepts and starts a thread per connection (which learns the peer's
 * identity: sp_ident.c),
 * and rump_server_shutdown().
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <rump/rump.h>

#include "sp_server_int.h"

static void *
accept_main(void *arg)
{
	pthread_attr_t attr;

	(void)arg;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	/* An inherited socket is shared with whoever handed it over (systemd
	 * keeps it for the next activation): shutdown() would end it there
	 * too, so this thread is cancelled in accept4 instead, and only
	 * there. */
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
	for (;;) {
		struct sconn *c;
		pthread_t t;
		int fd;

		pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, NULL);
		fd = accept4(srv.lfd, NULL, NULL, SOCK_CLOEXEC);
		pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);

		if (fd < 0) {
			if (!__atomic_load_n(&srv.running, __ATOMIC_ACQUIRE))
				break;
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			/* Out of descriptors or memory: wait, go on. */
			usleep(10000);
			continue;
		}
		reap_forks(time(NULL));
		if ((c = calloc(1, sizeof(*c))) == NULL) {
			close(fd);
			continue;
		}
		c->fd = fd;
		if (!srv.addr.isunix)	/* replies are small writes */
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &(int){ 1 },
			    sizeof(int));
		pthread_mutex_lock(&srv.lock);
		if (!srv.running) {
			pthread_mutex_unlock(&srv.lock);
			close(fd);
			free(c);
			break;
		}
		c->next = srv.conns;
		srv.conns = c;
		srv.nconns++;
		pthread_mutex_unlock(&srv.lock);
		if (pthread_create(&t, &attr, conn_main, c) != 0) {
			conn_unlink(c);
			close(fd);
			free(c);
		}
	}
	pthread_attr_destroy(&attr);
	return NULL;
}

/* A unix socket path in use: is a live server behind it? */
static int
unix_prepare(const struct sp_addr *a)
{
	const char *path = sp_url_path(a);
	struct stat st;
	int fd;

	if (path == NULL)
		return 0;	/* abstract: bind itself says EADDRINUSE */
	if (lstat(path, &st) != 0)
		return errno == ENOENT ? 0 : errno;
	if (!S_ISSOCK(st.st_mode))
		return EEXIST;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return errno;
	if (connect(fd, (const struct sockaddr *)&a->ss, a->len) == 0) {
		close(fd);
		return EADDRINUSE;
	}
	close(fd);
	/* Nobody listens: a stale socket of a server that died. */
	return unlink(path) == 0 ? 0 : errno;
}

/* The configuration part of serving: secret, uids.  0 or an errno. */
static int
server_configure(const struct rump_server_config *cfg, bool isunix)
{
	int error;

	srv.secretlen = 0;
	if (cfg->secret_file != NULL &&
	    (error = sp_secret_load(cfg->secret_file, srv.secret,
	    &srv.secretlen)) != 0) {
		say("secret file %s: %s", cfg->secret_file,
		    error == EINVAL ? "empty or longer than 256 bytes" :
		    strerror(error));
		return error;
	}
	if (!isunix && srv.secretlen == 0 && !cfg->insecure) {
		say("a TCP server needs a shared secret (-k FILE), or -i to "
		    "serve anyone who can connect");
		return EINVAL;
	}
	free(srv.allow);
	srv.allow = NULL;
	srv.nallow = 0;
	if (cfg->nallow_uids > 0) {
		srv.allow = calloc(cfg->nallow_uids, sizeof(uid_t));
		if (srv.allow == NULL)
			return ENOMEM;
		for (unsigned i = 0; i < cfg->nallow_uids; i++)
			srv.allow[i] = (uid_t)cfg->allow_uids[i];
		srv.nallow = cfg->nallow_uids;
	}
	srv.allow_any = cfg->allow_any_uid;
	srv.insecure = cfg->insecure;
	return 0;
}

/* Not serving yet: 0, or EBUSY.  Sets srv.verbose from RUMP_VERBOSE. */
static int
server_idle(void)
{
	const char *v = getenv("RUMP_VERBOSE");

	pthread_mutex_lock(&srv.lock);
	if (srv.running) {
		pthread_mutex_unlock(&srv.lock);
		return EBUSY;
	}
	pthread_mutex_unlock(&srv.lock);
	srv.verbose = v != NULL && *v != '\0' && strcmp(v, "0") != 0;
	return 0;
}

/* Serves the listening socket fd: the accepting thread.  0 or errno. */
static int
server_start(int fd, int inherited)
{
	int error;

	srv.lfd = fd;
	srv.inherited = inherited;
	__atomic_store_n(&srv.running, 1, __ATOMIC_RELEASE);
	if ((error = pthread_create(&srv.acceptor, NULL, accept_main, NULL))
	    != 0) {
		srv.running = 0;
		if (!inherited)
			close(fd);
		srv.lfd = -1;
		return error;
	}
	return 0;
}

int
rump_init_server_config(const char *url,
    const struct rump_server_config *cfg)
{
	struct rump_server_config none;
	int fd, error, one = 1;

	memset(&none, 0, sizeof(none));
	if (cfg == NULL)
		cfg = &none;
	if ((error = server_idle()) != 0)
		return error;
	if ((error = sp_url_parse(url, &srv.addr)) != 0) {
		say("bad URL \"%s\" (unix:///path or tcp://addr:port)",
		    url ? url : "");
		return error;
	}
	if ((error = server_configure(cfg, srv.addr.isunix)) != 0)
		return error;
	if (srv.addr.isunix && (error = unix_prepare(&srv.addr)) != 0) {
		if (error == EADDRINUSE)
			say("%s: a live server already listens there", url);
		else
			say("%s: %s", url, strerror(error));
		return error;
	}
	fd = socket(srv.addr.ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno;
	if (!srv.addr.isunix)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)&srv.addr.ss, srv.addr.len) != 0
	    || listen(fd, 128) != 0) {
		error = errno;
		say("%s: %s", url, strerror(error));
		close(fd);
		return error;
	}
	if ((error = server_start(fd, 0)) != 0)
		return error;
	if (srv.verbose)
		say("serving on %s", url);
	return 0;
}

int
rump_init_server_fd(int fd, const struct rump_server_config *cfg)
{
	struct rump_server_config none;
	int error, type = 0, acc = 0;
	socklen_t len = sizeof(int);
	struct sockaddr_un *sun;

	memset(&none, 0, sizeof(none));
	if (cfg == NULL)
		cfg = &none;
	if ((error = server_idle()) != 0)
		return error;
	memset(&srv.addr, 0, sizeof(srv.addr));
	srv.addr.len = sizeof(srv.addr.ss);
	if (getsockname(fd, (struct sockaddr *)&srv.addr.ss, &srv.addr.len)
	    != 0) {
		error = errno;
		say("inherited socket %d: %s", fd, strerror(error));
		return error;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &acc, &len) != 0 ||
	    type != SOCK_STREAM || !acc || (srv.addr.ss.ss_family != AF_UNIX &&
	    srv.addr.ss.ss_family != AF_INET &&
	    srv.addr.ss.ss_family != AF_INET6)) {
		say("inherited socket %d: not a listening unix or TCP stream "
		    "socket", fd);
		return EINVAL;
	}
	srv.addr.isunix = srv.addr.ss.ss_family == AF_UNIX;
	sun = (struct sockaddr_un *)&srv.addr.ss;
	srv.addr.abstract = srv.addr.isunix && sun->sun_path[0] == '\0';
	if ((error = server_configure(cfg, srv.addr.isunix)) != 0)
		return error;
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	if ((error = server_start(fd, 1)) != 0)
		return error;
	if (srv.verbose)
		say("serving on inherited socket %d%s%s", fd,
		    sp_url_path(&srv.addr) ? " " : "",
		    sp_url_path(&srv.addr) ? sp_url_path(&srv.addr) : "");
	return 0;
}

int
rump_init_server(const char *url)
{
	return rump_init_server_config(url, NULL);
}

/*
 * The gate (rump_server_hold/release): a launcher listens before its
 * command starts and boots the kernel meanwhile; a client that connects
 * early waits for the boot here instead of finding no kernel.
 */
void
rump_server_hold(void)
{
	pthread_mutex_lock(&srv.lock);
	srv.held = 1;
	srv.gate_error = 0;
	pthread_mutex_unlock(&srv.lock);
}

void
rump_server_release(int error)
{
	pthread_mutex_lock(&srv.lock);
	srv.held = 0;
	srv.gate_error = error;
	pthread_cond_broadcast(&srv.gate_cv);
	pthread_mutex_unlock(&srv.lock);
}

int
gate_wait(void)
{
	int error;

	pthread_mutex_lock(&srv.lock);
	while (srv.held && srv.running)
		pthread_cond_wait(&srv.gate_cv, &srv.lock);
	error = srv.running ? srv.gate_error : ESHUTDOWN;
	pthread_mutex_unlock(&srv.lock);
	return error;
}

void
rump_server_shutdown(void)
{
	struct sconn *c;
	struct timespec ts;

	pthread_mutex_lock(&srv.lock);
	if (!srv.running) {
		pthread_mutex_unlock(&srv.lock);
		return;
	}
	__atomic_store_n(&srv.running, 0, __ATOMIC_RELEASE);
	pthread_cond_broadcast(&srv.gate_cv);	/* held ones leave */
	if (srv.inherited)
		pthread_cancel(srv.acceptor);
	else
		shutdown(srv.lfd, SHUT_RDWR);
	pthread_mutex_unlock(&srv.lock);
	pthread_join(srv.acceptor, NULL);
	close(srv.lfd);
	srv.lfd = -1;
	if (!srv.inherited && sp_url_path(&srv.addr) != NULL)
		unlink(sp_url_path(&srv.addr));

	/* Wake every connection; each releases its process on the way out. */
	pthread_mutex_lock(&srv.lock);
	for (c = srv.conns; c != NULL; c = c->next)
		shutdown(c->fd, SHUT_RDWR);
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 2;
	while (srv.nconns > 0)
		if (pthread_cond_timedwait(&srv.idle, &srv.lock, &ts) != 0)
			break;
	pthread_mutex_unlock(&srv.lock);
	reap_forks(0);
}
