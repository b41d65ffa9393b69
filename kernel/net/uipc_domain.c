/*
 * uipc_domain.c: the table of protocol families (domain_register,
 * domain_find).  Components of protocol families register from their
 * init; domains are never unregistered, so a pointer from domain_find()
 * stays valid.  domain_lock covers the list; lookups take it too (socket()
 * is not hot enough for anything cleverer).
 */
#include "k/kernel.h"
#include "k/socket.h"

#include "net_private.h"

static kmutex_t domain_lock;
static LIST_HEAD(, domain) domains = LIST_HEAD_INITIALIZER(domains);

void
domain_init(void)
{
	mutex_init(&domain_lock);
}

int
domain_register(struct domain *dp)
{
	struct domain *d;

	if (!net_up())
		return ENOSYS;
	if (dp == NULL || dp->dom_family <= AF_UNSPEC ||
	    dp->dom_family >= AF_MAX)
		return EINVAL;
	mutex_enter(&domain_lock);
	LIST_FOREACH(d, &domains, dom_list) {
		if (d->dom_family == dp->dom_family) {
			mutex_exit(&domain_lock);
			return EEXIST;
		}
	}
	LIST_INSERT_HEAD(&domains, dp, dom_list);
	mutex_exit(&domain_lock);
	kverbose("rump: net: domain %s (%d)\n", dp->dom_name,
	    dp->dom_family);
	return 0;
}

const struct domain *
domain_find(int family)
{
	struct domain *d;

	if (!net_up())
		return NULL;
	mutex_enter(&domain_lock);
	LIST_FOREACH(d, &domains, dom_list)
		if (d->dom_family == family)
			break;
	mutex_exit(&domain_lock);
	return d;
}
