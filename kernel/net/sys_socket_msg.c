/*
 * sys_socket_msg.c: sendto/recvfrom, sendmsg/recvmsg, sendmmsg/recvmmsg:
 * the user's struct msghdr taken apart (name, iovec, control) and put
 * back (msg_namelen, msg_controllen, msg_flags), as Linux's
 * ___sys_sendmsg/___sys_recvmsg do.
 *
 * Control data in: at most NET_OPTMEM_MAX bytes (Linux's optmem_max:
 * ENOBUFS past it), each cmsg checked for a sane cmsg_len (EINVAL), then
 * handed to the protocol as one MT_CONTROL mbuf.  Control data out: the
 * domain's dom_externalize turns SCM_RIGHTS into descriptors and copies
 * out; other cmsgs are copied here, truncated with MSG_CTRUNC as
 * put_cmsg does.
 */
#include "k/kernel.h"
#include "k/file.h"
#include "k/socket.h"
#include "syscallargs.h"

#include "net_private.h"

#define NET_OPTMEM_MAX	20480

/* Reads and checks the control of a message into an MT_CONTROL mbuf. */
static int
control_copyin(const void *uctl, size_t len, struct mbuf **mp)
{
	struct mbuf *m;
	size_t off = 0;
	int error;

	*mp = NULL;
	if (len == 0)
		return 0;
	if (len > NET_OPTMEM_MAX)
		return ENOBUFS;
	if (len < sizeof(struct cmsghdr))
		return 0;	/* no header fits: Linux ignores it */
	m = len <= MLEN ? m_get(MT_CONTROL) : m_getcl(MT_CONTROL, 0, len);
	if (m == NULL)
		return ENOBUFS;
	if ((error = copyin(uctl, m->m_data, len)) != 0) {
		m_free(m);
		return error;
	}
	m->m_len = (uint32_t)len;
	/* Each header must be whole and inside the buffer (CMSG_OK). */
	while (len - off >= sizeof(struct cmsghdr)) {
		struct cmsghdr c;

		memcpy(&c, m->m_data + off, sizeof(c));
		if (c.cmsg_len < sizeof(struct cmsghdr) ||
		    c.cmsg_len > len - off) {
			m_free(m);
			return EINVAL;
		}
		if (CMSG_ALIGN(c.cmsg_len) >= len - off)
			break;
		off += CMSG_ALIGN(c.cmsg_len);
	}
	*mp = m;
	return 0;
}

/*
 * Copies received control out: *ulenp room in, bytes used out; MSG_CTRUNC
 * in *flagsp when something did not fit.  The chain is consumed (its
 * references, SCM_RIGHTS, go to the descriptors made or are dropped).
 */
static int
control_copyout(struct socket *so, struct mbuf *control, int rflags,
    void *uctl, size_t *ulenp, int *flagsp)
{
	const struct domain *dp = so->so_proto->pr_domain;
	size_t room = uctl != NULL ? *ulenp : 0, used = 0;
	int error = 0;

	for (struct mbuf *m = control; m != NULL; m = m->m_next) {
		size_t n = room - used;

		if (error != 0 || m->m_type != MT_CONTROL) {
			if (dp->dom_dispose != NULL &&
			    m->m_type == MT_CONTROL && !(rflags & MSG_PEEK))
				dp->dom_dispose(m);
			continue;
		}
		/* No buffer (uctl NULL, room 0): no pointer arithmetic on it. */
		uint8_t *at = uctl != NULL ? (uint8_t *)uctl + used : NULL;

		if (dp->dom_externalize != NULL) {
			int e = dp->dom_externalize(m, rflags, at, &n);

			if (e == EMSGSIZE) {
				*flagsp |= MSG_CTRUNC;
				e = 0;
			}
			error = e;
		} else {
			/* Plain data: copy, truncated. */
			size_t len = MIN((size_t)m->m_len, n);

			if (len < m->m_len)
				*flagsp |= MSG_CTRUNC;
			if (len < sizeof(struct cmsghdr))
				len = 0;
			if (len > 0)
				error = copyout(m->m_data, at, len);
			n = len;
		}
		used += n;
	}
	m_freem(control);
	*ulenp = used;
	return error;
}

/* sendmsg's body, on a kernel copy of the user's msghdr. */
static int
do_sendmsg(struct file *fp, struct socket *so, struct msghdr *msg,
    int flags, size_t *sentp)
{
	struct sockaddr_storage ss;
	struct iovec kiov[UIO_MAXIOV];
	struct mbuf *control = NULL;
	struct uio uio;
	const struct sockaddr *sa = NULL;
	int error;

	*sentp = 0;
	if (msg->msg_iovlen > UIO_MAXIOV)
		return EMSGSIZE;
	if (msg->msg_name != NULL && msg->msg_namelen > 0) {
		if ((error = sockaddr_copyin(msg->msg_name, msg->msg_namelen,
		    &ss)) != 0)
			return error;
		sa = (struct sockaddr *)&ss;
	} else if ((int)msg->msg_namelen < 0) {
		return EINVAL;
	}
	if ((error = uio_setup_user(&uio, kiov, msg->msg_iov,
	    (int)msg->msg_iovlen, 0, UIO_WRITE)) != 0)
		return error;
	if (uio.uio_resid > (size_t)INT32_MAX)
		return EINVAL;
	if (msg->msg_controllen > (size_t)INT32_MAX)
		return ENOBUFS;
	if ((error = control_copyin(msg->msg_control, msg->msg_controllen,
	    &control)) != 0)
		return error;
	return sosend(so, sa, sa != NULL ? msg->msg_namelen : 0, &uio,
	    control, flags, file_nbio(fp), sentp);
}

/* recvmsg's body; fills msg's namelen, controllen and flags. */
static int
do_recvmsg(struct file *fp, struct socket *so, struct msghdr *msg,
    int flags, size_t *lenp)
{
	struct sockaddr_storage ss;
	socklen_t sslen = 0;
	struct iovec kiov[UIO_MAXIOV];
	struct mbuf *control = NULL;
	struct uio uio;
	size_t clen;
	int rflags = flags, error;

	*lenp = 0;
	if (msg->msg_iovlen > UIO_MAXIOV)
		return EMSGSIZE;
	if ((int)msg->msg_namelen < 0)
		return EINVAL;
	if ((error = uio_setup_user(&uio, kiov, msg->msg_iov,
	    (int)msg->msg_iovlen, 0, UIO_READ)) != 0)
		return error;
	memset(&ss, 0, sizeof(ss));
	error = soreceive(so, &uio, &ss, &sslen, &control, &rflags,
	    file_nbio(fp), lenp);
	if (error != 0) {
		m_freem(control);
		return error;
	}
	/* Linux's recvmsg reports MSG_CMSG_CLOEXEC-free flags. */
	msg->msg_flags = rflags;
	clen = msg->msg_controllen;
	if (control != NULL || msg->msg_control != NULL) {
		error = control_copyout(so, control, flags,
		    msg->msg_control, &clen, &msg->msg_flags);
		if (error != 0)
			return error;
	}
	msg->msg_controllen = clen;
	if (msg->msg_name != NULL) {
		socklen_t room = msg->msg_namelen;

		if (room > sslen)
			room = sslen;
		if (room > 0 && (error = copyout(&ss, msg->msg_name,
		    room)) != 0)
			return error;
	}
	msg->msg_namelen = msg->msg_name != NULL ? sslen : 0;
	return 0;
}

/* Writes back what recvmsg changes in the user's msghdr. */
static int
msghdr_copyback(const struct msghdr *k, struct msghdr *u)
{
	int error;

	if ((error = copyout(&k->msg_namelen, &u->msg_namelen,
	    sizeof(k->msg_namelen))) != 0 ||
	    (error = copyout(&k->msg_controllen, &u->msg_controllen,
	    sizeof(k->msg_controllen))) != 0)
		return error;
	return copyout(&k->msg_flags, &u->msg_flags, sizeof(k->msg_flags));
}

int
sys_sendto(struct lwp *l __unused, int sockfd, const void *buf, size_t len,
    int flags, const void *dest_addr, socklen_t addrlen, register_t *retval)
{
	struct iovec iov;
	struct file *fp;
	struct socket *so;
	size_t sent = 0;
	int error;

	if ((error = getsock(sockfd, &fp, &so)) != 0)
		return error;
	/* One kernel iovec over the user's buffer. */
	iov.iov_base = (void *)(uintptr_t)buf;
	iov.iov_len = len;
	{
		struct sockaddr_storage ss;
		const struct sockaddr *sa = NULL;
		struct uio uio = {
			.uio_iov = &iov, .uio_iovcnt = 1, .uio_resid = len,
			.uio_rw = UIO_WRITE,
		};

		if (len > (size_t)INT32_MAX)
			uio.uio_resid = iov.iov_len = (size_t)INT32_MAX;
		if (dest_addr != NULL) {
			error = sockaddr_copyin(dest_addr, addrlen, &ss);
			sa = (struct sockaddr *)&ss;
		}
		if (error == 0)
			error = sosend(so, sa, sa != NULL ? addrlen : 0, &uio,
			    NULL, flags, file_nbio(fp), &sent);
	}
	file_rele(fp);
	if (error == 0)
		*retval = (register_t)sent;
	return error;
}

int
sys_recvfrom(struct lwp *l __unused, int sockfd, void *buf, size_t len,
    int flags, void *src_addr, socklen_t *addrlen, register_t *retval)
{
	struct sockaddr_storage ss;
	socklen_t sslen = 0;
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct uio uio = {
		.uio_iov = &iov, .uio_iovcnt = 1, .uio_resid = len,
		.uio_rw = UIO_READ,
	};
	struct file *fp;
	struct socket *so;
	size_t got;
	int rflags = flags, error;

	if ((error = getsock(sockfd, &fp, &so)) != 0)
		return error;
	if (len > (size_t)INT32_MAX)
		uio.uio_resid = iov.iov_len = (size_t)INT32_MAX;
	memset(&ss, 0, sizeof(ss));
	error = soreceive(so, &uio, &ss, &sslen, NULL, &rflags,
	    file_nbio(fp), &got);
	file_rele(fp);
	if (error != 0)
		return error;
	if (src_addr != NULL && addrlen != NULL &&
	    (error = sockaddr_copyout(&ss, sslen, src_addr, addrlen)) != 0)
		return error;
	*retval = (register_t)got;
	return 0;
}

int
sys_sendmsg(struct lwp *l __unused, int sockfd, const void *umsg, int flags,
    register_t *retval)
{
	struct msghdr msg;
	struct file *fp;
	struct socket *so;
	size_t sent;
	int error;

	if ((error = getsock(sockfd, &fp, &so)) != 0)
		return error;
	if ((error = copyin(umsg, &msg, sizeof(msg))) == 0)
		error = do_sendmsg(fp, so, &msg, flags, &sent);
	file_rele(fp);
	if (error == 0)
		*retval = (register_t)sent;
	return error;
}

int
sys_recvmsg(struct lwp *l __unused, int sockfd, void *umsg, int flags,
    register_t *retval)
{
	struct msghdr msg;
	struct file *fp;
	struct socket *so;
	size_t got;
	int error;

	if ((error = getsock(sockfd, &fp, &so)) != 0)
		return error;
	if ((error = copyin(umsg, &msg, sizeof(msg))) == 0)
		error = do_recvmsg(fp, so, &msg, flags, &got);
	file_rele(fp);
	if (error == 0)
		error = msghdr_copyback(&msg, umsg);
	if (error == 0)
		*retval = (register_t)got;
	return error;
}

int
sys_sendmmsg(struct lwp *l __unused, int sockfd, void *umsgvec,
    unsigned int vlen, int flags, register_t *retval)
{
	struct mmsghdr *uv = umsgvec;
	struct file *fp;
	struct socket *so;
	unsigned int i;
	int error;

	if ((error = getsock(sockfd, &fp, &so)) != 0)
		return error;
	if (vlen > UIO_MAXIOV)
		vlen = UIO_MAXIOV;
	for (i = 0; i < vlen; i++) {
		struct msghdr msg;
		size_t sent;
		unsigned int n;

		if ((error = copyin(&uv[i].msg_hdr, &msg, sizeof(msg))) != 0)
			break;
		if ((error = do_sendmsg(fp, so, &msg, flags, &sent)) != 0)
			break;
		n = (unsigned int)sent;
		if ((error = copyout(&n, &uv[i].msg_len, sizeof(n))) != 0)
			break;
	}
	file_rele(fp);
	/* Linux: what was sent counts; the error is for the next call. */
	if (i > 0) {
		*retval = i;
		return 0;
	}
	return error;
}

int
sys_recvmmsg(struct lwp *l __unused, int sockfd, void *umsgvec,
    unsigned int vlen, int flags, void *utimeout, register_t *retval)
{
	struct mmsghdr *uv = umsgvec;
	struct timespec ts;
	int64_t deadline = KWAIT_FOREVER;
	struct file *fp;
	struct socket *so;
	unsigned int i;
	int error;

	if (utimeout != NULL) {
		if ((error = copyin(utimeout, &ts, sizeof(ts))) != 0)
			return error;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 ||
		    ts.tv_nsec >= 1000000000L)
			return EINVAL;
		deadline = uptime_ns() + (ts.tv_sec > INT64_MAX / 2000000000 ?
		    INT64_MAX / 2 : ts.tv_sec * 1000000000LL + ts.tv_nsec);
	}
	if ((error = getsock(sockfd, &fp, &so)) != 0)
		return error;
	if (vlen > UIO_MAXIOV)
		vlen = UIO_MAXIOV;
	for (i = 0; i < vlen; i++) {
		struct msghdr msg;
		size_t got;
		unsigned int n;
		int f = flags & ~MSG_WAITFORONE;

		/* MSG_WAITFORONE: only the first one may block. */
		if (i > 0 && (flags & MSG_WAITFORONE))
			f |= MSG_DONTWAIT;
		if ((error = copyin(&uv[i].msg_hdr, &msg, sizeof(msg))) != 0)
			break;
		if ((error = do_recvmsg(fp, so, &msg, f, &got)) != 0)
			break;
		if ((error = msghdr_copyback(&msg, &uv[i].msg_hdr)) != 0)
			break;
		n = (unsigned int)got;
		if ((error = copyout(&n, &uv[i].msg_len, sizeof(n))) != 0)
			break;
		/* Linux checks the timeout after each datagram. */
		if (utimeout != NULL && uptime_ns() >= deadline) {
			i++;
			break;
		}
	}
	file_rele(fp);
	if (utimeout != NULL) {
		int64_t left = deadline - uptime_ns();

		if (left < 0)
			left = 0;
		ts.tv_sec = left / 1000000000LL;
		ts.tv_nsec = left % 1000000000LL;
		(void)copyout(&ts, utimeout, sizeof(ts));
	}
	if (i > 0) {
		*retval = i;
		return 0;
	}
	return error;
}
