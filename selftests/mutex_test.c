// SPDX-License-Identifier: GPL-2.0
/*
 * Mutexes: owner, trylock, FIFO handoff, timeouts, signals, removal,
 * robust semantics (EOWNERDEAD, consistent, ENOTRECOVERABLE), the
 * waiting-room limit, and a stress test.
 *
 * Ownership belongs to a process, so every "other locker" here is a
 * forked child; threads are in proc_test.c.
 */
#include <limits.h>
#include <sched.h>
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "ipclab_test.h"

FIXTURE(mutex) {
	int fd;
	struct ipclab_cleanup cl;
};

FIXTURE_SETUP(mutex)
{
	memset(&self->cl, 0, sizeof(self->cl));
	IPCLAB_OPEN_OR_SKIP(self->fd);
}

FIXTURE_TEARDOWN_PARENT(mutex)
{
	ipclab_cleanup(&self->cl);
}

/* What a holder child does once told to go. */
enum holder_then {
	THEN_EXIT,		/* exit still holding the mutex */
	THEN_UNLOCK,		/* unlock, then exit */
	THEN_CONSISTENT,	/* mark consistent if EOWNERDEAD, unlock, exit */
};

/*
 * A child that locks the mutex (waiting as long as it must), writes 'r'
 * (or 'o' if it got EOWNERDEAD) to rv->ready, waits for a byte on rv->go,
 * does what "then" says and exits with 0 or the errno its lock got.
 */
static pid_t spawn_holder(struct ipclab_cleanup *cl, int fd, __u32 id,
			  struct rendezvous *rv, enum holder_then then)
{
	pid_t pid = kids_fork(cl);

	if (pid == 0) {
		int st;

		rv_child(rv);
		st = child_status(mutex_lock(fd, id));
		if (st && st != EOWNERDEAD)
			_exit(st);
		if (put_byte(rv->ready[1], st ? 'o' : 'r'))
			_exit(CHILD_BROKEN);
		get_byte(rv->go[0], 60 * 1000);
		if (then == THEN_CONSISTENT && st == EOWNERDEAD)
			CHILD_CHECK(mutex_consistent(fd, id), 0);
		if (then != THEN_EXIT)
			CHILD_CHECK(mutex_unlock(fd, id), 0);
		_exit(st);
	}
	if (pid > 0)
		rv_parent(rv);
	return pid;
}

/* A child that locks (as wait_flags say), unlocks if it got it, exits. */
static pid_t spawn_lock_unlock(struct ipclab_cleanup *cl, int fd, __u32 id,
			       __u32 wait_flags, __u64 timeout)
{
	pid_t pid = kids_fork(cl);

	if (pid == 0) {
		int ret = mutex_lock_wait(fd, id, wait_flags, timeout);
		int st = child_status(ret);

		if (!ret || st == EOWNERDEAD) {
			if (st == EOWNERDEAD)
				CHILD_CHECK(mutex_consistent(fd, id), 0);
			CHILD_CHECK(mutex_unlock(fd, id), 0);
		}
		_exit(st);
	}
	return pid;
}

static void on_sigusr1(int sig)
{
}

/* A child that installs a SIGUSR1 handler, then locks; exits with errno. */
static pid_t spawn_lock_sighandler(struct ipclab_cleanup *cl, int fd, __u32 id,
				   int sa_flags)
{
	pid_t pid = kids_fork(cl);

	if (pid == 0) {
		struct sigaction sa;
		int ret;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_sigusr1;
		sa.sa_flags = sa_flags;
		sigemptyset(&sa.sa_mask);
		if (sigaction(SIGUSR1, &sa, NULL))
			_exit(CHILD_BROKEN);
		ret = mutex_lock(fd, id);
		if (!ret)
			mutex_unlock(fd, id);
		_exit(child_status(ret));
	}
	return pid;
}

/* ------------------------------------------------------------------ */
/* State and errors                                                   */
/* ------------------------------------------------------------------ */

TEST_F(mutex, create_state)
{
	__u32 id = NEW_MUTEX();
	struct snap s;
	int i;

	ASSERT_OK(ipclab_snap(self->fd, id, &s));
	EXPECT_EQ(IPCLAB_TYPE_MUTEX, s.st.type);
	EXPECT_EQ(IPCLAB_MUTEX_UNLOCKED, s.st.mutex.state);
	EXPECT_EQ(0, s.st.mutex.pid);
	EXPECT_EQ(0, s.st.mutex.tid);
	EXPECT_EQ(0, s.st.mutex.pad);
	EXPECT_STREQ("", s.st.mutex.comm);
	EXPECT_EQ(0, s.st.mutex.locks);
	for (i = 5; i < 16; i++) {
		EXPECT_EQ(0, s.st.reserved[i]) TH_LOG("reserved[%d]", i);
	}
	EXPECT_EQ(0, s.st.values_len);
	EXPECT_EQ(0, s.st.nwaiters);
	EXPECT_EQ(0, s.st.waiters_len);
	EXPECT_EQ(0, s.st.ops_len);
	EXPECT_EQ(0, s.st.holders_len);
	EXPECT_EQ(id, s.st.perm.id);
	EXPECT_EQ(0600, s.st.perm.mode);
	EXPECT_EQ(getpid(), s.st.perm.cpid);
	EXPECT_EQ(0, s.st.perm.otime);
}

TEST_F(mutex, lock_unlock)
{
	__u32 id = NEW_MUTEX();
	time_t now = time(NULL);
	char comm[16];
	struct snap s;

	get_comm(comm);
	ASSERT_OK(mutex_lock(self->fd, id));
	ASSERT_OK(ipclab_snap(self->fd, id, &s));
	EXPECT_EQ(IPCLAB_MUTEX_LOCKED, s.st.mutex.state);
	EXPECT_EQ(getpid(), s.st.mutex.pid);
	EXPECT_EQ(gettid(), s.st.mutex.tid);
	EXPECT_STREQ(comm, s.st.mutex.comm);
	EXPECT_EQ(1, s.st.mutex.locks);
	EXPECT_EQ(getpid(), s.st.perm.lpid);
	EXPECT_LE(now - 5, s.st.perm.otime);
	EXPECT_GE(now + 5, s.st.perm.otime);
	ASSERT_EQ(1, s.st.holders_len);
	EXPECT_EQ(getpid(), s.holders[0].pid);
	EXPECT_EQ(0, s.holders[0].num);
	EXPECT_EQ(1, s.holders[0].held);
	EXPECT_STREQ(comm, s.holders[0].comm);

	/* The owner locking again would deadlock. */
	EXPECT_ERRNO(EDEADLK, mutex_lock(self->fd, id));
	EXPECT_ERRNO(EDEADLK, mutex_lock_wait(self->fd, id, IPCLAB_WAIT_TIMEOUT,
					      NSEC_PER_SEC));
	check_mutex_state(self->fd, id, IPCLAB_MUTEX_LOCKED, getpid(), 0);

	ASSERT_OK(mutex_unlock(self->fd, id));
	ASSERT_OK(ipclab_snap(self->fd, id, &s));
	EXPECT_EQ(IPCLAB_MUTEX_UNLOCKED, s.st.mutex.state);
	EXPECT_EQ(0, s.st.mutex.pid);
	EXPECT_EQ(0, s.st.mutex.tid);
	EXPECT_STREQ("", s.st.mutex.comm);
	EXPECT_EQ(1, s.st.mutex.locks);
	EXPECT_EQ(0, s.st.holders_len);

	/* Unlocking an unlocked mutex. */
	EXPECT_ERRNO(EPERM, mutex_unlock(self->fd, id));

	/* Every way of locking works on a free mutex. */
	EXPECT_OK(mutex_trylock(self->fd, id));
	EXPECT_OK(mutex_unlock(self->fd, id));
	EXPECT_OK(mutex_lock_wait(self->fd, id, IPCLAB_WAIT_TIMEOUT, 0));
	EXPECT_OK(mutex_unlock(self->fd, id));
	EXPECT_OK(mutex_lock_wait(self->fd, id, IPCLAB_WAIT_ABSTIME, 1));
	EXPECT_OK(mutex_unlock(self->fd, id));
	ASSERT_OK(ipclab_snap(self->fd, id, &s));
	EXPECT_EQ(4, s.st.mutex.locks);
}

TEST_F(mutex, errors)
{
	__u32 id = NEW_MUTEX(), sid = NEW_SEM(1), stale;
	struct ipclab_id raw;

	/* flags and timeouts */
	EXPECT_ERRNO(EINVAL, mutex_lock_wait(self->fd, id, 0x8, 0));
	EXPECT_ERRNO(EINVAL, mutex_lock_wait(self->fd, id, 0x80000000, 0));
	EXPECT_ERRNO(EINVAL, mutex_lock_wait(self->fd, id, 0, 1));
	EXPECT_ERRNO(EINVAL, mutex_lock_wait(self->fd, id, IPCLAB_WAIT_NOWAIT, 1));
	EXPECT_ERRNO(EINVAL, mutex_lock_wait(self->fd, id,
					     IPCLAB_WAIT_TIMEOUT | IPCLAB_WAIT_ABSTIME,
					     NSEC_PER_SEC));
	check_mutex_state(self->fd, id, IPCLAB_MUTEX_UNLOCKED, 0, 0);
	/* reserved: every word, and nothing was done */
	for (int i = 0; i < 2; i++) {
		struct ipclab_lock l = { .id = id };

		l.reserved[i] = 1ULL << (i * 32);
		EXPECT_ERRNO(EINVAL, ioctl(self->fd, IPCLAB_IOC_MUTEX_LOCK, &l));
	}
	check_mutex_state(self->fd, id, IPCLAB_MUTEX_UNLOCKED, 0, 0);

	/* padding */
	ASSERT_OK(mutex_lock(self->fd, id));
	raw = (struct ipclab_id){ .id = id, .flags = 1 };
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, IPCLAB_IOC_MUTEX_UNLOCK, &raw));
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, IPCLAB_IOC_MUTEX_CONSISTENT, &raw));
	check_mutex_state(self->fd, id, IPCLAB_MUTEX_LOCKED, getpid(), 0);
	ASSERT_OK(mutex_unlock(self->fd, id));

	/* ids: never valid, stale, another type */
	ASSERT_OK(mutex_create(self->fd, &stale));
	ASSERT_OK(ipclab_rmid(self->fd, stale));
	EXPECT_ERRNO(EINVAL, mutex_lock(self->fd, stale));
	EXPECT_ERRNO(EINVAL, mutex_unlock(self->fd, stale));
	EXPECT_ERRNO(EINVAL, mutex_consistent(self->fd, stale));
	EXPECT_ERRNO(EINVAL, mutex_lock(self->fd, 0xffffffff));
	EXPECT_ERRNO(EINVAL, mutex_lock(self->fd, sid));
	EXPECT_ERRNO(EINVAL, mutex_trylock(self->fd, sid));
	EXPECT_ERRNO(EINVAL, mutex_unlock(self->fd, sid));
	EXPECT_ERRNO(EINVAL, mutex_consistent(self->fd, sid));

	/* bad pointers */
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, IPCLAB_IOC_MUTEX_LOCK, NULL));
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, IPCLAB_IOC_MUTEX_UNLOCK, NULL));
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, IPCLAB_IOC_MUTEX_CONSISTENT, NULL));

	check_mutex_state(self->fd, id, IPCLAB_MUTEX_UNLOCKED, 0, 0);
}

/*
 * MUTEX_CONSISTENT is only for the owner of an inconsistent mutex.  The
 * header names no errno for the other cases; they must fail and change
 * nothing.
 */
TEST_F(mutex, consistent_only_when_inconsistent)
{
	__u32 id = NEW_MUTEX();

	errno = 0;
	EXPECT_EQ(-1, mutex_consistent(self->fd, id));
	TH_LOG("consistent on an unlocked mutex: %s", strerror(errno));
	ASSERT_OK(mutex_lock(self->fd, id));
	errno = 0;
	EXPECT_EQ(-1, mutex_consistent(self->fd, id));
	TH_LOG("consistent on a normally locked mutex: %s", strerror(errno));
	check_mutex_state(self->fd, id, IPCLAB_MUTEX_LOCKED, getpid(), 0);
	ASSERT_OK(mutex_unlock(self->fd, id));
	check_mutex_state(self->fd, id, IPCLAB_MUTEX_UNLOCKED, 0, 0);
}

/* Another process can neither take a held mutex without waiting nor unlock it. */
TEST_F(mutex, other_process_busy_and_eperm)
{
	__u32 id = NEW_MUTEX();
	pid_t pid;

	ASSERT_OK(mutex_lock(self->fd, id));
	pid = kids_fork(&self->cl);
	ASSERT_LE(0, pid);
	if (pid == 0) {
		CHILD_CHECK(mutex_trylock(self->fd, id), EBUSY);
		CHILD_CHECK(mutex_unlock(self->fd, id), EPERM);
		CHILD_CHECK(mutex_lock_wait(self->fd, id, IPCLAB_WAIT_TIMEOUT,
					    50 * NSEC_PER_MSEC), ETIMEDOUT);
		CHILD_CHECK(mutex_lock_wait(self->fd, id, IPCLAB_WAIT_ABSTIME,
					    mono_ns() + 50 * NSEC_PER_MSEC),
			    ETIMEDOUT);
		_exit(0);
	}
	EXPECT_KID(0, pid, IPCLAB_SETTLE_MS);
	/* Still ours, and the child's end changed nothing. */
	check_mutex_state(self->fd, id, IPCLAB_MUTEX_LOCKED, getpid(), 0);
	EXPECT_OK(mutex_unlock(self->fd, id));
}

/* ------------------------------------------------------------------ */
/* Waiting                                                            */
/* ------------------------------------------------------------------ */

TEST_F(mutex, lock_blocks_until_unlock)
{
	struct rendezvous rv;
	__u32 id = NEW_MUTEX();
	struct snap s;
	pid_t pid;

	ASSERT_OK(mutex_lock(self->fd, id));
	ASSERT_OK(rv_open(&rv));
	pid = spawn_holder(&self->cl, self->fd, id, &rv, THEN_UNLOCK);
	ASSERT_LT(0, pid);
	ASSERT_TRUE(wait_for_waiters(self->fd, id, 1));

	ASSERT_OK(ipclab_snap(self->fd, id, &s));
	ASSERT_EQ(1, s.st.waiters_len);
	EXPECT_EQ(pid, s.waiters[0].pid);
	EXPECT_EQ(pid, s.waiters[0].tid);
	EXPECT_EQ(IPCLAB_WAITER_LOCK, s.waiters[0].kind);
	EXPECT_EQ(0, s.st.ops_len);
	EXPECT_TRUE(still_blocked(pid, IPCLAB_BLOCKED_MS));
	EXPECT_EQ(-1, get_byte(rv.ready[0], 0));
	check_mutex_state(self->fd, id, IPCLAB_MUTEX_LOCKED, getpid(), 1);

	/*
	 * Unlock hands the mutex to the waiter: it is the owner when the
	 * unlock returns, and we cannot take it back with a trylock.
	 */
	ASSERT_OK(mutex_unlock(self->fd, id));
	check_mutex_state(self->fd, id, IPCLAB_MUTEX_LOCKED, pid, 0);
	EXPECT_ERRNO(EBUSY, mutex_trylock(self->fd, id));
	EXPECT_EQ('r', get_byte(rv.ready[0], IPCLAB_SETTLE_MS));
	ASSERT_OK(ipclab_snap(self->fd, id, &s));
	EXPECT_EQ(pid, s.st.mutex.tid);
	EXPECT_EQ(2, s.st.mutex.locks);
	ASSERT_EQ(1, s.st.holders_len);
	EXPECT_EQ(pid, s.holders[0].pid);

	ASSERT_OK(put_byte(rv.go[1], 'g'));
	EXPECT_KID(0, pid, IPCLAB_SETTLE_MS);
	rv_close(&rv);
	check_mutex_state(self->fd, id, IPCLAB_MUTEX_UNLOCKED, 0, 0);
}

/* Waiters get the mutex in arrival order, one unlock at a time. */
TEST_F_TIMEOUT(mutex, fifo_order, 120)
{
	const int n = 6;
	__u32 id = NEW_MUTEX();
	struct snap s;
	pid_t pid[6];
	int p[2], i;

	ASSERT_OK(mutex_lock(self->fd, id));
	ASSERT_OK(pipe(p));
	for (i = 0; i < n; i++) {
		pid[i] = kids_fork(&self->cl);
		ASSERT_LE(0, pid[i]);
		if (pid[i] == 0) {
			int ret;

			close(p[0]);
			set_comm("ipclab-m%d", i);
			ret = mutex_lock(self->fd, id);
			if (ret)
				_exit(child_status(ret));
			if (put_byte(p[1], i))
				_exit(CHILD_BROKEN);
			CHILD_CHECK(mutex_unlock(self->fd, id), 0);
			_exit(0);
		}
		ASSERT_TRUE(wait_for_waiters(self->fd, id, i + 1))
			TH_LOG("waiter %d never queued", i);
	}
	close(p[1]);

	ASSERT_OK(ipclab_snap(self->fd, id, &s));
	ASSERT_EQ(n, s.st.waiters_len);
	for (i = 0; i < n; i++) {
		char comm[16];

		snprintf(comm, sizeof(comm), "ipclab-m%d", i);
		EXPECT_EQ(pid[i], s.waiters[i].pid) TH_LOG("waiter %d", i);
		EXPECT_STREQ(comm, s.waiters[i].comm);
		EXPECT_EQ(IPCLAB_WAITER_LOCK, s.waiters[i].kind);
		if (i > 0) {
			EXPECT_LT(s.waiters[i - 1].ticket, s.waiters[i].ticket);
			EXPECT_GE(s.waiters[i - 1].waited_ns, s.waiters[i].waited_ns);
		}
	}

	ASSERT_OK(mutex_unlock(self->fd, id));
	for (i = 0; i < n; i++) {
		EXPECT_EQ(i, get_byte(p[0], IPCLAB_SETTLE_MS))
			TH_LOG("the %d-th to get the mutex was the wrong one", i);
	}
	for (i = 0; i < n; i++) {
		EXPECT_KID(0, pid[i], IPCLAB_SETTLE_MS);
	}
	close(p[0]);
	ASSERT_OK(ipclab_snap(self->fd, id, &s));
	EXPECT_EQ(IPCLAB_MUTEX_UNLOCKED, s.st.mutex.state);
	EXPECT_EQ(n + 1, s.st.mutex.locks);
	EXPECT_EQ(0, s.st.nwaiters);
}

TEST_F(mutex, timeouts)
{
	const __u64 t = 200 * NSEC_PER_MSEC;
	struct rendezvous rv;
	__u32 id = NEW_MUTEX();
	__u64 t0, deadline;
	pid_t pid;

	ASSERT_OK(rv_open(&rv));
	pid = spawn_holder(&self->cl, self->fd, id, &rv, THEN_UNLOCK);
	ASSERT_LT(0, pid);
	ASSERT_EQ('r', get_byte(rv.ready[0], IPCLAB_SETTLE_MS));

	EXPECT_ERRNO(EBUSY, mutex_trylock(self->fd, id));

	t0 = mono_ns();
	EXPECT_ERRNO(ETIMEDOUT, mutex_lock_wait(self->fd, id, IPCLAB_WAIT_TIMEOUT, t));
	EXPECT_LE(t0 + t, mono_ns());
	EXPECT_GT(t0 + t + 5 * NSEC_PER_SEC, mono_ns());

	deadline = mono_ns() + t;
	EXPECT_ERRNO(ETIMEDOUT, mutex_lock_wait(self->fd, id, IPCLAB_WAIT_ABSTIME,
						deadline));
	EXPECT_LE(deadline, mono_ns());
	EXPECT_GT(deadline + 5 * NSEC_PER_SEC, mono_ns());

	t0 = mono_ns();
	EXPECT_ERRNO(ETIMEDOUT, mutex_lock_wait(self->fd, id, IPCLAB_WAIT_TIMEOUT, 0));
	EXPECT_ERRNO(ETIMEDOUT, mutex_lock_wait(self->fd, id, IPCLAB_WAIT_ABSTIME, 1));
	EXPECT_GT(2 * NSEC_PER_SEC, mono_ns() - t0);

	check_mutex_state(self->fd, id, IPCLAB_MUTEX_LOCKED, pid, 0);

	/* A timed wait that the unlock ends in time succeeds. */
	{
		pid_t w = spawn_lock_unlock(&self->cl, self->fd, id,
					    IPCLAB_WAIT_TIMEOUT, 20 * NSEC_PER_SEC);

		ASSERT_TRUE(wait_for_waiters(self->fd, id, 1));
		ASSERT_OK(put_byte(rv.go[1], 'g'));
		EXPECT_KID(0, pid, IPCLAB_SETTLE_MS);
		EXPECT_KID(0, w, IPCLAB_SETTLE_MS);
	}
	rv_close(&rv);
	check_mutex_state(self->fd, id, IPCLAB_MUTEX_UNLOCKED, 0, 0);
}

TEST_F(mutex, signal_eintr)
{
	const int flags[2] = { 0, SA_RESTART };
	__u32 id = NEW_MUTEX();
	pid_t pid;
	int i;

	ASSERT_OK(mutex_lock(self->fd, id));
	for (i = 0; i < 2; i++) {
		pid = spawn_lock_sighandler(&self->cl, self->fd, id, flags[i]);
		ASSERT_LT(0, pid);
		ASSERT_TRUE(wait_for_waiters(self->fd, id, 1));
		EXPECT_TRUE(still_blocked(pid, IPCLAB_BLOCKED_MS));
		ASSERT_EQ(0, kill(pid, SIGUSR1));
		EXPECT_KID(EINTR, pid, IPCLAB_SETTLE_MS)
			TH_LOG("sa_flags %#x (-1: restarted and still waiting)", flags[i]);
		check_mutex_state(self->fd, id, IPCLAB_MUTEX_LOCKED, getpid(), 0);
	}
	ASSERT_OK(mutex_unlock(self->fd, id));
	check_mutex_state(self->fd, id, IPCLAB_MUTEX_UNLOCKED, 0, 0);
}

/* A waiter that gives up is not handed the mutex later. */
TEST_F(mutex, gone_waiter_is_skipped)
{
	__u32 id = NEW_MUTEX();
	pid_t a, b;

	ASSERT_OK(mutex_lock(self->fd, id));
	a = spawn_lock_sighandler(&self->cl, self->fd, id, 0);
	ASSERT_TRUE(wait_for_waiters(self->fd, id, 1));
	b = spawn_lock_unlock(&self->cl, self->fd, id, 0, 0);
	ASSERT_TRUE(wait_for_waiters(self->fd, id, 2));
	ASSERT_EQ(0, kill(a, SIGUSR1));
	EXPECT_KID(EINTR, a, IPCLAB_SETTLE_MS);
	ASSERT_TRUE(wait_for_waiters(self->fd, id, 1));

	ASSERT_OK(mutex_unlock(self->fd, id));
	EXPECT_KID(0, b, IPCLAB_SETTLE_MS);
	check_mutex_state(self->fd, id, IPCLAB_MUTEX_UNLOCKED, 0, 0);
}

TEST_F(mutex, rmid_wakes_waiters)
{
	__u32 id = NEW_MUTEX();
	pid_t k[3];
	int i;

	ASSERT_OK(mutex_lock(self->fd, id));
	k[0] = spawn_lock_unlock(&self->cl, self->fd, id, 0, 0);
	ASSERT_TRUE(wait_for_waiters(self->fd, id, 1));
	k[1] = spawn_lock_unlock(&self->cl, self->fd, id, IPCLAB_WAIT_TIMEOUT,
				 20 * NSEC_PER_SEC);
	ASSERT_TRUE(wait_for_waiters(self->fd, id, 2));
	k[2] = spawn_lock_unlock(&self->cl, self->fd, id, IPCLAB_WAIT_ABSTIME,
				 mono_ns() + 20 * NSEC_PER_SEC);
	ASSERT_TRUE(wait_for_waiters(self->fd, id, 3));

	ASSERT_OK(ipclab_rmid(self->fd, id));
	for (i = 0; i < 3; i++) {
		EXPECT_KID(EIDRM, k[i], IPCLAB_SETTLE_MS) TH_LOG("waiter %d", i);
	}
	EXPECT_ERRNO(EINVAL, mutex_unlock(self->fd, id));
	EXPECT_ERRNO(EINVAL, mutex_lock(self->fd, id));
}

/* A mutex removed while locked: the owner's later unlock and end are quiet. */
TEST_F(mutex, rmid_while_locked)
{
	struct rendezvous rv;
	__u32 id = NEW_MUTEX(), id2;
	pid_t pid;

	ASSERT_OK(rv_open(&rv));
	pid = spawn_holder(&self->cl, self->fd, id, &rv, THEN_EXIT);
	ASSERT_LT(0, pid);
	ASSERT_EQ('r', get_byte(rv.ready[0], IPCLAB_SETTLE_MS));
	ASSERT_OK(ipclab_rmid(self->fd, id));
	id2 = NEW_MUTEX();
	ASSERT_OK(put_byte(rv.go[1], 'g'));
	EXPECT_KID(0, pid, IPCLAB_SETTLE_MS);
	rv_close(&rv);
	check_mutex_state(self->fd, id2, IPCLAB_MUTEX_UNLOCKED, 0, 0);
	EXPECT_OK(mutex_lock(self->fd, id2));

	ASSERT_OK(ipclab_rmid(self->fd, id2));
	EXPECT_ERRNO(EINVAL, mutex_unlock(self->fd, id2));
}

/* Timeouts far in the future wait (they must not overflow into the past). */
TEST_F(mutex, timeout_huge_waits)
{
	const __u32 flags[2] = { IPCLAB_WAIT_TIMEOUT, IPCLAB_WAIT_ABSTIME };
	__u32 id = NEW_MUTEX();
	pid_t pid;
	int i;

	ASSERT_OK(mutex_lock(self->fd, id));
	for (i = 0; i < 2; i++) {
		pid = spawn_lock_unlock(&self->cl, self->fd, id, flags[i], UINT64_MAX);
		ASSERT_LT(0, pid);
		EXPECT_TRUE(wait_for_waiters(self->fd, id, 1))
			TH_LOG("flags %#x: not waiting", flags[i]);
		EXPECT_TRUE(still_blocked(pid, IPCLAB_BLOCKED_MS));
		ASSERT_OK(mutex_unlock(self->fd, id));
		EXPECT_KID(0, pid, IPCLAB_SETTLE_MS) TH_LOG("flags %#x", flags[i]);
		ASSERT_OK(mutex_lock(self->fd, id));
	}
	ASSERT_OK(mutex_unlock(self->fd, id));
}

/* ------------------------------------------------------------------ */
/* Robust mutexes                                                     */
/* ------------------------------------------------------------------ */

/*
 * The owner dies holding the mutex (SIGKILL, or a plain exit): the next
 * locker (lock, or trylock) gets it with EOWNERDEAD, repairs, marks it
 * consistent, and all is normal again.
 */
static void owner_dies_next_locker(struct __test_metadata *_metadata,
				   FIXTURE_DATA(mutex) *self, bool sigkill)
{
	struct rendezvous rv;
	__u32 id = NEW_MUTEX();
	struct snap s;
	pid_t pid;

	ASSERT_OK(rv_open(&rv));
	pid = spawn_holder(&self->cl, self->fd, id, &rv, THEN_EXIT);
	ASSERT_LT(0, pid);
	ASSERT_EQ('r', get_byte(rv.ready[0], IPCLAB_SETTLE_MS));
	check_mutex_state(self->fd, id, IPCLAB_MUTEX_LOCKED, pid, 0);

	if (sigkill) {
		EXPECT_EQ(KID_SIGNALED(SIGKILL), kids_kill(&self->cl, pid, SIGKILL));
	} else {
		ASSERT_OK(put_byte(rv.go[1], 'g'));
		EXPECT_KID(0, pid, IPCLAB_SETTLE_MS);
	}
	rv_close(&rv);

	ASSERT_OK(ipclab_stat(self->fd, id, &s.st));
	EXPECT_EQ(IPCLAB_MUTEX_OWNERDEAD, s.st.mutex.state);

	/* A trylock takes an owner-dead mutex too (it is free to take). */
	EXPECT_ERRNO(EOWNERDEAD, sigkill ? mutex_lock(self->fd, id)
					 : mutex_trylock(self->fd, id));
	ASSERT_OK(ipclab_snap(self->fd, id, &s));
	EXPECT_EQ(IPCLAB_MUTEX_INCONSISTENT, s.st.mutex.state);
	EXPECT_EQ(getpid(), s.st.mutex.pid);
	EXPECT_EQ(2, s.st.mutex.locks);
	ASSERT_EQ(1, s.st.holders_len);
	EXPECT_EQ(getpid(), s.holders[0].pid);
	EXPECT_EQ(1, s.holders[0].held);
	/* Still ours while inconsistent. */
	EXPECT_ERRNO(EDEADLK, mutex_lock(self->fd, id));

	ASSERT_OK(mutex_consistent(self->fd, id));
	check_mutex_state(self->fd, id, IPCLAB_MUTEX_LOCKED, getpid(), 0);
	ASSERT_OK(mutex_unlock(self->fd, id));
	check_mutex_state(self->fd, id, IPCLAB_MUTEX_UNLOCKED, 0, 0);
	EXPECT_OK(mutex_lock(self->fd, id));
	EXPECT_OK(mutex_unlock(self->fd, id));
}

TEST_F(mutex, robust_owner_sigkilled)
{
	owner_dies_next_locker(_metadata, self, true);
}

TEST_F(mutex, robust_owner_exits)
{
	owner_dies_next_locker(_metadata, self, false);
}

/* The owner dies while others wait: the first waiter gets EOWNERDEAD. */
TEST_F(mutex, robust_waiter_gets_ownerdead)
{
	struct rendezvous ra, rb;
	__u32 id = NEW_MUTEX();
	pid_t a, b, c;

	ASSERT_OK(rv_open(&ra));
	a = spawn_holder(&self->cl, self->fd, id, &ra, THEN_EXIT);
	ASSERT_EQ('r', get_byte(ra.ready[0], IPCLAB_SETTLE_MS));
	ASSERT_OK(rv_open(&rb));
	b = spawn_holder(&self->cl, self->fd, id, &rb, THEN_CONSISTENT);
	ASSERT_TRUE(wait_for_waiters(self->fd, id, 1));
	c = spawn_lock_unlock(&self->cl, self->fd, id, 0, 0);
	ASSERT_TRUE(wait_for_waiters(self->fd, id, 2));

	EXPECT_EQ(KID_SIGNALED(SIGKILL), kids_kill(&self->cl, a, SIGKILL));
	rv_close(&ra);

	/* B got it, told of the dead owner; C still waits. */
	EXPECT_EQ('o', get_byte(rb.ready[0], IPCLAB_SETTLE_MS));
	check_mutex_state(self->fd, id, IPCLAB_MUTEX_INCONSISTENT, b, 1);
	EXPECT_TRUE(still_blocked(c, IPCLAB_BLOCKED_MS));

	ASSERT_OK(put_byte(rb.go[1], 'g'));
	EXPECT_KID(EOWNERDEAD, b, IPCLAB_SETTLE_MS);
	rv_close(&rb);
	/* B made it consistent and unlocked: C gets it normally. */
	EXPECT_KID(0, c, IPCLAB_SETTLE_MS);
	check_mutex_state(self->fd, id, IPCLAB_MUTEX_UNLOCKED, 0, 0);
	EXPECT_OK(mutex_lock(self->fd, id));
	EXPECT_OK(mutex_unlock(self->fd, id));
}

/* A new owner that dies while the mutex is inconsistent: EOWNERDEAD again. */
TEST_F(mutex, robust_inconsistent_owner_dies)
{
	struct rendezvous ra, rb;
	__u32 id = NEW_MUTEX();
	pid_t a, b;

	ASSERT_OK(rv_open(&ra));
	a = spawn_holder(&self->cl, self->fd, id, &ra, THEN_EXIT);
	ASSERT_EQ('r', get_byte(ra.ready[0], IPCLAB_SETTLE_MS));
	EXPECT_EQ(KID_SIGNALED(SIGKILL), kids_kill(&self->cl, a, SIGKILL));
	rv_close(&ra);

	ASSERT_OK(rv_open(&rb));
	b = spawn_holder(&self->cl, self->fd, id, &rb, THEN_EXIT);
	ASSERT_EQ('o', get_byte(rb.ready[0], IPCLAB_SETTLE_MS));
	check_mutex_state(self->fd, id, IPCLAB_MUTEX_INCONSISTENT, b, 0);
	ASSERT_OK(put_byte(rb.go[1], 'g'));
	EXPECT_KID(EOWNERDEAD, b, IPCLAB_SETTLE_MS);
	rv_close(&rb);

	EXPECT_ERRNO(EOWNERDEAD, mutex_lock(self->fd, id));
	EXPECT_OK(mutex_consistent(self->fd, id));
	EXPECT_OK(mutex_unlock(self->fd, id));
	check_mutex_state(self->fd, id, IPCLAB_MUTEX_UNLOCKED, 0, 0);
}

/*
 * Unlocking without marking it consistent makes the mutex unusable: the
 * waiters are woken with ENOTRECOVERABLE, and so is every later lock.
 */
TEST_F(mutex, robust_notrecoverable)
{
	struct rendezvous ra;
	__u32 id = NEW_MUTEX();
	pid_t a, k[2];
	int i;

	ASSERT_OK(rv_open(&ra));
	a = spawn_holder(&self->cl, self->fd, id, &ra, THEN_EXIT);
	ASSERT_EQ('r', get_byte(ra.ready[0], IPCLAB_SETTLE_MS));
	ASSERT_OK(put_byte(ra.go[1], 'g'));
	EXPECT_KID(0, a, IPCLAB_SETTLE_MS);
	rv_close(&ra);

	EXPECT_ERRNO(EOWNERDEAD, mutex_lock(self->fd, id));
	for (i = 0; i < 2; i++) {
		k[i] = spawn_lock_unlock(&self->cl, self->fd, id, 0, 0);
		ASSERT_TRUE(wait_for_waiters(self->fd, id, i + 1));
	}
	ASSERT_OK(mutex_unlock(self->fd, id));
	for (i = 0; i < 2; i++) {
		EXPECT_KID(ENOTRECOVERABLE, k[i], IPCLAB_SETTLE_MS)
			TH_LOG("waiter %d", i);
	}

	check_mutex_state(self->fd, id, IPCLAB_MUTEX_NOTRECOVERABLE, 0, 0);
	EXPECT_ERRNO(ENOTRECOVERABLE, mutex_lock(self->fd, id));
	EXPECT_ERRNO(ENOTRECOVERABLE, mutex_trylock(self->fd, id));
	EXPECT_ERRNO(ENOTRECOVERABLE, mutex_lock_wait(self->fd, id,
						      IPCLAB_WAIT_TIMEOUT,
						      NSEC_PER_SEC));
	EXPECT_ERRNO(EPERM, mutex_unlock(self->fd, id));
	k[0] = spawn_lock_unlock(&self->cl, self->fd, id, 0, 0);
	EXPECT_KID(ENOTRECOVERABLE, k[0], IPCLAB_SETTLE_MS);
	check_mutex_state(self->fd, id, IPCLAB_MUTEX_NOTRECOVERABLE, 0, 0);

	/* It can still be removed, and its key or slot reused. */
	EXPECT_OK(ipclab_rmid(self->fd, id));
}

/* ------------------------------------------------------------------ */
/* Limits and stress                                                  */
/* ------------------------------------------------------------------ */

TEST_F(mutex, limit_max_waiters)
{
	__u32 id = NEW_MUTEX();
	pid_t k[2], x;
	__u64 t0;
	int i;

	PARAM_CHANGE_OR_SKIP("max_waiters", 2);
	ASSERT_OK(mutex_lock(self->fd, id));
	for (i = 0; i < 2; i++) {
		k[i] = spawn_lock_unlock(&self->cl, self->fd, id, 0, 0);
		ASSERT_TRUE(wait_for_waiters(self->fd, id, i + 1));
	}
	/* A third waiter is refused at once, not after its timeout. */
	t0 = mono_ns();
	x = spawn_lock_unlock(&self->cl, self->fd, id, IPCLAB_WAIT_TIMEOUT,
			      5 * NSEC_PER_SEC);
	EXPECT_KID(ENOSPC, x, IPCLAB_SETTLE_MS);
	EXPECT_GT(4 * NSEC_PER_SEC, mono_ns() - t0);
	EXPECT_EQ(2, ipclab_nwaiters(self->fd, id));
	/* A trylock does not need a place in the room. */
	x = spawn_lock_unlock(&self->cl, self->fd, id, IPCLAB_WAIT_NOWAIT, 0);
	EXPECT_KID(EBUSY, x, IPCLAB_SETTLE_MS);

	ASSERT_OK(mutex_unlock(self->fd, id));
	for (i = 0; i < 2; i++) {
		EXPECT_KID(0, k[i], IPCLAB_SETTLE_MS);
	}
	check_mutex_state(self->fd, id, IPCLAB_MUTEX_UNLOCKED, 0, 0);
	EXPECT_OK(params_restore(&self->cl));
}

static long stress_iters(void)
{
	const char *e = getenv("IPCLAB_STRESS_ITERS");
	long n = e ? strtol(e, NULL, 10) : 0;

	return n > 0 ? n : 100000;
}

/*
 * 16 processes each lock and unlock N times around a non-atomic increment
 * of a shared counter: no update may be lost.
 */
TEST_F_TIMEOUT(mutex, stress_mutual_exclusion, 1200)
{
	const int nproc = 16;
	long iters = stress_iters();
	long *counter;
	__u32 id = NEW_MUTEX();
	pid_t pid[16];
	struct snap s;
	int i;

	counter = mmap(NULL, sizeof(*counter), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, counter);
	*counter = 0;
	TH_LOG("%d processes x %ld lock/unlock pairs (IPCLAB_STRESS_ITERS)",
	       nproc, iters);

	for (i = 0; i < nproc; i++) {
		pid[i] = kids_fork(&self->cl);
		ASSERT_LE(0, pid[i]);
		if (pid[i] == 0) {
			long n, v;

			for (n = 0; n < iters; n++) {
				if (mutex_lock(self->fd, id))
					_exit(child_status(-1));
				/* Load and store, not an atomic add. */
				v = __atomic_load_n(counter, __ATOMIC_RELAXED);
				if ((n & 31) == i % 32)
					sched_yield();
				__atomic_store_n(counter, v + 1, __ATOMIC_RELAXED);
				if (mutex_unlock(self->fd, id))
					_exit(child_status(-1));
			}
			_exit(0);
		}
	}
	for (i = 0; i < nproc; i++) {
		EXPECT_KID(0, pid[i], -1);
	}

	EXPECT_EQ(nproc * iters, *counter);
	ASSERT_OK(ipclab_snap(self->fd, id, &s));
	EXPECT_EQ(IPCLAB_MUTEX_UNLOCKED, s.st.mutex.state);
	EXPECT_EQ(nproc * iters, s.st.mutex.locks);
	EXPECT_EQ(0, s.st.nwaiters);
	EXPECT_EQ(0, s.st.holders_len);
	munmap(counter, sizeof(*counter));
}

TEST_HARNESS_MAIN
