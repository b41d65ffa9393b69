/*
 * rtnl.c: NETLINK_ROUTE (rtnetlink(7)): links and addresses, as Linux's
 * rtnetlink_rcv_msg dispatches them: a type past RTM_MAX or without a
 * handler is EOPNOTSUPP, every kind but GET needs CAP_NET_ADMIN (EPERM).
 * Routes are the routing table's (rtnl_route.c), neighbours the
 * neighbour table's (rtnl_neigh.c); rules are not served yet: their dump
 * is empty and changes EOPNOTSUPP.
 */
#include "netlink.h"
#include "net/if_cfg.h"

int
rtnl_rcv(struct nlmsg_ctx *c)
{
	const struct nlmsghdr *h = c->nc_req;
	int type = h->nlmsg_type;
	bool dump = (h->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;

	if (type > RTM_MAX)
		return EOPNOTSUPP;
	if ((type & 3) != 2 && !netcfg_priv())
		return EPERM;
	switch (type) {
	case RTM_GETLINK:	return rtnl_getlink(c, dump);
	case RTM_NEWLINK:	return rtnl_newlink(c);
	case RTM_DELLINK:	return rtnl_dellink(c);
	case RTM_SETLINK:	return rtnl_setlink(c);
	case RTM_GETADDR:	return rtnl_getaddr(c, dump);
	case RTM_NEWADDR:	return rtnl_newaddr(c);
	case RTM_DELADDR:	return rtnl_deladdr(c);
	case RTM_GETROUTE:	return rtnl_getroute(c, dump);
	case RTM_NEWROUTE:	return rtnl_newroute(c);
	case RTM_DELROUTE:	return rtnl_delroute(c);
	case RTM_GETNEIGH:	return rtnl_getneigh(c, dump);
	case RTM_NEWNEIGH:	return rtnl_newneigh(c);
	case RTM_DELNEIGH:	return rtnl_delneigh(c);
	case RTM_GETRULE:
		if (!dump)
			return nl_err(c, EOPNOTSUPP, "no rule requests yet");
		nl_done(c, 0);
		return 0;
	default:
		return EOPNOTSUPP;
	}
}
