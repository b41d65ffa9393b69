/*
 * if_shmif.c: shmif, a virtual Ethernet bus in a host file that any
 * number of rump kernels, in any processes, attach to (component
 * "shmif"; the bus format and its locking are in net/if_shmif.h).
 *
 * Creating: "ip link add shmif0 type shmif" (if_kind_register) makes an
 * Ethernet interface with a random locally administered address and no
 * bus; writing a host path to the sysctl net.shmif.shmif0.bus
 * (/proc/sys/net/shmif/shmif0/bus) attaches it to that bus file, created
 * if missing, and starts its receive thread.  Until then it has no
 * carrier: frames sent are dropped (ENETDOWN).  An empty value detaches.
 *
 * Receive: one kernel thread per attached interface copies the new
 * records out of the ring under the bus lock, drops the lock, and hands
 * the frames to ether_input(); a large frame goes straight into one of a
 * few big clusters allocated beforehand (so one copy, and no allocation
 * under the bus lock), small ones into a batch buffer of its own.  With
 * nothing to read it sleeps on its slot's futex word, or the bus's when
 * no slot was free (rumpuser_futex_wait, without its virtual CPU).
 * Transmit copies the frame into the ring under the lock and wakes the
 * other readers.  TCP checksums are left undone between kernels
 * (SHMIF_FR_CSUM_TCP, net/if_shmif.h).  sc_lock (a reader/writer lock)
 * keeps the bus mapping alive while a sender uses it; attaching and
 * detaching take it for writing, after the receive thread is joined.
 */
#include "k/kernel.h"
#include "k/component.h"
#include "k/socket.h"
#include "k/sysctl.h"
#include "net/if.h"
#include "net/if_cfg.h"
#include "net/if_ether.h"
#include "net/if_shmif.h"

#include <rump/rumpuser.h>

#define SHMIF_BUSLEN	1024		/* sysctl value: a host path */
#define SHMIF_BATCH	(256u << 10)	/* bytes copied out per lock hold */
#define SHMIF_SMALL	2048u		/* a frame this long goes in the batch */
#define SHMIF_POOL	8		/* big clusters ready per lock hold */
#define SHMIF_RXMAX	64		/* frames per lock hold */
#define SHMIF_WAIT_NS	(1000LL * 1000 * 1000)

struct shmif_sc {
	struct ifnet sc_if;
	krwlock_t sc_lock;		/* sc_bus, sc_map against use */
	struct shmif_bus *sc_bus;	/* NULL: no bus */
	struct rumpuser_shmap *sc_map;
	uint64_t sc_size;		/* bytes mapped */
	uint64_t sc_id;			/* fr_sender of our frames */
	void *sc_thread;		/* the receive thread (joinable) */
	int sc_slot;			/* its wake slot on the bus, or -1 */
	atomic_bool sc_stop;
	uint8_t *sc_batch;		/* SHMIF_BATCH bytes, the receiver's */
	struct mbuf *sc_pool[SHMIF_POOL]; /* the receiver's big clusters */
	kmutex_t sc_cfglock;		/* serializes attach/detach */
	struct sysctl_node sc_node;
	char sc_nodename[48];
	char sc_path[SHMIF_BUSLEN];	/* the sysctl's value */
	struct shmif_sc *sc_next;
};

_Static_assert(sizeof(struct shmif_bus) <= SHMIF_HDRSIZE,
    "the bus header fits its page");

static kmutex_t shmif_list_lock;
static struct shmif_sc *shmif_list;

/* --- the bus lock ---------------------------------------------------- */

static uint32_t
cas32(uint32_t *p, uint32_t old, uint32_t new)
{
	__atomic_compare_exchange_n(p, &old, new, false, __ATOMIC_ACQUIRE,
	    __ATOMIC_RELAXED);
	return old;
}

static inline void
cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}

/* Drepper's futex mutex, process-shared; a holder silent for a second
 * is taken to be dead and overruled. */
static void
bus_lock(struct shmif_bus *b)
{
	uint32_t c;
	int waits = 0;

	for (int spin = 0; spin < 100; spin++) {
		if ((c = cas32(&b->sb_lock, 0, 1)) == 0)
			return;
		cpu_relax();
	}
	if (c != 2)
		c = __atomic_exchange_n(&b->sb_lock, 2, __ATOMIC_ACQUIRE);
	while (c != 0) {
		if (rumpuser_futex_wait(&b->sb_lock, 2, 10 * 1000 * 1000) ==
		    ETIMEDOUT && ++waits == 100) {
			kprintf("shmif: the bus lock was held for a second: "
			    "its holder is taken to be dead\n");
			__atomic_store_n(&b->sb_lock, 2, __ATOMIC_RELEASE);
			return;
		}
		c = __atomic_exchange_n(&b->sb_lock, 2, __ATOMIC_ACQUIRE);
	}
}

static void
bus_unlock(struct shmif_bus *b)
{
	if (__atomic_exchange_n(&b->sb_lock, 0, __ATOMIC_RELEASE) == 2)
		rumpuser_futex_wake(&b->sb_lock, 1);
}

/* --- the ring (bus lock held) ---------------------------------------- */

static inline uint64_t
ld64(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static inline uint32_t
ld32(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static inline uint8_t *
ring(struct shmif_bus *b)
{
	return (uint8_t *)b + SHMIF_HDRSIZE;
}

/* Copies len bytes out of the ring at position pos, wrapping. */
static void
ring_read(struct shmif_bus *b, uint32_t rsize, uint64_t pos, void *buf,
    size_t len)
{
	size_t off = (size_t)(pos % rsize), n = MIN(len, rsize - off);

	memcpy(buf, ring(b) + off, n);
	if (n < len)
		memcpy((uint8_t *)buf + n, ring(b), len - n);
}

static void
ring_write(struct shmif_bus *b, uint32_t rsize, uint64_t pos,
    const void *buf, size_t len)
{
	size_t off = (size_t)(pos % rsize), n = MIN(len, rsize - off);

	memcpy(ring(b) + off, buf, n);
	if (n < len)
		memcpy(ring(b), (const uint8_t *)buf + n, len - n);
}

static void
ring_write_mbuf(struct shmif_bus *b, uint32_t rsize, uint64_t pos,
    struct mbuf *m, size_t len)
{
	size_t off = (size_t)(pos % rsize), n = MIN(len, rsize - off);

	m_copydata(m, 0, n, ring(b) + off);
	if (n < len)
		m_copydata(m, n, len - n, ring(b));
}

/* A record header that can be believed, given the positions. */
static bool
frame_ok(const struct shmif_frame *fr, uint64_t pos, uint64_t tail)
{
	return fr->fr_len != 0 && fr->fr_len <= SHMIF_MAXFRAME &&
	    fr->fr_check == ~fr->fr_len &&
	    SHMIF_RECSIZE(fr->fr_len) <= tail - pos;
}

/* A ring size that fits a mapping of size bytes (any other process may
 * rewrite it at any time: checked at each lock hold, not only at attach). */
static bool
ring_fits(uint32_t rsize, uint64_t size)
{
	return rsize >= SHMIF_RINGMIN && rsize % 8 == 0 &&
	    size >= SHMIF_HDRSIZE && (uint64_t)rsize <= size - SHMIF_HDRSIZE;
}

/*
 * The ring's positions, checked: false (and *ringp untouched) when the
 * header is not a bus of ours any more (magic, version or a geometry
 * that does not fit the size bytes mapped); a head/tail out of order is
 * reset to an empty ring.
 */
static bool
bus_positions(struct shmif_bus *b, uint64_t size, uint32_t *rsizep,
    uint64_t *headp, uint64_t *tailp)
{
	uint32_t rsize = ld32(&b->sb_ringsize);
	uint64_t head = ld64(&b->sb_head), tail = ld64(&b->sb_tail);

	if (ld32(&b->sb_magic) != SHMIF_MAGIC ||
	    ld32(&b->sb_version) != SHMIF_VERSION ||
	    ld32(&b->sb_hdrsize) != SHMIF_HDRSIZE || !ring_fits(rsize, size))
		return false;
	if (head > tail || tail - head > rsize || (head | tail) % 8 != 0) {
		tail &= ~7ull;
		__atomic_store_n(&b->sb_head, tail, __ATOMIC_RELAXED);
		__atomic_store_n(&b->sb_tail, tail, __ATOMIC_RELAXED);
		head = tail;
	}
	*rsizep = rsize;
	*headp = head;
	*tailp = tail;
	return true;
}

/* --- wake-ups (if_shmif.h, "Locking") ------------------------------- */

/* After a frame: every reader asleep but the sender's own.  A slot's
 * waiting flag is taken by the waker, so a dead reader's slot costs one
 * wake-up, not one per frame. */
static void
bus_wake(struct shmif_bus *b, uint64_t self)
{
	__atomic_fetch_add(&b->sb_wake, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&b->sb_waiters, __ATOMIC_SEQ_CST) != 0)
		rumpuser_futex_wake(&b->sb_wake, INT32_MAX);
	for (int i = 0; i < SHMIF_SLOTS; i++) {
		struct shmif_slot *s = &b->sb_slot[i];

		if (__atomic_load_n(&s->ss_waiting, __ATOMIC_SEQ_CST) == 0 ||
		    ld64(&s->ss_id) == self ||
		    __atomic_exchange_n(&s->ss_waiting, 0, __ATOMIC_SEQ_CST) == 0)
			continue;
		__atomic_fetch_add(&s->ss_wake, 1, __ATOMIC_SEQ_CST);
		rumpuser_futex_wake(&s->ss_wake, 1);
	}
}

/* A free slot for reader id (bus lock held), or -1. */
static int
slot_take(struct shmif_bus *b, uint64_t id)
{
	for (int i = 0; i < SHMIF_SLOTS; i++)
		if (ld64(&b->sb_slot[i].ss_id) == 0) {
			__atomic_store_n(&b->sb_slot[i].ss_waiting, 0,
			    __ATOMIC_RELAXED);
			__atomic_store_n(&b->sb_slot[i].ss_id, id,
			    __ATOMIC_RELAXED);
			return i;
		}
	return -1;
}

/* Wakes sc's receive thread wherever it sleeps (detaching). */
static void
shmif_wake_self(struct shmif_sc *sc)
{
	struct shmif_bus *b = sc->sc_bus;
	int slot = __atomic_load_n(&sc->sc_slot, __ATOMIC_ACQUIRE);

	rumpuser_futex_wake(&b->sb_wake, INT32_MAX);
	if (slot >= 0) {
		__atomic_fetch_add(&b->sb_slot[slot].ss_wake, 1,
		    __ATOMIC_SEQ_CST);
		rumpuser_futex_wake(&b->sb_slot[slot].ss_wake, INT32_MAX);
	}
}

/* --- transmit --------------------------------------------------------- */

static int
shmif_xmit(struct ifnet *ifp, struct mbuf *m)
{
	struct shmif_sc *sc = ifp->if_softc;
	struct shmif_frame fr;
	struct shmif_bus *b;
	uint64_t head, tail, rec;
	uint32_t rsize, len = m->m_pkthdr.len;
	int error = 0;

	rw_enter(&sc->sc_lock, false);
	if ((b = sc->sc_bus) == NULL) {
		error = ENETDOWN;
		goto out;
	}
	if (len == 0 || len > SHMIF_MAXFRAME) {
		error = EMSGSIZE;
		goto out;
	}
	rec = SHMIF_RECSIZE(len);
	bus_lock(b);
	if (!bus_positions(b, sc->sc_size, &rsize, &head, &tail) ||
	    rec > rsize / 2) {
		bus_unlock(b);
		error = EIO;
		goto out;
	}
	/* Room: the oldest records go (a slow reader will notice). */
	while (tail + rec - head > rsize) {
		ring_read(b, rsize, head, &fr, sizeof(fr));
		if (!frame_ok(&fr, head, tail)) {
			head = tail;
			break;
		}
		head += SHMIF_RECSIZE(fr.fr_len);
	}
	fr.fr_len = len;
	fr.fr_check = ~len;
	fr.fr_sender = sc->sc_id;
	fr.fr_segsz = m->m_pkthdr.segsz;
	/* in_ifoutput left it to us (if_csumtx): to the receiver. */
	fr.fr_flags = (m->m_pkthdr.csum_flags & M_CSUM_TCP) ?
	    SHMIF_FR_CSUM_TCP : 0;
	ring_write(b, rsize, tail, &fr, sizeof(fr));
	ring_write_mbuf(b, rsize, tail + sizeof(fr), m, len);
	__atomic_store_n(&b->sb_head, head, __ATOMIC_RELAXED);
	__atomic_store_n(&b->sb_tail, tail + rec, __ATOMIC_RELAXED);
	__atomic_store_n(&b->sb_frames, ld64(&b->sb_frames) + 1,
	    __ATOMIC_RELAXED);
	bus_unlock(b);
	bus_wake(b, sc->sc_id);
out:
	rw_exit(&sc->sc_lock);
	if (error != 0)
		atomic_fetch_add(&ifp->if_cnt.oerrors, 1);
	m_freem(m);
	return error;
}

/* --- receive ---------------------------------------------------------- */

/* A frame taken off the ring: in a pool cluster (m) or the batch (off). */
struct shmif_rx {
	struct mbuf *m;
	size_t off;
	uint32_t len, segsz, flags;
};

/* Hands one received frame, in m (len bytes), to the Ethernet layer. */
static void
shmif_deliver(struct shmif_sc *sc, struct mbuf *m, uint32_t len,
    uint32_t segsz, uint32_t flags)
{
	struct ifnet *ifp = &sc->sc_if;
	int l4;

	m->m_len = len;
	m->m_pkthdr.len = len;
	m->m_pkthdr.rcvif = ifp;
	if (segsz > UINT16_MAX || (flags & ~SHMIF_FR_KNOWN) != 0)
		goto bad;
	if (flags & SHMIF_FR_CSUM_TCP) {
		/* Another kernel's memory, not a wire: taken as verified,
		 * marked unfilled for a forward (if_shmif.h). */
		if ((l4 = ether_tcp_l4off(m)) < 0)
			goto bad;
		m->m_pkthdr.csum_flags |= M_CSUM_TCP | M_CSUM_DATA_VALID;
		m->m_pkthdr.l4off = (uint16_t)l4;
	}
	/* Only a frame above the MTU is a large segment (if_ether.c drops
	 * one that is not marked). */
	if (len > ifp->if_mtu + ETHER_HDR_LEN)
		m->m_pkthdr.segsz = (uint16_t)segsz;
	ether_input(ifp, m);
	return;
bad:
	atomic_fetch_add(&ifp->if_cnt.ierrors, 1);
	m_freem(m);
}

/* The pool of big clusters filled again (no lock held). */
static void
shmif_pool_fill(struct shmif_sc *sc)
{
	for (int i = 0; i < SHMIF_POOL; i++)
		if (sc->sc_pool[i] == NULL)
			sc->sc_pool[i] = m_getcl(MT_DATA, M_PKTHDR,
			    SHMIF_MAXFRAME);
}

static struct mbuf *
shmif_pool_take(struct shmif_sc *sc)
{
	for (int i = 0; i < SHMIF_POOL; i++)
		if (sc->sc_pool[i] != NULL) {
			struct mbuf *m = sc->sc_pool[i];

			sc->sc_pool[i] = NULL;
			return m;
		}
	return NULL;
}

static void
shmif_rxthread(void *arg)
{
	struct shmif_sc *sc = arg;
	struct ifnet *ifp = &sc->sc_if;
	struct shmif_bus *b = sc->sc_bus;	/* fixed while we run */
	struct shmif_frame fr;
	struct shmif_rx rx[SHMIF_RXMAX];
	uint64_t pos, head, tail;
	uint32_t rsize, w;
	size_t nb;
	int nrx, slot;
	bool complained = false;

	bus_lock(b);
	pos = ld64(&b->sb_tail);		/* what was sent before is old */
	slot = slot_take(b, sc->sc_id);
	bus_unlock(b);
	__atomic_store_n(&sc->sc_slot, slot, __ATOMIC_RELEASE);
	while (!atomic_load(&sc->sc_stop)) {
		shmif_pool_fill(sc);
		nb = 0;
		nrx = 0;
		bus_lock(b);
		if (!bus_positions(b, sc->sc_size, &rsize, &head, &tail)) {
			bus_unlock(b);
			if (!complained)
				kprintf("shmif: %s: the bus file is no longer "
				    "a shmif bus; waiting\n", ifp->if_name);
			complained = true;
			kpause_ns(SHMIF_WAIT_NS / 10);
			continue;
		}
		complained = false;
		if (pos < head) {
			/* Fell behind: what was overwritten is lost. */
			atomic_fetch_add(&ifp->if_cnt.idrops, 1);
			pos = head;
		} else if (pos > tail)
			pos = tail;		/* the ring was reset */
		while (pos < tail && nrx < SHMIF_RXMAX) {
			struct shmif_rx *r = &rx[nrx];

			ring_read(b, rsize, pos, &fr, sizeof(fr));
			if (!frame_ok(&fr, pos, tail)) {
				atomic_fetch_add(&ifp->if_cnt.ierrors, 1);
				pos = tail;
				break;
			}
			if (fr.fr_sender != sc->sc_id) {
				r->m = NULL;
				if (fr.fr_len > SHMIF_SMALL &&
				    (r->m = shmif_pool_take(sc)) == NULL) {
					/* The rest after a refill; with
					 * none at all, no memory: lost. */
					if (nrx > 0)
						break;
					atomic_fetch_add(&ifp->if_cnt.idrops,
					    1);
					pos += SHMIF_RECSIZE(fr.fr_len);
					continue;
				} else if (r->m != NULL) {
					ring_read(b, rsize, pos + sizeof(fr),
					    mtod(r->m, uint8_t *), fr.fr_len);
				} else {
					if (nb + fr.fr_len > SHMIF_BATCH)
						break;
					r->off = nb;
					ring_read(b, rsize, pos + sizeof(fr),
					    sc->sc_batch + nb, fr.fr_len);
					nb += fr.fr_len;
				}
				r->len = fr.fr_len;
				r->segsz = fr.fr_segsz;
				r->flags = fr.fr_flags;
				nrx++;
			}
			pos += SHMIF_RECSIZE(fr.fr_len);
		}
		if (nrx == 0 && pos == tail && slot >= 0) {
			struct shmif_slot *s = &b->sb_slot[slot];

			__atomic_store_n(&s->ss_waiting, 1, __ATOMIC_SEQ_CST);
			w = __atomic_load_n(&s->ss_wake, __ATOMIC_SEQ_CST);
			bus_unlock(b);
			if (!atomic_load(&sc->sc_stop))
				(void)rumpuser_futex_wait(&s->ss_wake, w,
				    SHMIF_WAIT_NS);
			__atomic_store_n(&s->ss_waiting, 0, __ATOMIC_SEQ_CST);
			continue;
		}
		if (nrx == 0 && pos == tail) {
			__atomic_fetch_add(&b->sb_waiters, 1, __ATOMIC_SEQ_CST);
			w = __atomic_load_n(&b->sb_wake, __ATOMIC_SEQ_CST);
			bus_unlock(b);
			(void)rumpuser_futex_wait(&b->sb_wake, w, SHMIF_WAIT_NS);
			__atomic_fetch_sub(&b->sb_waiters, 1, __ATOMIC_SEQ_CST);
			continue;
		}
		bus_unlock(b);
		for (int i = 0; i < nrx; i++) {
			struct mbuf *m = rx[i].m;

			if (!(ifp->if_flags & IFF_UP)) {
				m_freem(m);
				continue;
			}
			if (m == NULL) {
				m = m_getcl(MT_DATA, M_PKTHDR, rx[i].len);
				if (m == NULL) {
					atomic_fetch_add(&ifp->if_cnt.idrops,
					    1);
					continue;
				}
				memcpy(mtod(m, uint8_t *), sc->sc_batch +
				    rx[i].off, rx[i].len);
			}
			shmif_deliver(sc, m, rx[i].len, rx[i].segsz,
			    rx[i].flags);
		}
	}
	for (int i = 0; i < SHMIF_POOL; i++) {
		m_freem(sc->sc_pool[i]);
		sc->sc_pool[i] = NULL;
	}
	/* The slot back, unless someone took it meanwhile. */
	bus_lock(b);
	if (slot >= 0 && ld64(&b->sb_slot[slot].ss_id) == sc->sc_id)
		__atomic_store_n(&b->sb_slot[slot].ss_id, 0, __ATOMIC_RELAXED);
	bus_unlock(b);
	__atomic_store_n(&sc->sc_slot, -1, __ATOMIC_RELEASE);
}

/* --- attaching to a bus ---------------------------------------------- */

/* Maps path and checks (or, zeroed, initializes) its header. */
static int
bus_open(const char *path, struct rumpuser_shmap **mapp,
    struct shmif_bus **busp, uint64_t *sizep)
{
	struct rumpuser_shmap *map;
	struct shmif_bus *b;
	uint64_t size;
	uint32_t rsize;
	void *base;
	int error;

	error = rumpuser_shmap_open(path, SHMIF_HDRSIZE + SHMIF_RINGSIZE, &map,
	    &base, &size);
	if (error != 0)
		return error;
	b = base;
	/* Not ours at all: refused before its "lock" is trusted. */
	if ((ld32(&b->sb_magic) != 0 && ld32(&b->sb_magic) != SHMIF_MAGIC) ||
	    ld32(&b->sb_lock) > 2) {
		kprintf("shmif: %s: not a shmif bus (bad magic)\n", path);
		rumpuser_shmap_close(map);
		return EINVAL;
	}
	bus_lock(b);
	if (ld32(&b->sb_magic) == 0 && ld32(&b->sb_version) == 0 &&
	    ld64(&b->sb_tail) == 0) {
		/* A new bus; the lock word is the only non-zero one. */
		rsize = (uint32_t)MIN(size - SHMIF_HDRSIZE, 1ull << 30) & ~7u;
		b->sb_hdrsize = SHMIF_HDRSIZE;
		b->sb_ringsize = rsize;
		b->sb_head = b->sb_tail = 0;
		b->sb_version = SHMIF_VERSION;
		__atomic_store_n(&b->sb_magic, SHMIF_MAGIC, __ATOMIC_RELEASE);
	}
	rsize = ld32(&b->sb_ringsize);
	if (ld32(&b->sb_magic) != SHMIF_MAGIC)
		error = EINVAL;
	else if (ld32(&b->sb_version) != SHMIF_VERSION)
		error = EPROTO;
	else if (ld32(&b->sb_hdrsize) != SHMIF_HDRSIZE ||
	    !ring_fits(rsize, size))
		error = EINVAL;
	bus_unlock(b);
	if (error != 0) {
		kprintf("shmif: %s: %s\n", path, error == EPROTO ?
		    "a shmif bus of another version" :
		    "not a shmif bus (bad magic or geometry)");
		rumpuser_shmap_close(map);
		return error;
	}
	*mapp = map;
	*busp = b;
	*sizep = size;
	return 0;
}

static void
shmif_detach_bus(struct shmif_sc *sc)
{
	if (sc->sc_thread != NULL) {
		atomic_store(&sc->sc_stop, true);
		shmif_wake_self(sc);
		kthread_join(sc->sc_thread);
		sc->sc_thread = NULL;
	}
	rw_enter(&sc->sc_lock, true);
	if (sc->sc_map != NULL)
		rumpuser_shmap_close(sc->sc_map);
	sc->sc_map = NULL;
	sc->sc_bus = NULL;
	rw_exit(&sc->sc_lock);
}

/* Attaches sc to the bus in path ("" detaches). */
static int
shmif_setbus(struct shmif_sc *sc, const char *path)
{
	struct rumpuser_shmap *map = NULL;
	struct shmif_bus *b = NULL;
	uint64_t size = 0;
	int error = 0;

	if (!netcfg_priv())
		return EPERM;
	mutex_enter(&sc->sc_cfglock);
	/* A write that found sc just before ip link del took it. */
	if (sc->sc_if.if_gone) {
		error = ENODEV;
		goto out;
	}
	if (path[0] != '\0' && (error = bus_open(path, &map, &b, &size)) != 0)
		goto out;
	shmif_detach_bus(sc);
	if (b == NULL)
		goto out;
	rw_enter(&sc->sc_lock, true);
	sc->sc_map = map;
	sc->sc_bus = b;
	sc->sc_size = size;
	rw_exit(&sc->sc_lock);
	atomic_store(&sc->sc_stop, false);
	error = kthread_create(shmif_rxthread, sc, "shmif", &sc->sc_thread);
	if (error != 0) {
		sc->sc_thread = NULL;
		shmif_detach_bus(sc);
	}
out:
	mutex_exit(&sc->sc_cfglock);
	return error;
}

static int
shmif_bus_store(const struct sysctl_node *n, const char *val)
{
	struct shmif_sc *sc;

	mutex_enter(&shmif_list_lock);
	for (sc = shmif_list; sc != NULL && &sc->sc_node != n;
	    sc = sc->sc_next)
		continue;
	mutex_exit(&shmif_list_lock);
	return sc == NULL ? ENOENT : shmif_setbus(sc, val);
}

/* --- creating and deleting interfaces ------------------------------------ */

/*
 * ip link del: off the bus, out of the list and the sysctl names, then
 * detached (its addresses, routes and neighbours go).  sc stays
 * allocated, as every ifnet does (net/if.h): a sender may still hold
 * the ifnet, and finds it gone.
 */
static int
shmif_destroy(struct ifnet *ifp)
{
	struct shmif_sc *sc = ifp->if_softc, **pp;

	mutex_enter(&sc->sc_cfglock);
	if (ifp->if_gone) {
		mutex_exit(&sc->sc_cfglock);
		return ENODEV;
	}
	shmif_detach_bus(sc);
	mutex_enter(&shmif_list_lock);
	for (pp = &shmif_list; *pp != NULL && *pp != sc; pp = &(*pp)->sc_next)
		continue;
	if (*pp != NULL)
		*pp = sc->sc_next;
	mutex_exit(&shmif_list_lock);
	(void)sysctl_unregister(&sc->sc_node);
	ether_ifdetach(ifp);
	mutex_exit(&sc->sc_cfglock);
	return 0;
}

static int
shmif_create(const char *name)
{
	struct shmif_sc *sc;
	uint8_t mac[ETHER_ADDR_LEN];
	size_t got;
	int error;

	if ((sc = kmem_zalloc(sizeof(*sc))) == NULL)
		return ENOMEM;
	if ((sc->sc_batch = kmem_alloc(SHMIF_BATCH)) == NULL) {
		kmem_free(sc, sizeof(*sc));
		return ENOMEM;
	}
	rw_init(&sc->sc_lock);
	mutex_init(&sc->sc_cfglock);
	sc->sc_slot = -1;
	kern_getrandom(&sc->sc_id, sizeof(sc->sc_id), 0, &got);
	sc->sc_id |= 1;			/* 0 is a free slot's */
	kstrlcpy(sc->sc_if.if_name, name, sizeof(sc->sc_if.if_name));
	sc->sc_if.if_softc = sc;
	sc->sc_if.if_destroy = shmif_destroy;
	ether_randaddr(mac);
	/* Every kernel on a bus of this version takes large segments,
	 * and TCP checksums left undone. */
	sc->sc_if.if_tsomax = IP_MAXPACKET;
	sc->sc_if.if_csumtx = M_CSUM_TCP | IF_CSUM_TCP6;
	if ((error = ether_ifattach(&sc->sc_if, mac, shmif_xmit)) != 0) {
		mutex_destroy(&sc->sc_cfglock);
		rw_destroy(&sc->sc_lock);
		kmem_free(sc->sc_batch, SHMIF_BATCH);
		kmem_free(sc, sizeof(*sc));
		return error;
	}
	ksnprintf(sc->sc_nodename, sizeof(sc->sc_nodename), "net.shmif.%s.bus",
	    name);
	sc->sc_node.sn_name = sc->sc_nodename;
	sc->sc_node.sn_type = SYSCTL_STRING;
	sc->sc_node.sn_writable = true;
	sc->sc_node.sn_str = sc->sc_path;
	sc->sc_node.sn_len = sizeof(sc->sc_path);
	sc->sc_node.sn_store = shmif_bus_store;
	mutex_enter(&shmif_list_lock);
	sc->sc_next = shmif_list;
	shmif_list = sc;
	mutex_exit(&shmif_list_lock);
	if ((error = sysctl_register(&sc->sc_node)) != 0)
		kprintf("shmif: %s: sysctl %s: error %d\n", name,
		    sc->sc_nodename, error);
	return 0;
}

/*
 * Halt: each receiving thread is stopped under its interface's
 * configuration lock, as setbus and ip link del stop it, so two of them
 * never join one thread.  The list lock is not held meanwhile (destroy
 * takes it inside the configuration lock); softcs are never freed, so a
 * deleted one's sc_next still leads on.
 */
static void
shmif_shutdown(void)
{
	struct shmif_sc *sc;

	mutex_enter(&shmif_list_lock);
	sc = shmif_list;
	mutex_exit(&shmif_list_lock);
	while (sc != NULL) {
		mutex_enter(&sc->sc_cfglock);
		if (sc->sc_thread != NULL) {
			atomic_store(&sc->sc_stop, true);
			shmif_wake_self(sc);
			kthread_join(sc->sc_thread);
			sc->sc_thread = NULL;
		}
		mutex_exit(&sc->sc_cfglock);
		mutex_enter(&shmif_list_lock);
		sc = sc->sc_next;
		mutex_exit(&shmif_list_lock);
	}
}

static int
shmif_init(void)
{
	if (!net_up())
		return 0;		/* no stack (RUMP_THREADS=0): nothing */
	mutex_init(&shmif_list_lock);
	shutdown_hook_register(shmif_shutdown);
	return if_kind_register("shmif", shmif_create);
}

RUMP_COMPONENT(shmif_component, "shmif", shmif_init, NULL, "netinet")
