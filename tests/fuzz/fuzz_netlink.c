/*
 * fuzz_netlink.c: the netlink request parser of a booted kernel as a fuzz
 * target: rtnetlink (links, addresses, routes, neighbours, rules) and
 * sock_diag.  The kernel is booted once with a NETLINK_ROUTE and a
 * NETLINK_SOCK_DIAG socket (extended acks and strict checks on), a TCP
 * listener and a UDP socket for the diag dumps to find; each input is one
 * datagram: its first byte picks the socket (bit 0: sock_diag) and the
 * rest is sent to the kernel, whose answers are read and dropped.  Bad
 * messages must get an error answer, never a crash.  What the fuzzer
 * configures (addresses, routes, neighbours) stays, bounded by the
 * kernel's own limits on a 15-second run.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int nls[2] = { -1, -1 };

static void
boot(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	int one = 1, s;

	if (rump_init() != 0)
		abort();
	nls[0] = (int)rump_sys_socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	nls[1] = (int)rump_sys_socket(AF_NETLINK, SOCK_RAW,
	    NETLINK_SOCK_DIAG);
	if (nls[0] < 0 || nls[1] < 0)
		abort();
	for (int i = 0; i < 2; i++) {
		rump_sys_setsockopt(nls[i], SOL_NETLINK, NETLINK_EXT_ACK, &one,
		    sizeof(one));
		rump_sys_setsockopt(nls[i], SOL_NETLINK,
		    NETLINK_GET_STRICT_CHK, &one, sizeof(one));
	}
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons(80);
	s = (int)rump_sys_socket(AF_INET, SOCK_STREAM, 0);
	rump_sys_bind(s, (struct sockaddr *)&a, sizeof(a));
	rump_sys_listen(s, 4);
	s = (int)rump_sys_socket(AF_INET, SOCK_DGRAM, 0);
	rump_sys_bind(s, (struct sockaddr *)&a, sizeof(a));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[65536];
	struct sockaddr_nl k = { .nl_family = AF_NETLINK };
	int s;

	if (nls[0] < 0)
		boot();
	if (size < 1)
		return 0;
	s = nls[data[0] & 1];
	rump_sys_sendto(s, data + 1, size - 1, 0, (struct sockaddr *)&k,
	    sizeof(k));
	while (rump_sys_recvfrom(s, buf, sizeof(buf), MSG_DONTWAIT, NULL,
	    NULL) >= 0)
		;
	return 0;
}
