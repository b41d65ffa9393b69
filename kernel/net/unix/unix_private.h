/*
 * unix_private.h: what the AF_UNIX files share (uipc_usrreq.c, unix_scm.c).
 */
#ifndef UNIX_PRIVATE_H
#define UNIX_PRIVATE_H

#include "k/procnet.h"
#include "k/socket.h"

struct vnode;

/* The protocol control block of an AF_UNIX socket (unp_lock). */
struct unpcb {
	struct socket *unp_socket;
	struct unpcb *unp_conn;		/* peer, or datagram target */
	LIST_HEAD(, unpcb) unp_refs;	/* datagram sockets connected here */
	LIST_ENTRY(unpcb) unp_reflink;	/* on unp_conn's unp_refs */
	struct sockaddr_un unp_addr;	/* bound name (unp_addrlen bytes) */
	socklen_t unp_addrlen;		/* 0: not bound */
	struct vnode *unp_vnode;	/* path name's node, referenced */
	LIST_ENTRY(unpcb) unp_namelink;	/* on unp_names if unp_named */
	bool unp_named;			/* bound here, not a copy of a
					 * listener's name (accepted) */
	struct sockaddr_un unp_peeraddr; /* the peer's, once it is gone */
	socklen_t unp_peeraddrlen;
	struct ucred unp_mycred;	/* at socket/listen/connect time */
	struct ucred unp_peercred;	/* SO_PEERCRED */
	bool unp_haspeercred;
	bool unp_peergone;		/* datagram target closed */
	LIST_HEAD(, unpcb) unp_waiters;	/* senders waiting for room here */
	LIST_ENTRY(unpcb) unp_waitlink;
	struct unpcb *unp_waitingon;
	LIST_ENTRY(unpcb) unp_alllink;	/* unp_all (unp_all_lock) */
};

extern kmutex_t unp_lock;
/* Every pcb, for /proc/net/unix and unix_diag; unp_all_lock is a leaf,
 * taken after unp_lock where both are held. */
LIST_HEAD(unpcblist, unpcb);
extern struct unpcblist unp_all;
extern kmutex_t unp_all_lock;

/* unix_diag.c: /proc/net/unix, and the domain's dom_diag. */
int unp_procnet(struct ktext *t);
void unp_diag(int (*cb)(void *arg, const struct unix_diag_ent *e),
    void *arg);

/* unix_scm.c */
/*
 * Turns the user's cmsgs (control, may be NULL; consumed) for a message
 * from so to rso into the kernel form (*ctlp, NULL if nothing is
 * carried): SCM_RIGHTS files referenced, SCM_CREDENTIALS checked.
 * EINVAL, EBADF, EPERM, ENOBUFS as Linux's __scm_send.
 */
int unp_internalize(struct socket *so, struct socket *rso,
    struct mbuf *control, struct mbuf **ctlp);
int unp_externalize(struct mbuf *control, int flags, void *uctl,
    size_t *ulenp);
void unp_dispose(struct mbuf *control);

#endif /* UNIX_PRIVATE_H */
