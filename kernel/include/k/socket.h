/*
 * socket.h: the socket layer and what protocols plug into it
 * (net/uipc_socket.c, uipc_sockbuf.c, uipc_domain.c, sys_socket.c).
 *
 * A socket is the kernel object behind a DTYPE_SOCKET file.  The socket
 * layer owns the system calls, the descriptor, the socket buffers, the
 * generic options (SOL_SOCKET), the listen queues and all blocking; a
 * protocol (a struct protosw of a struct domain) owns its protocol control
 * block (so_pcb) and moves data in and out of the socket buffers.
 *
 * Locking: so_lock (a pointer: a protocol may make connected sockets share
 * one, as AF_UNIX pairs do; otherwise it points at so_lockstore) covers the
 * socket, both sockbufs and the pcb.  Every pr_usrreqs function is called
 * with so_lock held and returns with it held; it may drop and retake it
 * only where its comment says so.  Protocol input (packets, timers) takes
 * so_lock of the socket it delivers to before calling sbappend* or the
 * so*() state functions below.  A listening socket's lock is taken before
 * the lock of a socket on its queues.  Lock order: so_lock (for AF_UNIX
 * the one unp_lock), then vfs_giant (AF_UNIX path names: vfs never takes a
 * socket lock), then protocol-global locks (port tables).
 *
 * Packets sent to a local interface (loopback) are never delivered by
 * recursion: they are queued (netisr_enqueue) and netisr_run() delivers
 * them on the calling thread, with no socket lock held.  The socket layer
 * calls netisr_run() after every protocol request it made; callouts call it
 * after their handler.  So a send over loopback is processed in the
 * sender's own thread, without a thread switch, and never under its lock.
 */
#ifndef K_SOCKET_H
#define K_SOCKET_H

#include "k/kernel.h"
#include "k/file.h"
#include "k/mbuf.h"

struct socket;
struct sockopt;

/*
 * A socket buffer: a queue of records (m_nextpkt), each a chain (m_next)
 * of optional MT_SONAME and MT_CONTROL mbufs followed by data.  A stream
 * socket's receive and send buffers are one record of data.
 */
struct sockbuf {
	struct mbuf *sb_mb;		/* first record */
	struct mbuf *sb_mbtail;		/* last mbuf of the last record */
	struct mbuf *sb_lastrecord;	/* first mbuf of the last record */
	size_t sb_cc;			/* data bytes (not names or control) */
	size_t sb_ctl;			/* control and name bytes */
	size_t sb_hiwat;		/* SO_RCVBUF / SO_SNDBUF, as Linux stores it */
	size_t sb_lowat;		/* SO_RCVLOWAT / SO_SNDLOWAT */
	int64_t sb_timeo;		/* SO_RCVTIMEO / SO_SNDTIMEO in ns, 0: none */
	int sb_flags;			/* SB_* */
	kcondvar_t sb_cv;		/* readers or writers of this buffer sleep */
	struct selinfo sb_sel;		/* pollers and epoll of this direction */
	unsigned int sb_wakes;		/* wake-ups so far (atomic): sbspin */
	uint8_t sb_spinmiss;		/* sbspin: spins in a row that failed */
	uint8_t sb_spinskip;		/* sbspin: waits left to sleep at once */
};
#define SB_AUTOSIZE	0x01		/* size not set by the user: may grow */
#define SB_LOCKED	0x02		/* one reader/writer at a time (sblock) */
#define SB_WANT		0x04		/* someone waits for SB_LOCKED */

/* Room left for data in sb (0 if none). */
static inline size_t
sbspace(const struct sockbuf *sb)
{
	size_t used = sb->sb_cc + sb->sb_ctl;

	return used >= sb->sb_hiwat ? 0 : sb->sb_hiwat - used;
}

/*
 * Socket-buffer operations (uipc_sockbuf.c), with so_lock held.  The
 * append functions take ownership of their chains; on ENOBUFS/ENOMEM they
 * free them.  None of them checks sbspace: the protocol decides.
 */
void sbappendstream(struct sockbuf *sb, struct mbuf *m);	/* one record */
void sbappendrecord(struct sockbuf *sb, struct mbuf *m);	/* a new record */
/* A datagram from asa (copied), with control (may be NULL): 0 or ENOBUFS. */
int sbappendaddr(struct sockbuf *sb, const struct sockaddr *asa,
    socklen_t salen, struct mbuf *m, struct mbuf *control);
/* A record of control then data (AF_UNIX stream with SCM_RIGHTS). */
int sbappendcontrol(struct sockbuf *sb, struct mbuf *m, struct mbuf *control);
/* Drops len data bytes from the front (TCP on ACK, readers). */
void sbdrop(struct sockbuf *sb, size_t len);
/* Drops the first record. */
void sbdroprecord(struct sockbuf *sb);
/* Frees everything in sb. */
void sbflush(struct sockbuf *sb);
/* Wakes whoever waits on sb (its sleepers, pollers and spinners). */
void sbwakeup(struct sockbuf *sb, int events);
/* Before sleeping on sb, with so_lock held: with more than one virtual
 * CPU, drops the lock and spins a few microseconds for a wake-up; true
 * if one came (the lock is held again either way; recheck). */
bool sbspin(struct socket *so, struct sockbuf *sb);
/* Sets sb_hiwat: EINVAL/ENOBUFS per Linux's rules for SO_*BUF. */
int sbreserve(struct sockbuf *sb, size_t cc);

/* so_state */
#define SS_ISCONNECTED		0x0001
#define SS_ISCONNECTING		0x0002
#define SS_ISDISCONNECTING	0x0004
#define SS_ISDISCONNECTED	0x0008	/* was connected, is no longer */
#define SS_CANTSENDMORE		0x0010	/* shutdown(SHUT_WR) or peer reset */
#define SS_CANTRCVMORE		0x0020	/* EOF received or shutdown(SHUT_RD) */
#define SS_RCVATMARK		0x0040
#define SS_NBIO			0x0080	/* O_NONBLOCK, mirrored from the file */
#define SS_ISBOUND		0x0100
#define SS_NOFDREF		0x0200	/* no descriptor: freed when detached */
#define SS_ISCONFIRMING		0x0400
#define SS_FREED		0x0800	/* on the free list: never queued twice */
#define SS_CONNPENDING		0x1000	/* connect said EINPROGRESS: the next
					 * connect reports how it ended */

/* so_options: SO_* flags kept as bits */
#define SOF_DEBUG		0x0001
#define SOF_ACCEPTCONN		0x0002	/* listening */
#define SOF_REUSEADDR		0x0004
#define SOF_KEEPALIVE		0x0008
#define SOF_DONTROUTE		0x0010
#define SOF_BROADCAST		0x0020
#define SOF_LINGER		0x0080
#define SOF_OOBINLINE		0x0100
#define SOF_REUSEPORT		0x0200
#define SOF_TIMESTAMP		0x0400
#define SOF_PASSCRED		0x0800
#define SOF_NOCHECK		0x1000

TAILQ_HEAD(soqhead, socket);

struct socket {
	kmutex_t *so_lock;		/* see the locking rule above */
	kmutex_t so_lockstore;
	short so_type;			/* SOCK_STREAM, SOCK_DGRAM ... */
	int so_options;			/* SOF_* */
	int so_state;			/* SS_* */
	int so_error;			/* pending error, returned by SO_ERROR */
	int so_linger;			/* SO_LINGER seconds */
	int so_priority;		/* SO_PRIORITY */
	uint32_t so_mark;		/* SO_MARK */
	const struct protosw *so_proto;
	void *so_pcb;			/* the protocol's */
	struct kauth_cred *so_cred;	/* creator's, referenced */
	pid_t so_cpid;			/* creator's pid (SO_PEERCRED) */

	/* Listening: connections not yet accepted. */
	struct socket *so_head;		/* listener this one is queued on */
	struct soqhead so_q0;		/* incomplete (handshake running) */
	struct soqhead so_q;		/* complete, for accept() */
	int so_q0len, so_qlen, so_qlimit;
	TAILQ_ENTRY(socket) so_qe;	/* on so_head's so_q0 or so_q */
	kcondvar_t so_cv;		/* accept and connect sleep here */

	struct sockbuf so_rcv, so_snd;
	int so_refs;			/* holds besides the file (so_lock) */

	/* Added by the layer (net-core): */
	uint64_t so_ino;		/* fstat's st_ino */
	uid_t so_uid;			/* creator's euid and egid (fstat) */
	gid_t so_gid;
	struct socket *so_zombie;	/* on the free list (uipc_socket.c) */
};

/*
 * Takes so_lock, following it if it changes while waiting (an accepted
 * socket leaves its listener's lock for its own): protocol input that
 * finds a socket through its pcb uses this, not mutex_enter(so->so_lock).
 */
void solock(struct socket *so);
void sounlock(struct socket *so);

/* --- protocols ----------------------------------------------------------- */
/*
 * The requests a protocol answers (NetBSD's pr_usrreqs).  All with so_lock
 * held; 0 or an errno.  A NULL entry answers EOPNOTSUPP.  Addresses come
 * in already copied from the client and checked to be at least as long as
 * the family's sa_family field; the protocol checks the rest (EINVAL,
 * EAFNOSUPPORT as Linux does).
 */
struct pr_usrreqs {
	/* A new socket: allocate so_pcb, reserve buffers.  proto as given to
	 * socket() (0 = the default).  On error the socket is freed. */
	int (*pr_attach)(struct socket *so, int proto);
	/* The socket goes away (last close, after pr_disconnect if
	 * connected): free or orphan so_pcb (TCP keeps it for TIME_WAIT). */
	void (*pr_detach)(struct socket *so);
	int (*pr_bind)(struct socket *so, const struct sockaddr *sa,
	    socklen_t len);
	int (*pr_listen)(struct socket *so, int backlog);
	/* Starts (stream) or sets (datagram) the peer; EINPROGRESS is not
	 * used here: the layer sleeps on SS_ISCONNECTING itself. */
	int (*pr_connect)(struct socket *so, const struct sockaddr *sa,
	    socklen_t len);
	/* Connects two fresh sockets of this protocol (socketpair). */
	int (*pr_connect2)(struct socket *so, struct socket *so2);
	int (*pr_disconnect)(struct socket *so);
	/* SHUT_WR was requested: SS_CANTSENDMORE is already set. */
	int (*pr_shutdown)(struct socket *so);
	/* Drop the connection now (a non-accepted socket being freed). */
	void (*pr_abort)(struct socket *so);
	/* The address of the peer / of this end, into *sa (*lenp: in the
	 * room, out the address's length, as getpeername). */
	int (*pr_peeraddr)(struct socket *so, struct sockaddr *sa,
	    socklen_t *lenp);
	int (*pr_sockaddr)(struct socket *so, struct sockaddr *sa,
	    socklen_t *lenp);
	/* An accepted socket taken off the queue: its peer's address. */
	int (*pr_accept)(struct socket *so, struct sockaddr *sa,
	    socklen_t *lenp);
	/*
	 * Data to send, owned by the protocol from now on: m (may be NULL for
	 * a zero-length datagram), the destination sa (NULL if none given),
	 * control (MT_CONTROL cmsgs, may be NULL), flags MSG_*.  The layer
	 * has checked sbspace for stream sockets and the message size against
	 * sb_hiwat for datagram ones.
	 */
	int (*pr_send)(struct socket *so, struct mbuf *m,
	    const struct sockaddr *sa, socklen_t salen, struct mbuf *control,
	    int flags);
	int (*pr_sendoob)(struct socket *so, struct mbuf *m);
	/* The reader took data out of so_rcv (window updates). */
	void (*pr_rcvd)(struct socket *so, int flags);
	/* Protocol ioctls (SIOCOUTQ ...): data is the client pointer. */
	int (*pr_ioctl)(struct socket *so, unsigned long cmd, void *data);
	/* Options of levels other than SOL_SOCKET, and SOL_SOCKET ones the
	 * layer passes on (so the protocol sees SO_KEEPALIVE ...).  ENOPROTOOPT
	 * for unknown ones. */
	int (*pr_ctloutput)(int op, struct socket *so, struct sockopt *sopt);
	/* Extra poll events (POLLPRI for urgent data, POLLERR for queued
	 * errors ...), may be NULL. */
	int (*pr_poll)(struct socket *so, int events);
	/*
	 * recvmsg(MSG_ERRQUEUE): takes the first record of the error queue:
	 * its data (*datap, may be NULL), its cmsgs (*controlp, an MT_CONTROL
	 * chain) and the address it is about (*from, *fromlenp); EAGAIN if
	 * the queue is empty.  NULL: MSG_ERRQUEUE is ignored (AF_UNIX and
	 * netlink read their data, as Linux's do).
	 */
	int (*pr_recverr)(struct socket *so, struct mbuf **datap,
	    struct mbuf **controlp, struct sockaddr_storage *from,
	    socklen_t *fromlenp);
};

/* sockopt: a socket option, already copied into the kernel. */
#define PRCO_GETOPT	0
#define PRCO_SETOPT	1
struct sockopt {
	int sopt_level;
	int sopt_name;
	void *sopt_data;		/* kernel buffer */
	size_t sopt_size;		/* set: bytes given; get: room, then used */
};
/* Reads an int option (Linux accepts shorter buffers for some: see the
 * layer's comment); EINVAL if too short. */
int sockopt_getint(const struct sockopt *sopt, int *valp);
/* Stores v (truncated to sopt_size as Linux does for ints). */
int sockopt_setint(struct sockopt *sopt, int v);
/* Stores len bytes of buf, truncated to the room. */
int sockopt_set(struct sockopt *sopt, const void *buf, size_t len);

/* pr_flags */
#define PR_ATOMIC	0x01	/* messages are sent whole (datagrams) */
#define PR_ADDR		0x02	/* addresses are given with messages */
#define PR_CONNREQUIRED	0x04	/* connection required for sending */
#define PR_WANTRCVD	0x08	/* call pr_rcvd after reading */
#define PR_RIGHTS	0x10	/* passes descriptors (SCM_RIGHTS) */
#define PR_LISTEN	0x20	/* supports listen() */
/* pr_send may answer EAGAIN without taking m and control (they stay the
 * caller's): the layer waits for sowwakeup() on so_snd and sends again
 * (AF_UNIX datagrams to a full receiver), or answers EAGAIN when it must
 * not block. */
#define PR_SENDWAIT	0x40
/* Keep so_lock at accept: the protocol's sockets share one lock (AF_UNIX);
 * otherwise the layer moves an accepted socket to so_lockstore. */
#define PR_KEEPLOCK	0x80

struct domain;
struct protosw {
	int pr_type;			/* SOCK_STREAM ... */
	const struct domain *pr_domain;
	int pr_protocol;		/* IPPROTO_*, 0 for the domain default */
	int pr_flags;			/* PR_* */
	const struct pr_usrreqs *pr_usrreqs;
	/* Raw and ping sockets need privilege or a sysctl: 0 or EPERM/EACCES. */
	int (*pr_permit)(int proto);
};

struct unix_diag_ent;

struct domain {
	int dom_family;			/* AF_UNIX, AF_INET, AF_INET6 ... */
	const char *dom_name;
	const struct protosw *dom_protosw;	/* array of dom_nprotosw */
	int dom_nprotosw;
	/* Externalize SCM_RIGHTS etc. on receive (AF_UNIX); may be NULL. */
	int (*dom_externalize)(struct mbuf *control, int flags,
	    void *uctl, size_t *ulenp);
	/* Drop the references held by a control chain never received. */
	void (*dom_dispose)(struct mbuf *control);
	/* Calls cb for each socket of the domain until it returns non-0,
	 * for NETLINK_SOCK_DIAG (AF_UNIX's unix_diag); may be NULL. */
	void (*dom_diag)(int (*cb)(void *arg,
	    const struct unix_diag_ent *e), void *arg);
	LIST_ENTRY(domain) dom_list;
};

/*
 * One AF_UNIX socket as unix_diag (sock_diag(7)) shows it: net_unix fills
 * it, netlink/sock_diag.c sends it.  States are Linux's TCP_* numbers
 * (LISTEN 10, ESTABLISHED 1, SYN_SENT 2, CLOSE 7); the queues are a
 * listener's accept queue and backlog, else the bytes unread here and
 * sent but unread by the peer (a datagram socket: the first datagram).
 */
struct unix_diag_ent {
	uint64_t ude_ino, ude_peer;	/* the peer's inode, 0: none */
	uint8_t ude_type, ude_state;
	uint8_t ude_shutdown;		/* 1 receive, 2 send */
	uint32_t ude_rqueue, ude_wqueue;
	uint32_t ude_uid;
	uint32_t ude_namelen;		/* sun_path bytes, 0: no name */
	char ude_name[108];
};

/* Registers a domain; its component's init calls it.  EEXIST if taken. */
int domain_register(struct domain *dp);
/* The domain of a family, or NULL. */
const struct domain *domain_find(int family);

/*
 * The interface, route and ARP ioctls (SIOCADDRT .. 0x89ff) that any
 * socket answers: the netinet component registers the handler
 * (net/if_ioctl.c); called with no lock held.  Without one: ENOTTY.
 */
typedef int (*so_netcfg_ioctl_t)(struct socket *so, unsigned long cmd,
    void *data);
void so_netcfg_ioctl_register(so_netcfg_ioctl_t fn);
/*
 * False when the net faction refused to start (RUMP_THREADS=0): then
 * domain_register() answers ENOSYS and a protocol component's init should
 * return 0 without doing anything, so the kernel still boots.
 */
bool net_up(void);

/* --- state changes, for protocols (so_lock held) ------------------------ */
void soisconnecting(struct socket *so);
void soisconnected(struct socket *so);	/* also moves so from q0 to q */
void soisdisconnecting(struct socket *so);
void soisdisconnected(struct socket *so);
void socantsendmore(struct socket *so);
void socantrcvmore(struct socket *so);
/* Wake readers / writers and pollers of so_rcv / so_snd. */
void sorwakeup(struct socket *so);
void sowwakeup(struct socket *so);
/* so_error was set: wake everyone. */
void sowakeup_error(struct socket *so, int error);
/*
 * A new connection on the listening socket head (its lock held): a
 * socket of the same protocol, attached (pr_attach), with head's options
 * and buffer sizes, on so_q0 (connected false) or so_q (true).  NULL if
 * the queue is full (backlog) or memory ran out: the protocol drops the
 * request.  The new socket's lock is head's until it is accepted.
 */
struct socket *sonewconn(struct socket *head, bool connected);
/* A protocol holds a socket across dropping its lock (so_refs). */
void sohold(struct socket *so);
void sorele(struct socket *so);		/* may free it (so_lock held) */

/* --- the loopback queue (net/netisr.c) ------------------------------------ */
/* Queues m for fn(m) later on this or another thread; takes ownership. */
void netisr_enqueue(void (*fn)(struct mbuf *), struct mbuf *m);
/* Delivers everything queued; never with a socket lock held. */
void netisr_run(void);

#endif /* K_SOCKET_H */
