/*
 * nd6.c: IPv6 neighbour discovery over Ethernet (RFC 4861), duplicate
 * address detection (RFC 4862) and link-local addresses (RFC 4291
 * appendix A, modified EUI-64, as Linux's addr_gen_mode eui64).
 *
 * Input (from icmp6_input, checksum checked there): neighbour
 * solicitations and advertisements.  Both need hop limit 255 and code 0
 * (RFC 4861 7.1.1/7.1.2), a non-multicast target, well-formed options
 * (a length-0 option, one running past the end, or a link-layer address
 * option that is not 8 bytes drops the packet); drops are counted
 * (rump_nd6_drops).
 *  - NS for one of our usable addresses: the sender is learnt (STALE,
 *    from its source link-layer address option) and answered with an NA
 *    with S (unless from ::, then to ff02::1 without S), O, R when
 *    forwarding, and our MAC as target link-layer address.  An NS from ::
 *    for a tentative address of ours is another node's DAD: ours fails.
 *  - NA: for a tentative address of ours, DAD fails; otherwise it updates
 *    an existing entry (S -> REACHABLE, O may change the address), never
 *    creates one.  The router flag is not kept (no NTF_ROUTER yet).
 * Router solicitations/advertisements and redirects are ignored (no
 * SLAAC; redirects never change routes, as accept_redirects would not
 * matter without it).
 *
 * Output: solicitations for the neighbour table (ether_solicit) from a
 * usable address of the interface, to the solicited-node group or, for a
 * probe, to the known MAC; every ND packet is built here whole and handed
 * to ether_send with its Ethernet destination, so resolution never
 * recurses.
 *
 * DAD: an IPv6 address added to an Ethernet interface without
 * IFA_F_NODAD is IFA_F_TENTATIVE (if.c); one NS from :: is sent
 * (dad_transmits 1) and after retrans_time (1 s) the flag is cleared.
 * An NA for it, or an NS from :: for it, meanwhile sets IFA_F_DADFAILED
 * (it stays tentative, as Linux shows "tentative dadfailed").  Tentative
 * addresses are not chosen as sources (if_srcaddr) nor accepted as ours
 * (if_ours).  DAD runs in a fixed table of DAD_MAX slots whose callouts
 * are never freed (a handler must not free its own callout); when all are
 * busy the address becomes usable at once, without DAD.
 */
#include "k/kernel.h"
#include "k/abi_net.h"
#include "k/callout.h"
#include "net/if.h"
#include "net/if_ether.h"
#include "net/ether_var.h"
#include "net/route.h"
#include "net/netinet/in_pcb.h"
#include "net/netinet/ip_var.h"

#define ND_NS		135
#define ND_NA		136
#define NA_ROUTER	0x80
#define NA_SOLICITED	0x40
#define NA_OVERRIDE	0x20
#define OPT_SLLA	1
#define OPT_TLLA	2
#define ND_MAXLEN	1500
#define DAD_MAX		64
#define DAD_NS		(1000LL * 1000000)	/* retrans_time */

int rump_nd6_drops(void);

static atomic_int nd6_drops;

struct dad {
	struct callout d_timer;
	struct ifnet *d_ifp;
	struct in6_addr d_addr;
	bool d_busy;
};
static struct dad dad_slots[DAD_MAX];
static kmutex_t nd6_lock;
static atomic_bool nd6_inited;

int
rump_nd6_drops(void)
{
	return atomic_load(&nd6_drops);
}

static uint16_t
cksum6(const struct in6_addr *src, const struct in6_addr *dst,
    const uint8_t *p, size_t len)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i < 16; i += 2) {
		sum += (uint32_t)(src->s6_addr[i] << 8 | src->s6_addr[i + 1]);
		sum += (uint32_t)(dst->s6_addr[i] << 8 | dst->s6_addr[i + 1]);
	}
	sum += (uint32_t)len;
	sum += IPPROTO_ICMPV6;
	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)(p[len - 1] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

static void
solicited_node(const struct in6_addr *a, struct in6_addr *g)
{
	memset(g, 0, sizeof(*g));
	g->s6_addr[0] = 0xff;
	g->s6_addr[1] = 0x02;
	g->s6_addr[11] = 0x01;
	g->s6_addr[12] = 0xff;
	memcpy(&g->s6_addr[13], &a->s6_addr[13], 3);
}

/*
 * Sends an ND message body (ICMPv6 from its type on) from src to dst,
 * hop limit 255, to Ethernet destination mac (NULL: resolve dst).
 */
static void
nd6_send(struct ifnet *ifp, const struct in6_addr *src,
    const struct in6_addr *dst, uint8_t *body, size_t len, const uint8_t *mac)
{
	uint8_t pkt[40 + 64];
	uint16_t sum;
	struct mbuf *m;

	memset(pkt, 0, 40);
	pkt[0] = 0x60;
	pkt[4] = (uint8_t)(len >> 8);
	pkt[5] = (uint8_t)len;
	pkt[6] = IPPROTO_ICMPV6;
	pkt[7] = 255;
	memcpy(pkt + 8, src, 16);
	memcpy(pkt + 24, dst, 16);
	body[2] = body[3] = 0;
	sum = cksum6(src, dst, body, len);
	memcpy(body + 2, &sum, 2);
	memcpy(pkt + 40, body, len);
	/* Counted as Linux's ndisc_send_skb does (not through in_output). */
	atomic_fetch_add(&icmp6stat.icps_outmsgs, 1);
	atomic_fetch_add(&icmp6stat.icps_outtype[body[0]], 1);
	if ((m = m_gethdr(MT_DATA)) == NULL)
		return;
	m->m_len = 0;
	m->m_pkthdr.len = 0;
	if (m_append(m, 40 + len, pkt) != 0) {
		m_freem(m);
		return;
	}
	if (mac != NULL)
		(void)ether_send(ifp, m, mac, ETHERTYPE_IPV6);
	else
		(void)ether_output(ifp, m, AF_INET6, dst);
}

/* NS for target: DAD (from ::, no option) when dad, else from src. */
static void
ns_send(struct ifnet *ifp, const struct in6_addr *src,
    const struct in6_addr *target, const uint8_t *unicast)
{
	uint8_t b[32], mac[ETHER_ADDR_LEN];
	struct in6_addr dst;
	size_t len = 24;

	memset(b, 0, sizeof(b));
	b[0] = ND_NS;
	memcpy(b + 8, target, 16);
	if (!in6_is_unspec(src)) {
		b[24] = OPT_SLLA;
		b[25] = 1;
		memcpy(b + 26, ifp->if_hwaddr, ETHER_ADDR_LEN);
		len = 32;
	}
	if (unicast != NULL) {
		dst = *target;
		memcpy(mac, unicast, ETHER_ADDR_LEN);
	} else {
		solicited_node(target, &dst);
		(void)ether_mcast_map(AF_INET6, &dst, mac);
	}
	nd6_send(ifp, src, &dst, b, len, mac);
}

void
nd6_ns_output(struct ifnet *ifp, const struct in6_addr *target,
    const uint8_t *unicast)
{
	struct in6_addr src;

	/* Only DAD may solicit from ::; without a usable address, wait. */
	if (if_srcaddr(ifp, AF_INET6, target, &src) != 0)
		return;
	ns_send(ifp, &src, target, unicast);
}

/* The IFA_F_* flags of addr on ifp, or -1 if it has none. */
static int
ifa_flags_of(struct ifnet *ifp, const struct in6_addr *addr)
{
	struct ifaddr *ifa;
	int f = -1;

	rw_enter(&if_lock, false);
	TAILQ_FOREACH(ifa, &ifp->if_ifa6, ifa_list)
		if (in6_equal(&ifa->ifa_addr, addr)) {
			f = ifa->ifa_flags;
			break;
		}
	rw_exit(&if_lock);
	return f;
}

static void
ifa_flags_set(struct ifnet *ifp, const struct in6_addr *addr, int set,
    int clear)
{
	struct ifaddr *ifa;

	rw_enter(&if_lock, true);
	TAILQ_FOREACH(ifa, &ifp->if_ifa6, ifa_list)
		if (in6_equal(&ifa->ifa_addr, addr))
			ifa->ifa_flags = (ifa->ifa_flags | set) & ~clear;
	rw_exit(&if_lock);
}

static void
dad_timer(void *arg)
{
	struct dad *d = arg;
	int f;

	mutex_enter(&nd6_lock);
	if (d->d_busy) {
		f = ifa_flags_of(d->d_ifp, &d->d_addr);
		if (f >= 0 && !(f & IFA_F_DADFAILED))
			ifa_flags_set(d->d_ifp, &d->d_addr, 0,
			    IFA_F_TENTATIVE);
		d->d_busy = false;
	}
	mutex_exit(&nd6_lock);
}

static void
nd6_init_once(void)
{
	int i;

	if (atomic_load(&nd6_inited))
		return;
	/* Called first from if_addr_add/ether_ifattach, in a kernel entry;
	 * two racing first calls are guarded by the exchange. */
	if (atomic_exchange(&nd6_inited, true))
		return;
	mutex_init(&nd6_lock);
	for (i = 0; i < DAD_MAX; i++)
		callout_init(&dad_slots[i].d_timer, dad_timer, &dad_slots[i]);
}

void
nd6_dad_start(struct ifnet *ifp, const struct in6_addr *addr)
{
	static const struct in6_addr any;
	struct dad *d = NULL;
	int i;

	nd6_init_once();
	mutex_enter(&nd6_lock);
	for (i = 0; i < DAD_MAX && d == NULL; i++)
		if (!dad_slots[i].d_busy)
			d = &dad_slots[i];
	if (d != NULL) {
		d->d_busy = true;
		d->d_ifp = ifp;
		d->d_addr = *addr;
		(void)callout_schedule(&d->d_timer, DAD_NS);
	}
	mutex_exit(&nd6_lock);
	if (d == NULL) {
		ifa_flags_set(ifp, addr, 0, IFA_F_TENTATIVE);
		return;
	}
	ns_send(ifp, &any, addr, NULL);
}

static void
dad_failed(struct ifnet *ifp, const struct in6_addr *addr)
{
	int i;

	nd6_init_once();
	mutex_enter(&nd6_lock);
	for (i = 0; i < DAD_MAX; i++)
		if (dad_slots[i].d_busy && dad_slots[i].d_ifp == ifp &&
		    in6_equal(&dad_slots[i].d_addr, addr)) {
			(void)callout_stop(&dad_slots[i].d_timer);
			dad_slots[i].d_busy = false;
		}
	ifa_flags_set(ifp, addr, IFA_F_DADFAILED, 0);
	mutex_exit(&nd6_lock);
	kprintf("rump: %s: IPv6 duplicate address detected\n",
	    ifp->if_name);
}

void
nd6_ifup(struct ifnet *ifp)
{
	struct in6_addr ll;

	if (ifp->if_l2 == NULL || ifp->if_hwlen != ETHER_ADDR_LEN)
		return;
	memset(&ll, 0, sizeof(ll));
	ll.s6_addr[0] = 0xfe;
	ll.s6_addr[1] = 0x80;
	ll.s6_addr[8] = ifp->if_hwaddr[0] ^ 0x02;	/* universal/local */
	ll.s6_addr[9] = ifp->if_hwaddr[1];
	ll.s6_addr[10] = ifp->if_hwaddr[2];
	ll.s6_addr[11] = 0xff;
	ll.s6_addr[12] = 0xfe;
	ll.s6_addr[13] = ifp->if_hwaddr[3];
	ll.s6_addr[14] = ifp->if_hwaddr[4];
	ll.s6_addr[15] = ifp->if_hwaddr[5];
	(void)if_addr_add(ifp, AF_INET6, &ll, 64, 0);
}

void
nd6_if_detached(struct ifnet *ifp)
{
	int i;

	if (!atomic_load(&nd6_inited))
		return;
	mutex_enter(&nd6_lock);
	for (i = 0; i < DAD_MAX; i++)
		if (dad_slots[i].d_busy && dad_slots[i].d_ifp == ifp) {
			(void)callout_stop(&dad_slots[i].d_timer);
			dad_slots[i].d_busy = false;
		}
	mutex_exit(&nd6_lock);
}

/*
 * Finds the link-layer address option of type want in the options
 * (p, len): 1 found (*ll set), 0 none, -1 malformed.
 */
static int
nd6_opts(const uint8_t *p, size_t len, int want, const uint8_t **ll)
{
	size_t off = 0, olen;
	int found = 0;

	while (off < len) {
		if (len - off < 2)
			return -1;
		olen = (size_t)p[off + 1] * 8;
		if (olen == 0 || olen > len - off)
			return -1;
		if (p[off] == OPT_SLLA || p[off] == OPT_TLLA) {
			if (olen != 8)
				return -1;	/* Ethernet: 6 bytes in 8 */
			if (p[off] == want) {
				*ll = p + off + 2;
				found = 1;
			}
		}
		off += olen;
	}
	return found;
}

void
nd6_input(struct mbuf *m, const struct ip_rcv *r)
{
	struct ifnet *ifp = r->ifp;
	uint8_t b[ND_MAXLEN], reply[32];
	struct in6_addr target, dst;
	const uint8_t *ll = NULL;
	int f, have, flags;
	bool from_any;

	if (ifp == NULL || ifp->if_l2 == NULL)
		return;
	if (r->ttl != 255 || r->len < 24 || r->len > sizeof(b))
		goto bad;
	m_copydata(m, r->off, r->len, b);
	if (b[1] != 0)
		goto bad;
	memcpy(&target, b + 8, 16);
	if (in6_is_multicast(&target))
		goto bad;
	from_any = in6_is_unspec(&r->src);
	f = ifa_flags_of(ifp, &target);
	if (b[0] == ND_NS) {
		have = nd6_opts(b + 24, r->len - 24, OPT_SLLA, &ll);
		if (have < 0)
			goto bad;
		/* RFC 4861 7.1.1: DAD probes go to the solicited-node group
		 * and carry no source link-layer address. */
		if (from_any) {
			struct in6_addr g;

			solicited_node(&target, &g);
			if (!in6_equal(&r->dst, &g) || have)
				goto bad;
		}
		if (f < 0)
			return;		/* not ours (no proxy ND) */
		if (f & IFA_F_TENTATIVE) {
			if (from_any && !(f & IFA_F_DADFAILED))
				dad_failed(ifp, &target);
			return;		/* never answered for */
		}
		if (!from_any && have)
			neigh_update(ifp, AF_INET6, &r->src, ll,
			    ETHER_ADDR_LEN, false, true, true);
		memset(reply, 0, sizeof(reply));
		reply[0] = ND_NA;
		flags = NA_OVERRIDE | (from_any ? 0 : NA_SOLICITED) |
		    (ip_forwarding(AF_INET6) ? NA_ROUTER : 0);
		reply[4] = (uint8_t)flags;
		memcpy(reply + 8, &target, 16);
		reply[24] = OPT_TLLA;
		reply[25] = 1;
		memcpy(reply + 26, ifp->if_hwaddr, ETHER_ADDR_LEN);
		if (from_any) {
			memset(&dst, 0, sizeof(dst));
			dst.s6_addr[0] = 0xff;
			dst.s6_addr[1] = 0x02;
			dst.s6_addr[15] = 0x01;
			nd6_send(ifp, &target, &dst, reply, 32,
			    (const uint8_t *)"\x33\x33\x00\x00\x00\x01");
		} else
			nd6_send(ifp, &target, &r->src, reply, 32,
			    have ? ll : NULL);
		return;
	}
	if (b[0] != ND_NA)
		return;
	flags = b[4];
	have = nd6_opts(b + 24, r->len - 24, OPT_TLLA, &ll);
	if (have < 0 || ((flags & NA_SOLICITED) && in6_is_multicast(&r->dst)))
		goto bad;
	if (f >= 0) {
		if ((f & IFA_F_TENTATIVE) && !(f & IFA_F_DADFAILED))
			dad_failed(ifp, &target);
		return;			/* someone else claims ours */
	}
	if (have)
		neigh_update(ifp, AF_INET6, &target, ll, ETHER_ADDR_LEN,
		    (flags & NA_SOLICITED) != 0, false,
		    (flags & NA_OVERRIDE) != 0);
	return;
bad:
	atomic_fetch_add(&nd6_drops, 1);
}
