/*
 * fileworker: one client's file work in a kernel directory of its own:
 * "fileworker KDIR ID ROUNDS".  Each round creates a file whose content
 * names this worker and round, reads it back, renames it, reads it again
 * and unlinks it; a last file "final" stays.  Exit 0 when everything read
 * back was this worker's own data.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <rump/rump_syscalls.h>
#include <rump/rumpclient.h>

#define FILESIZE	(48 * 1024)

static const char *id;

static int
fail(const char *what, const char *path)
{
	fprintf(stderr, "fileworker %s: %s %s: %s\n", id, what, path,
	    strerror(errno));
	return -1;
}

static void
fill(char *buf, size_t len, int round)
{
	int n = snprintf(buf, len, "worker %s round %d|", id, round);

	for (size_t i = (size_t)n; i < len; i++)
		buf[i] = buf[i % (size_t)n];
}

static int
put(const char *path, const char *data, size_t len)
{
	int fd = rump_sys_open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);

	if (fd < 0)
		return fail("create", path);
	for (size_t off = 0; off < len;) {
		ssize_t w = rump_sys_write(fd, data + off, len - off);

		if (w <= 0) {
			rump_sys_close(fd);
			return fail("write", path);
		}
		off += (size_t)w;
	}
	return rump_sys_close(fd) == 0 ? 0 : fail("close", path);
}

static int
check(const char *path, const char *want, size_t len)
{
	static char got[FILESIZE + 1];
	size_t have = 0;
	ssize_t r;
	int fd = rump_sys_open(path, O_RDONLY, 0);

	if (fd < 0)
		return fail("open", path);
	while ((r = rump_sys_read(fd, got + have, sizeof(got) - have)) > 0)
		have += (size_t)r;
	rump_sys_close(fd);
	if (r < 0)
		return fail("read", path);
	if (have != len || memcmp(got, want, len) != 0) {
		fprintf(stderr, "fileworker %s: %s holds %zu bytes starting "
		    "\"%.30s\", not this worker's\n", id, path, have, got);
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static char data[FILESIZE];
	char dir[256], a[300], b[300];
	struct stat st;
	int rounds;

	if (argc != 4) {
		fprintf(stderr, "usage: fileworker KDIR ID ROUNDS\n");
		return 2;
	}
	id = argv[2];
	rounds = atoi(argv[3]);
	if (rumpclient_init() != 0)
		return 1;
	snprintf(dir, sizeof(dir), "%s/w%s", argv[1], id);
	if (rump_sys_mkdir(dir, 0755) != 0) {
		fail("mkdir", dir);
		return 1;
	}
	for (int i = 0; i < rounds; i++) {
		size_t len = FILESIZE - (size_t)i * 7;

		fill(data, len, i);
		snprintf(a, sizeof(a), "%s/f%d", dir, i);
		snprintf(b, sizeof(b), "%s/g%d", dir, i);
		if (put(a, data, len) || check(a, data, len))
			return 1;
		if (rump_sys_rename(a, b) != 0) {
			fail("rename", a);
			return 1;
		}
		if (rump_sys_stat(a, &st) == 0 || errno != ENOENT) {
			fail("stat of the renamed", a);
			return 1;
		}
		if (check(b, data, len))
			return 1;
		if (rump_sys_unlink(b) != 0) {
			fail("unlink", b);
			return 1;
		}
	}
	fill(data, 1000, -1);
	snprintf(a, sizeof(a), "%s/final", dir);
	if (put(a, data, 1000) || check(a, data, 1000))
		return 1;
	printf("worker %s ok\n", id);
	return 0;
}
