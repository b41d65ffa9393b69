/*
 * hj_host.c: the host libc's definitions of the names the shim wraps,
 * found with dlsym(RTLD_NEXT) on first use and cached.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hj.h"

__thread int hj_inside __attribute__((tls_model("initial-exec")));

void *
hj_next(void **cache, const char *name)
{
	void *p = __atomic_load_n(cache, __ATOMIC_ACQUIRE);

	if (__builtin_expect(p != NULL, 1))
		return p;
	p = dlsym(RTLD_NEXT, name);
	if (p == NULL) {
		/* No host function to fall back on: nothing sane to do. */
		static const char msg[] = "librumphijack: a libc function "
		    "the shim wraps is missing\n";

		/* Raw: write() is one of our own wrappers. */
		(void)syscall(SYS_write, 2, msg, sizeof(msg) - 1);
		(void)syscall(SYS_write, 2, name, strlen(name));
		(void)syscall(SYS_write, 2, "\n", 1);
		abort();
	}
	__atomic_store_n(cache, p, __ATOMIC_RELEASE);
	return p;
}
