/*
 * rtnl_neigh.c: RTM_GETNEIGH/NEWNEIGH/DELNEIGH over the neighbour table
 * (net/route.h neigh_*), as Linux's neigh_add, neigh_delete, neigh_get
 * and neigh_dump_info (net/core/neighbour.c) check requests and
 * neigh_fill_info lays entries out: `ip neigh add/replace/change/del`,
 * `ip neigh show`, `ip -s neigh` (NDA_CACHEINFO, NDA_PROBES), `ip neigh
 * get` and `ip neigh flush` (a dump, then a DELNEIGH per entry).  The
 * errnos and extended-ack texts are Linux's.
 *
 * Differences: proxy entries (NTF_PROXY, `ip neigh add proxy`) are not
 * kept (EOPNOTSUPP; their dump is empty); IPv4 entries on lo keep their
 * address (Linux files every one under 0.0.0.0 there, a quirk of
 * arp_hashfn for loopback devices).
 */
#include "netlink.h"
#include "net/if_cfg.h"
#include "net/route.h"
#include "net/netinet/in_pcb.h"

#define NDA_DST		1
#define NDA_LLADDR	2
#define NDA_CACHEINFO	3
#define NDA_PROBES	4
#define NDA_VLAN	5
#define NDA_PORT	6
#define NDA_VNI		7
#define NDA_IFINDEX	8
#define NDA_MASTER	9
#define NDA_LINK_NETNSID 10
#define NDA_SRC_VNI	11
#define NDA_PROTOCOL	12
#define NDA_NH_ID	13
#define NDA_FDB_EXT_ATTRS 14
#define NDA_FLAGS_EXT	15
#define NDA_MAX		17
#define MAX_ADDR_LEN	32

struct nda_cacheinfo {
	uint32_t ndm_confirmed;
	uint32_t ndm_used;
	uint32_t ndm_updated;
	uint32_t ndm_refcnt;
};

static const struct nl_policy neigh_policy[NDA_MAX + 1] = {
	[NDA_DST] = { NLA_BINARY, MAX_ADDR_LEN },
	[NDA_LLADDR] = { NLA_BINARY, MAX_ADDR_LEN },
	[NDA_CACHEINFO] = { NLA_BINARY, sizeof(struct nda_cacheinfo) },
	[NDA_PROBES] = { NLA_U32, 0 },
	[NDA_VLAN] = { NLA_U16, 0 },
	[NDA_PORT] = { NLA_U16, 0 },
	[NDA_VNI] = { NLA_U32, 0 },
	[NDA_IFINDEX] = { NLA_U32, 0 },
	[NDA_MASTER] = { NLA_U32, 0 },
	[NDA_PROTOCOL] = { NLA_U8, 0 },
	[NDA_NH_ID] = { NLA_U32, 0 },
	[NDA_FLAGS_EXT] = { NLA_U32, 0 },
};

/* The device's link address length as Linux reports it (lo: 6 zeros). */
static int
dev_addr_len(const struct ifnet *ifp)
{
	if (ifp->if_hwlen > 0)
		return ifp->if_hwlen;
	return ifp->if_type == ARPHRD_LOOPBACK ? 6 : 0;
}

/* Centiseconds (USER_HZ ticks, what iproute2 divides by) from ms. */
static uint32_t
ticks(uint32_t ms)
{
	return ms / 10;
}

struct fill_arg {
	struct nlmsg_ctx *c;
	bool dump;
};

/* One RTM_NEWNEIGH for ni (neigh_lock held: only copies). */
static int
fill_neigh(const struct neigh_info *ni, void *arg)
{
	struct fill_arg *fa = arg;
	struct nlmsg_ctx *c = fa->c;
	struct nda_cacheinfo ci;
	struct ndmsg *m;

	m = nl_msg_begin(c, RTM_NEWNEIGH, 0, sizeof(*m), fa->dump);
	if (m == NULL)
		return 0;
	m->ndm_family = (uint8_t)ni->ni_af;
	m->ndm_ifindex = ni->ni_ifindex;
	m->ndm_state = ni->ni_state;
	m->ndm_flags = ni->ni_flags;
	m->ndm_type = RTN_UNICAST;
	if (ni->ni_af == AF_INET) {
		in_addr_t a = in6_v4addr(&ni->ni_addr);

		nl_put(c, NDA_DST, &a, 4);
	} else {
		nl_put(c, NDA_DST, &ni->ni_addr, 16);
	}
	/* Linux gives the link address of valid entries only. */
	if ((ni->ni_state & NUD_VALID) && ni->ni_lllen > 0)
		nl_put(c, NDA_LLADDR, ni->ni_lladdr, (size_t)ni->ni_lllen);
	ci.ndm_confirmed = ticks(ni->ni_confirmed_ms);
	ci.ndm_used = ticks(ni->ni_used_ms);
	ci.ndm_updated = ticks(ni->ni_updated_ms);
	ci.ndm_refcnt = 1;
	nl_put(c, NDA_CACHEINFO, &ci, sizeof(ci));
	nl_put_u32(c, NDA_PROBES, ni->ni_probes);
	nl_msg_end(c);
	return 0;
}

static int
parse_neigh(struct nlmsg_ctx *c, struct ndmsg *m, const struct nlattr **tb,
    const char *hdrmsg)
{
	const struct nlmsghdr *h = c->nc_req;

	if (nl_paylen(h) < sizeof(*m))
		return nl_err(c, EINVAL, hdrmsg);
	memcpy(m, nl_payload(h), sizeof(*m));
	return nl_parse(c, nl_payload(h) + NLMSG_ALIGN(sizeof(*m)),
	    nl_paylen(h) - MIN(nl_paylen(h), NLMSG_ALIGN(sizeof(*m))), tb,
	    NDA_MAX, neigh_policy);
}

/* The family's key length, or 0 for a family without a table. */
static size_t
key_len(int af)
{
	return af == AF_INET ? 4 : af == AF_INET6 ? 16 : 0;
}

static void
get_key(int af, const struct nlattr *at, struct in6_addr *a)
{
	if (af == AF_INET) {
		in_addr_t v;

		memcpy(&v, nla_data(at), 4);
		in6_set_v4mapped(a, v);
	} else {
		memcpy(a, nla_data(at), 16);
	}
}

/*
 * What neigh_add and neigh_delete check first, in Linux's order: the
 * destination present, the device, the link address, the family, the
 * destination's length.  *ifpp is NULL when ndm_ifindex is 0.
 */
static int
req_common(struct nlmsg_ctx *c, const struct ndmsg *m,
    const struct nlattr **tb, struct ifnet **ifpp, struct in6_addr *key)
{
	struct ifnet *ifp = NULL;

	if (tb[NDA_DST] == NULL)
		return nl_err(c, EINVAL, "Network address not specified");
	if (m->ndm_ifindex != 0) {
		if ((ifp = if_byindex(m->ndm_ifindex)) == NULL)
			return ENODEV;
		if (tb[NDA_LLADDR] != NULL && c->nc_req->nlmsg_type ==
		    RTM_NEWNEIGH &&
		    nla_len(tb[NDA_LLADDR]) < (size_t)dev_addr_len(ifp))
			return nl_err(c, EINVAL, "Invalid link address");
	}
	if (key_len(m->ndm_family) == 0)
		return EAFNOSUPPORT;
	if (nla_len(tb[NDA_DST]) < key_len(m->ndm_family))
		return nl_err(c, EINVAL, "Invalid network address");
	get_key(m->ndm_family, tb[NDA_DST], key);
	*ifpp = ifp;
	return 0;
}

int
rtnl_newneigh(struct nlmsg_ctx *c)
{
	const struct nlattr *tb[NDA_MAX + 1];
	struct neigh_info ni;
	struct ifnet *ifp;
	struct ndmsg m;
	int error, flags;

	if ((error = parse_neigh(c, &m, tb, "Invalid header for neighbor "
	    "add request")) != 0 ||
	    (error = req_common(c, &m, tb, &ifp, &ni.ni_addr)) != 0)
		return error;
	if (m.ndm_flags & NTF_PROXY)
		return nl_err(c, EOPNOTSUPP, "proxy neighbours are not "
		    "supported");
	if (ifp == NULL)
		return nl_err(c, EINVAL, "Device not specified");
	memset(&ni, 0, sizeof(ni));
	get_key(m.ndm_family, tb[NDA_DST], &ni.ni_addr);
	ni.ni_af = m.ndm_family;
	ni.ni_ifindex = ifp->if_index;
	ni.ni_flags = m.ndm_flags & NTF_ROUTER;
	/* ip always sends a state (PERMANENT unless `nud`); a raw 0 is
	 * neigh_add's "permanent" (Linux would keep a NUD_NONE entry). */
	ni.ni_state = m.ndm_state;
	if (tb[NDA_LLADDR] != NULL) {
		ni.ni_lllen = dev_addr_len(ifp);
		if (ni.ni_lllen > NEIGH_LLMAX)
			return nl_err(c, EINVAL, "Invalid link address");
		memcpy(ni.ni_lladdr, nla_data(tb[NDA_LLADDR]),
		    (size_t)ni.ni_lllen);
		/* lo's "address" is kept as the table wants it. */
		if (ifp->if_hwlen == 0)
			ni.ni_lllen = 0;
	}
	if (tb[NDA_PROBES] != NULL)
		ni.ni_probes = nla_get_u32(tb[NDA_PROBES]);
	flags = c->nc_req->nlmsg_flags & (RT_F_CREATE | RT_F_EXCL |
	    RT_F_REPLACE);
	error = neigh_add(&ni, flags);
	if (error == EINVAL && tb[NDA_LLADDR] == NULL)
		return nl_err(c, EINVAL, "link address needed for this "
		    "state");
	return error;
}

int
rtnl_delneigh(struct nlmsg_ctx *c)
{
	const struct nlattr *tb[NDA_MAX + 1];
	struct in6_addr key;
	struct ifnet *ifp;
	struct ndmsg m;
	int error;

	if ((error = parse_neigh(c, &m, tb, "Invalid header for neighbor "
	    "delete request")) != 0 ||
	    (error = req_common(c, &m, tb, &ifp, &key)) != 0)
		return error;
	if (m.ndm_flags & NTF_PROXY)
		return ENOENT;		/* no proxy entries exist */
	if (ifp == NULL)
		return EINVAL;
	return neigh_delete(m.ndm_family, &key, ifp->if_index);
}

/* `ip neigh get ADDR dev X`: neigh_valid_get_req, then neigh_get. */
static int
get_one(struct nlmsg_ctx *c)
{
	const struct nlattr *tb[NDA_MAX + 1];
	struct fill_arg fa = { c, false };
	struct neigh_info ni;
	struct in6_addr key;
	struct ifnet *ifp = NULL;
	struct ndmsg m;
	int error;

	if ((error = parse_neigh(c, &m, tb, "Invalid header for neighbor "
	    "get request")) != 0)
		return error;
	if (m.ndm_pad1 || m.ndm_pad2 || m.ndm_state || m.ndm_type)
		return nl_err(c, EINVAL, "Invalid values in header for "
		    "neighbor get request");
	if (m.ndm_flags & ~NTF_PROXY)
		return nl_err(c, EINVAL, "Invalid flags in header for "
		    "neighbor get request");
	if (key_len(m.ndm_family) == 0)
		return nl_err(c, EAFNOSUPPORT, "Unsupported family in header "
		    "for neighbor get request");
	for (int i = 1; i <= NDA_MAX; i++) {
		if (tb[i] == NULL)
			continue;
		if (i != NDA_DST)
			return nl_err(c, EINVAL, "Unsupported attribute in "
			    "neighbor get request");
		if (nla_len(tb[i]) != key_len(m.ndm_family))
			return nl_err(c, EINVAL, "Invalid network address in "
			    "neighbor get request");
	}
	if (m.ndm_ifindex != 0 &&
	    (ifp = if_byindex(m.ndm_ifindex)) == NULL)
		return nl_err(c, ENODEV, "Unknown device ifindex");
	if (tb[NDA_DST] == NULL)
		return nl_err(c, EINVAL, "Network address not specified");
	if (m.ndm_flags & NTF_PROXY)
		return nl_err(c, ENOENT, "Proxy neighbour entry not found");
	if (ifp == NULL)
		return nl_err(c, EINVAL, "No device specified");
	get_key(m.ndm_family, tb[NDA_DST], &key);
	if (neigh_lookup(m.ndm_family, &key, ifp->if_index, &ni) != 0)
		return nl_err(c, ENOENT, "Neighbour entry not found");
	fill_neigh(&ni, &fa);
	return 0;
}

int
rtnl_getneigh(struct nlmsg_ctx *c, bool dump)
{
	const struct nlattr *tb[NDA_MAX + 1];
	struct fill_arg fa = { c, true };
	struct ndmsg m = { 0 };
	int error, ifindex = 0;
	bool strict = (c->nc_pcb->np_flags & NLF_STRICT) != 0;

	if (!dump)
		return get_one(c);
	/* A dump may carry only the family (struct rtgenmsg); with the
	 * strict check a full header whose fields are zero (neigh_valid_
	 * dump_req) and the NDA_IFINDEX/NDA_MASTER filters. */
	if (nl_paylen(c->nc_req) >= sizeof(m)) {
		if ((error = parse_neigh(c, &m, tb, "")) != 0)
			return error;
		if (strict && (m.ndm_pad1 || m.ndm_pad2 || m.ndm_ifindex ||
		    m.ndm_state || m.ndm_type))
			return nl_err(c, EINVAL, "Invalid values in header "
			    "for neighbor dump request");
		if (strict && (m.ndm_flags & ~NTF_PROXY))
			return nl_err(c, EINVAL, "Invalid flags in header "
			    "for neighbor dump request");
		if (tb[NDA_IFINDEX] != NULL)
			ifindex = (int)nla_get_u32(tb[NDA_IFINDEX]);
		if (tb[NDA_MASTER] != NULL && nla_get_u32(tb[NDA_MASTER]))
			ifindex = -1;	/* no interface has a master */
	} else if (strict) {
		return nl_err(c, EINVAL, "Invalid header for neighbor dump "
		    "request");
	} else if (nl_paylen(c->nc_req) >= 1) {
		m.ndm_family = *nl_payload(c->nc_req);
	}
	/* No proxy entries; a filter on an interface that does not exist
	 * (or on a master) matches nothing, as Linux's. */
	if (!(m.ndm_flags & NTF_PROXY) && ifindex >= 0 &&
	    (ifindex == 0 || if_byindex(ifindex) != NULL)) {
		/* Linux dumps table by table: ARP, then ND. */
		if (m.ndm_family == AF_UNSPEC || m.ndm_family == AF_INET)
			(void)neigh_walk(AF_INET, ifindex, NULL, fill_neigh,
			    &fa);
		if (m.ndm_family == AF_UNSPEC || m.ndm_family == AF_INET6)
			(void)neigh_walk(AF_INET6, ifindex, NULL, fill_neigh,
			    &fa);
	}
	nl_done(c, 0);
	return 0;
}
