/*
 * sp_server_int.h: what sp_server.c (connections, handshake, calls)
 * shares with sp_listen.c (the listening socket, accepting, shutdown).
 * Nothing here leaves librumpserver (rumpserver.map).
 */
#ifndef SP_SERVER_INT_H
#define SP_SERVER_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "sp_proto.h"
#include "sp_shm.h"
#include "sp_url.h"

#define HANDSHAKE_TIMEOUT	10	/* seconds to say hello */
#define SEND_TIMEOUT		30	/* a client that stops reading */
#define FORK_TIMEOUT		60	/* a forked child must claim by then */
#define MAXGROUPS		256	/* more are dropped: fewer rights */

/* A host identity: real, effective, saved, fs ids; groups. */
struct peer_ids {
	unsigned uid[4];
	unsigned gid[4];
	unsigned groups[MAXGROUPS];
	int ngroups;
};

/* A process in the kernel that connections may join (THREAD). */
struct sproc {
	struct sproc *next;
	pid_t pid;
	uid_t owner;			/* the peer uid that created it */
	uid_t kuid;			/* its effective uid in the kernel */
	uint8_t token[SP_COOKIELEN];
	int nconns;
};

/* A forked child's process, waiting for its connection. */
struct spfork {
	struct spfork *next;
	uint8_t cookie[SP_COOKIELEN];
	struct lwp *lwp;
	uid_t owner;
	uid_t kuid;			/* the child's effective uid in the kernel */
	time_t deadline;
};

struct sconn {
	struct sconn *next;
	int fd;
	uid_t uid;			/* SO_PEERCRED's (TCP: the server's) */
	pid_t pid;			/* SO_PEERCRED's (TCP: 0) */
	int pidfd;			/* pins pid; -1: ids not re-readable */
	struct peer_ids ids;		/* its host identity (sp_ident.c) */
	struct sproc *proc;
	struct sp_shm shm;		/* ctl != NULL: the client's region */
};

struct srv_state {
	pthread_mutex_t lock;
	pthread_cond_t idle;		/* nconns dropped to 0 */
	int running;
	int lfd;
	int inherited;			/* lfd was given: not ours to unlink */
	struct sp_addr addr;
	pthread_t acceptor;
	struct sconn *conns;
	int nconns;
	struct sproc *procs;
	struct spfork *forks;
	uint8_t secret[SP_MAXSECRET];
	size_t secretlen;
	int insecure;
	uid_t *allow;
	unsigned nallow;
	int allow_any;
	int verbose;
	/* rump_server_hold: connections wait in conn_main until release. */
	pthread_cond_t gate_cv;
	int held;
	int gate_error;			/* release's: nonzero closes them */
};

extern struct srv_state srv;

void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Drops the forked processes nobody claimed by now (0: all of them). */
void reap_forks(time_t now);
/* A connection's thread: handshake, then its calls until it ends. */
void *conn_main(void *arg);
/* Takes c off srv.conns (wakes shutdown when it was the last). */
void conn_unlink(struct sconn *c);
/* Waits while the server is held: 0, or release's errno. */
int gate_wait(void);

/* sp_ident.c: a peer's host identity (at accept, c->fd set), and the
 * rule for identity calls. */
int peer_ids_init(struct sconn *c);
void peer_ids_fini(struct sconn *c);
int peer_ids_refresh(struct sconn *c);
int peer_ids_apply(const struct sconn *c);
/* Whether c->ids is the peer's whole host identity, read from /proc. */
bool peer_ids_exact(const struct sconn *c);
bool ident_call(int num);
int ident_gate(struct sconn *c, int num, int64_t *args, int nargs);

#endif /* SP_SERVER_INT_H */
