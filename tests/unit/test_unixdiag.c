/*
 * test_unixdiag.c: NETLINK_SOCK_DIAG for AF_UNIX (unix_diag, what ss -x
 * asks), and /proc/net/unix agreeing with it.  A path listener with one
 * accepted connection carrying 5 unread bytes, a bound datagram socket
 * and a socket pair with one side shut for writing: the dump shows each
 * with its type, Linux state, inode, name (the accepted socket has its
 * listener's), peer inode, queues (a listener's backlog), uid and
 * shutdown bits; a get by inode answers one socket, EINVAL for inode 0,
 * ENOENT for an unknown one.  The same source runs against the host
 * (TEST_ON_HOST) in a network namespace of its own.
 */
#include "compat.h"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <sched.h>

#ifdef TEST_ON_HOST
#define rump_sys_recv(s, b, n, f) recv((s), (b), (n), (f))
#else
#define rump_sys_recv(s, b, n, f) rump_sys_recvfrom((s), (b), (n), (f), NULL, NULL)
#endif

#define NSOCK	6

struct seen {
	uint64_t ino;
	int found;
	uint8_t type, state, shutdown;
	char name[110];
	int namelen;
	uint32_t peer, rq, wq, uid;
	bool has_peer, has_rq, has_uid, has_shut;
};

static char rbuf[65536];
static struct seen seen[NSOCK];

static uint64_t
ino_of(int fd)
{
	struct stat st;

	CHECK_OK(rump_sys_fstat(fd, &st));
	return st.st_ino;
}

static void
send_diag(int d, uint32_t ino, bool dump, uint32_t c0, uint32_t c1)
{
	struct {
		struct nlmsghdr h;
		struct unix_diag_req r;
	} q;
	struct sockaddr_nl k = { .nl_family = AF_NETLINK };

	memset(&q, 0, sizeof(q));
	q.h.nlmsg_len = sizeof(q);
	q.h.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	q.h.nlmsg_flags = NLM_F_REQUEST | (dump ? NLM_F_DUMP : 0);
	q.r.sdiag_family = AF_UNIX;
	q.r.udiag_states = ~0u;
	q.r.udiag_ino = ino;
	q.r.udiag_show = UDIAG_SHOW_NAME | UDIAG_SHOW_PEER |
	    UDIAG_SHOW_RQLEN | UDIAG_SHOW_UID;
	q.r.udiag_cookie[0] = c0;
	q.r.udiag_cookie[1] = c1;
	CHECK_OK(rump_sys_sendto(d, &q, sizeof(q), 0, (struct sockaddr *)&k,
	    sizeof(k)));
}

/* Records a unix_diag_msg if it is one of ours (by inode). */
static void
record(struct nlmsghdr *h)
{
	struct unix_diag_msg *m = NLMSG_DATA(h);
	struct rtattr *a = (struct rtattr *)(m + 1);
	int len = (int)h->nlmsg_len - (int)NLMSG_LENGTH(sizeof(*m));
	struct seen *s = NULL;

	assert_int_equal(h->nlmsg_type, SOCK_DIAG_BY_FAMILY);
	assert_int_equal(m->udiag_family, AF_UNIX);
	for (int i = 0; i < NSOCK; i++)
		if (seen[i].ino == m->udiag_ino)
			s = &seen[i];
	if (s == NULL)
		return;
	s->found++;
	s->type = m->udiag_type;
	s->state = m->udiag_state;
	for (; RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		switch (a->rta_type) {
		case UNIX_DIAG_NAME:
			s->namelen = (int)RTA_PAYLOAD(a);
			memcpy(s->name, RTA_DATA(a), RTA_PAYLOAD(a));
			break;
		case UNIX_DIAG_PEER:
			s->has_peer = true;
			s->peer = *(uint32_t *)RTA_DATA(a);
			break;
		case UNIX_DIAG_RQLEN:
			s->has_rq = true;
			s->rq = ((struct unix_diag_rqlen *)RTA_DATA(a))->
			    udiag_rqueue;
			s->wq = ((struct unix_diag_rqlen *)RTA_DATA(a))->
			    udiag_wqueue;
			break;
		case UNIX_DIAG_UID:
			s->has_uid = true;
			s->uid = *(uint32_t *)RTA_DATA(a);
			break;
		case UNIX_DIAG_SHUTDOWN:
			s->has_shut = true;
			s->shutdown = *(uint8_t *)RTA_DATA(a);
			break;
		}
	}
}

/* The error of the next reply if it is an NLMSG_ERROR, else records it
 * and returns 0; *done when it ends a dump. */
static int
next_reply(int d, bool *done)
{
	ssize_t n = rump_sys_recv(d, rbuf, sizeof(rbuf), 0);
	struct nlmsghdr *h = (struct nlmsghdr *)rbuf;

	assert_true(n > 0);
	for (; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
		if (h->nlmsg_type == NLMSG_DONE) {
			*done = true;
			return 0;
		}
		if (h->nlmsg_type == NLMSG_ERROR)
			return -((struct nlmsgerr *)NLMSG_DATA(h))->error;
		record(h);
	}
	return 0;
}

static void
check(const struct seen *s, int type, int state, const char *name,
    uint64_t peer, uint32_t rq, uint32_t wq, uint8_t shut)
{
	assert_int_equal(s->found, 1);
	assert_int_equal(s->type, type);
	assert_int_equal(s->state, state);
	if (name == NULL) {
		assert_int_equal(s->namelen, 0);
	} else {
		/* A path name comes with its NUL. */
		assert_int_equal(s->namelen, (int)strlen(name) + 1);
		assert_memory_equal(s->name, name, strlen(name) + 1);
	}
	assert_int_equal(s->has_peer, peer != 0);
	if (peer != 0)
		assert_int_equal(s->peer, (uint32_t)peer);
	assert_true(s->has_rq);
	assert_int_equal(s->rq, rq);
	/* A stream sender's Send-Q: Linux counts the buffers' true size. */
	if (wq == 5)
		assert_true(s->wq >= 5);
	else
		assert_int_equal(s->wq, wq);
	assert_true(s->has_uid);
	assert_int_equal(s->uid, rump_sys_geteuid());
	assert_true(s->has_shut);
	assert_int_equal(s->shutdown, shut);
}

static void
dump_and_get(void **state)
{
	struct sockaddr_un la = { .sun_family = AF_UNIX }, da = la;
	int l, c, a, dg, sp[2], d, fd;
	bool done = false;
	char text[8192];
	ssize_t n;

	(void)state;
	snprintf(la.sun_path, sizeof(la.sun_path), "/ud.l");
	snprintf(da.sun_path, sizeof(da.sun_path), "/ud.d");
	rump_sys_unlink(la.sun_path);
	rump_sys_unlink(da.sun_path);
	l = (int)CHECK_OK(rump_sys_socket(AF_UNIX, SOCK_STREAM, 0));
	CHECK_OK(rump_sys_bind(l, (struct sockaddr *)&la, sizeof(la)));
	CHECK_OK(rump_sys_listen(l, 5));
	c = (int)CHECK_OK(rump_sys_socket(AF_UNIX, SOCK_STREAM, 0));
	CHECK_OK(rump_sys_connect(c, (struct sockaddr *)&la, sizeof(la)));
	a = (int)CHECK_OK(rump_sys_accept(l, NULL, NULL));
	assert_int_equal(rump_sys_write(c, "hello", 5), 5);
	dg = (int)CHECK_OK(rump_sys_socket(AF_UNIX, SOCK_DGRAM, 0));
	CHECK_OK(rump_sys_bind(dg, (struct sockaddr *)&da, sizeof(da)));
	CHECK_OK(rump_sys_socketpair(AF_UNIX, SOCK_STREAM, 0, sp));
	CHECK_OK(rump_sys_shutdown(sp[0], SHUT_WR));
	seen[0].ino = ino_of(l);
	seen[1].ino = ino_of(c);
	seen[2].ino = ino_of(a);
	seen[3].ino = ino_of(dg);
	seen[4].ino = ino_of(sp[0]);
	seen[5].ino = ino_of(sp[1]);

	d = (int)CHECK_OK(rump_sys_socket(AF_NETLINK, SOCK_RAW,
	    NETLINK_SOCK_DIAG));
	send_diag(d, 0, true, 0, 0);
	while (!done)
		assert_int_equal(next_reply(d, &done), 0);
	check(&seen[0], SOCK_STREAM, 10, "/ud.l", 0, 0, 5, 0);
	check(&seen[1], SOCK_STREAM, 1, NULL, seen[2].ino, 0, 5, 0);
	check(&seen[2], SOCK_STREAM, 1, "/ud.l", seen[1].ino, 5, 0, 0);
	check(&seen[3], SOCK_DGRAM, 7, "/ud.d", 0, 0, 0, 0);
	check(&seen[4], SOCK_STREAM, 1, NULL, seen[5].ino, 0, 0, 2);
	check(&seen[5], SOCK_STREAM, 1, NULL, seen[4].ino, 0, 0, 1);

	/* One socket by inode, without a cookie: one message, no DONE. */
	memset(&seen[0], 0, sizeof(seen[0]));
	seen[0].ino = ino_of(l);
	send_diag(d, (uint32_t)seen[0].ino, false, ~0u, ~0u);
	done = false;
	assert_int_equal(next_reply(d, &done), 0);
	assert_false(done);
	check(&seen[0], SOCK_STREAM, 10, "/ud.l", 0, 0, 5, 0);
	send_diag(d, 0, false, ~0u, ~0u);
	assert_int_equal(next_reply(d, &done), EINVAL);
	send_diag(d, 0x7ffffff0u, false, ~0u, ~0u);
	assert_int_equal(next_reply(d, &done), ENOENT);

	/* /proc/net/unix lists the same sockets by inode, with their names
	 * (the accepted one with its listener's). */
	fd = (int)CHECK_OK(rump_sys_open("/proc/net/unix", O_RDONLY));
	n = 0;
	for (ssize_t r; (r = rump_sys_read(fd, text + n,
	    sizeof(text) - 1 - (size_t)n)) > 0;)
		n += r;
	text[n] = '\0';
	rump_sys_close(fd);
	for (int i = 0; i < NSOCK; i++) {
		char want[64];
		const char *name = i == 0 || i == 2 ? " /ud.l" :
		    i == 3 ? " /ud.d" : "";

		snprintf(want, sizeof(want), " %llu%s\n",
		    (unsigned long long)seen[i].ino, name);
		if (strstr(text, want) == NULL)
			fail_msg("/proc/net/unix has no \"%s\" in:\n%s", want,
			    text);
	}
	rump_sys_close(d);
	rump_sys_close(sp[0]);
	rump_sys_close(sp[1]);
	rump_sys_close(dg);
	rump_sys_close(a);
	rump_sys_close(c);
	rump_sys_close(l);
	rump_sys_unlink(la.sun_path);
	rump_sys_unlink(da.sun_path);
}

static int
group_setup(void **state)
{
	(void)state;
#ifdef TEST_ON_HOST
	/* The namespace's unix sockets only. */
	assert_int_equal(unshare(CLONE_NEWNET), 0);
#endif
	return test_kernel_init("unixdiag");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dump_and_get),
	};

	return cmocka_run_group_tests_name("unixdiag", tests, group_setup,
	    NULL);
}
