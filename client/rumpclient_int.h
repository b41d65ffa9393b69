/*
 * rumpclient_int.h: what rumpclient.c (connections, calls) shares with
 * rumpclient_hello.c (the handshake) and rumpclient_proc.c (fork, exec,
 * explicit processes).  Nothing here leaves
 * the library (rumpclient.map).
 */
#ifndef RUMPCLIENT_INT_H
#define RUMPCLIENT_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "sp_proto.h"
#include "sp_shm.h"
#include "sp_url.h"

#define EXECFD_ENV	"RUMPCLIENT__EXECFD"
#define FORKCOOKIE_ENV	"RUMPCLIENT__FORKCOOKIE"
#define FORKEXEC_ENV	"RUMPCLIENT__FORKEXEC"	/* the cookie's child exec'd */
#define SRVFLAGS_ENV	"RUMPCLIENT__SRVFLAGS"	/* WELCOME flags, once known */

struct rconn {
	struct rconn *next;
	int fd;
	struct sp_buf buf;
	struct sp_shm shm;		/* ctl != NULL: frames go through it */
	uint16_t srvflags;		/* SP_WELCOME_* */
	pid_t pid;			/* its process in the kernel */
	uint8_t token[SP_COOKIELEN];	/* ... and that process's token */
	bool own;			/* an lwp of this process's own process */
	struct rconn *idle_next;	/* on rc.idle */
};

enum retry { RETRY_NONE, RETRY_DIE, RETRY_ONCE, RETRY_INF, RETRY_SECS };

struct rc_state {
	pthread_mutex_t lock;
	bool inited;
	struct sp_addr addr;
	uint8_t secret[SP_MAXSECRET];
	size_t secretlen;
	pid_t pid;
	uint8_t token[SP_COOKIELEN];
	int procinfo;			/* RUMPCLIENT_KEPT, _HOSTIDS */
	bool pending;			/* a vfork child: process unclaimed */
	uint8_t pcookie[SP_COOKIELEN];	/* ... under this cookie */
	struct rconn *conns;
	struct rconn *idle;		/* own connections of exited threads */
	int nidle;
	enum retry retry;
	long retrysecs;
	pthread_key_t key;
};


extern struct rc_state rc;
extern int srvflags;			/* the server's WELCOME flags; -1 */
extern __thread struct rconn *tconn;	/* this thread's connection */
extern pthread_once_t key_once;		/* rc.key, made by make_key */

void warnx_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void make_key(void);
/* Ends an lwp and waits until the server has released it. */
void conn_release(struct rconn *c);
/* rumpclient_hello.c: the handshake of kind on c->fd (exec_after: an
 * EXEC HELLO behind it; early: the region offered behind HELLO): 0,
 * EAGAIN (dial again without early) or errno (EACCES: refused); and
 * whether a connection of kind may offer early. */
int handshake(struct rconn *c, uint16_t kind, const uint8_t *cookie,
    bool early, bool exec_after);
bool offer_early(uint16_t kind);
/* A rumpclient_vfork child claims its process now: 0 or errno. */
int claim_pending(void);
/* A new connection of kind for this thread; main: the process's own. */
int connect_as(uint16_t kind, const uint8_t *cookie, bool main,
    struct rconn **cp);
/* This thread's connection, made on first use; 0 or an errno. */
int thread_conn(struct rconn **cp);
/* One frame out, its answer back: through the region or the socket. */
int roundtrip(struct rconn *c, struct iovec *iov, int n, uint16_t *type,
    const uint8_t **body, size_t *len);
/* The server went away under c: what RUMPHIJACK_RETRYCONNECT says. */
int lost(struct rconn *c);

/* RUMPCLIENT_STATS (rumpclient_stats.c): stats_on says it is set. */
extern bool stats_on;
void stats_init(void);
uint64_t stats_now(void);
void stats_call(int num, uint64_t ns);

#endif /* RUMPCLIENT_INT_H */
