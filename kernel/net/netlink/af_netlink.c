/*
 * af_netlink.c: AF_NETLINK sockets (netlink(7)): ports, bind, getsockname,
 * the SOL_NETLINK options, and the request loop that splits a datagram
 * into messages, hands each to its protocol and queues the answers on
 * the sender's receive buffer (netlink.h has the design).
 *
 * NETLINK_ROUTE (rtnl*.c) and NETLINK_SOCK_DIAG (sock_diag.c) exist;
 * other protocols are EPROTONOSUPPORT.  Messages to other ports and multicast
 * sends are not delivered (ECONNREFUSED, EPERM as to a port that does
 * not exist / without privilege).
 */
#include "netlink.h"
#include "net/if_cfg.h"

#define NL_BUFSIZE	212992		/* Linux's rmem_default */

static kmutex_t nl_lock;
static LIST_HEAD(, nlpcb) nl_socks = LIST_HEAD_INITIALIZER(nl_socks);
static uint32_t nl_rover = 0x80000000u;	/* Linux: negative ports */

static struct nlpcb *
sotonlpcb(struct socket *so)
{
	return so->so_pcb;
}

static bool
port_taken(int proto, uint32_t port)
{
	struct nlpcb *np;

	LIST_FOREACH(np, &nl_socks, np_list)
		if (np->np_proto == proto && np->np_portid == port)
			return true;
	return false;
}

/* Binds np to port (0: the caller's pid if free, else a negative one). */
static int
nl_bindport(struct nlpcb *np, uint32_t port)
{
	int error = 0;

	mutex_enter(&nl_lock);
	if (np->np_portid != 0) {
		error = np->np_portid == port || port == 0 ? 0 : EINVAL;
	} else if (port != 0) {
		if (port_taken(np->np_proto, port))
			error = EADDRINUSE;
		else
			np->np_portid = port;
	} else {
		port = (uint32_t)curproc->p_pid;
		while (port == 0 || port_taken(np->np_proto, port))
			port = nl_rover--;
		np->np_portid = port;
	}
	mutex_exit(&nl_lock);
	return error;
}

static int
nl_attach(struct socket *so, int proto)
{
	struct nlpcb *np;
	int error;

	if (proto != NETLINK_ROUTE && proto != NETLINK_SOCK_DIAG)
		return EPROTONOSUPPORT;
	if ((so->so_snd.sb_hiwat == 0 &&
	    (error = sbreserve(&so->so_snd, NL_BUFSIZE)) != 0) ||
	    (so->so_rcv.sb_hiwat == 0 &&
	    (error = sbreserve(&so->so_rcv, NL_BUFSIZE)) != 0))
		return error;
	if ((np = kmem_zalloc(sizeof(*np))) == NULL)
		return ENOBUFS;
	np->np_so = so;
	np->np_proto = proto;
	so->so_pcb = np;
	mutex_enter(&nl_lock);
	LIST_INSERT_HEAD(&nl_socks, np, np_list);
	mutex_exit(&nl_lock);
	return 0;
}

static void
nl_detach(struct socket *so)
{
	struct nlpcb *np = sotonlpcb(so);

	if (np == NULL)
		return;
	mutex_enter(&nl_lock);
	LIST_REMOVE(np, np_list);
	mutex_exit(&nl_lock);
	so->so_pcb = NULL;
	kmem_free(np, sizeof(*np));
}

static int
nl_addr(const struct sockaddr *sa, socklen_t len, struct sockaddr_nl *nl)
{
	if (len < sizeof(*nl))
		return EINVAL;
	memcpy(nl, sa, sizeof(*nl));
	return nl->nl_family == AF_NETLINK ? 0 : EINVAL;
}

static int
nl_bind(struct socket *so, const struct sockaddr *sa, socklen_t len)
{
	struct nlpcb *np = sotonlpcb(so);
	struct sockaddr_nl nl;
	int error;

	if ((error = nl_addr(sa, len, &nl)) != 0)
		return error;
	/* Joining groups: for NETLINK_ROUTE anyone may listen. */
	if ((error = nl_bindport(np, nl.nl_pid)) != 0)
		return error;
	np->np_groups = nl.nl_groups;
	return 0;
}

static int
nl_connect(struct socket *so, const struct sockaddr *sa, socklen_t len)
{
	struct nlpcb *np = sotonlpcb(so);
	struct sockaddr_nl nl;
	int error;

	if ((error = nl_addr(sa, len, &nl)) != 0)
		return error;
	if ((error = nl_bindport(np, 0)) != 0)
		return error;
	np->np_dst_portid = nl.nl_pid;
	np->np_dst_groups = nl.nl_groups;
	soisconnected(so);
	return 0;
}

static int
nl_disconnect(struct socket *so)
{
	struct nlpcb *np = sotonlpcb(so);

	np->np_dst_portid = np->np_dst_groups = 0;
	return 0;
}

static int
nl_shutdown(struct socket *so)
{
	(void)so;
	return 0;
}

static int
nl_name(struct socket *so, bool peer, struct sockaddr *sa, socklen_t *lenp)
{
	struct nlpcb *np = sotonlpcb(so);
	struct sockaddr_nl nl = { .nl_family = AF_NETLINK };

	if (peer) {
		nl.nl_pid = np->np_dst_portid;
		nl.nl_groups = np->np_dst_groups;
	} else {
		nl.nl_pid = np->np_portid;
		nl.nl_groups = np->np_groups;
	}
	memcpy(sa, &nl, MIN(*lenp, (socklen_t)sizeof(nl)));
	*lenp = sizeof(nl);
	return 0;
}

static int
nl_sockaddr(struct socket *so, struct sockaddr *sa, socklen_t *lenp)
{
	return nl_name(so, false, sa, lenp);
}

static int
nl_peeraddr(struct socket *so, struct sockaddr *sa, socklen_t *lenp)
{
	return nl_name(so, true, sa, lenp);
}

/* Queues the answers on the requester's receive buffer. */
static void
nl_deliver(struct socket *so, struct nlreply *r)
{
	struct sockaddr_nl from = { .nl_family = AF_NETLINK };
	bool woke = false;

	for (struct nldgram *d = r->nr_first; d != NULL; d = d->nd_next) {
		struct mbuf *m;

		/* A reader that lets answers pile up loses them, as on
		 * Linux (ENOBUFS on its next receive). */
		if (so->so_rcv.sb_cc + d->nd_len > 4 * so->so_rcv.sb_hiwat) {
			so->so_error = ENOBUFS;
			break;
		}
		if ((m = m_gethdr(MT_DATA)) == NULL)
			break;
		if (m_append(m, d->nd_len, d->nd_buf) != 0) {
			m_freem(m);
			break;
		}
		m->m_pkthdr.len = d->nd_len;
		if (sbappendaddr(&so->so_rcv, (struct sockaddr *)&from,
		    sizeof(from), m, NULL) != 0)
			break;
		woke = true;
	}
	if (woke || so->so_error != 0)
		sorwakeup(so);
}

/* The request loop (Linux's netlink_rcv_skb, with bad lengths answered). */
static void
nl_input(struct nlpcb *np, const uint8_t *buf, size_t len,
    struct nlreply *r)
{
	size_t off = 0;

	while (len - off >= (size_t)NLMSG_HDRLEN) {
		const struct nlmsghdr *h = (const void *)(buf + off);
		struct nlmsg_ctx c = { .nc_pcb = np, .nc_req = h,
		    .nc_reply = r };
		struct nlmsghdr trunc;
		int error = 0;

		if (h->nlmsg_len < (uint32_t)NLMSG_HDRLEN ||
		    h->nlmsg_len > len - off) {
			/* Past the first message, what is left is padding
			 * (iproute2 sends its whole request buffer with the
			 * dump requests of ip neigh flush): Linux stops
			 * silently there, and so must we or ip's
			 * rtnl_send_check sees an error. */
			if (off > 0)
				return;
			/* Answer with the header only: what is there. */
			trunc = *h;
			trunc.nlmsg_len = sizeof(trunc);
			c.nc_req = &trunc;
			c.nc_extmsg = "message length is not the datagram's";
			nl_ack(&c, EINVAL);
			return;
		}
		if (!(h->nlmsg_flags & NLM_F_REQUEST) ||
		    h->nlmsg_type < NLMSG_MIN_TYPE)
			goto ack;
		error = np->np_proto == NETLINK_SOCK_DIAG ?
		    sock_diag_rcv(&c) : rtnl_rcv(&c);
		if (r->nr_nomem)
			error = ENOBUFS;
ack:
		if ((h->nlmsg_flags & NLM_F_ACK) || error != 0)
			nl_ack(&c, error);
		off += NLMSG_ALIGN(h->nlmsg_len);
		if (off > len)
			off = len;
	}
}

static int
nl_send(struct socket *so, struct mbuf *m, const struct sockaddr *sa,
    socklen_t salen, struct mbuf *control, int flags)
{
	struct nlpcb *np = sotonlpcb(so);
	struct nlreply r = { 0 };
	struct sockaddr_nl to = { 0 };
	size_t len = m != NULL ? m_length(m) : 0;
	uint8_t *buf = NULL;
	int error = 0;

	(void)flags;
	m_freem(control);
	if (sa != NULL && (error = nl_addr(sa, salen, &to)) != 0)
		goto out;
	if (sa == NULL) {
		to.nl_pid = np->np_dst_portid;
		to.nl_groups = np->np_dst_groups;
	}
	if (to.nl_groups != 0 && !netcfg_priv()) {
		error = EPERM;
		goto out;
	}
	if ((error = nl_bindport(np, 0)) != 0)
		goto out;
	if (to.nl_pid != 0) {
		error = ECONNREFUSED;	/* port-to-port: not delivered */
		goto out;
	}
	if (len > 0) {
		if ((buf = kmem_alloc(len)) == NULL) {
			error = ENOBUFS;
			goto out;
		}
		m_copydata(m, 0, len, buf);
	}
	nl_input(np, buf, len, &r);
	nl_deliver(so, &r);
	nl_reply_free(&r);
out:
	if (buf != NULL)
		kmem_free(buf, len);
	m_freem(m);
	return error;
}

static int
nl_ctloutput(int op, struct socket *so, struct sockopt *sopt)
{
	struct nlpcb *np = sotonlpcb(so);
	int v, bit, error;

	if (sopt->sopt_level != SOL_NETLINK)
		return ENOPROTOOPT;
	switch (sopt->sopt_name) {
	case NETLINK_EXT_ACK:		bit = NLF_EXT_ACK; break;
	case NETLINK_CAP_ACK:		bit = NLF_CAP_ACK; break;
	case NETLINK_GET_STRICT_CHK:	bit = NLF_STRICT; break;
	case NETLINK_NO_ENOBUFS:	bit = NLF_NO_ENOBUFS; break;
	case NETLINK_PKTINFO:		bit = NLF_PKTINFO; break;
	case NETLINK_BROADCAST_ERROR:	bit = NLF_BCAST_ERR; break;
	case NETLINK_LISTEN_ALL_NSID:	bit = NLF_LISTEN_ALL; break;
	case NETLINK_ADD_MEMBERSHIP: case NETLINK_DROP_MEMBERSHIP:
		if (op == PRCO_GETOPT)
			return ENOPROTOOPT;
		if ((error = sockopt_getint(sopt, &v)) != 0)
			return error;
		if (v < 1 || v > 32)
			return EINVAL;
		if (sopt->sopt_name == NETLINK_ADD_MEMBERSHIP)
			np->np_groups |= 1u << (v - 1);
		else
			np->np_groups &= ~(1u << (v - 1));
		return 0;
	case NETLINK_LIST_MEMBERSHIPS:
		if (op != PRCO_GETOPT)
			return ENOPROTOOPT;
		return sockopt_set(sopt, &np->np_groups,
		    sizeof(np->np_groups));
	default:
		return ENOPROTOOPT;
	}
	if (op == PRCO_GETOPT)
		return sockopt_setint(sopt, (np->np_flags & bit) != 0);
	if ((error = sockopt_getint(sopt, &v)) != 0)
		return error;
	if (v)
		np->np_flags |= bit;
	else
		np->np_flags &= ~bit;
	return 0;
}

static const struct pr_usrreqs nl_usrreqs = {
	.pr_attach = nl_attach,
	.pr_detach = nl_detach,
	.pr_bind = nl_bind,
	.pr_connect = nl_connect,
	.pr_disconnect = nl_disconnect,
	.pr_shutdown = nl_shutdown,
	.pr_sockaddr = nl_sockaddr,
	.pr_peeraddr = nl_peeraddr,
	.pr_send = nl_send,
	.pr_ctloutput = nl_ctloutput,
};

static struct domain netlinkdomain;
static const struct protosw nl_protosw[] = {
	{ .pr_type = SOCK_RAW, .pr_domain = &netlinkdomain,
	  .pr_protocol = 0, .pr_flags = PR_ATOMIC | PR_ADDR,
	  .pr_usrreqs = &nl_usrreqs },
	{ .pr_type = SOCK_DGRAM, .pr_domain = &netlinkdomain,
	  .pr_protocol = 0, .pr_flags = PR_ATOMIC | PR_ADDR,
	  .pr_usrreqs = &nl_usrreqs },
};
static struct domain netlinkdomain = {
	.dom_family = AF_NETLINK,
	.dom_name = "netlink",
	.dom_protosw = nl_protosw,
	.dom_nprotosw = __arraycount(nl_protosw),
};

int
netlink_init(void)
{
	mutex_init(&nl_lock);
	return domain_register(&netlinkdomain);
}
