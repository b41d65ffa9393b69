/*
 * gensyscalls.h: the parsed model of syscalls.master, shared by the parser
 * (gensyscalls.c) and the emitters (gensyscalls_emit.c).
 *
 * The parser fills one struct sentry per line and validates everything it
 * can, so an emitter may trust the model: names are unique, arguments named
 * in annotations exist, pointer-only annotations sit on pointers.  New
 * outputs (remote marshaling, hijack tables) are new emitters over the same
 * model; they should not need to look at the text again.
 */
#ifndef GENSYSCALLS_H
#define GENSYSCALLS_H

#include <stdbool.h>
#include <stdio.h>

#define GEN_MAXARGS	6	/* rump_syscall() passes at most six */
#define GEN_MAXSYSCALL	512	/* SYS_MAXSYSCALL in k/syscall.h */

enum faction { FAC_KERN, FAC_VFS, FAC_DEV, FAC_NET, FAC_COUNT };

enum kind { KIND_STD, KIND_UNSUPP };

/* What the kernel does with an argument (the @annotation). */
enum annkind {
	ANN_NONE,
	ANN_FD,		/* @fd */
	ANN_DIRFD,	/* @dirfd */
	ANN_PATH,	/* @path */
	ANN_IN,		/* @in(expr) */
	ANN_OUT,	/* @out(expr) or @out(expr,ret) */
	ANN_INOUT,	/* @inout(expr) */
	ANN_IOV_IN,	/* @iov_in(expr) */
	ANN_IOV_OUT,	/* @iov_out(expr) */
	ANN_IOCTL,	/* @ioctl(argname) */
	ANN_FCNTL,	/* @fcntl(argname) */
	ANN_OUTFDS,	/* @outfds(expr) */
	ANN_VALRES,	/* @valres(lenarg): out, room *lenarg, length back */
	ANN_MSG_SEND,	/* @msg_send: a struct msghdr sendmsg reads */
	ANN_MSG_RECV,	/* @msg_recv: a struct msghdr recvmsg fills */
	ANN_MMSG_SEND,	/* @mmsg_send(cnt): struct mmsghdr[cnt], msg_len back */
	ANN_MMSG_RECV	/* @mmsg_recv(cnt): ... recvmmsg fills */
};

/*
 * How a public stub reads an argument libc's prototype makes variadic
 * (@va): the public prototype ends in "..." in its place.
 */
enum vakind {
	VA_NONE,
	VA_MODE,	/* @va(mode): open's mode, there with O_CREAT/O_TMPFILE */
	VA_FCNTL,	/* @va(fcntl): an int, a pointer or nothing, by command */
	VA_IOCTL	/* @va(ioctl): one pointer-sized argument */
};

/* A C type as written: "const char *" is base "char", isconst, nptr 1. */
struct ctype {
	char *text;	/* normalized public spelling: "const char *" */
	char *base;	/* the words without const: "char", "struct stat" */
	bool isconst;	/* const applies to the base (pointee) */
	int nptr;	/* number of '*' */
};

struct sarg {
	struct ctype type;
	char *name;
	enum annkind ann;
	char *expr;	/* size / count / argument name of the annotation */
	bool outret;	/* @out(SIZE,ret): valid length is the return value */
	char *outelem;	/* @out(SIZE,ret*ELEM): ... counted in ELEMs */
	bool opt;	/* @opt: may be NULL */
	enum vakind va;	/* @va(KIND): variadic in the public prototype */
};

struct sentry {
	int line;
	int num;
	enum faction faction;
	enum kind kind;
	int unsupp_errno;	/* KIND_UNSUPP: the errno it answers */
	char *unsupp_name;	/* ... and its name ("ENOSYS") */
	struct ctype rtype;
	char *name;
	int nargs;
	struct sarg args[GEN_MAXARGS];
	bool newfd;		/* @newfd: returns a new descriptor */
	int retarg;		/* @retarg(NAME): index of NAME, else -1 */
};

struct master {
	const char *path;
	struct sentry *ents;	/* in file order */
	int nents;
	struct sentry **bynum;	/* sorted by number */
	bool hasfaction[FAC_COUNT];
};

/* gensyscalls.c */
extern const char *const faction_names[FAC_COUNT];
bool kernel_scalar(const char *base);
int master_parse(const char *path, struct master *m);	/* 0 or -1 */

/* gensyscalls_emit.c: each returns 0 or -1 (message printed). */
int emit_public_h(const struct master *m, const char *out);
int emit_public_c(const struct master *m, const char *out);
int emit_kernel_h(const struct master *m, const char *out,
    const bool facs[FAC_COUNT]);
int emit_kernel_table(const struct master *m, const char *out,
    enum faction f);
int emit_names(const struct master *m, const char *out);

/* Shared by the emitters (gensyscalls_emit.c). */
char *xprintf(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
FILE *out_open(const char *path);	/* writes the DO-NOT-EDIT line */
int out_close(FILE *f, const char *path);
char *decl(const struct ctype *t, const char *name);

/* The hijack's stubs hjk_NAME() (hj_ksys.h, hj_ksys.c). */
int emit_hijack(const struct master *m, const char *outh, const char *outc);

/* gensyscalls_libc.c: the check of the prototypes against glibc's. */
int emit_libc_check(const struct master *m, const char *out);
/* The switch reading fcntl's variadic argument in a public stub. */
void emit_fcntl_va(FILE *f, const char *cmd, const char *arg,
    const char *type);

/* gensyscalls_remote.c: the sysproxy marshaling table (sp_systab.c). */
int emit_remote(const struct master *m, const char *out);

#endif /* GENSYSCALLS_H */
