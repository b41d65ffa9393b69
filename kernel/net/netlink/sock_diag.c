/*
 * sock_diag.c: NETLINK_SOCK_DIAG (sock_diag(7)) for TCP and UDP over IPv4
 * and IPv6, the dumps `ss -t/-u [-l] [-a] [-4/-6]` ask for with
 * SOCK_DIAG_BY_FAMILY and a struct inet_diag_req_v2: one inet_diag_msg
 * per socket of the family and protocol whose Linux state is in
 * idiag_states, as inet_sk_diag_fill lays it out (addresses, ports,
 * state, queues - for a listener the accept queue and its limit, as
 * Linux gives them -, uid, inode), then NLMSG_DONE.
 *
 * Not served: the extensions (idiag_ext: tcp_info, meminfo, congestion)
 * are not attached - `ss -i/-m` print less; the request's bytecode filter
 * is ignored (ss filters again itself); a get of one exact socket (no
 * NLM_F_DUMP) is EOPNOTSUPP; other families (AF_UNIX's unix_diag, raw,
 * netlink) are ENOENT as Linux answers a family it has no handler for,
 * so ss falls back to /proc/net.
 *
 * Locking: each pcb table's ipt_lock while it is walked; socket fields
 * are read without so_lock (a snapshot, as /proc/net/tcp's).
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
