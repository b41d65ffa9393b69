/*
 * sp_proto.h: the sysproxy wire protocol (doc/PROTOCOL.md), shared by
 * librumpclient and the server.  Every integer is little-endian; every
 * frame starts with struct sp_hdr and its length counts the header.
 */
#ifndef SP_PROTO_H
#define SP_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "sp_systab.h"

#define SP_MAGIC	0x504d5552u	/* "RUMP" */
#define SP_VERSION	1

/* Limits: data of one call, a whole frame, a path, a secret, an iovec. */
#define SP_MAXDATA	(16u << 20)
#define SP_MAXFRAME	(SP_MAXDATA + (64u << 10))
#define SP_MAXPATH	4096u		/* with the NUL: PATH_MAX */
#define SP_MAXSECRET	256u
#define SP_MAXIOV	1024u		/* IOV_MAX */
#define SP_NULLSEG	UINT64_MAX	/* segment length of a NULL pointer */
/* An @iov_out or receive iovec length with this bit: the client cannot
 * write that buffer, so the kernel gets NULL there (EFAULT where it
 * writes, after its own checks, as Linux answers an unmapped buffer). */
#define SP_LEN_FAULT	(UINT64_C(1) << 63)
#define SP_COOKIELEN	16
/* Socket calls (sp_msg.c, doc/PROTOCOL.md "socket arguments"). */
#define SP_MAXVALRES	4096u		/* room of a @valres buffer: the
					   kernel's largest option (SOPT_MAX);
					   an address is at most 128 bytes */
#define SP_MAXNAME	128u		/* sizeof(struct sockaddr_storage) */
#define SP_MAXCONTROL	(64u << 10)	/* msg_controllen that travels */
#define SP_MAXMMSG	1024u		/* UIO_MAXIOV: vlen of *mmsg */

enum sp_type {
	SP_HELLO = 1,		/* client: handshake */
	SP_WELCOME,		/* server: handshake accepted */
	SP_REFUSE,		/* server: handshake refused, with a reason */
	SP_SYSCALL,		/* client: one system call */
	SP_REPLY,		/* server: its result */
	SP_PREFORK,		/* client: about to fork, wants a cookie */
	SP_FORKCOOKIE,		/* server: the cookie the child presents */
	SP_SHM,			/* client: a shared region for frames (sp_shm.h) */
	SP_RING,		/* either: look at the shared region */
	SP_IDSYNC,		/* client: take my host identity (SP_REPLY) */
	SP_MAPOBJ		/* client: a file's memory object (SP_REPLY
				   with the descriptor alongside) */
};

/* SP_MAPOBJ body: mmap's arguments that the kernel checks. */
struct sp_mapobj {
	int32_t fd;		/* the client's kernel descriptor */
	int32_t prot;
	int32_t flags;
	uint32_t zero;
};

/* Client kinds of SP_HELLO. */
enum sp_kind {
	SP_KIND_NEW = 1,	/* a new process in the kernel */
	SP_KIND_FORK,		/* the child of SP_PREFORK: claims cookie */
	SP_KIND_THREAD,		/* another thread of the process of cookie */
	SP_KIND_EXEC		/* same connection, a new image (comm) */
};

struct sp_hdr {
	uint32_t len;		/* whole frame, header included */
	uint16_t type;		/* enum sp_type */
	uint16_t zero;		/* must be 0 */
};

/* SP_HELLO body; then secretlen bytes of secret, then namelen of name. */
struct sp_hello {
	uint32_t magic;
	uint16_t version;
	uint16_t kind;		/* enum sp_kind */
	uint8_t cookie[SP_COOKIELEN];	/* FORK, THREAD */
	uint16_t secretlen;	/* <= SP_MAXSECRET */
	uint16_t namelen;	/* program name, <= 15 used */
	uint32_t zero;
};

/* SP_WELCOME body. */
struct sp_welcome {
	uint16_t version;
	uint16_t flags;		/* SP_WELCOME_*; 0 from older servers */
	int32_t pid;		/* the client's process in the kernel */
	uint8_t token[SP_COOKIELEN];	/* for SP_KIND_THREAD connections */
};

#define SP_WELCOME_SHM	0x0001	/* SP_SHM is understood here */
/* The process holds exactly the host identity the server read of the
 * peer at this HELLO (NEW, FORK, EXEC on a unix socket, /proc readable). */
#define SP_WELCOME_HOSTIDS	0x0002

/* SP_SYSCALL body; then nargs int64 arguments, then the segments. */
struct sp_callhdr {
	uint32_t num;
	uint32_t nargs;
};

/* SP_REPLY body; then the output segments when error is 0. */
struct sp_replyhdr {
	int64_t retval;
	int32_t error;
	uint32_t zero;
};

/* --- sp_wire.c ---------------------------------------------------------- */

/* A receive buffer with read-ahead; data: the body of the last frame
 * (8-byte aligned, valid until the next sp_recv). */
struct sp_buf {
	uint8_t *data;
	uint8_t *mem;
	size_t cap, head, tail;		/* pending bytes: mem[head..tail) */
	int passfd1;			/* a descriptor that came along, + 1 */
};

/* Sends all of iov (n entries); 0 or errno (EPIPE when the peer left). */
/* Fault-safe copies of the caller's buffers (rumpuser/fcopy.h): 0 or
 * EFAULT. */
int sp_fcopy(void *dst, const void *src, size_t len);
int sp_fstrnlen(const char *s, size_t max, size_t *lenp);
int sp_fprobe(void *p, size_t len, int writable);

int sp_sendv(int fd, struct iovec *iov, int n);
/* Sends a frame of type with body and one descriptor alongside. */
int sp_sendfd(int fd, uint16_t type, const void *body, size_t len,
    int passfd);
/* Receives one frame into b; *type and *bodylen (after the header).
 * sp_recv skips SP_RING frames, sp_recv_any returns them too. */
int sp_recv(int fd, struct sp_buf *b, uint32_t maxlen, uint16_t *type,
    size_t *bodylen);
int sp_recv_any(int fd, struct sp_buf *b, uint32_t maxlen, uint16_t *type,
    size_t *bodylen);
/* The descriptor that came with the frames received so far, or -1; the
 * caller owns it.  Descriptors nobody takes are closed by the next one
 * and by sp_buf_free. */
int sp_buf_takefd(struct sp_buf *b);
void sp_buf_free(struct sp_buf *b);
/* Compares without an early exit, so timing tells nothing. */
int sp_secret_equal(const uint8_t *a, size_t alen, const uint8_t *b,
    size_t blen);
/* Reads a secret file (trailing newline dropped); 0 or errno. */
int sp_secret_load(const char *path, uint8_t *buf, size_t *lenp);

/* --- sp_hello.c --------------------------------------------------------- */

/* Parses a SP_HELLO body: copies the fixed part to *h, points *secret at
 * the secret in body, copies the name (at most namesz - 1 bytes, NUL-ended,
 * control characters as '?'); 0, or EPROTO when malformed. */
int sp_hello_parse(uint8_t *body, size_t len, struct sp_hello *h,
    const uint8_t **secret, char *name, size_t namesz);

/* --- sp_msg.c: struct msghdr / mmsghdr arguments ------------------------ */

/* Bits of sp_msgrec.present: which pointers of the msghdr are not NULL. */
#define SP_MSG_NAME	0x1
#define SP_MSG_IOV	0x2
#define SP_MSG_CONTROL	0x4

/* One message in a request segment; its pieces follow (PROTOCOL.md). */
struct sp_msgrec {
	uint32_t namelen;	/* msg_namelen as the caller set it */
	uint32_t present;	/* SP_MSG_* */
	uint64_t iovlen;	/* msg_iovlen as the caller set it */
	uint64_t controllen;	/* msg_controllen as the caller set it */
	uint64_t zero;
};

/* One received message in a reply segment; its pieces follow. */
struct sp_msgres {
	uint32_t namelen;	/* msg_namelen the kernel set */
	uint32_t flags;		/* msg_flags the kernel set */
	uint32_t len;		/* bytes received (the message's msg_len) */
	uint32_t zero;
	uint64_t controllen;	/* msg_controllen the kernel set */
	uint64_t datalen;	/* data bytes that follow */
};

struct sp_creq;
struct sp_scall;

/* Client: plans and encodes the message argument i (num's kind), shrinking
 * the count argument ref of *mmsg to the messages that travel; 0 or errno.
 * The segment goes to r->mseg[i] (r->mseglen[i] bytes, padded). */
int sp_msg_encode(struct sp_creq *r, int i, int ref);
/* Client: copies the reply segment of message argument i out to the
 * caller's structures; false when it is not what the request allows;
 * *fault when a caller's buffer could not take it (EFAULT). */
bool sp_msg_copyout(struct sp_creq *r, int i, int64_t retval,
    const uint8_t *seg, uint64_t n, int *fault);
/* Server: decodes the segment of message argument i into kernel-ready
 * structures (c->args[i]), may shrink the mmsg count argument ref;
 * 0, or the errno the call answers. */
int sp_msg_decode(struct sp_scall *c, int i, int ref, uint8_t *seg,
    uint64_t n);
/* Server: builds the reply segment of message argument i into c->rbuf[i];
 * 0 or ENOMEM. */
int sp_msg_reply(struct sp_scall *c, int i, int64_t retval);

/* --- sp_ioctl.c: ioctl arguments holding pointers (SPA_IFCONF ...) ------ */
/* Client: the request segment of argument i into r->mseg[i]; 0 or errno. */
int sp_ioctlp_encode(struct sp_creq *r, int i);
/* Client: the reply segment out to the caller; false if malformed. */
bool sp_ioctlp_copyout(struct sp_creq *r, int i, const uint8_t *seg,
    uint64_t n);
/* Server: a kernel-ready struct in c->args[i]; 0, EPROTO or ENOMEM. */
int sp_ioctlp_decode(struct sp_scall *c, int i, uint8_t *seg, uint64_t n);
/* Server: the reply segment into c->rbuf[i]; 0 or ENOMEM. */
int sp_ioctlp_reply(struct sp_scall *c, int i);

/* --- sp_marshal.c, sp_marshal_client.c, sp_marshal_server.c ------------ */

/* How an SPA_IOCTL/SPA_FCNTL argument travels for a request/command. */
int sp_ioctl_arg(unsigned long req, uint8_t *kind, uint64_t *size);
/*
 * The requests whose argument depends on the socket's family (SIOCADDRT,
 * SIOCDELRT: struct rtentry or, on AF_INET6, struct in6_rtmsg;
 * SIOCSIFADDR: struct ifreq or struct in6_ifreq; SIOCDIFADDR: AF_INET6
 * only).  On the wire the request of an AF_INET6 socket carries
 * SP_IOC_INET6 (a bit no 32-bit request number has): the client asks the
 * family first, the server checks it (doc/PROTOCOL.md).
 */
#define SP_IOC_INET6	(1ULL << 32)
bool sp_ioctl_famdep(uint64_t req);
int sp_fcntl_arg(int cmd, uint8_t *kind, uint64_t *size);

/* The client half of one call. */
struct sp_creq {
	int num, nargs;
	int64_t args[SP_MAXARGS];
	uint8_t kind[SP_MAXARGS];
	uint64_t size[SP_MAXARGS];
	uint8_t isnull[SP_MAXARGS];	/* an @opt pointer sent as NULL */
	uint64_t iovbytes[SP_MAXARGS];	/* IOV_*: bytes that travel */
	struct iovec *iov;		/* frame pieces: headers and buffers */
	int niov;
	uint8_t *meta;			/* headers, segment lengths, iov lens */
	size_t metalen;
	uint8_t *mseg[SP_MAXARGS];	/* MSG/MMSG: the encoded segment */
	uint64_t mseglen[SP_MAXARGS];
	void *mplan[SP_MAXARGS];	/* ... what each message expects back */
	struct iovec *uiov[SP_MAXARGS];	/* IOV_*: the caller's array, read */
};

/*
 * Builds the request for num(args): 0, or an errno the call answers
 * without leaving the process (EFAULT for NULL, EINVAL, ENAMETOOLONG).
 * May shrink a count argument past SP_MAXDATA into a short transfer.
 */
int sp_creq_build(struct sp_creq *r, int num, const int64_t *args,
    int nargs);
/* Takes the reply body: *retval, and copies the outputs to the caller's
 * buffers; returns the call's errno, or -1 with *proto set on a bad reply. */
int sp_creq_finish(struct sp_creq *r, const uint8_t *body, size_t len,
    int64_t *retval, int *proto);
void sp_creq_free(struct sp_creq *r);

/* The server half: a decoded call whose pointers are server buffers. */
struct sp_scall {
	int num, nargs;
	int64_t args[SP_MAXARGS];
	uint8_t kind[SP_MAXARGS];
	uint64_t size[SP_MAXARGS];
	void *buf[SP_MAXARGS];		/* allocated here (OUT, IOV_OUT) */
	struct iovec *kiov[SP_MAXARGS];	/* IOV_*: the kernel's iovecs */
	void *mplan[SP_MAXARGS];	/* MSG/MMSG: what each message has */
	uint8_t *rbuf[SP_MAXARGS];	/* MSG/MMSG: the reply segment */
	uint64_t rlen[SP_MAXARGS];
	int error;			/* answer without calling: errno */
};

/*
 * Decodes and checks a SP_SYSCALL body.  0: c is ready (or c->error says
 * what to answer); EPROTO: the frame is malformed and the connection
 * must end.  Never reads outside body[0..len).
 */
int sp_scall_decode(struct sp_scall *c, const uint8_t *body, size_t len);
/* Builds the reply frame of a decoded call after it ran. */
int sp_scall_reply(struct sp_scall *c, int64_t retval, int error,
    struct iovec **iovp, int *niovp, uint8_t **metap);
void sp_scall_free(struct sp_scall *c);

#endif /* SP_PROTO_H */
