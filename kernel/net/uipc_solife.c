/*
 * uipc_solife.c: socket objects' lives: allocation, the so_refs holds,
 * and freeing (uipc_socket.c makes and closes them).
 *
 * A socket is referenced by its file (until SS_NOFDREF) and by so_refs
 * holds.  When neither is left it goes on a free list instead of being
 * freed at once, because whoever dropped the last reference still holds
 * so_lock, which may be the socket's own so_lockstore.  so_reap() frees
 * the list; the layer runs it after every request (from netisr_run(),
 * which it calls with no socket lock held), taking each socket's lock
 * once so that its last holder is surely gone.  The free list has its own
 * leaf lock.
 */
#include "k/kernel.h"
#include "k/socket.h"

#include "net_private.h"

static kmutex_t so_zombie_lock;
static struct socket *so_zombies;
static atomic_int so_nzombies;
/* Linux's sockfs numbers are never this small, and net-tools' netstat -p
 * skips a "socket:[N]" link with fewer than two digits. */
static _Atomic uint64_t so_nextino = 10000;
static atomic_long so_count;		/* sockets alive, for tests */

void
solife_init(void)
{
	mutex_init(&so_zombie_lock);
}

long
socket_count(void)
{
	return atomic_load(&so_count);
}

static void
sockbuf_init(struct sockbuf *sb, size_t hiwat)
{
	memset(sb, 0, sizeof(*sb));
	sb->sb_hiwat = hiwat;
	sb->sb_lowat = 1;
	sb->sb_flags = SB_AUTOSIZE;
	cv_init(&sb->sb_cv);
	selinit(&sb->sb_sel);
}

static void
sockbuf_destroy(struct sockbuf *sb)
{
	sbflush(sb);
	cv_destroy(&sb->sb_cv);
	seldestroy(&sb->sb_sel);
}

/* A zeroed socket of protocol pr, not attached, unlocked, own lock. */
struct socket *
soalloc(const struct protosw *pr)
{
	struct socket *so;

	if ((so = kmem_zalloc(sizeof(*so))) == NULL)
		return NULL;
	mutex_init(&so->so_lockstore);
	so->so_lock = &so->so_lockstore;
	so->so_type = (short)pr->pr_type;
	so->so_proto = pr;
	TAILQ_INIT(&so->so_q0);
	TAILQ_INIT(&so->so_q);
	cv_init(&so->so_cv);
	sockbuf_init(&so->so_rcv, (size_t)net_rmem_default);
	sockbuf_init(&so->so_snd, (size_t)net_wmem_default);
	so->so_ino = atomic_fetch_add(&so_nextino, 1);
	atomic_fetch_add(&so_count, 1);
	return so;
}

void
sodealloc(struct socket *so)
{
	sockbuf_destroy(&so->so_rcv);
	sockbuf_destroy(&so->so_snd);
	cv_destroy(&so->so_cv);
	mutex_destroy(&so->so_lockstore);
	if (so->so_cred != NULL)
		cred_free(so->so_cred);
	kmem_free(so, sizeof(*so));
	atomic_fetch_sub(&so_count, 1);
}

/* Puts a socket nobody can reach any more on the free list. */
static void
sofree(struct socket *so)
{
	mutex_enter(&so_zombie_lock);
	so->so_zombie = so_zombies;
	so_zombies = so;
	atomic_fetch_add(&so_nzombies, 1);
	mutex_exit(&so_zombie_lock);
}

/* Files whose release was deferred (dom_dispose under a socket lock). */
static struct deferred_rele {
	struct file *fp;
	struct deferred_rele *next;
} *so_deferred;

void
so_defer_filerele(struct file *fp)
{
	struct deferred_rele *d = kmem_alloc(sizeof(*d));

	if (d == NULL) {
		/* No memory to defer: leak the reference rather than
		 * recurse into a socket lock we may hold. */
		kprintf("rump: net: a descriptor in flight leaked (ENOMEM)\n");
		return;
	}
	d->fp = fp;
	mutex_enter(&so_zombie_lock);
	d->next = so_deferred;
	so_deferred = d;
	atomic_fetch_add(&so_nzombies, 1);
	mutex_exit(&so_zombie_lock);
}

void
so_reap(void)
{
	struct socket *so, *next;
	struct deferred_rele *d, *dn;

	while (atomic_load(&so_nzombies) != 0) {
		mutex_enter(&so_zombie_lock);
		d = so_deferred;
		so_deferred = NULL;
		so = so_zombies;
		so_zombies = NULL;
		atomic_store(&so_nzombies, 0);
		mutex_exit(&so_zombie_lock);
		for (; d != NULL; d = dn) {
			dn = d->next;
			file_rele(d->fp);	/* may free sockets: next pass */
			kmem_free(d, sizeof(*d));
		}
		/* Whoever dropped the last reference may still hold the
		 * socket's lock (its own or a shared one): wait for each
		 * before freeing any, as one may be another's lock. */
		for (next = so; next != NULL; next = next->so_zombie) {
			kmutex_t *lk = next->so_lock;

			mutex_enter(lk);
			mutex_exit(lk);
		}
		for (; so != NULL; so = next) {
			next = so->so_zombie;
			sodealloc(so);
		}
	}
}

/* Frees so if nothing refers to it any more (so_lock held). */
void
somaybefree(struct socket *so)
{
	if ((so->so_state & (SS_NOFDREF | SS_FREED)) == SS_NOFDREF &&
	    so->so_refs == 0 && so->so_head == NULL && so->so_pcb == NULL) {
		so->so_state |= SS_FREED;
		sofree(so);
	}
}

void
sohold(struct socket *so)
{
	so->so_refs++;
}

void
sorele(struct socket *so)
{
	KASSERT(so->so_refs > 0);
	so->so_refs--;
	somaybefree(so);
}
