/*
 * sp_wire.c: frames on a stream socket, and the shared secret.  Used by
 * both ends of the sysproxy protocol (sp_proto.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sp_proto.h"

/*
 * EFAULT (a bad buffer of the caller) only when nothing was sent, so the
 * stream is still whole; after part of a frame, any error is EPROTO's
 * kind: the connection cannot go on.
 */
int
sp_sendv(int fd, struct iovec *iov, int n)
{
	struct msghdr mh;
	bool sent = false;
	ssize_t w;

	while (n > 0) {
		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = iov;
		mh.msg_iovlen = n > (int)SP_MAXIOV ? SP_MAXIOV : (size_t)n;
		w = sendmsg(fd, &mh, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EFAULT)
				return sent ? EPROTO : EFAULT;
			return errno == EAGAIN ? ETIMEDOUT : errno;
		}
		sent = sent || w > 0;
		while (n > 0 && (size_t)w >= iov->iov_len) {
			w -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return 0;
}

#define READAHEAD	(64u << 10)

int
sp_sendfd(int fd, uint16_t type, const void *body, size_t len, int passfd)
{
	struct sp_hdr h = { (uint32_t)(sizeof(h) + len), type, 0 };
	struct iovec iov[2] = {
		{ &h, sizeof(h) }, { (void *)(uintptr_t)body, len },
	};
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} cm;
	struct msghdr mh;
	struct cmsghdr *cmsg;
	ssize_t w;

	memset(&mh, 0, sizeof(mh));
	memset(&cm, 0, sizeof(cm));
	mh.msg_iov = iov;
	mh.msg_iovlen = len > 0 ? 2 : 1;
	mh.msg_control = cm.buf;
	mh.msg_controllen = sizeof(cm.buf);
	cmsg = CMSG_FIRSTHDR(&mh);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &passfd, sizeof(int));
	do
		w = sendmsg(fd, &mh, MSG_NOSIGNAL);
	while (w < 0 && errno == EINTR);
	if (w < 0)
		return errno;
	/* The descriptor went with the first byte; the rest is plain. */
	if ((size_t)w < h.len) {
		size_t done = (size_t)w;

		for (int i = 0; i < 2; i++) {
			size_t n = done < iov[i].iov_len ? done : iov[i].iov_len;

			iov[i].iov_base = (char *)iov[i].iov_base + n;
			iov[i].iov_len -= n;
			done -= n;
		}
		return sp_sendv(fd, iov, 2) == 0 ? 0 : EPROTO;
	}
	return 0;
}

/* Keeps a descriptor that came with data until sp_buf_takefd; any other
 * that came along is closed, so a peer cannot fill our table. */
static void
keep_fds(struct sp_buf *b, struct msghdr *mh)
{
	struct cmsghdr *cmsg;

	for (cmsg = CMSG_FIRSTHDR(mh); cmsg != NULL;
	    cmsg = CMSG_NXTHDR(mh, cmsg)) {
		size_t n;

		if (cmsg->cmsg_level != SOL_SOCKET ||
		    cmsg->cmsg_type != SCM_RIGHTS)
			continue;
		n = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(cmsg) + i * sizeof(int),
			    sizeof(int));
			if (b->passfd1 > 0)
				close(b->passfd1 - 1);
			b->passfd1 = fd + 1;
		}
	}
}

/* Receives into b->mem until at least want bytes are buffered. */
static int
fill(int fd, struct sp_buf *b, size_t want)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(4 * sizeof(int))];
	} cm;
	struct msghdr mh;
	struct iovec iov;
	ssize_t r;

	while (b->tail - b->head < want) {
		iov.iov_base = b->mem + b->tail;
		iov.iov_len = b->cap - b->tail;
		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = cm.buf;
		mh.msg_controllen = sizeof(cm.buf);
		r = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
		if (r >= 0 && mh.msg_controllen > 0)
			keep_fds(b, &mh);
		if (r == 0)
			return b->tail == b->head ? ECONNRESET : EPROTO;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN ? ETIMEDOUT : errno;
		}
		b->tail += (size_t)r;
	}
	return 0;
}

/* Room for need bytes from b->head, the pending bytes moved to the front
 * (which also puts the next body on an 8-byte boundary). */
static int
make_room(struct sp_buf *b, size_t need)
{
	size_t pending = b->tail - b->head;

	if (b->cap < need) {
		size_t cap = need > READAHEAD ? need : READAHEAD;
		uint8_t *n = malloc(cap);

		if (n == NULL)
			return ENOMEM;
		if (pending > 0)
			memcpy(n, b->mem + b->head, pending);
		free(b->mem);
		b->mem = n;
		b->cap = cap;
	} else if (b->head > 0) {
		memmove(b->mem, b->mem + b->head, pending);
	}
	b->head = 0;
	b->tail = pending;
	return 0;
}

/*
 * One recv() usually brings a whole small frame, and what arrives past it
 * stays buffered for the next call: a round trip costs one read per side.
 */
int
sp_recv_any(int fd, struct sp_buf *b, uint32_t maxlen, uint16_t *type,
    size_t *bodylen)
{
	struct sp_hdr h;
	size_t body;
	int error;

	if (b->cap - b->head < sizeof(h) &&
	    (error = make_room(b, READAHEAD)) != 0)
		return error;
	if ((error = fill(fd, b, sizeof(h))) != 0)
		return error;
	memcpy(&h, b->mem + b->head, sizeof(h));
	if (h.len < sizeof(h) || h.len > maxlen || h.zero != 0)
		return EPROTO;
	body = h.len - sizeof(h);
	/* The body goes to an 8-aligned address (malloc'd + 8) with slack
	 * after it, unless it already is. */
	if (((b->head + sizeof(h)) & 7) != 0 || b->cap - b->head < h.len + 8)
		if ((error = make_room(b, (size_t)h.len + 8)) != 0)
			return error;
	if ((error = fill(fd, b, h.len)) != 0)
		return error == ECONNRESET ? EPROTO : error;
	b->data = b->mem + b->head + sizeof(h);
	b->head += h.len;
	if (b->head == b->tail)
		b->head = b->tail = 0;
	*type = h.type;
	*bodylen = body;
	return 0;
}

int
sp_recv(int fd, struct sp_buf *b, uint32_t maxlen, uint16_t *type,
    size_t *bodylen)
{
	int error;

	do
		error = sp_recv_any(fd, b, maxlen, type, bodylen);
	while (error == 0 && *type == SP_RING);
	return error;
}

int
sp_buf_takefd(struct sp_buf *b)
{
	int fd = b->passfd1 - 1;

	b->passfd1 = 0;
	return fd;
}

void
sp_buf_free(struct sp_buf *b)
{
	if (b->passfd1 > 0)
		close(b->passfd1 - 1);
	b->passfd1 = 0;
	free(b->mem);
	b->mem = NULL;
	b->data = NULL;
	b->cap = b->head = b->tail = 0;
}

int
sp_secret_equal(const uint8_t *a, size_t alen, const uint8_t *b,
    size_t blen)
{
	volatile uint8_t diff = (uint8_t)(alen != blen);

	/* Always SP_MAXSECRET steps, whatever the lengths. */
	for (size_t i = 0; i < SP_MAXSECRET; i++) {
		uint8_t x = i < alen ? a[i] : 0;
		uint8_t y = i < blen ? b[i] : 0;

		diff |= (uint8_t)(x ^ y);
	}
	return diff == 0;
}

int
sp_secret_load(const char *path, uint8_t *buf, size_t *lenp)
{
	uint8_t tmp[SP_MAXSECRET + 2];
	size_t len = 0;
	ssize_t r;
	int fd, error = 0;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return errno;
	while (len < sizeof(tmp)) {
		r = read(fd, tmp + len, sizeof(tmp) - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			error = errno;
			break;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	if (error != 0)
		return error;
	while (len > 0 && (tmp[len - 1] == '\n' || tmp[len - 1] == '\r'))
		len--;
	if (len == 0 || len > SP_MAXSECRET)
		return EINVAL;
	memcpy(buf, tmp, len);
	*lenp = len;
	return 0;
}
