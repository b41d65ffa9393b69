/*
 * rumpuser_dl.c: loading component libraries at run time.
 *
 * The library's constructors register its components, so the load runs
 * with the caller's virtual CPU kept (registration may need the kernel).
 * RTLD_GLOBAL: a later component may link against this one's symbols.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "rumpuser_int.h"

#ifdef RUMPUSER_NO_DL
/* A static program (rumphijack) has its components linked in and no
 * dynamic loader to bring more: a library would be a second kernel. */
RUMPUSER_EXPORT int
rumpuser_dl_open(const char *path, void **handlep)
{
	(void)handlep;
	fprintf(stderr, "rumpuser: %s: this program is linked -static and "
	    "loads no component libraries\n", path != NULL ? path : "");
	return EOPNOTSUPP;
}
#else
RUMPUSER_EXPORT int
rumpuser_dl_open(const char *path, void **handlep)
{
	void *handle;
	const char *why;
	int error, saved = errno;

	if ((handle = dlopen(path, RTLD_NOW | RTLD_GLOBAL)) != NULL) {
		if (handlep != NULL)
			*handlep = handle;
		errno = saved;
		return 0;
	}
	why = dlerror();
	fprintf(stderr, "rumpuser: dlopen %s: %s\n", path,
	    why != NULL ? why : "unknown error");
	/* A bare name is searched for; a path can be checked. */
	if (strchr(path, '/') == NULL || access(path, F_OK) != 0)
		error = ENOENT;
	else
		error = EINVAL;
	errno = saved;
	return error;
}
#endif
