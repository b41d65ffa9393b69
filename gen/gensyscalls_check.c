/*
 * gensyscalls_check.c: the parser's checks of one entry of syscalls.master
 * once all its arguments are known (gensyscalls_parse.c calls check_arg):
 * each annotation on an argument of the type it needs, SIZE/CNT
 * expressions that name only the entry's own arguments, variadic
 * arguments where libc's prototype has them.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "gensyscalls.h"
#include "gensyscalls_parse.h"

/* Skips the "(TYPE)" after sizeof; NULL if there is none. */
static const char *
skip_sizeof(const char *p)
{
	int depth = 0;
	const char *open;

	while (isspace((unsigned char)*p))
		p++;
	if (*p != '(')
		return NULL;
	for (open = p; *p != '\0'; p++) {
		if (*p == '(')
			depth++;
		else if (*p == ')' && --depth == 0)
			return p == open + 1 ? NULL : p + 1;
	}
	return NULL;
}

/*
 * Checks a SIZE/CNT expression: numbers, + - * / ( ), sizeof(TYPE) and
 * names of arguments of e.
 */
static int
check_expr(const struct sentry *e, const char *ex)
{
	int depth = 0;
	const char *p = ex;

	if (*ex == '\0') {
		perr("empty expression in annotation");
		return -1;
	}
	while (*p != '\0') {
		if (isspace((unsigned char)*p)) {
			p++;
		} else if (isdigit((unsigned char)*p)) {
			while (isalnum((unsigned char)*p))
				p++;
		} else if (isident0(*p)) {
			const char *w = p;
			char *word;

			while (isident(*p))
				p++;
			word = xstrndup(w, (size_t)(p - w));
			if (strcmp(word, "sizeof") == 0) {
				/* A type name: not checked here. */
				if ((p = skip_sizeof(p)) == NULL) {
					perr("sizeof needs (TYPE) in \"%s\"",
					    ex);
					return -1;
				}
			} else if (argindex(e, word) < 0) {
				perr("annotation refers to unknown argument "
				    "'%s'", word);
				return -1;
			}
			free(word);
		} else if (strchr("+-*/()", *p) != NULL) {
			if (*p == '(')
				depth++;
			else if (*p == ')' && --depth < 0)
				break;
			p++;
		} else {
			perr("unexpected '%c' in expression \"%s\"", *p, ex);
			return -1;
		}
	}
	if (depth != 0) {
		perr("unbalanced parentheses in \"%s\"", ex);
		return -1;
	}
	return 0;
}

/*
 * A variadic argument is the last one, after at least one fixed one, and
 * of the kind its rule reads: open's mode a scalar after the flags,
 * fcntl's a scalar @fcntl argument (a pointer travels in it as a long),
 * ioctl's an @ioctl pointer.
 */
static int
check_va(const struct sentry *e, const struct sarg *a)
{
	const char *why = NULL;
	bool ptr = a->type.nptr > 0;

	if (a != &e->args[e->nargs - 1] || e->nargs < 2)
		why = "only the last argument, after a fixed one, can be "
		    "variadic";
	else if (a->va == VA_MODE && (ptr || e->args[e->nargs - 2].type.nptr
	    > 0))
		why = "@va(mode) needs a scalar after scalar flags";
	else if (a->va == VA_FCNTL && (ptr || a->ann != ANN_FCNTL))
		why = "@va(fcntl) needs a scalar @fcntl(CMD) argument";
	else if (a->va == VA_IOCTL && (!ptr || a->ann != ANN_IOCTL))
		why = "@va(ioctl) needs a pointer @ioctl(REQ) argument";
	if (why != NULL) {
		perr("argument %s: %s", a->name, why);
		return -1;
	}
	return 0;
}

/* Checks an argument once all of the entry's arguments are known. */
int
check_arg(struct sentry *e, struct sarg *a)
{
	bool ptr = a->type.nptr > 0;

	switch (a->ann) {
	case ANN_FD:
	case ANN_DIRFD:
		if (ptr) {
			perr("argument %s: @fd/@dirfd on a pointer", a->name);
			return -1;
		}
		break;
	case ANN_IOCTL:
	case ANN_FCNTL:
		if (argindex(e, a->expr) < 0) {
			perr("argument %s: annotation refers to unknown "
			    "argument '%s'", a->name, a->expr);
			return -1;
		}
		break;
	case ANN_VALRES: {
		int k = argindex(e, a->expr);

		/* The length is a socklen_t the kernel reads and writes. */
		if (k < 0 || e->args[k].ann != ANN_INOUT ||
		    e->args[k].type.nptr != 1 ||
		    strcmp(e->args[k].type.base, "socklen_t") != 0) {
			perr("argument %s: @valres(LEN) needs LEN to be a "
			    "socklen_t * @inout argument", a->name);
			return -1;
		}
	}
		/* FALLTHROUGH */
	case ANN_MSG_RECV:
	case ANN_MMSG_SEND:
	case ANN_MMSG_RECV:
		if (!ptr || a->type.isconst) {
			perr("argument %s: the kernel writes through a "
			    "const pointer or a non-pointer", a->name);
			return -1;
		}
		if (a->ann != ANN_VALRES && a->expr != NULL &&
		    check_expr(e, a->expr) != 0)
			return -1;
		break;
	case ANN_MSG_SEND:
		if (!ptr) {
			perr("argument %s: @msg_send on a non-pointer",
			    a->name);
			return -1;
		}
		break;
	case ANN_OUT:
	case ANN_INOUT:
	case ANN_OUTFDS:
		if (ptr && a->type.isconst) {
			perr("argument %s: the kernel writes through a "
			    "const pointer", a->name);
			return -1;
		}
		/* FALLTHROUGH */
	case ANN_PATH:
	case ANN_IN:
	case ANN_IOV_IN:
	case ANN_IOV_OUT:
		if (!ptr) {
			perr("argument %s: buffer annotation on a "
			    "non-pointer", a->name);
			return -1;
		}
		if (a->expr != NULL && check_expr(e, a->expr) != 0)
			return -1;
		if (a->outelem != NULL && check_expr(e, a->outelem) != 0)
			return -1;
		break;
	case ANN_NONE:
		break;
	}
	if (a->opt && !ptr) {
		perr("argument %s: @opt on a non-pointer", a->name);
		return -1;
	}
	if (a->va != VA_NONE && check_va(e, a) != 0)
		return -1;
	if (a->outret && e->rtype.nptr == 0 &&
	    strcmp(e->rtype.base, "void") == 0) {
		perr("argument %s: @out(...,ret) but the call returns "
		    "void", a->name);
		return -1;
	}
	return 0;
}
