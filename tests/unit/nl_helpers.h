/*
 * nl_helpers.h: building and sending netlink requests in the unit tests
 * that talk rtnetlink (test_netlink, test_nettools, test_netpeer), in
 * the kernel or, with TEST_ON_HOST, on the host (compat.h).
 */
#ifndef NL_HELPERS_H
#define NL_HELPERS_H

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <string.h>

/* Appends attribute type with len bytes of data to msg, a request that
 * starts with its struct nlmsghdr and has room behind it. */
static inline void
nl_put_attr(void *msg, uint16_t type, const void *data, size_t len)
{
	struct nlmsghdr *h = msg;
	struct rtattr *a = (struct rtattr *)((char *)h +
	    NLMSG_ALIGN(h->nlmsg_len));

	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(a), data, len);
	h->nlmsg_len = NLMSG_ALIGN(h->nlmsg_len) + RTA_ALIGN(a->rta_len);
}

/* Sends the request msg to the kernel on netlink socket s. */
static inline void
nl_send(int s, const void *msg)
{
	const struct nlmsghdr *h = msg;
	struct sockaddr_nl k = { .nl_family = AF_NETLINK };

	CHECK_OK(rump_sys_sendto(s, h, h->nlmsg_len, 0,
	    (struct sockaddr *)&k, sizeof(k)));
}

#endif /* NL_HELPERS_H */
