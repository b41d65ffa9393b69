/*
 * vfs_lockf.c: advisory locks, as Linux has them.
 *
 * Two name spaces share the vnode's list (v_lockf, unsorted):
 *  - record locks: POSIX locks (F_SETLK ...) owned by the descriptor table
 *    of the process that took them (Linux's files_struct; l_pid reports
 *    its pid), released when that table closes any descriptor of the file
 *    (vfs_fdclose in vfs_init.c); and OFD locks (F_OFD_SETLK ...) owned by
 *    the open file description (l_pid -1), released at its last close.
 *    Both kinds conflict with each other when their owners differ.
 *  - flock(2) locks: whole-file, owned by the open file description.
 * An owner's record locks never overlap: setting a range first cuts it out
 * of the owner's other locks, then merges with adjacent locks of the same
 * type.  A conflict gives EAGAIN without waiting; F_SETLKW sleeps on one
 * condvar, broadcast whenever a lock goes away or shrinks, and reports
 * EDEADLK when POSIX owners would wait for each other in a cycle (a walk
 * of the waits-for chain).
 *
 * Locking: vfs_giant covers the lists and the waiters.
 */
#include "vfs_private.h"

#define LF_EOF		INT64_MAX

struct lockf {
	struct lockf *lf_next;
	short lf_type;			/* F_RDLCK, F_WRLCK (F_UNLCK: a request) */
	bool lf_flock;			/* flock(2) name space */
	bool lf_ofd;			/* owned by an open file description */
	void *lf_owner;			/* struct filedesc * or struct file * */
	pid_t lf_pid;
	int64_t lf_start, lf_end;	/* inclusive */
};

struct lf_waiter {
	LIST_ENTRY(lf_waiter) w_list;
	void *w_owner;			/* a POSIX owner (filedesc) waiting */
	void *w_blocker;		/* the owner it waits for */
	bool w_blocker_posix;
};

static kcondvar_t lf_cv;
static LIST_HEAD(, lf_waiter) lf_waiters = LIST_HEAD_INITIALIZER(lf_waiters);

void
lf_init(void)
{
	cv_init(&lf_cv);
}

static inline bool
lf_posix(const struct lockf *lf)
{
	return !lf->lf_flock && !lf->lf_ofd;
}

static inline bool
lf_sameowner(const struct lockf *a, const struct lockf *b)
{
	return a->lf_owner == b->lf_owner && a->lf_ofd == b->lf_ofd &&
	    a->lf_flock == b->lf_flock;
}

static inline bool
lf_overlap(const struct lockf *a, const struct lockf *b)
{
	return a->lf_start <= b->lf_end && b->lf_start <= a->lf_end;
}

/* A lock of another owner that keeps req from being granted. */
static struct lockf *
lf_conflict(struct vnode *vp, const struct lockf *req)
{
	struct lockf *lf;

	for (lf = vp->v_lockf; lf != NULL; lf = lf->lf_next) {
		if (lf->lf_flock != req->lf_flock || lf_sameowner(lf, req))
			continue;
		if (!lf_overlap(lf, req))
			continue;
		if (lf->lf_type == F_WRLCK || req->lf_type == F_WRLCK)
			return lf;
	}
	return NULL;
}

/* Would owner, waiting for blocker, close a cycle of POSIX waiters? */
static bool
lf_deadlock(void *owner, void *blocker)
{
	struct lf_waiter *w;
	int steps;

	for (steps = 0; steps < 128; steps++) {
		if (blocker == owner)
			return true;
		LIST_FOREACH(w, &lf_waiters, w_list) {
			if (w->w_owner == blocker)
				break;
		}
		if (w == NULL || !w->w_blocker_posix)
			return false;
		blocker = w->w_blocker;
	}
	return false;
}

static void
lf_unlink(struct vnode *vp, struct lockf **prevp, struct lockf *lf)
{
	(void)vp;
	*prevp = lf->lf_next;
	kmem_free(lf, sizeof(*lf));
}

/*
 * Gives req (no conflict left) to its owner: the range is cut out of the
 * owner's locks, merged with its neighbours of the same type, and req is
 * inserted (or freed for F_UNLCK).  spare is for a lock split in two.
 */
static void
lf_apply(struct vnode *vp, struct lockf *req, struct lockf **sparep)
{
	struct lockf **prevp, *lf, *nlf;
	bool woke = false;

	prevp = &vp->v_lockf;
	while ((lf = *prevp) != NULL) {
		if (!lf_sameowner(lf, req)) {
			prevp = &lf->lf_next;
			continue;
		}
		if (lf->lf_type == req->lf_type &&
		    (lf_overlap(lf, req) ||
		    (req->lf_start > 0 && lf->lf_end == req->lf_start - 1) ||
		    (req->lf_end < LF_EOF && lf->lf_start == req->lf_end + 1))) {
			/* Same type, touching: one lock covers both. */
			req->lf_start = MIN(req->lf_start, lf->lf_start);
			req->lf_end = MAX(req->lf_end, lf->lf_end);
			lf_unlink(vp, prevp, lf);
			continue;
		}
		if (!lf_overlap(lf, req)) {
			prevp = &lf->lf_next;
			continue;
		}
		woke = true;
		if (lf->lf_start < req->lf_start && lf->lf_end > req->lf_end) {
			nlf = *sparep;
			*sparep = NULL;
			*nlf = *lf;
			nlf->lf_start = req->lf_end + 1;
			lf->lf_end = req->lf_start - 1;
			nlf->lf_next = lf->lf_next;
			lf->lf_next = nlf;
			prevp = &nlf->lf_next;
		} else if (lf->lf_start < req->lf_start) {
			lf->lf_end = req->lf_start - 1;
			prevp = &lf->lf_next;
		} else if (lf->lf_end > req->lf_end) {
			lf->lf_start = req->lf_end + 1;
			prevp = &lf->lf_next;
		} else {
			lf_unlink(vp, prevp, lf);
		}
	}
	if (req->lf_type == F_UNLCK) {
		kmem_free(req, sizeof(*req));
	} else {
		req->lf_next = vp->v_lockf;
		vp->v_lockf = req;
	}
	if (woke)
		cv_broadcast(&lf_cv);
}

/* Takes req (allocated) for its owner, waiting if asked; frees it on error. */
static int
lf_setlock(struct vnode *vp, struct lockf *req, bool wait)
{
	struct lf_waiter w;
	struct lockf *blk, *spare = NULL;
	int error = 0;

	if (req->lf_type != F_UNLCK) {
		while ((blk = lf_conflict(vp, req)) != NULL) {
			if (!wait) {
				error = EAGAIN;
				break;
			}
			if (lf_posix(req) && lf_posix(blk) &&
			    lf_deadlock(req->lf_owner, blk->lf_owner)) {
				error = EDEADLK;
				break;
			}
			w.w_owner = lf_posix(req) ? req->lf_owner : NULL;
			w.w_blocker = blk->lf_owner;
			w.w_blocker_posix = lf_posix(blk);
			LIST_INSERT_HEAD(&lf_waiters, &w, w_list);
			error = vfs_cv_wait(&lf_cv, KWAIT_FOREVER);
			LIST_REMOVE(&w, w_list);
			if (error == ETIMEDOUT)
				error = 0;
			if (error != 0)
				break;
		}
	}
	if (error == 0 && (spare = kmem_alloc(sizeof(*spare))) == NULL)
		error = ENOLCK;
	if (error != 0) {
		kmem_free(req, sizeof(*req));
		return error;
	}
	lf_apply(vp, req, &spare);
	if (spare != NULL)
		kmem_free(spare, sizeof(*spare));
	return 0;
}

/* Removes the locks for which match() is true; with vfs_giant held. */
static void
lf_remove(struct vnode *vp, bool (*match)(const struct lockf *, void *),
    void *arg)
{
	struct lockf **prevp, *lf;
	bool woke = false;

	prevp = &vp->v_lockf;
	while ((lf = *prevp) != NULL) {
		if (match(lf, arg)) {
			lf_unlink(vp, prevp, lf);
			woke = true;
		} else
			prevp = &lf->lf_next;
	}
	if (woke)
		cv_broadcast(&lf_cv);
}

static bool
lf_match_file(const struct lockf *lf, void *fp)
{
	return (lf->lf_ofd || lf->lf_flock) && lf->lf_owner == fp;
}

static bool
lf_match_flock(const struct lockf *lf, void *fp)
{
	return lf->lf_flock && lf->lf_owner == fp;
}

static bool
lf_match_posix(const struct lockf *lf, void *fdp)
{
	return lf_posix(lf) && lf->lf_owner == fdp;
}

static bool
lf_match_all(const struct lockf *lf, void *arg)
{
	(void)lf;
	(void)arg;
	return true;
}

void
lf_release_file(struct vnode *vp, struct file *fp)
{
	lf_remove(vp, lf_match_file, fp);
}

void
lf_release_posix(struct vnode *vp, struct filedesc *fdp)
{
	lf_remove(vp, lf_match_posix, fdp);
}

void
lf_release_all(struct vnode *vp)
{
	lf_remove(vp, lf_match_all, NULL);
}

/* struct flock's range as [start, end]; f_lock and vfs_giant not held. */
static int
lf_range(struct file *fp, const struct flock *fl, int64_t *startp,
    int64_t *endp)
{
	struct vattr va;
	int64_t base, start, end;
	int error;

	switch (fl->l_whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		mutex_enter(&fp->f_lock);
		base = fp->f_offset;
		mutex_exit(&fp->f_lock);
		break;
	case SEEK_END:
		vfs_lock();
		error = vn_getattr(fp->f_vnode, &va);
		vfs_unlock();
		if (error != 0)
			return error;
		base = va.va_size;
		break;
	default:
		return EINVAL;
	}
	if (__builtin_add_overflow(base, fl->l_start, &start))
		return EOVERFLOW;
	if (fl->l_len > 0) {
		if (__builtin_add_overflow(start, fl->l_len - 1, &end))
			return EOVERFLOW;
	} else if (fl->l_len == 0) {
		end = LF_EOF;
	} else {
		end = start - 1;
		if (__builtin_add_overflow(start, fl->l_len, &start))
			return EINVAL;
	}
	if (start < 0)
		return EINVAL;
	*startp = start;
	*endp = end;
	return 0;
}

int
lf_fcntl(struct file *fp, int cmd, void *uarg)
{
	struct vnode *vp = fp->f_vnode;
	struct lockf probe, *req, *blk;
	struct proc *p = curproc;
	struct flock fl;
	bool ofd, getlk;
	int error;

	if (vp == NULL)
		return EINVAL;
	if ((error = copyin(uarg, &fl, sizeof(fl))) != 0)
		return error;
	ofd = cmd == F_OFD_GETLK || cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW;
	getlk = cmd == F_GETLK || cmd == F_OFD_GETLK;
	if (ofd && fl.l_pid != 0)
		return EINVAL;
	if (fl.l_type != F_RDLCK && fl.l_type != F_WRLCK &&
	    fl.l_type != F_UNLCK)
		return EINVAL;
	memset(&probe, 0, sizeof(probe));
	probe.lf_type = fl.l_type;
	probe.lf_ofd = ofd;
	probe.lf_owner = ofd ? (void *)fp : (void *)p->p_fd;
	probe.lf_pid = ofd ? -1 : p->p_pid;
	if ((error = lf_range(fp, &fl, &probe.lf_start, &probe.lf_end)) != 0)
		return error;

	if (getlk) {
		if (fl.l_type == F_UNLCK)
			return EINVAL;
		vfs_lock();
		if ((blk = lf_conflict(vp, &probe)) != NULL) {
			fl.l_type = blk->lf_type;
			fl.l_whence = SEEK_SET;
			fl.l_start = blk->lf_start;
			fl.l_len = blk->lf_end == LF_EOF ? 0 :
			    blk->lf_end - blk->lf_start + 1;
			fl.l_pid = blk->lf_ofd ? -1 : blk->lf_pid;
		} else
			fl.l_type = F_UNLCK;
		vfs_unlock();
		return copyout(&fl, uarg, sizeof(fl));
	}

	if ((fl.l_type == F_RDLCK && !FREAD(fp)) ||
	    (fl.l_type == F_WRLCK && !FWRITE(fp)))
		return EBADF;
	if ((req = kmem_alloc(sizeof(*req))) == NULL)
		return ENOLCK;
	*req = probe;
	vfs_lock();
	error = lf_setlock(vp, req,
	    cmd == F_SETLKW || cmd == F_OFD_SETLKW);
	vfs_unlock();
	return error;
}

bool
lf_flock_valid(int op)
{
	switch (op & ~LOCK_NB) {
	case LOCK_SH:
	case LOCK_EX:
	case LOCK_UN:
		return true;
	default:
		return false;
	}
}

int
lf_flock(struct file *fp, int op)
{
	struct vnode *vp = fp->f_vnode;
	struct lockf *lf, *req;
	short type;
	int error;

	switch (op & ~LOCK_NB) {
	case LOCK_SH:
		type = F_RDLCK;
		break;
	case LOCK_EX:
		type = F_WRLCK;
		break;
	case LOCK_UN:
		type = F_UNLCK;
		break;
	default:
		return EINVAL;
	}
	if (vp == NULL)
		return EINVAL;
	if ((req = kmem_zalloc(sizeof(*req))) == NULL)
		return ENOLCK;
	req->lf_type = type;
	req->lf_flock = true;
	req->lf_owner = fp;
	req->lf_pid = curproc->p_pid;
	req->lf_start = 0;
	req->lf_end = LF_EOF;
	vfs_lock();
	for (lf = vp->v_lockf; lf != NULL; lf = lf->lf_next)
		if (lf_sameowner(lf, req))
			break;
	if (lf != NULL && lf->lf_type == type) {
		kmem_free(req, sizeof(*req));
		vfs_unlock();
		return 0;
	}
	/* Linux converts by dropping the old lock first (not atomic). */
	if (lf != NULL && type != F_UNLCK)
		lf_remove(vp, lf_match_flock, fp);
	error = lf_setlock(vp, req, !(op & LOCK_NB));
	vfs_unlock();
	return error;
}
