/*
 * hjfloor: the least any launcher does, for hjbench section 3's reference
 * row: vfork, exec the command, wait, exit with its status.  Linked like
 * rumphijack (-static where it can be), so the difference between the two
 * rows is what rumphijack itself costs beyond being a launcher at all.
 *
 *   hjfloor -- command [args...]
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	int i = argc > 1 && strcmp(argv[1], "--") == 0 ? 2 : 1, status;
	pid_t pid;

	if (i >= argc)
		return 2;
	if ((pid = vfork()) == 0) {
		execvp(argv[i], argv + i);
		_exit(127);
	}
	if (pid < 0)
		return 127;
	while (waitpid(pid, &status, 0) < 0)
		continue;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
