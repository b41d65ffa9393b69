/*
 * kern_cred.c: credentials.
 *
 * A credential is immutable once published (in p_cred, l_cred, f_cred):
 * changing identity builds a new one (cred_dup, edit, swap under p_lock).
 * So the only shared mutable field is the reference count, which is
 * atomic, and readers need no lock.
 */
#include "k/kernel.h"

#include "kern_private.h"

struct kauth_cred *
cred_alloc(void)
{
	struct kauth_cred *cr;

	cr = kmem_zalloc(sizeof(*cr));
	if (cr == NULL)
		return NULL;
	atomic_init(&cr->cr_refcnt, 1);
	return cr;
}

struct kauth_cred *
cred_dup(const struct kauth_cred *src)
{
	struct kauth_cred *cr;

	cr = kmem_alloc(sizeof(*cr));
	if (cr == NULL)
		return NULL;
	cr->cr_uid = src->cr_uid;
	cr->cr_euid = src->cr_euid;
	cr->cr_suid = src->cr_suid;
	cr->cr_fsuid = src->cr_fsuid;
	cr->cr_gid = src->cr_gid;
	cr->cr_egid = src->cr_egid;
	cr->cr_sgid = src->cr_sgid;
	cr->cr_fsgid = src->cr_fsgid;
	cr->cr_ngroups = 0;
	cr->cr_groups = NULL;
	if (src->cr_ngroups > 0) {
		size_t sz = (size_t)src->cr_ngroups * sizeof(gid_t);

		cr->cr_groups = kmem_alloc(sz);
		if (cr->cr_groups == NULL) {
			kmem_free(cr, sizeof(*cr));
			return NULL;
		}
		memcpy(cr->cr_groups, src->cr_groups, sz);
		cr->cr_ngroups = src->cr_ngroups;
	}
	atomic_init(&cr->cr_refcnt, 1);
	return cr;
}

void
cred_hold(struct kauth_cred *cr)
{
	atomic_fetch_add_explicit(&cr->cr_refcnt, 1, memory_order_relaxed);
}

void
cred_free(struct kauth_cred *cr)
{
	if (cr == NULL)
		return;
	if (atomic_fetch_sub_explicit(&cr->cr_refcnt, 1,
	    memory_order_acq_rel) != 1)
		return;
	if (cr->cr_groups != NULL)
		kmem_free(cr->cr_groups,
		    (size_t)cr->cr_ngroups * sizeof(gid_t));
	kmem_free(cr, sizeof(*cr));
}

/*
 * Linux's in_group_p(): the file-system gid or a supplementary group.
 * The groups are kept sorted (setgroups sorts them), so search by halves.
 */
bool
cred_groupmember(const struct kauth_cred *cr, gid_t gid)
{
	int lo = 0, hi = cr->cr_ngroups;

	if (cr->cr_fsgid == gid)
		return true;
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (cr->cr_groups[mid] == gid)
			return true;
		if (cr->cr_groups[mid] < gid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* File-system permission checks: Linux bypasses DAC on fsuid 0. */
bool
cred_is_root(const struct kauth_cred *cr)
{
	return cr->cr_fsuid == 0;
}

/*
 * Identity changes and resource limits: Linux asks for CAP_SETUID,
 * CAP_SYS_RESOURCE ...; a process has all of them exactly when its
 * effective uid is 0 (no capability sets are modelled).
 */
bool
cred_capable(const struct kauth_cred *cr)
{
	return cr->cr_euid == 0;
}
