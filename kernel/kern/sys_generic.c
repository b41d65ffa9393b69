/*
 * sys_generic.c: read and write with their vector and positioned
 * variants, lseek and ioctl, over the fileops of a descriptor's file.
 *
 * Every handler: look the descriptor up (referenced; O_PATH descriptors
 * are invisible, EBADF), check the access mode, build a uio over the
 * client's buffers, call the file op, release.  No lock is held across an
 * operation.  The file offset is the op's business (FOF_UPDATE_OFFSET, see
 * k/file.h): ops serialize concurrent I/O on one file description with
 * f_lock so that its offset stays consistent.
 *
 * Linux's rules for counts and errors: at most MAX_RW_COUNT bytes per
 * call; a transfer that moved some bytes and then failed returns the
 * count; the checks come in Linux's order (for the pread family: negative
 * offset, descriptor, ESPIPE, access mode, buffer).
 */
#include <limits.h>

#include "k/kernel.h"
#include "k/file.h"

#include "syscallargs.h"

/* INT_MAX rounded down to a page, as Linux's MAX_RW_COUNT. */
#define MAX_RW_COUNT	0x7ffff000L
#ifndef SSIZE_MAX
#define SSIZE_MAX	LONG_MAX
#endif
#define NSMALLIOV	8		/* iovecs kept on the stack */

/* Access mode and op checks for a transfer in direction rw. */
static int
rw_check(struct file *fp, enum uio_rw rw)
{
	int acc = file_flags(fp) & O_ACCMODE;

	if (rw == UIO_READ) {
		if (acc == O_WRONLY)
			return EBADF;
		if (fp->f_ops->fo_read == NULL)
			return EINVAL;
	} else {
		if (acc == O_RDONLY)
			return EBADF;
		if (fp->f_ops->fo_write == NULL)
			return EINVAL;
	}
	return 0;
}

/* Runs the op; explicit: the pread family (uio_offset, f_offset kept);
 * fflags: FOF_* besides FOF_UPDATE_OFFSET. */
static int
rw_do(struct file *fp, struct uio *uio, bool explicit, int fflags,
    register_t *retval)
{
	size_t want = uio->uio_resid, done;
	int error;

	if (!explicit)
		fflags |= FOF_UPDATE_OFFSET;

	if (uio->uio_rw == UIO_READ)
		error = fp->f_ops->fo_read(fp, uio, fflags);
	else
		error = fp->f_ops->fo_write(fp, uio, fflags);
	done = want - uio->uio_resid;
	/* Bytes moved win over a later error (EINTR, EAGAIN, EPIPE, EFAULT). */
	if (done > 0)
		error = 0;
	if (error == 0)
		*retval = (register_t)done;
	return error;
}

/* read, write, pread64, pwrite64; off < 0 means the file offset. */
static int
rw_one(int fd, void *buf, size_t count, bool explicit, int64_t off,
    enum uio_rw rw, register_t *retval)
{
	struct file *fp;
	struct iovec iov;
	struct uio uio;
	int error;

	if (explicit && off < 0)
		return EINVAL;
	if ((error = fd_getfile_io(fd, &fp)) != 0)
		return error;
	if (explicit && fp->f_ops->fo_seek == NULL) {
		error = ESPIPE;
		goto out;
	}
	if ((error = rw_check(fp, rw)) != 0)
		goto out;
	/*
	 * Linux's access_ok(): a range past the user address space (which
	 * any count above SSIZE_MAX is) is EFAULT, before anything else.
	 */
	if (count > (size_t)SSIZE_MAX ||
	    (uintptr_t)buf + count < (uintptr_t)buf) {
		error = EFAULT;
		goto out;
	}
	if (explicit && (uint64_t)off + count > (uint64_t)INT64_MAX) {
		error = EINVAL;
		goto out;
	}
	count = MIN(count, (size_t)MAX_RW_COUNT);
	iov.iov_base = buf;
	iov.iov_len = count;
	uio = (struct uio){
		.uio_iov = &iov,
		.uio_iovcnt = 1,
		.uio_offset = explicit ? off : 0,
		.uio_resid = count,
		.uio_rw = rw,
		.uio_kernel = false,
	};
	error = rw_do(fp, &uio, explicit, 0, retval);
out:
	file_rele(fp);
	return error;
}

/*
 * preadv2/pwritev2's RWF_* flags as FOF_* for the file op.  RWF_HIPRI
 * (polled completion) means nothing without a block device: accepted.
 * RWF_NOWAIT: a pipe from pipe2 then never waits; every other file here
 * answers EOPNOTSUPP, as Linux's tmpfs files and named FIFOs do (they
 * lack FMODE_NOWAIT).
 * Anything else is EOPNOTSUPP.
 */
static int
rw_flags(struct file *fp, int flags, int *fflags)
{
	*fflags = 0;
	if ((flags & ~(RWF_HIPRI | RWF_DSYNC | RWF_SYNC | RWF_NOWAIT |
	    RWF_APPEND)) != 0)
		return EOPNOTSUPP;
	if (flags & RWF_NOWAIT) {
		if (fp->f_ops->fo_read != pipe_fo_read || fp->f_vnode != NULL)
			return EOPNOTSUPP;
		*fflags |= FOF_NOWAIT;
	}
	if (flags & RWF_APPEND)
		*fflags |= FOF_APPEND;
	if (flags & (RWF_DSYNC | RWF_SYNC))
		*fflags |= FOF_SYNC;
	return 0;
}

/* The vector calls; flags are preadv2's RWF_* (rw_flags). */
static int
rw_vec(int fd, const void *uiov, int iovcnt, bool explicit, int64_t off,
    int flags, enum uio_rw rw, register_t *retval)
{
	struct iovec small[NSMALLIOV], *kiov = small;
	struct file *fp;
	struct uio uio;
	size_t left;
	int error, i, fflags = 0;

	if (explicit && off < 0)
		return EINVAL;
	if ((error = fd_getfile_io(fd, &fp)) != 0)
		return error;
	if (explicit && fp->f_ops->fo_seek == NULL) {
		error = ESPIPE;
		goto out;
	}
	if ((error = rw_check(fp, rw)) != 0)
		goto out;
	if (iovcnt < 0 || iovcnt > UIO_MAXIOV) {
		error = EINVAL;
		goto out;
	}
	if (iovcnt > NSMALLIOV &&
	    (kiov = kmem_alloc((size_t)iovcnt * sizeof(*kiov))) == NULL) {
		error = ENOMEM;
		goto out;
	}
	error = uio_setup_user(&uio, kiov, uiov, iovcnt, explicit ? off : 0,
	    rw);
	if (error != 0)
		goto out;
	if (uio.uio_resid == 0) {
		/* Linux skips everything else when there is nothing to move. */
		*retval = 0;
		goto out;
	}
	if (explicit &&
	    (uint64_t)off + uio.uio_resid > (uint64_t)INT64_MAX) {
		error = EINVAL;
		goto out;
	}
	/* Linux rejects RWF_* flags when the I/O starts, after the above. */
	if ((error = rw_flags(fp, flags, &fflags)) != 0)
		goto out;
	/* Like import_iovec(): the total is cut down to MAX_RW_COUNT. */
	if (uio.uio_resid > (size_t)MAX_RW_COUNT) {
		left = MAX_RW_COUNT;
		for (i = 0; i < uio.uio_iovcnt; i++) {
			uio.uio_iov[i].iov_len = MIN(uio.uio_iov[i].iov_len,
			    left);
			left -= uio.uio_iov[i].iov_len;
		}
		uio.uio_resid = MAX_RW_COUNT;
	}
	error = rw_do(fp, &uio, explicit, fflags, retval);
out:
	if (kiov != small)
		kmem_free(kiov, (size_t)iovcnt * sizeof(*kiov));
	file_rele(fp);
	return error;
}

int
sys_read(struct lwp *l __unused, int fd, void *buf, size_t count,
    register_t *retval)
{
	return rw_one(fd, buf, count, false, 0, UIO_READ, retval);
}

int
sys_write(struct lwp *l __unused, int fd, const void *buf, size_t count,
    register_t *retval)
{
	/* The uio is only read from in UIO_WRITE: dropping const is safe. */
	return rw_one(fd, (void *)(uintptr_t)buf, count, false, 0, UIO_WRITE,
	    retval);
}

int
sys_pread64(struct lwp *l __unused, int fd, void *buf, size_t count,
    off_t offset, register_t *retval)
{
	return rw_one(fd, buf, count, true, offset, UIO_READ, retval);
}

int
sys_pwrite64(struct lwp *l __unused, int fd, const void *buf, size_t count,
    off_t offset, register_t *retval)
{
	return rw_one(fd, (void *)(uintptr_t)buf, count, true, offset,
	    UIO_WRITE, retval);
}

int
sys_readv(struct lwp *l __unused, int fd, const void *iov, int iovcnt,
    register_t *retval)
{
	return rw_vec(fd, iov, iovcnt, false, 0, 0, UIO_READ, retval);
}

int
sys_writev(struct lwp *l __unused, int fd, const void *iov, int iovcnt,
    register_t *retval)
{
	return rw_vec(fd, iov, iovcnt, false, 0, 0, UIO_WRITE, retval);
}

int
sys_preadv(struct lwp *l __unused, int fd, const void *iov, int iovcnt,
    off_t offset, register_t *retval)
{
	return rw_vec(fd, iov, iovcnt, true, offset, 0, UIO_READ, retval);
}

int
sys_pwritev(struct lwp *l __unused, int fd, const void *iov, int iovcnt,
    off_t offset, register_t *retval)
{
	return rw_vec(fd, iov, iovcnt, true, offset, 0, UIO_WRITE, retval);
}

/* preadv2/pwritev2: an offset of -1 means the file offset, as in Linux. */
int
sys_preadv2(struct lwp *l __unused, int fd, const void *iov, int iovcnt,
    off_t offset, int flags, register_t *retval)
{
	return rw_vec(fd, iov, iovcnt, offset != -1, offset, flags, UIO_READ,
	    retval);
}

int
sys_pwritev2(struct lwp *l __unused, int fd, const void *iov, int iovcnt,
    off_t offset, int flags, register_t *retval)
{
	return rw_vec(fd, iov, iovcnt, offset != -1, offset, flags, UIO_WRITE,
	    retval);
}

int
sys_lseek(struct lwp *l __unused, int fd, off_t offset, int whence,
    register_t *retval)
{
	struct file *fp;
	int64_t newoff;
	int error;

	if ((error = fd_getfile_io(fd, &fp)) != 0)
		return error;
	/* Linux checks whence before asking the file (EINVAL over ESPIPE). */
	if (whence < SEEK_SET || whence > SEEK_HOLE)
		error = EINVAL;
	else if (fp->f_ops->fo_seek == NULL)
		error = ESPIPE;
	else if ((error = fp->f_ops->fo_seek(fp, offset, whence,
	    &newoff)) == 0)
		*retval = newoff;
	file_rele(fp);
	return error;
}

/* Sets or clears flag in f_flag after the client's int at arg. */
static int
ioctl_setflag(struct file *fp, void *arg, int flag)
{
	int on, error;

	if ((error = copyin(arg, &on, sizeof(on))) != 0)
		return error;
	mutex_enter(&fp->f_lock);
	__atomic_store_n(&fp->f_flag, on ? fp->f_flag | flag :
	    fp->f_flag & ~flag, __ATOMIC_RELAXED);
	mutex_exit(&fp->f_lock);
	return 0;
}

int
sys_ioctl(struct lwp *l __unused, int fd, unsigned long request, void *arg,
    register_t *retval)
{
	struct file *fp;
	/* Linux's command is an unsigned int: upper bits are ignored. */
	unsigned int cmd = (unsigned int)request;
	int error;

	if ((error = fd_getfile_io(fd, &fp)) != 0)
		return error;
	switch (cmd) {
	case FIOCLEX:
	case FIONCLEX:
		error = fd_setcloexec(fd, cmd == FIOCLEX);
		break;
	case FIONBIO:
		error = ioctl_setflag(fp, arg, O_NONBLOCK);
		break;
	case FIOASYNC:
		/*
		 * The kernel sends no SIGIO: the flag is only recorded (and
		 * shown by F_GETFL), which is what a client can observe.
		 */
		error = ioctl_setflag(fp, arg, O_ASYNC);
		break;
	default:
		if (fp->f_ops->fo_ioctl == NULL)
			error = ENOTTY;
		else
			error = fp->f_ops->fo_ioctl(fp, cmd, arg);
		break;
	}
	file_rele(fp);
	if (error == 0)
		*retval = 0;
	return error;
}
