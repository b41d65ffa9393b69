/*
 * test_badptr.c: pointers into unmapped or protected memory are EFAULT,
 * as on Linux, and the process and the kernel go on: copyin (paths,
 * write buffers, iovecs, struct arguments) and copyout (read buffers,
 * stat structures, readlink), embedded and remote.
 */
#include <signal.h>
#include <sys/mman.h>
#include <sys/uio.h>

#include "compat.h"

static char *none;	/* a page with no access */
static char *ro;	/* a read-only page */
static char *edge;	/* the last bytes of a readable page before none */
static long pagesz;
/* The kernel's (or librumpclient's) fault handlers, see claim(). */
static struct sigaction lib_segv, lib_bus;

/*
 * cmocka installs a SIGSEGV handler of its own for each test, in front of
 * the library's, as a program that sets one after the kernel started
 * does: puts the library's back, as a program without one has it.
 */
static void
claim(void)
{
	sigaction(SIGSEGV, &lib_segv, NULL);
	sigaction(SIGBUS, &lib_bus, NULL);
}

static void
paths_in_unmapped_memory(void **state)
{
	char buf[16];

	(void)state;
	claim();
	TEST_DIR();
	put_file(tp("f"), "data");
	CHECK_ERR(rump_sys_open(none, O_RDONLY, 0), EFAULT);
	CHECK_ERR(rump_sys_open(none, O_RDWR | O_CREAT, 0644), EFAULT);
	CHECK_ERR(rump_sys_mkdir(none, 0755), EFAULT);
	CHECK_ERR(rump_sys_unlink(none), EFAULT);
	CHECK_ERR(rump_sys_rmdir(none), EFAULT);
	CHECK_ERR(rump_sys_rename(none, tp("g")), EFAULT);
	CHECK_ERR(rump_sys_rename(tp("f"), none), EFAULT);
	CHECK_ERR(rump_sys_link(tp("f"), none), EFAULT);
	CHECK_ERR(rump_sys_symlink(none, tp("s")), EFAULT);
	CHECK_ERR(rump_sys_readlink(none, buf, sizeof(buf)), EFAULT);
	CHECK_ERR(rump_sys_chmod(none, 0600), EFAULT);
	CHECK_ERR(rump_sys_truncate(none, 0), EFAULT);
	CHECK_ERR(rump_sys_chdir(none), EFAULT);
	/* A string that runs into the unreadable page without a NUL. */
	memset(edge, 'a', 8);
	CHECK_ERR(rump_sys_open(edge, O_RDONLY, 0), EFAULT);
	CHECK_ERR(rump_sys_mkdir(edge, 0755), EFAULT);
	/* Nothing was made or lost. */
	assert_int_equal(stat_ok(tp("f")).st_size, 4);
	CHECK_ERR(rump_sys_access(tp("g"), F_OK), ENOENT);
	CHECK_ERR(rump_sys_access(tp("s"), F_OK), ENOENT);
}

static void
buffers_in_unmapped_memory(void **state)
{
	struct iovec iov;
	char buf[8];
	int fd;

	(void)state;
	claim();
	TEST_DIR();
	put_file(tp("f"), "0123456789");
	fd = (int)CHECK_OK(rump_sys_open(tp("f"), O_RDWR, 0));
	CHECK_ERR(rump_sys_write(fd, none, 4), EFAULT);
	CHECK_ERR(rump_sys_pwrite64(fd, none, 4, 0), EFAULT);
	CHECK_ERR(rump_sys_read(fd, none, 4), EFAULT);
	CHECK_ERR(rump_sys_pread64(fd, none, 4, 0), EFAULT);
	/* A read-only page takes no data. */
	CHECK_ERR(rump_sys_pread64(fd, ro, 4, 0), EFAULT);
	/* The iovec array itself, and a buffer it names. */
	CHECK_ERR(rump_sys_readv(fd, (struct iovec *)none, 1), EFAULT);
	CHECK_ERR(rump_sys_writev(fd, (struct iovec *)none, 1), EFAULT);
	iov.iov_base = none;
	iov.iov_len = 4;
	CHECK_ERR(rump_sys_pwritev(fd, &iov, 1, 0), EFAULT);
	/* Struct results. */
	CHECK_ERR(rump_sys_fstat(fd, (struct stat *)none), EFAULT);
	CHECK_ERR(rump_sys_stat(tp("f"), (struct stat *)none), EFAULT);
	CHECK_ERR(rump_sys_stat(tp("f"), (struct stat *)ro), EFAULT);
	/* The file is as it was and the descriptor still serves. */
	assert_int_equal(CHECK_OK(rump_sys_pread64(fd, buf, 4, 0)), 4);
	assert_memory_equal(buf, "0123", 4);
	assert_int_equal(stat_ok(tp("f")).st_size, 10);
	CHECK_OK(rump_sys_close(fd));
}

/* Hidden from the compiler, which knows libc's nonnull arguments. */
static void *volatile nullp;

static void
null_pointers(void **state)
{
	(void)state;
	TEST_DIR();
	put_file(tp("f"), "x");
	CHECK_ERR(rump_sys_link(tp("f"), nullp), EFAULT);
	CHECK_ERR(rump_sys_link(nullp, tp("g")), EFAULT);
	CHECK_ERR(rump_sys_rename(tp("f"), nullp), EFAULT);
	CHECK_ERR(rump_sys_symlink(nullp, tp("s")), EFAULT);
	CHECK_ERR(rump_sys_open(nullp, O_RDONLY, 0), EFAULT);
	CHECK_ERR(rump_sys_stat(tp("f"), nullp), EFAULT);
}

static int
group_setup(void **state)
{
	(void)state;
	pagesz = sysconf(_SC_PAGESIZE);
	ro = mmap(NULL, (size_t)pagesz * 3, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ro == MAP_FAILED)
		return -1;
	edge = ro + 2 * pagesz - 8;
	none = ro + 2 * pagesz;
	if (mprotect(none, (size_t)pagesz, PROT_NONE) != 0)
		return -1;
	memset(ro, 'x', (size_t)pagesz);
	if (mprotect(ro, (size_t)pagesz, PROT_READ) != 0)
		return -1;
	if (test_kernel_init("badptr") != 0)
		return -1;
	/* A copy installs the library's handlers. */
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
		cmocka_unit_test(paths_in_unmapped_memory),
		cmocka_unit_test(buffers_in_unmapped_memory),
		cmocka_unit_test(null_pointers),
	};

	return cmocka_run_group_tests_name("badptr", tests, group_setup,
	    NULL);
}
