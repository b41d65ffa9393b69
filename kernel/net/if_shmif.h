/*
 * if_shmif.h: the shmif bus format (net/if_shmif.c; doc/DESIGN.md,
 * "shmif and tap").  A bus is a host file that every rump kernel on it
 * maps shared; all of it is little-endian host memory, so a bus is for
 * kernels on one host (one architecture).
 *
 *   offset 0            struct shmif_bus, the header
 *   offset sb_hdrsize   the ring: sb_ringsize bytes of frame records
 *
 * Positions.  sb_head and sb_tail are byte positions that only grow
 * (64 bits: they never wrap); position p is at ring offset
 * p % sb_ringsize.  The records between head and tail are the frames on
 * the bus, oldest first.  A writer that needs room moves head past the
 * oldest records.  A reader keeps its own position: behind head it has
 * missed frames (it counts them as drops and starts again at head), which
 * is NetBSD's generation counter in another form (the generation is
 * p / sb_ringsize).
 *
 * Records: struct shmif_frame, then fr_len bytes of Ethernet frame
 * (destination MAC first, no FCS), padded to 8 bytes; a record may wrap
 * around the ring's end.  fr_check is ~fr_len, so a torn or corrupt
 * length is seen; fr_sender is the writing interface's random id, so an
 * interface skips its own frames.
 *
 * Large segments (version 2).  A frame may be longer than the link MTU
 * (up to SHMIF_MAXFRAME) when fr_segsz is not 0: it is then one IPv4 TCP
 * packet of several segments' payload sent whole (TSO), whose segments
 * carry at most fr_segsz payload bytes each; the receiving kernel takes
 * it as one segment (GRO) and, forwarding it to a link that does not
 * carry such frames, cuts it at fr_segsz (net/netinet/tcp_lso.c).  A
 * frame above the MTU with fr_segsz 0 is an input error, as is an
 * fr_segsz above 65535.  Version 1 had no fr_segsz (16-byte records
 * headers) and only MTU-sized frames: a kernel of one version refuses a
 * bus of another (EPROTO).
 *
 * Checksums (version 3).  fr_flags (0 in version 2) may say
 * SHMIF_FR_CSUM_TCP: the frame is an IPv4 or IPv6 TCP packet (IPv4
 * unfragmented, IPv6 with TCP as the first next header) whose TCP
 * checksum the sender did not compute; the field holds no sum.  Between
 * kernels on one host the frame is memory, not a wire, so the receiver
 * takes the payload as verified (virtio-net's NEEDS_CSUM and DATA_VALID
 * in one), and a kernel that sends such a packet on by another link
 * fills the checksum first unless that link takes it unfinished too
 * (netinet/ip_output.c, in_ifoutput; doc/DESIGN.md "shmif and tap").
 * A frame without the flag is checked by TCP as from any wire.  A frame
 * with an unknown flag, or with SHMIF_FR_CSUM_TCP on anything but such
 * a TCP packet, is an input error.
 *
 * Locking.  sb_lock is a process-shared futex mutex (0 free, 1 held, 2
 * held with waiters) taken around every header change and record copy.
 * A holder that died holding it (kill -9 in the middle of a copy) is
 * overruled after a second.  Wakeups: a writer adds 1 to sb_wake after
 * each frame and, when sb_waiters is not 0, wakes every futex waiter on
 * sb_wake; a reader with nothing to read counts itself in sb_waiters and
 * sleeps on sb_wake, both under the lock, so no wakeup is missed.
 * Version 2: a reader that got a slot (sb_slot[], taken at attach by
 * writing its id under the lock, given back at detach) sleeps on its
 * slot's ss_wake instead, with ss_waiting set, and a writer wakes every
 * waiting slot but its own: a frame no longer wakes its sender's own
 * receive thread (a wake-up, a lock round trip and a context switch per
 * frame).  Slots of a kernel that died stay taken; with none free a
 * reader uses sb_wake as in version 1, which writers still wake.
 *
 * Every value read from a bus is checked before use: a header with
 * another magic or version is refused (EINVAL when attaching), a head or
 * tail out of order resets the ring, a bogus record length drops the
 * rest of the ring and is counted as an input error.
 */
#ifndef NET_IF_SHMIF_H
#define NET_IF_SHMIF_H

#include <stdint.h>

#define SHMIF_MAGIC	0x46485352u	/* "RSHF" */
#define SHMIF_VERSION	3u
#define SHMIF_HDRSIZE	4096u		/* header page; the ring follows */
#define SHMIF_RINGSIZE	(4u << 20)	/* a new bus's ring */
#define SHMIF_RINGMIN	(64u << 10)
#define SHMIF_MAXFRAME	(65535u + 14u)	/* MTU 65535 plus the header */
#define SHMIF_SLOTS	64		/* readers with a wake word each */

struct shmif_slot {
	uint64_t ss_id;		/* the reader's fr_sender id; 0: free */
	uint32_t ss_wake;	/* futex word: +1 per wake-up */
	uint32_t ss_waiting;	/* 1: asleep on ss_wake */
};

struct shmif_bus {
	uint32_t sb_magic;	/* SHMIF_MAGIC; 0 in a new (zeroed) file */
	uint32_t sb_version;	/* SHMIF_VERSION */
	uint32_t sb_lock;	/* futex mutex */
	uint32_t sb_wake;	/* futex word: +1 per frame written */
	uint32_t sb_waiters;	/* readers asleep on sb_wake */
	uint32_t sb_hdrsize;	/* SHMIF_HDRSIZE */
	uint32_t sb_ringsize;	/* bytes, a multiple of 8, >= SHMIF_RINGMIN */
	uint32_t sb_pad;
	uint64_t sb_head;	/* position of the oldest record */
	uint64_t sb_tail;	/* position after the newest */
	uint64_t sb_frames;	/* frames ever written */
	struct shmif_slot sb_slot[SHMIF_SLOTS];	/* version 2 */
};

struct shmif_frame {
	uint32_t fr_len;	/* bytes of frame after this header */
	uint32_t fr_check;	/* ~fr_len */
	uint64_t fr_sender;	/* the writer's id */
	uint32_t fr_segsz;	/* 0, or a large segment's MSS (version 2) */
	uint32_t fr_flags;	/* SHMIF_FR_* (version 3; 0 before) */
};

#define SHMIF_FR_CSUM_TCP	0x1u	/* TCP checksum left undone */
#define SHMIF_FR_KNOWN		SHMIF_FR_CSUM_TCP

#define SHMIF_RECSIZE(len) \
	((uint64_t)sizeof(struct shmif_frame) + (((uint64_t)(len) + 7) & ~7ull))

#endif /* NET_IF_SHMIF_H */
