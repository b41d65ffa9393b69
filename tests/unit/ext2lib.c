/*
 * ext2lib.c: what the ext2 tests share (ext2lib.h): shell commands,
 * host files, images made with mke2fs, mounting them on etfs devices.
 */
#include "compat.h"

#include <sys/wait.h>

#include "ext2lib.h"

char workdir[256];
int imgno;

bool
have_e2fsprogs(void)
{
	return system("command -v mke2fs >/dev/null 2>&1 && "
	    "command -v e2fsck >/dev/null 2>&1") == 0;
}


int
run(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

void
host_put(const char *path, const void *data, size_t len, off_t off)
{
	int fd = open(path, O_WRONLY | O_CREAT, 0644);

	assert_true(fd >= 0);
	if (len > 0)
		assert_int_equal(pwrite(fd, data, len, off), (ssize_t)len);
	close(fd);
}

/* A file of len pseudo-random bytes (seeded by len). */
void
host_file(const char *path, size_t len)
{
	unsigned char *b = malloc(len + 1);
	size_t i;
	uint32_t x = (uint32_t)len * 2654435761u + 1;

	assert_non_null(b);
	for (i = 0; i < len; i++) {
		x = x * 1103515245u + 12345;
		b[i] = (unsigned char)(x >> 16);
	}
	host_put(path, b, len, 0);
	free(b);
}

/* The reference tree: every kind of node the driver reads. */
void
make_image(char *img, size_t len, const char *opts, const char *top,
    const char *size)
{
	snprintf(img, len, "%s/img%d", workdir, imgno++);
	assert_int_equal(run("mke2fs -q -F -t ext2 %s %s%s%s '%s' %s "
	    ">/dev/null 2>&1", opts, top ? "-d '" : "", top ? top : "",
	    top ? "'" : "", img, size), 0);
}

char devname_[64];
int devno;

/* Registers img as a block device and mounts it on mnt. */
int
mount_image(const char *img, const char *mnt, unsigned long flags)
{
	int error;

	snprintf(devname_, sizeof(devname_), "/dev/hdx%d", devno++);
	assert_int_equal(rump_etfs_register(devname_, img, RUMP_ETFS_BLK), 0);
	(void)rump_sys_mkdir(mnt, 0755);
	error = rump_sys_mount(devname_, mnt, "ext2", flags, NULL) == 0 ? 0 :
	    errno;
	return error;
}

void
unmount_image(const char *mnt)
{
	CHECK_OK(rump_sys_umount2(mnt, 0));
	assert_int_equal(rump_etfs_remove(devname_), 0);
}

void
fsck_clean(const char *img)
{
	if (run("e2fsck -fn '%s' >&2", img) != 0)
		fail_msg("e2fsck -fn found errors in %s", img);
	/* Unmounted cleanly: the superblock says so. */
	assert_int_equal(run("dumpe2fs -h '%s' 2>/dev/null | "
	    "grep -q '^Filesystem state: *clean$'", img), 0);
}

/* Renames, removals, truncation, directory growth and reuse. */

int
ext2_group_setup(const char *group)
{
	snprintf(workdir, sizeof(workdir), "/tmp/rumpext2.XXXXXX");
	if (mkdtemp(workdir) == NULL)
		return -1;
	return test_kernel_init(group);
}

int
ext2_group_teardown(void)
{
	if (getenv("RUMP_TEST_KEEP") == NULL)
		(void)run("rm -rf '%s'", workdir);
	return 0;
}
