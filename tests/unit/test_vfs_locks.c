/*
 * test_vfs_locks.c: advisory locks: POSIX record locks (F_SETLK, F_SETLKW,
 * F_GETLK) between kernel processes, open file description locks
 * (F_OFD_*), and flock().  Conflicts are observed from a second kernel
 * process (child_run/child_start), which shares memory with the test only
 * through shared_alloc().
 */
#include "compat.h"

#include <time.h>

struct lockprobe {
	int fd;
	short type;
	off_t start, len;
	/* results */
	int setlk_errno;	/* 0 if F_SETLK succeeded */
	struct flock got;	/* F_GETLK answer */
	pid_t pid;		/* the child's pid */
	/* F_SETLKW handshake */
	int ready, acquired, go;
};

static int
setlk(int fd, int cmd, short type, off_t start, off_t len)
{
	struct flock fl;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = type;
	fl.l_whence = SEEK_SET;
	fl.l_start = start;
	fl.l_len = len;
	return rump_sys_fcntl(fd, cmd, (long)&fl);
}

/* Child: try F_SETLK and F_GETLK over the probe's range. */
static int
probe(void *arg)
{
	struct lockprobe *p = arg;

	p->pid = rump_sys_getpid();
	memset(&p->got, 0, sizeof(p->got));
	p->got.l_type = p->type;
	p->got.l_whence = SEEK_SET;
	p->got.l_start = p->start;
	p->got.l_len = p->len;
	if (rump_sys_fcntl(p->fd, F_GETLK, (long)&p->got) == -1)
		return 100 + errno;
	p->setlk_errno = 0;
	if (setlk(p->fd, F_SETLK, p->type, p->start, p->len) == -1)
		p->setlk_errno = errno;
	return 0;
}

static struct lockprobe *
run_probe(int fd, short type, off_t start, off_t len)
{
	static struct lockprobe *p;

	if (p == NULL)
		p = shared_alloc(sizeof(*p));
	memset(p, 0, sizeof(*p));
	p->fd = fd;
	p->type = type;
	p->start = start;
	p->len = len;
	assert_int_equal(child_run(probe, p), 0);
	return p;
}

static void
posix_lock_conflicts(void **state)
{
	struct lockprobe *p;
	pid_t me;
	int fd;

	(void)state;
	TEST_DIR();
	me = rump_sys_getpid();
	fd = (int)CHECK_OK(rump_sys_open(tp("f"), O_RDWR | O_CREAT, 0644));
	CHECK_OK(setlk(fd, F_SETLK, F_WRLCK, 0, 100));
	/* A process does not conflict with itself. */
	CHECK_OK(setlk(fd, F_SETLK, F_WRLCK, 50, 100));
	CHECK_OK(setlk(fd, F_SETLK, F_UNLCK, 100, 50));

	p = run_probe(fd, F_WRLCK, 50, 10);
	assert_int_equal(p->setlk_errno, EAGAIN);
	assert_true(p->pid != me);
	assert_int_equal(p->got.l_type, F_WRLCK);
	assert_int_equal(p->got.l_pid, me);
	assert_int_equal(p->got.l_whence, SEEK_SET);
	assert_int_equal(p->got.l_start, 0);
	assert_int_equal(p->got.l_len, 100);
	p = run_probe(fd, F_RDLCK, 99, 1);
	assert_int_equal(p->setlk_errno, EAGAIN);
	/* Next to the lock is free. */
	p = run_probe(fd, F_WRLCK, 100, 10);
	assert_int_equal(p->setlk_errno, 0);
	assert_int_equal(p->got.l_type, F_UNLCK);
	/* Downgrade to a read lock: readers pass, writers do not. */
	CHECK_OK(setlk(fd, F_SETLK, F_RDLCK, 0, 100));
	p = run_probe(fd, F_RDLCK, 0, 100);
	assert_int_equal(p->setlk_errno, 0);
	p = run_probe(fd, F_WRLCK, 10, 0);	/* len 0: to the end */
	assert_int_equal(p->setlk_errno, EAGAIN);
	assert_int_equal(p->got.l_type, F_RDLCK);
	/* Unlocking the middle splits the lock in two. */
	CHECK_OK(setlk(fd, F_SETLK, F_WRLCK, 0, 100));
	CHECK_OK(setlk(fd, F_SETLK, F_UNLCK, 40, 20));
	p = run_probe(fd, F_WRLCK, 40, 20);
	assert_int_equal(p->setlk_errno, 0);
	p = run_probe(fd, F_WRLCK, 0, 50);
	assert_int_equal(p->setlk_errno, EAGAIN);
	assert_int_equal(p->got.l_start, 0);
	assert_int_equal(p->got.l_len, 40);
	p = run_probe(fd, F_WRLCK, 55, 50);
	assert_int_equal(p->got.l_start, 60);
	assert_int_equal(p->got.l_len, 40);
	CHECK_OK(rump_sys_close(fd));
}

static void
posix_lock_released_on_any_close(void **state)
{
	struct lockprobe *p;
	int fd, fd2;

	(void)state;
	TEST_DIR();
	fd = (int)CHECK_OK(rump_sys_open(tp("f"), O_RDWR | O_CREAT, 0644));
	CHECK_OK(setlk(fd, F_SETLK, F_WRLCK, 0, 0));
	p = run_probe(fd, F_WRLCK, 0, 1);
	assert_int_equal(p->setlk_errno, EAGAIN);
	/* Closing another descriptor of the same file drops the locks. */
	fd2 = (int)CHECK_OK(rump_sys_open(tp("f"), O_RDONLY, 0));
	CHECK_OK(rump_sys_close(fd2));
	p = run_probe(fd, F_WRLCK, 0, 1);
	assert_int_equal(p->setlk_errno, 0);
	/* The child's lock went away when the child ended. */
	p = run_probe(fd, F_WRLCK, 0, 1);
	assert_int_equal(p->setlk_errno, 0);
	CHECK_OK(rump_sys_close(fd));
}

static void
posix_lock_errors(void **state)
{
	struct flock fl;
	int fd;

	(void)state;
	TEST_DIR();
	put_file(tp("f"), "x");
	fd = (int)CHECK_OK(rump_sys_open(tp("f"), O_RDONLY, 0));
	CHECK_ERR(setlk(fd, F_SETLK, F_WRLCK, 0, 1), EBADF);
	CHECK_OK(setlk(fd, F_SETLK, F_RDLCK, 0, 1));
	CHECK_ERR(setlk(fd, F_SETLK, 42, 0, 1), EINVAL);
	CHECK_ERR(setlk(fd, F_SETLK, F_RDLCK, -5, 1), EINVAL);
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_RDLCK;
	fl.l_whence = 7;
	CHECK_ERR(rump_sys_fcntl(fd, F_SETLK, (long)&fl), EINVAL);
	fl.l_whence = SEEK_SET;
	fl.l_type = F_UNLCK;
	CHECK_ERR(rump_sys_fcntl(fd, F_GETLK, (long)&fl), EINVAL);
	CHECK_OK(rump_sys_close(fd));
	fd = (int)CHECK_OK(rump_sys_open(tp("f"), O_WRONLY, 0));
	CHECK_ERR(setlk(fd, F_SETLK, F_RDLCK, 0, 1), EBADF);
	CHECK_OK(rump_sys_close(fd));
	CHECK_ERR(setlk(fd, F_SETLK, F_RDLCK, 0, 1), EBADF);
}

static int
blocking_child(void *arg)
{
	struct lockprobe *p = arg;

	p->pid = rump_sys_getpid();
	__atomic_store_n(&p->ready, 1, __ATOMIC_RELEASE);
	if (setlk(p->fd, F_SETLKW, F_WRLCK, 0, 10) == -1)
		return errno;
	__atomic_store_n(&p->acquired, 1, __ATOMIC_RELEASE);
	wait_flag(&p->go, 1);
	return 0;		/* the process ends: its lock goes */
}

static void
posix_setlkw_waits_for_unlock(void **state)
{
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	struct lockprobe *p, *q;
	struct child *c;
	int fd;

	(void)state;
	TEST_DIR();
	fd = (int)CHECK_OK(rump_sys_open(tp("f"), O_RDWR | O_CREAT, 0644));
	CHECK_OK(setlk(fd, F_SETLK, F_WRLCK, 0, 10));
	p = shared_alloc(sizeof(*p));
	p->fd = fd;
	c = child_start(blocking_child, p);
	wait_flag(&p->ready, 1);
	nanosleep(&ts, NULL);	/* let it reach F_SETLKW (not required) */
	/* It cannot have the lock while we hold it. */
	assert_int_equal(__atomic_load_n(&p->acquired, __ATOMIC_ACQUIRE), 0);
	CHECK_OK(setlk(fd, F_SETLK, F_UNLCK, 0, 10));
	wait_flag(&p->acquired, 1);
	/* Now the child holds it: a third process sees the child's pid. */
	q = run_probe(fd, F_WRLCK, 5, 1);
	assert_int_equal(q->setlk_errno, EAGAIN);
	assert_int_equal(q->got.l_pid, p->pid);
	__atomic_store_n(&p->go, 1, __ATOMIC_RELEASE);
	assert_int_equal(child_wait(c), 0);
	q = run_probe(fd, F_WRLCK, 5, 1);
	assert_int_equal(q->setlk_errno, 0);
	CHECK_OK(rump_sys_close(fd));
}

static int
ofd_setlk(int fd, int cmd, short type, off_t start, off_t len, pid_t pid)
{
	struct flock fl;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = type;
	fl.l_whence = SEEK_SET;
	fl.l_start = start;
	fl.l_len = len;
	fl.l_pid = pid;
	return rump_sys_fcntl(fd, cmd, (long)&fl);
}

static void
ofd_locks(void **state)
{
	struct flock fl;
	int a, b, dup_a;

	(void)state;
	TEST_DIR();
	a = (int)CHECK_OK(rump_sys_open(tp("f"), O_RDWR | O_CREAT, 0644));
	b = (int)CHECK_OK(rump_sys_open(tp("f"), O_RDWR, 0));
	CHECK_OK(ofd_setlk(a, F_OFD_SETLK, F_WRLCK, 0, 100, 0));
	/* Another open file description conflicts, even in this process. */
	CHECK_ERR(ofd_setlk(b, F_OFD_SETLK, F_WRLCK, 10, 1, 0), EAGAIN);
	CHECK_ERR(ofd_setlk(b, F_OFD_SETLK, F_RDLCK, 10, 1, 0), EAGAIN);
	CHECK_OK(ofd_setlk(b, F_OFD_SETLK, F_WRLCK, 100, 1, 0));
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	fl.l_start = 50;
	fl.l_len = 1;
	CHECK_OK(rump_sys_fcntl(b, F_OFD_GETLK, (long)&fl));
	assert_int_equal(fl.l_type, F_WRLCK);
	assert_int_equal(fl.l_start, 0);
	assert_int_equal(fl.l_len, 100);
	assert_int_equal(fl.l_pid, -1);
	/* They also conflict with classic locks of the same process. */
	CHECK_ERR(setlk(b, F_SETLK, F_WRLCK, 0, 1), EAGAIN);
	/* A dup shares the description, hence the lock. */
	dup_a = (int)CHECK_OK(rump_sys_dup(a));
	CHECK_OK(ofd_setlk(dup_a, F_OFD_SETLK, F_WRLCK, 0, 10, 0));
	/* l_pid must be 0. */
	CHECK_ERR(ofd_setlk(a, F_OFD_SETLK, F_WRLCK, 0, 1, 1), EINVAL);
	/* Closing one of two descriptors of a description keeps the lock... */
	CHECK_OK(rump_sys_close(a));
	CHECK_ERR(ofd_setlk(b, F_OFD_SETLK, F_WRLCK, 0, 1, 0), EAGAIN);
	/* ... the last one releases it. */
	CHECK_OK(rump_sys_close(dup_a));
	CHECK_OK(ofd_setlk(b, F_OFD_SETLK, F_WRLCK, 0, 1, 0));
	CHECK_OK(ofd_setlk(b, F_OFD_SETLKW, F_UNLCK, 0, 0, 0));
	CHECK_OK(rump_sys_close(b));
}

static int
flock_child(void *arg)
{
	int fd = *(int *)arg;

	/* Inherited descriptors share the description and its flock. */
	if (rump_sys_flock(fd, LOCK_EX | LOCK_NB) == -1)
		return errno;
	return 0;
}

static void
flock_cases(void **state)
{
	struct lockprobe *p;
	int a, b, *shared;

	(void)state;
	TEST_DIR();
	a = (int)CHECK_OK(rump_sys_open(tp("f"), O_RDWR | O_CREAT, 0644));
	b = (int)CHECK_OK(rump_sys_open(tp("f"), O_RDONLY, 0));
	CHECK_OK(rump_sys_flock(a, LOCK_EX));
	CHECK_ERR(rump_sys_flock(b, LOCK_EX | LOCK_NB), EWOULDBLOCK);
	CHECK_ERR(rump_sys_flock(b, LOCK_SH | LOCK_NB), EWOULDBLOCK);
	shared = shared_alloc(sizeof(*shared));
	*shared = a;
	assert_int_equal(child_run(flock_child, shared), 0);
	*shared = b;
	assert_int_equal(child_run(flock_child, shared), EWOULDBLOCK);
	/* flock and record locks do not see each other. */
	p = run_probe(b, F_RDLCK, 0, 0);
	assert_int_equal(p->setlk_errno, 0);
	/* Shared locks coexist; conversion from exclusive. */
	CHECK_OK(rump_sys_flock(a, LOCK_SH));
	CHECK_OK(rump_sys_flock(b, LOCK_SH | LOCK_NB));
	CHECK_ERR(rump_sys_flock(a, LOCK_EX | LOCK_NB), EWOULDBLOCK);
	CHECK_OK(rump_sys_flock(b, LOCK_UN));
	CHECK_OK(rump_sys_flock(a, LOCK_EX | LOCK_NB));
	/* Closing the description releases. */
	CHECK_OK(rump_sys_close(a));
	CHECK_OK(rump_sys_flock(b, LOCK_EX | LOCK_NB));
	CHECK_ERR(rump_sys_flock(b, 0), EINVAL);
	CHECK_ERR(rump_sys_flock(b, LOCK_SH | LOCK_EX), EINVAL);
	/* LOCK_MAND (32) is accepted and ignored, even with other bits. */
	CHECK_OK(rump_sys_flock(b, 32 | LOCK_SH | LOCK_EX));
	CHECK_OK(rump_sys_close(b));
	CHECK_ERR(rump_sys_flock(b, LOCK_EX), EBADF);
	/* The operation is judged before the descriptor. */
	CHECK_ERR(rump_sys_flock(b, 0), EINVAL);
	CHECK_OK(rump_sys_flock(b, 32));
}

static int
group_setup(void **state)
{
	(void)state;
	return test_kernel_init("locks");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(posix_lock_conflicts),
		cmocka_unit_test(posix_lock_released_on_any_close),
		cmocka_unit_test(posix_lock_errors),
		cmocka_unit_test(posix_setlkw_waits_for_unlock),
		cmocka_unit_test(ofd_locks),
		cmocka_unit_test(flock_cases),
	};

	return cmocka_run_group_tests_name("vfs_locks", tests, group_setup,
	    NULL);
}
