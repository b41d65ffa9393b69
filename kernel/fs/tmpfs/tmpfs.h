/*
 * tmpfs.h: private interface of tmpfs, the memory file system that is the
 * kernel's root.
 *
 * A mount owns its nodes (struct tmpfs_node): every node is on the mount's
 * tm_nodes list from creation until it is freed, either by vop_inactive
 * once it has no links and no vnode reference, or by unmount.  A node has
 * at most one vnode (tn_vnode), found through the vnode cache with the
 * node's address as key.
 *
 * A regular file that a client maps MAP_SHARED moves its data for good
 * into a host memory object (tmpfs_mobj.c), which clients map too.
 *
 * Directories keep their entries twice: on a list in insertion order
 * (readdir, with a stable per-directory cookie) and in a hash table that
 * grows by doubling (lookup).  Regular files keep their data in sparse
 * 4 KiB pages under a radix tree (tmpfs_mem.c).
 *
 * Locking: vfs_giant is held by the caller of every vnode and vfs
 * operation (k/vnode.h); nothing here takes a lock.
 */
#ifndef TMPFS_H
#define TMPFS_H

#include "k/kernel.h"
#include "k/vnode.h"

#define TMPFS_PAGE_SHIFT	12
#define TMPFS_PAGE_SIZE		(1 << TMPFS_PAGE_SHIFT)
#define TMPFS_PAGE_MASK		(TMPFS_PAGE_SIZE - 1)
#define TMPFS_RADIX_SHIFT	9
#define TMPFS_RADIX_FANOUT	(1 << TMPFS_RADIX_SHIFT)
/* Six levels of 512 cover 2^54 pages, more than the 2^51 of a 2^63 file. */
#define TMPFS_RADIX_MAXHEIGHT	6
/* Linux's MAX_LFS_FILESIZE on 64-bit hosts. */
#define TMPFS_MAXFILESIZE	INT64_MAX

/* Linux tmpfs counts 20 bytes per directory entry, "." and ".." included. */
#define TMPFS_BOGO_DIRENT_SIZE	20
#define TMPFS_LINK_MAX		0xfffffff0U
/* Readdir cookies: "." is 0, ".." is 1, entries count up from here. */
#define TMPFS_COOKIE_FIRST	2

/* Page accounting shared by every file of a mount. */
struct tmpfs_pagepool {
	uint64_t pp_pages;		/* data pages allocated */
	uint64_t pp_maxpages;		/* size= limit, 0 for none */
};

struct rumpuser_mobj;

/*
 * The data of one regular file: a radix tree of pages, or (tp_mobj not
 * NULL) a memory object whose size is the file's, seen at tp_base.
 */
struct tmpfs_pages {
	/*
	 * Height 0: tp_root is the page of index 0 (or NULL).  Height h > 0:
	 * tp_root is an interior node covering indexes [0, 512^h).
	 */
	void *tp_root;
	int tp_height;
	uint64_t tp_npages;		/* pages of this file */
	struct rumpuser_mobj *tp_mobj;	/* or NULL: the radix tree */
	char *tp_base;			/* the kernel's view of tp_mobj */
};

struct tmpfs_node;

struct tmpfs_dirent {
	TAILQ_ENTRY(tmpfs_dirent) td_entries;	/* readdir order */
	LIST_ENTRY(tmpfs_dirent) td_hash;	/* hash chain */
	struct tmpfs_node *td_node;
	uint64_t td_cookie;
	uint32_t td_hashval;
	uint16_t td_namelen;
	char td_name[];				/* NUL-terminated */
};

TAILQ_HEAD(tmpfs_direntq, tmpfs_dirent);
LIST_HEAD(tmpfs_hashhead, tmpfs_dirent);

struct tmpfs_dir {
	struct tmpfs_direntq td_list;
	struct tmpfs_hashhead *td_hashtab;	/* NULL: no entry yet */
	uint32_t td_hashmask;		/* buckets - 1 (power of two) */
	uint64_t td_nentries;
	uint64_t td_nsubdirs;
	uint64_t td_nextcookie;
	/* NULL when removed (then ".." gives ENOENT); self for the root. */
	struct tmpfs_node *td_parent;
	/*
	 * Where the last readdir stopped: td_hintde is the first entry with
	 * cookie >= td_hintcookie (NULL: none yet).  Sequential readdir
	 * of a large directory then never scans the list.
	 */
	bool td_hintvalid;
	uint64_t td_hintcookie;
	struct tmpfs_dirent *td_hintde;
};

struct tmpfs_mount;

struct tmpfs_node {
	LIST_ENTRY(tmpfs_node) tn_entries;	/* tm_nodes */
	struct tmpfs_mount *tn_mount;
	struct vnode *tn_vnode;			/* or NULL */
	enum vtype tn_type;
	mode_t tn_mode;			/* permission bits (07777) */
	uint32_t tn_nlink;
	uid_t tn_uid;
	gid_t tn_gid;
	ino_t tn_ino;
	int64_t tn_size;			/* VREG and VLNK */
	dev_t tn_rdev;
	struct timespec tn_atime, tn_mtime, tn_ctime, tn_btime;
	union {
		struct tmpfs_pages tn_pages;	/* VREG */
		struct tmpfs_dir tn_dir;	/* VDIR */
		char *tn_target;		/* VLNK, tn_size + 1 bytes */
	} tn_u;
};
#define tn_data		tn_u.tn_pages
#define tn_d		tn_u.tn_dir

LIST_HEAD(tmpfs_nodelist, tmpfs_node);

struct tmpfs_mount {
	struct tmpfs_node *tm_root;
	struct tmpfs_nodelist tm_nodes;
	uint64_t tm_nnodes;
	uint64_t tm_maxnodes;		/* nr_inodes= limit, 0 for none */
	ino_t tm_nextino;
	struct tmpfs_pagepool tm_pool;
};

#define VTOTN(vp)	((struct tmpfs_node *)(vp)->v_data)
#define VFSTOTM(mp)	((struct tmpfs_mount *)(mp)->mnt_data)
#define TMPFS_KEY(node)	((uint64_t)(uintptr_t)(node))

/* Which timestamps tmpfs_update() sets to now. */
#define TMPFS_UPD_ATIME	0x01
#define TMPFS_UPD_MTIME	0x02
#define TMPFS_UPD_CTIME	0x04

/* --- tmpfs_subr.c: nodes, directories, times ------------------------------ */
int tmpfs_node_alloc(struct tmpfs_mount *tm, enum vtype type, mode_t mode,
    uid_t uid, gid_t gid, dev_t rdev, struct tmpfs_node **nodep);
void tmpfs_node_free(struct tmpfs_node *node);
int tmpfs_dirent_alloc(const char *name, size_t namelen,
    struct tmpfs_dirent **dep);
void tmpfs_dirent_free(struct tmpfs_dirent *de);
/* Makes sure dir can take one more entry without allocating. */
int tmpfs_dir_reserve(struct tmpfs_node *dir);
struct tmpfs_dirent *tmpfs_dir_lookup(struct tmpfs_node *dir,
    const char *name, size_t namelen);
/* Links de (naming node) into dir; counts a subdirectory. */
void tmpfs_dir_insert(struct tmpfs_node *dir, struct tmpfs_dirent *de,
    struct tmpfs_node *node);
/* Unlinks de from dir (the caller frees it). */
void tmpfs_dir_detach(struct tmpfs_node *dir, struct tmpfs_dirent *de);
/* Points de at node instead, moving link counts (rename). */
void tmpfs_dir_replace(struct tmpfs_node *dir, struct tmpfs_dirent *de,
    struct tmpfs_node *node);
int64_t tmpfs_dir_size(const struct tmpfs_node *dir);
int tmpfs_dir_getdents(struct tmpfs_node *dir, struct uio *uio);
void tmpfs_update(struct tmpfs_node *node, int which);
/* Read access: atime under relatime rules. */
void tmpfs_accessed(struct tmpfs_node *node);

/* --- tmpfs_mem.c: file data --------------------------------------------- */
int tmpfs_pages_read(struct tmpfs_pages *tp, int64_t size, struct uio *uio);
/* Writes at uio_offset, raising *sizep as data lands; see the file. */
int tmpfs_pages_write(struct tmpfs_pagepool *pp, struct tmpfs_pages *tp,
    struct uio *uio, int64_t *sizep);
/* Can fail only for a memory object that must grow (ENOSPC). */
int tmpfs_pages_truncate(struct tmpfs_pagepool *pp, struct tmpfs_pages *tp,
    int64_t oldsize, int64_t newsize);
/* Pages in [off, off+len) not yet allocated. */
uint64_t tmpfs_pages_missing(struct tmpfs_pages *tp, int64_t off,
    int64_t len);
int tmpfs_pages_allocate(struct tmpfs_pagepool *pp, struct tmpfs_pages *tp,
    int64_t off, int64_t len);
void tmpfs_pages_punch(struct tmpfs_pagepool *pp, struct tmpfs_pages *tp,
    int64_t off, int64_t len);
int tmpfs_pages_zero(struct tmpfs_pagepool *pp, struct tmpfs_pages *tp,
    int64_t off, int64_t len);
int tmpfs_pages_seek(struct tmpfs_pages *tp, int64_t size, int whence,
    int64_t off, int64_t *resultp);
void tmpfs_pages_free(struct tmpfs_pagepool *pp, struct tmpfs_pages *tp);
/* Moves the file's data into a memory object (once). */
int tmpfs_pages_tomobj(struct tmpfs_pagepool *pp, struct tmpfs_pages *tp,
    int64_t size);

/* --- tmpfs_mobj.c: the data of a mapped file (a memory object) ----------- */
/* Charges and sizes the object for size bytes (pages of a file). */
int tmpfs_mobj_resize(struct tmpfs_pagepool *pp, struct tmpfs_pages *tp,
    int64_t oldsize, int64_t newsize);
int tmpfs_mobj_read(struct tmpfs_pages *tp, int64_t size, struct uio *uio);
int tmpfs_mobj_write(struct tmpfs_pagepool *pp, struct tmpfs_pages *tp,
    struct uio *uio, int64_t *sizep);
int tmpfs_mobj_fallocate(struct tmpfs_pagepool *pp, struct tmpfs_pages *tp,
    int64_t *sizep, int mode, int64_t off, int64_t len);
int tmpfs_mobj_seek(int64_t size, int whence, int64_t off, int64_t *resultp);
void tmpfs_mobj_free(struct tmpfs_pagepool *pp, struct tmpfs_pages *tp);

/* --- tmpfs_vfsops.c ------------------------------------------------------ */
/* Data pages still available to this mount (statfs f_bavail). */
uint64_t tmpfs_freepages(const struct tmpfs_mount *tm);

/* --- tmpfs_vnops.c, tmpfs_fileops.c -------------------------------------- */
extern const struct vnodeops tmpfs_vnodeops;
extern const struct vfsops tmpfs_vfsops;

int tmpfs_lookup(struct vnode *, const char *, size_t, struct vnode **);
int tmpfs_create(struct vnode *, const char *, size_t, const struct vattr *,
    struct vnode **);
int tmpfs_mkdir(struct vnode *, const char *, size_t, const struct vattr *,
    struct vnode **);
int tmpfs_symlink(struct vnode *, const char *, size_t, const struct vattr *,
    const char *, struct vnode **);
int tmpfs_link(struct vnode *, const char *, size_t, struct vnode *);
int tmpfs_remove(struct vnode *, const char *, size_t, struct vnode *);
int tmpfs_rmdir(struct vnode *, const char *, size_t, struct vnode *);
int tmpfs_rename(struct vnode *, const char *, size_t, struct vnode *,
    struct vnode *, const char *, size_t, struct vnode *, unsigned);
int tmpfs_readdir(struct vnode *, struct uio *);
int tmpfs_readlink(struct vnode *, struct uio *);
int tmpfs_getattr(struct vnode *, struct vattr *);
int tmpfs_setattr(struct vnode *, const struct vattr *);
int tmpfs_read(struct vnode *, struct uio *, int);
int tmpfs_write(struct vnode *, struct uio *, int);
int tmpfs_fallocate(struct vnode *, int, int64_t, int64_t);
int tmpfs_seekdata(struct vnode *, int, int64_t, int64_t *);
int tmpfs_fsync(struct vnode *, bool);
int tmpfs_mapobj(struct vnode *, int, int *);
void tmpfs_inactive(struct vnode *);
void tmpfs_reclaim(struct vnode *);

#endif /* TMPFS_H */
