// SPDX-License-Identifier: GPL-2.0
/*
 * What "a process" is for ipclab: a thread group.  Threads share mutex
 * ownership and undo values; a fork()ed child is a new process even
 * though it inherits the session fd; a process ends for ipclab when it
 * closes its last /dev/ipclab session (exit does that, and so does close()
 * while it lives), not when one of several fds is closed, nor at exec().
 */
#include <pthread.h>

#include "kselftest_harness.h"
#include "ipclab_test.h"

FIXTURE(proc) {
	int fd;
	struct ipclab_cleanup cl;
};

FIXTURE_SETUP(proc)
{
	memset(&self->cl, 0, sizeof(self->cl));
	IPCLAB_OPEN_OR_SKIP(self->fd);
}

FIXTURE_TEARDOWN_PARENT(proc)
{
	ipclab_cleanup(&self->cl);
}

/* ------------------------------------------------------------------ */
/* Threads                                                            */
/* ------------------------------------------------------------------ */

/* One call made from another thread: fn returns 0 or an errno. */
struct thread_call {
	int (*fn)(struct thread_call *c);
	int fd;
	__u32 id;
	__u32 num;
	__s32 op;
	__u32 flags;
	pid_t tid;		/* out: the thread's id */
	int result;		/* out: what fn returned */
	pthread_t thread;
};

static void *thread_main(void *arg)
{
	struct thread_call *c = arg;

	c->tid = gettid();
	c->result = c->fn(c);
	return NULL;
}

static int thread_start(struct thread_call *c)
{
	c->result = -1;
	return pthread_create(&c->thread, NULL, thread_main, c);
}

static int thread_finish(struct thread_call *c)
{
	pthread_join(c->thread, NULL);
	return c->result;
}

/* Run c->fn in a new thread and wait for it. */
static int in_thread(struct thread_call *c)
{
	if (thread_start(c))
		return -1;
	return thread_finish(c);
}

static int do_lock(struct thread_call *c)
{
	return call_errno(mutex_lock(c->fd, c->id));
}

static int do_unlock(struct thread_call *c)
{
	return call_errno(mutex_unlock(c->fd, c->id));
}

static int do_semop(struct thread_call *c)
{
	return call_errno(sem_op1(c->fd, c->id, c->num, c->op, c->flags));
}

/* Another thread of the owning process is the owner too. */
TEST_F(proc, threads_share_mutex_ownership)
{
	struct thread_call c = { .fd = self->fd, .id = NEW_MUTEX() };

	ASSERT_OK(mutex_lock(self->fd, c.id));
	c.fn = do_lock;
	EXPECT_EQ(EDEADLK, in_thread(&c));
	check_mutex_state(self->fd, c.id, IPCLAB_MUTEX_LOCKED, getpid(), 0);

	c.fn = do_unlock;
	EXPECT_EQ(0, in_thread(&c));
	check_mutex_state(self->fd, c.id, IPCLAB_MUTEX_UNLOCKED, 0, 0);
	EXPECT_ERRNO(EPERM, mutex_unlock(self->fd, c.id));
}

/*
 * A mutex locked by a thread that then exits stays locked by the
 * process (its tid is still the one that locked); the process, not the
 * thread, is the owner.
 */
TEST_F(proc, thread_exit_keeps_mutex)
{
	struct thread_call c = { .fd = self->fd, .id = NEW_MUTEX(), .fn = do_lock };
	struct ipclab_stat st;

	ASSERT_EQ(0, in_thread(&c));
	ASSERT_OK(ipclab_stat(self->fd, c.id, &st));
	EXPECT_EQ(IPCLAB_MUTEX_LOCKED, st.mutex.state);
	EXPECT_EQ(getpid(), st.mutex.pid);
	EXPECT_EQ(c.tid, st.mutex.tid);
	EXPECT_NE(gettid(), st.mutex.tid);

	EXPECT_ERRNO(EDEADLK, mutex_lock(self->fd, c.id));
	EXPECT_OK(mutex_unlock(self->fd, c.id));
	check_mutex_state(self->fd, c.id, IPCLAB_MUTEX_UNLOCKED, 0, 0);
}

/* Two threads of one process wait side by side: one pid, two tids. */
TEST_F(proc, threads_wait_separately)
{
	struct thread_call c[2];
	__u32 id = NEW_SEM(1);
	struct snap s;
	int i;

	for (i = 0; i < 2; i++) {
		c[i] = (struct thread_call){ .fd = self->fd, .id = id, .num = 0,
					     .op = -1, .fn = do_semop };
		ASSERT_EQ(0, thread_start(&c[i]));
		ASSERT_TRUE(wait_for_waiters(self->fd, id, i + 1));
	}
	ASSERT_OK(ipclab_snap(self->fd, id, &s));
	ASSERT_EQ(2, s.st.waiters_len);
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(getpid(), s.waiters[i].pid);
		EXPECT_EQ(c[i].tid, s.waiters[i].tid);
		EXPECT_NE(gettid(), s.waiters[i].tid);
	}
	EXPECT_NE(s.waiters[0].tid, s.waiters[1].tid);

	ASSERT_OK(sem_op1(self->fd, id, 0, 2, 0));
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(0, thread_finish(&c[i]));
	}
	check_sem_values(self->fd, id, 0);

	/* The process holds 2 - 2 = 0: one entry, for the process. */
	ASSERT_OK(ipclab_snap(self->fd, id, &s));
	EXPECT_LE(s.st.holders_len, 1);
	if (s.st.holders_len == 1) {
		EXPECT_EQ(getpid(), s.holders[0].pid);
		EXPECT_EQ(0, s.holders[0].held);
	}
}

/*
 * Undo done by a thread belongs to the process: the thread's exit does
 * not apply it, the process's end does.
 */
TEST_F(proc, thread_undo_belongs_to_process)
{
	const struct ipclab_holder *h;
	__u32 id = NEW_SEM(1);
	struct rendezvous rv;
	struct snap s;
	pid_t pid;

	ASSERT_OK(sem_setval(self->fd, id, 0, 3));
	ASSERT_OK(rv_open(&rv));
	pid = kids_fork(&self->cl);
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct thread_call c = { .fd = self->fd, .id = id, .num = 0,
					 .op = -1, .flags = IPCLAB_SEMBUF_UNDO,
					 .fn = do_semop };

		rv_child(&rv);
		if (in_thread(&c))
			_exit(c.result > 0 ? c.result : CHILD_BROKEN);
		if (put_byte(rv.ready[1], 'r'))
			_exit(CHILD_BROKEN);
		get_byte(rv.go[0], 60 * 1000);
		_exit(0);
	}
	rv_parent(&rv);
	ASSERT_EQ('r', get_byte(rv.ready[0], IPCLAB_SETTLE_MS));

	/* The thread is gone; its undo is still pending, the process's. */
	check_sem_values(self->fd, id, 2);
	ASSERT_OK(ipclab_snap(self->fd, id, &s));
	h = snap_holder(&s, pid, 0);
	ASSERT_NE(NULL, h);
	EXPECT_EQ(1, h->held);
	EXPECT_EQ(1, h->undo);

	ASSERT_OK(put_byte(rv.go[1], 'g'));
	EXPECT_KID(0, pid, IPCLAB_SETTLE_MS);
	check_sem_values(self->fd, id, 3);
	rv_close(&rv);
}

/* ------------------------------------------------------------------ */
/* fork()                                                             */
/* ------------------------------------------------------------------ */

/*
 * A child inherits the session fd but not the parent's mutex, and its
 * end does not make the parent's mutex owner-dead.
 */
TEST_F(proc, fork_child_does_not_own)
{
	__u32 id = NEW_MUTEX();
	pid_t pid;

	ASSERT_OK(mutex_lock(self->fd, id));
	pid = kids_fork(&self->cl);
	ASSERT_LE(0, pid);
	if (pid == 0) {
		CHILD_CHECK(mutex_unlock(self->fd, id), EPERM);
		CHILD_CHECK(mutex_trylock(self->fd, id), EBUSY);
		CHILD_CHECK(mutex_lock_wait(self->fd, id, IPCLAB_WAIT_TIMEOUT,
					    20 * NSEC_PER_MSEC), ETIMEDOUT);
		_exit(0);
	}
	EXPECT_KID(0, pid, IPCLAB_SETTLE_MS);
	check_mutex_state(self->fd, id, IPCLAB_MUTEX_LOCKED, getpid(), 0);
	EXPECT_ERRNO(EDEADLK, mutex_lock(self->fd, id));
	EXPECT_OK(mutex_unlock(self->fd, id));
	check_mutex_state(self->fd, id, IPCLAB_MUTEX_UNLOCKED, 0, 0);
}

/*
 * A child has no undo values and no holdings of its own: the parent's
 * undo is not reverted when the child exits, only when the parent ends.
 */
TEST_F(proc, fork_child_has_no_undo)
{
	const struct ipclab_holder *h;
	__u32 id = NEW_SEM(1);
	struct snap s;
	pid_t pid;

	ASSERT_OK(sem_setval(self->fd, id, 0, 2));
	ASSERT_OK(sem_op1(self->fd, id, 0, -1, IPCLAB_SEMBUF_UNDO));
	pid = kids_fork(&self->cl);
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* A V of its own, without undo, to show up as a holder. */
		CHILD_CHECK(sem_op1(self->fd, id, 0, 1, 0), 0);
		_exit(0);
	}
	EXPECT_KID(0, pid, IPCLAB_SETTLE_MS);
	check_sem_values(self->fd, id, 2);
	ASSERT_OK(ipclab_snap(self->fd, id, &s));
	EXPECT_EQ(NULL, snap_holder(&s, pid, 0));
	h = snap_holder(&s, getpid(), 0);
	ASSERT_NE(NULL, h);
	EXPECT_EQ(1, h->held);
	EXPECT_EQ(1, h->undo);

	/* Our own end (closing our only session) applies our undo. */
	ASSERT_EQ(0, close(self->fd));
	self->fd = open(IPCLAB_DEVICE, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd);
	check_sem_values(self->fd, id, 3);
	ASSERT_OK(ipclab_snap(self->fd, id, &s));
	EXPECT_EQ(0, s.st.holders_len);
}

/* Parent and child hold separately, each its own entry. */
TEST_F(proc, fork_holdings_are_separate)
{
	const struct ipclab_holder *h;
	__u32 id = NEW_SEM(1);
	struct rendezvous rv;
	struct snap s;
	pid_t pid;

	ASSERT_OK(sem_setval(self->fd, id, 0, 5));
	ASSERT_OK(sem_op1(self->fd, id, 0, -1, 0));
	ASSERT_OK(rv_open(&rv));
	pid = kids_fork(&self->cl);
	ASSERT_LE(0, pid);
	if (pid == 0) {
		rv_child(&rv);
		CHILD_CHECK(sem_op1(self->fd, id, 0, -3, 0), 0);
		if (put_byte(rv.ready[1], 'r'))
			_exit(CHILD_BROKEN);
		get_byte(rv.go[0], 60 * 1000);
		_exit(0);
	}
	rv_parent(&rv);
	ASSERT_EQ('r', get_byte(rv.ready[0], IPCLAB_SETTLE_MS));
	ASSERT_OK(ipclab_snap(self->fd, id, &s));
	EXPECT_EQ(2, s.st.holders_len);
	h = snap_holder(&s, getpid(), 0);
	ASSERT_NE(NULL, h);
	EXPECT_EQ(1, h->held);
	h = snap_holder(&s, pid, 0);
	ASSERT_NE(NULL, h);
	EXPECT_EQ(3, h->held);

	ASSERT_OK(put_byte(rv.go[1], 'g'));
	EXPECT_KID(0, pid, IPCLAB_SETTLE_MS);
	rv_close(&rv);
	/* The child's holding went with it (no undo: the units stay taken). */
	ASSERT_OK(ipclab_snap(self->fd, id, &s));
	EXPECT_EQ(1, s.st.holders_len);
	EXPECT_EQ(NULL, snap_holder(&s, pid, 0));
	check_sem_values(self->fd, id, 1);
}

/* ------------------------------------------------------------------ */
/* The end of a process: closing sessions                             */
/* ------------------------------------------------------------------ */

/* How a child's session(s) are arranged in session_end_child(). */
enum sessions {
	ONE_SESSION,		/* close it: the process ends */
	DUP_SESSION,		/* fd and a dup(): closing one is not the end */
	TWO_SESSIONS,		/* two open()s: closing one is not the end */
};

/*
 * The child closes the session it inherited, opens its own, takes a unit
 * with undo and locks a mutex (says 'a'), then closes one fd (says 'b'),
 * then the other, if any (says 'c'), then waits to be told to exit.  It
 * waits for a byte on go before each close.
 */
static pid_t session_end_child(struct ipclab_cleanup *cl, int inherited,
			       __u32 sid, __u32 mid, enum sessions how,
			       struct rendezvous *rv)
{
	pid_t pid = kids_fork(cl);
	int fd1, fd2 = -1;

	if (pid != 0)
		return pid;
	close(inherited);
	rv_child(rv);
	fd1 = open(IPCLAB_DEVICE, O_RDWR | O_CLOEXEC);
	if (fd1 < 0)
		_exit(CHILD_BROKEN);
	if (how == DUP_SESSION)
		fd2 = dup(fd1);
	else if (how == TWO_SESSIONS)
		fd2 = open(IPCLAB_DEVICE, O_RDWR | O_CLOEXEC);
	if (how != ONE_SESSION && fd2 < 0)
		_exit(CHILD_BROKEN);

	CHILD_CHECK(sem_op1(fd1, sid, 0, -1, IPCLAB_SEMBUF_UNDO), 0);
	CHILD_CHECK(mutex_lock(fd1, mid), 0);
	if (put_byte(rv->ready[1], 'a'))
		_exit(CHILD_BROKEN);
	get_byte(rv->go[0], 60 * 1000);
	CHILD_CHECK(close(fd1), 0);
	if (put_byte(rv->ready[1], 'b'))
		_exit(CHILD_BROKEN);
	get_byte(rv->go[0], 60 * 1000);
	if (fd2 >= 0)
		CHILD_CHECK(close(fd2), 0);
	if (put_byte(rv->ready[1], 'c'))
		_exit(CHILD_BROKEN);
	get_byte(rv->go[0], 60 * 1000);
	_exit(0);
}

/* Undo applied, holdings dropped and the mutex owner-dead: the end. */
#define check_ended(pid, sid, mid) do {					\
	struct snap __s;						\
	check_sem_values(self->fd, (sid), 1);				\
	ASSERT_OK(ipclab_snap(self->fd, (sid), &__s));			\
	EXPECT_EQ(NULL, snap_holder(&__s, (pid), 0));			\
	ASSERT_OK(ipclab_stat(self->fd, (mid), &__s.st));		\
	EXPECT_EQ(IPCLAB_MUTEX_OWNERDEAD, __s.st.mutex.state);		\
} while (0)

/* Nothing applied yet: the child still holds the unit and the mutex. */
#define check_alive(pid, sid, mid) do {					\
	struct snap __s;						\
	const struct ipclab_holder *__h;				\
	check_sem_values(self->fd, (sid), 0);				\
	ASSERT_OK(ipclab_snap(self->fd, (sid), &__s));			\
	__h = snap_holder(&__s, (pid), 0);				\
	ASSERT_NE(NULL, __h);						\
	EXPECT_EQ(1, __h->held);					\
	EXPECT_EQ(1, __h->undo);					\
	check_mutex_state(self->fd, (mid), IPCLAB_MUTEX_LOCKED, (pid), 0); \
} while (0)

static void session_end(struct __test_metadata *_metadata,
			FIXTURE_DATA(proc) *self, enum sessions how)
{
	__u32 sid = NEW_SEM(1), mid = NEW_MUTEX();
	struct rendezvous rv;
	pid_t pid;

	ASSERT_OK(sem_setval(self->fd, sid, 0, 1));
	ASSERT_OK(rv_open(&rv));
	pid = session_end_child(&self->cl, self->fd, sid, mid, how, &rv);
	ASSERT_LE(0, pid);
	rv_parent(&rv);

	ASSERT_EQ('a', get_byte(rv.ready[0], IPCLAB_SETTLE_MS));
	check_alive(pid, sid, mid);

	ASSERT_OK(put_byte(rv.go[1], 'g'));
	ASSERT_EQ('b', get_byte(rv.ready[0], IPCLAB_SETTLE_MS));
	ASSERT_TRUE(kid_running(pid));
	if (how == ONE_SESSION) {
		/* Its last session is closed: it ended, though still alive. */
		check_ended(pid, sid, mid);
	} else {
		check_alive(pid, sid, mid);
		ASSERT_OK(put_byte(rv.go[1], 'g'));
		ASSERT_EQ('c', get_byte(rv.ready[0], IPCLAB_SETTLE_MS));
		ASSERT_TRUE(kid_running(pid));
		check_ended(pid, sid, mid);
	}

	ASSERT_OK(put_byte(rv.go[1], 'g'));
	if (how == ONE_SESSION) {
		ASSERT_EQ('c', get_byte(rv.ready[0], IPCLAB_SETTLE_MS));
		ASSERT_OK(put_byte(rv.go[1], 'g'));
	}
	EXPECT_KID(0, pid, IPCLAB_SETTLE_MS);
	rv_close(&rv);
	/* The exit itself changed nothing more. */
	check_sem_values(self->fd, sid, 1);
	EXPECT_ERRNO(EOWNERDEAD, mutex_lock(self->fd, mid));
	EXPECT_OK(mutex_consistent(self->fd, mid));
	EXPECT_OK(mutex_unlock(self->fd, mid));
}

TEST_F(proc, closing_last_session_ends_process)
{
	session_end(_metadata, self, ONE_SESSION);
}

TEST_F(proc, closing_a_dup_is_not_the_end)
{
	session_end(_metadata, self, DUP_SESSION);
}

TEST_F(proc, closing_one_of_two_sessions_is_not_the_end)
{
	session_end(_metadata, self, TWO_SESSIONS);
}

/* ------------------------------------------------------------------ */
/* exec()                                                             */
/* ------------------------------------------------------------------ */

#define EXEC_HELPER_ENV "IPCLAB_PROC_TEST_EXEC_HELPER"

/*
 * After exec: say 'e' on the ready fd, wait for a byte on the go fd, exit.
 * Runs before the harness's main() when the environment asks for it.
 */
__attribute__((constructor)) static void exec_helper(void)
{
	const char *e = getenv(EXEC_HELPER_ENV);
	int rfd, gfd;

	if (!e || sscanf(e, "%d,%d", &rfd, &gfd) != 2)
		return;
	if (put_byte(rfd, 'e'))
		_exit(CHILD_BROKEN);
	get_byte(gfd, 60 * 1000);
	_exit(0);
}

/*
 * exec() keeps the process: with a session fd open across it, the undo
 * and the mutex stay the process's until it ends after the exec.
 */
TEST_F(proc, exec_keeps_process_state)
{
	__u32 sid = NEW_SEM(1), mid = NEW_MUTEX();
	struct rendezvous rv;
	pid_t pid;

	ASSERT_OK(sem_setval(self->fd, sid, 0, 1));
	ASSERT_OK(rv_open(&rv));
	pid = kids_fork(&self->cl);
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char env[64], *argv[] = { "proc_test", NULL };
		char *envp[] = { env, NULL };
		int fd;

		rv_child(&rv);
		/* Kept across exec; the inherited session is O_CLOEXEC. */
		fd = open(IPCLAB_DEVICE, O_RDWR);
		if (fd < 0)
			_exit(CHILD_BROKEN);
		CHILD_CHECK(sem_op1(fd, sid, 0, -1, IPCLAB_SEMBUF_UNDO), 0);
		CHILD_CHECK(mutex_lock(fd, mid), 0);
		snprintf(env, sizeof(env), EXEC_HELPER_ENV "=%d,%d", rv.ready[1], rv.go[0]);
		execve("/proc/self/exe", argv, envp);
		_exit(CHILD_BROKEN);
	}
	rv_parent(&rv);
	ASSERT_EQ('e', get_byte(rv.ready[0], IPCLAB_SETTLE_MS))
		TH_LOG("the exec'd helper did not start");

	check_alive(pid, sid, mid);

	ASSERT_OK(put_byte(rv.go[1], 'g'));
	EXPECT_KID(0, pid, IPCLAB_SETTLE_MS);
	rv_close(&rv);
	check_ended(pid, sid, mid);
}

TEST_HARNESS_MAIN
