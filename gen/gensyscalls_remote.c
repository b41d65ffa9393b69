/*
 * gensyscalls_remote.c: emits sp_systab.c, the sysproxy marshaling table
 * (sysproxy/sp_systab.h).  Per system call: the kind of each argument and
 * a function that evaluates the annotations' size expressions over the
 * argument values.  Client and server both run it, so the wire carries no
 * sizes that one side must believe.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "gensyscalls.h"

static const char *
spa_kind(const struct sarg *a)
{
	switch (a->ann) {
	case ANN_IN:		return "SPA_IN";
	case ANN_OUT:		return "SPA_OUT";
	case ANN_OUTFDS:	return "SPA_OUT";
	case ANN_INOUT:		return "SPA_INOUT";
	case ANN_PATH:		return "SPA_PATH";
	case ANN_IOV_IN:	return "SPA_IOV_IN";
	case ANN_IOV_OUT:	return "SPA_IOV_OUT";
	case ANN_IOCTL:		return "SPA_IOCTL";
	case ANN_FCNTL:		return "SPA_FCNTL";
	case ANN_VALRES:	return "SPA_VALRES";
	case ANN_MSG_SEND:	return "SPA_MSG_SEND";
	case ANN_MSG_RECV:	return "SPA_MSG_RECV";
	case ANN_MMSG_SEND:	return "SPA_MMSG_SEND";
	case ANN_MMSG_RECV:	return "SPA_MMSG_RECV";
	default:		return "SPA_SCALAR";
	}
}

/* Has a size (or count) expression to evaluate. */
static bool
sized(const struct sarg *a)
{
	switch (a->ann) {
	case ANN_IN: case ANN_OUT: case ANN_OUTFDS: case ANN_INOUT:
	case ANN_IOV_IN: case ANN_IOV_OUT:
	case ANN_MMSG_SEND: case ANN_MMSG_RECV:
		return true;
	default:
		return false;
	}
}

static int
argidx(const struct sentry *e, const char *name, size_t len)
{
	for (int i = 0; i < e->nargs; i++)
		if (strlen(e->args[i].name) == len &&
		    strncmp(e->args[i].name, name, len) == 0)
			return i;
	return -1;
}

/* The argument the expression is, if it is a bare name; else -1. */
static int
bare_arg(const struct sentry *e, const char *expr)
{
	return argidx(e, expr, strlen(expr));
}

/* Marks in used[] the arguments an expression names. */
static void
expr_args(const struct sentry *e, const char *expr, bool used[GEN_MAXARGS])
{
	const char *p = expr;

	while (*p != '\0') {
		if (isalpha((unsigned char)*p) || *p == '_') {
			const char *s = p;
			int k;

			while (isalnum((unsigned char)*p) || *p == '_')
				p++;
			if ((k = argidx(e, s, (size_t)(p - s))) >= 0)
				used[k] = true;
		} else {
			p++;
		}
	}
}

static void
emit_sizes(FILE *f, const struct sentry *e)
{
	bool guard[GEN_MAXARGS] = { false };

	fprintf(f, "\nstatic int\nsz_%s(const int64_t *a, uint64_t *sz)\n{\n",
	    e->name);
	for (int i = 0; i < e->nargs; i++) {
		const struct sarg *a = &e->args[i];

		fprintf(f, "\t%s = (%s)%sa[%d];\n", decl(&a->type, a->name),
		    a->type.text, a->type.nptr > 0 ? "(intptr_t)" : "", i);
		fprintf(f, "\t(void)%s;\n", a->name);
	}
	/* A product over a huge argument could wrap to a small size. */
	for (int i = 0; i < e->nargs; i++)
		if (sized(&e->args[i]) && bare_arg(e, e->args[i].expr) < 0)
			expr_args(e, e->args[i].expr, guard);
	for (int k = 0; k < e->nargs; k++)
		if (guard[k])
			fprintf(f, "\tif ((uint64_t)a[%d] > 0xffffffffu)\n"
			    "\t\treturn EINVAL;\n", k);
	for (int i = 0; i < e->nargs; i++) {
		const struct sarg *a = &e->args[i];

		if (!sized(a))
			continue;
		if (a->ann == ANN_OUTFDS)
			fprintf(f, "\tsz[%d] = (uint64_t)(%s) * sizeof(int);\n",
			    i, a->expr);
		else
			fprintf(f, "\tsz[%d] = (uint64_t)(%s);\n", i, a->expr);
	}
	fputs("\treturn 0;\n}\n", f);
}

int
emit_remote(const struct master *m, const char *out)
{
	FILE *f = out_open(out);

	if (f == NULL)
		return -1;
	fputs("/*\n * sp_systab.c: the sysproxy marshaling table "
	    "(sysproxy/sp_systab.h).\n */\n"
	    "#ifndef _GNU_SOURCE\n#define _GNU_SOURCE\n#endif\n"
	    "#include <errno.h>\n#include <stdint.h>\n#include <poll.h>\n"
	    "#include <sys/stat.h>\n#include <sys/statfs.h>\n"
	    "#include <sys/resource.h>\n#include <sys/uio.h>\n"
	    "#include <sys/utsname.h>\n#include <linux/openat2.h>\n"
	    "#include <time.h>\n#include <signal.h>\n"
	    "#include <fcntl.h>\n#include <sys/socket.h>\n#include <sys/epoll.h>\n"
	    "#include <sys/select.h>\n\n#include \"sp_systab.h\"\n", f);
	for (int i = 0; i < m->nents; i++) {
		const struct sentry *e = m->bynum[i];
		bool any = false;

		for (int j = 0; j < e->nargs; j++)
			any = any || sized(&e->args[j]);
		if (e->kind == KIND_STD && any)
			emit_sizes(f, e);
	}
	fputs("\nconst struct sp_sysent sp_systab[SP_NSYS] = {\n", f);
	for (int i = 0; i < m->nents; i++) {
		const struct sentry *e = m->bynum[i];
		bool any = false;

		fprintf(f, "\t[%d] = { \"%s\", %d, %d, {", e->num, e->name,
		    e->nargs, e->kind == KIND_UNSUPP ? e->unsupp_errno : 0);
		for (int j = 0; j < e->nargs; j++) {
			const struct sarg *a = &e->args[j];
			int clamp = -1;

			any = any || sized(a);
			if ((a->ann == ANN_IN || a->ann == ANN_OUT) &&
			    strcmp(e->rtype.text, "ssize_t") == 0)
				clamp = bare_arg(e, a->expr);
			/* The argument a size stands on: the length of
			 * @valres, the count *mmsg shrinks to what travels. */
			if (a->ann == ANN_IOCTL || a->ann == ANN_FCNTL ||
			    a->ann == ANN_VALRES || a->ann == ANN_MMSG_SEND ||
			    a->ann == ANN_MMSG_RECV)
				clamp = bare_arg(e, a->expr);
			if (a->type.nptr > 0 && a->ann != ANN_PATH &&
			    !sized(a) && a->ann != ANN_IOCTL &&
			    a->ann != ANN_VALRES && a->ann != ANN_MSG_SEND &&
			    a->ann != ANN_MSG_RECV) {
				fprintf(stderr, "gensyscalls: %s: pointer "
				    "argument %s has no buffer annotation\n",
				    e->name, a->name);
				fclose(f);
				remove(out);
				return -1;
			}
			fprintf(f, "%s{ %s, %d, %s, %d }", j ? ", " : " ",
			    spa_kind(a), a->opt, !a->outret ? "0" :
			    a->outelem == NULL ? "1" :
			    xprintf("(uint8_t)(%s)", a->outelem), clamp);
		}
		fprintf(f, " }, %s },\n", e->kind == KIND_STD && any ?
		    xprintf("sz_%s", e->name) : "NULL");
	}
	fputs("};\n", f);
	return out_close(f, out);
}
