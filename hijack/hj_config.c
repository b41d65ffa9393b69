/*
 * hj_config.c: the RUMPHIJACK string, a superset of NetBSD's syntax:
 * comma-separated name=value items.
 *
 *   path=/rump          paths under it go to the kernel, prefix stripped
 *   blanket=/a:/b       paths under these go to the kernel as they are
 *   socket=all:nolocal  address families routed (all, none, inet, inet6,
 *                       unix, netlink, packet; "no" before one removes
 *                       it; nolocal keeps AF_UNIX on the host; "all" is
 *                       every family, netlink included: ip talks to
 *                       the kernel's rtnetlink)
 *   vfs=yes|no          route file system calls at all (default yes)
 *   sysctl=yes|no       /proc/sys goes to the kernel (default no)
 *   modctl=yes|no, fdoff=N   accepted for NetBSD strings; no effect here
 *
 * Anything else is an error naming the bad part: never a silent default.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "hj.h"

#define DEFAULT_CONFIG	"path=/rump,socket=all:nolocal"

struct hj_config hj_cfg;

/* "all": every family, netlink too (the kernel answers ip itself). */
#define HJ_SOCKFAM_ALL	(~0ull)

static const struct {
	const char *name;
	int af;
} families[] = {
	{ "inet", AF_INET }, { "inet6", AF_INET6 }, { "unix", AF_UNIX },
	{ "local", AF_UNIX }, { "netlink", AF_NETLINK },
	{ "packet", AF_PACKET },
};

static int
bad(char *err, size_t errlen, const char *fmt, const char *part, size_t n)
{
	char what[128];

	snprintf(what, sizeof(what), "%.*s", (int)(n < 100 ? n : 100), part);
	snprintf(err, errlen, fmt, what);
	return -1;
}

/* One prefix: absolute, normalized to no trailing slash. */
static int
add_prefix(struct hj_config *c, const char *p, size_t n, bool strip,
    char *err, size_t errlen)
{
	struct hj_prefix *x;

	if (n == 0 || p[0] != '/')
		return bad(err, errlen, "prefix \"%s\" is not an absolute path",
		    p, n);
	while (n > 1 && p[n - 1] == '/')
		n--;
	if (n >= PATH_MAX)
		return bad(err, errlen, "prefix \"%s...\" is too long", p, 40);
	if (strip && n == 1)
		return bad(err, errlen, "path=%s would route every path; use "
		    "blanket=/ for that", p, n);
	if (c->nprefix == HJ_MAXPREFIX)
		return bad(err, errlen, "too many prefixes at \"%s\"", p, n);
	x = &c->prefix[c->nprefix++];
	memcpy(x->path, p, n);
	x->path[n] = '\0';
	x->len = n;
	x->strip = strip;
	return 0;
}

static int
parse_yesno(const char *v, size_t n, bool *out)
{
	if (n == 3 && strncmp(v, "yes", 3) == 0)
		*out = true;
	else if (n == 2 && strncmp(v, "no", 2) == 0)
		*out = false;
	else
		return -1;
	return 0;
}

static int
parse_socket(struct hj_config *c, const char *v, size_t n, char *err,
    size_t errlen)
{
	const char *p = v, *end = v + n;

	if (n == 0)
		return bad(err, errlen, "socket= needs a value (all, none, "
		    "inet, ...)", v, n);
	while (p < end) {
		const char *q = memchr(p, ':', (size_t)(end - p));
		size_t len = (size_t)((q ? q : end) - p);
		bool neg = len > 2 && strncmp(p, "no", 2) == 0 &&
		    !(len == 7 && strncmp(p, "nolocal", 7) == 0) &&
		    !(len == 4 && strncmp(p, "none", 4) == 0);
		const char *name = neg ? p + 2 : p;
		size_t nl = neg ? len - 2 : len;
		size_t i;

		if (nl == 3 && strncmp(name, "all", 3) == 0) {
			c->sockfam = neg ? 0 : HJ_SOCKFAM_ALL;
			c->socklocal = !neg;
		} else if (nl == 4 && strncmp(name, "none", 4) == 0) {
			c->sockfam = 0;
			c->socklocal = false;
		} else if (nl == 7 && strncmp(name, "nolocal", 7) == 0) {
			c->socklocal = false;
		} else {
			for (i = 0; i < sizeof(families) / sizeof(families[0]);
			    i++)
				if (strlen(families[i].name) == nl &&
				    strncmp(families[i].name, name, nl) == 0)
					break;
			if (i == sizeof(families) / sizeof(families[0]))
				return bad(err, errlen, "unknown socket family "
				    "\"%s\"", p, len);
			if (families[i].af == AF_UNIX)
				c->socklocal = !neg;
			else if (neg)
				c->sockfam &= ~HJ_SOCKFAM(families[i].af);
			else
				c->sockfam |= HJ_SOCKFAM(families[i].af);
		}
		p += len + (q ? 1 : 0);
		if (q != NULL && p == end)
			return bad(err, errlen, "empty socket family after "
			    "\"%s\"", v, n);
	}
	return 0;
}

int
hj_config_parse(const char *s, struct hj_config *c, char *err,
    size_t errlen)
{
	const char *p, *end;
	bool seen_path = false, dummy;

	memset(c, 0, sizeof(*c));
	c->vfs = true;
	if (s == NULL)
		s = DEFAULT_CONFIG;
	p = s;
	end = s + strlen(s);
	while (p < end) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *ie = comma ? comma : end;
		const char *eq = memchr(p, '=', (size_t)(ie - p));
		size_t nl, vl;
		const char *v;

		if (ie == p)
			return bad(err, errlen, "empty item in \"%s\"", s,
			    strlen(s));
		if (eq == NULL)
			return bad(err, errlen, "\"%s\" is not name=value", p,
			    (size_t)(ie - p));
		nl = (size_t)(eq - p);
		v = eq + 1;
		vl = (size_t)(ie - v);
		if (nl == 4 && strncmp(p, "path", 4) == 0) {
			if (add_prefix(c, v, vl, true, err, errlen) != 0)
				return -1;
			seen_path = true;
		} else if (nl == 7 && strncmp(p, "blanket", 7) == 0) {
			const char *b = v, *be = v + vl;

			if (vl == 0)
				return bad(err, errlen, "blanket= needs a "
				    "path list", v, vl);
			while (b < be) {
				const char *colon = memchr(b, ':',
				    (size_t)(be - b));
				size_t bl = (size_t)((colon ? colon : be) - b);

				if (add_prefix(c, b, bl, false, err, errlen))
					return -1;
				b += bl + (colon ? 1 : 0);
			}
		} else if (nl == 6 && strncmp(p, "socket", 6) == 0) {
			if (parse_socket(c, v, vl, err, errlen) != 0)
				return -1;
		} else if (nl == 3 && strncmp(p, "vfs", 3) == 0) {
			if (parse_yesno(v, vl, &c->vfs) != 0)
				return bad(err, errlen, "vfs=%s: expected yes "
				    "or no", v, vl);
		} else if (nl == 6 && strncmp(p, "sysctl", 6) == 0) {
			if (parse_yesno(v, vl, &c->sysctl) != 0)
				return bad(err, errlen, "sysctl=%s: expected "
				    "yes or no", v, vl);
		} else if (nl == 6 && strncmp(p, "modctl", 6) == 0) {
			if (parse_yesno(v, vl, &dummy) != 0)
				return bad(err, errlen, "modctl=%s: expected "
				    "yes or no", v, vl);
		} else if (nl == 5 && strncmp(p, "fdoff", 5) == 0) {
			size_t i;

			for (i = 0; i < vl && v[i] >= '0' && v[i] <= '9'; i++)
				continue;
			if (vl == 0 || i != vl || vl > 7)
				return bad(err, errlen, "fdoff=%s: expected a "
				    "number", v, vl);
		} else {
			return bad(err, errlen, "unknown item \"%s\" (path, "
			    "blanket, socket, vfs, sysctl, modctl, fdoff)", p,
			    (size_t)(ie - p));
		}
		p = comma ? comma + 1 : end;
		if (comma != NULL && p == end)
			return bad(err, errlen, "trailing comma in \"%s\"", s,
			    strlen(s));
	}
	/* NetBSD's default prefix when only other items are given. */
	if (!seen_path && c->nprefix == 0 && strstr(s, "blanket=") == NULL)
		(void)add_prefix(c, "/rump", 5, true, err, errlen);
	/* Routed inet sockets bring the kernel's /proc/net and its
	 * interfaces' /sys/class/net (and the devices/virtual/net its links
	 * point into) with them, so ifconfig, netstat, ss and ip read the
	 * kernel's interfaces and sockets (doc/HIJACK.md). */
	if (c->sockfam & (HJ_SOCKFAM(AF_INET) | HJ_SOCKFAM(AF_INET6))) {
		static const char *const net[] = { "/proc/net",
		    "/sys/class/net", "/sys/devices/virtual/net" };

		for (size_t i = 0; i < sizeof(net) / sizeof(net[0]); i++)
			if (c->nprefix < HJ_MAXPREFIX)
				(void)add_prefix(c, net[i], strlen(net[i]),
				    false, err, errlen);
	}
	return 0;
}
