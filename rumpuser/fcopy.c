/*
 * fcopy.c: fault-safe copies of a caller's memory (fcopy.h).
 *
 * On x86_64 a copy is one instruction the handler knows (rep movsb, or a
 * byte load for strings): a SIGSEGV or SIGBUS there resumes at a fixup
 * that answers EFAULT.  Elsewhere, and for fprobe, a copy arms a
 * per-thread recovery point (sigsetjmp without the signal mask: no
 * system call); a fault while it is armed jumps back: EFAULT.  A fault with nothing armed is
 * not ours: it goes to the handler that was there before (the program's,
 * a sanitizer's), or, for the default action, the handler steps aside and
 * the fault repeats with the default action.  The handler is installed
 * on the first copy.  Addresses in the null page and ranges that wrap are
 * EFAULT without a try.
 */
#include <errno.h>
#include <pthread.h>
#include <ucontext.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "fcopy.h"

#ifndef FCOPY_API
#define FCOPY_API
#endif

#define FC_MINADDR	4096

/* volatile: the stores around a copy are not dead to the handler. */
#ifndef FCOPY_TLS
#define FCOPY_TLS
#endif
static __thread sigjmp_buf *volatile fc_armed FCOPY_TLS;
static struct sigaction fc_old_segv, fc_old_bus;
static pthread_once_t fc_once = PTHREAD_ONCE_INIT;

#if defined(__x86_64__)
/*
 * fc_peek(s, max): strnlen, or (size_t)-1 if a byte could not be read,
 * with no recovery point to arm: a fault at the one load resumes at the
 * fixup (the handler moves the instruction pointer), as a kernel's
 * exception table does.  For the shim's look at every path.
 */
#define FC_S2(x)	#x
#define FC_S(x)		FC_S2(x)
#define FC_PEEK		FCOPY(fc_peek)
#define FC_PEEK_LOAD	FCOPY(fc_peek_load)
#define FC_PEEK_FIX	FCOPY(fc_peek_fix)
#define FC_SYM(x)	".globl " FC_S(x) "\n.hidden " FC_S(x) "\n"
__asm__(
	".text\n"
	".p2align 4\n"
	FC_SYM(FC_PEEK)
	".type " FC_S(FC_PEEK) ", @function\n"
	FC_S(FC_PEEK) ":\n"
	"	xorl %eax, %eax\n"
	"1:	cmpq %rsi, %rax\n"
	"	jae 2f\n"
	FC_SYM(FC_PEEK_LOAD)
	FC_S(FC_PEEK_LOAD) ":\n"
	"	movzbl (%rdi,%rax), %ecx\n"
	"	testl %ecx, %ecx\n"
	"	je 2f\n"
	"	incq %rax\n"
	"	jmp 1b\n"
	"2:	ret\n"
	FC_SYM(FC_PEEK_FIX)
	FC_S(FC_PEEK_FIX) ":\n"
	"	movq $-1, %rax\n"
	"	ret\n"
	".size " FC_S(FC_PEEK) ", .-" FC_S(FC_PEEK) "\n");
/*
 * fc_xmove(dst, src, len): 0, or EFAULT when the copy faulted (part of
 * dst may be written), the same way: the one rep movsb is the
 * instruction the handler knows.
 */
#define FC_XMOVE	FCOPY(fc_xmove)
#define FC_XMOVE_LOAD	FCOPY(fc_xmove_load)
#define FC_XMOVE_FIX	FCOPY(fc_xmove_fix)
__asm__(
	".text\n"
	".p2align 4\n"
	FC_SYM(FC_XMOVE)
	".type " FC_S(FC_XMOVE) ", @function\n"
	FC_S(FC_XMOVE) ":\n"
	"	movq %rdx, %rcx\n"
	FC_SYM(FC_XMOVE_LOAD)
	FC_S(FC_XMOVE_LOAD) ":\n"
	"	rep movsb\n"
	"	xorl %eax, %eax\n"
	"	ret\n"
	FC_SYM(FC_XMOVE_FIX)
	FC_S(FC_XMOVE_FIX) ":\n"
	"	movl $" FC_S(EFAULT) ", %eax\n"
	"	ret\n"
	".size " FC_S(FC_XMOVE) ", .-" FC_S(FC_XMOVE) "\n");
/*
 * fc_wprobe(p, last): 0, or EFAULT, after one "lock orb $0" on p's page
 * and on each page after it up to the one holding last.  A locked or of
 * zero is a write the CPU checks like any other (a read-only or unmapped
 * page faults) that leaves the byte as it was even against another
 * thread's store to it, which a load and a store back could undo.  The
 * handler knows the one instruction, so nothing is armed.
 */
#define FC_WPROBE	FCOPY(fc_wprobe)
#define FC_WPROBE_LOAD	FCOPY(fc_wprobe_load)
#define FC_WPROBE_FIX	FCOPY(fc_wprobe_fix)
__asm__(
	".text\n"
	".p2align 4\n"
	FC_SYM(FC_WPROBE)
	".type " FC_S(FC_WPROBE) ", @function\n"
	FC_S(FC_WPROBE) ":\n"
	FC_SYM(FC_WPROBE_LOAD)
	FC_S(FC_WPROBE_LOAD) ":\n"
	"	lock orb $0, (%rdi)\n"
	"	andq $-4096, %rdi\n"
	"	addq $4096, %rdi\n"
	"	cmpq %rsi, %rdi\n"
	"	jbe " FC_S(FC_WPROBE_LOAD) "\n"
	"	xorl %eax, %eax\n"
	"	ret\n"
	FC_SYM(FC_WPROBE_FIX)
	FC_S(FC_WPROBE_FIX) ":\n"
	"	movl $" FC_S(EFAULT) ", %eax\n"
	"	ret\n"
	".size " FC_S(FC_WPROBE) ", .-" FC_S(FC_WPROBE) "\n");
__attribute__((visibility("hidden"))) int FC_WPROBE(void *, const void *);
__attribute__((visibility("hidden"))) extern const char FC_WPROBE_LOAD[];
__attribute__((visibility("hidden"))) extern const char FC_WPROBE_FIX[];
__attribute__((visibility("hidden"))) int FC_XMOVE(void *, const void *,
    size_t);
__attribute__((visibility("hidden"))) extern const char FC_XMOVE_LOAD[];
__attribute__((visibility("hidden"))) extern const char FC_XMOVE_FIX[];
__attribute__((visibility("hidden"))) size_t FC_PEEK(const char *, size_t);
__attribute__((visibility("hidden"))) extern const char FC_PEEK_LOAD[];
__attribute__((visibility("hidden"))) extern const char FC_PEEK_FIX[];
#endif

static void
fc_handler(int sig, siginfo_t *si, void *uc)
{
	struct sigaction *old = sig == SIGBUS ? &fc_old_bus : &fc_old_segv;
	sigjmp_buf *env = fc_armed;

#if defined(__x86_64__)
	{
		greg_t *rip = &((ucontext_t *)uc)->uc_mcontext.gregs[REG_RIP];

		if (*rip == (greg_t)(uintptr_t)FC_PEEK_LOAD) {
			*rip = (greg_t)(uintptr_t)FC_PEEK_FIX;
			return;
		}
		if (*rip == (greg_t)(uintptr_t)FC_XMOVE_LOAD) {
			*rip = (greg_t)(uintptr_t)FC_XMOVE_FIX;
			return;
		}
		if (*rip == (greg_t)(uintptr_t)FC_WPROBE_LOAD) {
			*rip = (greg_t)(uintptr_t)FC_WPROBE_FIX;
			return;
		}
	}
#endif
	if (env != NULL) {
		fc_armed = NULL;
		siglongjmp(*env, 1);
	}
	if (old->sa_flags & SA_SIGINFO) {
		old->sa_sigaction(sig, si, uc);
	} else if (old->sa_handler != SIG_DFL && old->sa_handler != SIG_IGN) {
		old->sa_handler(sig);
	} else {
		/* A fault of the program: let it die the way it would. */
		sigaction(sig, old, NULL);
	}
}

static int fc_installed;

static void
fc_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fc_handler;
	/* NODEFER: the jump out leaves the signal unblocked, since the
	 * recovery point keeps no mask. */
	sa.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, &fc_old_segv);
	sigaction(SIGBUS, &sa, &fc_old_bus);
	__atomic_store_n(&fc_installed, 1, __ATOMIC_RELEASE);
}

static bool
fc_range_ok(const void *p, size_t len)
{
	uintptr_t a = (uintptr_t)p;

	return a >= FC_MINADDR && a + len >= a;
}

/* A plain loop under ASan: its memcpy would check the shadow of a wild
 * address and report it before the fault we recover from. */
#if defined(__SANITIZE_ADDRESS__)
__attribute__((no_sanitize_address, noinline))
static void
fc_move(void *dst, const void *src, size_t len)
{
	volatile unsigned char *d = dst;
	const volatile unsigned char *s = src;

	while (len-- > 0)
		*d++ = *s++;
}
__attribute__((no_sanitize_address, noinline))
static size_t
fc_strnlen(const char *s, size_t max)
{
	const volatile char *p = s;
	size_t n = 0;

	while (n < max && p[n] != '\0')
		n++;
	return n;
}
#endif
#if defined(__SANITIZE_ADDRESS__)
__attribute__((no_sanitize_address))
#endif
__attribute__((noinline))
static void
fc_touch(void *p, size_t len, int writable, size_t step)
{
	volatile unsigned char *b = p;
	size_t off = 0;

	for (;;) {
		/* An atomic or of zero: the byte stays as it is even if
		 * another thread stores to it meanwhile. */
		if (writable)
			(void)__atomic_fetch_or((unsigned char *)&b[off], 0,
			    __ATOMIC_SEQ_CST);
		else
			(void)b[off];
		if (off == len - 1)
			break;
		off = len - 1 - off > step ? off + step : len - 1;
	}
}
#if !defined(__SANITIZE_ADDRESS__)
#define fc_move		memcpy
#define fc_strnlen	strnlen
#endif

FCOPY_API int
FCOPY(fcopy)(void *dst, const void *src, size_t len)
{
	sigjmp_buf env, *volatile prev;

	if (len == 0)
		return 0;
	if (!fc_range_ok(src, len) || !fc_range_ok(dst, len))
		return EFAULT;
#if defined(__x86_64__)
	/* Nothing to arm: the kernel's copies are many and small. */
	if (__builtin_expect(!__atomic_load_n(&fc_installed, __ATOMIC_ACQUIRE),
	    0))
		pthread_once(&fc_once, fc_install);
	return FC_XMOVE(dst, src, len);
#endif
	pthread_once(&fc_once, fc_install);
	prev = fc_armed;
	if (sigsetjmp(env, 0) != 0) {
		fc_armed = prev;
		return EFAULT;
	}
	fc_armed = &env;
	atomic_signal_fence(memory_order_seq_cst);
	fc_move(dst, src, len);
	atomic_signal_fence(memory_order_seq_cst);
	fc_armed = prev;
	return 0;
}

FCOPY_API int
FCOPY(fstrnlen)(const char *s, size_t max, size_t *lenp)
{
	sigjmp_buf env, *volatile prev;

	if ((uintptr_t)s < FC_MINADDR)
		return EFAULT;
#if defined(__x86_64__)
	/* Paths: short, and a byte loop costs less than arming. */
	return FCOPY(fpeek)(s, max, lenp);
#endif
	pthread_once(&fc_once, fc_install);
	prev = fc_armed;
	if (sigsetjmp(env, 0) != 0) {
		fc_armed = prev;
		return EFAULT;
	}
	fc_armed = &env;
	atomic_signal_fence(memory_order_seq_cst);
	*lenp = fc_strnlen(s, max);
	atomic_signal_fence(memory_order_seq_cst);
	fc_armed = prev;
	return 0;
}

/* fprobe under a recovery point. */
static int
fc_probe_armed(void *p, size_t len, int writable)
{
	sigjmp_buf env, *volatile prev;

	pthread_once(&fc_once, fc_install);
	prev = fc_armed;
	if (sigsetjmp(env, 0) != 0) {
		fc_armed = prev;
		return EFAULT;
	}
	fc_armed = &env;
	atomic_signal_fence(memory_order_seq_cst);
	/* One byte a page reaches every page: 4096 is the smallest. */
	fc_touch(p, len, writable, 4096);
	atomic_signal_fence(memory_order_seq_cst);
	fc_armed = prev;
	return 0;
}

FCOPY_API int
FCOPY(fprobe)(void *p, size_t len, int writable)
{
	if (len == 0)
		return 0;
	if (!fc_range_ok(p, len))
		return EFAULT;
#if defined(__x86_64__)
	if (writable) {
		const char *last = (const char *)p + len - 1;

		if (__builtin_expect(!__atomic_load_n(&fc_installed,
		    __ATOMIC_ACQUIRE), 0))
			pthread_once(&fc_once, fc_install);
		/*
		 * A locked or is some 10-40 ns a page: past 16 pages only
		 * the first and the last are written, the rest read (a
		 * read-only page inside a large buffer, which takes an
		 * mprotect to make, faults at the copy instead).
		 */
		if (len <= 16 * 4096)
			return FC_WPROBE(p, last);
		if (FC_WPROBE(p, p) != 0 ||
		    FC_WPROBE((void *)(uintptr_t)last, last) != 0)
			return EFAULT;
		return fc_probe_armed(p, len, 0);
	}
#endif
	return fc_probe_armed(p, len, writable);
}

FCOPY_API int
FCOPY(fpeek)(const char *s, size_t max, size_t *lenp)
{
#if defined(__x86_64__)
	size_t n;

	if ((uintptr_t)s < FC_MINADDR)
		return EFAULT;
	if (__builtin_expect(!__atomic_load_n(&fc_installed, __ATOMIC_ACQUIRE),
	    0))
		pthread_once(&fc_once, fc_install);
	if ((n = FC_PEEK(s, max)) == (size_t)-1)
		return EFAULT;
	*lenp = n;
	return 0;
#else
	return FCOPY(fstrnlen)(s, max, lenp);
#endif
}
