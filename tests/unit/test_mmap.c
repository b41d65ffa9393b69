/*
 * test_mmap.c: memory objects of tmpfs files (prctl(RUMP_PR_MAPOBJ),
 * doc/DESIGN.md "Shared mappings"): a mapping of the object and the
 * kernel's read/write see the same bytes, the object follows the file's
 * size, mmap's access checks and errno, the space a mapped file takes
 * (whole size, given back with the file), and a client that shrinks the
 * object behind the kernel's back gets EFAULT, not a dead kernel.
 * Kernel-only: the host has no RUMP_PR_MAPOBJ (the hijack's mmapp test
 * compares mappings with the host).  Remote (suite "remote"), the same
 * through rumpclient_mapobj on a unix socket.
 */
#include <signal.h>
#include <sys/mman.h>
#include <sys/statfs.h>

#include "compat.h"

#ifdef TEST_ON_HOST
#include <sys/prctl.h>
#define RUMP_PR_MAPOBJ	0x52554d02
#define rump_sys_prctl	prctl
#endif
#ifdef TEST_REMOTE
#include <rump/rumpclient.h>
#endif

#define PG	4096

/* The kernel's fault handlers (test_badptr.c: cmocka puts its own in
 * front of them for each test; a program without one has the kernel's). */
static struct sigaction lib_segv, lib_bus;

/* Over a unix socket the object comes with MAPOBJ (SCM_RIGHTS). */
static int
mapobj(int fd, int prot, int flags)
{
#ifdef TEST_REMOTE
	return rumpclient_mapobj(fd, prot, flags);
#endif
	return (int)rump_sys_prctl(RUMP_PR_MAPOBJ, (unsigned long)fd,
	    (unsigned long)prot, (unsigned long)flags, 0);
}

static void
coherent_with_read_write(void **state)
{
	char buf[16];
	struct stat st;
	char *p;
	int fd, h;

	(void)state;
	HOST_INVALID();
	TEST_DIR();
	fd = (int)CHECK_OK(rump_sys_open(tp("f"), O_RDWR | O_CREAT, 0644));
	assert_int_equal(CHECK_OK(rump_sys_write(fd, "hello world", 11)), 11);
	h = (int)CHECK_OK(mapobj(fd, PROT_READ | PROT_WRITE, MAP_SHARED));
	assert_int_equal(fstat(h, &st), 0);
	assert_int_equal(st.st_size, 11);
	p = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, h, 0);
	assert_true(p != MAP_FAILED);
	assert_memory_equal(p, "hello world", 11);
	memcpy(p, "HELLO", 5);
	memset(buf, 0, sizeof(buf));
	assert_int_equal(CHECK_OK(rump_sys_pread64(fd, buf, 11, 0)), 11);
	assert_string_equal(buf, "HELLO world");
	assert_int_equal(CHECK_OK(rump_sys_pwrite64(fd, "W", 1, 6)), 1);
	assert_int_equal(p[6], 'W');
	/* Writes past the end grow the object with the file. */
	assert_int_equal(CHECK_OK(rump_sys_pwrite64(fd, "xy", 2, PG + 1)), 2);
	assert_int_equal(fstat(h, &st), 0);
	assert_int_equal(st.st_size, PG + 3);
	assert_int_equal(p[PG + 2], 'y');
	assert_int_equal(p[PG], 0);
	/* Truncation zeroes what it cut: grown again, it reads zeros. */
	CHECK_OK(rump_sys_ftruncate(fd, 3));
	assert_int_equal(fstat(h, &st), 0);
	assert_int_equal(st.st_size, 3);
	CHECK_OK(rump_sys_ftruncate(fd, 11));
	assert_int_equal(p[5], 0);
	assert_int_equal(CHECK_OK(rump_sys_pread64(fd, buf, 11, 0)), 11);
	assert_memory_equal(buf, "HEL\0\0\0\0\0\0\0\0", 11);
	/* The data is always data; the end is the hole. */
	assert_int_equal(CHECK_OK(rump_sys_lseek(fd, 2, SEEK_DATA)), 2);
	assert_int_equal(CHECK_OK(rump_sys_lseek(fd, 0, SEEK_HOLE)), 11);
	CHECK_OK(rump_sys_fallocate(fd, 0, 0, 100));
	assert_int_equal(stat_ok(tp("f")).st_size, 100);
	CHECK_OK(rump_sys_fallocate(fd, FALLOC_FL_PUNCH_HOLE |
	    FALLOC_FL_KEEP_SIZE, 0, 2));
	assert_int_equal(p[0], 0);
	assert_int_equal(p[2], 'L');
	/* A second object request gives the same object. */
	{
		int h2 = (int)CHECK_OK(mapobj(fd, PROT_READ, MAP_SHARED));
		char *q = mmap(NULL, PG, PROT_READ, MAP_SHARED, h2, 0);

		assert_true(q != MAP_FAILED);
		p[50] = 'q';
		assert_int_equal(q[50], 'q');
		munmap(q, PG);
		close(h2);
	}
	munmap(p, 2 * PG);
	close(h);
	CHECK_OK(rump_sys_close(fd));
}

static void
access_checks(void **state)
{
	int rw, ro, wo, pfd[2], dfd, h;
	char *p;

	(void)state;
	HOST_INVALID();
	TEST_DIR();
	put_file(tp("f"), "data");
	rw = (int)CHECK_OK(rump_sys_open(tp("f"), O_RDWR, 0));
	ro = (int)CHECK_OK(rump_sys_open(tp("f"), O_RDONLY, 0));
	wo = (int)CHECK_OK(rump_sys_open(tp("f"), O_WRONLY, 0));
	CHECK_ERR(mapobj(wo, PROT_READ, MAP_SHARED), EACCES);
	CHECK_ERR(mapobj(ro, PROT_READ | PROT_WRITE, MAP_SHARED), EACCES);
	CHECK_ERR(mapobj(rw, PROT_READ, MAP_PRIVATE), EINVAL);
	CHECK_ERR(mapobj(rw, PROT_READ, 0), EINVAL);
	CHECK_ERR(mapobj(999, PROT_READ, MAP_SHARED), EBADF);
	CHECK_ERR(mapobj(-1, PROT_READ, MAP_SHARED), EBADF);
	CHECK_OK(rump_sys_pipe(pfd));
	CHECK_ERR(mapobj(pfd[0], PROT_READ, MAP_SHARED), ENODEV);
	dfd = (int)CHECK_OK(rump_sys_open(T, O_RDONLY | O_DIRECTORY, 0));
	CHECK_ERR(mapobj(dfd, PROT_READ, MAP_SHARED), ENODEV);
	/* A read-only descriptor's object cannot be mapped writable. */
	h = (int)CHECK_OK(mapobj(ro, PROT_READ, MAP_SHARED_VALIDATE));
	assert_true(mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, h, 0) ==
	    MAP_FAILED);
	assert_int_equal(errno, EACCES);
	p = mmap(NULL, PG, PROT_READ, MAP_SHARED, h, 0);
	assert_true(p != MAP_FAILED);
	assert_memory_equal(p, "data", 4);
	assert_int_equal(mprotect(p, PG, PROT_READ | PROT_WRITE), -1);
	munmap(p, PG);
	close(h);
	CHECK_OK(rump_sys_close(pfd[0]));
	CHECK_OK(rump_sys_close(pfd[1]));
	CHECK_OK(rump_sys_close(dfd));
	CHECK_OK(rump_sys_close(rw));
	CHECK_OK(rump_sys_close(ro));
	CHECK_OK(rump_sys_close(wo));
}

/* Space: the whole size is charged once mapped, and comes back with the
 * file; the mapping outlives the unlinked file. */
static void
space_and_unlink(void **state)
{
	struct statfs s0, s1;
	struct stat st;
	char *p;
	int fd, h;

	(void)state;
	HOST_INVALID();
	TEST_DIR();
	CHECK_OK(rump_sys_mkdir(tp("mnt"), 0755));
	CHECK_OK(rump_sys_mount("none", tp("mnt"), "tmpfs", 0, "size=16m"));
	CHECK_OK(rump_sys_statfs(tp("mnt"), &s0));
	fd = (int)CHECK_OK(rump_sys_open(tp("mnt/f"), O_RDWR | O_CREAT, 0644));
	CHECK_OK(rump_sys_ftruncate(fd, 1024 * 1024));
	h = (int)CHECK_OK(mapobj(fd, PROT_READ | PROT_WRITE, MAP_SHARED));
	CHECK_OK(rump_sys_statfs(tp("mnt"), &s1));
	assert_int_equal(s0.f_bfree - s1.f_bfree, 1024 * 1024 / PG);
	CHECK_OK(rump_sys_fstat(fd, &st));
	assert_int_equal(st.st_blocks, 1024 * 1024 / 512);
	/* Past the mount's size: ENOSPC, the file unchanged. */
	CHECK_ERR(rump_sys_ftruncate(fd, 32 * 1024 * 1024), ENOSPC);
	CHECK_OK(rump_sys_fstat(fd, &st));
	assert_int_equal(st.st_size, 1024 * 1024);
	p = mmap(NULL, 1024 * 1024, PROT_READ | PROT_WRITE, MAP_SHARED, h, 0);
	assert_true(p != MAP_FAILED);
	close(h);
	CHECK_OK(rump_sys_unlink(tp("mnt/f")));
	CHECK_OK(rump_sys_close(fd));
	CHECK_OK(rump_sys_statfs(tp("mnt"), &s1));
	assert_int_equal(s1.f_bfree, s0.f_bfree);
	/* The mapping stays valid, as on Linux. */
	p[12345] = 'k';
	assert_int_equal(p[12345], 'k');
	munmap(p, 1024 * 1024);
	CHECK_OK(rump_sys_umount2(tp("mnt"), 0));
}

/* A client that shrinks the object itself: EFAULT, and the next size
 * change puts the object's size back. */
static void
shrunk_behind_the_kernel(void **state)
{
	char buf[PG];
	struct stat st;
	int fd, h;

	(void)state;
	HOST_INVALID();
	TEST_DIR();
	fd = (int)CHECK_OK(rump_sys_open(tp("f"), O_RDWR | O_CREAT, 0644));
	memset(buf, 'a', sizeof(buf));
	assert_int_equal(CHECK_OK(rump_sys_write(fd, buf, PG)), PG);
	h = (int)CHECK_OK(mapobj(fd, PROT_READ | PROT_WRITE, MAP_SHARED));
	sigaction(SIGSEGV, &lib_segv, NULL);
	sigaction(SIGBUS, &lib_bus, NULL);
	assert_int_equal(ftruncate(h, 0), 0);
	CHECK_ERR(rump_sys_pread64(fd, buf, PG, 0), EFAULT);
	CHECK_OK(rump_sys_ftruncate(fd, 2 * PG));
	assert_int_equal(fstat(h, &st), 0);
	assert_int_equal(st.st_size, 2 * PG);
	assert_int_equal(CHECK_OK(rump_sys_pread64(fd, buf, PG, 0)), PG);
	close(h);
	CHECK_OK(rump_sys_close(fd));
}

static int
group_setup(void **state)
{
	(void)state;
	if (test_kernel_init("mmap") != 0)
		return -1;
	/* A copy installs the kernel's fault handlers. */
	if (rump_sys_access("/", F_OK) != 0)
		return -1;
	sigaction(SIGSEGV, NULL, &lib_segv);
	sigaction(SIGBUS, NULL, &lib_bus);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(coherent_with_read_write),
		cmocka_unit_test(access_checks),
		cmocka_unit_test(space_and_unlink),
		cmocka_unit_test(shrunk_behind_the_kernel),
	};

	return cmocka_run_group_tests_name("mmap", tests, group_setup, NULL);
}
