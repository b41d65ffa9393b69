/*
 * rwv2p: preadv2 and pwritev2 with their RWF_* flags on a file and a FIFO
 * in DIR, by a plain libc program that runs unmodified: under
 * librumphijack.so with DIR in the kernel (/rump/...), or on the host as
 * the reference (../hijack.bats runs both and compares).
 *
 *   rwv2p DIR
 *
 * Prints "ok WHAT" or "FAIL WHAT: detail" per check (the errno names, so
 * that a difference shows); exits 0 only if every check passed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

static int failures;
static char path[4096];

static void
check(bool ok, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	printf(ok ? "ok " : "FAIL ");
	vprintf(fmt, ap);
	va_end(ap);
	if (!ok) {
		printf(": %s", strerror(saved));
		failures++;
	}
	printf("\n");
}

/* The result of a call as text: a count or an errno name. */
static const char *
res(ssize_t r)
{
	static char buf[64];

	if (r >= 0)
		snprintf(buf, sizeof(buf), "%zd", r);
	else
		snprintf(buf, sizeof(buf), "-1 %s", strerrorname_np(errno));
	return buf;
}

int
main(int argc, char **argv)
{
	struct iovec iov[2];
	char buf[32] = { 0 };
	int fd, p;

	if (argc != 2) {
		fprintf(stderr, "usage: rwv2p DIR\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	snprintf(path, sizeof(path), "%s/f", argv[1]);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	check(fd >= 0, "open");
	iov[0] = (struct iovec){ "hello ", 6 };
	iov[1] = (struct iovec){ "world", 5 };
	check(pwritev2(fd, iov, 2, -1, 0) == 11 && lseek(fd, 0, SEEK_CUR) == 11,
	    "pwritev2 at -1 moves the offset");
	check(pwritev2(fd, iov, 1, 20, RWF_DSYNC | RWF_HIPRI) == 6 &&
	    lseek(fd, 0, SEEK_CUR) == 11, "pwritev2 DSYNC|HIPRI at 20");
	check(pwritev2(fd, iov + 1, 1, 0, RWF_APPEND) == 5 &&
	    lseek(fd, 0, SEEK_CUR) == 11, "pwritev2 APPEND at 0: at the end");
	check(pwritev2(fd, iov + 1, 1, -1, RWF_APPEND | RWF_SYNC) == 5 &&
	    lseek(fd, 0, SEEK_CUR) == 36, "pwritev2 APPEND at -1 moves it");
	iov[0] = (struct iovec){ buf, 5 };
	iov[1] = (struct iovec){ buf + 5, 27 };
	check(preadv2(fd, iov, 2, 0, RWF_HIPRI) == 32 &&
	    memcmp(buf, "hello world\0\0\0\0\0\0\0\0\0hello worldworld",
	    32) == 0, "preadv2 HIPRI reads it all");
	lseek(fd, 6, SEEK_SET);
	check(preadv2(fd, iov, 1, -1, 0) == 5 && lseek(fd, 0, SEEK_CUR) == 11 &&
	    memcmp(buf, "world", 5) == 0, "preadv2 at -1 moves the offset");
	printf("preadv2 NOWAIT on a file: %s\n",
	    res(preadv2(fd, iov, 1, 0, RWF_NOWAIT)));
	printf("preadv2 unknown flag: %s\n",
	    res(preadv2(fd, iov, 1, 0, 0x40000000)));
	printf("pwritev2 unknown flag: %s\n",
	    res(pwritev2(fd, iov, 1, 0, 0x40000000)));
	printf("preadv2 offset -2: %s\n", res(preadv2(fd, iov, 1, -2, 0)));
	close(fd);

	snprintf(path, sizeof(path), "%s/fifo", argv[1]);
	p = mkfifo(path, 0600) == 0 ? open(path, O_RDWR) : -1;
	check(p >= 0, "fifo");
	printf("preadv2 NOWAIT on an empty fifo: %s\n",
	    res(preadv2(p, iov, 1, -1, RWF_NOWAIT)));
	printf("preadv2 at 0 on a fifo: %s\n", res(preadv2(p, iov, 1, 0, 0)));
	/* A named FIFO has no RWF_NOWAIT in Linux (a pipe() has). */
	iov[0] = (struct iovec){ "fifo", 4 };
	printf("pwritev2 NOWAIT on a fifo: %s\n",
	    res(pwritev2(p, iov, 1, -1, RWF_NOWAIT)));
	check(pwritev2(p, iov, 1, -1, RWF_HIPRI | RWF_DSYNC) == 4,
	    "pwritev2 HIPRI|DSYNC on a fifo");
	iov[0] = (struct iovec){ buf, sizeof(buf) };
	check(preadv2(p, iov, 1, -1, RWF_HIPRI) == 4 &&
	    memcmp(buf, "fifo", 4) == 0, "preadv2 HIPRI on a fifo");
	close(p);
	return failures != 0;
}
