/*
 * hj_path.c: which paths belong to the kernel.
 *
 * An absolute path is the kernel's if, with "." and repeated slashes
 * removed, it lies under a path= prefix (which is stripped) or a blanket=
 * prefix (kept).  ".." never switches namespaces: "/rump/../etc" is the
 * kernel's /etc, as in NetBSD.  A relative
 * path is the kernel's when its directory is: a kernel dirfd, or the
 * current directory after a chdir into the kernel.  Symbolic links are
 * the business of whichever kernel resolves the path.
 */
#include <stdio.h>
#include <string.h>

#include "hj.h"

bool hj_cwd_kernel;

/*
 * Lexically normalizes an absolute path into out: no "." or "//".  ".."
 * stays: as in NetBSD, it does not switch namespaces ("/rump/.." is the
 * kernel's root, whose ".." is itself).
 */
static int
normalize(const char *path, char *out, size_t outlen)
{
	size_t n = 0;
	const char *p = path;

	out[n++] = '/';
	while (*p != '\0') {
		const char *s;
		size_t len;

		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		s = p;
		while (*p != '\0' && *p != '/')
			p++;
		len = (size_t)(p - s);
		if (len == 1 && s[0] == '.')
			continue;
		if (n + len + 2 > outlen)
			return -1;
		if (n > 1)
			out[n++] = '/';
		memcpy(out + n, s, len);
		n += len;
	}
	/* A trailing slash means "a directory": keep it for the kernel. */
	if (p > path && p[-1] == '/' && n > 1) {
		if (n + 2 > outlen)
			return -1;
		out[n++] = '/';
	}
	out[n] = '\0';
	return 0;
}

/* The prefix path lies under, or NULL; quick for the common miss. */
static const struct hj_prefix *
match(const char *path)
{
	for (int i = 0; i < hj_cfg.nprefix; i++) {
		const struct hj_prefix *x = &hj_cfg.prefix[i];

		if (x->len == 1 ||
		    (strncmp(path, x->path, x->len) == 0 &&
		    (path[x->len] == '/' || path[x->len] == '\0')))
			return x;
	}
	return NULL;
}

/* Could this absolute path be the kernel's?  (No "..": first test.) */
static bool
maybe_kernel(const char *path)
{
	for (int i = 0; i < hj_cfg.nprefix; i++) {
		const struct hj_prefix *x = &hj_cfg.prefix[i];

		if (x->len == 1 || strncmp(path, x->path, x->len) == 0)
			return true;
	}
	/* "//rump" or "/./rump" still name the prefix. */
	return path[1] == '/' || path[1] == '.';
}

/* How far maybe_kernel() reads a path: the longest prefix and a byte. */
static size_t peek;

static size_t
peek_len(void)
{
	size_t n = 2;

	for (int i = 0; i < hj_cfg.nprefix; i++)
		if (hj_cfg.prefix[i].len + 1 > n)
			n = hj_cfg.prefix[i].len + 1;
	return n;
}

int
hj_route(int dirfd, const char *path, char *kbuf, size_t kbuflen,
    int *kdirfd, const char **kpath)
{
	const struct hj_prefix *x;
	char norm[PATH_MAX + 2];
	size_t plen, n;
	int kd;

	if (hj_inside)			/* the shim's own libc calls */
		return HJ_HOST;
	if (__builtin_expect(!hj_ready, 0))
		hj_setup();
	if (path == NULL || !hj_cfg.vfs)
		return HJ_HOST;
	/*
	 * What reads the path below is first read under a recovery point
	 * (no system call), so that a path in unmapped memory is EFAULT as
	 * on the host rather than a fault in the shim: only as far as the
	 * host/kernel decision looks (a prefix and a byte), the whole path
	 * once it may be the kernel's.
	 */
	if (__builtin_expect((n = __atomic_load_n(&peek, __ATOMIC_RELAXED))
	    == 0, 0)) {
		n = peek_len();
		__atomic_store_n(&peek, n, __ATOMIC_RELAXED);
	}
	if (hj_fpeek(path, n, &plen) != 0) {
		errno = EFAULT;
		return -1;
	}
	if (path[0] != '/') {
		if (dirfd == AT_FDCWD) {
			if (!hj_cwd_kernel)
				return HJ_HOST;
			kd = AT_FDCWD;
		} else if ((kd = hj_fd_kernel(dirfd)) < 0) {
			return HJ_HOST;
		}
		*kdirfd = kd;
		*kpath = path;
		return HJ_KERNEL;
	}
	if (!maybe_kernel(path))
		return HJ_HOST;
	if (plen == n && hj_fstrnlen(path, PATH_MAX + 1, &plen) != 0) {
		errno = EFAULT;
		return -1;
	}
	if (normalize(path, norm, sizeof(norm)) != 0) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((x = match(norm)) == NULL)
		return HJ_HOST;
	*kdirfd = AT_FDCWD;
	if (!x->strip) {
		if (strlen(norm) + 1 > kbuflen) {
			errno = ENAMETOOLONG;
			return -1;
		}
		memcpy(kbuf, norm, strlen(norm) + 1);
	} else if (norm[x->len] == '\0') {
		snprintf(kbuf, kbuflen, "/");
	} else {
		if (strlen(norm + x->len) + 1 > kbuflen) {
			errno = ENAMETOOLONG;
			return -1;
		}
		memcpy(kbuf, norm + x->len, strlen(norm + x->len) + 1);
	}
	*kpath = kbuf;
	return HJ_KERNEL;
}

const char *
hj_show_prefix(void)
{
	for (int i = 0; i < hj_cfg.nprefix; i++)
		if (hj_cfg.prefix[i].strip)
			return hj_cfg.prefix[i].path;
	return "";
}
