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

#ifdef __cplusplus
extern "C" {
#endif

struct lwp;

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

/* Raw entry: number from RUMP_SYS_*, up to 6 register-sized arguments. */
int rump_syscall(int num, const int64_t *args, int nargs, int64_t *retval);

#ifdef __cplusplus
}
#endif

#endif /* RUMP_RUMP_H */
