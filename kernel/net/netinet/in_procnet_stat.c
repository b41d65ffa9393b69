/*
 * in_procnet_stat.c: the /proc/net files of tables and counters, in
 * Linux's exact formats, as net-tools (arp -n, route -A inet6, netstat
 * -s) and ss read them: arp (the neighbour table's IPv4 entries, as
 * arp_seq_show), ipv6_route (every IPv6 route, as ipv6_route_native_
 * seq_show), snmp and netstat (the MIB counters: Ip from ipstat, Tcp from
 * tcpstat and the tcb table, Icmp and IcmpMsg from icmpstat, Udp from
 * udpstat; UdpLite does not exist), snmp6 (Ip6, Icmp6 from ip6stat and
 * icmp6stat; Udp6 shows zeros: udpstat counts both families together),
 * sockstat and sockstat6 (the pcb tables; memory columns are 0: no
 * per-protocol accounting).
 *
 * Locking: route_lock/neigh_lock inside their walks (callbacks only
 * print), each pcb table's ipt_lock while counting.
 */
#include "k/kernel.h"
#include "k/procnet.h"
#include "k/socket.h"
#include "net/if.h"
#include "net/route.h"
#include "net/net_private.h"
#include "net/netinet/in_pcb.h"
#include "net/netinet/in_var.h"
#include "net/netinet/ip_var.h"
#include "net/netinet/tcp_var.h"

#define ATF_COM		0x02
#define ATF_PERM	0x04
/* ipv6_route's flags (Linux's RTF_* of include/uapi/linux/ipv6_route.h) */
#define RTF6_UP		0x00000001
#define RTF6_GATEWAY	0x00000002
#define RTF6_REJECT	0x00000200
#define RTF6_NONEXTHOP	0x00200000
#define RTF6_LOCAL	0x80000000u

static uint64_t
ld(atomic_uint_fast64_t *v)
{
	return (uint64_t)atomic_load(v);
}

/* --- arp --------------------------------------------------------------- */
static int
arp_line(const struct neigh_info *ni, void *arg)
{
	struct ktext *t = arg;
	struct ifnet *ifp = if_byindex(ni->ni_ifindex);
	char ip[16], hw[3 * NEIGH_LLMAX + 1] = "";
	size_t n = 0;
	uint32_t a = ntohl(in6_v4addr(&ni->ni_addr));
	int fl = (ni->ni_state & NUD_PERMANENT) ? ATF_PERM | ATF_COM :
	    (ni->ni_state & NUD_VALID) ? ATF_COM : 0;

	if (ifp == NULL)
		return 0;
	ksnprintf(ip, sizeof(ip), "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff,
	    (a >> 8) & 0xff, a & 0xff);
	/* Linux prints the device's length of bytes, zeros if unknown. */
	for (int i = 0; i < ifp->if_hwlen && i < NEIGH_LLMAX; i++)
		n += (size_t)ksnprintf(hw + n, sizeof(hw) - n, "%s%02x",
		    i ? ":" : "", ni->ni_lllen > i ? ni->ni_lladdr[i] : 0);
	ktext_printf(t, "%-16s 0x%-10x0x%-10x%-17s     *        %s\n", ip,
	    (unsigned)ifp->if_type, (unsigned)fl, hw, ifp->if_name);
	return 0;
}

static int
gen_arp(struct ktext *t)
{
	ktext_printf(t, "IP address       HW type     Flags       "
	    "HW address            Mask     Device\n");
	(void)neigh_walk(AF_INET, 0, NULL, arp_line, t);
	return t->t_nomem ? ENOMEM : 0;
}

/* --- ipv6_route ---------------------------------------------------------- */
static void
hex16(struct ktext *t, const struct in6_addr *a)
{
	for (int i = 0; i < 16; i++)
		ktext_printf(t, "%02x", a->s6_addr[i]);
}

static int
route6_line(const struct route_info *ri, void *arg)
{
	struct ktext *t = arg;
	struct ifnet *ifp = ri->ri_ifindex ? if_byindex(ri->ri_ifindex) :
	    NULL;
	struct in6_addr zero = { 0 };
	uint32_t fl = RTF6_UP;

	if (ri->ri_flags & RTF_GATEWAY)
		fl |= RTF6_GATEWAY;
	else
		fl |= RTF6_NONEXTHOP;
	if (ri->ri_type == RTN_LOCAL)
		fl |= RTF6_LOCAL;
	if (ri->ri_type == RTN_UNREACHABLE || ri->ri_type == RTN_PROHIBIT ||
	    ri->ri_type == RTN_BLACKHOLE)
		fl |= RTF6_REJECT;
	hex16(t, &ri->ri_dst);
	ktext_printf(t, " %02x ", ri->ri_plen);
	hex16(t, &zero);
	ktext_printf(t, " 00 ");
	hex16(t, (ri->ri_flags & RTF_GATEWAY) ? &ri->ri_gw : &zero);
	ktext_printf(t, " %08x %08x %08x %08x %8s\n", ri->ri_metric,
	    ri->ri_type == RTN_LOCAL ? 2u : 1u, 0u, fl,
	    ifp != NULL ? ifp->if_name : "lo");
	return 0;
}

static int
gen_ipv6_route(struct ktext *t)
{
	(void)route_walk(AF_INET6, 0, NULL, route6_line, t);
	return t->t_nomem ? ENOMEM : 0;
}

/* --- counting sockets ------------------------------------------------------ */
struct pcbcount {
	int all, inuse, listen_or_conn, estab, tw, orphan;
};

static void
count_pcbs(struct inpcbtable *tab, int af, bool tcp, struct pcbcount *pc)
{
	struct inpcb *inp;

	memset(pc, 0, sizeof(*pc));
	mutex_enter(&tab->ipt_lock);
	TAILQ_FOREACH(inp, &tab->ipt_queue, inp_queue) {
		if (inp->inp_af != af || (inp->inp_flags & INP_DEAD))
			continue;
		pc->all++;
		if (tcp) {
			const struct tcpcb *tp = inp->inp_ppcb;
			int st = tp != NULL ? tp->t_state : TCPS_CLOSED;

			if (st == TCPS_TIME_WAIT)
				pc->tw++;
			else if (st != TCPS_CLOSED)
				pc->inuse++;
			if (st == TCPS_ESTABLISHED || st == TCPS_CLOSE_WAIT)
				pc->estab++;
			if (inp->inp_socket == NULL && st != TCPS_TIME_WAIT)
				pc->orphan++;
		} else if (inp->inp_bound || inp->inp_connected) {
			pc->inuse++;
		}
	}
	mutex_exit(&tab->ipt_lock);
}

static int
gen_sockstat(struct ktext *t)
{
	struct pcbcount tc, uc, rc;

	count_pcbs(&tcbtable, AF_INET, true, &tc);
	count_pcbs(&udbtable, AF_INET, false, &uc);
	count_pcbs(&rawtable, AF_INET, false, &rc);
	ktext_printf(t, "sockets: used %ld\n", socket_count());
	ktext_printf(t, "TCP: inuse %d orphan %d tw %d alloc %d mem 0\n",
	    tc.inuse, tc.orphan, tc.tw, tc.all);
	ktext_printf(t, "UDP: inuse %d mem 0\nUDPLITE: inuse 0\n"
	    "RAW: inuse %d\nFRAG: inuse 0 memory 0\n", uc.inuse, rc.all);
	return t->t_nomem ? ENOMEM : 0;
}

static int
gen_sockstat6(struct ktext *t)
{
	struct pcbcount tc, uc, rc;

	count_pcbs(&tcbtable, AF_INET6, true, &tc);
	count_pcbs(&udbtable, AF_INET6, false, &uc);
	count_pcbs(&rawtable, AF_INET6, false, &rc);
	ktext_printf(t, "TCP6: inuse %d\nUDP6: inuse %d\nUDPLITE6: inuse 0\n"
	    "RAW6: inuse %d\nFRAG6: inuse 0 memory 0\n", tc.inuse, uc.inuse,
	    rc.all);
	return t->t_nomem ? ENOMEM : 0;
}

/* --- snmp, netstat ----------------------------------------------------------- */
static const char icmp_names[] = "InMsgs InErrors InCsumErrors "
    "InDestUnreachs InTimeExcds InParmProbs InSrcQuenchs InRedirects "
    "InEchos InEchoReps InTimestamps InTimestampReps InAddrMasks "
    "InAddrMaskReps OutMsgs OutErrors OutRateLimitGlobal OutRateLimitHost "
    "OutDestUnreachs OutTimeExcds OutParmProbs OutSrcQuenchs OutRedirects "
    "OutEchos OutEchoReps OutTimestamps OutTimestampReps OutAddrMasks "
    "OutAddrMaskReps";
static const char udp_names[] = "InDatagrams NoPorts InErrors "
    "OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti "
    "MemErrors";

/* The types icmp_names has In and Out columns for, in its order. */
static const uint8_t icmp_named[] = { 3, 11, 12, 4, 5, 8, 0, 13, 14, 17,
    18 };

/* Icmp (RFC 2011's columns) and IcmpMsg (the nonzero types, 16 to a
 * pair of lines), as Linux's icmp_put/icmpmsg_put. */
static void
gen_icmp(struct ktext *t)
{
	struct icmpstat *s = &icmpstat;
	uint16_t type[16];
	uint64_t val[16];
	int n = 0;

	ktext_printf(t, "Icmp: %s\nIcmp: %llu %llu %llu", icmp_names,
	    (unsigned long long)ld(&s->icps_inmsgs),
	    (unsigned long long)ld(&s->icps_inerrors),
	    (unsigned long long)ld(&s->icps_incsumerrors));
	for (size_t i = 0; i < sizeof(icmp_named); i++)
		ktext_printf(t, " %llu", (unsigned long long)
		    ld(&s->icps_intype[icmp_named[i]]));
	ktext_printf(t, " %llu %llu %llu 0",
	    (unsigned long long)ld(&s->icps_outmsgs),
	    (unsigned long long)ld(&s->icps_outerrors),
	    (unsigned long long)ld(&s->icps_ratelimit));
	for (size_t i = 0; i < sizeof(icmp_named); i++)
		ktext_printf(t, " %llu", (unsigned long long)
		    ld(&s->icps_outtype[icmp_named[i]]));
	for (int i = 0; i <= 512; i++) {
		uint64_t v = 0;

		if (i < 512)
			v = ld(i < 256 ? &s->icps_intype[i] :
			    &s->icps_outtype[i - 256]);
		if (v != 0) {
			type[n] = (uint16_t)i;
			val[n++] = v;
		}
		if (n > 0 && (n == 16 || i == 512)) {
			ktext_printf(t, "\nIcmpMsg:");
			for (int j = 0; j < n; j++)
				ktext_printf(t, " %sType%u", type[j] >= 256 ?
				    "Out" : "In", type[j] & 0xff);
			ktext_printf(t, "\nIcmpMsg:");
			for (int j = 0; j < n; j++)
				ktext_printf(t, " %llu",
				    (unsigned long long)val[j]);
			n = 0;
		}
	}
	ktext_printf(t, "\n");
}

static int
gen_snmp(struct ktext *t)
{
	struct ipstat *s = &ipstat;
	struct tcpstat *ts = &tcpstat;
	struct udpstat *us = &udpstat;
	struct pcbcount t4, t6;

	count_pcbs(&tcbtable, AF_INET, true, &t4);
	count_pcbs(&tcbtable, AF_INET6, true, &t6);
	ktext_printf(t, "Ip: Forwarding DefaultTTL InReceives InHdrErrors "
	    "InAddrErrors ForwDatagrams InUnknownProtos InDiscards "
	    "InDelivers OutRequests OutDiscards OutNoRoutes ReasmTimeout "
	    "ReasmReqds ReasmOKs ReasmFails FragOKs FragFails FragCreates "
	    "OutTransmits\n");
	ktext_printf(t, "Ip: %d %lld %llu %llu 0 %llu %llu 0 %llu %llu %llu "
	    "%llu %llu %llu %llu %llu %llu %llu 0 %llu\n",
	    ip_forwarding(AF_INET) ? 1 : 2, (long long)ip_defttl,
	    (unsigned long long)ld(&s->ips_total),
	    (unsigned long long)(ld(&s->ips_badsum) + ld(&s->ips_tooshort) +
	    ld(&s->ips_badhlen) + ld(&s->ips_badlen) + ld(&s->ips_badvers)),
	    (unsigned long long)ld(&s->ips_forwarded),
	    (unsigned long long)ld(&s->ips_noproto),
	    (unsigned long long)ld(&s->ips_delivered),
	    (unsigned long long)ld(&s->ips_localout),
	    (unsigned long long)ld(&s->ips_odropped),
	    (unsigned long long)ld(&s->ips_noroute),
	    (unsigned long long)ld(&s->ips_fragtimeout),
	    (unsigned long long)ld(&s->ips_fragments),
	    (unsigned long long)ld(&s->ips_reassembled),
	    (unsigned long long)ld(&s->ips_fragdropped),
	    (unsigned long long)ld(&s->ips_fragmented),
	    (unsigned long long)ld(&s->ips_cantfrag),
	    (unsigned long long)(ld(&s->ips_localout) +
	    ld(&s->ips_forwarded)));
	gen_icmp(t);
	ktext_printf(t, "Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens "
	    "PassiveOpens AttemptFails EstabResets CurrEstab InSegs OutSegs "
	    "RetransSegs InErrs OutRsts InCsumErrors\n");
	ktext_printf(t, "Tcp: 1 200 120000 -1 %llu %llu %llu %llu %d %llu "
	    "%llu %llu %llu %llu %llu\n",
	    (unsigned long long)ld(&ts->tcps_connattempt),
	    (unsigned long long)ld(&ts->tcps_accepts),
	    (unsigned long long)ld(&ts->tcps_conndrops),
	    (unsigned long long)ld(&ts->tcps_drops), t4.estab + t6.estab,
	    (unsigned long long)ld(&ts->tcps_rcvtotal),
	    (unsigned long long)ld(&ts->tcps_sndtotal),
	    (unsigned long long)ld(&ts->tcps_sndrexmitpack),
	    (unsigned long long)(ld(&ts->tcps_rcvbadsum) +
	    ld(&ts->tcps_rcvshort)),
	    (unsigned long long)ld(&ts->tcps_rstsent),
	    (unsigned long long)ld(&ts->tcps_rcvbadsum));
	ktext_printf(t, "Udp: %s\nUdp: %llu %llu %llu %llu %llu %llu %llu "
	    "0 0\n", udp_names,
	    (unsigned long long)ld(&us->udps_indatagrams),
	    (unsigned long long)ld(&us->udps_noports),
	    (unsigned long long)ld(&us->udps_inerrors),
	    (unsigned long long)ld(&us->udps_outdatagrams),
	    (unsigned long long)ld(&us->udps_rcvbuferrors),
	    (unsigned long long)ld(&us->udps_sndbuferrors),
	    (unsigned long long)ld(&us->udps_incsumerrors));
	ktext_printf(t, "UdpLite: %s\nUdpLite: 0 0 0 0 0 0 0 0 0\n",
	    udp_names);
	return t->t_nomem ? ENOMEM : 0;
}

static int
gen_netstat(struct ktext *t)
{
	struct tcpstat *ts = &tcpstat;
	struct ipstat *s = &ipstat;

	ktext_printf(t, "TcpExt: SyncookiesSent SyncookiesRecv "
	    "SyncookiesFailed TW ListenOverflows ListenDrops TCPTimeouts "
	    "TCPChallengeACK\n");
	ktext_printf(t, "TcpExt: %llu %llu 0 %llu %llu %llu %llu %llu\n",
	    (unsigned long long)ld(&ts->tcps_syncookies_sent),
	    (unsigned long long)ld(&ts->tcps_syncookies_ok),
	    (unsigned long long)ld(&ts->tcps_timewait),
	    (unsigned long long)ld(&ts->tcps_listendrop),
	    (unsigned long long)ld(&ts->tcps_listendrop),
	    (unsigned long long)ld(&ts->tcps_rexmttimeo),
	    (unsigned long long)ld(&ts->tcps_challenge_ack));
	ktext_printf(t, "IpExt: InNoRoutes InTruncatedPkts\n");
	ktext_printf(t, "IpExt: 0 %llu\n",
	    (unsigned long long)(ld(&s->ips_tooshort) + ld(&s->ips_badlen)));
	return t->t_nomem ? ENOMEM : 0;
}

/* --- snmp6 ------------------------------------------------------------------ */
static void
item6(struct ktext *t, const char *pfx, const char *name, uint64_t v)
{
	char n[40];

	ksnprintf(n, sizeof(n), "%s%s", pfx, name);
	ktext_printf(t, "%-32s\t%llu\n", n, (unsigned long long)v);
}

/* The ICMPv6 types Linux's snmp6 names (icmp6type2name). */
static const char *
icmp6_name(int type)
{
	static const struct { uint8_t t; const char *n; } names[] = {
		{ 1, "DestUnreachs" }, { 2, "PktTooBigs" },
		{ 3, "TimeExcds" }, { 4, "ParmProblems" }, { 128, "Echos" },
		{ 129, "EchoReplies" }, { 130, "GroupMembQueries" },
		{ 131, "GroupMembResponses" }, { 132, "GroupMembReductions" },
		{ 133, "RouterSolicits" }, { 134, "RouterAdvertisements" },
		{ 135, "NeighborSolicits" }, { 136, "NeighborAdvertisements" },
		{ 137, "Redirects" }, { 143, "MLDv2Reports" },
	};

	for (size_t i = 0; i < __arraycount(names); i++)
		if (names[i].t == type)
			return names[i].n;
	return NULL;
}

/* /proc/net/snmp6, as Linux's snmp6_seq_show: one "name value" a line. */
static int
gen_snmp6(struct ktext *t)
{
	struct ipstat *s = &ip6stat;
	struct icmpstat *c = &icmp6stat;
	const struct { const char *n; uint64_t v; } ip[] = {
		{ "InReceives", ld(&s->ips_total) },
		{ "InHdrErrors", ld(&s->ips_badsum) + ld(&s->ips_tooshort) +
		    ld(&s->ips_badhlen) + ld(&s->ips_badlen) +
		    ld(&s->ips_badvers) },
		{ "InTooBigErrors", 0 }, { "InNoRoutes", 0 },
		{ "InAddrErrors", 0 },
		{ "InUnknownProtos", ld(&s->ips_noproto) },
		{ "InTruncatedPkts", ld(&s->ips_tooshort) },
		{ "InDiscards", 0 }, { "InDelivers", ld(&s->ips_delivered) },
		{ "OutForwDatagrams", ld(&s->ips_forwarded) },
		{ "OutRequests", ld(&s->ips_localout) },
		{ "OutDiscards", ld(&s->ips_odropped) },
		{ "OutNoRoutes", ld(&s->ips_noroute) },
		{ "ReasmTimeout", ld(&s->ips_fragtimeout) },
		{ "ReasmReqds", ld(&s->ips_fragments) },
		{ "ReasmOKs", ld(&s->ips_reassembled) },
		{ "ReasmFails", ld(&s->ips_fragdropped) },
		{ "FragOKs", ld(&s->ips_fragmented) },
		{ "FragFails", ld(&s->ips_cantfrag) }, { "FragCreates", 0 },
		{ "InMcastPkts", 0 }, { "OutMcastPkts", 0 },
		{ "InOctets", 0 }, { "OutOctets", 0 },
		{ "InMcastOctets", 0 }, { "OutMcastOctets", 0 },
		{ "InBcastOctets", 0 }, { "OutBcastOctets", 0 },
		{ "InNoECTPkts", 0 }, { "InECT1Pkts", 0 },
		{ "InECT0Pkts", 0 }, { "InCEPkts", 0 },
		{ "OutTransmits", ld(&s->ips_localout) +
		    ld(&s->ips_forwarded) },
	};
	static const char *const udp[] = { "InDatagrams", "NoPorts",
	    "InErrors", "OutDatagrams", "RcvbufErrors", "SndbufErrors",
	    "InCsumErrors", "IgnoredMulti", "MemErrors" };
	char n[32];

	for (size_t i = 0; i < __arraycount(ip); i++)
		item6(t, "Ip6", ip[i].n, ip[i].v);
	item6(t, "Icmp6", "InMsgs", ld(&c->icps_inmsgs));
	item6(t, "Icmp6", "InErrors", ld(&c->icps_inerrors));
	item6(t, "Icmp6", "OutMsgs", ld(&c->icps_outmsgs));
	item6(t, "Icmp6", "OutErrors", ld(&c->icps_outerrors));
	item6(t, "Icmp6", "InCsumErrors", ld(&c->icps_incsumerrors));
	item6(t, "Icmp6", "OutRateLimitHost", ld(&c->icps_ratelimit));
	for (int i = 0; i < 512; i++) {
		const char *nm = icmp6_name(i & 0xff);

		if (nm != NULL)
			item6(t, i < 256 ? "Icmp6In" : "Icmp6Out", nm,
			    ld(i < 256 ? &c->icps_intype[i] :
			    &c->icps_outtype[i - 256]));
	}
	for (int i = 0; i < 512; i++) {
		uint64_t v = ld(i < 256 ? &c->icps_intype[i] :
		    &c->icps_outtype[i - 256]);

		if (v == 0)
			continue;
		ksnprintf(n, sizeof(n), "Type%u", i & 0xff);
		item6(t, i < 256 ? "Icmp6In" : "Icmp6Out", n, v);
	}
	for (size_t i = 0; i < __arraycount(udp); i++)
		item6(t, "Udp6", udp[i], 0);
	for (size_t i = 0; i < __arraycount(udp); i++)
		if (strcmp(udp[i], "IgnoredMulti") != 0)
			item6(t, "UdpLite6", udp[i], 0);
	return t->t_nomem ? ENOMEM : 0;
}

int
in_procnet_stat_init(void)
{
	static const struct {
		const char *name;
		procnet_gen_t gen;
	} files[] = {
		{ "arp", gen_arp }, { "ipv6_route", gen_ipv6_route },
		{ "snmp", gen_snmp }, { "netstat", gen_netstat },
		{ "sockstat", gen_sockstat }, { "sockstat6", gen_sockstat6 },
		{ "snmp6", gen_snmp6 },
	};
	int error;

	for (size_t i = 0; i < __arraycount(files); i++)
		if ((error = procnet_register(files[i].name,
		    files[i].gen)) != 0)
			return error;
	return 0;
}
