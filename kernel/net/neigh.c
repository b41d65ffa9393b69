/*
 * neigh.c: the neighbour table - ARP (IPv4) and ND (IPv6) entries keyed by
 * (family, address, interface), with Linux's NUD_* state machine
 * (contract in net/route.h; behaviour as ip-neighbour(8) and
 * Documentation/networking/ip-sysctl.rst describe it, default sysctls):
 *
 *   resolve, no entry  -> INCOMPLETE: a broadcast/multicast solicitation
 *                         now and every retrans_time (1 s), at most
 *                         mcast_solicit (3); packets wait (at most
 *                         101 and 212992 bytes, Linux's unres_qlen and
 *                         unres_qlen_bytes; the oldest dropped)
 *   INCOMPLETE, 3 sent -> FAILED: waiting packets dropped; a packet sent
 *                         to a FAILED entry gets EHOSTUNREACH (and a new
 *                         round of resolution starts, as Linux retries)
 *   answer (solicited) -> REACHABLE for reachable_time: base_reachable_time
 *                         (30 s) times a random factor in [0.5, 1.5)
 *   REACHABLE expires  -> STALE (still used)
 *   STALE, used        -> DELAY for delay_first_probe_time (5 s); a
 *                         confirmation meanwhile makes it REACHABLE, else
 *   DELAY expires      -> PROBE: unicast solicitations every retrans_time,
 *                         ucast_solicit (3) of them, then FAILED
 *
 * Garbage collection (Linux's gc_thresh1/3, gc_stale_time): every
 * GC_INTERVAL, when the table has more than GC_THRESH1 entries, FAILED
 * entries and STALE ones unused for gc_stale_time (60 s) go; a table of
 * GC_THRESH3 entries refuses new ones (ENOBUFS) after a forced collection
 * found nothing.  PERMANENT and NOARP entries never expire.
 *
 * Locking: entries are a list under neigh_lock (a leaf mutex).  Each entry
 * has a callout (k/callout.h) for its state timer; the handler takes
 * neigh_lock, and drops it before it sends anything (solicitations and
 * the queued packets go out with no lock held).  An entry leaving the
 * list is marked dead under the lock, then its callout is halted (never
 * from the handler itself: the handler never frees its own entry, the GC
 * callout does) and it is freed.
 */
#include "k/kernel.h"
#include "k/abi_net.h"
#include "k/callout.h"
#include "net/if.h"
#include "net/if_ether.h"
#include "net/ether_var.h"
#include "net/route.h"
#include "net/netinet/in_pcb.h"

#define MS		1000000LL
#define RETRANS_NS	(1000 * MS)	/* retrans_time_ms */
#define MCAST_SOLICIT	3
#define UCAST_SOLICIT	3
#define BASE_REACH_NS	(30000 * MS)	/* base_reachable_time_ms */
#define DELAY_PROBE_NS	(5000 * MS)	/* delay_first_probe_time */
#define GC_STALE_NS	(60000 * MS)	/* gc_stale_time */
#define GC_INTERVAL_NS	(30000 * MS)	/* gc_interval */
#define GC_THRESH1	128
#define GC_THRESH3	1024
#define UNRES_QLEN	101
#define UNRES_QLEN_BYTES 212992

struct neigh {
	TAILQ_ENTRY(neigh) n_list;
	struct neigh_info n_ni;
	int64_t n_confirmed, n_used, n_updated;	/* uptime ns */
	struct callout n_timer;
	struct mbuf *n_queue;		/* waiting packets, by m_nextpkt */
	int n_qlen;
	size_t n_qbytes;		/* their m_pkthdr.len, summed */
	bool n_dead;			/* off the list: the timer does nothing */
};
static TAILQ_HEAD(, neigh) neigh_all = TAILQ_HEAD_INITIALIZER(neigh_all);
static kmutex_t neigh_lock;
static int neigh_count;
static struct callout neigh_gc_timer;
static bool neigh_gc_armed;		/* neigh_lock */

static void neigh_timer(void *arg);
static void neigh_gc_tick(void *arg);
static int neigh_gc(bool forced);

static int64_t
now_ns(void)
{
	struct timespec ts;

	getnanouptime(&ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int64_t
reachable_ns(void)
{
	uint32_t r = 0;
	size_t got;

	(void)kern_getrandom(&r, sizeof(r), 0, &got);
	/* [0.5, 1.5) x base, as Linux's neigh_rand_reach_time */
	return BASE_REACH_NS / 2 + (int64_t)(r % (uint32_t)(BASE_REACH_NS /
	    MS)) * MS;
}

void
neigh_init(void)
{
	mutex_init(&neigh_lock);
	callout_init(&neigh_gc_timer, neigh_gc_tick, NULL);
}

/* neigh_lock held */
static struct neigh *
neigh_find(int af, const struct in6_addr *addr, int ifindex)
{
	struct neigh *n;

	TAILQ_FOREACH(n, &neigh_all, n_list)
		if (n->n_ni.ni_af == af && n->n_ni.ni_ifindex == ifindex &&
		    in6_equal(&n->n_ni.ni_addr, addr))
			return n;
	return NULL;
}

/* A new entry on the list (neigh_lock held), or NULL at GC_THRESH3. */
static struct neigh *
neigh_insert(struct neigh *nn, int af, const struct in6_addr *addr,
    int ifindex)
{
	if (neigh_count >= GC_THRESH3 && neigh_gc(true) == 0)
		return NULL;
	nn->n_ni.ni_af = af;
	nn->n_ni.ni_addr = *addr;
	nn->n_ni.ni_ifindex = ifindex;
	nn->n_used = nn->n_updated = nn->n_confirmed = now_ns();
	callout_init(&nn->n_timer, neigh_timer, nn);
	TAILQ_INSERT_TAIL(&neigh_all, nn, n_list);
	neigh_count++;
	/* The collector runs from the first entry on: a kernel that never
	 * resolves a neighbour (loopback only) starts no callout thread. */
	if (!neigh_gc_armed) {
		neigh_gc_armed = true;
		(void)callout_schedule(&neigh_gc_timer, GC_INTERVAL_NS);
	}
	return nn;
}

/* Takes n off the list (neigh_lock held); neigh_free after the unlock. */
static void
neigh_unlink(struct neigh *n)
{
	TAILQ_REMOVE(&neigh_all, n, n_list);
	neigh_count--;
	n->n_dead = true;
	(void)callout_stop(&n->n_timer);
}

/* No lock held (the handler may be waiting for neigh_lock). */
static void
neigh_free(struct neigh *n)
{
	(void)callout_halt(&n->n_timer, NULL);
	callout_destroy(&n->n_timer);
	m_freem_list(n->n_queue);
	kmem_free(n, sizeof(*n));
}

static void
neigh_snap(const struct neigh *n, struct neigh_info *out)
{
	int64_t now = now_ns();

	*out = n->n_ni;
	out->ni_confirmed_ms = (uint32_t)((now - n->n_confirmed) / MS);
	out->ni_used_ms = (uint32_t)((now - n->n_used) / MS);
	out->ni_updated_ms = (uint32_t)((now - n->n_updated) / MS);
}

static void
neigh_set(struct neigh *n, uint16_t state, int64_t timeout)
{
	n->n_ni.ni_state = state;
	n->n_updated = now_ns();
	if (timeout > 0)
		(void)callout_schedule(&n->n_timer, timeout);
	else
		(void)callout_stop(&n->n_timer);
}

/* Takes the waiting packets off n (neigh_lock held). */
static struct mbuf *
neigh_takeq(struct neigh *n)
{
	struct mbuf *q = n->n_queue;

	n->n_queue = NULL;
	n->n_qlen = 0;
	n->n_qbytes = 0;
	return q;
}

/* Sends the packets q to lladdr on ifindex (no lock held). */
static void
neigh_sendq(int ifindex, int af, struct mbuf *q, const uint8_t *lladdr)
{
	struct ifnet *ifp = if_byindex(ifindex);
	struct mbuf *m;

	while ((m = q) != NULL) {
		q = m->m_nextpkt;
		m->m_nextpkt = NULL;
		if (ifp == NULL || ifp->if_l2 == NULL)
			m_freem(m);
		else
			(void)ether_send(ifp, m, lladdr, af == AF_INET ?
			    ETHERTYPE_IP : ETHERTYPE_IPV6);
	}
}

static void
neigh_solicit(int ifindex, int af, const struct in6_addr *addr,
    const uint8_t *unicast)
{
	struct ifnet *ifp = if_byindex(ifindex);

	if (ifp != NULL)
		ether_solicit(ifp, af, addr, unicast);
}

static void
neigh_timer(void *arg)
{
	struct neigh *n = arg;
	struct mbuf *drop = NULL;
	struct in6_addr addr;
	uint8_t ll[NEIGH_LLMAX];
	int af, ifindex;
	bool solicit = false, unicast = false;

	mutex_enter(&neigh_lock);
	if (n->n_dead) {
		mutex_exit(&neigh_lock);
		return;
	}
	af = n->n_ni.ni_af;
	addr = n->n_ni.ni_addr;
	ifindex = n->n_ni.ni_ifindex;
	memcpy(ll, n->n_ni.ni_lladdr, sizeof(ll));
	switch (n->n_ni.ni_state) {
	case NUD_INCOMPLETE:
		if (n->n_ni.ni_probes >= MCAST_SOLICIT) {
			neigh_set(n, NUD_FAILED, 0);
			drop = neigh_takeq(n);
		} else {
			n->n_ni.ni_probes++;
			solicit = true;
			(void)callout_schedule(&n->n_timer, RETRANS_NS);
		}
		break;
	case NUD_REACHABLE:
		neigh_set(n, NUD_STALE, 0);
		break;
	case NUD_DELAY:
		if (now_ns() - n->n_confirmed < DELAY_PROBE_NS)
			neigh_set(n, NUD_REACHABLE, reachable_ns());
		else {
			n->n_ni.ni_probes = 1;
			neigh_set(n, NUD_PROBE, RETRANS_NS);
			solicit = unicast = true;
		}
		break;
	case NUD_PROBE:
		if (n->n_ni.ni_probes >= UCAST_SOLICIT)
			neigh_set(n, NUD_FAILED, 0);
		else {
			n->n_ni.ni_probes++;
			solicit = unicast = true;
			(void)callout_schedule(&n->n_timer, RETRANS_NS);
		}
		break;
	default:
		break;
	}
	mutex_exit(&neigh_lock);
	m_freem_list(drop);
	if (solicit)
		neigh_solicit(ifindex, af, &addr, unicast ? ll : NULL);
}

int
neigh_add(const struct neigh_info *ni, int flags)
{
	struct neigh_info v = *ni;
	struct ifnet *ifp;
	struct neigh *n, *nn;
	struct mbuf *q = NULL;

	if ((v.ni_af != AF_INET && v.ni_af != AF_INET6) ||
	    (v.ni_af == AF_INET) != in6_is_v4mapped(&v.ni_addr) ||
	    v.ni_lllen < 0 || v.ni_lllen > NEIGH_LLMAX)
		return EINVAL;
	if ((ifp = if_byindex(v.ni_ifindex)) == NULL)
		return ENODEV;
	if (v.ni_state == NUD_NONE)
		v.ni_state = NUD_PERMANENT;
	if (!(v.ni_state & (NUD_NOARP | NUD_FAILED | NUD_INCOMPLETE)) &&
	    v.ni_lllen != ifp->if_hwlen)
		return EINVAL;
	if ((nn = kmem_zalloc(sizeof(*nn))) == NULL)
		return ENOMEM;
	mutex_enter(&neigh_lock);
	n = neigh_find(v.ni_af, &v.ni_addr, v.ni_ifindex);
	if (n != NULL && ((flags & RT_F_EXCL) || !(flags & RT_F_REPLACE))) {
		mutex_exit(&neigh_lock);
		kmem_free(nn, sizeof(*nn));
		return EEXIST;
	}
	if (n == NULL && !(flags & RT_F_CREATE)) {
		mutex_exit(&neigh_lock);
		kmem_free(nn, sizeof(*nn));
		return ENOENT;
	}
	if (n == NULL) {
		if ((n = neigh_insert(nn, v.ni_af, &v.ni_addr,
		    v.ni_ifindex)) == NULL) {
			mutex_exit(&neigh_lock);
			kmem_free(nn, sizeof(*nn));
			return ENOBUFS;
		}
		nn = NULL;
	}
	v.ni_probes = 0;
	n->n_ni = v;
	n->n_confirmed = now_ns();
	/* An administrative REACHABLE/DELAY/PROBE times out as usual. */
	neigh_set(n, v.ni_state, v.ni_state == NUD_REACHABLE ?
	    reachable_ns() : (v.ni_state & (NUD_DELAY | NUD_PROBE)) ?
	    DELAY_PROBE_NS : 0);
	if (v.ni_state & NUD_VALID)
		q = neigh_takeq(n);
	mutex_exit(&neigh_lock);
	if (nn != NULL)
		kmem_free(nn, sizeof(*nn));
	neigh_sendq(v.ni_ifindex, v.ni_af, q, v.ni_lladdr);
	return 0;
}

int
neigh_delete(int af, const struct in6_addr *addr, int ifindex)
{
	struct neigh *n;

	mutex_enter(&neigh_lock);
	if ((n = neigh_find(af, addr, ifindex)) != NULL)
		neigh_unlink(n);
	mutex_exit(&neigh_lock);
	if (n == NULL)
		return ENOENT;
	neigh_free(n);
	return 0;
}

int
neigh_lookup(int af, const struct in6_addr *addr, int ifindex,
    struct neigh_info *out)
{
	struct neigh *n;

	mutex_enter(&neigh_lock);
	if ((n = neigh_find(af, addr, ifindex)) != NULL)
		neigh_snap(n, out);
	mutex_exit(&neigh_lock);
	return n != NULL ? 0 : ENOENT;
}

int
neigh_walk(int af, int ifindex, int *pos,
    int (*fn)(const struct neigh_info *ni, void *arg), void *arg)
{
	struct neigh *n;
	struct neigh_info ni;
	int i = 0, start = pos != NULL ? *pos : 0, ret = 0;

	mutex_enter(&neigh_lock);
	TAILQ_FOREACH(n, &neigh_all, n_list) {
		if ((af != 0 && n->n_ni.ni_af != af) ||
		    (ifindex != 0 && n->n_ni.ni_ifindex != ifindex))
			continue;
		if (i >= start) {
			neigh_snap(n, &ni);
			if ((ret = fn(&ni, arg)) != 0)
				break;
		}
		i++;
	}
	mutex_exit(&neigh_lock);
	if (pos != NULL)
		*pos = i;
	return ret;
}

/* Removes the entries of af/ifindex (all, or the non-permanent ones);
 * returns how many. */
static int
neigh_prune(int af, int ifindex, bool all)
{
	struct neigh *n, *next;
	TAILQ_HEAD(, neigh) gone = TAILQ_HEAD_INITIALIZER(gone);
	int count = 0;

	mutex_enter(&neigh_lock);
	for (n = TAILQ_FIRST(&neigh_all); n != NULL; n = next) {
		next = TAILQ_NEXT(n, n_list);
		if ((af != 0 && n->n_ni.ni_af != af) ||
		    (ifindex != 0 && n->n_ni.ni_ifindex != ifindex) ||
		    (!all && (n->n_ni.ni_state &
		    (NUD_PERMANENT | NUD_NOARP))))
			continue;
		neigh_unlink(n);
		TAILQ_INSERT_TAIL(&gone, n, n_list);
		count++;
	}
	mutex_exit(&neigh_lock);
	while ((n = TAILQ_FIRST(&gone)) != NULL) {
		TAILQ_REMOVE(&gone, n, n_list);
		neigh_free(n);
	}
	return count;
}

int
neigh_flush(int af, int ifindex)
{
	return neigh_prune(af, ifindex, false);
}

void
neigh_if_detached(struct ifnet *ifp)
{
	(void)neigh_prune(0, ifp->if_index, true);
}

/*
 * Takes FAILED entries and STALE ones unused for GC_STALE_NS off the list
 * (neigh_lock held) into the graveyard, which the periodic tick frees
 * with the lock dropped (neigh_free may wait for a running handler, which
 * needs the lock).  Returns how many left the list.
 */
static TAILQ_HEAD(, neigh) neigh_graveyard =
    TAILQ_HEAD_INITIALIZER(neigh_graveyard);

static int
neigh_gc(bool forced)
{
	struct neigh *n, *next;
	int64_t now = now_ns();
	int count = 0;

	if (!forced && neigh_count <= GC_THRESH1)
		return 0;
	for (n = TAILQ_FIRST(&neigh_all); n != NULL; n = next) {
		next = TAILQ_NEXT(n, n_list);
		if (!(n->n_ni.ni_state == NUD_FAILED ||
		    (n->n_ni.ni_state == NUD_STALE &&
		    now - n->n_used > GC_STALE_NS)))
			continue;
		neigh_unlink(n);
		TAILQ_INSERT_TAIL(&neigh_graveyard, n, n_list);
		count++;
	}
	return count;
}

static void
neigh_gc_tick(void *arg)
{
	TAILQ_HEAD(, neigh) gone = TAILQ_HEAD_INITIALIZER(gone);
	struct neigh *n;

	(void)arg;
	mutex_enter(&neigh_lock);
	(void)neigh_gc(false);
	while ((n = TAILQ_FIRST(&neigh_graveyard)) != NULL) {
		TAILQ_REMOVE(&neigh_graveyard, n, n_list);
		TAILQ_INSERT_TAIL(&gone, n, n_list);
	}
	mutex_exit(&neigh_lock);
	while ((n = TAILQ_FIRST(&gone)) != NULL) {
		TAILQ_REMOVE(&gone, n, n_list);
		neigh_free(n);
	}
	(void)callout_schedule(&neigh_gc_timer, GC_INTERVAL_NS);
}

int
neigh_resolve(struct ifnet *ifp, int af, const struct in6_addr *nexthop,
    struct mbuf *m, uint8_t *lladdr)
{
	struct neigh *n, *nn = NULL;
	struct mbuf *dropped = NULL;	/* the oldest waiting, over a limit */
	int error = 0;
	bool solicit = false;

	mutex_enter(&neigh_lock);
	n = neigh_find(af, nexthop, ifp->if_index);
	if (n == NULL) {
		/* Allocate outside the lock (only for a new neighbour, not
		 * per packet), then look again. */
		mutex_exit(&neigh_lock);
		if ((nn = kmem_zalloc(sizeof(*nn))) == NULL) {
			m_freem(m);
			return ENOBUFS;
		}
		mutex_enter(&neigh_lock);
		n = neigh_find(af, nexthop, ifp->if_index);
	}
	if (n == NULL) {
		if ((n = neigh_insert(nn, af, nexthop, ifp->if_index)) ==
		    NULL) {
			mutex_exit(&neigh_lock);
			kmem_free(nn, sizeof(*nn));
			m_freem(m);
			return ENOBUFS;
		}
		nn = NULL;
		n->n_ni.ni_state = NUD_NONE;
	}
	n->n_used = now_ns();
	switch (n->n_ni.ni_state) {
	case NUD_PERMANENT:
	case NUD_NOARP:
	case NUD_REACHABLE:
	case NUD_DELAY:
	case NUD_PROBE:
		break;
	case NUD_STALE:
		n->n_ni.ni_probes = 0;
		neigh_set(n, NUD_DELAY, DELAY_PROBE_NS);
		break;
	case NUD_INCOMPLETE:
		error = EINPROGRESS;
		break;
	case NUD_FAILED:
		/* This packet fails; resolution starts over for the next. */
		error = EHOSTUNREACH;
		/* FALLTHROUGH */
	default:
		if (error == 0)
			error = EINPROGRESS;
		n->n_ni.ni_probes = 1;
		n->n_ni.ni_lllen = 0;
		neigh_set(n, NUD_INCOMPLETE, RETRANS_NS);
		solicit = true;
		break;
	}
	if (error == 0) {
		if (n->n_ni.ni_lllen <= 0) {	/* a NOARP entry without one */
			error = EHOSTUNREACH;
		} else
			memcpy(lladdr, n->n_ni.ni_lladdr,
			    (size_t)n->n_ni.ni_lllen);
	} else if (error == EINPROGRESS) {
		struct mbuf **mp;

		m->m_nextpkt = NULL;
		for (mp = &n->n_queue; *mp != NULL; mp = &(*mp)->m_nextpkt)
			;
		*mp = m;
		n->n_qlen++;
		n->n_qbytes += (size_t)m->m_pkthdr.len;
		m = NULL;
		/* Over a limit: the oldest go (the new one always stays). */
		while (n->n_queue->m_nextpkt != NULL &&
		    (n->n_qlen > UNRES_QLEN || n->n_qbytes > UNRES_QLEN_BYTES)) {
			struct mbuf *old = n->n_queue;

			n->n_queue = old->m_nextpkt;
			old->m_nextpkt = dropped;
			dropped = old;
			n->n_qlen--;
			n->n_qbytes -= (size_t)old->m_pkthdr.len;
		}
	}
	mutex_exit(&neigh_lock);
	if (nn != NULL)
		kmem_free(nn, sizeof(*nn));
	if (error != 0 && m != NULL)
		m_freem(m);
	m_freem_list(dropped);
	if (solicit)
		ether_solicit(ifp, af, nexthop, NULL);
	return error;
}

void
neigh_update(struct ifnet *ifp, int af, const struct in6_addr *addr,
    const uint8_t *lladdr, int lllen, bool solicited, bool create,
    bool override)
{
	struct neigh *n, *nn = NULL;
	struct mbuf *q = NULL;
	uint8_t ll[NEIGH_LLMAX];

	if (lllen <= 0 || lllen > NEIGH_LLMAX)
		return;
	if (create && (nn = kmem_zalloc(sizeof(*nn))) == NULL)
		return;
	mutex_enter(&neigh_lock);
	n = neigh_find(af, addr, ifp->if_index);
	if (n == NULL && nn != NULL) {
		n = neigh_insert(nn, af, addr, ifp->if_index);
		if (n != NULL)
			nn = NULL;
	}
	if (n != NULL && !(n->n_ni.ni_state & (NUD_PERMANENT | NUD_NOARP))) {
		bool had = (n->n_ni.ni_state & NUD_VALID) &&
		    n->n_ni.ni_lllen > 0;
		bool changed = !had || n->n_ni.ni_lllen != lllen ||
		    memcmp(n->n_ni.ni_lladdr, lladdr, (size_t)lllen) != 0;

		if (!had || !changed || override) {
			memcpy(n->n_ni.ni_lladdr, lladdr, (size_t)lllen);
			n->n_ni.ni_lllen = lllen;
			n->n_ni.ni_probes = 0;
			if (solicited) {
				n->n_confirmed = now_ns();
				neigh_set(n, NUD_REACHABLE, reachable_ns());
			} else if (changed) {
				/* Linux keeps a valid state when only the
				 * news is "still there" (same address). */
				neigh_set(n, NUD_STALE, 0);
			}
			q = neigh_takeq(n);
			memcpy(ll, lladdr, (size_t)lllen);
		}
	}
	mutex_exit(&neigh_lock);
	if (nn != NULL)
		kmem_free(nn, sizeof(*nn));
	if (q != NULL)
		neigh_sendq(ifp->if_index, af, q, ll);
}
