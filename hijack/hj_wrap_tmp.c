/*
 * hj_wrap_tmp.c: the mkstemp family, mkdtemp and mktemp, which glibc
 * implements over its internal open and mkdir (so they are redone here
 * for a template in the kernel); a template whose directory is reached
 * through a link out of the kernel is the host's.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hj.h"

HOST_CACHE(mkostemps64);
HOST_CACHE(mkdtemp);
HOST_CACHE(mktemp);

/* --- temporary files ----------------------------------------------------------- */

enum tmpkind { TMP_FILE, TMP_DIR, TMP_NAME };

/* Fills the six X at x (and at x2, the kernel path's copy) with letters. */
static void
fill(char *x, char *x2)
{
	static const char abc[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	static __thread uint64_t state;
	struct timespec ts;
	uint64_t v;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	state += (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 30) ^
	    (uint64_t)(uintptr_t)&ts ^ 0x9e3779b97f4a7c15ULL;
	/* splitmix64: cheap and spreads the few changing bits. */
	v = state;
	v = (v ^ (v >> 30)) * 0xbf58476d1ce4e5b9ULL;
	v = (v ^ (v >> 27)) * 0x94d049bb133111ebULL;
	v ^= v >> 31;
	for (int i = 0; i < 6; i++, v /= 62)
		x[i] = x2[i] = abc[v % 62];
}

/*
 * The template's directory is reached through a link out of the kernel:
 * the host's call on the host path it leads to, whose name is then the
 * program's (its tail copied back into tmpl).
 */
static int
host_mktemp(char *tmpl, int suffixlen, int flags, enum tmpkind kind, int kd,
    const char *kpath)
{
	char hp[PATH_MAX];
	size_t tail = (size_t)suffixlen + 6, hl, tl = strlen(tmpl);
	int r = 0;

	if (hj_linkout_path(kd, kpath, false, hp) != 0)
		return -1;
	if ((hl = strlen(hp)) < tail)
		return -1;
	memcpy(hp + hl - tail, "XXXXXX", 6);
	switch (kind) {
	case TMP_FILE:
		hj_fd_flush();
		r = HOST(mkostemps64)(hp, suffixlen, flags);
		break;
	case TMP_DIR:
		r = HOST(mkdtemp)(hp) != NULL ? 0 : -1;
		break;
	case TMP_NAME:
		r = HOST(mktemp)(hp)[0] != '\0' ? 0 : -1;
		break;
	}
	if (r >= 0)
		memcpy(tmpl + tl - tail, hp + hl - tail, 6);
	return r;
}

/*
 * A unique name from tmpl's XXXXXX (before suffixlen more characters),
 * created in the kernel as asked.  The fd, 0, or -1 with errno.
 */
static int
k_mktemp(char *tmpl, int suffixlen, int flags, enum tmpkind kind, int kd,
    char *kpath)
{
	size_t tl = strlen(tmpl), kl = strlen(kpath), tail;
	struct stat st;
	int kfd;

	tail = (size_t)suffixlen + 6;
	if (suffixlen < 0 || tl < tail || kl < tail ||
	    memcmp(tmpl + tl - tail, "XXXXXX", 6) != 0 ||
	    memcmp(tmpl + tl - tail, kpath + kl - tail, tail) != 0) {
		errno = EINVAL;
		return -1;
	}
	/* As many tries as glibc's (62^3). */
	for (int n = 0; n < 238328; n++) {
		fill(tmpl + tl - tail, kpath + kl - tail);
		hj_linkout_armed = 1;
		switch (kind) {
		case TMP_FILE:
			kfd = hjk_openat(kd, kpath, (flags & ~O_ACCMODE) |
			    O_RDWR | O_CREAT | O_EXCL, S_IRUSR | S_IWUSR);
			if (kfd >= 0) {
				hj_linkout_armed = 0;
				return hj_fd_install(kfd, 0,
				    (flags & O_CLOEXEC) != 0);
			}
			break;
		case TMP_DIR:
			if (hjk_mkdirat(kd, kpath, S_IRWXU) == 0) {
				hj_linkout_armed = 0;
				return 0;
			}
			break;
		case TMP_NAME:
			if (hjk_newfstatat(kd, kpath, &st,
			    AT_SYMLINK_NOFOLLOW) != 0) {
				hj_linkout_armed = 0;
				if (errno == HJ_ELINKOUT)
					return host_mktemp(tmpl, suffixlen,
					    flags, kind, kd, kpath);
				return errno == ENOENT ? 0 : -1;
			}
			errno = EEXIST;
			break;
		}
		hj_linkout_armed = 0;
		if (errno == HJ_ELINKOUT)
			return host_mktemp(tmpl, suffixlen, flags, kind, kd,
			    kpath);
		if (errno != EEXIST)
			return -1;
	}
	errno = EEXIST;
	return -1;
}

/* Every mkstemp variant: route the template, then the host's or ours.
 * The template is rewritten in place, so the kernel path gets a copy. */
static int
do_mkstemp(char *tmpl, int suffixlen, int flags)
{
	char kcopy[PATH_MAX];

	ROUTE(AT_FDCWD, tmpl);
	if (where == HJ_HOST) {
		hj_fd_flush();
		return HOST(mkostemps64)(tmpl, suffixlen, flags);
	}
	if (strlen(kp) >= sizeof(kcopy)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(kcopy, kp);
	return k_mktemp(tmpl, suffixlen, flags, TMP_FILE, kd, kcopy);
}

HJ_EXPORT int
mkstemp(char *tmpl)
{
	return do_mkstemp(tmpl, 0, 0);
}

HJ_EXPORT int
mkstemp64(char *tmpl)
{
	return do_mkstemp(tmpl, 0, 0);
}

HJ_EXPORT int
mkostemp(char *tmpl, int flags)
{
	return do_mkstemp(tmpl, 0, flags);
}

HJ_EXPORT int
mkostemp64(char *tmpl, int flags)
{
	return do_mkstemp(tmpl, 0, flags);
}

HJ_EXPORT int
mkstemps(char *tmpl, int suffixlen)
{
	return do_mkstemp(tmpl, suffixlen, 0);
}

HJ_EXPORT int
mkstemps64(char *tmpl, int suffixlen)
{
	return do_mkstemp(tmpl, suffixlen, 0);
}

HJ_EXPORT int
mkostemps(char *tmpl, int suffixlen, int flags)
{
	return do_mkstemp(tmpl, suffixlen, flags);
}

HJ_EXPORT int
mkostemps64(char *tmpl, int suffixlen, int flags)
{
	return do_mkstemp(tmpl, suffixlen, flags);
}

HJ_EXPORT char *
mkdtemp(char *tmpl)
{
	char kb[PATH_MAX], kcopy[PATH_MAX];
	const char *kp;
	int kd;

	switch (hj_route(AT_FDCWD, tmpl, kb, sizeof(kb), &kd, &kp)) {
	case HJ_HOST:
		return HOST(mkdtemp)(tmpl);
	case HJ_KERNEL:
		if (strlen(kp) >= sizeof(kcopy)) {
			errno = ENAMETOOLONG;
			return NULL;
		}
		strcpy(kcopy, kp);
		return k_mktemp(tmpl, 0, 0, TMP_DIR, kd, kcopy) == 0 ?
		    tmpl : NULL;
	default:
		return NULL;
	}
}

HJ_EXPORT char *
mktemp(char *tmpl)
{
	char kb[PATH_MAX], kcopy[PATH_MAX];
	const char *kp;
	int kd;

	switch (hj_route(AT_FDCWD, tmpl, kb, sizeof(kb), &kd, &kp)) {
	case HJ_HOST:
		return HOST(mktemp)(tmpl);
	case HJ_KERNEL:
		if (strlen(kp) < sizeof(kcopy)) {
			strcpy(kcopy, kp);
			if (k_mktemp(tmpl, 0, 0, TMP_NAME, kd, kcopy) == 0)
				return tmpl;
		}
		break;
	default:
		break;
	}
	tmpl[0] = '\0';		/* mktemp's failure */
	return tmpl;
}
