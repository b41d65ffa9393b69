/*
 * sp_server_int.h: what sp_server.c (connections, handshake, calls)
 * shares with sp_listen.c (the listening socket, accepting, shutdown).
 * Nothing here leaves librumpserver (rumpserver.map).
 */
#ifndef SP_SERVER_INT_H
#define SP_SERVER_INT_H

#include <pthread.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "sp_proto.h"
#include "sp_shm.h"
#include "sp_url.h"

#define HANDSHAKE_TIMEOUT	10	/* seconds to say hello */
#define SEND_TIMEOUT		30	/* a client that stops reading */
#define FORK_TIMEOUT		60	/* a forked child must claim by then */
#define MAXGROUPS		64

/* A process in the kernel that connections may join (THREAD). */
struct sproc {
	struct sproc *next;
	pid_t pid;
	uid_t owner;			/* the peer uid that created it */
	uint8_t token[SP_COOKIELEN];
	int nconns;
};

/* A forked child's process, waiting for its connection. */
struct spfork {
	struct spfork *next;
	uint8_t cookie[SP_COOKIELEN];
	struct lwp *lwp;
	uid_t owner;
	time_t deadline;
};

struct sconn {
	struct sconn *next;
	int fd;
	uid_t uid;			/* from SO_PEERCRED (TCP: 0) */
	gid_t gid;
	gid_t groups[MAXGROUPS];
	int ngroups;
	struct sproc *proc;
	struct sp_shm shm;		/* ctl != NULL: the client's region */
};

struct srv_state {
	pthread_mutex_t lock;
	pthread_cond_t idle;		/* nconns dropped to 0 */
	int running;
	int lfd;
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
};

extern struct srv_state srv;

void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Drops the forked processes nobody claimed by now (0: all of them). */
void reap_forks(time_t now);
/* A connection's thread: handshake, then its calls until it ends. */
void *conn_main(void *arg);
/* Takes c off srv.conns (wakes shutdown when it was the last). */
void conn_unlink(struct sconn *c);

#endif /* SP_SERVER_INT_H */
