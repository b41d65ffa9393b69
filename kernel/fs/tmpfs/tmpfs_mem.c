/*
 * tmpfs_mem.c: the data of regular tmpfs files.
 *
 * A file is a sparse array of 4 KiB pages under a radix tree of 512-way
 * interior nodes whose height grows with the highest page index, so a
 * file of 2^63 bytes with one page written costs one page plus six
 * interior nodes.  A missing page is a hole and reads as zeros.
 *
 * Invariant: every byte at or past the file size is zero (writes raise the
 * size over what they write, truncation and hole punching zero what they
 * cut), so growing a file never has to clear anything.
 *
 * Pages are counted per file (tp_npages, for st_blocks) and per mount
 * (struct tmpfs_pagepool, for statfs and the size= limit).  Allocation
 * failure, from kmem or the limit, is ENOSPC, as Linux tmpfs reports.
 *
 * Locking: vfs_giant, held by the caller.
 */
#include <rump/rumpuser.h>

#include "tmpfs.h"

struct tmpfs_rnode {
	void *rn_slot[TMPFS_RADIX_FANOUT];
	unsigned rn_count;		/* non-NULL slots */
};

#define NOIDX	UINT64_MAX

_Static_assert(TMPFS_PAGE_SIZE == KMEM_PAGE_SIZE, "a file page is a kmem page");

/* Read source for holes; never written. */
static char tmpfs_zeropage[TMPFS_PAGE_SIZE];

/* The last page index a tree of height h holds. */
static inline uint64_t
radix_maxidx(int h)
{
	return ((uint64_t)1 << (TMPFS_RADIX_SHIFT * h)) - 1;
}

/* Pages covered by one slot of an interior node at level l (l >= 1). */
static inline uint64_t
radix_span(int l)
{
	return (uint64_t)1 << (TMPFS_RADIX_SHIFT * (l - 1));
}

static inline unsigned
radix_slot(uint64_t idx, int l)
{
	return (unsigned)((idx >> (TMPFS_RADIX_SHIFT * (l - 1))) &
	    (TMPFS_RADIX_FANOUT - 1));
}

static void *
radix_lookup(const struct tmpfs_pages *tp, uint64_t idx)
{
	void *p;
	int l;

	p = tp->tp_root;
	if (p == NULL || idx > radix_maxidx(tp->tp_height))
		return NULL;
	for (l = tp->tp_height; l > 0 && p != NULL; l--)
		p = ((struct tmpfs_rnode *)p)->rn_slot[radix_slot(idx, l)];
	return p;
}

static int
page_alloc(struct tmpfs_pagepool *pp, void **pagep)
{
	void *pg;

	if (pp->pp_maxpages != 0 && pp->pp_pages >= pp->pp_maxpages)
		return ENOSPC;
	if ((pg = kmem_page_alloc()) == NULL)
		return ENOSPC;
	pp->pp_pages++;
	*pagep = pg;
	return 0;
}

/*
 * The page at idx, allocated (zeroed) if missing.  On failure the tree may
 * keep empty interior nodes; they hold no pages and are freed with the
 * range that covers them.
 */
static int
radix_getpage(struct tmpfs_pagepool *pp, struct tmpfs_pages *tp, uint64_t idx,
    char **pagep)
{
	struct tmpfs_rnode *rn, *parent;
	void **slotp;
	void *pg;
	int error, l;

	if (tp->tp_root == NULL) {
		for (l = 0; idx > radix_maxidx(l); l++)
			continue;
		tp->tp_height = l;
	}
	while (idx > radix_maxidx(tp->tp_height)) {
		/* Grow from the top: the old tree becomes slot 0. */
		if ((rn = kmem_zalloc(sizeof(*rn))) == NULL)
			return ENOSPC;
		rn->rn_slot[0] = tp->tp_root;
		rn->rn_count = 1;
		tp->tp_root = rn;
		tp->tp_height++;
	}
	KASSERT(tp->tp_height <= TMPFS_RADIX_MAXHEIGHT);

	slotp = &tp->tp_root;
	parent = NULL;
	for (l = tp->tp_height; l > 0; l--) {
		if (*slotp == NULL) {
			if ((rn = kmem_zalloc(sizeof(*rn))) == NULL)
				return ENOSPC;
			*slotp = rn;
			if (parent != NULL)
				parent->rn_count++;
		}
		parent = *slotp;
		slotp = &parent->rn_slot[radix_slot(idx, l)];
	}
	if (*slotp == NULL) {
		if ((error = page_alloc(pp, &pg)) != 0)
			return error;
		*slotp = pg;
		if (parent != NULL)
			parent->rn_count++;
		tp->tp_npages++;
	}
	*pagep = *slotp;
	return 0;
}

/*
 * Frees what *slotp (a subtree at level l starting at page base) holds in
 * [first, last].  Returns true if *slotp became NULL.
 */
static bool
radix_free(struct tmpfs_pagepool *pp, struct tmpfs_pages *tp, void **slotp,
    int l, uint64_t base, uint64_t first, uint64_t last)
{
	struct tmpfs_rnode *rn;
	uint64_t span, i, i0, i1;

	if (l == 0) {
		kmem_page_free(*slotp);
		*slotp = NULL;
		pp->pp_pages--;
		tp->tp_npages--;
		return true;
	}
	rn = *slotp;
	span = radix_span(l);
	i0 = first > base ? (first - base) / span : 0;
	i1 = (last - base) / span;
	if (i1 > TMPFS_RADIX_FANOUT - 1)
		i1 = TMPFS_RADIX_FANOUT - 1;
	for (i = i0; i <= i1; i++) {
		if (rn->rn_slot[i] == NULL)
			continue;
		if (radix_free(pp, tp, &rn->rn_slot[i], l - 1, base + i * span,
		    first, last))
			rn->rn_count--;
	}
	if (rn->rn_count != 0)
		return false;
	kmem_free(rn, sizeof(*rn));
	*slotp = NULL;
	return true;
}

/* Frees the pages of indexes [first, last]; shrinks the tree after. */
static void
radix_free_range(struct tmpfs_pagepool *pp, struct tmpfs_pages *tp,
    uint64_t first, uint64_t last)
{
	struct tmpfs_rnode *rn;

	if (tp->tp_root == NULL || first > last ||
	    first > radix_maxidx(tp->tp_height))
		return;
	radix_free(pp, tp, &tp->tp_root, tp->tp_height, 0, first, last);
	if (tp->tp_root == NULL) {
		tp->tp_height = 0;
		return;
	}
	/* A root with only slot 0 in use is a level too many. */
	while (tp->tp_height > 0) {
		rn = tp->tp_root;
		if (rn->rn_count != 1 || rn->rn_slot[0] == NULL)
			break;
		tp->tp_root = rn->rn_slot[0];
		tp->tp_height--;
		kmem_free(rn, sizeof(*rn));
	}
}

/* Present pages in [first, last] under p (level l, starting at base). */
static uint64_t
radix_count(void *p, int l, uint64_t base, uint64_t first, uint64_t last)
{
	struct tmpfs_rnode *rn;
	uint64_t span, i, i0, i1, n;

	if (l == 0)
		return 1;
	rn = p;
	span = radix_span(l);
	/* A bottom node wholly inside the range: its count is its pages. */
	if (l == 1 && base >= first && last - base >= TMPFS_RADIX_FANOUT - 1)
		return rn->rn_count;
	i0 = first > base ? (first - base) / span : 0;
	i1 = (last - base) / span;
	if (i1 > TMPFS_RADIX_FANOUT - 1)
		i1 = TMPFS_RADIX_FANOUT - 1;
	n = 0;
	for (i = i0; i <= i1; i++)
		if (rn->rn_slot[i] != NULL)
			n += radix_count(rn->rn_slot[i], l - 1, base + i * span,
			    first, last);
	return n;
}

/* First present page index >= start under p, or NOIDX. */
static uint64_t
radix_find_data(void *p, int l, uint64_t base, uint64_t start)
{
	struct tmpfs_rnode *rn;
	uint64_t span, i, cbase, r;

	if (l == 0)
		return base;
	rn = p;
	span = radix_span(l);
	for (i = start > base ? (start - base) / span : 0;
	    i < TMPFS_RADIX_FANOUT; i++) {
		if (rn->rn_slot[i] == NULL)
			continue;
		cbase = base + i * span;
		r = radix_find_data(rn->rn_slot[i], l - 1, cbase,
		    MAX(start, cbase));
		if (r != NOIDX)
			return r;
	}
	return NOIDX;
}

/* First missing page index >= start under p, or NOIDX if all present. */
static uint64_t
radix_find_hole(void *p, int l, uint64_t base, uint64_t start)
{
	struct tmpfs_rnode *rn;
	uint64_t span, i, cbase, r;

	if (p == NULL)
		return start;
	if (l == 0)
		return NOIDX;
	rn = p;
	if (l == 1 && rn->rn_count == TMPFS_RADIX_FANOUT)
		return NOIDX;
	span = radix_span(l);
	for (i = start > base ? (start - base) / span : 0;
	    i < TMPFS_RADIX_FANOUT; i++) {
		cbase = base + i * span;
		r = radix_find_hole(rn->rn_slot[i], l - 1, cbase,
		    MAX(start, cbase));
		if (r != NOIDX)
			return r;
	}
	return NOIDX;
}

int
tmpfs_pages_read(struct tmpfs_pages *tp, int64_t size, struct uio *uio)
{
	uint64_t off, pgoff, n;
	char *pg;
	int error;

	if (tp->tp_mobj != NULL)
		return tmpfs_mobj_read(tp, size, uio);
	if (uio->uio_offset < 0)
		return EINVAL;
	while (uio->uio_resid > 0 && uio->uio_offset < size) {
		off = (uint64_t)uio->uio_offset;
		pgoff = off & TMPFS_PAGE_MASK;
		n = MIN(TMPFS_PAGE_SIZE - pgoff, (uint64_t)uio->uio_resid);
		n = MIN(n, (uint64_t)size - off);
		pg = radix_lookup(tp, off >> TMPFS_PAGE_SHIFT);
		if (pg == NULL)
			pg = tmpfs_zeropage;
		if ((error = uiomove(pg + pgoff, (size_t)n, uio)) != 0)
			return error;
	}
	return 0;
}

/*
 * Writes the uio at uio_offset, raising *sizep over every byte that lands.
 * On an error (ENOSPC, EFBIG at the maximum file size, EFAULT) the uio
 * tells how much was written; the caller turns progress into a short count.
 */
int
tmpfs_pages_write(struct tmpfs_pagepool *pp, struct tmpfs_pages *tp,
    struct uio *uio, int64_t *sizep)
{
	uint64_t off, pgoff, n;
	char *pg;
	int error;

	if (tp->tp_mobj != NULL)
		return tmpfs_mobj_write(pp, tp, uio, sizep);
	if (uio->uio_offset < 0)
		return EINVAL;
	while (uio->uio_resid > 0) {
		off = (uint64_t)uio->uio_offset;
		if (off >= (uint64_t)TMPFS_MAXFILESIZE)
			return EFBIG;
		pgoff = off & TMPFS_PAGE_MASK;
		n = MIN(TMPFS_PAGE_SIZE - pgoff, (uint64_t)uio->uio_resid);
		n = MIN(n, (uint64_t)TMPFS_MAXFILESIZE - off);
		error = radix_getpage(pp, tp, off >> TMPFS_PAGE_SHIFT, &pg);
		if (error != 0)
			return error;
		error = uiomove(pg + pgoff, (size_t)n, uio);
		if (uio->uio_offset > *sizep)
			*sizep = uio->uio_offset;
		if (error != 0)
			return error;
	}
	return 0;
}

/* Zeroes [off, off+len) of the page at idx if it exists (no allocation). */
static void
page_zero(struct tmpfs_pages *tp, uint64_t idx, uint64_t off, uint64_t len)
{
	char *pg;

	if ((pg = radix_lookup(tp, idx)) != NULL)
		memset(pg + off, 0, (size_t)len);
}

/*
 * Linux frees every page past the new size when a file shrinks or keeps
 * its size (fallocate(KEEP_SIZE) pages past EOF go too); growing only
 * moves the size, the bytes past the old size being zero already.
 */
int
tmpfs_pages_truncate(struct tmpfs_pagepool *pp, struct tmpfs_pages *tp,
    int64_t oldsize, int64_t newsize)
{
	uint64_t ns;

	if (tp->tp_mobj != NULL)
		return tmpfs_mobj_resize(pp, tp, oldsize, newsize);
	if (newsize > oldsize)
		return 0;
	ns = (uint64_t)newsize;
	radix_free_range(pp, tp, howmany(ns, TMPFS_PAGE_SIZE), NOIDX);
	if ((ns & TMPFS_PAGE_MASK) != 0)
		page_zero(tp, ns >> TMPFS_PAGE_SHIFT, ns & TMPFS_PAGE_MASK,
		    TMPFS_PAGE_SIZE - (ns & TMPFS_PAGE_MASK));
	return 0;
}

uint64_t
tmpfs_pages_missing(struct tmpfs_pages *tp, int64_t off, int64_t len)
{
	uint64_t first, last, total, present;

	first = (uint64_t)off >> TMPFS_PAGE_SHIFT;
	last = ((uint64_t)off + (uint64_t)len - 1) >> TMPFS_PAGE_SHIFT;
	total = last - first + 1;
	present = 0;
	if (tp->tp_root != NULL && first <= radix_maxidx(tp->tp_height))
		present = radix_count(tp->tp_root, tp->tp_height, 0, first,
		    last);
	return total - present;
}

/* Allocates every page of [off, off+len); the caller checked the space. */
int
tmpfs_pages_allocate(struct tmpfs_pagepool *pp, struct tmpfs_pages *tp,
    int64_t off, int64_t len)
{
	uint64_t idx, last;
	char *pg;
	int error;

	idx = (uint64_t)off >> TMPFS_PAGE_SHIFT;
	last = ((uint64_t)off + (uint64_t)len - 1) >> TMPFS_PAGE_SHIFT;
	for (; idx <= last; idx++) {
		/* Skip allocated stretches quickly. */
		if (radix_lookup(tp, idx) != NULL)
			continue;
		if ((error = radix_getpage(pp, tp, idx, &pg)) != 0)
			return error;
	}
	return 0;
}

/* Frees the whole pages of [off, off+len) and zeroes the partial ones. */
void
tmpfs_pages_punch(struct tmpfs_pagepool *pp, struct tmpfs_pages *tp,
    int64_t off, int64_t len)
{
	uint64_t s, e, pe, ps;

	s = (uint64_t)off;
	e = s + (uint64_t)len;
	if ((s & TMPFS_PAGE_MASK) != 0) {
		pe = MIN(e, (s | TMPFS_PAGE_MASK) + 1);
		page_zero(tp, s >> TMPFS_PAGE_SHIFT, s & TMPFS_PAGE_MASK,
		    pe - s);
		s = pe;
	}
	if (s >= e)
		return;
	if ((e & TMPFS_PAGE_MASK) != 0) {
		ps = e & ~(uint64_t)TMPFS_PAGE_MASK;
		page_zero(tp, ps >> TMPFS_PAGE_SHIFT, 0, e - ps);
		e = ps;
	}
	if (s < e)
		radix_free_range(pp, tp, s >> TMPFS_PAGE_SHIFT,
		    (e >> TMPFS_PAGE_SHIFT) - 1);
}

/* FALLOC_FL_ZERO_RANGE: the range reads as zeros and is allocated. */
int
tmpfs_pages_zero(struct tmpfs_pagepool *pp, struct tmpfs_pages *tp,
    int64_t off, int64_t len)
{
	tmpfs_pages_punch(pp, tp, off, len);
	return tmpfs_pages_allocate(pp, tp, off, len);
}

/*
 * SEEK_DATA / SEEK_HOLE: an allocated page is data (fallocated ones
 * included, which POSIX allows), a missing one a hole, and the end of file
 * is a hole.  ENXIO for off outside [0, size).
 */
int
tmpfs_pages_seek(struct tmpfs_pages *tp, int64_t size, int whence,
    int64_t off, int64_t *resultp)
{
	uint64_t idx, r, maxidx;
	int64_t pos;

	if (tp->tp_mobj != NULL)
		return tmpfs_mobj_seek(size, whence, off, resultp);
	if (off < 0 || off >= size)
		return ENXIO;
	idx = (uint64_t)off >> TMPFS_PAGE_SHIFT;
	maxidx = radix_maxidx(tp->tp_height);
	switch (whence) {
	case SEEK_DATA:
		if (tp->tp_root == NULL || idx > maxidx)
			return ENXIO;
		r = radix_find_data(tp->tp_root, tp->tp_height, 0, idx);
		if (r == NOIDX)
			return ENXIO;
		pos = MAX((int64_t)(r << TMPFS_PAGE_SHIFT), off);
		if (pos >= size)
			return ENXIO;
		*resultp = pos;
		return 0;
	case SEEK_HOLE:
		if (tp->tp_root == NULL || idx > maxidx)
			r = idx;
		else {
			r = radix_find_hole(tp->tp_root, tp->tp_height, 0, idx);
			if (r == NOIDX)
				r = maxidx + 1;
		}
		if (r > ((uint64_t)size >> TMPFS_PAGE_SHIFT))
			pos = size;
		else
			pos = MIN(MAX((int64_t)(r << TMPFS_PAGE_SHIFT), off),
			    size);
		*resultp = pos;
		return 0;
	default:
		return EINVAL;
	}
}

void
tmpfs_pages_free(struct tmpfs_pagepool *pp, struct tmpfs_pages *tp)
{
	if (tp->tp_mobj != NULL) {
		tmpfs_mobj_free(pp, tp);
		return;
	}
	radix_free_range(pp, tp, 0, NOIDX);
	KASSERT(tp->tp_npages == 0);
}

/*
 * The first shared mapping: the pages move into a memory object of the
 * file's size (tmpfs_mobj.c).  The object is charged in full before the
 * pages are given back, so for a moment the file counts twice; a limit
 * that cannot take that answers ENOMEM, as mmap does on Linux.
 */
int
tmpfs_pages_tomobj(struct tmpfs_pagepool *pp, struct tmpfs_pages *tp,
    int64_t size)
{
	uint64_t np = howmany((uint64_t)size, TMPFS_PAGE_SIZE), idx;
	struct rumpuser_mobj *mo;
	void *base;
	char *pg;
	int error;

	if (tp->tp_mobj != NULL)
		return 0;
	if (pp->pp_maxpages != 0 &&
	    pp->pp_pages - tp->tp_npages + np > pp->pp_maxpages)
		return ENOMEM;
	if (!kmem_pages_charge(np))
		return ENOMEM;
	if ((error = rumpuser_mobj_create((uint64_t)size, &mo, &base)) != 0) {
		kmem_pages_uncharge(np);
		return error == ENOSPC ? ENOMEM : error;
	}
	/* Nobody else has the object yet: plain copies are safe. */
	for (idx = 0; tp->tp_root != NULL && idx < np; idx++) {
		idx = radix_find_data(tp->tp_root, tp->tp_height, 0, idx);
		if (idx == NOIDX || idx >= np)
			break;
		pg = radix_lookup(tp, idx);
		memcpy((char *)base + idx * TMPFS_PAGE_SIZE, pg,
		    (size_t)MIN(TMPFS_PAGE_SIZE,
		    (uint64_t)size - idx * TMPFS_PAGE_SIZE));
	}
	radix_free_range(pp, tp, 0, NOIDX);
	KASSERT(tp->tp_npages == 0);
	tp->tp_mobj = mo;
	tp->tp_base = base;
	tp->tp_npages = np;
	pp->pp_pages += np;
	return 0;
}
