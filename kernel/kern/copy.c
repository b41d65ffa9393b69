/*
 * copy.c: moving data between client buffers and the kernel.
 *
 * Client buffers live in this address space (local clients) or were staged
 * into it by the sysproxy server (remote clients).  A copy goes through the
 * hypercall rumpuser_fcopy, which answers EFAULT for a null page address
 * (below 4096), a range that wraps around the address space, or memory
 * that is not mapped (or not readable/writable): a bad pointer of a local
 * client is EFAULT as on Linux, not a crash (doc/DESIGN.md, "Bad
 * pointers").  A copy of zero bytes succeeds whatever the address.
 */
#include <rump/rumpuser.h>

#include "k/kernel.h"

#include "kern_private.h"

#define USER_MINADDR	4096

static bool
user_range_ok(const void *uaddr, size_t len)
{
	uintptr_t a = (uintptr_t)uaddr;

	return a >= USER_MINADDR && a + len >= a;
}

int
copyin(const void *uaddr, void *kaddr, size_t len)
{
	if (len == 0)
		return 0;
	if (!user_range_ok(uaddr, len))
		return EFAULT;
	return rumpuser_fcopy(kaddr, uaddr, len);
}

int
copyout(const void *kaddr, void *uaddr, size_t len)
{
	if (len == 0)
		return 0;
	if (!user_range_ok(uaddr, len))
		return EFAULT;
	return rumpuser_fcopy(uaddr, kaddr, len);
}

/*
 * Copies up to len bytes including the NUL; *donep (if not NULL) gets the
 * bytes copied, NUL included.  ENAMETOOLONG if no NUL within len bytes:
 * kaddr then holds len bytes, unterminated.
 */
int
copyinstr(const char *uaddr, char *kaddr, size_t len, size_t *donep)
{
	size_t n;
	int error;

	if (donep != NULL)
		*donep = 0;
	if ((uintptr_t)uaddr < USER_MINADDR)
		return EFAULT;
	/* One checked scan, then one checked copy of what it found. */
	if ((error = rumpuser_fstrnlen(uaddr, len, &n)) != 0)
		return error;
	if (n == len) {
		if ((error = rumpuser_fcopy(kaddr, uaddr, len)) != 0)
			return error;
		if (donep != NULL)
			*donep = len;
		return ENAMETOOLONG;
	}
	if ((error = rumpuser_fcopy(kaddr, uaddr, n + 1)) != 0)
		return error;
	kaddr[n] = '\0';	/* another thread may have changed it */
	if (donep != NULL)
		*donep = n + 1;
	return 0;
}

static int
uiomove1(void *kaddr, size_t n, struct uio *uio, bool fsafe)
{
	char *cp = kaddr;
	int error;

	while (n > 0 && uio->uio_resid > 0) {
		struct iovec *iov = uio->uio_iov;
		size_t cnt;

		if (uio->uio_iovcnt <= 0)
			break;
		cnt = iov->iov_len;
		if (cnt == 0) {
			uio->uio_iov++;
			uio->uio_iovcnt--;
			continue;
		}
		cnt = MIN(cnt, n);
		cnt = MIN(cnt, uio->uio_resid);
		if (uio->uio_kernel && fsafe) {
			error = uio->uio_rw == UIO_READ ?
			    rumpuser_fcopy(iov->iov_base, cp, cnt) :
			    rumpuser_fcopy(cp, iov->iov_base, cnt);
			if (error != 0)
				return error;
		} else if (uio->uio_kernel) {
			if (uio->uio_rw == UIO_READ)
				memcpy(iov->iov_base, cp, cnt);
			else
				memcpy(cp, iov->iov_base, cnt);
		} else {
			/* copyin/copyout are fault-safe on both sides. */
			if (uio->uio_rw == UIO_READ)
				error = copyout(cp, iov->iov_base, cnt);
			else
				error = copyin(iov->iov_base, cp, cnt);
			if (error != 0)
				return error;
		}
		iov->iov_base = (char *)iov->iov_base + cnt;
		iov->iov_len -= cnt;
		uio->uio_resid -= cnt;
		uio->uio_offset += (int64_t)cnt;
		cp += cnt;
		n -= cnt;
	}
	return 0;
}

int
uiomove(void *kaddr, size_t n, struct uio *uio)
{
	return uiomove1(kaddr, n, uio, false);
}

int
uiomove_fsafe(void *kaddr, size_t n, struct uio *uio)
{
	return uiomove1(kaddr, n, uio, true);
}

/*
 * kiov must have room for iovcnt entries.  Linux's readv(2) rules: iovcnt
 * outside 0..UIO_MAXIOV is EINVAL, so is a total that overflows ssize_t;
 * the buffers themselves are checked when data moves.
 */
int
uio_setup_user(struct uio *uio, struct iovec *kiov, const void *uiov,
    int iovcnt, int64_t off, enum uio_rw rw)
{
	size_t total = 0;
	int error, i;

	if (iovcnt < 0 || iovcnt > UIO_MAXIOV)
		return EINVAL;
	error = copyin(uiov, kiov, (size_t)iovcnt * sizeof(*kiov));
	if (error != 0)
		return error;
	for (i = 0; i < iovcnt; i++) {
		if (kiov[i].iov_len > (size_t)INT64_MAX - total)
			return EINVAL;
		total += kiov[i].iov_len;
	}
	uio->uio_iov = kiov;
	uio->uio_iovcnt = iovcnt;
	uio->uio_offset = off;
	uio->uio_resid = total;
	uio->uio_rw = rw;
	uio->uio_kernel = false;
	return 0;
}
