/*
 * test_netlink.c: NETLINK_ROUTE sockets as iproute2 uses them: bind and
 * getsockname (the port is the pid), a link dump (lo, then NLMSG_DONE),
 * RTM_GETLINK by name (ENODEV for an unknown one), RTM_NEWADDR and
 * RTM_DELADDR with NLM_F_EXCL (EEXIST) and the address dump, EPERM
 * without privilege, EOPNOTSUPP for an unknown type, and malformed
 * requests (an attribute that overruns its message: EINVAL with the
 * extended ack's text) answered, never crashing; RTM_NEWLINK and
 * RTM_DELLINK (ip link add/del) with their errnos.  The same source runs
 * against the host (TEST_ON_HOST) in a network namespace of its own.
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
#define rump_sys_sendto		sendto
#define rump_sys_recv(s, b, n, f) recv((s), (b), (n), (f))
#else
#define rump_sys_recv(s, b, n, f) rump_sys_recvfrom((s), (b), (n), (f), NULL, NULL)
#endif

struct req {
	struct nlmsghdr h;
	union {
		struct ifinfomsg ifi;
		struct ifaddrmsg ifa;
		struct rtmsg rtm;
	} u;
	uint8_t attrs[256];
};

static int
nlsock(void)
{
	int s = rump_sys_socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE), one = 1;

	assert_true(s >= 0);
	CHECK_OK(rump_sys_setsockopt(s, SOL_NETLINK, NETLINK_EXT_ACK, &one,
	    sizeof(one)));
	return s;
}

/* The errno of the NLMSG_ERROR answering r (0: an ACK); ext: its text. */
static int
recv_ack(int s, char *ext, size_t extlen)
{
	static char buf[16384];
	ssize_t n = rump_sys_recv(s, buf, sizeof(buf), 0);
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	struct nlmsgerr *e;

	assert_true(n >= (ssize_t)NLMSG_LENGTH(sizeof(*e)));
	assert_int_equal(h->nlmsg_type, NLMSG_ERROR);
	e = NLMSG_DATA(h);
	if (ext != NULL) {
		ext[0] = '\0';
		if (h->nlmsg_flags & NLM_F_ACK_TLVS) {
			size_t off = NLMSG_LENGTH(sizeof(*e));
			if (!(h->nlmsg_flags & NLM_F_CAPPED))
				off += NLMSG_ALIGN(e->msg.nlmsg_len) - NLMSG_HDRLEN;
			while (off + 4 <= h->nlmsg_len) {
				struct nlattr *a = (struct nlattr *)(buf + off);
				if (a->nla_len < 4)
					break;
				if (a->nla_type == NLMSGERR_ATTR_MSG)
					snprintf(ext, extlen, "%s",
					    (char *)(a + 1));
				off += NLA_ALIGN(a->nla_len);
			}
		}
	}
	return -e->error;
}

static void
bind_and_dump_links(void **state)
{
	int s = nlsock(), nlo = 0, done = 0;
	struct sockaddr_nl a = { .nl_family = AF_NETLINK };
	socklen_t len = sizeof(a);
	struct req r = { 0 };
	static char buf[32768];

	(void)state;
	CHECK_OK(rump_sys_bind(s, (struct sockaddr *)&a, sizeof(a)));
	CHECK_OK(rump_sys_getsockname(s, (struct sockaddr *)&a, &len));
	assert_int_equal(len, sizeof(a));
	assert_int_equal(a.nl_family, AF_NETLINK);
	assert_int_equal(a.nl_pid, (uint32_t)rump_sys_getpid());
	r.h.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
	r.h.nlmsg_type = RTM_GETLINK;
	r.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	r.h.nlmsg_seq = 42;
	nl_send(s, &r);
	while (!done) {
		ssize_t n = rump_sys_recv(s, buf, sizeof(buf), 0);
		struct nlmsghdr *h = (struct nlmsghdr *)buf;

		assert_true(n > 0);
		for (; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			assert_int_equal(h->nlmsg_seq, 42);
			assert_int_equal(h->nlmsg_pid, a.nl_pid);
			if (h->nlmsg_type == NLMSG_DONE) {
				done = 1;
				break;
			}
			assert_int_equal(h->nlmsg_type, RTM_NEWLINK);
			struct ifinfomsg *ifi = NLMSG_DATA(h);
			if (ifi->ifi_index == 1) {
				nlo++;
				assert_int_equal(ifi->ifi_type, 772);
				assert_true(ifi->ifi_flags & IFF_UP);
			}
		}
	}
	assert_int_equal(nlo, 1);
	CHECK_OK(rump_sys_close(s));
}

static void
getlink_by_name(void **state)
{
	int s = nlsock();
	struct req r = { 0 };
	char ext[128];

	(void)state;
	r.h.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
	r.h.nlmsg_type = RTM_GETLINK;
	r.h.nlmsg_flags = NLM_F_REQUEST;
	nl_put_attr(&r, IFLA_IFNAME, "nosuch0", 8);
	nl_send(s, &r);
	assert_int_equal(recv_ack(s, ext, sizeof(ext)), ENODEV);
	CHECK_OK(rump_sys_close(s));
}

static void
newaddr_deladdr(void **state)
{
	int s = nlsock();
	struct req r = { 0 };
	in_addr_t a = inet_addr("10.66.0.1");

	(void)state;
	r.h.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg));
	r.h.nlmsg_type = RTM_NEWADDR;
	r.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE |
	    NLM_F_EXCL;
	r.u.ifa.ifa_family = AF_INET;
	r.u.ifa.ifa_prefixlen = 24;
	r.u.ifa.ifa_index = 1;
	nl_put_attr(&r, IFA_LOCAL, &a, 4);
	nl_put_attr(&r, IFA_ADDRESS, &a, 4);
	nl_send(s, &r);
	assert_int_equal(recv_ack(s, NULL, 0), 0);
	nl_send(s, &r);
	assert_int_equal(recv_ack(s, NULL, 0), EEXIST);
	/* As a user: EPERM. */
	user_enter();
	nl_send(s, &r);
	assert_int_equal(recv_ack(s, NULL, 0), EPERM);
	user_leave();
	r.h.nlmsg_type = RTM_DELADDR;
	r.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nl_send(s, &r);
	assert_int_equal(recv_ack(s, NULL, 0), 0);
	nl_send(s, &r);
	assert_int_equal(recv_ack(s, NULL, 0), EADDRNOTAVAIL);
	r.u.ifa.ifa_index = 4242;
	nl_send(s, &r);
	assert_int_equal(recv_ack(s, NULL, 0), ENODEV);
	CHECK_OK(rump_sys_close(s));
}

static void
malformed_requests(void **state)
{
	int s = nlsock();
	struct req r = { 0 };
	char ext[128];
	struct rtattr *at;

	(void)state;
	/* An attribute longer than its message. */
	r.h.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
	r.h.nlmsg_type = RTM_NEWLINK;
	r.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	r.u.ifi.ifi_index = 1;
	at = (struct rtattr *)((char *)&r + r.h.nlmsg_len);
	at->rta_type = IFLA_MTU;
	at->rta_len = 200;
	r.h.nlmsg_len += 8;
	nl_send(s, &r);
#ifdef TEST_ON_HOST
	/* Linux leaves trailing garbage with a warning; the kernel here is
	 * strict (doc/DESIGN.md): an error answer with its reason. */
	(void)recv_ack(s, ext, sizeof(ext));
#else
	assert_int_equal(recv_ack(s, ext, sizeof(ext)), EINVAL);
	assert_string_equal(ext, "attribute length overruns the message");
#endif
	/* An MTU attribute too short for its u32. */
	at->rta_len = 6;
	nl_send(s, &r);
	assert_int_equal(recv_ack(s, ext, sizeof(ext)), ERANGE);
	/* An unknown type. */
	memset(&r, 0, sizeof(r));
	r.h.nlmsg_len = NLMSG_LENGTH(4);
	r.h.nlmsg_type = 0x7e;
	r.h.nlmsg_flags = NLM_F_REQUEST;
	nl_send(s, &r);
	assert_int_equal(recv_ack(s, NULL, 0), EOPNOTSUPP);
	/* The socket still answers. */
	r.h.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
	r.h.nlmsg_type = RTM_GETLINK;
	r.h.nlmsg_flags = NLM_F_REQUEST;
	r.u.ifi.ifi_index = 4242;
	nl_send(s, &r);
	assert_int_equal(recv_ack(s, NULL, 0), ENODEV);
	CHECK_OK(rump_sys_close(s));
}

/* An RTM_NEWLINK or RTM_DELLINK for the link called name (kind: of a
 * new one). */
static void
link_req(struct req *r, int type, int flags, const char *name,
    const char *kind)
{
	memset(r, 0, sizeof(*r));
	r->h.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
	r->h.nlmsg_type = (uint16_t)type;
	r->h.nlmsg_flags = (uint16_t)(NLM_F_REQUEST | NLM_F_ACK | flags);
	nl_put_attr(r, IFLA_IFNAME, name, strlen(name) + 1);
	if (kind != NULL) {
		char info[32];
		struct rtattr *k = (struct rtattr *)info;

		memset(info, 0, sizeof(info));
		k->rta_type = IFLA_INFO_KIND;
		k->rta_len = (unsigned short)RTA_LENGTH(strlen(kind));
		memcpy(RTA_DATA(k), kind, strlen(kind));
		nl_put_attr(r, IFLA_LINKINFO, info, RTA_ALIGN(k->rta_len));
	}
}

/* The index of the link called name, or -errno of SIOCGIFINDEX; with
 * up, the link is also set up (SIOCSIFFLAGS). */
static int
link_lookup(const char *name, bool up)
{
	struct ifreq ifr;
	int s = (int)CHECK_OK(rump_sys_socket(AF_INET, SOCK_DGRAM, 0));
	int rv;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	rv = rump_sys_ioctl(s, SIOCGIFINDEX, &ifr) == 0 ? ifr.ifr_ifindex :
	    -errno;
	if (rv > 0 && up) {
		CHECK_OK(rump_sys_ioctl(s, SIOCGIFFLAGS, &ifr));
		ifr.ifr_flags |= IFF_UP;
		CHECK_OK(rump_sys_ioctl(s, SIOCSIFFLAGS, &ifr));
	}
	CHECK_OK(rump_sys_close(s));
	return rv;
}

/*
 * ip link add, then ip link del: the link, its address and its on-link
 * route go, the name is free again; a second delete is ENODEV, lo
 * cannot go (EOPNOTSUPP), a user may not (EPERM).  The host's kind is
 * veth (its peer goes with it): it has no shmif.
 */
static void
newlink_dellink(void **state)
{
#ifdef TEST_ON_HOST
	const char *kind = "veth";
#else
	const char *kind = "shmif";
#endif
	int s = nlsock(), idx;
	in_addr_t a = inet_addr("10.77.0.1");
	struct req r;
	char routes[4096];

	(void)state;
	link_req(&r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, "dl0", kind);
	nl_send(s, &r);
	assert_int_equal(recv_ack(s, NULL, 0), 0);
	assert_true((idx = link_lookup("dl0", true)) > 0);
#ifndef TEST_ON_HOST
	CHECK_OK(rump_sys_close((int)CHECK_OK(rump_sys_open(
	    "/proc/sys/net/shmif/dl0/bus", O_RDONLY))));
#endif
	/* 10.77.0.1/24 on it, and so the on-link route 10.77.0.0/24. */
	memset(&r, 0, sizeof(r));
	r.h.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg));
	r.h.nlmsg_type = RTM_NEWADDR;
	r.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE;
	r.u.ifa.ifa_family = AF_INET;
	r.u.ifa.ifa_prefixlen = 24;
	r.u.ifa.ifa_index = (unsigned)idx;
	nl_put_attr(&r, IFA_LOCAL, &a, 4);
	nl_put_attr(&r, IFA_ADDRESS, &a, 4);
	nl_send(s, &r);
	assert_int_equal(recv_ack(s, NULL, 0), 0);
	get_file("/proc/net/route", routes, sizeof(routes));
	assert_non_null(strstr(routes, "dl0\t00004D0A"));
	/* As a user: EPERM, and the link stays. */
	link_req(&r, RTM_DELLINK, 0, "dl0", NULL);
	user_enter();
	nl_send(s, &r);
	assert_int_equal(recv_ack(s, NULL, 0), EPERM);
	user_leave();
	assert_true(link_lookup("dl0", false) > 0);
	nl_send(s, &r);
	assert_int_equal(recv_ack(s, NULL, 0), 0);
	assert_int_equal(link_lookup("dl0", false), -ENODEV);
	get_file("/proc/net/route", routes, sizeof(routes));
	assert_null(strstr(routes, "dl0"));
#ifndef TEST_ON_HOST
	/* shmif's bus sysctl went with it. */
	assert_int_equal(rump_sys_open("/proc/sys/net/shmif/dl0/bus",
	    O_RDONLY), -1);
	assert_int_equal(errno, ENOENT);
#endif
	nl_send(s, &r);
	assert_int_equal(recv_ack(s, NULL, 0), ENODEV);
	link_req(&r, RTM_DELLINK, 0, "lo", NULL);
	nl_send(s, &r);
	assert_int_equal(recv_ack(s, NULL, 0), EOPNOTSUPP);
	assert_true(link_lookup("lo", false) > 0);
	/* The name is free: a new dl0, deleted again. */
	link_req(&r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, "dl0", kind);
	nl_send(s, &r);
	assert_int_equal(recv_ack(s, NULL, 0), 0);
	assert_true(link_lookup("dl0", false) > 0);
	link_req(&r, RTM_DELLINK, 0, "dl0", NULL);
	nl_send(s, &r);
	assert_int_equal(recv_ack(s, NULL, 0), 0);
	CHECK_OK(rump_sys_close(s));
}

/* An RTM_NEWROUTE/DELROUTE for 10.88.0.0/plen via gw (0: dev lo). */
static void
route_req(struct req *r, int type, int flags, int plen, const char *gw)
{
	struct in_addr dst, g;
	uint32_t oif = 1;

	memset(r, 0, sizeof(*r));
	r->h.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg));
	r->h.nlmsg_type = (uint16_t)type;
	r->h.nlmsg_flags = (uint16_t)(NLM_F_REQUEST | NLM_F_ACK | flags);
	r->u.rtm.rtm_family = AF_INET;
	r->u.rtm.rtm_dst_len = (unsigned char)plen;
	r->u.rtm.rtm_table = RT_TABLE_MAIN;
	r->u.rtm.rtm_protocol = RTPROT_BOOT;
	r->u.rtm.rtm_type = RTN_UNICAST;
	r->u.rtm.rtm_scope = gw != NULL ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	inet_pton(AF_INET, "10.88.0.0", &dst);
	nl_put_attr(r, RTA_DST, &dst, 4);
	if (gw != NULL) {
		inet_pton(AF_INET, gw, &g);
		nl_put_attr(r, RTA_GATEWAY, &g, 4);
	} else {
		nl_put_attr(r, RTA_OIF, &oif, 4);
	}
}

/* Routes as ip route add/del send them; errnos as Linux answers. */
static void
newroute_delroute(void **state)
{
	int s = nlsock();
	struct req r;
	struct in_addr a;
	char ext[128];

	(void)state;
	route_req(&r, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, 16, NULL);
	nl_send(s, &r);
	assert_int_equal(recv_ack(s, NULL, 0), 0);
	nl_send(s, &r);
	assert_int_equal(recv_ack(s, NULL, 0), EEXIST);
	/* A gateway no direct route reaches. */
	route_req(&r, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, 24,
	    "192.0.2.1");
	nl_send(s, &r);
	assert_int_equal(recv_ack(s, ext, sizeof(ext)), ENETUNREACH);
	assert_string_equal(ext, "Nexthop has invalid gateway");
	/* Bad input: a prefix past 32, a destination of the wrong size. */
	route_req(&r, RTM_NEWROUTE, NLM_F_CREATE, 33, NULL);
	nl_send(s, &r);
	assert_int_equal(recv_ack(s, NULL, 0), EINVAL);
	route_req(&r, RTM_NEWROUTE, NLM_F_CREATE, 16, NULL);
	r.h.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg));
	inet_pton(AF_INET, "10.88.0.0", &a);
	nl_put_attr(&r, RTA_DST, &a, 3);
	nl_send(s, &r);
	assert_int_equal(recv_ack(s, NULL, 0), ERANGE);
	/* Deleted once; the second time there is none (ESRCH). */
	route_req(&r, RTM_DELROUTE, 0, 16, NULL);
	nl_send(s, &r);
	assert_int_equal(recv_ack(s, NULL, 0), 0);
	nl_send(s, &r);
	assert_int_equal(recv_ack(s, NULL, 0), ESRCH);
	rump_sys_close(s);
}

static void
other_protocols(void **state)
{
	(void)state;
	CHECK_ERR(rump_sys_socket(AF_NETLINK, SOCK_STREAM, NETLINK_ROUTE),
	    ESOCKTNOSUPPORT);
}

static int
group_setup(void **state)
{
	(void)state;
#ifdef TEST_ON_HOST
	assert_int_equal(unshare(CLONE_NEWNET), 0);
	assert_int_equal(system("ip link set lo up"), 0);
#endif
	return test_kernel_init("netlink");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bind_and_dump_links),
		cmocka_unit_test(getlink_by_name),
		cmocka_unit_test(newaddr_deladdr),
		cmocka_unit_test(malformed_requests),
		cmocka_unit_test(newroute_delroute),
		cmocka_unit_test(newlink_dellink),
		cmocka_unit_test(other_protocols),
	};

	return cmocka_run_group_tests_name("netlink", tests, group_setup, NULL);
}
