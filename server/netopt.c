/*
 * netopt.c: the --net option of rump_server and rumphijack (netopt.h):
 * the parser, and the configuration of a booted local kernel through its
 * own interfaces, as a user's tools would do it: rtnetlink messages for
 * the link, its addresses and routes, sysctls under /proc/sys for the
 * link's bus or device, a file for the resolver.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rump/rump_syscalls.h>

#include "netopt.h"

const char netopt_usage[] =
    "  --net KIND:LINK[,ADDR/PLEN]...[,gw=ADDR]...[,dns=ADDR]...[,mtu=N]"
    "[,ifname=IF]\n"
    "      an interface of the kernel, made at start (repeatable):\n"
    "      shmif:/tmp/bus1,10.0.0.2/24,fd00::2/64,gw=10.0.0.1 (a bus file)\n"
    "      tap:tap7,10.10.0.2/24,gw=10.10.0.1,dns=10.10.0.1 (a host TAP)\n";

static int
bad(const char *prog, const char *arg, const char *what, const char *part)
{
	fprintf(stderr, "%s: --net %s: %s%s%s\n", prog, arg, what,
	    part != NULL ? ": " : "", part != NULL ? part : "");
	return -1;
}

/* An address, IPv4 or IPv6 by its spelling. */
static bool
parse_addr(const char *s, struct netopt_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (strchr(s, ':') != NULL) {
		a->af = AF_INET6;
		return inet_pton(AF_INET6, s, a->addr) == 1;
	}
	a->af = AF_INET;
	return inet_pton(AF_INET, s, a->addr) == 1;
}

static bool
parse_num(const char *s, long min, long max, long *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*v = strtol(s, &end, 10);
	return errno == 0 && *end == '\0' && *v >= min && *v <= max;
}

int
netopt_parse(struct netopts *ops, const char *arg, const char *prog)
{
	struct netopt *o;
	char *s, *item, *save = NULL, *colon;
	int n = 0;
	long v;

	if (ops->n == NETOPT_MAX)
		return bad(prog, arg, "too many --net (at most 8)", NULL);
	o = &ops->opt[ops->n];
	memset(o, 0, sizeof(*o));
	if ((s = strdup(arg)) == NULL)
		return bad(prog, arg, strerror(errno), NULL);
	if ((colon = strchr(s, ':')) == NULL) {
		free(s);
		return bad(prog, arg, "KIND:LINK expected (shmif:/path/to/bus "
		    "or tap:NAME)", NULL);
	}
	*colon = '\0';
	if (strcmp(s, "shmif") != 0 && strcmp(s, "tap") != 0) {
		bad(prog, arg, "unknown kind (shmif or tap)", s);
		free(s);
		return -1;
	}
	strcpy(o->kind, s);
	for (item = strtok_r(colon + 1, ",", &save); item != NULL;
	    item = strtok_r(NULL, ",", &save), n++) {
		char *eq = strchr(item, '='), *slash;

		if (n == 0) {
			if (*item == '\0' || strlen(item) >= sizeof(o->link) ||
			    (strcmp(o->kind, "tap") == 0 &&
			    strlen(item) >= IFNAMSIZ))
				goto badpart;
			strcpy(o->link, item);
			continue;
		}
		if (eq == NULL) {
			if ((slash = strchr(item, '/')) == NULL ||
			    o->naddr == NETOPT_MAXADDR)
				goto badpart;
			*slash = '\0';
			if (!parse_addr(item, &o->addr[o->naddr]) ||
			    !parse_num(slash + 1, 0,
			    o->addr[o->naddr].af == AF_INET ? 32 : 128, &v)) {
				*slash = '/';
				goto badpart;
			}
			o->addr[o->naddr++].plen = (int)v;
			continue;
		}
		*eq = '\0';
		if (strcmp(item, "gw") == 0 && o->ngw < 2 &&
		    parse_addr(eq + 1, &o->gw[o->ngw]) &&
		    (o->ngw == 0 || o->gw[0].af != o->gw[1].af))
			o->ngw++;
		else if (strcmp(item, "dns") == 0 && o->ndns < NETOPT_MAXDNS &&
		    parse_addr(eq + 1, &o->dns[o->ndns]))
			o->ndns++;
		else if (strcmp(item, "mtu") == 0 &&
		    parse_num(eq + 1, 68, 65535, &v))
			o->mtu = (int)v;
		else if (strcmp(item, "ifname") == 0 && eq[1] != '\0' &&
		    strlen(eq + 1) < sizeof(o->ifname) &&
		    strpbrk(eq + 1, "/: \t") == NULL)
			strcpy(o->ifname, eq + 1);
		else {
			*eq = '=';
			goto badpart;
		}
	}
	if (n == 0) {
		free(s);
		return bad(prog, arg, "the link is missing (a bus file for "
		    "shmif, a host TAP name for tap)", NULL);
	}
	if (o->ifname[0] == '\0') {
		char kind[sizeof(o->kind)];
		int k = 0;

		for (int i = 0; i < ops->n; i++)
			k += strcmp(ops->opt[i].kind, o->kind) == 0;
		memcpy(kind, o->kind, sizeof(kind));
		snprintf(o->ifname, sizeof(o->ifname), "%.5s%d", kind, k & 0xff);
	}
	for (int i = 0; i < ops->n; i++)
		if (strcmp(ops->opt[i].ifname, o->ifname) == 0) {
			free(s);
			return bad(prog, arg, "interface named twice",
			    o->ifname);
		}
	free(s);
	ops->n++;
	return 0;
badpart:
	bad(prog, arg, "bad part (ADDR/PLEN, gw=, dns=, mtu=68..65535, "
	    "ifname= expected)", item);
	free(s);
	return -1;
}

bool
netopt_has_dns(const struct netopts *ops)
{
	for (int i = 0; i < ops->n; i++)
		if (ops->opt[i].ndns > 0)
			return true;
	return false;
}

/* --- applying: a small rtnetlink client ------------------------------- */

struct nlreq {
	union {
		struct nlmsghdr h;
		char raw[1024];
	};
};

static void
nl_attr(struct nlreq *r, int type, const void *data, size_t len)
{
	struct rtattr *a = (struct rtattr *)(void *)(r->raw +
	    NLMSG_ALIGN(r->h.nlmsg_len));

	a->rta_type = (unsigned short)type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(a), data, len);
	r->h.nlmsg_len = NLMSG_ALIGN(r->h.nlmsg_len) + RTA_ALIGN(a->rta_len);
}

/* Sends r and waits for its acknowledgement: 0 or the errno. */
static int
nl_talk(int fd, struct nlreq *r)
{
	static unsigned seq;
	char ans[4096];
	ssize_t n;

	r->h.nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	r->h.nlmsg_seq = ++seq;
	if (rump_sys_sendto(fd, r, r->h.nlmsg_len, 0, NULL, 0) < 0)
		return errno;
	for (;;) {
		if ((n = rump_sys_recvfrom(fd, ans, sizeof(ans), 0, NULL, NULL)) < 0)
			return errno;
		for (struct nlmsghdr *h = (struct nlmsghdr *)ans;
		    NLMSG_OK(h, (unsigned)n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != seq || h->nlmsg_type != NLMSG_ERROR)
				continue;
			return -((struct nlmsgerr *)NLMSG_DATA(h))->error;
		}
	}
}

static int
kwrite(const char *path, const char *s)
{
	int fd, error = 0;
	size_t len = strlen(s);

	if ((fd = rump_sys_open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0)
		return errno;
	if (rump_sys_write(fd, s, len) != (ssize_t)len)
		error = errno != 0 ? errno : EIO;
	if (rump_sys_close(fd) != 0 && error == 0)
		error = errno;
	return error;
}

static int
apply_one(int nl, int ioc, const struct netopt *o, const char *prog)
{
	struct nlreq r;
	struct ifreq ifr;
	struct ifinfomsg *ifi;
	char path[128], what[160];
	int error, index;

	/* ip link add IF type KIND */
	memset(&r, 0, sizeof(r));
	r.h.nlmsg_len = NLMSG_LENGTH(sizeof(*ifi));
	r.h.nlmsg_type = RTM_NEWLINK;
	r.h.nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	ifi = NLMSG_DATA(&r.h);
	ifi->ifi_family = AF_UNSPEC;
	nl_attr(&r, IFLA_IFNAME, o->ifname, strlen(o->ifname) + 1);
	{
		struct rtattr *li = (struct rtattr *)(void *)(r.raw +
		    NLMSG_ALIGN(r.h.nlmsg_len));
		unsigned start = r.h.nlmsg_len;

		nl_attr(&r, IFLA_LINKINFO, "", 0);
		nl_attr(&r, IFLA_INFO_KIND, o->kind, strlen(o->kind));
		li->rta_len = (unsigned short)(r.h.nlmsg_len - start);
	}
	if ((error = nl_talk(nl, &r)) != 0) {
		snprintf(what, sizeof(what), "ip link add %s type %s",
		    o->ifname, o->kind);
		goto fail;
	}
	/* The link: the bus file or the host's TAP device. */
	snprintf(path, sizeof(path), "/proc/sys/net/%s/%s/%s", o->kind,
	    o->ifname, strcmp(o->kind, "shmif") == 0 ? "bus" : "dev");
	if ((error = kwrite(path, o->link)) != 0) {
		snprintf(what, sizeof(what), "%s %.100s", strcmp(o->kind, "shmif")
		    == 0 ? "the bus file" : "the host TAP device", o->link);
		goto fail;
	}
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, o->ifname, strlen(o->ifname));
	if (o->mtu != 0) {
		ifr.ifr_mtu = o->mtu;
		if (rump_sys_ioctl(ioc, SIOCSIFMTU, &ifr) != 0) {
			error = errno;
			snprintf(what, sizeof(what), "mtu %d", o->mtu);
			goto fail;
		}
	}
	if (rump_sys_ioctl(ioc, SIOCGIFFLAGS, &ifr) != 0 ||
	    (ifr.ifr_flags |= IFF_UP,
	    rump_sys_ioctl(ioc, SIOCSIFFLAGS, &ifr) != 0) ||
	    rump_sys_ioctl(ioc, SIOCGIFINDEX, &ifr) != 0) {
		error = errno;
		snprintf(what, sizeof(what), "ip link set %s up", o->ifname);
		goto fail;
	}
	index = ifr.ifr_ifindex;
	for (int i = 0; i < o->naddr; i++) {
		const struct netopt_addr *a = &o->addr[i];
		size_t alen = a->af == AF_INET ? 4 : 16;
		struct ifaddrmsg *ifa;

		memset(&r, 0, sizeof(r));
		r.h.nlmsg_len = NLMSG_LENGTH(sizeof(*ifa));
		r.h.nlmsg_type = RTM_NEWADDR;
		r.h.nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
		ifa = NLMSG_DATA(&r.h);
		ifa->ifa_family = (unsigned char)a->af;
		ifa->ifa_prefixlen = (unsigned char)a->plen;
		ifa->ifa_index = (unsigned)index;
		nl_attr(&r, IFA_LOCAL, a->addr, alen);
		nl_attr(&r, IFA_ADDRESS, a->addr, alen);
		if (a->af == AF_INET && a->plen < 31) {
			uint8_t b[4];
			uint32_t m = htonl(~(0xffffffffu >> a->plen));

			memcpy(b, a->addr, 4);
			for (int k = 0; k < 4; k++)
				b[k] |= (uint8_t)~((uint8_t *)&m)[k];
			nl_attr(&r, IFA_BROADCAST, b, 4);
		}
		if ((error = nl_talk(nl, &r)) != 0) {
			char t[INET6_ADDRSTRLEN];

			inet_ntop(a->af, a->addr, t, sizeof(t));
			snprintf(what, sizeof(what), "address %s/%d", t,
			    a->plen);
			goto fail;
		}
	}
	for (int i = 0; i < o->ngw; i++) {
		const struct netopt_addr *g = &o->gw[i];
		struct rtmsg *rt;

		memset(&r, 0, sizeof(r));
		r.h.nlmsg_len = NLMSG_LENGTH(sizeof(*rt));
		r.h.nlmsg_type = RTM_NEWROUTE;
		r.h.nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
		rt = NLMSG_DATA(&r.h);
		rt->rtm_family = (unsigned char)g->af;
		rt->rtm_table = RT_TABLE_MAIN;
		rt->rtm_protocol = RTPROT_BOOT;
		rt->rtm_scope = RT_SCOPE_UNIVERSE;
		rt->rtm_type = RTN_UNICAST;
		nl_attr(&r, RTA_GATEWAY, g->addr, g->af == AF_INET ? 4 : 16);
		nl_attr(&r, RTA_OIF, &index, sizeof(index));
		if ((error = nl_talk(nl, &r)) != 0) {
			char t[INET6_ADDRSTRLEN];

			inet_ntop(g->af, g->addr, t, sizeof(t));
			snprintf(what, sizeof(what), "default route via %s", t);
			goto fail;
		}
	}
	return 0;
fail:
	fprintf(stderr, "%s: --net %s:%.200s: %s: %s\n", prog, o->kind, o->link,
	    what, strerror(error));
	return -1;
}

static int
write_resolv(const struct netopts *ops, const char *prog)
{
	char buf[512], t[INET6_ADDRSTRLEN];
	size_t off;
	int error;

	off = (size_t)snprintf(buf, sizeof(buf),
	    "# made by %s from --net dns=\n", prog);
	for (int i = 0; i < ops->n; i++)
		for (int k = 0; k < ops->opt[i].ndns; k++) {
			const struct netopt_addr *d = &ops->opt[i].dns[k];

			inet_ntop(d->af, d->addr, t, sizeof(t));
			off += (size_t)snprintf(buf + off, sizeof(buf) - off,
			    "nameserver %s\n", t);
		}
	(void)rump_sys_mkdir("/etc", 0755);
	if ((error = kwrite("/etc/resolv.conf", buf)) != 0) {
		fprintf(stderr, "%s: --net dns=: the kernel's "
		    "/etc/resolv.conf: %s\n", prog, strerror(error));
		return -1;
	}
	return 0;
}

/*
 * Waits (3 s at most) until duplicate address detection has passed for
 * every IPv6 address (none tentative in the kernel's /proc/net/if_inet6),
 * so the command starts with its addresses usable, as a network that
 * is "online" is.  A failed DAD is said.
 */
static void
dad_wait(const char *prog)
{
	char buf[8192];
	ssize_t n;
	int fd;

	for (int tries = 0; tries < 60; tries++) {
		bool tentative = false;
		char *line, *save;

		if ((fd = rump_sys_open("/proc/net/if_inet6", O_RDONLY)) < 0)
			return;
		n = rump_sys_read(fd, buf, sizeof(buf) - 1);
		rump_sys_close(fd);
		if (n <= 0)
			return;
		buf[n] = '\0';
		for (line = strtok_r(buf, "\n", &save); line != NULL;
		    line = strtok_r(NULL, "\n", &save)) {
			char addr[40], ifname[IFNAMSIZ + 1];
			unsigned idx, plen, scope, flags;

			if (sscanf(line, "%39s %x %x %x %x %16s", addr, &idx,
			    &plen, &scope, &flags, ifname) != 6)
				continue;
			if (flags & 0x08 && tries == 0)	/* IFA_F_DADFAILED */
				fprintf(stderr, "%s: --net: %s: duplicate "
				    "address detection failed for %s\n",
				    prog, ifname, addr);
			if ((flags & 0x48) == 0x40)	/* TENTATIVE only */
				tentative = true;
		}
		if (!tentative)
			return;
		nanosleep(&(struct timespec){ 0, 50000000 }, NULL);
	}
}

int
netopt_apply(const struct netopts *ops, const char *prog)
{
	int nl, ioc, rv = 0;

	if (ops->n == 0)
		return 0;
	if ((nl = rump_sys_socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
	    NETLINK_ROUTE)) < 0 ||
	    (ioc = rump_sys_socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0) {
		fprintf(stderr, "%s: --net: the kernel's sockets: %s\n", prog,
		    strerror(errno));
		return -1;
	}
	for (int i = 0; i < ops->n && rv == 0; i++)
		rv = apply_one(nl, ioc, &ops->opt[i], prog);
	if (rv == 0 && netopt_has_dns(ops))
		rv = write_resolv(ops, prog);
	if (rv == 0)
		dad_wait(prog);
	rump_sys_close(nl);
	rump_sys_close(ioc);
	return rv;
}
