/*
 * in_pcbport.c: the pcb hashes, Linux's bind conflict rules, ephemeral
 * ports (RFC 6056) and the lookups (contract in netinet/in_pcb.h).
 *
 * Everything here runs under the table's ipt_lock, taken after the
 * socket's so_lock when a socket is involved.
 */
#include "k/kernel.h"
#include "k/abi_net.h"
#include "k/socket.h"
#include "net/if.h"
#include "net/netinet/in_pcb.h"
#include "net/netinet/in_pcbport.h"
#include "net/netinet/ip_var.h"

int64_t ip_port_first = 32768, ip_port_last = 60999;
int64_t ip_unpriv_port_start = 1024;

/* A v6 socket bound to a specific IPv6 address seen from IPv4: Linux's
 * LOOPBACK4_IPV6 sentinel, an address no IPv4 socket is bound to. */
#define V4_SENTINEL	htonl(0x7f000006)

static uint32_t
mix(uint32_t h, uint32_t v)
{
	h ^= v;
	h *= 0x9e3779b1u;
	return h ^ (h >> 15);
}

static uint32_t
hash_tuple(const struct inpcbtable *t, const struct in6_addr *faddr,
    uint16_t fport, const struct in6_addr *laddr, uint16_t lport)
{
	uint32_t h = t->ipt_secret[0];

	for (int i = 0; i < 4; i++)
		h = mix(h, faddr->s6_addr32[i] ^ laddr->s6_addr32[i] * 31);
	return mix(h, (uint32_t)fport << 16 | lport);
}

static struct inpcbhead *
lhash(const struct inpcbtable *t, uint16_t lport)
{
	return &t->ipt_lhash[ntohs(lport) & t->ipt_lmask];
}

static struct inpcbhead *
chash(const struct inpcbtable *t, const struct in6_addr *faddr,
    uint16_t fport, const struct in6_addr *laddr, uint16_t lport)
{
	return &t->ipt_hash[hash_tuple(t, faddr, fport, laddr, lport) &
	    t->ipt_mask];
}

void
in_pcbunhash_locked(struct inpcb *inp)
{
	if (inp->inp_connected) {
		LIST_REMOVE(inp, inp_hash);
		inp->inp_connected = false;
	}
	if (inp->inp_bound) {
		LIST_REMOVE(inp, inp_lhash);
		inp->inp_bound = false;
	}
}

/* --- the bind conflict rules --------------------------------------------- */

static bool
is_v4type(const struct inpcb *p)
{
	return p->inp_af == AF_INET || in6_is_v4mapped(&p->inp_laddr);
}

/* Do the local addresses of a (being bound) and b (bound) overlap? */
static bool
addr_overlap(const struct inpcb *a, const struct inpcb *b)
{
	bool b4 = is_v4type(b);

	if (is_v4type(a)) {
		in_addr_t x = in6_v4addr(&a->inp_laddr), y;

		if (b->inp_af == AF_INET6 && (b->inp_flags & INP_V6ONLY))
			return false;
		y = b4 ? in6_v4addr(&b->inp_laddr) :
		    in6_is_unspec(&b->inp_laddr) ? 0 : V4_SENTINEL;
		if (y == V4_SENTINEL && a->inp_af == AF_INET6)
			return false;
		return x == y || x == 0 || y == 0;
	} else {
		bool aany = in6_is_unspec(&a->inp_laddr);
		bool bany = !b4 && in6_is_unspec(&b->inp_laddr);

		if (aany && bany)
			return true;
		if (bany)
			return true;
		if (aany && !((a->inp_flags & INP_V6ONLY) && b4))
			return true;
		return !b4 && in6_equal(&a->inp_laddr, &b->inp_laddr);
	}
}

static bool
bind_conflict(const struct inpcb *a, const struct inpcb *b)
{
	if (a == b)
		return false;
	if (a->inp_bound_ifindex != 0 && b->inp_bound_ifindex != 0 &&
	    a->inp_bound_ifindex != b->inp_bound_ifindex)
		return false;
	if (!addr_overlap(a, b))
		return false;
	if ((a->inp_flags & INP_REUSEADDR) && (b->inp_flags & INP_REUSEADDR) &&
	    b->inp_tstate != INP_TS_LISTEN && a->inp_tstate != INP_TS_LISTEN)
		return false;
	if ((a->inp_flags & INP_REUSEPORT) && (b->inp_flags & INP_REUSEPORT) &&
	    (b->inp_tstate == INP_TS_TIMEWAIT || a->inp_uid == b->inp_uid))
		return false;
	return true;
}

static bool
port_conflicts(const struct inpcbtable *t, const struct inpcb *a,
    uint16_t port)
{
	struct inpcb *b;

	LIST_FOREACH(b, lhash(t, port), inp_lhash)
		if (b->inp_lport == port && bind_conflict(a, b))
			return true;
	return false;
}

static bool
port_unused(const struct inpcbtable *t, uint16_t port)
{
	struct inpcb *b;

	LIST_FOREACH(b, lhash(t, port), inp_lhash)
		if (b->inp_lport == port)
			return false;
	return true;
}

static uint32_t
port_random(void)
{
	uint32_t r;
	size_t n;

	kern_getrandom(&r, sizeof(r), GRND_INSECURE, &n);
	return r;
}

/* An unused ephemeral port (RFC 6056 algorithm 1: random start). */
static uint16_t
port_pick_unused(struct inpcbtable *t)
{
	uint32_t first = (uint32_t)ip_port_first, last = (uint32_t)ip_port_last;
	uint32_t n = last - first + 1, start = port_random();

	for (uint32_t i = 0; i < n; i++) {
		uint16_t p = htons((uint16_t)(first + (start + i) % n));

		if (port_unused(t, p))
			return p;
	}
	return 0;
}

static void
bind_insert(struct inpcb *inp, const struct in6_addr *laddr, uint16_t port)
{
	inp->inp_laddr = *laddr;
	inp->inp_lport = port;
	if (port != 0) {
		LIST_INSERT_HEAD(lhash(inp->inp_table, port), inp, inp_lhash);
		inp->inp_bound = true;
	}
}

int
in_pcbsetport(struct inpcb *inp, const struct in6_addr *laddr,
    uint16_t port, bool noport)
{
	struct inpcbtable *t = inp->inp_table;
	struct in6_addr old = inp->inp_laddr;

	mutex_enter(&t->ipt_lock);
	inp->inp_laddr = *laddr;	/* the conflict rules read it */
	if (noport) {
		mutex_exit(&t->ipt_lock);
		return 0;
	}
	if (port == 0) {
		port = port_pick_unused(t);
		if (port == 0) {
			inp->inp_laddr = old;
			mutex_exit(&t->ipt_lock);
			return EADDRINUSE;
		}
	} else if (port_conflicts(t, inp, port)) {
		inp->inp_laddr = old;
		mutex_exit(&t->ipt_lock);
		return EADDRINUSE;
	}
	bind_insert(inp, laddr, port);
	mutex_exit(&t->ipt_lock);
	return 0;
}

int
in_pcblisten(struct inpcb *inp)
{
	struct inpcbtable *t = inp->inp_table;
	int error = 0;

	mutex_enter(&t->ipt_lock);
	inp->inp_tstate = INP_TS_LISTEN;
	if (inp->inp_bound && port_conflicts(t, inp, inp->inp_lport)) {
		inp->inp_tstate = INP_TS_OTHER;
		error = EADDRINUSE;
	}
	mutex_exit(&t->ipt_lock);
	return error;
}

/* --- connect ---------------------------------------------------------------- */

static struct inpcb *
tuple_find(struct inpcbtable *t, const struct in6_addr *faddr,
    uint16_t fport, const struct in6_addr *laddr, uint16_t lport)
{
	struct inpcb *b;

	LIST_FOREACH(b, chash(t, faddr, fport, laddr, lport), inp_hash)
		if (b->inp_lport == lport && b->inp_fport == fport &&
		    in6_equal(&b->inp_faddr, faddr) &&
		    in6_equal(&b->inp_laddr, laddr))
			return b;
	return NULL;
}

/* May the 4-tuple be taken?  A TIME_WAIT holder may be recycled. */
static bool
tuple_free(struct inpcbtable *t, const struct in6_addr *faddr,
    uint16_t fport, const struct in6_addr *laddr, uint16_t lport)
{
	struct inpcb *b = tuple_find(t, faddr, fport, laddr, lport);

	if (b == NULL)
		return true;
	if (b->inp_tstate == INP_TS_TIMEWAIT && t->ipt_tw_recycle != NULL &&
	    t->ipt_tw_recycle(b)) {
		LIST_REMOVE(b, inp_hash);
		b->inp_connected = false;
		return true;
	}
	return false;
}

/* A port for connect() shared with other connect()s, 4-tuple unique
 * (RFC 6056 algorithm 3), as Linux's inet_hash_connect. */
static uint16_t
port_pick_tuple(struct inpcbtable *t, const struct in6_addr *laddr,
    const struct in6_addr *faddr, uint16_t fport)
{
	uint32_t first = (uint32_t)ip_port_first, last = (uint32_t)ip_port_last;
	uint32_t n = last - first + 1, off;
	struct in6_addr any = IN6ADDR_ANY_INIT;

	off = hash_tuple(t, faddr, fport, laddr, 0) ^ t->ipt_secret[1];
	for (uint32_t i = 0; i < n; i++) {
		uint16_t p = htons((uint16_t)(first +
		    (off + t->ipt_portoff + i) % n));
		struct inpcb *b;
		bool ok = true;

		LIST_FOREACH(b, lhash(t, p), inp_lhash) {
			if (b->inp_lport != p)
				continue;
			if (!(b->inp_flags & INP_ANONPORT) ||
			    !b->inp_connected) {
				ok = false;
				break;
			}
		}
		(void)any;
		if (ok && tuple_free(t, faddr, fport, laddr, p)) {
			t->ipt_portoff += i + 1;
			return p;
		}
	}
	return 0;
}

int
in_pcbsetconnect(struct inpcb *inp, const struct in6_addr *laddr,
    const struct in6_addr *faddr, uint16_t fport)
{
	struct inpcbtable *t = inp->inp_table;
	uint16_t lport = inp->inp_lport;

	mutex_enter(&t->ipt_lock);
	if (inp->inp_connected) {
		LIST_REMOVE(inp, inp_hash);
		inp->inp_connected = false;
	}
	if (lport == 0) {
		if (t->ipt_tuple_unique)
			lport = port_pick_tuple(t, laddr, faddr, fport);
		else
			lport = port_pick_unused(t);
		if (lport == 0) {
			mutex_exit(&t->ipt_lock);
			return t->ipt_tuple_unique ? EADDRNOTAVAIL : EAGAIN;
		}
		inp->inp_flags |= INP_ANONPORT;
		bind_insert(inp, laddr, lport);
	} else if (!tuple_free(t, faddr, fport, laddr, lport)) {
		mutex_exit(&t->ipt_lock);
		return EADDRNOTAVAIL;
	}
	inp->inp_laddr = *laddr;
	inp->inp_faddr = *faddr;
	inp->inp_fport = fport;
	LIST_INSERT_HEAD(chash(t, faddr, fport, laddr, lport), inp, inp_hash);
	inp->inp_connected = true;
	mutex_exit(&t->ipt_lock);
	return 0;
}

void
in_pcbclearconnect(struct inpcb *inp)
{
	struct inpcbtable *t = inp->inp_table;

	mutex_enter(&t->ipt_lock);
	if (inp->inp_connected) {
		LIST_REMOVE(inp, inp_hash);
		inp->inp_connected = false;
	}
	memset(&inp->inp_faddr, 0, sizeof(inp->inp_faddr));
	inp->inp_fport = 0;
	if (!(inp->inp_flags & INP_LADDR_BOUND)) {
		if (inp->inp_af == AF_INET || in6_is_v4mapped(&inp->inp_laddr))
			in6_set_v4mapped(&inp->inp_laddr, 0);
		else
			memset(&inp->inp_laddr, 0, sizeof(inp->inp_laddr));
		if (inp->inp_af == AF_INET6)
			memset(&inp->inp_laddr, 0, sizeof(inp->inp_laddr));
	}
	if ((inp->inp_flags & INP_ANONPORT) && inp->inp_bound) {
		LIST_REMOVE(inp, inp_lhash);
		inp->inp_bound = false;
		inp->inp_lport = 0;
		inp->inp_flags &= ~INP_ANONPORT;
	}
	mutex_exit(&t->ipt_lock);
}

/* --- lookups ---------------------------------------------------------------- */

bool
in_pcbaccepts(const struct inpcb *inp, int af, const struct in6_addr *laddr)
{
	if (af == AF_INET) {
		if (inp->inp_af == AF_INET6) {
			if (inp->inp_flags & INP_V6ONLY)
				return false;
			if (in6_is_unspec(&inp->inp_laddr))
				return true;
		}
		return in6_is_v4any(&inp->inp_laddr) ||
		    in6_equal(&inp->inp_laddr, laddr);
	}
	if (inp->inp_af != AF_INET6 || in6_is_v4mapped(&inp->inp_laddr))
		return false;
	return in6_is_unspec(&inp->inp_laddr) ||
	    in6_equal(&inp->inp_laddr, laddr);
}

struct inpcb *
in_pcblookup_connect(struct inpcbtable *t, int af,
    const struct in6_addr *faddr, uint16_t fport,
    const struct in6_addr *laddr, uint16_t lport)
{
	struct inpcb *b;

	mutex_enter(&t->ipt_lock);
	b = tuple_find(t, faddr, fport, laddr, lport);
	if (b != NULL && (b->inp_flags & INP_DEAD ||
	    (af == AF_INET6 && b->inp_af == AF_INET)))
		b = NULL;
	if (b != NULL)
		in_pcbref(b);
	mutex_exit(&t->ipt_lock);
	return b;
}

struct inpcb *
in_pcblookup_bound(struct inpcbtable *t, int af,
    const struct in6_addr *faddr, uint16_t fport,
    const struct in6_addr *laddr, uint16_t lport, int flags)
{
	struct inpcb *b, *best = NULL;
	int bestscore = 0, nsib = 0;
	uint32_t h;

	mutex_enter(&t->ipt_lock);
	LIST_FOREACH(b, lhash(t, lport), inp_lhash) {
		int score;

		if (b->inp_lport != lport || b->inp_connected ||
		    (b->inp_flags & INP_DEAD))
			continue;
		if ((flags & INPLOOKUP_LISTEN) &&
		    b->inp_tstate != INP_TS_LISTEN)
			continue;
		if (!in_pcbaccepts(b, af, laddr))
			continue;
		score = in6_is_anyaddr(&b->inp_laddr) ? 1 : 4;
		if (b->inp_af == af)
			score++;
		if (score > bestscore) {
			best = b;
			bestscore = score;
			nsib = 1;
		} else if (score == bestscore &&
		    (b->inp_flags & best->inp_flags & INP_REUSEPORT))
			nsib++;
	}
	if (best != NULL && nsib > 1) {
		/* SO_REUSEPORT: one of the group by the flow's hash. */
		uint32_t k;

		h = hash_tuple(t, faddr, fport, laddr, lport);
		k = h % (uint32_t)nsib;
		LIST_FOREACH(b, lhash(t, lport), inp_lhash) {
			int score;

			if (b->inp_lport != lport || b->inp_connected ||
			    (b->inp_flags & INP_DEAD) ||
			    !(b->inp_flags & INP_REUSEPORT) ||
			    ((flags & INPLOOKUP_LISTEN) &&
			    b->inp_tstate != INP_TS_LISTEN) ||
			    !in_pcbaccepts(b, af, laddr))
				continue;
			score = (in6_is_anyaddr(&b->inp_laddr) ? 1 : 4) +
			    (b->inp_af == af);
			if (score != bestscore)
				continue;
			if (k-- == 0) {
				best = b;
				break;
			}
		}
	}
	if (best != NULL)
		in_pcbref(best);
	mutex_exit(&t->ipt_lock);
	return best;
}

struct inpcb *
in_pcblookup(struct inpcbtable *t, int af, const struct in6_addr *faddr,
    uint16_t fport, const struct in6_addr *laddr, uint16_t lport, int flags)
{
	struct inpcb *inp;

	inp = in_pcblookup_connect(t, af, faddr, fport, laddr, lport);
	if (inp == NULL)
		inp = in_pcblookup_bound(t, af, faddr, fport, laddr, lport,
		    flags);
	return inp;
}

size_t
in_pcblookup_all(struct inpcbtable *t,
    bool (*match)(const struct inpcb *, void *), void *arg,
    struct inpcb **v, size_t max)
{
	struct inpcb *b;
	size_t n = 0;

	mutex_enter(&t->ipt_lock);
	TAILQ_FOREACH(b, &t->ipt_queue, inp_queue) {
		if ((b->inp_flags & INP_DEAD) || !match(b, arg))
			continue;
		if (n < max) {
			in_pcbref(b);
			v[n] = b;
		}
		n++;
	}
	mutex_exit(&t->ipt_lock);
	return n;
}
