/*
 * tcp_input.h: what segment arrival (tcp_input.c) shares with its ACK
 * processing (tcp_ack.c).  Private to netinet.
 */
#ifndef NET_NETINET_TCP_INPUT_H
#define NET_NETINET_TCP_INPUT_H

/* The segment being processed, in host order. */
struct tcpseg {
	const struct ip_rcv *r;
	struct tcphdr th;		/* copy of the header (network order) */
	tcp_seq seq, ack;
	uint32_t win;			/* unscaled */
	uint32_t tlen;			/* payload bytes */
	int flags;
	struct tcpopt to;
};

void tcp_challenge_ack(struct tcpcb *tp);
void tcp_established(struct tcpcb *tp);
void tcp_enter_time_wait(struct tcpcb *tp);
void tcp_rtt_sample(struct tcpcb *tp, const struct tcpseg *s);
struct tcpcb *tcp_do_ack(struct tcpcb *tp, struct tcpseg *s, bool *drop);

#endif
