/*
 * kern_sysctl.c: named kernel tunables and the base's own nodes.
 *
 * Nodes are registered once and never removed, kept sorted by name in a
 * singly linked list.  Writers (registration) hold sysctl_lock and publish
 * a node with a release store, so lookups and iteration walk the list
 * without a lock.  Values are read and written under sysctl_lock, so a
 * string is never seen half written.  Permission to write (root, file
 * mode) is the caller's business (procfs); read-only nodes answer EACCES,
 * as /proc/sys does.
 *
 * The base's nodes:
 *   kern.hostname, kern.domainname  strings of 64 (uname, sethostname)
 *   kern.ostype "Linux", kern.osrelease, kern.version: what uname says;
 *     clients are Linux programs and test the system name against it
 *   kern.maxvnodes  vnode cache size (RUMP_NVNODES; read by vfs)
 *   kern.maxfiles   open files the kernel allows in total
 *   kern.ncpu, kern.memlimit  read-only: the boot parameters
 */
#include "k/kernel.h"
#include "k/sysctl.h"

#include "kern_private.h"

#define UTS_RELEASE	"6.1.0-rump"
#define UTS_VERSION	"#1 rump kernel"
#if defined(__x86_64__)
#define UTS_MACHINE	"x86_64"
#elif defined(__aarch64__)
#define UTS_MACHINE	"aarch64"
#else
#error "unsupported machine: the ABI in k/abi.h is x86_64 or aarch64"
#endif

int64_t kern_maxvnodes = 1024;
int64_t kern_maxfiles = 1048576;

static kmutex_t sysctl_lock;
static struct sysctl_node *sysctl_head;

static char hostname[NEW_UTS_LEN + 1] = "rump";
static char domainname[NEW_UTS_LEN + 1] = "(none)";
static char ostype[] = "Linux";
static char osrelease[] = UTS_RELEASE;
static char osversion[] = UTS_VERSION;
static int64_t sysctl_ncpu;
static int64_t sysctl_memlimit;

static struct sysctl_node base_nodes[] = {
	{ .sn_name = "kern.hostname", .sn_type = SYSCTL_STRING,
	  .sn_writable = true, .sn_str = hostname,
	  .sn_len = sizeof(hostname) },
	{ .sn_name = "kern.domainname", .sn_type = SYSCTL_STRING,
	  .sn_writable = true, .sn_str = domainname,
	  .sn_len = sizeof(domainname) },
	{ .sn_name = "kern.ostype", .sn_type = SYSCTL_STRING,
	  .sn_str = ostype, .sn_len = sizeof(ostype) },
	{ .sn_name = "kern.osrelease", .sn_type = SYSCTL_STRING,
	  .sn_str = osrelease, .sn_len = sizeof(osrelease) },
	{ .sn_name = "kern.version", .sn_type = SYSCTL_STRING,
	  .sn_str = osversion, .sn_len = sizeof(osversion) },
	{ .sn_name = "kern.maxvnodes", .sn_type = SYSCTL_INT,
	  .sn_writable = true, .sn_int = &kern_maxvnodes,
	  .sn_min = 16, .sn_max = 1 << 24 },
	{ .sn_name = "kern.maxfiles", .sn_type = SYSCTL_INT,
	  .sn_writable = true, .sn_int = &kern_maxfiles,
	  .sn_min = 64, .sn_max = INT32_MAX },
	{ .sn_name = "kern.ncpu", .sn_type = SYSCTL_INT,
	  .sn_int = &sysctl_ncpu, .sn_min = 1, .sn_max = 256 },
	{ .sn_name = "kern.memlimit", .sn_type = SYSCTL_INT,
	  .sn_int = &sysctl_memlimit, .sn_min = 0, .sn_max = INT64_MAX },
};

static struct sysctl_node *
sysctl_first(void)
{
	return __atomic_load_n(&sysctl_head, __ATOMIC_ACQUIRE);
}

static struct sysctl_node *
sysctl_after(const struct sysctl_node *n)
{
	return __atomic_load_n(&n->sn_next, __ATOMIC_ACQUIRE);
}

int
sysctl_register(struct sysctl_node *node)
{
	struct sysctl_node **pp, *cur;
	int cmp = 1;

	if (node->sn_name == NULL || node->sn_name[0] == '\0')
		return EINVAL;
	if (node->sn_type == SYSCTL_INT ? node->sn_int == NULL ||
	    node->sn_min > node->sn_max :
	    node->sn_type != SYSCTL_STRING || node->sn_str == NULL ||
	    node->sn_len == 0)
		return EINVAL;
	mutex_enter(&sysctl_lock);
	for (pp = &sysctl_head; (cur = *pp) != NULL; pp = &cur->sn_next) {
		cmp = strcmp(cur->sn_name, node->sn_name);
		if (cmp >= 0)
			break;
	}
	if (cur != NULL && cmp == 0) {
		mutex_exit(&sysctl_lock);
		return EEXIST;
	}
	node->sn_next = cur;
	__atomic_store_n(pp, node, __ATOMIC_RELEASE);
	mutex_exit(&sysctl_lock);
	return 0;
}

int
sysctl_unregister(struct sysctl_node *node)
{
	struct sysctl_node **pp, *cur;

	mutex_enter(&sysctl_lock);
	for (pp = &sysctl_head; (cur = *pp) != NULL && cur != node;
	    pp = &cur->sn_next)
		continue;
	/* node->sn_next is left as it is: a reader on node goes on to the
	 * nodes after it, which are still in the list or as it left them. */
	if (cur != NULL)
		__atomic_store_n(pp, node->sn_next, __ATOMIC_RELEASE);
	mutex_exit(&sysctl_lock);
	return cur != NULL ? 0 : ENOENT;
}

const struct sysctl_node *
sysctl_lookup(const char *name)
{
	const struct sysctl_node *n;

	for (n = sysctl_first(); n != NULL; n = sysctl_after(n)) {
		int cmp = strcmp(n->sn_name, name);

		if (cmp == 0)
			return n;
		if (cmp > 0)
			break;
	}
	return NULL;
}

const struct sysctl_node *
sysctl_next(const struct sysctl_node *prev)
{
	return prev == NULL ? sysctl_first() : sysctl_after(prev);
}

/* ERANGE if buf cannot hold the whole text (with its newline). */
int
sysctl_read_text(const struct sysctl_node *n, char *buf, size_t len,
    size_t *outlen)
{
	int k;

	/* A counter kept elsewhere is fetched now (outside sysctl_lock). */
	if (n->sn_refresh != NULL)
		n->sn_refresh(n);
	mutex_enter(&sysctl_lock);
	if (n->sn_type == SYSCTL_INT)
		k = ksnprintf(buf, len, "%lld\n", (long long)*n->sn_int);
	else
		k = ksnprintf(buf, len, "%s\n", n->sn_str);
	mutex_exit(&sysctl_lock);
	if (k < 0 || (size_t)k >= len)
		return ERANGE;
	*outlen = (size_t)k;
	return 0;
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* As /proc/sys takes a number: blanks around, an optional sign. */
static int
parse_int_text(const char *buf, size_t len, int64_t *vp)
{
	size_t i = 0;
	uint64_t v = 0;
	bool neg = false;

	while (i < len && is_space(buf[i]))
		i++;
	if (i < len && (buf[i] == '-' || buf[i] == '+'))
		neg = buf[i++] == '-';
	if (i == len || buf[i] < '0' || buf[i] > '9')
		return EINVAL;
	for (; i < len && buf[i] >= '0' && buf[i] <= '9'; i++) {
		uint64_t d = (uint64_t)(buf[i] - '0');

		if (v > ((uint64_t)INT64_MAX - d) / 10)
			return EINVAL;
		v = v * 10 + d;
	}
	while (i < len && (is_space(buf[i]) || buf[i] == '\0'))
		i++;
	if (i != len)
		return EINVAL;
	*vp = neg ? -(int64_t)v : (int64_t)v;
	return 0;
}

/*
 * Strings follow Linux's proc_dostring: the value ends at the first
 * newline and is cut to fit the buffer.
 */
int
sysctl_write_text(const struct sysctl_node *n, const char *buf, size_t len)
{
	int64_t v;
	size_t i;
	int error;

	if (!n->sn_writable)
		return EACCES;
	if (n->sn_type == SYSCTL_INT) {
		if ((error = parse_int_text(buf, len, &v)) != 0)
			return error;
		if (v < n->sn_min || v > n->sn_max)
			return EINVAL;
		mutex_enter(&sysctl_lock);
		*n->sn_int = v;
		mutex_exit(&sysctl_lock);
	} else {
		for (i = 0; i < len && buf[i] != '\n' && buf[i] != '\0'; i++)
			continue;
		len = MIN(i, n->sn_len - 1);
		if (n->sn_store != NULL) {
			char *val = kmem_alloc(len + 1);

			if (val == NULL)
				return ENOMEM;
			memcpy(val, buf, len);
			val[len] = '\0';
			error = n->sn_store(n, val);
			kmem_free(val, len + 1);
			if (error != 0)
				return error;
		}
		mutex_enter(&sysctl_lock);
		memcpy(n->sn_str, buf, len);
		memset(n->sn_str + len, 0, n->sn_len - len);
		mutex_exit(&sysctl_lock);
	}
	if (n->sn_changed != NULL)
		n->sn_changed(n);
	return 0;
}

int
sysctl_init(void)
{
	size_t i;
	int error;

	mutex_init(&sysctl_lock);
	sysctl_ncpu = rump_ncpu;
	sysctl_memlimit = (int64_t)kmem_limit();
	for (i = 0; i < __arraycount(base_nodes); i++) {
		if ((error = sysctl_register(&base_nodes[i])) != 0)
			return error;
	}
	return 0;
}

void
kern_getuts(struct utsname *uts)
{
	memset(uts, 0, sizeof(*uts));
	kstrlcpy(uts->sysname, ostype, sizeof(uts->sysname));
	kstrlcpy(uts->release, osrelease, sizeof(uts->release));
	kstrlcpy(uts->version, osversion, sizeof(uts->version));
	kstrlcpy(uts->machine, UTS_MACHINE, sizeof(uts->machine));
	mutex_enter(&sysctl_lock);
	memcpy(uts->nodename, hostname, sizeof(uts->nodename));
	memcpy(uts->domainname, domainname, sizeof(uts->domainname));
	mutex_exit(&sysctl_lock);
}

/* sethostname(2): exactly len bytes (len <= 64 checked by the caller). */
static void
set_uts_string(char *dst, const char *name, size_t len)
{
	mutex_enter(&sysctl_lock);
	memcpy(dst, name, len);
	memset(dst + len, 0, NEW_UTS_LEN + 1 - len);
	mutex_exit(&sysctl_lock);
}

int
kern_sethostname(const char *name, size_t len)
{
	if (len > NEW_UTS_LEN)
		return EINVAL;
	set_uts_string(hostname, name, len);
	return 0;
}

int
kern_setdomainname(const char *name, size_t len)
{
	if (len > NEW_UTS_LEN)
		return EINVAL;
	set_uts_string(domainname, name, len);
	return 0;
}
