/*
 * test_vfs_io.c: file data: read/write, pread64/pwrite64, readv/writev,
 * preadv/pwritev, preadv2/pwritev2 with their RWF_* flags, lseek (incl.
 * SEEK_DATA/SEEK_HOLE), sparse files past 4 GiB, truncate/ftruncate, fallocate, fsync/fdatasync/sync/syncfs, and
 * space reclaimed when an open-but-unlinked file is closed.
 */
#include "compat.h"

#define MiB	(1024 * 1024)
#define GiB	(1024LL * MiB)

static bool
all_zero(const char *p, size_t n)
{
	while (n-- > 0)
		if (*p++ != 0)
			return false;
	return true;
}

static void
read_write_basics(void **state)
{
	char buf[64];
	int fd, dfd;

	(void)state;
	TEST_DIR();
	fd = (int)CHECK_OK(rump_sys_open(tp("f"), O_RDWR | O_CREAT, 0644));
	assert_int_equal(CHECK_OK(rump_sys_write(fd, "hello, ", 7)), 7);
	assert_int_equal(CHECK_OK(rump_sys_write(fd, "world", 5)), 5);
	assert_int_equal(CHECK_OK(rump_sys_write(fd, "", 0)), 0);
	assert_int_equal(CHECK_OK(rump_sys_lseek(fd, 0, SEEK_CUR)), 12);
	CHECK_OK(rump_sys_lseek(fd, 0, SEEK_SET));
	memset(buf, 0, sizeof(buf));
	assert_int_equal(CHECK_OK(rump_sys_read(fd, buf, 5)), 5);
	assert_memory_equal(buf, "hello", 5);
	/* Short read at the end, then 0 for EOF. */
	assert_int_equal(CHECK_OK(rump_sys_read(fd, buf, sizeof(buf))), 7);
	assert_memory_equal(buf, ", world", 7);
	assert_int_equal(CHECK_OK(rump_sys_read(fd, buf, sizeof(buf))), 0);
	/* Writing past the end leaves a zero-filled gap. */
	CHECK_OK(rump_sys_lseek(fd, 20, SEEK_SET));
	assert_int_equal(CHECK_OK(rump_sys_write(fd, "!", 1)), 1);
	assert_int_equal(stat_ok(tp("f")).st_size, 21);
	assert_int_equal(CHECK_OK(rump_sys_pread64(fd, buf, sizeof(buf), 0)),
	    21);
	assert_true(all_zero(buf + 12, 8));
	assert_int_equal(buf[20], '!');
	CHECK_OK(rump_sys_close(fd));
	CHECK_ERR(rump_sys_read(fd, buf, 1), EBADF);
	CHECK_ERR(rump_sys_write(fd, buf, 1), EBADF);
	/* Directories are not read or written as files. */
	dfd = (int)CHECK_OK(rump_sys_open(T, O_RDONLY | O_DIRECTORY, 0));
	CHECK_ERR(rump_sys_read(dfd, buf, sizeof(buf)), EISDIR);
	CHECK_ERR(rump_sys_write(dfd, buf, 1), EBADF);
	CHECK_OK(rump_sys_close(dfd));
}

static void
large_transfer(void **state)
{
	unsigned char *out, *in;
	size_t i, got;
	ssize_t n;
	int fd;

	(void)state;
	TEST_DIR();
	out = malloc(3 * MiB + 123);
	in = malloc(3 * MiB + 123);
	assert_non_null(out);
	assert_non_null(in);
	for (i = 0; i < 3 * MiB + 123; i++)
		out[i] = (unsigned char)(i * 7 + (i >> 12));
	fd = (int)CHECK_OK(rump_sys_open(tp("big"), O_RDWR | O_CREAT, 0644));
	assert_int_equal(CHECK_OK(rump_sys_write(fd, out, 3 * MiB + 123)),
	    3 * MiB + 123);
	/* Read back in odd-sized pieces that straddle page boundaries. */
	CHECK_OK(rump_sys_lseek(fd, 0, SEEK_SET));
	for (got = 0; got < 3 * MiB + 123; got += (size_t)n) {
		n = CHECK_OK(rump_sys_read(fd, in + got, 4093));
		assert_true(n > 0);
	}
	assert_int_equal(got, 3 * MiB + 123);
	assert_memory_equal(in, out, 3 * MiB + 123);
	CHECK_OK(rump_sys_close(fd));
	free(out);
	free(in);
}

static void
pread_pwrite(void **state)
{
	char buf[32];
	int fd;

	(void)state;
	TEST_DIR();
	fd = (int)CHECK_OK(rump_sys_open(tp("f"), O_RDWR | O_CREAT, 0644));
	assert_int_equal(CHECK_OK(rump_sys_pwrite64(fd, "world", 5, 6)), 5);
	assert_int_equal(CHECK_OK(rump_sys_pwrite64(fd, "hello ", 6, 0)), 6);
	/* The offset is not used or moved. */
	assert_int_equal(CHECK_OK(rump_sys_lseek(fd, 0, SEEK_CUR)), 0);
	memset(buf, 0, sizeof(buf));
	assert_int_equal(CHECK_OK(rump_sys_pread64(fd, buf, 5, 6)), 5);
	assert_string_equal(buf, "world");
	assert_int_equal(CHECK_OK(rump_sys_pread64(fd, buf, 10, 11)), 0);
	assert_int_equal(CHECK_OK(rump_sys_pread64(fd, buf, 10, 1000)), 0);
	assert_int_equal(CHECK_OK(rump_sys_lseek(fd, 0, SEEK_CUR)), 0);
	CHECK_ERR(rump_sys_pread64(fd, buf, 1, -1), EINVAL);
	CHECK_ERR(rump_sys_pwrite64(fd, buf, 1, -1), EINVAL);
	CHECK_OK(rump_sys_close(fd));
	/* With O_APPEND, Linux's pwrite appends whatever the offset. */
	fd = (int)CHECK_OK(rump_sys_open(tp("f"), O_WRONLY | O_APPEND, 0));
	assert_int_equal(CHECK_OK(rump_sys_pwrite64(fd, "!", 1, 0)), 1);
	CHECK_OK(rump_sys_close(fd));
	get_file(tp("f"), buf, sizeof(buf));
	assert_string_equal(buf, "hello world!");
	fd = (int)CHECK_OK(rump_sys_open(tp("f"), O_WRONLY, 0));
	CHECK_ERR(rump_sys_pread64(fd, buf, 1, 0), EBADF);
	CHECK_OK(rump_sys_close(fd));
}

static void
vectored_io(void **state)
{
	char a[4], b[6], c[3], whole[32];
	struct iovec iov[3], *many;
	volatile int negative = -1;	/* hides it from fortify checks */
	int fd;

	(void)state;
	TEST_DIR();
	fd = (int)CHECK_OK(rump_sys_open(tp("f"), O_RDWR | O_CREAT, 0644));
	iov[0].iov_base = (void *)"abc";
	iov[0].iov_len = 3;
	iov[1].iov_base = (void *)"";
	iov[1].iov_len = 0;
	iov[2].iov_base = (void *)"defghij";
	iov[2].iov_len = 7;
	assert_int_equal(CHECK_OK(rump_sys_writev(fd, iov, 3)), 10);
	assert_int_equal(CHECK_OK(rump_sys_lseek(fd, 0, SEEK_CUR)), 10);
	CHECK_OK(rump_sys_lseek(fd, 0, SEEK_SET));
	iov[0].iov_base = a;
	iov[0].iov_len = sizeof(a);
	iov[1].iov_base = b;
	iov[1].iov_len = sizeof(b);
	iov[2].iov_base = c;
	iov[2].iov_len = sizeof(c);
	/* Fills the buffers in order, as far as the data goes. */
	assert_int_equal(CHECK_OK(rump_sys_readv(fd, iov, 3)), 10);
	assert_memory_equal(a, "abcd", 4);
	assert_memory_equal(b, "efghij", 6);
	assert_int_equal(CHECK_OK(rump_sys_readv(fd, iov, 3)), 0);
	assert_int_equal(CHECK_OK(rump_sys_readv(fd, iov, 0)), 0);
	CHECK_ERR(rump_sys_readv(fd, iov, negative), EINVAL);
	many = calloc(IOV_MAX + 1, sizeof(*many));
	assert_non_null(many);
	CHECK_ERR(rump_sys_writev(fd, many, IOV_MAX + 1), EINVAL);
	free(many);
	/* At an offset, without moving the file offset. */
	CHECK_OK(rump_sys_lseek(fd, 2, SEEK_SET));
	iov[0].iov_base = (void *)"XY";
	iov[0].iov_len = 2;
	iov[1].iov_base = (void *)"Z";
	iov[1].iov_len = 1;
	assert_int_equal(CHECK_OK(rump_sys_pwritev(fd, iov, 2, 12)), 3);
	assert_int_equal(CHECK_OK(rump_sys_lseek(fd, 0, SEEK_CUR)), 2);
	iov[0].iov_base = a;
	iov[0].iov_len = 2;
	iov[1].iov_base = b;
	iov[1].iov_len = 2;
	assert_int_equal(CHECK_OK(rump_sys_preadv(fd, iov, 2, 11)), 4);
	assert_memory_equal(a, "\0X", 2);
	assert_memory_equal(b, "YZ", 2);
	CHECK_ERR(rump_sys_preadv(fd, iov, 2, -5), EINVAL);
	assert_int_equal(CHECK_OK(rump_sys_pread64(fd, whole, sizeof(whole),
	    0)), 15);
	assert_memory_equal(whole, "abcdefghij\0\0XYZ", 15);
	/* preadv2/pwritev2: offset -1 means the file offset, and moves it. */
	CHECK_OK(rump_sys_lseek(fd, 3, SEEK_SET));
	iov[0].iov_base = a;
	iov[0].iov_len = 3;
	assert_int_equal(CHECK_OK(rump_sys_preadv2(fd, iov, 1, -1, 0)), 3);
	assert_memory_equal(a, "def", 3);
	assert_int_equal(CHECK_OK(rump_sys_lseek(fd, 0, SEEK_CUR)), 6);
	assert_int_equal(CHECK_OK(rump_sys_preadv2(fd, iov, 1, 0, 0)), 3);
	assert_memory_equal(a, "abc", 3);
	assert_int_equal(CHECK_OK(rump_sys_lseek(fd, 0, SEEK_CUR)), 6);
	iov[0].iov_base = (void *)"G";
	iov[0].iov_len = 1;
	assert_int_equal(CHECK_OK(rump_sys_pwritev2(fd, iov, 1, -1, 0)), 1);
	assert_int_equal(CHECK_OK(rump_sys_lseek(fd, 0, SEEK_CUR)), 7);
	/* Into a writable buffer: a remote client probes it first, and a
	 * fault there would meet cmocka's SIGSEGV handler, not EFAULT. */
	iov[0].iov_base = a;
	CHECK_ERR(rump_sys_preadv2(fd, iov, 1, 0, 0x40000000), EOPNOTSUPP);
	CHECK_OK(rump_sys_close(fd));
}

/* preadv2/pwritev2's flags: RWF_HIPRI, RWF_DSYNC, RWF_SYNC, RWF_APPEND,
 * RWF_NOWAIT (a pipe does not wait); anything else EOPNOTSUPP. */
static void
rwf_flags(void **state)
{
	struct iovec iov[1];
	char buf[16];
	int fd, p[2];
	ssize_t r;

	(void)state;
	TEST_DIR();
	fd = (int)CHECK_OK(rump_sys_open(tp("f"), O_RDWR | O_CREAT, 0644));
	iov[0].iov_base = (void *)"abcd";
	iov[0].iov_len = 4;
	assert_int_equal(CHECK_OK(rump_sys_pwritev2(fd, iov, 1, 0,
	    RWF_HIPRI | RWF_DSYNC)), 4);
	assert_int_equal(CHECK_OK(rump_sys_pwritev2(fd, iov, 1, 4, RWF_SYNC)),
	    4);
	assert_int_equal(CHECK_OK(rump_sys_lseek(fd, 0, SEEK_CUR)), 0);
	iov[0].iov_base = buf;
	iov[0].iov_len = sizeof(buf);
	assert_int_equal(CHECK_OK(rump_sys_preadv2(fd, iov, 1, 2,
	    RWF_HIPRI | RWF_SYNC | RWF_DSYNC | RWF_APPEND)), 6);
	assert_memory_equal(buf, "cdabcd", 6);
	/* RWF_APPEND: at the end whatever the offset; an explicit offset
	 * leaves the file offset, -1 moves it to the new end. */
	CHECK_OK(rump_sys_lseek(fd, 1, SEEK_SET));
	iov[0].iov_base = (void *)"XY";
	iov[0].iov_len = 2;
	assert_int_equal(CHECK_OK(rump_sys_pwritev2(fd, iov, 1, 0,
	    RWF_APPEND)), 2);
	assert_int_equal(CHECK_OK(rump_sys_lseek(fd, 0, SEEK_CUR)), 1);
	assert_int_equal(CHECK_OK(rump_sys_pwritev2(fd, iov, 1, -1,
	    RWF_APPEND)), 2);
	assert_int_equal(CHECK_OK(rump_sys_lseek(fd, 0, SEEK_CUR)), 12);
	assert_int_equal(CHECK_OK(rump_sys_pread64(fd, buf, sizeof(buf), 0)),
	    12);
	assert_memory_equal(buf, "abcdabcdXYXY", 12);
	/* Unknown flags, on a file and a pipe; nothing was written. */
	CHECK_ERR(rump_sys_pwritev2(fd, iov, 1, 0, 0x40000000), EOPNOTSUPP);
	iov[0].iov_base = buf;		/* writable: see vectored_io */
	CHECK_ERR(rump_sys_preadv2(fd, iov, 1, -1, 0x40000000), EOPNOTSUPP);
	/* RWF_NOWAIT on a tmpfs file: EOPNOTSUPP in the kernel, as on the
	 * Linux this was checked on (6.18); others let tmpfs do it. */
	iov[0].iov_base = buf;
	iov[0].iov_len = 4;
	r = rump_sys_preadv2(fd, iov, 1, 0, RWF_NOWAIT);
#ifdef TEST_ON_HOST
	if (r != 4)
#endif
	{
		assert_int_equal(r, -1);
		assert_int_equal(errno, EOPNOTSUPP);
	}
	assert_int_equal(CHECK_OK(rump_sys_pread64(fd, buf, sizeof(buf), 0)),
	    12);
	CHECK_OK(rump_sys_close(fd));

	CHECK_OK(rump_sys_pipe2(p, 0));
	iov[0].iov_base = buf;
	iov[0].iov_len = sizeof(buf);
	CHECK_ERR(rump_sys_preadv2(p[0], iov, 1, -1, RWF_NOWAIT), EAGAIN);
	CHECK_ERR(rump_sys_preadv2(p[0], iov, 1, 0, 0), ESPIPE);
	CHECK_ERR(rump_sys_preadv2(p[0], iov, 1, -1, 0x40000000), EOPNOTSUPP);
	iov[0].iov_base = (void *)"pipe";
	iov[0].iov_len = 4;
	assert_int_equal(CHECK_OK(rump_sys_pwritev2(p[1], iov, 1, -1,
	    RWF_NOWAIT | RWF_HIPRI)), 4);
	iov[0].iov_base = buf;
	iov[0].iov_len = sizeof(buf);
	assert_int_equal(CHECK_OK(rump_sys_preadv2(p[0], iov, 1, -1,
	    RWF_NOWAIT)), 4);
	assert_memory_equal(buf, "pipe", 4);
	CHECK_OK(rump_sys_close(p[0]));
	CHECK_OK(rump_sys_close(p[1]));
}

static void
lseek_basics(void **state)
{
	int fd;

	(void)state;
	TEST_DIR();
	put_file(tp("f"), "0123456789");
	fd = (int)CHECK_OK(rump_sys_open(tp("f"), O_RDONLY, 0));
	assert_int_equal(CHECK_OK(rump_sys_lseek(fd, 3, SEEK_SET)), 3);
	assert_int_equal(CHECK_OK(rump_sys_lseek(fd, 4, SEEK_CUR)), 7);
	assert_int_equal(CHECK_OK(rump_sys_lseek(fd, -2, SEEK_CUR)), 5);
	assert_int_equal(CHECK_OK(rump_sys_lseek(fd, 0, SEEK_END)), 10);
	assert_int_equal(CHECK_OK(rump_sys_lseek(fd, -10, SEEK_END)), 0);
	assert_int_equal(CHECK_OK(rump_sys_lseek(fd, 100, SEEK_END)), 110);
	CHECK_ERR(rump_sys_lseek(fd, -1, SEEK_SET), EINVAL);
	CHECK_ERR(rump_sys_lseek(fd, -200, SEEK_CUR), EINVAL);
	CHECK_ERR(rump_sys_lseek(fd, -11, SEEK_END), EINVAL);
	CHECK_ERR(rump_sys_lseek(fd, 0, 42), EINVAL);
	/* A failed seek leaves the offset alone. */
	assert_int_equal(CHECK_OK(rump_sys_lseek(fd, 0, SEEK_CUR)), 110);
	CHECK_OK(rump_sys_close(fd));
	CHECK_ERR(rump_sys_lseek(fd, 0, SEEK_SET), EBADF);
}

static void
lseek_data_hole(void **state)
{
	off_t off;
	int fd;

	(void)state;
	TEST_DIR();
	fd = (int)CHECK_OK(rump_sys_open(tp("sparse"), O_RDWR | O_CREAT, 0644));
	assert_int_equal(CHECK_OK(rump_sys_pwrite64(fd, "A", 1, 0)), 1);
	assert_int_equal(CHECK_OK(rump_sys_pwrite64(fd, "B", 1, MiB)), 1);
	assert_int_equal(stat_ok(tp("sparse")).st_size, MiB + 1);
	assert_int_equal(CHECK_OK(rump_sys_lseek(fd, 0, SEEK_DATA)), 0);
	off = CHECK_OK(rump_sys_lseek(fd, 0, SEEK_HOLE));
	assert_true(off > 0 && off < MiB);
	assert_int_equal(off % 4096, 0);
	assert_int_equal(CHECK_OK(rump_sys_lseek(fd, 8192, SEEK_DATA)), MiB);
	/* The end of the file counts as a hole. */
	assert_int_equal(CHECK_OK(rump_sys_lseek(fd, MiB, SEEK_HOLE)), MiB + 1);
	assert_int_equal(CHECK_OK(rump_sys_lseek(fd, MiB, SEEK_DATA)), MiB);
	CHECK_ERR(rump_sys_lseek(fd, MiB + 1, SEEK_DATA), ENXIO);
	CHECK_ERR(rump_sys_lseek(fd, MiB + 1, SEEK_HOLE), ENXIO);
	CHECK_ERR(rump_sys_lseek(fd, 5 * MiB, SEEK_DATA), ENXIO);
	CHECK_ERR(rump_sys_lseek(fd, -1, SEEK_DATA), ENXIO);
	CHECK_OK(rump_sys_close(fd));
}

static void
sparse_beyond_4g(void **state)
{
	static char buf[8192];
	struct stat st;
	int fd;

	(void)state;
	TEST_DIR();
	fd = (int)CHECK_OK(rump_sys_open(tp("huge"), O_RDWR | O_CREAT, 0644));
	assert_int_equal(CHECK_OK(rump_sys_pwrite64(fd, "hello", 5, 5 * GiB)),
	    5);
	CHECK_OK(rump_sys_fstat(fd, &st));
	assert_int_equal(st.st_size, 5 * GiB + 5);
	/* Only the written part takes space (512-byte st_blocks). */
	assert_true(st.st_blocks < 1024);
	memset(buf, 0x55, sizeof(buf));
	assert_int_equal(CHECK_OK(rump_sys_pread64(fd, buf, 5, 5 * GiB)), 5);
	assert_memory_equal(buf, "hello", 5);
	/* The hole reads as zeros, also across the 4 GiB line. */
	memset(buf, 0x55, sizeof(buf));
	assert_int_equal(CHECK_OK(rump_sys_pread64(fd, buf, sizeof(buf),
	    4 * GiB - 4096)), sizeof(buf));
	assert_true(all_zero(buf, sizeof(buf)));
	/* A read that ends at EOF returns what is there. */
	assert_int_equal(CHECK_OK(rump_sys_pread64(fd, buf, sizeof(buf),
	    5 * GiB + 2)), 3);
	assert_memory_equal(buf, "llo", 3);
	assert_int_equal(CHECK_OK(rump_sys_lseek(fd, 0, SEEK_DATA)),
	    5 * GiB);
	assert_int_equal(CHECK_OK(rump_sys_lseek(fd, 0, SEEK_END)),
	    5 * GiB + 5);
	/* Through the descriptor's offset, too. */
	CHECK_OK(rump_sys_lseek(fd, 5 * GiB + 1, SEEK_SET));
	assert_int_equal(CHECK_OK(rump_sys_read(fd, buf, 2)), 2);
	assert_memory_equal(buf, "el", 2);
	CHECK_OK(rump_sys_ftruncate(fd, 1));
	CHECK_OK(rump_sys_fstat(fd, &st));
	assert_int_equal(st.st_size, 1);
	assert_true(st.st_blocks <= 8);
	CHECK_OK(rump_sys_close(fd));
}

static void
truncate_cases(void **state)
{
	char buf[32];
	int fd;

	(void)state;
	TEST_DIR();
	put_file(tp("f"), "0123456789");
	CHECK_OK(rump_sys_truncate(tp("f"), 4));
	assert_int_equal(stat_ok(tp("f")).st_size, 4);
	/* Growing again shows zeros, not the old bytes. */
	CHECK_OK(rump_sys_truncate(tp("f"), 8));
	assert_int_equal(get_file(tp("f"), buf, sizeof(buf)), 8);
	assert_memory_equal(buf, "0123\0\0\0\0", 8);
	fd = (int)CHECK_OK(rump_sys_open(tp("f"), O_RDWR, 0));
	CHECK_OK(rump_sys_ftruncate(fd, 2));
	assert_int_equal(stat_ok(tp("f")).st_size, 2);
	CHECK_OK(rump_sys_ftruncate(fd, 10000));
	assert_int_equal(stat_ok(tp("f")).st_size, 10000);
	CHECK_ERR(rump_sys_ftruncate(fd, -1), EINVAL);
	CHECK_OK(rump_sys_close(fd));
	CHECK_ERR(rump_sys_ftruncate(fd, 0), EBADF);
	CHECK_ERR(rump_sys_truncate(tp("f"), -1), EINVAL);
	CHECK_ERR(rump_sys_truncate(tp("missing"), 0), ENOENT);
	CHECK_OK(rump_sys_mkdir(tp("d"), 0755));
	CHECK_ERR(rump_sys_truncate(tp("d"), 0), EISDIR);
	fd = (int)CHECK_OK(rump_sys_open(tp("f"), O_RDONLY, 0));
	CHECK_ERR(rump_sys_ftruncate(fd, 0), EINVAL);
	CHECK_OK(rump_sys_close(fd));
	/* Follows symlinks; needs write permission. */
	CHECK_OK(rump_sys_symlink("f", tp("l")));
	CHECK_OK(rump_sys_truncate(tp("l"), 3));
	assert_int_equal(stat_ok(tp("f")).st_size, 3);
	user_enter();
	CHECK_ERR(rump_sys_truncate(tp("f"), 0), EACCES);
	user_leave();
}

static void
fallocate_cases(void **state)
{
	char buf[8192];
	struct stat st;
	int fd;

	(void)state;
	TEST_DIR();
	fd = (int)CHECK_OK(rump_sys_open(tp("f"), O_RDWR | O_CREAT, 0644));
	CHECK_OK(rump_sys_fallocate(fd, 0, 0, 8192));
	CHECK_OK(rump_sys_fstat(fd, &st));
	assert_int_equal(st.st_size, 8192);
	assert_true(st.st_blocks >= 16);
	assert_int_equal(CHECK_OK(rump_sys_pread64(fd, buf, sizeof(buf), 0)),
	    8192);
	assert_true(all_zero(buf, sizeof(buf)));
	/* KEEP_SIZE reserves space past the end without growing it. */
	CHECK_OK(rump_sys_fallocate(fd, FALLOC_FL_KEEP_SIZE, 8192, 65536));
	CHECK_OK(rump_sys_fstat(fd, &st));
	assert_int_equal(st.st_size, 8192);
	assert_true(st.st_blocks >= (8192 + 65536) / 512);
	/* Punching a hole zeroes the range and keeps the size. */
	memset(buf, 'x', sizeof(buf));
	CHECK_OK(rump_sys_pwrite64(fd, buf, sizeof(buf), 0));
	CHECK_OK(rump_sys_fallocate(fd, FALLOC_FL_PUNCH_HOLE |
	    FALLOC_FL_KEEP_SIZE, 100, 4000));
	CHECK_OK(rump_sys_fstat(fd, &st));
	assert_int_equal(st.st_size, 8192);
	assert_int_equal(CHECK_OK(rump_sys_pread64(fd, buf, sizeof(buf), 0)),
	    8192);
	assert_int_equal(buf[99], 'x');
	assert_true(all_zero(buf + 100, 4000));
	assert_int_equal(buf[4100], 'x');
	/* Errors. */
	CHECK_ERR(rump_sys_fallocate(fd, FALLOC_FL_PUNCH_HOLE, 0, 10),
	    EOPNOTSUPP);
	CHECK_ERR(rump_sys_fallocate(fd, 0, 0, 0), EINVAL);
	CHECK_ERR(rump_sys_fallocate(fd, 0, -1, 10), EINVAL);
	CHECK_ERR(rump_sys_fallocate(fd, 0, 0, -10), EINVAL);
	CHECK_OK(rump_sys_close(fd));
	CHECK_ERR(rump_sys_fallocate(fd, 0, 0, 10), EBADF);
	fd = (int)CHECK_OK(rump_sys_open(tp("f"), O_RDONLY, 0));
	CHECK_ERR(rump_sys_fallocate(fd, 0, 0, 10), EBADF);
	CHECK_OK(rump_sys_close(fd));
}

static void
sync_calls(void **state)
{
	int fd, pfd[2];

	(void)state;
	TEST_DIR();
	fd = (int)CHECK_OK(rump_sys_open(tp("f"), O_RDWR | O_CREAT, 0644));
	CHECK_OK(rump_sys_write(fd, "x", 1));
	CHECK_OK(rump_sys_fsync(fd));
	CHECK_OK(rump_sys_fdatasync(fd));
	CHECK_OK(rump_sys_syncfs(fd));
	rump_sys_sync();
	CHECK_OK(rump_sys_close(fd));
	fd = (int)CHECK_OK(rump_sys_open(tp("f"), O_RDONLY, 0));
	CHECK_OK(rump_sys_fsync(fd));		/* read-only is fine */
	CHECK_OK(rump_sys_close(fd));
	fd = (int)CHECK_OK(rump_sys_open(T, O_RDONLY | O_DIRECTORY, 0));
	CHECK_OK(rump_sys_fsync(fd));
	CHECK_OK(rump_sys_close(fd));
	CHECK_ERR(rump_sys_fsync(fd), EBADF);
	CHECK_ERR(rump_sys_fdatasync(fd), EBADF);
	CHECK_ERR(rump_sys_syncfs(fd), EBADF);
	CHECK_OK(rump_sys_pipe(pfd));
	CHECK_ERR(rump_sys_fsync(pfd[0]), EINVAL);
	CHECK_ERR(rump_sys_fdatasync(pfd[1]), EINVAL);
	CHECK_OK(rump_sys_close(pfd[0]));
	CHECK_OK(rump_sys_close(pfd[1]));
}

static void
space_reclaimed_at_last_close(void **state)
{
	struct statfs s0, s1;
	char *buf, c;
	uint64_t need;
	int fd, fd2;

	(void)state;
	TEST_DIR();
	CHECK_OK(rump_sys_mkdir(tp("mnt"), 0755));
	CHECK_OK(rump_sys_mount("none", tp("mnt"), "tmpfs", 0, "size=64m"));
	CHECK_OK(rump_sys_statfs(tp("mnt"), &s0));
	assert_true(s0.f_blocks > 0);
	need = (uint64_t)(4 * MiB) / (uint64_t)s0.f_bsize;
	buf = calloc(1, 4 * MiB);
	assert_non_null(buf);
	memset(buf, 'z', 4 * MiB);
	fd = (int)CHECK_OK(rump_sys_open(tp("mnt/f"), O_RDWR | O_CREAT, 0644));
	assert_int_equal(CHECK_OK(rump_sys_write(fd, buf, 4 * MiB)), 4 * MiB);
	fd2 = (int)CHECK_OK(rump_sys_dup(fd));
	CHECK_OK(rump_sys_statfs(tp("mnt"), &s1));
	assert_true(s0.f_bfree - s1.f_bfree >= need);
	/* Unlinked but open: the data stays, and so does the space. */
	CHECK_OK(rump_sys_unlink(tp("mnt/f")));
	assert_int_equal(CHECK_OK(rump_sys_pread64(fd, &c, 1, 4 * MiB - 1)), 1);
	assert_int_equal(c, 'z');
	CHECK_OK(rump_sys_close(fd));
	CHECK_OK(rump_sys_statfs(tp("mnt"), &s1));
	assert_true(s0.f_bfree - s1.f_bfree >= need);
	/* The last close frees it. */
	CHECK_OK(rump_sys_close(fd2));
	CHECK_OK(rump_sys_statfs(tp("mnt"), &s1));
	assert_int_equal(s1.f_bfree, s0.f_bfree);
	CHECK_OK(rump_sys_umount2(tp("mnt"), 0));
	free(buf);
}

/* A page freed by one file and taken by the next shows none of the old
 * data: every byte not written reads as zero. */
static void
reused_pages_read_as_zeros(void **state)
{
	static const char one[] = "x";
	char *buf;
	int fd;

	(void)state;
	TEST_DIR();
	buf = malloc(8 * MiB);
	assert_non_null(buf);
	memset(buf, 0xaa, 8 * MiB);
	fd = (int)CHECK_OK(rump_sys_open(tp("old"), O_WRONLY | O_CREAT, 0644));
	assert_int_equal(CHECK_OK(rump_sys_write(fd, buf, 8 * MiB)), 8 * MiB);
	CHECK_OK(rump_sys_close(fd));
	CHECK_OK(rump_sys_unlink(tp("old")));
	for (int i = 0; i < 64; i++) {
		off_t off = (off_t)i * 12345 % 4000 + 1;

		fd = (int)CHECK_OK(rump_sys_open(tp("new%d", i), O_RDWR |
		    O_CREAT, 0644));
		/* One byte inside the first page and one two pages on. */
		assert_int_equal(CHECK_OK(rump_sys_pwrite64(fd, one, 1, off)),
		    1);
		assert_int_equal(CHECK_OK(rump_sys_pwrite64(fd, one, 1,
		    8192 + off)), 1);
		memset(buf, 0x55, 16384);
		assert_int_equal(CHECK_OK(rump_sys_pread64(fd, buf, 16384, 0)),
		    8192 + off + 1);
		for (off_t j = 0; j <= 8192 + off; j++)
			if (buf[j] != (j == off || j == 8192 + off ? 'x' : 0))
				fail_msg("new%d: byte %ld is 0x%02x", i, (long)j,
				    (unsigned char)buf[j]);
		CHECK_OK(rump_sys_close(fd));
	}
	free(buf);
}

/* Resident memory of this process, from /proc/self/statm. */
static long
resident_bytes(void)
{
	long pages = -1, size;
	FILE *f = fopen("/proc/self/statm", "r");

	assert_non_null(f);
	assert_int_equal(fscanf(f, "%ld %ld", &size, &pages), 2);
	fclose(f);
	return pages * sysconf(_SC_PAGESIZE);
}

/* An embedded kernel that deleted a large file gives most of its memory
 * back to the host once it stayed free for a second (rumpuser_page.c),
 * at the next allocation. */
static void
deleted_data_leaves_memory(void **state)
{
	long before, full, after;
	char *buf;
	int fd;

	(void)state;
	HOST_INVALID();
	REMOTE_INVALID();
	TEST_DIR();
	buf = malloc(MiB);
	assert_non_null(buf);
	memset(buf, 'r', MiB);
	before = resident_bytes();
	fd = (int)CHECK_OK(rump_sys_open(tp("big"), O_WRONLY | O_CREAT, 0644));
	for (int i = 0; i < 128; i++)
		assert_int_equal(CHECK_OK(rump_sys_write(fd, buf, MiB)), MiB);
	CHECK_OK(rump_sys_close(fd));
	full = resident_bytes();
	assert_true(full - before >= 96 * MiB);	/* less pages kept from before */
	CHECK_OK(rump_sys_unlink(tp("big")));
	usleep(1200 * 1000);
	fd = (int)CHECK_OK(rump_sys_open(tp("small"), O_WRONLY | O_CREAT, 0644));
	assert_int_equal(CHECK_OK(rump_sys_write(fd, buf, 4096)), 4096);
	CHECK_OK(rump_sys_close(fd));
	CHECK_OK(rump_sys_unlink(tp("small")));
	after = resident_bytes();
	/* rumpuser_page.c keeps up to 40 MiB for the next files. */
	if (full - after < 80 * MiB)
		fail_msg("resident %ld MiB before, %ld with the file, %ld after "
		    "unlink", before / MiB, full / MiB, after / MiB);
	free(buf);
}

static int
group_setup(void **state)
{
	(void)state;
	return test_kernel_init("io");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(read_write_basics),
		cmocka_unit_test(large_transfer),
		cmocka_unit_test(pread_pwrite),
		cmocka_unit_test(vectored_io),
		cmocka_unit_test(rwf_flags),
		cmocka_unit_test(lseek_basics),
		cmocka_unit_test(lseek_data_hole),
		cmocka_unit_test(sparse_beyond_4g),
		cmocka_unit_test(truncate_cases),
		cmocka_unit_test(fallocate_cases),
		cmocka_unit_test(sync_calls),
		cmocka_unit_test(space_reclaimed_at_last_close),
		cmocka_unit_test(reused_pages_read_as_zeros),
		cmocka_unit_test(deleted_data_leaves_memory),
	};

	return cmocka_run_group_tests_name("vfs_io", tests, group_setup, NULL);
}
