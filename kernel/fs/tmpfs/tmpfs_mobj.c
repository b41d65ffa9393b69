/*
 * tmpfs_mobj.c: the data of a regular file that has been mapped shared.
 *
 * The first MAP_SHARED mapping of a file moves its pages into a host
 * memory object (tmpfs_pages_tomobj, rumpuser_mobj_*), and from then on
 * the kernel's reads and writes go to the object's pages through the
 * kernel's view of it (tp_base), the same pages every client maps: the
 * file is coherent with every mapping without any copying or write-back
 * (doc/DESIGN.md, "Shared mappings").
 *
 * The object's size is always the file's size, so a mapping ends where
 * the file ends as on Linux (SIGBUS past the last page).  Accounting: a
 * mapped file is charged for every page its size covers, holes included
 * (tp_npages, pp_pages and RUMP_MEMLIMIT through kmem_pages_charge), as
 * if it had been written in full; that is what it may come to, since any
 * mapping may write any page.
 *
 * A client holding the object could resize it behind the kernel's back.
 * The kernel never faults on that: its copies to and from the view are
 * fault-safe (uiomove_fsafe, rumpuser_fcopy) and answer EFAULT; the next
 * change of the file's size puts the object's size back.
 *
 * Locking: vfs_giant, held by the caller.
 */
#include <rump/rumpuser.h>

#include "tmpfs.h"

static const char tmpfs_zeros[TMPFS_PAGE_SIZE];

static uint64_t
size_pages(int64_t size)
{
	return howmany((uint64_t)size, TMPFS_PAGE_SIZE);
}

/* Charges or uncharges the difference, then sizes the object. */
int
tmpfs_mobj_resize(struct tmpfs_pagepool *pp, struct tmpfs_pages *tp,
    int64_t oldsize, int64_t newsize)
{
	uint64_t np = size_pages(newsize), d = 0;
	void *base;
	int error;

	(void)oldsize;
	if (np > tp->tp_npages) {
		d = np - tp->tp_npages;
		if (pp->pp_maxpages != 0 && pp->pp_pages + d > pp->pp_maxpages)
			return ENOSPC;
		if (!kmem_pages_charge(d))
			return ENOSPC;
	}
	if ((error = rumpuser_mobj_setsize(tp->tp_mobj, (uint64_t)newsize,
	    &base)) != 0) {
		if (d != 0)
			kmem_pages_uncharge(d);
		return error;
	}
	tp->tp_base = base;
	if (np > tp->tp_npages) {
		pp->pp_pages += d;
	} else {
		d = tp->tp_npages - np;
		pp->pp_pages -= d;
		kmem_pages_uncharge(d);
	}
	tp->tp_npages = np;
	return 0;
}

int
tmpfs_mobj_read(struct tmpfs_pages *tp, int64_t size, struct uio *uio)
{
	uint64_t n;

	if (uio->uio_offset < 0)
		return EINVAL;
	if (uio->uio_offset >= size)
		return 0;
	n = MIN((uint64_t)uio->uio_resid, (uint64_t)(size - uio->uio_offset));
	return uiomove_fsafe(tp->tp_base + uio->uio_offset, (size_t)n, uio);
}

/*
 * As tmpfs_pages_write: the object grows to the end of the write first
 * (so a mapping sees the new size and the kernel never writes past the
 * object), and back to what was written if the copy stopped short.
 */
int
tmpfs_mobj_write(struct tmpfs_pagepool *pp, struct tmpfs_pages *tp,
    struct uio *uio, int64_t *sizep)
{
	int64_t off = uio->uio_offset, old = *sizep, end;
	uint64_t n;
	int error;

	if (off < 0)
		return EINVAL;
	if (off >= TMPFS_MAXFILESIZE)
		return EFBIG;
	n = MIN((uint64_t)uio->uio_resid, (uint64_t)(TMPFS_MAXFILESIZE - off));
	end = off + (int64_t)n;
	if (end > old && (error = tmpfs_mobj_resize(pp, tp, old, end)) != 0)
		return error;
	error = uiomove_fsafe(tp->tp_base + off, (size_t)n, uio);
	if (uio->uio_offset > *sizep)
		*sizep = uio->uio_offset;
	if (end > old && *sizep < end)
		(void)tmpfs_mobj_resize(pp, tp, end, *sizep);
	if (error == 0 && uio->uio_resid > 0)
		error = EFBIG;
	return error;
}

/* Zeroes [off, end) of the object, fault-safe. */
static int
mobj_zero(struct tmpfs_pages *tp, int64_t off, int64_t end)
{
	int64_t n;
	int error;

	for (; off < end; off += n) {
		n = MIN(end - off, (int64_t)sizeof(tmpfs_zeros));
		if ((error = rumpuser_fcopy(tp->tp_base + off, tmpfs_zeros,
		    (size_t)n)) != 0)
			return error;
	}
	return 0;
}

/*
 * fallocate on an object: every page of the file exists already (and is
 * charged), so allocation only moves the size; ZERO_RANGE and PUNCH_HOLE
 * zero the part inside the file.  KEEP_SIZE allocation past the end is
 * not kept (the object ends with the file): it answers 0 and does
 * nothing, which a later read cannot tell apart.
 */
int
tmpfs_mobj_fallocate(struct tmpfs_pagepool *pp, struct tmpfs_pages *tp,
    int64_t *sizep, int mode, int64_t off, int64_t len)
{
	int64_t end = off + len;
	int error;

	switch (mode) {
	case 0:
	case FALLOC_FL_KEEP_SIZE:
	case FALLOC_FL_ZERO_RANGE:
	case FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE:
		if ((mode & FALLOC_FL_ZERO_RANGE) &&
		    (error = mobj_zero(tp, off, MIN(end, *sizep))) != 0)
			return error;
		if (!(mode & FALLOC_FL_KEEP_SIZE) && end > *sizep) {
			if ((error = tmpfs_mobj_resize(pp, tp, *sizep,
			    end)) != 0)
				return error;
			*sizep = end;
		}
		return 0;
	case FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE:
		return mobj_zero(tp, off, MIN(end, *sizep));
	default:
		return EOPNOTSUPP;
	}
}

/* Every byte of the file is data; the end is the only hole. */
int
tmpfs_mobj_seek(int64_t size, int whence, int64_t off, int64_t *resultp)
{
	if (off < 0 || off >= size)
		return ENXIO;
	switch (whence) {
	case SEEK_DATA:
		*resultp = off;
		return 0;
	case SEEK_HOLE:
		*resultp = size;
		return 0;
	default:
		return EINVAL;
	}
}

/* The file is gone; mappings keep the object's pages until they go. */
void
tmpfs_mobj_free(struct tmpfs_pagepool *pp, struct tmpfs_pages *tp)
{
	pp->pp_pages -= tp->tp_npages;
	kmem_pages_uncharge(tp->tp_npages);
	tp->tp_npages = 0;
	rumpuser_mobj_destroy(tp->tp_mobj);
	tp->tp_mobj = NULL;
	tp->tp_base = NULL;
}
