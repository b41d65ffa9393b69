/*
 * kmem.c: the kernel's memory allocator, over rumpuser_malloc.
 *
 * Every allocation is charged to one atomic counter: its size plus
 * KMEM_OVERHEAD, a guess at what the host allocator spends on it, so that
 * RUMP_MEMLIMIT bounds what the host really hands out.  An allocation that
 * would take the counter past the limit first lets the registered
 * reclaimers (vnode cache, ...) free memory, once, then retries; failing
 * that it returns NULL and the caller answers ENOMEM or ENOSPC.
 *
 * Zero-sized requests are served as one-byte allocations: kmem_alloc(0)
 * returns a unique pointer (or NULL like any other failed allocation) and
 * kmem_free(p, 0) releases it.  kmem_free(NULL, n) does nothing.
 *
 * Locking: none.  Reclaimers run without any kmem lock held; one thread
 * at a time runs them (others just retry), which also stops a reclaimer
 * that allocates from recursing into the reclaimers.  A reclaimer runs in
 * whatever context allocated, possibly with the allocator's own locks
 * held: it must take its locks with mutex_tryenter() and skip if busy.
 */
#include "k/kernel.h"
#include "rump/rumpuser.h"

#include "kern_private.h"

#define KMEM_OVERHEAD	16
#define KMEM_MAXRECLAIMERS 16

_Static_assert(KMEM_PAGE_SIZE == RUMPUSER_PAGE_SIZE, "kernel and host pages");

static _Atomic uint64_t kmem_used;
static uint64_t kmem_max;		/* 0: no limit; set once at boot */

static void (*_Atomic kmem_reclaimers[KMEM_MAXRECLAIMERS])(void);
static _Atomic int kmem_nreclaimers;
static atomic_flag kmem_reclaiming = ATOMIC_FLAG_INIT;

void
kmem_setlimit(uint64_t limit)
{
	kmem_max = limit;
}

static size_t
kmem_cost(size_t size)
{
	return size + KMEM_OVERHEAD;
}

/* Charges size to the counter; false if that would pass the limit. */
static bool
kmem_charge(size_t size)
{
	uint64_t cost = kmem_cost(size);
	uint64_t old;

	old = atomic_fetch_add(&kmem_used, cost);
	if (kmem_max == 0 || old + cost <= kmem_max)
		return true;
	atomic_fetch_sub(&kmem_used, cost);
	return false;
}

static void
kmem_uncharge(size_t size)
{
	atomic_fetch_sub(&kmem_used, (uint64_t)kmem_cost(size));
}

static void
kmem_reclaim(void)
{
	int i, n;

	if (atomic_flag_test_and_set(&kmem_reclaiming))
		return;
	n = atomic_load(&kmem_nreclaimers);
	for (i = 0; i < n && i < KMEM_MAXRECLAIMERS; i++) {
		void (*fn)(void) = atomic_load(&kmem_reclaimers[i]);

		if (fn != NULL)
			fn();
	}
	atomic_flag_clear(&kmem_reclaiming);
}

static void *
kmem_host_alloc(size_t size)
{
	void *p;

	if (rumpuser_malloc(size, 0, &p) != 0)
		return NULL;
	return p;
}

void *
kmem_alloc(size_t size)
{
	void *p;

	if (size == 0)
		size = 1;
	if (size > SIZE_MAX / 2)
		return NULL;
	if (!kmem_charge(size)) {
		kmem_reclaim();
		if (!kmem_charge(size))
			return NULL;
	}
	p = kmem_host_alloc(size);
	if (p == NULL)
		kmem_uncharge(size);
	return p;
}

void *
kmem_zalloc(size_t size)
{
	void *p = kmem_alloc(size);

	if (p != NULL)
		memset(p, 0, size);
	return p;
}

void *
kmem_zalloc_nolimit(size_t size)
{
	void *p;

	atomic_fetch_add(&kmem_used, (uint64_t)kmem_cost(size));
	p = kmem_host_alloc(size);
	if (p == NULL) {
		kmem_uncharge(size);
		return NULL;
	}
	memset(p, 0, size);
	return p;
}

void
kmem_free(void *p, size_t size)
{
	if (p == NULL)
		return;
	if (size == 0)
		size = 1;
	rumpuser_free(p, size);
	kmem_uncharge(size);
}

/* A zeroed page for file data, charged like kmem_alloc(KMEM_PAGE_SIZE). */
void *
kmem_page_alloc(void)
{
	void *p;

	if (!kmem_charge(KMEM_PAGE_SIZE)) {
		kmem_reclaim();
		if (!kmem_charge(KMEM_PAGE_SIZE))
			return NULL;
	}
	if (rumpuser_page_alloc(&p) != 0) {
		kmem_uncharge(KMEM_PAGE_SIZE);
		return NULL;
	}
	return p;
}

void
kmem_page_free(void *p)
{
	if (p == NULL)
		return;
	rumpuser_page_free(p);
	kmem_uncharge(KMEM_PAGE_SIZE);
}

/*
 * Charges npages pages of file data that live elsewhere (a memory object,
 * doc/DESIGN.md "Shared mappings") as kmem_page_alloc() would; false if
 * that passes the limit after one reclaim.
 */
bool
kmem_pages_charge(uint64_t npages)
{
	uint64_t cost = npages * kmem_cost(KMEM_PAGE_SIZE);
	uint64_t old;

	for (int tries = 0; tries < 2; tries++) {
		old = atomic_fetch_add(&kmem_used, cost);
		if (kmem_max == 0 || old + cost <= kmem_max)
			return true;
		atomic_fetch_sub(&kmem_used, cost);
		if (tries == 0)
			kmem_reclaim();
	}
	return false;
}

void
kmem_pages_uncharge(uint64_t npages)
{
	atomic_fetch_sub(&kmem_used, npages * kmem_cost(KMEM_PAGE_SIZE));
}

char *
kmem_strdup(const char *s)
{
	size_t len = strlen(s) + 1;
	char *p = kmem_alloc(len);

	if (p != NULL)
		memcpy(p, s, len);
	return p;
}

void
kmem_strfree(char *s)
{
	if (s != NULL)
		kmem_free(s, strlen(s) + 1);
}

uint64_t
kmem_inuse(void)
{
	return atomic_load(&kmem_used);
}

uint64_t
kmem_limit(void)
{
	return kmem_max;
}

bool
kmem_pressure(void)
{
	return kmem_max != 0 && atomic_load(&kmem_used) > kmem_max / 10 * 9;
}

void
kmem_register_reclaimer(void (*fn)(void))
{
	int slot = atomic_fetch_add(&kmem_nreclaimers, 1);

	if (slot >= KMEM_MAXRECLAIMERS) {
		atomic_fetch_sub(&kmem_nreclaimers, 1);
		kprintf("rump: kmem: too many reclaimers, one ignored\n");
		return;
	}
	atomic_store(&kmem_reclaimers[slot], fn);
}
