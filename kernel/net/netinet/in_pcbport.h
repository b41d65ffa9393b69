/*
 * in_pcbport.h: private to in_pcb.c and in_pcbport.c - the hashes, the
 * bind conflict rules and port allocation.
 */
#ifndef NETINET_IN_PCBPORT_H
#define NETINET_IN_PCBPORT_H

#include "net/netinet/in_pcb.h"

#define INP_LADDR_BOUND	0x40000	/* bind() gave a specific address */

extern int64_t ip_unpriv_port_start;	/* net.ipv4.ip_unprivileged_port_start */

int in_sockaddr_parse(const struct inpcb *inp, const struct sockaddr *sa,
    socklen_t len, bool forbind, struct in6_addr *addr, uint16_t *port,
    uint32_t *scope);
/* Binds laddr/port (port 0: ephemeral; noport: address only). */
int in_pcbsetport(struct inpcb *inp, const struct in6_addr *laddr,
    uint16_t port, bool noport);
/* Connects: ephemeral port if unbound, 4-tuple hashed. */
int in_pcbsetconnect(struct inpcb *inp, const struct in6_addr *laddr,
    const struct in6_addr *faddr, uint16_t fport);
void in_pcbclearconnect(struct inpcb *inp);
/* ipt_lock held. */
void in_pcbunhash_locked(struct inpcb *inp);

#endif /* NETINET_IN_PCBPORT_H */
