/*
 * procfs_sys.c: /proc/sys, the sysctl tree as files.
 *
 * The sysctl "kern.maxvnodes" is the file /proc/sys/kern/maxvnodes; the
 * directories are the dotted prefixes of the names.  Reading a file gives
 * sysctl_read_text's form (the value and a newline); writing one (root
 * only, the whole value in one write at offset 0, one trailing newline
 * allowed) goes through sysctl_write_text, which rejects bad input with
 * EINVAL and changes nothing.
 *
 * Node keys need a small stable number per name, so names are interned:
 * the table below only grows, and an index keeps meaning the same name
 * for the life of the kernel (index 0 is /proc/sys itself).  Whether the
 * name still exists is asked of sysctl each time.
 *
 * Locking: vfs_giant (held by every caller) covers the table.
 */
#include "k/kernel.h"
#include "k/sysctl.h"

#include "procfs.h"

#define PFS_SYS_MAXNAME	256	/* longest dotted name we show */
#define PFS_SYS_MAXWRITE 4096	/* as Linux: one page per write */

struct pfs_sysname {
	char *sn_name;			/* dotted; "" for /proc/sys */
	size_t sn_len;
	bool sn_isdir;
};

static struct pfs_sysname *pfs_names;
static uint32_t pfs_nnames, pfs_capnames;

static int
pfs_sys_intern(const char *name, size_t len, bool isdir, uint32_t *idxp)
{
	struct pfs_sysname *nn;
	uint32_t i, ncap;
	char *copy;

	for (i = 0; i < pfs_nnames; i++) {
		if (pfs_names[i].sn_len == len &&
		    pfs_names[i].sn_isdir == isdir &&
		    memcmp(pfs_names[i].sn_name, name, len) == 0) {
			*idxp = i;
			return 0;
		}
	}
	if (pfs_nnames > PFS_IDXMAX)
		return ENOSPC;
	if (pfs_nnames == pfs_capnames) {
		ncap = pfs_capnames == 0 ? 32 : pfs_capnames * 2;
		nn = kmem_alloc(ncap * sizeof(*nn));
		if (nn == NULL)
			return ENOMEM;
		if (pfs_nnames > 0)
			memcpy(nn, pfs_names, pfs_nnames * sizeof(*nn));
		if (pfs_names != NULL)
			kmem_free(pfs_names, pfs_capnames * sizeof(*nn));
		pfs_names = nn;
		pfs_capnames = ncap;
	}
	copy = kmem_alloc(len + 1);
	if (copy == NULL)
		return ENOMEM;
	memcpy(copy, name, len);
	copy[len] = '\0';
	pfs_names[pfs_nnames].sn_name = copy;
	pfs_names[pfs_nnames].sn_len = len;
	pfs_names[pfs_nnames].sn_isdir = isdir;
	*idxp = pfs_nnames++;
	return 0;
}

int
pfs_sys_init(void)
{
	uint32_t idx;

	/* Index 0 is /proc/sys itself. */
	return pfs_sys_intern("", 0, true, &idx);
}

const char *
pfs_sys_name(uint32_t idx, bool *isdirp)
{
	if (idx >= pfs_nnames)
		return NULL;
	*isdirp = pfs_names[idx].sn_isdir;
	return pfs_names[idx].sn_name;
}

const char *
pfs_sys_basename(uint32_t idx)
{
	const char *name, *s;
	size_t i;

	if (idx >= pfs_nnames)
		return "";
	name = pfs_names[idx].sn_name;
	s = name;
	for (i = 0; name[i] != '\0'; i++) {
		if (name[i] == '.')
			s = name + i + 1;
	}
	return s;
}

uint32_t
pfs_sys_parent(uint32_t idx)
{
	const struct pfs_sysname *sn;
	uint32_t pidx;
	size_t plen;

	if (idx == 0 || idx >= pfs_nnames)
		return 0;
	sn = &pfs_names[idx];
	for (plen = sn->sn_len; plen > 0; plen--) {
		if (sn->sn_name[plen - 1] == '.')
			break;
	}
	if (plen <= 1)
		return 0;
	/* The parent was interned before any child was reached through it. */
	if (pfs_sys_intern(sn->sn_name, plen - 1, true, &pidx) != 0)
		return 0;
	return pidx;
}

const struct sysctl_node *
pfs_sys_node(uint32_t idx)
{
	if (idx >= pfs_nnames || pfs_names[idx].sn_isdir)
		return NULL;
	return sysctl_lookup(pfs_names[idx].sn_name);
}

static bool
pfs_has_dot(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (name[i] == '.')
			return true;
	}
	return false;
}

/*
 * If the sysctl name n lies under directory d, the length of the name of
 * d's child that leads to it (a prefix of n) and whether that child is a
 * directory.
 */
static bool
pfs_sys_childof(const struct pfs_sysname *d, const char *n, size_t *clenp,
    bool *isdirp)
{
	size_t nlen = strlen(n), start = 0, i;

	if (d->sn_len > 0) {
		if (nlen <= d->sn_len + 1 ||
		    memcmp(n, d->sn_name, d->sn_len) != 0 ||
		    n[d->sn_len] != '.')
			return false;
		start = d->sn_len + 1;
	}
	for (i = start; i < nlen && n[i] != '.'; i++)
		continue;
	/* An empty component ("a..b", ".a", "a.") is not shown. */
	if (i == start || (i < nlen && i + 1 == nlen))
		return false;
	*clenp = i;
	*isdirp = i < nlen;
	return true;
}

int
pfs_sys_lookup(uint32_t diridx, const char *name, size_t namelen,
    uint32_t *idxp, bool *isdirp)
{
	const struct pfs_sysname *d;
	const struct sysctl_node *n;
	char full[PFS_SYS_MAXNAME];
	size_t flen, clen;
	bool isdir, sawfile = false, sawdir = false;

	if (diridx >= pfs_nnames || !pfs_names[diridx].sn_isdir)
		return ENOTDIR;
	d = &pfs_names[diridx];
	if (namelen == 0 || pfs_has_dot(name, namelen))
		return ENOENT;
	flen = d->sn_len + (d->sn_len > 0) + namelen;
	if (flen >= sizeof(full))
		return ENOENT;
	memcpy(full, d->sn_name, d->sn_len);
	if (d->sn_len > 0)
		full[d->sn_len] = '.';
	memcpy(full + flen - namelen, name, namelen);
	full[flen] = '\0';

	for (n = sysctl_next(NULL); n != NULL; n = sysctl_next(n)) {
		if (!pfs_sys_childof(d, n->sn_name, &clen, &isdir) ||
		    clen != flen || memcmp(n->sn_name, full, flen) != 0)
			continue;
		if (isdir)
			sawdir = true;
		else
			sawfile = true;
	}
	/* A name that is both a value and a prefix shows as the value. */
	if (!sawfile && !sawdir)
		return ENOENT;
	*isdirp = !sawfile;
	return pfs_sys_intern(full, flen, *isdirp, idxp);
}

int
pfs_sys_nextchild(uint32_t diridx, uint32_t minidx, uint32_t *idxp,
    bool *isdirp)
{
	const struct sysctl_node *n;
	uint32_t idx, best = UINT32_MAX;
	size_t clen;
	bool isdir, bestdir = false;
	int error;

	if (diridx >= pfs_nnames || !pfs_names[diridx].sn_isdir)
		return ENOTDIR;
	for (n = sysctl_next(NULL); n != NULL; n = sysctl_next(n)) {
		/* pfs_names may move while interning: index it afresh. */
		if (!pfs_sys_childof(&pfs_names[diridx], n->sn_name, &clen,
		    &isdir))
			continue;
		if (clen >= PFS_SYS_MAXNAME)
			continue;
		error = pfs_sys_intern(n->sn_name, clen, isdir, &idx);
		if (error != 0)
			return error;
		if (idx >= minidx && idx < best) {
			best = idx;
			bestdir = isdir;
		}
	}
	if (best == UINT32_MAX)
		return ENOENT;
	*idxp = best;
	*isdirp = bestdir;
	return 0;
}

int
pfs_sys_read(uint32_t idx, struct pfs_text *t)
{
	const struct sysctl_node *n;
	size_t need, outlen;
	int error;

	n = pfs_sys_node(idx);
	if (n == NULL)
		return ENOENT;
	need = (n->sn_type == SYSCTL_STRING ? n->sn_len : 0) + 64;
	if ((error = pfs_text_reserve(t, need)) != 0)
		return error;
	error = sysctl_read_text(n, t->t_buf + t->t_len, t->t_cap - t->t_len,
	    &outlen);
	if (error != 0)
		return error;
	t->t_len += MIN(outlen, t->t_cap - t->t_len);
	return 0;
}

/* Copies the written bytes without consuming them. */
int
pfs_uio_peek(const struct uio *uio, char *buf, size_t len)
{
	size_t done = 0, n;
	int i, error;

	for (i = 0; i < uio->uio_iovcnt && done < len; i++) {
		const struct iovec *iov = &uio->uio_iov[i];

		n = MIN(iov->iov_len, len - done);
		if (n == 0)
			continue;
		if (uio->uio_kernel)
			memcpy(buf + done, iov->iov_base, n);
		else if ((error = copyin(iov->iov_base, buf + done, n)) != 0)
			return error;
		done += n;
	}
	return done == len ? 0 : EFAULT;
}

/* Consumes what remains of uio once the write has been accepted. */
void
pfs_uio_consume(struct uio *uio)
{
	int i;

	for (i = 0; i < uio->uio_iovcnt && uio->uio_resid > 0; i++) {
		struct iovec *iov = &uio->uio_iov[i];
		size_t n = MIN(iov->iov_len, uio->uio_resid);

		iov->iov_base = (char *)iov->iov_base + n;
		iov->iov_len -= n;
		uio->uio_resid -= n;
		uio->uio_offset += (int64_t)n;
	}
	uio->uio_resid = 0;
}

int
pfs_sys_write(uint32_t idx, struct uio *uio)
{
	const struct sysctl_node *n;
	size_t len;
	char *buf;
	int error;

	n = pfs_sys_node(idx);
	if (n == NULL)
		return ENOENT;
	if (!n->sn_writable || !cred_is_root(kauth_cred_get()))
		return EACCES;
	len = uio->uio_resid;
	if (len == 0)
		return 0;
	/* Linux's strict mode: the whole value, at the start of the file. */
	if (uio->uio_offset != 0 || len > PFS_SYS_MAXWRITE)
		return EINVAL;
	buf = kmem_alloc(len + 1);
	if (buf == NULL)
		return ENOMEM;
	error = pfs_uio_peek(uio, buf, len);
	if (error == 0) {
		size_t vlen = len;

		/* echo(1) appends a newline; the value does not include it. */
		if (vlen > 0 && buf[vlen - 1] == '\n')
			vlen--;
		buf[vlen] = '\0';
		error = sysctl_write_text(n, buf, vlen);
	}
	if (error == 0)
		pfs_uio_consume(uio);
	kmem_free(buf, len + 1);
	return error;
}
