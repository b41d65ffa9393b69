/*
 * sp_marshal.c: one system call as one round trip (doc/PROTOCOL.md).
 *
 * The request carries the arguments and, for each buffer argument in
 * order, a segment: a u64 length and that many bytes, padded to 8 so that
 * the server can hand the kernel aligned pointers into the frame.  What a
 * buffer is and how big comes from sp_systab (syscalls.master), computed
 * on each side from the argument values; the segment lengths are checked
 * against it, never believed.  The reply carries the result and, on
 * success, one segment per output buffer.
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

#include "sp_proto.h"

#define PAD8(n)		(((n) + 7u) & ~(uint64_t)7)

static const uint8_t zeros[8];

/* --- ioctl and fcntl arguments ------------------------------------------ */

/* Requests whose number does not encode the argument (legacy ones). */
static const struct {
	unsigned long req;
	uint8_t kind;
	uint8_t size;
} ioctl_legacy[] = {
	{ FIONREAD, SPA_OUT, sizeof(int) },
	{ FIONBIO, SPA_IN, sizeof(int) },
	/* Sockets: SIOCINQ is FIONREAD, SIOCOUTQ is TIOCOUTQ. */
	{ SIOCOUTQ, SPA_OUT, sizeof(int) },
	{ SIOCOUTQNSD, SPA_OUT, sizeof(int) },
	{ SIOCATMARK, SPA_OUT, sizeof(int) },
	{ FIOASYNC, SPA_IN, sizeof(int) },
	{ FIOCLEX, SPA_NONE, 0 },
	{ FIONCLEX, SPA_NONE, 0 },
	{ BLKGETSIZE, SPA_OUT, sizeof(unsigned long) },
	{ BLKSSZGET, SPA_OUT, sizeof(int) },
	{ BLKROGET, SPA_OUT, sizeof(int) },
	/* netdevice(7): a struct ifreq in and out. */
	{ SIOCGIFNAME, SPA_INOUT, sizeof(struct ifreq) },
	{ SIOCGIFFLAGS, SPA_INOUT, sizeof(struct ifreq) },
	{ SIOCSIFFLAGS, SPA_INOUT, sizeof(struct ifreq) },
	{ SIOCGIFADDR, SPA_INOUT, sizeof(struct ifreq) },
	{ SIOCSIFADDR, SPA_INOUT, sizeof(struct ifreq) },
	{ SIOCGIFDSTADDR, SPA_INOUT, sizeof(struct ifreq) },
	{ SIOCSIFDSTADDR, SPA_INOUT, sizeof(struct ifreq) },
	{ SIOCGIFBRDADDR, SPA_INOUT, sizeof(struct ifreq) },
	{ SIOCSIFBRDADDR, SPA_INOUT, sizeof(struct ifreq) },
	{ SIOCGIFNETMASK, SPA_INOUT, sizeof(struct ifreq) },
	{ SIOCSIFNETMASK, SPA_INOUT, sizeof(struct ifreq) },
	{ SIOCGIFMETRIC, SPA_INOUT, sizeof(struct ifreq) },
	{ SIOCSIFMETRIC, SPA_INOUT, sizeof(struct ifreq) },
	{ SIOCGIFMTU, SPA_INOUT, sizeof(struct ifreq) },
	{ SIOCSIFMTU, SPA_INOUT, sizeof(struct ifreq) },
	{ SIOCSIFNAME, SPA_INOUT, sizeof(struct ifreq) },
	{ SIOCSIFHWADDR, SPA_INOUT, sizeof(struct ifreq) },
	{ SIOCGIFHWADDR, SPA_INOUT, sizeof(struct ifreq) },
	{ SIOCGIFINDEX, SPA_INOUT, sizeof(struct ifreq) },
	{ SIOCGIFTXQLEN, SPA_INOUT, sizeof(struct ifreq) },
	{ SIOCSIFTXQLEN, SPA_INOUT, sizeof(struct ifreq) },
	{ SIOCGIFMAP, SPA_INOUT, sizeof(struct ifreq) },
	{ SIOCSIFMAP, SPA_INOUT, sizeof(struct ifreq) },
	/* arp(7) */
	{ SIOCSARP, SPA_INOUT, sizeof(struct arpreq) },
	{ SIOCGARP, SPA_INOUT, sizeof(struct arpreq) },
	{ SIOCDARP, SPA_INOUT, sizeof(struct arpreq) },
	/* With pointers inside (sp_ioctl.c). */
	{ SIOCGIFCONF, SPA_IFCONF, sizeof(struct ifconf) },
	{ SIOCADDRT, SPA_RTENTRY, sizeof(struct rtentry) },
	{ SIOCDELRT, SPA_RTENTRY, sizeof(struct rtentry) },
};

int
sp_ioctl_arg(unsigned long req, uint8_t *kind, uint64_t *size)
{
	unsigned dir = _IOC_DIR(req);

	for (size_t i = 0; i < sizeof(ioctl_legacy) / sizeof(ioctl_legacy[0]);
	    i++) {
		if (ioctl_legacy[i].req == req) {
			*kind = ioctl_legacy[i].kind;
			*size = ioctl_legacy[i].size;
			return 0;
		}
	}
	/* Encoded requests say their direction and size; _IO ones do not
	 * say whether the argument is a pointer, so they are not served. */
	if ((req >> 32) == 0 && dir != _IOC_NONE && _IOC_SIZE(req) > 0) {
		*kind = dir == _IOC_READ ? SPA_OUT :
		    dir == _IOC_WRITE ? SPA_IN : SPA_INOUT;
		*size = _IOC_SIZE(req);
		return 0;
	}
	*kind = SPA_REJECT;
	*size = ENOTTY;
	return 0;
}

int
sp_fcntl_arg(int cmd, uint8_t *kind, uint64_t *size)
{
	switch (cmd) {
	case F_GETLK: case F_SETLK: case F_SETLKW:
	case F_OFD_GETLK: case F_OFD_SETLK: case F_OFD_SETLKW:
		*kind = SPA_INOUT;
		*size = sizeof(struct flock);
		return 0;
	case F_DUPFD: case F_DUPFD_CLOEXEC: case F_GETFD: case F_SETFD:
	case F_GETFL: case F_SETFL: case F_GETOWN: case F_SETOWN:
	case F_GETSIG: case F_SETSIG: case F_GETLEASE: case F_SETLEASE:
	case F_NOTIFY: case F_GETPIPE_SZ: case F_SETPIPE_SZ:
	case F_ADD_SEALS: case F_GET_SEALS:
		*kind = SPA_SCALAR;
		*size = 0;
		return 0;
	default:
		*kind = SPA_REJECT;
		*size = EINVAL;
		return 0;
	}
}

/* The kind and size of argument i of a call, ioctl/fcntl resolved. */
static int
arg_layout(const struct sp_sysent *e, const int64_t *args, int i,
    const uint64_t *sz, uint8_t *kind, uint64_t *size)
{
	const struct sp_argdesc *d = &e->args[i];

	*kind = d->kind;
	*size = sz[i];
	if (d->kind == SPA_IOCTL && d->ref >= 0)
		return sp_ioctl_arg((unsigned long)args[d->ref], kind, size);
	if (d->kind == SPA_FCNTL && d->ref >= 0)
		return sp_fcntl_arg((int)args[d->ref], kind, size);
	return 0;
}

static bool
is_output(uint8_t kind)
{
	return kind == SPA_OUT || kind == SPA_INOUT || kind == SPA_IOV_OUT ||
	    kind == SPA_VALRES || kind == SPA_MSG_RECV ||
	    kind == SPA_MMSG_SEND || kind == SPA_MMSG_RECV ||
	    kind == SPA_IFCONF;
}

/* An ioctl argument with a pointer inside (sp_ioctl.c). */
static bool
is_ptrarg(uint8_t kind)
{
	return kind == SPA_IFCONF || kind == SPA_RTENTRY;
}

static bool
is_msg(uint8_t kind)
{
	return kind == SPA_MSG_SEND || kind == SPA_MSG_RECV ||
	    kind == SPA_MMSG_SEND || kind == SPA_MMSG_RECV;
}

/*
 * The room of a @valres buffer: the socklen_t its length argument points
 * to, clamped to SP_MAXVALRES (no address or option is longer, so the
 * kernel answers the same); 0 without a length.  Client side.
 */
/* The room a value-result buffer says it has: 0, or EFAULT if its
 * length cannot be read. */
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

static bool
has_segment(uint8_t kind)
{
	return kind != SPA_SCALAR && kind != SPA_NONE && kind != SPA_REJECT &&
	    kind != SPA_IOCTL && kind != SPA_FCNTL;
}

/* --- the client half ------------------------------------------------------ */

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
		arg_layout(e, r->args, i, sz, &r->kind[i], &r->size[i]);
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

/* Reads a u64 at *off, advancing it; false if past len. */
static bool
get_u64(const uint8_t *body, size_t len, size_t *off, uint64_t *v)
{
	if (*off > len || len - *off < 8)
		return false;
	memcpy(v, body + *off, 8);
	*off += 8;
	return true;
}

/* Skips a segment's data and padding; false if past len. */
static bool
skip(size_t len, size_t *off, uint64_t n)
{
	uint64_t p = PAD8(n);

	if (n > len || p > len - *off)
		return false;
	*off += (size_t)p;
	return true;
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

/* --- the server half ------------------------------------------------------ */

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

		arg_layout(e, c->args, i, sz, &c->kind[i], &c->size[i]);
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
