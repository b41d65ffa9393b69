/*
 * rtnl_route.c: RTM_GETROUTE/NEWROUTE/DELROUTE over the routing table
 * (net/route.h), as Linux's inet_rtm_getroute, rtm_to_fib_config and
 * fib_dump_info describe routes: `ip route show [table all]`, `ip route
 * add/replace/del`, `ip route get`.  The table's errnos are the answers.
 */
#include "netlink.h"
#include "net/if_cfg.h"
#include "net/route.h"
#include "net/netinet/in_pcb.h"
#include "net/netinet/ip_var.h"

#define RTA_DST		1
#define RTA_SRC		2
#define RTA_IIF		3
#define RTA_OIF		4
#define RTA_GATEWAY	5
#define RTA_PRIORITY	6
#define RTA_PREFSRC	7
#define RTA_METRICS	8
#define RTA_TABLE	15
#define RTA_PREF	20
#define RTA_MAX		31
#define RTM_F_NOTIFY	0x100

static const struct nl_policy route_policy[RTA_MAX + 1] = {
	[RTA_DST] = { NLA_BINARY, 16 },
	[RTA_SRC] = { NLA_BINARY, 16 },
	[RTA_IIF] = { NLA_U32, 0 },
	[RTA_OIF] = { NLA_U32, 0 },
	[RTA_GATEWAY] = { NLA_BINARY, 16 },
	[RTA_PRIORITY] = { NLA_U32, 0 },
	[RTA_PREFSRC] = { NLA_BINARY, 16 },
	[RTA_METRICS] = { NLA_NESTED, 0 },
	[RTA_TABLE] = { NLA_U32, 0 },
	[RTA_PREF] = { NLA_U8, 0 },
};

static size_t
alen(int af)
{
	return af == AF_INET ? 4 : 16;
}

/* An address attribute of the family's size, v4-mapped for IPv4. */
static void
put_addr(struct nlmsg_ctx *c, uint16_t type, int af,
    const struct in6_addr *a)
{
	if (af == AF_INET) {
		in_addr_t v = in6_v4addr(a);

		nl_put(c, type, &v, 4);
	} else {
		nl_put(c, type, a, 16);
	}
}

static int
get_addr(struct nlmsg_ctx *c, const struct nlattr *at, int af,
    struct in6_addr *a)
{
	/* Short is ERANGE, as Linux's attribute policy answers. */
	if (nla_len(at) != alen(af))
		return nl_err(c, nla_len(at) < alen(af) ? ERANGE : EINVAL,
		    "address of the wrong length");
	if (af == AF_INET) {
		in_addr_t v;

		memcpy(&v, nla_data(at), 4);
		in6_set_v4mapped(a, v);
	} else {
		memcpy(a, nla_data(at), 16);
	}
	return 0;
}

#define RTA_CACHEINFO	12
#define RTA_UID		25
#define RTM_F_CLONED	0x200
#define RTCF_LOCAL	0x80000000u

struct fill_arg {
	struct nlmsg_ctx *c;
	int table;		/* rtm_table of the request, 0: all */
	bool dump;
	bool get4;		/* ip route get, IPv4: as rt_fill_info */
};

/* struct rta_cacheinfo: an IPv4 route get's "cache" (all zero here:
 * no route cache). */
struct rta_cacheinfo {
	uint32_t rta_clntref, rta_lastuse;
	int32_t rta_expires;
	uint32_t rta_error, rta_used, rta_id, rta_ts, rta_tsage;
};

/* One RTM_NEWROUTE for ri, as fib_dump_info lays it out. */
static int
fill_route(const struct route_info *ri, void *arg)
{
	struct fill_arg *fa = arg;
	struct nlmsg_ctx *c = fa->c;
	struct rtmsg *m;

	m = nl_msg_begin(c, RTM_NEWROUTE, 0, sizeof(*m), fa->dump);
	if (m == NULL)
		return 0;
	m->rtm_family = (unsigned char)ri->ri_af;
	m->rtm_dst_len = (unsigned char)ri->ri_plen;
	m->rtm_table = ri->ri_table;
	m->rtm_protocol = ri->ri_protocol;
	m->rtm_scope = ri->ri_scope;
	m->rtm_type = ri->ri_type;
	nl_put_u32(c, RTA_TABLE, ri->ri_table);
	if (ri->ri_plen > 0)
		put_addr(c, RTA_DST, ri->ri_af, &ri->ri_dst);
	if (ri->ri_metric != 0 || ri->ri_af == AF_INET6)
		nl_put_u32(c, RTA_PRIORITY, ri->ri_metric);
	if (ri->ri_has_prefsrc)
		put_addr(c, RTA_PREFSRC, ri->ri_af, &ri->ri_prefsrc);
	if (ri->ri_flags & RTF_GATEWAY)
		put_addr(c, RTA_GATEWAY, ri->ri_af, &ri->ri_gw);
	if (ri->ri_ifindex != 0)
		nl_put_u32(c, RTA_OIF, (uint32_t)ri->ri_ifindex);
	/* Every IPv6 route has a router preference: medium (RFC 4191), as
	 * ip -6 route prints it ("pref medium"). */
	if (ri->ri_af == AF_INET6)
		nl_put_u8(c, RTA_PREF, 0);
	if (fa->get4) {
		/* Linux answers an IPv4 get from its route cache
		 * (rt_fill_info): a clone, no protocol or scope, the
		 * caller's uid, the cache's info. */
		struct rta_cacheinfo ci = { 0 };

		m->rtm_protocol = RTPROT_UNSPEC;
		m->rtm_scope = RT_SCOPE_UNIVERSE;
		m->rtm_flags = RTM_F_CLONED |
		    (ri->ri_type == RTN_LOCAL ? RTCF_LOCAL : 0);
		nl_put_u32(c, RTA_UID, curproc->p_cred->cr_uid);
		nl_put(c, RTA_CACHEINFO, &ci, sizeof(ci));
	}
	nl_msg_end(c);
	return 0;
}

/* The rtmsg and attributes of a request. */
static int
parse_route(struct nlmsg_ctx *c, struct rtmsg *m, const struct nlattr **tb)
{
	const struct nlmsghdr *h = c->nc_req;

	if (nl_paylen(h) < sizeof(*m))
		return nl_err(c, EINVAL, "Invalid header for route request");
	memcpy(m, nl_payload(h), sizeof(*m));
	return nl_parse(c, nl_payload(h) + NLMSG_ALIGN(sizeof(*m)),
	    nl_paylen(h) - MIN(nl_paylen(h), NLMSG_ALIGN(sizeof(*m))), tb,
	    RTA_MAX, route_policy);
}

/* A request as a route_info (add, delete). */
static int
req_route(struct nlmsg_ctx *c, const struct rtmsg *m,
    const struct nlattr **tb, struct route_info *ri)
{
	int error;

	memset(ri, 0, sizeof(*ri));
	if (m->rtm_family != AF_INET && m->rtm_family != AF_INET6)
		return nl_err(c, EAFNOSUPPORT, "Invalid address family");
	ri->ri_af = m->rtm_family;
	if (m->rtm_dst_len > (ri->ri_af == AF_INET ? 32 : 128))
		return nl_err(c, EINVAL, "Invalid prefix length");
	ri->ri_plen = m->rtm_dst_len;
	ri->ri_table = tb[RTA_TABLE] != NULL ?
	    (uint8_t)nla_get_u32(tb[RTA_TABLE]) : m->rtm_table;
	if (tb[RTA_TABLE] != NULL && nla_get_u32(tb[RTA_TABLE]) > 255)
		return nl_err(c, EOPNOTSUPP, "only tables 0-255");
	ri->ri_type = m->rtm_type;
	ri->ri_protocol = m->rtm_protocol;
	ri->ri_scope = m->rtm_scope;
	if (ri->ri_af == AF_INET)
		in6_set_v4mapped(&ri->ri_dst, 0);
	if (tb[RTA_DST] != NULL &&
	    (error = get_addr(c, tb[RTA_DST], ri->ri_af, &ri->ri_dst)) != 0)
		return error;
	if (tb[RTA_GATEWAY] != NULL) {
		if ((error = get_addr(c, tb[RTA_GATEWAY], ri->ri_af,
		    &ri->ri_gw)) != 0)
			return error;
		ri->ri_flags |= RTF_GATEWAY;
	}
	if (tb[RTA_PREFSRC] != NULL) {
		if ((error = get_addr(c, tb[RTA_PREFSRC], ri->ri_af,
		    &ri->ri_prefsrc)) != 0)
			return error;
		ri->ri_has_prefsrc = true;
	}
	if (tb[RTA_OIF] != NULL)
		ri->ri_ifindex = (int)nla_get_u32(tb[RTA_OIF]);
	if (tb[RTA_PRIORITY] != NULL)
		ri->ri_metric = nla_get_u32(tb[RTA_PRIORITY]);
	else if (ri->ri_af == AF_INET6 && c->nc_req->nlmsg_type ==
	    RTM_NEWROUTE)
		ri->ri_metric = RT6_METRIC_USER;	/* Linux's default */
	return 0;
}

/* `ip route get ADDR`: the route the table would use, one message. */
static int
get_one(struct nlmsg_ctx *c, const struct rtmsg *m, const struct nlattr **tb)
{
	struct route_info ri, req;
	struct fill_arg fa = { c, 0, false, false };
	int error;

	if ((error = req_route(c, m, tb, &req)) != 0)
		return error;
	if (tb[RTA_DST] == NULL)
		return nl_err(c, EINVAL, "missing RTA_DST");
	if ((error = route_lookup(req.ri_af, &req.ri_dst, req.ri_ifindex,
	    &ri)) != 0)
		return error;
	/* Linux answers for the destination itself, a /32 or /128, with
	 * the source address a socket connecting there would get. */
	if (!ri.ri_has_prefsrc && in_selectsrc(req.ri_af, &req.ri_dst,
	    req.ri_ifindex, &ri.ri_prefsrc) == 0)
		ri.ri_has_prefsrc = true;
	ri.ri_dst = req.ri_dst;
	ri.ri_plen = req.ri_af == AF_INET ? 32 : 128;
	fa.get4 = req.ri_af == AF_INET;
	/* Without policy rules Linux keeps the local table merged into
	 * main (fib_trie), so an IPv4 get names main. */
	if (fa.get4)
		ri.ri_table = RT_TABLE_MAIN;
	fill_route(&ri, &fa);
	return 0;
}

int
rtnl_getroute(struct nlmsg_ctx *c, bool dump)
{
	const struct nlattr *tb[RTA_MAX + 1];
	struct rtmsg m = { 0 };
	struct fill_arg fa = { c, 0, true, false };
	int error, af;

	if (!dump) {
		if ((error = parse_route(c, &m, tb)) != 0)
			return error;
		return get_one(c, &m, tb);
	}
	/* A dump request may carry only the family (struct rtgenmsg). */
	if (nl_paylen(c->nc_req) >= sizeof(m) &&
	    (error = parse_route(c, &m, tb)) != 0)
		return error;
	else if (nl_paylen(c->nc_req) >= 1)
		m.rtm_family = *nl_payload(c->nc_req);
	af = m.rtm_family;
	if (af != AF_UNSPEC && af != AF_INET && af != AF_INET6) {
		nl_done(c, 0);
		return 0;
	}
	/* Linux dumps IPv4 first, then IPv6; ip filters the tables. */
	if (af == AF_UNSPEC || af == AF_INET)
		(void)route_walk(AF_INET, 0, NULL, fill_route, &fa);
	if (af == AF_UNSPEC || af == AF_INET6)
		(void)route_walk(AF_INET6, 0, NULL, fill_route, &fa);
	nl_done(c, 0);
	return 0;
}

int
rtnl_newroute(struct nlmsg_ctx *c)
{
	const struct nlattr *tb[RTA_MAX + 1];
	struct route_info ri;
	struct rtmsg m;
	int error;

	if ((error = parse_route(c, &m, tb)) != 0 ||
	    (error = req_route(c, &m, tb, &ri)) != 0)
		return error;
	if (ri.ri_ifindex != 0 && if_byindex(ri.ri_ifindex) == NULL)
		return nl_err(c, ENODEV, "Device not found");
	if ((error = route6_gw_lo(&ri)) == EINVAL)
		return nl_err(c, error, "Egress device can not be loopback "
		    "device for this route");
	if (error != 0)
		return error;
	error = route_add(&ri, c->nc_req->nlmsg_flags &
	    (RT_F_REPLACE | RT_F_EXCL | RT_F_CREATE | RT_F_APPEND));
	if (error == ENETUNREACH)
		return nl_err(c, error, "Nexthop has invalid gateway");
	return error;
}

int
rtnl_delroute(struct nlmsg_ctx *c)
{
	const struct nlattr *tb[RTA_MAX + 1];
	struct route_info ri;
	struct rtmsg m;
	int error;

	if ((error = parse_route(c, &m, tb)) != 0 ||
	    (error = req_route(c, &m, tb, &ri)) != 0)
		return error;
	/* ip route del sends RT_SCOPE_NOWHERE: "any scope". */
	if (ri.ri_scope == RT_SCOPE_NOWHERE)
		ri.ri_scope = 0;
	return route_delete(&ri, tb[RTA_PRIORITY] != NULL);
}
