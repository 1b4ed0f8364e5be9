// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_test - a structured fuzzer for /dev/ipclab.
 *
 * /dev/ipclab is mode 0666: every local user may call every ioctl with
 * any argument, so every argument is hostile.  This program makes such
 * calls, many at once, from processes of two users (root and nobody) and
 * from several threads in each, while it kills, signals and respawns
 * them, maps and unmaps shared buffers, passes fds around and changes the
 * module's limits under their feet.  It does not decide whether the
 * kernel survived: the lab VM does (scripts/ipclab-vm fails the run on
 * any splat, KASAN/lockdep/UBSAN report, kmemleak report or failed
 * rmmod).  The fuzzer checks that it reached its bound, that it cleaned
 * up, and that the module still works afterwards, and prints "ok 1 fuzz".
 *
 * usage: fuzz_test [--seed S] [--calls N] [--seconds T] [--workers W]
 *                  [--threads T] [--no-params] [--no-kill] [--apart]
 *                  [--verbose]
 *        (also IPCLAB_FUZZ_SEED, IPCLAB_FUZZ_CALLS, IPCLAB_FUZZ_SECONDS)
 *
 * Reproducing: the seed is printed first.  Worker w in its g-th life
 * (respawned after a kill) draws from worker_seed(seed, w, g), its thread
 * i from thread_seed(that, i); both are printed.  The same seed gives
 * every thread the same stream of decisions, but the interleaving of the
 * threads, and so what the kernel answers, differs from run to run: a
 * seed reproduces a run's recipe, not its timing.  "--workers 1
 * --threads 1 --no-kill --no-params" makes a run as repeatable as it
 * gets.
 *
 * How it is built, top to bottom:
 *
 *   1. Shared state: one MAP_SHARED page set that every process sees: the
 *      pool of live objects (so that workers use each other's objects),
 *      recently removed ids (stale ids), the current limits, statistics.
 *   2. Argument memory: each thread owns an arena followed by a PROT_NONE
 *      page, a read-only alias and a page with nothing mapped after it,
 *      so that a buffer can be good, end exactly at an inaccessible or
 *      unmapped page, straddle it, be read-only, or be a bad pointer of
 *      some other kind (NULL, kernel, non-canonical).
 *   3. The ioctl table: one entry per command (name, number, argument
 *      size, weight, generator, optional "after" hook, documented
 *      errnos).  Adding an ioctl is one entry and one generator.
 *   4. The other actions: mmap and friends on shared buffers, poll,
 *      select and epoll on mailboxes, fds (dup, close, close_range,
 *      SCM_RIGHTS, clone(CLONE_FILES), unshare), fork, signals, bursts
 *      of threads.  Also a table.
 *   5. Workers: processes that run threads that pick actions.
 *   6. The master: forks workers, kills, signals and respawns them,
 *      changes module parameters, collects garbage, and at the end
 *      cleans up, restores, checks health and prints the totals.
 *
 * Every blocking call has a timeout or is interrupted: a thread arms an
 * interval timer that signals it before any call that may wait forever.
 *
 * Run it in the lab VM, not on a machine whose ipclab objects matter: as
 * root it changes the module's limits for a while, and a forged id that
 * happens to name somebody else's object removes or changes that object.
 */
#include <dirent.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <ucontext.h>
#include <stdatomic.h>
#include <stddef.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <linux/close_range.h>

#include "ipclab_test.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE	25
#endif
#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id	_sigev_un._tid
#endif

#define PAGE		4096UL

/* docs/design.md: an id is seq * slots + slot, 131072 slots, seq 1..16383. */
#define ID_SLOTS	IPCLAB_ID_SLOTS
#define ID_SEQS		16384U

/* Defaults: a short run, as "make check" starts it (under a minute on debug). */
#define DEF_CALLS	100000
#define DEF_WORKERS	4	/* even workers run as root, odd ones as nobody */
#define DEF_THREADS	3	/* each worker runs 1..this many threads */

#define MAX_WORKERS	16
#define MAX_THREADS	8
#define POOL_SIZE	48	/* objects the workers share */
#define STALE_SIZE	64	/* removed ids kept to be used again */
#define KEYS		24	/* keys 1..KEYS are shared by everybody */
#define MAX_FDS		48	/* sessions and object fds per worker */
#define MAX_HELD	16	/* mutexes a worker believes it owns */
#define MAX_MAPS	12	/* shared-buffer mappings per thread */
#define ARENA		(256 * 1024)	/* argument memory per thread */
#define ARG_MAX		512	/* the largest argument structure */
#define NERR		160	/* errno histogram buckets */
#define MAX_IOCTLS	24
#define MAX_ACTIONS	40
#define MAX_UNDOC	32
#define MAX_PARAMS	32

/* Fds the fuzzer needs for itself live at or above this number. */
#define FD_PRIVATE	900
/* dup2() targets. */
#define FD_DUP_LO	600
#define FD_DUP_HI	700

/*
 * Buffers and mappings above this size are "big": one at a time on the
 * whole machine, and removed right after use, so that a run cannot eat
 * the VM's memory (shared buffers allocate all their pages at creation).
 */
#define BIG_SHBUF	(1UL << 20)
#define BIG_SEMS	1024
/*
 * The largest shared buffer made: its pages are allocated and zeroed at
 * creation, with the object table's mutex held, which takes seconds for
 * the default limit of 128 MiB on the debug kernel under TCG (and holds
 * up every GET, RMID and LIST meanwhile).  A size at the limit is tried
 * when the master has set shbuf_max_size at or below this.
 */
#define MAX_SHBUF	(16UL << 20)

/* The timer signal that interrupts a thread's blocking calls. */
#define SIG_TIMER	(SIGRTMIN + 2)

/* ------------------------------------------------------------------ */
/* Random numbers                                                     */
/* ------------------------------------------------------------------ */

/* splitmix64: small, fast, and good enough to choose arguments. */
static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t rng_next(uint64_t *state)
{
	*state += 0x9e3779b97f4a7c15ULL;
	return mix64(*state);
}

static uint64_t worker_seed(uint64_t seed, int worker, int gen)
{
	return mix64(seed ^ mix64(((uint64_t)gen << 32 | (uint32_t)worker) + 1));
}

static uint64_t thread_seed(uint64_t wseed, int thread)
{
	return mix64(wseed + 0x51ed270b27a8c3d1ULL * (uint64_t)(thread + 1));
}

/* ------------------------------------------------------------------ */
/* Shared state (one MAP_SHARED mapping, set up before any fork)      */
/* ------------------------------------------------------------------ */

/* An object some worker created; any worker may use or remove it. */
struct pool_obj {
	_Atomic uint32_t id;	/* 0: empty; written last */
	uint32_t type;
	uint32_t nsems;		/* semaphore sets: as created */
	uint32_t msgsz;		/* mailboxes: largest message */
	uint64_t size;		/* shared buffers: bytes */
};

/* The limits the generators aim at (the master re-reads them). */
struct fuzz_limits {
	uint32_t max_sems;
	uint32_t max_ops;
	uint32_t max_waiters;
	uint32_t sem_max;
	uint32_t mbox_max_msgs;
	uint32_t mbox_max_msgsz;
	uint64_t mbox_max_bytes;
	uint64_t shbuf_max_size;
};

struct worker_slot {
	pid_t pid;		/* 0: not running */
	uid_t uid;
	int gen;		/* how many times it was (re)spawned */
	uint64_t seed;
	_Atomic uint64_t calls;	/* its heartbeat */
	_Atomic pid_t tids[MAX_THREADS];
	_Atomic int last;	/* the action it started last */
};

/* An errno documented nowhere, seen from an ioctl. */
struct undoc {
	_Atomic uint32_t count;	/* 0: free */
	int16_t ioctl;
	int16_t err;
	uint64_t seed;		/* of the thread that saw it first */
};

struct fuzz_stats {
	_Atomic uint64_t ioctl[MAX_IOCTLS];
	_Atomic uint64_t err[MAX_IOCTLS][NERR];	/* [0]: success */
	_Atomic uint64_t action[MAX_ACTIONS];
	_Atomic uint64_t ioctl_ns[MAX_IOCTLS];		/* time spent in each */
	_Atomic uint64_t action_ns[MAX_ACTIONS];
	_Atomic uint64_t kills, signals, stops, forks, clones, respawns;
	_Atomic uint64_t params, params_rejected, gc_removed, segv, sigbus;
	_Atomic uint64_t scm_sent, scm_received, bursts, unshares, deaths;
	_Atomic uint64_t stuck, big, huge_taken;
	struct undoc undoc[MAX_UNDOC];
};

struct fuzz_shared {
	_Atomic int stop;
	uint64_t max_calls;
	_Atomic uint64_t done;		/* calls made */
	pid_t master;
	struct fuzz_limits lim;
	struct pool_obj pool[POOL_SIZE];
	_Atomic uint32_t stale[STALE_SIZE];
	_Atomic uint32_t stale_next;
	_Atomic int big_token;		/* 1 while somebody holds a big object */
	struct worker_slot workers[MAX_WORKERS];
	struct fuzz_stats st;
};

static struct fuzz_shared *sh;

#define INC(x)		atomic_fetch_add_explicit(&(x), 1, memory_order_relaxed)
#define ADD(x, n)	atomic_fetch_add_explicit(&(x), (n), memory_order_relaxed)
#define LOAD(x)		atomic_load_explicit(&(x), memory_order_relaxed)

/* ------------------------------------------------------------------ */
/* Options                                                            */
/* ------------------------------------------------------------------ */

static struct {
	uint64_t seed;
	uint64_t calls;		/* 0: no call bound */
	uint64_t seconds;	/* 0: no time bound */
	int workers;
	int threads;
	bool params;		/* change module parameters */
	bool kill;		/* SIGKILL and SIGSTOP workers */
	bool apart;		/* keep every mapping apart: see map_apart() */
	bool verbose;
} opt = {
	.workers = DEF_WORKERS,
	.threads = DEF_THREADS,
	.params = true,
	.kill = true,
};

/* ------------------------------------------------------------------ */
/* Per-worker and per-thread state                                    */
/* ------------------------------------------------------------------ */

enum fd_kind { FD_SESSION = 1, FD_MBOX, FD_SHBUF, FD_OTHER };

/*
 * The worker's fds.  Lock-free on purpose: fork() and clone() children
 * use it too, and a lock some other thread held at fork time would never
 * be released in the child.  A racy read names a wrong or closed fd at
 * worst, which is one more hostile argument.
 */
struct fdent {
	_Atomic int fd;		/* -1: free; written last */
	uint8_t kind;
	uint8_t access;		/* IPCLAB_OPEN_READ/WRITE it was opened with */
	uint32_t id;
	uint64_t size;		/* shared buffers: bytes, as the pool said */
};

struct fuzz_worker {
	int index;
	int gen;
	uint64_t seed;
	struct worker_slot *slot;
	struct fdent fds[MAX_FDS];
	_Atomic uint32_t held[MAX_HELD];	/* mutexes it locked */
	int sock;		/* SCM_RIGHTS: its bound datagram socket */
	int procmem;		/* /proc/self/mem */
	_Atomic int burst;	/* 1 while a burst of threads runs */
};

/* A mapping of a shared buffer, owned by one thread. */
struct mapping {
	uint8_t *addr;
	size_t len;
	size_t inside;		/* bytes of it within the buffer (no SIGBUS) */
	bool writable;
	bool apart;		/* still between its two guard pages, whole */
	uint8_t *guard_lo;	/* the guard pages map_apart() left, or NULL */
	uint8_t *guard_hi;
};

struct fuzz_thread {
	struct fuzz_worker *w;
	int index;
	uint64_t rng;
	uint64_t seed;
	pid_t tid;
	bool child;		/* in a fork()/clone() child: no timers, no threads */
	bool has_timer;
	timer_t timer;
	int epfd;
	uint32_t focus;		/* bursts: the object the threads fight over */

	/* Argument memory (see "Argument memory" below). */
	uint8_t *arena;		/* ARENA bytes, then a PROT_NONE page */
	uint8_t *guard;
	uint8_t *ro;		/* a read-only view of rw_alias */
	uint8_t *rw_alias;
	uint8_t *edge;		/* a page with nothing mapped after it */
	size_t bump;

	struct mapping maps[MAX_MAPS];
	int nmaps;

	/* Touching mappings: SIGSEGV/SIGBUS jump back here. */
	sigjmp_buf jmp;
	volatile sig_atomic_t in_touch;
};

static __thread struct fuzz_thread *me;

static uint64_t rnd(struct fuzz_thread *t)
{
	return rng_next(&t->rng);
}

/* 0..n-1 (0 when n is 0). */
static uint64_t below(struct fuzz_thread *t, uint64_t n)
{
	return n ? rnd(t) % n : 0;
}

static bool chance(struct fuzz_thread *t, unsigned int percent)
{
	return below(t, 100) < percent;
}

static uint64_t between(struct fuzz_thread *t, uint64_t lo, uint64_t hi)
{
	return lo + below(t, hi - lo + 1);
}

/*
 * A number near a limit: the classic off-by-ones and the values that
 * overflow, or, most of the time, a small ordinary one.
 */
static uint64_t around(struct fuzz_thread *t, uint64_t limit, uint64_t small_max)
{
	switch (below(t, 16)) {
	case 0:	return 0;
	case 1:	return 1;
	case 2:	return limit ? limit - 1 : 0;
	case 3:	return limit;
	case 4:	return limit + 1;
	case 5:	return UINT32_MAX;
	case 6:	return chance(t, 50) ? INT32_MAX : 0x80000000U;
	case 7:	return chance(t, 50) ? UINT64_MAX : 1ULL << 32;
	default: return between(t, 1, small_max);
	}
}

static uint64_t mono_now(void)
{
	return mono_ns();
}

/* ------------------------------------------------------------------ */
/* Argument memory                                                    */
/* ------------------------------------------------------------------ */

/*
 * Each thread owns ARENA bytes followed by a PROT_NONE page, one page
 * mapped twice from a memfd: writable (rw_alias) and read-only (ro), and
 * an "edge" page with nothing mapped after it.  A buffer the kernel reads
 * or writes is placed by ubuf() in one of these ways.  An address we
 * munmap()ed could be handed to the next mmap() of another thread (and
 * the kernel would then write into the fuzzer's own memory), so the page
 * after the edge is one that mmap() never hands out: edge pages live at
 * EDGE_BASE, terabytes below where mmap() places things, each followed
 * by a page left unmapped.
 */
#define EDGE_BASE	0x100000000000ULL	/* 16 TiB */
static _Atomic uint64_t edge_next;
enum ptr_kind {
	P_GOOD,		/* in the arena, aligned */
	P_AT_END,	/* in the arena, its last byte the last before the guard */
	P_UNALIGNED,	/* in the arena, off by 1..7 */
	P_RO,		/* read-only: fine to read, EFAULT to write */
	P_STRADDLE,	/* begins in the arena, ends in the guard page */
	P_GUARD,	/* the PROT_NONE page */
	P_NULL,
	P_LOW,		/* below mmap_min_addr */
	P_TOP,		/* the last user page, never mapped */
	P_KERNEL,	/* 0xffff800000000000, the kernel's half */
	P_KTEXT,	/* where kernel text lives */
	P_NONCANON,	/* not a canonical address at all */
	P_SHBUF,	/* inside one of this thread's shared-buffer mappings */
	P_EDGE,		/* its last byte the last before an unmapped page */
	P_PAST_EDGE,	/* begins on the edge page, ends in the unmapped one */
	P_UNMAPPED,	/* the unmapped page after the edge */
};

static int arena_init(struct fuzz_thread *t)
{
	int mfd;

	t->arena = mmap(NULL, ARENA + PAGE, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (t->arena == MAP_FAILED)
		return -1;
	t->guard = t->arena + ARENA;
	if (mprotect(t->guard, PAGE, PROT_NONE))
		return -1;
	mfd = memfd_create("fuzz-ro", MFD_CLOEXEC);
	if (mfd < 0 || ftruncate(mfd, PAGE))
		return -1;
	t->rw_alias = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	t->ro = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, mfd, 0);
	close(mfd);
	if (t->rw_alias == MAP_FAILED || t->ro == MAP_FAILED)
		return -1;
	/* Every other page from EDGE_BASE up; a fork()ed worker may find some taken. */
	do
		t->edge = mmap((void *)(uintptr_t)(EDGE_BASE + 2 * PAGE * atomic_fetch_add(&edge_next, 1)),
			       PAGE, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	while (t->edge == MAP_FAILED && errno == EEXIST);
	return t->edge == MAP_FAILED ? -1 : 0;
}

static void arena_free(struct fuzz_thread *t)
{
	munmap(t->arena, ARENA + PAGE);
	munmap(t->rw_alias, PAGE);
	munmap(t->ro, PAGE);
	munmap(t->edge, PAGE);
}

static enum ptr_kind pick_ptr_kind(struct fuzz_thread *t, int good_percent)
{
	static const enum ptr_kind bad[] = {
		P_STRADDLE, P_GUARD, P_NULL, P_LOW, P_TOP, P_KERNEL, P_KTEXT,
		P_NONCANON, P_RO, P_SHBUF, P_UNALIGNED, P_AT_END, P_EDGE,
		P_PAST_EDGE, P_UNMAPPED,
	};

	if (chance(t, good_percent))
		return chance(t, 90) ? P_GOOD : P_AT_END;
	return bad[below(t, ARRAY_SIZE(bad))];
}

/*
 * A user pointer for len bytes: placed as kind says when it can be.
 * *fill gets a writable view of the same bytes to put input into (NULL
 * when the pointer is not ours to write).  The arena is handed out from
 * the front; P_AT_END takes the back.
 */
static uint64_t ubuf_kind(struct fuzz_thread *t, size_t len, enum ptr_kind kind,
			  void **fill)
{
	size_t off;
	int i;

	*fill = NULL;
	switch (kind) {
	case P_GOOD:
	case P_UNALIGNED:
		off = (t->bump + 15) & ~15UL;
		if (kind == P_UNALIGNED)
			off += between(t, 1, 7);
		if (off + len > ARENA / 2)
			return ubuf_kind(t, len, P_AT_END, fill);
		t->bump = off + len;
		*fill = t->arena + off;
		return ptr_u64(t->arena + off);
	case P_AT_END:
		if (len > ARENA / 2)
			len = ARENA / 2;
		*fill = t->guard - len;
		return ptr_u64(t->guard - len);
	case P_RO:
		if (len > PAGE)
			return ptr_u64(t->ro);
		*fill = t->rw_alias + PAGE - len;
		return ptr_u64(t->ro + PAGE - len);
	case P_STRADDLE:
		return ptr_u64(t->guard - (len > 1 ? len / 2 : 1));
	case P_GUARD:
		return ptr_u64(t->guard + below(t, PAGE));
	case P_NULL:
		return 0;
	case P_LOW:
		return 0x1000 + below(t, 0xe000);
	case P_TOP:
		return 0x00007ffffffff000ULL + below(t, PAGE);
	case P_KERNEL:
		return 0xffff800000000000ULL + (below(t, 4) << 12);
	case P_KTEXT:
		return 0xffffffff81000000ULL + (below(t, 256) << 12);
	case P_NONCANON:
		return chance(t, 50) ? 0x0000800000000000ULL : 0x8000000000000000ULL;
	case P_SHBUF:
		/*
		 * The kernel may write more than len (a capacity larger than
		 * the buffer): only a mapping that ends at its guard page
		 * stops it before other memory of ours.
		 */
		for (i = 0; i < t->nmaps; i++) {
			struct mapping *m = &t->maps[(i + t->bump) % t->nmaps];

			if (m->len >= len && m->guard_hi && m->addr + m->len == m->guard_hi)
				return ptr_u64(m->addr + m->len - len);
		}
		return ptr_u64(t->guard);
	case P_EDGE:
		if (len > PAGE)
			return ptr_u64(t->edge);	/* runs into the unmapped page */
		*fill = t->edge + PAGE - len;
		return ptr_u64(t->edge + PAGE - len);
	case P_PAST_EDGE:
		return ptr_u64(t->edge + PAGE - (len > 1 ? len / 2 : 1));
	case P_UNMAPPED:
		return ptr_u64(t->edge + PAGE + below(t, PAGE));
	}
	return 0;
}

static uint64_t ubuf(struct fuzz_thread *t, size_t len, void **fill)
{
	return ubuf_kind(t, len, pick_ptr_kind(t, 88), fill);
}

/* Fill an input buffer with random bytes, if it is ours to fill. */
static void fill_random(struct fuzz_thread *t, void *fill, size_t len)
{
	uint8_t *p = fill;
	size_t i;

	for (i = 0; p && i < len; i += 8) {
		uint64_t v = rnd(t);

		memcpy(p + i, &v, len - i < 8 ? len - i : 8);
	}
}

/* ------------------------------------------------------------------ */
/* The pool of objects, stale ids, forged ids                         */
/* ------------------------------------------------------------------ */

static void pool_add(struct fuzz_thread *t, uint32_t id, uint32_t type,
		     uint32_t nsems, uint32_t msgsz, uint64_t size)
{
	struct pool_obj *o = &sh->pool[below(t, POOL_SIZE)];

	/* Whatever was here stays alive; the master's collector removes it. */
	atomic_store(&o->id, 0);
	o->type = type;
	o->nsems = nsems;
	o->msgsz = msgsz;
	o->size = size;
	atomic_store(&o->id, id);
}

static void pool_forget(uint32_t id)
{
	int i;

	for (i = 0; i < POOL_SIZE; i++) {
		uint32_t want = id;

		atomic_compare_exchange_strong(&sh->pool[i].id, &want, 0);
	}
}

static void stale_push(uint32_t id)
{
	uint32_t i = atomic_fetch_add(&sh->stale_next, 1);

	atomic_store(&sh->stale[i % STALE_SIZE], id);
}

/* Copy what the pool says of an object; the slot may change meanwhile. */
static void pool_copy(struct pool_obj *out, const struct pool_obj *o, uint32_t id)
{
	out->type = o->type;
	out->nsems = o->nsems;
	out->msgsz = o->msgsz;
	out->size = o->size;
	atomic_store_explicit(&out->id, id, memory_order_relaxed);
}

/* A random live pool object of the type (0: any), copied; false if none. */
static bool pool_pick(struct fuzz_thread *t, uint32_t type, struct pool_obj *out)
{
	int start = below(t, POOL_SIZE), i;

	for (i = 0; i < POOL_SIZE; i++) {
		struct pool_obj *o = &sh->pool[(start + i) % POOL_SIZE];
		uint32_t id = atomic_load(&o->id);

		if (!id || (type && o->type != type))
			continue;
		pool_copy(out, o, id);
		return true;
	}
	return false;
}

/*
 * The id to pass for an object of the type.  Mostly a live object from
 * the pool; otherwise one of another type, a stale id (removed), a forged
 * one (a live slot with another sequence number, a neighbouring slot,
 * seq 0, the last one or the first past it), or a boundary value.  *o describes what was chosen as
 * far as the fuzzer knows (nsems 1, sizes 0 when it knows nothing).
 */
static uint32_t choose_id(struct fuzz_thread *t, uint32_t type, struct pool_obj *o)
{
	struct pool_obj any;
	uint32_t id, slot;
	int dice = below(t, 100);

	memset(o, 0, sizeof(*o));
	o->type = type;
	o->nsems = 1;
	if (t->focus && dice < 80) {
		/* A burst: nearly every call goes to the same object. */
		for (int i = 0; i < POOL_SIZE; i++) {
			struct pool_obj *p = &sh->pool[i];

			if (atomic_load(&p->id) == t->focus) {
				pool_copy(o, p, t->focus);
				break;
			}
		}
		return t->focus;
	}
	if (dice < 78 && pool_pick(t, type, o))
		return o->id;
	if (dice < 84 && pool_pick(t, 0, o))
		return o->id;		/* maybe of another type */
	if (dice < 91) {
		id = atomic_load(&sh->stale[below(t, STALE_SIZE)]);
		if (id)
			return id;
	}
	if (dice < 96 && pool_pick(t, 0, &any)) {
		slot = any.id % ID_SLOTS;
		switch (below(t, 4)) {
		case 0:	return slot + ID_SLOTS * (uint32_t)below(t, ID_SEQS);
		case 1:	return any.id + 1;
		case 2:	return any.id - 1;
		default: return slot + ID_SLOTS * (chance(t, 50) ? 0 :
						   ID_SEQS - below(t, 2));
		}
	}
	switch (below(t, 8)) {
	case 0:	return 0;
	case 1:	return 1;
	case 2:	return ID_SLOTS - 1;
	case 3:	return ID_SLOTS;
	case 4:	return UINT32_MAX;
	case 5:	return INT32_MAX;
	default: return (uint32_t)rnd(t);
	}
}

static uint32_t pick_id(struct fuzz_thread *t, uint32_t type, struct pool_obj *o)
{
	uint32_t id = choose_id(t, type, o);

	/* What the after hooks look at: the id the call named. */
	atomic_store_explicit(&o->id, id, memory_order_relaxed);
	return id;
}

/* ------------------------------------------------------------------ */
/* The worker's fds and mutexes                                       */
/* ------------------------------------------------------------------ */

static int fd_add(struct fuzz_worker *w, int fd, int kind, uint32_t id,
		  int access, uint64_t size)
{
	int i;

	for (i = 0; i < MAX_FDS; i++) {
		struct fdent *e = &w->fds[i];
		int free_fd = -1;

		if (atomic_load(&e->fd) != -1)
			continue;
		/* Claim the slot with an fd nobody uses, then describe it. */
		if (!atomic_compare_exchange_strong(&e->fd, &free_fd, -2))
			continue;
		e->kind = kind;
		e->id = id;
		e->access = access;
		e->size = size;
		atomic_store(&e->fd, fd);
		return 0;
	}
	return -1;
}

/* Forget fd (it was closed); false if the table did not have it. */
static bool fd_forget(struct fuzz_worker *w, int fd)
{
	bool found = false;
	int i;

	for (i = 0; i < MAX_FDS; i++) {
		int want = fd;

		if (atomic_compare_exchange_strong(&w->fds[i].fd, &want, -1))
			found = true;
	}
	return found;
}

/* A random fd of the kind (0: any kind) with its entry, or -1. */
static int fd_pick(struct fuzz_thread *t, int kind, struct fdent *out)
{
	int start = below(t, MAX_FDS), i;

	for (i = 0; i < MAX_FDS; i++) {
		struct fdent *e = &t->w->fds[(start + i) % MAX_FDS];
		int fd = atomic_load(&e->fd);

		if (fd < 0 || (kind && e->kind != kind))
			continue;
		if (out) {
			out->kind = e->kind;
			out->id = e->id;
			out->access = e->access;
			out->size = e->size;
			atomic_store_explicit(&out->fd, fd, memory_order_relaxed);
		}
		return fd;
	}
	return -1;
}

static int fd_count(struct fuzz_worker *w, int kind)
{
	int i, n = 0;

	for (i = 0; i < MAX_FDS; i++)
		if (atomic_load(&w->fds[i].fd) >= 0 && w->fds[i].kind == kind)
			n++;
	return n;
}

static int open_session(struct fuzz_worker *w, int flags)
{
	int fd = open(IPCLAB_DEVICE, flags);

	if (fd < 0)
		return -1;
	if (fd >= FD_PRIVATE || fd_add(w, fd, FD_SESSION, 0, 0, 0)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A session fd to call ioctls on; opens one when the worker has none. */
static int session(struct fuzz_thread *t)
{
	int fd = fd_pick(t, FD_SESSION, NULL);

	if (fd < 0)
		fd = open_session(t->w, O_RDWR | O_CLOEXEC);
	return fd;
}

/* Close an fd and forget it, unless the table did not know it. */
static void fd_close(struct fuzz_worker *w, int fd)
{
	if (fd_forget(w, fd))
		close(fd);
}

static void held_add(struct fuzz_worker *w, uint32_t id)
{
	int i;

	for (i = 0; i < MAX_HELD; i++) {
		uint32_t free_id = 0;

		if (atomic_compare_exchange_strong(&w->held[i], &free_id, id))
			return;
	}
}

static void held_del(struct fuzz_worker *w, uint32_t id)
{
	int i;

	for (i = 0; i < MAX_HELD; i++) {
		uint32_t want = id;

		if (atomic_compare_exchange_strong(&w->held[i], &want, 0))
			return;
	}
}

static uint32_t held_pick(struct fuzz_thread *t)
{
	int start = below(t, MAX_HELD), i;

	for (i = 0; i < MAX_HELD; i++) {
		uint32_t id = atomic_load(&t->w->held[(start + i) % MAX_HELD]);

		if (id)
			return id;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Blocking calls: the interval timer                                 */
/* ------------------------------------------------------------------ */

static void timer_init(struct fuzz_thread *t)
{
	struct sigevent sev;

	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = SIG_TIMER;
	sev.sigev_notify_thread_id = t->tid;
	t->has_timer = !timer_create(CLOCK_MONOTONIC, &sev, &t->timer);
}

/*
 * Before a call that may wait without end: signal this thread in 1..20 ms
 * and every 20 ms after that, so that a signal that came too early (before
 * the call started to wait) is followed by another.  A thread without a
 * timer (a fork() child) is killed by its parent instead.
 */
static void block_begin(struct fuzz_thread *t)
{
	struct itimerspec its = {
		.it_value.tv_nsec = between(t, 1, 20) * 1000000L,
		.it_interval.tv_nsec = 20 * 1000000L,
	};

	if (t->has_timer)
		timer_settime(t->timer, 0, &its, NULL);
}

static void block_end(struct fuzz_thread *t)
{
	struct itimerspec off = {};

	if (t->has_timer)
		timer_settime(t->timer, 0, &off, NULL);
}

/* The IPCLAB_WAIT_* part of a blocking command; true if it may wait long. */
static bool gen_wait(struct fuzz_thread *t, __u32 *flags, __u64 *timeout)
{
	*timeout = 0;
	switch (below(t, 20)) {
	case 0 ... 8:
		*flags = IPCLAB_WAIT_NOWAIT;
		return false;
	case 9 ... 13:
		*flags = IPCLAB_WAIT_TIMEOUT;
		*timeout = chance(t, 20) ? 0 : below(t, 2 * NSEC_PER_MSEC);
		return false;
	case 14:
		*flags = IPCLAB_WAIT_ABSTIME;
		switch (below(t, 4)) {
		case 0:	*timeout = 0; break;
		case 1:	*timeout = mono_now() - NSEC_PER_SEC; break;
		default: *timeout = mono_now() + below(t, 2 * NSEC_PER_MSEC); break;
		}
		return false;
	case 15 ... 16:
		*flags = 0;		/* as long as it takes: the timer ends it */
		return true;
	case 17:
		*flags = chance(t, 50) ? IPCLAB_WAIT_TIMEOUT : IPCLAB_WAIT_ABSTIME;
		*timeout = chance(t, 50) ? UINT64_MAX : (uint64_t)INT64_MAX + below(t, 2);
		return true;
	case 18:
		/* Invalid: both timeouts, or a timeout without its flag. */
		*flags = chance(t, 50) ? IPCLAB_WAIT_TIMEOUT | IPCLAB_WAIT_ABSTIME : 0;
		*timeout = 1 + below(t, NSEC_PER_MSEC);
		return false;
	default:
		*flags = (uint32_t)rnd(t) & (chance(t, 50) ? 0xf : ~0U);
		*timeout = below(t, NSEC_PER_MSEC);
		return !(*flags & IPCLAB_WAIT_NOWAIT);
	}
}

/* ------------------------------------------------------------------ */
/* The ioctl table                                                    */
/* ------------------------------------------------------------------ */

/* What one ioctl call is about to do; generators fill it in. */
struct call {
	unsigned long cmd;	/* the command: the entry's unless changed */
	int fd;			/* FD_ANY_SESSION unless changed */
	size_t size;		/* bytes of the argument to place */
	bool blocking;		/* may wait without end: arm the timer */
	bool big;		/* holds sh->big_token */
	bool no_check;		/* ENOTTY/EBADF are expected: keep the fd */
	struct pool_obj obj;	/* the object it names, as far as known */
};

#define FD_ANY_SESSION	INT_MIN

struct fuzz_ioctl {
	const char *name;
	unsigned long cmd;
	size_t size;		/* of its argument structure */
	unsigned int weight;	/* how often, relative to the others */
	/* Fill the argument (zeroed, size bytes) and the call. */
	void (*gen)(struct fuzz_thread *t, struct call *c, void *arg);
	/* Optional: learn from the result; arg is NULL if it cannot be read. */
	void (*after)(struct fuzz_thread *t, struct call *c, void *arg,
		      int ret, int err);
	/* Errnos the header or docs/errors.md promise, 0-terminated. */
	const short *errs;
};

#define ERRS(...)	((const short[]){ __VA_ARGS__, 0 })

/*
 * Any command may fail so (docs/errors.md, "Any command"); and EBADF is
 * the VFS's answer when another thread closed the fd just before.
 */
static const short any_errs[] = { ENOTTY, EFAULT, EINVAL, ENOMEM, EBADF, 0 };

/* A mode for a new object, or an access to ask for. */
static uint32_t gen_mode(struct fuzz_thread *t)
{
	switch (below(t, 12)) {
	case 0 ... 5:	return 0666;
	case 6 ... 7:	return 0600;
	case 8:		return 0644;
	case 9:		return 0;
	case 10:	return below(t, 01000);
	default:	return chance(t, 50) ? 01000 | below(t, 01000) : (uint32_t)rnd(t);
	}
}

/* A small element count, or one around a limit. */
static uint32_t gen_len(struct fuzz_thread *t, uint32_t limit)
{
	if (chance(t, 20))
		return 0;
	if (chance(t, 70))
		return between(t, 1, 16);
	return (uint32_t)around(t, limit, 64);
}

/*
 * An output array of n elements of size each: a pointer (or 0) and the
 * capacity to pass.  The buffer is never larger than the arena can hold;
 * a capacity larger than the buffer makes the kernel's write run into
 * the guard page, which is one more case.
 */
static void gen_out_array(struct fuzz_thread *t, __u64 *ptr, __u32 *len,
			  uint32_t limit, size_t size)
{
	uint64_t bytes;
	void *fill;

	*len = gen_len(t, limit);
	if (!*len && chance(t, 70)) {
		*ptr = chance(t, 80) ? 0 : ubuf(t, size, &fill);
		return;
	}
	bytes = (uint64_t)*len * size;
	if (bytes > ARENA / 4)
		bytes = ARENA / 4;
	*ptr = ubuf(t, bytes, &fill);
	if (chance(t, 5))
		*ptr = 0;	/* a capacity with no room */
}

static void gen_version(struct fuzz_thread *t, struct call *c, void *arg)
{
	/* Nothing to choose but where the answer goes. */
}

/* Shared-buffer sizes: tiny, page-sized, around the limit, absurd. */
static uint64_t gen_shbuf_size(struct fuzz_thread *t)
{
	uint64_t max = sh->lim.shbuf_max_size;

	switch (below(t, 24)) {
	case 0:	return 0;
	case 1:	return 1;
	case 2:	return PAGE - 1;
	case 3:	return PAGE;
	case 4:	return PAGE + 1;
	case 5:	return max <= MAX_SHBUF ? max - 1 : max + 1;
	case 6:	return max <= MAX_SHBUF ? max : max + 1;
	case 7:	return max + 1;
	case 8:	return UINT32_MAX;
	case 9:	return UINT64_MAX;
	case 10: return 1ULL << 40;
	case 11: return chance(t, 20) ? between(t, BIG_SHBUF, MAX_SHBUF) : 2 * PAGE;
	default: return between(t, 1, 16 * PAGE);
	}
}

static bool big_take(void)
{
	int none = 0;

	return atomic_compare_exchange_strong(&sh->big_token, &none, getpid());
}

static void big_release(void)
{
	int mine = getpid();

	atomic_compare_exchange_strong(&sh->big_token, &mine, 0);
}

static void gen_get(struct fuzz_thread *t, struct call *c, void *arg)
{
	const struct fuzz_limits *lim = &sh->lim;
	struct ipclab_get *g = arg;

	g->type = chance(t, 96) ? between(t, 1, 4) : (uint32_t)around(t, 5, 8);
	switch (below(t, 10)) {
	case 0 ... 4:
		g->key = IPCLAB_KEY_PRIVATE;
		break;
	case 5 ... 8:
		g->key = between(t, 1, KEYS);	/* everybody's keys */
		break;
	default:
		g->key = (int32_t)around(t, INT32_MAX, UINT32_MAX);
		break;
	}
	if (chance(t, 85))
		g->flags |= IPCLAB_CREAT;
	if (chance(t, 10))
		g->flags |= IPCLAB_EXCL;
	if (chance(t, g->type == IPCLAB_TYPE_SEM || g->type == IPCLAB_TYPE_MUTEX ? 10 : 2))
		g->flags |= IPCLAB_REFUSE_DEADLOCK;
	if (chance(t, g->type == IPCLAB_TYPE_SEM ? 10 : 2))
		g->flags |= IPCLAB_NOFIFO;
	if (chance(t, g->type == IPCLAB_TYPE_MBOX ? 20 : 2))
		g->flags |= IPCLAB_MSG_COUNT_BYTES;
	if (chance(t, 2))
		g->flags |= (uint32_t)rnd(t);
	g->mode = gen_mode(t);

	switch (g->type) {
	case IPCLAB_TYPE_SEM:
		g->sem.nsems = chance(t, 96) ? between(t, 1, 8) :
			   (uint32_t)around(t, lim->max_sems, 64);
		break;
	case IPCLAB_TYPE_MBOX:
		if (chance(t, 60))
			break;	/* the defaults */
		g->mbox.max_msgs = chance(t, 50) ? between(t, 1, 16) :
			      (uint32_t)around(t, lim->mbox_max_msgs, 64);
		g->mbox.max_msgsz = chance(t, 50) ? between(t, 1, 512) :
			       (uint32_t)around(t, lim->mbox_max_msgsz, 512);
		switch (below(t, 4)) {
		case 0:	g->mbox.max_bytes = 0; break;
		case 1:	g->mbox.max_bytes = g->mbox.max_msgsz - below(t, 2); break;
		default: g->mbox.max_bytes = around(t, lim->mbox_max_bytes, 4096); break;
		}
		break;
	case IPCLAB_TYPE_SHBUF:
		g->shbuf.size = gen_shbuf_size(t);
		break;
	}
	/* Fields of another type, or padding, that must be zero. */
	if (chance(t, 3)) {
		switch (below(t, 7)) {
		case 0:	g->sem.nsems = 1 + below(t, 4); break;
		case 1:	g->mbox.max_msgs = 1; break;
		case 2:	g->mbox.max_bytes = 1 + below(t, 4096); break;
		case 3:	g->shbuf.size = 1 + below(t, PAGE); break;
		case 4:	g->pad = 1; break;
		case 5:	g->sem.pad = 1 << below(t, 32); break;
		default: g->reserved[below(t, 2)] = rnd(t); break;
		}
	}

	/* One big object at a time on the machine, and only for a moment. */
	if ((g->type == IPCLAB_TYPE_SEM && g->sem.nsems > BIG_SEMS &&
	     g->sem.nsems <= lim->max_sems) ||
	    (g->type == IPCLAB_TYPE_SHBUF && g->shbuf.size > BIG_SHBUF &&
	     g->shbuf.size <= lim->shbuf_max_size)) {
		if (!t->child && big_take())
			c->big = true;
		else if (g->type == IPCLAB_TYPE_SEM)
			g->sem.nsems = between(t, 1, 8);
		else
			g->shbuf.size = between(t, 1, 4 * PAGE);
	}
	c->obj.type = g->type;
}

/* Use a big object once, thoroughly, then remove it. */
static void big_use(struct fuzz_thread *t, int fd, const struct ipclab_get *g)
{
	struct ipclab_open o = { .id = g->id, .flags = IPCLAB_OPEN_READ | IPCLAB_OPEN_WRITE };
	struct ipclab_sembuf b[2] = {
		{ .num = g->sem.nsems - 1, .op = 1 },
		{ .num = g->sem.nsems, .op = 1 },
	};
	volatile uint8_t *p;

	INC(sh->st.big);
	if (g->type == IPCLAB_TYPE_SEM) {
		sem_ops(fd, g->id, &b[0], 1, IPCLAB_WAIT_NOWAIT, 0);
		sem_ops(fd, g->id, &b[1], 1, IPCLAB_WAIT_NOWAIT, 0);	/* EFBIG */
	} else if (!ioctl(fd, IPCLAB_IOC_OPEN, &o)) {
		size_t len = (g->shbuf.size + PAGE - 1) & ~(PAGE - 1);

		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, o.fd, 0);
		if (p != MAP_FAILED) {
			p[0] = 1;
			p[len - 1] = 2;
			p[len / 2] = p[0] + p[len - 1];
			munmap((void *)p, len);
		}
		close(o.fd);
	}
	ipclab_rmid(fd, g->id);
}

static void after_get(struct fuzz_thread *t, struct call *c, void *arg,
		      int ret, int err)
{
	const struct ipclab_get *g = arg;

	if (!ret && g && c->big)
		big_use(t, session(t), g);
	else if (!ret && g)
		pool_add(t, g->id, g->type, g->sem.nsems ?: 1,
			 g->mbox.max_msgsz ?: sh->lim.mbox_max_msgsz, g->shbuf.size);
	if (c->big)
		big_release();
}

static void gen_rmid(struct fuzz_thread *t, struct call *c, void *arg)
{
	struct ipclab_id *a = arg;

	a->id = pick_id(t, 0, &c->obj);
	if (chance(t, 2))
		a->flags = (uint32_t)rnd(t);
}

static void gen_shbuf_ctl(struct fuzz_thread *t, struct call *c, void *arg)
{
	struct ipclab_shbufctl *a = arg;

	a->id = pick_id(t, chance(t, 90) ? IPCLAB_TYPE_SHBUF : 0, &c->obj);
	a->cmd = chance(t, 95) ? between(t, IPCLAB_SHBUF_CTL_LOCK, IPCLAB_SHBUF_CTL_UNLOCK)
			       : (uint32_t)rnd(t);
	if (chance(t, 2))
		a->flags = (uint32_t)rnd(t);
	if (chance(t, 1))
		a->reserved[below(t, 2)] = rnd(t);
}

/* Names: mostly good ones, some with a bad byte, no NUL or junk after it. */
static void gen_name(struct fuzz_thread *t, struct call *c, void *arg)
{
	struct ipclab_name *a = arg;
	uint32_t len = below(t, IPCLAB_NAME_LEN + 1), i;

	a->id = pick_id(t, 0, &c->obj);
	a->flags = chance(t, 70) ? IPCLAB_NAME_SET : 0;
	if (chance(t, 2))
		a->flags = (uint32_t)rnd(t);
	if (!(a->flags & IPCLAB_NAME_SET))
		return;
	for (i = 0; i < len && i < IPCLAB_NAME_LEN; i++)
		a->name[i] = chance(t, 97) ? ' ' + below(t, 95) : (char)rnd(t);
	if (len < IPCLAB_NAME_LEN && chance(t, 3))
		a->name[between(t, len, IPCLAB_NAME_LEN - 1)] = (char)rnd(t);
}

static void after_rmid(struct fuzz_thread *t, struct call *c, void *arg,
		       int ret, int err)
{
	if (!ret) {
		pool_forget(c->obj.id);
		stale_push(c->obj.id);
	}
}

static void gen_set(struct fuzz_thread *t, struct call *c, void *arg)
{
	static const uint32_t ids[] = { 0, IPCLAB_NOBODY, 1000, UINT32_MAX, 65535 };
	struct ipclab_set *a = arg;

	a->id = pick_id(t, 0, &c->obj);
	a->mode = chance(t, 90) ? gen_mode(t) & 0777 : gen_mode(t);
	a->uid = chance(t, 90) ? ids[below(t, 2)] : ids[below(t, ARRAY_SIZE(ids))];
	a->gid = chance(t, 90) ? ids[below(t, 2)] : ids[below(t, ARRAY_SIZE(ids))];
	if (chance(t, 2))
		a->uid = (uint32_t)rnd(t);
	/* msg_qbytes: small (senders wait), back up, or past the ceiling. */
	if (chance(t, 20)) {
		static const uint64_t sizes[] = {
			0, 1, 64, 16384, 65536, IPCLAB_MBOX_BYTES_CEIL,
			IPCLAB_MBOX_BYTES_CEIL + 1, UINT64_MAX,
		};

		a->flags |= IPCLAB_SET_MAX_BYTES;
		a->max_bytes = sizes[below(t, ARRAY_SIZE(sizes))];
	}
}

static void gen_stat(struct fuzz_thread *t, struct call *c, void *arg)
{
	struct ipclab_stat *a = arg;

	a->id = pick_id(t, between(t, 1, 4), &c->obj);
	/* By slot, as SEM_STAT walks (an id is a slot past the table). */
	if (chance(t, 10)) {
		a->flags |= IPCLAB_STAT_INDEX;
		if (chance(t, 80))
			a->id %= ID_SLOTS;
	}
	/* Without permission: valid only without arrays. */
	if (chance(t, 10))
		a->flags |= IPCLAB_STAT_ANY;
	if (chance(t, 2))
		a->flags = 1 << below(t, 32);
	if (chance(t, 60))
		return;		/* no arrays: the common case */
	gen_out_array(t, &a->values, &a->values_len, c->obj.nsems, sizeof(__s32));
	gen_out_array(t, &a->waiters, &a->waiters_len, 64, sizeof(struct ipclab_waiter));
	gen_out_array(t, &a->ops, &a->ops_len, 256, sizeof(struct ipclab_sembuf));
	gen_out_array(t, &a->holders, &a->holders_len, 64, sizeof(struct ipclab_holder));
	/* Output fields on input, which the kernel ignores. */
	if (chance(t, 5))
		memset(&a->type, 0xcc, sizeof(*a) - offsetof(struct ipclab_stat, type));
}

/* A semaphore operation value: mostly P and V of one or two units. */
static int32_t gen_semval(struct fuzz_thread *t)
{
	int32_t max = sh->lim.sem_max;

	switch (below(t, 40)) {
	case 0:	return max;
	case 1:	return max + 1;
	case 2:	return -max;
	case 3:	return -max - 1;
	case 4:	return INT32_MIN;
	case 5:	return INT32_MAX;
	case 6 ... 9: return 0;
	default: return (chance(t, 50) ? 1 : -1) * (int32_t)between(t, 1, 2);
	}
}

static void gen_sem_op(struct fuzz_thread *t, struct call *c, void *arg)
{
	const uint32_t known = IPCLAB_SEMBUF_UNDO | IPCLAB_SEMBUF_NOWAIT;
	struct ipclab_semop *a = arg;
	struct ipclab_sembuf *ops;
	uint32_t nsems, i, n;
	size_t bytes;

	a->id = pick_id(t, IPCLAB_TYPE_SEM, &c->obj);
	nsems = c->obj.nsems ?: 1;
	switch (below(t, 40)) {
	case 0:	a->nops = 0; break;
	case 1:	a->nops = sh->lim.max_ops; break;
	case 2:	a->nops = sh->lim.max_ops + 1; break;
	case 3:	a->nops = chance(t, 50) ? UINT32_MAX : (uint32_t)rnd(t); break;
	case 4 ... 6: a->nops = between(t, 9, 64); break;
	case 7 ... 10: a->nops = between(t, 4, 8); break;
	default: a->nops = between(t, 1, 3); break;
	}
	/* The array is never larger than the arena: beyond, it faults. */
	n = a->nops < ARENA / 4 / sizeof(*ops) ? a->nops : ARENA / 4 / sizeof(*ops);
	bytes = n * sizeof(*ops);
	a->ops = ubuf(t, bytes ?: sizeof(*ops), (void **)&ops);
	for (i = 0; ops && i < n; i++) {
		ops[i].num = chance(t, 95) ? below(t, nsems) : (uint32_t)around(t, nsems, 8);
		ops[i].op = gen_semval(t);
		ops[i].flags = (chance(t, 30) ? IPCLAB_SEMBUF_UNDO : 0) |
			       (chance(t, 10) ? IPCLAB_SEMBUF_NOWAIT : 0);
		if (chance(t, 1))
			ops[i].flags |= ~known & (uint32_t)rnd(t);
		ops[i].pad = chance(t, 1) ? 1 : 0;
	}
	c->blocking = gen_wait(t, &a->flags, &a->timeout);
	if (chance(t, 1))
		a->pad = 1;
}

static void gen_sem_ctl(struct fuzz_thread *t, struct call *c, void *arg)
{
	struct ipclab_semctl *a = arg;
	uint32_t nsems, n, i;
	__s32 *values;

	a->id = pick_id(t, IPCLAB_TYPE_SEM, &c->obj);
	nsems = c->obj.nsems ?: 1;
	a->cmd = chance(t, 96) ? between(t, IPCLAB_SEMCTL_GETVAL, IPCLAB_SEMCTL_GETPID) :
		 (uint32_t)around(t, IPCLAB_SEMCTL_GETPID + 1, 16);
	a->num = chance(t, 92) ? below(t, nsems) : (uint32_t)around(t, nsems, 8);
	a->val = chance(t, 90) ? (int32_t)below(t, 4) : gen_semval(t);
	if (a->cmd == IPCLAB_SEMCTL_GETALL || a->cmd == IPCLAB_SEMCTL_SETALL || chance(t, 5)) {
		a->nvalues = chance(t, 90) ? nsems : (uint32_t)around(t, nsems, 8);
		n = nsems < ARENA / 8 ? nsems : ARENA / 8;
		a->values = ubuf(t, n * sizeof(*values), (void **)&values);
		for (i = 0; values && i < n; i++)
			values[i] = chance(t, 95) ? (int32_t)below(t, 3) : gen_semval(t);
	}
	if (chance(t, 1))
		a->flags = 1;
}

static void gen_lock(struct fuzz_thread *t, struct call *c, void *arg)
{
	struct ipclab_lock *a = arg;

	a->id = pick_id(t, IPCLAB_TYPE_MUTEX, &c->obj);
	c->blocking = gen_wait(t, &a->flags, &a->timeout);
}

static void after_lock(struct fuzz_thread *t, struct call *c, void *arg,
		       int ret, int err)
{
	/* EOWNERDEAD: the mutex is ours, from an owner that died. */
	if (!ret || err == EOWNERDEAD)
		held_add(t->w, c->obj.id);
}

/* UNLOCK and CONSISTENT: mostly a mutex this process holds. */
static void gen_held(struct fuzz_thread *t, struct call *c, void *arg)
{
	struct ipclab_id *a = arg;
	uint32_t id = held_pick(t);

	if (id && chance(t, 70)) {
		a->id = id;
		c->obj.id = id;
		c->obj.type = IPCLAB_TYPE_MUTEX;
	} else {
		a->id = pick_id(t, IPCLAB_TYPE_MUTEX, &c->obj);
	}
	if (chance(t, 2))
		a->flags = 1;
}

static void after_unlock(struct fuzz_thread *t, struct call *c, void *arg,
			 int ret, int err)
{
	if (!ret || err == EPERM || err == EIDRM)
		held_del(t->w, c->obj.id);
}

static int64_t gen_msgtype(struct fuzz_thread *t, bool selector)
{
	switch (below(t, 24)) {
	case 0:	return 0;
	case 1:	return INT64_MAX;
	case 2:	return INT64_MIN;
	case 3:	return -1;
	case 4 ... 7:
		return selector ? -(int64_t)between(t, 1, 4) : (int64_t)between(t, 1, 4);
	case 8 ... 11:
		return selector ? 0 : 1;
	default:
		return between(t, 1, 4);
	}
}

/* A message size: small, around the mailbox's largest, or absurd. */
static uint64_t gen_msgsize(struct fuzz_thread *t, uint32_t msgsz)
{
	if (!msgsz)
		msgsz = sh->lim.mbox_max_msgsz;
	if (chance(t, 85))
		return below(t, 65);
	return around(t, msgsz, 4096);
}

static void gen_send(struct fuzz_thread *t, struct call *c, void *arg)
{
	struct ipclab_msgsnd *a = arg;
	uint64_t bytes;
	void *fill;

	a->id = pick_id(t, IPCLAB_TYPE_MBOX, &c->obj);
	a->type = gen_msgtype(t, false);
	a->size = gen_msgsize(t, c->obj.msgsz);
	bytes = a->size < ARENA / 4 ? a->size : ARENA / 4;
	a->text = ubuf(t, bytes, &fill);
	fill_random(t, fill, bytes < 64 ? bytes : 64);
	c->blocking = gen_wait(t, &a->flags, &a->timeout);
}

static void gen_recv(struct fuzz_thread *t, struct call *c, void *arg)
{
	struct ipclab_msgrcv *a = arg;
	uint32_t wait_flags;
	uint64_t bytes;
	void *fill;

	a->id = pick_id(t, IPCLAB_TYPE_MBOX, &c->obj);
	a->type = gen_msgtype(t, true);
	a->size = chance(t, 70) ? c->obj.msgsz : gen_msgsize(t, c->obj.msgsz);
	bytes = a->size < ARENA / 4 ? a->size : ARENA / 4;
	a->text = ubuf(t, bytes, &fill);
	c->blocking = gen_wait(t, &wait_flags, &a->timeout);
	a->flags = wait_flags;
	if (chance(t, 20))
		a->flags |= IPCLAB_MSG_NOERROR;
	if (chance(t, 10))
		a->flags |= IPCLAB_MSG_EXCEPT;
	/* A copy by position: mostly the first few, with NOWAIT. */
	if (chance(t, 10)) {
		a->flags |= IPCLAB_MSG_COPY;
		if (chance(t, 90))
			a->flags |= IPCLAB_WAIT_NOWAIT;
		if (chance(t, 80))
			a->type = below(t, 8);
	}
	if (chance(t, 1))
		a->flags |= 1U << below(t, 32);
}

static void gen_open(struct fuzz_thread *t, struct call *c, void *arg)
{
	struct ipclab_open *a = arg;

	switch (below(t, 10)) {
	case 0 ... 4:
		a->id = pick_id(t, IPCLAB_TYPE_SHBUF, &c->obj);
		break;
	case 5 ... 8:
		a->id = pick_id(t, IPCLAB_TYPE_MBOX, &c->obj);
		break;
	default:
		a->id = pick_id(t, 0, &c->obj);	/* semaphores, mutexes: ENOTTY */
		break;
	}
	a->flags = (chance(t, 80) ? IPCLAB_OPEN_READ : 0) |
		   (chance(t, 50) ? IPCLAB_OPEN_WRITE : 0) |
		   (chance(t, 80) ? IPCLAB_OPEN_CLOEXEC : 0);
	if (chance(t, 2))
		a->flags |= 1U << below(t, 32);
	a->fd = (int32_t)rnd(t);	/* an output: anything goes in */
	if (chance(t, 2))
		a->pad = 1;
}

static void after_open(struct fuzz_thread *t, struct call *c, void *arg,
		       int ret, int err)
{
	const struct ipclab_open *a = arg;
	int kind, victim;

	if (ret || !a)
		return;
	kind = c->obj.type == IPCLAB_TYPE_MBOX ? FD_MBOX :
	       c->obj.type == IPCLAB_TYPE_SHBUF ? FD_SHBUF : FD_OTHER;
	/* A full table makes room by closing some other object fd. */
	if (fd_count(t->w, FD_MBOX) + fd_count(t->w, FD_SHBUF) > MAX_FDS / 2) {
		victim = fd_pick(t, chance(t, 50) ? FD_MBOX : FD_SHBUF, NULL);
		if (victim >= 0)
			fd_close(t->w, victim);
	}
	if (a->fd >= FD_PRIVATE ||
	    fd_add(t->w, a->fd, kind, a->id, a->flags & 6, c->obj.size))
		close(a->fd);
}

static void gen_list(struct fuzz_thread *t, struct call *c, void *arg)
{
	struct ipclab_list *a = arg;
	uint32_t room;

	a->type = chance(t, 95) ? below(t, 5) : (uint32_t)around(t, 5, 8);
	room = gen_len(t, 4096);
	gen_out_array(t, &a->ids, &room, 4096, sizeof(__u32));
	a->len = room;
}

static void gen_snapshot(struct fuzz_thread *t, struct call *c, void *arg)
{
	struct ipclab_snapshot *a = arg;

	gen_out_array(t, &a->res, &a->res_len, IPCLAB_SNAP_MAX, sizeof(struct ipclab_snap_res));
	gen_out_array(t, &a->procs, &a->procs_len, IPCLAB_SNAP_MAX, sizeof(struct ipclab_snap_proc));
	gen_out_array(t, &a->edges, &a->edges_len, IPCLAB_SNAP_MAX, sizeof(struct ipclab_snap_edge));
	switch (below(t, 40)) {
	case 0:	a->flags = 1 << below(t, 32); break;
	case 1:	a->pad = 1; break;
	case 2:	a->pad2 = 1; break;
	case 3:	a->reserved[below(t, 3)] = rnd(t); break;
	case 4:	a->hidden = (uint32_t)rnd(t); a->taken_ns = rnd(t); break;
	case 5:	a->truncated = 1; break;
	}
	/* It may sleep for its turn (stop_percent): interruptibly. */
	c->blocking = true;
}

static void gen_cycle(struct fuzz_thread *t, struct call *c, void *arg)
{
	struct ipclab_cycle *a = arg;

	gen_out_array(t, &a->entries, &a->len, 64, sizeof(struct ipclab_cycle_entry));
	if (chance(t, 2))
		a->flags = 1;
}

static void gen_info(struct fuzz_thread *t, struct call *c, void *arg)
{
	struct ipclab_info *a = arg;

	if (chance(t, 3))
		a->flags = 1 << below(t, 32);
	if (chance(t, 5))
		memset(&a->uid, 0xcc, sizeof(*a) - offsetof(struct ipclab_info, uid));
}

/* The real commands, for the generator of wrong ones. */
static const unsigned long real_cmds[] = {
	IPCLAB_IOC_VERSION, IPCLAB_IOC_GET, IPCLAB_IOC_RMID, IPCLAB_IOC_SET,
	IPCLAB_IOC_STAT, IPCLAB_IOC_SEM_OP, IPCLAB_IOC_SEM_CTL,
	IPCLAB_IOC_MUTEX_LOCK, IPCLAB_IOC_MUTEX_UNLOCK,
	IPCLAB_IOC_MUTEX_CONSISTENT, IPCLAB_IOC_MBOX_SEND,
	IPCLAB_IOC_MBOX_RECV, IPCLAB_IOC_OPEN, IPCLAB_IOC_LIST,
	IPCLAB_IOC_SNAPSHOT, IPCLAB_IOC_CYCLE, IPCLAB_IOC_INFO,
};

static bool is_real_nr(unsigned int nr)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(real_cmds); i++)
		if (_IOC_NR(real_cmds[i]) == nr)
			return true;
	return false;
}

/*
 * Commands that are not ipclab's: a real one with another size or
 * direction, an unknown number, another magic, or a real one on an fd
 * that is not a session (an object fd, a socket, a closed fd).
 */
static void gen_badcmd(struct fuzz_thread *t, struct call *c, void *arg)
{
	static const unsigned int sizes[] = { 0, 1, 7, 8, 0x3fff };
	unsigned long cmd = real_cmds[below(t, ARRAY_SIZE(real_cmds))];
	unsigned int nr, size = _IOC_SIZE(cmd), dir = _IOC_DIR(cmd);

	c->size = ARG_MAX;
	c->no_check = true;
	if (chance(t, 50))
		fill_random(t, arg, ARG_MAX);
	switch (below(t, 6)) {
	case 0:
		size = chance(t, 50) ? size + (chance(t, 50) ? 8 : -8) :
		       sizes[below(t, ARRAY_SIZE(sizes))];
		if (size == _IOC_SIZE(cmd))
			size++;
		c->cmd = _IOC(dir, IPCLAB_IOC_MAGIC, _IOC_NR(cmd), size & _IOC_SIZEMASK);
		break;
	case 1:
		dir = (dir + between(t, 1, 3)) & 3;
		c->cmd = _IOC(dir, IPCLAB_IOC_MAGIC, _IOC_NR(cmd), size);
		break;
	case 2:
		do
			nr = below(t, 256);
		while (is_real_nr(nr));
		c->cmd = _IOC(dir, IPCLAB_IOC_MAGIC, nr, size);
		break;
	case 3:
		c->cmd = _IOC(dir, IPCLAB_IOC_MAGIC ^ between(t, 1, 255), _IOC_NR(cmd), size);
		break;
	case 4:
		c->cmd = (uint32_t)rnd(t);
		if (_IOC_TYPE(c->cmd) == IPCLAB_IOC_MAGIC)
			c->cmd ^= 1 << _IOC_TYPESHIFT;
		/* ioctl_fioasync(), FIONBIO and friends are the VFS's, not ours. */
		break;
	default:
		c->cmd = cmd;
		switch (below(t, 4)) {
		case 0:	c->fd = fd_pick(t, chance(t, 50) ? FD_MBOX : FD_SHBUF, NULL); break;
		case 1:	c->fd = t->w->sock; break;
		case 2:	c->fd = FD_PRIVATE - 1; break;	/* closed, most likely */
		default: c->fd = -1; break;
		}
		/* A real command with its real argument is ignored there. */
		memset(arg, 0, ARG_MAX);
		break;
	}
}

static const struct fuzz_ioctl ioctls[] = {
	{ "VERSION", IPCLAB_IOC_VERSION, sizeof(struct ipclab_version), 2,
	  gen_version, NULL, ERRS(EFAULT) },
	{ "GET", IPCLAB_IOC_GET, sizeof(struct ipclab_get), 10,
	  gen_get, after_get, ERRS(ENOENT, EEXIST, EACCES, ENOSPC) },
	{ "RMID", IPCLAB_IOC_RMID, sizeof(struct ipclab_id), 3,
	  gen_rmid, after_rmid, ERRS(EPERM) },
	{ "SET", IPCLAB_IOC_SET, sizeof(struct ipclab_set), 2,
	  gen_set, NULL, ERRS(EPERM) },
	{ "STAT", IPCLAB_IOC_STAT, sizeof(struct ipclab_stat), 8,
	  gen_stat, NULL, ERRS(EACCES, EAGAIN) },
	{ "SEM_OP", IPCLAB_IOC_SEM_OP, sizeof(struct ipclab_semop), 22,
	  gen_sem_op, NULL, ERRS(EFBIG, E2BIG, EACCES, EAGAIN, ETIMEDOUT,
				 EINTR, EIDRM, ERANGE, ENOSPC, EBADF, EDEADLK) },
	{ "SEM_CTL", IPCLAB_IOC_SEM_CTL, sizeof(struct ipclab_semctl), 8,
	  gen_sem_ctl, NULL, ERRS(EFBIG, ERANGE, EACCES, EIDRM) },
	{ "MUTEX_LOCK", IPCLAB_IOC_MUTEX_LOCK, sizeof(struct ipclab_lock), 9,
	  gen_lock, after_lock, ERRS(EACCES, EDEADLK, EBUSY, ETIMEDOUT, EINTR,
				     EIDRM, ENOTRECOVERABLE, ENOSPC, EOWNERDEAD) },
	{ "MUTEX_UNLOCK", IPCLAB_IOC_MUTEX_UNLOCK, sizeof(struct ipclab_id), 7,
	  gen_held, after_unlock, ERRS(EPERM, EIDRM) },
	{ "MUTEX_CONSISTENT", IPCLAB_IOC_MUTEX_CONSISTENT, sizeof(struct ipclab_id), 2,
	  gen_held, NULL, ERRS(EPERM, EIDRM) },
	{ "MBOX_SEND", IPCLAB_IOC_MBOX_SEND, sizeof(struct ipclab_msgsnd), 10,
	  gen_send, NULL, ERRS(EACCES, EAGAIN, ETIMEDOUT, EINTR, EIDRM, ENOSPC) },
	{ "MBOX_RECV", IPCLAB_IOC_MBOX_RECV, sizeof(struct ipclab_msgrcv), 10,
	  gen_recv, NULL, ERRS(EACCES, E2BIG, EAGAIN, ETIMEDOUT, EINTR, EIDRM, ENOSPC) },
	{ "SHBUF_CTL", IPCLAB_IOC_SHBUF_CTL, sizeof(struct ipclab_shbufctl), 2,
	  gen_shbuf_ctl, NULL, ERRS(EPERM, ENOMEM) },
	{ "NAME", IPCLAB_IOC_NAME, sizeof(struct ipclab_name), 3,
	  gen_name, NULL, ERRS(EACCES) },
	{ "OPEN", IPCLAB_IOC_OPEN, sizeof(struct ipclab_open), 4,
	  gen_open, after_open, ERRS(EACCES, EMFILE, ENFILE) },
	{ "LIST", IPCLAB_IOC_LIST, sizeof(struct ipclab_list), 2,
	  gen_list, NULL, ERRS(EFAULT) },
	{ "SNAPSHOT", IPCLAB_IOC_SNAPSHOT, sizeof(struct ipclab_snapshot), 1,
	  gen_snapshot, NULL, ERRS(EINTR) },
	{ "CYCLE", IPCLAB_IOC_CYCLE, sizeof(struct ipclab_cycle), 1,
	  gen_cycle, NULL, ERRS(EFAULT) },
	{ "INFO", IPCLAB_IOC_INFO, sizeof(struct ipclab_info), 1,
	  gen_info, NULL, ERRS(EFAULT) },
	{ "bad command", 0, ARG_MAX, 3,
	  gen_badcmd, NULL, ERRS(EBADF) },
};

static bool documented(const struct fuzz_ioctl *ioc, int err)
{
	const short *e;

	for (e = any_errs; *e; e++)
		if (*e == err)
			return true;
	for (e = ioc->errs; *e; e++)
		if (*e == err)
			return true;
	return false;
}

/* Keep a short list of errnos documented nowhere: worth a look. */
static void note_undocumented(struct fuzz_thread *t, int ioctl, int err)
{
	int i;

	for (i = 0; i < MAX_UNDOC; i++) {
		struct undoc *u = &sh->st.undoc[i];
		uint32_t zero = 0;

		if (LOAD(u->count) && u->ioctl == ioctl && u->err == err) {
			INC(u->count);
			return;
		}
		if (!LOAD(u->count) &&
		    atomic_compare_exchange_strong(&u->count, &zero, UINT32_MAX)) {
			u->ioctl = ioctl;
			u->err = err;
			u->seed = t->seed;
			atomic_store(&u->count, 1);
			return;
		}
	}
}

/*
 * A random entry of a table, each as likely as its weight says: table
 * has n entries of size bytes, each with an unsigned int weight at
 * offset off.
 */
static size_t pick_weighted(struct fuzz_thread *t, const void *table, size_t n,
			    size_t size, size_t off)
{
	const char *p = table;
	unsigned int total = 0, w;
	uint64_t r;
	size_t i;

	for (i = 0; i < n; i++)
		total += *(const unsigned int *)(p + i * size + off);
	r = below(t, total);
	for (i = 0; i < n - 1; i++) {
		w = *(const unsigned int *)(p + i * size + off);
		if (r < w)
			break;
		r -= w;
	}
	return i;
}

#define PICK(t, table) (&(table)[pick_weighted((t), (table), ARRAY_SIZE(table), \
				sizeof((table)[0]), offsetof(typeof((table)[0]), weight))])

/* Is fd still a session?  (A CLONE_FILES child may have closed it.) */
static bool still_session(int fd)
{
	struct ipclab_version v;

	return !ioctl(fd, IPCLAB_IOC_VERSION, &v);
}

/*
 * One ioctl: generate, place the argument, call, count, learn.  The
 * argument structure itself is usually well placed (the interesting bugs
 * are behind a readable argument), now and then not.
 */
static void act_ioctl(struct fuzz_thread *t)
{
	const struct fuzz_ioctl *ioc = PICK(t, ioctls);
	int n = ioc - ioctls, fd, ret, err;
	union { uint8_t b[ARG_MAX]; uint64_t align; } arg;
	struct call c = { .cmd = ioc->cmd, .fd = FD_ANY_SESSION, .size = ioc->size };
	enum ptr_kind kind;
	uint64_t where, t0;
	void *fill;

	memset(&arg, 0, sizeof(arg));
	t->bump = 0;
	ioc->gen(t, &c, arg.b);
	/* Now and then one bit more: padding, reserved fields, flags. */
	if (chance(t, 2))
		arg.b[below(t, c.size)] ^= 1 << below(t, 8);
	kind = pick_ptr_kind(t, 95);
	if (kind == P_SHBUF)
		kind = P_GOOD;	/* an argument we could not read back */
	where = ubuf_kind(t, c.size, kind, &fill);
	if (fill)
		memcpy(fill, arg.b, c.size);
	fd = c.fd == FD_ANY_SESSION ? session(t) : c.fd;
	atomic_store_explicit(&t->w->slot->last, n, memory_order_relaxed);

	if (c.blocking)
		block_begin(t);
	t0 = mono_now();
	ret = ioctl(fd, c.cmd, where);
	err = ret < 0 ? errno : 0;
	ADD(sh->st.ioctl_ns[n], mono_now() - t0);
	if (c.blocking)
		block_end(t);

	INC(sh->st.ioctl[n]);
	INC(sh->st.err[n][err < NERR ? err : NERR - 1]);
	if (err && !documented(ioc, err) && err != EOWNERDEAD)
		note_undocumented(t, n, err);
	if (fill)
		memcpy(arg.b, fill, c.size);
	if (ioc->after)
		ioc->after(t, &c, fill ? arg.b : NULL, ret, err);
	/* A session fd that is gone (or is something else now) is forgotten. */
	if (c.fd == FD_ANY_SESSION && !c.no_check &&
	    (err == EBADF || err == ENOTTY) && !still_session(fd))
		fd_forget(t->w, fd);
}

/* ------------------------------------------------------------------ */
/* Shared buffers: mmap and everything that can happen to a mapping   */
/* ------------------------------------------------------------------ */

/*
 * SIGSEGV and SIGBUS while touching a mapping are expected (a read-only
 * mapping written, a mapping grown past the buffer's end): they jump back
 * to the touch.  Anywhere else they are the fuzzer's own bug, and kill it.
 */
static void on_fault(int sig, siginfo_t *si, void *uc)
{
	struct fuzz_thread *t = me;

	if (t && t->in_touch) {
		if (sig == SIGBUS)
			INC(sh->st.sigbus);
		else
			INC(sh->st.segv);
		siglongjmp(t->jmp, 1);
	}
	/* Say where (for addr2line), then die of it when it faults again. */
	{
		const ucontext_t *ctx = uc;
		char msg[128];
		int n = snprintf(msg, sizeof(msg), "# pid %d: signal %d at address %p, ip 0x%llx\n",
				 getpid(), sig, si->si_addr,
				 (unsigned long long)ctx->uc_mcontext.gregs[REG_RIP]);

		write(2, msg, n);
	}
	signal(sig, SIG_DFL);
}

/* Read or write a few bytes of a mapping, surviving what it does. */
static void touch(struct fuzz_thread *t, const struct mapping *m)
{
	volatile uint8_t *p = m->addr;
	int i;

	/* The fault handler jumps to the calling thread's own buffer. */
	if (!m->len || t != me)
		return;
	if (sigsetjmp(t->jmp, 1)) {
		t->in_touch = 0;
		return;
	}
	t->in_touch = 1;
	for (i = 0; i < 3; i++) {
		size_t off = below(t, m->len);

		if (m->writable && chance(t, 50))
			p[off] = (uint8_t)off;
		else
			(void)p[off];
	}
	t->in_touch = 0;
}

/* An object fd for a pool object of the type, opened now. */
static int open_objfd(struct fuzz_thread *t, uint32_t type, struct fdent *e)
{
	struct ipclab_open o = { .flags = IPCLAB_OPEN_READ | IPCLAB_OPEN_CLOEXEC };
	struct pool_obj obj;
	int fd = session(t);

	if (!pool_pick(t, type, &obj))
		return -1;
	if (chance(t, 60))
		o.flags |= IPCLAB_OPEN_WRITE;
	o.id = obj.id;
	if (ioctl(fd, IPCLAB_IOC_OPEN, &o))
		return -1;
	if (o.fd >= FD_PRIVATE ||
	    fd_add(t->w, o.fd, type == IPCLAB_TYPE_MBOX ? FD_MBOX : FD_SHBUF,
		   obj.id, o.flags & 6, obj.size)) {
		close(o.fd);
		return -1;
	}
	e->id = obj.id;
	e->size = obj.size;
	e->access = o.flags & 6;
	return o.fd;
}

static struct mapping *map_pick(struct fuzz_thread *t)
{
	return t->nmaps ? &t->maps[below(t, t->nmaps)] : NULL;
}

/* Forget a mapping (already unmapped), and unmap its guard pages. */
static void map_drop(struct fuzz_thread *t, struct mapping *m)
{
	if (m->guard_lo) {
		munmap(m->guard_lo, PAGE);
		munmap(m->guard_hi, PAGE);
	}
	*m = t->maps[--t->nmaps];
}

static struct mapping *map_add(struct fuzz_thread *t, void *addr, size_t len,
			       size_t inside, bool writable)
{
	struct mapping *m;

	if (t->nmaps == MAX_MAPS) {
		munmap(t->maps[0].addr, t->maps[0].len);
		map_drop(t, &t->maps[0]);
	}
	m = &t->maps[t->nmaps++];
	memset(m, 0, sizeof(*m));
	m->addr = addr;
	m->len = len;
	m->inside = inside < len ? inside : len;
	m->writable = writable;
	return m;
}

/*
 * mmap() of a shared buffer: half the time where the kernel puts it (next
 * to another mapping, often, which the kernel may merge with it), half
 * the time with a PROT_NONE guard page on each side, so that a buffer
 * passed to an ioctl can end exactly at an inaccessible page.  --apart
 * keeps every mapping between guard pages.
 *
 * Mappings that touch once found a bug: on Linux 6.12, mmap_region()
 * merges a new VMA into its neighbour after ->mmap when ->mmap changed
 * vm_flags, and frees it without ->close; the module set VM_DONTDUMP, so
 * nattch counted a mapping that was gone and a removed buffer was never
 * freed (kmemleak at rmmod).  shbuf_test's remap_in_place_counts_once is
 * that case.
 */
static void *map_apart(struct fuzz_thread *t, size_t len, int prot, int flags,
		       int fd, uint64_t off, uint8_t **guard_lo, uint8_t **guard_hi)
{
	size_t span = (len + PAGE - 1) & ~(PAGE - 1);
	uint8_t *resv;
	void *p;

	*guard_lo = *guard_hi = NULL;
	if ((!opt.apart && chance(t, 50)) || !span || span > (1UL << 40))
		return mmap(NULL, len, prot, flags, fd, off);
	resv = mmap(NULL, span + 2 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (resv == MAP_FAILED)
		return MAP_FAILED;
	p = mmap(resv + PAGE, len, prot, flags | MAP_FIXED, fd, off);
	if (p == MAP_FAILED) {
		munmap(resv, span + 2 * PAGE);
		return MAP_FAILED;
	}
	*guard_lo = resv;
	*guard_hi = resv + PAGE + span;
	return p;
}

static void act_mmap(struct fuzz_thread *t)
{
	static const int prots[] = {
		PROT_READ, PROT_READ | PROT_WRITE, PROT_READ | PROT_WRITE,
		PROT_WRITE, PROT_NONE, PROT_READ | PROT_WRITE | PROT_EXEC,
	};
	size_t pages, first, len;
	struct fdent e = {};
	uint8_t *lo, *hi;
	struct mapping *m;
	int fd, prot, flags;
	uint64_t off;
	void *p;

	fd = fd_pick(t, FD_SHBUF, &e);
	if (fd < 0 || chance(t, 10))
		fd = open_objfd(t, IPCLAB_TYPE_SHBUF, &e);
	if (fd < 0)
		return;
	pages = e.size ? (e.size + PAGE - 1) / PAGE : 1;
	first = below(t, pages);
	len = between(t, 1, pages - first) * PAGE - (chance(t, 10) ? below(t, PAGE) : 0);
	off = first * PAGE;
	switch (below(t, 16)) {
	case 0:	len = (pages + 1) * PAGE; off = 0; break;	/* past the end */
	case 1:	off = pages * PAGE; len = PAGE; break;		/* after it */
	case 2:	off = 1ULL << 62; break;
	case 3:	off += 1 + below(t, PAGE - 1); break;		/* unaligned */
	case 4:	len = 0; break;
	}
	prot = prots[below(t, ARRAY_SIZE(prots))];
	switch (below(t, 20)) {
	case 0:	flags = MAP_PRIVATE; break;	/* refused: EINVAL */
	case 1:	flags = MAP_SHARED_VALIDATE; break;
	default: flags = MAP_SHARED; break;
	}
	if (chance(t, 10))
		flags |= MAP_POPULATE;
	if (chance(t, 3))
		flags |= MAP_LOCKED;
	p = map_apart(t, len, prot, flags, fd, off, &lo, &hi);
	if (p == MAP_FAILED)
		return;
	len = (len + PAGE - 1) & ~(PAGE - 1);
	m = map_add(t, p, len, off < pages * PAGE ? pages * PAGE - off : 0,
		    prot & PROT_WRITE);
	m->guard_lo = lo;
	m->guard_hi = hi;
	m->apart = lo;
	touch(t, m);
}

static void act_touch(struct fuzz_thread *t)
{
	struct mapping *m = map_pick(t);

	if (m)
		touch(t, m);
	else
		act_mmap(t);
}

/* Unmap all of a mapping, its head, its tail, or a page in the middle. */
static void act_munmap(struct fuzz_thread *t)
{
	struct mapping *m = map_pick(t), *tail;
	size_t pages, k;

	if (!m)
		return;
	pages = m->len / PAGE;
	if (pages < 2 || chance(t, 30)) {
		munmap(m->addr, m->len);
		map_drop(t, m);
		return;
	}
	k = between(t, 1, pages - 1);
	m->apart = false;
	switch (below(t, 3)) {
	case 0:		/* the head */
		munmap(m->addr, k * PAGE);
		m->addr += k * PAGE;
		m->len -= k * PAGE;
		m->inside = m->inside > k * PAGE ? m->inside - k * PAGE : 0;
		break;
	case 1:		/* the tail */
		munmap(m->addr + k * PAGE, m->len - k * PAGE);
		m->len = k * PAGE;
		m->inside = m->inside < m->len ? m->inside : m->len;
		break;
	default:	/* page k: the mapping splits in two */
		munmap(m->addr + k * PAGE, PAGE);
		if (k + 1 < pages && t->nmaps < MAX_MAPS) {
			tail = &t->maps[t->nmaps++];
			memset(tail, 0, sizeof(*tail));
			tail->addr = m->addr + (k + 1) * PAGE;
			tail->len = m->len - (k + 1) * PAGE;
			tail->inside = m->inside > (k + 1) * PAGE ?
				       m->inside - (k + 1) * PAGE : 0;
			tail->writable = m->writable;
		} else if (k + 1 < pages) {
			munmap(m->addr + (k + 1) * PAGE, m->len - (k + 1) * PAGE);
		}
		m->len = k * PAGE;
		m->inside = m->inside < m->len ? m->inside : m->len;
		touch(t, m);
		break;
	}
}

/* Grow past the buffer's end and touch there (SIGBUS), shrink, move, copy. */
static void act_mremap(struct fuzz_thread *t)
{
	struct mapping *m = map_pick(t);
	size_t len, inside;
	void *p, *spot;

	if (!m)
		return;
	len = m->len;
	switch (below(t, 6)) {
	case 0:
	case 1:
		len += between(t, 1, 4) * PAGE;
		p = mremap(m->addr, m->len, len, MREMAP_MAYMOVE);
		break;
	case 2:
		len += PAGE;
		p = mremap(m->addr, m->len, len, 0);	/* in place, or ENOMEM */
		break;
	case 3:
		if (len < 2 * PAGE)
			return;
		len -= PAGE;
		p = mremap(m->addr, m->len, len, 0);
		break;
	case 4:
		/* To a spot of our choosing, reserved first. */
		len += chance(t, 50) ? PAGE : 0;
		spot = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (spot == MAP_FAILED)
			return;
		p = mremap(m->addr, m->len, len, MREMAP_MAYMOVE | MREMAP_FIXED, spot);
		if (p == MAP_FAILED)
			munmap(spot, len);
		break;
	default:
		/* A second mapping of the same pages, the old one kept. */
		p = mremap(m->addr, chance(t, 50) ? 0 : m->len, len,
			   MREMAP_MAYMOVE | (chance(t, 50) ? MREMAP_DONTUNMAP : 0));
		if (p != MAP_FAILED && p != m->addr) {
			m = map_add(t, p, len, m->inside, m->writable);
			touch(t, m);
			return;
		}
		break;
	}
	if (p == MAP_FAILED)
		return;
	inside = m->inside;
	m->addr = p;
	m->len = len;
	m->inside = inside < len ? inside : len;
	m->apart = false;
	touch(t, m);
}

static void act_mprotect(struct fuzz_thread *t)
{
	static const int prots[] = {
		PROT_READ, PROT_READ | PROT_WRITE, PROT_NONE, PROT_READ | PROT_EXEC,
	};
	struct mapping *m = map_pick(t);
	int prot = prots[below(t, ARRAY_SIZE(prots))];
	size_t off = 0, len;

	if (!m)
		return;
	len = m->len;
	if (len > PAGE && chance(t, 50)) {
		/* One page: the mapping splits (and nattch counts it). */
		off = below(t, len / PAGE) * PAGE;
		len = PAGE;
	}
	if (mprotect(m->addr + off, len, prot) == 0 && len == m->len)
		m->writable = prot & PROT_WRITE;
	touch(t, m);
}

static void act_madvise(struct fuzz_thread *t)
{
	static const int advice[] = {
		MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED,
		MADV_DONTNEED, MADV_FREE, MADV_REMOVE, MADV_DONTFORK,
		MADV_DOFORK, MADV_MERGEABLE, MADV_UNMERGEABLE, MADV_HUGEPAGE,
		MADV_NOHUGEPAGE, MADV_DONTDUMP, MADV_DODUMP, MADV_WIPEONFORK,
		MADV_KEEPONFORK, MADV_COLD, MADV_PAGEOUT, MADV_POPULATE_READ,
		MADV_POPULATE_WRITE, MADV_COLLAPSE,
		/* Not MADV_HWPOISON or MADV_SOFT_OFFLINE: root would poison RAM. */
	};
	struct mapping *m = map_pick(t);
	unsigned char vec[64];
	size_t len;

	if (!m)
		return;
	len = chance(t, 70) ? m->len : PAGE;
	switch (below(t, 8)) {
	case 0:
		msync(m->addr, len, chance(t, 50) ? MS_SYNC : MS_ASYNC | MS_INVALIDATE);
		break;
	case 1:
		if (!syscall(SYS_mlock2, m->addr, len, chance(t, 50) ? 1 /* MLOCK_ONFAULT */ : 0))
			munlock(m->addr, len);
		break;
	case 2:
		mincore(m->addr, len < sizeof(vec) * PAGE ? len : sizeof(vec) * PAGE, vec);
		break;
	default:
		madvise(m->addr, len, advice[below(t, ARRAY_SIZE(advice))]);
		break;
	}
	touch(t, m);
}

/*
 * The deprecated syscall: since 4.0 it is emulated with mmap() of the
 * file: whole mappings, or (unless --apart) one page of one, which the
 * kernel may merge back into its neighbours.
 */
static void act_remap_file_pages(struct fuzz_thread *t)
{
	struct mapping *m = map_pick(t);
	size_t pages, first = 0, n;

	if (!m || m->len < PAGE || (opt.apart && !m->apart))
		return;
	pages = m->len / PAGE;
	n = pages;
	if (!m->apart || (!opt.apart && chance(t, 50))) {
		first = below(t, pages);
		n = 1;
	}
	syscall(SYS_remap_file_pages, m->addr + first * PAGE, n * PAGE, 0,
		below(t, pages + 2), 0);
	touch(t, m);
}

/*
 * The kernel reading and writing our mappings for us: through
 * process_vm_readv() and /proc/self/mem, into pages past the end too.
 */
static void act_remote(struct fuzz_thread *t)
{
	struct mapping *m = map_pick(t);
	struct iovec local, remote;
	size_t off, len;

	if (!m)
		return;
	off = below(t, m->len);
	len = between(t, 1, 2 * PAGE);
	/* Past the mapping is other memory of ours: never write there. */
	if (len > m->len - off)
		len = m->len - off;
	local.iov_base = t->arena;
	local.iov_len = len;
	remote.iov_base = m->addr + off;
	remote.iov_len = len;
	switch (below(t, 3)) {
	case 0:
		process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
		break;
	case 1:
		if (t->w->procmem >= 0)
			pread(t->w->procmem, t->arena, len, (off_t)(uintptr_t)(m->addr + off));
		break;
	default:
		/* Also into read-only shared mappings: the kernel must refuse. */
		if (t->w->procmem >= 0)
			pwrite(t->w->procmem, t->arena, len, (off_t)(uintptr_t)(m->addr + off));
		break;
	}
}

/* ------------------------------------------------------------------ */
/* Children: fork(), clone(CLONE_FILES)                               */
/* ------------------------------------------------------------------ */

/*
 * Wait for a child; kill it if it is not done by then.  The thread's
 * interval timer interrupts the wait, so that the deadline is looked at.
 */
static void reap_child(struct fuzz_thread *t, pid_t pid, unsigned int ms)
{
	uint64_t deadline = mono_now() + ms * NSEC_PER_MSEC;
	int st;

	if (!ms)
		kill(pid, SIGKILL);
	block_begin(t);
	for (;;) {
		pid_t r = waitpid(pid, &st, 0);

		if (r == pid || (r < 0 && errno != EINTR))
			break;
		if (mono_now() > deadline)
			kill(pid, SIGKILL);
	}
	block_end(t);
}

/*
 * In a child of a multi-threaded process only async-signal-safe calls
 * are safe: no locks (the fd table has none), no malloc, no stdio.  The
 * parent's timers are not inherited: the child has an interval timer of
 * its own, and its parent kills it if it takes too long anyway (one more
 * way to die while waiting).
 */
static void child_setup(struct fuzz_thread *t)
{
	/* The child is one thread: SIGALRM every 20 ms interrupts its waits. */
	struct itimerval every = {
		.it_value.tv_usec = 20000, .it_interval.tv_usec = 20000,
	};

	t->child = true;
	t->has_timer = false;
	t->focus = 0;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	setitimer(ITIMER_REAL, &every, NULL);
	me = t;
}

static void child_calls(struct fuzz_thread *t, int n)
{
	struct mapping *m;
	int fd;

	while (n-- > 0) {
		switch (below(t, 8)) {
		case 0:
			m = map_pick(t);
			if (m)
				touch(t, m);
			break;
		case 1:
			m = map_pick(t);
			if (m) {
				munmap(m->addr, m->len);
				map_drop(t, m);
			}
			break;
		case 2:
			/* In a CLONE_FILES child this closes the parent's fd too. */
			fd = fd_pick(t, chance(t, 50) ? FD_SESSION : 0, NULL);
			if (fd >= 0)
				fd_close(t->w, fd);
			break;
		default:
			act_ioctl(t);
			break;
		}
	}
}

static void act_fork(struct fuzz_thread *t)
{
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return;
	if (!pid) {
		child_setup(t);
		t->rng ^= 0xf0f0;
		child_calls(t, between(t, 1, 12));
		_exit(0);
	}
	INC(sh->st.forks);
	/* Sometimes it dies young: in the middle of whatever it does. */
	reap_child(t, pid, chance(t, 30) ? below(t, 5) : 1000);
}

#define CLONE_STACK	(64 * 1024)

static int clone_main(void *arg)
{
	struct fuzz_thread *t = arg;

	child_setup(t);
	t->rng ^= 0x0f0f;
	if (chance(t, 30)) {
		/* Its own table from here on: the closes stay its own. */
		unshare(CLONE_FILES);
		if (chance(t, 50))
			close_range(3, FD_PRIVATE - 1, 0);
	}
	child_calls(t, between(t, 1, 8));
	_exit(0);
}

/*
 * A process sharing the worker's fd table (CLONE_FILES without
 * CLONE_THREAD): docs/design.md says ipclab cannot tell the two apart.
 */
static void act_clone_files(struct fuzz_thread *t)
{
	static __thread uint8_t *stack;
	pid_t pid;

	if (!stack) {
		stack = mmap(NULL, CLONE_STACK, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
		if (stack == MAP_FAILED) {
			stack = NULL;
			return;
		}
	}
	pid = clone(clone_main, stack + CLONE_STACK, CLONE_FILES | SIGCHLD, t);
	if (pid < 0)
		return;
	INC(sh->st.clones);
	reap_child(t, pid, chance(t, 30) ? below(t, 5) : 1000);
}

/* ------------------------------------------------------------------ */
/* poll, select, epoll on object fds                                  */
/* ------------------------------------------------------------------ */

/* An fd to poll: mostly a mailbox's, sometimes anything at all. */
static int poll_fd(struct fuzz_thread *t)
{
	struct fdent e;
	int fd;

	switch (below(t, 10)) {
	case 0:	return -1;
	case 1:	return FD_PRIVATE - 2;		/* closed, most likely */
	case 2 ... 3:
		return fd_pick(t, 0, NULL);
	default:
		fd = fd_pick(t, FD_MBOX, NULL);
		return fd >= 0 ? fd : open_objfd(t, IPCLAB_TYPE_MBOX, &e);
	}
}

static void act_poll(struct fuzz_thread *t)
{
	struct pollfd p[8];
	int i, n = between(t, 1, 8);

	for (i = 0; i < n; i++) {
		p[i].fd = poll_fd(t);
		p[i].events = (chance(t, 80) ? POLLIN : 0) | (chance(t, 50) ? POLLOUT : 0) |
			      (chance(t, 10) ? POLLPRI | POLLRDHUP : 0);
	}
	poll(p, n, below(t, 4));
}

static void act_select(struct fuzz_thread *t)
{
	struct timeval tv = { .tv_usec = below(t, 3000) };
	fd_set r, w, x;
	int i, fd, top = -1;

	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_ZERO(&x);
	for (i = 0; i < 4; i++) {
		fd = poll_fd(t);
		if (fd < 0 || fd >= FD_SETSIZE)
			continue;
		FD_SET(fd, chance(t, 60) ? &r : chance(t, 50) ? &w : &x);
		if (fd > top)
			top = fd;
	}
	select(top + 1, &r, &w, &x, &tv);
}

/* A new fd of the fuzzer's own, moved out of the way of close_range(). */
static int private_fd(int fd)
{
	int moved;

	if (fd < 0 || fd >= FD_PRIVATE)
		return fd;
	moved = fcntl(fd, F_DUPFD_CLOEXEC, FD_PRIVATE);
	close(fd);
	return moved;
}

static void act_epoll(struct fuzz_thread *t)
{
	static const uint32_t evs[] = {
		EPOLLIN, EPOLLOUT, EPOLLIN | EPOLLOUT, EPOLLIN | EPOLLET,
		EPOLLIN | EPOLLONESHOT, EPOLLIN | EPOLLEXCLUSIVE,
		EPOLLIN | EPOLLRDHUP | EPOLLPRI, EPOLLOUT | EPOLLET,
	};
	struct epoll_event ev = { .events = evs[below(t, ARRAY_SIZE(evs))] }, out[8];
	int fd;

	if (t->epfd < 0)
		t->epfd = private_fd(epoll_create1(EPOLL_CLOEXEC));
	if (t->epfd < 0)
		return;
	fd = poll_fd(t);
	ev.data.fd = fd;
	switch (below(t, 6)) {
	case 0 ... 2: epoll_ctl(t->epfd, EPOLL_CTL_ADD, fd, &ev); break;
	case 3:	epoll_ctl(t->epfd, EPOLL_CTL_MOD, fd, &ev); break;
	case 4:	epoll_ctl(t->epfd, EPOLL_CTL_DEL, fd, NULL); break;
	}
	epoll_wait(t->epfd, out, ARRAY_SIZE(out), below(t, 3));
}

/*
 * A mailbox fd polled across the mailbox's removal, checked: readable
 * with a message in, writable with room, EPOLLHUP|EPOLLERR once removed
 * (uapi/linux/ipclab.h).  A mismatch is counted, not fatal: the VM's
 * verdict is about the kernel's health; this is about its word.
 */
static _Atomic uint64_t poll_mismatch;

static void act_poll_rmid(struct fuzz_thread *t)
{
	struct ipclab_get g = {
		.type = IPCLAB_TYPE_MBOX, .flags = IPCLAB_CREAT, .mode = 0600,
	};
	struct ipclab_open o = { .flags = IPCLAB_OPEN_READ | IPCLAB_OPEN_CLOEXEC };
	struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT }, out;
	struct pollfd p = { .events = POLLIN | POLLOUT };
	char c = 'x';
	struct ipclab_msgsnd m = {
		.type = 1, .text = ptr_u64(&c), .size = 1, .flags = IPCLAB_WAIT_NOWAIT,
	};
	int fd = session(t), ep = -1;

	if (ioctl(fd, IPCLAB_IOC_GET, &g))
		return;
	o.id = g.id;
	if (ioctl(fd, IPCLAB_IOC_OPEN, &o))
		goto out_rmid;
	p.fd = o.fd;
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep >= 0)
		epoll_ctl(ep, EPOLL_CTL_ADD, o.fd, &ev);
	if (poll(&p, 1, 0) != 1 || p.revents != POLLOUT)
		INC(poll_mismatch);
	m.id = g.id;
	if (!ioctl(fd, IPCLAB_IOC_MBOX_SEND, &m) &&
	    (poll(&p, 1, 0) != 1 || p.revents != (POLLIN | POLLOUT)))
		INC(poll_mismatch);
	if (ipclab_rmid(fd, g.id) == 0) {
		if (poll(&p, 1, 0) != 1 || (p.revents & (POLLHUP | POLLERR)) != (POLLHUP | POLLERR))
			INC(poll_mismatch);
		if (ep >= 0 && (epoll_wait(ep, &out, 1, 0) != 1 || !(out.events & EPOLLHUP)))
			INC(poll_mismatch);
	}
	if (ep >= 0)
		close(ep);
	close(o.fd);
	return;
out_rmid:
	ipclab_rmid(fd, g.id);
}

/* ------------------------------------------------------------------ */
/* Fds: dup, close, close_range, sessions, the wrong calls on them    */
/* ------------------------------------------------------------------ */

static void act_dup(struct fuzz_thread *t)
{
	struct fdent e;
	int fd = fd_pick(t, 0, &e), nfd;

	if (fd < 0)
		return;
	switch (below(t, 4)) {
	case 0:
		nfd = dup(fd);
		break;
	case 1:
		nfd = between(t, FD_DUP_LO, FD_DUP_HI);
		fd_forget(t->w, nfd);	/* dup2() closes what was there */
		nfd = dup2(fd, nfd);
		break;
	case 2:
		nfd = between(t, FD_DUP_LO, FD_DUP_HI);
		fd_forget(t->w, nfd);
		nfd = dup3(fd, nfd, O_CLOEXEC);
		break;
	default:
		nfd = fcntl(fd, F_DUPFD_CLOEXEC, between(t, 3, FD_DUP_LO));
		break;
	}
	if (nfd >= 0 && (nfd >= FD_PRIVATE ||
			 fd_add(t->w, nfd, e.kind, e.id, e.access, e.size)))
		close(nfd);
}

static void act_close(struct fuzz_thread *t)
{
	/* Maybe the last session: the process then ends for ipclab. */
	int fd = fd_pick(t, chance(t, 50) ? FD_SESSION : 0, NULL);

	if (fd >= 0)
		fd_close(t->w, fd);
}

static void act_close_range(struct fuzz_thread *t)
{
	unsigned int lo, hi, fd;
	int flags = chance(t, 30) ? CLOSE_RANGE_CLOEXEC : 0;
	int any = fd_pick(t, 0, NULL);

	if (chance(t, 50) || any < 0) {
		lo = between(t, FD_DUP_LO, FD_DUP_HI);
		hi = lo + below(t, 16);
	} else {
		lo = any;
		hi = lo + below(t, 4);
	}
	if (hi >= FD_PRIVATE)
		hi = FD_PRIVATE - 1;
	if (close_range(lo, hi, flags) || flags)
		return;
	for (fd = lo; fd <= hi; fd++)
		fd_forget(t->w, fd);
}

static void act_reopen(struct fuzz_thread *t)
{
	static const int modes[] = {
		O_RDWR, O_RDWR, O_RDWR | O_CLOEXEC, O_RDONLY, O_WRONLY,
		O_RDWR | O_NONBLOCK, O_PATH,
	};
	int flags = modes[below(t, ARRAY_SIZE(modes))], fd;

	if (fd_count(t->w, FD_SESSION) >= 6) {
		fd = fd_pick(t, FD_SESSION, NULL);
		if (fd >= 0)
			fd_close(t->w, fd);
	}
	if (flags != O_PATH) {
		open_session(t->w, flags);
		return;
	}
	/* An O_PATH fd: ioctl() on it is EBADF. */
	fd = open(IPCLAB_DEVICE, flags);
	if (fd >= 0 && (fd >= FD_PRIVATE || fd_add(t->w, fd, FD_OTHER, 0, 0, 0)))
		close(fd);
}

/* File operations ipclab's files do not have, and mmap() where it has none. */
static void act_fileops(struct fuzz_thread *t)
{
	int fd = fd_pick(t, 0, NULL);
	uint8_t *lo, *hi;
	struct stat stb;
	void *p;

	if (fd < 0)
		return;
	switch (below(t, 9)) {
	case 0:	read(fd, t->arena, below(t, 64)); break;
	case 1:	write(fd, t->arena, below(t, 64)); break;
	case 2:	lseek(fd, below(t, 4096), SEEK_SET); break;
	case 3:	fstat(fd, &stb); break;
	case 4:	fcntl(fd, F_SETFL, chance(t, 50) ? O_NONBLOCK : 0); break;
	case 5:	ftruncate(fd, below(t, 8192)); break;
	case 6:	fsync(fd); break;
	case 7:	ioctl(fd, FIONREAD, t->arena); break;
	default:
		/* A session or a mailbox fd has nothing to map: ENODEV. */
		p = map_apart(t, PAGE, PROT_READ, MAP_SHARED, fd, 0, &lo, &hi);
		if (p != MAP_FAILED)
			munmap(p, PAGE);
		if (lo) {
			munmap(lo, PAGE);
			munmap(hi, PAGE);
		}
		break;
	}
}

/* ------------------------------------------------------------------ */
/* Passing fds between workers (SCM_RIGHTS)                           */
/* ------------------------------------------------------------------ */

/* What travels with each fd, so that the receiver knows what it got. */
struct passed_fd {
	uint8_t kind;
	uint8_t access;
	uint32_t id;
	uint64_t size;
};

#define MAX_PASS	4

/* Room for MAX_PASS fds in a control message, aligned as cmsghdr wants. */
union scm_space {
	char buf[CMSG_SPACE(MAX_PASS * sizeof(int))];
	struct cmsghdr align;
};

static socklen_t sock_addr(struct sockaddr_un *a, int worker)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	/* Abstract: no file, no permissions, gone with the socket. */
	snprintf(a->sun_path + 1, sizeof(a->sun_path) - 1, "ipclab-fuzz.%d.%d",
		 (int)sh->master, worker);
	return offsetof(struct sockaddr_un, sun_path) + 1 + strlen(a->sun_path + 1);
}

static int sock_open(int worker)
{
	struct sockaddr_un a;
	socklen_t len = sock_addr(&a, worker);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&a, len)) {
		close(fd);
		return -1;
	}
	return private_fd(fd);
}

static void act_scm_send(struct fuzz_thread *t)
{
	struct passed_fd what[MAX_PASS];
	union scm_space u;
	struct iovec iov = { .iov_base = what };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct sockaddr_un a;
	struct cmsghdr *cm;
	struct fdent e;
	int fds[MAX_PASS], n = 0, i;

	for (i = between(t, 1, MAX_PASS); i > 0; i--) {
		int fd = fd_pick(t, 0, &e);

		if (fd < 0)
			break;
		fds[n] = fd;
		what[n].kind = e.kind;
		what[n].access = e.access;
		what[n].id = e.id;
		what[n].size = e.size;
		n++;
	}
	if (!n)
		return;
	iov.iov_len = n * sizeof(what[0]);
	msg.msg_name = &a;
	msg.msg_namelen = sock_addr(&a, below(t, opt.workers));
	msg.msg_control = u.buf;
	msg.msg_controllen = CMSG_SPACE(n * sizeof(int));
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(n * sizeof(int));
	memcpy(CMSG_DATA(cm), fds, n * sizeof(int));
	if (sendmsg(t->w->sock, &msg, MSG_DONTWAIT | MSG_NOSIGNAL) >= 0)
		INC(sh->st.scm_sent);
}

static void act_scm_recv(struct fuzz_thread *t)
{
	struct passed_fd what[MAX_PASS];
	union scm_space u;
	struct iovec iov = { .iov_base = what, .iov_len = sizeof(what) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *cm;
	int fds[MAX_PASS], n, i;

	if (recvmsg(t->w->sock, &msg, MSG_DONTWAIT |
		    (chance(t, 50) ? MSG_CMSG_CLOEXEC : 0)) < 0)
		return;
	for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		if (n > MAX_PASS)
			n = MAX_PASS;
		memcpy(fds, CMSG_DATA(cm), n * sizeof(int));
		for (i = 0; i < n; i++) {
			INC(sh->st.scm_received);
			/* Sometimes straight back out: closed unused. */
			if (fds[i] >= FD_PRIVATE || chance(t, 20) ||
			    fd_add(t->w, fds[i], what[i].kind, what[i].id,
				   what[i].access, what[i].size))
				close(fds[i]);
		}
	}
}

/* ------------------------------------------------------------------ */
/* Signals between workers                                            */
/* ------------------------------------------------------------------ */

static void act_signal(struct fuzz_thread *t)
{
	static const int sigs[] = { SIGUSR1, SIGUSR2, SIGALRM };
	struct worker_slot *s = &sh->workers[below(t, opt.workers)];
	int sig = sigs[below(t, ARRAY_SIZE(sigs))];
	pid_t pid = s->pid, tid = atomic_load(&s->tids[below(t, MAX_THREADS)]);

	if (pid <= 0)
		return;
	/* Across users this is EPERM, which is fine too. */
	if (tid > 0 && chance(t, 60))
		syscall(SYS_tgkill, pid, tid, sig);
	else
		kill(pid, sig);
	INC(sh->st.signals);
}

/* ------------------------------------------------------------------ */
/* Threads                                                            */
/* ------------------------------------------------------------------ */

static void act_burst(struct fuzz_thread *t);

struct fuzz_action {
	const char *name;
	unsigned int weight;
	void (*fn)(struct fuzz_thread *t);
};

/* Most calls are quick ioctls: the rest is what happens around them. */
static const struct fuzz_action actions[] = {
	{ "ioctl", 840, act_ioctl },
	{ "mmap", 12, act_mmap },
	{ "touch", 14, act_touch },
	{ "munmap", 6, act_munmap },
	{ "mremap", 5, act_mremap },
	{ "mprotect", 4, act_mprotect },
	{ "madvise/msync/mlock", 5, act_madvise },
	{ "remap_file_pages", 2, act_remap_file_pages },
	{ "process_vm_readv, /proc/self/mem", 3, act_remote },
	{ "fork", 2, act_fork },
	{ "clone(CLONE_FILES)", 1, act_clone_files },
	{ "poll", 8, act_poll },
	{ "select", 3, act_select },
	{ "epoll", 8, act_epoll },
	{ "poll across removal", 2, act_poll_rmid },
	{ "dup", 4, act_dup },
	{ "close", 4, act_close },
	{ "close_range", 1, act_close_range },
	{ "open a session", 4, act_reopen },
	{ "read/write/mmap where there are none", 3, act_fileops },
	{ "SCM_RIGHTS send", 5, act_scm_send },
	{ "SCM_RIGHTS receive", 6, act_scm_recv },
	{ "signal a worker", 4, act_signal },
	{ "burst of threads", 1, act_burst },
};

/*
 * May this thread make one more call?  The bound is machine-wide, on the
 * calls finished: a call cut off by a SIGKILL of its worker does not count,
 * so a run ends having finished at least the bound (and at most a call
 * per thread more).
 */
static bool claim(void)
{
	if (atomic_load_explicit(&sh->stop, memory_order_relaxed))
		return false;
	return !sh->max_calls || LOAD(sh->done) < sh->max_calls;
}

static void run_actions(struct fuzz_thread *t, uint64_t n)
{
	while (n-- && claim()) {
		const struct fuzz_action *a = PICK(t, actions);
		uint64_t t0 = mono_now();

		a->fn(t);
		ADD(sh->st.action_ns[a - actions], mono_now() - t0);
		INC(sh->st.action[a - actions]);
		INC(sh->done);
		INC(t->w->slot->calls);
	}
}

static struct fuzz_thread *thread_new(struct fuzz_worker *w, int index, uint64_t seed)
{
	struct fuzz_thread *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->w = w;
	t->index = index;
	t->seed = seed;
	t->rng = seed;
	t->epfd = -1;
	if (arena_init(t)) {
		free(t);
		return NULL;
	}
	return t;
}

static void thread_free(struct fuzz_thread *t)
{
	while (t->nmaps) {
		munmap(t->maps[0].addr, t->maps[0].len);
		map_drop(t, &t->maps[0]);
	}
	if (t->epfd >= 0)
		close(t->epfd);
	if (t->has_timer)
		timer_delete(t->timer);
	arena_free(t);
	free(t);
}

/* Set up the calling thread as t: its tid, timer, name. */
static void thread_enter(struct fuzz_thread *t)
{
	char name[16];

	me = t;
	t->tid = gettid();
	if (t->index < MAX_THREADS)
		atomic_store(&t->w->slot->tids[t->index], t->tid);
	timer_init(t);
	snprintf(name, sizeof(name), "fuzz-w%d.%d", t->w->index, t->index);
	prctl(PR_SET_NAME, name, 0, 0, 0);
}

static void *thread_main(void *arg)
{
	struct fuzz_thread *t = arg;

	thread_enter(t);
	run_actions(t, UINT64_MAX);
	return NULL;
}

/*
 * A burst: several threads at once, nearly all calls on one object, a
 * few with a file table of their own (unshare(CLONE_FILES): when such a
 * thread exits, its copies of the session fds close, and docs/design.md
 * says that must not end the process).
 */
#define BURST_THREADS	6

struct burst {
	struct fuzz_thread *t;
	bool unshare;
	int calls;
};

static void *burst_main(void *arg)
{
	struct burst *b = arg;

	thread_enter(b->t);
	if (b->unshare && !unshare(CLONE_FILES))
		INC(sh->st.unshares);
	run_actions(b->t, b->calls);
	return NULL;
}

static void act_burst(struct fuzz_thread *t)
{
	static _Atomic uint32_t bursts;
	struct burst b[BURST_THREADS];
	pthread_t th[BURST_THREADS];
	struct pool_obj focus;
	int none = 0, n, i, started;

	if (t->child || !atomic_compare_exchange_strong(&t->w->burst, &none, 1))
		return;
	INC(sh->st.bursts);
	n = between(t, 2, BURST_THREADS);
	if (!pool_pick(t, 0, &focus))
		focus.id = 0;
	for (i = 0, started = 0; i < n; i++) {
		uint32_t k = atomic_fetch_add(&bursts, 1);

		b[i].t = thread_new(t->w, MAX_THREADS + i,
				    thread_seed(t->w->seed, 1000 + k));
		if (!b[i].t)
			break;
		b[i].t->focus = focus.id;
		b[i].unshare = chance(t, 15);
		b[i].calls = between(t, 8, 48);
		if (pthread_create(&th[i], NULL, burst_main, &b[i])) {
			thread_free(b[i].t);
			break;
		}
		started++;
	}
	for (i = 0; i < started; i++) {
		pthread_join(th[i], NULL);
		thread_free(b[i].t);
	}
	atomic_store(&t->w->burst, 0);
}

/* ------------------------------------------------------------------ */
/* Workers                                                            */
/* ------------------------------------------------------------------ */

static void on_signal(int sig)
{
	/* Only to interrupt: blocking calls return EINTR. */
}

/*
 * The signals workers send each other only interrupt.  The master
 * installs this before it forks, so that a worker signalled before it
 * got going does not die of it.  No SA_RESTART: a signal ends a wait with
 * EINTR, as it would a student's.
 */
static void interrupting_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };
	static const int sigs[] = { SIGUSR1, SIGUSR2, SIGALRM };
	size_t i;

	sigemptyset(&sa.sa_mask);
	for (i = 0; i < ARRAY_SIZE(sigs); i++)
		sigaction(sigs[i], &sa, NULL);
	sigaction(SIG_TIMER, &sa, NULL);
}

static void worker_signals(void)
{
	struct sigaction fault = { .sa_sigaction = on_fault, .sa_flags = SA_SIGINFO };

	interrupting_signals();
	sigemptyset(&fault.sa_mask);
	sigaction(SIGSEGV, &fault, NULL);
	sigaction(SIGBUS, &fault, NULL);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
}

static void __attribute__((noreturn)) worker_main(int index)
{
	struct worker_slot *slot = &sh->workers[index];
	static struct fuzz_worker w;
	struct fuzz_thread *ts[MAX_THREADS] = {};
	pthread_t th[MAX_THREADS];
	int i, n;

	/* Its own process group, so that a kill takes its children too. */
	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != sh->master)
		_exit(0);
	if (slot->uid && drop_to_nobody())
		_exit(CHILD_BROKEN);
	worker_signals();

	w.index = index;
	w.gen = slot->gen;
	w.seed = slot->seed;
	w.slot = slot;
	for (i = 0; i < MAX_FDS; i++)
		atomic_store(&w.fds[i].fd, -1);
	w.sock = sock_open(index);
	w.procmem = private_fd(open("/proc/self/mem", O_RDWR | O_CLOEXEC));
	for (i = 1 + mix64(w.seed ^ 1) % 3; i > 0; i--)
		open_session(&w, O_RDWR | O_CLOEXEC);

	n = 1 + mix64(w.seed) % opt.threads;
	for (i = 0; i < n; i++) {
		ts[i] = thread_new(&w, i, thread_seed(w.seed, i));
		if (!ts[i])
			_exit(CHILD_BROKEN);
	}
	for (i = 1; i < n; i++)
		if (pthread_create(&th[i], NULL, thread_main, ts[i]))
			_exit(CHILD_BROKEN);
	thread_main(ts[0]);
	for (i = 1; i < n; i++)
		pthread_join(th[i], NULL);
	_exit(0);
}

/* ------------------------------------------------------------------ */
/* The master: module parameters                                      */
/* ------------------------------------------------------------------ */

/*
 * Every parameter in /sys/module/ipclab/parameters is changed now and
 * then: to a value in its range (bounds that keep things working), or,
 * for one tick only, to one outside it.  Parameters this table does not
 * know get a range around their value at the start.
 */
struct param_range {
	const char *name;
	uint64_t lo, hi;
};

static const struct param_range param_ranges[] = {
	{ "max_objects", 128, ID_SLOTS },
	{ "max_objects_per_user", 64, 4096 },
	{ "max_shbufs_per_user", 8, 4096 },
	{ "max_sems", 16, 32000 },
	{ "max_ops", 8, 2000 },
	{ "max_waiters", 8, 4096 },
	{ "sem_max", 64, 1 << 24 },
	{ "mbox_max_msgs", 8, 4096 },
	{ "mbox_max_msgsz", 64, 65536 },
	{ "mbox_max_bytes", 1024, 256 << 10 },
	{ "shbuf_max_size", PAGE, MAX_SHBUF },
	{ "stop_percent", 1, 100 },
};

static const char *const param_wild[] = {
	"0", "-1", "99999999999999999999", "abc", "", "0x10", " 7",
};

/*
 * Past every parameter's bound, for about a second each.  A module that
 * took them (an earlier one did) would, with max_ops, mbox_max_msgsz or
 * shbuf_max_size at UINT_MAX or ULONG_MAX, ask kvmalloc() for more than
 * INT_MAX bytes at the next SEM_OP, MBOX_SEND or GET of any user, which
 * WARNs (and panic_on_warn panics the lab VM), or let a shared buffer of
 * gigabytes take its pages until the OOM killer runs.  They are refused.
 */
static const char *const param_huge[] = {
	"4294967295", "4294967296", "18446744073709551615",
};

/* The parameters that size one allocation: each must refuse param_huge[]. */
static const char *const param_sizes[] = {
	"max_sems", "max_ops", "max_queued_ops", "max_waiters", "sem_max",
	"mbox_max_msgs", "mbox_max_msgsz", "mbox_max_bytes", "max_objects",
};

static bool param_sizes_one(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(param_sizes); i++)
		if (!strcmp(param_sizes[i], name))
			return true;
	return false;
}

struct param {
	char name[64];
	char orig[64];
	uint64_t lo, hi;
	int wild;		/* ticks an out-of-range value has left */
};

static struct param params[MAX_PARAMS];
static int nparams;

static void params_load(void)
{
	DIR *d = opendir(IPCLAB_PARAM_DIR);
	struct dirent *de;
	size_t i;

	while (d && (de = readdir(d)) && nparams < MAX_PARAMS) {
		struct param *p = &params[nparams];
		uint64_t v;

		if (de->d_name[0] == '.' || strlen(de->d_name) >= sizeof(p->name))
			continue;
		snprintf(p->name, sizeof(p->name), "%s", de->d_name);
		if (param_read_str(p->name, p->orig, sizeof(p->orig)))
			continue;
		v = strtoull(p->orig, NULL, 0);
		p->lo = v / 4 ? v / 4 : 1;
		p->hi = v < 4 ? 16 : v * 4;
		for (i = 0; i < ARRAY_SIZE(param_ranges); i++) {
			if (!strcmp(param_ranges[i].name, p->name)) {
				p->lo = param_ranges[i].lo;
				p->hi = param_ranges[i].hi;
			}
		}
		nparams++;
	}
	if (d)
		closedir(d);
}

static uint64_t param_value(const char *name, uint64_t def)
{
	char buf[64];

	if (param_read_str(name, buf, sizeof(buf)))
		return def;
	return strtoull(buf, NULL, 0);
}

/* What the generators aim at: the limits as they are now. */
static void limits_read(void)
{
	struct fuzz_limits *l = &sh->lim;

	l->max_sems = param_value("max_sems", IPCLAB_DEF_MAX_SEMS);
	l->max_ops = param_value("max_ops", IPCLAB_DEF_MAX_OPS);
	l->max_waiters = param_value("max_waiters", 1024);
	l->sem_max = param_value("sem_max", IPCLAB_DEF_SEM_MAX);
	l->mbox_max_msgs = param_value("mbox_max_msgs", 1024);
	l->mbox_max_msgsz = param_value("mbox_max_msgsz", 8192);
	l->mbox_max_bytes = param_value("mbox_max_bytes", 16384);
	l->shbuf_max_size = param_value("shbuf_max_size", 128 << 20);
}

static void param_set_in_range(uint64_t *rng, struct param *p)
{
	uint64_t v = p->lo + rng_next(rng) % (p->hi - p->lo + 1);
	char buf[32];

	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	INC(sh->st.params);
	if (param_write_str(p->name, buf))
		INC(sh->st.params_rejected);
	p->wild = 0;
}

static void params_tick(uint64_t *rng)
{
	struct param *p;
	char buf[32];
	int i;

	/* A wild value lasts one tick (a huge one about a second). */
	for (i = 0; i < nparams; i++)
		if (params[i].wild && !--params[i].wild)
			param_set_in_range(rng, &params[i]);
	if (!nparams || rng_next(rng) % 100 >= 8)
		goto out;
	p = &params[rng_next(rng) % nparams];
	if (rng_next(rng) % 4) {
		param_set_in_range(rng, p);
		goto out;
	}
	INC(sh->st.params);
	p->wild = 1;
	if (rng_next(rng) % 3 == 0) {
		const char *huge = param_huge[rng_next(rng) % ARRAY_SIZE(param_huge)];

		p->wild = 20;
		if (param_write_str(p->name, huge)) {
			INC(sh->st.params_rejected);
		} else if (param_sizes_one(p->name)) {
			printf("# fuzz_test: %s took %s\n", p->name, huge);
			INC(sh->st.huge_taken);
		}
	} else if (rng_next(rng) % 2) {
		snprintf(buf, sizeof(buf), "%llu", (unsigned long long)p->hi + 1);
		if (param_write_str(p->name, buf))
			INC(sh->st.params_rejected);
	} else if (param_write_str(p->name, param_wild[rng_next(rng) % ARRAY_SIZE(param_wild)])) {
		INC(sh->st.params_rejected);
	}
out:
	limits_read();
}

/* Put every parameter back; false if one would not go back. */
static bool params_put_back(void)
{
	char now[64];
	bool ok = true;
	int i;

	for (i = 0; i < nparams; i++) {
		param_write_str(params[i].name, params[i].orig);
		if (param_read_str(params[i].name, now, sizeof(now)) ||
		    strcmp(now, params[i].orig)) {
			printf("# parameter %s: %s, was %s at the start\n",
			       params[i].name, now, params[i].orig);
			ok = false;
		}
	}
	return ok;
}

/* ------------------------------------------------------------------ */
/* The master: objects                                                */
/* ------------------------------------------------------------------ */

#define LIST_MAX	ID_SLOTS	/* as many as there can be objects */

static uint32_t *preexisting;	/* objects that were there before us */
static uint32_t npreexisting;

/* Every object's id, into ids[cap]; how many exist, or -1. */
static int list_all(int fd, uint32_t *ids, uint32_t cap)
{
	struct ipclab_list l = { .type = 0, .len = cap, .ids = ptr_u64(ids) };

	if (ioctl(fd, IPCLAB_IOC_LIST, &l))
		return -1;
	return l.len < cap ? l.len : cap;
}

static bool was_there(uint32_t id)
{
	uint32_t i;

	for (i = 0; i < npreexisting; i++)
		if (preexisting[i] == id)
			return true;
	return false;
}

static bool in_pool(uint32_t id)
{
	int i;

	for (i = 0; i < POOL_SIZE; i++)
		if (atomic_load(&sh->pool[i].id) == id)
			return true;
	return false;
}

/*
 * Objects persist until removed, and workers create more than the pool
 * keeps: when there are many, remove most of those the pool forgot (and
 * a few it did not: workers get removals under their feet).
 */
static void collect_garbage(int fd, uint64_t *rng)
{
	static uint32_t ids[LIST_MAX];
	uint64_t limit = param_value("max_objects_per_user", 1024);
	int n = list_all(fd, ids, LIST_MAX), i;

	if (n < 200 && (uint64_t)n < limit / 2)
		return;
	for (i = 0; i < n; i++) {
		if (was_there(ids[i]))
			continue;
		if (in_pool(ids[i]) && rng_next(rng) % 10)
			continue;
		if (!ipclab_rmid(fd, ids[i])) {
			INC(sh->st.gc_removed);
			pool_forget(ids[i]);
			stale_push(ids[i]);
		}
	}
}

/*
 * Remove everything the run created; true once nothing is left.  With
 * report, say what is left and why it might be (a shared buffer that
 * counts mappings nobody has: every process of the run is gone).
 */
static bool remove_ours(int fd, int *left, bool report)
{
	static const char *const types[] = { "?", "sem", "mutex", "mbox", "shbuf" };
	static uint32_t ids[LIST_MAX];
	int n = list_all(fd, ids, LIST_MAX), i;
	struct ipclab_stat st;

	*left = 0;
	for (i = 0; i < n; i++) {
		if (was_there(ids[i]))
			continue;
		ipclab_rmid(fd, ids[i]);
		(*left)++;
		if (!report || *left > 20)
			continue;
		if (ipclab_stat(fd, ids[i], &st)) {
			printf("# left: id %u (STAT: %s)\n", ids[i], strerror(errno));
			continue;
		}
		printf("# left: id %u, %s, key %d, mode %03o, cpid %d", ids[i],
		       types[st.type < sizeof(types) / sizeof(types[0]) ? st.type : 0],
		       st.perm.key, st.perm.mode,
		       st.perm.cpid);
		if (st.type == IPCLAB_TYPE_SHBUF)
			printf(", size %llu, nattch %u, attaches %llu%s",
			       (unsigned long long)st.shbuf.size, st.shbuf.nattch,
			       (unsigned long long)st.shbuf.attaches,
			       st.shbuf.flags & IPCLAB_SHBUF_DEST ? ", removed" : "");
		printf("\n");
	}
	return n >= 0 && !*left;
}

/* ------------------------------------------------------------------ */
/* The master: workers                                                */
/* ------------------------------------------------------------------ */

static int nlogged;	/* worker lives printed so far */
#define MAX_LOGGED	200

static void spawn(int index)
{
	struct worker_slot *s = &sh->workers[index];
	pid_t pid;

	s->seed = worker_seed(opt.seed, index, s->gen);
	atomic_store(&s->calls, 0);
	for (int i = 0; i < MAX_THREADS; i++)
		atomic_store(&s->tids[i], 0);
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		s->pid = 0;
		return;
	}
	if (!pid)
		worker_main(index);
	s->pid = pid;
	if (nlogged++ < MAX_LOGGED || opt.verbose)
		printf("# worker %d life %d: pid %d, uid %u, seed 0x%016llx\n",
		       index, s->gen, pid, s->uid, (unsigned long long)s->seed);
	else if (nlogged == MAX_LOGGED + 1)
		printf("# (more lives not printed: worker w's life g has seed "
		       "worker_seed(seed, w, g))\n");
}

static int worker_of(pid_t pid)
{
	int i;

	for (i = 0; i < opt.workers; i++)
		if (sh->workers[i].pid == pid)
			return i;
	return -1;
}

/* A worker's threads' kernel stacks, for a report about a stuck one. */
static void print_stacks(pid_t pid)
{
	char path[320], line[256];
	struct dirent *de;
	DIR *d;
	FILE *f;
	int n;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	d = opendir(path);
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/stack", pid, de->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		printf("#   task %s:\n", de->d_name);
		for (n = 0; n < 12 && fgets(line, sizeof(line), f); n++)
			printf("#     %s", line);
		fclose(f);
	}
	if (d)
		closedir(d);
}

static void kill_worker(int index, int sig)
{
	pid_t pid = sh->workers[index].pid;

	if (pid <= 0)
		return;
	/* The group takes its fork() and clone() children along. */
	kill(-pid, sig);
	kill(pid, sig);
}

/* Reap whatever died (workers and orphaned grandchildren); respawn workers. */
static void reap(bool respawn)
{
	int st, w;
	pid_t pid;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		w = worker_of(pid);
		if (w < 0)
			continue;	/* an orphan we adopted as subreaper */
		{
			int holder = pid;

			/* A big object's token dies with its holder. */
			atomic_compare_exchange_strong(&sh->big_token, &holder, 0);
		}
		if (WIFSIGNALED(st) && WTERMSIG(st) != SIGKILL) {
			INC(sh->st.deaths);
			printf("# worker %d life %d (seed 0x%016llx) died of signal %d (%s)\n",
			       w, sh->workers[w].gen,
			       (unsigned long long)sh->workers[w].seed,
			       WTERMSIG(st), strsignal(WTERMSIG(st)));
		} else if (WIFEXITED(st) && WEXITSTATUS(st)) {
			INC(sh->st.deaths);
			printf("# worker %d life %d exited with status %d\n",
			       w, sh->workers[w].gen, WEXITSTATUS(st));
		}
		sh->workers[w].pid = 0;
		if (respawn && !atomic_load(&sh->stop) &&
		    (!sh->max_calls || LOAD(sh->done) < sh->max_calls)) {
			sh->workers[w].gen++;
			INC(sh->st.respawns);
			spawn(w);
		}
	}
}

static bool workers_left(void)
{
	int i;

	for (i = 0; i < opt.workers; i++)
		if (sh->workers[i].pid > 0)
			return true;
	return false;
}

/* Kill every worker and wait for them; false if one would not die. */
static bool kill_all(void)
{
	uint64_t deadline = mono_now() + 30 * NSEC_PER_SEC;
	int i;

	for (i = 0; i < opt.workers; i++)
		kill_worker(i, SIGKILL);
	while (workers_left()) {
		reap(false);
		if (mono_now() > deadline) {
			for (i = 0; i < opt.workers; i++) {
				if (sh->workers[i].pid <= 0)
					continue;
				printf("# worker %d (pid %d) did not die in 30 s:\n",
				       i, sh->workers[i].pid);
				print_stacks(sh->workers[i].pid);
			}
			return false;
		}
		usleep(10000);
	}
	/* And the grandchildren the subreaper adopted. */
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	return true;
}

#define STUCK_S		60

/* A worker whose heartbeat stopped: report where it sleeps, kill it. */
static void watchdog(uint64_t now)
{
	static uint64_t seen[MAX_WORKERS], since[MAX_WORKERS];
	int i;

	for (i = 0; i < opt.workers; i++) {
		struct worker_slot *s = &sh->workers[i];
		uint64_t calls = LOAD(s->calls);

		if (s->pid <= 0 || calls != seen[i]) {
			seen[i] = calls;
			since[i] = now;
			continue;
		}
		if (now - since[i] < STUCK_S * NSEC_PER_SEC)
			continue;
		INC(sh->st.stuck);
		printf("# worker %d life %d (pid %d, seed 0x%016llx) made no call in %d s; "
		       "last ioctl %s; its kernel stacks:\n", i, s->gen, s->pid,
		       (unsigned long long)s->seed, STUCK_S,
		       ioctls[LOAD(s->last)].name);
		print_stacks(s->pid);
		kill_worker(i, SIGKILL);
		since[i] = now;
	}
}

/* ------------------------------------------------------------------ */
/* The master: chaos, once per tick                                   */
/* ------------------------------------------------------------------ */

static void chaos(uint64_t *rng, int fd)
{
	static int stopped = -1;
	int w = rng_next(rng) % opt.workers;
	struct pool_obj o;
	uint64_t dice = rng_next(rng) % 1000;

	if (stopped >= 0) {
		kill_worker(stopped, SIGCONT);
		stopped = -1;
	}
	if (opt.kill && dice < 25) {
		/* Dies wherever it is: blocked in P, holding mutexes, mid-send. */
		kill_worker(w, SIGKILL);
		INC(sh->st.kills);
	} else if (opt.kill && dice < 35) {
		kill_worker(w, SIGSTOP);
		stopped = w;
		INC(sh->st.stops);
	} else if (dice < 300) {
		static const int sigs[] = { SIGUSR1, SIGUSR2, SIGALRM };
		pid_t tid = atomic_load(&sh->workers[w].tids[rng_next(rng) % MAX_THREADS]);
		int sig = sigs[rng_next(rng) % ARRAY_SIZE(sigs)];

		if (tid > 0 && sh->workers[w].pid > 0)
			syscall(SYS_tgkill, sh->workers[w].pid, tid, sig);
		else
			kill_worker(w, sig);
		INC(sh->st.signals);
	} else if (dice < 400) {
		/* Root removes an object somebody uses. */
		struct fuzz_thread t = { .rng = rng_next(rng) };

		if (pool_pick(&t, 0, &o) && !ipclab_rmid(fd, o.id)) {
			pool_forget(o.id);
			stale_push(o.id);
		}
	}
	if (opt.params)
		params_tick(rng);
}

/* ------------------------------------------------------------------ */
/* The master: the end                                                */
/* ------------------------------------------------------------------ */

/* After the storm: a fresh semaphore, mailbox and mutex still work. */
static const char *health_check(int fd)
{
	struct ipclab_get mb = { .type = IPCLAB_TYPE_MBOX, .flags = IPCLAB_CREAT, .mode = 0600 };
	struct ipclab_msgsnd snd = { .type = 7, .size = 1, .flags = IPCLAB_WAIT_NOWAIT };
	struct ipclab_msgrcv rcv = { .size = 1, .flags = IPCLAB_WAIT_NOWAIT };
	struct ipclab_version v;
	struct ipclab_stat st;
	uint32_t sem = 0, mutex = 0, ids[64];
	char out = 0, in = 'h';
	int n, i;

	if (ioctl(fd, IPCLAB_IOC_VERSION, &v) || v.major != IPCLAB_ABI_MAJOR)
		return "VERSION";
	if (sem_create(fd, 2, &sem))
		return "GET of a semaphore set";
	if (sem_op1_wait(fd, sem, 1, 1, 0, IPCLAB_WAIT_NOWAIT, 0) ||
	    sem_op1_wait(fd, sem, 1, -1, 0, IPCLAB_WAIT_NOWAIT, 0))
		return "SEM_OP V then P";
	if (sem_op1_wait(fd, sem, 1, -1, 0, IPCLAB_WAIT_NOWAIT, 0) != -1 || errno != EAGAIN)
		return "SEM_OP P on 0 (not EAGAIN)";
	if (ipclab_stat(fd, sem, &st) || st.type != IPCLAB_TYPE_SEM || st.sem.nsems != 2)
		return "STAT";
	if (mutex_create(fd, &mutex) || mutex_lock(fd, mutex) || mutex_unlock(fd, mutex))
		return "mutex GET, LOCK, UNLOCK";
	if (ioctl(fd, IPCLAB_IOC_GET, &mb))
		return "GET of a mailbox";
	snd.id = rcv.id = mb.id;
	snd.text = ptr_u64(&in);
	rcv.text = ptr_u64(&out);
	if (ioctl(fd, IPCLAB_IOC_MBOX_SEND, &snd) || ioctl(fd, IPCLAB_IOC_MBOX_RECV, &rcv) ||
	    out != in || rcv.type != 7)
		return "MBOX_SEND then MBOX_RECV";
	if (ipclab_rmid(fd, sem) || ipclab_rmid(fd, mutex) || ipclab_rmid(fd, mb.id))
		return "RMID";
	n = list_all(fd, ids, ARRAY_SIZE(ids));
	if (n < 0)
		return "LIST";
	for (i = 0; i < n; i++)
		if (!was_there(ids[i]))
			return "LIST shows an object of the run after the cleanup";
	return NULL;
}

static const char *errname(int e)
{
	const char *s = e ? strerrorname_np(e) : "ok";

	return s ? s : "E?";
}

/* "ok 12, EINVAL 30, ...": the errnos that answered, most frequent first. */
static void print_errnos(_Atomic uint64_t *hist, uint64_t total)
{
	bool used[NERR] = {};
	int k, e, best;

	for (k = 0; k < 6; k++) {
		best = -1;
		for (e = 0; e < NERR; e++)
			if (!used[e] && LOAD(hist[e]) &&
			    (best < 0 || LOAD(hist[e]) > LOAD(hist[best])))
				best = e;
		if (best < 0)
			break;
		used[best] = true;
		printf("%s %s %llu", k ? "," : ":", errname(best),
		       (unsigned long long)LOAD(hist[best]));
	}
	for (e = 0, k = 0; e < NERR; e++)
		if (!used[e] && LOAD(hist[e]))
			k++;
	if (k)
		printf(", %d more", k);
	printf("\n");
}

static void print_totals(double secs)
{
	struct fuzz_stats *s = &sh->st;
	uint64_t all[NERR] = {}, calls = LOAD(sh->done), ioctls_made = 0;
	_Atomic uint64_t sum[NERR];
	size_t i;
	int e;

	printf("# calls: %llu in %.1f s (%.0f/s), seed 0x%016llx\n",
	       (unsigned long long)calls, secs, secs > 0 ? calls / secs : 0.0,
	       (unsigned long long)opt.seed);
	for (i = 0; i < ARRAY_SIZE(ioctls); i++) {
		ioctls_made += LOAD(s->ioctl[i]);
		for (e = 0; e < NERR; e++)
			all[e] += LOAD(s->err[i][e]);
	}
	printf("# ioctls: %llu (forked children's included); per command, then what answered:\n",
	       (unsigned long long)ioctls_made);
	for (i = 0; i < ARRAY_SIZE(ioctls); i++) {
		printf("#   %-16s %8llu", ioctls[i].name, (unsigned long long)LOAD(s->ioctl[i]));
		print_errnos(s->err[i], LOAD(s->ioctl[i]));
	}
	for (e = 0; e < NERR; e++)
		atomic_store(&sum[e], all[e]);
	printf("# errnos over all ioctls");
	print_errnos(sum, ioctls_made);
	printf("# other calls:");
	for (i = 1; i < ARRAY_SIZE(actions); i++)
		printf("%s %s %llu", i > 1 ? "," : "", actions[i].name,
		       (unsigned long long)LOAD(s->action[i]));
	printf("\n");
	printf("# thread time (s): ioctls");
	for (i = 0; i < ARRAY_SIZE(ioctls); i++)
		printf("%s %s %.1f", i ? "," : "", ioctls[i].name, LOAD(s->ioctl_ns[i]) / 1e9);
	printf("; other calls");
	for (i = 0; i < ARRAY_SIZE(actions); i++)
		printf("%s %s %.1f", i ? "," : "", actions[i].name, LOAD(s->action_ns[i]) / 1e9);
	printf("\n");
	printf("# processes: %llu kills, %llu stops, %llu signals, %llu respawns, "
	       "%llu forks, %llu clone(CLONE_FILES), %llu bursts (%llu unshared), "
	       "%llu unexpected deaths, %llu stuck\n",
	       (unsigned long long)LOAD(s->kills), (unsigned long long)LOAD(s->stops),
	       (unsigned long long)LOAD(s->signals), (unsigned long long)LOAD(s->respawns),
	       (unsigned long long)LOAD(s->forks), (unsigned long long)LOAD(s->clones),
	       (unsigned long long)LOAD(s->bursts), (unsigned long long)LOAD(s->unshares),
	       (unsigned long long)LOAD(s->deaths), (unsigned long long)LOAD(s->stuck));
	printf("# memory: %llu SIGSEGV and %llu SIGBUS caught while touching mappings; "
	       "%llu big objects\n", (unsigned long long)LOAD(s->segv),
	       (unsigned long long)LOAD(s->sigbus), (unsigned long long)LOAD(s->big));
	printf("# fds: %llu passed with SCM_RIGHTS, %llu received\n",
	       (unsigned long long)LOAD(s->scm_sent), (unsigned long long)LOAD(s->scm_received));
	printf("# parameters: %llu writes (%llu refused); objects removed by the collector: %llu\n",
	       (unsigned long long)LOAD(s->params), (unsigned long long)LOAD(s->params_rejected),
	       (unsigned long long)LOAD(s->gc_removed));
	printf("# poll across removal: %llu answers unlike the header's\n",
	       (unsigned long long)LOAD(poll_mismatch));
	for (i = 0; i < MAX_UNDOC; i++) {
		struct undoc *u = &s->undoc[i];

		if (!LOAD(u->count))
			continue;
		printf("# undocumented: %s gave %s %u times (first by the thread of seed 0x%016llx)\n",
		       ioctls[u->ioctl].name, errname(u->err), LOAD(u->count),
		       (unsigned long long)u->seed);
	}
}

/* ------------------------------------------------------------------ */
/* main                                                               */
/* ------------------------------------------------------------------ */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: fuzz_test [--seed S] [--calls N] [--seconds T] [--workers W]\n"
		"                 [--threads T] [--no-params] [--no-kill] [--apart]\n"
		"                 [--verbose]\n"
		"  --calls N     stop after N calls (default %d; 0: no bound)\n"
		"  --seconds T   stop after T seconds (default: no bound)\n"
		"  --workers W   processes (1..%d, default %d; odd ones run as nobody)\n"
		"  --threads T   at most T threads per process (1..%d, default %d)\n"
		"  --no-params   leave the module parameters alone\n"
		"  --no-kill     never SIGKILL or SIGSTOP a worker\n"
		"  --apart       keep every mapping between guard pages\n"
		"Environment: IPCLAB_FUZZ_SEED, IPCLAB_FUZZ_CALLS, IPCLAB_FUZZ_SECONDS.\n",
		DEF_CALLS, MAX_WORKERS, DEF_WORKERS, MAX_THREADS, DEF_THREADS);
}

static uint64_t number(const char *s)
{
	char *end;
	uint64_t v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || end == s) {
		fprintf(stderr, "fuzz_test: not a number: %s\n", s);
		exit(2);
	}
	return v;
}

static void parse_args(int argc, char **argv)
{
	bool seeded = false, bounded = false;
	const char *env;
	int i;

	if ((env = getenv("IPCLAB_FUZZ_SEED"))) {
		opt.seed = number(env);
		seeded = true;
	}
	if ((env = getenv("IPCLAB_FUZZ_CALLS"))) {
		opt.calls = number(env);
		bounded = true;
	}
	if ((env = getenv("IPCLAB_FUZZ_SECONDS"))) {
		opt.seconds = number(env);
		bounded = true;
	}
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--no-params")) {
			opt.params = false;
		} else if (!strcmp(a, "--no-kill")) {
			opt.kill = false;
		} else if (!strcmp(a, "--apart")) {
			opt.apart = true;
		} else if (!strcmp(a, "--verbose")) {
			opt.verbose = true;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			exit(0);
		} else if (!v) {
			usage(stderr);
			exit(2);
		} else if (!strcmp(a, "--seed")) {
			opt.seed = number(v), seeded = true, i++;
		} else if (!strcmp(a, "--calls")) {
			opt.calls = number(v), bounded = true, i++;
		} else if (!strcmp(a, "--seconds")) {
			opt.seconds = number(v), bounded = true, i++;
		} else if (!strcmp(a, "--workers")) {
			opt.workers = number(v), i++;
		} else if (!strcmp(a, "--threads")) {
			opt.threads = number(v), i++;
		} else {
			usage(stderr);
			exit(2);
		}
	}
	if (!bounded)
		opt.calls = DEF_CALLS;
	if (opt.workers < 1 || opt.workers > MAX_WORKERS ||
	    opt.threads < 1 || opt.threads > MAX_THREADS) {
		usage(stderr);
		exit(2);
	}
	if (!seeded) {
		uint64_t r = 0;

		if (getrandom(&r, sizeof(r), 0) != sizeof(r))
			r = mono_now() ^ ((uint64_t)getpid() << 32);
		opt.seed = r;
	}
}

static volatile sig_atomic_t interrupted;

static void on_master_signal(int sig)
{
	interrupted = sig;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_master_signal };
	uint64_t start, now, next_progress, next_gc, rng;
	const char *bad = NULL, *health;
	int fd, i, left = 0;
	double secs;

	parse_args(argc, argv);
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n1..1\n");
	/* The tables fit what was set aside for them (one more entry, one more check). */
	for (i = 0; i < (int)ARRAY_SIZE(ioctls); i++) {
		if (ioctls[i].size > ARG_MAX || ARRAY_SIZE(ioctls) > MAX_IOCTLS ||
		    ARRAY_SIZE(actions) > MAX_ACTIONS) {
			printf("not ok 1 fuzz # the tables outgrew ARG_MAX, MAX_IOCTLS or MAX_ACTIONS\n");
			return 1;
		}
	}
	printf("# fuzz_test: seed 0x%016llx (again: --seed 0x%016llx or IPCLAB_FUZZ_SEED)\n",
	       (unsigned long long)opt.seed, (unsigned long long)opt.seed);
	fd = open(IPCLAB_DEVICE, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		printf("ok 1 fuzz # SKIP " IPCLAB_DEVICE ": %s\n", strerror(errno));
		return 0;
	}
	if (geteuid()) {
		/* Without root: nobody workers and parameters are out of reach. */
		opt.params = false;
		printf("# not root: every worker runs as uid %u, parameters stay\n", geteuid());
	}

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		printf("not ok 1 fuzz # mmap of the shared state: %s\n", strerror(errno));
		return 1;
	}
	sh->master = getpid();
	sh->max_calls = opt.calls;
	for (i = 0; i < opt.workers; i++)
		sh->workers[i].uid = (i % 2 && !geteuid()) ? IPCLAB_NOBODY : geteuid();
	params_load();
	limits_read();
	preexisting = calloc(LIST_MAX, sizeof(*preexisting));
	i = preexisting ? list_all(fd, preexisting, LIST_MAX) : -1;
	npreexisting = i > 0 ? i : 0;

	printf("# bound: %llu calls%s, %llu s%s; %d workers of up to %d threads; "
	       "thread i of a worker draws from thread_seed(worker seed, i)\n",
	       (unsigned long long)opt.calls, opt.calls ? "" : " (none)",
	       (unsigned long long)opt.seconds, opt.seconds ? "" : " (none)",
	       opt.workers, opt.threads);
	printf("# parameters (%s):", opt.params ? "changed, then restored" : "left alone");
	for (i = 0; i < nparams; i++)
		printf(" %s=%s", params[i].name, params[i].orig);
	printf("\n");

	/* Orphaned grandchildren come to us, so that nothing outlives the run. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	interrupting_signals();

	rng = mix64(opt.seed ^ 0x6d617374);	/* the master's own stream */
	start = mono_now();
	next_progress = start + 60 * NSEC_PER_SEC;
	next_gc = start + NSEC_PER_SEC;
	for (i = 0; i < opt.workers; i++)
		spawn(i);

	for (;;) {
		struct timespec tick = { .tv_nsec = (20 + rng_next(&rng) % 60) * 1000000L };

		nanosleep(&tick, NULL);
		now = mono_now();
		reap(true);
		if (interrupted) {
			bad = "interrupted";
			break;
		}
		if (opt.seconds && now - start >= opt.seconds * NSEC_PER_SEC)
			break;
		if (sh->max_calls && LOAD(sh->done) >= sh->max_calls &&
		    !workers_left())
			break;
		if (!workers_left()) {
			bad = "every worker is gone";
			break;
		}
		watchdog(now);
		chaos(&rng, fd);
		if (now >= next_gc) {
			collect_garbage(fd, &rng);
			next_gc = now + NSEC_PER_SEC;
		}
		if (now >= next_progress) {
			uint64_t done = LOAD(sh->done);

			printf("# progress: %llu calls in %.0f s (%.0f/s)\n",
			       (unsigned long long)done, (now - start) / 1e9,
			       done / ((now - start) / 1e9));
			next_progress = now + 60 * NSEC_PER_SEC;
		}
	}
	atomic_store(&sh->stop, 1);
	secs = (mono_now() - start) / 1e9;

	/* (With a time bound too, time may come first.) */
	if (sh->max_calls && !opt.seconds && LOAD(sh->done) < sh->max_calls && !bad)
		bad = "it stopped short of its bound of calls";
	if (!kill_all() && !bad)
		bad = "a worker could not be killed (see its stacks above)";
	if (opt.params && !params_put_back() && !bad)
		bad = "a module parameter did not go back";
	if (LOAD(sh->st.huge_taken) && !bad)
		bad = "a module parameter took a value past its bound";
	for (i = 0; i < 100 && !remove_ours(fd, &left, i == 99); i++)
		usleep(100000);	/* deferred fput()s of mappings and passed fds */
	if (left && !bad)
		bad = "objects of the run are left after 10 s of removing";
	health = health_check(fd);
	if (health && !bad)
		bad = health;
	close(fd);

	print_totals(secs);
	if (bad)
		printf("not ok 1 fuzz # %s\n", bad);
	else
		printf("ok 1 fuzz\n");
	return bad ? 1 : 0;
}
