/*
 * gensyscalls.c: the syscalls.master compiler (a host tool run at build
 * time).  Parser in gensyscalls_parse.c, emitters in gensyscalls_emit.c.
 *
 *   gensyscalls check  MASTER                  validate only
 *   gensyscalls public MASTER OUT.h OUT.c      rump_sys_* header and stubs
 *   gensyscalls kernel MASTER OUTDIR [FAC...]  syscallargs.h and one
 *                                              syscalls_FAC.c per faction
 *   gensyscalls names  MASTER OUT.c            rump_syscall_names[]
 *   gensyscalls libc   MASTER OUT.c            the check of the public
 *                                              prototypes against glibc's
 *
 * Exit status: 0 done, 1 bad master or write error (message on stderr),
 * 2 usage.
 */
#include <stdlib.h>
#include <string.h>

#include "gensyscalls.h"

static _Noreturn void
usage(void)
{
	fprintf(stderr,
	    "usage: gensyscalls check MASTER\n"
	    "       gensyscalls public MASTER OUT.h OUT.c\n"
	    "       gensyscalls kernel MASTER OUTDIR [FACTION ...]\n"
	    "       gensyscalls names MASTER OUT.c\n"
	    "       gensyscalls remote MASTER OUT.c\n"
	    "       gensyscalls hijack MASTER OUT.h OUT.c\n"
	    "       gensyscalls libc MASTER OUT.c\n");
	exit(2);
}

static int
kernel_mode(const struct master *m, const char *dir, char **facv, int facc)
{
	bool facs[FAC_COUNT] = { true, true, true, false };
	char path[4096];
	int f;

	/* The build expects kern, vfs and dev; more if named or used. */
	for (f = 0; f < FAC_COUNT; f++)
		facs[f] = facs[f] || m->hasfaction[f];
	for (int i = 0; i < facc; i++) {
		for (f = 0; f < FAC_COUNT; f++)
			if (strcmp(facv[i], faction_names[f]) == 0)
				break;
		if (f == FAC_COUNT) {
			fprintf(stderr, "gensyscalls: unknown faction \"%s\"\n",
			    facv[i]);
			return -1;
		}
		facs[f] = true;
	}
	snprintf(path, sizeof(path), "%s/syscallargs.h", dir);
	if (emit_kernel_h(m, path, facs) != 0)
		return -1;
	for (f = 0; f < FAC_COUNT; f++) {
		if (!facs[f])
			continue;
		snprintf(path, sizeof(path), "%s/syscalls_%s.c", dir,
		    faction_names[f]);
		if (emit_kernel_table(m, path, (enum faction)f) != 0)
			return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct master m;
	int rv;

	if (argc < 3 || !((strcmp(argv[1], "check") == 0 && argc == 3) ||
	    (strcmp(argv[1], "public") == 0 && argc == 5) ||
	    (strcmp(argv[1], "kernel") == 0 && argc >= 4) ||
	    (strcmp(argv[1], "names") == 0 && argc == 4) ||
	    (strcmp(argv[1], "remote") == 0 && argc == 4) ||
	    (strcmp(argv[1], "hijack") == 0 && argc == 5) ||
	    (strcmp(argv[1], "libc") == 0 && argc == 4)))
		usage();
	if (master_parse(argv[2], &m) != 0)
		return 1;
	rv = 0;
	if (strcmp(argv[1], "public") == 0)
		rv = emit_public_h(&m, argv[3]) || emit_public_c(&m, argv[4]);
	else if (strcmp(argv[1], "kernel") == 0)
		rv = kernel_mode(&m, argv[3], argv + 4, argc - 4);
	else if (strcmp(argv[1], "names") == 0)
		rv = emit_names(&m, argv[3]);
	else if (strcmp(argv[1], "remote") == 0)
		rv = emit_remote(&m, argv[3]);
	else if (strcmp(argv[1], "hijack") == 0)
		rv = emit_hijack(&m, argv[3], argv[4]);
	else if (strcmp(argv[1], "libc") == 0)
		rv = emit_libc_check(&m, argv[3]);
	return rv != 0;
}
