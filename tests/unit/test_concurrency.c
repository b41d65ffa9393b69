/*
 * test_concurrency.c: several host threads in the kernel at once (run with
 * RUMP_NCPU=2): creates, renames, mkdirs, rmdirs and unlinks in one shared
 * directory must leave exactly the expected entries, and appending writers
 * on one file must neither lose nor tear records.
 *
 * Worker threads do not use cmocka assertions (not thread-safe); they
 * record their first failure and the main thread checks it.
 */
#include "compat.h"

#include <pthread.h>

#define NTHREADS	4
#define NFILES		2000
#define NRECORDS	1000
#define RECSZ		64

struct worker {
	int id;
	char dir[256];
	/* first failure */
	int err;
	int at;
	const char *op;
};

static bool
failed(struct worker *w, const char *op, int i)
{
	if (w->op == NULL) {
		w->err = errno;
		w->op = op;
		w->at = i;
	}
	return true;
}

static void
wpath(char *buf, size_t len, const struct worker *w, char kind, int i)
{
	snprintf(buf, len, "%s/%c%d_%d", w->dir, kind, w->id, i);
}

/*
 * For every i: create f<id>_<i>, rename it to r<id>_<i>, unlink it unless
 * i % 4 == 0.  Every 50th i also a directory d..., renamed to e..., removed
 * when i % 100 == 0.
 */
static void *
namespace_worker(void *arg)
{
	struct worker *w = arg;
	char a[PATH_MAX], b[PATH_MAX];
	int i, fd;

	for (i = 0; i < NFILES; i++) {
		wpath(a, sizeof(a), w, 'f', i);
		wpath(b, sizeof(b), w, 'r', i);
		fd = rump_sys_open(a, O_WRONLY | O_CREAT | O_EXCL, 0644);
		if (fd == -1 && failed(w, "create", i))
			break;
		if (rump_sys_write(fd, a, strlen(a)) != (ssize_t)strlen(a) &&
		    failed(w, "write", i))
			break;
		if (rump_sys_close(fd) != 0 && failed(w, "close", i))
			break;
		if (rump_sys_rename(a, b) != 0 && failed(w, "rename", i))
			break;
		if (i % 4 != 0 && rump_sys_unlink(b) != 0 &&
		    failed(w, "unlink", i))
			break;
		if (i % 50 != 0)
			continue;
		wpath(a, sizeof(a), w, 'd', i);
		wpath(b, sizeof(b), w, 'e', i);
		if (rump_sys_mkdir(a, 0755) != 0 && failed(w, "mkdir", i))
			break;
		if (rump_sys_rename(a, b) != 0 && failed(w, "rename dir", i))
			break;
		if (i % 100 == 0 && rump_sys_rmdir(b) != 0 &&
		    failed(w, "rmdir", i))
			break;
	}
	return NULL;
}

static bool
expected_name(const char *name)
{
	char kind;
	int id, i, n;

	if (sscanf(name, "%c%d_%d%n", &kind, &id, &i, &n) != 3 ||
	    name[n] != '\0' || id < 0 || id >= NTHREADS || i < 0 || i >= NFILES)
		return false;
	if (kind == 'r')
		return i % 4 == 0;
	if (kind == 'e')
		return i % 50 == 0 && i % 100 != 0;
	return false;
}

static void
shared_directory_no_lost_entries(void **state)
{
	static struct worker w[NTHREADS];
	static unsigned char seen[2][NTHREADS][NFILES];
	pthread_t t[NTHREADS];
	char buf[4096], content[PATH_MAX];
	struct stat st;
	ssize_t n, off;
	int i, j, fd, nfiles = 0, ndirs = 0;

	(void)state;
	TEST_DIR();
	for (i = 0; i < NTHREADS; i++) {
		w[i].id = i;
		assert_true(strlen(T) < sizeof(w[i].dir));
		memcpy(w[i].dir, T, strlen(T) + 1);
		assert_int_equal(pthread_create(&t[i], NULL, namespace_worker,
		    &w[i]), 0);
	}
	for (i = 0; i < NTHREADS; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	for (i = 0; i < NTHREADS; i++)
		if (w[i].op != NULL)
			fail_msg("thread %d: %s #%d: %s", i, w[i].op, w[i].at,
			    strerror(w[i].err));

	/* Every survivor exactly once, nothing else. */
	memset(seen, 0, sizeof(seen));
	fd = (int)CHECK_OK(rump_sys_open(T, O_RDONLY | O_DIRECTORY, 0));
	while ((n = CHECK_OK(rump_sys_getdents64(fd, buf, sizeof(buf)))) > 0) {
		for (off = 0; off < n; ) {
			const char *name = buf + off + 19;
			unsigned short reclen;
			char kind;
			int id, k;

			memcpy(&reclen, buf + off + 16, sizeof(reclen));
			off += reclen;
			if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
				continue;
			if (!expected_name(name))
				fail_msg("unexpected entry \"%s\"", name);
			sscanf(name, "%c%d_%d", &kind, &id, &k);
			if (seen[kind == 'e'][id][k]++ != 0)
				fail_msg("entry \"%s\" listed twice", name);
		}
	}
	CHECK_OK(rump_sys_close(fd));
	for (i = 0; i < NTHREADS; i++) {
		for (j = 0; j < NFILES; j++) {
			char name[32];

			snprintf(name, sizeof(name), "r%d_%d", i, j);
			if (expected_name(name) != (seen[0][i][j] == 1))
				fail_msg("entry \"%s\" lost", name);
			nfiles += seen[0][i][j];
			snprintf(name, sizeof(name), "e%d_%d", i, j);
			if (expected_name(name) != (seen[1][i][j] == 1))
				fail_msg("entry \"%s\" lost", name);
			ndirs += seen[1][i][j];
		}
	}
	assert_int_equal(nfiles, NTHREADS * NFILES / 4);
	assert_int_equal(ndirs, NTHREADS * NFILES / 100);
	/* Link counts: two plus one per subdirectory; one per file. */
	assert_int_equal(stat_ok(T).st_nlink, 2 + ndirs);
	for (i = 0; i < NTHREADS; i++) {
		for (j = 0; j < NFILES; j += 4) {
			st = stat_ok(tp("r%d_%d", i, j));
			assert_int_equal(st.st_nlink, 1);
			/* Contents went with the name. */
			get_file(tp("r%d_%d", i, j), content, sizeof(content));
			assert_string_equal(content, tp("f%d_%d", i, j));
		}
	}
}

struct appender {
	int id;
	char path[PATH_MAX];
	int err;
	int at;
};

static void *
append_worker(void *arg)
{
	struct appender *a = arg;
	char rec[RECSZ + 1];
	int i, fd;

	fd = rump_sys_open(a->path, O_WRONLY | O_APPEND, 0);
	if (fd == -1) {
		a->err = errno;
		a->at = -1;
		return NULL;
	}
	for (i = 0; i < NRECORDS; i++) {
		memset(rec, 'a' + a->id, RECSZ);
		snprintf(rec, sizeof(rec), "T%d R%05d ", a->id, i);
		rec[strlen(rec)] = 'a' + a->id;
		rec[RECSZ - 1] = '\n';
		if (rump_sys_write(fd, rec, RECSZ) != RECSZ) {
			a->err = errno;
			a->at = i;
			break;
		}
	}
	rump_sys_close(fd);
	return NULL;
}

static void
appending_writers_no_torn_records(void **state)
{
	static struct appender a[NTHREADS];
	static char data[NTHREADS * NRECORDS * RECSZ + 1];
	int next[NTHREADS];
	pthread_t t[NTHREADS];
	size_t got;
	int i, id, r, k;

	(void)state;
	TEST_DIR();
	put_file(tp("log"), "");
	for (i = 0; i < NTHREADS; i++) {
		a[i].id = i;
		snprintf(a[i].path, sizeof(a[i].path), "%s", tp("log"));
		assert_int_equal(pthread_create(&t[i], NULL, append_worker,
		    &a[i]), 0);
	}
	for (i = 0; i < NTHREADS; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	for (i = 0; i < NTHREADS; i++)
		if (a[i].err != 0)
			fail_msg("appender %d at %d: %s", i, a[i].at,
			    strerror(a[i].err));
	assert_int_equal(stat_ok(tp("log")).st_size,
	    NTHREADS * NRECORDS * RECSZ);
	got = get_file(tp("log"), data, sizeof(data));
	assert_int_equal(got, NTHREADS * NRECORDS * RECSZ);
	/* Each 64-byte slot is one whole record, in each writer's order. */
	memset(next, 0, sizeof(next));
	for (k = 0; k < NTHREADS * NRECORDS; k++) {
		const char *rec = data + (size_t)k * RECSZ;
		int j;

		if (sscanf(rec, "T%d R%05d ", &id, &r) != 2 || id < 0 ||
		    id >= NTHREADS)
			fail_msg("slot %d is not a record", k);
		if (r != next[id])
			fail_msg("slot %d: writer %d record %d, expected %d",
			    k, id, r, next[id]);
		next[id]++;
		for (j = (int)strcspn(rec, " ") + 8; j < RECSZ - 1; j++)
			if (rec[j] != 'a' + id)
				fail_msg("slot %d torn at byte %d", k, j);
		if (rec[RECSZ - 1] != '\n')
			fail_msg("slot %d has no newline", k);
	}
	for (i = 0; i < NTHREADS; i++)
		assert_int_equal(next[i], NRECORDS);
}

static int
group_setup(void **state)
{
	(void)state;
	return test_kernel_init("concurrency");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(shared_directory_no_lost_entries),
		cmocka_unit_test(appending_writers_no_torn_records),
	};

	return cmocka_run_group_tests_name("concurrency", tests, group_setup,
	    NULL);
}
