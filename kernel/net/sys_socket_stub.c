/*
 * sys_socket_stub.c: the socket system calls before the socket layer
 * exists (a skeleton step): no socket can be created, so every descriptor
 * is EBADF or ENOTSOCK and socket() answers EAFNOSUPPORT.
 */
#include "k/kernel.h"
#include "k/file.h"
#include "k/socket.h"
#include "syscallargs.h"

static int
notsock(int fd)
{
	struct file *fp;
	int error;

	if ((error = fd_getfile(fd, &fp)) != 0)
		return error;
	file_rele(fp);
	return ENOTSOCK;
}

int
sys_socket(struct lwp *l, int domain, int type, int protocol,
    register_t *retval)
{
	(void)l; (void)domain; (void)type; (void)protocol; (void)retval;
	return EAFNOSUPPORT;
}

int
sys_socketpair(struct lwp *l, int domain, int type, int protocol, int *sv,
    register_t *retval)
{
	(void)l; (void)domain; (void)type; (void)protocol; (void)sv;
	(void)retval;
	return EAFNOSUPPORT;
}

int
sys_connect(struct lwp *l, int sockfd, const void *addr, socklen_t addrlen,
    register_t *retval)
{
	(void)l; (void)addr; (void)addrlen; (void)retval;
	return notsock(sockfd);
}

int
sys_accept(struct lwp *l, int sockfd, void *addr, socklen_t *addrlen,
    register_t *retval)
{
	(void)l; (void)addr; (void)addrlen; (void)retval;
	return notsock(sockfd);
}

int
sys_accept4(struct lwp *l, int sockfd, void *addr, socklen_t *addrlen,
    int flags, register_t *retval)
{
	(void)l; (void)addr; (void)addrlen; (void)flags; (void)retval;
	return notsock(sockfd);
}

int
sys_sendto(struct lwp *l, int sockfd, const void *buf, size_t len,
    int flags, const void *dest_addr, socklen_t addrlen, register_t *retval)
{
	(void)l; (void)buf; (void)len; (void)flags; (void)dest_addr;
	(void)addrlen; (void)retval;
	return notsock(sockfd);
}

int
sys_recvfrom(struct lwp *l, int sockfd, void *buf, size_t len, int flags,
    void *src_addr, socklen_t *addrlen, register_t *retval)
{
	(void)l; (void)buf; (void)len; (void)flags; (void)src_addr;
	(void)addrlen; (void)retval;
	return notsock(sockfd);
}

int
sys_sendmsg(struct lwp *l, int sockfd, const void *msg, int flags,
    register_t *retval)
{
	(void)l; (void)msg; (void)flags; (void)retval;
	return notsock(sockfd);
}

int
sys_recvmsg(struct lwp *l, int sockfd, void *msg, int flags,
    register_t *retval)
{
	(void)l; (void)msg; (void)flags; (void)retval;
	return notsock(sockfd);
}

int
sys_sendmmsg(struct lwp *l, int sockfd, void *msgvec, unsigned int vlen,
    int flags, register_t *retval)
{
	(void)l; (void)msgvec; (void)vlen; (void)flags; (void)retval;
	return notsock(sockfd);
}

int
sys_recvmmsg(struct lwp *l, int sockfd, void *msgvec, unsigned int vlen,
    int flags, void *timeout, register_t *retval)
{
	(void)l; (void)msgvec; (void)vlen; (void)flags; (void)timeout;
	(void)retval;
	return notsock(sockfd);
}

int
sys_shutdown(struct lwp *l, int sockfd, int how, register_t *retval)
{
	(void)l; (void)how; (void)retval;
	return notsock(sockfd);
}

int
sys_bind(struct lwp *l, int sockfd, const void *addr, socklen_t addrlen,
    register_t *retval)
{
	(void)l; (void)addr; (void)addrlen; (void)retval;
	return notsock(sockfd);
}

int
sys_listen(struct lwp *l, int sockfd, int backlog, register_t *retval)
{
	(void)l; (void)backlog; (void)retval;
	return notsock(sockfd);
}

int
sys_getsockname(struct lwp *l, int sockfd, void *addr, socklen_t *addrlen,
    register_t *retval)
{
	(void)l; (void)addr; (void)addrlen; (void)retval;
	return notsock(sockfd);
}

int
sys_getpeername(struct lwp *l, int sockfd, void *addr, socklen_t *addrlen,
    register_t *retval)
{
	(void)l; (void)addr; (void)addrlen; (void)retval;
	return notsock(sockfd);
}

int
sys_setsockopt(struct lwp *l, int sockfd, int level, int optname,
    const void *optval, socklen_t optlen, register_t *retval)
{
	(void)l; (void)level; (void)optname; (void)optval; (void)optlen;
	(void)retval;
	return notsock(sockfd);
}

int
sys_getsockopt(struct lwp *l, int sockfd, int level, int optname,
    void *optval, socklen_t *optlen, register_t *retval)
{
	(void)l; (void)level; (void)optname; (void)optval; (void)optlen;
	(void)retval;
	return notsock(sockfd);
}
