/*
 * ip_errq.c: the error queue of an inet socket (IP_RECVERR, IPV6_RECVERR),
 * read with recvmsg(MSG_ERRQUEUE), as Linux's ip_icmp_error/ip_recv_error
 * and ipv6_icmp_error/ipv6_recv_error give it (ip(7), ipv6(7)).
 *
 * A record is one ICMP error about a packet the socket sent: the data is
 * what was sent (the quoted transport payload: the UDP payload for UDP,
 * the ICMP header on for raw and ping sockets, the IP header on for
 * IP_HDRINCL), the name the quoted destination and port, and the control
 * the receive options of the ICMP packet (IP_TTL, IPV6_HOPLIMIT ...)
 * followed by SOL_IP/IP_RECVERR (or SOL_IPV6/IPV6_RECVERR on an IPv6
 * socket) holding a sock_extended_err and the offender's address (the
 * ICMP packet's source, SO_EE_OFFENDER).
 *
 * so_error: the transport sets it when it queues (Linux's sk_err, so a
 * plain recv fails once with the errno); taking a record leaves it at the
 * next record's errno, or 0 when none is left (sock_dequeue_err_skb).
 * POLLERR while the queue is not empty (datagram_poll).
 *
 * Everything runs with the socket's so_lock held.
 */
#include "k/kernel.h"
#include "k/abi_net.h"
#include "k/socket.h"
#include "net/if.h"
#include "net/netinet/in_pcb.h"
#include "net/netinet/ip_var.h"
#include "net/netinet/in_var.h"

/* Per socket, as a small receive buffer: a flood of errors is dropped. */
#define ERRQ_MAXBYTES	(64 * 1024)

struct ip_errrec {
	struct ip_errrec *next;
	int error;
	struct sockaddr_in6 name;	/* or a sockaddr_in */
	socklen_t namelen;
	struct mbuf *control;		/* MT_CONTROL cmsgs */
	struct mbuf *data;		/* may be NULL (nothing quoted) */
	size_t bytes;			/* counted in inp_errq_bytes */
};

static void
errrec_free(struct ip_errrec *e)
{
	m_freem(e->control);
	m_freem(e->data);
	kmem_free(e, sizeof(*e));
}

void
ip_errq_purge(struct inpcb *inp)
{
	struct ip_errrec *e, *n;

	for (e = inp->inp_errq; e != NULL; e = n) {
		n = e->next;
		errrec_free(e);
	}
	inp->inp_errq = inp->inp_errq_tail = NULL;
	inp->inp_errq_bytes = 0;
}

bool
ip_errq_append(struct inpcb *inp, const struct ip_ctlmsg *c, size_t dataoff,
    uint16_t port)
{
	struct sock_extended_err ee;
	struct sockaddr_in6 off;
	struct ip_errrec *e;
	socklen_t offlen;
	bool v6 = inp->inp_af == AF_INET6;
	uint8_t buf[sizeof(ee) + sizeof(off)];

	if (!(inp->inp_flags & INP_RECVERR) ||
	    inp->inp_errq_bytes >= ERRQ_MAXBYTES)
		return false;
	if ((e = kmem_zalloc(sizeof(*e))) == NULL)
		return false;
	e->error = c->error;
	memset(&ee, 0, sizeof(ee));
	ee.ee_errno = (uint32_t)c->error;
	ee.ee_origin = c->af == AF_INET ? SO_EE_ORIGIN_ICMP :
	    SO_EE_ORIGIN_ICMP6;
	ee.ee_type = (uint8_t)c->icmp_type;
	ee.ee_code = (uint8_t)c->icmp_code;
	ee.ee_info = c->icmp_info;
	/* An IPv6 socket sees IPv4 errors (mapped traffic) with mapped
	 * addresses, under SOL_IPV6 all the same (ipv6_recv_error). */
	offlen = in_sockaddr_fill(inp->inp_af, &c->offender, 0,
	    (struct sockaddr *)&off);
	memcpy(buf, &ee, sizeof(ee));
	memcpy(buf + sizeof(ee), &off, offlen);
	e->namelen = in_sockaddr_fill(inp->inp_af, &c->dst, port,
	    (struct sockaddr *)&e->name);
	if (c->rcv != NULL)
		e->control = ip_savecontrol(inp, c->rcv);
	if (in_cmsg_add(&e->control, v6 ? SOL_IPV6 : SOL_IP,
	    v6 ? IPV6_RECVERR : IP_RECVERR, buf, sizeof(ee) + offlen) != 0)
		goto fail;
	if (dataoff < c->m->m_pkthdr.len) {
		e->data = in_mcopy(c->m, dataoff, c->m->m_pkthdr.len - dataoff);
		if (e->data == NULL)
			goto fail;
		e->bytes = e->data->m_pkthdr.len;
	}
	e->bytes += sizeof(*e);
	if (inp->inp_errq_tail != NULL)
		inp->inp_errq_tail->next = e;
	else
		inp->inp_errq = e;
	inp->inp_errq_tail = e;
	inp->inp_errq_bytes += e->bytes;
	return true;
fail:
	errrec_free(e);
	return false;
}

int
ip_errq_recv(struct socket *so, struct mbuf **datap, struct mbuf **controlp,
    struct sockaddr_storage *from, socklen_t *fromlenp)
{
	struct inpcb *inp = so->so_pcb;
	struct ip_errrec *e;

	*datap = *controlp = NULL;
	if (inp == NULL || (e = inp->inp_errq) == NULL)
		return EAGAIN;
	if ((inp->inp_errq = e->next) == NULL)
		inp->inp_errq_tail = NULL;
	inp->inp_errq_bytes -= MIN(inp->inp_errq_bytes, e->bytes);
	*datap = e->data;
	*controlp = e->control;
	if (from != NULL) {
		memcpy(from, &e->name, e->namelen);
		*fromlenp = e->namelen;
	}
	/* The next error is pending (and wakes pollers), or none is. */
	if (inp->inp_errq != NULL)
		sowakeup_error(so, inp->inp_errq->error);
	else
		so->so_error = 0;
	kmem_free(e, sizeof(*e));
	return 0;
}

int
ip_errq_poll(struct socket *so, int events __unused)
{
	const struct inpcb *inp = so->so_pcb;

	return inp != NULL && inp->inp_errq != NULL ? POLLERR : 0;
}
