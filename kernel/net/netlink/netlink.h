/*
 * netlink.h: the private interfaces of AF_NETLINK (kernel/net/netlink).
 *
 * A request is handled whole in the sender's pr_send, with its so_lock
 * held: af_netlink.c splits the datagram into messages and hands each to
 * the protocol's handler (rtnetlink: rtnl.c), which appends its answers
 * to the request's reply (struct nlreply: a list of datagrams being
 * built).  When the datagram is done the replies are queued on the
 * sender's receive buffer.  Dumps are made whole at once too: the tables
 * here are small (interfaces and addresses of one kernel).
 *
 * Lock order: so_lock of the requesting socket, then if_lock (taken by
 * the handlers); nl_lock (the port table) is never held with if_lock.
 */
#ifndef NETLINK_NETLINK_H
#define NETLINK_NETLINK_H

#include "k/kernel.h"
#include "k/abi.h"
#include "k/abi_netcfg.h"
#include "k/socket.h"
#include "net/if.h"

/* A datagram being built. */
struct nldgram {
	struct nldgram *nd_next;
	uint8_t *nd_buf;
	size_t nd_len, nd_cap;
};

/* Everything one request datagram produces. */
struct nlreply {
	struct nldgram *nr_first, *nr_last;
	size_t nr_start;		/* message being built, in nr_last */
	bool nr_nomem;
};

/* The socket's state (so_pcb). */
struct nlpcb {
	LIST_ENTRY(nlpcb) np_list;	/* nl_socks, under nl_lock */
	struct socket *np_so;
	int np_proto;			/* NETLINK_ROUTE ... */
	uint32_t np_portid;		/* 0 until bound */
	uint32_t np_groups;		/* multicast groups 1..32 (bits) */
	uint32_t np_dst_portid;		/* connect(); 0: the kernel */
	uint32_t np_dst_groups;
	int np_flags;			/* NLF_* */
};
#define NLF_EXT_ACK	0x01
#define NLF_CAP_ACK	0x02
#define NLF_STRICT	0x04
#define NLF_NO_ENOBUFS	0x08
#define NLF_PKTINFO	0x10
#define NLF_BCAST_ERR	0x20
#define NLF_LISTEN_ALL	0x40

/* One message being handled. */
struct nlmsg_ctx {
	struct nlpcb *nc_pcb;
	const struct nlmsghdr *nc_req;	/* the request (whole, checked) */
	struct nlreply *nc_reply;
	const char *nc_extmsg;		/* extended ack text, or NULL */
	uint32_t nc_extoff;		/* offending attribute's offset, or 0 */
};

/* The error or the text of a bad request: sets the extended ack. */
static inline int
nl_err(struct nlmsg_ctx *c, int error, const char *msg)
{
	if (c->nc_extmsg == NULL)
		c->nc_extmsg = msg;
	return error;
}

/* --- building answers (nl_msg.c) ---------------------------------------- */
/*
 * Starts a message of type/flags with a fixed header of hdrlen bytes
 * (zeroed, returned), addressed to the requester (pid, seq).  A dump
 * passes dump=true: messages go into datagrams of up to NL_DUMPSIZE
 * bytes; otherwise each message is a datagram of its own.  NULL when out
 * of memory (nr_nomem set).
 */
#define NL_DUMPSIZE	8192
void *nl_msg_begin(struct nlmsg_ctx *c, uint16_t type, uint16_t flags,
    size_t hdrlen, bool dump);
/* Appends an attribute to the message begun last (aligned). */
void nl_put(struct nlmsg_ctx *c, uint16_t type, const void *data,
    size_t len);
void nl_put_u8(struct nlmsg_ctx *c, uint16_t type, uint8_t v);
void nl_put_u32(struct nlmsg_ctx *c, uint16_t type, uint32_t v);
void nl_put_str(struct nlmsg_ctx *c, uint16_t type, const char *s);
/* Opens a nested attribute; nl_nest_end closes it. */
size_t nl_nest_begin(struct nlmsg_ctx *c, uint16_t type);
void nl_nest_end(struct nlmsg_ctx *c, size_t at);
/* Ends the message begun last (sets its nlmsg_len). */
void nl_msg_end(struct nlmsg_ctx *c);
/* NLMSG_DONE closing a dump (error: 0 or a negative errno). */
void nl_done(struct nlmsg_ctx *c, int error);
/* NLMSG_ERROR for the request (error 0: an ACK), with the extended ack
 * when the socket asked for it. */
void nl_ack(struct nlmsg_ctx *c, int error);
void nl_reply_free(struct nlreply *r);

/* --- reading requests (nl_msg.c) ----------------------------------------- */
/* Attribute types past this are ignored when parsing. */
#define NL_MAXATTR	64
/* What one attribute type must look like. */
enum nl_atype { NLA_UNSPEC = 0, NLA_U8, NLA_U16, NLA_U32, NLA_U64,
    NLA_STRING, NLA_NESTED, NLA_BINARY, NLA_IFNAME, NLA_REJECT };
struct nl_policy {
	uint8_t type;			/* enum nl_atype */
	uint16_t len;			/* BINARY: at most; others unused */
};
/*
 * Splits the attributes in buf[0..len) into tb[0..maxtype] (tb[t] NULL
 * if absent, the last one wins as in Linux), checking each against
 * policy (may be NULL): lengths, NUL-terminated strings, a header that
 * overruns the message.  EINVAL with the extended ack set, or 0.  base is
 * where buf is in the request (for NLMSGERR_ATTR_OFFS).
 */
int nl_parse(struct nlmsg_ctx *c, const uint8_t *buf, size_t len,
    const struct nlattr **tb, int maxtype, const struct nl_policy *policy);
static inline const void *
nla_data(const struct nlattr *a)
{
	return (const uint8_t *)a + NLA_HDRLEN;
}
static inline size_t
nla_len(const struct nlattr *a)
{
	return a->nla_len - (size_t)NLA_HDRLEN;
}
uint32_t nla_get_u32(const struct nlattr *a);
uint8_t nla_get_u8(const struct nlattr *a);
/* The payload of the request past its nlmsghdr, and its length. */
static inline const uint8_t *
nl_payload(const struct nlmsghdr *h)
{
	return (const uint8_t *)h + NLMSG_HDRLEN;
}
static inline size_t
nl_paylen(const struct nlmsghdr *h)
{
	return h->nlmsg_len - (size_t)NLMSG_HDRLEN;
}

/* The length of s up to max bytes (the kernel has no strnlen). */
static inline size_t
nl_strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n] != '\0')
		n++;
	return n;
}

/* --- protocols ------------------------------------------------------------ */
/* rtnl.c: one NETLINK_ROUTE message; 0 or an errno for the ack. */
int rtnl_rcv(struct nlmsg_ctx *c);
/* rtnl_link.c, rtnl_addr.c */
int rtnl_getlink(struct nlmsg_ctx *c, bool dump);
int rtnl_newlink(struct nlmsg_ctx *c);
int rtnl_dellink(struct nlmsg_ctx *c);
int rtnl_setlink(struct nlmsg_ctx *c);
int rtnl_getaddr(struct nlmsg_ctx *c, bool dump);
int rtnl_newaddr(struct nlmsg_ctx *c);
int rtnl_deladdr(struct nlmsg_ctx *c);
int rtnl_getroute(struct nlmsg_ctx *c, bool dump);
int rtnl_newroute(struct nlmsg_ctx *c);
int rtnl_delroute(struct nlmsg_ctx *c);
int rtnl_getneigh(struct nlmsg_ctx *c, bool dump);
int rtnl_newneigh(struct nlmsg_ctx *c);
int rtnl_delneigh(struct nlmsg_ctx *c);

/* sock_diag.c: one NETLINK_SOCK_DIAG message; 0 or an errno. */
int sock_diag_rcv(struct nlmsg_ctx *c);

/* af_netlink.c */
int netlink_init(void);

#endif /* NETLINK_NETLINK_H */
