/*
 * badptr_wrappers: every path wrapper of librumphijack.so given a path in
 * unmapped memory (a PROT_NONE page), and calls on a file under DIR given
 * buffers there, answer -1 with EFAULT and the program goes on; NULL
 * paths answer as the host does.  A plain libc program, run under the
 * shim with DIR in the kernel (/rump/...) and on the host with a host
 * DIR: tests/hijack.bats compares the two outputs.  Not in the table:
 * what glibc reads itself before any system call, which crashes on the
 * host too (opendir's empty-name check, realpath, mkstemp's template).
 *
 * Then the socket message calls with a bad pointer at every place a
 * msghdr or mmsghdr reaches (the header, the iovec array, a buffer, the
 * name, the control data, the timeout) on loopback UDP and TCP sockets
 * (the kernel's under the shim), and what stays after an EFAULT into an
 * unwritable buffer: a file's offset, a FIFO's and a TCP stream's data
 * (Linux checks the buffer before it consumes anything).
 *
 *   badptr_wrappers DIR     prints one line a case, then a summary; exit
 *                           status 1 if a case did not answer EFAULT
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <utime.h>

static char *bad;		/* a page with no access */
static const char *dir;		/* DIR */
static char fpath[4096], dpath[4096], npath[4096];
static int nfail, ncase;

/* Hidden from the compiler, which knows libc's nonnull arguments. */
static void *volatile nullp;

/* Calls with a bad path: p is the pointer to pass where a path goes. */
static long w_open(const char *p) { return open(p, O_RDONLY); }
static long w_open_creat(const char *p) { return open(p, O_RDWR | O_CREAT, 0644); }
static long w_openat(const char *p) { return openat(AT_FDCWD, p, O_RDONLY); }
static long w_creat(const char *p) { return creat(p, 0644); }
static long w_stat(const char *p) { struct stat st; return stat(p, &st); }
static long w_lstat(const char *p) { struct stat st; return lstat(p, &st); }
static long w_fstatat(const char *p) { struct stat st; return fstatat(AT_FDCWD, p, &st, 0); }
static long w_statx(const char *p) { struct statx sx; return statx(AT_FDCWD, p, 0, STATX_ALL, &sx); }
static long w_access(const char *p) { return access(p, F_OK); }
static long w_faccessat(const char *p) { return faccessat(AT_FDCWD, p, F_OK, 0); }
static long w_euidaccess(const char *p) { return euidaccess(p, F_OK); }
static long w_mkdir(const char *p) { return mkdir(p, 0755); }
static long w_mkdirat(const char *p) { return mkdirat(AT_FDCWD, p, 0755); }
static long w_unlink(const char *p) { return unlink(p); }
static long w_unlinkat(const char *p) { return unlinkat(AT_FDCWD, p, 0); }
static long w_rmdir(const char *p) { return rmdir(p); }
static long w_rename_old(const char *p) { return rename(p, npath); }
static long w_rename_new(const char *p) { return rename(fpath, p); }
static long w_renameat_new(const char *p) { return renameat(AT_FDCWD, fpath, AT_FDCWD, p); }
static long w_link_old(const char *p) { return link(p, npath); }
static long w_link_new(const char *p) { return link(fpath, p); }
static long w_linkat_new(const char *p) { return linkat(AT_FDCWD, fpath, AT_FDCWD, p, 0); }
static long w_symlink_target(const char *p) { return symlink(p, npath); }
static long w_symlink_link(const char *p) { return symlink("x", p); }
static long w_readlink(const char *p) { char b[64]; return readlink(p, b, sizeof(b)); }
static long w_readlinkat(const char *p) { char b[64]; return readlinkat(AT_FDCWD, p, b, sizeof(b)); }
static long w_chmod(const char *p) { return chmod(p, 0600); }
static long w_fchmodat(const char *p) { return fchmodat(AT_FDCWD, p, 0600, 0); }
static long w_chown(const char *p) { return chown(p, -1, -1); }
static long w_lchown(const char *p) { return lchown(p, -1, -1); }
static long w_fchownat(const char *p) { return fchownat(AT_FDCWD, p, -1, -1, 0); }
static long w_utimensat(const char *p) { return utimensat(AT_FDCWD, p, NULL, 0); }
static long w_utime(const char *p) { return utime(p, NULL); }
static long w_utimes(const char *p) { return utimes(p, NULL); }
static long w_lutimes(const char *p) { return lutimes(p, NULL); }
static long w_truncate(const char *p) { return truncate(p, 0); }
static long w_mknod(const char *p) { return mknod(p, S_IFIFO | 0644, 0); }
static long w_mkfifo(const char *p) { return mkfifo(p, 0644); }
static long w_statfs(const char *p) { struct statfs s; return statfs(p, &s); }
static long w_statvfs(const char *p) { struct statvfs s; return statvfs(p, &s); }
static long w_getxattr(const char *p) { char b[8]; return getxattr(p, "user.x", b, sizeof(b)); }
static long w_setxattr(const char *p) { return setxattr(p, "user.x", "v", 1, 0); }
static long w_listxattr(const char *p) { char b[64]; return listxattr(p, b, sizeof(b)); }
static long w_removexattr(const char *p) { return removexattr(p, "user.x"); }
static long w_chdir(const char *p) { return chdir(p); }
static long w_fopen(const char *p) { FILE *f = fopen(p, "r"); if (f) fclose(f); return f ? 0 : -1; }
static long w_execve(const char *p)
{
	char *argv[] = { (char *)"x", NULL };

	return execve(p, argv, environ);
}
static long w_execv(const char *p)
{
	char *argv[] = { (char *)"x", NULL };

	return execv(p, argv);
}

static const struct {
	const char *name;
	long (*call)(const char *);
} pathcalls[] = {
	{ "open", w_open }, { "open O_CREAT", w_open_creat },
	{ "openat", w_openat }, { "creat", w_creat },
	{ "stat", w_stat }, { "lstat", w_lstat }, { "fstatat", w_fstatat },
	{ "statx", w_statx }, { "access", w_access },
	{ "faccessat", w_faccessat }, { "euidaccess", w_euidaccess },
	{ "mkdir", w_mkdir }, { "mkdirat", w_mkdirat },
	{ "unlink", w_unlink }, { "unlinkat", w_unlinkat },
	{ "rmdir", w_rmdir },
	{ "rename (old)", w_rename_old }, { "rename (new)", w_rename_new },
	{ "renameat (new)", w_renameat_new },
	{ "link (old)", w_link_old }, { "link (new)", w_link_new },
	{ "linkat (new)", w_linkat_new },
	{ "symlink (target)", w_symlink_target },
	{ "symlink (link)", w_symlink_link },
	{ "readlink", w_readlink }, { "readlinkat", w_readlinkat },
	{ "chmod", w_chmod }, { "fchmodat", w_fchmodat },
	{ "chown", w_chown }, { "lchown", w_lchown },
	{ "fchownat", w_fchownat },
	{ "utimensat", w_utimensat }, { "utime", w_utime },
	{ "utimes", w_utimes }, { "lutimes", w_lutimes },
	{ "truncate", w_truncate }, { "mknod", w_mknod },
	{ "mkfifo", w_mkfifo },
	{ "statfs", w_statfs }, { "statvfs", w_statvfs },
	{ "getxattr", w_getxattr }, { "setxattr", w_setxattr },
	{ "listxattr", w_listxattr }, { "removexattr", w_removexattr },
	{ "chdir", w_chdir }, { "fopen", w_fopen },
	{ "execve", w_execve }, { "execv", w_execv },
};

/* --- socket messages --------------------------------------------------- */

static int udp_rx, udp_tx;	/* udp_tx is connected to udp_rx */
static struct sockaddr_in udp_at;

static struct msghdr
msg_of(struct iovec *iov, size_t n)
{
	struct msghdr m;

	memset(&m, 0, sizeof(m));
	m.msg_iov = iov;
	m.msg_iovlen = n;
	return m;
}

static long m_send_hdr(void) { return sendmsg(udp_tx, (struct msghdr *)bad, 0); }
static long m_send_iovarr(void)
{
	struct msghdr m = msg_of((struct iovec *)bad, 1);

	return sendmsg(udp_tx, &m, 0);
}
static long m_send_base(void)
{
	struct iovec v = { bad, 4 };
	struct msghdr m = msg_of(&v, 1);

	return sendmsg(udp_tx, &m, 0);
}
static long m_send_base2(void)
{
	struct iovec v[2] = { { (char *)"ab", 2 }, { bad, 4 } };
	struct msghdr m = msg_of(v, 2);

	return sendmsg(udp_tx, &m, 0);
}
static long m_send_name(void)
{
	struct iovec v = { (char *)"x", 1 };
	struct msghdr m = msg_of(&v, 1);

	m.msg_name = bad;
	m.msg_namelen = sizeof(struct sockaddr_in);
	return sendmsg(udp_rx, &m, 0);
}
static long m_send_control(void)
{
	struct iovec v = { (char *)"x", 1 };
	struct msghdr m = msg_of(&v, 1);

	m.msg_control = bad;
	m.msg_controllen = 32;
	return sendmsg(udp_tx, &m, 0);
}
static long m_sendto_name(void)
{
	return sendto(udp_rx, "x", 1, 0, (struct sockaddr *)bad,
	    sizeof(struct sockaddr_in));
}
static long m_recv_hdr(void)
{
	return recvmsg(udp_rx, (struct msghdr *)bad, MSG_DONTWAIT);
}
static long m_recv_iovarr(void)
{
	struct msghdr m = msg_of((struct iovec *)bad, 1);

	return recvmsg(udp_rx, &m, MSG_DONTWAIT);
}
static long m_mmsg_send_vec(void)
{
	return sendmmsg(udp_tx, (struct mmsghdr *)bad, 1, 0);
}
static long m_mmsg_send_iovarr(void)
{
	struct mmsghdr mm[1];

	memset(mm, 0, sizeof(mm));
	mm[0].msg_hdr = msg_of((struct iovec *)bad, 1);
	return sendmmsg(udp_tx, mm, 1, 0);
}
static long m_mmsg_send_base(void)
{
	struct iovec v = { bad, 4 };
	struct mmsghdr mm[1];

	memset(mm, 0, sizeof(mm));
	mm[0].msg_hdr = msg_of(&v, 1);
	return sendmmsg(udp_tx, mm, 1, 0);
}
static long m_mmsg_recv_vec(void)
{
	return recvmmsg(udp_rx, (struct mmsghdr *)bad, 1, MSG_DONTWAIT, NULL);
}
static long m_mmsg_recv_iovarr(void)
{
	struct mmsghdr mm[1];

	memset(mm, 0, sizeof(mm));
	mm[0].msg_hdr = msg_of((struct iovec *)bad, 1);
	return recvmmsg(udp_rx, mm, 1, MSG_DONTWAIT, NULL);
}
static long m_mmsg_recv_timeout(void)
{
	char b[8];
	struct iovec v = { b, sizeof(b) };
	struct mmsghdr mm[1];

	memset(mm, 0, sizeof(mm));
	mm[0].msg_hdr = msg_of(&v, 1);
	return recvmmsg(udp_rx, mm, 1, MSG_DONTWAIT, (struct timespec *)bad);
}
/* These two find a datagram queued: Linux takes it, then cannot store
 * the sender's address. */
static long m_recv_name(void)
{
	char b[8];
	struct iovec v = { b, sizeof(b) };
	struct msghdr m = msg_of(&v, 1);

	m.msg_name = bad;
	m.msg_namelen = sizeof(struct sockaddr_in);
	(void)send(udp_tx, "n", 1, 0);
	(void)poll(&(struct pollfd){ .fd = udp_rx, .events = POLLIN }, 1, 5000);
	return recvmsg(udp_rx, &m, MSG_DONTWAIT);
}
static long m_recvfrom_name(void)
{
	char b[8];
	socklen_t len = sizeof(struct sockaddr_in);

	(void)send(udp_tx, "f", 1, 0);
	(void)poll(&(struct pollfd){ .fd = udp_rx, .events = POLLIN }, 1, 5000);
	return recvfrom(udp_rx, b, sizeof(b), MSG_DONTWAIT,
	    (struct sockaddr *)bad, &len);
}
static long m_getsockname(void)
{
	socklen_t len = sizeof(struct sockaddr_in);

	return getsockname(udp_rx, (struct sockaddr *)bad, &len);
}

static const struct {
	const char *name;
	long (*call)(void);
} msgcalls[] = {
	{ "sendmsg (msghdr)", m_send_hdr },
	{ "sendmsg (iovec array)", m_send_iovarr },
	{ "sendmsg (buffer)", m_send_base },
	{ "sendmsg (second buffer)", m_send_base2 },
	{ "sendmsg (name)", m_send_name },
	{ "sendmsg (control)", m_send_control },
	{ "sendto (name)", m_sendto_name },
	{ "recvmsg (msghdr)", m_recv_hdr },
	{ "recvmsg (iovec array)", m_recv_iovarr },
	{ "sendmmsg (mmsghdr)", m_mmsg_send_vec },
	{ "sendmmsg (iovec array)", m_mmsg_send_iovarr },
	{ "sendmmsg (buffer)", m_mmsg_send_base },
	{ "recvmmsg (mmsghdr)", m_mmsg_recv_vec },
	{ "recvmmsg (iovec array)", m_mmsg_recv_iovarr },
	{ "recvmmsg (timeout)", m_mmsg_recv_timeout },
	{ "recvmsg (name)", m_recv_name },
	{ "recvfrom (name)", m_recvfrom_name },
	{ "getsockname (name)", m_getsockname },
};

/* A UDP pair on 127.0.0.1; 0, or -1 (said). */
static int
udp_pair(void)
{
	socklen_t len = sizeof(udp_at);

	memset(&udp_at, 0, sizeof(udp_at));
	udp_at.sin_family = AF_INET;
	udp_at.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((udp_rx = socket(AF_INET, SOCK_DGRAM, 0)) < 0 ||
	    (udp_tx = socket(AF_INET, SOCK_DGRAM, 0)) < 0 ||
	    bind(udp_rx, (struct sockaddr *)&udp_at, sizeof(udp_at)) != 0 ||
	    getsockname(udp_rx, (struct sockaddr *)&udp_at, &len) != 0 ||
	    connect(udp_tx, (struct sockaddr *)&udp_at, sizeof(udp_at)) != 0) {
		perror("udp");
		return -1;
	}
	return 0;
}

/* A connected TCP pair on 127.0.0.1 (*l the listener); 0 or -1. */
static int
tcp_pair(int *l, int *c, int *a)
{
	struct sockaddr_in at;
	socklen_t len = sizeof(at);

	memset(&at, 0, sizeof(at));
	at.sin_family = AF_INET;
	at.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((*l = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    bind(*l, (struct sockaddr *)&at, sizeof(at)) != 0 ||
	    listen(*l, 4) != 0 ||
	    getsockname(*l, (struct sockaddr *)&at, &len) != 0 ||
	    (*c = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    connect(*c, (struct sockaddr *)&at, sizeof(at)) != 0 ||
	    (*a = accept(*l, NULL, NULL)) < 0) {
		perror("tcp");
		return -1;
	}
	return 0;
}

/* Waits up to wait_ms for fd to be readable; what is there is shown. */
static void
show_left(const char *what, int fd, int wait_ms)
{
	char b[16];
	ssize_t n;

	(void)poll(&(struct pollfd){ .fd = fd, .events = POLLIN }, 1, wait_ms);
	n = recv(fd, b, sizeof(b), MSG_DONTWAIT);
	if (n < 0 && errno == ENOTSOCK)
		n = read(fd, b, sizeof(b));
	printf("%s: %zd \"%.*s\"\n", what, n, n > 0 ? (int)n : 0, b);
}

static void
expect(const char *what, long r, int err, int want)
{
	ncase++;
	if (r == -1 && err == want) {
		printf("%s: %s\n", what, strerror(err));
		return;
	}
	nfail++;
	printf("%s: FAIL: %ld, %s (expected %s)\n", what, r,
	    r == -1 ? strerror(err) : "no error", strerror(want));
}

#define EXPECT(what, expr, want) do {					\
	long r_;							\
	errno = 0;							\
	r_ = (long)(expr);						\
	expect((what), r_, errno, (want));				\
} while (0)

/* The same for a call whose answer is only compared with the host's. */
#define SHOW(what, expr) do {						\
	long r_;							\
	errno = 0;							\
	r_ = (long)(expr);						\
	printf("%s: %ld %s\n", (what), r_, r_ == -1 ? strerror(errno) : ""); \
} while (0)

int
main(int argc, char **argv)
{
	long pagesz = sysconf(_SC_PAGESIZE);
	struct iovec iov;
	struct stat st;
	char *ro;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: badptr_wrappers DIR\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	dir = argv[1];
	ro = mmap(NULL, (size_t)pagesz * 2, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ro == MAP_FAILED)
		return 2;
	bad = ro + pagesz;
	if (mprotect(bad, (size_t)pagesz, PROT_NONE) != 0 ||
	    mprotect(ro, (size_t)pagesz, PROT_READ) != 0)
		return 2;
	snprintf(fpath, sizeof(fpath), "%s/f", dir);
	snprintf(dpath, sizeof(dpath), "%s/d", dir);
	snprintf(npath, sizeof(npath), "%s/new", dir);
	if (mkdir(dir, 0755) != 0 || mkdir(dpath, 0755) != 0 ||
	    (fd = open(fpath, O_RDWR | O_CREAT, 0644)) < 0 ||
	    write(fd, "0123456789", 10) != 10) {
		perror(dir);
		return 2;
	}

	/* Paths in unmapped memory, every wrapper. */
	for (size_t i = 0; i < sizeof(pathcalls) / sizeof(pathcalls[0]); i++)
		EXPECT(pathcalls[i].name, pathcalls[i].call(bad), EFAULT);
	/* Relative ones too, from a directory of DIR's side. */
	if (chdir(dpath) != 0)
		return 2;
	EXPECT("open (cwd in DIR)", open(bad, O_RDONLY), EFAULT);
	EXPECT("stat (cwd in DIR)", stat(bad, &st), EFAULT);
	if (chdir("/") != 0)
		return 2;

	/* Paths that end at the edge of an unmapped page: without their
	 * NUL (EFAULT), and with it as the page's last byte (no fault). */
	{
		char *m = mmap(NULL, (size_t)pagesz * 2, PROT_READ |
		    PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		size_t n = strlen(fpath);

		if (m == MAP_FAILED ||
		    mprotect(m + pagesz, (size_t)pagesz, PROT_NONE) != 0)
			return 2;
		memcpy(m + pagesz - n, fpath, n);
		EXPECT("stat (no NUL before the page)",
		    stat(m + pagesz - n, &st), EFAULT);
		memcpy(m + pagesz - n - 1, fpath, n + 1);
		ncase++;
		if (stat(m + pagesz - n - 1, &st) != 0) {
			nfail++;
			printf("stat (NUL last in the page): FAIL: %s\n",
			    strerror(errno));
		} else {
			printf("stat (NUL last in the page): 0\n");
		}
		munmap(m, (size_t)pagesz * 2);
	}

	/* Buffers in unmapped memory, a file of DIR. */
	EXPECT("write", write(fd, bad, 4), EFAULT);
	EXPECT("pwrite", pwrite(fd, bad, 4, 0), EFAULT);
	EXPECT("read", pread(fd, bad, 4, 0), EFAULT);
	EXPECT("read (read-only page)", pread(fd, ro, 4, 0), EFAULT);
	EXPECT("readv (iovec array)", readv(fd, (struct iovec *)bad, 1),
	    EFAULT);
	iov.iov_base = bad;
	iov.iov_len = 4;
	EXPECT("pwritev (buffer)", pwritev(fd, &iov, 1, 0), EFAULT);
	EXPECT("preadv (buffer)", preadv(fd, &iov, 1, 0), EFAULT);
	EXPECT("fstat", fstat(fd, (struct stat *)bad), EFAULT);
	EXPECT("stat (struct)", stat(fpath, (struct stat *)bad), EFAULT);
	EXPECT("lstat (struct)", lstat(fpath, (struct stat *)bad), EFAULT);
	EXPECT("fstatfs (struct)", fstatfs(fd, (struct statfs *)bad), EFAULT);
	EXPECT("statfs (struct)", statfs(fpath, (struct statfs *)bad),
	    EFAULT);
	if (symlink("f", npath) != 0)
		return 2;
	EXPECT("readlink (buffer)", readlink(npath, bad, 16), EFAULT);
	if (unlink(npath) != 0)
		return 2;

	/* What an EFAULT into an unwritable buffer leaves: the offset. */
	EXPECT("read after lseek", (lseek(fd, 2, SEEK_SET),
	    read(fd, bad, 4)), EFAULT);
	EXPECT("readv (buffer) after lseek", readv(fd, &iov, 1), EFAULT);
	EXPECT("read (read-only page) after lseek", read(fd, ro, 4), EFAULT);
	printf("offset after the faults: %ld\n", (long)lseek(fd, 0, SEEK_CUR));

	/* The file is as it was, the descriptor still serves. */
	{
		char b[16];

		if (pread(fd, b, sizeof(b), 0) != 10 ||
		    memcmp(b, "0123456789", 10) != 0) {
			printf("the file changed\n");
			nfail++;
		}
	}
	close(fd);

	/* Socket messages. */
	if (udp_pair() != 0)
		return 2;
	for (size_t i = 0; i < sizeof(msgcalls) / sizeof(msgcalls[0]); i++)
		EXPECT(msgcalls[i].name, msgcalls[i].call(), EFAULT);
	show_left("udp queue after the faults", udp_rx, 0);
	{
		/* A control buffer with nothing to receive is not written. */
		char b[8];
		struct iovec v = { b, sizeof(b) };
		struct msghdr m = msg_of(&v, 1);

		m.msg_control = bad;
		m.msg_controllen = 64;
		(void)send(udp_tx, "c", 1, 0);
		(void)poll(&(struct pollfd){ .fd = udp_rx, .events = POLLIN },
		    1, 5000);
		SHOW("recvmsg (control, none to receive)",
		    recvmsg(udp_rx, &m, MSG_DONTWAIT));
	}
	close(udp_rx);
	close(udp_tx);

	/* A FIFO and a TCP stream keep their data after an EFAULT. */
	{
		char fifo[4200];
		struct msghdr m;
		int ff, l, c, a;

		snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
		if (mkfifo(fifo, 0644) != 0 ||
		    (ff = open(fifo, O_RDWR)) < 0 || write(ff, "fifo", 4) != 4)
			return 2;
		EXPECT("read (FIFO)", read(ff, bad, 4), EFAULT);
		EXPECT("readv (FIFO)", readv(ff, &iov, 1), EFAULT);
		show_left("FIFO after the faults", ff, 5000);
		close(ff);
		unlink(fifo);
		if (tcp_pair(&l, &c, &a) != 0)
			return 2;
		if (send(c, "stream", 6, 0) != 6)
			return 2;
		(void)poll(&(struct pollfd){ .fd = a, .events = POLLIN }, 1,
		    5000);
		EXPECT("recv (TCP)", recv(a, bad, 6, 0), EFAULT);
		EXPECT("read (TCP)", read(a, bad, 6), EFAULT);
		m = msg_of(&iov, 1);
		EXPECT("recvmsg (TCP buffer)", recvmsg(a, &m, 0), EFAULT);
		EXPECT("recvfrom (TCP buffer)", recvfrom(a, bad, 6, 0, NULL,
		    NULL), EFAULT);
		show_left("TCP stream after the faults", a, 5000);
		/* accept whose address cannot be stored: EFAULT. */
		{
			struct sockaddr_in at;
			socklen_t len = sizeof(at);
			int c2 = socket(AF_INET, SOCK_STREAM, 0);

			if (c2 < 0 || getsockname(l, (struct sockaddr *)&at,
			    &len) != 0 || connect(c2, (struct sockaddr *)&at,
			    sizeof(at)) != 0)
				return 2;
			len = sizeof(at);
			EXPECT("accept (address)", accept(l,
			    (struct sockaddr *)bad, &len), EFAULT);
			close(c2);
		}
		close(a);
		close(c);
		close(l);
	}

	/* NULL: whatever the host answers (compared by the caller). */
	SHOW("link (f, NULL)", link(fpath, nullp));
	SHOW("link (NULL, new)", link(nullp, npath));
	SHOW("rename (f, NULL)", rename(fpath, nullp));
	SHOW("symlink (NULL, new)", symlink(nullp, npath));
	SHOW("symlink (x, NULL)", symlink("x", nullp));
	SHOW("open (NULL)", open(nullp, O_RDONLY));
	SHOW("stat (f, NULL)", stat(fpath, nullp));
	SHOW("readlink (NULL)", readlink(nullp, (char[8]){ 0 }, 8));
	SHOW("mkdir (NULL)", mkdir(nullp, 0755));
	SHOW("truncate (NULL)", truncate(nullp, 0));
	SHOW("utimensat (f, NULL times)", utimensat(AT_FDCWD, fpath, NULL, 0));

	unlink(fpath);
	rmdir(dpath);
	rmdir(dir);
	printf("%d cases, %d failed\n", ncase, nfail);
	return nfail != 0;
}
