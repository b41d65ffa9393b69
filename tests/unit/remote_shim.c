/*
 * remote_shim.c: the embedding API the unit tests use (rump_init,
 * rump_lwproc_*), mapped onto librumpclient, so that the same test
 * sources run against a rump_server (meson suite "remote").  What only an
 * embedded kernel has (host files as devices, loading libraries into the
 * kernel's process) answers EOPNOTSUPP; those tests say REMOTE_INVALID().
 */
#include <errno.h>

#include <rump/rump.h>
#include <rump/rumpclient.h>

int
rump_init(void)
{
	return rumpclient_init() == 0 ? 0 : errno;
}

int
rump_lwproc_rfork(int flags)
{
	return rumpclient_lwproc_rfork(flags == RUMP_RFCFDG ?
	    RUMPCLIENT_RFCFDG : RUMPCLIENT_RFFDG);
}

int
rump_lwproc_newlwp(pid_t pid)
{
	return rumpclient_lwproc_newlwp(pid);
}

void
rump_lwproc_switch(struct lwp *l)
{
	rumpclient_lwproc_switch(l);
}

void
rump_lwproc_releaselwp(void)
{
	rumpclient_lwproc_releaselwp();
}

struct lwp *
rump_lwproc_curlwp(void)
{
	return rumpclient_lwproc_curlwp();
}

int
rump_etfs_register(const char *key, const char *hostpath,
    enum rump_etfs_type ftype)
{
	(void)key; (void)hostpath; (void)ftype;
	return EOPNOTSUPP;
}

int
rump_etfs_register_withsize(const char *key, const char *hostpath,
    enum rump_etfs_type ftype, uint64_t begin, uint64_t size)
{
	(void)key; (void)hostpath; (void)ftype; (void)begin; (void)size;
	return EOPNOTSUPP;
}

int
rump_etfs_remove(const char *key)
{
	(void)key;
	return EOPNOTSUPP;
}
