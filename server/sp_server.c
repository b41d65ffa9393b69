/*
 * sp_server.c: serving a kernel in this process to other processes over
 * the sysproxy protocol (doc/PROTOCOL.md): rump_init_server().
 *
 * One host thread per connection; it holds the connection's lwp, so a
 * call that blocks in the kernel blocks that client only.  A connection
 * of kind NEW or FORK is a new process in the kernel; THREAD connections
 * are further lwps of a process.  This file is a client of the kernel's
 * public API (rump_sys_*, rump_lwproc_*) and not part of the kernel.
 * Listening, accepting and shutting down are in sp_listen.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>

#include "sp_server_int.h"


struct srv_state srv = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.idle = PTHREAD_COND_INITIALIZER,
	.lfd = -1,
	.gate_cv = PTHREAD_COND_INITIALIZER,
};

void
say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("rump_server: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static void
fill_random(uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t r = getrandom(p, n, 0);

		if (r > 0) {
			p += r;
			n -= (size_t)r;
		}
	}
}

/* Answers the current frame the way it came: region or socket. */
static int
conn_send(struct sconn *c, struct iovec *iov, int n)
{
	if (c->shm.ctl != NULL)
		return sp_shm_reply(&c->shm, c->fd, iov, n);
	return sp_sendv(c->fd, iov, n);
}

static void
send_frame(struct sconn *c, uint16_t type, const void *body, size_t len)
{
	struct sp_hdr h = { (uint32_t)(sizeof(h) + len), type, 0 };
	struct iovec iov[2] = {
		{ &h, sizeof(h) }, { (void *)(uintptr_t)body, len },
	};

	(void)conn_send(c, iov, len > 0 ? 2 : 1);
}

static void
refuse(struct sconn *c, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	say("refused a client: %s", msg);
	send_frame(c, SP_REFUSE, msg, strlen(msg));
}

static bool
uid_allowed(uid_t uid)
{
	if (srv.allow_any || uid == 0 || uid == geteuid())
		return true;
	for (unsigned i = 0; i < srv.nallow; i++)
		if (srv.allow[i] == uid)
			return true;
	return false;
}

/* The process of a NEW connection: a child of the local process with an
 * empty descriptor table and the peer's host identity. */
static int
proc_new(struct sconn *c, const char *name)
{
	int error;

	if ((error = rump_lwproc_rfork(RUMP_RFCFDG)) != 0)
		return error;
	if ((error = peer_ids_apply(c)) != 0) {
		rump_lwproc_releaselwp();
		return error;
	}
	(void)rump_proc_execnotify(name);
	return 0;
}

static struct sproc *
sproc_add(pid_t pid, uid_t owner)
{
	struct sproc *p = calloc(1, sizeof(*p));

	if (p == NULL)
		return NULL;
	p->pid = pid;
	p->owner = owner;
	p->kuid = (uid_t)rump_sys_geteuid();
	p->nconns = 1;
	fill_random(p->token, sizeof(p->token));
	pthread_mutex_lock(&srv.lock);
	p->next = srv.procs;
	srv.procs = p;
	pthread_mutex_unlock(&srv.lock);
	return p;
}

static void
sproc_drop(struct sproc *p)
{
	struct sproc **pp;

	pthread_mutex_lock(&srv.lock);
	if (--p->nconns == 0) {
		for (pp = &srv.procs; *pp != NULL; pp = &(*pp)->next) {
			if (*pp == p) {
				*pp = p->next;
				break;
			}
		}
		free(p);
	}
	pthread_mutex_unlock(&srv.lock);
}

/* Releases forked processes nobody claimed in time (all, if now is 0). */
void
reap_forks(time_t now)
{
	struct spfork **pp, *f, *dead = NULL;
	struct lwp *me = rump_lwproc_curlwp();

	pthread_mutex_lock(&srv.lock);
	for (pp = &srv.forks; (f = *pp) != NULL;) {
		if (now == 0 || f->deadline < now) {
			*pp = f->next;
			f->next = dead;
			dead = f;
		} else {
			pp = &f->next;
		}
	}
	pthread_mutex_unlock(&srv.lock);
	while ((f = dead) != NULL) {
		dead = f->next;
		rump_lwproc_switch(f->lwp);
		rump_lwproc_releaselwp();
		free(f);
	}
	rump_lwproc_switch(me);
}

/*
 * Forks the calling thread's kernel process and lists the child under a
 * fresh cookie for owner to claim; the thread stays in its own process.
 * Once listed, the child may be claimed (and its record freed) at once.
 */
static int
fork_publish(uid_t owner, uint8_t *cookie)
{
	struct lwp *me = rump_lwproc_curlwp();
	struct spfork *f = calloc(1, sizeof(*f));
	int error;

	if (f == NULL)
		return ENOMEM;
	if ((error = rump_lwproc_rfork(RUMP_RFFDG)) != 0) {
		free(f);
		return error;
	}
	f->lwp = rump_lwproc_curlwp();
	f->kuid = (uid_t)rump_sys_geteuid();
	rump_lwproc_switch(me);
	f->owner = owner;
	f->deadline = time(NULL) + FORK_TIMEOUT;
	fill_random(cookie, SP_COOKIELEN);
	memcpy(f->cookie, cookie, SP_COOKIELEN);
	pthread_mutex_lock(&srv.lock);
	f->next = srv.forks;
	srv.forks = f;
	pthread_mutex_unlock(&srv.lock);
	return 0;
}

/*
 * For a process that embeds the kernel and forks (the hijack): forks the
 * caller's current kernel process; the host child claims it by connecting
 * with the cookie (RUMPCLIENT__FORKCOOKIE).  0 or an errno.
 */
int
rump_server_prefork(unsigned char cookie[16])
{
	if (!__atomic_load_n(&srv.running, __ATOMIC_ACQUIRE))
		return ENOTCONN;
	return fork_publish(geteuid(), cookie);
}

/* PREFORK: forks the client's process; the child waits for its claim. */
static int
do_prefork(struct sconn *c)
{
	uint8_t cookie[SP_COOKIELEN];
	struct sp_replyhdr rh;
	int error;

	if ((error = fork_publish(c->uid, cookie)) != 0) {
		/* Not a protocol error: the fork fails, the client goes on. */
		memset(&rh, 0, sizeof(rh));
		rh.error = error;
		send_frame(c, SP_REPLY, &rh, sizeof(rh));
		return 0;
	}
	send_frame(c, SP_FORKCOOKIE, cookie, sizeof(cookie));
	return 0;
}

/*
 * A cookie or token admits a peer that is root, that created the process,
 * or whose uid the process has since taken in the kernel (a root program
 * that dropped privileges forks: its child connects as the new uid).
 */
static bool
may_claim(uid_t peer, uid_t owner, uid_t kuid)
{
	return peer == 0 || peer == owner || peer == kuid;
}

static struct lwp *
claim_fork(const uint8_t *cookie, uid_t uid)
{
	struct spfork **pp, *f;
	struct lwp *l = NULL;

	pthread_mutex_lock(&srv.lock);
	for (pp = &srv.forks; (f = *pp) != NULL; pp = &f->next) {
		if (sp_secret_equal(f->cookie, SP_COOKIELEN, cookie,
		    SP_COOKIELEN) && may_claim(uid, f->owner, f->kuid)) {
			*pp = f->next;
			l = f->lwp;
			free(f);
			break;
		}
	}
	pthread_mutex_unlock(&srv.lock);
	return l;
}

static struct sproc *
find_proc(const uint8_t *token, uid_t uid)
{
	struct sproc *p;

	pthread_mutex_lock(&srv.lock);
	for (p = srv.procs; p != NULL; p = p->next) {
		if (sp_secret_equal(p->token, SP_COOKIELEN, token,
		    SP_COOKIELEN) && may_claim(uid, p->owner, p->kuid)) {
			p->nconns++;
			break;
		}
	}
	pthread_mutex_unlock(&srv.lock);
	return p;
}

/* hostids: the process was just given the peer's host identity. */
static void
welcome(struct sconn *c, bool hostids)
{
	struct sp_welcome w;

	memset(&w, 0, sizeof(w));
	w.version = SP_VERSION;
	w.flags = srv.addr.isunix ? SP_WELCOME_SHM : 0;
	if (hostids && peer_ids_exact(c))
		w.flags |= SP_WELCOME_HOSTIDS;
	w.pid = rump_sys_getpid();
	memcpy(w.token, c->proc->token, sizeof(w.token));
	send_frame(c, SP_WELCOME, &w, sizeof(w));
}

/* The first frame: who the client is.  0, or -1 (refused, told why). */
static int
handshake(struct sconn *c, struct sp_buf *b)
{
	struct sp_hello h;
	const uint8_t *secret;
	char name[16];
	uint16_t type;
	size_t len;
	struct lwp *l;
	int error;

	error = sp_recv(c->fd, b, sizeof(struct sp_hdr) + sizeof(h) +
	    SP_MAXSECRET + 256, &type, &len);
	if (error != 0 || type != SP_HELLO ||
	    sp_hello_parse(b->data, len, &h, &secret, name,
	    sizeof(name)) != 0) {
		if (srv.verbose)
			say("a client sent no valid hello (%s)",
			    error ? strerror(error) : "malformed");
		return -1;
	}
	if (h.version != SP_VERSION) {
		refuse(c, "protocol version %u, this server speaks %u",
		    h.version, SP_VERSION);
		return -1;
	}
	if (srv.secretlen > 0 && !sp_secret_equal(srv.secret, srv.secretlen,
	    secret, h.secretlen)) {
		refuse(c, "wrong or missing shared secret");
		return -1;
	}
	if (h.kind == SP_KIND_NEW && !uid_allowed(c->uid)) {
		refuse(c, "uid %u is not served here (the server runs as "
		    "uid %u; see rump_server -u)", (unsigned)c->uid,
		    (unsigned)geteuid());
		return -1;
	}
	switch (h.kind) {
	case SP_KIND_NEW:
		if ((error = proc_new(c, name)) != 0) {
			refuse(c, "no process for the client: %s",
			    strerror(error));
			return -1;
		}
		c->proc = sproc_add(rump_sys_getpid(), c->uid);
		break;
	case SP_KIND_FORK:
		if ((l = claim_fork(h.cookie, c->uid)) == NULL) {
			refuse(c, "unknown or expired fork cookie");
			return -1;
		}
		rump_lwproc_switch(l);
		if ((error = peer_ids_apply(c)) != 0) {
			rump_lwproc_releaselwp();
			refuse(c, "no identity for the child: %s",
			    strerror(error));
			return -1;
		}
		c->proc = sproc_add(rump_sys_getpid(), c->uid);
		break;
	case SP_KIND_THREAD:
		if ((c->proc = find_proc(h.cookie, c->uid)) == NULL ||
		    rump_lwproc_newlwp(c->proc->pid) != 0) {
			if (c->proc != NULL)
				sproc_drop(c->proc);
			c->proc = NULL;
			refuse(c, "unknown process token");
			return -1;
		}
		break;
	default:
		refuse(c, "unknown client kind %u", h.kind);
		return -1;
	}
	if (c->proc == NULL) {
		rump_lwproc_releaselwp();
		refuse(c, "out of memory");
		return -1;
	}
	welcome(c, h.kind != SP_KIND_THREAD);
	return 0;
}

/* After an identity change: who the process is in the kernel now. */
static void
proc_set_kuid(struct sconn *c)
{
	uid_t k = (uid_t)rump_sys_geteuid();

	pthread_mutex_lock(&srv.lock);
	c->proc->kuid = k;
	pthread_mutex_unlock(&srv.lock);
}

/* IDSYNC: the process takes its peer's host identity as it is now. */
static int
do_idsync(struct sconn *c)
{
	struct sp_replyhdr rh;

	memset(&rh, 0, sizeof(rh));
	if ((rh.error = peer_ids_refresh(c)) == 0 &&
	    (rh.error = peer_ids_apply(c)) == 0)
		proc_set_kuid(c);
	send_frame(c, SP_REPLY, &rh, sizeof(rh));
	return 0;
}

/* An exec'd image says hello again on its connection. */
static int
rehello(struct sconn *c, uint8_t *body, size_t len)
{
	struct sp_hello h;
	const uint8_t *secret;
	char name[16];

	if (sp_hello_parse(body, len, &h, &secret, name, sizeof(name)) != 0 ||
	    h.kind != SP_KIND_EXEC)
		return EPROTO;
	/* The new image starts on the socket and offers a region anew;
	 * it may have other ids (a set-user-ID program): the host's. */
	rump_lwproc_blockhint(NULL);
	sp_shm_detach(&c->shm);
	if (peer_ids_refresh(c) != 0 || peer_ids_apply(c) != 0)
		return EPERM;
	proc_set_kuid(c);
	(void)rump_proc_execnotify(name);
	welcome(c, true);
	return 0;
}

/*
 * An ioctl whose argument depends on the socket's family: the layout
 * that came (SP_IOC_INET6 or not) must be the socket's, or the kernel
 * would read one struct as the other (the descriptor changed between the
 * client's question and the call): EINVAL.  The flag goes before the
 * kernel sees the request.
 */
static int
ioctl_family_gate(struct sp_scall *call)
{
	int fam = 0, error;
	socklen_t len = sizeof(fam);
	int64_t ga[5] = { call->args[0], SOL_SOCKET, SO_DOMAIN,
	    (int64_t)(intptr_t)&fam, (int64_t)(intptr_t)&len }, rv;
	bool inet6 = ((uint64_t)call->args[1] & SP_IOC_INET6) != 0;

	error = rump_syscall(RUMP_SYS_getsockopt, ga, 5, &rv);
	call->args[1] = (int64_t)((uint64_t)call->args[1] & ~SP_IOC_INET6);
	if (error != 0)		/* no socket: the kernel answers */
		return inet6 ? (error == EBADF ? EBADF : ENOTTY) : 0;
	return inet6 != (fam == AF_INET6) ? EINVAL : 0;
}

static int
do_syscall(struct sconn *c, uint8_t *body, size_t len)
{
	struct sp_scall call;
	struct iovec *iov;
	uint8_t *meta;
	int64_t rv = 0;
	int error, niov;

	if ((error = sp_scall_decode(&call, body, len)) != 0) {
		sp_scall_free(&call);
		return error;
	}
	error = call.error;
	/* A memory object comes with SP_MAPOBJ, which passes it along: a
	 * host descriptor number of this process means nothing there. */
	if (error == 0 && call.num == RUMP_SYS_prctl && call.nargs >= 1 &&
	    call.args[0] == RUMP_PR_MAPOBJ)
		error = ENODEV;
	if (error == 0 && ident_call(call.num))
		error = ident_gate(c, call.num, call.args, call.nargs);
	if (error == 0 && call.num == RUMP_SYS_ioctl && call.nargs == 3 &&
	    sp_ioctl_famdep((uint64_t)call.args[1]))
		error = ioctl_family_gate(&call);
	if (error == 0)
		error = rump_syscall(call.num, call.args, call.nargs, &rv);
	if (error == 0 && ident_call(call.num))
		proc_set_kuid(c);
	if (sp_scall_reply(&call, rv, error, &iov, &niov, &meta) == 0) {
		error = conn_send(c, iov, niov);
		free(iov);
		free(meta);
	} else {
		error = ENOMEM;
	}
	sp_scall_free(&call);
	return error;
}

/* SHM: the client's region for its frames; answered on the socket. */
static int
do_shm(struct sconn *c, struct sp_buf *b, const uint8_t *body, size_t len)
{
	struct sp_hdr h = { sizeof(h) + sizeof(struct sp_replyhdr), SP_REPLY,
	    0 };
	struct sp_replyhdr rh;
	struct sp_shmreq req;
	struct sp_shm shm;
	struct iovec iov[2] = { { &h, sizeof(h) }, { &rh, sizeof(rh) } };
	int fd = sp_buf_takefd(b);

	memset(&rh, 0, sizeof(rh));
	if (len != sizeof(req))
		rh.error = EINVAL;
	else if (!srv.addr.isunix)
		rh.error = EOPNOTSUPP;
	else if (c->shm.ctl != NULL)
		rh.error = EBUSY;
	else if (fd < 0)
		rh.error = EBADF;
	else {
		memcpy(&req, body, sizeof(req));
		rh.error = req.size != SP_SHM_SIZE ? EINVAL :
		    sp_shm_attach(&shm, fd);
	}
	if (fd >= 0)
		close(fd);
	if (srv.verbose && rh.error != 0)
		say("pid %d: shared region refused: %s",
		    c->proc ? c->proc->pid : -1, strerror(rh.error));
	if (conn_send(c, iov, 2) != 0) {
		if (rh.error == 0)
			sp_shm_detach(&shm);
		return EPIPE;
	}
	if (rh.error == 0) {
		c->shm = shm;
		/* The client stops spinning while a call sleeps. */
		rump_lwproc_blockhint(&c->shm.ctl->srv_blocked);
	}
	return 0;
}

/*
 * MAPOBJ: the kernel checks the client's descriptor and access as mmap
 * does and gives the file's memory object, which goes to the client
 * alongside the REPLY (SCM_RIGHTS); the client maps it.  Only over a
 * unix socket: a client on another host could not share the pages, so
 * TCP answers ENODEV, as Linux does for a file that cannot be mapped.
 * The request came on the socket (never through the region), so the
 * answer goes there too.
 */
static int
do_mapobj(struct sconn *c, const uint8_t *body, size_t len)
{
	struct sp_replyhdr rh;
	struct sp_mapobj m;
	int64_t a[5], rv = -1;
	int error, hfd = -1;

	memset(&rh, 0, sizeof(rh));
	if (len != sizeof(m))
		return EPROTO;
	memcpy(&m, body, sizeof(m));
	if (!srv.addr.isunix)
		rh.error = ENODEV;
	else if (m.zero != 0)
		rh.error = EINVAL;
	else {
		a[0] = RUMP_PR_MAPOBJ;
		a[1] = m.fd;
		a[2] = m.prot;
		a[3] = m.flags;
		a[4] = 0;
		rh.error = rump_syscall(RUMP_SYS_prctl, a, 5, &rv);
		if (rh.error == 0)
			hfd = (int)rv;
	}
	if (hfd < 0) {
		struct sp_hdr h = { sizeof(h) + sizeof(rh), SP_REPLY, 0 };
		struct iovec iov[2] = { { &h, sizeof(h) }, { &rh, sizeof(rh) } };

		return sp_sendv(c->fd, iov, 2);
	}
	error = sp_sendfd(c->fd, SP_REPLY, &rh, sizeof(rh), hfd);
	close(hfd);
	return error;
}

void
conn_unlink(struct sconn *c)
{
	struct sconn **pp;

	pthread_mutex_lock(&srv.lock);
	for (pp = &srv.conns; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	if (--srv.nconns == 0)
		pthread_cond_broadcast(&srv.idle);
	pthread_mutex_unlock(&srv.lock);
}

void *
conn_main(void *arg)
{
	struct sconn *c = arg;
	struct sp_buf b = { .data = NULL };
	struct timeval tv = { HANDSHAKE_TIMEOUT, 0 };
	uint8_t *body;
	uint16_t type;
	size_t len;
	int error = 0;

	if (gate_wait() != 0 || peer_ids_init(c) != 0)
		goto out;
	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	tv.tv_sec = SEND_TIMEOUT;
	setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (handshake(c, &b) != 0)
		goto out;
	tv.tv_sec = 0;
	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	for (;;) {
		if (c->shm.ctl != NULL)
			error = sp_shm_next(&c->shm, c->fd, &b, &type, &body,
			    &len);
		else if ((error = sp_recv(c->fd, &b, SP_MAXFRAME, &type,
		    &len)) == 0)
			body = b.data;
		if (error != 0)
			break;
		switch (type) {
		case SP_SYSCALL:
			error = do_syscall(c, body, len);
			break;
		case SP_PREFORK:
			error = len == 0 ? do_prefork(c) : EPROTO;
			break;
		case SP_HELLO:
			error = rehello(c, body, len);
			break;
		case SP_SHM:
			error = do_shm(c, &b, body, len);
			break;
		case SP_IDSYNC:
			error = len == 0 ? do_idsync(c) : EPROTO;
			break;
		case SP_MAPOBJ:
			error = c->shm.ctl != NULL && c->shm.viashm ? EPROTO :
			    do_mapobj(c, body, len);
			break;
		default:
			error = EPROTO;
			break;
		}
		if (error != 0)
			break;
	}
	if (srv.verbose && error != ECONNRESET)
		say("pid %d: connection ends: %s",
		    c->proc ? c->proc->pid : -1, strerror(error));
	rump_lwproc_blockhint(NULL);
	rump_lwproc_releaselwp();
	sproc_drop(c->proc);
out:
	peer_ids_fini(c);
	sp_shm_detach(&c->shm);
	sp_buf_free(&b);
	close(c->fd);
	conn_unlink(c);
	free(c);
	return NULL;
}
