/*
 * if_etest.c: component "etest", a test Ethernet driver with no wire -
 * what the Ethernet layer transmits goes into a bounded ring per
 * interface, and frames come in through an entry point.  The harness of
 * the Ethernet/ARP/ND unit tests and of the frame fuzzer; not for users.
 *
 *   rump_etest_create(mac, up, &ifindex): attaches "etestN" (N from 0)
 *     with link address mac (NULL: random); up sets IFF_UP|IFF_RUNNING.
 *     0, or ether_ifattach's errno.
 *   rump_etest_addr(ifindex, af, addr, plen, flags): if_addr_add
 *     (addr 4 bytes for AF_INET, 16 for AF_INET6; flags IFA_F_*).
 *   rump_etest_input(ifindex, frame, len): the frame (from the
 *     destination MAC, no FCS) into ether_input; what it causes runs
 *     before the call returns.  0, ENODEV, ENOBUFS, EMSGSIZE (> 64 KiB).
 *   rump_etest_read(ifindex, buf, buflen, &len): takes the oldest
 *     transmitted frame (copied, truncated to buflen; *len its length).
 *     0, EAGAIN (none), ENODEV.
 *   rump_etest_pending(ifindex): transmitted frames waiting (or -1).
 *   rump_etest_lso(ifindex, tsomax, segsz): the interface carries large
 *     TCP segments up to tsomax bytes of IP packet (if_tsomax; 0: none),
 *     and frames input above the MTU are marked as large segments of
 *     segsz (net/netinet/tcp_lso.c).  0 or ENODEV.
 *   rump_etest_stats, rump_etest_flags, rump_etest_addrflags: below.
 *
 * The ring holds ETEST_RING frames; xmit answers ENOBUFS when it is full,
 * as a driver whose queue is full does.
 */
#include "k/kernel.h"
#include "k/component.h"
#include "k/socket.h"
#include "net/if.h"
#include "net/if_ether.h"
#include "net/netinet/in_pcb.h"

#define ETEST_RING	256
#define ETEST_MAX	16

int rump_etest_create(const uint8_t *mac, int up, int *ifindex);
int rump_etest_addr(int ifindex, int af, const void *addr, int plen,
    int flags);
int rump_etest_input(int ifindex, const void *frame, size_t len);
int rump_etest_read(int ifindex, void *buf, size_t buflen, size_t *len);
int rump_etest_pending(int ifindex);
int rump_etest_lso(int ifindex, uint32_t tsomax, uint16_t segsz);

struct etest_softc {
	struct ifnet sc_if;
	kmutex_t sc_lock;
	struct mbuf *sc_ring[ETEST_RING];
	unsigned sc_head, sc_count;
	uint16_t sc_segsz;		/* rump_etest_lso */
};

static kmutex_t etest_lock;
static struct etest_softc *etest_all[ETEST_MAX];
static int etest_n;

static int
etest_xmit(struct ifnet *ifp, struct mbuf *m)
{
	struct etest_softc *sc = ifp->if_softc;

	mutex_enter(&sc->sc_lock);
	if (sc->sc_count == ETEST_RING) {
		mutex_exit(&sc->sc_lock);
		m_freem(m);
		return ENOBUFS;
	}
	sc->sc_ring[(sc->sc_head + sc->sc_count) % ETEST_RING] = m;
	sc->sc_count++;
	mutex_exit(&sc->sc_lock);
	return 0;
}

static struct etest_softc *
etest_find(int ifindex)
{
	struct etest_softc *sc = NULL;
	int i;

	mutex_enter(&etest_lock);
	for (i = 0; i < etest_n; i++)
		if (etest_all[i]->sc_if.if_index == ifindex)
			sc = etest_all[i];
	mutex_exit(&etest_lock);
	return sc;
}

int
rump_etest_create(const uint8_t *mac, int up, int *ifindex)
{
	struct etest_softc *sc;
	uint8_t addr[ETHER_ADDR_LEN];
	struct lwp *l;
	int error;

	if ((error = kernel_enter(&l)) != 0)
		return error;
	mutex_enter(&etest_lock);
	if (etest_n == ETEST_MAX) {
		mutex_exit(&etest_lock);
		kernel_exit(l);
		return ENOSPC;
	}
	if ((sc = kmem_zalloc(sizeof(*sc))) == NULL) {
		mutex_exit(&etest_lock);
		kernel_exit(l);
		return ENOMEM;
	}
	mutex_init(&sc->sc_lock);
	ksnprintf(sc->sc_if.if_name, IFNAMSIZ, "etest%d", etest_n);
	sc->sc_if.if_softc = sc;
	if (mac != NULL)
		memcpy(addr, mac, ETHER_ADDR_LEN);
	else
		ether_randaddr(addr);
	if (up)
		sc->sc_if.if_flags = IFF_UP | IFF_RUNNING | IFF_LOWER_UP;
	if ((error = ether_ifattach(&sc->sc_if, addr, etest_xmit)) != 0) {
		mutex_exit(&etest_lock);
		mutex_destroy(&sc->sc_lock);
		kmem_free(sc, sizeof(*sc));
		kernel_exit(l);
		return error;
	}
	etest_all[etest_n++] = sc;
	mutex_exit(&etest_lock);
	if (ifindex != NULL)
		*ifindex = sc->sc_if.if_index;
	kernel_exit(l);
	return 0;
}

int
rump_etest_addr(int ifindex, int af, const void *addr, int plen, int flags)
{
	struct etest_softc *sc = etest_find(ifindex);
	struct in6_addr a;
	struct lwp *l;
	uint32_t v4;
	int error;

	if (sc == NULL || addr == NULL)
		return sc == NULL ? ENODEV : EINVAL;
	if (af == AF_INET) {
		memcpy(&v4, addr, 4);
		in6_set_v4mapped(&a, v4);
	} else if (af == AF_INET6)
		memcpy(&a, addr, 16);
	else
		return EAFNOSUPPORT;
	if ((error = kernel_enter(&l)) != 0)
		return error;
	error = if_addr_add(&sc->sc_if, af, &a, plen, flags);
	netisr_run();
	kernel_exit(l);
	return error;
}

int
rump_etest_input(int ifindex, const void *frame, size_t len)
{
	struct etest_softc *sc = etest_find(ifindex);
	struct mbuf *m;
	struct lwp *l;
	int error;

	if (sc == NULL)
		return ENODEV;
	if (len > 65536 || (frame == NULL && len > 0))
		return EMSGSIZE;
	if ((error = kernel_enter(&l)) != 0)
		return error;
	if ((m = m_gethdr(MT_DATA)) == NULL) {
		kernel_exit(l);
		return ENOBUFS;
	}
	m->m_len = 0;
	m->m_pkthdr.len = 0;
	if (len > 0 && m_append(m, len, frame) != 0) {
		m_freem(m);
		kernel_exit(l);
		return ENOBUFS;
	}
	if (len > sc->sc_if.if_mtu + ETHER_HDR_LEN)
		m->m_pkthdr.segsz = sc->sc_segsz;
	ether_input(&sc->sc_if, m);
	netisr_run();
	kernel_exit(l);
	return 0;
}

int
rump_etest_lso(int ifindex, uint32_t tsomax, uint16_t segsz)
{
	struct etest_softc *sc = etest_find(ifindex);

	if (sc == NULL)
		return ENODEV;
	sc->sc_if.if_tsomax = tsomax;
	sc->sc_segsz = segsz;
	return 0;
}

int
rump_etest_read(int ifindex, void *buf, size_t buflen, size_t *len)
{
	struct etest_softc *sc = etest_find(ifindex);
	struct mbuf *m = NULL;
	struct lwp *l;
	size_t n;
	int error;

	if (sc == NULL)
		return ENODEV;
	if ((error = kernel_enter(&l)) != 0)
		return error;
	/* Timers may have sent something meanwhile: deliver it first. */
	netisr_run();
	mutex_enter(&sc->sc_lock);
	if (sc->sc_count > 0) {
		m = sc->sc_ring[sc->sc_head];
		sc->sc_ring[sc->sc_head] = NULL;
		sc->sc_head = (sc->sc_head + 1) % ETEST_RING;
		sc->sc_count--;
	}
	mutex_exit(&sc->sc_lock);
	if (m == NULL) {
		kernel_exit(l);
		return EAGAIN;
	}
	n = m->m_pkthdr.len < buflen ? m->m_pkthdr.len : buflen;
	if (buf != NULL)
		m_copydata(m, 0, n, buf);
	if (len != NULL)
		*len = m->m_pkthdr.len;
	m_freem(m);
	kernel_exit(l);
	return 0;
}

int
rump_etest_pending(int ifindex)
{
	struct etest_softc *sc = etest_find(ifindex);
	int n;

	if (sc == NULL)
		return -1;
	mutex_enter(&sc->sc_lock);
	n = (int)sc->sc_count;
	mutex_exit(&sc->sc_lock);
	return n;
}

static int
etest_init(void)
{
	mutex_init(&etest_lock);
	return 0;
}

RUMP_COMPONENT(etest_component, "etest", etest_init, NULL, "netinet")

/*
 * rump_etest_stats(ifindex, out): the interface's counters, in if.h's
 * order: ipackets ibytes ierrors idrops opackets obytes oerrors odrops
 * imcasts omcasts.  0 or ENODEV.
 */
int rump_etest_stats(int ifindex, uint64_t out[10]);

int
rump_etest_stats(int ifindex, uint64_t out[10])
{
	struct etest_softc *sc = etest_find(ifindex);
	struct if_counters *c;

	if (sc == NULL)
		return ENODEV;
	c = &sc->sc_if.if_cnt;
	out[0] = atomic_load(&c->ipackets);
	out[1] = atomic_load(&c->ibytes);
	out[2] = atomic_load(&c->ierrors);
	out[3] = atomic_load(&c->idrops);
	out[4] = atomic_load(&c->opackets);
	out[5] = atomic_load(&c->obytes);
	out[6] = atomic_load(&c->oerrors);
	out[7] = atomic_load(&c->odrops);
	out[8] = atomic_load(&c->imcasts);
	out[9] = atomic_load(&c->omcasts);
	return 0;
}

/* rump_etest_flags(ifindex, set, clear): changes IFF_* flags (PROMISC,
 * ALLMULTI, UP) as SIOCSIFFLAGS would; 0 or ENODEV. */
int rump_etest_flags(int ifindex, int set, int clear);

int
rump_etest_flags(int ifindex, int set, int clear)
{
	struct etest_softc *sc = etest_find(ifindex);

	if (sc == NULL)
		return ENODEV;
	rw_enter(&if_lock, true);
	sc->sc_if.if_flags = (sc->sc_if.if_flags | set) & ~clear;
	rw_exit(&if_lock);
	return 0;
}

/* rump_etest_addrflags(ifindex, af, addr): the IFA_F_* flags of one of
 * the interface's addresses, or -1 (none, or no such interface). */
int rump_etest_addrflags(int ifindex, int af, const void *addr);

int
rump_etest_addrflags(int ifindex, int af, const void *addr)
{
	struct etest_softc *sc = etest_find(ifindex);
	struct ifaddr *ifa;
	struct in6_addr a;
	uint32_t v4;
	int f = -1;

	if (sc == NULL || addr == NULL)
		return -1;
	if (af == AF_INET) {
		memcpy(&v4, addr, 4);
		in6_set_v4mapped(&a, v4);
	} else
		memcpy(&a, addr, 16);
	rw_enter(&if_lock, false);
	TAILQ_FOREACH(ifa, af == AF_INET ? &sc->sc_if.if_ifa4 :
	    &sc->sc_if.if_ifa6, ifa_list)
		if (in6_equal(&ifa->ifa_addr, &a))
			f = ifa->ifa_flags;
	rw_exit(&if_lock);
	return f;
}
