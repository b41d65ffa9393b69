/*
 * vnode.h: the VFS interface between the generic layer (kernel/vfs) and
 * file systems (kernel/fs/...).
 *
 * Locking: one kernel-wide lock, vfs_giant, covers every vnode, mount and
 * file-system node.  The vfs layer takes it around each operation; file
 * systems run with it held and never take it themselves.  Code that must
 * sleep (F_SETLKW, fifo open) waits on a condvar with vfs_giant, which
 * releases it.  Pipes, descriptor tables and sockets have their own locks.
 * (A per-vnode lock is the seam for later parallelism; see doc/DESIGN.md.)
 *
 * References: v_usecount counts holders (namei results, open files, cwd,
 * mounts).  At zero the vnode goes on the free list and VOP_INACTIVE runs;
 * the vnode cache reclaims free vnodes past kern.maxvnodes.
 */
#ifndef K_VNODE_H
#define K_VNODE_H

#include "k/kernel.h"

struct mount;
struct vnode;
struct lockf;

extern kmutex_t vfs_giant;
/*
 * How code outside vfs takes vfs_giant (drivers, procfs's mount at boot):
 * recursive for the lwp that holds it, as vfs itself takes it, so a
 * vrele() or a nested vfs call under it cannot deadlock.
 * (Declared here for dev/ and procfs; implemented in vfs/vfs_init.c.)
 */
void vfs_lock(void);
void vfs_unlock(void);

enum vtype { VNON, VREG, VDIR, VBLK, VCHR, VLNK, VSOCK, VFIFO };

/* Which vattr fields a setattr changes. */
#define VA_MODE		0x0001
#define VA_UID		0x0002
#define VA_GID		0x0004
#define VA_SIZE		0x0008
#define VA_ATIME	0x0010
#define VA_MTIME	0x0020
#define VA_CTIME	0x0040

struct vattr {
	enum vtype va_type;
	mode_t va_mode;			/* permission bits incl. suid/sgid/sticky */
	uint32_t va_nlink;
	uid_t va_uid;
	gid_t va_gid;
	uint64_t va_fsid;
	ino_t va_fileid;
	int64_t va_size;
	uint64_t va_bytes;		/* space used */
	uint32_t va_blocksize;
	struct timespec va_atime, va_mtime, va_ctime, va_btime;
	dev_t va_rdev;
	unsigned va_mask;		/* VA_* for setattr */
};

/* ioflag for read/write */
#define IO_APPEND	0x01
#define IO_SYNC		0x02

/*
 * Vnode operations.  Names are passed as (pointer, length) and are never
 * "." or ".." except to vop_lookup.  Returned vnodes are referenced.
 */
struct vnodeops {
	int (*vop_lookup)(struct vnode *dvp, const char *name, size_t namelen,
	    struct vnode **vpp);
	/* va_type is VREG, VFIFO, VCHR, VBLK or VSOCK. */
	int (*vop_create)(struct vnode *dvp, const char *name, size_t namelen,
	    const struct vattr *va, struct vnode **vpp);
	int (*vop_mkdir)(struct vnode *dvp, const char *name, size_t namelen,
	    const struct vattr *va, struct vnode **vpp);
	int (*vop_symlink)(struct vnode *dvp, const char *name, size_t namelen,
	    const struct vattr *va, const char *target, struct vnode **vpp);
	int (*vop_link)(struct vnode *dvp, const char *name, size_t namelen,
	    struct vnode *vp);
	int (*vop_remove)(struct vnode *dvp, const char *name, size_t namelen,
	    struct vnode *vp);
	int (*vop_rmdir)(struct vnode *dvp, const char *name, size_t namelen,
	    struct vnode *vp);
	/*
	 * tvp is the existing target or NULL.  flags: RENAME_EXCHANGE (tvp
	 * non-NULL, swap the two).  The vfs layer has checked permissions,
	 * directory loops, type compatibility and RENAME_NOREPLACE.
	 */
	int (*vop_rename)(struct vnode *fdvp, const char *fname, size_t flen,
	    struct vnode *fvp, struct vnode *tdvp, const char *tname,
	    size_t tlen, struct vnode *tvp, unsigned flags);
	/*
	 * Fills uio (kernel memory) with struct linux_dirent64 records from
	 * cookie uio_offset on ("." is 0, ".." 1), leaving uio_offset at the
	 * next cookie.  A record that does not fit stops the fill; EINVAL if
	 * not even one fits.
	 */
	int (*vop_readdir)(struct vnode *vp, struct uio *uio);
	int (*vop_readlink)(struct vnode *vp, struct uio *uio);
	int (*vop_getattr)(struct vnode *vp, struct vattr *va);
	/* Checks done by vfs; VA_SIZE on a directory is rejected there. */
	int (*vop_setattr)(struct vnode *vp, const struct vattr *va);
	int (*vop_read)(struct vnode *vp, struct uio *uio, int ioflag);
	int (*vop_write)(struct vnode *vp, struct uio *uio, int ioflag);
	/* mode: 0 or FALLOC_FL_*; EOPNOTSUPP for what is not supported. */
	int (*vop_fallocate)(struct vnode *vp, int mode, int64_t off,
	    int64_t len);
	/* SEEK_DATA / SEEK_HOLE from off; ENXIO past the end. */
	int (*vop_seekdata)(struct vnode *vp, int whence, int64_t off,
	    int64_t *resultp);
	int (*vop_fsync)(struct vnode *vp, bool dataonly);
	/* A new host descriptor of the file's memory object, for a shared
	 * mapping (doc/DESIGN.md "Shared mappings"); NULL: ENODEV. */
	int (*vop_mapobj)(struct vnode *vp, int writable, int *hfdp);
	/* usecount reached zero; free the node if it has no links left. */
	void (*vop_inactive)(struct vnode *vp);
	/* The vnode leaves the cache: drop the node's pointer to it. */
	void (*vop_reclaim)(struct vnode *vp);
};

struct vnode {
	struct mount *v_mount;
	const struct vnodeops *v_op;
	void *v_data;			/* file system's node */
	uint64_t v_key;			/* cache key within v_mount */
	enum vtype v_type;
	int v_usecount;
	int v_writecount;		/* open for writing */
	struct mount *v_mountedhere;	/* VDIR: covering mount */
	dev_t v_rdev;			/* VCHR/VBLK */
	void *v_fifo;			/* VFIFO: the pipe while open */
	struct lockf *v_lockf;		/* advisory locks */
	LIST_ENTRY(vnode) v_hash;
	TAILQ_ENTRY(vnode) v_freelist;	/* when v_usecount == 0 */
	bool v_onfree;
};

/* The vnode cache: kern.maxvnodes bounds the vnodes it keeps. */
/*
 * Returns the vnode for (mp, key), referenced, calling vfs_loadvnode to
 * initialize a new one.  May reclaim free vnodes first.
 */
int vcache_get(struct mount *mp, uint64_t key, struct vnode **vpp);
/* For a node the file system just created: same as vcache_get. */
void vref(struct vnode *vp);
void vrele(struct vnode *vp);
/* Drops a vnode from the cache at once (its node is gone). */
void vcache_remove(struct vnode *vp);
extern int64_t vfs_maxvnodes;		/* kern.maxvnodes */
extern int vfs_numvnodes;

struct vfsops;

struct mount {
	const struct vfsops *mnt_op;
	struct vnode *mnt_vnodecovered;	/* referenced; NULL for root */
	void *mnt_data;
	int mnt_flag;			/* MS_RDONLY ... */
	uint64_t mnt_fsid;
	int mnt_id;
	char mnt_source[64];
	char mnt_path[256];		/* where it is mounted, for /proc/mounts */
	TAILQ_ENTRY(mount) mnt_list;
	struct vnode *mnt_rootvp;	/* root vnode, referenced by vfs */
};

struct vfsops {
	const char *vfs_name;
	/* source and data come from mount(2); data may be NULL. */
	int (*vfs_mount)(struct mount *mp, const char *source, const char *data);
	int (*vfs_unmount)(struct mount *mp, int flags);
	int (*vfs_root)(struct mount *mp, struct vnode **vpp);
	int (*vfs_statfs)(struct mount *mp, struct statfs *sf);
	int (*vfs_sync)(struct mount *mp);
	/* Initialize vp (v_op, v_data, v_type) for key. */
	int (*vfs_loadvnode)(struct mount *mp, struct vnode *vp, uint64_t key);
};

int vfs_register(const struct vfsops *ops);
const struct vfsops *vfs_getopsbyname(const char *name);
/* Mounts a file system of type name on the directory vp (NULL: the root). */
int vfs_domount(const char *type, struct vnode *vp, const char *source,
    int flags, const char *data, struct mount **mpp);
extern TAILQ_HEAD(mountlist, mount) mountlist;
extern struct vnode *rootvnode;

/* --- helpers file systems and drivers use ----------------------------------- */
/* Unix permission check of mode bits (R_OK|W_OK|X_OK) for cred. */
int vfs_access_check(const struct vattr *va, int accmode,
    const struct kauth_cred *cred);
/*
 * The mode a write or truncate by cred leaves on a regular file (Linux's
 * setattr_should_drop_suidgid): S_ISUID goes, S_ISGID goes with group
 * execute or when cred is not in the file's group; root keeps both.
 */
mode_t vfs_killpriv_mode(mode_t mode, gid_t gid,
    const struct kauth_cred *cred);
uint8_t vtype_to_dt(enum vtype t);
mode_t vtype_to_ifmt(enum vtype t);
enum vtype ifmt_to_vtype(mode_t mode);

/* --- name lookup: vfs/vfs_lookup.c ------------------------------------------- */
#define NAMEI_FOLLOW		0x01	/* follow a final symlink */
#define NAMEI_PARENT		0x02	/* stop at the parent of the last name */
#define NAMEI_EMPTYPATH		0x04	/* "" means dirfd itself */
#define NAMEI_DIRECTORY		0x08	/* trailing slash seen: must be a dir */
#define NAMEI_NOXDEV		0x10	/* RESOLVE_NO_XDEV */
#define NAMEI_BENEATH		0x20	/* RESOLVE_BENEATH */
#define NAMEI_NOSYMLINKS	0x40	/* RESOLVE_NO_SYMLINKS */
#define NAMEI_INROOT		0x80	/* RESOLVE_IN_ROOT */

struct nameidata {
	/* in */
	int ni_dirfd;			/* AT_FDCWD or a descriptor */
	const char *ni_path;		/* kernel copy */
	int ni_flags;
	/* out */
	struct vnode *ni_dvp;		/* parent (NAMEI_PARENT), referenced */
	struct vnode *ni_vp;		/* result, referenced, or NULL */
	const char *ni_name;		/* last component (in ni_path buffer) */
	size_t ni_namelen;
	bool ni_trailslash;		/* the path ended in '/' */
	char *ni_buf;			/* private: path after a symlink */
};

/* With vfs_giant held. */
int namei(struct nameidata *nd);
void namei_done(struct nameidata *nd);	/* vrele what namei returned */

/*
 * Kernel-side namespace helpers for drivers that populate the tree at boot
 * or from an API call (dev/ nodes, etfs, procfs's /proc).  Each takes
 * vfs_giant itself (call it without), resolves an absolute path from
 * rootvnode with kernel (root) credentials, applies no umask, and returns
 * 0 or an errno (EEXIST, ENOENT for a missing parent ...).
 * (Added for dev/ and procfs; implemented in vfs/.)
 */
int vfs_mkdir_kernel(const char *path, mode_t mode);
/* mode: S_IFCHR, S_IFBLK, S_IFIFO or S_IFREG plus permission bits. */
int vfs_mknod_kernel(const char *path, mode_t mode, dev_t dev);
/* Removes a non-directory (no final symlink followed). */
int vfs_unlink_kernel(const char *path);
/* The vnode at path, final symlink followed, referenced (vrele it with
 * vfs_giant held). */
int vfs_lookup_kernel(const char *path, struct vnode **vpp);
/*
 * With vfs_giant held: the absolute path of vp from rootvnode, written
 * NUL-terminated into buf.  ENOENT if vp is no longer reachable (unlinked),
 * ENAMETOOLONG if it does not fit.  Used by /proc/<pid>/{fd/N,cwd,root}.
 */
int vfs_vnode_path(struct vnode *vp, char *buf, size_t len);

/*
 * AF_UNIX path names (added for net/unix).  Each takes vfs_giant itself
 * (call it without; AF_UNIX calls them with its socket lock held, and
 * nothing takes a socket lock under vfs_giant).  Paths are relative to
 * the caller's cwd and checked with cred, as bind()/connect() do.
 * vfs_socket_create: a new VSOCK node (mode gets the umask), referenced in
 * *vpp: EEXIST if the name exists.  vfs_socket_lookup: the VSOCK node at
 * path (final symlink followed), referenced, after a write-permission
 * check: ECONNREFUSED if it is not a socket, ENOENT, EACCES ...
 */
int vfs_socket_create(const char *path, mode_t mode,
    const struct kauth_cred *cred, struct vnode **vpp);
int vfs_socket_lookup(const char *path, const struct kauth_cred *cred,
    struct vnode **vpp);
/* vrele() for code that does not hold vfs_giant. */
void vfs_vrele_unlocked(struct vnode *vp);

/* --- devices: dev/ ------------------------------------------------------------ */
#define MAJOR(d) ((uint32_t)(((d) >> 8) & 0xfff) | (uint32_t)(((d) >> 32) & ~0xfffU))
#define MINOR(d) ((uint32_t)(((d) & 0xff) | (((d) >> 12) & ~0xffU)))
#define MAKEDEV(ma, mi) ((dev_t)((((uint64_t)(ma) & 0xfffff000ULL) << 32) | \
	(((uint64_t)(ma) & 0xfffULL) << 8) | (((uint64_t)(mi) & 0xffffff00ULL) << 12) | \
	((uint64_t)(mi) & 0xffULL)))

struct devsw {
	const char *d_name;
	int (*d_open)(dev_t dev, int flags);
	int (*d_close)(dev_t dev, int flags);
	int (*d_read)(dev_t dev, struct uio *uio, int flags);
	int (*d_write)(dev_t dev, struct uio *uio, int flags);
	int (*d_ioctl)(dev_t dev, unsigned long cmd, void *data);
	int (*d_poll)(dev_t dev, int events);
	/* Block devices: size in bytes. */
	int (*d_size)(dev_t dev, uint64_t *sizep);
	int (*d_fsync)(dev_t dev);
};

/* isblk selects the block or character switch. */
int devsw_attach(bool isblk, uint32_t major, const struct devsw *sw);
const struct devsw *devsw_lookup(bool isblk, dev_t dev);

#endif /* K_VNODE_H */
