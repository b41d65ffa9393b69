/*
 * dev.h: private interfaces of the dev faction (kernel/dev).
 *
 * Device numbers are Linux's where Linux has one: the memory devices live
 * on character major 1.  Host files registered through etfs get minors
 * under major 240, the first of Linux's "local/experimental use" majors
 * (240-254), on both the block and the character switch, so they can
 * never collide with a number a Linux program expects to mean something.
 */
#ifndef DEV_DEV_H
#define DEV_DEV_H

#include "k/kernel.h"

#define DEV_MEM_MAJOR	1	/* Linux: mem, null, zero, full, random ... */
#define DEV_MEM_NULL	3
#define DEV_MEM_ZERO	5
#define DEV_MEM_FULL	7
#define DEV_MEM_RANDOM	8
#define DEV_MEM_URANDOM	9

#define DEV_ETFS_MAJOR	240	/* Linux's local/experimental range */

/* Block device ioctls (Linux numbers) served by etfs devices. */
#define BLKROGET	0x125e
#define BLKGETSIZE	0x1260
#define BLKSSZGET	0x1268
#define BLKGETSIZE64	0x80081272UL

/* etfs.c: attaches the etfs switches; called from dev_init. */
int etfs_init(void);

#endif /* DEV_DEV_H */
