/*
 * hjstub.c: stand-ins for the host's close and read, loaded by hjbench
 * after the shim and before libc.  For HJSTUB_FD they answer EBADF at
 * once; any other descriptor goes to the kernel as libc would send it.
 * The shim's dlsym(RTLD_NEXT) finds these, so hjbench can time what the
 * shim adds to a call it does not route without the noise of a system
 * call, which on a virtual machine is ten times the goal.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hjbench.h"

int
close(int fd)
{
	if (fd == HJSTUB_FD) {
		errno = EBADF;
		return -1;
	}
	return (int)syscall(SYS_close, fd);
}

ssize_t
read(int fd, void *buf, size_t len)
{
	if (fd == HJSTUB_FD) {
		errno = EBADF;
		return -1;
	}
	return syscall(SYS_read, fd, buf, len);
}
