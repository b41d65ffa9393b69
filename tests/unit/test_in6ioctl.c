/*
 * test_in6ioctl.c: the IPv6 route and address ioctls of AF_INET6
 * sockets, as net-tools' `route -A inet6 add/del` (SIOCADDRT/SIOCDELRT
 * with a struct in6_rtmsg) and `ifconfig X inet6 add/del` (SIOCSIFADDR/
 * SIOCDIFADDR with a struct in6_ifreq) send them: the route and address
 * show in /proc/net/ipv6_route and /proc/net/if_inet6, a second add is
 * EEXIST, a bad prefix length EINVAL, an unknown index ENODEV, a user
 * EPERM, a missing route ESRCH and a missing address EADDRNOTAVAIL; the
 * same numbers on an AF_INET socket keep their IPv4 meaning.  The same
 * source runs against the host (TEST_ON_HOST) in a network namespace of
 * its own, and against rump_server (the family decides the argument's
 * size on the wire: doc/PROTOCOL.md).
 */
#include "compat.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <net/route.h>
#include <sched.h>
#include <sys/ioctl.h>

#ifndef SIOCDIFADDR
#define SIOCDIFADDR	0x8936
#endif

/* Linux's struct in6_ifreq (<linux/ipv6.h>, which clashes with glibc's). */
struct t_in6_ifreq {
	struct in6_addr ifr6_addr;
	uint32_t ifr6_prefixlen;
	int ifr6_ifindex;
};

static int
rt6(unsigned long cmd, const char *dst, int plen, int ifindex, int metric)
{
	struct in6_rtmsg rt;
	int s = (int)CHECK_OK(rump_sys_socket(AF_INET6, SOCK_DGRAM, 0)), rv;

	memset(&rt, 0, sizeof(rt));
	assert_int_equal(inet_pton(AF_INET6, dst, &rt.rtmsg_dst), 1);
	rt.rtmsg_dst_len = (unsigned short)plen;
	rt.rtmsg_metric = (uint32_t)metric;
	rt.rtmsg_flags = RTF_UP;
	rt.rtmsg_ifindex = ifindex;
	rv = rump_sys_ioctl(s, cmd, &rt) == 0 ? 0 : errno;
	CHECK_OK(rump_sys_close(s));
	return rv;
}

static int
addr6(int family, unsigned long cmd, const char *a, int plen, int ifindex)
{
	struct t_in6_ifreq r;
	int s = (int)CHECK_OK(rump_sys_socket(family, SOCK_DGRAM, 0)), rv;

	memset(&r, 0, sizeof(r));
	assert_int_equal(inet_pton(AF_INET6, a, &r.ifr6_addr), 1);
	r.ifr6_prefixlen = (uint32_t)plen;
	r.ifr6_ifindex = ifindex;
	rv = rump_sys_ioctl(s, cmd, &r) == 0 ? 0 : errno;
	CHECK_OK(rump_sys_close(s));
	return rv;
}

static bool
file_has(const char *path, const char *s)
{
	static char buf[16384];

	get_file(path, buf, sizeof(buf));
	return strstr(buf, s) != NULL;
}

#define R5 "20010db8000500000000000000000000 30 " \
	"00000000000000000000000000000000 00 " \
	"00000000000000000000000000000000 00000001 "

/* route -A inet6 add 2001:db8:5::/48 dev lo, then del. */
static void
route6_add_del(void **state)
{
	(void)state;
	assert_int_equal(rt6(SIOCADDRT, "2001:db8:5::", 48, 1, 1), 0);
	assert_true(file_has("/proc/net/ipv6_route", R5));
	assert_int_equal(rt6(SIOCADDRT, "2001:db8:5::", 48, 1, 1), EEXIST);
	assert_int_equal(rt6(SIOCADDRT, "2001:db8:7::", 129, 1, 1), EINVAL);
	assert_int_equal(rt6(SIOCADDRT, "2001:db8:7::", 48, 4242, 1),
	    ENODEV);
	user_enter();
	assert_int_equal(rt6(SIOCADDRT, "2001:db8:7::", 48, 1, 1), EPERM);
	assert_int_equal(rt6(SIOCDELRT, "2001:db8:5::", 48, 1, 1), EPERM);
	user_leave();
	assert_false(file_has("/proc/net/ipv6_route", "20010db80007"));
	assert_int_equal(rt6(SIOCDELRT, "2001:db8:5::", 48, 1, 1), 0);
	assert_false(file_has("/proc/net/ipv6_route", R5));
	assert_int_equal(rt6(SIOCDELRT, "2001:db8:5::", 48, 1, 1), ESRCH);
	/* Neither interface nor gateway: nowhere to send (ENODEV). */
	assert_int_equal(rt6(SIOCADDRT, "2001:db8:5::", 48, 0, 1), ENODEV);
}

/* A gateway through lo: unreachable (Linux's IPv6 routes through lo are
 * reject routes), a link-local one refused (EINVAL).  An address of its
 * own: Linux finishes an address's work after the call, so another test
 * re-adding the same one at once could race with its removal. */
static void
route6_gateway_lo(void **state)
{
	struct in6_rtmsg rt;
	int s = (int)CHECK_OK(rump_sys_socket(AF_INET6, SOCK_DGRAM, 0));

	(void)state;
	assert_int_equal(addr6(AF_INET6, SIOCSIFADDR, "2001:db8:a::1", 64, 1),
	    0);
	memset(&rt, 0, sizeof(rt));
	assert_int_equal(inet_pton(AF_INET6, "2001:db8:6::", &rt.rtmsg_dst), 1);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8:a::99",
	    &rt.rtmsg_gateway), 1);
	rt.rtmsg_dst_len = 48;
	rt.rtmsg_metric = 1;
	rt.rtmsg_flags = RTF_UP | RTF_GATEWAY;
	rt.rtmsg_ifindex = 1;
	CHECK_ERR(rump_sys_ioctl(s, SIOCADDRT, &rt), EHOSTUNREACH);
	rt.rtmsg_ifindex = 0;
	CHECK_ERR(rump_sys_ioctl(s, SIOCADDRT, &rt), EHOSTUNREACH);
	assert_int_equal(inet_pton(AF_INET6, "fe80::1", &rt.rtmsg_gateway), 1);
	rt.rtmsg_ifindex = 1;
	CHECK_ERR(rump_sys_ioctl(s, SIOCADDRT, &rt), EINVAL);
	assert_false(file_has("/proc/net/ipv6_route", "20010db80006"));
	assert_int_equal(addr6(AF_INET6, SIOCDIFADDR, "2001:db8:a::1", 64, 1),
	    0);
	CHECK_OK(rump_sys_close(s));
}

/* ifconfig lo inet6 add 2001:db8::1/64, then del. */
static void
addr6_add_del(void **state)
{
	(void)state;
	assert_int_equal(addr6(AF_INET6, SIOCSIFADDR, "2001:db8::1", 64, 1),
	    0);
	assert_true(file_has("/proc/net/if_inet6",
	    "20010db8000000000000000000000001 01 40 00 80"));
	/* Its prefix route, metric 256. */
	assert_true(file_has("/proc/net/ipv6_route",
	    "20010db8000000000000000000000000 40 "
	    "00000000000000000000000000000000 00 "
	    "00000000000000000000000000000000 00000100 "));
	assert_int_equal(addr6(AF_INET6, SIOCSIFADDR, "2001:db8::1", 64, 1),
	    EEXIST);
	assert_int_equal(addr6(AF_INET6, SIOCSIFADDR, "2001:db8::2", 129, 1),
	    EINVAL);
	assert_int_equal(addr6(AF_INET6, SIOCSIFADDR, "2001:db8::2", 64,
	    4242), ENODEV);
	user_enter();
	assert_int_equal(addr6(AF_INET6, SIOCSIFADDR, "2001:db8::2", 64, 1),
	    EPERM);
	assert_int_equal(addr6(AF_INET6, SIOCDIFADDR, "2001:db8::1", 64, 1),
	    EPERM);
	user_leave();
	/* The delete names the prefix length too. */
	assert_int_equal(addr6(AF_INET6, SIOCDIFADDR, "2001:db8::1", 48, 1),
	    EADDRNOTAVAIL);
	assert_int_equal(addr6(AF_INET6, SIOCDIFADDR, "2001:db8::1", 64,
	    4242), ENODEV);
	assert_int_equal(addr6(AF_INET6, SIOCDIFADDR, "2001:db8::1", 64, 1),
	    0);
	assert_false(file_has("/proc/net/if_inet6", "20010db8"));
	assert_false(file_has("/proc/net/ipv6_route", "20010db8"));
	assert_int_equal(addr6(AF_INET6, SIOCDIFADDR, "2001:db8::1", 64, 1),
	    EADDRNOTAVAIL);
}

/*
 * The numbers on other families: SIOCDIFADDR means nothing to an AF_INET
 * socket (ENOTTY); an AF_INET socket's SIOCADDRT reads a struct rtentry
 * (an IPv6 destination in it: EAFNOSUPPORT).
 */
static void
other_families(void **state)
{
	struct rtentry rt;
	int s = (int)CHECK_OK(rump_sys_socket(AF_INET, SOCK_DGRAM, 0));

	(void)state;
	assert_int_equal(addr6(AF_INET, SIOCDIFADDR, "2001:db8::1", 64, 1),
	    ENOTTY);
	assert_int_equal(addr6(AF_UNIX, SIOCSIFADDR, "2001:db8::1", 64, 1),
	    ENOTTY);
	memset(&rt, 0, sizeof(rt));
	rt.rt_dst.sa_family = AF_INET6;
	rt.rt_flags = RTF_UP;
	CHECK_ERR(rump_sys_ioctl(s, SIOCADDRT, &rt), EAFNOSUPPORT);
	CHECK_OK(rump_sys_close(s));
	assert_false(file_has("/proc/net/if_inet6",
	    "20010db8000000000000000000000001"));
}

#ifdef TEST_REMOTE
/*
 * On the wire an AF_INET6 socket's request carries SP_IOC_INET6 (bit 32):
 * the server refuses that layout on an AF_INET socket (EINVAL: the
 * descriptor changed under the client) and takes it on an AF_INET6 one.
 */
static void
wire_family_check(void **state)
{
	struct in6_rtmsg rt;
	unsigned long req = SIOCADDRT | (1UL << 32);
	int s4 = (int)CHECK_OK(rump_sys_socket(AF_INET, SOCK_DGRAM, 0));
	int s6 = (int)CHECK_OK(rump_sys_socket(AF_INET6, SOCK_DGRAM, 0));

	(void)state;
	memset(&rt, 0, sizeof(rt));
	assert_int_equal(inet_pton(AF_INET6, "2001:db8:9::", &rt.rtmsg_dst), 1);
	rt.rtmsg_dst_len = 48;
	rt.rtmsg_metric = 1;
	rt.rtmsg_flags = RTF_UP;
	rt.rtmsg_ifindex = 1;
	CHECK_ERR(rump_sys_ioctl(s4, req, &rt), EINVAL);
	assert_false(file_has("/proc/net/ipv6_route", "20010db80009"));
	CHECK_OK(rump_sys_ioctl(s6, req, &rt));
	assert_true(file_has("/proc/net/ipv6_route", "20010db80009"));
	CHECK_OK(rump_sys_ioctl(s6, SIOCDELRT, &rt));
	CHECK_ERR(rump_sys_ioctl(999, req, &rt), EBADF);
	CHECK_OK(rump_sys_close(s4));
	CHECK_OK(rump_sys_close(s6));
}
#endif

static int
group_setup(void **state)
{
	(void)state;
#ifdef TEST_ON_HOST
	assert_int_equal(unshare(CLONE_NEWNET), 0);
	assert_int_equal(system("ip link set lo up"), 0);
#endif
	return test_kernel_init("in6ioctl");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(route6_add_del),
		cmocka_unit_test(route6_gateway_lo),
		cmocka_unit_test(addr6_add_del),
		cmocka_unit_test(other_families),
#ifdef TEST_REMOTE
		cmocka_unit_test(wire_family_check),
#endif
	};

	return cmocka_run_group_tests_name("in6ioctl", tests, group_setup,
	    NULL);
}
