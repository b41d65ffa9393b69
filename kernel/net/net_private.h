/*
 * net_private.h: what the net faction's files share and nothing else sees.
 */
#ifndef NET_PRIVATE_H
#define NET_PRIVATE_H

#include "k/socket.h"

/* uipc_domain.c */
void domain_init(void);

#endif /* NET_PRIVATE_H */
