/*
 * if_loop.h: the loopback interface "lo" (net/if_loop.c) and its
 * test-only fault hook.
 *
 * lo is attached and up at boot with 127.0.0.1/8 and ::1/128, MTU 65536.
 * Its output never delivers by recursion: every packet is queued with
 * netisr_enqueue() and netisr_run() hands it to if_input() later on the
 * sending thread with no socket lock held (see k/socket.h).
 *
 * The fault hook exists for deterministic loss tests.  When set, every
 * packet lo sends is first shown to it; the filter matches packets by
 * protocol (IPPROTO_*, 0 = any) and, for TCP and UDP, by destination or
 * source port (0 = any), and among the matching ones acts on the n-th
 * (counting from 1 after it was set) and every `every`-th after it (0 =
 * only the n-th), at most `count` times (0 = unbounded):
 *
 *   LO_FAULT_DROP	the packet is freed
 *   LO_FAULT_DUP	it is delivered twice
 *   LO_FAULT_HOLD	it is held back and delivered after the next
 *			`arg` packets lo sends (reordering); held packets
 *			leave when lo_fault_clear() or a flush runs
 *   LO_FAULT_DELAY	it is delivered `arg` milliseconds later (by a
 *			callout; up to 64 packets wait at once, more go
 *			without delay)
 *
 * Tests set it from kernel code with lo_fault_set() or through the
 * sysctls net.lo.fault.{action,proto,port,nth,every,count,arg}, applied
 * when net.lo.fault.action is written (0 = off); net.lo.fault.hits reads
 * how many packets it acted on.  The hook's state is under its own mutex;
 * the decision is made at output, before the packet is queued.
 */
#ifndef NET_IF_LOOP_H
#define NET_IF_LOOP_H

#include "k/kernel.h"

#define LOMTU		65536

enum lo_fault_action {
	LO_FAULT_NONE = 0,
	LO_FAULT_DROP = 1,
	LO_FAULT_DUP = 2,
	LO_FAULT_HOLD = 3,
	LO_FAULT_DELAY = 4,
};

struct lo_fault {
	enum lo_fault_action lf_action;
	int lf_proto;			/* IPPROTO_*, 0: any */
	uint16_t lf_port;		/* host order, src or dst; 0: any */
	uint32_t lf_nth;		/* first matching packet acted on (>= 1) */
	uint32_t lf_every;		/* then every this many (0: once) */
	uint32_t lf_count;		/* at most this many actions (0: no cap) */
	uint32_t lf_arg;		/* HOLD: packets; DELAY: milliseconds */
};

/* Sets (replacing) the filter; EINVAL for a bad action or nth 0. */
int lo_fault_set(const struct lo_fault *lf);
/* Removes the filter and delivers held packets. */
void lo_fault_clear(void);
/* Packets the filter acted on since it was set. */
uint64_t lo_fault_hits(void);

#endif /* NET_IF_LOOP_H */
