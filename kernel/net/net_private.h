/*
 * net_private.h: what the net faction's files share and nothing else sees.
 */
#ifndef NET_PRIVATE_H
#define NET_PRIVATE_H

#include "k/socket.h"

/* uipc_domain.c */
void domain_init(void);

/* uipc_mbuf.c: set up the free cache; give it back to kmem (tests). */
void mbuf_init(void);
void mbuf_drain(void);

/* netisr.c */
void netisr_init(void);
uint64_t netisr_dropped(void);

#endif /* NET_PRIVATE_H */
