/*
 * sys_pipe.c: pipes (pipe, pipe2) and the pipe behind named pipes
 * (fifo_open/fifo_close, for the vfs), with Linux's semantics.
 *
 * A pipe is a ring buffer of pp_size bytes (64 KiB like Linux's default,
 * allocated on the first write) and counts of the files open on each side.
 * An anonymous pipe has two files, the read end (O_RDONLY) and the write
 * end (O_WRONLY); a fifo has as many as its opens, each counted as a
 * reader and/or a writer after its access mode.
 *
 * Locking: pp_lock covers everything in the pipe.  Readers sleep on pp_rcv
 * (data, or no writers), writers on pp_wcv (room, or no readers), both
 * with pp_lock.  For fifos the reader/writer counts and the vnode's slot
 * are also covered by the caller's interlock (vfs_giant): counts change
 * with both held, fifo opens sleep on pp_opencv with the interlock.  Order:
 * interlock, then pp_lock.  Memory is allocated with pp_lock dropped.
 * Pollers and epoll wait on pp_rsel (readable, POLLHUP) and pp_wsel
 * (writable, POLLERR); every change they could see is followed by
 * selwakeup() on the side it concerns, with pp_lock held.
 *
 * The kernel has no signals: a write without readers fails with EPIPE and
 * nothing else; a blocked read or write interrupted (lwp_interrupted)
 * returns what it moved, else EINTR.
 */
#include <limits.h>

#include "k/kernel.h"
#include "k/file.h"

#include "syscallargs.h"

#define PIPE_DEFSIZE	(64 * 1024)	/* Linux: 16 pages */
#define PIPE_MINSIZE	4096		/* a page, at least PIPE_BUF */
#define PIPE_MAXUSER	(1024 * 1024)	/* fs.pipe-max-size */
#define PIPE_MAXSIZE	(1U << 31)	/* F_SETPIPE_SZ above: EINVAL */
#define PIPEFS_DEV	12		/* st_dev 0:12, Linux's encoding */

/* f_offset of a read end whose POLLHUP does not wait for a writer. */
#define PIPE_HUP_ANY	(-1)

struct pipe {
	kmutex_t pp_lock;
	kcondvar_t pp_rcv;		/* readers: data, or writers gone */
	kcondvar_t pp_wcv;		/* writers: room, or readers gone */
	kcondvar_t pp_opencv;		/* fifo opens, with interlock */
	char *pp_buf;			/* NULL until the first write */
	size_t pp_size;			/* capacity */
	size_t pp_head;			/* offset of the oldest byte */
	size_t pp_count;		/* bytes in the buffer */
	int pp_readers;			/* files open for reading */
	int pp_writers;			/* files open for writing */
	unsigned pp_ropens;		/* fifo: read opens so far */
	unsigned pp_wopens;		/* fifo: write opens so far */
	ino_t pp_ino;
	uid_t pp_uid;			/* creator's fsuid/fsgid */
	gid_t pp_gid;
	struct timespec pp_atime, pp_mtime, pp_ctime;
	struct selinfo pp_rsel;		/* waiting to read */
	struct selinfo pp_wsel;		/* waiting to write */
};

static int pipe_fo_stat(struct file *, struct stat *);
static int pipe_fo_close(struct file *);

static const struct fileops pipeops = {
	.fo_read = pipe_fo_read,
	.fo_write = pipe_fo_write,
	.fo_ioctl = pipe_fo_ioctl,
	.fo_poll = pipe_fo_poll,
	.fo_stat = pipe_fo_stat,
	.fo_close = pipe_fo_close,
	.fo_seek = NULL,		/* ESPIPE */
};

static _Atomic uint64_t pipe_nextino = 1;

static int
pipe_alloc(struct pipe **ppp)
{
	struct kauth_cred *cred = kauth_cred_get();
	struct pipe *pp;

	if ((pp = kmem_zalloc(sizeof(*pp))) == NULL)
		return ENOMEM;
	mutex_init(&pp->pp_lock);
	cv_init(&pp->pp_rcv);
	cv_init(&pp->pp_wcv);
	cv_init(&pp->pp_opencv);
	selinit(&pp->pp_rsel);
	selinit(&pp->pp_wsel);
	pp->pp_size = PIPE_DEFSIZE;
	pp->pp_ino = atomic_fetch_add(&pipe_nextino, 1);
	pp->pp_uid = cred->cr_fsuid;
	pp->pp_gid = cred->cr_fsgid;
	getnanotime(&pp->pp_ctime);
	pp->pp_atime = pp->pp_mtime = pp->pp_ctime;
	*ppp = pp;
	return 0;
}

static void
pipe_free(struct pipe *pp)
{
	KASSERT(pp->pp_readers == 0 && pp->pp_writers == 0);
	kmem_free(pp->pp_buf, pp->pp_size);
	seldestroy(&pp->pp_wsel);
	seldestroy(&pp->pp_rsel);
	cv_destroy(&pp->pp_opencv);
	cv_destroy(&pp->pp_wcv);
	cv_destroy(&pp->pp_rcv);
	mutex_destroy(&pp->pp_lock);
	kmem_free(pp, sizeof(*pp));
}

/* The pipe behind fp, or NULL if fp is not a pipe or fifo. */
static struct pipe *
pipe_of(struct file *fp)
{
	if (fp->f_ops == NULL || fp->f_ops->fo_read != pipe_fo_read)
		return NULL;
	return fp->f_data;
}

/* Allocates the buffer with pp_lock dropped (held on entry and return). */
static int
pipe_allocbuf(struct pipe *pp)
{
	size_t size = pp->pp_size;
	char *buf;

	mutex_exit(&pp->pp_lock);
	buf = kmem_alloc(size);
	mutex_enter(&pp->pp_lock);
	if (buf == NULL)
		return ENOMEM;
	if (pp->pp_buf == NULL && pp->pp_size == size) {
		pp->pp_buf = buf;
		buf = NULL;
	}
	/* Lost a race with another writer or F_SETPIPE_SZ: retry. */
	kmem_free(buf, size);
	return 0;
}

/* Moves buffered bytes out to uio; consumes exactly what was moved. */
static int
pipe_drain(struct pipe *pp, struct uio *uio)
{
	size_t n, before, moved;
	int error = 0;

	while (pp->pp_count > 0 && uio->uio_resid > 0 && error == 0) {
		n = MIN(pp->pp_count, pp->pp_size - pp->pp_head);
		n = MIN(n, uio->uio_resid);
		before = uio->uio_resid;
		error = uiomove(pp->pp_buf + pp->pp_head, n, uio);
		moved = MIN(before - uio->uio_resid, n);
		pp->pp_head = (pp->pp_head + moved) % pp->pp_size;
		pp->pp_count -= moved;
	}
	if (pp->pp_count == 0)
		pp->pp_head = 0;	/* keeps later copies in one piece */
	return error;
}

/* Moves bytes from uio into the free room; keeps exactly what was moved. */
static int
pipe_fill(struct pipe *pp, struct uio *uio)
{
	size_t n, tail, before, moved;
	int error = 0;

	while (pp->pp_count < pp->pp_size && uio->uio_resid > 0 &&
	    error == 0) {
		tail = (pp->pp_head + pp->pp_count) % pp->pp_size;
		n = MIN(pp->pp_size - pp->pp_count, pp->pp_size - tail);
		n = MIN(n, uio->uio_resid);
		before = uio->uio_resid;
		error = uiomove(pp->pp_buf + tail, n, uio);
		moved = MIN(before - uio->uio_resid, n);
		pp->pp_count += moved;
	}
	return error;
}

int
pipe_fo_read(struct file *fp, struct uio *uio, int fflags)
{
	struct pipe *pp = fp->f_data;
	size_t want = uio->uio_resid;
	bool was_full = false;
	int error = 0;

	if (want == 0)
		return 0;
	mutex_enter(&pp->pp_lock);
	while (pp->pp_count == 0) {
		if (pp->pp_writers == 0)
			goto out;			/* EOF */
		if ((file_flags(fp) & O_NONBLOCK) ||
		    (fflags & FOF_NOWAIT)) {
			error = EAGAIN;
			goto out;
		}
		error = file_cv_wait(&pp->pp_rcv, &pp->pp_lock, KWAIT_FOREVER);
		if (error != 0)
			goto out;
	}
	was_full = pp->pp_size - pp->pp_count < PIPE_BUF;
	error = pipe_drain(pp, uio);
out:
	if (uio->uio_resid < want) {
		getnanotime(&pp->pp_atime);
		cv_broadcast(&pp->pp_wcv);
		/* Only a pipe that was not writable becomes so (an edge). */
		if (was_full)
			selwakeup(&pp->pp_wsel, POLLOUT | POLLWRNORM);
	}
	mutex_exit(&pp->pp_lock);
	if (uio->uio_resid < want)
		error = 0;
	return error;
}

int
pipe_fo_write(struct file *fp, struct uio *uio, int fflags)
{
	struct pipe *pp = fp->f_data;
	size_t total = uio->uio_resid, room;
	/* Writes of at most PIPE_BUF are never interleaved with others. */
	bool atomic = total <= PIPE_BUF;
	int error = 0;

	if (total == 0)
		return 0;
	mutex_enter(&pp->pp_lock);
	while (uio->uio_resid > 0) {
		if (pp->pp_readers == 0) {
			error = EPIPE;
			break;
		}
		if (pp->pp_buf == NULL) {
			if ((error = pipe_allocbuf(pp)) != 0)
				break;
			continue;
		}
		room = pp->pp_size - pp->pp_count;
		if (room == 0 || (atomic && room < total)) {
			if ((file_flags(fp) & O_NONBLOCK) ||
			    (fflags & FOF_NOWAIT)) {
				error = EAGAIN;
				break;
			}
			error = file_cv_wait(&pp->pp_wcv, &pp->pp_lock,
			    KWAIT_FOREVER);
			if (error != 0)
				break;
			continue;
		}
		error = pipe_fill(pp, uio);
		cv_broadcast(&pp->pp_rcv);
		/* Each chunk: a poller must see data while we wait for room. */
		selwakeup(&pp->pp_rsel, POLLIN | POLLRDNORM);
		if (error != 0)
			break;
	}
	if (uio->uio_resid < total) {
		getnanotime(&pp->pp_mtime);
		pp->pp_ctime = pp->pp_mtime;
	}
	mutex_exit(&pp->pp_lock);
	if (uio->uio_resid < total)
		error = 0;		/* partial progress is the answer */
	return error;
}

int
pipe_fo_ioctl(struct file *fp, unsigned long cmd, void *data)
{
	struct pipe *pp = fp->f_data;
	int n;

	if (cmd != FIONREAD)
		return ENOTTY;
	mutex_enter(&pp->pp_lock);
	n = (int)pp->pp_count;
	mutex_exit(&pp->pp_lock);
	return copyout(&n, data, sizeof(n));
}

int
pipe_fo_poll(struct file *fp, int events)
{
	struct pipe *pp = fp->f_data;
	int acc = file_flags(fp) & O_ACCMODE, revents = 0;

	mutex_enter(&pp->pp_lock);
	if (acc != O_WRONLY)
		selrecord(&pp->pp_rsel);
	if (acc != O_RDONLY)
		selrecord(&pp->pp_wsel);
	if (acc != O_WRONLY) {
		if (pp->pp_count > 0)
			revents |= POLLIN | POLLRDNORM;
		/*
		 * A fifo reader opened with O_NONBLOCK before any writer sees
		 * POLLHUP only once a writer has come and gone (Linux).
		 */
		if (pp->pp_writers == 0 &&
		    fp->f_offset != (int64_t)pp->pp_wopens)
			revents |= POLLHUP;
	}
	if (acc != O_RDONLY) {
		/* Room for an atomic write, so that POLLOUT never lies. */
		if (pp->pp_size - pp->pp_count >= PIPE_BUF)
			revents |= POLLOUT | POLLWRNORM;
		if (pp->pp_readers == 0)
			revents |= POLLERR;
	}
	mutex_exit(&pp->pp_lock);
	return revents & events;
}

static int
pipe_fo_stat(struct file *fp, struct stat *st)
{
	struct pipe *pp = fp->f_data;

	memset(st, 0, sizeof(*st));
	st->st_dev = PIPEFS_DEV;
	st->st_ino = pp->pp_ino;
	st->st_mode = S_IFIFO | S_IRUSR | S_IWUSR;
	st->st_nlink = 1;
	st->st_uid = pp->pp_uid;
	st->st_gid = pp->pp_gid;
	st->st_blksize = PIPE_MINSIZE;
	mutex_enter(&pp->pp_lock);
	st->st_atime_sec = pp->pp_atime.tv_sec;
	st->st_atime_nsec = pp->pp_atime.tv_nsec;
	st->st_mtime_sec = pp->pp_mtime.tv_sec;
	st->st_mtime_nsec = pp->pp_mtime.tv_nsec;
	st->st_ctime_sec = pp->pp_ctime.tv_sec;
	st->st_ctime_nsec = pp->pp_ctime.tv_nsec;
	mutex_exit(&pp->pp_lock);
	return 0;
}

/*
 * Removes fp's side(s) from the counts and wakes the other side: readers
 * then see EOF, writers EPIPE.  True if no file is left on the pipe.
 */
static bool
pipe_detach(struct pipe *pp, int acc)
{
	bool unused;

	mutex_enter(&pp->pp_lock);
	if (acc != O_WRONLY)
		pp->pp_readers--;
	if (acc != O_RDONLY)
		pp->pp_writers--;
	KASSERT(pp->pp_readers >= 0 && pp->pp_writers >= 0);
	cv_broadcast(&pp->pp_rcv);
	cv_broadcast(&pp->pp_wcv);
	unused = pp->pp_readers == 0 && pp->pp_writers == 0;
	if (acc != O_RDONLY)
		selwakeup(&pp->pp_rsel, POLLIN | POLLHUP);
	if (acc != O_WRONLY)
		selwakeup(&pp->pp_wsel, POLLOUT | POLLERR);
	mutex_exit(&pp->pp_lock);
	return unused;
}

/* Last close of one end of an anonymous pipe. */
static int
pipe_fo_close(struct file *fp)
{
	struct pipe *pp = fp->f_data;

	if (pipe_detach(pp, file_flags(fp) & O_ACCMODE))
		pipe_free(pp);
	return 0;
}

int
pipe_getsize(struct file *fp, int *sizep)
{
	struct pipe *pp;

	if ((pp = pipe_of(fp)) == NULL)
		return EBADF;
	mutex_enter(&pp->pp_lock);
	*sizep = (int)pp->pp_size;
	mutex_exit(&pp->pp_lock);
	return 0;
}

int
pipe_setsize(struct file *fp, unsigned int size, int *newsizep)
{
	struct pipe *pp;
	size_t nsize, osize = 0, n;
	char *nbuf = NULL, *obuf = NULL;
	int error = 0;

	if ((pp = pipe_of(fp)) == NULL)
		return EBADF;
	if (size > PIPE_MAXSIZE)
		return EINVAL;
	for (nsize = PIPE_MINSIZE; nsize < size; nsize *= 2)
		continue;
	/* 2 GiB itself passes Linux's check but is no int: say ENOMEM. */
	if (nsize > INT_MAX)
		return ENOMEM;
	mutex_enter(&pp->pp_lock);
	for (;;) {
		if (nsize > pp->pp_size && nsize > PIPE_MAXUSER &&
		    !cred_is_root(kauth_cred_get())) {
			error = EPERM;
			break;
		}
		if (pp->pp_count > nsize) {
			/* Linux: the data already in the pipe must fit. */
			error = EBUSY;
			break;
		}
		if (pp->pp_buf == NULL) {
			/* The first write allocates it, at the new size. */
			pp->pp_size = nsize;
			break;
		}
		if (nbuf == NULL) {
			mutex_exit(&pp->pp_lock);
			nbuf = kmem_alloc(nsize);
			mutex_enter(&pp->pp_lock);
			if (nbuf == NULL) {
				error = ENOMEM;
				break;
			}
			continue;	/* the pipe may have changed */
		}
		/* Unwrap the ring into the new buffer. */
		obuf = pp->pp_buf;
		osize = pp->pp_size;
		n = MIN(pp->pp_count, osize - pp->pp_head);
		memcpy(nbuf, obuf + pp->pp_head, n);
		memcpy(nbuf + n, obuf, pp->pp_count - n);
		pp->pp_buf = nbuf;
		pp->pp_size = nsize;
		pp->pp_head = 0;
		nbuf = NULL;
		break;
	}
	if (error == 0) {
		cv_broadcast(&pp->pp_wcv);	/* there may be more room */
		selwakeup(&pp->pp_wsel, POLLOUT | POLLWRNORM);
		*newsizep = (int)nsize;
	}
	mutex_exit(&pp->pp_lock);
	kmem_free(nbuf, nsize);
	kmem_free(obuf, osize);
	return error;
}

int
sys_pipe2(struct lwp *l __unused, int *ufds, int flags,
    register_t *retval __unused)
{
	struct file *rf = NULL, *wf = NULL;
	struct pipe *pp = NULL;
	bool cloexec = (flags & O_CLOEXEC) != 0;
	int fds[2], error, sflags;

	/*
	 * O_DIRECT asks Linux for packet mode (each write one packet).  It
	 * is accepted and shown by F_GETFL, but the pipe stays a byte stream.
	 */
	if ((flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT)) != 0)
		return EINVAL;
	sflags = flags & (O_NONBLOCK | O_DIRECT);
	if ((error = pipe_alloc(&pp)) != 0 ||
	    (error = file_alloc(&rf)) != 0 ||
	    (error = file_alloc(&wf)) != 0) {
		/* Not set up yet: file_rele() only frees them. */
		if (rf != NULL)
			file_rele(rf);
		if (pp != NULL)
			pipe_free(pp);
		return error;
	}
	pp->pp_readers = pp->pp_writers = 1;
	pp->pp_ropens = pp->pp_wopens = 1;
	rf->f_flag = O_RDONLY | sflags;
	wf->f_flag = O_WRONLY | sflags;
	rf->f_type = wf->f_type = DTYPE_PIPE;
	rf->f_ops = wf->f_ops = &pipeops;
	rf->f_data = wf->f_data = pp;
	rf->f_offset = wf->f_offset = PIPE_HUP_ANY;
	/* From here, releasing both files frees the pipe. */
	if ((error = fd_install_lowest(rf, 0, cloexec, &fds[0])) != 0)
		goto out;
	if ((error = fd_install_lowest(wf, 0, cloexec, &fds[1])) != 0) {
		(void)fd_close(fds[0]);
		goto out;
	}
	if ((error = copyout(fds, ufds, sizeof(fds))) != 0) {
		(void)fd_close(fds[0]);
		(void)fd_close(fds[1]);
	}
out:
	file_rele(rf);
	file_rele(wf);
	return error;
}

int
sys_pipe(struct lwp *l, int *ufds, register_t *retval)
{
	return sys_pipe2(l, ufds, 0, retval);
}

/* --- named pipes ----------------------------------------------------- */

/* Frees the fifo's pipe if no file is on it (interlock held). */
static void
fifo_gc(void **slotp, struct pipe *pp)
{
	if (pp->pp_readers == 0 && pp->pp_writers == 0) {
		*slotp = NULL;
		pipe_free(pp);
	}
}

/*
 * Waits until *count is non-zero or *gen moves on (a partner opened, even
 * if it has closed again since), as Linux's wait_for_partner().  The
 * counts only change under the interlock, which is held here.
 */
static int
fifo_wait(struct pipe *pp, kmutex_t *interlock, const int *count,
    const unsigned *gen)
{
	unsigned snap = *gen;
	int error;

	while (*count == 0 && *gen == snap) {
		error = file_cv_wait(&pp->pp_opencv, interlock, KWAIT_FOREVER);
		if (error != 0)
			return error;
	}
	return 0;
}

int
fifo_open(void **slotp, kmutex_t *interlock, int oflags, struct file *fp)
{
	struct pipe *pp, *npp;
	int acc = oflags & O_ACCMODE, error = 0;
	bool nonblock = (oflags & O_NONBLOCK) != 0;
	int64_t hupgen = PIPE_HUP_ANY;

	if (acc == O_ACCMODE)
		return EINVAL;
	if (*slotp == NULL) {
		mutex_exit(interlock);
		error = pipe_alloc(&npp);
		mutex_enter(interlock);
		if (error != 0)
			return error;
		if (*slotp == NULL)
			*slotp = npp;
		else
			pipe_free(npp);	/* another open made one */
	}
	pp = *slotp;

	mutex_enter(&pp->pp_lock);
	if (acc == O_WRONLY && nonblock && pp->pp_readers == 0) {
		error = ENXIO;
	} else {
		if (acc != O_WRONLY) {
			pp->pp_readers++;
			pp->pp_ropens++;
		}
		if (acc != O_RDONLY) {
			pp->pp_writers++;
			pp->pp_wopens++;
		}
		if (acc == O_RDONLY && nonblock && pp->pp_writers == 0)
			hupgen = pp->pp_wopens;
		/* POLLHUP, POLLERR may change. */
		selwakeup(&pp->pp_rsel, 0);
		selwakeup(&pp->pp_wsel, 0);
	}
	mutex_exit(&pp->pp_lock);
	if (error != 0) {
		fifo_gc(slotp, pp);
		return error;
	}
	cv_broadcast(&pp->pp_opencv);	/* a partner may wait for us */

	if (!nonblock && acc == O_RDONLY)
		error = fifo_wait(pp, interlock, &pp->pp_writers,
		    &pp->pp_wopens);
	else if (!nonblock && acc == O_WRONLY)
		error = fifo_wait(pp, interlock, &pp->pp_readers,
		    &pp->pp_ropens);
	if (error != 0) {
		(void)pipe_detach(pp, acc);
		fifo_gc(slotp, pp);
		return error;
	}
	fp->f_data = pp;
	fp->f_offset = hupgen;
	return 0;
}

void
fifo_close(void **slotp, struct file *fp)
{
	struct pipe *pp = fp->f_data;

	KASSERT(pp != NULL && pp == *slotp);
	/* fp->f_flag has the access mode fifo_open() was given. */
	(void)pipe_detach(pp, file_flags(fp) & O_ACCMODE);
	fifo_gc(slotp, pp);
}
