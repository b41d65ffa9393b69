/*
 * route_inject.c: rump_net_route() and rump_net_route_get(), the routing
 * table as a kernel-internal configuration path for tests (until the
 * route ioctls and rtnetlink reach it, and afterwards for the unit tests
 * of longest-prefix match).  Addresses are 4 bytes for AF_INET, 16 for
 * AF_INET6.
 *
 *   rump_net_route(op, af, dst, plen, gw, ifindex, metric, type)
 *     op 1 adds (as `ip route add`: CREATE|EXCL), 0 deletes (dst, plen,
 *     table main; gw/ifindex/metric/type matched where given, nonzero);
 *     gw NULL for a direct route; type RTN_* (0: unicast).  0 or an errno
 *     of route_add/route_delete (net/route.h).
 *   rump_net_route_get(af, dst, oif, gw, &ifindex, &plen, &type)
 *     the lookup (route_lookup): 0 with gw (the next hop: the gateway, or
 *     dst when on link), the interface, the matched prefix length and
 *     type; or its errno (ENETUNREACH, EHOSTUNREACH, ...).
 */
#include "k/kernel.h"
#include "k/abi_net.h"
#include "net/if.h"
#include "net/route.h"
#include "net/netinet/in_pcb.h"

int rump_net_route(int op, int af, const void *dst, int plen, const void *gw,
    int ifindex, unsigned metric, int type);
int rump_net_route_get(int af, const void *dst, int oif, void *gw,
    int *ifindex, int *plen, int *type);

static int
addr_in(int af, const void *p, struct in6_addr *a)
{
	uint32_t v4;

	if (af == AF_INET) {
		memcpy(&v4, p, 4);
		in6_set_v4mapped(a, v4);
		return 0;
	}
	if (af == AF_INET6) {
		memcpy(a, p, 16);
		return 0;
	}
	return EAFNOSUPPORT;
}

int
rump_net_route(int op, int af, const void *dst, int plen, const void *gw,
    int ifindex, unsigned metric, int type)
{
	struct route_info ri;
	struct lwp *l;
	int error;

	if (dst == NULL || type < 0 || type > RTN_MAX)
		return EINVAL;
	memset(&ri, 0, sizeof(ri));
	ri.ri_af = af;
	if ((error = addr_in(af, dst, &ri.ri_dst)) != 0)
		return error;
	if (gw != NULL) {
		(void)addr_in(af, gw, &ri.ri_gw);
		ri.ri_flags |= RTF_GATEWAY;
	}
	ri.ri_plen = plen;
	ri.ri_ifindex = ifindex;
	ri.ri_metric = metric;
	ri.ri_type = (uint8_t)type;
	ri.ri_table = RT_TABLE_MAIN;
	ri.ri_protocol = op ? RTPROT_BOOT : 0;
	if ((error = kernel_enter(&l)) != 0)
		return error;
	if (op)
		error = route_add(&ri, RT_F_CREATE | RT_F_EXCL);
	else
		error = route_delete(&ri, false);
	kernel_exit(l);
	return error;
}

int
rump_net_route_get(int af, const void *dst, int oif, void *gw,
    int *ifindex, int *plen, int *type)
{
	struct route_info ri;
	struct in6_addr d;
	const struct in6_addr *nh;
	struct lwp *l;
	int error;

	if (dst == NULL)
		return EINVAL;
	if ((error = addr_in(af, dst, &d)) != 0)
		return error;
	if ((error = kernel_enter(&l)) != 0)
		return error;
	error = route_lookup(af, &d, oif, &ri);
	kernel_exit(l);
	if (error != 0)
		return error;
	nh = (ri.ri_flags & RTF_GATEWAY) ? &ri.ri_gw : &d;
	if (gw != NULL) {
		if (af == AF_INET) {
			uint32_t v4 = in6_v4addr(nh);

			memcpy(gw, &v4, 4);
		} else
			memcpy(gw, nh, 16);
	}
	if (ifindex != NULL)
		*ifindex = ri.ri_ifindex;
	if (plen != NULL)
		*plen = ri.ri_plen;
	if (type != NULL)
		*type = ri.ri_type;
	return 0;
}

/*
 * rump_net_neigh(op, af, addr, ifindex, lladdr, lllen, state): the
 * neighbour table for tests.  op 1 adds (CREATE|EXCL, as `ip neigh add`),
 * 2 replaces (CREATE|REPLACE), 0 deletes, 3 looks up (then *state gets
 * the entry's NUD_* state and lladdr its address, lllen bytes at most),
 * 4 flushes af on ifindex (returns the count).  Errors as neigh_* give.
 */
int rump_net_neigh(int op, int af, const void *addr, int ifindex,
    void *lladdr, int lllen, int *state);

int
rump_net_neigh(int op, int af, const void *addr, int ifindex, void *lladdr,
    int lllen, int *state)
{
	struct neigh_info ni;
	struct lwp *l;
	int error;

	memset(&ni, 0, sizeof(ni));
	if (op != 4 && (addr == NULL ||
	    (error = addr_in(af, addr, &ni.ni_addr)) != 0))
		return addr == NULL ? EINVAL : error;
	if (lllen < 0 || lllen > NEIGH_LLMAX)
		return EINVAL;
	ni.ni_af = af;
	ni.ni_ifindex = ifindex;
	if ((error = kernel_enter(&l)) != 0)
		return error;
	switch (op) {
	case 1:
	case 2:
		if (lladdr != NULL)
			memcpy(ni.ni_lladdr, lladdr, (size_t)lllen);
		ni.ni_lllen = lladdr != NULL ? lllen : 0;
		ni.ni_state = state != NULL ? (uint16_t)*state : 0;
		error = neigh_add(&ni, op == 1 ? RT_F_CREATE | RT_F_EXCL :
		    RT_F_CREATE | RT_F_REPLACE);
		break;
	case 0:
		error = neigh_delete(af, &ni.ni_addr, ifindex);
		break;
	case 3:
		if ((error = neigh_lookup(af, &ni.ni_addr, ifindex, &ni)) == 0) {
			if (state != NULL)
				*state = ni.ni_state;
			if (lladdr != NULL)
				memcpy(lladdr, ni.ni_lladdr,
				    (size_t)MIN(lllen, ni.ni_lllen));
		}
		break;
	case 4:
		error = -neigh_flush(af, ifindex);
		break;
	default:
		error = EINVAL;
	}
	kernel_exit(l);
	return error < 0 ? -error : error;
}
