/*
 * sys_socket.c: sockets as files (DTYPE_SOCKET fileops) and the socket
 * system calls other than the send/receive family (sys_socket_msg.c).
 *
 * Addresses are copied in whole into a sockaddr_storage (EINVAL past its
 * 128 bytes or shorter than sa_family, as Linux's move_addr_to_kernel) and
 * copied out truncated to the caller's room with the full length written
 * back (move_addr_to_user).  O_NONBLOCK is read from the file at each
 * call, so fcntl and FIONBIO need no hook.
 */
#include "k/kernel.h"
#include "k/file.h"
#include "k/socket.h"
#include "syscallargs.h"

#include "net_private.h"

static int soo_read(struct file *, struct uio *, int);
static int soo_write(struct file *, struct uio *, int);
static int soo_ioctl(struct file *, unsigned long, void *);
static int soo_poll(struct file *, int);
static int soo_stat(struct file *, struct stat *);
static int soo_close(struct file *);

const struct fileops socketops = {
	.fo_read = soo_read,
	.fo_write = soo_write,
	.fo_ioctl = soo_ioctl,
	.fo_poll = soo_poll,
	.fo_stat = soo_stat,
	.fo_close = soo_close,
	.fo_seek = NULL,		/* ESPIPE */
};

bool
file_nbio(struct file *fp)
{
	return (file_flags(fp) & O_NONBLOCK) != 0;
}

int
getsock(int fd, struct file **fpp, struct socket **sop)
{
	struct file *fp;
	int error;

	if ((error = fd_getfile_io(fd, &fp)) != 0)
		return error;
	if (fp->f_type != DTYPE_SOCKET) {
		file_rele(fp);
		return ENOTSOCK;
	}
	*fpp = fp;
	*sop = fp->f_data;
	return 0;
}

/* A file for so, installed at the lowest descriptor; so is the file's. */
int
sofile_install(struct socket *so, int flags, int *fdp)
{
	struct file *fp;
	int error;

	if ((error = file_alloc(&fp)) != 0) {
		soclose(so);
		return error;
	}
	fp->f_flag = O_RDWR | (flags & SOCK_NONBLOCK ? O_NONBLOCK : 0);
	fp->f_type = DTYPE_SOCKET;
	fp->f_ops = &socketops;
	fp->f_data = so;
	error = fd_install_lowest(fp, 0, (flags & SOCK_CLOEXEC) != 0, fdp);
	file_rele(fp);		/* on error this closes the socket */
	return error;
}

int
sockaddr_copyin(const void *uaddr, socklen_t len,
    struct sockaddr_storage *ss)
{
	int error;

	if ((int)len < 0 || len > sizeof(*ss))
		return EINVAL;
	memset(ss, 0, sizeof(*ss));
	if (len > 0 && (error = copyin(uaddr, ss, len)) != 0)
		return error;
	if (len < sizeof(sa_family_t))
		return EINVAL;
	return 0;
}

/* Copies an address out to uaddr (room *ulenp) and its length to *ulenp. */
int
sockaddr_copyout(const struct sockaddr_storage *ss, socklen_t len,
    void *uaddr, socklen_t *ulenp)
{
	socklen_t room;
	int error;

	if ((error = copyin(ulenp, &room, sizeof(room))) != 0)
		return error;
	if ((int)room < 0)
		return EINVAL;
	if (len > sizeof(*ss))
		len = sizeof(*ss);
	if (room > len)
		room = len;
	if (room > 0 && (error = copyout(ss, uaddr, room)) != 0)
		return error;
	return copyout(&len, ulenp, sizeof(len));
}

int
sys_socket(struct lwp *l __unused, int domain, int type, int protocol,
    register_t *retval)
{
	struct socket *so;
	int flags = type & ~SOCK_TYPE_MASK, fd, error;

	if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
		return EINVAL;
	if ((error = socreate(domain, type & SOCK_TYPE_MASK, protocol,
	    &so)) != 0)
		return error;
	if ((error = sofile_install(so, flags, &fd)) != 0)
		return error;
	*retval = fd;
	return 0;
}

int
sys_socketpair(struct lwp *l __unused, int domain, int type, int protocol,
    int *sv, register_t *retval)
{
	struct socket *so1, *so2;
	int flags = type & ~SOCK_TYPE_MASK, fds[2], error;

	if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
		return EINVAL;
	if ((error = socreate(domain, type & SOCK_TYPE_MASK, protocol,
	    &so1)) != 0)
		return error;
	if (so1->so_proto->pr_usrreqs->pr_connect2 == NULL) {
		soclose(so1);
		return EOPNOTSUPP;
	}
	if ((error = socreate(domain, type & SOCK_TYPE_MASK, protocol,
	    &so2)) != 0) {
		soclose(so1);
		return error;
	}
	/* Both are fresh and unshared: the protocol may merge their locks. */
	mutex_enter(so1->so_lock);
	if (so2->so_lock != so1->so_lock)
		mutex_enter(so2->so_lock);
	error = so1->so_proto->pr_usrreqs->pr_connect2(so1, so2);
	if (so2->so_lock != so1->so_lock)
		mutex_exit(so2->so_lock);
	mutex_exit(so1->so_lock);
	if (error != 0) {
		soclose(so1);
		soclose(so2);
		return error;
	}
	if ((error = sofile_install(so1, flags, &fds[0])) != 0) {
		soclose(so2);
		return error;
	}
	if ((error = sofile_install(so2, flags, &fds[1])) != 0) {
		(void)fd_close(fds[0]);
		return error;
	}
	if ((error = copyout(fds, sv, sizeof(fds))) != 0) {
		(void)fd_close(fds[0]);
		(void)fd_close(fds[1]);
		return error;
	}
	*retval = 0;
	return 0;
}

int
sys_bind(struct lwp *l __unused, int sockfd, const void *addr,
    socklen_t addrlen, register_t *retval)
{
	struct sockaddr_storage ss;
	struct file *fp;
	struct socket *so;
	int error;

	if ((error = getsock(sockfd, &fp, &so)) != 0)
		return error;
	if ((error = sockaddr_copyin(addr, addrlen, &ss)) == 0)
		error = sobind(so, (struct sockaddr *)&ss, addrlen);
	file_rele(fp);
	if (error == 0)
		*retval = 0;
	return error;
}

int
sys_connect(struct lwp *l __unused, int sockfd, const void *addr,
    socklen_t addrlen, register_t *retval)
{
	struct sockaddr_storage ss;
	struct file *fp;
	struct socket *so;
	int error;

	if ((error = getsock(sockfd, &fp, &so)) != 0)
		return error;
	if ((error = sockaddr_copyin(addr, addrlen, &ss)) == 0)
		error = soconnect(so, (struct sockaddr *)&ss, addrlen,
		    file_nbio(fp));
	file_rele(fp);
	if (error == 0)
		*retval = 0;
	return error;
}

int
sys_listen(struct lwp *l __unused, int sockfd, int backlog,
    register_t *retval)
{
	struct file *fp;
	struct socket *so;
	int error;

	if ((error = getsock(sockfd, &fp, &so)) != 0)
		return error;
	error = solisten(so, backlog);
	file_rele(fp);
	if (error == 0)
		*retval = 0;
	return error;
}

int
sys_accept4(struct lwp *l __unused, int sockfd, void *addr,
    socklen_t *addrlen, int flags, register_t *retval)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss), room;
	struct file *fp;
	struct socket *so, *nso;
	int fd, error;

	if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
		return EINVAL;
	if ((error = getsock(sockfd, &fp, &so)) != 0)
		return error;
	if (!(so->so_proto->pr_flags & PR_LISTEN)) {
		file_rele(fp);
		return EOPNOTSUPP;
	}
	/* Linux reads the room before waiting: a bad pointer is EFAULT
	 * without taking a connection off the queue. */
	if (addr != NULL && ((error = copyin(addrlen, &room,
	    sizeof(room))) != 0 || ((int)room < 0 && (error = EINVAL)))) {
		file_rele(fp);
		return error;
	}
	memset(&ss, 0, sizeof(ss));
	error = soaccept(so, file_nbio(fp), &nso, (struct sockaddr *)&ss,
	    &len);
	file_rele(fp);
	if (error != 0)
		return error;
	if ((error = sofile_install(nso, flags, &fd)) != 0)
		return error;
	if (addr != NULL &&
	    (error = sockaddr_copyout(&ss, len, addr, addrlen)) != 0) {
		(void)fd_close(fd);
		return error;
	}
	*retval = fd;
	return 0;
}

int
sys_accept(struct lwp *l, int sockfd, void *addr, socklen_t *addrlen,
    register_t *retval)
{
	return sys_accept4(l, sockfd, addr, addrlen, 0, retval);
}

int
sys_shutdown(struct lwp *l __unused, int sockfd, int how,
    register_t *retval)
{
	struct file *fp;
	struct socket *so;
	int error;

	if ((error = getsock(sockfd, &fp, &so)) != 0)
		return error;
	error = soshutdown(so, how);
	file_rele(fp);
	if (error == 0)
		*retval = 0;
	return error;
}

static int
getname(int sockfd, void *addr, socklen_t *addrlen, bool peer,
    register_t *retval)
{
	struct sockaddr_storage ss;
	socklen_t len, room;
	struct file *fp;
	struct socket *so;
	int error;

	if ((error = getsock(sockfd, &fp, &so)) != 0)
		return error;
	if ((error = copyin(addrlen, &room, sizeof(room))) == 0 &&
	    (int)room < 0)
		error = EINVAL;
	if (error == 0)
		error = sogetaddr(so, peer, &ss, &len);
	file_rele(fp);
	if (error == 0)
		error = sockaddr_copyout(&ss, len, addr, addrlen);
	if (error == 0)
		*retval = 0;
	return error;
}

int
sys_getsockname(struct lwp *l __unused, int sockfd, void *addr,
    socklen_t *addrlen, register_t *retval)
{
	return getname(sockfd, addr, addrlen, false, retval);
}

int
sys_getpeername(struct lwp *l __unused, int sockfd, void *addr,
    socklen_t *addrlen, register_t *retval)
{
	return getname(sockfd, addr, addrlen, true, retval);
}

#define SOPT_MAX	4096	/* largest option value taken (TCP_INFO fits) */

int
sys_setsockopt(struct lwp *l __unused, int sockfd, int level, int optname,
    const void *optval, socklen_t optlen, register_t *retval)
{
	struct sockopt sopt;
	uint8_t buf[SOPT_MAX];
	struct file *fp;
	struct socket *so;
	int error;

	if ((error = getsock(sockfd, &fp, &so)) != 0)
		return error;
	if ((int)optlen < 0) {
		file_rele(fp);
		return EINVAL;
	}
	sopt.sopt_level = level;
	sopt.sopt_name = optname;
	sopt.sopt_data = buf;
	sopt.sopt_size = MIN((size_t)optlen, sizeof(buf));
	memset(buf, 0, sizeof(buf));
	if (sopt.sopt_size > 0 &&
	    (error = copyin(optval, buf, sopt.sopt_size)) != 0) {
		file_rele(fp);
		return error;
	}
	error = sosetopt(so, &sopt);
	file_rele(fp);
	if (error == 0)
		*retval = 0;
	return error;
}

int
sys_getsockopt(struct lwp *l __unused, int sockfd, int level, int optname,
    void *optval, socklen_t *optlen, register_t *retval)
{
	struct sockopt sopt;
	uint8_t buf[SOPT_MAX];
	struct file *fp;
	struct socket *so;
	socklen_t room;
	int error;

	if ((error = getsock(sockfd, &fp, &so)) != 0)
		return error;
	if ((error = copyin(optlen, &room, sizeof(room))) != 0 ||
	    ((int)room < 0 && (error = EINVAL) != 0)) {
		file_rele(fp);
		return error;
	}
	sopt.sopt_level = level;
	sopt.sopt_name = optname;
	sopt.sopt_data = buf;
	sopt.sopt_size = MIN((size_t)room, sizeof(buf));
	memset(buf, 0, sizeof(buf));
	error = sogetopt(so, &sopt);
	file_rele(fp);
	if (error != 0)
		return error;
	room = (socklen_t)sopt.sopt_size;
	if (room > 0 && (error = copyout(buf, optval, room)) != 0)
		return error;
	if ((error = copyout(&room, optlen, sizeof(room))) != 0)
		return error;
	*retval = 0;
	return 0;
}

/* --- file operations --------------------------------------------------- */

static int
soo_read(struct file *fp, struct uio *uio, int fflags __unused)
{
	size_t len;
	int flags = 0;

	return soreceive(fp->f_data, uio, NULL, NULL, NULL, &flags,
	    file_nbio(fp), &len);
}

static int
soo_write(struct file *fp, struct uio *uio, int fflags __unused)
{
	size_t len;

	return sosend(fp->f_data, NULL, 0, uio, NULL, 0, file_nbio(fp),
	    &len);
}

static so_netcfg_ioctl_t so_netcfg_ioctl;

void
so_netcfg_ioctl_register(so_netcfg_ioctl_t fn)
{
	__atomic_store_n(&so_netcfg_ioctl, fn, __ATOMIC_RELEASE);
}

static int
soo_ioctl(struct file *fp, unsigned long cmd, void *data)
{
	struct socket *so = fp->f_data;
	const struct pr_usrreqs *ur = so->so_proto->pr_usrreqs;
	int v, error;

	switch (cmd) {
	case FIONREAD:
		solock(so);
		if (so->so_options & SOF_ACCEPTCONN) {
			sounlock(so);
			return EINVAL;
		}
		if ((so->so_proto->pr_flags & PR_ATOMIC) &&
		    so->so_rcv.sb_mb != NULL) {
			/* Linux: the size of the next datagram. */
			struct mbuf *m;

			v = 0;
			for (m = so->so_rcv.sb_mb; m != NULL; m = m->m_next)
				if (m->m_type != MT_SONAME &&
				    m->m_type != MT_CONTROL)
					v += (int)m->m_len;
		} else {
			v = (int)MIN(so->so_rcv.sb_cc, (size_t)INT32_MAX);
		}
		sounlock(so);
		return copyout(&v, data, sizeof(v));
	default:
		/* Interface, route and ARP requests (SIOCADDRT .. 0x89ff,
		 * past SIOCGSTAMPNS): the interface code's, any family;
		 * SIOCOUTQNSD among them is TCP's. */
		if (cmd >= 0x890B && cmd <= 0x89ff && cmd != SIOCOUTQNSD) {
			so_netcfg_ioctl_t fn = __atomic_load_n(
			    &so_netcfg_ioctl, __ATOMIC_ACQUIRE);

			return fn != NULL ? fn(so, cmd, data) : ENOTTY;
		}
		if (ur->pr_ioctl == NULL)
			return ENOTTY;
		solock(so);
		error = ur->pr_ioctl(so, cmd, data);
		sounlock(so);
		netisr_run();
		return error;
	}
}

static int
soo_poll(struct file *fp, int events)
{
	struct socket *so = fp->f_data;
	const struct protosw *pr = so->so_proto;
	int revents = 0;

	solock(so);
	selrecord(&so->so_rcv.sb_sel);
	selrecord(&so->so_snd.sb_sel);
	if (so->so_options & SOF_ACCEPTCONN) {
		if (so->so_qlen > 0)
			revents |= POLLIN | POLLRDNORM;
	} else {
		bool rd;

		if (pr->pr_flags & PR_ATOMIC)
			rd = so->so_rcv.sb_mb != NULL;
		else
			rd = so->so_rcv.sb_cc >= MAX(so->so_rcv.sb_lowat,
			    (size_t)1) || (so->so_rcv.sb_mb != NULL &&
			    so->so_rcv.sb_mb->m_type == MT_CONTROL);
		if (rd)
			revents |= POLLIN | POLLRDNORM;
		if (so->so_state & SS_CANTRCVMORE)
			revents |= POLLIN | POLLRDNORM | POLLRDHUP;
		if ((so->so_state & SS_CANTRCVMORE) &&
		    (so->so_state & SS_CANTSENDMORE))
			revents |= POLLHUP;
		/* An unconnected connection-mode socket: Linux says HUP. */
		if ((pr->pr_flags & PR_CONNREQUIRED) &&
		    !(so->so_state & (SS_ISCONNECTED | SS_ISCONNECTING)))
			revents |= POLLHUP;
		if (so->so_state & SS_CANTSENDMORE)
			revents |= POLLOUT | POLLWRNORM;
		else if ((!(pr->pr_flags & PR_CONNREQUIRED) ||
		    (so->so_state & SS_ISCONNECTED)) &&
		    sbspace(&so->so_snd) > 0)
			revents |= POLLOUT | POLLWRNORM;
		else if ((pr->pr_flags & PR_CONNREQUIRED) &&
		    !(so->so_state & (SS_ISCONNECTED | SS_ISCONNECTING)))
			revents |= POLLOUT | POLLWRNORM;
	}
	if (so->so_error != 0)
		revents |= POLLERR;
	if (pr->pr_usrreqs->pr_poll != NULL)
		revents |= pr->pr_usrreqs->pr_poll(so, events);
	sounlock(so);
	/* POLLERR and POLLHUP are reported whether asked for or not. */
	return revents & (events | POLLERR | POLLHUP);
}

static int
soo_stat(struct file *fp, struct stat *st)
{
	struct socket *so = fp->f_data;

	memset(st, 0, sizeof(*st));
	st->st_dev = 0x8;		/* Linux's sockfs shows a small dev */
	st->st_ino = so->so_ino;
	st->st_mode = S_IFSOCK | 0777;
	st->st_nlink = 1;
	st->st_uid = so->so_uid;
	st->st_gid = so->so_gid;
	st->st_blksize = 4096;
	return 0;
}

static int
soo_close(struct file *fp)
{
	soclose(fp->f_data);
	fp->f_data = NULL;
	return 0;
}
