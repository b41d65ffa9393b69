/*
 * rumphijack: runs a command tree on one rump kernel: a private one that
 * lives exactly as long as the command, or a rump_server's.
 *
 *   rumphijack [options] -- command [args...]
 *
 * Private (the default without RUMP_SERVER, or --private): this process
 * boots the kernel, serves it on a private unix socket (in the abstract
 * namespace, for this uid only), and runs the command with
 * LD_PRELOAD=librumphijack.so and RUMP_SERVER pointing at that socket, so
 * every process of the tree (fork, exec, pipelines, subshells) reaches the
 * same kernel.  On a server (--server URL, or an exported RUMP_SERVER):
 * the same, with RUMP_SERVER the server's; this process is a client of it
 * (librumpclient, linked in) that checks it is there and copies
 * trees in and out.  Exit status: the command's (128+N for a signal); 2
 * for a usage error (a malformed URL included); 127 when the tree cannot
 * start (no shim, no kernel, no server), 126 when the command cannot run.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>
#include <rump/rumpclient.h>

#include "cli.h"
#include "netopt.h"
#include "sp_url.h"

#define MAXCOPY	16

enum { OPT_NET = CLI_LONGONLY };

/*
 * The options, one entry each (cli.h): the short and long names, the
 * usage text and getopt's tables all come from here.
 */
static const struct cli_opt opts[] = {
	{ "server", 'S', "URL", "run the tree on that rump_server's kernel\n"
	    "(unix:///path, unix://@name, tcp://addr:port);\n"
	    "without it an exported RUMP_SERVER is used the same way" },
	{ "private", 'P', NULL, "a private kernel even if RUMP_SERVER is set\n"
	    "(the default without it); it ends with the\ncommand" },
	{ "hijack", 'H', "RUMPHIJACK", "what is routed to the kernel (default\n"
	    "path=/rump,socket=all:nolocal: sockets are\n"
	    "the kernel's, which has only loopback: the\n"
	    "command does not reach the host's network)" },
	{ "host-net", 'n', NULL, "sockets stay the host's (socket=none)" },
	{ "copy-in", 'i', "HOSTDIR:KDIR", "copy a host tree into the kernel\n"
	    "before the command" },
	{ "copy-out", 'o', "KDIR:HOSTDIR", "copy a kernel tree to the host\n"
	    "after the command" },
	{ "image", 'I', "IMAGE:KDIR[:ro]", "mount the ext2 image (a host file)"
	    "\non the kernel's KDIR (the command sees\n"
	    "/rump/KDIR), read-only with :ro; unmounted\n"
	    "(left clean) at the end; a private kernel\n"
	    "only (on a server: rump_server --disk)" },
	{ "cpus", 'c', "NCPU", "virtual CPUs (RUMP_NCPU; a private kernel)" },
	{ "memlimit", 'r', "BYTES", "the kernel's memory limit, k/m/g\n"
	    "suffixes (RUMP_MEMLIMIT; a private kernel)" },
	{ "verbose", 'v', NULL, "boot and diagnostic lines (RUMP_VERBOSE)" },
	{ "net", OPT_NET, "SPEC", "an interface of the private kernel, made\n"
	    "at start (repeatable): KIND:LINK[,ADDR/PLEN]...\n"
	    "[,gw=ADDR]...[,dns=ADDR]...[,mtu=N][,ifname=IF],\n"
	    "e.g. shmif:/tmp/bus1,10.0.0.2/24,gw=10.0.0.1 or\n"
	    "tap:tap7,10.10.0.2/24,gw=10.10.0.1,dns=10.10.0.1;\n"
	    "dns= shows the command a resolv.conf naming it" },
	{ "help", 'h', NULL, "this text, on stdout" },
	{ "version", 'V', NULL, "the version, on stdout" },
};

static struct cli cli = {
	.prog = "rumphijack",
	.synopsis = "[options] [--] command [args...]",
	.epilog = "exit status: the command's (128+N for a signal); 2: usage, "
	    "a malformed\nURL included; 127: no tree (no shim, the kernel did "
	    "not boot, the server\ncannot be reached, a copy-in failed, the "
	    "command was not found);\n126: the command cannot run.  "
	    "See rumphijack(1).\n",
	.opts = opts,
	.nopts = (int)(sizeof(opts) / sizeof(opts[0])),
};

/* A usage error with its reason: that line and the usage, exit 2. */
#define usage_why(...)	cli_usage_error(&cli, __VA_ARGS__)

/* --- copying trees between the host and the kernel ----------------------- */

struct side {
	int (*open)(const char *, int, mode_t);
	ssize_t (*read)(int, void *, size_t);
	ssize_t (*write)(int, const void *, size_t);
	int (*close)(int);
	int (*lstat)(const char *, struct stat *);
	int (*mkdir)(const char *, mode_t);
	ssize_t (*getdents)(int, void *, size_t);
	ssize_t (*readlink)(const char *, char *, size_t);
	int (*symlink)(const char *, const char *);
};

static int h_open(const char *p, int f, mode_t m) { return open(p, f, m); }
static ssize_t h_getdents(int fd, void *b, size_t n)
{ return getdents64(fd, b, n); }
static int k_open(const char *p, int f, mode_t m)
{ return rump_sys_open(p, f, m); }
static ssize_t k_getdents(int fd, void *b, size_t n)
{ return rump_sys_getdents64(fd, b, n); }

static const struct side host = { h_open, read, write, close, lstat, mkdir,
    h_getdents, readlink, symlink };
static const struct side kern = { k_open, rump_sys_read, rump_sys_write,
    rump_sys_close, rump_sys_lstat, rump_sys_mkdir, k_getdents,
    rump_sys_readlink, rump_sys_symlink };

/*
 * A server's kernel, through librumpclient linked into this program with
 * its symbols prefixed (client_ns.sh): the same functions as
 * <rump/rump_syscalls.h> declares, beside the kernel's own rump_sys_*.
 */
#define HJ_CLIENT(fn)	extern __typeof__(fn) rumphj_##fn
HJ_CLIENT(rump_sys_open);
HJ_CLIENT(rump_sys_getdents64);
HJ_CLIENT(rump_sys_read);
HJ_CLIENT(rump_sys_write);
HJ_CLIENT(rump_sys_close);
HJ_CLIENT(rump_sys_lstat);
HJ_CLIENT(rump_sys_mkdir);
HJ_CLIENT(rump_sys_readlink);
HJ_CLIENT(rump_sys_symlink);
HJ_CLIENT(rumpclient_init);

static int r_open(const char *p, int f, mode_t m)
{ return rumphj_rump_sys_open(p, f, m); }
static ssize_t r_getdents(int fd, void *b, size_t n)
{ return rumphj_rump_sys_getdents64(fd, b, n); }
static const struct side remote = { r_open, rumphj_rump_sys_read,
    rumphj_rump_sys_write, rumphj_rump_sys_close, rumphj_rump_sys_lstat,
    rumphj_rump_sys_mkdir, r_getdents, rumphj_rump_sys_readlink,
    rumphj_rump_sys_symlink };

static int
fail(const char *what, const char *path)
{
	fprintf(stderr, "rumphijack: %s %s: %s\n", what, path,
	    strerror(errno));
	return -1;
}

static int
copy_file(const struct side *from, const char *src, const struct side *to,
    const char *dst, mode_t mode)
{
	static char buf[1 << 16];
	int in, out, rv = 0;
	ssize_t n;

	if ((in = from->open(src, O_RDONLY, 0)) < 0)
		return fail("open", src);
	if ((out = to->open(dst, O_WRONLY | O_CREAT | O_TRUNC, mode)) < 0) {
		from->close(in);
		return fail("create", dst);
	}
	while ((n = from->read(in, buf, sizeof(buf))) > 0)
		for (ssize_t off = 0, w; off < n; off += w)
			if ((w = to->write(out, buf + off, (size_t)(n - off)))
			    <= 0) {
				rv = fail("write", dst);
				goto out;
			}
	if (n < 0)
		rv = fail("read", src);
out:
	from->close(in);
	if (to->close(out) != 0 && rv == 0)
		rv = fail("close", dst);
	return rv;
}

static int
copy_tree(const struct side *from, const char *src, const struct side *to,
    const char *dst)
{
	char buf[8192], s[PATH_MAX], d[PATH_MAX];
	struct stat st;
	ssize_t n;
	int fd, rv = 0;

	if (from->lstat(src, &st) != 0)
		return fail("stat", src);
	if (S_ISLNK(st.st_mode)) {
		if ((n = from->readlink(src, s, sizeof(s) - 1)) < 0)
			return fail("readlink", src);
		s[n] = '\0';
		return to->symlink(s, dst) == 0 ? 0 : fail("symlink", dst);
	}
	if (S_ISREG(st.st_mode))
		return copy_file(from, src, to, dst, st.st_mode & 07777);
	if (!S_ISDIR(st.st_mode))
		return 0;		/* devices, fifos, sockets: skipped */
	if (to->mkdir(dst, st.st_mode & 07777) != 0 && errno != EEXIST)
		return fail("mkdir", dst);
	if ((fd = from->open(src, O_RDONLY | O_DIRECTORY, 0)) < 0)
		return fail("open", src);
	while ((n = from->getdents(fd, buf, sizeof(buf))) > 0) {
		for (ssize_t off = 0; off < n;) {
			struct dirent64 *de = (struct dirent64 *)(buf + off);

			off += de->d_reclen;
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			snprintf(s, sizeof(s), "%s/%s", src, de->d_name);
			snprintf(d, sizeof(d), "%s/%s", dst, de->d_name);
			if (copy_tree(from, s, to, d) != 0)
				rv = -1;
		}
	}
	from->close(fd);
	return n < 0 ? fail("read directory", src) : rv;
}

/* A --copy-in or --copy-out argument, "A:B", and its two halves. */
struct copy {
	char *arg, *from, *to;
};

/* "A:B" into a and b. */
static int
split(char *arg, char **a, char **b)
{
	char *colon = strrchr(arg, ':');

	if (colon == NULL || colon == arg || colon[1] == '\0')
		return -1;
	*colon = '\0';
	*a = arg;
	*b = colon + 1;
	return 0;
}

/* An --image argument: IMAGE:KDIR or IMAGE:KDIR:ro. */
struct image {
	char *arg, *path, *kdir;
	bool rdonly;
	bool mounted;
};

static int
split_image(struct image *im)
{
	size_t len = strlen(im->arg);

	im->rdonly = false;
	if (len > 3 && strcmp(im->arg + len - 3, ":ro") == 0) {
		im->arg[len - 3] = '\0';
		im->rdonly = true;
	} else if (len > 3 && strcmp(im->arg + len - 3, ":rw") == 0)
		im->arg[len - 3] = '\0';
	if (split(im->arg, &im->path, &im->kdir) != 0 || im->kdir[0] != '/')
		return -1;
	return 0;
}

/* mkdir -p in the kernel. */
static int
kmkdirs(const char *path)
{
	char buf[PATH_MAX];
	size_t i;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return ENAMETOOLONG;
	for (i = 1; buf[i] != '\0'; i++) {
		if (buf[i] != '/')
			continue;
		buf[i] = '\0';
		if (rump_sys_mkdir(buf, 0755) != 0 && errno != EEXIST)
			return errno;
		buf[i] = '/';
	}
	if (rump_sys_mkdir(buf, 0755) != 0 && errno != EEXIST)
		return errno;
	return 0;
}

/* Registers image n as /dev/imageN and mounts it on its KDIR. */
static int
mount_image(struct image *im, int n)
{
	char dev[64];
	int error;

	snprintf(dev, sizeof(dev), "/dev/image%d", n);
	if ((error = rump_etfs_register(dev, im->path, RUMP_ETFS_BLK)) != 0) {
		fprintf(stderr, "rumphijack: --image %s: %s\n", im->path,
		    strerror(error));
		return -1;
	}
	if ((error = kmkdirs(im->kdir)) != 0) {
		fprintf(stderr, "rumphijack: --image: %s: %s\n", im->kdir,
		    strerror(error));
		return -1;
	}
	if (rump_sys_mount(dev, im->kdir, "ext2", im->rdonly ? MS_RDONLY : 0,
	    NULL) != 0) {
		fprintf(stderr, "rumphijack: --image %s: mount on %s: %s%s\n",
		    im->path, im->kdir, strerror(errno), errno == EINVAL ?
		    " (not ext2, or a feature it lacks: see -v)" : "");
		return -1;
	}
	im->mounted = true;
	return 0;
}

/* --- the shim next to us -------------------------------------------------- */

#define SHIM	"librumphijack.so." RUMP_SOVERSION

/* Beside us (the build tree), in our tree's libdir (an installed tree,
 * wherever it was copied: a DESTDIR), in the libdir we were built for. */
static int
find_shim(char *out, size_t len)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	if (n > 0) {
		self[n] = '\0';
		if ((slash = strrchr(self, '/')) != NULL) {
			*slash = '\0';
			if (snprintf(out, len, "%s/" SHIM, self) < (int)len &&
			    access(out, R_OK) == 0)
				return 0;
#ifdef HJ_RELLIBDIR
			if (snprintf(out, len, "%s/../" HJ_RELLIBDIR "/" SHIM,
			    self) < (int)len && access(out, R_OK) == 0)
				return 0;
#endif
		}
	}
#ifdef HJ_LIBDIR
	snprintf(out, len, "%s/" SHIM, HJ_LIBDIR);
	if (access(out, R_OK) == 0)
		return 0;
#endif
	return -1;
}

/*
 * A user other than root owns the private kernel's root directory, and
 * this process (which copies in and out) is that user in the kernel, as
 * the command's processes are (the server gives each its peer's ids).
 */
static int
own_kernel(void)
{
	unsigned u[4], g[4];
	gid_t groups[256];
	int n;

	if (geteuid() == 0)
		return 0;
	if (getresuid(&u[0], &u[1], &u[2]) != 0 ||
	    getresgid(&g[0], &g[1], &g[2]) != 0 ||
	    (n = getgroups(256, groups)) < 0)
		return errno;
	u[3] = u[1];
	g[3] = g[1];
	if (rump_sys_chown("/", u[1], g[1]) != 0)
		return errno;
	return rump_proc_setcred(u, g, n, groups);
}

/*
 * The private kernel's socket: a fresh abstract one, bound and listening
 * before the command starts, so the command's first connect() finds it
 * (the kernel's backlog holds it until someone accepts).  The kernel boots
 * in this thread while the command execs (the boot overlaps the command's
 * own start), and the socket is served (the accepting thread) only when
 * the first connection waits on it: a command that never calls the kernel
 * (true) costs no thread of ours and no boot on its path.  -1, or the
 * socket.
 */
static int
listen_private(char *url, size_t len)
{
	unsigned char rnd[8];
	struct sp_addr a;
	int fd;

	unsetenv("RUMP_SERVER");
	/* Abstract: no file to leave behind however we end; only our uid
	 * (and root) is served, checked with SO_PEERCRED. */
	if (getentropy(rnd, sizeof(rnd)) != 0)
		return -1;
	snprintf(url, len, "unix://@rumphijack-%d-%02x%02x%02x%02x"
	    "%02x%02x%02x%02x", (int)getpid(), rnd[0], rnd[1], rnd[2], rnd[3],
	    rnd[4], rnd[5], rnd[6], rnd[7]);
	if (sp_url_parse(url, &a) != 0)
		return -1;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    bind(fd, (const struct sockaddr *)&a.ss, a.len) != 0 ||
	    listen(fd, 128) != 0) {
		fprintf(stderr, "rumphijack: %s: %s\n", url, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Serves the listening socket: a thread accepts (see listen_private). */
static int
serve_private(int fd, const char *url)
{
	int error;

	if ((error = rump_init_server_fd(fd, NULL)) != 0) {
		fprintf(stderr, "rumphijack: %s: %s\n", url, strerror(error));
		close(fd);
		return -1;
	}
	return 0;
}

/*
 * Waits until the command has ended or a client waits on the listening
 * socket, whichever is first: true for a client.  Without pidfds (Linux
 * before 5.3) it cannot tell, and says a client.
 */
static bool
client_first(int lfd, pid_t pid)
{
	struct pollfd p[2] = { { .fd = -1, .events = POLLIN },
	    { .fd = lfd, .events = POLLIN } };
	bool client;
	int n;

	if ((p[0].fd = (int)syscall(SYS_pidfd_open, pid, 0)) < 0)
		return true;
	while ((n = poll(p, 2, -1)) < 0 && errno == EINTR)
		continue;
	client = n > 0 && p[0].revents == 0;
	close(p[0].fd);
	return client;
}

/* Boots the private kernel. */
static int
boot_private(void)
{
	int error;

	if ((error = rump_init()) != 0)
		fprintf(stderr, "rumphijack: rump_init: %s\n",
		    strerror(error));
	else if ((error = own_kernel()) != 0)
		fprintf(stderr, "rumphijack: the kernel's identity: %s\n",
		    strerror(error));
	return error ? -1 : 0;
}

/*
 * Connects this process to the server at url (the copies' remote side).
 * A server that cannot be reached is found here, before the command runs;
 * librumpclient says why on stderr ("cannot reach URL: ...").
 */
static int
connect_server(const char *url)
{
	setenv("RUMP_SERVER", url, 1);
	return rumphj_rumpclient_init() == 0 ? 0 : -1;
}

/*
 * Starts the command: vfork and execvp, with the exec's errno handed back
 * through the memory the child shares until it execs.  A fork would copy
 * the page tables of this process and its kernel for nothing;
 * posix_spawnp is a vfork too, but its child first sets every signal's
 * disposition (about 130 system calls on the command's path) because the
 * caller may have handlers.  This process sets none before this point,
 * and every signal stays blocked in the child until right before the
 * exec, so no handler of ours can run on the shared stack: the ones the
 * kernel library may hold (SIGSEGV/SIGBUS recovery) answer only faults,
 * which the child does not make.  Dispositions the caller left ignored
 * stay ignored, as with posix_spawn.  0, or the exec's errno.
 */
static int
start_command(char **argv, pid_t *pidp)
{
	static volatile int exec_errno;
	sigset_t all, old;
	pid_t pid;
	int error;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	exec_errno = 0;
	if ((pid = vfork()) == 0) {
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		execvp(argv[0], argv);
		exec_errno = errno;
		_exit(127);
	}
	error = pid < 0 ? errno : exec_errno;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (pid > 0 && error != 0)	/* reap the child that did not exec */
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			continue;
	*pidp = pid;
	return error;
}

/* --net dns=: the command reads the kernel's /etc/resolv.conf. */
static int
hj_route_resolv(void)
{
	const char *h = getenv("RUMPHIJACK");
	char *s;

	if (asprintf(&s, "%s,blanket=/etc/resolv.conf", h != NULL && *h !=
	    '\0' ? h : "path=/rump,socket=all:nolocal") < 0)
		return -1;
	setenv("RUMPHIJACK", s, 1);
	free(s);
	return 0;
}

/* The server's URL, checked, or NULL for a private kernel. */
static const char *
server_url(const char *opt, bool private, bool kparams)
{
	const char *url = opt, *what = "--server";
	struct sp_addr a;

	if (opt != NULL && private)
		usage_why("--server and --private exclude each other");
	if (url == NULL && !private && (url = getenv("RUMP_SERVER")) != NULL) {
		what = "RUMP_SERVER";
		if (*url == '\0')
			url = NULL;
	}
	if (url == NULL)
		return NULL;
	if (kparams)
		usage_why("-c and -r are a private kernel's parameters, and "
		    "the tree runs on the server %s (--private: a private "
		    "kernel)", url);
	switch (sp_url_parse(url, &a)) {
	case 0:
		return url;
	case ENAMETOOLONG:
		fprintf(stderr, "rumphijack: %s %s: the socket path is too "
		    "long\n", what, url);
		break;
	default:
		fprintf(stderr, "rumphijack: %s %s: not a server URL "
		    "(unix:///path, unix://@name or tcp://addr:port)\n", what,
		    url);
	}
	exit(2);
}

int
main(int argc, char **argv)
{
	struct copy copyin[MAXCOPY], copyout[MAXCOPY];
	struct image images[MAXCOPY];
	static struct netopts nets;
	int nin = 0, nout = 0, nimg = 0, ch, error, status, rv, lfd = -1;
	char shim[PATH_MAX], privurl[128], preload[2 * PATH_MAX];
	const char *old, *server = NULL, *url;
	bool hostnet = false, private = false, kparams = false;
	bool booted = false, bootfail = false;
	const struct side *ks;
	pid_t pid;

	cli_init(&cli, "+");
	while ((ch = getopt_long(argc, argv, cli.shortopts, cli.longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'c':
			setenv("RUMP_NCPU", optarg, 1);
			kparams = true;
			break;
		case 'r':
			setenv("RUMP_MEMLIMIT", optarg, 1);
			kparams = true;
			break;
		case 'v': setenv("RUMP_VERBOSE", "1", 1); break;
		case 'H': setenv("RUMPHIJACK", optarg, 1); break;
		case 'n': hostnet = true; break;
		case 'S': server = optarg; break;
		case 'P': private = true; break;
		case 'h':
			cli_help(&cli);
		case 'V':
			cli_version(&cli);
		case OPT_NET:
			if (netopt_parse(&nets, optarg, "rumphijack") != 0)
				return 1;
			break;
		case 'i':
			if (nin == MAXCOPY)
				usage_why("more than %d --copy-in", MAXCOPY);
			copyin[nin++].arg = optarg;
			break;
		case 'o':
			if (nout == MAXCOPY)
				usage_why("more than %d --copy-out", MAXCOPY);
			copyout[nout++].arg = optarg;
			break;
		case 'I':
			if (nimg == MAXCOPY)
				usage_why("more than %d --image", MAXCOPY);
			images[nimg].mounted = false;
			images[nimg++].arg = optarg;
			break;
		default:	/* getopt said which */
			usage_why(NULL);
		}
	}
	if (optind >= argc)
		usage_why("no command to run");
	/* Checked before any kernel is touched. */
	for (int i = 0; i < nin + nout; i++) {
		struct copy *c = i < nin ? &copyin[i] : &copyout[i - nin];

		if (split(c->arg, &c->from, &c->to) != 0)
			usage_why("%s: HOSTDIR:KDIR or KDIR:HOSTDIR expected",
			    c->arg);
	}
	for (int i = 0; i < nimg; i++)
		if (split_image(&images[i]) != 0)
			usage_why("%s: IMAGE:KDIR or IMAGE:KDIR:ro expected "
			    "(KDIR absolute)", images[i].arg);
	server = server_url(server, private, kparams);
	if (server != NULL && nets.n > 0)
		usage_why("%s", "--net needs a private kernel; on a server: "
		    "rump_server --net");
	if (server != NULL && nimg > 0)
		usage_why("--image needs a private kernel; on a server: "
		    "rump_server -d key=/dev/hd0,hostpath=%s and mount",
		    images[0].path);
	if (hostnet) {
		/* The last socket= item decides. */
		const char *h = getenv("RUMPHIJACK");
		char *s;

		if (h == NULL || *h == '\0')
			h = "path=/rump";
		if (asprintf(&s, "%s,socket=none", h) < 0)
			return 127;
		setenv("RUMPHIJACK", s, 1);
		free(s);
	}
	if (find_shim(shim, sizeof(shim)) != 0) {
		fprintf(stderr, "rumphijack: cannot find " SHIM "\n");
		return 127;
	}
	if (server != NULL) {
		if (connect_server(server) != 0)
			return 127;
		ks = &remote;
		url = server;
	} else {
		if ((lfd = listen_private(privurl, sizeof(privurl))) < 0)
			return 127;
		ks = &kern;
		url = privurl;
		/* Copies, images and interfaces need the kernel before the
		 * command. */
		booted = nin > 0 || nimg > 0 || nets.n > 0;
		if (booted && boot_private() != 0)
			return 127;
		if (netopt_apply(&nets, "rumphijack") != 0 ||
		    (netopt_has_dns(&nets) && hj_route_resolv() != 0)) {
			rump_halt();
			return 127;
		}
		for (int i = 0; i < nimg; i++)
			if (mount_image(&images[i], i) != 0) {
				rump_halt();
				return 127;
			}
	}
	for (int i = 0; i < nin; i++)
		if (copy_tree(&host, copyin[i].from, ks, copyin[i].to) != 0)
			return 127;

	if ((old = getenv("LD_PRELOAD")) != NULL && *old != '\0')
		snprintf(preload, sizeof(preload), "%s:%s", shim, old);
	else
		snprintf(preload, sizeof(preload), "%s", shim);
	setenv("LD_PRELOAD", preload, 1);
	setenv("RUMP_SERVER", url, 1);
	if ((error = start_command(argv + optind, &pid)) != 0) {
		fprintf(stderr, "rumphijack: %s: %s\n", argv[optind],
		    strerror(error));
		if (server == NULL)
			rump_halt();
		return error == ENOENT ? 127 : 126;
	}
	/* The command's signals are its own business. */
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	/*
	 * From here the command runs: the boot runs beside its exec, not
	 * before it, and the accepting thread starts only for a first
	 * client.  A kernel that did not boot or a socket that cannot be
	 * served is closed (connections queued on it are refused), and the
	 * tree's status is 127.
	 */
	if (server == NULL) {
		if (!booted && boot_private() != 0)
			bootfail = true;
		if (bootfail)
			close(lfd);
		else if (client_first(lfd, pid) && serve_private(lfd, url) != 0)
			bootfail = true;
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		continue;
	rv = WIFEXITED(status) ? WEXITSTATUS(status) :
	    128 + WTERMSIG(status);
	/*
	 * Nothing to copy out, no image to leave clean, no interface: the
	 * private kernel has nothing anyone will read again, so it is not
	 * stopped, synced or halted; _exit takes it with the process, and
	 * any client still connected (a background process of the tree) sees
	 * its connection end, as rump_server_shutdown would do.
	 */
	if (server == NULL && nout == 0 && nimg == 0 && nets.n == 0) {
		fflush(NULL);
		_exit(bootfail ? 127 : rv);
	}
	if (bootfail) {
		rump_server_shutdown();
		return 127;
	}
	if (server == NULL)
		rump_server_shutdown();
	for (int i = 0; i < nout; i++)
		if (copy_tree(ks, copyout[i].from, &host, copyout[i].to) != 0)
			rv = rv ? rv : 1;
	/* A server's kernel goes on: its own sync and halt are its own. */
	if (server == NULL) {
		/* Images are unmounted, so they are left clean (a mount still
		 * busy is made clean by the kernel's halt). */
		for (int i = nimg - 1; i >= 0; i--)
			if (images[i].mounted &&
			    rump_sys_umount2(images[i].kdir, 0) != 0)
				fprintf(stderr, "rumphijack: unmount %s: %s\n",
				    images[i].kdir, strerror(errno));
		rump_sys_sync();
		rump_halt();
	}
	return rv;
}
