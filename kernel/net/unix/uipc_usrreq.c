/*
 * uipc_usrreq.c: AF_UNIX sockets (stream, datagram, seqpacket), the
 * "net_unix" component.  Names and connections; the control messages
 * (SCM_RIGHTS, SCM_CREDENTIALS) are in unix_scm.c.
 *
 * Names: a path name is a VSOCK node in the kernel's file system made by
 * bind() (vfs_socket_create: EADDRINUSE when the name exists) and found by
 * connect()/sendto() through its vnode (vfs_socket_lookup), so stat shows
 * a socket and unlink removes the name while the socket keeps working.
 * Abstract names (sun_path[0] == 0) live in this kernel's table only.
 * Both kinds are in unp_names; a bound pcb holds its vnode.
 *
 * Locking: every AF_UNIX socket's so_lock is unp_lock, one lock for the
 * domain (PR_KEEPLOCK): a send touches two sockets and a connect three,
 * and one lock makes that simple and deadlock-free.  Path operations take
 * vfs_giant under it (vfs never takes a socket lock, so the order
 * unp_lock -> vfs_giant is the only one).  Files in flight are released
 * through so_defer_filerele(), never under unp_lock.
 *
 * Flow control, as Linux: a stream sender may have SO_SNDBUF bytes unread
 * in its peer (its so_snd.sb_cc mirrors the peer's so_rcv, updated on
 * pr_rcvd); a datagram receiver takes up to UNP_DGRAM_QLEN datagrams and
 * SO_RCVBUF bytes, then senders wait (PR_SENDWAIT) or get EAGAIN.
 */
#include "k/kernel.h"
#include "k/component.h"
#include "k/file.h"
#include "k/socket.h"
#include "k/vnode.h"

#include "unix_private.h"

kmutex_t unp_lock;
static LIST_HEAD(, unpcb) unp_names = LIST_HEAD_INITIALIZER(unp_names);
/* Every AF_UNIX pcb, for /proc/net/unix; unp_all_lock is a leaf, taken
 * after unp_lock where both are held. */
struct unpcblist unp_all = LIST_HEAD_INITIALIZER(unp_all);
kmutex_t unp_all_lock;
static unsigned int unp_autoname;

/* Linux's net.unix.max_dgram_qlen. */
#define UNP_DGRAM_QLEN	512
#define SUN_OFF		offsetof(struct sockaddr_un, sun_path)

static struct unpcb *
sotounpcb(struct socket *so)
{
	return so->so_pcb;
}

static void
unp_setcred(struct ucred *uc)
{
	struct kauth_cred *cr = kauth_cred_get();

	uc->pid = curproc->p_pid;
	uc->uid = cr->cr_euid;
	uc->gid = cr->cr_egid;
}

static int
unp_attach(struct socket *so, int proto)
{
	struct unpcb *unp;

	if (proto != 0 && proto != PF_UNIX)
		return EPROTONOSUPPORT;
	if ((unp = kmem_zalloc(sizeof(*unp))) == NULL)
		return ENOBUFS;
	unp->unp_socket = so;
	LIST_INIT(&unp->unp_refs);
	LIST_INIT(&unp->unp_waiters);
	unp_setcred(&unp->unp_mycred);
	so->so_pcb = unp;
	so->so_lock = &unp_lock;
	mutex_enter(&unp_all_lock);
	LIST_INSERT_HEAD(&unp_all, unp, unp_alllink);
	mutex_exit(&unp_all_lock);
	return 0;
}

/* Stops waiting on a full datagram receiver. */
static void
unp_unwait(struct unpcb *unp)
{
	if (unp->unp_waitingon != NULL) {
		LIST_REMOVE(unp, unp_waitlink);
		unp->unp_waitingon = NULL;
	}
}

/* Wakes every sender waiting for room in unp's receive buffer. */
static void
unp_wakewaiters(struct unpcb *unp)
{
	struct unpcb *w;

	while ((w = LIST_FIRST(&unp->unp_waiters)) != NULL) {
		unp_unwait(w);
		sowwakeup(w->unp_socket);
	}
}

/* Remembers the peer's name for getpeername after it goes. */
static void
unp_savepeer(struct unpcb *unp, const struct unpcb *peer)
{
	unp->unp_peeraddr = peer->unp_addr;
	unp->unp_peeraddrlen = peer->unp_addrlen;
}

static void
unp_disconnect(struct unpcb *unp)
{
	struct unpcb *peer = unp->unp_conn;
	struct socket *so = unp->unp_socket;

	if (peer == NULL)
		return;
	unp->unp_conn = NULL;
	if (so->so_type == SOCK_DGRAM) {
		LIST_REMOVE(unp, unp_reflink);
		so->so_state &= ~SS_ISCONNECTED;
		return;
	}
	/* Stream and seqpacket: the peer sees EOF and EPIPE. */
	peer->unp_conn = NULL;
	unp_savepeer(peer, unp);
	if (so->so_rcv.sb_cc > 0 || so->so_rcv.sb_mb != NULL)
		peer->unp_socket->so_error = ECONNRESET;
	peer->unp_socket->so_snd.sb_cc = 0;
	socantrcvmore(peer->unp_socket);
	socantsendmore(peer->unp_socket);
	sowakeup_error(peer->unp_socket, peer->unp_socket->so_error);
}

static void
unp_detach(struct socket *so)
{
	struct unpcb *unp = sotounpcb(so), *ref;

	unp_disconnect(unp);
	/* Datagram sockets connected to this one: next send refused. */
	while ((ref = LIST_FIRST(&unp->unp_refs)) != NULL) {
		LIST_REMOVE(ref, unp_reflink);
		ref->unp_conn = NULL;
		ref->unp_peergone = true;
	}
	unp_unwait(unp);
	unp_wakewaiters(unp);
	if (unp->unp_named)
		LIST_REMOVE(unp, unp_namelink);
	if (unp->unp_vnode != NULL)
		vfs_vrele_unlocked(unp->unp_vnode);
	mutex_enter(&unp_all_lock);
	LIST_REMOVE(unp, unp_alllink);
	mutex_exit(&unp_all_lock);
	kmem_free(unp, sizeof(*unp));
	so->so_pcb = NULL;
}

/* Puts a freshly bound pcb on unp_names. */
static void
unp_name(struct unpcb *unp)
{
	LIST_INSERT_HEAD(&unp_names, unp, unp_namelink);
	unp->unp_named = true;
}

static struct unpcb *
unp_lookup_abstract(const struct sockaddr_un *sun, socklen_t len)
{
	struct unpcb *u;

	LIST_FOREACH(u, &unp_names, unp_namelink)
		if (u->unp_vnode == NULL && u->unp_addrlen == len &&
		    memcmp(&u->unp_addr, sun, len) == 0)
			return u;
	return NULL;
}

static struct unpcb *
unp_lookup_vnode(const struct vnode *vp)
{
	struct unpcb *u;

	LIST_FOREACH(u, &unp_names, unp_namelink)
		if (u->unp_vnode == vp)
			return u;
	return NULL;
}

/*
 * The path of a sockaddr_un as Linux reads it (unix_mkname_bsd): the
 * bytes after sun_family up to the first NUL or the given length.
 */
static int
unp_path(const struct sockaddr_un *sun, socklen_t len, char *buf)
{
	size_t n = len - SUN_OFF, i;

	for (i = 0; i < n && sun->sun_path[i] != '\0'; i++)
		buf[i] = sun->sun_path[i];
	buf[i] = '\0';
	return i == 0 ? ENOENT : 0;
}

static int
unp_autobind(struct unpcb *unp)
{
	struct sockaddr_un sun;
	socklen_t len = SUN_OFF + 6;

	for (int tries = 0; tries < 0x100000; tries++) {
		unsigned int v = unp_autoname++ & 0xfffff;

		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		ksnprintf(sun.sun_path + 1, 6, "%05x", v);
		if (unp_lookup_abstract(&sun, len) == NULL) {
			unp->unp_addr = sun;
			unp->unp_addrlen = len;
			unp_name(unp);
			unp->unp_socket->so_state |= SS_ISBOUND;
			return 0;
		}
	}
	return EADDRINUSE;
}

static int
unp_bind(struct socket *so, const struct sockaddr *sa, socklen_t len)
{
	struct unpcb *unp = sotounpcb(so);
	const struct sockaddr_un *sun = (const struct sockaddr_un *)sa;
	char path[UNIX_PATH_MAX + 1];
	struct vnode *vp;
	int error;

	if (sa->sa_family != AF_UNIX)
		return EINVAL;
	if (len > sizeof(struct sockaddr_un))
		return EINVAL;
	if (unp->unp_addrlen > 0) {
		/* Linux makes the node before it sees the socket is bound:
		 * a path that exists answers EADDRINUSE, a free one EINVAL. */
		if (len > SUN_OFF && sun->sun_path[0] != '\0' &&
		    unp_path(sun, len, path) == 0) {
			error = vfs_socket_lookup(path, so->so_cred, &vp);
			if (error == 0)
				vfs_vrele_unlocked(vp);
			if (error != ENOENT)
				return EADDRINUSE;
		}
		return EINVAL;
	}
	if (len == SUN_OFF)
		return unp_autobind(unp);
	if (sun->sun_path[0] == '\0') {
		if (unp_lookup_abstract(sun, len) != NULL)
			return EADDRINUSE;
		memset(&unp->unp_addr, 0, sizeof(unp->unp_addr));
		memcpy(&unp->unp_addr, sun, len);
		unp->unp_addrlen = len;
		unp_name(unp);
		return 0;
	}
	if ((error = unp_path(sun, len, path)) != 0)
		return error;
	error = vfs_socket_create(path, 0777, so->so_cred, &vp);
	if (error == EEXIST)
		return EADDRINUSE;
	if (error != 0)
		return error;
	unp->unp_vnode = vp;
	memset(&unp->unp_addr, 0, sizeof(unp->unp_addr));
	unp->unp_addr.sun_family = AF_UNIX;
	memcpy(unp->unp_addr.sun_path, path, strlen(path) + 1);
	/* Linux reports the path with its NUL. */
	unp->unp_addrlen = (socklen_t)(SUN_OFF + strlen(path) + 1);
	if (unp->unp_addrlen > sizeof(struct sockaddr_un))
		unp->unp_addrlen = sizeof(struct sockaddr_un);
	unp_name(unp);
	return 0;
}

/* The bound socket an address names: ECONNREFUSED if none. */
static int
unp_find(const struct sockaddr *sa, socklen_t len, struct socket *self,
    struct unpcb **unpp)
{
	const struct sockaddr_un *sun = (const struct sockaddr_un *)sa;
	char path[UNIX_PATH_MAX + 1];
	struct vnode *vp;
	struct unpcb *u;
	int error;

	if (sa->sa_family != AF_UNIX)
		return EINVAL;
	if (len <= SUN_OFF || len > sizeof(struct sockaddr_un))
		return EINVAL;
	if (sun->sun_path[0] == '\0') {
		u = unp_lookup_abstract(sun, len);
	} else {
		if ((error = unp_path(sun, len, path)) != 0)
			return error;
		if ((error = vfs_socket_lookup(path, self->so_cred,
		    &vp)) != 0)
			return error;
		u = unp_lookup_vnode(vp);
		vfs_vrele_unlocked(vp);
	}
	if (u == NULL)
		return ECONNREFUSED;
	*unpp = u;
	return 0;
}

static void
unp_connect_pair(struct unpcb *a, struct unpcb *b)
{
	a->unp_conn = b;
	b->unp_conn = a;
	a->unp_peercred = b->unp_mycred;
	b->unp_peercred = a->unp_mycred;
	a->unp_haspeercred = b->unp_haspeercred = true;
	soisconnected(a->unp_socket);
	soisconnected(b->unp_socket);
}

static int
unp_connect(struct socket *so, const struct sockaddr *sa, socklen_t len)
{
	struct unpcb *unp = sotounpcb(so), *target, *nunp;
	struct socket *nso;
	int error;

	if (so->so_type == SOCK_DGRAM && len >= sizeof(sa_family_t) &&
	    sa->sa_family == AF_UNSPEC) {
		unp_disconnect(unp);
		return 0;
	}
	if ((error = unp_find(sa, len, so, &target)) != 0)
		return error;
	if (target->unp_socket->so_type != so->so_type)
		return EPROTOTYPE;
	if (unp->unp_addrlen == 0 && (so->so_options & SOF_PASSCRED) &&
	    (error = unp_autobind(unp)) != 0)
		return error;
	if (so->so_type == SOCK_DGRAM) {
		if (target->unp_conn != NULL && target->unp_conn != unp &&
		    target != unp)
			return EPERM;
		unp_disconnect(unp);
		unp->unp_conn = target;
		LIST_INSERT_HEAD(&target->unp_refs, unp, unp_reflink);
		unp->unp_peergone = false;
		soisconnected(so);
		return 0;
	}
	if (!(target->unp_socket->so_options & SOF_ACCEPTCONN))
		return ECONNREFUSED;
	if ((nso = sonewconn(target->unp_socket, false)) == NULL)
		return EAGAIN;	/* backlog full: Linux's non-blocking answer */
	nunp = sotounpcb(nso);
	/* The accepted end carries the listener's name, as Linux. */
	nunp->unp_addr = target->unp_addr;
	nunp->unp_addrlen = target->unp_addrlen;
	nunp->unp_mycred = target->unp_mycred;
	unp_setcred(&unp->unp_mycred);
	unp_connect_pair(unp, nunp);
	return 0;
}

static int
unp_connect2(struct socket *so, struct socket *so2)
{
	struct unpcb *a = sotounpcb(so), *b = sotounpcb(so2);

	if (so->so_type == SOCK_DGRAM) {
		a->unp_conn = b;
		b->unp_conn = a;
		LIST_INSERT_HEAD(&b->unp_refs, a, unp_reflink);
		LIST_INSERT_HEAD(&a->unp_refs, b, unp_reflink);
		a->unp_peercred = b->unp_mycred;
		b->unp_peercred = a->unp_mycred;
		a->unp_haspeercred = b->unp_haspeercred = true;
		soisconnected(so);
		soisconnected(so2);
		return 0;
	}
	unp_connect_pair(a, b);
	return 0;
}

static int
unp_listen(struct socket *so, int backlog __unused)
{
	struct unpcb *unp = sotounpcb(so);

	if (unp->unp_addrlen == 0)
		return EINVAL;
	unp_setcred(&unp->unp_mycred);
	return 0;
}

static int
unp_disconnect_req(struct socket *so)
{
	unp_disconnect(sotounpcb(so));
	return 0;
}

static int
unp_shutdown(struct socket *so)
{
	struct unpcb *unp = sotounpcb(so);

	if (unp->unp_conn != NULL && so->so_type != SOCK_DGRAM)
		socantrcvmore(unp->unp_conn->unp_socket);
	return 0;
}

static int
unp_copyaddr(const struct sockaddr_un *sun, socklen_t len,
    struct sockaddr *sa, socklen_t *lenp)
{
	if (len == 0) {
		/* Unbound: the family alone, as Linux. */
		((struct sockaddr_un *)sa)->sun_family = AF_UNIX;
		*lenp = sizeof(sa_family_t);
		return 0;
	}
	memcpy(sa, sun, len);
	*lenp = len;
	return 0;
}

static int
unp_sockaddr(struct socket *so, struct sockaddr *sa, socklen_t *lenp)
{
	struct unpcb *unp = sotounpcb(so);

	return unp_copyaddr(&unp->unp_addr, unp->unp_addrlen, sa, lenp);
}

static int
unp_peeraddr(struct socket *so, struct sockaddr *sa, socklen_t *lenp)
{
	struct unpcb *unp = sotounpcb(so), *peer = unp->unp_conn;

	if (peer == NULL) {
		if (so->so_type == SOCK_DGRAM)
			return ENOTCONN;
		return unp_copyaddr(&unp->unp_peeraddr,
		    unp->unp_peeraddrlen, sa, lenp);
	}
	return unp_copyaddr(&peer->unp_addr, peer->unp_addrlen, sa, lenp);
}

static int
unp_accept(struct socket *so, struct sockaddr *sa, socklen_t *lenp)
{
	return unp_peeraddr(so, sa, lenp);
}

/* Room for one more datagram in the receiver? */
static bool
unp_dgram_full(struct socket *rso)
{
	int n = 0;

	for (struct mbuf *m = rso->so_rcv.sb_mb; m != NULL; m = m->m_nextpkt)
		if (++n >= UNP_DGRAM_QLEN)
			return true;
	return rso->so_rcv.sb_cc + rso->so_rcv.sb_ctl >= rso->so_rcv.sb_hiwat;
}

static int
unp_send(struct socket *so, struct mbuf *m, const struct sockaddr *sa,
    socklen_t salen, struct mbuf *control, int flags __unused)
{
	struct unpcb *unp = sotounpcb(so), *peer;
	struct socket *rso;
	struct mbuf *ctl = NULL;
	size_t len = m != NULL ? m_length(m) : 0;
	int error;

	if (so->so_type == SOCK_DGRAM) {
		if (sa != NULL) {
			if ((error = unp_find(sa, salen, so, &peer)) != 0)
				goto drop;
		} else if ((peer = unp->unp_conn) == NULL) {
			error = unp->unp_peergone ? ECONNREFUSED : ENOTCONN;
			if (unp->unp_peergone) {
				unp->unp_peergone = false;
				so->so_state &= ~SS_ISCONNECTED;
			}
			goto drop;
		}
		rso = peer->unp_socket;
		if (rso->so_type != SOCK_DGRAM) {
			error = EPROTOTYPE;
			goto drop;
		}
		if (peer->unp_conn != NULL && peer->unp_conn != unp &&
		    peer != unp) {
			error = EPERM;
			goto drop;
		}
		if (rso->so_state & SS_CANTRCVMORE) {
			error = EPIPE;
			goto drop;
		}
		if (unp_dgram_full(rso)) {
			/* PR_SENDWAIT: the layer keeps m and waits. */
			if (unp->unp_waitingon == NULL) {
				unp->unp_waitingon = peer;
				LIST_INSERT_HEAD(&peer->unp_waiters, unp,
				    unp_waitlink);
			}
			return EAGAIN;
		}
		if (unp->unp_addrlen == 0 &&
		    (so->so_options & SOF_PASSCRED) &&
		    (error = unp_autobind(unp)) != 0)
			goto drop;
		/* unp_internalize consumes control, even on error. */
		error = unp_internalize(so, rso, control, &ctl);
		control = NULL;
		if (error != 0)
			goto drop;
		if ((error = sbappendaddr(&rso->so_rcv,
		    (const struct sockaddr *)&unp->unp_addr, unp->unp_addrlen,
		    m, ctl)) != 0)
			return error;
		sorwakeup(rso);
		return 0;
	}

	/* Stream and seqpacket. */
	if (sa != NULL) {
		error = (so->so_state & SS_ISCONNECTED) ? EISCONN : EOPNOTSUPP;
		goto drop;
	}
	if ((peer = unp->unp_conn) == NULL) {
		error = (so->so_state & SS_ISDISCONNECTED) || unp->unp_peeraddrlen
		    ? EPIPE : ENOTCONN;
		goto drop;
	}
	rso = peer->unp_socket;
	if (rso->so_state & SS_CANTRCVMORE) {
		error = EPIPE;
		goto drop;
	}
	if (so->so_type == SOCK_SEQPACKET && unp_dgram_full(rso)) {
		if (unp->unp_waitingon == NULL) {
			unp->unp_waitingon = peer;
			LIST_INSERT_HEAD(&peer->unp_waiters, unp, unp_waitlink);
		}
		return EAGAIN;
	}
	error = unp_internalize(so, rso, control, &ctl);
	control = NULL;
	if (error != 0)
		goto drop;
	if (so->so_type == SOCK_SEQPACKET) {
		if (m == NULL && (m = m_gethdr(MT_DATA)) == NULL) {
			if (ctl != NULL)
				unp_dispose(ctl);
			m_freem(ctl);
			return ENOBUFS;
		}
		for (struct mbuf *t = m; t != NULL; t = t->m_next)
			if (t->m_next == NULL)
				t->m_flags |= M_EOR;
		(void)sbappendcontrol(&rso->so_rcv, m, ctl);
	} else if (ctl != NULL) {
		(void)sbappendcontrol(&rso->so_rcv, m, ctl);
	} else {
		sbappendstream(&rso->so_rcv, m);
	}
	if (so->so_type == SOCK_STREAM)
		so->so_snd.sb_cc += len;
	sorwakeup(rso);
	return 0;
drop:
	m_freem(m);
	if (control != NULL)
		m_freem(control);
	return error;
}

static void
unp_rcvd(struct socket *so, int flags __unused)
{
	struct unpcb *unp = sotounpcb(so), *peer = unp->unp_conn;

	if (so->so_type == SOCK_STREAM && peer != NULL) {
		peer->unp_socket->so_snd.sb_cc = so->so_rcv.sb_cc;
		sowwakeup(peer->unp_socket);
	}
	if (so->so_type == SOCK_SEQPACKET && peer != NULL)
		sowwakeup(peer->unp_socket);
	unp_wakewaiters(unp);
}

static int
unp_ioctl(struct socket *so, unsigned long cmd, void *data)
{
	int v;

	switch (cmd) {
	case SIOCOUTQ:
		if (so->so_options & SOF_ACCEPTCONN)
			return EINVAL;
		v = so->so_type == SOCK_STREAM ?
		    (int)MIN(so->so_snd.sb_cc, (size_t)INT32_MAX) : 0;
		return copyout(&v, data, sizeof(v));
	default:
		return ENOTTY;
	}
}

static int
unp_ctloutput(int op, struct socket *so, struct sockopt *sopt)
{
	struct unpcb *unp = sotounpcb(so);

	if (sopt->sopt_level != SOL_SOCKET)
		return EOPNOTSUPP;	/* Linux's sock_no_setsockopt */
	if (op == PRCO_GETOPT && sopt->sopt_name == SO_PEERCRED &&
	    unp->unp_haspeercred)
		return sockopt_set(sopt, &unp->unp_peercred,
		    sizeof(unp->unp_peercred));
	return ENOPROTOOPT;
}

static const struct pr_usrreqs unp_usrreqs = {
	.pr_attach = unp_attach,
	.pr_detach = unp_detach,
	.pr_bind = unp_bind,
	.pr_listen = unp_listen,
	.pr_connect = unp_connect,
	.pr_connect2 = unp_connect2,
	.pr_disconnect = unp_disconnect_req,
	.pr_shutdown = unp_shutdown,
	.pr_abort = NULL,
	.pr_peeraddr = unp_peeraddr,
	.pr_sockaddr = unp_sockaddr,
	.pr_accept = unp_accept,
	.pr_send = unp_send,
	.pr_rcvd = unp_rcvd,
	.pr_ioctl = unp_ioctl,
	.pr_ctloutput = unp_ctloutput,
};

static struct domain unixdomain;

static const struct protosw unixsw[] = {
	{ .pr_type = SOCK_STREAM, .pr_domain = &unixdomain,
	  .pr_flags = PR_CONNREQUIRED | PR_WANTRCVD | PR_RIGHTS | PR_LISTEN |
	    PR_KEEPLOCK,
	  .pr_usrreqs = &unp_usrreqs },
	{ .pr_type = SOCK_DGRAM, .pr_domain = &unixdomain,
	  .pr_flags = PR_ATOMIC | PR_ADDR | PR_WANTRCVD | PR_RIGHTS |
	    PR_SENDWAIT | PR_KEEPLOCK,
	  .pr_usrreqs = &unp_usrreqs },
	{ .pr_type = SOCK_SEQPACKET, .pr_domain = &unixdomain,
	  .pr_flags = PR_ATOMIC | PR_CONNREQUIRED | PR_WANTRCVD | PR_RIGHTS |
	    PR_LISTEN | PR_SENDWAIT | PR_KEEPLOCK,
	  .pr_usrreqs = &unp_usrreqs },
};

static struct domain unixdomain = {
	.dom_family = AF_UNIX,
	.dom_name = "unix",
	.dom_protosw = unixsw,
	.dom_nprotosw = (int)__arraycount(unixsw),
	.dom_externalize = unp_externalize,
	.dom_dispose = unp_dispose,
	.dom_diag = unp_diag,
};

static int
unp_init(void)
{
	if (!net_up())
		return 0;	/* the net faction said why */
	mutex_init(&unp_lock);
	mutex_init(&unp_all_lock);
	(void)procnet_register("unix", unp_procnet);
	return domain_register(&unixdomain);
}

RUMP_COMPONENT(net_unix_component, "net_unix", unp_init, NULL, "net", "vfs")
