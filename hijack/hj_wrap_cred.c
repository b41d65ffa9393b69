/*
 * hj_wrap_cred.c: identity changes (setuid and the rest of the family,
 * setgroups, initgroups) reach the kernel process too.
 *
 * The host call is the authority: it runs first, and only when it
 * succeeds is the kernel process made to hold exactly the host's ids
 * (hj_cred_follow: real, effective, saved and fs uids and gids, and the
 * groups), which also covers what glibc does inside (initgroups calls
 * setgroups internally, past any wrapper).  If the kernel cannot follow
 * (a server's rule, ids changed behind the shim's back), the process
 * would run with one identity on the host and another in the kernel;
 * like glibc when threads disagree after a set*id call, the shim stops
 * the program.  A kernel that is not up yet takes the ids when it comes
 * up (hj_kernel_up).  No locks: set*id is process-wide on the host, and
 * the kernel serialises its own credential swaps.
 */
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <unistd.h>

#include "hj.h"

HOST_CACHE(setuid);
HOST_CACHE(seteuid);
HOST_CACHE(setreuid);
HOST_CACHE(setresuid);
HOST_CACHE(setgid);
HOST_CACHE(setegid);
HOST_CACHE(setregid);
HOST_CACHE(setresgid);
HOST_CACHE(setgroups);
HOST_CACHE(initgroups);
HOST_CACHE(setfsuid);
HOST_CACHE(setfsgid);

#define NOID	((unsigned)-1)
#define MAXG	1024		/* groups followed; more: EINVAL */

struct ids {
	uid_t u[3], fsu;
	gid_t g[3], fsg;
	int ng;
	gid_t grp[MAXG];
};

static int
host_ids(struct ids *h)
{
	if (getresuid(&h->u[0], &h->u[1], &h->u[2]) != 0 ||
	    getresgid(&h->g[0], &h->g[1], &h->g[2]) != 0 ||
	    (h->ng = getgroups(MAXG, h->grp)) < 0)
		return errno;
	/* -1 is no id: the call changes nothing and says the current one. */
	h->fsu = (uid_t)HOST(setfsuid)(NOID);
	h->fsg = (gid_t)HOST(setfsgid)(NOID);
	return 0;
}

static int
kernel_ids(struct ids *k)
{
	if (hjk_getresuid(&k->u[0], &k->u[1], &k->u[2]) != 0 ||
	    hjk_getresgid(&k->g[0], &k->g[1], &k->g[2]) != 0 ||
	    (k->ng = hjk_getgroups(MAXG, k->grp)) < 0)
		return errno;
	k->fsu = (uid_t)hjk_setfsuid(NOID);
	k->fsg = (gid_t)hjk_setfsgid(NOID);
	return 0;
}

static int
cmp_gid(const void *a, const void *b)
{
	gid_t x = *(const gid_t *)a, y = *(const gid_t *)b;

	return x < y ? -1 : x > y;
}

/* The same groups, in any order (the kernel keeps them sorted). */
static bool
same_groups(struct ids *a, struct ids *b)
{
	if (a->ng != b->ng)
		return false;
	qsort(a->grp, (size_t)a->ng, sizeof(gid_t), cmp_gid);
	qsort(b->grp, (size_t)b->ng, sizeof(gid_t), cmp_gid);
	return memcmp(a->grp, b->grp, (size_t)a->ng * sizeof(gid_t)) == 0;
}

static bool
same_ids(const struct ids *a, const struct ids *b)
{
	return memcmp(a->u, b->u, sizeof(a->u)) == 0 && a->fsu == b->fsu &&
	    memcmp(a->g, b->g, sizeof(a->g)) == 0 && a->fsg == b->fsg;
}

static struct ids mark;
static bool marked;

void
hj_cred_mark(void)
{
	marked = host_ids(&mark) == 0;
}

bool
hj_cred_unchanged(void)
{
	struct ids now;

	return marked && host_ids(&now) == 0 && same_ids(&mark, &now) &&
	    same_groups(&mark, &now);
}

/*
 * The kernel process takes the host's ids with its own set*id calls, in
 * an order its rules allow: a target with euid 0 regains root first (it
 * must be one of the kernel's ids, as it was one of the host's), groups
 * and gids need the privilege the uids may give up, the fs ids last.
 */
int
hj_cred_follow(void)
{
	struct ids h, k;
	int saved = errno, error = 0;

	hj_inside++;
	if ((error = host_ids(&h)) != 0 || (error = kernel_ids(&k)) != 0)
		goto out;
	if (same_ids(&h, &k) && same_groups(&h, &k))
		goto out;
	/* Directly where the kernel offers it: capabilities the host kept
	 * across a uid change (setpriv: PR_SET_KEEPCAPS, then setresgid) are
	 * not modelled by the kernel's own rules. */
	{
		unsigned u[4] = { h.u[0], h.u[1], h.u[2], h.fsu };
		unsigned g[4] = { h.g[0], h.g[1], h.g[2], h.fsg };

		if ((error = hj_kernel_takeids(u, g, h.ng, h.grp)) != ENOSYS)
			goto check;
	}
	if (h.u[1] == 0 && k.u[1] != 0 &&
	    hjk_setresuid(NOID, 0, NOID) != 0)
		goto fail;
	if (!same_groups(&h, &k) && hjk_setgroups((size_t)h.ng, h.grp) != 0)
		goto fail;
	if (hjk_setresgid(h.g[0], h.g[1], h.g[2]) != 0 ||
	    hjk_setresuid(h.u[0], h.u[1], h.u[2]) != 0)
		goto fail;
	(void)hjk_setfsgid(h.fsg);
	(void)hjk_setfsuid(h.fsu);
check:
	if (error == 0 && (error = kernel_ids(&k)) == 0 && !same_ids(&h, &k))
		error = EPERM;
	goto out;
fail:
	error = errno;
out:
	hj_inside--;
	errno = saved;
	return error;
}

/* After a host identity change that succeeded. */
static void
follow(const char *what)
{
	int error;

	if (!hj_kernel_is_up() || (error = hj_cred_follow()) == 0)
		return;
	fprintf(stderr, "librumphijack: %s: the kernel process cannot take "
	    "the new identity (%s); stopping\n", what, strerror(error));
	abort();
}

#define FOLLOW(call, what)						\
	do {								\
		int r_ = (call);					\
									\
		if (r_ == 0)						\
			follow(what);					\
		return r_;						\
	} while (0)

HJ_EXPORT int
setuid(uid_t uid)
{
	FOLLOW(HOST(setuid)(uid), "setuid");
}

HJ_EXPORT int
seteuid(uid_t euid)
{
	FOLLOW(HOST(seteuid)(euid), "seteuid");
}

HJ_EXPORT int
setreuid(uid_t ruid, uid_t euid)
{
	FOLLOW(HOST(setreuid)(ruid, euid), "setreuid");
}

HJ_EXPORT int
setresuid(uid_t ruid, uid_t euid, uid_t suid)
{
	FOLLOW(HOST(setresuid)(ruid, euid, suid), "setresuid");
}

HJ_EXPORT int
setgid(gid_t gid)
{
	FOLLOW(HOST(setgid)(gid), "setgid");
}

HJ_EXPORT int
setegid(gid_t egid)
{
	FOLLOW(HOST(setegid)(egid), "setegid");
}

HJ_EXPORT int
setregid(gid_t rgid, gid_t egid)
{
	FOLLOW(HOST(setregid)(rgid, egid), "setregid");
}

HJ_EXPORT int
setresgid(gid_t rgid, gid_t egid, gid_t sgid)
{
	FOLLOW(HOST(setresgid)(rgid, egid, sgid), "setresgid");
}

HJ_EXPORT int
setgroups(size_t size, const gid_t *list)
{
	FOLLOW(HOST(setgroups)(size, list), "setgroups");
}

HJ_EXPORT int
initgroups(const char *user, gid_t group)
{
	FOLLOW(HOST(initgroups)(user, group), "initgroups");
}

/* setfsuid/setfsgid cannot fail: whatever the host did, follow it. */
HJ_EXPORT int
setfsuid(uid_t fsuid)
{
	int prev = HOST(setfsuid)(fsuid);

	follow("setfsuid");
	return prev;
}

HJ_EXPORT int
setfsgid(gid_t fsgid)
{
	int prev = HOST(setfsgid)(fsgid);

	follow("setfsgid");
	return prev;
}
