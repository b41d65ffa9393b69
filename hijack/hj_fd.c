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
 *
 * A placeholder costs two host system calls (a dup at open, a close at
 * close), so closed ones are kept in a small cache (doc/DESIGN.md,
 * "Placeholders, not offsets"): a cached number maps to HJ_KFD_FREE, a
 * kernel descriptor that never exists, so every call on it answers EBADF
 * as for a closed descriptor, and the next kernel descriptor takes it
 * without a system call when it is the lowest number free to the
 * program.  That is known below "floor": every host number below it is
 * in use or cached.  Before any host descriptor is created through a
 * wrapper, and before exec and spawn, the cache is flushed (hj_fd_flush)
 * so the host's lowest-free rule sees every number the program freed.
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
static uint8_t *fdcloexec;		/* placeholder's FD_CLOEXEC, by number */
/* The placeholder is a kernel socket's named one (hj_sockname.c): it is
 * closed with its descriptor, never kept for a file to show under. */
static uint8_t *fdnamed;

/* The cache of free placeholders; its lock also guards floor. */
#define FDCACHE		16
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static int cache[FDCACHE];
int hj_fdcache_n;
int hj_fdfloor;			/* numbers below it: in use or cached */

HOST_CACHE(open);
HOST_CACHE(close);
HOST_CACHE(fcntl);
HOST_CACHE(dup3);

/* A fork while another thread holds the cache must not leave the
 * child's copy locked. */
static void
cache_lock_take(void)
{
	pthread_mutex_lock(&cache_lock);
}


static void
cache_lock_give(void)
{
	pthread_mutex_unlock(&cache_lock);
}

/* The map covers every number the host may give (RLIMIT_NOFILE max);
 * untouched pages cost nothing.  The placeholders' close-on-exec flags
 * follow it, a byte a number. */
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
		p = mmap(NULL, n * (sizeof(int32_t) + 2), PROT_READ |
		    PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		    -1, 0);
		if (p != MAP_FAILED) {
			hj_fdmax = (int)n;
			fdcloexec = (uint8_t *)p + n * sizeof(int32_t);
			fdnamed = fdcloexec + n;
			pthread_atfork(cache_lock_take, cache_lock_give,
			    cache_lock_give);
			__atomic_store_n(&hj_fdmap, p, __ATOMIC_RELEASE);
		}
	}
	pthread_mutex_unlock(&lock);
	return hj_fdmap != NULL ? 0 : ENOMEM;
}

static void
map_set(int fd, int kfd, bool cloexec)
{
	int high = __atomic_load_n(&fdhigh, __ATOMIC_RELAXED);

	while (kfd >= 0 && fd > high &&
	    !__atomic_compare_exchange_n(&fdhigh, &high, fd, false,
	    __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		continue;
	if (kfd >= 0)
		fdcloexec[fd] = cloexec;
	if (kfd < 0 || kfd == HJ_KFD_FREE)
		fdnamed[fd] = 0;
	__atomic_store_n(&hj_fdmap[fd], kfd + 1, __ATOMIC_RELEASE);
	/* stdin/stdout/stderr on a kernel file need streams that reach it. */
	if (fd <= 2 && kfd >= 0 && kfd != HJ_KFD_FREE)
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

/* --- the cache of free placeholders ------------------------------------ */

/*
 * The floor only falls between reservations (a host close, from any
 * thread or signal handler): lock-free, a compare-and-swap to the lower
 * value.
 */
static void
floor_lower(int fd)
{
	int f = __atomic_load_n(&hj_fdfloor, __ATOMIC_RELAXED);

	if (fd < 0)
		fd = 0;
	while (fd < f && !__atomic_compare_exchange_n(&hj_fdfloor, &f, fd,
	    false, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		continue;
}

void
hj_fd_freed_slow(int fd)
{
	floor_lower(fd);
}

/*
 * The cache's lock, not taken again by a signal handler that interrupted
 * its own thread inside it (close and open are async-signal-safe): then
 * cache_enter fails and the caller does without the cache.
 */
static __thread int cache_owned __attribute__((tls_model("initial-exec")));

static bool
cache_enter(void)
{
	if (cache_owned)
		return false;
	pthread_mutex_lock(&cache_lock);
	cache_owned = 1;
	return true;
}

static void
cache_exit(void)
{
	cache_owned = 0;
	pthread_mutex_unlock(&cache_lock);
}

/* The lowest cached number >= min: its index, or -1.  Lock held (as
 * for cache_take and cache_put). */
static int
cache_lowest(int min)
{
	int best = -1;

	for (int i = 0; i < hj_fdcache_n; i++)
		if (cache[i] >= min && (best < 0 || cache[i] < cache[best]))
			best = i;
	return best;
}

static int
cache_take(int i)
{
	int fd = cache[i], n = hj_fdcache_n - 1;

	cache[i] = cache[n];
	__atomic_store_n(&hj_fdcache_n, n, __ATOMIC_RELAXED);
	return fd;
}

/* A placeholder the program no longer sees goes into the cache, or is
 * closed when the cache is full (false). */
static bool
cache_put(int fd, bool cloexec)
{
	if (fd <= 2 || hj_fdcache_n == FDCACHE)
		return false;
	map_set(fd, HJ_KFD_FREE, cloexec);
	cache[hj_fdcache_n] = fd;
	__atomic_store_n(&hj_fdcache_n, hj_fdcache_n + 1, __ATOMIC_RELAXED);
	return true;
}

/* Drops fd from the cache, if it is there: its number is being reused by
 * the host (dup2 onto it).  false: not now (a signal handler inside the
 * cache's own update; dup2 answers EBUSY, as Linux does in a race). */
static bool
cache_forget(int fd)
{
	if (!cache_enter())
		return false;
	for (int i = 0; i < hj_fdcache_n; i++)
		if (cache[i] == fd) {
			cache_take(i);
			break;
		}
	cache_exit();
	return true;
}

/* cache_forget undone: fd holds its placeholder still. */
static void
cache_return(int fd)
{
	bool in = cache_enter();

	if (!in || !cache_put(fd, fdcloexec[fd])) {
		map_set(fd, -1, false);
		HOST(close)(fd);
		floor_lower(fd);
	}
	if (in)
		cache_exit();
}

void
hj_fd_flush_slow(void)
{
	/* In a handler inside the cache's update: left as it is (the
	 * handler's new descriptor may get a higher number). */
	if (!cache_enter())
		return;
	while (hj_fdcache_n > 0) {
		int fd = cache_take(hj_fdcache_n - 1);

		map_set(fd, -1, false);
		HOST(close)(fd);
		floor_lower(fd);
	}
	cache_exit();
}

/*
 * The number a new kernel descriptor shows under: the lowest one >= min
 * that is free to the program, which is a cached placeholder's when one
 * lies below floor (no system call), else the host's answer to a dup of
 * the template, or a cached number below that answer (the host's then
 * joins the cache: a free number that is already reserved).  The floor
 * rises to past the host's answer unless a close lowered it meanwhile.
 */
static int
reserve(int min, bool cloexec)
{
	int i, fd, h, f;

	if (!cache_enter())
		return placeholder(min, cloexec);
	i = cache_lowest(min);
	f = __atomic_load_n(&hj_fdfloor, __ATOMIC_RELAXED);
	if (i >= 0 && cache[i] < f) {
		fd = cache_take(i);
		goto got;
	}
	if ((h = placeholder(min, cloexec)) < 0) {
		cache_exit();
		return -1;
	}
	/* Nothing below h and >= min was free on the host. */
	if (min <= f && h >= f)
		(void)__atomic_compare_exchange_n(&hj_fdfloor, &f, h + 1,
		    false, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
	if (i < 0 || cache[i] > h) {
		cache_exit();
		fdcloexec[h] = cloexec;
		return h;
	}
	fd = cache_take(i);
	if (!cache_put(h, cloexec)) {
		HOST(close)(h);
		floor_lower(h);
	}
got:
	cache_exit();
	if (fdcloexec[fd] != cloexec &&
	    HOST(fcntl)(fd, F_SETFD, cloexec ? FD_CLOEXEC : 0) < 0) {
		/* Cannot happen to a descriptor we hold; give it back. */
		floor_lower(fd);
		HOST(close)(fd);
		return -1;
	}
	return fd;
}

int
hj_fd_install(int kfd, int min, bool cloexec)
{
	int fd, e;

	errno = 0;
	if (map_init() != 0 || (fd = reserve(min, cloexec)) < 0) {
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
	map_set(fd, kfd, cloexec);
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
	map_set(fd, kfd, cloexec);
	return fd;
}

int
hj_fd_close(int fd)
{
	int kfd = hj_fd_kernel(fd), rv;
	bool kept;

	if (kfd < 0 || kfd == HJ_KFD_FREE) {
		errno = EBADF;
		return -1;
	}
	/* Unmap (or cache) first: the number is free once closed. */
	kept = false;
	if (!fdnamed[fd] && cache_enter()) {
		kept = cache_put(fd, fdcloexec[fd]);
		cache_exit();
	}
	if (!kept)
		map_set(fd, -1, false);
	rv = hjk_close(kfd);
	if (!kept) {
		HOST(close)(fd);
		hj_fd_freed(fd);
	}
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
		/* A host descriptor replaces a kernel one, or takes a cached
		 * number (out of the cache first: a flush must not close it
		 * once it is the program's). */
		if (kn == HJ_KFD_FREE && !cache_forget(newfd)) {
			errno = EBUSY;
			return -1;
		}
		if (HOST(dup3)(oldfd, newfd, flags) < 0) {
			if (kn == HJ_KFD_FREE)
				cache_return(newfd);
			return -1;
		}
		if (kn >= 0) {
			map_set(newfd, -1, false);
			if (kn != HJ_KFD_FREE)
				hjk_close(kn);
		}
		return newfd;
	}
	if ((k2 = hjk_fcntl(ko, (flags & O_CLOEXEC) ? F_DUPFD_CLOEXEC :
	    F_DUPFD, 0)) < 0)
		return -1;
	if (kn == HJ_KFD_FREE && !cache_forget(newfd)) {
		hjk_close(k2);
		errno = EBUSY;
		return -1;
	}
	if (map_init() != 0 || newfd >= hj_fdmax ||
	    HOST(dup3)(oldfd, newfd, flags) < 0) {
		int e = errno;

		if (kn == HJ_KFD_FREE)
			cache_return(newfd);
		hjk_close(k2);
		errno = e;
		return -1;
	}
	map_set(newfd, k2, (flags & O_CLOEXEC) != 0);
	fdnamed[newfd] = fdnamed[oldfd];	/* the host's dup of its name */
	if (kn >= 0 && kn != HJ_KFD_FREE)
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
	map_set(fd2, k2, cloexec);
	fdnamed[fd2] = fdnamed[fd];
	return fd2;
}

void
hj_fd_named(int fd)
{
	if (hj_fd_kernel(fd) >= 0)
		fdnamed[fd] = 1;
}

int
hj_fd_setcloexec(int fd, bool cloexec)
{
	int ko = hj_fd_kernel(fd);

	if (hjk_fcntl(ko, F_SETFD, cloexec ? FD_CLOEXEC : 0) < 0 ||
	    HOST(fcntl)(fd, F_SETFD, cloexec ? FD_CLOEXEC : 0) < 0)
		return -1;
	fdcloexec[fd] = cloexec;
	return 0;
}

int
hj_fd_close_range(unsigned first, unsigned last, int flags)
{
	unsigned top;

	if (hj_fdmap == NULL || fdhigh < 0)
		return 0;
	hj_fd_flush();
	top = last < (unsigned)fdhigh ? last + 1 : (unsigned)fdhigh + 1;
	for (unsigned fd = first; fd < top; fd++) {
		int kfd = hj_fd_kernel((int)fd);

		if (kfd < 0)
			continue;
		if (flags & CLOSE_RANGE_CLOEXEC) {
			hjk_fcntl(kfd, F_SETFD, FD_CLOEXEC);
			fdcloexec[fd] = 1;
		} else {
			map_set((int)fd, -1, false);
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

		if (kfd < 0 || kfd == HJ_KFD_FREE)
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
			map_set(fd, kfd, false);
		s += n;
	}
}
