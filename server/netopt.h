/*
 * netopt.h: "--net" of rump_server and rumphijack, an interface of the
 * kernel made and configured at start from one line (netopt.c):
 *
 *   KIND:LINK[,ADDR/PLEN]...[,gw=ADDR]...[,dns=ADDR]...[,mtu=N][,ifname=NAME]
 *
 *   shmif:/tmp/bus1,10.0.0.2/24,fd00::2/64,gw=10.0.0.1
 *   tap:tap7,10.10.0.2/24,gw=10.10.0.1,dns=10.10.0.1
 *
 * KIND is shmif (LINK: the bus file, a host path) or tap (LINK: the host
 * TAP device's name).  Addresses are IPv4 or IPv6 with their prefix
 * length; gw= is a default route of the gateway's family; dns= names a
 * server for the kernel's /etc/resolv.conf; ifname= defaults to KIND
 * followed by the count of that kind before it (shmif0, shmif1 ...).
 *
 * Both programs parse every --net before anything starts (a bad one is
 * one line on stderr naming the bad part, then exit 1) and apply them
 * with rump_sys_* calls on their own kernel once it is booted: rtnetlink
 * for the link, addresses and routes, /proc/sys/net/KIND/IF/{bus,dev} for
 * the link, /etc/resolv.conf for dns=.
 */
#ifndef NETOPT_H
#define NETOPT_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>

#define NETOPT_MAXADDR	8
#define NETOPT_MAXDNS	3
#define NETOPT_MAX	8

struct netopt_addr {
	int af;				/* AF_INET or AF_INET6 */
	uint8_t addr[16];
	int plen;
};

struct netopt {
	char kind[8];			/* "shmif", "tap" */
	char link[4096];		/* bus path or host TAP name */
	char ifname[16];
	struct netopt_addr addr[NETOPT_MAXADDR];
	int naddr;
	struct netopt_addr gw[2];	/* plen unused */
	int ngw;
	struct netopt_addr dns[NETOPT_MAXDNS];
	int ndns;
	int mtu;			/* 0: the driver's */
};

struct netopts {
	struct netopt opt[NETOPT_MAX];
	int n;
};

/*
 * Parses arg into the next slot of ops.  0, or -1 after printing
 * "PROG: --net ARG: WHAT" on stderr.
 */
int netopt_parse(struct netopts *ops, const char *arg, const char *prog);
/* Makes and configures the interfaces in the booted local kernel; 0, or
 * -1 after a line on stderr. */
int netopt_apply(const struct netopts *ops, const char *prog);
/* True if any --net has dns= (the hijack then routes /etc/resolv.conf). */
bool netopt_has_dns(const struct netopts *ops);
/* The usage text's lines about --net. */
extern const char netopt_usage[];

#endif /* NETOPT_H */
