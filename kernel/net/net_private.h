/*
 * net_private.h: what the net faction's files share and nothing else sees.
 */
#ifndef NET_PRIVATE_H
#define NET_PRIVATE_H

#include "k/socket.h"

/* uipc_domain.c */
void domain_init(void);

/* uipc_mbuf.c: set up the free cache; give it back to kmem (tests). */
void mbuf_init(void);
void mbuf_drain(void);

/* netisr.c */
void netisr_init(void);
uint64_t netisr_dropped(void);

/* uipc_sockbuf.c: drops the first mbuf of the first record. */
void sbdropfirst(struct sockbuf *sb);

/* uipc_socket.c */
extern int64_t net_rmem_default, net_wmem_default, net_rmem_max,
    net_wmem_max, net_somaxconn;
int socket_init(void);

/* uipc_solife.c */
void solife_init(void);
long socket_count(void);
/* A zeroed socket of protocol pr, not attached, unlocked, own lock. */
struct socket *soalloc(const struct protosw *pr);
void sodealloc(struct socket *so);
/* Frees so if nothing refers to it any more (so_lock held). */
void somaybefree(struct socket *so);
void so_reap(void);
/* file_rele() later, without socket locks (AF_UNIX's in-flight files). */
struct file;
void so_defer_filerele(struct file *fp);
int socreate(int family, int type, int proto, struct socket **sop);
void soclose(struct socket *so);
int solisten(struct socket *so, int backlog);
int sobind(struct socket *so, const struct sockaddr *sa, socklen_t len);
int soconnect(struct socket *so, const struct sockaddr *sa, socklen_t len,
    bool nbio);
int soaccept(struct socket *head, bool nbio, struct socket **sop,
    struct sockaddr *sa, socklen_t *lenp);
int soshutdown(struct socket *so, int how);
int sogetaddr(struct socket *so, bool peer, struct sockaddr_storage *ss,
    socklen_t *lenp);
void sorflush(struct socket *so);

/* uipc_sockio.c */
int sosend(struct socket *so, const struct sockaddr *sa, socklen_t salen,
    struct uio *uio, struct mbuf *control, int flags, bool nbio,
    size_t *sentp);
int soreceive(struct socket *so, struct uio *uio,
    struct sockaddr_storage *from, socklen_t *fromlenp,
    struct mbuf **controlp, int *flagsp, bool nbio, size_t *lenp);

/* uipc_sockopt.c */
int sosetopt(struct socket *so, struct sockopt *sopt);
int sogetopt(struct socket *so, struct sockopt *sopt);

/* sys_socket.c */
struct file;
extern const struct fileops socketops;
bool file_nbio(struct file *fp);
/* The socket behind fd, file referenced: EBADF, ENOTSOCK. */
int getsock(int fd, struct file **fpp, struct socket **sop);
/* Gives so a file and a descriptor (SOCK_NONBLOCK/SOCK_CLOEXEC flags);
 * on error so is closed. */
int sofile_install(struct socket *so, int flags, int *fdp);
int sockaddr_copyin(const void *uaddr, socklen_t len,
    struct sockaddr_storage *ss);
int sockaddr_copyout(const struct sockaddr_storage *ss, socklen_t len,
    void *uaddr, socklen_t *ulenp);

#endif /* NET_PRIVATE_H */
