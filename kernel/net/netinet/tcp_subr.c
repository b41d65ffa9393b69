/*
 * tcp_subr.c: TCP's pcbs and the pieces every other TCP file uses - the
 * pcb table, creating and closing tcpcbs, the initial sequence number
 * (RFC 6528: a keyed hash of the 4-tuple plus a clock), replies that
 * belong to no connection (RST, challenge and TIME_WAIT ACKs), MSS
 * choice and TCP_INFO.
 *
 * Locking (tcp_var.h): everything about one tcpcb under its so_lock; the
 * hash key is written once at init.
 */
#include "k/kernel.h"
#include "k/socket.h"
#include "k/sysctl.h"
#include "net/netinet/in_pcb.h"
#include "net/netinet/ip_var.h"
#include "net/netinet/tcp_var.h"

struct inpcbtable tcbtable;
struct tcpstat tcpstat;

int64_t tcp_msl_ms = 30000;
int64_t tcp_syn_retries = 6;
int64_t tcp_synack_retries = 5;
int64_t tcp_fin_timeout = 60;
int64_t tcp_keep_idle = 7200, tcp_keep_intvl = 75, tcp_keep_cnt = 9;
int64_t tcp_do_sack = 1, tcp_do_ts = 1, tcp_do_wscale = 1;
int64_t tcp_syncookies = 1;
int64_t tcp_retries2 = 15;
int64_t tcp_pcbcount;			/* live tcpcbs (sysctl, tests) */

/* Linux's names under /proc/sys/net/ipv4, plus two of this kernel's. */
#define TCP_SYSCTL(n, v, lo, hi, w) { .sn_name = "net.ipv4." n,	\
	.sn_type = SYSCTL_INT, .sn_writable = (w), .sn_int = &(v),	\
	.sn_min = (lo), .sn_max = (hi) }
static struct sysctl_node tcp_sysctls[] = {
	TCP_SYSCTL("tcp_fin_timeout", tcp_fin_timeout, 1, 600, true),
	TCP_SYSCTL("tcp_syn_retries", tcp_syn_retries, 1, 127, true),
	TCP_SYSCTL("tcp_synack_retries", tcp_synack_retries, 1, 127, true),
	TCP_SYSCTL("tcp_keepalive_time", tcp_keep_idle, 1, 32767, true),
	TCP_SYSCTL("tcp_keepalive_intvl", tcp_keep_intvl, 1, 32767, true),
	TCP_SYSCTL("tcp_keepalive_probes", tcp_keep_cnt, 1, 127, true),
	TCP_SYSCTL("tcp_sack", tcp_do_sack, 0, 1, true),
	TCP_SYSCTL("tcp_timestamps", tcp_do_ts, 0, 1, true),
	TCP_SYSCTL("tcp_window_scaling", tcp_do_wscale, 0, 1, true),
	TCP_SYSCTL("tcp_syncookies", tcp_syncookies, 0, 1, true),
	TCP_SYSCTL("tcp_retries2", tcp_retries2, 1, 15, true),
	/* Not Linux's: the MSL (TIME_WAIT lasts two), and the pcb count. */
	TCP_SYSCTL("tcp_msl_ms", tcp_msl_ms, 1, 120000, true),
	TCP_SYSCTL("tcp_pcbs", tcp_pcbcount, 0, INT64_MAX, false),
};

/* SipHash-2-4 keys: [0] ISNs, [1] SYN cookies, [2] timestamp offsets. */
static uint64_t tcp_key[3][2];

/* --- SipHash-2-4 (Aumasson and Bernstein), for RFC 6528's F() ------------- */
#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND do {							\
	v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32);	\
	v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;				\
	v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;				\
	v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32);	\
} while (0)

static uint64_t
siphash(const uint64_t key[2], const uint64_t *w, size_t nw)
{
	uint64_t v0 = 0x736f6d6570736575ULL ^ key[0];
	uint64_t v1 = 0x646f72616e646f6dULL ^ key[1];
	uint64_t v2 = 0x6c7967656e657261ULL ^ key[0];
	uint64_t v3 = 0x7465646279746573ULL ^ key[1];
	uint64_t b = (uint64_t)(nw * 8) << 56;
	size_t i;

	for (i = 0; i < nw; i++) {
		v3 ^= w[i];
		SIPROUND;
		SIPROUND;
		v0 ^= w[i];
	}
	v3 ^= b;
	SIPROUND;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

uint32_t
tcp_hash4(const struct in6_addr *laddr, uint16_t lport,
    const struct in6_addr *faddr, uint16_t fport, uint32_t extra, int keyidx)
{
	uint64_t w[5];

	memcpy(&w[0], laddr, 16);
	memcpy(&w[2], faddr, 16);
	w[4] = (uint64_t)lport << 48 | (uint64_t)fport << 32 | extra;
	return (uint32_t)siphash(tcp_key[keyidx], w, 5);
}

/* RFC 6528: ISN = M + F(4-tuple, key), M a 4 microsecond clock. */
tcp_seq
tcp_new_isn(const struct in6_addr *laddr, uint16_t lport,
    const struct in6_addr *faddr, uint16_t fport)
{
	uint32_t m = (uint32_t)(tcp_now_ns() / 4000);

	return m + tcp_hash4(laddr, lport, faddr, fport, 0, 0);
}

uint32_t
tcp_ts_now(const struct tcpcb *tp)
{
	return (uint32_t)(tcp_now_ns() / 1000000) + tp->ts_offset;
}

int
tcp_linux_state(enum tcp_state st)
{
	static const uint8_t map[] = {
		[TCPS_CLOSED] = TCP_CLOSE,
		[TCPS_LISTEN] = TCP_LISTEN,
		[TCPS_SYN_SENT] = TCP_SYN_SENT,
		[TCPS_SYN_RECEIVED] = TCP_SYN_RECV,
		[TCPS_ESTABLISHED] = TCP_ESTABLISHED,
		[TCPS_CLOSE_WAIT] = TCP_CLOSE_WAIT,
		[TCPS_FIN_WAIT_1] = TCP_FIN_WAIT1,
		[TCPS_CLOSING] = TCP_CLOSING,
		[TCPS_LAST_ACK] = TCP_LAST_ACK,
		[TCPS_FIN_WAIT_2] = TCP_FIN_WAIT2,
		[TCPS_TIME_WAIT] = TCP_TIME_WAIT,
	};

	return map[st];
}

void
tcp_set_state(struct tcpcb *tp, enum tcp_state st)
{
	enum tcp_state old = tp->t_state;

	if (old == st)
		return;
	tp->t_state = st;
	if (st == TCPS_LISTEN)
		in_pcbsetstate(tp->t_inpcb, INP_TS_LISTEN);
	else if (st == TCPS_TIME_WAIT)
		in_pcbsetstate(tp->t_inpcb, INP_TS_TIMEWAIT);
	else if (old == TCPS_LISTEN || old == TCPS_TIME_WAIT)
		in_pcbsetstate(tp->t_inpcb, INP_TS_OTHER);
	if (st == TCPS_ESTABLISHED)
		tp->t_flags |= TF_WASCONNECTED;
	if (st == TCPS_TIME_WAIT)
		atomic_fetch_add(&tcpstat.tcps_timewait, 1);
}

INPCB_BUCKETS(tcb, 1024);

int
tcp_init(void)
{
	size_t n;
	int error;

	error = kern_getrandom(tcp_key, sizeof(tcp_key), GRND_INSECURE, &n);
	if (error != 0 || n != sizeof(tcp_key))
		return error ? error : EIO;
	if ((error = INPCB_TABLE_INIT(&tcbtable, "tcp", IPPROTO_TCP,
	    tcb)) != 0)
		return error;
	tcbtable.ipt_tuple_unique = true;
	for (n = 0; n < __arraycount(tcp_sysctls); n++)
		if ((error = sysctl_register(&tcp_sysctls[n])) != 0)
			return error;
	return 0;
}

/* --- tcpcbs ---------------------------------------------------------------- */

int
tcp_newtcpcb(struct inpcb *inp, struct tcpcb **tpp)
{
	struct tcpcb *tp;

	tp = kmem_zalloc(sizeof(*tp));
	if (tp == NULL)
		return ENOBUFS;
	tp->t_inpcb = inp;
	tp->t_socket = inp->inp_socket;
	tp->t_state = TCPS_CLOSED;
	TAILQ_INIT(&tp->t_segq);
	tp->t_maxseg = TCP_MSS_DEFAULT;
	tp->t_advmss = TCP_MSS_DEFAULT;
	tp->t_srtt = 0;
	tp->t_rttvar = 0;
	tp->t_rto = TCP_RTO_INIT_US;
	tp->snd_cwnd = UINT32_MAX / 2;
	tp->snd_ssthresh = UINT32_MAX / 2;
	tp->t_cc = tcp_cc_default;
	tp->t_keepidle = (int)tcp_keep_idle;
	tp->t_keepintvl = (int)tcp_keep_intvl;
	tp->t_keepmax = (int)tcp_keep_cnt;
	tp->t_created = tcp_now_ns();
	tp->t_rcvtime = tp->t_created;
	tcp_timer_init(tp);
	inp->inp_ppcb = tp;
	atomic_fetch_add(&tcpstat.tcps_pcbs, 1);
	__atomic_fetch_add(&tcp_pcbcount, 1, __ATOMIC_RELAXED);
	*tpp = tp;
	return 0;
}

struct tcpcb *
tcp_close(struct tcpcb *tp)
{
	struct inpcb *inp = tp->t_inpcb;
	struct socket *so = tp->t_socket;

	if (tp->t_state != TCPS_CLOSED && tp->t_state != TCPS_LISTEN)
		atomic_fetch_add(&tcpstat.tcps_closed, 1);
	/* Dead before the halt, which may drop so_lock to wait. */
	tp->t_flags |= TF_DEAD;
	tp->t_state = TCPS_CLOSED;
	tcp_timer_halt(tp);
	tcp_reass_flush(tp);
	inp->inp_ppcb = NULL;
	callout_destroy(&tp->t_callout);
	kmem_free(tp, sizeof(*tp));
	atomic_fetch_sub(&tcpstat.tcps_pcbs, 1);
	__atomic_fetch_sub(&tcp_pcbcount, 1, __ATOMIC_RELAXED);
	/*
	 * An embryonic connection that died (SYN,ACK unanswered, RST) leaves
	 * its listener's q0 now, so it is freed with the pcb instead of
	 * filling the queue until the listener closes.  We hold the
	 * listener's lock: it is this socket's.  (A completed one stays on
	 * so_q: accept() reports ECONNABORTED for it.)
	 */
	if (so->so_head != NULL && !(so->so_state & SS_ISCONNECTED)) {
		struct socket *head = so->so_head;

		TAILQ_REMOVE(&head->so_q0, so, so_qe);
		head->so_q0len--;
		so->so_head = NULL;
	}
	soisdisconnected(so);
	in_pcbdetach(inp);
	return NULL;
}

struct tcpcb *
tcp_drop(struct tcpcb *tp, int error)
{
	struct socket *so = tp->t_socket;

	if (TCPS_HAVERCVDSYN(tp->t_state) && tp->t_state != TCPS_TIME_WAIT) {
		tcp_set_state(tp, TCPS_CLOSED);
		(void)tcp_send_segment(tp, tp->snd_max, 0, TH_RST | TH_ACK);
		atomic_fetch_add(&tcpstat.tcps_drops, 1);
	} else
		atomic_fetch_add(&tcpstat.tcps_conndrops, 1);
	if (error == ETIMEDOUT && tp->t_softerror != 0)
		error = tp->t_softerror;
	if (error != 0) {
		so->so_error = error;
		sowakeup_error(so, error);
	}
	return tcp_close(tp);
}

/* --- replies outside a connection ----------------------------------------- */

void
tcp_respond(struct tcpcb *tp, const struct ip_rcv *r, const struct tcphdr *th,
    tcp_seq seq, tcp_seq ack, int flags)
{
	struct ip_out o;
	struct tcphdr hdr, *nth = &hdr;	/* built aside: alignment */
	struct mbuf *m;
	size_t hlen = sizeof(*nth);
	uint8_t opt[12];

	/* Never answer a RST, nor anything sent to a broadcast. */
	if ((th->th_flags & TH_RST) || (r->flags & (IPRCV_BCAST | IPRCV_MCAST)))
		return;
	if (tp != NULL && (tp->t_flags & TF_RCVD_TSTMP) && !(flags & TH_RST))
		hlen += 12;
	if ((m = m_gethdr(MT_HEADER)) == NULL)
		return;
	m->m_len = 0;
	m->m_pkthdr.len = 0;
	if ((m = tcp_prepend(m, hlen)) == NULL)
		return;
	memset(nth, 0, sizeof(*nth));
	nth->th_sport = th->th_dport;
	nth->th_dport = th->th_sport;
	nth->th_seq = htonl(seq);
	nth->th_ack = (flags & TH_ACK) ? htonl(ack) : 0;
	nth->th_offx2 = (uint8_t)((hlen / 4) << 4);
	nth->th_flags = (uint8_t)flags;
	if (tp != NULL && !(flags & TH_RST)) {
		uint32_t v;

		nth->th_win = htons((uint16_t)MIN(tcp_rcv_window(tp) >>
		    tp->rcv_scale, 65535u));
		if (hlen > sizeof(*nth)) {
			opt[0] = TCPOPT_NOP;
			opt[1] = TCPOPT_NOP;
			opt[2] = TCPOPT_TIMESTAMP;
			opt[3] = TCPOLEN_TIMESTAMP;
			v = htonl(tcp_ts_now(tp));
			memcpy(opt + 4, &v, 4);
			v = htonl(tp->ts_recent);
			memcpy(opt + 8, &v, 4);
			memcpy(mtod(m, uint8_t *) + sizeof(*nth), opt, 12);
		}
	}
	memcpy(mtod(m, uint8_t *), nth, sizeof(*nth));
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
	if (tp != NULL)
		ip_out_frompcb(&o, tp->t_inpcb, IPPROTO_TCP, &r->src);
	if (flags & TH_RST)
		atomic_fetch_add(&tcpstat.tcps_rstsent, 1);
	if (tp != NULL)
		tp->t_segs_out++;
	(void)in_output(m, &o);
}

/* --- MSS ------------------------------------------------------------------- */

static int
tcp_af(const struct tcpcb *tp)
{
	return in6_is_v4mapped(&tp->t_inpcb->inp_faddr) ? AF_INET : AF_INET6;
}

/* What we advertise: the path's largest payload, or TCP_MAXSEG's value. */
uint32_t
tcp_mssopt(const struct tcpcb *tp)
{
	uint32_t mss = in_maxmss(tcp_af(tp), &tp->t_inpcb->inp_faddr);

	if (mss > 65535)
		mss = 65535;
	if (tp->t_usermss != 0 && tp->t_usermss < mss)
		mss = tp->t_usermss;
	if (mss < 88)
		mss = 88;
	return mss;
}

/*
 * The send MSS: the peer's offer (536 without one, RFC 9293 3.7.1),
 * capped by the path and TCP_MAXSEG, less the options every segment
 * carries.
 */
void
tcp_mss_update(struct tcpcb *tp, uint32_t peermss)
{
	uint32_t mss = tcp_mssopt(tp);

	if (peermss == 0)
		peermss = TCP_MSS_DEFAULT;
	if (peermss < mss)
		mss = peermss;
	tp->t_optlen = (tp->t_flags & TF_RCVD_TSTMP) ? 12 : 0;
	if (mss > tp->t_optlen + 64u)
		mss -= tp->t_optlen;
	tp->t_maxseg = mss;
	/* The path's link carries large segments (tcp_lso.c): several
	 * segments' worth goes down the stack as one. */
	{
		uint32_t lso = tcp_lso_max(tcp_af(tp), &tp->t_inpcb->inp_faddr);
		uint32_t hdr = 20 + 20 + tp->t_optlen;

		tp->t_lsomax = lso > hdr + 2 * mss ?
		    (lso - hdr) / mss * mss : 0;
	}
}

/* --- TCP_INFO ---------------------------------------------------------------- */

static uint32_t
ms_since(int64_t then, int64_t now)
{
	if (then == 0 || now < then)
		return 0;
	return (uint32_t)((now - then) / 1000000);
}

void
tcp_set_info(const struct tcpcb *tp, struct tcp_info *ti)
{
	const struct socket *so = tp->t_socket;
	int64_t now = tcp_now_ns();

	memset(ti, 0, sizeof(*ti));
	/* Linux moves TIME_WAIT off the socket, which then reads closed. */
	ti->tcpi_state = (uint8_t)(tp->t_state == TCPS_TIME_WAIT ? TCP_CLOSE :
	    tcp_linux_state(tp->t_state));
	ti->tcpi_ca_state = (uint8_t)tp->t_ca_state;
	ti->tcpi_retransmits = (uint8_t)MIN(tp->t_rxtshift, 255);
	ti->tcpi_probes = (uint8_t)MIN(tp->t_keepcnt, 255);
	ti->tcpi_backoff = (uint8_t)MIN(tp->t_rxtshift, 255);
	if (tp->t_flags & TF_RCVD_TSTMP)
		ti->tcpi_options |= TCPI_OPT_TIMESTAMPS;
	if (tp->t_flags & TF_SACK_PERMIT)
		ti->tcpi_options |= TCPI_OPT_SACK;
	if (tp->t_flags & TF_RCVD_SCALE) {
		ti->tcpi_options |= TCPI_OPT_WSCALE;
		ti->tcpi_snd_wscale = tp->snd_scale & 0xf;
		ti->tcpi_rcv_wscale = tp->rcv_scale & 0xf;
	}
	ti->tcpi_rto = (uint32_t)MIN(tcp_rto_ns(tp) / 1000, UINT32_MAX);
	ti->tcpi_ato = TCP_DELACK_NS / 1000;
	ti->tcpi_snd_mss = tp->t_maxseg;
	ti->tcpi_rcv_mss = tp->t_rcvmss ? tp->t_rcvmss : tp->t_advmss;
	if (tp->t_state != TCPS_LISTEN) {
		ti->tcpi_unacked = howmany(tp->snd_max - tp->snd_una,
		    tp->t_maxseg);
		ti->tcpi_sacked = howmany(tp->t_sacked, tp->t_maxseg);
		ti->tcpi_lost = howmany(tcp_sack_lost(tp), tp->t_maxseg);
	} else {
		ti->tcpi_unacked = (uint32_t)so->so_qlen;
		ti->tcpi_sacked = (uint32_t)so->so_qlimit;
	}
	ti->tcpi_retrans = tp->t_retrans_segs;
	ti->tcpi_last_data_sent = ms_since(tp->t_lastsend, now);
	ti->tcpi_last_data_recv = ms_since(tp->t_lastdatarecv, now);
	ti->tcpi_last_ack_recv = ms_since(tp->t_lastackrecv, now);
	ti->tcpi_pmtu = in_pathmtu(tcp_af(tp), &tp->t_inpcb->inp_faddr);
	ti->tcpi_rcv_ssthresh = tcp_rcv_window(tp);
	ti->tcpi_rtt = (uint32_t)tp->t_srtt;
	ti->tcpi_rttvar = (uint32_t)tp->t_rttvar;
	ti->tcpi_snd_ssthresh = tp->snd_ssthresh >= UINT32_MAX / 4 ?
	    0x7fffffff : tp->snd_ssthresh / tp->t_maxseg;
	ti->tcpi_snd_cwnd = tp->snd_cwnd >= UINT32_MAX / 4 ? 10 :
	    tp->snd_cwnd / tp->t_maxseg;
	ti->tcpi_advmss = tp->t_advmss;
	ti->tcpi_reordering = 3;
	ti->tcpi_rcv_space = (uint32_t)so->so_rcv.sb_hiwat;
	ti->tcpi_total_retrans = tp->t_total_retrans;
	ti->tcpi_bytes_acked = tp->t_bytes_acked_total;
	ti->tcpi_bytes_received = tp->t_bytes_received;
	ti->tcpi_segs_out = tp->t_segs_out;
	ti->tcpi_segs_in = tp->t_segs_in;
	ti->tcpi_notsent_bytes = so->so_snd.sb_cc > (tp->snd_max - tp->snd_una) ?
	    (uint32_t)(so->so_snd.sb_cc - (tp->snd_max - tp->snd_una)) : 0;
	ti->tcpi_min_rtt = (uint32_t)tp->t_minrtt;
	ti->tcpi_data_segs_in = tp->t_data_segs_in;
	ti->tcpi_data_segs_out = tp->t_data_segs_out;
	ti->tcpi_delivered = (uint32_t)(tp->t_bytes_acked_total /
	    tp->t_maxseg);
	ti->tcpi_bytes_sent = tp->t_bytes_sent;
	ti->tcpi_bytes_retrans = tp->t_bytes_retrans;
	ti->tcpi_dsack_dups = tp->t_dsack_dups;
	ti->tcpi_rcv_ooopack = tp->t_rcv_ooopack;
	ti->tcpi_snd_wnd = tp->snd_wnd;
	ti->tcpi_rcv_wnd = tp->rcv_wnd;
	ti->tcpi_total_rto = (uint16_t)MIN(tp->t_rto_count, 65535);
}
