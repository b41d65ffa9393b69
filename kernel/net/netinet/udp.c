/*
 * udp.c: UDP over IPv4 and IPv6 (RFC 768, RFC 8200 8.1), including
 * v4-mapped addresses on AF_INET6 sockets, broadcast and multicast
 * delivery, ICMP errors (ECONNREFUSED on connected sockets, the error
 * queue with IP_RECVERR) and SO_REUSEPORT groups.
 *
 * Requests are called with so_lock held (k/socket.h).  Input runs with no
 * lock: it looks the pcb up (a reference), takes so_lock, appends, drops
 * it and the reference.  udbtable's lock is taken after so_lock.
 */
#include "k/kernel.h"
#include "k/abi_net.h"
#include "k/socket.h"
#include "net/if.h"
#include "net/netinet/in_pcb.h"
#include "net/netinet/ip_var.h"
#include "net/netinet/in_var.h"

struct inpcbtable udbtable;
#define UDP_BUFSIZE	212992		/* Linux's net.core.[rw]mem_default */
#define UDP_MAXDELIVER	64		/* sockets one broadcast reaches */

static struct inpcb *
sotoinpcb(struct socket *so)
{
	return so->so_pcb;
}

static int
udp_attach(struct socket *so, int proto __unused)
{
	const struct domain *d = so->so_proto->pr_domain;
	int error;

	if (so->so_snd.sb_hiwat == 0 &&
	    (error = sbreserve(&so->so_snd, UDP_BUFSIZE)) != 0)
		return error;
	if (so->so_rcv.sb_hiwat == 0 &&
	    (error = sbreserve(&so->so_rcv, UDP_BUFSIZE)) != 0)
		return error;
	return in_pcballoc(so, &udbtable, d->dom_family, IPPROTO_UDP);
}

static void
udp_detach(struct socket *so)
{
	struct inpcb *inp = sotoinpcb(so);

	if (inp != NULL)
		in_pcbdetach(inp);
}

static int
udp_bind(struct socket *so, const struct sockaddr *sa, socklen_t len)
{
	return in_pcbbind(sotoinpcb(so), sa, len);
}

static int
udp_connect(struct socket *so, const struct sockaddr *sa, socklen_t len)
{
	struct inpcb *inp = sotoinpcb(so);
	int error;

	/* connect(AF_UNSPEC) dissolves the association (Linux). */
	if (sa->sa_family == AF_UNSPEC) {
		in_pcbdisconnect(inp);
		so->so_state &= ~(SS_ISCONNECTED | SS_ISCONNECTING);
		return 0;
	}
	if ((error = in_pcbconnect(inp, sa, len)) != 0)
		return error;
	soisconnected(so);
	return 0;
}

static int
udp_disconnect(struct socket *so)
{
	struct inpcb *inp = sotoinpcb(so);

	if (!inp->inp_connected)
		return ENOTCONN;
	in_pcbdisconnect(inp);
	so->so_state &= ~SS_ISCONNECTED;
	return 0;
}

static int
udp_shutdown(struct socket *so __unused)
{
	return 0;
}

static int
udp_sockaddr(struct socket *so, struct sockaddr *sa, socklen_t *lenp)
{
	return in_pcbsockaddr(sotoinpcb(so), sa, lenp);
}

static int
udp_peeraddr(struct socket *so, struct sockaddr *sa, socklen_t *lenp)
{
	return in_pcbpeeraddr(sotoinpcb(so), sa, lenp);
}

static int
udp_send(struct socket *so, struct mbuf *m, const struct sockaddr *sa,
    socklen_t salen, struct mbuf *control, int flags __unused)
{
	struct inpcb *inp = sotoinpcb(so);
	struct in6_addr faddr;
	struct udphdr uh;
	struct ip_out o;
	uint16_t fport;
	size_t len = m != NULL ? m->m_pkthdr.len : 0;
	int af, error;

	if (sa != NULL) {
		if ((error = in_pcbcheckdst(inp, sa, salen, &faddr,
		    &fport)) != 0)
			goto out;
	} else {
		if (!inp->inp_connected) {
			error = EDESTADDRREQ;
			goto out;
		}
		faddr = inp->inp_faddr;
		fport = inp->inp_fport;
	}
	if (fport == 0) {
		error = EINVAL;
		goto out;
	}
	af = in6_is_v4mapped(&faddr) ? AF_INET : AF_INET6;
	if (len + sizeof(uh) + (af == AF_INET ? sizeof(struct ip) : 0) >
	    IP_MAXPACKET) {
		error = EMSGSIZE;
		goto out;
	}
	if (inp->inp_lport == 0 && (error = in_pcbautobind(inp)) != 0)
		goto out;
	ip_out_frompcb(&o, inp, IPPROTO_UDP, &faddr);
	if (inp->inp_connected && sa == NULL)
		o.src = inp->inp_laddr;
	else if (!inp->inp_connected || sa != NULL) {
		o.src = inp->inp_laddr;
		if (af == AF_INET6 && in6_is_v4mapped(&o.src))
			memset(&o.src, 0, sizeof(o.src));
	}
	if (control != NULL &&
	    (error = ip_applycontrol(inp, control, &o)) != 0)
		goto out;
	if (m == NULL && (m = m_gethdr(MT_DATA)) == NULL) {
		error = ENOBUFS;
		goto out;
	}
	M_PREPEND(m, sizeof(uh));
	if (m == NULL) {
		error = ENOBUFS;
		goto out;
	}
	uh.uh_sport = inp->inp_lport;
	uh.uh_dport = fport;
	uh.uh_ulen = htons((uint16_t)(len + sizeof(uh)));
	uh.uh_sum = 0;
	memcpy(mtod(m, void *), &uh, sizeof(uh));
	/* SO_NO_CHECK: IPv4 may go without a checksum (RFC 768). */
	if (!(af == AF_INET && (so->so_options & SOF_NOCHECK))) {
		m->m_pkthdr.csum_flags |= M_CSUM_UDP;
		m->m_pkthdr.l4off = 0;
	}
	m_freem(control);
	if ((error = in_output(m, &o)) == 0)
		atomic_fetch_add(&udpstat.udps_outdatagrams, 1);
	else if (error == ENOBUFS)
		atomic_fetch_add(&udpstat.udps_sndbuferrors, 1);
	return error;
out:
	m_freem(m);
	m_freem(control);
	return error;
}

/* Appends one datagram to inp's socket (so_lock not held on entry). */
struct udpstat udpstat;

static void
udp_append(struct inpcb *inp, struct mbuf *m, const struct ip_rcv *r,
    uint16_t sport)
{
	struct socket *so = inp->inp_socket;
	struct sockaddr_in6 from;
	struct mbuf *control = NULL;
	socklen_t fromlen;

	solock(so);
	if ((inp->inp_flags & INP_DEAD) ||
	    (so->so_state & SS_CANTRCVMORE) ||
	    (inp->inp_minttl != 0 && r->ttl < inp->inp_minttl) ||
	    sbspace(&so->so_rcv) < m->m_pkthdr.len) {
		sounlock(so);
		m_freem(m);
		atomic_fetch_add(&udpstat.udps_rcvbuferrors, 1);
		atomic_fetch_add(&udpstat.udps_inerrors, 1);
		return;
	}
	atomic_fetch_add(&udpstat.udps_indatagrams, 1);
	fromlen = in_sockaddr_fill(inp->inp_af, &r->src, sport,
	    (struct sockaddr *)&from);
	control = ip_savecontrol(inp, r);
	if (sbappendaddr(&so->so_rcv, (struct sockaddr *)&from, fromlen, m,
	    control) == 0)
		sorwakeup(so);
	sounlock(so);
}

struct udp_match {
	int af;
	const struct in6_addr *src, *dst;
	uint16_t sport, dport;
	bool mcast;
};

static bool
udp_match_multi(const struct inpcb *inp, void *arg)
{
	const struct udp_match *u = arg;

	if (inp->inp_lport != u->dport || !inp->inp_bound)
		return false;
	if (inp->inp_connected && (inp->inp_fport != u->sport ||
	    !in6_equal(&inp->inp_faddr, u->src)))
		return false;
	if (!in6_is_anyaddr(&inp->inp_laddr) && !inp->inp_connected &&
	    !in6_equal(&inp->inp_laddr, u->dst))
		return false;
	if (!in_pcbaccepts(inp, u->af, u->dst) && !(inp->inp_connected &&
	    (u->af == AF_INET) == in6_is_v4mapped(&inp->inp_laddr)))
		return false;
	if (u->mcast && !in_mcast_member(inp, u->af, u->dst))
		return false;
	return true;
}

static void
udp_input(struct mbuf *m, const struct ip_rcv *r)
{
	struct udphdr uh;
	struct inpcb *inp;
	size_t ulen;

	if (r->len < sizeof(uh))
		goto drop;
	m_copydata(m, r->off, sizeof(uh), &uh);
	ulen = ntohs(uh.uh_ulen);
	if (ulen < sizeof(uh) || ulen > r->len)
		goto drop;
	if (ulen < r->len)
		m_adj(m, -(ssize_t)(r->len - ulen));
	/* Loopback leaves the checksum unfilled and marks it trusted. */
	if (m->m_pkthdr.csum_flags & M_CSUM_DATA_VALID)
		;
	else if (uh.uh_sum == 0) {
		/* No checksum: allowed for IPv4 only. */
		if (r->af == AF_INET6)
			goto drop;
	} else if (in_cksum_pseudo(r->af, &r->src, &r->dst, IPPROTO_UDP, m,
	    r->off, ulen) != 0) {
		atomic_fetch_add(&udpstat.udps_incsumerrors, 1);
		goto bad;
	}
	if (uh.uh_dport == 0)
		goto drop;

	if (r->flags & (IPRCV_BCAST | IPRCV_MCAST)) {
		struct inpcb *v[UDP_MAXDELIVER];
		struct udp_match u = {
			.af = r->af, .src = &r->src, .dst = &r->dst,
			.sport = uh.uh_sport, .dport = uh.uh_dport,
			.mcast = (r->flags & IPRCV_MCAST) != 0,
		};
		size_t n = in_pcblookup_all(&udbtable, udp_match_multi, &u, v,
		    UDP_MAXDELIVER), i;

		n = MIN(n, UDP_MAXDELIVER);
		m_adj(m, (ssize_t)(r->off + sizeof(uh)));
		for (i = 0; i < n; i++) {
			struct mbuf *c = i + 1 < n ? m_copym(m, 0, M_COPYALL) :
			    m;

			if (c != NULL)
				udp_append(v[i], c, r, uh.uh_sport);
			in_pcbrele(v[i]);
		}
		if (n == 0)
			m_freem(m);
		return;
	}
	inp = in_pcblookup(&udbtable, r->af, &r->src, uh.uh_sport, &r->dst,
	    uh.uh_dport, 0);
	if (inp == NULL) {
		atomic_fetch_add(&udpstat.udps_noports, 1);
		if (r->af == AF_INET)
			icmp_error(AF_INET, m, ICMP_DEST_UNREACH,
			    ICMP_PORT_UNREACH, 0);
		else
			icmp_error(AF_INET6, m, ICMPV6_DEST_UNREACH,
			    ICMPV6_PORT_UNREACH, 0);
		return;
	}
	m_adj(m, (ssize_t)(r->off + sizeof(uh)));
	udp_append(inp, m, r, uh.uh_sport);
	in_pcbrele(inp);
	return;
bad:
	atomic_fetch_add(&udpstat.udps_inerrors, 1);
drop:
	m_freem(m);
}

static void
udp_ctlinput(const struct ip_ctlmsg *c)
{
	struct udphdr uh;
	struct inpcb *inp;
	struct socket *so;

	if (c->quotedlen < sizeof(uh))
		return;
	memcpy(&uh, c->quoted, sizeof(uh));
	inp = in_pcblookup(&udbtable, c->af, &c->dst, uh.uh_dport, &c->src,
	    uh.uh_sport, 0);
	if (inp == NULL)
		return;
	so = inp->inp_socket;
	solock(so);
	if (!(inp->inp_flags & INP_DEAD)) {
		if (inp->inp_flags & INP_RECVERR) {
			/* The data is what was sent: the UDP payload. */
			ip_errq_append(inp, c, c->l4off + sizeof(uh),
			    uh.uh_dport);
			sowakeup_error(so, c->error);
		} else if (c->hard && inp->inp_connected)
			sowakeup_error(so, c->error);
	}
	sounlock(so);
	in_pcbrele(inp);
}

static int
udp_ctloutput(int op, struct socket *so, struct sockopt *sopt)
{
	if (sopt->sopt_level == SOL_UDP)
		return ENOPROTOOPT;
	return ip_ctloutput(op, so, sopt);
}

static int
udp_ioctl(struct socket *so, unsigned long cmd, void *data)
{
	return in_dgram_ioctl(so, cmd, data);
}

const struct pr_usrreqs udp_usrreqs = {
	.pr_attach = udp_attach,
	.pr_detach = udp_detach,
	.pr_bind = udp_bind,
	.pr_connect = udp_connect,
	.pr_disconnect = udp_disconnect,
	.pr_shutdown = udp_shutdown,
	.pr_sockaddr = udp_sockaddr,
	.pr_peeraddr = udp_peeraddr,
	.pr_send = udp_send,
	.pr_ioctl = udp_ioctl,
	.pr_ctloutput = udp_ctloutput,
	.pr_recverr = ip_errq_recv,
	.pr_poll = ip_errq_poll,
};

static const struct ip_protosw udp_ipsw = {
	.ipp_input = udp_input,
	.ipp_ctlinput = udp_ctlinput,
};

INPCB_BUCKETS(udb, 4096);

int
udp_init(void)
{
	int error;

	if ((error = INPCB_TABLE_INIT(&udbtable, "udp", IPPROTO_UDP,
	    udb)) != 0)
		return error;
	if ((error = ip_proto_register(AF_INET, IPPROTO_UDP, &udp_ipsw)) != 0)
		return error;
	return ip_proto_register(AF_INET6, IPPROTO_UDP, &udp_ipsw);
}
