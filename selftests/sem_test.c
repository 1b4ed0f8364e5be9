// SPDX-License-Identifier: GPL-2.0
/*
 * Semaphore sets: values, operation lists, waiting (FIFO with handoff),
 * timeouts, signals, removal, undo, holdings, the snapshot, the limits,
 * and a stress test.
 *
 * A waiter is always a forked child: it inherits the session fd, makes its
 * call, and exits with 0 or the errno it got (see child_status()), so the
 * parent can watch it from outside through IPCLAB_IOC_STAT.
 */
#include <limits.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/sem.h>

#include "kselftest_harness.h"
#include "ipclab_test.h"

FIXTURE(sem) {
	int fd;
	struct ipclab_cleanup cl;
};

FIXTURE_SETUP(sem)
{
	memset(&self->cl, 0, sizeof(self->cl));
	IPCLAB_OPEN_OR_SKIP(self->fd);
}

FIXTURE_TEARDOWN_PARENT(sem)
{
	ipclab_cleanup(&self->cl);
}

/*
 * Fork a child that applies ops (waiting as wait_flags say) and exits with
 * 0 or the errno.  When report_fd >= 0, the child writes the byte "report"
 * to it once its call succeeded.
 */
static pid_t spawn_ops(struct ipclab_cleanup *cl, int fd, __u32 id,
		       const struct ipclab_sembuf *ops, __u32 nops,
		       __u32 wait_flags, __u64 timeout, int report_fd, int report)
{
	pid_t pid = kids_fork(cl);

	if (pid == 0) {
		int ret = sem_ops(fd, id, ops, nops, wait_flags, timeout);
		int st = child_status(ret);

		if (!ret && report_fd >= 0 && put_byte(report_fd, report))
			_exit(CHILD_BROKEN);
		_exit(st);
	}
	return pid;
}

/* A child doing one operation, waiting as long as it must. */
static pid_t spawn_op1(struct ipclab_cleanup *cl, int fd, __u32 id,
		       __u32 num, __s32 op, __u32 op_flags)
{
	struct ipclab_sembuf b = sembuf(num, op, op_flags);

	return spawn_ops(cl, fd, id, &b, 1, 0, 0, -1, 0);
}

/* A child doing one operation with a relative timeout. */
static pid_t spawn_op1_timeout(struct ipclab_cleanup *cl, int fd, __u32 id,
			       __u32 num, __s32 op, __u64 timeout_ns)
{
	struct ipclab_sembuf b = sembuf(num, op, 0);

	return spawn_ops(cl, fd, id, &b, 1, IPCLAB_WAIT_TIMEOUT, timeout_ns, -1, 0);
}

static void on_sigusr1(int sig)
{
}

/*
 * A child that applies ops and exits with 0 or the errno, like
 * spawn_ops(), with two options: sa_flags >= 0 installs a SIGUSR1 handler
 * with these flags first; rv != NULL makes it write its result (as a byte)
 * to rv->ready and wait for rv->go before it exits, so that its end does
 * not disturb what the parent checks.
 */
static pid_t spawn_waiter(struct ipclab_cleanup *cl, int fd, __u32 id,
			  const struct ipclab_sembuf *ops, __u32 nops,
			  __u32 wait_flags, __u64 timeout, int sa_flags,
			  struct rendezvous *rv)
{
	pid_t pid = kids_fork(cl);

	if (pid == 0) {
		struct sigaction sa;
		int st;

		if (rv)
			rv_child(rv);
		if (sa_flags >= 0) {
			memset(&sa, 0, sizeof(sa));
			sa.sa_handler = on_sigusr1;
			sa.sa_flags = sa_flags;
			sigemptyset(&sa.sa_mask);
			if (sigaction(SIGUSR1, &sa, NULL))
				_exit(CHILD_BROKEN);
		}
		st = child_status(sem_ops(fd, id, ops, nops, wait_flags, timeout));
		if (rv) {
			if (put_byte(rv->ready[1], st))
				_exit(CHILD_BROKEN);
			get_byte(rv->go[0], 60 * 1000);
		}
		_exit(st);
	}
	if (pid > 0 && rv)
		rv_parent(rv);
	return pid;
}

/*
 * A child that applies ops (which must not wait), says 'r' on rv->ready,
 * waits for a byte on rv->go (or EOF), and exits normally.
 */
static pid_t spawn_ops_and_linger(struct ipclab_cleanup *cl, int fd, __u32 id,
				  const struct ipclab_sembuf *ops, __u32 nops,
				  struct rendezvous *rv)
{
	pid_t pid = kids_fork(cl);

	if (pid == 0) {
		int ret;

		rv_child(rv);
		ret = sem_ops(fd, id, ops, nops, IPCLAB_WAIT_NOWAIT, 0);
		if (ret)
			_exit(child_status(ret));
		if (put_byte(rv->ready[1], 'r'))
			_exit(CHILD_BROKEN);
		get_byte(rv->go[0], 60 * 1000);
		_exit(0);
	}
	if (pid > 0)
		rv_parent(rv);
	return pid;
}

/* ------------------------------------------------------------------ */
/* Creation, values, argument checking                                */
/* ------------------------------------------------------------------ */

TEST_F(sem, create_state)
{
	__u32 id = NEW_SEM(4);
	time_t now = time(NULL);
	struct snap s;
	int i;

	ASSERT_OK(ipclab_snap(self->fd, id, &s));
	EXPECT_EQ(IPCLAB_TYPE_SEM, s.st.type);
	EXPECT_EQ(4, s.st.sem.nsems);
	EXPECT_EQ(0, s.st.sem.pad);
	for (i = 1; i < 16; i++) {
		EXPECT_EQ(0, s.st.reserved[i]) TH_LOG("reserved[%d]", i);
	}
	EXPECT_EQ(4, s.st.values_len);
	for (i = 0; i < 4; i++) {
		EXPECT_EQ(0, s.values[i]);
	}
	EXPECT_EQ((__s32)0xcccccccc, s.values[4]);
	EXPECT_EQ(0, s.st.nwaiters);
	EXPECT_EQ(0, s.st.waiters_len);
	EXPECT_EQ(0, s.st.ops_len);
	EXPECT_EQ(0, s.st.holders_len);

	EXPECT_EQ(IPCLAB_KEY_PRIVATE, s.st.perm.key);
	EXPECT_EQ(id, s.st.perm.id);
	EXPECT_EQ(getuid(), s.st.perm.uid);
	EXPECT_EQ(getgid(), s.st.perm.gid);
	EXPECT_EQ(getuid(), s.st.perm.cuid);
	EXPECT_EQ(getgid(), s.st.perm.cgid);
	EXPECT_EQ(0600, s.st.perm.mode);
	EXPECT_EQ(getpid(), s.st.perm.cpid);
	EXPECT_EQ(0, s.st.perm.flags);
	EXPECT_EQ(0, s.st.perm.otime);
	EXPECT_LE(now - 5, s.st.perm.ctime);
	EXPECT_GE(now + 5, s.st.perm.ctime);

	for (i = 0; i < 4; i++) {
		EXPECT_EQ(0, sem_getval(self->fd, id, i));
		EXPECT_EQ(0, sem_get(self->fd, id, IPCLAB_SEMCTL_GETNCNT, i));
		EXPECT_EQ(0, sem_get(self->fd, id, IPCLAB_SEMCTL_GETZCNT, i));
		EXPECT_EQ(0, sem_get(self->fd, id, IPCLAB_SEMCTL_GETPID, i));
	}
	check_sem_values(self->fd, id, 0, 0, 0, 0);
}

TEST_F(sem, values_roundtrip)
{
	long sem_max = param_or("sem_max", IPCLAB_DEF_SEM_MAX);
	__u32 id = NEW_SEM(3);
	__s32 all[3] = { 7, 0, 12 };
	struct snap s;

	EXPECT_OK(sem_setval(self->fd, id, 0, 1));
	EXPECT_OK(sem_setval(self->fd, id, 1, 2));
	EXPECT_OK(sem_setval(self->fd, id, 2, 3));
	EXPECT_EQ(1, sem_getval(self->fd, id, 0));
	EXPECT_EQ(2, sem_getval(self->fd, id, 1));
	EXPECT_EQ(3, sem_getval(self->fd, id, 2));
	check_sem_values(self->fd, id, 1, 2, 3);

	EXPECT_OK(sem_setall(self->fd, id, all, 3));
	check_sem_values(self->fd, id, 7, 0, 12);

	/* The bounds themselves are allowed. */
	EXPECT_OK(sem_setval(self->fd, id, 1, sem_max));
	EXPECT_OK(sem_setval(self->fd, id, 2, 0));
	check_sem_values(self->fd, id, 7, sem_max, 0);

	ASSERT_OK(ipclab_snap(self->fd, id, &s));
	EXPECT_EQ(3, s.st.values_len);
	EXPECT_EQ(7, s.values[0]);
	EXPECT_EQ(sem_max, s.values[1]);
	EXPECT_EQ(0, s.values[2]);
	/* Setting values is not an operation. */
	EXPECT_EQ(0, s.st.perm.otime);
}

TEST_F(sem, op_errors)
{
	long max_ops = param_or("max_ops", IPCLAB_DEF_MAX_OPS);
	__u32 id = NEW_SEM(2), zid = NEW_SEM(1), stale, mid;
	struct ipclab_sembuf b[2], *many;
	struct ipclab_semop raw;
	long i;

	ASSERT_OK(sem_setval(self->fd, id, 0, 1));
	ASSERT_OK(sem_setval(self->fd, id, 1, 2));

	/* num out of range */
	EXPECT_ERRNO(EFBIG, sem_op1(self->fd, id, 2, 1, 0));
	EXPECT_ERRNO(EFBIG, sem_op1(self->fd, id, 0xffffffff, 1, 0));

	/* nops: 0, and more than max_ops */
	b[0] = sembuf(0, 1, 0);
	EXPECT_ERRNO(EINVAL, sem_ops(self->fd, id, b, 0, 0, 0));
	many = calloc(max_ops + 1, sizeof(*many));
	ASSERT_NE(NULL, many);
	for (i = 0; i <= max_ops; i++)
		many[i] = sembuf(0, 0, 0);	/* wait-for-zero on a zero */
	EXPECT_OK(sem_ops(self->fd, zid, many, max_ops, 0, 0));
	EXPECT_ERRNO(E2BIG, sem_ops(self->fd, zid, many, max_ops + 1, 0, 0));
	EXPECT_ERRNO(E2BIG, sem_ops(self->fd, zid, many, 0xffffffff, 0, 0));
	free(many);

	/* unknown flags, padding */
	EXPECT_ERRNO(EINVAL, sem_op1_wait(self->fd, id, 0, 1, 0, 0x8, 0));
	EXPECT_ERRNO(EINVAL, sem_op1_wait(self->fd, id, 0, 1, 0, 0x80000000, 0));
	EXPECT_ERRNO(EINVAL, sem_op1(self->fd, id, 0, 1, 0x4));
	EXPECT_ERRNO(EINVAL, sem_op1(self->fd, id, 0, 1, 0x80000000));
	b[0] = sembuf(0, 1, 0);
	b[0].pad = 1;
	EXPECT_ERRNO(EINVAL, sem_ops(self->fd, id, b, 1, 0, 0));
	b[0] = sembuf(0, 1, 0);
	raw = (struct ipclab_semop){ .id = id, .nops = 1, .ops = ptr_u64(b), .pad = 1 };
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, IPCLAB_IOC_SEM_OP, &raw));

	/* timeout without a timeout flag; both timeout flags */
	EXPECT_ERRNO(EINVAL, sem_op1_wait(self->fd, id, 0, 1, 0, 0, 1));
	EXPECT_ERRNO(EINVAL, sem_op1_wait(self->fd, id, 0, 1, 0,
					  IPCLAB_WAIT_NOWAIT, NSEC_PER_SEC));
	EXPECT_ERRNO(EINVAL, sem_op1_wait(self->fd, id, 0, 1, 0,
					  IPCLAB_WAIT_TIMEOUT | IPCLAB_WAIT_ABSTIME,
					  NSEC_PER_SEC));

	/*
	 * An invalid operation is refused before anything waits: the first
	 * operation would block, the second is malformed.
	 */
	b[0] = sembuf(0, -5, 0);
	b[1] = sembuf(1, 1, 0x4);
	EXPECT_ERRNO(EINVAL, sem_ops(self->fd, id, b, 2, IPCLAB_WAIT_TIMEOUT,
				     NSEC_PER_SEC));
	b[1] = sembuf(7, 1, 0);
	EXPECT_ERRNO(EFBIG, sem_ops(self->fd, id, b, 2, IPCLAB_WAIT_TIMEOUT,
				    NSEC_PER_SEC));

	/* bad pointers */
	EXPECT_ERRNO(EFAULT, sem_ops(self->fd, id, NULL, 1, 0, 0));
	EXPECT_ERRNO(EFAULT, sem_ops(self->fd, id, (void *)1, 1, 0, 0));
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, IPCLAB_IOC_SEM_OP, NULL));

	/* ids: never valid, stale, another type */
	EXPECT_ERRNO(EINVAL, sem_op1(self->fd, 0xffffffff, 0, 1, 0));
	ASSERT_OK(sem_create(self->fd, 1, &stale));
	ASSERT_OK(ipclab_rmid(self->fd, stale));
	EXPECT_ERRNO(EINVAL, sem_op1(self->fd, stale, 0, 1, 0));
	mid = NEW_MUTEX();
	EXPECT_ERRNO(EINVAL, sem_op1(self->fd, mid, 0, 1, 0));

	/* Nothing of the above changed anything. */
	check_sem_values(self->fd, id, 1, 2);
	EXPECT_EQ(0, ipclab_nwaiters(self->fd, id));
}

/* IPCLAB_IOC_SEM_OP with IPCLAB_SEMOP_SYSV: ops is an array of struct sembuf. */
static int sysv_ops(int fd, __u32 id, struct sembuf *ops, __u32 nops, __u32 flags)
{
	struct ipclab_semop arg = {
		.id = id, .nops = nops, .ops = ptr_u64(ops),
		.flags = IPCLAB_SEMOP_SYSV | flags,
	};

	return ioctl(fd, IPCLAB_IOC_SEM_OP, &arg);
}

/*
 * IPCLAB_SEMOP_SYSV: the operations are semop(2)'s struct sembuf, read by
 * the kernel (a bad array is EFAULT), SEM_UNDO and IPC_NOWAIT their
 * flags; other sem_flg bits are ignored, as semop(2) ignores them.
 * More operations than fit on the kernel's stack take the other path.
 */
TEST_F(sem, sysv_sembufs)
{
	__u32 id = NEW_SEM(3);
	struct sembuf ops[20];
	pid_t pid;
	int i;

	ops[0] = (struct sembuf){ .sem_num = 0, .sem_op = 2 };
	ops[1] = (struct sembuf){ .sem_num = 2, .sem_op = 1, .sem_flg = 0x2 };
	EXPECT_OK(sysv_ops(self->fd, id, ops, 2, 0));
	check_sem_values(self->fd, id, 2, 0, 1);

	/* IPC_NOWAIT: the second cannot go, so neither goes. */
	ops[0] = (struct sembuf){ .sem_num = 0, .sem_op = -1, .sem_flg = IPC_NOWAIT };
	ops[1] = (struct sembuf){ .sem_num = 1, .sem_op = -1, .sem_flg = IPC_NOWAIT };
	EXPECT_ERRNO(EAGAIN, sysv_ops(self->fd, id, ops, 2, 0));
	check_sem_values(self->fd, id, 2, 0, 1);

	for (i = 0; i < 20; i++)
		ops[i] = (struct sembuf){ .sem_num = i % 3, .sem_op = i + 1 };
	EXPECT_OK(sysv_ops(self->fd, id, ops, 20, 0));
	check_sem_values(self->fd, id, 2 + 70, 77, 1 + 63);

	/* SEM_UNDO: reverted when the process ends. */
	pid = kids_fork(&self->cl);
	ASSERT_LE(0, pid);
	if (pid == 0) {
		ops[0] = (struct sembuf){ .sem_num = 1, .sem_op = -7, .sem_flg = SEM_UNDO };
		_exit(child_status(sysv_ops(self->fd, id, ops, 1, IPCLAB_WAIT_NOWAIT)));
	}
	EXPECT_EQ(0, kids_wait(&self->cl, pid, IPCLAB_SETTLE_MS));
	check_sem_values(self->fd, id, 72, 77, 64);

	/* What the kernel checks still holds; bad arrays are EFAULT. */
	ops[0] = (struct sembuf){ .sem_num = 3, .sem_op = 1 };
	EXPECT_ERRNO(EFBIG, sysv_ops(self->fd, id, ops, 1, 0));
	EXPECT_ERRNO(EINVAL, sysv_ops(self->fd, id, ops, 1, 0x8));
	EXPECT_ERRNO(EFAULT, sysv_ops(self->fd, id, NULL, 1, 0));
	EXPECT_ERRNO(EFAULT, sysv_ops(self->fd, id, (void *)1, 1, 0));
	EXPECT_ERRNO(EFAULT, sysv_ops(self->fd, id, (void *)1, 20, 0));
	check_sem_values(self->fd, id, 72, 77, 64);
}

TEST_F(sem, ctl_errors)
{
	long sem_max = param_or("sem_max", IPCLAB_DEF_SEM_MAX);
	__u32 id = NEW_SEM(2), stale, mid;
	__s32 vals[3] = { 0, 0, 0 };
	struct ipclab_semctl c;
	__s32 v;

	ASSERT_OK(sem_setval(self->fd, id, 0, 4));
	ASSERT_OK(sem_setval(self->fd, id, 1, 5));

	/* unknown commands, padding */
	EXPECT_ERRNO(EINVAL, sem_ctl(self->fd, id, 0, 0, &v));
	EXPECT_ERRNO(EINVAL, sem_ctl(self->fd, id, 8, 0, &v));
	EXPECT_ERRNO(EINVAL, sem_ctl(self->fd, id, 0xffffffff, 0, &v));
	c = (struct ipclab_semctl){ .id = id, .cmd = IPCLAB_SEMCTL_GETVAL, .flags = 1 };
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, IPCLAB_IOC_SEM_CTL, &c));

	/* num out of range */
	EXPECT_ERRNO(EFBIG, sem_ctl(self->fd, id, IPCLAB_SEMCTL_GETVAL, 2, &v));
	v = 1;
	EXPECT_ERRNO(EFBIG, sem_ctl(self->fd, id, IPCLAB_SEMCTL_SETVAL, 2, &v));
	EXPECT_ERRNO(EFBIG, sem_ctl(self->fd, id, IPCLAB_SEMCTL_GETNCNT, 2, &v));
	EXPECT_ERRNO(EFBIG, sem_ctl(self->fd, id, IPCLAB_SEMCTL_GETZCNT, 2, &v));
	EXPECT_ERRNO(EFBIG, sem_ctl(self->fd, id, IPCLAB_SEMCTL_GETPID, 0xffffffff, &v));

	/* GETALL/SETALL need exactly nsems values */
	EXPECT_ERRNO(EINVAL, sem_getall(self->fd, id, vals, 1));
	EXPECT_ERRNO(EINVAL, sem_getall(self->fd, id, vals, 3));
	EXPECT_ERRNO(EINVAL, sem_getall(self->fd, id, vals, 0));
	EXPECT_ERRNO(EINVAL, sem_setall(self->fd, id, vals, 1));
	EXPECT_ERRNO(EINVAL, sem_setall(self->fd, id, vals, 3));

	/* values out of range; SETALL is all or nothing */
	EXPECT_ERRNO(ERANGE, sem_setval(self->fd, id, 0, -1));
	EXPECT_ERRNO(ERANGE, sem_setval(self->fd, id, 0, INT_MIN));
	EXPECT_ERRNO(ERANGE, sem_setval(self->fd, id, 0, sem_max + 1));
	vals[0] = 1;
	vals[1] = -1;
	EXPECT_ERRNO(ERANGE, sem_setall(self->fd, id, vals, 2));
	vals[1] = sem_max + 1;
	EXPECT_ERRNO(ERANGE, sem_setall(self->fd, id, vals, 2));

	/* bad pointers */
	EXPECT_ERRNO(EFAULT, sem_setall(self->fd, id, (void *)1, 2));
	EXPECT_ERRNO(EFAULT, sem_setall(self->fd, id, NULL, 2))
		TH_LOG("NULL is a bad pointer (header: EFAULT)");
	c = (struct ipclab_semctl){ .id = id, .cmd = IPCLAB_SEMCTL_GETALL,
				    .values = 1, .nvalues = 2 };
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, IPCLAB_IOC_SEM_CTL, &c));
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, IPCLAB_IOC_SEM_CTL, NULL));

	/* ids */
	ASSERT_OK(sem_create(self->fd, 2, &stale));
	ASSERT_OK(ipclab_rmid(self->fd, stale));
	EXPECT_ERRNO(EINVAL, sem_ctl(self->fd, stale, IPCLAB_SEMCTL_GETVAL, 0, &v));
	EXPECT_ERRNO(EINVAL, sem_getall(self->fd, stale, vals, 2));
	mid = NEW_MUTEX();
	EXPECT_ERRNO(EINVAL, sem_ctl(self->fd, mid, IPCLAB_SEMCTL_GETVAL, 0, &v));

	check_sem_values(self->fd, id, 4, 5);
}

TEST_F(sem, v_and_p_without_waiting)
{
	__u32 id = NEW_SEM(1);
	time_t now = time(NULL);
	struct ipclab_stat st;

	EXPECT_OK(sem_op1(self->fd, id, 0, 3, 0));
	check_sem_values(self->fd, id, 3);
	EXPECT_OK(sem_op1(self->fd, id, 0, -2, 0));
	check_sem_values(self->fd, id, 1);

	/* Not enough: both kinds of "do not wait" say EAGAIN. */
	EXPECT_ERRNO(EAGAIN, sem_op1(self->fd, id, 0, -2, IPCLAB_SEMBUF_NOWAIT));
	EXPECT_ERRNO(EAGAIN, sem_op1_wait(self->fd, id, 0, -2, 0,
					  IPCLAB_WAIT_NOWAIT, 0));
	/* Wait-for-zero on a non-zero value. */
	EXPECT_ERRNO(EAGAIN, sem_op1(self->fd, id, 0, 0, IPCLAB_SEMBUF_NOWAIT));
	EXPECT_ERRNO(EAGAIN, sem_op1_wait(self->fd, id, 0, 0, 0,
					  IPCLAB_WAIT_NOWAIT, 0));
	check_sem_values(self->fd, id, 1);

	/* Exactly enough, then zero: nothing waits. */
	EXPECT_OK(sem_op1_wait(self->fd, id, 0, -1, 0, IPCLAB_WAIT_NOWAIT, 0));
	EXPECT_OK(sem_op1_wait(self->fd, id, 0, 0, 0, IPCLAB_WAIT_NOWAIT, 0));
	EXPECT_OK(sem_op1(self->fd, id, 0, 0, 0));
	check_sem_values(self->fd, id, 0);

	EXPECT_EQ(getpid(), sem_get(self->fd, id, IPCLAB_SEMCTL_GETPID, 0));
	ASSERT_OK(ipclab_stat(self->fd, id, &st));
	EXPECT_EQ(getpid(), st.perm.lpid);
	EXPECT_LE(now - 5, st.perm.otime);
	EXPECT_GE(now + 5, st.perm.otime);
	EXPECT_EQ(0, st.nwaiters);
}

TEST_F(sem, v_overflow_is_erange)
{
	long sem_max = param_or("sem_max", IPCLAB_DEF_SEM_MAX);
	__u32 id = NEW_SEM(1);

	ASSERT_OK(sem_setval(self->fd, id, 0, sem_max - 1));
	EXPECT_OK(sem_op1(self->fd, id, 0, 1, 0));
	EXPECT_ERRNO(ERANGE, sem_op1(self->fd, id, 0, 1, 0));
	EXPECT_ERRNO(ERANGE, sem_op1(self->fd, id, 0, INT_MAX, 0));
	check_sem_values(self->fd, id, sem_max);

	ASSERT_OK(sem_setval(self->fd, id, 0, 0));
	EXPECT_ERRNO(ERANGE, sem_op1(self->fd, id, 0, sem_max + 1, 0));
	EXPECT_ERRNO(ERANGE, sem_op1(self->fd, id, 0, INT_MAX, 0));
	check_sem_values(self->fd, id, 0);

	/*
	 * P(INT_MIN) can never be satisfied (-op does not fit in an int):
	 * it must fail cleanly whatever the errno, and change nothing.
	 */
	errno = 0;
	EXPECT_EQ(-1, sem_op1_wait(self->fd, id, 0, INT_MIN, 0,
				   IPCLAB_WAIT_NOWAIT, 0));
	TH_LOG("P(INT_MIN): %s", strerror(errno));
	check_sem_values(self->fd, id, 0);
}

/* ------------------------------------------------------------------ */
/* Waiting                                                            */
/* ------------------------------------------------------------------ */

TEST_F(sem, p_blocks_until_v)
{
	__u32 id = NEW_SEM(1);
	struct snap s;
	pid_t pid;

	pid = spawn_op1(&self->cl, self->fd, id, 0, -1, 0);
	ASSERT_LT(0, pid);
	ASSERT_TRUE(wait_for_waiters(self->fd, id, 1))
		TH_LOG("the child never showed up in the waiting room");

	ASSERT_OK(ipclab_snap(self->fd, id, &s));
	ASSERT_EQ(1, s.st.nwaiters);
	EXPECT_EQ(1, s.st.waiters_len);
	EXPECT_EQ(pid, s.waiters[0].pid);
	EXPECT_EQ(pid, s.waiters[0].tid);
	EXPECT_EQ(IPCLAB_WAITER_SEMOP, s.waiters[0].kind);
	EXPECT_EQ(0, s.waiters[0].first_op);
	EXPECT_EQ(1, s.waiters[0].nops);
	EXPECT_EQ(1, s.st.ops_len);
	EXPECT_EQ(0, s.ops[0].num);
	EXPECT_EQ(-1, s.ops[0].op);
	EXPECT_EQ(0, s.ops[0].flags);
	EXPECT_EQ(0, s.ops[0].pad);
	EXPECT_EQ(1, sem_get(self->fd, id, IPCLAB_SEMCTL_GETNCNT, 0));
	EXPECT_EQ(0, sem_get(self->fd, id, IPCLAB_SEMCTL_GETZCNT, 0));

	/* Not before the V. */
	EXPECT_TRUE(still_blocked(pid, IPCLAB_BLOCKED_MS));
	EXPECT_EQ(1, ipclab_nwaiters(self->fd, id));
	check_sem_values(self->fd, id, 0);

	/*
	 * The V performs the waiter's P before it returns (handoff): the
	 * value is already 0 and the waiting room empty.
	 */
	ASSERT_OK(sem_op1(self->fd, id, 0, 1, 0));
	check_sem_values(self->fd, id, 0);
	EXPECT_EQ(0, ipclab_nwaiters(self->fd, id));
	EXPECT_KID(0, pid, IPCLAB_SETTLE_MS);
	check_sem_values(self->fd, id, 0);
	EXPECT_EQ(0, sem_get(self->fd, id, IPCLAB_SEMCTL_GETNCNT, 0));
}

TEST_F(sem, p_waits_for_the_whole_amount)
{
	__u32 id = NEW_SEM(1);
	pid_t pid;

	pid = spawn_op1(&self->cl, self->fd, id, 0, -3, 0);
	ASSERT_LT(0, pid);
	ASSERT_TRUE(wait_for_waiters(self->fd, id, 1));

	ASSERT_OK(sem_op1(self->fd, id, 0, 1, 0));
	ASSERT_OK(sem_op1(self->fd, id, 0, 1, 0));
	EXPECT_TRUE(still_blocked(pid, IPCLAB_BLOCKED_MS));
	check_sem_values(self->fd, id, 2);
	EXPECT_EQ(1, ipclab_nwaiters(self->fd, id));

	ASSERT_OK(sem_op1(self->fd, id, 0, 1, 0));
	EXPECT_KID(0, pid, IPCLAB_SETTLE_MS);
	check_sem_values(self->fd, id, 0);
	EXPECT_EQ(0, ipclab_nwaiters(self->fd, id));
}

TEST_F(sem, one_v_releases_several)
{
	__u32 id = NEW_SEM(1);
	pid_t pid[3];
	int i;

	for (i = 0; i < 3; i++) {
		pid[i] = spawn_op1(&self->cl, self->fd, id, 0, -1, 0);
		ASSERT_LT(0, pid[i]);
		ASSERT_TRUE(wait_for_waiters(self->fd, id, i + 1));
	}
	ASSERT_OK(sem_op1(self->fd, id, 0, 4, 0));
	for (i = 0; i < 3; i++) {
		EXPECT_KID(0, pid[i], IPCLAB_SETTLE_MS);
	}
	check_sem_values(self->fd, id, 1);
	EXPECT_EQ(0, ipclab_nwaiters(self->fd, id));
}

/*
 * Eight waiters queue one after the other; each V lets exactly the next
 * one through, in arrival order.  The waiting room shows them in that
 * order, with their pids, names, increasing tickets and growing waits.
 */
TEST_F_TIMEOUT(sem, fifo_order, 120)
{
	const int n = 8;
	__u32 id = NEW_SEM(1);
	struct snap s1, s2;
	pid_t pid[8];
	int p[2], i;

	ASSERT_OK(pipe(p));
	for (i = 0; i < n; i++) {
		pid[i] = kids_fork(&self->cl);
		ASSERT_LE(0, pid[i]);
		if (pid[i] == 0) {
			int ret;

			close(p[0]);
			set_comm("ipclab-w%d", i);
			ret = sem_op1(self->fd, id, 0, -1, 0);
			if (ret)
				_exit(child_status(ret));
			_exit(put_byte(p[1], i) ? CHILD_BROKEN : 0);
		}
		ASSERT_TRUE(wait_for_waiters(self->fd, id, i + 1))
			TH_LOG("waiter %d never queued", i);
	}
	close(p[1]);

	ASSERT_OK(ipclab_snap(self->fd, id, &s1));
	ASSERT_EQ(n, s1.st.nwaiters);
	ASSERT_EQ(n, s1.st.waiters_len);
	EXPECT_EQ(n, s1.st.ops_len);
	for (i = 0; i < n; i++) {
		char comm[16];

		snprintf(comm, sizeof(comm), "ipclab-w%d", i);
		EXPECT_EQ(pid[i], s1.waiters[i].pid) TH_LOG("waiter %d", i);
		EXPECT_EQ(pid[i], s1.waiters[i].tid);
		EXPECT_STREQ(comm, s1.waiters[i].comm);
		EXPECT_EQ(IPCLAB_WAITER_SEMOP, s1.waiters[i].kind);
		EXPECT_EQ(1, s1.waiters[i].nops);
		EXPECT_EQ(i, s1.waiters[i].first_op);
		EXPECT_EQ(0, s1.ops[i].num);
		EXPECT_EQ(-1, s1.ops[i].op);
		if (i > 0) {
			EXPECT_LT(s1.waiters[i - 1].ticket, s1.waiters[i].ticket);
			EXPECT_GE(s1.waiters[i - 1].waited_ns, s1.waiters[i].waited_ns);
		}
	}
	EXPECT_EQ(n, sem_get(self->fd, id, IPCLAB_SEMCTL_GETNCNT, 0));

	usleep(20 * 1000);
	ASSERT_OK(ipclab_snap(self->fd, id, &s2));
	ASSERT_EQ(n, s2.st.waiters_len);
	for (i = 0; i < n; i++) {
		EXPECT_EQ(s1.waiters[i].pid, s2.waiters[i].pid);
		EXPECT_EQ(s1.waiters[i].ticket, s2.waiters[i].ticket);
		EXPECT_LE(s1.waiters[i].waited_ns + 10 * NSEC_PER_MSEC,
			  s2.waiters[i].waited_ns) TH_LOG("waiter %d", i);
	}

	for (i = 0; i < n; i++) {
		ASSERT_OK(sem_op1(self->fd, id, 0, 1, 0));
		EXPECT_EQ(i, get_byte(p[0], IPCLAB_SETTLE_MS))
			TH_LOG("V number %d let the wrong waiter through", i);
		EXPECT_KID(0, pid[i], IPCLAB_SETTLE_MS);
		EXPECT_EQ(n - 1 - i, ipclab_nwaiters(self->fd, id));
		check_sem_values(self->fd, id, 0);
	}
	close(p[0]);
}

/*
 * Strict FIFO handoff: A waits for P(2), then B for P(1).  A V(1) makes
 * the value 1, enough for B but not for A: B still waits, behind A, and
 * so does any later P(1).  The next V(1) completes A's P(2) at once (the
 * V performs it), and B still waits for a unit of its own.
 */
TEST_F(sem, fifo_no_overtaking)
{
	__u32 id = NEW_SEM(1);
	pid_t a, b;

	a = spawn_op1(&self->cl, self->fd, id, 0, -2, 0);
	ASSERT_LT(0, a);
	ASSERT_TRUE(wait_for_waiters(self->fd, id, 1));
	b = spawn_op1(&self->cl, self->fd, id, 0, -1, 0);
	ASSERT_LT(0, b);
	ASSERT_TRUE(wait_for_waiters(self->fd, id, 2));

	ASSERT_OK(sem_op1(self->fd, id, 0, 1, 0));
	EXPECT_TRUE(still_blocked(b, IPCLAB_BLOCKED_MS))
		TH_LOG("B took the unit A was waiting for");
	EXPECT_TRUE(still_blocked(a, 0));
	check_sem_values(self->fd, id, 1);
	EXPECT_EQ(2, ipclab_nwaiters(self->fd, id));

	/* A later arrival may not take it either. */
	EXPECT_ERRNO(EAGAIN, sem_op1(self->fd, id, 0, -1, IPCLAB_SEMBUF_NOWAIT));
	EXPECT_ERRNO(EAGAIN, sem_op1_wait(self->fd, id, 0, -1, 0,
					  IPCLAB_WAIT_NOWAIT, 0));
	EXPECT_ERRNO(ETIMEDOUT, sem_op1_wait(self->fd, id, 0, -1, 0,
					     IPCLAB_WAIT_TIMEOUT,
					     50 * NSEC_PER_MSEC));
	check_sem_values(self->fd, id, 1);
	EXPECT_EQ(2, ipclab_nwaiters(self->fd, id));

	ASSERT_OK(sem_op1(self->fd, id, 0, 1, 0));
	/* Handoff: A's P(2) is done when the V returns. */
	check_sem_values(self->fd, id, 0);
	EXPECT_EQ(1, ipclab_nwaiters(self->fd, id));
	EXPECT_KID(0, a, IPCLAB_SETTLE_MS);
	EXPECT_TRUE(still_blocked(b, IPCLAB_BLOCKED_MS));

	ASSERT_OK(sem_op1(self->fd, id, 0, 1, 0));
	EXPECT_KID(0, b, IPCLAB_SETTLE_MS);
	check_sem_values(self->fd, id, 0);
	EXPECT_EQ(0, ipclab_nwaiters(self->fd, id));
}

/*
 * IPCLAB_NOFIFO, the same scene as fifo_no_overtaking: B and a later
 * arrival take the unit A waits for, as Linux SysV lets them; A, which
 * needs two, starves until two are there at once.
 */
TEST_F(sem, nofifo_overtaking)
{
	struct ipclab_stat st = {};
	__u32 id;
	pid_t a, b;

	ASSERT_OK(ipclab_get(self->fd, IPCLAB_TYPE_SEM, IPCLAB_KEY_PRIVATE,
			     IPCLAB_CREAT | IPCLAB_NOFIFO, 0600, 1, &id));
	cl_track(&self->cl, id);
	st.id = id;
	ASSERT_OK(ioctl(self->fd, IPCLAB_IOC_STAT, &st));
	EXPECT_EQ(IPCLAB_NOFIFO, st.perm.flags);

	a = spawn_op1(&self->cl, self->fd, id, 0, -2, 0);
	ASSERT_LT(0, a);
	ASSERT_TRUE(wait_for_waiters(self->fd, id, 1));
	b = spawn_op1(&self->cl, self->fd, id, 0, -1, 0);
	ASSERT_LT(0, b);
	ASSERT_TRUE(wait_for_waiters(self->fd, id, 2));

	/* The waiter behind A goes first: A cannot use one unit. */
	ASSERT_OK(sem_op1(self->fd, id, 0, 1, 0));
	EXPECT_KID(0, b, IPCLAB_SETTLE_MS);
	EXPECT_TRUE(still_blocked(a, IPCLAB_BLOCKED_MS));
	check_sem_values(self->fd, id, 0);

	/* A newcomer takes a unit at once, past A. */
	ASSERT_OK(sem_op1(self->fd, id, 0, 1, 0));
	EXPECT_OK(sem_op1(self->fd, id, 0, -1, IPCLAB_SEMBUF_NOWAIT));
	EXPECT_TRUE(still_blocked(a, 0));

	/* Two at once: A's turn at last. */
	ASSERT_OK(sem_op1(self->fd, id, 0, 2, 0));
	EXPECT_KID(0, a, IPCLAB_SETTLE_MS);
	check_sem_values(self->fd, id, 0);
	EXPECT_EQ(0, ipclab_nwaiters(self->fd, id));

	/* A creation option only, and only for semaphore sets. */
	EXPECT_ERRNO(EINVAL, ipclab_get(self->fd, IPCLAB_TYPE_SEM,
					IPCLAB_KEY_PRIVATE, IPCLAB_NOFIFO,
					0600, 1, &id));
	EXPECT_ERRNO(EINVAL, ipclab_get(self->fd, IPCLAB_TYPE_MUTEX,
					IPCLAB_KEY_PRIVATE,
					IPCLAB_CREAT | IPCLAB_NOFIFO,
					0600, 0, &id));
}

/*
 * A waiter with several operations waits to decrement each semaphore it
 * decrements: a later P on any of them queues behind it, even when that
 * semaphore alone would allow it.
 */
TEST_F(sem, fifo_multi_op_waiter_blocks_each_decrement)
{
	struct ipclab_sembuf both[2] = { sembuf(0, -1, 0), sembuf(1, -1, 0) };
	__u32 id = NEW_SEM(2);
	pid_t a, b;

	ASSERT_OK(sem_setval(self->fd, id, 0, 1));
	a = spawn_ops(&self->cl, self->fd, id, both, 2, 0, 0, -1, 0);
	ASSERT_TRUE(wait_for_waiters(self->fd, id, 1));
	EXPECT_ERRNO(EAGAIN, sem_op1(self->fd, id, 0, -1, IPCLAB_SEMBUF_NOWAIT));
	b = spawn_op1(&self->cl, self->fd, id, 0, -1, 0);
	ASSERT_TRUE(wait_for_waiters(self->fd, id, 2));
	EXPECT_TRUE(still_blocked(b, IPCLAB_BLOCKED_MS));
	check_sem_values(self->fd, id, 1, 0);

	ASSERT_OK(sem_op1(self->fd, id, 1, 1, 0));
	EXPECT_KID(0, a, IPCLAB_SETTLE_MS);
	check_sem_values(self->fd, id, 0, 0);
	EXPECT_TRUE(still_blocked(b, IPCLAB_BLOCKED_MS));
	ASSERT_OK(sem_op1(self->fd, id, 0, 1, 0));
	EXPECT_KID(0, b, IPCLAB_SETTLE_MS);
	check_sem_values(self->fd, id, 0, 0);
}

/*
 * FIFO at zero: W asks for [V, P] on a semaphore at 0, which needs no
 * unit of it, but queues behind X, who waits for one.  When X gives up,
 * W is first and goes at once, though the value is still 0.
 */
TEST_F(sem, fifo_head_goes_at_zero)
{
	struct ipclab_sembuf vp[2] = { sembuf(0, 1, 0), sembuf(0, -1, 0) };
	__u32 id = NEW_SEM(1);
	pid_t x, w;

	x = spawn_op1_timeout(&self->cl, self->fd, id, 0, -1, 300 * NSEC_PER_MSEC);
	ASSERT_LT(0, x);
	ASSERT_TRUE(wait_for_waiters(self->fd, id, 1));
	w = spawn_ops(&self->cl, self->fd, id, vp, 2, 0, 0, -1, 0);
	ASSERT_LT(0, w);
	ASSERT_TRUE(wait_for_waiters(self->fd, id, 2));
	EXPECT_KID(ETIMEDOUT, x, IPCLAB_SETTLE_MS);
	EXPECT_KID(0, w, IPCLAB_SETTLE_MS) TH_LOG("the new first waiter was never tried");
	check_sem_values(self->fd, id, 0);
}

/* Waiting on one semaphore of a set does not hold up the others. */
TEST_F(sem, other_semaphores_unaffected)
{
	__u32 id = NEW_SEM(2);
	pid_t a, b;

	a = spawn_op1(&self->cl, self->fd, id, 0, -1, 0);
	ASSERT_LT(0, a);
	ASSERT_TRUE(wait_for_waiters(self->fd, id, 1));

	ASSERT_OK(sem_op1(self->fd, id, 1, 1, 0));
	EXPECT_OK(sem_op1_wait(self->fd, id, 1, -1, 0, IPCLAB_WAIT_NOWAIT, 0));
	EXPECT_OK(sem_op1_wait(self->fd, id, 1, 0, 0, IPCLAB_WAIT_NOWAIT, 0));

	b = spawn_op1(&self->cl, self->fd, id, 1, -1, 0);
	ASSERT_LT(0, b);
	ASSERT_TRUE(wait_for_waiters(self->fd, id, 2));
	/* B arrived after A, but A waits for another semaphore. */
	ASSERT_OK(sem_op1(self->fd, id, 1, 1, 0));
	EXPECT_KID(0, b, IPCLAB_SETTLE_MS);
	EXPECT_TRUE(still_blocked(a, IPCLAB_BLOCKED_MS));

	ASSERT_OK(sem_op1(self->fd, id, 0, 1, 0));
	EXPECT_KID(0, a, IPCLAB_SETTLE_MS);
	check_sem_values(self->fd, id, 0, 0);
}

/*
 * A list of operations is applied all at once or not at all: while its
 * second operation cannot go, its first one has not happened either.
 */
TEST_F(sem, multi_op_atomic_when_blocked)
{
	__u32 id = NEW_SEM(3);
	struct ipclab_sembuf ops[3] = {
		sembuf(0, -1, 0), sembuf(1, -1, 0), sembuf(2, 1, 0),
	};
	__s32 init[3] = { 1, 0, 0 };
	struct snap s;
	pid_t pid;
	int i;

	ASSERT_OK(sem_setall(self->fd, id, init, 3));
	EXPECT_ERRNO(EAGAIN, sem_ops(self->fd, id, ops, 3, IPCLAB_WAIT_NOWAIT, 0));
	check_sem_values(self->fd, id, 1, 0, 0);

	pid = spawn_ops(&self->cl, self->fd, id, ops, 3, 0, 0, -1, 0);
	ASSERT_LT(0, pid);
	ASSERT_TRUE(wait_for_waiters(self->fd, id, 1));
	EXPECT_TRUE(still_blocked(pid, IPCLAB_BLOCKED_MS));
	check_sem_values(self->fd, id, 1, 0, 0);

	ASSERT_OK(ipclab_snap(self->fd, id, &s));
	ASSERT_EQ(1, s.st.waiters_len);
	EXPECT_EQ(pid, s.waiters[0].pid);
	EXPECT_EQ(0, s.waiters[0].first_op);
	EXPECT_EQ(3, s.waiters[0].nops);
	ASSERT_EQ(3, s.st.ops_len);
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(ops[i].num, s.ops[i].num);
		EXPECT_EQ(ops[i].op, s.ops[i].op);
		EXPECT_EQ(ops[i].flags, s.ops[i].flags);
	}
	/* Still the original values in the snapshot. */
	EXPECT_EQ(1, s.values[0]);
	EXPECT_EQ(0, s.values[1]);
	EXPECT_EQ(0, s.values[2]);

	/* Now the whole list can go, and all of it is applied. */
	ASSERT_OK(sem_op1(self->fd, id, 1, 1, 0));
	EXPECT_KID(0, pid, IPCLAB_SETTLE_MS);
	check_sem_values(self->fd, id, 0, 0, 1);
	EXPECT_EQ(0, ipclab_nwaiters(self->fd, id));
}

/* A list that fails half-way leaves every value as it was. */
TEST_F(sem, multi_op_atomic_on_error)
{
	long sem_max = param_or("sem_max", IPCLAB_DEF_SEM_MAX);
	__u32 id = NEW_SEM(2);
	struct ipclab_sembuf ops[2];

	ASSERT_OK(sem_setval(self->fd, id, 1, 1));

	ops[0] = sembuf(0, 1, 0);
	ops[1] = sembuf(1, -2, 0);
	EXPECT_ERRNO(EAGAIN, sem_ops(self->fd, id, ops, 2, IPCLAB_WAIT_NOWAIT, 0));
	ops[1] = sembuf(1, -2, IPCLAB_SEMBUF_NOWAIT);
	EXPECT_ERRNO(EAGAIN, sem_ops(self->fd, id, ops, 2, 0, 0));
	ops[1] = sembuf(1, -2, 0);
	EXPECT_ERRNO(ETIMEDOUT, sem_ops(self->fd, id, ops, 2, IPCLAB_WAIT_TIMEOUT,
					20 * NSEC_PER_MSEC));
	ops[1] = sembuf(2, 1, 0);
	EXPECT_ERRNO(EFBIG, sem_ops(self->fd, id, ops, 2, 0, 0));
	ops[1] = sembuf(1, sem_max, 0);
	EXPECT_ERRNO(ERANGE, sem_ops(self->fd, id, ops, 2, 0, 0));
	check_sem_values(self->fd, id, 0, 1);
	EXPECT_EQ(0, ipclab_nwaiters(self->fd, id));

	/* And a list that can go is applied whole. */
	ops[1] = sembuf(1, -1, 0);
	EXPECT_OK(sem_ops(self->fd, id, ops, 2, 0, 0));
	check_sem_values(self->fd, id, 1, 0);
}

TEST_F(sem, wait_for_zero)
{
	__u32 id = NEW_SEM(1);
	struct snap s;
	pid_t pid[3];
	int i;

	ASSERT_OK(sem_setval(self->fd, id, 0, 2));
	for (i = 0; i < 3; i++) {
		pid[i] = spawn_op1(&self->cl, self->fd, id, 0, 0, 0);
		ASSERT_LT(0, pid[i]);
		ASSERT_TRUE(wait_for_waiters(self->fd, id, i + 1));
	}
	EXPECT_EQ(3, sem_get(self->fd, id, IPCLAB_SEMCTL_GETZCNT, 0));
	EXPECT_EQ(0, sem_get(self->fd, id, IPCLAB_SEMCTL_GETNCNT, 0));
	ASSERT_OK(ipclab_snap(self->fd, id, &s));
	ASSERT_EQ(3, s.st.ops_len);
	EXPECT_EQ(0, s.ops[0].op);

	/* 2 -> 1: not yet. */
	ASSERT_OK(sem_op1(self->fd, id, 0, -1, 0));
	for (i = 0; i < 3; i++) {
		EXPECT_TRUE(still_blocked(pid[i], i ? 0 : IPCLAB_BLOCKED_MS));
	}
	EXPECT_EQ(3, ipclab_nwaiters(self->fd, id));

	/* 1 -> 0: every zero-waiter goes. */
	ASSERT_OK(sem_op1(self->fd, id, 0, -1, 0));
	for (i = 0; i < 3; i++) {
		EXPECT_KID(0, pid[i], IPCLAB_SETTLE_MS);
	}
	EXPECT_EQ(0, ipclab_nwaiters(self->fd, id));
	EXPECT_EQ(0, sem_get(self->fd, id, IPCLAB_SEMCTL_GETZCNT, 0));
	check_sem_values(self->fd, id, 0);
}

TEST_F(sem, ncnt_zcnt_getpid)
{
	__u32 id = NEW_SEM(2);
	pid_t k[3], v;

	ASSERT_OK(sem_setval(self->fd, id, 1, 1));
	k[0] = spawn_op1(&self->cl, self->fd, id, 0, -1, 0);
	ASSERT_TRUE(wait_for_waiters(self->fd, id, 1));
	k[1] = spawn_op1(&self->cl, self->fd, id, 0, -2, 0);
	ASSERT_TRUE(wait_for_waiters(self->fd, id, 2));
	k[2] = spawn_op1(&self->cl, self->fd, id, 1, 0, 0);
	ASSERT_TRUE(wait_for_waiters(self->fd, id, 3));

	EXPECT_EQ(2, sem_get(self->fd, id, IPCLAB_SEMCTL_GETNCNT, 0));
	EXPECT_EQ(0, sem_get(self->fd, id, IPCLAB_SEMCTL_GETZCNT, 0));
	EXPECT_EQ(0, sem_get(self->fd, id, IPCLAB_SEMCTL_GETNCNT, 1));
	EXPECT_EQ(1, sem_get(self->fd, id, IPCLAB_SEMCTL_GETZCNT, 1));

	ASSERT_OK(sem_op1(self->fd, id, 0, 3, 0));
	EXPECT_KID(0, k[0], IPCLAB_SETTLE_MS);
	EXPECT_KID(0, k[1], IPCLAB_SETTLE_MS);
	EXPECT_EQ(0, sem_get(self->fd, id, IPCLAB_SEMCTL_GETNCNT, 0));
	EXPECT_EQ(1, sem_get(self->fd, id, IPCLAB_SEMCTL_GETZCNT, 1));

	/* GETPID: the last process that operated on that semaphore. */
	v = spawn_op1(&self->cl, self->fd, id, 1, -1, 0);
	EXPECT_KID(0, v, IPCLAB_SETTLE_MS);
	EXPECT_KID(0, k[2], IPCLAB_SETTLE_MS);
	EXPECT_EQ(0, sem_get(self->fd, id, IPCLAB_SEMCTL_GETZCNT, 1));
	EXPECT_OK(sem_op1(self->fd, id, 0, 1, 0));
	EXPECT_EQ(getpid(), sem_get(self->fd, id, IPCLAB_SEMCTL_GETPID, 0));
	v = spawn_op1(&self->cl, self->fd, id, 1, 1, 0);
	EXPECT_KID(0, v, IPCLAB_SETTLE_MS);
	EXPECT_EQ(v, sem_get(self->fd, id, IPCLAB_SEMCTL_GETPID, 1));
	EXPECT_EQ(getpid(), sem_get(self->fd, id, IPCLAB_SEMCTL_GETPID, 0));
}

TEST_F(sem, setval_setall_wake_waiters)
{
	__u32 id = NEW_SEM(2);
	__s32 all[2] = { 0, 0 };
	pid_t a, z;

	ASSERT_OK(sem_setval(self->fd, id, 1, 3));
	a = spawn_op1(&self->cl, self->fd, id, 0, -2, 0);
	ASSERT_TRUE(wait_for_waiters(self->fd, id, 1));
	z = spawn_op1(&self->cl, self->fd, id, 1, 0, 0);
	ASSERT_TRUE(wait_for_waiters(self->fd, id, 2));

	ASSERT_OK(sem_setval(self->fd, id, 0, 1));
	EXPECT_TRUE(still_blocked(a, IPCLAB_BLOCKED_MS));
	ASSERT_OK(sem_setval(self->fd, id, 0, 2));
	EXPECT_KID(0, a, IPCLAB_SETTLE_MS);
	check_sem_values(self->fd, id, 0, 3);
	EXPECT_TRUE(still_blocked(z, 0));

	ASSERT_OK(sem_setall(self->fd, id, all, 2));
	EXPECT_KID(0, z, IPCLAB_SETTLE_MS);
	check_sem_values(self->fd, id, 0, 0);
	EXPECT_EQ(0, ipclab_nwaiters(self->fd, id));
}

/* ------------------------------------------------------------------ */
/* Timeouts, signals, removal                                         */
/* ------------------------------------------------------------------ */

TEST_F(sem, timeout_relative)
{
	const __u64 t = 200 * NSEC_PER_MSEC;
	__u32 id = NEW_SEM(1);
	__u64 t0, el;

	t0 = mono_ns();
	EXPECT_ERRNO(ETIMEDOUT, sem_op1_wait(self->fd, id, 0, -1, 0,
					     IPCLAB_WAIT_TIMEOUT, t));
	el = mono_ns() - t0;
	EXPECT_LE(t, el);
	EXPECT_GT(t + 5 * NSEC_PER_SEC, el);
	EXPECT_EQ(0, ipclab_nwaiters(self->fd, id));
	check_sem_values(self->fd, id, 0);

	/* Zero nanoseconds: no wait at all. */
	t0 = mono_ns();
	EXPECT_ERRNO(ETIMEDOUT, sem_op1_wait(self->fd, id, 0, -1, 0,
					     IPCLAB_WAIT_TIMEOUT, 0));
	EXPECT_GT(2 * NSEC_PER_SEC, mono_ns() - t0);

	/* A call that need not wait succeeds, timeout or not. */
	ASSERT_OK(sem_op1(self->fd, id, 0, 1, 0));
	EXPECT_OK(sem_op1_wait(self->fd, id, 0, -1, 0, IPCLAB_WAIT_TIMEOUT, t));
	EXPECT_OK(sem_op1_wait(self->fd, id, 0, 0, 0, IPCLAB_WAIT_TIMEOUT, 0));
	check_sem_values(self->fd, id, 0);
}

TEST_F(sem, timeout_absolute)
{
	__u32 id = NEW_SEM(1);
	__u64 deadline, t0;

	deadline = mono_ns() + 200 * NSEC_PER_MSEC;
	EXPECT_ERRNO(ETIMEDOUT, sem_op1_wait(self->fd, id, 0, -1, 0,
					     IPCLAB_WAIT_ABSTIME, deadline));
	EXPECT_LE(deadline, mono_ns());
	EXPECT_GT(deadline + 5 * NSEC_PER_SEC, mono_ns());
	EXPECT_EQ(0, ipclab_nwaiters(self->fd, id));

	/* A deadline in the past ends the wait at once. */
	t0 = mono_ns();
	EXPECT_ERRNO(ETIMEDOUT, sem_op1_wait(self->fd, id, 0, -1, 0,
					     IPCLAB_WAIT_ABSTIME, t0 / 2));
	EXPECT_ERRNO(ETIMEDOUT, sem_op1_wait(self->fd, id, 0, -1, 0,
					     IPCLAB_WAIT_ABSTIME, 1));
	EXPECT_GT(2 * NSEC_PER_SEC, mono_ns() - t0);
	check_sem_values(self->fd, id, 0);

	ASSERT_OK(sem_op1(self->fd, id, 0, 1, 0));
	EXPECT_OK(sem_op1_wait(self->fd, id, 0, -1, 0, IPCLAB_WAIT_ABSTIME,
			       mono_ns() / 2));
}

/*
 * Timeouts far in the future wait (they must not overflow into the past).
 */
TEST_F(sem, timeout_huge_waits)
{
	const __u32 flags[2] = { IPCLAB_WAIT_TIMEOUT, IPCLAB_WAIT_ABSTIME };
	struct ipclab_sembuf p1 = sembuf(0, -1, 0);
	__u32 id = NEW_SEM(1);
	pid_t pid;
	int i;

	for (i = 0; i < 2; i++) {
		pid = spawn_ops(&self->cl, self->fd, id, &p1, 1, flags[i],
				UINT64_MAX, -1, 0);
		ASSERT_LT(0, pid);
		EXPECT_TRUE(wait_for_waiters(self->fd, id, 1))
			TH_LOG("flags %#x: not waiting", flags[i]);
		EXPECT_TRUE(still_blocked(pid, IPCLAB_BLOCKED_MS));
		ASSERT_OK(sem_op1(self->fd, id, 0, 1, 0));
		EXPECT_KID(0, pid, IPCLAB_SETTLE_MS) TH_LOG("flags %#x", flags[i]);
	}
	/* And so does the caller itself, until it times out for real. */
	EXPECT_ERRNO(ETIMEDOUT, sem_op1_wait(self->fd, id, 0, -1, 0,
					     IPCLAB_WAIT_TIMEOUT, 1));
}

/* A V before the deadline wakes a timed waiter with success. */
TEST_F(sem, timeout_woken_in_time)
{
	__u32 id = NEW_SEM(1);
	pid_t pid;

	pid = spawn_op1_timeout(&self->cl, self->fd, id, 0, -1,
				20 * NSEC_PER_SEC);
	ASSERT_TRUE(wait_for_waiters(self->fd, id, 1));
	ASSERT_OK(sem_op1(self->fd, id, 0, 1, 0));
	EXPECT_KID(0, pid, IPCLAB_SETTLE_MS);
	check_sem_values(self->fd, id, 0);
}

/*
 * When the head of the waiting room gives up (timeout), those behind it
 * whose operations are now possible go at once, not when it exits.
 */
TEST_F(sem, timeout_of_head_lets_next_go)
{
	struct ipclab_sembuf p2 = sembuf(0, -2, 0);
	__u32 id = NEW_SEM(1);
	struct rendezvous rv;
	pid_t a, b;

	ASSERT_OK(rv_open(&rv));
	a = spawn_waiter(&self->cl, self->fd, id, &p2, 1, IPCLAB_WAIT_TIMEOUT,
			 3 * NSEC_PER_SEC, -1, &rv);
	ASSERT_LT(0, a);
	ASSERT_TRUE(wait_for_waiters(self->fd, id, 1));
	ASSERT_OK(sem_op1(self->fd, id, 0, 1, 0));
	b = spawn_op1(&self->cl, self->fd, id, 0, -1, 0);
	ASSERT_TRUE(wait_for_waiters(self->fd, id, 2))
		TH_LOG("B did not queue behind A in time");

	EXPECT_EQ(ETIMEDOUT, get_byte(rv.ready[0], IPCLAB_SETTLE_MS));
	ASSERT_TRUE(kid_running(a));
	EXPECT_KID(0, b, IPCLAB_SETTLE_MS)
		TH_LOG("B still waits behind a waiter that timed out");
	check_sem_values(self->fd, id, 0);
	EXPECT_EQ(0, ipclab_nwaiters(self->fd, id));
	ASSERT_OK(put_byte(rv.go[1], 'g'));
	EXPECT_KID(ETIMEDOUT, a, IPCLAB_SETTLE_MS);
	rv_close(&rv);
}

/*
 * A signal ends the wait with EINTR and nothing done, with or without
 * SA_RESTART (never restarted, as semop).
 */
TEST_F(sem, signal_eintr)
{
	const int flags[2] = { 0, SA_RESTART };
	__u32 id = NEW_SEM(2);
	struct ipclab_sembuf ops[2] = { sembuf(1, 1, 0), sembuf(0, -1, 0) };
	struct rendezvous rv;
	pid_t pid;
	int i;

	for (i = 0; i < 2; i++) {
		ASSERT_OK(rv_open(&rv));
		pid = spawn_waiter(&self->cl, self->fd, id, ops, 2, 0, 0,
				   flags[i], &rv);
		ASSERT_LT(0, pid);
		ASSERT_TRUE(wait_for_waiters(self->fd, id, 1));
		EXPECT_TRUE(still_blocked(pid, IPCLAB_BLOCKED_MS));
		ASSERT_EQ(0, kill(pid, SIGUSR1));
		EXPECT_EQ(EINTR, get_byte(rv.ready[0], IPCLAB_SETTLE_MS))
			TH_LOG("sa_flags %#x (-1: restarted and still waiting)", flags[i]);
		/* Nothing done, and out of the room (the child still lives). */
		check_sem_values(self->fd, id, 0, 0);
		EXPECT_EQ(0, ipclab_nwaiters(self->fd, id));
		EXPECT_EQ(0, sem_get(self->fd, id, IPCLAB_SEMCTL_GETNCNT, 0));
		ASSERT_OK(put_byte(rv.go[1], 'g'));
		EXPECT_KID(EINTR, pid, IPCLAB_SETTLE_MS);
		rv_close(&rv);
	}
}

/*
 * A waiter that leaves (interrupted by a signal, or killed) no longer
 * holds up the next.  The interrupted one stays alive meanwhile, so it is
 * its leaving the room, not its end, that lets the next one go.
 */
TEST_F(sem, signal_of_head_lets_next_go)
{
	const int sigs[2] = { SIGUSR1, SIGKILL };
	struct ipclab_sembuf p2 = sembuf(0, -2, 0);
	__u32 id = NEW_SEM(1);
	struct rendezvous rv;
	pid_t a, b;
	int i;

	for (i = 0; i < 2; i++) {
		ASSERT_OK(sem_setval(self->fd, id, 0, 0));
		ASSERT_OK(rv_open(&rv));
		a = spawn_waiter(&self->cl, self->fd, id, &p2, 1, 0, 0, 0, &rv);
		ASSERT_LT(0, a);
		ASSERT_TRUE(wait_for_waiters(self->fd, id, 1));
		ASSERT_OK(sem_op1(self->fd, id, 0, 1, 0));
		b = spawn_op1(&self->cl, self->fd, id, 0, -1, 0);
		ASSERT_TRUE(wait_for_waiters(self->fd, id, 2));
		EXPECT_TRUE(still_blocked(b, IPCLAB_BLOCKED_MS));

		ASSERT_EQ(0, kill(a, sigs[i]));
		if (sigs[i] == SIGKILL) {
			EXPECT_KID(KID_SIGNALED(SIGKILL), a, IPCLAB_SETTLE_MS);
		} else {
			EXPECT_EQ(EINTR, get_byte(rv.ready[0], IPCLAB_SETTLE_MS));
			ASSERT_TRUE(kid_running(a));
		}
		EXPECT_KID(0, b, IPCLAB_SETTLE_MS) TH_LOG("signal %d", sigs[i]);
		check_sem_values(self->fd, id, 0);
		EXPECT_EQ(0, ipclab_nwaiters(self->fd, id));
		if (sigs[i] != SIGKILL) {
			ASSERT_OK(put_byte(rv.go[1], 'g'));
			EXPECT_KID(EINTR, a, IPCLAB_SETTLE_MS);
		}
		rv_close(&rv);
	}
}

/* Removing the set wakes every waiter, whatever it waits for, with EIDRM. */
TEST_F(sem, rmid_wakes_waiters)
{
	struct ipclab_sembuf both[2] = { sembuf(0, -1, 0), sembuf(1, -1, 0) };
	__u32 id = NEW_SEM(2);
	pid_t k[4];
	int i;

	ASSERT_OK(sem_setval(self->fd, id, 1, 1));
	k[0] = spawn_op1(&self->cl, self->fd, id, 0, -1, 0);
	ASSERT_TRUE(wait_for_waiters(self->fd, id, 1));
	k[1] = spawn_op1_timeout(&self->cl, self->fd, id, 0, -1, 20 * NSEC_PER_SEC);
	ASSERT_TRUE(wait_for_waiters(self->fd, id, 2));
	k[2] = spawn_op1(&self->cl, self->fd, id, 1, 0, 0);
	ASSERT_TRUE(wait_for_waiters(self->fd, id, 3));
	k[3] = spawn_ops(&self->cl, self->fd, id, both, 2, 0, 0, -1, 0);
	ASSERT_TRUE(wait_for_waiters(self->fd, id, 4));

	ASSERT_OK(ipclab_rmid(self->fd, id));
	for (i = 0; i < 4; i++) {
		EXPECT_KID(EIDRM, k[i], IPCLAB_SETTLE_MS) TH_LOG("waiter %d", i);
	}

	/* The id is stale now. */
	EXPECT_ERRNO(EINVAL, sem_op1(self->fd, id, 0, 1, 0));
	EXPECT_ERRNO(EINVAL, sem_getval(self->fd, id, 0));
	EXPECT_ERRNO(EINVAL, ipclab_nwaiters(self->fd, id));
}

/* ------------------------------------------------------------------ */
/* Undo and holdings                                                  */
/* ------------------------------------------------------------------ */

/*
 * What a process did with IPCLAB_SEMBUF_UNDO is reverted when it ends; the
 * snapshot shows its holdings and undo values while it lives.  Variant:
 * it ends normally, or is killed with SIGKILL.
 */
static void undo_on_end(struct __test_metadata *_metadata,
			FIXTURE_DATA(sem) *self, bool sigkill)
{
	struct ipclab_sembuf ops[4] = {
		sembuf(0, -2, IPCLAB_SEMBUF_UNDO), sembuf(0, 1, IPCLAB_SEMBUF_UNDO),
		sembuf(1, 3, IPCLAB_SEMBUF_UNDO), sembuf(2, -1, 0),
	};
	__s32 init[3] = { 5, 0, 1 };
	const struct ipclab_holder *h;
	__u32 id = NEW_SEM(3);
	struct rendezvous rv;
	struct snap s;
	pid_t pid;

	ASSERT_OK(sem_setall(self->fd, id, init, 3));
	ASSERT_OK(rv_open(&rv));
	pid = spawn_ops_and_linger(&self->cl, self->fd, id, ops, 4, &rv);
	ASSERT_LT(0, pid);
	ASSERT_EQ('r', get_byte(rv.ready[0], IPCLAB_SETTLE_MS))
		TH_LOG("child: %d", kids_wait(&self->cl, pid, 0));
	check_sem_values(self->fd, id, 4, 3, 0);

	ASSERT_OK(ipclab_snap(self->fd, id, &s));
	h = snap_holder(&s, pid, 0);
	ASSERT_NE(NULL, h);
	EXPECT_EQ(1, h->held);	/* took 2, gave 1 */
	EXPECT_EQ(1, h->undo);	/* +2 - 1 */
	h = snap_holder(&s, pid, 1);
	ASSERT_NE(NULL, h);
	EXPECT_EQ(-3, h->held);
	EXPECT_EQ(-3, h->undo);
	h = snap_holder(&s, pid, 2);
	ASSERT_NE(NULL, h);
	EXPECT_EQ(1, h->held);	/* without UNDO: held, not undone */
	EXPECT_EQ(0, h->undo);

	if (sigkill) {
		EXPECT_EQ(KID_SIGNALED(SIGKILL), kids_kill(&self->cl, pid, SIGKILL));
	} else {
		ASSERT_OK(put_byte(rv.go[1], 'g'));
		EXPECT_KID(0, pid, IPCLAB_SETTLE_MS);
	}
	rv_close(&rv);

	check_sem_values(self->fd, id, 5, 0, 0);
	ASSERT_OK(ipclab_snap(self->fd, id, &s));
	EXPECT_EQ(0, s.st.holders_len) TH_LOG("the child's holdings outlived it");
	EXPECT_EQ(NULL, snap_holder(&s, pid, 0));
}

TEST_F(sem, undo_on_exit)
{
	undo_on_end(_metadata, self, false);
}

TEST_F(sem, undo_on_sigkill)
{
	undo_on_end(_metadata, self, true);
}

/* Undo never takes a value below 0 nor above sem_max: it is clamped. */
TEST_F(sem, undo_clamped)
{
	long sem_max = param_or("sem_max", IPCLAB_DEF_SEM_MAX);
	struct ipclab_sembuf v5 = sembuf(0, 5, IPCLAB_SEMBUF_UNDO);
	struct ipclab_sembuf p5 = sembuf(1, -5, IPCLAB_SEMBUF_UNDO);
	__u32 id = NEW_SEM(2);
	struct rendezvous rv;
	pid_t a, b;

	ASSERT_OK(sem_setval(self->fd, id, 1, 5));

	/* A: V(5) with undo -5; then the value drops to 1; undo -> 0. */
	ASSERT_OK(rv_open(&rv));
	a = spawn_ops_and_linger(&self->cl, self->fd, id, &v5, 1, &rv);
	ASSERT_EQ('r', get_byte(rv.ready[0], IPCLAB_SETTLE_MS));
	ASSERT_OK(sem_op1(self->fd, id, 0, -4, 0));
	check_sem_values(self->fd, id, 1, 5);
	put_byte(rv.go[1], 'g');
	rv_close(&rv);
	EXPECT_KID(0, a, IPCLAB_SETTLE_MS);
	check_sem_values(self->fd, id, 0, 5);

	/* B: P(5) with undo +5; then the value rises to sem_max; undo -> max. */
	ASSERT_OK(rv_open(&rv));
	b = spawn_ops_and_linger(&self->cl, self->fd, id, &p5, 1, &rv);
	ASSERT_EQ('r', get_byte(rv.ready[0], IPCLAB_SETTLE_MS));
	check_sem_values(self->fd, id, 0, 0);
	ASSERT_OK(sem_op1(self->fd, id, 1, sem_max, 0));
	check_sem_values(self->fd, id, 0, sem_max);
	put_byte(rv.go[1], 'g');
	rv_close(&rv);
	EXPECT_KID(0, b, IPCLAB_SETTLE_MS);
	check_sem_values(self->fd, id, 0, sem_max);
}

/* An undo record that would exceed sem_max in size is refused. */
TEST_F(sem, undo_erange)
{
	long sem_max = param_or("sem_max", IPCLAB_DEF_SEM_MAX);
	__u32 id = NEW_SEM(1);
	struct snap s;

	ASSERT_OK(sem_op1(self->fd, id, 0, sem_max, IPCLAB_SEMBUF_UNDO));
	ASSERT_OK(sem_op1(self->fd, id, 0, -sem_max, 0));
	/* The undo would be -(sem_max + 2). */
	EXPECT_ERRNO(ERANGE, sem_op1(self->fd, id, 0, 2, IPCLAB_SEMBUF_UNDO));
	check_sem_values(self->fd, id, 0);
	ASSERT_OK(ipclab_snap(self->fd, id, &s));
	ASSERT_NE(NULL, snap_holder(&s, getpid(), 0));
	EXPECT_EQ(-sem_max, snap_holder(&s, getpid(), 0)->undo);
	/* Without undo, the same V is fine. */
	EXPECT_OK(sem_op1(self->fd, id, 0, 2, 0));
	check_sem_values(self->fd, id, 2);
}

/*
 * The undo limit holds for a whole list too: two P's with undo that are
 * each within the limit may not add up beyond it.
 */
TEST_F(sem, undo_erange_across_ops)
{
	long sem_max = param_or("sem_max", IPCLAB_DEF_SEM_MAX);
	long h = sem_max / 2;
	struct ipclab_sembuf two[2] = {
		sembuf(0, -h, IPCLAB_SEMBUF_UNDO), sembuf(0, -h, IPCLAB_SEMBUF_UNDO),
	};
	__u32 id = NEW_SEM(1);
	struct snap s;

	ASSERT_LT(2, h);
	ASSERT_OK(sem_setval(self->fd, id, 0, h));
	ASSERT_OK(sem_op1(self->fd, id, 0, -h, IPCLAB_SEMBUF_UNDO));	/* undo h */
	ASSERT_OK(sem_op1(self->fd, id, 0, sem_max, 0));
	/* Each op alone: h + h <= sem_max; both: 3h > sem_max. */
	EXPECT_ERRNO(ERANGE, sem_ops(self->fd, id, two, 2, 0, 0));
	check_sem_values(self->fd, id, sem_max);
	ASSERT_OK(ipclab_snap(self->fd, id, &s));
	ASSERT_NE(NULL, snap_holder(&s, getpid(), 0));
	EXPECT_EQ(h, snap_holder(&s, getpid(), 0)->undo);
	/* One of them is fine. */
	ASSERT_OK(sem_setval(self->fd, id, 0, sem_max));	/* undo reset */
	ASSERT_OK(sem_op1(self->fd, id, 0, -h, IPCLAB_SEMBUF_UNDO));
	EXPECT_OK(sem_ops(self->fd, id, two, 1, IPCLAB_WAIT_NOWAIT, 0));
	check_sem_values(self->fd, id, sem_max - 2 * h);
}

/* A set removed while a process has undo for it: that process's end is quiet. */
TEST_F(sem, rmid_then_undo_owner_ends)
{
	struct ipclab_sembuf p1 = sembuf(0, -1, IPCLAB_SEMBUF_UNDO);
	__u32 id = NEW_SEM(1), id2;
	struct rendezvous rv;
	pid_t pid;

	ASSERT_OK(sem_setval(self->fd, id, 0, 1));
	ASSERT_OK(rv_open(&rv));
	pid = spawn_ops_and_linger(&self->cl, self->fd, id, &p1, 1, &rv);
	ASSERT_EQ('r', get_byte(rv.ready[0], IPCLAB_SETTLE_MS));
	ASSERT_OK(ipclab_rmid(self->fd, id));
	id2 = NEW_SEM(1);
	ASSERT_OK(put_byte(rv.go[1], 'g'));
	EXPECT_KID(0, pid, IPCLAB_SETTLE_MS);
	rv_close(&rv);
	check_sem_values(self->fd, id2, 0);
	EXPECT_ERRNO(EINVAL, sem_getval(self->fd, id, 0));
}

/*
 * SETVAL and SETALL reset the undo values (and holdings) of every process
 * for the semaphores they set, and only those.
 */
TEST_F(sem, setval_setall_reset_undo)
{
	struct ipclab_sembuf ops[2] = {
		sembuf(0, -1, IPCLAB_SEMBUF_UNDO), sembuf(1, -1, IPCLAB_SEMBUF_UNDO),
	};
	const struct ipclab_holder *h;
	__u32 id = NEW_SEM(2);
	struct rendezvous rv;
	struct snap s;
	pid_t pid;

	/* SETVAL of semaphore 0. */
	ASSERT_OK(sem_setall(self->fd, id, (__s32[]){ 3, 3 }, 2));
	ASSERT_OK(rv_open(&rv));
	pid = spawn_ops_and_linger(&self->cl, self->fd, id, ops, 2, &rv);
	ASSERT_LT(0, pid);
	ASSERT_EQ('r', get_byte(rv.ready[0], IPCLAB_SETTLE_MS));
	check_sem_values(self->fd, id, 2, 2);

	ASSERT_OK(sem_setval(self->fd, id, 0, 5));
	ASSERT_OK(ipclab_snap(self->fd, id, &s));
	h = snap_holder(&s, pid, 0);
	if (h) {	/* gone, or all zero */
		EXPECT_EQ(0, h->held);
		EXPECT_EQ(0, h->undo);
	}
	h = snap_holder(&s, pid, 1);
	ASSERT_NE(NULL, h) TH_LOG("SETVAL of semaphore 0 touched semaphore 1");
	EXPECT_EQ(1, h->held);
	EXPECT_EQ(1, h->undo);

	ASSERT_OK(put_byte(rv.go[1], 'g'));
	EXPECT_KID(0, pid, IPCLAB_SETTLE_MS);
	rv_close(&rv);
	/* Semaphore 0's undo was reset; semaphore 1's was applied. */
	check_sem_values(self->fd, id, 5, 3);

	/* SETALL: every semaphore. */
	ASSERT_OK(rv_open(&rv));
	pid = spawn_ops_and_linger(&self->cl, self->fd, id, ops, 2, &rv);
	ASSERT_LT(0, pid);
	ASSERT_EQ('r', get_byte(rv.ready[0], IPCLAB_SETTLE_MS));
	check_sem_values(self->fd, id, 4, 2);
	ASSERT_OK(sem_setall(self->fd, id, (__s32[]){ 7, 8 }, 2));
	ASSERT_OK(ipclab_snap(self->fd, id, &s));
	for (h = s.holders; h < s.holders + s.st.holders_len; h++) {
		EXPECT_EQ(0, h->held) TH_LOG("pid %d, semaphore %u", h->pid, h->num);
		EXPECT_EQ(0, h->undo) TH_LOG("pid %d, semaphore %u", h->pid, h->num);
	}
	ASSERT_OK(put_byte(rv.go[1], 'g'));
	EXPECT_KID(0, pid, IPCLAB_SETTLE_MS);
	rv_close(&rv);
	check_sem_values(self->fd, id, 7, 8);
}

/*
 * Holdings: what a process took minus what it gave, per semaphore, with
 * its undo value.
 */
TEST_F(sem, holdings)
{
	const struct ipclab_holder *h;
	__u32 id = NEW_SEM(2);
	char comm[16];
	struct snap s;

	get_comm(comm);
	ASSERT_OK(sem_setval(self->fd, id, 0, 3));

	ASSERT_OK(sem_op1(self->fd, id, 0, -1, 0));
	ASSERT_OK(ipclab_snap(self->fd, id, &s));
	EXPECT_EQ(1, s.st.holders_len);
	h = snap_holder(&s, getpid(), 0);
	ASSERT_NE(NULL, h);
	EXPECT_EQ(0, h->num);
	EXPECT_EQ(1, h->held);
	EXPECT_EQ(0, h->undo);
	EXPECT_STREQ(comm, h->comm);
	EXPECT_EQ(NULL, snap_holder(&s, getpid(), 1));

	ASSERT_OK(sem_op1(self->fd, id, 0, -1, IPCLAB_SEMBUF_UNDO));
	ASSERT_OK(ipclab_snap(self->fd, id, &s));
	h = snap_holder(&s, getpid(), 0);
	ASSERT_NE(NULL, h);
	EXPECT_EQ(2, h->held);
	EXPECT_EQ(1, h->undo);

	ASSERT_OK(sem_op1(self->fd, id, 0, 1, 0));
	ASSERT_OK(ipclab_snap(self->fd, id, &s));
	h = snap_holder(&s, getpid(), 0);
	ASSERT_NE(NULL, h);
	EXPECT_EQ(1, h->held);
	EXPECT_EQ(1, h->undo);

	ASSERT_OK(sem_op1(self->fd, id, 0, 1, IPCLAB_SEMBUF_UNDO));
	ASSERT_OK(ipclab_snap(self->fd, id, &s));
	h = snap_holder(&s, getpid(), 0);
	if (h) {	/* gone, or all zero */
		EXPECT_EQ(0, h->held);
		EXPECT_EQ(0, h->undo);
	}
	check_sem_values(self->fd, id, 3, 0);

	/* A child's P shows as its holding, and goes with it. */
	{
		pid_t pid = spawn_op1(&self->cl, self->fd, id, 1, 1, 0);

		EXPECT_KID(0, pid, IPCLAB_SETTLE_MS);
		ASSERT_OK(ipclab_snap(self->fd, id, &s));
		EXPECT_EQ(NULL, snap_holder(&s, pid, 1));
	}
}

/*
 * STAT with arrays too small (or none) still reports how many entries
 * exist, and writes no more than it was given room for.
 */
TEST_F(sem, stat_small_capacity)
{
	struct ipclab_sembuf both[2] = { sembuf(0, -1, 0), sembuf(1, -1, 0) };
	struct ipclab_waiter waiters[2];
	struct ipclab_sembuf ops[2];
	__u32 id = NEW_SEM(3);
	struct ipclab_stat st;
	struct snap s;
	__s32 values[2];
	pid_t k[3];
	int i;

	ASSERT_OK(sem_setval(self->fd, id, 2, 1));
	ASSERT_OK(sem_op1(self->fd, id, 2, -1, 0));	/* a holder: us */
	for (i = 0; i < 3; i++) {
		k[i] = spawn_ops(&self->cl, self->fd, id, both, 2, 0, 0, -1, 0);
		ASSERT_TRUE(wait_for_waiters(self->fd, id, i + 1));
	}

	POISON(values);
	POISON(waiters);
	POISON(ops);
	stat_prepare(&st, id);
	st.values = ptr_u64(values);
	st.values_len = 1;
	st.waiters = ptr_u64(waiters);
	st.waiters_len = 1;
	st.ops = ptr_u64(ops);
	st.ops_len = 1;
	ASSERT_OK(ioctl(self->fd, IPCLAB_IOC_STAT, &st));
	EXPECT_EQ(3, st.values_len);
	EXPECT_EQ(3, st.waiters_len);
	EXPECT_EQ(3, st.nwaiters);
	EXPECT_EQ(6, st.ops_len);
	EXPECT_EQ(1, st.holders_len);
	EXPECT_EQ(3, st.sem.nsems);
	EXPECT_EQ(0, values[0]);
	EXPECT_EQ((__s32)0xcccccccc, values[1]);
	EXPECT_EQ(k[0], waiters[0].pid);
	EXPECT_EQ((__s32)0xcccccccc, waiters[1].pid);
	EXPECT_EQ(0, ops[0].num);
	EXPECT_EQ(-1, ops[0].op);
	EXPECT_EQ(0xccccccccu, ops[1].num);

	/* With room for everything: each waiter's two operations, in order. */
	ASSERT_OK(ipclab_snap(self->fd, id, &s));
	ASSERT_EQ(3, s.st.waiters_len);
	ASSERT_EQ(6, s.st.ops_len);
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(k[i], s.waiters[i].pid);
		EXPECT_EQ(2 * i, s.waiters[i].first_op);
		EXPECT_EQ(2, s.waiters[i].nops);
		EXPECT_EQ(0, s.ops[2 * i].num);
		EXPECT_EQ(-1, s.ops[2 * i].op);
		EXPECT_EQ(1, s.ops[2 * i + 1].num);
		EXPECT_EQ(-1, s.ops[2 * i + 1].op);
	}
	EXPECT_EQ(0xccccccccu, s.ops[6].num);

	/* No arrays at all. */
	ASSERT_OK(ipclab_stat(self->fd, id, &st));
	EXPECT_EQ(3, st.values_len);
	EXPECT_EQ(3, st.waiters_len);
	EXPECT_EQ(6, st.ops_len);
	EXPECT_EQ(1, st.holders_len);

	/* Bad pointers with room given; flags. */
	stat_prepare(&st, id);
	st.values = 1;
	st.values_len = 3;
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, IPCLAB_IOC_STAT, &st));
	stat_prepare(&st, id);
	st.waiters = 1;
	st.waiters_len = 3;
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, IPCLAB_IOC_STAT, &st));
	stat_prepare(&st, id);
	st.ops = 1;
	st.ops_len = 6;
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, IPCLAB_IOC_STAT, &st));
	stat_prepare(&st, id);
	st.holders = 1;
	st.holders_len = 1;
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, IPCLAB_IOC_STAT, &st));
	stat_prepare(&st, id);
	st.flags = 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, IPCLAB_IOC_STAT, &st));
}

/* ------------------------------------------------------------------ */
/* Limits (module parameters, lowered and restored)                   */
/* ------------------------------------------------------------------ */

TEST_F(sem, limit_max_ops)
{
	struct ipclab_sembuf ops[5];
	__u32 id = NEW_SEM(1);
	int i;

	PARAM_CHANGE_OR_SKIP("max_ops", 4);
	for (i = 0; i < 5; i++)
		ops[i] = sembuf(0, 0, 0);
	EXPECT_OK(sem_ops(self->fd, id, ops, 4, 0, 0));
	EXPECT_ERRNO(E2BIG, sem_ops(self->fd, id, ops, 5, 0, 0));

	ASSERT_OK(params_restore(&self->cl));
	EXPECT_OK(sem_ops(self->fd, id, ops, 5, 0, 0));
}

TEST_F(sem, limit_sem_max)
{
	__u32 id = NEW_SEM(1);

	PARAM_CHANGE_OR_SKIP("sem_max", 10);
	EXPECT_OK(sem_op1(self->fd, id, 0, 10, 0));
	EXPECT_ERRNO(ERANGE, sem_op1(self->fd, id, 0, 1, 0));
	check_sem_values(self->fd, id, 10);
	EXPECT_ERRNO(ERANGE, sem_setval(self->fd, id, 0, 11));
	EXPECT_ERRNO(ERANGE, sem_setall(self->fd, id, (__s32[]){ 11 }, 1));
	EXPECT_OK(sem_setval(self->fd, id, 0, 3));
	EXPECT_ERRNO(ERANGE, sem_op1(self->fd, id, 0, 8, 0));
	check_sem_values(self->fd, id, 3);

	ASSERT_OK(params_restore(&self->cl));
	EXPECT_OK(sem_op1(self->fd, id, 0, 8, 0));
	EXPECT_OK(sem_setval(self->fd, id, 0, 11));
}

TEST_F(sem, limit_max_waiters)
{
	__u32 id = NEW_SEM(1);
	pid_t k[2];
	__u64 t0;
	int i;

	PARAM_CHANGE_OR_SKIP("max_waiters", 2);
	for (i = 0; i < 2; i++) {
		k[i] = spawn_op1(&self->cl, self->fd, id, 0, -1, 0);
		ASSERT_TRUE(wait_for_waiters(self->fd, id, i + 1));
	}
	/* The room is full: refused at once, not after the timeout. */
	t0 = mono_ns();
	EXPECT_ERRNO(ENOSPC, sem_op1_wait(self->fd, id, 0, -1, 0,
					  IPCLAB_WAIT_TIMEOUT, 3 * NSEC_PER_SEC));
	EXPECT_GT(2 * NSEC_PER_SEC, mono_ns() - t0);
	EXPECT_EQ(2, ipclab_nwaiters(self->fd, id));
	/* Calls that need not wait are not affected. */
	EXPECT_OK(sem_op1(self->fd, id, 0, 0, 0));

	ASSERT_OK(sem_op1(self->fd, id, 0, 1, 0));
	EXPECT_KID(0, k[0], IPCLAB_SETTLE_MS);
	/* Room again: this one waits (and times out). */
	EXPECT_ERRNO(ETIMEDOUT, sem_op1_wait(self->fd, id, 0, -1, 0,
					     IPCLAB_WAIT_TIMEOUT,
					     50 * NSEC_PER_MSEC));
	ASSERT_OK(sem_op1(self->fd, id, 0, 1, 0));
	EXPECT_KID(0, k[1], IPCLAB_SETTLE_MS);
	EXPECT_OK(params_restore(&self->cl));
}

/* ------------------------------------------------------------------ */
/* Stress                                                             */
/* ------------------------------------------------------------------ */

static long stress_iters(void)
{
	const char *e = getenv("IPCLAB_STRESS_ITERS");
	long n = e ? strtol(e, NULL, 10) : 0;

	return n > 0 ? n : 100000;
}

/*
 * 16 processes each do N P/V pairs on a semaphore initialised to 1 that
 * guards a counter in shared memory, incremented non-atomically (read,
 * sometimes yield, write).  Any lost update means two processes were in
 * the critical section at once.
 */
TEST_F_TIMEOUT(sem, stress_mutual_exclusion, 1200)
{
	const int nproc = 16;
	long iters = stress_iters();
	long *counter;
	__u32 id = NEW_SEM(1);
	pid_t pid[16];
	struct snap s;
	int i;

	counter = mmap(NULL, sizeof(*counter), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, counter);
	*counter = 0;
	ASSERT_OK(sem_setval(self->fd, id, 0, 1));
	TH_LOG("%d processes x %ld P/V pairs (IPCLAB_STRESS_ITERS)", nproc, iters);

	for (i = 0; i < nproc; i++) {
		pid[i] = kids_fork(&self->cl);
		ASSERT_LE(0, pid[i]);
		if (pid[i] == 0) {
			long n, v;

			for (n = 0; n < iters; n++) {
				if (sem_op1(self->fd, id, 0, -1, 0))
					_exit(child_status(-1));
				/* Load and store, not an atomic add. */
				v = __atomic_load_n(counter, __ATOMIC_RELAXED);
				if ((n & 31) == i % 32)
					sched_yield();
				__atomic_store_n(counter, v + 1, __ATOMIC_RELAXED);
				if (sem_op1(self->fd, id, 0, 1, 0))
					_exit(child_status(-1));
			}
			_exit(0);
		}
	}
	for (i = 0; i < nproc; i++) {
		EXPECT_KID(0, pid[i], -1);
	}

	EXPECT_EQ(nproc * iters, *counter);
	check_sem_values(self->fd, id, 1);
	ASSERT_OK(ipclab_snap(self->fd, id, &s));
	EXPECT_EQ(0, s.st.nwaiters);
	EXPECT_EQ(0, s.st.waiters_len);
	EXPECT_EQ(0, s.st.ops_len);
	EXPECT_EQ(0, s.st.holders_len);
	munmap(counter, sizeof(*counter));
}

TEST_HARNESS_MAIN
