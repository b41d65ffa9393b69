/*
 * test_netpeer.c: point-to-point addresses and the IPv6 link dump, as
 * iproute2 and net-tools see them.  `ip addr add A peer P/n`: the dump
 * gives IFA_LOCAL A and IFA_ADDRESS P, the connected route is P's prefix,
 * SIOCGIFDSTADDR answers P and SIOCSIFDSTADDR moves it (and the route),
 * a delete naming another peer is EADDRNOTAVAIL; an IPv6 peer has a /128
 * route of its own.  RTM_GETLINK dumped with
 * family AF_INET6 (`ip -6 addr`'s link lines) is Linux's short IPv6 link
 * message.  The same source runs against the host (TEST_ON_HOST) in a
 * network namespace of its own, with a veth where the kernel has shmif.
 */
#include "compat.h"
#include "nl_helpers.h"

#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>

#ifdef TEST_ON_HOST
#define rump_sys_recv(s, b, n, f) recv((s), (b), (n), (f))
#else
#define rump_sys_recv(s, b, n, f) rump_sys_recvfrom((s), (b), (n), (f), NULL, NULL)
#endif

struct req {
	struct nlmsghdr h;
	union {
		struct ifinfomsg ifi;
		struct ifaddrmsg ifa;
	} u;
	uint8_t attrs[256];
};

static char buf[65536];

static int
nlsock(void)
{
	int s = (int)CHECK_OK(rump_sys_socket(AF_NETLINK, SOCK_RAW,
	    NETLINK_ROUTE));

	return s;
}

/* The errno of the NLMSG_ERROR answering a request (0: an ACK). */
static int
recv_ack(int s)
{
	ssize_t n = rump_sys_recv(s, buf, sizeof(buf), 0);
	struct nlmsghdr *h = (struct nlmsghdr *)buf;

	assert_true(n >= (ssize_t)NLMSG_LENGTH(sizeof(struct nlmsgerr)));
	assert_int_equal(h->nlmsg_type, NLMSG_ERROR);
	return -((struct nlmsgerr *)NLMSG_DATA(h))->error;
}

/* Calls fn for every message of a dump until NLMSG_DONE. */
static void
dump(int s, struct req *r, void (*fn)(struct nlmsghdr *, void *), void *arg)
{
	bool done = false;

	nl_send(s, r);
	while (!done) {
		ssize_t n = rump_sys_recv(s, buf, sizeof(buf), 0);
		struct nlmsghdr *h = (struct nlmsghdr *)buf;

		assert_true(n > 0);
		for (; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_DONE) {
				done = true;
				break;
			}
			assert_int_not_equal(h->nlmsg_type, NLMSG_ERROR);
			fn(h, arg);
		}
	}
}

/* --- RTM_GETLINK for AF_INET6 ------------------------------------------- */

struct linkattrs {
	int family;
	int types[128];
	int n;
};

static void
lo_attrs(struct nlmsghdr *h, void *arg)
{
	struct linkattrs *la = arg;
	struct ifinfomsg *ifi = NLMSG_DATA(h);
	struct rtattr *a = IFLA_RTA(ifi);
	int len = (int)IFLA_PAYLOAD(h);

	if (ifi->ifi_index != 1)
		return;
	la->family = ifi->ifi_family;
	for (; RTA_OK(a, len) && la->n < 128; a = RTA_NEXT(a, len))
		la->types[la->n++] = a->rta_type & NLA_TYPE_MASK;
}

/*
 * A dump of family AF_INET6 answers AF_INET6 messages with only the name,
 * link address, MTU, operational state and IPv6 information, in Linux's
 * order; a dump of AF_UNSPEC and a single get of either family answer
 * the full message (qdisc, queue length, group).
 */
static void
getlink_inet6(void **state)
{
	static const int want[] = { IFLA_IFNAME, IFLA_ADDRESS, IFLA_MTU,
	    IFLA_OPERSTATE, IFLA_PROTINFO };
	struct linkattrs la = { 0 };
	struct req r = { 0 };
	int s = nlsock();
	bool qdisc = false;

	(void)state;
	r.h.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
	r.h.nlmsg_type = RTM_GETLINK;
	r.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	r.u.ifi.ifi_family = AF_INET6;
	dump(s, &r, lo_attrs, &la);
	assert_int_equal(la.family, AF_INET6);
	assert_int_equal(la.n, 5);
	for (int i = 0; i < 5; i++)
		assert_int_equal(la.types[i], want[i]);
	memset(&la, 0, sizeof(la));
	r.u.ifi.ifi_family = AF_UNSPEC;
	dump(s, &r, lo_attrs, &la);
	assert_int_equal(la.family, AF_UNSPEC);
	for (int i = 0; i < la.n; i++)
		qdisc |= la.types[i] == IFLA_QDISC;
	assert_true(qdisc);
	/* A get of lo with family AF_INET6: the full message. */
	r.h.nlmsg_flags = NLM_F_REQUEST;
	r.u.ifi.ifi_family = AF_INET6;
	r.u.ifi.ifi_index = 1;
	nl_send(s, &r);
	assert_true(rump_sys_recv(s, buf, sizeof(buf), 0) > 0);
	assert_int_equal(((struct nlmsghdr *)buf)->nlmsg_type, RTM_NEWLINK);
	memset(&la, 0, sizeof(la));
	qdisc = false;
	lo_attrs((struct nlmsghdr *)buf, &la);
	assert_int_equal(la.family, AF_UNSPEC);
	for (int i = 0; i < la.n; i++)
		qdisc |= la.types[i] == IFLA_QDISC;
	assert_true(qdisc);
	CHECK_OK(rump_sys_close(s));
}

/* --- peers --------------------------------------------------------------- */

static void
addr_req(struct req *r, int type, unsigned index, int plen, const char *local,
    const char *peer)
{
	in_addr_t l = inet_addr(local), p = inet_addr(peer);

	memset(r, 0, sizeof(*r));
	r->h.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg));
	r->h.nlmsg_type = (uint16_t)type;
	r->h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK |
	    (type == RTM_NEWADDR ? NLM_F_CREATE | NLM_F_EXCL : 0);
	r->u.ifa.ifa_family = AF_INET;
	r->u.ifa.ifa_prefixlen = (unsigned char)plen;
	r->u.ifa.ifa_index = index;
	nl_put_attr(r, IFA_LOCAL, &l, 4);
	nl_put_attr(r, IFA_ADDRESS, &p, 4);
}

struct addrfind {
	in_addr_t local;	/* the IFA_LOCAL looked for */
	in_addr_t address;	/* its IFA_ADDRESS, 0 if not found */
	int plen;
};

static void
find_local(struct nlmsghdr *h, void *arg)
{
	struct addrfind *f = arg;
	struct ifaddrmsg *ifa = NLMSG_DATA(h);
	struct rtattr *a = IFA_RTA(ifa);
	int len = (int)IFA_PAYLOAD(h);
	in_addr_t local = 0, address = 0;

	for (; RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == IFA_LOCAL)
			memcpy(&local, RTA_DATA(a), 4);
		if (a->rta_type == IFA_ADDRESS)
			memcpy(&address, RTA_DATA(a), 4);
	}
	if (local == f->local) {
		f->address = address;
		f->plen = ifa->ifa_prefixlen;
	}
}

/* The IFA_ADDRESS dumped for IFA_LOCAL local ("" if none). */
static const char *
peer_of(int s, const char *local, int *plen)
{
	static char txt[INET_ADDRSTRLEN];
	struct addrfind f = { .local = inet_addr(local) };
	struct req r = { 0 };

	r.h.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg));
	r.h.nlmsg_type = RTM_GETADDR;
	r.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	r.u.ifa.ifa_family = AF_INET;
	dump(s, &r, find_local, &f);
	if (plen != NULL)
		*plen = f.plen;
	if (f.address == 0)
		return "";
	return inet_ntop(AF_INET, &f.address, txt, sizeof(txt));
}

/* ip addr add 10.7.0.1 peer 10.7.0.2/32 dev lo, then its deletes. */
static void
peer_netlink(void **state)
{
	struct req r;
	int s = nlsock(), plen = 0;

	(void)state;
	addr_req(&r, RTM_NEWADDR, 1, 32, "10.7.0.1", "10.7.0.2");
	nl_send(s, &r);
	assert_int_equal(recv_ack(s), 0);
	assert_string_equal(peer_of(s, "10.7.0.1", &plen), "10.7.0.2");
	assert_int_equal(plen, 32);
	/* An address without a peer has IFA_ADDRESS = IFA_LOCAL. */
	assert_string_equal(peer_of(s, "127.0.0.1", &plen), "127.0.0.1");
	assert_int_equal(plen, 8);
	/* The delete must name the same peer and prefix length. */
	addr_req(&r, RTM_DELADDR, 1, 32, "10.7.0.1", "10.7.0.3");
	nl_send(s, &r);
	assert_int_equal(recv_ack(s), EADDRNOTAVAIL);
	addr_req(&r, RTM_DELADDR, 1, 24, "10.7.0.1", "10.7.0.2");
	nl_send(s, &r);
	assert_int_equal(recv_ack(s), EADDRNOTAVAIL);
	assert_string_equal(peer_of(s, "10.7.0.1", NULL), "10.7.0.2");
	addr_req(&r, RTM_DELADDR, 1, 32, "10.7.0.1", "10.7.0.2");
	nl_send(s, &r);
	assert_int_equal(recv_ack(s), 0);
	assert_string_equal(peer_of(s, "10.7.0.1", NULL), "");
	CHECK_OK(rump_sys_close(s));
}

struct addr6find {
	struct in6_addr local, address;
	bool found;
};

static void
find_local6(struct nlmsghdr *h, void *arg)
{
	struct addr6find *f = arg;
	struct ifaddrmsg *ifa = NLMSG_DATA(h);
	struct rtattr *a = IFA_RTA(ifa);
	int len = (int)IFA_PAYLOAD(h);
	struct in6_addr local = { 0 }, address = { 0 };

	for (; RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == IFA_LOCAL)
			memcpy(&local, RTA_DATA(a), 16);
		if (a->rta_type == IFA_ADDRESS)
			memcpy(&address, RTA_DATA(a), 16);
	}
	if (memcmp(&local, &f->local, 16) == 0) {
		f->address = address;
		f->found = true;
	}
}

/*
 * ip -6 addr add 2001:db8:1::1 peer 2001:db8:2::/64 dev lo: dumped with
 * IFA_LOCAL and IFA_ADDRESS (the peer), routed by the address's prefix
 * and a /128 to the peer; an IPv6 delete ignores the peer.
 */
static void
peer_netlink6(void **state)
{
	struct req r = { 0 }, d = { 0 };
	struct in6_addr l, p;
	struct addr6find f = { 0 };
	char routes[8192];
	int s = nlsock();

	(void)state;
	assert_int_equal(inet_pton(AF_INET6, "2001:db8:1::1", &l), 1);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8:2::", &p), 1);
	r.h.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg));
	r.h.nlmsg_type = RTM_NEWADDR;
	r.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE |
	    NLM_F_EXCL;
	r.u.ifa.ifa_family = AF_INET6;
	r.u.ifa.ifa_prefixlen = 64;
	r.u.ifa.ifa_index = 1;
	nl_put_attr(&r, IFA_LOCAL, &l, 16);
	nl_put_attr(&r, IFA_ADDRESS, &p, 16);
	nl_send(s, &r);
	assert_int_equal(recv_ack(s), 0);
	d.h.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg));
	d.h.nlmsg_type = RTM_GETADDR;
	d.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	d.u.ifa.ifa_family = AF_INET6;
	f.local = l;
	dump(s, &d, find_local6, &f);
	assert_true(f.found);
	assert_memory_equal(&f.address, &p, 16);
	get_file("/proc/net/ipv6_route", routes, sizeof(routes));
	assert_non_null(strstr(routes, "20010db8000100000000000000000000 40 "));
	/* Linux adds the peer's route from its address work, after the
	 * answer: wait for it (the kernel's is there at once). */
	for (int i = 0; i < 500 && strstr(routes,
	    "20010db8000200000000000000000000 80 ") == NULL; i++) {
		usleep(10000);
		get_file("/proc/net/ipv6_route", routes, sizeof(routes));
	}
	assert_non_null(strstr(routes, "20010db8000200000000000000000000 80 "));
	/* Deleted naming another peer: IPv6 does not look at it. */
	assert_int_equal(inet_pton(AF_INET6, "2001:db8:3::", &p), 1);
	r.h.nlmsg_type = RTM_DELADDR;
	r.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	r.h.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg));
	nl_put_attr(&r, IFA_LOCAL, &l, 16);
	nl_put_attr(&r, IFA_ADDRESS, &p, 16);
	nl_send(s, &r);
	assert_int_equal(recv_ack(s), 0);
	get_file("/proc/net/ipv6_route", routes, sizeof(routes));
	assert_null(strstr(routes, "20010db80001"));
	assert_null(strstr(routes, "20010db80002"));
	CHECK_OK(rump_sys_close(s));
}

static int
link_add(int s, const char *name)
{
#ifdef TEST_ON_HOST
	const char *kind = "veth";
#else
	const char *kind = "shmif";
#endif
	struct req r = { 0 };
	char info[32] = { 0 };
	struct rtattr *k = (struct rtattr *)info;
	struct ifreq ifr = { 0 };
	int d = (int)CHECK_OK(rump_sys_socket(AF_INET, SOCK_DGRAM, 0));

	r.h.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
	r.h.nlmsg_type = RTM_NEWLINK;
	r.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE |
	    NLM_F_EXCL;
	nl_put_attr(&r, IFLA_IFNAME, name, strlen(name) + 1);
	k->rta_type = IFLA_INFO_KIND;
	k->rta_len = (unsigned short)RTA_LENGTH(strlen(kind));
	memcpy(RTA_DATA(k), kind, strlen(kind));
	nl_put_attr(&r, IFLA_LINKINFO, info, RTA_ALIGN(k->rta_len));
	nl_send(s, &r);
	assert_int_equal(recv_ack(s), 0);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	CHECK_OK(rump_sys_ioctl(d, SIOCGIFFLAGS, &ifr));
	ifr.ifr_flags |= IFF_UP;
	CHECK_OK(rump_sys_ioctl(d, SIOCSIFFLAGS, &ifr));
	CHECK_OK(rump_sys_ioctl(d, SIOCGIFINDEX, &ifr));
	CHECK_OK(rump_sys_close(d));
	return ifr.ifr_ifindex;
}

static void
link_del(int s, int index)
{
	struct req r = { 0 };

	r.h.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
	r.h.nlmsg_type = RTM_DELLINK;
	r.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	r.u.ifi.ifi_index = index;
	nl_send(s, &r);
	assert_int_equal(recv_ack(s), 0);
}

/* SIOCGIFDSTADDR/SIOCSIFDSTADDR on name (dst in, then out); the errno. */
static int
dstaddr(unsigned long cmd, const char *name, int family, char *dst,
    size_t len)
{
	struct ifreq ifr = { 0 };
	struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_dstaddr;
	int d = (int)CHECK_OK(rump_sys_socket(AF_INET, SOCK_DGRAM, 0)), rv;

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	sin->sin_family = (sa_family_t)family;
	sin->sin_addr.s_addr = inet_addr(dst);
	rv = rump_sys_ioctl(d, cmd, &ifr) == 0 ? 0 : errno;
	if (rv == 0 && cmd == SIOCGIFDSTADDR)
		inet_ntop(AF_INET, &sin->sin_addr, dst, (socklen_t)len);
	CHECK_OK(rump_sys_close(d));
	return rv;
}

/*
 * The connected route of a peer is the peer's prefix (/proc/net/route's
 * host route 10.9.0.2, flags UH); SIOCSIFDSTADDR moves the peer and the
 * route with it, refusing a multicast peer (EINVAL), another family
 * (EINVAL), a user (EPERM), an unknown link (ENODEV) and a link without
 * an IPv4 address (EADDRNOTAVAIL).
 */
static void
peer_route_ioctl(void **state)
{
	char routes[4096], dst[INET_ADDRSTRLEN];
	struct req r;
	int s = nlsock(), idx = link_add(s, "pp0");

	(void)state;
	strcpy(dst, "0.0.0.0");
	assert_int_equal(dstaddr(SIOCGIFDSTADDR, "pp0", AF_INET, dst,
	    sizeof(dst)), EADDRNOTAVAIL);
	assert_int_equal(dstaddr(SIOCSIFDSTADDR, "pp0", AF_INET, dst,
	    sizeof(dst)), EADDRNOTAVAIL);
	addr_req(&r, RTM_NEWADDR, (unsigned)idx, 32, "10.9.0.1", "10.9.0.2");
	nl_send(s, &r);
	assert_int_equal(recv_ack(s), 0);
	get_file("/proc/net/route", routes, sizeof(routes));
	assert_non_null(strstr(routes, "pp0\t0200090A\t00000000\t0005"));
	assert_int_equal(dstaddr(SIOCGIFDSTADDR, "pp0", AF_INET, dst,
	    sizeof(dst)), 0);
	assert_string_equal(dst, "10.9.0.2");
	strcpy(dst, "10.9.0.5");
	assert_int_equal(dstaddr(SIOCSIFDSTADDR, "pp0", AF_INET, dst,
	    sizeof(dst)), 0);
	assert_string_equal(peer_of(s, "10.9.0.1", NULL), "10.9.0.5");
	get_file("/proc/net/route", routes, sizeof(routes));
	assert_non_null(strstr(routes, "pp0\t0500090A\t00000000\t0005"));
	assert_null(strstr(routes, "pp0\t0200090A"));
	strcpy(dst, "224.0.0.1");
	assert_int_equal(dstaddr(SIOCSIFDSTADDR, "pp0", AF_INET, dst,
	    sizeof(dst)), EINVAL);
	strcpy(dst, "10.9.0.6");
	assert_int_equal(dstaddr(SIOCSIFDSTADDR, "pp0", AF_INET6, dst,
	    sizeof(dst)), EINVAL);
	assert_int_equal(dstaddr(SIOCSIFDSTADDR, "nosuch0", AF_INET, dst,
	    sizeof(dst)), ENODEV);
	user_enter();
	assert_int_equal(dstaddr(SIOCSIFDSTADDR, "pp0", AF_INET, dst,
	    sizeof(dst)), EPERM);
	user_leave();
	assert_string_equal(peer_of(s, "10.9.0.1", NULL), "10.9.0.5");
	/* Back to no peer: the /32 has no prefix route. */
	strcpy(dst, "10.9.0.1");
	assert_int_equal(dstaddr(SIOCSIFDSTADDR, "pp0", AF_INET, dst,
	    sizeof(dst)), 0);
	get_file("/proc/net/route", routes, sizeof(routes));
	assert_null(strstr(routes, "pp0"));
	link_del(s, idx);
	CHECK_OK(rump_sys_close(s));
}

static void
has_brd(struct nlmsghdr *h, void *arg)
{
	struct ifaddrmsg *ifa = NLMSG_DATA(h);
	struct rtattr *a = IFA_RTA(ifa);
	int len = (int)IFA_PAYLOAD(h);
	in_addr_t local = 0, brd = 0;

	for (; RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == IFA_LOCAL)
			memcpy(&local, RTA_DATA(a), 4);
		if (a->rta_type == IFA_BROADCAST)
			memcpy(&brd, RTA_DATA(a), 4);
	}
	if (local == inet_addr("10.9.0.1"))
		*(in_addr_t *)arg = brd;
}

/*
 * An address added by rtnetlink without IFA_BROADCAST shows none, on a
 * broadcast link too (ip addr add A/24 without "brd +"): no IFA_BROADCAST,
 * SIOCGIFBRDADDR 0.0.0.0, as Linux; with one it shows it.
 */
static void
netlink_brd(void **state)
{
	struct req r, d = { 0 };
	struct ifreq ifr = { 0 };
	in_addr_t brd = 1, b = inet_addr("10.9.0.255");
	int s = nlsock(), idx = link_add(s, "pb0");
	int i4 = (int)CHECK_OK(rump_sys_socket(AF_INET, SOCK_DGRAM, 0));

	(void)state;
	addr_req(&r, RTM_NEWADDR, (unsigned)idx, 24, "10.9.0.1", "10.9.0.1");
	nl_send(s, &r);
	assert_int_equal(recv_ack(s), 0);
	d.h.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg));
	d.h.nlmsg_type = RTM_GETADDR;
	d.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	d.u.ifa.ifa_family = AF_INET;
	dump(s, &d, has_brd, &brd);
	assert_int_equal(brd, 0);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "pb0");
	CHECK_OK(rump_sys_ioctl(i4, SIOCGIFBRDADDR, &ifr));
	assert_int_equal(((struct sockaddr_in *)&ifr.ifr_broadaddr)->
	    sin_addr.s_addr, 0);
	addr_req(&r, RTM_DELADDR, (unsigned)idx, 24, "10.9.0.1", "10.9.0.1");
	nl_send(s, &r);
	assert_int_equal(recv_ack(s), 0);
	addr_req(&r, RTM_NEWADDR, (unsigned)idx, 24, "10.9.0.1", "10.9.0.1");
	nl_put_attr(&r, IFA_BROADCAST, &b, 4);
	nl_send(s, &r);
	assert_int_equal(recv_ack(s), 0);
	dump(s, &d, has_brd, &brd);
	assert_int_equal(brd, b);
	link_del(s, idx);
	CHECK_OK(rump_sys_close(i4));
	CHECK_OK(rump_sys_close(s));
}

static int
group_setup(void **state)
{
	(void)state;
#ifdef TEST_ON_HOST
	assert_int_equal(unshare(CLONE_NEWNET), 0);
	assert_int_equal(system("ip link set lo up"), 0);
#endif
	return test_kernel_init("netpeer");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(getlink_inet6),
		cmocka_unit_test(peer_netlink),
		cmocka_unit_test(peer_netlink6),
		cmocka_unit_test(peer_route_ioctl),
		cmocka_unit_test(netlink_brd),
	};

	return cmocka_run_group_tests_name("netpeer", tests, group_setup,
	    NULL);
}
