/*
 * test_epoll.c: epoll_create/create1/ctl/wait/pwait/pwait2 on pipes,
 * fifos, eventfds and nested epoll instances, with Linux's answers (the
 * host is the reference: build with -DTEST_ON_HOST).
 */
#include "compat.h"

#include <pthread.h>
#include <sched.h>

static void
pause_a_little(void)
{
	struct timespec ts = { 0, 30 * 1000 * 1000 };

	nanosleep(&ts, NULL);
}

static void
ep_add(int ep, int fd, uint32_t events, uint64_t data)
{
	struct epoll_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = events;
	ev.data.u64 = data;
	CHECK_OK(rump_sys_epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
}

static int
ep_ctl_err(int ep, int op, int fd, uint32_t events)
{
	struct epoll_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = events;
	return rump_sys_epoll_ctl(ep, op, fd, &ev);
}

/* epoll_wait that returns the count, with the first event in *evp. */
static int
ep_wait1(int ep, int timeout, struct epoll_event *evp)
{
	struct epoll_event evs[8];
	int n;

	memset(evs, 0, sizeof(evs));
	n = (int)CHECK_OK(rump_sys_epoll_wait(ep, evs, 8, timeout));
	if (evp != NULL)
		*evp = evs[0];
	return n;
}

static void
epoll_create_errors(void **state)
{
	struct stat st;
	char c;
	int ep, fl;

	(void)state;
	CHECK_ERR(rump_sys_epoll_create(0), EINVAL);
	CHECK_ERR(rump_sys_epoll_create(-1), EINVAL);
	CHECK_ERR(rump_sys_epoll_create1(1), EINVAL);
	CHECK_ERR(rump_sys_epoll_create1(O_NONBLOCK), EINVAL);
	ep = (int)CHECK_OK(rump_sys_epoll_create(1));
	fl = (int)CHECK_OK(rump_sys_fcntl(ep, F_GETFD, 0));
	assert_int_equal(fl & FD_CLOEXEC, 0);
	/* An epoll descriptor is not for reading or writing. */
	CHECK_ERR(rump_sys_read(ep, &c, 1), EINVAL);
	CHECK_ERR(rump_sys_write(ep, &c, 1), EINVAL);
	/* Linux's anonymous files seek nowhere, successfully. */
	assert_int_equal(CHECK_OK(rump_sys_lseek(ep, 0, SEEK_SET)), 0);
	CHECK_OK(rump_sys_fstat(ep, &st));
	assert_int_equal(st.st_mode, 0600);
	CHECK_OK(rump_sys_close(ep));
	ep = (int)CHECK_OK(rump_sys_epoll_create1(EPOLL_CLOEXEC));
	fl = (int)CHECK_OK(rump_sys_fcntl(ep, F_GETFD, 0));
	assert_int_equal(fl & FD_CLOEXEC, FD_CLOEXEC);
	CHECK_OK(rump_sys_close(ep));
}

static void
epoll_ctl_errors(void **state)
{
	struct epoll_event ev, evs[2];
	int ep, ep2, p[2], f, d;

	(void)state;
	TEST_DIR();
	ep = (int)CHECK_OK(rump_sys_epoll_create1(0));
	ep2 = (int)CHECK_OK(rump_sys_epoll_create1(0));
	CHECK_OK(rump_sys_pipe(p));
	f = (int)CHECK_OK(rump_sys_open(tp("f"), O_CREAT | O_RDWR, 0644));
	d = (int)CHECK_OK(rump_sys_open(T, O_RDONLY | O_DIRECTORY, 0));
	CHECK_ERR(ep_ctl_err(-1, EPOLL_CTL_ADD, p[0], EPOLLIN), EBADF);
	CHECK_ERR(ep_ctl_err(ep, EPOLL_CTL_ADD, 999, EPOLLIN), EBADF);
	CHECK_ERR(ep_ctl_err(ep, EPOLL_CTL_ADD, ep, EPOLLIN), EINVAL);
	CHECK_ERR(ep_ctl_err(p[1], EPOLL_CTL_ADD, p[0], EPOLLIN), EINVAL);
	/* Regular files and directories always poll ready: not watched. */
	CHECK_ERR(ep_ctl_err(ep, EPOLL_CTL_ADD, f, EPOLLIN), EPERM);
	CHECK_ERR(ep_ctl_err(ep, EPOLL_CTL_ADD, d, EPOLLIN), EPERM);
	CHECK_ERR(ep_ctl_err(ep, EPOLL_CTL_MOD, p[0], EPOLLIN), ENOENT);
	CHECK_ERR(ep_ctl_err(ep, EPOLL_CTL_DEL, p[0], 0), ENOENT);
	CHECK_ERR(ep_ctl_err(ep, 0, p[0], EPOLLIN), EINVAL);
	CHECK_ERR(ep_ctl_err(ep, 4, p[0], EPOLLIN), EINVAL);
	ep_add(ep, p[0], EPOLLIN, 1);
	CHECK_ERR(ep_ctl_err(ep, EPOLL_CTL_ADD, p[0], EPOLLIN), EEXIST);
	CHECK_ERR(ep_ctl_err(ep, 4, p[0], EPOLLIN), EINVAL);
	/* EPOLLEXCLUSIVE: only with ADD, only with plain events. */
	CHECK_ERR(ep_ctl_err(ep, EPOLL_CTL_MOD, p[0], EPOLLIN |
	    EPOLLEXCLUSIVE), EINVAL);
	CHECK_ERR(ep_ctl_err(ep, EPOLL_CTL_ADD, p[1], EPOLLOUT |
	    EPOLLEXCLUSIVE | EPOLLONESHOT), EINVAL);
	CHECK_ERR(ep_ctl_err(ep, EPOLL_CTL_ADD, p[1], EPOLLOUT |
	    EPOLLEXCLUSIVE | EPOLLRDHUP), EINVAL);
	CHECK_ERR(ep_ctl_err(ep, EPOLL_CTL_ADD, ep2, EPOLLIN |
	    EPOLLEXCLUSIVE), EINVAL);
	CHECK_OK(ep_ctl_err(ep, EPOLL_CTL_ADD, p[1], EPOLLOUT |
	    EPOLLEXCLUSIVE | EPOLLET | EPOLLWAKEUP));
	/* ... and an exclusive item cannot be modified at all. */
	CHECK_ERR(ep_ctl_err(ep, EPOLL_CTL_MOD, p[1], EPOLLOUT), EINVAL);
	CHECK_OK(ep_ctl_err(ep, EPOLL_CTL_DEL, p[1], 0));
	/* DEL ignores the event (NULL is fine). */
	CHECK_OK(rump_sys_epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
	CHECK_ERR(rump_sys_epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL), ENOENT);

	memset(&ev, 0, sizeof(ev));
	CHECK_ERR(rump_sys_epoll_wait(ep, evs, 0, 0), EINVAL);
	CHECK_ERR(rump_sys_epoll_wait(ep, evs, -1, 0), EINVAL);
	CHECK_ERR(rump_sys_epoll_wait(p[0], evs, 2, 0), EINVAL);
	CHECK_ERR(rump_sys_epoll_wait(-1, evs, 2, 0), EBADF);
	CHECK_ERR(rump_sys_epoll_wait(999, evs, 2, 0), EBADF);
	CHECK_ERR(rump_sys_epoll_wait(f, evs, 2, 0), EINVAL);
	CHECK_OK(rump_sys_close(d));
	CHECK_OK(rump_sys_close(f));
	CHECK_OK(rump_sys_close(p[0]));
	CHECK_OK(rump_sys_close(p[1]));
	CHECK_OK(rump_sys_close(ep2));
	CHECK_OK(rump_sys_close(ep));
}

static void
epoll_level_triggered(void **state)
{
	struct epoll_event ev;
	char buf[8];
	int ep, p[2];

	(void)state;
	ep = (int)CHECK_OK(rump_sys_epoll_create1(0));
	CHECK_OK(rump_sys_pipe(p));
	ep_add(ep, p[0], EPOLLIN, 0x1122334455667788ULL);
	ep_add(ep, p[1], EPOLLOUT, 2);
	assert_int_equal(ep_wait1(ep, 0, &ev), 1);
	assert_int_equal(ev.events, EPOLLOUT);
	assert_int_equal(ev.data.u64, 2);
	CHECK_OK(rump_sys_epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL));
	assert_int_equal(ep_wait1(ep, 0, NULL), 0);
	assert_int_equal(CHECK_OK(rump_sys_write(p[1], "ab", 2)), 2);
	/* Ready as long as it is: every wait reports it. */
	for (int i = 0; i < 3; i++) {
		assert_int_equal(ep_wait1(ep, 0, &ev), 1);
		assert_int_equal(ev.events, EPOLLIN);
		assert_int_equal(ev.data.u64, 0x1122334455667788ULL);
	}
	assert_int_equal(CHECK_OK(rump_sys_read(p[0], buf, 1)), 1);
	assert_int_equal(ep_wait1(ep, 0, NULL), 1);
	assert_int_equal(CHECK_OK(rump_sys_read(p[0], buf, 1)), 1);
	assert_int_equal(ep_wait1(ep, 0, NULL), 0);
	/* MOD changes the interest and the data. */
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLOUT;
	ev.data.u64 = 9;
	CHECK_OK(rump_sys_epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev));
	assert_int_equal(CHECK_OK(rump_sys_write(p[1], "c", 1)), 1);
	assert_int_equal(ep_wait1(ep, 0, NULL), 0);
	ev.events = EPOLLIN;
	CHECK_OK(rump_sys_epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev));
	assert_int_equal(ep_wait1(ep, 0, &ev), 1);
	assert_int_equal(ev.data.u64, 9);
	/* The writer goes: the reader sees POLLHUP beside its data. */
	CHECK_OK(rump_sys_close(p[1]));
	assert_int_equal(ep_wait1(ep, 0, &ev), 1);
	assert_int_equal(ev.events, EPOLLIN | EPOLLHUP);
	assert_int_equal(CHECK_OK(rump_sys_read(p[0], buf, 8)), 1);
	assert_int_equal(ep_wait1(ep, 0, &ev), 1);
	assert_int_equal(ev.events, EPOLLHUP);
	CHECK_OK(rump_sys_close(p[0]));
	CHECK_OK(rump_sys_close(ep));
}

static void
epoll_edge_triggered(void **state)
{
	struct epoll_event ev;
	char buf[8];
	int ep, p[2];

	(void)state;
	ep = (int)CHECK_OK(rump_sys_epoll_create1(0));
	CHECK_OK(rump_sys_pipe2(p, O_NONBLOCK));
	ep_add(ep, p[0], EPOLLIN | EPOLLET, 7);
	assert_int_equal(ep_wait1(ep, 0, NULL), 0);
	assert_int_equal(CHECK_OK(rump_sys_write(p[1], "a", 1)), 1);
	assert_int_equal(ep_wait1(ep, 0, &ev), 1);
	assert_int_equal(ev.events, EPOLLIN);
	assert_int_equal(ev.data.u64, 7);
	/* Still readable, but no new edge: nothing. */
	assert_int_equal(ep_wait1(ep, 0, NULL), 0);
	/* Every write is an edge, even while data is waiting (Linux). */
	assert_int_equal(CHECK_OK(rump_sys_write(p[1], "b", 1)), 1);
	assert_int_equal(ep_wait1(ep, 0, NULL), 1);
	assert_int_equal(ep_wait1(ep, 0, NULL), 0);
	assert_int_equal(CHECK_OK(rump_sys_read(p[0], buf, 8)), 2);
	CHECK_ERR(rump_sys_read(p[0], buf, 8), EAGAIN);
	assert_int_equal(ep_wait1(ep, 0, NULL), 0);
	/* An edge that came and went before the wait is not reported. */
	assert_int_equal(CHECK_OK(rump_sys_write(p[1], "c", 1)), 1);
	assert_int_equal(CHECK_OK(rump_sys_read(p[0], buf, 8)), 1);
	assert_int_equal(ep_wait1(ep, 0, NULL), 0);
	/* The write end, edge-triggered: a read that makes room is an edge. */
	ep_add(ep, p[1], EPOLLOUT | EPOLLET, 8);
	assert_int_equal(ep_wait1(ep, 0, &ev), 1);
	assert_int_equal(ev.data.u64, 8);
	assert_int_equal(ep_wait1(ep, 0, NULL), 0);
	CHECK_OK(rump_sys_close(p[0]));
	/* The reader went: EPOLLERR is an edge too. */
	assert_int_equal(ep_wait1(ep, 0, &ev), 1);
	assert_int_equal(ev.events, EPOLLOUT | EPOLLERR);
	CHECK_OK(rump_sys_close(p[1]));
	CHECK_OK(rump_sys_close(ep));
}

static void
epoll_oneshot(void **state)
{
	struct epoll_event ev;
	int ep, p[2];

	(void)state;
	ep = (int)CHECK_OK(rump_sys_epoll_create1(0));
	CHECK_OK(rump_sys_pipe(p));
	ep_add(ep, p[0], EPOLLIN | EPOLLONESHOT, 3);
	assert_int_equal(CHECK_OK(rump_sys_write(p[1], "a", 1)), 1);
	assert_int_equal(ep_wait1(ep, 0, &ev), 1);
	assert_int_equal(ev.data.u64, 3);
	/* Disabled until MOD, even with new data and a hang-up. */
	assert_int_equal(ep_wait1(ep, 0, NULL), 0);
	assert_int_equal(CHECK_OK(rump_sys_write(p[1], "b", 1)), 1);
	assert_int_equal(ep_wait1(ep, 0, NULL), 0);
	/* Still registered: ADD says so. */
	CHECK_ERR(ep_ctl_err(ep, EPOLL_CTL_ADD, p[0], EPOLLIN), EEXIST);
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | EPOLLONESHOT;
	ev.data.u64 = 4;
	CHECK_OK(rump_sys_epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev));
	assert_int_equal(ep_wait1(ep, 0, &ev), 1);
	assert_int_equal(ev.data.u64, 4);
	assert_int_equal(ep_wait1(ep, 0, NULL), 0);
	CHECK_OK(rump_sys_close(p[1]));
	assert_int_equal(ep_wait1(ep, 0, NULL), 0);
	CHECK_OK(rump_sys_close(p[0]));
	CHECK_OK(rump_sys_close(ep));
}

static void
epoll_maxevents(void **state)
{
	struct epoll_event evs[4];
	int ep, p[3][2], n, seen = 0;

	(void)state;
	ep = (int)CHECK_OK(rump_sys_epoll_create1(0));
	for (int i = 0; i < 3; i++) {
		CHECK_OK(rump_sys_pipe(p[i]));
		ep_add(ep, p[i][0], EPOLLIN, (uint64_t)i);
		assert_int_equal(CHECK_OK(rump_sys_write(p[i][1], "x", 1)), 1);
	}
	/* At most maxevents, and the rest are not starved by the first. */
	for (int round = 0; round < 2; round++) {
		memset(evs, 0, sizeof(evs));
		n = (int)CHECK_OK(rump_sys_epoll_wait(ep, evs, 2, 0));
		assert_int_equal(n, 2);
		for (int i = 0; i < n; i++) {
			assert_true(evs[i].data.u64 < 3);
			seen |= 1 << evs[i].data.u64;
		}
	}
	assert_int_equal(seen, 7);
	memset(evs, 0, sizeof(evs));
	assert_int_equal(CHECK_OK(rump_sys_epoll_wait(ep, evs, 4, 0)), 3);
	for (int i = 0; i < 3; i++) {
		CHECK_OK(rump_sys_close(p[i][0]));
		CHECK_OK(rump_sys_close(p[i][1]));
	}
	CHECK_OK(rump_sys_close(ep));
}

/*
 * Linux's famous gotcha: an item belongs to the open file description
 * (and the descriptor number it was added under), so closing that number
 * while a dup keeps the file open leaves the item in place.
 */
static void
epoll_dup_keeps_registration(void **state)
{
	struct epoll_event ev;
	int ep, p[2], d, d2;

	(void)state;
	ep = (int)CHECK_OK(rump_sys_epoll_create1(0));
	CHECK_OK(rump_sys_pipe(p));
	ep_add(ep, p[0], EPOLLIN, 42);
	d = (int)CHECK_OK(rump_sys_dup(p[0]));
	/* Keyed by (file, fd): the dup is another item, not EEXIST. */
	ep_add(ep, d, EPOLLIN, 43);
	d2 = (int)CHECK_OK(rump_sys_dup(p[0]));
	CHECK_OK(rump_sys_close(p[0]));
	assert_int_equal(CHECK_OK(rump_sys_write(p[1], "a", 1)), 1);
	assert_int_equal(ep_wait1(ep, 0, NULL), 2);
	/* The closed number cannot name the item any more ... */
	CHECK_ERR(rump_sys_epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL), EBADF);
	/* ... and the other numbers are other keys. */
	CHECK_ERR(rump_sys_epoll_ctl(ep, EPOLL_CTL_DEL, d2, NULL), ENOENT);
	CHECK_OK(rump_sys_epoll_ctl(ep, EPOLL_CTL_DEL, d, NULL));
	assert_int_equal(ep_wait1(ep, 0, &ev), 1);
	assert_int_equal(ev.data.u64, 42);
	/* The last reference goes: the item goes with it. */
	CHECK_OK(rump_sys_close(d));
	CHECK_OK(rump_sys_close(d2));
	assert_int_equal(ep_wait1(ep, 0, NULL), 0);
	CHECK_OK(rump_sys_close(p[1]));
	CHECK_OK(rump_sys_close(ep));
}

static void
epoll_nested(void **state)
{
	struct epoll_event ev;
	struct pollfd pfd;
	char c;
	int outer, inner, p[2];

	(void)state;
	outer = (int)CHECK_OK(rump_sys_epoll_create1(0));
	inner = (int)CHECK_OK(rump_sys_epoll_create1(0));
	CHECK_OK(rump_sys_pipe(p));
	ep_add(inner, p[0], EPOLLIN, 1);
	ep_add(outer, inner, EPOLLIN, 2);
	assert_int_equal(ep_wait1(outer, 0, NULL), 0);
	pfd.fd = inner;
	pfd.events = POLLIN;
	pfd.revents = 0;
	assert_int_equal(CHECK_OK(rump_sys_poll(&pfd, 1, 0)), 0);
	assert_int_equal(CHECK_OK(rump_sys_write(p[1], "a", 1)), 1);
	assert_int_equal(CHECK_OK(rump_sys_poll(&pfd, 1, 0)), 1);
	assert_int_equal(pfd.revents, POLLIN);
	assert_int_equal(ep_wait1(outer, 0, &ev), 1);
	assert_int_equal(ev.events, EPOLLIN);
	assert_int_equal(ev.data.u64, 2);
	assert_int_equal(ep_wait1(inner, 0, &ev), 1);
	assert_int_equal(ev.data.u64, 1);
	/* Consumed: the inner one has nothing, so neither has the outer. */
	assert_int_equal(CHECK_OK(rump_sys_read(p[0], &c, 1)), 1);
	assert_int_equal(ep_wait1(outer, 0, NULL), 0);
	assert_int_equal(CHECK_OK(rump_sys_poll(&pfd, 1, 0)), 0);
	/* Closing the inner instance removes it from the outer. */
	CHECK_OK(rump_sys_close(inner));
	assert_int_equal(CHECK_OK(rump_sys_write(p[1], "b", 1)), 1);
	assert_int_equal(ep_wait1(outer, 0, NULL), 0);
	CHECK_OK(rump_sys_close(p[0]));
	CHECK_OK(rump_sys_close(p[1]));
	CHECK_OK(rump_sys_close(outer));
}

#define CHAIN	8

static void
epoll_loops(void **state)
{
	int e[CHAIN], a, b, i, fail = -1;

	(void)state;
	a = (int)CHECK_OK(rump_sys_epoll_create1(0));
	b = (int)CHECK_OK(rump_sys_epoll_create1(0));
	ep_add(a, b, EPOLLIN, 0);
	CHECK_ERR(ep_ctl_err(b, EPOLL_CTL_ADD, a, EPOLLIN), ELOOP);
	CHECK_OK(rump_sys_close(a));
	CHECK_OK(rump_sys_close(b));
	/* e[0] holds e[1] holds e[2] ...: how deep may it go? */
	for (i = 0; i < CHAIN; i++)
		e[i] = (int)CHECK_OK(rump_sys_epoll_create1(0));
	for (i = 0; i + 1 < CHAIN; i++) {
		if (ep_ctl_err(e[i], EPOLL_CTL_ADD, e[i + 1], EPOLLIN) != 0) {
			assert_int_equal(errno, ELOOP);
			fail = i;
			break;
		}
	}
	/* Linux: five instances in a chain, the sixth is ELOOP. */
	assert_int_equal(fail, 4);
	/* The same from the bottom up: a deep chain is not put under one. */
	for (i = 0; i < CHAIN; i++)
		CHECK_OK(rump_sys_close(e[i]));
	for (i = 0; i < CHAIN; i++)
		e[i] = (int)CHECK_OK(rump_sys_epoll_create1(0));
	fail = -1;
	for (i = CHAIN - 1; i > 0; i--) {
		if (ep_ctl_err(e[i - 1], EPOLL_CTL_ADD, e[i], EPOLLIN) != 0) {
			assert_int_equal(errno, ELOOP);
			fail = i;
			break;
		}
	}
	assert_int_equal(fail, CHAIN - 5);
	for (i = 0; i < CHAIN; i++)
		CHECK_OK(rump_sys_close(e[i]));
}

static void
epoll_fifo_edge(void **state)
{
	static char big[4096];
	struct epoll_event ev;
	char buf[4];
	int ep, fd;

	(void)state;
	TEST_DIR();
	CHECK_OK(rump_sys_mknod(tp("fifo"), S_IFIFO | 0644, 0));
	fd = (int)CHECK_OK(rump_sys_open(tp("fifo"), O_RDWR | O_NONBLOCK, 0));
	ep = (int)CHECK_OK(rump_sys_epoll_create1(0));
	ep_add(ep, fd, EPOLLIN | EPOLLOUT | EPOLLET, 5);
	assert_int_equal(ep_wait1(ep, 0, &ev), 1);
	assert_int_equal(ev.events, EPOLLOUT);
	assert_int_equal(ep_wait1(ep, 0, NULL), 0);
	assert_int_equal(CHECK_OK(rump_sys_write(fd, "hi", 2)), 2);
	assert_int_equal(ep_wait1(ep, 0, &ev), 1);
	assert_int_equal(ev.events, EPOLLIN | EPOLLOUT);
	assert_int_equal(ep_wait1(ep, 0, NULL), 0);
	/* Room in a pipe that was not full is no edge (Linux). */
	assert_int_equal(CHECK_OK(rump_sys_read(fd, buf, 4)), 2);
	assert_int_equal(ep_wait1(ep, 0, NULL), 0);
	/* Filled up: each write is an edge for the reader ... */
	while (rump_sys_write(fd, big, sizeof(big)) == sizeof(big))
		continue;
	assert_int_equal(errno, EAGAIN);
	assert_int_equal(ep_wait1(ep, 0, &ev), 1);
	assert_int_equal(ev.events, EPOLLIN);
	assert_int_equal(ep_wait1(ep, 0, NULL), 0);
	/* ... and room in a full pipe is an edge for the writer. */
	assert_int_equal(CHECK_OK(rump_sys_read(fd, big, sizeof(big))),
	    sizeof(big));
	assert_int_equal(CHECK_OK(rump_sys_read(fd, big, sizeof(big))),
	    sizeof(big));
	assert_int_equal(ep_wait1(ep, 0, &ev), 1);
	assert_int_equal(ev.events, EPOLLIN | EPOLLOUT);
	CHECK_OK(rump_sys_close(fd));
	CHECK_OK(rump_sys_close(ep));
}

static void
epoll_pwait_args(void **state)
{
	struct epoll_event evs[2];
	struct timespec ts;
	uint64_t mask = 0;
	int ep, p[2];

	(void)state;
	ep = (int)CHECK_OK(rump_sys_epoll_create1(0));
	CHECK_OK(rump_sys_pipe(p));
	ep_add(ep, p[1], EPOLLOUT, 6);
	CHECK_ERR(rump_sys_epoll_pwait(ep, evs, 2, 0, (void *)&mask, 4),
	    EINVAL);
	assert_int_equal(CHECK_OK(rump_sys_epoll_pwait(ep, evs, 2, 0,
	    (void *)&mask, 8)), 1);
	assert_int_equal(CHECK_OK(rump_sys_epoll_pwait(ep, evs, 2, -1,
	    NULL, 0)), 1);
	ts.tv_sec = 0;
	ts.tv_nsec = 1000000000L;
	CHECK_ERR(rump_sys_epoll_pwait2(ep, evs, 2, (void *)&ts, NULL, 8),
	    EINVAL);
	ts.tv_sec = -1;
	ts.tv_nsec = 0;
	CHECK_ERR(rump_sys_epoll_pwait2(ep, evs, 2, (void *)&ts, NULL, 8),
	    EINVAL);
	ts.tv_sec = 0;
	assert_int_equal(CHECK_OK(rump_sys_epoll_pwait2(ep, evs, 2,
	    (void *)&ts, NULL, 8)), 1);
	assert_int_equal(evs[0].data.u64, 6);
	assert_int_equal(CHECK_OK(rump_sys_epoll_pwait2(ep, evs, 2, NULL,
	    (void *)&mask, 8)), 1);
	/* A timeout passes with nothing ready. */
	CHECK_OK(rump_sys_epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL));
	ts.tv_nsec = 5 * 1000 * 1000;
	assert_int_equal(CHECK_OK(rump_sys_epoll_pwait2(ep, evs, 2,
	    (void *)&ts, NULL, 8)), 0);
	assert_int_equal(CHECK_OK(rump_sys_epoll_wait(ep, evs, 2, 5)), 0);
	CHECK_OK(rump_sys_close(p[0]));
	CHECK_OK(rump_sys_close(p[1]));
	CHECK_OK(rump_sys_close(ep));
}

struct waiter {
	int ep;
	int n;
	int err;
	struct epoll_event ev;
};

static void *
waiter_thread(void *arg)
{
	struct waiter *w = arg;

	w->n = rump_sys_epoll_wait(w->ep, &w->ev, 1, -1);
	w->err = w->n == -1 ? errno : 0;
	return NULL;
}

static void
epoll_wait_wakes_thread(void **state)
{
	struct waiter w;
	pthread_t t;
	int p[2], efd;
	uint64_t one = 1;

	(void)state;
	memset(&w, 0, sizeof(w));
	w.ep = (int)CHECK_OK(rump_sys_epoll_create1(0));
	CHECK_OK(rump_sys_pipe(p));
	ep_add(w.ep, p[0], EPOLLIN | EPOLLET, 11);
	assert_int_equal(pthread_create(&t, NULL, waiter_thread, &w), 0);
	pause_a_little();	/* most likely asleep in epoll_wait by now */
	assert_int_equal(CHECK_OK(rump_sys_write(p[1], "a", 1)), 1);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(w.err, 0);
	assert_int_equal(w.n, 1);
	assert_int_equal(w.ev.events, EPOLLIN);
	assert_int_equal(w.ev.data.u64, 11);
	/* The same through an eventfd in a nested instance. */
	efd = (int)CHECK_OK(rump_sys_eventfd2(0, 0));
	{
		int inner = (int)CHECK_OK(rump_sys_epoll_create1(0));

		ep_add(inner, efd, EPOLLIN, 12);
		ep_add(w.ep, inner, EPOLLIN, 13);
		memset(&w.ev, 0, sizeof(w.ev));
		assert_int_equal(pthread_create(&t, NULL, waiter_thread, &w),
		    0);
		pause_a_little();
		assert_int_equal(CHECK_OK(rump_sys_write(efd, &one, 8)), 8);
		assert_int_equal(pthread_join(t, NULL), 0);
		assert_int_equal(w.n, 1);
		assert_int_equal(w.ev.data.u64, 13);
		CHECK_OK(rump_sys_close(inner));
	}
	CHECK_OK(rump_sys_close(efd));
	CHECK_OK(rump_sys_close(p[0]));
	CHECK_OK(rump_sys_close(p[1]));
	CHECK_OK(rump_sys_close(w.ep));
}

/* Two instances wait exclusively on one pipe: a write wakes one or more. */
static void
epoll_exclusive(void **state)
{
	int e1, e2, p[2], n;

	(void)state;
	e1 = (int)CHECK_OK(rump_sys_epoll_create1(0));
	e2 = (int)CHECK_OK(rump_sys_epoll_create1(0));
	CHECK_OK(rump_sys_pipe(p));
	ep_add(e1, p[0], EPOLLIN | EPOLLEXCLUSIVE, 1);
	ep_add(e2, p[0], EPOLLIN | EPOLLEXCLUSIVE, 2);
	assert_int_equal(CHECK_OK(rump_sys_write(p[1], "a", 1)), 1);
	n = ep_wait1(e1, 0, NULL) + ep_wait1(e2, 0, NULL);
	assert_true(n >= 1);
	CHECK_OK(rump_sys_close(p[0]));
	CHECK_OK(rump_sys_close(p[1]));
	CHECK_OK(rump_sys_close(e1));
	CHECK_OK(rump_sys_close(e2));
}

#define NIDLE	2000

/* Many idle items: a wait reports exactly the one that is ready. */
static void
epoll_many_idle(void **state)
{
	static int p[NIDLE][2];
	struct rlimit rl, orl;
	struct epoll_event ev;
	int ep, i;

	(void)state;
	CHECK_OK(rump_sys_getrlimit(RLIMIT_NOFILE, &orl));
	rl = orl;
	if (rl.rlim_cur < 2 * NIDLE + 64) {
		rl.rlim_cur = 2 * NIDLE + 64;
		if (rl.rlim_max < rl.rlim_cur)
			rl.rlim_max = rl.rlim_cur;
		CHECK_OK(rump_sys_setrlimit(RLIMIT_NOFILE, &rl));
	}
	ep = (int)CHECK_OK(rump_sys_epoll_create1(0));
	for (i = 0; i < NIDLE; i++) {
		CHECK_OK(rump_sys_pipe(p[i]));
		ep_add(ep, p[i][0], EPOLLIN, (uint64_t)i);
	}
	assert_int_equal(ep_wait1(ep, 0, NULL), 0);
	for (i = 0; i < NIDLE; i += 397) {
		assert_int_equal(CHECK_OK(rump_sys_write(p[i][1], "a", 1)), 1);
		assert_int_equal(ep_wait1(ep, 0, &ev), 1);
		assert_int_equal(ev.data.u64, (uint64_t)i);
		CHECK_OK(rump_sys_epoll_ctl(ep, EPOLL_CTL_DEL, p[i][0], NULL));
	}
	assert_int_equal(ep_wait1(ep, 0, NULL), 0);
	/* Closing the instance with every item still in it. */
	CHECK_OK(rump_sys_close(ep));
	for (i = 0; i < NIDLE; i++) {
		CHECK_OK(rump_sys_close(p[i][0]));
		CHECK_OK(rump_sys_close(p[i][1]));
	}
	CHECK_OK(rump_sys_setrlimit(RLIMIT_NOFILE, &orl));
}

struct churn {
	int ep;
	volatile int stop;
	long waits;
	int err;
};

static void *
churn_waiter(void *arg)
{
	struct churn *c = arg;
	struct epoll_event evs[4];

	while (!c->stop) {
		if (rump_sys_epoll_wait(c->ep, evs, 4, 1) < 0) {
			c->err = errno;
			break;
		}
		__atomic_add_fetch(&c->waits, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

/*
 * Items whose files close while another thread waits and polls them:
 * each close removes its item safely (ASan watches), nothing is left.
 */
static void
epoll_close_while_waiting(void **state)
{
	struct churn c;
	pthread_t t;
	int p[2], q;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.ep = (int)CHECK_OK(rump_sys_epoll_create1(0));
	assert_int_equal(pthread_create(&t, NULL, churn_waiter, &c), 0);
	while (__atomic_load_n(&c.waits, __ATOMIC_RELAXED) == 0 && c.err == 0)
		sched_yield();
	for (int i = 0; i < 300; i++) {
		CHECK_OK(rump_sys_pipe(p));
		ep_add(c.ep, p[0], EPOLLIN | (i & 1 ? EPOLLET : 0),
		    (uint64_t)i);
		ep_add(c.ep, p[1], EPOLLOUT, (uint64_t)i);
		q = (int)CHECK_OK(rump_sys_epoll_create1(0));
		ep_add(q, p[0], EPOLLIN, 0);
		ep_add(c.ep, q, EPOLLIN, 0);
		assert_int_equal(CHECK_OK(rump_sys_write(p[1], "x", 1)), 1);
		CHECK_OK(rump_sys_close(p[1]));
		CHECK_OK(rump_sys_close(p[0]));
		CHECK_OK(rump_sys_close(q));
	}
	c.stop = 1;
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(c.err, 0);
	/* Every item went with its file. */
	assert_int_equal(ep_wait1(c.ep, 0, NULL), 0);
	CHECK_OK(rump_sys_close(c.ep));
}

static int
group_setup(void **state)
{
	(void)state;
	return test_kernel_init("epoll");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(epoll_create_errors),
		cmocka_unit_test(epoll_ctl_errors),
		cmocka_unit_test(epoll_level_triggered),
		cmocka_unit_test(epoll_edge_triggered),
		cmocka_unit_test(epoll_oneshot),
		cmocka_unit_test(epoll_maxevents),
		cmocka_unit_test(epoll_dup_keeps_registration),
		cmocka_unit_test(epoll_nested),
		cmocka_unit_test(epoll_loops),
		cmocka_unit_test(epoll_fifo_edge),
		cmocka_unit_test(epoll_pwait_args),
		cmocka_unit_test(epoll_wait_wakes_thread),
		cmocka_unit_test(epoll_exclusive),
		cmocka_unit_test(epoll_many_idle),
		cmocka_unit_test(epoll_close_while_waiting),
	};

	return cmocka_run_group_tests_name("epoll", tests, group_setup, NULL);
}
