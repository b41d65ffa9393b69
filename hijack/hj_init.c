/*
 * hj_init.c: the shim's start.  RUMPHIJACK is parsed before main() (a bad
 * string is a one-line error and exit status 1), or earlier, by the first
 * wrapper that needs it.  An image that rumpclient_exec() started, or that
 * inherited kernel descriptors, reconnects here; any other program
 * touches no kernel until it uses a routed path.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "hj.h"

bool hj_ready;
static pthread_once_t setup_once = PTHREAD_ONCE_INIT;

static void
setup(void)
{
	char err[256];
	const char *s = getenv("RUMPHIJACK");

	hj_inside++;
	if (hj_config_parse(s, &hj_cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "librumphijack: RUMPHIJACK=%s: %s\n",
		    s ? s : "", err);
		_exit(1);
	}
	hj_fd_import(getenv("RUMPHIJACK__FDMAP"));
	if ((s = getenv("RUMPHIJACK__CWD")) != NULL && s[0] == '1')
		hj_cwd_kernel = true;
	hj_linkout_import(getenv("RUMPHIJACK__LINKOUT"));
	/* What the previous image had in the kernel must stay reachable. */
	if (getenv("RUMPHIJACK__FDMAP") != NULL || hj_cwd_kernel ||
	    getenv("RUMPCLIENT__EXECFD") != NULL ||
	    getenv("RUMPCLIENT__FORKCOOKIE") != NULL)
		(void)hj_kernel_up();
	unsetenv("RUMPHIJACK__FDMAP");
	unsetenv("RUMPHIJACK__CWD");
	unsetenv("RUMPHIJACK__LINKOUT");
	__atomic_store_n(&hj_ready, true, __ATOMIC_RELEASE);
	hj_inside--;
}

void
hj_setup(void)
{
	pthread_once(&setup_once, setup);
}

__attribute__((constructor)) static void
hj_init(void)
{
	hj_setup();
}
