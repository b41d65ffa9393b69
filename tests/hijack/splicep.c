/*
 * splicep: splice, tee and vmsplice in every direction, and sendfile and
 * copy_file_range between kernel and host files, checked by a
 * plain libc program that runs unmodified: under librumphijack.so with
 * KDIR in the kernel (/rump/...) and HDIR on the host, or on the host with
 * both host directories as the reference (../hijack.bats runs both and
 * compares).  Pipes in KDIR are FIFOs (the kernel's pipes under the
 * hijack), opened O_RDWR; pipe() gives host pipes.
 *
 *   splicep KDIR HDIR
 *
 * Prints "ok WHAT" or "FAIL WHAT: detail" per check, with a checksum of
 * the bytes each direction moved; exits 0 only if every check passed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#define NDATA	200000

static int failures;
static char data[NDATA], back[NDATA];
static char kpath[4096], hpath[4096];

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

static const char *
K(const char *name)
{
	return strcat(strcat(strcpy(kpath, getenv("KD")), "/"), name);
}

static const char *
H(const char *name)
{
	return strcat(strcat(strcpy(hpath, getenv("HD")), "/"), name);
}

static uint32_t
sum(const char *p, size_t n)
{
	uint32_t h = 2166136261u;

	while (n-- > 0)
		h = (h ^ (unsigned char)*p++) * 16777619u;
	return h;
}

static int
mkfile(const char *path, const char *buf, size_t n)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);

	if (fd >= 0 && write(fd, buf, n) != (ssize_t)n) {
		close(fd);
		return -1;
	}
	if (fd >= 0)
		lseek(fd, 0, SEEK_SET);
	return fd;
}

static int
mkpipe(const char *path)
{
	if (mkfifo(path, 0600) != 0)
		return -1;
	return open(path, O_RDWR);
}

/* file (in) -> pipe p -> file (out): moves everything through splice,
 * each step at most 65536; the pipe is written with p, read with p too
 * (one O_RDWR FIFO) or with pr. */
static bool
through(int in, int pw, int pr, int out)
{
	size_t done = 0;

	while (done < NDATA) {
		ssize_t n = splice(in, NULL, pw, NULL, 65536, 0), m, got = 0;

		if (n <= 0)
			return false;
		while (got < n) {
			if ((m = splice(pr, NULL, out, NULL, (size_t)(n - got),
			    0)) <= 0)
				return false;
			got += m;
		}
		done += (size_t)n;
	}
	return splice(in, NULL, pw, NULL, 100, 0) == 0;
}

static bool
samefile(int fd, const char *what)
{
	ssize_t n = pread(fd, back, NDATA, 0);

	printf("%s: %zd bytes, sum %08x\n", what, n, sum(back, NDATA));
	return n == NDATA && memcmp(back, data, NDATA) == 0;
}

int
main(int argc, char **argv)
{
	int kf, hf, kout, hout, kp, hp[2], kp2, fd;
	off64_t off;
	char buf[64];
	struct iovec iov[2];

	if (argc != 3) {
		fprintf(stderr, "usage: splicep KDIR HDIR\n");
		return 2;
	}
	setenv("KD", argv[1], 1);
	setenv("HD", argv[2], 1);
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (size_t i = 0; i < NDATA; i++)
		data[i] = (char)(i * 7 + i / 251);

	kf = mkfile(K("src"), data, NDATA);
	hf = mkfile(H("src"), data, NDATA);
	kout = open(K("dst"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	hout = open(H("dst"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	kp = mkpipe(K("fifo"));
	check(kf >= 0 && hf >= 0 && kout >= 0 && hout >= 0 && kp >= 0 &&
	    pipe(hp) == 0, "setup");

	/* kernel file -> host pipe -> kernel file */
	check(through(kf, hp[1], hp[0], kout) && samefile(kout, "k>hp>k"),
	    "splice kernel file -> host pipe -> kernel file");
	/* host file -> kernel pipe -> host file */
	check(through(hf, kp, kp, hout) && samefile(hout, "h>kp>h"),
	    "splice host file -> kernel pipe -> host file");
	/* kernel file -> kernel pipe -> kernel file */
	lseek(kf, 0, SEEK_SET);
	ftruncate(kout, 0);
	lseek(kout, 0, SEEK_SET);
	check(through(kf, kp, kp, kout) && samefile(kout, "k>kp>k"),
	    "splice kernel file -> kernel pipe -> kernel file");
	/* host pipe <-> kernel pipe */
	check(write(hp[1], "pipes", 5) == 5 &&
	    splice(hp[0], NULL, kp, NULL, 64, 0) == 5 &&
	    splice(kp, NULL, hp[1], NULL, 64, 0) == 5 &&
	    read(hp[0], buf, sizeof(buf)) == 5 && memcmp(buf, "pipes", 5) == 0,
	    "splice host pipe -> kernel pipe -> host pipe");

	/* sendfile, copy_file_range: kernel to host, host to kernel, kernel
	 * to kernel, in parts, with and without an offset. */
	for (int kind = 0; kind < 2; kind++) {
		static const char *dir[] = { "kernel -> host", "host -> kernel",
		    "kernel -> kernel" };
		for (int d = 0; d < 3; d++) {
			int in = d == 1 ? hf : kf;
			int out = d == 0 ? hout : kout;
			size_t done = 0;
			ssize_t n = 0;
			off64_t o = 0;

			ftruncate(out, 0);
			lseek(out, 0, SEEK_SET);
			lseek(in, 0, SEEK_SET);
			while (done < NDATA) {
				size_t want = NDATA - done < 70000 ?
				    NDATA - done : 70000;
				if (kind == 0)
					n = d == 1 ? sendfile(out, in, NULL,
					    want) : sendfile(out, in, &o, want);
				else
					n = copy_file_range(in,
					    d == 1 ? NULL : &o, out, NULL,
					    want, 0);
				if (n <= 0)
					break;
				done += (size_t)n;
			}
			printf("%s %s: ", kind == 0 ? "sendfile" :
			    "copy_file_range", dir[d]);
			check(done == NDATA && samefile(out, "bytes") &&
			    (d == 1 ? lseek(in, 0, SEEK_CUR) == NDATA :
			    o == NDATA && lseek(in, 0, SEEK_CUR) == 0),
			    "%s %s", kind == 0 ? "sendfile" :
			    "copy_file_range", dir[d]);
		}
	}

	/* Offsets: the file's position stays, the offset moves. */
	lseek(kf, 10, SEEK_SET);
	off = 100;
	check(splice(kf, &off, hp[1], NULL, 20, 0) == 20 && off == 120 &&
	    lseek(kf, 0, SEEK_CUR) == 10 &&
	    read(hp[0], buf, sizeof(buf)) == 20 &&
	    memcmp(buf, data + 100, 20) == 0, "splice off_in on a kernel file");
	off = 5;
	check(write(hp[1], "XYZ", 3) == 3 &&
	    splice(hp[0], NULL, kout, &off, 3, 0) == 3 && off == 8 &&
	    pread(kout, buf, 3, 5) == 3 && memcmp(buf, "XYZ", 3) == 0,
	    "splice off_out on a kernel file");

	/* Linux's errors. */
	errno = 0;
	check(splice(kf, NULL, hout, NULL, 10, 0) == -1 && errno == EINVAL,
	    "splice kernel file -> host file: EINVAL");
	errno = 0;
	check(splice(kf, NULL, kout, NULL, 10, 0) == -1 && errno == EINVAL,
	    "splice kernel file -> kernel file: EINVAL");
	off = 0;
	errno = 0;
	check(splice(kf, NULL, kp, &off, 10, 0) == -1 && errno == ESPIPE,
	    "splice offset on a kernel pipe: ESPIPE");
	errno = 0;
	check(splice(hp[0], &off, kout, NULL, 10, 0) == -1 && errno == ESPIPE,
	    "splice offset on a host pipe: ESPIPE");
	errno = 0;
	check(splice(kf, NULL, hp[0], NULL, 10, 0) == -1 && errno == EBADF,
	    "splice into a pipe's read end: EBADF");
	fd = open(K("src"), O_WRONLY);
	errno = 0;
	check(splice(fd, NULL, hp[1], NULL, 10, 0) == -1 && errno == EBADF,
	    "splice from a write-only kernel file: EBADF");
	close(fd);
	errno = 0;
	check(splice(kp, NULL, hout, NULL, 10, SPLICE_F_NONBLOCK) == -1 &&
	    errno == EAGAIN,
	    "splice from an empty kernel pipe, NONBLOCK: EAGAIN");
	errno = 0;
	check(splice(kf, NULL, kp, NULL, 10, 0x100) == -1 && errno == EINVAL,
	    "splice unknown flag: EINVAL");
	check(splice(kf, NULL, kp, NULL, 0, 0) == 0, "splice of 0 bytes");
	errno = 0;
	check(splice(kp, NULL, kp, NULL, 10, 0) == -1 && errno == EINVAL,
	    "splice of a kernel pipe into itself: EINVAL");
	errno = 0;
	check(tee(kp, kp, 10, 0) == -1 && errno == EINVAL,
	    "tee of a kernel pipe into itself: EINVAL");

	/* tee: the input keeps its bytes. */
	check(write(hp[1], "teehost", 7) == 7 &&
	    tee(hp[0], kp, 64, 0) == 7 &&
	    read(kp, buf, sizeof(buf)) == 7 && memcmp(buf, "teehost", 7) == 0 &&
	    read(hp[0], buf, sizeof(buf)) == 7 &&
	    memcmp(buf, "teehost", 7) == 0, "tee host pipe -> kernel pipe");
	check(write(kp, "teekern", 7) == 7 && tee(kp, hp[1], 3, 0) == 3 &&
	    read(hp[0], buf, sizeof(buf)) == 3 && memcmp(buf, "tee", 3) == 0 &&
	    read(kp, buf, sizeof(buf)) == 7 && memcmp(buf, "teekern", 7) == 0,
	    "tee kernel pipe -> host pipe");
	kp2 = mkpipe(K("fifo2"));
	check(write(kp, "kk", 2) == 2 && tee(kp, kp2, 64, 0) == 2 &&
	    read(kp2, buf, sizeof(buf)) == 2 && read(kp, buf, sizeof(buf)) == 2,
	    "tee kernel pipe -> kernel pipe");
	errno = 0;
	check(tee(kp, kout, 10, 0) == -1 && errno == EINVAL,
	    "tee into a kernel file: EINVAL");
	errno = 0;
	check(tee(kp, hp[1], 10, SPLICE_F_NONBLOCK) == -1 && errno == EAGAIN,
	    "tee from an empty kernel pipe, NONBLOCK: EAGAIN");

	/* vmsplice */
	iov[0] = (struct iovec){ "vm", 2 };
	iov[1] = (struct iovec){ "splice", 6 };
	check(vmsplice(kp, iov, 2, 0) == 8 && read(kp, buf, sizeof(buf)) == 8 &&
	    memcmp(buf, "vmsplice", 8) == 0, "vmsplice into a kernel pipe");
	fd = open(K("fifo"), O_RDONLY | O_NONBLOCK);
	memset(buf, 0, sizeof(buf));
	iov[0] = (struct iovec){ buf, 3 };
	iov[1] = (struct iovec){ buf + 3, 10 };
	check(fd >= 0 && write(kp, "fromkernel", 10) == 10 &&
	    vmsplice(fd, iov, 2, 0) == 10 && memcmp(buf, "fromkernel", 10) == 0,
	    "vmsplice out of a kernel pipe");
	errno = 0;
	check(vmsplice(fd, iov, 2, SPLICE_F_NONBLOCK) == -1 && errno == EAGAIN,
	    "vmsplice from an empty kernel pipe, NONBLOCK: EAGAIN");
	close(fd);
	errno = 0;
	check(vmsplice(kf, iov, 1, 0) == -1 && errno == EBADF,
	    "vmsplice on a kernel file: EBADF");
	return failures != 0;
}
