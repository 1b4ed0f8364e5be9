// SPDX-License-Identifier: GPL-2.0
/*
 * Kill storms: processes blocked in P, in a mutex lock, in a send to a
 * full mailbox and in a receive from an empty one, or holding mutexes and
 * semaphore units, are SIGKILLed at random moments and respawned; the
 * state afterwards must be exactly what the survivors account for.
 *
 * The workload is built so that every invariant can be checked exactly:
 *
 *  - Every semaphore operation of a worker uses IPCLAB_SEMBUF_UNDO and takes
 *    units before it gives them back, so a worker's undo values are never
 *    negative (nothing is clamped) and a killed worker's net contribution
 *    is zero.  A worker writes what it holds into shared memory after each
 *    operation.  So while the survivors are parked, each semaphore's value
 *    is its initial value minus what the survivors hold, and STAT's holder
 *    entries say the same, process by process.  At any moment, the
 *    snapshot's total of a semaphore (value plus what all processes hold)
 *    is its initial value.
 *  - Each mutex protects a word in a shared buffer that names the process
 *    inside.  A lock that returns 0 must find the word clear: only
 *    EOWNERDEAD (an owner died inside) may leave it set.  No worker ever
 *    unlocks without making the mutex consistent, so ENOTRECOVERABLE never
 *    appears.
 *  - One mutex refuses deadlocks (IPCLAB_REFUSE_DEADLOCK): the workload
 *    has no cycle, so every wait on it is checked and none is refused.
 *    Some workers only look (SNAPSHOT, STAT, LIST, poll on an object
 *    fd), and are killed while they do.
 *  - Each message names its sender's incarnation and its sequence number,
 *    so a duplicate or an invented message is caught.  A killed sender can
 *    have sent one message it did not record, a killed receiver can have
 *    taken one it did not record: the kernel's counters may differ from
 *    ours by at most that many.
 *
 * During the storm, after each kill, every waiting room, holder entry and
 * mutex owner names only processes that were not reaped yet, and so does
 * IPCLAB_IOC_SNAPSHOT.  At the end (all processes gone) the values are the
 * initial ones, the rooms are empty, nobody holds anything, each mutex
 * can be recovered, the mailboxes drain without duplicates, and, with a
 * module that has IPCLAB_IOC_INFO, the machine's usage is what it was
 * before.
 *
 * IPCLAB_STORM_PROCS workers (24), IPCLAB_STORM_SECONDS of storm (3),
 * longer if that made fewer than IPCLAB_STORM_KILLS kills (100) on a slow
 * kernel, but never more than ten times as long;
 * IPCLAB_SEED repeats a run's choices (the seed is printed).
 */
#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "ipclab_test.h"

FIXTURE(storm) {
	int fd;
	struct ipclab_cleanup cl;
};

FIXTURE_SETUP(storm)
{
	memset(&self->cl, 0, sizeof(self->cl));
	IPCLAB_OPEN_OR_SKIP(self->fd);
}

FIXTURE_TEARDOWN_PARENT(storm)
{
	ipclab_cleanup(&self->cl);
}

#define STORM_MAX_PROCS	60	/* below CL_MAX_KIDS: the teardown kills them */
#define STORM_NSEMS	4
#define STORM_NMUTEX	3
#define STORM_NBOX	2
#define STORM_MAX_INC	4096	/* incarnations: workers ever started */
#define STORM_MAX_SEQ	2048	/* messages one incarnation sends at most */
#define STORM_NTYPES	3	/* messages have types 1..3 */
#define STORM_MSG_MAX	64
#define STORM_BOX_MSGS	4
#define STORM_MAGIC	0x5707a000u

/* Semaphore 0: a pool of 1; 1 and 2: taken together; 3: taken under a mutex. */
static const __s32 storm_init[STORM_NSEMS] = { 1, 2, 3, 2 };

/* Mailbox 0 is kept full (fast senders, slow receivers), 1 empty. */
#define BOX_FULL	0
#define BOX_EMPTY	1

enum storm_role {
	ROLE_POOL,	/* P(0) forever, hold, V(0) */
	ROLE_PAIR,	/* P(1) and P(2, 2 units) at once, with a timeout */
	ROLE_MUTEX,	/* lock one of the mutexes, then P(3) while holding it */
	ROLE_SEND,	/* sends to the full mailbox */
	ROLE_RECV,	/* receives from the empty mailbox, with every selector */
	ROLE_PUMP,	/* slowly: receives from the full one, or sends to the empty one */
	ROLE_LOOK,	/* snapshots, STAT, LIST, polls a mailbox's object fd */
	ROLE_THREADS,	/* two threads of one process: "pool" and "mutex" */
	NROLES
};

static const char *const role_name[NROLES] = {
	"pool", "pair", "mutex", "send", "recv", "pump", "look", "threads",
};

/* One worker place; each respawn is a new incarnation in the same slot. */
struct storm_slot {
	pid_t pid;
	__u32 inc;
	int role;
	int parked;			/* stopped for good, waiting to exit */
	int parking;			/* its threads that stopped so far */
	__s32 held[STORM_NSEMS];	/* units taken and not given back */
	int owned;			/* index + 1 of the mutex it owns, or 0 */
	int fail_line;			/* why it exited by itself */
	int fail_errno;
};

struct storm_inc {
	int slot;
	int role;
	int send_box;			/* the mailbox it sends to, or -1 */
	int recv_box;			/* the mailbox it receives from, or -1 */
	int killed;
	__u32 sent;			/* messages it recorded as sent */
};

struct storm_msg {
	__u32 magic;			/* STORM_MAGIC + mailbox */
	__u32 inc;
	__u32 seq;
	__u32 size;			/* of the whole message */
	unsigned char fill[STORM_MSG_MAX - 16];
};

/* Shared by the test and all workers (MAP_SHARED, before the forks). */
struct storm_shared {
	int stop;
	long ownerdead;			/* EOWNERDEAD seen by workers */
	long bad_lock;			/* clean lock found the word set */
	long bad_lock_word;
	long notrecoverable;
	long bad_msg;			/* malformed or misdelivered message */
	long bad_order;			/* a (sender, type) stream went backwards */
	long received[STORM_NBOX];	/* recorded by receivers */
	struct storm_slot slot[STORM_MAX_PROCS];
	struct storm_inc inc[STORM_MAX_INC];
};

struct storm {
	int fd;
	int nproc;
	__u32 sem;
	__u32 mutex[STORM_NMUTEX];
	__u32 box[STORM_NBOX];
	__u32 shbuf;
	volatile __s32 *words;		/* the shared buffer: one word per mutex */
	struct storm_shared *sh;
	unsigned char *seen;		/* [STORM_MAX_INC][STORM_MAX_SEQ] */
	size_t seen_size;
	int go[2];			/* parked workers exit at its EOF */
	__u32 ninc;
	__u64 seed;
	long kills[NROLES];
	long box_kills[STORM_NBOX][2];	/* [box][0: senders, 1: receivers] */
	struct ipclab_cleanup *cl;
};

/* What one worker (a forked child) keeps for itself. */
struct worker {
	struct storm *st;
	struct storm_slot *slot;
	struct storm_inc *inc;
	struct prng rng;
	__s32 *last;			/* [STORM_MAX_INC][STORM_NTYPES] */
	pid_t pid;
	int nthreads;			/* of the process, each with a worker */
};

static void on_stop_signal(int sig)
{
}

static bool stopping(const struct storm *st)
{
	return __atomic_load_n(&st->sh->stop, __ATOMIC_ACQUIRE);
}

static void __attribute__((noreturn)) worker_fail(struct worker *w, int line)
{
	w->slot->fail_errno = errno;
	w->slot->fail_line = line;
	_exit(CHILD_CHECK_FAILED);
}

#define WORKER_FAIL(w) worker_fail((w), __LINE__)

/* Stop for good, holding what is held, until the test closes "go". */
static void __attribute__((noreturn)) park(struct worker *w)
{
	char c;
	ssize_t n;

	sigset_t mask;

	/* Further stop signals go to the threads that still run. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &mask, NULL);
	if (__atomic_add_fetch(&w->slot->parking, 1, __ATOMIC_ACQ_REL) == w->nthreads)
		__atomic_store_n(&w->slot->parked, 1, __ATOMIC_RELEASE);
	for (;;) {
		n = read(w->st->go[0], &c, 1);
		if (n == 0)
			_exit(0);
		if (n < 0 && errno != EINTR)
			_exit(CHILD_BROKEN);
	}
}

/* Hold for up to max_us; the stop signal cuts it short. */
static void hold(struct worker *w, __u32 max_us)
{
	usleep(prng_below(&w->rng, max_us + 1));
}

/* Semaphore operations; on success the slot says what is held now. */
static int worker_semop(struct worker *w, const struct ipclab_sembuf *ops,
			__u32 nops, __u32 wait_flags, __u64 timeout)
{
	__u32 i;

	if (sem_ops(w->st->fd, w->st->sem, ops, nops, wait_flags, timeout))
		return -1;
	for (i = 0; i < nops; i++)
		w->slot->held[ops[i].num] -= ops[i].op;
	return 0;
}

static void role_pool(struct worker *w)
{
	struct ipclab_sembuf p = sembuf(0, -1, IPCLAB_SEMBUF_UNDO);
	struct ipclab_sembuf v = sembuf(0, 1, IPCLAB_SEMBUF_UNDO);

	for (;;) {
		if (stopping(w->st))
			park(w);
		if (worker_semop(w, &p, 1, 0, 0)) {
			if (errno == EINTR)
				continue;
			WORKER_FAIL(w);
		}
		hold(w, 2000);
		if (stopping(w->st))
			park(w);
		if (worker_semop(w, &v, 1, 0, 0))
			WORKER_FAIL(w);
	}
}

static void role_pair(struct worker *w)
{
	const struct ipclab_sembuf p[2] = {
		sembuf(1, -1, IPCLAB_SEMBUF_UNDO), sembuf(2, -2, IPCLAB_SEMBUF_UNDO),
	};
	const struct ipclab_sembuf v[2] = {
		sembuf(2, 2, IPCLAB_SEMBUF_UNDO), sembuf(1, 1, IPCLAB_SEMBUF_UNDO),
	};

	for (;;) {
		if (stopping(w->st))
			park(w);
		if (worker_semop(w, p, 2, IPCLAB_WAIT_TIMEOUT, 20 * NSEC_PER_MSEC)) {
			if (errno == EINTR || errno == ETIMEDOUT)
				continue;
			WORKER_FAIL(w);
		}
		hold(w, 2000);
		if (stopping(w->st))
			park(w);
		if (worker_semop(w, v, 2, 0, 0))
			WORKER_FAIL(w);
	}
}

static void role_mutex(struct worker *w)
{
	struct storm *st = w->st;
	struct ipclab_sembuf p = sembuf(3, -1, IPCLAB_SEMBUF_UNDO);
	struct ipclab_sembuf v = sembuf(3, 1, IPCLAB_SEMBUF_UNDO);
	__u32 n, j, flags;
	__u64 timeout;

	for (n = 0;; n++) {
		if (stopping(st))
			park(w);
		/*
		 * The last mutex refuses a wait that closes a cycle of
		 * processes.  A single-threaded worker waits for it holding
		 * nothing, so it closes none; a process whose other thread
		 * holds units of 0 could (the detector's nodes are
		 * processes), so that one leaves it alone.
		 */
		j = prng_below(&w->rng, w->nthreads == 1 ? STORM_NMUTEX :
					STORM_NMUTEX - 1);
		flags = n % 4 == 3 ? IPCLAB_WAIT_TIMEOUT : 0;
		timeout = flags ? 10 * NSEC_PER_MSEC : 0;
		if (mutex_lock_wait(st->fd, st->mutex[j], flags, timeout)) {
			if (errno == EINTR || errno == ETIMEDOUT)
				continue;
			if (errno == ENOTRECOVERABLE)
				__atomic_fetch_add(&st->sh->notrecoverable, 1,
						   __ATOMIC_RELAXED);
			if (errno != EOWNERDEAD)
				WORKER_FAIL(w);
			/* Ours, from an owner that died: repair, then go on. */
			w->slot->owned = j + 1;
			__atomic_fetch_add(&st->sh->ownerdead, 1, __ATOMIC_RELAXED);
			st->words[j] = 0;
			if (mutex_consistent(st->fd, st->mutex[j]))
				WORKER_FAIL(w);
		} else {
			w->slot->owned = j + 1;
			if (st->words[j] != 0) {
				st->sh->bad_lock_word = st->words[j];
				__atomic_fetch_add(&st->sh->bad_lock, 1,
						   __ATOMIC_RELAXED);
			}
		}
		st->words[j] = w->pid;
		/* A unit of semaphore 3 under the mutex: one of three waits. */
		while (worker_semop(w, &p, 1, 0, 0)) {
			if (errno != EINTR)
				WORKER_FAIL(w);
			if (stopping(st))
				park(w);
		}
		hold(w, 2000);
		if (stopping(st))
			park(w);
		if (worker_semop(w, &v, 1, 0, 0))
			WORKER_FAIL(w);
		st->words[j] = 0;
		if (mutex_unlock(st->fd, st->mutex[j]))
			WORKER_FAIL(w);
		w->slot->owned = 0;
	}
}

static unsigned char fill_byte(__u32 inc, __u32 seq, __u32 i)
{
	return (unsigned char)(inc * 31 + seq * 7 + i);
}

static __u32 msg_size(__u32 seq)
{
	return 16 + seq % (STORM_MSG_MAX - 16 + 1);
}

static __s64 msg_type(__u32 seq)
{
	return 1 + seq % STORM_NTYPES;
}

static void role_send(struct worker *w, int box, __u32 pause_us)
{
	struct storm *st = w->st;
	struct storm_msg m;
	__u32 seq = 0, i, flags;

	for (;;) {
		if (stopping(st))
			park(w);
		if (seq == STORM_MAX_SEQ) {
			usleep(1000);
			continue;
		}
		m.magic = STORM_MAGIC + box;
		m.inc = w->slot->inc;
		m.seq = seq;
		m.size = msg_size(seq);
		for (i = 0; i < m.size - 16; i++)
			m.fill[i] = fill_byte(m.inc, seq, i);
		flags = seq % 4 == 3 ? IPCLAB_WAIT_TIMEOUT : 0;
		if (msg_send(st->fd, st->box[box], msg_type(seq), &m, m.size,
			     flags, flags ? 5 * NSEC_PER_MSEC : 0)) {
			if (errno == EINTR || errno == ETIMEDOUT)
				continue;
			WORKER_FAIL(w);
		}
		w->inc->sent = ++seq;
		if (pause_us)
			hold(w, pause_us);
	}
}

/*
 * Check a received message and count it as seen.  "last" is the
 * receiver's own view of each (sender, type) stream, which must only go
 * forward.  Returns false if the message is malformed.
 */
static bool storm_account(struct storm *st, __s32 *last, int box, __s64 type,
			  const struct storm_msg *m, __u64 size)
{
	const struct storm_inc *inc;
	__s32 *l;
	__u32 i;

	if (size < 16 || m->magic != STORM_MAGIC + box ||
	    m->inc >= STORM_MAX_INC || m->seq >= STORM_MAX_SEQ ||
	    m->size != size || size != msg_size(m->seq) ||
	    type != msg_type(m->seq))
		goto bad;
	inc = &st->sh->inc[m->inc];
	if (inc->send_box != box)
		goto bad;
	for (i = 0; i < size - 16; i++)
		if (m->fill[i] != fill_byte(m->inc, m->seq, i))
			goto bad;
	l = &last[m->inc * STORM_NTYPES + type - 1];
	if ((__s32)m->seq <= *l)
		__atomic_fetch_add(&st->sh->bad_order, 1, __ATOMIC_RELAXED);
	*l = m->seq;
	__atomic_fetch_add(&st->seen[(size_t)m->inc * STORM_MAX_SEQ + m->seq],
			   1, __ATOMIC_RELAXED);
	return true;
bad:
	__atomic_fetch_add(&st->sh->bad_msg, 1, __ATOMIC_RELAXED);
	return false;
}

static void role_recv(struct worker *w, int box, __u32 pause_us)
{
	struct storm *st = w->st;
	struct storm_msg m;
	__u32 n, flags;
	__u64 size, timeout;
	__s64 type;

	for (n = 0;; n++) {
		if (stopping(st))
			park(w);
		flags = 0;
		timeout = 0;
		switch (n % 4) {
		case 0:		/* the oldest */
			type = 0;
			break;
		case 1:		/* the lowest type <= 3 */
			type = -STORM_NTYPES;
			break;
		case 2:		/* anything but a type nobody sends */
			type = 99;
			flags = IPCLAB_MSG_EXCEPT;
			break;
		default:	/* one type, for a while */
			type = 1 + prng_below(&w->rng, STORM_NTYPES);
			flags = IPCLAB_WAIT_TIMEOUT;
			timeout = 10 * NSEC_PER_MSEC;
			break;
		}
		size = sizeof(m);
		if (msg_recv(st->fd, st->box[box], &type, &m, &size, flags,
			     timeout)) {
			if (errno == EINTR || errno == ETIMEDOUT)
				continue;
			WORKER_FAIL(w);
		}
		storm_account(st, w->last, box, type, &m, size);
		__atomic_fetch_add(&st->sh->received[box], 1, __ATOMIC_RELAXED);
		if (pause_us)
			hold(w, pause_us);
	}
}

/* Only looks, and is killed while it looks (or polls). */
static void role_look(struct worker *w)
{
	struct storm *st = w->st;
	struct machine *m = malloc(sizeof(*m));
	struct ipclab_stat s;
	struct pollfd p;
	__u32 ids[16];
	int ofd;

	if (!m)
		_exit(CHILD_BROKEN);
	for (;;) {
		if (stopping(st))
			park(w);
		/* Not every time: a snapshot stops every other worker. */
		if (!prng_below(&w->rng, 4) && machine_snapshot(st->fd, m) &&
		    errno != EINTR)
			WORKER_FAIL(w);
		if (ipclab_stat(st->fd, st->sem, &s) ||
		    list_ids(st->fd, 0, ids, 16) < 0)
			WORKER_FAIL(w);
		if (objfd_open(st->fd, st->box[prng_below(&w->rng, STORM_NBOX)],
			       IPCLAB_OPEN_READ | IPCLAB_OPEN_CLOEXEC, &ofd))
			WORKER_FAIL(w);
		p.fd = ofd;
		p.events = POLLIN | POLLOUT;
		if (poll(&p, 1, prng_below(&w->rng, 5)) < 0 && errno != EINTR)
			WORKER_FAIL(w);
		close(ofd);
		hold(w, 3000);
	}
}

static void *pool_thread(void *arg)
{
	role_pool(arg);
	return NULL;
}

/*
 * A process of two threads: one takes units of semaphore 0, the other
 * mutexes and units of 3.  Killed, it ends while one thread may still be
 * inside a call: the process's end and its threads' waits cross.
 */
static void role_threads(struct worker *w)
{
	static struct worker w2;
	pthread_t t;

	w->nthreads = 2;
	w2 = *w;
	w2.rng.s ^= 0x5bd1e995;
	if (pthread_create(&t, NULL, pool_thread, &w2))
		_exit(CHILD_BROKEN);
	role_mutex(w);
}

static void __attribute__((noreturn)) worker_main(struct storm *st, int i)
{
	struct storm_slot *slot = &st->sh->slot[i];
	struct worker w = {
		.st = st, .slot = slot, .inc = &st->sh->inc[slot->inc],
		.pid = getpid(), .nthreads = 1,
	};
	struct sigaction sa;
	sigset_t mask;
	char name[16];
	size_t j;

	close(st->go[1]);
	w.rng.s = st->seed ^ ((__u64)slot->inc * 0x9e3779b97f4a7c15ULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;	/* no SA_RESTART: waits end in EINTR */
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL))
		_exit(CHILD_BROKEN);
	/* Blocked since the fork (a stop may come that early): take it now. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	if (sigprocmask(SIG_UNBLOCK, &mask, NULL))
		_exit(CHILD_BROKEN);
	snprintf(name, sizeof(name), "storm-%s", role_name[slot->role]);
	prctl(PR_SET_NAME, name, 0, 0, 0);

	switch (slot->role) {
	case ROLE_POOL:
		role_pool(&w);
		break;
	case ROLE_PAIR:
		role_pair(&w);
		break;
	case ROLE_MUTEX:
		role_mutex(&w);
		break;
	case ROLE_SEND:
		role_send(&w, BOX_FULL, 0);
		break;
	case ROLE_RECV:
	case ROLE_PUMP:
		if (w.inc->send_box >= 0)
			role_send(&w, w.inc->send_box, 3000);
		w.last = malloc(sizeof(*w.last) * STORM_MAX_INC * STORM_NTYPES);
		if (!w.last)
			_exit(CHILD_BROKEN);
		for (j = 0; j < STORM_MAX_INC * STORM_NTYPES; j++)
			w.last[j] = -1;
		role_recv(&w, w.inc->recv_box, slot->role == ROLE_PUMP ? 3000 : 0);
		break;
	case ROLE_LOOK:
		role_look(&w);
		break;
	case ROLE_THREADS:
		role_threads(&w);
		break;
	}
	_exit(CHILD_BROKEN);
}

/* Start a new incarnation in slot i; -1 when there are no more. */
static pid_t storm_spawn(struct storm *st, int i)
{
	struct storm_slot *slot = &st->sh->slot[i];
	int role = i % NROLES;
	struct storm_inc *inc;
	pid_t pid;

	if (st->ninc == STORM_MAX_INC)
		return -1;
	inc = &st->sh->inc[st->ninc];
	inc->slot = i;
	inc->role = role;
	inc->send_box = -1;
	inc->recv_box = -1;
	inc->killed = 0;
	inc->sent = 0;
	if (role == ROLE_SEND)
		inc->send_box = BOX_FULL;
	else if (role == ROLE_RECV)
		inc->recv_box = BOX_EMPTY;
	else if (role == ROLE_PUMP && (i / NROLES) % 2)
		inc->send_box = BOX_EMPTY;
	else if (role == ROLE_PUMP)
		inc->recv_box = BOX_FULL;

	memset(slot, 0, sizeof(*slot));
	slot->inc = st->ninc++;
	slot->role = role;
	pid = kids_fork(st->cl);
	if (pid == 0)
		worker_main(st, i);
	slot->pid = pid;
	return pid;
}

static bool storm_live(const struct storm *st, pid_t pid)
{
	int i;

	for (i = 0; pid > 0 && i < st->nproc; i++)
		if (st->sh->slot[i].pid == pid)
			return true;
	return false;
}

static int storm_nlive(const struct storm *st)
{
	int i, n = 0;

	for (i = 0; i < st->nproc; i++)
		n += st->sh->slot[i].pid > 0;
	return n;
}

/*
 * The worker of slot i was reaped: what it held went back (undo), and
 * each mailbox it used may have one message it did not record.  A slot
 * left empty counts as parked, holding nothing.
 */
static void storm_gone(struct storm *st, int i)
{
	struct storm_slot *slot = &st->sh->slot[i];
	struct storm_inc *inc = &st->sh->inc[slot->inc];

	inc->killed = 1;
	if (inc->send_box >= 0)
		st->box_kills[inc->send_box][0]++;
	if (inc->recv_box >= 0)
		st->box_kills[inc->recv_box][1]++;
	st->kills[slot->role]++;
	memset(slot->held, 0, sizeof(slot->held));
	slot->owned = 0;
	slot->pid = 0;
	slot->parked = 1;
}

/* Say what a worker that ended by itself said about it. */
static void storm_report_end(const struct storm *st, int i, int status)
{
	const struct storm_slot *slot = &st->sh->slot[i];

	fprintf(stderr, "# worker %d (%s, pid %d) ended by itself: status %d, line %d, errno %d (%s)\n",
		i, role_name[slot->role], slot->pid, status, slot->fail_line,
		slot->fail_errno, strerror(slot->fail_errno));
}

/*
 * Reap the workers that ended by themselves (none should) and start them
 * again.  Returns how many there were.
 */
static int storm_reap_strays(struct storm *st)
{
	int n = 0, status, i;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		kids_forget(st->cl, pid);
		for (i = 0; i < st->nproc; i++) {
			if (st->sh->slot[i].pid != pid)
				continue;
			storm_report_end(st, i, decode_status(status));
			storm_gone(st, i);
			if (!stopping(st))
				storm_spawn(st, i);
		}
		n++;
	}
	return n;
}

/* Up to want distinct slots with a live worker, at random, in victim[]. */
static int storm_pick(const struct storm *st, struct prng *rng, int *victim,
		      int want)
{
	int n = 0, tries, i, k;

	for (tries = 0; n < want && tries < 4 * want; tries++) {
		i = prng_below(rng, st->nproc);
		for (k = 0; k < n; k++)
			if (victim[k] == i)
				break;
		if (k == n && st->sh->slot[i].pid > 0)
			victim[n++] = i;
	}
	return n;
}

#define STORM_COMPLAIN(n, fmt, ...) do {				\
	if ((n)++ < 20)							\
		fprintf(stderr, "# %s: " fmt "\n", when, ##__VA_ARGS__); \
} while (0)

/*
 * Every waiting room, holder entry and owner of the storm's objects names
 * a process that was not reaped yet; the counters agree with each other.
 * Returns the number of violations (each said as a TAP comment).
 */
static int storm_check_objects(struct storm *st, const char *when)
{
	static struct snap s;
	__u32 ids[1 + STORM_NMUTEX + STORM_NBOX + 1];
	int bad = 0, n = 0, k;
	__u32 i;

	ids[n++] = st->sem;
	for (k = 0; k < STORM_NMUTEX; k++)
		ids[n++] = st->mutex[k];
	for (k = 0; k < STORM_NBOX; k++)
		ids[n++] = st->box[k];
	ids[n++] = st->shbuf;

	for (k = 0; k < n; k++) {
		if (ipclab_snap(st->fd, ids[k], &s)) {
			STORM_COMPLAIN(bad, "STAT of %u: %s", ids[k], strerror(errno));
			continue;
		}
		if (s.st.nwaiters != s.st.waiters_len || s.st.waiters_len > SNAP_WAITERS)
			STORM_COMPLAIN(bad, "object %u: %u waiters, %u listed",
				       ids[k], s.st.nwaiters, s.st.waiters_len);
		for (i = 0; i < s.st.waiters_len && i < SNAP_WAITERS; i++)
			if (!storm_live(st, s.waiters[i].pid))
				STORM_COMPLAIN(bad, "object %u: waiter %d (%.16s) is gone",
					       ids[k], s.waiters[i].pid,
					       s.waiters[i].comm);
		for (i = 0; i < s.st.holders_len && i < SNAP_HOLDERS; i++) {
			const struct ipclab_holder *h = &s.holders[i];

			if (!storm_live(st, h->pid))
				STORM_COMPLAIN(bad, "object %u: holder %d (%.16s) is gone",
					       ids[k], h->pid, h->comm);
			if (s.st.type == IPCLAB_TYPE_SEM &&
			    (h->held < 0 || h->held != h->undo))
				STORM_COMPLAIN(bad, "semaphore %u: holder %d holds %d, undo %d",
					       h->num, h->pid, h->held, h->undo);
		}
		switch (s.st.type) {
		case IPCLAB_TYPE_MUTEX:
			if (s.st.mutex.pid && !storm_live(st, s.st.mutex.pid))
				STORM_COMPLAIN(bad, "mutex %u: owner %d is gone",
					       ids[k], s.st.mutex.pid);
			if (s.st.mutex.state == IPCLAB_MUTEX_NOTRECOVERABLE)
				STORM_COMPLAIN(bad, "mutex %u: not recoverable", ids[k]);
			break;
		case IPCLAB_TYPE_MBOX:
			if (s.st.mbox.msgs > STORM_BOX_MSGS ||
			    s.st.mbox.msgs != s.st.mbox.sent - s.st.mbox.received)
				STORM_COMPLAIN(bad, "mailbox %u: %u queued, %llu sent, %llu received",
					       ids[k], s.st.mbox.msgs,
					       (unsigned long long)s.st.mbox.sent,
					       (unsigned long long)s.st.mbox.received);
			break;
		case IPCLAB_TYPE_SHBUF:
			/* The test's mapping, and each worker's inherited one. */
			if (s.st.shbuf.nattch != 1 + (__u32)storm_nlive(st))
				STORM_COMPLAIN(bad, "shared buffer: nattch %u, want %d",
					       s.st.shbuf.nattch, 1 + storm_nlive(st));
			break;
		}
	}
	return bad;
}

/* Is (id, num) one of the storm's resources?  Its initial total, or -1. */
static int storm_res_total(const struct storm *st, const struct ipclab_snap_res *r)
{
	int k;

	if (r->type == IPCLAB_TYPE_SEM && r->id == st->sem && r->num < STORM_NSEMS)
		return storm_init[r->num];
	for (k = 0; k < STORM_NMUTEX; k++)
		if (r->type == IPCLAB_TYPE_MUTEX && r->id == st->mutex[k])
			return 1;
	return -1;
}

/*
 * The machine's snapshot: every process with an edge to the storm's
 * resources is live, and each semaphore's total (value plus what
 * processes hold) is its initial value.  With gone, no process may hold
 * or wait for any of them.
 */
static int storm_check_snapshot(struct storm *st, struct machine *m,
				const char *when, bool gone)
{
	int bad = 0, total;
	__u32 i;

	if (machine_snapshot(st->fd, m)) {
		STORM_COMPLAIN(bad, "SNAPSHOT: %s", strerror(errno));
		return bad;
	}
	if (m->s.res_len > MACHINE_ROOM || m->s.procs_len > MACHINE_ROOM ||
	    m->s.edges_len > MACHINE_ROOM) {
		STORM_COMPLAIN(bad, "SNAPSHOT: more than %d entries", MACHINE_ROOM);
		return bad;
	}
	for (i = 0; i < m->s.res_len; i++) {
		total = storm_res_total(st, &m->res[i]);
		if (total < 0)
			continue;
		if (m->res[i].total != total)
			STORM_COMPLAIN(bad, "SNAPSHOT: resource %u/%u: total %d, want %d",
				       m->res[i].id, m->res[i].num,
				       m->res[i].total, total);
		if (gone && m->res[i].avail != total)
			STORM_COMPLAIN(bad, "SNAPSHOT: resource %u/%u: %d available, want %d",
				       m->res[i].id, m->res[i].num,
				       m->res[i].avail, total);
	}
	for (i = 0; i < m->s.edges_len; i++) {
		const struct ipclab_snap_edge *e = &m->edges[i];
		pid_t pid;

		if (e->res >= m->s.res_len || e->proc >= m->s.procs_len) {
			STORM_COMPLAIN(bad, "SNAPSHOT: edge %u out of range", i);
			continue;
		}
		if (storm_res_total(st, &m->res[e->res]) < 0)
			continue;
		pid = m->procs[e->proc].pid;
		if (gone || !storm_live(st, pid))
			STORM_COMPLAIN(bad, "SNAPSHOT: %s edge of %d (%.16s) to %u/%u",
				       e->kind == IPCLAB_EDGE_HOLD ? "hold" : "wait",
				       pid, m->procs[e->proc].comm,
				       m->res[e->res].id, m->res[e->res].num);
	}
	return bad;
}

/*
 * A mailbox's accounts.  The kernel's counters against ours: a killed
 * sender may have sent one message it did not record, a killed receiver
 * taken one it did not record; nothing is seen twice, nothing is seen
 * that its sender did not (or could not) send.
 */
static int storm_check_box(struct storm *st, int box, const char *when)
{
	unsigned long long rec_sent = 0, seen = 0, dup = 0, invented = 0;
	unsigned long long skills = st->box_kills[box][0];
	unsigned long long rkills = st->box_kills[box][1];
	struct ipclab_stat sb;
	int bad = 0;
	__u32 i, q, limit;

	if (ipclab_stat(st->fd, st->box[box], &sb)) {
		STORM_COMPLAIN(bad, "STAT of mailbox %d: %s", box, strerror(errno));
		return bad;
	}
	for (i = 0; i < st->ninc; i++) {
		const struct storm_inc *inc = &st->sh->inc[i];
		const unsigned char *row = st->seen + (size_t)i * STORM_MAX_SEQ;

		if (inc->send_box != box)
			continue;
		rec_sent += inc->sent;
		limit = inc->sent + (inc->killed ? 1 : 0);
		for (q = 0; q < STORM_MAX_SEQ; q++) {
			if (!row[q])
				continue;
			seen += row[q];
			if (row[q] > 1)
				dup++;
			if (q >= limit)
				invented++;
		}
	}
	if (sb.mbox.msgs != sb.mbox.sent - sb.mbox.received)
		STORM_COMPLAIN(bad, "mailbox %d: %u queued, %llu sent, %llu received",
			       box, sb.mbox.msgs, (unsigned long long)sb.mbox.sent,
			       (unsigned long long)sb.mbox.received);
	if (sb.mbox.sent < rec_sent || sb.mbox.sent > rec_sent + skills)
		STORM_COMPLAIN(bad, "mailbox %d: kernel sent %llu, senders recorded %llu, %llu of them killed",
			       box, (unsigned long long)sb.mbox.sent, rec_sent, skills);
	if (seen > sb.mbox.received || sb.mbox.received - seen > rkills)
		STORM_COMPLAIN(bad, "mailbox %d: kernel received %llu, receivers saw %llu, %llu of them killed",
			       box, (unsigned long long)sb.mbox.received, seen, rkills);
	if (dup)
		STORM_COMPLAIN(bad, "mailbox %d: %llu messages received twice", box, dup);
	if (invented)
		STORM_COMPLAIN(bad, "mailbox %d: %llu messages never sent were received",
			       box, invented);
	fprintf(stderr, "# %s: mailbox %d: %llu sent, %llu received, %u queued, %llu unaccounted (%llu sender and %llu receiver kills)\n",
		when, box, (unsigned long long)sb.mbox.sent,
		(unsigned long long)sb.mbox.received, sb.mbox.msgs,
		(unsigned long long)(sb.mbox.received - seen), skills, rkills);
	return bad;
}

/*
 * The survivors are parked: the values, the holder entries and the mutex
 * owners are exactly what they recorded.
 */
static int storm_check_parked(struct storm *st, const char *when)
{
	static struct snap s;
	__s32 want[STORM_NSEMS], got[STORM_NSEMS];
	const struct ipclab_holder *h;
	int bad = 0, i, k;
	__u32 n;

	memcpy(want, storm_init, sizeof(want));
	for (i = 0; i < st->nproc; i++)
		for (k = 0; k < STORM_NSEMS; k++)
			want[k] -= st->sh->slot[i].held[k];
	if (sem_getall(st->fd, st->sem, got, STORM_NSEMS))
		STORM_COMPLAIN(bad, "GETALL: %s", strerror(errno));
	else
		for (k = 0; k < STORM_NSEMS; k++)
			if (got[k] != want[k])
				STORM_COMPLAIN(bad, "semaphore %d is %d, want %d (initial %d minus the survivors' holdings)",
					       k, got[k], want[k], storm_init[k]);

	if (ipclab_snap(st->fd, st->sem, &s)) {
		STORM_COMPLAIN(bad, "STAT: %s", strerror(errno));
		return bad;
	}
	if (s.st.nwaiters)
		STORM_COMPLAIN(bad, "semaphore set: %u waiters", s.st.nwaiters);
	for (n = 0; n < s.st.holders_len && n < SNAP_HOLDERS; n++) {
		h = &s.holders[n];
		for (i = 0; i < st->nproc; i++)
			if (st->sh->slot[i].pid == h->pid)
				break;
		if (i == st->nproc || h->num >= STORM_NSEMS) {
			STORM_COMPLAIN(bad, "holder %d of %u is no survivor", h->pid, h->num);
			continue;
		}
		if (h->held != st->sh->slot[i].held[h->num] || h->undo != h->held)
			STORM_COMPLAIN(bad, "worker %d (%d) of semaphore %u: kernel says held %d undo %d, it says %d",
				       i, h->pid, h->num, h->held, h->undo,
				       st->sh->slot[i].held[h->num]);
	}
	for (i = 0; i < st->nproc; i++)
		for (k = 0; k < STORM_NSEMS; k++)
			if (st->sh->slot[i].held[k] &&
			    !snap_holder(&s, st->sh->slot[i].pid, k))
				STORM_COMPLAIN(bad, "worker %d (%d) holds %d of semaphore %d: no holder entry",
					       i, st->sh->slot[i].pid,
					       st->sh->slot[i].held[k], k);

	for (k = 0; k < STORM_NMUTEX; k++) {
		pid_t owner = 0;

		for (i = 0; i < st->nproc; i++)
			if (st->sh->slot[i].owned == k + 1)
				owner = st->sh->slot[i].pid;
		if (ipclab_snap(st->fd, st->mutex[k], &s)) {
			STORM_COMPLAIN(bad, "STAT: %s", strerror(errno));
			continue;
		}
		if (s.st.nwaiters)
			STORM_COMPLAIN(bad, "mutex %d: %u waiters", k, s.st.nwaiters);
		if (owner && (s.st.mutex.state != IPCLAB_MUTEX_LOCKED ||
			      s.st.mutex.pid != owner || st->words[k] != owner))
			STORM_COMPLAIN(bad, "mutex %d: state %u owner %d word %d, want locked by %d",
				       k, s.st.mutex.state, s.st.mutex.pid,
				       st->words[k], owner);
		if (!owner && (s.st.mutex.pid ||
			       (s.st.mutex.state != IPCLAB_MUTEX_UNLOCKED &&
				s.st.mutex.state != IPCLAB_MUTEX_OWNERDEAD) ||
			       (s.st.mutex.state == IPCLAB_MUTEX_UNLOCKED && st->words[k])))
			STORM_COMPLAIN(bad, "mutex %d: state %u owner %d word %d, and no survivor owns it",
				       k, s.st.mutex.state, s.st.mutex.pid, st->words[k]);
	}
	for (k = 0; k < STORM_NBOX; k++)
		bad += storm_check_box(st, k, when);
	return bad;
}

/*
 * Drain a mailbox (everyone is gone): each message is valid and seen for
 * the first time.  Returns the number drained, or -1.
 */
static long storm_drain(struct storm *st, int box, __s32 *last)
{
	struct storm_msg m;
	__u64 size;
	__s64 type;
	long n = 0;

	for (;;) {
		type = 0;
		size = sizeof(m);
		if (msg_recv(st->fd, st->box[box], &type, &m, &size,
			     IPCLAB_WAIT_NOWAIT, 0))
			return errno == EAGAIN ? n : -1;
		storm_account(st, last, box, type, &m, size);
		n++;
	}
}

/* The storm's objects, initialised; the test's mapping of the buffer. */
static void storm_prepare(struct __test_metadata *_metadata,
			FIXTURE_DATA(storm) *self, struct storm *st)
{
	int k;

	memset(st, 0, sizeof(*st));
	st->fd = self->fd;
	st->cl = &self->cl;
	st->nproc = env_long("IPCLAB_STORM_PROCS", 24);
	if (st->nproc > STORM_MAX_PROCS)
		st->nproc = STORM_MAX_PROCS;
	if (st->nproc < NROLES)
		st->nproc = NROLES;

	ASSERT_OK(sem_create(self->fd, STORM_NSEMS, &st->sem));
	cl_track(&self->cl, st->sem);
	ASSERT_OK(sem_setall(self->fd, st->sem, storm_init, STORM_NSEMS));
	/* The last one refuses deadlocks: every wait on it is checked first. */
	for (k = 0; k < STORM_NMUTEX; k++) {
		ASSERT_OK(ipclab_get(self->fd, IPCLAB_TYPE_MUTEX, IPCLAB_KEY_PRIVATE,
				     IPCLAB_CREAT | (k == STORM_NMUTEX - 1 ?
						     IPCLAB_REFUSE_DEADLOCK : 0),
				     0600, 0, &st->mutex[k]));
		cl_track(&self->cl, st->mutex[k]);
	}
	for (k = 0; k < STORM_NBOX; k++) {
		ASSERT_OK(mbox_create(self->fd, STORM_BOX_MSGS, STORM_MSG_MAX,
				      STORM_BOX_MSGS * STORM_MSG_MAX, &st->box[k]));
		cl_track(&self->cl, st->box[k]);
	}
	ASSERT_OK(shbuf_create(self->fd, 4096, &st->shbuf));
	cl_track(&self->cl, st->shbuf);
	st->words = shbuf_map(self->fd, st->shbuf, 4096);
	ASSERT_NE(NULL, st->words) TH_LOG("mapping the buffer: %s", strerror(errno));

	st->sh = mmap(NULL, sizeof(*st->sh), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, st->sh);
	memset(st->sh, 0, sizeof(*st->sh));
	st->seen_size = (size_t)STORM_MAX_INC * STORM_MAX_SEQ;
	st->seen = mmap(NULL, st->seen_size, PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	ASSERT_NE(MAP_FAILED, st->seen);
	ASSERT_OK(pipe2(st->go, O_CLOEXEC));
}

TEST_F_TIMEOUT(storm, kill_storm, 900)
{
	const long seconds = env_long("IPCLAB_STORM_SECONDS", 3);
	const long min_kills = env_long("IPCLAB_STORM_KILLS", 100);
	struct ipclab_info before, after;
	struct machine *m = malloc(sizeof(*m));
	__u64 seed = prng_seed_env(), t0, t_end, t_max, next_snap;
	struct storm st;
	struct prng rng = { seed };
	static struct snap s;
	__u32 ids[64];
	bool have_info;
	long kills = 0, rounds = 0, snaps = 0, strays = 0, drained;
	int bad = 0, i, k, n, ret, status, nvictims, victim[4];
	bool out = false;
	sigset_t mask;
	__s32 *last;

	ASSERT_NE(NULL, m);
	/* The usage before anything: the first call on the session. */
	ret = ipclab_info(self->fd, &before);
	have_info = ret == 0;
	if (ret) {
		ASSERT_EQ(ENOTTY, errno) TH_LOG("IPCLAB_IOC_INFO: %s", strerror(errno));
		TH_LOG("IPCLAB_IOC_INFO: not in this module (ENOTTY): the usage check is not possible");
	}
	storm_prepare(_metadata, self, &st);
	TH_LOG("seed %#llx (IPCLAB_SEED repeats it), %d workers (IPCLAB_STORM_PROCS), %ld s (IPCLAB_STORM_SECONDS) and %ld kills (IPCLAB_STORM_KILLS)",
	       (unsigned long long)seed, st.nproc, seconds, min_kills);
	/* Workers seed their own generators from this and their incarnation. */
	st.seed = seed;

	/*
	 * The stop signal is blocked here, and so in each worker until it
	 * has its handler: one that comes right after a fork must not kill.
	 */
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	ASSERT_OK(sigprocmask(SIG_BLOCK, &mask, NULL));
	for (i = 0; i < st.nproc; i++)
		ASSERT_LT(0, storm_spawn(&st, i));
	/* Let every kind of wait fill up before the first kill. */
	usleep(200 * 1000);

	t0 = mono_ns();
	t_end = t0 + seconds * NSEC_PER_SEC;
	t_max = t0 + 10 * seconds * NSEC_PER_SEC;
	next_snap = 0;
	while (!out && (mono_ns() < t_end || (kills < min_kills && mono_ns() < t_max))) {
		usleep(prng_below(&rng, 10000));
		strays += storm_reap_strays(&st);
		/* One to four at once: deaths that overlap, handoffs to the dying. */
		nvictims = storm_pick(&st, &rng, victim, 1 + prng_below(&rng, 4));
		for (k = 0; k < nvictims; k++)
			kill(st.sh->slot[victim[k]].pid, SIGKILL);
		for (k = 0; k < nvictims; k++) {
			i = victim[k];
			status = kids_wait(&self->cl, st.sh->slot[i].pid, IPCLAB_SETTLE_MS);
			if (status != KID_SIGNALED(SIGKILL)) {
				storm_report_end(&st, i, status);
				strays++;
			}
			storm_gone(&st, i);
			kills++;
		}
		for (k = 0; k < nvictims && !out; k++) {
			if (storm_spawn(&st, victim[k]) < 0) {
				TH_LOG("%d incarnations: the storm ends early", STORM_MAX_INC);
				out = true;
			}
		}
		bad += storm_check_objects(&st, "after a kill");
		if (mono_ns() > next_snap) {
			/* Not too often: a snapshot waits for its turn (stop_percent). */
			bad += storm_check_snapshot(&st, m, "storm", false);
			snaps++;
			next_snap = mono_ns() + 500 * NSEC_PER_MSEC;
		}
		rounds++;
	}
	EXPECT_EQ(0, bad) TH_LOG("invariants broken during the storm");
	EXPECT_EQ(0, strays) TH_LOG("workers that ended by themselves");
	TH_LOG("%.1f s: %ld kills in %ld rounds (pool %ld, pair %ld, mutex %ld, send %ld, recv %ld, pump %ld, look %ld, threads %ld), %u incarnations, %ld snapshots",
	       (mono_ns() - t0) / 1e9, kills, rounds, st.kills[ROLE_POOL], st.kills[ROLE_PAIR], st.kills[ROLE_MUTEX],
	       st.kills[ROLE_SEND], st.kills[ROLE_RECV], st.kills[ROLE_PUMP],
	       st.kills[ROLE_LOOK], st.kills[ROLE_THREADS], st.ninc, snaps);

	/* Stop: every wait ends with EINTR; each worker parks as it is. */
	__atomic_store_n(&st.sh->stop, 1, __ATOMIC_RELEASE);
	t_end = mono_ns() + 20 * NSEC_PER_SEC;
	for (;;) {
		int waiting = 0;

		for (i = 0; i < st.nproc; i++) {
			if (__atomic_load_n(&st.sh->slot[i].parked, __ATOMIC_ACQUIRE))
				continue;
			waiting++;
			if (st.sh->slot[i].pid)
				kill(st.sh->slot[i].pid, SIGUSR1);
		}
		if (!waiting || mono_ns() > t_end)
			break;
		usleep(20 * 1000);
		strays += storm_reap_strays(&st);
	}
	for (i = 0; i < st.nproc; i++)
		EXPECT_TRUE(st.sh->slot[i].parked)
			TH_LOG("worker %d (%s) did not stop: stuck in a wait?",
			       i, role_name[st.sh->slot[i].role]);
	bad = storm_check_objects(&st, "parked");
	bad += storm_check_parked(&st, "parked");
	bad += storm_check_snapshot(&st, m, "parked", false);
	EXPECT_EQ(0, bad) TH_LOG("the survivors' accounts do not match the kernel's");

	/* The survivors exit, holding what they hold. */
	close(st.go[1]);
	for (i = 0; i < st.nproc; i++) {
		if (st.sh->slot[i].pid <= 0)
			continue;
		EXPECT_EQ(0, kids_wait(&self->cl, st.sh->slot[i].pid, IPCLAB_SETTLE_MS))
			TH_LOG("survivor %d (%s)", i, role_name[st.sh->slot[i].role]);
		st.sh->slot[i].pid = 0;
	}
	EXPECT_EQ(0, strays + storm_reap_strays(&st));
	st.nproc = 0;	/* nobody is live: no waiter, holder or owner may be left */

	/* All gone: back to the initial state. */
	check_sem_values(self->fd, st.sem, 1, 2, 3, 2);
	bad = 0;
	ASSERT_OK(ipclab_snap(self->fd, st.sem, &s));
	EXPECT_EQ(0, s.st.nwaiters);
	EXPECT_EQ(0, s.st.holders_len) TH_LOG("holder entries of processes that are gone");
	for (k = 0; k < STORM_NMUTEX; k++) {
		ASSERT_OK(ipclab_snap(self->fd, st.mutex[k], &s));
		EXPECT_EQ(0, s.st.nwaiters);
		EXPECT_EQ(0, s.st.mutex.pid);
		EXPECT_EQ(0, s.st.holders_len);
		if (s.st.mutex.state == IPCLAB_MUTEX_UNLOCKED) {
			EXPECT_EQ(0, st.words[k]) TH_LOG("mutex %d", k);
		} else {
			EXPECT_EQ(IPCLAB_MUTEX_OWNERDEAD, s.st.mutex.state);
		}
		/* Recoverable: 0 or EOWNERDEAD, then it works as new. */
		ret = call_errno(mutex_lock_wait(self->fd, st.mutex[k],
						 IPCLAB_WAIT_TIMEOUT,
						 IPCLAB_SETTLE_MS * NSEC_PER_MSEC));
		EXPECT_EQ(s.st.mutex.state == IPCLAB_MUTEX_UNLOCKED ? 0 : EOWNERDEAD, ret)
			TH_LOG("locking mutex %d after the storm", k);
		if (ret == EOWNERDEAD) {
			st.words[k] = 0;
			EXPECT_OK(mutex_consistent(self->fd, st.mutex[k]));
		}
		if (ret == 0 || ret == EOWNERDEAD)
			EXPECT_OK(mutex_unlock(self->fd, st.mutex[k]));
		EXPECT_OK(mutex_trylock(self->fd, st.mutex[k]));
		EXPECT_OK(mutex_unlock(self->fd, st.mutex[k]));
		check_mutex_state(self->fd, st.mutex[k], IPCLAB_MUTEX_UNLOCKED, 0, 0);
	}
	for (k = 0; k < STORM_NBOX; k++) {
		ASSERT_OK(ipclab_snap(self->fd, st.box[k], &s));
		EXPECT_EQ(0, s.st.nwaiters);
	}
	ASSERT_OK(ipclab_snap(self->fd, st.shbuf, &s));
	EXPECT_EQ(1, s.st.shbuf.nattch) TH_LOG("mappings of processes that are gone");
	bad += storm_check_snapshot(&st, m, "all gone", true);
	last = malloc(sizeof(*last) * STORM_MAX_INC * STORM_NTYPES);
	ASSERT_NE(NULL, last);
	for (k = 0; k < STORM_NBOX; k++) {
		for (i = 0; i < STORM_MAX_INC * STORM_NTYPES; i++)
			last[i] = -1;
		drained = storm_drain(&st, k, last);
		EXPECT_LE(0, drained) TH_LOG("draining mailbox %d: %s", k, strerror(errno));
		bad += storm_check_box(&st, k, "drained");
	}
	free(last);
	EXPECT_EQ(0, st.sh->bad_msg) TH_LOG("malformed or misdelivered messages");
	EXPECT_EQ(0, st.sh->bad_order) TH_LOG("a (sender, type) stream went backwards");
	EXPECT_EQ(0, st.sh->bad_lock)
		TH_LOG("a lock returned 0 while the word named %ld: two owners, or a lost EOWNERDEAD",
		       st.sh->bad_lock_word);
	EXPECT_EQ(0, st.sh->notrecoverable);
	EXPECT_EQ(0, bad) TH_LOG("invariants broken once all were gone");
	TH_LOG("workers saw EOWNERDEAD %ld times; received %ld from the full mailbox, %ld from the empty one",
	       st.sh->ownerdead, st.sh->received[BOX_FULL], st.sh->received[BOX_EMPTY]);

	/* Nothing leaks: the objects go, and so does what they used. */
	ret = munmap((void *)st.words, 4096);
	EXPECT_EQ(0, ret);
	ASSERT_OK(ipclab_stat(self->fd, st.shbuf, &s.st));
	EXPECT_EQ(0, s.st.shbuf.nattch);
	n = list_ids(self->fd, 0, ids, 64);
	ASSERT_LE(0, n);
	EXPECT_OK(ipclab_rmid(self->fd, st.sem));
	for (k = 0; k < STORM_NMUTEX; k++)
		EXPECT_OK(ipclab_rmid(self->fd, st.mutex[k]));
	for (k = 0; k < STORM_NBOX; k++)
		EXPECT_OK(ipclab_rmid(self->fd, st.box[k]));
	EXPECT_OK(ipclab_rmid(self->fd, st.shbuf));
	/* Gone: from the ids and from the list. */
	EXPECT_ERRNO(EINVAL, ipclab_stat(self->fd, st.sem, &s.st));
	EXPECT_ERRNO(EINVAL, ipclab_stat(self->fd, st.shbuf, &s.st));
	EXPECT_EQ(n - 7, list_ids(self->fd, 0, ids, 64));
	/* End the test process's own record too, then look with a new session. */
	close(self->fd);
	self->fd = open(IPCLAB_DEVICE, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd);
	if (have_info) {
		ASSERT_OK(ipclab_info(self->fd, &after));
		EXPECT_EQ(0, usage_diff("machine", &before.total, &after.total));
		EXPECT_EQ(0, usage_diff("user", &before.user, &after.user));
	} else {
		TH_LOG("IPCLAB_IOC_INFO: not in this module: usage after the storm not checked");
	}
	munmap(st.sh, sizeof(*st.sh));
	munmap(st.seen, st.seen_size);
	free(m);
}

/* ------------------------------------------------------------------ */
/* Every kind of waiter at once, killed together                      */
/* ------------------------------------------------------------------ */

/*
 * One process of each kind: a holder of a semaphore unit (with undo), of
 * a mutex and of a mapping; behind it, waiters in P (alone, and in a list
 * of two), in a wait for zero, in a lock, in a send to a full mailbox and
 * in two receives from an empty one.  All are SIGKILLed, the holder first
 * (its end hands what it held to the first waiters, which then die
 * holding it) or last; either way nothing of theirs may be left.
 */
FIXTURE(all_kinds) {
	int fd;
	struct ipclab_cleanup cl;
};

FIXTURE_VARIANT(all_kinds) {
	bool holder_first;
};

FIXTURE_VARIANT_ADD(all_kinds, holder_first) {
	.holder_first = true,
};

FIXTURE_VARIANT_ADD(all_kinds, holder_last) {
	.holder_first = false,
};

FIXTURE_SETUP(all_kinds)
{
	memset(&self->cl, 0, sizeof(self->cl));
	IPCLAB_OPEN_OR_SKIP(self->fd);
}

FIXTURE_TEARDOWN_PARENT(all_kinds)
{
	ipclab_cleanup(&self->cl);
}

enum { K_HOLDER, K_P, K_P2, K_ZERO, K_LOCK, K_SEND, K_RECV, K_RECV5, NKINDS };

TEST_F(all_kinds, killed_together)
{
	__u32 set, mtx, full, empty, buf;
	const struct ipclab_sembuf p2[2] = {
		sembuf(0, -1, IPCLAB_SEMBUF_UNDO), sembuf(1, -1, IPCLAB_SEMBUF_UNDO),
	};
	struct ipclab_sembuf zero = sembuf(1, 0, 0);
	struct rendezvous rv;
	char text[8] = "full";
	static struct snap s;
	static const int room_n[NKINDS] = {
		[K_P] = 1, [K_P2] = 2, [K_ZERO] = 3, [K_LOCK] = 1, [K_SEND] = 1,
		[K_RECV] = 1, [K_RECV5] = 2,
	};
	__u32 room_id[NKINDS];
	pid_t kid[NKINDS];
	__u64 size;
	__s64 type;
	int k, first;

	ASSERT_OK(sem_create(self->fd, 2, &set));
	cl_track(&self->cl, set);
	ASSERT_OK(mutex_create(self->fd, &mtx));
	cl_track(&self->cl, mtx);
	ASSERT_OK(mbox_create(self->fd, 1, 64, 64, &full));
	cl_track(&self->cl, full);
	ASSERT_OK(mbox_create(self->fd, 1, 64, 64, &empty));
	cl_track(&self->cl, empty);
	ASSERT_OK(shbuf_create(self->fd, 4096, &buf));
	cl_track(&self->cl, buf);
	check_sem_values(self->fd, set, 0, 0);
	ASSERT_OK(sem_setval(self->fd, set, 0, 1));
	ASSERT_OK(sem_setval(self->fd, set, 1, 1));
	ASSERT_OK(msg_send(self->fd, full, 1, text, sizeof(text), 0, 0));

	/* The holder: a unit of 0 with undo, the mutex, a mapping. */
	ASSERT_OK(rv_open(&rv));
	kid[K_HOLDER] = kids_fork(&self->cl);
	ASSERT_LE(0, kid[K_HOLDER]);
	if (kid[K_HOLDER] == 0) {
		rv_child(&rv);
		CHILD_CHECK(sem_op1(self->fd, set, 0, -1, IPCLAB_SEMBUF_UNDO), 0);
		CHILD_CHECK(mutex_lock(self->fd, mtx), 0);
		if (!shbuf_map(self->fd, buf, 4096))
			_exit(CHILD_BROKEN);
		put_byte(rv.ready[1], 'r');
		get_byte(rv.go[0], 60 * 1000);
		_exit(0);
	}
	rv_parent(&rv);
	ASSERT_EQ('r', get_byte(rv.ready[0], IPCLAB_SETTLE_MS));

	/* Where each kind waits, and how many wait there once it does. */
	for (k = K_P; k <= K_ZERO; k++)
		room_id[k] = set;
	room_id[K_LOCK] = mtx;
	room_id[K_SEND] = full;
	room_id[K_RECV] = empty;
	room_id[K_RECV5] = empty;
	for (k = K_P; k < NKINDS; k++) {
		kid[k] = kids_fork(&self->cl);
		ASSERT_LE(0, kid[k]);
		if (kid[k] == 0) {
			size = sizeof(text);
			type = k == K_RECV5 ? 5 : 0;
			switch (k) {
			case K_P:
				CHILD_CHECK(sem_op1(self->fd, set, 0, -1, IPCLAB_SEMBUF_UNDO), 0);
				break;
			case K_P2:
				CHILD_CHECK(sem_ops(self->fd, set, p2, 2, 0, 0), 0);
				break;
			case K_ZERO:
				CHILD_CHECK(sem_ops(self->fd, set, &zero, 1, 0, 0), 0);
				break;
			case K_LOCK:
				/* Gets it from the dead holder: EOWNERDEAD. */
				CHILD_CHECK(mutex_lock(self->fd, mtx), EOWNERDEAD);
				break;
			case K_SEND:
				CHILD_CHECK(msg_send(self->fd, full, 2, text,
						     sizeof(text), 0, 0), 0);
				break;
			default:
				CHILD_CHECK(msg_recv(self->fd, empty, &type, text,
						     &size, 0, 0), 0);
				break;
			}
			/* Whatever it got, it dies holding it. */
			pause();
			_exit(0);
		}
		/* Queued where it should be before the next one starts. */
		ASSERT_TRUE(wait_for_waiters(self->fd, room_id[k], room_n[k]))
			TH_LOG("kind %d", k);
	}
	ASSERT_OK(ipclab_snap(self->fd, buf, &s));
	EXPECT_EQ(1, s.st.shbuf.nattch);

	/* All at once, the holder first or last. */
	first = variant->holder_first ? 0 : 1;
	for (k = first; k < NKINDS; k++)
		kill(kid[k], SIGKILL);
	if (!variant->holder_first)
		kill(kid[K_HOLDER], SIGKILL);
	for (k = 0; k < NKINDS; k++)
		EXPECT_KID(KID_SIGNALED(SIGKILL), kid[k], IPCLAB_SETTLE_MS)
			TH_LOG("kind %d", k);
	rv_close(&rv);

	check_sem_values(self->fd, set, 1, 1);
	ASSERT_OK(ipclab_snap(self->fd, set, &s));
	EXPECT_EQ(0, s.st.nwaiters);
	EXPECT_EQ(0, s.st.holders_len);
	check_mutex_state(self->fd, mtx, IPCLAB_MUTEX_OWNERDEAD, 0, 0);
	EXPECT_ERRNO(EOWNERDEAD, mutex_lock(self->fd, mtx));
	EXPECT_OK(mutex_consistent(self->fd, mtx));
	EXPECT_OK(mutex_unlock(self->fd, mtx));
	check_mutex_state(self->fd, mtx, IPCLAB_MUTEX_UNLOCKED, 0, 0);
	/* The blocked sender's message was never sent; the first one stays. */
	ASSERT_OK(ipclab_snap(self->fd, full, &s));
	EXPECT_EQ(0, s.st.nwaiters);
	EXPECT_EQ(1, s.st.mbox.msgs);
	EXPECT_EQ(1, s.st.mbox.sent);
	EXPECT_EQ(0, s.st.mbox.received);
	ASSERT_OK(ipclab_snap(self->fd, empty, &s));
	EXPECT_EQ(0, s.st.nwaiters);
	EXPECT_EQ(0, s.st.mbox.msgs);
	ASSERT_OK(ipclab_snap(self->fd, buf, &s));
	EXPECT_EQ(0, s.st.shbuf.nattch);
	/* And everything works as before. */
	EXPECT_OK(sem_ops(self->fd, set, p2, 2, IPCLAB_WAIT_NOWAIT, 0));
	check_sem_values(self->fd, set, 0, 0);
	size = sizeof(text);
	type = 0;
	EXPECT_OK(msg_recv(self->fd, full, &type, text, &size, IPCLAB_WAIT_NOWAIT, 0));
	EXPECT_EQ(1, type);
	EXPECT_STREQ("full", text);
}

TEST_HARNESS_MAIN
