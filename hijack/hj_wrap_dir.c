/*
 * hj_wrap_dir.c: directory streams.  glibc's opendir, readdir and scandir
 * read with its internal open and getdents, past our wrappers, so a kernel
 * directory gets a DIR of our own (struct kdir), filled with the kernel's
 * getdents64 on a descriptor that also has a host number (dirfd() works).
 * A host directory keeps the host's DIR.  The two are told apart by the
 * first int: a host DIR starts with its descriptor (>= 0), ours with a
 * negative magic, so the host's path costs one load and compare.
 *
 * On x86_64 struct dirent, struct dirent64 and the kernel's linux_dirent64
 * share one layout, so readdir returns the kernel's records in place.
 */
#include <dirent.h>
#include <glob.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hj.h"

_Static_assert(offsetof(struct dirent, d_name) == 19 &&
    offsetof(struct dirent, d_type) == 18 &&
    offsetof(struct dirent, d_reclen) == 16 &&
    offsetof(struct dirent, d_off) == 8 &&
    sizeof(struct dirent) == sizeof(struct dirent64),
    "struct dirent is not linux_dirent64");

HOST_CACHE(opendir);
HOST_CACHE(fdopendir);
HOST_CACHE(closedir);
HOST_CACHE(readdir);
HOST_CACHE(readdir64);
HOST_CACHE(readdir_r);
HOST_CACHE(readdir64_r);
HOST_CACHE(rewinddir);
HOST_CACHE(seekdir);
HOST_CACHE(telldir);
HOST_CACHE(dirfd);
HOST_CACHE(scandir);
HOST_CACHE(scandir64);
HOST_CACHE(scandirat);
HOST_CACHE(scandirat64);
HOST_CACHE(getdents64);
HOST_CACHE(getdirentries);
HOST_CACHE(getdirentries64);
HOST_CACHE(close);
HOST_CACHE(glob);
HOST_CACHE(glob64);

#define KDIR_MAGIC	((int)0x8d1e0d1e)	/* negative: never a host fd */
#define KDIR_BUFSZ	32768

struct kdir {
	int magic;		/* where a host DIR has its fd */
	int fd;			/* host number of the kernel descriptor */
	pthread_mutex_t lock;
	size_t pos, len;	/* unread records: buf[pos, len) */
	long next;		/* telldir: the position of the next record */
	/* Slack past the records: callers may copy a whole struct dirent. */
	uint64_t buf[(KDIR_BUFSZ + sizeof(struct dirent)) / 8];
};

static inline struct kdir *
kdir_of(DIR *d)
{
	if (d == NULL || *(const int *)(const void *)d != KDIR_MAGIC)
		return NULL;
	return (struct kdir *)(void *)d;
}

/* Closes a descriptor of ours, whoever's number it has become. */
static int
close_number(int fd)
{
	if (hj_fd_kernel(fd) >= 0)
		return hj_fd_close(fd);
	hj_fd_freed(fd);
	return HOST(close)(fd);
}

static DIR *
kdir_new(int fd, long next)
{
	struct kdir *d = malloc(sizeof(*d));

	if (d == NULL)
		return NULL;
	d->magic = KDIR_MAGIC;
	d->fd = fd;
	pthread_mutex_init(&d->lock, NULL);
	d->pos = d->len = 0;
	d->next = next;
	return (DIR *)(void *)d;
}

/* Opens kernel directory (kd, kp) as a DIR; NULL with errno. */
static DIR *
kdir_open(int kd, const char *kp)
{
	int kfd, fd, e;
	DIR *d;

	hj_linkout_armed = 1;
	kfd = hjk_openat(kd, kp, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	hj_linkout_armed = 0;
	if (kfd < 0 && errno == HJ_ELINKOUT) {
		/* A link to a host directory: the host's opendir. */
		char hp[PATH_MAX];

		if (hj_linkout_path(kd, kp, true, hp) != 0)
			return NULL;
		hj_fd_flush();
		return HOST(opendir)(hp);
	}
	if (kfd < 0 || (fd = hj_fd_install(kfd, 0, true)) < 0)
		return NULL;
	if ((d = kdir_new(fd, 0)) == NULL) {
		e = errno;
		hj_fd_close(fd);
		errno = e;
	}
	return d;
}

/* The next record, or NULL: the end (errno untouched) or an error. */
static struct dirent *
kdir_next(struct kdir *d)
{
	struct dirent *e;
	ssize_t n;
	int k;

	if (d->pos >= d->len) {
		if ((k = hj_fd_kernel(d->fd)) < 0) {
			errno = EBADF;
			return NULL;
		}
		if ((n = hjk_getdents64(k, d->buf, KDIR_BUFSZ)) <= 0)
			return NULL;
		d->pos = 0;
		d->len = (size_t)n;
	}
	e = (struct dirent *)(void *)((char *)d->buf + d->pos);
	d->pos += e->d_reclen;
	d->next = (long)e->d_off;
	return e;
}

static void
kdir_seek(struct kdir *d, long loc)
{
	int k = hj_fd_kernel(d->fd);

	pthread_mutex_lock(&d->lock);
	if (k >= 0 && hjk_lseek(k, loc, SEEK_SET) >= 0)
		d->next = loc;
	d->pos = d->len = 0;
	pthread_mutex_unlock(&d->lock);
}

/* --- opendir, closedir ------------------------------------------------- */

HJ_EXPORT DIR *
opendir(const char *path)
{
	char kb[PATH_MAX];
	const char *kp;
	int kd;

	switch (hj_route(AT_FDCWD, path, kb, sizeof(kb), &kd, &kp)) {
	case HJ_HOST:
		hj_fd_flush();
		return HOST(opendir)(path);
	case HJ_KERNEL:
		return kdir_open(kd, kp);
	default:
		return NULL;
	}
}

HJ_EXPORT DIR *
fdopendir(int fd)
{
	struct stat st;
	int k = hj_fd_kernel(fd), fl;
	off_t off;

	if (k < 0)
		return HOST(fdopendir)(fd);
	if (hjk_fstat(k, &st) != 0 || (fl = hjk_fcntl(k, F_GETFL, 0)) < 0)
		return NULL;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return NULL;
	}
	if ((fl & O_ACCMODE) == O_WRONLY) {
		errno = EINVAL;
		return NULL;
	}
	/* Reading goes on from where the descriptor is. */
	off = hjk_lseek(k, 0, SEEK_CUR);
	return kdir_new(fd, off < 0 ? 0 : (long)off);
}

HJ_EXPORT int
closedir(DIR *dir)
{
	struct kdir *d = kdir_of(dir);
	int fd;

	if (d == NULL) {
		DIR *p = dir;

		/* The cache must know the number is free (libc declares dir
		 * nonnull; the asm keeps the NULL test). */
		__asm__("" : "+r"(p));
		fd = p != NULL && hj_fdmap != NULL ? dirfd(p) : -1;
		if (HOST(closedir)(dir) != 0)
			return -1;
		if (fd >= 0)
			hj_fd_freed(fd);
		return 0;
	}
	fd = d->fd;
	pthread_mutex_destroy(&d->lock);
	d->magic = 0;
	free(d);
	return close_number(fd);
}

HJ_EXPORT int
dirfd(DIR *dir)
{
	struct kdir *d = kdir_of(dir);

	return d == NULL ? HOST(dirfd)(dir) : d->fd;
}

/* --- readdir ------------------------------------------------------------ */

HJ_EXPORT struct dirent *
readdir(DIR *dir)
{
	struct kdir *d = kdir_of(dir);
	struct dirent *e;

	if (d == NULL)
		return HOST(readdir)(dir);
	pthread_mutex_lock(&d->lock);
	e = kdir_next(d);
	pthread_mutex_unlock(&d->lock);
	return e;
}

HJ_EXPORT struct dirent64 *
readdir64(DIR *dir)
{
	if (kdir_of(dir) == NULL)
		return HOST(readdir64)(dir);
	return (struct dirent64 *)(void *)readdir(dir);
}

/* readdir_r into the caller's entry: 0 (result NULL at the end) or errno. */
static int
kdir_next_r(struct kdir *d, struct dirent *entry, struct dirent **result)
{
	struct dirent *e;
	int saved = errno, rv = 0;
	size_t nl;

	pthread_mutex_lock(&d->lock);
	errno = 0;
	if ((e = kdir_next(d)) != NULL) {
		nl = strnlen(e->d_name, sizeof(entry->d_name) - 1);
		memcpy(entry, e, offsetof(struct dirent, d_name));
		memcpy(entry->d_name, e->d_name, nl);
		entry->d_name[nl] = '\0';
	} else {
		rv = errno;
	}
	pthread_mutex_unlock(&d->lock);
	*result = e != NULL ? entry : NULL;
	errno = saved;
	return rv;
}

/* readdir_r is deprecated, but programs still call it. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
HJ_EXPORT int
readdir_r(DIR *dir, struct dirent *entry, struct dirent **result)
{
	struct kdir *d = kdir_of(dir);

	if (d == NULL)
		return HOST(readdir_r)(dir, entry, result);
	return kdir_next_r(d, entry, result);
}

HJ_EXPORT int
readdir64_r(DIR *dir, struct dirent64 *entry, struct dirent64 **result)
{
	struct kdir *d = kdir_of(dir);

	if (d == NULL)
		return HOST(readdir64_r)(dir, entry, result);
	return kdir_next_r(d, (struct dirent *)(void *)entry,
	    (struct dirent **)(void *)result);
}
#pragma GCC diagnostic pop

/* --- positions ------------------------------------------------------------ */

HJ_EXPORT void
rewinddir(DIR *dir)
{
	struct kdir *d = kdir_of(dir);

	if (d == NULL)
		HOST(rewinddir)(dir);
	else
		kdir_seek(d, 0);
}

HJ_EXPORT void
seekdir(DIR *dir, long loc)
{
	struct kdir *d = kdir_of(dir);

	if (d == NULL)
		HOST(seekdir)(dir, loc);
	else
		kdir_seek(d, loc);
}

HJ_EXPORT long
telldir(DIR *dir)
{
	struct kdir *d = kdir_of(dir);
	long loc;

	if (d == NULL)
		return HOST(telldir)(dir);
	pthread_mutex_lock(&d->lock);
	loc = d->next;
	pthread_mutex_unlock(&d->lock);
	return loc;
}

/* --- scandir ------------------------------------------------------------ */

typedef int (*scan_filter)(const struct dirent *);
typedef int (*scan_compar)(const struct dirent **, const struct dirent **);

static int
scan_cmp(const void *a, const void *b, void *arg)
{
	return (*(scan_compar *)arg)((const struct dirent **)a,
	    (const struct dirent **)b);
}

/* Reads a kernel DIR into a sorted array; closes it. */
static int
kdir_scan(DIR *dir, struct dirent ***namelist, scan_filter filter,
    scan_compar compar)
{
	struct dirent **v = NULL, **nv, *e, *c;
	size_t n = 0, cap = 0;
	int saved = errno, err = 0;

	if (dir == NULL)
		return -1;
	for (;;) {
		errno = 0;
		if ((e = readdir(dir)) == NULL) {
			err = errno;
			break;
		}
		if (filter != NULL && filter(e) == 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL) {
				err = ENOMEM;
				break;
			}
			v = nv;
		}
		if ((c = malloc(e->d_reclen)) == NULL) {
			err = ENOMEM;
			break;
		}
		memcpy(c, e, e->d_reclen);
		v[n++] = c;
	}
	closedir(dir);
	if (err != 0) {
		while (n > 0)
			free(v[--n]);
		free(v);
		errno = err;
		return -1;
	}
	if (compar != NULL && n > 1)
		qsort_r(v, n, sizeof(*v), scan_cmp, &compar);
	*namelist = v;
	errno = saved;
	return (int)n;
}

HJ_EXPORT int
scandirat(int dirfd, const char *path, struct dirent ***namelist,
    scan_filter filter, scan_compar compar)
{
	char kb[PATH_MAX];
	const char *kp;
	int kd;

	switch (hj_route(dirfd, path, kb, sizeof(kb), &kd, &kp)) {
	case HJ_HOST:
		return HOST(scandirat)(dirfd, path, namelist, filter, compar);
	case HJ_KERNEL:
		return kdir_scan(kdir_open(kd, kp), namelist, filter, compar);
	default:
		return -1;
	}
}

HJ_EXPORT int
scandir(const char *path, struct dirent ***namelist, scan_filter filter,
    scan_compar compar)
{
	char kb[PATH_MAX];
	const char *kp;
	int kd;

	switch (hj_route(AT_FDCWD, path, kb, sizeof(kb), &kd, &kp)) {
	case HJ_HOST:
		return HOST(scandir)(path, namelist, filter, compar);
	case HJ_KERNEL:
		return kdir_scan(kdir_open(kd, kp), namelist, filter, compar);
	default:
		return -1;
	}
}

typedef int (*scan_filter64)(const struct dirent64 *);
typedef int (*scan_compar64)(const struct dirent64 **,
    const struct dirent64 **);

HJ_EXPORT int
scandirat64(int dirfd, const char *path, struct dirent64 ***namelist,
    scan_filter64 filter, scan_compar64 compar)
{
	char kb[PATH_MAX];
	const char *kp;
	int kd;

	switch (hj_route(dirfd, path, kb, sizeof(kb), &kd, &kp)) {
	case HJ_HOST:
		return HOST(scandirat64)(dirfd, path, namelist, filter,
		    compar);
	case HJ_KERNEL:
		/* The same layout: only the pointer types differ. */
		return kdir_scan(kdir_open(kd, kp),
		    (struct dirent ***)(void *)namelist,
		    (scan_filter)(void (*)(void))filter,
		    (scan_compar)(void (*)(void))compar);
	default:
		return -1;
	}
}

HJ_EXPORT int
scandir64(const char *path, struct dirent64 ***namelist,
    scan_filter64 filter, scan_compar64 compar)
{
	char kb[PATH_MAX];
	const char *kp;
	int kd;

	switch (hj_route(AT_FDCWD, path, kb, sizeof(kb), &kd, &kp)) {
	case HJ_HOST:
		return HOST(scandir64)(path, namelist, filter, compar);
	case HJ_KERNEL:
		return kdir_scan(kdir_open(kd, kp),
		    (struct dirent ***)(void *)namelist,
		    (scan_filter)(void (*)(void))filter,
		    (scan_compar)(void (*)(void))compar);
	default:
		return -1;
	}
}

/* --- getdents64, getdirentries ------------------------------------------ */

HJ_EXPORT ssize_t
getdents64(int fd, void *buf, size_t n)
{
	int k = hj_fd_kernel(fd);

	return k < 0 ? HOST(getdents64)(fd, buf, n) :
	    hjk_getdents64(k, buf, n);
}

HJ_EXPORT ssize_t
getdirentries64(int fd, char *buf, size_t n, off64_t *basep)
{
	int k = hj_fd_kernel(fd);
	off_t base;

	if (k < 0)
		return HOST(getdirentries64)(fd, buf, n, basep);
	if ((base = hjk_lseek(k, 0, SEEK_CUR)) < 0)
		return -1;
	*basep = base;
	return hjk_getdents64(k, buf, n);
}

HJ_EXPORT ssize_t
getdirentries(int fd, char *buf, size_t n, off_t *basep)
{
	if (hj_fd_kernel(fd) < 0)
		return HOST(getdirentries)(fd, buf, n, basep);
	return getdirentries64(fd, buf, n, (off64_t *)basep);
}

/* --- glob ------------------------------------------------------------- */

/*
 * glibc's glob reads directories with its internal opendir unless given
 * GLOB_ALTDIRFUNC; with ours, each directory goes where it belongs.
 */
static void *
glob_opendir(const char *path)
{
	return opendir(path);
}

static void *
glob_readdir(void *d)
{
	return readdir(d);
}

static void
glob_closedir(void *d)
{
	closedir(d);
}

static int
glob_stat(const char *path, struct stat *st)
{
	return stat(path, st);
}

static int
glob_lstat(const char *path, struct stat *st)
{
	return lstat(path, st);
}

static void
glob_hooks(glob_t *g)
{
	g->gl_opendir = glob_opendir;
	g->gl_readdir = (struct dirent *(*)(void *))glob_readdir;
	g->gl_closedir = glob_closedir;
	g->gl_stat = glob_stat;
	g->gl_lstat = glob_lstat;
}

HJ_EXPORT int
glob(const char *pattern, int flags, int (*errfunc)(const char *, int),
    glob_t *g)
{
	/* Only when the kernel may be involved: the host's glob otherwise. */
	if (!hj_ready)
		hj_setup();
	if ((flags & GLOB_ALTDIRFUNC) || !hj_cfg.vfs || hj_inside)
		return HOST(glob)(pattern, flags, errfunc, g);
	glob_hooks(g);
	return HOST(glob)(pattern, flags | GLOB_ALTDIRFUNC, errfunc, g);
}

HJ_EXPORT int
glob64(const char *pattern, int flags, int (*errfunc)(const char *, int),
    glob64_t *g)
{
	if (!hj_ready)
		hj_setup();
	if ((flags & GLOB_ALTDIRFUNC) || !hj_cfg.vfs || hj_inside)
		return HOST(glob64)(pattern, flags, errfunc, g);
	/* glob64_t is glob_t with 64-bit types: the same on x86_64. */
	glob_hooks((glob_t *)(void *)g);
	return HOST(glob64)(pattern, flags | GLOB_ALTDIRFUNC, errfunc, g);
}
