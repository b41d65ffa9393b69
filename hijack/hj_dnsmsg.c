/*
 * hj_dnsmsg.c: DNS messages (RFC 1035) for the shim's resolver: a query
 * of one question with RD set, and the reading of an answer into a
 * hj_hostres.  Every offset, length and compression pointer is checked:
 * a loop, an overrun or a label past 63 bytes makes the answer
 * unreadable (HJ_ANS_MALFORMED), never a crash.  No system calls, so
 * tests/unit/test_dnsmsg.c drives it directly with hostile messages.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "hj_resolv.h"

void
hj_res_add_addr(struct hj_hostres *r, const struct hj_addr *a)
{
	int i;

	for (i = 0; i < r->naddr; i++)
		if (r->addr[i].family == a->family &&
		    memcmp(&r->addr[i].a, &a->a, a->family == AF_INET ?
		    sizeof(a->a.v4) : sizeof(a->a.v6)) == 0)
			return;
	if (r->naddr < HJ_RES_MAXADDR)
		r->addr[r->naddr++] = *a;
}

void
hj_res_add_alias(struct hj_hostres *r, const char *name)
{
	int i;

	if (strcasecmp(name, r->canon) == 0)
		return;
	for (i = 0; i < r->nalias; i++)
		if (strcasecmp(r->alias[i], name) == 0)
			return;
	if (r->nalias < HJ_RES_MAXALIAS && strlen(name) < HJ_RES_NAMELEN)
		snprintf(r->alias[r->nalias++], HJ_RES_NAMELEN, "%s", name);
}

int
hj_dns_query(unsigned char *q, size_t qlen, uint16_t id, const char *name,
    int qtype)
{
	size_t o = 12, n;
	const char *p = name, *dot;

	if (qlen < 12 + HJ_RES_NAMELEN + 6)
		return -1;
	memset(q, 0, 12);
	q[0] = (unsigned char)(id >> 8);
	q[1] = (unsigned char)id;
	q[2] = 0x01;			/* RD */
	q[5] = 1;			/* one question */
	while (*p != '\0') {
		dot = strchr(p, '.');
		n = dot != NULL ? (size_t)(dot - p) : strlen(p);
		if (n == 0 || n > 63 || o + n + 1 > 12 + 254)
			return -1;
		q[o++] = (unsigned char)n;
		memcpy(q + o, p, n);
		o += n;
		p += n;
		if (*p == '.')
			p++;
	}
	q[o++] = 0;
	q[o++] = 0;
	q[o++] = (unsigned char)qtype;
	q[o++] = 0;
	q[o++] = 1;			/* IN */
	return (int)o;
}

/*
 * The name at offset *off of m (compression followed, loops and overruns
 * refused): its text in out, *off past it.  0 or -1.
 */
static int
dns_name(const unsigned char *m, size_t len, size_t *off, char *out,
    size_t outlen)
{
	size_t o = *off, w = 0, jumps = 0, end = 0;
	bool jumped = false;

	for (;;) {
		unsigned c;

		if (o >= len)
			return -1;
		c = m[o];
		if ((c & 0xc0) == 0xc0) {
			if (o + 1 >= len || ++jumps > 64)
				return -1;
			if (!jumped)
				end = o + 2;
			jumped = true;
			o = ((c & 0x3f) << 8) | m[o + 1];
			continue;
		}
		if (c & 0xc0)
			return -1;
		if (c == 0) {
			if (!jumped)
				end = o + 1;
			break;
		}
		if (o + 1 + c > len || w + c + 2 > outlen)
			return -1;
		if (w > 0)
			out[w++] = '.';
		memcpy(out + w, m + o + 1, c);
		w += c;
		o += 1 + c;
	}
	if (w == 0 && outlen > 1)
		out[w++] = '.';
	out[w] = '\0';
	*off = end;
	return 0;
}

unsigned
hj_dns_be16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}


/*
 * Takes the answer to "name qtype": A/AAAA records of the name or of its
 * CNAME chain go into r (r->canon the chain's end), a PTR's target into
 * r->canon.  HJ_ANS_BAD for a message that does not answer the question
 * (ignored: the real answer may still come), HJ_ANS_MALFORMED for one that
 * does but whose records cannot be read (final, as glibc takes it).
 */
int
hj_dns_parse(const unsigned char *m, size_t len, uint16_t id, const char *name,
    int qtype, struct hj_hostres *r)
{
	char qn[HJ_RES_NAMELEN], owner[HJ_RES_NAMELEN], cur[HJ_RES_NAMELEN];
	char target[HJ_RES_NAMELEN];
	size_t o = 12;
	unsigned an, i, type, rdlen;
	int rcode, got = 0;

	if (len < 12 || hj_dns_be16(m) != id || !(m[2] & 0x80) || hj_dns_be16(m + 4) != 1)
		return HJ_ANS_BAD;
	if (dns_name(m, len, &o, qn, sizeof(qn)) != 0 || o + 4 > len ||
	    strcasecmp(qn, name) != 0 || hj_dns_be16(m + o) != (unsigned)qtype ||
	    hj_dns_be16(m + o + 2) != 1)
		return HJ_ANS_BAD;
	o += 4;
	rcode = m[3] & 15;
	if (rcode == 3)
		return HJ_ANS_NXDOMAIN;
	if (rcode != 0)
		return HJ_ANS_SERVFAIL;
	snprintf(cur, sizeof(cur), "%s", name);
	an = hj_dns_be16(m + 6);
	for (i = 0; i < an; i++) {
		if (dns_name(m, len, &o, owner, sizeof(owner)) != 0 ||
		    o + 10 > len)
			return HJ_ANS_MALFORMED;
		type = hj_dns_be16(m + o);
		rdlen = hj_dns_be16(m + o + 8);
		o += 10;
		if (o + rdlen > len)
			return HJ_ANS_MALFORMED;
		if (hj_dns_be16(m + o - 8) != 1 || strcasecmp(owner, cur) != 0) {
			o += rdlen;
			continue;
		}
		if (type == HJ_T_CNAME || type == HJ_T_PTR) {
			size_t t = o;

			if (dns_name(m, len, &t, target, sizeof(target)) != 0)
				return HJ_ANS_MALFORMED;
			if (type == HJ_T_CNAME) {
				hj_res_add_alias(r, cur);
				snprintf(cur, sizeof(cur), "%s", target);
			} else if ((int)type == qtype && !got++)
				snprintf(r->canon, sizeof(r->canon), "%s",
				    target);
		} else if ((int)type == qtype && type == HJ_T_A && rdlen == 4) {
			struct hj_addr a = { .family = AF_INET };

			memcpy(&a.a.v4, m + o, 4);
			hj_res_add_addr(r, &a);
			got++;
		} else if ((int)type == qtype && type == HJ_T_AAAA &&
		    rdlen == 16) {
			struct hj_addr a = { .family = AF_INET6 };

			memcpy(&a.a.v6, m + o, 16);
			hj_res_add_addr(r, &a);
			got++;
		}
		o += rdlen;
	}
	if (got && qtype != HJ_T_PTR)
		snprintf(r->canon, sizeof(r->canon), "%s", cur);
	return got ? HJ_ANS_OK : HJ_ANS_NODATA;
}

