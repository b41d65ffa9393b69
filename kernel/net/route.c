/*
 * route.c: the IPv4/IPv6 routing tables - add, delete, longest-prefix
 * lookup, walks, the connected routes of addresses and the forwarding
 * switches (contract in net/route.h).
 *
 * One sorted list of routes for both families and all tables (family,
 * table, destination, prefix length, metric): walks list it in that
 * order, as `ip route show table all` does, and lookups scan it.  A scan
 * is linear: the tables of a rump kernel hold a handful of routes (a
 * trie is what a router with thousands would need).  route_lock (rw)
 * covers the list and route_gen.
 */
#include "k/kernel.h"
#include "k/abi_net.h"
#include "k/sysctl.h"
#include "net/if.h"
#include "net/route.h"
#include "net/netinet/in_pcb.h"

struct rtnode {
	TAILQ_ENTRY(rtnode) rn_list;
	struct route_info rn_ri;
};
static TAILQ_HEAD(, rtnode) rt_all = TAILQ_HEAD_INITIALIZER(rt_all);
static krwlock_t route_lock;
static uint64_t route_gen;
static int64_t ip4_forward, ip6_forward;

static struct sysctl_node route_nodes[] = {
	{ .sn_name = "net.ipv4.ip_forward", .sn_type = SYSCTL_INT,
	  .sn_writable = true, .sn_int = &ip4_forward, .sn_min = 0,
	  .sn_max = 1 },
	{ .sn_name = "net.ipv6.conf.all.forwarding", .sn_type = SYSCTL_INT,
	  .sn_writable = true, .sn_int = &ip6_forward, .sn_min = 0,
	  .sn_max = 1 },
};

void
route_init(void)
{
	rw_init(&route_lock);
	for (size_t i = 0; i < __arraycount(route_nodes); i++)
		(void)sysctl_register(&route_nodes[i]);
}

bool
ip_forwarding(int af)
{
	return __atomic_load_n(af == AF_INET ? &ip4_forward : &ip6_forward,
	    __ATOMIC_RELAXED) != 0;
}

uint64_t
route_genid(void)
{
	return __atomic_load_n(&route_gen, __ATOMIC_ACQUIRE);
}

static int
maxplen(int af)
{
	return af == AF_INET ? 32 : 128;
}

/* Does a (v4-mapped for IPv4) match prefix p/plen? */
static bool
prefix_match(int af, const struct in6_addr *p, int plen,
    const struct in6_addr *a)
{
	int bits = af == AF_INET ? plen + 96 : plen;

	for (int i = 0; i < 16 && bits > 0; i++, bits -= 8) {
		uint8_t mask = bits >= 8 ? 0xff : (uint8_t)(0xff << (8 - bits));

		if ((p->s6_addr[i] ^ a->s6_addr[i]) & mask)
			return false;
	}
	return true;
}

static void
prefix_clear(int af, struct in6_addr *a, int plen)
{
	int bits = af == AF_INET ? plen + 96 : plen;

	for (int i = 0; i < 16; i++, bits -= 8)
		a->s6_addr[i] &= bits >= 8 ? 0xff : bits <= 0 ? 0 :
		    (uint8_t)(0xff << (8 - bits));
}

/* Walk order: family (IPv4 first), table, dst, plen, metric. */
static int
rt_cmp(const struct route_info *a, const struct route_info *b)
{
	int c;

	if (a->ri_af != b->ri_af)
		return a->ri_af == AF_INET ? -1 : 1;
	if (a->ri_table != b->ri_table)
		return a->ri_table == RT_TABLE_MAIN ? -1 :
		    b->ri_table == RT_TABLE_MAIN ? 1 :
		    a->ri_table < b->ri_table ? -1 : 1;
	if ((c = memcmp(&a->ri_dst, &b->ri_dst, sizeof(a->ri_dst))) != 0)
		return c;
	if (a->ri_plen != b->ri_plen)
		return a->ri_plen < b->ri_plen ? -1 : 1;
	if (a->ri_metric != b->ri_metric)
		return a->ri_metric < b->ri_metric ? -1 : 1;
	return 0;
}

/* Same fib key: for IPv6 the next hop is part of it too. */
static bool
rt_samekey(const struct route_info *a, const struct route_info *b)
{
	if (a->ri_af != b->ri_af || a->ri_table != b->ri_table ||
	    a->ri_plen != b->ri_plen || a->ri_metric != b->ri_metric ||
	    !in6_equal(&a->ri_dst, &b->ri_dst))
		return false;
	/* Different types never share a key in the local table (a local
	 * and a broadcast /32 of one address cannot both exist anyway). */
	if (a->ri_af == AF_INET6)
		return a->ri_ifindex == b->ri_ifindex &&
		    (a->ri_flags & RTF_GATEWAY) == (b->ri_flags & RTF_GATEWAY) &&
		    (!(a->ri_flags & RTF_GATEWAY) ||
		    in6_equal(&a->ri_gw, &b->ri_gw));
	return true;
}

static bool
rt_reject(int type)
{
	return type == RTN_UNREACHABLE || type == RTN_PROHIBIT ||
	    type == RTN_BLACKHOLE || type == RTN_THROW;
}

/*
 * The interface of a direct (scope link) route in main that reaches gw,
 * optionally through ifindex only: 0 if none.  route_lock held.
 */
static int
gw_onlink(int af, const struct in6_addr *gw, int ifindex)
{
	const struct rtnode *rn, *best = NULL;

	TAILQ_FOREACH(rn, &rt_all, rn_list) {
		const struct route_info *r = &rn->rn_ri;

		/* A loopback's prefix (local 10.1.0.0/24 dev lo) is a link
		 * too: Linux takes RTN_LOCAL results for a gateway. */
		bool lo_prefix = r->ri_table == RT_TABLE_LOCAL &&
		    r->ri_type == RTN_LOCAL && r->ri_plen < maxplen(af);

		if (r->ri_af != af || (!lo_prefix &&
		    (r->ri_table != RT_TABLE_MAIN ||
		    r->ri_type != RTN_UNICAST)) || (r->ri_flags & RTF_GATEWAY) ||
		    r->ri_ifindex == 0 ||
		    (ifindex != 0 && r->ri_ifindex != ifindex) ||
		    !prefix_match(af, &r->ri_dst, r->ri_plen, gw))
			continue;
		if (best == NULL || r->ri_plen > best->rn_ri.ri_plen)
			best = rn;
	}
	return best != NULL ? best->rn_ri.ri_ifindex : 0;
}

int
route6_gw_lo(const struct route_info *ri)
{
	int gif;

	if (ri->ri_af != AF_INET6 || !(ri->ri_flags & RTF_GATEWAY) ||
	    lo_ifp == NULL)
		return 0;
	if (in6_is_linklocal(&ri->ri_gw))
		return ri->ri_ifindex == lo_ifp->if_index ? EINVAL : 0;
	rw_enter(&route_lock, false);
	gif = gw_onlink(AF_INET6, &ri->ri_gw, ri->ri_ifindex);
	rw_exit(&route_lock);
	return gif != 0 && gif == lo_ifp->if_index ? EHOSTUNREACH : 0;
}

int
route_add(const struct route_info *in, int flags)
{
	struct route_info ri = *in;
	struct rtnode *rn, *o, *at;

	if ((ri.ri_af != AF_INET && ri.ri_af != AF_INET6) || ri.ri_plen < 0 ||
	    ri.ri_plen > maxplen(ri.ri_af) || ri.ri_type > RTN_MAX ||
	    (ri.ri_af == AF_INET) != in6_is_v4mapped(&ri.ri_dst))
		return EINVAL;
	if (ri.ri_table == RT_TABLE_UNSPEC)
		ri.ri_table = RT_TABLE_MAIN;
	if (ri.ri_type == RTN_UNSPEC)
		ri.ri_type = RTN_UNICAST;
	{
		struct in6_addr d = ri.ri_dst;

		prefix_clear(ri.ri_af, &d, ri.ri_plen);
		/* Linux: "Invalid prefix for given prefix length" */
		if (ri.ri_af == AF_INET && !in6_equal(&d, &ri.ri_dst))
			return EINVAL;
		ri.ri_dst = d;
	}
	if (ri.ri_plen == maxplen(ri.ri_af))
		ri.ri_flags |= RTF_HOST;
	if ((ri.ri_flags & RTF_GATEWAY) && ri.ri_af == AF_INET &&
	    !in6_is_v4mapped(&ri.ri_gw))
		return EINVAL;
	if (ri.ri_ifindex != 0 && if_byindex(ri.ri_ifindex) == NULL)
		return ENODEV;
	if (!rt_reject(ri.ri_type) && ri.ri_ifindex == 0 &&
	    !(ri.ri_flags & RTF_GATEWAY))
		return ENODEV;		/* Linux: "No such device" */
	ri.ri_flags |= RTF_UP;
	if (ri.ri_type == RTN_UNREACHABLE || ri.ri_type == RTN_PROHIBIT ||
	    ri.ri_type == RTN_BLACKHOLE)
		ri.ri_flags |= RTF_REJECT;
	/* IPv6 routes have no scope in Linux: all are universe. */
	if (ri.ri_scope == RT_SCOPE_UNIVERSE && ri.ri_af == AF_INET) {
		if (ri.ri_type == RTN_LOCAL)
			ri.ri_scope = RT_SCOPE_HOST;
		else if (ri.ri_type == RTN_BROADCAST ||
		    (ri.ri_type == RTN_UNICAST && !(ri.ri_flags & RTF_GATEWAY)))
			ri.ri_scope = RT_SCOPE_LINK;
	}
	if ((rn = kmem_zalloc(sizeof(*rn))) == NULL)
		return ENOMEM;

	rw_enter(&route_lock, true);
	if (ri.ri_flags & RTF_GATEWAY) {
		int gif = gw_onlink(ri.ri_af, &ri.ri_gw, ri.ri_ifindex);

		if (gif == 0) {
			rw_exit(&route_lock);
			kmem_free(rn, sizeof(*rn));
			return ENETUNREACH;
		}
		ri.ri_ifindex = gif;
	}
	TAILQ_FOREACH(o, &rt_all, rn_list)
		if (rt_samekey(&o->rn_ri, &ri))
			break;
	if (o != NULL) {
		if ((flags & RT_F_EXCL) ||
		    !(flags & (RT_F_REPLACE | RT_F_APPEND))) {
			rw_exit(&route_lock);
			kmem_free(rn, sizeof(*rn));
			return EEXIST;
		}
		if (flags & RT_F_REPLACE) {
			o->rn_ri = ri;
			route_gen++;
			rw_exit(&route_lock);
			kmem_free(rn, sizeof(*rn));
			return 0;
		}
	} else if (!(flags & RT_F_CREATE)) {
		rw_exit(&route_lock);
		kmem_free(rn, sizeof(*rn));
		return ENOENT;
	}
	rn->rn_ri = ri;
	TAILQ_FOREACH(at, &rt_all, rn_list)
		if (rt_cmp(&ri, &at->rn_ri) < 0)
			break;
	if (at != NULL)
		TAILQ_INSERT_BEFORE(at, rn, rn_list);
	else
		TAILQ_INSERT_TAIL(&rt_all, rn, rn_list);
	route_gen++;
	rw_exit(&route_lock);
	return 0;
}

static bool
del_match(const struct route_info *r, const struct route_info *m,
    int table, bool match_metric)
{
	if (r->ri_af != m->ri_af || r->ri_table != table ||
	    r->ri_plen != m->ri_plen || !in6_equal(&r->ri_dst, &m->ri_dst))
		return false;
	if ((match_metric || m->ri_metric != 0) &&
	    r->ri_metric != m->ri_metric)
		return false;
	if (m->ri_ifindex != 0 && r->ri_ifindex != m->ri_ifindex)
		return false;
	if ((m->ri_flags & RTF_GATEWAY) && (!(r->ri_flags & RTF_GATEWAY) ||
	    !in6_equal(&r->ri_gw, &m->ri_gw)))
		return false;
	if (m->ri_type != 0 && r->ri_type != m->ri_type)
		return false;
	if (m->ri_protocol != 0 && r->ri_protocol != m->ri_protocol)
		return false;
	if (m->ri_scope != 0 && m->ri_scope != RT_SCOPE_NOWHERE &&
	    r->ri_scope != m->ri_scope)
		return false;
	return true;
}

int
route_delete(const struct route_info *m, bool match_metric)
{
	struct route_info mm = *m;
	int table = m->ri_table != 0 ? m->ri_table : RT_TABLE_MAIN;
	struct rtnode *rn;

	if ((m->ri_af != AF_INET && m->ri_af != AF_INET6) || m->ri_plen < 0 ||
	    m->ri_plen > maxplen(m->ri_af))
		return EINVAL;
	prefix_clear(mm.ri_af, &mm.ri_dst, mm.ri_plen);
	rw_enter(&route_lock, true);
	TAILQ_FOREACH(rn, &rt_all, rn_list)
		if (del_match(&rn->rn_ri, &mm, table, match_metric))
			break;
	if (rn != NULL) {
		TAILQ_REMOVE(&rt_all, rn, rn_list);
		route_gen++;
	}
	rw_exit(&route_lock);
	if (rn == NULL)
		return ESRCH;
	kmem_free(rn, sizeof(*rn));
	return 0;
}

/* The best route for dst in table; route_lock held. */
static const struct route_info *
lookup_table(int af, int table, const struct in6_addr *dst, int oif)
{
	const struct rtnode *rn;
	const struct route_info *best = NULL;

	TAILQ_FOREACH(rn, &rt_all, rn_list) {
		const struct route_info *r = &rn->rn_ri;

		if (r->ri_af != af || r->ri_table != table)
			continue;
		if (!prefix_match(af, &r->ri_dst, r->ri_plen, dst))
			continue;
		if (best != NULL && (r->ri_plen < best->ri_plen ||
		    (r->ri_plen == best->ri_plen &&
		    r->ri_metric >= best->ri_metric)))
			continue;
		if (!rt_reject(r->ri_type)) {
			struct ifnet *ifp = if_byindex(r->ri_ifindex);

			if (ifp == NULL || !(ifp->if_flags & IFF_UP))
				continue;
			/* Bound to oif: its routes; our own addresses are
			 * reached from anywhere through lo as well. */
			if (oif != 0 && r->ri_ifindex != oif &&
			    !(r->ri_type == RTN_LOCAL &&
			    (ifp->if_flags & IFF_LOOPBACK)))
				continue;
		}
		best = r;
	}
	return best;
}

int
route_lookup(int af, const struct in6_addr *dst, int oif,
    struct route_info *out)
{
	static const int order[] = { RT_TABLE_LOCAL, RT_TABLE_MAIN };
	const struct route_info *r = NULL;
	int error = ENETUNREACH;

	if (af != AF_INET && af != AF_INET6)
		return EAFNOSUPPORT;
	if (oif != 0 && if_byindex(oif) == NULL)
		return ENODEV;
	rw_enter(&route_lock, false);
	for (size_t i = 0; i < __arraycount(order); i++) {
		r = lookup_table(af, order[i], dst, oif);
		if (r != NULL && r->ri_type != RTN_THROW)
			break;
		r = NULL;
	}
	if (r != NULL) {
		*out = *r;
		switch (r->ri_type) {
		case RTN_UNREACHABLE:
			error = EHOSTUNREACH;
			break;
		case RTN_PROHIBIT:
			error = EACCES;
			break;
		case RTN_BLACKHOLE:
			error = EINVAL;
			break;
		default:
			error = 0;
		}
	}
	rw_exit(&route_lock);
	return error;
}

int
route_walk(int af, int table, int *pos,
    int (*fn)(const struct route_info *ri, void *arg), void *arg)
{
	const struct rtnode *rn;
	int i = 0, start = pos != NULL ? *pos : 0, ret = 0;

	rw_enter(&route_lock, false);
	TAILQ_FOREACH(rn, &rt_all, rn_list) {
		if ((af != 0 && rn->rn_ri.ri_af != af) ||
		    (table != 0 && rn->rn_ri.ri_table != table))
			continue;
		if (i >= start && (ret = fn(&rn->rn_ri, arg)) != 0)
			break;
		i++;
	}
	rw_exit(&route_lock);
	if (pos != NULL)
		*pos = i;
	return ret;
}

/* --- connected routes ------------------------------------------------------ */

static void
kroute(struct ifnet *ifp, int af, int table, int type, int scope,
    const struct in6_addr *dst, int plen, const struct in6_addr *src,
    uint32_t metric)
{
	struct route_info ri;

	memset(&ri, 0, sizeof(ri));
	ri.ri_af = af;
	ri.ri_table = (uint8_t)table;
	ri.ri_type = (uint8_t)type;
	ri.ri_protocol = RTPROT_KERNEL;
	ri.ri_scope = (uint8_t)scope;
	ri.ri_dst = *dst;
	prefix_clear(af, &ri.ri_dst, plen);
	ri.ri_plen = plen;
	ri.ri_ifindex = ifp->if_index;
	ri.ri_metric = metric;
	if (src != NULL) {
		ri.ri_prefsrc = *src;
		ri.ri_has_prefsrc = true;
	}
	/* EEXIST: a second address of the prefix shares its route. */
	(void)route_add(&ri, RT_F_CREATE | RT_F_EXCL);
}

static void
kroute_del(struct ifnet *ifp, int af, int table, int type,
    const struct in6_addr *dst, int plen)
{
	struct route_info ri;

	memset(&ri, 0, sizeof(ri));
	ri.ri_af = af;
	ri.ri_table = (uint8_t)table;
	ri.ri_type = (uint8_t)type;
	ri.ri_protocol = RTPROT_KERNEL;
	ri.ri_dst = *dst;
	ri.ri_plen = plen;
	ri.ri_ifindex = ifp->if_index;
	(void)route_delete(&ri, false);
}

/* Another address of ifp (but addr) whose peer is in the prefix? */
static bool
prefix_shared(struct ifnet *ifp, int af, const struct in6_addr *addr,
    const struct in6_addr *peer, int plen)
{
	struct ifaddrhead *h = af == AF_INET ? &ifp->if_ifa4 : &ifp->if_ifa6;
	struct ifaddr *ifa;
	bool shared = false;

	rw_enter(&if_lock, false);
	TAILQ_FOREACH(ifa, h, ifa_list)
		if (!in6_equal(&ifa->ifa_addr, addr) && ifa->ifa_plen == plen &&
		    prefix_match(af, af == AF_INET ? &ifa->ifa_peer :
		    &ifa->ifa_addr, plen, peer))
			shared = true;
	rw_exit(&if_lock);
	return shared;
}

static void
v4_bcast(const struct in6_addr *addr, int plen, struct in6_addr *b)
{
	*b = *addr;
	b->s6_addr32[3] |= htonl(plen == 0 ? 0xffffffffu :
	    (uint32_t)((1ULL << (32 - plen)) - 1));
}

/* Does an IPv4 address get a prefix route?  Not a /32 without a peer. */
static bool
v4_prefix_route(const struct in6_addr *addr, const struct in6_addr *peer,
    int plen)
{
	return plen < 32 || !in6_equal(addr, peer);
}

/* The source of an IPv4 address's local route: the primary address of
 * its prefix for a secondary one (Linux's fib_add_ifaddr), else itself. */
static void
v4_prim(struct ifnet *ifp, const struct in6_addr *addr, struct in6_addr *src)
{
	struct ifaddr *ifa, *me = NULL;

	*src = *addr;
	rw_enter(&if_lock, false);
	TAILQ_FOREACH(ifa, &ifp->if_ifa4, ifa_list)
		if (in6_equal(&ifa->ifa_addr, addr))
			me = ifa;
	if (me != NULL && (me->ifa_flags & IFA_F_SECONDARY))
		TAILQ_FOREACH(ifa, &ifp->if_ifa4, ifa_list)
			if (!(ifa->ifa_flags & IFA_F_SECONDARY) &&
			    ifa->ifa_plen == me->ifa_plen &&
			    prefix_match(AF_INET, &ifa->ifa_peer, me->ifa_plen,
			    &me->ifa_peer)) {
				*src = ifa->ifa_addr;
				break;
			}
	rw_exit(&if_lock);
}

void
route_ifa_added(struct ifnet *ifp, int af, const struct in6_addr *addr,
    const struct in6_addr *peer, int plen)
{
	bool loop = (ifp->if_flags & IFF_LOOPBACK) != 0;

	if (af == AF_INET) {
		struct in6_addr src;

		v4_prim(ifp, addr, &src);
		kroute(ifp, af, RT_TABLE_LOCAL, RTN_LOCAL, RT_SCOPE_HOST, addr,
		    32, &src, 0);
		if (plen < 31) {
			struct in6_addr b;

			v4_bcast(peer, plen, &b);
			kroute(ifp, af, RT_TABLE_LOCAL, RTN_BROADCAST,
			    RT_SCOPE_LINK, &b, 32, addr, 0);
		}
		/* A loopback's whole prefix is local (127/8 on lo). */
		if (v4_prefix_route(addr, peer, plen))
			kroute(ifp, af, loop ? RT_TABLE_LOCAL : RT_TABLE_MAIN,
			    loop ? RTN_LOCAL : RTN_UNICAST,
			    loop ? RT_SCOPE_HOST : RT_SCOPE_LINK, peer, plen,
			    addr, 0);
	} else {
		kroute(ifp, af, RT_TABLE_LOCAL, RTN_LOCAL, RT_SCOPE_UNIVERSE,
		    addr, 128, NULL, 0);
		/* A /128 has its own route too, but ::1 (local only). */
		if (plen < 128 || !in6_is_loopback(addr))
			kroute(ifp, af, RT_TABLE_MAIN, RTN_UNICAST,
			    RT_SCOPE_UNIVERSE, addr, plen, NULL,
			    RT6_METRIC_KERNEL);
		/* Linux's route to an IPv6 peer is the peer itself. */
		if (!in6_equal(addr, peer))
			kroute(ifp, af, RT_TABLE_MAIN, RTN_UNICAST,
			    RT_SCOPE_UNIVERSE, peer, 128, NULL,
			    RT6_METRIC_KERNEL);
	}
}

void
route_ifa_removed(struct ifnet *ifp, int af, const struct in6_addr *addr,
    const struct in6_addr *peer, int plen)
{
	bool loop = (ifp->if_flags & IFF_LOOPBACK) != 0;

	if (af == AF_INET) {
		kroute_del(ifp, af, RT_TABLE_LOCAL, RTN_LOCAL, addr, 32);
		if (prefix_shared(ifp, af, addr, peer, plen))
			return;
		if (plen < 31) {
			struct in6_addr b;

			v4_bcast(peer, plen, &b);
			kroute_del(ifp, af, RT_TABLE_LOCAL, RTN_BROADCAST, &b,
			    32);
		}
		if (v4_prefix_route(addr, peer, plen))
			kroute_del(ifp, af, loop ? RT_TABLE_LOCAL :
			    RT_TABLE_MAIN, loop ? RTN_LOCAL : RTN_UNICAST,
			    peer, plen);
	} else {
		kroute_del(ifp, af, RT_TABLE_LOCAL, RTN_LOCAL, addr, 128);
		if (!prefix_shared(ifp, af, addr, addr, plen))
			kroute_del(ifp, af, RT_TABLE_MAIN, RTN_UNICAST, addr,
			    plen);
		if (!in6_equal(addr, peer))
			kroute_del(ifp, af, RT_TABLE_MAIN, RTN_UNICAST, peer,
			    128);
	}
}

void
route_if_detached(struct ifnet *ifp)
{
	struct rtnode *rn, *next;

	rw_enter(&route_lock, true);
	for (rn = TAILQ_FIRST(&rt_all); rn != NULL; rn = next) {
		next = TAILQ_NEXT(rn, rn_list);
		if (rn->rn_ri.ri_ifindex == ifp->if_index) {
			TAILQ_REMOVE(&rt_all, rn, rn_list);
			kmem_free(rn, sizeof(*rn));
			route_gen++;
		}
	}
	rw_exit(&route_lock);
}
