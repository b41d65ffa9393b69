/*
 * uipc_mbuf.c: packet buffers (the contract is k/mbuf.h).
 *
 * An mbuf is MSIZE bytes from kmem; external storage is a struct m_ext
 * header and its buffer in one kmem allocation, shared by reference count
 * (ext_ref) between the mbufs m_copym() made.  Both are charged to kmem,
 * so RUMP_MEMLIMIT bounds them, and the allocators never sleep: NULL at
 * the limit, counted in mbstat.m_drops.
 *
 * Free cache: freed mbufs and clusters of the two common sizes (MCLBYTES
 * and MAXCLBYTES) go on small lists, up to a cap, instead of back to the
 * host: a loopback transfer allocates and frees the same few buffers at a
 * high rate.  Cached memory stays charged to kmem; the cache is given
 * back under memory pressure (a kmem reclaimer) so that it never causes
 * an ENOMEM elsewhere.  mbstat counts live objects, not cached ones.
 *
 * Locking: mbuf_cache_lock covers the free lists only; the reclaimer
 * takes it with mutex_tryenter (kmem's rule).  An mbuf chain itself is
 * never locked here: its owner (k/mbuf.h's ownership rule) serializes.
 */
#include "k/kernel.h"
#include "k/mbuf.h"

#include "net_private.h"

_Static_assert(MLEN > MAX_HDR_ROOM, "an mbuf holds the header room");

#define MBUF_CACHE_MAX	256		/* mbufs kept free */
#define CLUS_CACHE_MAX	64		/* clusters of each cached size */

/* A free object on a cache list reuses its first bytes as the link. */
struct mfree {
	struct mfree *next;
};

static kmutex_t mbuf_cache_lock;
static struct mfree *mbuf_free, *clus_free, *bigclus_free;
static int mbuf_nfree, clus_nfree, bigclus_nfree;

static _Atomic uint64_t mb_mbufs, mb_clusters, mb_bytes, mb_drops;

static size_t
ext_alloc_size(size_t bufsize)
{
	return sizeof(struct m_ext) + bufsize;
}

static void
mbuf_reclaim(void)
{
	struct mfree *m, *c, *b;

	if (!mutex_tryenter(&mbuf_cache_lock))
		return;
	m = mbuf_free;
	c = clus_free;
	b = bigclus_free;
	mbuf_free = clus_free = bigclus_free = NULL;
	mbuf_nfree = clus_nfree = bigclus_nfree = 0;
	mutex_exit(&mbuf_cache_lock);
	while (m != NULL) {
		struct mfree *n = m->next;

		kmem_free(m, MSIZE);
		m = n;
	}
	while (c != NULL) {
		struct mfree *n = c->next;

		kmem_free(c, ext_alloc_size(MCLBYTES));
		c = n;
	}
	while (b != NULL) {
		struct mfree *n = b->next;

		kmem_free(b, ext_alloc_size(MAXCLBYTES + MAX_HDR_ROOM));
		b = n;
	}
}

void
mbuf_init(void)
{
	mutex_init(&mbuf_cache_lock);
	kmem_register_reclaimer(mbuf_reclaim);
}

void
mbuf_drain(void)
{
	mutex_enter(&mbuf_cache_lock);
	mutex_exit(&mbuf_cache_lock);
	mbuf_reclaim();
}

/* Pops from a cache list, or allocates size bytes from kmem. */
static void *
cache_get(struct mfree **list, int *nfree, size_t size)
{
	struct mfree *p = NULL;

	mutex_enter(&mbuf_cache_lock);
	if ((p = *list) != NULL) {
		*list = p->next;
		(*nfree)--;
	}
	mutex_exit(&mbuf_cache_lock);
	if (p == NULL)
		p = kmem_alloc(size);
	return p;
}

static void
cache_put(struct mfree **list, int *nfree, int max, void *obj, size_t size)
{
	struct mfree *p = obj;

	if (!kmem_pressure()) {
		mutex_enter(&mbuf_cache_lock);
		if (*nfree < max) {
			p->next = *list;
			*list = p;
			(*nfree)++;
			mutex_exit(&mbuf_cache_lock);
			return;
		}
		mutex_exit(&mbuf_cache_lock);
	}
	kmem_free(obj, size);
}

static struct mbuf *
mbuf_alloc(int type, int flags)
{
	struct mbuf *m;

	m = cache_get(&mbuf_free, &mbuf_nfree, MSIZE);
	if (m == NULL) {
		atomic_fetch_add(&mb_drops, 1);
		return NULL;
	}
	atomic_fetch_add(&mb_mbufs, 1);
	atomic_fetch_add(&mb_bytes, MSIZE);
	m->m_next = NULL;
	m->m_nextpkt = NULL;
	m->m_data = m->m_dat;
	m->m_len = 0;
	m->m_type = (uint16_t)type;
	m->m_flags = (uint16_t)flags;
	m->m_ext = NULL;
	memset(&m->m_pkthdr, 0, sizeof(m->m_pkthdr));
	return m;
}

/* External storage of at least size bytes, ext_ref 1; NULL at the limit. */
static struct m_ext *
ext_alloc(size_t size)
{
	struct m_ext *e;
	size_t bufsize;

	if (size <= MCLBYTES) {
		bufsize = MCLBYTES;
		e = cache_get(&clus_free, &clus_nfree,
		    ext_alloc_size(bufsize));
	} else if (size <= MAXCLBYTES + MAX_HDR_ROOM) {
		/* Odd sizes in between are rounded to 4 KiB, not cached. */
		if (size > MAXCLBYTES + MAX_HDR_ROOM - 4096) {
			bufsize = MAXCLBYTES + MAX_HDR_ROOM;
			e = cache_get(&bigclus_free, &bigclus_nfree,
			    ext_alloc_size(bufsize));
		} else {
			bufsize = roundup(size, 4096);
			e = kmem_alloc(ext_alloc_size(bufsize));
		}
	} else {
		return NULL;
	}
	if (e == NULL) {
		atomic_fetch_add(&mb_drops, 1);
		return NULL;
	}
	atomic_init(&e->ext_ref, 1);
	e->ext_size = (uint32_t)bufsize;
	atomic_fetch_add(&mb_clusters, 1);
	atomic_fetch_add(&mb_bytes, bufsize);
	return e;
}

static void
ext_rele(struct m_ext *e)
{
	size_t bufsize = e->ext_size;

	if (atomic_fetch_sub_explicit(&e->ext_ref, 1,
	    memory_order_acq_rel) != 1)
		return;
	atomic_fetch_sub(&mb_clusters, 1);
	atomic_fetch_sub(&mb_bytes, bufsize);
	if (bufsize == MCLBYTES)
		cache_put(&clus_free, &clus_nfree, CLUS_CACHE_MAX, e,
		    ext_alloc_size(bufsize));
	else if (bufsize == MAXCLBYTES + MAX_HDR_ROOM)
		cache_put(&bigclus_free, &bigclus_nfree, CLUS_CACHE_MAX, e,
		    ext_alloc_size(bufsize));
	else
		kmem_free(e, ext_alloc_size(bufsize));
}

uint8_t *
m_buf(const struct mbuf *m)
{
	return (m->m_flags & M_EXT) ? m->m_ext->ext_buf :
	    (uint8_t *)(uintptr_t)m->m_dat;
}

size_t
m_bufsize(const struct mbuf *m)
{
	return (m->m_flags & M_EXT) ? m->m_ext->ext_size : MLEN;
}

struct mbuf *
m_get(int type)
{
	return mbuf_alloc(type, 0);
}

struct mbuf *
m_gethdr(int type)
{
	struct mbuf *m = mbuf_alloc(type, M_PKTHDR);

	if (m != NULL)
		m->m_data += MAX_HDR_ROOM;
	return m;
}

struct mbuf *
m_getcl(int type, int flags, size_t size)
{
	size_t room = (flags & M_PKTHDR) ? MAX_HDR_ROOM : 0;
	struct mbuf *m;
	struct m_ext *e;

	if (size > MAXCLBYTES)
		return NULL;
	if ((m = mbuf_alloc(type, flags & M_PKTHDR)) == NULL)
		return NULL;
	if ((e = ext_alloc(size + room)) == NULL) {
		m_free(m);
		return NULL;
	}
	m->m_ext = e;
	m->m_flags |= M_EXT;
	m->m_data = e->ext_buf + room;
	return m;
}

struct mbuf *
m_free(struct mbuf *m)
{
	struct mbuf *n = m->m_next;

	if (m->m_flags & M_EXT)
		ext_rele(m->m_ext);
	atomic_fetch_sub(&mb_mbufs, 1);
	atomic_fetch_sub(&mb_bytes, MSIZE);
	cache_put(&mbuf_free, &mbuf_nfree, MBUF_CACHE_MAX, m, MSIZE);
	return n;
}

void
m_freem(struct mbuf *m)
{
	while (m != NULL)
		m = m_free(m);
}

void
m_freem_list(struct mbuf *m)
{
	while (m != NULL) {
		struct mbuf *n = m->m_nextpkt;

		m->m_nextpkt = NULL;
		m_freem(m);
		m = n;
	}
}

size_t
m_length(const struct mbuf *m)
{
	size_t len = 0;

	for (; m != NULL; m = m->m_next)
		len += m->m_len;
	return len;
}

/* Copies m's packet header to n (which becomes a packet head). */
static void
m_copy_pkthdr(struct mbuf *n, const struct mbuf *m)
{
	n->m_pkthdr = m->m_pkthdr;
	n->m_flags = (uint16_t)((n->m_flags & M_EXT) |
	    (m->m_flags & ~(M_EXT)) | M_PKTHDR);
}

struct mbuf *
m_copym(struct mbuf *m, size_t off, size_t len)
{
	struct mbuf *top = NULL, **np = &top, *n;
	bool hdr = off == 0 && (m->m_flags & M_PKTHDR);
	size_t copied = 0;

	while (m != NULL && off >= m->m_len) {
		off -= m->m_len;
		m = m->m_next;
	}
	for (; m != NULL && (len == M_COPYALL || copied < len);
	    m = m->m_next, off = 0) {
		size_t n_len = m->m_len - off;

		if (len != M_COPYALL && n_len > len - copied)
			n_len = len - copied;
		if (n_len == 0 && !(hdr && top == NULL))
			continue;
		if ((n = mbuf_alloc(m->m_type, 0)) == NULL)
			goto fail;
		if (hdr && top == NULL)
			m_copy_pkthdr(n, m);
		if (m->m_flags & M_EXT) {
			atomic_fetch_add(&m->m_ext->ext_ref, 1);
			n->m_ext = m->m_ext;
			n->m_flags |= M_EXT;
			n->m_data = m->m_data + off;
		} else {
			memcpy(n->m_dat, m->m_data + off, n_len);
		}
		n->m_flags |= (uint16_t)(m->m_flags & M_EOR);
		n->m_len = (uint32_t)n_len;
		copied += n_len;
		*np = n;
		np = &n->m_next;
	}
	if (len != M_COPYALL && copied < len)
		goto fail;
	if (top != NULL && (top->m_flags & M_PKTHDR))
		top->m_pkthdr.len = (uint32_t)copied;
	if (top == NULL && len != M_COPYALL && len != 0)
		return NULL;
	if (top == NULL)	/* an empty range: one empty mbuf */
		top = mbuf_alloc(MT_DATA, 0);
	return top;
fail:
	m_freem(top);
	return NULL;
}

struct mbuf *
m_dup(struct mbuf *m)
{
	size_t len = m_length(m), off = 0;
	struct mbuf *top = NULL, **np = &top, *n;

	do {
		size_t chunk = len - off;
		bool first = top == NULL;

		if (chunk > MAXCLBYTES)
			chunk = MAXCLBYTES;
		if (first && chunk + MAX_HDR_ROOM <= MLEN &&
		    (m->m_flags & M_PKTHDR))
			n = m_gethdr(m->m_type);
		else if (!first && chunk <= MLEN)
			n = m_get(m->m_type);
		else
			n = m_getcl(m->m_type, first ? (m->m_flags & M_PKTHDR)
			    : 0, chunk);
		if (n == NULL) {
			m_freem(top);
			return NULL;
		}
		if (first && (m->m_flags & M_PKTHDR))
			m_copy_pkthdr(n, m);
		m_copydata(m, off, chunk, n->m_data);
		n->m_len = (uint32_t)chunk;
		off += chunk;
		*np = n;
		np = &n->m_next;
	} while (off < len);
	if (top->m_flags & M_PKTHDR)
		top->m_pkthdr.len = (uint32_t)len;
	return top;
}

void
m_copydata(const struct mbuf *m, size_t off, size_t len, void *buf)
{
	uint8_t *p = buf;

	if (len == 0)
		return;
	while (off >= m->m_len) {
		off -= m->m_len;
		m = m->m_next;
		KASSERT(m != NULL);
	}
	while (len > 0) {
		size_t n;

		KASSERT(m != NULL);
		n = MIN(m->m_len - off, len);
		memcpy(p, m->m_data + off, n);
		p += n;
		len -= n;
		off = 0;
		m = m->m_next;
	}
}

/* A new mbuf (or cluster) able to hold up to want bytes, for appending. */
static struct mbuf *
m_getfor(int type, size_t want)
{
	if (want <= MLEN)
		return m_get(type);
	return m_getcl(type, 0, MIN(want, (size_t)MAXCLBYTES));
}

/*
 * Appends len bytes of buf (zeros if buf is NULL) to the chain.  Every
 * mbuf needed is allocated first, so ENOBUFS leaves m0 as it was.
 */
static int
m_extend(struct mbuf *m0, size_t len, const void *buf)
{
	const uint8_t *p = buf;
	struct mbuf *tail, *added = NULL, **np = &added, *n;
	size_t room, c, left;

	for (tail = m0; tail->m_next != NULL; tail = tail->m_next)
		;
	room = M_TRAILINGSPACE(tail);
	left = len > room ? len - room : 0;
	while (left > 0) {
		if ((n = m_getfor(m0->m_type, left)) == NULL) {
			m_freem(added);
			return ENOBUFS;
		}
		left -= MIN(left, M_TRAILINGSPACE(n));
		*np = n;
		np = &n->m_next;
	}
	tail->m_next = added;
	left = len;
	for (n = tail; n != NULL && left > 0; n = n->m_next) {
		c = MIN(left, M_TRAILINGSPACE(n));
		if (p != NULL) {
			memcpy(n->m_data + n->m_len, p, c);
			p += c;
		} else {
			memset(n->m_data + n->m_len, 0, c);
		}
		n->m_len += (uint32_t)c;
		left -= c;
	}
	if (m0->m_flags & M_PKTHDR)
		m0->m_pkthdr.len += (uint32_t)len;
	return 0;
}

int
m_copyback(struct mbuf *m0, size_t off, size_t len, const void *buf)
{
	const uint8_t *p = buf;
	size_t have = m_length(m0);
	struct mbuf *m;
	int error;

	if (off + len < off)
		return EINVAL;
	if (off + len > have &&
	    (error = m_extend(m0, off + len - have, NULL)) != 0)
		return error;
	for (m = m0; len > 0; m = m->m_next) {
		size_t c;

		KASSERT(m != NULL);
		if (off >= m->m_len) {
			off -= m->m_len;
			continue;
		}
		c = MIN(m->m_len - off, len);
		if (!M_WRITABLE(m))
			return EINVAL;	/* shared storage is read-only */
		memcpy(m->m_data + off, p, c);
		p += c;
		len -= c;
		off = 0;
	}
	return 0;
}

int
m_append(struct mbuf *m0, size_t len, const void *buf)
{
	return m_extend(m0, len, buf);
}

void
m_adj(struct mbuf *mp, ssize_t req)
{
	struct mbuf *m;
	size_t len, total;

	if (mp == NULL)
		return;
	if (req >= 0) {
		len = (size_t)req;
		for (m = mp; m != NULL && len > 0; m = m->m_next) {
			size_t c = MIN((size_t)m->m_len, len);

			m->m_data += c;
			m->m_len -= (uint32_t)c;
			len -= c;
		}
		if (mp->m_flags & M_PKTHDR)
			mp->m_pkthdr.len -= (uint32_t)((size_t)req - len);
		return;
	}
	len = (size_t)-req;
	total = m_length(mp);
	if (len > total)
		len = total;
	total -= len;	/* bytes to keep */
	for (m = mp; m != NULL; m = m->m_next) {
		if (m->m_len >= total) {
			m->m_len = (uint32_t)total;
			total = 0;
			for (m = m->m_next; m != NULL; m = m->m_next)
				m->m_len = 0;
			break;
		}
		total -= m->m_len;
	}
	if (mp->m_flags & M_PKTHDR)
		mp->m_pkthdr.len -= (uint32_t)len;
}

struct mbuf *
m_prepend(struct mbuf *m, size_t len)
{
	struct mbuf *n;

	if (len > MLEN) {
		m_freem(m);
		return NULL;
	}
	if ((n = mbuf_alloc(m->m_type, 0)) == NULL) {
		m_freem(m);
		return NULL;
	}
	if (m->m_flags & M_PKTHDR) {
		m_copy_pkthdr(n, m);
		m->m_flags &= (uint16_t)~M_PKTHDR;
	}
	/* Leave what room is left before it for further headers. */
	n->m_data = n->m_dat + MLEN - len;
	n->m_len = (uint32_t)len;
	n->m_next = m;
	if (n->m_flags & M_PKTHDR)
		n->m_pkthdr.len += (uint32_t)len;
	return n;
}

struct mbuf *
m_pullup(struct mbuf *m, size_t len)
{
	struct mbuf *n, *rest;
	size_t total;

	if (m->m_len >= len && M_WRITABLE(m))
		return m;
	total = m_length(m);
	if (len > total || len > MAXCLBYTES) {
		m_freem(m);
		return NULL;
	}
	/* A fresh writable head holding the first len bytes. */
	if ((m->m_flags & M_PKTHDR) && len + MAX_HDR_ROOM <= MLEN)
		n = m_gethdr(m->m_type);
	else if (!(m->m_flags & M_PKTHDR) && len <= MLEN)
		n = m_get(m->m_type);
	else
		n = m_getcl(m->m_type, m->m_flags & M_PKTHDR, len);
	if (n == NULL) {
		m_freem(m);
		return NULL;
	}
	if (m->m_flags & M_PKTHDR) {
		m_copy_pkthdr(n, m);
		m->m_flags &= (uint16_t)~M_PKTHDR;
	}
	m_copydata(m, 0, len, n->m_data);
	n->m_len = (uint32_t)len;
	m_adj(m, (ssize_t)len);
	/* Drop the emptied mbufs at the front. */
	rest = m;
	while (rest != NULL && rest->m_len == 0)
		rest = m_free(rest);
	n->m_next = rest;
	return n;
}

void
m_cat(struct mbuf *m, struct mbuf *n)
{
	struct mbuf *t;
	size_t len = m_length(n);

	for (t = m; t->m_next != NULL; t = t->m_next)
		;
	if (n != NULL && (n->m_flags & M_PKTHDR))
		n->m_flags &= (uint16_t)~M_PKTHDR;
	t->m_next = n;
	if (m->m_flags & M_PKTHDR)
		m->m_pkthdr.len += (uint32_t)len;
}

struct mbuf *
m_split(struct mbuf *m0, size_t len0)
{
	struct mbuf *m, *n;
	size_t len = len0, remain;

	for (m = m0; m != NULL && len > m->m_len; m = m->m_next)
		len -= m->m_len;
	if (m == NULL)
		return NULL;
	remain = m->m_len - len;
	if (remain == 0 && m->m_next == NULL)
		return NULL;	/* len >= length */
	if (m0->m_flags & M_PKTHDR) {
		if ((n = m_gethdr(m0->m_type)) == NULL)
			return NULL;
		n->m_pkthdr = m0->m_pkthdr;
		n->m_pkthdr.len = m0->m_pkthdr.len - (uint32_t)len0;
		m0->m_pkthdr.len = (uint32_t)len0;
	} else if (remain > 0) {
		if ((n = m_get(m->m_type)) == NULL)
			return NULL;
	} else {
		n = m->m_next;
		m->m_next = NULL;
		return n;
	}
	if (remain == 0) {
		n->m_next = m->m_next;
		m->m_next = NULL;
		n->m_len = 0;
		return n;
	}
	if (m->m_flags & M_EXT) {
		atomic_fetch_add(&m->m_ext->ext_ref, 1);
		n->m_ext = m->m_ext;
		n->m_flags |= M_EXT;
		n->m_data = m->m_data + len;
	} else {
		if (remain > M_TRAILINGSPACE(n) + n->m_len) {
			/* n's inline room after the header room is short. */
			n->m_data = n->m_dat;
		}
		memcpy(n->m_data, m->m_data + len, remain);
	}
	n->m_len = (uint32_t)remain;
	m->m_len = (uint32_t)len;
	n->m_next = m->m_next;
	m->m_next = NULL;
	return n;
}

int
m_uiomove(struct uio *uio, size_t len, size_t hdrroom, struct mbuf **mp)
{
	struct mbuf *top = NULL, **np = &top, *m;
	size_t left = len;
	int error;

	*mp = NULL;
	if (hdrroom > MAX_HDR_ROOM * 4)
		return EINVAL;
	do {
		bool first = top == NULL;
		size_t room = first ? hdrroom : 0;
		size_t chunk;

		if (left + room <= MLEN) {
			m = mbuf_alloc(MT_DATA, first ? M_PKTHDR : 0);
		} else {
			size_t want = MIN(left + room, (size_t)MAXCLBYTES);

			m = m_getcl(MT_DATA, 0, want);
			if (m != NULL && first) {
				m->m_flags |= M_PKTHDR;
				memset(&m->m_pkthdr, 0, sizeof(m->m_pkthdr));
			}
		}
		if (m == NULL) {
			m_freem(top);
			return ENOBUFS;
		}
		m->m_data = m_buf(m) + room;
		chunk = MIN(left, m_bufsize(m) - room);
		if (chunk > 0 && (error = uiomove(m->m_data, chunk, uio)) != 0) {
			m_freem(m);
			m_freem(top);
			return error;
		}
		m->m_len = (uint32_t)chunk;
		left -= chunk;
		*np = m;
		np = &m->m_next;
	} while (left > 0);
	top->m_pkthdr.len = (uint32_t)len;
	*mp = top;
	return 0;
}

void
mbstat_get(struct mbstat *st)
{
	st->m_mbufs = atomic_load(&mb_mbufs);
	st->m_clusters = atomic_load(&mb_clusters);
	st->m_bytes = atomic_load(&mb_bytes);
	st->m_drops = atomic_load(&mb_drops);
}
