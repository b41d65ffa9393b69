/*
 * ext2fs.h: private interface of the ext2 driver (component "ext2").
 *
 * The driver reads and writes ext2 revision 0 and 1 images on a block
 * device of the kernel (an etfs device: a host file).  Layers, bottom up:
 *
 *   ext2_buf.c    a bounded write-back cache of file-system blocks over
 *                 the device switch (d_read/d_write with kernel uios)
 *   ext2_super.c  superblock and group descriptors: parsing, checking,
 *                 feature refusal, write-back of the summary counters
 *   ext2_alloc.c  block and inode bitmaps
 *   ext2_inode.c  in-core inodes: reading, checking, writing back, freeing
 *   ext2_bmap.c   logical to physical blocks through the indirect tree,
 *                 with allocation, and truncation
 *   ext2_dir.c    directory blocks: lookup, readdir, adding, removing
 *   ext2_vnops.c  the name-space vnode operations
 *   ext2_file.c   attributes, read, write, fsync, inactive, reclaim
 *   ext2_vfsops.c mount, unmount, statfs, sync, loadvnode, the component
 *
 * Every on-disk value is checked before it is used; a value that cannot
 * be right makes the operation that met it fail with EIO and prints one
 * console line under RUMP_VERBOSE (ext2_corrupt()).  Nothing on disk can
 * make the driver loop: directory walks are bounded by the directory's
 * size, the block tree by its fixed depth.
 *
 * On-disk integers are little-endian; they are read and written with the
 * ext2_get/put helpers below (byte copies: no alignment assumption).
 *
 * Locking: vfs_giant, held by every caller (k/vnode.h).
 */
#ifndef EXT2FS_H
#define EXT2FS_H

#include "k/kernel.h"
#include "k/vnode.h"

#ifndef EUCLEAN
#define EUCLEAN		117	/* Linux: "structure needs cleaning" */
#endif

/* --- on-disk constants --------------------------------------------------- */
#define EXT2_SBOFF		1024	/* the superblock's byte offset */
#define EXT2_SBSIZE		1024
#define EXT2_MAGIC		0xEF53
#define EXT2_ROOTINO		2
#define EXT2_GOOD_OLD_FIRST_INO	11
#define EXT2_GOOD_OLD_INODE_SIZE 128
#define EXT2_NDADDR		12	/* direct blocks */
#define EXT2_NIADDR		3	/* single, double, triple indirect */
#define EXT2_N_BLOCKS		(EXT2_NDADDR + EXT2_NIADDR)
#define EXT2_MINBSHIFT		10
#define EXT2_MAXBSHIFT		12	/* 1-4 KiB blocks */
#define EXT2_LINK_MAX		32000	/* Linux's EXT2_LINK_MAX */
#define EXT2_FASTLINK_MAX	60	/* bytes of i_block */

/* s_state */
#define EXT2_VALID_FS		0x0001	/* unmounted cleanly */
#define EXT2_ERROR_FS		0x0002

/* Feature bits (the classification is ext4's: linux/fs/ext4/ext4.h). */
#define EXT2F_COMPAT_DIR_PREALLOC	0x0001
#define EXT2F_COMPAT_IMAGIC_INODES	0x0002
#define EXT2F_COMPAT_HAS_JOURNAL	0x0004
#define EXT2F_COMPAT_EXT_ATTR		0x0008
#define EXT2F_COMPAT_RESIZE_INODE	0x0010
#define EXT2F_COMPAT_DIR_INDEX		0x0020

#define EXT2F_ROCOMPAT_SPARSE_SUPER	0x0001
#define EXT2F_ROCOMPAT_LARGE_FILE	0x0002
#define EXT2F_ROCOMPAT_BTREE_DIR	0x0004
#define EXT2F_ROCOMPAT_HUGE_FILE	0x0008
#define EXT2F_ROCOMPAT_GDT_CSUM		0x0010
#define EXT2F_ROCOMPAT_DIR_NLINK	0x0020
#define EXT2F_ROCOMPAT_EXTRA_ISIZE	0x0040
#define EXT2F_ROCOMPAT_QUOTA		0x0100
#define EXT2F_ROCOMPAT_BIGALLOC		0x0200
#define EXT2F_ROCOMPAT_METADATA_CSUM	0x0400
#define EXT2F_ROCOMPAT_READONLY		0x1000
#define EXT2F_ROCOMPAT_PROJECT		0x2000
#define EXT2F_ROCOMPAT_VERITY		0x8000

#define EXT2F_INCOMPAT_COMPRESSION	0x0001
#define EXT2F_INCOMPAT_FILETYPE		0x0002
#define EXT2F_INCOMPAT_RECOVER		0x0004
#define EXT2F_INCOMPAT_JOURNAL_DEV	0x0008
#define EXT2F_INCOMPAT_META_BG		0x0010
#define EXT2F_INCOMPAT_EXTENTS		0x0040
#define EXT2F_INCOMPAT_64BIT		0x0080
#define EXT2F_INCOMPAT_MMP		0x0100
#define EXT2F_INCOMPAT_FLEX_BG		0x0200
#define EXT2F_INCOMPAT_EA_INODE		0x0400
#define EXT2F_INCOMPAT_DIRDATA		0x1000
#define EXT2F_INCOMPAT_CSUM_SEED	0x2000
#define EXT2F_INCOMPAT_LARGEDIR		0x4000
#define EXT2F_INCOMPAT_INLINE_DATA	0x8000
#define EXT2F_INCOMPAT_ENCRYPT		0x10000
#define EXT2F_INCOMPAT_CASEFOLD		0x20000

/* What this driver reads; and what it also writes. */
#define EXT2F_INCOMPAT_SUPP	EXT2F_INCOMPAT_FILETYPE
#define EXT2F_ROCOMPAT_SUPP	(EXT2F_ROCOMPAT_SPARSE_SUPER | \
				 EXT2F_ROCOMPAT_LARGE_FILE)

/* i_flags */
#define EXT2_INDEX_FL		0x00001000	/* htree directory */
#define EXT2_HUGE_FILE_FL	0x00040000
#define EXT2_EXTENTS_FL		0x00080000
#define EXT2_INLINE_DATA_FL	0x10000000
#define EXT2_ENCRYPT_FL		0x00000800

/* Directory entry file types (filetype feature). */
#define EXT2_FT_UNKNOWN		0
#define EXT2_FT_REG		1
#define EXT2_FT_DIR		2
#define EXT2_FT_CHR		3
#define EXT2_FT_BLK		4
#define EXT2_FT_FIFO		5
#define EXT2_FT_SOCK		6
#define EXT2_FT_SYMLINK		7
#define EXT2_FT_MAX		8
#define EXT2_DIRENT_HDR		8	/* inode, rec_len, name_len, type */
#define EXT2_DIRENT_LEN(n)	(((n) + EXT2_DIRENT_HDR + 3) & ~3U)

/* The xattr block header. */
#define EXT2_XATTR_MAGIC	0xEA020000

/* --- little-endian access ------------------------------------------------ */
static inline uint16_t
ext2_get16(const void *p)
{
	const uint8_t *b = p;

	return (uint16_t)(b[0] | (b[1] << 8));
}

static inline uint32_t
ext2_get32(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] | ((uint32_t)b[1] << 8) |
	    ((uint32_t)b[2] << 16) | ((uint32_t)b[3] << 24);
}

static inline void
ext2_put16(void *p, uint16_t v)
{
	uint8_t *b = p;

	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
}

static inline void
ext2_put32(void *p, uint32_t v)
{
	uint8_t *b = p;

	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
	b[2] = (uint8_t)(v >> 16);
	b[3] = (uint8_t)(v >> 24);
}

/* --- the buffer cache (ext2_buf.c) ---------------------------------------- */
struct ext2_buf {
	LIST_ENTRY(ext2_buf) b_hash;
	TAILQ_ENTRY(ext2_buf) b_lru;	/* unreferenced buffers, oldest first */
	uint64_t b_blkno;
	uint8_t *b_data;
	int b_refs;
	bool b_dirty;
	bool b_meta;			/* metadata: written after data */
};
LIST_HEAD(ext2_bufhead, ext2_buf);
TAILQ_HEAD(ext2_bufq, ext2_buf);

#define EXT2_BUF_HASH	256

struct ext2_bcache {
	struct ext2_bufhead bc_hash[EXT2_BUF_HASH];
	struct ext2_bufq bc_lru;
	size_t bc_nbufs;
	size_t bc_maxbufs;
	size_t bc_ndirty;
};

/* --- the mount ------------------------------------------------------------ */
struct ext2_group {
	uint32_t g_block_bitmap;
	uint32_t g_inode_bitmap;
	uint32_t g_inode_table;
	uint32_t g_free_blocks;
	uint32_t g_free_inodes;
	uint32_t g_used_dirs;
};

struct ext2_mount {
	struct mount *em_mp;
	struct vnode *em_devvp;		/* the block device, referenced */
	const struct devsw *em_dev;
	dev_t em_rdev;
	int em_openflags;
	bool em_ronly;
	uint64_t em_devsize;		/* bytes */

	/* The superblock as read, written back with the counters. */
	uint8_t em_sbraw[EXT2_SBSIZE];
	bool em_sbdirty;
	bool em_wasvalid;		/* s_state was clean at mount */
	uint32_t em_rev;
	uint32_t em_bsize;		/* block size in bytes */
	uint32_t em_bshift;
	uint32_t em_nblocks;		/* s_blocks_count */
	uint32_t em_ninodes;
	uint32_t em_first_data_block;
	uint32_t em_bpg;		/* blocks per group */
	uint32_t em_ipg;		/* inodes per group */
	uint32_t em_isize;		/* on-disk inode size */
	uint32_t em_first_ino;
	uint32_t em_ngroups;
	uint32_t em_itb_per_group;	/* inode table blocks per group */
	uint32_t em_gdblocks;		/* blocks of group descriptors */
	uint32_t em_rsvd_gdt;		/* s_reserved_gdt_blocks */
	uint32_t em_compat, em_incompat, em_rocompat;
	uint32_t em_free_blocks;
	uint32_t em_free_inodes;
	uint32_t em_r_blocks;
	uint32_t em_nindir;		/* block numbers per block */
	bool em_filetype;		/* directory entries carry types */
	struct ext2_group *em_groups;
	bool *em_gddirty;		/* per descriptor block */
	struct ext2_bcache em_bc;
	uint32_t em_lastalloc;		/* allocation goal hint */
};

#define VFSTOEM(mp)	((struct ext2_mount *)(mp)->mnt_data)

/* --- in-core inodes ------------------------------------------------------- */
struct ext2_inode {
	struct ext2_mount *i_em;
	struct vnode *i_vnode;
	uint32_t i_number;
	uint16_t i_mode;		/* type and permissions, as on disk */
	uint32_t i_uid, i_gid;
	uint32_t i_nlink;
	uint64_t i_size;
	uint64_t i_blocks;		/* 512-byte units */
	uint32_t i_flags;
	uint32_t i_file_acl;
	uint32_t i_generation;
	uint32_t i_dtime;
	struct timespec i_atime, i_mtime, i_ctime, i_crtime;
	bool i_hasnsec;			/* the inode has the extra time fields */
	uint32_t i_db[EXT2_N_BLOCKS];	/* i_block */
	dev_t i_rdev;
	uint32_t i_goal;		/* where the next block should go */
};

#define VTOI(vp)	((struct ext2_inode *)(vp)->v_data)

/* ext2_buf.c */
void ext2_bcache_init(struct ext2_mount *em);
/* Reads block blkno (checked against the file system's size). */
int ext2_bread(struct ext2_mount *em, uint64_t blkno, bool meta,
    struct ext2_buf **bpp);
/* A buffer for a block about to be overwritten whole: zeroed, not read. */
int ext2_bget(struct ext2_mount *em, uint64_t blkno, bool meta,
    struct ext2_buf **bpp);
void ext2_brelse(struct ext2_mount *em, struct ext2_buf *bp);
void ext2_bdirty(struct ext2_mount *em, struct ext2_buf *bp);
/* Drops a cached block (freed): its contents never reach the disk. */
void ext2_binval(struct ext2_mount *em, uint64_t blkno);
/* Writes every dirty buffer: data first, then metadata, with barriers. */
int ext2_bflush(struct ext2_mount *em);
void ext2_bcache_destroy(struct ext2_mount *em);
/* Raw device I/O of len bytes at byte offset off. */
int ext2_devio(struct ext2_mount *em, void *buf, size_t len, uint64_t off,
    bool write);

/* ext2_super.c */
int ext2_sb_load(struct ext2_mount *em, bool *ronlyp);
int ext2_sb_write(struct ext2_mount *em, bool clean);
int ext2_sb_mountrw(struct ext2_mount *em, bool *wasvalid);
void ext2_gd_dirty(struct ext2_mount *em, uint32_t group);
int ext2_gd_write(struct ext2_mount *em);
/* True if blkno holds file-system metadata of its group (sb, gdt,
 * bitmaps, inode table): never a file's block. */
bool ext2_is_metablock(struct ext2_mount *em, uint32_t blkno);
/* True if group g keeps a copy of the superblock and descriptors. */
bool ext2_group_has_super(struct ext2_mount *em, uint32_t g);
void ext2_corrupt(struct ext2_mount *em, const char *fmt, ...)
    __printflike(2, 3);

/* ext2_alloc.c */
int ext2_balloc(struct ext2_mount *em, uint32_t goal, uint32_t *blknop);
int ext2_bfree(struct ext2_mount *em, uint32_t blkno);
int ext2_ialloc(struct ext2_mount *em, struct ext2_inode *dir, bool isdir,
    uint32_t *inop);
int ext2_ifree(struct ext2_mount *em, uint32_t ino, bool isdir);

/* ext2_inode.c */
int ext2_iget(struct ext2_mount *em, uint32_t ino, struct ext2_inode **ipp);
int ext2_iupdate(struct ext2_inode *ip);
/* Sets up a freshly allocated inode number as a new inode of mode. */
int ext2_iinit(struct ext2_mount *em, uint32_t ino, uint16_t mode,
    uint32_t uid, uint32_t gid, struct ext2_inode **ipp);
int ext2_idelete(struct ext2_inode *ip);
void ext2_setrdev(struct ext2_inode *ip, dev_t dev);
void ext2_itimes(struct ext2_inode *ip, bool a, bool m, bool c);
enum vtype ext2_vtype(uint16_t mode);
uint8_t ext2_mode_to_ft(uint16_t mode);

/* ext2_bmap.c */
/* The physical block of logical block lbn (0: a hole); allocates when
 * alloc is set, and then *newp says the block is new (uninitialized). */
int ext2_bmap(struct ext2_inode *ip, uint64_t lbn, bool alloc,
    uint32_t *pbnp, bool *newp);
/* Frees every block past newsize (bytes); the inode is updated. */
int ext2_truncate(struct ext2_inode *ip, uint64_t newsize);
uint64_t ext2_maxfilesize(struct ext2_mount *em);

/* ext2_dir.c */
int ext2_dir_lookup(struct ext2_inode *dp, const char *name, size_t len,
    uint32_t *inop);
int ext2_dir_getdents(struct ext2_inode *dp, struct uio *uio);
int ext2_dir_add(struct ext2_inode *dp, const char *name, size_t len,
    uint32_t ino, uint16_t mode);
int ext2_dir_remove(struct ext2_inode *dp, const char *name, size_t len);
/* Points an existing entry at ino (rename over a target). */
int ext2_dir_rewrite(struct ext2_inode *dp, const char *name, size_t len,
    uint32_t ino, uint16_t mode);
int ext2_dir_isempty(struct ext2_inode *dp, bool *emptyp);
int ext2_dir_init(struct ext2_inode *dp, uint32_t parent);
int ext2_dir_setparent(struct ext2_inode *dp, uint32_t parent);

/* ext2_vfsops.c: gd counters, data, metadata, superblock, in order. */
int ext2_syncfs(struct ext2_mount *em);

/* ext2_vnops.c, ext2_file.c */
extern const struct vnodeops ext2_vnodeops;
int ext2_getattr(struct vnode *, struct vattr *);
int ext2_setattr(struct vnode *, const struct vattr *);
int ext2_read(struct vnode *, struct uio *, int);
int ext2_write(struct vnode *, struct uio *, int);
int ext2_fsync(struct vnode *, bool);
int ext2_seekdata(struct vnode *, int, int64_t, int64_t *);
int ext2_readlink(struct vnode *, struct uio *);
void ext2_inactive(struct vnode *);
void ext2_reclaim(struct vnode *);

#endif /* EXT2FS_H */
