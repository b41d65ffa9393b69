/*
 * tcp_syn.h: connection establishment shared by tcp_input.c and
 * tcp_syn.c - the LISTEN state, SYN cookies, SYN option agreement.
 * so_lock of the listener held (it is also the new socket's lock until
 * accept).
 */
#ifndef NETINET_TCP_SYN_H
#define NETINET_TCP_SYN_H

#include "net/netinet/tcp_var.h"

struct ip_rcv;

/* A segment for a listening tcpcb (RFC 9293 3.10.7.2). */
void tcp_input_listen(struct tcpcb *lp, const struct ip_rcv *r,
    const struct tcphdr *th, tcp_seq seq, tcp_seq ack, uint32_t win,
    uint32_t tlen, int flags, const struct tcpopt *to);
/* Agrees on the options of the peer's SYN. */
void tcp_syn_options(struct tcpcb *tp, const struct tcpopt *to);
/* The RST for a segment no connection owns (3.10.7.1). */
void tcp_reset_for(const struct ip_rcv *r, const struct tcphdr *th,
    tcp_seq seq, tcp_seq ack, uint32_t tlen, int flags);
/* Options we ask for on a new connection (sysctls, buffer size). */
void tcp_request_options(struct tcpcb *tp);

#endif /* NETINET_TCP_SYN_H */
