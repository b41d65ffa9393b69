/*
 * ext2_alloc.c: allocating and freeing blocks and inodes with the group
 * bitmaps, keeping the group and superblock counters in step.
 *
 * Placement is simple: a block goes as near its goal as the goal's group
 * allows (the previous block of the file, so files stay contiguous), then
 * the following groups; a file's inode goes in its directory's group, a
 * directory's in the group with the most free inodes (spreading the tree
 * the way Linux's ext2 roughly does).
 *
 * The bitmaps are checked as they are used: a free bit for a block that
 * holds metadata (superblock, descriptors, bitmaps, inode table), an
 * inode number below s_first_ino, or freeing what is already free is
 * corruption: EIO, a console line, and no counter is changed.
 * Blocks reserved for root (s_r_blocks_count) are not given to others.
 *
 * Locking: vfs_giant.
 */
#include "ext2fs.h"

static int
ext2_find_zero(const uint8_t *map, uint32_t nbits, uint32_t start,
    uint32_t *bitp)
{
	uint32_t i, b;

	for (i = 0; i < nbits; i++) {
		b = (start + i) % nbits;
		/* Whole bytes that are full are skipped at once. */
		if ((b & 7) == 0 && map[b >> 3] == 0xff && b + 8 <= nbits &&
		    i + 8 <= nbits) {
			i += 7;
			continue;
		}
		if (!(map[b >> 3] & (1u << (b & 7)))) {
			*bitp = b;
			return 0;
		}
	}
	return ENOSPC;
}

static uint32_t
ext2_group_blocks(struct ext2_mount *em, uint32_t g)
{
	uint32_t first = em->em_first_data_block + g * em->em_bpg;

	return g + 1 < em->em_ngroups ? em->em_bpg : em->em_nblocks - first;
}

int
ext2_balloc(struct ext2_mount *em, uint32_t goal, uint32_t *blknop)
{
	struct ext2_group *gp;
	struct ext2_buf *bp;
	uint32_t g0, g, i, bit, start, first, blk;
	int error;

	if (em->em_free_blocks == 0)
		return ENOSPC;
	if (em->em_free_blocks <= em->em_r_blocks &&
	    !cred_is_root(kauth_cred_get()))
		return ENOSPC;
	if (goal < em->em_first_data_block || goal >= em->em_nblocks)
		goal = em->em_lastalloc;
	if (goal < em->em_first_data_block || goal >= em->em_nblocks)
		goal = em->em_first_data_block;
	g0 = (goal - em->em_first_data_block) / em->em_bpg;
	for (i = 0; i < em->em_ngroups; i++) {
		g = (g0 + i) % em->em_ngroups;
		gp = &em->em_groups[g];
		if (gp->g_free_blocks == 0)
			continue;
		first = em->em_first_data_block + g * em->em_bpg;
		start = i == 0 ? goal - first : 0;
		error = ext2_bread(em, gp->g_block_bitmap, true, &bp);
		if (error != 0)
			return error;
		if (ext2_find_zero(bp->b_data, ext2_group_blocks(em, g), start,
		    &bit) != 0) {
			ext2_brelse(em, bp);
			ext2_corrupt(em, "group %u counts %u free blocks, its "
			    "bitmap none", g, gp->g_free_blocks);
			continue;
		}
		blk = first + bit;
		if (ext2_is_metablock(em, blk)) {
			ext2_brelse(em, bp);
			ext2_corrupt(em, "block bitmap of group %u marks "
			    "metadata block %u free", g, blk);
			return EIO;
		}
		bp->b_data[bit >> 3] |= (uint8_t)(1u << (bit & 7));
		ext2_bdirty(em, bp);
		ext2_brelse(em, bp);
		gp->g_free_blocks--;
		em->em_free_blocks--;
		ext2_gd_dirty(em, g);
		em->em_lastalloc = blk;
		*blknop = blk;
		return 0;
	}
	return ENOSPC;
}

int
ext2_bfree(struct ext2_mount *em, uint32_t blkno)
{
	struct ext2_group *gp;
	struct ext2_buf *bp;
	uint32_t g, bit;
	int error;

	if (ext2_is_metablock(em, blkno)) {
		ext2_corrupt(em, "freeing metadata block %u", blkno);
		return EIO;
	}
	g = (blkno - em->em_first_data_block) / em->em_bpg;
	bit = (blkno - em->em_first_data_block) % em->em_bpg;
	gp = &em->em_groups[g];
	if ((error = ext2_bread(em, gp->g_block_bitmap, true, &bp)) != 0)
		return error;
	if (!(bp->b_data[bit >> 3] & (1u << (bit & 7)))) {
		ext2_brelse(em, bp);
		ext2_corrupt(em, "freeing free block %u", blkno);
		return EIO;
	}
	bp->b_data[bit >> 3] &= (uint8_t)~(1u << (bit & 7));
	ext2_bdirty(em, bp);
	ext2_brelse(em, bp);
	ext2_binval(em, blkno);
	gp->g_free_blocks++;
	em->em_free_blocks++;
	ext2_gd_dirty(em, g);
	return 0;
}

/* The group a new inode starts its search in. */
static uint32_t
ext2_igroup(struct ext2_mount *em, struct ext2_inode *dir, bool isdir)
{
	uint32_t g, best = 0, bestfree = 0;

	if (!isdir && dir != NULL)
		return (dir->i_number - 1) / em->em_ipg;
	for (g = 0; g < em->em_ngroups; g++) {
		if (em->em_groups[g].g_free_inodes > bestfree &&
		    em->em_groups[g].g_free_blocks > 0) {
			bestfree = em->em_groups[g].g_free_inodes;
			best = g;
		}
	}
	return best;
}

int
ext2_ialloc(struct ext2_mount *em, struct ext2_inode *dir, bool isdir,
    uint32_t *inop)
{
	struct ext2_group *gp;
	struct ext2_buf *bp;
	uint32_t g0, g, i, bit, ino, start;
	int error;

	if (em->em_free_inodes == 0)
		return ENOSPC;
	g0 = ext2_igroup(em, dir, isdir);
	for (i = 0; i < em->em_ngroups; i++) {
		g = (g0 + i) % em->em_ngroups;
		gp = &em->em_groups[g];
		if (gp->g_free_inodes == 0)
			continue;
		/* Inodes below s_first_ino are reserved: start past them. */
		start = g * em->em_ipg + 1 < em->em_first_ino ?
		    em->em_first_ino - 1 - g * em->em_ipg : 0;
		if (start >= em->em_ipg)
			continue;
		error = ext2_bread(em, gp->g_inode_bitmap, true, &bp);
		if (error != 0)
			return error;
		if (ext2_find_zero(bp->b_data, em->em_ipg, start, &bit) != 0) {
			ext2_brelse(em, bp);
			ext2_corrupt(em, "group %u counts %u free inodes, its "
			    "bitmap none", g, gp->g_free_inodes);
			continue;
		}
		ino = g * em->em_ipg + bit + 1;
		if (ino < em->em_first_ino) {
			/* Wrapped around into the reserved ones: none left. */
			ext2_brelse(em, bp);
			continue;
		}
		bp->b_data[bit >> 3] |= (uint8_t)(1u << (bit & 7));
		ext2_bdirty(em, bp);
		ext2_brelse(em, bp);
		gp->g_free_inodes--;
		if (isdir)
			gp->g_used_dirs++;
		em->em_free_inodes--;
		ext2_gd_dirty(em, g);
		*inop = ino;
		return 0;
	}
	return ENOSPC;
}

int
ext2_ifree(struct ext2_mount *em, uint32_t ino, bool isdir)
{
	struct ext2_group *gp;
	struct ext2_buf *bp;
	uint32_t g, bit;
	int error;

	if (ino < em->em_first_ino || ino > em->em_ninodes) {
		ext2_corrupt(em, "freeing reserved or bad inode %u", ino);
		return EIO;
	}
	g = (ino - 1) / em->em_ipg;
	bit = (ino - 1) % em->em_ipg;
	gp = &em->em_groups[g];
	if ((error = ext2_bread(em, gp->g_inode_bitmap, true, &bp)) != 0)
		return error;
	if (!(bp->b_data[bit >> 3] & (1u << (bit & 7)))) {
		ext2_brelse(em, bp);
		ext2_corrupt(em, "freeing free inode %u", ino);
		return EIO;
	}
	bp->b_data[bit >> 3] &= (uint8_t)~(1u << (bit & 7));
	ext2_bdirty(em, bp);
	ext2_brelse(em, bp);
	gp->g_free_inodes++;
	if (isdir && gp->g_used_dirs > 0)
		gp->g_used_dirs--;
	em->em_free_inodes++;
	ext2_gd_dirty(em, g);
	return 0;
}
