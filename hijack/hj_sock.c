/*
 * hj_sock.c: which sockets are the kernel's (doc/HIJACK.md, "Sockets").
 *
 * socket= decides per address family when the socket is made.  A unix
 * socket's name is a path, and a name under a routed prefix is the
 * kernel's whatever socket= says: a fresh host unix socket that is bound,
 * connected or sent to such a name becomes a kernel socket under the same
 * number first (hj_sock_to_kernel).  Names reach the kernel with the
 * prefix cut, as paths do, and come back with it put in front, so
 * getsockname answers the name the program can stat.
 *
 * No locks of its own: the configuration is read-only once parsed, the
 * descriptor map is hj_fd.c's.
 */
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#include "hj.h"

HOST_CACHE(getsockopt);
HOST_CACHE(getsockname);
HOST_CACHE(getpeername);
HOST_CACHE(fcntl);

#define SUN_OFF		offsetof(struct sockaddr_un, sun_path)
#define SUN_MAX		sizeof(((struct sockaddr_un *)0)->sun_path)

bool
hj_sock_family_kernel(int domain)
{
	if (__builtin_expect(!hj_ready, 0))
		hj_setup();
	if (hj_inside)			/* the shim's own libc calls */
		return false;
	if (domain == AF_UNIX)
		return hj_cfg.socklocal;
	return (hj_cfg.sockfam & HJ_SOCKFAM(domain)) != 0;
}

int
hj_sock_addr_in(const struct sockaddr *a, socklen_t alen,
    union hj_sockaddr *out, socklen_t *outlen)
{
	char path[SUN_MAX + 1], kb[PATH_MAX];
	struct sockaddr_un un;
	const char *kp;
	int kd, where;
	size_t n;

	/* Read once, safely: a name the shim cannot read is the callee's
	 * to refuse (EFAULT, in the order the host or kernel checks). */
	if (a == NULL || alen <= SUN_OFF || alen > sizeof(struct sockaddr_un) ||
	    hj_fcopy(&un, a, alen) != 0 || un.sun_family != AF_UNIX)
		return HJ_HOST;
	n = alen - SUN_OFF;
	memcpy(path, un.sun_path, n);
	path[n] = '\0';
	if (path[0] == '\0')		/* abstract: the socket's own side */
		return HJ_HOST;
	where = hj_route(AT_FDCWD, path, kb, sizeof(kb), &kd, &kp);
	if (where != HJ_KERNEL)
		return where;
	n = strlen(kp);
	if (n >= SUN_MAX || kd != AT_FDCWD) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memset(&out->un, 0, sizeof(out->un));
	out->un.sun_family = AF_UNIX;
	memcpy(out->un.sun_path, kp, n + 1);
	*outlen = (socklen_t)(SUN_OFF + n + 1);
	return HJ_KERNEL;
}

int
hj_sock_addr_out(const union hj_sockaddr *k, socklen_t klen,
    struct sockaddr *a, socklen_t *alen)
{
	union hj_sockaddr shown;
	const union hj_sockaddr *src = k;
	const char *pre = hj_show_prefix();
	size_t pl = strlen(pre), n;
	socklen_t room, shownlen;

	if (alen == NULL)
		return 0;
	if (klen > sizeof(k->ss))
		klen = sizeof(k->ss);
	n = klen;
	/* An absolute unix name: the kernel's root is the prefix here. */
	if (klen > SUN_OFF && k->sa.sa_family == AF_UNIX &&
	    k->un.sun_path[0] == '/' && pl > 0) {
		memcpy(shown.raw, k->raw, SUN_OFF);
		memcpy(shown.raw + SUN_OFF, pre, pl);
		memcpy(shown.raw + SUN_OFF + pl, k->raw + SUN_OFF,
		    klen - SUN_OFF);
		src = &shown;
		n = klen + pl;
	}
	/* The program's buffers, written as the kernel would: safely. */
	if (hj_fcopy(&room, alen, sizeof(room)) != 0)
		return EFAULT;
	if (a != NULL && hj_fcopy(a, src->raw, n < room ? n : room) != 0)
		return EFAULT;
	shownlen = (socklen_t)n;
	return hj_fcopy(alen, &shownlen, sizeof(shownlen));
}

/* What a program may have set before naming the socket; an option the
 * kernel does not know is dropped (it had no effect on the name yet). */
static void
carry_options(int fd, int kfd)
{
	static const int tv_opts[] = { SO_RCVTIMEO, SO_SNDTIMEO };
	struct timeval tv;
	socklen_t len;
	int v;

	len = sizeof(v);
	if (HOST(getsockopt)(fd, SOL_SOCKET, SO_PASSCRED, &v, &len) == 0 &&
	    v != 0)
		(void)hjk_setsockopt(kfd, SOL_SOCKET, SO_PASSCRED, &v,
		    sizeof(v));
	for (size_t i = 0; i < sizeof(tv_opts) / sizeof(tv_opts[0]); i++) {
		len = sizeof(tv);
		if (HOST(getsockopt)(fd, SOL_SOCKET, tv_opts[i], &tv, &len) ==
		    0 && (tv.tv_sec != 0 || tv.tv_usec != 0))
			(void)hjk_setsockopt(kfd, SOL_SOCKET, tv_opts[i], &tv,
			    sizeof(tv));
	}
}

int
hj_sock_to_kernel(int fd)
{
	union hj_sockaddr sa;
	socklen_t len;
	int saved = errno, v, type, fl, fdfl, kfd;

	len = sizeof(v);
	if (HOST(getsockopt)(fd, SOL_SOCKET, SO_DOMAIN, &v, &len) != 0 ||
	    v != AF_UNIX)
		goto host;
	len = sizeof(type);
	if (HOST(getsockopt)(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0)
		goto host;
	/* Only a fresh socket: one with a host name or peer stays. */
	len = sizeof(sa.ss);
	if (HOST(getsockname)(fd, &sa.sa, &len) != 0 ||
	    len > sizeof(sa_family_t))
		goto host;
	len = sizeof(sa.ss);
	if (HOST(getpeername)(fd, &sa.sa, &len) == 0 || errno != ENOTCONN)
		goto host;
	if ((fl = HOST(fcntl)(fd, F_GETFL)) < 0 ||
	    (fdfl = HOST(fcntl)(fd, F_GETFD)) < 0)
		return -1;
	kfd = hjk_socket(AF_UNIX, type | ((fl & O_NONBLOCK) ? SOCK_NONBLOCK :
	    0) | ((fdfl & FD_CLOEXEC) ? SOCK_CLOEXEC : 0), 0);
	if (kfd < 0)
		return -1;
	carry_options(fd, kfd);
	if (hj_fd_replace(fd, kfd, (fdfl & FD_CLOEXEC) != 0) < 0)
		return -1;
	hj_sockname_set(fd);
	errno = saved;
	return kfd;
host:
	errno = saved;
	return -2;
}

ssize_t
hj_sigpipe(ssize_t rv, int flags)
{
	if (rv < 0 && errno == EPIPE && !(flags & MSG_NOSIGNAL)) {
		(void)pthread_kill(pthread_self(), SIGPIPE);
		errno = EPIPE;
	}
	return rv;
}
