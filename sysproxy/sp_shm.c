/*
 * sp_shm.c: frames through a shared region, with the socket as the
 * doorbell and the fallback (sp_shm.h).
 *
 * Waking a sleeping thread in another process costs 10-40 us on a
 * virtual machine; a cache line moving between CPUs costs well under
 * one.  So whoever waits spins for a short while first, and only then
 * says it sleeps (a flag) and blocks reading the socket; the other side
 * rings (an SP_RING frame) only when it finds that flag set.  The flag
 * and the sequence number are each written before the other is read
 * (sequentially consistent), so one of the two always sees the other:
 * no post is missed, a ring may be spare, and spare rings are skipped.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sp_shm.h"

/* How long a waiter spins before it sleeps, at most: long enough to
 * cover the gap between two calls of a busy program and a fast call's
 * work.  Each end adapts its own budget: halved when a spin ends in
 * sleep, doubled when the answer came while spinning, never below
 * SPIN_MIN_NS.  So ends that share a CPU, a program that calls rarely,
 * or calls that block stop burning a CPU for nothing. */
#define CLIENT_SPIN_NS	100000
#define SERVER_SPIN_NS	200000
#define SPIN_MIN_NS	4000

#define USER_MINADDR	4096	/* as the kernel's copyin: the null page */

struct sp_shm_stats sp_shm_stats;
bool sp_shm_counting;

#define COUNT(f) do {							\
	if (__builtin_expect(sp_shm_counting, 0))			\
		atomic_fetch_add_explicit(&sp_shm_stats.f, 1,		\
		    memory_order_relaxed);				\
} while (0)

static inline void
cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield" ::: "memory");
#endif
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int ncpus;

static void
count_cpus(void)
{
	cpu_set_t set;

	ncpus = sched_getaffinity(0, sizeof(set), &set) == 0 ?
	    CPU_COUNT(&set) : (int)sysconf(_SC_NPROCESSORS_ONLN);
}

bool
sp_shm_useful(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, count_cpus);
	return ncpus > 1;
}

/*
 * Spins while *w compares as told (equal to v, or not) for up to ns, or
 * until *stop (if given) is set; returns the last value of *w read.  The
 * clock is read every 64 rounds only.
 */
static uint32_t
spin(_Atomic uint32_t *w, uint32_t v, bool while_equal, uint64_t ns,
    _Atomic uint32_t *stop)
{
	uint64_t end = 0;
	uint32_t cur;

	for (unsigned i = 0;; i++) {
		cur = atomic_load_explicit(w, memory_order_acquire);
		if ((cur == v) != while_equal || ns == 0)
			return cur;
		if (stop != NULL &&
		    atomic_load_explicit(stop, memory_order_relaxed) != 0)
			return cur;
		if ((i & 63) == 63) {
			uint64_t t = now_ns();

			if (end == 0)
				end = t + ns;
			else if (t >= end)
				return cur;
		}
		cpu_relax();
	}
}

/* Server threads spinning at once: never more than the CPUs less one,
 * so spinners never take the CPU their clients need. */
static _Atomic int spinners;

/* The budget for the next spin after one that did (hit) or did not. */
static uint32_t
adapt(uint32_t budget, bool hit, uint32_t max)
{
	if (hit)
		return budget >= max / 2 ? max : budget * 2;
	return budget <= 2 * SPIN_MIN_NS ? SPIN_MIN_NS : budget / 2;
}

static uint32_t
server_spin(struct sp_shm *s, _Atomic uint32_t *w, uint32_t v, bool judge)
{
	int n = atomic_fetch_add(&spinners, 1);
	uint32_t cur;

	if (n < ncpus - 1) {
		cur = spin(w, v, true, s->spin_ns, NULL);
		if (judge)
			s->spin_ns = adapt(s->spin_ns, cur != v,
			    SERVER_SPIN_NS);
	} else {
		cur = atomic_load_explicit(w, memory_order_acquire);
	}
	atomic_fetch_sub(&spinners, 1);
	return cur;
}

static int
ring(int fd)
{
	struct sp_hdr h = { sizeof(h), SP_RING, 0 };
	struct iovec iov = { &h, sizeof(h) };

	return sp_sendv(fd, &iov, 1);
}

/* Copies a frame into the region; the caller checked that it fits. */
static void
gather(uint8_t *dst, const struct iovec *iov, int n)
{
	for (int i = 0; i < n; i++) {
		if (iov[i].iov_len == 0)
			continue;
		memcpy(dst, iov[i].iov_base, iov[i].iov_len);
		dst += iov[i].iov_len;
	}
}

/*
 * The same for a request, whose pieces include the caller's buffers: one
 * in unmapped memory is EFAULT (sp_fcopy) before anything is posted.
 */
static int
gather_user(uint8_t *dst, const struct iovec *iov, int n)
{
	for (int i = 0; i < n; i++) {
		if (iov[i].iov_len == 0)
			continue;
		if (sp_fcopy(dst, iov[i].iov_base, iov[i].iov_len) != 0)
			return EFAULT;
		dst += iov[i].iov_len;
	}
	return 0;
}

static size_t
frame_len(const struct iovec *iov, int n)
{
	size_t total = 0;

	for (int i = 0; i < n; i++)
		total += iov[i].iov_len;
	return total;
}

/* A frame of len bytes at p: its type and body, if the header agrees. */
static int
parse(uint8_t *p, size_t len, uint16_t *type, uint8_t **body,
    size_t *bodylen)
{
	struct sp_hdr h;

	if (len < sizeof(h) || len > SP_SHM_ROOM)
		return EPROTO;
	memcpy(&h, p, sizeof(h));
	if (h.len != len || h.zero != 0)
		return EPROTO;
	*type = h.type;
	*body = p + sizeof(h);
	*bodylen = len - sizeof(h);
	return 0;
}

int
sp_shm_create(struct sp_shm *s, int *fdp)
{
	void *p;
	int fd, error;

	memset(s, 0, sizeof(*s));
	fd = memfd_create("rumpclient", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return errno;
	/* Sealed at its size: the server can trust it never shrinks
	 * under its feet (which would be SIGBUS there). */
	if (ftruncate(fd, SP_SHM_SIZE) != 0 || fcntl(fd, F_ADD_SEALS,
	    F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0) {
		error = errno;
		close(fd);
		return error;
	}
	p = mmap(NULL, SP_SHM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		error = errno;
		close(fd);
		return error;
	}
	s->ctl = p;
	s->area = (uint8_t *)p + SP_SHM_CTL;
	s->spin_ns = CLIENT_SPIN_NS;
	*fdp = fd;
	return 0;
}

int
sp_shm_attach(struct sp_shm *s, int fd)
{
	struct stat st;
	int seals;
	void *p;

	memset(s, 0, sizeof(*s));
	seals = fcntl(fd, F_GET_SEALS);
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_size != SP_SHM_SIZE || seals < 0 ||
	    (seals & (F_SEAL_SHRINK | F_SEAL_GROW)) !=
	    (F_SEAL_SHRINK | F_SEAL_GROW))
		return EINVAL;
	p = mmap(NULL, SP_SHM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return EINVAL;
	if ((s->copy = malloc(SP_SHM_ROOM)) == NULL) {
		munmap(p, SP_SHM_SIZE);
		return ENOMEM;
	}
	s->ctl = p;
	s->area = (uint8_t *)p + SP_SHM_CTL;
	s->seq = atomic_load(&s->ctl->req_seq);
	s->spin_ns = SERVER_SPIN_NS;
	(void)sp_shm_useful();
	return 0;
}

void
sp_shm_detach(struct sp_shm *s)
{
	if (s->ctl != NULL)
		munmap(s->ctl, SP_SHM_SIZE);
	free(s->copy);
	memset(s, 0, sizeof(*s));
}

/*
 * Sleeps on the socket: sets *sleeping, looks at *seq once more (still to
 * wait while it compares with v as while_equal says, as spin() does), and
 * reads a frame.  -1: the post came meanwhile (a ring for it is spare);
 * 0: a frame was read, *type (SP_RING: look again); or an errno.
 */
static int
doze(int fd, struct sp_buf *b, _Atomic uint32_t *sleeping,
    _Atomic uint32_t *seq, uint32_t v, bool while_equal, uint16_t *type,
    size_t *len)
{
	int error;

	atomic_store(sleeping, 1);
	if ((atomic_load(seq) == v) != while_equal) {
		atomic_store(sleeping, 0);
		return -1;
	}
	error = sp_recv_any(fd, b, SP_MAXFRAME, type, len);
	atomic_store(sleeping, 0);
	return error;
}

/* Client: waits for the answer to request s->seq. */
static int
client_wait(struct sp_shm *s, int fd, struct sp_buf *b, uint16_t *type,
    const uint8_t **body, size_t *len)
{
	struct sp_shm_ctl *ctl = s->ctl;
	uint8_t *p = NULL;
	int error;

	for (bool first = true;; first = false) {
		bool hit = spin(&ctl->rep_seq, s->seq, false, s->spin_ns,
		    &ctl->srv_blocked) == s->seq;

		/*
		 * After a ring the answer is there: no spin to judge.  Nor
		 * when the call went to sleep in the kernel (a recv waiting
		 * for data): the budget is for calls that run; the call is
		 * answered by a ring, and the CPU goes to whoever brings
		 * what it waits for.
		 */
		if (first && (hit || atomic_load_explicit(&ctl->srv_blocked,
		    memory_order_relaxed) == 0))
			s->spin_ns = adapt(s->spin_ns, hit, CLIENT_SPIN_NS);
		if (hit) {
			if (first)
				COUNT(spun);
			break;
		}
		COUNT(slept);
		if ((error = doze(fd, b, &ctl->cli_sleeping, &ctl->rep_seq,
		    s->seq, false, type, len)) < 0)
			break;
		if (error != 0)
			return error;
		if (*type != SP_RING) {
			*body = b->data;	/* too big for the region */
			return 0;
		}
	}
	switch (atomic_load_explicit(&ctl->rep_where, memory_order_relaxed)) {
	case SP_SHM_INLINE:
		error = parse(s->area, atomic_load_explicit(&ctl->rep_len,
		    memory_order_relaxed), type, &p, len);
		*body = p;
		return error;
	case SP_SHM_SOCKET:
		error = sp_recv(fd, b, SP_MAXFRAME, type, len);
		*body = b->data;
		return error;
	default:
		return EPROTO;
	}
}

/* Client: publishes request s->seq + 1, its frame where says. */
static void
post_request(struct sp_shm *s, uint32_t where, size_t total)
{
	struct sp_shm_ctl *ctl = s->ctl;

	/* The server's kernel sets it if this call sleeps (the answer to
	 * the last one, read, was posted after any set for that one). */
	atomic_store_explicit(&ctl->srv_blocked, 0, memory_order_relaxed);
	atomic_store_explicit(&ctl->req_where, where, memory_order_relaxed);
	atomic_store_explicit(&ctl->req_len, (uint32_t)total,
	    memory_order_relaxed);
	atomic_store(&ctl->req_seq, ++s->seq);
}

int
sp_shm_call(struct sp_shm *s, int fd, struct sp_buf *b, struct iovec *iov,
    int n, uint16_t *type, const uint8_t **body, size_t *len)
{
	struct sp_shm_ctl *ctl = s->ctl;
	size_t total = frame_len(iov, n);
	int error;

	if (total > SP_SHM_ROOM) {
		/*
		 * On the socket.  Posted first, so that a spinning server
		 * reads the socket at once instead of after its spin while
		 * our send waits for room; the frame itself wakes a sleeping
		 * one.  A buffer refused before a byte left (EFAULT): a RING
		 * sends the server back to waiting for the next post.
		 */
		COUNT(big);
		post_request(s, SP_SHM_SOCKET, total);
		(void)atomic_exchange(&ctl->srv_sleeping, 0);
		if ((error = sp_sendv(fd, iov, n)) != 0)
			return error == EFAULT && ring(fd) == 0 ? EFAULT :
			    error == EFAULT ? EPIPE : error;
		error = sp_recv(fd, b, SP_MAXFRAME, type, len);
		*body = b->data;
		return error;
	}
	if (gather_user(s->area, iov, n) != 0)
		return EFAULT;
	COUNT(posted);
	post_request(s, SP_SHM_INLINE, total);
	if (atomic_load(&ctl->srv_sleeping) != 0 &&
	    atomic_exchange(&ctl->srv_sleeping, 0) != 0) {
		COUNT(rang);
		if ((error = ring(fd)) != 0)
			return error;
	}
	return client_wait(s, fd, b, type, body, len);
}

int
sp_shm_next(struct sp_shm *s, int fd, struct sp_buf *b, uint16_t *type,
    uint8_t **body, size_t *len)
{
	struct sp_shm_ctl *ctl = s->ctl;
	uint32_t seq, rlen;
	int error;

	for (bool first = true;; first = false) {
		seq = server_spin(s, &ctl->req_seq, s->seq, first);
		if (seq != s->seq) {
			s->seq = seq;
			switch (atomic_load_explicit(&ctl->req_where,
			    memory_order_relaxed)) {
			case SP_SHM_INLINE:
				/* Copied once, then checked: the client may
				 * write the region while we decode. */
				rlen = atomic_load_explicit(&ctl->req_len,
				    memory_order_relaxed);
				if (rlen < sizeof(struct sp_hdr) ||
				    rlen > SP_SHM_ROOM)
					return EPROTO;
				memcpy(s->copy, s->area, rlen);
				s->viashm = true;
				return parse(s->copy, rlen, type, body, len);
			case SP_SHM_SOCKET:
				break;		/* the frame is on the socket */
			default:
				return EPROTO;
			}
		}
		if ((error = doze(fd, b, &ctl->srv_sleeping, &ctl->req_seq,
		    s->seq, true, type, len)) < 0)
			continue;
		if (error != 0)
			return error;
		if (*type != SP_RING) {
			s->viashm = false;
			*body = b->data;
			return 0;
		}
	}
}

int
sp_shm_reply(struct sp_shm *s, int fd, struct iovec *iov, int n)
{
	struct sp_shm_ctl *ctl = s->ctl;
	size_t total = frame_len(iov, n);

	if (ctl == NULL || !s->viashm)
		return sp_sendv(fd, iov, n);
	if (total > SP_SHM_ROOM) {
		/* Posted first: the client goes to read the socket at once,
		 * making room for our send (see sp_shm_call). */
		atomic_store_explicit(&ctl->rep_where, SP_SHM_SOCKET,
		    memory_order_relaxed);
		atomic_store_explicit(&ctl->rep_len, (uint32_t)total,
		    memory_order_relaxed);
		atomic_store(&ctl->rep_seq, s->seq);
		(void)atomic_exchange(&ctl->cli_sleeping, 0);
		return sp_sendv(fd, iov, n);
	}
	gather(s->area, iov, n);
	atomic_store_explicit(&ctl->rep_where, SP_SHM_INLINE,
	    memory_order_relaxed);
	atomic_store_explicit(&ctl->rep_len, (uint32_t)total,
	    memory_order_relaxed);
	atomic_store(&ctl->rep_seq, s->seq);
	if (atomic_load(&ctl->cli_sleeping) != 0 &&
	    atomic_exchange(&ctl->cli_sleeping, 0) != 0)
		return ring(fd);
	return 0;
}
