/*
 * glibcp: glibc functions that work with glibc's internal calls (remove,
 * setmntent, ftok, tempnam, dlopen, execveat, the terminal controls,
 * sockatmark, bindresvport, eventfd_read/write, backtrace_symbols_fd),
 * on files of directory DIR; each result printed without the numbers
 * that differ between kernels (inodes, ports), so the host's output and
 * the kernel's compare.  "glibcp DIR LIB": LIB is dltestlib's .so.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <mntent.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <utmp.h>
#include <sys/ipc.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

int bindresvport(int fd, struct sockaddr_in *sin);

static void
say(const char *what, long rv)
{
	printf("%s: %ld%s%s\n", what, rv, rv < 0 ? " " : "",
	    rv < 0 ? strerror(errno) : "");
}

static void
put(const char *dir, const char *name, const char *text)
{
	char p[4096];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	if ((f = fopen(p, "w")) == NULL || fputs(text, f) < 0 ||
	    fclose(f) != 0)
		perror(p);
}

static void
paths(const char *dir)
{
	char p[4096], q[4096];
	struct mntent *me;
	FILE *f;
	char *t;

	snprintf(p, sizeof(p), "%s/file", dir);
	put(dir, "file", "x\n");
	say("remove file", remove(p));
	say("remove again", remove(p));
	snprintf(p, sizeof(p), "%s/d", dir);
	mkdir(p, 0755);
	put(p, "in", "y\n");
	say("remove non-empty dir", remove(p));
	snprintf(q, sizeof(q), "%s/d/in", dir);
	unlink(q);
	say("remove empty dir", remove(p));
	say("access after", access(p, F_OK));

	put(dir, "fstab", "/dev/hd0 /mnt ext2 rw,noatime 0 1\n"
	    "# a comment\nnone /proc proc defaults 0 0\n");
	snprintf(p, sizeof(p), "%s/fstab", dir);
	if ((f = setmntent(p, "r")) == NULL) {
		say("setmntent", -1);
	} else {
		while ((me = getmntent(f)) != NULL)
			printf("mntent: %s %s %s %s %d %d noatime=%d\n",
			    me->mnt_fsname, me->mnt_dir, me->mnt_type,
			    me->mnt_opts, me->mnt_freq, me->mnt_passno,
			    hasmntopt(me, "noatime") != NULL);
		say("endmntent", endmntent(f));
	}
	snprintf(q, sizeof(q), "%s/nosuch", dir);
	say("setmntent missing", setmntent(q, "r") ? 0 : -1);

	key_t k1 = ftok(p, 1), k1b = ftok(p, 1), k2 = ftok(p, 2);
	printf("ftok: valid %d stable %d differs by id %d id byte %d\n",
	    k1 != -1, k1 == k1b, k1 != k2, (int)((unsigned)k2 >> 24));
	say("ftok missing", ftok(q, 1));

	if ((t = tempnam(dir, "abcdefgh")) == NULL) {
		say("tempnam", -1);
	} else {
		struct stat st;

		printf("tempnam: in dir %d prefix %d length %zu exists %d\n",
		    strncmp(t, dir, strlen(dir)) == 0 && t[strlen(dir)] == '/',
		    strncmp(t + strlen(dir) + 1, "abcde", 5) == 0 &&
		    t[strlen(dir) + 6] != 'f',
		    strlen(t) - strlen(dir), lstat(t, &st) == 0);
		free(t);
	}
}

static void
dl(const char *dir, const char *lib)
{
	char p[4096], buf[65536];
	int in, out;
	ssize_t n;
	void *h, *h2;
	int (*fn)(void);

	snprintf(p, sizeof(p), "%s/libdltest.so", dir);
	if ((in = open(lib, O_RDONLY)) < 0 ||
	    (out = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0755)) < 0) {
		perror("copy");
		return;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			perror("write");
	close(in);
	close(out);
	h = dlopen(p, RTLD_NOW);
	printf("dlopen: %s\n", h ? "ok" : "failed");
	if (h == NULL)
		return;
	fn = (int (*)(void))dlsym(h, "dltest_answer");
	printf("dltest_answer: %d\n", fn ? fn() : -1);
	h2 = dlopen(p, RTLD_NOW | RTLD_NOLOAD);
	printf("dlopen again: same handle %d\n", h2 == h);
	dlclose(h2);
	dlclose(h);
	snprintf(p, sizeof(p), "%s/nosuch.so", dir);
	printf("dlopen missing: %s\n", dlopen(p, RTLD_NOW) ? "ok" : "NULL");
}

static void
descriptors(const char *dir)
{
	char p[4096];
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t al = sizeof(a);
	eventfd_t v = 0;
	void *bt[4];
	int fd, s, l, c;

	snprintf(p, sizeof(p), "%s/tty", dir);
	fd = open(p, O_RDWR | O_CREAT, 0644);
	say("tcdrain", tcdrain(fd));
	say("tcflow", tcflow(fd, TCOON));
	say("tcflush", tcflush(fd, TCIOFLUSH));
	say("tcsendbreak", tcsendbreak(fd, 0));
	say("tcgetsid", tcgetsid(fd));
	say("grantpt", grantpt(fd));
	say("unlockpt", unlockpt(fd));
	errno = 0;
	say("ptsname", ptsname(fd) == NULL ? -1 : 0);
	char pb[64];
	say("ptsname_r", ptsname_r(fd, pb, sizeof(pb)));
	sigset_t ss;
	sigemptyset(&ss);
	say("signalfd on it", signalfd(fd, &ss, 0));
	struct itimerspec its = { { 0, 0 }, { 1, 0 } };
	say("timerfd_settime", timerfd_settime(fd, 0, &its, NULL));
	say("timerfd_gettime", timerfd_gettime(fd, &its));
	fflush(stdout);
	pid_t lp = fork();
	if (lp == 0) {
		int r = login_tty(fd);
		int e = errno;
		dprintf(99, "login_tty: %d %s\n", r, strerror(e));
		_exit(0);
	}
	waitpid(lp, NULL, 0);

	/* backtrace_symbols_fd: as many lines as frames. */
	int nf = backtrace(bt, 4);
	backtrace_symbols_fd(bt, nf, fd);
	lseek(fd, 0, SEEK_SET);
	FILE *f = fdopen(dup(fd), "r");
	int lines = 0;
	for (int ch; (ch = getc(f)) != EOF;)
		lines += ch == '\n';
	fclose(f);
	printf("backtrace_symbols_fd: %d lines for %d frames\n", lines, nf);
	close(fd);

	snprintf(p, sizeof(p), "%s/fifo", dir);
	mkfifo(p, 0600);
	fd = open(p, O_RDWR);
	say("eventfd_write", eventfd_write(fd, 0x1122334455667788ULL));
	say("eventfd_read", eventfd_read(fd, &v));
	printf("value %llx\n", (unsigned long long)v);
	close(fd);

	/* A TCP connection on 127.0.0.1 (the kernel's, under the shim). */
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM, 0);
	bind(l, (struct sockaddr *)&a, sizeof(a));
	listen(l, 1);
	getsockname(l, (struct sockaddr *)&a, &al);
	c = socket(AF_INET, SOCK_STREAM, 0);
	connect(c, (struct sockaddr *)&a, sizeof(a));
	s = accept(l, NULL, NULL);
	say("sockatmark", sockatmark(s));
	close(s);
	close(c);
	close(l);

	s = socket(AF_INET, SOCK_DGRAM, 0);
	a.sin_port = 0;
	say("bindresvport", bindresvport(s, &a));
	al = sizeof(a);
	getsockname(s, (struct sockaddr *)&a, &al);
	printf("reserved port: %d\n", ntohs(a.sin_port) >= 600 &&
	    ntohs(a.sin_port) < 1024);
	a.sin_family = AF_INET6;
	say("bindresvport AF_INET6", bindresvport(s, &a));
	close(s);
}

/* execveat: relative to a directory descriptor, AT_EMPTY_PATH, nofollow. */
static void
exec_at(const char *dir)
{
	char p[4096];
	int d, st;
	pid_t pid;

	put(dir, "prog", "#!/bin/sh\necho \"ran $0 $1\" | sed 's|.*/||'\n");
	snprintf(p, sizeof(p), "%s/prog", dir);
	chmod(p, 0755);
	snprintf(p, sizeof(p), "%s/plink", dir);
	symlink("prog", p);
	d = open(dir, O_RDONLY | O_DIRECTORY);
	for (int i = 0; i < 3; i++) {
		char *argv[] = { "prog", "arg", NULL };

		fflush(stdout);
		if ((pid = fork()) == 0) {
			if (i == 0)
				execveat(d, "prog", argv, environ, 0);
			else if (i == 1)
				execveat(d, "plink", argv, environ,
				    AT_SYMLINK_NOFOLLOW);
			else
				execveat(d, "", argv, environ, AT_EMPTY_PATH);
			printf("execveat %d: %s\n", i, strerror(errno));
			_exit(1);
		}
		waitpid(pid, &st, 0);
		printf("exit %d\n", WEXITSTATUS(st));
	}
	close(d);
}

int
main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	dup2(1, 99);		/* login_tty's child reports here */
	paths(argv[1]);
	dl(argv[1], argv[2]);
	descriptors(argv[1]);
	exec_at(argv[1]);
	return 0;
}
