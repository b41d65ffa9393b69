/*
 * tcp_cc.c: congestion control modules, chosen per socket with
 * TCP_CONGESTION ("reno", "cubic"; the default is cubic as on Linux).
 *
 * NewReno (RFC 5681 slow start and congestion avoidance with byte
 * counting, RFC 6582's recovery lives in tcp_input.c) and CUBIC (RFC
 * 9438: the cubic window growth with fast convergence and the
 * Reno-friendly region; no HyStart).  Windows are in bytes.  Called with
 * so_lock held from input and the timers.
 */
#include "k/kernel.h"
#include "net/netinet/tcp_var.h"

uint32_t
tcp_flightsize(const struct tcpcb *tp)
{
	return tp->snd_max - tp->snd_una;
}

/* RFC 5681 (4): half the flight, at least two segments. */
static uint32_t
half_flight(const struct tcpcb *tp)
{
	uint32_t f = tcp_flightsize(tp) / 2;

	return MAX(f, 2 * tp->t_maxseg);
}

/* Slow start with appropriate byte counting (RFC 3465, L = 2 SMSS). */
static bool
slow_start(struct tcpcb *tp, uint32_t acked)
{
	if (tp->snd_cwnd >= tp->snd_ssthresh)
		return false;
	tp->snd_cwnd += MIN(acked, 2 * tp->t_maxseg);
	return true;
}

static void
newreno_init(struct tcpcb *tp)
{
	/* Linux's and RFC 6928's initial window of ten segments. */
	tp->snd_cwnd = 10 * tp->t_maxseg;
	tp->t_bytes_acked = 0;
}

static void
newreno_ack(struct tcpcb *tp, uint32_t acked)
{
	if (slow_start(tp, acked))
		return;
	/* (3): one SMSS per window of data acknowledged. */
	tp->t_bytes_acked += acked;
	if (tp->t_bytes_acked >= tp->snd_cwnd) {
		tp->t_bytes_acked -= tp->snd_cwnd;
		tp->snd_cwnd += tp->t_maxseg;
	}
}

static void
newreno_loss(struct tcpcb *tp)
{
	tp->snd_ssthresh = half_flight(tp);
	tp->snd_cwnd = tp->snd_ssthresh;
	tp->t_bytes_acked = 0;
}

static void
newreno_rto(struct tcpcb *tp)
{
	tp->snd_ssthresh = half_flight(tp);
	tp->snd_cwnd = tp->t_maxseg;		/* the loss window */
	tp->t_bytes_acked = 0;
}

static void
newreno_recovered(struct tcpcb *tp)
{
	tp->snd_cwnd = MIN(tp->snd_ssthresh,
	    MAX(tcp_flightsize(tp), tp->t_maxseg) + tp->t_maxseg);
	if (tp->snd_cwnd < tp->snd_ssthresh)
		tp->snd_cwnd = tp->snd_ssthresh;
}

const struct tcp_cc tcp_newreno = {
	.cc_name = "reno",
	.cc_init = newreno_init,
	.cc_ack = newreno_ack,
	.cc_loss = newreno_loss,
	.cc_rto = newreno_rto,
	.cc_recovered = newreno_recovered,
};

/* --- CUBIC (RFC 9438) -------------------------------------------------------- */
#define CUBIC_C		0.4
#define CUBIC_BETA	0.7

/* Cube root by Newton's method (no libm in the kernel). */
static double
cbrt_pos(double x)
{
	double r = x > 1 ? x / 3 : 1;
	int i;

	if (x <= 0)
		return 0;
	for (i = 0; i < 60; i++) {
		double n = r - (r * r * r - x) / (3 * r * r);

		if (n == r)
			break;
		r = n;
	}
	return r;
}

static void
cubic_init(struct tcpcb *tp)
{
	newreno_init(tp);
	tp->cub_wmax = 0;
	tp->cub_wlast = 0;
	tp->cub_epoch = 0;
}

static void
cubic_ack(struct tcpcb *tp, uint32_t acked)
{
	double mss = tp->t_maxseg, cwnd = tp->snd_cwnd, t, wcubic, target;
	int64_t now;

	if (slow_start(tp, acked))
		return;
	now = tcp_now_ns();
	if (tp->cub_epoch == 0) {
		/* 4.2: a new congestion-avoidance epoch. */
		tp->cub_epoch = now;
		if (tp->cub_wmax > tp->snd_cwnd)
			tp->cub_k_ms = (uint32_t)(1000 * cbrt_pos(
			    (tp->cub_wmax - tp->snd_cwnd) / mss / CUBIC_C));
		else {
			tp->cub_k_ms = 0;
			tp->cub_wmax = tp->snd_cwnd;
		}
		tp->cub_west = tp->snd_cwnd;
	}
	/* W_cubic(t + RTT), (1) and 4.3. */
	t = (double)(now - tp->cub_epoch) / 1e9 + (double)tp->t_srtt / 1e6 -
	    tp->cub_k_ms / 1000.0;
	wcubic = CUBIC_C * t * t * t * mss + tp->cub_wmax;
	/* 4.3: the Reno-friendly estimate, alpha = 3(1 - b)/(1 + b). */
	tp->cub_west += (uint32_t)(3 * (1 - CUBIC_BETA) / (1 + CUBIC_BETA) *
	    acked * mss / cwnd) + 1;
	if (tp->cub_west > wcubic) {
		target = tp->cub_west;
	} else {
		target = wcubic;
		if (target < cwnd)
			target = cwnd;
		if (target > 1.5 * cwnd)
			target = 1.5 * cwnd;
	}
	if (target > cwnd) {
		double inc = (target - cwnd) * acked / cwnd;

		/* Fractions of a byte carried in t_bytes_acked (1/1024). */
		tp->t_bytes_acked += (uint32_t)(inc * 1024);
		tp->snd_cwnd += tp->t_bytes_acked / 1024;
		tp->t_bytes_acked %= 1024;
	}
}

static void
cubic_loss(struct tcpcb *tp)
{
	uint32_t cwnd = MAX(tp->snd_cwnd, 2 * tp->t_maxseg);

	/* 4.7 fast convergence. */
	if (cwnd < tp->cub_wlast)
		tp->cub_wmax = (uint32_t)(cwnd * (1 + CUBIC_BETA) / 2);
	else
		tp->cub_wmax = cwnd;
	tp->cub_wlast = cwnd;
	tp->snd_ssthresh = MAX((uint32_t)(cwnd * CUBIC_BETA),
	    2 * tp->t_maxseg);
	tp->snd_cwnd = tp->snd_ssthresh;
	tp->cub_epoch = 0;
	tp->t_bytes_acked = 0;
}

static void
cubic_rto(struct tcpcb *tp)
{
	cubic_loss(tp);
	tp->snd_cwnd = tp->t_maxseg;
	tp->cub_epoch = 0;
}

static void
cubic_recovered(struct tcpcb *tp)
{
	tp->snd_cwnd = tp->snd_ssthresh;
	tp->cub_epoch = 0;
}

const struct tcp_cc tcp_cubic = {
	.cc_name = "cubic",
	.cc_init = cubic_init,
	.cc_ack = cubic_ack,
	.cc_loss = cubic_loss,
	.cc_rto = cubic_rto,
	.cc_recovered = cubic_recovered,
};

const struct tcp_cc *tcp_cc_default = &tcp_cubic;

const struct tcp_cc *
tcp_cc_find(const char *name)
{
	if (strcmp(name, "reno") == 0)
		return &tcp_newreno;
	if (strcmp(name, "cubic") == 0)
		return &tcp_cubic;
	return NULL;
}
