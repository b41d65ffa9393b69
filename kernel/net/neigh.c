/*
 * neigh.c: the neighbour table - ARP (IPv4) and ND (IPv6) entries keyed by
 * (family, address, interface), with Linux's NUD_* states (contract in
 * net/route.h).
 *
 * Entries are a list under neigh_lock (a leaf mutex).  What is here: the
 * configuration side (add/replace/delete/lookup/walk/flush, as ip neigh
 * and SIOCSARP need) and neigh_update (what a received ARP/ND message
 * tells).  Not here yet: resolution on the wire - there is no Ethernet
 * layer (if_ether.c) to send ARP requests or neighbour solicitations, so
 * neigh_resolve answers from valid entries only and EHOSTUNREACH
 * otherwise, and the timers (REACHABLE -> STALE, INCOMPLETE -> FAILED)
 * do not run.
 */
#include "k/kernel.h"
#include "k/abi_net.h"
#include "net/if.h"
#include "net/route.h"
#include "net/netinet/in_pcb.h"

struct neigh {
	TAILQ_ENTRY(neigh) n_list;
	struct neigh_info n_ni;
	int64_t n_confirmed, n_used, n_updated;	/* uptime ns */
};
static TAILQ_HEAD(, neigh) neigh_all = TAILQ_HEAD_INITIALIZER(neigh_all);
static kmutex_t neigh_lock;

static int64_t
now_ns(void)
{
	struct timespec ts;

	getnanouptime(&ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void
neigh_init(void)
{
	mutex_init(&neigh_lock);
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

static void
neigh_snap(const struct neigh *n, struct neigh_info *out)
{
	int64_t now = now_ns();

	*out = n->n_ni;
	out->ni_confirmed_ms = (uint32_t)((now - n->n_confirmed) / 1000000);
	out->ni_used_ms = (uint32_t)((now - n->n_used) / 1000000);
	out->ni_updated_ms = (uint32_t)((now - n->n_updated) / 1000000);
}

int
neigh_add(const struct neigh_info *ni, int flags)
{
	struct neigh_info v = *ni;
	struct ifnet *ifp;
	struct neigh *n, *nn;

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
		n = nn;
		nn = NULL;
		n->n_used = now_ns();
		TAILQ_INSERT_TAIL(&neigh_all, n, n_list);
	}
	n->n_ni = v;
	n->n_confirmed = n->n_updated = now_ns();
	mutex_exit(&neigh_lock);
	if (nn != NULL)
		kmem_free(nn, sizeof(*nn));
	return 0;
}

int
neigh_delete(int af, const struct in6_addr *addr, int ifindex)
{
	struct neigh *n;

	mutex_enter(&neigh_lock);
	if ((n = neigh_find(af, addr, ifindex)) != NULL)
		TAILQ_REMOVE(&neigh_all, n, n_list);
	mutex_exit(&neigh_lock);
	if (n == NULL)
		return ENOENT;
	kmem_free(n, sizeof(*n));
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
	int count = 0;

	mutex_enter(&neigh_lock);
	for (n = TAILQ_FIRST(&neigh_all); n != NULL; n = next) {
		next = TAILQ_NEXT(n, n_list);
		if ((af != 0 && n->n_ni.ni_af != af) ||
		    (ifindex != 0 && n->n_ni.ni_ifindex != ifindex) ||
		    (!all && (n->n_ni.ni_state &
		    (NUD_PERMANENT | NUD_NOARP))))
			continue;
		TAILQ_REMOVE(&neigh_all, n, n_list);
		kmem_free(n, sizeof(*n));
		count++;
	}
	mutex_exit(&neigh_lock);
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

int
neigh_resolve(struct ifnet *ifp, int af, const struct in6_addr *nexthop,
    struct mbuf *m, uint8_t *lladdr)
{
	struct neigh *n;
	int error = EHOSTUNREACH;

	mutex_enter(&neigh_lock);
	n = neigh_find(af, nexthop, ifp->if_index);
	if (n != NULL && (n->n_ni.ni_state & NUD_VALID) &&
	    n->n_ni.ni_lllen > 0) {
		memcpy(lladdr, n->n_ni.ni_lladdr, (size_t)n->n_ni.ni_lllen);
		n->n_used = now_ns();
		error = 0;
	}
	mutex_exit(&neigh_lock);
	/* No solicitation can be sent yet (no Ethernet layer). */
	if (error != 0)
		m_freem(m);
	return error;
}

void
neigh_update(struct ifnet *ifp, int af, const struct in6_addr *addr,
    const uint8_t *lladdr, int lllen, bool solicited, bool create,
    bool override)
{
	struct neigh *n, *nn = NULL;

	if (lllen <= 0 || lllen > NEIGH_LLMAX)
		return;
	if (create && (nn = kmem_zalloc(sizeof(*nn))) == NULL)
		return;
	mutex_enter(&neigh_lock);
	n = neigh_find(af, addr, ifp->if_index);
	if (n == NULL && nn != NULL) {
		n = nn;
		nn = NULL;
		n->n_ni.ni_af = af;
		n->n_ni.ni_addr = *addr;
		n->n_ni.ni_ifindex = ifp->if_index;
		n->n_used = now_ns();
		TAILQ_INSERT_TAIL(&neigh_all, n, n_list);
	}
	if (n != NULL && !(n->n_ni.ni_state & (NUD_PERMANENT | NUD_NOARP))) {
		bool changed = n->n_ni.ni_lllen != lllen ||
		    memcmp(n->n_ni.ni_lladdr, lladdr, (size_t)lllen) != 0;

		if (!changed || override || n->n_ni.ni_lllen == 0) {
			memcpy(n->n_ni.ni_lladdr, lladdr, (size_t)lllen);
			n->n_ni.ni_lllen = lllen;
			n->n_ni.ni_state = solicited ? NUD_REACHABLE :
			    NUD_STALE;
			n->n_updated = now_ns();
			if (solicited)
				n->n_confirmed = n->n_updated;
		}
	}
	mutex_exit(&neigh_lock);
	if (nn != NULL)
		kmem_free(nn, sizeof(*nn));
}
