/*
 * file.h: open files and per-process descriptor tables (kern/kern_descrip.c).
 *
 * A struct file is one open file description (offset, status flags),
 * shared by dup()ed descriptors and by forked processes.  Each descriptor
 * slot holds a referenced file plus its close-on-exec bit.
 */
#ifndef K_FILE_H
#define K_FILE_H

#include "k/kernel.h"

struct file;
struct vnode;

/*
 * Flags passed to fo_read/fo_write.  With FOF_UPDATE_OFFSET (read, write,
 * readv, writev, preadv2 at -1) the file op ignores uio_offset on entry,
 * takes f_lock, uses f_offset and stores the advanced offset back, so
 * concurrent I/O on one file description keeps a consistent offset.
 * Without it (pread family) the op uses uio_offset and leaves f_offset.
 * An op may move some bytes and then fail: the generic layer returns the
 * count moved (as Linux does) and drops the error.
 */
#define FOF_UPDATE_OFFSET	0x01	/* use and advance f_offset */
/* preadv2/pwritev2's flags for this call only (RWF_NOWAIT, RWF_APPEND,
 * RWF_DSYNC/RWF_SYNC): as if the file had O_NONBLOCK, O_APPEND, O_SYNC. */
#define FOF_NOWAIT		0x02
#define FOF_APPEND		0x04
#define FOF_SYNC		0x08

struct fileops {
	int (*fo_read)(struct file *, struct uio *, int fflags);
	int (*fo_write)(struct file *, struct uio *, int fflags);
	/* data is the client's pointer argument (copyin/copyout it). */
	int (*fo_ioctl)(struct file *, unsigned long cmd, void *data);
	/* Returns the ready subset of events (POLLIN...), never blocks. */
	int (*fo_poll)(struct file *, int events);
	int (*fo_stat)(struct file *, struct stat *);
	/* Last reference is gone. */
	int (*fo_close)(struct file *);
	/* SEEK_* on this file, or ESPIPE. */
	int (*fo_seek)(struct file *, int64_t off, int whence, int64_t *newoffp);
	/* A host descriptor to map shared (RUMP_PR_MAPOBJ); NULL: ENODEV. */
	int (*fo_mapobj)(struct file *, int writable, int *hfdp);
};

enum ftype { DTYPE_VNODE = 1, DTYPE_PIPE, DTYPE_SOCKET, DTYPE_MISC };

struct file {
	kmutex_t f_lock;		/* f_offset, f_flag */
	atomic_int f_count;
	int f_flag;			/* O_ACCMODE | O_APPEND | O_NONBLOCK ... */
	enum ftype f_type;
	const struct fileops *f_ops;
	void *f_data;
	struct vnode *f_vnode;		/* referenced, for DTYPE_VNODE and fifos */
	int64_t f_offset;
	struct kauth_cred *f_cred;	/* opener's, referenced */
	void *f_epitems;		/* epoll items on this file (sys_epoll.c) */
};

#define FREAD(fp)  (((fp)->f_flag & O_ACCMODE) != O_WRONLY)
#define FWRITE(fp) (((fp)->f_flag & O_ACCMODE) != O_RDONLY)

struct fdfile {
	struct file *ff_file;
	bool ff_cloexec;
};

struct filedesc {
	kmutex_t fd_lock;
	int fd_nfiles;			/* slots allocated in fd_ofiles */
	struct fdfile *fd_ofiles;
	int fd_freefile;		/* lowest slot that may be free */
};

/* Called once at bootstrap. */
void file_init(void);

/* New file with one reference, the caller's credentials, no descriptor. */
int file_alloc(struct file **fpp);
void file_hold(struct file *fp);
/* Drops a reference; the last one calls fo_close and frees the file. */
void file_rele(struct file *fp);

/* Descriptor tables of a process. */
struct filedesc *fd_init(void);
struct filedesc *fd_copy(struct filedesc *fdp);	/* NULL on ENOMEM */
void fd_free(struct filedesc *fdp);		/* closes everything */

/* The file behind fd in the current process, referenced; EBADF. */
int fd_getfile(int fd, struct file **fpp);
/*
 * The install calls take a reference of their own for the table: the
 * caller still owns its reference and drops it with file_rele() (after
 * file_alloc + install + file_rele, the table holds the only one).
 *
 * Lowest free descriptor >= minfd under RLIMIT_NOFILE, installed with fp.
 * EMFILE if none is free below the limit; EINVAL if minfd > 0 and
 * minfd >= the limit (F_DUPFD); ENOMEM.
 */
int fd_install_lowest(struct file *fp, int minfd, bool cloexec, int *fdp);
/*
 * Install fp at exactly fd, closing what was there (dup2 semantics).
 * EBADF if fd < 0 or fd >= RLIMIT_NOFILE; ENOMEM.
 */
int fd_install_at(struct file *fp, int fd, bool cloexec);
int fd_close(int fd);
int fd_getcloexec(int fd, bool *cloexecp);
int fd_setcloexec(int fd, bool cloexec);
/* Closes every descriptor marked close-on-exec (for the exec hand-over). */
void fd_closeexec(struct proc *p);

/*
 * Called for every descriptor a table drops (close, dup2 over it,
 * close_range, exec, fd_free), with the table and the file, before the
 * table's reference is released and without locks held.  The vfs uses it to
 * drop POSIX record locks (whose owner, as in Linux, is the table).
 * One hook; registering again replaces it.
 */
void fd_close_hook_register(void (*fn)(struct filedesc *fdp,
    struct file *fp));

/*
 * fd_getfile() for I/O calls (read, write, ioctl, lseek, poll ...): O_PATH
 * descriptors are invisible to them (EBADF), as Linux's fdget() makes them.
 */
int fd_getfile_io(int fd, struct file **fpp);
/* RLIMIT_NOFILE of the current process, capped at NR_OPEN (1 << 20). */
int fd_nofile(void);

/* f_flag is written under f_lock but may be read without it. */
static inline int
file_flags(struct file *fp)
{
	return __atomic_load_n(&fp->f_flag, __ATOMIC_RELAXED);
}

/* --- waiting: kern/kern_file.c ------------------------------------------ */
/* Deadline meaning "no timeout" for file_cv_wait(). */
#define KWAIT_FOREVER	INT64_MAX

/* Monotonic time in ns, the clock of these deadlines. */
int64_t uptime_ns(void);

/*
 * Sleeps on cv (m held; released while asleep) until woken, until the
 * uptime deadline passes, or until the calling lwp is interrupted.
 * Returns 0, ETIMEDOUT or EINTR.  The kernel has no signal delivery that
 * wakes sleepers, so the sleep is cut into slices after which
 * lwp_interrupted() is checked: a periodic wakeup, never a busy wait.
 * A return of 0 may be spurious: callers re-check their condition.
 * For any blocking file operation (pipes, fifo opens, sockets).
 */
int file_cv_wait(kcondvar_t *cv, kmutex_t *m, int64_t deadline);

/*
 * Per-object readiness (the contract sockets, pipes, eventfd and epoll meet
 * at; kern/kern_select.c).  An object that can be polled keeps a struct
 * selinfo per direction (or one for both); its fo_poll calls selrecord()
 * on each selinfo it reports on before testing readiness (Linux's
 * poll_wait), at most SELRECORD_MAX times per call, and every change a
 * poller could see is followed by selwakeup(sip, events) with the POLL*
 * bits that may have become true (0: unknown, check everything).
 * selwakeup may be called with the object's locks held and is one atomic
 * load when nobody waits.  selrecord may be called with the object's locks
 * held too; it never sleeps or allocates.
 *
 * Who waits: poll/ppoll/select/pselect6 register for the length of the
 * call and hold a reference on each file meanwhile; an epoll item
 * registers at EPOLL_CTL_ADD and stays until it is deleted, its epoll
 * instance closes, or the file's last reference goes (file_rele() removes
 * a file's epoll items before fo_close).  So at seldestroy() nobody should
 * be left; whatever is left is detached safely (never woken again).
 * seldestroy() must not race with selrecord()/selwakeup() on the same
 * selinfo (the object is being freed: nobody else uses it).
 */
struct selinfo {
	void *si_waiters;		/* private to kern_select.c */
};
void selinit(struct selinfo *sip);
void seldestroy(struct selinfo *sip);
void selrecord(struct selinfo *sip);
void selwakeup(struct selinfo *sip, int events);

#define SELRECORD_MAX	4		/* selrecord calls per fo_poll call */

/*
 * The waiting side, for poll/select and epoll (kern/kern_select.c).
 * A selwaiter is someone to wake; a seltable is where selrecord() puts
 * the registrations of the fo_poll calls made while it is the calling
 * lwp's current table (sel_settable(); NULL: selrecord records nothing).
 * sw_wake is called with the selinfo lock held (it must not sleep, and may
 * take only locks below it: an epoll's ready-list lock) with the events of
 * the selwakeup; it returns whether it took the wakeup (for
 * EPOLLEXCLUSIVE: of the exclusive waiters on one selinfo only the first
 * that takes it is woken).
 */
struct selwaiter {
	bool (*sw_wake)(struct selwaiter *, int events);
	bool sw_exclusive;
};

struct selreg {
	struct selinfo *sr_sip;		/* NULL: not (or no longer) registered */
	struct selwaiter *sr_w;
	int sr_events;			/* what the waiter cares about */
	struct selreg *sr_next;		/* on sr_sip's list */
	struct selreg **sr_prevp;
};

struct seltable {
	struct selwaiter *st_w;
	struct selreg *st_regs;		/* st_nregs free slots from st_used */
	int st_nregs;
	int st_used;
	int st_events;			/* interest of the fo_poll in progress */
	bool st_overflow;		/* a selrecord found no free slot */
};

/* Makes st the calling lwp's table; returns the previous one. */
struct seltable *sel_settable(struct seltable *st);
/* Removes the registrations regs[0..n) (those still registered). */
void sel_unregister(struct selreg *regs, int n);
/* The lock sw_wake runs under, for waiters that sleep on it (poll). */
kmutex_t *sel_lock_get(void);
/*
 * selwakeup for a sw_wake callback that wakes a selinfo of its own (an
 * epoll instance's, for pollers of the epoll descriptor): the selinfo
 * lock is held already.
 */
void selwakeup_locked(struct selinfo *sip, int events);

/* --- epoll and eventfd: kern/sys_epoll.c, kern/sys_eventfd.c ------------ */
/*
 * Called by file_rele() when the last reference of a file that is in some
 * epoll instance goes, before fo_close: removes every item on it.
 */
void epoll_file_release(struct file *fp);
/* fstat of a descriptor without an inode (Linux's anon inode, mode 0600). */
int anon_fo_stat(struct file *fp, struct stat *st);
/* lseek that succeeds and stays at 0 (Linux's noop_llseek). */
int anon_fo_seek(struct file *fp, int64_t off, int whence, int64_t *newoffp);
/* read/write of a file that has none: EINVAL, ESPIPE for the pread family. */
int anon_fo_rw(struct file *fp, struct uio *uio, int fflags);

/* --- pipes and fifos: kern/sys_pipe.c ----------------------------------- */
/*
 * The pipe operations, for fileops tables.  They expect f_data to be a pipe
 * (from pipe2() or fifo_open()) and never look at f_offset as an offset.
 * Reads and writes follow Linux: EOF when no writers are left, EPIPE with
 * no readers, writes of at most PIPE_BUF are atomic, EAGAIN with
 * O_NONBLOCK.  ioctl knows FIONREAD.
 */
int pipe_fo_read(struct file *fp, struct uio *uio, int fflags);
int pipe_fo_write(struct file *fp, struct uio *uio, int fflags);
int pipe_fo_ioctl(struct file *fp, unsigned long cmd, void *data);
int pipe_fo_poll(struct file *fp, int events);

/*
 * F_GETPIPE_SZ / F_SETPIPE_SZ, for fcntl: EBADF if fp is not a pipe or a
 * fifo.  pipe_setsize rounds size up to a power of two of at least a page;
 * EINVAL past 2 GiB, EPERM past 1 MiB (fs.pipe-max-size) when growing
 * unless root, EBUSY if the data in the pipe would not fit, ENOMEM.  The
 * new capacity comes back in *newsizep.
 */
int pipe_getsize(struct file *fp, int *sizep);
int pipe_setsize(struct file *fp, unsigned int size, int *newsizep);

/*
 * Named pipes, for the vfs.  A VFIFO vnode keeps one pipe in its v_fifo
 * slot while it is open; every open file of the fifo shares it (f_data).
 * Both calls are made with interlock held (vfs_giant), which protects the
 * slot and which fifo_open releases while it sleeps or allocates; the
 * caller keeps the vnode referenced.
 *
 * fifo_open creates the pipe on the first open, counts fp as a reader
 * and/or a writer after oflags & O_ACCMODE, and waits as Linux does:
 * O_RDONLY until a writer opens (not with O_NONBLOCK), O_WRONLY until a
 * reader opens (ENXIO with O_NONBLOCK and no reader), O_RDWR never.
 * On success it sets fp->f_data (and uses f_offset privately); only then
 * the caller sets fp->f_flag (with oflags' access mode), f_type, f_vnode
 * and f_ops: a table of pipe_fo_read, pipe_fo_write, pipe_fo_ioctl,
 * pipe_fo_poll, its own fo_stat (the vnode's attributes), fo_seek NULL
 * (ESPIPE), and an fo_close that calls fifo_close() under the interlock
 * and then releases the vnode.
 * Errors: EINVAL (O_ACCMODE == 3), ENXIO, EINTR, ENOMEM; on error nothing
 * is counted and fp is untouched.
 *
 * fifo_close undoes fifo_open for fp; the last close frees the pipe (its
 * unread data is discarded, as in Linux) and clears the slot.
 */
int fifo_open(void **slotp, kmutex_t *interlock, int oflags, struct file *fp);
void fifo_close(void **slotp, struct file *fp);

#endif /* K_FILE_H */
