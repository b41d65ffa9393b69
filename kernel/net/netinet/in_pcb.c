/*
 * in_pcb.c: internet pcbs - allocation, bind, connect, lookup and the
 * socket names (contract and lock rules in netinet/in_pcb.h; ports in
 * in_pcbport.c).
 */
#include "k/kernel.h"
#include "k/abi_net.h"
#include "k/socket.h"
#include "net/if.h"
#include "net/netinet/in_pcb.h"
#include "net/netinet/in_pcbport.h"
#include "net/netinet/ip_var.h"
#include "net/netinet/in_var.h"

int
in_pcbtable_init(struct inpcbtable *t, const char *name, int proto,
    struct inpcbhead *hash, struct inpcbhead *lhash, uint32_t n)
{
	size_t rl;

	if (n == 0 || (n & (n - 1)) != 0)
		return EINVAL;
	mutex_init(&t->ipt_lock);
	t->ipt_name = name;
	t->ipt_proto = proto;
	TAILQ_INIT(&t->ipt_queue);
	t->ipt_hash = hash;
	t->ipt_lhash = lhash;
	t->ipt_mask = t->ipt_lmask = n - 1;
	kern_getrandom(t->ipt_secret, sizeof(t->ipt_secret), GRND_INSECURE,
	    &rl);
	return 0;
}

int
in_pcballoc(struct socket *so, struct inpcbtable *t, int af, int proto)
{
	struct inpcb *inp;

	if ((inp = kmem_zalloc(sizeof(*inp))) == NULL)
		return ENOBUFS;
	inp->inp_table = t;
	inp->inp_socket = so;
	atomic_init(&inp->inp_refs, 1);
	inp->inp_af = af;
	inp->inp_proto = proto;
	inp->inp_flags = INP_MCAST_ALL;
	inp->inp_uid = so->so_cred != NULL ? so->so_cred->cr_euid : 0;
	if (af == AF_INET)
		in6_set_v4mapped(&inp->inp_laddr, 0);
	inp->inp_ttl = -1;
	inp->inp_hops6 = -1;
	inp->inp_pmtudisc = IP_PMTUDISC_WANT;
	inp->inp_pmtudisc6 = IP_PMTUDISC_WANT;
	inp->inp_mcast_ttl = IP_DEFAULT_MULTICAST_TTL;
	inp->inp_mcast_hops6 = -1;
	inp->inp_mcast_loop = inp->inp_mcast_loop6 = true;
	inp->inp_cksum6 = -1;
	LIST_INIT(&inp->inp_mships);
	sohold(so);
	so->so_pcb = inp;
	mutex_enter(&t->ipt_lock);
	TAILQ_INSERT_TAIL(&t->ipt_queue, inp, inp_queue);
	t->ipt_count++;
	mutex_exit(&t->ipt_lock);
	return 0;
}

void
in_pcbref(struct inpcb *inp)
{
	atomic_fetch_add_explicit(&inp->inp_refs, 1, memory_order_relaxed);
}

/* Frees inp and drops its hold on the socket (so_lock held or not). */
static void
in_pcbfree(struct inpcb *inp, bool locked)
{
	struct socket *so = inp->inp_socket;

	in_mship_dropall(inp);
	ip_errq_purge(inp);
	kmem_free(inp, sizeof(*inp));
	/* The layer frees a socket later (its free list), never under the
	 * lock we drop here. */
	if (!locked)
		solock(so);
	sorele(so);
	if (!locked)
		sounlock(so);
}

void
in_pcbrele(struct inpcb *inp)
{
	if (atomic_fetch_sub_explicit(&inp->inp_refs, 1,
	    memory_order_acq_rel) == 1)
		in_pcbfree(inp, false);
}

void
in_pcbdetach(struct inpcb *inp)
{
	struct inpcbtable *t = inp->inp_table;
	struct socket *so = inp->inp_socket;

	mutex_enter(&t->ipt_lock);
	in_pcbunhash_locked(inp);
	TAILQ_REMOVE(&t->ipt_queue, inp, inp_queue);
	t->ipt_count--;
	inp->inp_flags |= INP_DEAD;
	mutex_exit(&t->ipt_lock);
	so->so_pcb = NULL;
	if (atomic_fetch_sub_explicit(&inp->inp_refs, 1,
	    memory_order_acq_rel) == 1)
		in_pcbfree(inp, true);
}

void
in_pcbsetstate(struct inpcb *inp, int tstate)
{
	mutex_enter(&inp->inp_table->ipt_lock);
	inp->inp_tstate = tstate;
	mutex_exit(&inp->inp_table->ipt_lock);
}

/* --- addresses from and to the user ---------------------------------------- */

/*
 * The address part of a bind/connect sockaddr for the socket's family:
 * EINVAL (short), EAFNOSUPPORT (family), *addr v4-mapped for IPv4.
 */
int
in_sockaddr_parse(const struct inpcb *inp, const struct sockaddr *sa,
    socklen_t len, bool forbind, struct in6_addr *addr, uint16_t *port,
    uint32_t *scope)
{
	*scope = 0;
	if (inp->inp_af == AF_INET) {
		struct sockaddr_in sin;

		if (len < sizeof(sin))
			return EINVAL;
		memcpy(&sin, sa, sizeof(sin));
		/* Linux takes AF_UNSPEC with INADDR_ANY as AF_INET for bind. */
		if (sin.sin_family != AF_INET && !(forbind &&
		    sin.sin_family == AF_UNSPEC &&
		    sin.sin_addr.s_addr == htonl(INADDR_ANY)))
			return EAFNOSUPPORT;
		in6_set_v4mapped(addr, sin.sin_addr.s_addr);
		*port = sin.sin_port;
		return 0;
	} else {
		struct sockaddr_in6 sin6;

		if (len < SIN6_LEN_RFC2133)
			return EINVAL;
		memset(&sin6, 0, sizeof(sin6));
		memcpy(&sin6, sa, MIN(len, sizeof(sin6)));
		if (sin6.sin6_family != AF_INET6)
			return EAFNOSUPPORT;
		*addr = sin6.sin6_addr;
		*port = sin6.sin6_port;
		if (len >= sizeof(sin6))
			*scope = sin6.sin6_scope_id;
		return 0;
	}
}

socklen_t
in_sockaddr_fill(int sockaf, const struct in6_addr *addr, uint16_t port,
    struct sockaddr *sa)
{
	if (sockaf == AF_INET) {
		struct sockaddr_in sin;

		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_port = port;
		sin.sin_addr.s_addr = in6_v4addr(addr);
		memcpy(sa, &sin, sizeof(sin));
		return sizeof(sin);
	} else {
		struct sockaddr_in6 sin6;

		memset(&sin6, 0, sizeof(sin6));
		sin6.sin6_family = AF_INET6;
		sin6.sin6_port = port;
		sin6.sin6_addr = *addr;
		if (in6_is_linklocal(addr) && lo_ifp != NULL)
			sin6.sin6_scope_id = (uint32_t)lo_ifp->if_index;
		memcpy(sa, &sin6, sizeof(sin6));
		return sizeof(sin6);
	}
}

static int
name_out(const struct inpcb *inp, const struct in6_addr *a, uint16_t port,
    struct sockaddr *sa, socklen_t *lenp)
{
	struct sockaddr_in6 tmp;
	socklen_t n = in_sockaddr_fill(inp->inp_af, a, port,
	    (struct sockaddr *)&tmp);

	memcpy(sa, &tmp, MIN(n, *lenp));
	*lenp = n;
	return 0;
}

int
in_pcbsockaddr(const struct inpcb *inp, struct sockaddr *sa,
    socklen_t *lenp)
{
	return name_out(inp, &inp->inp_laddr, inp->inp_lport, sa, lenp);
}

int
in_pcbpeeraddr(const struct inpcb *inp, struct sockaddr *sa,
    socklen_t *lenp)
{
	if (!inp->inp_connected)
		return ENOTCONN;
	return name_out(inp, &inp->inp_faddr, inp->inp_fport, sa, lenp);
}

/* --- bind ------------------------------------------------------------------- */

int
in_pcbbind(struct inpcb *inp, const struct sockaddr *sa, socklen_t len)
{
	struct socket *so = inp->inp_socket;
	struct in6_addr addr;
	uint16_t port;
	uint32_t scope;
	bool v4, bcast;
	int error;

	if ((error = in_sockaddr_parse(inp, sa, len, true, &addr, &port,
	    &scope)) != 0)
		return error;
	v4 = in6_is_v4mapped(&addr);
	if (v4 && (inp->inp_flags & INP_V6ONLY))
		return EINVAL;
	if (inp->inp_af == AF_INET6 && !v4 && in6_is_multicast(&addr) &&
	    so->so_type == SOCK_STREAM)
		return EINVAL;
	if (inp->inp_af == AF_INET6 && in6_is_linklocal(&addr) && scope == 0)
		return EINVAL;
	/* Privileged ports: CAP_NET_BIND_SERVICE, i.e. root here. */
	if (port != 0 && ntohs(port) < ip_unpriv_port_start &&
	    !cred_is_root(kauth_cred_get()))
		return EACCES;
	if (inp->inp_bound || inp->inp_lport != 0)
		return EINVAL;
	if (!in6_is_anyaddr(&addr) && !(inp->inp_flags & INP_FREEBIND)) {
		if (v4) {
			in_addr_t a = ntohl(in6_v4addr(&addr));

			if (!IN_MULTICAST(a) && if_ours(AF_INET, &addr,
			    &bcast) == NULL)
				return EADDRNOTAVAIL;
		} else if (!in6_is_multicast(&addr) &&
		    if_ours(AF_INET6, &addr, NULL) == NULL)
			return EADDRNOTAVAIL;
	}
	if (so->so_options & SOF_REUSEADDR)
		inp->inp_flags |= INP_REUSEADDR;
	if (so->so_options & SOF_REUSEPORT)
		inp->inp_flags |= INP_REUSEPORT;
	if (inp->inp_af == AF_INET && in6_is_anyaddr(&addr))
		in6_set_v4mapped(&addr, 0);
	error = in_pcbsetport(inp, &addr, port, port == 0 &&
	    (inp->inp_flags & INP_BIND_NOPORT));
	if (error == 0 && !in6_is_anyaddr(&addr))
		inp->inp_flags |= INP_LADDR_BOUND;
	return error;
}

/* --- connect ---------------------------------------------------------------- */

int
in_pcbcheckdst(const struct inpcb *inp, const struct sockaddr *sa,
    socklen_t len, struct in6_addr *faddr, uint16_t *fport)
{
	uint32_t scope;
	int error;

	if ((error = in_sockaddr_parse(inp, sa, len, false, faddr, fport,
	    &scope)) != 0)
		return error;
	if (in6_is_v4mapped(faddr)) {
		if (inp->inp_flags & INP_V6ONLY)
			return ENETUNREACH;
		/* Linux: INADDR_ANY as a destination means this host. */
		if (in6_v4addr(faddr) == 0)
			in6_set_v4mapped(faddr, htonl(INADDR_LOOPBACK));
		if (inp->inp_af == AF_INET6 && !in6_is_anyaddr(&inp->inp_laddr) &&
		    !in6_is_v4mapped(&inp->inp_laddr))
			return ENETUNREACH;
	} else {
		if (in6_is_unspec(faddr))
			*faddr = in6addr_loopback;
		if (in6_is_v4mapped(&inp->inp_laddr) &&
		    !in6_is_v4any(&inp->inp_laddr))
			return EAFNOSUPPORT;
	}
	return 0;
}

int
in_pcbconnect(struct inpcb *inp, const struct sockaddr *sa, socklen_t len)
{
	struct socket *so = inp->inp_socket;
	struct in6_addr faddr, laddr;
	struct in_route ro;
	uint16_t fport;
	int af, error;

	if ((error = in_pcbcheckdst(inp, sa, len, &faddr, &fport)) != 0)
		return error;
	af = in6_is_v4mapped(&faddr) ? AF_INET : AF_INET6;
	if ((error = in_route_lookup(af, &faddr, inp->inp_bound_ifindex,
	    &ro)) != 0)
		return error;
	if (ro.ro_bcast || (af == AF_INET &&
	    IN_MULTICAST(ntohl(in6_v4addr(&faddr)))) ||
	    (af == AF_INET6 && in6_is_multicast(&faddr))) {
		if (so->so_type == SOCK_STREAM)
			return ENETUNREACH;
		if (ro.ro_bcast && !(so->so_options & SOF_BROADCAST))
			return EACCES;
	}
	laddr = inp->inp_laddr;
	if (in6_is_anyaddr(&laddr)) {
		laddr = ro.ro_src;
		if (af == AF_INET && in6_is_unspec(&laddr))
			return EADDRNOTAVAIL;
	}
	return in_pcbsetconnect(inp, &laddr, &faddr, fport);
}

void
in_pcbdisconnect(struct inpcb *inp)
{
	in_pcbclearconnect(inp);
}

int
in_pcbautobind(struct inpcb *inp)
{
	struct in6_addr any = IN6ADDR_ANY_INIT;
	int error;

	if (inp->inp_lport != 0)
		return 0;
	if (inp->inp_af == AF_INET)
		in6_set_v4mapped(&any, 0);
	else
		any = inp->inp_laddr;
	if (inp->inp_af == AF_INET && !in6_is_anyaddr(&inp->inp_laddr))
		any = inp->inp_laddr;
	error = in_pcbsetport(inp, &any, 0, false);
	if (error == 0)
		inp->inp_flags |= INP_ANONPORT;
	return error == EADDRINUSE ? EAGAIN : error;
}
