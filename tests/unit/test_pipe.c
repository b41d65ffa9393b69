/*
 * test_pipe.c: kernel pipes and fifos: pipe/pipe2, EOF, EAGAIN, EPIPE,
 * FIONREAD, O_CLOEXEC, ESPIPE, poll readiness, blocking reads and fifo
 * opens woken by another thread, fifos made with mknod(at); the sleep
 * hint of an lwp (rump_lwproc_blockhint).
 */
#include "compat.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

static void
pause_a_little(void)
{
	struct timespec ts = { 0, 30 * 1000 * 1000 };

	nanosleep(&ts, NULL);
}

static void
pipe_basics(void **state)
{
	struct stat st;
	char buf[16];
	int p[2];

	(void)state;
	TEST_DIR();
	CHECK_OK(rump_sys_pipe(p));
	assert_true(p[0] != p[1]);
	assert_int_equal(CHECK_OK(rump_sys_write(p[1], "hello", 5)), 5);
	memset(buf, 0, sizeof(buf));
	assert_int_equal(CHECK_OK(rump_sys_read(p[0], buf, sizeof(buf))), 5);
	assert_string_equal(buf, "hello");
	CHECK_OK(rump_sys_fstat(p[0], &st));
	assert_true(S_ISFIFO(st.st_mode));
	assert_int_equal(CHECK_OK(rump_sys_fcntl(p[0], F_GETFL, 0)) & O_ACCMODE,
	    O_RDONLY);
	assert_int_equal(CHECK_OK(rump_sys_fcntl(p[1], F_GETFL, 0)) & O_ACCMODE,
	    O_WRONLY);
	assert_int_equal(CHECK_OK(rump_sys_fcntl(p[0], F_GETFD, 0)), 0);
	/* Wrong direction, no seeking. */
	CHECK_ERR(rump_sys_write(p[0], "x", 1), EBADF);
	CHECK_ERR(rump_sys_read(p[1], buf, 1), EBADF);
	CHECK_ERR(rump_sys_lseek(p[0], 0, SEEK_SET), ESPIPE);
	CHECK_ERR(rump_sys_pread64(p[0], buf, 1, 0), ESPIPE);
	CHECK_ERR(rump_sys_pwrite64(p[1], "x", 1, 0), ESPIPE);
	/* Writer gone: what is left, then EOF. */
	assert_int_equal(CHECK_OK(rump_sys_write(p[1], "bye", 3)), 3);
	CHECK_OK(rump_sys_close(p[1]));
	assert_int_equal(CHECK_OK(rump_sys_read(p[0], buf, sizeof(buf))), 3);
	assert_int_equal(CHECK_OK(rump_sys_read(p[0], buf, sizeof(buf))), 0);
	CHECK_OK(rump_sys_close(p[0]));
}

static void
pipe2_flags_nonblock(void **state)
{
	static char chunk[4096];
	size_t total = 0;
	char buf[16];
	ssize_t n;
	int p[2], avail;

	(void)state;
	TEST_DIR();
	CHECK_OK(rump_sys_pipe2(p, O_CLOEXEC | O_NONBLOCK));
	assert_int_equal(CHECK_OK(rump_sys_fcntl(p[0], F_GETFD, 0)), FD_CLOEXEC);
	assert_int_equal(CHECK_OK(rump_sys_fcntl(p[1], F_GETFD, 0)), FD_CLOEXEC);
	assert_true(CHECK_OK(rump_sys_fcntl(p[0], F_GETFL, 0)) & O_NONBLOCK);
	CHECK_ERR(rump_sys_read(p[0], buf, sizeof(buf)), EAGAIN);
	CHECK_OK(rump_sys_ioctl(p[0], FIONREAD, &avail));
	assert_int_equal(avail, 0);
	assert_int_equal(CHECK_OK(rump_sys_write(p[1], "12345", 5)), 5);
	CHECK_OK(rump_sys_ioctl(p[0], FIONREAD, &avail));
	assert_int_equal(avail, 5);
	assert_int_equal(CHECK_OK(rump_sys_read(p[0], buf, 2)), 2);
	CHECK_OK(rump_sys_ioctl(p[0], FIONREAD, &avail));
	assert_int_equal(avail, 3);
	assert_int_equal(CHECK_OK(rump_sys_read(p[0], buf, sizeof(buf))), 3);
	/* Fill it: at least PIPE_BUF fits, then EAGAIN. */
	memset(chunk, 'c', sizeof(chunk));
	for (;;) {
		n = rump_sys_write(p[1], chunk, sizeof(chunk));
		if (n == -1)
			break;
		total += (size_t)n;
		assert_true(total < 64 * 1024 * 1024);
	}
	assert_int_equal(errno, EAGAIN);
	assert_true(total >= PIPE_BUF);
	CHECK_OK(rump_sys_ioctl(p[0], FIONREAD, &avail));
	assert_int_equal((size_t)avail, total);
	/* Draining makes room again. */
	assert_int_equal(CHECK_OK(rump_sys_read(p[0], chunk, sizeof(chunk))),
	    sizeof(chunk));
	assert_int_equal(CHECK_OK(rump_sys_write(p[1], "x", 1)), 1);
	CHECK_OK(rump_sys_close(p[0]));
	CHECK_OK(rump_sys_close(p[1]));
	CHECK_ERR(rump_sys_pipe2(p, O_APPEND), EINVAL);
	CHECK_ERR(rump_sys_pipe2(p, 0x40000000), EINVAL);
}

static void
pipe_epipe(void **state)
{
	int p[2];

	(void)state;
	TEST_DIR();
	signal(SIGPIPE, SIG_IGN);	/* the host kernel would send one */
	CHECK_OK(rump_sys_pipe(p));
	CHECK_OK(rump_sys_close(p[0]));
	CHECK_ERR(rump_sys_write(p[1], "x", 1), EPIPE);
	CHECK_OK(rump_sys_close(p[1]));
}

static void
pipe_poll(void **state)
{
	struct pollfd pfd[2];
	int p[2];
	char c;

	(void)state;
	TEST_DIR();
	CHECK_OK(rump_sys_pipe(p));
	pfd[0].fd = p[0];
	pfd[0].events = POLLIN;
	pfd[1].fd = p[1];
	pfd[1].events = POLLOUT;
	/* Empty: only the write end is ready. */
	assert_int_equal(CHECK_OK(rump_sys_poll(pfd, 2, 0)), 1);
	assert_int_equal(pfd[0].revents, 0);
	assert_int_equal(pfd[1].revents, POLLOUT);
	CHECK_OK(rump_sys_write(p[1], "x", 1));
	assert_int_equal(CHECK_OK(rump_sys_poll(pfd, 2, 0)), 2);
	assert_int_equal(pfd[0].revents, POLLIN);
	/* ppoll: the same with a timespec and no signal mask. */
	{
		struct timespec zero = { 0, 0 };

		pfd[0].revents = 0;
		assert_int_equal(CHECK_OK(rump_sys_ppoll(pfd, 1, &zero, NULL,
		    0)), 1);
		assert_int_equal(pfd[0].revents, POLLIN);
		zero.tv_nsec = 1000000000;
		CHECK_ERR(rump_sys_ppoll(pfd, 1, &zero, NULL, 0), EINVAL);
	}
	CHECK_OK(rump_sys_read(p[0], &c, 1));
	/* Writer closed: the read end reports a hang-up. */
	CHECK_OK(rump_sys_close(p[1]));
	assert_int_equal(CHECK_OK(rump_sys_poll(pfd, 1, 0)), 1);
	assert_true(pfd[0].revents & POLLHUP);
	/* A closed descriptor is POLLNVAL, not an error. */
	pfd[1].fd = p[1];
	pfd[1].events = POLLIN;
	assert_int_equal(CHECK_OK(rump_sys_poll(&pfd[1], 1, 0)), 1);
	assert_int_equal(pfd[1].revents, POLLNVAL);
	CHECK_OK(rump_sys_close(p[0]));
}

struct reader {
	int fd;
	char buf[16];
	ssize_t n;
	int err;
	const char *path;	/* for fifo_open_waits */
};

static void *
reader_thread(void *arg)
{
	struct reader *r = arg;

	r->n = rump_sys_read(r->fd, r->buf, sizeof(r->buf) - 1);
	r->err = r->n == -1 ? errno : 0;
	return NULL;
}

static void
pipe_blocking_read_wakes(void **state)
{
	struct reader r;
	pthread_t t;
	int p[2];

	(void)state;
	TEST_DIR();
	CHECK_OK(rump_sys_pipe(p));
	memset(&r, 0, sizeof(r));
	r.fd = p[0];
	assert_int_equal(pthread_create(&t, NULL, reader_thread, &r), 0);
	pause_a_little();	/* most likely blocked in read by now */
	assert_int_equal(CHECK_OK(rump_sys_write(p[1], "wake", 4)), 4);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(r.err, 0);
	assert_int_equal(r.n, 4);
	assert_string_equal(r.buf, "wake");
	/* A blocked reader also wakes on the writer's close, with EOF. */
	memset(&r, 0, sizeof(r));
	r.fd = p[0];
	assert_int_equal(pthread_create(&t, NULL, reader_thread, &r), 0);
	pause_a_little();
	CHECK_OK(rump_sys_close(p[1]));
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(r.n, 0);
	CHECK_OK(rump_sys_close(p[0]));
}

#if !defined(TEST_REMOTE) && !defined(TEST_ON_HOST)
struct hinted {
	int fd;
	_Atomic uint32_t word;
	ssize_t n;
	char buf[8];
};

static void *
hinted_reader(void *arg)
{
	struct hinted *h = arg;

	rump_lwproc_blockhint(&h->word);
	h->n = rump_sys_read(h->fd, h->buf, sizeof(h->buf));
	rump_lwproc_blockhint(NULL);
	return NULL;
}
#endif

/*
 * rump_lwproc_blockhint (what the server uses to tell a remote client to
 * stop spinning): a read that sleeps sets the word; one that finds data
 * does not.  Nobody writes until the word says the reader sleeps.
 */
static void
pipe_sleep_sets_blockhint(void **state)
{
#if defined(TEST_REMOTE) || defined(TEST_ON_HOST)
	(void)state;
	skip();
#else
	struct timespec ms = { 0, 1000 * 1000 };
	struct hinted h;
	pthread_t t;
	int p[2];

	(void)state;
	TEST_DIR();
	CHECK_OK(rump_sys_pipe(p));
	memset(&h, 0, sizeof(h));
	h.fd = p[0];
	assert_int_equal(CHECK_OK(rump_sys_write(p[1], "now", 3)), 3);
	assert_int_equal(pthread_create(&t, NULL, hinted_reader, &h), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(h.n, 3);
	assert_int_equal(atomic_load(&h.word), 0);	/* data was there */
	memset(&h, 0, sizeof(h));
	h.fd = p[0];
	assert_int_equal(pthread_create(&t, NULL, hinted_reader, &h), 0);
	for (int i = 0; i < 10000 && atomic_load(&h.word) == 0; i++)
		nanosleep(&ms, NULL);
	assert_int_equal(atomic_load(&h.word), 1);
	assert_int_equal(CHECK_OK(rump_sys_write(p[1], "late", 4)), 4);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(h.n, 4);
	assert_memory_equal(h.buf, "late", 4);
	CHECK_OK(rump_sys_close(p[0]));
	CHECK_OK(rump_sys_close(p[1]));
#endif
}

static void
fifo_mknod(void **state)
{
	struct stat st;
	char buf[16];
	int fd, rd, dfd;

	(void)state;
	TEST_DIR();
	CHECK_OK(rump_sys_mknod(tp("fifo"), S_IFIFO | 0640, 0));
	st = stat_ok(tp("fifo"));
	assert_true(S_ISFIFO(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0640);
	CHECK_ERR(rump_sys_mknod(tp("fifo"), S_IFIFO | 0640, 0), EEXIST);
	/* O_RDWR never blocks; data goes through the kernel, not the file. */
	fd = (int)CHECK_OK(rump_sys_open(tp("fifo"), O_RDWR, 0));
	assert_int_equal(CHECK_OK(rump_sys_write(fd, "through", 7)), 7);
	memset(buf, 0, sizeof(buf));
	assert_int_equal(CHECK_OK(rump_sys_read(fd, buf, sizeof(buf))), 7);
	assert_string_equal(buf, "through");
	assert_int_equal(stat_ok(tp("fifo")).st_size, 0);
	CHECK_ERR(rump_sys_lseek(fd, 0, SEEK_SET), ESPIPE);
	CHECK_OK(rump_sys_close(fd));
	/* Non-blocking opens: a reader alone is fine, a writer alone not. */
	CHECK_ERR(rump_sys_open(tp("fifo"), O_WRONLY | O_NONBLOCK, 0), ENXIO);
	rd = (int)CHECK_OK(rump_sys_open(tp("fifo"), O_RDONLY | O_NONBLOCK, 0));
	/* No writer at all: end of file, not EAGAIN. */
	assert_int_equal(CHECK_OK(rump_sys_read(rd, buf, sizeof(buf))), 0);
	fd = (int)CHECK_OK(rump_sys_open(tp("fifo"), O_WRONLY | O_NONBLOCK, 0));
	/* A writer that has not written yet: EAGAIN. */
	CHECK_ERR(rump_sys_read(rd, buf, sizeof(buf)), EAGAIN);
	CHECK_OK(rump_sys_write(fd, "nb", 2));
	assert_int_equal(CHECK_OK(rump_sys_read(rd, buf, sizeof(buf))), 2);
	CHECK_OK(rump_sys_close(fd));
	assert_int_equal(CHECK_OK(rump_sys_read(rd, buf, sizeof(buf))), 0);
	CHECK_OK(rump_sys_close(rd));
	/* mknodat; mode 0 means a regular file. */
	dfd = (int)CHECK_OK(rump_sys_open(T, O_RDONLY | O_DIRECTORY, 0));
	CHECK_OK(rump_sys_mknodat(dfd, "fifo2", S_IFIFO | 0600, 0));
	assert_true(S_ISFIFO(stat_ok(tp("fifo2")).st_mode));
	CHECK_OK(rump_sys_mknodat(dfd, "plain", 0600, 0));
	assert_true(S_ISREG(stat_ok(tp("plain")).st_mode));
	CHECK_OK(rump_sys_mknodat(dfd, "plain2", S_IFREG | 0600, 0));
	assert_true(S_ISREG(stat_ok(tp("plain2")).st_mode));
	CHECK_ERR(rump_sys_mknodat(dfd, "dir", S_IFDIR | 0700, 0), EPERM);
	CHECK_ERR(rump_sys_mknodat(dfd, "bad", 0170000 | 0600, 0), EINVAL);
	CHECK_ERR(rump_sys_mknodat(dfd, "nodir/x", S_IFIFO | 0600, 0), ENOENT);
	CHECK_OK(rump_sys_close(dfd));
	/* Unprivileged processes may make fifos. */
	CHECK_OK(rump_sys_chmod(T, 0777));
	user_enter();
	CHECK_OK(rump_sys_mknod(tp("userfifo"), S_IFIFO | 0600, 0));
	user_leave();
	assert_int_equal(stat_ok(tp("userfifo")).st_uid, USER_UID);
}

static void *
fifo_opener(void *arg)
{
	struct reader *r = arg;
	int fd;

	fd = rump_sys_open(r->path, O_RDONLY, 0);
	if (fd == -1) {
		r->err = errno;
		return NULL;
	}
	r->n = rump_sys_read(fd, r->buf, sizeof(r->buf) - 1);
	r->err = r->n == -1 ? errno : 0;
	rump_sys_close(fd);
	return NULL;
}

static void
fifo_open_waits_for_peer(void **state)
{
	struct reader r;
	pthread_t t;
	int fd;

	(void)state;
	TEST_DIR();
	CHECK_OK(rump_sys_mknod(tp("fifo"), S_IFIFO | 0600, 0));
	memset(&r, 0, sizeof(r));
	r.path = tp("fifo");
	/* The reader's open blocks until a writer opens. */
	assert_int_equal(pthread_create(&t, NULL, fifo_opener, &r), 0);
	pause_a_little();
	fd = (int)CHECK_OK(rump_sys_open(tp("fifo"), O_WRONLY, 0));
	assert_int_equal(CHECK_OK(rump_sys_write(fd, "met", 3)), 3);
	CHECK_OK(rump_sys_close(fd));
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(r.err, 0);
	assert_string_equal(r.buf, "met");
}

static int
group_setup(void **state)
{
	(void)state;
	return test_kernel_init("pipe");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pipe_basics),
		cmocka_unit_test(pipe2_flags_nonblock),
		cmocka_unit_test(pipe_epipe),
		cmocka_unit_test(pipe_poll),
		cmocka_unit_test(pipe_blocking_read_wakes),
		cmocka_unit_test(pipe_sleep_sets_blockhint),
		cmocka_unit_test(fifo_mknod),
		cmocka_unit_test(fifo_open_waits_for_peer),
	};

	return cmocka_run_group_tests_name("pipe", tests, group_setup, NULL);
}
