/*
 * test_tcp_rst.c: hostile segments against an established connection,
 * crafted on a raw socket (RFC 5961): a RST or a SYN that is in the
 * window but not at rcv_nxt draws a challenge ACK and changes nothing;
 * a RST outside the window is ignored; a RST exactly at rcv_nxt resets
 * (ECONNRESET).  Sequence numbers are learned from the raw socket's copy
 * of a real segment.  Runs against the host too (needs root).
 */
#include "compat.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <linux/tcp.h>

#include "tcp_helpers.h"

#ifdef TEST_ON_HOST
#define rump_sys_recvfrom	recvfrom
#endif

struct hdr {			/* TCP header, network order */
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t off, flags;
	uint16_t win, sum, urp;
};
#define F_FIN	0x01
#define F_SYN	0x02
#define F_RST	0x04
#define F_ACK	0x10

static uint16_t
tcp_sum(const struct hdr *h)
{
	uint32_t sum = 0;
	const uint16_t *w = (const uint16_t *)h;

	sum += htons(0x7f00) + htons(0x0001);	/* 127.0.0.1, twice */
	sum += htons(0x7f00) + htons(0x0001);
	sum += htons(IPPROTO_TCP) + htons(sizeof(*h));
	for (size_t i = 0; i < sizeof(*h) / 2; i++)
		sum += w[i];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void
send_seg(int raw, uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
    int flags)
{
	struct sockaddr_in to = lo_addr(0);
	struct hdr h;

	memset(&h, 0, sizeof(h));
	h.sport = htons(sport);
	h.dport = htons(dport);
	h.seq = htonl(seq);
	h.ack = htonl(ack);
	h.off = 5 << 4;
	h.flags = (uint8_t)flags;
	h.win = htons(1024);
	h.sum = tcp_sum(&h);
	assert_int_equal(CHECK_OK(rump_sys_sendto(raw, &h, sizeof(h), 0,
	    (struct sockaddr *)&to, sizeof(to))), sizeof(h));
}

/*
 * The next segment from sport to dport seen on the raw socket whose
 * flags include want (and, with nodata, carries no payload): 0 and *h
 * filled, or -1 if none came within a second.
 */
static int
capture(int raw, uint16_t sport, uint16_t dport, int want, bool nodata,
    struct hdr *h)
{
	uint8_t pkt[2048];
	struct pollfd pfd = { raw, POLLIN, 0 };

	for (int i = 0; i < 100; i++) {
		ssize_t n;
		size_t ihl, tl;

		if (CHECK_OK(rump_sys_poll(&pfd, 1, 10)) == 0)
			continue;
		n = CHECK_OK(rump_sys_recvfrom(raw, pkt, sizeof(pkt),
		    MSG_DONTWAIT, NULL, NULL));
		ihl = (size_t)(pkt[0] & 0xf) * 4;
		if ((size_t)n < ihl + sizeof(*h))
			continue;
		memcpy(h, pkt + ihl, sizeof(*h));
		tl = (size_t)(h->off >> 4) * 4;
		if (ntohs(h->sport) != sport || ntohs(h->dport) != dport ||
		    (h->flags & want) != want)
			continue;
		if (nodata && (size_t)n > ihl + tl)
			continue;
		return 0;
	}
	return -1;
}

/* Drains what the raw socket holds. */
static void
drain(int raw)
{
	uint8_t pkt[2048];

	while (rump_sys_recvfrom(raw, pkt, sizeof(pkt), MSG_DONTWAIT, NULL,
	    NULL) > 0)
		;
}

static void
rfc5961(void **state)
{
	struct sockaddr_in sin = lo_addr(0);
	socklen_t len = sizeof(sin);
	uint16_t lport, cport, aport;
	uint32_t rcv_nxt, snd_nxt;
	struct hdr h;
	int raw, lst, c, a;
	char buf[8];

	(void)state;
	raw = (int)CHECK_OK(rump_sys_socket(AF_INET, SOCK_RAW, IPPROTO_TCP));
	lst = (int)CHECK_OK(rump_sys_socket(AF_INET, SOCK_STREAM, 0));
	CHECK_OK(rump_sys_bind(lst, (struct sockaddr *)&sin, sizeof(sin)));
	CHECK_OK(rump_sys_listen(lst, 4));
	CHECK_OK(rump_sys_getsockname(lst, (struct sockaddr *)&sin, &len));
	lport = ntohs(sin.sin_port);
	c = (int)CHECK_OK(rump_sys_socket(AF_INET, SOCK_STREAM, 0));
	CHECK_OK(rump_sys_connect(c, (struct sockaddr *)&sin, sizeof(sin)));
	a = (int)CHECK_OK(rump_sys_accept(lst, NULL, NULL));
	cport = port_of(c);
	aport = lport;
	drain(raw);

	/* One real byte from a to c tells both sequence numbers. */
	assert_int_equal(CHECK_OK(rump_sys_write(a, "x", 1)), 1);
	assert_int_equal(capture(raw, aport, cport, F_ACK, false, &h), 0);
	rcv_nxt = ntohl(h.seq) + 1;		/* what c expects next */
	snd_nxt = ntohl(h.ack);			/* what c sends next */
	assert_int_equal(CHECK_OK(rump_sys_read(c, buf, sizeof(buf))), 1);
	drain(raw);

	/* In the window, not at rcv_nxt: a challenge ACK, nothing else. */
	send_seg(raw, aport, cport, rcv_nxt + 1000, 0, F_RST);
	assert_int_equal(capture(raw, cport, aport, F_ACK, true, &h), 0);
	assert_int_equal(ntohl(h.ack), rcv_nxt);
	assert_int_equal(h.flags & F_RST, 0);
	assert_int_equal(tcp_state(c), TCP_ESTABLISHED);
	drain(raw);

	/* A SYN on an established connection: challenge ACK too (after
	 * Linux's per-socket limit of one such ACK per 500 ms). */
	(void)rump_sys_poll(NULL, 0, 600);
	send_seg(raw, aport, cport, rcv_nxt, 0, F_SYN);
	assert_int_equal(capture(raw, cport, aport, F_ACK, true, &h), 0);
	assert_int_equal(ntohl(h.ack), rcv_nxt);
	assert_int_equal(tcp_state(c), TCP_ESTABLISHED);
	drain(raw);

	/* Far outside the window: ignored; the connection still works. */
	send_seg(raw, aport, cport, rcv_nxt + 0x40000000u, 0, F_RST);
	assert_int_equal(CHECK_OK(rump_sys_write(a, "y", 1)), 1);
	assert_int_equal(CHECK_OK(rump_sys_read(c, buf, sizeof(buf))), 1);
	assert_int_equal(buf[0], 'y');
	assert_int_equal(CHECK_OK(rump_sys_write(c, "z", 1)), 1);
	assert_int_equal(CHECK_OK(rump_sys_read(a, buf, sizeof(buf))), 1);
	rcv_nxt++;
	snd_nxt++;
	assert_int_equal(tcp_state(c), TCP_ESTABLISHED);

	/* Exactly at rcv_nxt: the connection is reset. */
	send_seg(raw, aport, cport, rcv_nxt, 0, F_RST);
	for (int i = 0; i < 100 && tcp_state(c) != 7 /* TCP_CLOSE */; i++)
		(void)rump_sys_poll(NULL, 0, 10);
	assert_int_equal(tcp_state(c), 7 /* TCP_CLOSE */);
	CHECK_ERR(rump_sys_read(c, buf, sizeof(buf)), ECONNRESET);
	(void)snd_nxt;
	CHECK_OK(rump_sys_close(c));
	CHECK_OK(rump_sys_close(a));
	CHECK_OK(rump_sys_close(lst));
	CHECK_OK(rump_sys_close(raw));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rfc5961),
	};

	if (test_kernel_init("tcp_rst") != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
