/*
 * component.h: how a piece of the kernel registers itself (invariant 4).
 *
 * A component is a descriptor with a name, the names of the components it
 * needs, and an init function.  RUMP_COMPONENT() registers the descriptor
 * from a constructor when the object is linked in or its library loaded;
 * rump_init() (or rump_module_load() later) initializes every registered
 * component after its dependencies.  Registering does no kernel work.
 */
#ifndef K_COMPONENT_H
#define K_COMPONENT_H

#include <stdbool.h>

#define RUMP_COMPONENT_MAXDEPS 4

struct rump_component {
	const char *rc_name;
	const char *rc_deps[RUMP_COMPONENT_MAXDEPS];	/* NULL-terminated */
	int (*rc_init)(void);		/* 0 or errno */
	/* Runs after every component's init, in the same order (may be NULL):
	 * vfs mounts the root here, dev populates /dev, procfs mounts /proc. */
	int (*rc_postinit)(void);
	/* Kernel-private state. */
	struct rump_component *rc_next;
	int rc_state;
};

/* Exported (rump_ prefix) so that libraries loaded at run time can call it. */
void rump_component_register(struct rump_component *rc);

/* Usage: RUMP_COMPONENT(tmpfs_component, "tmpfs", tmpfs_init, NULL, "vfs") */
#define RUMP_COMPONENT(ident, name, initfn, postinitfn, ...)		\
	static struct rump_component ident = {				\
		.rc_name = (name),					\
		.rc_deps = { __VA_ARGS__ },				\
		.rc_init = (initfn),					\
		.rc_postinit = (postinitfn),				\
	};								\
	__attribute__((__constructor__)) static void			\
	ident##_register(void)						\
	{								\
		rump_component_register(&ident);			\
	}

/* True if a component of that name has been initialized. */
bool component_present(const char *name);

#endif /* K_COMPONENT_H */
