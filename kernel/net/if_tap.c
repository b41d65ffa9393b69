/*
 * if_tap.c: an Ethernet interface on a host TAP device (component
 * "tap"): the kernel's frames go to the host's /dev/net/tun queue of that
 * device and the host's to the kernel, through the rumpuser_tap_*
 * hypercalls.
 *
 * Creating, as shmif: "ip link add tap0 type tap" makes the interface
 * (random locally administered address, no carrier); writing a host
 * device name to the sysctl net.tap.tap0.dev (/proc/sys/net/tap/tap0/dev)
 * opens that host TAP device (creating it when the host lets this process,
 * i.e. with CAP_NET_ADMIN, or when it is a persistent device the process
 * may use) and starts the receive thread.  An empty value closes it.
 *
 * Receive: one kernel thread per device reads a frame at a time (a read
 * waits at most 250 ms, without the virtual CPU, so the thread notices it
 * is told to stop) straight into a cluster of the largest size, which a
 * large frame keeps (one copy: the host's into the mbuf); a small one is
 * copied into an mbuf of its size and the cluster read into again.  Transmit writes the mbuf chain with one
 * writev.  sc_lock keeps the descriptor open while a sender uses it.
 *
 * Offloads, as QEMU's virtio-net does them: every frame has a virtio-net
 * header (rumpuser_tap_open), and when the host takes TUN_F_CSUM |
 * TUN_F_TSO4 the interface carries large IPv4 TCP segments both ways
 * (if_tsomax; netinet/tcp_lso.c) and leaves IPv4 TCP checksums to the
 * host (if_csumtx: the header says where the partial sum is).  A frame
 * from the host with a partial checksum counts as verified, the host's
 * data being memory, not a wire: a TCP one is marked M_CSUM_TCP, so a
 * forward fills it (in_ifoutput), anything else is finished here; a
 * large segment from the host is taken whole.
 */
#include "k/kernel.h"
#include "k/component.h"
#include "k/socket.h"
#include "k/sysctl.h"
#include "net/if.h"
#include "net/if_cfg.h"
#include "net/if_ether.h"
#include "net/netinet/ip_var.h"

#include <rump/rumpuser.h>

#define TAP_DEVLEN	16		/* a host interface name */
#define TAP_BUFSIZE	(65536u + 64u)	/* a frame of the largest MTU */
#define TAP_VNETLEN	10		/* struct virtio_net_hdr */
#define TAP_SMALL	2048u		/* a frame copied out of the cluster */

/* Linux's struct virtio_net_hdr (host byte order on a tap). */
struct tap_vnet {
	uint8_t flags;			/* VNET_F_* */
	uint8_t gso_type;		/* VNET_GSO_* */
	uint16_t hdr_len;		/* headers before the payload */
	uint16_t gso_size;		/* the MSS of a large segment */
	uint16_t csum_start;		/* where the partial sum starts */
	uint16_t csum_offset;		/* its field, from csum_start */
};
#define VNET_F_NEEDS_CSUM	1
#define VNET_F_DATA_VALID	2
#define VNET_GSO_NONE		0
#define VNET_GSO_TCPV4		1
#define VNET_GSO_ECN		0x80
#define TAP_MAXIOV	64
#define TAP_WAIT_NS	(250LL * 1000 * 1000)

struct tap_sc {
	struct ifnet sc_if;
	krwlock_t sc_lock;		/* sc_fd against use */
	int sc_fd;			/* -1: no device */
	void *sc_thread;
	atomic_bool sc_stop;
	uint8_t *sc_buf;		/* TAP_BUFSIZE, the receiver's */
	struct mbuf *sc_rxm;		/* the cluster it reads into, or NULL */
	kmutex_t sc_cfglock;
	struct sysctl_node sc_node;
	char sc_nodename[48];
	char sc_dev[TAP_DEVLEN];
	struct tap_sc *sc_next;
};

static kmutex_t tap_list_lock;
static struct tap_sc *tap_list;

/*
 * An IPv4 TCP frame whose checksum was left to the host (if_csumtx): the
 * pseudo header's sum goes in the checksum field and vh says where, and
 * a large segment is marked with its MSS, for the host to cut (GSO).
 */
static int
tap_csum_partial(struct mbuf *m, struct tap_vnet *vh)
{
	struct ip ip;
	struct tcphdr th;
	size_t l4 = ETHER_HDR_LEN + m->m_pkthdr.l4off, tlen;
	uint32_t sum;
	uint16_t s;

	if (m->m_pkthdr.len < l4 + sizeof(th))
		return EINVAL;
	m_copydata(m, ETHER_HDR_LEN, sizeof(ip), &ip);
	m_copydata(m, l4, sizeof(th), &th);
	tlen = m->m_pkthdr.len - l4;
	sum = (uint32_t)IPPROTO_TCP + (uint32_t)tlen;
	for (int i = 0; i < 2; i++) {
		uint32_t a = ntohl(i == 0 ? ip.ip_src.s_addr : ip.ip_dst.s_addr);

		sum += (a >> 16) + (a & 0xffff);
	}
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	s = htons((uint16_t)sum);
	if (m_copyback(m, l4 + 16, 2, &s) != 0)
		return ENOBUFS;
	m->m_pkthdr.csum_flags &= ~M_CSUM_TCP;
	vh->flags = VNET_F_NEEDS_CSUM;
	vh->csum_start = (uint16_t)l4;
	vh->csum_offset = 16;
	if (m->m_pkthdr.segsz != 0) {
		vh->gso_type = VNET_GSO_TCPV4;
		vh->gso_size = m->m_pkthdr.segsz;
		vh->hdr_len = (uint16_t)(l4 + TH_OFF(&th) * 4u);
	}
	return 0;
}

static int
tap_xmit(struct ifnet *ifp, struct mbuf *m)
{
	struct tap_sc *sc = ifp->if_softc;
	struct rumpuser_iovec iov[TAP_MAXIOV];
	struct mbuf *n, *lin = NULL;
	struct tap_vnet vh;
	size_t niov = 1, done;
	int error = 0;

	memset(&vh, 0, sizeof(vh));
	if ((m->m_pkthdr.csum_flags & M_CSUM_TCP) &&
	    (error = tap_csum_partial(m, &vh)) != 0)
		goto out;
	iov[0].iov_base = &vh;
	iov[0].iov_len = TAP_VNETLEN;
	for (n = m; n != NULL && niov < TAP_MAXIOV; n = n->m_next)
		if (n->m_len > 0) {
			iov[niov].iov_base = n->m_data;
			iov[niov++].iov_len = n->m_len;
		}
	if (n != NULL) {
		/* A long chain: one contiguous copy. */
		if ((lin = m_getcl(MT_DATA, 0, m->m_pkthdr.len)) == NULL) {
			error = ENOBUFS;
			goto out;
		}
		m_copydata(m, 0, m->m_pkthdr.len, lin->m_data);
		iov[1].iov_base = lin->m_data;
		iov[1].iov_len = m->m_pkthdr.len;
		niov = 2;
	}
	rw_enter(&sc->sc_lock, false);
	if (sc->sc_fd < 0)
		error = ENETDOWN;
	else
		error = rumpuser_tap_write(sc->sc_fd, iov, niov, &done);
	rw_exit(&sc->sc_lock);
out:
	if (error != 0)
		atomic_fetch_add(&ifp->if_cnt.oerrors, 1);
	if (lin != NULL)
		m_freem(lin);
	m_freem(m);
	return error;
}

/* The host's partial checksum (VNET_F_NEEDS_CSUM) of frame m, n bytes:
 * a TCP one left marked for a forward to fill (ether_tcp_l4off),
 * anything else finished here.  false: a bad header. */
static bool
tap_rx_csum(struct mbuf *m, const struct tap_vnet *vh, size_t n)
{
	uint8_t *frame = mtod(m, uint8_t *);
	uint16_t sum;
	int l4;

	if ((size_t)vh->csum_start + vh->csum_offset + 2 > n)
		return false;
	if (vh->csum_offset == 16 && (l4 = ether_tcp_l4off(m)) >= 0 &&
	    vh->csum_start == ETHER_HDR_LEN + l4) {
		m->m_pkthdr.csum_flags |= M_CSUM_TCP;
		m->m_pkthdr.l4off = (uint16_t)l4;
		return true;
	}
	sum = in_cksum_buf(frame + vh->csum_start, n - vh->csum_start);
	if (sum == 0)
		sum = 0xffff;
	memcpy(frame + vh->csum_start + vh->csum_offset, &sum, 2);
	return true;
}

static void
tap_rxthread(void *arg)
{
	struct tap_sc *sc = arg;
	struct ifnet *ifp = &sc->sc_if;
	struct mbuf *m;
	struct tap_vnet vh;
	uint8_t *buf;
	size_t n;
	int error;

	while (!atomic_load(&sc->sc_stop)) {
		/* Into the cluster, the header in its header room; into
		 * our buffer when there is no memory for one. */
		if (sc->sc_rxm == NULL)
			sc->sc_rxm = m_getcl(MT_DATA, M_PKTHDR, TAP_BUFSIZE);
		buf = sc->sc_rxm != NULL ? mtod(sc->sc_rxm, uint8_t *) -
		    TAP_VNETLEN : sc->sc_buf;
		error = rumpuser_tap_read(sc->sc_fd, buf, TAP_BUFSIZE,
		    TAP_WAIT_NS, &n);
		if (error == ETIMEDOUT)
			continue;
		if (error != 0) {
			/* The host took the device away (EBADFD, EIO). */
			kprintf("tap: %s: read from %s: error %d; stopped\n",
			    ifp->if_name, sc->sc_dev, error);
			break;
		}
		if (n <= TAP_VNETLEN || !(ifp->if_flags & IFF_UP))
			continue;
		memcpy(&vh, buf, TAP_VNETLEN);
		n -= TAP_VNETLEN;
		if (n >= TAP_BUFSIZE) {
			atomic_fetch_add(&ifp->if_cnt.idrops, 1);
			continue;
		}
		if (sc->sc_rxm != NULL && n > TAP_SMALL) {
			m = sc->sc_rxm;
			sc->sc_rxm = NULL;
		} else if ((m = m_getcl(MT_DATA, M_PKTHDR, n)) != NULL) {
			memcpy(mtod(m, uint8_t *), buf + TAP_VNETLEN, n);
		} else {
			atomic_fetch_add(&ifp->if_cnt.idrops, 1);
			continue;
		}
		m->m_len = (uint32_t)n;
		m->m_pkthdr.len = (uint32_t)n;
		m->m_pkthdr.rcvif = ifp;
		if ((vh.flags & VNET_F_NEEDS_CSUM) && !tap_rx_csum(m, &vh, n)) {
			atomic_fetch_add(&ifp->if_cnt.ierrors, 1);
			m_freem(m);
			continue;
		}
		if (vh.flags & (VNET_F_NEEDS_CSUM | VNET_F_DATA_VALID))
			m->m_pkthdr.csum_flags |= M_CSUM_DATA_VALID;
		/* Above the MTU only as a large TCPv4 segment (if_ether.c
		 * drops anything else). */
		if (n > ifp->if_mtu + ETHER_HDR_LEN &&
		    (vh.gso_type & ~VNET_GSO_ECN) == VNET_GSO_TCPV4)
			m->m_pkthdr.segsz = vh.gso_size;
		ether_input(ifp, m);
	}
	m_freem(sc->sc_rxm);
	sc->sc_rxm = NULL;
}

static void
tap_close(struct tap_sc *sc)
{
	if (sc->sc_thread != NULL) {
		atomic_store(&sc->sc_stop, true);
		kthread_join(sc->sc_thread);
		sc->sc_thread = NULL;
	}
	rw_enter(&sc->sc_lock, true);
	if (sc->sc_fd >= 0)
		rumpuser_close(sc->sc_fd);
	sc->sc_fd = -1;
	sc->sc_if.if_tsomax = 0;
	sc->sc_if.if_csumtx = 0;
	rw_exit(&sc->sc_lock);
}

static int
tap_setdev(struct tap_sc *sc, const char *dev)
{
	int fd = -1, error = 0, offload = 0;

	if (!netcfg_priv())
		return EPERM;
	if (strlen(dev) >= TAP_DEVLEN)
		return EINVAL;
	mutex_enter(&sc->sc_cfglock);
	if (sc->sc_if.if_gone) {	/* deleted since the write found it */
		error = ENODEV;
		goto out;
	}
	if (dev[0] != '\0' &&
	    (error = rumpuser_tap_open(dev, &fd, &offload)) != 0) {
		kprintf("tap: %s: cannot open the host's TAP device %s: "
		    "error %d\n", sc->sc_if.if_name, dev, error);
		goto out;
	}
	tap_close(sc);
	if (fd < 0)
		goto out;
	rw_enter(&sc->sc_lock, true);
	sc->sc_fd = fd;
	if (offload) {
		sc->sc_if.if_tsomax = IP_MAXPACKET;
		sc->sc_if.if_csumtx = M_CSUM_TCP;
	}
	rw_exit(&sc->sc_lock);
	atomic_store(&sc->sc_stop, false);
	kstrlcpy(sc->sc_dev, dev, sizeof(sc->sc_dev));
	if ((error = kthread_create(tap_rxthread, sc, "tap",
	    &sc->sc_thread)) != 0) {
		sc->sc_thread = NULL;
		tap_close(sc);
	}
out:
	mutex_exit(&sc->sc_cfglock);
	return error;
}

static int
tap_dev_store(const struct sysctl_node *n, const char *val)
{
	struct tap_sc *sc;

	mutex_enter(&tap_list_lock);
	for (sc = tap_list; sc != NULL && &sc->sc_node != n; sc = sc->sc_next)
		continue;
	mutex_exit(&tap_list_lock);
	return sc == NULL ? ENOENT : tap_setdev(sc, val);
}

/* ip link del: as shmif_destroy, the host's device closed. */
static int
tap_destroy(struct ifnet *ifp)
{
	struct tap_sc *sc = ifp->if_softc, **pp;

	mutex_enter(&sc->sc_cfglock);
	if (ifp->if_gone) {
		mutex_exit(&sc->sc_cfglock);
		return ENODEV;
	}
	tap_close(sc);
	mutex_enter(&tap_list_lock);
	for (pp = &tap_list; *pp != NULL && *pp != sc; pp = &(*pp)->sc_next)
		continue;
	if (*pp != NULL)
		*pp = sc->sc_next;
	mutex_exit(&tap_list_lock);
	(void)sysctl_unregister(&sc->sc_node);
	ether_ifdetach(ifp);
	mutex_exit(&sc->sc_cfglock);
	return 0;
}

static int
tap_create(const char *name)
{
	struct tap_sc *sc;
	uint8_t mac[ETHER_ADDR_LEN];
	int error;

	if ((sc = kmem_zalloc(sizeof(*sc))) == NULL)
		return ENOMEM;
	if ((sc->sc_buf = kmem_alloc(TAP_BUFSIZE)) == NULL) {
		kmem_free(sc, sizeof(*sc));
		return ENOMEM;
	}
	sc->sc_fd = -1;
	rw_init(&sc->sc_lock);
	mutex_init(&sc->sc_cfglock);
	kstrlcpy(sc->sc_if.if_name, name, sizeof(sc->sc_if.if_name));
	sc->sc_if.if_softc = sc;
	sc->sc_if.if_destroy = tap_destroy;
	ether_randaddr(mac);
	if ((error = ether_ifattach(&sc->sc_if, mac, tap_xmit)) != 0) {
		mutex_destroy(&sc->sc_cfglock);
		rw_destroy(&sc->sc_lock);
		kmem_free(sc->sc_buf, TAP_BUFSIZE);
		kmem_free(sc, sizeof(*sc));
		return error;
	}
	ksnprintf(sc->sc_nodename, sizeof(sc->sc_nodename), "net.tap.%s.dev",
	    name);
	sc->sc_node.sn_name = sc->sc_nodename;
	sc->sc_node.sn_type = SYSCTL_STRING;
	sc->sc_node.sn_writable = true;
	sc->sc_node.sn_str = sc->sc_dev;
	sc->sc_node.sn_len = sizeof(sc->sc_dev);
	sc->sc_node.sn_store = tap_dev_store;
	mutex_enter(&tap_list_lock);
	sc->sc_next = tap_list;
	tap_list = sc;
	mutex_exit(&tap_list_lock);
	if ((error = sysctl_register(&sc->sc_node)) != 0)
		kprintf("tap: %s: sysctl %s: error %d\n", name,
		    sc->sc_nodename, error);
	return 0;
}

/* Halt: as shmif_shutdown, each thread stopped under its interface's
 * configuration lock, so a racing tap_close never joins it too. */
static void
tap_shutdown(void)
{
	struct tap_sc *sc;

	mutex_enter(&tap_list_lock);
	sc = tap_list;
	mutex_exit(&tap_list_lock);
	while (sc != NULL) {
		mutex_enter(&sc->sc_cfglock);
		if (sc->sc_thread != NULL) {
			atomic_store(&sc->sc_stop, true);
			kthread_join(sc->sc_thread);
			sc->sc_thread = NULL;
		}
		mutex_exit(&sc->sc_cfglock);
		mutex_enter(&tap_list_lock);
		sc = sc->sc_next;
		mutex_exit(&tap_list_lock);
	}
}

static int
tap_init(void)
{
	if (!net_up())
		return 0;		/* no stack (RUMP_THREADS=0): nothing */
	mutex_init(&tap_list_lock);
	shutdown_hook_register(tap_shutdown);
	return if_kind_register("tap", tap_create);
}

RUMP_COMPONENT(tap_component, "tap", tap_init, NULL, "netinet")
