/*
 * sysfs.h: what the network publishes under /sys/class/net (registry in
 * kern/kern_procnet.c, served by fs/procfs/sysfs_*.c).  sysfs, like
 * procfs, must not depend on the network, so netinet registers one table
 * of operations from its init and sysfs asks it on every call: the
 * directories follow interfaces as they come, are renamed and go.
 *
 * An interface is named by its index (never reused while the kernel
 * lives), so a node of a renamed interface stays valid and one of a gone
 * interface answers ENODEV, as kernfs does for a removed node.
 * Attributes are the entries of sn_attrs, in listing order; sa_dir 0 is
 * the interface's directory, 1 its statistics/ subdirectory.  The
 * operations take if_lock themselves (sysfs calls them with vfs_giant
 * held, as procfs calls the /proc/net generators).
 */
#ifndef K_SYSFS_H
#define K_SYSFS_H

#include "k/kernel.h"
#include "k/procnet.h"

#define SYSFS_IFNAMSIZ	16

struct sysfs_attr {
	const char *sa_name;
	uint16_t sa_mode;		/* 0444 or 0644, as Linux's */
	uint8_t sa_dir;			/* 0: <if>/, 1: <if>/statistics/ */
};

struct sysfs_net_ops {
	const struct sysfs_attr *sn_attrs;
	int sn_nattrs;
	/* The live interface with the smallest index >= min: its index
	 * and name (NUL-terminated); ENOENT past the last. */
	int (*sn_next)(int min, int *indexp, char *name);
	/* The index of the interface called name; ENOENT. */
	int (*sn_lookup)(const char *name, size_t len, int *indexp);
	/* The name of interface index; ENODEV if it is gone. */
	int (*sn_name)(int index, char *name);
	/* Attribute attr of interface index, with its newline; ENODEV if
	 * gone, EINVAL where Linux refuses to show it (speed of lo). */
	int (*sn_read)(int index, int attr, struct ktext *t);
	/* Writes the value buf[0..len) (not NUL-terminated): EINVAL on bad
	 * input, EPERM without CAP_NET_ADMIN, ENODEV. */
	int (*sn_write)(int index, int attr, const char *buf, size_t len);
};

/* Called once from a component's init: 0, or EEXIST if there is one. */
int sysfs_net_register(const struct sysfs_net_ops *ops);
/* The registered table, or NULL (a kernel without netinet). */
const struct sysfs_net_ops *sysfs_net(void);

#endif /* K_SYSFS_H */
