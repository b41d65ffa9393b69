/*
 * hj_wrap_exec.c: running programs stored in the kernel.
 *
 * The host cannot exec a file it does not have.  execve of a kernel path
 * (hj_exec_kernel_file, called by our execve) copies the file into a
 * memfd and execs it as /proc/self/fd/N through hj_kernel_exec, which
 * keeps the kernel connection.  A "#!" script is not copied: the shim
 * reads the interpreter line itself and execs the interpreter (the
 * host's, or again the kernel's, up to 4 deep as Linux) with the script's
 * own path as argument, which the interpreter, shimmed too, opens through
 * the kernel; so $0 is the real path.  Limits: the file must be readable
 * (to be copied) as well as executable; set-id bits do nothing; an ELF
 * file whose PT_INTERP is in the kernel cannot run; /proc must be
 * mounted.
 *
 * fexecve of a kernel descriptor copies likewise and goes through our
 * execve; a script's memfd then stays open for its interpreter, which
 * reads it as /proc/self/fd/N (as glibc's fexecve does with /dev/fd/N),
 * so its interpreter must be the host's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hj.h"
#include "hj_spawn.h"

HOST_CACHE(memfd_create);
HOST_CACHE(write);
HOST_CACHE(close);
HOST_CACHE(fexecve);

#ifndef MFD_EXEC
#define MFD_EXEC	0x0010U		/* Linux 6.3: an executable memfd */
#endif
#define CHUNK		(1u << 20)
#define MAXINTERP	4		/* nested interpreters, as Linux */

static int exec_kernel(const char *path, int kd, const char *kpath,
    char *const argv[], char *const envp[], int depth);

/* "#!interp [arg]" in head (n bytes of at most max, NUL-terminated):
 * execs the interpreter on path, as the kernel would. */
static int
exec_script(const char *path, char *head, size_t n, size_t max,
    char *const argv[], char *const envp[], int depth)
{
	char *p = head + 2, *end, *interp, *arg = NULL, kb[PATH_MAX];
	const char *kp;
	char **nargv;
	size_t argc = 0, i = 0;
	int where, kd, rv, e;

	if ((end = memchr(head, '\n', n)) == NULL) {
		end = head + n;
		if (n == max) {		/* the line is longer than we read */
			errno = ENOEXEC;
			return -1;
		}
	}
	*end = '\0';
	while (end > p && (end[-1] == ' ' || end[-1] == '\t' ||
	    end[-1] == '\r'))
		*--end = '\0';
	while (*p == ' ' || *p == '\t')
		p++;
	interp = p;
	while (*p != '\0' && *p != ' ' && *p != '\t')
		p++;
	if (p == interp) {
		errno = ENOEXEC;
		return -1;
	}
	if (*p != '\0') {
		*p++ = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != '\0')
			arg = p;	/* the rest, blanks and all */
	}
	while (argv != NULL && argv[argc] != NULL)
		argc++;
	if ((nargv = calloc(argc + 3, sizeof(*nargv))) == NULL)
		return -1;
	nargv[i++] = interp;
	if (arg != NULL)
		nargv[i++] = arg;
	nargv[i++] = (char *)path;
	for (size_t j = 1; j < argc; j++)
		nargv[i++] = argv[j];
	nargv[i] = NULL;
	if ((where = hj_route(AT_FDCWD, interp, kb, sizeof(kb), &kd, &kp)) < 0)
		rv = -1;
	else if (where == HJ_HOST)
		rv = hj_kernel_exec(interp, nargv, envp);
	else if (depth >= MAXINTERP) {
		errno = ELOOP;
		rv = -1;
	} else
		rv = exec_kernel(interp, kd, kp, nargv, envp, depth + 1);
	e = errno;
	free(nargv);
	errno = e;
	return rv;
}

/* Copies kernel file k into a new memfd named after path; it, or -1. */
static int
to_memfd(int k, const char *path, bool cloexec)
{
	const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	unsigned fl = cloexec ? MFD_CLOEXEC : 0;
	char *buf;
	off_t off = 0;
	ssize_t n, w;
	int m, e;

	/* Linux 6.3 may want executability asked for; older ones refuse
	 * the flag (EINVAL) and make every memfd executable. */
	if ((m = HOST(memfd_create)(name, fl | MFD_EXEC)) < 0 &&
	    errno == EINVAL)
		m = HOST(memfd_create)(name, fl);
	if (m < 0)
		return -1;
	if ((buf = malloc(CHUNK)) == NULL)
		goto fail;
	while ((n = hjk_pread64(k, buf, CHUNK, off)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		for (ssize_t done = 0; done < n; done += w) {
			w = HOST(write)(m, buf + done, (size_t)(n - done));
			if (w < 0 && errno != EINTR)
				goto fail;
			if (w < 0)
				w = 0;
		}
		off += n;
	}
	free(buf);
	return m;
fail:
	e = errno;
	free(buf);
	HOST(close)(m);
	errno = e;
	return -1;
}

int
hj_kernel_memfd(int k, const char *path)
{
	return to_memfd(k, path, true);
}

/* The first bytes of kernel file k into head (size max + 1); -1 or n. */
static ssize_t
read_head(int k, char *head, size_t max)
{
	ssize_t n;

	while ((n = hjk_pread64(k, head, max, 0)) < 0 && errno == EINTR)
		continue;
	if (n >= 0)
		head[n] = '\0';
	return n;
}

static int
exec_kernel(const char *path, int kd, const char *kpath, char *const argv[],
    char *const envp[], int depth)
{
	char head[256], fdpath[64];
	struct stat st;
	ssize_t n;
	int k, m, e;

	/* execve's checks, in its order. */
	hj_linkout_armed = 1;
	if (hjk_faccessat(kd, kpath, X_OK) != 0) {
		char hp[PATH_MAX];

		hj_linkout_armed = 0;
		/* A link to a host program (a venv's bin/python3): run that,
		 * with the caller's argv. */
		if (errno == HJ_ELINKOUT &&
		    hj_linkout_path(kd, kpath, true, hp) == 0)
			hj_kernel_exec(hp, argv, envp);
		return -1;
	}
	hj_linkout_armed = 0;
	if ((k = hjk_openat(kd, kpath, O_RDONLY | O_CLOEXEC, 0)) < 0)
		return -1;
	if (hjk_fstat(k, &st) != 0)
		goto fail;
	if (!S_ISREG(st.st_mode)) {
		errno = EACCES;
		goto fail;
	}
	if ((n = read_head(k, head, sizeof(head) - 1)) < 0)
		goto fail;
	if (n >= 2 && head[0] == '#' && head[1] == '!') {
		hjk_close(k);
		return exec_script(path, head, (size_t)n, sizeof(head) - 1,
		    argv, envp, depth);
	}
	/* Not a script: the host's exec opens the file by this path before
	 * it closes close-on-exec descriptors. */
	m = to_memfd(k, path, true);
	hjk_close(k);
	if (m < 0)
		return -1;
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", m);
	hj_kernel_exec(fdpath, argv, envp);
	e = errno;
	HOST(close)(m);
	errno = e;
	return -1;
fail:
	e = errno;
	hjk_close(k);
	errno = e;
	return -1;
}

int
hj_exec_kernel_file(const char *path, int kd, const char *kpath,
    char *const argv[], char *const envp[])
{
	return exec_kernel(path, kd, kpath, argv, envp, 0);
}

HJ_EXPORT int
fexecve(int fd, char *const argv[], char *const envp[])
{
	char head[256], fdpath[64];
	int k = hj_fd_kernel(fd), m, e;
	struct stat st;
	ssize_t n;

	hj_fd_flush();
	if (k < 0) {
		/* Untouched unless there is kernel state to pass on, which
		 * our execve adds to the environment. */
		if (fd < 0 ||
		    (hj_fdmap == NULL && !hj_cwd_kernel && !hj_remote))
			return HOST(fexecve)(fd, argv, envp);
		snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", fd);
		return execve(fdpath, argv, envp);
	}
	if (hjk_fstat(k, &st) != 0)
		return -1;
	if (!S_ISREG(st.st_mode) || (st.st_mode & 0111) == 0) {
		errno = EACCES;
		return -1;
	}
	if ((n = read_head(k, head, sizeof(head) - 1)) < 0)
		return -1;
	/* A script's interpreter reads the memfd: it must stay open. */
	if ((m = to_memfd(k, "fexecve", !(n >= 2 && head[0] == '#' &&
	    head[1] == '!'))) < 0)
		return -1;
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", m);
	execve(fdpath, argv, envp);
	e = errno;
	HOST(close)(m);
	errno = e;
	return -1;
}
