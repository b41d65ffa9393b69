/*
 * waitcall: "waitcall READYFILE GOFILE" connects, makes a call, creates
 * the host file READYFILE, waits (at most a minute) for GOFILE to exist,
 * then makes calls again.  Exit 0 if those calls worked; otherwise it
 * prints the errno (name and text) and exits 2.  For what a client sees
 * when the server disappears while it is connected.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <rump/rump_syscalls.h>
#include <rump/rumpclient.h>

static const char *
errname(int e)
{
	switch (e) {
	case ENOTCONN: return "ENOTCONN";
	case ECONNRESET: return "ECONNRESET";
	case ECONNREFUSED: return "ECONNREFUSED";
	case EPIPE: return "EPIPE";
	case EPROTO: return "EPROTO";
	default: return "other";
	}
}

int
main(int argc, char **argv)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	struct stat st;
	pid_t pid;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: waitcall READYFILE GOFILE\n");
		return 2;
	}
	if (rumpclient_init() != 0 || (pid = rump_sys_getpid()) <= 0) {
		perror("waitcall: first call");
		return 1;
	}
	if ((fd = open(argv[1], O_WRONLY | O_CREAT, 0644)) < 0)
		return 1;
	close(fd);
	for (int i = 0; access(argv[2], F_OK) != 0; i++) {
		if (i == 6000) {
			fprintf(stderr, "waitcall: no %s after a minute\n",
			    argv[2]);
			return 3;
		}
		nanosleep(&ts, NULL);
	}
	if (rump_sys_getpid() == pid && rump_sys_stat("/", &st) == 0) {
		printf("waitcall: calls still work\n");
		return 0;
	}
	printf("waitcall: call failed: errno %d %s (%s)\n", errno,
	    errname(errno), strerror(errno));
	return 2;
}
