/*
 * procfs_vnops.c: the vnode operations of procfs.
 *
 * Nodes carry no private data: everything comes from v_key (procfs.h) and
 * the kernel state it names, looked at again on every call, so a node of
 * a process that exited answers ENOENT (ESRCH when read) and a cached
 * vnode never goes stale in a harmful way.  The exception keeps what
 * readdir lists and what lookup finds in agreement: a name that the
 * caller's last readdir of its directory listed and that is gone since
 * answers lookup, getattr and readlink from that listing (procfs_snap.c);
 * following such a link is ENOENT, its directories read empty.
 *
 * Directory cookies ("." 0, ".." 1, then):
 *   /proc           2 self, 3 mounts, 4 sys, PFS_PIDCOOKIE + pid
 *   /proc/sys/...   2 + interned index of the child (procfs_sys.c)
 *   /proc/<pid>     2 fd, 3 cwd, 4 root, 5 status, 6 comm
 *   /proc/<pid>/fd  2 + descriptor
 * Regular files report size 0 and are generated whole on each read.
 *
 * What procfs refuses, as Linux does: creating a regular file EACCES;
 * mkdir, mknod, symlink, link, unlink, rmdir, rename, chmod/chown/utimes
 * EPERM; writing anything but a writable sysctl file EINVAL (EACCES for a
 * read-only sysctl or a non-root writer); fallocate EOPNOTSUPP; fsync and
 * SEEK_DATA/SEEK_HOLE EINVAL.  Truncating a sysctl file (the O_TRUNC of a
 * shell's ">") is accepted and does nothing.
 *
 * Locking: every operation runs with vfs_giant held (vnode.h).
 */
#include "k/kernel.h"
#include "k/vnode.h"

#include "k/procnet.h"
#include "procfs.h"

#define PFS_PIDCOOKIE	16	/* first cookie of the pid entries */

struct pfs_fixed {
	const char *f_name;
	enum pfs_kind f_kind;
};

/* Fixed entries of /proc, from cookie 2 on. */
static const struct pfs_fixed pfs_rootents[] = {
	{ "self", PFS_SELF },
	{ "mounts", PFS_MOUNTS },
	{ "sys", PFS_SYSDIR },
	{ "net", PFS_NETDIR },
};

/* Entries of /proc/<pid>, from cookie 2 on. */
static const struct pfs_fixed pfs_pident[] = {
	{ "fd", PFS_FDDIR },
	{ "cwd", PFS_CWD },
	{ "root", PFS_ROOTLNK },
	{ "status", PFS_STATUS },
	{ "comm", PFS_COMM },
};

enum vtype
pfs_vtype(enum pfs_kind k)
{
	switch (k) {
	case PFS_ROOT:
	case PFS_SYSDIR:
	case PFS_PIDDIR:
	case PFS_FDDIR:
	case PFS_NETDIR:
		return VDIR;
	case PFS_SELF:
	case PFS_FD:
	case PFS_CWD:
	case PFS_ROOTLNK:
		return VLNK;
	case PFS_MOUNTS:
	case PFS_SYSFILE:
	case PFS_STATUS:
	case PFS_COMM:
	case PFS_NETFILE:
		return VREG;
	default:
		return VNON;
	}
}

bool
pfs_exists(uint64_t key)
{
	enum pfs_kind k = pfs_kind(key);
	pid_t pid = pfs_pid(key);
	uint32_t idx = pfs_idx(key);
	const char *name;
	bool isdir;
	int accmode;

	switch (k) {
	case PFS_ROOT:
	case PFS_SELF:
	case PFS_MOUNTS:
	case PFS_NETDIR:
		return pid == 0 && idx == 0;
	case PFS_NETFILE:
		return pid == 0 && procnet_name((int)idx) != NULL;
	case PFS_SYSDIR:
		name = pfs_sys_name(idx, &isdir);
		return pid == 0 && name != NULL && isdir;
	case PFS_SYSFILE:
		return pid == 0 && pfs_sys_node(idx) != NULL;
	case PFS_PIDDIR:
	case PFS_FDDIR:
	case PFS_CWD:
	case PFS_ROOTLNK:
	case PFS_STATUS:
	case PFS_COMM:
		return idx == 0 && pfs_proc_alive(pid);
	case PFS_FD:
		return pfs_fd_accmode(pid, (int)idx, &accmode) == 0;
	default:
		return false;
	}
}

/*
 * The directory and cookie under which readdir lists the node key, for
 * the nodes that come and go (procfs_snap.c); false for the others.
 */
static bool
pfs_listed_in(uint64_t key, uint64_t *dirkeyp, uint32_t *cookiep)
{
	pid_t pid = pfs_pid(key);
	size_t i;

	switch (pfs_kind(key)) {
	case PFS_PIDDIR:
		*dirkeyp = pfs_key(PFS_ROOT, 0, 0);
		*cookiep = PFS_PIDCOOKIE + (uint32_t)pid;
		return pfs_idx(key) == 0;
	case PFS_FD:
		*dirkeyp = pfs_key(PFS_FDDIR, pid, 0);
		*cookiep = 2 + pfs_idx(key);
		return true;
	default:
		for (i = 0; i < __arraycount(pfs_pident); i++) {
			if (pfs_pident[i].f_kind == pfs_kind(key)) {
				*dirkeyp = pfs_key(PFS_PIDDIR, pid, 0);
				*cookiep = 2 + (uint32_t)i;
				return pfs_idx(key) == 0;
			}
		}
		return false;
	}
}

const struct pfs_snent *
pfs_listed(uint64_t key)
{
	uint64_t dirkey;
	uint32_t cookie;

	if (!pfs_listed_in(key, &dirkey, &cookie))
		return NULL;
	return pfs_snap_find(dirkey, cookie);
}

/* True for the directories whose listings are remembered per reader. */
static bool
pfs_dir_changes(uint64_t dirkey)
{
	enum pfs_kind k = pfs_kind(dirkey);

	return k == PFS_ROOT || k == PFS_PIDDIR || k == PFS_FDDIR;
}

/* --- names ------------------------------------------------------------------ */

/* Decimal without sign or leading zeros, as Linux accepts in /proc. */
static bool
pfs_parse_num(const char *name, size_t len, uint32_t max, uint32_t *np)
{
	uint64_t v = 0;
	size_t i;

	if (len == 0 || len > 10 || (len > 1 && name[0] == '0'))
		return false;
	for (i = 0; i < len; i++) {
		if (name[i] < '0' || name[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(name[i] - '0');
	}
	if (v > max)
		return false;
	*np = (uint32_t)v;
	return true;
}

static bool
pfs_name_is(const char *name, size_t len, const char *s)
{
	return strlen(s) == len && memcmp(name, s, len) == 0;
}

/* The key of the directory that contains directory key. */
static uint64_t
pfs_parent_key(uint64_t key)
{
	switch (pfs_kind(key)) {
	case PFS_SYSDIR:
		if (pfs_idx(key) == 0)
			return pfs_key(PFS_ROOT, 0, 0);
		return pfs_key(PFS_SYSDIR, 0, pfs_sys_parent(pfs_idx(key)));
	case PFS_FDDIR:
		return pfs_key(PFS_PIDDIR, pfs_pid(key), 0);
	default:
		return pfs_key(PFS_ROOT, 0, 0);
	}
}

static uint64_t
pfs_fixed_key(const struct pfs_fixed *f, pid_t pid)
{
	return pfs_key(f->f_kind, pid, 0);
}

static int
pfs_lookup_key(struct vnode *dvp, const char *name, size_t len,
    uint64_t *keyp)
{
	uint64_t dkey = dvp->v_key;
	pid_t pid = pfs_pid(dkey);
	uint32_t n;
	size_t i;
	bool isdir;
	int error;

	switch (pfs_kind(dkey)) {
	case PFS_ROOT:
		for (i = 0; i < __arraycount(pfs_rootents); i++) {
			if (pfs_name_is(name, len, pfs_rootents[i].f_name)) {
				*keyp = pfs_fixed_key(&pfs_rootents[i], 0);
				return 0;
			}
		}
		if (!pfs_parse_num(name, len, INT32_MAX, &n))
			return ENOENT;
		*keyp = pfs_key(PFS_PIDDIR, (pid_t)n, 0);
		break;
	case PFS_SYSDIR:
		error = pfs_sys_lookup(pfs_idx(dkey), name, len, &n, &isdir);
		if (error != 0)
			return error;
		*keyp = pfs_key(isdir ? PFS_SYSDIR : PFS_SYSFILE, 0, n);
		return 0;
	case PFS_PIDDIR:
		for (i = 0; i < __arraycount(pfs_pident); i++) {
			if (pfs_name_is(name, len, pfs_pident[i].f_name))
				break;
		}
		if (i == __arraycount(pfs_pident))
			return ENOENT;
		*keyp = pfs_fixed_key(&pfs_pident[i], pid);
		break;
	case PFS_FDDIR:
		if (!pfs_parse_num(name, len, PFS_IDXMAX, &n))
			return ENOENT;
		*keyp = pfs_key(PFS_FD, pid, n);
		break;
	case PFS_NETDIR: {
		int i = procnet_lookup(name, len);

		if (i < 0)
			return ENOENT;
		*keyp = pfs_key(PFS_NETFILE, 0, (uint32_t)i);
		return 0;
	}
	default:
		return ENOTDIR;
	}
	/* A name that is gone is found if it was listed to this caller. */
	pfs_snap_touch(dkey);
	return pfs_exists(*keyp) || pfs_listed(*keyp) != NULL ? 0 : ENOENT;
}

static int
procfs_lookup(struct vnode *dvp, const char *name, size_t namelen,
    struct vnode **vpp)
{
	uint64_t key;
	int error;

	if (pfs_vtype(pfs_kind(dvp->v_key)) != VDIR)
		return ENOTDIR;
	if (pfs_name_is(name, namelen, ".")) {
		vref(dvp);
		*vpp = dvp;
		return 0;
	}
	if (pfs_name_is(name, namelen, ".."))
		key = pfs_parent_key(dvp->v_key);
	else if ((error = pfs_lookup_key(dvp, name, namelen, &key)) != 0)
		return error;
	if (key == dvp->v_key) {
		vref(dvp);
		*vpp = dvp;
		return 0;
	}
	return vcache_get(dvp->v_mount, key, vpp);
}

/* --- readdir ---------------------------------------------------------------- */

struct pfs_dent {
	int64_t de_cookie;
	uint64_t de_key;
	const char *de_name;
	char de_nbuf[16];
};

static void
pfs_dent_num(struct pfs_dent *de, uint32_t n)
{
	ksnprintf(de->de_nbuf, sizeof(de->de_nbuf), "%u", (unsigned)n);
	de->de_name = de->de_nbuf;
}

static int
pfs_dent_fixed(const struct pfs_fixed *tab, size_t n, pid_t pid,
    int64_t want, struct pfs_dent *de)
{
	if (want < 2 || want - 2 >= (int64_t)n)
		return ENOENT;
	de->de_cookie = want;
	de->de_key = pfs_fixed_key(&tab[want - 2], pid);
	de->de_name = tab[want - 2].f_name;
	return 0;
}

/* The entry of directory key with the smallest cookie >= want. */
static int
pfs_dent_next(uint64_t key, int64_t want, struct pfs_dent *de)
{
	pid_t pid = pfs_pid(key);
	uint32_t idx;
	bool isdir;
	int fd, error;

	if (want <= 1) {
		de->de_cookie = want < 0 ? 0 : want;
		de->de_key = de->de_cookie == 0 ? key : pfs_parent_key(key);
		de->de_name = de->de_cookie == 0 ? "." : "..";
		return 0;
	}
	switch (pfs_kind(key)) {
	case PFS_ROOT:
		if (pfs_dent_fixed(pfs_rootents, __arraycount(pfs_rootents),
		    0, want, de) == 0)
			return 0;
		want = MAX(want, (int64_t)PFS_PIDCOOKIE + 1);
		if (want - PFS_PIDCOOKIE > INT32_MAX)
			return ENOENT;
		/* pid 0, the kernel, is left out (want is past its cookie). */
		if (proc_nextpid((pid_t)(want - PFS_PIDCOOKIE - 1), &pid) != 0)
			return ENOENT;
		de->de_cookie = PFS_PIDCOOKIE + (int64_t)pid;
		de->de_key = pfs_key(PFS_PIDDIR, pid, 0);
		pfs_dent_num(de, (uint32_t)pid);
		return 0;
	case PFS_SYSDIR:
		if (want - 2 > (int64_t)PFS_IDXMAX)
			return ENOENT;
		error = pfs_sys_nextchild(pfs_idx(key), (uint32_t)(want - 2),
		    &idx, &isdir);
		if (error != 0)
			return error;
		de->de_cookie = 2 + (int64_t)idx;
		de->de_key = pfs_key(isdir ? PFS_SYSDIR : PFS_SYSFILE, 0, idx);
		de->de_name = pfs_sys_basename(idx);
		return 0;
	case PFS_PIDDIR:
		if (!pfs_proc_alive(pid))
			return ENOENT;
		return pfs_dent_fixed(pfs_pident, __arraycount(pfs_pident),
		    pid, want, de);
	case PFS_FDDIR:
		if (want - 2 > (int64_t)PFS_IDXMAX)
			return ENOENT;
		error = pfs_fd_next(pid, (int)(want - 2), &fd);
		if (error != 0 || (uint32_t)fd > PFS_IDXMAX)
			return ENOENT;
		de->de_cookie = 2 + (int64_t)fd;
		de->de_key = pfs_key(PFS_FD, pid, (uint32_t)fd);
		pfs_dent_num(de, (uint32_t)fd);
		return 0;
	case PFS_NETDIR:
		if (want - 2 >= procnet_count())
			return ENOENT;
		de->de_cookie = want;
		de->de_key = pfs_key(PFS_NETFILE, 0, (uint32_t)(want - 2));
		de->de_name = procnet_name((int)(want - 2));
		return 0;
	default:
		return ENOTDIR;
	}
}

static int pfs_attr_live(uint64_t key, struct vattr *va);

/*
 * Remembers entry de of the listing sn as it is now; ENOENT if it is
 * gone already (then it is not listed either), ENOMEM.
 */
static int
pfs_remember(struct pfs_snap *sn, const struct pfs_dent *de)
{
	struct pfs_snent se;
	struct vattr va;
	char *buf;
	int error;

	if ((error = pfs_attr_live(de->de_key, &va)) != 0)
		return error;
	memset(&se, 0, sizeof(se));
	se.se_cookie = (uint32_t)de->de_cookie;
	se.se_mode = va.va_mode;
	se.se_uid = va.va_uid;
	se.se_gid = va.va_gid;
	if (va.va_type == VLNK) {
		if ((buf = kmem_alloc(PATH_MAX)) == NULL)
			return ENOMEM;
		error = pfs_gen_link(de->de_key, buf, PATH_MAX);
		if (error == 0 && (se.se_target = kmem_strdup(buf)) == NULL)
			error = ENOMEM;
		kmem_free(buf, PATH_MAX);
		if (error == ENOENT || error == ENOMEM)
			return error;
		/* A link the caller may not read stays unreadable. */
		se.se_linkerr = error;
	}
	if ((error = pfs_snap_add(sn, &se)) != 0 && se.se_target != NULL)
		kmem_strfree(se.se_target);
	return error;
}

static int
procfs_readdir(struct vnode *vp, struct uio *uio)
{
	uint64_t rec[(sizeof(struct linux_dirent64) + NAME_MAX + 1 + 7) / 8];
	struct linux_dirent64 *d = (struct linux_dirent64 *)rec;
	struct pfs_snap *sn = NULL;
	struct pfs_dent de;
	int64_t off = uio->uio_offset;
	size_t namelen, reclen;
	int n = 0, error;

	if (pfs_vtype(pfs_kind(vp->v_key)) != VDIR)
		return ENOTDIR;
	if (off < 0)
		return EINVAL;
	/*
	 * What is listed here is remembered for this reader's lookups; not
	 * what the kernel reads for itself (getcwd's search for a name).
	 */
	if (pfs_dir_changes(vp->v_key) && !uio->uio_internal &&
	    (sn = pfs_snap_open(vp->v_key, off == 0)) == NULL)
		return ENOMEM;
	for (;;) {
		error = pfs_dent_next(vp->v_key, off, &de);
		if (error == ENOENT) {
			error = 0;
			break;
		}
		if (error != 0)
			break;
		namelen = MIN(strlen(de.de_name), (size_t)NAME_MAX);
		reclen = roundup(offsetof(struct linux_dirent64, d_name) +
		    namelen + 1, 8);
		if (reclen > uio->uio_resid) {
			if (n == 0)
				error = EINVAL;
			break;
		}
		/* The fixed names of /proc are always there. */
		if (sn != NULL && de.de_cookie >= 2 &&
		    (pfs_kind(vp->v_key) != PFS_ROOT ||
		    de.de_cookie >= PFS_PIDCOOKIE)) {
			error = pfs_remember(sn, &de);
			if (error == ENOENT) {
				/* Gone since pfs_dent_next: not listed. */
				off = de.de_cookie + 1;
				continue;
			}
			if (error != 0)
				break;
		}
		memset(rec, 0, reclen);
		d->d_ino = de.de_key;
		d->d_off = de.de_cookie + 1;
		d->d_reclen = (uint16_t)reclen;
		d->d_type = vtype_to_dt(pfs_vtype(pfs_kind(de.de_key)));
		memcpy(d->d_name, de.de_name, namelen);
		error = uiomove(rec, reclen, uio);
		if (error != 0)
			break;
		off = de.de_cookie + 1;
		n++;
	}
	/* uiomove moved the offset by bytes; a directory's is a cookie. */
	uio->uio_offset = off;
	return n > 0 ? 0 : error;
}

/* --- attributes --------------------------------------------------------------- */

/* What every node has, whether live or gone. */
static void
pfs_attr_base(uint64_t key, struct vattr *va)
{
	memset(va, 0, sizeof(*va));
	va->va_type = pfs_vtype(pfs_kind(key));
	va->va_nlink = va->va_type == VDIR ? 2 : 1;
	va->va_fileid = key;
	va->va_blocksize = 1024;
	va->va_atime = va->va_mtime = va->va_ctime = va->va_btime =
	    procfs_boottime;
}

/* The attributes of key from the kernel state it names (no va_fsid). */
static int
pfs_attr_live(uint64_t key, struct vattr *va)
{
	enum pfs_kind k = pfs_kind(key);
	const struct sysctl_node *sn;
	int accmode, error;

	pfs_attr_base(key, va);
	switch (k) {
	case PFS_ROOT:
	case PFS_SYSDIR:
	case PFS_NETDIR:
		va->va_mode = 0555;
		break;
	case PFS_NETFILE:
		va->va_mode = 0444;
		break;
	case PFS_SELF:
		va->va_mode = 0777;
		break;
	case PFS_MOUNTS:
		va->va_mode = 0444;
		break;
	case PFS_SYSFILE:
		sn = pfs_sys_node(pfs_idx(key));
		if (sn == NULL)
			return ENOENT;
		va->va_mode = sn->sn_writable ? 0644 : 0444;
		break;
	case PFS_PIDDIR:
		va->va_mode = 0555;
		break;
	case PFS_FDDIR:
		va->va_mode = 0500;
		break;
	case PFS_FD:
		/* Linux shows the descriptor's access mode in the owner bits. */
		error = pfs_fd_accmode(pfs_pid(key), (int)pfs_idx(key),
		    &accmode);
		if (error != 0)
			return error;
		va->va_mode = accmode == O_RDONLY ? 0500 :
		    accmode == O_WRONLY ? 0300 : 0700;
		break;
	case PFS_CWD:
	case PFS_ROOTLNK:
		va->va_mode = 0777;
		break;
	case PFS_STATUS:
	case PFS_COMM:
		va->va_mode = 0444;
		break;
	default:
		return ENOENT;
	}
	/* A process's nodes belong to its effective ids, as on Linux. */
	if (pfs_pid(key) > 0 &&
	    pfs_proc_owner(pfs_pid(key), &va->va_uid, &va->va_gid) != 0)
		return ENOENT;
	if (k == PFS_ROOT || k == PFS_SYSDIR || k == PFS_MOUNTS ||
	    k == PFS_SYSFILE)
		return 0;
	return pfs_exists(key) ? 0 : ENOENT;
}

static int
procfs_getattr(struct vnode *vp, struct vattr *va)
{
	const struct pfs_snent *se;
	int error;

	error = pfs_attr_live(vp->v_key, va);
	/* Gone, but listed to this caller: as it was when listed. */
	if (error == ENOENT && (se = pfs_listed(vp->v_key)) != NULL) {
		pfs_attr_base(vp->v_key, va);
		va->va_mode = se->se_mode;
		va->va_uid = se->se_uid;
		va->va_gid = se->se_gid;
		error = 0;
	}
	va->va_fsid = vp->v_mount->mnt_fsid;
	return error;
}

static int
procfs_setattr(struct vnode *vp, const struct vattr *va)
{
	unsigned trunc = VA_SIZE | VA_ATIME | VA_MTIME | VA_CTIME;

	if (pfs_kind(vp->v_key) == PFS_SYSFILE && (va->va_mask & VA_SIZE) &&
	    (va->va_mask & ~trunc) == 0)
		return pfs_sys_node(pfs_idx(vp->v_key)) != NULL ? 0 : ENOENT;
	return EPERM;
}

/* --- data --------------------------------------------------------------------- */

static int
procfs_read(struct vnode *vp, struct uio *uio, int ioflag)
{
	uint64_t key = vp->v_key;
	struct pfs_text t = { NULL, 0, 0, false };
	size_t off;
	int error;

	(void)ioflag;
	switch (pfs_kind(key)) {
	case PFS_MOUNTS:
		error = pfs_gen_mounts(&t);
		break;
	case PFS_SYSFILE:
		error = pfs_sys_read(pfs_idx(key), &t);
		break;
	case PFS_STATUS:
		error = pfs_gen_status(pfs_pid(key), &t);
		break;
	case PFS_COMM:
		error = pfs_gen_comm(pfs_pid(key), &t);
		break;
	case PFS_NETFILE: {
		struct ktext kt = { 0 };

		error = procnet_gen((int)pfs_idx(key), &kt);
		t.t_buf = kt.t_buf;
		t.t_len = kt.t_len;
		t.t_cap = kt.t_cap;
		break;
	}
	default:
		return pfs_vtype(pfs_kind(key)) == VDIR ? EISDIR : EINVAL;
	}
	if (error == 0 && uio->uio_offset < 0)
		error = EINVAL;
	if (error == 0 && (uint64_t)uio->uio_offset < t.t_len) {
		off = (size_t)uio->uio_offset;
		error = uiomove(t.t_buf + off, MIN(t.t_len - off,
		    uio->uio_resid), uio);
	}
	pfs_text_free(&t);
	return error;
}

static int
procfs_write(struct vnode *vp, struct uio *uio, int ioflag)
{
	(void)ioflag;
	switch (pfs_kind(vp->v_key)) {
	case PFS_SYSFILE:
		return pfs_sys_write(pfs_idx(vp->v_key), uio);
	default:
		return pfs_vtype(pfs_kind(vp->v_key)) == VDIR ? EISDIR : EINVAL;
	}
}

static int
procfs_readlink(struct vnode *vp, struct uio *uio)
{
	const struct pfs_snent *se;
	char *buf;
	int error;

	if (pfs_vtype(pfs_kind(vp->v_key)) != VLNK)
		return EINVAL;
	buf = kmem_alloc(PATH_MAX);
	if (buf == NULL)
		return ENOMEM;
	error = pfs_gen_link(vp->v_key, buf, PATH_MAX);
	if (error == ENOENT && (se = pfs_listed(vp->v_key)) != NULL) {
		/*
		 * Gone, but listed to this caller: readlink(2) reads the old
		 * target; namei does not follow it to what was closed.
		 */
		if (uio->uio_internal)
			error = ENOENT;
		else if ((error = se->se_linkerr) == 0)
			kstrlcpy(buf, se->se_target, PATH_MAX);
	}
	if (error == 0)
		error = uiomove(buf, MIN(strlen(buf), uio->uio_resid), uio);
	kmem_free(buf, PATH_MAX);
	return error;
}

/*
 * Nodes are rebuilt from their keys, so there is nothing to free; but the
 * nodes of a process that is gone are dropped from the cache at once
 * rather than crowding it.  (Only the process list is asked: inactive may
 * not touch other vnodes.)
 */
static void
procfs_inactive(struct vnode *vp)
{
	pid_t pid = pfs_pid(vp->v_key);

	if (pid > 0 && !pfs_proc_alive(pid))
		vcache_remove(vp);
}

static void
procfs_reclaim(struct vnode *vp)
{
	vp->v_data = NULL;
}

const struct vnodeops procfs_vnodeops = {
	.vop_lookup = procfs_lookup,
	.vop_create = procfs_create,
	.vop_mkdir = procfs_mkdir,
	.vop_symlink = procfs_symlink,
	.vop_link = procfs_link,
	.vop_remove = procfs_remove,
	.vop_rmdir = procfs_remove,
	.vop_rename = procfs_rename,
	.vop_readdir = procfs_readdir,
	.vop_readlink = procfs_readlink,
	.vop_getattr = procfs_getattr,
	.vop_setattr = procfs_setattr,
	.vop_read = procfs_read,
	.vop_write = procfs_write,
	.vop_fallocate = procfs_fallocate,
	.vop_seekdata = procfs_seekdata,
	.vop_fsync = procfs_fsync,
	.vop_inactive = procfs_inactive,
	.vop_reclaim = procfs_reclaim,
};
