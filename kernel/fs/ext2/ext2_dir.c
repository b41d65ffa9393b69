/*
 * ext2_dir.c: directory blocks: lookup, readdir, adding, removing and
 * rewriting entries, the emptiness check, a new directory's first block.
 *
 * A directory is whole blocks of variable-length entries (inode, rec_len,
 * name_len, file type, name); every entry is checked before it is used:
 * rec_len a multiple of 4, large enough for its name and inside the
 * block, name_len within rec_len (and at most 255), the inode number
 * within the file system.  A bad entry or a hole in the directory makes
 * the call EIO, with a console line.  Walks go block by block up to the
 * directory's size, so no image can make them loop.
 *
 * Readdir cookies are byte offsets of entries in the directory (d_off is
 * where the next entry starts); "." and ".." are the directory's own
 * first two entries.  An offset that does not fall on an entry (a stale
 * telldir) resumes at the next entry.
 *
 * Writing: a new entry goes into the first gap big enough (the slack
 * after an entry, or an unused entry), else into a new block at the end.
 * A removed entry is merged into the previous one of its block, or marked
 * unused when it is the first.  Writing a directory clears the htree
 * index flag (dir_index): the index would be stale, and the directory
 * stays valid as a linear one (Linux's ext2 does the same).
 *
 * Locking: vfs_giant.
 */
#include "ext2fs.h"

struct ext2_dent {
	uint64_t d_pos;			/* byte offset in the directory */
	uint32_t d_off;			/* in its block */
	uint32_t d_prev;		/* previous entry in the block, or ~0 */
	uint32_t d_ino;
	uint32_t d_reclen;
	uint32_t d_namelen;
	uint8_t d_ft;
	const char *d_name;
};

/* 0: go on; EJUSTRETURN: stop, done; other: an error. */
#define EXT2_STOP	(-1)
typedef int (*ext2_dirfn)(struct ext2_inode *dp, struct ext2_buf *bp,
    const struct ext2_dent *de, void *arg);

static int
ext2_dent_parse(struct ext2_inode *dp, const uint8_t *blk, uint32_t off,
    struct ext2_dent *de)
{
	struct ext2_mount *em = dp->i_em;
	uint32_t bs = em->em_bsize;

	if (bs - off < EXT2_DIRENT_HDR)
		goto bad;
	de->d_ino = ext2_get32(blk + off);
	de->d_reclen = ext2_get16(blk + off + 4);
	if (em->em_filetype) {
		de->d_namelen = blk[off + 6];
		de->d_ft = blk[off + 7];
	} else {
		de->d_namelen = ext2_get16(blk + off + 6);
		de->d_ft = EXT2_FT_UNKNOWN;
	}
	if (de->d_reclen < EXT2_DIRENT_HDR || (de->d_reclen & 3) != 0 ||
	    de->d_reclen > bs - off || de->d_namelen > NAME_MAX ||
	    de->d_namelen > de->d_reclen - EXT2_DIRENT_HDR)
		goto bad;
	if (de->d_ino > em->em_ninodes)
		goto bad;
	if (de->d_ino != 0 && de->d_namelen == 0)
		goto bad;
	de->d_off = off;
	de->d_name = (const char *)blk + off + EXT2_DIRENT_HDR;
	return 0;
bad:
	ext2_corrupt(em, "directory %u: bad entry at offset %u",
	    dp->i_number, off);
	return EIO;
}

static int
ext2_dir_walk(struct ext2_inode *dp, uint64_t start, ext2_dirfn fn,
    void *arg)
{
	struct ext2_mount *em = dp->i_em;
	uint64_t lbn, nblk = dp->i_size >> em->em_bshift;
	struct ext2_dent de;
	struct ext2_buf *bp;
	uint32_t pbn, off, prev;
	int error;

	for (lbn = start >> em->em_bshift; lbn < nblk; lbn++) {
		if ((error = ext2_bmap(dp, lbn, false, &pbn, NULL)) != 0)
			return error;
		if (pbn == 0) {
			ext2_corrupt(em, "directory %u: hole at block %llu",
			    dp->i_number, (unsigned long long)lbn);
			return EIO;
		}
		if ((error = ext2_bread(em, pbn, true, &bp)) != 0)
			return error;
		prev = UINT32_MAX;
		for (off = 0; off < em->em_bsize; off += de.d_reclen) {
			if ((error = ext2_dent_parse(dp, bp->b_data, off,
			    &de)) != 0)
				break;
			de.d_pos = (lbn << em->em_bshift) + off;
			de.d_prev = prev;
			prev = off;
			if (de.d_pos < start)
				continue;
			if ((error = fn(dp, bp, &de, arg)) != 0)
				break;
		}
		ext2_brelse(em, bp);
		if (error != 0)
			return error == EXT2_STOP ? 0 : error;
	}
	return 0;
}

static bool
ext2_dent_is(const struct ext2_dent *de, const char *name, size_t len)
{
	return de->d_ino != 0 && de->d_namelen == len &&
	    memcmp(de->d_name, name, len) == 0;
}

struct ext2_find {
	const char *f_name;
	size_t f_len;
	uint32_t f_ino;
	uint16_t f_mode;		/* rewrite: the new type */
	bool f_found;
	int f_op;
};
#define FIND_LOOKUP	0
#define FIND_REMOVE	1
#define FIND_REWRITE	2

static void
ext2_dir_touched(struct ext2_inode *dp)
{
	if (dp->i_flags & EXT2_INDEX_FL)
		dp->i_flags &= ~EXT2_INDEX_FL;
}

static int
ext2_find_fn(struct ext2_inode *dp, struct ext2_buf *bp,
    const struct ext2_dent *de, void *arg)
{
	struct ext2_mount *em = dp->i_em;
	struct ext2_find *f = arg;
	uint8_t *p;

	if (!ext2_dent_is(de, f->f_name, f->f_len))
		return 0;
	f->f_found = true;
	p = bp->b_data + de->d_off;
	switch (f->f_op) {
	case FIND_REMOVE:
		if (de->d_prev != UINT32_MAX) {
			uint8_t *q = bp->b_data + de->d_prev;

			ext2_put16(q + 4, (uint16_t)(ext2_get16(q + 4) +
			    de->d_reclen));
		} else
			ext2_put32(p, 0);
		ext2_bdirty(em, bp);
		ext2_dir_touched(dp);
		break;
	case FIND_REWRITE:
		ext2_put32(p, f->f_ino);
		if (em->em_filetype)
			p[7] = ext2_mode_to_ft(f->f_mode);
		ext2_bdirty(em, bp);
		ext2_dir_touched(dp);
		break;
	default:
		f->f_ino = de->d_ino;
		break;
	}
	return EXT2_STOP;
}

int
ext2_dir_lookup(struct ext2_inode *dp, const char *name, size_t len,
    uint32_t *inop)
{
	struct ext2_find f = { .f_name = name, .f_len = len,
	    .f_op = FIND_LOOKUP };
	int error;

	if ((error = ext2_dir_walk(dp, 0, ext2_find_fn, &f)) != 0)
		return error;
	if (!f.f_found)
		return ENOENT;
	if (f.f_ino == 0)
		return EIO;
	*inop = f.f_ino;
	return 0;
}

int
ext2_dir_remove(struct ext2_inode *dp, const char *name, size_t len)
{
	struct ext2_find f = { .f_name = name, .f_len = len,
	    .f_op = FIND_REMOVE };
	int error;

	if ((error = ext2_dir_walk(dp, 0, ext2_find_fn, &f)) != 0)
		return error;
	return f.f_found ? 0 : ENOENT;
}

int
ext2_dir_rewrite(struct ext2_inode *dp, const char *name, size_t len,
    uint32_t ino, uint16_t mode)
{
	struct ext2_find f = { .f_name = name, .f_len = len, .f_ino = ino,
	    .f_mode = mode, .f_op = FIND_REWRITE };
	int error;

	if ((error = ext2_dir_walk(dp, 0, ext2_find_fn, &f)) != 0)
		return error;
	return f.f_found ? 0 : ENOENT;
}

int
ext2_dir_setparent(struct ext2_inode *dp, uint32_t parent)
{
	return ext2_dir_rewrite(dp, "..", 2, parent, S_IFDIR);
}

static int
ext2_empty_fn(struct ext2_inode *dp, struct ext2_buf *bp,
    const struct ext2_dent *de, void *arg)
{
	bool *emptyp = arg;

	(void)dp;
	(void)bp;
	if (de->d_ino == 0)
		return 0;
	if (de->d_namelen == 1 && de->d_name[0] == '.')
		return 0;
	if (de->d_namelen == 2 && de->d_name[0] == '.' && de->d_name[1] == '.')
		return 0;
	*emptyp = false;
	return EXT2_STOP;
}

int
ext2_dir_isempty(struct ext2_inode *dp, bool *emptyp)
{
	*emptyp = true;
	return ext2_dir_walk(dp, 0, ext2_empty_fn, emptyp);
}

/* --- readdir ---------------------------------------------------------------- */

struct ext2_rd {
	struct uio *r_uio;
	uint64_t r_next;		/* cookie to resume at */
	int r_n;
};

static uint8_t
ext2_ft_to_dt(uint8_t ft)
{
	static const uint8_t dt[EXT2_FT_MAX] = {
		DT_UNKNOWN, DT_REG, DT_DIR, DT_CHR, DT_BLK, DT_FIFO, DT_SOCK,
		DT_LNK,
	};

	return ft < EXT2_FT_MAX ? dt[ft] : DT_UNKNOWN;
}

static int
ext2_rd_fn(struct ext2_inode *dp, struct ext2_buf *bp,
    const struct ext2_dent *de, void *arg)
{
	uint64_t buf[(offsetof(struct linux_dirent64, d_name) + NAME_MAX + 1 +
	    7) / 8];
	struct linux_dirent64 *d = (struct linux_dirent64 *)buf;
	struct ext2_rd *r = arg;
	uint64_t next = de->d_pos + de->d_reclen;
	size_t reclen;
	int error;

	(void)dp;
	(void)bp;
	if (de->d_ino == 0) {
		r->r_next = next;
		return 0;
	}
	reclen = roundup(offsetof(struct linux_dirent64, d_name) +
	    de->d_namelen + 1, 8);
	if (reclen > r->r_uio->uio_resid)
		return ENOSPC;
	memset(buf, 0, reclen);
	d->d_ino = de->d_ino;
	d->d_off = (int64_t)next;
	d->d_reclen = (uint16_t)reclen;
	d->d_type = ext2_ft_to_dt(de->d_ft);
	memcpy(d->d_name, de->d_name, de->d_namelen);
	if ((error = uiomove(buf, reclen, r->r_uio)) != 0)
		return error;
	r->r_n++;
	r->r_next = next;
	return 0;
}

int
ext2_dir_getdents(struct ext2_inode *dp, struct uio *uio)
{
	struct ext2_rd r = { .r_uio = uio };
	int error;

	if (uio->uio_offset < 0)
		return EINVAL;
	r.r_next = (uint64_t)uio->uio_offset;
	if (r.r_next >= dp->i_size)
		return 0;
	error = ext2_dir_walk(dp, r.r_next, ext2_rd_fn, &r);
	if (error == 0)
		r.r_next = MAX(r.r_next, dp->i_size);
	if (error == ENOSPC)
		error = r.r_n == 0 ? EINVAL : 0;
	else if (error != 0 && r.r_n > 0)
		error = 0;		/* what was read is returned first */
	uio->uio_offset = (int64_t)r.r_next;
	return error;
}

/* --- adding ----------------------------------------------------------------- */

struct ext2_add {
	uint32_t a_need;
	bool a_done;
	const char *a_name;
	size_t a_len;
	uint32_t a_ino;
	uint16_t a_mode;
};

static void
ext2_dent_write(struct ext2_mount *em, uint8_t *p, uint32_t ino,
    uint32_t reclen, const char *name, size_t len, uint16_t mode)
{
	ext2_put32(p, ino);
	ext2_put16(p + 4, (uint16_t)reclen);
	if (em->em_filetype) {
		p[6] = (uint8_t)len;
		p[7] = ext2_mode_to_ft(mode);
	} else
		ext2_put16(p + 6, (uint16_t)len);
	memcpy(p + EXT2_DIRENT_HDR, name, len);
}

static int
ext2_add_fn(struct ext2_inode *dp, struct ext2_buf *bp,
    const struct ext2_dent *de, void *arg)
{
	struct ext2_mount *em = dp->i_em;
	struct ext2_add *a = arg;
	uint32_t used = de->d_ino != 0 ? EXT2_DIRENT_LEN(de->d_namelen) : 0;
	uint8_t *p = bp->b_data + de->d_off;

	if (de->d_reclen - used < a->a_need)
		return 0;
	if (used != 0) {
		ext2_put16(p + 4, (uint16_t)used);
		p += used;
	}
	ext2_dent_write(em, p, a->a_ino, de->d_reclen - used, a->a_name,
	    a->a_len, a->a_mode);
	ext2_bdirty(em, bp);
	a->a_done = true;
	return EXT2_STOP;
}

int
ext2_dir_add(struct ext2_inode *dp, const char *name, size_t len,
    uint32_t ino, uint16_t mode)
{
	struct ext2_mount *em = dp->i_em;
	struct ext2_add a = { .a_need = EXT2_DIRENT_LEN(len), .a_name = name,
	    .a_len = len, .a_ino = ino, .a_mode = mode };
	struct ext2_buf *bp;
	uint32_t pbn;
	bool isnew;
	int error;

	if ((error = ext2_dir_walk(dp, 0, ext2_add_fn, &a)) != 0)
		return error;
	ext2_dir_touched(dp);
	if (a.a_done)
		return ext2_iupdate(dp);
	if (dp->i_size + em->em_bsize > ext2_maxfilesize(em))
		return EFBIG;
	error = ext2_bmap(dp, dp->i_size >> em->em_bshift, true, &pbn, &isnew);
	if (error != 0) {
		(void)ext2_iupdate(dp);
		return error;
	}
	if ((error = ext2_bget(em, pbn, true, &bp)) != 0) {
		(void)ext2_iupdate(dp);
		return error;
	}
	ext2_dent_write(em, bp->b_data, ino, em->em_bsize, name, len, mode);
	ext2_bdirty(em, bp);
	ext2_brelse(em, bp);
	dp->i_size += em->em_bsize;
	return ext2_iupdate(dp);
}

int
ext2_dir_init(struct ext2_inode *dp, uint32_t parent)
{
	struct ext2_mount *em = dp->i_em;
	struct ext2_buf *bp;
	uint32_t pbn;
	bool isnew;
	int error;

	if ((error = ext2_bmap(dp, 0, true, &pbn, &isnew)) != 0)
		return error;
	if ((error = ext2_bget(em, pbn, true, &bp)) != 0)
		return error;
	ext2_dent_write(em, bp->b_data, dp->i_number, 12, ".", 1, S_IFDIR);
	ext2_dent_write(em, bp->b_data + 12, parent, em->em_bsize - 12, "..",
	    2, S_IFDIR);
	ext2_bdirty(em, bp);
	ext2_brelse(em, bp);
	dp->i_size = em->em_bsize;
	return ext2_iupdate(dp);
}
