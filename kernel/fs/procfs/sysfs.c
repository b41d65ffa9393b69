/*
 * sysfs.c: a small sysfs, registered as "sysfs" by the procfs component
 * and mounted at /sys when the kernel boots, with only the network
 * interfaces in it, laid out as Linux lays out virtual devices:
 *
 *   /sys/class/net/<if>             symlink to ../../devices/virtual/net/<if>
 *   /sys/devices/virtual/net/<if>/  address, mtu, flags ... (k/sysfs.h)
 *     statistics/                   rx_bytes, tx_packets ...
 *     subsystem                     symlink to ../../../../class/net
 *
 * Every interface of this kernel is virtual (lo, shmif, tap are all
 * software devices, as lo, veth and tun are in Linux's
 * /sys/devices/virtual/net), so a readlink of /sys/class/net/lo gives
 * Linux's "../../devices/virtual/net/lo".
 *
 * Like procfs, nodes carry no data: a 64-bit key names each one
 *   bits 0-7 kind, bits 8-39 interface index, bits 40-63 attribute,
 * and what it shows is asked of the network (sysfs_net()) on every call,
 * so listings and lookups follow interfaces as they are created, renamed
 * and removed: a name is listed exactly when lookup finds it, an open
 * attribute of a removed interface reads ENODEV (kernfs's answer), a
 * renamed one keeps working under its new name.  Without netinet the
 * net directories are empty.
 *
 * Files have size 4096 as in Linux, are generated whole on each read and
 * written whole by each write (sysfs stores ignore the offset; a write
 * of more than 4096 bytes is E2BIG, as kernfs's atomic write size).  What sysfs refuses: creating EACCES, mkdir and the
 * other namespace changes EPERM, writing an attribute without a store
 * EACCES (Linux refuses at open; here vfs has no open hook, so the write
 * refuses), fallocate EOPNOTSUPP, fsync EINVAL.
 *
 * Locking: vfs_giant is held by vfs around every operation here; the
 * network's operations take if_lock themselves.
 */
#include "k/kernel.h"
#include "k/component.h"
#include "k/sysfs.h"
#include "k/vnode.h"

#include "procfs.h"

#define SYSFS_MAGIC	0x62656572
#define SFS_WRITEMAX	4096	/* kernfs: a page, else E2BIG */

enum sfs_kind {
	SFS_ROOT = 1,		/* /sys */
	SFS_CLASS,		/* /sys/class */
	SFS_CLASSNET,		/* /sys/class/net */
	SFS_LINK,		/* /sys/class/net/<if> */
	SFS_DEVICES,		/* /sys/devices */
	SFS_VIRTUAL,		/* /sys/devices/virtual */
	SFS_VNET,		/* /sys/devices/virtual/net */
	SFS_IFDIR,		/* .../net/<if> */
	SFS_STATDIR,		/* .../net/<if>/statistics */
	SFS_SUBSYS,		/* .../net/<if>/subsystem */
	SFS_ATTR,		/* an attribute file */
};

static inline uint64_t
sfs_key(enum sfs_kind k, int index, uint32_t attr)
{
	return (uint64_t)k | ((uint64_t)(uint32_t)index << 8) |
	    ((uint64_t)(attr & 0xffffffU) << 40);
}

static inline enum sfs_kind
sfs_kind(uint64_t key)
{
	return (enum sfs_kind)(key & 0xff);
}

static inline int
sfs_index(uint64_t key)
{
	return (int)(uint32_t)(key >> 8);
}

static inline uint32_t
sfs_attr(uint64_t key)
{
	return (uint32_t)(key >> 40) & 0xffffffU;
}

static enum vtype
sfs_vtype(enum sfs_kind k)
{
	switch (k) {
	case SFS_LINK:
	case SFS_SUBSYS:
		return VLNK;
	case SFS_ATTR:
		return VREG;
	default:
		return VDIR;
	}
}

/* Does interface index exist (its name into name, which may be NULL)? */
static bool
sfs_if_alive(int index, char *name)
{
	const struct sysfs_net_ops *ops = sysfs_net();
	char buf[SYSFS_IFNAMSIZ];

	return ops != NULL && index > 0 &&
	    ops->sn_name(index, name != NULL ? name : buf) == 0;
}

static const struct sysfs_attr *
sfs_attr_of(uint64_t key)
{
	const struct sysfs_net_ops *ops = sysfs_net();
	uint32_t a = sfs_attr(key);

	if (ops == NULL || a >= (uint32_t)ops->sn_nattrs)
		return NULL;
	return &ops->sn_attrs[a];
}

static bool
sfs_exists(uint64_t key)
{
	switch (sfs_kind(key)) {
	case SFS_ROOT:
	case SFS_CLASS:
	case SFS_CLASSNET:
	case SFS_DEVICES:
	case SFS_VIRTUAL:
	case SFS_VNET:
		return sfs_index(key) == 0 && sfs_attr(key) == 0;
	case SFS_LINK:
	case SFS_IFDIR:
	case SFS_STATDIR:
	case SFS_SUBSYS:
		return sfs_attr(key) == 0 && sfs_if_alive(sfs_index(key), NULL);
	case SFS_ATTR:
		return sfs_attr_of(key) != NULL &&
		    sfs_if_alive(sfs_index(key), NULL);
	default:
		return false;
	}
}

/* --- the fixed directories ---------------------------------------------- */
struct sfs_fixed {
	enum sfs_kind dir;
	const char *name;
	enum sfs_kind kind;
};

/* The fixed entries, each listed at cookie 2 in its directory. */
static const struct sfs_fixed sfs_fixed[] = {
	{ SFS_ROOT, "class", SFS_CLASS },
	{ SFS_ROOT, "devices", SFS_DEVICES },
	{ SFS_CLASS, "net", SFS_CLASSNET },
	{ SFS_DEVICES, "virtual", SFS_VIRTUAL },
	{ SFS_VIRTUAL, "net", SFS_VNET },
};

static uint64_t
sfs_parent(uint64_t key)
{
	int index = sfs_index(key);

	switch (sfs_kind(key)) {
	case SFS_CLASSNET:
		return sfs_key(SFS_CLASS, 0, 0);
	case SFS_VIRTUAL:
		return sfs_key(SFS_DEVICES, 0, 0);
	case SFS_VNET:
		return sfs_key(SFS_VIRTUAL, 0, 0);
	case SFS_IFDIR:
		return sfs_key(SFS_VNET, 0, 0);
	case SFS_STATDIR:
		return sfs_key(SFS_IFDIR, index, 0);
	default:
		return sfs_key(SFS_ROOT, 0, 0);
	}
}

static bool
sfs_name_is(const char *name, size_t len, const char *s)
{
	return strlen(s) == len && memcmp(name, s, len) == 0;
}

/* --- lookup ------------------------------------------------------------- */
static int
sfs_lookup_key(uint64_t dkey, const char *name, size_t len, uint64_t *keyp)
{
	const struct sysfs_net_ops *ops = sysfs_net();
	enum sfs_kind dk = sfs_kind(dkey);
	int index = sfs_index(dkey), i;

	for (size_t f = 0; f < __arraycount(sfs_fixed); f++) {
		if (sfs_fixed[f].dir == dk &&
		    sfs_name_is(name, len, sfs_fixed[f].name)) {
			*keyp = sfs_key(sfs_fixed[f].kind, 0, 0);
			return 0;
		}
	}
	switch (dk) {
	case SFS_CLASSNET:
	case SFS_VNET:
		if (ops == NULL || ops->sn_lookup(name, len, &i) != 0)
			return ENOENT;
		*keyp = sfs_key(dk == SFS_VNET ? SFS_IFDIR : SFS_LINK, i, 0);
		return 0;
	case SFS_IFDIR:
		if (sfs_name_is(name, len, "statistics")) {
			*keyp = sfs_key(SFS_STATDIR, index, 0);
			return 0;
		}
		if (sfs_name_is(name, len, "subsystem")) {
			*keyp = sfs_key(SFS_SUBSYS, index, 0);
			return 0;
		}
		/* FALLTHROUGH */
	case SFS_STATDIR:
		if (ops == NULL)
			return ENOENT;
		for (i = 0; i < ops->sn_nattrs; i++) {
			if (ops->sn_attrs[i].sa_dir == (dk == SFS_STATDIR) &&
			    sfs_name_is(name, len, ops->sn_attrs[i].sa_name)) {
				*keyp = sfs_key(SFS_ATTR, index, (uint32_t)i);
				return 0;
			}
		}
		return ENOENT;
	default:
		return ENOENT;
	}
}

static int
sysfs_lookup(struct vnode *dvp, const char *name, size_t namelen,
    struct vnode **vpp)
{
	uint64_t key;
	int error;

	if (sfs_vtype(sfs_kind(dvp->v_key)) != VDIR)
		return ENOTDIR;
	if (!sfs_exists(dvp->v_key))
		return ENOENT;
	if (sfs_name_is(name, namelen, ".")) {
		vref(dvp);
		*vpp = dvp;
		return 0;
	}
	if (sfs_name_is(name, namelen, ".."))
		key = sfs_parent(dvp->v_key);
	else if ((error = sfs_lookup_key(dvp->v_key, name, namelen,
	    &key)) != 0)
		return error;
	if (key == dvp->v_key) {
		vref(dvp);
		*vpp = dvp;
		return 0;
	}
	return vcache_get(dvp->v_mount, key, vpp);
}

/* --- readdir ------------------------------------------------------------ */
/*
 * Cookies: "." 0, ".." 1; a fixed entry 2; in the interface lists 2 +
 * index; in an interface's directory 2 statistics, 3 subsystem, 4 +
 * attribute; in statistics/ 2 + attribute.
 */
struct sfs_dent {
	int64_t de_cookie;
	uint64_t de_key;
	char de_name[NAME_MAX + 1];
};

static int
sfs_dent_attr(uint64_t dkey, int64_t want, int64_t base, uint8_t dir,
    struct sfs_dent *de)
{
	const struct sysfs_net_ops *ops = sysfs_net();

	if (ops == NULL)
		return ENOENT;
	for (int64_t a = MAX(want - base, 0); a < ops->sn_nattrs; a++) {
		if (ops->sn_attrs[a].sa_dir != dir)
			continue;
		de->de_cookie = base + a;
		de->de_key = sfs_key(SFS_ATTR, sfs_index(dkey), (uint32_t)a);
		kstrlcpy(de->de_name, ops->sn_attrs[a].sa_name,
		    sizeof(de->de_name));
		return 0;
	}
	return ENOENT;
}

static int
sfs_dent_next(uint64_t dkey, int64_t want, struct sfs_dent *de)
{
	const struct sysfs_net_ops *ops = sysfs_net();
	enum sfs_kind dk = sfs_kind(dkey);
	int index;

	if (want <= 1) {
		de->de_cookie = want < 0 ? 0 : want;
		de->de_key = de->de_cookie == 0 ? dkey : sfs_parent(dkey);
		kstrlcpy(de->de_name, de->de_cookie == 0 ? "." : "..",
		    sizeof(de->de_name));
		return 0;
	}
	switch (dk) {
	case SFS_ROOT:
	case SFS_CLASS:
	case SFS_DEVICES:
	case SFS_VIRTUAL: {
		int64_t c = 2;

		for (size_t f = 0; f < __arraycount(sfs_fixed); f++) {
			if (sfs_fixed[f].dir != dk)
				continue;
			if (c++ < want)
				continue;
			de->de_cookie = c - 1;
			de->de_key = sfs_key(sfs_fixed[f].kind, 0, 0);
			kstrlcpy(de->de_name, sfs_fixed[f].name,
			    sizeof(de->de_name));
			return 0;
		}
		return ENOENT;
	}
	case SFS_CLASSNET:
	case SFS_VNET:
		if (ops == NULL || want - 2 > INT32_MAX ||
		    ops->sn_next((int)MAX(want - 2, 1), &index,
		    de->de_name) != 0)
			return ENOENT;
		de->de_cookie = 2 + (int64_t)index;
		de->de_key = sfs_key(dk == SFS_VNET ? SFS_IFDIR : SFS_LINK,
		    index, 0);
		return 0;
	case SFS_IFDIR:
		if (!sfs_if_alive(sfs_index(dkey), NULL))
			return ENOENT;
		if (want <= 3) {
			de->de_cookie = want;
			de->de_key = sfs_key(want == 2 ? SFS_STATDIR :
			    SFS_SUBSYS, sfs_index(dkey), 0);
			kstrlcpy(de->de_name, want == 2 ? "statistics" :
			    "subsystem", sizeof(de->de_name));
			return 0;
		}
		return sfs_dent_attr(dkey, want, 4, 0, de);
	case SFS_STATDIR:
		if (!sfs_if_alive(sfs_index(dkey), NULL))
			return ENOENT;
		return sfs_dent_attr(dkey, want, 2, 1, de);
	default:
		return ENOTDIR;
	}
}

static int
sysfs_readdir(struct vnode *vp, struct uio *uio)
{
	uint64_t rec[(sizeof(struct linux_dirent64) + NAME_MAX + 1 + 7) / 8];
	struct linux_dirent64 *d = (struct linux_dirent64 *)rec;
	struct sfs_dent de;
	int64_t off = uio->uio_offset;
	size_t namelen, reclen;
	int n = 0, error;

	if (sfs_vtype(sfs_kind(vp->v_key)) != VDIR)
		return ENOTDIR;
	if (off < 0)
		return EINVAL;
	for (;;) {
		error = sfs_dent_next(vp->v_key, off, &de);
		if (error == ENOENT) {
			error = 0;
			break;
		}
		if (error != 0)
			break;
		namelen = strlen(de.de_name);
		reclen = roundup(offsetof(struct linux_dirent64, d_name) +
		    namelen + 1, 8);
		if (reclen > uio->uio_resid) {
			if (n == 0)
				error = EINVAL;
			break;
		}
		memset(rec, 0, reclen);
		d->d_ino = de.de_key;
		d->d_off = de.de_cookie + 1;
		d->d_reclen = (uint16_t)reclen;
		d->d_type = vtype_to_dt(sfs_vtype(sfs_kind(de.de_key)));
		memcpy(d->d_name, de.de_name, namelen);
		if ((error = uiomove(rec, reclen, uio)) != 0)
			break;
		off = de.de_cookie + 1;
		n++;
	}
	/* uiomove moved the offset by bytes; a directory's is a cookie. */
	uio->uio_offset = off;
	return n > 0 ? 0 : error;
}

/* --- attributes and data ------------------------------------------------- */
static int
sysfs_getattr(struct vnode *vp, struct vattr *va)
{
	const struct sysfs_attr *sa;
	uint64_t key = vp->v_key;

	memset(va, 0, sizeof(*va));
	va->va_type = sfs_vtype(sfs_kind(key));
	va->va_nlink = va->va_type == VDIR ? 2 : 1;
	va->va_fileid = key;
	va->va_blocksize = 4096;
	va->va_atime = va->va_mtime = va->va_ctime = va->va_btime =
	    procfs_boottime;
	va->va_fsid = vp->v_mount->mnt_fsid;
	switch (va->va_type) {
	case VDIR:
		va->va_mode = 0755;
		break;
	case VLNK:
		va->va_mode = 0777;
		break;
	default:
		if ((sa = sfs_attr_of(key)) == NULL)
			return ENOENT;
		va->va_mode = sa->sa_mode;
		va->va_size = 4096;
		break;
	}
	return sfs_exists(key) ? 0 : ENOENT;
}

static int
sysfs_setattr(struct vnode *vp, const struct vattr *va)
{
	unsigned trunc = VA_SIZE | VA_ATIME | VA_MTIME | VA_CTIME;
	const struct sysfs_attr *sa = sfs_attr_of(vp->v_key);

	/* The O_TRUNC of a shell's "echo 1400 > mtu" is accepted. */
	if (sfs_kind(vp->v_key) == SFS_ATTR && sa != NULL &&
	    (sa->sa_mode & 0200) && (va->va_mask & VA_SIZE) &&
	    (va->va_mask & ~trunc) == 0)
		return sfs_exists(vp->v_key) ? 0 : ENODEV;
	return EPERM;
}

static int
sysfs_read(struct vnode *vp, struct uio *uio, int ioflag)
{
	const struct sysfs_net_ops *ops = sysfs_net();
	struct ktext t = { 0 };
	uint64_t key = vp->v_key;
	size_t off;
	int error;

	(void)ioflag;
	if (sfs_kind(key) != SFS_ATTR)
		return sfs_vtype(sfs_kind(key)) == VDIR ? EISDIR : EINVAL;
	if (uio->uio_offset < 0)
		return EINVAL;
	if (ops == NULL || sfs_attr_of(key) == NULL)
		return ENODEV;
	error = ops->sn_read(sfs_index(key), (int)sfs_attr(key), &t);
	if (error == 0 && t.t_nomem)
		error = ENOMEM;
	if (error == 0 && (uint64_t)uio->uio_offset < t.t_len) {
		off = (size_t)uio->uio_offset;
		error = uiomove(t.t_buf + off, MIN(t.t_len - off,
		    uio->uio_resid), uio);
	}
	ktext_free(&t);
	return error;
}

static int
sysfs_write(struct vnode *vp, struct uio *uio, int ioflag)
{
	const struct sysfs_net_ops *ops = sysfs_net();
	const struct sysfs_attr *sa;
	uint64_t key = vp->v_key;
	size_t len;
	char *buf;
	int error;

	(void)ioflag;
	if (sfs_kind(key) != SFS_ATTR)
		return sfs_vtype(sfs_kind(key)) == VDIR ? EISDIR : EINVAL;
	if (ops == NULL || (sa = sfs_attr_of(key)) == NULL)
		return ENODEV;
	if ((sa->sa_mode & 0200) == 0)
		return EACCES;
	if ((len = uio->uio_resid) == 0)
		return 0;
	if (len > SFS_WRITEMAX)
		return E2BIG;
	if ((buf = kmem_alloc(len)) == NULL)
		return ENOMEM;
	error = pfs_uio_peek(uio, buf, len);
	if (error == 0)
		error = ops->sn_write(sfs_index(key), (int)sfs_attr(key), buf,
		    len);
	if (error == 0)
		pfs_uio_consume(uio);
	kmem_free(buf, len);
	return error;
}

static int
sysfs_readlink(struct vnode *vp, struct uio *uio)
{
	char buf[64 + SYSFS_IFNAMSIZ], name[SYSFS_IFNAMSIZ];

	switch (sfs_kind(vp->v_key)) {
	case SFS_LINK:
		if (!sfs_if_alive(sfs_index(vp->v_key), name))
			return ENOENT;
		ksnprintf(buf, sizeof(buf), "../../devices/virtual/net/%s",
		    name);
		break;
	case SFS_SUBSYS:
		if (!sfs_if_alive(sfs_index(vp->v_key), NULL))
			return ENOENT;
		kstrlcpy(buf, "../../../../class/net", sizeof(buf));
		break;
	default:
		return EINVAL;
	}
	return uiomove(buf, MIN(strlen(buf), uio->uio_resid), uio);
}

/* Nodes of a gone interface leave the cache when they are let go. */
static void
sysfs_inactive(struct vnode *vp)
{
	if (!sfs_exists(vp->v_key))
		vcache_remove(vp);
}

static void
sysfs_reclaim(struct vnode *vp)
{
	vp->v_data = NULL;
}

static const struct vnodeops sysfs_vnodeops = {
	.vop_lookup = sysfs_lookup,
	.vop_create = procfs_create,
	.vop_mkdir = procfs_mkdir,
	.vop_symlink = procfs_symlink,
	.vop_link = procfs_link,
	.vop_remove = procfs_remove,
	.vop_rmdir = procfs_remove,
	.vop_rename = procfs_rename,
	.vop_readdir = sysfs_readdir,
	.vop_readlink = sysfs_readlink,
	.vop_getattr = sysfs_getattr,
	.vop_setattr = sysfs_setattr,
	.vop_read = sysfs_read,
	.vop_write = sysfs_write,
	.vop_fallocate = procfs_fallocate,
	.vop_seekdata = procfs_seekdata,
	.vop_fsync = procfs_fsync,
	.vop_inactive = sysfs_inactive,
	.vop_reclaim = sysfs_reclaim,
};

/* --- the file system ------------------------------------------------------- */
static int
sysfs_root(struct mount *mp, struct vnode **vpp)
{
	return vcache_get(mp, sfs_key(SFS_ROOT, 0, 0), vpp);
}

static int
sysfs_statfs(struct mount *mp, struct statfs *sf)
{
	pfs_statfs(mp, sf, SYSFS_MAGIC);
	return 0;
}

static int
sysfs_loadvnode(struct mount *mp, struct vnode *vp, uint64_t key)
{
	(void)mp;
	if (!sfs_exists(key))
		return ENOENT;
	vp->v_op = &sysfs_vnodeops;
	vp->v_type = sfs_vtype(sfs_kind(key));
	vp->v_data = NULL;
	return 0;
}

static const struct vfsops sysfs_vfsops = {
	.vfs_name = "sysfs",
	.vfs_mount = procfs_mount,
	.vfs_unmount = procfs_unmount,
	.vfs_root = sysfs_root,
	.vfs_statfs = sysfs_statfs,
	.vfs_sync = procfs_sync,
	.vfs_loadvnode = sysfs_loadvnode,
};

int
sysfs_init(void)
{
	return vfs_register(&sysfs_vfsops);
}
