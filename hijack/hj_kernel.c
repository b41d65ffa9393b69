/*
 * hj_kernel.c: which kernel the shim talks to, set up on first use.
 *
 * With RUMP_SERVER the shim is a remote client (librumpclient, linked
 * in: see CLIENT below); without it, it boots a kernel in this process,
 * dlopen'ed RTLD_LOCAL | RTLD_DEEPBIND: its rump_* names stay out of the
 * program's namespace, and its own libc calls (sockets, files of the
 * hypercall layer) go straight to libc instead of through the shim's
 * wrappers.  The linked-in client gets the same two properties from its
 * prefix and from hj_clientlibc.c.
 *
 * An embedded kernel that forks starts serving itself on a private unix
 * socket, and the child becomes a remote client of its parent's kernel,
 * claiming a copy of its process (rump_server_prefork).
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rump/rumpclient.h>

#include "hj.h"

/*
 * librumpclient, linked in with its names prefixed hjc_ (client_ns.sh)
 * and its calls of the wrapped libc names sent to the host's
 * (hj_clientlibc.c), so a remote process's first call loads nothing.
 */
#define CLIENT(fn)	extern __typeof__(fn) hjc_##fn
CLIENT(rumpclient_init);
CLIENT(rumpclient_fork);
CLIENT(rumpclient_vfork);
CLIENT(rumpclient_exec);
CLIENT(rumpclient_fdbase);
CLIENT(rumpclient_syncids);
CLIENT(rumpclient_mapobj);
CLIENT(rumpclient_isfd);
CLIENT(rumpclient_procinfo);
CLIENT(rump_syscall);

bool hj_remote;
int hj_priv_lo, hj_priv_hi;
static int (*client_isfd)(int);

static struct {
	int (*syscall)(int, const int64_t *, int, int64_t *);
	/* remote */
	int (*client_init)(void);
	pid_t (*client_fork)(void);
	pid_t (*client_vfork)(void);
	int (*client_exec)(const char *, char *const[], char *const[]);
	int (*client_syncids)(void);
	int (*client_mapobj)(int, int, int);
	int (*client_procinfo)(void);
	/* embedded */
	int (*init_server)(const char *);
	int (*prefork)(unsigned char *);
	int (*setcred)(const unsigned *, const unsigned *, int,
	    const unsigned *);
	char sock[128];			/* the embedded kernel's own server */
} k;

HOST_CACHE(fork);
HOST_CACHE(execve);
HOST_CACHE(umask);

static pthread_mutex_t up_lock = PTHREAD_MUTEX_INITIALIZER;
static int up_state;			/* 0: not yet, 1: up, else errno+1 */

static void
say(const char *fmt, const char *a, const char *b)
{
	fprintf(stderr, "librumphijack: ");
	fprintf(stderr, fmt, a, b);
	fputc('\n', stderr);
}

/* Next to this library, then in the build tree's layout, then by name. */
static void *
open_lib(const char *name)
{
	static const char *const rel[] = { "", "../kernel/", "../rumpuser/",
	    "../server/" };
	char dir[PATH_MAX], path[PATH_MAX + 64];
	Dl_info info;
	void *h;

	if (dladdr((void *)open_lib, &info) != 0 && info.dli_fname != NULL) {
		const char *slash = strrchr(info.dli_fname, '/');
		size_t n = slash ? (size_t)(slash - info.dli_fname) : 0;

		if (n > 0 && n < sizeof(dir)) {
			memcpy(dir, info.dli_fname, n);
			dir[n] = '\0';
			for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]);
			    i++) {
				snprintf(path, sizeof(path), "%s/%s%s", dir,
				    rel[i], name);
				if (access(path, R_OK) == 0 &&
				    (h = dlopen(path, RTLD_NOW | RTLD_LOCAL |
				    RTLD_DEEPBIND)) != NULL)
					return h;
			}
		}
	}
	if ((h = dlopen(name, RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND)) == NULL)
		say("cannot load %s: %s", name, dlerror());
	return h;
}

static int
up_remote(void)
{
	int lo;

	k.client_init = hjc_rumpclient_init;
	k.client_fork = hjc_rumpclient_fork;
	k.client_vfork = hjc_rumpclient_vfork;
	k.client_exec = hjc_rumpclient_exec;
	k.syscall = hjc_rump_syscall;
	k.client_syncids = hjc_rumpclient_syncids;
	k.client_mapobj = hjc_rumpclient_mapobj;
	k.client_procinfo = hjc_rumpclient_procinfo;
	client_isfd = hjc_rumpclient_isfd;
	/* Under up_lock already (hj_kernel_up). */
	lo = hjc_rumpclient_fdbase();
	if (hj_priv_hi == 0 || lo < hj_priv_lo)
		hj_priv_lo = lo;
	if (lo + 64 > hj_priv_hi)
		hj_priv_hi = lo + 64;
	hj_remote = true;
	return k.client_init() == 0 ? 0 : errno;
}

static int
up_embedded(void)
{
	/* By soname: the runtime package has no unversioned links. */
#define SO(name)	"lib" name ".so." RUMP_SOVERSION
	static const char *const libs[] = { SO("rumpfs_tmpfs"),
	    SO("rumpfs_procfs"), SO("rumpdev"), SO("rumpnet"),
	    SO("rumpnet_unix"), SO("rumpnet_netinet"), SO("rumpserver") };
#undef SO
	int (*init)(void) = NULL;
	void *h;

	for (size_t i = 0; i < sizeof(libs) / sizeof(libs[0]); i++) {
		if ((h = open_lib(libs[i])) == NULL)
			return ELIBACC;
		if (init == NULL)
			init = (int (*)(void))dlsym(h, "rump_init");
		if (k.syscall == NULL)
			k.syscall = (int (*)(int, const int64_t *, int,
			    int64_t *))dlsym(h, "rump_syscall");
		if (k.init_server == NULL)
			k.init_server = (int (*)(const char *))dlsym(h,
			    "rump_init_server");
		if (k.setcred == NULL)
			k.setcred = (int (*)(const unsigned *,
			    const unsigned *, int, const unsigned *))dlsym(h,
			    "rump_proc_setcred");
		if (k.prefork == NULL)
			k.prefork = (int (*)(unsigned char *))dlsym(h,
			    "rump_server_prefork");
	}
	if (init == NULL || k.syscall == NULL)
		return ELIBBAD;
	return init();
}

/*
 * The kernel shows its root under our prefix, so a link the program writes
 * as "/rump/x" must reach the kernel's /x: vfs.linkprefix says so to the
 * kernel (vfs_lookup.c), unless somebody set it already.  Failing (no
 * procfs, not root in the kernel) only leaves such links unresolved.
 * Kernel descriptors here, not placeholders: nothing the program sees.
 */
__thread int hj_linkout_armed;
static bool linkout_on;
static char linkout_from[256];		/* the image before ours had it on */

void
hj_linkout_import(const char *prefix)
{
	if (prefix != NULL && strlen(prefix) < sizeof(linkout_from))
		strcpy(linkout_from, prefix);
}

char *
hj_linkout_export(char *buf, size_t len)
{
	if (!linkout_on || (size_t)snprintf(buf, len, "RUMPHIJACK__LINKOUT=%s",
	    hj_show_prefix()) >= len)
		return NULL;
	return buf;
}

static void
offer_linkprefix(bool kept)
{
	static const char knob[] = "/proc/sys/vfs/linkprefix";
	const char *p = hj_show_prefix();
	int saved = errno, fd;
	size_t pl = strlen(p);
	char cur[260];
	ssize_t n;

	/* A process kept from a fork or an exec has the flag as it was: on
	 * for this prefix, nothing to ask; for another, off again. */
	if (kept && linkout_on)		/* a fork: ours is the parent's */
		return;
	if (kept && linkout_from[0] != '\0') {
		if (strcmp(linkout_from, p) == 0) {
			linkout_on = true;
			return;
		}
		(void)hjk_prctl(RUMP_PR_LINKOUT, 0, 0, 0, 0);
	}
	/* The kernel keeps 255 bytes of it: a longer one would be cut. */
	if (p[0] == '\0' || strcmp(p, "/") == 0 || pl > 255)
		return;
	if ((fd = hjk_openat(AT_FDCWD, knob, O_RDONLY | O_CLOEXEC, 0)) < 0)
		goto out;
	n = hjk_read(fd, cur, sizeof(cur));
	(void)hjk_close(fd);
	if (n == 1 && cur[0] == '\n' && (fd = hjk_openat(AT_FDCWD, knob,
	    O_WRONLY | O_CLOEXEC, 0)) >= 0) {
		if (hjk_write(fd, p, pl) == (ssize_t)pl) {
			memcpy(cur, p, pl);
			cur[pl] = '\n';
			n = (ssize_t)pl + 1;
		}
		(void)hjk_close(fd);
	}
	/* The kernel shows its root where we do: links that leave it are
	 * ours to finish on the host (RUMP_PR_LINKOUT). */
	if (n == (ssize_t)pl + 1 && memcmp(cur, p, pl) == 0 &&
	    cur[pl] == '\n' && hjk_prctl(RUMP_PR_LINKOUT, 1, 0, 0, 0) == 0)
		linkout_on = true;
out:
	errno = saved;
}

/*
 * The kernel process takes the program's ids (hj_wrap_cred.c).  A private
 * kernel booted by a user other than root gives that user its root
 * directory first, as a tmpfs a user mounts is the user's: otherwise the
 * user could create nothing in the kernel that exists for it alone.
 */
static int
take_identity(void)
{
	if (!hj_remote && geteuid() != 0 && hjk_chown("/", geteuid(),
	    getegid()) != 0)
		return errno;
	return hj_cred_follow();
}

int
hj_kernel_up(void)
{
	int state = __atomic_load_n(&up_state, __ATOMIC_ACQUIRE), error;
	bool ids;

	if (__builtin_expect(state == 1, 1))
		return 0;
	if (state != 0)
		return state - 1;
	pthread_mutex_lock(&up_lock);
	if (up_state == 0) {
		hj_inside++;
		if (getenv("RUMP_SERVER") != NULL) {
			hj_cred_mark();
			error = up_remote();
		} else {
			error = up_embedded();
		}
		hj_inside--;
		if (error != 0)
			say("no kernel: %s%s", strerror(error),
			    hj_remote ? " (RUMP_SERVER)" : "");
		__atomic_store_n(&up_state, error == 0 ? 1 : error + 1,
		    __ATOMIC_RELEASE);
		if (error == 0) {
			/* A process kept from a fork or an exec has the umask
			 * and, if the server says so, the ids it needs. */
			int info = hj_remote ? k.client_procinfo() : 0;

			if (!(info & RUMPCLIENT_KEPT)) {
				/* It takes the program's umask. */
				mode_t m = HOST(umask)(0);

				HOST(umask)(m);
				(void)hjk_umask(m);
			}
			offer_linkprefix(info & RUMPCLIENT_KEPT);
			ids = (info & RUMPCLIENT_HOSTIDS) &&
			    hj_cred_unchanged();
			if (!ids && (error = take_identity()) != 0) {
				say("no kernel: the kernel process cannot "
				    "take this process's identity (%s)%s",
				    strerror(error), "");
				__atomic_store_n(&up_state, error + 1,
				    __ATOMIC_RELEASE);
			}
		}
	}
	state = up_state;
	pthread_mutex_unlock(&up_lock);
	return state == 1 ? 0 : state - 1;
}

int
hj_kernel_takeids(const unsigned u[4], const unsigned g[4], int ng,
    const unsigned *groups)
{
	if (hj_remote && k.client_syncids != NULL)
		return k.client_syncids() == 0 ? 0 : errno;
	if (!hj_remote && k.setcred != NULL)
		return k.setcred(u, g, ng, groups);
	return ENOSYS;
}

int
hj_kernel_mapobj(int k_fd, int prot, int flags)
{
	if (hj_remote) {
		if (k.client_mapobj == NULL) {
			errno = ENODEV;
			return -1;
		}
		return k.client_mapobj(k_fd, prot, flags);
	}
	return hjk_prctl(RUMP_PR_MAPOBJ, (unsigned long)k_fd,
	    (unsigned long)prot, (unsigned long)flags, 0);
}

bool
hj_kernel_is_up(void)
{
	return __atomic_load_n(&up_state, __ATOMIC_ACQUIRE) == 1;
}

bool
hj_linkout_on(void)
{
	return linkout_on;
}

int
hj_syscall(int num, const int64_t *args, int nargs, int64_t *retval)
{
	int error;

	if (__builtin_expect(up_state != 1, 0) &&
	    (error = hj_kernel_up()) != 0)
		return error;
	error = k.syscall(num, args, nargs, retval);
	/* A call that cannot go on on the host: the target is not here. */
	if (__builtin_expect(error == HJ_ELINKOUT, 0) && !hj_linkout_armed)
		error = ENOENT;
	return error;
}

/*
 * An embedded kernel starts serving when a child first needs it, on an
 * abstract unix socket: nothing in the file system to clean up, and the
 * name goes away with this process.
 */
static int
serve_children(void)
{
	unsigned char r[8];
	char url[160];

	if (k.sock[0] != '\0')
		return 0;
	if (k.init_server == NULL || k.prefork == NULL)
		return ENOSYS;
	if (getentropy(r, sizeof(r)) != 0)
		return errno;
	snprintf(k.sock, sizeof(k.sock), "@rumphijack-%d-%02x%02x%02x%02x%02x"
	    "%02x%02x%02x", (int)getpid(), r[0], r[1], r[2], r[3], r[4], r[5],
	    r[6], r[7]);
	snprintf(url, sizeof(url), "unix://%s", k.sock);
	return k.init_server(url);
}

pid_t
hj_kernel_fork(void)
{
	unsigned char cookie[16];
	char hex[33], url[160];
	pid_t pid;
	int error;

	if (up_state != 1)		/* no kernel yet: nothing to copy */
		return HOST(fork)();
	if (hj_remote)
		return k.client_fork();
	if ((error = serve_children()) != 0 ||
	    (error = k.prefork(cookie)) != 0) {
		errno = error;
		return -1;
	}
	if ((pid = HOST(fork)()) != 0)
		return pid;
	/* The child: its kernel is the parent's, over the socket. */
	for (int i = 0; i < 16; i++)
		snprintf(hex + 2 * i, 3, "%02x", cookie[i]);
	snprintf(url, sizeof(url), "unix://%s", k.sock);
	setenv("RUMP_SERVER", url, 1);
	setenv("RUMPCLIENT__FORKCOOKIE", hex, 1);
	up_state = 0;
	memset(&k, 0, sizeof(k));
	if ((error = hj_kernel_up()) != 0) {
		say("child lost its kernel: %s%s", strerror(error), "");
		_exit(127);
	}
	return 0;
}

/* A child that execs next (vfork, posix_spawn): a remote client's claims
 * its kernel process at its first call or in the image it execs. */
pid_t
hj_kernel_vfork(void)
{
	if (up_state == 1 && hj_remote)
		return k.client_vfork();
	return hj_kernel_fork();
}

int
hj_kernel_exec(const char *path, char *const argv[], char *const envp[])
{
	if (up_state == 1 && hj_remote && k.client_exec != NULL)
		return k.client_exec(path, argv, envp);
	return HOST(execve)(path, argv, envp);
}

/* The shim's own descriptors besides the client's sockets. */
#define NPRIVATE	64
static int privfds[NPRIVATE] = { [0 ... NPRIVATE - 1] = -1 };

bool
hj_fd_private_slow(int fd)
{
	for (int i = 0; i < NPRIVATE; i++)
		if (__atomic_load_n(&privfds[i], __ATOMIC_ACQUIRE) == fd)
			return true;
	return client_isfd != NULL && client_isfd(fd);
}

/* Records fd as the shim's and widens the range the cheap test covers. */
void
hj_fd_private_add(int fd)
{
	pthread_mutex_lock(&up_lock);
	for (int i = 0; i < NPRIVATE; i++) {
		if (privfds[i] < 0) {
			__atomic_store_n(&privfds[i], fd, __ATOMIC_RELEASE);
			break;
		}
	}
	if (hj_priv_hi == 0 || fd < hj_priv_lo)
		hj_priv_lo = fd;
	if (fd + 1 > hj_priv_hi)
		hj_priv_hi = fd + 1;
	pthread_mutex_unlock(&up_lock);
}

void
hj_fd_private_del(int fd)
{
	pthread_mutex_lock(&up_lock);
	for (int i = 0; i < NPRIVATE; i++)
		if (privfds[i] == fd)
			__atomic_store_n(&privfds[i], -1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&up_lock);
}
