/*
 * tcp_input.c: segment arrival, as RFC 9293 3.10.7 orders it: checks,
 * the pcb lookup, LISTEN (tcp_syn.c), SYN-SENT, then for synchronized
 * states sequence acceptability with PAWS (RFC 7323), RST and SYN with
 * RFC 5961's challenge ACKs, ACK processing (tcp_ack.c: RTT, congestion
 * control, NewReno or SACK recovery, window updates), data (in order to
 * so_rcv, else the reassembly queue), FIN, and the TIME_WAIT rules (RFC
 * 6191 reuse by a newer SYN).
 *
 * Called from netisr_run() with no lock held.  The pcb lookup returns a
 * referenced inpcb; so_lock is taken (rechecking so_lock, which changes
 * when an embryonic socket is accepted) and released before the
 * reference is dropped.
 */
#include "k/kernel.h"
#include "k/socket.h"
#include "net/netinet/in_pcb.h"
#include "net/netinet/ip_var.h"
#include "net/netinet/tcp_var.h"
#include "net/netinet/tcp_syn.h"
#include "net/netinet/tcp_input.h"

/* RFC 9293 3.10.7.1: the reset for a segment nobody owns. */
void
tcp_reset_for(const struct ip_rcv *r, const struct tcphdr *th, tcp_seq seq,
    tcp_seq ack, uint32_t tlen, int flags)
{
	if (flags & TH_RST)
		return;
	if (flags & TH_ACK)
		tcp_respond(NULL, r, th, ack, 0, TH_RST);
	else
		tcp_respond(NULL, r, th, 0, seq + tlen +
		    ((flags & TH_SYN) ? 1 : 0) + ((flags & TH_FIN) ? 1 : 0),
		    TH_RST | TH_ACK);
}

/* RFC 5961 7: challenge ACKs, at most 100 a second per connection. */
void
tcp_challenge_ack(struct tcpcb *tp)
{
	int64_t now = tcp_now_ns();

	if (now - tp->t_chall_time > 1000000000) {
		tp->t_chall_time = now;
		tp->t_chall_cnt = 0;
	}
	if (++tp->t_chall_cnt > 100)
		return;
	atomic_fetch_add(&tcpstat.tcps_challenge_ack, 1);
	tp->t_flags |= TF_ACKNOW;
	(void)tcp_output(tp);
}

/* TIME_WAIT (from CLOSING or FIN_WAIT_2): 2 MSL, then the pcb goes. */
void
tcp_enter_time_wait(struct tcpcb *tp)
{
	tcp_set_state(tp, TCPS_TIME_WAIT);
	tcp_timer_disarm(tp, TCPT_REXMT);
	tcp_timer_disarm(tp, TCPT_KEEP);
	tcp_timer_arm(tp, TCPT_2MSL, 2 * tcp_msl_ms * 1000000);
	soisdisconnected(tp->t_socket);
}

/* Our state becomes ESTABLISHED (from SYN_SENT or SYN_RECEIVED). */
void
tcp_established(struct tcpcb *tp)
{
	tcp_set_state(tp, TCPS_ESTABLISHED);
	tcp_timer_disarm(tp, TCPT_KEEP);
	tp->t_rxtshift = 0;
	tp->t_firstrxt = 0;
	if (tp->t_cc->cc_init != NULL)
		tp->t_cc->cc_init(tp);
	tcp_keepalive_arm(tp);
	/* Linux's quick-ACK start: the first segments are ACKed at once so
	 * the peer's slow start is not held back by delayed ACKs. */
	tp->t_quickack = 16;
	atomic_fetch_add(&tcpstat.tcps_connects, 1);
	soisconnected(tp->t_socket);
}

/* Options of the peer's SYN agreed or refused (RFC 7323 2.2, 3.2; 2018). */
void
tcp_syn_options(struct tcpcb *tp, const struct tcpopt *to)
{
	if ((tp->t_flags & TF_REQ_SCALE) && to->to_wscale >= 0) {
		tp->t_flags |= TF_RCVD_SCALE;
		tp->snd_scale = (uint8_t)to->to_wscale;
		tp->rcv_scale = tp->request_r_scale;
	} else {
		tp->snd_scale = 0;
		tp->rcv_scale = 0;
	}
	if ((tp->t_flags & TF_REQ_TSTMP) && to->to_ts) {
		tp->t_flags |= TF_RCVD_TSTMP;
		tp->ts_recent = to->to_tsval;
		tp->ts_recent_age = tcp_now_ns();
	}
	if ((tp->t_flags & TF_REQ_SACK) && to->to_sackok)
		tp->t_flags |= TF_SACK_PERMIT;
	tcp_mss_update(tp, to->to_mss);
}

/* Step eight: a FIN in order (rcv_nxt is past the data). */
static struct tcpcb *
tcp_do_fin(struct tcpcb *tp)
{
	struct socket *so = tp->t_socket;

	tp->rcv_nxt++;
	tp->t_flags |= TF_ACKNOW;
	socantrcvmore(so);
	switch (tp->t_state) {
	case TCPS_SYN_RECEIVED:
	case TCPS_ESTABLISHED:
		tcp_set_state(tp, TCPS_CLOSE_WAIT);
		break;
	case TCPS_FIN_WAIT_1:
		tcp_set_state(tp, TCPS_CLOSING);
		break;
	case TCPS_FIN_WAIT_2:
		tcp_enter_time_wait(tp);
		break;
	case TCPS_TIME_WAIT:
		tcp_timer_arm(tp, TCPT_2MSL, 2 * tcp_msl_ms * 1000000);
		break;
	default:
		break;
	}
	return tp;
}

/* SYN_SENT (RFC 9293 3.10.7.3).  Returns NULL if closed; *cont: go on
 * with data/FIN processing. */
static struct tcpcb *
tcp_input_synsent(struct tcpcb *tp, struct tcpseg *s, bool *cont)
{
	*cont = false;
	if (s->flags & TH_ACK) {
		if (SEQ_LEQ(s->ack, tp->iss) || SEQ_GT(s->ack, tp->snd_max)) {
			tcp_respond(tp, s->r, &s->th, s->ack, 0, TH_RST);
			return tp;
		}
	}
	if (s->flags & TH_RST) {
		if (s->flags & TH_ACK)
			return tcp_drop(tp, ECONNREFUSED);
		return tp;
	}
	if (!(s->flags & TH_SYN))
		return tp;
	tp->irs = s->seq;
	tp->rcv_nxt = s->seq + 1;
	tp->rcv_adv = tp->rcv_nxt;
	tcp_syn_options(tp, &s->to);
	tp->t_rcvmss = tp->t_maxseg;
	if (s->flags & TH_ACK) {
		tp->snd_una = s->ack;
		if (SEQ_LT(tp->snd_nxt, tp->snd_una))
			tp->snd_nxt = tp->snd_una;
		tcp_rtt_sample(tp, s);
		tcp_timer_disarm(tp, TCPT_REXMT);
		tp->snd_wnd = s->win << tp->snd_scale;
		tp->max_sndwnd = tp->snd_wnd;
		tp->snd_wl1 = s->seq;
		tp->snd_wl2 = s->ack;
		tcp_established(tp);
		tp->t_flags |= TF_ACKNOW;
	} else {
		/* Simultaneous open: SYN,ACK with our ISN again. */
		tcp_set_state(tp, TCPS_SYN_RECEIVED);
		tp->snd_nxt = tp->iss;
		tp->snd_wnd = s->win;
		tp->t_flags |= TF_ACKNOW;
		tcp_timer_disarm(tp, TCPT_REXMT);
	}
	s->seq++;		/* past the SYN */
	s->flags &= ~TH_SYN;
	*cont = true;
	return tp;
}

/*
 * A segment for a connection in a synchronized state or SYN_RECEIVED.
 * Takes m (payload only).  Returns NULL if the connection is gone.
 */
static struct tcpcb *
tcp_input_conn(struct tcpcb *tp, struct tcpseg *s, struct mbuf *m)
{
	struct socket *so = tp->t_socket;
	uint32_t rwnd, trim;
	bool drop, fin, rwake = false;

	tp->t_rcvtime = tcp_now_ns();
	tp->t_keepcnt = 0;
	if (tp->t_state == TCPS_SYN_SENT) {
		bool cont;

		tp = tcp_input_synsent(tp, s, &cont);
		if (tp == NULL || !cont)
			goto out;
		goto data;
	}

	/* PAWS (RFC 7323 5.3). */
	if ((tp->t_flags & TF_RCVD_TSTMP) && s->to.to_ts &&
	    !(s->flags & TH_RST) && tp->ts_recent != 0 &&
	    TSTMP_LT(s->to.to_tsval, tp->ts_recent)) {
		if (tp->t_rcvtime - tp->ts_recent_age >
		    24LL * 24 * 3600 * 1000000000) {
			tp->ts_recent = 0;
		} else {
			atomic_fetch_add(&tcpstat.tcps_rcvduppack, 1);
			tp->t_flags |= TF_ACKNOW;
			(void)tcp_output(tp);
			goto out;
		}
	}

	/* Step one: acceptability (RFC 9293 3.10.7.4). */
	rwnd = SEQ_GT(tp->rcv_adv, tp->rcv_nxt) ? tp->rcv_adv - tp->rcv_nxt : 0;
	{
		uint32_t seglen = s->tlen + ((s->flags & (TH_SYN)) ? 1 : 0) +
		    ((s->flags & TH_FIN) ? 1 : 0);
		bool ok;

		if (seglen == 0)
			ok = rwnd == 0 ? s->seq == tp->rcv_nxt :
			    SEQ_GEQ(s->seq, tp->rcv_nxt) &&
			    SEQ_LT(s->seq, tp->rcv_nxt + rwnd);
		else
			ok = rwnd != 0 &&
			    ((SEQ_GEQ(s->seq, tp->rcv_nxt) &&
			    SEQ_LT(s->seq, tp->rcv_nxt + rwnd)) ||
			    (SEQ_GEQ(s->seq + seglen - 1, tp->rcv_nxt) &&
			    SEQ_LT(s->seq + seglen - 1, tp->rcv_nxt + rwnd)));
		/* A zero window still takes pure ACKs and RSTs at rcv_nxt,
		 * and an old segment's ACK info is still useful below. */
		if (!ok && seglen > 0 && rwnd == 0 && s->seq == tp->rcv_nxt)
			ok = true;		/* keep the ACK; data trimmed */
		if (!ok) {
			if (s->flags & TH_RST)
				goto out;
			/* An old duplicate (or keepalive): ACK it. */
			atomic_fetch_add(&tcpstat.tcps_rcvduppack, 1);
			tp->t_flags |= TF_ACKNOW;
			(void)tcp_output(tp);
			goto out;
		}
	}

	/* Step two: RST (RFC 5961 3.2). */
	if (s->flags & TH_RST) {
		if (s->seq != tp->rcv_nxt) {
			atomic_fetch_add(&tcpstat.tcps_badrst, 1);
			tcp_challenge_ack(tp);
			goto out;
		}
		switch (tp->t_state) {
		case TCPS_SYN_RECEIVED:
			so->so_error = (tp->t_flags & TF_PASSIVE) ? 0 :
			    ECONNREFUSED;
			break;
		case TCPS_ESTABLISHED:
		case TCPS_FIN_WAIT_1:
		case TCPS_FIN_WAIT_2:
		case TCPS_CLOSE_WAIT:
			so->so_error = ECONNRESET;
			break;
		default:
			break;
		}
		if (so->so_error != 0) {
			so->so_state |= SS_CANTSENDMORE;
			sowakeup_error(so, so->so_error);
		}
		tp = tcp_close(tp);
		goto out;
	}

	/* Trim what we already have and what is past the window. */
	if (SEQ_LT(s->seq, tp->rcv_nxt)) {
		trim = tp->rcv_nxt - s->seq;
		if (s->flags & TH_SYN) {
			trim--;
			s->flags &= ~TH_SYN;
			s->seq++;
		}
		if (trim >= s->tlen) {
			if (trim > s->tlen || !(s->flags & TH_FIN))
				s->flags &= ~TH_FIN;
			trim = s->tlen;
		}
		if (trim > 0) {
			m_adj(m, (ssize_t)trim);
			s->tlen -= trim;
			s->seq += trim;
			tp->t_flags |= TF_ACKNOW;	/* (a D-SACK would go here) */
		}
	}
	if (SEQ_GT(s->seq + s->tlen, tp->rcv_nxt + rwnd)) {
		uint32_t over = s->seq + s->tlen - (tp->rcv_nxt + rwnd);

		if (over >= s->tlen)
			over = s->tlen;
		m_adj(m, -(ssize_t)over);
		s->tlen -= over;
		s->flags &= ~TH_FIN;
		tp->t_flags |= TF_ACKNOW;
	}

	/* Step four: SYN in a synchronized state (RFC 5961 4.2). */
	if (s->flags & TH_SYN) {
		tcp_challenge_ack(tp);
		goto out;
	}

	/* Timestamps: remember the newest from in-window segments. */
	if (s->to.to_ts && (tp->t_flags & TF_RCVD_TSTMP) &&
	    SEQ_LEQ(s->seq, tp->last_ack_sent) &&
	    TSTMP_GEQ(s->to.to_tsval, tp->ts_recent)) {
		tp->ts_recent = s->to.to_tsval;
		tp->ts_recent_age = tp->t_rcvtime;
	}

	/* Step five. */
	if (!(s->flags & TH_ACK))
		goto out;
	tp = tcp_do_ack(tp, s, &drop);
	if (tp == NULL || drop)
		goto out;

data:
	/* Steps seven and eight: text and FIN. */
	fin = (s->flags & TH_FIN) != 0;
	if (s->tlen > 0 || fin) {
		if (tp->t_state > TCPS_FIN_WAIT_2 ||
		    tp->t_state == TCPS_CLOSE_WAIT ||
		    tp->t_state == TCPS_CLOSING ||
		    tp->t_state == TCPS_LAST_ACK) {
			/* After their FIN: nothing more is data. */
			m_freem(m);
			m = NULL;
			if (tp->t_state == TCPS_TIME_WAIT && fin) {
				tp->t_flags |= TF_ACKNOW;
				tcp_timer_arm(tp, TCPT_2MSL,
				    2 * tcp_msl_ms * 1000000);
			}
			goto output;
		}
		if (s->tlen > 0 && (tp->t_flags & TF_ORPHAN)) {
			/* Data for a closed socket: reset (RFC 9293 3.10.7.4,
			 * Linux's behaviour). */
			m_freem(m);
			m = NULL;
			tp = tcp_drop(tp, 0);
			goto out;
		}
		if (s->tlen > 0) {
			tp->t_data_segs_in++;
			tp->t_lastdatarecv = tp->t_rcvtime;
			/* A large segment (tcp_lso.c) is segments of at
			 * most what we advertised. */
			if (MIN(s->tlen, tp->t_advmss) > tp->t_rcvmss)
				tp->t_rcvmss = MIN(s->tlen, tp->t_advmss);
		}
		if (s->seq == tp->rcv_nxt && TAILQ_EMPTY(&tp->t_segq)) {
			fin = tcp_reass(tp, s->seq, m, s->tlen, fin);
			m = NULL;
			/* Delayed ACK: every second segment, or a timer. */
			if (s->tlen > 0) {
				/* A large segment is two or more. */
				if ((tp->t_flags & (TF_DELACK | TF_QUICKACK)) ||
				    fin || tp->t_quickack > 0 ||
				    s->tlen > tp->t_advmss) {
					tp->t_flags |= TF_ACKNOW;
					if (tp->t_quickack > 0)
						tp->t_quickack--;
				}
				else {
					tp->t_flags |= TF_DELACK;
					tcp_timer_arm(tp, TCPT_DELACK,
					    TCP_DELACK_NS);
				}
			}
		} else {
			fin = tcp_reass(tp, s->seq, m, s->tlen, fin);
			m = NULL;
			/* Out of order or filling a hole: ACK at once
			 * (RFC 5681 4.2), with SACK blocks. */
			tp->t_flags |= TF_ACKNOW;
		}
		rwake = s->tlen > 0;
		if (fin)
			tp = tcp_do_fin(tp);
	}
output:
	if (tp != NULL && ((tp->t_flags & TF_ACKNOW) ||
	    so->so_snd.sb_cc > (size_t)(tp->snd_nxt - tp->snd_una)))
		(void)tcp_output(tp);
	/* The reader is woken after the ACK went, right before the lock
	 * is dropped: woken before, it ran into the lock still held for
	 * the ACK's output (a futex sleep and wake more per segment). */
	if (rwake)
		sorwakeup(so);
out:
	m_freem(m);
	return tp;
}

void
tcp_input(struct mbuf *m, const struct ip_rcv *r)
{
	struct tcpseg s;
	struct inpcb *inp;
	struct socket *so;
	struct tcpcb *tp;
	kmutex_t *lock;
	size_t off = r->off, hlen;
	uint8_t optbuf[40];

	atomic_fetch_add(&tcpstat.tcps_rcvtotal, 1);
	memset(&s, 0, sizeof(s));
	if (r->len < sizeof(struct tcphdr) ||
	    (r->flags & (IPRCV_BCAST | IPRCV_MCAST)))
		goto drop;
	if ((m = m_pullup(m, off + sizeof(struct tcphdr))) == NULL)
		return;
	m_copydata(m, off, sizeof(s.th), &s.th);	/* m_data may be unaligned */
	hlen = (size_t)TH_OFF(&s.th) * 4;
	if (hlen < sizeof(struct tcphdr) || hlen > r->len ||
	    m->m_pkthdr.len < off + r->len) {
		atomic_fetch_add(&tcpstat.tcps_rcvshort, 1);
		goto drop;
	}
	if (!(m->m_pkthdr.csum_flags & M_CSUM_DATA_VALID) &&
	    in_cksum_pseudo(r->af, &r->src, &r->dst, IPPROTO_TCP, m, off,
	    r->len) != 0) {
		atomic_fetch_add(&tcpstat.tcps_rcvbadsum, 1);
		goto drop;
	}
	s.r = r;
	if (hlen > sizeof(struct tcphdr))
		m_copydata(m, off + sizeof(struct tcphdr),
		    hlen - sizeof(struct tcphdr), optbuf);
	s.seq = ntohl(s.th.th_seq);
	s.ack = ntohl(s.th.th_ack);
	s.win = ntohs(s.th.th_win);
	s.flags = s.th.th_flags;
	s.tlen = (uint32_t)(r->len - hlen);
	tcp_dooptions(optbuf, hlen - sizeof(struct tcphdr),
	    (s.flags & TH_SYN) != 0,
	    &s.to);
	/* Keep only the payload. */
	m_adj(m, (ssize_t)(off + hlen));
	if (m->m_pkthdr.len > s.tlen)
		m_adj(m, -(ssize_t)(m->m_pkthdr.len - s.tlen));
	/* Nonsense flag combinations get nothing (not even a RST). */
	if ((s.flags & (TH_SYN | TH_FIN)) == (TH_SYN | TH_FIN) ||
	    (s.flags & (TH_SYN | TH_RST)) == (TH_SYN | TH_RST))
		goto drop;
	if (s.th.th_dport == 0 || s.th.th_sport == 0)
		goto drop;

findpcb:
	inp = in_pcblookup(&tcbtable, r->af, &r->src, s.th.th_sport, &r->dst,
	    s.th.th_dport, INPLOOKUP_LISTEN);
	if (inp == NULL)
		goto reset;
	so = inp->inp_socket;
	for (;;) {
		lock = so->so_lock;
		mutex_enter(lock);
		if (so->so_lock == lock)
			break;
		mutex_exit(lock);
	}
	if ((inp->inp_flags & INP_DEAD) || (tp = intotcpcb(inp)) == NULL ||
	    tp->t_state == TCPS_CLOSED || (tp->t_flags & TF_DEAD)) {
		mutex_exit(lock);
		in_pcbrele(inp);
		goto reset;
	}
	tp->t_segs_in++;
	if (tp->t_state == TCPS_LISTEN) {
		tcp_input_listen(tp, r, &s.th, s.seq, s.ack, s.win, s.tlen,
		    s.flags, &s.to);
		mutex_exit(lock);
		in_pcbrele(inp);
		goto drop;
	}
	/* RFC 6191: a SYN newer than the TIME_WAIT connection reuses it. */
	if (tp->t_state == TCPS_TIME_WAIT && (s.flags & TH_SYN) &&
	    !(s.flags & (TH_ACK | TH_RST)) &&
	    ((s.to.to_ts && (tp->t_flags & TF_RCVD_TSTMP)) ?
	    TSTMP_LT(tp->ts_recent, s.to.to_tsval) :
	    SEQ_GT(s.seq, tp->rcv_nxt))) {
		(void)tcp_close(tp);
		mutex_exit(lock);
		in_pcbrele(inp);
		goto findpcb;
	}
	tp = tcp_input_conn(tp, &s, m);
	m = NULL;
	mutex_exit(lock);
	in_pcbrele(inp);
	return;

reset:
	tcp_reset_for(r, &s.th, s.seq, s.ack, s.tlen, s.flags);
drop:
	m_freem(m);
}

/* ICMP about a segment we sent (RFC 5927 care: only in-window ones). */
void
tcp_ctlinput(const struct ip_ctlmsg *c)
{
	struct inpcb *inp;
	struct socket *so;
	struct tcpcb *tp;
	kmutex_t *lock;
	struct tcphdr th;
	tcp_seq seq;

	if (c->quotedlen < 8)
		return;
	memcpy(&th, c->quoted, 8);
	inp = in_pcblookup_connect(&tcbtable, c->af, &c->dst, th.th_dport,
	    &c->src, th.th_sport);
	if (inp == NULL)
		return;
	so = inp->inp_socket;
	for (;;) {
		lock = so->so_lock;
		mutex_enter(lock);
		if (so->so_lock == lock)
			break;
		mutex_exit(lock);
	}
	tp = (inp->inp_flags & INP_DEAD) ? NULL : intotcpcb(inp);
	if (tp != NULL && (tp->t_flags & TF_DEAD))
		tp = NULL;
	seq = ntohl(th.th_seq);
	if (tp == NULL || SEQ_LT(seq, tp->snd_una) ||
	    SEQ_GT(seq, tp->snd_max))
		goto out;
	if (c->error == EMSGSIZE) {
		if (c->icmp_info != 0)
			in_pmtu_update(c->af, &c->dst, c->icmp_info);
		tcp_mss_update(tp, tp->t_maxseg + tp->t_optlen);
		tp->snd_nxt = tp->snd_una;
		(void)tcp_output(tp);
	} else if (tp->t_state == TCPS_SYN_SENT) {
		/* A connection attempt ends on any error, soft ones (net
		 * and host unreachable, time exceeded) too, as Linux's
		 * tcp_v4_err/tcp_v6_err; an established one only notes it. */
		tp = tcp_drop(tp, c->error);
	} else
		tp->t_softerror = c->error;
out:
	mutex_exit(lock);
	in_pcbrele(inp);
	netisr_run();
}
