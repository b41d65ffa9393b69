/*
 * test_nettools.c: what the unmodified configuration tools rely on beyond
 * links, addresses and routes: rtnetlink neighbours (ip neigh: add, the
 * second add EEXIST, get, dump, delete, ENOENT, and bad requests with
 * Linux's errnos and extended-ack texts), the route ioctls (route(8):
 * SIOCADDRT/SIOCDELRT, EEXIST, ESRCH, a bad mask, an unknown device),
 * the ARP ioctls (arp(8): SIOCSARP/SIOCGARP/SIOCDARP errnos) and the
 * /proc/net counter files (snmp's Udp NoPorts and OutDatagrams move when
 * a datagram goes to a closed port) and NETLINK_SOCK_DIAG (ss -tln's
 * dump finds the listener with its port, state and backlog).  The same source runs against the
 * host (TEST_ON_HOST) in a network namespace of its own; where Linux's
 * loopback has a quirk (IPv4 neighbours on lo are all filed under
 * 0.0.0.0) the positive cases use IPv6 or are kernel-only.
 */
#include "compat.h"
#include "nl_helpers.h"

#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/neighbour.h>
#include <linux/sock_diag.h>
#include <linux/inet_diag.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <net/route.h>
#include <netinet/in.h>
#include <sched.h>

#ifdef TEST_ON_HOST
#define rump_sys_recv(s, b, n, f) recv((s), (b), (n), (f))
#else
#define rump_sys_recv(s, b, n, f) rump_sys_recvfrom((s), (b), (n), (f), NULL, NULL)
#endif

struct req {
	struct nlmsghdr h;
	struct ndmsg ndm;
	uint8_t attrs[256];
};

static int
nlsock(void)
{
	int s = rump_sys_socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE), one = 1;

	assert_true(s >= 0);
	CHECK_OK(rump_sys_setsockopt(s, SOL_NETLINK, NETLINK_EXT_ACK, &one,
	    sizeof(one)));
	return s;
}

static char rbuf[32768];

/* The errno of the NLMSG_ERROR in the next datagram (0: an ACK). */
static int
recv_ack(int s, char *ext, size_t extlen)
{
	ssize_t n = rump_sys_recv(s, rbuf, sizeof(rbuf), 0);
	struct nlmsghdr *h = (struct nlmsghdr *)rbuf;
	struct nlmsgerr *e;

	assert_true(n >= (ssize_t)NLMSG_LENGTH(sizeof(*e)));
	assert_int_equal(h->nlmsg_type, NLMSG_ERROR);
	e = NLMSG_DATA(h);
	if (ext != NULL) {
		ext[0] = '\0';
		if (h->nlmsg_flags & NLM_F_ACK_TLVS) {
			size_t off = NLMSG_LENGTH(sizeof(*e));

			if (!(h->nlmsg_flags & NLM_F_CAPPED))
				off += NLMSG_ALIGN(e->msg.nlmsg_len) -
				    NLMSG_HDRLEN;
			while (off + 4 <= h->nlmsg_len) {
				struct nlattr *a = (struct nlattr *)(rbuf + off);

				if (a->nla_len < 4)
					break;
				if (a->nla_type == NLMSGERR_ATTR_MSG)
					snprintf(ext, extlen, "%s",
					    (char *)(a + 1));
				off += NLA_ALIGN(a->nla_len);
			}
		}
	}
	return -e->error;
}

/* An RTM_*NEIGH for fd00:77::5 on lo with lladdr 02:00:00:00:00:05. */
static void
neigh_req(struct req *r, int type, int flags, uint16_t state, bool ll)
{
	struct in6_addr a;
	uint8_t hw[6] = { 2, 0, 0, 0, 0, 5 };

	memset(r, 0, sizeof(*r));
	r->h.nlmsg_len = NLMSG_LENGTH(sizeof(struct ndmsg));
	r->h.nlmsg_type = (uint16_t)type;
	r->h.nlmsg_flags = (uint16_t)(NLM_F_REQUEST | flags);
	r->ndm.ndm_family = AF_INET6;
	r->ndm.ndm_ifindex = 1;
	r->ndm.ndm_state = state;
	inet_pton(AF_INET6, "fd00:77::5", &a);
	nl_put_attr(r, NDA_DST, &a, 16);
	if (ll)
		nl_put_attr(r, NDA_LLADDR, hw, 6);
}

/* Dumps IPv6 neighbours; returns how many are fd00:77::5 on lo with
 * the link address and *state the last one's state. */
static int
dump_count(int s, uint16_t *state)
{
	struct req r = { 0 };
	int found = 0;
	bool done = false;

	r.h.nlmsg_len = NLMSG_LENGTH(sizeof(struct ndmsg));
	r.h.nlmsg_type = RTM_GETNEIGH;
	r.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	r.ndm.ndm_family = AF_INET6;
	nl_send(s, &r);
	while (!done) {
		ssize_t n = rump_sys_recv(s, rbuf, sizeof(rbuf), 0);
		struct nlmsghdr *h = (struct nlmsghdr *)rbuf;

		assert_true(n > 0);
		for (; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			struct ndmsg *m = NLMSG_DATA(h);
			struct rtattr *a = (struct rtattr *)((char *)m +
			    NLMSG_ALIGN(sizeof(*m)));
			int len = (int)h->nlmsg_len -
			    (int)NLMSG_LENGTH(sizeof(*m));
			bool dst = false, ll = false;
			struct in6_addr want;

			if (h->nlmsg_type == NLMSG_DONE) {
				done = true;
				break;
			}
			assert_int_equal(h->nlmsg_type, RTM_NEWNEIGH);
			inet_pton(AF_INET6, "fd00:77::5", &want);
			for (; RTA_OK(a, len); a = RTA_NEXT(a, len)) {
				if (a->rta_type == NDA_DST &&
				    memcmp(RTA_DATA(a), &want, 16) == 0)
					dst = true;
				if (a->rta_type == NDA_LLADDR &&
				    RTA_PAYLOAD(a) == 6 &&
				    ((uint8_t *)RTA_DATA(a))[5] == 5)
					ll = true;
			}
			if (dst && ll && m->ndm_ifindex == 1) {
				found++;
				*state = m->ndm_state;
			}
		}
	}
	return found;
}

static void
neigh_add_get_dump_del(void **state)
{
	int s = nlsock();
	struct req r;
	uint16_t st = 0;
	char ext[128];

	(void)state;
	neigh_req(&r, RTM_NEWNEIGH, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL,
	    NUD_PERMANENT, true);
	nl_send(s, &r);
	assert_int_equal(recv_ack(s, NULL, 0), 0);
	nl_send(s, &r);
	assert_int_equal(recv_ack(s, NULL, 0), EEXIST);
	assert_int_equal(dump_count(s, &st), 1);
	assert_int_equal(st, NUD_PERMANENT);
	/* replace: another state, same entry */
	neigh_req(&r, RTM_NEWNEIGH, NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE,
	    NUD_STALE, true);
	nl_send(s, &r);
	assert_int_equal(recv_ack(s, NULL, 0), 0);
	assert_int_equal(dump_count(s, &st), 1);
	assert_int_equal(st, NUD_STALE);
	/* get: one RTM_NEWNEIGH */
	neigh_req(&r, RTM_GETNEIGH, 0, 0, false);
	nl_send(s, &r);
	assert_true(rump_sys_recv(s, rbuf, sizeof(rbuf), 0) > 0);
	assert_int_equal(((struct nlmsghdr *)rbuf)->nlmsg_type, RTM_NEWNEIGH);
	/* As a user: EPERM. */
	neigh_req(&r, RTM_DELNEIGH, NLM_F_ACK, 0, false);
	user_enter();
	nl_send(s, &r);
	assert_int_equal(recv_ack(s, NULL, 0), EPERM);
	user_leave();
	nl_send(s, &r);
	assert_int_equal(recv_ack(s, NULL, 0), 0);
	nl_send(s, &r);
	assert_int_equal(recv_ack(s, NULL, 0), ENOENT);
	assert_int_equal(dump_count(s, &st), 0);
	/* get of a missing one */
	neigh_req(&r, RTM_GETNEIGH, 0, 0, false);
	nl_send(s, &r);
	assert_int_equal(recv_ack(s, ext, sizeof(ext)), ENOENT);
	assert_string_equal(ext, "Neighbour entry not found");
	rump_sys_close(s);
}

static void
neigh_bad_requests(void **state)
{
	int s = nlsock();
	struct req r;
	char ext[128];
	uint8_t shorthw[2] = { 2, 0 };

	(void)state;
	/* No NDA_DST. */
	memset(&r, 0, sizeof(r));
	r.h.nlmsg_len = NLMSG_LENGTH(sizeof(struct ndmsg));
	r.h.nlmsg_type = RTM_NEWNEIGH;
	r.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE;
	r.ndm.ndm_family = AF_INET6;
	r.ndm.ndm_ifindex = 1;
	r.ndm.ndm_state = NUD_PERMANENT;
	nl_send(s, &r);
	assert_int_equal(recv_ack(s, ext, sizeof(ext)), EINVAL);
	assert_string_equal(ext, "Network address not specified");
	/* An unknown interface. */
	neigh_req(&r, RTM_NEWNEIGH, NLM_F_ACK | NLM_F_CREATE, NUD_PERMANENT,
	    true);
	r.ndm.ndm_ifindex = 4242;
	nl_send(s, &r);
	assert_int_equal(recv_ack(s, NULL, 0), ENODEV);
	/* A link address shorter than the device's. */
	neigh_req(&r, RTM_NEWNEIGH, NLM_F_ACK | NLM_F_CREATE, NUD_PERMANENT,
	    false);
	nl_put_attr(&r, NDA_LLADDR, shorthw, 2);
	nl_send(s, &r);
	assert_int_equal(recv_ack(s, ext, sizeof(ext)), EINVAL);
	assert_string_equal(ext, "Invalid link address");
	/* A family without a neighbour table. */
	neigh_req(&r, RTM_NEWNEIGH, NLM_F_ACK | NLM_F_CREATE, NUD_PERMANENT,
	    true);
	r.ndm.ndm_family = AF_PACKET;
	nl_send(s, &r);
	assert_int_equal(recv_ack(s, NULL, 0), EAFNOSUPPORT);
	/* A destination shorter than the family's. */
	neigh_req(&r, RTM_DELNEIGH, NLM_F_ACK, 0, false);
	r.h.nlmsg_len = NLMSG_LENGTH(sizeof(struct ndmsg));
	nl_put_attr(&r, NDA_DST, shorthw, 2);
	nl_send(s, &r);
	assert_int_equal(recv_ack(s, ext, sizeof(ext)), EINVAL);
	assert_string_equal(ext, "Invalid network address");
	/* A get with a state in its header. */
	neigh_req(&r, RTM_GETNEIGH, 0, NUD_STALE, false);
	nl_send(s, &r);
	assert_int_equal(recv_ack(s, ext, sizeof(ext)), EINVAL);
	assert_string_equal(ext, "Invalid values in header for neighbor get "
	    "request");
	rump_sys_close(s);
}

static void
set_sin(struct sockaddr *sa, const char *a)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };

	inet_pton(AF_INET, a, &sin.sin_addr);
	memcpy(sa, &sin, sizeof(sin));
}

static void
route_ioctls(void **state)
{
	int s = rump_sys_socket(AF_INET, SOCK_DGRAM, 0);
	struct rtentry rt;
	char dev[IFNAMSIZ] = "lo", nodev[IFNAMSIZ] = "nosuch0";

	(void)state;
	memset(&rt, 0, sizeof(rt));
	set_sin(&rt.rt_dst, "10.91.0.0");
	set_sin(&rt.rt_genmask, "255.255.0.0");
	rt.rt_flags = RTF_UP;
	rt.rt_dev = dev;
	CHECK_OK(rump_sys_ioctl(s, SIOCADDRT, &rt));
	CHECK_ERR(rump_sys_ioctl(s, SIOCADDRT, &rt), EEXIST);
	CHECK_OK(rump_sys_ioctl(s, SIOCDELRT, &rt));
	CHECK_ERR(rump_sys_ioctl(s, SIOCDELRT, &rt), ESRCH);
	/* A mask that is not contiguous; bits outside the mask. */
	set_sin(&rt.rt_genmask, "255.0.255.0");
	CHECK_ERR(rump_sys_ioctl(s, SIOCADDRT, &rt), EINVAL);
	set_sin(&rt.rt_genmask, "255.0.0.0");
	CHECK_ERR(rump_sys_ioctl(s, SIOCADDRT, &rt), EINVAL);
	set_sin(&rt.rt_genmask, "255.255.0.0");
	rt.rt_dev = nodev;
	CHECK_ERR(rump_sys_ioctl(s, SIOCADDRT, &rt), ENODEV);
	/* As a user: EPERM. */
	rt.rt_dev = dev;
	user_enter();
	CHECK_ERR(rump_sys_ioctl(s, SIOCADDRT, &rt), EPERM);
	user_leave();
	rump_sys_close(s);
}

static void
arp_req(struct arpreq *r, const char *ip, const char *dev)
{
	memset(r, 0, sizeof(*r));
	set_sin(&r->arp_pa, ip);
	snprintf(r->arp_dev, sizeof(r->arp_dev), "%s", dev);
}

static void
arp_ioctls(void **state)
{
	int s = rump_sys_socket(AF_INET, SOCK_DGRAM, 0);
	struct arpreq r;
	const uint8_t hw[6] = { 2, 0, 0, 0, 0, 9 };

	(void)state;
	arp_req(&r, "10.92.0.7", "lo");
	CHECK_ERR(rump_sys_ioctl(s, SIOCGARP, &r), ENXIO);
	CHECK_ERR(rump_sys_ioctl(s, SIOCDARP, &r), ENXIO);
	arp_req(&r, "10.92.0.7", "");
	CHECK_ERR(rump_sys_ioctl(s, SIOCGARP, &r), ENODEV);
	/* No route to it, no device named: ENETUNREACH. */
	r.arp_ha.sa_family = ARPHRD_ETHER;
	r.arp_flags = ATF_PERM | ATF_COM;
	CHECK_ERR(rump_sys_ioctl(s, SIOCSARP, &r), ENETUNREACH);
	arp_req(&r, "10.92.0.7", "nosuch0");
	CHECK_ERR(rump_sys_ioctl(s, SIOCSARP, &r), ENODEV);
	/* Not IPv4; a hardware type that is not the device's. */
	arp_req(&r, "10.92.0.7", "lo");
	r.arp_pa.sa_family = AF_INET6;
	CHECK_ERR(rump_sys_ioctl(s, SIOCSARP, &r), EPFNOSUPPORT);
	arp_req(&r, "10.92.0.7", "lo");
	r.arp_ha.sa_family = ARPHRD_ETHER;
	memcpy(r.arp_ha.sa_data, hw, 6);
	r.arp_flags = ATF_PERM | ATF_COM;
	CHECK_ERR(rump_sys_ioctl(s, SIOCSARP, &r), EINVAL);
#ifndef TEST_ON_HOST
	/* lo's own type: set, get back, /proc/net/arp, delete.  (Linux
	 * files it under 0.0.0.0 on lo, so the host cannot check this.) */
	{
		char buf[1024];
		ssize_t n;
		int fd;

		r.arp_ha.sa_family = ARPHRD_LOOPBACK;
		CHECK_OK(rump_sys_ioctl(s, SIOCSARP, &r));
		arp_req(&r, "10.92.0.7", "lo");
		CHECK_OK(rump_sys_ioctl(s, SIOCGARP, &r));
		assert_int_equal(r.arp_flags, ATF_PERM | ATF_COM);
		assert_memory_equal(r.arp_ha.sa_data, hw, 6);
		assert_int_equal(r.arp_ha.sa_family, ARPHRD_LOOPBACK);
		fd = rump_sys_open("/proc/net/arp", O_RDONLY);
		assert_true(fd >= 0);
		n = rump_sys_read(fd, buf, sizeof(buf) - 1);
		assert_true(n > 0);
		buf[n] = '\0';
		assert_non_null(strstr(buf, "10.92.0.7        0x304       "
		    "0x6         02:00:00:00:00:09     *        lo\n"));
		rump_sys_close(fd);
		CHECK_OK(rump_sys_ioctl(s, SIOCDARP, &r));
		CHECK_ERR(rump_sys_ioctl(s, SIOCGARP, &r), ENXIO);
	}
#endif
	rump_sys_close(s);
}

/* The value of column name on /proc/net/snmp's line for proto. */
static long long
snmp(const char *proto, const char *name)
{
	static char buf[8192];
	char *names, *vals, *save1, *save2, *a, *b;
	char pfx[32];
	ssize_t n;
	int fd = rump_sys_open("/proc/net/snmp", O_RDONLY);

	assert_true(fd >= 0);
	/* A newline first, so every line starts after one. */
	buf[0] = '\n';
	n = rump_sys_read(fd, buf + 1, sizeof(buf) - 2);
	assert_true(n > 0);
	buf[n + 1] = '\0';
	rump_sys_close(fd);
	snprintf(pfx, sizeof(pfx), "\n%s: ", proto);
	names = strstr(buf, pfx);
	assert_non_null(names);
	names += strlen(pfx);
	vals = strstr(names, pfx);
	assert_non_null(vals);
	vals += strlen(pfx);
	*strchr(names, '\n') = '\0';
	*strchr(vals, '\n') = '\0';
	for (a = strtok_r(names, " ", &save1), b = strtok_r(vals, " ", &save2);
	    a != NULL && b != NULL;
	    a = strtok_r(NULL, " ", &save1), b = strtok_r(NULL, " ", &save2))
		if (strcmp(a, name) == 0)
			return atoll(b);
	fail_msg("no %s %s in /proc/net/snmp", proto, name);
	return -1;
}

static void
proc_net_snmp_counts(void **state)
{
	long long noports = snmp("Udp", "NoPorts");
	long long out = snmp("Udp", "OutDatagrams");
	long long inrcv = snmp("Ip", "InReceives");
	struct sockaddr_in to = { .sin_family = AF_INET,
	    .sin_port = htons(9) };
	int s = rump_sys_socket(AF_INET, SOCK_DGRAM, 0);
	char c;

	(void)state;
	assert_int_equal(snmp("Ip", "DefaultTTL"), 64);
	assert_int_equal(snmp("Tcp", "RtoMin"), 200);
	inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
	/* Connected, so the port unreachable coming back through lo ends
	 * the receive with ECONNREFUSED: by then it was counted. */
	CHECK_OK(rump_sys_connect(s, (struct sockaddr *)&to, sizeof(to)));
	assert_int_equal(rump_sys_sendto(s, "x", 1, 0, NULL, 0), 1);
	CHECK_ERR(rump_sys_recv(s, &c, 1, 0), ECONNREFUSED);
	assert_int_equal(snmp("Udp", "NoPorts"), noports + 1);
	assert_int_equal(snmp("Udp", "OutDatagrams"), out + 1);
	assert_true(snmp("Ip", "InReceives") >= inrcv + 1);
	rump_sys_close(s);
}

/* ss -tln's request: the kernel's listener, its port, state and backlog;
 * an unknown protocol ENOENT in the dump's NLMSG_DONE. */
static void
sock_diag_listener(void **state)
{
	int d = rump_sys_socket(AF_NETLINK, SOCK_RAW, NETLINK_SOCK_DIAG);
	int l = rump_sys_socket(AF_INET, SOCK_STREAM, 0), found = 0;
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t alen = sizeof(a);
	struct {
		struct nlmsghdr h;
		struct inet_diag_req_v2 r;
	} q;
	struct sockaddr_nl k = { .nl_family = AF_NETLINK };
	bool done = false;

	(void)state;
	assert_true(d >= 0);
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	CHECK_OK(rump_sys_bind(l, (struct sockaddr *)&a, sizeof(a)));
	CHECK_OK(rump_sys_listen(l, 5));
	CHECK_OK(rump_sys_getsockname(l, (struct sockaddr *)&a, &alen));
	memset(&q, 0, sizeof(q));
	q.h.nlmsg_len = sizeof(q);
	q.h.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	q.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	q.r.sdiag_family = AF_INET;
	q.r.sdiag_protocol = IPPROTO_TCP;
	q.r.idiag_states = 1u << 10;	/* TCP_LISTEN */
	CHECK_OK(rump_sys_sendto(d, &q, sizeof(q), 0, (struct sockaddr *)&k,
	    sizeof(k)));
	while (!done) {
		ssize_t n = rump_sys_recv(d, rbuf, sizeof(rbuf), 0);
		struct nlmsghdr *h = (struct nlmsghdr *)rbuf;

		assert_true(n > 0);
		for (; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			struct inet_diag_msg *m = NLMSG_DATA(h);

			if (h->nlmsg_type == NLMSG_DONE) {
				done = true;
				break;
			}
			assert_int_equal(h->nlmsg_type, SOCK_DIAG_BY_FAMILY);
			assert_int_equal(m->idiag_state, 10);
			if (m->id.idiag_sport == a.sin_port &&
			    m->id.idiag_src[0] == a.sin_addr.s_addr) {
				found++;
				assert_int_equal(m->idiag_family, AF_INET);
				assert_int_equal(m->idiag_wqueue, 5);
				assert_int_equal(m->idiag_rqueue, 0);
			}
		}
	}
	assert_int_equal(found, 1);
	/* A protocol without a handler. */
	q.r.sdiag_protocol = 200;
	CHECK_OK(rump_sys_sendto(d, &q, sizeof(q), 0, (struct sockaddr *)&k,
	    sizeof(k)));
	/* The dump started: its NLMSG_DONE carries the error, as Linux's. */
	assert_int_equal(rump_sys_recv(d, rbuf, sizeof(rbuf), 0),
	    NLMSG_LENGTH(sizeof(int)));
	assert_int_equal(((struct nlmsghdr *)rbuf)->nlmsg_type, NLMSG_DONE);
	assert_int_equal(*(int *)NLMSG_DATA((struct nlmsghdr *)rbuf), -ENOENT);
	rump_sys_close(l);
	rump_sys_close(d);
}

static int
group_setup(void **state)
{
	(void)state;
#ifdef TEST_ON_HOST
	assert_int_equal(unshare(CLONE_NEWNET), 0);
	assert_int_equal(system("ip link set lo up"), 0);
#endif
	return test_kernel_init("nettools");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(neigh_add_get_dump_del),
		cmocka_unit_test(neigh_bad_requests),
		cmocka_unit_test(route_ioctls),
		cmocka_unit_test(arp_ioctls),
		cmocka_unit_test(proc_net_snmp_counts),
		cmocka_unit_test(sock_diag_listener),
	};

	return cmocka_run_group_tests_name("nettools", tests, group_setup,
	    NULL);
}
