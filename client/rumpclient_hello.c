/*
 * rumpclient_hello.c: a connection's handshake (doc/PROTOCOL.md,
 * "Handshake" and "Shared memory"): HELLO and its answer, and the offer
 * of a shared region, sent behind HELLO when the server's flags are known
 * to allow it, so that both cost one round trip.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rumpclient_int.h"

static int
send_frame(int fd, uint16_t type, const void *body, size_t len,
    const void *b2, size_t l2, const void *b3, size_t l3)
{
	struct sp_hdr h = { (uint32_t)(sizeof(h) + len + l2 + l3), type, 0 };
	struct iovec iov[4] = {
		{ &h, sizeof(h) }, { (void *)(uintptr_t)body, len },
		{ (void *)(uintptr_t)b2, l2 }, { (void *)(uintptr_t)b3, l3 },
	};

	return sp_sendv(fd, iov, 4);
}

/* Sends HELLO on c->fd: 0 or errno. */
static int
hello_send(struct rconn *c, uint16_t kind, const uint8_t *cookie)
{
	struct sp_hello h;
	const char *name = program_invocation_short_name;

	memset(&h, 0, sizeof(h));
	h.magic = SP_MAGIC;
	h.version = SP_VERSION;
	h.kind = kind;
	if (cookie != NULL)
		memcpy(h.cookie, cookie, SP_COOKIELEN);
	h.secretlen = (uint16_t)rc.secretlen;
	h.namelen = (uint16_t)strnlen(name, 15);
	return send_frame(c->fd, SP_HELLO, &h, sizeof(h), rc.secret,
	    rc.secretlen, name, h.namelen);
}

/* Reads the answer to HELLO: 0 or errno (EACCES: refused). */
static int
hello_recv(struct rconn *c)
{
	struct sp_welcome w;
	uint16_t type;
	size_t len;
	int error;

	if ((error = sp_recv(c->fd, &c->buf, 4096, &type, &len)) != 0)
		return error;
	if (type == SP_REFUSE) {
		int n = len > 300 ? 300 : (int)len;

		warnx_("the server refused us: %.*s", n,
		    (const char *)c->buf.data);
		return EACCES;
	}
	if (type != SP_WELCOME || len != sizeof(w))
		return EPROTO;
	memcpy(&w, c->buf.data, sizeof(w));
	if (w.version != SP_VERSION)
		return EPROTO;
	c->pid = w.pid;
	c->srvflags = w.flags;
	memcpy(c->token, w.token, SP_COOKIELEN);
	return 0;
}

/*
 * Offers the server a shared region for this connection's frames: on a
 * unix socket, with a CPU to spin on, unless RUMPCLIENT_SHM=0.  true:
 * offered (shm_answer reads the reply).
 */
static bool
shm_offer(struct rconn *c, struct sp_shm *shm)
{
	const char *v = getenv("RUMPCLIENT_SHM");
	struct sp_shmreq req = { SP_SHM_SIZE };
	int mfd, error;

	if (!rc.addr.isunix || (v != NULL && strcmp(v, "0") == 0) ||
	    !sp_shm_useful())
		return false;
	if (sp_shm_create(shm, &mfd) != 0)
		return false;
	error = sp_sendfd(c->fd, SP_SHM, &req, sizeof(req), mfd);
	close(mfd);
	if (error != 0) {
		sp_shm_detach(shm);
		return false;
	}
	return true;
}

/* The server's answer to the offer: the region is used, or let go. */
static void
shm_answer(struct rconn *c, struct sp_shm *shm)
{
	struct sp_replyhdr rh;
	uint16_t type;
	size_t len;

	if (sp_recv(c->fd, &c->buf, 4096, &type, &len) == 0 &&
	    type == SP_REPLY && len == sizeof(rh)) {
		memcpy(&rh, c->buf.data, sizeof(rh));
		if (rh.error == 0) {
			c->shm = *shm;
			return;
		}
	}
	sp_shm_detach(shm);
}

/*
 * The WELCOME flags of the server, once a HELLO learnt them (-1: not
 * yet): a forked child has them in memory, an exec'd image in
 * SRVFLAGS_ENV.  With SP_WELCOME_SHM known, the region's offer goes
 * right behind HELLO, before its answer: the server takes the two in
 * order, and the connection pays one round trip for both.
 */
int srvflags = -1;

/* HELLO of kind on c->fd (and an EXEC one behind it: a forked child's
 * process claimed by the image it exec'd) and the region's offer, then
 * their answers: 0,
 * EAGAIN (a NEW offered too early: the server does not know SHM and will
 * end the connection; dial again), or errno (EACCES: refused). */
int
handshake(struct rconn *c, uint16_t kind, const uint8_t *cookie,
    bool early, bool exec_after)
{
	struct sp_shm shm;
	bool offered = false;
	int error;

	if ((error = hello_send(c, kind, cookie)) == 0 && exec_after)
		error = hello_send(c, SP_KIND_EXEC, NULL);
	if (error == 0) {
		if (early)
			offered = shm_offer(c, &shm);
		error = hello_recv(c);
		if (error == 0 && exec_after)
			error = hello_recv(c);
	}
	if (error == ECONNRESET || error == EPIPE)
		error = ECONNREFUSED;
	if (error == 0 && offered && !(c->srvflags & SP_WELCOME_SHM))
		error = EAGAIN;
	if (error == 0)
		srvflags = c->srvflags;
	if (error == 0 && !offered && (c->srvflags & SP_WELCOME_SHM))
		offered = shm_offer(c, &shm);
	if (offered && error == 0)
		shm_answer(c, &shm);
	else if (offered)
		sp_shm_detach(&shm);
	return error;
}

/* Whether to offer the region early: known to be understood, or a NEW
 * connection, which can be dialled again if it is not. */
bool
offer_early(uint16_t kind)
{
	return srvflags < 0 ? kind == SP_KIND_NEW :
	    (srvflags & SP_WELCOME_SHM) != 0;
}
