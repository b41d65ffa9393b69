/*
 * kern_file.c: open file descriptions (struct file) and file_cv_wait(),
 * the sleep of blocking file operations.
 *
 * A file is reference counted (f_count, atomic).  Descriptor slots, calls
 * in progress and other kernel holders each own a reference; the last
 * file_rele() calls fo_close, drops the opener's credentials and frees the
 * file.  f_lock covers f_offset and f_flag (see k/file.h).
 *
 * A file in an epoll instance (f_epitems) leaves it before fo_close, so
 * that no epoll item outlives the object it is registered on.
 */
#include "k/kernel.h"
#include "k/file.h"

/*
 * How long a sleeper goes without checking lwp_interrupted().  Nothing
 * wakes a sleeper on interruption, so this bounds how late an interrupted
 * call notices; long enough that idle sleepers cost next to nothing.
 */
#define INTR_SLICE_NS	(250LL * 1000 * 1000)

void
file_init(void)
{
}

int
file_alloc(struct file **fpp)
{
	struct file *fp;

	/* Memory is the only limit on open files here (no ENFILE table). */
	if ((fp = kmem_zalloc(sizeof(*fp))) == NULL)
		return ENOMEM;
	mutex_init(&fp->f_lock);
	atomic_init(&fp->f_count, 1);
	fp->f_cred = kauth_cred_get();
	cred_hold(fp->f_cred);
	*fpp = fp;
	return 0;
}

void
file_hold(struct file *fp)
{
	int old;

	old = atomic_fetch_add_explicit(&fp->f_count, 1, memory_order_relaxed);
	KASSERT(old > 0);
}

void
file_rele(struct file *fp)
{
	int old;

	/* acq_rel: the freeing thread sees every holder's last writes. */
	old = atomic_fetch_sub_explicit(&fp->f_count, 1, memory_order_acq_rel);
	KASSERT(old > 0);
	if (old != 1)
		return;
	/* Nobody else holds fp: no epoll item can be added meanwhile. */
	if (__atomic_load_n(&fp->f_epitems, __ATOMIC_ACQUIRE) != NULL)
		epoll_file_release(fp);
	/* f_ops is still NULL if the file was never set up (error paths). */
	if (fp->f_ops != NULL && fp->f_ops->fo_close != NULL)
		(void)fp->f_ops->fo_close(fp);
	if (fp->f_cred != NULL)
		cred_free(fp->f_cred);
	mutex_destroy(&fp->f_lock);
	kmem_free(fp, sizeof(*fp));
}

int64_t
uptime_ns(void)
{
	struct timespec ts;

	getnanouptime(&ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int
file_cv_wait(kcondvar_t *cv, kmutex_t *m, int64_t deadline)
{
	struct lwp *l = curlwp;
	int64_t ns = INTR_SLICE_NS, now;

	if (lwp_interrupted(l))
		return EINTR;
	if (deadline != KWAIT_FOREVER) {
		now = uptime_ns();
		if (now >= deadline)
			return ETIMEDOUT;
		if (deadline - now < ns)
			ns = deadline - now;
	}
	(void)cv_timedwait(cv, m, ns);
	if (lwp_interrupted(l))
		return EINTR;
	if (deadline != KWAIT_FOREVER && uptime_ns() >= deadline)
		return ETIMEDOUT;
	return 0;
}
