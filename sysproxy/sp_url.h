/*
 * sp_url.h: parsing the server URL (sp_url.c).
 */
#ifndef SP_URL_H
#define SP_URL_H

#include <sys/socket.h>

struct sp_addr {
	struct sockaddr_storage ss;
	socklen_t len;
	int isunix;
	int abstract;		/* unix://@name: Linux's abstract namespace */
};

/* 0, or EINVAL (malformed) / ENAMETOOLONG (socket path too long). */
int sp_url_parse(const char *url, struct sp_addr *a);
/* The socket path of a unix address in the file system, else NULL. */
const char *sp_url_path(const struct sp_addr *a);

#endif /* SP_URL_H */
