/*
 * uipc_socket.c: socket objects: creation, the state changes protocols
 * make, listen queues, connect and accept, shutdown and close (the
 * contract is k/socket.h).  Allocation, references and freeing are in
 * uipc_solife.c, sending and receiving in uipc_sockio.c, options in
 * uipc_sockopt.c, the system calls and the file operations in
 * sys_socket.c.
 *
 * Locking: see k/socket.h.
 */
#include "k/kernel.h"
#include "k/socket.h"
#include "k/sysctl.h"

#include "net_private.h"


/* Linux's net.core defaults. */
int64_t net_rmem_default = 212992, net_wmem_default = 212992;
int64_t net_rmem_max = 212992, net_wmem_max = 212992;
int64_t net_somaxconn = SOMAXCONN;
/* Read-only counters, for tests and curious users. */
static int64_t stat_sockets, stat_mbufs, stat_clusters, stat_kmem;

static void
stats_refresh(const struct sysctl_node *n __unused)
{
	struct mbstat st;

	/* Free what is waiting to be freed, so the counts are exact. */
	so_reap();
	mbuf_drain();
	mbstat_get(&st);
	stat_sockets = socket_count();
	stat_mbufs = (int64_t)st.m_mbufs;
	stat_clusters = (int64_t)st.m_clusters;
	stat_kmem = (int64_t)kmem_inuse();
}

static struct sysctl_node net_sysctls[] = {
	{ .sn_name = "net.core.rmem_default", .sn_type = SYSCTL_INT,
	  .sn_writable = true, .sn_int = &net_rmem_default,
	  .sn_min = 256, .sn_max = INT32_MAX },
	{ .sn_name = "net.core.wmem_default", .sn_type = SYSCTL_INT,
	  .sn_writable = true, .sn_int = &net_wmem_default,
	  .sn_min = 256, .sn_max = INT32_MAX },
	{ .sn_name = "net.core.rmem_max", .sn_type = SYSCTL_INT,
	  .sn_writable = true, .sn_int = &net_rmem_max,
	  .sn_min = 256, .sn_max = INT32_MAX },
	{ .sn_name = "net.core.wmem_max", .sn_type = SYSCTL_INT,
	  .sn_writable = true, .sn_int = &net_wmem_max,
	  .sn_min = 256, .sn_max = INT32_MAX },
	{ .sn_name = "net.core.somaxconn", .sn_type = SYSCTL_INT,
	  .sn_writable = true, .sn_int = &net_somaxconn,
	  .sn_min = 0, .sn_max = INT32_MAX },
	{ .sn_name = "net.core.sockets", .sn_type = SYSCTL_INT,
	  .sn_int = &stat_sockets, .sn_max = INT64_MAX,
	  .sn_refresh = stats_refresh },
	{ .sn_name = "net.core.mbufs", .sn_type = SYSCTL_INT,
	  .sn_int = &stat_mbufs, .sn_max = INT64_MAX,
	  .sn_refresh = stats_refresh },
	{ .sn_name = "net.core.mbuf_clusters", .sn_type = SYSCTL_INT,
	  .sn_int = &stat_clusters, .sn_max = INT64_MAX,
	  .sn_refresh = stats_refresh },
	{ .sn_name = "net.core.kmem_inuse", .sn_type = SYSCTL_INT,
	  .sn_int = &stat_kmem, .sn_max = INT64_MAX,
	  .sn_refresh = stats_refresh },
};

int
socket_init(void)
{
	int error;

	solife_init();
	for (size_t i = 0; i < __arraycount(net_sysctls); i++)
		if ((error = sysctl_register(&net_sysctls[i])) != 0)
			return error;
	return 0;
}

void
solock(struct socket *so)
{
	for (;;) {
		kmutex_t *lk = __atomic_load_n(&so->so_lock, __ATOMIC_ACQUIRE);

		mutex_enter(lk);
		if (lk == __atomic_load_n(&so->so_lock, __ATOMIC_ACQUIRE))
			return;
		mutex_exit(lk);
	}
}

void
sounlock(struct socket *so)
{
	mutex_exit(so->so_lock);
}

/* Finds the protocol of a socket() call; 0 or the errno Linux gives. */
static int
pffind(const struct domain *dp, int type, int proto,
    const struct protosw **prp)
{
	const struct protosw *wild = NULL;
	bool typeseen = false;

	for (int i = 0; i < dp->dom_nprotosw; i++) {
		const struct protosw *pr = &dp->dom_protosw[i];

		if (pr->pr_type != type)
			continue;
		typeseen = true;
		if (proto == 0 || pr->pr_protocol == proto) {
			*prp = pr;
			return 0;
		}
		if (pr->pr_protocol == 0 && wild == NULL)
			wild = pr;	/* takes any protocol (raw, AF_UNIX) */
	}
	if (wild != NULL) {
		*prp = wild;
		return 0;
	}
	return typeseen ? EPROTONOSUPPORT : ESOCKTNOSUPPORT;
}

int
socreate(int family, int type, int proto, struct socket **sop)
{
	const struct domain *dp;
	const struct protosw *pr;
	struct kauth_cred *cred = kauth_cred_get();
	struct socket *so;
	kmutex_t *lk;
	int error;

	*sop = NULL;
	if (family < 0 || family >= AF_MAX)
		return EAFNOSUPPORT;
	if (type <= 0 || type > SOCK_PACKET)
		return EINVAL;
	if (proto < 0)
		return EINVAL;
	if ((dp = domain_find(family)) == NULL)
		return EAFNOSUPPORT;
	/* Linux's unix_create makes a SOCK_RAW unix socket a datagram one. */
	if (family == AF_UNIX && type == SOCK_RAW)
		type = SOCK_DGRAM;
	if ((error = pffind(dp, type, proto, &pr)) != 0)
		return error;
	if (pr->pr_permit != NULL && (error = pr->pr_permit(proto)) != 0)
		return error;
	if ((so = soalloc(pr)) == NULL)
		return ENOBUFS;
	cred_hold(cred);
	so->so_cred = cred;
	so->so_uid = cred->cr_euid;
	so->so_gid = cred->cr_egid;
	so->so_cpid = curproc->p_pid;
	/* pr_attach may point so_lock elsewhere (AF_UNIX's one lock). */
	lk = so->so_lock;
	mutex_enter(lk);
	error = pr->pr_usrreqs->pr_attach(so, proto);
	mutex_exit(lk);
	if (error != 0) {
		so->so_pcb = NULL;
		sodealloc(so);
		return error;
	}
	*sop = so;
	return 0;
}

/* Frees a queued, never-accepted connection (head's lock held). */
static void
soqremove_abort(struct socket *head, struct socket *so, bool q0)
{
	const struct pr_usrreqs *ur = so->so_proto->pr_usrreqs;

	if (q0) {
		TAILQ_REMOVE(&head->so_q0, so, so_qe);
		head->so_q0len--;
	} else {
		TAILQ_REMOVE(&head->so_q, so, so_qe);
		head->so_qlen--;
	}
	so->so_head = NULL;
	if (ur->pr_abort != NULL)
		ur->pr_abort(so);
	if (so->so_pcb != NULL)
		ur->pr_detach(so);
	so->so_pcb = NULL;
	somaybefree(so);
}

void
soclose(struct socket *so)
{
	const struct pr_usrreqs *ur = so->so_proto->pr_usrreqs;
	struct socket *sp;

	solock(so);
	if (so->so_options & SOF_ACCEPTCONN) {
		while ((sp = TAILQ_FIRST(&so->so_q0)) != NULL)
			soqremove_abort(so, sp, true);
		while ((sp = TAILQ_FIRST(&so->so_q)) != NULL)
			soqremove_abort(so, sp, false);
	}
	if ((so->so_state & SS_ISCONNECTED) && ur->pr_disconnect != NULL)
		(void)ur->pr_disconnect(so);
	so->so_state |= SS_NOFDREF;
	if (so->so_pcb != NULL)
		ur->pr_detach(so);
	so->so_pcb = NULL;
	/* Data never read goes now (SCM_RIGHTS references too). */
	sorflush(so);
	somaybefree(so);
	sounlock(so);
	netisr_run();
}

/* --- state changes ---------------------------------------------------- */

void
soisconnecting(struct socket *so)
{
	so->so_state &= ~(SS_ISCONNECTED | SS_ISDISCONNECTING);
	so->so_state |= SS_ISCONNECTING;
}

void
soisconnected(struct socket *so)
{
	struct socket *head = so->so_head;

	so->so_state &= ~(SS_ISCONNECTING | SS_ISDISCONNECTING |
	    SS_ISCONFIRMING);
	so->so_state |= SS_ISCONNECTED;
	if (head != NULL) {
		/* On head's q0 (if so, move to q): head's lock is ours. */
		struct socket *sp;

		TAILQ_FOREACH(sp, &head->so_q0, so_qe)
			if (sp == so)
				break;
		if (sp == so) {
			TAILQ_REMOVE(&head->so_q0, so, so_qe);
			head->so_q0len--;
			TAILQ_INSERT_TAIL(&head->so_q, so, so_qe);
			head->so_qlen++;
			sorwakeup(head);
			cv_broadcast(&head->so_cv);
		}
	}
	cv_broadcast(&so->so_cv);
	sorwakeup(so);
	sowwakeup(so);
}

void
soisdisconnecting(struct socket *so)
{
	so->so_state &= ~SS_ISCONNECTING;
	so->so_state |= SS_ISDISCONNECTING | SS_CANTRCVMORE | SS_CANTSENDMORE;
	cv_broadcast(&so->so_cv);
	sorwakeup(so);
	sowwakeup(so);
}

void
soisdisconnected(struct socket *so)
{
	so->so_state &= ~(SS_ISCONNECTING | SS_ISCONNECTED |
	    SS_ISDISCONNECTING);
	so->so_state |= SS_CANTRCVMORE | SS_CANTSENDMORE | SS_ISDISCONNECTED;
	cv_broadcast(&so->so_cv);
	sorwakeup(so);
	sowwakeup(so);
}

void
socantsendmore(struct socket *so)
{
	so->so_state |= SS_CANTSENDMORE;
	sowwakeup(so);
}

void
socantrcvmore(struct socket *so)
{
	so->so_state |= SS_CANTRCVMORE;
	sorwakeup(so);
}

void
sorwakeup(struct socket *so)
{
	sbwakeup(&so->so_rcv, POLLIN | POLLRDNORM | POLLRDHUP | POLLHUP);
}

void
sowwakeup(struct socket *so)
{
	sbwakeup(&so->so_snd, POLLOUT | POLLWRNORM | POLLHUP);
}

void
sowakeup_error(struct socket *so, int error)
{
	so->so_error = error;
	cv_broadcast(&so->so_cv);
	/* Through sbwakeup: a waiter spinning in sbspin must see it. */
	sbwakeup(&so->so_rcv, 0);
	sbwakeup(&so->so_snd, 0);
}

struct socket *
sonewconn(struct socket *head, bool connected)
{
	struct socket *so;

	if (!(head->so_options & SOF_ACCEPTCONN))
		return NULL;
	/* Linux queues one more than the backlog (sk_acceptq_is_full). */
	if (connected ? head->so_qlen > head->so_qlimit :
	    head->so_q0len >= (int)net_somaxconn)
		return NULL;
	if ((so = soalloc(head->so_proto)) == NULL)
		return NULL;
	so->so_lock = head->so_lock;
	so->so_options = head->so_options & ~SOF_ACCEPTCONN;
	so->so_linger = head->so_linger;
	so->so_priority = head->so_priority;
	so->so_mark = head->so_mark;
	so->so_state = SS_NOFDREF;
	so->so_rcv.sb_hiwat = head->so_rcv.sb_hiwat;
	so->so_snd.sb_hiwat = head->so_snd.sb_hiwat;
	so->so_rcv.sb_lowat = head->so_rcv.sb_lowat;
	so->so_snd.sb_lowat = head->so_snd.sb_lowat;
	so->so_rcv.sb_timeo = head->so_rcv.sb_timeo;
	so->so_snd.sb_timeo = head->so_snd.sb_timeo;
	so->so_rcv.sb_flags = head->so_rcv.sb_flags & SB_AUTOSIZE;
	so->so_snd.sb_flags = head->so_snd.sb_flags & SB_AUTOSIZE;
	cred_hold(head->so_cred);
	so->so_cred = head->so_cred;
	so->so_uid = head->so_uid;
	so->so_gid = head->so_gid;
	so->so_cpid = head->so_cpid;
	if (head->so_proto->pr_usrreqs->pr_attach(so, 0) != 0) {
		so->so_pcb = NULL;
		so->so_lock = &so->so_lockstore;
		/* A pcb made and dropped again (no memory for the rest) put
		 * the socket on the free list already (SS_NOFDREF, no refs):
		 * the reaper frees it then, not we now. */
		if (!(so->so_state & SS_FREED))
			sodealloc(so);
		return NULL;
	}
	so->so_head = head;
	if (connected) {
		so->so_state |= SS_ISCONNECTED;
		TAILQ_INSERT_TAIL(&head->so_q, so, so_qe);
		head->so_qlen++;
		sorwakeup(head);
		cv_broadcast(&head->so_cv);
	} else {
		TAILQ_INSERT_TAIL(&head->so_q0, so, so_qe);
		head->so_q0len++;
	}
	return so;
}

/* --- requests --------------------------------------------------------- */

int
solisten(struct socket *so, int backlog)
{
	const struct pr_usrreqs *ur = so->so_proto->pr_usrreqs;
	int error;

	if (!(so->so_proto->pr_flags & PR_LISTEN) || ur->pr_listen == NULL)
		return EOPNOTSUPP;
	solock(so);
	if (so->so_state & (SS_ISCONNECTED | SS_ISCONNECTING |
	    SS_ISDISCONNECTING)) {
		sounlock(so);
		return EINVAL;
	}
	/* Linux: an unsigned comparison, so a negative one is the max. */
	if ((unsigned int)backlog > (unsigned int)net_somaxconn)
		backlog = (int)net_somaxconn;
	if ((error = ur->pr_listen(so, backlog)) == 0) {
		so->so_qlimit = backlog;
		so->so_options |= SOF_ACCEPTCONN;
	}
	sounlock(so);
	netisr_run();
	return error;
}

int
sobind(struct socket *so, const struct sockaddr *sa, socklen_t len)
{
	const struct pr_usrreqs *ur = so->so_proto->pr_usrreqs;
	int error;

	if (ur->pr_bind == NULL)
		return EOPNOTSUPP;
	solock(so);
	error = ur->pr_bind(so, sa, len);
	if (error == 0)
		so->so_state |= SS_ISBOUND;
	sounlock(so);
	netisr_run();
	return error;
}

/*
 * connect(): EISCONN / EALREADY as Linux, then the protocol; a stream
 * connection in progress is waited for (SO_SNDTIMEO bounds it, as in
 * Linux) unless nbio: EINPROGRESS, and SO_ERROR tells the result.
 */
int
soconnect(struct socket *so, const struct sockaddr *sa, socklen_t len,
    bool nbio)
{
	const struct pr_usrreqs *ur = so->so_proto->pr_usrreqs;
	int64_t deadline;
	int error;

	if (ur->pr_connect == NULL)
		return EOPNOTSUPP;
	solock(so);
	if (so->so_options & SOF_ACCEPTCONN) {
		sounlock(so);
		return EINVAL;
	}
	if (so->so_proto->pr_flags & PR_CONNREQUIRED) {
		if (so->so_state & SS_ISCONNECTING) {
			sounlock(so);
			return EALREADY;
		}
		if (so->so_state & SS_CONNPENDING) {
			/* Linux: once 0 (or the error) for the finished
			 * attempt, EISCONN after. */
			so->so_state &= ~SS_CONNPENDING;
			error = 0;
			if (!(so->so_state & SS_ISCONNECTED)) {
				error = so->so_error != 0 ? so->so_error :
				    ECONNABORTED;
				so->so_error = 0;
			}
			sounlock(so);
			return error;
		}
		if (so->so_state & SS_ISCONNECTED) {
			sounlock(so);
			return EISCONN;
		}
	}
	so->so_error = 0;
	error = ur->pr_connect(so, sa, len);
	if (error != 0 || !(so->so_state & SS_ISCONNECTING)) {
		sounlock(so);
		netisr_run();
		return error;
	}
	/* Non-blocking: EINPROGRESS whatever the handshake does next, as
	 * Linux (its answer comes before the loopback's reply is seen). */
	if (nbio)
		so->so_state |= SS_CONNPENDING;
	sounlock(so);
	netisr_run();
	if (nbio)
		return EINPROGRESS;
	/* Blocking: the handshake may have finished in netisr already. */
	solock(so);
	deadline = so->so_snd.sb_timeo > 0 ?
	    uptime_ns() + so->so_snd.sb_timeo : KWAIT_FOREVER;
	while ((so->so_state & SS_ISCONNECTING) && so->so_error == 0) {
		if (nbio) {
			sounlock(so);
			return EINPROGRESS;
		}
		error = file_cv_wait(&so->so_cv, so->so_lock, deadline);
		if (error == ETIMEDOUT) {
			/* Linux: the attempt goes on in the background. */
			so->so_state |= SS_CONNPENDING;
			sounlock(so);
			return EINPROGRESS;
		}
		if (error == EINTR) {
			sounlock(so);
			return EINTR;
		}
	}
	error = so->so_error;
	so->so_error = 0;
	sounlock(so);
	return error;
}

/*
 * Takes the first completed connection of a listening socket; the caller
 * gives it a file.  *sap gets the peer's address (room *lenp, then the
 * length).
 */
int
soaccept(struct socket *head, bool nbio, struct socket **sop,
    struct sockaddr *sa, socklen_t *lenp)
{
	const struct pr_usrreqs *ur = head->so_proto->pr_usrreqs;
	struct socket *so;
	kmutex_t *lk;
	int64_t deadline;
	int error;
	bool spun;

	*sop = NULL;
	solock(head);
	lk = head->so_lock;
	if (!(head->so_options & SOF_ACCEPTCONN)) {
		mutex_exit(lk);
		return EINVAL;
	}
	deadline = head->so_rcv.sb_timeo > 0 ?
	    uptime_ns() + head->so_rcv.sb_timeo : KWAIT_FOREVER;
	while (head->so_qlen == 0) {
		if (head->so_error != 0) {
			error = head->so_error;
			head->so_error = 0;
			mutex_exit(lk);
			return error;
		}
		if (nbio) {
			mutex_exit(lk);
			return EAGAIN;
		}
		/* A connection completes on head's lock: it may be a
		 * shared one, so the spin drops lk itself.  What changed
		 * while it was dropped is checked before any sleep. */
		spun = sbspin(head, &head->so_rcv);
		lk = head->so_lock;
		if (!(head->so_options & SOF_ACCEPTCONN)) {
			mutex_exit(lk);
			return EINVAL;
		}
		if (spun || head->so_qlen != 0 || head->so_error != 0)
			continue;
		error = file_cv_wait(&head->so_cv, lk, deadline);
		if (error == ETIMEDOUT)
			error = EAGAIN;
		if (error != 0) {
			mutex_exit(lk);
			return error;
		}
		if (!(head->so_options & SOF_ACCEPTCONN)) {
			mutex_exit(lk);
			return EINVAL;
		}
	}
	so = TAILQ_FIRST(&head->so_q);
	TAILQ_REMOVE(&head->so_q, so, so_qe);
	head->so_qlen--;
	so->so_head = NULL;
	so->so_state &= ~SS_NOFDREF;
	error = ur->pr_accept != NULL ? ur->pr_accept(so, sa, lenp) : 0;
	if (error == 0 && !(so->so_proto->pr_flags & PR_KEEPLOCK) &&
	    so->so_lock == lk)
		__atomic_store_n(&so->so_lock, &so->so_lockstore,
		    __ATOMIC_RELEASE);
	if (error != 0) {
		/* The connection died before it was taken (ECONNABORTED). */
		so->so_state |= SS_NOFDREF;
		if (ur->pr_abort != NULL)
			ur->pr_abort(so);
		if (so->so_pcb != NULL)
			ur->pr_detach(so);
		so->so_pcb = NULL;
		somaybefree(so);
		mutex_exit(lk);
		netisr_run();
		return error;
	}
	mutex_exit(lk);
	netisr_run();
	*sop = so;
	return 0;
}

int
soshutdown(struct socket *so, int how)
{
	const struct pr_usrreqs *ur = so->so_proto->pr_usrreqs;
	int error = 0;

	if (how < SHUT_RD || how > SHUT_RDWR)
		return EINVAL;
	solock(so);
	/* Linux: ENOTCONN on a connection-mode socket never connected. */
	if ((so->so_proto->pr_flags & PR_CONNREQUIRED) &&
	    !(so->so_state & (SS_ISCONNECTED | SS_ISCONNECTING |
	    SS_ISDISCONNECTED)) && !(so->so_options & SOF_ACCEPTCONN)) {
		sounlock(so);
		return ENOTCONN;
	}
	if (!(so->so_proto->pr_flags & PR_CONNREQUIRED) &&
	    !(so->so_state & SS_ISCONNECTED)) {
		sounlock(so);
		return ENOTCONN;
	}
	if (how != SHUT_WR) {
		so->so_state |= SS_CANTRCVMORE;
		sorwakeup(so);
		cv_broadcast(&so->so_cv);	/* a blocked accept */
	}
	if (how != SHUT_RD && !(so->so_state & SS_CANTSENDMORE)) {
		so->so_state |= SS_CANTSENDMORE;
		if (ur->pr_shutdown != NULL)
			error = ur->pr_shutdown(so);
		sowwakeup(so);
	}
	sounlock(so);
	netisr_run();
	return error;
}

/* Address of this end or the peer, into a sockaddr_storage. */
int
sogetaddr(struct socket *so, bool peer, struct sockaddr_storage *ss,
    socklen_t *lenp)
{
	const struct pr_usrreqs *ur = so->so_proto->pr_usrreqs;
	int error;

	memset(ss, 0, sizeof(*ss));
	*lenp = sizeof(*ss);
	solock(so);
	if (peer) {
		if (!(so->so_state & (SS_ISCONNECTED | SS_ISCONFIRMING)) &&
		    !(so->so_state & SS_ISDISCONNECTING))
			error = ENOTCONN;
		else if (ur->pr_peeraddr == NULL)
			error = EOPNOTSUPP;
		else
			error = ur->pr_peeraddr(so, (struct sockaddr *)ss,
			    lenp);
	} else {
		error = ur->pr_sockaddr != NULL ?
		    ur->pr_sockaddr(so, (struct sockaddr *)ss, lenp) :
		    EOPNOTSUPP;
	}
	sounlock(so);
	return error;
}

/* Drops everything in the receive buffer, control references too. */
void
sorflush(struct socket *so)
{
	const struct domain *dp = so->so_proto->pr_domain;
	struct mbuf *rec, *m;

	for (rec = so->so_rcv.sb_mb; rec != NULL; rec = rec->m_nextpkt)
		for (m = rec; m != NULL; m = m->m_next)
			if (m->m_type == MT_CONTROL && dp->dom_dispose != NULL)
				dp->dom_dispose(m);
	sbflush(&so->so_rcv);
}
