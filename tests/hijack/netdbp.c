/*
 * netdbp.c: name lookups printed one line each, run on the host and under
 * the hijack against the same zone (tests/hijack/dnsd.py), and the two
 * outputs compared: getaddrinfo with its families and flags,
 * getnameinfo, gethostbyname(2)(_r) and gethostbyaddr(_r), their errors
 * (no such name, no data, a failing server, a buffer too small) included.
 * Arguments: the names to look up, each as getaddrinfo, gethostbyname
 * and gethostbyname2 (AF_INET6) would be asked; -1NAME for getaddrinfo
 * alone, -rADDR for the reverse calls.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>

static void
print_ai(const char *what, const char *node, const char *serv, int fam,
    int flags)
{
	struct addrinfo h = { .ai_family = fam, .ai_flags = flags }, *res, *p;
	char a[INET6_ADDRSTRLEN];
	int rv;

	rv = getaddrinfo(node, serv, &h, &res);
	printf("gai %s %s:", what, node);
	if (rv != 0) {
		printf(" error %s\n", gai_strerror(rv));
		return;
	}
	if (res->ai_canonname != NULL)
		printf(" canon=%s", res->ai_canonname);
	for (p = res; p != NULL; p = p->ai_next) {
		const void *addr = p->ai_family == AF_INET ?
		    (const void *)&((struct sockaddr_in *)p->ai_addr)->sin_addr :
		    (const void *)&((struct sockaddr_in6 *)p->ai_addr)->sin6_addr;
		unsigned port = ntohs(p->ai_family == AF_INET ?
		    ((struct sockaddr_in *)p->ai_addr)->sin_port :
		    ((struct sockaddr_in6 *)p->ai_addr)->sin6_port);

		inet_ntop(p->ai_family, addr, a, sizeof(a));
		printf(" %s/%u/t%d/p%d", a, port, p->ai_socktype,
		    p->ai_protocol);
	}
	printf("\n");
	freeaddrinfo(res);
}

static void
print_he(const char *what, const char *name, struct hostent *he, int herr)
{
	char a[INET6_ADDRSTRLEN];
	char **p;

	printf("%s %s:", what, name);
	if (he == NULL) {
		printf(" h_errno %d\n", herr);
		return;
	}
	printf(" name=%s aliases=", he->h_name);
	for (p = he->h_aliases; *p != NULL; p++)
		printf("%s%s", p == he->h_aliases ? "" : ",", *p);
	printf(" af=%d len=%d", he->h_addrtype, he->h_length);
	for (p = he->h_addr_list; *p != NULL; p++)
		printf(" %s", inet_ntop(he->h_addrtype, *p, a, sizeof(a)));
	printf("\n");
}

static void
lookup(const char *name)
{
	struct hostent he, *res;
	char buf[4096];
	int herr, rv;

	print_ai("unspec", name, "80", AF_UNSPEC, AI_CANONNAME);
	print_ai("inet", name, "http", AF_INET, 0);
	print_ai("inet6", name, "80", AF_INET6, 0);
	print_ai("mapped", name, "80", AF_INET6, AI_V4MAPPED);
	print_ai("mapped-all", name, "80", AF_INET6, AI_V4MAPPED | AI_ALL);
	print_ai("addrconfig", name, NULL, AF_UNSPEC, AI_ADDRCONFIG);
	res = gethostbyname(name);
	print_he("ghbn", name, res, h_errno);
	res = gethostbyname2(name, AF_INET6);
	print_he("ghbn2-6", name, res, h_errno);
	res = NULL;
	rv = gethostbyname_r(name, &he, buf, sizeof(buf), &res, &herr);
	printf("ghbn_r %s: rv=%d ", name, rv);
	print_he("", name, res, herr);
	rv = gethostbyname_r(name, &he, buf, 8, &res, &herr);
	printf("ghbn_r-small %s: rv=%d result=%s\n", name, rv,
	    res == NULL ? "null" : "set");
}

static void
reverse(const char *addr)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	char host[256], serv[32], bin[16];
	struct hostent *he;
	socklen_t len;
	int fam = strchr(addr, ':') != NULL ? AF_INET6 : AF_INET, rv;

	memset(&ss, 0, sizeof(ss));
	if (fam == AF_INET) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(22);
		inet_pton(AF_INET, addr, &s4->sin_addr);
		memcpy(bin, &s4->sin_addr, 4);
		len = sizeof(*s4);
	} else {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(22);
		inet_pton(AF_INET6, addr, &s6->sin6_addr);
		memcpy(bin, &s6->sin6_addr, 16);
		len = sizeof(*s6);
	}
	rv = getnameinfo((struct sockaddr *)&ss, len, host, sizeof(host), serv,
	    sizeof(serv), 0);
	printf("gni %s: %s %s %s\n", addr, rv ? gai_strerror(rv) : "ok",
	    rv ? "" : host, rv ? "" : serv);
	rv = getnameinfo((struct sockaddr *)&ss, len, host, sizeof(host), NULL,
	    0, NI_NAMEREQD);
	printf("gni-namereqd %s: %s %s\n", addr, rv ? gai_strerror(rv) : "ok",
	    rv ? "" : host);
	rv = getnameinfo((struct sockaddr *)&ss, len, host, 3, NULL, 0,
	    NI_NAMEREQD);
	printf("gni-short %s: %s\n", addr, rv ? gai_strerror(rv) : "ok");
	he = gethostbyaddr(bin, fam == AF_INET ? 4 : 16, fam);
	print_he("ghba", addr, he, h_errno);
}

int
main(int argc, char **argv)
{
	int i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 1; i < argc; i++) {
		if (strncmp(argv[i], "-r", 2) == 0)
			reverse(argv[i] + 2);
		else if (strncmp(argv[i], "-1", 2) == 0) {
			print_ai("inet", argv[i] + 2, NULL, AF_INET, 0);
			print_ai("unspec", argv[i] + 2, NULL, AF_UNSPEC, 0);
		}
		else
			lookup(argv[i]);
	}
	print_ai("bad-flags", "x", NULL, AF_UNSPEC, 0x10000);
	print_ai("bad-family", "x", NULL, AF_UNIX, 0);
	print_ai("numeric", "127.1", "80", AF_UNSPEC, 0);
	print_ai("numerichost-name", "www.test", "80", AF_UNSPEC,
	    AI_NUMERICHOST);
	print_ai("bad-service", "localhost", "no-such-service", AF_INET, 0);
	return 0;
}
