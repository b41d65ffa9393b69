/*
 * nl_msg.c: building netlink answers and reading requests (contract in
 * netlink.h).  Building never fails midway for the caller: out of memory
 * marks the reply (nr_nomem) and the request is answered ENOBUFS.
 * Reading is strict: an attribute whose header or length overruns the
 * message, a length too short for its type, a string without its NUL,
 * or leftover bytes after the last attribute are EINVAL (a number
 * attribute too short: ERANGE, as Linux) with an extended-ack text,
 * never a read past the request.
 */
#include "netlink.h"

static bool
dg_reserve(struct nlreply *r, struct nldgram *d, size_t need)
{
	size_t ncap;
	uint8_t *nb;

	if (d->nd_len + need <= d->nd_cap)
		return true;
	ncap = d->nd_cap ? d->nd_cap : 512;
	while (ncap < d->nd_len + need)
		ncap *= 2;
	if ((nb = kmem_zalloc(ncap)) == NULL) {
		r->nr_nomem = true;
		return false;
	}
	if (d->nd_len > 0)
		memcpy(nb, d->nd_buf, d->nd_len);
	if (d->nd_buf != NULL)
		kmem_free(d->nd_buf, d->nd_cap);
	d->nd_buf = nb;
	d->nd_cap = ncap;
	return true;
}

static struct nldgram *
dg_new(struct nlreply *r)
{
	struct nldgram *d = kmem_zalloc(sizeof(*d));

	if (d == NULL) {
		r->nr_nomem = true;
		return NULL;
	}
	if (r->nr_last != NULL)
		r->nr_last->nd_next = d;
	else
		r->nr_first = d;
	r->nr_last = d;
	return d;
}

void
nl_reply_free(struct nlreply *r)
{
	struct nldgram *d, *n;

	for (d = r->nr_first; d != NULL; d = n) {
		n = d->nd_next;
		if (d->nd_buf != NULL)
			kmem_free(d->nd_buf, d->nd_cap);
		kmem_free(d, sizeof(*d));
	}
	r->nr_first = r->nr_last = NULL;
}

void *
nl_msg_begin(struct nlmsg_ctx *c, uint16_t type, uint16_t flags,
    size_t hdrlen, bool dump)
{
	struct nlreply *r = c->nc_reply;
	struct nldgram *d = r->nr_last;
	size_t need = NLMSG_HDRLEN + NLMSG_ALIGN(hdrlen);
	struct nlmsghdr *h;

	if (r->nr_nomem)
		return NULL;
	if (d == NULL || !dump || d->nd_len + need > NL_DUMPSIZE ||
	    !(((struct nlmsghdr *)d->nd_buf)->nlmsg_flags & NLM_F_MULTI))
		d = dg_new(r);
	if (d == NULL || !dg_reserve(r, d, need))
		return NULL;
	r->nr_start = d->nd_len;
	h = (struct nlmsghdr *)(d->nd_buf + d->nd_len);
	memset(h, 0, need);
	h->nlmsg_len = (uint32_t)need;
	h->nlmsg_type = type;
	h->nlmsg_flags = flags | (dump ? NLM_F_MULTI : 0);
	h->nlmsg_seq = c->nc_req->nlmsg_seq;
	h->nlmsg_pid = c->nc_pcb->np_portid;
	d->nd_len += need;
	return (uint8_t *)h + NLMSG_HDRLEN;
}

/* The message being built, or NULL. */
static struct nlmsghdr *
cur(struct nlmsg_ctx *c)
{
	struct nlreply *r = c->nc_reply;

	if (r->nr_nomem || r->nr_last == NULL)
		return NULL;
	return (struct nlmsghdr *)(r->nr_last->nd_buf + r->nr_start);
}

void
nl_put(struct nlmsg_ctx *c, uint16_t type, const void *data, size_t len)
{
	struct nlreply *r = c->nc_reply;
	struct nldgram *d = r->nr_last;
	size_t need = NLA_ALIGN(NLA_HDRLEN + len);
	struct nlattr *a;

	if (cur(c) == NULL || len > 0xffff - NLA_HDRLEN ||
	    !dg_reserve(r, d, need))
		return;
	a = (struct nlattr *)(d->nd_buf + d->nd_len);
	memset(a, 0, need);
	a->nla_len = (uint16_t)(NLA_HDRLEN + len);
	a->nla_type = type;
	if (len > 0)
		memcpy((uint8_t *)a + NLA_HDRLEN, data, len);
	d->nd_len += need;
}

void
nl_put_u8(struct nlmsg_ctx *c, uint16_t type, uint8_t v)
{
	nl_put(c, type, &v, 1);
}

void
nl_put_u32(struct nlmsg_ctx *c, uint16_t type, uint32_t v)
{
	nl_put(c, type, &v, 4);
}

void
nl_put_str(struct nlmsg_ctx *c, uint16_t type, const char *s)
{
	nl_put(c, type, s, strlen(s) + 1);
}

size_t
nl_nest_begin(struct nlmsg_ctx *c, uint16_t type)
{
	struct nldgram *d = c->nc_reply->nr_last;
	size_t at;

	if (cur(c) == NULL)
		return 0;
	at = d->nd_len;
	nl_put(c, type | NLA_F_NESTED, NULL, 0);
	return at;
}

void
nl_nest_end(struct nlmsg_ctx *c, size_t at)
{
	struct nldgram *d = c->nc_reply->nr_last;

	if (cur(c) == NULL || at == 0 || d->nd_len - at > 0xffff)
		return;
	((struct nlattr *)(d->nd_buf + at))->nla_len =
	    (uint16_t)(d->nd_len - at);
}

void
nl_msg_end(struct nlmsg_ctx *c)
{
	struct nlmsghdr *h = cur(c);

	if (h != NULL)
		h->nlmsg_len = (uint32_t)(c->nc_reply->nr_last->nd_len -
		    c->nc_reply->nr_start);
}

void
nl_done(struct nlmsg_ctx *c, int error)
{
	int32_t *p = nl_msg_begin(c, NLMSG_DONE, 0, sizeof(int32_t), true);

	if (p != NULL)
		*p = error;
	nl_msg_end(c);
}

void
nl_ack(struct nlmsg_ctx *c, int error)
{
	const struct nlmsghdr *req = c->nc_req;
	int fl = c->nc_pcb->np_flags;
	bool whole = error != 0 && !(fl & NLF_CAP_ACK);
	bool tlvs = (fl & NLF_EXT_ACK) && error != 0 && c->nc_extmsg != NULL;
	size_t plen = whole ? req->nlmsg_len : sizeof(*req);
	uint16_t flags = (whole ? 0 : NLM_F_CAPPED) |
	    (tlvs ? NLM_F_ACK_TLVS : 0);
	struct nlmsgerr *e;

	/* An ack of success carries only the header, flagged capped. */
	e = nl_msg_begin(c, NLMSG_ERROR, flags, sizeof(int) + plen, false);
	if (e == NULL)
		return;
	e->error = -error;
	memcpy(&e->msg, req, plen);
	if (tlvs) {
		nl_put_str(c, NLMSGERR_ATTR_MSG, c->nc_extmsg);
		if (c->nc_extoff != 0)
			nl_put_u32(c, NLMSGERR_ATTR_OFFS, c->nc_extoff);
	}
	nl_msg_end(c);
}

/* --- parsing --------------------------------------------------------------- */

uint32_t
nla_get_u32(const struct nlattr *a)
{
	uint32_t v;

	memcpy(&v, nla_data(a), sizeof(v));
	return v;
}

uint8_t
nla_get_u8(const struct nlattr *a)
{
	return *(const uint8_t *)nla_data(a);
}

static bool
policy_ok(const struct nlattr *a, const struct nl_policy *p)
{
	size_t n = nla_len(a);
	const char *s = nla_data(a);

	switch (p->type) {
	case NLA_U8:	return n >= 1;
	case NLA_U16:	return n >= 2;
	case NLA_U32:	return n >= 4;
	case NLA_U64:	return n >= 8;
	case NLA_STRING:
		return n == 0 || nl_strnlen(s, n) < n ||
		    (p->len == 0 || n <= p->len);
	case NLA_IFNAME:
		/* A name of at most IFNAMSIZ-1 bytes, NUL-terminated or
		 * not (Linux's nla_strscpy accepts both). */
		return n >= 1 && nl_strnlen(s, n) < IFNAMSIZ;
	case NLA_BINARY:
		return p->len == 0 || n <= p->len;
	case NLA_NESTED:
		return n == 0 || n >= (size_t)NLA_HDRLEN;
	case NLA_REJECT:
		return false;
	default:
		return true;
	}
}

int
nl_parse(struct nlmsg_ctx *c, const uint8_t *buf, size_t len,
    const struct nlattr **tb, int maxtype, const struct nl_policy *policy)
{
	size_t off = 0;

	for (int i = 0; i <= maxtype; i++)
		tb[i] = NULL;
	while (len - off >= (size_t)NLA_HDRLEN) {
		const struct nlattr *a = (const struct nlattr *)(buf + off);
		uint16_t t;

		if (a->nla_len < NLA_HDRLEN || a->nla_len > len - off) {
			c->nc_extoff = (uint32_t)(buf + off -
			    (const uint8_t *)c->nc_req);
			return nl_err(c, EINVAL, "attribute length overruns "
			    "the message");
		}
		t = a->nla_type & NLA_TYPE_MASK;
		if (t <= maxtype) {
			if (policy != NULL && !policy_ok(a, &policy[t])) {
				uint8_t pt = policy[t].type;

				c->nc_extoff = (uint32_t)(buf + off -
				    (const uint8_t *)c->nc_req);
				/* Linux: too short for a number is ERANGE. */
				return nl_err(c, pt >= NLA_U8 && pt <= NLA_U64 ?
				    ERANGE : EINVAL, "Attribute failed policy "
				    "validation");
			}
			tb[t] = a;
		}
		off += NLA_ALIGN(a->nla_len);
		if (off > len)
			off = len;
	}
	if (off != len)
		return nl_err(c, EINVAL, "bytes leftover after parsing "
		    "attributes");
	return 0;
}
