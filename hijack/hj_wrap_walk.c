/*
 * hj_wrap_walk.c: realpath and the ftw family.  glibc implements both
 * over its internal lstat, readlink and opendir, which no wrapper sees,
 * so for a path in the kernel they are redone here over the kernel's
 * calls; a host path goes to the host's function untouched.
 *
 * A kernel path is resolved as the kernel resolves it: an absolute
 * symbolic link target and ".." stop at the kernel's root, so
 * realpath("/rump/l") with l -> /etc is "/rump/etc", the file that
 * open("/rump/l") opens.
 */
#include <ftw.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hj.h"

HOST_CACHE(realpath);
HOST_CACHE(canonicalize_file_name);
HOST_CACHE(ftw);
HOST_CACHE(ftw64);
HOST_CACHE(nftw);
HOST_CACHE(nftw64);
HOST_CACHE(open);
HOST_CACHE(close);
HOST_CACHE(fchdir);

#define MAXLINKS	40	/* Linux's limit of links in one lookup */

/* --- realpath --------------------------------------------------------------- */

/* Drops out's last component ("/" stays). */
static void
pop(char *out, size_t *n)
{
	while (*n > 1 && out[*n - 1] != '/')
		(*n)--;
	if (*n > 1)
		(*n)--;
	out[*n] = '\0';
}

/* The length of the show prefix if link (absolute) is under it, else 0. */
static size_t
under_prefix(const char *link, size_t ll)
{
	const char *pre = hj_show_prefix();
	size_t pl = strlen(pre);

	if (pl <= 1 || ll < pl || memcmp(link, pre, pl) != 0 ||
	    (ll > pl && link[pl] != '/'))
		return 0;
	return pl;
}

/*
 * Resolves the kernel path kp (relative: to the kernel's cwd) into out
 * (PATH_MAX), in the kernel's name space.  An absolute link target under
 * the prefix means the kernel's root, as the kernel reads it; one outside
 * it is a host path: then *leftp (if not NULL) is set and out is that
 * host path followed by what was left to resolve (without leftp, such a
 * target is resolved in the kernel).  0, or -1 with errno.
 */
static int
k_resolve_left(const char *kp, char *out, bool *leftp)
{
	char rest[2 * PATH_MAX], link[PATH_MAX];
	size_t n, rl = strlen(kp);
	int links = 0;
	char *p;

	if (rl >= sizeof(rest)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(rest, kp, rl + 1);
	if (kp[0] == '/')
		strcpy(out, "/");
	else if (hjk_getcwd(out, PATH_MAX) == NULL)
		return -1;
	n = strlen(out);
	p = rest;
	while (*p != '\0') {
		struct stat st;
		char *s;
		size_t len;
		ssize_t ll;

		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		for (s = p; *p != '\0' && *p != '/'; p++)
			continue;
		len = (size_t)(p - s);
		if (len == 1 && s[0] == '.')
			continue;
		if (len == 2 && s[0] == '.' && s[1] == '.') {
			pop(out, &n);
			continue;
		}
		if (n + len + 2 > PATH_MAX) {
			errno = ENAMETOOLONG;
			return -1;
		}
		if (n > 1)
			out[n++] = '/';
		memcpy(out + n, s, len);
		n += len;
		out[n] = '\0';
		if (hjk_newfstatat(AT_FDCWD, out, &st, AT_SYMLINK_NOFOLLOW) != 0)
			return -1;
		if (S_ISLNK(st.st_mode)) {
			size_t tl;

			if (++links > MAXLINKS) {
				errno = ELOOP;
				return -1;
			}
			ll = hjk_readlinkat(AT_FDCWD, out, link, sizeof(link));
			if (ll < 0)
				return -1;
			if ((size_t)ll >= sizeof(link)) {
				errno = ENAMETOOLONG;
				return -1;
			}
			/* rest = target + what is left after this component */
			tl = strlen(p);
			if ((size_t)ll + tl + 1 > sizeof(rest)) {
				errno = ENAMETOOLONG;
				return -1;
			}
			if (ll > 0 && link[0] == '/' && leftp != NULL &&
			    hj_show_prefix()[1] != '\0' &&
			    under_prefix(link, (size_t)ll) == 0) {
				/* The target is the host's: so is the rest. */
				if ((size_t)ll + tl + 1 > PATH_MAX) {
					errno = ENAMETOOLONG;
					return -1;
				}
				memcpy(out, link, (size_t)ll);
				memcpy(out + ll, p, tl + 1);
				*leftp = true;
				return 0;
			}
			if (ll > 0 && link[0] == '/') {
				size_t pl = under_prefix(link, (size_t)ll);

				memmove(link, link + pl, (size_t)ll - pl);
				ll -= (ssize_t)pl;
				if (ll == 0)
					link[ll++] = '/';
			}
			memmove(rest + ll, p, tl + 1);
			memcpy(rest, link, (size_t)ll);
			p = rest;
			if (ll > 0 && link[0] == '/') {
				strcpy(out, "/");
				n = 1;
			} else {
				pop(out, &n);
			}
		} else if (!S_ISDIR(st.st_mode) && *p != '\0') {
			errno = ENOTDIR;
			return -1;
		}
	}
	return 0;
}

int
hj_linkout_path(int kd, const char *kp, bool follow, char *host)
{
	int r = hj_linkout_side(kd, kp, follow, host);

	if (r == 0) {
		/* The kernel said the path leaves; it no longer does. */
		errno = ENOENT;
		return -1;
	}
	return r < 0 ? -1 : 0;
}

int
hj_linkout_side(int kd, const char *kp, bool follow, char *host)
{
	char path[PATH_MAX], kdpath[64];
	const char *base = NULL;
	size_t n = strlen(kp);
	bool left = false;
	ssize_t dl = 0;

	if (kp[0] != '/' && kd != AT_FDCWD) {
		/* Relative to a kernel directory descriptor: its path. */
		snprintf(kdpath, sizeof(kdpath), "/proc/self/fd/%d", kd);
		if ((dl = hjk_readlinkat(AT_FDCWD, kdpath, path,
		    sizeof(path) - 1)) < 0)
			return -1;
		path[dl++] = '/';
	}
	if ((size_t)dl + n + 1 > sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(path + dl, kp, n + 1);
	n += (size_t)dl;
	if (!follow) {
		/* The last component stays as it is: resolve its directory. */
		while (n > 1 && path[n - 1] == '/')
			path[--n] = '\0';
		char *slash = strrchr(path, '/');

		if (slash == NULL) {
			base = path;
			kp = ".";
		} else {
			*slash = '\0';
			base = slash + 1;
			kp = slash == path ? "/" : path;
		}
	} else {
		kp = path;
	}
	if (k_resolve_left(kp, host, &left) != 0)
		return -1;
	if (!left)
		return 0;
	if (base != NULL) {
		size_t hl = strlen(host), bl = strlen(base);

		if (hl + bl + 2 > PATH_MAX) {
			errno = ENAMETOOLONG;
			return -1;
		}
		host[hl] = '/';
		memcpy(host + hl + 1, base, bl + 1);
	}
	return 1;
}

/* realpath for a kernel path: shown under the prefix; a link out of the
 * kernel continues on the host. */
static char *
k_realpath(const char *kp, char *resolved)
{
	char out[PATH_MAX];
	const char *pre = hj_show_prefix();
	size_t pl = strlen(pre), ol;
	bool left = false;

	if (k_resolve_left(kp, out, hj_linkout_on() ? &left : NULL) != 0)
		return NULL;
	if (left)
		return HOST(realpath)(out, resolved);
	ol = strlen(out);
	if (pl > 0 && ol == 1)
		ol = 0;			/* the kernel's "/" is the prefix */
	if (pl + ol + 1 > PATH_MAX) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	if (resolved == NULL && (resolved = malloc(pl + ol + 1)) == NULL)
		return NULL;
	memcpy(resolved, pre, pl);
	memcpy(resolved + pl, out, ol);
	resolved[pl + ol] = '\0';
	return resolved;
}

HJ_EXPORT char *
realpath(const char *path, char *resolved)
{
	char kb[PATH_MAX];
	const char *kp;
	int kd;

	if (path == NULL) {
		errno = EINVAL;
		return NULL;
	}
	if (path[0] == '\0') {
		errno = ENOENT;
		return NULL;
	}
	switch (hj_route(AT_FDCWD, path, kb, sizeof(kb), &kd, &kp)) {
	case HJ_HOST:
		return HOST(realpath)(path, resolved);
	case HJ_KERNEL:
		return k_realpath(kp, resolved);
	default:
		return NULL;
	}
}

char *__realpath_chk(const char *, char *, size_t);

HJ_EXPORT char *
__realpath_chk(const char *path, char *resolved, size_t resolvedlen)
{
	if (resolvedlen < PATH_MAX)
		__chk_fail();
	return realpath(path, resolved);
}

HJ_EXPORT char *
canonicalize_file_name(const char *path)
{
	char kb[PATH_MAX];
	const char *kp;
	int kd;

	if (hj_nopath(path))
		return realpath(path, NULL);
	switch (hj_route(AT_FDCWD, path, kb, sizeof(kb), &kd, &kp)) {
	case HJ_HOST:
		return HOST(canonicalize_file_name)(path);
	case HJ_KERNEL:
		return k_realpath(kp, NULL);
	default:
		return NULL;
	}
}

/* --- ftw, nftw ----------------------------------------------------------------- */

/*
 * The walk goes through kernel descriptors (each directory's, relative
 * names below it) as glibc's does through the host's, so deep trees and
 * FTW_CHDIR need no long paths; the callback sees the caller's spelling.
 */
struct walk {
	int (*nfn)(const char *, const struct stat *, int, struct FTW *);
	int (*ofn)(const char *, const struct stat *, int);
	int flags;
	dev_t dev;
	void *known;		/* tsearch tree of directories seen */
	char *path;		/* what the callback sees */
	size_t cap;
	struct FTW ftw;
	bool moved;		/* FTW_CHDIR: a subdirectory moved the cwd */
};

struct known {
	dev_t dev;
	ino_t ino;
};

static int
known_cmp(const void *a, const void *b)
{
	const struct known *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

/* true if the directory was seen already; else records it. */
static int
seen(struct walk *w, const struct stat *st, bool *was)
{
	struct known key = { st->st_dev, st->st_ino }, *k, **r;

	*was = tfind(&key, &w->known, known_cmp) != NULL;
	if (*was)
		return 0;
	if ((k = malloc(sizeof(*k))) == NULL)
		return -1;
	*k = key;
	if ((r = tsearch(k, &w->known, known_cmp)) == NULL) {
		free(k);
		return -1;
	}
	return 0;
}

static int
call(struct walk *w, const struct stat *st, int flag)
{
	if (w->nfn != NULL)
		return w->nfn(w->path, st, flag, &w->ftw);
	/* ftw's callback knows no FTW_SL, FTW_DP or FTW_SLN. */
	if (flag == FTW_SL)
		flag = FTW_F;
	else if (flag == FTW_SLN)
		flag = FTW_NS;
	return w->ofn(w->path, st, flag);
}

/* Appends "/name" to the shown path at len; the new base, or -1. */
static int
append(struct walk *w, size_t len, const char *name)
{
	size_t nl = strlen(name), sep = len > 0 && w->path[len - 1] != '/';
	char *p;

	if (len + sep + nl + 1 > w->cap) {
		size_t cap = (len + sep + nl + 1) * 2;

		if ((p = realloc(w->path, cap)) == NULL)
			return -1;
		w->path = p;
		w->cap = cap;
	}
	if (sep)
		w->path[len] = '/';
	memcpy(w->path + len + sep, name, nl + 1);
	return (int)(len + sep);
}

/* The names in kernel directory fd, NUL-separated, ending in "". */
static char *
list_dir(int fd)
{
	char buf[16384];
	size_t len = 0, cap = 4096;
	char *names = malloc(cap), *p;
	ssize_t n;

	if (names == NULL)
		return NULL;
	while ((n = hjk_getdents64(fd, buf, sizeof(buf))) > 0) {
		for (ssize_t off = 0; off < n;) {
			/* struct linux_dirent64: ino, off, reclen, type, name */
			unsigned short reclen;
			const char *name = buf + off + 19;
			size_t nl = strlen(name);

			memcpy(&reclen, buf + off + 16, sizeof(reclen));
			off += reclen;
			if (reclen == 0)
				break;
			if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
				continue;
			if (len + nl + 2 > cap) {
				cap = (len + nl + 2) * 2;
				if ((p = realloc(names, cap)) == NULL) {
					free(names);
					return NULL;
				}
				names = p;
			}
			memcpy(names + len, name, nl + 1);
			len += nl + 1;
		}
	}
	if (n < 0) {
		free(names);
		return NULL;
	}
	names[len] = '\0';
	return names;
}

static int walk_entry(struct walk *w, int dfd, const char *name);

/* A directory: FTW_D, its entries, FTW_DP.  w->path is its shown path. */
static int
walk_dir(struct walk *w, int dfd, const char *name, const struct stat *st)
{
	size_t len = strlen(w->path);
	struct FTW save = w->ftw;
	char *names, *nm;
	int fd, r = 0, act = w->flags & FTW_ACTIONRETVAL;

	fd = hjk_openat(dfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC |
	    ((w->flags & FTW_PHYS) ? O_NOFOLLOW : 0), 0);
	if (fd < 0)
		return errno == EACCES ? call(w, st, FTW_DNR) : -1;
	if (!(w->flags & FTW_DEPTH) && (r = call(w, st, FTW_D)) != 0) {
		hjk_close(fd);
		return act && r == FTW_SKIP_SUBTREE ? 0 : r;
	}
	if ((names = list_dir(fd)) == NULL) {
		int e = errno;

		hjk_close(fd);
		errno = e;
		return -1;
	}
	/* The entries are handled from inside this directory. */
	if (w->flags & FTW_CHDIR)
		r = hjk_fchdir(fd);
	w->moved = false;
	w->ftw.level++;
	for (nm = names; r == 0 && *nm != '\0'; nm += strlen(nm) + 1) {
		int base = append(w, len, nm);

		if (base < 0) {
			r = -1;
			break;
		}
		w->ftw.base = base;
		r = walk_entry(w, fd, nm);
		/* Back from a subdirectory that moved the cwd. */
		if (r == 0 && w->moved && hjk_fchdir(fd) != 0)
			r = -1;
		w->moved = false;
		if (r == 0)
			continue;
		if (act && r == FTW_SKIP_SUBTREE) {
			r = 0;
			continue;
		}
		if (act && r == FTW_SKIP_SIBLINGS)
			r = 0;
		break;
	}
	free(names);
	w->path[len] = '\0';
	w->ftw = save;
	w->moved = (w->flags & FTW_CHDIR) != 0;
	if (r == 0 && (w->flags & FTW_DEPTH)) {
		r = call(w, st, FTW_DP);
		if (act && r == FTW_SKIP_SUBTREE)
			r = 0;
	}
	hjk_close(fd);
	return r;
}

/* One entry: name in kernel directory dfd; w->path shows it. */
static int
walk_entry(struct walk *w, int dfd, const char *name)
{
	struct stat st;
	bool was;
	int flag;

	memset(&st, 0, sizeof(st));
	if (w->flags & FTW_PHYS) {
		flag = hjk_newfstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0 ?
		    FTW_NS : S_ISLNK(st.st_mode) ? FTW_SL : FTW_F;
	} else if (hjk_newfstatat(dfd, name, &st, 0) == 0) {
		flag = FTW_F;
	} else {
		flag = errno == ENOENT && hjk_newfstatat(dfd, name, &st,
		    AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode) ?
		    FTW_SLN : FTW_NS;
	}
	/* A start that cannot be stat'ed is an error, not an FTW_NS call. */
	if (flag == FTW_NS && w->ftw.level == 0)
		return -1;
	if (flag != FTW_NS && (w->flags & FTW_MOUNT) && st.st_dev != w->dev)
		return 0;
	if (flag != FTW_F || !S_ISDIR(st.st_mode))
		return call(w, &st, flag);
	/* A directory met again (through a link) is not walked twice. */
	if (seen(w, &st, &was) != 0)
		return -1;
	return was ? 0 : walk_dir(w, dfd, name, &st);
}

/* nftw/ftw over the kernel path kp, shown as dir. */
static int
k_walk(struct walk *w, const char *dir, const char *kp)
{
	char kbuf[PATH_MAX], *slash;
	const char *name = kbuf;
	size_t dl = strlen(dir), kl = strlen(kp), i;
	int pfd = AT_FDCWD, cwdfd = -1, r, e;
	bool cwdk = hj_cwd_kernel;
	struct stat st;

	if (kl >= sizeof(kbuf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	/* Trailing slashes go, as in glibc's: "dir/" shows as "dir". */
	while (dl > 1 && dir[dl - 1] == '/')
		dl--;
	while (kl > 1 && kp[kl - 1] == '/')
		kl--;
	memcpy(kbuf, kp, kl);
	kbuf[kl] = '\0';
	w->cap = dl + 256;
	if ((w->path = malloc(w->cap)) == NULL)
		return -1;
	memcpy(w->path, dir, dl);
	w->path[dl] = '\0';
	for (i = dl; i > 0 && w->path[i - 1] != '/'; i--)
		continue;
	w->ftw.base = (int)i;
	w->ftw.level = 0;
	w->known = NULL;
	if (hjk_newfstatat(AT_FDCWD, kbuf, &st, 0) == 0)
		w->dev = st.st_dev;
	if (w->flags & FTW_CHDIR) {
		/* Back to where the caller was, at the end. */
		cwdfd = cwdk ? hjk_openat(AT_FDCWD, ".", O_RDONLY |
		    O_DIRECTORY | O_CLOEXEC, 0) : HOST(open)(".", O_PATH |
		    O_DIRECTORY | O_CLOEXEC);
		if (cwdfd < 0) {
			free(w->path);
			return -1;
		}
		/* The start is handled from its parent directory. */
		slash = strrchr(kbuf, '/');
		if (slash != NULL && slash[1] != '\0') {
			*slash = '\0';
			pfd = hjk_openat(AT_FDCWD, slash == kbuf ? "/" : kbuf,
			    O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
			name = slash + 1;
			if (pfd < 0 || hjk_fchdir(pfd) != 0) {
				r = -1;
				goto out;
			}
		} else if (strcmp(kbuf, "/") == 0 && hjk_chdir("/") != 0) {
			r = -1;
			goto out;
		}
		hj_cwd_kernel = true;
	}
	r = walk_entry(w, pfd, name);
	if ((w->flags & FTW_ACTIONRETVAL) &&
	    (r == FTW_SKIP_SUBTREE || r == FTW_SKIP_SIBLINGS))
		r = 0;
out:
	e = errno;
	if (pfd != AT_FDCWD && pfd >= 0)
		hjk_close(pfd);
	if (cwdfd >= 0) {
		if (cwdk) {
			(void)hjk_fchdir(cwdfd);
			hjk_close(cwdfd);
		} else {
			(void)HOST(fchdir)(cwdfd);
			HOST(close)(cwdfd);
		}
		hj_cwd_kernel = cwdk;
	}
	tdestroy(w->known, free);
	free(w->path);
	errno = e;
	return r;
}

static int
route_walk(const char *dir, char *kb, size_t kblen, const char **kp)
{
	int kd;

	if (hj_empty(dir)) {
		errno = ENOENT;
		return -1;
	}
	return hj_route(AT_FDCWD, dir, kb, kblen, &kd, kp);
}

HJ_EXPORT int
nftw(const char *dir, int (*fn)(const char *, const struct stat *, int,
    struct FTW *), int nopenfd, int flags)
{
	struct walk w = { .nfn = fn, .flags = flags };
	char kb[PATH_MAX];
	const char *kp;

	switch (route_walk(dir, kb, sizeof(kb), &kp)) {
	case HJ_HOST:
		return HOST(nftw)(dir, fn, nopenfd, flags);
	case HJ_KERNEL:
		if (flags & ~(FTW_PHYS | FTW_MOUNT | FTW_CHDIR | FTW_DEPTH |
		    FTW_ACTIONRETVAL)) {
			errno = EINVAL;
			return -1;
		}
		return k_walk(&w, dir, kp);
	default:
		return -1;
	}
}

HJ_EXPORT int
nftw64(const char *dir, int (*fn)(const char *, const struct stat64 *, int,
    struct FTW *), int nopenfd, int flags)
{
	char kb[PATH_MAX];
	const char *kp;

	if (route_walk(dir, kb, sizeof(kb), &kp) == HJ_HOST)
		return HOST(nftw64)(dir, fn, nopenfd, flags);
	/* struct stat64 is struct stat on this ABI. */
	return nftw(dir, (int (*)(const char *, const struct stat *, int,
	    struct FTW *))(void *)fn, nopenfd, flags);
}

HJ_EXPORT int
ftw(const char *dir, int (*fn)(const char *, const struct stat *, int),
    int nopenfd)
{
	struct walk w = { .ofn = fn };
	char kb[PATH_MAX];
	const char *kp;

	switch (route_walk(dir, kb, sizeof(kb), &kp)) {
	case HJ_HOST:
		return HOST(ftw)(dir, fn, nopenfd);
	case HJ_KERNEL:
		return k_walk(&w, dir, kp);
	default:
		return -1;
	}
}

HJ_EXPORT int
ftw64(const char *dir, int (*fn)(const char *, const struct stat64 *, int),
    int nopenfd)
{
	char kb[PATH_MAX];
	const char *kp;

	if (route_walk(dir, kb, sizeof(kb), &kp) == HJ_HOST)
		return HOST(ftw64)(dir, fn, nopenfd);
	return ftw(dir, (int (*)(const char *, const struct stat *,
	    int))(void *)fn, nopenfd);
}
