/*
 * hj_wrap_netdb.c: name lookup for programs whose sockets are the
 * kernel's: getaddrinfo, getnameinfo, gethostbyname, gethostbyname2 and
 * their _r forms, gethostbyaddr(_r).
 *
 * glibc's lookups open sockets past the shim (doc/HIJACK.md, "Name
 * lookup"), so with inet sockets routed a name is looked up through the
 * kernel (hj_resolv.c) and the rest is glibc's own work on numbers:
 * each address found is handed to the host's getaddrinfo as a numeric
 * host, which adds the service, socket types and protocols as glibc
 * does, and the lists are joined (freeaddrinfo frees them as its own).
 * With sockets on the host every call is the host's, untouched.
 */
#include <arpa/inet.h>
#include <net/if.h>
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hj.h"
#include "hj_resolv.h"

HOST_CACHE(getaddrinfo);
HOST_CACHE(getnameinfo);
HOST_CACHE(gethostbyname);
HOST_CACHE(gethostbyname2);
HOST_CACHE(gethostbyname_r);
HOST_CACHE(gethostbyname2_r);
HOST_CACHE(gethostbyaddr);
HOST_CACHE(gethostbyaddr_r);

/* The least room the _r forms take before they look anything up. */
#define HJ_MINBUF	64

#define AI_KNOWN	(AI_PASSIVE | AI_CANONNAME | AI_NUMERICHOST |	\
			 AI_V4MAPPED | AI_ALL | AI_ADDRCONFIG | AI_IDN |	\
			 AI_CANONIDN | AI_NUMERICSERV)

/* A numeric host, as glibc's getaddrinfo takes one (inet_aton's forms
 * for IPv4, an IPv6 address with an optional %scope). */
static bool
numeric_host(const char *s)
{
	struct in_addr a4;
	struct in6_addr a6;
	char b[INET6_ADDRSTRLEN + IF_NAMESIZE + 2], *pct;

	if (inet_aton(s, &a4))
		return true;
	if (strlen(s) >= sizeof(b))
		return false;
	strcpy(b, s);
	if ((pct = strchr(b, '%')) != NULL)
		*pct = '\0';
	return inet_pton(AF_INET6, b, &a6) == 1;
}

/* glibc's getaddrinfo answers for a lookup's h_errno; an unreadable
 * answer is "no data" for IPv4 alone, "no name" otherwise, as there. */
static int
eai_of(int herr, int family)
{
	switch (herr) {
	case TRY_AGAIN:
		return EAI_AGAIN;
	case NO_RECOVERY:
		return family == AF_INET ? EAI_NODATA : EAI_NONAME;
	case NO_DATA:
		return EAI_NODATA;
	default:
		return EAI_NONAME;
	}
}

/* The addresses of node for getaddrinfo's family and flags (AI_V4MAPPED,
 * AI_ALL): 0 or an EAI_ code. */
static int
addrs_of(const char *node, int family, int flags, struct hj_hostres *r)
{
	struct hj_hostres r4;
	int herr, i, n6 = 0;

	herr = hj_res_byname(node, family == AF_INET6 && (flags &
	    AI_V4MAPPED) ? AF_UNSPEC : family, r);
	if (herr != 0)
		return eai_of(herr, family);
	if (family != AF_INET6 || !(flags & AI_V4MAPPED))
		return 0;
	for (i = 0; i < r->naddr; i++)
		n6 += r->addr[i].family == AF_INET6;
	r4 = *r;
	r->naddr = 0;
	for (i = 0; i < r4.naddr; i++) {
		struct hj_addr *a = &r4.addr[i];

		if (a->family == AF_INET6)
			r->addr[r->naddr++] = *a;
		else if (n6 == 0 || (flags & AI_ALL)) {
			struct in_addr v4 = a->a.v4;
			struct hj_addr *m = &r->addr[r->naddr++];

			m->family = AF_INET6;
			memset(&m->a.v6, 0, sizeof(m->a.v6));
			m->a.v6.s6_addr[10] = m->a.v6.s6_addr[11] = 0xff;
			memcpy(&m->a.v6.s6_addr[12], &v4, 4);
		}
	}
	return r->naddr > 0 ? 0 : EAI_NODATA;
}

HJ_EXPORT int
getaddrinfo(const char *node, const char *service,
    const struct addrinfo *hints, struct addrinfo **res)
{
	struct addrinfo h = { .ai_flags = AI_V4MAPPED | AI_ADDRCONFIG };
	struct addrinfo *head = NULL, **tail = &head, *part;
	struct hj_hostres r;
	char num[INET6_ADDRSTRLEN];
	bool v4, v6;
	int rv, i;

	if (!hj_res_routed())
		return HOST(getaddrinfo)(node, service, hints, res);
	if (hints != NULL)
		h = *hints;
	if ((h.ai_flags & ~AI_KNOWN) != 0 ||
	    ((h.ai_flags & AI_CANONNAME) && node == NULL))
		return EAI_BADFLAGS;
	if (h.ai_family != AF_UNSPEC && h.ai_family != AF_INET &&
	    h.ai_family != AF_INET6)
		return EAI_FAMILY;
	if (node == NULL && service == NULL)
		return EAI_NONAME;
	if (h.ai_flags & AI_ADDRCONFIG) {	/* glibc's rule, the kernel's addresses */
		hj_res_families(&v4, &v6);
		if (h.ai_family == AF_UNSPEC && (v4 || v6) && v4 != v6)
			h.ai_family = v4 ? AF_INET : AF_INET6;
		else if ((h.ai_family == AF_INET && !v4) ||
		    (h.ai_family == AF_INET6 && !v6))
			return EAI_NONAME;
		h.ai_flags &= ~AI_ADDRCONFIG;
	}
	if (node == NULL || (h.ai_flags & AI_NUMERICHOST) || numeric_host(node))
		return HOST(getaddrinfo)(node, service, &h, res);
	if ((rv = addrs_of(node, h.ai_family, h.ai_flags, &r)) != 0)
		return rv;
	hj_res_sort(r.addr, r.naddr);
	for (i = 0; i < r.naddr; i++) {
		struct addrinfo nh = h;

		nh.ai_family = r.addr[i].family;
		nh.ai_flags = (h.ai_flags & (AI_PASSIVE | AI_NUMERICSERV)) |
		    AI_NUMERICHOST;
		inet_ntop(r.addr[i].family, &r.addr[i].a, num, sizeof(num));
		if ((rv = HOST(getaddrinfo)(num, service, &nh, &part)) != 0) {
			if (head != NULL)
				freeaddrinfo(head);
			return rv;
		}
		*tail = part;
		while (*tail != NULL)
			tail = &(*tail)->ai_next;
	}
	if (head == NULL)
		return EAI_NONAME;
	if ((h.ai_flags & AI_CANONNAME) &&
	    (head->ai_canonname = strdup(r.canon)) == NULL) {
		freeaddrinfo(head);
		return EAI_MEMORY;
	}
	*res = head;
	return 0;
}

/* A v4-mapped IPv6 address is looked up as the IPv4 one (glibc does). */
static bool
addr_of_sa(const struct sockaddr *sa, struct hj_addr *a)
{
	if (sa->sa_family == AF_INET) {
		a->family = AF_INET;
		a->a.v4 = ((const struct sockaddr_in *)sa)->sin_addr;
		return true;
	}
	if (sa->sa_family != AF_INET6)
		return false;
	a->family = AF_INET6;
	a->a.v6 = ((const struct sockaddr_in6 *)sa)->sin6_addr;
	if (IN6_IS_ADDR_V4MAPPED(&a->a.v6)) {
		a->family = AF_INET;
		memcpy(&a->a.v4, &a->a.v6.s6_addr[12], 4);
	}
	return true;
}

/* NI_NOFQDN: the name without its domain when that is ours. */
static void
short_name(char *name)
{
	char host[HJ_RES_NAMELEN], *hd, *nd;

	if (gethostname(host, sizeof(host)) != 0 ||
	    (hd = strchr(host, '.')) == NULL || (nd = strchr(name, '.')) == NULL)
		return;
	if (strcasecmp(hd, nd) == 0)
		*nd = '\0';
}

HJ_EXPORT int
getnameinfo(const struct sockaddr *sa, socklen_t salen, char *host,
    socklen_t hostlen, char *serv, socklen_t servlen, int flags)
{
	char name[HJ_RES_NAMELEN];
	struct hj_addr a;
	int rv, herr;

	if (!hj_res_routed() || host == NULL || hostlen == 0 ||
	    (flags & NI_NUMERICHOST) || sa == NULL ||
	    salen < sizeof(struct sockaddr_in) ||
	    (sa->sa_family == AF_INET6 && salen < sizeof(struct sockaddr_in6)))
		return HOST(getnameinfo)(sa, salen, host, hostlen, serv,
		    servlen, flags);
	if (!addr_of_sa(sa, &a))
		return EAI_FAMILY;
	/* the service and the checks of the arguments, as glibc does them */
	if (serv != NULL && servlen > 0 && (rv = HOST(getnameinfo)(sa, salen,
	    NULL, 0, serv, servlen, flags & ~NI_NAMEREQD)) != 0)
		return rv;
	if ((herr = hj_res_byaddr(&a, name, sizeof(name))) != 0) {
		if (flags & NI_NAMEREQD)
			return herr == TRY_AGAIN ? EAI_AGAIN : EAI_NONAME;
		return HOST(getnameinfo)(sa, salen, host, hostlen, NULL, 0,
		    flags | NI_NUMERICHOST);
	}
	if (flags & NI_NOFQDN)
		short_name(name);
	if (strlen(name) >= hostlen)
		return EAI_OVERFLOW;
	strcpy(host, name);
	return 0;
}

/* --- gethostbyname and friends ------------------------------------------- */

/*
 * Lays a hostent out in buf as glibc does: ERANGE when it does not fit.
 * naddr addresses of af, from r (only those of af).
 */
static int
fill_hostent(struct hostent *he, char *buf, size_t buflen, const char *name,
    const struct hj_hostres *r, int af)
{
	size_t alen = af == AF_INET ? 4 : 16, need, o;
	int i, n = 0, na = 0;
	char **alist, **aliases, *p;

	for (i = 0; i < r->naddr; i++)
		n += r->addr[i].family == af;
	na = r->nalias;
	need = (size_t)(n + 1 + na + 1) * sizeof(char *) + (size_t)n * alen +
	    strlen(name) + 1 + 16;
	for (i = 0; i < na; i++)
		need += strlen(r->alias[i]) + 1;
	if (buflen < need)
		return ERANGE;
	o = (sizeof(char *) - ((uintptr_t)buf % sizeof(char *))) %
	    sizeof(char *);
	alist = (char **)(void *)(buf + o);
	aliases = alist + n + 1;
	p = (char *)(aliases + na + 1);
	for (i = 0, n = 0; i < r->naddr; i++)
		if (r->addr[i].family == af) {
			memcpy(p, &r->addr[i].a, alen);
			alist[n++] = p;
			p += alen;
		}
	alist[n] = NULL;
	for (i = 0; i < na; i++) {
		aliases[i] = strcpy(p, r->alias[i]);
		p += strlen(p) + 1;
	}
	aliases[na] = NULL;
	he->h_name = strcpy(p, name);
	he->h_aliases = aliases;
	he->h_addrtype = af;
	he->h_length = (int)alen;
	he->h_addr_list = alist;
	return 0;
}

HJ_EXPORT int
gethostbyname2_r(const char *name, int af, struct hostent *ret, char *buf,
    size_t buflen, struct hostent **result, int *h_errnop)
{
	struct hj_hostres r;
	int herr, e;

	if (!hj_res_routed())
		return HOST(gethostbyname2_r)(name, af, ret, buf, buflen,
		    result, h_errnop);
	*result = NULL;
	if (buflen < HJ_MINBUF) {	/* glibc asks for room before it looks */
		*h_errnop = NETDB_INTERNAL;
		return errno = ERANGE;
	}
	if (af != AF_INET && af != AF_INET6) {
		*h_errnop = NETDB_INTERNAL;
		return errno = EAFNOSUPPORT;
	}
	memset(&r, 0, sizeof(r));
	if (af == AF_INET ? inet_aton(name, &r.addr[0].a.v4) :
	    inet_pton(AF_INET6, name, &r.addr[0].a.v6) == 1) {
		r.addr[0].family = af;
		r.naddr = 1;
		snprintf(r.canon, sizeof(r.canon), "%s", name);
	} else if ((herr = hj_res_byname(name, af, &r)) != 0) {
		*h_errnop = herr;
		/* glibc's errno: the resolver's, for the answers it failed */
		return herr == TRY_AGAIN ? EAGAIN : herr == NO_RECOVERY ?
		    EMSGSIZE : 0;
	}
	if ((e = fill_hostent(ret, buf, buflen, r.canon, &r, af)) != 0) {
		*h_errnop = NETDB_INTERNAL;
		return errno = e;
	}
	*result = ret;
	*h_errnop = 0;
	return 0;
}

HJ_EXPORT int
gethostbyname_r(const char *name, struct hostent *ret, char *buf,
    size_t buflen, struct hostent **result, int *h_errnop)
{
	if (!hj_res_routed())
		return HOST(gethostbyname_r)(name, ret, buf, buflen, result,
		    h_errnop);
	return gethostbyname2_r(name, AF_INET, ret, buf, buflen, result,
	    h_errnop);
}

HJ_EXPORT int
gethostbyaddr_r(const void *addr, socklen_t len, int type,
    struct hostent *ret, char *buf, size_t buflen, struct hostent **result,
    int *h_errnop)
{
	struct hj_hostres r;
	struct hj_addr a = { .family = type };
	int herr, e;

	if (!hj_res_routed())
		return HOST(gethostbyaddr_r)(addr, len, type, ret, buf, buflen,
		    result, h_errnop);
	*result = NULL;
	if (buflen < HJ_MINBUF) {
		*h_errnop = NETDB_INTERNAL;
		return errno = ERANGE;
	}
	if ((type != AF_INET || len != 4) && (type != AF_INET6 || len != 16)) {
		*h_errnop = NETDB_INTERNAL;
		return errno = EINVAL;
	}
	memcpy(&a.a, addr, len);
	memset(&r, 0, sizeof(r));
	if ((herr = hj_res_byaddr(&a, r.canon, sizeof(r.canon))) != 0) {
		*h_errnop = herr;
		return herr == TRY_AGAIN ? EAGAIN : 0;
	}
	r.addr[0] = a;
	r.naddr = 1;
	if ((e = fill_hostent(ret, buf, buflen, r.canon, &r, type)) != 0) {
		*h_errnop = NETDB_INTERNAL;
		return errno = e;
	}
	*result = ret;
	*h_errnop = 0;
	return 0;
}

/* The static-result forms: one result per thread (glibc's is one per
 * process; a thread of its own is no worse). */
static __thread struct hostent tls_he;
static __thread char tls_buf[8192];

HJ_EXPORT struct hostent *
gethostbyname2(const char *name, int af)
{
	struct hostent *res;
	int herr;

	if (!hj_res_routed())
		return HOST(gethostbyname2)(name, af);
	gethostbyname2_r(name, af, &tls_he, tls_buf, sizeof(tls_buf), &res,
	    &herr);
	h_errno = herr;
	return res;
}

HJ_EXPORT struct hostent *
gethostbyname(const char *name)
{
	if (!hj_res_routed())
		return HOST(gethostbyname)(name);
	return gethostbyname2(name, AF_INET);
}

HJ_EXPORT struct hostent *
gethostbyaddr(const void *addr, socklen_t len, int type)
{
	struct hostent *res;
	int herr;

	if (!hj_res_routed())
		return HOST(gethostbyaddr)(addr, len, type);
	gethostbyaddr_r(addr, len, type, &tls_he, tls_buf, sizeof(tls_buf),
	    &res, &herr);
	h_errno = herr;
	return res;
}
