/*
 * procfs_snap.c: what readdir last listed to each reader process, for the
 * directories whose contents come and go (/proc's pid entries, /proc/<pid>,
 * /proc/<pid>/fd).
 *
 * A walker (find, du, ls -lR, tar) reads a directory, often closes it,
 * then looks up each name it read.  A process that exits or a descriptor
 * that is closed in between would make a listed name answer ENOENT, and
 * the walker fail.  So each name listed to a reader is remembered with the
 * attributes it had (mode, owner, link target); a lookup of a listed name
 * that is gone finds a "gone" node answering from that record
 * (procfs_vnops.c).  Names never listed to the reader stay ENOENT.
 *
 * A reader keeps at most PFS_SNAP_MAXDIRS listings, the least recently
 * used one dropped first; a listing is started again when its directory
 * is read from offset 0, and all are freed when the reader exits.  A
 * listing survives the close of the directory: fts closes before it
 * looks up what it read.  Everything is kmem, so RUMP_MEMLIMIT counts it;
 * a record that cannot be allocated stops the readdir (ENOMEM if it
 * returned nothing) rather than list a name it could not stand behind.
 *
 * Locking: vfs_giant, held by vfs around every procfs operation and taken
 * by the exit hook.
 */
#include "k/kernel.h"
#include "k/queue.h"
#include "k/vnode.h"

#include "procfs.h"

#define PFS_SNAP_MAXDIRS	16
#define PFS_SNAP_NBUCKETS	64

struct pfs_snap {
	TAILQ_ENTRY(pfs_snap) sn_lru;	/* most recently used first */
	uint64_t sn_dirkey;
	struct pfs_snent *sn_ents;	/* sorted by se_cookie */
	size_t sn_n;
	size_t sn_cap;
};

struct pfs_reader {
	LIST_ENTRY(pfs_reader) r_hash;
	const struct proc *r_proc;
	TAILQ_HEAD(, pfs_snap) r_snaps;
	int r_nsnaps;
};

static LIST_HEAD(, pfs_reader) pfs_readers[PFS_SNAP_NBUCKETS];

static size_t
pfs_reader_bucket(const struct proc *p)
{
	return ((uintptr_t)p >> 6) % PFS_SNAP_NBUCKETS;
}

static struct pfs_reader *
pfs_reader_find(const struct proc *p, bool create)
{
	struct pfs_reader *r;
	size_t b = pfs_reader_bucket(p);

	LIST_FOREACH(r, &pfs_readers[b], r_hash) {
		if (r->r_proc == p)
			return r;
	}
	if (!create || (r = kmem_zalloc(sizeof(*r))) == NULL)
		return NULL;
	r->r_proc = p;
	TAILQ_INIT(&r->r_snaps);
	LIST_INSERT_HEAD(&pfs_readers[b], r, r_hash);
	return r;
}

static void
pfs_snap_clear(struct pfs_snap *sn)
{
	size_t i;

	for (i = 0; i < sn->sn_n; i++) {
		if (sn->sn_ents[i].se_target != NULL)
			kmem_strfree(sn->sn_ents[i].se_target);
	}
	if (sn->sn_ents != NULL)
		kmem_free(sn->sn_ents, sn->sn_cap * sizeof(*sn->sn_ents));
	sn->sn_ents = NULL;
	sn->sn_n = sn->sn_cap = 0;
}

static void
pfs_snap_drop(struct pfs_reader *r, struct pfs_snap *sn)
{
	TAILQ_REMOVE(&r->r_snaps, sn, sn_lru);
	r->r_nsnaps--;
	pfs_snap_clear(sn);
	kmem_free(sn, sizeof(*sn));
}

static struct pfs_snap *
pfs_snap_lookup(struct pfs_reader *r, uint64_t dirkey)
{
	struct pfs_snap *sn;

	TAILQ_FOREACH(sn, &r->r_snaps, sn_lru) {
		if (sn->sn_dirkey == dirkey) {
			/* Used now: to the front, last to be dropped. */
			if (sn != TAILQ_FIRST(&r->r_snaps)) {
				TAILQ_REMOVE(&r->r_snaps, sn, sn_lru);
				TAILQ_INSERT_HEAD(&r->r_snaps, sn, sn_lru);
			}
			return sn;
		}
	}
	return NULL;
}

struct pfs_snap *
pfs_snap_open(uint64_t dirkey, bool restart)
{
	struct pfs_reader *r;
	struct pfs_snap *sn, *last;

	if ((r = pfs_reader_find(curproc, true)) == NULL)
		return NULL;
	if ((sn = pfs_snap_lookup(r, dirkey)) != NULL) {
		if (restart)
			pfs_snap_clear(sn);
		return sn;
	}
	if ((sn = kmem_zalloc(sizeof(*sn))) == NULL)
		return NULL;
	sn->sn_dirkey = dirkey;
	TAILQ_INSERT_HEAD(&r->r_snaps, sn, sn_lru);
	if (++r->r_nsnaps > PFS_SNAP_MAXDIRS) {
		TAILQ_FOREACH(last, &r->r_snaps, sn_lru) {
			if (TAILQ_NEXT(last, sn_lru) == NULL)
				break;
		}
		pfs_snap_drop(r, last);
	}
	return sn;
}

/* The index of the first record with a cookie >= cookie. */
static size_t
pfs_snap_index(const struct pfs_snap *sn, uint32_t cookie)
{
	size_t lo = 0, hi = sn->sn_n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (sn->sn_ents[mid].se_cookie < cookie)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int
pfs_snap_add(struct pfs_snap *sn, const struct pfs_snent *se)
{
	struct pfs_snent *nents, *old;
	size_t i, ncap;

	i = pfs_snap_index(sn, se->se_cookie);
	if (i < sn->sn_n && sn->sn_ents[i].se_cookie == se->se_cookie) {
		/* Listed again (a seek back): the newer record wins. */
		old = &sn->sn_ents[i];
		if (old->se_target != NULL)
			kmem_strfree(old->se_target);
		*old = *se;
		return 0;
	}
	if (sn->sn_n == sn->sn_cap) {
		ncap = MAX(sn->sn_cap * 2, (size_t)16);
		if ((nents = kmem_alloc(ncap * sizeof(*nents))) == NULL)
			return ENOMEM;
		if (sn->sn_n > 0)
			memcpy(nents, sn->sn_ents, sn->sn_n * sizeof(*nents));
		if (sn->sn_ents != NULL)
			kmem_free(sn->sn_ents, sn->sn_cap * sizeof(*nents));
		sn->sn_ents = nents;
		sn->sn_cap = ncap;
	}
	memmove(&sn->sn_ents[i + 1], &sn->sn_ents[i],
	    (sn->sn_n - i) * sizeof(*sn->sn_ents));
	sn->sn_ents[i] = *se;
	sn->sn_n++;
	return 0;
}

const struct pfs_snent *
pfs_snap_find(uint64_t dirkey, uint32_t cookie)
{
	struct pfs_reader *r;
	struct pfs_snap *sn;
	size_t i;

	if ((r = pfs_reader_find(curproc, false)) == NULL ||
	    (sn = pfs_snap_lookup(r, dirkey)) == NULL)
		return NULL;
	i = pfs_snap_index(sn, cookie);
	if (i < sn->sn_n && sn->sn_ents[i].se_cookie == cookie)
		return &sn->sn_ents[i];
	return NULL;
}

void
pfs_snap_touch(uint64_t dirkey)
{
	struct pfs_reader *r;

	if ((r = pfs_reader_find(curproc, false)) != NULL)
		(void)pfs_snap_lookup(r, dirkey);
}

/* The reader is gone: so are its listings. */
static void
pfs_snap_exit(struct proc *p)
{
	struct pfs_reader *r;

	vfs_lock();
	if ((r = pfs_reader_find(p, false)) != NULL) {
		while (!TAILQ_EMPTY(&r->r_snaps))
			pfs_snap_drop(r, TAILQ_FIRST(&r->r_snaps));
		LIST_REMOVE(r, r_hash);
		kmem_free(r, sizeof(*r));
	}
	vfs_unlock();
}

static const struct proc_hooks pfs_snap_hooks = {
	.ph_exit = pfs_snap_exit,
};

void
pfs_snap_init(void)
{
	size_t b;

	for (b = 0; b < PFS_SNAP_NBUCKETS; b++)
		LIST_INIT(&pfs_readers[b]);
	proc_hooks_register(&pfs_snap_hooks);
}
