/*
 * sp_msg.c: the struct msghdr and struct mmsghdr arguments of sendmsg,
 * recvmsg, sendmmsg and recvmmsg on the wire (doc/PROTOCOL.md, "socket
 * arguments").
 *
 * A message argument is one segment holding, per message, a record
 * (struct sp_msgrec) and the pieces the kernel reads: the name, the
 * control bytes and the iov lengths (and, to send, the data).  The server
 * rebuilds a msghdr whose every pointer and length is backed by a buffer
 * of its own, so the kernel never sees a length from the wire that no
 * buffer stands behind.  One budget covers the whole call: everything the
 * server allocates for it (msghdr, iovecs, name, control and data of every
 * message) is at most SP_MAXDATA; the client shrinks the data of the first
 * message, or the message count, to fit.
 *
 * What the kernel would refuse with its own errno is refused the same way
 * before a buffer is allocated (iovlen past SP_MAXIOV: EMSGSIZE; a name
 * length past sockaddr_storage or negative: EINVAL; control past
 * SP_MAXCONTROL: ENOBUFS).  As in the kernel, such a message after the
 * first of an *mmsg call ends the batch: the call handles the ones before.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "sp_proto.h"

#define PAD8(n)		(((n) + 7u) & ~(uint64_t)7)
/* Pointers a kernel refuses (copy.c: the null page). */
#define BADPTR(p)	((uintptr_t)(p) < 4096)

/* What one message has on the server's side, or expects on the client's. */
struct msgplan {
	uint32_t present;	/* SP_MSG_* */
	uint32_t namelen;	/* msg_namelen of the request */
	uint64_t iovlen;	/* msg_iovlen of the request */
	uint64_t controllen;	/* msg_controllen of the request */
	uint64_t niov;		/* iovecs that travel (0 without SP_MSG_IOV) */
	uint64_t name;		/* name bytes: sent, or room to receive */
	uint64_t control;	/* control bytes: sent, or room */
	uint64_t data;		/* data bytes: sent, or room */
	int error;		/* refused (then nothing else travels) */
	uint8_t *run;		/* server: where a receive's data lands */
};

static bool
is_mmsg(uint8_t kind)
{
	return kind == SPA_MMSG_SEND || kind == SPA_MMSG_RECV;
}

static bool
is_send(uint8_t kind)
{
	return kind == SPA_MSG_SEND || kind == SPA_MMSG_SEND;
}

/* What the server allocates for a message: the budget it takes. */
static uint64_t
msg_cost(const struct msgplan *p)
{
	/* Sent bytes stay in the frame, but they count all the same. */
	return sizeof(struct mmsghdr) + p->niov * sizeof(struct iovec) +
	    p->name + p->control + p->data;
}

/*
 * The errno the kernel answers for a message whatever its buffers hold,
 * which the server answers instead of allocating; 0 if none.  The order
 * is the kernel's (sys_socket_msg.c).
 */
static int
msg_refused(const struct msgplan *p, bool send)
{
	if (p->iovlen > SP_MAXIOV)
		return EMSGSIZE;
	if ((p->present & SP_MSG_NAME) && (int32_t)p->namelen < 0)
		return EINVAL;
	if (send && (p->present & SP_MSG_NAME) && p->namelen > SP_MAXNAME)
		return EINVAL;
	if (send && (p->present & SP_MSG_CONTROL) &&
	    p->controllen > SP_MAXCONTROL)
		return ENOBUFS;
	return 0;
}

/* The bytes of a message's request pieces (after its record). */
static uint64_t
msg_reqbytes(const struct msgplan *p, bool send)
{
	uint64_t n = 8 * p->niov;

	if (send)
		n += PAD8(p->name) + PAD8(p->control) + PAD8(p->data);
	return n;
}

/* --- the client half ------------------------------------------------------ */

/*
 * The caller's structures are read once, with sp_fcopy, into the plan
 * (the msghdr) and r->uiov[i] (every message's iovecs, one block): a bad
 * pointer anywhere in them is EFAULT, never a fault in the library.  The
 * buffers they point at are probed before the request leaves: a send's
 * for reading (EFAULT), a receive's data buffers for writing (one that
 * cannot be written travels marked SP_LEN_FAULT, the kernel gets NULL
 * there and answers EFAULT where it would write, with the data still
 * queued, as Linux leaves a stream's),
 * and every store into them is fault-safe too: a name or control buffer
 * that cannot take the reply is EFAULT after the call, as on Linux.
 */
struct cmsgplan {
	struct msgplan p;
	struct msghdr hdr;	/* the caller's, as read */
	uint64_t iovoff;	/* its iovecs in r->uiov[i] */
};

/* Plans message m (hdr, iovecs v already read): 0, or the errno. */
static int
plan_one(const struct msghdr *m, const struct iovec *v, bool send,
    uint64_t left, bool first, struct msgplan *p)
{
	uint64_t full = 0, fixed;

	/* A receive's name and control room are not probed: Linux writes
	 * them only if there is something to write, after the data. */
	if (p->present & SP_MSG_NAME) {
		p->name = p->namelen > SP_MAXNAME ? SP_MAXNAME : p->namelen;
		if (send && sp_fprobe(m->msg_name, p->name, 0) != 0)
			return EFAULT;
	}
	if (p->present & SP_MSG_CONTROL) {
		p->control = p->controllen > SP_MAXCONTROL ? SP_MAXCONTROL :
		    p->controllen;
		if (send && sp_fprobe(m->msg_control, p->control, 0) != 0)
			return EFAULT;
	}
	for (uint64_t k = 0; k < p->niov; k++) {
		if (v[k].iov_len > SSIZE_MAX - full)
			return EINVAL;
		full += v[k].iov_len;
	}
	fixed = msg_cost(p);
	if (fixed > left)
		return EMSGSIZE;
	/* Only the first message may become a short transfer. */
	if (full > left - fixed) {
		if (!first)
			return EMSGSIZE;
		full = left - fixed;
	}
	p->data = full;
	/* The bytes that travel must be readable (receive buffers are
	 * probed by put_lens). */
	for (uint64_t k = 0, n = full; send && k < p->niov && n > 0; k++) {
		uint64_t c = v[k].iov_len > n ? n : v[k].iov_len;

		if (sp_fprobe(v[k].iov_base, c, 0) != 0)
			return EFAULT;
		n -= c;
	}
	return 0;
}

/*
 * Reads message k's msghdr and iovecs into pl and the block *iovs (of
 * *niovs): 0, or the errno the call answers.  An iovlen the kernel
 * refuses is not read (pl->p.error).
 */
static int
read_one(const void *p, bool mm, uint64_t k, bool send, struct cmsgplan *pl,
    struct iovec **iovs, uint64_t *niovs)
{
	const void *src = mm ? (const void *)&((const struct mmsghdr *)p)[k]
	    .msg_hdr : p;
	struct msghdr *m = &pl->hdr;
	struct msgplan *q = &pl->p;
	struct iovec *v;

	memset(pl, 0, sizeof(*pl));
	if (sp_fcopy(m, src, sizeof(*m)) != 0)
		return EFAULT;
	q->namelen = (uint32_t)m->msg_namelen;
	q->iovlen = m->msg_iovlen;
	q->controllen = m->msg_controllen;
	q->present = (m->msg_name != NULL ? SP_MSG_NAME : 0) |
	    (m->msg_iov != NULL ? SP_MSG_IOV : 0) |
	    (m->msg_control != NULL ? SP_MSG_CONTROL : 0);
	if ((q->error = msg_refused(q, send)) != 0)
		return 0;	/* the server says it */
	if (!(q->present & SP_MSG_IOV) || q->iovlen == 0)
		return 0;
	q->niov = q->iovlen;
	v = realloc(*iovs, (*niovs + q->niov) * sizeof(*v));
	if (v == NULL)
		return ENOMEM;
	*iovs = v;
	pl->iovoff = *niovs;
	if (sp_fcopy(v + *niovs, m->msg_iov, q->niov * sizeof(*v)) != 0)
		return EFAULT;
	*niovs += q->niov;
	return 0;
}

/* Writes n bytes of the iovecs v (in order) to dst; EFAULT if a buffer
 * went away since it was probed. */
static int
gather(uint8_t *dst, const struct iovec *v, uint64_t niov, uint64_t n)
{
	for (uint64_t k = 0; k < niov && n > 0; k++) {
		uint64_t c = v[k].iov_len > n ? n : v[k].iov_len;

		if (c > 0 && sp_fcopy(dst, v[k].iov_base, c) != 0)
			return EFAULT;
		dst += c;
		n -= c;
	}
	return 0;
}

/* Writes the iovec lengths of v clamped in order to n bytes; to
 * receive, one whose buffer cannot be written is marked SP_LEN_FAULT
 * (the kernel gets NULL there). */
static void
put_lens(uint8_t *dst, const struct iovec *v, uint64_t niov, uint64_t n,
    bool send)
{
	for (uint64_t k = 0; k < niov; k++) {
		uint64_t c = v[k].iov_len > n ? n : v[k].iov_len;

		n -= c;
		if (!send && c > 0 && sp_fprobe(v[k].iov_base, c, 1) != 0)
			c |= SP_LEN_FAULT;
		memcpy(dst + 8 * k, &c, 8);
	}
}

/* The iovec at off of the copies (none yet for messages without one:
 * NULL plus an offset is undefined even when the offset is 0). */
static const struct iovec *
iov_at(const struct iovec *iovs, uint64_t off)
{
	return iovs != NULL ? iovs + off : NULL;
}

static int
encode_fail(struct cmsgplan *plan, uint8_t *seg, int error)
{
	free(plan);
	free(seg);
	return error;
}

int
sp_msg_encode(struct sp_creq *r, int i, int ref)
{
	uint8_t kind = r->kind[i];
	bool mm = is_mmsg(kind), send = is_send(kind);
	const void *p = (const void *)(intptr_t)r->args[i];
	uint64_t cnt = mm ? r->size[i] : 1, left = SP_MAXDATA, len = 0;
	uint64_t niovs = 0;
	struct cmsgplan *plan;
	struct iovec *iovs = NULL;
	uint8_t *seg, *q;

	if (cnt > SP_MAXMMSG)
		cnt = SP_MAXMMSG;	/* as the kernel clamps vlen */
	if (cnt > 0 && BADPTR(p))
		return EFAULT;
	if ((plan = calloc(cnt ? cnt : 1, sizeof(*plan))) == NULL)
		return ENOMEM;
	for (uint64_t k = 0; k < cnt; k++) {
		struct cmsgplan *pl = &plan[k];
		int error = read_one(p, mm, k, send, pl, &iovs, &niovs);

		r->uiov[i] = iovs;	/* freed with the request */
		if (error == 0 && pl->p.error == 0)
			error = plan_one(&pl->hdr, iov_at(iovs, pl->iovoff), send,
			    left, k == 0, &pl->p);
		if (error != 0 && (k == 0 || error == ENOMEM))
			return encode_fail(plan, NULL, error);
		if (error != 0) {
			cnt = k;	/* the batch ends before it */
			break;
		}
		len += sizeof(struct sp_msgrec);
		if (pl->p.error != 0) {
			cnt = k + 1;	/* the server refuses it */
			break;
		}
		len += msg_reqbytes(&pl->p, send);
		left -= msg_cost(&pl->p);
	}
	if ((seg = malloc(len ? len : 1)) == NULL)
		return encode_fail(plan, NULL, ENOMEM);
	q = seg;
	for (uint64_t k = 0; k < cnt; k++) {
		const struct msghdr *m = &plan[k].hdr;
		const struct msgplan *pl = &plan[k].p;
		const struct iovec *v = iov_at(iovs, plan[k].iovoff);
		struct sp_msgrec rec = {
			.namelen = pl->namelen, .present = pl->present,
			.iovlen = pl->iovlen, .controllen = pl->controllen,
		};

		memcpy(q, &rec, sizeof(rec));
		q += sizeof(rec);
		if (pl->error != 0)
			break;
		if (send) {
			memset(q, 0, PAD8(pl->name));
			if (pl->name > 0 &&
			    sp_fcopy(q, m->msg_name, pl->name) != 0)
				return encode_fail(plan, seg, EFAULT);
			q += PAD8(pl->name);
			memset(q, 0, PAD8(pl->control));
			if (pl->control > 0 &&
			    sp_fcopy(q, m->msg_control, pl->control) != 0)
				return encode_fail(plan, seg, EFAULT);
			q += PAD8(pl->control);
		}
		put_lens(q, v, pl->niov, pl->data, send);
		q += 8 * pl->niov;
		if (send) {
			memset(q, 0, PAD8(pl->data));
			if (gather(q, v, pl->niov, pl->data) != 0)
				return encode_fail(plan, seg, EFAULT);
			q += PAD8(pl->data);
		}
	}
	r->mseg[i] = seg;
	r->mseglen[i] = len;
	r->mplan[i] = plan;
	r->size[i] = cnt;
	if (mm && ref >= 0)
		r->args[ref] = (int64_t)cnt;
	return 0;
}

/* Writes n bytes from src into the iovecs v (in order); false if they
 * cannot hold them or one went away. */
static bool
scatter(const struct iovec *v, uint64_t niov, const uint8_t *src, uint64_t n,
    int *fault)
{
	for (uint64_t k = 0; k < niov && n > 0; k++) {
		uint64_t c = v[k].iov_len > n ? n : v[k].iov_len;

		if (c > 0 && sp_fcopy(v[k].iov_base, src, c) != 0) {
			*fault = 1;
			return false;
		}
		src += c;
		n -= c;
	}
	return n == 0;
}

/* Stores into the caller's structure field at dst; a fault sets *fault. */
static void
put(void *dst, const void *src, size_t n, int *fault)
{
	if (sp_fcopy(dst, src, n) != 0)
		*fault = 1;
}

bool
sp_msg_copyout(struct sp_creq *r, int i, int64_t retval, const uint8_t *seg,
    uint64_t n, int *fault)
{
	uint8_t kind = r->kind[i];
	bool mm = is_mmsg(kind);
	void *p = (void *)(intptr_t)r->args[i];
	const struct cmsgplan *plan = r->mplan[i];
	const struct iovec *iovs = r->uiov[i];
	uint64_t cnt = r->size[i], k, off = 0;

	*fault = 0;
	if (retval < 0 || (uint64_t)retval > (mm ? cnt : SSIZE_MAX))
		return false;
	if (kind == SPA_MMSG_SEND) {
		k = (uint64_t)retval;
		if (n != PAD8(4 * k))
			return false;
		for (uint64_t j = 0; j < k; j++)
			put(&((struct mmsghdr *)p)[j].msg_len, seg + 4 * j, 4,
			    fault);
		return true;
	}
	if (kind != SPA_MSG_RECV && kind != SPA_MMSG_RECV)
		return false;
	k = mm ? (uint64_t)retval : 1;
	for (uint64_t j = 0; j < k; j++) {
		struct msghdr *m = mm ? &((struct mmsghdr *)p)[j].msg_hdr : p;
		const struct msghdr *h = &plan[j].hdr;
		const struct msgplan *pl = &plan[j].p;
		struct sp_msgres res;
		uint64_t name, control;
		int flags;

		if (pl->error != 0 || n - off < sizeof(res))
			return false;
		memcpy(&res, seg + off, sizeof(res));
		off += sizeof(res);
		name = res.namelen > pl->name ? pl->name : res.namelen;
		control = res.controllen > pl->control ? pl->control :
		    res.controllen;
		if (res.datalen > pl->data || (!mm && (int64_t)res.len != retval) ||
		    res.zero != 0 || PAD8(name) + PAD8(control) +
		    PAD8(res.datalen) > n - off)
			return false;
		if (name > 0)
			put(h->msg_name, seg + off, name, fault);
		off += PAD8(name);
		if (control > 0)
			put(h->msg_control, seg + off, control, fault);
		off += PAD8(control);
		if (!scatter(iov_at(iovs, plan[j].iovoff), pl->niov, seg + off,
		    res.datalen, fault))
			return *fault != 0;
		off += PAD8(res.datalen);
		put(&m->msg_namelen, &(socklen_t){ res.namelen },
		    sizeof(socklen_t), fault);
		put(&m->msg_controllen, &(size_t){ res.controllen },
		    sizeof(size_t), fault);
		flags = (int)res.flags;
		put(&m->msg_flags, &flags, sizeof(flags), fault);
		if (mm)
			put(&((struct mmsghdr *)p)[j].msg_len, &res.len,
			    sizeof(res.len), fault);
	}
	return off == n;
}

/* --- the server half ------------------------------------------------------ */

/* Where a message's request pieces are in the segment. */
struct msgat {
	uint8_t *name, *control, *lens, *data;
};

int
sp_msg_decode(struct sp_scall *c, int i, int ref, uint8_t *seg, uint64_t n)
{
	uint8_t kind = c->kind[i];
	bool mm = is_mmsg(kind), send = is_send(kind);
	uint64_t cnt = mm ? c->size[i] : 1, off = 0, cost = 0, niov = 0;
	uint64_t recvbytes = 0;
	struct msgplan *plan;
	struct msgat *at;
	struct mmsghdr *mh;
	struct iovec *iov;
	uint8_t *area;
	int error = 0;

	/* A count no client sends is refused before it sizes anything. */
	if (cnt > SP_MAXMMSG)
		return EINVAL;
	plan = calloc(cnt ? cnt : 1, sizeof(*plan));
	at = calloc(cnt ? cnt : 1, sizeof(*at));
	if (plan == NULL || at == NULL) {
		free(plan);
		free(at);
		return ENOMEM;
	}
	for (uint64_t k = 0; k < cnt; k++) {
		struct msgplan *p = &plan[k];
		struct sp_msgrec rec;
		uint64_t need, sum = 0;

		if (n - off < sizeof(rec)) {
			error = EINVAL;
			goto out;
		}
		memcpy(&rec, seg + off, sizeof(rec));
		off += sizeof(rec);
		if (rec.zero != 0 || (rec.present & ~(uint32_t)(SP_MSG_NAME |
		    SP_MSG_IOV | SP_MSG_CONTROL)) != 0) {
			error = EINVAL;
			goto out;
		}
		p->present = rec.present;
		p->namelen = rec.namelen;
		p->iovlen = rec.iovlen;
		p->controllen = rec.controllen;
		if ((p->error = msg_refused(p, send)) != 0) {
			/* Nothing of it follows; the batch ends here. */
			if (k == 0 || off != n) {
				error = k == 0 && off == n ? p->error : EINVAL;
				goto out;
			}
			cnt = k;
			break;
		}
		if (p->present & SP_MSG_NAME)
			p->name = send ? p->namelen : p->namelen > SP_MAXNAME ?
			    SP_MAXNAME : p->namelen;
		if (p->present & SP_MSG_CONTROL)
			p->control = p->controllen > SP_MAXCONTROL ?
			    SP_MAXCONTROL : p->controllen;
		if (p->present & SP_MSG_IOV)
			p->niov = p->iovlen;	/* <= SP_MAXIOV: refused */
		/* The lengths come before the data: read them first. */
		need = 8 * p->niov + (send ? PAD8(p->name) +
		    PAD8(p->control) : 0);
		if (need > n - off) {
			error = EINVAL;
			goto out;
		}
		if (send) {
			at[k].name = seg + off;
			at[k].control = seg + off + PAD8(p->name);
		}
		at[k].lens = seg + off + need - 8 * p->niov;
		for (uint64_t j = 0; j < p->niov; j++) {
			uint64_t l;

			memcpy(&l, at[k].lens + 8 * j, 8);
			if (!send)
				l &= ~SP_LEN_FAULT;
			if (l > SP_MAXDATA || sum + l > SP_MAXDATA) {
				error = EINVAL;
				goto out;
			}
			sum += l;
		}
		p->data = sum;
		if (msg_reqbytes(p, send) > n - off) {
			error = EINVAL;
			goto out;
		}
		at[k].data = seg + off + need;
		off += msg_reqbytes(p, send);
		cost += msg_cost(p);
		if (cost > SP_MAXDATA) {
			error = EINVAL;
			goto out;
		}
		niov += p->niov;
		if (!send)
			recvbytes += p->name + p->control + p->data;
	}
	if (off != n) {
		error = EINVAL;
		goto out;
	}

	/* One zeroed area: the headers, the iovecs, the receive buffers. */
	area = calloc(1, (cnt ? cnt : 1) * sizeof(*mh) +
	    niov * sizeof(*iov) + recvbytes);
	if (area == NULL) {
		error = ENOMEM;
		goto out;
	}
	mh = (struct mmsghdr *)area;
	iov = (struct iovec *)(area + (cnt ? cnt : 1) * sizeof(*mh));
	{
		uint8_t *rb = (uint8_t *)(iov + niov);

		for (uint64_t k = 0; k < cnt; k++) {
			struct msghdr *m = &mh[k].msg_hdr;
			const struct msgplan *p = &plan[k];
			uint8_t *src = at[k].data;

			m->msg_namelen = p->namelen;
			m->msg_iovlen = p->iovlen;
			m->msg_controllen = p->controllen;
			if (p->present & SP_MSG_NAME) {
				m->msg_name = send ? at[k].name : rb;
				if (!send) {
					m->msg_namelen = (socklen_t)p->name;
					rb += p->name;
				}
			}
			if (p->present & SP_MSG_CONTROL) {
				m->msg_control = send ? at[k].control : rb;
				if (!send) {
					m->msg_controllen = p->control;
					rb += p->control;
				}
			}
			if (p->present & SP_MSG_IOV)
				m->msg_iov = iov;
			plan[k].run = rb;
			for (uint64_t j = 0; j < p->niov; j++) {
				uint64_t l;

				memcpy(&l, at[k].lens + 8 * j, 8);
				iov->iov_len = l & ~SP_LEN_FAULT;
				iov->iov_base = send ? src : rb;
				/* Unwritable at the client: NULL here. */
				if (!send && (l & SP_LEN_FAULT))
					iov->iov_base = NULL;
				if (send)
					src += iov->iov_len;
				else
					rb += iov->iov_len;
				iov++;
			}
		}
	}
	c->buf[i] = area;
	c->args[i] = (int64_t)(intptr_t)area;
	c->size[i] = cnt;
	if (mm && ref >= 0)
		c->args[ref] = (int64_t)cnt;
	c->mplan[i] = plan;
	plan = NULL;
out:
	free(plan);
	free(at);
	return error;
}

int
sp_msg_reply(struct sp_scall *c, int i, int64_t retval)
{
	uint8_t kind = c->kind[i];
	bool mm = is_mmsg(kind);
	struct mmsghdr *mh = c->buf[i];
	const struct msgplan *plan = c->mplan[i];
	uint64_t cnt = c->size[i], k, len = 0;
	uint8_t *q;

	if (mh == NULL || plan == NULL)
		return EINVAL;
	k = retval < 0 ? 0 : (uint64_t)retval;
	if (mm && k > cnt)
		k = cnt;
	if (kind == SPA_MMSG_SEND) {
		if ((c->rbuf[i] = calloc(1, PAD8(4 * k) + 1)) == NULL)
			return ENOMEM;
		for (uint64_t j = 0; j < k; j++)
			memcpy(c->rbuf[i] + 4 * j, &mh[j].msg_len, 4);
		c->rlen[i] = PAD8(4 * k);
		return 0;
	}
	if (!mm)
		k = 1;
	/* Sizes first, then one buffer. */
	for (int pass = 0; pass < 2; pass++) {
		uint8_t *rb;

		q = c->rbuf[i];
		for (uint64_t j = 0; j < k; j++) {
			const struct msghdr *m = &mh[j].msg_hdr;
			const struct msgplan *p = &plan[j];
			uint64_t got = mm ? mh[j].msg_len : (uint64_t)retval;
			struct sp_msgres res = {
				.namelen = m->msg_namelen,
				.flags = (uint32_t)m->msg_flags,
				.len = (uint32_t)got,
				.controllen = m->msg_controllen,
				.datalen = got > p->data ? p->data : got,
			};
			uint64_t name = (p->present & SP_MSG_NAME) ?
			    (res.namelen > p->name ? p->name : res.namelen) : 0;
			uint64_t control = (p->present & SP_MSG_CONTROL) ?
			    (res.controllen > p->control ? p->control :
			    res.controllen) : 0;
			uint64_t piece = sizeof(res) + PAD8(name) +
			    PAD8(control) + PAD8(res.datalen);

			if (pass == 0) {
				len += piece;
				continue;
			}
			memcpy(q, &res, sizeof(res));
			q += sizeof(res);
			if (name > 0)
				memcpy(q, m->msg_name, name);
			q += PAD8(name);
			if (control > 0)
				memcpy(q, m->msg_control, control);
			q += PAD8(control);
			/* The data buffers of a message are one run. */
			rb = p->run;
			if (res.datalen > 0)
				memcpy(q, rb, res.datalen);
			q += PAD8(res.datalen);
		}
		if (pass == 0 &&
		    (c->rbuf[i] = calloc(1, len ? len : 1)) == NULL)
			return ENOMEM;
	}
	c->rlen[i] = len;
	return 0;
}
