/*
 * fuzz_frame.c: the Ethernet frame input path (if_ether.c's filter and
 * dispatch, ARP, IPv4/IPv6 on top, neighbour discovery) as a fuzz target.
 * The kernel is booted once with one test interface (etest0, component
 * etest: its transmitted frames go to a ring, drained here) with
 * 10.0.0.1/24 and 2001:db8::1/64, so that ARP requests and neighbour
 * solicitations for those addresses are answered and what they teach
 * lands in the neighbour table.  Each input is one whole frame (from the
 * destination MAC, no FCS) handed to rump_etest_input().
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int rump_etest_create(const uint8_t *mac, int up, int *ifindex);
int rump_etest_addr(int ifindex, int af, const void *addr, int plen,
    int flags);
int rump_etest_input(int ifindex, const void *frame, size_t len);
int rump_etest_read(int ifindex, void *buf, size_t buflen, size_t *len);
int rump_net_neigh(int op, int af, const void *addr, int ifindex,
    void *lladdr, int lllen, int *state);

static int ifx = -1;
static unsigned long count;

static void
boot(void)
{
	static const uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 1 };
	static const uint8_t a4[4] = { 10, 0, 0, 1 };
	static const uint8_t a6[16] = { 0x20, 0x01, 0x0d, 0xb8,
	    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };

	if (rump_init() != 0)
		abort();
	if (rump_etest_create(mac, 1, &ifx) != 0 ||
	    rump_etest_addr(ifx, AF_INET, a4, 24, 0) != 0 ||
	    rump_etest_addr(ifx, AF_INET6, a6, 64, 0x02 /* NODAD */) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (ifx < 0)
		boot();
	rump_etest_input(ifx, data, size);
	while (rump_etest_read(ifx, NULL, 0, NULL) == 0)
		;
	/* What the inputs taught stays bounded: flush now and then. */
	if (++count % 256 == 0) {
		rump_net_neigh(4, AF_INET, NULL, ifx, NULL, 0, NULL);
		rump_net_neigh(4, AF_INET6, NULL, ifx, NULL, 0, NULL);
	}
	return 0;
}
