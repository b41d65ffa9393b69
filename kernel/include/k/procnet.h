/*
 * procnet.h: files that other components publish under /proc/net
 * (kern/kern_procnet.c).  The network stack registers a generator per
 * file ("dev", "tcp" ...) from its component init; procfs, which does not
 * depend on the network, lists and reads whatever is registered.  A
 * generator writes the whole file into a ktext each time it is read, in
 * Linux's exact format.  Registration happens only during rump_init, so
 * readers need no lock.
 */
#ifndef K_PROCNET_H
#define K_PROCNET_H

#include "k/kernel.h"

/* A growable text buffer (kmem); ktext_free releases it. */
struct ktext {
	char *t_buf;
	size_t t_len, t_cap;
	bool t_nomem;
};
void ktext_printf(struct ktext *t, const char *fmt, ...) __printflike(2, 3);
void ktext_free(struct ktext *t);

typedef int (*procnet_gen_t)(struct ktext *t);
#define PROCNET_MAX	32
/* 0, EEXIST, ENOSPC. */
int procnet_register(const char *name, procnet_gen_t gen);
/* Number of files; the name of file i (NULL past the end). */
int procnet_count(void);
const char *procnet_name(int i);
/* The index of name, or -1. */
int procnet_lookup(const char *name, size_t len);
/* Generates file i: 0, ENOMEM, ENOENT. */
int procnet_gen(int i, struct ktext *t);

#endif /* K_PROCNET_H */
