/*
 * test_route.c: the routing tables (kernel/net/route.c) through the
 * test configuration path rump_net_route()/rump_net_route_get()
 * (kernel/net/route_inject.c) and through what a socket sees: longest
 * prefix match in IPv4 and IPv6, metrics, default routes, gateways (on
 * link or refused), unreachable routes (EHOSTUNREACH), no route
 * (ENETUNREACH), deletion (ESRCH for a missing route), the connected
 * routes of lo's addresses, the forwarding sysctls, and the neighbour
 * table's configuration side (rump_net_neigh).  Routes go
 * through lo (index 1), the only interface of a unit-test kernel.  Runs
 * in the rump kernel only: the host's tables are not the test's to change.
 */
#include "compat.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#ifndef TEST_ON_HOST
int rump_net_route(int op, int af, const void *dst, int plen, const void *gw,
    int ifindex, unsigned metric, int type);
int rump_net_route_get(int af, const void *dst, int oif, void *gw,
    int *ifindex, int *plen, int *type);

int rump_net_neigh(int op, int af, const void *addr, int ifindex,
    void *lladdr, int lllen, int *state);

#define NUD_REACHABLE	0x02
#define NUD_NOARP	0x40
#define NUD_PERMANENT	0x80
#define RTN_UNICAST	1
#define RTN_LOCAL	2
#define RTN_UNREACHABLE	7

static struct in_addr
a4(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a;
}

static struct in6_addr
a6(const char *s)
{
	struct in6_addr a;

	assert_int_equal(inet_pton(AF_INET6, s, &a), 1);
	return a;
}

static int
add4(const char *dst, int plen, const char *gw, unsigned metric, int type)
{
	struct in_addr d = a4(dst), g;

	if (gw != NULL)
		g = a4(gw);
	return rump_net_route(1, AF_INET, &d, plen, gw ? &g : NULL,
	    gw ? 0 : 1, metric, type);
}

static int
del4(const char *dst, int plen, unsigned metric)
{
	struct in_addr d = a4(dst);

	return rump_net_route(0, AF_INET, &d, plen, NULL, 0, metric, 0);
}

/* The lookup for dst: the errno, or 0 with the next hop's text form. */
static int
get4(const char *dst, char *nh, int *plen, int *type)
{
	struct in_addr d = a4(dst), g;
	int ifindex, error;

	error = rump_net_route_get(AF_INET, &d, 0, &g, &ifindex, plen, type);
	if (error == 0) {
		assert_int_equal(ifindex, 1);
		inet_ntop(AF_INET, &g, nh, INET_ADDRSTRLEN);
	}
	return error;
}

static int
add6(const char *dst, int plen, const char *gw, unsigned metric, int type)
{
	struct in6_addr d = a6(dst), g;

	if (gw != NULL)
		g = a6(gw);
	return rump_net_route(1, AF_INET6, &d, plen, gw ? &g : NULL,
	    gw ? 0 : 1, metric, type);
}

static int
get6(const char *dst, char *nh, int *plen, int *type)
{
	struct in6_addr d = a6(dst), g;
	int ifindex, error;

	error = rump_net_route_get(AF_INET6, &d, 0, &g, &ifindex, plen, type);
	if (error == 0)
		inet_ntop(AF_INET6, &g, nh, INET6_ADDRSTRLEN);
	return error;
}

/* connect() of a UDP socket to dst: 0 or errno (what a user sees). */
static int
udp_connect4(const char *dst)
{
	struct sockaddr_in sin;
	int s, r, e;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(9);
	sin.sin_addr = a4(dst);
	s = (int)CHECK_OK(rump_sys_socket(AF_INET, SOCK_DGRAM, 0));
	r = rump_sys_connect(s, (struct sockaddr *)&sin, sizeof(sin));
	e = r == 0 ? 0 : errno;
	CHECK_OK(rump_sys_close(s));
	return e;
}

static int
udp_connect6(const char *dst)
{
	struct sockaddr_in6 sin6;
	int s, r, e;

	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons(9);
	sin6.sin6_addr = a6(dst);
	s = (int)CHECK_OK(rump_sys_socket(AF_INET6, SOCK_DGRAM, 0));
	r = rump_sys_connect(s, (struct sockaddr *)&sin6, sizeof(sin6));
	e = r == 0 ? 0 : errno;
	CHECK_OK(rump_sys_close(s));
	return e;
}

static void
route_lpm_v4(void **state)
{
	char nh[64];
	int plen, type;

	(void)state;
	assert_int_equal(get4("10.1.2.3", nh, &plen, &type), ENETUNREACH);
	assert_int_equal(udp_connect4("10.1.2.3"), ENETUNREACH);

	assert_int_equal(add4("10.0.0.0", 8, NULL, 0, 0), 0);
	assert_int_equal(add4("10.0.0.0", 8, NULL, 0, 0), EEXIST);
	assert_int_equal(add4("10.0.0.1", 8, NULL, 0, 0), EINVAL);
	assert_int_equal(get4("10.1.2.3", nh, &plen, &type), 0);
	assert_string_equal(nh, "10.1.2.3");	/* on link: dst itself */
	assert_int_equal(plen, 8);
	assert_int_equal(type, RTN_UNICAST);
	assert_int_equal(udp_connect4("10.1.2.3"), 0);

	/* A longer prefix wins, here an unreachable one. */
	assert_int_equal(add4("10.1.0.0", 16, NULL, 0, RTN_UNREACHABLE), 0);
	assert_int_equal(get4("10.1.2.3", nh, &plen, &type), EHOSTUNREACH);
	assert_int_equal(udp_connect4("10.1.2.3"), EHOSTUNREACH);
	assert_int_equal(get4("10.2.0.1", nh, &plen, &type), 0);
	assert_int_equal(plen, 8);

	/* Gateways: on link through a direct route, else refused. */
	assert_int_equal(add4("20.0.0.0", 8, "10.0.0.1", 0, 0), 0);
	assert_int_equal(get4("20.5.5.5", nh, &plen, &type), 0);
	assert_string_equal(nh, "10.0.0.1");
	assert_int_equal(add4("30.0.0.0", 8, "99.0.0.1", 0, 0), ENETUNREACH);

	/* Defaults: the lowest metric, then the next once it goes. */
	assert_int_equal(add4("0.0.0.0", 0, "10.0.0.3", 10, 0), 0);
	assert_int_equal(add4("0.0.0.0", 0, "10.0.0.2", 0, 0), 0);
	assert_int_equal(get4("8.8.8.8", nh, &plen, &type), 0);
	assert_string_equal(nh, "10.0.0.2");
	assert_int_equal(plen, 0);
	assert_int_equal(get4("20.5.5.5", nh, &plen, &type), 0);
	assert_string_equal(nh, "10.0.0.1");	/* longer than the default */
	assert_int_equal(del4("0.0.0.0", 0, 0), 0);
	assert_int_equal(get4("8.8.8.8", nh, &plen, &type), 0);
	assert_string_equal(nh, "10.0.0.3");
	assert_int_equal(del4("0.0.0.0", 0, 10), 0);
	assert_int_equal(del4("0.0.0.0", 0, 0), ESRCH);
	assert_int_equal(get4("8.8.8.8", nh, &plen, &type), ENETUNREACH);
	assert_int_equal(udp_connect4("8.8.8.8"), ENETUNREACH);

	assert_int_equal(del4("10.1.0.0", 16, 0), 0);
	assert_int_equal(del4("20.0.0.0", 8, 0), 0);
	assert_int_equal(del4("10.0.0.0", 8, 0), 0);
	assert_int_equal(del4("10.0.0.0", 8, 0), ESRCH);
	assert_int_equal(udp_connect4("10.1.2.3"), ENETUNREACH);
}

static void
route_lpm_v6(void **state)
{
	char nh[64];
	int plen, type;
	struct in6_addr d;

	(void)state;
	assert_int_equal(get6("2001:db8::5", nh, &plen, &type), ENETUNREACH);
	assert_int_equal(udp_connect6("2001:db8::5"), ENETUNREACH);
	assert_int_equal(add6("2001:db8::", 32, NULL, 1024, 0), 0);
	assert_int_equal(add6("2001:db8:1::", 48, NULL, 1024,
	    RTN_UNREACHABLE), 0);
	assert_int_equal(add6("::", 0, "2001:db8::1", 1024, 0), 0);
	assert_int_equal(get6("2001:db8:2::5", nh, &plen, &type), 0);
	assert_string_equal(nh, "2001:db8:2::5");
	assert_int_equal(plen, 32);
	assert_int_equal(get6("2001:db8:1::5", nh, &plen, &type),
	    EHOSTUNREACH);
	assert_int_equal(udp_connect6("2001:db8:1::5"), EHOSTUNREACH);
	assert_int_equal(get6("2600::1", nh, &plen, &type), 0);
	assert_string_equal(nh, "2001:db8::1");
	assert_int_equal(plen, 0);
	assert_int_equal(udp_connect6("2600::1"), 0);
	/* IPv6 clears host bits of the prefix, as Linux. */
	assert_int_equal(add6("2001:db9::1", 32, NULL, 1024, 0), 0);
	assert_int_equal(get6("2001:db9:ffff::1", nh, &plen, &type), 0);
	assert_int_equal(plen, 32);

	d = a6("::");
	assert_int_equal(rump_net_route(0, AF_INET6, &d, 0, NULL, 0, 1024, 0),
	    0);
	assert_int_equal(get6("2600::1", nh, &plen, &type), ENETUNREACH);
	d = a6("2001:db8:1::");
	assert_int_equal(rump_net_route(0, AF_INET6, &d, 48, NULL, 0, 0, 0),
	    0);
	assert_int_equal(get6("2001:db8:1::5", nh, &plen, &type), 0);
	assert_int_equal(plen, 32);
	assert_int_equal(rump_net_route(0, AF_INET6, &d, 48, NULL, 0, 0, 0),
	    ESRCH);
	/* Bad requests. */
	assert_int_equal(rump_net_route(1, AF_INET6, &d, 129, NULL, 1, 0, 0),
	    EINVAL);
	assert_int_equal(rump_net_route(1, AF_INET6, &d, 48, NULL, 77, 0, 0),
	    ENODEV);
	assert_int_equal(rump_net_route(1, AF_UNIX, &d, 48, NULL, 1, 0, 0),
	    EAFNOSUPPORT);
}

/* lo's addresses brought their routes, as Linux's table local has. */
static void
route_connected(void **state)
{
	char nh[64];
	int plen, type;

	(void)state;
	assert_int_equal(get4("127.0.0.1", nh, &plen, &type), 0);
	assert_int_equal(type, RTN_LOCAL);
	assert_int_equal(plen, 32);
	assert_int_equal(get4("127.9.9.9", nh, &plen, &type), 0);
	assert_int_equal(type, RTN_LOCAL);
	assert_int_equal(plen, 8);
	assert_int_equal(get6("::1", nh, &plen, &type), 0);
	assert_int_equal(type, RTN_LOCAL);
	assert_int_equal(plen, 128);
	assert_int_equal(get4("128.0.0.1", nh, &plen, &type), ENETUNREACH);
}

static void
route_forward_sysctl(void **state)
{
	char buf[32];

	(void)state;
	get_file("/proc/sys/net/ipv4/ip_forward", buf, sizeof(buf));
	assert_string_equal(buf, "0\n");
	get_file("/proc/sys/net/ipv6/conf/all/forwarding", buf, sizeof(buf));
	assert_string_equal(buf, "0\n");
	put_file("/proc/sys/net/ipv4/ip_forward", "1");
	get_file("/proc/sys/net/ipv4/ip_forward", buf, sizeof(buf));
	assert_string_equal(buf, "1\n");
	put_file("/proc/sys/net/ipv6/conf/all/forwarding", "1");
	get_file("/proc/sys/net/ipv6/conf/all/forwarding", buf, sizeof(buf));
	assert_string_equal(buf, "1\n");
	put_file("/proc/sys/net/ipv4/ip_forward", "0");
	put_file("/proc/sys/net/ipv6/conf/all/forwarding", "0");
	get_file("/proc/sys/net/ipv4/ip_forward", buf, sizeof(buf));
	assert_string_equal(buf, "0\n");
}

/* The neighbour table's configuration side (ip neigh, SIOCSARP). */
static void
neigh_table(void **state)
{
	struct in_addr a = a4("10.9.9.9");
	struct in6_addr b = a6("2001:db8::9");
	int st = 0;

	(void)state;
	assert_int_equal(rump_net_neigh(3, AF_INET, &a, 1, NULL, 0, &st),
	    ENOENT);
	/* state 0: permanent, as ip neigh add without nud (lo's link
	 * addresses have 6 bytes, as Linux's) */
	assert_int_equal(rump_net_neigh(1, AF_INET, &a, 1, "abcdef", 6, &st),
	    0);
	assert_int_equal(rump_net_neigh(1, AF_INET, &a, 1, "abcdef", 6, &st),
	    EEXIST);
	assert_int_equal(rump_net_neigh(3, AF_INET, &a, 1, NULL, 0, &st), 0);
	assert_int_equal(st, NUD_PERMANENT);
	st = NUD_NOARP;
	assert_int_equal(rump_net_neigh(2, AF_INET, &a, 1, NULL, 0, &st), 0);
	st = 0;
	assert_int_equal(rump_net_neigh(3, AF_INET, &a, 1, NULL, 0, &st), 0);
	assert_int_equal(st, NUD_NOARP);
	/* A link address of the wrong length for the interface (lo: 6). */
	st = NUD_REACHABLE;
	assert_int_equal(rump_net_neigh(1, AF_INET6, &b, 1, "abc", 3,
	    &st), EINVAL);
	assert_int_equal(rump_net_neigh(1, AF_INET6, &b, 99, NULL, 0, NULL),
	    ENODEV);
	assert_int_equal(rump_net_neigh(1, AF_INET6, &b, 1, "abcdef", 6,
	    NULL), 0);
	/* flush keeps permanent and noarp entries, as Linux's ip neigh
	 * flush */
	assert_int_equal(rump_net_neigh(4, 0, NULL, 1, NULL, 0, NULL), 0);
	assert_int_equal(rump_net_neigh(3, AF_INET6, &b, 1, NULL, 0, &st), 0);
	assert_int_equal(rump_net_neigh(0, AF_INET6, &b, 1, NULL, 0, NULL), 0);
	assert_int_equal(rump_net_neigh(0, AF_INET6, &b, 1, NULL, 0, NULL),
	    ENOENT);
	assert_int_equal(rump_net_neigh(0, AF_INET, &a, 1, NULL, 0, NULL), 0);
	assert_int_equal(rump_net_neigh(3, AF_INET, &a, 1, NULL, 0, &st),
	    ENOENT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(neigh_table),
		cmocka_unit_test(route_lpm_v4),
		cmocka_unit_test(route_lpm_v6),
		cmocka_unit_test(route_connected),
		cmocka_unit_test(route_forward_sysctl),
	};

	if (test_kernel_init("route") != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
#else
int
main(void)
{
	/* The host's routing table is not the test's to change. */
	printf("1..0 # SKIP routing tables are tested in the rump kernel only\n");
	return 0;
}
#endif
