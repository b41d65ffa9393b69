/*
 * in_var.h: private declarations of the inet component (netinet/ and
 * netinet6/ only; transports use ip_var.h and in_pcb.h).
 */
#ifndef NETINET_IN_VAR_H
#define NETINET_IN_VAR_H

#include "k/kernel.h"
#include "k/mbuf.h"
#include "net/netinet/ip_var.h"

struct ifnet;
struct inpcb;

/* if.c, if_loop.c */
void if_init(void);
/* if_ioctl.c: registers the interface ioctls with the socket layer. */
void netcfg_ioctl_init(void);
/* netlink/af_netlink.c: registers AF_NETLINK (NETLINK_ROUTE). */
int netlink_init(void);
/* in_procnet.c: /proc/net/dev, tcp, tcp6, udp, udp6, raw, raw6. */
/* in_procnet.c: /proc/net/dev, tcp(6), udp(6), raw(6), if_inet6. */
int in_procnet_init(void);
int in_procnet_stat_init(void);
/* if_sysfs.c: the attributes of /sys/class/net (k/sysfs.h). */
int if_sysfs_init(void);
/* Linux's TCP_* number of a TCPS_* state (in_procnet.c). */
int linux_tcp_state(int tcps);
int lo_attach(void);
int lo_sysctl_init(void);

/* ip_input.c / ip6_input.c: a packet from if_input, m at the IP header */
void ip_input(struct mbuf *m);
void ip6_input(struct mbuf *m);
/* Hands a validated packet to its transport (or answers unreachable). */
void ip_deliver(struct mbuf *m, struct ip_rcv *r, int proto);
const struct ip_protosw *ip_proto_lookup(int af, int proto);

/* ip_frag.c / frag6.c: reassembly; returns the whole packet or NULL (kept
 * or dropped).  Both share the memory budget below. */
struct mbuf *ip_reass(struct mbuf *m);
/* m: an IPv6 packet whose fragment header is at fragoff; the unfragmentable
 * part's last next-header field at nxtoff.  Returns the reassembled packet
 * without the fragment header, or NULL. */
struct mbuf *frag6_input(struct mbuf *m, size_t fragoff, size_t nxtoff);
void ip_reass_init(void);
/* Drops expired queues (called from input and a timer when there is one). */
void ip_reass_expire(void);
extern int64_t ipfrag_high_thresh;	/* net.ipv4.ipfrag_high_thresh */
extern int64_t ipfrag_time;		/* net.ipv4.ipfrag_time (seconds) */
extern int64_t ipfrag_max_queues;	/* queues held at once */
/* Splits an IPv4 packet (header at the front) into fragments of mtu. */
int ip_fragment(struct mbuf *m, uint32_t mtu, struct mbuf **listp);
/* A packet not for us (ip_forward.c): forwarded if the family's switch
 * is on (ip_forwarding), else the caller drops it.  Owns m. */
void ip_forward(struct mbuf *m, int af);
int ip6_fragment(struct mbuf *m, size_t unfraglen, uint8_t nxt,
    uint32_t mtu, struct mbuf **listp);

/* ip_output.c / ip6_output.c */
int ip4_output(struct mbuf *m, const struct ip_out *o, struct in_route *ro);
int ip6_output(struct mbuf *m, const struct ip_out *o, struct in_route *ro);
/* Computes a checksum left undone (M_CSUM_TCP/UDP/ICMP6 at l4off, the
 * field's old value ignored) in place: 0, EINVAL, ENOBUFS. */
int in_csum_finish(struct mbuf *m, int af);
/* Hands packets to the interface, finishing deferred checksums. */
int in_ifoutput(struct ifnet *ifp, struct mbuf *m, int af,
    const struct in6_addr *nexthop);
/*
 * tcp_lso.c: an IPv4 packet to ifp towards a path of MTU mtu: whole when
 * it fits or the link carries it as a large segment (if_tsomax), else a
 * TCP packet cut into segments (m_pkthdr.segsz); 0 or an errno.  Owns m.
 */
int ip4_lso_output(struct ifnet *ifp, struct mbuf *m, uint32_t mtu,
    const struct in6_addr *nexthop);

/* icmp.c, icmp6.c */
void icmp_input(struct mbuf *m, const struct ip_rcv *r);
void icmp6_input(struct mbuf *m, const struct ip_rcv *r);
void icmp4_error(struct mbuf *m, int type, int code, uint32_t info);
void icmp6_error(struct mbuf *m, int type, int code, uint32_t info);
bool icmp_ratelimit(int af);
extern int64_t icmp_ratelimit_ms;	/* net.ipv4.icmp_ratelimit */
extern int64_t icmp_echo_ignore_all;	/* net.ipv4.icmp_echo_ignore_all */
extern int64_t icmp_echo_ignore_broadcasts;

/* in_proto.c: the domains, the sysctls, component init */
extern struct inpcbtable udbtable, rawtable, pingtable;
/* The pcb's table lock is not held; for the error path. */
void in_ctl_notify(struct inpcbtable *t, const struct ip_ctlmsg *c,
    uint16_t lport, uint16_t fport);

/* udp.c, raw_ip.c (ping and raw) */
int udp_init(void);
int rip_init(void);
void rip_input_all(struct mbuf *m, const struct ip_rcv *r, int proto);
/* Is there a raw socket for proto (no unreachable is sent then)? */
bool rip_has_proto(int af, int proto);

/* The pmtu cache, in_route.c */
void in_pmtu_init(void);

/* A fresh writable packet of bytes [off, off + len) of m (NULL at the
 * memory limit); m is kept. */
struct mbuf *in_mcopy(const struct mbuf *m, size_t off, size_t len);
/* ping sockets (raw_ip.c): an echo reply for them (m kept). */
struct icmphdr;
void ping_input(struct mbuf *m, const struct ip_rcv *r,
    const struct icmphdr *ih);
void ping6_input(struct mbuf *m, const struct ip_rcv *r);
/* raw and ping sockets get ICMP errors about what they sent. */
void rip_ctlinput(const struct ip_ctlmsg *c, int proto);
void icmp_init(void);

/* ip_ctloutput.c: is inp a member of group (or IP_MULTICAST_ALL with the
 * group joined by some socket)? */
bool in_mcast_member(const struct inpcb *inp, int af,
    const struct in6_addr *group);
/* in_proto.c: FIONREAD/SIOCINQ (next datagram), SIOCOUTQ of datagram
 * sockets; ENOTTY for others. */
int in_dgram_ioctl(struct socket *so, unsigned long cmd, void *data);
extern const struct pr_usrreqs udp_usrreqs, rip_usrreqs, ping_usrreqs;
int rip_permit(int proto);
int ping_permit(int proto);

void in_mship_dropall(struct inpcb *inp);
void ip_ctloutput_init(void);
/* net-core's (k/socket.h, not yet on its branch's committed contract). */
struct socket;
void solock(struct socket *so);
void sounlock(struct socket *so);

/* A cmsg into a control chain (appended; *mp NULL starts one). */
int in_cmsg_add(struct mbuf **mp, int level, int type, const void *data,
    size_t len);

#endif /* NETINET_IN_VAR_H */
