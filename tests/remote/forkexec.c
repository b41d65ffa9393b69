/*
 * forkexec: rumpclient_fork + rumpclient_exec keep the kernel process's
 * descriptors and cwd.  Run as "forkexec KDIR" (KDIR: a new kernel
 * directory); it re-executes itself as "forkexec child ..." in the child.
 * Exit 0 when every check passed; otherwise a line on stderr says which.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rump/rump_syscalls.h>
#include <rump/rumpclient.h>

#define PARENT_TEXT	"parent\n"
#define CHILD_TEXT	"child\n"

static int
fail(const char *who, const char *what)
{
	fprintf(stderr, "forkexec %s: %s: %s\n", who, what, strerror(errno));
	return 1;
}

/* The exec'd image: argv = child KDIR FD CLOEXECFD PARENTPID. */
static int
child(char **argv)
{
	char cwd[256], buf[64];
	int fd = atoi(argv[3]), cfd = atoi(argv[4]);
	pid_t ppid = (pid_t)atoi(argv[5]), pid;
	ssize_t n;

	if (rumpclient_init() != 0)
		return fail("child", "rumpclient_init");
	if (rump_sys_getcwd(cwd, sizeof(cwd)) == NULL)
		return fail("child", "getcwd");
	if (strcmp(cwd, argv[2]) != 0) {
		fprintf(stderr, "forkexec child: cwd is %s, not %s\n", cwd,
		    argv[2]);
		return 1;
	}
	pid = rumpclient_getpid();
	if (pid <= 0 || pid == ppid || rump_sys_getpid() != pid) {
		fprintf(stderr, "forkexec child: kernel pid %d (getpid %d), "
		    "parent %d\n", (int)pid, (int)rump_sys_getpid(),
		    (int)ppid);
		return 1;
	}
	/* The parent left the shared offset at 0. */
	n = rump_sys_read(fd, buf, sizeof(buf) - 1);
	if (n < 0)
		return fail("child", "read of the inherited descriptor");
	buf[n] = '\0';
	if (strcmp(buf, PARENT_TEXT) != 0) {
		fprintf(stderr, "forkexec child: read \"%s\"\n", buf);
		return 1;
	}
	if (rump_sys_write(fd, CHILD_TEXT, strlen(CHILD_TEXT)) !=
	    (ssize_t)strlen(CHILD_TEXT))
		return fail("child", "write to the inherited descriptor");
	errno = 0;
	if (rump_sys_read(cfd, buf, 1) != -1 || errno != EBADF) {
		fprintf(stderr, "forkexec child: close-on-exec descriptor %d "
		    "still open (errno %d)\n", cfd, errno);
		return 1;
	}
	printf("child: pid %d cwd %s ok\n", (int)pid, cwd);
	return 0;
}

int
main(int argc, char **argv)
{
	char fdarg[16], cfdarg[16], pidarg[16], buf[64], cwd[256];
	char *cargv[7];
	int fd, cfd, st;
	pid_t ppid, pid;
	ssize_t n;

	if (argc == 6 && strcmp(argv[1], "child") == 0)
		return child(argv);
	if (argc != 2 || argv[1][0] != '/') {
		fprintf(stderr, "usage: forkexec /KERNELDIR\n");
		return 2;
	}
	if (rumpclient_init() != 0)
		return fail("parent", "rumpclient_init");
	ppid = rumpclient_getpid();
	if (rump_sys_mkdir(argv[1], 0755) != 0)
		return fail("parent", "mkdir");
	if (rump_sys_chdir(argv[1]) != 0)
		return fail("parent", "chdir");
	if ((fd = rump_sys_open("data", O_RDWR | O_CREAT | O_TRUNC, 0644)) < 0)
		return fail("parent", "open data");
	if ((cfd = rump_sys_open("closed", O_RDWR | O_CREAT | O_CLOEXEC,
	    0644)) < 0)
		return fail("parent", "open closed");
	if (rump_sys_write(fd, PARENT_TEXT, strlen(PARENT_TEXT)) !=
	    (ssize_t)strlen(PARENT_TEXT) || rump_sys_lseek(fd, 0, SEEK_SET) != 0)
		return fail("parent", "write data");

	snprintf(fdarg, sizeof(fdarg), "%d", fd);
	snprintf(cfdarg, sizeof(cfdarg), "%d", cfd);
	snprintf(pidarg, sizeof(pidarg), "%d", (int)ppid);
	cargv[0] = argv[0];
	cargv[1] = "child";
	cargv[2] = argv[1];
	cargv[3] = fdarg;
	cargv[4] = cfdarg;
	cargv[5] = pidarg;
	cargv[6] = NULL;
	fflush(stdout);
	if ((pid = rumpclient_fork()) < 0)
		return fail("parent", "rumpclient_fork");
	if (pid == 0) {
		rumpclient_exec(argv[0], cargv, environ);
		fail("child", "rumpclient_exec");
		_exit(1);
	}
	if (waitpid(pid, &st, 0) != pid)
		return fail("parent", "waitpid");
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "forkexec parent: child ended with status "
		    "0x%x\n", st);
		return 1;
	}

	/* The child's write landed after ours, and we are unchanged. */
	if (rump_sys_close(fd) != 0 ||
	    (fd = rump_sys_open("data", O_RDONLY, 0)) < 0)
		return fail("parent", "reopen data");
	n = rump_sys_read(fd, buf, sizeof(buf) - 1);
	if (n < 0)
		return fail("parent", "read data");
	buf[n] = '\0';
	if (strcmp(buf, PARENT_TEXT CHILD_TEXT) != 0) {
		fprintf(stderr, "forkexec parent: data is \"%s\"\n", buf);
		return 1;
	}
	if (rump_sys_getcwd(cwd, sizeof(cwd)) == NULL ||
	    strcmp(cwd, argv[1]) != 0 || rumpclient_getpid() != ppid)
		return fail("parent", "cwd or pid changed");
	if (rump_sys_fcntl(cfd, F_GETFD, 0) != FD_CLOEXEC)
		return fail("parent", "close-on-exec descriptor");
	printf("parent: pid %d ok\n", (int)ppid);
	return 0;
}
