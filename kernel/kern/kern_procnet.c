/*
 * kern_procnet.c: the /proc/net file registry (contract in k/procnet.h),
 * the /sys/class/net operations (k/sysfs.h) and the text buffer their
 * generators fill.
 */
#include "k/kernel.h"
#include "k/procnet.h"
#include "k/sysfs.h"

static const struct sysfs_net_ops *sysfs_net_ops;

int
sysfs_net_register(const struct sysfs_net_ops *ops)
{
	if (sysfs_net_ops != NULL)
		return EEXIST;
	sysfs_net_ops = ops;
	return 0;
}

const struct sysfs_net_ops *
sysfs_net(void)
{
	return sysfs_net_ops;
}

static struct {
	char name[32];
	procnet_gen_t gen;
} procnet_files[PROCNET_MAX];
static int procnet_n;

int
procnet_register(const char *name, procnet_gen_t gen)
{
	if (procnet_lookup(name, strlen(name)) >= 0)
		return EEXIST;
	if (procnet_n == PROCNET_MAX || strlen(name) >= 32)
		return ENOSPC;
	kstrlcpy(procnet_files[procnet_n].name, name, 32);
	procnet_files[procnet_n].gen = gen;
	procnet_n++;
	return 0;
}

int
procnet_count(void)
{
	return procnet_n;
}

const char *
procnet_name(int i)
{
	return i >= 0 && i < procnet_n ? procnet_files[i].name : NULL;
}

int
procnet_lookup(const char *name, size_t len)
{
	for (int i = 0; i < procnet_n; i++)
		if (strlen(procnet_files[i].name) == len &&
		    memcmp(procnet_files[i].name, name, len) == 0)
			return i;
	return -1;
}

int
procnet_gen(int i, struct ktext *t)
{
	int error;

	if (i < 0 || i >= procnet_n)
		return ENOENT;
	error = procnet_files[i].gen(t);
	if (error == 0 && t->t_nomem)
		error = ENOMEM;
	return error;
}

static int
ktext_reserve(struct ktext *t, size_t need)
{
	size_t ncap;
	char *nb;

	if (t->t_nomem)
		return ENOMEM;
	if (t->t_len + need <= t->t_cap)
		return 0;
	ncap = t->t_cap ? t->t_cap : 1024;
	while (ncap < t->t_len + need)
		ncap *= 2;
	if ((nb = kmem_alloc(ncap)) == NULL) {
		t->t_nomem = true;
		return ENOMEM;
	}
	if (t->t_len > 0)
		memcpy(nb, t->t_buf, t->t_len);
	if (t->t_buf != NULL)
		kmem_free(t->t_buf, t->t_cap);
	t->t_buf = nb;
	t->t_cap = ncap;
	return 0;
}

void
ktext_printf(struct ktext *t, const char *fmt, ...)
{
	va_list ap;
	size_t room;
	int n;

	if (ktext_reserve(t, 128) != 0)
		return;
	for (;;) {
		room = t->t_cap - t->t_len;
		va_start(ap, fmt);
		n = kvsnprintf(t->t_buf + t->t_len, room, fmt, ap);
		va_end(ap);
		if (n < 0) {
			t->t_nomem = true;
			return;
		}
		if ((size_t)n < room) {
			t->t_len += (size_t)n;
			return;
		}
		if (ktext_reserve(t, (size_t)n + 1) != 0)
			return;
	}
}

void
ktext_free(struct ktext *t)
{
	if (t->t_buf != NULL)
		kmem_free(t->t_buf, t->t_cap);
	t->t_buf = NULL;
	t->t_len = t->t_cap = 0;
}
