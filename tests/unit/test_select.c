/*
 * test_select.c: select and pselect6 on pipes, fifos and eventfds, and
 * poll's wakeups from another thread, with Linux's answers (the host is
 * the reference: build with -DTEST_ON_HOST).
 */
#include "compat.h"

#include <pthread.h>

static void
pause_a_little(void)
{
	struct timespec ts = { 0, 30 * 1000 * 1000 };

	nanosleep(&ts, NULL);
}

static void
select_pipe(void **state)
{
	fd_set r, w, e;
	struct timeval tv;
	int p[2], n;
	char c;

	(void)state;
	CHECK_OK(rump_sys_pipe(p));
	n = (p[0] > p[1] ? p[0] : p[1]) + 1;
	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_ZERO(&e);
	FD_SET(p[0], &r);
	FD_SET(p[1], &w);
	FD_SET(p[0], &e);
	FD_SET(p[1], &e);
	tv.tv_sec = 0;
	tv.tv_usec = 0;
	assert_int_equal(CHECK_OK(rump_sys_select(n, &r, &w, &e, &tv)), 1);
	assert_false(FD_ISSET(p[0], &r));
	assert_true(FD_ISSET(p[1], &w));
	assert_false(FD_ISSET(p[0], &e));
	assert_false(FD_ISSET(p[1], &e));
	assert_int_equal(CHECK_OK(rump_sys_write(p[1], "a", 1)), 1);
	/* One descriptor in two sets counts twice. */
	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_SET(p[0], &r);
	FD_SET(p[1], &w);
	FD_SET(p[1], &r);
	assert_int_equal(CHECK_OK(rump_sys_select(n, &r, &w, NULL, &tv)), 2);
	assert_true(FD_ISSET(p[0], &r));
	assert_false(FD_ISSET(p[1], &r));
	assert_true(FD_ISSET(p[1], &w));
	assert_int_equal(CHECK_OK(rump_sys_read(p[0], &c, 1)), 1);
	/* A reader without writers is readable (EOF). */
	CHECK_OK(rump_sys_close(p[1]));
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	assert_int_equal(CHECK_OK(rump_sys_select(p[0] + 1, &r, NULL, NULL,
	    NULL)), 1);
	assert_true(FD_ISSET(p[0], &r));
	CHECK_OK(rump_sys_close(p[0]));
}

static void
select_errors(void **state)
{
	fd_set r;
	struct timeval tv;
	int p[2];

	(void)state;
	CHECK_OK(rump_sys_pipe(p));
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	CHECK_ERR(rump_sys_select(-1, &r, NULL, NULL, NULL), EINVAL);
	tv.tv_sec = 0;
	tv.tv_usec = -1;
	CHECK_ERR(rump_sys_select(p[0] + 1, &r, NULL, NULL, &tv), EINVAL);
	tv.tv_sec = -1;
	tv.tv_usec = 0;
	CHECK_ERR(rump_sys_select(p[0] + 1, &r, NULL, NULL, &tv), EINVAL);
	/* Whole seconds in tv_usec are fine. */
	assert_int_equal(CHECK_OK(rump_sys_write(p[1], "a", 1)), 1);
	tv.tv_sec = 0;
	tv.tv_usec = 2000000;
	assert_int_equal(CHECK_OK(rump_sys_select(p[0] + 1, &r, NULL, NULL,
	    &tv)), 1);
	/* A closed descriptor in a set is EBADF. */
	CHECK_OK(rump_sys_close(p[1]));
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	FD_SET(p[1], &r);
	tv.tv_sec = 0;
	tv.tv_usec = 0;
	CHECK_ERR(rump_sys_select(p[1] + 1, &r, NULL, NULL, &tv), EBADF);
	/* ... but not beyond nfds. */
	if (p[1] > p[0])
		assert_int_equal(CHECK_OK(rump_sys_select(p[0] + 1, &r, NULL,
		    NULL, &tv)), 1);
	/* No sets: a sleep. */
	tv.tv_sec = 0;
	tv.tv_usec = 1000;
	assert_int_equal(CHECK_OK(rump_sys_select(0, NULL, NULL, NULL, &tv)),
	    0);
	CHECK_OK(rump_sys_close(p[0]));
}

static void
select_timeout_written_back(void **state)
{
	fd_set r;
	struct timeval tv;
	int p[2];

	(void)state;
	CHECK_OK(rump_sys_pipe(p));
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	tv.tv_sec = 0;
	tv.tv_usec = 5000;
	assert_int_equal(CHECK_OK(rump_sys_select(p[0] + 1, &r, NULL, NULL,
	    &tv)), 0);
	/* Timed out: nothing left, and the sets say nothing is ready. */
	assert_int_equal(tv.tv_sec, 0);
	assert_int_equal(tv.tv_usec, 0);
	assert_false(FD_ISSET(p[0], &r));
	/* Ready at once: most of the time is left. */
	assert_int_equal(CHECK_OK(rump_sys_write(p[1], "a", 1)), 1);
	FD_SET(p[0], &r);
	tv.tv_sec = 100;
	tv.tv_usec = 0;
	assert_int_equal(CHECK_OK(rump_sys_select(p[0] + 1, &r, NULL, NULL,
	    &tv)), 1);
	assert_true(tv.tv_sec >= 98 && tv.tv_sec <= 100);
	CHECK_OK(rump_sys_close(p[0]));
	CHECK_OK(rump_sys_close(p[1]));
}

static void
pselect6_args(void **state)
{
	fd_set w;
	struct timespec ts;
	uint64_t mask = 0;
	struct { const void *ss; size_t len; } sig;
	int p[2];

	(void)state;
	CHECK_OK(rump_sys_pipe(p));
	FD_ZERO(&w);
	FD_SET(p[1], &w);
	ts.tv_sec = 0;
	ts.tv_nsec = 0;
	sig.ss = &mask;
	sig.len = 4;
	CHECK_ERR(rump_sys_pselect6(p[1] + 1, NULL, &w, NULL, &ts, &sig),
	    EINVAL);
	sig.len = 8;
	assert_int_equal(CHECK_OK(rump_sys_pselect6(p[1] + 1, NULL, &w, NULL,
	    &ts, &sig)), 1);
	/* No mask: its size does not matter. */
	sig.ss = NULL;
	sig.len = 3;
	assert_int_equal(CHECK_OK(rump_sys_pselect6(p[1] + 1, NULL, &w, NULL,
	    &ts, &sig)), 1);
	assert_int_equal(CHECK_OK(rump_sys_pselect6(p[1] + 1, NULL, &w, NULL,
	    NULL, NULL)), 1);
	ts.tv_nsec = 1000000000L;
	CHECK_ERR(rump_sys_pselect6(p[1] + 1, NULL, &w, NULL, &ts, NULL),
	    EINVAL);
	/* Nothing readable: the timeout passes and is written back. */
	FD_ZERO(&w);
	FD_SET(p[0], &w);
	ts.tv_nsec = 2 * 1000 * 1000;
	assert_int_equal(CHECK_OK(rump_sys_pselect6(p[0] + 1, &w, NULL, NULL,
	    &ts, NULL)), 0);
	assert_int_equal(ts.tv_sec, 0);
	assert_int_equal(ts.tv_nsec, 0);
	CHECK_OK(rump_sys_close(p[0]));
	CHECK_OK(rump_sys_close(p[1]));
}

struct sleeper {
	int fd;
	int kind;		/* 0 select, 1 poll, 2 ppoll */
	int n;
	int err;
	int revents;
};

static void *
sleeper_thread(void *arg)
{
	struct sleeper *s = arg;
	struct pollfd pfd = { s->fd, POLLIN, 0 };
	fd_set r;

	switch (s->kind) {
	case 0:
		FD_ZERO(&r);
		FD_SET(s->fd, &r);
		s->n = rump_sys_select(s->fd + 1, &r, NULL, NULL, NULL);
		s->revents = FD_ISSET(s->fd, &r) ? POLLIN : 0;
		break;
	case 1:
		s->n = rump_sys_poll(&pfd, 1, -1);
		s->revents = pfd.revents;
		break;
	default:
		s->n = rump_sys_ppoll(&pfd, 1, NULL, NULL, 8);
		s->revents = pfd.revents;
		break;
	}
	s->err = s->n == -1 ? errno : 0;
	return NULL;
}

/* A thread asleep in select/poll wakes on a write from another thread. */
static void
sleepers_wake(void **state)
{
	struct sleeper s;
	pthread_t t;
	uint64_t one = 1;
	int p[2], fd, kind;

	(void)state;
	TEST_DIR();
	CHECK_OK(rump_sys_mknod(tp("fifo"), S_IFIFO | 0644, 0));
	for (kind = 0; kind < 3; kind++) {
		/* A pipe, a fifo and an eventfd, each woken by a write. */
		for (int obj = 0; obj < 3; obj++) {
			if (obj == 0) {
				CHECK_OK(rump_sys_pipe(p));
			} else if (obj == 1) {
				p[0] = (int)CHECK_OK(rump_sys_open(tp("fifo"),
				    O_RDWR, 0));
				p[1] = (int)CHECK_OK(rump_sys_dup(p[0]));
			} else {
				p[0] = (int)CHECK_OK(rump_sys_eventfd2(0, 0));
				p[1] = (int)CHECK_OK(rump_sys_dup(p[0]));
			}
			memset(&s, 0, sizeof(s));
			s.fd = p[0];
			s.kind = kind;
			assert_int_equal(pthread_create(&t, NULL,
			    sleeper_thread, &s), 0);
			pause_a_little();
			fd = p[1];
			assert_int_equal(CHECK_OK(rump_sys_write(fd, &one, 8)),
			    8);
			assert_int_equal(pthread_join(t, NULL), 0);
			assert_int_equal(s.err, 0);
			assert_int_equal(s.n, 1);
			assert_int_equal(s.revents, POLLIN);
			CHECK_OK(rump_sys_close(p[0]));
			CHECK_OK(rump_sys_close(p[1]));
		}
	}
}

/* A writer blocked on a full pipe does not keep a poller from its data. */
struct bigwriter {
	int fd;
	ssize_t n;
};

static void *
bigwriter_thread(void *arg)
{
	struct bigwriter *b = arg;
	static char buf[256 * 1024];

	b->n = rump_sys_write(b->fd, buf, sizeof(buf));
	return NULL;
}

static void
poll_sees_data_of_blocked_writer(void **state)
{
	static char buf[64 * 1024];
	struct bigwriter b;
	struct pollfd pfd;
	pthread_t t;
	ssize_t got = 0, n;
	int p[2];

	(void)state;
	CHECK_OK(rump_sys_pipe(p));
	b.fd = p[1];
	b.n = 0;
	assert_int_equal(pthread_create(&t, NULL, bigwriter_thread, &b), 0);
	while (got < 256 * 1024) {
		pfd.fd = p[0];
		pfd.events = POLLIN;
		pfd.revents = 0;
		assert_int_equal(CHECK_OK(rump_sys_poll(&pfd, 1, -1)), 1);
		assert_int_equal(pfd.revents, POLLIN);
		n = CHECK_OK(rump_sys_read(p[0], buf, sizeof(buf)));
		assert_true(n > 0);
		got += n;
	}
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(b.n, 256 * 1024);
	CHECK_OK(rump_sys_close(p[0]));
	CHECK_OK(rump_sys_close(p[1]));
}

/* A poller whose descriptor is closed by another thread still returns. */
static void
poll_then_close_elsewhere(void **state)
{
	struct sleeper s;
	pthread_t t;
	int p[2];

	(void)state;
	CHECK_OK(rump_sys_pipe(p));
	memset(&s, 0, sizeof(s));
	s.fd = p[0];
	s.kind = 1;
	assert_int_equal(pthread_create(&t, NULL, sleeper_thread, &s), 0);
	pause_a_little();
	/*
	 * The poller holds the file: the close only drops the number.  The
	 * writer's close wakes it; it looks again and finds no descriptor.
	 */
	CHECK_OK(rump_sys_close(p[0]));
	CHECK_OK(rump_sys_close(p[1]));
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.revents, POLLNVAL);
}

static int
group_setup(void **state)
{
	(void)state;
	return test_kernel_init("select");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(select_pipe),
		cmocka_unit_test(select_errors),
		cmocka_unit_test(select_timeout_written_back),
		cmocka_unit_test(pselect6_args),
		cmocka_unit_test(sleepers_wake),
		cmocka_unit_test(poll_sees_data_of_blocked_writer),
		cmocka_unit_test(poll_then_close_elsewhere),
	};

	return cmocka_run_group_tests_name("select", tests, group_setup, NULL);
}
