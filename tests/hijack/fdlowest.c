/*
 * fdlowest: Linux's lowest-free-number rule across host and kernel
 * descriptors.  The shim keeps the placeholders of closed kernel
 * descriptors in a cache (hijack/hj_fd.c); whatever the program does
 * next, a new descriptor of either kind must get the number Linux gives.
 *
 *   fdlowest DIR          DIR: a kernel directory (/rump/...) or, for the
 *                         reference, a host one (../hijack.bats compares)
 *
 * Prints one line per step, "what: N", N the number the step got less the
 * lowest free one at the start (so the host's and the kernel's runs
 * print the same), or "what: errno NAME".
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <mqueue.h>
#include <pty.h>
#include <sys/epoll.h>
#include <sys/fanotify.h>
#include <sys/inotify.h>
#include <sys/pidfd.h>
#include <sys/timerfd.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *dir;
static int base;

static void
show(const char *what, int fd)
{
	if (fd < 0)
		printf("%s: errno %s\n", what, strerrorname_np(errno));
	else
		printf("%s: %d\n", what, fd - base);
	fflush(stdout);
}

/* A kernel file (DIR/name) opened read-write. */
static int
kopen(const char *name, int flags)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return open(p, O_RDWR | O_CREAT | flags, 0644);
}

static int
hopen(void)
{
	return open("/dev/null", O_RDONLY);
}

/* Open and close a kernel file: its number is now free (and cached). */
static int
kcycle(void)
{
	int k = kopen("cycle", 0);

	close(k);
	return k;
}

/*
 * A host descriptor passed over a host socket pair, received after a
 * kernel number was freed: the received one takes it.
 */
static int
passfd(const int sv[2])
{
	char c = 'x', cb[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &c, 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
	    .msg_control = cb, .msg_controllen = sizeof(cb) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
	int one = hopen(), got = -1;

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &one, sizeof(int));
	if (sendmsg(sv[1], &m, 0) != 1)
		return -1;
	close(one);
	kcycle();
	if (recvmsg(sv[0], &m, 0) != 1 || CMSG_FIRSTHDR(&m) == NULL)
		return -1;
	memcpy(&got, CMSG_DATA(CMSG_FIRSTHDR(&m)), sizeof(int));
	return got;
}

/* F_DUPFD min of a kernel descriptor; the copy stays open, or not. */
static int
kdupfd(int min, bool closecopy)
{
	int a = kopen("a", 0), b = fcntl(a, F_DUPFD, min);

	close(a);
	if (closecopy)
		close(b);
	return b;
}

/*
 * Threads opening and closing kernel files and host pipes at once: each
 * descriptor a thread gets stays its own (a cached number is never
 * handed to two, nor closed under its new owner).  The count of
 * failures, 0 on the host.
 */
static void *
churn(void *arg)
{
	long bad = 0;
	char c;
	int p[2];

	(void)arg;
	for (int i = 0; i < 1000; i++) {
		int k = kopen("churn", 0);
		struct stat st;

		if (k < 0 || fstat(k, &st) != 0 || !S_ISREG(st.st_mode))
			bad++;
		if (pipe(p) != 0 || write(p[1], "x", 1) != 1 ||
		    read(p[0], &c, 1) != 1 || c != 'x')
			bad++;
		if (close(k) != 0 || close(p[0]) != 0 || close(p[1]) != 0)
			bad++;
	}
	return (void *)bad;
}

int
main(int argc, char **argv)
{
	int k1, k2, h, p[2], sv[2], fds[20], i;
	char name[64];
	sigset_t ss;
	FILE *f;
	DIR *d;

	if (argc == 3 && strcmp(argv[1], "--exec") == 0) {
		base = atoi(argv[2]);
		show("after exec: host open", hopen());
		return 0;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: fdlowest DIR\n");
		return 2;
	}
	dir = argv[1];
	base = hopen();
	close(base);

	/* The same number again and again, kernel and host mixed. */
	k1 = kopen("a", 0);
	show("kernel open", k1);
	close(k1);
	show("kernel open after close", k1 = kopen("a", 0));
	k2 = kopen("b", 0);
	show("second kernel open", k2);
	close(k1);
	show("host open below a kernel one", h = hopen());
	close(h);
	close(k2);
	show("host open after both closed", h = hopen());
	close(h);

	/* Every way of making a host descriptor takes a freed number. */
	kcycle();
	show("pipe", pipe(p) == 0 ? p[0] : -1);
	close(p[0]);
	close(p[1]);
	kcycle();
	show("pipe2", pipe2(p, O_CLOEXEC) == 0 ? p[0] : -1);
	close(p[0]);
	close(p[1]);
	kcycle();
	show("socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0 ?
	    sv[0] : -1);
	kcycle();
	show("recvmsg SCM_RIGHTS", h = passfd(sv));
	close(h);
	close(sv[0]);
	close(sv[1]);
	/* That recvmsg's descriptor is the lowest number. */
	show("after recvmsg: host open", h = hopen());
	close(h);
	kcycle();
	show("socket", h = socket(AF_UNIX, SOCK_DGRAM, 0));
	close(h);
	kcycle();
	show("eventfd", h = eventfd(0, 0));
	close(h);
	kcycle();
	show("memfd_create", h = memfd_create("fdlowest", 0));
	close(h);
	kcycle();
	show("epoll_create1", h = epoll_create1(0));
	close(h);
	kcycle();
	sigemptyset(&ss);
	show("signalfd", h = signalfd(-1, &ss, 0));
	close(h);
	h = hopen();
	kcycle();
	show("dup of a host descriptor", k1 = dup(h));
	close(k1);
	kcycle();
	show("F_DUPFD of a host descriptor", k1 = fcntl(h, F_DUPFD, 0));
	close(k1);
	close(h);
	kcycle();
	show("timerfd_create", h = timerfd_create(CLOCK_MONOTONIC, 0));
	close(h);
	kcycle();
	show("inotify_init", h = inotify_init());
	close(h);
	kcycle();
	show("inotify_init1", h = inotify_init1(IN_CLOEXEC));
	close(h);
	kcycle();
	show("fanotify_init", h = fanotify_init(FAN_CLASS_NOTIF, O_RDONLY));
	close(h);
	kcycle();
	show("pidfd_open", h = pidfd_open(getpid(), 0));
	close(h);
	kcycle();
	show("posix_openpt", h = posix_openpt(O_RDWR | O_NOCTTY));
	close(h);
	kcycle();
	show("getpt", h = getpt());
	close(h);
	kcycle();
	show("openpty", openpty(&k1, &k2, NULL, NULL, NULL) == 0 ? k1 : -1);
	close(k1);
	close(k2);
	kcycle();
	snprintf(name, sizeof(name), "/fdlowest.%d", (int)getpid());
	show("shm_open", h = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600));
	close(h);
	shm_unlink(name);
	kcycle();
	show("mq_open", h = (int)mq_open(name, O_RDWR | O_CREAT | O_EXCL,
	    0600, NULL));
	if (h >= 0)
		mq_close(h);
	mq_unlink(name);
	kcycle();
	f = tmpfile();
	show("tmpfile", f != NULL ? fileno(f) : -1);
	fclose(f);
	kcycle();
	f = fopen("/dev/null", "r");
	show("fopen", f != NULL ? fileno(f) : -1);
	fclose(f);
	kcycle();
	d = opendir("/");
	show("opendir", d != NULL ? dirfd(d) : -1);
	closedir(d);

	/* A host descriptor closed below a free kernel number. */
	h = hopen();
	k1 = kcycle();
	close(h);
	show("kernel open after a lower host close", k1 = kopen("a", 0));
	close(k1);
	f = fopen("/dev/null", "r");
	kcycle();
	fclose(f);
	show("kernel open after fclose", k1 = kopen("a", 0));
	close(k1);
	d = opendir("/");
	kcycle();
	closedir(d);
	show("kernel open after closedir", k1 = kopen("a", 0));
	close(k1);
	h = hopen();
	k2 = hopen();
	kcycle();
	close_range((unsigned)h, (unsigned)k2, 0);
	show("kernel open after close_range", k1 = kopen("a", 0));
	close(k1);

	/* A free number answers as a closed one. */
	k1 = kcycle();
	show("F_GETFD on a closed kernel number", fcntl(k1, F_GETFD));
	show("close of a closed kernel number", close(k1));
	show("read of a closed kernel number", (int)read(k1, &i, 1));
	show("dup2 onto a closed kernel number", dup2(1, k1));
	show("kernel open after dup2 onto it", k2 = kopen("a", 0));
	close(k2);
	close(k1);

	/* Close-on-exec follows the new descriptor, not the old. */
	k1 = kopen("a", O_CLOEXEC);
	close(k1);
	k1 = kopen("a", 0);
	printf("reused without O_CLOEXEC: FD_CLOEXEC %d\n",
	    fcntl(k1, F_GETFD) & FD_CLOEXEC);
	close(k1);
	k1 = kopen("a", O_CLOEXEC);
	printf("reused with O_CLOEXEC: FD_CLOEXEC %d\n",
	    fcntl(k1, F_GETFD) & FD_CLOEXEC);
	close(k1);

	/* More free numbers than the cache holds, then host opens. */
	for (i = 0; i < 20; i++)
		fds[i] = kopen("a", 0);
	for (i = 19; i >= 0; i--)
		close(fds[i]);
	show("kernel open after 20 closed", k1 = kopen("a", 0));
	close(k1);
	for (i = 0; i < 20; i++)
		fds[i] = hopen();
	show("20th host open after 20 closed", fds[19]);
	for (i = 0; i < 20; i++)
		close(fds[i]);
	show("F_DUPFD 5 of a kernel descriptor", kdupfd(base + 5, false));
	kcycle();
	show("F_DUPFD 0 of a kernel descriptor, after", kdupfd(0, true));
	close(base + 5);

	/* Four threads at once. */
	{
		pthread_t t[4];
		long bad = 0;
		void *r;

		for (i = 0; i < 4; i++)
			pthread_create(&t[i], NULL, churn, NULL);
		for (i = 0; i < 4; i++) {
			pthread_join(t[i], &r);
			bad += (long)r;
		}
		printf("threads: %ld failures\n", bad);
		show("host open after the threads", h = hopen());
		close(h);
	}

	/* fork and exec see the number as free. */
	kcycle();
	fflush(stdout);
	if (fork() == 0) {
		show("in a forked child: host open", hopen());
		_exit(0);
	}
	wait(NULL);
	kcycle();
	fflush(stdout);
	if (fork() == 0) {
		char b[16];

		snprintf(b, sizeof(b), "%d", base);
		execl("/proc/self/exe", "fdlowest", "--exec", b, (char *)NULL);
		_exit(127);
	}
	wait(NULL);
	show("last host open", h = hopen());
	return 0;
}
