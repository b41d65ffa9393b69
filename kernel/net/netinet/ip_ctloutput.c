/*
 * ip_ctloutput.c: the IP-level socket options shared by every inet
 * transport (SOL_IP, SOL_IPV6), ancillary data in both directions, the
 * IP_RECVERR flag (the queue itself is ip_errq.c) and multicast
 * memberships (contract in netinet/ip_var.h).  Everything here runs with the socket's so_lock
 * held; the system-wide group list has its own leaf lock.
 */
#include "k/kernel.h"
#include "k/abi_net.h"
#include "k/socket.h"
#include "net/if.h"
#include "net/netinet/in_pcb.h"
#include "net/netinet/ip_var.h"
#include "net/netinet/in_var.h"

/* Groups joined by any socket (IP_MULTICAST_ALL), with counts. */
struct mgroup {
	struct in6_addr g;
	int refs;
};
#define MGROUPS_MAX	256
static kmutex_t mgroup_lock;
static struct mgroup mgroups[MGROUPS_MAX];

void
ip_ctloutput_init(void)
{
	mutex_init(&mgroup_lock);
}

static bool
mgroup_joined(const struct in6_addr *g)
{
	bool hit = false;

	mutex_enter(&mgroup_lock);
	for (int i = 0; i < MGROUPS_MAX && !hit; i++)
		hit = mgroups[i].refs > 0 && in6_equal(&mgroups[i].g, g);
	mutex_exit(&mgroup_lock);
	return hit;
}

static int
mgroup_ref(const struct in6_addr *g, int delta)
{
	int i, free = -1;

	mutex_enter(&mgroup_lock);
	for (i = 0; i < MGROUPS_MAX; i++) {
		if (mgroups[i].refs > 0 && in6_equal(&mgroups[i].g, g))
			break;
		if (mgroups[i].refs == 0 && free < 0)
			free = i;
	}
	if (i == MGROUPS_MAX) {
		if (delta < 0 || free < 0) {
			mutex_exit(&mgroup_lock);
			return ENOBUFS;
		}
		i = free;
		mgroups[i].g = *g;
	}
	mgroups[i].refs += delta;
	mutex_exit(&mgroup_lock);
	return 0;
}

bool
in_mcast_member(const struct inpcb *inp, int af, const struct in6_addr *g)
{
	const struct in_mship *im;

	LIST_FOREACH(im, &inp->inp_mships, im_list)
		if (im->im_af == af && in6_equal(&im->im_group, g))
			return true;
	return (inp->inp_flags & INP_MCAST_ALL) && af == AF_INET &&
	    mgroup_joined(g);
}

static int
mship_change(struct inpcb *inp, int af, const struct in6_addr *g,
    int ifindex, bool join)
{
	struct in_mship *im;

	if (ifindex != 0 && if_byindex(ifindex) == NULL)
		return ENODEV;
	LIST_FOREACH(im, &inp->inp_mships, im_list)
		if (im->im_af == af && in6_equal(&im->im_group, g) &&
		    (ifindex == 0 || im->im_ifindex == ifindex))
			break;
	if (join) {
		if (im != NULL)
			return EADDRINUSE;
		if (inp->inp_nmships >= IP_MAX_MEMBERSHIPS)
			return ENOBUFS;
		if ((im = kmem_zalloc(sizeof(*im))) == NULL)
			return ENOBUFS;
		if (mgroup_ref(g, 1) != 0) {
			kmem_free(im, sizeof(*im));
			return ENOBUFS;
		}
		im->im_af = af;
		im->im_group = *g;
		im->im_ifindex = ifindex;
		LIST_INSERT_HEAD(&inp->inp_mships, im, im_list);
		inp->inp_nmships++;
		return 0;
	}
	if (im == NULL)
		return EADDRNOTAVAIL;
	LIST_REMOVE(im, im_list);
	inp->inp_nmships--;
	mgroup_ref(g, -1);
	kmem_free(im, sizeof(*im));
	return 0;
}

/* Drops every membership of a pcb being freed. */
void
in_mship_dropall(struct inpcb *inp)
{
	struct in_mship *im;

	while ((im = LIST_FIRST(&inp->inp_mships)) != NULL) {
		LIST_REMOVE(im, im_list);
		mgroup_ref(&im->im_group, -1);
		kmem_free(im, sizeof(*im));
	}
	inp->inp_nmships = 0;
}

static void
setflag(struct inpcb *inp, int flag, int v)
{
	if (v)
		inp->inp_flags |= flag;
	else
		inp->inp_flags &= ~flag;
}

static int
ip_join_v4(struct inpcb *inp, const struct sockopt *sopt, bool join)
{
	struct ip_mreqn mr;
	struct in6_addr g;

	memset(&mr, 0, sizeof(mr));
	if (sopt->sopt_size >= sizeof(struct ip_mreqn))
		memcpy(&mr, sopt->sopt_data, sizeof(mr));
	else if (sopt->sopt_size >= sizeof(struct ip_mreq))
		memcpy(&mr, sopt->sopt_data, sizeof(struct ip_mreq));
	else
		return EINVAL;
	if (!IN_MULTICAST(ntohl(mr.imr_multiaddr.s_addr)))
		return EINVAL;
	if (mr.imr_ifindex == 0 && mr.imr_address.s_addr != 0) {
		struct in6_addr a;
		struct ifnet *ifp;

		in6_set_v4mapped(&a, mr.imr_address.s_addr);
		if ((ifp = if_ours(AF_INET, &a, NULL)) == NULL)
			return ENODEV;
		mr.imr_ifindex = ifp->if_index;
	}
	in6_set_v4mapped(&g, mr.imr_multiaddr.s_addr);
	return mship_change(inp, AF_INET, &g, mr.imr_ifindex, join);
}

static int
ip_setopt(struct inpcb *inp, struct sockopt *sopt)
{
	int v = 0, error = 0;
	bool intopt = sopt->sopt_name != IP_ADD_MEMBERSHIP &&
	    sopt->sopt_name != IP_DROP_MEMBERSHIP &&
	    sopt->sopt_name != IP_MULTICAST_IF && sopt->sopt_name != IP_OPTIONS;

	if (intopt) {
		/* Linux takes a single byte for the byte-sized ones. */
		if (sopt->sopt_size >= 1 && sopt->sopt_size < sizeof(int) &&
		    (sopt->sopt_name == IP_TOS || sopt->sopt_name == IP_TTL ||
		    sopt->sopt_name == IP_MULTICAST_TTL ||
		    sopt->sopt_name == IP_MULTICAST_LOOP ||
		    sopt->sopt_name == IP_RECVERR ||
		    sopt->sopt_name == IP_PKTINFO))
			v = *(uint8_t *)sopt->sopt_data;
		else if ((error = sockopt_getint(sopt, &v)) != 0)
			return error;
	}
	switch (sopt->sopt_name) {
	case IP_TTL:
		if (v == -1)
			inp->inp_ttl = -1;
		else if (v < 1 || v > 255)
			return EINVAL;
		else
			inp->inp_ttl = v;
		return 0;
	case IP_TOS:
		/* The ECN bits stay the transport's on stream sockets. */
		inp->inp_tos = (uint8_t)v;
		return 0;
	case IP_RECVERR:
		/* Turned off, the queue goes (Linux purges it). */
		setflag(inp, INP_RECVERR, v);
		if (!v)
			ip_errq_purge(inp);
		return 0;
	case IP_PKTINFO:
		setflag(inp, INP_PKTINFO, v);
		return 0;
	case IP_RECVTTL:
		setflag(inp, INP_RECVTTL, v);
		return 0;
	case IP_RECVTOS:
		setflag(inp, INP_RECVTOS, v);
		return 0;
	case IP_RECVFRAGSIZE:
		setflag(inp, INP_RECVFRAGSIZE, v);
		return 0;
	case IP_MTU_DISCOVER:
		if (v < IP_PMTUDISC_DONT || v > IP_PMTUDISC_OMIT)
			return EINVAL;
		inp->inp_pmtudisc = v;
		return 0;
	case IP_MINTTL:
		if (v < 0 || v > 255)
			return EINVAL;
		inp->inp_minttl = v;
		return 0;
	case IP_FREEBIND:
	case IP_TRANSPARENT:
		setflag(inp, INP_FREEBIND, v);
		return 0;
	case IP_BIND_ADDRESS_NO_PORT:
		setflag(inp, INP_BIND_NOPORT, v);
		return 0;
	case IP_MULTICAST_TTL:
		if (v == -1)
			v = IP_DEFAULT_MULTICAST_TTL;
		if (v < 0 || v > 255)
			return EINVAL;
		inp->inp_mcast_ttl = v;
		return 0;
	case IP_MULTICAST_LOOP:
		inp->inp_mcast_loop = v != 0;
		return 0;
	case IP_MULTICAST_ALL:
		setflag(inp, INP_MCAST_ALL, v);
		return 0;
	case IP_UNICAST_IF:
		v = (int)ntohl((uint32_t)v);
		if (v != 0 && if_byindex(v) == NULL)
			return EADDRNOTAVAIL;
		inp->inp_ucast_ifindex = v;
		return 0;
	case IP_MULTICAST_IF: {
		struct ip_mreqn mr;

		memset(&mr, 0, sizeof(mr));
		if (sopt->sopt_size >= sizeof(struct ip_mreqn))
			memcpy(&mr, sopt->sopt_data, sizeof(mr));
		else if (sopt->sopt_size >= sizeof(struct ip_mreq))
			memcpy(&mr, sopt->sopt_data, sizeof(struct ip_mreq));
		else if (sopt->sopt_size >= sizeof(struct in_addr))
			memcpy(&mr.imr_address, sopt->sopt_data, 4);
		else
			return EINVAL;
		if (mr.imr_ifindex == 0 && mr.imr_address.s_addr != 0) {
			struct in6_addr a;
			struct ifnet *ifp;

			in6_set_v4mapped(&a, mr.imr_address.s_addr);
			if ((ifp = if_ours(AF_INET, &a, NULL)) == NULL)
				return EADDRNOTAVAIL;
			mr.imr_ifindex = ifp->if_index;
		}
		inp->inp_mcast_addr = mr.imr_address;
		inp->inp_mcast_ifindex = mr.imr_ifindex;
		return 0;
	}
	case IP_ADD_MEMBERSHIP:
		return ip_join_v4(inp, sopt, true);
	case IP_DROP_MEMBERSHIP:
		return ip_join_v4(inp, sopt, false);
	case IP_OPTIONS:
		/* We send no IP options; an empty set is fine. */
		return sopt->sopt_size == 0 ? 0 : EINVAL;
	default:
		return ENOPROTOOPT;
	}
}

static int
ip_getopt(struct inpcb *inp, struct sockopt *sopt)
{
	switch (sopt->sopt_name) {
	case IP_TTL:
		return sockopt_setint(sopt, inp->inp_ttl < 0 ?
		    (int)ip_defttl : inp->inp_ttl);
	case IP_TOS:
		return sockopt_setint(sopt, inp->inp_tos);
	case IP_RECVERR:
		return sockopt_setint(sopt, !!(inp->inp_flags & INP_RECVERR));
	case IP_PKTINFO:
		return sockopt_setint(sopt, !!(inp->inp_flags & INP_PKTINFO));
	case IP_RECVTTL:
		return sockopt_setint(sopt, !!(inp->inp_flags & INP_RECVTTL));
	case IP_RECVTOS:
		return sockopt_setint(sopt, !!(inp->inp_flags & INP_RECVTOS));
	case IP_RECVFRAGSIZE:
		return sockopt_setint(sopt,
		    !!(inp->inp_flags & INP_RECVFRAGSIZE));
	case IP_MTU_DISCOVER:
		return sockopt_setint(sopt, inp->inp_pmtudisc);
	case IP_MTU:
		if (!inp->inp_connected &&
		    !(inp->inp_socket->so_state & SS_ISCONNECTED))
			return ENOTCONN;
		return sockopt_setint(sopt, (int)in_pathmtu(AF_INET,
		    &inp->inp_faddr));
	case IP_MINTTL:
		return sockopt_setint(sopt, inp->inp_minttl);
	case IP_FREEBIND:
	case IP_TRANSPARENT:
		return sockopt_setint(sopt, !!(inp->inp_flags & INP_FREEBIND));
	case IP_BIND_ADDRESS_NO_PORT:
		return sockopt_setint(sopt,
		    !!(inp->inp_flags & INP_BIND_NOPORT));
	case IP_MULTICAST_TTL:
		return sockopt_setint(sopt, inp->inp_mcast_ttl);
	case IP_MULTICAST_LOOP:
		return sockopt_setint(sopt, inp->inp_mcast_loop);
	case IP_MULTICAST_ALL:
		return sockopt_setint(sopt, !!(inp->inp_flags & INP_MCAST_ALL));
	case IP_MULTICAST_IF:
		return sockopt_set(sopt, &inp->inp_mcast_addr,
		    sizeof(inp->inp_mcast_addr));
	case IP_UNICAST_IF:
		return sockopt_setint(sopt,
		    (int)htonl((uint32_t)inp->inp_ucast_ifindex));
	case IP_OPTIONS:
		sopt->sopt_size = 0;
		return 0;
	default:
		return ENOPROTOOPT;
	}
}

static int
ip6_setopt(struct inpcb *inp, struct sockopt *sopt)
{
	int v = 0, error;

	if (sopt->sopt_name == IPV6_JOIN_GROUP ||
	    sopt->sopt_name == IPV6_LEAVE_GROUP) {
		struct ipv6_mreq mr;

		if (sopt->sopt_size < sizeof(mr))
			return EINVAL;
		memcpy(&mr, sopt->sopt_data, sizeof(mr));
		if (!in6_is_multicast(&mr.ipv6mr_multiaddr))
			return EINVAL;
		return mship_change(inp, AF_INET6, &mr.ipv6mr_multiaddr,
		    mr.ipv6mr_interface, sopt->sopt_name == IPV6_JOIN_GROUP);
	}
	if ((error = sockopt_getint(sopt, &v)) != 0)
		return error;
	switch (sopt->sopt_name) {
	case IPV6_V6ONLY:
		/* Linux: only before bind. */
		if (inp->inp_lport != 0 || inp->inp_bound)
			return EINVAL;
		setflag(inp, INP_V6ONLY, v);
		return 0;
	case IPV6_RECVPKTINFO:
		setflag(inp, INP_RECVPKTINFO6, v);
		return 0;
	case IPV6_RECVHOPLIMIT:
		setflag(inp, INP_RECVHOPLIMIT, v);
		return 0;
	case IPV6_RECVTCLASS:
		setflag(inp, INP_RECVTCLASS, v);
		return 0;
	case IPV6_RECVERR:
		setflag(inp, INP_RECVERR, v);
		if (!v)
			ip_errq_purge(inp);
		return 0;
	case IPV6_UNICAST_HOPS:
		if (v < -1 || v > 255)
			return EINVAL;
		inp->inp_hops6 = v;
		return 0;
	case IPV6_MULTICAST_HOPS:
		if (v < -1 || v > 255)
			return EINVAL;
		inp->inp_mcast_hops6 = v;
		return 0;
	case IPV6_MULTICAST_LOOP:
		if (v != 0 && v != 1)
			return EINVAL;
		inp->inp_mcast_loop6 = v != 0;
		return 0;
	case IPV6_MULTICAST_IF:
		if (v != 0 && if_byindex(v) == NULL)
			return ENXIO;
		inp->inp_mcast_ifindex = v;
		return 0;
	case IPV6_UNICAST_IF:
		if (v != 0 && if_byindex(v) == NULL)
			return EADDRNOTAVAIL;
		inp->inp_ucast_ifindex = v;
		return 0;
	case IPV6_TCLASS:
		if (v < -1 || v > 255)
			return EINVAL;
		inp->inp_tclass = v < 0 ? 0 : v;
		return 0;
	case IPV6_MTU_DISCOVER:
		if (v < IP_PMTUDISC_DONT || v > IP_PMTUDISC_OMIT)
			return EINVAL;
		inp->inp_pmtudisc6 = v;
		return 0;
	case IPV6_DONTFRAG:
		setflag(inp, INP_DONTFRAG6, v);
		return 0;
	case IPV6_FREEBIND:
	case IPV6_TRANSPARENT:
		setflag(inp, INP_FREEBIND, v);
		return 0;
	default:
		return ENOPROTOOPT;
	}
}

static int
ip6_getopt(struct inpcb *inp, struct sockopt *sopt)
{
	switch (sopt->sopt_name) {
	case IPV6_V6ONLY:
		return sockopt_setint(sopt, !!(inp->inp_flags & INP_V6ONLY));
	case IPV6_RECVPKTINFO:
		return sockopt_setint(sopt,
		    !!(inp->inp_flags & INP_RECVPKTINFO6));
	case IPV6_RECVHOPLIMIT:
		return sockopt_setint(sopt,
		    !!(inp->inp_flags & INP_RECVHOPLIMIT));
	case IPV6_RECVTCLASS:
		return sockopt_setint(sopt,
		    !!(inp->inp_flags & INP_RECVTCLASS));
	case IPV6_RECVERR:
		return sockopt_setint(sopt, !!(inp->inp_flags & INP_RECVERR));
	case IPV6_UNICAST_HOPS:
		return sockopt_setint(sopt, inp->inp_hops6 < 0 ?
		    (int)ip6_defhlim : inp->inp_hops6);
	case IPV6_MULTICAST_HOPS:
		return sockopt_setint(sopt, inp->inp_mcast_hops6 < 0 ? 1 :
		    inp->inp_mcast_hops6);
	case IPV6_MULTICAST_LOOP:
		return sockopt_setint(sopt, inp->inp_mcast_loop6);
	case IPV6_MULTICAST_IF:
		return sockopt_setint(sopt, inp->inp_mcast_ifindex);
	case IPV6_UNICAST_IF:
		return sockopt_setint(sopt, inp->inp_ucast_ifindex);
	case IPV6_TCLASS:
		return sockopt_setint(sopt, inp->inp_tclass);
	case IPV6_MTU_DISCOVER:
		return sockopt_setint(sopt, inp->inp_pmtudisc6);
	case IPV6_MTU:
		if (!(inp->inp_socket->so_state & SS_ISCONNECTED))
			return ENOTCONN;
		return sockopt_setint(sopt, (int)in_pathmtu(AF_INET6,
		    &inp->inp_faddr));
	case IPV6_DONTFRAG:
		return sockopt_setint(sopt,
		    !!(inp->inp_flags & INP_DONTFRAG6));
	case IPV6_FREEBIND:
	case IPV6_TRANSPARENT:
		return sockopt_setint(sopt, !!(inp->inp_flags & INP_FREEBIND));
	default:
		return ENOPROTOOPT;
	}
}

int
ip_ctloutput(int op, struct socket *so, struct sockopt *sopt)
{
	struct inpcb *inp = so->so_pcb;

	if (inp == NULL)
		return EINVAL;
	/* SOL_SOCKET options the layer sets are shown to us: nothing to
	 * do; the layer answers the reads. */
	if (sopt->sopt_level == SOL_SOCKET)
		return op == PRCO_SETOPT ? 0 : ENOPROTOOPT;
	if (sopt->sopt_level == SOL_IP) {
		/* An AF_INET6 socket takes the IPv4 options for its
		 * v4-mapped traffic, as Linux does. */
		return op == PRCO_SETOPT ? ip_setopt(inp, sopt) :
		    ip_getopt(inp, sopt);
	}
	if (sopt->sopt_level == SOL_IPV6) {
		if (inp->inp_af != AF_INET6)
			return EOPNOTSUPP;	/* as Linux */
		return op == PRCO_SETOPT ? ip6_setopt(inp, sopt) :
		    ip6_getopt(inp, sopt);
	}
	return ENOPROTOOPT;
}

/* --- ancillary data -------------------------------------------------------- */

struct mbuf *
ip_savecontrol(const struct inpcb *inp, const struct ip_rcv *r)
{
	struct mbuf *c = NULL;
	int ifindex = r->ifp != NULL ? r->ifp->if_index : 0;

	if (r->af == AF_INET) {
		if (inp->inp_flags & INP_PKTINFO) {
			struct in_pktinfo pi;

			memset(&pi, 0, sizeof(pi));
			pi.ipi_ifindex = ifindex;
			pi.ipi_addr.s_addr = in6_v4addr(&r->dst);
			pi.ipi_spec_dst.s_addr = in6_v4addr(&r->dst);
			in_cmsg_add(&c, SOL_IP, IP_PKTINFO, &pi, sizeof(pi));
		}
		if (inp->inp_flags & INP_RECVTTL) {
			int v = r->ttl;

			in_cmsg_add(&c, SOL_IP, IP_TTL, &v, sizeof(v));
		}
		if (inp->inp_flags & INP_RECVTOS) {
			uint8_t v = (uint8_t)r->tos;

			in_cmsg_add(&c, SOL_IP, IP_TOS, &v, sizeof(v));
		}
		if ((inp->inp_flags & INP_RECVFRAGSIZE) && r->fragsize) {
			int v = (int)r->fragsize;

			in_cmsg_add(&c, SOL_IP, IP_RECVFRAGSIZE, &v, sizeof(v));
		}
		/* A v6 socket's IPV6_RECVPKTINFO covers mapped traffic too. */
		if (inp->inp_af == AF_INET6 &&
		    (inp->inp_flags & INP_RECVPKTINFO6)) {
			struct in6_pktinfo pi;

			pi.ipi6_addr = r->dst;
			pi.ipi6_ifindex = ifindex;
			in_cmsg_add(&c, SOL_IPV6, IPV6_PKTINFO, &pi,
			    sizeof(pi));
		}
		return c;
	}
	if (inp->inp_flags & INP_RECVPKTINFO6) {
		struct in6_pktinfo pi;

		pi.ipi6_addr = r->dst;
		pi.ipi6_ifindex = ifindex;
		in_cmsg_add(&c, SOL_IPV6, IPV6_PKTINFO, &pi, sizeof(pi));
	}
	if (inp->inp_flags & INP_RECVHOPLIMIT) {
		int v = r->ttl;

		in_cmsg_add(&c, SOL_IPV6, IPV6_HOPLIMIT, &v, sizeof(v));
	}
	if (inp->inp_flags & INP_RECVTCLASS) {
		int v = r->tos;

		in_cmsg_add(&c, SOL_IPV6, IPV6_TCLASS, &v, sizeof(v));
	}
	return c;
}

int
ip_applycontrol(const struct inpcb *inp, struct mbuf *control,
    struct ip_out *o)
{
	struct mbuf *m;

	for (m = control; m != NULL; m = m->m_next) {
		size_t off = 0;

		while (off + sizeof(struct cmsghdr) <= m->m_len) {
			struct cmsghdr ch;
			const uint8_t *d;
			size_t dlen;
			int v;

			memcpy(&ch, m->m_data + off, sizeof(ch));
			if (ch.cmsg_len < sizeof(ch) ||
			    off + ch.cmsg_len > m->m_len)
				return EINVAL;
			d = m->m_data + off + CMSG_ALIGN(sizeof(ch));
			dlen = ch.cmsg_len - CMSG_ALIGN(sizeof(ch));
			if (ch.cmsg_level == SOL_IP && ch.cmsg_type ==
			    IP_PKTINFO) {
				struct in_pktinfo pi;
				struct in6_addr a;

				if (dlen < sizeof(pi) || o->af != AF_INET)
					return EINVAL;
				memcpy(&pi, d, sizeof(pi));
				if (pi.ipi_spec_dst.s_addr != 0) {
					in6_set_v4mapped(&a,
					    pi.ipi_spec_dst.s_addr);
					if (if_ours(AF_INET, &a, NULL) == NULL)
						return EADDRNOTAVAIL;
					o->src = a;
				}
				if (pi.ipi_ifindex != 0) {
					if (if_byindex(pi.ipi_ifindex) == NULL)
						return ENXIO;
					o->ifindex = pi.ipi_ifindex;
				}
			} else if (ch.cmsg_level == SOL_IP &&
			    (ch.cmsg_type == IP_TTL || ch.cmsg_type == IP_TOS)) {
				if (dlen < sizeof(int)) {
					if (dlen < 1 || ch.cmsg_type != IP_TOS)
						return EINVAL;
					v = d[0];
				} else
					memcpy(&v, d, sizeof(v));
				if (ch.cmsg_type == IP_TTL) {
					if (v < 1 || v > 255)
						return EINVAL;
					o->ttl = v;
				} else {
					if (v < 0 || v > 255)
						return EINVAL;
					o->tos = v;
				}
			} else if (ch.cmsg_level == SOL_IPV6 &&
			    ch.cmsg_type == IPV6_PKTINFO) {
				struct in6_pktinfo pi;

				if (dlen < sizeof(pi) ||
				    inp->inp_af != AF_INET6)
					return EINVAL;
				memcpy(&pi, d, sizeof(pi));
				if (!in6_is_unspec(&pi.ipi6_addr)) {
					int af = in6_is_v4mapped(&pi.ipi6_addr)
					    ? AF_INET : AF_INET6;

					if (af != o->af ||
					    if_ours(af, &pi.ipi6_addr,
					    NULL) == NULL)
						return EINVAL;
					o->src = pi.ipi6_addr;
				}
				if (pi.ipi6_ifindex != 0) {
					if (if_byindex(pi.ipi6_ifindex) == NULL)
						return ENXIO;
					o->ifindex = pi.ipi6_ifindex;
				}
			} else if (ch.cmsg_level == SOL_IPV6 &&
			    (ch.cmsg_type == IPV6_HOPLIMIT ||
			    ch.cmsg_type == IPV6_TCLASS ||
			    ch.cmsg_type == IPV6_DONTFRAG)) {
				if (dlen < sizeof(int))
					return EINVAL;
				memcpy(&v, d, sizeof(v));
				if (v < -1 || v > 255)
					return EINVAL;
				if (ch.cmsg_type == IPV6_HOPLIMIT)
					o->ttl = v;
				else if (ch.cmsg_type == IPV6_TCLASS)
					o->tos = v < 0 ? 0 : v;
				else if (v > 0)
					o->flags |= IPOUT_DONTFRAG;
			} else if (ch.cmsg_level == SOL_SOCKET) {
				/* SO_* cmsgs are the socket layer's. */
			} else
				return EINVAL;
			off += CMSG_ALIGN(ch.cmsg_len);
		}
	}
	return 0;
}
