/*
 * if_sysfs.c: the attributes of /sys/class/net/<if>/ (k/sysfs.h), in the
 * formats and with the errnos of Linux's net/core/net-sysfs.c.
 *
 * What is shown: address and broadcast ("%02x:..." over addr_len bytes;
 * Ethernet's broadcast is all ones, lo's is zeros), addr_len, ifindex,
 * iflink (the interface itself: nothing here is stacked), type (ARPHRD),
 * mtu, tx_queue_len, flags ("0x%x" of the configured flags, without
 * RUNNING/LOWER_UP, as dev->flags), operstate (down when not up, unknown
 * for lo, else up or down from RUNNING), carrier, dormant and testing
 * (EINVAL when the interface is not up, as netif_running decides), the
 * constant dev_id, dev_port and link_mode, ifalias, speed and duplex
 * (EINVAL: no driver reports a link speed, as lo on Linux), and the 24
 * statistics/ counters (those the stack does not keep are 0, as in
 * /proc/net/dev).
 *
 * Writable as in Linux: mtu, flags, tx_queue_len (a number as kstrtoul
 * base 0 reads it: 0x.. hex, 0.. octal, one trailing newline; EINVAL on
 * anything else, ERANGE past an unsigned long or, for tx_queue_len, an
 * unsigned int), ifalias (under 256 bytes, one trailing newline dropped,
 * empty removes it) and carrier (EOPNOTSUPP, up or down: no driver
 * changes its carrier).  Every store needs CAP_NET_ADMIN (EPERM).
 * The alias is kept here, by interface index (if.h has no field for it).
 */
#include "k/kernel.h"
#include "k/sysfs.h"
#include "net/if.h"
#include "net/if_cfg.h"
#include "net/netinet/in_var.h"

#define IFALIASZ	256

enum {
	A_ADDRESS, A_ADDR_LEN, A_BROADCAST, A_CARRIER, A_DEV_ID, A_DEV_PORT,
	A_DORMANT, A_DUPLEX, A_FLAGS, A_IFALIAS, A_IFINDEX, A_IFLINK,
	A_LINK_MODE, A_MTU, A_OPERSTATE, A_SPEED, A_TESTING, A_TX_QUEUE_LEN,
	A_TYPE,
	A_STATS			/* the first statistics/ file */
};

static const struct sysfs_attr if_sysfs_attrs[] = {
	[A_ADDRESS] = { "address", 0444, 0 },
	[A_ADDR_LEN] = { "addr_len", 0444, 0 },
	[A_BROADCAST] = { "broadcast", 0444, 0 },
	[A_CARRIER] = { "carrier", 0644, 0 },
	[A_DEV_ID] = { "dev_id", 0444, 0 },
	[A_DEV_PORT] = { "dev_port", 0444, 0 },
	[A_DORMANT] = { "dormant", 0444, 0 },
	[A_DUPLEX] = { "duplex", 0444, 0 },
	[A_FLAGS] = { "flags", 0644, 0 },
	[A_IFALIAS] = { "ifalias", 0644, 0 },
	[A_IFINDEX] = { "ifindex", 0444, 0 },
	[A_IFLINK] = { "iflink", 0444, 0 },
	[A_LINK_MODE] = { "link_mode", 0444, 0 },
	[A_MTU] = { "mtu", 0644, 0 },
	[A_OPERSTATE] = { "operstate", 0444, 0 },
	[A_SPEED] = { "speed", 0444, 0 },
	[A_TESTING] = { "testing", 0444, 0 },
	[A_TX_QUEUE_LEN] = { "tx_queue_len", 0644, 0 },
	[A_TYPE] = { "type", 0444, 0 },
	/* statistics/: the order of if_stat() below. */
	{ "collisions", 0444, 1 }, { "multicast", 0444, 1 },
	{ "rx_bytes", 0444, 1 }, { "rx_compressed", 0444, 1 },
	{ "rx_crc_errors", 0444, 1 }, { "rx_dropped", 0444, 1 },
	{ "rx_errors", 0444, 1 }, { "rx_fifo_errors", 0444, 1 },
	{ "rx_frame_errors", 0444, 1 }, { "rx_length_errors", 0444, 1 },
	{ "rx_missed_errors", 0444, 1 }, { "rx_nohandler", 0444, 1 },
	{ "rx_over_errors", 0444, 1 }, { "rx_packets", 0444, 1 },
	{ "tx_aborted_errors", 0444, 1 }, { "tx_bytes", 0444, 1 },
	{ "tx_carrier_errors", 0444, 1 }, { "tx_compressed", 0444, 1 },
	{ "tx_dropped", 0444, 1 }, { "tx_errors", 0444, 1 },
	{ "tx_fifo_errors", 0444, 1 }, { "tx_heartbeat_errors", 0444, 1 },
	{ "tx_packets", 0444, 1 }, { "tx_window_errors", 0444, 1 },
};

/* Aliases by interface index (indexes are never reused). */
struct if_alias {
	struct if_alias *al_next;
	int al_index;
	char al_text[IFALIASZ];
};
static kmutex_t if_alias_lock;
static struct if_alias *if_aliases;

static struct if_alias *
if_alias_find(int index)
{
	struct if_alias *al;

	for (al = if_aliases; al != NULL; al = al->al_next)
		if (al->al_index == index)
			return al;
	return NULL;
}

static uint64_t
if_stat(const struct ifnet *ifp, int which)
{
	const struct if_counters *c = &ifp->if_cnt;

	switch (which) {
	case 1:
		return atomic_load(&c->imcasts);
	case 2:
		return atomic_load(&c->ibytes);
	case 5:
		return atomic_load(&c->idrops);
	case 6:
		return atomic_load(&c->ierrors);
	case 13:
		return atomic_load(&c->ipackets);
	case 15:
		return atomic_load(&c->obytes);
	case 18:
		return atomic_load(&c->odrops);
	case 19:
		return atomic_load(&c->oerrors);
	case 22:
		return atomic_load(&c->opackets);
	default:
		return 0;
	}
}

static void
if_put_hw(struct ktext *t, const uint8_t *a, int len)
{
	for (int i = 0; i < len; i++)
		ktext_printf(t, "%s%02x", i ? ":" : "", a[i]);
	ktext_printf(t, "\n");
}

static int
if_sysfs_read(int index, int attr, struct ktext *t)
{
	struct ifnet *ifp;
	struct if_alias *al;
	uint8_t brd[8];
	bool up;
	int error = 0;

	if ((ifp = if_byindex(index)) == NULL)
		return ENODEV;
	rw_enter(&if_lock, false);
	up = (ifp->if_flags & IFF_UP) != 0;
	switch (attr) {
	case A_ADDRESS:
		if_put_hw(t, ifp->if_hwaddr, ifp->if_hwlen);
		break;
	case A_ADDR_LEN:
		ktext_printf(t, "%d\n", ifp->if_hwlen);
		break;
	case A_BROADCAST:
		memset(brd, ifp->if_type == ARPHRD_ETHER ? 0xff : 0,
		    sizeof(brd));
		if_put_hw(t, brd, ifp->if_hwlen);
		break;
	case A_CARRIER:
		if (up)
			ktext_printf(t, "%d\n",
			    (ifc_getflags(ifp) & IFF_LOWER_UP) != 0);
		else
			error = EINVAL;
		break;
	case A_DORMANT:
	case A_TESTING:
		if (up)
			ktext_printf(t, "0\n");
		else
			error = EINVAL;
		break;
	case A_DEV_ID:
		ktext_printf(t, "0x0\n");
		break;
	case A_DEV_PORT:
	case A_LINK_MODE:
		ktext_printf(t, "0\n");
		break;
	case A_DUPLEX:
	case A_SPEED:
		error = EINVAL;
		break;
	case A_FLAGS:
		ktext_printf(t, "0x%x\n", (unsigned)ifp->if_flags &
		    ~(unsigned)(IFF_RUNNING | IFF_LOWER_UP | IFF_DORMANT));
		break;
	case A_IFALIAS:
		mutex_enter(&if_alias_lock);
		al = if_alias_find(index);
		/* No alias: an empty file, not a newline. */
		if (al != NULL)
			ktext_printf(t, "%s\n", al->al_text);
		mutex_exit(&if_alias_lock);
		break;
	case A_IFINDEX:
	case A_IFLINK:
		ktext_printf(t, "%d\n", ifp->if_index);
		break;
	case A_MTU:
		ktext_printf(t, "%u\n", (unsigned)ifp->if_mtu);
		break;
	case A_OPERSTATE:
		ktext_printf(t, "%s\n", !up ? "down" :
		    ifp->if_type == ARPHRD_LOOPBACK ? "unknown" :
		    (ifc_getflags(ifp) & IFF_RUNNING) ? "up" : "down");
		break;
	case A_TX_QUEUE_LEN:
		ktext_printf(t, "%d\n", ifp->if_txqlen);
		break;
	case A_TYPE:
		ktext_printf(t, "%d\n", ifp->if_type);
		break;
	default:
		if (attr >= A_STATS &&
		    attr < (int)__arraycount(if_sysfs_attrs))
			ktext_printf(t, "%llu\n", (unsigned long long)
			    if_stat(ifp, attr - A_STATS));
		else
			error = ENOENT;
		break;
	}
	rw_exit(&if_lock);
	return error;
}

/*
 * Linux's kstrtoul(buf, 0): an optional '+', 0x/0 for hex/octal, digits,
 * one optional trailing newline.  EINVAL, or ERANGE on overflow.
 */
static int
if_parse_ulong(const char *buf, size_t len, uint64_t *vp)
{
	uint64_t v = 0, base = 10, d;
	size_t i = 0;

	if (len > 0 && buf[len - 1] == '\n')
		len--;
	if (i < len && buf[i] == '+')
		i++;
	if (i + 1 < len && buf[i] == '0' && (buf[i + 1] | 0x20) == 'x' &&
	    i + 2 < len) {
		base = 16;
		i += 2;
	} else if (i + 1 < len && buf[i] == '0') {
		base = 8;
		i++;
	}
	if (i == len)
		return EINVAL;
	for (; i < len; i++) {
		char c = buf[i];

		if (c >= '0' && c <= '9')
			d = (uint64_t)(c - '0');
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			d = (uint64_t)((c | 0x20) - 'a' + 10);
		else
			return EINVAL;
		if (d >= base)
			return EINVAL;
		if (v > (UINT64_MAX - d) / base)
			return ERANGE;
		v = v * base + d;
	}
	*vp = v;
	return 0;
}

static int
if_set_alias(int index, const char *buf, size_t len)
{
	struct if_alias *al, **pp;

	if (len >= IFALIASZ)
		return EINVAL;
	if (len > 0 && buf[len - 1] == '\n')
		len--;
	mutex_enter(&if_alias_lock);
	if ((al = if_alias_find(index)) == NULL && len > 0) {
		if ((al = kmem_zalloc(sizeof(*al))) == NULL) {
			mutex_exit(&if_alias_lock);
			return ENOMEM;
		}
		al->al_index = index;
		al->al_next = if_aliases;
		if_aliases = al;
	}
	if (al != NULL && len > 0) {
		memcpy(al->al_text, buf, len);
		al->al_text[len] = '\0';
	} else if (al != NULL) {
		for (pp = &if_aliases; *pp != al; pp = &(*pp)->al_next)
			continue;
		*pp = al->al_next;
		kmem_free(al, sizeof(*al));
	}
	mutex_exit(&if_alias_lock);
	return 0;
}

static int
if_sysfs_write(int index, int attr, const char *buf, size_t len)
{
	struct ifnet *ifp;
	uint64_t v;
	int error;

	if (!netcfg_priv())
		return EPERM;
	if (attr == A_IFALIAS) {
		if (len >= IFALIASZ)
			return EINVAL;
		if (if_byindex(index) == NULL)
			return ENODEV;
		return if_set_alias(index, buf, len);
	}
	if ((error = if_parse_ulong(buf, len, &v)) != 0)
		return error;
	if ((ifp = if_byindex(index)) == NULL)
		return ENODEV;
	switch (attr) {
	case A_MTU:
		/* Linux passes the number on as an int. */
		return ifc_setmtu(ifp, (int)v);
	case A_FLAGS:
		return ifc_setflags(ifp, (unsigned)v);
	case A_TX_QUEUE_LEN:
		if (v > UINT32_MAX)
			return ERANGE;
		if (v > INT32_MAX)
			return EINVAL;
		return ifc_settxqlen(ifp, (int)v);
	case A_CARRIER:
		/* dev_change_carrier: no driver has ndo_change_carrier. */
		return EOPNOTSUPP;
	default:
		return EACCES;
	}
}

static int
if_sysfs_next(int min, int *indexp, char *name)
{
	struct ifnet *ifp;
	int error = ENOENT;

	rw_enter(&if_lock, false);
	TAILQ_FOREACH(ifp, &if_all, if_list) {
		if (ifp->if_gone || ifp->if_index < min)
			continue;
		*indexp = ifp->if_index;
		kstrlcpy(name, ifp->if_name, SYSFS_IFNAMSIZ);
		error = 0;
		break;
	}
	rw_exit(&if_lock);
	return error;
}

static int
if_sysfs_lookup(const char *name, size_t len, int *indexp)
{
	struct ifnet *ifp;
	int error = ENOENT;

	rw_enter(&if_lock, false);
	TAILQ_FOREACH(ifp, &if_all, if_list) {
		if (!ifp->if_gone && strlen(ifp->if_name) == len &&
		    memcmp(ifp->if_name, name, len) == 0) {
			*indexp = ifp->if_index;
			error = 0;
			break;
		}
	}
	rw_exit(&if_lock);
	return error;
}

static int
if_sysfs_name(int index, char *name)
{
	struct ifnet *ifp;

	if ((ifp = if_byindex(index)) == NULL)
		return ENODEV;
	rw_enter(&if_lock, false);
	kstrlcpy(name, ifp->if_name, SYSFS_IFNAMSIZ);
	rw_exit(&if_lock);
	return 0;
}

static const struct sysfs_net_ops if_sysfs_ops = {
	.sn_attrs = if_sysfs_attrs,
	.sn_nattrs = (int)__arraycount(if_sysfs_attrs),
	.sn_next = if_sysfs_next,
	.sn_lookup = if_sysfs_lookup,
	.sn_name = if_sysfs_name,
	.sn_read = if_sysfs_read,
	.sn_write = if_sysfs_write,
};

int
if_sysfs_init(void)
{
	mutex_init(&if_alias_lock);
	return sysfs_net_register(&if_sysfs_ops);
}
