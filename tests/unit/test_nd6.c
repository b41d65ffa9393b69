/*
 * test_nd6.c: IPv6 neighbour discovery, DAD and link-local addresses
 * (kernel/net/netinet6/nd6.c) over the test driver etest: the link-local
 * address from a known MAC (fe80::5054:ff:fe12:3456 for 52:54:00:12:34:56,
 * what Linux's addr_gen_mode eui64 gives), DAD passing (the address
 * stops being tentative) and failing (an NA for it: dadfailed, never a
 * source), an NS answered by an NA with the right flags and option, an
 * NA resolving a queued datagram, and bad ND packets (hop limit not 255,
 * length-0 and truncated options) dropped and counted, never answered.
 * Runs in the rump kernel only.
 */
#include "compat.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>

#ifndef TEST_ON_HOST
int rump_etest_create(const uint8_t *mac, int up, int *ifindex);
int rump_etest_addr(int ifindex, int af, const void *addr, int plen,
    int flags);
int rump_etest_input(int ifindex, const void *frame, size_t len);
int rump_etest_read(int ifindex, void *buf, size_t buflen, size_t *len);
int rump_etest_pending(int ifindex);
int rump_etest_addrflags(int ifindex, int af, const void *addr);
int rump_net_neigh(int op, int af, const void *addr, int ifindex,
    void *lladdr, int lllen, int *state);
int rump_nd6_drops(void);

#define NUD_INCOMPLETE	0x01
#define NUD_REACHABLE	0x02
#define NUD_STALE	0x04
#define IFA_F_NODAD	0x02
#define IFA_F_DADFAILED	0x08
#define IFA_F_TENTATIVE	0x40

static const uint8_t mymac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const uint8_t peermac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };
static int ifx;

static struct in6_addr
ip6(const char *s)
{
	struct in6_addr a;

	assert_int_equal(inet_pton(AF_INET6, s, &a), 1);
	return a;
}

static void
drain(void)
{
	while (rump_etest_read(ifx, NULL, 0, NULL) == 0)
		;
}

static uint16_t
cksum6(const uint8_t *ip)
{
	size_t len = (size_t)(ip[4] << 8 | ip[5]), i;
	uint32_t sum = 0;

	for (i = 8; i < 40; i += 2)
		sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
	sum += (uint32_t)len + 58;
	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(ip[40 + i] << 8 | ip[40 + i + 1]);
	if (len & 1)
		sum += (uint32_t)(ip[40 + len - 1] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/*
 * An ND frame: Ethernet to dmac, IPv6 src -> dst with hop limit hlim,
 * ICMPv6 type with flags, target, and the options opts (olen bytes).
 */
static size_t
nd_frame(uint8_t *f, const uint8_t *dmac, const char *src, const char *dst,
    int hlim, int type, int flags, const char *target, const uint8_t *opts,
    size_t olen)
{
	struct in6_addr s = ip6(src), d = ip6(dst), t = ip6(target);
	uint8_t *ip = f + 14, *ic = ip + 40;
	size_t plen = 24 + olen;
	uint16_t sum;

	memset(f, 0, 14 + 40 + plen);
	memcpy(f, dmac, 6);
	memcpy(f + 6, peermac, 6);
	f[12] = 0x86;
	f[13] = 0xdd;
	ip[0] = 0x60;
	ip[4] = (uint8_t)(plen >> 8);
	ip[5] = (uint8_t)plen;
	ip[6] = 58;
	ip[7] = (uint8_t)hlim;
	memcpy(ip + 8, &s, 16);
	memcpy(ip + 24, &d, 16);
	ic[0] = (uint8_t)type;
	ic[4] = (uint8_t)flags;
	memcpy(ic + 8, &t, 16);
	memcpy(ic + 24, opts, olen);
	sum = cksum6(ip);
	ic[2] = (uint8_t)(sum >> 8);
	ic[3] = (uint8_t)sum;
	return 14 + 40 + plen;
}

static void
wait_flags(const struct in6_addr *a, int mask, int want)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	int i;

	for (i = 0; i < 500 &&
	    (rump_etest_addrflags(ifx, AF_INET6, a) & mask) != want; i++)
		nanosleep(&ts, NULL);
	assert_int_equal(rump_etest_addrflags(ifx, AF_INET6, a) & mask, want);
}

static void
nd_linklocal(void **state)
{
	struct in6_addr ll = ip6("fe80::5054:ff:fe12:3456");

	(void)state;
	/* present from the start, tentative until DAD passes */
	assert_true(rump_etest_addrflags(ifx, AF_INET6, &ll) >= 0);
	wait_flags(&ll, IFA_F_TENTATIVE | IFA_F_DADFAILED, 0);
}

static void
nd_dad_ok(void **state)
{
	struct in6_addr a = ip6("2001:db8::1"), t;
	uint8_t f[256];
	size_t n;

	(void)state;
	drain();
	assert_int_equal(rump_etest_addr(ifx, AF_INET6, &a, 64, 0), 0);
	assert_true(rump_etest_addrflags(ifx, AF_INET6, &a) &
	    IFA_F_TENTATIVE);
	/* the DAD probe: from ::, to ff02::1:ff00:1, hop limit 255 */
	assert_int_equal(rump_etest_read(ifx, f, sizeof(f), &n), 0);
	assert_memory_equal(f, "\x33\x33\xff\x00\x00\x01", 6);
	assert_int_equal(f[14 + 7], 255);
	t = ip6("::");
	assert_memory_equal(f + 14 + 8, &t, 16);
	t = ip6("ff02::1:ff00:1");
	assert_memory_equal(f + 14 + 24, &t, 16);
	assert_int_equal(f[14 + 40], 135);
	assert_memory_equal(f + 14 + 48, &a, 16);
	wait_flags(&a, IFA_F_TENTATIVE | IFA_F_DADFAILED, 0);
}

static void
nd_dad_fail(void **state)
{
	struct in6_addr a = ip6("2001:db8::66");
	uint8_t f[256], opt[8] = { 2, 1 };
	size_t n;

	(void)state;
	drain();
	assert_int_equal(rump_etest_addr(ifx, AF_INET6, &a, 64, 0), 0);
	memcpy(opt + 2, peermac, 6);
	n = nd_frame(f, (const uint8_t *)"\x33\x33\x00\x00\x00\x01",
	    "fe80::2", "ff02::1", 255, 136, 0x20, "2001:db8::66", opt, 8);
	assert_int_equal(rump_etest_input(ifx, f, n), 0);
	assert_int_equal(rump_etest_addrflags(ifx, AF_INET6, &a) &
	    IFA_F_DADFAILED, IFA_F_DADFAILED);
	/* and it stays so after the DAD timer */
	wait_flags(&a, IFA_F_DADFAILED, IFA_F_DADFAILED);
	assert_true(rump_etest_addrflags(ifx, AF_INET6, &a) &
	    IFA_F_TENTATIVE);
}

static void
nd_ns_answered(void **state)
{
	uint8_t f[256], r[256], opt[8] = { 1, 1 };
	struct in6_addr me = ip6("2001:db8::1"), peer = ip6("2001:db8::2");
	size_t n;
	int st = 0;
	uint8_t ll[8];

	(void)state;
	drain();
	memcpy(opt + 2, peermac, 6);
	n = nd_frame(f, (const uint8_t *)"\x33\x33\xff\x00\x00\x01",
	    "2001:db8::2", "ff02::1:ff00:1", 255, 135, 0, "2001:db8::1",
	    opt, 8);
	assert_int_equal(rump_etest_input(ifx, f, n), 0);
	assert_int_equal(rump_etest_read(ifx, r, sizeof(r), &n), 0);
	assert_memory_equal(r, peermac, 6);
	assert_memory_equal(r + 6, mymac, 6);
	assert_int_equal(r[14 + 7], 255);
	assert_memory_equal(r + 14 + 8, &me, 16);
	assert_memory_equal(r + 14 + 24, &peer, 16);
	assert_int_equal(r[14 + 40], 136);
	assert_int_equal(r[14 + 44], 0x60);	/* S and O, not R */
	assert_memory_equal(r + 14 + 48, &me, 16);
	assert_int_equal(r[14 + 64], 2);	/* target link-layer address */
	assert_int_equal(r[14 + 65], 1);
	assert_memory_equal(r + 14 + 66, mymac, 6);
	assert_int_equal(cksum6(r + 14), 0);
	/* the solicitor was learnt, STALE */
	assert_int_equal(rump_net_neigh(3, AF_INET6, &peer, ifx, ll, 6, &st),
	    0);
	assert_int_equal(st, NUD_STALE);
	assert_memory_equal(ll, peermac, 6);
}

static void
nd_na_resolves(void **state)
{
	uint8_t f[256], r[256], opt[8] = { 2, 1 };
	struct in6_addr peer = ip6("2001:db8::3");
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6,
	    .sin6_port = htons(9) };
	size_t n;
	int s, st = 0;

	(void)state;
	drain();
	sin6.sin6_addr = peer;
	s = (int)rump_sys_socket(AF_INET6, SOCK_DGRAM, 0);
	assert_true(s >= 0);
	assert_int_equal(rump_sys_sendto(s, "six", 3, 0,
	    (struct sockaddr *)&sin6, sizeof(sin6)), 3);
	rump_sys_close(s);
	/* an NS to the solicited-node group, with our SLLA */
	assert_int_equal(rump_etest_read(ifx, r, sizeof(r), &n), 0);
	assert_memory_equal(r, "\x33\x33\xff\x00\x00\x03", 6);
	assert_int_equal(r[14 + 40], 135);
	assert_memory_equal(r + 14 + 48, &peer, 16);
	assert_int_equal(r[14 + 64], 1);
	assert_memory_equal(r + 14 + 66, mymac, 6);
	assert_int_equal(rump_net_neigh(3, AF_INET6, &peer, ifx, NULL, 0,
	    &st), 0);
	assert_int_equal(st, NUD_INCOMPLETE);
	memcpy(opt + 2, peermac, 6);
	n = nd_frame(f, mymac, "2001:db8::3", "2001:db8::1", 255, 136,
	    0x60, "2001:db8::3", opt, 8);
	assert_int_equal(rump_etest_input(ifx, f, n), 0);
	assert_int_equal(rump_net_neigh(3, AF_INET6, &peer, ifx, NULL, 0,
	    &st), 0);
	assert_int_equal(st, NUD_REACHABLE);
	assert_int_equal(rump_etest_read(ifx, r, sizeof(r), &n), 0);
	assert_memory_equal(r, peermac, 6);
	assert_int_equal(r[14 + 6], 17);		/* UDP */
	assert_memory_equal(r + 14 + 48, "six", 3);
}

static void
nd_bad(void **state)
{
	uint8_t f[256], opt[16] = { 1, 1 };
	struct in6_addr p4 = ip6("2001:db8::4");
	int before = rump_nd6_drops(), st;
	size_t n;

	(void)state;
	drain();
	memcpy(opt + 2, peermac, 6);
	/* hop limit 64: off link, dropped */
	n = nd_frame(f, (const uint8_t *)"\x33\x33\xff\x00\x00\x01",
	    "2001:db8::4", "ff02::1:ff00:1", 64, 135, 0, "2001:db8::1",
	    opt, 8);
	assert_int_equal(rump_etest_input(ifx, f, n), 0);
	/* an option of length 0 */
	opt[1] = 0;
	n = nd_frame(f, (const uint8_t *)"\x33\x33\xff\x00\x00\x01",
	    "2001:db8::4", "ff02::1:ff00:1", 255, 135, 0, "2001:db8::1",
	    opt, 8);
	assert_int_equal(rump_etest_input(ifx, f, n), 0);
	/* one that runs past the end */
	opt[1] = 3;
	n = nd_frame(f, (const uint8_t *)"\x33\x33\xff\x00\x00\x01",
	    "2001:db8::4", "ff02::1:ff00:1", 255, 135, 0, "2001:db8::1",
	    opt, 8);
	assert_int_equal(rump_etest_input(ifx, f, n), 0);
	/* a link-layer address option of 16 bytes */
	opt[1] = 2;
	n = nd_frame(f, (const uint8_t *)"\x33\x33\xff\x00\x00\x01",
	    "2001:db8::4", "ff02::1:ff00:1", 255, 135, 0, "2001:db8::1",
	    opt, 16);
	assert_int_equal(rump_etest_input(ifx, f, n), 0);
	assert_int_equal(rump_nd6_drops() - before, 4);
	assert_int_equal(rump_etest_pending(ifx), 0);
	assert_int_equal(rump_net_neigh(3, AF_INET6, &p4, ifx, NULL, 0, &st),
	    ENOENT);
	/* an NS for a tentative (here: duplicate) address is not answered */
	opt[1] = 1;
	n = nd_frame(f, (const uint8_t *)"\x33\x33\xff\x00\x00\x66",
	    "2001:db8::4", "ff02::1:ff00:66", 255, 135, 0, "2001:db8::66",
	    opt, 8);
	assert_int_equal(rump_etest_input(ifx, f, n), 0);
	assert_int_equal(rump_etest_pending(ifx), 0);
}

static int
setup(void **state)
{
	(void)state;
	assert_int_equal(rump_etest_create(mymac, 1, &ifx), 0);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(nd_linklocal),
		cmocka_unit_test(nd_dad_ok),
		cmocka_unit_test(nd_dad_fail),
		cmocka_unit_test(nd_ns_answered),
		cmocka_unit_test(nd_na_resolves),
		cmocka_unit_test(nd_bad),
	};

	if (test_kernel_init("nd6") != 0)
		return 1;
	return cmocka_run_group_tests(tests, setup, NULL);
}
#else
int
main(void)
{
	printf("1..0 # SKIP neighbour discovery is tested in the rump kernel only\n");
	return 0;
}
#endif
