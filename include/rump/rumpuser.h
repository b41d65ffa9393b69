/*
 * rumpuser.h: the hypercall interface, the only door from a rump kernel to
 * its host.  Everything under kernel/ reaches the host through these calls
 * and nothing else.  The header includes only freestanding headers and uses
 * opaque types, so a port to another host is a new rumpuser/, not a change
 * to the kernel.
 *
 * Conventions: functions return 0 or a positive errno (Linux numbering);
 * results come back through out-pointers.  No call here ever sets the
 * host's errno except rumpuser_seterrno().
 */
#ifndef RUMP_RUMPUSER_H
#define RUMP_RUMPUSER_H

#include <stddef.h>
#include <stdint.h>

/* 4: rumpuser_shmap_*, rumpuser_futex_*, rumpuser_tap_* (shmif, tap)
 * 5: tap frames carry a virtio-net header; rumpuser_tap_open says whether
 *    the host's offloads are on */
#define RUMPUSER_VERSION 5

/* Upcalls from the hypervisor into the kernel, handed over at init. */
struct rumpuser_hyperup {
	/* Give up / take back the virtual CPU around a blocking host call. */
	void (*hyp_schedule)(void);
	void (*hyp_unschedule)(void);
	/* A host thread that had an lwp bound to it is exiting. */
	void (*hyp_lwpexit)(void *lwp);
};

int rumpuser_init(int version, const struct rumpuser_hyperup *hyp);

/* --- parameters: the environment, read at bootstrap ------------------- */
/* ENOENT if unset, ENAMETOOLONG if it does not fit in buflen. */
int rumpuser_getparam(const char *name, char *buf, size_t buflen);
/* Number of host CPUs this process may run on, for the RUMP_NCPU default. */
int rumpuser_ncpu(void);

/* --- memory ------------------------------------------------------------ */
/* alignment 0 means "whatever malloc gives"; else a power of two. */
int rumpuser_malloc(size_t len, size_t alignment, void **memp);
void rumpuser_free(void *mem, size_t len);
/* Zero-filled pages of RUMPUSER_PAGE_SIZE bytes, aligned to it, for file
 * data: the host serves them in bulk, not a page fault each.  ENOMEM. */
#define RUMPUSER_PAGE_SIZE 4096
int rumpuser_page_alloc(void **pagep);
void rumpuser_page_free(void *page);

/*
 * Memory objects (rumpuser_mobj.c): the data of a file that clients map
 * shared, in host memory a client can map too, so that the kernel and
 * every mapping see the same pages (doc/DESIGN.md, "Shared mappings").
 * An object has a size, like a file: the kernel's view (*basep) may be
 * read and written below it only, and a resize may move the view.  The
 * kernel's copies to and from the view must be fault-safe (a client
 * holding the object could shrink it).  _export gives a new host
 * descriptor for the object, read-only or read-write, that the caller
 * owns (it maps it, or passes it to a remote client).  EMFILE, ENOMEM,
 * ENOSPC.
 */
struct rumpuser_mobj;
int rumpuser_mobj_create(uint64_t size, struct rumpuser_mobj **mop,
    void **basep);
int rumpuser_mobj_setsize(struct rumpuser_mobj *mo, uint64_t size,
    void **basep);
int rumpuser_mobj_export(struct rumpuser_mobj *mo, int writable, int *fdp);
void rumpuser_mobj_destroy(struct rumpuser_mobj *mo);

/* --- console ------------------------------------------------------------ */
void rumpuser_console_write(const char *buf, size_t len);

/* --- errno at the public edge ------------------------------------------- */
void rumpuser_seterrno(int error);

/* --- clocks and sleep ---------------------------------------------------- */
enum rumpuser_clock {
	RUMPUSER_CLOCK_RELWALL,		/* sleep: relative; gettime: wall clock */
	RUMPUSER_CLOCK_ABSMONO		/* sleep: absolute; gettime: monotonic */
};
int rumpuser_clock_gettime(int which, int64_t *sec, long *nsec);
int rumpuser_clock_sleep(int which, int64_t sec, long nsec);

/* --- randomness ---------------------------------------------------------- */
#define RUMPUSER_RANDOM_HARD	0x01	/* block until the pool is ready */
#define RUMPUSER_RANDOM_NOWAIT	0x02
int rumpuser_getrandom(void *buf, size_t buflen, int flags, size_t *retp);

/* --- a caller's memory ------------------------------------------------- */
/*
 * Copies that answer EFAULT instead of faulting when a pointer (either)
 * is in the null page, wraps, or points at unmapped memory; 0 otherwise.
 * rumpuser_fstrnlen: *lenp = strnlen(s, max) if s can be read that far.
 */
int rumpuser_fcopy(void *dst, const void *src, size_t len);
int rumpuser_fstrnlen(const char *s, size_t max, size_t *lenp);

/* --- threads ------------------------------------------------------------- */
int rumpuser_thread_create(void *(*fn)(void *), void *arg, const char *name,
    int joinable, void **cookiep);
void rumpuser_thread_exit(void) __attribute__((__noreturn__));
int rumpuser_thread_join(void *cookie);

/* The lwp bound to the calling host thread (thread-local pointer). */
enum rumpuser_lwpop {
	RUMPUSER_LWP_SET,	/* bind lwp to this thread (lwp != NULL) */
	RUMPUSER_LWP_CLEAR	/* unbind (lwp is the one bound) */
};
void rumpuser_curlwpop(int op, void *lwp);
void *rumpuser_curlwp(void);

/* --- mutexes, rwlocks, condition variables ------------------------------- */
struct rumpuser_mtx;
struct rumpuser_rw;
struct rumpuser_cv;

int rumpuser_mutex_init(struct rumpuser_mtx **mtxp);
void rumpuser_mutex_enter(struct rumpuser_mtx *mtx);
int rumpuser_mutex_tryenter(struct rumpuser_mtx *mtx);	/* 0 or EBUSY */
void rumpuser_mutex_exit(struct rumpuser_mtx *mtx);
void rumpuser_mutex_destroy(struct rumpuser_mtx *mtx);

int rumpuser_rw_init(struct rumpuser_rw **rwp);
void rumpuser_rw_enter(struct rumpuser_rw *rw, int iswrite);
int rumpuser_rw_tryenter(struct rumpuser_rw *rw, int iswrite);	/* 0/EBUSY */
void rumpuser_rw_exit(struct rumpuser_rw *rw);
void rumpuser_rw_destroy(struct rumpuser_rw *rw);

int rumpuser_cv_init(struct rumpuser_cv **cvp);
void rumpuser_cv_destroy(struct rumpuser_cv *cv);
void rumpuser_cv_wait(struct rumpuser_cv *cv, struct rumpuser_mtx *mtx);
/* Relative timeout; returns 0 when signalled, ETIMEDOUT on timeout. */
int rumpuser_cv_timedwait(struct rumpuser_cv *cv, struct rumpuser_mtx *mtx,
    int64_t sec, long nsec);
void rumpuser_cv_signal(struct rumpuser_cv *cv);
void rumpuser_cv_broadcast(struct rumpuser_cv *cv);

/* --- host files and block I/O --------------------------------------------- */
enum rumpuser_filetype {
	RUMPUSER_FT_OTHER, RUMPUSER_FT_DIR, RUMPUSER_FT_REG,
	RUMPUSER_FT_BLK, RUMPUSER_FT_CHR
};
int rumpuser_getfileinfo(const char *path, uint64_t *sizep, int *typep);

#define RUMPUSER_OPEN_RDONLY	0x0000
#define RUMPUSER_OPEN_WRONLY	0x0001
#define RUMPUSER_OPEN_RDWR	0x0002
#define RUMPUSER_OPEN_ACCMODE	0x0003
#define RUMPUSER_OPEN_CREATE	0x0004
#define RUMPUSER_OPEN_EXCL	0x0008
int rumpuser_open(const char *path, int ruflags, int *fdp);
int rumpuser_close(int fd);

struct rumpuser_iovec {
	void *iov_base;
	size_t iov_len;
};
int rumpuser_iovread(int fd, struct rumpuser_iovec *iov, size_t iovlen,
    int64_t off, size_t *retp);
int rumpuser_iovwrite(int fd, const struct rumpuser_iovec *iov, size_t iovlen,
    int64_t off, size_t *retp);
#define RUMPUSER_SYNCFD_DATA	0x01	/* fdatasync is enough */
int rumpuser_syncfd(int fd, int flags);

/* --- shared buses and packet devices (rumpuser_net.c) -------------------- */
/*
 * A host file mapped shared, for a bus that rump kernels in several
 * processes attach to (shmif).  The file is created if missing and
 * extended with zeros to minsize if shorter (never shrunk); the whole
 * file, at most RUMPUSER_SHMAP_MAX bytes, is mapped read-write at *basep,
 * *sizep bytes.  EFBIG past the maximum, the open/mmap errnos otherwise.
 * A process that truncates the file under a mapping makes the mapping's
 * users fault: the bus file belongs to the kernels attached to it.
 */
#define RUMPUSER_SHMAP_MAX	((uint64_t)1 << 30)
struct rumpuser_shmap;
int rumpuser_shmap_open(const char *path, uint64_t minsize,
    struct rumpuser_shmap **smp, void **basep, uint64_t *sizep);
void rumpuser_shmap_close(struct rumpuser_shmap *sm);
/*
 * Futexes on a 32-bit word in such a mapping (or anywhere): shared, so a
 * wake in one process reaches the waiters of every process that maps the
 * same file.  _wait sleeps while *word == expected, at most timeout_ns
 * (< 0: no limit), without the caller's virtual CPU: 0 when woken (or
 * spuriously), EAGAIN if *word differed, ETIMEDOUT.  _wake wakes up to
 * nwake waiters.
 */
int rumpuser_futex_wait(uint32_t *word, uint32_t expected, int64_t timeout_ns);
void rumpuser_futex_wake(uint32_t *word, int nwake);
/*
 * A host TAP device (/dev/net/tun, IFF_TAP | IFF_NO_PI | IFF_VNET_HDR):
 * each frame read or written is preceded by Linux's 10-byte struct
 * virtio_net_hdr (host byte order), no packet-information header.  name
 * is the host interface's (created if the host allows, as "ip tuntap add"
 * does; EPERM without CAP_NET_ADMIN, ENOENT without /dev/net/tun).
 * *offloadp is 1 when the host took TUN_F_CSUM | TUN_F_TSO4: it may then
 * hand over frames with partial checksums (VIRTIO_NET_HDR_F_NEEDS_CSUM)
 * and large TCPv4 segments (VIRTIO_NET_HDR_GSO_TCPV4), as it takes them;
 * 0: the header is there but always empty on input.  _read reads one
 * header and frame into buf, waiting at most timeout_ns for one (< 0: no
 * limit; ETIMEDOUT), without the virtual CPU while it waits; _write
 * writes one from iov.  Close with rumpuser_close().
 */
int rumpuser_tap_open(const char *name, int *fdp, int *offloadp);
int rumpuser_tap_read(int fd, void *buf, size_t len, int64_t timeout_ns,
    size_t *retp);
int rumpuser_tap_write(int fd, const struct rumpuser_iovec *iov, size_t iovlen,
    size_t *retp);

/* --- loading component libraries ------------------------------------------ */
/* Loads a shared object; its constructors register its components. */
int rumpuser_dl_open(const char *path, void **handlep);

/* --- exit ---------------------------------------------------------------- */
#define RUMPUSER_PANIC (-1)
void rumpuser_exit(int value) __attribute__((__noreturn__));

#endif /* RUMP_RUMPUSER_H */
