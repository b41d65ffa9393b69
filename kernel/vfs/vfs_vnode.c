/*
 * vfs_vnode.c: the vnode cache.
 *
 * Every vnode of a mounted file system is in a hash table by (mount, key)
 * while its node exists.  A vnode with v_usecount == 0 sits on the free
 * list in LRU order (oldest first) and can be found again by vcache_get
 * until it is reclaimed: VOP_RECLAIM cuts the node's pointer to it and the
 * vnode is freed.  Reclaiming happens when a new vnode would pass
 * kern.maxvnodes, under memory pressure, and at unmount.  Vnodes in use
 * are never reclaimed, so the count may exceed the limit while they are.
 *
 * When a node goes away (the last link is gone and the last reference is
 * released), the file system calls vcache_remove() from VOP_INACTIVE; such
 * a vnode is unhashed at once and freed by the vrele that made it
 * inactive.  An unhashed vnode has v_hash.le_prev == NULL.
 *
 * Contract with file systems: vop_reclaim and vop_inactive may not take or
 * release references on other vnodes (the free list is being walked).
 *
 * Locking: vfs_giant covers everything here.
 */
#include "vfs_private.h"

int64_t vfs_maxvnodes;
int vfs_numvnodes;

#define VC_HASHBITS	12
#define VC_HASHSIZE	(1U << VC_HASHBITS)

static LIST_HEAD(vchead, vnode) vc_hash[VC_HASHSIZE];
static TAILQ_HEAD(vcfree, vnode) vc_free = TAILQ_HEAD_INITIALIZER(vc_free);
static int vc_nfree;

/* vc_hash is static, so its buckets start as empty lists (NULL heads):
 * initialising them again would only fault its pages in at every boot. */
void
vcache_init(void)
{
	vfs_maxvnodes = kern_maxvnodes;
}

/* Keys are often node addresses: a multiplicative hash spreads them. */
static inline struct vchead *
vc_bucket(const struct mount *mp, uint64_t key)
{
	uint64_t h = (key ^ ((uint64_t)(uintptr_t)mp >> 4)) *
	    0x9e3779b97f4a7c15ULL;

	return &vc_hash[h >> (64 - VC_HASHBITS)];
}

static inline bool
vc_hashed(const struct vnode *vp)
{
	return vp->v_hash.le_prev != NULL;
}

static void
vc_unhash(struct vnode *vp)
{
	if (vc_hashed(vp)) {
		LIST_REMOVE(vp, v_hash);
		vp->v_hash.le_prev = NULL;
		vp->v_hash.le_next = NULL;
	}
}

static void
vc_unfree(struct vnode *vp)
{
	if (vp->v_onfree) {
		TAILQ_REMOVE(&vc_free, vp, v_freelist);
		vp->v_onfree = false;
		vc_nfree--;
	}
}

static void
vc_destroy(struct vnode *vp)
{
	KASSERT(vp->v_usecount == 0 && !vp->v_onfree && !vc_hashed(vp));
	if (vp->v_lockf != NULL)
		lf_release_all(vp);
	ncache_purge(vp);
	kmem_free(vp, sizeof(*vp));
	vfs_numvnodes--;
}

int
vcache_reclaim(struct mount *mp, int max)
{
	struct vnode *vp, *nvp;
	int n = 0;

	TAILQ_FOREACH_SAFE(vp, &vc_free, v_freelist, nvp) {
		if (n >= max)
			break;
		if (mp != NULL && vp->v_mount != mp)
			continue;
		vc_unfree(vp);
		vc_unhash(vp);
		if (vp->v_op != NULL && vp->v_op->vop_reclaim != NULL)
			vp->v_op->vop_reclaim(vp);
		vc_destroy(vp);
		n++;
	}
	return n;
}

/* Before a new vnode is made: stay within kern.maxvnodes if possible. */
static void
vc_makeroom(void)
{
	int64_t limit = kern_maxvnodes;

	if (limit < 1)
		limit = 1;
	vfs_maxvnodes = limit;
	if (vc_nfree == 0)
		return;
	if (vfs_numvnodes >= limit)
		vcache_reclaim(NULL, (int)MIN(vfs_numvnodes - limit + 1,
		    (int64_t)INT_MAX));
	else if (kmem_pressure())
		vcache_reclaim(NULL, 8);
}

int
vcache_get(struct mount *mp, uint64_t key, struct vnode **vpp)
{
	struct vchead *head = vc_bucket(mp, key);
	struct vnode *vp;
	struct vattr va;
	int error;

	LIST_FOREACH(vp, head, v_hash) {
		if (vp->v_key == key && vp->v_mount == mp) {
			vref(vp);
			*vpp = vp;
			return 0;
		}
	}

	vc_makeroom();
	if ((vp = kmem_zalloc(sizeof(*vp))) == NULL) {
		vcache_reclaim(NULL, INT_MAX);
		if ((vp = kmem_zalloc(sizeof(*vp))) == NULL)
			return ENOMEM;
	}
	vp->v_mount = mp;
	vp->v_key = key;
	vp->v_type = VNON;
	vp->v_usecount = 1;
	error = mp->mnt_op->vfs_loadvnode(mp, vp, key);
	if (error != 0) {
		kmem_free(vp, sizeof(*vp));
		return error;
	}
	/* Device numbers are the vnode's business: open dispatches on them. */
	if ((vp->v_type == VCHR || vp->v_type == VBLK) && vp->v_rdev == 0 &&
	    vp->v_op->vop_getattr != NULL && vp->v_op->vop_getattr(vp, &va) == 0)
		vp->v_rdev = va.va_rdev;
	LIST_INSERT_HEAD(head, vp, v_hash);
	vfs_numvnodes++;
	*vpp = vp;
	return 0;
}

void
vref(struct vnode *vp)
{
	if (vp->v_usecount++ == 0)
		vc_unfree(vp);
}

void
vrele(struct vnode *vp)
{
	KASSERT(vp->v_usecount > 0);
	if (--vp->v_usecount > 0)
		return;
	/* No open file is left, so no advisory lock can be either. */
	if (vp->v_lockf != NULL)
		lf_release_all(vp);
	if (vc_hashed(vp) && vp->v_op != NULL &&
	    vp->v_op->vop_inactive != NULL)
		vp->v_op->vop_inactive(vp);
	if (vp->v_usecount > 0)
		return;
	if (!vc_hashed(vp)) {
		/* Its node is gone (vcache_remove): nothing to cache. */
		vc_destroy(vp);
		return;
	}
	TAILQ_INSERT_TAIL(&vc_free, vp, v_freelist);
	vp->v_onfree = true;
	vc_nfree++;
}

void
vcache_remove(struct vnode *vp)
{
	vc_unhash(vp);
	/* Not in use (and not being made inactive): free it now. */
	if (vp->v_usecount == 0 && vp->v_onfree) {
		vc_unfree(vp);
		vc_destroy(vp);
	}
}

void
vcache_foreach(struct mount *mp, void (*fn)(struct vnode *, void *),
    void *arg)
{
	struct vnode *vp, *nvp;
	unsigned i;

	for (i = 0; i < VC_HASHSIZE; i++) {
		LIST_FOREACH_SAFE(vp, &vc_hash[i], v_hash, nvp) {
			if (mp == NULL || vp->v_mount == mp)
				fn(vp, arg);
		}
	}
}
