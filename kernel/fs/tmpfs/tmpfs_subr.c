/*
 * tmpfs_subr.c: tmpfs nodes, directory entries and timestamps.
 *
 * Nodes: allocated with a mount-unique, increasing inode number and put
 * on the mount's node list; tmpfs_node_free() releases everything a node
 * owns (pages, entries, symlink target) and detaches its vnode, if any.
 *
 * Directories: entries are on a list in insertion order, each with a
 * cookie from a per-directory counter that starts at 2 ("." is 0, ".." 1)
 * and never goes back, so a readdir position stays valid whatever is
 * removed meanwhile.  A hash table (power-of-two buckets, doubled when
 * there are more than two entries per bucket) makes lookup O(1) in
 * directories of any size.  Link counts follow Linux: an entry counts as
 * a link of its node, a subdirectory as one more link of its parent (its
 * ".."), and a directory starts with one link for its own ".".
 *
 * Locking: vfs_giant, held by the caller.
 */
#include "tmpfs.h"

#define TMPFS_HASH_MINBUCKETS	8
#define TMPFS_HASH_MAXBUCKETS	((uint32_t)1 << 28)

int
tmpfs_node_alloc(struct tmpfs_mount *tm, enum vtype type, mode_t mode,
    uid_t uid, gid_t gid, dev_t rdev, struct tmpfs_node **nodep)
{
	struct tmpfs_node *node;
	struct timespec now;

	if (tm->tm_maxnodes != 0 && tm->tm_nnodes >= tm->tm_maxnodes)
		return ENOSPC;
	if ((node = kmem_zalloc(sizeof(*node))) == NULL)
		return ENOSPC;
	node->tn_mount = tm;
	node->tn_type = type;
	node->tn_mode = mode & 07777;
	node->tn_uid = uid;
	node->tn_gid = gid;
	node->tn_ino = tm->tm_nextino++;
	if (type == VCHR || type == VBLK)
		node->tn_rdev = rdev;
	getnanotime(&now);
	node->tn_atime = node->tn_mtime = node->tn_ctime = node->tn_btime =
	    now;
	if (type == VDIR) {
		TAILQ_INIT(&node->tn_d.td_list);
		node->tn_d.td_nextcookie = TMPFS_COOKIE_FIRST;
		node->tn_nlink = 1;		/* its "." */
	}
	LIST_INSERT_HEAD(&tm->tm_nodes, node, tn_entries);
	tm->tm_nnodes++;
	*nodep = node;
	return 0;
}

static void
tmpfs_dir_free(struct tmpfs_node *dir)
{
	struct tmpfs_dirent *de, *next;

	/* The entries' nodes are not touched: unmount frees them itself. */
	TAILQ_FOREACH_SAFE(de, &dir->tn_d.td_list, td_entries, next)
		tmpfs_dirent_free(de);
	TAILQ_INIT(&dir->tn_d.td_list);
	if (dir->tn_d.td_hashtab != NULL)
		kmem_free(dir->tn_d.td_hashtab,
		    ((size_t)dir->tn_d.td_hashmask + 1) *
		    sizeof(struct tmpfs_hashhead));
	dir->tn_d.td_hashtab = NULL;
	dir->tn_d.td_nentries = 0;
	dir->tn_d.td_hintvalid = false;
}

void
tmpfs_node_free(struct tmpfs_node *node)
{
	struct tmpfs_mount *tm = node->tn_mount;

	switch (node->tn_type) {
	case VREG:
		tmpfs_pages_free(&tm->tm_pool, &node->tn_data);
		break;
	case VDIR:
		tmpfs_dir_free(node);
		break;
	case VLNK:
		if (node->tn_u.tn_target != NULL)
			kmem_free(node->tn_u.tn_target,
			    (size_t)node->tn_size + 1);
		break;
	default:
		break;
	}
	/* Unmount frees nodes that may still have a cached vnode. */
	if (node->tn_vnode != NULL)
		node->tn_vnode->v_data = NULL;
	LIST_REMOVE(node, tn_entries);
	tm->tm_nnodes--;
	kmem_free(node, sizeof(*node));
}

static size_t
tmpfs_dirent_size(size_t namelen)
{
	return offsetof(struct tmpfs_dirent, td_name) + namelen + 1;
}

/* FNV-1a: cheap and spreads short, similar names well. */
static uint32_t
tmpfs_hash(const char *name, size_t namelen)
{
	uint32_t h = 2166136261U;
	size_t i;

	for (i = 0; i < namelen; i++) {
		h ^= (uint8_t)name[i];
		h *= 16777619U;
	}
	return h;
}

int
tmpfs_dirent_alloc(const char *name, size_t namelen, struct tmpfs_dirent **dep)
{
	struct tmpfs_dirent *de;

	KASSERT(namelen > 0 && namelen <= NAME_MAX);
	if ((de = kmem_alloc(tmpfs_dirent_size(namelen))) == NULL)
		return ENOSPC;
	memset(de, 0, sizeof(*de));
	memcpy(de->td_name, name, namelen);
	de->td_name[namelen] = '\0';
	de->td_namelen = (uint16_t)namelen;
	de->td_hashval = tmpfs_hash(name, namelen);
	*dep = de;
	return 0;
}

void
tmpfs_dirent_free(struct tmpfs_dirent *de)
{
	kmem_free(de, tmpfs_dirent_size(de->td_namelen));
}

/* Rehashes into nbuckets buckets; false if there is no memory for it. */
static bool
tmpfs_dir_rehash(struct tmpfs_node *dir, uint32_t nbuckets)
{
	struct tmpfs_hashhead *tab;
	struct tmpfs_dirent *de;
	uint32_t i;

	if ((tab = kmem_alloc(nbuckets * sizeof(*tab))) == NULL)
		return false;
	for (i = 0; i < nbuckets; i++)
		LIST_INIT(&tab[i]);
	TAILQ_FOREACH(de, &dir->tn_d.td_list, td_entries)
		LIST_INSERT_HEAD(&tab[de->td_hashval & (nbuckets - 1)], de,
		    td_hash);
	if (dir->tn_d.td_hashtab != NULL)
		kmem_free(dir->tn_d.td_hashtab,
		    ((size_t)dir->tn_d.td_hashmask + 1) * sizeof(*tab));
	dir->tn_d.td_hashtab = tab;
	dir->tn_d.td_hashmask = nbuckets - 1;
	return true;
}

int
tmpfs_dir_reserve(struct tmpfs_node *dir)
{
	uint64_t nbuckets;

	KASSERT(dir->tn_type == VDIR);
	if (dir->tn_d.td_hashtab == NULL)
		return tmpfs_dir_rehash(dir, TMPFS_HASH_MINBUCKETS) ? 0 :
		    ENOSPC;
	nbuckets = (uint64_t)dir->tn_d.td_hashmask + 1;
	/* Growing is an optimization: without memory, chains get longer. */
	if (dir->tn_d.td_nentries + 1 > 2 * nbuckets &&
	    nbuckets < TMPFS_HASH_MAXBUCKETS)
		(void)tmpfs_dir_rehash(dir, (uint32_t)nbuckets * 2);
	return 0;
}

struct tmpfs_dirent *
tmpfs_dir_lookup(struct tmpfs_node *dir, const char *name, size_t namelen)
{
	struct tmpfs_dirent *de;
	uint32_t h;

	KASSERT(dir->tn_type == VDIR);
	if (dir->tn_d.td_hashtab == NULL || namelen > NAME_MAX)
		return NULL;
	h = tmpfs_hash(name, namelen);
	LIST_FOREACH(de, &dir->tn_d.td_hashtab[h & dir->tn_d.td_hashmask],
	    td_hash)
		if (de->td_hashval == h && de->td_namelen == namelen &&
		    memcmp(de->td_name, name, namelen) == 0)
			return de;
	return NULL;
}

void
tmpfs_dir_insert(struct tmpfs_node *dir, struct tmpfs_dirent *de,
    struct tmpfs_node *node)
{
	struct tmpfs_dir *d = &dir->tn_d;

	KASSERT(d->td_hashtab != NULL);
	de->td_node = node;
	de->td_cookie = d->td_nextcookie++;
	TAILQ_INSERT_TAIL(&d->td_list, de, td_entries);
	LIST_INSERT_HEAD(&d->td_hashtab[de->td_hashval & d->td_hashmask], de,
	    td_hash);
	d->td_nentries++;
	/* A reader that had reached the end continues with this entry. */
	if (d->td_hintvalid && d->td_hintde == NULL)
		d->td_hintde = de;
	node->tn_nlink++;
	if (node->tn_type == VDIR) {
		dir->tn_nlink++;
		d->td_nsubdirs++;
		node->tn_d.td_parent = dir;
	}
}

void
tmpfs_dir_detach(struct tmpfs_node *dir, struct tmpfs_dirent *de)
{
	struct tmpfs_dir *d = &dir->tn_d;
	struct tmpfs_node *node = de->td_node;

	if (d->td_hintvalid && d->td_hintde == de)
		d->td_hintde = TAILQ_NEXT(de, td_entries);
	TAILQ_REMOVE(&d->td_list, de, td_entries);
	LIST_REMOVE(de, td_hash);
	d->td_nentries--;
	node->tn_nlink--;
	if (node->tn_type == VDIR) {
		dir->tn_nlink--;
		d->td_nsubdirs--;
		if (node->tn_d.td_parent == dir)
			node->tn_d.td_parent = NULL;
	}
}

/*
 * Points an existing entry at another node (rename over a target,
 * RENAME_EXCHANGE), moving the link counts.  The old node's parent pointer
 * is left for the caller: in an exchange it has just been set elsewhere.
 */
void
tmpfs_dir_replace(struct tmpfs_node *dir, struct tmpfs_dirent *de,
    struct tmpfs_node *node)
{
	struct tmpfs_node *old = de->td_node;

	old->tn_nlink--;
	if (old->tn_type == VDIR) {
		dir->tn_nlink--;
		dir->tn_d.td_nsubdirs--;
	}
	de->td_node = node;
	node->tn_nlink++;
	if (node->tn_type == VDIR) {
		dir->tn_nlink++;
		dir->tn_d.td_nsubdirs++;
		node->tn_d.td_parent = dir;
	}
}

/* Linux tmpfs: 20 bytes per entry, "." and ".." included. */
int64_t
tmpfs_dir_size(const struct tmpfs_node *dir)
{
	return (int64_t)(dir->tn_d.td_nentries + 2) * TMPFS_BOGO_DIRENT_SIZE;
}

static uint8_t
tmpfs_dtype(enum vtype t)
{
	switch (t) {
	case VREG:	return DT_REG;
	case VDIR:	return DT_DIR;
	case VLNK:	return DT_LNK;
	case VCHR:	return DT_CHR;
	case VBLK:	return DT_BLK;
	case VFIFO:	return DT_FIFO;
	case VSOCK:	return DT_SOCK;
	default:	return DT_UNKNOWN;
	}
}

/*
 * Appends one linux_dirent64 whose d_off is next (where readdir resumes
 * after it).  ENOSPC (internal) if it does not fit the uio.
 */
static int
tmpfs_dirent_emit(struct uio *uio, ino_t ino, uint8_t type, const char *name,
    size_t namelen, int64_t next)
{
	uint64_t buf[(offsetof(struct linux_dirent64, d_name) + NAME_MAX + 1 +
	    7) / 8];
	struct linux_dirent64 *d = (struct linux_dirent64 *)buf;
	size_t reclen;

	reclen = roundup(offsetof(struct linux_dirent64, d_name) + namelen + 1,
	    8);
	if (reclen > uio->uio_resid)
		return ENOSPC;
	memset(buf, 0, reclen);
	d->d_ino = ino;
	d->d_off = next;
	d->d_reclen = (uint16_t)reclen;
	d->d_type = type;
	memcpy(d->d_name, name, namelen);
	return uiomove(buf, reclen, uio);
}

/*
 * Fills uio with entries from cookie uio_offset on.  Each record's d_off is
 * the position after it (its cookie + 1: the next entry is the first one
 * with a cookie >= that, wherever removals left it).  EINVAL if not even
 * one record fits.
 */
int
tmpfs_dir_getdents(struct tmpfs_node *dir, struct uio *uio)
{
	struct tmpfs_dir *d = &dir->tn_d;
	struct tmpfs_dirent *de;
	struct tmpfs_node *parent;
	int64_t off;
	int error, n;

	KASSERT(dir->tn_type == VDIR);
	if ((off = uio->uio_offset) < 0)
		return EINVAL;
	n = 0;
	error = 0;
	if (off == 0) {
		error = tmpfs_dirent_emit(uio, dir->tn_ino, DT_DIR, ".", 1, 1);
		if (error != 0)
			goto out;
		n++;
		off = 1;
	}
	if (off == 1) {
		parent = d->td_parent != NULL ? d->td_parent : dir;
		error = tmpfs_dirent_emit(uio, parent->tn_ino, DT_DIR, "..", 2,
		    TMPFS_COOKIE_FIRST);
		if (error != 0)
			goto out;
		n++;
		off = TMPFS_COOKIE_FIRST;
	}
	if (d->td_hintvalid && d->td_hintcookie == (uint64_t)off)
		de = d->td_hintde;
	else
		TAILQ_FOREACH(de, &d->td_list, td_entries)
			if (de->td_cookie >= (uint64_t)off)
				break;
	for (; de != NULL; de = TAILQ_NEXT(de, td_entries)) {
		error = tmpfs_dirent_emit(uio, de->td_node->tn_ino,
		    tmpfs_dtype(de->td_node->tn_type), de->td_name,
		    de->td_namelen, (int64_t)de->td_cookie + 1);
		if (error != 0)
			break;
		n++;
		off = (int64_t)de->td_cookie + 1;
	}
	/* de is the first entry not returned (NULL at the end). */
	if (off >= TMPFS_COOKIE_FIRST && (error == 0 || error == ENOSPC)) {
		d->td_hintvalid = true;
		d->td_hintcookie = (uint64_t)off;
		d->td_hintde = de;
	}
out:
	uio->uio_offset = off;
	if (error == ENOSPC)
		error = n == 0 ? EINVAL : 0;
	return error;
}

void
tmpfs_update(struct tmpfs_node *node, int which)
{
	struct timespec now;

	getnanotime(&now);
	if (which & TMPFS_UPD_ATIME)
		node->tn_atime = now;
	if (which & TMPFS_UPD_MTIME)
		node->tn_mtime = now;
	if (which & TMPFS_UPD_CTIME)
		node->tn_ctime = now;
}

static int
tmpfs_tscmp(const struct timespec *a, const struct timespec *b)
{
	if (a->tv_sec != b->tv_sec)
		return a->tv_sec < b->tv_sec ? -1 : 1;
	if (a->tv_nsec != b->tv_nsec)
		return a->tv_nsec < b->tv_nsec ? -1 : 1;
	return 0;
}

/*
 * relatime, Linux's default: atime moves only if it is not newer than
 * mtime or ctime, or is a day old, which keeps "was it read since it was
 * written" answerable without an update on every read.
 */
void
tmpfs_accessed(struct tmpfs_node *node)
{
	struct timespec now;

	getnanotime(&now);
	if (tmpfs_tscmp(&node->tn_atime, &node->tn_mtime) <= 0 ||
	    tmpfs_tscmp(&node->tn_atime, &node->tn_ctime) <= 0 ||
	    now.tv_sec - node->tn_atime.tv_sec >= 24 * 60 * 60)
		node->tn_atime = now;
}
