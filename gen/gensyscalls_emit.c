/*
 * gensyscalls_emit.c: the emitters of the syscalls.master compiler.  Each
 * writes one file from the validated model (gensyscalls.h); on a write
 * error it removes the partial file and returns -1.
 *
 * Conventions of the generated code: arguments travel as int64_t
 * (register_t in the kernel), integers by cast, pointers through intptr_t;
 * handlers return 0 or an errno and their result through retval.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "gensyscalls.h"

#define DONOTEDIT "/* DO NOT EDIT: generated from syscalls.master " \
	"by gen/gensyscalls. */\n"

char *
xprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || (s = malloc((size_t)n + 1)) == NULL) {
		fprintf(stderr, "gensyscalls: out of memory\n");
		exit(1);
	}
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

FILE *
out_open(const char *path)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		perror(path);
	else
		fputs(DONOTEDIT, f);
	return f;
}

int
out_close(FILE *f, const char *path)
{
	int bad = ferror(f);

	if (fclose(f) != 0 || bad) {
		perror(path);
		remove(path);
		return -1;
	}
	return 0;
}

/* "TYPE NAME" with the star next to the name. */
char *
decl(const struct ctype *t, const char *name)
{
	size_t n = strlen(t->text);

	return xprintf("%s%s%s", t->text,
	    n > 0 && t->text[n - 1] == '*' ? "" : " ", name);
}

/* The kernel's type for an argument (rule in syscalls.master). */
static const char *
ktype(const struct ctype *t)
{
	if (t->nptr == 0 || (t->nptr == 1 && kernel_scalar(t->base)))
		return t->text;
	return t->nptr == 1 && t->isconst ? "const void *" : "void *";
}

static int
width(const char *s, int col)
{
	for (; *s != '\0'; s++)
		col = *s == '\t' ? (col + 8) & ~7 : col + 1;
	return col;
}

/*
 * Prints prefix, the items separated by ", " and suffix, then a newline;
 * breaks the line before an item that would pass column 80 and indents the
 * continuation with cont.
 */
static void
wrap(FILE *f, const char *prefix, char *const *items, int n,
    const char *suffix, const char *cont)
{
	int col = width(prefix, 0);

	fputs(prefix, f);
	for (int i = 0; i < n; i++) {
		const char *tail = i < n - 1 ? "," : suffix;
		int w = (int)(strlen(items[i]) + strlen(tail));

		if (i > 0 && col + 1 + w > 80) {
			fprintf(f, "\n%s", cont);
			col = width(cont, 0);
		} else if (i > 0) {
			fputc(' ', f);
			col++;
		}
		fprintf(f, "%s%s", items[i], tail);
		col += w;
	}
	if (n == 0)
		fputs(suffix, f);
	fputc('\n', f);
}

/* The entry's variadic argument (@va), or NULL. */
static const struct sarg *
va_arg_of(const struct sentry *e)
{
	return e->nargs > 0 && e->args[e->nargs - 1].va != VA_NONE ?
	    &e->args[e->nargs - 1] : NULL;
}

/*
 * An argument as libc declares it: a struct sockaddr pointer as glibc's
 * __SOCKADDR_ARG (under _GNU_SOURCE a transparent union of every
 * sockaddr_* pointer, so that a struct sockaddr_in * needs no cast).
 */
static char *
libc_decl(const struct sarg *a)
{
	if (a->type.nptr == 1 && strcmp(a->type.base, "struct sockaddr") == 0)
		return xprintf("%s %s", a->type.isconst ?
		    "RUMP_CONST_SOCKADDR_ARG" : "RUMP_SOCKADDR_ARG", a->name);
	return decl(&a->type, a->name);
}

/*
 * One prototype per entry: RTYPE PREFIXname(ARGS).  As libc's (libc):
 * "..." for @va arguments, glibc's sockaddr parameters.
 */
static void
emit_protos(FILE *f, const struct master *m, const char *pfx, bool libc)
{
	for (int i = 0; i < m->nents; i++) {
		const struct sentry *e = m->bynum[i];
		char *items[GEN_MAXARGS], *prefix;
		int j;

		for (j = 0; j < e->nargs; j++)
			items[j] = libc ? libc_decl(&e->args[j]) :
			    decl(&e->args[j].type, e->args[j].name);
		if (libc && va_arg_of(e) != NULL)
			items[e->nargs - 1] = "...";
		prefix = xprintf("%s(", decl(&e->rtype,
		    xprintf("%s%s", pfx, e->name)));
		if (e->nargs == 0)
			fprintf(f, "%svoid);\n", prefix);
		else
			wrap(f, prefix, items, e->nargs, ");", "    ");
	}
}

int
emit_public_h(const struct master *m, const char *out)
{
	static const char *const incs[] = {
		"sys/types.h", "sys/stat.h", "sys/statfs.h", "sys/uio.h",
		"sys/utsname.h", "sys/resource.h", "poll.h", "signal.h",
		"time.h", "fcntl.h", "stdint.h", "sys/socket.h", "sys/select.h",
		"sys/epoll.h",
	};
	FILE *f = out_open(out);

	if (f == NULL)
		return -1;
	fputs("/*\n"
	    " * rump_syscalls.h: the system calls of a rump kernel as "
	    "rump_sys_NAME(),\n"
	    " * with libc's conventions: -1 (NULL for pointers) and errno "
	    "on failure.\n"
	    " * The RUMP_SYS_* numbers are Linux x86_64's.\n"
	    " */\n"
	    "#ifndef RUMP_RUMP_SYSCALLS_H\n#define RUMP_RUMP_SYSCALLS_H\n\n",
	    f);
	for (size_t i = 0; i < sizeof(incs) / sizeof(incs[0]); i++)
		fprintf(f, "#include <%s>\n", incs[i]);
	fputs("/* POSIX types <signal.h> hides under a strict -std=c11. */\n"
	    "#ifdef __GLIBC__\n#include <bits/types/sigset_t.h>\n#endif\n",
	    f);
	fputs("\n#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n"
	    "/* Declared here so that clients need no _GNU_SOURCE. */\n"
	    "struct statx;\nstruct open_how;\nstruct mmsghdr;\n\n"
	    "/*\n * glibc's sockaddr parameters: with _GNU_SOURCE (in C) a "
	    "transparent union\n * of the sockaddr_* pointers, passed as the "
	    "pointer; the stubs are\n * defined with the plain pointer, which "
	    "the union's declaration allows.\n * (A macro or, for the union, "
	    "a typedef: <sys/socket.h> has either.)\n */\n"
	    "#ifdef __GLIBC__\n"
	    "#define RUMP_SOCKADDR_ARG\t__SOCKADDR_ARG\n"
	    "#define RUMP_CONST_SOCKADDR_ARG\t__CONST_SOCKADDR_ARG\n#else\n"
	    "#define RUMP_SOCKADDR_ARG\tstruct sockaddr *\n"
	    "#define RUMP_CONST_SOCKADDR_ARG\tconst struct sockaddr *\n"
	    "#endif\n\n", f);
	for (int i = 0; i < m->nents; i++) {
		const struct sentry *e = m->bynum[i];

		char *def = xprintf("#define RUMP_SYS_%s", e->name);

		fputs(def, f);
		for (int col = width(def, 0); col < 40; col = (col + 8) & ~7)
			fputc('\t', f);
		fprintf(f, "%d", e->num);
		if (e->kind == KIND_UNSUPP)
			fprintf(f, "\t/* unsupported: %s */", e->unsupp_name);
		fputc('\n', f);
	}
	fputc('\n', f);
	emit_protos(f, m, "rump_sys_", true);
	fputs("\n#ifdef __cplusplus\n}\n#endif\n\n"
	    "#endif /* RUMP_RUMP_SYSCALLS_H */\n", f);
	return out_close(f, out);
}

/* The stubs' names: rump_sys_* over rump_syscall, or the hijack's. */
struct stubstyle {
	const char *prefix;	/* "rump_sys_" */
	const char *call;	/* "rump_syscall" */
	const char *seterr;	/* "rumpuser_seterrno(error)" */
	bool variadic;		/* libc's "..." for @va arguments */
};
static const struct stubstyle public_style = {
	"rump_sys_", "rump_syscall", "rumpuser_seterrno(error)", true };
/* The hijack decodes libc's variadic calls itself and passes all. */
static const struct stubstyle hijack_style = {
	"hjk_", "hj_syscall", "errno = error", false };

/*
 * The declaration of a stub's variadic argument and the code reading it
 * from ap, after the last fixed argument LAST: only when the call has it.
 */
static void
va_read(FILE *f, const struct sentry *e, const struct sarg *a)
{
	const char *last = e->args[e->nargs - 2].name;

	fprintf(f, "\t%s = %s;\n\tva_list ap;\n\n\tva_start(ap, %s);\n",
	    decl(&a->type, a->name), a->type.nptr > 0 ? "NULL" : "0", last);
	switch (a->va) {
	case VA_MODE:
		/* As the kernel tells O_TMPFILE: both of its bits. */
		fprintf(f, "\tif ((%s & O_CREAT) != 0 || (%s & O_TMPFILE) == "
		    "O_TMPFILE)\n\t\t%s = va_arg(ap, %s);\n", last, last,
		    a->name, a->type.text);
		break;
	case VA_FCNTL:
		emit_fcntl_va(f, last, a->name, a->type.text);
		break;
	case VA_IOCTL:
		/* Always, as glibc and musl: whether a request takes one is
		 * not in its number (FIOCLEX, TIOCNOTTY: none), and reading
		 * one more register or stack slot is harmless on Linux ABIs. */
		fprintf(f, "\t%s = va_arg(ap, %s);\n", a->name, a->type.text);
		break;
	case VA_NONE:
		break;
	}
	fputs("\tva_end(ap);\n", f);
}

static void
public_stub(FILE *f, const struct sentry *e, const struct stubstyle *st)
{
	const struct ctype *rt = &e->rtype;
	bool isvoid = rt->nptr == 0 && strcmp(rt->base, "void") == 0;
	const struct sarg *va = st->variadic ? va_arg_of(e) : NULL;
	char *items[GEN_MAXARGS];
	int j;

	for (j = 0; j < e->nargs; j++)
		items[j] = decl(&e->args[j].type, e->args[j].name);
	if (va != NULL)
		items[e->nargs - 1] = "...";
	fprintf(f, "\n%s\n%s%s(", rt->text, st->prefix, e->name);
	if (e->nargs == 0)
		fputs("void)\n", f);
	else
		wrap(f, "", items, e->nargs, ")", "    ");
	fputs("{\n", f);
	if (e->nargs > 0)
		fprintf(f, "\tint64_t args[%d];\n", e->nargs);
	fputs("\tint64_t rv = 0;\n", f);
	if (!isvoid)
		fputs("\tint error;\n", f);
	if (va != NULL)
		va_read(f, e, va);
	fputc('\n', f);
	for (j = 0; j < e->nargs; j++)
		fprintf(f, "\targs[%d] = (int64_t)%s%s;\n", j,
		    e->args[j].type.nptr > 0 ? "(intptr_t)" : "",
		    e->args[j].name);
	fprintf(f, "\t%s%s(RUMP_SYS_%s, %s, %d, &rv);\n",
	    isvoid ? "(void)" : "error = ", st->call, e->name,
	    e->nargs > 0 ? "args" : "NULL", e->nargs);
	if (isvoid) {
		fputs("\t(void)rv;\n}\n", f);
		return;
	}
	fprintf(f, "\tif (error != 0) {\n\t\t%s;\n"
	    "\t\treturn %s;\n\t}\n", st->seterr, rt->nptr > 0 ? "NULL" : "-1");
	if (e->retarg >= 0)
		fprintf(f, "\treturn %s;\n}\n", e->args[e->retarg].name);
	else if (rt->nptr > 0)
		fprintf(f, "\treturn (%s)(intptr_t)rv;\n}\n", rt->text);
	else
		fprintf(f, "\treturn (%s)rv;\n}\n", rt->text);
}

int
emit_public_c(const struct master *m, const char *out)
{
	FILE *f = out_open(out);

	if (f == NULL)
		return -1;
	fputs("/*\n"
	    " * rump_syscalls.c: the local rump_sys_*() stubs.  Each packs its "
	    "arguments\n"
	    " * into registers for rump_syscall() and turns an errno into "
	    "-1 (or NULL)\n"
	    " * with errno set, the one place where that convention is made.\n"
	    " */\n"
	    "/* O_TMPFILE and Linux's fcntl commands. */\n"
	    "#ifndef _GNU_SOURCE\n#define _GNU_SOURCE\n#endif\n"
	    "#include <rump/rump_syscalls.h>\n#include <rump/rump.h>\n"
	    "#include <rump/rumpuser.h>\n#include <fcntl.h>\n"
	    "#include <stdarg.h>\n#include <stdint.h>\n", f);
	for (int i = 0; i < m->nents; i++)
		public_stub(f, m->bynum[i], &public_style);
	return out_close(f, out);
}

/* The hijack's own stubs (hjk_NAME), over its backend's hj_syscall(). */
int
emit_hijack(const struct master *m, const char *outh, const char *outc)
{
	FILE *f = out_open(outh);

	if (f == NULL)
		return -1;
	fputs("/*\n * hj_ksys.h: the kernel's calls as the hijack makes them: "
	    "hjk_NAME(),\n * libc conventions, over hj_syscall().\n */\n"
	    "#ifndef HJ_KSYS_H\n#define HJ_KSYS_H\n\n"
	    "#include <rump/rump_syscalls.h>\n\n"
	    "int hj_syscall(int num, const int64_t *args, int nargs, "
	    "int64_t *retval);\n\n", f);
	emit_protos(f, m, "hjk_", false);
	fputs("\n#endif /* HJ_KSYS_H */\n", f);
	if (out_close(f, outh) != 0 || (f = out_open(outc)) == NULL)
		return -1;
	fputs("/*\n * hj_ksys.c: the hijack's kernel call stubs.\n */\n"
	    "#include <errno.h>\n#include <stdint.h>\n"
	    "#include \"hj_ksys.h\"\n", f);
	for (int i = 0; i < m->nents; i++)
		public_stub(f, m->bynum[i], &hijack_style);
	return out_close(f, outc);
}

int
emit_kernel_h(const struct master *m, const char *out,
    const bool facs[FAC_COUNT])
{
	FILE *f = out_open(out);

	if (f == NULL)
		return -1;
	fputs("/*\n"
	    " * syscallargs.h: the prototypes of the kernel's system-call "
	    "handlers,\n"
	    " * int sys_NAME(struct lwp *l, args..., register_t *retval), "
	    "and the\n"
	    " * per-faction tables that kern_syscall.c registers.\n"
	    " */\n"
	    "#ifndef K_SYSCALLARGS_H\n#define K_SYSCALLARGS_H\n\n"
	    "#include \"k/kernel.h\"\n#include \"k/syscall.h\"\n\n", f);
	for (int i = 0; i < m->nents; i++) {
		const struct sentry *e = m->bynum[i];
		char *items[GEN_MAXARGS + 2], *prefix;
		int n = 0;

		if (e->kind != KIND_STD)
			continue;
		for (int j = 0; j < e->nargs; j++) {
			const struct ctype *t = &e->args[j].type;
			struct ctype kt = { .text = (char *)ktype(t) };

			items[n++] = decl(&kt, e->args[j].name);
		}
		items[n++] = "register_t *retval";
		prefix = xprintf("int sys_%s(struct lwp *l, ", e->name);
		wrap(f, prefix, items, n, ");", "    ");
	}
	fputc('\n', f);
	for (int fac = 0; fac < FAC_COUNT; fac++)
		if (facs[fac])
			fprintf(f, "extern const struct sysent_reg "
			    "syscalls_%s[];\n", faction_names[fac]);
	fputs("\n#endif /* K_SYSCALLARGS_H */\n", f);
	return out_close(f, out);
}

static void
kernel_wrapper(FILE *f, const struct sentry *e)
{
	char *items[GEN_MAXARGS + 2];
	int n = 0;

	fprintf(f, "\nstatic int\nsy_%s(struct lwp *l, const register_t *a, "
	    "register_t *rv)\n{\n", e->name);
	if (e->kind == KIND_UNSUPP) {
		fprintf(f, "\t(void)l;\n\t(void)a;\n\t(void)rv;\n"
		    "\treturn %d;\t/* %s */\n}\n", e->unsupp_errno,
		    e->unsupp_name);
		return;
	}
	if (e->nargs == 0)
		fputs("\t(void)a;\n", f);
	items[n++] = "l";
	for (int j = 0; j < e->nargs; j++) {
		const struct ctype *t = &e->args[j].type;

		items[n++] = xprintf("(%s)%sa[%d]", ktype(t),
		    t->nptr > 0 ? "(intptr_t)" : "", j);
	}
	items[n++] = "rv";
	wrap(f, xprintf("\treturn sys_%s(", e->name), items, n, ");",
	    "\t    ");
	fputs("}\n", f);
}

int
emit_kernel_table(const struct master *m, const char *out, enum faction fac)
{
	FILE *f = out_open(out);
	const char *fn = faction_names[fac];
	int i;

	if (f == NULL)
		return -1;
	fprintf(f, "/*\n"
	    " * syscalls_%s.c: the %s faction's system-call table.\n"
	    " * Each wrapper unpacks register-sized arguments into the "
	    "handler's\n"
	    " * types; the component registers the table with "
	    "syscall_register().\n"
	    " */\n"
	    "#include \"k/syscall.h\"\n#include \"syscallargs.h\"\n", fn, fn);
	for (i = 0; i < m->nents; i++)
		if (m->bynum[i]->faction == fac)
			kernel_wrapper(f, m->bynum[i]);
	fprintf(f, "\nconst struct sysent_reg syscalls_%s[] = {\n", fn);
	for (i = 0; i < m->nents; i++) {
		const struct sentry *e = m->bynum[i];

		if (e->faction == fac)
			fprintf(f, "\t{ %d, \"%s\", %d, sy_%s },\n", e->num,
			    e->name, e->nargs, e->name);
	}
	fputs("\t{ -1, NULL, 0, NULL }\n};\n", f);
	return out_close(f, out);
}

int
emit_names(const struct master *m, const char *out)
{
	FILE *f = out_open(out);
	int n = m->nents > 0 ? m->bynum[m->nents - 1]->num + 1 : 1;

	if (f == NULL)
		return -1;
	fprintf(f, "/*\n"
	    " * rump_syscall_names[]: the name of each system call, indexed "
	    "by number;\n"
	    " * NULL where syscalls.master has no entry.\n"
	    " */\n"
	    "#include <stddef.h>\n\n"
	    "extern const char *const rump_syscall_names[];\n"
	    "extern const int rump_syscall_nnames;\n\n"
	    "const int rump_syscall_nnames = %d;\n"
	    "const char *const rump_syscall_names[%d] = {\n", n, n);
	for (int i = 0; i < m->nents; i++)
		fprintf(f, "\t[%d] = \"%s\",\n", m->bynum[i]->num,
		    m->bynum[i]->name);
	if (m->nents == 0)
		fputs("\tNULL\n", f);
	fputs("};\n", f);
	return out_close(f, out);
}
