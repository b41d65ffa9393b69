/*
 * if_loop.c: the loopback interface "lo" and its test-only fault hook
 * (contract in net/if_loop.h).
 *
 * lo_output queues each packet with netisr_enqueue(); lo_isr, run later
 * by netisr_run() on the sending thread with no socket lock held, hands
 * it to if_input().  The fault hook decides at output, under lo_fault_lock
 * (a leaf lock: nothing is called while it is held but mbuf functions).
 */
#include "k/kernel.h"
#include "k/abi_net.h"
#include "k/socket.h"
#include "k/sysctl.h"
#include "k/callout.h"
#include "net/if.h"
#include "net/if_loop.h"
#include "net/netinet/in_pcb.h"
#include "net/netinet/in_var.h"

static struct ifnet lo_if;

static kmutex_t lo_fault_lock;
static struct lo_fault lo_cur;		/* lf_action NONE: off */
static uint64_t lo_matched, lo_hits;
static int64_t sc_hits_mirror;	/* net.lo.fault.hits */
/* Held packets (HOLD): each with how many more sends it waits for. */
struct lo_held {
	struct mbuf *m;
	uint32_t left;
};
#define LO_MAXHELD 64
static struct lo_held lo_held[LO_MAXHELD];
static int lo_nheld;

static void
lo_isr(struct mbuf *m)
{
	if_input(&lo_if, m);
}

/* DELAY: packets wait in slots, each with its callout (initialized once). */
#define LO_MAXDELAYED 64
struct lo_delayed {
	struct callout ld_co;
	struct mbuf *ld_m;		/* NULL: free (lo_fault_lock) */
};
static struct lo_delayed lo_delayed[LO_MAXDELAYED];

static void
lo_delay_fire(void *arg)
{
	struct lo_delayed *d = arg;
	struct mbuf *m;

	mutex_enter(&lo_fault_lock);
	m = d->ld_m;
	d->ld_m = NULL;
	mutex_exit(&lo_fault_lock);
	if (m != NULL) {
		netisr_enqueue(lo_isr, m);
		netisr_run();
	}
}

/* Takes m into a free slot for ms milliseconds (lo_fault_lock held);
 * false if every slot is busy (the packet then goes at once). */
static bool
lo_delay_locked(struct mbuf *m, uint32_t ms)
{
	for (int i = 0; i < LO_MAXDELAYED; i++) {
		struct lo_delayed *d = &lo_delayed[i];

		if (d->ld_m == NULL && !callout_pending(&d->ld_co)) {
			if (callout_schedule(&d->ld_co,
			    (int64_t)ms * 1000000) != 0)
				return false;
			d->ld_m = m;
			return true;
		}
	}
	return false;
}

/* Protocol and ports of an IP packet, for the filter (0 if unknown). */
static void
lo_classify(struct mbuf *m, int *protop, uint16_t *sport, uint16_t *dport)
{
	uint8_t hdr[48];
	size_t n = MIN((size_t)m->m_pkthdr.len, sizeof(hdr)), off;
	int proto;

	*protop = 0;
	*sport = *dport = 0;
	if (n < 20)
		return;
	m_copydata(m, 0, n, hdr);
	if ((hdr[0] >> 4) == 4) {
		proto = hdr[9];
		off = (size_t)(hdr[0] & 0x0f) * 4;
		/* Only a first fragment carries the ports. */
		if ((((hdr[6] & 0x1f) << 8) | hdr[7]) != 0)
			off = n;
	} else if ((hdr[0] >> 4) == 6 && n >= 40) {
		proto = hdr[6];
		off = 40;
	} else
		return;
	*protop = proto;
	if ((proto == IPPROTO_TCP || proto == IPPROTO_UDP) && off + 4 <= n) {
		*sport = (uint16_t)(hdr[off] << 8 | hdr[off + 1]);
		*dport = (uint16_t)(hdr[off + 2] << 8 | hdr[off + 3]);
	}
}

/* Whether the filter acts on m (lo_fault_lock held). */
static bool
lo_fault_match(struct mbuf *m)
{
	const struct lo_fault *f = &lo_cur;
	uint16_t sport, dport;
	int proto;
	uint64_t k;

	lo_classify(m, &proto, &sport, &dport);
	if (f->lf_proto != 0 && f->lf_proto != proto)
		return false;
	if (f->lf_port != 0 && f->lf_port != sport && f->lf_port != dport)
		return false;
	k = ++lo_matched;
	if (f->lf_count != 0 && lo_hits >= f->lf_count)
		return false;
	if (k < f->lf_nth)
		return false;
	if (k != f->lf_nth &&
	    (f->lf_every == 0 || (k - f->lf_nth) % f->lf_every != 0))
		return false;
	lo_hits++;
	sc_hits_mirror = (int64_t)lo_hits;
	return true;
}

static int
lo_output(struct ifnet *ifp, struct mbuf *m, int af __unused,
    const struct in6_addr *nexthop __unused)
{
	struct mbuf *out[2 + LO_MAXHELD];
	int nout = 0, i, j;

	m->m_flags |= M_LOOP;
	m->m_pkthdr.rcvif = NULL;
	atomic_fetch_add(&ifp->if_cnt.opackets, 1);
	atomic_fetch_add(&ifp->if_cnt.obytes, m->m_pkthdr.len);

	mutex_enter(&lo_fault_lock);
	if (lo_cur.lf_action == LO_FAULT_NONE && lo_nheld == 0) {
		mutex_exit(&lo_fault_lock);
		netisr_enqueue(lo_isr, m);
		return 0;
	}
	/* Held packets count this send; those due go after it. */
	if (lo_cur.lf_action != LO_FAULT_NONE && lo_fault_match(m)) {
		switch (lo_cur.lf_action) {
		case LO_FAULT_DROP:
			m_freem(m);
			m = NULL;
			break;
		case LO_FAULT_DUP:
			out[nout++] = m;
			if ((m = m_dup(m)) == NULL)
				break;
			break;
		case LO_FAULT_DELAY:
			if (lo_delay_locked(m, lo_cur.lf_arg))
				m = NULL;
			break;
		case LO_FAULT_HOLD:
			if (lo_nheld < LO_MAXHELD) {
				lo_held[lo_nheld].m = m;
				lo_held[lo_nheld].left = lo_cur.lf_arg;
				lo_nheld++;
				m = NULL;
			}
			break;
		default:
			break;
		}
	}
	if (m != NULL)
		out[nout++] = m;
	for (i = j = 0; i < lo_nheld; i++) {
		if (m != NULL && lo_held[i].left > 0)
			lo_held[i].left--;
		if (lo_held[i].left == 0 && m != NULL)
			out[nout++] = lo_held[i].m;
		else
			lo_held[j++] = lo_held[i];
	}
	lo_nheld = j;
	mutex_exit(&lo_fault_lock);
	for (i = 0; i < nout; i++)
		netisr_enqueue(lo_isr, out[i]);
	return 0;
}

int
lo_fault_set(const struct lo_fault *lf)
{
	if (lf->lf_action < LO_FAULT_NONE || lf->lf_action > LO_FAULT_DELAY)
		return EINVAL;
	if (lf->lf_action != LO_FAULT_NONE && lf->lf_nth == 0)
		return EINVAL;
	if (lf->lf_action == LO_FAULT_HOLD && lf->lf_arg == 0)
		return EINVAL;
	mutex_enter(&lo_fault_lock);
	lo_cur = *lf;
	lo_matched = lo_hits = 0;
	sc_hits_mirror = 0;
	mutex_exit(&lo_fault_lock);
	return 0;
}

void
lo_fault_clear(void)
{
	struct mbuf *held[LO_MAXHELD];
	int n, i;

	mutex_enter(&lo_fault_lock);
	memset(&lo_cur, 0, sizeof(lo_cur));
	n = lo_nheld;
	for (i = 0; i < n; i++)
		held[i] = lo_held[i].m;
	lo_nheld = 0;
	mutex_exit(&lo_fault_lock);
	for (i = 0; i < n; i++)
		netisr_enqueue(lo_isr, held[i]);
}

uint64_t
lo_fault_hits(void)
{
	uint64_t h;

	mutex_enter(&lo_fault_lock);
	h = lo_hits;
	mutex_exit(&lo_fault_lock);
	return h;
}

/* --- sysctl net.lo.fault.* ------------------------------------------------- */
static int64_t sc_action, sc_proto, sc_port, sc_nth = 1, sc_every, sc_count,
    sc_arg;

static void
lo_sc_apply(const struct sysctl_node *n __unused)
{
	struct lo_fault lf = {
		.lf_action = (enum lo_fault_action)sc_action,
		.lf_proto = (int)sc_proto,
		.lf_port = (uint16_t)sc_port,
		.lf_nth = (uint32_t)sc_nth,
		.lf_every = (uint32_t)sc_every,
		.lf_count = (uint32_t)sc_count,
		.lf_arg = (uint32_t)sc_arg,
	};

	if (sc_action == LO_FAULT_NONE)
		lo_fault_clear();
	else if (lo_fault_set(&lf) != 0) {
		kverbose("lo: fault filter refused (action %lld)\n",
		    (long long)sc_action);
		sc_action = 0;
		lo_fault_clear();
	}
}

static void
lo_sc_hits(const struct sysctl_node *n __unused)
{
	/* Writing (only 0 is accepted) resets the count. */
	mutex_enter(&lo_fault_lock);
	lo_hits = 0;
	lo_matched = 0;
	mutex_exit(&lo_fault_lock);
}

#define LOSC(nm, var, lo, hi, fn) \
	{ .sn_name = "net.lo.fault." nm, .sn_type = SYSCTL_INT, \
	  .sn_writable = true, .sn_int = &(var), .sn_min = (lo), \
	  .sn_max = (hi), .sn_changed = (fn) }
static struct sysctl_node lo_nodes[] = {
	LOSC("action", sc_action, 0, LO_FAULT_DELAY, lo_sc_apply),
	LOSC("proto", sc_proto, 0, 255, NULL),
	LOSC("port", sc_port, 0, 65535, NULL),
	LOSC("nth", sc_nth, 1, UINT32_MAX, NULL),
	LOSC("every", sc_every, 0, UINT32_MAX, NULL),
	LOSC("count", sc_count, 0, UINT32_MAX, NULL),
	LOSC("arg", sc_arg, 0, UINT32_MAX, NULL),
	LOSC("hits", sc_hits_mirror, 0, INT64_MAX, lo_sc_hits),
};

int
lo_sysctl_init(void)
{
	for (size_t i = 0; i < __arraycount(lo_nodes); i++) {
		int error = sysctl_register(&lo_nodes[i]);

		if (error != 0)
			return error;
	}
	return 0;
}

int
lo_attach(void)
{
	struct in6_addr a;
	int error;

	mutex_init(&lo_fault_lock);
	for (int i = 0; i < LO_MAXDELAYED; i++)
		callout_init(&lo_delayed[i].ld_co, lo_delay_fire,
		    &lo_delayed[i]);
	kstrlcpy(lo_if.if_name, "lo", sizeof(lo_if.if_name));
	lo_if.if_flags = IFF_UP | IFF_LOOPBACK | IFF_RUNNING | IFF_LOWER_UP;
	lo_if.if_mtu = LOMTU;
	lo_if.if_type = ARPHRD_LOOPBACK;
	lo_if.if_hwlen = 6;	/* Linux's: six zeros (ip link, ip neigh) */
	lo_if.if_txqlen = 1000;
	lo_if.if_output = lo_output;
	if ((error = if_attach(&lo_if)) != 0)
		return error;
	lo_ifp = &lo_if;
	in6_set_v4mapped(&a, htonl(INADDR_LOOPBACK));
	if ((error = if_addr_add(&lo_if, AF_INET, &a, 8, 0)) != 0)
		return error;
	a = in6addr_loopback;
	return if_addr_add(&lo_if, AF_INET6, &a, 128, 0);
}
