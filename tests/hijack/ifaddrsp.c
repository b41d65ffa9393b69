/*
 * ifaddrsp.c: the interface queries printed one line each, run on the
 * host and under the hijack with the same interfaces and addresses, the
 * outputs compared (hijack_netdb.bats): getifaddrs (every entry's name,
 * flags, family, address, netmask, broadcast or peer, the packet
 * entries' hardware address and statistics), if_nameindex,
 * if_nametoindex and if_indextoname, their errors included.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

static const char *
addr_text(const struct sockaddr *sa, char *b, size_t len)
{
	const struct sockaddr_ll *ll = (const void *)sa;
	size_t o;
	int i;

	if (sa == NULL)
		return "-";
	switch (sa->sa_family) {
	case AF_INET:
		return inet_ntop(AF_INET, &((const struct sockaddr_in *)
		    (const void *)sa)->sin_addr, b, (socklen_t)len);
	case AF_INET6:
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)
		    (const void *)sa)->sin6_addr, b, (socklen_t)len);
		o = strlen(b);
		snprintf(b + o, len - o, "%%%u", ((const struct sockaddr_in6 *)
		    (const void *)sa)->sin6_scope_id);
		return b;
	case AF_PACKET:
		o = (size_t)snprintf(b, len, "if%d/t%u/", ll->sll_ifindex,
		    ll->sll_hatype);
		for (i = 0; i < ll->sll_halen && o + 3 < len; i++)
			o += (size_t)snprintf(b + o, len - o, "%s%02x",
			    i ? ":" : "", ll->sll_addr[i]);
		return b;
	}
	snprintf(b, len, "family%d", sa->sa_family);
	return b;
}

int
main(void)
{
	struct ifaddrs *list, *p;
	struct if_nameindex *ni, *q;
	char a[128], m[128], d[128], name[IF_NAMESIZE], *r;
	unsigned idx;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (getifaddrs(&list) != 0) {
		printf("getifaddrs: %s\n", strerror(errno));
		return 1;
	}
	for (p = list; p != NULL; p = p->ifa_next) {
		int fam = p->ifa_addr != NULL ? p->ifa_addr->sa_family : -1;

		printf("ifa %s fam=%d flags=%#x addr=%s mask=%s brd=%s",
		    p->ifa_name, fam, p->ifa_flags,
		    addr_text(p->ifa_addr, a, sizeof(a)),
		    addr_text(p->ifa_netmask, m, sizeof(m)),
		    addr_text(p->ifa_broadaddr, d, sizeof(d)));
		if (fam == AF_PACKET && p->ifa_data != NULL) {
			const struct rtnl_link_stats *s = p->ifa_data;

			/* counts move with the traffic: that they are
			 * there, and nonzero once packets went by */
			printf(" stats=%s", s->rx_packets > 0 &&
			    s->tx_packets > 0 ? "counting" : "zero");
		}
		printf("\n");
	}
	freeifaddrs(list);
	if ((ni = if_nameindex()) == NULL) {
		printf("if_nameindex: %s\n", strerror(errno));
		return 1;
	}
	for (q = ni; q->if_index != 0; q++)
		printf("nameindex %u %s\n", q->if_index, q->if_name);
	if_freenameindex(ni);
	printf("nametoindex lo=%u\n", if_nametoindex("lo"));
	errno = 0;
	idx = if_nametoindex("nosuch0");
	printf("nametoindex nosuch0=%u %s\n", idx, strerror(errno));
	printf("indextoname 1=%s\n", if_indextoname(1, name));
	errno = 0;
	r = if_indextoname(999, name);
	printf("indextoname 999=%s %s\n", r ? r : "null", strerror(errno));
	return 0;
}
