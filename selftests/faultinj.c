// SPDX-License-Identifier: GPL-2.0
/*
 * Fault injection: every allocation and every user copy that an ipclab
 * command makes is failed, one at a time, and the command must fail
 * cleanly (ENOMEM for memory, EFAULT for a copy) with every object as it
 * was, or succeed as if nothing had happened (an allocation with a
 * fallback).  The debug kernel watches for splats and leaks meanwhile.
 *
 * How.  The kernel's failslab, fail_page_alloc and fail_usercopy are set
 * up with their stack-trace filter (require-start/require-end) on
 * ipclab's code, so that only calls made on behalf of ipclab count, and
 * with probability 0, so that nothing fails by chance.  Then
 * /proc/thread-self/fail-nth makes the n-th of those calls in one task
 * fail: for each command below, n = 1, 2, ... until the command runs
 * without reaching an n-th point.  Each attempt runs in a new process, so
 * that first-use allocations (the process's state, its record of a set)
 * come every time in the same order, and the end of that process (which
 * drops holdings and applies undo) is checked too.
 *
 * The "times" of each fault type starts at FI_TIMES and counts down with
 * every failure injected: the last test prints what was injected, by
 * type, into ipclab's call chains.
 *
 * Needs root and CONFIG_FAULT_INJECTION_DEBUG_FS, CONFIG_FAILSLAB,
 * CONFIG_FAIL_PAGE_ALLOC, CONFIG_FAULT_INJECTION_USERCOPY and
 * CONFIG_FAULT_INJECTION_STACKTRACE_FILTER (the debug kernel); skips
 * elsewhere.  It changes the machine's fault-injection settings while it
 * runs and puts them back when it ends, so it is not one of the *_test
 * programs that selftests/run runs: scripts/check runs it in a VM boot
 * of its own.
 */
#include <sys/epoll.h>
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "ipclab_test.h"

#define FI_DEBUGFS	"/sys/kernel/debug/"
/* Where each fault type's "times" starts: far more than one run injects. */
#define FI_TIMES	1000000
/* A command with more injection points than this is a runaway loop. */
#define FI_MAX_POINTS	200
/* How long a command under test may take (it may wait for the parent). */
#define FI_CALL_MS	10000

enum { FI_SLAB, FI_PAGE, FI_COPY, FI_NKINDS };

static const char *const fi_attr[FI_NKINDS] = {
	"failslab", "fail_page_alloc", "fail_usercopy",
};

static const char *const fi_kind_name[FI_NKINDS] = {
	"slab", "page", "usercopy",
};

/* Why the tests skip, or NULL when fault injection is set up. */
static const char *fi_skip;
static pid_t fi_main_pid;

/* ------------------------------------------------------------------ */
/* debugfs settings                                                   */
/* ------------------------------------------------------------------ */

static int file_read(const char *path, char *buf, size_t n)
{
	ssize_t got;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	got = read(fd, buf, n - 1);
	close(fd);
	if (got < 0)
		return -1;
	buf[got] = 0;
	return 0;
}

static int file_write(const char *path, const char *val)
{
	size_t len = strlen(val);
	int fd, ok;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ok = write(fd, val, len) == (ssize_t)len;
	close(fd);
	return ok ? 0 : -1;
}

/* One knob we change, and what it was. */
struct fi_knob {
	char path[96];
	char old[32];
};

#define FI_MAX_KNOBS	48
static struct fi_knob fi_knobs[FI_MAX_KNOBS];
static int fi_nknobs;

/* Set a knob of a fault type, remembering its value for fi_restore(). */
static int fi_set(const char *attr, const char *knob, const char *fmt, ...)
{
	struct fi_knob *k;
	char val[32];
	va_list ap;

	if (fi_nknobs == FI_MAX_KNOBS)
		return -1;
	k = &fi_knobs[fi_nknobs];
	snprintf(k->path, sizeof(k->path), FI_DEBUGFS "%s/%s", attr, knob);
	if (file_read(k->path, k->old, sizeof(k->old)))
		return -1;
	k->old[strcspn(k->old, "\n")] = 0;
	fi_nknobs++;
	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	return file_write(k->path, val);
}

/* Put every knob back, last changed first (main process only). */
static void fi_restore(void)
{
	if (getpid() != fi_main_pid)
		return;
	while (fi_nknobs > 0) {
		fi_nknobs--;
		file_write(fi_knobs[fi_nknobs].path, fi_knobs[fi_nknobs].old);
	}
}

/* What is left of a fault type's "times", or -1. */
static long fi_times(int kind)
{
	char path[96], buf[32];

	snprintf(path, sizeof(path), FI_DEBUGFS "%s/times", fi_attr[kind]);
	if (file_read(path, buf, sizeof(buf)))
		return -1;
	return strtol(buf, NULL, 10);
}

/*
 * ipclab's code, as [start, end): the base of the module's text (from
 * /proc/modules, which root reads unhashed) and its total size, which
 * covers the text and more.  The "more" holds no code as long as no other
 * module lies there, which is checked.
 */
static int fi_module_range(unsigned long *start, unsigned long *end)
{
	unsigned long base, size, lo = 0, hi = 0;
	char line[512], name[64];
	FILE *f;

	f = fopen("/proc/modules", "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, " 0x");

		if (!p || sscanf(line, "%63s %lu", name, &size) != 2)
			continue;
		base = strtoul(p + 1, NULL, 16);
		if (!strcmp(name, "ipclab")) {
			lo = base;
			hi = base + size;
		}
	}
	rewind(f);
	while (lo && fgets(line, sizeof(line), f)) {
		char *p = strstr(line, " 0x");

		if (!p || sscanf(line, "%63s %lu", name, &size) != 2 ||
		    !strcmp(name, "ipclab"))
			continue;
		base = strtoul(p + 1, NULL, 16);
		if (base < hi && base + size > lo)
			lo = 0;		/* another module's code in the range */
	}
	fclose(f);
	if (!lo)
		return -1;
	*start = lo;
	*end = hi;
	return 0;
}

/*
 * Every fault type: nothing by chance (probability 0), only for a task
 * that asks (task-filter, fail-nth), only on ipclab's call chains, for
 * sleeping allocations too (ipclab's are GFP_KERNEL) and for single pages
 * (shared buffers are made of them).
 */
static const char *fi_setup(void)
{
	static char why[256];
	unsigned long start, end;
	int k, bad = 0;

	if (geteuid() != 0)
		return "needs root (it sets /sys/kernel/debug/fail*)";
	for (k = 0; k < FI_NKINDS; k++) {
		char path[96];

		snprintf(path, sizeof(path), FI_DEBUGFS "%s/require-start",
			 fi_attr[k]);
		if (access(path, W_OK)) {
			snprintf(why, sizeof(why), "%s: %s (no fault injection %s)",
				 path, strerror(errno), "with a stack-trace filter");
			return why;
		}
	}
	if (access("/proc/thread-self/fail-nth", W_OK))
		return "/proc/thread-self/fail-nth is missing";
	if (fi_module_range(&start, &end))
		return "cannot find ipclab's code alone in /proc/modules";

	for (k = 0; k < FI_NKINDS; k++) {
		const char *a = fi_attr[k];

		bad |= fi_set(a, "probability", "0");
		bad |= fi_set(a, "interval", "1");
		bad |= fi_set(a, "space", "0");
		bad |= fi_set(a, "times", "%d", FI_TIMES);
		bad |= fi_set(a, "task-filter", "Y");
		bad |= fi_set(a, "verbose", "%s",
			      getenv("IPCLAB_FAULTINJ_VERBOSE") ?: "1");
		bad |= fi_set(a, "stacktrace-depth", "32");
		bad |= fi_set(a, "reject-start", "0");
		bad |= fi_set(a, "reject-end", "0");
		/* The filter is off while start is 0 and end ULONG_MAX. */
		bad |= fi_set(a, "require-start", "%lu", start);
		bad |= fi_set(a, "require-end", "%lu", end);
	}
	bad |= fi_set("failslab", "ignore-gfp-wait", "N");
	bad |= fi_set("failslab", "cache-filter", "N");
	bad |= fi_set("fail_page_alloc", "ignore-gfp-wait", "N");
	bad |= fi_set("fail_page_alloc", "ignore-gfp-highmem", "N");
	bad |= fi_set("fail_page_alloc", "min-order", "0");
	if (bad) {
		fi_restore();
		return "cannot set " FI_DEBUGFS "fail*";
	}
	printf("# faultinj: ipclab's code is 0x%lx..0x%lx\n", start, end);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* fail-nth                                                           */
/* ------------------------------------------------------------------ */

/* In a child: the n-th injection point from now on fails. */
static int fi_arm(int nthfd, int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%d", n);

	return pwrite(nthfd, buf, len, 0) == len ? 0 : -1;
}

/* In a child: was the n-th point reached?  Disarms either way. */
static int fi_disarm(int nthfd)
{
	char buf[16] = "";
	ssize_t got = pread(nthfd, buf, sizeof(buf) - 1, 0);

	pwrite(nthfd, "0", 1, 0);
	return got > 0 && atoi(buf) == 0;
}

/* ------------------------------------------------------------------ */
/* What a case is                                                     */
/* ------------------------------------------------------------------ */

#define FI_NOBJS	4

/* Shared by the parent and the child of one attempt. */
struct fi_ctx {
	int fd;			/* the parent's session */
	__u32 id[FI_NOBJS];	/* the case's objects (0: none) */
	__s32 key;		/* a key the case may use */
	pid_t helper;		/* a helper process of the case, or 0 */
	int hgo[2];		/* its "go on" pipe */
	struct ipclab_cleanup *cl;
	/* In the child. */
	int cfd;		/* the child's session */
	int ofd;		/* an object fd */
	int efd;		/* an epoll fd */
	void *map;
};

/* What the child's call gave. */
struct fi_result {
	int ret;
	int err;
	int hit;		/* the n-th point was reached */
	int kind;		/* FI_* of the failure injected, or -1 */
	__u32 new_id;		/* IPCLAB_IOC_GET: the id */
	long aux;		/* case-specific */
};

/* The visible state of the case's objects and the whole id table. */
struct fi_state {
	struct snap obj[FI_NOBJS];
	int nids;
	__u32 ids[256];
};

struct fi_case {
	const char *name;
	int want;	/* errno of the call without a fault, 0 for success */
	/* Parent, before the child: create the objects.  0 or -1. */
	int (*setup)(struct fi_ctx *c);
	/* Child, before arming: get where the call starts.  0 or errno. */
	int (*prepare)(struct fi_ctx *c);
	/* Parent, once the child is prepared.  0 or -1. */
	int (*ready)(struct fi_ctx *c);
	/* Child, armed: the call under test; -1 with errno on failure. */
	int (*call)(struct fi_ctx *c, struct fi_result *r);
	/* Parent, while the call runs: do its part once it waits; 1 when done. */
	int (*nudge)(struct fi_ctx *c);
	/* Child, after the parent looked: 0, or errno of a follow-up. */
	int (*after)(struct fi_ctx *c, const struct fi_result *r);
	/*
	 * Parent: is the state after the call right?  Default: unchanged
	 * when the call failed, anything when it succeeded.
	 */
	bool (*check)(struct fi_ctx *c, const struct fi_result *r,
		      const struct fi_state *before, const struct fi_state *after);
	/* Parent: the state once the child has exited (default: no check). */
	bool (*check_exit)(struct fi_ctx *c, const struct fi_result *r,
			   const struct fi_state *before, const struct fi_state *now);
};

/* Ignore what changes with the clock, and where the arrays were. */
static void snap_normalize(struct snap *s)
{
	__u32 i;

	s->st.values = 0;
	s->st.waiters = 0;
	s->st.ops = 0;
	s->st.holders = 0;
	s->st.perm.ctime = 0;
	s->st.perm.otime = 0;
	if (s->st.type == IPCLAB_TYPE_MBOX) {
		s->st.mbox.stime = 0;
		s->st.mbox.rtime = 0;
	} else if (s->st.type == IPCLAB_TYPE_SHBUF) {
		s->st.shbuf.atime = 0;
		s->st.shbuf.dtime = 0;
	}
	for (i = 0; i < s->st.waiters_len && i < SNAP_WAITERS; i++)
		s->waiters[i].waited_ns = 0;
}

static void state_take(struct fi_ctx *c, struct fi_state *s)
{
	struct ipclab_list l = { .type = 0, .len = 256, .ids = ptr_u64(s->ids) };
	int i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < FI_NOBJS; i++) {
		if (!c->id[i])
			continue;
		if (ipclab_snap(c->fd, c->id[i], &s->obj[i]))
			memset(&s->obj[i], 0, sizeof(s->obj[i]));
		else
			snap_normalize(&s->obj[i]);
	}
	s->nids = ioctl(c->fd, IPCLAB_IOC_LIST, &l) ? -1 : (int)l.len;
}

static bool state_equal(const struct fi_state *a, const struct fi_state *b)
{
	return !memcmp(a, b, sizeof(*a));
}

/* Name the first difference, for the log. */
static void state_diff(struct __test_metadata *_metadata,
		       const struct fi_state *a, const struct fi_state *b)
{
	int i;

	if (a->nids != b->nids)
		TH_LOG("objects: %d before, %d after", a->nids, b->nids);
	for (i = 0; i < FI_NOBJS; i++) {
		const struct ipclab_stat *x = &a->obj[i].st, *y = &b->obj[i].st;

		if (!memcmp(&a->obj[i], &b->obj[i], sizeof(a->obj[i])))
			continue;
		TH_LOG("object %d (id %u): nwaiters %u -> %u, holders %u -> %u, "
		       "values %u -> %u", i, x->id, x->nwaiters, y->nwaiters,
		       x->holders_len, y->holders_len, x->values_len, y->values_len);
		if (x->type == IPCLAB_TYPE_MUTEX)
			TH_LOG("  mutex state %u -> %u, pid %d -> %d", x->mutex.state,
			       y->mutex.state, x->mutex.pid, y->mutex.pid);
		if (x->type == IPCLAB_TYPE_MBOX)
			TH_LOG("  mbox msgs %u -> %u, sent %llu -> %llu, received %llu -> %llu",
			       x->mbox.msgs, y->mbox.msgs,
			       (unsigned long long)x->mbox.sent,
			       (unsigned long long)y->mbox.sent,
			       (unsigned long long)x->mbox.received,
			       (unsigned long long)y->mbox.received);
		if (x->type == IPCLAB_TYPE_SEM && x->values_len)
			TH_LOG("  value[0] %d -> %d", a->obj[i].values[0],
			       b->obj[i].values[0]);
	}
}

/* No holder or waiter entry of pid is left in the case's objects. */
static bool state_free_of(const struct fi_state *s, pid_t pid)
{
	__u32 j;
	int i;

	for (i = 0; i < FI_NOBJS; i++) {
		const struct snap *o = &s->obj[i];

		for (j = 0; j < o->st.holders_len && j < SNAP_HOLDERS; j++)
			if (o->holders[j].pid == pid)
				return false;
		for (j = 0; j < o->st.waiters_len && j < SNAP_WAITERS; j++)
			if (o->waiters[j].pid == pid)
				return false;
		if (o->st.type == IPCLAB_TYPE_MUTEX && o->st.mutex.pid == pid &&
		    o->st.mutex.state != IPCLAB_MUTEX_OWNERDEAD)
			return false;
	}
	return true;
}

/* ------------------------------------------------------------------ */
/* The sweep                                                          */
/* ------------------------------------------------------------------ */

static int read_full(int fd, void *buf, size_t n, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	if (poll(&p, 1, timeout_ms) != 1)
		return -1;
	return read(fd, buf, n) == (ssize_t)n ? 0 : -1;
}

/* The child of one attempt; reports on res, waits on go. */
static void fi_child(const struct fi_case *fc, struct fi_ctx *c, int n,
		     int res, int go)
{
	struct fi_result r = { .kind = -1 };
	long before[FI_NKINDS];
	int nthfd, k, st;

	set_comm("fi-%d", n);
	close(c->fd);		/* the parent's session: ours is our own */
	c->cfd = open(IPCLAB_DEVICE, O_RDWR | O_CLOEXEC);
	nthfd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	if (c->cfd < 0 || nthfd < 0)
		_exit(CHILD_BROKEN);
	st = fc->prepare ? fc->prepare(c) : 0;
	if (write(res, &st, sizeof(st)) != sizeof(st) || st)
		_exit(st ? st : CHILD_BROKEN);
	if (get_byte(go, FI_CALL_MS) != 'A')
		_exit(CHILD_BROKEN);

	for (k = 0; k < FI_NKINDS; k++)
		before[k] = fi_times(k);
	if (fi_arm(nthfd, n))
		_exit(CHILD_BROKEN);
	errno = 0;
	r.ret = fc->call(c, &r);
	r.err = errno;
	r.hit = fi_disarm(nthfd);
	for (k = 0; k < FI_NKINDS; k++)
		if (fi_times(k) != before[k])
			r.kind = k;
	if (write(res, &r, sizeof(r)) != sizeof(r))
		_exit(CHILD_BROKEN);
	if (get_byte(go, FI_CALL_MS) != 'G')
		_exit(CHILD_BROKEN);
	_exit(fc->after ? fc->after(c, &r) : 0);
}

/* Per case: how the injected failures ended. */
struct fi_tally {
	int points;
	int kind[FI_NKINDS];
	int enomem, efault, absorbed;
};

/* One attempt: the n-th point fails.  False when it was not reached. */
static bool fi_attempt(struct __test_metadata *_metadata,
		       const struct fi_case *fc, struct ipclab_cleanup *cl,
		       int n, struct fi_tally *t)
{
	struct fi_state *before, *after;
	struct fi_ctx c = { .cl = cl };
	struct fi_result r;
	int res[2], go[2], st, i, status;
	bool nudged = false, ok = true;
	__u64 deadline;
	pid_t pid;

	before = calloc(1, sizeof(*before));
	after = calloc(1, sizeof(*after));
	ASSERT_TRUE(before && after);
	c.fd = open(IPCLAB_DEVICE, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, c.fd);
	c.key = test_key(n);
	if (fc->setup)
		ASSERT_EQ(0, fc->setup(&c)) TH_LOG("%s: setup: %s", fc->name,
						  strerror(errno));
	for (i = 0; i < FI_NOBJS; i++)
		if (c.id[i])
			cl_track(cl, c.id[i]);

	ASSERT_EQ(0, pipe2(res, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(go, O_CLOEXEC));
	pid = kids_fork(cl);
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(res[0]);
		close(go[1]);
		fi_child(fc, &c, n, res[1], go[0]);
	}
	close(res[1]);
	close(go[0]);

	ASSERT_EQ(0, read_full(res[0], &st, sizeof(st), FI_CALL_MS));
	ASSERT_EQ(0, st) TH_LOG("%s: the child's preparation failed: %s",
				fc->name, strerror(st));
	if (fc->ready)
		ASSERT_EQ(0, fc->ready(&c)) TH_LOG("%s: ready: %s", fc->name,
						  strerror(errno));
	state_take(&c, before);
	ASSERT_EQ(0, put_byte(go[1], 'A'));

	/* The call may wait for us: do our part when it does. */
	deadline = mono_ns() + FI_CALL_MS * NSEC_PER_MSEC;
	for (;;) {
		if (!read_full(res[0], &r, sizeof(r), 1))
			break;
		ASSERT_LT(mono_ns(), deadline) TH_LOG("%s: point %d: no result",
						      fc->name, n);
		if (fc->nudge && !nudged)
			nudged = fc->nudge(&c) > 0;
	}
	state_take(&c, after);

	if (r.hit) {
		t->points++;
		if (r.kind >= 0)
			t->kind[r.kind]++;
		EXPECT_LE(0, r.kind) TH_LOG("%s: point %d: which fault type?",
					    fc->name, n);
	}
	if (r.hit && r.ret < 0 && r.err != fc->want) {
		/* A failure the fault made: the errno must say so. */
		int want = r.kind == FI_COPY ? EFAULT : ENOMEM;

		EXPECT_EQ(want, r.err) {
			TH_LOG("%s: point %d (%s) failed the call with %s",
			       fc->name, n, r.kind >= 0 ? fi_kind_name[r.kind] : "?",
			       strerror(r.err));
			ok = false;
		}
		if (r.err == ENOMEM)
			t->enomem++;
		else if (r.err == EFAULT)
			t->efault++;
	} else {
		/* No fault, or one the kernel absorbed: the normal result. */
		EXPECT_EQ(fc->want, r.ret < 0 ? r.err : 0) {
			TH_LOG("%s: point %d%s: %s instead of %s", fc->name, n,
			       r.hit ? " (absorbed)" : " (no fault)",
			       strerror(r.ret < 0 ? r.err : 0), strerror(fc->want));
			ok = false;
		}
		if (r.hit)
			t->absorbed++;
	}
	if (fc->check) {
		EXPECT_TRUE(fc->check(&c, &r, before, after)) {
			TH_LOG("%s: point %d (%s): wrong state after %s (aux %ld)",
			       fc->name, n, r.kind >= 0 ? fi_kind_name[r.kind] : "-",
			       strerror(r.ret < 0 ? r.err : 0), r.aux);
			state_diff(_metadata, before, after);
			ok = false;
		}
	} else if (r.ret < 0 && r.err != fc->want) {
		EXPECT_TRUE(state_equal(before, after)) {
			TH_LOG("%s: point %d: %s changed the state", fc->name, n,
			       strerror(r.err));
			state_diff(_metadata, before, after);
			ok = false;
		}
	}

	ASSERT_EQ(0, put_byte(go[1], 'G'));
	status = kids_wait(cl, pid, FI_CALL_MS);
	EXPECT_EQ(0, status) {
		TH_LOG("%s: point %d: the child ended with %d", fc->name, n, status);
		ok = false;
	}
	/* Its end dropped whatever it held. */
	state_take(&c, after);
	EXPECT_TRUE(state_free_of(after, pid)) {
		TH_LOG("%s: point %d: the ended child still holds or waits",
		       fc->name, n);
		ok = false;
	}
	if (fc->check_exit)
		EXPECT_TRUE(fc->check_exit(&c, &r, before, after)) {
			TH_LOG("%s: point %d: wrong state once the child ended",
			       fc->name, n);
			state_diff(_metadata, before, after);
			ok = false;
		}

	if (c.helper) {
		close(c.hgo[1]);
		kids_kill(cl, c.helper, SIGKILL);
	}
	if (r.new_id && r.new_id != 0xcccccccc)
		ipclab_rmid(c.fd, r.new_id);
	ipclab_cleanup(cl);
	close(res[0]);
	close(go[1]);
	close(c.fd);
	free(before);
	free(after);
	if (!ok)
		return false;
	return r.hit;
}

static void fi_sweep(struct __test_metadata *_metadata,
		     struct ipclab_cleanup *cl, const struct fi_case *fc)
{
	struct fi_tally t = {};
	int n;

	for (n = 1; n <= FI_MAX_POINTS; n++)
		if (!fi_attempt(_metadata, fc, cl, n, &t))
			break;
	ASSERT_LT(n, FI_MAX_POINTS) TH_LOG("%s: more than %d points?", fc->name,
					   FI_MAX_POINTS);
	printf("# %s: %d points (slab %d, page %d, usercopy %d): %d ENOMEM, "
	       "%d EFAULT, %d absorbed\n", fc->name, t.points, t.kind[FI_SLAB],
	       t.kind[FI_PAGE], t.kind[FI_COPY], t.enomem, t.efault, t.absorbed);
}

/* ------------------------------------------------------------------ */
/* Helpers for the cases                                              */
/* ------------------------------------------------------------------ */

/* Every object of the cases is the owner's alone (0600). */
static int get_obj(int fd, __u32 type, __s32 key, __u32 flags, __u32 nsems,
		   __u64 size, __u32 *id)
{
	return ipclab_get_size(fd, type, key, flags, 0600, nsems, size, id);
}

static int mbox_send(int fd, __u32 id, const void *text, __u64 size,
		     __u32 flags, __u64 timeout)
{
	struct ipclab_msgsnd m = {
		.id = id, .flags = flags, .type = 1, .text = ptr_u64(text),
		.size = size, .timeout = timeout,
	};

	return ioctl(fd, IPCLAB_IOC_MBOX_SEND, &m);
}

static int mbox_recv(int fd, __u32 id, void *buf, __u64 size, __u32 flags)
{
	struct ipclab_msgrcv m = {
		.id = id, .flags = flags, .type = 0, .text = ptr_u64(buf),
		.size = size, .timeout = 0,
	};

	return ioctl(fd, IPCLAB_IOC_MBOX_RECV, &m);
}

static int obj_open(int fd, __u32 id, __u32 flags)
{
	struct ipclab_open o = { .id = id, .flags = flags, .pad = 0 };

	memset(&o.fd, 0xcc, sizeof(o.fd));
	if (ioctl(fd, IPCLAB_IOC_OPEN, &o))
		return -1;
	return o.fd;
}

/* The case's object i in a state. */
#define OBJ(s, i)	(&(s)->obj[i].st)

/* The objects after a GET that succeeded: one more, and it is the new one. */
static bool created(const struct fi_result *r, const struct fi_state *b,
		    const struct fi_state *a)
{
	int i;

	if (r->ret)
		return state_equal(b, a);
	if (a->nids != b->nids + 1)
		return false;
	for (i = 0; i < a->nids; i++)
		if (a->ids[i] == r->new_id)
			return true;
	return false;
}

/* ------------------------------------------------------------------ */
/* The device and the object table                                    */
/* ------------------------------------------------------------------ */

static int call_version(struct fi_ctx *c, struct fi_result *r)
{
	struct ipclab_version v;

	POISON(v);
	return ioctl(c->cfd, IPCLAB_IOC_VERSION, &v);
}

static const struct fi_case case_version = {
	.name = "version", .call = call_version,
};

static int call_info(struct fi_ctx *c, struct fi_result *r)
{
	struct ipclab_info info;

	POISON(info);
	info.flags = 0;
	return ioctl(c->cfd, IPCLAB_IOC_INFO, &info);
}

static const struct fi_case case_info = {
	.name = "info", .call = call_info,
};

static int call_create_sem(struct fi_ctx *c, struct fi_result *r)
{
	return get_obj(c->cfd, IPCLAB_TYPE_SEM, 0, IPCLAB_CREAT, 8, 0, &r->new_id);
}

static bool check_created(struct fi_ctx *c, const struct fi_result *r,
			  const struct fi_state *b, const struct fi_state *a)
{
	return created(r, b, a);
}

static const struct fi_case case_create_sem = {
	.name = "create_sem", .call = call_create_sem, .check = check_created,
};

/* A set too big for kmalloc's single pages: kvmalloc falls back. */
static int call_create_sem_big(struct fi_ctx *c, struct fi_result *r)
{
	return get_obj(c->cfd, IPCLAB_TYPE_SEM, 0, IPCLAB_CREAT, 2000, 0,
		       &r->new_id);
}

static const struct fi_case case_create_sem_big = {
	.name = "create_sem_big", .call = call_create_sem_big,
	.check = check_created,
};

/* A keyed object: the key must not stay taken by a failed creation. */
static int call_create_mutex_key(struct fi_ctx *c, struct fi_result *r)
{
	return get_obj(c->cfd, IPCLAB_TYPE_MUTEX, c->key,
		       IPCLAB_CREAT | IPCLAB_EXCL | IPCLAB_REFUSE_DEADLOCK, 0, 0,
		       &r->new_id);
}

static bool check_created_key(struct fi_ctx *c, const struct fi_result *r,
			      const struct fi_state *b, const struct fi_state *a)
{
	__u32 id;
	int ret;

	if (!created(r, b, a))
		return false;
	ret = get_obj(c->fd, IPCLAB_TYPE_MUTEX, c->key, 0, 0, 0, &id);
	if (r->ret)
		return ret == -1 && errno == ENOENT;
	return ret == 0 && id == r->new_id;
}

static const struct fi_case case_create_mutex_key = {
	.name = "create_mutex_key", .call = call_create_mutex_key,
	.check = check_created_key,
};

static int call_create_mbox(struct fi_ctx *c, struct fi_result *r)
{
	return get_obj(c->cfd, IPCLAB_TYPE_MBOX, 0, IPCLAB_CREAT, 0, 0,
		       &r->new_id);
}

static const struct fi_case case_create_mbox = {
	.name = "create_mbox", .call = call_create_mbox, .check = check_created,
};

/* Three pages, each an alloc_page(). */
static int call_create_shbuf(struct fi_ctx *c, struct fi_result *r)
{
	return get_obj(c->cfd, IPCLAB_TYPE_SHBUF, 0, IPCLAB_CREAT, 0,
		       3 * getpagesize(), &r->new_id);
}

static const struct fi_case case_create_shbuf = {
	.name = "create_shbuf", .call = call_create_shbuf,
	.check = check_created,
};

static int setup_keyed_sem(struct fi_ctx *c)
{
	return get_obj(c->fd, IPCLAB_TYPE_SEM, c->key, IPCLAB_CREAT, 2, 0,
		       &c->id[0]);
}

static int call_open_by_key(struct fi_ctx *c, struct fi_result *r)
{
	__u32 id;
	int ret = get_obj(c->cfd, IPCLAB_TYPE_SEM, c->key, 0, 2, 0, &id);

	if (!ret && id != c->id[0]) {
		errno = ESTALE;		/* the wrong object: no errno means it */
		return -1;
	}
	return ret;
}

static const struct fi_case case_open_by_key = {
	.name = "open_by_key", .setup = setup_keyed_sem,
	.call = call_open_by_key,
};

static int call_set(struct fi_ctx *c, struct fi_result *r)
{
	return ipclab_set(c->cfd, c->id[0], 0, 0, 0640);
}

static bool check_set(struct fi_ctx *c, const struct fi_result *r,
		      const struct fi_state *b, const struct fi_state *a)
{
	if (r->ret)
		return state_equal(b, a);
	return OBJ(a, 0)->perm.mode == 0640;
}

static const struct fi_case case_set_mode = {
	.name = "set", .setup = setup_keyed_sem, .call = call_set,
	.check = check_set,
};

static int call_rmid(struct fi_ctx *c, struct fi_result *r)
{
	return ipclab_rmid(c->cfd, c->id[0]);
}

static bool check_rmid(struct fi_ctx *c, const struct fi_result *r,
		       const struct fi_state *b, const struct fi_state *a)
{
	if (r->ret)
		return state_equal(b, a);
	return a->nids == b->nids - 1;
}

static const struct fi_case case_rmid = {
	.name = "rmid", .setup = setup_keyed_sem, .call = call_rmid,
	.check = check_rmid,
};

/* A set with a holder and a waiter: every array of STAT has something. */
static int setup_busy_sem(struct fi_ctx *c)
{
	if (sem_create(c->fd, 3, &c->id[0]) ||
	    sem_setval(c->fd, c->id[0], 0, 2) ||
	    sem_op1(c->fd, c->id[0], 0, -1, IPCLAB_SEMBUF_UNDO))
		return -1;
	return 0;
}

static int call_stat(struct fi_ctx *c, struct fi_result *r)
{
	static struct snap s;

	return ipclab_snap(c->cfd, c->id[0], &s);
}

static const struct fi_case case_stat = {
	.name = "stat", .setup = setup_busy_sem, .call = call_stat,
};

static int call_list(struct fi_ctx *c, struct fi_result *r)
{
	__u32 ids[64];
	struct ipclab_list l = { .type = 0, .len = 64, .ids = ptr_u64(ids) };

	memset(ids, 0xcc, sizeof(ids));
	return ioctl(c->cfd, IPCLAB_IOC_LIST, &l);
}

static const struct fi_case case_list = {
	.name = "list", .setup = setup_busy_sem, .call = call_list,
};

static int call_snapshot(struct fi_ctx *c, struct fi_result *r)
{
	static struct ipclab_snap_res res[64];
	static struct ipclab_snap_proc procs[64];
	static struct ipclab_snap_edge edges[64];
	struct ipclab_snapshot s = {
		.res = ptr_u64(res), .procs = ptr_u64(procs),
		.edges = ptr_u64(edges), .res_len = 64, .procs_len = 64,
		.edges_len = 64,
	};

	memset(res, 0xcc, sizeof(res));
	memset(procs, 0xcc, sizeof(procs));
	memset(edges, 0xcc, sizeof(edges));
	return ioctl(c->cfd, IPCLAB_IOC_SNAPSHOT, &s);
}

static const struct fi_case case_snapshot = {
	.name = "snapshot", .setup = setup_busy_sem, .call = call_snapshot,
};

/* The debugfs listing: its open (single_open) is ipclab's code. */
static int call_debugfs_objects(struct fi_ctx *c, struct fi_result *r)
{
	static char buf[4096];
	int fd = open("/sys/kernel/debug/ipclab/objects", O_RDONLY | O_CLOEXEC);
	ssize_t got;

	if (fd < 0)
		return -1;
	memset(buf, 0, sizeof(buf));
	while ((got = read(fd, buf, sizeof(buf))) > 0)
		;
	close(fd);
	return got < 0 ? -1 : 0;
}

static const struct fi_case case_debugfs_objects = {
	.name = "debugfs_objects", .setup = setup_busy_sem,
	.call = call_debugfs_objects,
};

/* ------------------------------------------------------------------ */
/* Semaphore sets                                                     */
/* ------------------------------------------------------------------ */

static int setup_sem2(struct fi_ctx *c)
{
	return sem_create(c->fd, 4, &c->id[0]) ?:
	       sem_setval(c->fd, c->id[0], 0, 2);
}

/* A process's first P on a set: its state and its record are made. */
static int call_semop_first(struct fi_ctx *c, struct fi_result *r)
{
	return sem_op1(c->cfd, c->id[0], 0, -1, IPCLAB_SEMBUF_UNDO);
}

static bool check_semop_first(struct fi_ctx *c, const struct fi_result *r,
			      const struct fi_state *b, const struct fi_state *a)
{
	if (r->ret)
		return state_equal(b, a);
	return a->obj[0].values[0] == 1 && OBJ(a, 0)->holders_len == 1;
}

/* Undo gave the unit back, whatever happened. */
static bool check_sem_restored(struct fi_ctx *c, const struct fi_result *r,
			       const struct fi_state *b, const struct fi_state *a)
{
	return a->obj[0].values[0] == b->obj[0].values[0];
}

static const struct fi_case case_semop_first = {
	.name = "semop_first", .setup = setup_sem2, .call = call_semop_first,
	.check = check_semop_first, .check_exit = check_sem_restored,
};

/* More operations than fit on the kernel's stack: they are allocated. */
#define FI_MANY_OPS	100

static int setup_sem_many(struct fi_ctx *c)
{
	return sem_create(c->fd, FI_MANY_OPS, &c->id[0]);
}

static int call_semop_many(struct fi_ctx *c, struct fi_result *r)
{
	static struct ipclab_sembuf ops[FI_MANY_OPS];
	int i;

	for (i = 0; i < FI_MANY_OPS; i++)
		ops[i] = sembuf(i, 1, 0);
	return sem_ops(c->cfd, c->id[0], ops, FI_MANY_OPS, IPCLAB_WAIT_NOWAIT, 0);
}

static bool check_semop_many(struct fi_ctx *c, const struct fi_result *r,
			     const struct fi_state *b, const struct fi_state *a)
{
	int i;

	if (r->ret)
		return state_equal(b, a);
	for (i = 0; i < FI_MANY_OPS; i++)
		if (a->obj[0].values[i] != 1)
			return false;
	return true;
}

static const struct fi_case case_semop_many = {
	.name = "semop_many", .setup = setup_sem_many, .call = call_semop_many,
	.check = check_semop_many,
};

/* A P that waits until the parent's V hands it the unit. */
static int setup_sem0(struct fi_ctx *c)
{
	return sem_create(c->fd, 1, &c->id[0]);
}

static int call_semop_wait(struct fi_ctx *c, struct fi_result *r)
{
	return sem_op1(c->cfd, c->id[0], 0, -1, 0);
}

static int nudge_sem_v(struct fi_ctx *c)
{
	if (ipclab_nwaiters(c->fd, c->id[0]) != 1)
		return 0;
	return sem_op1(c->fd, c->id[0], 0, 1, 0) ? -1 : 1;
}

static bool check_semop_wait(struct fi_ctx *c, const struct fi_result *r,
			     const struct fi_state *b, const struct fi_state *a)
{
	if (r->ret)
		return state_equal(b, a);
	/* Handed over: the value stays 0, nobody waits. */
	return a->obj[0].values[0] == 0 && OBJ(a, 0)->nwaiters == 0;
}

static const struct fi_case case_semop_wait = {
	.name = "semop_wait", .setup = setup_sem0, .call = call_semop_wait,
	.nudge = nudge_sem_v, .check = check_semop_wait,
};

/*
 * On a set that refuses deadlocks, a P that must wait first stops the
 * world and searches (allocating for it); here it finds no cycle, waits,
 * and times out.
 */
static int setup_sem0_refuse(struct fi_ctx *c)
{
	return get_obj(c->fd, IPCLAB_TYPE_SEM, 0,
		       IPCLAB_CREAT | IPCLAB_REFUSE_DEADLOCK, 1, 0, &c->id[0]);
}

static int call_semop_refuse(struct fi_ctx *c, struct fi_result *r)
{
	return sem_op1_wait(c->cfd, c->id[0], 0, -1, 0, IPCLAB_WAIT_TIMEOUT,
			    20 * NSEC_PER_MSEC);
}

static const struct fi_case case_semop_refuse = {
	.name = "semop_refuse_timeout", .want = ETIMEDOUT,
	.setup = setup_sem0_refuse, .call = call_semop_refuse,
};

static int call_semctl_getall(struct fi_ctx *c, struct fi_result *r)
{
	__s32 v[4];

	return sem_getall(c->cfd, c->id[0], v, 4);
}

static const struct fi_case case_semctl_getall = {
	.name = "semctl_getall", .setup = setup_sem2, .call = call_semctl_getall,
};

static int call_semctl_setall(struct fi_ctx *c, struct fi_result *r)
{
	const __s32 v[4] = { 5, 6, 7, 8 };

	return sem_setall(c->cfd, c->id[0], v, 4);
}

static bool check_semctl_setall(struct fi_ctx *c, const struct fi_result *r,
				const struct fi_state *b, const struct fi_state *a)
{
	if (r->ret)
		return state_equal(b, a);
	return a->obj[0].values[0] == 5 && a->obj[0].values[3] == 8;
}

static const struct fi_case case_semctl_setall = {
	.name = "semctl_setall", .setup = setup_sem2, .call = call_semctl_setall,
	.check = check_semctl_setall,
};

static int call_semctl_getval(struct fi_ctx *c, struct fi_result *r)
{
	return sem_getval(c->cfd, c->id[0], 0) < 0 ? -1 : 0;
}

static const struct fi_case case_semctl_getval = {
	.name = "semctl_getval", .setup = setup_sem2, .call = call_semctl_getval,
};

static int call_semctl_setval(struct fi_ctx *c, struct fi_result *r)
{
	return sem_setval(c->cfd, c->id[0], 1, 9);
}

static const struct fi_case case_semctl_setval = {
	.name = "semctl_setval", .setup = setup_sem2, .call = call_semctl_setval,
};

/* ------------------------------------------------------------------ */
/* Mutexes                                                            */
/* ------------------------------------------------------------------ */

static int setup_mutex(struct fi_ctx *c)
{
	return mutex_create(c->fd, &c->id[0]);
}

static int call_mutex_lock(struct fi_ctx *c, struct fi_result *r)
{
	return mutex_lock(c->cfd, c->id[0]);
}

static bool check_mutex_locked(struct fi_ctx *c, const struct fi_result *r,
			       const struct fi_state *b, const struct fi_state *a)
{
	if (r->ret)
		return state_equal(b, a);
	return OBJ(a, 0)->mutex.state == IPCLAB_MUTEX_LOCKED;
}

/* Owned when the child ended: owner-dead; never owned: unlocked. */
static bool check_mutex_exit(struct fi_ctx *c, const struct fi_result *r,
			     const struct fi_state *b, const struct fi_state *a)
{
	return OBJ(a, 0)->mutex.state ==
	       (r->ret ? IPCLAB_MUTEX_UNLOCKED : IPCLAB_MUTEX_OWNERDEAD);
}

static const struct fi_case case_mutex_lock = {
	.name = "mutex_lock", .setup = setup_mutex, .call = call_mutex_lock,
	.check = check_mutex_locked, .check_exit = check_mutex_exit,
};

static int prepare_lock(struct fi_ctx *c)
{
	return mutex_lock(c->cfd, c->id[0]) ? errno : 0;
}

static int call_mutex_unlock(struct fi_ctx *c, struct fi_result *r)
{
	return mutex_unlock(c->cfd, c->id[0]);
}

static bool check_mutex_unlock_exit(struct fi_ctx *c, const struct fi_result *r,
				    const struct fi_state *b,
				    const struct fi_state *a)
{
	return OBJ(a, 0)->mutex.state ==
	       (r->ret ? IPCLAB_MUTEX_OWNERDEAD : IPCLAB_MUTEX_UNLOCKED);
}

static const struct fi_case case_mutex_unlock = {
	.name = "mutex_unlock", .setup = setup_mutex, .prepare = prepare_lock,
	.call = call_mutex_unlock, .check_exit = check_mutex_unlock_exit,
};

/* A mutex whose owner died: the child gets it with EOWNERDEAD. */
static int setup_mutex_ownerdead(struct fi_ctx *c)
{
	pid_t pid;
	int st;

	if (mutex_create(c->fd, &c->id[0]))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open(IPCLAB_DEVICE, O_RDWR | O_CLOEXEC);

		_exit(fd < 0 || mutex_lock(fd, c->id[0]) ? 1 : 0);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		return -1;
	return 0;
}

static int prepare_lock_ownerdead(struct fi_ctx *c)
{
	if (mutex_lock(c->cfd, c->id[0]) == 0)
		return CHILD_CHECK_FAILED;
	return errno == EOWNERDEAD ? 0 : errno;
}

static int call_mutex_consistent(struct fi_ctx *c, struct fi_result *r)
{
	return mutex_consistent(c->cfd, c->id[0]);
}

static bool check_mutex_consistent(struct fi_ctx *c, const struct fi_result *r,
				   const struct fi_state *b,
				   const struct fi_state *a)
{
	if (r->ret)
		return state_equal(b, a);
	return OBJ(a, 0)->mutex.state == IPCLAB_MUTEX_LOCKED;
}

static const struct fi_case case_mutex_consistent = {
	.name = "mutex_consistent", .setup = setup_mutex_ownerdead,
	.prepare = prepare_lock_ownerdead, .call = call_mutex_consistent,
	.check = check_mutex_consistent,
};

/* A held mutex that refuses deadlocks: the lock searches, then times out. */
static int setup_mutex_refuse_held(struct fi_ctx *c)
{
	return get_obj(c->fd, IPCLAB_TYPE_MUTEX, 0,
		       IPCLAB_CREAT | IPCLAB_REFUSE_DEADLOCK, 0, 0, &c->id[0]) ?:
	       mutex_lock(c->fd, c->id[0]);
}

static int call_mutex_lock_timeout(struct fi_ctx *c, struct fi_result *r)
{
	return mutex_lock_wait(c->cfd, c->id[0], IPCLAB_WAIT_TIMEOUT,
			       20 * NSEC_PER_MSEC);
}

static const struct fi_case case_mutex_refuse = {
	.name = "mutex_refuse_timeout", .want = ETIMEDOUT,
	.setup = setup_mutex_refuse_held, .call = call_mutex_lock_timeout,
};

/*
 * A refusal: the child holds M0 and asks for M1, which a helper holds
 * while it waits for M0.  EDEADLK, and the cycle is kept for
 * IPCLAB_IOC_CYCLE (its length is the result's aux).
 */
static int setup_cycle(struct fi_ctx *c)
{
	int i;

	for (i = 0; i < 2; i++)
		if (get_obj(c->fd, IPCLAB_TYPE_MUTEX, 0,
			    IPCLAB_CREAT | IPCLAB_REFUSE_DEADLOCK, 0, 0, &c->id[i]))
			return -1;
	if (pipe2(c->hgo, O_CLOEXEC))
		return -1;
	c->helper = kids_fork(c->cl);
	if (c->helper < 0)
		return -1;
	if (c->helper == 0) {
		int fd = open(IPCLAB_DEVICE, O_RDWR | O_CLOEXEC);

		close(c->hgo[1]);
		if (fd < 0 || mutex_lock(fd, c->id[1]))
			_exit(CHILD_BROKEN);
		get_byte(c->hgo[0], FI_CALL_MS);
		mutex_lock(fd, c->id[0]);	/* waits for the child */
		_exit(0);
	}
	close(c->hgo[0]);
	/* The helper owns M1 before the child starts. */
	for (i = 0; i < IPCLAB_SETTLE_MS; i++) {
		struct ipclab_stat st;

		if (!ipclab_stat(c->fd, c->id[1], &st) &&
		    st.mutex.state == IPCLAB_MUTEX_LOCKED)
			return 0;
		usleep(1000);
	}
	return -1;
}

static int prepare_cycle(struct fi_ctx *c)
{
	return mutex_lock(c->cfd, c->id[0]) ? errno : 0;
}

/* The helper now waits for M0, which the child holds. */
static int ready_cycle(struct fi_ctx *c)
{
	if (put_byte(c->hgo[1], 'g'))
		return -1;
	return wait_for_waiters(c->fd, c->id[0], 1) ? 0 : -1;
}

static int call_cycle(struct fi_ctx *c, struct fi_result *r)
{
	struct ipclab_cycle_entry e[4];
	struct ipclab_cycle cy = { .len = 4, .entries = ptr_u64(e) };
	int ret, err;

	memset(e, 0xcc, sizeof(e));
	ret = mutex_lock(c->cfd, c->id[1]);
	err = errno;
	/* Still armed: the points of IPCLAB_IOC_CYCLE come after the lock's. */
	r->aux = ioctl(c->cfd, IPCLAB_IOC_CYCLE, &cy) ? -(long)errno : (long)cy.len;
	errno = err;
	return ret;
}

static bool check_cycle(struct fi_ctx *c, const struct fi_result *r,
			const struct fi_state *b, const struct fi_state *a)
{
	if (!state_equal(b, a))
		return false;
	/*
	 * Refused: IPCLAB_IOC_CYCLE says the cycle (or failed itself, when
	 * the fault hit it).  The refusal's record must not go missing.
	 */
	if (r->ret && r->err == EDEADLK)
		return r->aux == 2 || r->aux == -ENOMEM || r->aux == -EFAULT;
	return true;
}

static const struct fi_case case_cycle = {
	.name = "mutex_refused_cycle", .want = EDEADLK, .setup = setup_cycle,
	.prepare = prepare_cycle, .ready = ready_cycle, .call = call_cycle,
	.check = check_cycle,
};

/* ------------------------------------------------------------------ */
/* Mailboxes                                                          */
/* ------------------------------------------------------------------ */

static int setup_mbox(struct fi_ctx *c)
{
	return get_obj(c->fd, IPCLAB_TYPE_MBOX, 0, IPCLAB_CREAT, 0, 0, &c->id[0]);
}

static char fi_text[8192];

static int call_mbox_send(struct fi_ctx *c, struct fi_result *r)
{
	return mbox_send(c->cfd, c->id[0], fi_text, 100, IPCLAB_WAIT_NOWAIT, 0);
}

static bool check_mbox_sent(struct fi_ctx *c, const struct fi_result *r,
			    const struct fi_state *b, const struct fi_state *a)
{
	if (r->ret)
		return state_equal(b, a);
	return OBJ(a, 0)->mbox.msgs == OBJ(b, 0)->mbox.msgs + 1;
}

static const struct fi_case case_mbox_send = {
	.name = "mbox_send", .setup = setup_mbox, .call = call_mbox_send,
	.check = check_mbox_sent,
};

/* Two pages of text: kvmalloc falls back to vmalloc. */
static int call_mbox_send_big(struct fi_ctx *c, struct fi_result *r)
{
	return mbox_send(c->cfd, c->id[0], fi_text, sizeof(fi_text),
			 IPCLAB_WAIT_NOWAIT, 0);
}

static const struct fi_case case_mbox_send_big = {
	.name = "mbox_send_big", .setup = setup_mbox, .call = call_mbox_send_big,
	.check = check_mbox_sent,
};

static int setup_mbox_msg(struct fi_ctx *c)
{
	return setup_mbox(c) ?:
	       mbox_send(c->fd, c->id[0], fi_text, 100, IPCLAB_WAIT_NOWAIT, 0);
}

static int call_mbox_recv(struct fi_ctx *c, struct fi_result *r)
{
	static char buf[200];

	memset(buf, 0xcc, sizeof(buf));
	return mbox_recv(c->cfd, c->id[0], buf, sizeof(buf), IPCLAB_WAIT_NOWAIT);
}

/*
 * Received: gone.  EFAULT after the message was taken loses it, as
 * msgrcv(2) does (and the uapi says); before, it stays.
 */
static bool check_mbox_recv(struct fi_ctx *c, const struct fi_result *r,
			    const struct fi_state *b, const struct fi_state *a)
{
	const struct ipclab_stat *x = OBJ(b, 0), *y = OBJ(a, 0);
	bool taken = y->mbox.msgs == x->mbox.msgs - 1 &&
		     y->mbox.received == x->mbox.received + 1;

	if (!r->ret)
		return taken;
	if (r->err == EFAULT)
		return taken || state_equal(b, a);
	return state_equal(b, a);
}

static const struct fi_case case_mbox_recv = {
	.name = "mbox_recv", .setup = setup_mbox_msg, .call = call_mbox_recv,
	.check = check_mbox_recv,
};

/* A receiver that waits; the parent's send hands it the message. */
static int call_mbox_recv_wait(struct fi_ctx *c, struct fi_result *r)
{
	static char buf[200];

	memset(buf, 0xcc, sizeof(buf));
	return mbox_recv(c->cfd, c->id[0], buf, sizeof(buf), 0);
}

static int nudge_mbox_send(struct fi_ctx *c)
{
	if (ipclab_nwaiters(c->fd, c->id[0]) != 1)
		return 0;
	return mbox_send(c->fd, c->id[0], fi_text, 100, IPCLAB_WAIT_NOWAIT, 0) ?
	       -1 : 1;
}

static bool check_mbox_recv_wait(struct fi_ctx *c, const struct fi_result *r,
				 const struct fi_state *b,
				 const struct fi_state *a)
{
	const struct ipclab_stat *x = OBJ(b, 0), *y = OBJ(a, 0);

	if (r->ret && r->err != EFAULT)
		return state_equal(b, a);
	/* Sent and received (lost on EFAULT), or nothing happened. */
	if (y->mbox.sent == x->mbox.sent)
		return r->ret && state_equal(b, a);
	return y->mbox.msgs == 0 && y->mbox.sent == x->mbox.sent + 1 &&
	       y->mbox.received == x->mbox.received + 1 && y->nwaiters == 0;
}

static const struct fi_case case_mbox_recv_wait = {
	.name = "mbox_recv_wait", .setup = setup_mbox, .call = call_mbox_recv_wait,
	.nudge = nudge_mbox_send, .check = check_mbox_recv_wait,
};

/* A sender that waits for room; the parent's receive makes it. */
static int setup_mbox_full(struct fi_ctx *c)
{
	struct ipclab_get g;

	memset(&g, 0, sizeof(g));
	g.type = IPCLAB_TYPE_MBOX;
	g.flags = IPCLAB_CREAT;
	g.mode = 0600;
	g.mbox.max_msgs = 1;
	if (ioctl(c->fd, IPCLAB_IOC_GET, &g))
		return -1;
	c->id[0] = g.id;
	return mbox_send(c->fd, c->id[0], fi_text, 10, IPCLAB_WAIT_NOWAIT, 0);
}

static int call_mbox_send_wait(struct fi_ctx *c, struct fi_result *r)
{
	return mbox_send(c->cfd, c->id[0], fi_text, 100, 0, 0);
}

static int nudge_mbox_recv(struct fi_ctx *c)
{
	char buf[200];

	if (ipclab_nwaiters(c->fd, c->id[0]) != 1)
		return 0;
	return mbox_recv(c->fd, c->id[0], buf, sizeof(buf), IPCLAB_WAIT_NOWAIT) ?
	       -1 : 1;
}

static bool check_mbox_send_wait(struct fi_ctx *c, const struct fi_result *r,
				 const struct fi_state *b,
				 const struct fi_state *a)
{
	const struct ipclab_stat *x = OBJ(b, 0), *y = OBJ(a, 0);

	if (r->ret)
		return state_equal(b, a);
	/* One out, the child's in. */
	return y->mbox.msgs == 1 && y->mbox.sent == x->mbox.sent + 1 &&
	       y->mbox.received == x->mbox.received + 1 && y->nwaiters == 0;
}

static const struct fi_case case_mbox_send_wait = {
	.name = "mbox_send_wait", .setup = setup_mbox_full,
	.call = call_mbox_send_wait, .nudge = nudge_mbox_recv,
	.check = check_mbox_send_wait,
};

/* ------------------------------------------------------------------ */
/* Object fds: poll and mmap                                          */
/* ------------------------------------------------------------------ */

static int call_open_mbox(struct fi_ctx *c, struct fi_result *r)
{
	/* The lowest free fd: the one a new fd would get (kept in efd). */
	c->efd = fcntl(0, F_DUPFD_CLOEXEC, 0);
	if (c->efd < 0 || close(c->efd))
		return -1;
	c->ofd = obj_open(c->cfd, c->id[0], IPCLAB_OPEN_READ);
	return c->ofd < 0 ? -1 : 0;
}

/* The fd works, or (after a failure) no fd was left behind. */
static int after_open(struct fi_ctx *c, const struct fi_result *r)
{
	struct pollfd p = { .fd = c->ofd, .events = POLLIN };

	if (r->ret)
		return fcntl(c->efd, F_GETFD) == -1 && errno == EBADF ?
		       0 : CHILD_CHECK_FAILED;
	if (poll(&p, 1, 0) < 0)
		return errno;
	return close(c->ofd) ? errno : 0;
}

static const struct fi_case case_open_mbox = {
	.name = "open_mbox", .setup = setup_mbox, .call = call_open_mbox,
	.after = after_open,
};

/* epoll on a mailbox fd: its wait-queue entry is allocated in our poll. */
static int prepare_epoll(struct fi_ctx *c)
{
	c->ofd = obj_open(c->cfd, c->id[0], IPCLAB_OPEN_READ);
	c->efd = epoll_create1(EPOLL_CLOEXEC);
	return c->ofd < 0 || c->efd < 0 ? errno : 0;
}

static int call_epoll_add(struct fi_ctx *c, struct fi_result *r)
{
	struct epoll_event ev = { .events = EPOLLIN };

	return epoll_ctl(c->efd, EPOLL_CTL_ADD, c->ofd, &ev);
}

/* Added: a message wakes epoll.  Not added: adding again works. */
static int after_epoll(struct fi_ctx *c, const struct fi_result *r)
{
	struct epoll_event ev = { .events = EPOLLIN };

	if (r->ret && epoll_ctl(c->efd, EPOLL_CTL_ADD, c->ofd, &ev))
		return errno;
	if (mbox_send(c->cfd, c->id[0], fi_text, 1, IPCLAB_WAIT_NOWAIT, 0))
		return errno;
	if (epoll_wait(c->efd, &ev, 1, IPCLAB_SETTLE_MS) != 1)
		return CHILD_CHECK_FAILED;
	return 0;
}

static const struct fi_case case_epoll_mbox = {
	.name = "epoll_mbox", .setup = setup_mbox, .prepare = prepare_epoll,
	.call = call_epoll_add, .after = after_epoll,
};

static int setup_shbuf(struct fi_ctx *c)
{
	return get_obj(c->fd, IPCLAB_TYPE_SHBUF, 0, IPCLAB_CREAT, 0,
		       2 * getpagesize(), &c->id[0]);
}

static int prepare_open_shbuf(struct fi_ctx *c)
{
	c->ofd = obj_open(c->cfd, c->id[0], IPCLAB_OPEN_READ | IPCLAB_OPEN_WRITE);
	return c->ofd < 0 ? errno : 0;
}

static int call_mmap(struct fi_ctx *c, struct fi_result *r)
{
	c->map = mmap(NULL, 2 * getpagesize(), PROT_READ | PROT_WRITE,
		      MAP_SHARED, c->ofd, 0);
	if (c->map == MAP_FAILED)
		return -1;
	/* The faults that fill the mapping are part of the path. */
	((volatile char *)c->map)[0] = 1;
	((volatile char *)c->map)[getpagesize()] = 2;
	return 0;
}

static bool check_mmap(struct fi_ctx *c, const struct fi_result *r,
		       const struct fi_state *b, const struct fi_state *a)
{
	if (r->ret)
		return state_equal(b, a);
	return OBJ(a, 0)->shbuf.nattch == 1;
}

static bool check_shbuf_exit(struct fi_ctx *c, const struct fi_result *r,
			     const struct fi_state *b, const struct fi_state *a)
{
	return OBJ(a, 0)->shbuf.nattch == 0;
}

static const struct fi_case case_mmap_shbuf = {
	.name = "mmap_shbuf", .setup = setup_shbuf, .prepare = prepare_open_shbuf,
	.call = call_mmap, .check = check_mmap, .check_exit = check_shbuf_exit,
};

/* ------------------------------------------------------------------ */
/* The end of a process                                               */
/* ------------------------------------------------------------------ */

/*
 * The child holds a unit with undo and a mutex, then closes its only
 * session: ipclab ends the process (undo, owner-dead) in ->flush.
 */
static int setup_sem_and_mutex(struct fi_ctx *c)
{
	return setup_sem2(c) ?: mutex_create(c->fd, &c->id[1]);
}

static int prepare_hold(struct fi_ctx *c)
{
	if (sem_op1(c->cfd, c->id[0], 0, -1, IPCLAB_SEMBUF_UNDO) ||
	    mutex_lock(c->cfd, c->id[1]))
		return errno;
	return 0;
}

static int call_close(struct fi_ctx *c, struct fi_result *r)
{
	return close(c->cfd);
}

static bool check_close(struct fi_ctx *c, const struct fi_result *r,
			const struct fi_state *b, const struct fi_state *a)
{
	return a->obj[0].values[0] == 2 && OBJ(a, 0)->holders_len == 0 &&
	       OBJ(a, 1)->mutex.state == IPCLAB_MUTEX_OWNERDEAD;
}

static const struct fi_case case_close_session = {
	.name = "close_session", .setup = setup_sem_and_mutex,
	.prepare = prepare_hold, .call = call_close, .check = check_close,
};

/* ------------------------------------------------------------------ */
/* The tests                                                          */
/* ------------------------------------------------------------------ */

FIXTURE(faultinj) {
	struct ipclab_cleanup cl;
};

FIXTURE_SETUP(faultinj)
{
	int fd;

	memset(&self->cl, 0, sizeof(self->cl));
	if (fi_skip)
		SKIP(return, "%s", fi_skip);
	IPCLAB_OPEN_OR_SKIP(fd);
	close(fd);
}

FIXTURE_TEARDOWN_PARENT(faultinj)
{
	ipclab_cleanup(&self->cl);
}

#define FI_TEST(c)							\
	TEST_F_TIMEOUT(faultinj, c, 300)					\
	{								\
		fi_sweep(_metadata, &self->cl, &case_##c);		\
	}

FI_TEST(version)
FI_TEST(info)
FI_TEST(create_sem)
FI_TEST(create_sem_big)
FI_TEST(create_mutex_key)
FI_TEST(create_mbox)
FI_TEST(create_shbuf)
FI_TEST(open_by_key)
FI_TEST(set_mode)
FI_TEST(rmid)
FI_TEST(stat)
FI_TEST(list)
FI_TEST(snapshot)
FI_TEST(debugfs_objects)
FI_TEST(semop_first)
FI_TEST(semop_many)
FI_TEST(semop_wait)
FI_TEST(semop_refuse)
FI_TEST(semctl_getall)
FI_TEST(semctl_setall)
FI_TEST(semctl_getval)
FI_TEST(semctl_setval)
FI_TEST(mutex_lock)
FI_TEST(mutex_unlock)
FI_TEST(mutex_consistent)
FI_TEST(mutex_refuse)
FI_TEST(cycle)
FI_TEST(mbox_send)
FI_TEST(mbox_send_big)
FI_TEST(mbox_recv)
FI_TEST(mbox_recv_wait)
FI_TEST(mbox_send_wait)
FI_TEST(open_mbox)
FI_TEST(epoll_mbox)
FI_TEST(mmap_shbuf)
FI_TEST(close_session)

/*
 * Last: what was injected, by type, from the counters.  Every type must
 * have hit ipclab: a filter that matched nothing would pass everything.
 */
TEST_F(faultinj, totals)
{
	long n[FI_NKINDS];
	int k;

	for (k = 0; k < FI_NKINDS; k++) {
		n[k] = FI_TIMES - fi_times(k);
		EXPECT_LT(0, n[k]) TH_LOG("no %s failure reached ipclab", fi_attr[k]);
	}
	printf("# faultinj: failslab injected %ld into ipclab, fail_page_alloc %ld, "
	       "usercopy %ld\n", n[FI_SLAB], n[FI_PAGE], n[FI_COPY]);
}

int main(int argc, char **argv)
{
	fi_main_pid = getpid();
	memset(fi_text, 'x', sizeof(fi_text));
	fi_skip = fi_setup();
	atexit(fi_restore);
	return test_harness_run(argc, argv);
}
