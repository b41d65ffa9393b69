/*
 * ext2_super.c: the superblock and the group descriptors: reading and
 * checking them at mount, refusing what this driver does not know, and
 * writing back the counters and the clean/not-clean state.
 *
 * Features (ext4's classification, fs/ext4/ext4.h; names as mke2fs -O):
 *   incompat  everything but filetype is refused, naming the features, on
 *             the console and as EINVAL (Linux's ext2 says EINVAL too);
 *             needs_recovery (a journal to replay) likewise.
 *   ro_compat sparse_super and large_file are read and written; any other
 *             (huge_file, uninit_bg, dir_nlink, extra_isize, bigalloc ...)
 *             allows a read-only mount only: a read-write one is EINVAL,
 *             as on Linux.  metadata_csum is refused even read-only: the
 *             checksums would be neither checked nor kept.
 *   compat    has_journal (clean), ext_attr, resize_inode and dir_index
 *             need nothing: the journal is a file we never touch, htree
 *             directories read as linear ones and lose the index flag
 *             when written (Linux's ext2 does the same).
 *
 * Checks at mount (each failure: EINVAL and a line naming the field):
 * magic, revision, block size 1-4 KiB, first data block, the block count
 * against the device size, blocks/inodes per group against a bitmap's
 * bits, the inode count against the groups, the inode size, first_ino;
 * each group's bitmaps and inode table inside the group, its counters
 * within bounds.
 *
 * Locking: vfs_giant.
 */
#include "ext2fs.h"

/* Superblock field offsets. */
#define SB_INODES_COUNT		0
#define SB_BLOCKS_COUNT		4
#define SB_R_BLOCKS_COUNT	8
#define SB_FREE_BLOCKS		12
#define SB_FREE_INODES		16
#define SB_FIRST_DATA_BLOCK	20
#define SB_LOG_BLOCK_SIZE	24
#define SB_BLOCKS_PER_GROUP	32
#define SB_INODES_PER_GROUP	40
#define SB_MTIME		44
#define SB_WTIME		48
#define SB_MNT_COUNT		52
#define SB_MAGIC		56
#define SB_STATE		58
#define SB_REV_LEVEL		76
#define SB_FIRST_INO		84
#define SB_INODE_SIZE		88
#define SB_FEATURE_COMPAT	92
#define SB_FEATURE_INCOMPAT	96
#define SB_FEATURE_RO_COMPAT	100
#define SB_RESERVED_GDT		206

#define GD_SIZE			32
#define GD_BLOCK_BITMAP		0
#define GD_INODE_BITMAP		4
#define GD_INODE_TABLE		8
#define GD_FREE_BLOCKS		12
#define GD_FREE_INODES		14
#define GD_USED_DIRS		16

void
ext2_corrupt(struct ext2_mount *em, const char *fmt, ...)
{
	char buf[160];
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	kverbose("ext2: %s: corrupt: %s\n",
	    em->em_mp != NULL ? em->em_mp->mnt_source : "?", buf);
}

struct ext2_feature {
	uint32_t f_bit;
	const char *f_name;
};

static const struct ext2_feature ext2_incompat_names[] = {
	{ EXT2F_INCOMPAT_COMPRESSION, "compression" },
	{ EXT2F_INCOMPAT_FILETYPE, "filetype" },
	{ EXT2F_INCOMPAT_RECOVER, "needs_recovery" },
	{ EXT2F_INCOMPAT_JOURNAL_DEV, "journal_dev" },
	{ EXT2F_INCOMPAT_META_BG, "meta_bg" },
	{ EXT2F_INCOMPAT_EXTENTS, "extent" },
	{ EXT2F_INCOMPAT_64BIT, "64bit" },
	{ EXT2F_INCOMPAT_MMP, "mmp" },
	{ EXT2F_INCOMPAT_FLEX_BG, "flex_bg" },
	{ EXT2F_INCOMPAT_EA_INODE, "ea_inode" },
	{ EXT2F_INCOMPAT_DIRDATA, "dirdata" },
	{ EXT2F_INCOMPAT_CSUM_SEED, "metadata_csum_seed" },
	{ EXT2F_INCOMPAT_LARGEDIR, "large_dir" },
	{ EXT2F_INCOMPAT_INLINE_DATA, "inline_data" },
	{ EXT2F_INCOMPAT_ENCRYPT, "encrypt" },
	{ EXT2F_INCOMPAT_CASEFOLD, "casefold" },
};

static const struct ext2_feature ext2_rocompat_names[] = {
	{ EXT2F_ROCOMPAT_SPARSE_SUPER, "sparse_super" },
	{ EXT2F_ROCOMPAT_LARGE_FILE, "large_file" },
	{ EXT2F_ROCOMPAT_BTREE_DIR, "btree_dir" },
	{ EXT2F_ROCOMPAT_HUGE_FILE, "huge_file" },
	{ EXT2F_ROCOMPAT_GDT_CSUM, "uninit_bg" },
	{ EXT2F_ROCOMPAT_DIR_NLINK, "dir_nlink" },
	{ EXT2F_ROCOMPAT_EXTRA_ISIZE, "extra_isize" },
	{ EXT2F_ROCOMPAT_QUOTA, "quota" },
	{ EXT2F_ROCOMPAT_BIGALLOC, "bigalloc" },
	{ EXT2F_ROCOMPAT_METADATA_CSUM, "metadata_csum" },
	{ EXT2F_ROCOMPAT_READONLY, "read-only" },
	{ EXT2F_ROCOMPAT_PROJECT, "project" },
	{ EXT2F_ROCOMPAT_VERITY, "verity" },
};

/* Appends the names of the bits in mask to buf, comma-separated. */
static void
ext2_feature_names(const struct ext2_feature *tab, size_t n, uint32_t mask,
    char *buf, size_t len)
{
	size_t i, off = 0;
	uint32_t left = mask;

	buf[0] = '\0';
	for (i = 0; i < n && off < len; i++) {
		if (!(mask & tab[i].f_bit))
			continue;
		left &= ~tab[i].f_bit;
		off += (size_t)ksnprintf(buf + off, len - off, "%s%s",
		    off > 0 ? "," : "", tab[i].f_name);
	}
	if (left != 0 && off < len)
		(void)ksnprintf(buf + off, len - off, "%sunknown(0x%x)",
		    off > 0 ? "," : "", left);
}

static int
ext2_check_features(struct ext2_mount *em, bool *ronlyp)
{
	const char *src = em->em_mp->mnt_source;
	uint32_t bad;
	char names[200];

	bad = em->em_incompat & ~(uint32_t)EXT2F_INCOMPAT_SUPP;
	if (bad != 0) {
		ext2_feature_names(ext2_incompat_names,
		    __arraycount(ext2_incompat_names), bad, names,
		    sizeof(names));
		kprintf("ext2: %s: unsupported incompatible feature%s: %s: "
		    "refused\n", src, (bad & (bad - 1)) ? "s" : "", names);
		return EINVAL;
	}
	if (em->em_rocompat & EXT2F_ROCOMPAT_METADATA_CSUM) {
		kprintf("ext2: %s: unsupported feature: metadata_csum: "
		    "refused\n", src);
		return EINVAL;
	}
	bad = em->em_rocompat & ~(uint32_t)EXT2F_ROCOMPAT_SUPP;
	if (bad != 0 && !*ronlyp) {
		ext2_feature_names(ext2_rocompat_names,
		    __arraycount(ext2_rocompat_names), bad, names,
		    sizeof(names));
		kprintf("ext2: %s: read-only compatible feature%s: %s: "
		    "mount read-only\n", src, (bad & (bad - 1)) ? "s" : "",
		    names);
		return EINVAL;
	}
	return 0;
}

static bool
ext2_ispow(uint32_t n, uint32_t base)
{
	if (n == 0)
		return false;
	while (n % base == 0)
		n /= base;
	return n == 1;
}

bool
ext2_group_has_super(struct ext2_mount *em, uint32_t g)
{
	if (!(em->em_rocompat & EXT2F_ROCOMPAT_SPARSE_SUPER))
		return true;
	return g <= 1 || ext2_ispow(g, 3) || ext2_ispow(g, 5) ||
	    ext2_ispow(g, 7);
}

static uint32_t
ext2_group_first(struct ext2_mount *em, uint32_t g)
{
	return em->em_first_data_block + g * em->em_bpg;
}

static uint32_t
ext2_group_nblocks(struct ext2_mount *em, uint32_t g)
{
	if (g + 1 < em->em_ngroups)
		return em->em_bpg;
	return em->em_nblocks - ext2_group_first(em, g);
}

bool
ext2_is_metablock(struct ext2_mount *em, uint32_t blkno)
{
	const struct ext2_group *gp;
	uint32_t g, first;

	if (blkno < em->em_first_data_block || blkno >= em->em_nblocks)
		return true;
	g = (blkno - em->em_first_data_block) / em->em_bpg;
	gp = &em->em_groups[g];
	first = ext2_group_first(em, g);
	if (ext2_group_has_super(em, g) &&
	    blkno < first + 1 + em->em_gdblocks + em->em_rsvd_gdt)
		return true;
	if (blkno == gp->g_block_bitmap || blkno == gp->g_inode_bitmap)
		return true;
	return blkno >= gp->g_inode_table &&
	    blkno - gp->g_inode_table < em->em_itb_per_group;
}

/* Within group g: [blk, blk + n). */
static bool
ext2_in_group(struct ext2_mount *em, uint32_t g, uint32_t blk, uint32_t n)
{
	uint32_t first = ext2_group_first(em, g);

	return blk >= first && blk - first < ext2_group_nblocks(em, g) &&
	    n <= ext2_group_nblocks(em, g) - (blk - first);
}

static int
ext2_gd_load(struct ext2_mount *em)
{
	struct ext2_buf *bp = NULL;
	struct ext2_group *gp;
	uint32_t g, per = em->em_bsize / GD_SIZE, curblk = UINT32_MAX, blk;
	uint64_t freeb = 0, freei = 0;
	const uint8_t *d;
	int error;

	em->em_groups = kmem_zalloc(em->em_ngroups * sizeof(*em->em_groups));
	em->em_gddirty = kmem_zalloc(em->em_gdblocks * sizeof(bool));
	if (em->em_groups == NULL || em->em_gddirty == NULL)
		return ENOMEM;
	for (g = 0; g < em->em_ngroups; g++) {
		blk = em->em_first_data_block + 1 + g / per;
		if (blk != curblk) {
			if (bp != NULL)
				ext2_brelse(em, bp);
			bp = NULL;
			if ((error = ext2_bread(em, blk, true, &bp)) != 0)
				return error;
			curblk = blk;
		}
		d = bp->b_data + (g % per) * GD_SIZE;
		gp = &em->em_groups[g];
		gp->g_block_bitmap = ext2_get32(d + GD_BLOCK_BITMAP);
		gp->g_inode_bitmap = ext2_get32(d + GD_INODE_BITMAP);
		gp->g_inode_table = ext2_get32(d + GD_INODE_TABLE);
		gp->g_free_blocks = ext2_get16(d + GD_FREE_BLOCKS);
		gp->g_free_inodes = ext2_get16(d + GD_FREE_INODES);
		gp->g_used_dirs = ext2_get16(d + GD_USED_DIRS);
		if (!ext2_in_group(em, g, gp->g_block_bitmap, 1) ||
		    !ext2_in_group(em, g, gp->g_inode_bitmap, 1) ||
		    !ext2_in_group(em, g, gp->g_inode_table,
		    em->em_itb_per_group)) {
			ext2_corrupt(em, "group %u: bitmaps or inode table "
			    "outside the group", g);
			ext2_brelse(em, bp);
			return EINVAL;
		}
		if (gp->g_free_blocks > ext2_group_nblocks(em, g) ||
		    gp->g_free_inodes > em->em_ipg ||
		    gp->g_used_dirs > em->em_ipg) {
			ext2_corrupt(em, "group %u: counters out of range", g);
			ext2_brelse(em, bp);
			return EINVAL;
		}
		freeb += gp->g_free_blocks;
		freei += gp->g_free_inodes;
	}
	if (bp != NULL)
		ext2_brelse(em, bp);
	/* As Linux's ext2: the summary is the sum of the groups. */
	em->em_free_blocks = (uint32_t)freeb;
	em->em_free_inodes = (uint32_t)freei;
	return 0;
}

int
ext2_sb_load(struct ext2_mount *em, bool *ronlyp)
{
	const char *src = em->em_mp->mnt_source;
	uint8_t *sb = em->em_sbraw;
	uint32_t logbs, v;
	uint64_t ipg64;
	int error;

	if (em->em_devsize < EXT2_SBOFF + EXT2_SBSIZE) {
		kprintf("ext2: %s: device too small for a superblock\n", src);
		return EINVAL;
	}
	if ((error = ext2_devio(em, sb, EXT2_SBSIZE, EXT2_SBOFF, false)) != 0)
		return error;
	if (ext2_get16(sb + SB_MAGIC) != EXT2_MAGIC) {
		kprintf("ext2: %s: no ext2 file system (bad magic)\n", src);
		return EINVAL;
	}
#define SBBAD(what) do { \
	kprintf("ext2: %s: bad superblock: %s\n", src, what); \
	return EINVAL; } while (0)
	em->em_rev = ext2_get32(sb + SB_REV_LEVEL);
	if (em->em_rev > 1)
		SBBAD("revision > 1");
	logbs = ext2_get32(sb + SB_LOG_BLOCK_SIZE);
	if (logbs > EXT2_MAXBSHIFT - EXT2_MINBSHIFT)
		SBBAD("block size (only 1-4 KiB)");
	em->em_bshift = EXT2_MINBSHIFT + logbs;
	em->em_bsize = 1u << em->em_bshift;
	em->em_nindir = em->em_bsize / 4;
	em->em_nblocks = ext2_get32(sb + SB_BLOCKS_COUNT);
	em->em_ninodes = ext2_get32(sb + SB_INODES_COUNT);
	em->em_r_blocks = ext2_get32(sb + SB_R_BLOCKS_COUNT);
	em->em_first_data_block = ext2_get32(sb + SB_FIRST_DATA_BLOCK);
	em->em_bpg = ext2_get32(sb + SB_BLOCKS_PER_GROUP);
	em->em_ipg = ext2_get32(sb + SB_INODES_PER_GROUP);
	if (em->em_first_data_block != (em->em_bsize == 1024 ? 1u : 0u))
		SBBAD("first data block");
	if (em->em_nblocks <= em->em_first_data_block + 2)
		SBBAD("block count");
	if ((uint64_t)em->em_nblocks << em->em_bshift > em->em_devsize)
		SBBAD("block count exceeds the device size");
	if (em->em_bpg == 0 || em->em_bpg > 8 * em->em_bsize)
		SBBAD("blocks per group");
	if (em->em_ipg == 0 || em->em_ipg > 8 * em->em_bsize)
		SBBAD("inodes per group");
	if (em->em_rev == 0) {
		em->em_isize = EXT2_GOOD_OLD_INODE_SIZE;
		em->em_first_ino = EXT2_GOOD_OLD_FIRST_INO;
	} else {
		em->em_isize = ext2_get16(sb + SB_INODE_SIZE);
		em->em_first_ino = ext2_get32(sb + SB_FIRST_INO);
		em->em_compat = ext2_get32(sb + SB_FEATURE_COMPAT);
		em->em_incompat = ext2_get32(sb + SB_FEATURE_INCOMPAT);
		em->em_rocompat = ext2_get32(sb + SB_FEATURE_RO_COMPAT);
		em->em_rsvd_gdt = ext2_get16(sb + SB_RESERVED_GDT);
	}
	if (em->em_isize < EXT2_GOOD_OLD_INODE_SIZE ||
	    em->em_isize > em->em_bsize || !ext2_ispow(em->em_isize, 2))
		SBBAD("inode size");
	em->em_ngroups = howmany(em->em_nblocks - em->em_first_data_block,
	    em->em_bpg);
	ipg64 = (uint64_t)em->em_ipg * em->em_ngroups;
	if (ipg64 != em->em_ninodes)
		SBBAD("inode count does not match the groups");
	if (em->em_first_ino < EXT2_GOOD_OLD_FIRST_INO ||
	    em->em_first_ino > em->em_ninodes)
		SBBAD("first inode");
	em->em_itb_per_group = howmany(em->em_ipg * em->em_isize,
	    em->em_bsize);
	em->em_gdblocks = howmany(em->em_ngroups, em->em_bsize / GD_SIZE);
	v = em->em_first_data_block + 1 + em->em_gdblocks;
	if (v >= em->em_nblocks || em->em_gdblocks > em->em_bpg)
		SBBAD("group descriptors do not fit");
	if (em->em_rsvd_gdt > em->em_bsize / 4)
		SBBAD("reserved GDT blocks");
	if (em->em_r_blocks > em->em_nblocks)
		em->em_r_blocks = 0;
#undef SBBAD
	if ((error = ext2_check_features(em, ronlyp)) != 0)
		return error;
	em->em_filetype = (em->em_incompat & EXT2F_INCOMPAT_FILETYPE) != 0;
	ext2_bcache_init(em);
	if ((error = ext2_gd_load(em)) != 0)
		return error;
	v = ext2_get16(sb + SB_STATE);
	if (!(v & EXT2_VALID_FS))
		kverbose("ext2: %s: mounting an unchecked file system "
		    "(not cleanly unmounted)\n", src);
	else if (v & EXT2_ERROR_FS)
		kverbose("ext2: %s: mounting a file system with errors\n",
		    src);
	return 0;
}

void
ext2_gd_dirty(struct ext2_mount *em, uint32_t group)
{
	em->em_gddirty[group / (em->em_bsize / GD_SIZE)] = true;
	em->em_sbdirty = true;
}

/* Puts the counters of dirty descriptor blocks into their buffers. */
int
ext2_gd_write(struct ext2_mount *em)
{
	uint32_t per = em->em_bsize / GD_SIZE, b, g;
	struct ext2_buf *bp;
	uint8_t *d;
	int error;

	for (b = 0; b < em->em_gdblocks; b++) {
		if (!em->em_gddirty[b])
			continue;
		error = ext2_bread(em, em->em_first_data_block + 1 + b, true,
		    &bp);
		if (error != 0)
			return error;
		for (g = b * per; g < em->em_ngroups && g < (b + 1) * per;
		    g++) {
			d = bp->b_data + (g % per) * GD_SIZE;
			ext2_put16(d + GD_FREE_BLOCKS,
			    (uint16_t)em->em_groups[g].g_free_blocks);
			ext2_put16(d + GD_FREE_INODES,
			    (uint16_t)em->em_groups[g].g_free_inodes);
			ext2_put16(d + GD_USED_DIRS,
			    (uint16_t)em->em_groups[g].g_used_dirs);
		}
		ext2_bdirty(em, bp);
		ext2_brelse(em, bp);
		em->em_gddirty[b] = false;
	}
	return 0;
}

/*
 * Writes the primary superblock with the current counters; clean sets
 * the valid state (unmount), otherwise it is cleared (mounted rw).  The
 * device is asked to make it durable.
 */
int
ext2_sb_write(struct ext2_mount *em, bool clean)
{
	uint8_t *sb = em->em_sbraw;
	struct timespec now;
	uint16_t state;
	int error;

	getnanotime(&now);
	ext2_put32(sb + SB_FREE_BLOCKS, em->em_free_blocks);
	ext2_put32(sb + SB_FREE_INODES, em->em_free_inodes);
	ext2_put32(sb + SB_WTIME, (uint32_t)now.tv_sec);
	ext2_put32(sb + SB_FEATURE_RO_COMPAT, em->em_rocompat);
	state = ext2_get16(sb + SB_STATE);
	state = clean ? (uint16_t)(state | EXT2_VALID_FS) :
	    (uint16_t)(state & ~EXT2_VALID_FS);
	ext2_put16(sb + SB_STATE, state);
	error = ext2_devio(em, sb, EXT2_SBSIZE, EXT2_SBOFF, true);
	if (error == 0 && em->em_dev->d_fsync != NULL)
		error = em->em_dev->d_fsync(em->em_rdev);
	if (error == 0)
		em->em_sbdirty = false;
	return error;
}

/* At a read-write mount: counts the mount, marks the file system busy. */
int
ext2_sb_mountrw(struct ext2_mount *em, bool *wasvalid)
{
	uint8_t *sb = em->em_sbraw;
	struct timespec now;

	getnanotime(&now);
	*wasvalid = (ext2_get16(sb + SB_STATE) & EXT2_VALID_FS) != 0;
	ext2_put16(sb + SB_MNT_COUNT,
	    (uint16_t)(ext2_get16(sb + SB_MNT_COUNT) + 1));
	ext2_put32(sb + SB_MTIME, (uint32_t)now.tv_sec);
	return ext2_sb_write(em, false);
}
