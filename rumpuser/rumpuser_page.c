/*
 * rumpuser_page.c: whole pages for the kernel's file data.
 *
 * A file system that fills memory asks for thousands of pages.  Taken
 * from malloc one at a time, each costs a host page fault when first
 * touched: several microseconds on a virtual machine, which made
 * unpacking an archive into tmpfs slower than into the host's.  Here
 * pages are carved from chunks that are faulted in with one call each
 * (a transparent huge page where the host allows it), and freed pages are
 * kept on a stack for the next allocation.  Chunks start small, so an
 * idle kernel costs little, and double up to CHUNK_MAX.
 *
 * Freed pages stay resident ("warm"), so the next file takes them at no
 * cost: a file truncated and written again does not fault at all.  When
 * more than KEEP_WARM pages have stayed free for COOL_NS, the next
 * allocation or free gives the excess back to the host ("cold"), oldest
 * first, TRIM_BATCH at a time: sorted, so that contiguous pages make one
 * MADV_DONTNEED call, and kept as runs of addresses, which read as zero.
 * A cold run is faulted in again REFILL pages at a time.  So a kernel
 * that deleted a large file does not keep it resident, and neither
 * freeing nor reusing costs a system call per page.
 *
 * Under AddressSanitizer a page is poisoned while it is free, so a use
 * after free is caught as it would be with malloc.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "rumpuser_int.h"

#if defined(__SANITIZE_ADDRESS__)
#define PAGE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PAGE_ASAN 1
#endif
#endif
#ifdef PAGE_ASAN
#include <sanitizer/asan_interface.h>
#define page_poison(p, n)	ASAN_POISON_MEMORY_REGION((p), (n))
#define page_unpoison(p, n)	ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define page_poison(p, n)	((void)(p), (void)(n))
#define page_unpoison(p, n)	((void)(p), (void)(n))
#endif

#define PAGE		RUMPUSER_PAGE_SIZE
#define CHUNK_MIN	(64u << 10)
#define CHUNK_MAX	(2u << 20)	/* one huge page on x86_64 and aarch64 */
#define KEEP_WARM	8192		/* pages: 32 MiB */
#define COOL_NS		1000000000	/* 1 s */
#define TRIM_BATCH	2048		/* pages: 8 MiB */
#define REFILL		64		/* pages */

struct run {
	char *start;
	size_t n;			/* pages */
	bool resident;			/* trim: the host refused to take it */
};

/*
 * cap counts the pages of every chunk: the free pages, warm or cold,
 * never outnumber it, so freeing never needs memory.
 */
static struct {
	pthread_mutex_t lock;
	char *next, *end;		/* the current chunk's unused part */
	size_t chunk;			/* size of the next chunk */
	void **warm;			/* free, resident, old data: a stack */
	size_t nwarm;
	struct run *cold;		/* free, given back, zero */
	size_t ncold;
	size_t cap;
	uint64_t above_since;		/* ns: nwarm > KEEP_WARM since; or 0 */
	bool trimming;			/* one thread owns batch[] and runs[] */
	void *batch[TRIM_BATCH];
	struct run runs[TRIM_BATCH];
} pool = { .lock = PTHREAD_MUTEX_INITIALIZER, .chunk = CHUNK_MIN };

/* A chunk of size bytes aligned to size (so a huge page can back it). */
static char *
chunk_map(size_t size)
{
	char *p, *a;

	p = mmap(NULL, 2 * size, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	a = (char *)(((uintptr_t)p + size - 1) & ~(uintptr_t)(size - 1));
	if (a > p)
		munmap(p, (size_t)(a - p));
	if (a + size < p + 2 * size)
		munmap(a + size, (size_t)(p + 2 * size - (a + size)));
	if (size >= CHUNK_MAX)
		(void)madvise(a, size, MADV_HUGEPAGE);
	page_poison(a, size);
	return a;
}

/* Faults pages in with one call where the host can (Linux 5.14). */
static void
populate(char *p, size_t len)
{
#ifdef MADV_POPULATE_WRITE
	(void)madvise(p, len, MADV_POPULATE_WRITE);
#else
	(void)p, (void)len;
#endif
}

/* Called with the lock held: a new chunk, and room to free all of it. */
static int
pool_grow(void)
{
	size_t size = pool.chunk, n = size / PAGE;
	struct run *cold;
	void **warm;
	char *c;

	if ((warm = realloc(pool.warm, (pool.cap + n) * sizeof(*warm))) ==
	    NULL)
		return ENOMEM;
	pool.warm = warm;
	if ((cold = realloc(pool.cold, (pool.cap + n) * sizeof(*cold))) ==
	    NULL)
		return ENOMEM;
	pool.cold = cold;
	if ((c = chunk_map(size)) == NULL)
		return ENOMEM;
	populate(c, size);
	pool.cap += n;
	pool.next = c;
	pool.end = c + size;
	if (pool.chunk < CHUNK_MAX)
		pool.chunk *= 2;
	return 0;
}

static int
addr_cmp(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)*(void *const *)a;
	uintptr_t y = (uintptr_t)*(void *const *)b;

	return x < y ? -1 : x > y;
}

/* Gives pool.batch back to the host, as runs[]; without the lock. */
static size_t
trim_batch(void)
{
	size_t nruns = 0;

	qsort(pool.batch, TRIM_BATCH, sizeof(pool.batch[0]), addr_cmp);
	for (size_t i = 0; i < TRIM_BATCH; i++) {
		char *p = pool.batch[i];

		if (nruns > 0 && pool.runs[nruns - 1].start +
		    pool.runs[nruns - 1].n * PAGE == p)
			pool.runs[nruns - 1].n++;
		else
			pool.runs[nruns++] = (struct run){ p, 1, false };
	}
	for (size_t i = 0; i < nruns; i++)
		pool.runs[i].resident = madvise(pool.runs[i].start,
		    pool.runs[i].n * PAGE, MADV_DONTNEED) != 0;
	return nruns;
}

/*
 * Called with the lock held, which it drops and takes again: gives back
 * what stayed free too long, if no other thread is at it.
 */
static void
trim_locked(void)
{
	struct timespec ts;
	uint64_t now;

	if (pool.nwarm < KEEP_WARM + TRIM_BATCH) {
		pool.above_since = 0;
		return;
	}
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	now = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec + 1;
	if (pool.above_since == 0)
		pool.above_since = now;
	if (now - pool.above_since < COOL_NS || pool.trimming)
		return;
	pool.trimming = true;
	for (bool refused = false; !refused &&
	    pool.nwarm >= KEEP_WARM + TRIM_BATCH;) {
		size_t nruns;

		/* The oldest, from the bottom of the stack. */
		memcpy(pool.batch, pool.warm, sizeof(pool.batch));
		pool.nwarm -= TRIM_BATCH;
		memmove(pool.warm, pool.warm + TRIM_BATCH,
		    pool.nwarm * sizeof(pool.warm[0]));
		pthread_mutex_unlock(&pool.lock);
		nruns = trim_batch();
		pthread_mutex_lock(&pool.lock);
		for (size_t i = 0; i < nruns; i++) {
			struct run *r = &pool.runs[i];

			if (!r->resident) {
				pool.cold[pool.ncold++] = *r;
				continue;
			}
			/* The host kept it: warm again, and try later. */
			refused = true;
			for (size_t j = 0; j < r->n; j++)
				pool.warm[pool.nwarm++] = r->start + j * PAGE;
		}
	}
	pool.above_since = 0;
	pool.trimming = false;
}

RUMPUSER_EXPORT int
rumpuser_page_alloc(void **pagep)
{
	int saved = errno, error = 0;
	size_t refill = 0;
	bool dirty = false;
	char *pg = NULL;

	pthread_mutex_lock(&pool.lock);
	if (pool.nwarm > 0) {
		pg = pool.warm[--pool.nwarm];
		dirty = true;
	} else if (pool.ncold > 0) {
		struct run *r = &pool.cold[pool.ncold - 1];

		refill = r->n < REFILL ? r->n : REFILL;
		pg = r->start;
		r->start += refill * PAGE;
		if ((r->n -= refill) == 0)
			pool.ncold--;
	} else if (pool.next < pool.end || (error = pool_grow()) == 0) {
		pg = pool.next;
		pool.next += PAGE;
	}
	trim_locked();
	pthread_mutex_unlock(&pool.lock);
	errno = saved;
	if (pg == NULL)
		return error;
	if (refill > 0) {
		/* Zero, as given back; the rest of the run becomes warm. */
		populate(pg, refill * PAGE);
		pthread_mutex_lock(&pool.lock);
		for (size_t i = 1; i < refill; i++)
			pool.warm[pool.nwarm++] = pg + i * PAGE;
		pthread_mutex_unlock(&pool.lock);
		errno = saved;
	}
	page_unpoison(pg, PAGE);
	if (dirty)
		memset(pg, 0, PAGE);
	*pagep = pg;
	return 0;
}

RUMPUSER_EXPORT void
rumpuser_page_free(void *page)
{
	int saved = errno;

	if (page == NULL)
		return;
	page_poison(page, PAGE);
	pthread_mutex_lock(&pool.lock);
	pool.warm[pool.nwarm++] = page;
	trim_locked();
	pthread_mutex_unlock(&pool.lock);
	errno = saved;
}
