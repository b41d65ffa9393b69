/*
 * sp_hello.c: parsing the SP_HELLO handshake body (sp_proto.h), on its own
 * so that the fuzz target (tests/fuzz) reaches it without the server.
 */
#include <errno.h>
#include <string.h>

#include "sp_proto.h"

/* Parses a HELLO body: its fixed part, secret and name (NUL-ended). */
int
sp_hello_parse(uint8_t *body, size_t len, struct sp_hello *h,
    const uint8_t **secret, char *name, size_t namesz)
{
	size_t nl;

	if (len < sizeof(*h))
		return EPROTO;
	memcpy(h, body, sizeof(*h));
	if (h->magic != SP_MAGIC || h->zero != 0 ||
	    h->secretlen > SP_MAXSECRET ||
	    len != sizeof(*h) + h->secretlen + h->namelen)
		return EPROTO;
	*secret = body + sizeof(*h);
	nl = h->namelen < namesz - 1 ? h->namelen : namesz - 1;
	memcpy(name, body + sizeof(*h) + h->secretlen, nl);
	name[nl] = '\0';
	for (size_t i = 0; i < nl; i++)
		if (name[i] < 0x20 || name[i] == 0x7f)
			name[i] = '?';
	return 0;
}
