/*
 * component.c: the registry of components and their initialization in
 * dependency order (invariant 4).
 *
 * rump_component_register() runs from constructors, possibly before
 * rump_init() and possibly while rump_module_load() is initializing, so it
 * only pushes the descriptor on a lock-free list: no allocation, no lock.
 * Descriptors are never removed, so the list can be walked without a lock.
 *
 * component_init_pending() initializes every registered component not yet
 * tried, in rounds: each round inits the components whose dependencies
 * are all initialized, in registration order; when a round makes no
 * progress, what is left needs something absent, failed, or is in a
 * cycle, and fails with EINVAL and a console line.  Then postinit runs
 * over the newly initialized components in the same order.  A failed
 * component does not stop the others; the first error is returned.
 * comp_lock serializes whole passes (rump_init, rump_module_load).
 */
#include "k/component.h"
#include "k/kernel.h"
#include "rump/rumpuser.h"

#include "kern_private.h"

enum {
	RC_REGISTERED,		/* waiting for its init */
	RC_READY,		/* init done, postinit pending */
	RC_INITIALIZED,		/* fully up: component_present() */
	RC_FAILED
};

#define COMP_MAX	128	/* per pass; more waits for the next pass */

static struct rump_component *_Atomic comp_list;
static kmutex_t comp_lock;
static bool comp_lock_ready;

void
rump_component_register(struct rump_component *rc)
{
	struct rump_component *head = atomic_load(&comp_list);

	rc->rc_state = RC_REGISTERED;
	do {
		rc->rc_next = head;
	} while (!atomic_compare_exchange_weak(&comp_list, &head, rc));
}

static int
comp_state(const struct rump_component *rc)
{
	return __atomic_load_n(&rc->rc_state, __ATOMIC_ACQUIRE);
}

static void
comp_setstate(struct rump_component *rc, int state)
{
	__atomic_store_n(&rc->rc_state, state, __ATOMIC_RELEASE);
}

/* Looks a name up among the registered components, in any state. */
static struct rump_component *
comp_lookup(const char *name, const struct rump_component *except)
{
	struct rump_component *rc;

	for (rc = atomic_load(&comp_list); rc != NULL; rc = rc->rc_next) {
		if (rc != except && comp_state(rc) != RC_FAILED &&
		    strcmp(rc->rc_name, name) == 0)
			return rc;
	}
	return NULL;
}

bool
component_present(const char *name)
{
	struct rump_component *rc;

	for (rc = atomic_load(&comp_list); rc != NULL; rc = rc->rc_next) {
		if (comp_state(rc) == RC_INITIALIZED &&
		    strcmp(rc->rc_name, name) == 0)
			return true;
	}
	return false;
}

/* 1: every dependency is up; 0: some still pending; -1: one never will be. */
static int
comp_deps_ready(const struct rump_component *rc)
{
	int i, ret = 1;

	for (i = 0; i < RUMP_COMPONENT_MAXDEPS && rc->rc_deps[i] != NULL;
	    i++) {
		struct rump_component *dep;

		dep = comp_lookup(rc->rc_deps[i], rc);
		if (dep == NULL)
			return -1;
		if (comp_state(dep) == RC_REGISTERED)
			ret = 0;
	}
	return ret;
}

/* Can rc's dependencies, followed through pending ones, lead to target? */
static bool
comp_reaches(const struct rump_component *rc,
    const struct rump_component *target, int *budget)
{
	int i;

	/* A step budget keeps a dense graph from costing exponential time. */
	if (--*budget <= 0)
		return false;
	for (i = 0; i < RUMP_COMPONENT_MAXDEPS && rc->rc_deps[i] != NULL;
	    i++) {
		struct rump_component *dep = comp_lookup(rc->rc_deps[i], rc);

		if (dep == NULL || comp_state(dep) != RC_REGISTERED)
			continue;
		if (dep == target || comp_reaches(dep, target, budget))
			return true;
	}
	return false;
}

/* Says why rc, still pending when no progress is possible, cannot init. */
static void
comp_fail_deps(struct rump_component *rc)
{
	const char *blocked = NULL;
	int i, budget = 4096;

	for (i = 0; i < RUMP_COMPONENT_MAXDEPS && rc->rc_deps[i] != NULL;
	    i++) {
		struct rump_component *dep = comp_lookup(rc->rc_deps[i], rc);

		if (dep == NULL) {
			kprintf("rump: component %s: needs %s, which is "
			    "missing or failed\n", rc->rc_name, rc->rc_deps[i]);
			return;
		}
		if (comp_state(dep) != RC_REGISTERED)
			continue;
		if (dep == rc || comp_reaches(dep, rc, &budget)) {
			kprintf("rump: component %s: dependency cycle "
			    "through %s\n", rc->rc_name, rc->rc_deps[i]);
			return;
		}
		blocked = rc->rc_deps[i];
	}
	kprintf("rump: component %s: needs %s, which cannot be "
	    "initialized\n", rc->rc_name, blocked != NULL ? blocked : "?");
}

/* Is pend[i] (newest first) preceded by a component of the same name? */
static bool
comp_duplicate(struct rump_component **pend, int npend, int i)
{
	struct rump_component *other;
	int j;

	for (j = i + 1; j < npend; j++) {
		if (pend[j] != NULL &&
		    strcmp(pend[j]->rc_name, pend[i]->rc_name) == 0)
			return true;
	}
	other = comp_lookup(pend[i]->rc_name, pend[i]);
	return other != NULL && comp_state(other) != RC_REGISTERED;
}

static int
comp_pass(void)
{
	struct rump_component *pend[COMP_MAX], *done[COMP_MAX];
	struct rump_component *rc;
	int npend = 0, ndone = 0, firsterr = 0, i, error;
	bool progress;

	/* The list is newest first: collect, then walk it backwards. */
	for (rc = atomic_load(&comp_list); rc != NULL; rc = rc->rc_next) {
		if (comp_state(rc) != RC_REGISTERED)
			continue;
		if (npend == COMP_MAX)
			break;
		pend[npend++] = rc;
	}
	/* A second component of a name is refused; the first one stays. */
	for (i = 0; i < npend; i++) {
		if (comp_duplicate(pend, npend, i)) {
			kprintf("rump: component %s: already present, "
			    "the second one is ignored\n", pend[i]->rc_name);
			comp_setstate(pend[i], RC_FAILED);
			pend[i] = NULL;
			if (firsterr == 0)
				firsterr = EEXIST;
		}
	}

	do {
		progress = false;
		for (i = npend - 1; i >= 0; i--) {
			rc = pend[i];
			if (rc == NULL || comp_state(rc) != RC_REGISTERED)
				continue;
			if (comp_deps_ready(rc) != 1)
				continue;
			progress = true;
			pend[i] = NULL;
			error = rc->rc_init != NULL ? rc->rc_init() : 0;
			if (error != 0) {
				kprintf("rump: component %s: init failed "
				    "(error %d)\n", rc->rc_name, error);
				comp_setstate(rc, RC_FAILED);
				if (firsterr == 0)
					firsterr = error;
				continue;
			}
			comp_setstate(rc, RC_READY);
			done[ndone++] = rc;
			kverbose("rump: component %s initialized\n",
			    rc->rc_name);
		}
	} while (progress);

	/* Report everything left before failing any, so that the members
	 * of a cycle are all reported as such. */
	for (i = npend - 1; i >= 0; i--) {
		if (pend[i] != NULL && comp_state(pend[i]) == RC_REGISTERED)
			comp_fail_deps(pend[i]);
	}
	for (i = npend - 1; i >= 0; i--) {
		rc = pend[i];
		if (rc == NULL || comp_state(rc) != RC_REGISTERED)
			continue;
		comp_setstate(rc, RC_FAILED);
		if (firsterr == 0)
			firsterr = EINVAL;
	}

	for (i = 0; i < ndone; i++) {
		rc = done[i];
		error = rc->rc_postinit != NULL ? rc->rc_postinit() : 0;
		if (error != 0) {
			kprintf("rump: component %s: postinit failed "
			    "(error %d)\n", rc->rc_name, error);
			comp_setstate(rc, RC_FAILED);
			if (firsterr == 0)
				firsterr = error;
			continue;
		}
		comp_setstate(rc, RC_INITIALIZED);
	}
	return firsterr;
}

int
component_init_pending(void)
{
	int error;

	if (!comp_lock_ready) {
		mutex_init(&comp_lock);
		comp_lock_ready = true;
	}
	mutex_enter(&comp_lock);
	error = comp_pass();
	mutex_exit(&comp_lock);
	return error;
}

/*
 * Before boot the library's components just wait for rump_init().  A
 * library loaded twice registers nothing new: 0.
 */
int
rump_module_load(const char *path)
{
	struct lwp *l;
	void *handle;
	int error;

	if (path == NULL)
		return EINVAL;
	error = rumpuser_dl_open(path, &handle);
	if (error != 0) {
		kverbose("rump: rump_module_load %s: error %d\n", path, error);
		return error;
	}
	if (atomic_load(&kernel_state) == KSTATE_COLD)
		return 0;
	if ((error = kernel_enter(&l)) != 0)
		return error;
	error = component_init_pending();
	kernel_exit(l);
	return error;
}
