/*
 * etfs.c: host files as kernel devices (NetBSD's "extra-terrestrial file
 * system"), the public rump_etfs_*() API of include/rump/rump.h.
 *
 * rump_etfs_register(key, hostpath, type) opens the host file and creates
 * a device node at key in the kernel's namespace:
 *   RUMP_ETFS_BLK  block device     (S_IFBLK | 0600)
 *   RUMP_ETFS_CHR  character device (S_IFCHR | 0600)
 *   RUMP_ETFS_REG  not supported yet: EOPNOTSUPP
 * Both device kinds share major DEV_ETFS_MAJOR (240, in Linux's range for
 * local use); each registration gets its own minor.  I/O goes to the host
 * file at begin + offset, clamped to the window [begin, begin + size):
 * reads past the end return 0, writes past it fail with ENOSPC.  ioctls:
 * BLKGETSIZE64, BLKGETSIZE, BLKSSZGET (512), BLKROGET; others ENOTTY.
 * A host file that cannot be opened read-write is registered read-only:
 * opening the node for writing then fails with EACCES, as Linux does for a
 * read-only block device.
 *
 * Errors: key not absolute: EINVAL; dev faction not up: ENXIO (a call
 * before rump_init() boots the kernel, as rump_sys_*() do); host file
 * missing: ENOENT (the host's errno otherwise); key already registered or
 * present in the namespace: EEXIST; parent of key missing: ENOENT.
 * rump_etfs_remove(key) unlinks the node (if it is still ours) and drops
 * the registration; the host file is closed once the last open of the
 * device is closed.  ENOENT for a key that is not registered.
 *
 * Locking: etfs_lock (a leaf) covers the list, reference counts and minor
 * numbers.  It is never held across a host call or a vfs call.  Each entry
 * holds one reference for the registry, one per open, and one per I/O in
 * progress; the last reference closes the host file and frees the entry.
 * The public functions run as a kernel entry (kernel_enter); the
 * vfs_*_kernel helpers take vfs_giant themselves.
 */
#include "k/kernel.h"
#include "k/component.h"
#include "k/vnode.h"

#include "rump/rumpuser.h"

#include "dev.h"

/*
 * The public declarations, mirrored from include/rump/rump.h: kernel code
 * cannot include that header (it pulls in the host's <sys/types.h>).
 */
enum rump_etfs_type {
	RUMP_ETFS_REG,
	RUMP_ETFS_BLK,
	RUMP_ETFS_CHR
};
#define RUMP_ETFS_SIZE_ENDOFF	UINT64_MAX	/* window runs to the end */

int rump_etfs_register(const char *key, const char *hostpath,
    enum rump_etfs_type ftype);
int rump_etfs_register_withsize(const char *key, const char *hostpath,
    enum rump_etfs_type ftype, uint64_t begin, uint64_t size);
int rump_etfs_remove(const char *key);

#define ETFS_MAXMINOR	(1U << 20)	/* Linux minors have 20 bits */
#define ETFS_BOUNCE	(64 * 1024)	/* largest host transfer per call */

struct etfs {
	LIST_ENTRY(etfs) e_list;
	char *e_key;			/* kmem_strdup */
	int e_hostfd;
	bool e_rdonly;
	bool e_gone;			/* no longer registered */
	uint32_t e_minor;
	uint64_t e_begin;
	uint64_t e_size;
	int e_refs;
	int e_opens;
};

static kmutex_t etfs_lock;
static LIST_HEAD(etfslist, etfs) etfs_list = LIST_HEAD_INITIALIZER(etfs_list);
static uint32_t etfs_nextminor;

/* --- entries and references ---------------------------------------------- */

static struct etfs *
etfs_byminor_locked(uint32_t minor)
{
	struct etfs *e;

	LIST_FOREACH(e, &etfs_list, e_list) {
		if (e->e_minor == minor)
			return e;
	}
	return NULL;
}

static struct etfs *
etfs_bykey_locked(const char *key)
{
	struct etfs *e;

	LIST_FOREACH(e, &etfs_list, e_list) {
		if (!e->e_gone && strcmp(e->e_key, key) == 0)
			return e;
	}
	return NULL;
}

static void
etfs_free(struct etfs *e)
{
	(void)rumpuser_close(e->e_hostfd);
	kmem_strfree(e->e_key);
	kmem_free(e, sizeof(*e));
}

/* Drops a reference; the last one unlinks and frees the entry. */
static void
etfs_rele(struct etfs *e)
{
	bool last;

	mutex_enter(&etfs_lock);
	KASSERT(e->e_refs > 0);
	last = --e->e_refs == 0;
	if (last)
		LIST_REMOVE(e, e_list);
	mutex_exit(&etfs_lock);
	if (last)
		etfs_free(e);
}

/* The entry behind dev, referenced, even if it was removed while open. */
static struct etfs *
etfs_hold(dev_t dev)
{
	struct etfs *e;

	mutex_enter(&etfs_lock);
	e = etfs_byminor_locked(MINOR(dev));
	if (e != NULL)
		e->e_refs++;
	mutex_exit(&etfs_lock);
	return e;
}

/* --- the device switch ---------------------------------------------------- */

static int
etfs_open(dev_t dev, int flags)
{
	struct etfs *e;
	int error = 0;

	mutex_enter(&etfs_lock);
	e = etfs_byminor_locked(MINOR(dev));
	if (e == NULL || e->e_gone)
		error = ENXIO;
	else if (e->e_rdonly && (flags & O_ACCMODE) != O_RDONLY)
		error = EACCES;
	else {
		e->e_opens++;
		e->e_refs++;
	}
	mutex_exit(&etfs_lock);
	return error;
}

static int
etfs_close(dev_t dev, int flags)
{
	struct etfs *e;
	bool drop = false;

	(void)flags;
	mutex_enter(&etfs_lock);
	e = etfs_byminor_locked(MINOR(dev));
	if (e != NULL && e->e_opens > 0) {
		e->e_opens--;
		drop = true;
	}
	mutex_exit(&etfs_lock);
	if (drop)
		etfs_rele(e);
	return 0;
}

static int
etfs_hostwrite(struct etfs *e, char *buf, size_t n, uint64_t hostoff)
{
	size_t done = 0, got;
	int error;

	/* A short write to a host file is retried, not reported. */
	while (done < n) {
		struct rumpuser_iovec iov = { buf + done, n - done };

		error = rumpuser_iovwrite(e->e_hostfd, &iov, 1,
		    (int64_t)(hostoff + done), &got);
		if (error != 0)
			return error;
		if (got == 0)
			return EIO;
		done += got;
	}
	return 0;
}

/* Moves data between uio and the window, through a bounce buffer. */
static int
etfs_io(struct etfs *e, struct uio *uio)
{
	bool isread = uio->uio_rw == UIO_READ;
	uint64_t off, total;
	size_t bsize, got;
	char *bounce;
	int error = 0;

	if (uio->uio_offset < 0)
		return EINVAL;
	if (uio->uio_resid == 0)
		return 0;
	off = (uint64_t)uio->uio_offset;
	if (off >= e->e_size)
		return isread ? 0 : ENOSPC;
	if (!isread && e->e_rdonly)
		return EBADF;
	total = MIN((uint64_t)uio->uio_resid, e->e_size - off);
	bsize = (size_t)MIN(total, (uint64_t)ETFS_BOUNCE);
	bounce = kmem_alloc(bsize);
	if (bounce == NULL)
		return ENOMEM;

	while (total > 0) {
		size_t n = (size_t)MIN(total, (uint64_t)bsize);
		uint64_t hostoff = e->e_begin + off;

		if (isread) {
			struct rumpuser_iovec iov = { bounce, n };

			error = rumpuser_iovread(e->e_hostfd, &iov, 1,
			    (int64_t)hostoff, &got);
			if (error != 0 || got == 0)
				break;
			error = uiomove(bounce, got, uio);
		} else {
			error = uiomove(bounce, n, uio);
			if (error == 0)
				error = etfs_hostwrite(e, bounce, n, hostoff);
			got = n;
		}
		if (error != 0)
			break;
		off += got;
		total -= got;
		/* The host file ends inside the window: that is EOF. */
		if (got < n)
			break;
	}
	kmem_free(bounce, bsize);
	return error;
}

static int
etfs_rw(dev_t dev, struct uio *uio, int flags)
{
	struct etfs *e;
	int error;

	(void)flags;
	e = etfs_hold(dev);
	if (e == NULL)
		return ENXIO;
	error = etfs_io(e, uio);
	etfs_rele(e);
	return error;
}

static int
etfs_ioctl(dev_t dev, unsigned long cmd, void *data)
{
	struct etfs *e;
	uint64_t size64;
	unsigned long sectors;
	int ival, error;

	e = etfs_hold(dev);
	if (e == NULL)
		return ENXIO;
	switch (cmd) {
	case BLKGETSIZE64:
		size64 = e->e_size;
		error = copyout(&size64, data, sizeof(size64));
		break;
	case BLKGETSIZE:
		sectors = (unsigned long)(e->e_size >> 9);
		error = copyout(&sectors, data, sizeof(sectors));
		break;
	case BLKSSZGET:
		ival = 512;
		error = copyout(&ival, data, sizeof(ival));
		break;
	case BLKROGET:
		ival = e->e_rdonly ? 1 : 0;
		error = copyout(&ival, data, sizeof(ival));
		break;
	default:
		error = ENOTTY;
		break;
	}
	etfs_rele(e);
	return error;
}

static int
etfs_poll(dev_t dev, int events)
{
	(void)dev;
	return events & (POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM);
}

static int
etfs_size(dev_t dev, uint64_t *sizep)
{
	struct etfs *e;

	e = etfs_hold(dev);
	if (e == NULL)
		return ENXIO;
	*sizep = e->e_size;
	etfs_rele(e);
	return 0;
}

static int
etfs_fsync(dev_t dev)
{
	struct etfs *e;
	int error;

	e = etfs_hold(dev);
	if (e == NULL)
		return ENXIO;
	error = e->e_rdonly ? 0 : rumpuser_syncfd(e->e_hostfd, 0);
	etfs_rele(e);
	return error;
}

static const struct devsw etfs_devsw = {
	.d_name = "etfs",
	.d_open = etfs_open,
	.d_close = etfs_close,
	.d_read = etfs_rw,
	.d_write = etfs_rw,
	.d_ioctl = etfs_ioctl,
	.d_poll = etfs_poll,
	.d_size = etfs_size,
	.d_fsync = etfs_fsync,
};

int
etfs_init(void)
{
	int error;

	mutex_init(&etfs_lock);
	error = devsw_attach(true, DEV_ETFS_MAJOR, &etfs_devsw);
	if (error == 0)
		error = devsw_attach(false, DEV_ETFS_MAJOR, &etfs_devsw);
	return error;
}

/* --- the public API ---------------------------------------------------------- */

/*
 * A public call runs like a system call: kernel_enter() boots the kernel
 * if needed (as rump_sys_*() do) and gives us the caller's lwp and a
 * virtual CPU.  ENXIO if the dev faction did not come up.
 */
static int
etfs_enter(struct lwp **lp)
{
	int error;

	if ((error = kernel_enter(lp)) != 0)
		return error;
	if (!component_present("dev")) {
		kernel_exit(*lp);
		return ENXIO;
	}
	return 0;
}

static int
etfs_checkkey(const char *key)
{
	size_t len;

	if (key == NULL || key[0] != '/')
		return EINVAL;
	len = strlen(key);
	if (len >= PATH_MAX)
		return ENAMETOOLONG;
	/* The root itself cannot be a device node. */
	if (len == 1)
		return EEXIST;
	return 0;
}

/* Picks a free minor (etfs_lock held); false if all are taken. */
static bool
etfs_allocminor_locked(uint32_t *minorp)
{
	uint32_t i, m;

	for (i = 0; i < ETFS_MAXMINOR; i++) {
		m = (etfs_nextminor + i) % ETFS_MAXMINOR;
		if (etfs_byminor_locked(m) == NULL) {
			etfs_nextminor = (m + 1) % ETFS_MAXMINOR;
			*minorp = m;
			return true;
		}
	}
	return false;
}

/* Opens the host file read-write, or read-only if that is all we may. */
static int
etfs_hostopen(const char *hostpath, int *fdp, bool *rdonlyp)
{
	int error;

	*rdonlyp = false;
	error = rumpuser_open(hostpath, RUMPUSER_OPEN_RDWR, fdp);
	if (error == EACCES || error == EROFS || error == EPERM) {
		*rdonlyp = true;
		error = rumpuser_open(hostpath, RUMPUSER_OPEN_RDONLY, fdp);
	}
	return error;
}

static int
etfs_register(const char *key, const char *hostpath,
    enum rump_etfs_type ftype, bool withsize, uint64_t begin, uint64_t size)
{
	struct etfs *e;
	uint64_t hsize;
	int htype, error;
	bool isblk;

	if ((error = etfs_checkkey(key)) != 0)
		return error;
	if (hostpath == NULL || hostpath[0] == '\0')
		return hostpath == NULL ? EINVAL : ENOENT;
	switch (ftype) {
	case RUMP_ETFS_BLK:
		isblk = true;
		break;
	case RUMP_ETFS_CHR:
		isblk = false;
		break;
	case RUMP_ETFS_REG:
		/* XXX: needs a file system whose node reads the host file. */
		return EOPNOTSUPP;
	default:
		return EINVAL;
	}

	error = rumpuser_getfileinfo(hostpath, &hsize, &htype);
	if (error != 0)
		return error;
	if (htype == RUMPUSER_FT_DIR)
		return EISDIR;
	if (htype != RUMPUSER_FT_REG && htype != RUMPUSER_FT_BLK &&
	    htype != RUMPUSER_FT_CHR)
		return EINVAL;
	if (!withsize) {
		begin = 0;
		size = hsize;
	} else if (size == RUMP_ETFS_SIZE_ENDOFF) {
		size = hsize > begin ? hsize - begin : 0;
	}
	if (begin > (uint64_t)INT64_MAX || size > (uint64_t)INT64_MAX - begin)
		return EINVAL;

	e = kmem_zalloc(sizeof(*e));
	if (e == NULL)
		return ENOMEM;
	e->e_key = kmem_strdup(key);
	if (e->e_key == NULL) {
		kmem_free(e, sizeof(*e));
		return ENOMEM;
	}
	error = etfs_hostopen(hostpath, &e->e_hostfd, &e->e_rdonly);
	if (error != 0) {
		kmem_strfree(e->e_key);
		kmem_free(e, sizeof(*e));
		return error;
	}
	e->e_begin = begin;
	e->e_size = size;
	e->e_refs = 1;			/* the registry's */

	mutex_enter(&etfs_lock);
	if (etfs_bykey_locked(key) != NULL)
		error = EEXIST;
	else if (!etfs_allocminor_locked(&e->e_minor))
		error = ENOSPC;
	else
		LIST_INSERT_HEAD(&etfs_list, e, e_list);
	mutex_exit(&etfs_lock);
	if (error != 0) {
		etfs_free(e);
		return error;
	}

	/* The entry is in place before the node, so an open finds it. */
	error = vfs_mknod_kernel(key, (isblk ? S_IFBLK : S_IFCHR) | 0600,
	    MAKEDEV(DEV_ETFS_MAJOR, e->e_minor));
	if (error != 0) {
		mutex_enter(&etfs_lock);
		e->e_gone = true;
		mutex_exit(&etfs_lock);
		etfs_rele(e);
		return error;
	}
	kverbose("etfs: %s -> %s (%s %u:%u, %llu bytes at %llu%s)\n", key,
	    hostpath, isblk ? "blk" : "chr", DEV_ETFS_MAJOR, e->e_minor,
	    (unsigned long long)size, (unsigned long long)begin,
	    e->e_rdonly ? ", read-only" : "");
	return 0;
}

/* True if the node at key is still the device we created. */
static bool
etfs_node_is(const char *key, dev_t dev)
{
	struct vnode *vp;
	bool ours;

	if (vfs_lookup_kernel(key, &vp) != 0)
		return false;
	vfs_lock();
	ours = (vp->v_type == VBLK || vp->v_type == VCHR) &&
	    vp->v_rdev == dev;
	vrele(vp);
	vfs_unlock();
	return ours;
}

int
rump_etfs_register(const char *key, const char *hostpath,
    enum rump_etfs_type ftype)
{
	struct lwp *l;
	int error;

	if ((error = etfs_enter(&l)) != 0)
		return error;
	error = etfs_register(key, hostpath, ftype, false, 0, 0);
	kernel_exit(l);
	return error;
}

int
rump_etfs_register_withsize(const char *key, const char *hostpath,
    enum rump_etfs_type ftype, uint64_t begin, uint64_t size)
{
	struct lwp *l;
	int error;

	if ((error = etfs_enter(&l)) != 0)
		return error;
	error = etfs_register(key, hostpath, ftype, true, begin, size);
	kernel_exit(l);
	return error;
}

int
rump_etfs_remove(const char *key)
{
	struct etfs *e;
	struct lwp *l;
	dev_t dev;
	int error;

	if ((error = etfs_checkkey(key)) != 0)
		return error == EEXIST ? ENOENT : error;
	if ((error = etfs_enter(&l)) != 0)
		return error;

	mutex_enter(&etfs_lock);
	e = etfs_bykey_locked(key);
	if (e != NULL)
		e->e_gone = true;	/* no new opens from here on */
	mutex_exit(&etfs_lock);
	if (e == NULL) {
		kernel_exit(l);
		return ENOENT;
	}

	/*
	 * The client may have renamed or replaced the node: only our own
	 * device is unlinked, and a node that is already gone is fine.
	 */
	dev = MAKEDEV(DEV_ETFS_MAJOR, e->e_minor);
	if (etfs_node_is(key, dev)) {
		error = vfs_unlink_kernel(key);
		if (error == ENOENT)
			error = 0;
	}
	etfs_rele(e);		/* the registry's reference */
	kernel_exit(l);
	return error;
}
