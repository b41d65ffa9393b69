/*
 * compat.h: what every unit test includes.
 *
 * The tests are written against rump_sys_*() and Linux semantics.  Built
 * normally they run against an embedded rump kernel.  Built with
 * -DTEST_ON_HOST (and without the rump libraries) the same source runs
 * against the host kernel, the reference for what the answers must be:
 * rump_sys_X becomes the host's X, and test_kernel_init() moves the process
 * into a private mount and UTS namespace whose root is a fresh tmpfs (with
 * the host's /dev and /proc bound in), so absolute paths such as "/t_open"
 * mean the same thing in both modes.  Host mode needs root.
 *
 * Helpers (testlib.c) hide the few things that differ: kernel processes
 * (rump_lwproc_rfork in a rump kernel, fork(2) or per-thread credentials on
 * the host) and the per-test directory.  Tests that only make sense in a
 * rump kernel call HOST_INVALID() first, which skips them in host mode.
 */
#ifndef TESTS_UNIT_COMPAT_H
#define TESTS_UNIT_COMPAT_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/openat2.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <sys/select.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/socket.h>
#include <sys/un.h>

#ifndef TEST_ON_HOST
#include <rump/rump.h>
#include <rump/rump_syscalls.h>
#else
/* The host kernel: raw system calls where glibc would emulate or differ. */
#define rump_sys_read		read
#define rump_sys_socket		socket
#define rump_sys_socketpair	socketpair
#define rump_sys_bind		bind
#define rump_sys_listen		listen
#define rump_sys_accept		accept
#define rump_sys_accept4	accept4
#define rump_sys_connect	connect
#define rump_sys_shutdown	shutdown
#define rump_sys_sendto		sendto
#define rump_sys_recvfrom	recvfrom
#define rump_sys_sendmsg	sendmsg
#define rump_sys_recvmsg	recvmsg
#define rump_sys_sendmmsg	sendmmsg
#define rump_sys_recvmmsg	recvmmsg
#define rump_sys_getsockname	getsockname
#define rump_sys_getpeername	getpeername
#define rump_sys_setsockopt	setsockopt
#define rump_sys_getsockopt	getsockopt
#define rump_sys_write		write
#define rump_sys_close		close
#define rump_sys_poll		poll
#define rump_sys_lseek		lseek
#define rump_sys_ioctl		ioctl
#define rump_sys_pread64	pread
#define rump_sys_pwrite64	pwrite
#define rump_sys_readv		readv
#define rump_sys_writev		writev
#define rump_sys_pipe		pipe
#define rump_sys_dup		dup
#define rump_sys_dup2		dup2
#define rump_sys_dup3		dup3
#define rump_sys_pipe2		pipe2
#define rump_sys_preadv		preadv
#define rump_sys_pwritev	pwritev
#define rump_sys_close_range	close_range
#define rump_sys_getpid		getpid
#define rump_sys_getppid	getppid
#define rump_sys_gettid		gettid
#define rump_sys_uname		uname
#define rump_sys_umask		umask
#define rump_sys_getrlimit	getrlimit
#define rump_sys_setrlimit	setrlimit
#define rump_sys_getuid		getuid
#define rump_sys_getgid		getgid
#define rump_sys_geteuid	geteuid
#define rump_sys_getegid	getegid
#define rump_sys_getgroups	getgroups
#define rump_sys_getresuid	getresuid
#define rump_sys_getresgid	getresgid
/* Per-thread on Linux when called raw; glibc's wrappers broadcast. */
#define rump_sys_setuid(u)	((int)syscall(SYS_setuid, (u)))
#define rump_sys_setgid(g)	((int)syscall(SYS_setgid, (g)))
#define rump_sys_setreuid(r, e)	((int)syscall(SYS_setreuid, (r), (e)))
#define rump_sys_setregid(r, e)	((int)syscall(SYS_setregid, (r), (e)))
#define rump_sys_setresuid(r, e, s) ((int)syscall(SYS_setresuid, (r), (e), (s)))
#define rump_sys_setresgid(r, e, s) ((int)syscall(SYS_setresgid, (r), (e), (s)))
#define rump_sys_setgroups(n, l) ((int)syscall(SYS_setgroups, (n), (l)))
#define rump_sys_setfsuid(u)	((int)syscall(SYS_setfsuid, (u)))
#define rump_sys_setfsgid(g)	((int)syscall(SYS_setfsgid, (g)))
#define rump_sys_sethostname	sethostname
#define rump_sys_setdomainname	setdomainname
#define rump_sys_prlimit64	prlimit
#define rump_sys_ppoll(f, n, t, m, z) \
	((int)syscall(SYS_ppoll, (f), (n), (t), (m), (z)))
#define rump_sys_select(n, r, w, e, t) \
	((int)syscall(SYS_select, (n), (r), (w), (e), (t)))
#define rump_sys_pselect6(n, r, w, e, t, s) \
	((int)syscall(SYS_pselect6, (n), (r), (w), (e), (t), (s)))
#define rump_sys_epoll_create	epoll_create
#define rump_sys_epoll_create1	epoll_create1
#define rump_sys_epoll_ctl	epoll_ctl
#define rump_sys_epoll_wait(e, v, m, t) \
	((int)syscall(SYS_epoll_wait, (e), (v), (m), (t)))
#define rump_sys_epoll_pwait(e, v, m, t, s, z) \
	((int)syscall(SYS_epoll_pwait, (e), (v), (m), (t), (s), (z)))
#define rump_sys_epoll_pwait2(e, v, m, t, s, z) \
	((int)syscall(SYS_epoll_pwait2, (e), (v), (m), (t), (s), (z)))
#define rump_sys_eventfd(v)	((int)syscall(SYS_eventfd, (v)))
#define rump_sys_eventfd2(v, f)	((int)syscall(SYS_eventfd2, (v), (f)))
#define rump_sys_preadv2	preadv2
#define rump_sys_pwritev2	pwritev2
#define rump_sys_getrandom	getrandom
#define rump_sys_open		open
#define rump_sys_creat		creat
#define rump_sys_stat		stat
#define rump_sys_fstat		fstat
#define rump_sys_lstat		lstat
#define rump_sys_access		access
#define rump_sys_fcntl		fcntl
#define rump_sys_flock		flock
#define rump_sys_fsync		fsync
#define rump_sys_fdatasync	fdatasync
#define rump_sys_truncate	truncate
#define rump_sys_ftruncate	ftruncate
#define rump_sys_getcwd		getcwd
#define rump_sys_chdir		chdir
#define rump_sys_fchdir		fchdir
#define rump_sys_rename		rename
#define rump_sys_mkdir		mkdir
#define rump_sys_rmdir		rmdir
#define rump_sys_link		link
#define rump_sys_unlink		unlink
#define rump_sys_symlink	symlink
#define rump_sys_readlink	readlink
#define rump_sys_chmod		chmod
#define rump_sys_fchmod		fchmod
#define rump_sys_chown		chown
#define rump_sys_fchown		fchown
#define rump_sys_lchown		lchown
#define rump_sys_mknod		mknod
#define rump_sys_statfs		statfs
#define rump_sys_fstatfs	fstatfs
#define rump_sys_chroot		chroot
#define rump_sys_sync		sync
#define rump_sys_mount		mount
#define rump_sys_umount2	umount2
#define rump_sys_getdents64	getdents64
#define rump_sys_openat		openat
#define rump_sys_mkdirat	mkdirat
#define rump_sys_mknodat	mknodat
#define rump_sys_fchownat	fchownat
#define rump_sys_newfstatat	fstatat
#define rump_sys_unlinkat	unlinkat
#define rump_sys_renameat	renameat
#define rump_sys_linkat		linkat
#define rump_sys_symlinkat	symlinkat
#define rump_sys_readlinkat	readlinkat
#define rump_sys_fchmodat	fchmodat
#define rump_sys_faccessat(d, p, m) ((int)syscall(SYS_faccessat, (d), (p), (m)))
#define rump_sys_faccessat2(d, p, m, f) \
	((int)syscall(SYS_faccessat2, (d), (p), (m), (f)))
#define rump_sys_utimensat(d, p, t, f) \
	((int)syscall(SYS_utimensat, (d), (p), (t), (f)))
#define rump_sys_fallocate	fallocate
#define rump_sys_syncfs		syncfs
#define rump_sys_renameat2	renameat2
#define rump_sys_statx		statx
#define rump_sys_openat2(d, p, h, s) ((int)syscall(SYS_openat2, (d), (p), (h), (s)))
#endif /* TEST_ON_HOST */

#ifndef TMPFS_MAGIC
#define TMPFS_MAGIC	0x01021994
#endif

/* Skips a test whose subject exists only in a rump kernel. */
#ifdef TEST_ON_HOST
#define HOST_INVALID()	skip()
#else
#define HOST_INVALID()	do { } while (0)
#endif
/* Tests of what only an embedded kernel has (run_remote.sh builds). */
#ifdef TEST_REMOTE
#include <rump/rumpclient.h>
#define REMOTE_INVALID()	skip()
/* The process the test's threads belong to: the local client's is 1. */
#define MAIN_PID		rumpclient_getpid()
#else
#define REMOTE_INVALID()	do { } while (0)
#define MAIN_PID		1
#endif

/* --- assertions that say what failed ------------------------------------ */
/* Asserts expr did not return -1; yields its value. */
#define CHECK_OK(expr)	check_ok_((long)(expr), #expr, __FILE__, __LINE__)
/* Asserts expr returned -1 with errno err. */
#define CHECK_ERR(expr, err) \
	check_err_((long)(expr), (err), #expr, __FILE__, __LINE__)
long check_ok_(long r, const char *expr, const char *file, int line);
void check_err_(long r, int err, const char *expr, const char *file, int line);

/* --- the kernel and the per-test directory ------------------------------- */
/*
 * Boots the kernel (rump_init, asserted 0) or sets up the host namespace,
 * then creates "/t_<group>".  For cmocka group setup functions.
 */
int test_kernel_init(const char *group);
/* Creates "/t_<group>/<name>" afresh and makes it the current test dir T. */
void test_dir(const char *name);
#define TEST_DIR()	test_dir(__func__)
extern char T[];
/* T "/" fmt..., in one of 16 rotating buffers (valid for 16 calls). */
const char *tp(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Creates or truncates path with mode 0644 and writes s (asserted). */
void put_file(const char *path, const char *s);
/* Reads the whole file into buf (NUL-terminated); returns its length. */
size_t get_file(const char *path, char *buf, size_t len);
/* stat() that asserts success. */
struct stat stat_ok(const char *path);

/* --- kernel processes ---------------------------------------------------- */
/*
 * proc_enter() moves the calling thread into a fresh kernel process forked
 * from its current one with a copy of the descriptor table (rump:
 * rump_lwproc_rfork(RUMP_RFFDG)); proc_leave() ends it and returns to the
 * previous process.  On the host both do nothing (same process).
 */
void proc_enter(void);
void proc_leave(void);
/*
 * user_enter() is proc_enter() followed by dropping to uid and gid 1000
 * with no supplementary groups.  On the host the saved uid stays 0 so that
 * user_leave() can come back; everything else behaves as for a non-root
 * process.  Skips the test if the host run is not root.
 */
void user_enter(void);
void user_leave(void);
#define USER_UID	1000
#define USER_GID	1000

/*
 * Runs fn(arg) in another kernel process (a copy of this one with a copy
 * of the descriptor table), concurrently: rump: a host thread that forks a
 * kernel process with rump_lwproc_rfork(); host: fork(2).  Memory the two
 * share must come from shared_alloc().  child_wait() returns fn's value.
 */
struct child;
struct child *child_start(int (*fn)(void *), void *arg);
int child_wait(struct child *c);
/* Runs fn in another process and waits for it. */
int child_run(int (*fn)(void *), void *arg);
/* Zeroed memory shared with children (MAP_SHARED). */
void *shared_alloc(size_t len);
/* Waits (polling) until *flag becomes at least value. */
void wait_flag(volatile int *flag, int value);
/* The Internet checksum (RFC 1071) of len bytes at p, sum added in. */
uint16_t sum16(const uint8_t *p, size_t len, uint32_t sum);
/* The TCP checksum of the IPv4 packet ip: 0 when its field is right. */
uint16_t tcp4_sum(const uint8_t *ip);

#endif /* TESTS_UNIT_COMPAT_H */
