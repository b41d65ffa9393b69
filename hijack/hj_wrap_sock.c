/*
 * hj_wrap_sock.c: the socket calls that make, name and configure sockets:
 * socket, socketpair, bind, connect, listen, accept, accept4, shutdown,
 * getsockname, getpeername, getsockopt, setsockopt, isfdtype.
 *
 * socket() and socketpair() ask hj_sock_family_kernel(); every other call
 * goes where its descriptor is, except that a fresh host unix socket
 * bound or connected to a name under a routed prefix becomes the
 * kernel's first (hj_sock.c).  Kernel sockets, accepted ones included,
 * get host numbers like any kernel descriptor (hj_fd.c).  No locks: a
 * blocking accept or connect waits in the kernel for its own thread only.
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include "hj.h"

HOST_CACHE(socket);
HOST_CACHE(socketpair);
HOST_CACHE(bind);
HOST_CACHE(connect);
HOST_CACHE(listen);
HOST_CACHE(accept);
HOST_CACHE(accept4);
HOST_CACHE(shutdown);
HOST_CACHE(getsockname);
HOST_CACHE(getpeername);
HOST_CACHE(getsockopt);
HOST_CACHE(setsockopt);
HOST_CACHE(isfdtype);

/* --- making sockets ------------------------------------------------------ */

HJ_EXPORT int
socket(int domain, int type, int protocol)
{
	int kfd, fd;

	if (!hj_sock_family_kernel(domain)) {
		hj_fd_flush();
		return HOST(socket)(domain, type, protocol);
	}
	if ((kfd = hjk_socket(domain, type, protocol)) < 0 ||
	    (fd = hj_fd_install(kfd, 0, (type & SOCK_CLOEXEC) != 0)) < 0)
		return -1;
	hj_sockname_set(fd);
	return fd;
}

HJ_EXPORT int
socketpair(int domain, int type, int protocol, int sv[2])
{
	int kv[2], h0, h1;
	bool cloexec = (type & SOCK_CLOEXEC) != 0;

	if (!hj_sock_family_kernel(domain)) {
		hj_fd_flush();
		return HOST(socketpair)(domain, type, protocol, sv);
	}
	if (sv == NULL) {
		errno = EFAULT;
		return -1;
	}
	if (hjk_socketpair(domain, type, protocol, kv) < 0)
		return -1;
	if ((h0 = hj_fd_install(kv[0], 0, cloexec)) < 0) {
		int e = errno;

		hjk_close(kv[1]);
		errno = e;
		return -1;
	}
	if ((h1 = hj_fd_install(kv[1], 0, cloexec)) < 0) {
		int e = errno;

		hj_fd_close(h0);
		errno = e;
		return -1;
	}
	hj_sockname_set(h0);
	hj_sockname_set(h1);
	sv[0] = h0;
	sv[1] = h1;
	return 0;
}

/* --- naming them: bind, connect -------------------------------------------- */

/*
 * The kernel descriptor bind or connect on fd with address a works on:
 * >= 0, with *a and *alen switched to the kernel's name when it is one;
 * -2: the host's call; -1: errno.
 */
static int
name_target(int fd, const struct sockaddr **a, socklen_t *alen,
    union hj_sockaddr *ka)
{
	socklen_t klen;
	int k = hj_fd_kernel(fd), where;

	/* The common host case costs a look at the family. */
	if (k < 0 && (*a == NULL || *alen < sizeof(sa_family_t) ||
	    (*a)->sa_family != AF_UNIX))
		return -2;
	if ((where = hj_sock_addr_in(*a, *alen, ka, &klen)) < 0)
		return -1;
	if (k < 0) {
		if (where != HJ_KERNEL || hj_fd_private(fd))
			return -2;
		if ((k = hj_sock_to_kernel(fd)) < 0)
			return k;
	}
	if (where == HJ_KERNEL) {
		*a = &ka->sa;
		*alen = klen;
	}
	return k;
}

HJ_EXPORT int
bind(int fd, const struct sockaddr *a, socklen_t alen)
{
	union hj_sockaddr ka;
	int k = name_target(fd, &a, &alen, &ka);

	if (k == -2)
		return HOST(bind)(fd, a, alen);
	return k < 0 ? -1 : hjk_bind(k, a, alen);
}

HJ_EXPORT int
connect(int fd, const struct sockaddr *a, socklen_t alen)
{
	union hj_sockaddr ka;
	int k = name_target(fd, &a, &alen, &ka);

	if (k == -2)
		return HOST(connect)(fd, a, alen);
	return k < 0 ? -1 : hjk_connect(k, a, alen);
}

HJ_EXPORT int
__connect(int fd, const struct sockaddr *a, socklen_t alen)
{
	return connect(fd, a, alen);
}

HJ_EXPORT int
listen(int fd, int backlog)
{
	int k = hj_fd_kernel(fd);

	return k < 0 ? HOST(listen)(fd, backlog) : hjk_listen(k, backlog);
}

HJ_EXPORT int
shutdown(int fd, int how)
{
	int k = hj_fd_kernel(fd);

	return k < 0 ? HOST(shutdown)(fd, how) : hjk_shutdown(k, how);
}

/* --- accept ------------------------------------------------------------------ */

static int
k_accept(int k, struct sockaddr *a, socklen_t *alen, int flags)
{
	union hj_sockaddr ka;
	socklen_t klen = sizeof(ka.ss);
	int kfd, fd;

	if (a == NULL || alen == NULL)
		kfd = hjk_accept4(k, a, alen, flags);
	else
		kfd = hjk_accept4(k, &ka.sa, &klen, flags);
	if (kfd < 0)
		return -1;
	if ((fd = hj_fd_install(kfd, 0, (flags & SOCK_CLOEXEC) != 0)) < 0)
		return -1;
	hj_sockname_set(fd);
	/* An address the program's buffer cannot take: the connection
	 * is dropped and the call is EFAULT, as on Linux. */
	if (a != NULL && alen != NULL &&
	    hj_sock_addr_out(&ka, klen, a, alen) != 0) {
		(void)hj_fd_close(fd);
		errno = EFAULT;
		return -1;
	}
	return fd;
}

HJ_EXPORT int
accept(int fd, struct sockaddr *a, socklen_t *alen)
{
	int k = hj_fd_kernel(fd);

	if (k < 0) {
		hj_fd_flush();
		return HOST(accept)(fd, a, alen);
	}
	return k_accept(k, a, alen, 0);
}

HJ_EXPORT int
accept4(int fd, struct sockaddr *a, socklen_t *alen, int flags)
{
	int k = hj_fd_kernel(fd);

	if (k < 0) {
		hj_fd_flush();
		return HOST(accept4)(fd, a, alen, flags);
	}
	return k_accept(k, a, alen, flags);
}

/* --- names and options ------------------------------------------------------ */

static int
k_name(int k, struct sockaddr *a, socklen_t *alen, bool peer)
{
	union hj_sockaddr ka;
	socklen_t klen = sizeof(ka.ss);
	int rv;

	if (a == NULL || alen == NULL)	/* the kernel's EFAULT */
		return peer ? hjk_getpeername(k, a, alen) :
		    hjk_getsockname(k, a, alen);
	rv = peer ? hjk_getpeername(k, &ka.sa, &klen) :
	    hjk_getsockname(k, &ka.sa, &klen);
	if (rv == 0 && hj_sock_addr_out(&ka, klen, a, alen) != 0) {
		errno = EFAULT;
		return -1;
	}
	return rv;
}

HJ_EXPORT int
getsockname(int fd, struct sockaddr *a, socklen_t *alen)
{
	int k = hj_fd_kernel(fd);

	return k < 0 ? HOST(getsockname)(fd, a, alen) :
	    k_name(k, a, alen, false);
}

HJ_EXPORT int
getpeername(int fd, struct sockaddr *a, socklen_t *alen)
{
	int k = hj_fd_kernel(fd);

	return k < 0 ? HOST(getpeername)(fd, a, alen) :
	    k_name(k, a, alen, true);
}

HJ_EXPORT int
getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
	int k = hj_fd_kernel(fd);

	return k < 0 ? HOST(getsockopt)(fd, level, name, val, len) :
	    hjk_getsockopt(k, level, name, val, len);
}

HJ_EXPORT int
setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	int k = hj_fd_kernel(fd);

	return k < 0 ? HOST(setsockopt)(fd, level, name, val, len) :
	    hjk_setsockopt(k, level, name, val, len);
}

/* glibc's asks its internal fstat, which would see the placeholder. */
HJ_EXPORT int
isfdtype(int fd, int fdtype)
{
	struct stat st;
	int k = hj_fd_kernel(fd);

	if (k < 0)
		return HOST(isfdtype)(fd, fdtype);
	if (hjk_fstat(k, &st) != 0)
		return -1;
	return (int)(st.st_mode & S_IFMT) == fdtype;
}
