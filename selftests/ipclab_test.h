/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the ipclab selftests.
 */
#ifndef IPCLAB_TEST_H
#define IPCLAB_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/ipclab.h>

#define IPCLAB_DEVICE "/dev/ipclab"

/*
 * Open the device, or skip the test when the module is not loaded: the
 * selftests then say why instead of failing on a machine without ipclab.
 */
#define IPCLAB_OPEN_OR_SKIP(fd)						\
	do {								\
		(fd) = open(IPCLAB_DEVICE, O_RDWR | O_CLOEXEC);	\
		if ((fd) < 0 && errno == ENOENT)			\
			SKIP(return, IPCLAB_DEVICE " is missing: load ipclab.ko"); \
		ASSERT_LE(0, (fd));					\
	} while (0)

/*
 * Poison an argument struct before an ioctl, so a field the kernel forgot
 * to write stands out as 0xcc bytes.
 */
#define POISON(x) memset(&(x), 0xcc, sizeof(x))

/*
 * ------------------------------------------------------------------------
 * Helpers for the object, semaphore, mutex and process tests
 * ------------------------------------------------------------------------
 *
 * Three kinds of helpers follow:
 *
 *  - ioctl wrappers (ipclab_get(), sem_op1(), mutex_lock(), ...) that fill
 *    every input field, poison every output field, and return what ioctl()
 *    returned with errno intact.  They use no harness macro, so a forked
 *    child may call them too.
 *  - check_*(), NEW_*() and *_KID() macros for the body of a test: they
 *    use EXPECT_*() and ASSERT_*(), so they need _metadata and self.
 *  - struct ipclab_cleanup, which every fixture embeds as "cl": the
 *    objects a test created, the children it forked and the module
 *    parameters it changed.  ipclab_cleanup() undoes all of it.
 *
 * The fixtures use FIXTURE_TEARDOWN_PARENT(): the teardown runs in the
 * harness process that forked the test, after the test process ended,
 * however it ended (an ASSERT, a crash), with "self" shared between the
 * two.  So the teardown opens a session of its own, and a parameter a
 * test lowered is restored even if the test died half-way.
 *
 * Children never use ASSERT_*() or EXPECT_*(): an ASSERT in a forked child
 * would jump back into the harness inside the child.  A child reports
 * through its exit code (0, or the errno its call got, see child_status())
 * or a pipe, and always ends with _exit().
 */

/*
 * GCC 12 at -O2 warns that the harness's own "child" variable in the
 * TEST_F() wrapper "might be clobbered by longjmp" (the harness longjmps
 * out of a failed ASSERT).  We cannot change the harness; with
 * FIXTURE_TEARDOWN_PARENT() the teardown runs exactly once whichever
 * branch a clobbered value would take, so the warning is silenced here.
 */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wclobbered"
#endif

#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>

/*
 * Run a shell command line (printf-style) with popen(), as a user runs
 * it, through the PATH; its standard output goes to out (always
 * terminated; add "2>&1" to the command for its errors too).  Returns its
 * exit status, or -1 if it did not exit normally.
 */
static inline int __attribute__((format(printf, 3, 4)))
run_cmd(char *out, size_t n, const char *fmt, ...)
{
	char cmd[512];
	size_t len = 0, got;
	va_list ap;
	FILE *f;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	out[0] = 0;
	fflush(stdout);
	fflush(stderr);
	f = popen(cmd, "re");
	if (!f)
		return -1;
	while (len < n - 1 && (got = fread(out + len, 1, n - 1 - len, f)) > 0)
		len += got;
	out[len] = 0;
	/* Drain what did not fit, so that the command can finish. */
	while (fgetc(f) != EOF)
		;
	st = pclose(f);
	if (st < 0 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* The unprivileged identity the permission tests switch to. */
#define IPCLAB_NOBODY		65534

#define IPCLAB_PARAM_DIR	"/sys/module/ipclab/parameters/"

/* Defaults of the module parameters, when they cannot be read. */
#define IPCLAB_DEF_SEM_MAX	32767
#define IPCLAB_DEF_MAX_OPS	500
#define IPCLAB_DEF_MAX_SEMS	250

/* How long a test waits for something that should happen "now". */
#define IPCLAB_SETTLE_MS	10000
/* How long "still blocked" is watched before it is believed. */
#define IPCLAB_BLOCKED_MS	100

#define NSEC_PER_MSEC		1000000ULL
#define NSEC_PER_SEC		1000000000ULL

static inline __u64 ptr_u64(const void *p)
{
	return (__u64)(uintptr_t)p;
}

/* CLOCK_MONOTONIC in nanoseconds: the clock of IPCLAB_WAIT_ABSTIME. */
static inline __u64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

/*
 * A key no other test uses: derived from the pid of the test process
 * (each test runs in a process of its own) and a small number n.
 * Never IPCLAB_KEY_PRIVATE.
 */
static inline __s32 test_key(int n)
{
	return (__s32)(((getpid() & 0x3fffff) << 8) | (n & 0xff));
}

/* ---------------------------------------------------------------- */
/* Objects                                                          */
/* ---------------------------------------------------------------- */

/* IPCLAB_IOC_GET; size is a shared buffer's (0 for the other types). */
static inline int ipclab_get_size(int fd, __u32 type, __s32 key, __u32 flags,
				  __u32 mode, __u32 nsems, __u64 size, __u32 *id)
{
	struct ipclab_get g;
	int ret;

	/* Every other input (mailbox sizes, padding) is zero. */
	memset(&g, 0, sizeof(g));
	g.type = type;
	g.key = key;
	g.flags = flags;
	g.mode = mode;
	/* One member of the union: the size, if any, is a buffer's. */
	if (size)
		g.shbuf.size = size;
	else
		g.sem.nsems = nsems;
	memset(&g.id, 0xcc, sizeof(g.id));	/* the output */
	ret = ioctl(fd, IPCLAB_IOC_GET, &g);
	if (id)
		*id = g.id;	/* 0xcccccccc if the kernel did not write it */
	return ret;
}

static inline int ipclab_get(int fd, __u32 type, __s32 key, __u32 flags,
			     __u32 mode, __u32 nsems, __u32 *id)
{
	return ipclab_get_size(fd, type, key, flags, mode, nsems, 0, id);
}

/* A new private semaphore set of nsems semaphores, mode 0600. */
static inline int sem_create(int fd, __u32 nsems, __u32 *id)
{
	return ipclab_get(fd, IPCLAB_TYPE_SEM, IPCLAB_KEY_PRIVATE,
			  IPCLAB_CREAT, 0600, nsems, id);
}

/* A new private mutex, mode 0600. */
static inline int mutex_create(int fd, __u32 *id)
{
	return ipclab_get(fd, IPCLAB_TYPE_MUTEX, IPCLAB_KEY_PRIVATE,
			  IPCLAB_CREAT, 0600, 0, id);
}

static inline int ipclab_rmid(int fd, __u32 id)
{
	struct ipclab_id a = { .id = id, .flags = 0 };

	return ioctl(fd, IPCLAB_IOC_RMID, &a);
}

/*
 * Every byte of struct ipclab_get's union after the first @used (the
 * member of @base's type) must be zero: set each in turn to 1 and count
 * the calls that did not fail with EINVAL (an object they made is
 * removed again).  0 is the right answer.
 */
static inline int get_union_tail_accepted(int fd, const struct ipclab_get *base,
					  size_t used)
{
	int accepted = 0;
	size_t i;

	for (i = used; i < sizeof(base->reserved); i++) {
		struct ipclab_get g = *base;

		((unsigned char *)g.reserved)[i] = 1;
		if (ioctl(fd, IPCLAB_IOC_GET, &g) == 0) {
			accepted++;
			ipclab_rmid(fd, g.id);
		} else if (errno != EINVAL) {
			accepted++;
		}
	}
	return accepted;
}

static inline int ipclab_set(int fd, __u32 id, __u32 uid, __u32 gid,
			     __u32 mode)
{
	struct ipclab_set s = { .id = id, .mode = mode, .uid = uid, .gid = gid };

	return ioctl(fd, IPCLAB_IOC_SET, &s);
}

/*
 * Arguments for IPCLAB_IOC_STAT without arrays; every output is poisoned,
 * so a field the kernel forgot stands out.  Set arrays after this.
 */
static inline void stat_prepare(struct ipclab_stat *st, __u32 id)
{
	POISON(*st);
	st->id = id;
	st->flags = 0;
	st->values = 0;
	st->waiters = 0;
	st->ops = 0;
	st->holders = 0;
	st->values_len = 0;
	st->waiters_len = 0;
	st->ops_len = 0;
	st->holders_len = 0;
}

/* IPCLAB_IOC_STAT without arrays (the *_len still say how many exist). */
static inline int ipclab_stat(int fd, __u32 id, struct ipclab_stat *st)
{
	stat_prepare(st, id);
	return ioctl(fd, IPCLAB_IOC_STAT, st);
}

/* A whole snapshot with room for everything the tests create. */
#define SNAP_VALUES	256
#define SNAP_WAITERS	64
#define SNAP_OPS	256
#define SNAP_HOLDERS	256

struct snap {
	struct ipclab_stat st;
	__s32 values[SNAP_VALUES];
	struct ipclab_waiter waiters[SNAP_WAITERS];
	struct ipclab_sembuf ops[SNAP_OPS];
	struct ipclab_holder holders[SNAP_HOLDERS];
};

/* Fill *s from IPCLAB_IOC_STAT; the arrays are poisoned first. */
static inline int ipclab_snap(int fd, __u32 id, struct snap *s)
{
	POISON(*s);
	s->st.id = id;
	s->st.flags = 0;
	s->st.values = ptr_u64(s->values);
	s->st.waiters = ptr_u64(s->waiters);
	s->st.ops = ptr_u64(s->ops);
	s->st.holders = ptr_u64(s->holders);
	s->st.values_len = SNAP_VALUES;
	s->st.waiters_len = SNAP_WAITERS;
	s->st.ops_len = SNAP_OPS;
	s->st.holders_len = SNAP_HOLDERS;
	return ioctl(fd, IPCLAB_IOC_STAT, &s->st);
}

/* The holder entry of (pid, num) in a snapshot, or NULL. */
static inline const struct ipclab_holder *
snap_holder(const struct snap *s, pid_t pid, __u32 num)
{
	__u32 i;

	for (i = 0; i < s->st.holders_len && i < SNAP_HOLDERS; i++)
		if (s->holders[i].pid == pid && s->holders[i].num == num)
			return &s->holders[i];
	return NULL;
}

/* Number of waiters of an object, or -1 (errno set) if STAT fails. */
static inline int ipclab_nwaiters(int fd, __u32 id)
{
	struct ipclab_stat st;

	if (ipclab_stat(fd, id, &st))
		return -1;
	return st.nwaiters;
}

/* IPCLAB_IOC_INFO: every limit, the machine's usage and the caller's. */
static inline int ipclab_info(int fd, struct ipclab_info *info)
{
	POISON(*info);
	info->flags = 0;
	return ioctl(fd, IPCLAB_IOC_INFO, info);
}

/*
 * Wait (bounded, polling every millisecond, ~IPCLAB_SETTLE_MS in all)
 * until the object has exactly n waiters.  False on timeout or when STAT
 * fails.
 */
static inline bool wait_for_waiters(int fd, __u32 id, int n)
{
	__u64 deadline = mono_ns() + IPCLAB_SETTLE_MS * NSEC_PER_MSEC;
	int now;

	for (;;) {
		now = ipclab_nwaiters(fd, id);
		if (now == n)
			return true;
		if (now < 0 || mono_ns() > deadline)
			return false;
		usleep(1000);
	}
}

/* ---------------------------------------------------------------- */
/* Semaphore sets                                                   */
/* ---------------------------------------------------------------- */

static inline struct ipclab_sembuf sembuf(__u32 num, __s32 op, __u32 flags)
{
	struct ipclab_sembuf b = { .num = num, .op = op, .flags = flags, .pad = 0 };

	return b;
}

static inline int sem_ops(int fd, __u32 id, const struct ipclab_sembuf *ops,
			  __u32 nops, __u32 wait_flags, __u64 timeout)
{
	struct ipclab_semop a = {
		.id = id, .nops = nops, .ops = ptr_u64(ops),
		.flags = wait_flags, .pad = 0, .timeout = timeout,
	};

	return ioctl(fd, IPCLAB_IOC_SEM_OP, &a);
}

/* One operation, waiting as long as it must; op_flags are IPCLAB_SEM_*. */
static inline int sem_op1(int fd, __u32 id, __u32 num, __s32 op,
			  __u32 op_flags)
{
	struct ipclab_sembuf b = sembuf(num, op, op_flags);

	return sem_ops(fd, id, &b, 1, 0, 0);
}

/* One operation with IPCLAB_WAIT_* flags and a timeout. */
static inline int sem_op1_wait(int fd, __u32 id, __u32 num, __s32 op,
			       __u32 op_flags, __u32 wait_flags, __u64 timeout)
{
	struct ipclab_sembuf b = sembuf(num, op, op_flags);

	return sem_ops(fd, id, &b, 1, wait_flags, timeout);
}

/*
 * IPCLAB_IOC_SEM_CTL for the commands about one semaphore.  For SETVAL
 * *val is the input; for the others the output (poisoned before).
 */
static inline int sem_ctl(int fd, __u32 id, __u32 cmd, __u32 num, __s32 *val)
{
	struct ipclab_semctl c;
	int ret;

	memset(&c, 0, sizeof(c));
	c.id = id;
	c.cmd = cmd;
	c.num = num;
	if (cmd == IPCLAB_SEMCTL_SETVAL)
		c.val = *val;
	else
		memset(&c.val, 0xcc, sizeof(c.val));	/* the output */
	ret = ioctl(fd, IPCLAB_IOC_SEM_CTL, &c);
	if (!ret && val && cmd != IPCLAB_SEMCTL_SETVAL)
		*val = c.val;
	return ret;
}

/* A GET* command's value, or -1 with errno (values are never negative). */
static inline int sem_get(int fd, __u32 id, __u32 cmd, __u32 num)
{
	__s32 v;

	if (sem_ctl(fd, id, cmd, num, &v))
		return -1;
	return v;
}

static inline int sem_getval(int fd, __u32 id, __u32 num)
{
	return sem_get(fd, id, IPCLAB_SEMCTL_GETVAL, num);
}

static inline int sem_setval(int fd, __u32 id, __u32 num, __s32 val)
{
	return sem_ctl(fd, id, IPCLAB_SEMCTL_SETVAL, num, &val);
}

static inline int sem_getall(int fd, __u32 id, __s32 *values, __u32 n)
{
	struct ipclab_semctl c = {
		.id = id, .cmd = IPCLAB_SEMCTL_GETALL, .num = 0, .val = 0,
		.values = ptr_u64(values), .nvalues = n, .flags = 0,
	};

	memset(values, 0xcc, n * sizeof(*values));
	return ioctl(fd, IPCLAB_IOC_SEM_CTL, &c);
}

static inline int sem_setall(int fd, __u32 id, const __s32 *values, __u32 n)
{
	struct ipclab_semctl c = {
		.id = id, .cmd = IPCLAB_SEMCTL_SETALL, .num = 0, .val = 0,
		.values = ptr_u64(values), .nvalues = n, .flags = 0,
	};

	return ioctl(fd, IPCLAB_IOC_SEM_CTL, &c);
}

/* ---------------------------------------------------------------- */
/* Mutexes                                                          */
/* ---------------------------------------------------------------- */

static inline int mutex_lock_wait(int fd, __u32 id, __u32 wait_flags,
				  __u64 timeout)
{
	struct ipclab_lock l = { .id = id, .flags = wait_flags, .timeout = timeout };

	return ioctl(fd, IPCLAB_IOC_MUTEX_LOCK, &l);
}

static inline int mutex_lock(int fd, __u32 id)
{
	return mutex_lock_wait(fd, id, 0, 0);
}

static inline int mutex_trylock(int fd, __u32 id)
{
	return mutex_lock_wait(fd, id, IPCLAB_WAIT_NOWAIT, 0);
}

static inline int mutex_unlock(int fd, __u32 id)
{
	struct ipclab_id a = { .id = id, .flags = 0 };

	return ioctl(fd, IPCLAB_IOC_MUTEX_UNLOCK, &a);
}

static inline int mutex_consistent(int fd, __u32 id)
{
	struct ipclab_id a = { .id = id, .flags = 0 };

	return ioctl(fd, IPCLAB_IOC_MUTEX_CONSISTENT, &a);
}

/* ---------------------------------------------------------------- */
/* Children, pipes, privileges                                      */
/* ---------------------------------------------------------------- */

/* What a child's ioctl gave, as an exit code: 0 or the errno. */
static inline int child_status(int ret)
{
	if (ret == 0)
		return 0;
	return errno > 0 && errno < 255 ? errno : 255;
}

/* Exit codes a child uses for "something else went wrong". */
#define CHILD_BROKEN		250	/* setup of the child failed */
#define CHILD_CHECK_FAILED	251	/* a CHILD_CHECK() did not hold */

/* kids_wait() results besides an exit code 0..255. */
#define KID_TIMEOUT		(-1)	/* still running: it was killed */
#define KID_LOST		(-2)	/* waitpid() failed: not our child? */
#define KID_SIGNALED(sig)	(1000 + (sig))

/*
 * In a child: check that expr returns 0 (want == 0) or -1 with errno want;
 * otherwise say so on stderr (as a TAP comment) and exit.
 */
#define CHILD_CHECK(expr, want) do {					\
	int __want = (want);						\
	int __r;							\
	errno = 0;							\
	__r = (expr);							\
	if (__want ? (__r != -1 || errno != __want) : __r != 0) {	\
		fprintf(stderr, "# child %d, %s:%d: %s: ret %d, errno %d (%s), wanted %s\n", \
			getpid(), __FILE__, __LINE__, #expr, __r, errno, \
			strerror(errno),				\
			__want ? strerror(__want) : "success");	\
		_exit(CHILD_CHECK_FAILED);				\
	}								\
} while (0)

/*
 * What a test must undo whatever happens: objects to remove, children to
 * kill, parameters to restore.
 */
#define CL_MAX_OBJS	128
#define CL_MAX_KIDS	64
#define CL_MAX_PARAMS	8

struct ipclab_cleanup {
	int nobjs;
	__u32 objs[CL_MAX_OBJS];
	int nkids;
	pid_t kids[CL_MAX_KIDS];
	int nparams;
	struct {
		char name[32];
		long old;
	} params[CL_MAX_PARAMS];
};

static inline void cl_track(struct ipclab_cleanup *cl, __u32 id)
{
	if (cl->nobjs < CL_MAX_OBJS)
		cl->objs[cl->nobjs++] = id;
}

/* fork(), remembering the child so that the teardown can kill it. */
static inline pid_t kids_fork(struct ipclab_cleanup *cl)
{
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid > 0 && cl->nkids < CL_MAX_KIDS)
		cl->kids[cl->nkids++] = pid;
	return pid;
}

static inline void kids_forget(struct ipclab_cleanup *cl, pid_t pid)
{
	int i;

	for (i = 0; i < cl->nkids; i++) {
		if (cl->kids[i] == pid) {
			cl->kids[i] = cl->kids[--cl->nkids];
			return;
		}
	}
}

static inline int decode_status(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return KID_SIGNALED(WTERMSIG(status));
	return KID_SIGNALED(0);
}

/*
 * Reap a child, waiting at most timeout_ms (-1: as long as it takes).
 * Returns its exit code, KID_SIGNALED(sig), KID_TIMEOUT (then the child
 * was killed and reaped) or KID_LOST.
 */
static inline int kids_wait(struct ipclab_cleanup *cl, pid_t pid, int timeout_ms)
{
	__u64 deadline = mono_ns() + (__u64)(timeout_ms < 0 ? 0 : timeout_ms) * NSEC_PER_MSEC;
	int status = 0;
	pid_t r;

	for (;;) {
		r = waitpid(pid, &status, timeout_ms < 0 ? 0 : WNOHANG);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR) {
			kids_forget(cl, pid);
			return KID_LOST;
		}
		if (timeout_ms >= 0 && mono_ns() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			kids_forget(cl, pid);
			return KID_TIMEOUT;
		}
		if (r == 0)
			usleep(1000);
	}
	kids_forget(cl, pid);
	return decode_status(status);
}

/* True if the child is still running (it is not reaped either way). */
static inline bool kid_running(pid_t pid)
{
	siginfo_t info;

	memset(&info, 0, sizeof(info));
	if (waitid(P_PID, pid, &info, WEXITED | WNOHANG | WNOWAIT))
		return false;
	return info.si_pid == 0;
}

/* True if the child is still running after ms milliseconds. */
static inline bool still_blocked(pid_t pid, int ms)
{
	usleep(ms * 1000);
	return kid_running(pid);
}

/* Kill and reap a child now. */
static inline int kids_kill(struct ipclab_cleanup *cl, pid_t pid, int sig)
{
	kill(pid, sig);
	return kids_wait(cl, pid, IPCLAB_SETTLE_MS);
}

/* Write one byte; in a child, failing to is fatal. */
static inline int put_byte(int fd, unsigned char c)
{
	return write(fd, &c, 1) == 1 ? 0 : -1;
}

/* One byte from fd within timeout_ms, or -1. */
static inline int get_byte(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	unsigned char c;

	if (poll(&p, 1, timeout_ms) != 1)
		return -1;
	if (read(fd, &c, 1) != 1)
		return -1;
	return c;
}

/*
 * A pair of pipes to hold a child at a point: it writes to "ready" when it
 * gets there, and waits for a byte on "go" (or EOF) to go on.
 */
struct rendezvous {
	int ready[2];
	int go[2];
};

static inline int rv_open(struct rendezvous *rv)
{
	if (pipe(rv->ready))
		return -1;
	if (pipe(rv->go)) {
		close(rv->ready[0]);
		close(rv->ready[1]);
		return -1;
	}
	return 0;
}

/* In the child, after fork. */
static inline void rv_child(struct rendezvous *rv)
{
	close(rv->ready[0]);
	close(rv->go[1]);
}

/* In the parent, after fork. */
static inline void rv_parent(struct rendezvous *rv)
{
	close(rv->ready[1]);
	close(rv->go[0]);
}

/* In the parent, when done. */
static inline void rv_close(struct rendezvous *rv)
{
	close(rv->ready[0]);
	close(rv->go[1]);
}

/* In a child: become nobody:nogroup, with no supplementary groups. */
static inline int drop_to_nobody(void)
{
	if (setgroups(0, NULL) || setgid(IPCLAB_NOBODY) ||
	    setuid(IPCLAB_NOBODY))
		return -1;
	if (getuid() != IPCLAB_NOBODY || geteuid() != IPCLAB_NOBODY ||
	    getgid() != IPCLAB_NOBODY || getegid() != IPCLAB_NOBODY)
		return -1;
	return 0;
}

/* In a child: set the command name (as STAT shows it). */
static inline void set_comm(const char *fmt, int n)
{
	char name[16];

	snprintf(name, sizeof(name), fmt, n);
	prctl(PR_SET_NAME, name, 0, 0, 0);
}

/* The command name of the calling thread. */
static inline void get_comm(char name[16])
{
	memset(name, 0, 16);
	prctl(PR_GET_NAME, name, 0, 0, 0);
}

/* ---------------------------------------------------------------- */
/* Module parameters                                                */
/* ---------------------------------------------------------------- */

/* A parameter's text as sysfs shows it, without the newline. */
static inline int param_read_str(const char *name, char *buf, size_t n)
{
	char path[160];
	ssize_t len;
	int fd;

	snprintf(path, sizeof(path), IPCLAB_PARAM_DIR "%.100s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	len = read(fd, buf, n - 1);
	close(fd);
	if (len <= 0)
		return -1;
	buf[len] = 0;
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

static inline int param_read(const char *name, long *val)
{
	char buf[64];

	if (param_read_str(name, buf, sizeof(buf)))
		return -1;
	*val = strtol(buf, NULL, 10);
	return 0;
}

/* A parameter's value, or def if it cannot be read. */
static inline long param_or(const char *name, long def)
{
	long v;

	return param_read(name, &v) ? def : v;
}

/* Write text to a parameter, as "echo -n" would; -1 if refused. */
static inline int param_write_str(const char *name, const char *val)
{
	char path[160];
	ssize_t len;
	int fd;

	snprintf(path, sizeof(path), IPCLAB_PARAM_DIR "%.100s", name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	len = write(fd, val, strlen(val));
	close(fd);
	return len == (ssize_t)strlen(val) ? 0 : -1;
}

static inline int param_write(const char *name, long val)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%ld\n", val);
	return param_write_str(name, buf);
}

/*
 * Set a parameter, remembering its first value for ipclab_cleanup().
 * -1 if it cannot be read or written (the caller skips).
 */
static inline int param_change(struct ipclab_cleanup *cl, const char *name,
			       long val)
{
	long old;
	int i;

	if (param_read(name, &old))
		return -1;
	for (i = 0; i < cl->nparams; i++)
		if (!strcmp(cl->params[i].name, name))
			break;
	if (i == cl->nparams) {
		if (cl->nparams == CL_MAX_PARAMS)
			return -1;
		snprintf(cl->params[i].name, sizeof(cl->params[i].name), "%s", name);
		cl->params[i].old = old;
		cl->nparams++;
	}
	return param_write(name, val);
}

/*
 * Put back every parameter param_change() changed (a test does it when it
 * is done with the limit; ipclab_cleanup() again, in case it did not get
 * that far).  0, or -1 if one could not be written.
 */
static inline int params_restore(struct ipclab_cleanup *cl)
{
	int i, ret = 0;

	for (i = cl->nparams - 1; i >= 0; i--)
		if (param_write(cl->params[i].name, cl->params[i].old))
			ret = -1;
	cl->nparams = 0;
	return ret;
}

/* In a test with a fixture: change a parameter or skip the test. */
#define PARAM_CHANGE_OR_SKIP(name, val) do {				\
	if (param_change(&self->cl, (name), (val)))			\
		SKIP(return, IPCLAB_PARAM_DIR "%s: cannot set it (%s)",	\
		     (name), strerror(errno));				\
} while (0)

/*
 * Undo everything a test left: kill its children, remove its objects
 * (through a session of its own: this runs in the harness process, see
 * above), restore the parameters it changed.
 */
static inline void ipclab_cleanup(struct ipclab_cleanup *cl)
{
	int fd, i;

	for (i = 0; i < cl->nkids; i++)
		kill(cl->kids[i], SIGKILL);
	for (i = 0; i < cl->nkids; i++)
		waitpid(cl->kids[i], NULL, 0);	/* ECHILD if not ours */
	cl->nkids = 0;
	fd = open(IPCLAB_DEVICE, O_RDWR | O_CLOEXEC);
	for (i = 0; fd >= 0 && i < cl->nobjs; i++)
		ipclab_rmid(fd, cl->objs[i]);	/* EINVAL if already gone */
	if (fd >= 0)
		close(fd);
	cl->nobjs = 0;
	params_restore(cl);
}

/* ---------------------------------------------------------------- */
/* For test bodies (need _metadata and a fixture with fd and cl)    */
/* ---------------------------------------------------------------- */

/* A new private semaphore set, removed by the teardown. */
#define NEW_SEM(nsems) ({						\
	__u32 __id = 0;							\
	ASSERT_EQ(0, sem_create(self->fd, (nsems), &__id))		\
		TH_LOG("creating a set of %u: %s", (unsigned int)(nsems), \
		       strerror(errno));				\
	cl_track(&self->cl, __id);					\
	__id;								\
})

/* A new private mutex, removed by the teardown. */
#define NEW_MUTEX() ({							\
	__u32 __id = 0;							\
	ASSERT_EQ(0, mutex_create(self->fd, &__id))			\
		TH_LOG("creating a mutex: %s", strerror(errno));	\
	cl_track(&self->cl, __id);					\
	__id;								\
})

/*
 * What an ioctl-style call gave: 0 if it succeeded (returned >= 0), else
 * its errno.  Comparing this one number keeps a failure message short
 * ("Expected 22 == ... (0)": it succeeded; "(11)": it failed with EAGAIN)
 * and lets a TH_LOG() follow the check.
 */
static inline int call_errno(int ret)
{
	if (ret >= 0)
		return 0;
	return errno ? errno : -1;
}

/* The call failed with errno err. */
#define EXPECT_ERRNO(err, ret)	EXPECT_EQ((err), call_errno(ret))
#define ASSERT_ERRNO(err, ret)	ASSERT_EQ((err), call_errno(ret))
/* The call succeeded. */
#define EXPECT_OK(ret)		EXPECT_EQ(0, call_errno(ret))
#define ASSERT_OK(ret)		ASSERT_EQ(0, call_errno(ret))

/* The whole set's values, read with GETALL, are exactly the arguments. */
#define check_sem_values(fd, id, ...) do {				\
	const __s32 __want[] = { __VA_ARGS__ };				\
	__s32 __got[ARRAY_SIZE(__want)];				\
	unsigned int __i;						\
	ASSERT_EQ(0, sem_getall((fd), (id), __got, ARRAY_SIZE(__want))) \
		TH_LOG("GETALL: %s", strerror(errno));			\
	for (__i = 0; __i < ARRAY_SIZE(__want); __i++) {		\
		EXPECT_EQ(__want[__i], __got[__i])			\
			TH_LOG("value of semaphore %u", __i);		\
	}								\
} while (0)

/* A mutex's state, owner pid (0: none) and number of waiters. */
#define check_mutex_state(fd, id, want_state, want_pid, want_waiters) do { \
	struct ipclab_stat __st;					\
	ASSERT_EQ(0, ipclab_stat((fd), (id), &__st))			\
		TH_LOG("STAT: %s", strerror(errno));			\
	EXPECT_EQ(IPCLAB_TYPE_MUTEX, __st.type);			\
	EXPECT_EQ((want_state), __st.mutex.state);			\
	EXPECT_EQ((want_pid), __st.mutex.pid);				\
	EXPECT_EQ((want_waiters), __st.nwaiters);			\
} while (0)

/*
 * A child's end, as kids_wait() reports it, is "want": its exit code (0 or
 * the errno its call got; 250, 251: see CHILD_BROKEN), KID_SIGNALED(sig)
 * (1000 + sig), or KID_TIMEOUT (-1: it hung and was killed).  A TH_LOG()
 * may follow, as after EXPECT_EQ().
 */
#define EXPECT_KID(want, pid, timeout_ms)				\
	EXPECT_EQ((want), kids_wait(&self->cl, (pid), (timeout_ms)))

#define ASSERT_KID(want, pid, timeout_ms)				\
	ASSERT_EQ((want), kids_wait(&self->cl, (pid), (timeout_ms)))

/* ---------------------------------------------------------------- */
/* Mailboxes, shared buffers, lists, usage, the whole machine, PRNG */
/* ---------------------------------------------------------------- */
/*
 * For the tests that use every primitive at once (storm, load,
 * lifecycle).  Like the wrappers above, they use no harness macro.
 */

#include <sys/mman.h>

/* A positive number from the environment variable name, or def. */
static inline long env_long(const char *name, long def)
{
	const char *e = getenv(name);
	long n = e ? strtol(e, NULL, 0) : 0;

	return n > 0 ? n : def;
}

/*
 * IPCLAB_IOC_GET with every field as the caller filled it but the id,
 * which is poisoned, then returned in *id.
 */
static inline int obj_get(int fd, struct ipclab_get *g, __u32 *id)
{
	int ret;

	memset(&g->id, 0xcc, sizeof(g->id));	/* the output */
	ret = ioctl(fd, IPCLAB_IOC_GET, g);
	*id = g->id;
	return ret;
}

/* A new private mailbox, mode 0600 (0 for a size: the module's limit). */
static inline int mbox_create(int fd, __u32 max_msgs, __u32 max_msgsz,
			      __u64 max_bytes, __u32 *id)
{
	struct ipclab_get g = {
		.type = IPCLAB_TYPE_MBOX, .key = IPCLAB_KEY_PRIVATE,
		.flags = IPCLAB_CREAT, .mode = 0600, .mbox.max_msgs = max_msgs,
		.mbox.max_msgsz = max_msgsz, .mbox.max_bytes = max_bytes,
	};

	return obj_get(fd, &g, id);
}

/* A new private shared buffer of size bytes, mode 0600. */
static inline int shbuf_create(int fd, __u64 size, __u32 *id)
{
	struct ipclab_get g = {
		.type = IPCLAB_TYPE_SHBUF, .key = IPCLAB_KEY_PRIVATE,
		.flags = IPCLAB_CREAT, .mode = 0600, .shbuf.size = size,
	};

	return obj_get(fd, &g, id);
}

/* IPCLAB_IOC_OPEN: an object fd in *ofd (-1 on failure). */
static inline int objfd_open(int fd, __u32 id, __u32 flags, int *ofd)
{
	struct ipclab_open o = { .id = id, .flags = flags, .pad = 0 };
	int ret;

	memset(&o.fd, 0xcc, sizeof(o.fd));
	ret = ioctl(fd, IPCLAB_IOC_OPEN, &o);
	*ofd = ret ? -1 : o.fd;
	return ret;
}

/*
 * Map len bytes of a shared buffer read-write through an object fd that
 * is closed again at once (the mapping keeps the file).  NULL with errno
 * on failure.
 */
static inline void *shbuf_map(int fd, __u32 id, size_t len)
{
	int ofd, err;
	void *p;

	if (objfd_open(fd, id, IPCLAB_OPEN_READ | IPCLAB_OPEN_WRITE |
		       IPCLAB_OPEN_CLOEXEC, &ofd))
		return NULL;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, ofd, 0);
	err = errno;
	close(ofd);
	errno = err;
	return p == MAP_FAILED ? NULL : p;
}

static inline int msg_send(int fd, __u32 id, __s64 type, const void *text,
			   __u64 size, __u32 flags, __u64 timeout)
{
	struct ipclab_msgsnd s = {
		.id = id, .flags = flags, .type = type,
		.text = ptr_u64(text), .size = size, .timeout = timeout,
	};

	return ioctl(fd, IPCLAB_IOC_MBOX_SEND, &s);
}

/*
 * IPCLAB_IOC_MBOX_RECV: *type is the selector in and the message's type
 * out, *size the buffer's size in and the message's size out (both
 * written only on success).
 */
static inline int msg_recv(int fd, __u32 id, __s64 *type, void *buf,
			   __u64 *size, __u32 flags, __u64 timeout)
{
	struct ipclab_msgrcv r = {
		.id = id, .flags = flags, .type = *type,
		.text = ptr_u64(buf), .size = *size, .timeout = timeout,
	};
	int ret;

	ret = ioctl(fd, IPCLAB_IOC_MBOX_RECV, &r);
	if (ret)
		return ret;
	*type = r.type;
	*size = r.size;
	return 0;
}

/*
 * IPCLAB_IOC_LIST of one type (0: all): how many objects exist, with the
 * first len ids in ids; -1 with errno on failure.
 */
static inline int list_ids(int fd, __u32 type, __u32 *ids, __u32 len)
{
	struct ipclab_list l = { .type = type, .len = len, .ids = ptr_u64(ids) };

	if (ioctl(fd, IPCLAB_IOC_LIST, &l))
		return -1;
	return l.len;
}

/*
 * The usage counters that must come back to what they were once a
 * test's processes are gone and its objects removed.  Compares a with b
 * and prints (as a TAP comment) each counter that differs; returns how
 * many do.
 */
static inline int usage_diff(const char *what, const struct ipclab_usage *a,
			     const struct ipclab_usage *b)
{
	const struct {
		const char *name;
		unsigned long long a, b;
	} c[] = {
		{ "objects", a->objects, b->objects },
		{ "procs", a->procs, b->procs },
		{ "waiters", a->waiters, b->waiters },
		{ "msgs", a->msgs, b->msgs },
		{ "msg_bytes", a->msg_bytes, b->msg_bytes },
		{ "sems", a->sems, b->sems },
		{ "sem_records", a->sem_records, b->sem_records },
		{ "shbuf_pages", a->shbuf_pages, b->shbuf_pages },
	};
	unsigned int i;
	int n = 0;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		if (c[i].a == c[i].b)
			continue;
		fprintf(stderr, "# usage %s: %s was %llu, is %llu\n",
			what, c[i].name, c[i].a, c[i].b);
		n++;
	}
	return n;
}

/* IPCLAB_IOC_SNAPSHOT with room for MACHINE_ROOM entries of each kind. */
#define MACHINE_ROOM	1024

struct machine {
	struct ipclab_snapshot s;
	struct ipclab_snap_res res[MACHINE_ROOM];
	struct ipclab_snap_proc procs[MACHINE_ROOM];
	struct ipclab_snap_edge edges[MACHINE_ROOM];
};

/* Take the whole machine's snapshot into *m; the arrays are poisoned. */
static inline int machine_snapshot(int fd, struct machine *m)
{
	POISON(*m);
	memset(&m->s, 0, sizeof(m->s));
	m->s.res = ptr_u64(m->res);
	m->s.procs = ptr_u64(m->procs);
	m->s.edges = ptr_u64(m->edges);
	m->s.res_len = m->s.procs_len = m->s.edges_len = MACHINE_ROOM;
	return ioctl(fd, IPCLAB_IOC_SNAPSHOT, &m->s);
}

/*
 * A small seeded PRNG (splitmix64), so that a run that failed can be
 * repeated with the same choices: print the seed.
 */
struct prng {
	__u64 s;
};

static inline __u64 prng_next(struct prng *r)
{
	__u64 z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* 0..n-1 (n > 0). */
static inline __u32 prng_below(struct prng *r, __u32 n)
{
	return (__u32)(prng_next(r) % n);
}

/* A seed from IPCLAB_SEED if set (to repeat a run), else from the clock. */
static inline __u64 prng_seed_env(void)
{
	const char *e = getenv("IPCLAB_SEED");

	if (e && *e)
		return strtoull(e, NULL, 0);
	return mono_ns() ^ ((__u64)getpid() << 32);
}

/* ------------------------------------------------------------------ */
/* Files: tracefs, whole files                                        */
/* ------------------------------------------------------------------ */

#include <limits.h>

/* Where tracefs is mounted, with ipclab's events; NULL without. */
static inline const char *tracefs(void)
{
	static const char *const dirs[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	static char path[PATH_MAX];
	unsigned int i;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/events/ipclab", dirs[i]);
		if (!access(path, F_OK))
			return dirs[i];
	}
	return NULL;
}

static inline int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC), ok;

	if (fd < 0)
		return -1;
	ok = write(fd, text, strlen(text)) == (ssize_t)strlen(text);
	close(fd);
	return ok ? 0 : -1;
}

/*
 * The number after "key" and sep on a line of a file ("MemFree:" of
 * /proc/meminfo, "max " of a cgroup's memory.events); the last such
 * line's, or -1 if there is none or the file cannot be read.
 */
static inline long read_key_long(const char *path, const char *key, char sep)
{
	char line[128];
	size_t n = strlen(key);
	long v = -1;
	FILE *f = fopen(path, "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == sep)
			v = atol(line + n + 1);
	fclose(f);
	return v;
}

/* The whole of a file, NUL-terminated, in a new buffer; NULL on failure. */
static inline char *read_all(const char *path)
{
	size_t len = 0, cap = 1 << 16;
	char *buf = malloc(cap);
	ssize_t got;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || !buf) {
		free(buf);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	while ((got = read(fd, buf + len, cap - len - 1)) > 0) {
		len += got;
		if (cap - len < 4096)
			buf = realloc(buf, cap *= 2);
	}
	close(fd);
	buf[len] = 0;
	return buf;
}

#include <ctype.h>

/*
 * A tiny JSON checker: is a string one well-formed JSON value?  For the
 * commands' --json output (cli_test, bench_test).
 */

static inline bool json_value(const char **p, int depth);

static inline void json_ws(const char **p)
{
	while (**p == ' ' || **p == '\n' || **p == '\t' || **p == '\r')
		(*p)++;
}

static inline bool json_string(const char **p)
{
	if (**p != '"')
		return false;
	for ((*p)++; **p != '"'; (*p)++) {
		if (!**p || (unsigned char)**p < 0x20)
			return false;
		if (**p == '\\') {
			(*p)++;
			if (**p == 'u') {
				int i;

				for (i = 1; i <= 4; i++)
					if (!isxdigit((unsigned char)(*p)[i]))
						return false;
				*p += 4;
			} else if (!strchr("\"\\/bfnrt", **p) || !**p) {
				return false;
			}
		}
	}
	(*p)++;
	return true;
}

static inline bool json_number(const char **p)
{
	const char *s = *p;

	if (**p == '-')
		(*p)++;
	if (!isdigit((unsigned char)**p))
		return false;
	if (**p == '0' && isdigit((unsigned char)(*p)[1]))
		return false;
	while (isdigit((unsigned char)**p))
		(*p)++;
	if (**p == '.') {
		(*p)++;
		if (!isdigit((unsigned char)**p))
			return false;
		while (isdigit((unsigned char)**p))
			(*p)++;
	}
	return *p > s;
}

static inline bool json_list(const char **p, char close, bool object, int depth)
{
	(*p)++;
	json_ws(p);
	if (**p == close) {
		(*p)++;
		return true;
	}
	for (;;) {
		json_ws(p);
		if (object) {
			if (!json_string(p))
				return false;
			json_ws(p);
			if (**p != ':')
				return false;
			(*p)++;
		}
		if (!json_value(p, depth + 1))
			return false;
		json_ws(p);
		if (**p == close) {
			(*p)++;
			return true;
		}
		if (**p != ',')
			return false;
		(*p)++;
	}
}

static inline bool json_value(const char **p, int depth)
{
	if (depth > 32)
		return false;
	json_ws(p);
	switch (**p) {
	case '{':
		return json_list(p, '}', true, depth);
	case '[':
		return json_list(p, ']', false, depth);
	case '"':
		return json_string(p);
	case 't':
		return !strncmp(*p, "true", 4) && (*p += 4);
	case 'f':
		return !strncmp(*p, "false", 5) && (*p += 5);
	case 'n':
		return !strncmp(*p, "null", 4) && (*p += 4);
	default:
		return json_number(p);
	}
}

static inline bool json_valid(const char *s)
{
	const char *p = s;

	if (!json_value(&p, 0))
		return false;
	json_ws(&p);
	return !*p;
}

#endif /* IPCLAB_TEST_H */
