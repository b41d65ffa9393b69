/*
 * hj_resolv.h: name lookup over the kernel's sockets (hj_resolv.c), for
 * the netdb wrappers (hj_wrap_netdb.c).  doc/HIJACK.md, "Name lookup".
 */
#ifndef HJ_RESOLV_H
#define HJ_RESOLV_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HJ_RES_MAXADDR	48	/* glibc's DNS backend keeps as many */
#define HJ_RES_MAXALIAS	8
#define HJ_RES_NAMELEN	256	/* a domain name's text, with its NUL */

struct hj_addr {
	int family;		/* AF_INET or AF_INET6 */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	} a;
};

struct hj_hostres {
	char canon[HJ_RES_NAMELEN];		/* the last name of a CNAME chain */
	char alias[HJ_RES_MAXALIAS][HJ_RES_NAMELEN];
	int nalias;
	struct hj_addr addr[HJ_RES_MAXADDR];
	int naddr;
};

/* True when the program's inet sockets are the kernel's: its lookups go
 * through the kernel too. */
bool hj_res_routed(void);

/*
 * Looks name up as glibc's "files dns" would (the hosts: line of
 * /etc/nsswitch.conf picks the order), reading /etc/hosts and
 * /etc/resolv.conf as the program sees them and asking the name servers
 * through the kernel.  family: AF_INET, AF_INET6 or AF_UNSPEC (both).
 * 0, or an h_errno value (HOST_NOT_FOUND, NO_DATA, TRY_AGAIN,
 * NO_RECOVERY).
 */
int hj_res_byname(const char *name, int family, struct hj_hostres *out);

/* The name of an address (hosts file, then a PTR query): 0 or h_errno. */
int hj_res_byaddr(const struct hj_addr *a, char *name, size_t len);

/* Which families have a configured address in the kernel, as glibc's
 * AI_ADDRCONFIG counts them: any but 127.0.0.1 and ::1 (link-local and
 * the rest of 127/8 count, as there). */
void hj_res_families(bool *v4, bool *v6);

/* Sorts addresses for getaddrinfo: reachable through the kernel's
 * routes first, then IPv6 before IPv4 (RFC 6724's default precedence). */
void hj_res_sort(struct hj_addr *a, int n);

/* --- between the resolver and its DNS messages (hj_dns.c) --- */

#define HJ_NS_MAX	3
#define HJ_SEARCH_MAX	6
#define HJ_DNS_PORT	53
#define HJ_T_A		1
#define HJ_T_CNAME	5
#define HJ_T_PTR	12
#define HJ_T_AAAA	28

struct hj_rconf {
	struct sockaddr_in6 ns[HJ_NS_MAX];	/* sin6_family says which */
	int nns;
	char search[HJ_SEARCH_MAX][HJ_RES_NAMELEN];
	int nsearch;
	int ndots, timeout, attempts;
	bool rotate, usevc, edns0, trustad, notld, noaaaa;
};

/* The program's /etc/resolv.conf (and LOCALDOMAIN, RES_OPTIONS), read as
 * glibc's res_init reads it. */
void hj_res_conf(struct hj_rconf *rc);

/* The outcome of one question, as h_errno says it. */
enum { HJ_ANS_OK, HJ_ANS_NXDOMAIN, HJ_ANS_NODATA, HJ_ANS_SERVFAIL, HJ_ANS_BAD,
    HJ_ANS_MALFORMED };

/* A question of qtype for name to the servers of rc in turn, attempts
 * times: HJ_ANS_*, the answer's records in r; *timedout when no server
 * answered at all. */
int hj_dns_ask(const struct hj_rconf *rc, const char *name, int qtype,
    struct hj_hostres *r, bool *timedout);

/* The messages (hj_dnsmsg.c).  hj_dns_query: a question for name (no
 * trailing dot), its length or -1 for a name DNS cannot carry.
 * hj_dns_parse: the answer m of len bytes to that question, HJ_ANS_*. */
int hj_dns_query(unsigned char *q, size_t qlen, uint16_t id,
    const char *name, int qtype);
int hj_dns_parse(const unsigned char *m, size_t len, uint16_t id,
    const char *name, int qtype, struct hj_hostres *r);
unsigned hj_dns_be16(const unsigned char *p);

/* Adds an address or an alias to r once (no duplicates, bounded). */
void hj_res_add_addr(struct hj_hostres *r, const struct hj_addr *a);
void hj_res_add_alias(struct hj_hostres *r, const char *name);

#endif
