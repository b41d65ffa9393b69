/*
 * ftsp: glibc's fts_open/fts_read/fts_children/fts_set/fts_close over a
 * tree it makes in DIR, by a plain libc program that runs unmodified:
 * under librumphijack.so with DIR in the kernel (/rump/...), or on the
 * host as the reference (../hijack.bats runs both and compares).  Built
 * with _FILE_OFFSET_BITS=64 (fts64_*) like the rest of the tests; ftsp32
 * is the same source without it (fts_*).
 *
 *   ftsp DIR
 *
 * Prints each entry a walk returns: level, fts_info, the path under DIR,
 * and for files the size read through fts_accpath.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <fts.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static size_t dirlen;

static const char *
info(int i)
{
	static const char *n[] = { "?", "D", "DC", "DEFAULT", "DNR", "DOT",
	    "DP", "ERR", "F", "INIT", "NS", "NSOK", "SL", "SLNONE", "W" };

	return i >= 0 && i < (int)(sizeof(n) / sizeof(n[0])) ? n[i] : "?";
}

static int
byname(const FTSENT **a, const FTSENT **b)
{
	return strcmp((*a)->fts_name, (*b)->fts_name);
}

static void
show(const char *tag, FTSENT *e)
{
	char buf[4096];
	ssize_t n = -1;
	int fd;

	if (e->fts_info == FTS_F &&
	    (fd = open(e->fts_accpath, O_RDONLY)) >= 0) {
		n = read(fd, buf, sizeof(buf));
		close(fd);
	}
	printf("%s %d %s %s", tag, (int)e->fts_level, info(e->fts_info),
	    e->fts_path + dirlen);
	if (n >= 0)
		printf(" (%zd bytes)", n);
	if (e->fts_info == FTS_NS || e->fts_info == FTS_DNR)
		printf(" %s", strerrorname_np(e->fts_errno));
	if (e->fts_info == FTS_DC)
		printf(" cycle at %s", e->fts_cycle->fts_name);
	printf("\n");
}

static void
walk(const char *tag, char *dir, int opts, bool sets)
{
	char *roots[] = { dir, NULL };
	FTSENT *e, *c;
	FTS *f;

	if ((f = fts_open(roots, opts, byname)) == NULL) {
		printf("%s: fts_open: %s\n", tag, strerrorname_np(errno));
		return;
	}
	while ((e = fts_read(f)) != NULL) {
		show(tag, e);
		if (!sets)
			continue;
		if (strcmp(e->fts_name, "skip") == 0 && e->fts_info == FTS_D)
			fts_set(f, e, FTS_SKIP);
		if (strcmp(e->fts_name, "l") == 0 && e->fts_info == FTS_SL)
			fts_set(f, e, FTS_FOLLOW);
		if (strcmp(e->fts_name, "a") == 0 && e->fts_info == FTS_D)
			for (c = fts_children(f, 0); c != NULL;
			    c = c->fts_link)
				printf("%s   child %s %s\n", tag, c->fts_name,
				    info(c->fts_info));
	}
	printf("%s: end %s\n", tag, strerrorname_np(errno));
	fts_close(f);
}

static void
mk(const char *dir, const char *name, const char *text)
{
	char p[4200];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	if (text == NULL ? mkdir(p, 0755) != 0 : (f = fopen(p, "w")) == NULL ||
	    fputs(text, f) < 0 || fclose(f) != 0) {
		perror(p);
		exit(2);
	}
}

int
main(int argc, char **argv)
{
	char t[4096], p[4200];
	char *none[] = { (char *)"/rump/nonexistent-ftsp", NULL };
	FTS *f;
	FTSENT *e;

	if (argc != 2) {
		fprintf(stderr, "usage: ftsp DIR\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (strlen(argv[1]) > 4000)
		return 2;
	snprintf(t, sizeof(t), "%s/t", argv[1]);
	dirlen = strlen(argv[1]);
	mkdir(t, 0755);
	mk(t, "a", NULL);
	mk(t, "a/f1", "one\n");
	mk(t, "a/f2", "two two\n");
	mk(t, "a/sub", NULL);
	mk(t, "a/sub/x", "x\n");
	mk(t, "skip", NULL);
	mk(t, "skip/y", "y\n");
	mk(t, "empty", NULL);
	mk(t, "file", "file\n");
	snprintf(p, sizeof(p), "%s/l", t);
	if (symlink("a", p) != 0)
		return 2;
	snprintf(p, sizeof(p), "%s/dl", t);
	if (symlink("nowhere", p) != 0)
		return 2;
	snprintf(p, sizeof(p), "%s/a/sub/up", t);
	if (symlink("..", p) != 0)
		return 2;

	walk("phys", t, FTS_PHYSICAL, false);
	walk("logical", t, FTS_LOGICAL | FTS_NOCHDIR, false);
	walk("seedot", t, FTS_PHYSICAL | FTS_SEEDOT | FTS_NOCHDIR, false);
	walk("nostat", t, FTS_PHYSICAL | FTS_NOSTAT, false);
	walk("sets", t, FTS_PHYSICAL, true);
	/* A root that is a link: followed with FTS_COMFOLLOW. */
	snprintf(p, sizeof(p), "%s/l", t);
	walk("comfollow", p, FTS_PHYSICAL | FTS_COMFOLLOW, false);
	walk("nofollow", p, FTS_PHYSICAL, false);
	/* A root that does not exist is FTS_NS; bad options EINVAL. */
	snprintf(p, sizeof(p), "%s/missing", t);
	walk("missing", p, FTS_PHYSICAL, false);
	f = fts_open(none, 0x10000, NULL);
	printf("bad options: %s %s\n", f == NULL ? "NULL" : "walk",
	    f == NULL ? strerrorname_np(errno) : "");
	if (f != NULL)
		fts_close(f);
	/* Closing in the middle frees what is left. */
	{
		char *roots[] = { t, NULL };

		f = fts_open(roots, FTS_PHYSICAL, byname);
		for (int i = 0; f != NULL && i < 4 &&
		    (e = fts_read(f)) != NULL; i++)
			continue;
		printf("close in the middle: %d\n", f ? fts_close(f) : -1);
	}
	return 0;
}
