/*
 * hj_wrap_resolv.c: the res_* resolver of programs whose sockets are the
 * kernel's: res_query, res_search, res_querydomain, res_send, their
 * res_n* forms and the __res_* names older binaries link, with res_init
 * and res_ninit.
 *
 * glibc's resolver talks to the servers with internal socket calls the
 * shim never sees (doc/HIJACK.md, "Name lookup"), so while inet sockets
 * are the kernel's these calls are glibc's own rules redone here
 * (resolv/res_query.c): the query is glibc's res_nmkquery (pure), with
 * an EDNS0 record for RES_USE_EDNS0, the exchange is hj_ressend.c over
 * the kernel, and the return values, h_errno (in the state and the
 * thread's) and errno are glibc's.  The state is glibc's too: res_init
 * and res_ninit are the host's, and where the program sees another
 * /etc/resolv.conf than the host's libc reads (a blanket= prefix,
 * --net ...,dns=), its servers, search list and options are put in the
 * state as glibc would have read them; what the program then changes in
 * _res (retrans, retry, RES_USEVC, servers ...) is used as it is.
 */
#include <arpa/nameser.h>
#include <ctype.h>
#include <fcntl.h>
#include <netdb.h>
#include <resolv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hj.h"
#include "hj_resolv.h"
#include "hj_resq.h"

HOST_CACHE(__res_init);
HOST_CACHE(__res_ninit);
HOST_CACHE(res_query);
HOST_CACHE(res_nquery);
HOST_CACHE(res_search);
HOST_CACHE(res_nsearch);
HOST_CACHE(res_querydomain);
HOST_CACHE(res_nquerydomain);
HOST_CACHE(res_send);
HOST_CACHE(res_nsend);

#define QBUF		600	/* a query of one name with its OPT record */
#define EDNS_SIZE	1200	/* glibc's RESOLV_EDNS_BUFFER_SIZE */

/* Whether this thread's _res has been given the program's resolv.conf
 * since its last res_init. */
static __thread bool res_fitted;

/* --- the program's resolv.conf in glibc's state ------------------------- */

/* A small file, NUL-ended, or NULL: as the program sees it (the shim's
 * own open and read) or, with program false, as the host's libc reads it
 * (raw system calls). */
static char *
read_small(const char *path, bool program)
{
	size_t len = 0, cap = 65536;
	char *buf = malloc(cap);
	ssize_t n;
	int fd;

	if (buf == NULL)
		return NULL;
	fd = program ? open(path, O_RDONLY | O_CLOEXEC) :
	    (int)syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		free(buf);
		return NULL;
	}
	while (len < cap - 1 && (n = program ? read(fd, buf + len,
	    cap - 1 - len) : syscall(SYS_read, fd, buf + len,
	    cap - 1 - len)) > 0)
		len += (size_t)n;
	if (program)
		close(fd);
	else
		syscall(SYS_close, fd);
	buf[len] = '\0';
	return buf;
}

/* The program reads the host's resolv.conf: glibc's state is right. */
static bool
conf_is_hosts(void)
{
	char *mine = read_small("/etc/resolv.conf", true);
	char *host = read_small("/etc/resolv.conf", false);
	bool same = (mine == NULL && host == NULL) || (mine != NULL &&
	    host != NULL && strcmp(mine, host) == 0);

	free(mine);
	free(host);
	return same;
}

static void
set_opt(struct __res_state *st, unsigned long bit, bool on)
{
	if (on)
		st->options |= bit;
	else
		st->options &= ~bit;
}

/* Puts the program's servers, search list and options in st, laid out
 * as glibc's res_init lays them (IPv6 servers in _u._ext.nsaddrs). */
static void
fit_state(struct __res_state *st)
{
	struct hj_rconf rc;
	size_t o = 0;
	int i, n = 0;

	if (conf_is_hosts())
		return;
	hj_res_conf(&rc);
	for (i = 0; i < MAXNS; i++) {
		free(st->_u._ext.nsaddrs[i]);
		st->_u._ext.nsaddrs[i] = NULL;
		memset(&st->nsaddr_list[i], 0, sizeof(st->nsaddr_list[i]));
	}
	st->_u._ext.nscount = 0;
	for (i = 0; i < rc.nns && n < MAXNS; i++) {
		if (rc.ns[i].sin6_family == AF_INET) {
			memcpy(&st->nsaddr_list[n++], &rc.ns[i],
			    sizeof(struct sockaddr_in));
			continue;
		}
		if ((st->_u._ext.nsaddrs[n] = malloc(sizeof(rc.ns[i]))) == NULL)
			continue;
		*st->_u._ext.nsaddrs[n++] = rc.ns[i];
	}
	st->nscount = n;
	memset(st->defdname, 0, sizeof(st->defdname));
	for (i = 0, n = 0; i < rc.nsearch && n < MAXDNSRCH; i++) {
		size_t l = strlen(rc.search[i]) + 1;

		if (o + l > sizeof(st->defdname))
			break;
		memcpy(st->defdname + o, rc.search[i], l);
		st->dnsrch[n++] = st->defdname + o;
		o += l;
	}
	st->dnsrch[n] = NULL;
	st->ndots = (unsigned)rc.ndots;
	st->retrans = rc.timeout;
	st->retry = rc.attempts;
	set_opt(st, RES_ROTATE, rc.rotate);
	set_opt(st, RES_USEVC, rc.usevc);
	set_opt(st, RES_USE_EDNS0, rc.edns0);
	set_opt(st, RES_TRUSTAD, rc.trustad);
	set_opt(st, RES_NOTLDQUERY, rc.notld);
	set_opt(st, RES_NOAAAA, rc.noaaaa);
}

/* _res, initialised as glibc's calls initialise it on first use. */
static struct __res_state *
default_state(void)
{
	struct __res_state *st = &_res;

	if (!(st->options & RES_INIT)) {
		HOST(__res_init)();
		res_fitted = false;
	}
	if (!res_fitted) {
		fit_state(st);
		res_fitted = true;
	}
	return st;
}

HJ_EXPORT int
__res_init(void)
{
	int rv = HOST(__res_init)();

	if (rv == 0 && hj_res_routed()) {
		fit_state(&_res);
		res_fitted = true;
	}
	return rv;
}

HJ_EXPORT int
__res_ninit(res_state st)
{
	int rv = HOST(__res_ninit)(st);

	if (rv == 0 && hj_res_routed())
		fit_state(st);
	return rv;
}

/* --- res_query and friends, glibc's rules ------------------------------- */

static void
set_herr(struct __res_state *st, int e)
{
	st->res_h_errno = e;
	h_errno = e;
}

/* glibc's __res_nopt: an OPT record advertising the answer's room. */
static int
add_opt(const struct __res_state *st, int n, unsigned char *q, int qlen,
    int anslen)
{
	unsigned char *p = q + n;
	unsigned size = anslen < 512 ? 512 : anslen > EDNS_SIZE ? EDNS_SIZE :
	    (unsigned)anslen;
	unsigned ar = ((unsigned)q[10] << 8 | q[11]) + 1;

	if (qlen - n < 11)
		return -1;
	*p++ = 0;			/* the root */
	*p++ = 0;
	*p++ = ns_t_opt;
	*p++ = (unsigned char)(size >> 8);
	*p++ = (unsigned char)size;
	*p++ = 0;			/* extended rcode, version */
	*p++ = 0;
	*p++ = (st->options & RES_USE_DNSSEC) ? 0x80 : 0;	/* DO */
	*p++ = 0;
	*p++ = 0;			/* no options */
	*p++ = 0;
	q[10] = (unsigned char)(ar >> 8);
	q[11] = (unsigned char)ar;
	return (int)(p - q);
}

static int
do_query(struct __res_state *st, const char *name, int class, int type,
    unsigned char *ans, int anslen)
{
	unsigned char q[QBUF];
	int n, rcode;
	unsigned ancount;

	ans[3] &= 0xf0;			/* NOERROR until an answer says */
	n = res_nmkquery(st, ns_o_query, name, class, type, NULL, 0, NULL, q,
	    sizeof(q));
	if (n > 0 && (st->options & (RES_USE_EDNS0 | RES_USE_DNSSEC)))
		n = add_opt(st, n, q, sizeof(q), anslen);
	if (n <= 0) {
		set_herr(st, NO_RECOVERY);
		return n;
	}
	if (!(type == ns_t_aaaa && hj_resq_noaaaa(st, q, n, ans, anslen,
	    &n)))
		n = hj_resq_send(st, q, n, ans, anslen);
	if (n < 0) {
		set_herr(st, TRY_AGAIN);
		return n;
	}
	rcode = ans[3] & 15;
	ancount = (unsigned)ans[6] << 8 | ans[7];
	if (rcode == ns_r_noerror && ancount > 0)
		return n;
	set_herr(st, rcode == ns_r_nxdomain ? HOST_NOT_FOUND :
	    rcode == ns_r_servfail ? TRY_AGAIN : rcode == ns_r_noerror ?
	    NO_DATA : NO_RECOVERY);
	return -1;
}

static int
do_querydomain(struct __res_state *st, const char *name, const char *domain,
    int class, int type, unsigned char *ans, int anslen)
{
	char nbuf[NS_MAXDNAME];
	size_t n = strlen(name), d;

	if (domain == NULL) {
		if (n == 0 || n - 1 >= NS_MAXDNAME - 1) {
			set_herr(st, NO_RECOVERY);
			return -1;
		}
		return do_query(st, name, class, type, ans, anslen);
	}
	d = strlen(domain);
	if (n + d + 1 >= NS_MAXDNAME) {
		set_herr(st, NO_RECOVERY);
		return -1;
	}
	memcpy(nbuf, name, n);
	nbuf[n] = '.';
	memcpy(nbuf + n + 1, domain, d + 1);
	return do_query(st, nbuf, class, type, ans, anslen);
}

/* HOSTALIASES: the name a one-label name stands for, or NULL. */
static const char *
host_alias(const struct __res_state *st, const char *name, char *dst,
    size_t len)
{
	const char *file = getenv("HOSTALIASES");
	char line[BUFSIZ], *a, *b, *e;
	const char *rv = NULL;
	FILE *f;

	if ((st->options & RES_NOALIASES) || file == NULL ||
	    (f = fopen(file, "re")) == NULL)
		return NULL;
	while (rv == NULL && fgets(line, sizeof(line), f) != NULL) {
		for (a = line; *a != '\0' && !isspace((unsigned char)*a); a++)
			;
		if (*a == '\0')
			break;
		*a = '\0';
		if (strcasecmp(line, name) != 0)
			continue;
		for (b = a + 1; isspace((unsigned char)*b); b++)
			;
		if (*b == '\0')
			break;
		for (e = b + 1; *e != '\0' && !isspace((unsigned char)*e); e++)
			;
		*e = '\0';
		snprintf(dst, len, "%s", b);
		rv = dst;
	}
	fclose(f);
	return rv;
}

/* res_search's walk (glibc's __res_context_search). */
static int
do_search(struct __res_state *st, const char *name, int class, int type,
    unsigned char *ans, int anslen)
{
	char tmp[NS_MAXDNAME];
	const char *cp, *alias;
	unsigned dots = 0;
	int trailing = 0, ret, saved = -1, nodata = 0, servfail = 0;
	int root = 0, asis = 0, searched = 0, i;

	errno = 0;
	set_herr(st, HOST_NOT_FOUND);
	for (cp = name; *cp != '\0'; cp++)
		dots += *cp == '.';
	if (cp > name && cp[-1] == '.')
		trailing = 1;
	if (dots == 0 && (alias = host_alias(st, name, tmp, sizeof(tmp))) !=
	    NULL)
		return do_query(st, alias, class, type, ans, anslen);
	if (dots >= st->ndots || trailing) {
		ret = do_querydomain(st, name, NULL, class, type, ans, anslen);
		if (ret > 0 || trailing)
			return ret;
		saved = h_errno;
		asis = 1;
	}
	if ((dots == 0 && (st->options & RES_DEFNAMES)) ||
	    (dots && !trailing && (st->options & RES_DNSRCH))) {
		bool done = false;

		for (i = 0; !done && i < MAXDNSRCH && st->dnsrch[i] != NULL;
		    i++) {
			const char *dn = st->dnsrch[i];

			searched = 1;
			if (dn[0] == '.')
				dn++;
			if (dn[0] == '\0')
				root++;
			ret = do_querydomain(st, name, dn, class, type, ans,
			    anslen);
			if (ret > 0)
				return ret;
			if (errno == ECONNREFUSED) {
				set_herr(st, TRY_AGAIN);
				return -1;
			}
			switch (st->res_h_errno) {
			case NO_DATA:
				nodata++;
				/* FALLTHROUGH */
			case HOST_NOT_FOUND:
				break;
			case TRY_AGAIN:
				if ((ans[3] & 15) == ns_r_servfail) {
					servfail++;
					break;
				}
				/* FALLTHROUGH */
			default:
				done = true;
			}
			if (!(st->options & RES_DNSRCH))
				done = true;
		}
	}
	if ((dots || !searched || !(st->options & RES_NOTLDQUERY)) &&
	    !(asis || root)) {
		ret = do_querydomain(st, name, NULL, class, type, ans, anslen);
		if (ret > 0)
			return ret;
	}
	if (saved != -1)
		set_herr(st, saved);
	else if (nodata)
		set_herr(st, NO_DATA);
	else if (servfail)
		set_herr(st, TRY_AGAIN);
	return -1;
}

static int
do_send(struct __res_state *st, const unsigned char *msg, int msglen,
    unsigned char *ans, int anssiz)
{
	int n = -1;	/* glibc returns an unset value there; -1 is saner */

	if (hj_resq_noaaaa(st, msg, msglen, ans, anssiz, &n))
		return n;
	return hj_resq_send(st, msg, msglen, ans, anssiz);
}

/* --- the exported names --------------------------------------------------- */

HJ_EXPORT int
res_nquery(res_state st, const char *name, int class, int type,
    unsigned char *ans, int anslen)
{
	if (!hj_res_routed())
		return HOST(res_nquery)(st, name, class, type, ans, anslen);
	return do_query(st, name, class, type, ans, anslen);
}

HJ_EXPORT int
res_query(const char *name, int class, int type, unsigned char *ans,
    int anslen)
{
	if (!hj_res_routed())
		return HOST(res_query)(name, class, type, ans, anslen);
	return do_query(default_state(), name, class, type, ans, anslen);
}

HJ_EXPORT int
res_nsearch(res_state st, const char *name, int class, int type,
    unsigned char *ans, int anslen)
{
	if (!hj_res_routed())
		return HOST(res_nsearch)(st, name, class, type, ans, anslen);
	return do_search(st, name, class, type, ans, anslen);
}

HJ_EXPORT int
res_search(const char *name, int class, int type, unsigned char *ans,
    int anslen)
{
	if (!hj_res_routed())
		return HOST(res_search)(name, class, type, ans, anslen);
	return do_search(default_state(), name, class, type, ans, anslen);
}

HJ_EXPORT int
res_nquerydomain(res_state st, const char *name, const char *domain,
    int class, int type, unsigned char *ans, int anslen)
{
	if (!hj_res_routed())
		return HOST(res_nquerydomain)(st, name, domain, class, type,
		    ans, anslen);
	return do_querydomain(st, name, domain, class, type, ans, anslen);
}

HJ_EXPORT int
res_querydomain(const char *name, const char *domain, int class, int type,
    unsigned char *ans, int anslen)
{
	if (!hj_res_routed())
		return HOST(res_querydomain)(name, domain, class, type, ans,
		    anslen);
	return do_querydomain(default_state(), name, domain, class, type, ans,
	    anslen);
}

HJ_EXPORT int
res_nsend(res_state st, const unsigned char *msg, int msglen,
    unsigned char *ans, int anssiz)
{
	if (!hj_res_routed())
		return HOST(res_nsend)(st, msg, msglen, ans, anssiz);
	return do_send(st, msg, msglen, ans, anssiz);
}

HJ_EXPORT int
res_send(const unsigned char *msg, int msglen, unsigned char *ans,
    int anssiz)
{
	if (!hj_res_routed())
		return HOST(res_send)(msg, msglen, ans, anssiz);
	return do_send(default_state(), msg, msglen, ans, anssiz);
}

/* The names binaries built before glibc 2.34 link (libresolv's then,
 * libc's compatibility symbols now): the same calls. */
HJ_EXPORT int __res_query(const char *, int, int, unsigned char *, int);
HJ_EXPORT int __res_search(const char *, int, int, unsigned char *, int);
HJ_EXPORT int __res_querydomain(const char *, const char *, int, int,
    unsigned char *, int);
HJ_EXPORT int __res_send(const unsigned char *, int, unsigned char *, int);
HJ_EXPORT int __res_nquery(res_state, const char *, int, int,
    unsigned char *, int);
HJ_EXPORT int __res_nsearch(res_state, const char *, int, int,
    unsigned char *, int);
HJ_EXPORT int __res_nquerydomain(res_state, const char *, const char *,
    int, int, unsigned char *, int);
HJ_EXPORT int __res_nsend(res_state, const unsigned char *, int,
    unsigned char *, int);

int
__res_query(const char *name, int class, int type, unsigned char *ans,
    int anslen)
{
	return res_query(name, class, type, ans, anslen);
}

int
__res_search(const char *name, int class, int type, unsigned char *ans,
    int anslen)
{
	return res_search(name, class, type, ans, anslen);
}

int
__res_querydomain(const char *name, const char *domain, int class, int type,
    unsigned char *ans, int anslen)
{
	return res_querydomain(name, domain, class, type, ans, anslen);
}

int
__res_send(const unsigned char *msg, int msglen, unsigned char *ans,
    int anssiz)
{
	return res_send(msg, msglen, ans, anssiz);
}

int
__res_nquery(res_state st, const char *name, int class, int type,
    unsigned char *ans, int anslen)
{
	return res_nquery(st, name, class, type, ans, anslen);
}

int
__res_nsearch(res_state st, const char *name, int class, int type,
    unsigned char *ans, int anslen)
{
	return res_nsearch(st, name, class, type, ans, anslen);
}

int
__res_nquerydomain(res_state st, const char *name, const char *domain,
    int class, int type, unsigned char *ans, int anslen)
{
	return res_nquerydomain(st, name, domain, class, type, ans, anslen);
}

int
__res_nsend(res_state st, const unsigned char *msg, int msglen,
    unsigned char *ans, int anssiz)
{
	return res_nsend(st, msg, msglen, ans, anssiz);
}
