/*
 * sock_diag.c: NETLINK_SOCK_DIAG (sock_diag(7)) for TCP and UDP over IPv4
 * and IPv6, the dumps `ss -t/-u [-l] [-a] [-4/-6]` ask for with
 * SOCK_DIAG_BY_FAMILY and a struct inet_diag_req_v2: one inet_diag_msg
 * per socket of the family and protocol whose Linux state is in
 * idiag_states, as inet_sk_diag_fill lays it out (addresses, ports,
 * state, queues - for a listener the accept queue and its limit, as
 * Linux gives them -, uid, inode), then NLMSG_DONE.
 *
 * AF_UNIX (unix_diag, `ss -x`): a struct unix_diag_req; one
 * unix_diag_msg per socket whose state is in udiag_states (type, Linux
 * state, inode and cookie), with UNIX_DIAG_NAME, _PEER, _RQLEN and _UID
 * when udiag_show asks for them and UNIX_DIAG_SHUTDOWN always, as
 * sk_diag_fill; a get of one inode (no NLM_F_DUMP) answers that socket,
 * or EINVAL for inode 0, ENOENT, ESTALE for a cookie that is not its own
 * (the cookie is the inode; ~0 ~0 is no cookie).  The walk is net_unix's (dom_diag), so a kernel without
 * AF_UNIX answers ENOENT.  Not served for AF_UNIX: UDIAG_SHOW_VFS (the
 * bound node's inode), _ICONS (pending connections), _MEMINFO.
 *
 * Not served: the inet extensions (idiag_ext: tcp_info, meminfo,
 * congestion) are not attached - `ss -i/-m` print less; the request's
 * bytecode filter is ignored (ss filters again itself); a get of one
 * exact inet socket (no NLM_F_DUMP) is EOPNOTSUPP; other families (raw,
 * netlink) are ENOENT as Linux answers a family it has no handler for,
 * so ss falls back to /proc/net.
 *
 * Locking: each pcb table's ipt_lock while it is walked; socket fields
 * are read without so_lock (a snapshot, as /proc/net/tcp's).  AF_UNIX's
 * walk holds unp_lock (after the netlink socket's so_lock).
 */
#include "netlink.h"
#include "net/netinet/in_pcb.h"
#include "net/netinet/in_var.h"
#include "net/netinet/tcp_var.h"

#define SOCK_DIAG_BY_FAMILY	20
#define INET_DIAG_SHUTDOWN	8
#define TCP_LISTEN_LINUX	10
#define TCP_ESTABLISHED_LINUX	1
#define TCP_CLOSE_LINUX		7

struct inet_diag_sockid {
	uint16_t idiag_sport, idiag_dport;	/* network order */
	uint32_t idiag_src[4], idiag_dst[4];
	uint32_t idiag_if;
	uint32_t idiag_cookie[2];
};

struct inet_diag_req_v2 {
	uint8_t sdiag_family, sdiag_protocol, idiag_ext, pad;
	uint32_t idiag_states;
	struct inet_diag_sockid id;
};

struct inet_diag_msg {
	uint8_t idiag_family, idiag_state, idiag_timer, idiag_retrans;
	struct inet_diag_sockid id;
	uint32_t idiag_expires, idiag_rqueue, idiag_wqueue, idiag_uid;
	uint32_t idiag_inode;
};

struct unix_diag_req {
	uint8_t sdiag_family, sdiag_protocol;
	uint16_t pad;
	uint32_t udiag_states, udiag_ino, udiag_show;
	uint32_t udiag_cookie[2];
};

struct unix_diag_msg {
	uint8_t udiag_family, udiag_type, udiag_state, pad;
	uint32_t udiag_ino;
	uint32_t udiag_cookie[2];
};

#define UDIAG_SHOW_NAME		0x01
#define UDIAG_SHOW_PEER		0x04
#define UDIAG_SHOW_RQLEN	0x10
#define UDIAG_SHOW_UID		0x40
#define UNIX_DIAG_NAME		0
#define UNIX_DIAG_PEER		2
#define UNIX_DIAG_RQLEN		4
#define UNIX_DIAG_SHUTDOWN	6
#define UNIX_DIAG_UID		7

struct unix_dump {
	struct nlmsg_ctx *c;
	const struct unix_diag_req *r;
	bool dump;
	int found;
};

static int
unix_diag_one(void *arg, const struct unix_diag_ent *e)
{
	struct unix_dump *d = arg;
	struct unix_diag_msg *m;
	uint32_t rq[2];

	if (d->dump ? !(d->r->udiag_states & (1u << e->ude_state)) :
	    (uint32_t)e->ude_ino != d->r->udiag_ino)
		return 0;
	/* sock_diag_check_cookie: ours is the inode; ~0 ~0 is "none". */
	if (!d->dump && !(d->r->udiag_cookie[0] == UINT32_MAX &&
	    d->r->udiag_cookie[1] == UINT32_MAX) &&
	    (d->r->udiag_cookie[0] != (uint32_t)e->ude_ino ||
	    d->r->udiag_cookie[1] != (uint32_t)(e->ude_ino >> 32))) {
		d->found = -1;
		return 1;
	}
	m = nl_msg_begin(d->c, SOCK_DIAG_BY_FAMILY, 0, sizeof(*m), d->dump);
	if (m == NULL)
		return 1;
	m->udiag_family = AF_UNIX;
	m->udiag_type = e->ude_type;
	m->udiag_state = e->ude_state;
	m->udiag_ino = (uint32_t)e->ude_ino;
	m->udiag_cookie[0] = (uint32_t)e->ude_ino;
	m->udiag_cookie[1] = (uint32_t)(e->ude_ino >> 32);
	if ((d->r->udiag_show & UDIAG_SHOW_NAME) && e->ude_namelen > 0)
		nl_put(d->c, UNIX_DIAG_NAME, e->ude_name, e->ude_namelen);
	if ((d->r->udiag_show & UDIAG_SHOW_PEER) && e->ude_peer != 0)
		nl_put_u32(d->c, UNIX_DIAG_PEER, (uint32_t)e->ude_peer);
	if (d->r->udiag_show & UDIAG_SHOW_RQLEN) {
		rq[0] = e->ude_rqueue;
		rq[1] = e->ude_wqueue;
		nl_put(d->c, UNIX_DIAG_RQLEN, rq, sizeof(rq));
	}
	if (d->r->udiag_show & UDIAG_SHOW_UID)
		nl_put_u32(d->c, UNIX_DIAG_UID, e->ude_uid);
	nl_put_u8(d->c, UNIX_DIAG_SHUTDOWN, e->ude_shutdown);
	nl_msg_end(d->c);
	d->found++;
	return d->dump ? 0 : 1;
}

/* unix_diag_handler_dump: a dump by states, or the socket of one inode. */
static int
unix_diag_rcv(struct nlmsg_ctx *c)
{
	const struct nlmsghdr *h = c->nc_req;
	const struct domain *dom = domain_find(AF_UNIX);
	struct unix_diag_req r;
	struct unix_dump d = { c, &r, false, 0 };

	if (nl_paylen(h) < sizeof(r))
		return EINVAL;
	if (dom == NULL || dom->dom_diag == NULL)
		return ENOENT;
	memcpy(&r, nl_payload(h), sizeof(r));
	d.dump = (h->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
	if (!d.dump && r.udiag_ino == 0)
		return EINVAL;
	dom->dom_diag(unix_diag_one, &d);
	if (d.dump)
		nl_done(c, 0);
	else if (d.found <= 0)
		return d.found < 0 ? ESTALE : ENOENT;
	return 0;
}

static void
put_sockaddr(uint32_t *dst, int af, const struct in6_addr *a)
{
	if (af == AF_INET)
		dst[0] = a->s6_addr32[3];
	else
		memcpy(dst, a, 16);
}

static void
diag_table(struct nlmsg_ctx *c, struct inpcbtable *tab, int af, bool tcp,
    uint32_t states)
{
	struct inpcb *inp;

	mutex_enter(&tab->ipt_lock);
	TAILQ_FOREACH(inp, &tab->ipt_queue, inp_queue) {
		struct socket *so = inp->inp_socket;
		struct inet_diag_msg *m;
		uint8_t shut = 0;
		int st;

		if (inp->inp_af != af || (inp->inp_flags & INP_DEAD) ||
		    (!tcp && inp->inp_lport == 0))
			continue;	/* Linux lists hashed UDP sockets only */
		if (tcp) {
			const struct tcpcb *tp = inp->inp_ppcb;

			st = tp != NULL ? linux_tcp_state(tp->t_state) :
			    TCP_CLOSE_LINUX;
		} else {
			st = inp->inp_connected ? TCP_ESTABLISHED_LINUX :
			    TCP_CLOSE_LINUX;
		}
		if (!(states & (1u << st)))
			continue;
		m = nl_msg_begin(c, SOCK_DIAG_BY_FAMILY, 0, sizeof(*m), true);
		if (m == NULL)
			break;
		m->idiag_family = (uint8_t)af;
		m->idiag_state = (uint8_t)st;
		m->id.idiag_sport = inp->inp_lport;
		m->id.idiag_dport = inp->inp_fport;
		put_sockaddr(m->id.idiag_src, af, &inp->inp_laddr);
		put_sockaddr(m->id.idiag_dst, af, &inp->inp_faddr);
		m->idiag_uid = (uint32_t)inp->inp_uid;
		if (so != NULL) {
			m->id.idiag_cookie[0] = (uint32_t)so->so_ino;
			m->id.idiag_cookie[1] = (uint32_t)(so->so_ino >> 32);
			m->idiag_inode = (uint32_t)so->so_ino;
			if (st == TCP_LISTEN_LINUX) {
				m->idiag_rqueue = (uint32_t)so->so_qlen;
				m->idiag_wqueue = (uint32_t)so->so_qlimit;
			} else {
				m->idiag_rqueue = (uint32_t)so->so_rcv.sb_cc;
				m->idiag_wqueue = (uint32_t)so->so_snd.sb_cc;
			}
			if (so->so_state & SS_CANTRCVMORE)
				shut |= 1;
			if (so->so_state & SS_CANTSENDMORE)
				shut |= 2;
		}
		nl_put_u8(c, INET_DIAG_SHUTDOWN, shut);
		nl_msg_end(c);
	}
	mutex_exit(&tab->ipt_lock);
}

int
sock_diag_rcv(struct nlmsg_ctx *c)
{
	const struct nlmsghdr *h = c->nc_req;
	struct inet_diag_req_v2 r;
	struct inpcbtable *tab;
	bool tcp;

	if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY)
		return nl_err(c, EINVAL, "only SOCK_DIAG_BY_FAMILY requests");
	if (nl_paylen(h) < 1)
		return EINVAL;
	/* The family first (struct sock_diag_req): its handler checks the
	 * rest, as Linux's __sock_diag_cmd. */
	if (*nl_payload(h) == AF_UNIX)
		return unix_diag_rcv(c);
	if (*nl_payload(h) != AF_INET && *nl_payload(h) != AF_INET6)
		return ENOENT;
	if (nl_paylen(h) < sizeof(r))
		return EINVAL;
	memcpy(&r, nl_payload(h), sizeof(r));
	if (r.sdiag_protocol == IPPROTO_TCP) {
		tab = &tcbtable;
		tcp = true;
	} else if (r.sdiag_protocol == IPPROTO_UDP) {
		tab = &udbtable;
		tcp = false;
	} else {
		tab = NULL;
		tcp = false;
	}
	if ((h->nlmsg_flags & NLM_F_DUMP) != NLM_F_DUMP)
		return tab == NULL ? ENOENT :
		    nl_err(c, EOPNOTSUPP, "only dumps are served");
	if (tab == NULL) {
		/* Linux starts the dump, then finds no handler: the error
		 * is NLMSG_DONE's. */
		nl_done(c, -ENOENT);
		return 0;
	}
	diag_table(c, tab, r.sdiag_family, tcp, r.idiag_states);
	nl_done(c, 0);
	return 0;
}
