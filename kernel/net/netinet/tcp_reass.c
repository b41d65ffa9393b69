/*
 * tcp_reass.c: TCP option parsing and the out-of-order queue.
 *
 * The queue (t_segq) holds disjoint segments above rcv_nxt in sequence
 * order; what overlaps is trimmed on insertion.  It is bounded by segment
 * count (TCP_REASS_MAXQ) and bytes (the receive buffer's size): a segment
 * past either bound is dropped and the sender retransmits it - hostile
 * peers cannot make it grow.  Its bytes are charged to kmem like every
 * mbuf.  so_lock held.
 */
#include "k/kernel.h"
#include "k/socket.h"
#include "net/netinet/tcp_var.h"

static uint32_t
get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return ntohl(v);
}

void
tcp_dooptions(const uint8_t *cp, size_t len, bool syn, struct tcpopt *to)
{
	size_t optlen;
	int i;

	memset(to, 0, sizeof(*to));
	to->to_wscale = -1;
	while (len > 0) {
		uint8_t opt = cp[0];

		if (opt == TCPOPT_EOL)
			break;
		if (opt == TCPOPT_NOP) {
			cp++;
			len--;
			continue;
		}
		if (len < 2)
			break;
		optlen = cp[1];
		if (optlen < 2 || optlen > len)
			break;
		switch (opt) {
		case TCPOPT_MAXSEG:
			if (optlen == TCPOLEN_MAXSEG && syn)
				to->to_mss = (uint32_t)cp[2] << 8 | cp[3];
			break;
		case TCPOPT_WINDOW:
			if (optlen == TCPOLEN_WINDOW && syn)
				to->to_wscale = MIN(cp[2], TCP_MAX_WINSHIFT);
			break;
		case TCPOPT_SACK_PERMITTED:
			if (optlen == TCPOLEN_SACK_PERMITTED && syn)
				to->to_sackok = true;
			break;
		case TCPOPT_TIMESTAMP:
			if (optlen == TCPOLEN_TIMESTAMP) {
				to->to_ts = true;
				to->to_tsval = get32(cp + 2);
				to->to_tsecr = get32(cp + 6);
			}
			break;
		case TCPOPT_SACK:
			if (syn || (optlen - 2) % 8 != 0)
				break;
			for (i = 0; i < (int)((optlen - 2) / 8) && i < 4; i++) {
				to->to_sack[i].start = get32(cp + 2 + 8 * i);
				to->to_sack[i].end = get32(cp + 6 + 8 * i);
			}
			to->to_nsack = i;
			break;
		default:
			break;
		}
		cp += optlen;
		len -= optlen;
	}
}

void
tcp_reass_flush(struct tcpcb *tp)
{
	struct tcp_qent *q;

	while ((q = TAILQ_FIRST(&tp->t_segq)) != NULL) {
		TAILQ_REMOVE(&tp->t_segq, q, q_link);
		m_freem(q->q_m);
		kmem_free(q, sizeof(*q));
	}
	tp->t_segqlen = 0;
	tp->t_segqcnt = 0;
}

static void
qent_remove(struct tcpcb *tp, struct tcp_qent *q)
{
	TAILQ_REMOVE(&tp->t_segq, q, q_link);
	tp->t_segqlen -= q->q_len;
	tp->t_segqcnt--;
	kmem_free(q, sizeof(*q));
}

/* Appends to so_rcv (unless the reader shut it: then the data goes). */
static void
deliver(struct tcpcb *tp, struct mbuf *m, uint32_t len)
{
	struct socket *so = tp->t_socket;

	tp->rcv_nxt += len;
	tp->t_bytes_received += len;
	if (so->so_state & SS_CANTRCVMORE)
		m_freem(m);
	else
		sbappendstream(&so->so_rcv, m);
}

bool
tcp_reass(struct tcpcb *tp, tcp_seq seq, struct mbuf *m, uint32_t tlen,
    bool fin)
{
	struct socket *so = tp->t_socket;
	struct tcp_qent *q, *p, *nq;
	tcp_seq end = seq + tlen;

	if (tlen == 0 && !fin) {
		m_freem(m);
		goto drain;
	}
	if (seq == tp->rcv_nxt && TAILQ_EMPTY(&tp->t_segq)) {
		if (tlen > 0)
			deliver(tp, m, tlen);
		else
			m_freem(m);
		return fin;
	}
	/* Find the first queued segment that starts after seq. */
	p = NULL;
	TAILQ_FOREACH(q, &tp->t_segq, q_link) {
		if (SEQ_GT(q->q_seq, seq))
			break;
		p = q;
	}
	/* The one before may cover us, or our start. */
	if (p != NULL) {
		tcp_seq pend = p->q_seq + p->q_len;

		if (SEQ_GEQ(pend, end) && !(fin && !p->q_fin && pend == end)) {
			m_freem(m);
			atomic_fetch_add(&tcpstat.tcps_rcvduppack, 1);
			tp->t_lastoo_start = p->q_seq;
			goto drain;
		}
		if (SEQ_GT(pend, seq)) {
			m_adj(m, (ssize_t)(pend - seq));
			tlen -= pend - seq;
			seq = pend;
		}
	}
	/* Those after, that we cover, go; one we overlap trims our tail. */
	while (q != NULL && SEQ_LT(q->q_seq, end)) {
		tcp_seq qend = q->q_seq + q->q_len;

		nq = TAILQ_NEXT(q, q_link);
		if (SEQ_LEQ(qend, end)) {
			fin = fin || q->q_fin;
			m_freem(q->q_m);
			qent_remove(tp, q);
			q = nq;
			continue;
		}
		m_adj(m, -(ssize_t)(end - q->q_seq));
		tlen -= end - q->q_seq;
		end = q->q_seq;
		fin = false;
		break;
	}
	if (tlen == 0 && !fin) {
		m_freem(m);
		goto drain;
	}
	if (tp->t_segqcnt >= TCP_REASS_MAXQ ||
	    tp->t_segqlen + tlen > so->so_rcv.sb_hiwat ||
	    (nq = kmem_alloc(sizeof(*nq))) == NULL) {
		m_freem(m);
		atomic_fetch_add(&tcpstat.tcps_rcvoopack, 1);
		goto drain;
	}
	nq->q_seq = seq;
	nq->q_len = tlen;
	nq->q_m = m;
	nq->q_fin = fin;
	if (q != NULL)
		TAILQ_INSERT_BEFORE(q, nq, q_link);
	else
		TAILQ_INSERT_TAIL(&tp->t_segq, nq, q_link);
	tp->t_segqlen += tlen;
	tp->t_segqcnt++;
	if (seq != tp->rcv_nxt) {
		tp->t_rcv_ooopack++;
		tp->t_lastoo_start = seq;
		tp->t_lastoo_end = end;
	}
drain:
	fin = false;
	while ((q = TAILQ_FIRST(&tp->t_segq)) != NULL &&
	    SEQ_LEQ(q->q_seq, tp->rcv_nxt)) {
		struct mbuf *qm = q->q_m;
		uint32_t qlen = q->q_len;
		tcp_seq qs = q->q_seq;
		bool qfin = q->q_fin;

		qent_remove(tp, q);
		if (SEQ_LT(qs, tp->rcv_nxt)) {	/* cannot happen: trimmed */
			uint32_t skip = tp->rcv_nxt - qs;

			if (skip >= qlen) {
				m_freem(qm);
				continue;
			}
			m_adj(qm, (ssize_t)skip);
			qlen -= skip;
		}
		if (qlen > 0)
			deliver(tp, qm, qlen);
		else
			m_freem(qm);
		if (qfin) {
			fin = true;
			break;
		}
	}
	return fin;
}
