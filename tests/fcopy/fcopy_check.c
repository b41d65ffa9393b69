/*
 * fcopy_check: rumpuser/fcopy.c alone, compiled with its own prefix, on
 * unmapped, read-only and good pages: every call answers 0 or EFAULT as
 * fcopy.h says, a write probe leaves the memory as it was, and a fault
 * outside a copy still reaches the program's own SIGSEGV handler.  Plain
 * C without the kernel, so that it also runs for another architecture
 * under qemu-user (scripts/cross_fcopy.sh), where the recovery point
 * stands in for x86_64's instruction fixups.
 *
 *   fcopy_check     one line a case; exit status 1 if one failed
 */
#define _GNU_SOURCE
#define FCOPY_PREFIX	fck_
#include "../../rumpuser/fcopy.c"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

static int nfail;

static void
check(const char *what, int got, int want)
{
	printf("%s: %d%s\n", what, got, got == want ? "" : " FAIL");
	if (got != want)
		nfail++;
}

static sigjmp_buf own;

static void
own_handler(int sig)
{
	(void)sig;
	siglongjmp(own, 1);
}

int
main(void)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE), n;
	char *m, buf[64], *good, *ro, *none;
	volatile char *vn;

	setvbuf(stdout, NULL, _IOLBF, 0);
	/* The program's handler, before the library's first copy puts its
	 * own in front. */
	signal(SIGSEGV, own_handler);
	/* good | unmapped | read-only | 20 good pages */
	m = mmap(NULL, pg * 23, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return 2;
	good = m;
	none = m + pg;
	ro = m + 2 * pg;
	memcpy(good, "hello", 6);
	memset(good + pg - 8, 'z', 8);	/* no NUL before the unmapped page */
	memcpy(ro, "ro", 3);
	memset(m + 3 * pg, 'x', 20 * pg);
	if (mprotect(ro, pg, PROT_READ) != 0 ||
	    mprotect(none, pg, PROT_NONE) != 0)
		return 2;

	check("fcopy good", fck_fcopy(buf, good, 6), 0);
	check("fcopy from unmapped", fck_fcopy(buf, none, 4), EFAULT);
	check("fcopy across into unmapped", fck_fcopy(buf, none - 2, 4),
	    EFAULT);
	check("fcopy to read-only", fck_fcopy(ro, "ab", 2), EFAULT);
	check("fcopy from the null page", fck_fcopy(buf, (void *)16, 4),
	    EFAULT);
	check("fstrnlen good", fck_fstrnlen(good, 64, &n) == 0 && n == 5 ?
	    0 : -1, 0);
	check("fstrnlen into unmapped", fck_fstrnlen(none - 8, 64, &n),
	    EFAULT);
	check("fpeek good", fck_fpeek(ro, 64, &n) == 0 && n == 2 ? 0 : -1, 0);
	check("fpeek into unmapped", fck_fpeek(none - 8, 64, &n), EFAULT);
	check("fprobe read good", fck_fprobe(ro, pg, 0), 0);
	check("fprobe read into unmapped", fck_fprobe(good, pg + 1, 0),
	    EFAULT);
	check("fprobe write good", fck_fprobe(good, pg, 1), 0);
	check("fprobe write read-only", fck_fprobe(ro, 1, 1), EFAULT);
	check("fprobe write into read-only", fck_fprobe(m + 3 * pg - 1, 2, 1),
	    EFAULT);
	check("fprobe write large good", fck_fprobe(m + 3 * pg, 20 * pg, 1),
	    0);
	check("fprobe write large, read-only first page",
	    fck_fprobe(ro, 21 * pg, 1), EFAULT);
	check("fprobe write large over unmapped",
	    fck_fprobe(good, 23 * pg, 1), EFAULT);
	check("memory kept", strcmp(good, "hello") == 0 &&
	    strcmp(ro, "ro") == 0 && m[3 * pg + 5 * pg] == 'x' ? 0 : -1, 0);

	/* A fault that is no copy's is the program's: the library's
	 * handler passes it on. */
	if (sigsetjmp(own, 1) == 0) {
		vn = none;
		(void)*vn;
		check("the program's fault reached its handler", -1, 0);
	} else {
		check("the program's fault reached its handler", 0, 0);
	}
	check("fcopy after it", fck_fcopy(buf, none, 4), EFAULT);
	printf("%s\n", nfail ? "FAILED" : "all passed");
	return nfail != 0;
}
