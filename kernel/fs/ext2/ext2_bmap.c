/*
 * ext2_bmap.c: a file's block tree: twelve direct pointers, then single,
 * double and triple indirect blocks.  Mapping a logical block (with
 * allocation for writes) and truncation.
 *
 * Every pointer is checked before it is followed or freed: a block past
 * the end of the file system or one holding metadata is corruption (EIO
 * and a console line).  The tree has a fixed depth, so a corrupt image
 * cannot make a walk loop; a block named twice is found when it is freed
 * the second time (its bit is already clear).
 *
 * New blocks: an indirect block is zeroed and written as metadata, a data
 * block is handed to the caller as new (the caller zeroes what it does
 * not overwrite).  The inode's pointers and i_blocks change in core; the
 * caller writes the inode back (ext2_iupdate) when it is done.
 *
 * Locking: vfs_giant.
 */
#include "ext2fs.h"

static int
ext2_ptrcheck(struct ext2_inode *ip, uint32_t blk)
{
	if (blk >= ip->i_em->em_nblocks || ext2_is_metablock(ip->i_em, blk)) {
		ext2_corrupt(ip->i_em, "inode %u: bad block pointer %u",
		    ip->i_number, blk);
		return EIO;
	}
	return 0;
}

/* A new block for ip, near its last one. */
static int
ext2_newblock(struct ext2_inode *ip, uint32_t *blkp)
{
	struct ext2_mount *em = ip->i_em;
	uint32_t goal = ip->i_goal;
	int error;

	if (goal == 0)
		goal = em->em_groups[(ip->i_number - 1) / em->em_ipg]
		    .g_inode_table + em->em_itb_per_group;
	if ((error = ext2_balloc(em, goal, blkp)) != 0)
		return error;
	ip->i_goal = *blkp + 1;
	ip->i_blocks += em->em_bsize >> 9;
	return 0;
}

int
ext2_bmap(struct ext2_inode *ip, uint64_t lbn, bool alloc, uint32_t *pbnp,
    bool *newp)
{
	struct ext2_mount *em = ip->i_em;
	uint64_t n = em->em_nindir, span = 1;
	struct ext2_buf *bp = NULL, *nbp;
	uint32_t *slot, ptr, nb, idx = 0;
	int level, error;

	if (newp != NULL)
		*newp = false;
	if (lbn < EXT2_NDADDR) {
		level = 0;
		slot = &ip->i_db[lbn];
	} else {
		lbn -= EXT2_NDADDR;
		for (level = 1; level <= EXT2_NIADDR; level++) {
			span *= n;
			if (lbn < span)
				break;
			lbn -= span;
		}
		if (level > EXT2_NIADDR)
			return EFBIG;
		slot = &ip->i_db[EXT2_NDADDR + level - 1];
	}
	ptr = *slot;
	/* Down the indirect blocks: each level divides the span by n. */
	while (level > 0) {
		if (ptr == 0) {
			if (!alloc)
				goto hole;
			if ((error = ext2_newblock(ip, &nb)) != 0)
				goto out;
			if ((error = ext2_bget(em, nb, true, &nbp)) != 0) {
				(void)ext2_bfree(em, nb);
				ip->i_blocks -= em->em_bsize >> 9;
				goto out;
			}
			ext2_bdirty(em, nbp);
			if (bp == NULL)
				*slot = nb;
			else {
				ext2_put32(bp->b_data + 4 * idx, nb);
				ext2_bdirty(em, bp);
			}
			ptr = nb;
		} else {
			if ((error = ext2_ptrcheck(ip, ptr)) != 0)
				goto out;
			if ((error = ext2_bread(em, ptr, true, &nbp)) != 0)
				goto out;
		}
		if (bp != NULL)
			ext2_brelse(em, bp);
		bp = nbp;
		span /= n;
		idx = (uint32_t)(lbn / span);
		lbn %= span;
		ptr = ext2_get32(bp->b_data + 4 * idx);
		level--;
	}
	if (ptr == 0) {
		if (!alloc)
			goto hole;
		if ((error = ext2_newblock(ip, &nb)) != 0)
			goto out;
		if (bp == NULL)
			*slot = nb;
		else {
			ext2_put32(bp->b_data + 4 * idx, nb);
			ext2_bdirty(em, bp);
		}
		if (newp != NULL)
			*newp = true;
		ptr = nb;
	} else if ((error = ext2_ptrcheck(ip, ptr)) != 0)
		goto out;
	*pbnp = ptr;
	error = 0;
	goto out;
hole:
	*pbnp = 0;
	error = 0;
out:
	if (bp != NULL)
		ext2_brelse(em, bp);
	return error;
}

static void
ext2_blocks_sub(struct ext2_inode *ip)
{
	uint64_t b = ip->i_em->em_bsize >> 9;

	ip->i_blocks -= MIN(ip->i_blocks, b);
}

/*
 * Frees the part of the subtree under indirect block blk (level 1: its
 * entries are data blocks) that lies at or past logical block keep;
 * base is the first logical block it maps.  *emptyp: nothing is left.
 */
static int
ext2_trunc_ind(struct ext2_inode *ip, uint32_t blk, int level, uint64_t base,
    uint64_t keep, bool *emptyp)
{
	struct ext2_mount *em = ip->i_em;
	uint64_t span = 1, cbase;
	struct ext2_buf *bp;
	uint32_t i, child;
	bool left = false, cempty, changed = false;
	int l, error = 0;

	for (l = 1; l < level; l++)
		span *= em->em_nindir;
	if ((error = ext2_bread(em, blk, true, &bp)) != 0)
		return error;
	for (i = 0; i < em->em_nindir; i++) {
		if ((child = ext2_get32(bp->b_data + 4 * i)) == 0)
			continue;
		cbase = base + i * span;
		if (cbase + span <= keep) {
			left = true;
			continue;
		}
		if ((error = ext2_ptrcheck(ip, child)) != 0)
			break;
		cempty = true;
		if (level > 1 && (error = ext2_trunc_ind(ip, child, level - 1,
		    cbase, keep, &cempty)) != 0)
			break;
		if (!cempty) {
			left = true;
			continue;
		}
		if ((error = ext2_bfree(em, child)) != 0)
			break;
		ext2_blocks_sub(ip);
		ext2_put32(bp->b_data + 4 * i, 0);
		changed = true;
	}
	if (changed)
		ext2_bdirty(em, bp);
	ext2_brelse(em, bp);
	*emptyp = !left;
	return error;
}

/* Zeroes the bytes of the last block past size (a later extension reads
 * zeros there). */
static int
ext2_zero_tail(struct ext2_inode *ip, uint64_t size)
{
	struct ext2_mount *em = ip->i_em;
	uint32_t off = (uint32_t)(size & (em->em_bsize - 1)), pbn;
	struct ext2_buf *bp;
	int error;

	if (off == 0)
		return 0;
	if ((error = ext2_bmap(ip, size >> em->em_bshift, false, &pbn,
	    NULL)) != 0 || pbn == 0)
		return error;
	if ((error = ext2_bread(em, pbn, false, &bp)) != 0)
		return error;
	memset(bp->b_data + off, 0, em->em_bsize - off);
	ext2_bdirty(em, bp);
	ext2_brelse(em, bp);
	return 0;
}

int
ext2_truncate(struct ext2_inode *ip, uint64_t newsize)
{
	struct ext2_mount *em = ip->i_em;
	uint64_t keep, n = em->em_nindir, base, span;
	uint32_t i, *slot;
	bool empty;
	int level, error, e2;

	if (newsize > ext2_maxfilesize(em))
		return EFBIG;
	if (newsize < ip->i_size && (error = ext2_zero_tail(ip, newsize)) != 0)
		return error;
	keep = howmany(newsize, em->em_bsize);
	for (i = 0; i < EXT2_NDADDR; i++) {
		if (i < keep || ip->i_db[i] == 0)
			continue;
		if ((error = ext2_ptrcheck(ip, ip->i_db[i])) != 0 ||
		    (error = ext2_bfree(em, ip->i_db[i])) != 0)
			goto out;
		ext2_blocks_sub(ip);
		ip->i_db[i] = 0;
	}
	base = EXT2_NDADDR;
	span = 1;
	for (level = 1; level <= EXT2_NIADDR; level++) {
		span *= n;
		slot = &ip->i_db[EXT2_NDADDR + level - 1];
		if (*slot != 0 && keep < base + span) {
			if ((error = ext2_ptrcheck(ip, *slot)) != 0)
				goto out;
			error = ext2_trunc_ind(ip, *slot, level, base, keep,
			    &empty);
			if (error != 0)
				goto out;
			if (empty) {
				if ((error = ext2_bfree(em, *slot)) != 0)
					goto out;
				ext2_blocks_sub(ip);
				*slot = 0;
			}
		}
		base += span;
	}
	ip->i_size = newsize;
	if (newsize == 0)
		ip->i_goal = 0;
	error = 0;
out:
	/* The pointers freed so far are gone either way. */
	e2 = ext2_iupdate(ip);
	return error != 0 ? error : e2;
}
