// SPDX-License-Identifier: GPL-2.0
/*
 * The SysV layer (userspace/lib/sysv.c) against the kernel's own SysV IPC.
 *
 * This test is linked with libipclab-sysv.a ahead of libc: semget(),
 * msgsnd(), shmat() and the rest are ipclab's, and the kernel's are
 * reached through syscall(2).  Each scenario is written once, against a
 * table of the twelve calls (struct sysv), and run twice: on the kernel,
 * then on ipclab.  A run writes down everything it sees - return values,
 * errnos, values and messages read back, nattch, the IPC_STAT fields that
 * must agree - as a list of observations, each with what SysV promises
 * when it promises something.  The test then checks that the kernel run
 * saw what SysV promises (so that the scenario itself is right) and that
 * the ipclab run saw exactly what the kernel run saw.
 *
 * Not compared, because ipclab differs on purpose (userspace/lib/sysv.c,
 * docs/design.md section 9): which of several waiters that fit gets a
 * unit first, the mailbox's limit on the number of messages, the limits
 * *_INFO reports where ipclab's are higher (only "at least Linux's" is
 * compared), the ids themselves and __seq, and times beyond "zero or
 * not".
 *
 * A forked child writes to the record (it lives in the fixture, which is
 * shared memory) only while its parent waits for it; a child that blocks
 * reports through its exit code instead (0 or the errno, child_status()).
 *
 * The last test runs an unmodified dynamically linked program, sysv_prog,
 * with and without LD_PRELOAD=libipclab-sysv.so, and compares what it
 * prints.
 */
#include <libgen.h>
#include <sched.h>
#include <limits.h>
#include <stdarg.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "ipclab_test.h"

/* semctl(2): "the calling program must define this union". */
union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
	struct seminfo *__buf;
};

/* ------------------------------------------------------------------ */
/* The two implementations                                            */
/* ------------------------------------------------------------------ */

struct sysv {
	const char *name;
	bool lab;
	int (*semget)(key_t key, int nsems, int flg);
	int (*semop)(int id, struct sembuf *sops, size_t nsops);
	int (*semtimedop)(int id, struct sembuf *sops, size_t nsops,
			  const struct timespec *timeout);
	int (*semctl)(int id, int num, int cmd, union semun arg);
	int (*msgget)(key_t key, int flg);
	int (*msgsnd)(int id, const void *msgp, size_t size, int flg);
	ssize_t (*msgrcv)(int id, void *msgp, size_t size, long type, int flg);
	int (*msgctl)(int id, int cmd, struct msqid_ds *buf);
	int (*shmget)(key_t key, size_t size, int flg);
	void *(*shmat)(int id, const void *addr, int flg);
	int (*shmdt)(const void *addr);
	int (*shmctl)(int id, int cmd, struct shmid_ds *buf);
};

/*
 * The kernel's, as raw system calls.  On x86_64 the kernel's structures
 * are glibc's and there is no IPC_64 to add: cmd goes as it is.
 */
static int k_semget(key_t key, int nsems, int flg)
{
	return syscall(SYS_semget, key, nsems, flg);
}

static int k_semop(int id, struct sembuf *sops, size_t nsops)
{
	return syscall(SYS_semop, id, sops, nsops);
}

static int k_semtimedop(int id, struct sembuf *sops, size_t nsops,
			const struct timespec *timeout)
{
	return syscall(SYS_semtimedop, id, sops, nsops, timeout);
}

static int k_semctl(int id, int num, int cmd, union semun arg)
{
	unsigned long a = 0;

	/* The union travels as one register; SETVAL reads its low int. */
	memcpy(&a, &arg, sizeof(arg) < sizeof(a) ? sizeof(arg) : sizeof(a));
	return syscall(SYS_semctl, id, num, cmd, a);
}

static int k_msgget(key_t key, int flg)
{
	return syscall(SYS_msgget, key, flg);
}

static int k_msgsnd(int id, const void *msgp, size_t size, int flg)
{
	return syscall(SYS_msgsnd, id, msgp, size, flg);
}

static ssize_t k_msgrcv(int id, void *msgp, size_t size, long type, int flg)
{
	return syscall(SYS_msgrcv, id, msgp, size, type, flg);
}

static int k_msgctl(int id, int cmd, struct msqid_ds *buf)
{
	return syscall(SYS_msgctl, id, cmd, buf);
}

static int k_shmget(key_t key, size_t size, int flg)
{
	return syscall(SYS_shmget, key, size, flg);
}

static void *k_shmat(int id, const void *addr, int flg)
{
	return (void *)syscall(SYS_shmat, id, addr, flg);
}

static int k_shmdt(const void *addr)
{
	return syscall(SYS_shmdt, addr);
}

static int k_shmctl(int id, int cmd, struct shmid_ds *buf)
{
	return syscall(SYS_shmctl, id, cmd, buf);
}

static const struct sysv kernel_sysv = {
	.name = "kernel", .lab = false,
	.semget = k_semget, .semop = k_semop, .semtimedop = k_semtimedop,
	.semctl = k_semctl, .msgget = k_msgget, .msgsnd = k_msgsnd,
	.msgrcv = k_msgrcv, .msgctl = k_msgctl, .shmget = k_shmget,
	.shmat = k_shmat, .shmdt = k_shmdt, .shmctl = k_shmctl,
};

/* ipclab's: the library's functions, linked ahead of libc's. */
static int l_semctl(int id, int num, int cmd, union semun arg)
{
	return semctl(id, num, cmd, arg);
}

static const struct sysv lab_sysv = {
	.name = "ipclab", .lab = true,
	.semget = semget, .semop = semop, .semtimedop = semtimedop,
	.semctl = l_semctl, .msgget = msgget, .msgsnd = msgsnd,
	.msgrcv = msgrcv, .msgctl = msgctl, .shmget = shmget,
	.shmat = shmat, .shmdt = shmdt, .shmctl = shmctl,
};

/* ------------------------------------------------------------------ */
/* What a run saw                                                     */
/* ------------------------------------------------------------------ */

#define OBS_MAX		160
#define ANY		LLONG_MIN	/* SysV promises nothing: only compared */

enum { OBS_ERRNO, OBS_VALUE, OBS_KID };

struct obs {
	int line;
	int kind;
	long long want;
	long long got;
	char what[88];
};

struct record {
	int n;
	int dropped;
	struct obs o[OBS_MAX];
};

/* Kernel objects the teardown removes ('s'em, 'm'sg, s'h'm). */
#define KOBJ_MAX	64

struct kobj {
	int type;
	int id;
};

FIXTURE(sysv) {
	int fd;				/* a session of our own, for STAT */
	struct ipclab_cleanup cl;	/* ipclab objects, children */
	int nkobjs;
	struct kobj kobjs[KOBJ_MAX];
	key_t prog_key;			/* sysv_prog's key, 0 if none */
	struct record rec[2];		/* kernel, ipclab */
};

FIXTURE_SETUP(sysv)
{
	memset(&self->cl, 0, sizeof(self->cl));
	self->nkobjs = 0;
	self->prog_key = 0;
	memset(self->rec, 0, sizeof(self->rec));
	IPCLAB_OPEN_OR_SKIP(self->fd);
}

/* What sysv_prog may have left with its key, if it died half-way. */
static void remove_by_key(key_t key)
{
	int fd = open(IPCLAB_DEVICE, O_RDWR | O_CLOEXEC);
	static const __u32 types[] = {
		IPCLAB_TYPE_SEM, IPCLAB_TYPE_MBOX, IPCLAB_TYPE_SHBUF,
	};
	unsigned int i;
	int id;
	__u32 lid;

	for (i = 0; fd >= 0 && i < ARRAY_SIZE(types); i++)
		if (!ipclab_get(fd, types[i], key, 0, 0, 0, &lid))
			ipclab_rmid(fd, lid);
	if (fd >= 0)
		close(fd);
	id = k_semget(key, 0, 0);
	if (id >= 0)
		k_semctl(id, 0, IPC_RMID, (union semun){ .val = 0 });
	id = k_msgget(key, 0);
	if (id >= 0)
		k_msgctl(id, IPC_RMID, NULL);
	id = k_shmget(key, 0, 0);
	if (id >= 0)
		k_shmctl(id, IPC_RMID, NULL);
}

FIXTURE_TEARDOWN_PARENT(sysv)
{
	int i;

	ipclab_cleanup(&self->cl);
	for (i = 0; i < self->nkobjs; i++) {
		struct kobj *k = &self->kobjs[i];

		if (k->type == 's')
			k_semctl(k->id, 0, IPC_RMID, (union semun){ .val = 0 });
		else if (k->type == 'm')
			k_msgctl(k->id, IPC_RMID, NULL);
		else
			k_shmctl(k->id, IPC_RMID, NULL);
	}
	self->nkobjs = 0;
	if (self->prog_key)
		remove_by_key(self->prog_key);
}

/* One run of a scenario: on which implementation, into which record. */
struct ctx {
	const struct sysv *s;
	struct record *rec;
	FIXTURE_DATA(sysv) *self;
};

static void __attribute__((format(printf, 6, 7)))
rec_add(struct ctx *c, int line, int kind, long long want, long long got,
	const char *fmt, ...)
{
	struct record *r = c->rec;
	struct obs *o;
	va_list ap;

	if (r->n >= OBS_MAX) {
		r->dropped++;
		return;
	}
	o = &r->o[r->n];
	o->line = line;
	o->kind = kind;
	o->want = want;
	o->got = got;
	va_start(ap, fmt);
	vsnprintf(o->what, sizeof(o->what), fmt, ap);
	va_end(ap);
	r->n++;
}

/* A value seen (a count, a flag, a checksum); want may be ANY. */
#define SEE(want, got, ...)						\
	rec_add(c, __LINE__, OBS_VALUE, (want), (long long)(got), __VA_ARGS__)

/* How a child ended: kids_wait()'s exit code, KID_SIGNALED() or KID_TIMEOUT. */
#define SEE_KID(want, pid, ...)						\
	rec_add(c, __LINE__, OBS_KID, (want), wait_kid(c, (pid)), __VA_ARGS__)

/* A call's outcome as an errno, 0 when it succeeded (returned not -1). */
#define SEE_ERR(want, expr, ...) do {					\
	long long __r;							\
	int __e;							\
	errno = 0;							\
	__r = (long long)(expr);					\
	__e = __r == -1 ? errno : 0;					\
	rec_add(c, __LINE__, OBS_ERRNO, (want), __e, __VA_ARGS__);	\
} while (0)

/* The same, keeping the call's result in var. */
#define SEE_CALL(want, var, expr, ...) do {				\
	int __e;							\
	errno = 0;							\
	var = (expr);							\
	__e = (long long)(var) == -1 ? errno : 0;			\
	rec_add(c, __LINE__, OBS_ERRNO, (want), __e, __VA_ARGS__);	\
} while (0)

/* shmat() returns a pointer; (void *)-1 on failure. */
#define SEE_ATTACH(want, var, expr, ...) do {				\
	int __e;							\
	errno = 0;							\
	var = (expr);							\
	__e = (var) == (void *)-1 ? errno : 0;				\
	rec_add(c, __LINE__, OBS_ERRNO, (want), __e, __VA_ARGS__);	\
} while (0)

/*
 * The scenario cannot go on: say so in the record (the comparison shows
 * it) and leave the scenario.
 */
#define NEED(cond) do {							\
	if (!(cond)) {							\
		rec_add(c, __LINE__, OBS_VALUE, 1, 0,			\
			"setup: %s (errno %d)", #cond, errno);		\
		return;							\
	}								\
} while (0)

/* The same in a child: the record says why, the exit code says broken. */
#define CHILD_NEED(cond) do {						\
	if (!(cond)) {							\
		rec_add(c, __LINE__, OBS_VALUE, 1, 0,			\
			"child setup: %s (errno %d)", #cond, errno);	\
		_exit(CHILD_BROKEN);					\
	}								\
} while (0)

static const char *obs_str(const struct obs *o, long long v, char *buf, size_t n)
{
	const char *name;

	if (v == ANY)
		return "anything";
	if (o->kind == OBS_KID && v >= KID_SIGNALED(0)) {
		name = sigabbrev_np(v - KID_SIGNALED(0));
		snprintf(buf, n, "killed by SIG%s", name ? name : "?");
		return buf;
	}
	if (o->kind == OBS_KID && v < 0)
		return v == KID_TIMEOUT ? "still running" : "lost";
	if (o->kind == OBS_KID && (v == CHILD_BROKEN || v == CHILD_CHECK_FAILED))
		return v == CHILD_BROKEN ? "child broken" : "child check failed";
	if (o->kind == OBS_ERRNO || o->kind == OBS_KID) {
		if (v == 0)
			return o->kind == OBS_KID ? "exit 0" : "success";
		name = strerrorname_np(v);
		snprintf(buf, n, "%s%s", o->kind == OBS_KID ? "exit " : "", name ? name : "?");
		return buf;
	}
	/* Permission bits read better in octal. */
	snprintf(buf, n, strstr(o->what, "mode") ? "%#llo" : "%lld", v);
	return buf;
}

/*
 * The kernel run must have seen what SysV promises; the ipclab run what
 * the kernel run saw.  Every difference is logged with its line.
 */
static void compare(struct __test_metadata *_metadata, const struct record *k,
		    const struct record *l)
{
	char b1[32], b2[32], b3[32];
	int i;

	EXPECT_EQ(0, k->dropped + l->dropped)
		TH_LOG("record full: raise OBS_MAX");
	for (i = 0; i < k->n; i++) {
		const struct obs *o = &k->o[i];

		if (o->want == ANY || o->want == o->got)
			continue;
		EXPECT_EQ(o->want, o->got)
			TH_LOG("kernel run, line %d: %s: SysV says %s, the kernel gave %s",
			       o->line, o->what, obs_str(o, o->want, b1, sizeof(b1)),
			       obs_str(o, o->got, b2, sizeof(b2)));
	}
	for (i = 0; i < k->n && i < l->n; i++) {
		const struct obs *ko = &k->o[i], *lo = &l->o[i];

		if (ko->line != lo->line) {
			EXPECT_EQ(ko->line, lo->line)
				TH_LOG("the runs went apart: kernel at line %d (%s), "
				       "ipclab at line %d (%s)",
				       ko->line, ko->what, lo->line, lo->what);
			return;
		}
		if (ko->got == lo->got)
			continue;
		EXPECT_EQ(ko->got, lo->got)
			TH_LOG("line %d: %s: kernel %s, ipclab %s (SysV says %s)",
			       ko->line, ko->what, obs_str(ko, ko->got, b1, sizeof(b1)),
			       obs_str(lo, lo->got, b2, sizeof(b2)),
			       obs_str(ko, ko->want, b3, sizeof(b3)));
	}
	EXPECT_EQ(k->n, l->n)
		TH_LOG("the kernel run saw %d things, the ipclab run %d", k->n, l->n);
	for (; i < l->n; i++)
		TH_LOG("  only ipclab, line %d: %s = %s", l->o[i].line, l->o[i].what,
		       obs_str(&l->o[i], l->o[i].got, b1, sizeof(b1)));
	for (; i < k->n; i++)
		TH_LOG("  only kernel, line %d: %s = %s", k->o[i].line, k->o[i].what,
		       obs_str(&k->o[i], k->o[i].got, b1, sizeof(b1)));
}

typedef void scenario_fn(struct ctx *c);

static void run_both(struct __test_metadata *_metadata,
		     FIXTURE_DATA(sysv) *self, scenario_fn *fn)
{
	struct ctx k = { .s = &kernel_sysv, .rec = &self->rec[0], .self = self };
	struct ctx l = { .s = &lab_sysv, .rec = &self->rec[1], .self = self };

	fn(&k);
	fn(&l);
	compare(_metadata, k.rec, l.rec);
}

/* Each TEST_F runs one scenario both ways. */
#define SCENARIO(name)							\
	static void scen_##name(struct ctx *c);				\
	TEST_F(sysv, name) { run_both(_metadata, self, scen_##name); }	\
	static void scen_##name(struct ctx *c)

/* The same, for scenarios that need root (a child becomes nobody). */
#define ROOT_SCENARIO(name)						\
	static void scen_##name(struct ctx *c);				\
	TEST_F(sysv, name)						\
	{								\
		if (geteuid() != 0)					\
			SKIP(return, "needs root to become nobody");	\
		run_both(_metadata, self, scen_##name);			\
	}								\
	static void scen_##name(struct ctx *c)

/* ------------------------------------------------------------------ */
/* Helpers for scenarios                                              */
/* ------------------------------------------------------------------ */

/* Remember an object for the teardown; returns id. */
static int track(struct ctx *c, int type, int id)
{
	FIXTURE_DATA(sysv) *self = c->self;

	if (id < 0)
		return id;
	if (c->s->lab)
		cl_track(&self->cl, id);
	else if (self->nkobjs < KOBJ_MAX)
		self->kobjs[self->nkobjs++] = (struct kobj){ .type = type, .id = id };
	return id;
}

static pid_t fork_kid(struct ctx *c)
{
	return kids_fork(&c->self->cl);
}

static int wait_kid(struct ctx *c, pid_t pid)
{
	return kids_wait(&c->self->cl, pid, IPCLAB_SETTLE_MS);
}

#define ARG0	((union semun){ .val = 0 })

static int sem_val(struct ctx *c, int id, int num)
{
	return c->s->semctl(id, num, GETVAL, ARG0);
}

static int sem_setv(struct ctx *c, int id, int num, int val)
{
	return c->s->semctl(id, num, SETVAL, (union semun){ .val = val });
}

/* One operation on one semaphore. */
static int sem_do(struct ctx *c, int id, int num, int op, int flg)
{
	struct sembuf b = { .sem_num = num, .sem_op = op, .sem_flg = flg };

	return c->s->semop(id, &b, 1);
}

/* GETALL, packed as decimal digits (values < 10) for one observation. */
static long long sem_all(struct ctx *c, int id, int nsems)
{
	unsigned short v[16];
	long long packed = 0;
	int i;

	memset(v, 0xff, sizeof(v));
	if (c->s->semctl(id, 0, GETALL, (union semun){ .array = v }))
		return -1;
	for (i = 0; i < nsems; i++)
		packed = packed * 10 + (v[i] < 10 ? v[i] : 9);
	return packed;
}

/* Poll GETNCNT or GETZCNT (bounded) until it is n; the last value seen. */
static int wait_count(struct ctx *c, int id, int num, int cmd, int n)
{
	__u64 deadline = mono_ns() + IPCLAB_SETTLE_MS * NSEC_PER_MSEC;
	int now;

	for (;;) {
		now = c->s->semctl(id, num, cmd, ARG0);
		if (now == n || now < 0 || mono_ns() > deadline)
			return now;
		usleep(1000);
	}
}

/*
 * Is pid asleep in system call nr (/proc/PID/syscall and the state in
 * /proc/PID/stat)?  For ipclab every call is an ioctl.
 */
static bool asleep_in(pid_t pid, long nr)
{
	char path[64], buf[512], *p;
	long now;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/syscall", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = 0;
	if (sscanf(buf, "%ld", &now) != 1 || now != nr)
		return false;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = 0;
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] == 'S';
}

/*
 * Wait (bounded) until a child sleeps in the kernel's call kernel_nr, or
 * for ipclab in its ioctl with the object showing n waiters.
 */
static bool wait_asleep(struct ctx *c, pid_t pid, long kernel_nr, int id, int n)
{
	__u64 deadline = mono_ns() + IPCLAB_SETTLE_MS * NSEC_PER_MSEC;
	long nr = c->s->lab ? SYS_ioctl : kernel_nr;

	if (c->s->lab && !wait_for_waiters(c->self->fd, id, n))
		return false;
	while (!asleep_in(pid, nr)) {
		if (mono_ns() > deadline || !kid_running(pid))
			return false;
		usleep(1000);
	}
	return true;
}

struct msg {
	long mtype;
	char mtext[8200];
};

/* Message texts as numbers: length and bytes, FNV-1a. */
static long long text_code(const char *p, size_t n)
{
	unsigned int h = 2166136261u;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 16777619u;
	return (long long)n << 32 | h;
}

#define TEXT(s)		text_code((s), strlen(s))

static int msg_put(struct ctx *c, int id, long type, const char *text, int flg)
{
	struct msg m;

	m.mtype = type;
	memcpy(m.mtext, text, strlen(text));
	return c->s->msgsnd(id, &m, strlen(text), flg);
}

/*
 * Receive and record: the errno, the size, the type and the text (only
 * the type when want_text is NULL).
 */
static void msg_see(struct ctx *c, int line, int id, size_t size, long type,
		    int flg, long want_type, const char *want_text)
{
	struct msg m;
	ssize_t n;
	int e;

	memset(&m, 0xa5, sizeof(m));
	errno = 0;
	n = c->s->msgrcv(id, &m, size, type, flg);
	e = n < 0 ? errno : 0;
	rec_add(c, line, OBS_ERRNO, 0, e, "msgrcv(type %ld, flags %#x)", type, flg);
	if (!want_text) {
		rec_add(c, line, OBS_VALUE, want_type, m.mtype, "  its type");
		return;
	}
	rec_add(c, line, OBS_VALUE, strlen(want_text), n, "  its size");
	rec_add(c, line, OBS_VALUE, want_type, m.mtype, "  its type");
	rec_add(c, line, OBS_VALUE, TEXT(want_text), text_code(m.mtext, n < 0 ? 0 : n),
		"  its text (\"%s\" wanted)", want_text);
}

#define SEE_MSG(id, size, type, flg, want_type, want_text)		\
	msg_see(c, __LINE__, (id), (size), (type), (flg), (want_type), (want_text))

static int msg_stat(struct ctx *c, int id, struct msqid_ds *ds)
{
	memset(ds, 0xcc, sizeof(*ds));
	return c->s->msgctl(id, IPC_STAT, ds);
}

static int shm_stat(struct ctx *c, int id, struct shmid_ds *ds)
{
	memset(ds, 0xcc, sizeof(*ds));
	return c->s->shmctl(id, IPC_STAT, ds);
}

/* shm_nattch, or -1 if IPC_STAT fails. */
static long nattch(struct ctx *c, int id)
{
	struct shmid_ds ds;

	return shm_stat(c, id, &ds) ? -1 : (long)ds.shm_nattch;
}

/* ------------------------------------------------------------------ */
/* Objects: keys, creation, opening                                    */
/* ------------------------------------------------------------------ */

/* IPC_PRIVATE always creates; a key finds the same object again. */
SCENARIO(get_private)
{
	const struct sysv *s = c->s;
	key_t key = test_key(1);
	int a, b, k;

	a = track(c, 's', s->semget(IPC_PRIVATE, 1, 0600));
	b = track(c, 's', s->semget(IPC_PRIVATE, 1, IPC_CREAT | IPC_EXCL | 0600));
	SEE(1, a >= 0 && b >= 0, "two private sets created");
	SEE(1, a != b, "  and they are distinct");
	a = track(c, 'm', s->msgget(IPC_PRIVATE, 0600));
	b = track(c, 'm', s->msgget(IPC_PRIVATE, IPC_CREAT | IPC_EXCL | 0600));
	SEE(1, a >= 0 && b >= 0, "two private queues created");
	SEE(1, a != b, "  and they are distinct");
	a = track(c, 'h', s->shmget(IPC_PRIVATE, 4096, 0600));
	b = track(c, 'h', s->shmget(IPC_PRIVATE, 4096, IPC_CREAT | IPC_EXCL | 0600));
	SEE(1, a >= 0 && b >= 0, "two private segments created");
	SEE(1, a != b, "  and they are distinct");

	SEE_CALL(0, k, track(c, 's', s->semget(key, 2, IPC_CREAT | 0600)),
		"semget(key, 2, IPC_CREAT)");
	SEE(1, s->semget(key, 2, IPC_CREAT | 0600) == k, "IPC_CREAT again finds it");
	SEE(1, s->semget(key, 0, 0) == k, "semget(key, 0, 0) finds it");
	SEE(1, s->semget(key, 1, 0) == k, "semget(key, 1, 0) finds it (fewer is fine)");
	SEE(1, s->semget(key, 2, IPC_EXCL | 0600) == k, "IPC_EXCL without IPC_CREAT is ignored");
	SEE(1, s->semget(key, 0, 0400) == k, "semget(key, 0, 0400) finds it");

	SEE_CALL(0, k, track(c, 'm', s->msgget(key, IPC_CREAT | 0600)), "msgget(key, IPC_CREAT)");
	SEE(1, s->msgget(key, 0) == k, "msgget(key, 0) finds it");
	SEE(1, s->msgget(key, IPC_CREAT | 0666) == k, "IPC_CREAT again finds it");

	SEE_CALL(0, k, track(c, 'h', s->shmget(key, 8192, IPC_CREAT | 0600)),
		"shmget(key, 8192, IPC_CREAT)");
	SEE(1, s->shmget(key, 8192, 0) == k, "shmget(key, 8192, 0) finds it");
	SEE(1, s->shmget(key, 0, 0) == k, "shmget(key, 0, 0) finds it");
	SEE(1, s->shmget(key, 100, 0) == k, "shmget(key, 100, 0) finds it (smaller is fine)");
}

SCENARIO(get_errors)
{
	const struct sysv *s = c->s;
	key_t key = test_key(1), missing = test_key(2);
	int id;

	SEE_CALL(0, id, track(c, 's', s->semget(key, 2, IPC_CREAT | IPC_EXCL | 0600)),
		"semget excl");
	SEE_ERR(EEXIST, s->semget(key, 2, IPC_CREAT | IPC_EXCL | 0600), "semget excl again");
	SEE_ERR(EEXIST, s->semget(key, 0, IPC_CREAT | IPC_EXCL), "semget excl again, 0 sems");
	SEE_ERR(ENOENT, s->semget(missing, 1, 0600), "semget of a missing key");
	SEE_ERR(EINVAL, s->semget(key, 3, 0600), "semget asking for more semaphores");
	SEE_ERR(EINVAL, s->semget(key, 3, IPC_CREAT | 0600), "  with IPC_CREAT too");
	SEE_ERR(EINVAL, s->semget(missing, 0, IPC_CREAT | 0600), "semget creating 0 semaphores");
	SEE_ERR(EINVAL, s->semget(IPC_PRIVATE, 0, 0600), "semget(IPC_PRIVATE, 0)");
	SEE_ERR(EINVAL, s->semget(missing, -1, IPC_CREAT | 0600), "semget(-1 semaphores)");
	SEE_ERR(EINVAL, s->semget(IPC_PRIVATE, 32001, 0600), "semget(32001 semaphores)");
	SEE_ERR(ENOENT, s->semget(missing, 1, IPC_EXCL | 0600),
		"semget IPC_EXCL alone, missing key");

	SEE_CALL(0, id, track(c, 'm', s->msgget(key, IPC_CREAT | IPC_EXCL | 0600)), "msgget excl");
	SEE_ERR(EEXIST, s->msgget(key, IPC_CREAT | IPC_EXCL | 0600), "msgget excl again");
	SEE_ERR(ENOENT, s->msgget(missing, 0600), "msgget of a missing key");

	SEE_CALL(0, id, track(c, 'h', s->shmget(key, 8192, IPC_CREAT | IPC_EXCL | 0600)),
		"shmget excl");
	SEE_ERR(EEXIST, s->shmget(key, 8192, IPC_CREAT | IPC_EXCL | 0600), "shmget excl again");
	SEE_ERR(EEXIST, s->shmget(key, 1, IPC_CREAT | IPC_EXCL | 0600),
		"shmget excl again, smaller");
	SEE_ERR(ENOENT, s->shmget(missing, 4096, 0600), "shmget of a missing key");
	SEE_ERR(EINVAL, s->shmget(key, 8193, 0600), "shmget asking for more bytes");
	SEE_ERR(EINVAL, s->shmget(key, 8193, IPC_CREAT | 0600), "  with IPC_CREAT too");
	SEE_ERR(EINVAL, s->shmget(missing, 0, IPC_CREAT | 0600), "shmget creating 0 bytes");
	SEE_ERR(EINVAL, s->shmget(IPC_PRIVATE, SIZE_MAX, 0600), "shmget(SIZE_MAX bytes)");
}

/*
 * Another uid: nobody opens and uses root's 0600 objects (nothing but a
 * look is allowed; changing or removing them is EPERM) and root's 0604
 * objects (reading is allowed), and creates objects of its own.
 */
static void perm_child(struct ctx *c, const int ids[6], key_t k0, key_t k4)
{
	const struct sysv *s = c->s;
	struct sembuf zero = { .sem_num = 0, .sem_op = 0, .sem_flg = IPC_NOWAIT };
	struct sembuf v = { .sem_num = 0, .sem_op = 1, .sem_flg = IPC_NOWAIT };
	int sem0 = ids[0], msg0 = ids[1], shm0 = ids[2];
	int sem4 = ids[3], msg4 = ids[4], shm4 = ids[5];
	unsigned short vals[1];
	struct semid_ds sds;
	struct msqid_ds mds;
	struct shmid_ds hds;
	struct msg m = { .mtype = 1 };
	void *p;
	int id;

	CHILD_NEED(drop_to_nobody() == 0);

	/* 0600: looking finds it, asking for any access does not. */
	SEE(1, s->semget(k0, 0, 0) == sem0, "nobody: semget(key, 0, 0) of a 0600 set");
	SEE_ERR(EACCES, s->semget(k0, 0, 0600), "nobody: semget(key, 0, 0600)");
	SEE_ERR(EACCES, s->semget(k0, 0, 0400), "nobody: semget(key, 0, 0400)");
	SEE_ERR(EACCES, s->semget(k0, 0, 0004), "nobody: semget(key, 0, 0004)");
	SEE_ERR(EACCES, s->semget(k0, 1, IPC_CREAT | 0666), "nobody: semget(key, IPC_CREAT|0666)");
	SEE_ERR(EACCES, s->semop(sem0, &v, 1), "nobody: semop V");
	SEE_ERR(EACCES, s->semop(sem0, &zero, 1), "nobody: semop wait-for-zero");
	SEE_ERR(EACCES, s->semctl(sem0, 0, GETVAL, ARG0), "nobody: GETVAL");
	SEE_ERR(EACCES, s->semctl(sem0, 0, GETALL, (union semun){ .array = vals }),
		"nobody: GETALL");
	SEE_ERR(EACCES, s->semctl(sem0, 0, SETVAL, (union semun){ .val = 1 }), "nobody: SETVAL");
	SEE_ERR(EACCES, s->semctl(sem0, 0, IPC_STAT, (union semun){ .buf = &sds }),
		"nobody: semctl IPC_STAT");
	memset(&sds, 0, sizeof(sds));
	sds.sem_perm.uid = IPCLAB_NOBODY;
	sds.sem_perm.gid = IPCLAB_NOBODY;
	sds.sem_perm.mode = 0666;
	SEE_ERR(EPERM, s->semctl(sem0, 0, IPC_SET, (union semun){ .buf = &sds }),
		"nobody: semctl IPC_SET");
	SEE_ERR(EPERM, s->semctl(sem0, 0, IPC_RMID, ARG0), "nobody: semctl IPC_RMID");

	SEE(1, s->msgget(k0, 0) == msg0, "nobody: msgget(key, 0) of a 0600 queue");
	SEE_ERR(EACCES, s->msgget(k0, 0600), "nobody: msgget(key, 0600)");
	SEE_ERR(EACCES, s->msgsnd(msg0, &m, 1, IPC_NOWAIT), "nobody: msgsnd");
	SEE_ERR(EACCES, s->msgrcv(msg0, &m, 8, 0, IPC_NOWAIT), "nobody: msgrcv");
	SEE_ERR(EACCES, msg_stat(c, msg0, &mds), "nobody: msgctl IPC_STAT");
	memset(&mds, 0, sizeof(mds));
	mds.msg_perm.uid = IPCLAB_NOBODY;
	mds.msg_perm.gid = IPCLAB_NOBODY;
	mds.msg_perm.mode = 0666;
	mds.msg_qbytes = 16384;
	SEE_ERR(EPERM, s->msgctl(msg0, IPC_SET, &mds), "nobody: msgctl IPC_SET");
	SEE_ERR(EPERM, s->msgctl(msg0, IPC_RMID, NULL), "nobody: msgctl IPC_RMID");

	SEE(1, s->shmget(k0, 0, 0) == shm0, "nobody: shmget(key, 0, 0) of a 0600 segment");
	SEE_ERR(EACCES, s->shmget(k0, 0, 0600), "nobody: shmget(key, 0, 0600)");
	SEE_ERR(EACCES, (long)s->shmat(shm0, NULL, 0), "nobody: shmat");
	SEE_ERR(EACCES, (long)s->shmat(shm0, NULL, SHM_RDONLY), "nobody: shmat SHM_RDONLY");
	/* do_shmat() checks the address before the segment. */
	SEE_ERR(EINVAL, (long)s->shmat(shm0, NULL, SHM_REMAP), "nobody: shmat(NULL, SHM_REMAP)");
	SEE_ERR(EINVAL, (long)s->shmat(shm0, (void *)1, SHM_RND | SHM_REMAP),
		"nobody: shmat((void *)1, SHM_RND | SHM_REMAP)");
	SEE_ERR(EACCES, shm_stat(c, shm0, &hds), "nobody: shmctl IPC_STAT");
	memset(&hds, 0, sizeof(hds));
	hds.shm_perm.uid = IPCLAB_NOBODY;
	hds.shm_perm.gid = IPCLAB_NOBODY;
	hds.shm_perm.mode = 0666;
	SEE_ERR(EPERM, s->shmctl(shm0, IPC_SET, &hds), "nobody: shmctl IPC_SET");
	SEE_ERR(EPERM, s->shmctl(shm0, IPC_RMID, NULL), "nobody: shmctl IPC_RMID");

	/* 0604: others may read. */
	SEE(1, s->semget(k4, 0, 0004) == sem4, "nobody: semget(key, 0, 0004) of a 0604 set");
	SEE(1, s->semget(k4, 0, 0444) == sem4, "nobody: semget(key, 0, 0444)");
	SEE_ERR(EACCES, s->semget(k4, 0, 0002), "nobody: semget(key, 0, 0002)");
	SEE_ERR(0, s->semop(sem4, &zero, 1), "nobody: semop wait-for-zero (reading)");
	SEE_ERR(EACCES, s->semop(sem4, &v, 1), "nobody: semop V");
	SEE(0, s->semctl(sem4, 0, GETVAL, ARG0), "nobody: GETVAL");
	SEE_ERR(0, s->semctl(sem4, 0, IPC_STAT, (union semun){ .buf = &sds }),
		"nobody: semctl IPC_STAT");
	SEE_ERR(EACCES, s->semctl(sem4, 0, SETVAL, (union semun){ .val = 1 }), "nobody: SETVAL");

	SEE_ERR(ENOMSG, s->msgrcv(msg4, &m, 8, 0, IPC_NOWAIT),
		"nobody: msgrcv of an empty 0604 queue");
	SEE_ERR(EACCES, s->msgsnd(msg4, &m, 1, IPC_NOWAIT), "nobody: msgsnd");
	SEE_ERR(0, msg_stat(c, msg4, &mds), "nobody: msgctl IPC_STAT");

	SEE_ATTACH(0, p, s->shmat(shm4, NULL, SHM_RDONLY),
		"nobody: shmat SHM_RDONLY of a 0604 segment");
	if (p != (void *)-1)
		SEE_ERR(0, s->shmdt(p), "nobody: shmdt");
	SEE_ERR(EACCES, (long)s->shmat(shm4, NULL, 0), "nobody: shmat read-write");
	SEE_ERR(0, shm_stat(c, shm4, &hds), "nobody: shmctl IPC_STAT");

	/* Its own objects: owned by nobody, and nobody may remove them. */
	SEE_CALL(0, id, s->semget(IPC_PRIVATE, 1, 0600), "nobody: semget(IPC_PRIVATE)");
	track(c, 's', id);
	memset(&sds, 0xcc, sizeof(sds));
	SEE_ERR(0, s->semctl(id, 0, IPC_STAT, (union semun){ .buf = &sds }),
		"nobody: IPC_STAT of its set");
	SEE(IPCLAB_NOBODY, sds.sem_perm.uid, "  uid");
	SEE(IPCLAB_NOBODY, sds.sem_perm.cuid, "  cuid");
	SEE(IPCLAB_NOBODY, sds.sem_perm.gid, "  gid");
	SEE(IPCLAB_NOBODY, sds.sem_perm.cgid, "  cgid");
	SEE_ERR(0, s->semctl(id, 0, IPC_RMID, ARG0), "nobody: IPC_RMID of its set");
	SEE_CALL(0, id, s->msgget(IPC_PRIVATE, 0600), "nobody: msgget(IPC_PRIVATE)");
	track(c, 'm', id);
	SEE_ERR(0, s->msgctl(id, IPC_RMID, NULL), "nobody: IPC_RMID of its queue");
	SEE_CALL(0, id, s->shmget(IPC_PRIVATE, 4096, 0600), "nobody: shmget(IPC_PRIVATE)");
	track(c, 'h', id);
	SEE_ERR(0, s->shmctl(id, IPC_RMID, NULL), "nobody: IPC_RMID of its segment");
}

ROOT_SCENARIO(perm_other_uid)
{
	const struct sysv *s = c->s;
	key_t k0 = test_key(1), k4 = test_key(2);
	int ids[6];
	pid_t pid;

	ids[0] = track(c, 's', s->semget(k0, 1, IPC_CREAT | IPC_EXCL | 0600));
	ids[1] = track(c, 'm', s->msgget(k0, IPC_CREAT | IPC_EXCL | 0600));
	ids[2] = track(c, 'h', s->shmget(k0, 4096, IPC_CREAT | IPC_EXCL | 0600));
	ids[3] = track(c, 's', s->semget(k4, 1, IPC_CREAT | IPC_EXCL | 0604));
	ids[4] = track(c, 'm', s->msgget(k4, IPC_CREAT | IPC_EXCL | 0604));
	ids[5] = track(c, 'h', s->shmget(k4, 4096, IPC_CREAT | IPC_EXCL | 0604));
	NEED(ids[0] >= 0 && ids[1] >= 0 && ids[2] >= 0);
	NEED(ids[3] >= 0 && ids[4] >= 0 && ids[5] >= 0);

	pid = fork_kid(c);
	NEED(pid >= 0);
	if (pid == 0) {
		perm_child(c, ids, k0, k4);
		_exit(0);
	}
	SEE_KID(0, pid, "nobody's child ended well");
	/* Root (CAP_IPC_OWNER) may still do anything. */
	SEE(1, s->semget(k0, 0, 0600) == ids[0], "root: semget(key, 0, 0600)");
	SEE(0, sem_val(c, ids[3], 0), "root: the 0604 set is untouched");
}

/* IPC_SET gives an object to nobody: nobody is then its owner. */
ROOT_SCENARIO(perm_ipc_set_owner)
{
	const struct sysv *s = c->s;
	key_t key = test_key(1);
	struct semid_ds sds;
	struct msqid_ds mds;
	struct shmid_ds hds;
	int sem, msg, shm;
	pid_t pid;

	sem = track(c, 's', s->semget(key, 1, IPC_CREAT | IPC_EXCL | 0600));
	msg = track(c, 'm', s->msgget(key, IPC_CREAT | IPC_EXCL | 0600));
	shm = track(c, 'h', s->shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0600));
	NEED(sem >= 0 && msg >= 0 && shm >= 0);

	NEED(s->semctl(sem, 0, IPC_STAT, (union semun){ .buf = &sds }) == 0);
	sds.sem_perm.uid = IPCLAB_NOBODY;
	sds.sem_perm.gid = IPCLAB_NOBODY;
	SEE_ERR(0, s->semctl(sem, 0, IPC_SET, (union semun){ .buf = &sds }),
		"semctl IPC_SET uid nobody");
	memset(&sds, 0xcc, sizeof(sds));
	SEE_ERR(0, s->semctl(sem, 0, IPC_STAT, (union semun){ .buf = &sds }), "IPC_STAT");
	SEE(IPCLAB_NOBODY, sds.sem_perm.uid, "  uid");
	SEE(IPCLAB_NOBODY, sds.sem_perm.gid, "  gid");
	SEE(0, sds.sem_perm.cuid, "  cuid");
	SEE(0, sds.sem_perm.cgid, "  cgid");
	SEE(0600, sds.sem_perm.mode, "  mode");

	NEED(msg_stat(c, msg, &mds) == 0);
	mds.msg_perm.uid = IPCLAB_NOBODY;
	mds.msg_perm.gid = IPCLAB_NOBODY;
	SEE_ERR(0, s->msgctl(msg, IPC_SET, &mds), "msgctl IPC_SET uid nobody");
	SEE_ERR(0, msg_stat(c, msg, &mds), "IPC_STAT");
	SEE(IPCLAB_NOBODY, mds.msg_perm.uid, "  uid");
	SEE(0, mds.msg_perm.cuid, "  cuid");

	NEED(shm_stat(c, shm, &hds) == 0);
	hds.shm_perm.uid = IPCLAB_NOBODY;
	hds.shm_perm.gid = IPCLAB_NOBODY;
	SEE_ERR(0, s->shmctl(shm, IPC_SET, &hds), "shmctl IPC_SET uid nobody");
	SEE_ERR(0, shm_stat(c, shm, &hds), "IPC_STAT");
	SEE(IPCLAB_NOBODY, hds.shm_perm.uid, "  uid");
	SEE(0, hds.shm_perm.cuid, "  cuid");

	pid = fork_kid(c);
	NEED(pid >= 0);
	if (pid == 0) {
		void *p;

		CHILD_NEED(drop_to_nobody() == 0);
		SEE(1, s->semget(key, 0, 0600) == sem, "nobody: semget(key, 0, 0600) of its set");
		SEE_ERR(0, sem_do(c, sem, 0, 1, 0), "nobody: V");
		SEE_ATTACH(0, p, s->shmat(shm, NULL, 0), "nobody: shmat of its segment");
		if (p != (void *)-1)
			SEE_ERR(0, s->shmdt(p), "nobody: shmdt");
		SEE_ERR(0, msg_put(c, msg, 1, "hi", IPC_NOWAIT), "nobody: msgsnd");
		SEE_ERR(0, s->semctl(sem, 0, IPC_RMID, ARG0), "nobody: IPC_RMID of its set");
		SEE_ERR(0, s->msgctl(msg, IPC_RMID, NULL), "nobody: IPC_RMID of its queue");
		SEE_ERR(0, s->shmctl(shm, IPC_RMID, NULL), "nobody: IPC_RMID of its segment");
		_exit(0);
	}
	SEE_KID(0, pid, "nobody's child ended well");
	SEE_ERR(ENOENT, s->semget(key, 0, 0), "the set is gone");
}

/* ------------------------------------------------------------------ */
/* Semaphores                                                          */
/* ------------------------------------------------------------------ */

SCENARIO(sem_ctl_values)
{
	const struct sysv *s = c->s;
	unsigned short set3[3] = { 1, 2, 3 }, bad[3] = { 0, 40000, 0 };
	struct semid_ds ds;
	int id, gone;
	pid_t pid;

	id = track(c, 's', s->semget(IPC_PRIVATE, 3, IPC_CREAT | 0640));
	NEED(id >= 0);

	memset(&ds, 0xcc, sizeof(ds));
	SEE_ERR(0, s->semctl(id, 0, IPC_STAT, (union semun){ .buf = &ds }), "IPC_STAT");
	SEE(3, ds.sem_nsems, "  sem_nsems");
	SEE(0640, ds.sem_perm.mode, "  mode");
	SEE(IPC_PRIVATE, ds.sem_perm.__key, "  key");
	SEE(getuid(), ds.sem_perm.uid, "  uid");
	SEE(getgid(), ds.sem_perm.gid, "  gid");
	SEE(getuid(), ds.sem_perm.cuid, "  cuid");
	SEE(getgid(), ds.sem_perm.cgid, "  cgid");
	SEE(0, ds.sem_otime, "  sem_otime before any semop");
	SEE(1, ds.sem_ctime != 0, "  sem_ctime is set");

	SEE(0, sem_val(c, id, 0), "GETVAL of a new set");
	SEE(0, s->semctl(id, 0, GETPID, ARG0), "GETPID before any operation");
	SEE(0, s->semctl(id, 0, GETNCNT, ARG0), "GETNCNT");
	SEE(0, s->semctl(id, 0, GETZCNT, ARG0), "GETZCNT");

	SEE_ERR(0, sem_setv(c, id, 1, 5), "SETVAL 5");
	SEE(5, sem_val(c, id, 1), "  GETVAL");
	SEE(getpid(), s->semctl(id, 1, GETPID, ARG0), "  GETPID is the setter");
	SEE(0, s->semctl(id, 0, GETPID, ARG0), "  GETPID of another semaphore");
	memset(&ds, 0xcc, sizeof(ds));
	SEE_ERR(0, s->semctl(id, 0, IPC_STAT, (union semun){ .buf = &ds }), "IPC_STAT");
	SEE(0, ds.sem_otime, "  sem_otime still 0 after SETVAL");

	SEE_ERR(0, s->semctl(id, 0, SETALL, (union semun){ .array = set3 }), "SETALL 1 2 3");
	SEE(123, sem_all(c, id, 3), "  GETALL");
	SEE(getpid(), s->semctl(id, 0, GETPID, ARG0), "  GETPID after SETALL");
	SEE_ERR(ERANGE, s->semctl(id, 0, SETALL, (union semun){ .array = bad }),
		"SETALL with 40000");
	SEE(123, sem_all(c, id, 3), "  GETALL unchanged");

	SEE_ERR(ERANGE, sem_setv(c, id, 0, -1), "SETVAL -1");
	SEE_ERR(ERANGE, sem_setv(c, id, 0, 32768), "SETVAL 32768");
	SEE_ERR(0, sem_setv(c, id, 0, 32767), "SETVAL 32767");
	SEE(32767, sem_val(c, id, 0), "  GETVAL");
	SEE_ERR(EINVAL, sem_val(c, id, 3), "GETVAL of semaphore 3 of 3");
	SEE_ERR(EINVAL, sem_val(c, id, -1), "GETVAL of semaphore -1");
	SEE_ERR(EINVAL, sem_setv(c, id, 3, 1), "SETVAL of semaphore 3 of 3");
	SEE_ERR(EINVAL, s->semctl(id, 3, GETNCNT, ARG0), "GETNCNT of semaphore 3 of 3");
	SEE_ERR(EINVAL, s->semctl(id, 3, GETPID, ARG0), "GETPID of semaphore 3 of 3");
	SEE_ERR(EINVAL, s->semctl(id, 0, 99, ARG0), "semctl command 99");

	/* A child's operation: GETPID names it, sem_otime is set. */
	pid = fork_kid(c);
	NEED(pid >= 0);
	if (pid == 0)
		_exit(child_status(sem_do(c, id, 2, 1, 0)));
	SEE_KID(0, pid, "a child's V");
	SEE(4, sem_val(c, id, 2), "  GETVAL");
	SEE(1, s->semctl(id, 2, GETPID, ARG0) == pid, "  GETPID is the child");
	memset(&ds, 0xcc, sizeof(ds));
	SEE_ERR(0, s->semctl(id, 0, IPC_STAT, (union semun){ .buf = &ds }), "IPC_STAT");
	SEE(1, ds.sem_otime != 0, "  sem_otime is set");

	/* IPC_SET changes the mode bits only. */
	ds.sem_perm.mode = 0604 | 01000;
	SEE_ERR(0, s->semctl(id, 0, IPC_SET, (union semun){ .buf = &ds }), "IPC_SET mode 01604");
	memset(&ds, 0xcc, sizeof(ds));
	SEE_ERR(0, s->semctl(id, 0, IPC_STAT, (union semun){ .buf = &ds }), "IPC_STAT");
	SEE(0604, ds.sem_perm.mode, "  mode");
	SEE(3, ds.sem_nsems, "  sem_nsems");

	/* A removed set's id is invalid. */
	gone = s->semget(IPC_PRIVATE, 1, 0600);
	NEED(gone >= 0);
	SEE_ERR(0, s->semctl(gone, 0, IPC_RMID, ARG0), "IPC_RMID");
	SEE_ERR(EINVAL, s->semctl(gone, 0, IPC_RMID, ARG0), "IPC_RMID again");
	SEE_ERR(EINVAL, sem_val(c, gone, 0), "GETVAL of a removed set");
	SEE_ERR(EINVAL, s->semctl(gone, 0, IPC_STAT, (union semun){ .buf = &ds }),
		"IPC_STAT of a removed set");
	SEE_ERR(EINVAL, sem_do(c, gone, 0, 1, 0), "semop on a removed set");
	SEE_ERR(EINVAL, sem_val(c, -1, 0), "GETVAL of id -1");
}

SCENARIO(sem_op_errors)
{
	const struct sysv *s = c->s;
	struct sembuf ops[501], two[2];
	int id, i;

	id = track(c, 's', s->semget(IPC_PRIVATE, 3, 0600));
	NEED(id >= 0);

	SEE_ERR(EINVAL, s->semop(id, ops, 0), "semop with 0 operations");
	SEE_ERR(EAGAIN, sem_do(c, id, 0, -1, IPC_NOWAIT), "P on 0, IPC_NOWAIT");
	SEE_ERR(0, sem_do(c, id, 0, 0, IPC_NOWAIT), "wait-for-zero on 0");
	SEE_ERR(0, sem_do(c, id, 0, 1, 0), "V");
	SEE_ERR(EAGAIN, sem_do(c, id, 0, 0, IPC_NOWAIT), "wait-for-zero on 1, IPC_NOWAIT");
	SEE_ERR(EAGAIN, sem_do(c, id, 0, -2, IPC_NOWAIT), "P 2 on 1, IPC_NOWAIT");
	SEE_ERR(0, sem_do(c, id, 0, -1, IPC_NOWAIT), "P on 1");

	for (i = 0; i < 501; i++)
		ops[i] = (struct sembuf){ .sem_num = i % 3, .sem_op = 0, .sem_flg = IPC_NOWAIT };
	SEE_ERR(0, s->semop(id, ops, 500), "semop with 500 operations");
	SEE_ERR(E2BIG, s->semop(id, ops, 501), "semop with 501 operations");
	SEE_ERR(EFBIG, sem_do(c, id, 3, 1, 0), "semop on semaphore 3 of 3");
	SEE_ERR(EFBIG, sem_do(c, id, 65535, 1, 0), "semop on semaphore 65535");

	/* Values stay within 0..32767, atomically. */
	SEE_ERR(0, sem_setv(c, id, 1, 32767), "SETVAL 32767");
	SEE_ERR(ERANGE, sem_do(c, id, 1, 1, 0), "V on 32767");
	SEE(32767, sem_val(c, id, 1), "  unchanged");
	two[0] = (struct sembuf){ .sem_num = 0, .sem_op = 1 };
	two[1] = (struct sembuf){ .sem_num = 1, .sem_op = 1 };
	SEE_ERR(ERANGE, s->semop(id, two, 2), "V on 0 and on 32767 together");
	SEE(0, sem_val(c, id, 0), "  the first V did not happen");
	two[0] = (struct sembuf){ .sem_num = 0, .sem_op = 1 };
	two[1] = (struct sembuf){ .sem_num = 2, .sem_op = -1, .sem_flg = IPC_NOWAIT };
	SEE_ERR(EAGAIN, s->semop(id, two, 2), "V on 0 and P on 2 (0) together, IPC_NOWAIT");
	SEE(0, sem_val(c, id, 0), "  the V did not happen");
	two[0] = (struct sembuf){ .sem_num = 0, .sem_op = 1 };
	two[1] = (struct sembuf){ .sem_num = 0, .sem_op = -1 };
	SEE_ERR(0, s->semop(id, two, 2), "V then P on the same semaphore");
	SEE(0, sem_val(c, id, 0), "  back to 0");

	/* Undo values stay within -32768..32767. */
	SEE_ERR(0, sem_setv(c, id, 2, 0), "SETVAL 0");
	SEE_ERR(0, sem_do(c, id, 2, 20000, SEM_UNDO), "V 20000 with SEM_UNDO");
	SEE_ERR(0, sem_do(c, id, 2, -20000, 0), "P 20000 without");
	SEE_ERR(ERANGE, sem_do(c, id, 2, 20000, SEM_UNDO),
		"V 20000 with SEM_UNDO again (undo -40000)");
	SEE(0, sem_val(c, id, 2), "  unchanged");
	SEE_ERR(0, sem_setv(c, id, 2, 0), "SETVAL 0 (forgets the undo)");
	SEE_ERR(0, sem_do(c, id, 2, 20000, SEM_UNDO), "V 20000 with SEM_UNDO after SETVAL");
	SEE_ERR(0, sem_setv(c, id, 2, 0), "SETVAL 0");
	/* The bounds themselves: Linux allows an undo value of -32768. */
	SEE_ERR(0, sem_do(c, id, 2, 32767, SEM_UNDO), "V 32767 with SEM_UNDO (undo -32767)");
	SEE_ERR(0, sem_do(c, id, 2, -32767, 0), "P 32767 without");
	SEE_ERR(0, sem_do(c, id, 2, 1, SEM_UNDO), "V 1 with SEM_UNDO (undo -32768)");
	SEE(1, sem_val(c, id, 2), "  GETVAL");
	SEE_ERR(0, sem_setv(c, id, 2, 32767), "SETVAL 32767");
	SEE_ERR(0, sem_do(c, id, 2, -32767, SEM_UNDO), "P 32767 with SEM_UNDO (undo 32767)");
	SEE_ERR(0, sem_do(c, id, 2, 1, 0), "V 1 without");
	SEE_ERR(ERANGE, sem_do(c, id, 2, -1, SEM_UNDO), "P 1 with SEM_UNDO (undo 32768)");
	SEE_ERR(0, sem_setv(c, id, 2, 0), "SETVAL 0");

	/*
	 * P of -32768 (more than any value can be): Linux just finds it
	 * cannot go now.
	 */
	SEE_ERR(EAGAIN, sem_do(c, id, 0, -32768, IPC_NOWAIT), "P 32768, IPC_NOWAIT");
}

static void on_sigusr1(int sig)
{
}

/* semtimedop(), a signal, and GETNCNT/GETZCNT while children wait. */
SCENARIO(sem_timedop)
{
	const struct sysv *s = c->s;
	struct timespec t = { .tv_sec = 0, .tv_nsec = 50 * 1000000 };
	struct sembuf p = { .sem_num = 0, .sem_op = -1 };
	__u64 t0, took;
	int id, ret;
	pid_t pid;

	id = track(c, 's', s->semget(IPC_PRIVATE, 2, 0600));
	NEED(id >= 0);

	t0 = mono_ns();
	SEE_ERR(EAGAIN, s->semtimedop(id, &p, 1, &t), "semtimedop P on 0, 50 ms");
	took = mono_ns() - t0;
	SEE(1, took >= 50 * NSEC_PER_MSEC, "  waited at least 50 ms");
	t = (struct timespec){ 0, 0 };
	SEE_ERR(EAGAIN, s->semtimedop(id, &p, 1, &t), "semtimedop P on 0, 0 ns");
	t = (struct timespec){ 0, 1000000000 };
	SEE_ERR(EINVAL, s->semtimedop(id, &p, 1, &t), "semtimedop with tv_nsec 1e9");
	t = (struct timespec){ -1, 0 };
	SEE_ERR(EINVAL, s->semtimedop(id, &p, 1, &t), "semtimedop with tv_sec -1");
	SEE_ERR(0, sem_setv(c, id, 0, 1), "SETVAL 1");
	t = (struct timespec){ 1, 0 };
	SEE_ERR(0, s->semtimedop(id, &p, 1, &t), "semtimedop P on 1, 1 s");

	/* A child waits with a timeout; GETNCNT counts it until it gives up. */
	pid = fork_kid(c);
	NEED(pid >= 0);
	if (pid == 0) {
		struct timespec t2 = { .tv_sec = 0, .tv_nsec = 300 * 1000000 };

		_exit(child_status(s->semtimedop(id, &p, 1, &t2)));
	}
	ret = wait_count(c, id, 0, GETNCNT, 1);
	SEE(1, ret == 1 || (ret == 0 && !kid_running(pid)), "GETNCNT while a child waits 300 ms");
	SEE_KID(EAGAIN, pid, "  the child's semtimedop");
	SEE(0, s->semctl(id, 0, GETNCNT, ARG0), "  GETNCNT after");

	/* A signal ends the wait with EINTR, even with SA_RESTART. */
	SEE_ERR(0, sem_setv(c, id, 1, 1), "SETVAL 1 on semaphore 1");
	pid = fork_kid(c);
	NEED(pid >= 0);
	if (pid == 0) {
		struct sigaction sa = { .sa_handler = on_sigusr1, .sa_flags = SA_RESTART };

		sigemptyset(&sa.sa_mask);
		if (sigaction(SIGUSR1, &sa, NULL))
			_exit(CHILD_BROKEN);
		_exit(child_status(sem_do(c, id, 1, 0, 0)));
	}
	SEE(1, wait_count(c, id, 1, GETZCNT, 1), "GETZCNT while a child waits for zero");
	kill(pid, SIGUSR1);
	SEE_KID(EINTR, pid, "  the child's semop after SIGUSR1");
	SEE(0, s->semctl(id, 1, GETZCNT, ARG0), "  GETZCNT after");
	SEE(1, sem_val(c, id, 1), "  GETVAL after");
}

/* SEM_UNDO: a process's adjustments are reverted when it ends. */
SCENARIO(sem_undo_exit)
{
	const struct sysv *s = c->s;
	struct sembuf ops[2];
	struct rendezvous rv;
	int id;
	pid_t pid;

	id = track(c, 's', s->semget(IPC_PRIVATE, 2, 0600));
	NEED(id >= 0);

	/* V 2 on 0 and V 1 on 1 with undo: both reverted at exit. */
	pid = fork_kid(c);
	NEED(pid >= 0);
	if (pid == 0) {
		ops[0] = (struct sembuf){ .sem_num = 0, .sem_op = 2, .sem_flg = SEM_UNDO };
		ops[1] = (struct sembuf){ .sem_num = 1, .sem_op = 1, .sem_flg = SEM_UNDO };
		_exit(child_status(s->semop(id, ops, 2)));
	}
	SEE_KID(0, pid, "a child's V with SEM_UNDO, then exit");
	SEE(0, sem_all(c, id, 2), "  GETALL: reverted");
	SEE(1, s->semctl(id, 0, GETPID, ARG0) == pid, "  GETPID is the exited child");

	/* P with undo: the unit comes back. */
	SEE_ERR(0, sem_setv(c, id, 0, 1), "SETVAL 1");
	pid = fork_kid(c);
	NEED(pid >= 0);
	if (pid == 0)
		_exit(child_status(sem_do(c, id, 0, -1, SEM_UNDO)));
	SEE_KID(0, pid, "a child's P with SEM_UNDO, then exit");
	SEE(1, sem_val(c, id, 0), "  the unit is back");

	/* A P with undo that had to wait is reverted too. */
	SEE_ERR(0, sem_setv(c, id, 0, 0), "SETVAL 0");
	pid = fork_kid(c);
	NEED(pid >= 0);
	if (pid == 0)
		_exit(child_status(sem_do(c, id, 0, -1, SEM_UNDO)));
	SEE(1, wait_count(c, id, 0, GETNCNT, 1), "a child waits in P with SEM_UNDO");
	SEE_ERR(0, sem_do(c, id, 0, 1, 0), "  V");
	SEE_KID(0, pid, "  the child took it and exited");
	SEE(1, sem_val(c, id, 0), "  the unit is back");

	/* Undo values are not inherited by fork. */
	SEE_ERR(0, sem_do(c, id, 1, 1, SEM_UNDO), "the parent's V with SEM_UNDO");
	pid = fork_kid(c);
	NEED(pid >= 0);
	if (pid == 0)
		_exit(0);
	SEE_KID(0, pid, "a forked child exits");
	SEE(1, sem_val(c, id, 1), "  the parent's V stays");
	SEE_ERR(0, sem_setv(c, id, 1, 0), "SETVAL 0 (forgets the parent's undo)");

	/* Reverting below zero clamps at zero. */
	SEE_ERR(0, sem_setv(c, id, 0, 0), "SETVAL 0");
	NEED(rv_open(&rv) == 0);
	pid = fork_kid(c);
	NEED(pid >= 0);
	if (pid == 0) {
		int st;

		rv_child(&rv);
		st = child_status(sem_do(c, id, 0, 1, SEM_UNDO));
		put_byte(rv.ready[1], st);
		get_byte(rv.go[0], 60 * 1000);
		_exit(st);
	}
	rv_parent(&rv);
	SEE(0, get_byte(rv.ready[0], IPCLAB_SETTLE_MS), "a child's V with SEM_UNDO");
	SEE_ERR(0, sem_do(c, id, 0, -1, IPC_NOWAIT), "  the parent takes the unit");
	put_byte(rv.go[1], 'g');
	SEE_KID(0, pid, "  the child exits");
	SEE(0, sem_val(c, id, 0), "  reverting -1 on 0 clamps at 0");
	rv_close(&rv);

	/* SETVAL forgets the undo values. */
	NEED(rv_open(&rv) == 0);
	pid = fork_kid(c);
	NEED(pid >= 0);
	if (pid == 0) {
		int st;

		rv_child(&rv);
		st = child_status(sem_do(c, id, 1, 3, SEM_UNDO));
		put_byte(rv.ready[1], st);
		get_byte(rv.go[0], 60 * 1000);
		_exit(st);
	}
	rv_parent(&rv);
	SEE(0, get_byte(rv.ready[0], IPCLAB_SETTLE_MS), "a child's V 3 with SEM_UNDO");
	SEE_ERR(0, sem_setv(c, id, 1, 7), "  SETVAL 7 while it lives");
	put_byte(rv.go[1], 'g');
	SEE_KID(0, pid, "  the child exits");
	SEE(7, sem_val(c, id, 1), "  no undo after SETVAL");
	rv_close(&rv);

	/* SIGKILL reverts too. */
	NEED(rv_open(&rv) == 0);
	pid = fork_kid(c);
	NEED(pid >= 0);
	if (pid == 0) {
		int st;

		rv_child(&rv);
		st = child_status(sem_do(c, id, 0, 4, SEM_UNDO));
		put_byte(rv.ready[1], st);
		get_byte(rv.go[0], 60 * 1000);
		_exit(st);
	}
	rv_parent(&rv);
	SEE(0, get_byte(rv.ready[0], IPCLAB_SETTLE_MS), "a child's V 4 with SEM_UNDO");
	SEE(4, sem_val(c, id, 0), "  GETVAL while it lives");
	rec_add(c, __LINE__, OBS_KID, KID_SIGNALED(SIGKILL), kids_kill(&c->self->cl, pid, SIGKILL),
		"  SIGKILL");
	SEE(0, sem_val(c, id, 0), "  reverted");
	rv_close(&rv);
}

/* The path of the executable a process runs, or "". */
static void exe_of(pid_t pid, char *buf, size_t n)
{
	char path[64];
	ssize_t len;

	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	len = readlink(path, buf, n - 1);
	buf[len > 0 ? len : 0] = 0;
}

/* Undo values survive exec (and the program's end reverts them). */
SCENARIO(sem_undo_exec)
{
	const struct sysv *s = c->s;
	char me[PATH_MAX], now[PATH_MAX];
	__u64 deadline;
	int id, in[2];
	pid_t pid;

	id = track(c, 's', s->semget(IPC_PRIVATE, 1, 0600));
	NEED(id >= 0);
	NEED(access("/bin/sh", X_OK) == 0);
	NEED(pipe(in) == 0);
	exe_of(getpid(), me, sizeof(me));
	pid = fork_kid(c);
	NEED(pid >= 0);
	if (pid == 0) {
		if (sem_do(c, id, 0, 2, SEM_UNDO))
			_exit(child_status(-1));
		dup2(in[0], STDIN_FILENO);
		close(in[0]);
		close(in[1]);
		execl("/bin/sh", "sh", "-c", "read line", (char *)NULL);
		_exit(CHILD_BROKEN);
	}
	close(in[0]);
	deadline = mono_ns() + IPCLAB_SETTLE_MS * NSEC_PER_MSEC;
	do {
		usleep(1000);
		exe_of(pid, now, sizeof(now));
	} while ((!now[0] || !strcmp(now, me)) && mono_ns() < deadline);
	SEE(1, now[0] && strcmp(now, me), "a child's V 2 with SEM_UNDO, then exec");
	SEE(2, sem_val(c, id, 0), "  GETVAL after the exec");
	SEE(1, write(in[1], "\n", 1), "  the program ends");
	close(in[1]);
	SEE_KID(0, pid, "  its exit status");
	SEE(0, sem_val(c, id, 0), "  reverted at its end");
}

/* Waiters: counted by GETNCNT/GETZCNT, woken by V, failed by IPC_RMID. */
SCENARIO(sem_waiters)
{
	const struct sysv *s = c->s;
	struct sembuf p = { .sem_num = 0, .sem_op = -1 };
	int id;
	pid_t a, b, t;

	id = track(c, 's', s->semget(IPC_PRIVATE, 2, 0600));
	NEED(id >= 0);

	/* V wakes a waiting P, which is done in the child's name. */
	a = fork_kid(c);
	NEED(a >= 0);
	if (a == 0)
		_exit(child_status(s->semop(id, &p, 1)));
	SEE(1, wait_count(c, id, 0, GETNCNT, 1), "GETNCNT with a child in P");
	SEE(1, still_blocked(a, IPCLAB_BLOCKED_MS), "  it is still blocked");
	SEE_ERR(0, sem_do(c, id, 0, 1, 0), "V");
	SEE_KID(0, a, "  the child's P");
	SEE(0, sem_val(c, id, 0), "  GETVAL");
	SEE(0, s->semctl(id, 0, GETNCNT, ARG0), "  GETNCNT");
	SEE(1, s->semctl(id, 0, GETPID, ARG0) == a, "  GETPID is the woken child");

	/* Removal fails every waiter with EIDRM. */
	SEE_ERR(0, sem_setv(c, id, 1, 1), "SETVAL 1 on semaphore 1");
	a = fork_kid(c);
	NEED(a >= 0);
	if (a == 0)
		_exit(child_status(s->semop(id, &p, 1)));
	b = fork_kid(c);
	NEED(b >= 0);
	if (b == 0)
		_exit(child_status(sem_do(c, id, 1, 0, 0)));
	t = fork_kid(c);
	NEED(t >= 0);
	if (t == 0) {
		struct timespec ts = { .tv_sec = 30 };

		_exit(child_status(s->semtimedop(id, &p, 1, &ts)));
	}
	SEE(2, wait_count(c, id, 0, GETNCNT, 2), "GETNCNT with two children in P");
	SEE(1, wait_count(c, id, 1, GETZCNT, 1), "GETZCNT with a child waiting for zero");
	SEE(0, s->semctl(id, 1, GETNCNT, ARG0), "GETNCNT of semaphore 1");
	SEE_ERR(0, s->semctl(id, 0, IPC_RMID, ARG0), "IPC_RMID");
	SEE_KID(EIDRM, a, "  the child in semop P");
	SEE_KID(EIDRM, b, "  the child waiting for zero");
	SEE_KID(EIDRM, t, "  the child in semtimedop P");
	SEE_ERR(EINVAL, sem_val(c, id, 0), "GETVAL after IPC_RMID");
}

/* SETVAL and SETALL wake the waiters they let go. */
SCENARIO(sem_set_wakes)
{
	const struct sysv *s = c->s;
	unsigned short vals[2] = { 5, 0 };
	int id;
	pid_t p, z;

	id = track(c, 's', s->semget(IPC_PRIVATE, 2, 0600));
	NEED(id >= 0);
	SEE_ERR(0, sem_setv(c, id, 1, 1), "SETVAL 1 on semaphore 1");
	p = fork_kid(c);
	NEED(p >= 0);
	if (p == 0)
		_exit(child_status(sem_do(c, id, 0, -2, 0)));
	z = fork_kid(c);
	NEED(z >= 0);
	if (z == 0)
		_exit(child_status(sem_do(c, id, 1, 0, 0)));
	SEE(1, wait_count(c, id, 0, GETNCNT, 1), "a child waits in P(0, 2)");
	SEE(1, wait_count(c, id, 1, GETZCNT, 1), "a child waits for 1 to be zero");
	SEE_ERR(0, sem_setv(c, id, 0, 3), "SETVAL 3");
	SEE_KID(0, p, "  the P child went");
	SEE(1, sem_val(c, id, 0), "  GETVAL");
	SEE(1, still_blocked(z, IPCLAB_BLOCKED_MS), "  the zero child still waits");
	SEE_ERR(0, s->semctl(id, 0, SETALL, (union semun){ .array = vals }), "SETALL 5 0");
	SEE_KID(0, z, "  the zero child went");
	SEE(50, sem_all(c, id, 2), "  GETALL");
}

/*
 * GETNCNT/GETZCNT with a waiter of several operations.  Since Linux 3.16
 * (SUS) a waiter is counted only for the operation it is blocked on: the
 * first one that could not be done.
 */
SCENARIO(sem_count_complex)
{
	const struct sysv *s = c->s;
	int id;
	pid_t a;

	id = track(c, 's', s->semget(IPC_PRIVATE, 3, 0600));
	NEED(id >= 0);
	SEE_ERR(0, sem_setv(c, id, 2, 1), "SETVAL 1 on semaphore 2");

	/* P(0), P(1), wait-zero(2): blocked on 0. */
	a = fork_kid(c);
	NEED(a >= 0);
	if (a == 0) {
		struct sembuf ops[3] = {
			{ .sem_num = 0, .sem_op = -1 },
			{ .sem_num = 1, .sem_op = -1 },
			{ .sem_num = 2, .sem_op = 0 },
		};

		_exit(child_status(s->semop(id, ops, 3)));
	}
	SEE(1, wait_count(c, id, 0, GETNCNT, 1), "GETNCNT(0), a child in P(0) P(1) Z(2)");
	SEE(0, s->semctl(id, 1, GETNCNT, ARG0), "GETNCNT(1)");
	SEE(0, s->semctl(id, 2, GETZCNT, ARG0), "GETZCNT(2)");

	/* Now 0 can go but 1 cannot: blocked on 1. */
	SEE_ERR(0, sem_setv(c, id, 0, 1), "SETVAL 1 on semaphore 0");
	SEE(1, still_blocked(a, IPCLAB_BLOCKED_MS), "  the child still waits");
	SEE(0, s->semctl(id, 0, GETNCNT, ARG0), "GETNCNT(0)");
	SEE(1, s->semctl(id, 1, GETNCNT, ARG0), "GETNCNT(1)");
	SEE(0, s->semctl(id, 2, GETZCNT, ARG0), "GETZCNT(2)");

	/* Now 0 and 1 can go but 2 is not zero: blocked on 2. */
	SEE_ERR(0, sem_setv(c, id, 1, 1), "SETVAL 1 on semaphore 1");
	SEE(1, still_blocked(a, IPCLAB_BLOCKED_MS), "  the child still waits");
	SEE(0, s->semctl(id, 0, GETNCNT, ARG0), "GETNCNT(0)");
	SEE(0, s->semctl(id, 1, GETNCNT, ARG0), "GETNCNT(1)");
	SEE(1, s->semctl(id, 2, GETZCNT, ARG0), "GETZCNT(2)");

	SEE_ERR(0, sem_setv(c, id, 2, 0), "SETVAL 0 on semaphore 2");
	SEE_KID(0, a, "  the child went");
	SEE(0, sem_all(c, id, 3), "  GETALL");
}

/*
 * The course's matrix example (docs/deadlock.md): E = (4 2 3 1), three
 * processes hold C and then ask for R, in the order 1, 2, 3.  1 and 2
 * wait; 3's request fits in A = (2 1 0 0) and is served at once, as Linux
 * serves whatever fits; 3 gives everything back, then 2's fits, then 1's.
 * All three finish.  (Under a FIFO handoff 3 would queue behind 1, who
 * waits to take semaphore 0 too, and all three would be stuck.)
 */
static const int course_c[3][4] = { { 0, 0, 1, 0 }, { 2, 0, 0, 1 }, { 0, 1, 2, 0 } };
static const int course_r[3][4] = { { 2, 0, 0, 1 }, { 1, 0, 1, 0 }, { 2, 1, 0, 0 } };

/* One semop taking (sign -1) or giving back (+1) v, and v2 if given. */
static int course_semop(struct ctx *c, int id, int sign, const int *v, const int *v2, int flg)
{
	struct sembuf ops[4];
	int k, n = 0;

	for (k = 0; k < 4; k++) {
		int count = v[k] + (v2 ? v2[k] : 0);

		if (count)
			ops[n++] = (struct sembuf){ .sem_num = k, .sem_op = sign * count,
						    .sem_flg = flg };
	}
	return c->s->semop(id, ops, n);
}

/* Process i: take C[i], say so, wait for the go, ask for R[i], give all back. */
static void course_process(struct ctx *c, int id, struct rendezvous *rv, int i)
{
	int st;

	rv_child(rv);
	st = child_status(course_semop(c, id, -1, course_c[i], NULL, IPC_NOWAIT));
	put_byte(rv->ready[1], st);
	if (st)
		_exit(st);
	if (get_byte(rv->go[0], 60 * 1000) < 0)
		_exit(CHILD_BROKEN);
	st = child_status(course_semop(c, id, -1, course_r[i], NULL, 0));
	if (st)
		_exit(st);
	_exit(child_status(course_semop(c, id, 1, course_c[i], course_r[i], 0)));
}

SCENARIO(sem_course_example)
{
	const struct sysv *s = c->s;
	unsigned short e[4] = { 4, 2, 3, 1 };
	struct rendezvous rv[3];
	pid_t pid[3];
	int id, i, third;

	id = track(c, 's', s->semget(IPC_PRIVATE, 4, 0600));
	NEED(id >= 0);
	SEE_ERR(0, s->semctl(id, 0, SETALL, (union semun){ .array = e }), "SETALL 4 2 3 1");
	for (i = 0; i < 3; i++) {
		NEED(rv_open(&rv[i]) == 0);
		pid[i] = fork_kid(c);
		NEED(pid[i] >= 0);
		if (pid[i] == 0)
			course_process(c, id, &rv[i], i);
		rv_parent(&rv[i]);
		SEE(0, get_byte(rv[i].ready[0], IPCLAB_SETTLE_MS), "process %d takes its C", i + 1);
	}
	SEE(2100, sem_all(c, id, 4), "A = (2 1 0 0)");
	put_byte(rv[0].go[1], 'g');
	SEE(1, wait_asleep(c, pid[0], SYS_semop, id, 1), "process 1 waits for (2 0 0 1)");
	put_byte(rv[1].go[1], 'g');
	SEE(1, wait_asleep(c, pid[1], SYS_semop, id, 2), "process 2 waits for (1 0 1 0)");
	put_byte(rv[2].go[1], 'g');
	third = wait_kid(c, pid[2]);
	rec_add(c, __LINE__, OBS_KID, 0, third, "process 3's (2 1 0 0) fits: it goes and finishes");
	if (third)
		s->semctl(id, 0, IPC_RMID, ARG0);	/* stuck: let the others go */
	SEE_KID(0, pid[1], "  then process 2 gets its request and finishes");
	SEE_KID(0, pid[0], "  then process 1");
	if (!third)
		SEE(4231, sem_all(c, id, 4), "  A = E = (4 2 3 1)");
	for (i = 0; i < 3; i++)
		rv_close(&rv[i]);
}

/*
 * IPCLAB_SYSV_FIFO=1 when a set is created gives it ipclab's FIFO
 * handoff back: a request that fits waits behind an earlier one that
 * does not.  Without it a set serves what fits, as Linux does.  (Only
 * ipclab: the kernel has no such order to compare with.)
 */
TEST_F(sysv, fifo_env)
{
	struct sembuf two = { .sem_num = 0, .sem_op = -2 };
	struct sembuf one = { .sem_num = 0, .sem_op = -1 };
	struct ipclab_stat st;
	int ids[2], i;
	pid_t a, b;

	ASSERT_OK(setenv("IPCLAB_SYSV_FIFO", "1", 1));
	ids[0] = semget(IPC_PRIVATE, 1, 0600);
	ASSERT_OK(unsetenv("IPCLAB_SYSV_FIFO"));
	ids[1] = semget(IPC_PRIVATE, 1, 0600);
	ASSERT_LE(0, ids[0]);
	ASSERT_LE(0, ids[1]);
	cl_track(&self->cl, ids[0]);
	cl_track(&self->cl, ids[1]);
	ASSERT_OK(ipclab_stat(self->fd, ids[0], &st));
	EXPECT_EQ(0, st.perm.flags & IPCLAB_NOFIFO) TH_LOG("IPCLAB_SYSV_FIFO=1: a FIFO set");
	ASSERT_OK(ipclab_stat(self->fd, ids[1], &st));
	EXPECT_EQ(IPCLAB_NOFIFO, st.perm.flags & IPCLAB_NOFIFO) TH_LOG("no variable: NOFIFO");

	for (i = 0; i < 2; i++) {
		int id = ids[i];

		ASSERT_OK(semctl(id, 0, SETVAL, (union semun){ .val = 1 }));
		a = kids_fork(&self->cl);
		ASSERT_LE(0, a);
		if (a == 0)
			_exit(child_status(semop(id, &two, 1)));
		ASSERT_TRUE(wait_for_waiters(self->fd, id, 1));
		b = kids_fork(&self->cl);
		ASSERT_LE(0, b);
		if (b == 0)
			_exit(child_status(semop(id, &one, 1)));
		if (i == 0) {
			/* FIFO: the fitting P(1) queues behind P(2). */
			EXPECT_TRUE(wait_for_waiters(self->fd, id, 2));
			EXPECT_TRUE(still_blocked(b, IPCLAB_BLOCKED_MS));
			EXPECT_EQ(1, semctl(id, 0, GETVAL));
			ASSERT_OK(semop(id, &(struct sembuf){ .sem_num = 0, .sem_op = 1 }, 1));
			EXPECT_EQ(0, kids_wait(&self->cl, a, IPCLAB_SETTLE_MS));
			EXPECT_TRUE(still_blocked(b, IPCLAB_BLOCKED_MS));
			ASSERT_OK(semop(id, &(struct sembuf){ .sem_num = 0, .sem_op = 1 }, 1));
			EXPECT_EQ(0, kids_wait(&self->cl, b, IPCLAB_SETTLE_MS));
		} else {
			/* No FIFO: P(1) takes the unit while P(2) waits. */
			EXPECT_EQ(0, kids_wait(&self->cl, b, IPCLAB_SETTLE_MS));
			EXPECT_TRUE(still_blocked(a, IPCLAB_BLOCKED_MS));
			ASSERT_OK(semop(id, &(struct sembuf){ .sem_num = 0, .sem_op = 2 }, 1));
			EXPECT_EQ(0, kids_wait(&self->cl, a, IPCLAB_SETTLE_MS));
		}
		EXPECT_EQ(0, semctl(id, 0, GETVAL));
	}
}

/* ------------------------------------------------------------------ */
/* Message queues                                                      */
/* ------------------------------------------------------------------ */

SCENARIO(msg_types)
{
	const struct sysv *s = c->s;
	int id;

	id = track(c, 'm', s->msgget(IPC_PRIVATE, 0600));
	NEED(id >= 0);
	NEED(msg_put(c, id, 3, "three", 0) == 0);
	NEED(msg_put(c, id, 1, "one", 0) == 0);
	NEED(msg_put(c, id, 2, "two", 0) == 0);
	NEED(msg_put(c, id, 1, "uno", 0) == 0);
	NEED(msg_put(c, id, 5, "five", 0) == 0);
	NEED(msg_put(c, id, 4, "four", 0) == 0);
	NEED(msg_put(c, id, 2, "dos", 0) == 0);

	SEE_MSG(id, 64, 0, 0, 3, "three");		/* the oldest */
	SEE_MSG(id, 64, 1, 0, 1, "one");		/* the oldest of type 1 */
	SEE_MSG(id, 64, -3, 0, 1, "uno");		/* the lowest type <= 3 */
	SEE_MSG(id, 64, -3, 0, 2, "two");
	SEE_MSG(id, 64, 2, MSG_EXCEPT, 5, "five");	/* the oldest not of type 2 */
	SEE_ERR(ENOMSG, s->msgrcv(id, &(struct msg){ 0 }, 64, 7, IPC_NOWAIT),
		"msgrcv(type 7, IPC_NOWAIT)");
	SEE_ERR(ENOMSG, s->msgrcv(id, &(struct msg){ 0 }, 64, -1, IPC_NOWAIT),
		"msgrcv(type -1, IPC_NOWAIT)");
	SEE_MSG(id, 64, 0, MSG_EXCEPT, 4, "four");	/* EXCEPT means nothing for 0 */
	SEE_MSG(id, 64, -10, MSG_EXCEPT, 2, "dos");	/* nor for a negative type */
	SEE_ERR(ENOMSG, s->msgrcv(id, &(struct msg){ 0 }, 64, 0, IPC_NOWAIT),
		"msgrcv of an empty queue, IPC_NOWAIT");
	NEED(msg_put(c, id, LONG_MAX, "max", 0) == 0);
	NEED(msg_put(c, id, 9, "nine", 0) == 0);
	SEE_MSG(id, 64, LONG_MIN, IPC_NOWAIT, 9, "nine");	/* lowest type <= LONG_MAX */
	SEE_MSG(id, 64, LONG_MIN, IPC_NOWAIT, LONG_MAX, "max");
	SEE_ERR(ENOMSG, s->msgrcv(id, &(struct msg){ 0 }, 64, 3, MSG_EXCEPT | IPC_NOWAIT),
		"msgrcv(type 3, MSG_EXCEPT|IPC_NOWAIT) of an empty queue");
}

SCENARIO(msg_sizes)
{
	const struct sysv *s = c->s;
	struct msqid_ds ds;
	struct msg m;
	int id;

	id = track(c, 'm', s->msgget(IPC_PRIVATE, 0600));
	NEED(id >= 0);

	NEED(msg_put(c, id, 1, "0123456789", 0) == 0);
	SEE_ERR(E2BIG, s->msgrcv(id, &m, 4, 0, 0), "msgrcv of 10 bytes into 4");
	SEE(1, msg_stat(c, id, &ds) == 0 ? (long long)ds.msg_qnum : -1, "  it stays in the queue");
	SEE_MSG(id, 4, 0, MSG_NOERROR, 1, "0123");	/* truncated, and gone */
	SEE(0, msg_stat(c, id, &ds) == 0 ? (long long)ds.msg_qnum : -1, "  the rest is dropped");

	NEED(msg_put(c, id, 1, "", 0) == 0);
	SEE_MSG(id, 0, 0, 0, 1, "");			/* an empty message */

	m.mtype = 1;
	memset(m.mtext, 'x', sizeof(m.mtext));
	SEE_ERR(0, s->msgsnd(id, &m, 8192, IPC_NOWAIT), "msgsnd of 8192 bytes");
	SEE_ERR(EINVAL, s->msgsnd(id, &m, 8193, IPC_NOWAIT), "msgsnd of 8193 bytes");
	SEE_ERR(EINVAL, s->msgsnd(id, &m, (size_t)-1, IPC_NOWAIT), "msgsnd of -1 bytes");
	m.mtype = 0;
	SEE_ERR(EINVAL, s->msgsnd(id, &m, 1, IPC_NOWAIT), "msgsnd of type 0");
	m.mtype = -1;
	SEE_ERR(EINVAL, s->msgsnd(id, &m, 1, IPC_NOWAIT), "msgsnd of type -1");
	SEE_ERR(EINVAL, s->msgrcv(id, &m, (size_t)-1, 0, IPC_NOWAIT), "msgrcv into -1 bytes");
	SEE_ERR(0, s->msgrcv(id, &m, 8192, 0, IPC_NOWAIT), "msgrcv of 8192 bytes");
	SEE_ERR(EINVAL, s->msgsnd(-1, &m, 1, IPC_NOWAIT), "msgsnd to id -1");
	SEE_ERR(EINVAL, s->msgrcv(-1, &m, 1, 0, IPC_NOWAIT), "msgrcv from id -1");
}

SCENARIO(msg_stat)
{
	const struct sysv *s = c->s;
	struct msqid_ds ds;
	pid_t pid;
	int id;

	id = track(c, 'm', s->msgget(IPC_PRIVATE, 0640));
	NEED(id >= 0);

	SEE_ERR(0, msg_stat(c, id, &ds), "IPC_STAT of a new queue");
	SEE(0, ds.msg_qnum, "  msg_qnum");
	SEE(0, ds.__msg_cbytes, "  __msg_cbytes");
	SEE(16384, ds.msg_qbytes, "  msg_qbytes");
	SEE(0, ds.msg_lspid, "  msg_lspid");
	SEE(0, ds.msg_lrpid, "  msg_lrpid");
	SEE(0, ds.msg_stime, "  msg_stime");
	SEE(0, ds.msg_rtime, "  msg_rtime");
	SEE(1, ds.msg_ctime != 0, "  msg_ctime is set");
	SEE(0640, ds.msg_perm.mode, "  mode");
	SEE(IPC_PRIVATE, ds.msg_perm.__key, "  key");
	SEE(getuid(), ds.msg_perm.uid, "  uid");
	SEE(getgid(), ds.msg_perm.gid, "  gid");
	SEE(getuid(), ds.msg_perm.cuid, "  cuid");
	SEE(getgid(), ds.msg_perm.cgid, "  cgid");

	NEED(msg_put(c, id, 1, "abc", 0) == 0);
	NEED(msg_put(c, id, 2, "defgh", 0) == 0);
	SEE_ERR(0, msg_stat(c, id, &ds), "IPC_STAT after two msgsnd");
	SEE(2, ds.msg_qnum, "  msg_qnum");
	SEE(8, ds.__msg_cbytes, "  __msg_cbytes");
	SEE(getpid(), ds.msg_lspid, "  msg_lspid");
	SEE(0, ds.msg_lrpid, "  msg_lrpid");
	SEE(1, ds.msg_stime != 0, "  msg_stime is set");
	SEE(0, ds.msg_rtime, "  msg_rtime");

	pid = fork_kid(c);
	NEED(pid >= 0);
	if (pid == 0) {
		struct msg m;

		_exit(child_status(s->msgrcv(id, &m, 64, 2, IPC_NOWAIT) == 5 ? 0 : -1));
	}
	SEE_KID(0, pid, "a child receives one");
	SEE_ERR(0, msg_stat(c, id, &ds), "IPC_STAT");
	SEE(1, ds.msg_qnum, "  msg_qnum");
	SEE(3, ds.__msg_cbytes, "  __msg_cbytes");
	SEE(getpid(), ds.msg_lspid, "  msg_lspid");
	SEE(1, ds.msg_lrpid == pid, "  msg_lrpid is the child");
	SEE(1, ds.msg_rtime != 0, "  msg_rtime is set");

	/* IPC_SET: the mode bits only; qbytes unchanged is accepted. */
	ds.msg_perm.mode = 01604;
	SEE_ERR(0, s->msgctl(id, IPC_SET, &ds), "IPC_SET mode 01604");
	SEE_ERR(0, msg_stat(c, id, &ds), "IPC_STAT");
	SEE(0604, ds.msg_perm.mode, "  mode");
	SEE(16384, ds.msg_qbytes, "  msg_qbytes");
	SEE_ERR(EINVAL, s->msgctl(id, 99, &ds), "msgctl command 99");
}


/* A full queue: the sender waits until a message is received. */
SCENARIO(msg_full)
{
	const struct sysv *s = c->s;
	struct msqid_ds ds;
	struct msg m;
	int id;
	pid_t pid;

	id = track(c, 'm', s->msgget(IPC_PRIVATE, 0600));
	NEED(id >= 0);
	m.mtype = 1;
	memset(m.mtext, 'a', 8192);
	SEE_ERR(0, s->msgsnd(id, &m, 8192, IPC_NOWAIT), "msgsnd 8192 bytes");
	m.mtype = 2;
	SEE_ERR(0, s->msgsnd(id, &m, 8192, IPC_NOWAIT), "msgsnd 8192 more: full");
	m.mtype = 3;
	SEE_ERR(EAGAIN, s->msgsnd(id, &m, 1, IPC_NOWAIT), "msgsnd 1 more, IPC_NOWAIT");
	SEE_ERR(0, msg_stat(c, id, &ds), "IPC_STAT");
	SEE(2, ds.msg_qnum, "  msg_qnum");
	SEE(16384, ds.__msg_cbytes, "  __msg_cbytes");

	pid = fork_kid(c);
	NEED(pid >= 0);
	if (pid == 0) {
		m.mtype = 3;
		_exit(child_status(s->msgsnd(id, &m, 100, 0)));
	}
	SEE(1, wait_asleep(c, pid, SYS_msgsnd, id, 1), "a child blocks in msgsnd");
	SEE(1, still_blocked(pid, IPCLAB_BLOCKED_MS), "  and stays blocked");
	SEE_MSG(id, 8192, 1, 0, 1, NULL);
	SEE_KID(0, pid, "  the child's msgsnd, after a msgrcv");
	SEE_ERR(0, msg_stat(c, id, &ds), "IPC_STAT");
	SEE(2, ds.msg_qnum, "  msg_qnum");
	SEE(8292, ds.__msg_cbytes, "  __msg_cbytes");
	SEE(1, ds.msg_lspid == pid, "  msg_lspid is the child");
}

/* A blocked receiver gets the first message of its type, and only that. */
SCENARIO(msg_blocked_type)
{
	const struct sysv *s = c->s;
	struct msqid_ds ds;
	int id;
	pid_t pid;

	id = track(c, 'm', s->msgget(IPC_PRIVATE, 0600));
	NEED(id >= 0);
	pid = fork_kid(c);
	NEED(pid >= 0);
	if (pid == 0) {
		struct msg m;
		ssize_t n = s->msgrcv(id, &m, 64, 2, 0);

		if (n < 0)
			_exit(child_status(-1));
		_exit(n == 3 && m.mtype == 2 && !memcmp(m.mtext, "two",
			3) ? 0 : CHILD_CHECK_FAILED);
	}
	SEE(1, wait_asleep(c, pid, SYS_msgrcv, id, 1), "a child blocks in msgrcv(type 2)");
	SEE_ERR(0, msg_put(c, id, 1, "one", 0), "msgsnd type 1");
	SEE(1, still_blocked(pid, IPCLAB_BLOCKED_MS), "  the child still waits");
	SEE_ERR(0, msg_put(c, id, 2, "two", 0), "msgsnd type 2");
	SEE_KID(0, pid, "  the child got it");
	SEE_ERR(0, msg_stat(c, id, &ds), "IPC_STAT");
	SEE(1, ds.msg_qnum, "  msg_qnum");
	SEE(1, ds.msg_lrpid == pid, "  msg_lrpid is the child");
	SEE_MSG(id, 64, 0, IPC_NOWAIT, 1, "one");

	/* A waiting receiver with too small a buffer: E2BIG, the message stays. */
	pid = fork_kid(c);
	NEED(pid >= 0);
	if (pid == 0) {
		struct msg m;

		_exit(child_status(s->msgrcv(id, &m, 4, 0, 0)));
	}
	SEE(1, wait_asleep(c, pid, SYS_msgrcv, id, 1), "a child blocks in msgrcv into 4 bytes");
	SEE_ERR(0, msg_put(c, id, 3, "0123456789", 0), "msgsnd of 10 bytes");
	SEE_KID(E2BIG, pid, "  the child's msgrcv");
	SEE(1, msg_stat(c, id, &ds) ? -1 : (long long)ds.msg_qnum, "  the message stays");
	SEE_MSG(id, 64, 0, IPC_NOWAIT, 3, "0123456789");

	/* With MSG_NOERROR it takes the message, cut. */
	pid = fork_kid(c);
	NEED(pid >= 0);
	if (pid == 0) {
		struct msg m;
		ssize_t n = s->msgrcv(id, &m, 4, 0, MSG_NOERROR);

		if (n < 0)
			_exit(child_status(-1));
		_exit(n == 4 && !memcmp(m.mtext, "0123", 4) ? 0 : CHILD_CHECK_FAILED);
	}
	SEE(1, wait_asleep(c, pid, SYS_msgrcv, id, 1), "a child blocks in msgrcv(MSG_NOERROR)");
	SEE_ERR(0, msg_put(c, id, 3, "0123456789", 0), "msgsnd of 10 bytes");
	SEE_KID(0, pid, "  the child got 4 of them");
	SEE(0, msg_stat(c, id, &ds) ? -1 : (long long)ds.msg_qnum, "  the queue is empty");
}

/* A signal ends a msgrcv wait with EINTR, even with SA_RESTART. */
SCENARIO(msg_eintr)
{
	const struct sysv *s = c->s;
	int id;
	pid_t pid;

	id = track(c, 'm', s->msgget(IPC_PRIVATE, 0600));
	NEED(id >= 0);
	pid = fork_kid(c);
	NEED(pid >= 0);
	if (pid == 0) {
		struct sigaction sa = { .sa_handler = on_sigusr1, .sa_flags = SA_RESTART };
		struct msg m;

		sigemptyset(&sa.sa_mask);
		if (sigaction(SIGUSR1, &sa, NULL))
			_exit(CHILD_BROKEN);
		_exit(child_status(s->msgrcv(id, &m, 64, 0, 0)));
	}
	SEE(1, wait_asleep(c, pid, SYS_msgrcv, id, 1), "a child blocks in msgrcv");
	kill(pid, SIGUSR1);
	SEE_KID(EINTR, pid, "  its msgrcv after SIGUSR1");
	SEE_ERR(0, msg_put(c, id, 1, "later", 0), "msgsnd");
	SEE_MSG(id, 64, 0, IPC_NOWAIT, 1, "later");	/* nobody took it */
}

/* Removal fails a blocked receiver and a blocked sender with EIDRM. */
SCENARIO(msg_rmid_waiters)
{
	const struct sysv *s = c->s;
	int empty, full;
	struct msg m;
	pid_t r, w;

	empty = track(c, 'm', s->msgget(IPC_PRIVATE, 0600));
	full = track(c, 'm', s->msgget(IPC_PRIVATE, 0600));
	NEED(empty >= 0 && full >= 0);
	m.mtype = 1;
	memset(m.mtext, 'f', 8192);
	NEED(s->msgsnd(full, &m, 8192, IPC_NOWAIT) == 0);
	NEED(s->msgsnd(full, &m, 8192, IPC_NOWAIT) == 0);

	r = fork_kid(c);
	NEED(r >= 0);
	if (r == 0)
		_exit(child_status(s->msgrcv(empty, &m, 64, 0, 0)));
	w = fork_kid(c);
	NEED(w >= 0);
	if (w == 0)
		_exit(child_status(s->msgsnd(full, &m, 10, 0)));
	SEE(1, wait_asleep(c, r, SYS_msgrcv, empty, 1), "a child blocks in msgrcv");
	SEE(1, wait_asleep(c, w, SYS_msgsnd, full, 1), "a child blocks in msgsnd");
	SEE_ERR(0, s->msgctl(empty, IPC_RMID, NULL), "IPC_RMID of the empty queue");
	SEE_KID(EIDRM, r, "  the receiver");
	SEE_ERR(0, s->msgctl(full, IPC_RMID, NULL), "IPC_RMID of the full queue");
	SEE_KID(EIDRM, w, "  the sender");
	SEE_ERR(EINVAL, s->msgrcv(empty, &m, 64, 0, IPC_NOWAIT), "msgrcv from a removed queue");
	SEE_ERR(EINVAL, s->msgsnd(empty, &m, 1, IPC_NOWAIT), "msgsnd to a removed queue");
	SEE_ERR(EINVAL, s->msgctl(empty, IPC_RMID, NULL), "IPC_RMID again");
}

/*
 * IPC_SET of msg_qbytes: a smaller capacity makes a send wait (EAGAIN
 * with IPC_NOWAIT), a larger one lets a waiting sender go; below the
 * bytes queued, receives still work; above MSGMNB, root may.
 */
SCENARIO(msg_qbytes)
{
	const struct sysv *s = c->s;
	struct msqid_ds ds;
	pid_t w;
	int id;

	id = track(c, 'm', s->msgget(IPC_PRIVATE, 0600));
	NEED(id >= 0);
	NEED(msg_stat(c, id, &ds) == 0);
	ds.msg_qbytes = 10;
	ds.msg_perm.mode = 0640;
	SEE_ERR(0, s->msgctl(id, IPC_SET, &ds), "IPC_SET msg_qbytes 10, mode 0640");
	SEE_ERR(0, msg_stat(c, id, &ds), "IPC_STAT");
	SEE(10, ds.msg_qbytes, "  msg_qbytes");
	SEE(0640, ds.msg_perm.mode, "  mode");
	SEE_ERR(0, msg_put(c, id, 1, "abcdefgh", IPC_NOWAIT), "msgsnd of 8 bytes");
	SEE_ERR(EAGAIN, msg_put(c, id, 1, "ijkl", IPC_NOWAIT), "msgsnd of 4 more, IPC_NOWAIT");

	w = fork_kid(c);
	NEED(w >= 0);
	if (w == 0)
		_exit(child_status(msg_put(c, id, 2, "ijkl", 0)));
	SEE(1, wait_asleep(c, w, SYS_msgsnd, id, 1), "a child blocks sending 4 more");
	NEED(msg_stat(c, id, &ds) == 0);
	ds.msg_qbytes = 16384;
	SEE_ERR(0, s->msgctl(id, IPC_SET, &ds), "IPC_SET msg_qbytes 16384");
	SEE_KID(0, w, "  the sender goes on");
	SEE_ERR(0, msg_stat(c, id, &ds), "IPC_STAT");
	SEE(2, ds.msg_qnum, "  msg_qnum");
	SEE(12, ds.__msg_cbytes, "  __msg_cbytes");

	ds.msg_qbytes = 1;
	SEE_ERR(0, s->msgctl(id, IPC_SET, &ds), "IPC_SET msg_qbytes 1, below what is queued");
	SEE_ERR(EAGAIN, msg_put(c, id, 3, "x", IPC_NOWAIT), "msgsnd of 1 byte, IPC_NOWAIT");
	SEE_MSG(id, 64, 0, IPC_NOWAIT, 1, "abcdefgh");
	SEE_MSG(id, 64, 0, IPC_NOWAIT, 2, "ijkl");
	SEE_ERR(0, msg_put(c, id, 3, "", IPC_NOWAIT), "msgsnd of 0 bytes into an empty queue");
	SEE_ERR(EAGAIN, msg_put(c, id, 3, "", IPC_NOWAIT), "  a second one (msg_qbytes bounds the count)");

	/* Above MSGMNB (16384): root has CAP_SYS_RESOURCE. */
	NEED(msg_stat(c, id, &ds) == 0);
	ds.msg_qbytes = 65536;
	SEE_ERR(0, s->msgctl(id, IPC_SET, &ds), "IPC_SET msg_qbytes 65536 as root");
	SEE_ERR(0, msg_stat(c, id, &ds), "IPC_STAT");
	SEE(65536, ds.msg_qbytes, "  msg_qbytes");

	/* A flag bit msgrcv() does not know is ignored, as do_msgrcv() does. */
	NEED(msg_put(c, id, 4, "z", IPC_NOWAIT) == 0);
	SEE_MSG(id, 64, 4, IPC_NOWAIT | 0100000000, 4, "z");
}

/* Without CAP_SYS_RESOURCE, MSGMNB is the most; a stranger may not at all. */
ROOT_SCENARIO(msg_qbytes_nobody)
{
	const struct sysv *s = c->s;
	struct msqid_ds ds;
	int root_q;
	pid_t pid;

	root_q = track(c, 'm', s->msgget(IPC_PRIVATE, 0666));
	NEED(root_q >= 0);
	pid = fork_kid(c);
	NEED(pid >= 0);
	if (pid == 0) {
		int id;

		CHILD_NEED(drop_to_nobody() == 0);
		id = s->msgget(IPC_PRIVATE, 0600);
		CHILD_NEED(id >= 0);
		CHILD_NEED(msg_stat(c, id, &ds) == 0);
		ds.msg_qbytes = 16385;
		ds.msg_perm.mode = 0640;
		SEE_ERR(EPERM, s->msgctl(id, IPC_SET, &ds), "nobody: msg_qbytes 16385, mode 0640");
		SEE_ERR(0, msg_stat(c, id, &ds), "  IPC_STAT");
		SEE(16384, ds.msg_qbytes, "  msg_qbytes unchanged");
		SEE(0600, ds.msg_perm.mode, "  mode unchanged");
		ds.msg_qbytes = 100;
		SEE_ERR(0, s->msgctl(id, IPC_SET, &ds), "nobody: msg_qbytes 100");
		SEE_ERR(0, msg_stat(c, id, &ds), "  IPC_STAT");
		SEE(100, ds.msg_qbytes, "  msg_qbytes");
		ds.msg_qbytes = 16384;
		SEE_ERR(0, s->msgctl(id, IPC_SET, &ds), "nobody: msg_qbytes back to 16384");
		CHILD_NEED(msg_stat(c, root_q, &ds) == 0);
		ds.msg_qbytes = 100;
		SEE_ERR(EPERM, s->msgctl(root_q, IPC_SET, &ds), "nobody: IPC_SET of root's queue");
		s->msgctl(id, IPC_RMID, NULL);
		_exit(0);
	}
	SEE_KID(0, pid, "nobody's IPC_SET");
}

/* Does the kernel have MSG_COPY (CONFIG_CHECKPOINT_RESTORE)? */
static bool kernel_msg_copy(void)
{
	struct msg m;
	int id = k_msgget(IPC_PRIVATE, 0600);
	bool yes;

	if (id < 0)
		return false;
	yes = k_msgrcv(id, &m, 8, 0, MSG_COPY | IPC_NOWAIT) < 0 && errno == ENOMSG;
	k_msgctl(id, IPC_RMID, NULL);
	return yes;
}

/*
 * MSG_COPY: the message at a position is copied and stays, and nothing
 * of the queue changes; it needs IPC_NOWAIT and refuses MSG_EXCEPT.
 */
static void scen_msg_copy(struct ctx *c);
TEST_F(sysv, msg_copy)
{
	if (!kernel_msg_copy())
		SKIP(return, "the kernel has no MSG_COPY (CONFIG_CHECKPOINT_RESTORE)");
	run_both(_metadata, self, scen_msg_copy);
}

static void scen_msg_copy(struct ctx *c)
{
	const struct sysv *s = c->s;
	struct msqid_ds ds;
	struct msg m;
	void *bad = mmap(NULL, getpagesize(), PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	pid_t pid;
	int id;

	NEED(bad != MAP_FAILED);
	id = track(c, 'm', s->msgget(IPC_PRIVATE, 0600));
	NEED(id >= 0);
	NEED(msg_put(c, id, 1, "one", 0) == 0);
	NEED(msg_put(c, id, 2, "two", 0) == 0);
	NEED(msg_put(c, id, 3, "three", 0) == 0);

	SEE_MSG(id, 64, 0, MSG_COPY | IPC_NOWAIT, 1, "one");
	SEE_MSG(id, 64, 1, MSG_COPY | IPC_NOWAIT, 2, "two");
	SEE_MSG(id, 64, 2, MSG_COPY | IPC_NOWAIT, 3, "three");
	SEE_MSG(id, 64, 0, MSG_COPY | IPC_NOWAIT, 1, "one");
	SEE_ERR(ENOMSG, s->msgrcv(id, &m, 64, 3, MSG_COPY | IPC_NOWAIT), "MSG_COPY past the last");
	SEE_ERR(ENOMSG, s->msgrcv(id, &m, 64, -1, MSG_COPY | IPC_NOWAIT), "MSG_COPY of position -1");
	SEE_ERR(EINVAL, s->msgrcv(id, &m, 64, 0, MSG_COPY), "MSG_COPY without IPC_NOWAIT");
	SEE_ERR(EINVAL, s->msgrcv(id, &m, 64, 1, MSG_COPY | IPC_NOWAIT | MSG_EXCEPT),
		"MSG_COPY with MSG_EXCEPT");
	SEE_ERR(E2BIG, s->msgrcv(id, &m, 2, 2, MSG_COPY | IPC_NOWAIT), "MSG_COPY into 2 bytes");
	SEE_ERR(EINVAL, s->msgrcv(id, &m, 2, 2, MSG_COPY | IPC_NOWAIT | MSG_NOERROR),
		"  with MSG_NOERROR (no truncated copy)");
	SEE_ERR(EINVAL, s->msgrcv(-1, &m, 64, 0, MSG_COPY | IPC_NOWAIT), "MSG_COPY of id -1");
	pid = fork_kid(c);
	NEED(pid >= 0);
	if (pid == 0)
		_exit(child_status(s->msgrcv(id, bad, 64, 0, MSG_COPY | IPC_NOWAIT)));
	SEE_KID(EFAULT, pid, "MSG_COPY into a bad page");

	SEE_ERR(0, msg_stat(c, id, &ds), "IPC_STAT after the copies");
	SEE(3, ds.msg_qnum, "  msg_qnum: all still there");
	SEE(11, ds.__msg_cbytes, "  __msg_cbytes");
	SEE(0, ds.msg_lrpid, "  msg_lrpid: nobody received");
	SEE(0, ds.msg_rtime, "  msg_rtime");
	SEE_MSG(id, 64, 0, IPC_NOWAIT, 1, "one");
	SEE_MSG(id, 64, 0, MSG_COPY | IPC_NOWAIT, 2, "two");
	munmap(bad, getpagesize());
}

/* ------------------------------------------------------------------ */
/* Shared memory                                                       */
/* ------------------------------------------------------------------ */

/* shmat, fork, shmdt, exit: what nattch and the contents say. */
SCENARIO(shm_lifecycle)
{
	const struct sysv *s = c->s;
	struct shmid_ds ds;
	char *p, *q, local;
	int id;
	pid_t pid;

	id = track(c, 'h', s->shmget(IPC_PRIVATE, 10000, 0640));
	NEED(id >= 0);

	SEE_ERR(0, shm_stat(c, id, &ds), "IPC_STAT of a new segment");
	SEE(10000, ds.shm_segsz, "  shm_segsz");
	SEE(0, ds.shm_nattch, "  shm_nattch");
	SEE(1, ds.shm_cpid == getpid(), "  shm_cpid is us");
	SEE(0, ds.shm_lpid, "  shm_lpid");
	SEE(0, ds.shm_atime, "  shm_atime");
	SEE(0, ds.shm_dtime, "  shm_dtime");
	SEE(1, ds.shm_ctime != 0, "  shm_ctime is set");
	SEE(0640, ds.shm_perm.mode, "  mode");
	SEE(IPC_PRIVATE, ds.shm_perm.__key, "  key");
	SEE(getuid(), ds.shm_perm.uid, "  uid");
	SEE(getuid(), ds.shm_perm.cuid, "  cuid");
	SEE(getgid(), ds.shm_perm.gid, "  gid");
	SEE(getgid(), ds.shm_perm.cgid, "  cgid");

	SEE_ATTACH(0, p, s->shmat(id, NULL, 0), "shmat");
	NEED(p != (void *)-1);
	SEE(0, (uintptr_t)p % getpagesize(), "  page aligned");
	SEE(0, p[0] | p[9999] | p[12287], "  zero-filled, to the end of the page");
	SEE_ERR(0, shm_stat(c, id, &ds), "IPC_STAT");
	SEE(1, ds.shm_nattch, "  shm_nattch");
	SEE(1, ds.shm_lpid == getpid(), "  shm_lpid is us");
	SEE(1, ds.shm_atime != 0, "  shm_atime is set");
	memset(p, 'p', 10000);

	/* A child inherits the attachment, writes, detaches, exits. */
	pid = fork_kid(c);
	NEED(pid >= 0);
	if (pid == 0) {
		SEE(2, nattch(c, id), "child: shm_nattch after fork");
		SEE('p', p[9999], "child: sees the parent's bytes");
		p[1] = 'c';
		SEE_ERR(0, s->shmdt(p), "child: shmdt");
		SEE(1, nattch(c, id), "child: shm_nattch after its shmdt");
		SEE_ERR(0, shm_stat(c, id, &ds), "child: IPC_STAT");
		SEE(1, ds.shm_lpid == getpid(), "child: shm_lpid is the child");
		SEE(1, ds.shm_dtime != 0, "child: shm_dtime is set");
		_exit(0);
	}
	SEE_KID(0, pid, "the child ended");
	SEE('c', p[1], "  its write is seen");
	SEE(1, nattch(c, id), "  shm_nattch");

	/* A child that just exits detaches too. */
	pid = fork_kid(c);
	NEED(pid >= 0);
	if (pid == 0)
		_exit(nattch(c, id) == 2 ? 0 : CHILD_CHECK_FAILED);
	SEE_KID(0, pid, "a child with the attachment exits");
	SEE(1, nattch(c, id), "  shm_nattch");

	/* A second attachment of the same segment. */
	SEE_ATTACH(0, q, s->shmat(id, NULL, 0), "shmat again");
	NEED(q != (void *)-1);
	SEE(1, q != p, "  another address");
	SEE(2, nattch(c, id), "  shm_nattch");
	q[2] = 'q';
	SEE('q', p[2], "  one memory");
	SEE_ERR(0, s->shmdt(q), "shmdt of the second");
	SEE(1, nattch(c, id), "  shm_nattch");
	SEE_ERR(EINVAL, s->shmdt(q), "shmdt of it again");
	SEE_ERR(EINVAL, s->shmdt(p + 4096), "shmdt of the second page of an attachment");
	SEE_ERR(EINVAL, s->shmdt(p + 1), "shmdt of an unaligned address");
	SEE_ERR(EINVAL, s->shmdt(&local), "shmdt of the stack");
	SEE_ERR(EINVAL, s->shmdt(NULL), "shmdt(NULL)");
	SEE_ERR(0, s->shmdt(p), "shmdt of the first");
	SEE(0, nattch(c, id), "  shm_nattch");
	SEE_ERR(0, shm_stat(c, id, &ds), "IPC_STAT");
	SEE(1, ds.shm_dtime != 0, "  shm_dtime is set");
	SEE(10000, ds.shm_segsz, "  shm_segsz");
	SEE_ERR(0, s->shmctl(id, IPC_RMID, NULL), "IPC_RMID");
	SEE_ERR(EINVAL, shm_stat(c, id, &ds), "IPC_STAT after IPC_RMID");
	SEE_ERR(EINVAL, (long)s->shmat(id, NULL, 0), "shmat after IPC_RMID");
	SEE_ERR(EINVAL, s->shmctl(id, 99, &ds), "shmctl command 99 on a removed id");
}

/* SHM_RDONLY: reading works, writing faults, mprotect cannot add write. */
SCENARIO(shm_rdonly)
{
	const struct sysv *s = c->s;
	char *p, *r;
	int id;
	pid_t pid;

	id = track(c, 'h', s->shmget(IPC_PRIVATE, 4096, 0600));
	NEED(id >= 0);
	SEE_ATTACH(0, p, s->shmat(id, NULL, 0), "shmat read-write");
	NEED(p != (void *)-1);
	strcpy(p, "written");
	SEE_ATTACH(0, r, s->shmat(id, NULL, SHM_RDONLY), "shmat SHM_RDONLY");
	NEED(r != (void *)-1);
	SEE(TEXT("written"), text_code(r, 7), "  reads what was written");
	SEE(2, nattch(c, id), "  shm_nattch");

	pid = fork_kid(c);
	NEED(pid >= 0);
	if (pid == 0) {
		*(volatile char *)r = 'x';
		_exit(0);
	}
	SEE_KID(KID_SIGNALED(SIGSEGV), pid, "a child writing to the read-only attachment");
	pid = fork_kid(c);
	NEED(pid >= 0);
	if (pid == 0) {
		*(volatile char *)p = 'W';
		_exit(0);
	}
	SEE_KID(0, pid, "a child writing to the read-write attachment");
	SEE('W', r[0], "  seen through the read-only one");
	SEE_ERR(EACCES, mprotect(r, 4096, PROT_READ | PROT_WRITE),
		"mprotect(PROT_WRITE) of the read-only one");
	SEE_ERR(0, mprotect(p, 4096, PROT_READ), "mprotect(PROT_READ) of the read-write one");
	SEE_ERR(0, mprotect(p, 4096, PROT_READ | PROT_WRITE), "  and back");
	SEE_ERR(0, s->shmdt(r), "shmdt of the read-only one");
	SEE_ERR(0, s->shmdt(p), "shmdt of the read-write one");

	/* Root may attach a 0400 segment read-write (CAP_IPC_OWNER). */
	id = track(c, 'h', s->shmget(IPC_PRIVATE, 4096, 0400));
	NEED(id >= 0);
	SEE_ATTACH(geteuid() ? EACCES : 0, p, s->shmat(id, NULL, 0),
		"shmat read-write of a 0400 segment");
	if (p != (void *)-1)
		SEE_ERR(0, s->shmdt(p), "  shmdt");
}

/* IPC_RMID while attached: SHM_DEST, still usable, gone at the last shmdt. */
SCENARIO(shm_rmid_attached)
{
	const struct sysv *s = c->s;
	key_t key = test_key(1);
	struct shmid_ds ds;
	char *p;
	int id, other;
	pid_t pid;

	id = track(c, 'h', s->shmget(key, 8192, IPC_CREAT | IPC_EXCL | 0600));
	NEED(id >= 0);
	SEE_ATTACH(0, p, s->shmat(id, NULL, 0), "shmat");
	NEED(p != (void *)-1);
	strcpy(p, "before");
	SEE_ERR(0, s->shmctl(id, IPC_RMID, NULL), "IPC_RMID while attached");
	SEE_ERR(0, shm_stat(c, id, &ds), "IPC_STAT");
	SEE(SHM_DEST, ds.shm_perm.mode & SHM_DEST, "  SHM_DEST in mode");
	SEE(0600, ds.shm_perm.mode & 0777, "  permission bits");
	SEE(IPC_PRIVATE, ds.shm_perm.__key, "  key is IPC_PRIVATE now");
	SEE(1, ds.shm_nattch, "  shm_nattch");
	SEE(8192, ds.shm_segsz, "  shm_segsz");
	SEE(TEXT("before"), text_code(p, 6), "the memory is still there");
	strcpy(p + 100, "after");
	SEE(TEXT("after"), text_code(p + 100, 5), "  and writable");
	SEE_ERR(ENOENT, s->shmget(key, 0, 0), "shmget of the key");

	pid = fork_kid(c);
	NEED(pid >= 0);
	if (pid == 0) {
		SEE(2, nattch(c, id), "child: shm_nattch after fork");
		SEE(TEXT("before"), text_code(p, 6), "child: the memory");
		_exit(0);
	}
	SEE_KID(0, pid, "a child ended");
	SEE(1, nattch(c, id), "  shm_nattch");

	/* The key is free for a new segment at once. */
	SEE_CALL(0, other, track(c, 'h', s->shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0600)),
		 "shmget(key, IPC_CREAT|IPC_EXCL) again");
	SEE(1, other != id, "  a new segment");
	SEE_ERR(0, s->shmctl(other, IPC_RMID, NULL), "  IPC_RMID of it");

	SEE_ERR(0, s->shmdt(p), "shmdt of the last attachment");
	SEE_ERR(EINVAL, shm_stat(c, id, &ds), "IPC_STAT: gone");
	SEE_ERR(EINVAL, s->shmctl(id, IPC_RMID, NULL), "IPC_RMID again");
}

/*
 * What Linux allows on a removed, attached segment (shmctl(2): "Linux
 * permits a process to attach ... a segment that has already been marked
 * for deletion"): attaching it again and removing it again.
 */
SCENARIO(shm_rmid_linux)
{
	const struct sysv *s = c->s;
	char *p, *q;
	int id;

	id = track(c, 'h', s->shmget(IPC_PRIVATE, 4096, 0600));
	NEED(id >= 0);
	p = s->shmat(id, NULL, 0);
	NEED(p != (void *)-1);
	NEED(s->shmctl(id, IPC_RMID, NULL) == 0);
	SEE_ERR(0, s->shmctl(id, IPC_RMID, NULL), "IPC_RMID of a removed, attached segment");
	SEE_ATTACH(0, q, s->shmat(id, NULL, 0), "shmat of a removed, attached segment");
	if (q != (void *)-1) {
		SEE(2, nattch(c, id), "  shm_nattch");
		SEE_ERR(0, s->shmdt(q), "  shmdt");
	}
	SEE_ERR(0, s->shmdt(p), "shmdt of the last");
}

/*
 * remap_file_pages() of an attachment re-mmaps the segment's file, as a
 * new attachment would.  While the removed segment is attached anywhere
 * it works; remapping its last attachment detaches it first, so the
 * segment is destroyed and the remap fails: a loop of remaps ends there,
 * the range is left unmapped, and the id is gone for shmat() too.
 */
SCENARIO(shm_rmid_remap)
{
	const struct sysv *s = c->s;
	long page = getpagesize();
	struct shmid_ds ds;
	char *p, *q;
	int id, i, ret;

	id = track(c, 'h', s->shmget(IPC_PRIVATE, 4 * page, 0600));
	NEED(id >= 0);
	p = s->shmat(id, NULL, 0);
	NEED(p != (void *)-1);
	q = s->shmat(id, NULL, 0);
	NEED(q != (void *)-1);
	q[page] = 'b';
	q[3 * page] = 'd';
	SEE_ERR(0, remap_file_pages(p, page, 0, 1, 0), "remap_file_pages of an attachment's page");
	SEE('b', p[0], "  it shows page 1");
	SEE_ERR(0, remap_file_pages(p, 4 * page, 0, 0, 0), "  and of the whole attachment");
	SEE(2, nattch(c, id), "  shm_nattch");
	SEE_ERR(0, s->shmctl(id, IPC_RMID, NULL), "IPC_RMID");
	SEE_ERR(0, remap_file_pages(p, 4 * page, 0, 0, 0),
		"remap_file_pages of the removed segment, attached twice");
	SEE(2, nattch(c, id), "  shm_nattch");
	SEE_ERR(0, remap_file_pages(p, page, 0, 3, 0), "  and of one page of it");
	SEE('d', p[0], "  it shows page 3");
	SEE_ERR(0, s->shmdt(q), "shmdt of the other attachment");
	SEE(1, nattch(c, id) >= 1, "  the first is still attached");

	/* Its two pieces are one range of the same file: one remap. */
	for (i = 0; i < 8; i++) {
		errno = 0;
		ret = remap_file_pages(p, 4 * page, 0, 0, 0);
		if (ret)
			break;
	}
	SEE(0, i, "a loop remapping the last attachment ends at its first remap");
	rec_add(c, __LINE__, OBS_ERRNO, EINVAL, ret ? errno : 0, "  with");
	SEE(ENOMEM, msync(p, page, MS_ASYNC) ? errno : 0, "  the range is unmapped");
	SEE_ERR(EINVAL, shm_stat(c, id, &ds), "IPC_STAT: the segment is gone");
	SEE_ERR(EINVAL, (long)s->shmat(id, NULL, 0), "shmat: gone too");
	munmap(p, 4 * page);
}

/* SHM_LOCK and SHM_UNLOCK, by root: SHM_LOCKED in the mode, twice is fine. */
SCENARIO(shm_lock)
{
	const struct sysv *s = c->s;
	struct shmid_ds ds;
	int id;

	id = track(c, 'h', s->shmget(IPC_PRIVATE, 4 * getpagesize(), 0600));
	NEED(id >= 0);
	SEE_ERR(0, s->shmctl(id, SHM_LOCK, NULL), "SHM_LOCK");
	SEE_ERR(0, shm_stat(c, id, &ds), "  IPC_STAT");
	SEE(SHM_LOCKED, ds.shm_perm.mode & SHM_LOCKED, "  SHM_LOCKED in the mode");
	SEE(0600, ds.shm_perm.mode & 0777, "  mode");
	SEE_ERR(0, s->shmctl(id, SHM_LOCK, NULL), "SHM_LOCK again");
	SEE_ERR(0, s->shmctl(id, SHM_UNLOCK, NULL), "SHM_UNLOCK");
	SEE_ERR(0, shm_stat(c, id, &ds), "  IPC_STAT");
	SEE(0, ds.shm_perm.mode & SHM_LOCKED, "  no SHM_LOCKED");
	SEE_ERR(0, s->shmctl(id, SHM_UNLOCK, NULL), "SHM_UNLOCK again");
	SEE_ERR(EINVAL, s->shmctl(-1, SHM_LOCK, NULL), "SHM_LOCK of -1");
	SEE_ERR(0, s->shmctl(id, SHM_LOCK, NULL), "SHM_LOCK, then IPC_RMID");
	NEED(s->shmctl(id, IPC_RMID, NULL) == 0);
	SEE_ERR(EINVAL, s->shmctl(id, SHM_LOCK, NULL), "SHM_LOCK of a removed segment");
}

/*
 * Without CAP_IPC_LOCK: only the owner or creator, with a non-zero
 * RLIMIT_MEMLOCK that the segment fits in.
 */
ROOT_SCENARIO(shm_lock_nobody)
{
	const struct sysv *s = c->s;
	long page = getpagesize();
	int root_seg;
	pid_t pid;

	root_seg = track(c, 'h', s->shmget(IPC_PRIVATE, page, 0666));
	NEED(root_seg >= 0);
	pid = fork_kid(c);
	NEED(pid >= 0);
	if (pid == 0) {
		struct shmid_ds ds;
		struct rlimit rl;
		int id;

		CHILD_NEED(drop_to_nobody() == 0);
		CHILD_NEED(getrlimit(RLIMIT_MEMLOCK, &rl) == 0);
		CHILD_NEED(rl.rlim_max >= (rlim_t)(2 * page));
		id = s->shmget(IPC_PRIVATE, 2 * page, 0600);
		CHILD_NEED(id >= 0);
		SEE_ERR(EPERM, s->shmctl(root_seg, SHM_LOCK, NULL), "nobody: SHM_LOCK of root's");
		SEE_ERR(EPERM, s->shmctl(root_seg, SHM_UNLOCK, NULL), "nobody: SHM_UNLOCK of root's");
		rl.rlim_cur = 0;
		CHILD_NEED(setrlimit(RLIMIT_MEMLOCK, &rl) == 0);
		SEE_ERR(EPERM, s->shmctl(id, SHM_LOCK, NULL), "nobody: SHM_LOCK, RLIMIT_MEMLOCK 0");
		SEE_ERR(0, s->shmctl(id, SHM_UNLOCK, NULL), "  SHM_UNLOCK needs no limit");
		rl.rlim_cur = page;
		CHILD_NEED(setrlimit(RLIMIT_MEMLOCK, &rl) == 0);
		SEE_ERR(ENOMEM, s->shmctl(id, SHM_LOCK, NULL),
			"nobody: SHM_LOCK of 2 pages, RLIMIT_MEMLOCK 1 page");
		rl.rlim_cur = 2 * page;
		CHILD_NEED(setrlimit(RLIMIT_MEMLOCK, &rl) == 0);
		SEE_ERR(0, s->shmctl(id, SHM_LOCK, NULL), "nobody: SHM_LOCK, RLIMIT_MEMLOCK 2 pages");
		SEE_ERR(0, shm_stat(c, id, &ds), "  IPC_STAT");
		SEE(SHM_LOCKED, ds.shm_perm.mode & SHM_LOCKED, "  SHM_LOCKED");
		SEE_ERR(0, s->shmctl(id, SHM_UNLOCK, NULL), "nobody: SHM_UNLOCK");
		SEE_ERR(0, s->shmctl(id, SHM_LOCK, NULL), "nobody: SHM_LOCK again: the charge was given back");
		s->shmctl(id, IPC_RMID, NULL);
		_exit(0);
	}
	SEE_KID(0, pid, "nobody's SHM_LOCK");
}

/*
 * shmdt() of an address the program unmapped itself and mapped
 * something else over is EINVAL, and leaves the new mapping alone.
 */
SCENARIO(shm_dt_replaced)
{
	const struct sysv *s = c->s;
	long page = getpagesize();
	char *p, *q;
	int id;

	id = track(c, 'h', s->shmget(IPC_PRIVATE, 2 * page, 0600));
	NEED(id >= 0);
	SEE_ATTACH(0, p, s->shmat(id, NULL, 0), "shmat");
	NEED(p != (void *)-1);
	SEE(1, nattch(c, id), "  nattch");
	NEED(munmap(p, 2 * page) == 0);
	SEE(0, nattch(c, id), "nattch after the program's own munmap");
	q = mmap(p, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
		 -1, 0);
	NEED(q == p);
	q[0] = 'a';
	SEE_ERR(EINVAL, s->shmdt(p), "shmdt of what is mapped there now");
	SEE('a', q[0], "  the new mapping is still there");
	SEE_ERR(EINVAL, s->shmdt(p), "shmdt again");
	munmap(q, 2 * page);
}

/* shmget flags Linux accepts on any segment. */
SCENARIO(shm_noreserve)
{
	const struct sysv *s = c->s;
	int id;

	SEE_CALL(0, id, track(c, 'h', s->shmget(IPC_PRIVATE, 4096, SHM_NORESERVE | 0600)),
		 "shmget(SHM_NORESERVE)");
}

/* shmat at an address: alignment, SHM_RND, occupied, SHM_REMAP. */
SCENARIO(shm_address)
{
	const struct sysv *s = c->s;
	size_t page = getpagesize();
	char *base, *a, *b;
	int id;

	id = track(c, 'h', s->shmget(IPC_PRIVATE, 2 * page, 0600));
	NEED(id >= 0);
	/* A free range of 6 pages. */
	base = mmap(NULL, 6 * page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	NEED(base != MAP_FAILED);
	munmap(base, 6 * page);

	SEE_ATTACH(0, a, s->shmat(id, base, 0), "shmat at a free aligned address");
	SEE(1, a == base, "  there");
	SEE_ERR(EINVAL, (long)s->shmat(id, base, 0), "shmat over it");
	SEE_ERR(EINVAL, (long)s->shmat(id, base + page, 0), "shmat over its second page");
	SEE_ERR(EINVAL, (long)s->shmat(id, base + 3 * page + 1, 0),
		"shmat at an unaligned address");
	SEE_ATTACH(0, b, s->shmat(id, base + 3 * page + 1, SHM_RND), "shmat with SHM_RND");
	SEE(1, b == base + 3 * page, "  rounded down to SHMLBA");
	if (b != (void *)-1)
		SEE_ERR(0, s->shmdt(b), "  shmdt");
	SEE(1, nattch(c, id), "shm_nattch");
	SEE_ATTACH(EINVAL, b, s->shmat(id, NULL, SHM_REMAP), "SHM_REMAP without an address");
	if (b != (void *)-1)
		s->shmdt(b);	/* keep nattch comparable */
	/* Rounded down to NULL, SHM_REMAP would map at 0: CVE-2017-5669. */
	SEE_ATTACH(EINVAL, b, s->shmat(id, (void *)1, SHM_RND | SHM_REMAP),
		   "shmat((void *)1, SHM_RND | SHM_REMAP)");
	if (b != (void *)-1)
		s->shmdt(b);
	SEE_ATTACH(EINVAL, b, s->shmat(id, (void *)(uintptr_t)(SHMLBA - 1), SHM_RND | SHM_REMAP),
		   "shmat(SHMLBA - 1, SHM_RND | SHM_REMAP)");
	if (b != (void *)-1)
		s->shmdt(b);
	SEE_ERR(EINVAL, (long)s->shmat(-1, base, SHM_REMAP), "shmat of id -1");
	SEE(1, nattch(c, id), "shm_nattch");

	/* SHM_REMAP replaces the attachment there: still one attachment. */
	SEE_ATTACH(0, b, s->shmat(id, base, SHM_REMAP), "shmat SHM_REMAP over the first");
	SEE(1, b == base, "  there");
	SEE(1, nattch(c, id), "  shm_nattch");
	SEE_ERR(0, s->shmdt(base), "shmdt");
	SEE(0, nattch(c, id), "  shm_nattch");
	SEE_ERR(EINVAL, s->shmdt(base), "shmdt again: nothing is attached there");
}

/*
 * An id of another type of object.  (The kernel numbers each type on its
 * own, so a queue's id may also be a set's: take one that is not.)
 */
SCENARIO(wrong_type)
{
	const struct sysv *s = c->s;
	struct semid_ds sds;
	struct msqid_ds mds;
	struct shmid_ds hds;
	int msg = -1, shm = -1, i;

	for (i = 0; i < 16; i++) {
		msg = track(c, 'm', s->msgget(IPC_PRIVATE, 0600));
		NEED(msg >= 0);
		if (s->semctl(msg, 0, IPC_STAT, (union semun){ .buf = &sds }) == -1 &&
		    s->shmctl(msg, IPC_STAT, &hds) == -1)
			break;
	}
	/*
	 * A segment whose id is taken in another type, or is the queue's,
	 * goes at once: left alive it would answer for the queue's id below.
	 */
	for (i = 0; i < 16; i++) {
		shm = s->shmget(IPC_PRIVATE, 4096, 0600);
		NEED(shm >= 0);
		if (shm != msg &&
		    s->semctl(shm, 0, IPC_STAT, (union semun){ .buf = &sds }) == -1 &&
		    s->msgctl(shm, IPC_STAT, &mds) == -1) {
			track(c, 'h', shm);
			break;
		}
		s->shmctl(shm, IPC_RMID, NULL);
	}

	SEE_ERR(EINVAL, s->semctl(msg, 0, IPC_STAT, (union semun){ .buf = &sds }),
		"semctl IPC_STAT of a queue's id");
	SEE_ERR(EINVAL, s->semctl(msg, 0, GETVAL, ARG0), "semctl GETVAL of a queue's id");
	SEE_ERR(EINVAL, sem_do(c, msg, 0, 1, IPC_NOWAIT), "semop on a queue's id");
	NEED(msg_stat(c, msg, &mds) == 0);
	memset(&sds, 0, sizeof(sds));
	sds.sem_perm.uid = mds.msg_perm.uid;
	sds.sem_perm.gid = mds.msg_perm.gid;
	sds.sem_perm.mode = 0666;
	SEE_ERR(EINVAL, s->semctl(msg, 0, IPC_SET, (union semun){ .buf = &sds }),
		"semctl IPC_SET of a queue's id");
	SEE(0600, msg_stat(c, msg, &mds) ? -1 : (long long)mds.msg_perm.mode,
	    "  the queue's mode");
	SEE_ERR(EINVAL, s->semctl(msg, 0, IPC_RMID, ARG0), "semctl IPC_RMID of a queue's id");
	SEE_ERR(EINVAL, shm_stat(c, msg, &hds), "shmctl IPC_STAT of a queue's id");
	SEE_ERR(EINVAL, (long)s->shmat(msg, NULL, 0), "shmat of a queue's id");
	SEE_ERR(EINVAL, s->shmctl(msg, IPC_RMID, NULL), "shmctl IPC_RMID of a queue's id");
	SEE_ERR(EINVAL, msg_stat(c, shm, &mds), "msgctl IPC_STAT of a segment's id");
	SEE_ERR(EINVAL, msg_put(c, shm, 1, "x", IPC_NOWAIT), "msgsnd to a segment's id");
	SEE_ERR(EINVAL, s->msgctl(shm, IPC_RMID, NULL), "msgctl IPC_RMID of a segment's id");
	SEE_ERR(0, msg_stat(c, msg, &mds), "the queue is still there");
	SEE_ERR(0, shm_stat(c, shm, &hds), "the segment is still there");
}

/*
 * Bad pointers give EFAULT, as system calls do; they do not crash.  Each
 * call runs in a child, which a SIGSEGV would kill.  The pages: a
 * writable one, an inaccessible one, a writable one, a read-only one, so
 * that a message's type and text can sit on either side of a bad page.
 * The errno is Linux's in Linux's order: semctl(IPC_SET) and msgsnd()
 * read the buffer before they look for the object, IPC_STAT and GETALL
 * after, msgrcv() only once it has a message (which is gone then).
 */
SCENARIO(bad_pointers)
{
	const struct sysv *s = c->s;
	struct timespec bad_ts = { .tv_sec = -1 };
	struct sembuf nowait = { .sem_num = 0, .sem_op = -1, .sem_flg = IPC_NOWAIT };
	long page = getpagesize();
	struct msqid_ds mds;
	struct sysv_msgbuf { long mtype; char mtext[8]; } *m;
	int sem, msg, shm, gsem, gmsg, gshm;
	char *pages, *bad, *ro;
	pid_t pid;

	sem = track(c, 's', s->semget(IPC_PRIVATE, 1, 0600));
	msg = track(c, 'm', s->msgget(IPC_PRIVATE, 0600));
	shm = track(c, 'h', s->shmget(IPC_PRIVATE, 4096, 0600));
	gsem = s->semget(IPC_PRIVATE, 1, 0600);
	gmsg = s->msgget(IPC_PRIVATE, 0600);
	gshm = s->shmget(IPC_PRIVATE, 4096, 0600);
	NEED(sem >= 0 && msg >= 0 && shm >= 0);
	NEED(gsem >= 0 && gmsg >= 0 && gshm >= 0);
	NEED(s->semctl(gsem, 0, IPC_RMID, ARG0) == 0);
	NEED(s->msgctl(gmsg, IPC_RMID, NULL) == 0);
	NEED(s->shmctl(gshm, IPC_RMID, NULL) == 0);
	pages = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	NEED(pages != MAP_FAILED);
	bad = pages + page;
	ro = pages + 3 * page;
	NEED(mprotect(bad, page, PROT_NONE) == 0 && mprotect(ro, page, PROT_READ) == 0);

#define IN_CHILD(want, what, expr) do {					\
	pid = fork_kid(c);						\
	NEED(pid >= 0);							\
	if (pid == 0)							\
		_exit(child_status(expr));				\
	SEE_KID(want, pid, what);					\
} while (0)
	IN_CHILD(EFAULT, "semop(NULL)", s->semop(sem, NULL, 1));
	IN_CHILD(EFAULT, "semop(bad)", s->semop(sem, (struct sembuf *)bad, 1));
	IN_CHILD(EFAULT, "semop(bad) on a removed set", s->semop(gsem, (struct sembuf *)bad, 1));
	IN_CHILD(EFAULT, "semtimedop, bad timeout", s->semtimedop(sem, &nowait, 1,
		(struct timespec *)bad));
	IN_CHILD(EFAULT, "semtimedop(bad), timeout -1 s", s->semtimedop(sem, (struct sembuf *)bad,
		1, &bad_ts));
	IN_CHILD(EINVAL, "semtimedop, timeout -1 s", s->semtimedop(sem, &nowait, 1, &bad_ts));
	IN_CHILD(EFAULT, "semctl(IPC_STAT, NULL)", s->semctl(sem, 0, IPC_STAT,
		(union semun){ .buf = NULL }));
	IN_CHILD(EFAULT, "semctl(IPC_STAT, bad)", s->semctl(sem, 0, IPC_STAT,
		(union semun){ .buf = (struct semid_ds *)bad }));
	IN_CHILD(EFAULT, "semctl(IPC_STAT, read-only)", s->semctl(sem, 0, IPC_STAT,
		(union semun){ .buf = (struct semid_ds *)ro }));
	IN_CHILD(EINVAL, "semctl(IPC_STAT, bad) of a removed set", s->semctl(gsem, 0, IPC_STAT,
		(union semun){ .buf = (struct semid_ds *)bad }));
	IN_CHILD(EFAULT, "semctl(IPC_SET, bad)", s->semctl(sem, 0, IPC_SET,
		(union semun){ .buf = (struct semid_ds *)bad }));
	IN_CHILD(EFAULT, "semctl(IPC_SET, bad) of a removed set", s->semctl(gsem, 0, IPC_SET,
		(union semun){ .buf = (struct semid_ds *)bad }));
	IN_CHILD(EINVAL, "semctl(-1, IPC_SET, bad)", s->semctl(-1, 0, IPC_SET,
		(union semun){ .buf = (struct semid_ds *)bad }));
	IN_CHILD(EFAULT, "semctl(GETALL, NULL)", s->semctl(sem, 0, GETALL,
		(union semun){ .array = NULL }));
	IN_CHILD(EFAULT, "semctl(GETALL, read-only)", s->semctl(sem, 0, GETALL,
		(union semun){ .array = (unsigned short *)ro }));
	IN_CHILD(EFAULT, "semctl(SETALL, bad)", s->semctl(sem, 0, SETALL,
		(union semun){ .array = (unsigned short *)bad }));
	SEE(0, sem_val(c, sem, 0), "  the set is unchanged");

	IN_CHILD(EFAULT, "msgsnd(NULL)", s->msgsnd(msg, NULL, 1, IPC_NOWAIT));
	IN_CHILD(EFAULT, "msgsnd(bad)", s->msgsnd(msg, bad, 1, IPC_NOWAIT));
	IN_CHILD(EFAULT, "msgsnd(bad) to a removed queue", s->msgsnd(gmsg, bad, 1, IPC_NOWAIT));
	m = (struct sysv_msgbuf *)(bad - sizeof(long));	/* the text is bad */
	m->mtype = 1;
	IN_CHILD(EFAULT, "msgsnd, the type good, the text bad", s->msgsnd(msg, m, 1, IPC_NOWAIT));
	SEE(0, msg_stat(c, msg, &mds) ? -1 : (long long)mds.msg_qnum, "  nothing was sent");
	IN_CHILD(ENOMSG, "msgrcv(bad) of an empty queue", s->msgrcv(msg, bad, 8, 0, IPC_NOWAIT));
	NEED(msg_put(c, msg, 1, "lost", IPC_NOWAIT) == 0);
	IN_CHILD(EFAULT, "msgrcv(bad)", s->msgrcv(msg, bad, 8, 0, IPC_NOWAIT));
	SEE(0, msg_stat(c, msg, &mds) ? -1 : (long long)mds.msg_qnum, "  the message is gone");
	NEED(msg_put(c, msg, 1, "lost", IPC_NOWAIT) == 0);
	IN_CHILD(EFAULT, "msgrcv, the type good, the text bad", s->msgrcv(msg, m, 8, 0, IPC_NOWAIT));
	NEED(msg_put(c, msg, 1, "lost", IPC_NOWAIT) == 0);
	IN_CHILD(EFAULT, "msgrcv, the type bad, the text good", s->msgrcv(msg,
		bad + page - sizeof(long), 8, 0, IPC_NOWAIT));
	NEED(msg_put(c, msg, 1, "", IPC_NOWAIT) == 0);
	IN_CHILD(EFAULT, "msgrcv of an empty text, the type read-only", s->msgrcv(msg, ro, 8, 0,
		IPC_NOWAIT));
	NEED(msg_put(c, msg, 2, "kept", IPC_NOWAIT) == 0);
	SEE_MSG(msg, 8, 0, IPC_NOWAIT, 2, "kept");	/* a good one still works */
	IN_CHILD(EFAULT, "msgctl(IPC_STAT, NULL)", s->msgctl(msg, IPC_STAT, NULL));
	IN_CHILD(EFAULT, "msgctl(IPC_STAT, bad)", s->msgctl(msg, IPC_STAT, (struct msqid_ds *)bad));
	IN_CHILD(EFAULT, "msgctl(IPC_SET, bad)", s->msgctl(msg, IPC_SET, (struct msqid_ds *)bad));
	IN_CHILD(EFAULT, "msgctl(IPC_SET, bad) of a removed queue", s->msgctl(gmsg, IPC_SET,
		(struct msqid_ds *)bad));
	IN_CHILD(EINVAL, "msgctl(IPC_STAT, bad) of a removed queue", s->msgctl(gmsg, IPC_STAT,
		(struct msqid_ds *)bad));

	IN_CHILD(EFAULT, "shmctl(IPC_STAT, NULL)", s->shmctl(shm, IPC_STAT, NULL));
	IN_CHILD(EFAULT, "shmctl(IPC_STAT, bad)", s->shmctl(shm, IPC_STAT, (struct shmid_ds *)bad));
	IN_CHILD(EFAULT, "shmctl(IPC_STAT, read-only)", s->shmctl(shm, IPC_STAT,
		(struct shmid_ds *)ro));
	IN_CHILD(EFAULT, "shmctl(IPC_SET, bad)", s->shmctl(shm, IPC_SET, (struct shmid_ds *)bad));
	IN_CHILD(EFAULT, "shmctl(IPC_SET, bad) of a removed segment", s->shmctl(gshm, IPC_SET,
		(struct shmid_ds *)bad));
	IN_CHILD(EINVAL, "shmctl(IPC_STAT, bad) of a removed segment", s->shmctl(gshm, IPC_STAT,
		(struct shmid_ds *)bad));
#undef IN_CHILD
	munmap(pages, 4 * page);
}

/* ------------------------------------------------------------------ */
/* Limits and listings: *_INFO, *_STAT and *_STAT_ANY                 */
/* ------------------------------------------------------------------ */

/*
 * The index *_STAT takes, as ipcs walks them: the kernel's ids are
 * seq * 32768 + index (ipcid_to_idx()), ipclab's seq * IPCLAB_ID_SLOTS +
 * slot.
 */
static int idx_of(struct ctx *c, int id)
{
	return id % (c->s->lab ? IPCLAB_ID_SLOTS : 32768);
}

/* A page that cannot be read or written, for EFAULT; NULL if none. */
static void *bad_page(void)
{
	void *p = mmap(NULL, getpagesize(), PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* A call in a child, which a SIGSEGV would kill: its errno or exit 0. */
#define SEE_IN_KID(want, what, expr) do {				\
	pid_t __pid = fork_kid(c);					\
									\
	NEED(__pid >= 0);						\
	if (__pid == 0)							\
		_exit(child_status(expr));				\
	SEE_KID(want, __pid, what);					\
} while (0)

/*
 * ipcs' walk: *_STAT of every index from 0 to what *_INFO returned.
 * How many objects it lists, and how many times it meets id.
 */
#define WALK(stat_call, max, id, listed, found) do {			\
	int __i, __r;							\
									\
	listed = found = 0;						\
	for (__i = 0; __i <= (max); __i++) {				\
		__r = (stat_call);					\
		listed += __r >= 0;					\
		found += __r == (id);					\
	}								\
} while (0)

SCENARIO(sem_info_stat)
{
	const struct sysv *s = c->s;
	struct seminfo si;
	struct semid_ds ds;
	union semun info = { .__buf = &si }, stat = { .buf = &ds };
	int max, ret, id, sets, sems, listed, found;
	void *bad = bad_page();

	NEED(bad);
	memset(&si, 0xcc, sizeof(si));
	SEE_CALL(0, max, s->semctl(0, 0, IPC_INFO, info), "semctl(IPC_INFO)");
	SEE(32000, si.semmsl, "  semmsl (SEMMSL)");
	SEE(500, si.semopm, "  semopm (SEMOPM)");
	SEE(500, si.semume, "  semume (SEMUME)");
	SEE(32767, si.semvmx, "  semvmx (SEMVMX)");
	SEE(20, si.semusz, "  semusz (SEMUSZ)");
	SEE(32767, si.semaem, "  semaem (SEMAEM)");
	SEE(1, si.semmni >= 32000, "  semmni is at least SEMMNI");
	SEE(1, si.semmns >= si.semmsl, "  semmns holds at least one full set");
	SEE(1, si.semmnu == si.semmns && si.semmap == si.semmns,
	    "  semmnu and semmap are semmns");

	memset(&si, 0xcc, sizeof(si));
	SEE_CALL(0, max, s->semctl(0, 0, SEM_INFO, info), "semctl(SEM_INFO)");
	SEE(32000, si.semmsl, "  semmsl, as IPC_INFO's");
	SEE(32767, si.semvmx, "  semvmx, as IPC_INFO's");
	sets = si.semusz;
	sems = si.semaem;
	id = track(c, 's', s->semget(IPC_PRIVATE, 3, 0640));
	NEED(id >= 0);
	SEE_CALL(0, max, s->semctl(0, 0, SEM_INFO, info), "SEM_INFO after a set of 3");
	SEE(1, si.semusz - sets, "  semusz: one set more");
	SEE(3, si.semaem - sems, "  semaem: three semaphores more");
	SEE(1, max >= idx_of(c, id), "  returns at least the new set's index");

	memset(&ds, 0xcc, sizeof(ds));
	SEE_CALL(0, ret, s->semctl(idx_of(c, id), 0, SEM_STAT, stat), "SEM_STAT of its index");
	SEE(1, ret == id, "  returns its id");
	SEE(3, ds.sem_nsems, "  sem_nsems");
	SEE(0640, ds.sem_perm.mode, "  mode");
	SEE(IPC_PRIVATE, ds.sem_perm.__key, "  key");
	SEE(getuid(), ds.sem_perm.uid, "  uid");
	SEE(getgid(), ds.sem_perm.cgid, "  cgid");
	SEE(1, ds.sem_ctime != 0, "  sem_ctime is set");
	SEE(0, ds.sem_otime, "  sem_otime");
	SEE_CALL(0, ret, s->semctl(id, 0, SEM_STAT, stat), "SEM_STAT of its id, read as an index");
	SEE(1, ret == id, "  returns its id");
	SEE_CALL(0, ret, s->semctl(idx_of(c, id), 0, SEM_STAT_ANY, stat),
		 "SEM_STAT_ANY of its index");
	SEE(1, ret == id, "  returns its id");
	SEE(3, ds.sem_nsems, "  sem_nsems");

	WALK(s->semctl(__i, 0, SEM_STAT, stat), max, id, listed, found);
	SEE(1, found, "ipcs' walk of SEM_STAT meets the set once");
	SEE(1, listed == si.semusz, "  and lists as many sets as SEM_INFO counts");

	SEE_ERR(EINVAL, s->semctl(-1, 0, IPC_INFO, info), "semctl(-1, IPC_INFO)");
	SEE_ERR(EINVAL, s->semctl(-1, 0, SEM_STAT, stat), "SEM_STAT of -1");
	SEE_ERR(EINVAL, s->semctl(max + 1, 0, SEM_STAT, stat), "SEM_STAT past the highest index");
	SEE_ERR(EINVAL, s->semctl(max + 1, 0, SEM_STAT_ANY, stat),
		"SEM_STAT_ANY past the highest index");
	SEE_IN_KID(EFAULT, "IPC_INFO into a bad page", s->semctl(0, 0, IPC_INFO,
		   (union semun){ .__buf = bad }));
	SEE_IN_KID(EFAULT, "SEM_INFO into a bad page", s->semctl(0, 0, SEM_INFO,
		   (union semun){ .__buf = bad }));
	SEE_IN_KID(EFAULT, "SEM_STAT into a bad page", s->semctl(idx_of(c, id), 0, SEM_STAT,
		   (union semun){ .buf = bad }));
	SEE_IN_KID(EFAULT, "SEM_STAT_ANY into NULL", s->semctl(idx_of(c, id), 0, SEM_STAT_ANY,
		   (union semun){ .buf = NULL }));

	NEED(s->semctl(id, 0, IPC_RMID, ARG0) == 0);
	SEE_ERR(EINVAL, s->semctl(idx_of(c, id), 0, SEM_STAT, stat),
		"SEM_STAT of a removed set's index");
	SEE_CALL(0, max, s->semctl(0, 0, SEM_INFO, info), "SEM_INFO after IPC_RMID");
	SEE(0, si.semusz - sets, "  semusz as before");
	SEE(0, si.semaem - sems, "  semaem as before");
	munmap(bad, getpagesize());
}

SCENARIO(msg_info_stat)
{
	const struct sysv *s = c->s;
	struct msginfo mi;
	struct msqid_ds ds;
	int max, ret, id, queues, msgs, bytes, listed, found;
	void *bad = bad_page();

	NEED(bad);
	memset(&mi, 0xcc, sizeof(mi));
	SEE_CALL(0, max, s->msgctl(0, IPC_INFO, (struct msqid_ds *)&mi), "msgctl(IPC_INFO)");
	SEE(8192, mi.msgmax, "  msgmax (MSGMAX)");
	SEE(16384, mi.msgmnb, "  msgmnb (MSGMNB)");
	SEE(16, mi.msgssz, "  msgssz (MSGSSZ)");
	SEE(0xffff, mi.msgseg, "  msgseg (MSGSEG)");
	SEE(16384, mi.msgmap, "  msgmap (MSGMAP)");
	SEE(16384, mi.msgtql, "  msgtql (MSGTQL)");
	SEE(1, mi.msgmni >= 32000, "  msgmni is at least MSGMNI");
	SEE(1, mi.msgpool >= 32000 * 16384 / 1024, "  msgpool is at least MSGPOOL");

	memset(&mi, 0xcc, sizeof(mi));
	SEE_CALL(0, max, s->msgctl(0, MSG_INFO, (struct msqid_ds *)&mi), "msgctl(MSG_INFO)");
	SEE(8192, mi.msgmax, "  msgmax, as IPC_INFO's");
	queues = mi.msgpool;
	msgs = mi.msgmap;
	bytes = mi.msgtql;
	id = track(c, 'm', s->msgget(IPC_PRIVATE, 0640));
	NEED(id >= 0);
	NEED(msg_put(c, id, 1, "abc", 0) == 0);
	NEED(msg_put(c, id, 2, "defgh", 0) == 0);
	SEE_CALL(0, max, s->msgctl(0, MSG_INFO, (struct msqid_ds *)&mi),
		 "MSG_INFO after a queue and two messages");
	SEE(1, mi.msgpool - queues, "  msgpool: one queue more");
	SEE(2, mi.msgmap - msgs, "  msgmap: two messages more");
	SEE(8, mi.msgtql - bytes, "  msgtql: eight bytes more");
	SEE(1, max >= idx_of(c, id), "  returns at least the new queue's index");

	memset(&ds, 0xcc, sizeof(ds));
	SEE_CALL(0, ret, s->msgctl(idx_of(c, id), MSG_STAT, &ds), "MSG_STAT of its index");
	SEE(1, ret == id, "  returns its id");
	SEE(2, ds.msg_qnum, "  msg_qnum");
	SEE(8, ds.__msg_cbytes, "  __msg_cbytes");
	SEE(16384, ds.msg_qbytes, "  msg_qbytes");
	SEE(getpid(), ds.msg_lspid, "  msg_lspid");
	SEE(0640, ds.msg_perm.mode, "  mode");
	SEE(getuid(), ds.msg_perm.cuid, "  cuid");
	SEE_CALL(0, ret, s->msgctl(id, MSG_STAT, &ds), "MSG_STAT of its id, read as an index");
	SEE(1, ret == id, "  returns its id");
	SEE_CALL(0, ret, s->msgctl(idx_of(c, id), MSG_STAT_ANY, &ds), "MSG_STAT_ANY of its index");
	SEE(1, ret == id, "  returns its id");
	SEE(2, ds.msg_qnum, "  msg_qnum");

	WALK(s->msgctl(__i, MSG_STAT, &ds), max, id, listed, found);
	SEE(1, found, "ipcs' walk of MSG_STAT meets the queue once");
	SEE(1, listed == mi.msgpool, "  and lists as many queues as MSG_INFO counts");

	SEE_ERR(EINVAL, s->msgctl(-1, IPC_INFO, (struct msqid_ds *)&mi), "msgctl(-1, IPC_INFO)");
	SEE_ERR(EINVAL, s->msgctl(max + 1, MSG_STAT, &ds), "MSG_STAT past the highest index");
	SEE_IN_KID(EFAULT, "IPC_INFO into a bad page", s->msgctl(0, IPC_INFO, bad));
	SEE_IN_KID(EFAULT, "MSG_INFO into NULL", s->msgctl(0, MSG_INFO, NULL));
	SEE_IN_KID(EFAULT, "MSG_STAT into a bad page", s->msgctl(idx_of(c, id), MSG_STAT, bad));
	SEE_IN_KID(EFAULT, "MSG_STAT_ANY into a bad page", s->msgctl(idx_of(c, id),
		   MSG_STAT_ANY, bad));

	NEED(s->msgctl(id, IPC_RMID, NULL) == 0);
	SEE_ERR(EINVAL, s->msgctl(idx_of(c, id), MSG_STAT, &ds), "MSG_STAT of a removed queue's index");
	SEE_CALL(0, max, s->msgctl(0, MSG_INFO, (struct msqid_ds *)&mi), "MSG_INFO after IPC_RMID");
	SEE(0, mi.msgpool - queues, "  msgpool as before");
	SEE(0, mi.msgmap - msgs, "  msgmap as before");
	SEE(0, mi.msgtql - bytes, "  msgtql as before");
	munmap(bad, getpagesize());
}

SCENARIO(shm_info_stat)
{
	const struct sysv *s = c->s;
	long page = getpagesize();
	struct shm_info su;
	struct shminfo si;
	struct shmid_ds ds;
	int max, ret, id, ids, listed, found;
	unsigned long tot, rss;
	void *bad = bad_page();
	char *p;

	NEED(bad);
	memset(&si, 0xcc, sizeof(si));
	SEE_CALL(0, max, s->shmctl(0, IPC_INFO, (struct shmid_ds *)&si), "shmctl(IPC_INFO)");
	SEE(1, si.shmmin, "  shmmin (SHMMIN)");
	SEE(1, si.shmmni >= 4096, "  shmmni is at least SHMMNI");
	SEE(1, si.shmseg == si.shmmni, "  shmseg is shmmni");
	SEE(1, si.shmmax >= 64 << 20, "  shmmax allows 64 MiB");
	SEE(1, si.shmall >= (unsigned long)(64 << 20) / page, "  shmall allows 64 MiB");

	memset(&su, 0xcc, sizeof(su));
	SEE_CALL(0, max, s->shmctl(0, SHM_INFO, (struct shmid_ds *)&su), "shmctl(SHM_INFO)");
	SEE(0, su.swap_attempts, "  swap_attempts");
	SEE(0, su.swap_successes, "  swap_successes");
	ids = su.used_ids;
	tot = su.shm_tot;
	rss = su.shm_rss;
	id = track(c, 'h', s->shmget(IPC_PRIVATE, 3 * page, 0640));
	NEED(id >= 0);
	SEE_CALL(0, max, s->shmctl(0, SHM_INFO, (struct shmid_ds *)&su),
		 "SHM_INFO after a segment of 3 pages");
	SEE(1, su.used_ids - ids, "  used_ids: one more");
	SEE(3, su.shm_tot - tot, "  shm_tot: three pages more");
	SEE(0, su.shm_rss - rss, "  shm_rss: none touched yet");
	SEE(1, max >= idx_of(c, id), "  returns at least the new segment's index");
	SEE_ATTACH(0, p, s->shmat(id, NULL, 0), "shmat");
	NEED(p != (void *)-1);
	p[0] = 1;
	p[2 * page] = 1;
	SEE_CALL(0, max, s->shmctl(0, SHM_INFO, (struct shmid_ds *)&su),
		 "SHM_INFO after two pages are touched");
	SEE(2, su.shm_rss - rss, "  shm_rss: two pages more");
	SEE(3, su.shm_tot - tot, "  shm_tot: three pages more");

	memset(&ds, 0xcc, sizeof(ds));
	SEE_CALL(0, ret, s->shmctl(idx_of(c, id), SHM_STAT, &ds), "SHM_STAT of its index");
	SEE(1, ret == id, "  returns its id");
	SEE(3 * page, ds.shm_segsz, "  shm_segsz");
	SEE(1, ds.shm_nattch, "  shm_nattch");
	SEE(getpid(), ds.shm_cpid, "  shm_cpid");
	SEE(0640, ds.shm_perm.mode, "  mode");
	SEE_CALL(0, ret, s->shmctl(id, SHM_STAT, &ds), "SHM_STAT of its id, read as an index");
	SEE(1, ret == id, "  returns its id");
	SEE_CALL(0, ret, s->shmctl(idx_of(c, id), SHM_STAT_ANY, &ds), "SHM_STAT_ANY of its index");
	SEE(1, ret == id, "  returns its id");
	SEE(1, ds.shm_nattch, "  shm_nattch");

	WALK(s->shmctl(__i, SHM_STAT, &ds), max, id, listed, found);
	SEE(1, found, "ipcs' walk of SHM_STAT meets the segment once");
	SEE(1, listed == su.used_ids, "  and lists as many segments as SHM_INFO counts");

	SEE_ERR(EINVAL, s->shmctl(-1, IPC_INFO, (struct shmid_ds *)&si), "shmctl(-1, IPC_INFO)");
	SEE_ERR(EINVAL, s->shmctl(max + 1, SHM_STAT, &ds), "SHM_STAT past the highest index");
	SEE_IN_KID(EFAULT, "IPC_INFO into a bad page", s->shmctl(0, IPC_INFO, bad));
	SEE_IN_KID(EFAULT, "SHM_INFO into a bad page", s->shmctl(0, SHM_INFO, bad));
	SEE_IN_KID(EFAULT, "SHM_STAT into NULL", s->shmctl(idx_of(c, id), SHM_STAT, NULL));
	SEE_IN_KID(EFAULT, "SHM_STAT_ANY into a bad page", s->shmctl(idx_of(c, id),
		   SHM_STAT_ANY, bad));

	/* Removed but attached: still listed, as SHM_DEST. */
	NEED(s->shmctl(id, IPC_RMID, NULL) == 0);
	SEE_CALL(0, ret, s->shmctl(idx_of(c, id), SHM_STAT, &ds),
		 "SHM_STAT of a removed, attached segment");
	SEE(1, ret == id, "  returns its id");
	SEE(1, !!(ds.shm_perm.mode & SHM_DEST), "  SHM_DEST");
	SEE(IPC_PRIVATE, ds.shm_perm.__key, "  key");
	NEED(s->shmdt(p) == 0);
	SEE_ERR(EINVAL, s->shmctl(idx_of(c, id), SHM_STAT, &ds),
		"SHM_STAT of its index after the last shmdt");
	SEE_CALL(0, max, s->shmctl(0, SHM_INFO, (struct shmid_ds *)&su), "SHM_INFO after it");
	SEE(0, su.used_ids - ids, "  used_ids as before");
	SEE(0, su.shm_tot - tot, "  shm_tot as before");
	SEE(0, su.shm_rss - rss, "  shm_rss as before");
	munmap(bad, getpagesize());
}

/*
 * *_STAT needs read permission, *_STAT_ANY does not (as /proc/sysvipc),
 * and *_INFO needs none: nobody lists root's 0600 objects.
 */
ROOT_SCENARIO(stat_any_nobody)
{
	const struct sysv *s = c->s;
	struct semid_ds sds;
	struct msqid_ds mds;
	struct shmid_ds hds;
	struct seminfo si;
	int sem, msg, shm;
	pid_t pid;

	sem = track(c, 's', s->semget(IPC_PRIVATE, 2, 0600));
	msg = track(c, 'm', s->msgget(IPC_PRIVATE, 0600));
	shm = track(c, 'h', s->shmget(IPC_PRIVATE, 4096, 0600));
	NEED(sem >= 0 && msg >= 0 && shm >= 0);
	pid = fork_kid(c);
	NEED(pid >= 0);
	if (pid == 0) {
		CHILD_NEED(drop_to_nobody() == 0);
		SEE_ERR(EACCES, s->semctl(idx_of(c, sem), 0, SEM_STAT,
			(union semun){ .buf = &sds }), "nobody: SEM_STAT of a 0600 set");
		SEE(1, s->semctl(idx_of(c, sem), 0, SEM_STAT_ANY,
			(union semun){ .buf = &sds }) == sem, "nobody: SEM_STAT_ANY");
		SEE(2, sds.sem_nsems, "  sem_nsems");
		SEE(0, sds.sem_perm.uid, "  uid");
		SEE(1, s->semctl(0, 0, SEM_INFO, (union semun){ .__buf = &si }) >=
			idx_of(c, sem), "nobody: SEM_INFO");
		SEE_ERR(EACCES, s->msgctl(idx_of(c, msg), MSG_STAT, &mds),
			"nobody: MSG_STAT of a 0600 queue");
		SEE(1, s->msgctl(idx_of(c, msg), MSG_STAT_ANY, &mds) == msg,
		    "nobody: MSG_STAT_ANY");
		SEE(0600, mds.msg_perm.mode, "  mode");
		SEE_ERR(EACCES, s->shmctl(idx_of(c, shm), SHM_STAT, &hds),
			"nobody: SHM_STAT of a 0600 segment");
		SEE(1, s->shmctl(idx_of(c, shm), SHM_STAT_ANY, &hds) == shm,
		    "nobody: SHM_STAT_ANY");
		SEE(4096, hds.shm_segsz, "  shm_segsz");
		_exit(0);
	}
	SEE_KID(0, pid, "nobody's listing");
}

/* ------------------------------------------------------------------ */
/* An unmodified program, with and without LD_PRELOAD                  */
/* ------------------------------------------------------------------ */

#define SYSV_SO_DEFAULT	"/usr/lib/libipclab-sysv.so"
#define LOADER		"/lib64/ld-linux-x86-64.so.2"

extern char **environ;

/* sysv_prog beside this binary, or "" */
static void find_prog(char *path, size_t n)
{
	char self_path[PATH_MAX];
	ssize_t len = readlink("/proc/self/exe", self_path, sizeof(self_path) - 1);

	path[0] = 0;
	if (len <= 0)
		return;
	self_path[len] = 0;
	snprintf(path, n, "%s/sysv_prog", dirname(self_path));
	if (access(path, X_OK))
		path[0] = 0;
}

/* Does /proc/sysvipc/NAME list an object with this key? */
static bool kernel_has_key(const char *name, key_t key)
{
	char path[64], line[512];
	bool found = false;
	FILE *f;
	int k;

	snprintf(path, sizeof(path), "/proc/sysvipc/%s", name);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%d", &k) == 1 && k == key)
			found = true;
	fclose(f);
	return found;
}

static bool ipclab_has_key(int fd, __u32 type, key_t key)
{
	__u32 id;

	return ipclab_get(fd, type, key, 0, 0, 0, &id) == 0;
}

struct prog_run {
	int status;
	bool ready;
	bool kernel_sem, kernel_msg, kernel_shm;
	bool lab_sem, lab_mbox, lab_shbuf;
	char out[16384];
};

/*
 * Run sysv_prog KEY READY GO, preloaded with so (or not); while it
 * pauses, look where its objects are.
 */
static void run_prog(FIXTURE_DATA(sysv) *self, const char *prog,
		     const char *so, key_t key, struct prog_run *r)
{
	struct rendezvous rv;
	char keyarg[16], rfd[16], gfd[16], pre[PATH_MAX + 16];
	char **env;
	int out, n, i;
	ssize_t got;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	r->status = KID_LOST;
	out = memfd_create("sysv_prog.out", MFD_CLOEXEC);
	if (out < 0 || rv_open(&rv))
		return;
	for (n = 0; environ[n]; n++)
		;
	env = calloc(n + 2, sizeof(*env));
	if (!env)
		return;
	for (i = n = 0; environ[i]; i++)
		if (strncmp(environ[i], "LD_PRELOAD=", 11))
			env[n++] = environ[i];
	if (so) {
		snprintf(pre, sizeof(pre), "LD_PRELOAD=%s", so);
		env[n++] = pre;
	}
	env[n] = NULL;
	snprintf(keyarg, sizeof(keyarg), "%d", key);
	snprintf(rfd, sizeof(rfd), "%d", rv.ready[1]);
	snprintf(gfd, sizeof(gfd), "%d", rv.go[0]);

	pid = kids_fork(&self->cl);
	if (pid == 0) {
		char *argv[] = { (char *)prog, keyarg, rfd, gfd, NULL };

		rv_child(&rv);
		if (dup2(out, STDOUT_FILENO) < 0)
			_exit(CHILD_BROKEN);
		execve(prog, argv, env);
		_exit(CHILD_BROKEN);
	}
	free(env);
	if (pid < 0)
		return;
	rv_parent(&rv);
	r->ready = get_byte(rv.ready[0], IPCLAB_SETTLE_MS) == 'r';
	if (r->ready) {
		r->kernel_sem = kernel_has_key("sem", key);
		r->kernel_msg = kernel_has_key("msg", key);
		r->kernel_shm = kernel_has_key("shm", key);
		r->lab_sem = ipclab_has_key(self->fd, IPCLAB_TYPE_SEM, key);
		r->lab_mbox = ipclab_has_key(self->fd, IPCLAB_TYPE_MBOX, key);
		r->lab_shbuf = ipclab_has_key(self->fd, IPCLAB_TYPE_SHBUF, key);
	}
	put_byte(rv.go[1], 'g');
	rv_close(&rv);
	r->status = kids_wait(&self->cl, pid, IPCLAB_SETTLE_MS);
	got = pread(out, r->out, sizeof(r->out) - 1, 0);
	r->out[got > 0 ? got : 0] = 0;
	close(out);
}

/* Log two outputs side by side from their first different line. */
static void log_diff(struct __test_metadata *_metadata, const char *a, const char *b)
{
	int line = 1;

	while (*a || *b) {
		const char *ea = strchrnul(a, '\n'), *eb = strchrnul(b, '\n');

		if (ea - a != eb - b || memcmp(a, b, ea - a)) {
			TH_LOG("line %d: plain \"%.*s\", preloaded \"%.*s\"", line,
			       (int)(ea - a), a, (int)(eb - b), b);
		}
		a = *ea ? ea + 1 : ea;
		b = *eb ? eb + 1 : eb;
		line++;
	}
}

TEST_F_TIMEOUT(sysv, preload_same_output, 60)
{
	const char *so = getenv("IPCLAB_SYSV_SO") ?: SYSV_SO_DEFAULT;
	static struct prog_run plain, pre;
	char prog[PATH_MAX];

	find_prog(prog, sizeof(prog));
	if (!prog[0])
		SKIP(return, "sysv_prog is not beside this test");
	if (access(so, R_OK))
		SKIP(return, "%s is missing", so);
	if (access(LOADER, X_OK))
		SKIP(return, "the dynamic loader %s is missing", LOADER);
	self->prog_key = test_key(1);

	run_prog(self, prog, NULL, self->prog_key, &plain);
	ASSERT_EQ(0, plain.status) TH_LOG("sysv_prog said:\n%s", plain.out);
	EXPECT_TRUE(plain.ready);
	EXPECT_TRUE(plain.kernel_sem && plain.kernel_msg && plain.kernel_shm)
		TH_LOG("without LD_PRELOAD the objects should be the kernel's");
	EXPECT_FALSE(plain.lab_sem || plain.lab_mbox || plain.lab_shbuf)
		TH_LOG("without LD_PRELOAD ipclab should not see the objects");

	run_prog(self, prog, so, self->prog_key, &pre);
	ASSERT_EQ(0, pre.status) TH_LOG("sysv_prog with LD_PRELOAD said:\n%s", pre.out);
	EXPECT_TRUE(pre.ready);
	EXPECT_TRUE(pre.lab_sem && pre.lab_mbox && pre.lab_shbuf)
		TH_LOG("with LD_PRELOAD the objects should be ipclab's");
	EXPECT_FALSE(pre.kernel_sem || pre.kernel_msg || pre.kernel_shm)
		TH_LOG("with LD_PRELOAD the kernel should not see the objects");

	EXPECT_LT(10, (int)strlen(plain.out));
	EXPECT_STREQ(plain.out, pre.out);
	if (strcmp(plain.out, pre.out))
		log_diff(_metadata, plain.out, pre.out);
}

/*
 * Without /dev/ipclab (hidden by a tmpfs on /dev in a mount namespace of
 * its own), an unmodified program's semget/msgget/shmget say ENOSYS, as
 * on a kernel without SysV IPC (ENOENT would mean "no such key", and a
 * program would try to create), and the layer says why, once.
 */
TEST_F_TIMEOUT(sysv, no_module, 60)
{
	const char *so = getenv("IPCLAB_SYSV_SO") ?: SYSV_SO_DEFAULT;
	static const char missing[] =
		"ipclab: /dev/ipclab is missing: is the ipclab module loaded?\n";
	static char buf[4096];
	char prog[PATH_MAX], pre[PATH_MAX + 16], keyarg[16];
	const char *p;
	ssize_t got;
	pid_t pid;
	int out, n = 0;

	find_prog(prog, sizeof(prog));
	if (!prog[0])
		SKIP(return, "sysv_prog is not beside this test");
	if (access(so, R_OK) || access(LOADER, X_OK))
		SKIP(return, "%s or the dynamic loader is missing", so);
	if (geteuid() != 0)
		SKIP(return, "needs root for a mount namespace");
	out = memfd_create("sysv_prog.out", MFD_CLOEXEC);
	ASSERT_LE(0, out);
	snprintf(pre, sizeof(pre), "LD_PRELOAD=%s", so);
	snprintf(keyarg, sizeof(keyarg), "%d", test_key(2));
	pid = kids_fork(&self->cl);
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char *argv[] = { prog, "--get", keyarg, NULL };
		char *env[] = { pre, NULL };

		if (unshare(CLONE_NEWNS))
			_exit(CHILD_BROKEN);
		mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
		if (mount("tmpfs", "/dev", "tmpfs", 0, NULL) ||
		    !access("/dev/ipclab", F_OK))
			_exit(CHILD_BROKEN);
		if (dup2(out, STDOUT_FILENO) < 0 || dup2(out, STDERR_FILENO) < 0)
			_exit(CHILD_BROKEN);
		execve(prog, argv, env);
		_exit(CHILD_BROKEN);
	}
	ASSERT_EQ(0, kids_wait(&self->cl, pid, IPCLAB_SETTLE_MS));
	got = pread(out, buf, sizeof(buf) - 1, 0);
	close(out);
	buf[got > 0 ? got : 0] = '\0';
	for (p = buf; (p = strstr(p, missing)); p++)
		n++;
	EXPECT_EQ(1, n) TH_LOG("the message %d times:\n%s", n, buf);
	EXPECT_NE(NULL, strstr(buf, "semget: ENOSYS\nmsgget: ENOSYS\nshmget: ENOSYS\n"
				   "semget: ENOSYS\nmsgget: ENOSYS\nshmget: ENOSYS\n"))
		TH_LOG("%s", buf);
}

TEST_HARNESS_MAIN
