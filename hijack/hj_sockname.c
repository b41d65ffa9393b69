/*
 * hj_sockname.c: kernel sockets named in the host's /proc/PID/fd, so that
 * ss -p and netstat -p find the process that holds a kernel socket.
 *
 * Those tools scan the host's /proc/PID/fd/N for "socket:[INODE]" links
 * and match the inode against the sockets the kernel lists (sock_diag,
 * /proc/net files); the process's name comes from the host's /proc/PID/stat.
 * A kernel socket's host number holds a placeholder (hj_fd.c), so the
 * placeholder of a kernel socket is made to carry the socket's identity:
 * an O_PATH descriptor of a memfd named "rs:TAG:[INODE]", where INODE is
 * the kernel's inode of the socket and TAG names the kernel (six base-36
 * digits of a hash of the time its procfs booted, in nanoseconds).  The
 * host's readlink shows "/memfd:rs:TAG:[INODE] (deleted)"; the
 * shim's readlink in a process of the same kernel (ss under the hijack)
 * turns it into "socket:[INODE]".  So ss -p shows the host pid, the
 * program's name and the descriptor number the program sees, as on
 * Linux; a socket of another kernel (another TAG) stays unnamed rather
 * than matching an inode of ours.
 *
 * The cost is one kernel fstat and four host calls per socket made
 * (socket, socketpair, accept, a unix socket moved into the kernel);
 * duplicates share their original's placeholder (dup2, F_DUPFD).  Sockets
 * received with SCM_RIGHTS keep the plain placeholder.  Any failure
 * leaves the plain placeholder, which only costs ss -p the name.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hj.h"

HOST_CACHE(open);
HOST_CACHE(close);
HOST_CACHE(fcntl);
HOST_CACHE(dup3);

static const char prefix[] = "/memfd:rs:";

/*
 * The kernel's tag: six base-36 digits of a hash of its /proc's
 * timestamp, which is procfs's boot time in nanoseconds.  Short, because
 * netstat reads these links into 29 bytes.
 */
static const char *
kernel_tag(void)
{
	static char tag[8];
	struct stat st;
	uint64_t h = 14695981039346656037ULL, t;
	char v[7];

	if (__atomic_load_n(&tag[0], __ATOMIC_ACQUIRE) != '\0')
		return tag;
	if (hjk_newfstatat(AT_FDCWD, "/proc", &st, 0) != 0)
		memset(&st, 0, sizeof(st));
	t = (uint64_t)st.st_mtim.tv_sec * 1000000000u +
	    (uint64_t)st.st_mtim.tv_nsec;
	for (int i = 0; i < 8; i++, t >>= 8)
		h = (h ^ (t & 0xff)) * 1099511628211ULL;
	for (int i = 0; i < 6; i++, h /= 36)
		v[i] = "0123456789abcdefghijklmnopqrstuvwxyz"[h % 36];
	v[6] = '\0';
	/* Racing threads write the same text. */
	memcpy(tag, v, sizeof(v));
	return tag;
}

void
hj_sockname_set(int fd)
{
	struct stat st;
	char name[96], path[40];
	int k = hj_fd_kernel(fd), e = errno, m, o, fl;

	if (k < 0 || hjk_fstat(k, &st) != 0 || !S_ISSOCK(st.st_mode))
		goto out;
	snprintf(name, sizeof(name), "rs:%s:[%llu]", kernel_tag(),
	    (unsigned long long)st.st_ino);
	if ((m = (int)syscall(SYS_memfd_create, name, 1U /* CLOEXEC */)) < 0)
		goto out;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", m);
	o = HOST(open)(path, O_PATH | O_CLOEXEC);
	HOST(close)(m);
	if (o < 0)
		goto out;
	if ((fl = HOST(fcntl)(fd, F_GETFD)) >= 0 &&
	    HOST(dup3)(o, fd, (fl & FD_CLOEXEC) ? O_CLOEXEC : 0) >= 0)
		hj_fd_named(fd);	/* never kept in the free cache */
	HOST(close)(o);
out:
	errno = e;
}

ssize_t
hj_sockname_fix(char *buf, ssize_t n, size_t len)
{
	const char *tag, *p, *end;
	size_t pl = sizeof(prefix) - 1, tl;
	char out[64];
	int ol;

	if (n < (ssize_t)pl || memcmp(buf, prefix, pl) != 0)
		return n;
	tag = kernel_tag();
	tl = strlen(tag);
	p = buf + pl;
	end = buf + n;
	if ((size_t)(end - p) < tl + 2 || memcmp(p, tag, tl) != 0 ||
	    p[tl] != ':' || p[tl + 1] != '[')
		return n;
	p += tl + 1;
	/* "[INODE] (deleted)": keep "[INODE]". */
	for (end = p; end < buf + n && *end != ']'; end++)
		continue;
	if (end == buf + n)
		return n;
	ol = snprintf(out, sizeof(out), "socket:%.*s]", (int)(end - p), p);
	if (ol < 0 || (size_t)ol >= sizeof(out))
		return n;
	/* readlink truncates silently. */
	if ((size_t)ol > len)
		ol = (int)len;
	memcpy(buf, out, (size_t)ol);
	return ol;
}
