/*
 * rtnl.c: NETLINK_ROUTE (rtnetlink(7)): links and addresses, as Linux's
 * rtnetlink_rcv_msg dispatches them: a type past RTM_MAX or without a
 * handler is EOPNOTSUPP, every kind but GET needs CAP_NET_ADMIN (EPERM).
 * Routes, neighbours and rules belong to the netif work's tables: until
 * they exist, their dumps are empty (the kernel's only route is the
 * loopback's local one, which Linux keeps in the local table) and
 * changes answer EOPNOTSUPP.
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
	case RTM_GETROUTE: case RTM_GETNEIGH: case RTM_GETRULE:
		if (!dump)
			return nl_err(c, EOPNOTSUPP, "no routing or "
			    "neighbour table yet");
		nl_done(c, 0);
		return 0;
	default:
		return EOPNOTSUPP;
	}
}
