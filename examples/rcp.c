/*
 * rcp: copies files and trees between the host and a remote rump kernel
 * (the rump_server named by RUMP_SERVER).  Links with librumpclient and
 * uses the same rump_sys_* calls a local program would.
 *
 *   rcp in  HOSTPATH KERNELPATH     host -> kernel (files and directories)
 *   rcp out KERNELPATH HOSTPATH     kernel -> host
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rump/rump_syscalls.h>
#include <rump/rumpclient.h>

/* One side's calls: the host's or the kernel's, same signatures. */
struct side {
	int (*open)(const char *, int, mode_t);
	ssize_t (*read)(int, void *, size_t);
	ssize_t (*write)(int, const void *, size_t);
	int (*close)(int);
	int (*lstat)(const char *, struct stat *);
	int (*mkdir)(const char *, mode_t);
	ssize_t (*getdents)(int, void *, size_t);
};

static int host_open(const char *p, int f, mode_t m) { return open(p, f, m); }
static ssize_t host_getdents(int fd, void *b, size_t n)
{ return getdents64(fd, b, n); }
static int k_open(const char *p, int f, mode_t m)
{ return rump_sys_open(p, f, m); }
static ssize_t k_getdents(int fd, void *b, size_t n)
{ return rump_sys_getdents64(fd, b, n); }

static const struct side host = { host_open, read, write, close, lstat,
    mkdir, host_getdents };
static const struct side kern = { k_open, rump_sys_read, rump_sys_write,
    rump_sys_close, rump_sys_lstat, rump_sys_mkdir, k_getdents };

static int
fail(const char *what, const char *path)
{
	fprintf(stderr, "rcp: %s %s: %s\n", what, path, strerror(errno));
	return -1;
}

static int
copy_file(const struct side *from, const char *src, const struct side *to,
    const char *dst, mode_t mode)
{
	static char buf[1 << 20];
	int in, out, rv = 0;
	ssize_t n;

	if ((in = from->open(src, O_RDONLY, 0)) < 0)
		return fail("open", src);
	if ((out = to->open(dst, O_WRONLY | O_CREAT | O_TRUNC, mode)) < 0) {
		from->close(in);
		return fail("create", dst);
	}
	while ((n = from->read(in, buf, sizeof(buf))) > 0) {
		for (ssize_t off = 0; off < n;) {
			ssize_t w = to->write(out, buf + off, (size_t)(n - off));

			if (w <= 0) {
				rv = fail("write", dst);
				goto out;
			}
			off += w;
		}
	}
	if (n < 0)
		rv = fail("read", src);
out:
	from->close(in);
	if (to->close(out) != 0 && rv == 0)
		rv = fail("close", dst);
	return rv;
}

static int
copy(const struct side *from, const char *src, const struct side *to,
    const char *dst)
{
	struct stat st;
	char buf[8192], s[4096], d[4096];
	ssize_t n;
	int fd, rv = 0;

	if (from->lstat(src, &st) != 0)
		return fail("stat", src);
	if (!S_ISDIR(st.st_mode)) {
		if (!S_ISREG(st.st_mode)) {
			fprintf(stderr, "rcp: %s: skipped (not a regular "
			    "file or directory)\n", src);
			return 0;
		}
		return copy_file(from, src, to, dst, st.st_mode & 07777);
	}
	if (to->mkdir(dst, st.st_mode & 07777) != 0 && errno != EEXIST)
		return fail("mkdir", dst);
	if ((fd = from->open(src, O_RDONLY | O_DIRECTORY, 0)) < 0)
		return fail("open", src);
	while ((n = from->getdents(fd, buf, sizeof(buf))) > 0) {
		for (ssize_t off = 0; off < n;) {
			struct dirent64 *de = (struct dirent64 *)(buf + off);

			off += de->d_reclen;
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			snprintf(s, sizeof(s), "%s/%s", src, de->d_name);
			snprintf(d, sizeof(d), "%s/%s", dst, de->d_name);
			if (copy(from, s, to, d) != 0)
				rv = -1;
		}
	}
	if (n < 0)
		rv = fail("read directory", src);
	from->close(fd);
	return rv;
}

int
main(int argc, char **argv)
{
	if (argc != 4 || (strcmp(argv[1], "in") != 0 &&
	    strcmp(argv[1], "out") != 0)) {
		fprintf(stderr, "usage: rcp in HOSTPATH KERNELPATH\n"
		    "       rcp out KERNELPATH HOSTPATH\n"
		    "(the kernel is the rump_server named by RUMP_SERVER)\n");
		return 2;
	}
	if (rumpclient_init() != 0)
		return 1;	/* it said why */
	if (strcmp(argv[1], "in") == 0)
		return copy(&host, argv[2], &kern, argv[3]) == 0 ? 0 : 1;
	return copy(&kern, argv[2], &host, argv[3]) == 0 ? 0 : 1;
}
