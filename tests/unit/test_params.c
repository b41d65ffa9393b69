/*
 * test_params.c: the RUMP_* boot parameters.  Each case runs this binary
 * again as a child ("--child": boot and exit with rump_init's result) with
 * one variable set and every other RUMP_* variable removed, and captures
 * its stderr.  A bad value must make rump_init() fail with EINVAL and name
 * the variable on stderr; good values must boot.
 */
#include "compat.h"

#include <sys/wait.h>

extern char **environ;

static const char *const rumpvars[] = {
	"RUMP_NCPU", "RUMP_MEMLIMIT", "RUMP_NVNODES", "RUMP_THREADS",
	"RUMP_VERBOSE",
};

/*
 * Runs "self --child" with NAME=VALUE (name NULL: none); returns the exit
 * status (or 1000 + signal) and the child's stderr in out.
 */
static int
run_child(const char *name, const char *value, char *out, size_t outlen)
{
	char **envp, *assign = NULL;
	size_t n = 0, i, j, got = 0;
	int p[2], status;
	ssize_t r;
	pid_t pid;

	for (i = 0; environ[i] != NULL; i++)
		continue;
	envp = calloc(i + 2, sizeof(*envp));
	assert_non_null(envp);
	for (i = 0; environ[i] != NULL; i++) {
		bool drop = false;

		for (j = 0; j < sizeof(rumpvars) / sizeof(rumpvars[0]); j++) {
			size_t len = strlen(rumpvars[j]);

			if (strncmp(environ[i], rumpvars[j], len) == 0 &&
			    environ[i][len] == '=')
				drop = true;
		}
		if (!drop)
			envp[n++] = environ[i];
	}
	if (name != NULL) {
		assert_true(asprintf(&assign, "%s=%s", name, value) > 0);
		envp[n++] = assign;
	}
	envp[n] = NULL;

	assert_int_equal(pipe(p), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char *const argv[] = { (char *)"test_params", (char *)"--child",
		    NULL };

		dup2(p[1], 2);
		close(p[0]);
		close(p[1]);
		execve("/proc/self/exe", argv, envp);
		_exit(127);
	}
	close(p[1]);
	while (got < outlen - 1 &&
	    (r = read(p[0], out + got, outlen - 1 - got)) > 0)
		got += (size_t)r;
	out[got] = '\0';
	close(p[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	free(assign);
	free(envp);
	if (WIFSIGNALED(status))
		return 1000 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

static void
bad_values_fail_with_einval(void **state)
{
	static const struct {
		const char *name, *value;
	} bad[] = {
		{ "RUMP_NCPU", "abc" },
		{ "RUMP_NCPU", "0" },
		{ "RUMP_NCPU", "-1" },
		{ "RUMP_NCPU", "2x" },
		{ "RUMP_NCPU", "99999999999999999999999" },
		{ "RUMP_MEMLIMIT", "12q" },
		{ "RUMP_MEMLIMIT", "-5" },
		{ "RUMP_MEMLIMIT", "64mb" },
		{ "RUMP_MEMLIMIT", "m" },
		{ "RUMP_NVNODES", "x" },
		{ "RUMP_NVNODES", "-3" },
		{ "RUMP_THREADS", "7" },
	};
	char out[8192];
	size_t i;
	int rv;

	(void)state;
	TEST_DIR();
	HOST_INVALID();
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		rv = run_child(bad[i].name, bad[i].value, out, sizeof(out));
		if (rv != EINVAL || strstr(out, bad[i].name) == NULL)
			fail_msg("%s=%s: exit %d (want %d), stderr \"%s\"",
			    bad[i].name, bad[i].value, rv, EINVAL, out);
	}
}

static void
good_values_boot(void **state)
{
	static const struct {
		const char *name, *value;
	} good[] = {
		{ "RUMP_NCPU", "1" },
		{ "RUMP_NCPU", "2" },
		{ "RUMP_MEMLIMIT", "64m" },
		{ "RUMP_MEMLIMIT", "1g" },
		{ "RUMP_MEMLIMIT", "100000k" },
		{ "RUMP_MEMLIMIT", "67108864" },
		{ "RUMP_NVNODES", "64" },
		{ "RUMP_NVNODES", "100000" },
		{ "RUMP_THREADS", "0" },
		{ "RUMP_THREADS", "1" },
		{ "RUMP_VERBOSE", "0" },
	};
	char out[8192];
	size_t i;
	int rv;

	(void)state;
	TEST_DIR();
	HOST_INVALID();
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		rv = run_child(good[i].name, good[i].value, out, sizeof(out));
		if (rv != 0)
			fail_msg("%s=%s: exit %d (want 0), stderr \"%s\"",
			    good[i].name, good[i].value, rv, out);
	}
	/* Without threads the network does not start, and says why. */
	assert_int_equal(run_child("RUMP_THREADS", "0", out, sizeof(out)), 0);
	if (strstr(out, "RUMP_THREADS=0") == NULL ||
	    strstr(out, "ENOSYS") == NULL)
		fail_msg("RUMP_THREADS=0 did not say the network is off: "
		    "\"%s\"", out);
}

static void
quiet_by_default_verbose_on_request(void **state)
{
	char out[65536];

	(void)state;
	TEST_DIR();
	HOST_INVALID();
	assert_int_equal(run_child(NULL, NULL, out, sizeof(out)), 0);
	if (out[0] != '\0')
		fail_msg("a quiet boot printed \"%s\"", out);
	assert_int_equal(run_child("RUMP_VERBOSE", "1", out, sizeof(out)), 0);
	/* It says which components came up. */
	if (strstr(out, "tmpfs") == NULL || strstr(out, "vfs") == NULL)
		fail_msg("verbose boot did not list components: \"%s\"", out);
}

static int
group_setup(void **state)
{
	(void)state;
	return test_kernel_init("params");
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bad_values_fail_with_einval),
		cmocka_unit_test(good_values_boot),
		cmocka_unit_test(quiet_by_default_verbose_on_request),
	};

	/* _exit: no atexit work (a sanitizer's leak report) in the child. */
	if (argc == 2 && strcmp(argv[1], "--child") == 0) {
#ifdef TEST_ON_HOST
		_exit(0);
#else
		_exit(rump_init());
#endif
	}
	return cmocka_run_group_tests_name("params", tests, group_setup, NULL);
}
