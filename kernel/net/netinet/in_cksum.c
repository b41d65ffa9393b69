/*
 * in_cksum.c: the Internet checksum (RFC 1071) over mbuf chains and
 * buffers, and the IPv4/IPv6 pseudo headers of transport checksums.
 *
 * The sum is accumulated 32 bits at a time into a 64-bit register and
 * folded at the end; a segment that starts at an odd offset of the packet
 * has its partial sum byte-swapped (RFC 1071 2(B)).  No locks.
 */
#include "k/kernel.h"
#include "k/abi_net.h"
#include "net/netinet/in_pcb.h"
#include "net/netinet/ip_var.h"

static uint32_t
cksum_fold(uint64_t sum)
{
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint32_t)sum;
}

/* Sum of len bytes at p as big-endian 16-bit words, folded to 16 bits. */
static uint32_t
cksum_bytes(const uint8_t *p, size_t len)
{
	uint64_t sum = 0;
	uint32_t w;

	while (len >= 16) {
		uint32_t a, b, c, d;

		memcpy(&a, p, 4);
		memcpy(&b, p + 4, 4);
		memcpy(&c, p + 8, 4);
		memcpy(&d, p + 12, 4);
		sum += (uint64_t)a + b + c + d;
		p += 16;
		len -= 16;
	}
	while (len >= 4) {
		memcpy(&w, p, 4);
		sum += w;
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		uint16_t h;

		memcpy(&h, p, 2);
		sum += h;
		p += 2;
		len -= 2;
	}
	if (len == 1) {
		uint8_t last[2] = { p[0], 0 };
		uint16_t h;

		memcpy(&h, last, 2);
		sum += h;
	}
	/* Words were added in memory order: the folded result is the sum in
	 * network order as stored, so convert to host big-endian value. */
	return ntohs((uint16_t)cksum_fold(sum));
}

uint32_t
in_cksum_sum(const struct mbuf *m, size_t off, size_t len, uint32_t sum)
{
	uint64_t acc = sum;
	size_t done = 0;

	while (m != NULL && off >= m->m_len) {
		off -= m->m_len;
		m = m->m_next;
	}
	while (m != NULL && len > 0) {
		size_t n = MIN((size_t)m->m_len - off, len);
		uint32_t s = cksum_bytes(m->m_data + off, n);

		if (done & 1)
			s = ((s & 0xff) << 8) | (s >> 8);
		acc += s;
		done += n;
		len -= n;
		off = 0;
		m = m->m_next;
	}
	return cksum_fold(acc);
}

uint16_t
in_cksum(const struct mbuf *m, size_t off, size_t len)
{
	return htons((uint16_t)~in_cksum_sum(m, off, len, 0));
}

uint16_t
in_cksum_buf(const void *buf, size_t len)
{
	return htons((uint16_t)~cksum_bytes(buf, len));
}

uint16_t
in_cksum_pseudo(int af, const struct in6_addr *src,
    const struct in6_addr *dst, uint8_t proto, const struct mbuf *m,
    size_t off, size_t len)
{
	uint64_t sum = 0;

	if (af == AF_INET) {
		sum += cksum_bytes((const uint8_t *)&src->s6_addr32[3], 4);
		sum += cksum_bytes((const uint8_t *)&dst->s6_addr32[3], 4);
	} else {
		sum += cksum_bytes(src->s6_addr, 16);
		sum += cksum_bytes(dst->s6_addr, 16);
		sum += (uint32_t)(len >> 16);
	}
	sum += (uint32_t)(len & 0xffff) + proto;
	return htons((uint16_t)~in_cksum_sum(m, off, len, cksum_fold(sum)));
}
