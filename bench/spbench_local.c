/*
 * spbench_local: spbench's reference figures from an embedded kernel.
 * spbench (a librumpclient program) cannot link the kernel too, the
 * rump_sys_* names being the same, so it runs this and reads its output:
 * one "key value" line per figure, the keys of spbench_io.h.
 */
#define _GNU_SOURCE
#include <string.h>

#include <rump/rump.h>

#include "spbench_io.h"

static void
fail(const char *what)
{
	fprintf(stderr, "spbench_local: %s: %s\n", what, strerror(errno));
	exit(1);
}

int
main(void)
{
	int error;
	double v;

	if ((error = rump_init()) != 0) {
		fprintf(stderr, "spbench_local: rump_init: %s\n",
		    strerror(error));
		return 1;
	}
	memset(iobuf, 'x', sizeof(iobuf));
	if (kfiles_make() != 0)
		fail("setup");
	if ((v = call_ns(CALL_GETPID)) < 0)
		fail("getpid");
	printf("getpid %.1f\n", v);
	if ((v = call_ns(CALL_STAT)) < 0)
		fail("stat");
	printf("stat %.1f\n", v);
	for (size_t i = 0; i < NIOTESTS; i++) {
		if ((v = io_mbps(iotests[i].bufsize, iotests[i].reading)) < 0)
			fail(iotests[i].name);
		printf("%s %.1f\n", iotests[i].name, v);
	}
	return 0;
}
