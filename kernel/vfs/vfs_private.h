/*
 * vfs_private.h: what the files of kernel/vfs share and nobody else sees.
 *
 * Locking: vfs_giant (k/vnode.h) covers every vnode, mount, name-cache
 * entry and advisory lock.  Inside vfs it is taken through vfs_lock(),
 * which is recursive for the owning lwp: a file's last reference can drop
 * (and vn_close run) while namei already holds the lock, e.g. when a dirfd
 * is closed by another thread in the middle of a lookup.  File systems run
 * with it held and never take it.
 */
#ifndef VFS_PRIVATE_H
#define VFS_PRIVATE_H

#include <limits.h>

#include "k/file.h"
#include "k/vnode.h"

/* namei flags private to vfs: start at rootvnode, check no permissions; */
#define NAMEI_KERNEL		0x10000
/* enter a final non-directory in the name cache (open). */
#define NAMEI_REMEMBER		0x20000

/* The largest file offset vfs lets through (EFBIG past it). */
#define VFS_MAXFILESIZE		((int64_t)1 << 60)

/* F_GETFL hides these; they only say how the file was opened. */
#define VFS_OPENONLY_FLAGS	(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | \
				 O_CLOEXEC)

/* --- vfs_init.c: the giant lock ------------------------------------------- */
void vfs_lock(void);
void vfs_unlock(void);
/*
 * Sleeps on cv with vfs_giant released (whatever the recursion depth)
 * until woken, the uptime deadline (KWAIT_FOREVER) or an interruption:
 * 0, ETIMEDOUT or EINTR, as file_cv_wait().
 */
int vfs_cv_wait(kcondvar_t *cv, int64_t deadline);
/* Around code that sleeps on vfs_giant by itself (fifo_open). */
int vfs_giant_forget(void);
void vfs_giant_remember(int depth);

/* --- vfs_subr.c: helpers ---------------------------------------------------- */
/* A path copied in from a client: small ones stay on the stack. */
struct pathbuf {
	char *pb_path;
	char pb_small[256];
};
int pathbuf_copyin(const char *upath, struct pathbuf *pb);
void pathbuf_free(struct pathbuf *pb);

int vn_getattr(struct vnode *vp, struct vattr *va);
int vn_setattr(struct vnode *vp, const struct vattr *va);
int vn_lookup(struct vnode *dvp, const char *name, size_t len,
    struct vnode **vpp);
/* Access check for R_OK|W_OK|X_OK; root's cases need no getattr. */
int vn_access(struct vnode *vp, int mode, const struct kauth_cred *cred);
bool vn_rdonly(const struct vnode *vp);
bool vn_isowner(const struct vattr *va, const struct kauth_cred *cred);
bool vn_isdot(const char *name, size_t len);
bool vn_isdotdot(const char *name, size_t len);
bool vn_ismountroot(const struct vnode *vp);

/*
 * Checks for creating a name in dvp: EROFS, ENOENT for a removed
 * directory, EACCES without write and search permission.  A NULL cred
 * (the kernel's own calls) skips permissions.
 */
int vn_create_check(struct vnode *dvp, const struct kauth_cred *cred);
/*
 * Checks for removing vp (named in dvp), in Linux's order: EACCES, EPERM
 * (sticky), then wantdir 1: ENOTDIR unless a directory, 0: EISDIR for a
 * directory, -1: either; then EBUSY for mount points.
 */
int vn_delete_check(struct vnode *dvp, struct vnode *vp, int wantdir,
    const struct kauth_cred *cred);
/* Attributes of a new node: owner, group (set-group-ID directories). */
int vn_newattr(struct vnode *dvp, enum vtype type, mode_t mode,
    const struct kauth_cred *cred, struct vattr *va);

void vattr_to_stat(const struct vattr *va, struct stat *st);
void vattr_to_statx(const struct vattr *va, const struct vnode *vp,
    struct statx *stx);

/*
 * The file behind fd: referenced, with its vnode (NULL for pipes and
 * sockets).  EBADF for a bad fd, and for an O_PATH file unless pathok.
 */
int fd_getvnode(int fd, bool pathok, struct file **fpp, struct vnode **vpp);
static inline bool
file_ispath(const struct file *fp)
{
	return (fp->f_flag & O_PATH) != 0;
}

/* --- vfs_vnode.c: the vnode cache ------------------------------------------ */
void vcache_init(void);
/* Frees up to max free vnodes of mp (NULL: any); returns how many. */
int vcache_reclaim(struct mount *mp, int max);
/* Calls fn for every cached vnode of mp (NULL: all). */
void vcache_foreach(struct mount *mp, void (*fn)(struct vnode *, void *),
    void *arg);

/* --- vfs_mount.c ----------------------------------------------------------- */
void vfs_sync_all(void);

/* --- vfs_vnops.c: open files ----------------------------------------------- */
extern const struct fileops vn_fileops;
/*
 * Opens path relative to dirfd with open(2) flags and creation mode;
 * nflags adds NAMEI_* (RESOLVE_* of openat2).  Returns a referenced file
 * not yet installed in the table.  Called without vfs_giant.
 */
int vn_open(int dirfd, const char *path, int flags, mode_t mode, int nflags,
    struct file **fpp);
int vn_truncate(struct vnode *vp, int64_t len, bool settimes);

/* --- vfs_lockf.c: advisory locks --------------------------------------------- */
void lf_init(void);
/* F_GETLK ... F_OFD_SETLKW on fp; uarg is the client's struct flock. */
int lf_fcntl(struct file *fp, int cmd, void *uarg);
int namei_init(void);		/* vfs_lookup.c: its sysctl */
bool lf_flock_valid(int op);
int lf_flock(struct file *fp, int op);
/* With vfs_giant held. */
void lf_release_file(struct vnode *vp, struct file *fp);
void lf_release_posix(struct vnode *vp, struct filedesc *fdp);
void lf_release_all(struct vnode *vp);

/* --- vfs_getcwd.c: names of vnodes --------------------------------------------- */
/* Remembers that vp is called name in dvp (for paths of non-directories). */
void ncache_enter(struct vnode *dvp, const char *name, size_t len,
    struct vnode *vp);
void ncache_purge(struct vnode *vp);
/*
 * Path of vp as seen from root (a directory), built at the end of buf;
 * *startp is where it begins.  ENOENT if a component cannot be named
 * (removed), *unreachablep if vp is not under root.
 */
int vn_path(struct vnode *vp, struct vnode *root, char *buf, size_t len,
    char **startp, bool *unreachablep);

#endif /* VFS_PRIVATE_H */
