/*
 * unix_scm.c: AF_UNIX control messages.  SCM_RIGHTS passes open files of
 * this kernel: the sender's descriptors are looked up and referenced when
 * the message is queued (the files are "in flight"), and the receiver
 * gets new descriptors for them (MSG_CMSG_CLOEXEC sets close-on-exec).
 * A message dropped unread (close, a truncated read, no room for the
 * descriptors) releases its files.  There is no garbage collector for
 * cycles: a socket sent over itself and never read stays until the
 * kernel goes (as NetBSD before its unp_gc, unlike Linux).
 *
 * SCM_CREDENTIALS carries a struct ucred; a non-root sender may only send
 * its own pid, uid (real, effective or saved) and gid, as Linux checks.
 * A receiver with SO_PASSCRED when the message is sent gets the sender's
 * credentials with every message.
 *
 * The kernel form is one MT_CONTROL mbuf holding struct unp_ctl.
 * Internalize runs under unp_lock; externalize without any socket lock
 * (it installs descriptors and releases files); dispose may run under
 * unp_lock, so it defers the releases (so_defer_filerele).
 */
#include "k/kernel.h"
#include "k/file.h"
#include "k/socket.h"

#include "unix_private.h"
#include "../net_private.h"

struct unp_ctl {
	bool uc_hascred;
	struct ucred uc_cred;
	int uc_nfds;
	struct file *uc_fds[];
};

static size_t
unp_ctl_size(int nfds)
{
	return sizeof(struct unp_ctl) + sizeof(struct file *) * (size_t)nfds;
}

static bool
cred_check(const struct ucred *uc)
{
	struct kauth_cred *cr = kauth_cred_get();

	if (cr->cr_euid == 0)
		return true;
	if (uc->pid != curproc->p_pid)
		return false;
	if (uc->uid != cr->cr_uid && uc->uid != cr->cr_euid &&
	    uc->uid != cr->cr_suid)
		return false;
	if (uc->gid != cr->cr_gid && uc->gid != cr->cr_egid &&
	    uc->gid != cr->cr_sgid)
		return false;
	return true;
}

int
unp_internalize(struct socket *so, struct socket *rso, struct mbuf *control,
    struct mbuf **ctlp)
{
	int fds[SCM_MAX_FD], nfds = 0, error = 0;
	struct ucred uc;
	bool hascred = false;
	struct unp_ctl *c;
	struct mbuf *m;
	size_t off = 0, len, sz;

	(void)so;
	*ctlp = NULL;
	len = control != NULL ? control->m_len : 0;
	while (len - off >= sizeof(struct cmsghdr)) {
		struct cmsghdr h;
		const uint8_t *data;
		size_t dlen;

		memcpy(&h, control->m_data + off, sizeof(h));
		data = control->m_data + off + CMSG_ALIGN(sizeof(h));
		dlen = h.cmsg_len - CMSG_ALIGN(sizeof(h));
		if (h.cmsg_len < CMSG_ALIGN(sizeof(h)))
			dlen = 0;
		if (h.cmsg_level == SOL_SOCKET) {
			switch (h.cmsg_type) {
			case SCM_RIGHTS: {
				size_t n = dlen / sizeof(int);

				if (nfds + n > SCM_MAX_FD) {
					error = EINVAL;
					goto out;
				}
				memcpy(fds + nfds, data, n * sizeof(int));
				nfds += (int)n;
				break;
			}
			case SCM_CREDENTIALS:
				if (h.cmsg_len != CMSG_LEN(sizeof(uc))) {
					error = EINVAL;
					goto out;
				}
				memcpy(&uc, data, sizeof(uc));
				if (!cred_check(&uc)) {
					error = EPERM;
					goto out;
				}
				hascred = true;
				break;
			default:
				error = EINVAL;
				goto out;
			}
		}
		if (CMSG_ALIGN(h.cmsg_len) >= len - off)
			break;
		off += CMSG_ALIGN(h.cmsg_len);
	}
	if (!hascred && (rso->so_options & SOF_PASSCRED)) {
		struct kauth_cred *cr = kauth_cred_get();

		uc.pid = curproc->p_pid;
		uc.uid = cr->cr_euid;
		uc.gid = cr->cr_egid;
		hascred = true;
	}
	if (!hascred && nfds == 0)
		goto out;
	sz = unp_ctl_size(nfds);
	m = sz <= MLEN ? m_get(MT_CONTROL) : m_getcl(MT_CONTROL, 0, sz);
	if (m == NULL) {
		error = ENOBUFS;
		goto out;
	}
	c = mtod(m, struct unp_ctl *);
	c->uc_hascred = hascred;
	if (hascred)
		c->uc_cred = uc;
	c->uc_nfds = 0;
	for (int i = 0; i < nfds; i++) {
		struct file *fp;

		if ((error = fd_getfile(fds[i], &fp)) != 0) {
			unp_dispose(m);
			m_free(m);
			goto out;
		}
		c->uc_fds[c->uc_nfds++] = fp;
	}
	m->m_len = (uint32_t)sz;
	if (nfds > 0)
		m->m_flags |= M_RIGHTS;
	*ctlp = m;
out:
	m_freem(control);
	return error;
}

/* Linux's put_cmsg: header and data, truncated to the room. */
static int
put_cmsg(uint8_t *ubuf, size_t room, size_t *usedp, int type,
    const void *data, size_t dlen, bool *truncp)
{
	struct cmsghdr h;
	size_t left = room - *usedp, cmlen = CMSG_LEN(dlen);
	int error;

	if (left < sizeof(h)) {
		*truncp = true;
		return 0;
	}
	if (left < cmlen) {
		*truncp = true;
		cmlen = left;
	}
	h.cmsg_len = cmlen;
	h.cmsg_level = SOL_SOCKET;
	h.cmsg_type = type;
	if ((error = copyout(&h, ubuf + *usedp, sizeof(h))) != 0)
		return error;
	if (cmlen > CMSG_ALIGN(sizeof(h)) && (error = copyout(data,
	    ubuf + *usedp + CMSG_ALIGN(sizeof(h)),
	    cmlen - CMSG_ALIGN(sizeof(h)))) != 0)
		return error;
	*usedp += MIN(CMSG_SPACE(dlen), left);
	return 0;
}

int
unp_externalize(struct mbuf *control, int flags, void *uctl, size_t *ulenp)
{
	struct unp_ctl *c = mtod(control, struct unp_ctl *);
	size_t room = uctl != NULL ? *ulenp : 0, used = 0;
	bool trunc = false, peek = (flags & MSG_PEEK) != 0;
	int fds[SCM_MAX_FD], nfit = 0, error = 0, i;

	if (control->m_len < sizeof(*c)) {
		*ulenp = 0;
		return 0;
	}
	if (c->uc_hascred)
		error = put_cmsg(uctl, room, &used, SCM_CREDENTIALS,
		    &c->uc_cred, sizeof(c->uc_cred), &trunc);
	if (error == 0 && c->uc_nfds > 0) {
		size_t left = room - used;

		if (left >= CMSG_LEN(sizeof(int)))
			nfit = (int)MIN((size_t)c->uc_nfds,
			    (left - CMSG_LEN(0)) / sizeof(int));
		if (nfit < c->uc_nfds)
			trunc = true;
		for (i = 0; i < nfit; i++) {
			if (fd_install_lowest(c->uc_fds[i], 0,
			    (flags & MSG_CMSG_CLOEXEC) != 0, &fds[i]) != 0) {
				/* EMFILE: Linux stops and truncates. */
				nfit = i;
				trunc = true;
				break;
			}
		}
		if (nfit > 0)
			error = put_cmsg(uctl, room, &used, SCM_RIGHTS, fds,
			    sizeof(int) * (size_t)nfit, &trunc);
	}
	/* The message is consumed: its references go (the descriptors
	 * made hold their own). */
	if (!peek) {
		for (i = 0; i < c->uc_nfds; i++)
			file_rele(c->uc_fds[i]);
		c->uc_nfds = 0;
	}
	*ulenp = used;
	if (error != 0)
		return error;
	return trunc ? EMSGSIZE : 0;
}

void
unp_dispose(struct mbuf *control)
{
	struct unp_ctl *c = mtod(control, struct unp_ctl *);

	if (control->m_len < sizeof(*c))
		return;
	for (int i = 0; i < c->uc_nfds; i++)
		so_defer_filerele(c->uc_fds[i]);
	c->uc_nfds = 0;
}
