/*
 * unix_diag.c: what net_unix shows of its sockets: /proc/net/unix and
 * the walk behind unix_diag (NETLINK_SOCK_DIAG for AF_UNIX, formatted by
 * netlink/sock_diag.c), both over unp_all, so netstat -x and ss -x list
 * the same sockets with the same inodes, names and states.
 *
 * Locking: unp_lock (every AF_UNIX socket's so_lock) and then the leaf
 * unp_all_lock while the list is walked; the walk's callback must not
 * take either.
 */
#include "k/kernel.h"
#include "k/mbuf.h"
#include "k/socket.h"

#include "unix_private.h"

/*
 * /proc/net/unix in Linux's format (unix_seq_show), what netstat -x and
 * ss -x (without unix_diag) read: the kernel pointer column is zeros,
 * the reference count 2, flags __SO_ACCEPTCON for listeners, the socket
 * state (SS_UNCONNECTED 1, SS_CONNECTING 2, SS_CONNECTED 3), the inode
 * and the bound name (abstract ones with '@' for their NULs).
 */
int
unp_procnet(struct ktext *t)
{
	struct unpcb *unp;

	ktext_printf(t, "Num       RefCount Protocol Flags    Type St Inode "
	    "Path\n");
	mutex_enter(&unp_lock);
	mutex_enter(&unp_all_lock);
	LIST_FOREACH(unp, &unp_all, unp_alllink) {
		struct socket *so = unp->unp_socket;
		bool lsn = (so->so_options & SOF_ACCEPTCONN) != 0;
		int st = (so->so_state & SS_ISCONNECTED) ? 3 :
		    (so->so_state & SS_ISCONNECTING) ? 2 : 1;
		size_t n;

		ktext_printf(t, "0000000000000000: 00000002 00000000 %08X "
		    "%04X %02X %5llu", lsn ? 0x10000u : 0u,
		    (unsigned)so->so_type, st,
		    (unsigned long long)so->so_ino);
		if (unp->unp_addrlen > offsetof(struct sockaddr_un,
		    sun_path)) {
			const char *p = unp->unp_addr.sun_path;

			n = unp->unp_addrlen - offsetof(struct sockaddr_un,
			    sun_path);
			if (n > sizeof(unp->unp_addr.sun_path))
				n = sizeof(unp->unp_addr.sun_path);
			ktext_printf(t, " ");
			if (p[0] != '\0')	/* a path: up to its NUL */
				ktext_printf(t, "%.*s", (int)n, p);
			else
				for (size_t i = 0; i < n; i++)
					ktext_printf(t, "%c", p[i] != '\0' ?
					    p[i] : '@');
		}
		ktext_printf(t, "\n");
	}
	mutex_exit(&unp_all_lock);
	mutex_exit(&unp_lock);
	return t->t_nomem ? ENOMEM : 0;
}

/* The data bytes of the first record of sb (a datagram's length). */
static uint32_t
unp_firstlen(const struct sockbuf *sb)
{
	uint64_t n = 0;

	for (const struct mbuf *m = sb->sb_mb; m != NULL; m = m->m_next)
		if (m->m_type == MT_DATA || m->m_type == MT_HEADER)
			n += m->m_len;
	return (uint32_t)MIN(n, (uint64_t)UINT32_MAX);
}

static void
unp_diag_fill(struct unpcb *unp, struct unix_diag_ent *e)
{
	struct socket *so = unp->unp_socket;
	size_t n;

	memset(e, 0, sizeof(*e));
	e->ude_ino = so->so_ino;
	e->ude_type = (uint8_t)so->so_type;
	e->ude_uid = (uint32_t)so->so_uid;
	if (so->so_options & SOF_ACCEPTCONN) {
		e->ude_state = 10;		/* TCP_LISTEN */
		e->ude_rqueue = (uint32_t)so->so_qlen;
		e->ude_wqueue = (uint32_t)so->so_qlimit;
	} else {
		e->ude_state = (so->so_state & SS_ISCONNECTED) ? 1 :
		    (so->so_state & SS_ISCONNECTING) ? 2 : 7;
		e->ude_rqueue = so->so_type == SOCK_DGRAM ?
		    unp_firstlen(&so->so_rcv) :
		    (uint32_t)MIN(so->so_rcv.sb_cc, (size_t)UINT32_MAX);
		e->ude_wqueue = (uint32_t)MIN(so->so_snd.sb_cc,
		    (size_t)UINT32_MAX);
	}
	if (unp->unp_conn != NULL && unp->unp_conn->unp_socket != NULL)
		e->ude_peer = unp->unp_conn->unp_socket->so_ino;
	if (so->so_state & SS_CANTRCVMORE)
		e->ude_shutdown |= 1;
	if (so->so_state & SS_CANTSENDMORE)
		e->ude_shutdown |= 2;
	if (unp->unp_addrlen > offsetof(struct sockaddr_un, sun_path)) {
		n = unp->unp_addrlen - offsetof(struct sockaddr_un, sun_path);
		n = MIN(n, sizeof(e->ude_name));
		/* A path is sent with its NUL (Linux's unix_mkname_bsd
		 * length), an abstract name whole. */
		if (unp->unp_addr.sun_path[0] != '\0') {
			size_t i = 0;

			while (i < n && unp->unp_addr.sun_path[i] != '\0')
				i++;
			n = MIN(i + 1, sizeof(e->ude_name));
		}
		memcpy(e->ude_name, unp->unp_addr.sun_path, n);
		e->ude_namelen = (uint32_t)n;
	}
}

void
unp_diag(int (*cb)(void *arg, const struct unix_diag_ent *e), void *arg)
{
	struct unix_diag_ent e;
	struct unpcb *unp;

	mutex_enter(&unp_lock);
	mutex_enter(&unp_all_lock);
	LIST_FOREACH(unp, &unp_all, unp_alllink) {
		unp_diag_fill(unp, &e);
		if (cb(arg, &e) != 0)
			break;
	}
	mutex_exit(&unp_all_lock);
	mutex_exit(&unp_lock);
}
