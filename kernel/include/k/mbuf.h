/*
 * mbuf.h: the one packet-buffer type of the network stack (net/uipc_mbuf.c).
 *
 * A packet (or a socket-buffer record) is a chain of mbufs linked by
 * m_next; packets in a queue are linked by m_nextpkt through their first
 * mbuf.  Data lives inline (m_dat, MLEN bytes) or in external storage
 * (m_ext) that is reference counted and may be shared by several mbufs
 * after m_copym(): shared storage is read-only (M_WRITABLE false).
 *
 * Ownership rule: a function given a chain owns it from then on; it frees
 * it or passes it on, on success and on error alike (ip_output, pru_send,
 * if_output, sbappend* ...), unless its comment says otherwise.  A
 * function that returns a chain gives its caller ownership.
 *
 * Header room: m_gethdr() and m_getcl(M_PKTHDR) leave max_linkhdr +
 * max_protohdr bytes (MAX_HDR_ROOM) free before m_data, so every layer on
 * the way down prepends its header with M_PREPEND without a copy.
 *
 * Memory: every mbuf and every external buffer is charged to the kernel's
 * kmem accounting (RUMP_MEMLIMIT); the allocators return NULL at the limit
 * and never sleep.  Callers turn NULL into ENOBUFS (sending) or drop the
 * packet (receiving).  Freed mbufs and clusters are cached for reuse.
 */
#ifndef K_MBUF_H
#define K_MBUF_H

#include "k/kernel.h"

struct ifnet;
struct mbuf;

/* m_type */
#define MT_DATA		1	/* payload */
#define MT_HEADER	2	/* a packet header */
#define MT_SONAME	3	/* a socket address (sbappendaddr records) */
#define MT_CONTROL	4	/* ancillary data: a chain of struct cmsghdr */
#define MT_OOBDATA	5	/* urgent data */

/* m_flags */
#define M_PKTHDR	0x0001	/* m_pkthdr is valid (first mbuf of a packet) */
#define M_EXT		0x0002	/* data in m_ext */
#define M_EOR		0x0004	/* end of record (SOCK_SEQPACKET) */
#define M_BCAST		0x0010	/* received as link broadcast */
#define M_MCAST		0x0020	/* received as link multicast */
#define M_LOOP		0x0040	/* came back through the loopback */
#define M_CANFASTFWD	0x0080	/* reserved */
#define M_RIGHTS	0x0100	/* control: carries descriptors (a stream
				 * read ends with the data after it) */

/* m_pkthdr.csum_flags: checksums a sender may leave to the link. */
#define M_CSUM_DATA_VALID 0x0001 /* loopback: payload checksum known good */
/* Output: the transport left its checksum at l4off zero for in_output to
 * fill (or, over loopback, to pass on as M_CSUM_DATA_VALID). */
#define M_CSUM_TCP	0x0002
#define M_CSUM_UDP	0x0004
#define M_CSUM_ICMP6	0x0008

#define MSIZE		256		/* an mbuf with inline data */
#define MCLBYTES	2048		/* smallest external buffer */
#define MAXCLBYTES	(64 * 1024 + 512) /* largest: a 64 KiB packet + headers */
#define MAX_HDR_ROOM	128		/* link + IPv6 + TCP with options */
#define M_COPYALL	((size_t)-1)

struct m_ext {
	atomic_int ext_ref;		/* mbufs pointing at this storage */
	uint32_t ext_size;		/* bytes of ext_buf */
	uint8_t ext_buf[];
};

struct pkthdr {
	struct ifnet *rcvif;		/* interface it came in on, or NULL */
	uint32_t len;			/* bytes in the whole chain */
	uint32_t csum_flags;		/* M_CSUM_* */
	uint32_t flowid;		/* a hash of the flow, 0 if none */
	uint16_t l3off;			/* offset of the network header, if set */
	uint16_t l4off;			/* offset of the transport header */
	/*
	 * 0, or: an IPv4 TCP packet longer than the link MTU, sent or
	 * received as one piece (a large segment: TSO/GRO between kernels
	 * that carry them, netinet/tcp_lso.c), whose segments on an MTU-sized
	 * link carry at most segsz bytes of payload each.
	 */
	uint16_t segsz;
	void (*isr)(struct mbuf *);	/* netisr_enqueue's handler */
};

struct mbuf {
	struct mbuf *m_next;		/* next mbuf of this packet */
	struct mbuf *m_nextpkt;		/* next packet in a queue */
	uint8_t *m_data;		/* first valid byte */
	uint32_t m_len;			/* valid bytes at m_data */
	uint16_t m_type;		/* MT_* */
	uint16_t m_flags;		/* M_* */
	struct m_ext *m_ext;		/* with M_EXT */
	struct pkthdr m_pkthdr;		/* with M_PKTHDR */
	uint8_t m_dat[];		/* inline storage, up to MSIZE in all */
};

/* Inline data bytes of an mbuf. */
#define MLEN		((size_t)MSIZE - offsetof(struct mbuf, m_dat))

#define mtod(m, t)	((t)((m)->m_data))

/* Start and size of the storage m_data points into. */
uint8_t *m_buf(const struct mbuf *m);
size_t m_bufsize(const struct mbuf *m);

/* True if the data may be changed in place (not shared storage). */
#define M_WRITABLE(m) (!((m)->m_flags & M_EXT) ||			\
	atomic_load_explicit(&(m)->m_ext->ext_ref, memory_order_acquire) == 1)
/* Free bytes before m_data / after the data (0 if not writable). */
#define M_LEADINGSPACE(m) (M_WRITABLE(m) ?				\
	(size_t)((m)->m_data - m_buf(m)) : 0)
#define M_TRAILINGSPACE(m) (M_WRITABLE(m) ?				\
	(size_t)(m_buf(m) + m_bufsize(m) - ((m)->m_data + (m)->m_len)) : 0)

/*
 * Allocation: NULL at the memory limit.  m_gethdr leaves MAX_HDR_ROOM
 * free before m_data.  m_getcl returns an mbuf with external storage of
 * at least size bytes (size <= MAXCLBYTES; flags M_PKTHDR or 0), with the
 * header room when M_PKTHDR is given.
 */
struct mbuf *m_get(int type);
struct mbuf *m_gethdr(int type);
struct mbuf *m_getcl(int type, int flags, size_t size);
/* Frees one mbuf, returns its m_next. */
struct mbuf *m_free(struct mbuf *m);
/* Frees a chain (m_next); m may be NULL. */
void m_freem(struct mbuf *m);
/* Frees every packet of a queue (m_nextpkt) and their chains. */
void m_freem_list(struct mbuf *m);

/* Bytes in the chain (sum of m_len). */
size_t m_length(const struct mbuf *m);
/*
 * A new chain for bytes [off, off + len) of m (len M_COPYALL: to the end),
 * sharing external storage (copying only inline data); with a packet
 * header if m has one and off is 0.  NULL at the memory limit.  m is kept.
 */
struct mbuf *m_copym(struct mbuf *m, size_t off, size_t len);
/* A deep copy of a whole packet, writable.  NULL at the limit. */
struct mbuf *m_dup(struct mbuf *m);
/* Copies bytes [off, off + len) of m (which must have them) to buf. */
void m_copydata(const struct mbuf *m, size_t off, size_t len, void *buf);
/*
 * Writes buf over bytes [off, off + len) of m, extending the chain if it
 * is shorter (and m_pkthdr.len with it).  0 or ENOBUFS.
 */
int m_copyback(struct mbuf *m, size_t off, size_t len, const void *buf);
/* Appends len bytes of buf to the chain.  0 or ENOBUFS (m kept). */
int m_append(struct mbuf *m, size_t len, const void *buf);
/* Trims n bytes from the head (n > 0) or -n from the tail (n < 0). */
void m_adj(struct mbuf *m, ssize_t n);
/*
 * Makes room for len bytes before the data, in the first mbuf if it has
 * leading space, else in a new first mbuf (moving the packet header).
 * Returns the new head, or NULL after freeing m at the memory limit.
 */
struct mbuf *m_prepend(struct mbuf *m, size_t len);
#define M_PREPEND(m, plen) do {						\
	if (M_LEADINGSPACE(m) >= (plen)) {				\
		(m)->m_data -= (plen);					\
		(m)->m_len += (plen);					\
		if ((m)->m_flags & M_PKTHDR)				\
			(m)->m_pkthdr.len += (plen);			\
	} else								\
		(m) = m_prepend((m), (plen));				\
} while (0)
/*
 * Makes the first len bytes contiguous and writable in the first mbuf
 * (len <= MAXCLBYTES).  Returns the new head, or NULL after freeing m if
 * the chain is shorter than len or memory ran out.
 */
struct mbuf *m_pullup(struct mbuf *m, size_t len);
/* Appends chain n to chain m (packet header of n dropped). */
void m_cat(struct mbuf *m, struct mbuf *n);
/*
 * Splits m after len bytes; returns the tail (a packet of its own if m had
 * a header), or NULL (m unchanged) at the memory limit or if len >= length.
 */
struct mbuf *m_split(struct mbuf *m, size_t len);
/*
 * Builds a packet from len bytes of a uio (the socket layer's copy from
 * the user), in external buffers of up to MAXCLBYTES, with hdrroom bytes
 * free before the data.  *mp gets the chain (M_PKTHDR set) or NULL;
 * returns 0, EFAULT (nothing kept) or ENOBUFS.
 */
int m_uiomove(struct uio *uio, size_t len, size_t hdrroom, struct mbuf **mp);

/* Counters for tests and sysctl: mbufs and external buffers live now. */
struct mbstat {
	uint64_t m_mbufs;		/* mbufs allocated and not freed */
	uint64_t m_clusters;		/* external buffers */
	uint64_t m_bytes;		/* bytes charged for both */
	uint64_t m_drops;		/* allocations refused at the limit */
};
void mbstat_get(struct mbstat *st);

#endif /* K_MBUF_H */
