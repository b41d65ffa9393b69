/*
 * sp_shm.h: the shared-memory transport of a unix-socket connection
 * (doc/PROTOCOL.md, "Shared memory").  The client hands the server a
 * sealed memfd with SP_SHM; from then on frames are written into it and
 * each side spins briefly for the other's answer before it sleeps on the
 * socket, so a call costs a few cache-line transfers instead of two
 * wake-ups.  The socket stays the connection: it wakes a sleeper (SP_RING),
 * carries frames too big for the region and tells either side when the
 * other one is gone.
 */
#ifndef SP_SHM_H
#define SP_SHM_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "sp_proto.h"

#define SP_SHM_CTL	4096u			/* control page */
#define SP_SHM_ROOM	((256u << 10) + 4096u)	/* one frame: bigger ones go on the socket, where they are faster */
#define SP_SHM_SIZE	(SP_SHM_CTL + SP_SHM_ROOM)

/* Where the frame of a posted request or reply is. */
enum sp_shm_where {
	SP_SHM_INLINE = 1,	/* in the region: len bytes */
	SP_SHM_SOCKET		/* on the socket: read it there */
};

/* The control page.  Each side writes its own cache lines only, except
 * the sleeping flags, which the other side clears when it rings. */
struct sp_shm_ctl {
	_Atomic uint32_t req_seq;	/* client: bumped per request */
	_Atomic uint32_t req_where;
	_Atomic uint32_t req_len;
	uint8_t pad0[52];
	_Atomic uint32_t rep_seq;	/* server: = req_seq when answered */
	_Atomic uint32_t rep_where;
	_Atomic uint32_t rep_len;
	uint8_t pad1[52];
	_Atomic uint32_t srv_sleeping;	/* server: blocked on the socket */
	uint8_t pad2[60];
	_Atomic uint32_t cli_sleeping;	/* client: blocked on the socket */
	uint8_t pad3[60];
	_Atomic uint32_t srv_blocked;	/* server's kernel: the call sleeps
					   (1); the client clears it before
					   each post */
	uint8_t pad4[60];
};

/* SP_SHM body (the memfd travels with it); the answer is a REPLY. */
struct sp_shmreq {
	uint64_t size;		/* SP_SHM_SIZE */
};

/* One end's view of a region. */
struct sp_shm {
	struct sp_shm_ctl *ctl;
	uint8_t *area;		/* SP_SHM_ROOM bytes of frame */
	uint32_t seq;		/* client: last posted; server: last taken */
	uint32_t spin_ns;	/* how long the next wait spins (sp_shm.c) */
	bool viashm;		/* server: the current frame came through it */
	uint8_t *copy;		/* server: private copy of the frame */
};

/* Client: makes a sealed region; *fdp goes to the server with SP_SHM. */
int sp_shm_create(struct sp_shm *s, int *fdp);
/* Server: checks and maps what a client sent (EINVAL: unusable). */
int sp_shm_attach(struct sp_shm *s, int fd);
void sp_shm_detach(struct sp_shm *s);

/* Client: sends the frame iov[0..n) and receives the answer; *body
 * points into the region or into b.  EFAULT: a buffer in the null page
 * or wrapping around, nothing was sent. */
int sp_shm_call(struct sp_shm *s, int fd, struct sp_buf *b,
    struct iovec *iov, int n, uint16_t *type, const uint8_t **body,
    size_t *len);

/* Server: the next frame, from the region or the socket (s->viashm says
 * which); *body is private memory, safe from the client's writes. */
int sp_shm_next(struct sp_shm *s, int fd, struct sp_buf *b,
    uint16_t *type, uint8_t **body, size_t *len);
/* Server: answers the current frame the way it came. */
int sp_shm_reply(struct sp_shm *s, int fd, struct iovec *iov, int n);

/*
 * What the waits of this process's calls came to (RUMPCLIENT_STATS):
 * counted only while sp_shm_counting is set, so that a server's many
 * connection threads never share these lines.
 */
struct sp_shm_stats {
	_Atomic unsigned long posted;	/* requests through the region */
	_Atomic unsigned long spun;	/* ... answered while spinning */
	_Atomic unsigned long slept;	/* sleeps on the socket */
	_Atomic unsigned long rang;	/* RINGs sent to a sleeping server */
	_Atomic unsigned long big;	/* frames too big for the region */
};
extern struct sp_shm_stats sp_shm_stats;
extern bool sp_shm_counting;

/* Whether this machine has a CPU to spin on (more than one usable). */
bool sp_shm_useful(void);

#endif /* SP_SHM_H */
