/*
 * fuzz_ext2.c: the ext2 driver's on-disk parsing (superblock, group
 * descriptors, inodes, directory entries, indirect blocks, bitmaps) as a
 * fuzz target.  Each input is an image: it is written to a memfd, which
 * is registered as a kernel block device through /proc/self/fd/N, mounted
 * read-write, walked (every directory read, every name looked up and
 * stat'ed, links read, the first blocks of files read) and changed a
 * little (a file created and written, a name removed, a directory
 * renamed), then unmounted.  Any answer is fine; a crash, a sanitizer
 * report or a hang is a finding.  Seeds: small mke2fs images
 * (make_corpus_ext2.py).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int memfd = -1;

static void
walk(const char *dir, int depth, int *budget)
{
	char buf[2048], p[512], t[256];
	struct stat st;
	long got, off;
	int fd, f;

	if (depth > 4 || *budget <= 0)
		return;
	if ((fd = (int)rump_sys_open(dir, O_RDONLY | O_DIRECTORY, 0)) < 0)
		return;
	while (*budget > 0 &&
	    (got = rump_sys_getdents64(fd, buf, sizeof(buf))) > 0) {
		for (off = 0; off < got && *budget > 0; (*budget)--) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);

			off += d->d_reclen;
			if (strcmp(d->d_name, ".") == 0 ||
			    strcmp(d->d_name, "..") == 0)
				continue;
			snprintf(p, sizeof(p), "%s/%s", dir, d->d_name);
			if (rump_sys_lstat(p, &st) != 0)
				continue;
			if (S_ISDIR(st.st_mode))
				walk(p, depth + 1, budget);
			else if (S_ISLNK(st.st_mode))
				(void)rump_sys_readlink(p, t, sizeof(t));
			else if (S_ISREG(st.st_mode) &&
			    (f = (int)rump_sys_open(p, O_RDONLY, 0)) >= 0) {
				(void)rump_sys_pread64(f, t, sizeof(t), 0);
				(void)rump_sys_pread64(f, t, sizeof(t), 70000);
				rump_sys_close(f);
			}
		}
	}
	rump_sys_close(fd);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	int fd, budget = 300;

	if (memfd < 0) {
		setenv("RUMP_MEMLIMIT", "64m", 0);
		if (rump_init() != 0)
			abort();
		if ((memfd = memfd_create("fuzz_ext2", 0)) < 0)
			abort();
		rump_sys_mkdir("/mnt", 0755);
	}
	if (ftruncate(memfd, 0) != 0 ||
	    pwrite(memfd, data, size, 0) != (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
	if (rump_etfs_register("/dev/fz", path, RUMP_ETFS_BLK) != 0)
		abort();
	if (rump_sys_mount("/dev/fz", "/mnt", "ext2", 0, NULL) == 0) {
		walk("/mnt", 0, &budget);
		if ((fd = (int)rump_sys_open("/mnt/new", O_CREAT | O_WRONLY,
		    0644)) >= 0) {
			(void)rump_sys_pwrite64(fd, data, size < 3000 ? size :
			    3000, 13000);
			rump_sys_close(fd);
		}
		(void)rump_sys_mkdir("/mnt/newdir", 0755);
		(void)rump_sys_rename("/mnt/newdir", "/mnt/lost+found/moved");
		(void)rump_sys_unlink("/mnt/new");
		if (rump_sys_umount2("/mnt", 0) != 0)
			abort();	/* nothing of ours is open */
	}
	if (rump_etfs_remove("/dev/fz") != 0)
		abort();
	return 0;
}
