/*
 * writeloop: "writeloop KFILE READYFILE" writes to a kernel file without
 * end (over its first MiB again and again); after the first write it
 * creates the host file READYFILE.  For being killed mid-write.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rump/rump_syscalls.h>
#include <rump/rumpclient.h>

int
main(int argc, char **argv)
{
	static char buf[4096];
	int fd, rfd;

	if (argc != 3) {
		fprintf(stderr, "usage: writeloop KFILE READYFILE\n");
		return 2;
	}
	if (rumpclient_init() != 0)
		return 1;
	if ((fd = rump_sys_open(argv[1], O_WRONLY | O_CREAT | O_TRUNC,
	    0644)) < 0) {
		fprintf(stderr, "writeloop: open %s: %s\n", argv[1],
		    strerror(errno));
		return 1;
	}
	memset(buf, 'w', sizeof(buf));
	for (unsigned long i = 0;; i++) {
		if (rump_sys_write(fd, buf, sizeof(buf)) != sizeof(buf)) {
			fprintf(stderr, "writeloop: write: %s\n",
			    strerror(errno));
			return 1;
		}
		if (i == 0) {
			if ((rfd = open(argv[2], O_WRONLY | O_CREAT, 0644)) < 0)
				return 1;
			close(rfd);
		}
		if (i % 256 == 255 && rump_sys_lseek(fd, 0, SEEK_SET) != 0)
			return 1;
	}
}
