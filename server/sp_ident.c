/*
 * sp_ident.c: who a peer is on the host, and which identities its kernel
 * process may take (doc/PROTOCOL.md, "Identities").
 *
 * A unix peer's host identity is read at connect time: SO_PEERCRED gives
 * pid, effective uid and gid; /proc/<pid>/status gives all four uids and
 * gids (real, effective, saved, fs) and the groups, and counts only when
 * its effective ids agree with SO_PEERCRED.  A pidfd taken then pins the
 * process, so the identity can be read again later (at exec, at each
 * set*id call) without a recycled pid answering for it.  A TCP peer, whom
 * only the secret admits, has the server's own host identity.
 *
 * The rule: a kernel process starts (NEW), is claimed (FORK) or exec's
 * with exactly its peer's host identity; a set*id call asks for ids that
 * the peer's current host identity could take under Linux's rules (euid
 * 0 may take any; otherwise only its own real, effective or saved ids),
 * and then the kernel applies the same rules to its own ids.
 * No locks: each function works on one connection, from its thread.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>

#include "sp_server_int.h"

/* "Uid:\t0\t0\t0\t0" and the like: up to n unsigned numbers after tag. */
static int
parse_ids(const char *text, const char *tag, unsigned *out, int n)
{
	const char *p = strstr(text, tag);
	int k = 0;

	if (p == NULL)
		return -1;
	p += strlen(tag);
	while (k < n) {
		char *end;
		unsigned long v;

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p < '0' || *p > '9')
			break;
		v = strtoul(p, &end, 10);
		if (v > 0xfffffffeUL)
			return -1;
		out[k++] = (unsigned)v;
		p = end;
	}
	return k;
}

/* The identity in /proc/<pid>/status (pid 0: this process). */
static int
read_status(pid_t pid, struct peer_ids *ids)
{
	char path[64], buf[8192];
	size_t have = 0;
	ssize_t n;
	int fd, ng;

	if (pid == 0)
		snprintf(path, sizeof(path), "/proc/self/status");
	else
		snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return errno;
	while (have < sizeof(buf) - 1 &&
	    (n = read(fd, buf + have, sizeof(buf) - 1 - have)) > 0)
		have += (size_t)n;
	close(fd);
	buf[have] = '\0';
	if (parse_ids(buf, "\nUid:", ids->uid, 4) != 4 ||
	    parse_ids(buf, "\nGid:", ids->gid, 4) != 4 ||
	    (ng = parse_ids(buf, "\nGroups:", ids->groups, MAXGROUPS)) < 0)
		return EIO;
	ids->ngroups = ng;
	return 0;
}

/* The process behind pidfd is still there (it can answer for itself). */
static bool
pidfd_alive(int pidfd)
{
	struct pollfd p = { pidfd, POLLIN, 0 };

	return poll(&p, 1, 0) == 0;
}

int
peer_ids_init(struct sconn *c)
{
	struct ucred uc;
	socklen_t len = sizeof(uc);
	gid_t groups[MAXGROUPS];
	struct peer_ids *h = &c->ids;

	c->pidfd = -1;
	if (!srv.addr.isunix) {
		/* TCP: the secret admits, with the server's authority. */
		if (read_status(0, h) != 0) {
			h->uid[0] = h->uid[1] = h->uid[2] = h->uid[3] =
			    geteuid();
			h->gid[0] = h->gid[1] = h->gid[2] = h->gid[3] =
			    getegid();
			h->ngroups = 0;
		}
		c->uid = h->uid[1];
		return 0;
	}
	if (getsockopt(c->fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) != 0)
		return errno;
	c->uid = uc.uid;
	c->pid = uc.pid;
	if (uc.pid > 0)
		c->pidfd = (int)syscall(SYS_pidfd_open, uc.pid, 0);
	if (c->pidfd >= 0 && read_status(uc.pid, h) == 0 &&
	    h->uid[1] == uc.uid && h->gid[1] == uc.gid &&
	    pidfd_alive(c->pidfd))
		return 0;
	/* Not readable, or not the process that connected: what the
	 * socket says, and no reading again later. */
	if (c->pidfd >= 0)
		close(c->pidfd);
	c->pidfd = -1;
	h->uid[0] = h->uid[1] = h->uid[2] = h->uid[3] = uc.uid;
	h->gid[0] = h->gid[1] = h->gid[2] = h->gid[3] = uc.gid;
	len = sizeof(groups);
	if (getsockopt(c->fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) == 0) {
		h->ngroups = (int)(len / sizeof(gid_t));
		memcpy(h->groups, groups, len);
	} else {
		h->ngroups = 0;
	}
	return 0;
}

void
peer_ids_fini(struct sconn *c)
{
	if (c->pidfd >= 0)
		close(c->pidfd);
	c->pidfd = -1;
}

/*
 * The peer's host identity now, into c->ids.  A peer whose identity can
 * no longer be read (it exited; the socket lives on in another process)
 * is EPERM; one that never could be keeps what it had at connect time.
 */
int
peer_ids_refresh(struct sconn *c)
{
	struct peer_ids now;

	if (c->pidfd < 0)
		return 0;
	if (!pidfd_alive(c->pidfd) || read_status(c->pid, &now) != 0 ||
	    !pidfd_alive(c->pidfd))
		return EPERM;
	c->ids = now;
	return 0;
}

/* The current kernel process takes the peer's identity. */
int
peer_ids_apply(const struct sconn *c)
{
	const struct peer_ids *h = &c->ids;

	return rump_proc_setcred(h->uid, h->gid, h->ngroups, h->groups);
}

bool
peer_ids_exact(const struct sconn *c)
{
	return c->pidfd >= 0 && c->ids.ngroups < MAXGROUPS;
}

bool
ident_call(int num)
{
	switch (num) {
	case RUMP_SYS_setuid: case RUMP_SYS_setreuid:
	case RUMP_SYS_setresuid: case RUMP_SYS_setfsuid:
	case RUMP_SYS_setgid: case RUMP_SYS_setregid:
	case RUMP_SYS_setresgid: case RUMP_SYS_setfsgid:
	case RUMP_SYS_setgroups:
		return true;
	default:
		return false;
	}
}

/* id is -1 ("unchanged"), or one of have[0..n), or priv may take it. */
static bool
id_ok(int64_t arg, const unsigned *have, int n, bool priv)
{
	unsigned id = (unsigned)arg;

	if (id == (unsigned)-1 || priv)
		return true;
	for (int i = 0; i < n; i++)
		if (have[i] == id)
			return true;
	return false;
}

/*
 * Before a set*id call (ident_call) on c: 0 to let the kernel decide, or
 * EPERM.  A refused setfsuid/setfsgid is not an error on Linux: its
 * argument becomes -1, and the kernel answers the current id.
 */
int
ident_gate(struct sconn *c, int num, int64_t *args, int nargs)
{
	const struct peer_ids *h = &c->ids;
	bool priv, ok = true;
	bool fs = num == RUMP_SYS_setfsuid || num == RUMP_SYS_setfsgid;
	bool uids = num == RUMP_SYS_setuid || num == RUMP_SYS_setreuid ||
	    num == RUMP_SYS_setresuid || num == RUMP_SYS_setfsuid;
	const unsigned *have = uids ? h->uid : h->gid;

	if (peer_ids_refresh(c) != 0) {
		if (fs && nargs >= 1)
			args[0] = -1;
		return fs ? 0 : EPERM;
	}
	/* CAP_SETUID, CAP_SETGID: an effective uid of 0 on the host. */
	priv = h->uid[1] == 0;
	if (num == RUMP_SYS_setgroups)
		return priv ? 0 : EPERM;
	for (int i = 0; i < nargs && i < 3; i++)
		ok = ok && id_ok(args[i], have, fs ? 4 : 3, priv);
	if (ok)
		return 0;
	if (fs) {
		args[0] = -1;
		return 0;
	}
	return EPERM;
}
