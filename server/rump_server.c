/*
 * rump_server: a rump kernel in a process of its own, served to clients
 * (librumpclient, the hijack) over unix:///path or tcp://addr:port.
 *
 * Service managers: a listening socket handed over in LISTEN_FDS is
 * served instead of a URL (socket activation), NOTIFY_SOCKET is told
 * READY=1 once it listens, --pidfile names the serving process.
 *
 * Halting: SIGTERM or SIGINT (or SIGHUP) stop serving, sync the file
 * systems, remove the socket and exit 0.  Without -s the server detaches
 * once it listens, so "rump_server URL && client" never races.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>

#include "cli.h"
#include "netopt.h"
#include "sp_url.h"

#define MAXLIBS		16
#define MAXDISKS	16
#define MAXUIDS		32

/*
 * The options, one entry each (cli.h): short and long names, the usage
 * text and getopt's tables come from here.  NetBSD's letters where they
 * apply.
 */
enum { OPT_PIDFILE = CLI_LONGONLY, OPT_NET };

static const struct cli_opt opts[] = {
	{ "foreground", 's', NULL, "stay in the foreground (default: detach\n"
	    "once listening)" },
	{ "verbose", 'v', NULL, "boot and diagnostic lines (RUMP_VERBOSE)" },
	{ "cpus", 'c', "NCPU", "virtual CPUs (RUMP_NCPU)" },
	{ "memlimit", 'r', "BYTES", "memory limit, k/m/g suffixes "
	    "(RUMP_MEMLIMIT)" },
	{ "load", 'l', "LIBRARY", "load a component library" },
	{ "disk", 'd', "SPEC", "a host file as a device; SPEC is\n"
	    "key=/dev/NAME,hostpath=FILE[,size=host|N]\n"
	    "[,offset=N][,type=blk|chr]" },
	{ "secret", 'k', "FILE", "shared secret file (required for tcp://\n"
	    "unless --insecure)" },
	{ "insecure", 'i', NULL, "tcp:// without a secret: anyone who\n"
	    "can connect" },
	{ "uid", 'u', "UID", "also serve this uid (unix://)" },
	{ "any-uid", 'U', NULL, "serve every uid (unix://)" },
	{ "pidfile", OPT_PIDFILE, "FILE", "write the serving process's pid "
	    "there once\nlistening; removed at halt" },
	{ "net", OPT_NET, "SPEC", "an interface made at start, repeatable:\n"
	    "KIND:LINK[,ADDR/PLEN]...[,gw=ADDR]...[,dns=ADDR]...\n"
	    "[,mtu=N][,ifname=IF], e.g. shmif:/tmp/bus1,10.0.0.2/24\n"
	    "or tap:tap7,10.10.0.2/24,gw=10.10.0.1" },
	{ "help", 'h', NULL, "this text, on stdout" },
	{ "version", 'V', NULL, "the version, on stdout" },
};

static struct cli cli = {
	.prog = "rump_server",
	.synopsis = "[options] URL",
	.epilog = "URL: unix:///path, unix://@name or tcp://addr:port "
	    "(tcp://[::1]:port)\n"
	    "socket activation: with LISTEN_PID our pid and LISTEN_FDS=1, the "
	    "listening\nsocket at descriptor 3 is served and no URL is given; "
	    "NOTIFY_SOCKET: told\nREADY=1 once listening\n"
	    "halt: kill -TERM the server; it syncs and removes its socket\n"
	    "exit status: 0 served and halted; 1 a run-time failure; 2 a "
	    "usage error.\nSee rump_server(1).\n",
	.opts = opts,
	.nopts = (int)(sizeof(opts) / sizeof(opts[0])),
};

struct disk {
	char key[PATH_MAX], host[PATH_MAX];
	uint64_t offset, size;
	enum rump_etfs_type type;
};

static int
parse_u64(const char *s, uint64_t *v)
{
	char *end;
	unsigned long long x;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	x = strtoull(s, &end, 0);
	if (errno != 0 || *end != '\0')
		return -1;
	*v = x;
	return 0;
}

/* -d key=/dev/hd0,hostpath=disk.img,size=host: NetBSD's spelling. */
static int
parse_disk(char *arg, struct disk *d)
{
	char *tok, *save = NULL;

	memset(d, 0, sizeof(*d));
	d->size = RUMP_ETFS_SIZE_ENDOFF;
	d->type = RUMP_ETFS_BLK;
	for (tok = strtok_r(arg, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');

		if (eq == NULL)
			return -1;
		*eq++ = '\0';
		if (strcmp(tok, "key") == 0 && strlen(eq) < sizeof(d->key))
			strcpy(d->key, eq);
		else if (strcmp(tok, "hostpath") == 0 &&
		    strlen(eq) < sizeof(d->host))
			strcpy(d->host, eq);
		else if (strcmp(tok, "size") == 0) {
			if (strcmp(eq, "host") != 0 && parse_u64(eq, &d->size))
				return -1;
		} else if (strcmp(tok, "offset") == 0) {
			if (parse_u64(eq, &d->offset))
				return -1;
		} else if (strcmp(tok, "type") == 0) {
			if (strcmp(eq, "blk") == 0)
				d->type = RUMP_ETFS_BLK;
			else if (strcmp(eq, "chr") == 0)
				d->type = RUMP_ETFS_CHR;
			else
				return -1;
		} else
			return -1;
	}
	return d->key[0] == '/' && d->host[0] != '\0' ? 0 : -1;
}

/*
 * Socket activation (systemd's sd_listen_fds protocol, without
 * libsystemd): LISTEN_PID is this process and LISTEN_FDS=1: descriptor 3
 * is a listening socket to serve.  -1 when none was handed over.  The
 * variables are removed so that nothing this process starts takes them.
 */
static int
inherited_socket(void)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	int fd = -1;

	if (pid != NULL && fds != NULL && atol(pid) == (long)getpid()) {
		if (strcmp(fds, "1") != 0) {
			fprintf(stderr, "rump_server: LISTEN_FDS=%s: one "
			    "socket expected\n", fds);
			exit(1);
		}
		fd = 3;
	}
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	return fd;
}

/* Readiness for a service manager (sd_notify's datagram, NOTIFY_SOCKET:
 * a path, or @name in the abstract namespace).  Best effort. */
static void
notify(const char *msg)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun;
	size_t len;
	int fd;

	if (path == NULL || (path[0] != '/' && path[0] != '@') ||
	    (len = strlen(path)) >= sizeof(sun.sun_path))
		return;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, len);
	if (path[0] == '@')
		sun.sun_path[0] = '\0';
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return;
	(void)sendto(fd, msg, strlen(msg), MSG_NOSIGNAL,
	    (struct sockaddr *)&sun,
	    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len));
	close(fd);
}

/* The pid file, written whole or not at all (a temporary, renamed). */
static int
write_pidfile(const char *path)
{
	char tmp[PATH_MAX];
	FILE *f;

	if (snprintf(tmp, sizeof(tmp), "%s.%ld", path, (long)getpid()) >=
	    (int)sizeof(tmp))
		return ENAMETOOLONG;
	if ((f = fopen(tmp, "we")) == NULL)
		return errno;
	fprintf(f, "%ld\n", (long)getpid());
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		int error = errno;

		unlink(tmp);
		return error;
	}
	return 0;
}

static void
die(const char *what, int error)
{
	fprintf(stderr, "rump_server: %s: %s\n", what, strerror(error));
	exit(1);
}

int
main(int argc, char **argv)
{
	static struct disk disks[MAXDISKS];
	struct rump_server_config cfg;
	unsigned int uids[MAXUIDS];
	const char *libs[MAXLIBS];
	int nlibs = 0, ndisks = 0, foreground = 0, ch, error, sig;
	int readyfd[2] = { -1, -1 };
	struct sp_addr addr;
	const char *pidfile = NULL;
	char msg[64];
	int lfd;
	sigset_t set;
	uint64_t u;
	char c = 0;

	memset(&cfg, 0, sizeof(cfg));
	cfg.allow_uids = uids;
	static struct netopts nets;

	cli_init(&cli, "");
	while ((ch = getopt_long(argc, argv, cli.shortopts, cli.longopts,
	    NULL)) != -1) {
		switch (ch) {
		case OPT_NET:
			if (netopt_parse(&nets, optarg, "rump_server") != 0)
				exit(1);
			break;
		case 'c':
			setenv("RUMP_NCPU", optarg, 1);
			break;
		case 'r':
			setenv("RUMP_MEMLIMIT", optarg, 1);
			break;
		case 'v':
			setenv("RUMP_VERBOSE", "1", 1);
			break;
		case 's':
			foreground = 1;
			break;
		case 'l':
			if (nlibs == MAXLIBS)
				cli_usage_error(&cli, "more than %d --load",
				    MAXLIBS);
			libs[nlibs++] = optarg;
			break;
		case 'd':
			if (ndisks == MAXDISKS)
				cli_usage_error(&cli, "more than %d --disk",
				    MAXDISKS);
			if (parse_disk(optarg, &disks[ndisks]) != 0)
				cli_usage_error(&cli, "bad -d: expected "
				    "key=/dev/NAME,hostpath=FILE[,size=host|N]"
				    "[,offset=N][,type=blk|chr]");
			ndisks++;
			break;
		case 'k':
			cfg.secret_file = optarg;
			break;
		case 'i':
			cfg.insecure = 1;
			break;
		case 'u':
			if (cfg.nallow_uids == MAXUIDS)
				cli_usage_error(&cli, "more than %d --uid",
				    MAXUIDS);
			if (parse_u64(optarg, &u) || u > UINT_MAX - 1)
				cli_usage_error(&cli, "bad uid \"%s\"",
				    optarg);
			uids[cfg.nallow_uids++] = (unsigned int)u;
			break;
		case 'U':
			cfg.allow_any_uid = 1;
			break;
		case OPT_PIDFILE:
			pidfile = optarg;
			break;
		case 'h':
			cli_help(&cli);
		case 'V':
			cli_version(&cli);
		default:	/* getopt said which */
			cli_usage_error(&cli, NULL);
		}
	}
	lfd = inherited_socket();
	if (lfd >= 0 && optind < argc)
		cli_usage_error(&cli, "a URL (%s) and an inherited socket "
		    "(LISTEN_FDS): one or the other", argv[optind]);
	if (lfd < 0 && optind == argc)
		cli_usage_error(&cli, "no URL to serve");
	if (optind < argc - 1)
		cli_usage_error(&cli, "one URL only (\"%s\" is extra)",
		    argv[optind + 1]);
	if (lfd >= 0)
		;	/* served as it is */
	else switch (sp_url_parse(argv[optind], &addr)) {
	case 0:
		break;
	case ENAMETOOLONG:
		cli_usage_error(&cli, "%s: the socket path is too long",
		    argv[optind]);
	default:
		cli_usage_error(&cli, "bad URL \"%s\" (unix:///path, "
		    "unix://@name or tcp://addr:port)", argv[optind]);
	}

	/* Detach before any thread exists; the parent waits for "ready". */
	if (!foreground) {
		pid_t pid;

		if (pipe(readyfd) != 0)
			die("pipe", errno);
		if ((pid = fork()) < 0)
			die("fork", errno);
		if (pid > 0) {
			close(readyfd[1]);
			if (read(readyfd[0], &c, 1) != 1 || c != 'R')
				exit(1);
			exit(0);
		}
		close(readyfd[0]);
		setsid();
	}

	/* Signals are taken by sigwait in the main thread only. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	for (int i = 0; i < nlibs; i++)
		if ((error = rump_module_load(libs[i])) != 0)
			die(libs[i], error);
	if ((error = rump_init()) != 0)
		die("rump_init", error);
	for (int i = 0; i < ndisks; i++)
		if ((error = rump_etfs_register_withsize(disks[i].key,
		    disks[i].host, disks[i].type, disks[i].offset,
		    disks[i].size)) != 0)
			die(disks[i].host, error);
	if (netopt_apply(&nets, "rump_server") != 0)
		exit(1);
	if ((error = lfd >= 0 ? rump_init_server_fd(lfd, &cfg) :
	    rump_init_server_config(argv[optind], &cfg)) != 0)
		exit(1);	/* it said why */
	if (pidfile != NULL && (error = write_pidfile(pidfile)) != 0) {
		rump_server_shutdown();
		die(pidfile, error);
	}
	snprintf(msg, sizeof(msg), "READY=1\nMAINPID=%ld", (long)getpid());
	notify(msg);

	if (!foreground) {
		c = 'R';
		if (write(readyfd[1], &c, 1) != 1)
			exit(1);
		close(readyfd[1]);
		/* Detached: keep no terminal or pipe of the caller open (a
		 * "$(rump_server ...)" would wait for it), except stderr
		 * when -v asked for messages. */
		if (freopen("/dev/null", "r", stdin) == NULL ||
		    freopen("/dev/null", "w", stdout) == NULL)
			exit(1);
		if (getenv("RUMP_VERBOSE") == NULL &&
		    freopen("/dev/null", "w", stderr) == NULL)
			exit(1);
	}
	if (sigwait(&set, &sig) != 0)
		sig = SIGTERM;
	if (getenv("RUMP_VERBOSE") != NULL)
		fprintf(stderr, "rump_server: %s: halting\n", strsignal(sig));
	notify("STOPPING=1");
	rump_server_shutdown();
	rump_sys_sync();
	rump_halt();
	if (pidfile != NULL)
		unlink(pidfile);
	return 0;
}
