/*
 * tmpfs_vfsops.c: tmpfs mounts and the tmpfs component.
 *
 * Mount options (the data string of mount(2)), as Linux's tmpfs:
 *   mode=OCTAL uid=N gid=N  of the root directory (default 0755 for the
 *                           kernel's root file system, 01777 otherwise)
 *   size=N[k|m|g|t|%]       data limit (rounded up to pages; % of
 *                           RUMP_MEMLIMIT, none without one), 0 = none
 *   nr_blocks=N[k|m|g|t]    the same in pages
 *   nr_inodes=N[k|m|g|t]    node limit, 0 = none
 * Linux's generic flags (ro, rw, sync ...) and tmpfs options that mean
 * nothing here (huge=, mpol=, inode64 ...) are accepted and ignored; any
 * other option is EINVAL, as on Linux.
 *
 * statfs: the kernel's memory is the only store.  Free space is what
 * size= and RUMP_MEMLIMIT both leave; f_blocks is size=, else the memory
 * limit (so "used" then includes the rest of the kernel).  With neither,
 * a nominal TMPFS_NOLIMIT_FREE bytes are reported free and f_blocks is
 * used + that.  fallocate checks against the same free count.  Free
 * inodes are one per free page (Linux's default ratio) unless nr_inodes=.
 *
 * Locking: vfs_giant, held by the caller.
 */
#include "k/component.h"
#include "tmpfs.h"

/* Free space reported when neither size= nor RUMP_MEMLIMIT bounds it. */
#define TMPFS_NOLIMIT_FREE	((uint64_t)4 << 30)

#define ST_VALID	0x0020		/* statfs f_flags are valid */

struct tmpfs_args {
	mode_t ta_mode;
	uid_t ta_uid;
	gid_t ta_gid;
	uint64_t ta_maxpages;
	uint64_t ta_maxnodes;
};

static int tmpfs_mount(struct mount *, const char *, const char *);
static int tmpfs_unmount(struct mount *, int);
static int tmpfs_root(struct mount *, struct vnode **);
static int tmpfs_statfs(struct mount *, struct statfs *);
static int tmpfs_sync(struct mount *);
static int tmpfs_loadvnode(struct mount *, struct vnode *, uint64_t);

const struct vfsops tmpfs_vfsops = {
	.vfs_name = "tmpfs",
	.vfs_mount = tmpfs_mount,
	.vfs_unmount = tmpfs_unmount,
	.vfs_root = tmpfs_root,
	.vfs_statfs = tmpfs_statfs,
	.vfs_sync = tmpfs_sync,
	.vfs_loadvnode = tmpfs_loadvnode,
};

static bool
tmpfs_opt_is(const char *opt, size_t len, const char *name)
{
	return strlen(name) == len && memcmp(opt, name, len) == 0;
}

/* Parses [0-9]+ in base (8 or 10) with an optional size suffix. */
static int
tmpfs_opt_number(const char *s, size_t len, unsigned base, bool suffixes,
    uint64_t *valp, bool *percentp)
{
	uint64_t v = 0, mult = 1;
	size_t i;
	unsigned d;

	if (percentp != NULL)
		*percentp = false;
	if (len > 0 && suffixes) {
		switch (s[len - 1]) {
		case 'k': case 'K': mult = (uint64_t)1 << 10; break;
		case 'm': case 'M': mult = (uint64_t)1 << 20; break;
		case 'g': case 'G': mult = (uint64_t)1 << 30; break;
		case 't': case 'T': mult = (uint64_t)1 << 40; break;
		case '%':
			if (percentp == NULL)
				return EINVAL;
			*percentp = true;
			break;
		default: break;
		}
		if (mult != 1 || (percentp != NULL && *percentp))
			len--;
	}
	if (len == 0)
		return EINVAL;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return EINVAL;
		d = (unsigned)(s[i] - '0');
		if (d >= base || v > (UINT64_MAX - d) / base)
			return EINVAL;
		v = v * base + d;
	}
	if (v > UINT64_MAX / mult)
		return EINVAL;
	*valp = v * mult;
	return 0;
}

static int
tmpfs_opt_parse(const char *opt, size_t len, struct tmpfs_args *ta)
{
	static const char *const ignored[] = {
		"ro", "rw", "sync", "async", "dirsync", "lazytime",
		"nolazytime", "mand", "nomand", "silent", "inode32", "inode64",
		"noswap", "quota", "usrquota", "grpquota", "huge", "mpol",
	};
	const char *eq, *val;
	size_t klen, vlen, i;
	uint64_t v;
	bool pct;
	int error;

	/* memchr is not on the kernel's list of host helpers. */
	for (klen = 0; klen < len && opt[klen] != '='; klen++)
		continue;
	eq = klen < len ? opt + klen : NULL;
	val = eq != NULL ? eq + 1 : opt + len;
	vlen = len - klen - (eq != NULL ? 1 : 0);

	if (eq != NULL && tmpfs_opt_is(opt, klen, "mode")) {
		if ((error = tmpfs_opt_number(val, vlen, 8, false, &v,
		    NULL)) != 0)
			return error;
		ta->ta_mode = (mode_t)(v & 07777);
		return 0;
	}
	if (eq != NULL && (tmpfs_opt_is(opt, klen, "uid") ||
	    tmpfs_opt_is(opt, klen, "gid"))) {
		if ((error = tmpfs_opt_number(val, vlen, 10, false, &v,
		    NULL)) != 0)
			return error;
		if (v >= UINT32_MAX)
			return EINVAL;
		if (opt[0] == 'u')
			ta->ta_uid = (uid_t)v;
		else
			ta->ta_gid = (gid_t)v;
		return 0;
	}
	if (eq != NULL && tmpfs_opt_is(opt, klen, "size")) {
		if ((error = tmpfs_opt_number(val, vlen, 10, true, &v,
		    &pct)) != 0)
			return error;
		if (pct) {
			if (v > 100)
				return EINVAL;
			v = kmem_limit() / 100 * v;
		}
		ta->ta_maxpages = howmany(v, TMPFS_PAGE_SIZE);
		return 0;
	}
	if (eq != NULL && tmpfs_opt_is(opt, klen, "nr_blocks"))
		return tmpfs_opt_number(val, vlen, 10, true, &ta->ta_maxpages,
		    NULL);
	if (eq != NULL && tmpfs_opt_is(opt, klen, "nr_inodes"))
		return tmpfs_opt_number(val, vlen, 10, true, &ta->ta_maxnodes,
		    NULL);
	for (i = 0; i < __arraycount(ignored); i++)
		if (tmpfs_opt_is(opt, klen, ignored[i]))
			return 0;
	kverbose("tmpfs: unknown mount option \"%.*s\"\n", (int)len, opt);
	return EINVAL;
}

static int
tmpfs_args_parse(const char *data, struct tmpfs_args *ta)
{
	const char *p, *comma;
	size_t len;
	int error;

	if (data == NULL)
		return 0;
	for (p = data; *p != '\0'; p += len + (comma != NULL ? 1 : 0)) {
		comma = strchr(p, ',');
		len = comma != NULL ? (size_t)(comma - p) : strlen(p);
		if (len == 0)
			continue;
		if ((error = tmpfs_opt_parse(p, len, ta)) != 0)
			return error;
	}
	return 0;
}

static int
tmpfs_mount(struct mount *mp, const char *source, const char *data)
{
	struct tmpfs_args ta;
	struct tmpfs_mount *tm;
	struct tmpfs_node *root;
	int error;

	(void)source;
	/* A remount keeps everything; options are not changed (yet). */
	if (mp->mnt_data != NULL)
		return 0;
	memset(&ta, 0, sizeof(ta));
	/* Linux's tmpfs root is 1777; "/" of this kernel is 0755. */
	ta.ta_mode = rootvnode == NULL ? 0755 : 01777;
	if ((error = tmpfs_args_parse(data, &ta)) != 0)
		return error;

	if ((tm = kmem_zalloc(sizeof(*tm))) == NULL)
		return ENOMEM;
	LIST_INIT(&tm->tm_nodes);
	tm->tm_nextino = 1;		/* the root, as on Linux */
	tm->tm_maxnodes = ta.ta_maxnodes;
	tm->tm_pool.pp_maxpages = ta.ta_maxpages;
	error = tmpfs_node_alloc(tm, VDIR, ta.ta_mode, ta.ta_uid, ta.ta_gid, 0,
	    &root);
	if (error != 0) {
		kmem_free(tm, sizeof(*tm));
		return ENOMEM;
	}
	/* The root is its own parent: "." and ".." are its two links. */
	root->tn_nlink = 2;
	root->tn_d.td_parent = root;
	tm->tm_root = root;
	mp->mnt_data = tm;
	return 0;
}

/*
 * The vfs refused the unmount if anything is still in use and reclaims
 * the mount's vnodes; nodes that still have one are detached from it
 * (v_data = NULL), so a reclaim after this is harmless.
 */
static int
tmpfs_unmount(struct mount *mp, int flags)
{
	struct tmpfs_mount *tm = VFSTOTM(mp);
	struct tmpfs_node *node;

	(void)flags;
	if (tm == NULL)
		return 0;
	while ((node = LIST_FIRST(&tm->tm_nodes)) != NULL)
		tmpfs_node_free(node);
	KASSERT(tm->tm_pool.pp_pages == 0 && tm->tm_nnodes == 0);
	kmem_free(tm, sizeof(*tm));
	mp->mnt_data = NULL;
	return 0;
}

static int
tmpfs_root(struct mount *mp, struct vnode **vpp)
{
	return vcache_get(mp, TMPFS_KEY(VFSTOTM(mp)->tm_root), vpp);
}

uint64_t
tmpfs_freepages(const struct tmpfs_mount *tm)
{
	uint64_t free = UINT64_MAX, limit, inuse;

	if (tm->tm_pool.pp_maxpages != 0)
		free = tm->tm_pool.pp_maxpages > tm->tm_pool.pp_pages ?
		    tm->tm_pool.pp_maxpages - tm->tm_pool.pp_pages : 0;
	if ((limit = kmem_limit()) != 0) {
		inuse = kmem_inuse();
		free = MIN(free, (limit > inuse ? limit - inuse : 0) /
		    TMPFS_PAGE_SIZE);
	}
	if (free == UINT64_MAX)
		free = TMPFS_NOLIMIT_FREE / TMPFS_PAGE_SIZE;
	return free;
}

static int
tmpfs_statfs(struct mount *mp, struct statfs *sf)
{
	struct tmpfs_mount *tm = VFSTOTM(mp);
	uint64_t free, limit;

	free = tmpfs_freepages(tm);
	memset(sf, 0, sizeof(*sf));
	sf->f_type = TMPFS_MAGIC;
	sf->f_bsize = TMPFS_PAGE_SIZE;
	sf->f_frsize = TMPFS_PAGE_SIZE;
	if (tm->tm_pool.pp_maxpages != 0)
		sf->f_blocks = tm->tm_pool.pp_maxpages;
	else if ((limit = kmem_limit()) != 0)
		sf->f_blocks = limit / TMPFS_PAGE_SIZE;
	else
		sf->f_blocks = tm->tm_pool.pp_pages + free;
	sf->f_bfree = sf->f_bavail = free;
	if (tm->tm_maxnodes != 0) {
		sf->f_files = tm->tm_maxnodes;
		sf->f_ffree = tm->tm_maxnodes > tm->tm_nnodes ?
		    tm->tm_maxnodes - tm->tm_nnodes : 0;
	} else {
		sf->f_ffree = free;
		sf->f_files = tm->tm_nnodes + free;
	}
	sf->f_fsid.val[0] = (int32_t)(uint32_t)mp->mnt_fsid;
	sf->f_fsid.val[1] = (int32_t)(uint32_t)(mp->mnt_fsid >> 32);
	sf->f_namelen = NAME_MAX;
	/* MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC are the ST_ bits. */
	sf->f_flags = ST_VALID | (mp->mnt_flag &
	    (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC));
	return 0;
}

static int
tmpfs_sync(struct mount *mp)
{
	(void)mp;
	return 0;
}

/* key is a node's address (TMPFS_KEY), handed out by this mount only. */
static int
tmpfs_loadvnode(struct mount *mp, struct vnode *vp, uint64_t key)
{
	struct tmpfs_node *node = (struct tmpfs_node *)(uintptr_t)key;

	KASSERT(node->tn_mount == VFSTOTM(mp));
	KASSERT(node->tn_vnode == NULL);
	vp->v_op = &tmpfs_vnodeops;
	vp->v_data = node;
	vp->v_type = node->tn_type;
	vp->v_rdev = node->tn_rdev;
	node->tn_vnode = vp;
	return 0;
}

static int
tmpfs_init(void)
{
	return vfs_register(&tmpfs_vfsops);
}

RUMP_COMPONENT(tmpfs_component, "tmpfs", tmpfs_init, NULL, "vfs")
