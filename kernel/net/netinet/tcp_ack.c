/*
 * tcp_ack.c: step five of segment arrival (RFC 9293 3.10.7.4), the ACK:
 * RTT samples (RFC 6298), congestion control, NewReno recovery (RFC
 * 6582) or SACK recovery (RFC 6675), and window updates.  tcp_input.c
 * calls it with so_lock held, in the order RFC 9293 gives.
 */
#include "k/kernel.h"
#include "k/socket.h"
#include "net/netinet/in_pcb.h"
#include "net/netinet/ip_var.h"
#include "net/netinet/tcp_var.h"
#include "net/netinet/tcp_input.h"

/* An RTT sample from the echoed timestamp, or from the timed segment. */
void
tcp_rtt_sample(struct tcpcb *tp, const struct tcpseg *s)
{
	if ((tp->t_flags & TF_RCVD_TSTMP) && s->to.to_ts && s->to.to_tsecr) {
		uint32_t d = tcp_ts_now(tp) - s->to.to_tsecr;

		/* ms resolution; a sub-ms loopback RTT counts as 0.1 ms. */
		if (d < 0x7fffffff)
			tcp_rtt_update(tp, d ? (int64_t)d * 1000 : 100);
		return;
	}
	if (tp->t_rttstart != 0 && SEQ_GT(s->ack, tp->t_rtseq)) {
		tcp_rtt_update(tp, (tcp_now_ns() - tp->t_rttstart) / 1000);
		tp->t_rttstart = 0;
	}
}

static void
tcp_enter_recovery(struct tcpcb *tp)
{
	tp->snd_recover = tp->snd_max;
	tp->t_cc->cc_loss(tp);
	tp->t_flags |= TF_INRECOVERY;
	tp->t_ca_state = TCP_CA_Recovery;
	tp->t_fastrexmt++;
	tp->t_highrxt = tp->snd_una;
	tp->t_rttstart = 0;
	if (!(tp->t_flags & TF_SACK_PERMIT)) {
		/* RFC 6582 3.2 (2)-(3): retransmit, inflate by three. */
		uint32_t len = MIN(tp->t_maxseg, tp->snd_max - tp->snd_una);

		if (len > tp->t_socket->so_snd.sb_cc)
			len = (uint32_t)tp->t_socket->so_snd.sb_cc;
		if (len > 0)
			(void)tcp_send_segment(tp, tp->snd_una, len, TH_ACK);
		tp->snd_cwnd = tp->snd_ssthresh + 3 * tp->t_maxseg;
	}
}

static void
tcp_exit_recovery(struct tcpcb *tp)
{
	tp->t_flags &= ~(TF_INRECOVERY | TF_LOSS);
	tp->t_ca_state = TCP_CA_Open;
	tp->t_dupacks = 0;
	tp->t_retrans_segs = 0;
	if (tp->t_cc->cc_recovered != NULL)
		tp->t_cc->cc_recovered(tp);
}

/*
 * Step five: the ACK field.  Returns NULL if the connection went away,
 * else tp; *drop set when the segment must go no further.
 */
struct tcpcb *
tcp_do_ack(struct tcpcb *tp, struct tcpseg *s, bool *drop)
{
	struct socket *so = tp->t_socket;
	uint32_t acked, win = s->win << tp->snd_scale;
	bool ourfinacked = false;

	*drop = false;
	if (tp->t_state == TCPS_SYN_RECEIVED) {
		if (SEQ_LEQ(s->ack, tp->snd_una) || SEQ_GT(s->ack, tp->snd_max)) {
			tcp_respond(tp, s->r, &s->th, s->ack, 0, TH_RST);
			*drop = true;
			return tp;
		}
		/* Accept queue full: ignore the ACK, as Linux does; the
		 * SYN,ACK is sent again and the peer's ACK comes back. */
		if (so->so_head != NULL &&
		    so->so_head->so_qlen > so->so_head->so_qlimit) {
			atomic_fetch_add(&tcpstat.tcps_listendrop, 1);
			*drop = true;
			return tp;
		}
		tp->snd_wnd = win;
		tp->snd_wl1 = s->seq;
		tp->snd_wl2 = s->ack;
		tp->max_sndwnd = win;
		tcp_established(tp);
		atomic_fetch_add(&tcpstat.tcps_accepts, 1);
	}
	/* RFC 5961 5.2: an ACK outside [snd_una - max_sndwnd, snd_max]. */
	if (SEQ_GT(s->ack, tp->snd_max)) {
		tcp_challenge_ack(tp);
		*drop = true;
		return tp;
	}
	if (SEQ_LT(s->ack, tp->snd_una - MAX(tp->max_sndwnd, 65535u))) {
		tcp_challenge_ack(tp);
		*drop = true;
		return tp;
	}
	tp->t_lastackrecv = tcp_now_ns();
	if ((tp->t_flags & TF_SACK_PERMIT) && s->to.to_nsack > 0)
		tcp_sack_update(tp, s->ack, s->to.to_sack, s->to.to_nsack);

	if (SEQ_LEQ(s->ack, tp->snd_una)) {
		/* A duplicate ACK (RFC 5681 2): pure, same window, data out. */
		if (s->ack == tp->snd_una && s->tlen == 0 &&
		    !(s->flags & (TH_SYN | TH_FIN)) && win == tp->snd_wnd &&
		    win != 0 && !(tp->t_flags & TF_PERSIST) &&
		    tp->snd_una != tp->snd_max) {
			tp->t_dupacks++;
			if (tp->t_flags & TF_INRECOVERY) {
				if (!(tp->t_flags & TF_SACK_PERMIT))
					tp->snd_cwnd += tp->t_maxseg;
				(void)tcp_output(tp);
			} else if (!(tp->t_flags & TF_LOSS) &&
			    (tp->t_dupacks >= 3 ||
			    ((tp->t_flags & TF_SACK_PERMIT) &&
			    tcp_sack_lost(tp) > 0)) &&
			    SEQ_GT(tp->snd_una, tp->snd_recover - 1)) {
				tcp_enter_recovery(tp);
				(void)tcp_output(tp);
			} else if (tp->t_dupacks <= 2 &&
			    !(tp->t_flags & TF_LOSS)) {
				/* RFC 3042 limited transmit. */
				uint32_t cw = tp->snd_cwnd;

				tp->snd_cwnd += tp->t_dupacks * tp->t_maxseg;
				(void)tcp_output(tp);
				tp->snd_cwnd = cw;
			}
		} else if (s->ack != tp->snd_una || s->tlen > 0 ||
		    win != tp->snd_wnd)
			tp->t_dupacks = 0;
		goto window;
	}

	/* New data acknowledged. */
	acked = s->ack - tp->snd_una;
	tcp_rtt_sample(tp, s);
	if ((tp->t_flags & TF_SENTFIN) && s->ack == tp->snd_max)
		ourfinacked = true;
	{
		uint32_t data = acked - (ourfinacked ? 1 : 0) -
		    (tp->snd_una == tp->iss ? 1 : 0);	/* our SYN */

		if (data > so->so_snd.sb_cc)
			data = (uint32_t)so->so_snd.sb_cc;
		sbdrop(&so->so_snd, data);
		tp->t_bytes_acked_total += data;
	}
	tp->snd_una = s->ack;
	if (SEQ_LT(tp->snd_nxt, tp->snd_una))
		tp->snd_nxt = tp->snd_una;
	tcp_sack_clean(tp);
	tp->t_rxtshift = 0;
	tp->t_firstrxt = 0;
	if (tp->t_flags & (TF_INRECOVERY | TF_LOSS)) {
		if (SEQ_GEQ(s->ack, tp->snd_recover)) {
			tcp_exit_recovery(tp);
		} else if ((tp->t_flags & TF_INRECOVERY) &&
		    !(tp->t_flags & TF_SACK_PERMIT)) {
			/* RFC 6582 3.2 (5): partial ACK. */
			uint32_t len = MIN(tp->t_maxseg,
			    tp->snd_max - tp->snd_una);

			if (len > so->so_snd.sb_cc)
				len = (uint32_t)so->so_snd.sb_cc;
			if (len > 0)
				(void)tcp_send_segment(tp, tp->snd_una, len,
				    TH_ACK);
			tp->snd_cwnd = tp->snd_cwnd > acked ?
			    tp->snd_cwnd - acked + tp->t_maxseg :
			    tp->t_maxseg;
		} else if (tp->t_flags & TF_LOSS)
			tp->t_cc->cc_ack(tp, acked);
	} else {
		tp->t_dupacks = 0;
		tp->t_cc->cc_ack(tp, acked);
	}
	if (tp->snd_una == tp->snd_max) {
		tcp_timer_disarm(tp, TCPT_REXMT);
		tp->t_flags &= ~TF_PERSIST;
		tp->t_retrans_segs = 0;
	} else if (!(tp->t_flags & TF_PERSIST))
		tcp_timer_arm(tp, TCPT_REXMT, tcp_rto_ns(tp));
	/* A writer waits for room: woken when a third of the buffer is
	 * free (what is queued is at most twice the room, Linux's
	 * sk_stream_write_space), not at every ACK, so that it comes back
	 * to write a large piece rather than one segment's worth. */
	if (sbspace(&so->so_snd) >= so->so_snd.sb_cc / 2)
		sowwakeup(so);

	switch (tp->t_state) {
	case TCPS_FIN_WAIT_1:
		if (ourfinacked) {
			tcp_set_state(tp, TCPS_FIN_WAIT_2);
			/* Closed for good: do not wait forever (Linux's
			 * tcp_fin_timeout). */
			if (tp->t_flags & TF_ORPHAN) {
				soisdisconnected(so);
				tcp_timer_arm(tp, TCPT_2MSL, (tp->t_linger2 > 0 ?
				    tp->t_linger2 : tcp_fin_timeout) *
				    1000000000LL);
			}
		}
		break;
	case TCPS_CLOSING:
		if (ourfinacked)
			tcp_enter_time_wait(tp);
		break;
	case TCPS_LAST_ACK:
		if (ourfinacked) {
			*drop = true;
			return tcp_close(tp);
		}
		break;
	default:
		break;
	}

window:
	/* RFC 9293 3.10.7.4 step five: update the send window. */
	if (SEQ_LT(tp->snd_wl1, s->seq) || (tp->snd_wl1 == s->seq &&
	    SEQ_LEQ(tp->snd_wl2, s->ack))) {
		bool opened = tp->snd_wnd == 0 && win > 0;

		tp->snd_wnd = win;
		tp->snd_wl1 = s->seq;
		tp->snd_wl2 = s->ack;
		if (win > tp->max_sndwnd)
			tp->max_sndwnd = win;
		if (opened && (tp->t_flags & TF_PERSIST)) {
			tp->t_flags &= ~TF_PERSIST;
			tcp_timer_disarm(tp, TCPT_REXMT);
			tp->t_rxtshift = 0;
			if (SEQ_LT(tp->snd_una, tp->snd_max))
				tcp_timer_arm(tp, TCPT_REXMT, tcp_rto_ns(tp));
		}
	}
	return tp;
}
