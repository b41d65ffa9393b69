/*
 * rumpuser_mobj.c: memory objects, the host memory behind files that
 * clients map shared (<rump/rumpuser.h>, doc/DESIGN.md "Shared mappings").
 *
 * An object is a memfd whose size is the file's size, so a client's
 * mapping of it behaves as a mapping of a Linux tmpfs file: the same
 * pages as the kernel's view, zeros past the end in the last page, SIGBUS
 * beyond.  The kernel's view is one shared mapping with room to grow
 * (address space only: MAP_NORESERVE, nothing is touched), moved with
 * mremap when the file outgrows it.  The memfd is mode 0600, so a process
 * of another user cannot reopen it through /proc; a read-only export is
 * a new read-only open of it, which the host will not map writable.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rumpuser_int.h"

#define ROOM_MIN	((size_t)1 << 30)	/* address space, not memory */

struct rumpuser_mobj {
	int fd;
	char *base;
	size_t room;
};

static size_t
room_for(uint64_t size)
{
	size_t room = ROOM_MIN;

	while (room < size && room < ((size_t)1 << 46))
		room <<= 1;
	return room;
}

RUMPUSER_EXPORT int
rumpuser_mobj_create(uint64_t size, struct rumpuser_mobj **mop, void **basep)
{
	struct rumpuser_mobj *mo;
	int error;

	if (size > ((uint64_t)1 << 46))
		return EFBIG;
	if ((mo = malloc(sizeof(*mo))) == NULL)
		return ENOMEM;
	mo->room = room_for(size);
	if ((mo->fd = memfd_create("rump-file", MFD_CLOEXEC)) < 0) {
		error = errno;
		free(mo);
		return error;
	}
	if (fchmod(mo->fd, 0600) != 0 || ftruncate(mo->fd, (off_t)size) != 0)
		goto fail;
	mo->base = mmap(NULL, mo->room, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_NORESERVE, mo->fd, 0);
	if (mo->base == MAP_FAILED)
		goto fail;
	*mop = mo;
	*basep = mo->base;
	return 0;
fail:
	error = errno;
	close(mo->fd);
	free(mo);
	return error == EINVAL ? ENOMEM : error;
}

RUMPUSER_EXPORT int
rumpuser_mobj_setsize(struct rumpuser_mobj *mo, uint64_t size, void **basep)
{
	size_t room;
	void *p;

	if (size > ((uint64_t)1 << 46))
		return EFBIG;
	if (size > mo->room) {
		room = room_for(size);
		p = mremap(mo->base, mo->room, room, MREMAP_MAYMOVE);
		if (p == MAP_FAILED)
			return ENOMEM;
		mo->base = p;
		mo->room = room;
	}
	/* The host's tmpfs: ENOSPC or ENOMEM when it cannot grow. */
	if (ftruncate(mo->fd, (off_t)size) != 0)
		return errno == EFBIG ? EFBIG : errno == ENOMEM ? ENOMEM :
		    ENOSPC;
	*basep = mo->base;
	return 0;
}

RUMPUSER_EXPORT int
rumpuser_mobj_export(struct rumpuser_mobj *mo, int writable, int *fdp)
{
	char path[64];
	int fd;

	if (writable)
		fd = fcntl(mo->fd, F_DUPFD_CLOEXEC, 0);
	else {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", mo->fd);
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0)
		return errno == EMFILE || errno == ENFILE ? EMFILE : ENODEV;
	*fdp = fd;
	return 0;
}

RUMPUSER_EXPORT void
rumpuser_mobj_destroy(struct rumpuser_mobj *mo)
{
	if (mo == NULL)
		return;
	munmap(mo->base, mo->room);
	close(mo->fd);
	free(mo);
}
