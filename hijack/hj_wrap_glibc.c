/*
 * hj_wrap_glibc.c: glibc functions that do their work with glibc's
 * internal system calls, which never reach the shim's wrappers: remove,
 * setmntent, ftok, tempnam, dlopen of a library in the kernel, the
 * terminal controls (tcdrain ..., grantpt, ptsname, login_tty), signalfd
 * and timerfd on a kernel descriptor, sockatmark, bindresvport,
 * eventfd_read/write and backtrace_symbols_fd.  Each is redone here over
 * the wrapped calls when a kernel path or descriptor is involved, and is
 * the host's untouched otherwise.  doc/HIJACK.md ("glibc's functions that
 * take a path or a descriptor") lists the rest and why they need none.
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio_ext.h>
#include <errno.h>
#include <execinfo.h>
#include <limits.h>
#include <mntent.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <utmp.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "hj.h"

/* glibc still exports it; its declaration went to libtirpc's headers. */
int bindresvport(int fd, struct sockaddr_in *sin);

HOST_CACHE(setmntent);
HOST_CACHE(ftok);
HOST_CACHE(tempnam);
HOST_CACHE(dlopen);
HOST_CACHE(dlmopen);
HOST_CACHE(tcdrain);
HOST_CACHE(tcflow);
HOST_CACHE(tcflush);
HOST_CACHE(tcsendbreak);
HOST_CACHE(tcgetsid);
HOST_CACHE(sockatmark);
HOST_CACHE(grantpt);
HOST_CACHE(unlockpt);
HOST_CACHE(ptsname);
HOST_CACHE(ptsname_r);
HOST_CACHE(login_tty);
HOST_CACHE(signalfd);
HOST_CACHE(timerfd_settime);
HOST_CACHE(timerfd_gettime);
HOST_CACHE(bindresvport);
HOST_CACHE(eventfd_read);
HOST_CACHE(eventfd_write);
HOST_CACHE(backtrace_symbols_fd);
HOST_CACHE(close);

/* Is path (relative to the cwd) the kernel's?  -1 with errno. */
static int
in_kernel(const char *path)
{
	char kb[PATH_MAX];
	const char *kp;
	int kd;

	return hj_route(AT_FDCWD, path, kb, sizeof(kb), &kd, &kp);
}

/* --- paths ------------------------------------------------------------------ */

/* glibc's order: unlink, and rmdir when that says it is a directory. */
HJ_EXPORT int
remove(const char *path)
{
	if (unlink(path) == 0)
		return 0;
	if (errno != EISDIR || rmdir(path) != 0)
		return -1;
	return 0;
}

/* /rump/proc/mounts and the like: a stream of ours, locked by the caller. */
HJ_EXPORT FILE *
setmntent(const char *path, const char *mode)
{
	char m[16];
	FILE *f;
	int where = in_kernel(path);

	if (where < 0)
		return NULL;
	if (where == HJ_HOST) {
		hj_fd_flush();
		return HOST(setmntent)(path, mode);
	}
	if (strlen(mode) + 2 > sizeof(m)) {
		errno = EINVAL;
		return NULL;
	}
	snprintf(m, sizeof(m), "%se", mode);
	if ((f = fopen(path, m)) != NULL)
		__fsetlocking(f, FSETLOCKING_BYCALLER);
	return f;
}

/* glibc's formula over the kernel's inode and device numbers. */
HJ_EXPORT key_t
ftok(const char *path, int id)
{
	struct stat st;
	int where = in_kernel(path);

	if (where < 0)
		return (key_t)-1;
	if (where == HJ_HOST)
		return HOST(ftok)(path, id);
	if (stat(path, &st) != 0)
		return (key_t)-1;
	return (key_t)((st.st_ino & 0xffff) | ((st.st_dev & 0xff) << 16) |
	    (((unsigned)id & 0xffu) << 24));
}

static bool
is_dir(const char *d)
{
	struct stat st;

	return d != NULL && stat(d, &st) == 0 && S_ISDIR(st.st_mode);
}

/*
 * tempnam's directory is the first of $TMPDIR (unless set-id), dir,
 * P_tmpdir and /tmp that is a directory; when that is the kernel's, the
 * name is made here, checked with the wrapped lstat.
 */
HJ_EXPORT char *
tempnam(const char *dir, const char *pfx)
{
	static const char set[] = "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	const char *cand[] = { secure_getenv("TMPDIR"), dir, P_tmpdir,
	    "/tmp" }, *d = NULL;
	char buf[PATH_MAX];
	struct stat st;
	size_t dl;
	int where, n;

	for (size_t i = 0; i < sizeof(cand) / sizeof(cand[0]) && !d; i++)
		if (is_dir(cand[i]))
			d = cand[i];
	if (d == NULL || (where = in_kernel(d)) == HJ_HOST)
		return HOST(tempnam)(dir, pfx);
	if (where < 0)
		return NULL;
	if (pfx == NULL || *pfx == '\0')
		pfx = "file";
	for (dl = strlen(d); dl > 1 && d[dl - 1] == '/'; dl--)
		continue;
	for (int tries = 0; tries < TMP_MAX; tries++) {
		unsigned char r[6];

		n = snprintf(buf, sizeof(buf), "%.*s/%.5sXXXXXX", (int)dl, d,
		    pfx);
		if (n < 0 || (size_t)n >= sizeof(buf)) {
			errno = ENAMETOOLONG;
			return NULL;
		}
		if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
			return NULL;
		for (int i = 0; i < 6; i++)
			buf[n - 6 + i] = set[r[i] % (sizeof(set) - 1)];
		if (lstat(buf, &st) != 0 && errno == ENOENT)
			return strdup(buf);
	}
	errno = EEXIST;
	return NULL;
}

/* --- dlopen ------------------------------------------------------------------- */

/*
 * A library in the kernel is copied into a memfd, once per file (the
 * memfd stays open, so a second dlopen names the same /proc/self/fd path
 * and gets the same handle), and the host's loader opens that.  Its
 * dependencies are found as the loader finds them: by name, on the host.
 */
struct dlcopy {
	dev_t dev;
	ino_t ino;
	struct timespec mtime;
	int memfd;
	struct dlcopy *next;
};
static pthread_mutex_t dl_lock = PTHREAD_MUTEX_INITIALIZER;
static struct dlcopy *dl_copies;

static int
dl_memfd(const char *path, bool *close_after)
{
	struct dlcopy *c;
	struct stat st;
	int fd, k, m = -1;

	*close_after = false;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	if ((k = hj_fd_kernel(fd)) < 0) {
		/* A link out of the kernel: a host file after all. */
		*close_after = true;
		return fd;
	}
	if (fstat(fd, &st) != 0) {
		close(fd);
		return -1;
	}
	pthread_mutex_lock(&dl_lock);
	for (c = dl_copies; c != NULL; c = c->next)
		if (c->dev == st.st_dev && c->ino == st.st_ino &&
		    c->mtime.tv_sec == st.st_mtim.tv_sec &&
		    c->mtime.tv_nsec == st.st_mtim.tv_nsec)
			break;
	if (c != NULL) {
		m = c->memfd;
	} else if ((c = malloc(sizeof(*c))) != NULL &&
	    (m = hj_kernel_memfd(k, path)) >= 0) {
		c->dev = st.st_dev;
		c->ino = st.st_ino;
		c->mtime = st.st_mtim;
		c->memfd = m;
		c->next = dl_copies;
		dl_copies = c;
	} else {
		free(c);
	}
	pthread_mutex_unlock(&dl_lock);
	close(fd);
	return m;
}

/* A path with a '/' that is the kernel's: its memfd path in fdpath. */
static int
dl_route(const char *path, char fdpath[static 40], bool *host_fd)
{
	int where, m;

	*host_fd = false;
	if (path == NULL || strchr(path, '/') == NULL)
		return HJ_HOST;
	if ((where = in_kernel(path)) != HJ_KERNEL)
		return where;
	/* A host descriptor (a link out) is closed after the load. */
	if ((m = dl_memfd(path, host_fd)) < 0)
		return -1;
	snprintf(fdpath, 40, "/proc/self/fd/%d", m);
	return HJ_KERNEL;
}

HJ_EXPORT void *
dlopen(const char *path, int mode)
{
	char fdpath[40];
	bool host_fd;
	void *h;
	int where = dl_route(path, fdpath, &host_fd);

	if (where == HJ_HOST)
		return HOST(dlopen)(path, mode);
	if (where < 0)
		return NULL;	/* dlerror() has nothing: errno says why */
	h = HOST(dlopen)(fdpath, mode);
	if (host_fd)
		HOST(close)(atoi(fdpath + 14));
	return h;
}

HJ_EXPORT void *
dlmopen(Lmid_t lm, const char *path, int mode)
{
	char fdpath[40];
	bool host_fd;
	void *h;
	int where = dl_route(path, fdpath, &host_fd);

	if (where == HJ_HOST)
		return HOST(dlmopen)(lm, path, mode);
	if (where < 0)
		return NULL;
	h = HOST(dlmopen)(lm, fdpath, mode);
	if (host_fd)
		HOST(close)(atoi(fdpath + 14));
	return h;
}

/* --- descriptors -------------------------------------------------------------- */

/* No kernel descriptor is a terminal (as isatty says). */
#define NOTTY(call, ...)						\
	if (hj_fd_kernel(fd) < 0)					\
		return HOST(call)(__VA_ARGS__);				\
	errno = ENOTTY;							\
	return -1

HJ_EXPORT int
tcdrain(int fd)
{
	NOTTY(tcdrain, fd);
}

HJ_EXPORT int
tcflow(int fd, int action)
{
	NOTTY(tcflow, fd, action);
}

HJ_EXPORT int
tcflush(int fd, int queue)
{
	NOTTY(tcflush, fd, queue);
}

HJ_EXPORT int
tcsendbreak(int fd, int duration)
{
	NOTTY(tcsendbreak, fd, duration);
}

HJ_EXPORT pid_t
tcgetsid(int fd)
{
	NOTTY(tcgetsid, fd);
}

/* Not a pseudo-terminal master: glibc's answers for a plain file. */
HJ_EXPORT int
grantpt(int fd)
{
	if (hj_fd_kernel(fd) < 0)
		return HOST(grantpt)(fd);
	errno = EINVAL;
	return -1;
}

HJ_EXPORT int
unlockpt(int fd)
{
	if (hj_fd_kernel(fd) < 0)
		return HOST(unlockpt)(fd);
	errno = EINVAL;
	return -1;
}

HJ_EXPORT char *
ptsname(int fd)
{
	if (hj_fd_kernel(fd) < 0)
		return HOST(ptsname)(fd);
	errno = ENOTTY;
	return NULL;
}

HJ_EXPORT int
ptsname_r(int fd, char *buf, size_t len)
{
	if (hj_fd_kernel(fd) < 0)
		return HOST(ptsname_r)(fd, buf, len);
	return errno = ENOTTY;
}

/* glibc's login_tty makes a session before it finds no terminal. */
HJ_EXPORT int
login_tty(int fd)
{
	if (hj_fd_kernel(fd) < 0)
		return HOST(login_tty)(fd);
	(void)setsid();
	errno = ENOTTY;
	return -1;
}

/* A kernel descriptor is no signalfd or timerfd: Linux's EINVAL. */
HJ_EXPORT int
signalfd(int fd, const sigset_t *mask, int flags)
{
	if (fd == -1 || hj_fd_kernel(fd) < 0) {
		if (fd == -1)
			hj_fd_flush();
		return HOST(signalfd)(fd, mask, flags);
	}
	errno = EINVAL;
	return -1;
}

HJ_EXPORT int
timerfd_settime(int fd, int flags, const struct itimerspec *n,
    struct itimerspec *o)
{
	if (hj_fd_kernel(fd) < 0)
		return HOST(timerfd_settime)(fd, flags, n, o);
	errno = EINVAL;
	return -1;
}

HJ_EXPORT int
timerfd_gettime(int fd, struct itimerspec *cur)
{
	if (hj_fd_kernel(fd) < 0)
		return HOST(timerfd_gettime)(fd, cur);
	errno = EINVAL;
	return -1;
}

HJ_EXPORT int
sockatmark(int fd)
{
	int at;

	if (hj_fd_kernel(fd) < 0)
		return HOST(sockatmark)(fd);
	return ioctl(fd, SIOCATMARK, &at) < 0 ? -1 : at;
}

/* glibc's: a free port of 600-1023 for an IPv4 socket (sin may be NULL). */
HJ_EXPORT int
bindresvport(int fd, struct sockaddr_in *sin)
{
	struct sockaddr_in any;
	unsigned start;

	if (hj_fd_kernel(fd) < 0)
		return HOST(bindresvport)(fd, sin);
	if (sin == NULL) {
		memset(&any, 0, sizeof(any));
		any.sin_family = AF_INET;
		sin = &any;
	} else if (sin->sin_family != AF_INET) {
		errno = EAFNOSUPPORT;
		return -1;
	}
	start = (unsigned)getpid() % 424;
	for (unsigned i = 0; i < 424; i++) {
		sin->sin_port = htons((uint16_t)(600 + (start + i) % 424));
		if (bind(fd, (struct sockaddr *)sin, sizeof(*sin)) == 0)
			return 0;
		if (errno != EADDRINUSE)
			return -1;
	}
	return -1;
}

HJ_EXPORT int
eventfd_read(int fd, eventfd_t *value)
{
	if (hj_fd_kernel(fd) < 0)
		return HOST(eventfd_read)(fd, value);
	return read(fd, value, sizeof(*value)) == sizeof(*value) ? 0 : -1;
}

HJ_EXPORT int
eventfd_write(int fd, eventfd_t value)
{
	if (hj_fd_kernel(fd) < 0)
		return HOST(eventfd_write)(fd, value);
	return write(fd, &value, sizeof(value)) == sizeof(value) ? 0 : -1;
}

/* The symbols as backtrace_symbols formats them, a line each. */
HJ_EXPORT void
backtrace_symbols_fd(void *const *buf, int n, int fd)
{
	char **s;

	if (hj_fd_kernel(fd) < 0) {
		HOST(backtrace_symbols_fd)(buf, n, fd);
		return;
	}
	if ((s = backtrace_symbols(buf, n)) == NULL)
		return;
	for (int i = 0; i < n; i++) {
		size_t l = strlen(s[i]);

		if (write(fd, s[i], l) != (ssize_t)l || write(fd, "\n", 1) != 1)
			break;
	}
	free(s);
}
