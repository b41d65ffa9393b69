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

int
sp_sendv(int fd, struct iovec *iov, int n)
{
	struct msghdr mh;
	ssize_t w;

	while (n > 0) {
		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = iov;
		mh.msg_iovlen = n > (int)SP_MAXIOV ? SP_MAXIOV : (size_t)n;
		w = sendmsg(fd, &mh, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN ? ETIMEDOUT : errno;
		}
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

static int
recv_all(int fd, void *buf, size_t len)
{
	size_t got = 0;
	ssize_t r;

	while (got < len) {
		r = recv(fd, (char *)buf + got, len - got, 0);
		if (r == 0)
			return got == 0 ? ECONNRESET : EPROTO;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN ? ETIMEDOUT : errno;
		}
		got += (size_t)r;
	}
	return 0;
}

int
sp_recv(int fd, struct sp_buf *b, uint32_t maxlen, uint16_t *type,
    size_t *bodylen)
{
	struct sp_hdr h;
	size_t body;
	int error;

	if ((error = recv_all(fd, &h, sizeof(h))) != 0)
		return error;
	if (h.len < sizeof(h) || h.len > maxlen || h.zero != 0)
		return EPROTO;
	body = h.len - sizeof(h);
	/* +8: room to NUL-terminate a trailing string safely. */
	if (b->cap < body + 8) {
		uint8_t *n = realloc(b->data, body + 8);

		if (n == NULL)
			return ENOMEM;
		b->data = n;
		b->cap = body + 8;
	}
	if ((error = recv_all(fd, b->data, body)) != 0)
		return error == ECONNRESET ? EPROTO : error;
	*type = h.type;
	*bodylen = body;
	return 0;
}

void
sp_buf_free(struct sp_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->cap = 0;
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
