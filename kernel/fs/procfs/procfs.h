/*
 * procfs.h: private interfaces of procfs (kernel/fs/procfs).
 *
 * Every procfs node is named by a 64-bit key that encodes everything about
 * it, so a vnode needs no private data and vfs_loadvnode can rebuild any
 * node from its key alone:
 *   bits 0-7    kind (enum pfs_kind, never 0, so a key is never 0)
 *   bits 8-39   pid (process nodes), else 0
 *   bits 40-63  index: descriptor number (PFS_FD) or the interned sysctl
 *               name (PFS_SYSDIR, PFS_SYSFILE), else 0
 * The key is also the inode number.
 *
 * Locking: every entry point runs with vfs_giant held (vnode.h), which also
 * covers the sysctl name table of procfs_sys.c.  Process state is read
 * under the process's own locks (p_lock, fd_lock), taken after vfs_giant.
 */
#ifndef PROCFS_PROCFS_H
#define PROCFS_PROCFS_H

#include "k/kernel.h"
#include "k/sysctl.h"
#include "k/vnode.h"

enum pfs_kind {
	PFS_ROOT = 1,		/* /proc */
	PFS_SELF,		/* /proc/self -> <pid> */
	PFS_MOUNTS,		/* /proc/mounts */
	PFS_SYSDIR,		/* /proc/sys and its subdirectories */
	PFS_SYSFILE,		/* /proc/sys/kern/maxvnodes ... */
	PFS_PIDDIR,		/* /proc/<pid> */
	PFS_FDDIR,		/* /proc/<pid>/fd */
	PFS_FD,			/* /proc/<pid>/fd/<n> -> path */
	PFS_CWD,		/* /proc/<pid>/cwd -> path */
	PFS_ROOTLNK,		/* /proc/<pid>/root -> path */
	PFS_STATUS,		/* /proc/<pid>/status */
	PFS_COMM,		/* /proc/<pid>/comm */
	PFS_NETDIR,		/* /proc/net */
	PFS_NETFILE,		/* /proc/net/dev ... (k/procnet.h index) */
	PFS_NKINDS
};

#define PFS_IDXMAX	0xffffffU

static inline uint64_t
pfs_key(enum pfs_kind kind, pid_t pid, uint32_t idx)
{
	return (uint64_t)kind | ((uint64_t)(uint32_t)pid << 8) |
	    ((uint64_t)(idx & PFS_IDXMAX) << 40);
}

static inline enum pfs_kind
pfs_kind(uint64_t key)
{
	return (enum pfs_kind)(key & 0xff);
}

static inline pid_t
pfs_pid(uint64_t key)
{
	return (pid_t)(uint32_t)(key >> 8);
}

static inline uint32_t
pfs_idx(uint64_t key)
{
	return (uint32_t)(key >> 40) & PFS_IDXMAX;
}

extern const struct vnodeops procfs_vnodeops;
extern struct timespec procfs_boottime;

/* procfs_vnops.c: the type of a node of kind k. */
enum vtype pfs_vtype(enum pfs_kind k);
/* True if the node behind key still exists (process alive, fd open ...). */
bool pfs_exists(uint64_t key);
struct pfs_snent;
/*
 * The caller's record of node key from the last listing of its directory
 * (procfs_snap.c), or NULL if it was not listed to the caller.  A node
 * that is gone but listed answers from it; gone and not listed, ENOENT.
 */
const struct pfs_snent *pfs_listed(uint64_t key);

/* --- procfs_snap.c: what readdir listed, per reader (see there) ------- */
/* One listed name and what it was when listed. */
struct pfs_snent {
	uint32_t se_cookie;	/* its readdir cookie in the directory */
	mode_t se_mode;
	uid_t se_uid;
	gid_t se_gid;
	int se_linkerr;		/* readlink's answer if not 0 (EACCES) */
	char *se_target;	/* a link's target (kmem_strdup), or NULL */
};
struct pfs_snap;
void pfs_snap_init(void);
/*
 * The caller's listing of directory dirkey, emptied first if restart (a
 * read from offset 0), made if there is none; NULL if out of memory.
 */
struct pfs_snap *pfs_snap_open(uint64_t dirkey, bool restart);
/* Records se (the listing owns se_target from now on); ENOMEM. */
int pfs_snap_add(struct pfs_snap *sn, const struct pfs_snent *se);
/* The caller's record of cookie in dirkey, or NULL if it was not listed. */
const struct pfs_snent *pfs_snap_find(uint64_t dirkey, uint32_t cookie);
/* Marks the caller's listing of dirkey used (the last to be dropped). */
void pfs_snap_touch(uint64_t dirkey);

/* --- procfs_sys.c: /proc/sys over the sysctl tree ------------------------ */
int pfs_sys_init(void);
/* The interned name (dotted, "" for /proc/sys itself) of index idx. */
const char *pfs_sys_name(uint32_t idx, bool *isdirp);
/* Looks up name in the directory diridx: a file or subdirectory index. */
int pfs_sys_lookup(uint32_t diridx, const char *name, size_t namelen,
    uint32_t *idxp, bool *isdirp);
/* Parent directory of a directory index (0 for /proc/sys itself). */
uint32_t pfs_sys_parent(uint32_t idx);
/* The child of diridx with the smallest index >= minidx; ENOENT at end. */
int pfs_sys_nextchild(uint32_t diridx, uint32_t minidx, uint32_t *idxp,
    bool *isdirp);
/* The last component of an interned name. */
const char *pfs_sys_basename(uint32_t idx);
/* The sysctl node of a file index, or NULL if it is gone. */
const struct sysctl_node *pfs_sys_node(uint32_t idx);
struct pfs_text;
int pfs_sys_read(uint32_t idx, struct pfs_text *t);
/* Root only; the whole value in one write at offset 0. */
int pfs_sys_write(uint32_t idx, struct uio *uio);
/* The first len bytes a write carries, not consumed (EFAULT), so that a
 * refused write returns its errno rather than a count; and consuming
 * all of it once it is accepted. */
int pfs_uio_peek(const struct uio *uio, char *buf, size_t len);
void pfs_uio_consume(struct uio *uio);

/* --- procfs_subr.c: generated contents --------------------------------- */
/* A growable text buffer; kmem, freed with pfs_text_free. */
struct pfs_text {
	char *t_buf;
	size_t t_len;
	size_t t_cap;
	bool t_nomem;
};
void pfs_text_printf(struct pfs_text *t, const char *fmt, ...)
    __printflike(2, 3);
/* Makes room for need more bytes; ENOMEM (and t_nomem) if it cannot. */
int pfs_text_reserve(struct pfs_text *t, size_t need);
void pfs_text_free(struct pfs_text *t);

int pfs_gen_mounts(struct pfs_text *t);
int pfs_gen_status(pid_t pid, struct pfs_text *t);
int pfs_gen_comm(pid_t pid, struct pfs_text *t);
/* The target of a symlink node (PFS_SELF, PFS_FD, PFS_CWD, PFS_ROOTLNK). */
int pfs_gen_link(uint64_t key, char *buf, size_t len);
/* Owner of a process's nodes (its effective ids), and ptrace-like access. */
int pfs_proc_owner(pid_t pid, uid_t *uidp, gid_t *gidp);
int pfs_proc_canread(pid_t pid);
/* Access mode (O_RDONLY ...) of descriptor fd of pid; ENOENT if closed. */
int pfs_fd_accmode(pid_t pid, int fd, int *accmodep);
/* The lowest open descriptor >= minfd of pid; ENOENT if there is none. */
int pfs_fd_next(pid_t pid, int minfd, int *fdp);
/* True if pid names a live process (pid 0, the kernel, is not shown). */
bool pfs_proc_alive(pid_t pid);

/* sysfs.c: registers the "sysfs" file system (mounted on /sys). */
int sysfs_init(void);

/* What both file systems do alike (procfs_vfsops.c): nothing per mount,
 * nothing to sync, a statfs that differs by its magic. */
int procfs_mount(struct mount *mp, const char *source, const char *data);
int procfs_unmount(struct mount *mp, int flags);
int procfs_sync(struct mount *mp);
void pfs_statfs(struct mount *mp, struct statfs *sf, long magic);

/* The operations both refuse, with Linux's errnos (procfs_refuse.c). */
int procfs_create(struct vnode *dvp, const char *name, size_t namelen,
    const struct vattr *va, struct vnode **vpp);
int procfs_mkdir(struct vnode *dvp, const char *name, size_t namelen,
    const struct vattr *va, struct vnode **vpp);
int procfs_symlink(struct vnode *dvp, const char *name, size_t namelen,
    const struct vattr *va, const char *target, struct vnode **vpp);
int procfs_link(struct vnode *dvp, const char *name, size_t namelen,
    struct vnode *vp);
int procfs_remove(struct vnode *dvp, const char *name, size_t namelen,
    struct vnode *vp);
int procfs_rename(struct vnode *fdvp, const char *fname, size_t flen,
    struct vnode *fvp, struct vnode *tdvp, const char *tname, size_t tlen,
    struct vnode *tvp, unsigned flags);
int procfs_fallocate(struct vnode *vp, int mode, int64_t off, int64_t len);
int procfs_seekdata(struct vnode *vp, int whence, int64_t off,
    int64_t *resultp);
int procfs_fsync(struct vnode *vp, bool dataonly);

#endif /* PROCFS_PROCFS_H */
