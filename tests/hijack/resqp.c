/*
 * resqp.c: glibc's res_* resolver calls printed one line each, run on
 * the host and under the hijack against the same zone
 * (tests/hijack/dnsd.py) and the outputs compared: the return value,
 * h_errno (the thread's and the state's), errno on failure and the
 * answer's bytes (its id zeroed, as it is random).
 * Arguments, in order:
 *   q NAME TYPE         res_query          nq ...  res_nquery
 *   s NAME TYPE         res_search         ns ...  res_nsearch
 *   d NAME DOMAIN TYPE  res_querydomain    nd ...  res_nquerydomain
 *   m NAME TYPE         res_mkquery, then res_send  (nm: res_nsend)
 *   set:OPT             on _res and the res_ninit state: vc, novc,
 *                       edns, noedns, nosearch, buf=N (the answer's
 *                       room), port=N (the first server's), retry=N,
 *                       retrans=N, ndots=N
 * TYPE is a number or A, AAAA, PTR, CNAME, MX, TXT.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <errno.h>
#include <netdb.h>
#include <stdbool.h>
#include <resolv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct __res_state st;
static int bufsize = 4096;

static int
type_of(const char *s)
{
	static const struct { const char *n; int t; } t[] = {
		{ "A", ns_t_a }, { "AAAA", ns_t_aaaa }, { "PTR", ns_t_ptr },
		{ "CNAME", ns_t_cname }, { "MX", ns_t_mx }, { "TXT", ns_t_txt },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(s, t[i].n) == 0)
			return t[i].t;
	return atoi(s);
}

static void
set_both(const char *o)
{
	struct __res_state *s[2] = { &_res, &st };
	int i;

	for (i = 0; i < 2; i++) {
		if (strcmp(o, "vc") == 0)
			s[i]->options |= RES_USEVC;
		else if (strcmp(o, "novc") == 0)
			s[i]->options &= ~(unsigned long)RES_USEVC;
		else if (strcmp(o, "edns") == 0)
			s[i]->options |= RES_USE_EDNS0;
		else if (strcmp(o, "noedns") == 0)
			s[i]->options &= ~(unsigned long)RES_USE_EDNS0;
		else if (strcmp(o, "nosearch") == 0)
			s[i]->options &= ~(unsigned long)(RES_DNSRCH |
			    RES_DEFNAMES);
		else if (strncmp(o, "port=", 5) == 0)
			s[i]->nsaddr_list[0].sin_port = htons((uint16_t)
			    atoi(o + 5));
		else if (strncmp(o, "retry=", 6) == 0)
			s[i]->retry = atoi(o + 6);
		else if (strncmp(o, "retrans=", 8) == 0)
			s[i]->retrans = atoi(o + 8);
		else if (strncmp(o, "ndots=", 6) == 0)
			s[i]->ndots = (unsigned)atoi(o + 6) & 15;
	}
	if (strncmp(o, "buf=", 4) == 0)
		bufsize = atoi(o + 4);
}

static void
show(const char *what, int rv, int herr, int sherr, int err,
    const unsigned char *ans)
{
	int i, n = rv > 0 ? (rv < bufsize ? rv : bufsize) : 12;

	printf("%s: rv=%d h_errno=%d state=%d", what, rv, herr, sherr);
	if (rv < 0)
		printf(" errno=%s", err ? strerror(err) : "0");
	if (rv > 0 && rv > bufsize)
		printf(" (longer than the buffer)");
	printf(" ans=");
	for (i = 0; i < n && i < bufsize; i++)
		printf("%02x", i < 2 ? 0 : ans[i]);
	printf("\n");
}

int
main(int argc, char **argv)
{
	unsigned char *ans = malloc(65536), q[512];
	char what[600];
	int i, rv, err, n;

	if (ans == NULL || res_init() != 0 || res_ninit(&st) != 0) {
		fprintf(stderr, "resqp: res_init failed\n");
		return 1;
	}
	for (i = 1; i < argc; i++) {
		const char *c = argv[i];
		bool priv = c[0] == 'n' && c[1] != '\0';
		struct __res_state *sp = priv ? &st : &_res;
		char op = priv ? c[1] : c[0];

		if (strncmp(c, "set:", 4) == 0) {
			set_both(c + 4);
			continue;
		}
		memset(ans, 0, 65536);
		h_errno = -5;
		sp->res_h_errno = -5;
		errno = 0;
		if (op == 'd' && i + 3 < argc) {
			snprintf(what, sizeof(what), "%s %s %s %s", c,
			    argv[i + 1], argv[i + 2], argv[i + 3]);
			rv = priv ? res_nquerydomain(&st, argv[i + 1],
			    argv[i + 2], ns_c_in, type_of(argv[i + 3]), ans,
			    bufsize) : res_querydomain(argv[i + 1], argv[i + 2],
			    ns_c_in, type_of(argv[i + 3]), ans, bufsize);
			i += 3;
		} else if (i + 2 < argc && (op == 'q' || op == 's' ||
		    op == 'm')) {
			int t = type_of(argv[i + 2]);

			snprintf(what, sizeof(what), "%s %s %s", c,
			    argv[i + 1], argv[i + 2]);
			if (op == 'q')
				rv = priv ? res_nquery(&st, argv[i + 1],
				    ns_c_in, t, ans, bufsize) :
				    res_query(argv[i + 1], ns_c_in, t, ans,
				    bufsize);
			else if (op == 's')
				rv = priv ? res_nsearch(&st, argv[i + 1],
				    ns_c_in, t, ans, bufsize) :
				    res_search(argv[i + 1], ns_c_in, t, ans,
				    bufsize);
			else {
				n = res_nmkquery(sp, ns_o_query, argv[i + 1],
				    ns_c_in, t, NULL, 0, NULL, q, sizeof(q));
				rv = n < 0 ? -2 : priv ? res_nsend(&st, q, n,
				    ans, bufsize) : res_send(q, n, ans, bufsize);
			}
			i += 2;
		} else {
			fprintf(stderr, "resqp: bad argument %s\n", c);
			return 2;
		}
		err = errno;
		show(what, rv, h_errno, sp->res_h_errno, err, ans);
	}
	res_nclose(&st);
	return 0;
}
