/*
 * test_eventfd.c: eventfd and eventfd2 (eventfd(2)): counter and
 * semaphore reads, write limits, flags, poll, blocking, with Linux's
 * answers (the host is the reference: build with -DTEST_ON_HOST).
 */
#include "compat.h"

#include <pthread.h>

static void
pause_a_little(void)
{
	struct timespec ts = { 0, 30 * 1000 * 1000 };

	nanosleep(&ts, NULL);
}

static uint64_t
efd_read(int fd)
{
	uint64_t v = 0;

	assert_int_equal(CHECK_OK(rump_sys_read(fd, &v, sizeof(v))), 8);
	return v;
}

static void
efd_write(int fd, uint64_t v)
{
	assert_int_equal(CHECK_OK(rump_sys_write(fd, &v, sizeof(v))), 8);
}

static int
efd_revents(int fd)
{
	struct pollfd pfd = { fd, POLLIN | POLLOUT, 0 };

	CHECK_OK(rump_sys_poll(&pfd, 1, 0));
	return pfd.revents;
}

static void
eventfd_counter(void **state)
{
	char big[16];
	uint64_t v;
	int fd;

	(void)state;
	fd = (int)CHECK_OK(rump_sys_eventfd2(3, 0));
	assert_int_equal(efd_revents(fd), POLLIN | POLLOUT);
	assert_int_equal(efd_read(fd), 3);
	assert_int_equal(efd_revents(fd), POLLOUT);
	efd_write(fd, 5);
	efd_write(fd, 2);
	efd_write(fd, 0);
	/* A bigger buffer still moves 8 bytes. */
	memset(big, 0, sizeof(big));
	assert_int_equal(CHECK_OK(rump_sys_read(fd, big, sizeof(big))), 8);
	memcpy(&v, big, 8);
	assert_int_equal(v, 7);
	CHECK_OK(rump_sys_close(fd));
	/* eventfd (284) takes no flags. */
	fd = (int)CHECK_OK(rump_sys_eventfd(9));
	assert_int_equal(efd_read(fd), 9);
	assert_int_equal(CHECK_OK(rump_sys_fcntl(fd, F_GETFL, 0)) & O_NONBLOCK, 0);
	CHECK_OK(rump_sys_close(fd));
}

static void
eventfd_semaphore(void **state)
{
	uint64_t v;
	int fd;

	(void)state;
	fd = (int)CHECK_OK(rump_sys_eventfd2(2, EFD_SEMAPHORE | EFD_NONBLOCK));
	assert_int_equal(efd_read(fd), 1);
	assert_int_equal(efd_read(fd), 1);
	CHECK_ERR(rump_sys_read(fd, &v, 8), EAGAIN);
	efd_write(fd, 3);
	assert_int_equal(efd_read(fd), 1);
	assert_int_equal(efd_revents(fd), POLLIN | POLLOUT);
	CHECK_OK(rump_sys_close(fd));
}

static void
eventfd_limits(void **state)
{
	uint64_t v;
	uint32_t small;
	int fd;

	(void)state;
	fd = (int)CHECK_OK(rump_sys_eventfd2(0, EFD_NONBLOCK));
	CHECK_ERR(rump_sys_read(fd, &v, 8), EAGAIN);
	CHECK_ERR(rump_sys_read(fd, &small, 4), EINVAL);
	small = 1;
	CHECK_ERR(rump_sys_write(fd, &small, 4), EINVAL);
	v = UINT64_MAX;
	CHECK_ERR(rump_sys_write(fd, &v, 8), EINVAL);
	/* The counter holds at most 2^64 - 2. */
	efd_write(fd, UINT64_MAX - 1);
	assert_int_equal(efd_revents(fd), POLLIN);
	v = 1;
	CHECK_ERR(rump_sys_write(fd, &v, 8), EAGAIN);
	/* A write of 0 never blocks. */
	efd_write(fd, 0);
	assert_int_equal(efd_read(fd), UINT64_MAX - 1);
	assert_int_equal(efd_revents(fd), POLLOUT);
	CHECK_ERR(rump_sys_pread64(fd, &v, 8, 0), ESPIPE);
	assert_int_equal(CHECK_OK(rump_sys_lseek(fd, 0, SEEK_SET)), 0);
	CHECK_OK(rump_sys_close(fd));
}

static void
eventfd_flags(void **state)
{
	struct stat st;
	int fd;

	(void)state;
	CHECK_ERR(rump_sys_eventfd2(0, 0x10), EINVAL);
	CHECK_ERR(rump_sys_eventfd2(0, O_RDONLY | O_APPEND), EINVAL);
	fd = (int)CHECK_OK(rump_sys_eventfd2(0, EFD_CLOEXEC | EFD_NONBLOCK));
	assert_int_equal(CHECK_OK(rump_sys_fcntl(fd, F_GETFD, 0)), FD_CLOEXEC);
	assert_int_equal(CHECK_OK(rump_sys_fcntl(fd, F_GETFL, 0)),
	    O_RDWR | O_NONBLOCK);
	CHECK_OK(rump_sys_fstat(fd, &st));
	assert_int_equal(st.st_mode, 0600);
	CHECK_OK(rump_sys_close(fd));
}

struct efd_reader {
	int fd;
	long n;
	uint64_t v;
};

static void *
reader_thread(void *arg)
{
	struct efd_reader *r = arg;

	r->n = rump_sys_read(r->fd, &r->v, 8);
	return NULL;
}

static void
eventfd_blocking(void **state)
{
	struct efd_reader r;
	pthread_t t;
	uint64_t v;
	int fd;

	(void)state;
	fd = (int)CHECK_OK(rump_sys_eventfd2(0, 0));
	memset(&r, 0, sizeof(r));
	r.fd = fd;
	assert_int_equal(pthread_create(&t, NULL, reader_thread, &r), 0);
	pause_a_little();	/* most likely blocked in read by now */
	efd_write(fd, 4);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(r.n, 8);
	assert_int_equal(r.v, 4);
	/* A full counter blocks the writer until a read empties it. */
	efd_write(fd, UINT64_MAX - 1);
	memset(&r, 0, sizeof(r));
	r.fd = fd;
	{
		pthread_t w;
		struct efd_reader wr = { fd, 0, 0 };

		(void)wr;
		assert_int_equal(pthread_create(&w, NULL, reader_thread, &r),
		    0);
		assert_int_equal(pthread_join(w, NULL), 0);
		assert_int_equal(r.v, UINT64_MAX - 1);
	}
	v = 0;
	assert_int_equal(efd_revents(fd), POLLOUT);
	(void)v;
	CHECK_OK(rump_sys_close(fd));
}

static int
group_setup(void **state)
{
	(void)state;
	return test_kernel_init("eventfd");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(eventfd_counter),
		cmocka_unit_test(eventfd_semaphore),
		cmocka_unit_test(eventfd_limits),
		cmocka_unit_test(eventfd_flags),
		cmocka_unit_test(eventfd_blocking),
	};

	return cmocka_run_group_tests_name("eventfd", tests, group_setup, NULL);
}
