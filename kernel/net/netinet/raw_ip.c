/*
 * raw_ip.c: raw sockets (SOCK_RAW, root only) and ping sockets (SOCK_DGRAM
 * with IPPROTO_ICMP / IPPROTO_ICMPV6, for the groups in
 * net.ipv4.ping_group_range) of both families.
 *
 * Raw IPv4 sockets receive whole packets (IP header included) of their
 * protocol and send payloads (or whole packets with IP_HDRINCL /
 * IPPROTO_RAW); raw IPv6 sockets see and send payloads only, ICMPv6 ones
 * with the checksum computed by the kernel (RFC 3542 3.1).  A ping
 * socket's "port" is its echo identifier: it sends echo requests (the
 * kernel sets the identifier and checksum) and receives the replies with
 * that identifier.
 *
 * Locking: as udp.c - input looks pcbs up in rawtable / pingtable (each
 * with its ipt_lock), then takes each socket's so_lock to append.
 */
#include "k/kernel.h"
#include "k/abi_net.h"
#include "k/socket.h"
#include "net/if.h"
#include "net/netinet/in_pcb.h"
#include "net/netinet/ip_var.h"
#include "net/netinet/in_var.h"
#include "net/netinet/in_pcbport.h"

struct inpcbtable rawtable, pingtable;
/* net.ipv4.ping_group_range: "1 0" (nobody), Linux's default. */
int64_t ping_gid_lo = 1, ping_gid_hi = 0;
#define RAW_MAXDELIVER	32
#define RAW_BUFSIZE	212992

static struct inpcb *
sotoinpcb(struct socket *so)
{
	return so->so_pcb;
}

int
rip_permit(int proto __unused)
{
	return cred_is_root(kauth_cred_get()) ? 0 : EPERM;
}

int
ping_permit(int proto __unused)
{
	struct kauth_cred *cr = kauth_cred_get();

	/* As Linux's ping_init_sock: the egid or a supplementary group in
	 * the range, whatever the uid (root included). */
	if ((int64_t)cr->cr_egid >= ping_gid_lo &&
	    (int64_t)cr->cr_egid <= ping_gid_hi)
		return 0;
	for (int i = 0; i < cr->cr_ngroups; i++)
		if ((int64_t)cr->cr_groups[i] >= ping_gid_lo &&
		    (int64_t)cr->cr_groups[i] <= ping_gid_hi)
			return 0;
	return EACCES;
}

static int
raw_attach_common(struct socket *so, struct inpcbtable *t, int proto)
{
	int error;

	if (so->so_snd.sb_hiwat == 0 &&
	    (error = sbreserve(&so->so_snd, RAW_BUFSIZE)) != 0)
		return error;
	if (so->so_rcv.sb_hiwat == 0 &&
	    (error = sbreserve(&so->so_rcv, RAW_BUFSIZE)) != 0)
		return error;
	return in_pcballoc(so, t, so->so_proto->pr_domain->dom_family, proto);
}

static int
rip_attach(struct socket *so, int proto)
{
	int af = so->so_proto->pr_domain->dom_family, error;

	if (proto <= 0 || proto > 255)
		return EPROTONOSUPPORT;
	if ((error = raw_attach_common(so, &rawtable, proto)) != 0)
		return error;
	if (af == AF_INET && proto == IPPROTO_RAW)
		sotoinpcb(so)->inp_flags |= INP_HDRINCL;
	if (af == AF_INET6 && proto == IPPROTO_ICMPV6)
		sotoinpcb(so)->inp_cksum6 = 2;
	return 0;
}

static int
ping_attach(struct socket *so, int proto)
{
	int af = so->so_proto->pr_domain->dom_family;

	if ((af == AF_INET && proto != IPPROTO_ICMP) ||
	    (af == AF_INET6 && proto != IPPROTO_ICMPV6))
		return EPROTONOSUPPORT;
	return raw_attach_common(so, &pingtable, proto);
}

static void
rip_detach(struct socket *so)
{
	if (sotoinpcb(so) != NULL)
		in_pcbdetach(sotoinpcb(so));
}

/* Raw bind: an address of ours, no port. */
static int
rip_bind(struct socket *so, const struct sockaddr *sa, socklen_t len)
{
	struct inpcb *inp = sotoinpcb(so);
	struct in6_addr a;
	uint16_t port;
	uint32_t scope;
	int error;

	if ((error = in_sockaddr_parse(inp, sa, len, true, &a, &port,
	    &scope)) != 0)
		return error;
	if (!in6_is_anyaddr(&a) && !(inp->inp_flags & INP_FREEBIND) &&
	    if_ours(in6_is_v4mapped(&a) ? AF_INET : AF_INET6, &a,
	    NULL) == NULL)
		return EADDRNOTAVAIL;
	if (inp->inp_af == AF_INET6 && in6_is_v4mapped(&a))
		return EINVAL;
	inp->inp_laddr = a;
	return 0;
}

static int
ping_bind(struct socket *so, const struct sockaddr *sa, socklen_t len)
{
	return in_pcbbind(sotoinpcb(so), sa, len);
}

static int
rip_connect(struct socket *so, const struct sockaddr *sa, socklen_t len)
{
	struct inpcb *inp = sotoinpcb(so);
	struct in6_addr f;
	uint16_t port;
	int error;

	if (sa->sa_family == AF_UNSPEC) {
		memset(&inp->inp_faddr, 0, sizeof(inp->inp_faddr));
		inp->inp_connected = false;
		so->so_state &= ~SS_ISCONNECTED;
		return 0;
	}
	if ((error = in_pcbcheckdst(inp, sa, len, &f, &port)) != 0)
		return error;
	if (in6_is_anyaddr(&inp->inp_laddr) &&
	    (error = in_selectsrc(in6_is_v4mapped(&f) ? AF_INET : AF_INET6,
	    &f, 0, &inp->inp_laddr)) != 0)
		return error;
	/* Raw pcbs are not hashed: the flag only says "has a peer". */
	inp->inp_faddr = f;
	inp->inp_connected = false;
	soisconnected(so);
	return 0;
}

static int
ping_connect(struct socket *so, const struct sockaddr *sa, socklen_t len)
{
	struct inpcb *inp = sotoinpcb(so);
	int error;

	if (sa->sa_family == AF_UNSPEC) {
		in_pcbdisconnect(inp);
		so->so_state &= ~SS_ISCONNECTED;
		return 0;
	}
	if ((error = in_pcbconnect(inp, sa, len)) != 0)
		return error;
	soisconnected(so);
	return 0;
}

static int
rip_disconnect(struct socket *so)
{
	memset(&sotoinpcb(so)->inp_faddr, 0, sizeof(struct in6_addr));
	so->so_state &= ~SS_ISCONNECTED;
	return 0;
}

static int
rip_shutdown(struct socket *so __unused)
{
	return 0;
}

static int
rip_sockaddr(struct socket *so, struct sockaddr *sa, socklen_t *lenp)
{
	return in_pcbsockaddr(sotoinpcb(so), sa, lenp);
}

static int
rip_peeraddr(struct socket *so, struct sockaddr *sa, socklen_t *lenp)
{
	struct inpcb *inp = sotoinpcb(so);
	struct sockaddr_in6 tmp;
	socklen_t n;

	if (!(so->so_state & SS_ISCONNECTED))
		return ENOTCONN;
	n = in_sockaddr_fill(inp->inp_af, &inp->inp_faddr, inp->inp_fport,
	    (struct sockaddr *)&tmp);
	memcpy(sa, &tmp, MIN(n, *lenp));
	*lenp = n;
	return 0;
}

/* The destination of a send: given, or the connected peer. */
static int
send_dst(struct socket *so, struct inpcb *inp, const struct sockaddr *sa,
    socklen_t salen, struct in6_addr *dst)
{
	uint16_t port;

	if (sa != NULL)
		return in_pcbcheckdst(inp, sa, salen, dst, &port);
	if (!(so->so_state & SS_ISCONNECTED))
		return EDESTADDRREQ;
	*dst = inp->inp_faddr;
	return 0;
}

static int
rip_send(struct socket *so, struct mbuf *m, const struct sockaddr *sa,
    socklen_t salen, struct mbuf *control, int flags __unused)
{
	struct inpcb *inp = sotoinpcb(so);
	struct in6_addr dst;
	struct ip_out o;
	int error;

	if ((error = send_dst(so, inp, sa, salen, &dst)) != 0)
		goto out;
	if (m == NULL && (m = m_gethdr(MT_DATA)) == NULL) {
		error = ENOBUFS;
		goto out;
	}
	ip_out_frompcb(&o, inp, inp->inp_proto, &dst);
	if (control != NULL &&
	    (error = ip_applycontrol(inp, control, &o)) != 0)
		goto out;
	if (o.af == AF_INET6 && inp->inp_cksum6 >= 0) {
		size_t at = (size_t)inp->inp_cksum6;

		if (m->m_pkthdr.len < at + 2) {
			error = EINVAL;
			goto out;
		}
		if (o.proto == IPPROTO_ICMPV6 && at == 2) {
			m->m_pkthdr.csum_flags |= M_CSUM_ICMP6;
			m->m_pkthdr.l4off = 0;
			{
				uint16_t z = 0;

				m_copyback(m, at, 2, &z);
			}
		} else {
			/* Another offset: computed here over the payload. */
			struct in6_addr src = o.src;
			uint16_t z = 0, sum;

			if (in6_is_unspec(&src) &&
			    (error = in_selectsrc(AF_INET6, &dst, o.ifindex,
			    &src)) != 0)
				goto out;
			m_copyback(m, at, 2, &z);
			sum = in_cksum_pseudo(AF_INET6, &src, &dst,
			    (uint8_t)o.proto, m, 0, m->m_pkthdr.len);
			m_copyback(m, at, 2, &sum);
			o.src = src;
		}
	}
	m_freem(control);
	return in_output(m, &o);
out:
	m_freem(m);
	m_freem(control);
	return error;
}

static int
ping_send(struct socket *so, struct mbuf *m, const struct sockaddr *sa,
    socklen_t salen, struct mbuf *control, int flags __unused)
{
	struct inpcb *inp = sotoinpcb(so);
	struct in6_addr dst;
	struct icmphdr ih;
	struct ip_out o;
	int error;

	if ((error = send_dst(so, inp, sa, salen, &dst)) != 0)
		goto out;
	if (m == NULL || m->m_pkthdr.len < sizeof(ih)) {
		error = EINVAL;
		goto out;
	}
	m_copydata(m, 0, sizeof(ih), &ih);
	if (in6_is_v4mapped(&dst) ? ih.icmp_type != ICMP_ECHO :
	    ih.icmp_type != ICMPV6_ECHO_REQUEST) {
		error = EINVAL;
		goto out;
	}
	if (ih.icmp_code != 0) {
		error = EINVAL;
		goto out;
	}
	if (inp->inp_lport == 0 && (error = in_pcbautobind(inp)) != 0)
		goto out;
	ih.un.echo.id = inp->inp_lport;
	ih.icmp_cksum = 0;
	if ((m = m_pullup(m, sizeof(ih))) == NULL) {
		error = ENOBUFS;
		goto out;
	}
	memcpy(mtod(m, void *), &ih, sizeof(ih));
	ip_out_frompcb(&o, inp, in6_is_v4mapped(&dst) ? IPPROTO_ICMP :
	    IPPROTO_ICMPV6, &dst);
	if (control != NULL &&
	    (error = ip_applycontrol(inp, control, &o)) != 0)
		goto out;
	if (o.af == AF_INET) {
		ih.icmp_cksum = in_cksum(m, 0, m->m_pkthdr.len);
		memcpy(mtod(m, uint8_t *) + 2, &ih.icmp_cksum, 2);
	} else {
		m->m_pkthdr.csum_flags |= M_CSUM_ICMP6;
		m->m_pkthdr.l4off = 0;
	}
	m_freem(control);
	return in_output(m, &o);
out:
	m_freem(m);
	m_freem(control);
	return error;
}

/* Appends a copy to a raw/ping socket; so_lock not held on entry. */
static void
raw_append(struct inpcb *inp, struct mbuf *m, const struct ip_rcv *r)
{
	struct socket *so = inp->inp_socket;
	struct sockaddr_in6 from;
	socklen_t fromlen;
	struct mbuf *control;

	solock(so);
	if ((inp->inp_flags & INP_DEAD) || sbspace(&so->so_rcv) <
	    m->m_pkthdr.len) {
		sounlock(so);
		m_freem(m);
		return;
	}
	fromlen = in_sockaddr_fill(inp->inp_af, &r->src, 0,
	    (struct sockaddr *)&from);
	control = ip_savecontrol(inp, r);
	if (sbappendaddr(&so->so_rcv, (struct sockaddr *)&from, fromlen, m,
	    control) == 0)
		sorwakeup(so);
	sounlock(so);
}

struct raw_match {
	const struct ip_rcv *r;
	int proto;
	uint8_t icmptype;
	uint16_t id;
};

static bool
raw_match(const struct inpcb *inp, void *arg)
{
	const struct raw_match *x = arg;
	const struct ip_rcv *r = x->r;

	if (inp->inp_proto != x->proto)
		return false;
	if ((inp->inp_af == AF_INET6) != (r->af == AF_INET6))
		return false;
	if (!in6_is_anyaddr(&inp->inp_laddr) &&
	    !in6_equal(&inp->inp_laddr, &r->dst))
		return false;
	if ((inp->inp_socket->so_state & SS_ISCONNECTED) &&
	    !in6_equal(&inp->inp_faddr, &r->src))
		return false;
	if (x->proto == IPPROTO_ICMP && x->icmptype < 32 &&
	    (inp->inp_icmpfilter & (1u << x->icmptype)))
		return false;
	if (x->proto == IPPROTO_ICMPV6 &&
	    (inp->inp_icmp6filter[x->icmptype >> 5] &
	    (1u << (x->icmptype & 31))))
		return false;
	return true;
}

void
rip_input_all(struct mbuf *m, const struct ip_rcv *r, int proto)
{
	struct inpcb *v[RAW_MAXDELIVER];
	struct raw_match x = { .r = r, .proto = proto };
	size_t n, i;

	if (rawtable.ipt_count == 0)
		return;
	if ((proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6) &&
	    r->len >= 1)
		m_copydata(m, r->off, 1, &x.icmptype);
	/* Not inside MIN(): it would look up (and hold) twice. */
	n = in_pcblookup_all(&rawtable, raw_match, &x, v, RAW_MAXDELIVER);
	n = MIN(n, RAW_MAXDELIVER);
	for (i = 0; i < n; i++) {
		/* IPv4 raw sockets see the IP header; IPv6 ones do not. */
		size_t off = r->af == AF_INET ? 0 : r->off;
		struct mbuf *c = in_mcopy(m, off, m->m_pkthdr.len - off);

		if (c != NULL)
			raw_append(v[i], c, r);
		in_pcbrele(v[i]);
	}
}

static bool
raw_proto_match(const struct inpcb *inp, void *arg)
{
	const int *pa = arg;

	return inp->inp_proto == pa[1] &&
	    (inp->inp_af == AF_INET6) == (pa[0] == AF_INET6);
}

bool
rip_has_proto(int af, int proto)
{
	int pa[2] = { af, proto };

	if (rawtable.ipt_count == 0)
		return false;
	return in_pcblookup_all(&rawtable, raw_proto_match, pa, NULL, 0) > 0;
}

static void
ping_deliver(struct mbuf *m, const struct ip_rcv *r, uint16_t id)
{
	struct inpcb *inp;

	inp = in_pcblookup(&pingtable, r->af, &r->src, 0, &r->dst, id, 0);
	if (inp == NULL)
		inp = in_pcblookup_bound(&pingtable, r->af, &r->src, 0,
		    &r->dst, id, 0);
	if (inp == NULL)
		return;
	{
		struct mbuf *c = in_mcopy(m, r->off, r->len);

		if (c != NULL)
			raw_append(inp, c, r);
	}
	in_pcbrele(inp);
}

void
ping_input(struct mbuf *m, const struct ip_rcv *r, const struct icmphdr *ih)
{
	ping_deliver(m, r, ih->un.echo.id);
}

void
ping6_input(struct mbuf *m, const struct ip_rcv *r)
{
	struct icmp6_hdr ih;

	m_copydata(m, r->off, sizeof(ih), &ih);
	ping_deliver(m, r, ih.icmp6_id);
}

/*
 * Errors about what raw and ping sockets sent.  Raw sockets: every one of
 * the quoted protocol whose bound and connected addresses fit the quoted
 * packet (Linux's raw_icmp_error); ping sockets: the one of the quoted
 * echo identifier.  iputils ping reads a time exceeded from its socket's
 * error queue (IP_RECVERR), not from the raw copy of the ICMP packet.
 */
struct raw_errmatch {
	const struct ip_ctlmsg *c;
	int proto;
};

static bool
raw_err_match(const struct inpcb *inp, void *arg)
{
	const struct raw_errmatch *x = arg;

	if (inp->inp_proto != x->proto ||
	    (inp->inp_af == AF_INET6) != (x->c->af == AF_INET6))
		return false;
	if (!in6_is_anyaddr(&inp->inp_laddr) &&
	    !in6_equal(&inp->inp_laddr, &x->c->src))
		return false;
	if ((inp->inp_socket->so_state & SS_ISCONNECTED) &&
	    !in6_equal(&inp->inp_faddr, &x->c->dst))
		return false;
	return true;
}

/* Queues the error (IP_RECVERR) or reports a hard one on a connected
 * socket, as Linux's raw_err/ping_err do; drops the hold on inp. */
static void
raw_err_one(struct inpcb *inp, const struct ip_ctlmsg *c)
{
	struct socket *so = inp->inp_socket;

	solock(so);
	if (!(inp->inp_flags & INP_DEAD)) {
		if (inp->inp_flags & INP_RECVERR) {
			/* What was sent: the transport header on, or the
			 * IP header on with IP_HDRINCL. */
			size_t off = (inp->inp_flags & INP_HDRINCL) &&
			    so->so_type == SOCK_RAW ? c->payoff : c->l4off;

			ip_errq_append(inp, c, off, 0);
			sowakeup_error(so, c->error);
		} else if (c->hard && (so->so_state & SS_ISCONNECTED))
			sowakeup_error(so, c->error);
	}
	sounlock(so);
	in_pcbrele(inp);
}

void
rip_ctlinput(const struct ip_ctlmsg *c, int proto)
{
	struct inpcb *inp = NULL, *v[RAW_MAXDELIVER];
	struct raw_errmatch x = { .c = c, .proto = proto };
	size_t n;

	if (rawtable.ipt_count != 0) {
		/* Not inside MIN(): it would look up (and hold) twice. */
		n = in_pcblookup_all(&rawtable, raw_err_match, &x, v,
		    RAW_MAXDELIVER);
		n = MIN(n, RAW_MAXDELIVER);
		for (size_t i = 0; i < n; i++)
			raw_err_one(v[i], c);
	}
	if ((proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6) &&
	    c->quotedlen >= 8) {
		uint16_t id;

		memcpy(&id, c->quoted + 4, 2);
		inp = in_pcblookup(&pingtable, c->af, &c->dst, 0, &c->src, id,
		    0);
		if (inp == NULL)
			inp = in_pcblookup_bound(&pingtable, c->af, &c->dst, 0,
			    &c->src, id, 0);
	}
	if (inp != NULL)
		raw_err_one(inp, c);
}

static int
rip_ctloutput(int op, struct socket *so, struct sockopt *sopt)
{
	struct inpcb *inp = sotoinpcb(so);
	int v, error;

	if (sopt->sopt_level == SOL_RAW && sopt->sopt_name == ICMP_FILTER &&
	    inp->inp_af == AF_INET && inp->inp_proto == IPPROTO_ICMP &&
	    so->so_type == SOCK_RAW) {
		if (op == PRCO_GETOPT)
			return sockopt_set(sopt, &inp->inp_icmpfilter,
			    sizeof(inp->inp_icmpfilter));
		if (sopt->sopt_size < sizeof(uint32_t))
			return EINVAL;
		memcpy(&inp->inp_icmpfilter, sopt->sopt_data, 4);
		return 0;
	}
	if (sopt->sopt_level == SOL_ICMPV6 &&
	    sopt->sopt_name == ICMPV6_FILTER && inp->inp_af == AF_INET6 &&
	    inp->inp_proto == IPPROTO_ICMPV6 && so->so_type == SOCK_RAW) {
		if (op == PRCO_GETOPT)
			return sockopt_set(sopt, inp->inp_icmp6filter,
			    sizeof(inp->inp_icmp6filter));
		memset(inp->inp_icmp6filter, 0, sizeof(inp->inp_icmp6filter));
		memcpy(inp->inp_icmp6filter, sopt->sopt_data,
		    MIN(sopt->sopt_size, sizeof(inp->inp_icmp6filter)));
		return 0;
	}
	if (sopt->sopt_level == SOL_IP && sopt->sopt_name == IP_HDRINCL &&
	    inp->inp_af == AF_INET && so->so_type == SOCK_RAW) {
		if (op == PRCO_GETOPT)
			return sockopt_setint(sopt,
			    (inp->inp_flags & INP_HDRINCL) != 0);
		if ((error = sockopt_getint(sopt, &v)) != 0)
			return error;
		if (v)
			inp->inp_flags |= INP_HDRINCL;
		else if (inp->inp_proto != IPPROTO_RAW)
			inp->inp_flags &= ~INP_HDRINCL;
		return 0;
	}
	if ((sopt->sopt_level == SOL_IPV6 || sopt->sopt_level == SOL_RAW) &&
	    sopt->sopt_name == IPV6_CHECKSUM && inp->inp_af == AF_INET6 &&
	    so->so_type == SOCK_RAW) {
		if (op == PRCO_GETOPT)
			return sockopt_setint(sopt, inp->inp_cksum6);
		if ((error = sockopt_getint(sopt, &v)) != 0)
			return error;
		/* RFC 3542 3.1: ICMPv6's is fixed at level IPPROTO_IPV6;
		 * Linux lets SOL_RAW set it (ping -6 sets 2).  Odd offsets
		 * are wrong. */
		if ((inp->inp_proto == IPPROTO_ICMPV6 &&
		    sopt->sopt_level == SOL_IPV6) || (v >= 0 && (v & 1)))
			return EINVAL;
		inp->inp_cksum6 = v < 0 ? -1 : v;
		return 0;
	}
	if (sopt->sopt_level == SOL_RAW || sopt->sopt_level == SOL_ICMPV6)
		return ENOPROTOOPT;
	return ip_ctloutput(op, so, sopt);
}

static int
rip_ioctl(struct socket *so, unsigned long cmd, void *data)
{
	return in_dgram_ioctl(so, cmd, data);
}

const struct pr_usrreqs rip_usrreqs = {
	.pr_attach = rip_attach,
	.pr_detach = rip_detach,
	.pr_bind = rip_bind,
	.pr_connect = rip_connect,
	.pr_disconnect = rip_disconnect,
	.pr_shutdown = rip_shutdown,
	.pr_sockaddr = rip_sockaddr,
	.pr_peeraddr = rip_peeraddr,
	.pr_send = rip_send,
	.pr_ioctl = rip_ioctl,
	.pr_ctloutput = rip_ctloutput,
	.pr_recverr = ip_errq_recv,
	.pr_poll = ip_errq_poll,
};

const struct pr_usrreqs ping_usrreqs = {
	.pr_attach = ping_attach,
	.pr_detach = rip_detach,
	.pr_bind = ping_bind,
	.pr_connect = ping_connect,
	.pr_disconnect = rip_disconnect,
	.pr_shutdown = rip_shutdown,
	.pr_sockaddr = rip_sockaddr,
	.pr_peeraddr = rip_peeraddr,
	.pr_send = ping_send,
	.pr_ioctl = rip_ioctl,
	.pr_ctloutput = rip_ctloutput,
	.pr_recverr = ip_errq_recv,
	.pr_poll = ip_errq_poll,
};

INPCB_BUCKETS(raw, 64);
INPCB_BUCKETS(ping, 256);

int
rip_init(void)
{
	int error;

	if ((error = INPCB_TABLE_INIT(&rawtable, "raw", IPPROTO_RAW, raw)) != 0)
		return error;
	return INPCB_TABLE_INIT(&pingtable, "ping", IPPROTO_ICMP, ping);
}
