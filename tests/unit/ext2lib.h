/*
 * ext2lib.h: helpers of the ext2 unit tests (test_ext2.c, test_ext2_bad.c;
 * ext2lib.c): images made by the host's mke2fs in a temporary directory,
 * registered as kernel block devices (etfs) and mounted.
 */
#ifndef TESTS_UNIT_EXT2LIB_H
#define TESTS_UNIT_EXT2LIB_H

extern char workdir[256];	/* the group's temporary directory */
extern char devname_[64];	/* the device of the last mount_image */

bool have_e2fsprogs(void);
#define NEED_E2FSPROGS() do { \
	if (!have_e2fsprogs()) { \
		fprintf(stderr, "# skip: mke2fs/e2fsck not installed\n"); \
		skip(); \
	} } while (0)
/* system(3) of a formatted command line: its exit status. */
int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void host_put(const char *path, const void *data, size_t len, off_t off);
/* A host file of len pseudo-random bytes. */
void host_file(const char *path, size_t len);
/* mke2fs -t ext2 opts [-d top] into a new image of size; path in img. */
void make_image(char *img, size_t len, const char *opts, const char *top,
    const char *size);
/* Registers img as a new block device and mounts it: 0 or the errno. */
int mount_image(const char *img, const char *mnt, unsigned long flags);
void unmount_image(const char *mnt);
/* e2fsck -fn finds nothing and the superblock says clean. */
void fsck_clean(const char *img);
int ext2_group_setup(const char *group);
int ext2_group_teardown(void);

#endif
