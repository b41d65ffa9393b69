/*
 * rumpuser_mem.c: memory from the host allocator.
 *
 * No accounting here: the kernel's kmem counts against RUMP_MEMLIMIT.  A
 * failed allocation is an answer (ENOMEM), never an abort.  Thread safe
 * as malloc is.  Like every hypercall, these leave the host's errno as
 * it was (a client may be checking it across a successful call).
 */
#include <errno.h>
#include <stdlib.h>

#include "rumpuser_int.h"

RUMPUSER_EXPORT int
rumpuser_malloc(size_t len, size_t alignment, void **memp)
{
	void *mem;
	int error, saved;

	/* A zero-length request still gets a unique pointer. */
	if (len == 0)
		len = 1;
	if (alignment == 0) {
		saved = errno;
		mem = malloc(len);
		errno = saved;
		if (mem == NULL)
			return ENOMEM;
		*memp = mem;
		return 0;
	}
	if ((alignment & (alignment - 1)) != 0)
		return EINVAL;
	/* posix_memalign wants a multiple of sizeof(void *). */
	if (alignment < sizeof(void *))
		alignment = sizeof(void *);
	if ((error = posix_memalign(&mem, alignment, len)) != 0)
		return error;
	*memp = mem;
	return 0;
}

RUMPUSER_EXPORT void
rumpuser_free(void *mem, size_t len)
{
	int saved = errno;

	(void)len;
	free(mem);
	errno = saved;
}
