/*
 * tcp_syn.c: the LISTEN state - a SYN makes an embryonic socket on the
 * listener's q0 (sonewconn, bounded by the backlog); when the queues are
 * full the SYN is answered with a SYN cookie instead (no state kept), and
 * an ACK that carries a valid cookie makes the connection then.  So a SYN
 * flood costs no memory past the backlog.
 *
 * A cookie is the ISN: 5 bits of a 64-second counter, 3 bits of an MSS
 * table index and 24 bits of a keyed hash of the 4-tuple, the peer's ISN,
 * the counter and the index.  Cookie connections carry no window
 * scaling, timestamps or SACK (there was nowhere to keep them).
 *
 * Locking: the listener's so_lock held, which is also the lock of the
 * sockets on its queues.
 */
#include "k/kernel.h"
#include "k/socket.h"
#include "net/netinet/in_pcb.h"
#include "net/netinet/ip_var.h"
#include "net/netinet/tcp_var.h"
#include "net/netinet/tcp_syn.h"

static const uint16_t cookie_mss[8] = {
	536, 1220, 1440, 1460, 4312, 8960, 16344, 65483
};

void
tcp_request_options(struct tcpcb *tp)
{
	const struct socket *so = tp->t_socket;
	size_t space = MAX(so->so_rcv.sb_hiwat, (size_t)4 << 20);

	tp->t_flags &= ~(TF_REQ_SCALE | TF_REQ_TSTMP | TF_REQ_SACK);
	if (tcp_do_wscale) {
		tp->t_flags |= TF_REQ_SCALE;
		tp->request_r_scale = 0;
		while (tp->request_r_scale < TCP_MAX_WINSHIFT &&
		    ((size_t)TCP_MAXWIN << tp->request_r_scale) < space)
			tp->request_r_scale++;
	}
	if (tcp_do_ts)
		tp->t_flags |= TF_REQ_TSTMP;
	if (tcp_do_sack)
		tp->t_flags |= TF_REQ_SACK;
	tp->t_advmss = tcp_mssopt(tp);
}

static uint32_t
cookie_time(void)
{
	return (uint32_t)(tcp_now_ns() / (64LL * 1000000000)) & 31;
}

static uint32_t
cookie_hash(const struct ip_rcv *r, const struct tcphdr *th, tcp_seq irs,
    uint32_t t, uint32_t idx)
{
	uint32_t h = tcp_hash4(&r->dst, th->th_dport, &r->src, th->th_sport,
	    irs, 1);

	return tcp_hash4(&r->dst, th->th_dport, &r->src, th->th_sport,
	    h ^ (t << 3 | idx), 1) & 0xffffff;
}

/* A SYN,ACK carrying a cookie, with only an MSS option. */
static void
tcp_send_cookie(const struct ip_rcv *r, const struct tcphdr *th, tcp_seq irs,
    uint32_t peermss)
{
	struct ip_out o;
	struct tcphdr hdr, *nth = &hdr;	/* built aside: alignment */
	struct mbuf *m;
	uint32_t t = cookie_time(), idx = 0, cookie;
	uint8_t *opt;
	uint32_t mss = in_maxmss(r->af, &r->src);

	if (peermss == 0)
		peermss = TCP_MSS_DEFAULT;
	mss = MIN(mss, peermss);
	while (idx < 7 && cookie_mss[idx + 1] <= mss)
		idx++;
	cookie = t << 27 | idx << 24 | cookie_hash(r, th, irs, t, idx);
	if ((m = m_gethdr(MT_HEADER)) == NULL)
		return;
	m->m_len = 0;
	m->m_pkthdr.len = 0;
	m = tcp_prepend(m, sizeof(*nth) + 4);
	if (m == NULL)
		return;
	memset(nth, 0, sizeof(*nth));
	nth->th_sport = th->th_dport;
	nth->th_dport = th->th_sport;
	nth->th_seq = htonl(cookie);
	nth->th_ack = htonl(irs + 1);
	nth->th_offx2 = (uint8_t)(((sizeof(*nth) + 4) / 4) << 4);
	nth->th_flags = TH_SYN | TH_ACK;
	nth->th_win = htons(65535);
	memcpy(mtod(m, uint8_t *), nth, sizeof(*nth));
	opt = mtod(m, uint8_t *) + sizeof(*nth);
	opt[0] = TCPOPT_MAXSEG;
	opt[1] = TCPOLEN_MAXSEG;
	opt[2] = (uint8_t)(cookie_mss[idx] >> 8);
	opt[3] = (uint8_t)cookie_mss[idx];
	m->m_pkthdr.csum_flags = M_CSUM_TCP;
	m->m_pkthdr.l4off = 0;
	memset(&o, 0, sizeof(o));
	o.af = r->af;
	o.proto = IPPROTO_TCP;
	o.src = r->dst;
	o.dst = r->src;
	o.ttl = -1;
	o.tos = -1;
	o.pmtudisc = -1;
	atomic_fetch_add(&tcpstat.tcps_syncookies_sent, 1);
	(void)in_output(m, &o);
}

/* The MSS index of a valid cookie in ack - 1, or -1. */
static int
cookie_check(const struct ip_rcv *r, const struct tcphdr *th, tcp_seq seq,
    tcp_seq ack)
{
	uint32_t cookie = ack - 1, t = cookie >> 27, idx = (cookie >> 24) & 7;

	if (((cookie_time() - t) & 31) > 1)
		return -1;
	if ((cookie & 0xffffff) != cookie_hash(r, th, seq - 1, t, idx))
		return -1;
	return (int)idx;
}

/*
 * An embryonic connection for a SYN (or a cookie ACK) on the listener:
 * the new socket's pcb bound to the packet's addresses, the listener's
 * options copied.  NULL if the queue is full or memory ran out.
 */
static struct tcpcb *
tcp_newconn(struct tcpcb *lp, const struct ip_rcv *r, const struct tcphdr *th)
{
	struct socket *head = lp->t_socket, *so;
	struct inpcb *inp;
	struct tcpcb *tp;
	struct sockaddr_in6 sa;
	socklen_t salen;

	so = sonewconn(head, false);
	if (so == NULL)
		return NULL;
	inp = so->so_pcb;
	tp = intotcpcb(inp);
	inp->inp_laddr = r->dst;
	inp->inp_lport = th->th_dport;
	salen = in_sockaddr_fill(inp->inp_af, &r->src, th->th_sport,
	    (struct sockaddr *)&sa);
	if (in_pcbconnect(inp, (struct sockaddr *)&sa, salen) != 0) {
		(void)tcp_drop(tp, 0);
		return NULL;
	}
	tp->t_flags |= TF_PASSIVE | (lp->t_flags & (TF_NODELAY | TF_CORK |
	    TF_QUICKACK));
	tp->t_cc = lp->t_cc;
	tp->t_usermss = lp->t_usermss;
	tp->t_keepidle = lp->t_keepidle;
	tp->t_keepintvl = lp->t_keepintvl;
	tp->t_keepmax = lp->t_keepmax;
	tp->t_user_timeout = lp->t_user_timeout;
	tp->t_linger2 = lp->t_linger2;
	tp->ts_offset = tcp_hash4(&inp->inp_laddr, inp->inp_lport,
	    &inp->inp_faddr, inp->inp_fport, 0, 2);
	return tp;
}

void
tcp_input_listen(struct tcpcb *lp, const struct ip_rcv *r,
    const struct tcphdr *th, tcp_seq seq, tcp_seq ack, uint32_t win,
    uint32_t tlen, int flags, const struct tcpopt *to)
{
	struct socket *head = lp->t_socket;
	struct tcpcb *tp;
	int idx;

	if (flags & TH_RST)
		return;
	if (flags & TH_ACK) {
		/* A cookie's ACK makes the connection now. */
		if (!(flags & TH_SYN) && tcp_syncookies &&
		    (idx = cookie_check(r, th, seq, ack)) >= 0) {
			if (head->so_qlen > head->so_qlimit) {
				atomic_fetch_add(&tcpstat.tcps_listendrop, 1);
				return;
			}
			tp = tcp_newconn(lp, r, th);
			if (tp == NULL) {
				atomic_fetch_add(&tcpstat.tcps_listendrop, 1);
				return;
			}
			atomic_fetch_add(&tcpstat.tcps_syncookies_ok, 1);
			tp->t_flags |= TF_COOKIE;
			tp->irs = seq - 1;
			tp->rcv_nxt = seq;
			tp->rcv_adv = seq;
			tp->iss = ack - 1;
			tp->snd_una = tp->snd_nxt = tp->snd_max = ack;
			tp->snd_recover = ack;
			tp->t_advmss = tcp_mssopt(tp);
			tcp_mss_update(tp, cookie_mss[idx]);
			tp->snd_wnd = win;
			tp->max_sndwnd = win;
			tp->snd_wl1 = seq;
			tp->snd_wl2 = ack;
			tcp_set_state(tp, TCPS_ESTABLISHED);
			tp->t_flags |= TF_WASCONNECTED;
			if (tp->t_cc->cc_init != NULL)
				tp->t_cc->cc_init(tp);
			atomic_fetch_add(&tcpstat.tcps_accepts, 1);
			soisconnected(tp->t_socket);
			tcp_keepalive_arm(tp);
			tp->t_quickack = 16;
			return;
		}
		tcp_reset_for(r, th, seq, ack, tlen, flags);
		return;
	}
	if (!(flags & TH_SYN))
		return;
	tp = tcp_newconn(lp, r, th);
	if (tp == NULL) {
		if (tcp_syncookies && (head->so_options & SOF_ACCEPTCONN))
			tcp_send_cookie(r, th, seq, to->to_mss);
		else
			atomic_fetch_add(&tcpstat.tcps_listendrop, 1);
		return;
	}
	tcp_request_options(tp);
	tp->irs = seq;
	tp->rcv_nxt = seq + 1;
	tp->rcv_adv = tp->rcv_nxt;
	tp->iss = tcp_new_isn(&tp->t_inpcb->inp_laddr, tp->t_inpcb->inp_lport,
	    &tp->t_inpcb->inp_faddr, tp->t_inpcb->inp_fport);
	tp->snd_una = tp->snd_nxt = tp->snd_max = tp->iss;
	tp->snd_recover = tp->iss;
	tcp_syn_options(tp, to);
	tp->snd_wnd = win;		/* a SYN's window is never scaled */
	tp->snd_wl1 = seq;
	tcp_set_state(tp, TCPS_SYN_RECEIVED);
	tp->t_flags |= TF_ACKNOW;
	(void)tcp_output(tp);
}
