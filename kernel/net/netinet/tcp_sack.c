/*
 * tcp_sack.c: selective acknowledgments.
 *
 * Receiver side (RFC 2018): the blocks we report come from the
 * out-of-order queue, the block holding the latest arrival first.
 * Sender side (RFC 6675): a scoreboard of SACKed ranges above snd_una
 * (sorted, disjoint, at most TCP_SACK_MAX: when full the highest ranges
 * are forgotten, which only makes us retransmit more), with IsLost(),
 * SetPipe() and NextSeg() for loss recovery.  D-SACKs (RFC 2883, a block
 * below the cumulative ACK) are counted, not used.
 *
 * so_lock held throughout.
 */
#include "k/kernel.h"
#include "k/socket.h"
#include "net/netinet/tcp_var.h"

#define DUPTHRESH	3

static void
sack_recount(struct tcpcb *tp)
{
	uint32_t n = 0;
	int i;

	for (i = 0; i < tp->t_nsack; i++)
		n += tp->t_sack[i].end - tp->t_sack[i].start;
	tp->t_sacked = n;
}

static void
sack_insert(struct tcpcb *tp, tcp_seq s, tcp_seq e)
{
	struct sackblk *sb = tp->t_sack;
	int i, j, n = tp->t_nsack;

	/* Find the first block that ends at or after s. */
	for (i = 0; i < n && SEQ_LT(sb[i].end, s); i++)
		;
	if (i < n && SEQ_LEQ(sb[i].start, e)) {
		/* Overlaps or touches: widen, then swallow followers. */
		sb[i].start = SEQ_MIN(sb[i].start, s);
		sb[i].end = SEQ_MAX(sb[i].end, e);
		for (j = i + 1; j < n && SEQ_LEQ(sb[j].start, sb[i].end); j++)
			sb[i].end = SEQ_MAX(sb[i].end, sb[j].end);
		if (j > i + 1) {
			memmove(&sb[i + 1], &sb[j], (size_t)(n - j) *
			    sizeof(*sb));
			n -= j - i - 1;
		}
		tp->t_nsack = n;
		return;
	}
	if (n == TCP_SACK_MAX) {
		if (i == n)
			return;		/* above everything: forget it */
		n--;			/* drop the highest */
	}
	memmove(&sb[i + 1], &sb[i], (size_t)(n - i) * sizeof(*sb));
	sb[i].start = s;
	sb[i].end = e;
	tp->t_nsack = n + 1;
}

void
tcp_sack_update(struct tcpcb *tp, tcp_seq ack, const struct sackblk *blk,
    int nblk)
{
	int i;

	for (i = 0; i < nblk; i++) {
		tcp_seq s = blk[i].start, e = blk[i].end;

		if (!SEQ_LT(s, e))
			continue;
		if (SEQ_LEQ(e, ack)) {
			tp->t_dsack_dups++;	/* D-SACK: a duplicate arrived */
			continue;
		}
		if (SEQ_GT(e, tp->snd_max) || SEQ_LT(s, ack))
			continue;		/* bogus: ignore the block */
		sack_insert(tp, s, e);
	}
	sack_recount(tp);
}

void
tcp_sack_clean(struct tcpcb *tp)
{
	int i, k = 0;

	for (i = 0; i < tp->t_nsack; i++) {
		if (SEQ_LEQ(tp->t_sack[i].end, tp->snd_una))
			continue;
		tp->t_sack[k] = tp->t_sack[i];
		if (SEQ_LT(tp->t_sack[k].start, tp->snd_una))
			tp->t_sack[k].start = tp->snd_una;
		k++;
	}
	tp->t_nsack = k;
	if (SEQ_LT(tp->t_highrxt, tp->snd_una))
		tp->t_highrxt = tp->snd_una;
	sack_recount(tp);
}

bool
tcp_sack_is_sacked(const struct tcpcb *tp, tcp_seq seq)
{
	int i;

	for (i = 0; i < tp->t_nsack; i++)
		if (SEQ_LEQ(tp->t_sack[i].start, seq) &&
		    SEQ_LT(seq, tp->t_sack[i].end))
			return true;
	return false;
}

/* IsLost() for a hole ending where block k starts (RFC 6675 4). */
static bool
hole_lost(const struct tcpcb *tp, int k)
{
	uint32_t above = 0;
	int i;

	for (i = k; i < tp->t_nsack; i++)
		above += tp->t_sack[i].end - tp->t_sack[i].start;
	return tp->t_nsack - k >= DUPTHRESH ||
	    above > (DUPTHRESH - 1) * tp->t_maxseg;
}

/* Calls fn for each hole [a, b) below snd_max with whether it is lost. */
#define FOREACH_HOLE(tp, a, b, lost, body) do {				\
	tcp_seq a = (tp)->snd_una, b;					\
	bool lost;							\
	int k_;								\
	for (k_ = 0; k_ <= (tp)->t_nsack; k_++) {			\
		b = k_ < (tp)->t_nsack ? (tp)->t_sack[k_].start :	\
		    (tp)->snd_max;					\
		lost = k_ < (tp)->t_nsack && hole_lost(tp, k_);		\
		if (SEQ_LT(a, b)) { body }				\
		if (k_ < (tp)->t_nsack)					\
			a = (tp)->t_sack[k_].end;			\
	}								\
} while (0)

uint32_t
tcp_sack_lost(const struct tcpcb *tp)
{
	uint32_t n = 0;

	FOREACH_HOLE(tp, a, b, lost, {
		if (lost)
			n += b - a;
	});
	return n;
}

uint32_t
tcp_sack_pipe(const struct tcpcb *tp)
{
	uint32_t pipe = 0;

	FOREACH_HOLE(tp, a, b, lost, {
		tcp_seq rx = SEQ_MIN(SEQ_MAX(tp->t_highrxt, a), b);

		if (!lost)
			pipe += b - a;
		/* Retransmitted octets are in flight again. */
		pipe += rx - a;
	});
	return pipe;
}

bool
tcp_sack_nextseg(struct tcpcb *tp, tcp_seq *seqp, uint32_t *lenp)
{
	bool found = false;

	FOREACH_HOLE(tp, a, b, lost, {
		if (!found && lost && SEQ_LT(tp->t_highrxt, b)) {
			tcp_seq s = SEQ_MAX(a, tp->t_highrxt);

			*seqp = s;
			*lenp = b - s;
			found = true;
		}
	});
	return found;
}

int
tcp_sack_build(const struct tcpcb *tp, struct sackblk *blk, int max)
{
	struct sackblk all[TCP_REASS_MAXQ < 64 ? TCP_REASS_MAXQ : 64];
	const struct tcp_qent *q;
	int n = 0, i, first = -1, out = 0;

	TAILQ_FOREACH(q, &tp->t_segq, q_link) {
		tcp_seq s = q->q_seq, e = q->q_seq + q->q_len;

		if (n > 0 && SEQ_LEQ(s, all[n - 1].end)) {
			all[n - 1].end = SEQ_MAX(all[n - 1].end, e);
			continue;
		}
		if (n == (int)__arraycount(all))
			break;
		all[n].start = s;
		all[n].end = e;
		n++;
	}
	for (i = 0; i < n; i++)
		if (SEQ_LEQ(all[i].start, tp->t_lastoo_start) &&
		    SEQ_LT(tp->t_lastoo_start, all[i].end))
			first = i;
	if (first >= 0 && out < max)
		blk[out++] = all[first];
	for (i = 0; i < n && out < max; i++)
		if (i != first)
			blk[out++] = all[i];
	return out;
}
