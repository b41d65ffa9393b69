/*
 * ext2_vfsops.c: ext2 mounts (mount, unmount, root, statfs, sync,
 * loadvnode) and the "ext2" component.
 *
 * mount(2): source names a block device of the kernel (an etfs device:
 * rump_etfs_register, rump_server -d); ENOTBLK for anything else, ENXIO
 * for a number no driver serves, EBUSY when an ext2 mount already uses
 * it.  The device is opened read-write unless MS_RDONLY; a read-only
 * device then answers EACCES, as Linux does (mount(8) retries with -r).
 * Options: ro, rw and Linux's generic ones are accepted; errors=,
 * [no]user_xattr, [no]acl, [no]grpid, bsdgroups, sysvgroups, nouid32,
 * minixdf, bsddf, check=none, nocheck, debug and oldalloc/orlov are
 * accepted and ignored; anything else is EINVAL.
 * The name "ext2" is registered, and also "ext3" for a clean ext3 image
 * (its journal is left alone, as Linux's ext2 does).
 *
 * A read-write mount marks the superblock not clean and counts the
 * mount at once; sync (sync, syncfs, fsync, the kernel's shutdown) writes
 * the group counters, flushes data before metadata (ext2_buf.c) and
 * writes the superblock; unmount and the kernel's halt then mark it
 * clean again (if it was clean when mounted, as Linux keeps s_state).
 *
 * remount: the vfs changes only the flags; this driver keeps the mode it
 * was mounted with (a read-only mount stays read-only: writes are EROFS).
 *
 * Locking: vfs_giant, held by the callers.
 */
#include "k/component.h"
#include "ext2fs.h"

static int ext2_mount(struct mount *, const char *, const char *);
static int ext2_unmount(struct mount *, int);
static int ext2_root(struct mount *, struct vnode **);
static int ext2_statfs(struct mount *, struct statfs *);
static int ext2_sync(struct mount *);
static int ext2_loadvnode(struct mount *, struct vnode *, uint64_t);

static const struct vfsops ext2_vfsops = {
	.vfs_name = "ext2",
	.vfs_mount = ext2_mount,
	.vfs_unmount = ext2_unmount,
	.vfs_root = ext2_root,
	.vfs_statfs = ext2_statfs,
	.vfs_sync = ext2_sync,
	.vfs_loadvnode = ext2_loadvnode,
};

static const struct vfsops ext3_vfsops = {
	.vfs_name = "ext3",
	.vfs_mount = ext2_mount,
	.vfs_unmount = ext2_unmount,
	.vfs_root = ext2_root,
	.vfs_statfs = ext2_statfs,
	.vfs_sync = ext2_sync,
	.vfs_loadvnode = ext2_loadvnode,
};

static bool
ext2_isours(const struct mount *mp)
{
	return mp->mnt_op == &ext2_vfsops || mp->mnt_op == &ext3_vfsops;
}

static bool
ext2_opt_is(const char *opt, size_t len, const char *name)
{
	return strlen(name) == len && memcmp(opt, name, len) == 0;
}

static int
ext2_opts(const char *data)
{
	static const char *const ok[] = {
		"ro", "rw", "sync", "async", "dirsync", "lazytime",
		"nolazytime", "silent", "user_xattr", "nouser_xattr", "acl",
		"noacl", "grpid", "bsdgroups", "nogrpid", "sysvgroups",
		"nouid32", "minixdf", "bsddf", "nocheck", "debug", "oldalloc",
		"orlov", "noatime", "relatime", "strictatime", "nodiratime",
		"defaults", "suid", "nosuid", "dev", "nodev", "exec", "noexec",
	};
	const char *p, *comma;
	size_t len, klen, i;

	if (data == NULL)
		return 0;
	for (p = data; *p != '\0'; p += len + (comma != NULL ? 1 : 0)) {
		comma = strchr(p, ',');
		len = comma != NULL ? (size_t)(comma - p) : strlen(p);
		if (len == 0)
			continue;
		for (klen = 0; klen < len && p[klen] != '='; klen++)
			continue;
		if (klen < len && (ext2_opt_is(p, klen, "errors") ||
		    ext2_opt_is(p, klen, "check") ||
		    ext2_opt_is(p, klen, "resuid") ||
		    ext2_opt_is(p, klen, "resgid") ||
		    ext2_opt_is(p, klen, "sb")))
			continue;
		for (i = 0; i < __arraycount(ok); i++)
			if (ext2_opt_is(p, len, ok[i]))
				break;
		if (i == __arraycount(ok)) {
			kprintf("ext2: unknown mount option \"%.*s\"\n",
			    (int)len, p);
			return EINVAL;
		}
	}
	return 0;
}

/* The block device at path, referenced. */
static int
ext2_getdev(const char *source, struct vnode **vpp)
{
	struct nameidata nd;
	int error;

	if (source == NULL || source[0] == '\0')
		return ENOENT;
	memset(&nd, 0, sizeof(nd));
	nd.ni_dirfd = AT_FDCWD;
	nd.ni_path = source;
	nd.ni_flags = NAMEI_FOLLOW;
	if ((error = namei(&nd)) != 0)
		return error;
	if (nd.ni_vp->v_type != VBLK) {
		namei_done(&nd);
		return ENOTBLK;
	}
	vref(nd.ni_vp);
	*vpp = nd.ni_vp;
	namei_done(&nd);
	return 0;
}

static void
ext2_em_free(struct ext2_mount *em)
{
	ext2_bcache_destroy(em);
	if (em->em_groups != NULL)
		kmem_free(em->em_groups, em->em_ngroups *
		    sizeof(*em->em_groups));
	if (em->em_gddirty != NULL)
		kmem_free(em->em_gddirty, em->em_gdblocks * sizeof(bool));
	if (em->em_dev != NULL)
		(void)em->em_dev->d_close(em->em_rdev, em->em_openflags);
	if (em->em_devvp != NULL)
		vrele(em->em_devvp);
	kmem_free(em, sizeof(*em));
}

static int
ext2_mount(struct mount *mp, const char *source, const char *data)
{
	struct ext2_mount *em;
	struct mount *omp;
	const struct devsw *sw;
	bool ronly = (mp->mnt_flag & MS_RDONLY) != 0;
	int error;

	if (mp->mnt_data != NULL)
		return 0;
	if ((error = ext2_opts(data)) != 0)
		return error;
	if ((em = kmem_zalloc(sizeof(*em))) == NULL)
		return ENOMEM;
	em->em_mp = mp;
	TAILQ_INIT(&em->em_bc.bc_lru);
	if ((error = ext2_getdev(source, &em->em_devvp)) != 0)
		goto fail;
	em->em_rdev = em->em_devvp->v_rdev;
	TAILQ_FOREACH(omp, &mountlist, mnt_list) {
		if (ext2_isours(omp) && VFSTOEM(omp) != NULL &&
		    VFSTOEM(omp)->em_rdev == em->em_rdev) {
			error = EBUSY;
			goto fail;
		}
	}
	if ((sw = devsw_lookup(true, em->em_rdev)) == NULL ||
	    sw->d_read == NULL || sw->d_write == NULL || sw->d_size == NULL) {
		error = ENXIO;
		goto fail;
	}
	em->em_openflags = ronly ? O_RDONLY : O_RDWR;
	if ((error = sw->d_open(em->em_rdev, em->em_openflags)) != 0)
		goto fail;
	em->em_dev = sw;
	if ((error = sw->d_size(em->em_rdev, &em->em_devsize)) != 0)
		goto fail;
	em->em_ronly = ronly;
	if ((error = ext2_sb_load(em, &ronly)) != 0)
		goto fail;
	if (!em->em_ronly && (error = ext2_sb_mountrw(em,
	    &em->em_wasvalid)) != 0)
		goto fail;
	mp->mnt_data = em;
	kverbose("ext2: %s mounted %s (%u blocks of %u bytes, %u inodes)\n",
	    source, em->em_ronly ? "read-only" : "read-write", em->em_nblocks,
	    em->em_bsize, em->em_ninodes);
	return 0;
fail:
	ext2_em_free(em);
	return error;
}

int
ext2_syncfs(struct ext2_mount *em)
{
	int error;

	if (em->em_ronly)
		return 0;
	if ((error = ext2_gd_write(em)) != 0)
		return error;
	if ((error = ext2_bflush(em)) != 0)
		return error;
	if (em->em_sbdirty)
		error = ext2_sb_write(em, false);
	return error;
}

static int
ext2_sync(struct mount *mp)
{
	struct ext2_mount *em = VFSTOEM(mp);

	return em != NULL ? ext2_syncfs(em) : 0;
}

/* Everything on disk and the superblock clean (unmount, halt). */
static int
ext2_finish(struct ext2_mount *em)
{
	int error;

	if (em->em_ronly)
		return 0;
	if ((error = ext2_syncfs(em)) != 0)
		return error;
	return ext2_sb_write(em, em->em_wasvalid);
}

static int
ext2_unmount(struct mount *mp, int flags)
{
	struct ext2_mount *em = VFSTOEM(mp);
	int error;

	if (em == NULL)
		return 0;
	if ((error = ext2_finish(em)) != 0 && !(flags & MNT_FORCE))
		return error;
	mp->mnt_data = NULL;
	ext2_em_free(em);
	return 0;
}

static int
ext2_root(struct mount *mp, struct vnode **vpp)
{
	struct vnode *vp;
	int error;

	if ((error = vcache_get(mp, EXT2_ROOTINO, &vp)) != 0)
		return error;
	if (vp->v_type != VDIR) {
		ext2_corrupt(VFSTOEM(mp), "the root is not a directory");
		vrele(vp);
		return EIO;
	}
	*vpp = vp;
	return 0;
}

static int
ext2_statfs(struct mount *mp, struct statfs *sf)
{
	struct ext2_mount *em = VFSTOEM(mp);
	uint64_t overhead;
	uint32_t g;

	/* Linux's default (bsddf): metadata is not counted as space. */
	overhead = em->em_first_data_block;
	for (g = 0; g < em->em_ngroups; g++) {
		overhead += 2 + em->em_itb_per_group;
		if (ext2_group_has_super(em, g))
			overhead += 1 + em->em_gdblocks + em->em_rsvd_gdt;
	}
	memset(sf, 0, sizeof(*sf));
	sf->f_type = EXT2_SUPER_MAGIC;
	sf->f_bsize = em->em_bsize;
	sf->f_frsize = em->em_bsize;
	sf->f_blocks = em->em_nblocks > overhead ? em->em_nblocks - overhead :
	    0;
	sf->f_bfree = em->em_free_blocks;
	sf->f_bavail = em->em_free_blocks > em->em_r_blocks ?
	    em->em_free_blocks - em->em_r_blocks : 0;
	sf->f_files = em->em_ninodes;
	sf->f_ffree = em->em_free_inodes;
	sf->f_namelen = NAME_MAX;
	return 0;
}

static int
ext2_loadvnode(struct mount *mp, struct vnode *vp, uint64_t key)
{
	struct ext2_inode *ip;
	int error;

	if (key > UINT32_MAX)
		return EIO;
	if ((error = ext2_iget(VFSTOEM(mp), (uint32_t)key, &ip)) != 0)
		return error;
	ip->i_vnode = vp;
	vp->v_op = &ext2_vnodeops;
	vp->v_data = ip;
	vp->v_type = ext2_vtype(ip->i_mode);
	vp->v_rdev = ip->i_rdev;
	return 0;
}

/* The kernel halts: what is mounted read-write is left clean. */
static void
ext2_shutdown(void)
{
	struct mount *mp;

	vfs_lock();
	TAILQ_FOREACH(mp, &mountlist, mnt_list) {
		if (ext2_isours(mp) && VFSTOEM(mp) != NULL)
			(void)ext2_finish(VFSTOEM(mp));
	}
	vfs_unlock();
}

static int
ext2_init(void)
{
	int error;

	if ((error = vfs_register(&ext2_vfsops)) != 0)
		return error;
	if ((error = vfs_register(&ext3_vfsops)) != 0)
		return error;
	shutdown_hook_register(ext2_shutdown);
	return 0;
}

RUMP_COMPONENT(ext2_component, "ext2", ext2_init, NULL, "vfs")
