/*
 * mmapp.c: shared mappings of files in directory DIR, for the hijack's
 * tests: run on a host tmpfs and on /rump, the outputs must be equal.
 *
 * Coherence of a MAP_SHARED mapping with pread/pwrite, with a forked
 * child's stores and with another process (exec'd) reading with read(2);
 * msync's answers (good, bad flags, unaligned, unmapped), munmap,
 * ftruncate growing and shrinking a mapped file (SIGBUS past the end,
 * zeros after truncate-then-grow), unlink while mapped, the errno of bad
 * mmap arguments and of descriptors without the access asked for, and a
 * key-value store's pattern (grow with ftruncate, map, write records,
 * msync, another process reads them).
 *
 * usage: mmapp DIR | mmapp --read FILE OFF LEN
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PG 4096

static sigjmp_buf jb;
static const char *self;

static void
onbus(int sig)
{
	siglongjmp(jb, sig);
}

/* What a load at p gives: the byte, or the signal. */
static void
probe(const char *what, volatile char *p)
{
	int sig;

	if ((sig = sigsetjmp(jb, 1)) == 0)
		printf("%s: byte %d\n", what, *p);
	else
		printf("%s: %s\n", what, sig == SIGBUS ? "SIGBUS" : "signal");
}

static void
err(const char *what, int r)
{
	printf("%s: %s\n", what, r < 0 ? strerror(errno) : "ok");
}

static void
errp(const char *what, void *p)
{
	printf("%s: %s\n", what, p == MAP_FAILED ? strerror(errno) : "ok");
	if (p != MAP_FAILED)
		munmap(p, PG);
}

/* Another process (a new image) reads the file with read(2). */
static void
reader(const char *path, long off, long len)
{
	char a[32], b[32];
	pid_t pid;
	int st;

	snprintf(a, sizeof(a), "%ld", off);
	snprintf(b, sizeof(b), "%ld", len);
	fflush(stdout);
	if ((pid = fork()) == 0) {
		execl(self, self, "--read", path, a, b, (char *)NULL);
		_exit(127);
	}
	waitpid(pid, &st, 0);
}

static int
doread(const char *path, long off, long len)
{
	char buf[256];
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0 || len > (long)sizeof(buf) - 1)
		return 1;
	n = pread(fd, buf, (size_t)len, off);
	buf[n > 0 ? n : 0] = '\0';
	for (ssize_t i = 0; i < n; i++)
		if (buf[i] == '\0')
			buf[i] = '.';
	printf("reader: %zd [%s]\n", n, buf);
	return 0;
}

static void
coherence(const char *dir)
{
	char path[512], buf[64];
	char *p;
	int fd;

	snprintf(path, sizeof(path), "%s/coh", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (write(fd, "hello world", 11) != 11)
		printf("write failed\n");
	p = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	printf("mmap shared rw: %s\n", p == MAP_FAILED ? strerror(errno) :
	    "ok");
	if (p == MAP_FAILED)
		return;
	printf("map sees write: %.11s\n", p);
	memcpy(p, "HELLO", 5);
	memset(buf, 0, sizeof(buf));
	printf("pread sees store: %zd %s\n", pread(fd, buf, 11, 0), buf);
	reader(path, 0, 11);
	pwrite(fd, "W", 1, 6);
	printf("map sees pwrite: %.11s\n", p);
	fflush(stdout);
	if (fork() == 0) {
		memcpy(p + 6, "CHILD", 5);
		_exit(0);
	}
	wait(NULL);
	memset(buf, 0, sizeof(buf));
	printf("after child's store: %zd %s\n", pread(fd, buf, 11, 0), buf);
	probe("past EOF in the last page", p + 100);
	probe("page past EOF", p + PG + 10);
	err("ftruncate grow", ftruncate(fd, PG + 100));
	probe("page past EOF after grow", p + PG + 10);
	p[PG + 20] = 'g';
	reader(path, PG + 18, 4);
	err("ftruncate shrink", ftruncate(fd, 3));
	probe("byte 3 after shrink", p + 3);
	probe("page 2 after shrink", p + PG + 20);
	err("ftruncate grow again", ftruncate(fd, 11));
	printf("after truncate then grow: %.3s [%d %d]\n", p, p[3], p[10]);
	err("msync MS_SYNC", msync(p, PG, MS_SYNC));
	err("msync MS_ASYNC|MS_INVALIDATE", msync(p, PG,
	    MS_ASYNC | MS_INVALIDATE));
	err("msync bad flags", msync(p, PG, 0x100));
	err("msync MS_SYNC|MS_ASYNC", msync(p, PG, MS_SYNC | MS_ASYNC));
	err("msync unaligned", msync(p + 1, PG, MS_SYNC));
	err("munmap", munmap(p, 2 * PG));
	err("msync unmapped", msync(p, PG, MS_SYNC));
	/* Unlinked while mapped: the mapping goes on. */
	p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	err("unlink", unlink(path));
	memcpy(p, "after", 5);
	memset(buf, 0, sizeof(buf));
	printf("unlinked: %zd %s\n", pread(fd, buf, 5, 0), buf);
	munmap(p, PG);
	close(fd);
}

static void
badargs(const char *dir)
{
	char path[512];
	int rw, ro, wo;

	snprintf(path, sizeof(path), "%s/bad", dir);
	rw = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (ftruncate(rw, PG) != 0)
		printf("ftruncate failed\n");
	ro = open(path, O_RDONLY);
	wo = open(path, O_WRONLY);
	errp("shared rw of O_RDONLY", mmap(NULL, PG, PROT_READ | PROT_WRITE,
	    MAP_SHARED, ro, 0));
	errp("shared ro of O_WRONLY", mmap(NULL, PG, PROT_READ, MAP_SHARED,
	    wo, 0));
	errp("shared ro of O_RDONLY", mmap(NULL, PG, PROT_READ, MAP_SHARED,
	    ro, 0));
	{
		char *q = mmap(NULL, PG, PROT_READ, MAP_SHARED, ro, 0);

		err("mprotect write of O_RDONLY mapping",
		    mprotect(q, PG, PROT_READ | PROT_WRITE));
		munmap(q, PG);
		q = mmap(NULL, PG, PROT_READ, MAP_SHARED, rw, 0);
		err("mprotect write of O_RDWR mapping",
		    mprotect(q, PG, PROT_READ | PROT_WRITE));
		munmap(q, PG);
	}
	errp("offset not aligned", mmap(NULL, PG, PROT_READ, MAP_SHARED, rw,
	    100));
	errp("length 0", mmap(NULL, 0, PROT_READ, MAP_SHARED, rw, 0));
	errp("no type", mmap(NULL, PG, PROT_READ, 0, rw, 0));
	errp("validate, unknown flag", mmap(NULL, PG, PROT_READ,
	    MAP_SHARED_VALIDATE | 0x800000, rw, 0));
	errp("validate", mmap(NULL, PG, PROT_READ | PROT_WRITE,
	    MAP_SHARED_VALIDATE, rw, 0));
	errp("MAP_FIXED unaligned", mmap((void *)0x10001, PG, PROT_READ,
	    MAP_SHARED | MAP_FIXED, rw, 0));
	errp("bad descriptor", mmap(NULL, PG, PROT_READ, MAP_SHARED, 999,
	    0));
	close(rw);
	close(ro);
	close(wo);
	unlink(path);
}

/* A key-value store: grow, map, write records, msync, another reads. */
static void
kvstore(const char *dir)
{
	char path[512], rec[32];
	char *p;
	int fd;

	snprintf(path, sizeof(path), "%s/kv", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	for (int round = 1; round <= 3; round++) {
		size_t size = (size_t)round * 2 * PG;

		err("kv ftruncate", ftruncate(fd, (off_t)size));
		p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED) {
			err("kv mmap", -1);
			break;
		}
		for (size_t off = size - 2 * PG; off < size; off += 512) {
			snprintf(rec, sizeof(rec), "k%zu=v%d", off, round);
			memcpy(p + off, rec, strlen(rec));
		}
		err("kv msync", msync(p, size, MS_SYNC));
		munmap(p, size);
		reader(path, (long)(size - 2 * PG + 512), 12);
	}
	close(fd);
	unlink(path);
}

int
main(int argc, char **argv)
{
	struct sigaction sa;

	self = "/proc/self/exe";
	if (argc == 5 && strcmp(argv[1], "--read") == 0)
		return doread(argv[2], atol(argv[3]), atol(argv[4]));
	if (argc != 2) {
		fprintf(stderr, "usage: mmapp DIR\n");
		return 2;
	}
	{
		static char exe[4096];
		ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

		if (n > 0) {
			exe[n] = '\0';
			self = exe;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = onbus;
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	coherence(argv[1]);
	badargs(argv[1]);
	kvstore(argv[1]);
	return 0;
}
