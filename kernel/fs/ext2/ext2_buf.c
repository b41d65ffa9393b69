/*
 * ext2_buf.c: the ext2 buffer cache, a bounded write-back cache of whole
 * file-system blocks under the vnode operations, and raw device I/O.
 *
 * Bound (doc/DESIGN.md "Memory", "ext2"): a mount keeps at most
 * EXT2_BCACHE_BYTES of blocks, or an eighth of RUMP_MEMLIMIT when that is
 * smaller, and never fewer than EXT2_BCACHE_MINBUFS buffers (a lookup
 * holds a few at once).  Every buffer is kmem, so the limit counts it; an
 * allocation that fails reuses the oldest unreferenced buffer instead, and
 * only when none is left is the call ENOMEM.
 *
 * Order of writes: a buffer is data (file contents) or metadata
 * (directories, indirect blocks, bitmaps, inode tables, descriptors).
 * ext2_bflush() writes all dirty data, asks the device to make it
 * durable, then writes all dirty metadata and asks again: a pointer on
 * disk never names a block whose contents are not there yet.  Reusing a
 * dirty data buffer writes it alone; reusing a dirty metadata buffer
 * flushes everything first, so the same order holds under pressure.
 *
 * Locking: vfs_giant (the mount's callers hold it).
 */
#include "ext2fs.h"

#define EXT2_BCACHE_BYTES	(8u << 20)
#define EXT2_BCACHE_MINBUFS	32

int
ext2_devio(struct ext2_mount *em, void *buf, size_t len, uint64_t off,
    bool write)
{
	struct iovec iov = { buf, len };
	struct uio uio;
	int error;

	if (off > em->em_devsize || len > em->em_devsize - off) {
		kverbose("ext2: %s: I/O at %llu past the device's end\n",
		    em->em_mp->mnt_source, (unsigned long long)off);
		return EIO;
	}
	memset(&uio, 0, sizeof(uio));
	uio.uio_iov = &iov;
	uio.uio_iovcnt = 1;
	uio.uio_offset = (int64_t)off;
	uio.uio_resid = len;
	uio.uio_rw = write ? UIO_WRITE : UIO_READ;
	uio.uio_kernel = true;
	uio.uio_internal = true;
	if (write)
		error = em->em_dev->d_write(em->em_rdev, &uio, 0);
	else
		error = em->em_dev->d_read(em->em_rdev, &uio, 0);
	if (error == 0 && uio.uio_resid != 0)
		error = EIO;		/* the device ended early */
	if (error != 0)
		kverbose("ext2: %s: device %s error %d at byte %llu\n",
		    em->em_mp->mnt_source, write ? "write" : "read", error,
		    (unsigned long long)off);
	return error;
}

void
ext2_bcache_init(struct ext2_mount *em)
{
	struct ext2_bcache *bc = &em->em_bc;
	uint64_t bytes = EXT2_BCACHE_BYTES, limit;
	unsigned i;

	for (i = 0; i < EXT2_BUF_HASH; i++)
		LIST_INIT(&bc->bc_hash[i]);
	TAILQ_INIT(&bc->bc_lru);
	if ((limit = kmem_limit()) != 0 && limit / 8 < bytes)
		bytes = limit / 8;
	bc->bc_maxbufs = MAX((size_t)(bytes / em->em_bsize),
	    (size_t)EXT2_BCACHE_MINBUFS);
}

static struct ext2_bufhead *
ext2_bhead(struct ext2_mount *em, uint64_t blkno)
{
	return &em->em_bc.bc_hash[(blkno * 0x9E3779B1u >> 8) %
	    EXT2_BUF_HASH];
}

static int
ext2_bwrite(struct ext2_mount *em, struct ext2_buf *bp)
{
	int error;

	error = ext2_devio(em, bp->b_data, em->em_bsize,
	    bp->b_blkno << em->em_bshift, true);
	if (error == 0) {
		bp->b_dirty = false;
		em->em_bc.bc_ndirty--;
	}
	return error;
}

/* Writes the dirty buffers of one kind; the first error is returned. */
static int
ext2_bflush_kind(struct ext2_mount *em, bool meta, bool *wrote)
{
	struct ext2_bcache *bc = &em->em_bc;
	struct ext2_buf *bp;
	int error = 0, e;
	unsigned i;

	for (i = 0; i < EXT2_BUF_HASH && bc->bc_ndirty > 0; i++) {
		LIST_FOREACH(bp, &bc->bc_hash[i], b_hash) {
			if (!bp->b_dirty || bp->b_meta != meta)
				continue;
			if ((e = ext2_bwrite(em, bp)) != 0 && error == 0)
				error = e;
			*wrote = true;
		}
	}
	return error;
}

static int
ext2_devsync(struct ext2_mount *em)
{
	if (em->em_dev->d_fsync == NULL)
		return 0;
	return em->em_dev->d_fsync(em->em_rdev);
}

int
ext2_bflush(struct ext2_mount *em)
{
	bool wrote = false;
	int error;

	if (em->em_bc.bc_ndirty == 0)
		return 0;
	if ((error = ext2_bflush_kind(em, false, &wrote)) != 0)
		return error;
	if (wrote && (error = ext2_devsync(em)) != 0)
		return error;
	wrote = false;
	if ((error = ext2_bflush_kind(em, true, &wrote)) != 0)
		return error;
	return wrote ? ext2_devsync(em) : 0;
}

static void
ext2_bdestroy(struct ext2_mount *em, struct ext2_buf *bp)
{
	KASSERT(bp->b_refs == 0);
	LIST_REMOVE(bp, b_hash);
	TAILQ_REMOVE(&em->em_bc.bc_lru, bp, b_lru);
	if (bp->b_dirty)
		em->em_bc.bc_ndirty--;
	em->em_bc.bc_nbufs--;
	kmem_free(bp->b_data, em->em_bsize);
	kmem_free(bp, sizeof(*bp));
}

/* Frees the oldest unreferenced buffer, writing it first if dirty. */
static int
ext2_bevict(struct ext2_mount *em)
{
	struct ext2_buf *bp;
	int error;

	if ((bp = TAILQ_FIRST(&em->em_bc.bc_lru)) == NULL)
		return ENOMEM;
	if (bp->b_dirty) {
		/* Metadata never goes before the data it points to. */
		error = bp->b_meta ? ext2_bflush(em) : ext2_bwrite(em, bp);
		if (error != 0)
			return error;
	}
	ext2_bdestroy(em, bp);
	return 0;
}

static int
ext2_balloc_buf(struct ext2_mount *em, uint64_t blkno, bool meta,
    struct ext2_buf **bpp)
{
	struct ext2_buf *bp;
	int error;

	while (em->em_bc.bc_nbufs >= em->em_bc.bc_maxbufs) {
		if ((error = ext2_bevict(em)) != 0) {
			if (error != ENOMEM)
				return error;
			break;		/* all held: go over the bound a little */
		}
	}
	for (;;) {
		bp = kmem_zalloc(sizeof(*bp));
		if (bp != NULL && (bp->b_data = kmem_alloc(em->em_bsize)) != NULL)
			break;
		if (bp != NULL)
			kmem_free(bp, sizeof(*bp));
		if ((error = ext2_bevict(em)) != 0)
			return error;
	}
	bp->b_blkno = blkno;
	bp->b_meta = meta;
	bp->b_refs = 1;
	/* Held: off the LRU until the last ext2_brelse. */
	LIST_INSERT_HEAD(ext2_bhead(em, blkno), bp, b_hash);
	em->em_bc.bc_nbufs++;
	*bpp = bp;
	return 0;
}

static struct ext2_buf *
ext2_bfind(struct ext2_mount *em, uint64_t blkno)
{
	struct ext2_buf *bp;

	LIST_FOREACH(bp, ext2_bhead(em, blkno), b_hash) {
		if (bp->b_blkno == blkno)
			return bp;
	}
	return NULL;
}

static void
ext2_bhold(struct ext2_mount *em, struct ext2_buf *bp)
{
	if (bp->b_refs++ == 0)
		TAILQ_REMOVE(&em->em_bc.bc_lru, bp, b_lru);
}

static int
ext2_bcheck(struct ext2_mount *em, uint64_t blkno)
{
	if (blkno >= em->em_nblocks) {
		ext2_corrupt(em, "block %llu past the end (%u blocks)",
		    (unsigned long long)blkno, em->em_nblocks);
		return EIO;
	}
	return 0;
}

int
ext2_bread(struct ext2_mount *em, uint64_t blkno, bool meta,
    struct ext2_buf **bpp)
{
	struct ext2_buf *bp;
	int error;

	if ((error = ext2_bcheck(em, blkno)) != 0)
		return error;
	if ((bp = ext2_bfind(em, blkno)) != NULL) {
		ext2_bhold(em, bp);
		bp->b_meta = bp->b_meta || meta;
		*bpp = bp;
		return 0;
	}
	if ((error = ext2_balloc_buf(em, blkno, meta, &bp)) != 0)
		return error;
	error = ext2_devio(em, bp->b_data, em->em_bsize,
	    blkno << em->em_bshift, false);
	if (error != 0) {
		bp->b_refs = 0;
		TAILQ_INSERT_TAIL(&em->em_bc.bc_lru, bp, b_lru);
		ext2_bdestroy(em, bp);
		return error;
	}
	*bpp = bp;
	return 0;
}

int
ext2_bget(struct ext2_mount *em, uint64_t blkno, bool meta,
    struct ext2_buf **bpp)
{
	struct ext2_buf *bp;
	int error;

	if ((error = ext2_bcheck(em, blkno)) != 0)
		return error;
	if ((bp = ext2_bfind(em, blkno)) != NULL) {
		ext2_bhold(em, bp);
		bp->b_meta = meta;
	} else {
		if ((error = ext2_balloc_buf(em, blkno, meta, &bp)) != 0)
			return error;
	}
	memset(bp->b_data, 0, em->em_bsize);
	*bpp = bp;
	return 0;
}

void
ext2_brelse(struct ext2_mount *em, struct ext2_buf *bp)
{
	KASSERT(bp->b_refs > 0);
	if (--bp->b_refs == 0)
		TAILQ_INSERT_TAIL(&em->em_bc.bc_lru, bp, b_lru);
}

void
ext2_bdirty(struct ext2_mount *em, struct ext2_buf *bp)
{
	KASSERT(!em->em_ronly);
	if (!bp->b_dirty) {
		bp->b_dirty = true;
		em->em_bc.bc_ndirty++;
	}
}

void
ext2_binval(struct ext2_mount *em, uint64_t blkno)
{
	struct ext2_buf *bp;

	if ((bp = ext2_bfind(em, blkno)) != NULL && bp->b_refs == 0)
		ext2_bdestroy(em, bp);
}

void
ext2_bcache_destroy(struct ext2_mount *em)
{
	struct ext2_buf *bp;

	while ((bp = TAILQ_FIRST(&em->em_bc.bc_lru)) != NULL)
		ext2_bdestroy(em, bp);
	KASSERT(em->em_bc.bc_nbufs == 0);
}
