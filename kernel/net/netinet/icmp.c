/*
 * icmp.c: ICMP for IPv4 - echo replies, errors about packets we received
 * (icmp_error), and errors about packets we sent handed to their
 * transport's ctlinput (contract in netinet/ip_var.h).
 *
 * Rate limit (Linux's icmp_ratelimit / icmp_msgs_per_sec): a token bucket
 * for errors, with no limit towards the loopback, as Linux's
 * icmpv4_xrlim_allow.  Input runs with no lock held; the bucket has its
 * own leaf lock.
 */
#include "k/kernel.h"
#include "k/abi_net.h"
#include "net/if.h"
#include "net/netinet/in_pcb.h"
#include "net/netinet/ip_var.h"
#include "net/netinet/in_var.h"

int64_t icmp_ratelimit_ms = 1000;
int64_t icmp_msgs_per_sec = 1000;
int64_t icmp_msgs_burst = 50;
int64_t icmp_echo_ignore_all;
int64_t icmp_echo_ignore_broadcasts = 1;
struct icmpstat icmpstat, icmp6stat;

static kmutex_t icmp_rl_lock;
static int64_t icmp_tokens, icmp_last_ns;

void
icmp_init(void)
{
	mutex_init(&icmp_rl_lock);
	icmp_tokens = icmp_msgs_burst;
}

/* One error may be sent to a non-loopback destination. */
bool
icmp_ratelimit(int af)
{
	struct timespec ts;
	int64_t now, add;
	bool ok;

	getnanouptime(&ts);
	now = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
	mutex_enter(&icmp_rl_lock);
	add = (now - icmp_last_ns) * icmp_msgs_per_sec / 1000000000LL;
	if (add > 0) {
		icmp_tokens = MIN(icmp_tokens + add, icmp_msgs_burst);
		icmp_last_ns = now;
	}
	ok = icmp_tokens > 0;
	if (ok)
		icmp_tokens--;
	mutex_exit(&icmp_rl_lock);
	if (!ok)
		atomic_fetch_add(af == AF_INET ? &icmpstat.icps_ratelimit :
		    &icmp6stat.icps_ratelimit, 1);
	return ok;
}

void
icmp_error(int af, struct mbuf *m, int type, int code, uint32_t info)
{
	if (af == AF_INET)
		icmp4_error(m, type, code, info);
	else
		icmp6_error(m, type, code, info);
}

/* Is an ICMP type an error (not to be answered with an error)? */
static bool
icmp_is_error(uint8_t t)
{
	return t == ICMP_DEST_UNREACH || t == ICMP_SOURCE_QUENCH ||
	    t == ICMP_REDIRECT || t == ICMP_TIME_EXCEEDED ||
	    t == ICMP_PARAMETERPROB;
}

/* Sends an ICMP message (header + body in m, checksum filled here). */
static void
icmp_send(struct mbuf *m, const struct in6_addr *src,
    const struct in6_addr *dst, int tos)
{
	struct ip_out o;
	uint16_t sum = 0;

	m_copyback(m, 2, 2, &sum);
	sum = in_cksum(m, 0, m->m_pkthdr.len);
	if (m_copyback(m, 2, 2, &sum) != 0) {
		m_freem(m);
		return;
	}
	memset(&o, 0, sizeof(o));
	o.af = AF_INET;
	o.proto = IPPROTO_ICMP;
	o.src = *src;
	o.dst = *dst;
	o.ttl = -1;
	o.tos = tos;
	o.pmtudisc = IP_PMTUDISC_DONT;
	(void)in_output(m, &o);
}

void
icmp4_error(struct mbuf *m, int type, int code, uint32_t info)
{
	struct ip ip;
	struct icmphdr ih;
	struct in6_addr src, dst, from;
	struct mbuf *n;
	size_t hlen, qlen;
	in_addr_t s, d;
	bool bcast;

	if (m->m_pkthdr.len < sizeof(ip))
		goto drop;
	m_copydata(m, 0, sizeof(ip), &ip);
	hlen = IP_HLEN(&ip);
	s = ntohl(ip.ip_src.s_addr);
	d = ntohl(ip.ip_dst.s_addr);
	/* RFC 1122 3.2.2: never about a non-first fragment, a broadcast or
	 * multicast, a source that is not one host, or an ICMP error. */
	if ((ntohs(ip.ip_off) & IP_OFFMASK) != 0 || IN_MULTICAST(d) ||
	    d == INADDR_BROADCAST || (m->m_flags & (M_BCAST | M_MCAST)) ||
	    s == 0 || IN_MULTICAST(s) || IN_BADCLASS(s) ||
	    s == INADDR_BROADCAST)
		goto drop;
	if (ip.ip_p == IPPROTO_ICMP && m->m_pkthdr.len >= hlen + 1) {
		uint8_t t;

		m_copydata(m, hlen, 1, &t);
		if (icmp_is_error(t))
			goto drop;
	}
	in6_set_v4mapped(&src, ip.ip_src.s_addr);
	in6_set_v4mapped(&dst, ip.ip_dst.s_addr);
	if (if_ours(AF_INET, &dst, &bcast) != NULL && bcast)
		goto drop;
	{
		struct in_route ro;

		if (in_route_lookup(AF_INET, &src, 0, &ro) != 0)
			goto drop;
		if (!(ro.ro_ifp->if_flags & IFF_LOOPBACK) &&
		    !icmp_ratelimit(AF_INET))
			goto drop;
	}
	/* Quote the header and as much as fits in 576 bytes (RFC 1812). */
	qlen = MIN((size_t)m->m_pkthdr.len, 576 - sizeof(ip) - sizeof(ih));
	if ((n = m_gethdr(MT_DATA)) == NULL)
		goto drop;
	memset(&ih, 0, sizeof(ih));
	ih.icmp_type = (uint8_t)type;
	ih.icmp_code = (uint8_t)code;
	if (type == ICMP_DEST_UNREACH && code == ICMP_FRAG_NEEDED)
		ih.un.frag.mtu = htons((uint16_t)info);
	else if (type == ICMP_PARAMETERPROB)
		ih.un.pptr = (uint8_t)info;
	memcpy(mtod(n, void *), &ih, sizeof(ih));
	n->m_len = sizeof(ih);
	n->m_pkthdr.len = sizeof(ih);
	{
		uint8_t buf[576];

		m_copydata(m, 0, qlen, buf);
		if (m_append(n, qlen, buf) != 0) {
			m_freem(n);
			goto drop;
		}
	}
	m_freem(m);
	/* From the address the packet was sent to, when it is ours. */
	from = dst;
	if (if_ours(AF_INET, &dst, NULL) == NULL)
		memset(&from, 0, sizeof(from));
	icmp_send(n, &from, &src, ip.ip_tos);
	return;
drop:
	m_freem(m);
}

/* Linux's icmp_err_convert: errno and whether it is fatal. */
static void
icmp_errno(int type, int code, int *errp, bool *hardp)
{
	/* Net and host unreachable are soft (RFC 1122 4.2.3.9): a
	 * connected socket without IP_RECVERR does not hear of them. */
	static const struct { int err; bool hard; } unreach[] = {
		{ ENETUNREACH, false }, { EHOSTUNREACH, false },
		{ ENOPROTOOPT, true }, { ECONNREFUSED, true },
		{ EMSGSIZE, false }, { EOPNOTSUPP, false },
		{ ENETUNREACH, true }, { EHOSTDOWN, true },
		{ ENONET, true }, { ENETUNREACH, true },
		{ EHOSTUNREACH, true }, { ENETUNREACH, false },
		{ EHOSTUNREACH, false }, { EHOSTUNREACH, true },
		{ EHOSTUNREACH, true }, { EHOSTUNREACH, true },
	};

	*hardp = false;
	switch (type) {
	case ICMP_DEST_UNREACH:
		if (code >= 0 && code <= NR_ICMP_UNREACH) {
			*errp = unreach[code].err;
			*hardp = unreach[code].hard;
		} else
			*errp = EHOSTUNREACH;
		break;
	case ICMP_TIME_EXCEEDED:
		*errp = EHOSTUNREACH;
		break;
	case ICMP_PARAMETERPROB:
		*errp = EPROTO;
		*hardp = true;
		break;
	default:
		*errp = 0;
	}
}

/* An error about a packet we sent: to the quoted protocol's ctlinput. */
static void
icmp_notify(struct mbuf *m, const struct ip_rcv *r, const struct icmphdr *ih)
{
	struct ip qip;
	struct ip_ctlmsg c;
	const struct ip_protosw *p;
	uint8_t quoted[64];
	size_t qoff = r->off + sizeof(*ih), qh, ql;

	if (r->len < sizeof(*ih) + sizeof(qip) + 8)
		return;
	m_copydata(m, qoff, sizeof(qip), &qip);
	qh = IP_HLEN(&qip);
	if (IP_VERSION(&qip) != 4 || qh < sizeof(qip) ||
	    r->len < sizeof(*ih) + qh + 8)
		return;
	ql = MIN(r->len - sizeof(*ih) - qh, sizeof(quoted));
	m_copydata(m, qoff + qh, ql, quoted);
	memset(&c, 0, sizeof(c));
	c.af = AF_INET;
	icmp_errno(ih->icmp_type, ih->icmp_code, &c.error, &c.hard);
	if (c.error == 0)
		return;
	c.icmp_type = ih->icmp_type;
	c.icmp_code = ih->icmp_code;
	if (ih->icmp_type == ICMP_DEST_UNREACH &&
	    ih->icmp_code == ICMP_FRAG_NEEDED) {
		c.icmp_info = ntohs(ih->un.frag.mtu);
		/* RFC 1191: a router that gives no MTU; guess below the
		 * quoted length.  Never below the floor. */
		if (c.icmp_info < IP_MINMTU)
			c.icmp_info = MAX(IP_MINMTU,
			    (uint32_t)ntohs(qip.ip_len) > 576 ? 576 : IP_MINMTU);
	}
	in6_set_v4mapped(&c.src, qip.ip_src.s_addr);
	in6_set_v4mapped(&c.dst, qip.ip_dst.s_addr);
	c.offender = r->src;
	c.quoted = quoted;
	c.quotedlen = ql;
	c.m = m;
	c.payoff = qoff;
	c.l4off = qoff + qh;
	c.rcv = r;
	if (c.error == EMSGSIZE && c.icmp_info != 0)
		in_pmtu_update(AF_INET, &c.dst, c.icmp_info);
	p = ip_proto_lookup(AF_INET, qip.ip_p);
	if (p != NULL && p->ipp_ctlinput != NULL)
		p->ipp_ctlinput(&c);
	rip_ctlinput(&c, qip.ip_p);
}

void
icmp_input(struct mbuf *m, const struct ip_rcv *r)
{
	struct icmphdr ih;
	struct mbuf *n;

	/* InMsgs counts the bad ones too (RFC 1213's icmpInMsgs). */
	atomic_fetch_add(&icmpstat.icps_inmsgs, 1);
	if (r->len < sizeof(ih))
		goto bad;
	if (!(m->m_pkthdr.csum_flags & M_CSUM_DATA_VALID) &&
	    in_cksum(m, r->off, r->len) != 0) {
		atomic_fetch_add(&icmpstat.icps_incsumerrors, 1);
		goto bad;
	}
	m_copydata(m, r->off, sizeof(ih), &ih);
	atomic_fetch_add(&icmpstat.icps_intype[ih.icmp_type], 1);
	switch (ih.icmp_type) {
	case ICMP_ECHO:
		if (icmp_echo_ignore_all ||
		    ((r->flags & (IPRCV_BCAST | IPRCV_MCAST)) &&
		    icmp_echo_ignore_broadcasts))
			break;
		if ((n = in_mcopy(m, r->off, r->len)) == NULL)
			break;
		ih.icmp_type = ICMP_ECHOREPLY;
		m_copyback(n, 0, 1, &ih.icmp_type);
		{
			struct in6_addr from = r->dst;

			if (r->flags & (IPRCV_BCAST | IPRCV_MCAST))
				memset(&from, 0, sizeof(from));
			icmp_send(n, &from, &r->src, r->tos);
		}
		break;
	case ICMP_ECHOREPLY:
		ping_input(m, r, &ih);
		break;
	case ICMP_DEST_UNREACH:
	case ICMP_TIME_EXCEEDED:
	case ICMP_PARAMETERPROB:
		icmp_notify(m, r, &ih);
		break;
	default:
		break;
	}
	m_freem(m);
	return;
bad:
	atomic_fetch_add(&icmpstat.icps_inerrors, 1);
	m_freem(m);
}
