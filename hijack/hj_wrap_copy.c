/*
 * hj_wrap_copy.c: the calls that move data between descriptors without
 * the program's buffers: sendfile, copy_file_range, splice, tee and
 * vmsplice, on any mix of kernel and host descriptors (the kernel has no
 * splice: the shim copies, doc/HIJACK.md).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/fs.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/statfs.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "hj.h"

HOST_CACHE(ioctl);
HOST_CACHE(sendfile64);
HOST_CACHE(copy_file_range);
HOST_CACHE(splice);
HOST_CACHE(tee);
HOST_CACHE(vmsplice);
HOST_CACHE(fstat64);
HOST_CACHE(fcntl64);
HOST_CACHE(poll);
HOST_CACHE(pipe2);
HOST_CACHE(close);
HOST_CACHE(read);
HOST_CACHE(write);
HOST_CACHE(pread64);
HOST_CACHE(pwrite64);
HOST_CACHE(lseek64);

/* --- sendfile, copy_file_range --------------------------------------------- */

/*
 * Neither kernel can move data into the other: copy through a buffer.
 * A descriptor with an offset pointer is read (written) at that offset,
 * leaving its file position; without one, at its position.
 */
struct end {
	int fd, k;		/* host number; kernel descriptor or -1 */
	off_t *off;
	dev_t dev;		/* end_probe: the file's, to tell one pipe */
	ino_t ino;
};

static ssize_t
end_read(const struct end *e, void *buf, size_t n)
{
	if (e->off != NULL)
		return e->k < 0 ? HOST(pread64)(e->fd, buf, n, *e->off) :
		    hjk_pread64(e->k, buf, n, *e->off);
	return e->k < 0 ? HOST(read)(e->fd, buf, n) : hjk_read(e->k, buf, n);
}

static ssize_t
end_write(const struct end *e, const void *buf, size_t n)
{
	if (e->off != NULL)
		return e->k < 0 ? HOST(pwrite64)(e->fd, buf, n, *e->off) :
		    hjk_pwrite64(e->k, buf, n, *e->off);
	return e->k < 0 ? HOST(write)(e->fd, buf, n) :
	    hjk_write(e->k, buf, n);
}

static ssize_t
copy_loop(struct end *in, struct end *out, size_t count)
{
	char small[4096], *buf = malloc(1 << 16);
	size_t bufsz = buf != NULL ? 1 << 16 : sizeof(small), done = 0;
	int e = 0;

	if (buf == NULL)
		buf = small;
	while (done < count) {
		size_t want = count - done < bufsz ? count - done : bufsz;
		ssize_t r = end_read(in, buf, want), w = 0;
		size_t put = 0;

		if (r <= 0) {
			e = r < 0 ? errno : 0;
			break;
		}
		if (in->off != NULL)
			*in->off += r;
		while (put < (size_t)r) {
			if ((w = end_write(out, buf + put, (size_t)r - put)) <= 0)
				break;
			put += (size_t)w;
			if (out->off != NULL)
				*out->off += w;
		}
		done += put;
		if (put < (size_t)r) {
			e = w < 0 ? errno : EIO;
			/* Give back what was read and not written. */
			if (in->off != NULL)
				*in->off -= (off_t)((size_t)r - put);
			else if (in->k < 0)
				HOST(lseek64)(in->fd, -(off_t)((size_t)r - put),
				    SEEK_CUR);
			else
				hjk_lseek(in->k, -(off_t)((size_t)r - put),
				    SEEK_CUR);
			break;
		}
	}
	if (buf != small)
		free(buf);
	if (done == 0 && e != 0) {
		errno = e;
		return -1;
	}
	return (ssize_t)done;
}

HJ_EXPORT ssize_t
sendfile64(int out_fd, int in_fd, off_t *off, size_t count)
{
	struct end in = { .fd = in_fd, .k = hj_fd_kernel(in_fd), .off = off };
	struct end out = { .fd = out_fd,
	    .k = hj_fd_kernel(out_fd), .off = NULL };

	if (in.k < 0 && out.k < 0)
		return HOST(sendfile64)(out_fd, in_fd, off, count);
	if (off != NULL && *off < 0) {
		errno = EINVAL;
		return -1;
	}
	return copy_loop(&in, &out, count);
}

HJ_EXPORT ssize_t
sendfile(int out_fd, int in_fd, off_t *off, size_t count)
{
	return sendfile64(out_fd, in_fd, off, count);
}

HJ_EXPORT ssize_t
copy_file_range(int in_fd, off64_t *in_off, int out_fd, off64_t *out_off,
    size_t len, unsigned flags)
{
	struct end in = { .fd = in_fd,
	    .k = hj_fd_kernel(in_fd), .off = in_off };
	struct end out = { .fd = out_fd,
	    .k = hj_fd_kernel(out_fd), .off = out_off };
	int fl;

	if (in.k < 0 && out.k < 0)
		return HOST(copy_file_range)(in_fd, in_off, out_fd, out_off,
		    len, flags);
	if (flags != 0 || (in_off != NULL && *in_off < 0) ||
	    (out_off != NULL && *out_off < 0)) {
		errno = EINVAL;
		return -1;
	}
	/* Linux refuses an appending destination. */
	if (out.k >= 0 && (fl = hjk_fcntl(out.k, F_GETFL, 0)) >= 0 &&
	    (fl & O_APPEND)) {
		errno = EBADF;
		return -1;
	}
	return copy_loop(&in, &out, len);
}

/* --- splice, tee, vmsplice ------------------------------------------------- */

/*
 * The kernel has no splice: when a kernel descriptor is involved the shim
 * moves the bytes through a buffer, with Linux's checks first (EBADF for a
 * descriptor not open for the direction, EINVAL when neither end is a
 * pipe or for unknown flags, ESPIPE for an offset on a pipe).  One call
 * moves at most one buffer (64 KiB, Linux's default pipe size), as
 * Linux's returns at most a pipe's worth; callers loop.
 */
#define SPLICE_FLAGS	(SPLICE_F_MOVE | SPLICE_F_NONBLOCK | SPLICE_F_MORE | \
	SPLICE_F_GIFT)
#define SPLICE_CHUNK	(1 << 16)

/* One end: its file type and access mode (and e->dev, e->ino); -1 with
 * errno (EBADF). */
static int
end_probe(struct end *e, bool *pipe, int *accmode)
{
	struct stat64 hst;
	struct stat st;
	int fl;

	if (e->k < 0) {
		if (HOST(fstat64)(e->fd, &hst) != 0)
			return -1;
		st.st_mode = hst.st_mode;
		st.st_dev = hst.st_dev;
		st.st_ino = hst.st_ino;
	} else if (hjk_fstat(e->k, &st) != 0)
		return -1;
	fl = e->k < 0 ? HOST(fcntl64)(e->fd, F_GETFL) :
	    hjk_fcntl(e->k, F_GETFL, 0);
	if (fl < 0)
		return -1;
	*pipe = S_ISFIFO(st.st_mode);
	*accmode = fl;
	e->dev = st.st_dev;
	e->ino = st.st_ino;
	return 0;
}

/* Both ends the same pipe (Linux: EINVAL).  A host and a kernel file are
 * never the same. */
static bool
same_pipe(const struct end *a, const struct end *b)
{
	return (a->k < 0) == (b->k < 0) && a->dev == b->dev &&
	    a->ino == b->ino;
}

/* SPLICE_F_NONBLOCK: whether a pipe end is ready now (EAGAIN if not). */
static int
end_ready(const struct end *e, short ev)
{
	struct pollfd p = { e->k < 0 ? e->fd : e->k, ev, 0 };
	int n = e->k < 0 ? HOST(poll)(&p, 1, 0) : hjk_poll(&p, 1, 0);

	if (n < 0)
		return -1;
	if (n == 0) {
		errno = EAGAIN;
		return -1;
	}
	return 0;
}

/* The room left in a pipe end (its size less what it holds), or -1 if
 * either is unknown. */
static long
pipe_room(const struct end *e)
{
	int held = 0, size = e->k < 0 ? HOST(fcntl64)(e->fd, F_GETPIPE_SZ) :
	    hjk_fcntl(e->k, F_GETPIPE_SZ, 0);

	if (size <= 0 || (e->k < 0 ? HOST(ioctl)(e->fd, FIONREAD, &held) :
	    hjk_ioctl(e->k, FIONREAD, &held)) != 0)
		return -1;
	return held < size ? size - held : 0;
}

static ssize_t
end_writeall(struct end *e, const char *buf, size_t n)
{
	size_t put = 0;
	ssize_t w;

	while (put < n) {
		if ((w = end_write(e, buf + put, n - put)) <= 0)
			return put > 0 ? (ssize_t)put : w;
		put += (size_t)w;
		if (e->off != NULL)
			*e->off += w;
	}
	return (ssize_t)put;
}

HJ_EXPORT ssize_t
splice(int fd_in, off64_t *off_in, int fd_out, off64_t *off_out, size_t len,
    unsigned int flags)
{
	struct end in = { .fd = fd_in,
	    .k = hj_fd_kernel(fd_in), .off = off_in };
	struct end out = { .fd = fd_out,
	    .k = hj_fd_kernel(fd_out), .off = off_out };
	bool pin, pout, nb = (flags & SPLICE_F_NONBLOCK) != 0;
	int min, mout;
	size_t want;
	ssize_t r, w;
	char *buf;

	if (in.k < 0 && out.k < 0)
		return HOST(splice)(fd_in, off_in, fd_out, off_out, len, flags);
	if (end_probe(&in, &pin, &min) != 0 ||
	    end_probe(&out, &pout, &mout) != 0)
		return -1;
	if ((min & O_ACCMODE) == O_WRONLY || (mout & O_ACCMODE) == O_RDONLY) {
		errno = EBADF;
		return -1;
	}
	if ((flags & ~SPLICE_FLAGS) != 0 || (!pin && !pout) ||
	    (!pout && (mout & O_APPEND)) ||
	    (pin && pout && same_pipe(&in, &out))) {
		errno = EINVAL;
		return -1;
	}
	if ((pin && off_in != NULL) || (pout && off_out != NULL)) {
		errno = ESPIPE;
		return -1;
	}
	if ((off_in != NULL && *off_in < 0) ||
	    (off_out != NULL && *off_out < 0)) {
		errno = EINVAL;
		return -1;
	}
	if (len == 0)
		return 0;
	if (nb && ((pin && end_ready(&in, POLLIN) != 0) ||
	    (pout && end_ready(&out, POLLOUT) != 0)))
		return -1;
	/*
	 * Into a pipe, what fits (as Linux's splice moves): then writing
	 * all of it does not wait for a reader.  A pipe that polled writable
	 * but says nothing of its room takes PIPE_BUF.
	 */
	want = len < SPLICE_CHUNK ? len : SPLICE_CHUNK;
	if (pout) {
		long room = pipe_room(&out);

		if (room > 0 && (size_t)room < want)
			want = (size_t)room;
		else if (room < 0 && nb && want > PIPE_BUF)
			want = PIPE_BUF;
	}
	if ((buf = malloc(want)) == NULL) {
		errno = ENOMEM;
		return -1;
	}
	if ((r = end_read(&in, buf, want)) <= 0) {
		free(buf);
		return r;
	}
	if (in.off != NULL)
		*in.off += r;
	w = end_writeall(&out, buf, (size_t)r);
	free(buf);
	if (w < r && !pin) {
		/* Give back to a file what was read and not written. */
		off_t back = (off_t)(r - (w > 0 ? w : 0));

		if (in.off != NULL)
			*in.off -= back;
		else if (in.k < 0)
			HOST(lseek64)(in.fd, -back, SEEK_CUR);
		else
			hjk_lseek(in.k, -back, SEEK_CUR);
	}
	return w;
}

/*
 * tee: both ends pipes.  A host pipe is peeked by the host's tee into a
 * pipe of the shim's; a kernel pipe cannot be peeked, so what it holds
 * is read out and written back in the same order, which needs a
 * descriptor open for both (a FIFO opened O_RDWR); a read-only one is
 * EINVAL.  A writer that adds to it meanwhile lands before the
 * written-back bytes: tee on a kernel pipe with concurrent writers is not
 * atomic.
 */
static ssize_t
tee_hostin(int fd_in, struct end *out, size_t len, unsigned flags)
{
	char *buf;
	int p[2];
	ssize_t n, w;

	if (HOST(pipe2)(p, O_CLOEXEC) != 0)
		return -1;
	if ((n = HOST(tee)(fd_in, p[1], len, flags)) <= 0) {
		HOST(close)(p[0]);
		HOST(close)(p[1]);
		return n;
	}
	if ((buf = malloc((size_t)n)) == NULL) {
		errno = ENOMEM;
		n = -1;
	} else if ((n = HOST(read)(p[0], buf, (size_t)n)) > 0) {
		w = end_writeall(out, buf, (size_t)n);
		n = w;
	}
	free(buf);
	HOST(close)(p[0]);
	HOST(close)(p[1]);
	return n;
}

static ssize_t
tee_kernin(int kin, struct end *out, size_t len, bool nb)
{
	struct end in = { .fd = -1, .k = kin, .off = NULL };
	int avail = 0;
	ssize_t r, w;
	char *buf;

	for (;;) {
		if (hjk_ioctl(kin, FIONREAD, &avail) != 0)
			return -1;
		if (avail > 0)
			break;
		if (nb) {
			errno = EAGAIN;
			return -1;
		}
		/* Wait for data (or every writer gone: tee returns 0). */
		struct pollfd p = { kin, POLLIN, 0 };
		if (hjk_poll(&p, 1, -1) < 0)
			return -1;
		if (!(p.revents & POLLIN))
			return 0;
		if (hjk_ioctl(kin, FIONREAD, &avail) != 0)
			return -1;
		if (avail == 0)
			return 0;
	}
	if ((buf = malloc((size_t)avail)) == NULL) {
		errno = ENOMEM;
		return -1;
	}
	if ((r = hjk_read(kin, buf, (size_t)avail)) <= 0) {
		free(buf);
		return r;
	}
	/* Put it back first: that must not fail, the bytes are the pipe's. */
	if (end_writeall(&in, buf, (size_t)r) != r) {
		free(buf);
		errno = EIO;
		return -1;
	}
	w = end_writeall(out, buf, (size_t)r < len ? (size_t)r : len);
	free(buf);
	return w;
}

HJ_EXPORT ssize_t
tee(int fd_in, int fd_out, size_t len, unsigned int flags)
{
	struct end in = { .fd = fd_in, .k = hj_fd_kernel(fd_in), .off = NULL };
	struct end out = { .fd = fd_out,
	    .k = hj_fd_kernel(fd_out), .off = NULL };
	bool pin, pout;
	int min, mout;

	if (in.k < 0 && out.k < 0)
		return HOST(tee)(fd_in, fd_out, len, flags);
	if (end_probe(&in, &pin, &min) != 0 ||
	    end_probe(&out, &pout, &mout) != 0)
		return -1;
	if ((min & O_ACCMODE) == O_WRONLY || (mout & O_ACCMODE) == O_RDONLY) {
		errno = EBADF;
		return -1;
	}
	if ((flags & ~SPLICE_FLAGS) != 0 || !pin || !pout ||
	    same_pipe(&in, &out)) {
		errno = EINVAL;
		return -1;
	}
	if (len == 0)
		return 0;
	if ((flags & SPLICE_F_NONBLOCK) && end_ready(&out, POLLOUT) != 0)
		return -1;
	if (len > SPLICE_CHUNK)
		len = SPLICE_CHUNK;
	if (in.k < 0)
		return tee_hostin(fd_in, &out, len, flags);
	if ((min & O_ACCMODE) != O_RDWR) {
		errno = EINVAL;
		return -1;
	}
	return tee_kernin(in.k, &out, len, (flags & SPLICE_F_NONBLOCK) != 0);
}

/* vmsplice: a kernel pipe's write end takes the vector (writev), its read
 * end fills it (readv); anything but a pipe is EBADF, as in Linux. */
HJ_EXPORT ssize_t
vmsplice(int fd, const struct iovec *iov, size_t nr, unsigned int flags)
{
	struct end e = { .fd = fd, .k = hj_fd_kernel(fd), .off = NULL };
	bool pipe;
	int mode;

	if (e.k < 0)
		return HOST(vmsplice)(fd, iov, nr, flags);
	if (end_probe(&e, &pipe, &mode) != 0)
		return -1;
	if (!pipe) {
		errno = EBADF;
		return -1;
	}
	if ((flags & ~SPLICE_FLAGS) != 0 || nr > IOV_MAX) {
		errno = EINVAL;
		return -1;
	}
	if ((mode & O_ACCMODE) != O_RDONLY) {
		if ((flags & SPLICE_F_NONBLOCK) && end_ready(&e, POLLOUT) != 0)
			return -1;
		return hjk_writev(e.k, iov, (int)nr);
	}
	if ((flags & SPLICE_F_NONBLOCK) && end_ready(&e, POLLIN) != 0)
		return -1;
	return hjk_readv(e.k, iov, (int)nr);
}
