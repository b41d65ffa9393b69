/*
 * idclient MODE: a librumpclient program (RUMP_SERVER) started as root
 * that checks a server's identity rule (hijack_server.bats).
 *   new    drops to 65534 on the host, then connects: the kernel process
 *          is 65534 and cannot become root.
 *   stale  connects as root, then drops on the host behind the kernel's
 *          back: the kernel process is still root, yet the server refuses
 *          it root again, and lets it follow down to 65534.
 * Prints each result; exit status 0.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rump/rumpclient.h>
#include <rump/rump_syscalls.h>

static void
res(const char *what, int r)
{
	printf("%-32s %s\n", what, r < 0 ? strerrorname_np(errno) : "ok");
}

static int
drop(void)
{
	if (setgroups(0, NULL) != 0 || setresgid(65534, 65534, 65534) != 0 ||
	    setresuid(65534, 65534, 65534) != 0) {
		perror("drop");
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	bool stale = argc == 2 && strcmp(argv[1], "stale") == 0;
	gid_t g = 0;

	if (argc != 2 || (!stale && strcmp(argv[1], "new") != 0)) {
		fprintf(stderr, "usage: idclient new|stale\n");
		return 2;
	}
	if (!stale && drop() != 0)
		return 2;
	if (rumpclient_init() != 0) {
		perror("rumpclient_init");
		return 2;
	}
	printf("kernel euid %d\n", (int)rump_sys_geteuid());
	if (stale && drop() != 0)
		return 2;
	res("setuid 0", rump_sys_setuid(0));
	res("setresuid 0 0 0", rump_sys_setresuid(0, 0, 0));
	res("seteuid 0", rump_sys_setresuid((uid_t)-1, 0, (uid_t)-1));
	res("setgroups 0", rump_sys_setgroups(1, &g));
	printf("setfsuid 0 -> old %d\n", rump_sys_setfsuid(0));
	printf("setfsuid -1 -> %d\n", rump_sys_setfsuid((uid_t)-1));
	res("setresuid 65534", rump_sys_setresuid(65534, 65534, 65534));
	res("setresgid 65534", rump_sys_setresgid(65534, 65534, 65534));
	printf("kernel euid %d\n", (int)rump_sys_geteuid());
	res("setuid 0 after", rump_sys_setuid(0));
	return 0;
}
