/*
 * gensyscalls_parse.c: the parser of syscalls.master (format in its header
 * comment).  It validates every line into the model of gensyscalls.h:
 * unique numbers and names, known factions, kinds, types and annotations,
 * and annotation expressions that name only arguments of their entry.
 * Every problem is reported as "FILE:LINE: [ENTRY: ]what is wrong"; the
 * whole file is read so that one run shows every bad line.
 * The checks of a whole entry are in gensyscalls_check.c.
 * The program is short-lived: parsed strings are never freed.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "gensyscalls.h"
#include "gensyscalls_parse.h"

const char *const faction_names[FAC_COUNT] = { "kern", "vfs", "dev", "net" };

/* The scalar types k/abi.h (or C) defines: kept as they are in the kernel. */
static const char *const scalars[] = {
	"char", "int", "unsigned int", "long", "unsigned long", "size_t",
	"ssize_t", "off_t", "loff_t", "mode_t", "uid_t", "gid_t", "pid_t",
	"dev_t", "int32_t", "uint32_t", "int64_t", "uint64_t", "socklen_t",
};

/* UNSUPP(NAME): Linux numbers, so the generator needs no host header. */
static const struct {
	const char *name;
	int value;
} errnos[] = {
	{ "EPERM", 1 }, { "ENODEV", 19 }, { "EINVAL", 22 }, { "ENOSYS", 38 },
	{ "EOPNOTSUPP", 95 }, { "EAFNOSUPPORT", 97 },
};

struct anninfo {
	const char *name;
	enum annkind kind;
	bool param;
};
static const struct anninfo anns[] = {
	{ "fd", ANN_FD, false }, { "dirfd", ANN_DIRFD, false },
	{ "path", ANN_PATH, false }, { "in", ANN_IN, true },
	{ "out", ANN_OUT, true }, { "inout", ANN_INOUT, true },
	{ "iov_in", ANN_IOV_IN, true }, { "iov_out", ANN_IOV_OUT, true },
	{ "ioctl", ANN_IOCTL, true }, { "fcntl", ANN_FCNTL, true },
	{ "outfds", ANN_OUTFDS, true },
	{ "valres", ANN_VALRES, true },
	{ "msg_send", ANN_MSG_SEND, false },
	{ "msg_recv", ANN_MSG_RECV, false },
	{ "mmsg_send", ANN_MMSG_SEND, true },
	{ "mmsg_recv", ANN_MMSG_RECV, true },
};

static const char *curpath;
static int curline;
static const char *curname;	/* the entry being parsed, once known */
static int nerrors;

void
perr(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%d: ", curpath, curline);
	if (curname != NULL)
		fprintf(stderr, "%s: ", curname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	nerrors++;
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p == NULL) {
		fprintf(stderr, "gensyscalls: out of memory\n");
		exit(1);
	}
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

static char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

bool
kernel_scalar(const char *base)
{
	for (size_t i = 0; i < sizeof(scalars) / sizeof(scalars[0]); i++)
		if (strcmp(scalars[i], base) == 0)
			return true;
	return false;
}

bool
isident0(int c)
{
	return isalpha((unsigned char)c) || c == '_';
}

bool
isident(int c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* Trims blanks at both ends, in place. */
static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* The ')' matching the '(' at s, or NULL. */
static char *
matchparen(char *s)
{
	int depth = 0;

	for (; *s != '\0'; s++) {
		if (*s == '(')
			depth++;
		else if (*s == ')' && --depth == 0)
			return s;
	}
	return NULL;
}

int
argindex(const struct sentry *e, const char *name)
{
	for (int i = 0; i < e->nargs; i++)
		if (strcmp(e->args[i].name, name) == 0)
			return i;
	return -1;
}

/*
 * Parses a declaration "const char *path" (or "TYPE" when name is NULL)
 * into t and *name.  Only the shapes syscalls.master needs: words, then
 * stars; const qualifies the base type.
 */
static int
parse_decl(char *s, struct ctype *t, char **name, const char *what)
{
	char *words[16];
	int nwords = 0, nptr = 0, nconst = 0;
	char base[256] = "", text[300];

	for (s = trim(s); *s != '\0';) {
		if (isspace((unsigned char)*s)) {
			s++;
		} else if (*s == '*') {
			nptr++;
			s++;
		} else if (isident0(*s)) {
			char *w = s;

			while (isident(*s))
				s++;
			if (nptr > 0 && (name == NULL || *trim(s) != '\0')) {
				perr("%s: only \"TYPE *NAME\" is supported "
				    "(a word after '*')", what);
				return -1;
			}
			if (nwords == 16) {
				perr("%s: declaration too long", what);
				return -1;
			}
			words[nwords++] = xstrndup(w, (size_t)(s - w));
		} else {
			perr("%s: unexpected '%c' in declaration", what, *s);
			return -1;
		}
	}
	if (name != NULL) {
		if (nwords < 2) {
			perr("%s: expected \"TYPE NAME\"", what);
			return -1;
		}
		*name = words[--nwords];
	}
	for (int i = 0; i < nwords; i++) {
		if (strcmp(words[i], "const") == 0) {
			nconst++;
			continue;
		}
		if (strlen(base) + strlen(words[i]) + 2 > sizeof(base)) {
			perr("%s: type too long", what);
			return -1;
		}
		if (base[0] != '\0')
			strcat(base, " ");
		strcat(base, words[i]);
	}
	if (base[0] == '\0' || nconst > 1) {
		perr("%s: bad type", what);
		return -1;
	}
	snprintf(text, sizeof(text), "%s%s%s%.*s", nconst ? "const " : "",
	    base, nptr ? " " : "", nptr, "****************");
	if (nptr > 16) {
		perr("%s: too many '*'", what);
		return -1;
	}
	t->text = xstrdup(text);
	t->base = xstrdup(base);
	t->isconst = nconst > 0;
	t->nptr = nptr;
	if (nptr == 0 && t->isconst) {
		perr("%s: const on a value is not supported", what);
		return -1;
	}
	return 0;
}

/*
 * Splits "@a @b(x) ..." into the next annotation: *word and *param (NULL
 * if none); returns the rest, or NULL after an error.
 */
static char *
next_ann(char *s, char **word, char **param, const char *what)
{
	char *w;

	if (*s != '@') {
		perr("%s: expected '@annotation' at \"%s\"", what, s);
		return NULL;
	}
	w = ++s;
	while (isident(*s))
		s++;
	if (s == w) {
		perr("%s: empty annotation name", what);
		return NULL;
	}
	*word = xstrndup(w, (size_t)(s - w));
	*param = NULL;
	if (*s == '(') {
		char *close = matchparen(s);

		if (close == NULL) {
			perr("%s: unbalanced parentheses in @%s", what, *word);
			return NULL;
		}
		*param = trim(xstrndup(s + 1, (size_t)(close - s - 1)));
		s = close + 1;
	}
	if (*s != '\0' && !isspace((unsigned char)*s)) {
		perr("%s: junk after @%s", what, *word);
		return NULL;
	}
	return trim(s);
}

/* @va(mode|fcntl|ioctl): how a stub reads libc's variadic argument. */
static int
parse_va(struct sarg *a, const char *param)
{
	static const struct {
		const char *name;
		enum vakind kind;
	} kinds[] = {
		{ "mode", VA_MODE }, { "fcntl", VA_FCNTL }, { "ioctl", VA_IOCTL },
	};

	if (a->va != VA_NONE) {
		perr("argument %s: @va given twice", a->name);
		return -1;
	}
	for (size_t i = 0; param != NULL && i < sizeof(kinds) /
	    sizeof(kinds[0]); i++) {
		if (strcmp(param, kinds[i].name) == 0) {
			a->va = kinds[i].kind;
			return 0;
		}
	}
	perr("argument %s: @va(mode), @va(fcntl) or @va(ioctl) expected",
	    a->name);
	return -1;
}

static int
parse_arg_anns(struct sarg *a, char *s)
{
	char *word, *param;
	const struct anninfo *ai;

	while (*s != '\0') {
		if ((s = next_ann(s, &word, &param, "argument")) == NULL)
			return -1;
		if (strcmp(word, "opt") == 0 && param == NULL) {
			if (a->opt) {
				perr("argument %s: @opt given twice", a->name);
				return -1;
			}
			a->opt = true;
			continue;
		}
		if (strcmp(word, "va") == 0) {
			if (parse_va(a, param) != 0)
				return -1;
			continue;
		}
		ai = NULL;
		for (size_t i = 0; i < sizeof(anns) / sizeof(anns[0]); i++)
			if (strcmp(anns[i].name, word) == 0)
				ai = &anns[i];
		if (ai == NULL) {
			perr("argument %s: unknown annotation @%s", a->name,
			    word);
			return -1;
		}
		if (ai->param != (param != NULL)) {
			perr("argument %s: @%s %s", a->name, word, ai->param ?
			    "needs a (parameter)" : "takes no parameter");
			return -1;
		}
		if (a->ann != ANN_NONE) {
			perr("argument %s: more than one kind annotation "
			    "(@%s)", a->name, word);
			return -1;
		}
		a->ann = ai->kind;
		if (param == NULL)
			continue;
		if (ai->kind == ANN_OUT) {
			char *comma = NULL;
			int depth = 0;

			/* The comma outside parentheses, if there is one. */
			for (char *c = param; *c != '\0'; c++) {
				if (*c == '(')
					depth++;
				else if (*c == ')')
					depth--;
				else if (*c == ',' && depth == 0)
					comma = c;
			}
			if (comma != NULL) {
				*comma = '\0';
				char *r = trim(comma + 1);

				if (strncmp(r, "ret", 3) == 0 &&
				    trim(r + 3)[0] == '*') {
					a->outelem = trim(trim(r + 3) + 1);
					r[3] = '\0';
				}
				if (strcmp(r, "ret") != 0 || (a->outelem &&
				    a->outelem[0] == '\0')) {
					perr("argument %s: @out(SIZE,ret) or "
					    "@out(SIZE,ret*ELEM) expected",
					    a->name);
					return -1;
				}
				a->outret = true;
				param = trim(param);
			}
		}
		a->expr = param;
	}
	return 0;
}

static int
parse_entry_anns(struct sentry *e, char *s)
{
	char *word, *param;

	while (*s != '\0') {
		if ((s = next_ann(s, &word, &param, "entry")) == NULL)
			return -1;
		if (strcmp(word, "newfd") == 0 && param == NULL) {
			if (e->rtype.nptr != 0 ||
			    strcmp(e->rtype.base, "int") != 0) {
				perr("@newfd needs an int return type");
				return -1;
			}
			e->newfd = true;
		} else if (strcmp(word, "retarg") == 0 && param != NULL) {
			int i = argindex(e, param);

			if (i < 0) {
				perr("@retarg refers to unknown argument "
				    "'%s'", param);
				return -1;
			}
			if (e->rtype.nptr == 0 ||
			    strcmp(e->rtype.text, e->args[i].type.text) != 0) {
				perr("@retarg(%s): return type must be "
				    "the argument's type", param);
				return -1;
			}
			e->retarg = i;
		} else {
			perr("unknown entry annotation @%s%s",
			    word, param != NULL ? "(...)" : "");
			return -1;
		}
	}
	return 0;
}

/*
 * Parses the first "TYPE NAME [@ann ...]" of the comma-separated list s
 * into a new argument of e; returns the rest of the list ("" after the
 * last), or NULL after an error.
 */
static char *
parse_arg(struct sentry *e, char *s)
{
	char *p = s, *at;
	int depth = 0;
	bool last;
	struct sarg *a;

	while (*p != '\0' && (*p != ',' || depth > 0)) {
		depth += (*p == '(') - (*p == ')');
		p++;
	}
	if (e->nargs == GEN_MAXARGS) {
		perr("more than %d arguments", GEN_MAXARGS);
		return NULL;
	}
	a = &e->args[e->nargs++];
	last = *p == '\0';
	*p = '\0';
	if ((at = strchr(s, '@')) != NULL)
		*at = '\0';
	if (parse_decl(s, &a->type, &a->name, "argument") != 0)
		return NULL;
	if (a->type.nptr == 0 && !kernel_scalar(a->type.base)) {
		perr("unknown argument type \"%s\"", a->type.text);
		return NULL;
	}
	if (strcmp(a->name, "l") == 0 || strcmp(a->name, "retval") == 0 ||
	    argindex(e, a->name) != e->nargs - 1) {
		perr("argument name '%s' is reserved or used twice", a->name);
		return NULL;
	}
	if (at != NULL) {
		*at = '@';
		if (parse_arg_anns(a, trim(at)) != 0)
			return NULL;
	}
	if (last)
		return p;
	p = trim(p + 1);
	if (*p == '\0') {
		perr("empty argument after ','");
		return NULL;
	}
	return p;
}

static int
parse_kind(struct sentry *e, const char *kind)
{
	size_t n = strlen(kind);
	char *name, *end;

	if (strcmp(kind, "STD") == 0) {
		e->kind = KIND_STD;
		return 0;
	}
	if (strncmp(kind, "UNSUPP(", 7) != 0 || kind[n - 1] != ')') {
		perr("unknown kind \"%s\" (STD or UNSUPP(ERRNO))", kind);
		return -1;
	}
	e->kind = KIND_UNSUPP;
	name = xstrndup(kind + 7, n - 8);
	for (size_t i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++) {
		if (strcmp(errnos[i].name, name) == 0) {
			e->unsupp_name = name;
			e->unsupp_errno = errnos[i].value;
			return 0;
		}
	}
	e->unsupp_errno = (int)strtol(name, &end, 10);
	if (*name == '\0' || *end != '\0' || e->unsupp_errno <= 0 ||
	    e->unsupp_errno > 4095) {
		perr("unknown errno \"%s\" in UNSUPP()", name);
		return -1;
	}
	e->unsupp_name = name;
	for (size_t i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++)
		if (errnos[i].value == e->unsupp_errno)
			e->unsupp_name = xstrdup(errnos[i].name);
	return 0;
}

/* Takes the next blank-separated field of *sp. */
static char *
field(char **sp)
{
	char *s = *sp, *f;

	while (isspace((unsigned char)*s))
		s++;
	f = s;
	while (*s != '\0' && !isspace((unsigned char)*s))
		s++;
	if (*s != '\0')
		*s++ = '\0';
	*sp = s;
	return f;
}

static int
parse_line(char *s, struct sentry *e)
{
	char *num, *fac, *kind, *open, *close, *args, *end;
	long n;

	memset(e, 0, sizeof(*e));
	e->line = curline;
	e->retarg = -1;
	curname = NULL;
	num = field(&s);
	fac = field(&s);
	kind = field(&s);
	n = strtol(num, &end, 10);
	if (!isdigit((unsigned char)*num) || *end != '\0' || n < 0 ||
	    n >= GEN_MAXSYSCALL) {
		perr("bad number \"%s\" (0 to %d)", num, GEN_MAXSYSCALL - 1);
		return -1;
	}
	e->num = (int)n;
	for (e->faction = 0; e->faction < FAC_COUNT; e->faction++)
		if (strcmp(fac, faction_names[e->faction]) == 0)
			break;
	if (e->faction == FAC_COUNT) {
		perr("unknown faction \"%s\" (kern, vfs, dev or net)", fac);
		return -1;
	}
	if (parse_kind(e, kind) != 0)
		return -1;

	s = trim(s);
	if ((open = strchr(s, '(')) == NULL ||
	    (close = matchparen(open)) == NULL) {
		perr("expected \"RTYPE NAME(ARGS)\"");
		return -1;
	}
	*open = '\0';
	*close = '\0';
	if (parse_decl(s, &e->rtype, &e->name, "return type and name") != 0)
		return -1;
	curname = e->name;
	if (e->rtype.nptr == 0 && strcmp(e->rtype.base, "void") != 0 &&
	    !kernel_scalar(e->rtype.base)) {
		perr("unknown return type \"%s\"", e->rtype.text);
		return -1;
	}

	args = trim(open + 1);
	if (strcmp(args, "void") != 0) {
		while ((args = parse_arg(e, args)) != NULL && *args != '\0')
			continue;
		if (args == NULL)
			return -1;
	}
	for (int i = 0; i < e->nargs; i++)
		if (check_arg(e, &e->args[i]) != 0)
			return -1;
	return parse_entry_anns(e, trim(close + 1));
}

static int
cmpnum(const void *a, const void *b)
{
	const struct sentry *x = *(const struct sentry *const *)a;
	const struct sentry *y = *(const struct sentry *const *)b;

	return x->num - y->num;
}

int
master_parse(const char *path, struct master *m)
{
	FILE *f;
	char *buf = NULL, *s;
	size_t cap = 0, len = 0;
	int c, cents = 0, first[GEN_MAXSYSCALL] = { 0 };
	bool dup;

	memset(m, 0, sizeof(*m));
	m->path = curpath = path;
	if ((f = fopen(path, "r")) == NULL) {
		perror(path);
		return -1;
	}
	for (curline = 1;; curline++) {
		/* Reads one line into buf. */
		len = 0;
		while ((c = getc(f)) != EOF && c != '\n') {
			if (len + 2 > cap) {
				cap = cap ? cap * 2 : 256;
				if ((buf = realloc(buf, cap)) == NULL) {
					perror("gensyscalls");
					exit(1);
				}
			}
			buf[len++] = (char)c;
		}
		if (c == EOF && len == 0)
			break;
		buf[len] = '\0';
		curname = NULL;
		if (memchr(buf, '\0', len) != NULL) {
			perr("NUL byte in line");
			continue;
		}
		curname = NULL;
		s = trim(buf);
		if (*s == '\0' || *s == '#')
			continue;
		if (m->nents == cents) {
			cents = cents ? cents * 2 : 128;
			m->ents = realloc(m->ents, (size_t)cents *
			    sizeof(*m->ents));
			if (m->ents == NULL) {
				perror("gensyscalls");
				exit(1);
			}
		}
		struct sentry *e = &m->ents[m->nents];
		if (parse_line(s, e) != 0)
			continue;
		if (first[e->num] != 0) {
			perr("duplicate number %d (first at line %d)", e->num,
			    first[e->num]);
			continue;
		}
		dup = false;
		for (int i = 0; i < m->nents && !dup; i++) {
			if (strcmp(m->ents[i].name, e->name) == 0) {
				perr("duplicate name \"%s\" (first at line %d)",
				    e->name, m->ents[i].line);
				dup = true;
			}
		}
		if (dup)
			continue;
		first[e->num] = curline;
		m->hasfaction[e->faction] = true;
		m->nents++;
	}
	if (ferror(f)) {
		perror(path);
		nerrors++;
	}
	fclose(f);
	free(buf);
	if (nerrors > 0)
		return -1;

	m->bynum = malloc(((size_t)m->nents + 1) * sizeof(*m->bynum));
	if (m->bynum == NULL) {
		perror("gensyscalls");
		exit(1);
	}
	for (int i = 0; i < m->nents; i++)
		m->bynum[i] = &m->ents[i];
	qsort(m->bynum, (size_t)m->nents, sizeof(*m->bynum), cmpnum);
	return 0;
}

