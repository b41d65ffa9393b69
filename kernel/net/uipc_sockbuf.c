/*
 * uipc_sockbuf.c: socket buffers and the option value helpers
 * (k/socket.h).
 *
 * A socket buffer is a list of records (m_nextpkt) of mbuf chains
 * (m_next).  sb_cc counts data bytes (MT_DATA, MT_HEADER, MT_OOBDATA),
 * sb_ctl the MT_SONAME and MT_CONTROL bytes; sb_lastrecord and sb_mbtail
 * make appending O(1).  Everything here runs with so_lock held and
 * never sleeps.
 */
#include "k/kernel.h"
#include "k/socket.h"

#include "net_private.h"

static bool
m_isdata(const struct mbuf *m)
{
	return m->m_type != MT_SONAME && m->m_type != MT_CONTROL;
}

/* Counts a chain into sb; returns its last mbuf. */
static struct mbuf *
sbcount(struct sockbuf *sb, struct mbuf *m)
{
	struct mbuf *last = m;

	for (; m != NULL; m = m->m_next) {
		if (m_isdata(m))
			sb->sb_cc += m->m_len;
		else
			sb->sb_ctl += m->m_len;
		last = m;
	}
	return last;
}

void
sbappendstream(struct sockbuf *sb, struct mbuf *m)
{
	struct mbuf *last;

	if (m == NULL)
		return;
	m->m_nextpkt = NULL;
	if (sb->sb_lastrecord != NULL &&
	    sb->sb_lastrecord->m_type == MT_CONTROL) {
		/* Data after control is its own record: a reader must see
		 * where the data that came with the control ends. */
		sbappendrecord(sb, m);
		return;
	}
	last = sbcount(sb, m);
	if (sb->sb_mb == NULL) {
		sb->sb_mb = sb->sb_lastrecord = m;
	} else {
		/* Squeeze small writes into the tail's room (many 1-byte
		 * sends must not cost an mbuf each). */
		struct mbuf *t = sb->sb_mbtail;

		while (m != NULL && m_isdata(t) && m->m_len <=
		    M_TRAILINGSPACE(t) && !(t->m_flags & M_EOR)) {
			memcpy(t->m_data + t->m_len, m->m_data, m->m_len);
			t->m_len += m->m_len;
			m = m_free(m);
			if (m == NULL)
				last = t;
		}
		t->m_next = m;
	}
	sb->sb_mbtail = last;
}

void
sbappendrecord(struct sockbuf *sb, struct mbuf *m)
{
	struct mbuf *last;

	if (m == NULL)
		return;
	m->m_nextpkt = NULL;
	last = sbcount(sb, m);
	if (sb->sb_mb == NULL)
		sb->sb_mb = m;
	else
		sb->sb_lastrecord->m_nextpkt = m;
	sb->sb_lastrecord = m;
	sb->sb_mbtail = last;
}

int
sbappendaddr(struct sockbuf *sb, const struct sockaddr *asa, socklen_t salen,
    struct mbuf *m, struct mbuf *control)
{
	struct mbuf *n, *t;

	if (salen > MLEN || (n = m_get(MT_SONAME)) == NULL) {
		m_freem(m);
		m_freem(control);
		return ENOBUFS;
	}
	memcpy(n->m_data, asa, salen);
	n->m_len = salen;
	t = n;
	if (control != NULL) {
		t->m_next = control;
		while (t->m_next != NULL)
			t = t->m_next;
	}
	t->m_next = m;
	if (m != NULL && (m->m_flags & M_PKTHDR)) {
		n->m_flags |= M_PKTHDR;
		n->m_pkthdr = m->m_pkthdr;
		m->m_flags &= (uint16_t)~M_PKTHDR;
	}
	sbappendrecord(sb, n);
	return 0;
}

int
sbappendcontrol(struct sockbuf *sb, struct mbuf *m, struct mbuf *control)
{
	struct mbuf *t;

	if (control == NULL) {
		sbappendrecord(sb, m);
		return 0;
	}
	for (t = control; t->m_next != NULL; t = t->m_next)
		;
	t->m_next = m;
	sbappendrecord(sb, control);
	return 0;
}

/* Unlinks the first record and fixes the tail pointers. */
static struct mbuf *
sbunlinkfirst(struct sockbuf *sb)
{
	struct mbuf *rec = sb->sb_mb;

	sb->sb_mb = rec->m_nextpkt;
	rec->m_nextpkt = NULL;
	if (sb->sb_mb == NULL) {
		sb->sb_lastrecord = NULL;
		sb->sb_mbtail = NULL;
	}
	return rec;
}

void
sbdroprecord(struct sockbuf *sb)
{
	struct mbuf *rec, *m;

	if (sb->sb_mb == NULL)
		return;
	rec = sbunlinkfirst(sb);
	for (m = rec; m != NULL; m = m->m_next) {
		if (m_isdata(m))
			sb->sb_cc -= m->m_len;
		else
			sb->sb_ctl -= m->m_len;
	}
	m_freem(rec);
}

void
sbdropfirst(struct sockbuf *sb)
{
	struct mbuf *m = sb->sb_mb, *next;

	if (m == NULL)
		return;
	next = m->m_next;
	if (m_isdata(m))
		sb->sb_cc -= m->m_len;
	else
		sb->sb_ctl -= m->m_len;
	if (next == NULL) {
		(void)sbunlinkfirst(sb);
	} else {
		next->m_nextpkt = m->m_nextpkt;
		if (m->m_flags & M_PKTHDR) {
			next->m_flags |= M_PKTHDR;
			next->m_pkthdr = m->m_pkthdr;
		}
		sb->sb_mb = next;
		if (sb->sb_lastrecord == m)
			sb->sb_lastrecord = next;
		m->m_next = NULL;
		m->m_nextpkt = NULL;
	}
	m_free(m);
}

void
sbdrop(struct sockbuf *sb, size_t len)
{
	while (sb->sb_mb != NULL) {
		struct mbuf *m = sb->sb_mb;

		/* Done: what follows (control that came after the data, with
		 * descriptors in it) is not ours to drop. */
		if (len == 0 && !(m_isdata(m) && m->m_len == 0))
			break;
		if (m_isdata(m) && m->m_len > len) {
			m->m_data += len;
			m->m_len -= (uint32_t)len;
			sb->sb_cc -= len;
			break;
		}
		/* Names and control in front of data go with it. */
		if (m_isdata(m)) {
			if (len == 0 && m->m_len > 0)
				break;
			len -= m->m_len;
		}
		sbdropfirst(sb);
	}
}

void
sbflush(struct sockbuf *sb)
{
	while (sb->sb_mb != NULL)
		sbdroprecord(sb);
	sb->sb_cc = 0;
	sb->sb_ctl = 0;
}

/* Linux: SO_*BUF doubles the request (bookkeeping overhead) and clamps
 * it to at least SOCK_MIN_*BUF. */
int
sbreserve(struct sockbuf *sb, size_t cc)
{
	if (cc > (size_t)INT32_MAX / 2)
		cc = (size_t)INT32_MAX / 2;
	cc *= 2;
	if (cc < 4608)
		cc = 4608;
	sb->sb_hiwat = cc;
	sb->sb_flags &= ~SB_AUTOSIZE;
	return 0;
}

/*
 * Linux reads an int option from at least sizeof(int) bytes (EINVAL if
 * shorter), except that a few boolean ones accept a single byte; the
 * layer passes what it has.
 */
int
sockopt_getint(const struct sockopt *sopt, int *valp)
{
	if (sopt->sopt_size < sizeof(int)) {
		if (sopt->sopt_size >= 1 && sopt->sopt_data != NULL) {
			*valp = *(const uint8_t *)sopt->sopt_data;
			return 0;
		}
		return EINVAL;
	}
	memcpy(valp, sopt->sopt_data, sizeof(int));
	return 0;
}

int
sockopt_setint(struct sockopt *sopt, int v)
{
	return sockopt_set(sopt, &v, sizeof(v));
}

int
sockopt_set(struct sockopt *sopt, const void *buf, size_t len)
{
	if (len > sopt->sopt_size)
		len = sopt->sopt_size;
	memcpy(sopt->sopt_data, buf, len);
	sopt->sopt_size = len;
	return 0;
}

void
sbwakeup(struct sockbuf *sb, int events)
{
	__atomic_add_fetch(&sb->sb_wakes, 1, __ATOMIC_RELEASE);
	cv_broadcast(&sb->sb_cv);
	selwakeup(&sb->sb_sel, events);
}

/*
 * A loopback peer on another host CPU answers within microseconds; a
 * sleep and its wake-up cost more than that (two futex calls and a
 * context switch each way), so a waiter first spins briefly.  Bounded:
 * SB_SPIN_NS, and only when the kernel may run two threads at once.
 * Adaptive, as an adaptive mutex: a spin that ends without the wake-up
 * was CPU taken from whoever was to wake us (on a busy two-core host,
 * the peer), so after one the next waits of this buffer sleep at once,
 * 1, 3, 7 ... up to 63 of them as failures repeat; one success spins
 * every time again.  A bulk receiver, whose data comes every 50-100 us,
 * then almost never spins; a request/response connection still does.
 */
#define SB_SPIN_NS	20000
#define SB_SPIN_BACKOFF	6		/* at most 2^6 - 1 waits without */

bool
sbspin(struct socket *so, struct sockbuf *sb)
{
	unsigned int seen;
	int64_t end;
	bool woke;

	if (rump_ncpu < 2)
		return false;
	if (sb->sb_spinskip > 0) {
		sb->sb_spinskip--;
		return false;
	}
	seen = __atomic_load_n(&sb->sb_wakes, __ATOMIC_ACQUIRE);
	sounlock(so);
	end = uptime_ns() + SB_SPIN_NS;
	do {
		for (int i = 0; i < 64; i++) {
			if (__atomic_load_n(&sb->sb_wakes, __ATOMIC_ACQUIRE) !=
			    seen)
				goto out;
#if defined(__x86_64__) || defined(__i386__)
			__builtin_ia32_pause();
#endif
		}
	} while (uptime_ns() < end);
out:
	solock(so);
	woke = __atomic_load_n(&sb->sb_wakes, __ATOMIC_ACQUIRE) != seen;
	if (woke)
		sb->sb_spinmiss = 0;
	else {
		if (sb->sb_spinmiss < SB_SPIN_BACKOFF)
			sb->sb_spinmiss++;
		sb->sb_spinskip = (uint8_t)((1u << sb->sb_spinmiss) - 1);
	}
	return woke;
}
