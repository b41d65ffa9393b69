/*
 * fuzz_inet.c: the packet input path of a booted kernel (IPv4, IPv6 with
 * extension headers and fragments, ICMP, ICMPv6, UDP, TCP with options)
 * as a fuzz target.  The kernel is booted once, with a UDP socket on
 * 127.0.0.1:7 and [::]:7, a TCP listener on port 80 and a raw ICMP
 * socket, so that packets reach pcbs; each input is one packet: its first
 * byte says whether it comes as trusted loopback traffic (checksums not
 * verified: bit 0) and the rest is the packet, handed to
 * rump_netinet_input().  Queued datagrams are drained now and then so
 * that memory stays bounded.
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
int rump_netinet_input(const void *pkt, size_t len, int trusted);

static int udp4s = -1, udp6s = -1, tcps = -1, raws = -1;
static unsigned long count;

static void
boot(void)
{
	struct sockaddr_in a;
	struct sockaddr_in6 a6;
	const char *range = "0 2147483647";
	int fd;

	if (rump_init() != 0)
		abort();
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons(7);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	udp4s = (int)rump_sys_socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	rump_sys_bind(udp4s, (struct sockaddr *)&a, sizeof(a));
	memset(&a6, 0, sizeof(a6));
	a6.sin6_family = AF_INET6;
	a6.sin6_port = htons(7);
	udp6s = (int)rump_sys_socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	{
		int on = 1;

		rump_sys_setsockopt(udp6s, IPPROTO_IPV6, IPV6_V6ONLY, &on,
		    sizeof(on));
	}
	rump_sys_bind(udp6s, (struct sockaddr *)&a6, sizeof(a6));
	tcps = (int)rump_sys_socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0);
	a6.sin6_port = htons(80);
	rump_sys_bind(tcps, (struct sockaddr *)&a6, sizeof(a6));
	rump_sys_listen(tcps, 16);
	raws = (int)rump_sys_socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK,
	    IPPROTO_ICMP);
	fd = (int)rump_sys_open("/proc/sys/net/ipv4/ping_group_range",
	    O_WRONLY, 0);
	if (fd >= 0) {
		rump_sys_write(fd, range, strlen(range));
		rump_sys_close(fd);
	}
}

static void
drain(int s)
{
	char buf[2048];

	while (s >= 0 && rump_sys_recvfrom(s, buf, sizeof(buf), MSG_DONTWAIT,
	    NULL, NULL) >= 0)
		;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (udp4s < 0 && tcps < 0)
		boot();
	if (size < 1)
		return 0;
	rump_netinet_input(data + 1, size - 1, data[0] & 1);
	if (++count % 64 == 0) {
		int c;

		drain(udp4s);
		drain(udp6s);
		drain(raws);
		/* Connections the fuzzer completed: accept and drop them. */
		while ((c = (int)rump_sys_accept4(tcps, NULL, NULL,
		    SOCK_NONBLOCK)) >= 0)
			rump_sys_close(c);
	}
	return 0;
}
