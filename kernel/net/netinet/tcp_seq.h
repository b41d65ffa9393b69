/*
 * tcp_seq.h: sequence-number arithmetic (RFC 9293 section 3.4) and the
 * timestamp clock (RFC 7323).
 *
 * Sequence numbers live in a 32-bit circle: a < b means b is ahead of a
 * by less than 2^31.  Pure functions, no locks.
 */
#ifndef NETINET_TCP_SEQ_H
#define NETINET_TCP_SEQ_H

#include "k/kernel.h"

typedef uint32_t tcp_seq;

#define SEQ_LT(a, b)	((int32_t)((a) - (b)) < 0)
#define SEQ_LEQ(a, b)	((int32_t)((a) - (b)) <= 0)
#define SEQ_GT(a, b)	((int32_t)((a) - (b)) > 0)
#define SEQ_GEQ(a, b)	((int32_t)((a) - (b)) >= 0)
#define SEQ_MIN(a, b)	(SEQ_LT(a, b) ? (a) : (b))
#define SEQ_MAX(a, b)	(SEQ_GT(a, b) ? (a) : (b))

/* Timestamp values compare the same way (RFC 7323 PAWS). */
#define TSTMP_LT(a, b)	((int32_t)((a) - (b)) < 0)
#define TSTMP_GEQ(a, b)	((int32_t)((a) - (b)) >= 0)

/* Uptime in ns, and the millisecond timestamp clock. */
static inline int64_t
tcp_now_ns(void)
{
	struct timespec ts;

	getnanouptime(&ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

#endif /* NETINET_TCP_SEQ_H */
