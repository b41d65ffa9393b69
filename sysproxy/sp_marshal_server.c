/*
 * sp_marshal_server.c: the server half of one system call as one round
 * trip (doc/PROTOCOL.md; the frame's layout is described in sp_marshal.c):
 * sp_scall_decode checks a request's segments against the call's table
 * entry and points the kernel's arguments into the frame, sp_scall_reply
 * builds the reply with one segment per output buffer.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/fs.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <net/route.h>
#include <sys/socket.h>

#include "sp_marshal.h"

static const uint8_t zeros[8];

/* An @iov_out entry the client cannot write (SP_LEN_FAULT), until the
 * kernel's NULL takes its place. */
#define FAULTBASE	((void *)(uintptr_t)1)

int
sp_scall_decode(struct sp_scall *c, const uint8_t *body, size_t len)
{
	const struct sp_sysent *e;
	struct sp_callhdr ch;
	uint64_t sz[SP_MAXARGS] = { 0 };
	size_t off = 0;
	int szerr = 0;

	memset(c, 0, sizeof(*c));
	if (len < sizeof(ch))
		return EPROTO;
	memcpy(&ch, body, sizeof(ch));
	off = sizeof(ch);
	if (ch.nargs > SP_MAXARGS || len - off < 8 * (size_t)ch.nargs)
		return EPROTO;
	c->num = (int)ch.num;
	c->nargs = (int)ch.nargs;
	memcpy(c->args, body + off, 8 * (size_t)ch.nargs);
	off += 8 * (size_t)ch.nargs;
	e = ch.num < SP_NSYS ? &sp_systab[ch.num] : NULL;
	if (e == NULL || e->name == NULL) {
		/* Not a call of this kernel: nothing else may follow. */
		if (off != len)
			return EPROTO;
		c->error = ENOSYS;
		return 0;
	}
	if (c->nargs != e->nargs)
		return EPROTO;
	if (e->sizes != NULL)
		szerr = e->sizes(c->args, sz);

	for (int i = 0; i < c->nargs; i++) {
		uint64_t n;
		uint8_t *data;

		sp_arg_layout(e, c->args, i, sz, &c->kind[i], &c->size[i]);
		if (c->kind[i] == SPA_REJECT && c->error == 0)
			c->error = (int)c->size[i];
		if (c->kind[i] == SPA_NONE)
			c->args[i] = 0;
		if (!has_segment(c->kind[i]))
			continue;
		if (!get_u64(body, len, &off, &n))
			return EPROTO;
		if (n == SP_NULLSEG) {
			/* An @out the client cannot write: the kernel
			 * answers for NULL (EFAULT where it writes). */
			if (!e->args[i].opt && c->kind[i] != SPA_VALRES &&
			    c->kind[i] != SPA_OUT && c->error == 0)
				c->error = EFAULT;
			c->args[i] = 0;
			c->kind[i] = SPA_SCALAR;	/* nothing goes back */
			continue;
		}
		if (n > len - off)
			return EPROTO;
		data = (uint8_t *)(uintptr_t)(body + off);
		if (!skip(len, &off, n))
			return EPROTO;
		switch (c->kind[i]) {
		case SPA_PATH:
			if (n == 0 || n > SP_MAXPATH || data[n - 1] != '\0')
				return EPROTO;
			c->args[i] = (int64_t)(intptr_t)data;
			break;
		case SPA_IN: case SPA_INOUT:
			if (n != c->size[i] && c->error == 0)
				c->error = EINVAL;
			/* Aligned: the body is malloc'd, segments padded. */
			c->args[i] = (int64_t)(intptr_t)data;
			break;
		case SPA_VALRES:
			if (n != 0)
				return EPROTO;
			break;
		case SPA_MSG_SEND: case SPA_MSG_RECV:
		case SPA_MMSG_SEND: case SPA_MMSG_RECV:
			/* Framed by its length: refused, the call answers. */
			if (c->error == 0) {
				int error = sp_msg_decode(c, i,
				    e->args[i].ref, data, n);

				if (error != 0)
					c->error = error;
			}
			break;
		case SPA_IFCONF: case SPA_RTENTRY: {
			int error = sp_ioctlp_decode(c, i, data, n);

			if (error == EPROTO)
				return EPROTO;
			if (error != 0 && c->error == 0)
				c->error = error;
			break;
		}
		case SPA_OUT:
			if (n != 0)
				return EPROTO;
			if (c->size[i] > SP_MAXDATA) {
				if (c->error == 0)
					c->error = EINVAL;
				break;
			}
			break;
		case SPA_IOV_IN: case SPA_IOV_OUT: {
			uint64_t cnt = c->size[i], bytes = 0;

			if (cnt > SP_MAXIOV || n < 8 * cnt) {
				if (c->error == 0)
					c->error = EINVAL;
				break;
			}
			if (c->kiov[i] == NULL && cnt > 0 &&
			    (c->kiov[i] = calloc(cnt, sizeof(struct iovec)))
			    == NULL) {
				if (c->error == 0)
					c->error = ENOMEM;
				break;
			}
			for (uint64_t k = 0; k < cnt; k++) {
				uint64_t l;

				memcpy(&l, data + 8 * k, 8);
				/* Marked until the output buffers are set. */
				c->kiov[i][k].iov_base = NULL;
				if ((l & SP_LEN_FAULT) &&
				    c->kind[i] == SPA_IOV_OUT) {
					l &= ~SP_LEN_FAULT;
					c->kiov[i][k].iov_base = FAULTBASE;
				}
				if (l > SP_MAXDATA || bytes + l > SP_MAXDATA)
					return EPROTO;
				c->kiov[i][k].iov_len = l;
				bytes += l;
			}
			if (c->kind[i] == SPA_IOV_IN) {
				uint8_t *src = data + 8 * cnt;

				if (bytes != n - 8 * cnt)
					return EPROTO;
				for (uint64_t k = 0; k < cnt; k++) {
					c->kiov[i][k].iov_base = src;
					src += c->kiov[i][k].iov_len;
				}
			} else if (n != 8 * cnt) {
				return EPROTO;
			}
			c->args[i] = (int64_t)(intptr_t)c->kiov[i];
			break;
		}
		default:
			break;
		}
	}
	if (off != len)
		return EPROTO;
	/* @valres rooms, now that their lengths (later arguments) are in;
	 * only in a call that runs, whose INOUT segments have their size. */
	for (int i = 0; c->error == 0 && i < c->nargs; i++) {
		int ref = e->args[i].ref;
		socklen_t room = 0;

		if (c->kind[i] != SPA_VALRES)
			continue;
		if (ref >= 0 && c->kind[ref] == SPA_INOUT &&
		    c->size[ref] == sizeof(room) && c->args[ref] != 0) {
			memcpy(&room, (void *)(intptr_t)c->args[ref],
			    sizeof(room));
			/* As the kernel: a negative room is EINVAL. */
			if ((int)room < 0 && c->error == 0)
				c->error = EINVAL;
			if (room > SP_MAXVALRES) {
				room = SP_MAXVALRES;
				memcpy((void *)(intptr_t)c->args[ref], &room,
				    sizeof(room));
			}
		}
		c->size[i] = room;
	}
	if (c->error == 0 && szerr != 0)
		c->error = szerr;
	if (c->error == 0 && e->unsupp != 0)
		c->error = e->unsupp;
	if (c->error != 0)
		return 0;

	/*
	 * Output buffers.  Zeroed so that nothing of the server leaks, except
	 * where only the returned count goes back, which the kernel wrote
	 * (a 1 MiB read would pay for clearing what it overwrites).
	 */
	for (int i = 0; i < c->nargs; i++) {
		if (c->kind[i] == SPA_OUT || c->kind[i] == SPA_VALRES) {
			size_t n = c->size[i] ? c->size[i] : 1;

			c->buf[i] = sp_systab[c->num].args[i].outret ?
			    malloc(n) : calloc(1, n);
			if (c->buf[i] == NULL) {
				c->error = ENOMEM;
				return 0;
			}
			c->args[i] = (int64_t)(intptr_t)c->buf[i];
		} else if (c->kind[i] == SPA_IOV_OUT) {
			uint64_t bytes = 0;
			uint8_t *p;

			for (uint64_t k = 0; k < c->size[i]; k++)
				bytes += c->kiov[i][k].iov_len;
			if ((c->buf[i] = malloc(bytes ? bytes : 1)) == NULL) {
				c->error = ENOMEM;
				return 0;
			}
			p = c->buf[i];
			for (uint64_t k = 0; k < c->size[i]; k++) {
				struct iovec *v = &c->kiov[i][k];

				/* The client cannot write it: neither can
				 * the kernel (EFAULT there, as on Linux). */
				v->iov_base = v->iov_base == FAULTBASE ? NULL :
				    p;
				p += v->iov_len;
			}
		}
	}
	return 0;
}

int
sp_scall_reply(struct sp_scall *c, int64_t retval, int error,
    struct iovec **iovp, int *niovp, uint8_t **metap)
{
	struct sp_hdr *h;
	struct sp_replyhdr *rh;
	struct iovec *iov;
	uint8_t *meta;
	size_t mlen = sizeof(*h) + sizeof(*rh);
	uint64_t total;
	int n = 0;

	iov = calloc(1 + 3 * SP_MAXARGS, sizeof(*iov));
	meta = malloc(sizeof(*h) + sizeof(*rh) + 8 * SP_MAXARGS);
	if (iov == NULL || meta == NULL) {
		free(iov);
		free(meta);
		return ENOMEM;
	}
	h = (struct sp_hdr *)meta;
	rh = (struct sp_replyhdr *)(meta + sizeof(*h));
	memset(rh, 0, sizeof(*rh));
	rh->retval = error == 0 ? retval : 0;
	rh->error = error;
	iov[n].iov_base = meta;
	iov[n++].iov_len = mlen;
	for (int i = 0; error == 0 && i < c->nargs; i++) {
		uint64_t len;
		const void *src;

		if (!is_output(c->kind[i]))
			continue;
		len = c->size[i];
		if (is_msg(c->kind[i])) {
			if (sp_msg_reply(c, i, retval) != 0) {
				free(iov);
				free(meta);
				return ENOMEM;
			}
			len = c->rlen[i];
			src = c->rbuf[i];
		} else if (is_ptrarg(c->kind[i])) {
			if (sp_ioctlp_reply(c, i) != 0) {
				free(iov);
				free(meta);
				return ENOMEM;
			}
			len = c->rlen[i];
			src = c->rbuf[i];
		} else if (c->kind[i] == SPA_VALRES) {
			int ref = sp_systab[c->num].args[i].ref;
			socklen_t now = 0;

			/* The kernel set the full length; the room holds. */
			if (ref >= 0 && c->kind[ref] == SPA_INOUT &&
			    c->args[ref] != 0)
				memcpy(&now, (void *)(intptr_t)c->args[ref],
				    sizeof(now));
			len = now < len ? now : len;
			src = c->buf[i];
		} else if (c->kind[i] == SPA_IOV_OUT) {
			total = 0;
			for (uint64_t k = 0; k < c->size[i]; k++)
				total += c->kiov[i][k].iov_len;
			len = retval < 0 ? 0 : (uint64_t)retval;
			len = len > total ? total : len;
			src = c->buf[i];
		} else if (c->kind[i] == SPA_OUT) {
			uint64_t elem = sp_systab[c->num].args[i].outret;

			if (elem != 0)
				len = retval < 0 ? 0 : (uint64_t)retval >
				    len / elem ? len : (uint64_t)retval * elem;
			src = c->buf[i];
		} else {
			src = (const void *)(intptr_t)c->args[i];
		}
		memcpy(meta + mlen, &len, 8);
		iov[n].iov_base = meta + mlen;
		iov[n++].iov_len = 8;
		mlen += 8;
		if (len > 0) {
			iov[n].iov_base = (void *)(uintptr_t)src;
			iov[n++].iov_len = len;
		}
		if (PAD8(len) != len) {
			iov[n].iov_base = (void *)(uintptr_t)zeros;
			iov[n++].iov_len = (size_t)(PAD8(len) - len);
		}
	}
	total = 0;
	for (int k = 0; k < n; k++)
		total += iov[k].iov_len;
	h->len = (uint32_t)total;
	h->type = SP_REPLY;
	h->zero = 0;
	*iovp = iov;
	*niovp = n;
	*metap = meta;
	return 0;
}

void
sp_scall_free(struct sp_scall *c)
{
	for (int i = 0; i < SP_MAXARGS; i++) {
		free(c->buf[i]);
		free(c->kiov[i]);
		free(c->mplan[i]);
		free(c->rbuf[i]);
		c->buf[i] = NULL;
		c->kiov[i] = NULL;
		c->mplan[i] = NULL;
		c->rbuf[i] = NULL;
	}
}
