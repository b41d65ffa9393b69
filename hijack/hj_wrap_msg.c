/*
 * hj_wrap_msg.c: the socket data calls: send, sendto, sendmsg, sendmmsg,
 * recv, recvfrom, recvmsg, recvmmsg and glibc's fortified and internal
 * entries to them.
 *
 * On a kernel socket, unix names are translated as in hj_sock.c, and
 * SCM_RIGHTS carries descriptor numbers: the program's host numbers
 * become the kernel's on the way in (a host descriptor cannot enter the
 * kernel: EBADF), and received kernel descriptors get host numbers on the
 * way out.  A kernel descriptor cannot leave through a host socket
 * either: EBADF, rather than sending the placeholder.  A send that fails
 * with EPIPE raises SIGPIPE in the calling thread unless MSG_NOSIGNAL,
 * as Linux does; the kernel has no way to signal the program.  sendmmsg
 * and recvmmsg on kernel sockets are loops of sendmsg and recvmsg.
 * The program's msghdr, mmsghdr, control data and timeout are read and
 * written with hj_fcopy: a bad pointer in them is EFAULT, never a fault
 * in the shim (what the kernel reads itself, the iovecs and the data, it
 * copies safely).  No locks.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "hj.h"

HOST_CACHE(send);
HOST_CACHE(sendto);
HOST_CACHE(sendmsg);
HOST_CACHE(sendmmsg);
HOST_CACHE(recv);
HOST_CACHE(recvfrom);
HOST_CACHE(recvmsg);
HOST_CACHE(recvmmsg);

/* --- SCM_RIGHTS ---------------------------------------------------------- */

static int
nrights(const struct cmsghdr *c)
{
	return (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
}

/* Control data read safely into a buffer of the caller's (small) or
 * malloc'd (*big, to free): NULL with errno if it cannot be. */
static void *
read_control(const struct msghdr *m, void *small, size_t smallsz,
    void **big)
{
	void *c = small;

	*big = NULL;
	if (m->msg_controllen > INT_MAX) {
		errno = ENOBUFS;	/* Linux's answer */
		return NULL;
	}
	if (m->msg_controllen > smallsz &&
	    (c = *big = malloc(m->msg_controllen)) == NULL)
		return NULL;
	if (hj_fcopy(c, m->msg_control, m->msg_controllen) != 0) {
		free(*big);
		*big = NULL;
		errno = EFAULT;
		return NULL;
	}
	return c;
}

/* Does a message for a host socket carry a kernel descriptor?  One the
 * shim cannot read does not: the host answers it. */
static bool
carries_kernel(const struct msghdr *um)
{
	union {
		struct cmsghdr align;
		unsigned char buf[512];
	} small;
	struct msghdr m;
	struct cmsghdr *c;
	void *big;
	bool found = false;
	int e = errno;

	if (hj_fdmap == NULL || hj_fcopy(&m, um, sizeof(m)) != 0 ||
	    m.msg_control == NULL || m.msg_controllen < sizeof(struct cmsghdr))
		return false;
	if ((m.msg_control = read_control(&m, small.buf, sizeof(small),
	    &big)) == NULL) {
		errno = e;
		return false;
	}
	for (c = CMSG_FIRSTHDR(&m); c != NULL && !found;
	    c = CMSG_NXTHDR(&m, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		for (int i = 0; i < nrights(c); i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(fd));
			if (hj_fd_kernel(fd) >= 0) {
				found = true;
				break;
			}
		}
	}
	free(big);
	return found;
}

/* Host numbers to kernel ones in m's (copied) control data. */
static int
rights_in(struct msghdr *m)
{
	struct cmsghdr *c;

	for (c = CMSG_FIRSTHDR(m); c != NULL; c = CMSG_NXTHDR(m, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		for (int i = 0; i < nrights(c); i++) {
			unsigned char *p = CMSG_DATA(c) + i * sizeof(int);
			int fd, k;

			memcpy(&fd, p, sizeof(fd));
			if ((k = hj_fd_kernel(fd)) < 0) {
				errno = EBADF;
				return -1;
			}
			memcpy(p, &k, sizeof(k));
		}
	}
	return 0;
}

/*
 * Received kernel descriptors get host numbers.  One that cannot (no
 * number left) is closed with the rest of its message's, which is then
 * cut there and flagged MSG_CTRUNC, as Linux does when they do not fit.
 */
static void
rights_out(struct msghdr *m, int flags)
{
	struct cmsghdr *c;

	if (m->msg_control == NULL)
		return;
	for (c = CMSG_FIRSTHDR(m); c != NULL; c = CMSG_NXTHDR(m, c)) {
		int n;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		n = nrights(c);
		for (int i = 0; i < n; i++) {
			unsigned char *p = CMSG_DATA(c) + i * sizeof(int);
			int k, fd;

			memcpy(&k, p, sizeof(k));
			fd = hj_fd_install(k, 0, (flags & MSG_CMSG_CLOEXEC) != 0);
			if (fd >= 0) {
				memcpy(p, &fd, sizeof(fd));
				continue;
			}
			for (int j = i + 1; j < n; j++) {
				memcpy(&k, CMSG_DATA(c) + j * sizeof(int),
				    sizeof(k));
				hjk_close(k);
			}
			c->cmsg_len = CMSG_LEN((size_t)i * sizeof(int));
			m->msg_controllen = (size_t)((unsigned char *)c -
			    (unsigned char *)m->msg_control) + c->cmsg_len;
			m->msg_flags |= MSG_CTRUNC;
			return;
		}
	}
}

/* --- sending ---------------------------------------------------------------- */

static ssize_t
k_sendmsg(int k, const struct msghdr *m, int flags)
{
	union {
		struct cmsghdr align;
		unsigned char buf[512];
	} small;
	union hj_sockaddr ka;
	struct msghdr km;
	socklen_t klen;
	void *ctl = NULL;
	ssize_t rv;
	int where;

	if (hj_fcopy(&km, m, sizeof(km)) != 0) {
		errno = EFAULT;
		return -1;
	}
	if (km.msg_name != NULL) {
		where = hj_sock_addr_in(km.msg_name, km.msg_namelen, &ka,
		    &klen);
		if (where < 0)
			return -1;
		if (where == HJ_KERNEL) {
			km.msg_name = &ka;
			km.msg_namelen = klen;
		}
	}
	/* The program's buffer stays as it gave it. */
	if (km.msg_control != NULL && km.msg_controllen > 0) {
		if ((km.msg_control = read_control(&km, small.buf,
		    sizeof(small), &ctl)) == NULL)
			return -1;
		if (rights_in(&km) != 0) {
			free(ctl);
			return -1;
		}
	}
	rv = hj_sigpipe(hjk_sendmsg(k, &km, flags), flags);
	if (ctl != NULL) {
		int e = errno;

		free(ctl);
		errno = e;
	}
	return rv;
}

HJ_EXPORT ssize_t
sendto(int fd, const void *buf, size_t n, int flags,
    const struct sockaddr *a, socklen_t alen)
{
	union hj_sockaddr ka;
	socklen_t klen;
	int k = hj_fd_kernel(fd), where;

	if (k < 0 && (a == NULL || alen < sizeof(sa_family_t) ||
	    a->sa_family != AF_UNIX))
		return HOST(sendto)(fd, buf, n, flags, a, alen);
	if ((where = hj_sock_addr_in(a, alen, &ka, &klen)) < 0)
		return -1;
	if (k < 0) {
		if (where != HJ_KERNEL || hj_fd_private(fd) ||
		    (k = hj_sock_to_kernel(fd)) == -2)
			return HOST(sendto)(fd, buf, n, flags, a, alen);
		if (k < 0)
			return -1;
	}
	if (where == HJ_KERNEL) {
		a = &ka.sa;
		alen = klen;
	}
	return hj_sigpipe(hjk_sendto(k, buf, n, flags, a, alen), flags);
}

HJ_EXPORT ssize_t
send(int fd, const void *buf, size_t n, int flags)
{
	int k = hj_fd_kernel(fd);

	if (k < 0)
		return HOST(send)(fd, buf, n, flags);
	return hj_sigpipe(hjk_sendto(k, buf, n, flags, NULL, 0), flags);
}

HJ_EXPORT ssize_t
__send(int fd, const void *buf, size_t n, int flags)
{
	return send(fd, buf, n, flags);
}

HJ_EXPORT ssize_t
sendmsg(int fd, const struct msghdr *m, int flags)
{
	union hj_sockaddr ka;
	socklen_t klen;
	int k = hj_fd_kernel(fd);

	if (k >= 0)
		return k_sendmsg(k, m, flags);
	if (carries_kernel(m)) {
		errno = EBADF;
		return -1;
	}
	/* A fresh host unix socket sent to a kernel name becomes the
	 * kernel's (hj_sock.c).  An unreadable msghdr is the host's. */
	{
		struct msghdr hm;

		if (hj_fcopy(&hm, m, sizeof(hm)) == 0 && hm.msg_name != NULL &&
		    !hj_fd_private(fd) && hj_sock_addr_in(hm.msg_name,
		    hm.msg_namelen, &ka, &klen) == HJ_KERNEL &&
		    (k = hj_sock_to_kernel(fd)) != -2)
			return k < 0 ? -1 : k_sendmsg(k, m, flags);
	}
	return HOST(sendmsg)(fd, m, flags);
}

HJ_EXPORT int
sendmmsg(int fd, struct mmsghdr *v, unsigned int n, int flags)
{
	int k = hj_fd_kernel(fd);
	unsigned int i;

	if (k < 0) {
		for (i = 0; v != NULL && i < n; i++)
			if (carries_kernel(&v[i].msg_hdr)) {
				errno = EBADF;
				return -1;
			}
		return HOST(sendmmsg)(fd, v, n, flags);
	}
	if (n > 1024)
		n = 1024;		/* UIO_MAXIOV, as Linux clamps vlen */
	for (i = 0; i < n; i++) {
		ssize_t rv = k_sendmsg(k, &v[i].msg_hdr, flags);
		unsigned int len = (unsigned int)rv;

		if (rv < 0)
			return i > 0 ? (int)i : -1;
		/* Linux: a msg_len it cannot store ends the batch there. */
		if (hj_fcopy(&v[i].msg_len, &len, sizeof(len)) != 0) {
			if (i > 0)
				return (int)i;
			errno = EFAULT;
			return -1;
		}
	}
	return (int)i;
}

HJ_EXPORT int
__sendmmsg(int fd, struct mmsghdr *v, unsigned int n, int flags)
{
	return sendmmsg(fd, v, n, flags);
}

/* --- receiving --------------------------------------------------------------- */

HJ_EXPORT ssize_t
recvfrom(int fd, void *buf, size_t n, int flags, struct sockaddr *a,
    socklen_t *alen)
{
	union hj_sockaddr ka;
	socklen_t klen = sizeof(ka.ss);
	int k = hj_fd_kernel(fd);
	ssize_t rv;

	if (k < 0)
		return HOST(recvfrom)(fd, buf, n, flags, a, alen);
	if (a == NULL || alen == NULL)
		return hjk_recvfrom(k, buf, n, flags, a, alen);
	if ((rv = hjk_recvfrom(k, buf, n, flags, &ka.sa, &klen)) >= 0 &&
	    hj_sock_addr_out(&ka, klen, a, alen) != 0) {
		errno = EFAULT;		/* as Linux: after the data */
		return -1;
	}
	return rv;
}

HJ_EXPORT ssize_t
recv(int fd, void *buf, size_t n, int flags)
{
	int k = hj_fd_kernel(fd);

	return k < 0 ? HOST(recv)(fd, buf, n, flags) :
	    hjk_recvfrom(k, buf, n, flags, NULL, NULL);
}

HJ_EXPORT ssize_t
__recv(int fd, void *buf, size_t n, int flags)
{
	return recv(fd, buf, n, flags);
}

HJ_EXPORT ssize_t
__recv_chk(int fd, void *buf, size_t n, size_t buflen, int flags)
{
	if (n > buflen)
		__chk_fail();
	return recv(fd, buf, n, flags);
}

HJ_EXPORT ssize_t
__recvfrom_chk(int fd, void *buf, size_t n, size_t buflen, int flags,
    struct sockaddr *a, socklen_t *alen)
{
	if (n > buflen)
		__chk_fail();
	return recvfrom(fd, buf, n, flags, a, alen);
}

/* k_recvmsg's results stored into the program's msghdr: 0 or EFAULT. */
static int
put_results(struct msghdr *m, const struct msghdr *km)
{
	if (hj_fcopy(&m->msg_flags, &km->msg_flags, sizeof(km->msg_flags)) ||
	    hj_fcopy(&m->msg_controllen, &km->msg_controllen,
	    sizeof(km->msg_controllen)))
		return EFAULT;
	return 0;
}

static ssize_t
k_recvmsg(int k, struct msghdr *m, int flags)
{
	union {
		struct cmsghdr align;
		unsigned char buf[512];
	} small;
	union hj_sockaddr ka;
	struct msghdr km, um;
	socklen_t alen;
	ssize_t rv;
	void *big;

	if (m == NULL)
		return hjk_recvmsg(k, m, flags);
	if (hj_fcopy(&km, m, sizeof(km)) != 0) {
		errno = EFAULT;
		return -1;
	}
	um = km;
	if (um.msg_name != NULL) {
		km.msg_name = &ka;
		km.msg_namelen = sizeof(ka.ss);
	}
	if ((rv = hjk_recvmsg(k, &km, flags)) < 0)
		return -1;
	/* Received descriptors get host numbers, in a copy of the control
	 * data the kernel wrote (the program's buffer may be unwritable
	 * now: then it is EFAULT, after the data, as on Linux). */
	if (um.msg_control != NULL && km.msg_controllen > 0) {
		struct msghdr cm = km;

		if (km.msg_controllen > um.msg_controllen)
			km.msg_controllen = cm.msg_controllen =
			    um.msg_controllen;
		if ((cm.msg_control = read_control(&cm, small.buf,
		    sizeof(small), &big)) == NULL)
			return -1;
		rights_out(&cm, flags);
		km.msg_flags = cm.msg_flags;
		km.msg_controllen = cm.msg_controllen;
		if (hj_fcopy(um.msg_control, cm.msg_control,
		    cm.msg_controllen) != 0) {
			free(big);
			errno = EFAULT;
			return -1;
		}
		free(big);
	}
	if (put_results(m, &km) != 0) {
		errno = EFAULT;
		return -1;
	}
	if (um.msg_name != NULL) {
		alen = um.msg_namelen;
		if (hj_sock_addr_out(&ka, km.msg_namelen, um.msg_name,
		    &alen) != 0 || hj_fcopy(&m->msg_namelen, &alen,
		    sizeof(alen)) != 0) {
			errno = EFAULT;
			return -1;
		}
	}
	return rv;
}

HJ_EXPORT ssize_t
recvmsg(int fd, struct msghdr *m, int flags)
{
	int k = hj_fd_kernel(fd);

	if (k < 0) {
		hj_fd_flush();	/* SCM_RIGHTS: new host descriptors */
		return HOST(recvmsg)(fd, m, flags);
	}
	return k_recvmsg(k, m, flags);
}

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * Linux's rules: MSG_WAITFORONE makes every message after the first
 * non-blocking; the timeout is looked at after each message, and what is
 * left of it is written back; an error after a message ends the batch.
 */
HJ_EXPORT int
recvmmsg(int fd, struct mmsghdr *v, unsigned int n, int flags,
    struct timespec *tmo)
{
	int k = hj_fd_kernel(fd), saved;
	int64_t deadline = 0, left;
	unsigned int i;

	struct timespec t;

	if (k < 0) {
		hj_fd_flush();
		return HOST(recvmmsg)(fd, v, n, flags, tmo);
	}
	if (tmo != NULL) {
		if (hj_fcopy(&t, tmo, sizeof(t)) != 0) {
			errno = EFAULT;
			return -1;
		}
		if (t.tv_sec < 0 || t.tv_nsec < 0 ||
		    t.tv_nsec >= 1000000000) {
			errno = EINVAL;
			return -1;
		}
		deadline = now_ns() + (int64_t)t.tv_sec * 1000000000 +
		    t.tv_nsec;
	}
	if (n > 1024)
		n = 1024;		/* UIO_MAXIOV, as Linux clamps vlen */
	saved = errno;
	for (i = 0; i < n; i++) {
		int f = flags & ~MSG_WAITFORONE;
		unsigned int len;
		ssize_t rv;

		if (i > 0 && (flags & MSG_WAITFORONE))
			f |= MSG_DONTWAIT;
		if ((rv = k_recvmsg(k, &v[i].msg_hdr, f)) < 0) {
			if (i == 0)
				return -1;
			errno = saved;
			break;
		}
		len = (unsigned int)rv;
		if (hj_fcopy(&v[i].msg_len, &len, sizeof(len)) != 0) {
			if (i == 0) {
				errno = EFAULT;
				return -1;
			}
			break;
		}
		if (tmo != NULL && now_ns() >= deadline) {
			i++;
			break;
		}
	}
	if (tmo != NULL) {
		left = deadline - now_ns();
		if (left < 0)
			left = 0;
		t.tv_sec = (time_t)(left / 1000000000);
		t.tv_nsec = (long)(left % 1000000000);
		(void)hj_fcopy(tmo, &t, sizeof(t));
	}
	return (int)i;
}
