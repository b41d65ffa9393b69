/*
 * in_proto.c: the inet component ("netinet"): the AF_INET and AF_INET6
 * domains and their protocols (UDP, TCP, ping, raw), the sysctls of the
 * network layer, the loopback at boot, and small helpers shared by the
 * transports (ancillary data, packet copies, datagram ioctls).
 *
 * Init runs once at boot, before any socket exists; after it the tables
 * here are read-only.
 */
#include "k/kernel.h"
#include "k/abi_net.h"
#include "k/component.h"
#include "k/socket.h"
#include "k/sysctl.h"
#include "net/if.h"
#include "net/if_loop.h"
#include "net/netinet/in_pcb.h"
#include "net/netinet/ip_var.h"
#include "net/netinet/in_var.h"
#include "net/netinet/in_pcbport.h"

extern const struct pr_usrreqs tcp_usrreqs;
int tcp_attach_proto(void);
extern int64_t ping_gid_lo, ping_gid_hi;
extern int64_t icmp_msgs_per_sec, icmp_msgs_burst;

static struct domain inetdomain, inet6domain;

/* The first entry of a type is its default (protocol 0); pr_protocol 0
 * takes any protocol (raw). */
static const struct protosw inetsw[] = {
	{ .pr_type = SOCK_STREAM, .pr_domain = &inetdomain,
	  .pr_protocol = IPPROTO_TCP,
	  .pr_flags = PR_CONNREQUIRED | PR_WANTRCVD | PR_LISTEN,
	  .pr_usrreqs = &tcp_usrreqs },
	{ .pr_type = SOCK_DGRAM, .pr_domain = &inetdomain,
	  .pr_protocol = IPPROTO_UDP, .pr_flags = PR_ATOMIC | PR_ADDR,
	  .pr_usrreqs = &udp_usrreqs },
	{ .pr_type = SOCK_DGRAM, .pr_domain = &inetdomain,
	  .pr_protocol = IPPROTO_ICMP, .pr_flags = PR_ATOMIC | PR_ADDR,
	  .pr_usrreqs = &ping_usrreqs, .pr_permit = ping_permit },
	{ .pr_type = SOCK_RAW, .pr_domain = &inetdomain,
	  .pr_protocol = 0, .pr_flags = PR_ATOMIC | PR_ADDR,
	  .pr_usrreqs = &rip_usrreqs, .pr_permit = rip_permit },
};

static const struct protosw inet6sw[] = {
	{ .pr_type = SOCK_STREAM, .pr_domain = &inet6domain,
	  .pr_protocol = IPPROTO_TCP,
	  .pr_flags = PR_CONNREQUIRED | PR_WANTRCVD | PR_LISTEN,
	  .pr_usrreqs = &tcp_usrreqs },
	{ .pr_type = SOCK_DGRAM, .pr_domain = &inet6domain,
	  .pr_protocol = IPPROTO_UDP, .pr_flags = PR_ATOMIC | PR_ADDR,
	  .pr_usrreqs = &udp_usrreqs },
	{ .pr_type = SOCK_DGRAM, .pr_domain = &inet6domain,
	  .pr_protocol = IPPROTO_ICMPV6, .pr_flags = PR_ATOMIC | PR_ADDR,
	  .pr_usrreqs = &ping_usrreqs, .pr_permit = ping_permit },
	{ .pr_type = SOCK_RAW, .pr_domain = &inet6domain,
	  .pr_protocol = 0, .pr_flags = PR_ATOMIC | PR_ADDR,
	  .pr_usrreqs = &rip_usrreqs, .pr_permit = rip_permit },
};

static struct domain inetdomain = {
	.dom_family = AF_INET, .dom_name = "inet",
	.dom_protosw = inetsw, .dom_nprotosw = __arraycount(inetsw),
};
static struct domain inet6domain = {
	.dom_family = AF_INET6, .dom_name = "inet6",
	.dom_protosw = inet6sw, .dom_nprotosw = __arraycount(inet6sw),
};

static const struct ip_protosw icmp_ipsw = { .ipp_input = icmp_input };
static const struct ip_protosw icmp6_ipsw = { .ipp_input = icmp6_input };

/* --- helpers ---------------------------------------------------------------- */

struct mbuf *
in_mcopy(const struct mbuf *m, size_t off, size_t len)
{
	struct mbuf *n;

	if (len <= MLEN - MAX_HDR_ROOM)
		n = m_gethdr(MT_DATA);
	else if (len + MAX_HDR_ROOM <= MAXCLBYTES)
		n = m_getcl(MT_DATA, M_PKTHDR, len + MAX_HDR_ROOM);
	else {
		/* Larger than one buffer: a chain of them. */
		struct mbuf *head = m_gethdr(MT_DATA);
		uint8_t buf[1024];
		size_t done = 0;

		if (head == NULL)
			return NULL;
		head->m_len = 0;
		head->m_pkthdr.len = 0;
		while (done < len) {
			size_t k = MIN(sizeof(buf), len - done);

			m_copydata(m, off + done, k, buf);
			if (m_append(head, k, buf) != 0) {
				m_freem(head);
				return NULL;
			}
			done += k;
		}
		head->m_pkthdr.csum_flags = m->m_pkthdr.csum_flags;
		return head;
	}
	if (n == NULL)
		return NULL;
	m_copydata(m, off, len, mtod(n, void *));
	n->m_len = (uint32_t)len;
	n->m_pkthdr.len = (uint32_t)len;
	n->m_pkthdr.csum_flags = m->m_pkthdr.csum_flags;
	return n;
}

int
in_cmsg_add(struct mbuf **mp, int level, int type, const void *data,
    size_t len)
{
	struct cmsghdr ch;
	size_t space = CMSG_SPACE(len);
	struct mbuf *m;
	uint8_t *p;

	if (space > MLEN)
		return EINVAL;
	if ((m = m_get(MT_CONTROL)) == NULL)
		return ENOBUFS;
	p = mtod(m, uint8_t *);
	memset(p, 0, space);
	ch.cmsg_len = CMSG_LEN(len);
	ch.cmsg_level = level;
	ch.cmsg_type = type;
	memcpy(p, &ch, sizeof(ch));
	memcpy(p + CMSG_ALIGN(sizeof(ch)), data, len);
	m->m_len = (uint32_t)space;
	if (*mp == NULL)
		*mp = m;
	else {
		struct mbuf *t = *mp;

		while (t->m_next != NULL)
			t = t->m_next;
		t->m_next = m;
	}
	return 0;
}

int
in_dgram_ioctl(struct socket *so, unsigned long cmd, void *data)
{
	int v = 0;

	switch (cmd) {
	case FIONREAD: {
		/* Linux: the size of the next datagram, not all of them. */
		struct mbuf *m = so->so_rcv.sb_mb;

		for (; m != NULL; m = m->m_next)
			if (m->m_type == MT_DATA || m->m_type == MT_HEADER)
				v += (int)m->m_len;
		return copyout(&v, data, sizeof(v));
	}
	case SIOCOUTQ:
		v = (int)so->so_snd.sb_cc;
		return copyout(&v, data, sizeof(v));
	default:
		return ENOTTY;
	}
}

/* --- sysctls ------------------------------------------------------------- */

static char port_range[32] = "32768\t60999";
static char ping_range[32] = "1\t0";

/* Two numbers separated by blanks; false if malformed. */
static bool
parse_pair(const char *s, int64_t *a, int64_t *b)
{
	int64_t v[2] = { 0, 0 };
	int n = 0;

	while (n < 2) {
		bool any = false, neg = false;

		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '-') {
			neg = true;
			s++;
		}
		while (*s >= '0' && *s <= '9') {
			v[n] = v[n] * 10 + (*s++ - '0');
			if (v[n] > 0xffffffffLL)
				return false;
			any = true;
		}
		if (!any)
			return false;
		if (neg)
			v[n] = -v[n];
		n++;
	}
	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	if (*s != '\0')
		return false;
	*a = v[0];
	*b = v[1];
	return true;
}

static void
port_range_changed(const struct sysctl_node *n __unused)
{
	int64_t a, b;

	/* Linux refuses a range that is empty or outside 1..65535 (EINVAL);
	 * a refused write here leaves the old range in place. */
	if (parse_pair(port_range, &a, &b) && a >= 1 && b <= 65535 && a <= b) {
		ip_port_first = a;
		ip_port_last = b;
	}
	ksnprintf(port_range, sizeof(port_range), "%lld\t%lld",
	    (long long)ip_port_first, (long long)ip_port_last);
}

static void
ping_range_changed(const struct sysctl_node *n __unused)
{
	int64_t a, b;

	if (parse_pair(ping_range, &a, &b) && a >= 0 && b >= 0 &&
	    a <= 0x7fffffff && b <= 0x7fffffff) {
		ping_gid_lo = a;
		ping_gid_hi = b;
	}
	ksnprintf(ping_range, sizeof(ping_range), "%lld\t%lld",
	    (long long)ping_gid_lo, (long long)ping_gid_hi);
}

static int64_t lo_mtu_sc = LOMTU;

static void
lo_mtu_changed(const struct sysctl_node *n __unused)
{
	if (lo_ifp != NULL)
		lo_ifp->if_mtu = (uint32_t)lo_mtu_sc;
}

#define ISC(nm, var, lo, hi) \
	{ .sn_name = (nm), .sn_type = SYSCTL_INT, .sn_writable = true, \
	  .sn_int = &(var), .sn_min = (lo), .sn_max = (hi) }
static struct sysctl_node in_nodes[] = {
	ISC("net.ipv4.ip_default_ttl", ip_defttl, 1, 255),
	{ .sn_name = "net.ipv4.ip_local_port_range", .sn_type = SYSCTL_STRING,
	  .sn_writable = true, .sn_str = port_range,
	  .sn_len = sizeof(port_range), .sn_changed = port_range_changed },
	{ .sn_name = "net.ipv4.ping_group_range", .sn_type = SYSCTL_STRING,
	  .sn_writable = true, .sn_str = ping_range,
	  .sn_len = sizeof(ping_range), .sn_changed = ping_range_changed },
	ISC("net.ipv4.ip_unprivileged_port_start", ip_unpriv_port_start, 0,
	    65535),
	ISC("net.ipv4.ipfrag_high_thresh", ipfrag_high_thresh, 0, 1 << 30),
	ISC("net.ipv4.ipfrag_time", ipfrag_time, 1, 3600),
	ISC("net.ipv4.ipfrag_max_queues", ipfrag_max_queues, 0, 1 << 20),
	ISC("net.ipv4.icmp_echo_ignore_all", icmp_echo_ignore_all, 0, 1),
	ISC("net.ipv4.icmp_echo_ignore_broadcasts",
	    icmp_echo_ignore_broadcasts, 0, 1),
	ISC("net.ipv4.icmp_msgs_per_sec", icmp_msgs_per_sec, 0, 1 << 20),
	ISC("net.ipv4.icmp_msgs_burst", icmp_msgs_burst, 0, 1 << 20),
	ISC("net.ipv6.conf.all.hop_limit", ip6_defhlim, 1, 255),
	{ .sn_name = "net.lo.mtu", .sn_type = SYSCTL_INT, .sn_writable = true,
	  .sn_int = &lo_mtu_sc, .sn_min = IPV6_MINMTU, .sn_max = LOMTU,
	  .sn_changed = lo_mtu_changed },
};

/* --- the component ------------------------------------------------------- */

static int
netinet_init(void)
{
	int error;

	if (!net_up())
		return 0;		/* the faction said why */
	if_init();
	netcfg_ioctl_init();
	ip_reass_init();
	in_pmtu_init();
	icmp_init();
	ip_ctloutput_init();
	for (size_t i = 0; i < __arraycount(in_nodes); i++)
		if ((error = sysctl_register(&in_nodes[i])) != 0)
			return error;
	if ((error = lo_sysctl_init()) != 0 || (error = lo_attach()) != 0)
		return error;
	if ((error = udp_init()) != 0 || (error = rip_init()) != 0)
		return error;
	if ((error = ip_proto_register(AF_INET, IPPROTO_ICMP,
	    &icmp_ipsw)) != 0 ||
	    (error = ip_proto_register(AF_INET6, IPPROTO_ICMPV6,
	    &icmp6_ipsw)) != 0)
		return error;
	if ((error = tcp_attach_proto()) != 0)
		return error;
	if ((error = domain_register(&inetdomain)) != 0 ||
	    (error = netlink_init()) != 0 ||
	    (error = in_procnet_init()) != 0 ||
	    (error = in_procnet_stat_init()) != 0 ||
	    (error = if_sysfs_init()) != 0)
		return error;
	return domain_register(&inet6domain);
}

RUMP_COMPONENT(netinet_component, "netinet", netinet_init, NULL, "net")
