/*
 * hjbench_worker.c: the two measuring workers of hjbench, the program run
 * again by the driver with and without LD_PRELOAD=librumphijack.so.
 * hjbench --calls FILE [KFILE] times calls the shim does not route (on a
 * host descriptor), each through the program's PLT and through a pointer
 * to libc's own definition; hjbench --routed DIR [N] times stat,
 * open+close and pwrite in DIR (in /rump: routed to the kernel).  Each
 * prints "name value [value]" lines, the best of its blocks in ns per
 * call, or one "n/a what path: error" line.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <gnu/lib-names.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hjbench.h"

/* Times stmt n times per block, nb blocks; the best ns/op into out. */
#define TIME(out, nb, n, stmt) do {					\
	double best_ = 1e300;						\
	for (int b_ = 0; b_ < (nb); b_++) {				\
		uint64_t t0_ = now_ns();				\
		for (int i_ = 0; i_ < (n); i_++) {			\
			stmt;						\
		}							\
		double v_ = (double)(now_ns() - t0_) / (n);		\
		if (v_ < best_)						\
			best_ = v_;					\
	}								\
	(out) = best_;							\
} while (0)
#define ROUTED(out, stmt)	TIME(out, ROUTED_BLOCKS, n, stmt)

/* A worker's failure: one "n/a" line the driver shows as the reason. */
static int
na(const char *what, const char *path)
{
	printf("n/a %s %s: %s\n", what, path, strerror(errno));
	return 1;
}

/*
 * Each call twice, in alternate blocks: through the program's PLT (the
 * shim's wrapper when it is preloaded) and through a pointer to libc's own
 * definition (never the shim).  Their difference within one process is
 * the shim's cost without the noise between processes; without the shim
 * it is the difference between a PLT call and a pointer call.
 */
#define TIME2(out, out2, nb, n, stmt, stmt2) do {			\
	double best_ = 1e300, best2_ = 1e300;				\
	for (int b_ = 0; b_ < (nb); b_++) {				\
		uint64_t t0_ = now_ns();				\
		for (int i_ = 0; i_ < (n); i_++) {			\
			stmt;						\
		}							\
		uint64_t t1_ = now_ns();				\
		for (int i_ = 0; i_ < (n); i_++) {			\
			stmt2;						\
		}							\
		double v_ = (double)(t1_ - t0_) / (n);			\
		double v2_ = (double)(now_ns() - t1_) / (n);		\
		if (v_ < best_)						\
			best_ = v_;					\
		if (v2_ < best2_)					\
			best2_ = v2_;					\
	}								\
	(out) = best_;							\
	(out2) = best2_;						\
} while (0)
#define CALLS(stmt, stmt2)	TIME2(v, v2, CALL_BLOCKS, CALL_N, stmt, stmt2)

static struct {
	int (*stub_close)(int);		/* hjstub.c's */
	ssize_t (*stub_read)(int, void *, size_t);
	int (*close)(int);
	ssize_t (*read)(int, void *, size_t);
	int (*fstat)(int, struct stat *);
	int (*stat)(const char *, struct stat *);
	pid_t (*getppid)(void);
} libc;

static int
libc_find(void)
{
	void *h = dlopen("libhjstub.so", RTLD_LAZY | RTLD_NOLOAD);

	if (h == NULL)
		return -1;
	libc.stub_close = (int (*)(int))dlsym(h, "close");
	libc.stub_read = (ssize_t (*)(int, void *, size_t))dlsym(h, "read");
	if ((h = dlopen(LIBC_SO, RTLD_LAZY | RTLD_NOLOAD)) == NULL)
		return -1;
	libc.close = (int (*)(int))dlsym(h, "close");
	libc.read = (ssize_t (*)(int, void *, size_t))dlsym(h, "read");
	libc.fstat = (int (*)(int, struct stat *))dlsym(h, "fstat");
	libc.stat = (int (*)(const char *, struct stat *))dlsym(h, "stat");
	libc.getppid = (pid_t (*)(void))dlsym(h, "getppid");
	return libc.stub_close && libc.stub_read && libc.close && libc.read &&
	    libc.fstat && libc.stat && libc.getppid ? 0 : -1;
}

int
w_calls(const char *file, const char *kfile)
{
	struct stat st;
	char buf[1];
	double v, v2;
	int fd, kfd = -1;

	if (libc_find() != 0) {
		printf("n/a %s, libhjstub.so: no definitions: %s\n", LIBC_SO,
		    dlerror());
		return 1;
	}
	if (kfile != NULL && ((kfd = open(kfile, O_RDWR | O_CREAT, 0644)) < 0))
		return na("open", kfile);
	if ((fd = open(file, O_RDWR)) < 0)
		return na("open", file);
	/* The shim's own cost: the host's function is hjstub.c's. */
	CALLS((void)close(HJSTUB_FD), (void)libc.stub_close(HJSTUB_FD));
	printf("close(stub) %.2f %.2f\n", v, v2);
	CALLS((void)read(HJSTUB_FD, buf, 0),
	    (void)libc.stub_read(HJSTUB_FD, buf, 0));
	printf("read(stub) %.2f %.2f\n", v, v2);
	/* The same with the host's system calls. */
	CALLS((void)close(-1), (void)libc.close(-1));
	printf("close(-1) %.2f %.2f\n", v, v2);
	CALLS(if (read(fd, buf, 0) != 0) return na("read", file),
	    if (libc.read(fd, buf, 0) != 0) return na("read", file));
	printf("read(0B) %.2f %.2f\n", v, v2);
	CALLS(if (fstat(fd, &st) != 0) return na("fstat", file),
	    if (libc.fstat(fd, &st) != 0) return na("fstat", file));
	printf("fstat %.2f %.2f\n", v, v2);
	CALLS(if (stat(file, &st) != 0) return na("stat", file),
	    if (libc.stat(file, &st) != 0) return na("stat", file));
	printf("stat(host) %.2f %.2f\n", v, v2);
	CALLS((void)getppid(), (void)libc.getppid());
	printf("getppid %.2f %.2f\n", v, v2);
	close(fd);
	if (kfd >= 0)
		close(kfd);
	return 0;
}

int
w_routed(const char *dir, int n)
{
	static char page[4096];
	char f[PATH_MAX];
	struct stat st;
	uint64_t t0;
	double v;
	int fd;

	memset(page, 'x', sizeof(page));
	t0 = now_ns();
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		return na("mkdir", dir);
	printf("first %.2f\n", (double)(now_ns() - t0));
	snprintf(f, sizeof(f), "%s/f", dir);
	if ((fd = open(f, O_RDWR | O_CREAT | O_TRUNC, 0644)) < 0)
		return na("create", f);
	if (pwrite(fd, page, sizeof(page), 0) != (ssize_t)sizeof(page))
		return na("pwrite", f);
	ROUTED(v, if (stat(f, &st) != 0) return na("stat", f));
	printf("stat %.2f\n", v);
	ROUTED(v, {
		int x = open(f, O_RDONLY);
		if (x < 0)
			return na("open", f);
		close(x);
	});
	printf("open+close %.2f\n", v);
	ROUTED(v, if (pwrite(fd, page, sizeof(page), 0) !=
	    (ssize_t)sizeof(page)) return na("pwrite", f));
	printf("pwrite(4KiB) %.2f\n", v);
	/* That it was written, once. */
	memset(page, 0, sizeof(page));
	if (fstat(fd, &st) != 0 || pread(fd, page, sizeof(page), 0) !=
	    (ssize_t)sizeof(page))
		return na("fstat+pread", f);
	if (st.st_size != (off_t)sizeof(page) || page[0] != 'x' ||
	    page[sizeof(page) - 1] != 'x') {
		errno = EIO;
		return na("read back", f);
	}
	close(fd);
	unlink(f);
	rmdir(dir);
	return 0;
}
