/*
 * ext2_inode.c: in-core inodes: reading one from the inode table and
 * checking it, writing it back, setting up a new one, deleting one.
 *
 * Checked when read (EIO and a console line otherwise): the number (the
 * root or at least s_first_ino, at most s_inodes_count), the file type,
 * a link count above zero (a directory entry naming a deleted inode),
 * the flags of features the file system does not have (extents, inline
 * data, encryption), the size against the largest file the block tree
 * can address, a symlink's length (fast: under 60 bytes; slow: under a
 * block), a directory's size (whole blocks).  Block pointers are checked
 * where they are followed (ext2_bmap.c).
 *
 * Writing back touches only the fields this driver keeps; the rest of
 * the record (osd fields, in-inode extended attributes) stays as it was.
 * Owners are 32 bits: the high halves live in osd2.  Times have
 * nanoseconds and the 34-bit epoch extension when the inode is large
 * enough to carry the extra fields (i_extra_isize).
 *
 * Locking: vfs_giant.
 */
#include "ext2fs.h"

/* Inode field offsets. */
#define DI_MODE		0
#define DI_UID		2
#define DI_SIZE		4
#define DI_ATIME	8
#define DI_CTIME	12
#define DI_MTIME	16
#define DI_DTIME	20
#define DI_GID		24
#define DI_LINKS	26
#define DI_BLOCKS	28
#define DI_FLAGS	32
#define DI_BLOCK	40
#define DI_GENERATION	100
#define DI_FILE_ACL	104
#define DI_SIZE_HIGH	108
#define DI_BLOCKS_HIGH	116
#define DI_UID_HIGH	120
#define DI_GID_HIGH	122
#define DI_EXTRA_ISIZE	128
#define DI_CTIME_EXTRA	132
#define DI_MTIME_EXTRA	136
#define DI_ATIME_EXTRA	140
#define DI_CRTIME	144
#define DI_CRTIME_EXTRA	148
#define DI_EXTRA_WANT	32		/* Linux's default i_extra_isize */
#define DI_EXTRA_MIN	24		/* up to i_crtime_extra */

enum vtype
ext2_vtype(uint16_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return VREG;
	case S_IFDIR: return VDIR;
	case S_IFLNK: return VLNK;
	case S_IFCHR: return VCHR;
	case S_IFBLK: return VBLK;
	case S_IFIFO: return VFIFO;
	case S_IFSOCK: return VSOCK;
	default: return VNON;
	}
}

uint8_t
ext2_mode_to_ft(uint16_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return EXT2_FT_REG;
	case S_IFDIR: return EXT2_FT_DIR;
	case S_IFLNK: return EXT2_FT_SYMLINK;
	case S_IFCHR: return EXT2_FT_CHR;
	case S_IFBLK: return EXT2_FT_BLK;
	case S_IFIFO: return EXT2_FT_FIFO;
	case S_IFSOCK: return EXT2_FT_SOCK;
	default: return EXT2_FT_UNKNOWN;
	}
}

uint64_t
ext2_maxfilesize(struct ext2_mount *em)
{
	uint64_t n = em->em_nindir, blocks, bytes;

	blocks = EXT2_NDADDR + n + n * n + n * n * n;
	bytes = blocks << em->em_bshift;
	/* i_blocks counts 512-byte sectors in 32 bits (no huge_file). */
	return MIN(bytes, ((uint64_t)1 << 41) - ((uint64_t)1 << 32));
}

/* Where inode ino lives: its table block and byte offset in it. */
static int
ext2_iloc(struct ext2_mount *em, uint32_t ino, uint32_t *blkp, uint32_t *offp)
{
	uint32_t g, idx;
	uint64_t byte;

	if (ino == 0 || ino > em->em_ninodes ||
	    (ino != EXT2_ROOTINO && ino < em->em_first_ino)) {
		ext2_corrupt(em, "bad inode number %u", ino);
		return EIO;
	}
	g = (ino - 1) / em->em_ipg;
	idx = (ino - 1) % em->em_ipg;
	byte = (uint64_t)idx * em->em_isize;
	*blkp = em->em_groups[g].g_inode_table + (uint32_t)(byte >> em->em_bshift);
	*offp = (uint32_t)(byte & (em->em_bsize - 1));
	return 0;
}

static void
ext2_gettime(const uint8_t *d, int off, int xoff, bool extra,
    struct timespec *ts)
{
	uint32_t x;

	ts->tv_sec = (int64_t)(int32_t)ext2_get32(d + off);
	ts->tv_nsec = 0;
	if (!extra)
		return;
	x = ext2_get32(d + xoff);
	ts->tv_sec += (int64_t)(x & 3) << 32;
	if ((x >> 2) < 1000000000u)
		ts->tv_nsec = x >> 2;
}

static void
ext2_puttime(uint8_t *d, int off, int xoff, bool extra,
    const struct timespec *ts)
{
	int64_t sec = ts->tv_sec;

	ext2_put32(d + off, (uint32_t)sec);
	if (!extra)
		return;
	ext2_put32(d + xoff, (uint32_t)(((sec - (int64_t)(int32_t)sec) >> 32) &
	    3) | ((uint32_t)ts->tv_nsec << 2));
}

static int
ext2_icheck(struct ext2_mount *em, struct ext2_inode *ip)
{
	uint32_t ino = ip->i_number;
	uint64_t eablocks;

	if (ext2_vtype(ip->i_mode) == VNON) {
		ext2_corrupt(em, "inode %u: bad file type 0%o", ino,
		    ip->i_mode & S_IFMT);
		return EIO;
	}
	if (ip->i_nlink == 0) {
		ext2_corrupt(em, "inode %u: deleted inode referenced", ino);
		return EIO;
	}
	if (ip->i_flags & (EXT2_EXTENTS_FL | EXT2_INLINE_DATA_FL |
	    EXT2_ENCRYPT_FL)) {
		ext2_corrupt(em, "inode %u: flags 0x%x of a feature the file "
		    "system does not have", ino, ip->i_flags);
		return EIO;
	}
	if (ip->i_size > ext2_maxfilesize(em)) {
		ext2_corrupt(em, "inode %u: size %llu too large", ino,
		    (unsigned long long)ip->i_size);
		return EIO;
	}
	if (ip->i_file_acl != 0 && (ip->i_file_acl >= em->em_nblocks ||
	    ext2_is_metablock(em, ip->i_file_acl))) {
		ext2_corrupt(em, "inode %u: bad xattr block %u", ino,
		    ip->i_file_acl);
		return EIO;
	}
	switch (ip->i_mode & S_IFMT) {
	case S_IFLNK:
		eablocks = ip->i_file_acl != 0 ? em->em_bsize >> 9 : 0;
		if (ip->i_size == 0 ||
		    (ip->i_blocks == eablocks ? ip->i_size >= EXT2_FASTLINK_MAX :
		    ip->i_size >= em->em_bsize)) {
			ext2_corrupt(em, "inode %u: bad symlink length %llu",
			    ino, (unsigned long long)ip->i_size);
			return EIO;
		}
		break;
	case S_IFDIR:
		if (ip->i_size == 0 || (ip->i_size & (em->em_bsize - 1))) {
			ext2_corrupt(em, "inode %u: directory size %llu is not "
			    "whole blocks", ino, (unsigned long long)ip->i_size);
			return EIO;
		}
		break;
	default:
		break;
	}
	return 0;
}

static dev_t
ext2_decode_dev(const struct ext2_inode *ip)
{
	uint32_t o = ip->i_db[0], n = ip->i_db[1];

	if (o != 0)
		return MAKEDEV((o >> 8) & 0xff, o & 0xff);
	return MAKEDEV((n & 0xfff00) >> 8, (n & 0xff) | ((n >> 12) & 0xfff00));
}

static void
ext2_encode_dev(struct ext2_inode *ip, dev_t dev)
{
	uint32_t ma = MAJOR(dev), mi = MINOR(dev);

	if (ma < 256 && mi < 256) {
		ip->i_db[0] = (ma << 8) | mi;
		ip->i_db[1] = 0;
	} else {
		ip->i_db[0] = 0;
		ip->i_db[1] = (mi & 0xff) | (ma << 8) | ((mi & ~0xffu) << 12);
	}
}

int
ext2_iget(struct ext2_mount *em, uint32_t ino, struct ext2_inode **ipp)
{
	struct ext2_inode *ip;
	struct ext2_buf *bp;
	uint32_t blk, off, i, xsize;
	const uint8_t *d;
	bool huge;
	int error;

	if ((error = ext2_iloc(em, ino, &blk, &off)) != 0)
		return error;
	if ((error = ext2_bread(em, blk, true, &bp)) != 0)
		return error;
	if ((ip = kmem_zalloc(sizeof(*ip))) == NULL) {
		ext2_brelse(em, bp);
		return ENOMEM;
	}
	d = bp->b_data + off;
	ip->i_em = em;
	ip->i_number = ino;
	ip->i_mode = ext2_get16(d + DI_MODE);
	ip->i_uid = ext2_get16(d + DI_UID) |
	    ((uint32_t)ext2_get16(d + DI_UID_HIGH) << 16);
	ip->i_gid = ext2_get16(d + DI_GID) |
	    ((uint32_t)ext2_get16(d + DI_GID_HIGH) << 16);
	ip->i_nlink = ext2_get16(d + DI_LINKS);
	ip->i_size = ext2_get32(d + DI_SIZE);
	if ((ip->i_mode & S_IFMT) == S_IFREG)
		ip->i_size |= (uint64_t)ext2_get32(d + DI_SIZE_HIGH) << 32;
	ip->i_flags = ext2_get32(d + DI_FLAGS);
	ip->i_blocks = ext2_get32(d + DI_BLOCKS);
	huge = (em->em_rocompat & EXT2F_ROCOMPAT_HUGE_FILE) != 0;
	if (huge) {
		ip->i_blocks |= (uint64_t)ext2_get16(d + DI_BLOCKS_HIGH) << 32;
		if (ip->i_flags & EXT2_HUGE_FILE_FL)
			ip->i_blocks <<= em->em_bshift - 9;
	}
	ip->i_dtime = ext2_get32(d + DI_DTIME);
	ip->i_generation = ext2_get32(d + DI_GENERATION);
	ip->i_file_acl = ext2_get32(d + DI_FILE_ACL);
	for (i = 0; i < EXT2_N_BLOCKS; i++)
		ip->i_db[i] = ext2_get32(d + DI_BLOCK + 4 * i);
	xsize = em->em_isize > EXT2_GOOD_OLD_INODE_SIZE ?
	    ext2_get16(d + DI_EXTRA_ISIZE) : 0;
	ip->i_hasnsec = xsize >= DI_EXTRA_MIN && (xsize & 3) == 0 &&
	    EXT2_GOOD_OLD_INODE_SIZE + xsize <= em->em_isize;
	ext2_gettime(d, DI_ATIME, DI_ATIME_EXTRA, ip->i_hasnsec, &ip->i_atime);
	ext2_gettime(d, DI_MTIME, DI_MTIME_EXTRA, ip->i_hasnsec, &ip->i_mtime);
	ext2_gettime(d, DI_CTIME, DI_CTIME_EXTRA, ip->i_hasnsec, &ip->i_ctime);
	if (ip->i_hasnsec)
		ext2_gettime(d, DI_CRTIME, DI_CRTIME_EXTRA, true,
		    &ip->i_crtime);
	ext2_brelse(em, bp);
	if ((error = ext2_icheck(em, ip)) != 0) {
		kmem_free(ip, sizeof(*ip));
		return error;
	}
	if (ext2_vtype(ip->i_mode) == VCHR || ext2_vtype(ip->i_mode) == VBLK)
		ip->i_rdev = ext2_decode_dev(ip);
	*ipp = ip;
	return 0;
}

int
ext2_iupdate(struct ext2_inode *ip)
{
	struct ext2_mount *em = ip->i_em;
	struct ext2_buf *bp;
	uint32_t blk, off, i;
	uint8_t *d;
	int error;

	if (em->em_ronly)
		return 0;
	if ((error = ext2_iloc(em, ip->i_number, &blk, &off)) != 0)
		return error;
	if ((error = ext2_bread(em, blk, true, &bp)) != 0)
		return error;
	d = bp->b_data + off;
	ext2_put16(d + DI_MODE, ip->i_mode);
	ext2_put16(d + DI_UID, (uint16_t)ip->i_uid);
	ext2_put16(d + DI_UID_HIGH, (uint16_t)(ip->i_uid >> 16));
	ext2_put16(d + DI_GID, (uint16_t)ip->i_gid);
	ext2_put16(d + DI_GID_HIGH, (uint16_t)(ip->i_gid >> 16));
	ext2_put16(d + DI_LINKS, (uint16_t)ip->i_nlink);
	ext2_put32(d + DI_SIZE, (uint32_t)ip->i_size);
	if ((ip->i_mode & S_IFMT) == S_IFREG) {
		ext2_put32(d + DI_SIZE_HIGH, (uint32_t)(ip->i_size >> 32));
		if (ip->i_size > INT32_MAX &&
		    !(em->em_rocompat & EXT2F_ROCOMPAT_LARGE_FILE)) {
			em->em_rocompat |= EXT2F_ROCOMPAT_LARGE_FILE;
			em->em_sbdirty = true;
		}
	}
	ext2_put32(d + DI_BLOCKS, (uint32_t)ip->i_blocks);
	ext2_put32(d + DI_FLAGS, ip->i_flags);
	ext2_put32(d + DI_DTIME, ip->i_dtime);
	ext2_put32(d + DI_GENERATION, ip->i_generation);
	ext2_put32(d + DI_FILE_ACL, ip->i_file_acl);
	for (i = 0; i < EXT2_N_BLOCKS; i++)
		ext2_put32(d + DI_BLOCK + 4 * i, ip->i_db[i]);
	ext2_puttime(d, DI_ATIME, DI_ATIME_EXTRA, ip->i_hasnsec, &ip->i_atime);
	ext2_puttime(d, DI_MTIME, DI_MTIME_EXTRA, ip->i_hasnsec, &ip->i_mtime);
	ext2_puttime(d, DI_CTIME, DI_CTIME_EXTRA, ip->i_hasnsec, &ip->i_ctime);
	if (ip->i_hasnsec)
		ext2_puttime(d, DI_CRTIME, DI_CRTIME_EXTRA, true,
		    &ip->i_crtime);
	ext2_bdirty(em, bp);
	ext2_brelse(em, bp);
	return 0;
}

void
ext2_itimes(struct ext2_inode *ip, bool a, bool m, bool c)
{
	struct timespec now;

	getnanotime(&now);
	if (a)
		ip->i_atime = now;
	if (m)
		ip->i_mtime = now;
	if (c)
		ip->i_ctime = now;
}

int
ext2_iinit(struct ext2_mount *em, uint32_t ino, uint16_t mode,
    uint32_t uid, uint32_t gid, struct ext2_inode **ipp)
{
	static uint32_t generation;
	struct ext2_inode *ip;
	size_t got;
	struct ext2_buf *bp;
	uint32_t blk, off, xsize = 0;
	int error;

	if ((error = ext2_iloc(em, ino, &blk, &off)) != 0)
		return error;
	if ((error = ext2_bread(em, blk, true, &bp)) != 0)
		return error;
	/* Whatever a deleted inode left in the record goes. */
	memset(bp->b_data + off, 0, em->em_isize);
	if (em->em_isize >= EXT2_GOOD_OLD_INODE_SIZE + DI_EXTRA_MIN) {
		xsize = MIN((uint32_t)DI_EXTRA_WANT,
		    em->em_isize - EXT2_GOOD_OLD_INODE_SIZE);
		ext2_put16(bp->b_data + off + DI_EXTRA_ISIZE, (uint16_t)xsize);
	}
	ext2_bdirty(em, bp);
	ext2_brelse(em, bp);
	if ((ip = kmem_zalloc(sizeof(*ip))) == NULL)
		return ENOMEM;
	ip->i_em = em;
	ip->i_number = ino;
	ip->i_mode = mode;
	ip->i_uid = uid;
	ip->i_gid = gid;
	ip->i_nlink = 1;
	ip->i_hasnsec = xsize != 0;
	if (generation == 0)
		(void)kern_getrandom(&generation, sizeof(generation),
		    GRND_INSECURE, &got);
	ip->i_generation = ++generation;
	ext2_itimes(ip, true, true, true);
	ip->i_crtime = ip->i_mtime;
	*ipp = ip;
	return 0;
}

/* Sets a device node's number into i_block (Linux's two encodings). */
void
ext2_setrdev(struct ext2_inode *ip, dev_t dev)
{
	ext2_encode_dev(ip, dev);
	ip->i_rdev = dev;
}

/* Drops one reference to the inode's xattr block, freeing it at zero. */
static int
ext2_xattr_drop(struct ext2_inode *ip)
{
	struct ext2_mount *em = ip->i_em;
	struct ext2_buf *bp;
	uint32_t blk = ip->i_file_acl, refs;
	int error;

	if ((error = ext2_bread(em, blk, true, &bp)) != 0)
		return error;
	if (ext2_get32(bp->b_data) != EXT2_XATTR_MAGIC ||
	    ext2_get32(bp->b_data + 8) != 1) {
		ext2_brelse(em, bp);
		ext2_corrupt(em, "inode %u: bad xattr block %u", ip->i_number,
		    blk);
		return EIO;
	}
	refs = ext2_get32(bp->b_data + 4);
	if (refs > 1) {
		ext2_put32(bp->b_data + 4, refs - 1);
		ext2_bdirty(em, bp);
		ext2_brelse(em, bp);
	} else {
		ext2_brelse(em, bp);
		if ((error = ext2_bfree(em, blk)) != 0)
			return error;
	}
	ip->i_file_acl = 0;
	ip->i_blocks -= MIN(ip->i_blocks, (uint64_t)(em->em_bsize >> 9));
	return 0;
}

/* The last link and the last reference are gone: free it all. */
int
ext2_idelete(struct ext2_inode *ip)
{
	struct ext2_mount *em = ip->i_em;
	struct timespec now;
	bool isdir = (ip->i_mode & S_IFMT) == S_IFDIR;
	bool fastlink;
	int error;

	fastlink = (ip->i_mode & S_IFMT) == S_IFLNK &&
	    ip->i_blocks == (ip->i_file_acl != 0 ? em->em_bsize >> 9 : 0);
	if (ext2_vtype(ip->i_mode) == VCHR || ext2_vtype(ip->i_mode) == VBLK ||
	    fastlink) {
		/* i_block holds a number or text, not blocks. */
		memset(ip->i_db, 0, sizeof(ip->i_db));
		ip->i_size = 0;
	} else if ((error = ext2_truncate(ip, 0)) != 0)
		return error;
	if (ip->i_file_acl != 0 && (error = ext2_xattr_drop(ip)) != 0)
		return error;
	getnanotime(&now);
	ip->i_dtime = (uint32_t)now.tv_sec;
	ip->i_nlink = 0;
	if ((error = ext2_iupdate(ip)) != 0)
		return error;
	return ext2_ifree(em, ip->i_number, isdir);
}
