/*
 * badptr: a remote call given a buffer the client cannot read answers
 * EFAULT, as a kernel would, and the connection goes on serving.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <rump/rump_syscalls.h>
#include <rump/rumpclient.h>

int
main(void)
{
	char buf[8];
	ssize_t n;
	int fd;

	if (rumpclient_init() != 0)
		return 2;
	if ((fd = rump_sys_open("/badptr", O_CREAT | O_RDWR | O_TRUNC, 0644))
	    < 0)
		return 2;
	n = rump_sys_write(fd, (const void *)(uintptr_t)16, 100);
	if (n != -1 || errno != EFAULT) {
		printf("bad buffer: %zd errno %d, expected EFAULT\n", n, errno);
		return 1;
	}
	if (rump_sys_write(fd, "ok", 2) != 2 ||
	    rump_sys_pread64(fd, buf, sizeof(buf), 0) != 2 ||
	    memcmp(buf, "ok", 2) != 0) {
		printf("the connection did not go on: errno %d\n", errno);
		return 1;
	}
	printf("EFAULT, then served\n");
	return 0;
}
