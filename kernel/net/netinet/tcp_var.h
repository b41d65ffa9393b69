/*
 * tcp_var.h: TCP's connection state (struct tcpcb) and what the TCP files
 * share: tcp_subr.c (pcbs, ISN, RST/ACK replies, close), tcp_input.c
 * (segment arrival, RFC 9293 3.10.7), tcp_output.c (segments from so_snd),
 * tcp_timer.c (the four timers on one callout), tcp_sack.c (RFC 2018
 * blocks, RFC 6675 scoreboard), tcp_cc.c (NewReno, CUBIC), tcp_usrreq.c
 * (the socket layer's requests and TCP_* options).
 *
 * Locking: a tcpcb is covered by its socket's so_lock (k/socket.h), like
 * the inpcb it hangs off (inp_ppcb).  Input takes so_lock after the pcb
 * lookup; the timer callout takes it in its handler; output runs with it
 * held and never delivers synchronously (loopback queues).  tcp_stat's
 * counters are atomics.
 *
 * Data: so_snd holds every byte not yet acknowledged, from snd_una on;
 * so_rcv holds in-order bytes for the reader; segments that arrive out
 * of order wait in t_segq (bounded by the receive buffer).
 */
#ifndef NETINET_TCP_VAR_H
#define NETINET_TCP_VAR_H

#include "k/kernel.h"
#include "k/abi_inet.h"
#include "k/callout.h"
#include "k/mbuf.h"
#include "net/netinet/tcp_seq.h"

struct inpcb;
struct socket;
struct ip_rcv;
struct ip_ctlmsg;
struct pr_usrreqs;

/* States (RFC 9293 order; the ones >= ESTABLISHED are synchronized). */
enum tcp_state {
	TCPS_CLOSED = 0,
	TCPS_LISTEN,
	TCPS_SYN_SENT,
	TCPS_SYN_RECEIVED,
	TCPS_ESTABLISHED,
	TCPS_CLOSE_WAIT,
	TCPS_FIN_WAIT_1,
	TCPS_CLOSING,
	TCPS_LAST_ACK,
	TCPS_FIN_WAIT_2,
	TCPS_TIME_WAIT,
};
#define TCPS_HAVERCVDSYN(s)	((s) >= TCPS_SYN_RECEIVED)
#define TCPS_HAVEESTABLISHED(s)	((s) >= TCPS_ESTABLISHED)
#define TCPS_HAVERCVDFIN(s)	((s) == TCPS_CLOSE_WAIT || \
	(s) == TCPS_CLOSING || (s) == TCPS_LAST_ACK || (s) == TCPS_TIME_WAIT)
/* Our FIN has been queued (it is sent once so_snd drains). */
#define TCPS_SENTFIN(s)		((s) >= TCPS_FIN_WAIT_1)

/* Timers: deadlines in uptime ns, 0 = off, all on one callout. */
enum {
	TCPT_REXMT = 0,		/* retransmission, or persist when TF_PERSIST */
	TCPT_DELACK,		/* delayed ACK */
	TCPT_KEEP,		/* connection establishment, then keepalive */
	TCPT_2MSL,		/* TIME_WAIT, and FIN_WAIT_2 after close */
	TCPT_NTIMERS
};

/* t_flags */
#define TF_ACKNOW	0x00000001	/* send an ACK at the next output */
#define TF_DELACK	0x00000002	/* an ACK is owed (delayed) */
#define TF_NODELAY	0x00000004	/* TCP_NODELAY: no Nagle */
#define TF_CORK		0x00000008	/* TCP_CORK: only full segments */
#define TF_SENTFIN	0x00000010	/* our FIN has been sent */
#define TF_RCVD_SCALE	0x00000020	/* peer sent window scale */
#define TF_REQ_SCALE	0x00000040	/* we asked for it */
#define TF_RCVD_TSTMP	0x00000080	/* timestamps on this connection */
#define TF_REQ_TSTMP	0x00000100
#define TF_SACK_PERMIT	0x00000200	/* SACK agreed */
#define TF_REQ_SACK	0x00000400
#define TF_PERSIST	0x00000800	/* REXMT timer is the persist timer */
#define TF_INRECOVERY	0x00001000	/* fast recovery (NewReno or SACK) */
#define TF_DEAD		0x00002000	/* closed: timers do nothing */
#define TF_FORCE	0x00004000	/* persist: send one byte into a zero window */
#define TF_QUICKACK	0x00008000	/* TCP_QUICKACK: no delayed ACKs */
#define TF_PMTUD	0x00010000
#define TF_FINWAIT2_TO	0x00020000	/* 2MSL timer is the FIN_WAIT_2 limit */
#define TF_SYNCACHE	0x00040000	/* embryonic: on the listener's q0 */
#define TF_CHALLENGED	0x00080000	/* (rate: one challenge ACK / segment) */
#define TF_WASCONNECTED	0x00100000	/* reached ESTABLISHED once */
#define TF_LOSS		0x00200000	/* after an RTO: go-back-N */
#define TF_ORPHAN	0x00400000	/* the socket was closed (pr_detach) */
#define TF_PASSIVE	0x00800000	/* from a listener (SYN_RECEIVED -> drop) */
#define TF_COOKIE	0x01000000	/* created from a SYN cookie */

/* An out-of-order segment waiting for the gap before it (t_segq). */
struct tcp_qent {
	TAILQ_ENTRY(tcp_qent) q_link;
	tcp_seq q_seq;
	uint32_t q_len;
	struct mbuf *q_m;		/* just the data */
	bool q_fin;
};
TAILQ_HEAD(tcp_qhead, tcp_qent);

/* A SACKed range [start, end) the peer reported (sender scoreboard). */
struct sackblk {
	tcp_seq start, end;
};
#define TCP_SACK_MAX	16		/* scoreboard entries kept */
#define TCP_SACK_RCVBLKS 4		/* blocks we send (3 with timestamps) */

struct tcp_cc;

struct tcpcb {
	struct inpcb *t_inpcb;
	struct socket *t_socket;
	enum tcp_state t_state;
	uint32_t t_flags;

	/* Send sequence space (RFC 9293 3.3.1). */
	tcp_seq iss;
	tcp_seq snd_una;		/* oldest unacknowledged */
	tcp_seq snd_nxt;		/* next to send */
	tcp_seq snd_max;		/* highest sent + 1 */
	tcp_seq snd_wl1, snd_wl2;	/* seq/ack of the last window update */
	tcp_seq snd_recover;		/* NewReno / RFC 6675 RecoveryPoint */
	tcp_seq snd_up;			/* urgent pointer */
	uint32_t snd_wnd;		/* peer's window, scaled */
	uint32_t max_sndwnd;
	uint32_t snd_cwnd, snd_ssthresh;
	uint8_t snd_scale, rcv_scale, request_r_scale;
	uint8_t t_dupacks;
	uint8_t t_quickack;		/* segments still ACKed at once */

	/* Receive sequence space. */
	tcp_seq irs;
	tcp_seq rcv_nxt;
	tcp_seq rcv_adv;		/* right edge advertised */
	tcp_seq rcv_up;
	tcp_seq last_ack_sent;
	uint32_t rcv_wnd;

	/* Segment sizes. */
	uint32_t t_maxseg;		/* send MSS (payload, without options) */
	uint32_t t_advmss;		/* MSS we advertised */
	uint32_t t_usermss;		/* TCP_MAXSEG (0: none) */
	uint32_t t_rcvmss;		/* largest segment received */
	uint16_t t_optlen;		/* option bytes in every segment */
	uint32_t t_lsomax;		/* payload of a large segment (a
					 * multiple of t_maxseg; 0: none) */

	/* Timestamps (RFC 7323). */
	uint32_t ts_recent;
	int64_t ts_recent_age;		/* uptime ns it was taken */
	uint32_t ts_offset;		/* random per connection */

	/* RTT (RFC 6298), microseconds. */
	int64_t t_srtt, t_rttvar, t_rto, t_minrtt;
	tcp_seq t_rtseq;		/* timed segment (no timestamps) */
	int64_t t_rttstart;		/* 0: nothing timed */
	int t_rxtshift;			/* backoff exponent */
	int t_rxtcur;			/* current RTO backoff, for tcpi */

	/* Timers. */
	int64_t t_timer[TCPT_NTIMERS];
	int64_t t_cotime;		/* what t_callout is scheduled for */
	struct callout t_callout;
	int64_t t_rcvtime;		/* last segment received (keepalive) */
	int64_t t_lastsend;		/* last data sent */
	int64_t t_firstrxt;		/* first unacked retransmission
					 * (TCP_USER_TIMEOUT), 0 none */
	int t_keepcnt;			/* probes sent */
	int t_keepidle, t_keepintvl, t_keepmax;	/* seconds, count */
	int t_user_timeout;		/* ms, 0: default */
	int t_syncnt;			/* TCP_SYNCNT (0: sysctl) */
	int t_linger2;			/* TCP_LINGER2 seconds (0: default) */

	/* Out of order data. */
	struct tcp_qhead t_segq;
	uint32_t t_segqlen;		/* bytes */
	uint32_t t_segqcnt;
	/* The last block received out of order (first SACK block). */
	tcp_seq t_lastoo_start, t_lastoo_end;

	/* SACK scoreboard (sender side), sorted, disjoint, above snd_una. */
	struct sackblk t_sack[TCP_SACK_MAX];
	int t_nsack;
	uint32_t t_sacked;		/* bytes in t_sack */
	tcp_seq t_highrxt;		/* RFC 6675 HighRxt */
	tcp_seq t_rescue;		/* RescueRxt */

	/* Congestion control. */
	const struct tcp_cc *t_cc;
	uint32_t t_bytes_acked;		/* appropriate byte counting */
	/* CUBIC (RFC 9438). */
	uint32_t cub_wmax, cub_wlast;	/* bytes */
	int64_t cub_epoch;		/* start of the congestion avoidance */
	uint32_t cub_k_ms;		/* K in ms */
	uint32_t cub_west;		/* Reno-friendly estimate */
	int t_ca_state;			/* TCP_CA_* for tcpi */

	/* Counters for TCP_INFO. */
	uint32_t t_retrans_segs;	/* retransmitted, not yet acked */
	uint32_t t_total_retrans;
	uint32_t t_rto_count;
	uint32_t t_lost;
	uint32_t t_segs_out, t_segs_in;
	uint32_t t_data_segs_out, t_data_segs_in;
	uint32_t t_dsack_dups;
	uint32_t t_rcv_ooopack;
	uint32_t t_fastrexmt;
	uint64_t t_bytes_sent, t_bytes_retrans;
	uint64_t t_bytes_acked_total, t_bytes_received;
	int64_t t_lastdatarecv, t_lastackrecv;
	int64_t t_created;

	int64_t t_chall_time;		/* RFC 5961 challenge ACK rate limit */
	uint32_t t_chall_cnt;
	int t_softerror;		/* ICMP soft error (for ETIMEDOUT) */
	int t_oobflags;
	uint8_t t_iobc;			/* the urgent byte, when not inline */
};

/*
 * M_PREPEND without its macro's trap (its argument named anything but
 * "len" rewrites m_pkthdr.len): room in front of a fresh header mbuf.
 */
static inline struct mbuf *
tcp_prepend(struct mbuf *m, size_t n)
{
	if (M_LEADINGSPACE(m) >= n) {
		m->m_data -= n;
		m->m_len += (uint32_t)n;
		if (m->m_flags & M_PKTHDR)
			m->m_pkthdr.len += (uint32_t)n;
		return m;
	}
	return m_prepend(m, n);
}

#define intotcpcb(inp)	((struct tcpcb *)(inp)->inp_ppcb)
#define sototcpcb(so)	(intotcpcb((struct inpcb *)(so)->so_pcb))

/* --- congestion control (tcp_cc.c) -------------------------------------- */
struct tcp_cc {
	const char *cc_name;
	void (*cc_init)(struct tcpcb *tp);
	/* Bytes newly acked, outside recovery. */
	void (*cc_ack)(struct tcpcb *tp, uint32_t acked);
	/* Loss detected by dupacks/SACK: set ssthresh (and cwnd). */
	void (*cc_loss)(struct tcpcb *tp);
	/* Retransmission timeout. */
	void (*cc_rto)(struct tcpcb *tp);
	/* Recovery ended. */
	void (*cc_recovered)(struct tcpcb *tp);
};
extern const struct tcp_cc tcp_newreno, tcp_cubic;
const struct tcp_cc *tcp_cc_find(const char *name);
extern const struct tcp_cc *tcp_cc_default;
uint32_t tcp_flightsize(const struct tcpcb *tp);

/* --- sysctls and tuning ---------------------------------------------------- */
extern int64_t tcp_msl_ms;		/* net.inet.tcp.msl_ms (30 s) */
extern int64_t tcp_syn_retries;		/* SYN retransmissions (6) */
extern int64_t tcp_synack_retries;	/* (5) */
extern int64_t tcp_fin_timeout;		/* FIN_WAIT_2 after close, s (60) */
extern int64_t tcp_keep_idle, tcp_keep_intvl, tcp_keep_cnt;
extern int64_t tcp_do_sack, tcp_do_ts, tcp_do_wscale, tcp_syncookies;
extern int64_t tcp_retries2;		/* data retransmissions before giving up */

#define TCP_RTO_MIN_US		200000		/* Linux's 200 ms (RFC: 1 s) */
#define TCP_RTO_MAX_US		120000000	/* 120 s */
#define TCP_RTO_INIT_US		1000000		/* RFC 6298 2.1 */
#define TCP_DELACK_NS		40000000	/* 40 ms, Linux's floor */
#define TCP_MAXRXTSHIFT		15
#define TCP_REASS_MAXQ		256		/* out-of-order segments */
#define TCP_ISSINCR_PER_US	1		/* RFC 6528's clock: 1 per us...
						 * coarse enough: 4 per us */

/* Statistics (sysctl net.inet.tcp.stats ...). */
struct tcpstat {
	atomic_uint_fast64_t tcps_connattempt, tcps_accepts, tcps_connects,
	    tcps_drops, tcps_conndrops, tcps_closed, tcps_sndtotal,
	    tcps_sndrexmitpack, tcps_rcvtotal, tcps_rcvbadsum,
	    tcps_rcvshort, tcps_rcvduppack, tcps_rcvoopack, tcps_rexmttimeo,
	    tcps_persisttimeo, tcps_keeptimeo, tcps_keepprobe, tcps_listendrop,
	    tcps_syncookies_sent, tcps_syncookies_ok, tcps_challenge_ack,
	    tcps_badrst, tcps_rstsent, tcps_pcbs, tcps_timewait;
};
extern struct tcpstat tcpstat;

/* --- tcp_subr.c ---------------------------------------------------------- */
extern struct inpcbtable tcbtable;
int tcp_init(void);
/* A new tcpcb for inp (pr_attach, sonewconn): defaults, CLOSED. */
int tcp_newtcpcb(struct inpcb *inp, struct tcpcb **tpp);
/* Frees tp and detaches its inpcb (so_lock held, may drop it to wait for
 * a running timer). Returns NULL. */
struct tcpcb *tcp_close(struct tcpcb *tp);
/* Aborts with error: RST sent if synchronized, so_error set. */
struct tcpcb *tcp_drop(struct tcpcb *tp, int error);
/* The ISN for a 4-tuple (RFC 6528). */
tcp_seq tcp_new_isn(const struct in6_addr *laddr, uint16_t lport,
    const struct in6_addr *faddr, uint16_t fport);
/* A keyed 32-bit hash of a 4-tuple and a value (ISN, SYN cookies). */
uint32_t tcp_hash4(const struct in6_addr *laddr, uint16_t lport,
    const struct in6_addr *faddr, uint16_t fport, uint32_t extra,
    int keyidx);
/*
 * A segment without data from no connection (RST, or an ACK for TIME_WAIT
 * and challenges): addresses from r (its src is the peer), flags TH_*.
 */
void tcp_respond(struct tcpcb *tp, const struct ip_rcv *r,
    const struct tcphdr *th, tcp_seq seq, tcp_seq ack, int flags);
/* State change with the bookkeeping (inp_tstate, counters). */
void tcp_set_state(struct tcpcb *tp, enum tcp_state st);
/* The MSS we offer for inp (interface MTU), and the one we use. */
uint32_t tcp_mssopt(const struct tcpcb *tp);
void tcp_mss_update(struct tcpcb *tp, uint32_t peermss);
/* tcp_lso.c: bytes of IP packet a large segment to dst may have (the
 * route's interface carries them whole), 0: none. */
uint32_t tcp_lso_max(int af, const struct in6_addr *dst);
void tcp_set_info(const struct tcpcb *tp, struct tcp_info *ti);
/* The milliseconds timestamp we send. */
uint32_t tcp_ts_now(const struct tcpcb *tp);
int tcp_linux_state(enum tcp_state st);

/* --- tcp_timer.c ------------------------------------------------------- */
void tcp_timer_init(struct tcpcb *tp);
/* Arms timer t to fire ns from now (0: disarm). */
void tcp_timer_arm(struct tcpcb *tp, int t, int64_t ns);
void tcp_timer_disarm(struct tcpcb *tp, int t);
static inline bool
tcp_timer_armed(const struct tcpcb *tp, int t)
{
	return tp->t_timer[t] != 0;
}
/* Stops everything and waits for a running handler (so_lock dropped). */
void tcp_timer_halt(struct tcpcb *tp);
/* RTO in ns with the current backoff. */
int64_t tcp_rto_ns(const struct tcpcb *tp);
void tcp_rtt_update(struct tcpcb *tp, int64_t rtt_us);
void tcp_keepalive_arm(struct tcpcb *tp);
void tcp_setpersist(struct tcpcb *tp);

/* --- tcp_output.c ------------------------------------------------------ */
/* Sends what the state, windows and Nagle allow: 0 or an errno. */
int tcp_output(struct tcpcb *tp);
/* Builds and sends one segment (seq, len bytes of so_snd from off). */
int tcp_send_segment(struct tcpcb *tp, tcp_seq seq, uint32_t len, int flags);
/* Receive window to advertise now, in bytes. */
uint32_t tcp_rcv_window(const struct tcpcb *tp);

/* --- tcp_input.c ------------------------------------------------------- */
void tcp_input(struct mbuf *m, const struct ip_rcv *r);
void tcp_ctlinput(const struct ip_ctlmsg *c);

/* --- tcp_reass.c: options and the out-of-order queue ------------------- */
struct tcpopt {
	uint32_t to_mss;		/* 0: none */
	int to_wscale;			/* -1: none */
	bool to_sackok;
	bool to_ts;
	uint32_t to_tsval, to_tsecr;
	int to_nsack;
	struct sackblk to_sack[4];
};
/* Parses the options of a segment (RFC 9293 3.2, 7323, 2018); malformed
 * ones end the parse, keeping what came before. */
void tcp_dooptions(const uint8_t *cp, size_t len, bool syn,
    struct tcpopt *to);
/*
 * Queues tlen bytes m at seq (after rcv_nxt) or, when seq is rcv_nxt,
 * appends it and whatever it makes contiguous to so_rcv.  fin: a FIN
 * follows the data.  Returns true if a FIN became in order (rcv_nxt
 * already counts it).  Takes m.
 */
bool tcp_reass(struct tcpcb *tp, tcp_seq seq, struct mbuf *m, uint32_t tlen,
    bool fin);
/* Drops the out-of-order queue. */
void tcp_reass_flush(struct tcpcb *tp);

/* --- tcp_sack.c ---------------------------------------------------------- */
/* The peer's SACK blocks of a segment acking th_ack. */
void tcp_sack_update(struct tcpcb *tp, tcp_seq ack,
    const struct sackblk *blk, int nblk);
/* Everything below snd_una goes. */
void tcp_sack_clean(struct tcpcb *tp);
/* RFC 6675 NextSeg: the next hole to retransmit, false if none. */
bool tcp_sack_nextseg(struct tcpcb *tp, tcp_seq *seqp, uint32_t *lenp);
/* Bytes considered lost (holes below the highest SACK). */
uint32_t tcp_sack_lost(const struct tcpcb *tp);
/* RFC 6675 pipe. */
uint32_t tcp_sack_pipe(const struct tcpcb *tp);
/* Our SACK blocks for the options (from t_segq): how many written. */
int tcp_sack_build(const struct tcpcb *tp, struct sackblk *blk, int max);
/* Whether seq is covered by a SACK block. */
bool tcp_sack_is_sacked(const struct tcpcb *tp, tcp_seq seq);

/* --- tcp_usrreq.c ------------------------------------------------------ */
extern const struct pr_usrreqs tcp_usrreqs;
/* TCP_INFO-ready TCP for IPv4 and IPv6: the inet component calls it. */
int tcp_attach_proto(void);

#endif /* NETINET_TCP_VAR_H */
