/*
 * copy.c: moving data between client buffers and the kernel.
 *
 * Client buffers live in this address space (local clients) or were staged
 * into it by the sysproxy server (remote clients), so a copy is a memcpy
 * after the checks a kernel can make without an MMU: a null page address
 * (below 4096) or a range that wraps around the address space is EFAULT.
 * A copy of zero bytes succeeds whatever the address, as on Linux.
 * A pointer into unmapped memory cannot be caught here; a local client
 * that passes one crashes the way it would in libc.
 */
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
	memcpy(kaddr, uaddr, len);
	return 0;
}

int
copyout(const void *kaddr, void *uaddr, size_t len)
{
	if (len == 0)
		return 0;
	if (!user_range_ok(uaddr, len))
		return EFAULT;
	memcpy(uaddr, kaddr, len);
	return 0;
}

/*
 * Copies up to len bytes including the NUL; *donep (if not NULL) gets the
 * bytes copied, NUL included.  ENAMETOOLONG if no NUL within len bytes:
 * kaddr then holds len bytes, unterminated.
 */
int
copyinstr(const char *uaddr, char *kaddr, size_t len, size_t *donep)
{
	uintptr_t a = (uintptr_t)uaddr;
	size_t i;

	if (donep != NULL)
		*donep = 0;
	if (a < USER_MINADDR)
		return EFAULT;
	for (i = 0; i < len; i++) {
		if (a + i < a)
			return EFAULT;
		kaddr[i] = uaddr[i];
		if (kaddr[i] == '\0') {
			if (donep != NULL)
				*donep = i + 1;
			return 0;
		}
	}
	if (donep != NULL)
		*donep = len;
	return ENAMETOOLONG;
}

int
uiomove(void *kaddr, size_t n, struct uio *uio)
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
		if (uio->uio_kernel) {
			if (uio->uio_rw == UIO_READ)
				memcpy(iov->iov_base, cp, cnt);
			else
				memcpy(cp, iov->iov_base, cnt);
		} else {
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
