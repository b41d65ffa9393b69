/*
 * kern_descrip.c: per-process descriptor tables, and the descriptor
 * system calls close, dup, dup2, dup3 and close_range.
 *
 * A table is an array of slots (a referenced file plus its close-on-exec
 * bit) that grows geometrically, never past RLIMIT_NOFILE.  fd_lock covers
 * the array, its size, every slot and fd_freefile; it is held for a few
 * loads and stores only: the array is allocated and files are released
 * (fo_close may sleep or take vfs_giant) with it dropped, so it is a leaf
 * lock and fd_getfile(), on every call's path, stays short.
 *
 * Tables are never shared between processes: fork copies them
 * (fd_copy), so CLOSE_RANGE_UNSHARE has nothing to do.
 */
#include "k/kernel.h"
#include "k/file.h"

#include "syscallargs.h"

#define NDFILE		16		/* slots in a first array */
#define NR_OPEN		(1 << 20)	/* Linux's fs.nr_open default */

static void (*_Atomic fd_close_hook)(struct filedesc *, struct file *);

void
fd_close_hook_register(void (*fn)(struct filedesc *, struct file *))
{
	atomic_store(&fd_close_hook, fn);
}

/* Drops the table's reference to fp, which has left a slot of fdp. */
static void
fd_release(struct filedesc *fdp, struct file *fp)
{
	void (*hook)(struct filedesc *, struct file *);

	if ((hook = atomic_load(&fd_close_hook)) != NULL)
		hook(fdp, fp);
	file_rele(fp);
}

int
fd_nofile(void)
{
	struct proc *p = curproc;
	uint64_t lim;

	mutex_enter(&p->p_lock);
	lim = p->p_rlimit[RLIMIT_NOFILE].rlim_cur;
	mutex_exit(&p->p_lock);
	/* Linux refuses limits above nr_open; this keeps fds in an int. */
	return lim > NR_OPEN ? NR_OPEN : (int)lim;
}

struct filedesc *
fd_init(void)
{
	struct filedesc *fdp;

	/* The slot array comes with the first descriptor. */
	if ((fdp = kmem_zalloc(sizeof(*fdp))) == NULL)
		return NULL;
	mutex_init(&fdp->fd_lock);
	return fdp;
}

struct filedesc *
fd_copy(struct filedesc *src)
{
	struct filedesc *fdp;
	struct fdfile *ofiles = NULL;
	int n = 0, last, i;

	if ((fdp = fd_init()) == NULL)
		return NULL;
	mutex_enter(&src->fd_lock);
	for (;;) {
		/* Copy up to the last open descriptor only. */
		for (last = src->fd_nfiles; last > 0; last--)
			if (src->fd_ofiles[last - 1].ff_file != NULL)
				break;
		if (last <= n)
			break;
		mutex_exit(&src->fd_lock);
		kmem_free(ofiles, (size_t)n * sizeof(*ofiles));
		n = roundup(last, NDFILE);
		ofiles = kmem_zalloc((size_t)n * sizeof(*ofiles));
		if (ofiles == NULL) {
			fd_free(fdp);
			return NULL;
		}
		mutex_enter(&src->fd_lock);
	}
	for (i = 0; i < last; i++) {
		ofiles[i] = src->fd_ofiles[i];
		if (ofiles[i].ff_file != NULL)
			file_hold(ofiles[i].ff_file);
	}
	fdp->fd_freefile = MIN(src->fd_freefile, last);
	mutex_exit(&src->fd_lock);
	fdp->fd_ofiles = ofiles;
	fdp->fd_nfiles = n;
	return fdp;
}

void
fd_free(struct filedesc *fdp)
{
	struct file *fp;
	int fd;

	for (fd = 0; fd < fdp->fd_nfiles; fd++) {
		mutex_enter(&fdp->fd_lock);
		fp = fdp->fd_ofiles[fd].ff_file;
		fdp->fd_ofiles[fd].ff_file = NULL;
		mutex_exit(&fdp->fd_lock);
		if (fp != NULL)
			fd_release(fdp, fp);
	}
	kmem_free(fdp->fd_ofiles, (size_t)fdp->fd_nfiles *
	    sizeof(*fdp->fd_ofiles));
	mutex_destroy(&fdp->fd_lock);
	kmem_free(fdp, sizeof(*fdp));
}

int
fd_getfile(int fd, struct file **fpp)
{
	struct filedesc *fdp = curproc->p_fd;
	struct file *fp;

	if (fd < 0 || fdp == NULL)
		return EBADF;
	mutex_enter(&fdp->fd_lock);
	if (fd >= fdp->fd_nfiles ||
	    (fp = fdp->fd_ofiles[fd].ff_file) == NULL) {
		mutex_exit(&fdp->fd_lock);
		return EBADF;
	}
	file_hold(fp);
	mutex_exit(&fdp->fd_lock);
	*fpp = fp;
	return 0;
}

int
fd_getfile_io(int fd, struct file **fpp)
{
	int error;

	if ((error = fd_getfile(fd, fpp)) != 0)
		return error;
	if (file_flags(*fpp) & O_PATH) {
		file_rele(*fpp);
		return EBADF;
	}
	return 0;
}

/*
 * Makes slot fd exist (fd < lim), growing the array geometrically.  Called
 * and returns with fd_lock held, but drops it to allocate: the caller
 * re-checks the slot afterwards.  0 or ENOMEM.
 */
static int
fd_grow(struct filedesc *fdp, int fd, int lim)
{
	struct fdfile *nf, *of;
	int n, on;

	KASSERT(fd < lim);
	while (fd >= fdp->fd_nfiles) {
		for (n = MAX(fdp->fd_nfiles * 2, NDFILE); n <= fd; n *= 2)
			continue;
		n = MIN(n, lim);
		mutex_exit(&fdp->fd_lock);
		nf = kmem_zalloc((size_t)n * sizeof(*nf));
		mutex_enter(&fdp->fd_lock);
		if (nf == NULL)
			return ENOMEM;
		on = fdp->fd_nfiles;
		if (n <= on) {
			/* Another thread grew it meanwhile. */
			kmem_free(nf, (size_t)n * sizeof(*nf));
			continue;
		}
		of = fdp->fd_ofiles;
		if (on > 0)
			memcpy(nf, of, (size_t)on * sizeof(*nf));
		fdp->fd_ofiles = nf;
		fdp->fd_nfiles = n;
		kmem_free(of, (size_t)on * sizeof(*of));
	}
	return 0;
}

int
fd_install_lowest(struct file *fp, int minfd, bool cloexec, int *fdp_out)
{
	struct filedesc *fdp = curproc->p_fd;
	int lim, fd, error;

	/*
	 * F_DUPFD past the limit is EINVAL in Linux; from 0 (open, dup) a
	 * full table is EMFILE, even with a limit of 0.
	 */
	lim = fd_nofile();
	if (minfd < 0 || (minfd > 0 && minfd >= lim))
		return EINVAL;
	if (fdp == NULL)
		return EMFILE;
	mutex_enter(&fdp->fd_lock);
	for (;;) {
		fd = MAX(minfd, fdp->fd_freefile);
		while (fd < fdp->fd_nfiles &&
		    fdp->fd_ofiles[fd].ff_file != NULL)
			fd++;
		if (fd >= lim) {
			mutex_exit(&fdp->fd_lock);
			return EMFILE;
		}
		if (fd < fdp->fd_nfiles)
			break;
		if ((error = fd_grow(fdp, fd, lim)) != 0) {
			mutex_exit(&fdp->fd_lock);
			return error;
		}
		/* The lock was dropped: search again. */
	}
	file_hold(fp);
	fdp->fd_ofiles[fd].ff_file = fp;
	fdp->fd_ofiles[fd].ff_cloexec = cloexec;
	/* Searched from fd_freefile: everything below fd + 1 is in use. */
	if (minfd <= fdp->fd_freefile)
		fdp->fd_freefile = fd + 1;
	mutex_exit(&fdp->fd_lock);
	*fdp_out = fd;
	return 0;
}

int
fd_install_at(struct file *fp, int fd, bool cloexec)
{
	struct filedesc *fdp = curproc->p_fd;
	struct file *ofp;
	int lim, error;

	lim = fd_nofile();
	if (fd < 0 || fd >= lim || fdp == NULL)
		return EBADF;
	mutex_enter(&fdp->fd_lock);
	if (fd >= fdp->fd_nfiles &&
	    (error = fd_grow(fdp, fd, lim)) != 0) {
		mutex_exit(&fdp->fd_lock);
		return error;
	}
	file_hold(fp);
	ofp = fdp->fd_ofiles[fd].ff_file;
	fdp->fd_ofiles[fd].ff_file = fp;
	fdp->fd_ofiles[fd].ff_cloexec = cloexec;
	mutex_exit(&fdp->fd_lock);
	/* dup2 closes the old file silently, as Linux does. */
	if (ofp != NULL)
		fd_release(fdp, ofp);
	return 0;
}

/* Empties slot fd of fdp; the caller releases the file.  NULL if empty. */
static struct file *
fd_take(struct filedesc *fdp, int fd)
{
	struct file *fp;

	mutex_enter(&fdp->fd_lock);
	if (fd >= fdp->fd_nfiles ||
	    (fp = fdp->fd_ofiles[fd].ff_file) == NULL) {
		mutex_exit(&fdp->fd_lock);
		return NULL;
	}
	fdp->fd_ofiles[fd].ff_file = NULL;
	fdp->fd_ofiles[fd].ff_cloexec = false;
	if (fd < fdp->fd_freefile)
		fdp->fd_freefile = fd;
	mutex_exit(&fdp->fd_lock);
	return fp;
}

int
fd_close(int fd)
{
	struct filedesc *fdp = curproc->p_fd;
	struct file *fp;

	if (fd < 0 || fdp == NULL || (fp = fd_take(fdp, fd)) == NULL)
		return EBADF;
	fd_release(fdp, fp);
	return 0;
}

int
fd_getcloexec(int fd, bool *cloexecp)
{
	struct filedesc *fdp = curproc->p_fd;
	int error = EBADF;

	if (fd < 0 || fdp == NULL)
		return EBADF;
	mutex_enter(&fdp->fd_lock);
	if (fd < fdp->fd_nfiles && fdp->fd_ofiles[fd].ff_file != NULL) {
		*cloexecp = fdp->fd_ofiles[fd].ff_cloexec;
		error = 0;
	}
	mutex_exit(&fdp->fd_lock);
	return error;
}

int
fd_setcloexec(int fd, bool cloexec)
{
	struct filedesc *fdp = curproc->p_fd;
	int error = EBADF;

	if (fd < 0 || fdp == NULL)
		return EBADF;
	mutex_enter(&fdp->fd_lock);
	if (fd < fdp->fd_nfiles && fdp->fd_ofiles[fd].ff_file != NULL) {
		fdp->fd_ofiles[fd].ff_cloexec = cloexec;
		error = 0;
	}
	mutex_exit(&fdp->fd_lock);
	return error;
}

void
fd_closeexec(struct proc *p)
{
	struct filedesc *fdp = p->p_fd;
	struct file *fp;
	int fd;

	if (fdp == NULL)
		return;
	for (fd = 0;; fd++) {
		mutex_enter(&fdp->fd_lock);
		if (fd >= fdp->fd_nfiles) {
			mutex_exit(&fdp->fd_lock);
			break;
		}
		fp = NULL;
		if (fdp->fd_ofiles[fd].ff_cloexec) {
			fp = fdp->fd_ofiles[fd].ff_file;
			fdp->fd_ofiles[fd].ff_file = NULL;
			fdp->fd_ofiles[fd].ff_cloexec = false;
			if (fd < fdp->fd_freefile)
				fdp->fd_freefile = fd;
		}
		mutex_exit(&fdp->fd_lock);
		if (fp != NULL)
			fd_release(fdp, fp);
	}
}

/* --- system calls ----------------------------------------------------- */

int
sys_close(struct lwp *l __unused, int fd, register_t *retval __unused)
{
	return fd_close(fd);
}

int
sys_dup(struct lwp *l __unused, int oldfd, register_t *retval)
{
	struct file *fp;
	int error, newfd;

	if ((error = fd_getfile(oldfd, &fp)) != 0)
		return error;
	error = fd_install_lowest(fp, 0, false, &newfd);
	file_rele(fp);
	if (error == 0)
		*retval = newfd;
	return error;
}

/* dup2/dup3 once the same-descriptor cases are settled. */
static int
dup_to(int oldfd, int newfd, bool cloexec, register_t *retval)
{
	struct file *fp;
	int error;

	/* Linux checks newfd against the limit before looking at oldfd. */
	if (newfd < 0 || newfd >= fd_nofile())
		return EBADF;
	if ((error = fd_getfile(oldfd, &fp)) != 0)
		return error;
	error = fd_install_at(fp, newfd, cloexec);
	file_rele(fp);
	if (error == 0)
		*retval = newfd;
	return error;
}

int
sys_dup2(struct lwp *l __unused, int oldfd, int newfd, register_t *retval)
{
	struct file *fp;
	int error;

	if (oldfd == newfd) {
		/* Nothing to do once oldfd is known to be open. */
		if ((error = fd_getfile(oldfd, &fp)) != 0)
			return error;
		file_rele(fp);
		*retval = newfd;
		return 0;
	}
	return dup_to(oldfd, newfd, false, retval);
}

int
sys_dup3(struct lwp *l __unused, int oldfd, int newfd, int flags,
    register_t *retval)
{
	if ((flags & ~O_CLOEXEC) != 0 || oldfd == newfd)
		return EINVAL;
	return dup_to(oldfd, newfd, (flags & O_CLOEXEC) != 0, retval);
}

int
sys_close_range(struct lwp *l __unused, unsigned int first, unsigned int last,
    int flags, register_t *retval __unused)
{
	struct filedesc *fdp = curproc->p_fd;
	struct file *fp;
	unsigned int fd;

	if ((flags & ~(CLOSE_RANGE_CLOEXEC | CLOSE_RANGE_UNSHARE)) != 0 ||
	    first > last)
		return EINVAL;
	if (fdp == NULL)
		return 0;
	if (flags & CLOSE_RANGE_CLOEXEC) {
		mutex_enter(&fdp->fd_lock);
		for (fd = first; fd <= last && fd < (unsigned)fdp->fd_nfiles;
		    fd++)
			if (fdp->fd_ofiles[fd].ff_file != NULL)
				fdp->fd_ofiles[fd].ff_cloexec = true;
		mutex_exit(&fdp->fd_lock);
		return 0;
	}
	/*
	 * One descriptor at a time, releasing each file unlocked.  fd never
	 * wraps: the table ends (at most NR_OPEN) before UINT_MAX.
	 */
	for (fd = first; fd <= last; fd++) {
		mutex_enter(&fdp->fd_lock);
		if (fd >= (unsigned)fdp->fd_nfiles) {
			mutex_exit(&fdp->fd_lock);
			break;
		}
		mutex_exit(&fdp->fd_lock);
		if ((fp = fd_take(fdp, (int)fd)) != NULL)
			fd_release(fdp, fp);
	}
	return 0;
}
