/*
 * sys_eventfd.c: eventfd and eventfd2 (eventfd(2)), and the anon_fo_*
 * operations of descriptors without an inode of their own (eventfd, epoll).
 *
 * An eventfd is a 64-bit counter.  A read of at least 8 bytes returns it
 * and sets it to 0, or with EFD_SEMAPHORE returns 1 and decrements it; at 0
 * it blocks (EAGAIN with O_NONBLOCK).  A write of at least 8 bytes adds
 * its value, blocking (EAGAIN) while the sum would pass 2^64 - 2; the value
 * 2^64 - 1 is EINVAL.  Shorter buffers are EINVAL.  poll: POLLIN while the
 * counter is above 0, POLLOUT while a write of 1 would not block.
 *
 * Locking: ef_lock covers the counter; readers and writers sleep on ef_cv;
 * pollers and epoll wait on ef_sel, woken with ef_lock held.
 */
#include "k/kernel.h"
#include "k/file.h"

#include "syscallargs.h"

#define EFD_MAX		UINT64_C(0xfffffffffffffffe)
#define ANON_INODE_DEV	13		/* st_dev 0:13, like an anon inode */

struct eventfd {
	kmutex_t ef_lock;
	kcondvar_t ef_cv;
	uint64_t ef_count;
	bool ef_semaphore;
	struct selinfo ef_sel;
};

static int
efd_fo_read(struct file *fp, struct uio *uio, int fflags)
{
	struct eventfd *ef = fp->f_data;
	uint64_t v;
	int error = 0;

	if (!(fflags & FOF_UPDATE_OFFSET))
		return ESPIPE;		/* the pread family */
	if (uio->uio_resid < sizeof(v))
		return EINVAL;
	mutex_enter(&ef->ef_lock);
	while (ef->ef_count == 0) {
		if (file_flags(fp) & O_NONBLOCK) {
			error = EAGAIN;
			break;
		}
		if ((error = file_cv_wait(&ef->ef_cv, &ef->ef_lock,
		    KWAIT_FOREVER)) != 0)
			break;
	}
	if (error == 0) {
		v = ef->ef_semaphore ? 1 : ef->ef_count;
		ef->ef_count -= v;
		cv_broadcast(&ef->ef_cv);
		selwakeup(&ef->ef_sel, POLLOUT | POLLWRNORM);
	}
	mutex_exit(&ef->ef_lock);
	/* As Linux: the value is consumed even if the copy then fails. */
	if (error == 0)
		error = uiomove(&v, sizeof(v), uio);
	return error;
}

static int
efd_fo_write(struct file *fp, struct uio *uio, int fflags)
{
	struct eventfd *ef = fp->f_data;
	uint64_t v;
	int error;

	if (!(fflags & FOF_UPDATE_OFFSET))
		return ESPIPE;
	if (uio->uio_resid < sizeof(v))
		return EINVAL;
	if ((error = uiomove(&v, sizeof(v), uio)) != 0)
		return error;
	/* From here a failure writes nothing: the generic layer must see 0. */
	if (v == UINT64_MAX) {
		uio->uio_resid += sizeof(v);
		return EINVAL;
	}
	mutex_enter(&ef->ef_lock);
	while (EFD_MAX - ef->ef_count < v) {
		if (file_flags(fp) & O_NONBLOCK) {
			error = EAGAIN;
			break;
		}
		if ((error = file_cv_wait(&ef->ef_cv, &ef->ef_lock,
		    KWAIT_FOREVER)) != 0)
			break;
	}
	if (error == 0) {
		ef->ef_count += v;
		cv_broadcast(&ef->ef_cv);
		/* Every write wakes, even of 0 (edge-triggered epoll sees it). */
		selwakeup(&ef->ef_sel, POLLIN | POLLRDNORM);
	}
	mutex_exit(&ef->ef_lock);
	if (error != 0)
		uio->uio_resid += sizeof(v);	/* nothing was written */
	return error;
}

static int
efd_fo_poll(struct file *fp, int events)
{
	struct eventfd *ef = fp->f_data;
	int rev = 0;

	mutex_enter(&ef->ef_lock);
	selrecord(&ef->ef_sel);
	if (ef->ef_count > 0)
		rev |= POLLIN | POLLRDNORM;
	if (ef->ef_count < EFD_MAX)
		rev |= POLLOUT | POLLWRNORM;
	mutex_exit(&ef->ef_lock);
	return rev & events;
}

static int
efd_fo_close(struct file *fp)
{
	struct eventfd *ef = fp->f_data;

	seldestroy(&ef->ef_sel);
	cv_destroy(&ef->ef_cv);
	mutex_destroy(&ef->ef_lock);
	kmem_free(ef, sizeof(*ef));
	return 0;
}

static const struct fileops eventfdops = {
	.fo_read = efd_fo_read,
	.fo_write = efd_fo_write,
	.fo_poll = efd_fo_poll,
	.fo_stat = anon_fo_stat,
	.fo_close = efd_fo_close,
	.fo_seek = anon_fo_seek,
	/* ioctl: ENOTTY (Linux) */
};

int
anon_fo_stat(struct file *fp __unused, struct stat *st)
{
	/* Linux's anonymous inode: one for all, mode 0600, owned by root. */
	memset(st, 0, sizeof(*st));
	st->st_dev = ANON_INODE_DEV;
	st->st_ino = 1;
	st->st_mode = S_IRUSR | S_IWUSR;
	st->st_nlink = 1;
	st->st_blksize = 4096;
	return 0;
}

int
anon_fo_seek(struct file *fp __unused, int64_t off __unused,
    int whence __unused, int64_t *newoffp)
{
	/* Linux's noop_llseek: success, and the offset stays 0. */
	*newoffp = 0;
	return 0;
}

int
anon_fo_rw(struct file *fp __unused, struct uio *uio __unused, int fflags)
{
	return fflags & FOF_UPDATE_OFFSET ? EINVAL : ESPIPE;
}

static int
efd_create(unsigned int initval, int flags, register_t *retval)
{
	struct eventfd *ef;
	struct file *fp;
	int error, fd;

	if ((flags & ~(EFD_SEMAPHORE | EFD_CLOEXEC | EFD_NONBLOCK)) != 0)
		return EINVAL;
	if ((ef = kmem_zalloc(sizeof(*ef))) == NULL)
		return ENOMEM;
	if ((error = file_alloc(&fp)) != 0) {
		kmem_free(ef, sizeof(*ef));
		return error;
	}
	mutex_init(&ef->ef_lock);
	cv_init(&ef->ef_cv);
	selinit(&ef->ef_sel);
	ef->ef_count = initval;
	ef->ef_semaphore = (flags & EFD_SEMAPHORE) != 0;
	fp->f_flag = O_RDWR | (flags & EFD_NONBLOCK);
	fp->f_type = DTYPE_MISC;
	fp->f_ops = &eventfdops;
	fp->f_data = ef;
	error = fd_install_lowest(fp, 0, (flags & EFD_CLOEXEC) != 0, &fd);
	file_rele(fp);
	if (error == 0)
		*retval = fd;
	return error;
}

int
sys_eventfd(struct lwp *l __unused, unsigned int initval, register_t *retval)
{
	return efd_create(initval, 0, retval);
}

int
sys_eventfd2(struct lwp *l __unused, unsigned int initval, int flags,
    register_t *retval)
{
	return efd_create(initval, flags, retval);
}
