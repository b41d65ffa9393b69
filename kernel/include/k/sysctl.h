/*
 * sysctl.h: named kernel tunables (kern/kern_sysctl.c).  Names are dotted
 * ("kern.maxvnodes"); procfs shows each as /proc/sys/<name with / for .>.
 */
#ifndef K_SYSCTL_H
#define K_SYSCTL_H

#include "k/kernel.h"

enum sysctl_type { SYSCTL_INT, SYSCTL_STRING };

struct sysctl_node {
	const char *sn_name;
	enum sysctl_type sn_type;
	bool sn_writable;
	/* SYSCTL_INT */
	int64_t *sn_int;
	int64_t sn_min, sn_max;
	/* SYSCTL_STRING: buffer of sn_len bytes, NUL-terminated */
	char *sn_str;
	size_t sn_len;
	/* Called after a successful write (may be NULL). */
	void (*sn_changed)(const struct sysctl_node *);
	/* Called before each read to update *sn_int (may be NULL): for
	 * read-only counters (net.core.sockets, kern.kmem_inuse ...). */
	void (*sn_refresh)(const struct sysctl_node *);
	/* SYSCTL_STRING, may be NULL: called with a written value (cut at
	 * its newline, NUL-terminated) before it is stored, no lock held;
	 * an errno refuses the write and keeps the old value.  For values
	 * that are commands (net.shmif.IF.bus attaches to a bus file). */
	int (*sn_store)(const struct sysctl_node *, const char *val);
	struct sysctl_node *sn_next;
};

int sysctl_register(struct sysctl_node *node);
/* Takes node out of the names (ENOENT if it is not in).  The node's
 * memory must stay: a reader may still be on it, and goes on from it. */
int sysctl_unregister(struct sysctl_node *node);
const struct sysctl_node *sysctl_lookup(const char *name);
/* Iteration for procfs: NULL starts, returns NULL after the last. */
const struct sysctl_node *sysctl_next(const struct sysctl_node *prev);
/* Text form of the value ("1024\n"), and parsing of a written one. */
int sysctl_read_text(const struct sysctl_node *n, char *buf, size_t len,
    size_t *outlen);
int sysctl_write_text(const struct sysctl_node *n, const char *buf,
    size_t len);

#endif /* K_SYSCTL_H */
