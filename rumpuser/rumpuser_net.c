/*
 * rumpuser_net.c: what the kernel's Ethernet drivers need of the host
 * (<rump/rumpuser.h>, "shared buses and packet devices"): a host file
 * mapped shared (the shmif bus), shared futexes on words in it (waiting
 * for frames of other processes), and TAP devices (/dev/net/tun).
 *
 * Every call that may block gives up the caller's virtual CPU around the
 * host call, as rumpuser_iovread does.  A tap read first tries without
 * blocking, with the CPU kept: under load that is one read(2) per frame
 * and no poll(2), no CPU hand-over.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "rumpuser_int.h"

struct rumpuser_shmap {
	void *base;
	size_t size;
};

RUMPUSER_EXPORT int
rumpuser_shmap_open(const char *path, uint64_t minsize,
    struct rumpuser_shmap **smp, void **basep, uint64_t *sizep)
{
	struct rumpuser_shmap *sm;
	struct stat st;
	int fd, error = 0, saved = errno;
	void *p;

	if (minsize > RUMPUSER_SHMAP_MAX)
		return EFBIG;
	if ((sm = malloc(sizeof(*sm))) == NULL)
		return ENOMEM;
	rumpuser__unsched();
	do {
		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	} while (fd < 0 && errno == EINTR);
	if (fd < 0) {
		error = errno;
		goto out;
	}
	if (fstat(fd, &st) != 0) {
		error = errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		error = EINVAL;
		goto out;
	}
	/* Two kernels extending at once both ask for the same size. */
	if ((uint64_t)st.st_size < minsize) {
		if (ftruncate(fd, (off_t)minsize) != 0) {
			error = errno;
			goto out;
		}
		st.st_size = (off_t)minsize;
	}
	if ((uint64_t)st.st_size > RUMPUSER_SHMAP_MAX) {
		error = EFBIG;
		goto out;
	}
	p = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED,
	    fd, 0);
	if (p == MAP_FAILED) {
		error = errno;
		goto out;
	}
	sm->base = p;
	sm->size = (size_t)st.st_size;
out:
	if (fd >= 0)
		close(fd);	/* the mapping keeps the file */
	errno = saved;
	rumpuser__sched();
	if (error != 0) {
		free(sm);
		return error;
	}
	*smp = sm;
	*basep = sm->base;
	*sizep = sm->size;
	return 0;
}

RUMPUSER_EXPORT void
rumpuser_shmap_close(struct rumpuser_shmap *sm)
{
	munmap(sm->base, sm->size);
	free(sm);
}

RUMPUSER_EXPORT int
rumpuser_futex_wait(uint32_t *word, uint32_t expected, int64_t timeout_ns)
{
	struct timespec ts, *tsp = NULL;
	int error = 0, saved = errno;
	long rv;

	if (timeout_ns >= 0) {
		ts.tv_sec = (time_t)(timeout_ns / 1000000000);
		ts.tv_nsec = (long)(timeout_ns % 1000000000);
		tsp = &ts;
	}
	rumpuser__unsched();
	/* Not FUTEX_PRIVATE: the word is shared with other processes. */
	rv = syscall(SYS_futex, word, FUTEX_WAIT, expected, tsp, NULL, 0);
	if (rv != 0) {
		if (errno == EAGAIN || errno == ETIMEDOUT)
			error = errno;
		/* EINTR: a spurious wakeup, as the contract allows. */
	}
	errno = saved;
	rumpuser__sched();
	return error;
}

RUMPUSER_EXPORT void
rumpuser_futex_wake(uint32_t *word, int nwake)
{
	int saved = errno;

	syscall(SYS_futex, word, FUTEX_WAKE, nwake, NULL, NULL, 0);
	errno = saved;
}

RUMPUSER_EXPORT int
rumpuser_tap_open(const char *name, int *fdp, int *offloadp)
{
	struct ifreq ifr;
	int fd, error = 0, saved = errno, hdrsz = 10;

	if (name == NULL || strlen(name) >= IFNAMSIZ || *name == '\0')
		return EINVAL;
	rumpuser__unsched();
	if ((fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK)) < 0) {
		error = errno;
		goto out;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	memcpy(ifr.ifr_name, name, strlen(name));
	if (ioctl(fd, TUNSETIFF, &ifr) != 0) {
		error = errno;
		close(fd);
		goto out;
	}
	/* Every frame with a virtio-net header (as QEMU's); the host may
	 * then give partial checksums and large TCPv4 segments, and takes
	 * ours.  Without the offloads the header is still there, empty. */
	*offloadp = ioctl(fd, TUNSETVNETHDRSZ, &hdrsz) == 0 &&
	    ioctl(fd, TUNSETOFFLOAD, TUN_F_CSUM | TUN_F_TSO4) == 0;
	*fdp = fd;
out:
	errno = saved;
	rumpuser__sched();
	return error;
}

RUMPUSER_EXPORT int
rumpuser_tap_read(int fd, void *buf, size_t len, int64_t timeout_ns,
    size_t *retp)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int error = 0, saved = errno, ms;
	ssize_t n;

	if ((n = read(fd, buf, len)) >= 0) {
		*retp = (size_t)n;
		return 0;
	}
	if (errno != EAGAIN && errno != EINTR) {
		error = errno;
		errno = saved;
		return error;
	}
	if (timeout_ns < 0)
		ms = -1;
	else if (timeout_ns / 1000000 > INT_MAX)
		ms = INT_MAX;
	else
		ms = (int)((timeout_ns + 999999) / 1000000);
	rumpuser__unsched();
	for (;;) {
		int r = poll(&pfd, 1, ms);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			error = errno;
			break;
		}
		if (r == 0) {
			error = ETIMEDOUT;
			break;
		}
		if ((n = read(fd, buf, len)) >= 0) {
			*retp = (size_t)n;
			break;
		}
		if (errno != EAGAIN && errno != EINTR) {
			error = errno;
			break;
		}
	}
	errno = saved;
	rumpuser__sched();
	return error;
}

RUMPUSER_EXPORT int
rumpuser_tap_write(int fd, const struct rumpuser_iovec *iov, size_t iovlen,
    size_t *retp)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	int error = 0, saved = errno;
	ssize_t n;

	if (iovlen > IOV_MAX)
		return EINVAL;
	/* The tun queue full: wait for room (without the CPU). */
	while ((n = writev(fd, (const struct iovec *)(const void *)iov,
	    (int)iovlen)) < 0) {
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN) {
			error = errno;
			break;
		}
		rumpuser__unsched();
		(void)poll(&pfd, 1, 100);
		rumpuser__sched();
	}
	if (error == 0)
		*retp = (size_t)n;
	errno = saved;
	return error;
}
