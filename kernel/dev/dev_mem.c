/*
 * dev_mem.c: the dev faction's component and the memory devices.
 *
 * Character major 1, Linux's numbers and semantics:
 *   minor 3 /dev/null     reads EOF, swallows writes
 *   minor 5 /dev/zero     reads zeros, swallows writes
 *   minor 7 /dev/full     reads zeros, writes fail with ENOSPC
 *   minor 8 /dev/random   reads from kern_getrandom, never blocks; writes
 *   minor 9 /dev/urandom  are read and ignored (Linux mixes them in, which
 *                         credits no entropy either)
 * All of them poll always readable and writable.  /dev/random is the same
 * as /dev/urandom, as on Linux since 5.6 once the pool is ready (the host's
 * pool always is by the time a program runs).
 *
 * dev_init attaches the switches (memory devices, etfs); dev_postinit,
 * which runs after vfs mounted the root, creates /dev and the nodes.
 *
 * Locking: the memory devices have no state.  Each handler may be called
 * with vfs_giant held and takes no lock.
 */
#include "k/kernel.h"
#include "k/component.h"
#include "k/syscall.h"
#include "k/vnode.h"

#include "syscallargs.h"

#include "dev.h"

/* Linux's <linux/random.h>: entropy count of the pool, in bits. */
#define RNDGETENTCNT	0x80045200UL

/* Source of zeros for /dev/zero and /dev/full; never written. */
static char dev_zeropage[4096];

/* How many bytes a long read moves between checks for an interruption. */
#define DEV_INTR_CHUNK	(64 * 1024)

static bool
mem_minor_ok(dev_t dev)
{
	switch (MINOR(dev)) {
	case DEV_MEM_NULL:
	case DEV_MEM_ZERO:
	case DEV_MEM_FULL:
	case DEV_MEM_RANDOM:
	case DEV_MEM_URANDOM:
		return true;
	default:
		return false;
	}
}

/*
 * Consumes the rest of uio without touching the buffers, as Linux's
 * /dev/null does: the write "succeeds" for every byte.
 */
static void
dev_uio_skip(struct uio *uio)
{
	int i;

	for (i = 0; i < uio->uio_iovcnt && uio->uio_resid > 0; i++) {
		struct iovec *iov = &uio->uio_iov[i];
		size_t n = MIN(iov->iov_len, uio->uio_resid);

		iov->iov_base = (char *)iov->iov_base + n;
		iov->iov_len -= n;
		uio->uio_resid -= n;
		uio->uio_offset += (int64_t)n;
	}
	uio->uio_resid = 0;
}

/*
 * A long read stops early, with what it moved, when the caller is
 * interrupted; the first chunk always goes through so a read makes
 * progress (Linux returns a short count the same way).
 */
static bool
dev_should_stop(size_t moved)
{
	return moved >= DEV_INTR_CHUNK && moved % DEV_INTR_CHUNK == 0 &&
	    lwp_interrupted(curlwp);
}

static int
mem_read_zeros(struct uio *uio)
{
	size_t moved = 0;
	int error;

	while (uio->uio_resid > 0) {
		size_t n = MIN(uio->uio_resid, sizeof(dev_zeropage));

		if (dev_should_stop(moved))
			break;
		error = uiomove(dev_zeropage, n, uio);
		if (error != 0)
			return error;
		moved += n;
	}
	return 0;
}

static int
mem_read_random(struct uio *uio)
{
	char buf[512];
	size_t moved = 0, got;
	int error = 0;

	while (uio->uio_resid > 0) {
		size_t n = MIN(uio->uio_resid, sizeof(buf));

		if (dev_should_stop(moved))
			break;
		error = kern_getrandom(buf, n, 0, &got);
		if (error != 0)
			break;
		if (got == 0) {
			error = EIO;
			break;
		}
		error = uiomove(buf, got, uio);
		if (error != 0)
			break;
		moved += got;
	}
	/* Do not leave key material on the stack. */
	memset(buf, 0, sizeof(buf));
	return error;
}

/* Reads and drops the written bytes, so a bad buffer still gives EFAULT. */
static int
mem_write_discard(struct uio *uio)
{
	char buf[512];
	int error;

	while (uio->uio_resid > 0) {
		size_t n = MIN(uio->uio_resid, sizeof(buf));

		error = uiomove(buf, n, uio);
		if (error != 0)
			return error;
	}
	return 0;
}

static int
mem_open(dev_t dev, int flags)
{
	(void)flags;
	return mem_minor_ok(dev) ? 0 : ENXIO;
}

static int
mem_close(dev_t dev, int flags)
{
	(void)dev;
	(void)flags;
	return 0;
}

static int
mem_read(dev_t dev, struct uio *uio, int flags)
{
	(void)flags;
	switch (MINOR(dev)) {
	case DEV_MEM_NULL:
		return 0;
	case DEV_MEM_ZERO:
	case DEV_MEM_FULL:
		return mem_read_zeros(uio);
	case DEV_MEM_RANDOM:
	case DEV_MEM_URANDOM:
		return mem_read_random(uio);
	default:
		return ENXIO;
	}
}

static int
mem_write(dev_t dev, struct uio *uio, int flags)
{
	(void)flags;
	switch (MINOR(dev)) {
	case DEV_MEM_NULL:
	case DEV_MEM_ZERO:
		dev_uio_skip(uio);
		return 0;
	case DEV_MEM_FULL:
		return uio->uio_resid > 0 ? ENOSPC : 0;
	case DEV_MEM_RANDOM:
	case DEV_MEM_URANDOM:
		return mem_write_discard(uio);
	default:
		return ENXIO;
	}
}

static int
mem_ioctl(dev_t dev, unsigned long cmd, void *data)
{
	int bits = 256;

	switch (MINOR(dev)) {
	case DEV_MEM_RANDOM:
	case DEV_MEM_URANDOM:
		/* The host's pool is always initialized: report it full. */
		if (cmd == RNDGETENTCNT)
			return copyout(&bits, data, sizeof(bits));
		return ENOTTY;
	default:
		return mem_minor_ok(dev) ? ENOTTY : ENXIO;
	}
}

static int
mem_poll(dev_t dev, int events)
{
	(void)dev;
	return events & (POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM);
}

static int
mem_size(dev_t dev, uint64_t *sizep)
{
	(void)dev;
	*sizep = 0;
	return 0;
}

/* Linux: fsync on a memory device is EINVAL (no fsync method). */
static int
mem_fsync(dev_t dev)
{
	(void)dev;
	return EINVAL;
}

static const struct devsw mem_devsw = {
	.d_name = "mem",
	.d_open = mem_open,
	.d_close = mem_close,
	.d_read = mem_read,
	.d_write = mem_write,
	.d_ioctl = mem_ioctl,
	.d_poll = mem_poll,
	.d_size = mem_size,
	.d_fsync = mem_fsync,
};

static const struct {
	const char *path;
	uint32_t minor;
} mem_nodes[] = {
	{ "/dev/null", DEV_MEM_NULL },
	{ "/dev/zero", DEV_MEM_ZERO },
	{ "/dev/full", DEV_MEM_FULL },
	{ "/dev/random", DEV_MEM_RANDOM },
	{ "/dev/urandom", DEV_MEM_URANDOM },
};

static int
dev_init(void)
{
	int error;

	error = devsw_attach(false, DEV_MEM_MAJOR, &mem_devsw);
	if (error != 0)
		return error;
	error = etfs_init();
	if (error != 0)
		return error;
	/* The dev faction's entry points (none today; the table may grow). */
	syscall_register(syscalls_dev);
	return 0;
}

/* An existing node (a second boot over a persistent root) is fine. */
static int
dev_postinit(void)
{
	size_t i;
	int error;

	error = vfs_mkdir_kernel("/dev", 0755);
	if (error != 0 && error != EEXIST) {
		kprintf("dev: cannot create /dev: error %d\n", error);
		return error;
	}
	for (i = 0; i < __arraycount(mem_nodes); i++) {
		error = vfs_mknod_kernel(mem_nodes[i].path, S_IFCHR | 0666,
		    MAKEDEV(DEV_MEM_MAJOR, mem_nodes[i].minor));
		if (error != 0 && error != EEXIST) {
			kprintf("dev: cannot create %s: error %d\n",
			    mem_nodes[i].path, error);
			return error;
		}
	}
	kverbose("dev: /dev populated\n");
	return 0;
}

RUMP_COMPONENT(dev_component, "dev", dev_init, dev_postinit, "vfs")
