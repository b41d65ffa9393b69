/*
 * test_netcfg.c: the classic interface ioctls on sockets (netdevice(7)),
 * as ifconfig uses them: SIOCGIFCONF, flags, the IPv4 address, netmask
 * and broadcast, MTU, index and name, hardware address, queue length,
 * metric and map; the privilege rule (EPERM before ENODEV), ENODEV,
 * EFAULT, which requests only AF_INET sockets answer (ENOTTY elsewhere).
 * The same source runs against the host (TEST_ON_HOST) in a network
 * namespace of its own whose lo it brings up first, the reference.
 */
#include "compat.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <net/route.h>
#include <netinet/in.h>
#include <sched.h>

static int
sock(int family)
{
	int s = rump_sys_socket(family, SOCK_DGRAM, 0);

	assert_true(s >= 0);
	return s;
}

static void
req(struct ifreq *ifr, const char *name)
{
	memset(ifr, 0, sizeof(*ifr));
	snprintf(ifr->ifr_name, sizeof(ifr->ifr_name), "%s", name);
}

static short
lo_flags(int s)
{
	struct ifreq ifr;

	req(&ifr, "lo");
	CHECK_OK(rump_sys_ioctl(s, SIOCGIFFLAGS, &ifr));
	return ifr.ifr_flags;
}

static in_addr_t
get_addr(int s, unsigned long cmd, const char *name)
{
	struct ifreq ifr;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;

	req(&ifr, name);
	CHECK_OK(rump_sys_ioctl(s, cmd, &ifr));
	assert_int_equal(sin->sin_family, AF_INET);
	return sin->sin_addr.s_addr;
}

static int
set_addr(int s, unsigned long cmd, const char *name, const char *a)
{
	struct ifreq ifr;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;

	req(&ifr, name);
	sin->sin_family = AF_INET;
	assert_int_equal(inet_pton(AF_INET, a, &sin->sin_addr), 1);
	return rump_sys_ioctl(s, cmd, &ifr);
}

static void
ifconf_lists_ipv4_addresses(void **state)
{
	int s = sock(AF_INET);
	struct ifreq buf[4];
	struct ifconf ifc = { .ifc_len = 0, .ifc_buf = NULL };
	struct sockaddr_in *sin;

	(void)state;
	/* NULL buffer: the length the whole list needs (lo's 127.0.0.1). */
	CHECK_OK(rump_sys_ioctl(s, SIOCGIFCONF, &ifc));
	assert_int_equal(ifc.ifc_len, sizeof(struct ifreq));
	memset(buf, 0xa5, sizeof(buf));
	ifc.ifc_len = sizeof(buf);
	ifc.ifc_req = buf;
	CHECK_OK(rump_sys_ioctl(s, SIOCGIFCONF, &ifc));
	assert_int_equal(ifc.ifc_len, sizeof(struct ifreq));
	assert_string_equal(buf[0].ifr_name, "lo");
	sin = (struct sockaddr_in *)&buf[0].ifr_addr;
	assert_int_equal(sin->sin_family, AF_INET);
	assert_int_equal(sin->sin_addr.s_addr, htonl(INADDR_LOOPBACK));
	/* Too short for one entry: none. */
	ifc.ifc_len = sizeof(struct ifreq) - 1;
	CHECK_OK(rump_sys_ioctl(s, SIOCGIFCONF, &ifc));
	assert_int_equal(ifc.ifc_len, 0);
	ifc.ifc_len = -5;
	CHECK_OK(rump_sys_ioctl(s, SIOCGIFCONF, &ifc));
	assert_int_equal(ifc.ifc_len, 0);
	/* Any family answers it. */
	CHECK_OK(rump_sys_close(s));
	s = sock(AF_UNIX);
	ifc.ifc_len = sizeof(buf);
	CHECK_OK(rump_sys_ioctl(s, SIOCGIFCONF, &ifc));
	assert_int_equal(ifc.ifc_len, sizeof(struct ifreq));
	/* Bad pointers. */
	CHECK_ERR(rump_sys_ioctl(s, SIOCGIFCONF, NULL), EFAULT);
	ifc.ifc_buf = (char *)8;
	ifc.ifc_len = sizeof(buf);
	CHECK_ERR(rump_sys_ioctl(s, SIOCGIFCONF, &ifc), EFAULT);
	CHECK_OK(rump_sys_close(s));
}

static void
flags_up_down(void **state)
{
	int s = sock(AF_INET);
	struct ifreq ifr;

	(void)state;
	assert_int_equal(lo_flags(s), IFF_UP | IFF_LOOPBACK | IFF_RUNNING);
	req(&ifr, "nosuch0");
	CHECK_ERR(rump_sys_ioctl(s, SIOCGIFFLAGS, &ifr), ENODEV);
	CHECK_ERR(rump_sys_ioctl(s, SIOCGIFFLAGS, (void *)8), EFAULT);
	req(&ifr, "lo");
	ifr.ifr_flags = IFF_LOOPBACK;
	CHECK_OK(rump_sys_ioctl(s, SIOCSIFFLAGS, &ifr));
	assert_int_equal(lo_flags(s), IFF_LOOPBACK);
	/* Down, the address stays. */
	assert_int_equal(get_addr(s, SIOCGIFADDR, "lo"),
	    htonl(INADDR_LOOPBACK));
	/* RUNNING is not the user's to set; UP brings it. */
	ifr.ifr_flags = IFF_UP | IFF_RUNNING;
	CHECK_OK(rump_sys_ioctl(s, SIOCSIFFLAGS, &ifr));
	assert_int_equal(lo_flags(s), IFF_UP | IFF_LOOPBACK | IFF_RUNNING);
	CHECK_OK(rump_sys_close(s));
}

static void
setting_needs_privilege(void **state)
{
	int s = sock(AF_INET);
	struct ifreq ifr;

	(void)state;
	user_enter();
	/* Reading is for everyone. */
	assert_int_equal(lo_flags(s), IFF_UP | IFF_LOOPBACK | IFF_RUNNING);
	req(&ifr, "lo");
	ifr.ifr_flags = IFF_LOOPBACK;
	CHECK_ERR(rump_sys_ioctl(s, SIOCSIFFLAGS, &ifr), EPERM);
	/* EPERM comes before the name is looked up. */
	req(&ifr, "nosuch0");
	ifr.ifr_mtu = 1500;
	CHECK_ERR(rump_sys_ioctl(s, SIOCSIFMTU, &ifr), EPERM);
	CHECK_ERR(set_addr(s, SIOCSIFADDR, "lo", "127.0.0.2"), EPERM);
	CHECK_ERR(set_addr(s, SIOCSIFNETMASK, "lo", "255.255.0.0"), EPERM);
	user_leave();
	assert_int_equal(lo_flags(s), IFF_UP | IFF_LOOPBACK | IFF_RUNNING);
	CHECK_OK(rump_sys_close(s));
}

static void
ipv4_address_netmask_broadcast(void **state)
{
	int s = sock(AF_INET), u;
	struct ifreq ifr;

	(void)state;
	assert_int_equal(get_addr(s, SIOCGIFADDR, "lo"),
	    htonl(INADDR_LOOPBACK));
	assert_int_equal(get_addr(s, SIOCGIFNETMASK, "lo"),
	    htonl(0xff000000));
	/* lo is not a broadcast link: none. */
	assert_int_equal(get_addr(s, SIOCGIFBRDADDR, "lo"), 0);
	req(&ifr, "nosuch0");
	CHECK_ERR(rump_sys_ioctl(s, SIOCGIFADDR, &ifr), ENODEV);
	/* A new address takes its classful prefix. */
	CHECK_OK(set_addr(s, SIOCSIFADDR, "lo", "127.0.0.2"));
	assert_int_equal(get_addr(s, SIOCGIFADDR, "lo"), htonl(0x7f000002));
	assert_int_equal(get_addr(s, SIOCGIFNETMASK, "lo"),
	    htonl(0xff000000));
	CHECK_OK(set_addr(s, SIOCSIFNETMASK, "lo", "255.255.0.0"));
	assert_int_equal(get_addr(s, SIOCGIFNETMASK, "lo"),
	    htonl(0xffff0000));
	CHECK_ERR(set_addr(s, SIOCSIFNETMASK, "lo", "255.0.255.0"), EINVAL);
	CHECK_ERR(set_addr(s, SIOCSIFADDR, "lo", "224.0.0.1"), EINVAL);
	/* Only AF_INET addresses. */
	req(&ifr, "lo");
	ifr.ifr_addr.sa_family = AF_INET6;
	CHECK_ERR(rump_sys_ioctl(s, SIOCSIFADDR, &ifr), EINVAL);
	CHECK_OK(set_addr(s, SIOCSIFADDR, "lo", "127.0.0.1"));
	CHECK_OK(set_addr(s, SIOCSIFNETMASK, "lo", "255.0.0.0"));
	assert_int_equal(get_addr(s, SIOCGIFADDR, "lo"),
	    htonl(INADDR_LOOPBACK));
	/* The address ioctls are AF_INET's: other families say ENOTTY. */
	u = sock(AF_UNIX);
	req(&ifr, "lo");
	CHECK_ERR(rump_sys_ioctl(u, SIOCGIFADDR, &ifr), ENOTTY);
	CHECK_ERR(rump_sys_ioctl(u, SIOCGIFNETMASK, &ifr), ENOTTY);
	/* ... but the device ones work on any socket. */
	assert_int_equal(lo_flags(u), IFF_UP | IFF_LOOPBACK | IFF_RUNNING);
	CHECK_OK(rump_sys_close(u));
	CHECK_OK(rump_sys_close(s));
}

static void
mtu_index_name_hwaddr(void **state)
{
	int s = sock(AF_INET6);
	struct ifreq ifr;

	(void)state;
	req(&ifr, "lo");
	CHECK_OK(rump_sys_ioctl(s, SIOCGIFMTU, &ifr));
	assert_int_equal(ifr.ifr_mtu, 65536);
	ifr.ifr_mtu = 1500;
	CHECK_OK(rump_sys_ioctl(s, SIOCSIFMTU, &ifr));
	req(&ifr, "lo");
	CHECK_OK(rump_sys_ioctl(s, SIOCGIFMTU, &ifr));
	assert_int_equal(ifr.ifr_mtu, 1500);
	ifr.ifr_mtu = -1;
	CHECK_ERR(rump_sys_ioctl(s, SIOCSIFMTU, &ifr), EINVAL);
	ifr.ifr_mtu = 65536;
	CHECK_OK(rump_sys_ioctl(s, SIOCSIFMTU, &ifr));

	req(&ifr, "lo");
	CHECK_OK(rump_sys_ioctl(s, SIOCGIFINDEX, &ifr));
	assert_int_equal(ifr.ifr_ifindex, 1);
	memset(ifr.ifr_name, 0, sizeof(ifr.ifr_name));
	CHECK_OK(rump_sys_ioctl(s, SIOCGIFNAME, &ifr));
	assert_string_equal(ifr.ifr_name, "lo");
	ifr.ifr_ifindex = 4242;
	CHECK_ERR(rump_sys_ioctl(s, SIOCGIFNAME, &ifr), ENODEV);

	req(&ifr, "lo");
	memset(&ifr.ifr_hwaddr, 0x5a, sizeof(ifr.ifr_hwaddr));
	CHECK_OK(rump_sys_ioctl(s, SIOCGIFHWADDR, &ifr));
	assert_int_equal(ifr.ifr_hwaddr.sa_family, ARPHRD_LOOPBACK);
	for (size_t i = 0; i < 6; i++)
		assert_int_equal(ifr.ifr_hwaddr.sa_data[i], 0);
	req(&ifr, "lo");
	CHECK_OK(rump_sys_ioctl(s, SIOCGIFTXQLEN, &ifr));
	assert_int_equal(ifr.ifr_qlen, 1000);
	req(&ifr, "lo");
	ifr.ifr_metric = 7;
	CHECK_OK(rump_sys_ioctl(s, SIOCGIFMETRIC, &ifr));
	assert_int_equal(ifr.ifr_metric, 0);
	req(&ifr, "lo");
	memset(&ifr.ifr_map, 0x5a, sizeof(ifr.ifr_map));
	CHECK_OK(rump_sys_ioctl(s, SIOCGIFMAP, &ifr));
	assert_int_equal(ifr.ifr_map.mem_start, 0);
	assert_int_equal(ifr.ifr_map.irq, 0);
	/* Renaming, even while up (Linux 6.x); the index stays. */
	req(&ifr, "lo");
	snprintf(ifr.ifr_newname, sizeof(ifr.ifr_newname), "lo9");
	CHECK_OK(rump_sys_ioctl(s, SIOCSIFNAME, &ifr));
	req(&ifr, "lo9");
	CHECK_OK(rump_sys_ioctl(s, SIOCGIFINDEX, &ifr));
	assert_int_equal(ifr.ifr_ifindex, 1);
	req(&ifr, "lo");
	CHECK_ERR(rump_sys_ioctl(s, SIOCGIFINDEX, &ifr), ENODEV);
	req(&ifr, "lo9");
	snprintf(ifr.ifr_newname, sizeof(ifr.ifr_newname), "a/b");
	CHECK_ERR(rump_sys_ioctl(s, SIOCSIFNAME, &ifr), EINVAL);
	snprintf(ifr.ifr_newname, sizeof(ifr.ifr_newname), "lo");
	CHECK_OK(rump_sys_ioctl(s, SIOCSIFNAME, &ifr));
	req(&ifr, "lo");
	CHECK_OK(rump_sys_ioctl(s, SIOCGIFINDEX, &ifr));
	CHECK_OK(rump_sys_close(s));
}

static int
group_setup(void **state)
{
	(void)state;
#ifdef TEST_ON_HOST
	{
		int s;
		struct ifreq ifr;

		/* A network namespace of our own, its lo up as a rump
		 * kernel's is. */
		assert_int_equal(unshare(CLONE_NEWNET), 0);
		s = socket(AF_INET, SOCK_DGRAM, 0);
		req(&ifr, "lo");
		ifr.ifr_flags = IFF_UP;
		assert_int_equal(ioctl(s, SIOCSIFFLAGS, &ifr), 0);
		close(s);
	}
#endif
	return test_kernel_init("netcfg");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ifconf_lists_ipv4_addresses),
		cmocka_unit_test(flags_up_down),
		cmocka_unit_test(setting_needs_privilege),
		cmocka_unit_test(ipv4_address_netmask_broadcast),
		cmocka_unit_test(mtu_index_name_hwaddr),
	};

	return cmocka_run_group_tests_name("netcfg", tests, group_setup, NULL);
}
