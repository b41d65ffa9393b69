/*
 * rump.h: the public API of an embedded rump kernel.
 *
 * Functions here return 0 or an errno value (they never touch errno);
 * the system calls in <rump/rump_syscalls.h> behave like libc's instead:
 * -1 with errno set.
 */
#ifndef RUMP_RUMP_H
#define RUMP_RUMP_H

#include <stdint.h>
#include <sys/types.h>

#include <rump/rump_version.h>

#ifdef __cplusplus
extern "C" {
#endif

struct lwp;

/*
 * The library's version, "MAJOR.MINOR.MICRO" (RUMP_VERSION_STRING is the
 * headers'): a program built against one release can tell which it runs
 * with.
 */
const char *rump_version(void);

/* Boots the kernel once per process; later calls return 0 at once. */
int rump_init(void);
/* Syncs every file system and stops the kernel (calls fail afterwards). */
int rump_halt(void);

/*
 * Processes.  Each host thread that calls in has a current lwp (light-
 * weight process) inside some kernel process; by default a thread gets one
 * in the local client's process (pid 1) on its first call and keeps it.
 */
#define RUMP_RFFDG	0x01	/* new process gets a copy of the fd table */
#define RUMP_RFCFDG	0x02	/* new process gets an empty fd table */
/* Forks the current process; the calling thread switches into the child. */
int rump_lwproc_rfork(int flags);
/* A new lwp in process pid; the calling thread switches to it. */
int rump_lwproc_newlwp(pid_t pid);
/* Switches the calling thread to l (NULL: no lwp). */
void rump_lwproc_switch(struct lwp *l);
/* Releases the current lwp; the last lwp of a process ends the process. */
void rump_lwproc_releaselwp(void);
struct lwp *rump_lwproc_curlwp(void);
/*
 * From now on the current lwp sets the 32-bit word at word (aligned) to
 * 1 whenever it goes to sleep in the kernel (waiting for data, for room,
 * for a timeout), not when it waits briefly for a lock; NULL stops that.
 * A server that runs calls for a remote client tells it so that the
 * client stops spinning for an answer that will take long.  The word
 * must stay writable until then or until the lwp is released.
 */
void rump_lwproc_blockhint(void *word);
/*
 * The current process has exec'd a new image (a remote client did):
 * closes its close-on-exec descriptors and names it comm.  0 or errno.
 */
int rump_proc_execnotify(const char *comm);
/*
 * Gives the current process exactly these credentials, with no rule
 * applied (the caller checked them): uids and gids are real, effective,
 * saved, fs; groups has ngroups entries.  0 or errno (EINVAL for an id of
 * -1 or more than 65536 groups).  For servers acting for a peer.
 */
int rump_proc_setcred(const unsigned int uids[4], const unsigned int gids[4],
    int ngroups, const unsigned int *groups);

/* Loads a component library at run time and initializes its components. */
int rump_module_load(const char *path);

/*
 * Host files as kernel devices (NetBSD's etfs): key is a path inside the
 * kernel (e.g. "/dev/hd0"), hostpath a host file or block device.
 */
enum rump_etfs_type {
	RUMP_ETFS_REG,		/* a regular file in the kernel */
	RUMP_ETFS_BLK,		/* a block device node */
	RUMP_ETFS_CHR		/* a character device node */
};
/* size for rump_etfs_register_withsize: the window runs to the file's end. */
#define RUMP_ETFS_SIZE_ENDOFF	((uint64_t)-1)
int rump_etfs_register(const char *key, const char *hostpath,
    enum rump_etfs_type ftype);
int rump_etfs_register_withsize(const char *key, const char *hostpath,
    enum rump_etfs_type ftype, uint64_t begin, uint64_t size);
int rump_etfs_remove(const char *key);

/*
 * Serving this kernel to other processes (sysproxy, doc/PROTOCOL.md).
 * url: unix:///path or tcp://addr:port (tcp://[v6addr]:port).  Starts
 * listening and serving in threads of this process; rump_init() first.
 * Unix sockets serve the server's own uid and root (plus allow_uids, or
 * anyone with allow_any_uid); TCP needs secret_file unless insecure is
 * set.  Returns 0 or an errno (EADDRINUSE: a live server holds the path).
 */
struct rump_server_config {
	const char *secret_file;	/* shared secret (TCP; unix: optional) */
	int insecure;			/* TCP without a secret */
	const unsigned int *allow_uids;	/* more uids to serve (unix) */
	unsigned int nallow_uids;
	int allow_any_uid;
};
int rump_init_server(const char *url);
int rump_init_server_config(const char *url,
    const struct rump_server_config *cfg);
/*
 * The same on a socket already bound and listening (socket activation:
 * systemd's LISTEN_FDS), unix or TCP as getsockname says.  The socket is
 * the caller's: shutdown closes it but never removes its name.  ENOTSOCK,
 * EINVAL (not a listening stream socket) or the errors above.
 */
int rump_init_server_fd(int fd, const struct rump_server_config *cfg);
/* Stops serving: closes the listener and every client, removes a unix
 * socket.  Clients' processes in the kernel end.  Safe to call twice. */
void rump_server_shutdown(void);
/*
 * Holding the door: after rump_server_hold(), connections are accepted
 * but wait, before their handshake, until rump_server_release(0) (the
 * kernel is up: they are served) or release(errno) (they are closed).
 * For a launcher that listens, starts its command and boots meanwhile.
 */
void rump_server_hold(void);
void rump_server_release(int error);
/*
 * A process serving its embedded kernel that forks: forks the calling
 * thread's kernel process and returns the cookie under which the host
 * child claims it (librumpclient: RUMPCLIENT__FORKCOOKIE, 32 hex digits).
 */
int rump_server_prefork(unsigned char cookie[16]);

/*
 * Links that leave the kernel.  A process that calls
 * rump_sys_prctl(RUMP_PR_LINKOUT, 1, 0, 0, 0) says it shows the kernel's
 * root at vfs.linkprefix (the hijack's "/rump") and can finish a call on
 * the host: then a lookup that meets an absolute symlink whose target is
 * not under that prefix fails with RUMP_ELINKOUT instead of resolving the
 * target inside the kernel (Linux resolves it from the process root,
 * which is the host's).  Inherited by fork; 0 turns it off.
 */
#define RUMP_PR_LINKOUT	0x52554d01
/*
 * Shared mappings of kernel files.  rump_sys_prctl(RUMP_PR_MAPOBJ, fd,
 * prot, flags, 0), for a descriptor of a regular file and mmap's prot and
 * flags (MAP_SHARED or MAP_SHARED_VALIDATE), returns a new host
 * descriptor of the file's memory object, which the caller mmaps with
 * the same prot, flags and offset and then closes: the mapping shares its
 * pages with the kernel's file (doc/DESIGN.md, "Shared mappings").
 * EACCES as mmap(2) for the descriptor's access mode, ENODEV for a file
 * that has no memory object (not a tmpfs regular file).  Local kernels
 * only: a remote client asks with rumpclient_mapobj().
 */
#define RUMP_PR_MAPOBJ	0x52554d02
#define RUMP_ELINKOUT	600

/* Raw entry: number from RUMP_SYS_*, up to 6 register-sized arguments. */
int rump_syscall(int num, const int64_t *args, int nargs, int64_t *retval);

#ifdef __cplusplus
}
#endif

#endif /* RUMP_RUMP_H */
