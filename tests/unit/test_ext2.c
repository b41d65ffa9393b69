/*
 * test_ext2.c: the ext2 driver on images made by the host's mke2fs.
 *
 * Each case builds a tree on the host, makes an image of it with
 * `mke2fs -d` (1 KiB and 4 KiB blocks, 128- and 256-byte inodes,
 * revision 0), registers the image as a kernel block device (etfs) and
 * mounts it; the host tree is the reference: every name, type, mode,
 * owner, size, time, link count, device number, link target and byte of
 * data must come back the same.  Then writes through the kernel, checked
 * by `e2fsck -fn` and `debugfs rdump` on the unmounted image and by a new
 * mount; renames, truncation and directory churn.  Refusals and damaged
 * images: test_ext2_bad.c.
 *
 * Embedded only (etfs is the embedder's API); skipped when mke2fs is
 * missing.
 */
#include "compat.h"

#include "ext2lib.h"

static void
make_tree(const char *top)
{
	char p[512], name[600];
	int i;

	assert_int_equal(run("rm -rf '%s' && mkdir -p '%s/sub/deeper' "
	    "'%s/many'", top, top, top), 0);
	snprintf(p, sizeof(p), "%s/empty", top);
	host_file(p, 0);
	snprintf(p, sizeof(p), "%s/small", top);
	host_file(p, 1000);
	snprintf(p, sizeof(p), "%s/sub/direct", top);
	host_file(p, 12 * 1024);
	snprintf(p, sizeof(p), "%s/sub/indirect", top);
	host_file(p, 200 * 1024 + 7);
	snprintf(p, sizeof(p), "%s/sub/deeper/double", top);
	host_file(p, 1500 * 1024 + 3);
	/* Sparse: data at 70 MiB reaches the triple-indirect tree with
	 * 1 KiB blocks. */
	snprintf(p, sizeof(p), "%s/sparse", top);
	host_put(p, "end", 3, 70 << 20);
	host_put(p, "begin", 5, 0);
	snprintf(p, sizeof(p), "%s/fastlink", top);
	assert_int_equal(symlink("sub/direct", p), 0);
	memset(name, 'x', 200);
	name[200] = '\0';
	snprintf(p, sizeof(p), "%s/slowlink", top);
	assert_int_equal(symlink(name, p), 0);
	snprintf(p, sizeof(p), "%s/hard2", top);
	snprintf(name, sizeof(name), "%s/small", top);
	assert_int_equal(link(name, p), 0);
	snprintf(p, sizeof(p), "%s/fifo", top);
	assert_int_equal(mkfifo(p, 0640), 0);
	snprintf(p, sizeof(p), "%s/setuid", top);
	host_file(p, 10);
	assert_int_equal(chmod(p, 04755), 0);
	if (geteuid() == 0) {
		snprintf(p, sizeof(p), "%s/null", top);
		assert_int_equal(mknod(p, S_IFCHR | 0666, makedev(1, 3)), 0);
		snprintf(p, sizeof(p), "%s/bigdev", top);
		assert_int_equal(mknod(p, S_IFBLK | 0600,
		    makedev(300, 70000)), 0);
		snprintf(p, sizeof(p), "%s/owned", top);
		host_file(p, 5);
		/* Owners past 16 bits live in osd2's high halves. */
		assert_int_equal(chown(p, 100000, 70001), 0);
	}
	for (i = 0; i < 150; i++) {
		snprintf(p, sizeof(p), "%s/many/file-with-a-longish-name-%03d",
		    top, i);
		host_file(p, (size_t)i);
	}
}

/* Makes an image of top (NULL: empty); returns its path in img. */
static void compare_tree(const char *h, const char *k);

static void
compare_file(const char *h, const char *k, off_t size)
{
	static char hb[65536], kb[65536];
	off_t off;
	ssize_t n, m;
	int hfd, kfd;

	hfd = open(h, O_RDONLY);
	assert_true(hfd >= 0);
	kfd = (int)CHECK_OK(rump_sys_open(k, O_RDONLY, 0));
	for (off = 0; off < size; off += n) {
		n = pread(hfd, hb, sizeof(hb), off);
		m = rump_sys_pread64(kfd, kb, sizeof(kb), off);
		assert_true(n > 0);
		assert_int_equal(m, n);
		if (memcmp(hb, kb, (size_t)n) != 0)
			fail_msg("%s differs near offset %lld", k,
			    (long long)off);
	}
	assert_int_equal(rump_sys_pread64(kfd, kb, 1, size), 0);
	close(hfd);
	CHECK_OK(rump_sys_close(kfd));
}

static void
compare_node(const char *h, const char *k)
{
	struct stat hs, ks;
	char ht[4096], kt[4096];
	ssize_t n;

	assert_int_equal(lstat(h, &hs), 0);
	if (rump_sys_lstat(k, &ks) != 0)
		fail_msg("lstat %s: %s", k, strerror(errno));
	if (hs.st_mode != ks.st_mode)
		fail_msg("%s: mode 0%o, want 0%o", k, ks.st_mode, hs.st_mode);
	assert_int_equal(ks.st_uid, hs.st_uid);
	assert_int_equal(ks.st_gid, hs.st_gid);
	assert_int_equal(ks.st_nlink, hs.st_nlink);
	assert_int_equal(ks.st_mtim.tv_sec, hs.st_mtim.tv_sec);
	if (S_ISREG(hs.st_mode) || S_ISLNK(hs.st_mode))
		assert_int_equal(ks.st_size, hs.st_size);
	if (S_ISCHR(hs.st_mode) || S_ISBLK(hs.st_mode))
		assert_int_equal(ks.st_rdev, hs.st_rdev);
	if (S_ISREG(hs.st_mode)) {
		/* Allocated space: the data and its indirect blocks; a
		 * sparse file stays sparse. */
		if (hs.st_blocks * 512 >= hs.st_size)
			assert_true(ks.st_blocks * 512 >= (hs.st_size & ~4095));
		else
			assert_true(ks.st_blocks * 512 < hs.st_size / 2);
		assert_true(ks.st_blocks * 512 <= hs.st_size + 64 * 1024);
		compare_file(h, k, hs.st_size);
	} else if (S_ISLNK(hs.st_mode)) {
		n = readlink(h, ht, sizeof(ht));
		assert_true(n > 0);
		assert_int_equal(rump_sys_readlink(k, kt, sizeof(kt)), n);
		assert_memory_equal(ht, kt, (size_t)n);
	} else if (S_ISDIR(hs.st_mode))
		compare_tree(h, k);
}

/* The names of kernel directory k, sorted in a NUL-separated list. */
static int
kernel_names(const char *k, char names[][256], int max)
{
	char buf[4096];
	int fd, n = 0;
	long got, off;

	fd = (int)CHECK_OK(rump_sys_open(k, O_RDONLY | O_DIRECTORY, 0));
	while ((got = rump_sys_getdents64(fd, buf, sizeof(buf))) > 0) {
		for (off = 0; off < got;) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);

			off += d->d_reclen;
			if (strcmp(d->d_name, ".") == 0 ||
			    strcmp(d->d_name, "..") == 0 ||
			    strcmp(d->d_name, "lost+found") == 0)
				continue;
			assert_true(n < max);
			snprintf(names[n++], 256, "%s", d->d_name);
		}
	}
	assert_int_equal(got, 0);
	CHECK_OK(rump_sys_close(fd));
	return n;
}

static int
namecmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void
compare_tree(const char *h, const char *k)
{
	static char knames[4][200][256];
	static int depth;
	char hp[1024], kp[1024];
	struct dirent *de;
	int n, hn = 0, i;
	DIR *d;

	assert_true(depth < 4);
	n = kernel_names(k, knames[depth], 200);
	qsort(knames[depth], (size_t)n, 256, namecmp);
	d = opendir(h);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		hn++;
		if (bsearch(de->d_name, knames[depth], (size_t)n, 256,
		    namecmp) == NULL)
			fail_msg("%s/%s missing in the image", k, de->d_name);
	}
	closedir(d);
	assert_int_equal(n, hn);
	depth++;
	for (i = 0; i < n; i++) {
		snprintf(hp, sizeof(hp), "%s/%s", h, knames[depth - 1][i]);
		snprintf(kp, sizeof(kp), "%s/%s", k, knames[depth - 1][i]);
		compare_node(hp, kp);
	}
	depth--;
}

static void
read_tree_with(const char *opts)
{
	char tree[300], img[300];
	off_t hole, data;
	int fd;

	NEED_E2FSPROGS();
	snprintf(tree, sizeof(tree), "%s/tree", workdir);
	make_tree(tree);
	make_image(img, sizeof(img), opts, tree, "64M");
	assert_int_equal(mount_image(img, "/mnt_rd", MS_RDONLY), 0);
	compare_tree(tree, "/mnt_rd");
	/* The sparse file's hole and its data after it. */
	fd = (int)CHECK_OK(rump_sys_open("/mnt_rd/sparse", O_RDONLY, 0));
	hole = rump_sys_lseek(fd, 0, SEEK_HOLE);
	assert_true(hole > 0 && hole <= 4096);
	data = rump_sys_lseek(fd, hole, SEEK_DATA);
	assert_true(data > (70 << 20) - 4096 && data <= 70 << 20);
	assert_int_equal(rump_sys_lseek(fd, data, SEEK_HOLE),
	    (70 << 20) + 3);
	CHECK_ERR(rump_sys_lseek(fd, (70 << 20) + 3, SEEK_DATA), ENXIO);
	CHECK_OK(rump_sys_close(fd));
	unmount_image("/mnt_rd");
	/* Nothing was written: the image is as mke2fs left it. */
	assert_int_equal(run("e2fsck -fn '%s' >/dev/null 2>&1", img), 0);
}

static void
ext2_read_1k(void **state)
{
	(void)state;
	read_tree_with("-b 1024 -I 128");
}

static void
ext2_read_4k(void **state)
{
	(void)state;
	read_tree_with("-b 4096 -I 256");
}

static void
ext2_read_2k_rev0(void **state)
{
	(void)state;
	read_tree_with("-b 2048 -r 0");
}

static void
ext2_read_nofiletype(void **state)
{
	(void)state;
	read_tree_with("-b 1024 -O ^filetype,^sparse_super,^dir_index,"
	    "^resize_inode");
}


/* Copies host tree h into kernel directory k (which exists). */
static void
copy_tree(const char *h, const char *k)
{
	static char buf[65536];
	char hp[1024], kp[1024], t[4096];
	struct timespec ts[2];
	struct dirent *de;
	struct stat st;
	ssize_t n;
	off_t off;
	int hfd, kfd;
	DIR *d;

	d = opendir(h);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(hp, sizeof(hp), "%s/%s", h, de->d_name);
		snprintf(kp, sizeof(kp), "%s/%s", k, de->d_name);
		assert_int_equal(lstat(hp, &st), 0);
		if (S_ISDIR(st.st_mode)) {
			CHECK_OK(rump_sys_mkdir(kp, st.st_mode & 07777));
			copy_tree(hp, kp);
		} else if (S_ISLNK(st.st_mode)) {
			n = readlink(hp, t, sizeof(t) - 1);
			assert_true(n > 0);
			t[n] = '\0';
			CHECK_OK(rump_sys_symlink(t, kp));
		} else if (S_ISREG(st.st_mode) && st.st_nlink > 1 &&
		    strcmp(de->d_name, "hard2") == 0) {
			snprintf(t, sizeof(t), "%s/small", k);
			CHECK_OK(rump_sys_link(t, kp));
			continue;
		} else if (S_ISREG(st.st_mode)) {
			hfd = open(hp, O_RDONLY);
			assert_true(hfd >= 0);
			kfd = (int)CHECK_OK(rump_sys_open(kp,
			    O_WRONLY | O_CREAT | O_EXCL, 0600));
			/* Holes stay holes: only the data ranges are written. */
			for (off = 0; (off = lseek(hfd, off, SEEK_DATA)) >= 0;
			    off += n) {
				n = pread(hfd, buf, sizeof(buf), off);
				assert_true(n > 0);
				assert_int_equal(rump_sys_pwrite64(kfd, buf,
				    (size_t)n, off), n);
			}
			CHECK_OK(rump_sys_ftruncate(kfd, st.st_size));
			CHECK_OK(rump_sys_close(kfd));
			close(hfd);
		} else {
			CHECK_OK(rump_sys_mknod(kp, st.st_mode, st.st_rdev));
		}
		CHECK_OK(rump_sys_fchownat(AT_FDCWD, kp, st.st_uid, st.st_gid,
		    AT_SYMLINK_NOFOLLOW));
		if (!S_ISLNK(st.st_mode))
			CHECK_OK(rump_sys_chmod(kp, st.st_mode & 07777));
		ts[0] = st.st_atim;
		ts[1] = st.st_mtim;
		CHECK_OK(rump_sys_utimensat(AT_FDCWD, kp, ts,
		    AT_SYMLINK_NOFOLLOW));
	}
	closedir(d);
	/* The directory's own times last: its entries changed them. */
	assert_int_equal(stat(h, &st), 0);
	ts[0] = st.st_atim;
	ts[1] = st.st_mtim;
	CHECK_OK(rump_sys_utimensat(AT_FDCWD, k, ts, 0));
}

static void
write_tree_with(const char *opts)
{
	char tree[300], img[300];

	NEED_E2FSPROGS();
	snprintf(tree, sizeof(tree), "%s/tree", workdir);
	make_tree(tree);
	make_image(img, sizeof(img), opts, NULL, "64M");
	assert_int_equal(mount_image(img, "/mnt_wr", 0), 0);
	copy_tree(tree, "/mnt_wr");
	compare_tree(tree, "/mnt_wr");
	unmount_image("/mnt_wr");
	if (run("e2fsck -fn '%s' >&2", img) != 0)
		fail_msg("e2fsck -fn found errors in %s", img);
	/* The host's own reader gives back the same tree (debugfs rdump
	 * skips device nodes and fifos, and its chown drops set-uid). */
	if (run("cd '%s' && rm -rf out && mkdir out && "
	    "debugfs -R 'rdump / out' '%s' >/dev/null 2>&1 && "
	    "diff -r --no-dereference -x lost+found -x fifo -x null "
	    "-x bigdev tree out >&2 && "
	    "(cd tree && find . -type f ! -name setuid -printf '%%P %%m %%U %%G %%s %%Ts\\n'; "
	    " find . ! -type f ! -type p ! -type c ! -type b -printf "
	    "'%%P %%y %%m %%U %%G\\n') | sort >a && "
	    "(cd out && find . -type f ! -name setuid -printf '%%P %%m %%U %%G %%s %%Ts\\n'; "
	    " find . ! -type f ! -path './lost+found*' -printf "
	    "'%%P %%y %%m %%U %%G\\n') | sort >b && diff a b >&2 && "
	    "debugfs -R 'stat /setuid' '%s' 2>/dev/null | "
	    "grep -q 'Mode:  04755'", workdir, img, img) != 0)
		fail_msg("debugfs rdump of %s differs from the tree", img);
	/* And what is on disk reads back the same in a new mount. */
	assert_int_equal(mount_image(img, "/mnt_wr", MS_RDONLY), 0);
	compare_tree(tree, "/mnt_wr");
	unmount_image("/mnt_wr");
}

static void
ext2_write_1k(void **state)
{
	(void)state;
	write_tree_with("-b 1024 -I 128");
}

static void
ext2_write_4k(void **state)
{
	(void)state;
	write_tree_with("-b 4096 -I 256");
}

static void
churn_with(const char *opts)
{
	char tree[300], img[300], p[300], q[300], buf[8192];
	struct stat st;
	int fd, i;

	NEED_E2FSPROGS();
	snprintf(tree, sizeof(tree), "%s/tree", workdir);
	make_tree(tree);
	make_image(img, sizeof(img), opts, tree, "64M");
	assert_int_equal(mount_image(img, "/mnt_ch", 0), 0);
	/* While mounted read-write the superblock is not clean. */
	assert_int_equal(run("dumpe2fs -h '%s' 2>/dev/null | "
	    "grep -q '^Filesystem state: *not clean$'", img), 0);

	CHECK_OK(rump_sys_rename("/mnt_ch/sub", "/mnt_ch/sub2"));
	CHECK_OK(rump_sys_rename("/mnt_ch/sub2/deeper", "/mnt_ch/many/deeper"));
	assert_int_equal(stat_ok("/mnt_ch/sub2").st_nlink, 2);
	assert_int_equal(stat_ok("/mnt_ch/many").st_nlink, 3);
	assert_int_equal(stat_ok("/mnt_ch/many/deeper/..").st_ino,
	    stat_ok("/mnt_ch/many").st_ino);
	CHECK_OK(rump_sys_stat("/mnt_ch/many/deeper/../deeper/double", &st));
	CHECK_OK(rump_sys_rename("/mnt_ch/small", "/mnt_ch/empty"));
	assert_int_equal(stat_ok("/mnt_ch/empty").st_size, 1000);
	assert_int_equal(stat_ok("/mnt_ch/hard2").st_nlink, 2);
	CHECK_OK(rump_sys_mkdir("/mnt_ch/d1", 0755));
	CHECK_OK(rump_sys_mkdir("/mnt_ch/d2", 0755));
	CHECK_OK(rump_sys_mkdir("/mnt_ch/d2/inner", 0755));
	CHECK_OK(rump_sys_rename("/mnt_ch/d1", "/mnt_ch/d2/inner"));
	CHECK_ERR(rump_sys_rmdir("/mnt_ch/d2"), ENOTEMPTY);
	assert_int_equal(stat_ok("/mnt_ch/d2").st_nlink, 3);

	/* Shrink across the indirect trees, then grow with a hole. */
	CHECK_OK(rump_sys_truncate("/mnt_ch/many/deeper/double", 5000));
	CHECK_OK(rump_sys_truncate("/mnt_ch/many/deeper/double", 3 << 20));
	fd = (int)CHECK_OK(rump_sys_open("/mnt_ch/many/deeper/double",
	    O_RDWR, 0));
	assert_int_equal(rump_sys_pread64(fd, buf, sizeof(buf), 4096),
	    (ssize_t)sizeof(buf));
	for (i = 5000 - 4096; i < (int)sizeof(buf); i++)
		assert_int_equal(buf[i], 0);
	assert_int_equal(rump_sys_pwrite64(fd, "middle", 6, 2 << 20), 6);
	CHECK_OK(rump_sys_close(fd));
	CHECK_OK(rump_sys_truncate("/mnt_ch/sparse", 0));

	/* An open file outlives its name. */
	fd = (int)CHECK_OK(rump_sys_open("/mnt_ch/sub2/indirect", O_RDONLY, 0));
	CHECK_OK(rump_sys_unlink("/mnt_ch/sub2/indirect"));
	assert_int_equal(rump_sys_pread64(fd, buf, 100, 100000), 100);
	CHECK_OK(rump_sys_close(fd));

	/* A directory over several blocks, with gaps filled again. */
	for (i = 0; i < 400; i++) {
		snprintf(p, sizeof(p), "/mnt_ch/d2/f%04d-%s", i,
		    "padding-to-make-the-entries-longer");
		put_file(p, "x");
	}
	for (i = 0; i < 400; i += 2) {
		snprintf(p, sizeof(p), "/mnt_ch/d2/f%04d-%s", i,
		    "padding-to-make-the-entries-longer");
		CHECK_OK(rump_sys_unlink(p));
	}
	for (i = 0; i < 400; i += 4) {
		snprintf(p, sizeof(p), "/mnt_ch/d2/g%04d", i);
		snprintf(q, sizeof(q), "/mnt_ch/d2/f%04d-%s", i + 1,
		    "padding-to-make-the-entries-longer");
		CHECK_OK(rump_sys_rename(q, p));
	}
	CHECK_ERR(rump_sys_stat("/mnt_ch/d2/f0001-padding-to-make-the-entries-"
	    "longer", &st), ENOENT);
	CHECK_OK(rump_sys_stat("/mnt_ch/d2/g0000", &st));
	/* All of many goes. */
	assert_int_equal(run("true"), 0);
	for (i = 0; i < 150; i++) {
		snprintf(p, sizeof(p), "/mnt_ch/many/file-with-a-longish-name-%03d",
		    i);
		CHECK_OK(rump_sys_unlink(p));
	}
	CHECK_OK(rump_sys_unlink("/mnt_ch/many/deeper/double"));
	CHECK_OK(rump_sys_rmdir("/mnt_ch/many/deeper"));
	CHECK_OK(rump_sys_rmdir("/mnt_ch/many"));
	CHECK_OK(rump_sys_unlink("/mnt_ch/slowlink"));
	CHECK_OK(rump_sys_unlink("/mnt_ch/fastlink"));
	CHECK_OK(rump_sys_symlink("/somewhere/else", "/mnt_ch/fastlink"));
	unmount_image("/mnt_ch");
	fsck_clean(img);
}

static void
ext2_churn_1k(void **state)
{
	(void)state;
	churn_with("-b 1024 -I 128");
}

static void
ext2_churn_4k(void **state)
{
	(void)state;
	churn_with("-b 4096 -I 256");
}

/* Images with features the driver does not have are refused by name. */
static int
group_setup(void **state)
{
	(void)state;
	return ext2_group_setup("ext2");
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
		cmocka_unit_test(ext2_read_1k),
		cmocka_unit_test(ext2_read_4k),
		cmocka_unit_test(ext2_read_2k_rev0),
		cmocka_unit_test(ext2_read_nofiletype),
		cmocka_unit_test(ext2_write_1k),
		cmocka_unit_test(ext2_write_4k),
		cmocka_unit_test(ext2_churn_1k),
		cmocka_unit_test(ext2_churn_4k),
	};

	return cmocka_run_group_tests_name("ext2", tests, group_setup,
	    group_teardown);
}
