/*
 * rtnl_link.c: RTM_GETLINK/NEWLINK/SETLINK/DELLINK, links as iproute2
 * reads and changes them (the attributes of Linux's rtnl_fill_ifinfo
 * that `ip link` and `ip -s link` print; flags, MTU, name and queue
 * length changes through if_cfg.c).
 */
#include "netlink.h"
#include "net/if_cfg.h"

static const struct nl_policy link_policy[IFLA_MAX + 1] = {
	[IFLA_IFNAME] = { NLA_IFNAME, 0 },
	[IFLA_MTU] = { NLA_U32, 0 },
	[IFLA_TXQLEN] = { NLA_U32, 0 },
	[IFLA_EXT_MASK] = { NLA_U32, 0 },
	[IFLA_LINKINFO] = { NLA_NESTED, 0 },
	[IFLA_ADDRESS] = { NLA_BINARY, 32 },
	[IFLA_OPERSTATE] = { NLA_U8, 0 },
	[IFLA_LINKMODE] = { NLA_U8, 0 },
};

static void
fill_stats(const struct ifnet *ifp, struct rtnl_link_stats64 *s)
{
	const struct if_counters *k = &ifp->if_cnt;

	memset(s, 0, sizeof(*s));
	s->rx_packets = atomic_load(&k->ipackets);
	s->rx_bytes = atomic_load(&k->ibytes);
	s->rx_errors = atomic_load(&k->ierrors);
	s->rx_dropped = atomic_load(&k->idrops);
	s->tx_packets = atomic_load(&k->opackets);
	s->tx_bytes = atomic_load(&k->obytes);
	s->tx_errors = atomic_load(&k->oerrors);
	s->tx_dropped = atomic_load(&k->odrops);
	s->multicast = atomic_load(&k->imcasts);
}

/* One RTM_NEWLINK describing ifp (if_lock held). */
static void
fill_link(struct nlmsg_ctx *c, struct ifnet *ifp, bool dump)
{
	struct ifinfomsg *ifi;
	struct rtnl_link_stats64 s64;
	struct rtnl_link_stats s32;
	struct rtnl_link_ifmap map = { 0 };
	unsigned flags = ifc_getflags(ifp);
	bool lo = ifp->if_type == ARPHRD_LOOPBACK;
	uint8_t hw[8] = { 0 }, brd[8];
	int hwlen = ifp->if_hwlen > 0 ? ifp->if_hwlen : lo ? 6 : 0;

	ifi = nl_msg_begin(c, RTM_NEWLINK, 0, sizeof(*ifi), dump);
	if (ifi == NULL)
		return;
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_type = (unsigned short)ifp->if_type;
	ifi->ifi_index = ifp->if_index;
	ifi->ifi_flags = flags;
	nl_put_str(c, IFLA_IFNAME, ifp->if_name);
	nl_put_u32(c, IFLA_TXQLEN, (uint32_t)ifp->if_txqlen);
	nl_put_u8(c, IFLA_OPERSTATE, lo ? IF_OPER_UNKNOWN :
	    (flags & IFF_RUNNING) ? IF_OPER_UP : IF_OPER_DOWN);
	nl_put_u8(c, IFLA_LINKMODE, 0);
	nl_put_u32(c, IFLA_MTU, ifp->if_mtu);
	nl_put_u32(c, IFLA_MIN_MTU, lo ? 0 : 68);
	nl_put_u32(c, IFLA_MAX_MTU, lo ? 0 : 65535);
	nl_put_u32(c, IFLA_GROUP, 0);
	nl_put_u32(c, IFLA_PROMISCUITY, (flags & IFF_PROMISC) ? 1 : 0);
	nl_put_u32(c, IFLA_NUM_TX_QUEUES, 1);
	nl_put_u32(c, IFLA_NUM_RX_QUEUES, 1);
	nl_put_u8(c, IFLA_CARRIER, (flags & IFF_RUNNING) ? 1 : 0);
	nl_put_str(c, IFLA_QDISC, lo ? "noqueue" : "pfifo_fast");
	nl_put_u32(c, IFLA_CARRIER_CHANGES, 0);
	nl_put(c, IFLA_MAP, &map, sizeof(map));
	if (hwlen > 0) {
		memcpy(hw, ifp->if_hwaddr, (size_t)MIN(ifp->if_hwlen, 8));
		memset(brd, lo ? 0 : 0xff, sizeof(brd));
		nl_put(c, IFLA_ADDRESS, hw, (size_t)hwlen);
		nl_put(c, IFLA_BROADCAST, brd, (size_t)hwlen);
	}
	fill_stats(ifp, &s64);
	nl_put(c, IFLA_STATS64, &s64, sizeof(s64));
	s32 = (struct rtnl_link_stats){
		.rx_packets = (uint32_t)s64.rx_packets,
		.tx_packets = (uint32_t)s64.tx_packets,
		.rx_bytes = (uint32_t)s64.rx_bytes,
		.tx_bytes = (uint32_t)s64.tx_bytes,
		.rx_errors = (uint32_t)s64.rx_errors,
		.tx_errors = (uint32_t)s64.tx_errors,
		.rx_dropped = (uint32_t)s64.rx_dropped,
		.tx_dropped = (uint32_t)s64.tx_dropped,
		.multicast = (uint32_t)s64.multicast,
	};
	nl_put(c, IFLA_STATS, &s32, sizeof(s32));
	nl_msg_end(c);
}

/*
 * The short link message Linux's IPv6 layer dumps for RTM_GETLINK with
 * family AF_INET6 (`ip -6 addr`'s link lines): name, link address, MTU,
 * operational state and the IPv6 protocol information, nothing else (no
 * qdisc, group or queue length: ip asks SIOCGIFTXQLEN for that).
 */
static void
fill_link6(struct nlmsg_ctx *c, struct ifnet *ifp)
{
	struct ifinfomsg *ifi;
	struct ifla_cacheinfo ci = { .max_reasm_len = 65535,
	    .reachable_time = 30000, .retrans_time = 1000 };
	struct in6_addr token = { 0 };
	unsigned flags = ifc_getflags(ifp);
	bool lo = ifp->if_type == ARPHRD_LOOPBACK;
	uint8_t hw[8] = { 0 };
	int hwlen = ifp->if_hwlen > 0 ? ifp->if_hwlen : lo ? 6 : 0;
	size_t nest;

	ifi = nl_msg_begin(c, RTM_NEWLINK, 0, sizeof(*ifi), true);
	if (ifi == NULL)
		return;
	ifi->ifi_family = AF_INET6;
	ifi->ifi_type = (unsigned short)ifp->if_type;
	ifi->ifi_index = ifp->if_index;
	ifi->ifi_flags = flags;
	nl_put_str(c, IFLA_IFNAME, ifp->if_name);
	if (hwlen > 0) {
		memcpy(hw, ifp->if_hwaddr, (size_t)MIN(ifp->if_hwlen, 8));
		nl_put(c, IFLA_ADDRESS, hw, (size_t)hwlen);
	}
	nl_put_u32(c, IFLA_MTU, ifp->if_mtu);
	nl_put_u8(c, IFLA_OPERSTATE, lo ? IF_OPER_UNKNOWN :
	    (flags & IFF_RUNNING) ? IF_OPER_UP : IF_OPER_DOWN);
	nest = nl_nest_begin(c, IFLA_PROTINFO);
	nl_put_u32(c, IFLA_INET6_FLAGS, (flags & IFF_RUNNING) ? IF_RA_READY :
	    0);
	nl_put(c, IFLA_INET6_CACHEINFO, &ci, sizeof(ci));
	nl_put(c, IFLA_INET6_TOKEN, &token, sizeof(token));
	nl_put_u8(c, IFLA_INET6_ADDR_GEN_MODE, 0);	/* EUI-64 */
	nl_nest_end(c, nest);
	nl_msg_end(c);
}

/* The ifinfomsg and attributes of a link request. */
static int
parse_link(struct nlmsg_ctx *c, struct ifinfomsg *ifi,
    const struct nlattr **tb)
{
	const struct nlmsghdr *h = c->nc_req;

	if (nl_paylen(h) < sizeof(*ifi))
		return nl_err(c, EINVAL, "Invalid header for link request");
	memcpy(ifi, nl_payload(h), sizeof(*ifi));
	return nl_parse(c, nl_payload(h) + NLMSG_ALIGN(sizeof(*ifi)),
	    nl_paylen(h) - MIN(nl_paylen(h), NLMSG_ALIGN(sizeof(*ifi))), tb,
	    IFLA_MAX, link_policy);
}

static void
attr_name(const struct nlattr *a, char *name)
{
	size_t n = MIN(nla_len(a), (size_t)IFNAMSIZ - 1);

	memcpy(name, nla_data(a), n);
	name[n] = '\0';
	
}

/* The link a request names (index first, else IFLA_IFNAME). */
static struct ifnet *
find_link(const struct ifinfomsg *ifi, const struct nlattr **tb)
{
	char name[IFNAMSIZ];

	if (ifi->ifi_index > 0)
		return if_byindex(ifi->ifi_index);
	if (tb[IFLA_IFNAME] != NULL) {
		attr_name(tb[IFLA_IFNAME], name);
		return if_byname(name);
	}
	return NULL;
}

int
rtnl_getlink(struct nlmsg_ctx *c, bool dump)
{
	const struct nlattr *tb[IFLA_MAX + 1];
	struct ifinfomsg ifi = { 0 };
	struct ifnet *ifp;
	int error;

	if (dump) {
		/* Legacy dumps send a one-byte rtgenmsg: allowed. */
		if (nl_paylen(c->nc_req) >= sizeof(ifi) &&
		    (error = parse_link(c, &ifi, tb)) != 0)
			return error;
		/* Only a dump has a family of its own: a single get of
		 * any family is answered by the full message, as Linux's
		 * falls back to its AF_UNSPEC handler. */
		if (nl_paylen(c->nc_req) >= 1)
			ifi.ifi_family = *nl_payload(c->nc_req);
		rw_enter(&if_lock, false);
		TAILQ_FOREACH(ifp, &if_all, if_list) {
			if (ifp->if_gone)
				continue;
			if (ifi.ifi_family == AF_INET6)
				fill_link6(c, ifp);
			else
				fill_link(c, ifp, true);
		}
		rw_exit(&if_lock);
		nl_done(c, 0);
		return 0;
	}
	if ((error = parse_link(c, &ifi, tb)) != 0)
		return error;
	if (ifi.ifi_index <= 0 && tb[IFLA_IFNAME] == NULL)
		return nl_err(c, EINVAL, "need ifindex or ifname");
	if ((ifp = find_link(&ifi, tb)) == NULL)
		return ENODEV;
	rw_enter(&if_lock, false);
	fill_link(c, ifp, false);
	rw_exit(&if_lock);
	return 0;
}

/* do_setlink: the changes a NEWLINK/SETLINK of an existing link asks. */
static int
set_link(struct nlmsg_ctx *c, struct ifnet *ifp, const struct ifinfomsg *ifi,
    const struct nlattr **tb)
{
	char name[IFNAMSIZ];
	int error;

	/* validate_linkmsg, then dev_set_mac_address as SIOCSIFHWADDR. */
	if (tb[IFLA_ADDRESS] != NULL) {
		if (nla_len(tb[IFLA_ADDRESS]) < (size_t)ifp->if_hwlen)
			return EINVAL;
		if ((error = ifc_sethwaddr(ifp, ifp->if_type,
		    nla_data(tb[IFLA_ADDRESS]))) != 0)
			return error;
	}
	if (tb[IFLA_MTU] != NULL) {
		uint32_t mtu = nla_get_u32(tb[IFLA_MTU]);

		if (mtu > INT32_MAX ||
		    (error = ifc_setmtu(ifp, (int)mtu)) != 0)
			return nl_err(c, EINVAL, "MTU out of range");
	}
	if (tb[IFLA_TXQLEN] != NULL &&
	    (error = ifc_settxqlen(ifp, (int)MIN(nla_get_u32(tb[IFLA_TXQLEN]),
	    (uint32_t)INT32_MAX))) != 0)
		return error;
	if (ifi->ifi_index > 0 && tb[IFLA_IFNAME] != NULL) {
		attr_name(tb[IFLA_IFNAME], name);
		if ((error = ifc_rename(ifp, name)) != 0)
			return error;
	}
	if (ifi->ifi_flags != 0 || ifi->ifi_change != 0) {
		unsigned f = ifi->ifi_flags;

		/* ifi_change 0 means every flag (Linux's compatibility). */
		if (ifi->ifi_change != 0)
			f = (f & ifi->ifi_change) |
			    (ifc_getflags(ifp) & ~ifi->ifi_change);
		if ((error = ifc_setflags(ifp, f)) != 0)
			return error;
	}
	return 0;
}

int
rtnl_setlink(struct nlmsg_ctx *c)
{
	const struct nlattr *tb[IFLA_MAX + 1];
	struct ifinfomsg ifi;
	struct ifnet *ifp;
	int error;

	if ((error = parse_link(c, &ifi, tb)) != 0)
		return error;
	if (ifi.ifi_index <= 0 && tb[IFLA_IFNAME] == NULL)
		return nl_err(c, EINVAL, "need ifindex or ifname");
	if ((ifp = find_link(&ifi, tb)) == NULL)
		return ENODEV;
	return set_link(c, ifp, &ifi, tb);
}

int
rtnl_newlink(struct nlmsg_ctx *c)
{
	const struct nlattr *tb[IFLA_MAX + 1], *li[IFLA_INFO_DATA + 1];
	static const struct nl_policy info_policy[IFLA_INFO_DATA + 1] = {
		[IFLA_INFO_KIND] = { NLA_IFNAME, 0 },
	};
	const struct nlmsghdr *h = c->nc_req;
	struct ifinfomsg ifi;
	struct ifnet *ifp;
	char kind[IFNAMSIZ], name[IFNAMSIZ];
	int error;

	if ((error = parse_link(c, &ifi, tb)) != 0)
		return error;
	ifp = find_link(&ifi, tb);
	if (ifp != NULL) {
		if (h->nlmsg_flags & NLM_F_EXCL)
			return EEXIST;
		return set_link(c, ifp, &ifi, tb);
	}
	if (ifi.ifi_index > 0 && tb[IFLA_IFNAME] == NULL)
		return ENODEV;
	if (!(h->nlmsg_flags & NLM_F_CREATE))
		return ENODEV;
	if (tb[IFLA_LINKINFO] == NULL)
		return nl_err(c, EINVAL, "kind of the new link missing");
	if ((error = nl_parse(c, nla_data(tb[IFLA_LINKINFO]),
	    nla_len(tb[IFLA_LINKINFO]), li, IFLA_INFO_DATA,
	    info_policy)) != 0)
		return error;
	if (li[IFLA_INFO_KIND] == NULL)
		return nl_err(c, EINVAL, "kind of the new link missing");
	if (tb[IFLA_IFNAME] == NULL)
		return nl_err(c, EINVAL, "name of the new link missing");
	attr_name(li[IFLA_INFO_KIND], kind);
	attr_name(tb[IFLA_IFNAME], name);
	error = if_kind_create(kind, name);
	if (error == EOPNOTSUPP)
		return nl_err(c, error, "Unknown device type");
	return error;
}

int
rtnl_dellink(struct nlmsg_ctx *c)
{
	const struct nlattr *tb[IFLA_MAX + 1];
	struct ifinfomsg ifi;
	struct ifnet *ifp;
	int error;

	if ((error = parse_link(c, &ifi, tb)) != 0)
		return error;
	if ((ifp = find_link(&ifi, tb)) == NULL)
		return ENODEV;
	return ifc_destroy(ifp);
}
