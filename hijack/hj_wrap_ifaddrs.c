/*
 * hj_wrap_ifaddrs.c: the interface queries of programs whose sockets are
 * the kernel's: getifaddrs, if_nametoindex, if_indextoname, if_nameindex.
 *
 * glibc answers them over its own internal sockets (a netlink dump, an
 * ioctl), which never reach the shim, so a program on the kernel's
 * network would see the host's interfaces.  Here they are asked of the
 * kernel: an RTM_GETLINK and an RTM_GETADDR dump on a kernel netlink
 * socket for getifaddrs and if_nameindex, read as glibc reads them
 * (packet entries first, then the addresses, IFA_LOCAL as the address
 * and IFA_ADDRESS as the peer, IFA_BROADCAST over both), and
 * SIOCGIFINDEX/SIOCGIFNAME for the other two.  The results are laid out
 * so the host's freeifaddrs and if_freenameindex free them: getifaddrs'
 * list is one allocation, if_nameindex's names are one each.
 */
#include <ifaddrs.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "hj.h"
#include "hj_resolv.h"

HOST_CACHE(getifaddrs);
HOST_CACHE(if_nametoindex);
HOST_CACHE(if_indextoname);
HOST_CACHE(if_nameindex);

/* One entry of getifaddrs' list with the storage it points into. */
struct ifa_node {
	struct ifaddrs ifa;
	union {
		struct sockaddr_in v4;
		struct sockaddr_in6 v6;
		struct sockaddr_ll ll;
	} addr, mask, peer;
	char name[IF_NAMESIZE];
	struct rtnl_link_stats stats;
};

struct dump {
	char *buf;		/* every message of the dump, back to back */
	size_t len;
};

/* An RTM_GETLINK or RTM_GETADDR dump from the kernel: 0 or -1 (errno). */
static int
nl_dump(int fd, int type, uint32_t seq, struct dump *d)
{
	struct {
		struct nlmsghdr h;
		struct rtgenmsg g;
	} req = {
		.h = { .nlmsg_len = sizeof(req), .nlmsg_type = (uint16_t)type,
		    .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
		    .nlmsg_seq = seq },
		.g = { .rtgen_family = AF_UNSPEC },
	};
	char chunk[32768], *nb;
	ssize_t n;

	d->buf = NULL;
	d->len = 0;
	if (hjk_sendto(fd, &req, sizeof(req), 0, NULL, 0) < 0)
		return -1;
	for (;;) {
		struct nlmsghdr *h;
		size_t left;

		if ((n = hjk_recvfrom(fd, chunk, sizeof(chunk), 0, NULL,
		    NULL)) <= 0) {
			if (n == 0)
				errno = EIO;
			goto fail;
		}
		left = (size_t)n;
		for (h = (struct nlmsghdr *)(void *)chunk; NLMSG_OK(h, left);
		    h = NLMSG_NEXT(h, left)) {
			if (h->nlmsg_seq != seq)
				continue;
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);

				errno = h->nlmsg_len >= NLMSG_LENGTH(sizeof(*e))
				    && e->error < 0 ? -e->error : EIO;
				goto fail;
			}
			if ((nb = realloc(d->buf, d->len + h->nlmsg_len)) ==
			    NULL)
				goto fail;
			d->buf = nb;
			memcpy(d->buf + d->len, h, h->nlmsg_len);
			d->len += h->nlmsg_len;
		}
	}
fail:
	free(d->buf);
	d->buf = NULL;
	return -1;
}

static int
kernel_dumps(struct dump *links, struct dump *addrs)
{
	int fd, rv = -1, e;

	fd = hjk_socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -1;
	if (nl_dump(fd, RTM_GETLINK, 1, links) == 0) {
		if (addrs == NULL || nl_dump(fd, RTM_GETADDR, 2, addrs) == 0)
			rv = 0;
		else
			free(links->buf);
	}
	e = errno;
	hjk_close(fd);
	errno = e;
	return rv;
}

/* Walks the messages of a dump. */
#define DUMP_FOREACH(h, d, left)					\
	for (left = (d)->len, h = (struct nlmsghdr *)(void *)(d)->buf;	\
	    (d)->buf != NULL && NLMSG_OK(h, left); h = NLMSG_NEXT(h, left))

static const struct nlmsghdr *
link_of(const struct dump *links, int index)
{
	struct nlmsghdr *h;
	size_t left;

	DUMP_FOREACH(h, links, left) {
		const struct ifinfomsg *ifi = NLMSG_DATA(h);

		if (h->nlmsg_type == RTM_NEWLINK && ifi->ifi_index == index)
			return h;
	}
	return NULL;
}

static void
link_name(const struct nlmsghdr *h, char *name)
{
	const struct ifinfomsg *ifi = NLMSG_DATA(h);
	const struct rtattr *a = IFLA_RTA(ifi);
	int len = (int)IFLA_PAYLOAD(h);

	for (; RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type == IFLA_IFNAME)
			strncpy(name, RTA_DATA(a), IF_NAMESIZE - 1);
}

static void
fill_link(struct ifa_node *n, const struct nlmsghdr *h)
{
	const struct ifinfomsg *ifi = NLMSG_DATA(h);
	struct rtattr *a = IFLA_RTA(ifi);
	int len = (int)IFLA_PAYLOAD(h);
	size_t al;

	n->ifa.ifa_name = n->name;
	n->ifa.ifa_flags = ifi->ifi_flags;
	n->addr.ll.sll_family = AF_PACKET;
	n->addr.ll.sll_ifindex = ifi->ifi_index;
	n->addr.ll.sll_hatype = ifi->ifi_type;
	n->ifa.ifa_addr = (struct sockaddr *)&n->addr;
	link_name(h, n->name);
	for (; RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		al = RTA_PAYLOAD(a);
		if (a->rta_type == IFLA_ADDRESS && al <= 8) {
			memcpy(n->addr.ll.sll_addr, RTA_DATA(a), al);
			n->addr.ll.sll_halen = (unsigned char)al;
		} else if (a->rta_type == IFLA_BROADCAST && al <= 8) {
			n->peer.ll = n->addr.ll;
			memcpy(n->peer.ll.sll_addr, RTA_DATA(a), al);
			n->peer.ll.sll_halen = (unsigned char)al;
			n->ifa.ifa_broadaddr = (struct sockaddr *)&n->peer;
		} else if (a->rta_type == IFLA_STATS &&
		    al >= sizeof(n->stats)) {
			memcpy(&n->stats, RTA_DATA(a), sizeof(n->stats));
		}
	}
	n->ifa.ifa_data = &n->stats;
}

/* An IPv4 or IPv6 address of len bytes into a sockaddr (with the scope
 * of a link-local one, as glibc sets it). */
static struct sockaddr *
put_ip(void *sa, int family, const void *a, int index)
{
	if (family == AF_INET) {
		struct sockaddr_in *s = sa;

		s->sin_family = AF_INET;
		memcpy(&s->sin_addr, a, 4);
	} else {
		struct sockaddr_in6 *s = sa;

		s->sin6_family = AF_INET6;
		memcpy(&s->sin6_addr, a, 16);
		if (IN6_IS_ADDR_LINKLOCAL(&s->sin6_addr) ||
		    IN6_IS_ADDR_MC_LINKLOCAL(&s->sin6_addr))
			s->sin6_scope_id = (uint32_t)index;
	}
	return sa;
}

static bool
fill_addr(struct ifa_node *n, const struct nlmsghdr *h,
    const struct dump *links)
{
	const struct ifaddrmsg *ifa = NLMSG_DATA(h);
	const struct nlmsghdr *lh;
	struct rtattr *a = IFA_RTA(ifa);
	int len = (int)IFA_PAYLOAD(h), idx = (int)ifa->ifa_index, fam;
	unsigned char *m;
	unsigned i, bits;

	fam = ifa->ifa_family;
	if (fam != AF_INET && fam != AF_INET6)
		return false;
	if ((lh = link_of(links, idx)) != NULL) {
		n->ifa.ifa_flags = ((const struct ifinfomsg *)NLMSG_DATA(lh))->
		    ifi_flags;
		link_name(lh, n->name);
	}
	n->ifa.ifa_name = n->name;
	for (; RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if ((a->rta_type == IFA_ADDRESS || a->rta_type == IFA_LOCAL ||
		    a->rta_type == IFA_BROADCAST) &&
		    RTA_PAYLOAD(a) != (fam == AF_INET ? 4u : 16u))
			continue;
		switch (a->rta_type) {
		case IFA_ADDRESS:	/* the peer once IFA_LOCAL is there */
			if (n->ifa.ifa_addr != NULL)
				n->ifa.ifa_broadaddr = put_ip(&n->peer, fam,
				    RTA_DATA(a), idx);
			else
				n->ifa.ifa_addr = put_ip(&n->addr, fam,
				    RTA_DATA(a), idx);
			break;
		case IFA_LOCAL:
			if (n->ifa.ifa_addr != NULL) {
				n->peer = n->addr;
				n->ifa.ifa_broadaddr = (struct sockaddr *)
				    &n->peer;
			}
			n->ifa.ifa_addr = put_ip(&n->addr, fam, RTA_DATA(a),
			    idx);
			break;
		case IFA_BROADCAST:
			n->ifa.ifa_broadaddr = put_ip(&n->peer, fam,
			    RTA_DATA(a), idx);
			break;
		case IFA_LABEL:
			strncpy(n->name, RTA_DATA(a), IF_NAMESIZE - 1);
			break;
		}
	}
	if (n->ifa.ifa_addr == NULL)
		return false;
	n->mask.v4.sin_family = (sa_family_t)fam;
	m = fam == AF_INET ? (unsigned char *)&n->mask.v4.sin_addr :
	    (unsigned char *)&n->mask.v6.sin6_addr;
	bits = ifa->ifa_prefixlen;
	for (i = 0; i < (fam == AF_INET ? 4u : 16u); i++, bits -= bits < 8 ?
	    bits : 8)
		m[i] = bits >= 8 ? 0xff : (unsigned char)(0xff00 >> bits);
	n->ifa.ifa_netmask = (struct sockaddr *)&n->mask;
	return true;
}

HJ_EXPORT int
getifaddrs(struct ifaddrs **ifap)
{
	struct dump links, addrs;
	struct ifa_node *nodes;
	struct nlmsghdr *h;
	size_t left, count = 0, i = 0;

	if (!hj_res_routed())
		return HOST(getifaddrs)(ifap);
	if (kernel_dumps(&links, &addrs) != 0)
		return -1;
	DUMP_FOREACH(h, &links, left)
		count += h->nlmsg_type == RTM_NEWLINK;
	DUMP_FOREACH(h, &addrs, left)
		count += h->nlmsg_type == RTM_NEWADDR;
	if ((nodes = calloc(count + 1, sizeof(*nodes))) == NULL) {
		free(links.buf);
		free(addrs.buf);
		return -1;
	}
	DUMP_FOREACH(h, &links, left)
		if (h->nlmsg_type == RTM_NEWLINK)
			fill_link(&nodes[i++], h);
	DUMP_FOREACH(h, &addrs, left)
		if (h->nlmsg_type == RTM_NEWADDR && fill_addr(&nodes[i], h,
		    &links))
			i++;
	free(links.buf);
	free(addrs.buf);
	for (count = i, i = 0; i + 1 < count; i++)
		nodes[i].ifa.ifa_next = &nodes[i + 1].ifa;
	/* no interface at all: an empty list (NULL), freed all the same */
	if (count == 0) {
		free(nodes);
		nodes = NULL;
	}
	*ifap = nodes != NULL ? &nodes[0].ifa : NULL;
	return 0;
}

static int
ifreq_ioctl(unsigned long req, struct ifreq *ifr)
{
	int fd, rv, e;

	if ((fd = hjk_socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	rv = hjk_ioctl(fd, req, ifr);
	e = errno;
	hjk_close(fd);
	errno = e;
	return rv;
}

HJ_EXPORT unsigned int
if_nametoindex(const char *name)
{
	struct ifreq ifr;

	if (!hj_res_routed())
		return HOST(if_nametoindex)(name);
	if (strlen(name) >= IF_NAMESIZE) {
		errno = ENODEV;
		return 0;
	}
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, name);
	return ifreq_ioctl(SIOCGIFINDEX, &ifr) == 0 ?
	    (unsigned)ifr.ifr_ifindex : 0;
}

HJ_EXPORT char *
if_indextoname(unsigned int index, char name[IF_NAMESIZE])
{
	struct ifreq ifr;

	if (!hj_res_routed())
		return HOST(if_indextoname)(index, name);
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_ifindex = (int)index;
	if (ifreq_ioctl(SIOCGIFNAME, &ifr) != 0) {
		if (errno == ENODEV)
			errno = ENXIO;	/* glibc's answer for no such index */
		return NULL;
	}
	return strncpy(name, ifr.ifr_name, IF_NAMESIZE);
}

HJ_EXPORT struct if_nameindex *
if_nameindex(void)
{
	struct if_nameindex *v;
	struct dump links;
	struct nlmsghdr *h;
	size_t left, n = 0, i = 0;

	if (!hj_res_routed())
		return HOST(if_nameindex)();
	if (kernel_dumps(&links, NULL) != 0)
		return NULL;
	DUMP_FOREACH(h, &links, left)
		n += h->nlmsg_type == RTM_NEWLINK;
	if ((v = calloc(n + 1, sizeof(*v))) == NULL)
		goto fail;
	DUMP_FOREACH(h, &links, left) {
		char name[IF_NAMESIZE] = "";

		if (h->nlmsg_type != RTM_NEWLINK)
			continue;
		link_name(h, name);
		v[i].if_index = (unsigned)((struct ifinfomsg *)NLMSG_DATA(h))->
		    ifi_index;
		if ((v[i].if_name = strdup(name)) == NULL) {
			if_freenameindex(v);
			v = NULL;
			goto fail;
		}
		i++;
	}
fail:
	free(links.buf);
	return v;
}
