/*
 * gensyscalls_libc.c: what the public stubs owe to libc.  A program
 * written against glibc's declarations must compile unchanged with every
 * call renamed to rump_sys_*, so each public prototype is glibc's, "..."
 * included (@va in syscalls.master); this file has the rules of fcntl's
 * variadic argument and writes the check of the prototypes against
 * glibc's, with the calls glibc declares differently on purpose listed
 * below with the reason.
 */
#include <string.h>

#include "gensyscalls.h"

/* --- fcntl's third argument ------------------------------------------- */

/* Linux's commands by what their third argument is; others take none. */
static const char *const fcntl_int[] = {
	"F_DUPFD", "F_DUPFD_CLOEXEC", "F_SETFD", "F_SETFL", "F_SETOWN",
	"F_SETSIG", "F_SETLEASE", "F_NOTIFY", "F_SETPIPE_SZ", "F_ADD_SEALS",
};
static const char *const fcntl_ptr[] = {
	"F_GETLK", "F_SETLK", "F_SETLKW",		/* struct flock */
	"F_OFD_GETLK", "F_OFD_SETLK", "F_OFD_SETLKW",
	"F_GETOWN_EX", "F_SETOWN_EX",			/* struct f_owner_ex */
	"F_GET_RW_HINT", "F_SET_RW_HINT",		/* uint64_t */
	"F_GET_FILE_RW_HINT", "F_SET_FILE_RW_HINT",
};

static void
cases(FILE *f, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(f, "\tcase %s:\n", names[i]);
}

/* Reads ARG (of TYPE) from ap by the kind of command CMD. */
void
emit_fcntl_va(FILE *f, const char *cmd, const char *arg, const char *type)
{
	fprintf(f, "\tswitch (%s) {\n", cmd);
	cases(f, fcntl_int, sizeof(fcntl_int) / sizeof(fcntl_int[0]));
	fprintf(f, "\t\t%s = va_arg(ap, int);\n\t\tbreak;\n", arg);
	cases(f, fcntl_ptr, sizeof(fcntl_ptr) / sizeof(fcntl_ptr[0]));
	fprintf(f, "\t\t%s = (%s)(intptr_t)va_arg(ap, void *);\n\t\tbreak;\n",
	    arg, type);
	fputs("\tdefault:\t/* F_GETFD, F_GETFL...: none; unknown: EINVAL */\n"
	    "\t\tbreak;\n\t}\n", f);
}

/* --- the check against glibc ------------------------------------------ */

enum how {
	CHK_GNU,	/* compared with _GNU_SOURCE (the default) */
	CHK_POSIX,	/* compared without it: see the reason */
	CHK_BOTH,	/* compared with it and without it */
	CHK_AS,		/* compared with glibc's function of another name */
	CHK_SKIP	/* not comparable: the reason says why */
};

static const struct libc_rule {
	const char *name;
	enum how how;
	const char *libc;	/* CHK_AS: glibc's name */
	const char *why;
} rules[] = {
	/* With _GNU_SOURCE glibc's sockaddr parameters are a transparent
	 * union, as ours (RUMP_SOCKADDR_ARG), and a union is compatible
	 * with each of its pointers: only the plain build tells apart. */
	{ "accept", CHK_BOTH, NULL, NULL },
	{ "bind", CHK_BOTH, NULL, NULL },
	{ "connect", CHK_BOTH, NULL, NULL },
	{ "getpeername", CHK_BOTH, NULL, NULL },
	{ "getsockname", CHK_BOTH, NULL, NULL },
	{ "recvfrom", CHK_BOTH, NULL, NULL },
	{ "sendto", CHK_BOTH, NULL, NULL },
	/* With _GNU_SOURCE the resource is an enum __rlimit_resource. */
	{ "getrlimit", CHK_POSIX, NULL, "_GNU_SOURCE: the resource is enum "
	    "__rlimit_resource" },
	{ "setrlimit", CHK_POSIX, NULL, "_GNU_SOURCE: the resource is enum "
	    "__rlimit_resource" },
	{ "prlimit64", CHK_SKIP, NULL, "glibc's takes enum __rlimit_resource "
	    "and struct rlimit64 (the layout of struct rlimit on LP64)" },
	/* System calls whose libc function has another name or shape. */
	{ "newfstatat", CHK_AS, "fstatat", NULL },
	{ "eventfd2", CHK_AS, "eventfd", NULL },
	{ "eventfd", CHK_SKIP, NULL, "glibc's eventfd(count, flags) is the "
	    "eventfd2 call (checked as such); this one has no flags" },
	{ "faccessat2", CHK_AS, "faccessat", NULL },
	{ "faccessat", CHK_SKIP, NULL, "glibc's faccessat() has the flags of "
	    "the faccessat2 call (checked as such); this one has none" },
	{ "pselect6", CHK_SKIP, NULL, "glibc has no pselect6(); its pselect() "
	    "takes a sigset_t * where the call takes a {mask, size} pair" },
	{ "ppoll", CHK_SKIP, NULL, "the call takes the mask's size after the "
	    "mask, which glibc's ppoll() supplies" },
	{ "epoll_pwait", CHK_SKIP, NULL, "the call takes the mask's size "
	    "after the mask, which glibc's epoll_pwait() supplies" },
	{ "epoll_pwait2", CHK_SKIP, NULL, "the call takes the mask's size "
	    "after the mask, which glibc's epoll_pwait2() supplies" },
	{ "openat2", CHK_SKIP, NULL, "glibc (2.36) has no openat2()" },
	{ "prctl", CHK_SKIP, NULL, "glibc's prctl() is variadic; the "
	    "kernel's answers only its own option (RUMP_PR_LINKOUT), the "
	    "call's five arguments" },
};

static const struct libc_rule *
rule_of(const char *name)
{
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (strcmp(rules[i].name, name) == 0)
			return &rules[i];
	return NULL;
}

/* The table's rows: a comparison, or a skip with its reason. */
static void
same_row(FILE *f, const char *name, const char *libc)
{
	fprintf(f, "\t{ \"%s\", \"%s\", SAME(rump_sys_%s, %s), NULL },\n",
	    name, libc, name, libc);
}

static void
skip_row(FILE *f, const char *name, const char *why)
{
	fprintf(f, "\t{ \"%s\", NULL, 1, \"%s\" },\n", name, why);
}

int
emit_libc_check(const struct master *m, const char *out)
{
	static const char *const incs[] = {
		"dirent.h", "fcntl.h", "grp.h", "poll.h", "signal.h",
		"stdio.h", "unistd.h", "sys/epoll.h", "sys/eventfd.h",
		"sys/file.h", "sys/fsuid.h", "sys/ioctl.h", "sys/mount.h",
		"sys/random.h", "sys/resource.h", "sys/select.h",
		"sys/socket.h", "sys/stat.h", "sys/statfs.h", "sys/uio.h",
		"sys/utsname.h",
	};
	FILE *f;

	/* A rule for a call that is gone is a stale reason. */
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		int j;

		for (j = 0; j < m->nents; j++)
			if (strcmp(m->bynum[j]->name, rules[i].name) == 0)
				break;
		if (j == m->nents) {
			fprintf(stderr, "gensyscalls: libc rule for \"%s\", "
			    "which %s does not have\n", rules[i].name,
			    m->path);
			return -1;
		}
	}
	if ((f = out_open(out)) == NULL)
		return -1;
	fputs("/*\n"
	    " * Each rump_sys_NAME() against glibc's NAME(), as TAP.  Built "
	    "twice: with\n"
	    " * _GNU_SOURCE, and with RUMP_LIBC_CHECK_POSIX for the calls "
	    "whose\n"
	    " * _GNU_SOURCE declaration is a GNU extension (the sockaddr "
	    "union, the\n"
	    " * rlimit enum).  Calls glibc declares differently on purpose are "
	    "skipped,\n"
	    " * with the reason (gen/gensyscalls_libc.c).\n"
	    " */\n"
	    "#ifdef RUMP_LIBC_CHECK_POSIX\n#define _DEFAULT_SOURCE\n"
	    "#else\n#define _GNU_SOURCE\n#endif\n", f);
	for (size_t i = 0; i < sizeof(incs) / sizeof(incs[0]); i++)
		fprintf(f, "#include <%s>\n", incs[i]);
	fputs("\n#include <rump/rump_syscalls.h>\n\n"
	    "/* Function types equal as C compares them (parameter "
	    "qualifiers aside). */\n"
	    "#define SAME(x, y)\t__builtin_types_compatible_p("
	    "__typeof__(&(x)), \\\n\t    __typeof__(&(y)))\n\n"
	    "static const struct {\n\tconst char *name, *libc;\n"
	    "\tint same;\n\tconst char *skip;\n} checks[] = {\n"
	    "#ifndef RUMP_LIBC_CHECK_POSIX\n", f);
	for (int i = 0; i < m->nents; i++) {
		const char *n = m->bynum[i]->name;
		const struct libc_rule *r = rule_of(n);

		if (r == NULL || r->how == CHK_BOTH)
			same_row(f, n, n);
		else if (r->how == CHK_AS)
			same_row(f, n, r->libc);
		else if (r->how == CHK_POSIX)
			skip_row(f, n, xprintf("checked without _GNU_SOURCE "
			    "(%s)", r->why));
		else
			skip_row(f, n, r->why);
	}
	fputs("#else\n", f);
	for (int i = 0; i < m->nents; i++) {
		const char *n = m->bynum[i]->name;
		const struct libc_rule *r = rule_of(n);

		if (r != NULL && (r->how == CHK_POSIX || r->how == CHK_BOTH))
			same_row(f, n, n);
	}
	fputs("#endif\n};\n\n"
	    "int\nmain(void)\n{\n"
	    "\tsize_t n = sizeof(checks) / sizeof(checks[0]);\n"
	    "\tint bad = 0;\n\n"
	    "\tprintf(\"1..%zu\\n\", n);\n"
	    "\tfor (size_t i = 0; i < n; i++) {\n"
	    "\t\tif (checks[i].skip != NULL) {\n"
	    "\t\t\tprintf(\"ok %zu - rump_sys_%s # SKIP %s\\n\", i + 1,\n"
	    "\t\t\t    checks[i].name, checks[i].skip);\n"
	    "\t\t\tcontinue;\n\t\t}\n"
	    "\t\tprintf(\"%sok %zu - rump_sys_%s is glibc's %s\\n\",\n"
	    "\t\t    checks[i].same ? \"\" : \"not \", i + 1, "
	    "checks[i].name,\n\t\t    checks[i].libc);\n"
	    "\t\tbad |= !checks[i].same;\n\t}\n"
	    "\treturn bad;\n}\n", f);
	return out_close(f, out);
}
