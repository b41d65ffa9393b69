/*
 * sp_marshal_client.c: the client half of one system call as one round
 * trip (doc/PROTOCOL.md; the frame's layout is described in sp_marshal.c):
 * sp_creq_build turns a call's arguments into the request's iovecs,
 * sp_creq_finish checks the reply's segments against what was asked and
 * copies them out to the caller's buffers.
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

/*
 * The room of a @valres buffer: the socklen_t its length argument points
 * to, clamped to SP_MAXVALRES (no address or option is longer, so the
 * kernel answers the same); 0 without a length, EFAULT if the length
 * cannot be read.
 */
static int
valres_room(const int64_t *args, int ref, uint64_t *room)
{
	const socklen_t *lenp = ref >= 0 ?
	    (const socklen_t *)(intptr_t)args[ref] : NULL;
	socklen_t len;

	*room = 0;
	if (lenp == NULL)
		return 0;
	if (sp_fcopy(&len, lenp, sizeof(len)) != 0)
		return EFAULT;
	*room = len > SP_MAXVALRES ? SP_MAXVALRES : len;
	return 0;
}

/* Appends an iovec; the array was sized by sp_creq_build. */
static void
push(struct sp_creq *r, const void *base, size_t len)
{
	if (len == 0)
		return;
	r->iov[r->niov].iov_base = (void *)(uintptr_t)base;
	r->iov[r->niov].iov_len = len;
	r->niov++;
}

static uint8_t *
meta_take(struct sp_creq *r, size_t n)
{
	uint8_t *p = r->meta + r->metalen;

	r->metalen += n;
	return p;
}

/* Ends a build that failed: what it allocated goes. */
static int
creq_fail(struct sp_creq *r, int error)
{
	sp_creq_free(r);
	return error;
}

int
sp_creq_build(struct sp_creq *r, int num, const int64_t *args, int nargs)
{
	const struct sp_sysent *e = num >= 0 && num < SP_NSYS ?
	    &sp_systab[num] : NULL;
	uint64_t sz[SP_MAXARGS] = { 0 }, total = 0, seglen[SP_MAXARGS];
	size_t nmeta, npieces;
	struct sp_hdr *h;
	struct sp_callhdr *ch;
	int error;

	memset(r, 0, sizeof(*r));
	if (nargs < 0 || nargs > SP_MAXARGS)
		return EINVAL;
	if (e != NULL && e->name != NULL && nargs != e->nargs)
		return EINVAL;
	r->num = num;
	r->nargs = nargs;
	if (nargs > 0)
		memcpy(r->args, args, sizeof(*args) * (size_t)nargs);
	if (e != NULL && e->name != NULL && e->sizes != NULL &&
	    (error = e->sizes(r->args, sz)) != 0)
		return error;

	/* Kinds and sizes, NULL pointers, clamping into short transfers. */
	nmeta = sizeof(*h) + sizeof(*ch) + 8 * (size_t)nargs;
	npieces = 2;
	for (int i = 0; i < nargs; i++) {
		const void *p = (const void *)(intptr_t)r->args[i];
		const struct sp_argdesc *d;

		r->kind[i] = SPA_SCALAR;
		seglen[i] = 0;
		if (e == NULL || e->name == NULL)
			continue;
		d = &e->args[i];
		sp_arg_layout(e, r->args, i, sz, &r->kind[i], &r->size[i]);
		if (!has_segment(r->kind[i]))
			continue;
		nmeta += 8;
		npieces += 3;
		/* A NULL @valres buffer goes as NULL: the kernel decides
		 * (EFAULT, or nothing to write with no room). */
		if (p == NULL && (d->opt || r->kind[i] == SPA_VALRES)) {
			r->isnull[i] = 1;
			continue;
		}
		if (p == NULL && (r->kind[i] == SPA_PATH || r->size[i] != 0) &&
		    !is_msg(r->kind[i]))
			return creq_fail(r, EFAULT);
		switch (r->kind[i]) {
		case SPA_VALRES:
			if (d->ref >= 0 && (uintptr_t)r->args[d->ref] != 0 &&
			    (uintptr_t)r->args[d->ref] < 4096)
				return creq_fail(r, EFAULT);
			if (valres_room(r->args, d->ref, &r->size[i]) != 0)
				return creq_fail(r, EFAULT);
			/* Unwritable: EFAULT before the call, not a result
			 * (an accepted descriptor) lost after it. */
			if (sp_fprobe((void *)(uintptr_t)p, r->size[i], 1) ||
			    (d->ref >= 0 && r->args[d->ref] != 0 &&
			    sp_fprobe((void *)(intptr_t)r->args[d->ref],
			    sizeof(socklen_t), 1)))
				return creq_fail(r, EFAULT);
			break;
		case SPA_MSG_SEND: case SPA_MSG_RECV:
		case SPA_MMSG_SEND: case SPA_MMSG_RECV:
			if ((error = sp_msg_encode(r, i, d->ref)) != 0)
				return creq_fail(r, error);
			seglen[i] = r->mseglen[i];
			total += r->mseglen[i];
			break;
		case SPA_IFCONF: case SPA_RTENTRY:
			if ((error = sp_ioctlp_encode(r, i)) != 0)
				return creq_fail(r, error);
			seglen[i] = r->mseglen[i];
			total += r->mseglen[i];
			break;
		case SPA_PATH: {
			size_t n;

			if (sp_fstrnlen(p, SP_MAXPATH, &n) != 0)
				return creq_fail(r, EFAULT);
			if (n >= SP_MAXPATH)
				return creq_fail(r, ENAMETOOLONG);
			seglen[i] = n + 1;
			total += n + 1;
			break;
		}
		case SPA_IN: case SPA_OUT: case SPA_INOUT:
			if (r->size[i] > SP_MAXDATA) {
				if (d->ref < 0 || r->kind[i] == SPA_INOUT)
					return creq_fail(r, EINVAL);
				r->size[i] = SP_MAXDATA;
				r->args[d->ref] = SP_MAXDATA;
			}
			if (r->kind[i] != SPA_OUT) {
				seglen[i] = r->size[i];
				total += r->size[i];
			}
			/* An unreadable buffer is EFAULT before the call:
			 * no frame leaves half sent. */
			if (r->kind[i] != SPA_OUT && sp_fprobe((void *)
			    (uintptr_t)p, r->size[i], r->kind[i] == SPA_INOUT))
				return creq_fail(r, EFAULT);
			/* An unwritable one travels as NULL: the kernel
			 * answers EFAULT where it would write, after its own
			 * checks and before it consumes anything (a file
			 * offset, a pipe's data), as Linux does. */
			if (r->kind[i] == SPA_OUT &&
			    sp_fprobe((void *)(uintptr_t)p, r->size[i], 1)) {
				r->isnull[i] = 1;
				seglen[i] = 0;
			}
			break;
		case SPA_IOV_IN: case SPA_IOV_OUT: {
			struct iovec *v;
			uint64_t cnt = r->size[i], bytes = 0;

			if (cnt > SP_MAXIOV)
				return creq_fail(r, EINVAL);
			/* Read once, safely: the array may be unmapped. */
			v = malloc(cnt * sizeof(*v) + 1);
			if (v == NULL)
				return creq_fail(r, ENOMEM);
			r->uiov[i] = v;
			if (sp_fcopy(v, p, cnt * sizeof(*v)) != 0)
				return creq_fail(r, EFAULT);
			for (uint64_t k = 0; k < cnt; k++) {
				if (v[k].iov_len > SSIZE_MAX ||
				    bytes + v[k].iov_len > SSIZE_MAX)
					return creq_fail(r, EINVAL);
				bytes += v[k].iov_len;
			}
			nmeta += 8 * cnt;
			npieces += cnt + 1;
			seglen[i] = 8 * cnt;
			/* More than one frame holds: a short transfer. */
			bytes = bytes > SP_MAXDATA ? SP_MAXDATA : bytes;
			r->iovbytes[i] = bytes;
			for (uint64_t k = 0, left = bytes;
			    r->kind[i] == SPA_IOV_IN && k < cnt && left > 0;
			    k++) {
				uint64_t c = v[k].iov_len > left ?
				    left : v[k].iov_len;

				if (sp_fprobe(v[k].iov_base, c, 0) != 0)
					return creq_fail(r, EFAULT);
				left -= c;
			}
			if (r->kind[i] == SPA_IOV_IN) {
				seglen[i] += bytes;
				total += bytes;
			}
			break;
		}
		default:
			break;
		}
		if (total > SP_MAXDATA + SP_MAXPATH * SP_MAXARGS)
			return creq_fail(r, EINVAL);
	}

	r->meta = malloc(nmeta);
	r->iov = calloc(npieces, sizeof(*r->iov));
	if (r->meta == NULL || r->iov == NULL) {
		sp_creq_free(r);
		return ENOMEM;
	}
	h = (struct sp_hdr *)meta_take(r, sizeof(*h));
	ch = (struct sp_callhdr *)meta_take(r, sizeof(*ch));
	ch->num = (uint32_t)num;
	ch->nargs = (uint32_t)nargs;
	memcpy(meta_take(r, 8 * (size_t)nargs), r->args, 8 * (size_t)nargs);
	push(r, r->meta, r->metalen);
	for (int i = 0; i < nargs; i++) {
		const void *p = (const void *)(intptr_t)r->args[i];
		uint8_t *lenp;

		if (e == NULL || e->name == NULL || !has_segment(r->kind[i]))
			continue;
		lenp = meta_take(r, 8);
		memcpy(lenp, r->isnull[i] ? &(uint64_t){ SP_NULLSEG } :
		    &seglen[i], 8);
		push(r, lenp, 8);
		if (r->isnull[i])
			continue;
		switch (r->kind[i]) {
		case SPA_PATH: case SPA_IN: case SPA_INOUT:
			push(r, p, seglen[i]);
			break;
		case SPA_MSG_SEND: case SPA_MSG_RECV:
		case SPA_MMSG_SEND: case SPA_MMSG_RECV:
		case SPA_IFCONF: case SPA_RTENTRY:
			push(r, r->mseg[i], seglen[i]);
			break;
		case SPA_IOV_IN: case SPA_IOV_OUT: {
			const struct iovec *v = r->uiov[i];
			uint64_t cnt = r->size[i], left = r->iovbytes[i];
			uint8_t *lens = meta_take(r, 8 * cnt);

			for (uint64_t k = 0; k < cnt; k++) {
				uint64_t n = v[k].iov_len > left ?
				    left : v[k].iov_len;

				left -= n;
				/* Unwritable: the kernel gets NULL there. */
				if (r->kind[i] == SPA_IOV_OUT && n > 0 &&
				    sp_fprobe(v[k].iov_base, n, 1) != 0)
					n |= SP_LEN_FAULT;
				memcpy(lens + 8 * k, &n, 8);
			}
			push(r, lens, 8 * cnt);
			if (r->kind[i] == SPA_IOV_IN) {
				left = r->iovbytes[i];
				for (uint64_t k = 0; k < cnt && left > 0; k++) {
					uint64_t n = v[k].iov_len > left ?
					    left : v[k].iov_len;

					push(r, v[k].iov_base, n);
					left -= n;
				}
			}
			break;
		}
		default:
			break;
		}
		push(r, zeros, (size_t)(PAD8(seglen[i]) - seglen[i]));
	}
	{
		uint64_t len = 0;

		for (int k = 0; k < r->niov; k++)
			len += r->iov[k].iov_len;
		if (len > SP_MAXFRAME) {
			sp_creq_free(r);
			return EINVAL;
		}
		h->len = (uint32_t)len;
		h->type = SP_SYSCALL;
		h->zero = 0;
	}
	return 0;
}

int
sp_creq_finish(struct sp_creq *r, const uint8_t *body, size_t len,
    int64_t *retval, int *proto)
{
	struct sp_replyhdr rh;
	size_t off = sizeof(rh);

	*proto = 0;
	if (len < sizeof(rh))
		goto bad;
	memcpy(&rh, body, sizeof(rh));
	if (rh.error != 0) {
		if (len != sizeof(rh) || rh.error < 0)
			goto bad;
		return rh.error;
	}
	for (int i = 0; i < r->nargs; i++) {
		void *p = (void *)(intptr_t)r->args[i];
		uint64_t n;

		if (!is_output(r->kind[i]) || r->isnull[i])
			continue;
		if (!get_u64(body, len, &off, &n) || n > len - off)
			goto bad;
		if (is_msg(r->kind[i])) {
			int fault;

			if (!sp_msg_copyout(r, i, rh.retval, body + off, n,
			    &fault))
				goto bad;
			if (fault)
				return EFAULT;
		} else if (is_ptrarg(r->kind[i])) {
			if (!sp_ioctlp_copyout(r, i, body + off, n))
				goto bad;
		} else if (r->kind[i] == SPA_IOV_OUT) {
			const struct iovec *v = r->uiov[i];
			uint64_t left = n;
			const uint8_t *src = body + off;

			for (uint64_t k = 0; k < r->size[i] && left > 0; k++) {
				uint64_t c = v[k].iov_len > left ?
				    left : v[k].iov_len;

				/* An empty iovec's base may be NULL. */
				if (c > 0 && sp_fcopy(v[k].iov_base, src, c))
					return EFAULT;
				src += c;
				left -= c;
			}
			if (left != 0)
				goto bad;
		} else {
			if (n > r->size[i])
				goto bad;
			/* Unmapped: the call was made, its result is
			 * lost, as when a kernel's copyout faults. */
			if (n > 0 && sp_fcopy(p, body + off, n) != 0)
				return EFAULT;
		}
		if (!skip(len, &off, n))
			goto bad;
	}
	if (off != len)
		goto bad;
	*retval = rh.retval;
	return 0;
bad:
	*proto = 1;
	return EPROTO;
}

void
sp_creq_free(struct sp_creq *r)
{
	free(r->meta);
	free(r->iov);
	r->meta = NULL;
	r->iov = NULL;
	for (int i = 0; i < SP_MAXARGS; i++) {
		free(r->uiov[i]);
		r->uiov[i] = NULL;
		free(r->mseg[i]);
		free(r->mplan[i]);
		r->mseg[i] = NULL;
		r->mplan[i] = NULL;
	}
}
