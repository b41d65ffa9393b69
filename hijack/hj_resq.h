/*
 * hj_resq.h: the res_* resolver over the kernel's sockets
 * (hj_wrap_resolv.c, hj_ressend.c).  doc/HIJACK.md, "Name lookup".
 */
#ifndef HJ_RESQ_H
#define HJ_RESQ_H

#include <netinet/in.h>
#include <resolv.h>
#include <stdbool.h>

/* Name server ns of st, IPv4 or IPv6, as glibc keeps them. */
const struct sockaddr *hj_resq_nsaddr(const struct __res_state *st, int ns);

/* res_nsend's exchange with st's servers through the kernel: the
 * answer's length or -1 with errno, as glibc's. */
int hj_resq_send(struct __res_state *st, const unsigned char *buf,
    int buflen, unsigned char *ans, int anssiz);

/* RES_NOAAAA's AAAA question, asked as A and answered with no records:
 * true with *result the answer's length (or -1; untouched when the
 * answer holds no A question), false when it does not apply. */
bool hj_resq_noaaaa(struct __res_state *st, const unsigned char *buf,
    int buflen, unsigned char *ans, int anssiz, int *result);

#endif
