/*
 * uipc_sockio.c: sosend() and soreceive(), the data path between a
 * system call's uio and a protocol (k/socket.h).
 *
 * Both run with so_lock held and copy between the uio and the mbufs under
 * it: the client's buffers are in this address space (or staged by the
 * server), so a copy never sleeps.  They give the lock up only to sleep
 * (file_cv_wait on sb_cv, with SO_*TIMEO as the deadline: EAGAIN when it
 * passes, as Linux) and around netisr_run() after each protocol request,
 * so loopback traffic is delivered in the caller's thread without a socket
 * lock held.  sblock() keeps one reader (and one stream writer) at a time
 * across those sleeps, so records and MSG_WAITALL reads do not interleave.
 *
 * Errors as Linux gives them: EPIPE after shutdown(SHUT_WR) or a reset
 * (the kernel has no signals to send: SIGPIPE never comes, with or
 * without MSG_NOSIGNAL); a pending so_error first (on a datagram socket
 * even before queued data); EMSGSIZE for a datagram larger than the send
 * buffer; a partial stream transfer returns its count and drops the
 * error.  MSG_ERRQUEUE reads the protocol's error queue (pr_recverr).
 */
#include "k/kernel.h"
#include "k/socket.h"

#include "net_private.h"

static int
sblock(struct sockbuf *sb, kmutex_t *lk, bool nbio)
{
	int error;

	while (sb->sb_flags & SB_LOCKED) {
		if (nbio)
			return EAGAIN;
		sb->sb_flags |= SB_WANT;
		if ((error = file_cv_wait(&sb->sb_cv, lk, KWAIT_FOREVER)) != 0)
			return error;
	}
	sb->sb_flags |= SB_LOCKED;
	return 0;
}

static void
sbunlock(struct sockbuf *sb)
{
	sb->sb_flags &= ~SB_LOCKED;
	if (sb->sb_flags & SB_WANT) {
		sb->sb_flags &= ~SB_WANT;
		cv_broadcast(&sb->sb_cv);
	}
}

static int64_t
sbdeadline(const struct sockbuf *sb)
{
	return sb->sb_timeo > 0 ? uptime_ns() + sb->sb_timeo : KWAIT_FOREVER;
}

/* Sleeps for sb; EAGAIN when the SO_*TIMEO deadline passed. */
static int
sbwait(struct socket *so, struct sockbuf *sb, int64_t deadline)
{
	int error;

	if (sbspin(so, sb))
		return 0;	/* woken while spinning: the caller rechecks */
	error = file_cv_wait(&sb->sb_cv, so->so_lock, deadline);
	return error == ETIMEDOUT ? EAGAIN : error;
}

/* Drops the lock for netisr_run() (and freeing) and takes it again. */
static void
sorun(struct socket *so)
{
	sounlock(so);
	netisr_run();
	solock(so);
}

static bool
so_unix(const struct socket *so)
{
	return so->so_proto->pr_domain->dom_family == AF_UNIX;
}

int
sosend(struct socket *so, const struct sockaddr *sa, socklen_t salen,
    struct uio *uio, struct mbuf *control, int flags, bool nbio,
    size_t *sentp)
{
	const struct protosw *pr = so->so_proto;
	bool atomic = (pr->pr_flags & PR_ATOMIC) != 0;
	size_t resid = uio->uio_resid, sent = 0;
	size_t hdrroom = so_unix(so) ? 0 : MAX_HDR_ROOM;
	int64_t deadline;
	int error = 0;

	*sentp = 0;
	if (flags & MSG_DONTWAIT)
		nbio = true;
	if (flags & MSG_OOB) {
		if (pr->pr_usrreqs->pr_sendoob == NULL) {
			m_freem(control);
			return EOPNOTSUPP;
		}
	}
	solock(so);
	deadline = sbdeadline(&so->so_snd);
	if (!atomic && (error = sblock(&so->so_snd, so->so_lock, nbio)) != 0)
		goto out_nolock;
	do {
		struct mbuf *m = NULL;
		size_t space, chunk;

		if (so->so_state & SS_CANTSENDMORE) {
			error = EPIPE;
			break;
		}
		if (so->so_error != 0) {
			error = so->so_error;
			so->so_error = 0;
			break;
		}
		if ((pr->pr_flags & PR_CONNREQUIRED) &&
		    !(so->so_state & SS_ISCONNECTED)) {
			if (so->so_state & SS_ISCONNECTING) {
				if (nbio) {
					error = EAGAIN;
					break;
				}
				error = file_cv_wait(&so->so_cv, so->so_lock,
				    deadline);
				if (error == ETIMEDOUT)
					error = EAGAIN;
				if (error != 0)
					break;
				continue;
			}
			/* Linux: unix says ENOTCONN, TCP EPIPE. */
			error = so_unix(so) && !(so->so_state &
			    SS_ISDISCONNECTED) ? ENOTCONN : EPIPE;
			break;
		}
		if (atomic && resid > so->so_snd.sb_hiwat) {
			error = EMSGSIZE;
			break;
		}
		space = sbspace(&so->so_snd);
		if ((atomic && space < resid) || (!atomic && space == 0)) {
			if (nbio) {
				error = EAGAIN;
				break;
			}
			if ((error = sbwait(so, &so->so_snd, deadline)) != 0)
				break;
			continue;
		}
		chunk = atomic ? resid : MIN(space, resid - sent);
		if (chunk > 0 || atomic) {
			struct uio save = *uio;
			struct iovec iovsave[UIO_MAXIOV];
			int niov = uio->uio_iovcnt;

			/* PR_SENDWAIT may hand the message back: keep the
			 * uio's position to copy it again. */
			if ((pr->pr_flags & PR_SENDWAIT) &&
			    niov <= UIO_MAXIOV)
				memcpy(iovsave, uio->uio_iov,
				    sizeof(struct iovec) * (size_t)niov);
			if (chunk > 0 || !(pr->pr_flags & PR_ATOMIC))
				error = m_uiomove(uio, chunk, hdrroom, &m);
			if (error != 0)
				break;
			if (flags & MSG_EOR && m != NULL) {
				struct mbuf *t = m;

				while (t->m_next != NULL)
					t = t->m_next;
				t->m_flags |= M_EOR;
			}
			if (flags & MSG_OOB)
				error = pr->pr_usrreqs->pr_sendoob(so, m);
			else
				error = pr->pr_usrreqs->pr_send(so, m, sa,
				    salen, control, flags);
			if (error == EAGAIN && (pr->pr_flags & PR_SENDWAIT)) {
				/* Not taken: wait for room and copy again. */
				m_freem(m);
				*uio = save;
				if (niov <= UIO_MAXIOV)
					memcpy(uio->uio_iov, iovsave,
					    sizeof(struct iovec) *
					    (size_t)niov);
				error = 0;
				if (nbio) {
					error = EAGAIN;
					break;
				}
				if ((error = sbwait(so, &so->so_snd,
				    deadline)) != 0)
					break;
				continue;
			}
			control = NULL;
			if (error != 0)
				break;
			sent += chunk;
		}
		sorun(so);
	} while (sent < resid);
	if (!atomic)
		sbunlock(&so->so_snd);
	sounlock(so);
	netisr_run();
	m_freem(control);
	*sentp = sent;
	if (sent > 0 && !atomic)
		return 0;
	return error;
out_nolock:
	sounlock(so);
	m_freem(control);
	return error;
}

/* Moves the data of one mbuf to the uio: n bytes from offset off. */
static int
m_touio(struct mbuf *m, size_t off, size_t n, struct uio *uio)
{
	return n == 0 ? 0 : uiomove(m->m_data + off, n, uio);
}

/*
 * A datagram or seqpacket record: the name, the control (moved to
 * *controlp, or copied with MSG_PEEK), the data up to the uio (MSG_TRUNC
 * in *flagsp if it did not fit).  *lenp: bytes copied, or the whole
 * record with MSG_TRUNC in flags, as Linux returns.
 */
static int
soreceive_record(struct socket *so, struct uio *uio,
    struct sockaddr_storage *from, socklen_t *fromlenp,
    struct mbuf **controlp, int flags, int *oflagsp, size_t *lenp)
{
	struct sockbuf *sb = &so->so_rcv;
	struct mbuf *rec = sb->sb_mb, *m, *ctl = NULL, **ctlp = &ctl;
	size_t total = 0, copied = 0;
	bool peek = (flags & MSG_PEEK) != 0;
	int error = 0;

	for (m = rec; m != NULL; m = m->m_next) {
		if (m->m_type == MT_SONAME) {
			if (from != NULL && m->m_len <= sizeof(*from)) {
				memcpy(from, m->m_data, m->m_len);
				*fromlenp = m->m_len;
			}
		} else if (m->m_type == MT_CONTROL) {
			if (controlp != NULL) {
				/* This control mbuf alone, not the data
				 * chained after it. */
				struct mbuf *c = m_copym(m, 0, m->m_len);

				if (c == NULL) {
					m_freem(ctl);
					return ENOBUFS;
				}
				c->m_type = MT_CONTROL;
				*ctlp = c;
				ctlp = &c->m_next;
			}
		} else {
			size_t n = MIN((size_t)m->m_len, uio->uio_resid);

			if (error == 0 && n > 0) {
				error = m_touio(m, 0, n, uio);
				copied += n;
			}
			total += m->m_len;
			if (m->m_flags & M_EOR)
				*oflagsp |= MSG_EOR;
		}
	}
	if (error != 0) {
		m_freem(ctl);
		return error;
	}
	if (total > copied)
		*oflagsp |= MSG_TRUNC;
	if (!peek) {
		/* Handed to the reader, the control's references move with
		 * it (freeing mbufs releases none); unread, they go. */
		const struct domain *dp = so->so_proto->pr_domain;

		for (m = rec; m != NULL; m = m->m_next)
			if (m->m_type == MT_CONTROL && controlp == NULL &&
			    dp->dom_dispose != NULL)
				dp->dom_dispose(m);
		sbdroprecord(sb);
	}
	if (controlp != NULL)
		*controlp = ctl;
	*lenp = (flags & MSG_TRUNC) ? total : copied;
	return 0;
}

/*
 * recvmsg(MSG_ERRQUEUE) (ip(7)): one record of the protocol's error
 * queue, never waiting (EAGAIN when empty), with MSG_ERRQUEUE in the
 * flags and MSG_TRUNC when the data did not fit; *lenp the bytes copied.
 */
static int
soreceive_errq(struct socket *so, struct uio *uio,
    struct sockaddr_storage *from, socklen_t *fromlenp,
    struct mbuf **controlp, int *flagsp, size_t *lenp)
{
	struct mbuf *data, *ctl, *m;
	size_t copied = 0, total = 0;
	int error;

	solock(so);
	error = so->so_proto->pr_usrreqs->pr_recverr(so, &data, &ctl, from,
	    fromlenp);
	sounlock(so);
	if (error != 0)
		return error;
	for (m = data; m != NULL; m = m->m_next) {
		size_t n = MIN((size_t)m->m_len, uio->uio_resid);

		if (error == 0 && n > 0) {
			error = m_touio(m, 0, n, uio);
			copied += n;
		}
		total += m->m_len;
	}
	m_freem(data);
	if (error != 0) {
		m_freem(ctl);
		return error;
	}
	if (controlp != NULL)
		*controlp = ctl;
	else
		m_freem(ctl);
	*flagsp = MSG_ERRQUEUE | (total > copied ? MSG_TRUNC : 0);
	*lenp = copied;
	return 0;
}

int
soreceive(struct socket *so, struct uio *uio, struct sockaddr_storage *from,
    socklen_t *fromlenp, struct mbuf **controlp, int *flagsp, bool nbio,
    size_t *lenp)
{
	const struct protosw *pr = so->so_proto;
	struct sockbuf *sb = &so->so_rcv;
	int flags = *flagsp, oflags = 0, error = 0;
	bool atomic = (pr->pr_flags & PR_ATOMIC) != 0;
	bool peek = (flags & MSG_PEEK) != 0;
	bool tookctl = false, tookfds = false, endrec;
	size_t copied = 0, peekoff = 0, want;
	int64_t deadline;

	*lenp = 0;
	if (controlp != NULL)
		*controlp = NULL;
	if (flags & MSG_DONTWAIT)
		nbio = true;
	if (flags & MSG_OOB) {
		/* Urgent data is the protocol's (TCP); nobody has it yet. */
		return so_unix(so) ? EOPNOTSUPP : EINVAL;
	}
	if ((flags & MSG_ERRQUEUE) && pr->pr_usrreqs->pr_recverr != NULL)
		return soreceive_errq(so, uio, from, fromlenp, controlp,
		    flagsp, lenp);
	solock(so);
	if ((pr->pr_flags & PR_CONNREQUIRED) &&
	    !(so->so_state & (SS_ISCONNECTED | SS_ISDISCONNECTED |
	    SS_ISCONNECTING)) && sb->sb_mb == NULL) {
		/* Never connected: Linux's unix says EINVAL, TCP ENOTCONN. */
		sounlock(so);
		return so_unix(so) ? EINVAL : ENOTCONN;
	}
	deadline = sbdeadline(sb);
	if ((error = sblock(sb, so->so_lock, nbio)) != 0) {
		sounlock(so);
		return error;
	}
	want = uio->uio_resid;
	for (;;) {
		bool ready;

		/* A datagram socket reports a pending error before its data
		 * (Linux's __skb_try_recv_datagram: sock_error first), so an
		 * ICMP error reaches ping before the raw copy of it. */
		if (atomic && so->so_error != 0) {
			error = so->so_error;
			so->so_error = 0;
			goto done;
		}
		if (atomic)
			ready = sb->sb_mb != NULL;
		else {
			size_t lowat = MIN((size_t)sb->sb_lowat, want);

			if (flags & MSG_WAITALL)
				lowat = want;
			ready = sb->sb_cc > peekoff &&
			    (sb->sb_cc - peekoff >= lowat - MIN(lowat,
			    copied) || (sb->sb_mb != NULL &&
			    sb->sb_mb->m_type == MT_CONTROL));
			/* Whatever is there once nothing more can come. */
			if (sb->sb_cc > peekoff && (so->so_state &
			    SS_CANTRCVMORE))
				ready = true;
		}
		if (ready)
			break;
		if (copied > 0 && (!(flags & MSG_WAITALL) || peek))
			goto done;
		if (so->so_error != 0) {
			if (copied == 0) {
				error = so->so_error;
				so->so_error = 0;
			}
			goto done;
		}
		if (so->so_state & SS_CANTRCVMORE)
			goto done;
		if (want == 0 && !atomic)
			goto done;
		if (nbio) {
			if (copied == 0)
				error = EAGAIN;
			goto done;
		}
		if ((error = sbwait(so, sb, deadline)) != 0) {
			if (copied > 0)
				error = 0;
			goto done;
		}
	}
	if (atomic) {
		error = soreceive_record(so, uio, from, fromlenp, controlp,
		    flags, &oflags, &copied);
		goto done;
	}
	/* Stream: data across mbufs and records, control with its data. */
	while (uio->uio_resid > 0 && sb->sb_mb != NULL) {
		struct mbuf *rec = sb->sb_mb, *m;
		size_t off = peekoff, n;

		if (peek) {
			/* Walk past what an earlier pass peeked. */
			size_t got = 0;
			struct mbuf *r;

			for (r = rec; r != NULL; r = r->m_nextpkt) {
				for (m = r; m != NULL; m = m->m_next) {
					if (m->m_type == MT_SONAME ||
					    m->m_type == MT_CONTROL)
						continue;
					if (off < m->m_len) {
						n = MIN(m->m_len - off,
						    uio->uio_resid);
						if ((error = m_touio(m, off,
						    n, uio)) != 0)
							goto done;
						got += n;
						off = 0;
						if (uio->uio_resid == 0)
							break;
					} else {
						off -= m->m_len;
					}
				}
				if (uio->uio_resid == 0)
					break;
			}
			copied += got;
			peekoff += got;
			break;
		}
		m = rec;
		/* One read delivers one control message, with the bytes
		 * before it and those sent with it (Linux glues the former). */
		if (m->m_type == MT_CONTROL && tookctl)
			break;
		if (m->m_type == MT_SONAME || m->m_type == MT_CONTROL) {
			const struct domain *dp = pr->pr_domain;

			if (m->m_type == MT_CONTROL && controlp != NULL) {
				/* This control mbuf alone, not the data
				 * chained after it. */
				struct mbuf *c = m_copym(m, 0, m->m_len);

				if (c == NULL) {
					error = ENOBUFS;
					break;
				}
				c->m_type = MT_CONTROL;
				c->m_next = *controlp;
				*controlp = c;
			} else if (m->m_type == MT_CONTROL &&
			    dp->dom_dispose != NULL) {
				dp->dom_dispose(m);
			}
			if (m->m_type == MT_CONTROL) {
				tookctl = true;
				tookfds = (m->m_flags & M_RIGHTS) != 0;
			}
			sbdropfirst(sb);
			continue;
		}
		n = MIN((size_t)m->m_len, uio->uio_resid);
		if ((error = m_touio(m, 0, n, uio)) != 0)
			break;
		copied += n;
		endrec = m->m_next == NULL && n == m->m_len;
		sbdrop(sb, n);
		if ((pr->pr_flags & PR_WANTRCVD) && n > 0)
			pr->pr_usrreqs->pr_rcvd(so, flags);
		/* Linux: a read that took descriptors ends with the data
		 * sent with them. */
		if (tookfds && endrec)
			break;
		if (uio->uio_resid > 0 && sb->sb_mb == NULL &&
		    (flags & MSG_WAITALL) && !(so->so_state & SS_CANTRCVMORE)
		    && so->so_error == 0) {
			/* Wait for the rest. */
			if (nbio)
				break;
			sorun(so);
			while (sb->sb_mb == NULL && so->so_error == 0 &&
			    !(so->so_state & SS_CANTRCVMORE)) {
				if ((error = sbwait(so, sb, deadline)) != 0)
					break;
			}
			if (error != 0) {
				error = 0;
				break;
			}
		}
	}
done:
	if (atomic && error == 0 && !peek &&
	    (pr->pr_flags & PR_WANTRCVD))
		pr->pr_usrreqs->pr_rcvd(so, flags);
	sbunlock(sb);
	sounlock(so);
	netisr_run();
	if (!atomic && copied > 0)
		error = 0;
	*flagsp = oflags;
	*lenp = copied;
	return error;
}
