/*
 * hj_wrap_mem.c: mmap of kernel files.
 *
 *  - MAP_SHARED (and MAP_SHARED_VALIDATE), any protection: the kernel
 *    hands over the file's memory object as a host descriptor
 *    (hj_kernel_mapobj: RUMP_PR_MAPOBJ embedded, rumpclient_mapobj over
 *    a unix socket) and the host maps that: the mapping shares its pages
 *    with the kernel's file and with every other mapping of it, in this
 *    process, its forks and other clients of the kernel on this host
 *    (doc/DESIGN.md, "Shared mappings").  munmap, mprotect, msync,
 *    SIGBUS past the end and fork are then the host's, exactly.  A file
 *    without an object (not on tmpfs) and a client over TCP get ENODEV.
 *  - MAP_PRIVATE: anonymous memory filled with the file's bytes: exact,
 *    since changes stay private anyway (the one difference: the copy is
 *    taken at mmap time, so later writes to the file by others do not
 *    show through untouched pages; pages past the end of the file read
 *    as zeros instead of raising SIGBUS).
 */
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hj.h"

HOST_CACHE(mmap);
HOST_CACHE(munmap);
HOST_CACHE(mprotect);

#define CHUNK	(1u << 20)	/* per kernel call: well under a frame */

/* Reads len bytes at off of kernel file k into p; short at EOF. */
static int
fill(int k, char *p, size_t len, off_t off)
{
	while (len > 0) {
		size_t want = len < CHUNK ? len : CHUNK;
		ssize_t n = hjk_pread64(k, p, want, off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			break;		/* EOF: the rest stays zero */
		p += n;
		off += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Linux's MAP_SHARED_VALIDATE mask (LEGACY_MAP_MASK | MAP_SYNC ...). */
#define VALIDATE_OK	(MAP_SHARED | MAP_PRIVATE | MAP_FIXED | \
	MAP_ANONYMOUS | MAP_DENYWRITE | MAP_EXECUTABLE | \
	MAP_GROWSDOWN | MAP_LOCKED | MAP_NORESERVE | MAP_POPULATE | \
	MAP_NONBLOCK | MAP_STACK | MAP_HUGETLB | MAP_FIXED_NOREPLACE | \
	MAP_SYNC | (0x3fu << 26))

static void *
k_mmap_shared(void *addr, size_t len, int prot, int flags, int k, off_t off)
{
	void *p;
	int h, e;

	if (len == 0) {
		errno = EINVAL;
		return MAP_FAILED;
	}
	if ((flags & MAP_TYPE) == MAP_SHARED_VALIDATE &&
	    (flags & ~VALIDATE_OK) != 0) {
		errno = EOPNOTSUPP;
		return MAP_FAILED;
	}
	if ((h = hj_kernel_mapobj(k, prot, flags)) < 0)
		return MAP_FAILED;
	p = HOST(mmap)(addr, len, prot, flags, h, off);
	e = errno;
	(void)syscall(SYS_close, h);	/* the mapping keeps the object */
	errno = e;
	return p;
}

static void *
k_mmap(void *addr, size_t len, int prot, int flags, int k, off_t off)
{
	int type = flags & MAP_TYPE, fl, e;
	long page = sysconf(_SC_PAGESIZE);
	struct stat st;
	void *p;
	size_t n = 0;

	if (off < 0 || (page > 0 && off % page != 0)) {
		errno = EINVAL;
		return MAP_FAILED;
	}
	if ((fl = hjk_fcntl(k, F_GETFL, 0)) < 0)
		return MAP_FAILED;
	if ((fl & O_ACCMODE) == O_WRONLY) {
		errno = EACCES;
		return MAP_FAILED;
	}
	if (type != MAP_PRIVATE && type != MAP_SHARED &&
	    type != MAP_SHARED_VALIDATE) {
		errno = EINVAL;
		return MAP_FAILED;
	}
	if (type != MAP_PRIVATE)
		return k_mmap_shared(addr, len, prot, flags, k, off);
	if (hjk_fstat(k, &st) != 0)
		return MAP_FAILED;
	if (!S_ISREG(st.st_mode)) {
		errno = ENODEV;
		return MAP_FAILED;
	}
	/* The host checks len, addr and MAP_FIXED* on the anonymous map. */
	flags = (flags & ~(MAP_TYPE | MAP_DENYWRITE | MAP_EXECUTABLE)) |
	    MAP_PRIVATE | MAP_ANONYMOUS;
	p = HOST(mmap)(addr, len, prot | PROT_READ | PROT_WRITE, flags, -1, 0);
	if (p == MAP_FAILED)
		return MAP_FAILED;
	if (off < st.st_size)
		n = (uint64_t)(st.st_size - off) < len ?
		    (size_t)(st.st_size - off) : len;
	if (fill(k, p, n, off) != 0 ||
	    ((prot & (PROT_READ | PROT_WRITE)) != (PROT_READ | PROT_WRITE) &&
	    HOST(mprotect)(p, len, prot) != 0)) {
		e = errno;
		HOST(munmap)(p, len);
		errno = e;
		return MAP_FAILED;
	}
	return p;
}

HJ_EXPORT void *
mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	int k;

	/* ld.so and malloc map through libc's own entry, not this one. */
	if ((flags & MAP_ANONYMOUS) || (k = hj_fd_kernel(fd)) < 0)
		return HOST(mmap)(addr, len, prot, flags, fd, off);
	return k_mmap(addr, len, prot, flags, k, off);
}

HJ_EXPORT void *
mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	return mmap64(addr, len, prot, flags, fd, off);
}
