/*
 * sp_url.c: the server addresses of RUMP_SERVER and rump_server:
 * unix:///absolute/path (or unix://relative/path), unix://@name (the
 * abstract namespace: no file to remove), tcp://1.2.3.4:port,
 * tcp://[::1]:port.  Names are not resolved: no DNS inside a kernel
 * address, so a URL means the same thing everywhere.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "sp_url.h"

static int
parse_port(const char *s, uint16_t *port)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v == 0 || v > 65535)
		return EINVAL;
	*port = (uint16_t)v;
	return 0;
}

int
sp_url_parse(const char *url, struct sp_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (url == NULL)
		return EINVAL;
	if (strncmp(url, "unix://", 7) == 0) {
		struct sockaddr_un *sun = (struct sockaddr_un *)&a->ss;
		const char *path = url + 7;
		size_t n = strlen(path);

		if (n == 0 || n >= sizeof(sun->sun_path))
			return n == 0 ? EINVAL : ENAMETOOLONG;
		sun->sun_family = AF_UNIX;
		a->isunix = 1;
		if (path[0] == '@') {
			/* No file: the name goes away with its listener. */
			if (n == 1)
				return EINVAL;
			sun->sun_path[0] = '\0';
			memcpy(sun->sun_path + 1, path + 1, n - 1);
			a->len = (socklen_t)(offsetof(struct sockaddr_un,
			    sun_path) + n);
			a->abstract = 1;
			return 0;
		}
		memcpy(sun->sun_path, path, n + 1);
		a->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
		    n + 1);
		return 0;
	}
	if (strncmp(url, "tcp://", 6) == 0) {
		char host[64];
		const char *h = url + 6, *colon;
		size_t hl;
		uint16_t port;

		if (*h == '[') {
			const char *rb = strchr(h, ']');

			if (rb == NULL || rb[1] != ':')
				return EINVAL;
			hl = (size_t)(rb - h - 1);
			if (hl == 0 || hl >= sizeof(host))
				return EINVAL;
			memcpy(host, h + 1, hl);
			host[hl] = '\0';
			colon = rb + 1;
		} else {
			colon = strrchr(h, ':');
			if (colon == NULL)
				return EINVAL;
			hl = (size_t)(colon - h);
			if (hl == 0 || hl >= sizeof(host))
				return EINVAL;
			memcpy(host, h, hl);
			host[hl] = '\0';
		}
		if (parse_port(colon + 1, &port) != 0)
			return EINVAL;
		if (*h != '[') {
			struct sockaddr_in *sin = (struct sockaddr_in *)&a->ss;

			if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
				return EINVAL;
			sin->sin_family = AF_INET;
			sin->sin_port = htons(port);
			a->len = sizeof(*sin);
		} else {
			struct sockaddr_in6 *s6 =
			    (struct sockaddr_in6 *)&a->ss;

			if (inet_pton(AF_INET6, host, &s6->sin6_addr) != 1)
				return EINVAL;
			s6->sin6_family = AF_INET6;
			s6->sin6_port = htons(port);
			a->len = sizeof(*s6);
		}
		return 0;
	}
	return EINVAL;
}

const char *
sp_url_path(const struct sp_addr *a)
{
	return a->isunix && !a->abstract ?
	    ((const struct sockaddr_un *)&a->ss)->sun_path : NULL;
}
