/*
 * hj_resolv.c: a stub resolver over the kernel's sockets.
 *
 * glibc's resolver opens its sockets with internal calls that never reach
 * the shim, so a program whose sockets are the kernel's would still ask
 * the host's network for names.  Here the same lookup is done through the
 * kernel: /etc/hosts, then DNS (hj_dns.c) to the servers of
 * /etc/resolv.conf, in the order of nsswitch.conf's hosts: line, the
 * files read through the wrappers so a blanket= or --net dns= file is
 * the one used.  The rules are glibc's (resolv.conf(5)): ndots, search,
 * timeout, attempts, rotate, use-vc, LOCALDOMAIN and RES_OPTIONS; and
 * so are the answers' outcomes (h_errno).  No state between calls.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <net/if.h>

#include "hj.h"
#include "hj_resolv.h"



bool
hj_res_routed(void)
{
	return hj_sock_family_kernel(AF_INET) ||
	    hj_sock_family_kernel(AF_INET6);
}

/* --- the program's files ------------------------------------------------ */

/* Reads a whole (small) file as the program would see it: NUL-ended text,
 * or NULL.  open/read/close are the shim's own, so routing applies. */
static char *
slurp(const char *path)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap), *nb;
	ssize_t n;
	int fd;

	if (buf == NULL)
		return NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		free(buf);
		return NULL;
	}
	while ((n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += (size_t)n;
		if (cap - len - 1 == 0) {
			if (cap >= (1u << 22) || (nb = realloc(buf, cap * 2)) == NULL)
				break;
			buf = nb;
			cap *= 2;
		}
	}
	close(fd);
	buf[len] = '\0';
	return buf;
}

/* The next blank-separated word of the line *s (line_of made its end a
 * NUL), or NULL; *s moves past it. */
static char *
word(char **s)
{
	char *p = *s, *w;

	while (*p == ' ' || *p == '\t' || *p == '\r')
		p++;
	if (*p == '\0')
		return NULL;
	w = p;
	while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\r')
		p++;
	if (*p != '\0')
		*p++ = '\0';
	*s = p;
	return w;
}

static bool
parse_addr(const char *s, struct hj_addr *a)
{
	char b[64], *pct;

	if (inet_pton(AF_INET, s, &a->a.v4) == 1) {
		a->family = AF_INET;
		return true;
	}
	snprintf(b, sizeof(b), "%s", s);
	if ((pct = strchr(b, '%')) != NULL)
		*pct = '\0';
	if (inet_pton(AF_INET6, b, &a->a.v6) == 1) {
		a->family = AF_INET6;
		return true;
	}
	return false;
}

static void
set_search(struct hj_rconf *rc, char *line)
{
	char *w;

	rc->nsearch = 0;
	while ((w = word(&line)) != NULL && rc->nsearch < HJ_SEARCH_MAX)
		if (strlen(w) < HJ_RES_NAMELEN)
			snprintf(rc->search[rc->nsearch++], HJ_RES_NAMELEN,
			    "%s", w);
}

static int
clampnum(const char *s, int max)
{
	int v = atoi(s);

	return v < 0 ? 0 : v > max ? max : v;
}

static void
set_options(struct hj_rconf *rc, char *line)
{
	char *w;

	while ((w = word(&line)) != NULL) {
		if (strncmp(w, "ndots:", 6) == 0)
			rc->ndots = clampnum(w + 6, 15);
		else if (strncmp(w, "timeout:", 8) == 0)
			rc->timeout = clampnum(w + 8, 30);
		else if (strncmp(w, "attempts:", 9) == 0)
			rc->attempts = clampnum(w + 9, 5);
		else if (strcmp(w, "rotate") == 0)
			rc->rotate = true;
		else if (strcmp(w, "use-vc") == 0)
			rc->usevc = true;
		else if (strcmp(w, "edns0") == 0)
			rc->edns0 = true;
		else if (strcmp(w, "trust-ad") == 0)
			rc->trustad = true;
		else if (strcmp(w, "no-tld-query") == 0)
			rc->notld = true;
		else if (strcmp(w, "no-aaaa") == 0)
			rc->noaaaa = true;
	}
	if (rc->timeout < 1)
		rc->timeout = 1;
	if (rc->attempts < 1)
		rc->attempts = 1;
}

/* One line of text with its end made a NUL; *s moves past it. */
static char *
line_of(char **s)
{
	char *l = *s, *e;

	if (*l == '\0')
		return NULL;
	if ((e = strchr(l, '\n')) != NULL) {
		*e = '\0';
		*s = e + 1;
	} else
		*s = l + strlen(l);
	return l;
}

void
hj_res_conf(struct hj_rconf *rc)
{
	char *text, *s, *l, *w, *env, host[HJ_RES_NAMELEN], *dot;
	struct hj_addr a;

	memset(rc, 0, sizeof(*rc));
	rc->ndots = 1;
	rc->timeout = 5;
	rc->attempts = 2;
	if ((text = slurp("/etc/resolv.conf")) != NULL) {
		for (s = text; (l = line_of(&s)) != NULL;) {
			if ((w = word(&l)) == NULL || w[0] == '#' || w[0] == ';')
				continue;
			if (strcmp(w, "nameserver") == 0 && rc->nns < HJ_NS_MAX &&
			    (w = word(&l)) != NULL && parse_addr(w, &a)) {
				struct sockaddr_in6 *ns = &rc->ns[rc->nns++];

				memset(ns, 0, sizeof(*ns));
				if (a.family == AF_INET) {
					struct sockaddr_in *s4 = (void *)ns;

					s4->sin_family = AF_INET;
					s4->sin_port = htons(HJ_DNS_PORT);
					s4->sin_addr = a.a.v4;
				} else {
					ns->sin6_family = AF_INET6;
					ns->sin6_port = htons(HJ_DNS_PORT);
					ns->sin6_addr = a.a.v6;
				}
			} else if (strcmp(w, "domain") == 0 ||
			    strcmp(w, "search") == 0)
				set_search(rc, l);
			else if (strcmp(w, "options") == 0)
				set_options(rc, l);
		}
		free(text);
	}
	if (rc->nns == 0) {		/* resolv.conf(5): the local host */
		struct sockaddr_in *s4 = (void *)&rc->ns[rc->nns++];

		s4->sin_family = AF_INET;
		s4->sin_port = htons(HJ_DNS_PORT);
		s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	}
	if ((env = getenv("LOCALDOMAIN")) != NULL) {
		char b[HJ_RES_NAMELEN * 2];

		snprintf(b, sizeof(b), "%s", env);
		set_search(rc, b);
	} else if (rc->nsearch == 0 && gethostname(host, sizeof(host)) == 0 &&
	    (dot = strchr(host, '.')) != NULL && dot[1] != '\0') {
		snprintf(rc->search[0], HJ_RES_NAMELEN, "%s", dot + 1);
		rc->nsearch = 1;
	}
	if ((env = getenv("RES_OPTIONS")) != NULL) {
		char b[512];

		snprintf(b, sizeof(b), "%s", env);
		set_options(rc, b);
	}
}

/* --- /etc/hosts ---------------------------------------------------------- */

/* Every line naming name, in file order; the first line's first name is
 * the canonical one.  1 if one matched. */
static int
hosts_byname(const char *name, int family, struct hj_hostres *r)
{
	char *text, *s, *l, *w, *names[64];
	struct hj_addr a;
	int found = 0, n, i;

	if ((text = slurp("/etc/hosts")) == NULL)
		return 0;
	for (s = text; (l = line_of(&s)) != NULL;) {
		char *hash = strchr(l, '#');

		if (hash != NULL)
			*hash = '\0';
		if ((w = word(&l)) == NULL || !parse_addr(w, &a))
			continue;
		if (family != AF_UNSPEC && a.family != family)
			continue;
		for (n = 0; n < 64 && (names[n] = word(&l)) != NULL; n++)
			;
		for (i = 0; i < n && strcasecmp(names[i], name) != 0; i++)
			;
		if (i == n || n == 0)
			continue;
		if (!found++ && strlen(names[0]) < HJ_RES_NAMELEN)
			snprintf(r->canon, sizeof(r->canon), "%s", names[0]);
		for (i = 0; i < n; i++)
			hj_res_add_alias(r, names[i]);
		hj_res_add_addr(r, &a);
	}
	free(text);
	return found != 0;
}

static void
arpa_name(const struct hj_addr *a, char *b, size_t len)
{
	const unsigned char *p = (const unsigned char *)&a->a;
	size_t o = 0;
	int i;

	if (a->family == AF_INET) {
		snprintf(b, len, "%u.%u.%u.%u.in-addr.arpa", p[3], p[2], p[1],
		    p[0]);
		return;
	}
	for (i = 15; i >= 0 && o + 4 < len; i--)
		o += (size_t)snprintf(b + o, len - o, "%x.%x.", p[i] & 15,
		    p[i] >> 4);
	snprintf(b + o, len - o, "ip6.arpa");
}

static int
hosts_byaddr(const struct hj_addr *a, char *name, size_t len)
{
	char *text, *s, *l, *w;
	struct hj_addr b;
	int found = 0;

	if ((text = slurp("/etc/hosts")) == NULL)
		return 0;
	for (s = text; !found && (l = line_of(&s)) != NULL;) {
		char *hash = strchr(l, '#');

		if (hash != NULL)
			*hash = '\0';
		if ((w = word(&l)) == NULL || !parse_addr(w, &b) ||
		    b.family != a->family || memcmp(&b.a, &a->a, a->family ==
		    AF_INET ? sizeof(b.a.v4) : sizeof(b.a.v6)) != 0 ||
		    (w = word(&l)) == NULL)
			continue;
		snprintf(name, len, "%s", w);
		found = 1;
	}
	free(text);
	return found;
}

/* One fully qualified name, for the families asked: HJ_ANS_*. */
static int
lookup_fqdn(const struct hj_rconf *rc, const char *name, int family,
    struct hj_hostres *r, bool *timedout)
{
	int rv4 = HJ_ANS_NODATA, rv6 = HJ_ANS_NODATA;

	if (family != AF_INET6)
		rv4 = hj_dns_ask(rc, name, HJ_T_A, r, timedout);
	if (family != AF_INET && rv4 != HJ_ANS_NXDOMAIN && rv4 != HJ_ANS_MALFORMED &&
	    !(rv4 == HJ_ANS_SERVFAIL && *timedout))
		rv6 = hj_dns_ask(rc, name, HJ_T_AAAA, r, timedout);
	if (r->naddr > 0)
		return HJ_ANS_OK;
	if (rv4 == HJ_ANS_MALFORMED || rv6 == HJ_ANS_MALFORMED)
		return HJ_ANS_MALFORMED;
	if (rv4 == HJ_ANS_NXDOMAIN || rv6 == HJ_ANS_NXDOMAIN)
		return HJ_ANS_NXDOMAIN;
	if (rv4 == HJ_ANS_SERVFAIL || rv6 == HJ_ANS_SERVFAIL)
		return HJ_ANS_SERVFAIL;
	return HJ_ANS_NODATA;
}

/*
 * res_search's walk: the name as given first when it has ndots dots (or
 * ends in one), then with each search domain, then as given.
 */
static int
dns_byname(const char *name, int family, struct hj_hostres *r)
{
	struct hj_rconf rc;
	char fq[HJ_RES_NAMELEN], base[HJ_RES_NAMELEN];
	int dots = 0, rv, i, nodata = 0, servfail = 0;
	bool asis = false, timedout = false;
	size_t len = strlen(name);
	const char *p;

	if (len == 0 || len >= HJ_RES_NAMELEN)
		return HOST_NOT_FOUND;
	hj_res_conf(&rc);
	snprintf(base, sizeof(base), "%s", name);
	if (base[len - 1] == '.') {
		base[len - 1] = '\0';
		rv = lookup_fqdn(&rc, base, family, r, &timedout);
		return rv == HJ_ANS_OK ? 0 : rv == HJ_ANS_NODATA ? NO_DATA :
		    rv == HJ_ANS_SERVFAIL ? TRY_AGAIN : rv == HJ_ANS_MALFORMED ?
		    NO_RECOVERY : HOST_NOT_FOUND;
	}
	for (p = name; *p != '\0'; p++)
		dots += *p == '.';
	for (i = -1; i <= rc.nsearch; i++) {
		if (i == -1 && dots < rc.ndots)
			continue;
		if (i == rc.nsearch && asis)
			break;
		if (i == -1 || i == rc.nsearch) {
			snprintf(fq, sizeof(fq), "%s", base);
			asis = true;
		} else if ((size_t)snprintf(fq, sizeof(fq), "%s.%s", base,
		    rc.search[i]) >= sizeof(fq))
			continue;
		rv = lookup_fqdn(&rc, fq, family, r, &timedout);
		if (rv == HJ_ANS_OK)
			return 0;
		if (rv == HJ_ANS_MALFORMED)
			return NO_RECOVERY;
		if (rv == HJ_ANS_NODATA)
			nodata++;
		else if (rv == HJ_ANS_SERVFAIL) {
			if (timedout)
				return TRY_AGAIN;
			servfail++;
		}
	}
	return nodata ? NO_DATA : servfail ? TRY_AGAIN : HOST_NOT_FOUND;
}

/* --- the order of the sources -------------------------------------------- */

/* The sources of the hosts: line of /etc/nsswitch.conf that we know
 * ("files", "dns"), in order; "files dns" without one. */
static int
sources(char order[2])
{
	char *text, *s, *l, *w;
	int n = 0;

	order[0] = 'f';
	order[1] = 'd';
	if ((text = slurp("/etc/nsswitch.conf")) == NULL)
		return 2;
	for (s = text; (l = line_of(&s)) != NULL;) {
		if ((w = word(&l)) == NULL || strcmp(w, "hosts:") != 0)
			continue;
		while ((w = word(&l)) != NULL && n < 2)
			if (strcmp(w, "files") == 0 || strcmp(w, "dns") == 0)
				order[n++] = w[0];
		break;
	}
	free(text);
	return n > 0 ? n : 2;
}

int
hj_res_byname(const char *name, int family, struct hj_hostres *out)
{
	char order[2];
	int n, i, rv = HOST_NOT_FOUND;

	memset(out, 0, sizeof(*out));
	n = sources(order);
	for (i = 0; i < n; i++) {
		if (order[i] == 'f') {
			if (hosts_byname(name, family, out))
				return 0;
			continue;
		}
		memset(out, 0, sizeof(*out));
		if ((rv = dns_byname(name, family, out)) == 0)
			return 0;
	}
	return rv;
}

int
hj_res_byaddr(const struct hj_addr *a, char *name, size_t len)
{
	struct hj_hostres r;
	struct hj_rconf rc;
	char q[HJ_RES_NAMELEN];
	bool timedout;
	int rv;

	if (hosts_byaddr(a, name, len))
		return 0;
	hj_res_conf(&rc);
	arpa_name(a, q, sizeof(q));
	memset(&r, 0, sizeof(r));
	rv = hj_dns_ask(&rc, q, HJ_T_PTR, &r, &timedout);
	if (rv == HJ_ANS_OK && r.canon[0] != '\0') {
		if (strlen(r.canon) >= len)
			return NO_RECOVERY;
		snprintf(name, len, "%s", r.canon);
		return 0;
	}
	return rv == HJ_ANS_NODATA ? NO_DATA : rv == HJ_ANS_SERVFAIL ? TRY_AGAIN :
	    rv == HJ_ANS_MALFORMED ? NO_RECOVERY : HOST_NOT_FOUND;
}

/* --- the kernel's addresses and routes ----------------------------------- */

void
hj_res_families(bool *v4, bool *v6)
{
	struct ifreq ifr[64];
	struct ifconf ifc = { .ifc_len = sizeof(ifr), .ifc_req = ifr };
	char *text, *s, *l;
	int fd, i;

	*v4 = *v6 = false;
	if ((fd = hjk_socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) >= 0) {
		if (hjk_ioctl(fd, SIOCGIFCONF, &ifc) == 0)
			for (i = 0; i < ifc.ifc_len / (int)sizeof(ifr[0]); i++) {
				struct sockaddr_in *sin =
				    (void *)&ifr[i].ifr_addr;

				if (sin->sin_family == AF_INET &&
				    sin->sin_addr.s_addr != htonl(INADDR_LOOPBACK))
					*v4 = true;
			}
		hjk_close(fd);
	}
	/* if_inet6: 32 hex digits, index, prefix, scope, flags, name */
	if ((fd = hjk_open("/proc/net/if_inet6", O_RDONLY | O_CLOEXEC, 0)) < 0)
		return;
	if ((text = malloc(16384)) != NULL) {
		ssize_t n = hjk_read(fd, text, 16383);

		text[n > 0 ? n : 0] = '\0';
		for (s = text; (l = line_of(&s)) != NULL;) {
			unsigned idx, plen, scope;

			if (sscanf(l, "%*32s %x %x %x", &idx, &plen, &scope) ==
			    3 && strncmp(l, "0000000000000000"
			    "0000000000000001", 32) != 0)
				*v6 = true;
		}
		free(text);
	}
	hjk_close(fd);
}

/* Whether the kernel has a route to a: a connect of a UDP socket sends
 * nothing and fails without one (glibc probes the same way). */
static bool
reachable(const struct hj_addr *a)
{
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6,
	    .sin6_port = htons(9) };
	struct sockaddr_in s4 = { .sin_family = AF_INET,
	    .sin_port = htons(9) };
	int fd;
	bool ok;

	if ((fd = hjk_socket(a->family, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return false;
	if (a->family == AF_INET) {
		s4.sin_addr = a->a.v4;
		ok = hjk_connect(fd, (struct sockaddr *)&s4, sizeof(s4)) == 0;
	} else {
		s6.sin6_addr = a->a.v6;
		ok = hjk_connect(fd, (struct sockaddr *)&s6, sizeof(s6)) == 0;
	}
	hjk_close(fd);
	return ok;
}

static int
rank(const struct hj_addr *a)
{
	bool v6 = a->family == AF_INET6 && !IN6_IS_ADDR_V4MAPPED(&a->a.v6);

	return (reachable(a) ? 0 : 2) + (v6 ? 0 : 1);
}

void
hj_res_sort(struct hj_addr *a, int n)
{
	int key[HJ_RES_MAXADDR], i, j;

	if (n < 2)
		return;
	for (i = 0; i < n; i++)
		key[i] = rank(&a[i]);
	for (i = 1; i < n; i++)		/* stable insertion sort */
		for (j = i; j > 0 && key[j - 1] > key[j]; j--) {
			struct hj_addr t = a[j];
			int k = key[j];

			a[j] = a[j - 1];
			a[j - 1] = t;
			key[j] = key[j - 1];
			key[j - 1] = k;
		}
}
