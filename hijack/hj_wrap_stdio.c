/*
 * hj_wrap_stdio.c: stdio streams on kernel files.  glibc's FILE reads and
 * writes with its internal read()/write(), which never reach our wrappers,
 * so a stream on a kernel file is an fopencookie() stream whose functions
 * call the kernel.  It is bound to a host number (its _fileno, so fileno()
 * works), and looks the number up at each call: if the number turns into
 * a host descriptor (dup2 of a host file onto it), the stream follows.
 *
 * The standard streams get the same treatment when 0, 1 or 2 is a kernel
 * descriptor (hj_stdio_fixup): "sh -c 'ls > /rump/out'" runs ls with a
 * kernel file as its descriptor 1.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hj.h"
#include "hj_stdio.h"

/* glibc's internal FILE flag bits (its libio.h; unchanged since 2.1). */
#define IO_NO_READS		0x0004
#define IO_NO_WRITES		0x0008
#define IO_CURRENTLY_PUTTING	0x0800
#define IO_IS_APPENDING		0x1000

HOST_CACHE(fopen);
HOST_CACHE(fopen64);
HOST_CACHE(freopen);
HOST_CACHE(freopen64);
HOST_CACHE(fdopen);
HOST_CACHE(read);
HOST_CACHE(write);
HOST_CACHE(lseek64);
HOST_CACHE(close);
HOST_CACHE(fcntl);
HOST_CACHE(openat);
HOST_CACHE(dup3);
HOST_CACHE(vdprintf);
HOST_CACHE(__vdprintf_chk);

/* A stream of ours: the cookie.  All of them are listed (freopen). */
struct kfile {
	int fd;
	FILE *f;
	struct hj_wide w;	/* its wide-character side (hj_wrap_wstdio.c) */
	struct kfile *next;
};

static pthread_mutex_t list_lock = PTHREAD_MUTEX_INITIALIZER;
static struct kfile *list;
static atomic_int nlisted;	/* so a host stream's check is one load */
static __thread int no_fixup;

static struct kfile *
kfile_find(FILE *f)
{
	struct kfile *kf;

	if (f == NULL)
		return NULL;
	pthread_mutex_lock(&list_lock);
	for (kf = list; kf != NULL && kf->f != f; kf = kf->next)
		continue;
	pthread_mutex_unlock(&list_lock);
	return kf;
}

static void
kfile_unlist(struct kfile *kf)
{
	pthread_mutex_lock(&list_lock);
	for (struct kfile **p = &list; *p != NULL; p = &(*p)->next)
		if (*p == kf) {
			*p = kf->next;
			atomic_fetch_sub(&nlisted, 1);
			break;
		}
	pthread_mutex_unlock(&list_lock);
}

struct hj_wide *
hj_stdio_wide(FILE *f)
{
	struct kfile *kf;

	if (atomic_load_explicit(&nlisted, memory_order_relaxed) == 0)
		return NULL;
	kf = kfile_find(f);
	return kf != NULL ? &kf->w : NULL;
}

/* Closes a number, the kernel's or the host's. */
static int
close_number(int fd)
{
	if (hj_fd_kernel(fd) >= 0)
		return hj_fd_close(fd);
	hj_fd_freed(fd);
	return HOST(close)(fd);
}

/* --- the cookie functions ------------------------------------------------ */

static ssize_t
c_read(void *c, char *buf, size_t n)
{
	struct kfile *kf = c;
	int k = hj_fd_kernel(kf->fd);

	return k >= 0 ? hjk_read(k, buf, n) : HOST(read)(kf->fd, buf, n);
}

/* All of it, or what was written before an error (0: nothing). */
static ssize_t
c_write(void *c, const char *buf, size_t n)
{
	struct kfile *kf = c;
	size_t done = 0;
	ssize_t w;
	int k;

	while (done < n) {
		k = hj_fd_kernel(kf->fd);
		w = k >= 0 ? hjk_write(k, buf + done, n - done) :
		    HOST(write)(kf->fd, buf + done, n - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		done += (size_t)w;
	}
	return (ssize_t)done;
}

static int
c_seek(void *c, off64_t *pos, int whence)
{
	struct kfile *kf = c;
	int k = hj_fd_kernel(kf->fd);
	off_t r;

	r = k >= 0 ? hjk_lseek(k, *pos, whence) :
	    HOST(lseek64)(kf->fd, *pos, whence);
	if (r < 0)
		return -1;
	*pos = r;
	return 0;
}

static int
c_close(void *c)
{
	struct kfile *kf = c;
	int rv = kf->fd >= 0 ? close_number(kf->fd) : 0;

	kfile_unlist(kf);
	hj_wide_reset(&kf->w, NULL);
	free(kf);
	return rv;
}

/* A stream on number fd; cmode is fopencookie's ("r", "w+", ...). */
static FILE *
kfile_new(int fd, const char *cmode)
{
	static const cookie_io_functions_t io = { c_read, c_write, c_seek,
	    c_close };
	struct kfile *kf = malloc(sizeof(*kf));
	FILE *f;

	if (kf == NULL)
		return NULL;
	kf->fd = fd;
	hj_wide_init(&kf->w);
	if ((f = fopencookie(kf, cmode, io)) == NULL) {
		free(kf);
		return NULL;
	}
	/* glibc leaves a cookie stream's _fileno alone but for fileno(). */
	f->_fileno = fd;
	kf->f = f;
	pthread_mutex_lock(&list_lock);
	kf->next = list;
	list = kf;
	atomic_fetch_add(&nlisted, 1);
	pthread_mutex_unlock(&list_lock);
	return f;
}

/* --- modes -------------------------------------------------------------- */

struct fmode {
	int flags;		/* open(2)'s */
	bool cloexec;
	char cmode[3];		/* fopencookie's */
	const char *ccs;	/* ",ccs=NAME": the wide charset, or NULL */
};

/*
 * fopen's mode string: r, w, a, then any of +, b, x, e (up to ","), then
 * glibc's ",ccs=NAME", which makes the stream wide with that charset.
 */
static int
parse_mode(const char *mode, struct fmode *m)
{
	int acc;

	if (mode == NULL) {
		errno = EINVAL;
		return -1;
	}
	switch (mode[0]) {
	case 'r':
		acc = O_RDONLY;
		m->flags = 0;
		break;
	case 'w':
		acc = O_WRONLY;
		m->flags = O_CREAT | O_TRUNC;
		break;
	case 'a':
		acc = O_WRONLY;
		m->flags = O_CREAT | O_APPEND;
		break;
	default:
		errno = EINVAL;
		return -1;
	}
	m->cloexec = false;
	m->ccs = strstr(mode, ",ccs=");
	if (m->ccs != NULL)
		m->ccs += 5;
	m->cmode[0] = mode[0];
	m->cmode[1] = m->cmode[2] = '\0';
	for (int i = 1; i < 7 && mode[i] != '\0' && mode[i] != ','; i++) {
		switch (mode[i]) {
		case '+':
			acc = O_RDWR;
			m->cmode[1] = '+';
			break;
		case 'x':
			m->flags |= O_EXCL;
			break;
		case 'e':
			m->cloexec = true;
			break;
		default:		/* b, and glibc's m and c: nothing */
			break;
		}
	}
	m->flags |= acc | (m->cloexec ? O_CLOEXEC : 0);
	return 0;
}

/* Opens kernel (kd, kp) at the lowest number >= min; -1 with errno. */
static int
k_open(int kd, const char *kp, const struct fmode *m, int min)
{
	int kfd, fd;

	hj_linkout_armed = 1;
	kfd = hjk_openat(kd, kp, m->flags, 0666);
	hj_linkout_armed = 0;
	if (kfd < 0 && errno == HJ_ELINKOUT) {
		/* A link to a host file: a host descriptor of it. */
		char hp[PATH_MAX];

		if (hj_linkout_path(kd, kp, !(m->flags & O_NOFOLLOW) &&
		    (m->flags & (O_CREAT | O_EXCL)) != (O_CREAT | O_EXCL),
		    hp) != 0)
			return -1;
		hj_fd_flush();
		if ((fd = HOST(openat)(AT_FDCWD, hp, m->flags, 0666)) < 0 ||
		    fd >= min)
			return fd;
		kfd = HOST(fcntl)(fd, m->cloexec ? F_DUPFD_CLOEXEC : F_DUPFD,
		    min);
		HOST(close)(fd);
		return kfd;
	}
	if (kfd < 0 || (fd = hj_fd_install(kfd, min, m->cloexec)) < 0)
		return -1;
	/* "a": the position starts at the end, as glibc's fopen has it. */
	if (m->cmode[0] == 'a' && m->cmode[1] == '\0')
		(void)hjk_lseek(kfd, 0, SEEK_END);
	return fd;
}

static FILE *
stream_on(int fd, const char *cmode)
{
	FILE *f = kfile_new(fd, cmode);
	int e;

	if (f == NULL) {
		e = errno;
		close_number(fd);
		errno = e;
	}
	return f;
}

/* ",ccs=" binds the stream's charset and orientation at once, as glibc. */
static FILE *
stream_ccs(FILE *f, const char *ccs)
{
	struct kfile *kf = kfile_find(f);

	if (kf != NULL && ccs != NULL && hj_wide_ccs(&kf->w, ccs) != 0) {
		int e = errno;

		fclose(f);
		errno = e;
		return NULL;
	}
	return f;
}

/* --- fopen, fdopen ------------------------------------------------------ */

static FILE *
do_fopen(const char *path, const char *mode, bool is64)
{
	char kb[PATH_MAX];
	const char *kp;
	struct fmode m;
	int kd, fd;

	switch (hj_route(AT_FDCWD, path, kb, sizeof(kb), &kd, &kp)) {
	case HJ_HOST:
		hj_fd_flush();
		return is64 ? HOST(fopen64)(path, mode) :
		    HOST(fopen)(path, mode);
	case HJ_KERNEL:
		if (parse_mode(mode, &m) != 0 || (fd = k_open(kd, kp, &m,
		    0)) < 0)
			return NULL;
		return stream_ccs(stream_on(fd, m.cmode), m.ccs);
	default:
		return NULL;
	}
}

HJ_EXPORT FILE *
fopen(const char *path, const char *mode)
{
	return do_fopen(path, mode, false);
}

HJ_EXPORT FILE *
fopen64(const char *path, const char *mode)
{
	return do_fopen(path, mode, true);
}

HJ_EXPORT FILE *
fdopen(int fd, const char *mode)
{
	struct fmode m;
	int k = hj_fd_kernel(fd), fl;

	if (k < 0)
		return HOST(fdopen)(fd, mode);
	if (parse_mode(mode, &m) != 0 || (fl = hjk_fcntl(k, F_GETFL, 0)) < 0)
		return NULL;
	/* The mode may not ask for more than the descriptor allows. */
	if (((fl & O_ACCMODE) == O_RDONLY && (m.flags & O_ACCMODE) !=
	    O_RDONLY) || ((fl & O_ACCMODE) == O_WRONLY &&
	    (m.flags & O_ACCMODE) != O_WRONLY)) {
		errno = EINVAL;
		return NULL;
	}
	if ((m.flags & O_APPEND) && !(fl & O_APPEND) &&
	    hjk_fcntl(k, F_SETFL, fl | O_APPEND) < 0)
		return NULL;
	return kfile_new(fd, m.cmode);
}

/* --- freopen -------------------------------------------------------------- */

/* The variable a standard stream is in, or NULL. */
static FILE **
std_var(FILE *f)
{
	if (f == stdin)
		return &stdin;
	if (f == stdout)
		return &stdout;
	if (f == stderr)
		return &stderr;
	return NULL;
}

/*
 * Our stream kf gets the file (kd, kp) or the host's path: its number is
 * kept, as glibc's freopen keeps the descriptor number.
 */
static FILE *
reopen_ours(struct kfile *kf, int where, int kd, const char *kp,
    const char *path, const struct fmode *m)
{
	FILE *f = kf->f;
	int old = kf->fd, fd, k;

	fflush(f);
	if (path == NULL) {
		/* The same file, another mode: only O_APPEND can change. */
		if ((k = hj_fd_kernel(old)) >= 0 && (m->flags & O_APPEND))
			(void)hjk_fcntl(k, F_SETFL, hjk_fcntl(k, F_GETFL, 0) |
			    O_APPEND);
		fd = old;
	} else {
		close_number(old);
		kf->fd = -1;
		if (where == HJ_KERNEL) {
			fd = k_open(kd, kp, m, old >= 0 ? old : 0);
		} else if ((hj_fd_flush(), fd = HOST(openat)(AT_FDCWD, path,
		    m->flags, 0666)) >= 0 && old >= 0 && fd != old) {
			if (HOST(dup3)(fd, old, m->cloexec ? O_CLOEXEC : 0) >=
			    0) {
				HOST(close)(fd);
				fd = old;
			}
		}
		if (fd < 0) {
			int e = errno;

			fclose(f);	/* freopen's rule: closed on failure */
			errno = e;
			return NULL;
		}
	}
	/* A stream as fresh from fopen: empty buffer, the new mode. */
	flockfile(f);
	hj_wide_reset(&kf->w, NULL);
	kf->fd = fd;
	f->_fileno = fd;
	f->_flags &= ~(IO_NO_READS | IO_NO_WRITES | IO_IS_APPENDING |
	    IO_CURRENTLY_PUTTING | _IO_EOF_SEEN | _IO_ERR_SEEN);
	if (m->cmode[1] != '+')
		f->_flags |= m->cmode[0] == 'r' ? IO_NO_WRITES : IO_NO_READS;
	if (m->cmode[0] == 'a')
		f->_flags |= IO_IS_APPENDING;
	f->_IO_read_base = f->_IO_read_ptr = f->_IO_read_end =
	    f->_IO_buf_base;
	f->_IO_write_base = f->_IO_write_ptr = f->_IO_write_end =
	    f->_IO_buf_base;
	funlockfile(f);
	return stream_ccs(f, m->ccs);
}

/*
 * A host stream cannot become a cookie stream in place; a standard one
 * is replaced in its variable (stdout = the new stream), which is what
 * programs use.  Any other is closed and the call fails.
 */
static FILE *
reopen_host(FILE *f, int kd, const char *kp, const struct fmode *m)
{
	FILE **var = std_var(f), *nf;
	int old, fd;

	if (var == NULL) {
		fclose(f);
		errno = EXDEV;
		return NULL;
	}
	old = fileno(f);
	/* glibc's fclose would close a kernel number past the map. */
	if (hj_fd_kernel(old) >= 0)
		hj_fd_close(old);
	fclose(f);
	/* This makes the stream itself: no hj_stdio_fixup() meanwhile. */
	no_fixup++;
	fd = k_open(kd, kp, m, old >= 0 ? old : 0);
	no_fixup--;
	if (fd < 0 || (nf = stream_on(fd, m->cmode)) == NULL)
		return NULL;
	if (var == &stderr)
		setvbuf(nf, NULL, _IONBF, 0);
	*var = nf;
	return stream_ccs(nf, m->ccs);
}

static FILE *
do_freopen(const char *path, const char *mode, FILE *f, bool is64)
{
	char kb[PATH_MAX];
	const char *kp = NULL;
	struct kfile *kf = kfile_find(f);
	struct fmode m;
	int kd = AT_FDCWD, where = HJ_HOST;

	if (path != NULL &&
	    (where = hj_route(AT_FDCWD, path, kb, sizeof(kb), &kd, &kp)) < 0)
		return NULL;
	if (where == HJ_HOST)
		hj_fd_flush();
	if (kf == NULL && where == HJ_HOST)
		return is64 ? HOST(freopen64)(path, mode, f) :
		    HOST(freopen)(path, mode, f);
	if (parse_mode(mode, &m) != 0)
		return NULL;
	if (kf != NULL)
		return reopen_ours(kf, where, kd, kp, path, &m);
	return reopen_host(f, kd, kp, &m);
}

HJ_EXPORT FILE *
freopen(const char *path, const char *mode, FILE *f)
{
	return do_freopen(path, mode, f, false);
}

HJ_EXPORT FILE *
freopen64(const char *path, const char *mode, FILE *f)
{
	return do_freopen(path, mode, f, true);
}

/* --- dprintf ------------------------------------------------------------- */

/* glibc's vdprintf writes with its internal write: format, then ours. */
static int
k_vdprintf(int k, const char *fmt, va_list ap)
{
	char *s;
	int n = vasprintf(&s, fmt, ap);
	size_t done = 0;
	ssize_t w;

	if (n < 0)
		return -1;
	while (done < (size_t)n) {
		if ((w = hjk_write(k, s + done, (size_t)n - done)) < 0 &&
		    errno == EINTR)
			continue;
		if (w <= 0) {
			free(s);
			return -1;
		}
		done += (size_t)w;
	}
	free(s);
	return n;
}

HJ_EXPORT int
vdprintf(int fd, const char *fmt, va_list ap)
{
	int k = hj_fd_kernel(fd);

	return k < 0 ? HOST(vdprintf)(fd, fmt, ap) : k_vdprintf(k, fmt, ap);
}

HJ_EXPORT int
dprintf(int fd, const char *fmt, ...)
{
	va_list ap;
	int rv;

	va_start(ap, fmt);
	rv = vdprintf(fd, fmt, ap);
	va_end(ap);
	return rv;
}

HJ_EXPORT int
__vdprintf_chk(int fd, int flag, const char *fmt, va_list ap)
{
	int k = hj_fd_kernel(fd);

	return k < 0 ? HOST(__vdprintf_chk)(fd, flag, fmt, ap) :
	    k_vdprintf(k, fmt, ap);
}

HJ_EXPORT int
__dprintf_chk(int fd, int flag, const char *fmt, ...)
{
	va_list ap;
	int rv;

	va_start(ap, fmt);
	rv = __vdprintf_chk(fd, flag, fmt, ap);
	va_end(ap);
	return rv;
}

/* --- the standard streams -------------------------------------------------- */

static void
fix_one(int fd, FILE **var)
{
	FILE *old = *var, *f;
	size_t n;

	if (hj_fd_kernel(fd) < 0 || kfile_find(old) != NULL)
		return;
	if ((f = kfile_new(fd, fd == 0 ? "r" : "w")) == NULL)
		return;
	/* Like glibc's: stderr unbuffered, stdout full (not a terminal). */
	if (fd == 2)
		setvbuf(f, NULL, _IONBF, 0);
	if (old != NULL && fd != 0) {
		flockfile(old);
		n = (size_t)(old->_IO_write_ptr - old->_IO_write_base);
		if (old->_IO_write_base != NULL && n > 0) {
			fwrite(old->_IO_write_base, 1, n, f);
			old->_IO_write_ptr = old->_IO_write_base;
		}
		funlockfile(old);
	}
	/* The old stream stays allocated: closing it would close fd. */
	*var = f;
}

void
hj_stdio_fixup(void)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

	if (no_fixup || (hj_fd_kernel(0) < 0 && hj_fd_kernel(1) < 0 &&
	    hj_fd_kernel(2) < 0))
		return;
	pthread_mutex_lock(&lock);
	fix_one(0, &stdin);
	fix_one(1, &stdout);
	fix_one(2, &stderr);
	pthread_mutex_unlock(&lock);
}

/*
 * Until the shim's own constructor calls hj_stdio_fixup(): a priority
 * constructor runs before the default ones of this library, so it sets
 * the shim up itself (hj_setup() runs once).
 */
__attribute__((constructor(200))) static void
hj_stdio_init(void)
{
	hj_setup();
	hj_stdio_fixup();
}
