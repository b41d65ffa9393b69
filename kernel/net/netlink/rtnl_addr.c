/*
 * rtnl_addr.c: RTM_GETADDR/NEWADDR/DELADDR for IPv4 and IPv6, as Linux's
 * inet_fill_ifaddr/inet6_fill_ifaddr describe addresses and its
 * inet_rtm_newaddr/deladdr (and the IPv6 ones) change them: an existing
 * address is EEXIST unless NLM_F_REPLACE (then kept), a missing one is
 * EADDRNOTAVAIL, an unknown index ENODEV, a bad prefix EINVAL.  An
 * IFA_ADDRESS beside a different IFA_LOCAL is the point-to-point peer.
 */
#include "netlink.h"
#include "net/if_cfg.h"
#include "net/netinet/in_pcb.h"

static const struct nl_policy addr_policy[IFA_MAX + 1] = {
	[IFA_ADDRESS] = { NLA_BINARY, 16 },
	[IFA_LOCAL] = { NLA_BINARY, 16 },
	[IFA_BROADCAST] = { NLA_BINARY, 4 },
	[IFA_LABEL] = { NLA_STRING, IFNAMSIZ },
	[IFA_FLAGS] = { NLA_U32, 0 },
	[IFA_CACHEINFO] = { NLA_BINARY, sizeof(struct ifa_cacheinfo) },
	[IFA_RT_PRIORITY] = { NLA_U32, 0 },
	[IFA_PROTO] = { NLA_U8, 0 },
};

/* One RTM_NEWADDR for ifa (if_lock held). */
static void
fill_addr(struct nlmsg_ctx *c, struct ifaddr *ifa, bool dump)
{
	struct ifnet *ifp = ifa->ifa_ifp;
	struct ifaddrmsg *m;
	struct ifa_cacheinfo ci = { .ifa_prefered = 0xffffffffu,
	    .ifa_valid = 0xffffffffu };

	m = nl_msg_begin(c, RTM_NEWADDR, 0, sizeof(*m), dump);
	if (m == NULL)
		return;
	m->ifa_family = (uint8_t)ifa->ifa_af;
	m->ifa_prefixlen = (uint8_t)ifa->ifa_plen;
	m->ifa_flags = (uint8_t)ifa->ifa_flags;
	m->ifa_scope = (uint8_t)ifa->ifa_scope;
	m->ifa_index = (uint32_t)ifp->if_index;
	if (ifa->ifa_af == AF_INET) {
		in_addr_t a = in6_v4addr(&ifa->ifa_addr), b = ifc_brd4(ifa);
		in_addr_t p = in6_v4addr(&ifa->ifa_peer);

		/* Linux's IFA_ADDRESS is the peer, IFA_LOCAL ours. */
		nl_put(c, IFA_ADDRESS, &p, 4);
		nl_put(c, IFA_LOCAL, &a, 4);
		if (b != 0)
			nl_put(c, IFA_BROADCAST, &b, 4);
		nl_put_str(c, IFA_LABEL, ifp->if_name);
	} else if (!in6_equal(&ifa->ifa_peer, &ifa->ifa_addr)) {
		nl_put(c, IFA_LOCAL, &ifa->ifa_addr, 16);
		nl_put(c, IFA_ADDRESS, &ifa->ifa_peer, 16);
	} else {
		nl_put(c, IFA_ADDRESS, &ifa->ifa_addr, 16);
	}
	nl_put_u32(c, IFA_FLAGS, (uint32_t)ifa->ifa_flags);
	nl_put(c, IFA_CACHEINFO, &ci, sizeof(ci));
	nl_msg_end(c);
}

static int
parse_addr(struct nlmsg_ctx *c, struct ifaddrmsg *m, const struct nlattr **tb)
{
	const struct nlmsghdr *h = c->nc_req;

	if (nl_paylen(h) < sizeof(*m))
		return nl_err(c, EINVAL, "Invalid header for address "
		    "request");
	memcpy(m, nl_payload(h), sizeof(*m));
	return nl_parse(c, nl_payload(h) + NLMSG_ALIGN(sizeof(*m)),
	    nl_paylen(h) - MIN(nl_paylen(h), NLMSG_ALIGN(sizeof(*m))), tb,
	    IFA_MAX, addr_policy);
}

int
rtnl_getaddr(struct nlmsg_ctx *c, bool dump)
{
	const struct nlattr *tb[IFA_MAX + 1];
	struct ifaddrmsg m = { 0 };
	struct ifnet *ifp;
	struct ifaddr *ifa;
	int error;

	if (!dump)
		return EOPNOTSUPP;	/* Linux has no single-address get */
	if (nl_paylen(c->nc_req) >= sizeof(m) &&
	    (error = parse_addr(c, &m, tb)) != 0)
		return error;
	else if (nl_paylen(c->nc_req) >= 1)
		m.ifa_family = *nl_payload(c->nc_req);
	rw_enter(&if_lock, false);
	/* Linux dumps family by family: IPv4, then IPv6. */
	if (m.ifa_family == AF_UNSPEC || m.ifa_family == AF_INET)
		TAILQ_FOREACH(ifp, &if_all, if_list)
			if (!ifp->if_gone)
				TAILQ_FOREACH(ifa, &ifp->if_ifa4, ifa_list)
					fill_addr(c, ifa, true);
	if (m.ifa_family == AF_UNSPEC || m.ifa_family == AF_INET6)
		TAILQ_FOREACH(ifp, &if_all, if_list)
			if (!ifp->if_gone)
				TAILQ_FOREACH(ifa, &ifp->if_ifa6, ifa_list)
					fill_addr(c, ifa, true);
	rw_exit(&if_lock);
	nl_done(c, 0);
	return 0;
}

/* The address of a request: IFA_LOCAL, else IFA_ADDRESS, v4-mapped. */
static int
req_addr(struct nlmsg_ctx *c, const struct ifaddrmsg *m,
    const struct nlattr **tb, struct in6_addr *a)
{
	const struct nlattr *at = tb[IFA_LOCAL] != NULL ? tb[IFA_LOCAL] :
	    tb[IFA_ADDRESS];
	size_t want = m->ifa_family == AF_INET ? 4 : 16;

	if (m->ifa_family != AF_INET && m->ifa_family != AF_INET6)
		return nl_err(c, EAFNOSUPPORT, "unknown address family");
	if (at == NULL)
		return nl_err(c, EINVAL, "missing IFA_LOCAL or IFA_ADDRESS");
	if (nla_len(at) != want)
		return nl_err(c, EINVAL, "address of the wrong length");
	if (m->ifa_family == AF_INET) {
		in_addr_t v;

		memcpy(&v, nla_data(at), 4);
		in6_set_v4mapped(a, v);
	} else {
		memcpy(a, nla_data(at), 16);
	}
	return 0;
}

/* The peer of a request (IFA_ADDRESS beside IFA_LOCAL) in *p, v4-mapped
 * for IPv4; false when it has none. */
static bool
req_peer(const struct ifaddrmsg *m, const struct nlattr **tb,
    struct in6_addr *p)
{
	size_t want = m->ifa_family == AF_INET ? 4 : 16;
	in_addr_t v;

	if ((m->ifa_family != AF_INET && m->ifa_family != AF_INET6) ||
	    tb[IFA_LOCAL] == NULL || tb[IFA_ADDRESS] == NULL ||
	    nla_len(tb[IFA_ADDRESS]) != want)
		return false;
	if (m->ifa_family == AF_INET6) {
		memcpy(p, nla_data(tb[IFA_ADDRESS]), 16);
		return true;
	}
	memcpy(&v, nla_data(tb[IFA_ADDRESS]), 4);
	in6_set_v4mapped(p, v);
	return true;
}

static bool
has_addr(struct ifnet *ifp, int af, const struct in6_addr *a)
{
	struct ifaddr *ifa;
	bool found = false;

	rw_enter(&if_lock, false);
	TAILQ_FOREACH(ifa, af == AF_INET ? &ifp->if_ifa4 : &ifp->if_ifa6,
	    ifa_list)
		if (in6_equal(&ifa->ifa_addr, a))
			found = true;
	rw_exit(&if_lock);
	return found;
}

int
rtnl_newaddr(struct nlmsg_ctx *c)
{
	const struct nlattr *tb[IFA_MAX + 1];
	struct ifaddrmsg m;
	struct ifnet *ifp;
	struct in6_addr a, p;
	bool peer;
	int error;

	if ((error = parse_addr(c, &m, tb)) != 0)
		return error;
	if ((error = req_addr(c, &m, tb, &a)) != 0)
		return error;
	peer = req_peer(&m, tb, &p);
	if (m.ifa_prefixlen > (m.ifa_family == AF_INET ? 32 : 128))
		return nl_err(c, EINVAL, "Invalid prefix length");
	if ((ifp = if_byindex((int)m.ifa_index)) == NULL)
		return nl_err(c, ENODEV, "Device not found");
	if (has_addr(ifp, m.ifa_family, &a)) {
		if ((c->nc_req->nlmsg_flags & NLM_F_EXCL) ||
		    !(c->nc_req->nlmsg_flags & NLM_F_REPLACE))
			return EEXIST;
		return 0;	/* nothing to replace: no lifetimes yet */
	}
	if (m.ifa_family == AF_INET && in6_v4addr(&a) == 0)
		return nl_err(c, EINVAL, "0.0.0.0 is not an address");
	if ((error = if_addr_add_peer(ifp, m.ifa_family, &a, peer ? &p : NULL,
	    m.ifa_prefixlen, 0)) != 0)
		return error;
	if (m.ifa_family == AF_INET && tb[IFA_BROADCAST] != NULL &&
	    nla_len(tb[IFA_BROADCAST]) == 4) {
		struct in6_addr b;
		in_addr_t v;

		memcpy(&v, nla_data(tb[IFA_BROADCAST]), 4);
		in6_set_v4mapped(&b, v);
		(void)ifc_addr_setbrd(ifp, &a, &b);
	} else if (m.ifa_family == AF_INET) {
		/* Linux shows a broadcast only when asked (brd +). */
		(void)ifc_addr_nobrd(ifp, &a);
	}
	return 0;
}

static bool
peer_matches(struct ifnet *ifp, const struct in6_addr *a,
    const struct in6_addr *p, int plen)
{
	struct ifaddr *ifa;
	bool ok = false;

	rw_enter(&if_lock, false);
	TAILQ_FOREACH(ifa, &ifp->if_ifa4, ifa_list)
		if (in6_equal(&ifa->ifa_addr, a))
			ok = ifa->ifa_plen == plen &&
			    ((ifa->ifa_peer.s6_addr32[3] ^ p->s6_addr32[3]) &
			    ifa->ifa_mask.s6_addr32[3]) == 0;
	rw_exit(&if_lock);
	return ok;
}

int
rtnl_deladdr(struct nlmsg_ctx *c)
{
	const struct nlattr *tb[IFA_MAX + 1];
	struct ifaddrmsg m;
	struct ifnet *ifp;
	struct in6_addr a, p;
	int error;

	if ((error = parse_addr(c, &m, tb)) != 0)
		return error;
	if ((ifp = if_byindex((int)m.ifa_index)) == NULL)
		return nl_err(c, ENODEV, "Device not found");
	if ((error = req_addr(c, &m, tb, &a)) != 0)
		return error;
	/* With IFA_ADDRESS too, Linux deletes only the IPv4 address of
	 * that prefix length whose peer's prefix holds it (IPv6 ignores
	 * the peer). */
	if (m.ifa_family == AF_INET && req_peer(&m, tb, &p) &&
	    !peer_matches(ifp, &a, &p, m.ifa_prefixlen))
		return nl_err(c, EADDRNOTAVAIL, "ipv4: Address not found");
	return if_addr_del(ifp, m.ifa_family, &a);
}
