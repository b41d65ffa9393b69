/*
 * if.c: the interface list, interface addresses and local-address checks
 * (contract in net/if.h).
 *
 * Locking: if_lock (rw) covers if_all, if_flags and the address lists;
 * readers are the packet paths, writers attach/detach and address
 * changes.  Counters are atomics.  No socket lock is taken here.
 */
#include "k/kernel.h"
#include "k/abi_net.h"
#include "net/if.h"
#include "net/ether_var.h"
#include "net/route.h"
#include "net/netinet/in_pcb.h"
#include "net/netinet/ip_var.h"
#include "net/netinet/in_var.h"

krwlock_t if_lock;
struct ifnethead if_all = TAILQ_HEAD_INITIALIZER(if_all);
struct ifnet *lo_ifp;
static int if_nextindex = 1;

void
if_init(void)
{
	rw_init(&if_lock);
	route_init();
	neigh_init();
}

int
if_attach(struct ifnet *ifp)
{
	struct ifnet *o;

	if (ifp->if_name[0] == '\0' || ifp->if_output == NULL)
		return EINVAL;
	rw_enter(&if_lock, true);
	TAILQ_FOREACH(o, &if_all, if_list) {
		if (!o->if_gone && strcmp(o->if_name, ifp->if_name) == 0) {
			rw_exit(&if_lock);
			return EEXIST;
		}
	}
	ifp->if_index = if_nextindex++;
	TAILQ_INIT(&ifp->if_ifa4);
	TAILQ_INIT(&ifp->if_ifa6);
	ifp->if_gone = false;
	TAILQ_INSERT_TAIL(&if_all, ifp, if_list);
	rw_exit(&if_lock);
	kverbose("net: %s attached as index %d, mtu %u\n", ifp->if_name,
	    ifp->if_index, ifp->if_mtu);
	return 0;
}

static void
ifa_freelist(struct ifaddrhead *h)
{
	struct ifaddr *ifa;

	while ((ifa = TAILQ_FIRST(h)) != NULL) {
		TAILQ_REMOVE(h, ifa, ifa_list);
		kmem_free(ifa, sizeof(*ifa));
	}
}

void
if_detach(struct ifnet *ifp)
{
	rw_enter(&if_lock, true);
	ifp->if_gone = true;
	ifp->if_flags &= ~(IFF_UP | IFF_RUNNING);
	ifa_freelist(&ifp->if_ifa4);
	ifa_freelist(&ifp->if_ifa6);
	rw_exit(&if_lock);
	route_if_detached(ifp);
	neigh_if_detached(ifp);
}

struct ifnet *
if_byindex(int index)
{
	struct ifnet *ifp;

	rw_enter(&if_lock, false);
	TAILQ_FOREACH(ifp, &if_all, if_list)
		if (ifp->if_index == index && !ifp->if_gone)
			break;
	rw_exit(&if_lock);
	return ifp;
}

struct ifnet *
if_byname(const char *name)
{
	struct ifnet *ifp;

	rw_enter(&if_lock, false);
	TAILQ_FOREACH(ifp, &if_all, if_list)
		if (!ifp->if_gone && strcmp(ifp->if_name, name) == 0)
			break;
	rw_exit(&if_lock);
	return ifp;
}

/* The mask of a prefix, v4-mapped for IPv4 (mapping prefix all ones). */
static void
plen_mask(int af, int plen, struct in6_addr *mask)
{
	int bits = af == AF_INET ? plen + 96 : plen;

	for (int i = 0; i < 16; i++) {
		int b = bits - 8 * i;

		mask->s6_addr[i] = b >= 8 ? 0xff : b <= 0 ? 0 :
		    (uint8_t)(0xff << (8 - b));
	}
}

static bool
same_prefix(const struct in6_addr *a, const struct in6_addr *b,
    const struct in6_addr *mask)
{
	for (int i = 0; i < 4; i++)
		if ((a->s6_addr32[i] ^ b->s6_addr32[i]) & mask->s6_addr32[i])
			return false;
	return true;
}

/* The order of an IPv6 address's scope as Linux sorts an interface's
 * list: global, then site-local, link-local, loopback. */
static int
v6_rank(const struct in6_addr *a)
{
	if (in6_is_loopback(a))
		return 1;
	if (in6_is_linklocal(a))
		return 2;
	if (a->s6_addr[0] == 0xfe && (a->s6_addr[1] & 0xc0) == 0xc0)
		return 5;
	return 14;
}

int
if_addr_add(struct ifnet *ifp, int af, const struct in6_addr *addr,
    int plen, int flags)
{
	return if_addr_add_peer(ifp, af, addr, NULL, plen, flags);
}

int
if_addr_add_peer(struct ifnet *ifp, int af, const struct in6_addr *addr,
    const struct in6_addr *peer, int plen, int flags)
{
	struct ifaddrhead *h;
	struct ifaddr *ifa, *o;
	bool ifa_tentative;

	if ((af != AF_INET && af != AF_INET6) || plen < 0 ||
	    plen > (af == AF_INET ? 32 : 128) ||
	    (af == AF_INET) != in6_is_v4mapped(addr) ||
	    (peer != NULL && (af == AF_INET) != in6_is_v4mapped(peer)))
		return EINVAL;
	if (peer == NULL)
		peer = addr;
	if ((ifa = kmem_zalloc(sizeof(*ifa))) == NULL)
		return ENOMEM;
	ifa->ifa_ifp = ifp;
	ifa->ifa_af = af;
	ifa->ifa_addr = *addr;
	ifa->ifa_peer = *peer;
	ifa->ifa_plen = plen;
	ifa->ifa_flags = flags | IFA_F_PERMANENT;
	/* RFC 4862: an address on a link with neighbours is tentative
	 * until duplicate address detection (nd6.c) passes. */
	if (af == AF_INET6 && ifp->if_l2 != NULL && !(flags & IFA_F_NODAD))
		ifa->ifa_flags |= IFA_F_TENTATIVE;
	plen_mask(af, plen, &ifa->ifa_mask);
	if (af == AF_INET && plen < 31) {
		for (int i = 0; i < 4; i++)
			ifa->ifa_broad.s6_addr32[i] = peer->s6_addr32[i] |
			    ~ifa->ifa_mask.s6_addr32[i];
	}
	if (af == AF_INET)
		ifa->ifa_scope = IN_LOOPBACK(ntohl(in6_v4addr(addr))) ?
		    RT_SCOPE_HOST : RT_SCOPE_UNIVERSE;
	else
		ifa->ifa_scope = in6_is_loopback(addr) ? RT_SCOPE_HOST :
		    in6_is_linklocal(addr) ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE;
	h = af == AF_INET ? &ifp->if_ifa4 : &ifp->if_ifa6;
	rw_enter(&if_lock, true);
	TAILQ_FOREACH(o, h, ifa_list) {
		if (in6_equal(&o->ifa_addr, addr)) {
			rw_exit(&if_lock);
			kmem_free(ifa, sizeof(*ifa));
			return EEXIST;
		}
		if (af == AF_INET && o->ifa_plen == plen &&
		    same_prefix(&o->ifa_peer, peer, &o->ifa_mask))
			ifa->ifa_flags |= IFA_F_SECONDARY;
	}
	/* Linux keeps an interface's IPv6 addresses by scope, widest first,
	 * a new one before those of its scope (ip -6 addr, getifaddrs). */
	TAILQ_FOREACH(o, h, ifa_list)
		if (af == AF_INET6 && v6_rank(&o->ifa_addr) <= v6_rank(addr))
			break;
	if (o != NULL)
		TAILQ_INSERT_BEFORE(o, ifa, ifa_list);
	else
		TAILQ_INSERT_TAIL(h, ifa, ifa_list);
	ifa_tentative = (ifa->ifa_flags & IFA_F_TENTATIVE) != 0;
	rw_exit(&if_lock);
	route_ifa_added(ifp, af, addr, peer, plen);
	if (ifa_tentative)
		nd6_dad_start(ifp, addr);
	return 0;
}

int
if_addr_setpeer(struct ifnet *ifp, const struct in6_addr *addr,
    const struct in6_addr *peer)
{
	struct ifaddr *ifa;
	struct in6_addr old;
	int plen;

	rw_enter(&if_lock, true);
	TAILQ_FOREACH(ifa, &ifp->if_ifa4, ifa_list)
		if (in6_equal(&ifa->ifa_addr, addr))
			break;
	if (ifa == NULL) {
		rw_exit(&if_lock);
		return EADDRNOTAVAIL;
	}
	old = ifa->ifa_peer;
	plen = ifa->ifa_plen;
	rw_exit(&if_lock);
	if (in6_equal(&old, peer))
		return 0;
	/* As Linux takes the address out and puts it back: the old
	 * prefix's routes go, the new one's come. */
	route_ifa_removed(ifp, AF_INET, addr, &old, plen);
	rw_enter(&if_lock, true);
	TAILQ_FOREACH(ifa, &ifp->if_ifa4, ifa_list)
		if (in6_equal(&ifa->ifa_addr, addr))
			ifa->ifa_peer = *peer;
	rw_exit(&if_lock);
	route_ifa_added(ifp, AF_INET, addr, peer, plen);
	return 0;
}

int
if_addr_del(struct ifnet *ifp, int af, const struct in6_addr *addr)
{
	struct ifaddrhead *h = af == AF_INET ? &ifp->if_ifa4 : &ifp->if_ifa6;
	struct ifaddr *ifa;
	struct in6_addr peer;
	int plen;

	rw_enter(&if_lock, true);
	TAILQ_FOREACH(ifa, h, ifa_list)
		if (in6_equal(&ifa->ifa_addr, addr))
			break;
	if (ifa == NULL) {
		rw_exit(&if_lock);
		return EADDRNOTAVAIL;
	}
	/* Linux (promote_secondaries 0): a primary IPv4 address takes the
	 * secondaries of its prefix with it, they go first. */
	if (af == AF_INET && !(ifa->ifa_flags & IFA_F_SECONDARY)) {
		struct ifaddr *o;
		struct in6_addr sec;
		bool found;

		do {
			found = false;
			TAILQ_FOREACH(o, h, ifa_list)
				if ((o->ifa_flags & IFA_F_SECONDARY) &&
				    o->ifa_plen == ifa->ifa_plen &&
				    same_prefix(&o->ifa_peer, &ifa->ifa_peer,
				    &ifa->ifa_mask)) {
					sec = o->ifa_addr;
					found = true;
					break;
				}
			if (found) {
				rw_exit(&if_lock);
				(void)if_addr_del(ifp, af, &sec);
				rw_enter(&if_lock, true);
			}
		} while (found);
		TAILQ_FOREACH(ifa, h, ifa_list)
			if (in6_equal(&ifa->ifa_addr, addr))
				break;
		if (ifa == NULL) {
			rw_exit(&if_lock);
			return EADDRNOTAVAIL;
		}
	}
	TAILQ_REMOVE(h, ifa, ifa_list);
	rw_exit(&if_lock);
	plen = ifa->ifa_plen;
	peer = ifa->ifa_peer;
	kmem_free(ifa, sizeof(*ifa));
	route_ifa_removed(ifp, af, addr, &peer, plen);
	return 0;
}

struct ifnet *
if_ours(int af, const struct in6_addr *addr, bool *bcast)
{
	struct ifnet *ifp, *found = NULL;
	struct ifaddr *ifa;

	if (bcast != NULL)
		*bcast = false;
	rw_enter(&if_lock, false);
	TAILQ_FOREACH(ifp, &if_all, if_list) {
		if (ifp->if_gone || !(ifp->if_flags & IFF_UP))
			continue;
		if (af == AF_INET) {
			TAILQ_FOREACH(ifa, &ifp->if_ifa4, ifa_list) {
				if (in6_equal(&ifa->ifa_addr, addr))
					goto hit;
				if (!in6_is_unspec(&ifa->ifa_broad) &&
				    in6_equal(&ifa->ifa_broad, addr)) {
					if (bcast != NULL)
						*bcast = true;
					goto hit;
				}
				/* Linux's local route: the whole prefix of a
				 * loopback address is ours. */
				if ((ifp->if_flags & IFF_LOOPBACK) &&
				    same_prefix(&ifa->ifa_peer, addr,
				    &ifa->ifa_mask))
					goto hit;
			}
		} else {
			/* A tentative or duplicate address is not ours
			 * yet (RFC 4862 5.4: only ND reaches it). */
			TAILQ_FOREACH(ifa, &ifp->if_ifa6, ifa_list)
				if (in6_equal(&ifa->ifa_addr, addr) &&
				    !(ifa->ifa_flags & (IFA_F_TENTATIVE |
				    IFA_F_DADFAILED)))
					goto hit;
		}
		continue;
hit:
		found = ifp;
		break;
	}
	if (found == NULL && af == AF_INET &&
	    in6_v4addr(addr) == htonl(INADDR_BROADCAST) && lo_ifp != NULL) {
		/* The limited broadcast reaches us on any interface. */
		found = lo_ifp;
		if (bcast != NULL)
			*bcast = true;
	}
	rw_exit(&if_lock);
	return found;
}

int
if_srcaddr(struct ifnet *ifp, int af, const struct in6_addr *dst,
    struct in6_addr *src)
{
	struct ifaddrhead *h = af == AF_INET ? &ifp->if_ifa4 : &ifp->if_ifa6;
	struct ifaddr *ifa, *best = NULL;

	rw_enter(&if_lock, false);
	TAILQ_FOREACH(ifa, h, ifa_list) {
		if (ifa->ifa_flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED))
			continue;
		if (best == NULL)
			best = ifa;
		/* IPv4's prefix is the peer's, IPv6's the address's. */
		if (!(ifa->ifa_flags & IFA_F_SECONDARY) &&
		    same_prefix(af == AF_INET ? &ifa->ifa_peer :
		    &ifa->ifa_addr, dst, &ifa->ifa_mask)) {
			best = ifa;
			break;
		}
	}
	if (best != NULL)
		*src = best->ifa_addr;
	rw_exit(&if_lock);
	return best != NULL ? 0 : EADDRNOTAVAIL;
}

void
if_input(struct ifnet *ifp, struct mbuf *m)
{
	uint8_t v;

	m->m_pkthdr.rcvif = ifp;
	atomic_fetch_add(&ifp->if_cnt.ipackets, 1);
	atomic_fetch_add(&ifp->if_cnt.ibytes, m->m_pkthdr.len);
	if (m->m_pkthdr.len < 1) {
		atomic_fetch_add(&ifp->if_cnt.ierrors, 1);
		m_freem(m);
		return;
	}
	m_copydata(m, 0, 1, &v);
	v >>= 4;
	if (v == 4)
		ip_input(m);
	else if (v == 6)
		ip6_input(m);
	else {
		atomic_fetch_add(&ifp->if_cnt.ierrors, 1);
		m_freem(m);
	}
}
