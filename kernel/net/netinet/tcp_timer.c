/*
 * tcp_timer.c: a connection's four timers (retransmission or persist,
 * delayed ACK, connection-establishment or keepalive, 2MSL or FIN_WAIT_2)
 * and RTT estimation (RFC 6298).
 *
 * The timers are deadlines in the tcpcb multiplexed on one callout, which
 * is scheduled for the earliest of them.  Arming a timer later than the
 * callout's deadline (what every ACK does to the retransmission timer)
 * only writes the deadline: the callout fires early, finds nothing due
 * and sleeps again.  So a segment costs no callout operation in the
 * common case.
 *
 * Locking: the deadlines are under so_lock.  The handler takes so_lock
 * (rechecking the pointer: an embryonic socket uses its listener's lock
 * until accepted) and holds a reference on the inpcb across it, because
 * a handler may close the connection.  tcp_close() sets TF_DEAD and
 * halts the callout, so tp is valid whenever the handler starts.
 */
#include "k/kernel.h"
#include "k/socket.h"
#include "net/netinet/in_pcb.h"
#include "net/netinet/ip_var.h"
#include "net/netinet/tcp_var.h"

static void tcp_timer_fire(void *arg);

void
tcp_timer_init(struct tcpcb *tp)
{
	callout_init(&tp->t_callout, tcp_timer_fire, tp);
}

static void
tcp_timer_resched(struct tcpcb *tp, int64_t now)
{
	int64_t next = 0;
	int i;

	for (i = 0; i < TCPT_NTIMERS; i++)
		if (tp->t_timer[i] != 0 && (next == 0 || tp->t_timer[i] < next))
			next = tp->t_timer[i];
	if (next == 0)
		return;
	if (callout_pending(&tp->t_callout) && tp->t_cotime <= next)
		return;
	tp->t_cotime = next;
	(void)callout_schedule(&tp->t_callout, next > now ? next - now : 0);
}

void
tcp_timer_arm(struct tcpcb *tp, int t, int64_t ns)
{
	int64_t now, when;

	if (tp->t_flags & TF_DEAD)
		return;
	now = tcp_now_ns();
	when = now + (ns > 0 ? ns : 1);
	tp->t_timer[t] = when;
	/* Later than the callout: it fires early and re-arms. */
	if (callout_pending(&tp->t_callout) && tp->t_cotime <= when)
		return;
	tp->t_cotime = when;
	(void)callout_schedule(&tp->t_callout, when - now);
}

void
tcp_timer_disarm(struct tcpcb *tp, int t)
{
	tp->t_timer[t] = 0;
}

void
tcp_timer_halt(struct tcpcb *tp)
{
	int i;

	for (i = 0; i < TCPT_NTIMERS; i++)
		tp->t_timer[i] = 0;
	(void)callout_halt(&tp->t_callout, tp->t_socket->so_lock);
}

/* --- RTT (RFC 6298) ------------------------------------------------------ */

int64_t
tcp_rto_ns(const struct tcpcb *tp)
{
	int64_t rto = tp->t_rto;
	int i;

	for (i = 0; i < tp->t_rxtshift && rto < TCP_RTO_MAX_US; i++)
		rto *= 2;
	if (rto > TCP_RTO_MAX_US)
		rto = TCP_RTO_MAX_US;
	return rto * 1000;
}

void
tcp_rtt_update(struct tcpcb *tp, int64_t r)
{
	int64_t d;

	if (r < 1)
		r = 1;
	if (tp->t_minrtt == 0 || r < tp->t_minrtt)
		tp->t_minrtt = r;
	if (tp->t_srtt == 0) {
		tp->t_srtt = r;				/* (2.2) */
		tp->t_rttvar = r / 2;
	} else {
		d = tp->t_srtt > r ? tp->t_srtt - r : r - tp->t_srtt;
		tp->t_rttvar = (3 * tp->t_rttvar + d) / 4;	/* (2.3) */
		tp->t_srtt = (7 * tp->t_srtt + r) / 8;
	}
	/* G is 1 ms; the floor is Linux's 200 ms rather than 1 s (2.4). */
	tp->t_rto = tp->t_srtt + MAX(1000, 4 * tp->t_rttvar);
	if (tp->t_rto < TCP_RTO_MIN_US)
		tp->t_rto = TCP_RTO_MIN_US;
	if (tp->t_rto > TCP_RTO_MAX_US)
		tp->t_rto = TCP_RTO_MAX_US;
	tp->t_rxtshift = 0;				/* (5.7) done */
}

/* --- the handlers (so_lock held) ------------------------------------------ */

static int64_t
keep_ns(int s)
{
	return (int64_t)s * 1000000000;
}

void
tcp_keepalive_arm(struct tcpcb *tp)
{
	if ((tp->t_socket->so_options & SOF_KEEPALIVE) &&
	    TCPS_HAVEESTABLISHED(tp->t_state) &&
	    tp->t_state <= TCPS_CLOSE_WAIT)
		tcp_timer_arm(tp, TCPT_KEEP, keep_ns(tp->t_keepidle));
}

void
tcp_setpersist(struct tcpcb *tp)
{
	int64_t t = tcp_rto_ns(tp);

	if (t < 200000000)
		t = 200000000;
	tp->t_flags |= TF_PERSIST;
	tcp_timer_arm(tp, TCPT_REXMT, t);
}

/* TCP_USER_TIMEOUT or the retry count said to give up. */
static bool
rexmt_exhausted(const struct tcpcb *tp, int64_t now)
{
	int max;

	if (tp->t_user_timeout > 0 && tp->t_firstrxt != 0 &&
	    now - tp->t_firstrxt >= (int64_t)tp->t_user_timeout * 1000000)
		return true;
	if (tp->t_state == TCPS_SYN_SENT)
		max = tp->t_syncnt ? tp->t_syncnt : (int)tcp_syn_retries;
	else if (tp->t_state == TCPS_SYN_RECEIVED)
		max = (int)tcp_synack_retries;
	else
		max = (int)tcp_retries2;
	if (tp->t_user_timeout > 0)
		max = TCP_MAXRXTSHIFT;
	return tp->t_rxtshift >= max;
}

static struct tcpcb *
tcp_timer_rexmt(struct tcpcb *tp, int64_t now)
{
	if (tp->t_flags & TF_PERSIST) {
		/* Zero-window probe: one byte past the window. */
		atomic_fetch_add(&tcpstat.tcps_persisttimeo, 1);
		if (tp->t_firstrxt == 0)
			tp->t_firstrxt = now;
		if (rexmt_exhausted(tp, now) && tp->t_user_timeout > 0)
			return tcp_drop(tp, ETIMEDOUT);
		if (tp->t_rxtshift < TCP_MAXRXTSHIFT)
			tp->t_rxtshift++;
		tp->t_flags |= TF_FORCE;
		(void)tcp_output(tp);
		tp->t_flags &= ~TF_FORCE;
		if (tp->t_flags & TF_PERSIST)
			tcp_setpersist(tp);
		return tp;
	}
	if (tp->t_firstrxt == 0)
		tp->t_firstrxt = now;
	if (rexmt_exhausted(tp, now))
		return tcp_drop(tp, ETIMEDOUT);
	tp->t_rxtshift++;
	tp->t_rto_count++;
	atomic_fetch_add(&tcpstat.tcps_rexmttimeo, 1);
	/* RFC 6298 5.5-5.6: back off, go back to snd_una; Karn: untimed. */
	tp->t_rttstart = 0;
	if (TCPS_HAVEESTABLISHED(tp->t_state) && tp->t_cc->cc_rto != NULL)
		tp->t_cc->cc_rto(tp);
	tp->t_flags &= ~TF_INRECOVERY;
	tp->t_flags |= TF_LOSS;
	tp->t_ca_state = TCP_CA_Loss;
	tp->snd_recover = tp->snd_max;
	tp->t_nsack = 0;
	tp->t_sacked = 0;
	tp->t_highrxt = tp->snd_una;
	tp->t_dupacks = 0;
	tp->snd_nxt = tp->snd_una;
	(void)tcp_output(tp);
	return tp;
}

static struct tcpcb *
tcp_timer_keep(struct tcpcb *tp, int64_t now)
{
	struct socket *so = tp->t_socket;
	int64_t idle;

	if (!TCPS_HAVEESTABLISHED(tp->t_state))
		return tcp_drop(tp, ETIMEDOUT);
	if (!(so->so_options & SOF_KEEPALIVE) ||
	    tp->t_state > TCPS_CLOSE_WAIT)
		return tp;
	atomic_fetch_add(&tcpstat.tcps_keeptimeo, 1);
	idle = now - tp->t_rcvtime;
	if (idle < keep_ns(tp->t_keepidle)) {
		tcp_timer_arm(tp, TCPT_KEEP, keep_ns(tp->t_keepidle) - idle);
		return tp;
	}
	if (tp->t_keepcnt >= tp->t_keepmax ||
	    (tp->t_user_timeout > 0 &&
	    idle >= (int64_t)tp->t_user_timeout * 1000000))
		return tcp_drop(tp, ETIMEDOUT);
	/* A probe: an old sequence number draws an ACK (RFC 9293 3.8.4). */
	atomic_fetch_add(&tcpstat.tcps_keepprobe, 1);
	tp->t_keepcnt++;
	(void)tcp_send_segment(tp, tp->snd_una - 1, 0, TH_ACK);
	tcp_timer_arm(tp, TCPT_KEEP, keep_ns(tp->t_keepintvl));
	return tp;
}

static void
tcp_timer_fire(void *arg)
{
	struct tcpcb *tp = arg;
	struct socket *so = tp->t_socket;
	struct inpcb *inp = tp->t_inpcb;
	kmutex_t *lock;
	int64_t now;
	int i;

	in_pcbref(inp);
	for (;;) {
		lock = so->so_lock;
		mutex_enter(lock);
		if (so->so_lock == lock)
			break;
		mutex_exit(lock);
	}
	if ((inp->inp_flags & INP_DEAD) || inp->inp_ppcb != tp ||
	    (tp->t_flags & TF_DEAD))
		goto out;
	now = tcp_now_ns();
	for (i = 0; i < TCPT_NTIMERS && tp != NULL; i++) {
		if (tp->t_timer[i] == 0 || tp->t_timer[i] > now)
			continue;
		tp->t_timer[i] = 0;
		switch (i) {
		case TCPT_REXMT:
			tp = tcp_timer_rexmt(tp, now);
			break;
		case TCPT_DELACK:
			tp->t_flags |= TF_ACKNOW;
			(void)tcp_output(tp);
			break;
		case TCPT_KEEP:
			tp = tcp_timer_keep(tp, now);
			break;
		case TCPT_2MSL:
			tp = tcp_close(tp);
			break;
		}
	}
	if (tp != NULL)
		tcp_timer_resched(tp, tcp_now_ns());
out:
	mutex_exit(lock);
	in_pcbrele(inp);
	netisr_run();
}
