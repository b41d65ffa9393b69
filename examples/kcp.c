/*
 * kcp: copy a file between the host and an embedded rump kernel.
 *
 *   kcp HOSTFILE            copies HOSTFILE into the kernel as /copy,
 *                           reads it back out to HOSTFILE.back, and checks
 *                           that both host files are identical.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>

/* Copies everything from one descriptor to another; each side may be the
 * host's (read/write) or the kernel's (rump_sys_read/rump_sys_write). */
static int
copy(int from, int from_kernel, int to, int to_kernel)
{
	char buf[65536];
	ssize_t n, w;

	for (;;) {
		n = from_kernel ? rump_sys_read(from, buf, sizeof(buf)) :
		    read(from, buf, sizeof(buf));
		if (n <= 0)
			return n == 0 ? 0 : -1;
		for (ssize_t off = 0; off < n; off += w) {
			w = to_kernel ? rump_sys_write(to, buf + off, n - off) :
			    write(to, buf + off, n - off);
			if (w <= 0)
				return -1;
		}
	}
}

static int
same_contents(const char *a, const char *b)
{
	FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
	int ca, cb, same = fa != NULL && fb != NULL;

	while (same) {
		ca = getc(fa);
		cb = getc(fb);
		same = ca == cb;
		if (ca == EOF)
			break;
	}
	if (fa)
		fclose(fa);
	if (fb)
		fclose(fb);
	return same;
}

int
main(int argc, char **argv)
{
	char back[4096];
	int error, hfd, kfd;

	if (argc != 2) {
		fprintf(stderr, "usage: kcp HOSTFILE\n");
		return 2;
	}
	if ((error = rump_init()) != 0) {
		fprintf(stderr, "rump_init: %s\n", strerror(error));
		return 1;
	}

	if ((hfd = open(argv[1], O_RDONLY)) == -1 ||
	    (kfd = rump_sys_open("/copy", O_CREAT | O_TRUNC | O_WRONLY, 0644)) == -1 ||
	    copy(hfd, 0, kfd, 1) == -1 || rump_sys_fsync(kfd) == -1) {
		perror("copy in");
		return 1;
	}
	close(hfd);
	rump_sys_close(kfd);

	snprintf(back, sizeof(back), "%s.back", argv[1]);
	if ((kfd = rump_sys_open("/copy", O_RDONLY, 0)) == -1 ||
	    (hfd = open(back, O_CREAT | O_TRUNC | O_WRONLY, 0644)) == -1 ||
	    copy(kfd, 1, hfd, 0) == -1) {
		perror("copy out");
		return 1;
	}
	close(hfd);
	rump_sys_close(kfd);

	if (!same_contents(argv[1], back)) {
		fprintf(stderr, "kcp: %s and %s differ\n", argv[1], back);
		return 1;
	}
	printf("kcp: %s -> kernel:/copy -> %s: identical\n", argv[1], back);
	return 0;
}
