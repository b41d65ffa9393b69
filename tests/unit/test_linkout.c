/*
 * test_linkout.c: absolute symbolic links that leave the kernel.  With
 * vfs.linkprefix set and RUMP_PR_LINKOUT on, a lookup that meets an
 * absolute target outside the prefix answers ELINKOUT (the hijack then
 * finishes the call on the host), at the end of a path or in its middle;
 * targets under the prefix and relative ones resolve in the kernel; a
 * final link not followed (lstat, readlink) is just a link; the setting
 * is per process and inherited by fork.  Rump only.
 */
#include "compat.h"

#ifdef TEST_ON_HOST
#include <sys/prctl.h>
#define rump_sys_prctl	prctl
#define RUMP_PR_LINKOUT	0x52554d01
#define RUMP_ELINKOUT	600
#endif

#define PREFIX	"/proc/sys/vfs/linkprefix"

static void
setup_links(void)
{
	TEST_DIR();
	put_file(tp("data"), "in the kernel");
	CHECK_OK(rump_sys_symlink("/usr/bin/host-file", tp("out")));
	CHECK_OK(rump_sys_symlink("/usr", tp("outdir")));
	{
		char target[PATH_MAX];

		snprintf(target, sizeof(target), "/rump%s", tp("data"));
		CHECK_OK(rump_sys_symlink(target, tp("in")));
	}
	CHECK_OK(rump_sys_symlink("data", tp("rel")));
	put_file(PREFIX, "/rump");
}

static void
links_leave_only_when_asked(void **state)
{
	struct stat st;
	char buf[64];

	(void)state;
	HOST_INVALID();
	setup_links();
	/* Not asked: the target is looked up in the kernel, as before. */
	CHECK_ERR(rump_sys_stat(tp("out"), &st), ENOENT);
	CHECK_OK(rump_sys_prctl(RUMP_PR_LINKOUT, 1, 0, 0, 0));
	CHECK_ERR(rump_sys_stat(tp("out"), &st), RUMP_ELINKOUT);
	CHECK_ERR(rump_sys_open(tp("out"), O_RDONLY, 0), RUMP_ELINKOUT);
	CHECK_ERR(rump_sys_stat(tp("outdir/bin"), &st), RUMP_ELINKOUT);
	CHECK_ERR(rump_sys_mkdir(tp("outdir/new"), 0755), RUMP_ELINKOUT);
	/* A final link not followed is the kernel's. */
	CHECK_OK(rump_sys_lstat(tp("out"), &st));
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(CHECK_OK(rump_sys_readlink(tp("out"), buf,
	    sizeof(buf))), strlen("/usr/bin/host-file"));
	CHECK_ERR(rump_sys_open(tp("out"), O_RDONLY | O_NOFOLLOW, 0), ELOOP);
	/* Under the prefix, or relative: in the kernel. */
	CHECK_OK(rump_sys_stat(tp("in"), &st));
	assert_true(S_ISREG(st.st_mode));
	CHECK_OK(rump_sys_stat(tp("rel"), &st));
	/* A forked process inherits it; turning it off restores lookups. */
	proc_enter();
	CHECK_ERR(rump_sys_stat(tp("out"), &st), RUMP_ELINKOUT);
	CHECK_OK(rump_sys_prctl(RUMP_PR_LINKOUT, 0, 0, 0, 0));
	CHECK_ERR(rump_sys_stat(tp("out"), &st), ENOENT);
	proc_leave();
	CHECK_ERR(rump_sys_stat(tp("out"), &st), RUMP_ELINKOUT);
	CHECK_OK(rump_sys_prctl(RUMP_PR_LINKOUT, 0, 0, 0, 0));
	/* Without a prefix nothing leaves. */
	CHECK_OK(rump_sys_prctl(RUMP_PR_LINKOUT, 1, 0, 0, 0));
	put_file(PREFIX, "\n");
	CHECK_ERR(rump_sys_stat(tp("out"), &st), ENOENT);
	CHECK_OK(rump_sys_prctl(RUMP_PR_LINKOUT, 0, 0, 0, 0));
}

static void
prctl_refusals(void **state)
{
	(void)state;
	HOST_INVALID();
	CHECK_ERR(rump_sys_prctl(RUMP_PR_LINKOUT, 2, 0, 0, 0), EINVAL);
	CHECK_ERR(rump_sys_prctl(RUMP_PR_LINKOUT, 1, 1, 0, 0), EINVAL);
	/* Linux's own options are not the kernel's to answer. */
	CHECK_ERR(rump_sys_prctl(15 /* PR_SET_NAME */, 0, 0, 0, 0), EINVAL);
}

static int
group_setup(void **state)
{
	(void)state;
	return test_kernel_init("linkout");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(links_leave_only_when_asked),
		cmocka_unit_test(prctl_refusals),
	};

	return cmocka_run_group_tests_name("linkout", tests, group_setup, NULL);
}
