/*
 * tcp_output.c: what to send and building segments.
 *
 * tcp_output() decides (RFC 9293 3.8.6, RFC 5681, RFC 6675 for SACK
 * recovery, Nagle's algorithm with TCP_NODELAY/TCP_CORK, receiver and
 * sender silly-window avoidance) and tcp_send_segment() builds one
 * segment: a header mbuf with the options, then the payload as an
 * m_copym() of so_snd, which shares the socket buffer's clusters - the
 * stack copies no payload.  Over lo (MTU 65536) a segment carries up to
 * 64 KiB, so the per-segment cost is paid rarely.
 *
 * Called with so_lock held; in_output() never delivers synchronously.
 */
#include "k/kernel.h"
#include "k/socket.h"
#include "net/netinet/in_pcb.h"
#include "net/netinet/ip_var.h"
#include "net/netinet/tcp_var.h"

static const uint8_t tcp_outflags[] = {
	[TCPS_CLOSED] = TH_RST | TH_ACK,
	[TCPS_LISTEN] = 0,
	[TCPS_SYN_SENT] = TH_SYN,
	[TCPS_SYN_RECEIVED] = TH_SYN | TH_ACK,
	[TCPS_ESTABLISHED] = TH_ACK,
	[TCPS_CLOSE_WAIT] = TH_ACK,
	[TCPS_FIN_WAIT_1] = TH_FIN | TH_ACK,
	[TCPS_CLOSING] = TH_FIN | TH_ACK,
	[TCPS_LAST_ACK] = TH_FIN | TH_ACK,
	[TCPS_FIN_WAIT_2] = TH_ACK,
	[TCPS_TIME_WAIT] = TH_ACK,
};

uint32_t
tcp_rcv_window(const struct tcpcb *tp)
{
	const struct socket *so = tp->t_socket;
	uint32_t win = (uint32_t)MIN(sbspace(&so->so_rcv), (size_t)UINT32_MAX);
	uint32_t max = (uint32_t)TCP_MAXWIN << tp->rcv_scale;

	/* Never move the right edge back (RFC 9293 3.8.6.2.2). */
	if (SEQ_GT(tp->rcv_adv, tp->rcv_nxt) && win < tp->rcv_adv - tp->rcv_nxt)
		win = tp->rcv_adv - tp->rcv_nxt;
	return MIN(win, max);
}

static void
put32(uint8_t *p, uint32_t v)
{
	v = htonl(v);
	memcpy(p, &v, 4);
}

/* Options of a segment into opt (40 bytes room): their length. */
static size_t
tcp_build_options(struct tcpcb *tp, int flags, uint8_t *opt)
{
	size_t n = 0;
	struct sackblk blk[TCP_SACK_RCVBLKS];
	int nblk, i;

	if (flags & TH_SYN) {
		uint16_t mss = (uint16_t)tp->t_advmss;

		opt[n++] = TCPOPT_MAXSEG;
		opt[n++] = TCPOLEN_MAXSEG;
		opt[n++] = (uint8_t)(mss >> 8);
		opt[n++] = (uint8_t)mss;
		if ((tp->t_flags & TF_REQ_SACK) &&
		    (!(flags & TH_ACK) || (tp->t_flags & TF_SACK_PERMIT))) {
			opt[n++] = TCPOPT_SACK_PERMITTED;
			opt[n++] = TCPOLEN_SACK_PERMITTED;
		} else if (tp->t_flags & TF_REQ_TSTMP) {
			opt[n++] = TCPOPT_NOP;
			opt[n++] = TCPOPT_NOP;
		}
		if ((tp->t_flags & TF_REQ_TSTMP) &&
		    (!(flags & TH_ACK) || (tp->t_flags & TF_RCVD_TSTMP))) {
			opt[n++] = TCPOPT_TIMESTAMP;
			opt[n++] = TCPOLEN_TIMESTAMP;
			put32(opt + n, tcp_ts_now(tp));
			put32(opt + n + 4, tp->ts_recent);
			n += 8;
		}
		if ((tp->t_flags & TF_REQ_SCALE) &&
		    (!(flags & TH_ACK) || (tp->t_flags & TF_RCVD_SCALE))) {
			opt[n++] = TCPOPT_NOP;
			opt[n++] = TCPOPT_WINDOW;
			opt[n++] = TCPOLEN_WINDOW;
			opt[n++] = tp->request_r_scale;
		}
		return n;
	}
	if ((tp->t_flags & TF_RCVD_TSTMP) && !(flags & TH_RST)) {
		opt[n++] = TCPOPT_NOP;
		opt[n++] = TCPOPT_NOP;
		opt[n++] = TCPOPT_TIMESTAMP;
		opt[n++] = TCPOLEN_TIMESTAMP;
		put32(opt + n, tcp_ts_now(tp));
		put32(opt + n + 4, tp->ts_recent);
		n += 8;
	}
	if ((tp->t_flags & TF_SACK_PERMIT) && tp->t_segqcnt > 0 &&
	    !(flags & TH_RST)) {
		nblk = tcp_sack_build(tp, blk, n ? 3 : 4);
		if (nblk > 0) {
			opt[n++] = TCPOPT_NOP;
			opt[n++] = TCPOPT_NOP;
			opt[n++] = TCPOPT_SACK;
			opt[n++] = (uint8_t)(2 + 8 * nblk);
			for (i = 0; i < nblk; i++) {
				put32(opt + n, blk[i].start);
				put32(opt + n + 4, blk[i].end);
				n += 8;
			}
		}
	}
	return n;
}

int
tcp_send_segment(struct tcpcb *tp, tcp_seq seq, uint32_t len, int flags)
{
	struct socket *so = tp->t_socket;
	struct inpcb *inp = tp->t_inpcb;
	struct mbuf *m, *data = NULL;
	struct tcphdr hdr, *th = &hdr;	/* built aside: m_data may be unaligned */
	struct ip_out o;
	uint8_t opt[40];
	size_t optlen, hlen;
	uint32_t win, off;
	int error;

	optlen = tcp_build_options(tp, flags, opt);
	hlen = sizeof(*th) + optlen;
	if (len > 0) {
		off = seq - tp->snd_una;
		if (!TCPS_HAVEESTABLISHED(tp->t_state) && tp->snd_una == tp->iss)
			off--;
		if ((size_t)off + len > so->so_snd.sb_cc)
			return EINVAL;
		data = m_copym(so->so_snd.sb_mb, off, len);
		if (data == NULL)
			return ENOBUFS;
	}
	if ((m = m_gethdr(MT_HEADER)) == NULL) {
		m_freem(data);
		return ENOBUFS;
	}
	m->m_len = 0;
	m->m_pkthdr.len = 0;
	m = tcp_prepend(m, hlen);
	if (m == NULL) {
		m_freem(data);
		return ENOBUFS;
	}
	th->th_sport = inp->inp_lport;
	th->th_dport = inp->inp_fport;
	th->th_seq = htonl(seq);
	th->th_ack = (flags & TH_ACK) ? htonl(tp->rcv_nxt) : 0;
	th->th_offx2 = (uint8_t)((hlen / 4) << 4);
	th->th_flags = (uint8_t)flags;
	th->th_sum = 0;
	th->th_urp = 0;
	if (flags & TH_RST)
		win = 0;
	else
		win = tcp_rcv_window(tp);
	/* What the peer may send is what the header says, after scaling. */
	if (flags & TH_SYN)
		win = MIN(win, 65535u);
	else
		win = MIN(win >> tp->rcv_scale, 65535u) << tp->rcv_scale;
	th->th_win = htons((uint16_t)((flags & TH_SYN) ? win :
	    win >> tp->rcv_scale));
	memcpy(mtod(m, uint8_t *), th, sizeof(*th));
	if (optlen > 0)
		memcpy(mtod(m, uint8_t *) + sizeof(*th), opt, optlen);
	if (data != NULL)
		m_cat(m, data);
	m->m_pkthdr.len = (uint32_t)(hlen + len);
	m->m_pkthdr.csum_flags = M_CSUM_TCP;
	m->m_pkthdr.l4off = 0;
	if (len > tp->t_maxseg)
		m->m_pkthdr.segsz = (uint16_t)tp->t_maxseg;

	if (!(flags & TH_RST)) {
		tcp_seq radv = tp->rcv_nxt + win;

		if (SEQ_GT(radv, tp->rcv_adv))
			tp->rcv_adv = radv;
		tp->rcv_wnd = win;
	}
	if (flags & TH_ACK) {
		tp->last_ack_sent = tp->rcv_nxt;
		tp->t_flags &= ~(TF_ACKNOW | TF_DELACK);
		tcp_timer_disarm(tp, TCPT_DELACK);
	}
	tp->t_segs_out++;
	atomic_fetch_add(&tcpstat.tcps_sndtotal, 1);
	if (len > 0) {
		tp->t_data_segs_out++;
		tp->t_bytes_sent += len;
		tp->t_lastsend = tcp_now_ns();
	}
	/* A retransmission: data, or a SYN or FIN sent again. */
	if ((len > 0 || (flags & (TH_SYN | TH_FIN))) &&
	    SEQ_LT(seq, tp->snd_max) && !(flags & TH_RST)) {
		tp->t_total_retrans++;
		tp->t_retrans_segs++;
		tp->t_bytes_retrans += len;
		atomic_fetch_add(&tcpstat.tcps_sndrexmitpack, 1);
	}
	ip_out_frompcb(&o, inp, IPPROTO_TCP, NULL);
	if (o.pmtudisc < 0)
		o.pmtudisc = IP_PMTUDISC_DO;
	error = in_output(m, &o);
	if (error == EMSGSIZE)
		tcp_mss_update(tp, tp->t_maxseg);
	return error;
}

/* Nagle / cork / sender SWS: whether a short segment of len may go now. */
static bool
tcp_send_ok(const struct tcpcb *tp, uint32_t len, uint32_t off, bool idle)
{
	const struct socket *so = tp->t_socket;
	bool alldata = off + len >= so->so_snd.sb_cc;

	if (len >= tp->t_maxseg)
		return true;
	if (tp->t_flags & TF_CORK)
		return false;
	if ((idle || (tp->t_flags & TF_NODELAY)) && alldata)
		return true;
	if (tp->t_flags & TF_FORCE)
		return true;
	if (tp->max_sndwnd > 0 && len >= tp->max_sndwnd / 2)
		return true;
	if (SEQ_LT(tp->snd_nxt, tp->snd_max))
		return true;
	return false;
}

int
tcp_output(struct tcpcb *tp)
{
	struct socket *so = tp->t_socket;
	uint32_t sendwin, off, len, avail, win;
	tcp_seq seq;
	int flags, error = 0, loops = 0;
	bool idle, sack_rxt;

	if (tp->t_state == TCPS_LISTEN || tp->t_state == TCPS_CLOSED)
		return 0;
again:
	if (++loops > 64 && !(tp->t_flags & TF_ACKNOW))
		return 0;
	idle = tp->snd_max == tp->snd_una;
	flags = tcp_outflags[tp->t_state];
	sack_rxt = false;
	seq = tp->snd_nxt;
	len = 0;
	sendwin = MIN(tp->snd_wnd, tp->snd_cwnd);

	/* RFC 6675 5 (C): retransmit holes first while pipe allows. */
	if ((tp->t_flags & (TF_SACK_PERMIT | TF_INRECOVERY)) ==
	    (TF_SACK_PERMIT | TF_INRECOVERY) &&
	    tcp_sack_pipe(tp) + tp->t_maxseg <= tp->snd_cwnd) {
		uint32_t hl;

		if (tcp_sack_nextseg(tp, &seq, &hl)) {
			len = MIN(hl, tp->t_maxseg);
			sack_rxt = true;
			flags &= ~TH_FIN;
			goto send;
		}
		/* No hole: new data may go if pipe leaves room. */
		seq = tp->snd_nxt;
		if (tcp_sack_pipe(tp) < tp->snd_cwnd)
			sendwin = MIN(tp->snd_wnd,
			    (uint32_t)(tp->snd_max - tp->snd_una) +
			    (tp->snd_cwnd - tcp_sack_pipe(tp)));
	}

	if ((tp->t_flags & TF_FORCE) && sendwin == 0)
		sendwin = 1;

	off = tp->snd_nxt - tp->snd_una;
	if ((flags & TH_SYN) && SEQ_GT(tp->snd_nxt, tp->iss) &&
	    tp->snd_una != tp->iss)
		flags &= ~TH_SYN;
	if ((flags & TH_SYN) && tp->snd_nxt != tp->iss)
		flags &= ~TH_SYN;
	if (!TCPS_HAVEESTABLISHED(tp->t_state)) {
		/* No data before the handshake ends. */
		avail = 0;
	} else {
		avail = (uint32_t)MIN(so->so_snd.sb_cc, (size_t)UINT32_MAX);
	}
	if (avail > off && sendwin > off)
		len = MIN(avail, sendwin) - off;
	else
		len = 0;
	/* Several segments at once on a link that carries them whole
	 * (tcp_lso.c), a multiple of the MSS so that Nagle still decides
	 * about the tail. */
	if (len > tp->t_maxseg) {
		if (tp->t_lsomax != 0 && !(tp->t_flags & TF_FORCE))
			len = MIN(len, tp->t_lsomax) / tp->t_maxseg *
			    tp->t_maxseg;
		else
			len = tp->t_maxseg;
	}
	/* The FIN goes with the last byte only. */
	if ((flags & TH_FIN) && off + len < avail)
		flags &= ~TH_FIN;
	if ((flags & TH_FIN) && (tp->t_flags & TF_SENTFIN) &&
	    tp->snd_nxt == tp->snd_max)
		flags &= ~TH_FIN;

	/*
	 * A large segment short of t_lsomax that would take the last of
	 * the queued data waits while a writer is still in sosend (it holds
	 * sblock and calls us again with more) and an ACK is due to call us
	 * anyway: otherwise each write's tail goes as a segment of a few
	 * MSS, a whole frame's cost on the link for a fraction of its data.
	 */
	if (len >= tp->t_maxseg && len < tp->t_lsomax &&
	    off + len + tp->t_maxseg > avail && !idle &&
	    (so->so_snd.sb_flags & SB_LOCKED) &&
	    !(tp->t_flags & (TF_FORCE | TF_ACKNOW | TF_NODELAY)) &&
	    !(flags & TH_FIN))
		len = 0;
	if (len > 0 && tcp_send_ok(tp, len, off, idle))
		goto send;
	/* The FIN goes out with the tail, Nagle or not. */
	if ((flags & TH_FIN) && off + len >= avail)
		goto send;
	if (tp->t_flags & TF_ACKNOW)
		goto send;
	if (flags & (TH_SYN | TH_RST))
		goto send;
	/*
	 * A window update the peer needs (receiver SWS avoidance): the
	 * window opened by two segments and at least doubled what the peer
	 * may still send (Linux's __tcp_cleanup_rbuf rule).  Not at every
	 * read: a read that gives back room is no news to a sender whose
	 * window is far from closed.  FreeBSD's "opened by a quarter of the
	 * buffer" sent one whenever a reader caught up on a backlog, which
	 * with 6 MiB buffers was 0.7 updates per data segment on a loaded
	 * machine (each one, over tap, a write(2) and the host's ACK
	 * processing).
	 */
	if (TCPS_HAVEESTABLISHED(tp->t_state) &&
	    !TCPS_HAVERCVDFIN(tp->t_state)) {
		win = tcp_rcv_window(tp);
		if (win > 0) {
			uint32_t adv = SEQ_GT(tp->rcv_adv, tp->rcv_nxt) ?
			    tp->rcv_adv - tp->rcv_nxt : 0;
			size_t hiwat = so->so_rcv.sb_hiwat;
			uint32_t thresh = (uint32_t)MIN((size_t)2 *
			    tp->t_maxseg, hiwat / 2);

			if (win > adv && win - adv >= thresh &&
			    (adv <= win / 2 ||
			    hiwat <= 8 * (size_t)tp->t_maxseg))
				goto send;
		}
	}
	/*
	 * Data waits and nothing is in flight to bring an ACK (a zero or
	 * too small window whose update may have been lost, or a cork):
	 * the persist timer probes (RFC 9293 3.8.6.1; BSD does the same).
	 */
	if (avail > off && !tcp_timer_armed(tp, TCPT_REXMT)) {
		tp->t_rxtshift = 0;
		tcp_setpersist(tp);
	}
	return 0;

send:
	if (sack_rxt) {
		error = tcp_send_segment(tp, seq, len, flags);
		if (error == 0 || error == ENOBUFS) {
			if (SEQ_GT(seq + len, tp->t_highrxt))
				tp->t_highrxt = seq + len;
		}
		if (!tcp_timer_armed(tp, TCPT_REXMT))
			tcp_timer_arm(tp, TCPT_REXMT, tcp_rto_ns(tp));
		if (error != 0)
			return error;
		goto again;
	}
	if ((tp->t_flags & (TF_FORCE | TF_PERSIST)) == (TF_FORCE | TF_PERSIST)) {
		/* A window probe: snd_max covers it so its ACK is good, but
		 * it is not in flight (RFC 9293 3.8.6.1). */
		error = tcp_send_segment(tp, tp->snd_nxt, len, flags);
		tp->t_flags &= ~TF_FORCE;
		if (SEQ_GT(tp->snd_nxt + len, tp->snd_max))
			tp->snd_max = tp->snd_nxt + len;
		return error == ENOBUFS ? 0 : error;
	}
	error = tcp_send_segment(tp, tp->snd_nxt, len, flags);
	tp->t_flags &= ~TF_FORCE;
	if (error != 0 && error != ENOBUFS && error != EMSGSIZE) {
		if (len == 0 && !(flags & (TH_SYN | TH_FIN)))
			return error;
	}
	/* Advance even on a transient failure: the timer retransmits. */
	if (len > 0 || (flags & (TH_SYN | TH_FIN))) {
		tcp_seq start = tp->snd_nxt;

		if (idle && tp->t_rttstart == 0 && !(tp->t_flags &
		    TF_RCVD_TSTMP)) {
			tp->t_rtseq = start;
			tp->t_rttstart = tcp_now_ns();
		}
		tp->snd_nxt += len;
		if (flags & TH_SYN)
			tp->snd_nxt++;
		if (flags & TH_FIN) {
			tp->snd_nxt++;
			tp->t_flags |= TF_SENTFIN;
		}
		if (SEQ_GT(tp->snd_nxt, tp->snd_max)) {
			if (tp->t_rttstart == 0 && !(tp->t_flags &
			    TF_RCVD_TSTMP)) {
				tp->t_rtseq = start;
				tp->t_rttstart = tcp_now_ns();
			}
			tp->snd_max = tp->snd_nxt;
		}
		if (!tcp_timer_armed(tp, TCPT_REXMT) ||
		    (tp->t_flags & TF_PERSIST)) {
			tp->t_flags &= ~TF_PERSIST;
			tcp_timer_arm(tp, TCPT_REXMT, tcp_rto_ns(tp));
		}
	}
	if (error != 0)
		return error == EMSGSIZE ? 0 : error;
	if (len > 0 || (flags & TH_FIN))
		goto again;
	return 0;
}
