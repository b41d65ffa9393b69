/*
 * test_ext2_bad.c: ext2 images the driver must not take as they are:
 * features it lacks (refused by name, or read-only only), a journal to
 * replay, no file system at all, and damaged images (bytes flipped at
 * many offsets: each is mounted, walked and written, and nothing may
 * crash or hang).  Also a file far larger than the buffer cache under a
 * small RUMP_MEMLIMIT.  Embedded only; skipped without e2fsprogs.
 */
#include "compat.h"

#include "ext2lib.h"

static void
ext2_refusals(void **state)
{
	static const struct {
		const char *opts, *want;
		bool rdonly_ok;
	} cases[] = {
		{ "-t ext4", "extent", false },
		{ "-O extent", "extent", false },
		{ "-O 64bit,extent", "64bit", false },
		{ "-O flex_bg", "flex_bg", false },
		{ "-O inline_data,ext_attr", "inline_data", false },
		{ "-O encrypt", "encrypt", false },
		{ "-O metadata_csum", "metadata_csum", false },
		{ "-O meta_bg,^resize_inode", "meta_bg", false },
		{ "-O huge_file", "huge_file", true },
		{ "-O uninit_bg", "uninit_bg", true },
		{ "-O dir_nlink", "dir_nlink", true },
	};
	char img[300], out[300];
	size_t i;
	int err;

	(void)state;
	NEED_E2FSPROGS();
	snprintf(out, sizeof(out), "%s/console", workdir);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(img, sizeof(img), "%s/feat%zu", workdir, i);
		assert_int_equal(run("mke2fs -q -F %s%s -b 1024 '%s' 8M "
		    ">/dev/null 2>&1", strncmp(cases[i].opts, "-t", 2) ?
		    "-t ext2 " : "", cases[i].opts, img), 0);
		/* The console is stderr: catch this mount's line. */
		fflush(stderr);
		int saved = dup(2), cfd = open(out, O_WRONLY | O_CREAT |
		    O_TRUNC, 0600);
		assert_true(cfd >= 0);
		dup2(cfd, 2);
		err = mount_image(img, "/mnt_feat", 0);
		dup2(saved, 2);
		close(saved);
		close(cfd);
		if (err != EINVAL)
			fail_msg("%s: mount gave %d, want EINVAL", cases[i].opts,
			    err);
		if (run("grep -q '%s' '%s'", cases[i].want, out) != 0)
			fail_msg("%s: no console line naming %s", cases[i].opts,
			    cases[i].want);
		if (cases[i].rdonly_ok) {
			CHECK_OK(rump_sys_mount(devname_, "/mnt_feat", "ext2",
			    MS_RDONLY, NULL));
			CHECK_OK(rump_sys_umount2("/mnt_feat", 0));
		} else
			assert_int_equal(rump_sys_mount(devname_, "/mnt_feat",
			    "ext2", MS_RDONLY, NULL) == 0 ? 0 : errno, EINVAL);
		assert_int_equal(rump_etfs_remove(devname_), 0);
	}
	/* A clean ext3 (a journal, nothing to replay) mounts as ext2. */
	snprintf(img, sizeof(img), "%s/ext3", workdir);
	assert_int_equal(run("mke2fs -q -F -t ext3 -b 1024 '%s' 8M "
	    ">/dev/null 2>&1", img), 0);
	assert_int_equal(mount_image(img, "/mnt_feat", 0), 0);
	put_file("/mnt_feat/x", "journal untouched");
	unmount_image("/mnt_feat");
	fsck_clean(img);
	/* One whose journal needs recovery does not. */
	assert_int_equal(run("debugfs -w -R 'feature needs_recovery' '%s' "
	    ">/dev/null 2>&1", img), 0);
	assert_int_equal(mount_image(img, "/mnt_feat", MS_RDONLY), EINVAL);
	assert_int_equal(rump_etfs_remove(devname_), 0);
	/* Not ext2 at all. */
	snprintf(img, sizeof(img), "%s/zeros", workdir);
	assert_int_equal(run("head -c 1M /dev/zero >'%s'", img), 0);
	assert_int_equal(mount_image(img, "/mnt_feat", MS_RDONLY), EINVAL);
	assert_int_equal(rump_etfs_remove(devname_), 0);
}

/* Walks a kernel tree reading everything; errors are answers. */
static int
walk(const char *k, int depth)
{
	char buf[4096], p[600];
	struct stat st;
	long got, off;
	int fd, n = 0, f;

	if (depth > 6)
		return 0;
	if ((fd = rump_sys_open(k, O_RDONLY | O_DIRECTORY, 0)) < 0)
		return 0;
	while ((got = rump_sys_getdents64(fd, buf, sizeof(buf))) > 0 &&
	    n < 2000) {
		for (off = 0; off < got; n++) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);

			off += d->d_reclen;
			if (strcmp(d->d_name, ".") == 0 ||
			    strcmp(d->d_name, "..") == 0)
				continue;
			snprintf(p, sizeof(p), "%s/%s", k, d->d_name);
			if (rump_sys_lstat(p, &st) != 0)
				continue;
			if (S_ISDIR(st.st_mode))
				n += walk(p, depth + 1);
			else if (S_ISLNK(st.st_mode))
				(void)rump_sys_readlink(p, buf, 0 + 1);
			else if (S_ISREG(st.st_mode) &&
			    (f = rump_sys_open(p, O_RDONLY, 0)) >= 0) {
				char d2[4096];
				int64_t o;

				for (o = 0; o < 1 << 20 &&
				    rump_sys_pread64(f, d2, sizeof(d2), o) > 0;
				    o += 65536)
					continue;
				rump_sys_close(f);
			}
		}
	}
	rump_sys_close(fd);
	return n;
}

/* Damaged images: mounted, walked, written; nothing may crash or hang. */
static void
ext2_corrupt_images(void **state)
{
	char tree[300], img[300], bad[300];
	unsigned char *b;
	size_t len, i;
	uint32_t x = 12345;
	int hfd, k, err, nmounted = 0;
	struct stat st;

	(void)state;
	NEED_E2FSPROGS();
	snprintf(tree, sizeof(tree), "%s/smalltree", workdir);
	assert_int_equal(run("rm -rf '%s' && mkdir -p '%s/a/b' && "
	    "seq 1 3000 >'%s/a/numbers' && ln -s a/numbers '%s/l' && "
	    "ln -s $(printf 'y%%.0s' $(seq 100)) '%s/a/longlink' && "
	    "for i in $(seq 40); do echo $i >'%s/a/b/f$i'; done",
	    tree, tree, tree, tree, tree, tree), 0);
	make_image(img, sizeof(img), "-b 1024 -I 128 -N 64", tree, "256K");
	snprintf(bad, sizeof(bad), "%s/bad", workdir);
	assert_int_equal(stat(img, &st), 0);
	len = (size_t)st.st_size;
	b = malloc(len);
	assert_non_null(b);
	/* Metadata lives in the first blocks: damage concentrates there. */
	for (k = 0; k < 1000; k++) {
		hfd = open(img, O_RDONLY);
		assert_int_equal(read(hfd, b, len), (ssize_t)len);
		close(hfd);
		for (i = 0; i < 4; i++) {
			x = x * 1103515245u + 12345;
			size_t off = (x >> 8) % (k % 2 ? 64 * 1024 : len);
			x = x * 1103515245u + 12345;
			b[off] ^= (unsigned char)(1u << ((x >> 16) & 7));
			if (k % 3 == 0)
				b[off] = (unsigned char)(x >> 24);
		}
		hfd = open(bad, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		assert_int_equal(write(hfd, b, len), (ssize_t)len);
		close(hfd);
		err = mount_image(bad, "/mnt_bad", 0);
		if (err == 0) {
			nmounted++;
			(void)walk("/mnt_bad", 0);
			(void)rump_sys_mkdir("/mnt_bad/newdir", 0755);
			(void)rump_sys_unlink("/mnt_bad/l");
			int fd = rump_sys_open("/mnt_bad/a/new", O_CREAT |
			    O_WRONLY, 0644);
			if (fd >= 0) {
				(void)rump_sys_write(fd, b, 5000);
				rump_sys_close(fd);
			}
			(void)rump_sys_rename("/mnt_bad/a/b", "/mnt_bad/b2");
			CHECK_OK(rump_sys_umount2("/mnt_bad", 0));
		}
		assert_int_equal(rump_etfs_remove(devname_), 0);
	}
	free(b);
	/* Most damage is in data or unused space: most images mount. */
	assert_true(nmounted > 30);
	/* The kernel is still fine. */
	put_file("/after-corruption", "ok");
}

/* Two directories each other's "..": walks up must end. */
static void
ext2_dotdot_cycle(void **state)
{
	char tree[300], img[300], buf[4096];

	(void)state;
	NEED_E2FSPROGS();
	snprintf(tree, sizeof(tree), "%s/cyc", workdir);
	assert_int_equal(run("rm -rf '%s' && mkdir -p '%s/a/b' '%s/x'", tree,
	    tree, tree), 0);
	make_image(img, sizeof(img), "-b 1024", tree, "4M");
	assert_int_equal(run("debugfs -w -R 'unlink /a/..' '%s' >/dev/null "
	    "2>&1 && debugfs -w -R 'link /a/b /a/..' '%s' >/dev/null 2>&1",
	    img, img), 0);
	assert_int_equal(mount_image(img, "/mnt_cyc", 0), 0);
	/* The loop check of rename meets the cycle: refused, not a hang. */
	CHECK_ERR(rump_sys_rename("/mnt_cyc/x", "/mnt_cyc/a/b/y"), EINVAL);
	CHECK_OK(rump_sys_chdir("/mnt_cyc/a/b"));
	assert_true(rump_sys_getcwd(buf, sizeof(buf)) == NULL);
	CHECK_OK(rump_sys_chdir("/"));
	unmount_image("/mnt_cyc");
}

/* A file 40 times the cache's bound, under RUMP_MEMLIMIT (meson: 16m). */
static void
ext2_big_file(void **state)
{
	static unsigned char buf[65536], got[65536];
	char img[300];
	off_t off;
	size_t i;
	int fd;

	(void)state;
	NEED_E2FSPROGS();
	make_image(img, sizeof(img), "-b 4096", NULL, "128M");
	assert_int_equal(mount_image(img, "/mnt_big", 0), 0);
	fd = (int)CHECK_OK(rump_sys_open("/mnt_big/big", O_RDWR | O_CREAT,
	    0644));
	for (off = 0; off < (80 << 20); off += sizeof(buf)) {
		for (i = 0; i < sizeof(buf); i += 8)
			memcpy(buf + i, &off, sizeof(off));
		buf[0] = (unsigned char)(off >> 16);
		assert_int_equal(rump_sys_pwrite64(fd, buf, sizeof(buf), off),
		    (ssize_t)sizeof(buf));
	}
	CHECK_OK(rump_sys_fsync(fd));
	for (off = 0; off < (80 << 20); off += 7 * (off_t)sizeof(buf)) {
		for (i = 0; i < sizeof(buf); i += 8)
			memcpy(buf + i, &off, sizeof(off));
		buf[0] = (unsigned char)(off >> 16);
		assert_int_equal(rump_sys_pread64(fd, got, sizeof(got), off),
		    (ssize_t)sizeof(got));
		assert_memory_equal(buf, got, sizeof(got));
	}
	CHECK_OK(rump_sys_close(fd));
	unmount_image("/mnt_big");
	fsck_clean(img);
}

static int
group_setup(void **state)
{
	(void)state;
	return ext2_group_setup("ext2_bad");
}

static int
group_teardown(void **state)
{
	(void)state;
	return ext2_group_teardown();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ext2_refusals),
		cmocka_unit_test(ext2_corrupt_images),
		cmocka_unit_test(ext2_dotdot_cycle),
		cmocka_unit_test(ext2_big_file),
	};

	return cmocka_run_group_tests_name("ext2_bad", tests, group_setup,
	    group_teardown);
}
