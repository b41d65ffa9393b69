/*
 * test_forward.c: routing between two Ethernet interfaces
 * (netinet/ip_forward.c over the test driver etest): off by default (a
 * packet for the other subnet goes nowhere), with net.ipv4.ip_forward /
 * net.ipv6.conf.all.forwarding 1 it leaves the other interface to the
 * next hop's MAC with TTL / hop limit one less and (IPv4) a correct
 * header checksum; a packet arriving with TTL / hop limit 1 is answered
 * with ICMP time exceeded (type 11) / ICMPv6 time exceeded (type 3) back
 * to the sender; a received ICMP redirect changes no route.  A large TCP
 * segment received whole (as shmif gives them, netinet/tcp_lso.c) leaves
 * an interface without large segments cut into MSS-sized segments, each
 * with its own sequence number, correct checksums, and FIN/PSH on the
 * last only; one with a bad TCP checksum is dropped, not re-checksummed.
 * Neighbours are permanent entries, so no ARP/ND round is needed.  Runs
 * in the rump kernel only.
 */
#include "compat.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#ifndef TEST_ON_HOST
int rump_etest_create(const uint8_t *mac, int up, int *ifindex);
int rump_etest_addr(int ifindex, int af, const void *addr, int plen,
    int flags);
int rump_etest_input(int ifindex, const void *frame, size_t len);
int rump_etest_read(int ifindex, void *buf, size_t buflen, size_t *len);
int rump_etest_pending(int ifindex);
int rump_etest_lso(int ifindex, uint32_t tsomax, uint16_t segsz);
int rump_net_route(int op, int af, const void *dst, int plen, const void *gw,
    int ifindex, unsigned metric, int type);
int rump_net_route_get(int af, const void *dst, int oif, void *gw,
    int *ifindex, int *plen, int *type);
int rump_net_neigh(int op, int af, const void *addr, int ifindex,
    void *lladdr, int lllen, int *state);

#define IFA_F_NODAD	0x02

static const uint8_t mac1[6] = { 0x02, 0, 0, 0, 1, 1 };
static const uint8_t mac2[6] = { 0x02, 0, 0, 0, 2, 1 };
static const uint8_t host1[6] = { 0x02, 0, 0, 0, 1, 2 };
static const uint8_t host2[6] = { 0x02, 0, 0, 0, 2, 2 };
static int if1, if2;

static void
drain(int ifx)
{
	while (rump_etest_read(ifx, NULL, 0, NULL) == 0)
		;
}


/* An IPv4 UDP datagram (no UDP checksum) from host1 to 10.2.0.2. */
static size_t
frame4(uint8_t *f, int ttl)
{
	uint8_t *ip = f + 14;
	in_addr_t s = inet_addr("10.1.0.2"), d = inet_addr("10.2.0.2");
	uint16_t sum;

	memset(f, 0, 14 + 32);
	memcpy(f, mac1, 6);
	memcpy(f + 6, host1, 6);
	f[12] = 0x08;
	ip[0] = 0x45;
	ip[3] = 32;
	ip[8] = (uint8_t)ttl;
	ip[9] = 17;
	memcpy(ip + 12, &s, 4);
	memcpy(ip + 16, &d, 4);
	sum = sum16(ip, 20, 0);
	ip[10] = (uint8_t)(sum >> 8);
	ip[11] = (uint8_t)sum;
	ip[20] = 0x30;			/* ports 12345 -> 9 */
	ip[21] = 0x39;
	ip[23] = 9;
	ip[25] = 12;
	memcpy(ip + 28, "fwd!", 4);
	return 14 + 32;
}

/* An IPv6 UDP datagram from 2001:db8:1::2 to 2001:db8:2::2. */
static size_t
frame6(uint8_t *f, int hlim)
{
	uint8_t *ip = f + 14, *u = ip + 40;
	struct in6_addr s, d;
	uint32_t ps = 0;
	uint16_t sum;
	size_t i;

	assert_int_equal(inet_pton(AF_INET6, "2001:db8:1::2", &s), 1);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8:2::2", &d), 1);
	memset(f, 0, 14 + 40 + 12);
	memcpy(f, mac1, 6);
	memcpy(f + 6, host1, 6);
	f[12] = 0x86;
	f[13] = 0xdd;
	ip[0] = 0x60;
	ip[5] = 12;
	ip[6] = 17;
	ip[7] = (uint8_t)hlim;
	memcpy(ip + 8, &s, 16);
	memcpy(ip + 24, &d, 16);
	u[0] = 0x30;
	u[1] = 0x39;
	u[3] = 9;
	u[5] = 12;
	memcpy(u + 8, "six!", 4);
	for (i = 8; i < 40; i += 2)
		ps += (uint32_t)(ip[i] << 8 | ip[i + 1]);
	ps += 12 + 17;
	sum = sum16(u, 12, ps);
	u[6] = (uint8_t)(sum >> 8);
	u[7] = (uint8_t)sum;
	return 14 + 40 + 12;
}


#define LSO_PAY		5000
#define LSO_SEG		1000

/* A TCP packet of LSO_PAY bytes (ACK|PSH|FIN) from host1 to 10.2.0.2,
 * over if1's MTU: a large segment. */
static size_t
frame_lso(uint8_t *f)
{
	uint8_t *ip = f + 14, *th = ip + 20;
	in_addr_t s = inet_addr("10.1.0.2"), d = inet_addr("10.2.0.2");
	size_t len = 20 + 20 + LSO_PAY;
	uint16_t sum;

	memset(f, 0, 14 + len);
	memcpy(f, mac1, 6);
	memcpy(f + 6, host1, 6);
	f[12] = 0x08;
	ip[0] = 0x45;
	ip[2] = (uint8_t)(len >> 8);
	ip[3] = (uint8_t)len;
	ip[6] = 0x40;				/* DF */
	ip[8] = 64;
	ip[9] = 6;
	memcpy(ip + 12, &s, 4);
	memcpy(ip + 16, &d, 4);
	sum = sum16(ip, 20, 0);
	ip[10] = (uint8_t)(sum >> 8);
	ip[11] = (uint8_t)sum;
	th[0] = 0x30;				/* 12345 -> 80 */
	th[1] = 0x39;
	th[3] = 80;
	th[4] = 0x10;				/* seq 0x10000000 */
	th[12] = 5 << 4;
	th[13] = 0x10 | 0x08 | 0x01;		/* ACK PSH FIN */
	th[14] = 0x10;
	for (size_t i = 0; i < LSO_PAY; i++)
		th[20 + i] = (uint8_t)(i * 7 + i / 251);
	sum = tcp4_sum(ip);
	th[16] = (uint8_t)(sum >> 8);
	th[17] = (uint8_t)sum;
	return 14 + len;
}

static void
fwd_lso(void **state)
{
	static uint8_t f[14 + 40 + LSO_PAY], r[2048];
	size_t n, got = 0;
	int k;

	(void)state;
	drain(if1);
	drain(if2);
	assert_int_equal(rump_etest_lso(if1, 65535, LSO_SEG), 0);
	put_file("/proc/sys/net/ipv4/ip_forward", "1");
	n = frame_lso(f);
	assert_int_equal(tcp4_sum(f + 14), 0);
	assert_int_equal(rump_etest_input(if1, f, n), 0);
	for (k = 0; rump_etest_read(if2, r, sizeof(r), &n) == 0; k++) {
		const uint8_t *ip = r + 14, *th = ip + 20;
		size_t plen = (size_t)(ip[2] << 8 | ip[3]) - 40;
		uint32_t seq = (uint32_t)th[4] << 24 | (uint32_t)th[5] << 16 |
		    (uint32_t)th[6] << 8 | th[7];
		bool last = got + plen == LSO_PAY;

		assert_memory_equal(r, host2, 6);
		assert_int_equal(n, 14 + 40 + plen);
		assert_true(plen > 0 && plen <= LSO_SEG);
		assert_int_equal(ip[8], 63);
		assert_int_equal(sum16(ip, 20, 0), 0);
		assert_int_equal(tcp4_sum(ip), 0);
		assert_int_equal(seq, 0x10000000u + got);
		assert_int_equal(th[13], last ? 0x19 : 0x10);
		assert_memory_equal(th + 20, f + 14 + 40 + got, plen);
		got += plen;
	}
	assert_int_equal(got, LSO_PAY);
	assert_int_equal(k, LSO_PAY / LSO_SEG);
	/* A corrupt one is dropped, not given fresh checksums. */
	f[14 + 40 + 100] ^= 0x55;
	assert_int_equal(rump_etest_input(if1, f, n = 14 + 40 + LSO_PAY), 0);
	assert_int_equal(rump_etest_pending(if2), 0);
	/* Above the MTU and not marked as a large segment: dropped. */
	f[14 + 40 + 100] ^= 0x55;
	assert_int_equal(rump_etest_lso(if1, 0, 0), 0);
	assert_int_equal(rump_etest_input(if1, f, n), 0);
	assert_int_equal(rump_etest_pending(if2), 0);
	put_file("/proc/sys/net/ipv4/ip_forward", "0");
}

static void
fwd_v4(void **state)
{
	uint8_t f[256], r[256];
	size_t n;
	char buf[8];

	(void)state;
	drain(if1);
	drain(if2);
	get_file("/proc/sys/net/ipv4/ip_forward", buf, sizeof(buf));
	assert_string_equal(buf, "0\n");
	n = frame4(f, 64);
	assert_int_equal(rump_etest_input(if1, f, n), 0);
	assert_int_equal(rump_etest_pending(if2), 0);
	assert_int_equal(rump_etest_pending(if1), 0);
	put_file("/proc/sys/net/ipv4/ip_forward", "1");
	assert_int_equal(rump_etest_input(if1, f, n), 0);
	assert_int_equal(rump_etest_read(if2, r, sizeof(r), &n), 0);
	assert_memory_equal(r, host2, 6);
	assert_memory_equal(r + 6, mac2, 6);
	assert_int_equal(r[14 + 8], 63);
	assert_int_equal(sum16(r + 14, 20, 0), 0);	/* checksum fixed */
	assert_memory_equal(r + 14 + 12, f + 14 + 12, 8);
	assert_memory_equal(r + 14 + 28, "fwd!", 4);
	/* TTL 1: time exceeded back to the sender, nothing forwarded */
	n = frame4(f, 1);
	assert_int_equal(rump_etest_input(if1, f, n), 0);
	assert_int_equal(rump_etest_pending(if2), 0);
	assert_int_equal(rump_etest_read(if1, r, sizeof(r), &n), 0);
	assert_memory_equal(r, host1, 6);
	assert_int_equal(r[12] << 8 | r[13], 0x0800);
	assert_int_equal(r[14 + 9], 1);			/* ICMP */
	assert_memory_equal(r + 14 + 16, f + 14 + 12, 4);	/* to sender */
	assert_int_equal(r[14 + 20], 11);
	assert_int_equal(r[14 + 21], 0);
	put_file("/proc/sys/net/ipv4/ip_forward", "0");
}

static void
fwd_v6(void **state)
{
	uint8_t f[256], r[256];
	size_t n;

	(void)state;
	drain(if1);
	drain(if2);
	n = frame6(f, 64);
	assert_int_equal(rump_etest_input(if1, f, n), 0);
	assert_int_equal(rump_etest_pending(if2), 0);
	put_file("/proc/sys/net/ipv6/conf/all/forwarding", "1");
	assert_int_equal(rump_etest_input(if1, f, n), 0);
	assert_int_equal(rump_etest_read(if2, r, sizeof(r), &n), 0);
	assert_memory_equal(r, host2, 6);
	assert_memory_equal(r + 6, mac2, 6);
	assert_int_equal(r[14 + 7], 63);
	assert_memory_equal(r + 14 + 8, f + 14 + 8, 32);
	assert_memory_equal(r + 14 + 48, "six!", 4);
	n = frame6(f, 1);
	assert_int_equal(rump_etest_input(if1, f, n), 0);
	assert_int_equal(rump_etest_pending(if2), 0);
	assert_int_equal(rump_etest_read(if1, r, sizeof(r), &n), 0);
	assert_memory_equal(r, host1, 6);
	assert_int_equal(r[14 + 6], 58);		/* ICMPv6 */
	assert_memory_equal(r + 14 + 24, f + 14 + 8, 16);	/* to sender */
	assert_int_equal(r[14 + 40], 3);
	assert_int_equal(r[14 + 41], 0);
	put_file("/proc/sys/net/ipv6/conf/all/forwarding", "0");
}

/* An ICMP host redirect from the gateway changes no route: redirects
 * are never obeyed (Linux's default for a router, accept_redirects). */
static void
redirect_ignored(void **state)
{
	uint8_t f[128], *ip = f + 14, *ic = ip + 20;
	in_addr_t net = inet_addr("10.9.0.0"), gw = inet_addr("10.1.0.2");
	in_addr_t d = inet_addr("10.9.0.5"), other = inet_addr("10.1.0.3");
	in_addr_t me = inet_addr("10.1.0.1"), got = 0;
	int ifindex = 0, plen = 0, type = 0;
	uint16_t sum;

	(void)state;
	assert_int_equal(rump_net_route(1, AF_INET, &net, 16, &gw, 0, 0, 0),
	    0);
	memset(f, 0, sizeof(f));
	memcpy(f, mac1, 6);
	memcpy(f + 6, host1, 6);
	f[12] = 0x08;
	ip[0] = 0x45;
	ip[3] = 20 + 8 + 28;
	ip[8] = 64;
	ip[9] = 1;
	memcpy(ip + 12, &gw, 4);
	memcpy(ip + 16, &me, 4);
	sum = sum16(ip, 20, 0);
	ip[10] = (uint8_t)(sum >> 8);
	ip[11] = (uint8_t)sum;
	ic[0] = 5;			/* redirect */
	ic[1] = 1;			/* for the host */
	memcpy(ic + 4, &other, 4);
	ic[8] = 0x45;			/* the quoted datagram we "sent" */
	ic[11] = 28;
	ic[16] = 64;
	ic[17] = 17;
	memcpy(ic + 20, &me, 4);
	memcpy(ic + 24, &d, 4);
	sum = sum16(ic, 36, 0);
	ic[2] = (uint8_t)(sum >> 8);
	ic[3] = (uint8_t)sum;
	assert_int_equal(rump_etest_input(if1, f, 14 + 20 + 36), 0);
	assert_int_equal(rump_net_route_get(AF_INET, &d, 0, &got, &ifindex,
	    &plen, &type), 0);
	assert_memory_equal(&got, &gw, 4);
	assert_int_equal(ifindex, if1);
	assert_int_equal(plen, 16);
	assert_int_equal(rump_net_route(0, AF_INET, &net, 16, NULL, 0, 0, 0),
	    0);
}

static int
setup(void **state)
{
	in_addr_t a1 = inet_addr("10.1.0.1"), a2 = inet_addr("10.2.0.1");
	in_addr_t h1 = inet_addr("10.1.0.2"), h2 = inet_addr("10.2.0.2");
	struct in6_addr b1, b2, g1, g2;

	(void)state;
	assert_int_equal(inet_pton(AF_INET6, "2001:db8:1::1", &b1), 1);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8:2::1", &b2), 1);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8:1::2", &g1), 1);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8:2::2", &g2), 1);
	assert_int_equal(rump_etest_create(mac1, 1, &if1), 0);
	assert_int_equal(rump_etest_create(mac2, 1, &if2), 0);
	assert_int_equal(rump_etest_addr(if1, AF_INET, &a1, 24, 0), 0);
	assert_int_equal(rump_etest_addr(if2, AF_INET, &a2, 24, 0), 0);
	assert_int_equal(rump_etest_addr(if1, AF_INET6, &b1, 64,
	    IFA_F_NODAD), 0);
	assert_int_equal(rump_etest_addr(if2, AF_INET6, &b2, 64,
	    IFA_F_NODAD), 0);
	assert_int_equal(rump_net_neigh(1, AF_INET, &h1, if1, (void *)host1,
	    6, NULL), 0);
	assert_int_equal(rump_net_neigh(1, AF_INET, &h2, if2, (void *)host2,
	    6, NULL), 0);
	assert_int_equal(rump_net_neigh(1, AF_INET6, &g1, if1, (void *)host1,
	    6, NULL), 0);
	assert_int_equal(rump_net_neigh(1, AF_INET6, &g2, if2, (void *)host2,
	    6, NULL), 0);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fwd_v4),
		cmocka_unit_test(fwd_v6),
		cmocka_unit_test(fwd_lso),
		cmocka_unit_test(redirect_ignored),
	};

	if (test_kernel_init("forward") != 0)
		return 1;
	return cmocka_run_group_tests(tests, setup, NULL);
}
#else
int
main(void)
{
	printf("1..0 # SKIP forwarding is tested in the rump kernel only\n");
	return 0;
}
#endif
