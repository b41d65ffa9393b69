/*
 * sp_ioctl.c: the ioctl arguments that hold a pointer of their own, on
 * the wire (doc/PROTOCOL.md, "ioctl arguments with pointers").
 *
 * SIOCGIFCONF's struct ifconf points at the caller's buffer; SIOCADDRT
 * and SIOCDELRT's struct rtentry at an interface name (rt_dev).  Such a
 * pointer means nothing in the server, so, as with message arguments, the
 * server rebuilds the struct with every pointer backed by a buffer of its
 * own and the kernel never follows a client address:
 *
 *   SPA_IFCONF  request: struct sp_ifconfreq (the caller's ifc_len and
 *               whether ifc_buf is NULL); reply: the ifc_len the kernel
 *               set (u64) and, with a buffer, that many bytes of ifreqs.
 *               The room is at most SP_MAXDATA (a shorter list, as a
 *               short buffer gives).
 *   SPA_RTENTRY request: the struct rtentry and, if rt_dev is not NULL,
 *               the name (at most IFNAMSIZ bytes with its NUL: longer is
 *               EINVAL, as no interface has such a name); nothing back.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <net/route.h>

#include "sp_proto.h"

#define PAD8(n)		(((n) + 7u) & ~(uint64_t)7)

struct sp_ifconfreq {
	int64_t len;		/* ifc_len as the caller set it */
	uint32_t hasbuf;	/* ifc_buf was not NULL */
	uint32_t zero;
};

struct sp_rtreq {
	struct rtentry rt;	/* rt_dev: 0 or 1 (a name follows) */
	char dev[IFNAMSIZ];
};

/* What the client remembers to copy the answer out. */
struct ifconfplan {
	struct ifconf *uifc;
	char *ubuf;
	uint64_t room;
};

/* --- the client half ------------------------------------------------------ */

int
sp_ioctlp_encode(struct sp_creq *r, int i)
{
	void *p = (void *)(intptr_t)r->args[i];

	if (r->kind[i] == SPA_IFCONF) {
		struct ifconf ifc;
		struct sp_ifconfreq *q;
		struct ifconfplan *pl;

		if (sp_fcopy(&ifc, p, sizeof(ifc)) != 0)
			return EFAULT;
		q = calloc(1, sizeof(*q));
		pl = calloc(1, sizeof(*pl));
		if (q == NULL || pl == NULL) {
			free(q);
			free(pl);
			return ENOMEM;
		}
		q->len = ifc.ifc_len;
		if (q->len > (int64_t)SP_MAXDATA)
			q->len = SP_MAXDATA;
		q->hasbuf = ifc.ifc_buf != NULL;
		pl->uifc = p;
		pl->ubuf = ifc.ifc_buf;
		pl->room = q->hasbuf && q->len > 0 ? (uint64_t)q->len : 0;
		/* An unwritable buffer is EFAULT before the call, as the
		 * kernel's copyout of the first entry would be. */
		if (pl->room > 0 && sp_fprobe(ifc.ifc_buf, pl->room, 1) != 0) {
			free(q);
			free(pl);
			return EFAULT;
		}
		r->mseg[i] = (uint8_t *)q;
		r->mseglen[i] = sizeof(*q);
		r->mplan[i] = pl;
		return 0;
	}
	if (r->kind[i] == SPA_RTENTRY) {
		struct sp_rtreq *q = calloc(1, sizeof(*q));
		size_t n;

		if (q == NULL)
			return ENOMEM;
		r->mseg[i] = (uint8_t *)q;
		r->mseglen[i] = sizeof(*q);
		if (sp_fcopy(&q->rt, p, sizeof(q->rt)) != 0)
			return EFAULT;
		if (q->rt.rt_dev != NULL) {
			if (sp_fstrnlen(q->rt.rt_dev, IFNAMSIZ, &n) != 0)
				return EFAULT;
			if (n >= IFNAMSIZ)
				return EINVAL;
			memcpy(q->dev, q->rt.rt_dev, n);
			q->rt.rt_dev = (char *)1;
		}
		return 0;
	}
	return EINVAL;
}

bool
sp_ioctlp_copyout(struct sp_creq *r, int i, const uint8_t *seg, uint64_t n)
{
	const struct ifconfplan *pl = r->mplan[i];
	int64_t len;
	uint64_t bytes;
	int ilen;

	if (r->kind[i] != SPA_IFCONF || pl == NULL || n < 8)
		return false;
	memcpy(&len, seg, 8);
	if (len < 0 || len > INT32_MAX)
		return false;
	bytes = pl->ubuf != NULL ? (uint64_t)len : 0;
	if (bytes > pl->room || n != 8 + PAD8(bytes))
		return false;
	/* Faults here are lost results, as a kernel's copyout that faults. */
	if (bytes > 0 && sp_fcopy(pl->ubuf, seg + 8, bytes) != 0)
		return true;
	ilen = (int)len;
	(void)sp_fcopy(&pl->uifc->ifc_len, &ilen, sizeof(ilen));
	return true;
}

/* --- the server half ------------------------------------------------------ */

int
sp_ioctlp_decode(struct sp_scall *c, int i, uint8_t *seg, uint64_t n)
{
	if (c->kind[i] == SPA_IFCONF) {
		struct sp_ifconfreq q;
		struct ifconf *ifc;
		uint64_t room;

		if (n != sizeof(q))
			return EPROTO;
		memcpy(&q, seg, sizeof(q));
		if (q.zero != 0 || q.hasbuf > 1 || q.len > (int64_t)SP_MAXDATA ||
		    q.len < INT32_MIN)
			return EPROTO;
		room = q.hasbuf && q.len > 0 ? (uint64_t)q.len : 0;
		if ((ifc = calloc(1, sizeof(*ifc) + room + 1)) == NULL)
			return ENOMEM;
		ifc->ifc_len = (int)q.len;
		ifc->ifc_buf = q.hasbuf ? (char *)(ifc + 1) : NULL;
		c->buf[i] = ifc;
		c->args[i] = (int64_t)(intptr_t)ifc;
		return 0;
	}
	if (c->kind[i] == SPA_RTENTRY) {
		struct sp_rtreq *q;

		if (n != sizeof(*q))
			return EPROTO;
		/* The frame is the server's own buffer: edit in place. */
		q = (struct sp_rtreq *)(void *)seg;
		if ((uintptr_t)q->rt.rt_dev > 1 ||
		    memchr(q->dev, '\0', sizeof(q->dev)) == NULL)
			return EPROTO;
		q->rt.rt_dev = q->rt.rt_dev != NULL ? q->dev : NULL;
		c->args[i] = (int64_t)(intptr_t)&q->rt;
		return 0;
	}
	return EPROTO;
}

int
sp_ioctlp_reply(struct sp_scall *c, int i)
{
	const struct ifconf *ifc = c->buf[i];
	int64_t len;
	uint64_t bytes;

	if (c->kind[i] != SPA_IFCONF || ifc == NULL)
		return EINVAL;
	len = ifc->ifc_len < 0 ? 0 : ifc->ifc_len;
	bytes = ifc->ifc_buf != NULL ? (uint64_t)len : 0;
	if ((c->rbuf[i] = calloc(1, 8 + PAD8(bytes))) == NULL)
		return ENOMEM;
	memcpy(c->rbuf[i], &len, 8);
	if (bytes > 0)
		memcpy(c->rbuf[i] + 8, ifc->ifc_buf, bytes);
	c->rlen[i] = 8 + PAD8(bytes);
	return 0;
}
