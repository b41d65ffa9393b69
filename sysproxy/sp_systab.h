/*
 * sp_systab.h: what each system call does with its arguments, for the
 * sysproxy marshaling on both ends.  The table (sp_systab.c) is generated
 * from the syscalls.master annotations by gen/gensyscalls; both ends run
 * the same size functions, the client to know what to send and receive,
 * the server to know what to expect, so no size is taken on trust.
 */
#ifndef SP_SYSTAB_H
#define SP_SYSTAB_H

#include <stdint.h>

#define SP_NSYS		512	/* numbers 0..SP_NSYS-1 */
#define SP_MAXARGS	6

/* What travels for an argument. */
enum sp_argkind {
	SPA_SCALAR = 0,	/* the value itself (also @fd, @dirfd) */
	SPA_IN,		/* a buffer the kernel reads: sent with the request */
	SPA_OUT,	/* a buffer the kernel writes: sent back with the reply */
	SPA_INOUT,	/* both */
	SPA_PATH,	/* a NUL-terminated string the kernel reads */
	SPA_IOV_IN,	/* an iovec array whose buffers the kernel reads */
	SPA_IOV_OUT,	/* ... whose buffers it writes */
	SPA_IOCTL,	/* depends on the request (sp_ioctl_arg) */
	SPA_FCNTL,	/* depends on the command (sp_fcntl_arg) */
	SPA_NONE,	/* resolved IOCTL: the kernel ignores it, 0 is passed */
	SPA_REJECT,	/* resolved IOCTL/FCNTL: not served, answers an errno */
	SPA_VALRES,	/* OUT sized by the socklen_t of argument ref (INOUT) */
	SPA_MSG_SEND,	/* a struct msghdr the kernel reads (sp_msg.c) */
	SPA_MSG_RECV,	/* a struct msghdr the kernel fills */
	SPA_MMSG_SEND,	/* struct mmsghdr[size] sent; msg_len comes back */
	SPA_MMSG_RECV,	/* struct mmsghdr[size] received */
	SPA_IFCONF,	/* resolved IOCTL: a struct ifconf (sp_ioctl.c) */
	SPA_RTENTRY	/* resolved IOCTL: a struct rtentry, read */
};

struct sp_argdesc {
	uint8_t kind;		/* enum sp_argkind */
	uint8_t opt;		/* the pointer may be NULL */
	uint8_t outret;		/* OUT: the return value times this is how
				   many bytes are valid (0: all of them) */
	int8_t ref;		/* IN/OUT: the size is this bare argument of
				   a call returning a count, so the client may
				   shrink it into a short transfer; IOCTL/FCNTL:
				   the request/command argument; VALRES: its
				   socklen_t * length; MMSG_*: the count, which
				   the client may shrink; else -1 */
};

/*
 * sizes() fills sz[i] for each buffer argument: bytes for IN/OUT/INOUT,
 * the iovec count for IOV_*.  It returns 0, or an errno when a size would
 * not be meaningful (an argument of a size product past 32 bits).
 */
struct sp_sysent {
	const char *name;		/* NULL: not in syscalls.master */
	uint8_t nargs;
	int16_t unsupp;			/* listed but unsupported: its errno */
	struct sp_argdesc args[SP_MAXARGS];
	int (*sizes)(const int64_t *a, uint64_t *sz);
};

extern const struct sp_sysent sp_systab[SP_NSYS];

#endif /* SP_SYSTAB_H */
