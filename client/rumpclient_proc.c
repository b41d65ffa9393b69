/*
 * rumpclient_proc.c: processes of a remote client: fork (the child claims
 * a copy of its process with a cookie), exec (the calling thread's
 * connection goes on into the new image) and explicit processes and lwps,
 * as rump_lwproc_* does for a local kernel (doc/PROTOCOL.md).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rump/rumpclient.h>

#include "rumpclient_int.h"

static int
prefork(struct rconn *c, uint8_t *cookie)
{
	struct sp_hdr h = { sizeof(h), SP_PREFORK, 0 };
	struct iovec iov = { &h, sizeof(h) };
	const uint8_t *body;
	uint16_t type;
	size_t len;
	int error;

	error = roundtrip(c, &iov, 1, &type, &body, &len);
	if (error == 0 && type == SP_REPLY && len == sizeof(struct sp_replyhdr)) {
		struct sp_replyhdr rh;

		/* The server could not fork the process (EAGAIN, ENOMEM). */
		memcpy(&rh, body, sizeof(rh));
		if (rh.error > 0)
			return rh.error;
	}
	if (error != 0 || type != SP_FORKCOOKIE || len != SP_COOKIELEN)
		return lost(c);
	memcpy(cookie, body, SP_COOKIELEN);
	return 0;
}

int
rumpclient_syncids(void)
{
	struct sp_hdr h = { sizeof(h), SP_IDSYNC, 0 };
	struct iovec iov = { &h, sizeof(h) };
	struct sp_replyhdr rh;
	const uint8_t *body;
	struct rconn *c;
	uint16_t type;
	size_t len;
	int error;

	if ((error = thread_conn(&c)) == 0 &&
	    (error = roundtrip(c, &iov, 1, &type, &body, &len)) == 0) {
		if (type != SP_REPLY || len != sizeof(rh)) {
			error = lost(c);
		} else {
			memcpy(&rh, body, sizeof(rh));
			error = rh.error;
		}
	}
	if (error != 0) {
		errno = error;
		return -1;
	}
	return 0;
}

/*
 * A host descriptor of the memory object of kernel file fd, to mmap with
 * prot and flags (MAP_SHARED): the request goes on the socket, not
 * through the shared region, since the answer brings a descriptor along
 * (doc/PROTOCOL.md, MAPOBJ).  -1 and errno: the kernel's EACCES or
 * ENODEV, ENODEV over TCP.
 */
int
rumpclient_mapobj(int fd, int prot, int flags)
{
	struct sp_mapobj m = { fd, prot, flags, 0 };
	struct sp_hdr h = { sizeof(h) + sizeof(m), SP_MAPOBJ, 0 };
	struct iovec iov[2] = { { &h, sizeof(h) }, { &m, sizeof(m) } };
	struct sp_replyhdr rh;
	struct rconn *c;
	uint16_t type;
	size_t len;
	int error, hfd = -1;

	if ((error = thread_conn(&c)) == 0 &&
	    (error = sp_sendv(c->fd, iov, 2)) == 0 &&
	    (error = sp_recv(c->fd, &c->buf, SP_MAXFRAME, &type,
	    &len)) == 0) {
		if (type != SP_REPLY || len != sizeof(rh)) {
			error = lost(c);
		} else {
			memcpy(&rh, c->buf.data, sizeof(rh));
			hfd = sp_buf_takefd(&c->buf);
			error = rh.error;
			if (error == 0 && hfd < 0)
				error = EPROTO;
		}
	}
	if (error != 0) {
		if (hfd >= 0)
			close(hfd);
		errno = error;
		return -1;
	}
	return hfd;
}

/* lazy: the child claims its process at its first call, or in the image
 * it execs (rumpclient_vfork). */
static pid_t
fork_as(bool lazy)
{
	uint8_t cookie[SP_COOKIELEN];
	struct rconn *c, *n, *mine;
	pid_t pid;
	int error;

	if ((error = thread_conn(&c)) != 0 || (error = prefork(c, cookie)) != 0) {
		errno = error;
		return -1;
	}
	pthread_mutex_lock(&rc.lock);
	pid = fork();
	if (pid != 0) {
		pthread_mutex_unlock(&rc.lock);
		return pid;	/* an unclaimed cookie expires on the server */
	}
	/* The child: the parent's connections are not ours. */
	mine = rc.conns;
	rc.conns = NULL;
	rc.idle = NULL;
	rc.nidle = 0;
	pthread_mutex_unlock(&rc.lock);
	for (; mine != NULL; mine = n) {
		n = mine->next;
		close(mine->fd);
		sp_buf_free(&mine->buf);
		sp_shm_detach(&mine->shm);
		free(mine);
	}
	tconn = NULL;
	pthread_setspecific(rc.key, NULL);
	memcpy(rc.pcookie, cookie, SP_COOKIELEN);
	rc.pending = true;
	if (!lazy)
		(void)claim_pending();
	return 0;
}

pid_t
rumpclient_fork(void)
{
	return fork_as(false);
}

pid_t
rumpclient_vfork(void)
{
	return fork_as(true);
}

/* --- explicit processes, as rump_lwproc_* does for a local kernel ---------- */

int
rumpclient_lwproc_rfork(int flags)
{
	uint8_t cookie[SP_COOKIELEN];
	struct rconn *c, *nc;
	int error;

	if (flags != RUMPCLIENT_RFFDG && flags != RUMPCLIENT_RFCFDG)
		return EINVAL;
	if ((error = thread_conn(&c)) != 0)
		return error;
	if (flags == RUMPCLIENT_RFCFDG)
		return connect_as(SP_KIND_NEW, NULL, false, &nc);
	if ((error = prefork(c, cookie)) != 0)
		return error;
	return connect_as(SP_KIND_FORK, cookie, false, &nc);
}

int
rumpclient_lwproc_newlwp(pid_t pid)
{
	struct rconn *c, *nc;
	uint8_t token[SP_COOKIELEN];
	int error;

	if ((error = thread_conn(&c)) != 0)
		return error;
	error = ESRCH;
	pthread_mutex_lock(&rc.lock);
	for (c = rc.conns; c != NULL; c = c->next) {
		if (c->pid == pid) {
			memcpy(token, c->token, SP_COOKIELEN);
			error = 0;
			break;
		}
	}
	pthread_mutex_unlock(&rc.lock);
	if (error != 0)
		return error;
	return connect_as(SP_KIND_THREAD, token, false, &nc);
}

void *
rumpclient_lwproc_curlwp(void)
{
	return tconn;
}

void
rumpclient_lwproc_switch(void *l)
{
	pthread_once(&key_once, make_key);
	tconn = l;
	pthread_setspecific(rc.key, l);
}

void
rumpclient_lwproc_releaselwp(void)
{
	struct rconn *c = tconn;

	if (c == NULL)
		return;
	rumpclient_lwproc_switch(NULL);
	conn_release(c);
}

/* One of the variables rumpclient_exec sets for the next image. */
static bool
private_var(const char *v)
{
	static const char *const names[] = { EXECFD_ENV, SRVFLAGS_ENV,
	    FORKCOOKIE_ENV, FORKEXEC_ENV };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		size_t l = strlen(names[i]);

		if (strncmp(v, names[i], l) == 0 && v[l] == '=')
			return true;
	}
	return false;
}

int
rumpclient_exec(const char *path, char *const argv[], char *const envp[])
{
	struct rconn *c = NULL;
	char var[64], fvar[64], xvar[64], **nenv;
	bool pending = rc.pending;
	size_t n = 0, k = 0;
	int error;

	/* Unclaimed (a vfork child): the new image claims it, with an EXEC
	 * HELLO behind; otherwise the connection goes on into it. */
	if (!pending && (error = thread_conn(&c)) != 0) {
		errno = error;
		return -1;
	}
	while (envp != NULL && envp[n] != NULL)
		n++;
	if ((nenv = calloc(n + 4, sizeof(*nenv))) == NULL)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!private_var(envp[i]))
			nenv[k++] = envp[i];
	if (pending) {
		int m = snprintf(var, sizeof(var), "%s=", FORKCOOKIE_ENV);

		for (int i = 0; i < SP_COOKIELEN; i++)
			m += snprintf(var + m, sizeof(var) - (size_t)m, "%02x",
			    rc.pcookie[i]);
		snprintf(xvar, sizeof(xvar), "%s=1", FORKEXEC_ENV);
		nenv[k++] = xvar;
	} else {
		snprintf(var, sizeof(var), "%s=%d", EXECFD_ENV, c->fd);
	}
	nenv[k++] = var;
	if (srvflags >= 0) {
		snprintf(fvar, sizeof(fvar), "%s=%d", SRVFLAGS_ENV, srvflags);
		nenv[k++] = fvar;
	}
	nenv[k] = NULL;
	if (c != NULL)
		fcntl(c->fd, F_SETFD, 0);
	execve(path, argv, nenv);
	error = errno;
	if (c != NULL)
		fcntl(c->fd, F_SETFD, FD_CLOEXEC);
	free(nenv);
	/* This image goes on (and exits soon): its process must be held by
	 * a connection, so that its exit releases what it holds. */
	if (pending)
		(void)claim_pending();
	errno = error;
	return -1;
}
