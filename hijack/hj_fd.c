/*
 * hj_fd.c: kernel descriptors as host descriptor numbers.
 *
 * Each kernel descriptor is shown to the program under a host number the
 * host will not hand out for anything else, because a placeholder holds
 * it: an O_PATH descriptor, on which read and write fail with EBADF, so
 * data sent past the shim (a raw syscall, a static helper) fails loudly
 * instead of vanishing.  hj_fdmap[host] = kernel + 1.  The placeholder's
 * close-on-exec flag is the descriptor's; across execve the map travels
 * in RUMPHIJACK__FDMAP, across fork it is inherited with the memory.
 */
#include <linux/close_range.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "hj.h"
#include "hj_stdio.h"

int32_t *hj_fdmap;
int hj_fdmax;
static int fdhigh = -1;			/* highest number ever mapped */

HOST_CACHE(open);
HOST_CACHE(close);
HOST_CACHE(fcntl);
HOST_CACHE(dup3);

/* The map covers every number the host may give (RLIMIT_NOFILE max);
 * untouched pages cost nothing. */
static int
map_init(void)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	struct rlimit rl;
	size_t n;
	void *p;

	if (__atomic_load_n(&hj_fdmap, __ATOMIC_ACQUIRE) != NULL)
		return 0;
	pthread_mutex_lock(&lock);
	if (hj_fdmap == NULL) {
		n = 1u << 20;
		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
		    rl.rlim_max != RLIM_INFINITY && rl.rlim_max < n)
			n = (size_t)rl.rlim_max;
		p = mmap(NULL, n * sizeof(int32_t), PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (p != MAP_FAILED) {
			hj_fdmax = (int)n;
			__atomic_store_n(&hj_fdmap, p, __ATOMIC_RELEASE);
		}
	}
	pthread_mutex_unlock(&lock);
	return hj_fdmap != NULL ? 0 : ENOMEM;
}

static void
map_set(int fd, int kfd)
{
	int high = __atomic_load_n(&fdhigh, __ATOMIC_RELAXED);

	while (kfd >= 0 && fd > high &&
	    !__atomic_compare_exchange_n(&fdhigh, &high, fd, false,
	    __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		continue;
	__atomic_store_n(&hj_fdmap[fd], kfd + 1, __ATOMIC_RELEASE);
	/* stdin/stdout/stderr on a kernel file need streams that reach it. */
	if (fd <= 2 && kfd >= 0)
		hj_stdio_fixup();
}

/*
 * The placeholders' template: an O_PATH descriptor of "/" kept at the top
 * of the descriptor space (so it never takes a number the program expects
 * back, as close(1); open() must give 1), and hidden from close, dup2 and
 * close_range like the client's sockets.  Duplicating it costs a third of
 * opening "/" afresh.
 */
int hj_tmplfd = -1;

static int
template_fd(void)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	struct rlimit rl;
	int fd, hi, top = 1024;

	if ((fd = __atomic_load_n(&hj_tmplfd, __ATOMIC_ACQUIRE)) >= 0)
		return fd;
	pthread_mutex_lock(&lock);
	if (hj_tmplfd < 0 &&
	    (fd = HOST(open)("/", O_PATH | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
		    rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < (rlim_t)top)
			top = (int)rl.rlim_cur;
		/* Just below the client's sockets (RUMPCLIENT_NFDS of them). */
		hi = HOST(fcntl)(fd, F_DUPFD_CLOEXEC, top > 130 ? top - 65 :
		    top / 2 - 1);
		if (hi >= 0) {
			HOST(close)(fd);
			fd = hi;
		}
		hj_fd_private_add(fd);
		__atomic_store_n(&hj_tmplfd, fd, __ATOMIC_RELEASE);
	}
	fd = hj_tmplfd;
	pthread_mutex_unlock(&lock);
	return fd;
}

int
hj_fd_hide(int fd)
{
	int t = template_fd(), hi;

	/* Just below the template; if there is no room, stay and hide. */
	hi = t > 64 ? HOST(fcntl)(fd, F_DUPFD_CLOEXEC, t - 64) : -1;
	if (hi >= 0 && hi < t) {
		HOST(close)(fd);
		fd = hi;
	} else if (hi >= 0) {
		HOST(close)(hi);
	}
	hj_fd_private_add(fd);
	return fd;
}

void
hj_fd_unhide_close(int fd)
{
	hj_fd_private_del(fd);
	HOST(close)(fd);
}

/* A placeholder at the lowest free host number >= min. */
static int
placeholder(int min, bool cloexec)
{
	int t = template_fd();

	if (t < 0)
		return -1;
	return HOST(fcntl)(t, cloexec ? F_DUPFD_CLOEXEC : F_DUPFD, min);
}

int
hj_fd_install(int kfd, int min, bool cloexec)
{
	int fd, e;

	if (map_init() != 0 || (fd = placeholder(min, cloexec)) < 0) {
		e = errno ? errno : ENOMEM;
		hjk_close(kfd);
		errno = e;
		return -1;
	}
	if (fd >= hj_fdmax) {
		HOST(close)(fd);
		hjk_close(kfd);
		errno = EMFILE;
		return -1;
	}
	map_set(fd, kfd);
	return fd;
}

int
hj_fd_replace(int fd, int kfd, bool cloexec)
{
	int t, e;

	if (map_init() != 0 || (t = template_fd()) < 0 || fd >= hj_fdmax ||
	    HOST(dup3)(t, fd, cloexec ? O_CLOEXEC : 0) < 0) {
		e = errno ? errno : ENOMEM;
		hjk_close(kfd);
		errno = e;
		return -1;
	}
	map_set(fd, kfd);
	return fd;
}

int
hj_fd_close(int fd)
{
	int kfd = hj_fd_kernel(fd), rv;

	if (kfd < 0) {
		errno = EBADF;
		return -1;
	}
	/* Unmap first: the number is free for the host once closed. */
	map_set(fd, -1);
	rv = hjk_close(kfd);
	HOST(close)(fd);
	return rv;
}

int
hj_fd_dup3(int oldfd, int newfd, int flags)
{
	int ko = hj_fd_kernel(oldfd), kn = hj_fd_kernel(newfd), k2;

	if (oldfd == newfd) {
		errno = EINVAL;		/* dup3's rule; dup2 checks earlier */
		return -1;
	}
	if (ko < 0) {
		/* A host descriptor replaces a kernel one. */
		if (HOST(dup3)(oldfd, newfd, flags) < 0)
			return -1;
		if (kn >= 0) {
			map_set(newfd, -1);
			hjk_close(kn);
		}
		return newfd;
	}
	if ((k2 = hjk_fcntl(ko, (flags & O_CLOEXEC) ? F_DUPFD_CLOEXEC :
	    F_DUPFD, 0)) < 0)
		return -1;
	if (map_init() != 0 || newfd >= hj_fdmax ||
	    HOST(dup3)(oldfd, newfd, flags) < 0) {
		int e = errno;

		hjk_close(k2);
		errno = e;
		return -1;
	}
	map_set(newfd, k2);
	if (kn >= 0)
		hjk_close(kn);
	return newfd;
}

int
hj_fd_dupmin(int fd, int min, bool cloexec)
{
	int ko = hj_fd_kernel(fd), k2, fd2;

	if ((k2 = hjk_fcntl(ko, cloexec ? F_DUPFD_CLOEXEC : F_DUPFD, 0)) < 0)
		return -1;
	/* A duplicate of the placeholder itself keeps its name (a kernel
	 * socket's, hj_sockname.c). */
	fd2 = HOST(fcntl)(fd, cloexec ? F_DUPFD_CLOEXEC : F_DUPFD, min);
	if (fd2 < 0 || fd2 >= hj_fdmax) {
		int e = fd2 < 0 ? errno : EMFILE;

		if (fd2 >= 0)
			HOST(close)(fd2);
		hjk_close(k2);
		errno = e;
		return -1;
	}
	map_set(fd2, k2);
	return fd2;
}

int
hj_fd_setcloexec(int fd, bool cloexec)
{
	int ko = hj_fd_kernel(fd);

	if (hjk_fcntl(ko, F_SETFD, cloexec ? FD_CLOEXEC : 0) < 0)
		return -1;
	return HOST(fcntl)(fd, F_SETFD, cloexec ? FD_CLOEXEC : 0);
}

int
hj_fd_close_range(unsigned first, unsigned last, int flags)
{
	unsigned top;

	if (hj_fdmap == NULL || fdhigh < 0)
		return 0;
	top = last < (unsigned)fdhigh ? last + 1 : (unsigned)fdhigh + 1;
	for (unsigned fd = first; fd < top; fd++) {
		int kfd = hj_fd_kernel((int)fd);

		if (kfd < 0)
			continue;
		if (flags & CLOSE_RANGE_CLOEXEC) {
			hjk_fcntl(kfd, F_SETFD, FD_CLOEXEC);
		} else {
			map_set((int)fd, -1);
			hjk_close(kfd);
		}
	}
	return 0;
}

/* "host:kernel,..." for the descriptors that survive execve. */
char *
hj_fd_export(void)
{
	size_t cap = 256, len = 0;
	char *s = NULL, *n;

	if (hj_fdmap == NULL)
		return NULL;
	for (int fd = 0; fd <= fdhigh; fd++) {
		int kfd = hj_fd_kernel(fd), fl;

		if (kfd < 0)
			continue;
		fl = HOST(fcntl)(fd, F_GETFD);
		if (fl < 0 || (fl & FD_CLOEXEC))
			continue;
		if (s == NULL || cap - len < 32) {
			cap *= 2;
			if ((n = realloc(s, cap)) == NULL) {
				free(s);
				return NULL;
			}
			s = n;
			if (len == 0)
				len = (size_t)snprintf(s, cap,
				    "RUMPHIJACK__FDMAP=");
		}
		len += (size_t)snprintf(s + len, cap - len, "%d:%d,", fd, kfd);
	}
	return s;
}

void
hj_fd_import(const char *s)
{
	int fd, kfd, n;

	if (s == NULL || map_init() != 0)
		return;
	while (sscanf(s, "%d:%d,%n", &fd, &kfd, &n) == 2 && n > 0) {
		if (fd >= 0 && fd < hj_fdmax && kfd >= 0)
			map_set(fd, kfd);
		s += n;
	}
}
