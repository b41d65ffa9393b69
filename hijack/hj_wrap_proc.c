/*
 * hj_wrap_proc.c: fork and exec.  A forked child is a process of its own
 * in the kernel holding a copy of its parent's descriptors (hj_kernel_fork);
 * an exec'd image keeps the kernel process, its descriptor map (passed in
 * RUMPHIJACK__FDMAP) and a current directory inside the kernel
 * (RUMPHIJACK__CWD).  glibc's exec* functions call execve internally, so
 * each is wrapped here and ends in our execve.
 */
#include <alloca.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hj.h"
#include "hj_spawn.h"

HOST_CACHE(execveat);

extern char **environ;

HJ_EXPORT pid_t
fork(void)
{
	return hj_kernel_fork();
}

HJ_EXPORT pid_t
vfork(void)
{
	/* The child must get its own kernel process: a real fork, whose
	 * process the image it execs claims (or its first call). */
	return hj_kernel_vfork();
}

/*
 * envp without our private entries, plus the state of this image, and the
 * server this process talks to: a shell passes its own variable list, in
 * which a RUMP_SERVER set after an embedded kernel's fork is missing.
 */
static char **
exec_env(char *const envp[], char **fdmap, char *cwd, char **server,
    char *linkout, size_t lolen)
{
	/* A copy: bash's getenv() returns its variable, not an environ entry. */
	const char *url = hj_remote ? getenv("RUMP_SERVER") : NULL;
	size_t n = 0, k = 0;
	char **e;

	*server = NULL;
	while (envp != NULL && envp[n] != NULL)
		n++;
	if ((e = calloc(n + 5, sizeof(*e))) == NULL)
		return NULL;
	if (url != NULL && asprintf(server, "RUMP_SERVER=%s", url) < 0) {
		free(e);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		if (strncmp(envp[i], "RUMPHIJACK__", 12) != 0 &&
		    (*server == NULL || strncmp(envp[i], "RUMP_SERVER=", 12)))
			e[k++] = envp[i];
	if (*server != NULL)
		e[k++] = *server;
	if ((*fdmap = hj_fd_export()) != NULL)
		e[k++] = *fdmap;
	if (hj_cwd_kernel) {
		strcpy(cwd, "RUMPHIJACK__CWD=1");
		e[k++] = cwd;
	}
	if (hj_linkout_export(linkout, lolen) != NULL)
		e[k++] = linkout;
	e[k] = NULL;
	return e;
}

/* execve once routed: the kernel state goes into the environment. */
static int
exec_routed(const char *path, int where, int kd, const char *kp,
    char *const argv[], char *const envp[])
{
	char cwd[32], linkout[300], *fdmap = NULL, *server = NULL, **env;
	int rv, e;

	/* The next image must not inherit cached placeholders. */
	hj_fd_flush();
	if (hj_fdmap == NULL && !hj_cwd_kernel && !hj_remote &&
	    where == HJ_HOST)
		return hj_kernel_exec(path, argv, envp);
	if ((env = exec_env(envp, &fdmap, cwd, &server, linkout,
	    sizeof(linkout))) == NULL)
		return -1;
	/* A file in the kernel: the host cannot exec it (hj_wrap_exec.c). */
	rv = where == HJ_KERNEL ? hj_exec_kernel_file(path, kd, kp, argv,
	    env) : hj_kernel_exec(path, argv, env);
	e = errno;
	free(fdmap);
	free(server);
	free(env);
	errno = e;
	return rv;
}

HJ_EXPORT int
execve(const char *path, char *const argv[], char *const envp[])
{
	char kb[PATH_MAX];
	const char *kp;
	int kd, where;

	if ((where = hj_route(AT_FDCWD, path, kb, sizeof(kb), &kd, &kp)) < 0)
		return -1;
	return exec_routed(path, where, kd, kp, argv, envp);
}

/*
 * execveat: AT_EMPTY_PATH is fexecve's case; a path relative to a host
 * directory descriptor becomes /proc/self/fd/N/path for the host's
 * execve (the state in the environment must still be passed on), one
 * relative to a kernel directory its full path under the prefix.
 */
HJ_EXPORT int
execveat(int dirfd, const char *path, char *const argv[],
    char *const envp[], int flags)
{
	char kb[PATH_MAX], hp[PATH_MAX + 32], dir[PATH_MAX], kb2[64];
	const char *kp;
	struct stat st;
	int kd, where, n = 0;

	if (flags & ~(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW)) {
		errno = EINVAL;
		return -1;
	}
	if (hj_empty(path) && (flags & AT_EMPTY_PATH))
		return fexecve(dirfd, argv, envp);
	if ((where = hj_route(dirfd, path, kb, sizeof(kb), &kd, &kp)) < 0)
		return -1;
	if (where == HJ_HOST && hj_fdmap == NULL && !hj_cwd_kernel &&
	    !hj_remote)
		return HOST(execveat)(dirfd, path, argv, envp, flags);
	if ((flags & AT_SYMLINK_NOFOLLOW) &&
	    fstatat(dirfd, path, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISLNK(st.st_mode)) {
		errno = ELOOP;
		return -1;
	}
	if (path[0] != '/' && dirfd != AT_FDCWD) {
		/* A script's interpreter gets this path: one it can open. */
		if (where == HJ_HOST)
			n = snprintf(hp, sizeof(hp), "/proc/self/fd/%d/%s",
			    dirfd, path);
		else if ((n = (int)hjk_readlinkat(AT_FDCWD, (snprintf(kb2,
		    sizeof(kb2), "/proc/self/fd/%d", kd), kb2), dir,
		    sizeof(dir) - 1)) >= 0) {
			dir[n] = '\0';
			n = snprintf(hp, sizeof(hp), "%s%s/%s",
			    hj_show_prefix(), strcmp(dir, "/") ? dir : "",
			    path);
		}
		if (n < 0)
			return -1;
		if (n >= (int)sizeof(hp)) {
			errno = ENAMETOOLONG;
			return -1;
		}
		path = hp;
	}
	return exec_routed(path, where, kd, kp, argv, envp);
}

/*
 * A file without "#!" that the kernel refused (ENOEXEC): glibc's execvp
 * runs it with /bin/sh, the file then its arguments.
 */
static int
exec_sh(const char *file, char *const argv[], char *const envp[])
{
	size_t n = 0;
	char **nargv;

	while (argv[n] != NULL)
		n++;
	nargv = alloca((n + 2) * sizeof(char *));
	nargv[0] = (char *)"/bin/sh";
	nargv[1] = (char *)file;
	for (size_t i = 1; i <= n; i++)
		nargv[i + 1] = argv[i];
	if (n == 0)
		nargv[2] = NULL;
	return execve("/bin/sh", nargv, envp);
}

/*
 * execvpe's search of PATH as glibc does it, each candidate through our
 * execve, so that a PATH entry in the kernel (PATH=/rump/bin:$PATH) finds
 * the kernel's programs.  No PATH: "/bin:/usr/bin"; an empty entry: the
 * current directory; a name longer than NAME_MAX: ENAMETOOLONG; an entry
 * too long to join is skipped.  EACCES, ENOENT, ENOTDIR, ESTALE, ENODEV
 * and ETIMEDOUT go on to the next entry (EACCES is remembered); any other
 * error ends the search.  sh: ENOEXEC runs the file with /bin/sh
 * (execvp; posix_spawnp does not).
 */
int
hj_execvpe(const char *file, char *const argv[], char *const envp[], bool sh)
{
	const char *path;
	char buf[PATH_MAX];
	size_t flen;
	bool eacces = false;

	if (hj_nopath(file)) {
		errno = ENOENT;
		return -1;
	}
	if (strchr(file, '/') != NULL) {
		execve(file, argv, envp);
		if (errno == ENOEXEC && sh)
			exec_sh(file, argv, envp);
		return -1;
	}
	if ((flen = strlen(file)) > NAME_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((path = getenv("PATH")) == NULL)
		path = "/bin:/usr/bin";
	for (;;) {
		const char *colon = strchr(path, ':');
		size_t len = colon ? (size_t)(colon - path) : strlen(path);

		if (len + 1 + flen < sizeof(buf)) {
			if (len == 0)
				memcpy(buf, file, flen + 1);
			else
				snprintf(buf, sizeof(buf), "%.*s/%s", (int)len,
				    path, file);
			execve(buf, argv, envp);
			if (errno == ENOEXEC && sh)
				exec_sh(buf, argv, envp);
			switch (errno) {
			case EACCES:
				eacces = true;
				break;
			case ENOENT:
			case ENOTDIR:
			case ESTALE:
			case ENODEV:
			case ETIMEDOUT:
				break;
			default:
				return -1;
			}
		}
		if (colon == NULL)
			break;
		path = colon + 1;
	}
	errno = eacces ? EACCES : ENOENT;
	return -1;
}

HJ_EXPORT int
execvpe(const char *file, char *const argv[], char *const envp[])
{
	return hj_execvpe(file, argv, envp, true);
}

HJ_EXPORT int
execvp(const char *file, char *const argv[])
{
	return execvpe(file, argv, environ);
}

HJ_EXPORT int
execv(const char *path, char *const argv[])
{
	return execve(path, argv, environ);
}

/* execl and friends: collect the variadic arguments into an argv. */
#define COLLECT(arg0, argv, envp_out) do {				\
	va_list ap;							\
	size_t n = 1;							\
	va_start(ap, arg0);						\
	while (va_arg(ap, char *) != NULL)				\
		n++;							\
	va_end(ap);							\
	argv = alloca((n + 1) * sizeof(char *));			\
	argv[0] = (char *)arg0;						\
	va_start(ap, arg0);						\
	for (size_t i = 1; i <= n; i++)					\
		argv[i] = va_arg(ap, char *);				\
	if (envp_out != NULL)	/* execle: the environment follows */	\
		*(envp_out) = va_arg(ap, char **);			\
	va_end(ap);							\
} while (0)

HJ_EXPORT int
execl(const char *path, const char *arg0, ...)
{
	char **argv;

	COLLECT(arg0, argv, (char ***)NULL);
	return execve(path, argv, environ);
}

HJ_EXPORT int
execlp(const char *file, const char *arg0, ...)
{
	char **argv;

	COLLECT(arg0, argv, (char ***)NULL);
	return execvpe(file, argv, environ);
}

HJ_EXPORT int
execle(const char *path, const char *arg0, ...)
{
	char **argv, **envp = NULL;

	COLLECT(arg0, argv, &envp);
	return execve(path, argv, envp);
}
