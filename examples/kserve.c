/*
 * kserve: an embedded kernel that other processes can use.  Boots a kernel
 * in this process, writes /motd in it, and serves it on the URL given
 * (rump_init_server) until SIGTERM or SIGINT, then syncs and halts.
 *
 *   kserve unix:///tmp/k &  RUMP_SERVER=unix:///tmp/k rcp out /motd motd
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>

int
main(int argc, char **argv)
{
	const char motd[] = "served by an embedded kernel\n";
	sigset_t set;
	int fd, sig, error;

	if (argc != 2) {
		fprintf(stderr, "usage: kserve unix:///path | tcp://addr:port\n");
		return 2;
	}
	/* Only the main thread takes the signals, in sigwait below. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	if ((error = rump_init()) != 0) {
		fprintf(stderr, "kserve: rump_init: %s\n", strerror(error));
		return 1;
	}
	fd = rump_sys_open("/motd", O_CREAT | O_WRONLY | O_TRUNC, 0644);
	if (fd < 0 || rump_sys_write(fd, motd, strlen(motd)) < 0) {
		perror("kserve: /motd");
		return 1;
	}
	rump_sys_close(fd);
	if (rump_init_server(argv[1]) != 0)
		return 1;	/* it said why */
	printf("kserve: serving on %s\n", argv[1]);
	fflush(stdout);
	sigwait(&set, &sig);
	rump_server_shutdown();
	rump_sys_sync();
	rump_halt();
	return 0;
}
