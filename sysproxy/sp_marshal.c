/*
 * sp_marshal.c: one system call as one round trip (doc/PROTOCOL.md).
 *
 * The request carries the arguments and, for each buffer argument in
 * order, a segment: a u64 length and that many bytes, padded to 8 so that
 * the server can hand the kernel aligned pointers into the frame.  What a
 * buffer is and how big comes from sp_systab (syscalls.master), computed
 * on each side from the argument values; the segment lengths are checked
 * against it, never believed.  The reply carries the result and, on
 * success, one segment per output buffer.
 *
 * This file holds what both sides compute alike: the layout of an ioctl's
 * or fcntl's argument from its request number.  The client half is in
 * sp_marshal_client.c, the server half in sp_marshal_server.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/fs.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <net/route.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "sp_marshal.h"

/* --- ioctl and fcntl arguments ------------------------------------------ */

/* Requests whose number does not encode the argument (legacy ones). */
static const struct {
	unsigned long req;
	uint8_t kind;
	uint8_t size;
} ioctl_legacy[] = {
	{ FIONREAD, SPA_OUT, sizeof(int) },
	{ FIONBIO, SPA_IN, sizeof(int) },
	/* Sockets: SIOCINQ is FIONREAD, SIOCOUTQ is TIOCOUTQ. */
	{ SIOCOUTQ, SPA_OUT, sizeof(int) },
	{ SIOCOUTQNSD, SPA_OUT, sizeof(int) },
	{ SIOCATMARK, SPA_OUT, sizeof(int) },
	{ FIOASYNC, SPA_IN, sizeof(int) },
	{ FIOCLEX, SPA_NONE, 0 },
	{ FIONCLEX, SPA_NONE, 0 },
	{ BLKGETSIZE, SPA_OUT, sizeof(unsigned long) },
	{ BLKSSZGET, SPA_OUT, sizeof(int) },
	{ BLKROGET, SPA_OUT, sizeof(int) },
	/* netdevice(7): a struct ifreq in and out. */
	{ SIOCGIFNAME, SPA_INOUT, sizeof(struct ifreq) },
	{ SIOCGIFFLAGS, SPA_INOUT, sizeof(struct ifreq) },
	{ SIOCSIFFLAGS, SPA_INOUT, sizeof(struct ifreq) },
	{ SIOCGIFADDR, SPA_INOUT, sizeof(struct ifreq) },
	{ SIOCSIFADDR, SPA_INOUT, sizeof(struct ifreq) },
	{ SIOCGIFDSTADDR, SPA_INOUT, sizeof(struct ifreq) },
	{ SIOCSIFDSTADDR, SPA_INOUT, sizeof(struct ifreq) },
	{ SIOCGIFBRDADDR, SPA_INOUT, sizeof(struct ifreq) },
	{ SIOCSIFBRDADDR, SPA_INOUT, sizeof(struct ifreq) },
	{ SIOCGIFNETMASK, SPA_INOUT, sizeof(struct ifreq) },
	{ SIOCSIFNETMASK, SPA_INOUT, sizeof(struct ifreq) },
	{ SIOCGIFMETRIC, SPA_INOUT, sizeof(struct ifreq) },
	{ SIOCSIFMETRIC, SPA_INOUT, sizeof(struct ifreq) },
	{ SIOCGIFMTU, SPA_INOUT, sizeof(struct ifreq) },
	{ SIOCSIFMTU, SPA_INOUT, sizeof(struct ifreq) },
	{ SIOCSIFNAME, SPA_INOUT, sizeof(struct ifreq) },
	{ SIOCSIFHWADDR, SPA_INOUT, sizeof(struct ifreq) },
	{ SIOCGIFHWADDR, SPA_INOUT, sizeof(struct ifreq) },
	{ SIOCGIFINDEX, SPA_INOUT, sizeof(struct ifreq) },
	{ SIOCGIFTXQLEN, SPA_INOUT, sizeof(struct ifreq) },
	{ SIOCSIFTXQLEN, SPA_INOUT, sizeof(struct ifreq) },
	{ SIOCGIFMAP, SPA_INOUT, sizeof(struct ifreq) },
	{ SIOCSIFMAP, SPA_INOUT, sizeof(struct ifreq) },
	/* arp(7) */
	{ SIOCSARP, SPA_INOUT, sizeof(struct arpreq) },
	{ SIOCGARP, SPA_INOUT, sizeof(struct arpreq) },
	{ SIOCDARP, SPA_INOUT, sizeof(struct arpreq) },
	/* With pointers inside (sp_ioctl.c). */
	{ SIOCGIFCONF, SPA_IFCONF, sizeof(struct ifconf) },
	{ SIOCADDRT, SPA_RTENTRY, sizeof(struct rtentry) },
	{ SIOCDELRT, SPA_RTENTRY, sizeof(struct rtentry) },
};

/* Linux's struct in6_ifreq (<linux/ipv6.h>, which clashes with libc's
 * headers): an address, its prefix length, an interface index. */
struct sp_in6_ifreq {
	struct in6_addr addr;
	uint32_t prefixlen;
	int32_t ifindex;
};
_Static_assert(sizeof(struct sp_in6_ifreq) == 24, "in6_ifreq layout");

bool
sp_ioctl_famdep(uint64_t req)
{
	req &= ~SP_IOC_INET6;
	return req == SIOCADDRT || req == SIOCDELRT || req == SIOCSIFADDR ||
	    req == SIOCDIFADDR;
}

int
sp_ioctl_arg(unsigned long req, uint8_t *kind, uint64_t *size)
{
	unsigned dir = _IOC_DIR(req);

	/* An AF_INET6 socket's layouts: read by the kernel, nothing back. */
	if ((uint64_t)req & SP_IOC_INET6) {
		unsigned long base = (unsigned long)((uint64_t)req &
		    ~SP_IOC_INET6);

		*kind = SPA_IN;
		if (base == SIOCADDRT || base == SIOCDELRT) {
			*size = sizeof(struct in6_rtmsg);
			return 0;
		}
		if (base == SIOCSIFADDR || base == SIOCDIFADDR) {
			*size = sizeof(struct sp_in6_ifreq);
			return 0;
		}
		*kind = SPA_REJECT;
		*size = ENOTTY;
		return 0;
	}

	for (size_t i = 0; i < sizeof(ioctl_legacy) / sizeof(ioctl_legacy[0]);
	    i++) {
		if (ioctl_legacy[i].req == req) {
			*kind = ioctl_legacy[i].kind;
			*size = ioctl_legacy[i].size;
			return 0;
		}
	}
	/* Encoded requests say their direction and size; _IO ones do not
	 * say whether the argument is a pointer, so they are not served. */
	if ((req >> 32) == 0 && dir != _IOC_NONE && _IOC_SIZE(req) > 0) {
		*kind = dir == _IOC_READ ? SPA_OUT :
		    dir == _IOC_WRITE ? SPA_IN : SPA_INOUT;
		*size = _IOC_SIZE(req);
		return 0;
	}
	*kind = SPA_REJECT;
	*size = ENOTTY;
	return 0;
}

int
sp_fcntl_arg(int cmd, uint8_t *kind, uint64_t *size)
{
	switch (cmd) {
	case F_GETLK: case F_SETLK: case F_SETLKW:
	case F_OFD_GETLK: case F_OFD_SETLK: case F_OFD_SETLKW:
		*kind = SPA_INOUT;
		*size = sizeof(struct flock);
		return 0;
	case F_DUPFD: case F_DUPFD_CLOEXEC: case F_GETFD: case F_SETFD:
	case F_GETFL: case F_SETFL: case F_GETOWN: case F_SETOWN:
	case F_GETSIG: case F_SETSIG: case F_GETLEASE: case F_SETLEASE:
	case F_NOTIFY: case F_GETPIPE_SZ: case F_SETPIPE_SZ:
	case F_ADD_SEALS: case F_GET_SEALS:
		*kind = SPA_SCALAR;
		*size = 0;
		return 0;
	default:
		*kind = SPA_REJECT;
		*size = EINVAL;
		return 0;
	}
}

/* The kind and size of argument i of a call, ioctl/fcntl resolved. */
int
sp_arg_layout(const struct sp_sysent *e, const int64_t *args, int i,
    const uint64_t *sz, uint8_t *kind, uint64_t *size)
{
	const struct sp_argdesc *d = &e->args[i];

	*kind = d->kind;
	*size = sz[i];
	if (d->kind == SPA_IOCTL && d->ref >= 0)
		return sp_ioctl_arg((unsigned long)args[d->ref], kind, size);
	if (d->kind == SPA_FCNTL && d->ref >= 0)
		return sp_fcntl_arg((int)args[d->ref], kind, size);
	return 0;
}
