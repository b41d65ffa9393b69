/*
 * in_procnet.c: /proc/net/dev, tcp, tcp6, udp, udp6 in Linux's exact
 * formats (net/core/net-procfs.c, net/ipv4/tcp_ipv4.c, udp.c,
 * net/ipv6/tcp_ipv6.c), the files net-tools' ifconfig and netstat and
 * iproute2's ss (without sock_diag) read; if_inet6 (ifconfig's IPv6).  Timer, retransmit and queue
 * columns the stack does not keep are 0; the pointer column is 0.
 *
 * Locking: if_lock (read) for dev; each pcb table's ipt_lock for the
 * sockets, whose fields are read without their so_lock (a snapshot that
 * may be a moment old, as on Linux).
 */
#include "k/kernel.h"
#include "k/procnet.h"
#include "net/route.h"
#include "k/socket.h"
#include "net/if.h"
#include "net/netinet/in_pcb.h"
#include "net/netinet/in_var.h"
#include "net/netinet/tcp_var.h"

static int
gen_dev(struct ktext *t)
{
	struct ifnet *ifp;

	ktext_printf(t, "Inter-|   Receive                            "
	    "                    |  Transmit\n"
	    " face |bytes    packets errs drop fifo frame compressed "
	    "multicast|bytes    packets errs drop fifo colls carrier "
	    "compressed\n");
	rw_enter(&if_lock, false);
	TAILQ_FOREACH(ifp, &if_all, if_list) {
		const struct if_counters *k = &ifp->if_cnt;

		if (ifp->if_gone)
			continue;
		ktext_printf(t, "%6s: %7llu %7llu %4llu %4llu %4u %5u %10u "
		    "%9llu %8llu %7llu %4llu %4llu %4u %5u %7u %10u\n",
		    ifp->if_name,
		    (unsigned long long)atomic_load(&k->ibytes),
		    (unsigned long long)atomic_load(&k->ipackets),
		    (unsigned long long)atomic_load(&k->ierrors),
		    (unsigned long long)atomic_load(&k->idrops), 0u, 0u, 0u,
		    (unsigned long long)atomic_load(&k->imcasts),
		    (unsigned long long)atomic_load(&k->obytes),
		    (unsigned long long)atomic_load(&k->opackets),
		    (unsigned long long)atomic_load(&k->oerrors),
		    (unsigned long long)atomic_load(&k->odrops), 0u, 0u, 0u,
		    0u);
	}
	rw_exit(&if_lock);
	return 0;
}

/* if_inet6: address, index, prefix, scope (IPV6_ADDR_* class), flags. */
static int
gen_if_inet6(struct ktext *t)
{
	struct ifnet *ifp;
	struct ifaddr *ifa;

	rw_enter(&if_lock, false);
	TAILQ_FOREACH(ifp, &if_all, if_list) {
		if (ifp->if_gone)
			continue;
		TAILQ_FOREACH(ifa, &ifp->if_ifa6, ifa_list) {
			int scope = ifa->ifa_scope == RT_SCOPE_HOST ? 0x10 :
			    ifa->ifa_scope == RT_SCOPE_LINK ? 0x20 :
			    ifa->ifa_scope == RT_SCOPE_SITE ? 0x40 : 0;

			for (int i = 0; i < 16; i++)
				ktext_printf(t, "%02x",
				    ifa->ifa_addr.s6_addr[i]);
			ktext_printf(t, " %02x %02x %02x %02x %8s\n",
			    ifp->if_index, ifa->ifa_plen, scope,
			    ifa->ifa_flags & 0xff, ifp->if_name);
		}
	}
	rw_exit(&if_lock);
	return 0;
}

/* Linux's TCP_* state numbers (include/net/tcp_states.h); sock_diag
 * answers with them too. */
int
linux_tcp_state(int s)
{
	switch (s) {
	case TCPS_ESTABLISHED:	return 1;
	case TCPS_SYN_SENT:	return 2;
	case TCPS_SYN_RECEIVED:	return 3;
	case TCPS_FIN_WAIT_1:	return 4;
	case TCPS_FIN_WAIT_2:	return 5;
	case TCPS_TIME_WAIT:	return 6;
	case TCPS_CLOSE_WAIT:	return 8;
	case TCPS_LAST_ACK:	return 9;
	case TCPS_LISTEN:	return 10;
	case TCPS_CLOSING:	return 11;
	default:		return 7;	/* TCP_CLOSE */
	}
}

static void
put_addr(struct ktext *t, bool v6, const struct in6_addr *a, uint16_t port)
{
	if (v6)
		ktext_printf(t, "%08X%08X%08X%08X:%04X", a->s6_addr32[0],
		    a->s6_addr32[1], a->s6_addr32[2], a->s6_addr32[3],
		    ntohs(port));
	else
		ktext_printf(t, "%08X:%04X", a->s6_addr32[3], ntohs(port));
}

/* One table's sockets of one family (tcp: the states from tcpcbs). */
static int
gen_inet(struct ktext *t, struct inpcbtable *tab, int af, bool tcp)
{
	bool v6 = af == AF_INET6;
	struct inpcb *inp;
	int sl = 0;

	if (v6)
		ktext_printf(t, "  sl  local_address                         "
		    "remote_address                        st tx_queue rx_queue "
		    "tr tm->when retrnsmt   uid  timeout inode\n");
	else
		ktext_printf(t, "  sl  local_address rem_address   st tx_queue "
		    "rx_queue tr tm->when retrnsmt   uid  timeout inode%s\n",
		    tcp ? "" : " ref pointer drops");
	mutex_enter(&tab->ipt_lock);
	TAILQ_FOREACH(inp, &tab->ipt_queue, inp_queue) {
		struct socket *so = inp->inp_socket;
		int st;

		if (inp->inp_af != af || (inp->inp_flags & INP_DEAD))
			continue;
		if (tcp) {
			const struct tcpcb *tp = inp->inp_ppcb;

			st = tp != NULL ? linux_tcp_state(tp->t_state) : 7;
		} else {
			st = inp->inp_connected ? 1 : 7;
		}
		ktext_printf(t, "%4d: ", sl++);
		/* A raw socket's "port" is its protocol (raw_sock_seq_show). */
		put_addr(t, v6, &inp->inp_laddr, tab == &rawtable ?
		    htons((uint16_t)inp->inp_proto) : inp->inp_lport);
		ktext_printf(t, " ");
		put_addr(t, v6, &inp->inp_faddr, inp->inp_fport);
		ktext_printf(t, " %02X %08X:%08X 00:00000000 00000000 %5u "
		    "%8d %llu %d 0000000000000000", st,
		    so != NULL ? (unsigned)so->so_snd.sb_cc : 0u,
		    so != NULL ? (unsigned)so->so_rcv.sb_cc : 0u,
		    (unsigned)inp->inp_uid, 0,
		    so != NULL ? (unsigned long long)so->so_ino : 0ull, 1);
		ktext_printf(t, tcp ? " 100 0 0 10 0\n" : " 0\n");
	}
	mutex_exit(&tab->ipt_lock);
	return 0;
}

static int gen_tcp(struct ktext *t) { return gen_inet(t, &tcbtable, AF_INET, true); }
static int gen_tcp6(struct ktext *t) { return gen_inet(t, &tcbtable, AF_INET6, true); }
static int gen_udp(struct ktext *t) { return gen_inet(t, &udbtable, AF_INET, false); }
static int gen_udp6(struct ktext *t) { return gen_inet(t, &udbtable, AF_INET6, false); }
static int gen_raw(struct ktext *t) { return gen_inet(t, &rawtable, AF_INET, false); }
static int gen_raw6(struct ktext *t) { return gen_inet(t, &rawtable, AF_INET6, false); }

/* /proc/net/route: the main table's IPv4 routes, each line padded to 127
 * characters as Linux's fib_route_seq_show pads them. */
static int
route_line(const struct route_info *ri, void *arg)
{
	struct ktext *t = arg;
	struct ifnet *ifp;
	char line[160];
	uint32_t mask = ri->ri_plen == 0 ? 0 :
	    htonl(~0u << (32 - ri->ri_plen));
	int n, fl = ri->ri_flags & (RTF_UP | RTF_GATEWAY | RTF_HOST |
	    RTF_REJECT);

	if (ri->ri_table != RT_TABLE_MAIN)
		return 0;
	ifp = ri->ri_ifindex != 0 ? if_byindex(ri->ri_ifindex) : NULL;
	n = ksnprintf(line, sizeof(line),
	    "%s\t%08X\t%08X\t%04X\t0\t0\t%u\t%08X\t%d\t%u\t%u",
	    ifp != NULL ? ifp->if_name : "*", in6_v4addr(&ri->ri_dst),
	    (ri->ri_flags & RTF_GATEWAY) ? in6_v4addr(&ri->ri_gw) : 0, fl,
	    ri->ri_metric, mask, ri->ri_mtu != 0 ? (int)ri->ri_mtu + 40 : 0,
	    0u, 0u);
	ktext_printf(t, "%-127.*s\n", n, line);
	return 0;
}

static int
gen_route(struct ktext *t)
{
	ktext_printf(t, "%-127s\n", "Iface\tDestination\tGateway "
	    "\tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT");
	(void)route_walk(AF_INET, RT_TABLE_MAIN, NULL, route_line, t);
	return t->t_nomem ? ENOMEM : 0;
}

int
in_procnet_init(void)
{
	static const struct {
		const char *name;
		procnet_gen_t gen;
	} files[] = {
		{ "dev", gen_dev }, { "tcp", gen_tcp }, { "tcp6", gen_tcp6 },
		{ "udp", gen_udp }, { "udp6", gen_udp6 }, { "raw", gen_raw },
		{ "raw6", gen_raw6 }, { "if_inet6", gen_if_inet6 },
		{ "route", gen_route },
	};
	int error;

	for (size_t i = 0; i < __arraycount(files); i++)
		if ((error = procnet_register(files[i].name,
		    files[i].gen)) != 0)
			return error;
	return 0;
}
