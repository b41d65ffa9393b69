/*
 * hj_wrap_fts.c: the fts family.  glibc's fts walks with its internal
 * lstat, opendir and fchdir, which no wrapper sees, so a walk that starts
 * at a path in the kernel (or from a kernel working directory) is redone
 * here over the shim's own stat, lstat, opendir and readdir: those route
 * each path, so a walk given host and kernel paths sees both.  A walk
 * with no kernel path goes to the host's fts untouched.
 *
 * The walk never changes directory (as with FTS_NOCHDIR, whatever the
 * options say): fts_accpath is fts_path, which is right from the working
 * directory the program had at fts_open.  Each entry owns its fts_path.
 * Entries are freed as glibc frees them: a sibling when the walk moves
 * past it, a directory's children when the walk leaves it.
 */
#include <dirent.h>
#include <fts.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hj.h"

HOST_CACHE(fts_open);
HOST_CACHE(fts_read);
HOST_CACHE(fts_children);
HOST_CACHE(fts_set);
HOST_CACHE(fts_close);
HOST_CACHE(fts64_open);
HOST_CACHE(fts64_read);
HOST_CACHE(fts64_children);
HOST_CACHE(fts64_set);
HOST_CACHE(fts64_close);

/* Our walks (the FTS is its first member); any other FTS is the host's. */
struct walk {
	FTS fts;
	FTSENT *rootparent;
	FTSENT *roots;		/* the first root, until fts_read starts */
	FTSENT *names;		/* fts_children(FTS_NAMEONLY)'s last list */
	bool started;
	struct walk *next;
};

static pthread_mutex_t walks_lock = PTHREAD_MUTEX_INITIALIZER;
static struct walk *walks;

static struct walk *
ours(FTS *sp)
{
	struct walk *w;

	pthread_mutex_lock(&walks_lock);
	for (w = walks; w != NULL && &w->fts != sp; w = w->next)
		continue;
	pthread_mutex_unlock(&walks_lock);
	return w;
}

/* An entry, its stat buffer and its name in one allocation. */
struct entbuf {
	struct stat st;
	FTSENT e;
};

static FTSENT *
ent_new(FTSENT *parent, const char *name, size_t nl, const char *path)
{
	struct entbuf *b = calloc(1, sizeof(*b) + nl + 1);
	size_t pl = strlen(path);

	if (b == NULL || (b->e.fts_path = malloc(pl + 1)) == NULL) {
		free(b);
		return NULL;
	}
	memcpy(b->e.fts_path, path, pl + 1);
	memcpy(b->e.fts_name, name, nl);
	b->e.fts_name[nl] = '\0';
	b->e.fts_namelen = (unsigned short)nl;
	b->e.fts_pathlen = (unsigned short)pl;
	b->e.fts_accpath = b->e.fts_path;
	b->e.fts_parent = parent;
	b->e.fts_level = parent != NULL ? parent->fts_level + 1 :
	    FTS_ROOTPARENTLEVEL;
	b->e.fts_statp = &b->st;
	b->e.fts_instr = FTS_NOINSTR;
	return &b->e;
}

static void
ent_free(FTSENT *e)
{
	if (e == NULL)
		return;
	free(e->fts_path);
	free((char *)e - offsetof(struct entbuf, e));
}

static void
list_free(FTSENT *e)
{
	while (e != NULL) {
		FTSENT *next = e->fts_link;

		ent_free(e);
		e = next;
	}
}

/* fts_info for e, stat'ed (following links if follow). */
static unsigned short
ent_stat(FTS *sp, FTSENT *e, bool follow)
{
	struct stat *st = e->fts_statp;
	FTSENT *a;

	e->fts_errno = 0;
	if (follow) {
		if (stat(e->fts_accpath, st) != 0) {
			int err = errno;

			if (lstat(e->fts_accpath, st) == 0) {
				errno = 0;
				return FTS_SLNONE;
			}
			e->fts_errno = err;
			memset(st, 0, sizeof(*st));
			return FTS_NS;
		}
	} else if (lstat(e->fts_accpath, st) != 0) {
		e->fts_errno = errno;
		memset(st, 0, sizeof(*st));
		return FTS_NS;
	}
	e->fts_dev = st->st_dev;
	e->fts_ino = st->st_ino;
	e->fts_nlink = st->st_nlink;
	if (S_ISDIR(st->st_mode)) {
		if (strcmp(e->fts_name, ".") == 0 ||
		    strcmp(e->fts_name, "..") == 0)
			return e->fts_level == FTS_ROOTLEVEL ? FTS_D : FTS_DOT;
		for (a = e->fts_parent; a != NULL &&
		    a->fts_level >= FTS_ROOTLEVEL; a = a->fts_parent)
			if (a->fts_dev == st->st_dev &&
			    a->fts_ino == st->st_ino) {
				e->fts_cycle = a;
				return FTS_DC;
			}
		return FTS_D;
	}
	(void)sp;
	return S_ISLNK(st->st_mode) ? FTS_SL : S_ISREG(st->st_mode) ? FTS_F :
	    FTS_DEFAULT;
}

/* Sorts the list at *head with the walk's compar (qsort, as glibc's). */
static FTSENT *
sort_list(FTS *sp, FTSENT *head, size_t n)
{
	FTSENT **a, *e;
	size_t i = 0;

	if (sp->fts_compar == NULL || n < 2 ||
	    (a = malloc(n * sizeof(*a))) == NULL)
		return head;
	for (e = head; e != NULL; e = e->fts_link)
		a[i++] = e;
	qsort(a, n, sizeof(*a), sp->fts_compar);
	for (i = 0; i + 1 < n; i++)
		a[i]->fts_link = a[i + 1];
	a[n - 1]->fts_link = NULL;
	head = a[0];
	free(a);
	return head;
}

/*
 * The children of directory cur; NULL with cur->fts_info set to FTS_DNR
 * (unreadable) or FTS_DP (empty) when reading (not nameonly).
 */
static FTSENT *
build(FTS *sp, FTSENT *cur, bool nameonly, bool reading)
{
	FTSENT *head = NULL, **tail = &head, *e;
	size_t n = 0, pl = strlen(cur->fts_path);
	struct dirent64 *d;
	char *path;
	DIR *dir;

	if ((dir = opendir(cur->fts_accpath)) == NULL) {
		if (reading) {
			cur->fts_info = FTS_DNR;
			cur->fts_errno = errno;
		}
		return NULL;
	}
	while ((d = readdir64(dir)) != NULL) {
		size_t nl = strlen(d->d_name);

		if (!(sp->fts_options & FTS_SEEDOT) && (strcmp(d->d_name,
		    ".") == 0 || strcmp(d->d_name, "..") == 0))
			continue;
		if ((path = malloc(pl + nl + 2)) == NULL)
			goto fail;
		memcpy(path, cur->fts_path, pl);
		/* "/" and "dir/" take no second slash. */
		path[pl] = '/';
		memcpy(path + pl + (pl > 0 && cur->fts_path[pl - 1] == '/' ?
		    0 : 1), d->d_name, nl + 1);
		e = ent_new(cur, d->d_name, nl, path);
		free(path);
		if (e == NULL)
			goto fail;
		if (nameonly || ((sp->fts_options & FTS_NOSTAT) &&
		    d->d_type != DT_DIR && d->d_type != DT_UNKNOWN)) {
			e->fts_info = FTS_NSOK;
		} else {
			e->fts_info = ent_stat(sp, e,
			    (sp->fts_options & FTS_LOGICAL) != 0);
		}
		*tail = e;
		tail = &e->fts_link;
		n++;
	}
	closedir(dir);
	if (n == 0 && reading)
		cur->fts_info = FTS_DP;
	return sort_list(sp, head, n);
fail:
	closedir(dir);
	list_free(head);
	sp->fts_options |= FTS_STOP;
	return NULL;
}

static bool
routed(const char *path)
{
	char kb[PATH_MAX];
	const char *kp;
	int kd;

	return path != NULL && path[0] != '\0' &&
	    hj_route(AT_FDCWD, path, kb, sizeof(kb), &kd, &kp) == HJ_KERNEL;
}

static FTS *
k_open(char *const *argv, int options,
    int (*compar)(const FTSENT **, const FTSENT **))
{
	struct walk *w = calloc(1, sizeof(*w));
	FTSENT *head = NULL, **tail = &head, *e;
	size_t n = 0;

	if (w == NULL)
		return NULL;
	w->fts.fts_options = options;
	w->fts.fts_compar = (int (*)(const void *, const void *))compar;
	if ((w->rootparent = ent_new(NULL, "", 0, "")) == NULL)
		goto fail;
	w->rootparent->fts_info = FTS_INIT;
	for (; *argv != NULL; argv++) {
		size_t len = strlen(*argv);

		if (len == 0) {
			errno = ENOENT;
			goto fail;
		}
		if ((e = ent_new(w->rootparent, *argv, len, *argv)) == NULL)
			goto fail;
		e->fts_info = ent_stat(&w->fts, e, (options &
		    (FTS_LOGICAL | FTS_COMFOLLOW)) != 0);
		*tail = e;
		tail = &e->fts_link;
		n++;
	}
	w->roots = sort_list(&w->fts, head, n);
	pthread_mutex_lock(&walks_lock);
	w->next = walks;
	walks = w;
	pthread_mutex_unlock(&walks_lock);
	return &w->fts;
fail:
	list_free(head);
	ent_free(w->rootparent);
	free(w);
	return NULL;
}

static FTSENT *
k_read(struct walk *w)
{
	FTS *sp = &w->fts;
	FTSENT *p = sp->fts_cur, *tmp;
	int instr;

	if (sp->fts_options & FTS_STOP)
		return NULL;
	list_free(w->names);
	w->names = NULL;
	if (!w->started) {
		w->started = true;
		p = w->roots;
		w->roots = NULL;	/* now the walk's (fts_cur) */
		if (p == NULL) {
			errno = 0;
			return NULL;
		}
		sp->fts_cur = p;
		goto checkroot;
	}
	if (p == NULL)
		return NULL;
	instr = p->fts_instr;
	p->fts_instr = FTS_NOINSTR;
	if (instr == FTS_AGAIN) {
		p->fts_info = ent_stat(sp, p, (sp->fts_options & FTS_LOGICAL) ||
		    (p->fts_level == FTS_ROOTLEVEL &&
		    (sp->fts_options & FTS_COMFOLLOW)));
		return p;
	}
	if (instr == FTS_FOLLOW &&
	    (p->fts_info == FTS_SL || p->fts_info == FTS_SLNONE)) {
		p->fts_info = ent_stat(sp, p, true);
		return p;
	}
	if (p->fts_info == FTS_D) {
		if (instr == FTS_SKIP || ((sp->fts_options & FTS_XDEV) &&
		    p->fts_dev != sp->fts_dev)) {
			list_free(sp->fts_child);
			sp->fts_child = NULL;
			p->fts_info = FTS_DP;
			return p;
		}
		if (sp->fts_child == NULL && (sp->fts_child = build(sp, p,
		    false, true)) == NULL) {
			if (sp->fts_options & FTS_STOP)
				return NULL;
			return p;	/* FTS_DNR or FTS_DP (empty) */
		}
		p = sp->fts_child;
		sp->fts_child = NULL;
		sp->fts_cur = p;
		goto got;
	}
next:
	tmp = p;
	if ((p = p->fts_link) != NULL) {
		ent_free(tmp);
		sp->fts_cur = p;
		if (p->fts_level == FTS_ROOTLEVEL)
			goto checkroot;
		if (p->fts_instr == FTS_SKIP)
			goto next;
		goto got;
	}
	p = tmp->fts_parent;
	ent_free(tmp);
	sp->fts_cur = p;
	if (p->fts_level == FTS_ROOTPARENTLEVEL) {
		sp->fts_cur = NULL;
		errno = 0;
		return NULL;
	}
	p->fts_info = p->fts_errno != 0 ? FTS_ERR : FTS_DP;
	return p;
checkroot:
	sp->fts_dev = p->fts_dev;
got:
	if (p->fts_instr == FTS_FOLLOW &&
	    (p->fts_info == FTS_SL || p->fts_info == FTS_SLNONE)) {
		p->fts_instr = FTS_NOINSTR;
		p->fts_info = ent_stat(sp, p, true);
	}
	return p;
}

static FTSENT *
k_children(struct walk *w, int instr)
{
	FTS *sp = &w->fts;
	FTSENT *p = sp->fts_cur;

	if (instr != 0 && instr != FTS_NAMEONLY) {
		errno = EINVAL;
		return NULL;
	}
	errno = 0;
	if (!w->started)
		return w->roots;
	if (p == NULL || p->fts_info != FTS_D)
		return NULL;
	list_free(sp->fts_child);
	sp->fts_child = NULL;
	list_free(w->names);
	w->names = NULL;
	/* Names only: fts_read must stat them, so it builds again; the list
	 * is kept until the next call. */
	if (instr == FTS_NAMEONLY)
		return w->names = build(sp, p, true, false);
	return sp->fts_child = build(sp, p, false, false);
}

static int
k_close(struct walk *w)
{
	struct walk **pp;
	FTSENT *p, *f;

	pthread_mutex_lock(&walks_lock);
	for (pp = &walks; *pp != w; pp = &(*pp)->next)
		continue;
	*pp = w->next;
	pthread_mutex_unlock(&walks_lock);
	list_free(w->fts.fts_child);
	list_free(w->names);
	list_free(w->roots);	/* not started: the roots */
	for (p = w->fts.fts_cur; p != NULL && p->fts_level >= FTS_ROOTLEVEL;) {
		f = p;
		p = p->fts_link != NULL ? p->fts_link : p->fts_parent;
		ent_free(f);
	}
	ent_free(w->rootparent);
	free(w);
	return 0;
}

static bool
k_wanted(char *const *argv)
{
	if (argv == NULL)
		return false;
	for (; *argv != NULL; argv++)
		if (routed(*argv))
			return true;
	return false;
}

HJ_EXPORT FTS *
fts_open(char *const *argv, int options,
    int (*compar)(const FTSENT **, const FTSENT **))
{
	if (!k_wanted(argv))
		return HOST(fts_open)(argv, options, compar);
	if ((options & ~FTS_OPTIONMASK) != 0) {
		errno = EINVAL;
		return NULL;
	}
	return k_open(argv, options, compar);
}

HJ_EXPORT FTSENT *
fts_read(FTS *sp)
{
	struct walk *w = ours(sp);

	return w == NULL ? HOST(fts_read)(sp) : k_read(w);
}

HJ_EXPORT FTSENT *
fts_children(FTS *sp, int instr)
{
	struct walk *w = ours(sp);

	return w == NULL ? HOST(fts_children)(sp, instr) : k_children(w, instr);
}

HJ_EXPORT int
fts_set(FTS *sp, FTSENT *e, int instr)
{
	if (ours(sp) == NULL)
		return HOST(fts_set)(sp, e, instr);
	if (instr != 0 && instr != FTS_AGAIN && instr != FTS_FOLLOW &&
	    instr != FTS_NOINSTR && instr != FTS_SKIP) {
		errno = EINVAL;
		return 1;
	}
	e->fts_instr = (unsigned short)instr;
	return 0;
}

HJ_EXPORT int
fts_close(FTS *sp)
{
	struct walk *w = ours(sp);

	return w == NULL ? HOST(fts_close)(sp) : k_close(w);
}

/* The 64 names (what a program built with _FILE_OFFSET_BITS=64 calls):
 * on LP64 FTS64 and FTSENT64 are FTS and FTSENT. */
_Static_assert(sizeof(FTSENT64) == sizeof(FTSENT) &&
    sizeof(struct stat64) == sizeof(struct stat), "FTSENT64 is FTSENT");

HJ_EXPORT FTS64 *
fts64_open(char *const *argv, int options,
    int (*compar)(const FTSENT64 **, const FTSENT64 **))
{
	if (!k_wanted(argv))
		return HOST(fts64_open)(argv, options, compar);
	return (FTS64 *)fts_open(argv, options,
	    (int (*)(const FTSENT **, const FTSENT **))compar);
}

HJ_EXPORT FTSENT64 *
fts64_read(FTS64 *sp)
{
	struct walk *w = ours((FTS *)sp);

	return w == NULL ? HOST(fts64_read)(sp) : (FTSENT64 *)k_read(w);
}

HJ_EXPORT FTSENT64 *
fts64_children(FTS64 *sp, int instr)
{
	struct walk *w = ours((FTS *)sp);

	return w == NULL ? HOST(fts64_children)(sp, instr) :
	    (FTSENT64 *)k_children(w, instr);
}

HJ_EXPORT int
fts64_set(FTS64 *sp, FTSENT64 *e, int instr)
{
	if (ours((FTS *)sp) == NULL)
		return HOST(fts64_set)(sp, e, instr);
	return fts_set((FTS *)sp, (FTSENT *)e, instr);
}

HJ_EXPORT int
fts64_close(FTS64 *sp)
{
	struct walk *w = ours((FTS *)sp);

	return w == NULL ? HOST(fts64_close)(sp) : k_close(w);
}
