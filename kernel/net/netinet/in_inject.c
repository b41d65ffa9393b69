/*
 * in_inject.c: rump_netinet_input(), the packet input path as an entry
 * point for the fuzz target and tests: the bytes are received on lo as an
 * IP packet.  With trusted set they come marked as loopback traffic
 * (M_LOOP, M_CSUM_DATA_VALID), so that checksums are not verified and a
 * mutated packet reaches the deeper layers; otherwise every check runs.
 * Runs as a kernel entry (kernel_enter): the packet, and whatever it
 * causes to be sent over lo, is processed before it returns.
 */
#include "k/kernel.h"
#include "k/socket.h"
#include "net/if.h"
#include "net/netinet/in_var.h"

int rump_netinet_input(const void *pkt, size_t len, int trusted);

static void
inject_isr(struct mbuf *m)
{
	if_input(lo_ifp, m);
}

int
rump_netinet_input(const void *pkt, size_t len, int trusted)
{
	struct lwp *l;
	struct mbuf *m;
	int error;

	if (len > IP_MAXPACKET)
		return EMSGSIZE;
	if ((error = kernel_enter(&l)) != 0)
		return error;
	if (lo_ifp == NULL) {
		kernel_exit(l);
		return ENETDOWN;
	}
	if ((m = m_gethdr(MT_DATA)) == NULL) {
		kernel_exit(l);
		return ENOBUFS;
	}
	m->m_len = 0;
	m->m_pkthdr.len = 0;
	if (m_append(m, len, pkt) != 0) {
		m_freem(m);
		kernel_exit(l);
		return ENOBUFS;
	}
	if (trusted) {
		m->m_flags |= M_LOOP;
		m->m_pkthdr.csum_flags |= M_CSUM_DATA_VALID;
	}
	netisr_enqueue(inject_isr, m);
	netisr_run();
	kernel_exit(l);
	return 0;
}
