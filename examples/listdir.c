/*
 * listdir: boot an embedded rump kernel, make a directory with a few files
 * in it, and list it with getdents64, all inside the kernel.  Nothing
 * touches the host's file system.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>

/* The record getdents64 fills in; glibc does not declare it. */
struct dirent64_rec {
	unsigned long long d_ino;
	long long d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

int
main(void)
{
	static const char *names[] = { "alpha", "beta", "gamma" };
	char buf[4096], path[64];
	struct stat st;
	long n;
	int error, fd;

	if ((error = rump_init()) != 0) {
		fprintf(stderr, "rump_init: %s\n", strerror(error));
		return 1;
	}
	if (rump_sys_mkdir("/demo", 0755) == -1) {
		perror("mkdir /demo");
		return 1;
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "/demo/%s", names[i]);
		fd = rump_sys_open(path, O_CREAT | O_WRONLY, 0644);
		if (fd == -1 || rump_sys_write(fd, path, strlen(path)) == -1) {
			perror(path);
			return 1;
		}
		rump_sys_close(fd);
	}

	fd = rump_sys_open("/demo", O_RDONLY | O_DIRECTORY, 0);
	if (fd == -1) {
		perror("open /demo");
		return 1;
	}
	printf("kernel pid %d, contents of /demo:\n", (int)rump_sys_getpid());
	while ((n = rump_sys_getdents64(fd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < n;) {
			struct dirent64_rec *d = (void *)(buf + off);

			snprintf(path, sizeof(path), "/demo/%s", d->d_name);
			if (rump_sys_lstat(path, &st) == 0)
				printf("  %-6s %5lld bytes  mode %04o  inode %llu\n",
				    d->d_name, (long long)st.st_size,
				    (unsigned)(st.st_mode & 07777),
				    (unsigned long long)st.st_ino);
			off += d->d_reclen;
		}
	}
	rump_sys_close(fd);
	if (n == -1) {
		perror("getdents64");
		return 1;
	}
	/* The host has no /demo: the kernel's namespace is its own. */
	printf("host sees /demo: %s\n", stat("/demo", &st) == 0 ? "yes" : "no");
	return 0;
}
