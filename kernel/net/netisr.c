/*
 * netisr.c: the queue of packets sent to a local interface (k/socket.h).
 *
 * A packet looped back is never delivered by recursion into the receiving
 * protocol (the sender holds its socket's lock, and input would take the
 * receiver's: lock order and stack depth both forbid it).  It is queued
 * here with its handler, and netisr_run() delivers the queue; the socket
 * layer calls netisr_run() after each protocol request, with no socket
 * lock held, so a loopback send is processed in the sender's own thread.
 *
 * One global queue under netisr_lock, and one drainer at a time
 * (netisr_draining): packets are delivered in the order they were sent,
 * across threads, which datagram users on loopback count on.  A thread
 * that finds another one draining returns at once: that one delivers its
 * packets too (handlers never sleep), so nothing waits.  Handlers may
 * enqueue (TCP answers a segment): the drainer picks those up as well.
 * The queue is bounded (NETISR_MAXLEN): past it packets are dropped, as a
 * full interface queue drops them, and counted.
 */
#include "k/kernel.h"
#include "k/socket.h"

#include "net_private.h"

#define NETISR_MAXLEN	65536

static kmutex_t netisr_lock;
static struct mbuf *netisr_head, *netisr_tail;
static int netisr_len;
static bool netisr_draining;
static _Atomic uint64_t netisr_drops;
/* Lets netisr_run() skip the lock when nothing is queued. */
static atomic_int netisr_pending;

void
netisr_init(void)
{
	mutex_init(&netisr_lock);
}

void
netisr_enqueue(void (*fn)(struct mbuf *), struct mbuf *m)
{
	KASSERT(m->m_flags & M_PKTHDR);
	m->m_pkthdr.isr = fn;
	m->m_nextpkt = NULL;
	mutex_enter(&netisr_lock);
	if (netisr_len >= NETISR_MAXLEN) {
		mutex_exit(&netisr_lock);
		atomic_fetch_add(&netisr_drops, 1);
		m_freem(m);
		return;
	}
	if (netisr_tail != NULL)
		netisr_tail->m_nextpkt = m;
	else
		netisr_head = m;
	netisr_tail = m;
	netisr_len++;
	atomic_store(&netisr_pending, 1);
	mutex_exit(&netisr_lock);
}

void
netisr_run(void)
{
	struct mbuf *m;

	/* Sockets whose last reference went while locked are freed here. */
	so_reap();
	if (atomic_load(&netisr_pending) == 0)
		return;
	mutex_enter(&netisr_lock);
	if (netisr_draining) {
		mutex_exit(&netisr_lock);
		return;
	}
	netisr_draining = true;
	while ((m = netisr_head) != NULL) {
		netisr_head = m->m_nextpkt;
		if (netisr_head == NULL)
			netisr_tail = NULL;
		netisr_len--;
		mutex_exit(&netisr_lock);
		m->m_nextpkt = NULL;
		m->m_pkthdr.isr(m);
		mutex_enter(&netisr_lock);
	}
	atomic_store(&netisr_pending, 0);
	netisr_draining = false;
	mutex_exit(&netisr_lock);
	so_reap();
}

uint64_t
netisr_dropped(void)
{
	return atomic_load(&netisr_drops);
}
