/*
 * cli.h: the command-line conventions rump_server and rumphijack share,
 * as system tools have them: one table per command gives each option its
 * short and long name, its argument and its help, and getopt_long's
 * tables and the usage text are both made from it, so an option is one
 * entry (plus its case in the command's switch).
 *
 * Exit statuses: 0 --help and --version; CLI_EX_USAGE (2) for a usage
 * error: one line naming it, then the usage, on stderr.
 */
#ifndef CLI_H
#define CLI_H

#include <getopt.h>
#include <stdio.h>

#define CLI_EX_USAGE	2
#define CLI_MAXOPTS	40

/* Values for long-only options (no short letter) start here. */
#define CLI_LONGONLY	0x100

struct cli_opt {
	const char *name;	/* the long name, without "--" */
	int val;		/* the short letter, or CLI_LONGONLY + n */
	const char *arg;	/* the argument's name, NULL: none */
	const char *help;	/* what it does; '\n' continues the line */
};

struct cli {
	const char *prog;	/* "rump_server" */
	const char *synopsis;	/* after "usage: PROG ", '\n' for more lines */
	const char *epilog;	/* after the options, or NULL */
	const struct cli_opt *opts;
	int nopts;
	/* Filled by cli_init: */
	char shortopts[2 * CLI_MAXOPTS + 4];
	struct option longopts[CLI_MAXOPTS + 1];
};

/* Builds c's getopt tables; lead ("+" stops at the first operand) comes
 * first in shortopts. */
void cli_init(struct cli *c, const char *lead);
/* The usage text, every option with its long and short name. */
void cli_usage(const struct cli *c, FILE *f);
/* --help: the usage on stdout, exit 0. */
_Noreturn void cli_help(const struct cli *c);
/* --version: "PROG (rump) VERSION" on stdout, exit 0. */
_Noreturn void cli_version(const struct cli *c);
/* A usage error: "PROG: <why>" (if fmt is not NULL; getopt has already
 * said its line otherwise), the usage, both on stderr, exit 2. */
_Noreturn void cli_usage_error(const struct cli *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif /* CLI_H */
