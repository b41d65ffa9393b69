/*
 * execp: execvp, execvpe, execlp and posix_spawnp finding programs by
 * name through PATH=DIR/bin:$PATH, checked by a plain libc program that
 * runs unmodified: under librumphijack.so with DIR in the kernel
 * (/rump/...), or on the host with a host DIR as the reference
 * (../hijack.bats runs both and compares).  DIR/bin gets a "#!" script, a
 * copy of /bin/echo, a script without "#!" (execvp runs it with /bin/sh,
 * posix_spawnp answers ENOEXEC) and a file that is not executable.
 *
 *   execp DIR
 *
 * Prints what each child printed and how it ended, one case a line.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;
static char dir[4096];

static void
put(const char *name, const char *text, mode_t mode)
{
	char p[4200];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	if ((f = fopen(p, "w")) == NULL || fputs(text, f) < 0 ||
	    fclose(f) != 0 || chmod(p, mode) != 0) {
		perror(p);
		exit(2);
	}
}

static void
copy(const char *from, const char *name)
{
	char p[4200], buf[65536];
	int in = open(from, O_RDONLY), out;
	ssize_t n;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	out = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	if (in < 0 || out < 0) {
		perror(p);
		exit(2);
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			exit(2);
	close(in);
	close(out);
}

/* Runs how(file) in a child: what the exec call answered if it returned. */
static void
run(const char *what, int how, const char *file)
{
	char *argv[] = { (char *)file, (char *)"arg", NULL };
	int st;
	pid_t pid;

	fflush(stdout);
	if ((pid = fork()) == 0) {
		if (how == 0)
			execvp(file, argv);
		else if (how == 1)
			execvpe(file, argv, environ);
		else
			execlp(file, file, "arg", (char *)NULL);
		printf("%s %s: %s\n", what, file, strerrorname_np(errno));
		_exit(127);
	}
	waitpid(pid, &st, 0);
	printf("%s %s: exit %d\n", what, file, WEXITSTATUS(st));
}

static void
spawn(const char *file)
{
	char *argv[] = { (char *)file, (char *)"arg", NULL };
	pid_t pid;
	int e, st;

	fflush(stdout);
	if ((e = posix_spawnp(&pid, file, NULL, NULL, argv, environ)) != 0) {
		printf("posix_spawnp %s: %s\n", file, strerrorname_np(e));
		return;
	}
	waitpid(pid, &st, 0);
	printf("posix_spawnp %s: exit %d\n", file, WEXITSTATUS(st));
}

int
main(int argc, char **argv)
{
	static const char *names[] = { "hello", "kecho", "nosheb", "noexec",
	    "nosuch" };
	const char *path = getenv("PATH");
	char *np;

	if (argc != 2) {
		fprintf(stderr, "usage: execp DIR\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	snprintf(dir, sizeof(dir), "%s/bin", argv[1]);
	if (mkdir(dir, 0755) != 0) {
		perror(dir);
		return 2;
	}
	put("hello", "#!/bin/sh\necho \"hello $1\"\nexit 3\n", 0755);
	copy("/bin/echo", "kecho");
	put("nosheb", "echo \"no shebang $1\"\n", 0755);
	put("noexec", "#!/bin/sh\necho never\n", 0644);
	if (asprintf(&np, "PATH=%s:%s", dir, path ? path : "/bin") < 0)
		return 2;
	putenv(np);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		run("execvp", 0, names[i]);
		run("execvpe", 1, names[i]);
		run("execlp", 2, names[i]);
		spawn(names[i]);
	}
	/* No PATH: /bin:/usr/bin; an empty entry: the current directory. */
	unsetenv("PATH");
	run("execvp, no PATH,", 0, "hello");
	if (chdir(dir) != 0)
		return 2;
	setenv("PATH", ":/nonexistent", 1);
	run("execvp, empty entry,", 0, "hello");
	spawn("hello");
	return 0;
}
