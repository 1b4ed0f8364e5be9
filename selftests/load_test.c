// SPDX-License-Identifier: GPL-2.0
/*
 * Load: many processes use every primitive at once, and the result is
 * checked exactly.
 *
 * IPCLAB_LOAD_PROCS processes (64) each do IPCLAB_LOAD_ITERS operations
 * (by default IPCLAB_STRESS_ITERS, by default 100000), chosen at random
 * (seeded: IPCLAB_SEED repeats a run) among:
 *
 *  - a P/V pair on semaphore 0 (a binary semaphore) around a non-atomic
 *    increment of a counter in shared memory: no update may be lost;
 *  - a P/V pair on one of the pools 1..3, waiting as long as it takes or
 *    with a timeout, with or without IPCLAB_SEMBUF_UNDO: each comes back to
 *    its initial value;
 *  - a transfer among semaphores 4..7 ({a: -1, b: +1} or {a: -1, b: -1,
 *    c: +2}, NOWAIT), each process counting what it moved: every value
 *    is its initial value plus the sum of the counts;
 *  - a lock (waiting, trylock or with a timeout) of one of four mutexes
 *    around a non-atomic increment of its counter in a shared buffer
 *    that each process maps through an object fd: each counter, and the
 *    mutex's lock count, is the number of locks the processes got;
 *  - a send to its group's mailbox (16 processes share one of four
 *    mailboxes of 4 messages, so senders wait for room) followed by a
 *    receive, first by type (exact, EXCEPT or lowest type, NOWAIT), then
 *    of anything, waiting.  Each message carries its sender, its type and
 *    its number in the (sender, type) stream: a receiver must see every
 *    stream go forward, and in the end every message must have been
 *    received exactly once.
 *
 * Receiving only after sending keeps every mailbox deadlock-free: while a
 * process waits to receive, its own message is queued or already taken
 * by another receiver, who does not wait then.
 *
 * Under QEMU without KVM, 64 x 100000 takes 60 to 150 s on Debian's 6.12
 * (61 s in a reference run) and 64 x 10000 about 80 s on the debug kernel.
 */
#include <sched.h>
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "ipclab_test.h"

FIXTURE(load) {
	int fd;
	struct ipclab_cleanup cl;
};

FIXTURE_SETUP(load)
{
	memset(&self->cl, 0, sizeof(self->cl));
	IPCLAB_OPEN_OR_SKIP(self->fd);
}

FIXTURE_TEARDOWN_PARENT(load)
{
	ipclab_cleanup(&self->cl);
}

#define LOAD_MAX_PROCS	CL_MAX_KIDS
#define LOAD_NSEMS	8
#define LOAD_POOLS	3		/* semaphores 1..3 */
#define LOAD_XFER0	4		/* semaphores 4..7 */
#define LOAD_NXFER	4
#define LOAD_NMUTEX	4
#define LOAD_NBOX	4
#define LOAD_NTYPES	4
#define LOAD_BOX_MSGS	4
#define LOAD_MSG_MAX	64
#define LOAD_LINE	64		/* one counter per cache line */
#define LOAD_MAGIC	0x10adu

static const __s32 load_init[LOAD_NSEMS] = { 1, 3, 3, 3, 100, 100, 100, 100 };

struct load_msg {
	__u16 magic;
	__u16 sender;
	__u32 type;
	__u32 seq;			/* in its (sender, type) stream */
	__u32 gseq;			/* in its sender's messages */
	__u32 size;
	unsigned char fill[LOAD_MSG_MAX - 20];
};

/* What one process did, written only by it. */
struct load_tally {
	long done;			/* operations finished */
	long counted0;			/* increments under semaphore 0 */
	long xfer[LOAD_NSEMS];		/* net units moved into each semaphore */
	long locked[LOAD_NMUTEX];	/* locks got, each with an increment */
	long sent[LOAD_NTYPES];		/* messages sent, per type */
	long received;
	long typed;			/* of them, by a typed selector */
	long bad_msg;
	long bad_order;
	long timeouts, busy, empty;	/* calls that did nothing, as allowed */
	int fail_line;
	int fail_errno;
};

struct load {
	int fd;
	int nproc;
	long iters;
	__u64 seed;
	__u32 sem;
	__u32 mutex[LOAD_NMUTEX];
	__u32 box[LOAD_NBOX];
	__u32 shbuf;
	long *counter0;			/* guarded by semaphore 0 */
	struct load_tally *tally;	/* [nproc], shared */
	unsigned char *seen;		/* [nproc][iters]: times received */
	size_t seen_size;
};

static unsigned char load_fill(__u32 sender, __u32 gseq, __u32 i)
{
	return (unsigned char)(sender * 13 + gseq * 7 + i);
}

/* What a child does when a call fails as it must not: say where, exit. */
#define LOAD_FAIL(t) do {						\
	(t)->fail_errno = errno;					\
	(t)->fail_line = __LINE__;					\
	_exit(CHILD_CHECK_FAILED);					\
} while (0)

static void load_sem_counter(struct load *ld, struct load_tally *t, __u32 n)
{
	long v;

	if (sem_op1(ld->fd, ld->sem, 0, -1, 0))
		LOAD_FAIL(t);
	/* Load and store, not an atomic add. */
	v = __atomic_load_n(ld->counter0, __ATOMIC_RELAXED);
	if (n % 64 == 0)
		sched_yield();
	__atomic_store_n(ld->counter0, v + 1, __ATOMIC_RELAXED);
	t->counted0++;
	if (sem_op1(ld->fd, ld->sem, 0, 1, 0))
		LOAD_FAIL(t);
}

static void load_pool(struct load *ld, struct load_tally *t, struct prng *r,
		      int me)
{
	__u32 k = 1 + prng_below(r, LOAD_POOLS);
	__u32 undo = me % 2 ? IPCLAB_SEMBUF_UNDO : 0;
	bool timed = prng_below(r, 8) == 0;

	if (sem_op1_wait(ld->fd, ld->sem, k, -1, undo,
			 timed ? IPCLAB_WAIT_TIMEOUT : 0,
			 timed ? 100 * 1000 : 0)) {
		if (timed && errno == ETIMEDOUT) {
			t->timeouts++;
			return;
		}
		LOAD_FAIL(t);
	}
	if (sem_op1(ld->fd, ld->sem, k, 1, undo))
		LOAD_FAIL(t);
}

static void load_xfer(struct load *ld, struct load_tally *t, struct prng *r)
{
	struct ipclab_sembuf ops[3];
	__u32 a = prng_below(r, LOAD_NXFER), b, c, n = 2, i;

	b = (a + 1 + prng_below(r, LOAD_NXFER - 1)) % LOAD_NXFER;
	ops[0] = sembuf(LOAD_XFER0 + a, -1, 0);
	if (prng_below(r, 4)) {
		ops[1] = sembuf(LOAD_XFER0 + b, 1, 0);
	} else {
		/* Two taken, both given to a third. */
		c = (b + 1) % LOAD_NXFER == a ? (b + 2) % LOAD_NXFER : (b + 1) % LOAD_NXFER;
		ops[1] = sembuf(LOAD_XFER0 + b, -1, 0);
		ops[2] = sembuf(LOAD_XFER0 + c, 2, 0);
		n = 3;
	}
	if (sem_ops(ld->fd, ld->sem, ops, n, IPCLAB_WAIT_NOWAIT, 0)) {
		if (errno == EAGAIN) {
			t->empty++;
			return;
		}
		LOAD_FAIL(t);
	}
	for (i = 0; i < n; i++)
		t->xfer[ops[i].num] += ops[i].op;
}

static void load_mutex(struct load *ld, struct load_tally *t, struct prng *r,
		       volatile long *counters, __u32 n)
{
	__u32 j = prng_below(r, LOAD_NMUTEX), how = prng_below(r, 8);
	volatile long *c = counters + j * (LOAD_LINE / sizeof(long));
	long v;

	if (mutex_lock_wait(ld->fd, ld->mutex[j],
			    how == 0 ? IPCLAB_WAIT_NOWAIT :
			    how == 1 ? IPCLAB_WAIT_TIMEOUT : 0,
			    how == 1 ? 100 * 1000 : 0)) {
		if (how == 0 && errno == EBUSY) {
			t->busy++;
			return;
		}
		if (how == 1 && errno == ETIMEDOUT) {
			t->timeouts++;
			return;
		}
		LOAD_FAIL(t);
	}
	v = *c;
	if (n % 64 == 1)
		sched_yield();
	*c = v + 1;
	t->locked[j]++;
	if (mutex_unlock(ld->fd, ld->mutex[j]))
		LOAD_FAIL(t);
}

/* Check a received message, count it as seen. */
static void load_account(struct load *ld, struct load_tally *t, __s32 *last,
			 int box, __s64 type, const struct load_msg *m, __u64 size)
{
	__s32 *l;
	__u32 i;

	if (size < 20 || m->magic != LOAD_MAGIC || m->sender >= ld->nproc ||
	    m->sender % LOAD_NBOX != box || m->type != type ||
	    type < 1 || type > LOAD_NTYPES || m->size != size ||
	    m->gseq >= ld->iters) {
		t->bad_msg++;
		return;
	}
	for (i = 0; i < size - 20; i++) {
		if (m->fill[i] != load_fill(m->sender, m->gseq, i)) {
			t->bad_msg++;
			return;
		}
	}
	l = &last[m->sender * LOAD_NTYPES + type - 1];
	if ((__s32)m->seq <= *l)
		t->bad_order++;
	*l = m->seq;
	t->received++;
	__atomic_fetch_add(&ld->seen[(size_t)m->sender * ld->iters + m->gseq], 1,
			   __ATOMIC_RELAXED);
}

static void load_mbox(struct load *ld, struct load_tally *t, struct prng *r,
		      int me, __s32 *last, __u32 *seq, __u32 *gseq)
{
	int box = me % LOAD_NBOX;
	__u32 type = 1 + prng_below(r, LOAD_NTYPES), how, i;
	struct load_msg m;
	__u64 size;
	__s64 sel;

	m.magic = LOAD_MAGIC;
	m.sender = me;
	m.type = type;
	m.seq = seq[type - 1];
	m.gseq = *gseq;
	m.size = 20 + prng_below(r, sizeof(m.fill) + 1);
	for (i = 0; i < m.size - 20; i++)
		m.fill[i] = load_fill(me, m.gseq, i);
	if (msg_send(ld->fd, ld->box[box], type, &m, m.size, 0, 0))
		LOAD_FAIL(t);
	seq[type - 1]++;
	(*gseq)++;
	t->sent[type - 1]++;

	/* By type first, without waiting; then anything, waiting. */
	how = prng_below(r, 4);
	if (how < 3) {
		sel = 1 + prng_below(r, LOAD_NTYPES);
		if (how == 2)
			sel = -sel;	/* the lowest type up to this one */
		size = sizeof(m);
		if (!msg_recv(ld->fd, ld->box[box], &sel, &m, &size,
			      IPCLAB_WAIT_NOWAIT | (how == 1 ? IPCLAB_MSG_EXCEPT : 0),
			      0)) {
			t->typed++;
			load_account(ld, t, last, box, sel, &m, size);
			return;
		}
		if (errno != EAGAIN)
			LOAD_FAIL(t);
	}
	sel = 0;
	size = sizeof(m);
	if (msg_recv(ld->fd, ld->box[box], &sel, &m, &size, 0, 0))
		LOAD_FAIL(t);
	load_account(ld, t, last, box, sel, &m, size);
}

static void __attribute__((noreturn)) load_child(struct load *ld, int me)
{
	struct load_tally *t = &ld->tally[me];
	struct prng r = { ld->seed ^ ((__u64)(me + 1) * 0x9e3779b97f4a7c15ULL) };
	__u32 seq[LOAD_NTYPES] = { 0 }, gseq = 0, n, op;
	volatile long *counters;
	__s32 *last;
	size_t i;

	set_comm("load-%d", me);
	counters = shbuf_map(ld->fd, ld->shbuf, 4096);
	if (!counters)
		LOAD_FAIL(t);
	last = malloc(sizeof(*last) * ld->nproc * LOAD_NTYPES);
	if (!last)
		_exit(CHILD_BROKEN);
	for (i = 0; i < (size_t)ld->nproc * LOAD_NTYPES; i++)
		last[i] = -1;

	for (n = 0; n < ld->iters; n++) {
		op = prng_below(&r, 16);
		if (op == 0)
			load_sem_counter(ld, t, n);
		else if (op < 4)
			load_pool(ld, t, &r, me);
		else if (op < 7)
			load_xfer(ld, t, &r);
		else if (op < 11)
			load_mutex(ld, t, &r, counters, n);
		else
			load_mbox(ld, t, &r, me, last, seq, &gseq);
		t->done++;
	}
	_exit(0);
}

TEST_F_TIMEOUT(load, every_primitive_at_once, 1800)
{
	struct load ld;
	volatile long *counters;
	static struct snap s;
	long want, got, lost = 0, dup = 0, sent, total_ops = 0;
	long timeouts = 0, busy = 0, empty = 0, typed = 0;
	__s32 values[LOAD_NSEMS];
	pid_t pid[LOAD_MAX_PROCS];
	__u64 t0, t1;
	int i, j, k;
	size_t q;

	memset(&ld, 0, sizeof(ld));
	ld.fd = self->fd;
	ld.nproc = env_long("IPCLAB_LOAD_PROCS", 64);
	if (ld.nproc > LOAD_MAX_PROCS)
		ld.nproc = LOAD_MAX_PROCS;
	ld.iters = env_long("IPCLAB_LOAD_ITERS",
			    env_long("IPCLAB_STRESS_ITERS", 100000));
	ld.seed = prng_seed_env();
	TH_LOG("%d processes x %ld operations (IPCLAB_LOAD_PROCS, IPCLAB_LOAD_ITERS or IPCLAB_STRESS_ITERS), seed %#llx (IPCLAB_SEED)",
	       ld.nproc, ld.iters, (unsigned long long)ld.seed);

	ld.sem = NEW_SEM(LOAD_NSEMS);
	ASSERT_OK(sem_setall(self->fd, ld.sem, load_init, LOAD_NSEMS));
	for (k = 0; k < LOAD_NMUTEX; k++)
		ld.mutex[k] = NEW_MUTEX();
	for (k = 0; k < LOAD_NBOX; k++) {
		ASSERT_OK(mbox_create(self->fd, LOAD_BOX_MSGS, LOAD_MSG_MAX,
				      LOAD_BOX_MSGS * LOAD_MSG_MAX, &ld.box[k]));
		cl_track(&self->cl, ld.box[k]);
	}
	ASSERT_OK(shbuf_create(self->fd, 4096, &ld.shbuf));
	cl_track(&self->cl, ld.shbuf);

	ld.counter0 = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ld.counter0);
	ld.tally = mmap(NULL, sizeof(*ld.tally) * ld.nproc, PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ld.tally);
	ld.seen_size = (size_t)ld.nproc * ld.iters;
	ld.seen = mmap(NULL, ld.seen_size, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	ASSERT_NE(MAP_FAILED, ld.seen);

	t0 = mono_ns();
	for (i = 0; i < ld.nproc; i++) {
		pid[i] = kids_fork(&self->cl);
		ASSERT_LE(0, pid[i]);
		if (pid[i] == 0)
			load_child(&ld, i);
	}
	for (i = 0; i < ld.nproc; i++) {
		EXPECT_KID(0, pid[i], -1)
			TH_LOG("process %d: line %d, errno %d (%s)", i,
			       ld.tally[i].fail_line, ld.tally[i].fail_errno,
			       strerror(ld.tally[i].fail_errno));
	}
	t1 = mono_ns();

	/* Semaphores: the pools are back, the transfers add up. */
	ASSERT_OK(sem_getall(self->fd, ld.sem, values, LOAD_NSEMS));
	for (k = 0; k < LOAD_NSEMS; k++) {
		want = load_init[k];
		for (i = 0; i < ld.nproc; i++)
			want += ld.tally[i].xfer[k];
		EXPECT_EQ(want, values[k]) TH_LOG("semaphore %d", k);
	}
	for (want = 0, i = 0; i < ld.nproc; i++)
		want += ld.tally[i].counted0;
	EXPECT_EQ(want, *ld.counter0) TH_LOG("increments under semaphore 0 were lost");
	ASSERT_OK(ipclab_snap(self->fd, ld.sem, &s));
	EXPECT_EQ(0, s.st.nwaiters);
	EXPECT_EQ(0, s.st.holders_len);

	/* Mutexes: every increment counted, every lock seen by the kernel. */
	counters = shbuf_map(self->fd, ld.shbuf, 4096);
	ASSERT_NE(NULL, counters);
	for (k = 0; k < LOAD_NMUTEX; k++) {
		for (want = 0, i = 0; i < ld.nproc; i++)
			want += ld.tally[i].locked[k];
		got = counters[k * (LOAD_LINE / sizeof(long))];
		EXPECT_EQ(want, got) TH_LOG("increments under mutex %d were lost", k);
		ASSERT_OK(ipclab_snap(self->fd, ld.mutex[k], &s));
		EXPECT_EQ(IPCLAB_MUTEX_UNLOCKED, s.st.mutex.state);
		EXPECT_EQ(want, s.st.mutex.locks);
		EXPECT_EQ(0, s.st.nwaiters);
	}
	ASSERT_OK(ipclab_snap(self->fd, ld.shbuf, &s));
	EXPECT_EQ(1, s.st.shbuf.nattch);
	EXPECT_EQ(ld.nproc + 1, s.st.shbuf.attaches);
	munmap((void *)counters, 4096);

	/* Mailboxes: empty, and every message received exactly once. */
	for (k = 0; k < LOAD_NBOX; k++) {
		for (sent = 0, i = k; i < ld.nproc; i += LOAD_NBOX)
			for (j = 0; j < LOAD_NTYPES; j++)
				sent += ld.tally[i].sent[j];
		ASSERT_OK(ipclab_snap(self->fd, ld.box[k], &s));
		EXPECT_EQ(0, s.st.mbox.msgs);
		EXPECT_EQ(0, s.st.mbox.bytes);
		EXPECT_EQ(0, s.st.nwaiters);
		EXPECT_EQ(sent, s.st.mbox.sent) TH_LOG("mailbox %d", k);
		EXPECT_EQ(sent, s.st.mbox.received) TH_LOG("mailbox %d", k);
	}
	for (i = 0; i < ld.nproc; i++) {
		for (sent = 0, j = 0; j < LOAD_NTYPES; j++)
			sent += ld.tally[i].sent[j];
		for (q = 0; q < (size_t)ld.iters; q++) {
			unsigned char c = ld.seen[(size_t)i * ld.iters + q];

			if (q < (size_t)sent && c == 0)
				lost++;
			else if (c > 1 || (q >= (size_t)sent && c))
				dup++;
		}
		EXPECT_EQ(0, ld.tally[i].bad_msg) TH_LOG("process %d", i);
		EXPECT_EQ(0, ld.tally[i].bad_order) TH_LOG("process %d", i);
		EXPECT_EQ(ld.iters, ld.tally[i].done);
		total_ops += ld.tally[i].done;
		timeouts += ld.tally[i].timeouts;
		busy += ld.tally[i].busy;
		empty += ld.tally[i].empty;
		typed += ld.tally[i].typed;
	}
	EXPECT_EQ(0, lost) TH_LOG("messages never received");
	EXPECT_EQ(0, dup) TH_LOG("messages received twice, or never sent");

	TH_LOG("%ld operations in %.1f s (%.0f/s); %ld timeouts, %ld busy trylocks, %ld empty transfers, %ld typed receives",
	       total_ops, (t1 - t0) / 1e9, total_ops / ((t1 - t0) / 1e9),
	       timeouts, busy, empty, typed);
	munmap(ld.seen, ld.seen_size);
	munmap(ld.tally, sizeof(*ld.tally) * ld.nproc);
	munmap(ld.counter0, 4096);
}

TEST_HARNESS_MAIN
