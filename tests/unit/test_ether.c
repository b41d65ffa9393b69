/*
 * test_ether.c: the Ethernet layer and ARP (kernel/net/if_ether.c,
 * netinet/if_arp.c, the neighbour state machine in neigh.c) over the test
 * driver etest (kernel/net/if_etest.c), whose frames go to a ring the
 * test reads: the ARP request for an unresolved next hop and its fields,
 * the reply resolving it and the queued packet leaving with the right
 * MACs, the queue's limit while resolving, no reply (3 requests, FAILED,
 * EHOSTUNREACH), requests for our address answered, gratuitous ARP
 * ignored for unknown entries, bad ARP
 * dropped and counted, destination filtering (promiscuous, multicast),
 * runts and oversize frames.  Runs in the rump kernel only (the host's
 * interfaces are not the test's to change).
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
int rump_etest_stats(int ifindex, uint64_t out[10]);
int rump_etest_flags(int ifindex, int set, int clear);
int rump_net_neigh(int op, int af, const void *addr, int ifindex,
    void *lladdr, int lllen, int *state);

#define NUD_INCOMPLETE	0x01
#define NUD_REACHABLE	0x02
#define NUD_STALE	0x04
#define NUD_DELAY	0x08
#define NUD_FAILED	0x20
#define IFF_PROMISC	0x100
#define IFF_ALLMULTI	0x200
enum { IPKTS, IBYTES, IERRS, IDROPS, OPKTS, OBYTES, OERRS, ODROPS, IMC, OMC };

static const uint8_t mymac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
static const uint8_t peermac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };
static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static int ifx;				/* etest0 with 10.0.0.1/24 */

static in_addr_t
ip4(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

/* An ARP packet in an Ethernet frame; returns its length (42). */
static size_t
arp_frame(uint8_t *f, const uint8_t *dst, const uint8_t *sha, int op,
    const char *spa, const uint8_t *tha, const char *tpa)
{
	in_addr_t s = ip4(spa), t = ip4(tpa);
	uint8_t *a = f + 14;

	memcpy(f, dst, 6);
	memcpy(f + 6, sha, 6);
	f[12] = 0x08;
	f[13] = 0x06;
	a[0] = 0; a[1] = 1;		/* Ethernet */
	a[2] = 0x08; a[3] = 0x00;	/* IPv4 */
	a[4] = 6; a[5] = 4;
	a[6] = 0; a[7] = (uint8_t)op;
	memcpy(a + 8, sha, 6);
	memcpy(a + 14, &s, 4);
	memcpy(a + 18, tha, 6);
	memcpy(a + 24, &t, 4);
	return 42;
}

/* The next transmitted frame (asserted present); its length. */
static size_t
next_frame(uint8_t *buf, size_t len)
{
	size_t n = 0;

	assert_int_equal(rump_etest_read(ifx, buf, len, &n), 0);
	return n;
}

static void
drain(void)
{
	while (rump_etest_read(ifx, NULL, 0, NULL) == 0)
		;
}

static int
neigh_state(const char *addr)
{
	in_addr_t a = ip4(addr);
	int st = 0;
	uint8_t ll[8];

	if (rump_net_neigh(3, AF_INET, &a, ifx, ll, 6, &st) != 0)
		return -1;
	return st;
}

/* Waits (bounded by an event count, not a timing) for a state. */
static void
wait_state(const char *addr, int state)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	int i;

	for (i = 0; i < 1000 && neigh_state(addr) != state; i++)
		nanosleep(&ts, NULL);
	assert_int_equal(neigh_state(addr), state);
}

static int
udp_to(const char *dst, const char *msg)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
	    .sin_port = htons(9) };
	int s, r, one = 1;

	sin.sin_addr.s_addr = ip4(dst);
	s = (int)rump_sys_socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(s >= 0);
	/* 10.0.0.255 needs it (EACCES otherwise, as Linux) */
	assert_int_equal(rump_sys_setsockopt(s, SOL_SOCKET, SO_BROADCAST,
	    &one, sizeof(one)), 0);
	r = (int)rump_sys_sendto(s, msg, strlen(msg), 0,
	    (struct sockaddr *)&sin, sizeof(sin));
	if (r < 0)
		r = -errno;
	rump_sys_close(s);
	return r;
}

static void
arp_resolve(void **state)
{
	uint8_t f[2048], req[64];
	size_t n;
	in_addr_t me = ip4("10.0.0.1"), peer = ip4("10.0.0.2");

	(void)state;
	drain();
	assert_int_equal(udp_to("10.0.0.2", "hello"), 5);
	/* The request: broadcast, from our MAC and address, target 0 MAC */
	n = next_frame(f, sizeof(f));
	assert_int_equal(n, 60);		/* padded to the minimum */
	assert_memory_equal(f, bcast, 6);
	assert_memory_equal(f + 6, mymac, 6);
	assert_int_equal(f[12] << 8 | f[13], 0x0806);
	assert_int_equal(f[14 + 7], 1);
	assert_memory_equal(f + 14 + 8, mymac, 6);
	assert_memory_equal(f + 14 + 14, &me, 4);
	assert_memory_equal(f + 14 + 18, "\0\0\0\0\0\0", 6);
	assert_memory_equal(f + 14 + 24, &peer, 4);
	assert_int_equal(rump_etest_pending(ifx), 0);
	assert_int_equal(neigh_state("10.0.0.2"), NUD_INCOMPLETE);
	/* The reply: the queued datagram leaves, to the peer's MAC. */
	n = arp_frame(req, mymac, peermac, 2, "10.0.0.2", mymac, "10.0.0.1");
	assert_int_equal(rump_etest_input(ifx, req, n), 0);
	assert_int_equal(neigh_state("10.0.0.2"), NUD_REACHABLE);
	n = next_frame(f, sizeof(f));
	assert_memory_equal(f, peermac, 6);
	assert_memory_equal(f + 6, mymac, 6);
	assert_int_equal(f[12] << 8 | f[13], 0x0800);
	assert_memory_equal(f + 14 + 12, &me, 4);	/* IP source */
	assert_memory_equal(f + 14 + 16, &peer, 4);	/* IP destination */
	assert_memory_equal(f + 14 + 28, "hello", 5);
	/* Resolved: the next one goes at once, no request. */
	assert_int_equal(udp_to("10.0.0.2", "again"), 5);
	n = next_frame(f, sizeof(f));
	assert_memory_equal(f, peermac, 6);
	assert_memory_equal(f + 14 + 28, "again", 5);
	assert_int_equal(rump_etest_pending(ifx), 0);
}

/*
 * Packets to a neighbour being resolved wait, up to Linux's unres_qlen
 * (101) and unres_qlen_bytes: of 150 datagrams sent before the reply,
 * the newest 101 leave after it, in the order sent.
 */
static void
arp_queue_limit(void **state)
{
	uint8_t f[2048], req[64];
	char msg[16];
	size_t n;
	int i, first = -1, got = 0;

	(void)state;
	drain();
	for (i = 0; i < 150; i++) {
		snprintf(msg, sizeof(msg), "q%03d", i);
		assert_int_equal(udp_to("10.0.0.6", msg), 4);
	}
	n = arp_frame(req, mymac, peermac, 2, "10.0.0.6", mymac, "10.0.0.1");
	assert_int_equal(rump_etest_input(ifx, req, n), 0);
	while (rump_etest_read(ifx, f, sizeof(f), &n) == 0) {
		if ((f[12] << 8 | f[13]) == 0x0806)
			continue;		/* the requests */
		assert_memory_equal(f, peermac, 6);
		assert_int_equal(sscanf((char *)f + 14 + 28, "q%3d", &i), 1);
		if (first < 0)
			first = i;
		assert_int_equal(i, first + got);
		got++;
	}
	assert_int_equal(first, 49);
	assert_int_equal(got, 101);
}

static void
arp_fail(void **state)
{
	uint8_t f[2048];
	size_t n;
	int reqs = 0;
	in_addr_t t = ip4("10.0.0.3");

	(void)state;
	drain();
	assert_int_equal(udp_to("10.0.0.3", "lost"), 4);
	wait_state("10.0.0.3", NUD_FAILED);
	while (rump_etest_read(ifx, f, sizeof(f), &n) == 0) {
		/* only requests for 10.0.0.3: the datagram never left */
		assert_int_equal(f[12] << 8 | f[13], 0x0806);
		assert_memory_equal(f + 14 + 24, &t, 4);
		reqs++;
	}
	assert_int_equal(reqs, 3);
	assert_int_equal(udp_to("10.0.0.3", "lost"), -EHOSTUNREACH);
}

static void
arp_answer(void **state)
{
	uint8_t f[2048], req[64];
	size_t n;
	in_addr_t me = ip4("10.0.0.1"), peer = ip4("10.0.0.9");
	uint8_t other[6] = { 0x02, 0, 0, 0, 0, 9 };

	(void)state;
	drain();
	n = arp_frame(req, bcast, other, 1, "10.0.0.9", bcast, "10.0.0.1");
	memset(req + 14 + 18, 0, 6);
	assert_int_equal(rump_etest_input(ifx, req, n), 0);
	n = next_frame(f, sizeof(f));
	assert_memory_equal(f, other, 6);
	assert_memory_equal(f + 6, mymac, 6);
	assert_int_equal(f[14 + 7], 2);			/* reply */
	assert_memory_equal(f + 14 + 8, mymac, 6);
	assert_memory_equal(f + 14 + 14, &me, 4);
	assert_memory_equal(f + 14 + 18, other, 6);
	assert_memory_equal(f + 14 + 24, &peer, 4);
	/* the asker was learnt, STALE (not confirmed) */
	assert_int_equal(neigh_state("10.0.0.9"), NUD_STALE);
	/* a request for someone else: no answer, nothing learnt */
	n = arp_frame(req, bcast, other, 1, "10.0.0.10", bcast, "10.0.0.77");
	assert_int_equal(rump_etest_input(ifx, req, n), 0);
	assert_int_equal(rump_etest_pending(ifx), 0);
	assert_int_equal(neigh_state("10.0.0.10"), -1);
}

static void
arp_gratuitous(void **state)
{
	uint8_t req[64];
	size_t n;
	uint8_t other[6] = { 0x02, 0, 0, 0, 0, 0x20 };

	(void)state;
	drain();
	/* gratuitous request and reply for an unknown address: ignored */
	n = arp_frame(req, bcast, other, 1, "10.0.0.20", bcast, "10.0.0.20");
	assert_int_equal(rump_etest_input(ifx, req, n), 0);
	n = arp_frame(req, bcast, other, 2, "10.0.0.20", bcast, "10.0.0.20");
	assert_int_equal(rump_etest_input(ifx, req, n), 0);
	assert_int_equal(neigh_state("10.0.0.20"), -1);
	assert_int_equal(rump_etest_pending(ifx), 0);
	/* for a known one, the new address is taken (STALE) */
	n = arp_frame(req, bcast, other, 1, "10.0.0.2", bcast, "10.0.0.2");
	assert_int_equal(rump_etest_input(ifx, req, n), 0);
	assert_int_equal(neigh_state("10.0.0.2"), NUD_STALE);
}

/* A STALE entry used: sent at once, DELAY; a reply confirms it. */
static void
arp_stale_use(void **state)
{
	uint8_t f[2048], req[64];
	uint8_t other[6] = { 0x02, 0, 0, 0, 0, 0x20 };
	size_t n;

	(void)state;
	drain();
	assert_int_equal(neigh_state("10.0.0.2"), NUD_STALE);
	assert_int_equal(udp_to("10.0.0.2", "use"), 3);
	n = next_frame(f, sizeof(f));
	assert_memory_equal(f, other, 6);	/* the address learnt */
	assert_int_equal(f[12] << 8 | f[13], 0x0800);
	assert_int_equal(neigh_state("10.0.0.2"), NUD_DELAY);
	n = arp_frame(req, mymac, other, 2, "10.0.0.2", mymac, "10.0.0.1");
	assert_int_equal(rump_etest_input(ifx, req, n), 0);
	assert_int_equal(neigh_state("10.0.0.2"), NUD_REACHABLE);
}

static void
arp_bad(void **state)
{
	uint8_t req[64];
	uint64_t before[10], after[10];
	uint8_t other[6] = { 0x02, 0, 0, 0, 0, 0x30 };
	size_t n;
	int i;

	(void)state;
	drain();
	assert_int_equal(rump_etest_stats(ifx, before), 0);
	/* truncated, bad hardware length, bad protocol, bad op */
	for (i = 0; i < 4; i++) {
		n = arp_frame(req, bcast, other, 1, "10.0.0.30", bcast,
		    "10.0.0.1");
		if (i == 0)
			n = 14 + 20;
		else if (i == 1)
			req[14 + 4] = 8;
		else if (i == 2)
			req[14 + 3] = 0x01;
		else
			req[14 + 7] = 9;
		assert_int_equal(rump_etest_input(ifx, req, n), 0);
	}
	assert_int_equal(rump_etest_stats(ifx, after), 0);
	assert_int_equal(after[IERRS] - before[IERRS], 4);
	assert_int_equal(rump_etest_pending(ifx), 0);
	assert_int_equal(neigh_state("10.0.0.30"), -1);
}

/* A minimal IPv4/UDP-less frame: counts as received iff accepted. */
static void
filter_frame(const uint8_t *dst, bool accepted)
{
	uint8_t f[64];
	uint64_t b[10], a[10];

	memset(f, 0, sizeof(f));
	memcpy(f, dst, 6);
	memcpy(f + 6, peermac, 6);
	f[12] = 0x88;			/* an ethertype nobody handles */
	f[13] = 0xb5;
	assert_int_equal(rump_etest_stats(ifx, b), 0);
	assert_int_equal(rump_etest_input(ifx, f, 60), 0);
	assert_int_equal(rump_etest_stats(ifx, a), 0);
	assert_int_equal(a[IPKTS] - b[IPKTS], accepted ? 1 : 0);
	assert_int_equal(a[IDROPS] - b[IDROPS], accepted ? 1 : 0);
	assert_int_equal(a[IMC] - b[IMC], accepted && (dst[0] & 1) ? 1 : 0);
}

static void
ether_filter(void **state)
{
	const uint8_t other[6] = { 0x02, 0, 0, 0, 0, 0x77 };
	const uint8_t mc[6] = { 0x01, 0x00, 0x5e, 0x01, 0x02, 0x03 };
	const uint8_t allhosts[6] = { 0x01, 0x00, 0x5e, 0, 0, 1 };

	(void)state;
	filter_frame(mymac, true);
	filter_frame(bcast, true);
	filter_frame(allhosts, true);
	filter_frame(other, false);
	filter_frame(mc, false);
	assert_int_equal(rump_etest_flags(ifx, IFF_ALLMULTI, 0), 0);
	filter_frame(mc, true);
	filter_frame(other, false);
	assert_int_equal(rump_etest_flags(ifx, IFF_PROMISC, IFF_ALLMULTI), 0);
	/* promiscuous: counted, but another host's unicast goes nowhere */
	{
		uint8_t f[64];
		uint64_t b[10], a[10];

		memset(f, 0, sizeof(f));
		memcpy(f, other, 6);
		memcpy(f + 6, peermac, 6);
		f[12] = 0x08;
		assert_int_equal(rump_etest_stats(ifx, b), 0);
		assert_int_equal(rump_etest_input(ifx, f, 60), 0);
		assert_int_equal(rump_etest_stats(ifx, a), 0);
		assert_int_equal(a[IPKTS] - b[IPKTS], 1);
	}
	filter_frame(mc, true);
	assert_int_equal(rump_etest_flags(ifx, 0, IFF_PROMISC), 0);
	filter_frame(other, false);
	filter_frame(mc, false);
}

static void
ether_runts(void **state)
{
	uint8_t f[1600];
	uint64_t b[10], a[10];

	(void)state;
	memset(f, 0, sizeof(f));
	memcpy(f, mymac, 6);
	memcpy(f + 6, peermac, 6);
	f[12] = 0x08;
	assert_int_equal(rump_etest_stats(ifx, b), 0);
	assert_int_equal(rump_etest_input(ifx, f, 13), 0);	/* runt */
	assert_int_equal(rump_etest_input(ifx, f, 1515), 0);	/* > MTU */
	assert_int_equal(rump_etest_input(ifx, f, 0), 0);
	assert_int_equal(rump_etest_stats(ifx, a), 0);
	assert_int_equal(a[IERRS] - b[IERRS], 3);
}

static void
ether_counters(void **state)
{
	uint8_t f[2048];
	uint64_t b[10], a[10];
	size_t n;

	(void)state;
	drain();
	assert_int_equal(rump_etest_stats(ifx, b), 0);
	/* a broadcast datagram: one frame out, counted as multicast */
	assert_int_equal(udp_to("10.0.0.255", "bc"), 2);
	n = next_frame(f, sizeof(f));
	assert_memory_equal(f, bcast, 6);
	assert_int_equal(rump_etest_stats(ifx, a), 0);
	assert_int_equal(a[OPKTS] - b[OPKTS], 1);
	assert_int_equal(a[OBYTES] - b[OBYTES], n);
	assert_int_equal(a[OMC] - b[OMC], 1);
}

static int
setup(void **state)
{
	in_addr_t a = ip4("10.0.0.1");

	(void)state;
	assert_int_equal(rump_etest_create(mymac, 1, &ifx), 0);
	assert_true(ifx > 1);
	assert_int_equal(rump_etest_addr(ifx, AF_INET, &a, 24, 0), 0);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(arp_resolve),
		cmocka_unit_test(arp_fail),
		cmocka_unit_test(arp_queue_limit),
		cmocka_unit_test(arp_answer),
		cmocka_unit_test(arp_gratuitous),
		cmocka_unit_test(arp_stale_use),
		cmocka_unit_test(arp_bad),
		cmocka_unit_test(ether_filter),
		cmocka_unit_test(ether_runts),
		cmocka_unit_test(ether_counters),
	};

	if (test_kernel_init("ether") != 0)
		return 1;
	return cmocka_run_group_tests(tests, setup, NULL);
}
#else
int
main(void)
{
	printf("1..0 # SKIP the Ethernet layer is tested in the rump kernel only\n");
	return 0;
}
#endif
