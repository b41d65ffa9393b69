/*
 * hj.h: the internals of librumphijack.so (doc/HIJACK.md).
 *
 * Wrappers (hj_wrap_*.c) are the libc names the shim exports; each asks
 * hj_fd_kernel() or hj_route() whether its descriptor or path belongs to
 * the kernel, and calls the host's function (HOST()) or the kernel's
 * (hjk_*(), generated from syscalls.master).  Everything else is here.
 */
#ifndef HJ_H
#define HJ_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

#include <rump/rump.h>	/* RUMP_ELINKOUT, RUMP_PR_LINKOUT */

#include "hj_ksys.h"

#define HJ_EXPORT	__attribute__((visibility("default")))

/* --- configuration: RUMPHIJACK (hj_config.c) --------------------------- */

#define HJ_MAXPREFIX	16

struct hj_prefix {
	char path[PATH_MAX];	/* absolute, no trailing slash ("/" allowed) */
	size_t len;
	bool strip;		/* path=: strip it; blanket=: keep it */
};

struct hj_config {
	struct hj_prefix prefix[HJ_MAXPREFIX];
	int nprefix;
	uint64_t sockfam;	/* socket=: HJ_SOCKFAM(family) bits */
	bool socklocal;		/* AF_UNIX is the kernel's (nolocal clears) */
	bool vfs;		/* vfs=: all file system calls (no prefix) */
	bool sysctl;		/* sysctl=yes */
};

/* Bit 63 stands for every family past 62 (none exists yet). */
#define HJ_SOCKFAM(af)	(1ull << ((af) >= 0 && (af) < 63 ? (af) : 63))

/*
 * Parses a RUMPHIJACK string (NULL: the default).  0, or -1 with a
 * one-line message naming the bad part in err.
 */
int hj_config_parse(const char *s, struct hj_config *c, char *err,
    size_t errlen);
extern struct hj_config hj_cfg;
/* Parses RUMPHIJACK and takes over what an exec'd image inherited, once;
 * the constructor does it, or the first wrapper that runs before. */
extern bool hj_ready;
void hj_setup(void);

/* --- the host's functions (hj_host.c) ----------------------------------- */

/*
 * HOST(open)(...) calls the next definition of open, the host libc's,
 * resolved on first use: a wrapper may run before any constructor (a
 * library's constructor calling access(), as libselinux does).
 */
void *hj_next(void **cache, const char *name);
#define HOST(fn)							\
	(*(__typeof__(&fn))(__builtin_expect(				\
	    __atomic_load_n(&hj_hostcache_##fn, __ATOMIC_ACQUIRE) != NULL,\
	    1) ? hj_hostcache_##fn :					\
	    hj_next(&hj_hostcache_##fn, #fn)))
#define HOST_CACHE(fn)	static void *hj_hostcache_##fn __attribute__((unused))

/* Fault-safe reads of the caller's memory (rumpuser/fcopy.h): 0 or
 * EFAULT. */
int hj_fcopy(void *dst, const void *src, size_t len);
int hj_fstrnlen(const char *s, size_t max, size_t *lenp);
int hj_fpeek(const char *s, size_t max, size_t *lenp);

/* A path argument that is "" (libc declares them nonnull; callers may
 * still pass NULL, which must not crash the test; one in unmapped memory
 * is not "": hj_route answers EFAULT for it). */
static inline bool
hj_empty(const char *p)
{
	char c;

	return p != NULL && hj_fcopy(&c, p, 1) == 0 && c == '\0';
}

/*
 * Two paths on different sides because one is NULL: the host's answer
 * to the NULL (EFAULT) comes before EXDEV.  The empty asm hides the
 * pointers from the compiler, which would take libc's nonnull
 * declarations of the wrapper's parameters to mean "never NULL".
 */
static inline bool
hj_nullpair(const char *a, const char *b)
{
	__asm__("" : "+r"(a), "+r"(b));
	return a == NULL || b == NULL;
}

static inline bool
hj_nopath(const char *p)
{
	return p == NULL || p[0] == '\0';
}

/* Nonzero while the shim itself is inside libc or the kernel. */
/* initial-exec: the shim is preloaded, and this is on hot paths. */
extern __thread int hj_inside __attribute__((tls_model("initial-exec")));

/* --- the kernel (hj_kernel.c) ------------------------------------------- */

/*
 * Boots the embedded kernel (no RUMP_SERVER) or connects to RUMP_SERVER,
 * once; 0 or an errno (with a message on stderr).  hj_syscall() calls it.
 */
int hj_kernel_up(void);
bool hj_kernel_is_up(void);	/* without bringing it up */
extern bool hj_remote;
/*
 * The remote client's own sockets: a program must not close or replace
 * them (a shell's dup2, close_range of "everything else").  Cheap range
 * test first; hj_fd_private() asks the client.
 */
extern int hj_priv_lo, hj_priv_hi;
bool hj_fd_private_slow(int fd);
/* One more descriptor of the shim's own, and one fewer. */
void hj_fd_private_add(int fd);
void hj_fd_private_del(int fd);
extern int hj_tmplfd;
/* Moves a descriptor of the shim's own (close-on-exec) to the top of the
 * descriptor space and hides it from the program; returns its number. */
int hj_fd_hide(int fd);
/* Closes a descriptor hj_fd_hide returned. */
void hj_fd_unhide_close(int fd);
static inline bool
hj_fd_private(int fd)
{
	return __builtin_expect(fd >= hj_priv_lo && fd < hj_priv_hi, 0) &&
	    hj_fd_private_slow(fd);
}
/* The kernel process takes this process's host ids; 0 or errno. */
int hj_cred_follow(void);
/* hj_cred_mark notes the host ids (before a connect); hj_cred_unchanged:
 * they are still the same.  Under hj_kernel_up's lock. */
void hj_cred_mark(void);
bool hj_cred_unchanged(void);
/* ... directly: the embedded kernel's rump_proc_setcred, or the server's
 * reading of the host identity (rumpclient_syncids); ENOSYS: neither. */
int hj_kernel_takeids(const unsigned u[4], const unsigned g[4], int ng,
    const unsigned *groups);
/* A host descriptor of kernel file k's memory object, to mmap shared
 * (RUMP_PR_MAPOBJ, rumpclient_mapobj); -1 and errno. */
int hj_kernel_mapobj(int k, int prot, int flags);
/* fork(2) that gives the child its own copy of the kernel process. */
pid_t hj_kernel_fork(void);
/* ... for a child that execs next (vfork, posix_spawn). */
pid_t hj_kernel_vfork(void);
/* execve(2) keeping the kernel process (remote) where possible. */
int hj_kernel_exec(const char *path, char *const argv[], char *const envp[]);
/* A close-on-exec memfd with a copy of kernel file k (named after path's
 * last part), or -1 with errno (hj_wrap_exec.c). */
int hj_kernel_memfd(int k, const char *path);

/* --- descriptors (hj_fd.c) ---------------------------------------------- */

/*
 * A kernel descriptor shows as a host descriptor number that holds a
 * placeholder (an O_PATH descriptor: read and write on it fail with EBADF,
 * so nothing written past the shim vanishes).  hj_fd_kernel() maps the
 * host number to the kernel's, or -1.
 */
extern int32_t *hj_fdmap;		/* host fd -> kernel fd + 1 */
extern int hj_fdmax;
static inline int
hj_fd_kernel(int fd)
{
	if (__builtin_expect(hj_fdmap == NULL, 1) || fd < 0 || fd >= hj_fdmax)
		return -1;
	return __atomic_load_n(&hj_fdmap[fd], __ATOMIC_ACQUIRE) - 1;
}
/*
 * A closed kernel descriptor's placeholder may stay in a small cache
 * (hj_fd.c) under this kernel number, which never exists: calls on it
 * answer EBADF, as for a closed descriptor.  hj_fd_flush() gives the
 * cached numbers back to the host; every wrapper calls it before the host
 * creates a descriptor (and before exec and spawn), so the host's lowest
 * free number is the program's.  hj_fd_freed(fd): the program closed
 * host descriptor fd (the cache then reuses no number above it).
 */
#define HJ_KFD_FREE	0x7ffffffe
extern int hj_fdcache_n, hj_fdfloor;
void hj_fd_flush_slow(void);
void hj_fd_freed_slow(int fd);
static inline void
hj_fd_flush(void)
{
	if (__builtin_expect(__atomic_load_n(&hj_fdcache_n,
	    __ATOMIC_RELAXED) != 0, 0))
		hj_fd_flush_slow();
}
static inline void
hj_fd_freed(int fd)
{
	if (__builtin_expect(fd < __atomic_load_n(&hj_fdfloor,
	    __ATOMIC_RELAXED), 0))
		hj_fd_freed_slow(fd);
}
/* A new kernel descriptor kfd gets a host number (lowest free >= min);
 * cloexec as asked.  Returns it, or -1 with errno (kfd is closed). */
int hj_fd_install(int kfd, int min, bool cloexec);
/* The host descriptor fd (a socket) becomes kernel descriptor kfd under
 * the same number; cloexec as asked.  fd, or -1 with errno (kfd closed,
 * fd as it was). */
int hj_fd_replace(int fd, int kfd, bool cloexec);
/* close(2) of a kernel descriptor's host number. */
int hj_fd_close(int fd);
/* dup2/dup3 where oldfd or newfd is the kernel's. */
int hj_fd_dup3(int oldfd, int newfd, int flags);
/* F_DUPFD and F_DUPFD_CLOEXEC of a kernel descriptor. */
int hj_fd_dupmin(int fd, int min, bool cloexec);
/* F_SETFD on a kernel descriptor: both sides. */
int hj_fd_setcloexec(int fd, bool cloexec);
/* fd's placeholder carries a kernel socket's name (hj_sockname.c). */
void hj_fd_named(int fd);
/* close_range(2) over both. */
int hj_fd_close_range(unsigned first, unsigned last, int flags);
/* hj_sockname.c: names the placeholder of kernel socket fd after the
 * socket's kernel inode (ss -p); rewrites a readlink answer of n bytes
 * naming one of this kernel's sockets to "socket:[INODE]". */
void hj_sockname_set(int fd);
ssize_t hj_sockname_fix(char *buf, ssize_t n, size_t len);
/* The map as an environment entry for execve (NULL: none), and back. */
char *hj_fd_export(void);
void hj_fd_import(const char *s);

/* --- paths (hj_path.c) -------------------------------------------------- */

enum hj_where { HJ_HOST = 0, HJ_KERNEL = 1 };


/*
 * Where (dirfd, path) lives.  HJ_KERNEL: *kdirfd (a kernel descriptor or
 * AT_FDCWD) and *kpath (kbuf or path itself) are what the kernel gets.
 * -1: errno (ENAMETOOLONG, EFAULT for a path the shim cannot read, or
 * the kernel could not be reached).
 */
int hj_route(int dirfd, const char *path, char *kbuf, size_t kbuflen,
    int *kdirfd, const char **kpath);
/*
 * In a wrapper: routes (dirfd, path) into where (HJ_HOST or HJ_KERNEL)
 * and, for the kernel, kd/kp (kb: kp's buffer); returns -1 on error.
 */
#define ROUTE(dirfd, path)						\
	char kb[PATH_MAX];						\
	const char *kp;							\
	int kd, where = hj_route(dirfd, path, kb, sizeof(kb), &kd, &kp); \
	if (where < 0)							\
		return -1

/* --- sockets (hj_sock.c) ----------------------------------------------- */

/* An address as the kernel or the program gets it: any family's, and a
 * sockaddr_un with the prefix put back. */
union hj_sockaddr {
	struct sockaddr sa;
	struct sockaddr_un un;
	struct sockaddr_storage ss;
	char raw[sizeof(struct sockaddr_un) + PATH_MAX];
};

/* A new socket of this family is the kernel's (socket=). */
bool hj_sock_family_kernel(int domain);
/*
 * An address the program passes: HJ_KERNEL if it is a unix socket path
 * under a routed prefix (*out and *outlen: the kernel's name for it),
 * else HJ_HOST; -1 with errno if the name is too long for the kernel.
 */
int hj_sock_addr_in(const struct sockaddr *a, socklen_t alen,
    union hj_sockaddr *out, socklen_t *outlen);
/*
 * An address the kernel returned (klen bytes in k) copied out to the
 * program's (a, *alen), a unix path shown under the prefix as the
 * program's file system calls see it; *alen becomes its full length.
 * 0, or EFAULT when the program's buffers cannot take it.
 */
int hj_sock_addr_out(const union hj_sockaddr *k, socklen_t klen,
    struct sockaddr *a, socklen_t *alen);
/*
 * A host unix socket about to be bound or connected to a kernel name
 * becomes a kernel one under the same number (type, flags and the
 * options that matter carried over): its kernel descriptor; -2 if fd is
 * not a fresh host unix socket (the call stays the host's); -1 errno.
 */
int hj_sock_to_kernel(int fd);
/*
 * The kernel cannot signal the program: a write or send on a kernel
 * descriptor that failed with EPIPE raises SIGPIPE in the calling thread
 * here, unless flags has MSG_NOSIGNAL, as Linux does.  Returns rv.
 */
ssize_t hj_sigpipe(ssize_t rv, int flags);

/* glibc's _FORTIFY_SOURCE failure (the __*_chk entries call it). */
extern void __chk_fail(void) __attribute__((noreturn));

/* The current directory is in the kernel (set by chdir/fchdir). */
extern bool hj_cwd_kernel;
/* The prefix a kernel path shows under (for getcwd, realpath). */
const char *hj_show_prefix(void);

/*
 * Links that leave the kernel (hj_wrap_walk.c).  The kernel answers
 * RUMP_ELINKOUT when a lookup meets an absolute symlink whose target is
 * outside the prefix, a host path; a wrapper that can finish its call on
 * the host arms the answer around its kernel call (KLINKOUT); for any
 * other call hj_syscall turns it into ENOENT.  hj_linkout_path: the host
 * path kp (relative to kernel dirfd kd) leads to, its last component
 * followed or not; 0, or -1 with errno.  hj_linkout_on: the kernel was
 * asked for RUMP_ELINKOUT (the prefix is ours).
 */
#define HJ_ELINKOUT	RUMP_ELINKOUT
extern __thread int hj_linkout_armed;
bool hj_linkout_on(void);
/* The image before an exec had RUMP_ELINKOUT on for this prefix
 * (RUMPHIJACK__LINKOUT, read at start); its kernel process keeps it. */
void hj_linkout_import(const char *prefix);
/* "RUMPHIJACK__LINKOUT=prefix" into buf for the next image, or NULL. */
char *hj_linkout_export(char *buf, size_t len);
int hj_linkout_path(int kd, const char *kp, bool follow, char *host);
/* hj_linkout_path's look without the kernel's word: 1 (host filled) if
 * kp leads out of the kernel, 0 if it stays in, -1 with errno. */
int hj_linkout_side(int kd, const char *kp, bool follow, char *host);

/*
 * Returns from the wrapper what the kernel call kexpr gives, or, if its
 * path left the kernel, what hostexpr gives on the host path hp.  Needs
 * kd and kp (ROUTE).  rtype -1 is the failure value.
 */
#define KLINKOUT(rtype, kexpr, follow, hostexpr) do {			\
	rtype r_;							\
	char hp[PATH_MAX];						\
									\
	hj_linkout_armed = 1;						\
	r_ = (kexpr);							\
	hj_linkout_armed = 0;						\
	if (r_ == (rtype)-1 && errno == HJ_ELINKOUT) {			\
		if (hj_linkout_path(kd, kp, (follow), hp) != 0)		\
			return (rtype)-1;				\
		return (hostexpr);					\
	}								\
	return r_;							\
} while (0)

#endif /* HJ_H */
