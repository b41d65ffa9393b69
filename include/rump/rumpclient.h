/*
 * rumpclient.h: a remote rump kernel.  Link with librumpclient instead of
 * the kernel libraries and the same rump_sys_* calls of
 * <rump/rump_syscalls.h> go to the rump_server named by RUMP_SERVER
 * (unix:///path or tcp://addr:port), one round trip each.
 *
 * Each client process is a process in the kernel.  Every thread gets its
 * own connection on its first call, so threads block independently.
 * Environment: RUMP_SERVER; RUMPCLIENT_SECRET (a file holding the shared
 * secret, for TCP servers); RUMPHIJACK_RETRYCONNECT (inftime, once, die,
 * or a number of seconds: what to do when the server goes away; default:
 * calls fail with ENOTCONN).
 */
#ifndef RUMP_RUMPCLIENT_H
#define RUMP_RUMPCLIENT_H

#include <sys/types.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Connects to RUMP_SERVER (or resumes after rumpclient_exec).  0, or -1
 * with errno set and a line on stderr saying why. */
int rumpclient_init(void);
/* fork(2) whose child is a new kernel process with a copy of the parent's
 * descriptors, cwd and credentials.  Returns as fork does. */
pid_t rumpclient_fork(void);
/* fork for a child that is about to exec (vfork, posix_spawn): it claims
 * its kernel process at its first call, or the image it execs does,
 * saving a connection.  Returns as fork does. */
pid_t rumpclient_vfork(void);
/* execve(2) keeping this kernel process: close-on-exec kernel descriptors
 * close, the others stay.  Returns only on failure (-1, errno). */
int rumpclient_exec(const char *path, char *const argv[],
    char *const envp[]);
/*
 * The client's sockets sit in [rumpclient_fdbase(), + RUMPCLIENT_NFDS),
 * at the top of RLIMIT_NOFILE (or of 1024): a program that closes every
 * descriptor it did not open should leave those alone.
 */
#define RUMPCLIENT_NFDS		64
int rumpclient_fdbase(void);
/*
 * The calling process's kernel process takes this process's current host
 * identity, as the server reads it (doc/PROTOCOL.md, "Identities"): for a
 * program whose host ids changed.  0, or -1 with errno.
 */
int rumpclient_syncids(void);
/* A host descriptor of kernel file fd's memory object, to mmap shared
 * with prot and flags, then close (unix sockets only; TCP: ENODEV). */
int rumpclient_mapobj(int fd, int prot, int flags);
/*
 * What the server said at this process's last handshake (rumpclient_init,
 * or the claim of a fork or an exec): RUMPCLIENT_KEPT, the kernel process
 * is one that existed (a forked copy, the image before an exec), with its
 * umask, cwd and root; RUMPCLIENT_HOSTIDS, it holds exactly the host
 * identity the server read of this process then (a unix socket).
 */
#define RUMPCLIENT_KEPT		0x1
#define RUMPCLIENT_HOSTIDS	0x2
int rumpclient_procinfo(void);
/* 1 if fd is one of the client's own sockets. */
int rumpclient_isfd(int fd);

/* The pid of this process inside the kernel (after rumpclient_init). */
pid_t rumpclient_getpid(void);

/*
 * Explicit processes, as rump_lwproc_* for a local kernel (a server that
 * acts for several users, a test).  Each lwp is a connection of its own;
 * the calling thread's current one serves its calls.  0 or an errno.
 */
#define RUMPCLIENT_RFFDG	0x01	/* a copy of the current process */
#define RUMPCLIENT_RFCFDG	0x02	/* a new process, empty descriptors */
int rumpclient_lwproc_rfork(int flags);	/* the thread switches to it */
int rumpclient_lwproc_newlwp(pid_t pid);	/* pid: one of ours */
void *rumpclient_lwproc_curlwp(void);
void rumpclient_lwproc_switch(void *lwp);
void rumpclient_lwproc_releaselwp(void);	/* closes the current one */

/* Raw entry, as in <rump/rump.h>: 0 or an errno. */
int rump_syscall(int num, const int64_t *args, int nargs, int64_t *retval);

#ifdef __cplusplus
}
#endif

#endif /* RUMP_RUMPCLIENT_H */
