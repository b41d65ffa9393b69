/*
 * cli.c: getopt_long tables and usage text from one option table
 * (cli.h), and the --help, --version and usage-error exits.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <rump/rump_version.h>

#include "cli.h"

void
cli_init(struct cli *c, const char *lead)
{
	size_t n = 0;
	int i;

	if (c->nopts > CLI_MAXOPTS)
		abort();	/* a programming error: raise CLI_MAXOPTS */
	n = (size_t)snprintf(c->shortopts, sizeof(c->shortopts), "%s", lead);
	for (i = 0; i < c->nopts; i++) {
		const struct cli_opt *o = &c->opts[i];

		c->longopts[i].name = o->name;
		c->longopts[i].has_arg = o->arg != NULL ? required_argument :
		    no_argument;
		c->longopts[i].flag = NULL;
		c->longopts[i].val = o->val;
		if (o->val < CLI_LONGONLY && n + 3 < sizeof(c->shortopts)) {
			c->shortopts[n++] = (char)o->val;
			if (o->arg != NULL)
				c->shortopts[n++] = ':';
		}
	}
	c->shortopts[n] = '\0';
	memset(&c->longopts[i], 0, sizeof(c->longopts[i]));
}

void
cli_usage(const struct cli *c, FILE *f)
{
	const char *s, *nl;

	fprintf(f, "usage: %s ", c->prog);
	for (s = c->synopsis; (nl = strchr(s, '\n')) != NULL; s = nl + 1)
		fprintf(f, "%.*s\n        %*s", (int)(nl - s), s,
		    (int)strlen(c->prog), "");
	fprintf(f, "%s\noptions:\n", s);
	for (int i = 0; i < c->nopts; i++) {
		const struct cli_opt *o = &c->opts[i];
		char head[64];
		int len;

		if (o->val < CLI_LONGONLY)
			len = snprintf(head, sizeof(head), "  -%c, --%s%s%s",
			    o->val, o->name, o->arg ? " " : "",
			    o->arg ? o->arg : "");
		else
			len = snprintf(head, sizeof(head), "      --%s%s%s",
			    o->name, o->arg ? " " : "", o->arg ? o->arg : "");
		fputs(head, f);
		/* The help in a column of its own; continued lines too. */
		if (len >= 29) {
			fputc('\n', f);
			len = 0;
		}
		for (s = o->help; (nl = strchr(s, '\n')) != NULL; s = nl + 1) {
			fprintf(f, "%*s%.*s\n", 30 - len, "", (int)(nl - s), s);
			len = 0;
		}
		fprintf(f, "%*s%s\n", 30 - len, "", s);
	}
	if (c->epilog != NULL)
		fputs(c->epilog, f);
}

_Noreturn void
cli_help(const struct cli *c)
{
	cli_usage(c, stdout);
	exit(fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1);
}

_Noreturn void
cli_version(const struct cli *c)
{
	printf("%s (rump) %s\n", c->prog, RUMP_VERSION_STRING);
	exit(fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1);
}

_Noreturn void
cli_usage_error(const struct cli *c, const char *fmt, ...)
{
	va_list ap;

	if (fmt != NULL) {
		fprintf(stderr, "%s: ", c->prog);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
	cli_usage(c, stderr);
	exit(CLI_EX_USAGE);
}
