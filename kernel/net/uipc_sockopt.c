/*
 * uipc_sockopt.c: the SOL_SOCKET options (setsockopt/getsockopt), after
 * Linux's sk_setsockopt/sk_getsockopt: the values, the doubling of
 * SO_*BUF, the truncation of results to the caller's room, the errno of
 * each refusal.  Options of other levels go to the protocol's
 * pr_ctloutput (EOPNOTSUPP when it has none, as Linux's sock_no_*).
 * A SOL_SOCKET option the layer sets is also shown to the protocol (TCP
 * wants SO_KEEPALIVE, SO_LINGER ...); its ENOPROTOOPT is ignored.
 *
 * What answers ENOPROTOOPT (see README): SO_BINDTODEVICE,
 * SO_BINDTOIFINDEX, SO_ATTACH_FILTER and every BPF option, SO_TIMESTAMP*
 * (no timestamps are kept), SO_PEEK_OFF, SO_BUSY_POLL*, SO_INCOMING_CPU,
 * SO_ZEROCOPY, SO_TXTIME, SO_RCVMARK, SO_PASSSEC, SO_PEERSEC, SO_COOKIE,
 * SO_MEMINFO, SO_NO_CHECK, SO_RXQ_OVFL, SO_WIFI_STATUS, SO_NOFCS,
 * SO_MAX_PACING_RATE, SO_SELECT_ERR_QUEUE, SO_LOCK_FILTER, SO_BUF_LOCK,
 * SO_RESERVE_MEM, SO_TXREHASH, SO_PASSPIDFD, SO_PEERPIDFD, SO_NETNS_COOKIE,
 * and setting SO_SNDLOWAT.
 *
 * Called without so_lock; takes it.
 */
#include "k/kernel.h"
#include "k/socket.h"

#include "net_private.h"

#define SOCK_MIN_SNDBUF	4608	/* Linux's, for its sk_buff size */
#define SOCK_MIN_RCVBUF	2304
#define NS_PER_SEC	1000000000LL

static bool
net_privileged(void)
{
	return kauth_cred_get()->cr_euid == 0;
}

/* The SO_* options kept as so_options bits. */
static int
sof_bit(int name)
{
	switch (name) {
	case SO_DEBUG:		return SOF_DEBUG;
	case SO_REUSEADDR:	return SOF_REUSEADDR;
	case SO_REUSEPORT:	return SOF_REUSEPORT;
	case SO_KEEPALIVE:	return SOF_KEEPALIVE;
	case SO_DONTROUTE:	return SOF_DONTROUTE;
	case SO_BROADCAST:	return SOF_BROADCAST;
	case SO_OOBINLINE:	return SOF_OOBINLINE;
	case SO_PASSCRED:	return SOF_PASSCRED;
	default:		return 0;
	}
}

static int
set_timeo(struct sockbuf *sb, const struct sockopt *sopt)
{
	struct timeval tv;

	if (sopt->sopt_size < sizeof(tv))
		return EINVAL;
	memcpy(&tv, sopt->sopt_data, sizeof(tv));
	if (tv.tv_usec < 0 || tv.tv_usec >= 1000000)
		return EDOM;
	if (tv.tv_sec < 0) {
		/* Linux: a zero timeout, i.e. at once. */
		sb->sb_timeo = 1;
		return 0;
	}
	if (tv.tv_sec == 0 && tv.tv_usec == 0) {
		sb->sb_timeo = 0;
		return 0;
	}
	if (tv.tv_sec > INT64_MAX / NS_PER_SEC - 1)
		sb->sb_timeo = 0;	/* forever, as MAX_SCHEDULE_TIMEOUT */
	else
		sb->sb_timeo = tv.tv_sec * NS_PER_SEC + tv.tv_usec * 1000;
	return 0;
}

static int
get_timeo(const struct sockbuf *sb, struct sockopt *sopt)
{
	struct timeval tv = { 0, 0 };

	if (sb->sb_timeo > 0) {
		tv.tv_sec = sb->sb_timeo / NS_PER_SEC;
		tv.tv_usec = (sb->sb_timeo % NS_PER_SEC) / 1000;
	}
	return sockopt_set(sopt, &tv, sizeof(tv));
}

static int
sosetopt_socket(struct socket *so, struct sockopt *sopt)
{
	int val = 0, bit = sof_bit(sopt->sopt_name), error = 0;
	struct linger l;

	switch (sopt->sopt_name) {
	case SO_LINGER:
		if (sopt->sopt_size < sizeof(l))
			return EINVAL;
		memcpy(&l, sopt->sopt_data, sizeof(l));
		if (l.l_onoff)
			so->so_options |= SOF_LINGER;
		else
			so->so_options &= ~SOF_LINGER;
		so->so_linger = l.l_linger < 0 ? INT32_MAX : l.l_linger;
		return 0;
	case SO_RCVTIMEO_OLD:
	case SO_RCVTIMEO_NEW:
		return set_timeo(&so->so_rcv, sopt);
	case SO_SNDTIMEO_OLD:
	case SO_SNDTIMEO_NEW:
		return set_timeo(&so->so_snd, sopt);
	default:
		break;
	}
	/* Everything else takes an int of at least sizeof(int) bytes. */
	if (sopt->sopt_size < sizeof(int))
		return EINVAL;
	memcpy(&val, sopt->sopt_data, sizeof(int));
	if (bit != 0) {
		if (sopt->sopt_name == SO_DEBUG && val && !net_privileged())
			return EACCES;
		if (val)
			so->so_options |= bit;
		else
			so->so_options &= ~bit;
		return 0;
	}
	switch (sopt->sopt_name) {
	case SO_SNDBUF:
	case SO_SNDBUFFORCE: {
		unsigned int v = (unsigned int)val;

		if (sopt->sopt_name == SO_SNDBUFFORCE) {
			if (!net_privileged())
				return EPERM;
		} else if (v > (unsigned int)net_wmem_max) {
			v = (unsigned int)net_wmem_max;
		}
		v = MIN(v, (unsigned int)INT32_MAX / 2);
		so->so_snd.sb_hiwat = MAX(v * 2, (unsigned int)SOCK_MIN_SNDBUF);
		so->so_snd.sb_flags &= ~SB_AUTOSIZE;
		sowwakeup(so);
		return 0;
	}
	case SO_RCVBUF:
	case SO_RCVBUFFORCE: {
		unsigned int v = (unsigned int)val;

		if (sopt->sopt_name == SO_RCVBUFFORCE) {
			if (!net_privileged())
				return EPERM;
		} else if (v > (unsigned int)net_rmem_max) {
			v = (unsigned int)net_rmem_max;
		}
		v = MIN(v, (unsigned int)INT32_MAX / 2);
		so->so_rcv.sb_hiwat = MAX(v * 2, (unsigned int)SOCK_MIN_RCVBUF);
		so->so_rcv.sb_flags &= ~SB_AUTOSIZE;
		return 0;
	}
	case SO_RCVLOWAT:
		if (val < 0)
			val = INT32_MAX;
		so->so_rcv.sb_lowat = val == 0 ? 1 : (size_t)val;
		sorwakeup(so);
		return 0;
	case SO_PRIORITY:
		if ((val < 0 || val > 6) && !net_privileged())
			return EPERM;
		so->so_priority = val;
		return 0;
	case SO_MARK:
		if (!net_privileged())
			return EPERM;
		so->so_mark = (uint32_t)val;
		return 0;
	default:
		error = ENOPROTOOPT;
		break;
	}
	return error;
}

static int
sogetopt_socket(struct socket *so, struct sockopt *sopt)
{
	int bit = sof_bit(sopt->sopt_name);
	struct linger l;
	struct ucred uc;
	int v;

	if (bit != 0)
		return sockopt_setint(sopt, (so->so_options & bit) != 0);
	switch (sopt->sopt_name) {
	case SO_TYPE:
		return sockopt_setint(sopt, so->so_type);
	case SO_DOMAIN:
		return sockopt_setint(sopt,
		    so->so_proto->pr_domain->dom_family);
	case SO_PROTOCOL:
		return sockopt_setint(sopt, so->so_proto->pr_protocol);
	case SO_ACCEPTCONN:
		return sockopt_setint(sopt,
		    (so->so_options & SOF_ACCEPTCONN) != 0);
	case SO_ERROR:
		v = so->so_error;
		so->so_error = 0;
		return sockopt_setint(sopt, v);
	case SO_SNDBUF:
		return sockopt_setint(sopt, (int)so->so_snd.sb_hiwat);
	case SO_RCVBUF:
		return sockopt_setint(sopt, (int)so->so_rcv.sb_hiwat);
	case SO_RCVLOWAT:
		return sockopt_setint(sopt, (int)so->so_rcv.sb_lowat);
	case SO_SNDLOWAT:
		return sockopt_setint(sopt, 1);
	case SO_PRIORITY:
		return sockopt_setint(sopt, so->so_priority);
	case SO_MARK:
		return sockopt_setint(sopt, (int)so->so_mark);
	case SO_LINGER:
		l.l_onoff = (so->so_options & SOF_LINGER) != 0;
		l.l_linger = so->so_linger;
		return sockopt_set(sopt, &l, sizeof(l));
	case SO_RCVTIMEO_OLD:
	case SO_RCVTIMEO_NEW:
		return get_timeo(&so->so_rcv, sopt);
	case SO_SNDTIMEO_OLD:
	case SO_SNDTIMEO_NEW:
		return get_timeo(&so->so_snd, sopt);
	case SO_PEERCRED:
		/* A protocol without credentials: Linux's "nobody". */
		uc.pid = 0;
		uc.uid = 65534;
		uc.gid = 65534;
		return sockopt_set(sopt, &uc, sizeof(uc));
	default:
		return ENOPROTOOPT;
	}
}

int
sosetopt(struct socket *so, struct sockopt *sopt)
{
	const struct pr_usrreqs *ur = so->so_proto->pr_usrreqs;
	int error;

	solock(so);
	if (sopt->sopt_level != SOL_SOCKET) {
		error = ur->pr_ctloutput != NULL ?
		    ur->pr_ctloutput(PRCO_SETOPT, so, sopt) : EOPNOTSUPP;
	} else {
		error = sosetopt_socket(so, sopt);
		if (ur->pr_ctloutput != NULL) {
			int perr = ur->pr_ctloutput(PRCO_SETOPT, so, sopt);

			/* The protocol may know what the layer does not
			 * (SO_PEERGROUPS ...) or refuse a value. */
			if (error == ENOPROTOOPT || (error == 0 &&
			    perr != ENOPROTOOPT))
				error = perr;
		}
	}
	sounlock(so);
	netisr_run();
	return error;
}

int
sogetopt(struct socket *so, struct sockopt *sopt)
{
	const struct pr_usrreqs *ur = so->so_proto->pr_usrreqs;
	int error;

	solock(so);
	if (sopt->sopt_level != SOL_SOCKET) {
		error = ur->pr_ctloutput != NULL ?
		    ur->pr_ctloutput(PRCO_GETOPT, so, sopt) : EOPNOTSUPP;
	} else {
		/* The protocol first: SO_PEERCRED is AF_UNIX's. */
		error = ENOPROTOOPT;
		if (ur->pr_ctloutput != NULL)
			error = ur->pr_ctloutput(PRCO_GETOPT, so, sopt);
		if (error == ENOPROTOOPT)
			error = sogetopt_socket(so, sopt);
	}
	sounlock(so);
	return error;
}
