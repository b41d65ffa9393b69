/*
 * tcp_usrreq.c: TCP's side of the socket layer (k/socket.h pr_usrreqs):
 * attach/detach, bind/listen/connect, close and shutdown per RFC 9293
 * 3.10.4 (with SO_LINGER 0 and unread data meaning RST, as Linux does),
 * send/rcvd, the SIOC* ioctls and the SOL_TCP options; IP-level options
 * go to ip_ctloutput().  The component registers TCP with IPv4 and IPv6.
 *
 * Every request is called with so_lock held (k/socket.h).  A closed
 * socket's connection lives on (TF_ORPHAN) until FIN_WAIT/LAST_ACK/
 * TIME_WAIT end; its inpcb keeps the socket structure, not a descriptor.
 */
#include "k/kernel.h"
#include "k/abi_net.h"
#include "k/component.h"
#include "k/socket.h"
#include "net/netinet/in_pcb.h"
#include "net/netinet/ip_var.h"
#include "net/netinet/tcp_var.h"
#include "net/netinet/tcp_syn.h"

/* Defaults as Linux's tcp_wmem/tcp_rmem maxima: nothing is reserved. */
#define TCP_SNDBUF_DEFAULT	(4u << 20)
#define TCP_RCVBUF_DEFAULT	(6u << 20)

static struct tcpcb *
so_tcpcb(struct socket *so)
{
	struct inpcb *inp = so->so_pcb;
	struct tcpcb *tp = inp != NULL ? intotcpcb(inp) : NULL;

	return tp != NULL && !(tp->t_flags & TF_DEAD) ? tp : NULL;
}

static int
tcp_attach(struct socket *so, int proto)
{
	struct inpcb *inp;
	struct tcpcb *tp;
	int error;

	if (proto != 0 && proto != IPPROTO_TCP)
		return EPROTONOSUPPORT;
	/* soalloc gave net.core's 208 KiB default, which kept a bulk
	 * transfer to three 64 KiB segments in flight: a size nobody set
	 * (SB_AUTOSIZE) becomes TCP's own. */
	if (so->so_snd.sb_hiwat == 0 || (so->so_snd.sb_flags & SB_AUTOSIZE)) {
		so->so_snd.sb_hiwat = TCP_SNDBUF_DEFAULT;
		so->so_snd.sb_flags |= SB_AUTOSIZE;
	}
	if (so->so_rcv.sb_hiwat == 0 || (so->so_rcv.sb_flags & SB_AUTOSIZE)) {
		so->so_rcv.sb_hiwat = TCP_RCVBUF_DEFAULT;
		so->so_rcv.sb_flags |= SB_AUTOSIZE;
	}
	error = in_pcballoc(so, &tcbtable, so->so_proto->pr_domain->dom_family,
	    IPPROTO_TCP);
	if (error != 0)
		return error;
	inp = so->so_pcb;
	if ((error = tcp_newtcpcb(inp, &tp)) != 0) {
		in_pcbdetach(inp);
		return error;
	}
	return 0;
}

/* The user is done sending (close or SHUT_WR): RFC 9293 3.10.4. */
static struct tcpcb *
tcp_usrclosed(struct tcpcb *tp)
{
	switch (tp->t_state) {
	case TCPS_CLOSED:
	case TCPS_LISTEN:
	case TCPS_SYN_SENT:
		return tcp_close(tp);
	case TCPS_SYN_RECEIVED:
	case TCPS_ESTABLISHED:
		tcp_set_state(tp, TCPS_FIN_WAIT_1);
		break;
	case TCPS_CLOSE_WAIT:
		tcp_set_state(tp, TCPS_LAST_ACK);
		break;
	default:
		break;
	}
	if (tp->t_state >= TCPS_FIN_WAIT_2 && tp->t_state != TCPS_LAST_ACK)
		soisdisconnected(tp->t_socket);
	return tp;
}

static int
tcp_disconnect(struct socket *so)
{
	struct tcpcb *tp = so_tcpcb(so);

	if (tp == NULL)
		return 0;
	/* SO_LINGER 0, or data the reader never took: abort with RST. */
	if (((so->so_options & SOF_LINGER) && so->so_linger == 0) ||
	    (so->so_rcv.sb_cc > 0 && TCPS_HAVEESTABLISHED(tp->t_state))) {
		tp = tcp_drop(tp, 0);
		return 0;
	}
	if (tp->t_state < TCPS_ESTABLISHED && tp->t_state != TCPS_SYN_RECEIVED) {
		(void)tcp_close(tp);
		return 0;
	}
	soisdisconnecting(so);
	sbflush(&so->so_rcv);
	tp = tcp_usrclosed(tp);
	if (tp != NULL)
		(void)tcp_output(tp);
	return 0;
}

static void
tcp_detach(struct socket *so)
{
	struct tcpcb *tp = so_tcpcb(so);

	if (tp == NULL)
		return;
	tp->t_flags |= TF_ORPHAN;
	switch (tp->t_state) {
	case TCPS_CLOSED:
	case TCPS_LISTEN:
	case TCPS_SYN_SENT:
		(void)tcp_close(tp);
		return;
	case TCPS_SYN_RECEIVED:
	case TCPS_ESTABLISHED:
	case TCPS_CLOSE_WAIT:
		/* Not disconnected first (an embryonic socket): do it now. */
		(void)tcp_disconnect(so);
		return;
	case TCPS_FIN_WAIT_2:
		if (!tcp_timer_armed(tp, TCPT_2MSL))
			tcp_timer_arm(tp, TCPT_2MSL, (tp->t_linger2 > 0 ?
			    tp->t_linger2 : tcp_fin_timeout) * 1000000000LL);
		return;
	default:
		return;		/* FIN_WAIT_1, CLOSING, LAST_ACK, TIME_WAIT */
	}
}

static void
tcp_abort(struct socket *so)
{
	struct tcpcb *tp = so_tcpcb(so);

	if (tp != NULL)
		(void)tcp_drop(tp, ECONNABORTED);
}

static int
tcp_bind(struct socket *so, const struct sockaddr *sa, socklen_t len)
{
	struct tcpcb *tp = so_tcpcb(so);

	if (tp == NULL)
		return EINVAL;
	if (tp->t_state != TCPS_CLOSED)
		return EINVAL;
	return in_pcbbind(tp->t_inpcb, sa, len);
}

/* An ephemeral bind to the wildcard (listen or connect unbound). */
static int
tcp_autobind(struct inpcb *inp)
{
	struct sockaddr_in6 sa;
	struct in6_addr any;
	socklen_t len;

	memset(&any, 0, sizeof(any));
	if (inp->inp_af == AF_INET)
		in6_set_v4mapped(&any, 0);
	len = in_sockaddr_fill(inp->inp_af, &any, 0, (struct sockaddr *)&sa);
	return in_pcbbind(inp, (struct sockaddr *)&sa, len);
}

static int
tcp_listen(struct socket *so, int backlog __unused)
{
	struct tcpcb *tp = so_tcpcb(so);
	int error;

	if (tp == NULL)
		return EINVAL;
	if (tp->t_state != TCPS_CLOSED && tp->t_state != TCPS_LISTEN)
		return EINVAL;
	if (tp->t_inpcb->inp_lport == 0 &&
	    (error = tcp_autobind(tp->t_inpcb)) != 0)
		return error;
	if (tp->t_state == TCPS_CLOSED) {
		tcp_set_state(tp, TCPS_LISTEN);
		tp->t_advmss = tcp_mssopt(tp);
	}
	return 0;
}

static int
tcp_connect(struct socket *so, const struct sockaddr *sa, socklen_t len)
{
	struct tcpcb *tp = so_tcpcb(so);
	struct inpcb *inp;
	int error;

	if (tp == NULL)
		return EINVAL;
	switch (tp->t_state) {
	case TCPS_CLOSED:
		break;
	case TCPS_SYN_SENT:
	case TCPS_SYN_RECEIVED:
		return EALREADY;
	case TCPS_LISTEN:
		return EINVAL;
	default:
		return EISCONN;
	}
	if (tp->t_flags & TF_WASCONNECTED)
		return EISCONN;
	inp = tp->t_inpcb;
	/* Linux's sk_reuse holds for a port connect() picks as well (it
	 * decides who may bind it in TIME_WAIT). */
	if (so->so_options & SOF_REUSEADDR)
		inp->inp_flags |= INP_REUSEADDR;
	if ((error = in_pcbconnect(inp, sa, len)) != 0)
		return error;
	tcp_request_options(tp);
	tp->iss = tcp_new_isn(&inp->inp_laddr, inp->inp_lport,
	    &inp->inp_faddr, inp->inp_fport);
	tp->snd_una = tp->snd_nxt = tp->snd_max = tp->iss;
	tp->snd_recover = tp->iss;
	tp->ts_offset = tcp_hash4(&inp->inp_laddr, inp->inp_lport,
	    &inp->inp_faddr, inp->inp_fport, 0, 2);
	tcp_mss_update(tp, 0);
	tcp_set_state(tp, TCPS_SYN_SENT);
	soisconnecting(so);
	atomic_fetch_add(&tcpstat.tcps_connattempt, 1);
	error = tcp_output(tp);
	if (error == ENOBUFS) {
		/* No memory for the SYN: the connect fails at once and the
		 * socket is unconnected again, as Linux's tcp_connect
		 * answers (not a wait for the SYN's retransmissions). */
		for (int t = 0; t < TCPT_NTIMERS; t++)
			tcp_timer_disarm(tp, t);
		tcp_set_state(tp, TCPS_CLOSED);
		in_pcbdisconnect(inp);
		so->so_state &= ~SS_ISCONNECTING;
		return ENOBUFS;
	}
	return error;
}

static int
tcp_shutdown(struct socket *so)
{
	struct tcpcb *tp = so_tcpcb(so);

	if (tp == NULL)
		return 0;
	if (tp->t_state == TCPS_LISTEN || tp->t_state == TCPS_CLOSED ||
	    tp->t_state == TCPS_SYN_SENT) {
		if (tp->t_state == TCPS_SYN_SENT)
			(void)tcp_close(tp);
		return 0;
	}
	tp = tcp_usrclosed(tp);
	if (tp != NULL)
		(void)tcp_output(tp);
	return 0;
}

static int
tcp_peeraddr(struct socket *so, struct sockaddr *sa, socklen_t *lenp)
{
	struct tcpcb *tp = so_tcpcb(so);

	if (tp == NULL || !TCPS_HAVERCVDSYN(tp->t_state) ||
	    tp->t_state == TCPS_CLOSED)
		return ENOTCONN;
	return in_pcbpeeraddr(tp->t_inpcb, sa, lenp);
}

static int
tcp_sockaddr(struct socket *so, struct sockaddr *sa, socklen_t *lenp)
{
	struct inpcb *inp = so->so_pcb;

	if (inp == NULL)
		return EINVAL;
	return in_pcbsockaddr(inp, sa, lenp);
}

static int
tcp_accept(struct socket *so, struct sockaddr *sa, socklen_t *lenp)
{
	struct inpcb *inp = so->so_pcb;

	/* Reset before accept: Linux still hands it out, then ECONNRESET
	 * on use; the address is what it was (zeroed if gone). */
	if (inp == NULL)
		return ECONNABORTED;
	return in_pcbpeeraddr(inp, sa, lenp);
}

static int
tcp_send(struct socket *so, struct mbuf *m, const struct sockaddr *sa __unused,
    socklen_t salen __unused, struct mbuf *control, int flags)
{
	struct tcpcb *tp = so_tcpcb(so);
	bool cork;
	int error;

	m_freem(control);
	if (tp == NULL || !TCPS_HAVEESTABLISHED(tp->t_state)) {
		m_freem(m);
		return tp == NULL ? EPIPE : ENOTCONN;
	}
	if (TCPS_SENTFIN(tp->t_state) || tp->t_state == TCPS_LAST_ACK) {
		m_freem(m);
		return EPIPE;
	}
	if (m != NULL)
		sbappendstream(&so->so_snd, m);
	/* MSG_MORE: as TCP_CORK for this call. */
	cork = (flags & MSG_MORE) && !(tp->t_flags & TF_CORK);
	if (cork)
		tp->t_flags |= TF_CORK;
	error = tcp_output(tp);
	if (cork)
		tp->t_flags &= ~TF_CORK;
	return error == ENOBUFS ? 0 : error;
}

static void
tcp_rcvd(struct socket *so, int flags __unused)
{
	struct tcpcb *tp = so_tcpcb(so);

	if (tp != NULL && TCPS_HAVEESTABLISHED(tp->t_state))
		(void)tcp_output(tp);
}

static int
tcp_ioctl(struct socket *so, unsigned long cmd, void *data)
{
	struct tcpcb *tp = so_tcpcb(so);
	int v;

	if (tp == NULL)
		return EINVAL;
	switch (cmd) {
	case SIOCINQ:
		if (tp->t_state == TCPS_LISTEN)
			return EINVAL;
		v = (int)MIN(so->so_rcv.sb_cc, (size_t)INT32_MAX);
		break;
	case SIOCOUTQ:
		if (tp->t_state == TCPS_LISTEN)
			return EINVAL;
		v = (int)MIN(so->so_snd.sb_cc, (size_t)INT32_MAX);
		break;
	case SIOCOUTQNSD:
		if (tp->t_state == TCPS_LISTEN)
			return EINVAL;
		v = (int)(so->so_snd.sb_cc - MIN(so->so_snd.sb_cc,
		    (size_t)(tp->snd_max - tp->snd_una)));
		break;
	case SIOCATMARK:
		/* Urgent data is not implemented: never at the mark. */
		v = 0;
		break;
	default:
		return ENOTTY;
	}
	return copyout(&v, data, sizeof(v));
}

/* --- SOL_TCP options ------------------------------------------------------ */

static int
tcp_setflag(struct tcpcb *tp, uint32_t flag, int v)
{
	if (v)
		tp->t_flags |= flag;
	else
		tp->t_flags &= ~flag;
	return 0;
}

static int
tcp_setopt(struct socket *so, struct tcpcb *tp, struct sockopt *sopt)
{
	char name[TCP_CONGESTION_NAME_MAX];
	const struct tcp_cc *cc;
	int v, error;

	if (sopt->sopt_name == TCP_CONGESTION) {
		size_t n = MIN(sopt->sopt_size, sizeof(name) - 1);

		memcpy(name, sopt->sopt_data, n);
		name[n] = '\0';
		if ((cc = tcp_cc_find(name)) == NULL)
			return ENOENT;
		if (cc != tp->t_cc) {
			tp->t_cc = cc;
			if (TCPS_HAVEESTABLISHED(tp->t_state) &&
			    cc->cc_init != NULL) {
				uint32_t cwnd = tp->snd_cwnd;

				cc->cc_init(tp);
				tp->snd_cwnd = cwnd;
			}
		}
		return 0;
	}
	if ((error = sockopt_getint(sopt, &v)) != 0)
		return error;
	switch (sopt->sopt_name) {
	case TCP_NODELAY:
		tcp_setflag(tp, TF_NODELAY, v);
		if (v)
			(void)tcp_output(tp);
		return 0;
	case TCP_CORK:
		tcp_setflag(tp, TF_CORK, v);
		if (!v && TCPS_HAVEESTABLISHED(tp->t_state)) {
			/* Uncorking pushes what waits, like TCP_NODELAY once. */
			uint32_t nd = tp->t_flags & TF_NODELAY;

			tp->t_flags |= TF_NODELAY;
			(void)tcp_output(tp);
			tp->t_flags = (tp->t_flags & ~TF_NODELAY) | nd;
		}
		return 0;
	case TCP_MAXSEG:
		if (v != 0 && (v < 88 || v > 32767))
			return EINVAL;
		tp->t_usermss = (uint32_t)v;
		return 0;
	case TCP_KEEPIDLE:
	case TCP_KEEPINTVL:
		if (v < 1 || v > 32767)
			return EINVAL;
		if (sopt->sopt_name == TCP_KEEPIDLE) {
			tp->t_keepidle = v;
			tcp_keepalive_arm(tp);
		} else
			tp->t_keepintvl = v;
		return 0;
	case TCP_KEEPCNT:
		if (v < 1 || v > 127)
			return EINVAL;
		tp->t_keepmax = v;
		return 0;
	case TCP_SYNCNT:
		if (v < 1 || v > 127)
			return EINVAL;
		tp->t_syncnt = v;
		return 0;
	case TCP_LINGER2:
		tp->t_linger2 = v < 0 ? 0 : MIN(v, 120);
		return 0;
	case TCP_USER_TIMEOUT:
		if (v < 0)
			return EINVAL;
		tp->t_user_timeout = v;
		return 0;
	case TCP_QUICKACK:
		tcp_setflag(tp, TF_QUICKACK, v);
		if (v && (tp->t_flags & TF_DELACK)) {
			tp->t_flags |= TF_ACKNOW;
			(void)tcp_output(tp);
		}
		return 0;
	case TCP_INFO:
	default:
		(void)so;
		return ENOPROTOOPT;
	}
}

static int
tcp_getopt(struct tcpcb *tp, struct sockopt *sopt)
{
	struct tcp_info ti;
	int v;

	switch (sopt->sopt_name) {
	case TCP_INFO:
		tcp_set_info(tp, &ti);
		return sockopt_set(sopt, &ti, sizeof(ti));
	case TCP_CONGESTION: {
		char name[TCP_CONGESTION_NAME_MAX];

		memset(name, 0, sizeof(name));
		kstrlcpy(name, tp->t_cc->cc_name, sizeof(name));
		return sockopt_set(sopt, name, sizeof(name));
	}
	case TCP_NODELAY:
		v = (tp->t_flags & TF_NODELAY) != 0;
		break;
	case TCP_CORK:
		v = (tp->t_flags & TF_CORK) != 0;
		break;
	case TCP_MAXSEG:
		if (TCPS_HAVEESTABLISHED(tp->t_state))
			v = (int)tp->t_maxseg;
		else
			v = tp->t_usermss ? (int)tp->t_usermss :
			    TCP_MSS_DEFAULT;
		break;
	case TCP_KEEPIDLE:
		v = tp->t_keepidle;
		break;
	case TCP_KEEPINTVL:
		v = tp->t_keepintvl;
		break;
	case TCP_KEEPCNT:
		v = tp->t_keepmax;
		break;
	case TCP_SYNCNT:
		v = tp->t_syncnt ? tp->t_syncnt : (int)tcp_syn_retries;
		break;
	case TCP_LINGER2:
		v = tp->t_linger2 ? tp->t_linger2 : (int)tcp_fin_timeout;
		break;
	case TCP_USER_TIMEOUT:
		v = tp->t_user_timeout;
		break;
	case TCP_QUICKACK:
		v = (tp->t_flags & TF_QUICKACK) != 0 ||
		    !(tp->t_flags & TF_DELACK);
		break;
	default:
		return ENOPROTOOPT;
	}
	return sockopt_setint(sopt, v);
}

static int
tcp_ctloutput(int op, struct socket *so, struct sockopt *sopt)
{
	struct tcpcb *tp = so_tcpcb(so);

	if (sopt->sopt_level == SOL_SOCKET) {
		/* The layer answers these; TCP only follows SO_KEEPALIVE. */
		if (op == PRCO_SETOPT && sopt->sopt_name == SO_KEEPALIVE) {
			if (tp != NULL && (so->so_options & SOF_KEEPALIVE))
				tcp_keepalive_arm(tp);
			else if (tp != NULL)
				tcp_timer_disarm(tp, TCPT_KEEP);
			return 0;
		}
		return ENOPROTOOPT;
	}
	if (sopt->sopt_level != SOL_TCP)
		return ip_ctloutput(op, so, sopt);
	if (tp == NULL) {
		/* The connection is gone (reset, TIME_WAIT over): closed. */
		if (op == PRCO_GETOPT && sopt->sopt_name == TCP_INFO) {
			struct tcp_info ti;

			memset(&ti, 0, sizeof(ti));
			ti.tcpi_state = TCP_CLOSE;
			return sockopt_set(sopt, &ti, sizeof(ti));
		}
		return op == PRCO_SETOPT ? 0 : ENOPROTOOPT;
	}
	return op == PRCO_SETOPT ? tcp_setopt(so, tp, sopt) :
	    tcp_getopt(tp, sopt);
}

const struct pr_usrreqs tcp_usrreqs = {
	.pr_attach = tcp_attach,
	.pr_detach = tcp_detach,
	.pr_bind = tcp_bind,
	.pr_listen = tcp_listen,
	.pr_connect = tcp_connect,
	.pr_disconnect = tcp_disconnect,
	.pr_shutdown = tcp_shutdown,
	.pr_abort = tcp_abort,
	.pr_peeraddr = tcp_peeraddr,
	.pr_sockaddr = tcp_sockaddr,
	.pr_accept = tcp_accept,
	.pr_send = tcp_send,
	.pr_sendoob = NULL,		/* MSG_OOB: EOPNOTSUPP */
	.pr_rcvd = tcp_rcvd,
	.pr_ioctl = tcp_ioctl,
	.pr_ctloutput = tcp_ctloutput,
	.pr_poll = NULL,
	/* TCP queues no ICMP errors (Linux: so_error only): EAGAIN. */
	.pr_recverr = ip_errq_recv,
};

static const struct ip_protosw tcp_ipsw = {
	.ipp_input = tcp_input,
	.ipp_ctlinput = tcp_ctlinput,
};

/* Called by the inet component once its tables exist. */
int
tcp_attach_proto(void)
{
	int error;

	if ((error = tcp_init()) != 0)
		return error;
	if ((error = ip_proto_register(AF_INET, IPPROTO_TCP, &tcp_ipsw)) != 0)
		return error;
	return ip_proto_register(AF_INET6, IPPROTO_TCP, &tcp_ipsw);
}
