// SPDX-License-Identifier: GPL-2.0
/*
 * Mailboxes: creation limits, send and receive with every errno, the two
 * FIFO waiting rooms (senders while full, receivers while nothing
 * matches), direct handoff to a waiting receiver, type selection as
 * msgrcv(2) does it, truncation, removal with waiters on both sides,
 * permissions, object fds with poll()/epoll, STAT, and a load test of
 * producers and consumers.
 *
 * Every "other sender" or "other receiver" is a forked child: it reports
 * through its exit code (0 or the errno its call got) and, when the test
 * needs to know what it received, through a pipe (struct rrec).
 */
#include <limits.h>
#include <sched.h>
#include <stdatomic.h>
#include <stddef.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include "kselftest_harness.h"
#include "ipclab_test.h"

FIXTURE(mbox) {
	int fd;
	struct ipclab_cleanup cl;
};

FIXTURE_SETUP(mbox)
{
	memset(&self->cl, 0, sizeof(self->cl));
	IPCLAB_OPEN_OR_SKIP(self->fd);
}

FIXTURE_TEARDOWN_PARENT(mbox)
{
	ipclab_cleanup(&self->cl);
}

/* Defaults of the mailbox parameters, when they cannot be read. */
#define DEF_MBOX_MAX_MSGS	1024
#define DEF_MBOX_MAX_MSGSZ	8192
#define DEF_MBOX_MAX_BYTES	16384

/* The largest message any test sends (the default mbox_max_msgsz). */
#define MAXTEXT			8192

/* ------------------------------------------------------------------ */
/* ioctl wrappers (no harness macros: children use them too)          */
/* ------------------------------------------------------------------ */

static int mbox_get(int fd, __s32 key, __u32 flags, __u32 mode,
		    __u32 max_msgs, __u32 max_msgsz, __u64 max_bytes, __u32 *id)
{
	struct ipclab_get g;
	int ret;

	memset(&g, 0, sizeof(g));
	g.type = IPCLAB_TYPE_MBOX;
	g.key = key;
	g.flags = flags;
	g.mode = mode;
	g.mbox.max_msgs = max_msgs;
	g.mbox.max_msgsz = max_msgsz;
	g.mbox.max_bytes = max_bytes;
	memset(&g.id, 0xcc, sizeof(g.id));	/* the output */
	ret = ioctl(fd, IPCLAB_IOC_GET, &g);
	if (id)
		*id = g.id;
	return ret;
}

static int mbox_send_wait(int fd, __u32 id, __s64 type, const void *text,
			  __u64 size, __u32 flags, __u64 timeout)
{
	struct ipclab_msgsnd s = {
		.id = id, .flags = flags, .type = type,
		.text = ptr_u64(text), .size = size, .timeout = timeout,
	};

	return ioctl(fd, IPCLAB_IOC_MBOX_SEND, &s);
}

static int mbox_send(int fd, __u32 id, __s64 type, const void *text, __u64 size)
{
	return mbox_send_wait(fd, id, type, text, size, 0, 0);
}

/*
 * IPCLAB_IOC_MBOX_RECV.  *type is the selector in and the received type
 * out, *size the buffer's size in and the bytes written out (both only
 * written on success).  The buffer is poisoned with 0xcc first, so bytes
 * the kernel did not write stand out.  The fields that are inputs only
 * must come back unchanged: if they do not, -1 with errno EBADE.
 */
static int mbox_recv_wait(int fd, __u32 id, __s64 *type, void *buf,
			  __u64 *size, __u32 flags, __u64 timeout)
{
	struct ipclab_msgrcv r = {
		.id = id, .flags = flags, .type = *type,
		.text = ptr_u64(buf), .size = *size, .timeout = timeout,
	};
	int ret;

	if (buf && *size)
		memset(buf, 0xcc, *size);
	ret = ioctl(fd, IPCLAB_IOC_MBOX_RECV, &r);
	if (ret)
		return ret;
	if (r.id != id || r.flags != flags || r.text != ptr_u64(buf) ||
	    r.timeout != timeout) {
		errno = EBADE;
		return -1;
	}
	*type = r.type;
	*size = r.size;
	return 0;
}

/* IPCLAB_IOC_OPEN; *ofd is poisoned first. */
static int obj_open(int fd, __u32 id, __u32 flags, int *ofd)
{
	struct ipclab_open o = { .id = id, .flags = flags, .pad = 0 };
	int ret;

	memset(&o.fd, 0xcc, sizeof(o.fd));
	ret = ioctl(fd, IPCLAB_IOC_OPEN, &o);
	if (ofd)
		*ofd = ret ? -1 : o.fd;
	return ret;
}

/* poll() one fd for events, waiting at most ms; the revents, or -1. */
static int poll_fd(int fd, short events, int ms)
{
	struct pollfd p = { .fd = fd, .events = events, .revents = 0 };
	int n = poll(&p, 1, ms);

	if (n < 0)
		return -1;
	return n ? p.revents : 0;
}

/*
 * A child that polls @ofd for @events (a minute at most) and writes the
 * revents, an int, to @report.
 */
static pid_t spawn_poller(struct ipclab_cleanup *cl, int ofd, short events,
			  int report)
{
	pid_t pid = kids_fork(cl);

	if (pid == 0) {
		int ev = poll_fd(ofd, events, 60 * 1000);

		_exit(write(report, &ev, sizeof(ev)) == sizeof(ev) ? 0 : CHILD_BROKEN);
	}
	return pid;
}

/*
 * Message texts: byte i of the message tagged t is a function of (t, i)
 * only, so a truncated message is a prefix of the whole one.  The first
 * four bytes are the tag itself.
 */
static unsigned char text_byte(__u32 tag, size_t i)
{
	if (i < 4)
		return (tag >> (8 * i)) & 0xff;
	return (tag * 13 + i * 7) & 0xff;
}

static void make_text(void *buf, size_t size, __u32 tag)
{
	unsigned char *p = buf;
	size_t i;

	for (i = 0; i < size; i++)
		p[i] = text_byte(tag, i);
}

static bool text_ok(const void *buf, size_t size, __u32 tag)
{
	const unsigned char *p = buf;
	size_t i;

	for (i = 0; i < size; i++)
		if (p[i] != text_byte(tag, i))
			return false;
	return true;
}

/* The tag of a received text (at least four bytes). */
static __u32 text_tag(const void *buf)
{
	const unsigned char *p = buf;

	return p[0] | p[1] << 8 | p[2] << 16 | (__u32)p[3] << 24;
}

/* Send a tagged message of @size bytes. */
static int send_tag(int fd, __u32 id, __s64 type, __u32 tag, size_t size,
		    __u32 flags, __u64 timeout)
{
	static unsigned char buf[MAXTEXT];

	make_text(buf, size, tag);
	return mbox_send_wait(fd, id, type, buf, size, flags, timeout);
}

/* ------------------------------------------------------------------ */
/* Children                                                           */
/* ------------------------------------------------------------------ */

/* What a receiving child saw, written to its report pipe. */
struct rrec {
	__s32 idx;		/* which child */
	__s32 err;		/* 0 or the errno of its receive */
	__s64 type;		/* received type */
	__u64 size;		/* bytes received */
	__u32 tag;		/* tag of the text (if size >= 4) */
	__u32 text_ok;		/* the text matched its tag, nothing past size */
};

/*
 * A child that sends one tagged message (as flags say) and exits with 0
 * or its errno.  On success it first writes its index to report (if
 * report >= 0).  Its command name is "mbs<idx>".
 */
static pid_t spawn_send(struct ipclab_cleanup *cl, int fd, __u32 id,
			__s64 type, __u32 tag, size_t size, __u32 flags,
			__u64 timeout, int idx, int report)
{
	pid_t pid = kids_fork(cl);

	if (pid == 0) {
		int ret;

		set_comm("mbs%d", idx);
		ret = send_tag(fd, id, type, tag, size, flags, timeout);
		if (!ret && report >= 0 && put_byte(report, idx))
			_exit(CHILD_BROKEN);
		_exit(child_status(ret));
	}
	return pid;
}

/*
 * A child that receives once with a buffer of bufsize bytes and exits
 * with 0 or its errno, after writing a struct rrec to report (if >= 0).
 * Its command name is "mbr<idx>".
 */
static pid_t spawn_recv(struct ipclab_cleanup *cl, int fd, __u32 id,
			__s64 sel, size_t bufsize, __u32 flags, __u64 timeout,
			int idx, int report)
{
	pid_t pid = kids_fork(cl);

	if (pid == 0) {
		static unsigned char buf[MAXTEXT + 64];
		struct rrec rec;
		__u64 size = bufsize;
		__s64 type = sel;
		int ret;

		set_comm("mbr%d", idx);
		ret = mbox_recv_wait(fd, id, &type, buf, &size, flags, timeout);
		memset(&rec, 0, sizeof(rec));
		rec.idx = idx;
		rec.err = child_status(ret);
		if (!ret) {
			rec.type = type;
			rec.size = size;
			rec.tag = size >= 4 ? text_tag(buf) : 0;
			rec.text_ok = (size < 4 || text_ok(buf, size, rec.tag)) &&
				      (size >= bufsize || buf[size] == 0xcc);
		}
		if (report >= 0 && write(report, &rec, sizeof(rec)) != sizeof(rec))
			_exit(CHILD_BROKEN);
		_exit(rec.err);
	}
	return pid;
}

/* Read one struct rrec within timeout_ms; false if none came. */
static bool read_rec(int fd, struct rrec *rec, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	memset(rec, 0xcc, sizeof(*rec));
	if (poll(&p, 1, timeout_ms) != 1)
		return false;
	return read(fd, rec, sizeof(*rec)) == sizeof(*rec);
}

static void on_sigusr1(int sig)
{
}

/*
 * In a child: handle SIGUSR1 with SA_RESTART, so that an EINTR proves the
 * command is never restarted.
 */
static void catch_sigusr1(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigusr1;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL))
		_exit(CHILD_BROKEN);
}

/* A sender (as spawn_send) that catches SIGUSR1 with SA_RESTART. */
static pid_t spawn_send_sig(struct ipclab_cleanup *cl, int fd, __u32 id,
			    __s64 type, __u32 tag, size_t size)
{
	pid_t pid = kids_fork(cl);

	if (pid == 0) {
		catch_sigusr1();
		_exit(child_status(send_tag(fd, id, type, tag, size, 0, 0)));
	}
	return pid;
}

/* A receiver (as spawn_recv, no report) that catches SIGUSR1. */
static pid_t spawn_recv_sig(struct ipclab_cleanup *cl, int fd, __u32 id,
			    __s64 sel)
{
	pid_t pid = kids_fork(cl);

	if (pid == 0) {
		static unsigned char buf[MAXTEXT];
		__u64 size = sizeof(buf);

		catch_sigusr1();
		_exit(child_status(mbox_recv_wait(fd, id, &sel, buf, &size, 0, 0)));
	}
	return pid;
}

/*
 * Wait (bounded) until the object has n waiters, one of them pid.  False
 * on timeout.
 */
static bool wait_queued(int fd, __u32 id, int n, pid_t pid)
{
	__u64 deadline = mono_ns() + IPCLAB_SETTLE_MS * NSEC_PER_MSEC;
	static struct snap s;
	__u32 i;

	for (;;) {
		if (ipclab_snap(fd, id, &s))
			return false;
		if (s.st.nwaiters == n) {
			for (i = 0; i < s.st.waiters_len && i < SNAP_WAITERS; i++)
				if (s.waiters[i].pid == pid)
					return true;
		}
		if (mono_ns() > deadline)
			return false;
		usleep(1000);
	}
}

/* ------------------------------------------------------------------ */
/* Macros for test bodies                                             */
/* ------------------------------------------------------------------ */

/* The buffer of EXPECT_RECV(). */
static unsigned char recv_buf[MAXTEXT];

/* A new private mailbox, mode 0600, removed by the teardown. */
#define NEW_MBOX(msgs, msgsz, bytes) ({					\
	__u32 __id = 0;							\
	ASSERT_OK(mbox_get(self->fd, IPCLAB_KEY_PRIVATE, IPCLAB_CREAT,	\
			   0600, (msgs), (msgsz), (bytes), &__id))	\
		TH_LOG("creating a mailbox (%u, %u, %llu): %s",		\
		       (unsigned int)(msgs), (unsigned int)(msgsz),	\
		       (unsigned long long)(bytes), strerror(errno));	\
	cl_track(&self->cl, __id);					\
	__id;								\
})

/* A mailbox's counts and number of waiters. */
#define check_mbox(id, want_msgs, want_bytes, want_waiters) do {	\
	struct ipclab_stat __st;					\
	ASSERT_OK(ipclab_stat(self->fd, (id), &__st));			\
	EXPECT_EQ(IPCLAB_TYPE_MBOX, __st.type);				\
	EXPECT_EQ((want_msgs), __st.mbox.msgs) TH_LOG("msgs");		\
	EXPECT_EQ((want_bytes), __st.mbox.bytes) TH_LOG("bytes");	\
	EXPECT_EQ((want_waiters), __st.nwaiters) TH_LOG("waiters");	\
} while (0)

/*
 * Receive right now (NOWAIT) with selector sel and flags, and expect the
 * message tagged want_tag of type want_type and size want_size.
 */
#define EXPECT_RECV(id, sel, flags, want_type, want_tag, want_size) do { \
	unsigned char *__buf = recv_buf;				\
	__u64 __size = sizeof(recv_buf);				\
	__s64 __type = (sel);						\
	EXPECT_OK(mbox_recv_wait(self->fd, (id), &__type, __buf, &__size, \
				 IPCLAB_WAIT_NOWAIT | (flags), 0))	\
		TH_LOG("receive type %lld flags %#x, wanted tag %u",	\
		       (long long)(sel), (unsigned int)(flags),		\
		       (unsigned int)(want_tag));			\
	EXPECT_EQ((__s64)(want_type), __type);				\
	EXPECT_EQ((__u64)(want_size), __size);				\
	if (__size >= 4 && __size <= sizeof(recv_buf)) {		\
		EXPECT_EQ((__u32)(want_tag), text_tag(__buf))		\
			TH_LOG("receive type %lld", (long long)(sel));	\
		EXPECT_TRUE(text_ok(__buf, __size, (want_tag)));	\
	}								\
} while (0)

/* Nothing matches selector sel right now. */
#define EXPECT_RECV_NONE(id, sel, flags) do {				\
	unsigned char __buf[64];					\
	__u64 __size = sizeof(__buf);					\
	__s64 __type = (sel);						\
	EXPECT_ERRNO(EAGAIN, mbox_recv_wait(self->fd, (id), &__type, __buf, \
					    &__size, IPCLAB_WAIT_NOWAIT | (flags), 0)) \
		TH_LOG("receive type %lld flags %#x", (long long)(sel),	\
		       (unsigned int)(flags));				\
} while (0)

/* Send a tagged message that must go in at once. */
#define SEND_NOW(id, type, tag, size) do {				\
	ASSERT_OK(send_tag(self->fd, (id), (type), (tag), (size),	\
			   IPCLAB_WAIT_NOWAIT, 0))			\
		TH_LOG("sending type %lld tag %u size %zu",		\
		       (long long)(type), (unsigned int)(tag), (size_t)(size)); \
} while (0)

/* ------------------------------------------------------------------ */
/* Creation                                                           */
/* ------------------------------------------------------------------ */

TEST_F(mbox, create_defaults)
{
	long max_msgs = param_or("mbox_max_msgs", DEF_MBOX_MAX_MSGS);
	long max_msgsz = param_or("mbox_max_msgsz", DEF_MBOX_MAX_MSGSZ);
	long max_bytes = param_or("mbox_max_bytes", DEF_MBOX_MAX_BYTES);
	__u32 id = NEW_MBOX(0, 0, 0);
	struct snap s;
	int i;

	ASSERT_OK(ipclab_snap(self->fd, id, &s));
	EXPECT_EQ(IPCLAB_TYPE_MBOX, s.st.type);
	EXPECT_EQ(id, s.st.perm.id);
	EXPECT_EQ(IPCLAB_KEY_PRIVATE, s.st.perm.key);
	EXPECT_EQ(0600, s.st.perm.mode);
	EXPECT_EQ(getpid(), s.st.perm.cpid);
	EXPECT_EQ(0, s.st.perm.otime);
	EXPECT_EQ(0, s.st.mbox.msgs);
	EXPECT_EQ(0, s.st.mbox.bytes);
	EXPECT_EQ(max_msgs, s.st.mbox.max_msgs);
	EXPECT_EQ(max_msgsz, s.st.mbox.max_msgsz);
	EXPECT_EQ(max_bytes, s.st.mbox.max_bytes);
	EXPECT_EQ(0, s.st.mbox.lspid);
	EXPECT_EQ(0, s.st.mbox.lrpid);
	EXPECT_EQ(0, s.st.mbox.pad);
	EXPECT_EQ(0, s.st.mbox.stime);
	EXPECT_EQ(0, s.st.mbox.rtime);
	EXPECT_EQ(0, s.st.mbox.sent);
	EXPECT_EQ(0, s.st.mbox.received);
	/* struct mbox is 72 bytes: 9 of the 16 reserved words. */
	for (i = 9; i < 16; i++)
		EXPECT_EQ(0, s.st.reserved[i]) TH_LOG("reserved[%d]", i);
	EXPECT_EQ(0, s.st.nwaiters);
	EXPECT_EQ(0, s.st.waiters_len);
	EXPECT_EQ(0, s.st.values_len);
	EXPECT_EQ(0, s.st.ops_len);
	EXPECT_EQ(0, s.st.holders_len);
}

TEST_F(mbox, create_sizes)
{
	__u32 id = NEW_MBOX(3, 100, 250);
	struct ipclab_stat st;

	ASSERT_OK(ipclab_stat(self->fd, id, &st));
	EXPECT_EQ(3, st.mbox.max_msgs);
	EXPECT_EQ(100, st.mbox.max_msgsz);
	EXPECT_EQ(250, st.mbox.max_bytes);

	/* max_bytes == max_msgsz is the smallest allowed. */
	id = NEW_MBOX(1, 1, 1);
	ASSERT_OK(ipclab_stat(self->fd, id, &st));
	EXPECT_EQ(1, st.mbox.max_msgs);
	EXPECT_EQ(1, st.mbox.max_msgsz);
	EXPECT_EQ(1, st.mbox.max_bytes);

	/* The ceilings themselves are allowed. */
	id = NEW_MBOX(param_or("mbox_max_msgs", DEF_MBOX_MAX_MSGS),
		      param_or("mbox_max_msgsz", DEF_MBOX_MAX_MSGSZ),
		      param_or("mbox_max_bytes", DEF_MBOX_MAX_BYTES));
}

TEST_F(mbox, create_errors)
{
	long max_msgs = param_or("mbox_max_msgs", DEF_MBOX_MAX_MSGS);
	long max_msgsz = param_or("mbox_max_msgsz", DEF_MBOX_MAX_MSGSZ);
	long max_bytes = param_or("mbox_max_bytes", DEF_MBOX_MAX_BYTES);
	struct ipclab_get g;
	__u32 id;

	EXPECT_ERRNO(EINVAL, mbox_get(self->fd, IPCLAB_KEY_PRIVATE, IPCLAB_CREAT,
				      0600, max_msgs + 1, 0, 0, &id));
	EXPECT_ERRNO(EINVAL, mbox_get(self->fd, IPCLAB_KEY_PRIVATE, IPCLAB_CREAT,
				      0600, 0, max_msgsz + 1, 0, &id));
	EXPECT_ERRNO(EINVAL, mbox_get(self->fd, IPCLAB_KEY_PRIVATE, IPCLAB_CREAT,
				      0600, 0, 0, max_bytes + 1, &id));
	/* max_bytes below max_msgsz, given or defaulted. */
	EXPECT_ERRNO(EINVAL, mbox_get(self->fd, IPCLAB_KEY_PRIVATE, IPCLAB_CREAT,
				      0600, 0, 200, 100, &id));
	EXPECT_ERRNO(EINVAL, mbox_get(self->fd, IPCLAB_KEY_PRIVATE, IPCLAB_CREAT,
				      0600, 0, 0, max_msgsz - 1, &id));
	EXPECT_ERRNO(EINVAL, mbox_get(self->fd, IPCLAB_KEY_PRIVATE, IPCLAB_CREAT,
				      0600, 0, 0x80000000u, 0, &id));

	/* The union's bytes beyond the mailbox's member must be zero. */
	memset(&g, 0, sizeof(g));
	g.type = IPCLAB_TYPE_MBOX;
	g.flags = IPCLAB_CREAT;
	g.mode = 0600;
	EXPECT_EQ(0, get_union_tail_accepted(self->fd, &g, sizeof(g.mbox)));
	g.reserved[2] = 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, IPCLAB_IOC_GET, &g));

	/* And mailbox fields beyond another type's member. */
	memset(&g, 0, sizeof(g));
	g.type = IPCLAB_TYPE_SEM;
	g.flags = IPCLAB_CREAT;
	g.mode = 0600;
	g.sem.nsems = 1;
	g.mbox.max_msgsz = 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, IPCLAB_IOC_GET, &g));
	g.mbox.max_msgsz = 0;
	g.mbox.max_bytes = 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, IPCLAB_IOC_GET, &g));
	memset(&g, 0, sizeof(g));
	g.type = IPCLAB_TYPE_MUTEX;
	g.flags = IPCLAB_CREAT;
	g.mode = 0600;
	g.mbox.max_msgsz = 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, IPCLAB_IOC_GET, &g));
}

/* Keys are per type, and opening an existing mailbox ignores sizes of 0. */
TEST_F(mbox, key_lookup)
{
	__s32 key = test_key(1);
	__u32 id, id2, sem;

	ASSERT_OK(mbox_get(self->fd, key, IPCLAB_CREAT | IPCLAB_EXCL, 0600,
			   4, 64, 256, &id));
	cl_track(&self->cl, id);
	EXPECT_OK(mbox_get(self->fd, key, 0, 0600, 0, 0, 0, &id2));
	EXPECT_EQ(id, id2);
	EXPECT_ERRNO(EEXIST, mbox_get(self->fd, key, IPCLAB_CREAT | IPCLAB_EXCL,
				      0600, 0, 0, 0, &id2));
	EXPECT_ERRNO(ENOENT, mbox_get(self->fd, test_key(2), 0, 0600, 0, 0, 0, &id2));
	/* A semaphore set with the same key is another object. */
	ASSERT_OK(ipclab_get(self->fd, IPCLAB_TYPE_SEM, key,
			     IPCLAB_CREAT | IPCLAB_EXCL, 0600, 1, &sem));
	cl_track(&self->cl, sem);
	EXPECT_NE(id, sem);
}

/* ------------------------------------------------------------------ */
/* Send and receive                                                   */
/* ------------------------------------------------------------------ */

TEST_F(mbox, send_recv)
{
	__u32 id = NEW_MBOX(8, 1000, 4000);
	unsigned char buf[1200];
	__u64 size;
	__s64 type;

	SEND_NOW(id, 7, 1234, 1000);
	check_mbox(id, 1, 1000, 0);

	type = 0;
	size = sizeof(buf);
	ASSERT_OK(mbox_recv_wait(self->fd, id, &type, buf, &size, 0, 0));
	EXPECT_EQ(7, type);
	EXPECT_EQ(1000, size);
	EXPECT_EQ(1234, text_tag(buf));
	EXPECT_TRUE(text_ok(buf, 1000, 1234));
	/* Nothing written past the message. */
	EXPECT_EQ(0xcc, buf[1000]);
	EXPECT_EQ(0xcc, buf[sizeof(buf) - 1]);
	check_mbox(id, 0, 0, 0);

	/* The largest types work. */
	SEND_NOW(id, LLONG_MAX, 1, 4);
	EXPECT_RECV(id, LLONG_MAX, 0, LLONG_MAX, 1, 4);
}

TEST_F(mbox, zero_length)
{
	__u32 id = NEW_MBOX(4, 16, 16);
	unsigned char buf[16];
	__u64 size;
	__s64 type;

	/* A zero-length message needs no text pointer. */
	ASSERT_OK(mbox_send_wait(self->fd, id, 3, NULL, 0, IPCLAB_WAIT_NOWAIT, 0));
	ASSERT_OK(mbox_send_wait(self->fd, id, 4, buf, 0, IPCLAB_WAIT_NOWAIT, 0));
	check_mbox(id, 2, 0, 0);

	type = 0;
	size = 0;
	ASSERT_OK(mbox_recv_wait(self->fd, id, &type, NULL, &size, 0, 0));
	EXPECT_EQ(3, type);
	EXPECT_EQ(0, size);
	type = 0;
	size = sizeof(buf);
	ASSERT_OK(mbox_recv_wait(self->fd, id, &type, buf, &size, 0, 0));
	EXPECT_EQ(4, type);
	EXPECT_EQ(0, size);
	EXPECT_EQ(0xcc, buf[0]);
	check_mbox(id, 0, 0, 0);

	/* Zero-length messages count against max_msgs. */
	ASSERT_OK(mbox_send_wait(self->fd, id, 1, NULL, 0, IPCLAB_WAIT_NOWAIT, 0));
	ASSERT_OK(mbox_send_wait(self->fd, id, 1, NULL, 0, IPCLAB_WAIT_NOWAIT, 0));
	ASSERT_OK(mbox_send_wait(self->fd, id, 1, NULL, 0, IPCLAB_WAIT_NOWAIT, 0));
	ASSERT_OK(mbox_send_wait(self->fd, id, 1, NULL, 0, IPCLAB_WAIT_NOWAIT, 0));
	EXPECT_ERRNO(EAGAIN, mbox_send_wait(self->fd, id, 1, NULL, 0,
					    IPCLAB_WAIT_NOWAIT, 0));
	check_mbox(id, 4, 0, 0);
}

TEST_F(mbox, max_size_message)
{
	long max_msgsz = param_or("mbox_max_msgsz", DEF_MBOX_MAX_MSGSZ);
	__u32 id;

	if (max_msgsz > MAXTEXT)
		max_msgsz = MAXTEXT;
	id = NEW_MBOX(2, max_msgsz, max_msgsz);
	SEND_NOW(id, 1, 99, max_msgsz);
	check_mbox(id, 1, max_msgsz, 0);
	/* Full by bytes: even one more byte does not fit. */
	EXPECT_ERRNO(EAGAIN, send_tag(self->fd, id, 1, 1, 1, IPCLAB_WAIT_NOWAIT, 0));
	EXPECT_RECV(id, 0, 0, 1, 99, max_msgsz);
	EXPECT_ERRNO(EINVAL, send_tag(self->fd, id, 1, 1, max_msgsz + 1,
				      IPCLAB_WAIT_NOWAIT, 0));
}

TEST_F(mbox, send_errors)
{
	__u32 id = NEW_MBOX(1, 100, 100);
	__u32 sem = NEW_SEM(1);
	unsigned char buf[101];
	__u32 gone;
	__u64 t0;

	make_text(buf, sizeof(buf), 5);
	/* Types must be > 0. */
	EXPECT_ERRNO(EINVAL, mbox_send_wait(self->fd, id, 0, buf, 1, 0, 0));
	EXPECT_ERRNO(EINVAL, mbox_send_wait(self->fd, id, -1, buf, 1, 0, 0));
	EXPECT_ERRNO(EINVAL, mbox_send_wait(self->fd, id, LLONG_MIN, buf, 1, 0, 0));
	/* Bigger than max_msgsz. */
	EXPECT_ERRNO(EINVAL, mbox_send_wait(self->fd, id, 1, buf, 101, 0, 0));
	EXPECT_ERRNO(EINVAL, mbox_send_wait(self->fd, id, 1, buf, ~0ULL, 0, 0));
	/* Flags and timeouts. */
	EXPECT_ERRNO(EINVAL, mbox_send_wait(self->fd, id, 1, buf, 1, 0x8, 0));
	EXPECT_ERRNO(EINVAL, mbox_send_wait(self->fd, id, 1, buf, 1,
					    IPCLAB_MSG_NOERROR, 0));
	EXPECT_ERRNO(EINVAL, mbox_send_wait(self->fd, id, 1, buf, 1,
					    IPCLAB_WAIT_TIMEOUT | IPCLAB_WAIT_ABSTIME, 1));
	EXPECT_ERRNO(EINVAL, mbox_send_wait(self->fd, id, 1, buf, 1, 0, 1));
	/* Ids: a semaphore set, a number that names nothing. */
	EXPECT_ERRNO(EINVAL, mbox_send_wait(self->fd, sem, 1, buf, 1, 0, 0));
	EXPECT_ERRNO(EINVAL, mbox_send_wait(self->fd, id ^ 0x40000000, 1, buf, 1, 0, 0));
	/* Bad pointers. */
	EXPECT_ERRNO(EFAULT, mbox_send_wait(self->fd, id, 1, (void *)8, 1, 0, 0));
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, IPCLAB_IOC_MBOX_SEND, (void *)8));
	/* Nothing of that went in. */
	check_mbox(id, 0, 0, 0);

	/* Full: NOWAIT, TIMEOUT and ABSTIME. */
	SEND_NOW(id, 1, 1, 10);
	EXPECT_ERRNO(EAGAIN, send_tag(self->fd, id, 1, 2, 10, IPCLAB_WAIT_NOWAIT, 0));
	t0 = mono_ns();
	EXPECT_ERRNO(ETIMEDOUT, send_tag(self->fd, id, 1, 2, 10, IPCLAB_WAIT_TIMEOUT,
					 200 * NSEC_PER_MSEC));
	EXPECT_LE(t0 + 200 * NSEC_PER_MSEC, mono_ns());
	EXPECT_GT(t0 + 10 * NSEC_PER_SEC, mono_ns());
	t0 = mono_ns();
	EXPECT_ERRNO(ETIMEDOUT, send_tag(self->fd, id, 1, 2, 10, IPCLAB_WAIT_ABSTIME,
					 t0 + 200 * NSEC_PER_MSEC));
	EXPECT_LE(t0 + 200 * NSEC_PER_MSEC, mono_ns());
	/* A timeout of 0 and a deadline in the past do not wait. */
	EXPECT_ERRNO(ETIMEDOUT, send_tag(self->fd, id, 1, 2, 10, IPCLAB_WAIT_TIMEOUT, 0));
	EXPECT_ERRNO(ETIMEDOUT, send_tag(self->fd, id, 1, 2, 10, IPCLAB_WAIT_ABSTIME, 1));
	check_mbox(id, 1, 10, 0);

	/* A stale id. */
	ASSERT_OK(mbox_get(self->fd, IPCLAB_KEY_PRIVATE, IPCLAB_CREAT, 0600,
			   0, 0, 0, &gone));
	ASSERT_OK(ipclab_rmid(self->fd, gone));
	EXPECT_ERRNO(EINVAL, mbox_send_wait(self->fd, gone, 1, buf, 1, 0, 0));
	EXPECT_ERRNO(EINVAL, mbox_send_wait(self->fd, gone, 1, buf, 1,
					    IPCLAB_WAIT_NOWAIT, 0));
}

TEST_F(mbox, recv_errors)
{
	__u32 id = NEW_MBOX(4, 100, 400);
	__u32 sem = NEW_SEM(1);
	unsigned char buf[100];
	struct ipclab_stat st;
	__u64 size, t0;
	__s64 type;
	__u32 gone;

#define RECV(sel, flags, timeout) ({					\
	type = (sel);							\
	size = sizeof(buf);						\
	mbox_recv_wait(self->fd, id, &type, buf, &size, (flags), (timeout)); \
})
	/* EXCEPT needs a type > 0. */
	EXPECT_ERRNO(EINVAL, RECV(0, IPCLAB_MSG_EXCEPT | IPCLAB_WAIT_NOWAIT, 0));
	EXPECT_ERRNO(EINVAL, RECV(-3, IPCLAB_MSG_EXCEPT | IPCLAB_WAIT_NOWAIT, 0));
	EXPECT_ERRNO(EINVAL, RECV(LLONG_MIN, IPCLAB_MSG_EXCEPT | IPCLAB_WAIT_NOWAIT, 0));
	/* Unknown flags, both timeouts, a timeout without a flag. */
	EXPECT_ERRNO(EINVAL, RECV(0, 0x8 | IPCLAB_WAIT_NOWAIT, 0));
	EXPECT_ERRNO(EINVAL, RECV(0, 0x400 | IPCLAB_WAIT_NOWAIT, 0));
	EXPECT_ERRNO(EINVAL, RECV(0, IPCLAB_WAIT_TIMEOUT | IPCLAB_WAIT_ABSTIME, 1));
	EXPECT_ERRNO(EINVAL, RECV(0, 0, 1));
	/* Empty: EAGAIN (not ENOMSG), ETIMEDOUT. */
	EXPECT_ERRNO(EAGAIN, RECV(0, IPCLAB_WAIT_NOWAIT, 0));
	EXPECT_ERRNO(EAGAIN, RECV(5, IPCLAB_WAIT_NOWAIT | IPCLAB_MSG_NOERROR, 0));
	t0 = mono_ns();
	EXPECT_ERRNO(ETIMEDOUT, RECV(0, IPCLAB_WAIT_TIMEOUT, 200 * NSEC_PER_MSEC));
	EXPECT_LE(t0 + 200 * NSEC_PER_MSEC, mono_ns());
	EXPECT_GT(t0 + 10 * NSEC_PER_SEC, mono_ns());
	t0 = mono_ns();
	EXPECT_ERRNO(ETIMEDOUT, RECV(0, IPCLAB_WAIT_ABSTIME, t0 + 200 * NSEC_PER_MSEC));
	EXPECT_LE(t0 + 200 * NSEC_PER_MSEC, mono_ns());
	EXPECT_ERRNO(ETIMEDOUT, RECV(0, IPCLAB_WAIT_TIMEOUT, 0));
	/* No match is no match, even with messages of other types queued. */
	SEND_NOW(id, 2, 1, 10);
	EXPECT_ERRNO(EAGAIN, RECV(3, IPCLAB_WAIT_NOWAIT, 0));
	EXPECT_ERRNO(EAGAIN, RECV(2, IPCLAB_WAIT_NOWAIT | IPCLAB_MSG_EXCEPT, 0));
	EXPECT_ERRNO(EAGAIN, RECV(-1, IPCLAB_WAIT_NOWAIT, 0));
	EXPECT_ERRNO(ETIMEDOUT, RECV(3, IPCLAB_WAIT_TIMEOUT, 50 * NSEC_PER_MSEC));
	/* Wrong type of object, no object. */
	type = 0;
	size = sizeof(buf);
	EXPECT_ERRNO(EINVAL, mbox_recv_wait(self->fd, sem, &type, buf, &size,
					    IPCLAB_WAIT_NOWAIT, 0));
	ASSERT_OK(mbox_get(self->fd, IPCLAB_KEY_PRIVATE, IPCLAB_CREAT, 0600,
			   0, 0, 0, &gone));
	ASSERT_OK(ipclab_rmid(self->fd, gone));
	EXPECT_ERRNO(EINVAL, mbox_recv_wait(self->fd, gone, &type, buf, &size,
					    IPCLAB_WAIT_NOWAIT, 0));
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, IPCLAB_IOC_MBOX_RECV, (void *)8));
	check_mbox(id, 1, 10, 0);

	/* A bad buffer: EFAULT, and the message is lost (as msgrcv(2)). */
	{
		struct ipclab_msgrcv r = {
			.id = id, .flags = IPCLAB_WAIT_NOWAIT, .type = 0,
			.text = 8, .size = 100, .timeout = 0,
		};

		EXPECT_ERRNO(EFAULT, ioctl(self->fd, IPCLAB_IOC_MBOX_RECV, &r));
	}
	ASSERT_OK(ipclab_stat(self->fd, id, &st));
	EXPECT_EQ(0, st.mbox.msgs);
	EXPECT_EQ(0, st.mbox.bytes);
#undef RECV
}

/* ------------------------------------------------------------------ */
/* Type selection                                                     */
/* ------------------------------------------------------------------ */

/* (type, tag) of the queue every selection test starts from. */
static const __s64 sel_types[] = { 3, 1, 2, 1, 5, 3, 2 };
#define NSEL ARRAY_SIZE(sel_types)

#define FILL_SEL(id) do {						\
	unsigned int __i;						\
	for (__i = 0; __i < NSEL; __i++)				\
		SEND_NOW((id), sel_types[__i], __i, 8 + __i);		\
	check_mbox((id), NSEL, 8 * NSEL + NSEL * (NSEL - 1) / 2, 0);	\
} while (0)

/* Expect message i of the selection queue. */
#define EXPECT_SEL(id, sel, flags, i)					\
	EXPECT_RECV((id), (sel), (flags), sel_types[i], (i), 8 + (i))

TEST_F(mbox, select_oldest)
{
	__u32 id = NEW_MBOX(16, 64, 1024);
	unsigned int i;

	FILL_SEL(id);
	for (i = 0; i < NSEL; i++)
		EXPECT_SEL(id, 0, 0, i);
	EXPECT_RECV_NONE(id, 0, 0);
}

TEST_F(mbox, select_type)
{
	__u32 id = NEW_MBOX(16, 64, 1024);

	FILL_SEL(id);
	EXPECT_SEL(id, 1, 0, 1);
	EXPECT_SEL(id, 1, 0, 3);
	EXPECT_RECV_NONE(id, 1, 0);
	EXPECT_RECV_NONE(id, 4, 0);
	EXPECT_SEL(id, 3, 0, 0);
	EXPECT_SEL(id, 5, 0, 4);
	EXPECT_SEL(id, 3, 0, 5);
	EXPECT_RECV_NONE(id, 3, 0);
	/* What is left, oldest first. */
	EXPECT_SEL(id, 0, 0, 2);
	EXPECT_SEL(id, 0, 0, 6);
	check_mbox(id, 0, 0, 0);
}

TEST_F(mbox, select_except)
{
	__u32 id = NEW_MBOX(16, 64, 1024);

	FILL_SEL(id);
	/* Anything but 3: the oldest of the others. */
	EXPECT_SEL(id, 3, IPCLAB_MSG_EXCEPT, 1);
	EXPECT_SEL(id, 3, IPCLAB_MSG_EXCEPT, 2);
	EXPECT_SEL(id, 1, IPCLAB_MSG_EXCEPT, 0);
	EXPECT_SEL(id, 3, IPCLAB_MSG_EXCEPT, 3);
	EXPECT_SEL(id, 3, IPCLAB_MSG_EXCEPT, 4);
	EXPECT_SEL(id, 3, IPCLAB_MSG_EXCEPT, 6);
	/* Only a type 3 is left. */
	EXPECT_RECV_NONE(id, 3, IPCLAB_MSG_EXCEPT);
	/* A type that is not there excludes nothing. */
	EXPECT_SEL(id, 99, IPCLAB_MSG_EXCEPT, 5);
	check_mbox(id, 0, 0, 0);
}

TEST_F(mbox, select_lowest)
{
	__u32 id = NEW_MBOX(16, 64, 1024);

	FILL_SEL(id);
	/* Lowest type <= 2: both 1s, oldest first, then both 2s. */
	EXPECT_SEL(id, -2, 0, 1);
	EXPECT_SEL(id, -2, 0, 3);
	EXPECT_SEL(id, -2, 0, 2);
	EXPECT_SEL(id, -2, 0, 6);
	EXPECT_RECV_NONE(id, -2, 0);
	EXPECT_RECV_NONE(id, -1, 0);
	/* <= 4: the 3s; <= 4 then finds nothing; <= 5 the 5. */
	EXPECT_SEL(id, -4, 0, 0);
	EXPECT_SEL(id, -4, 0, 5);
	EXPECT_RECV_NONE(id, -4, 0);
	EXPECT_SEL(id, -5, 0, 4);
	check_mbox(id, 0, 0, 0);

	/* The most negative selector takes the lowest type of all. */
	FILL_SEL(id);
	SEND_NOW(id, LLONG_MAX, 100, 4);
	EXPECT_SEL(id, LLONG_MIN, 0, 1);
	EXPECT_SEL(id, -LLONG_MAX, 0, 3);
	EXPECT_SEL(id, LLONG_MIN, 0, 2);
	EXPECT_SEL(id, LLONG_MIN, 0, 6);
	EXPECT_SEL(id, LLONG_MIN, 0, 0);
	EXPECT_SEL(id, LLONG_MIN, 0, 5);
	EXPECT_SEL(id, LLONG_MIN, 0, 4);
	EXPECT_RECV(id, LLONG_MIN, 0, LLONG_MAX, 100, 4);
}

/* ------------------------------------------------------------------ */
/* Truncation                                                         */
/* ------------------------------------------------------------------ */

TEST_F(mbox, e2big_and_noerror)
{
	__u32 id = NEW_MBOX(4, 200, 800);
	unsigned char buf[200];
	__u64 size;
	__s64 type;

	SEND_NOW(id, 4, 77, 150);
	SEND_NOW(id, 5, 78, 20);

	/* Too big for the buffer: E2BIG and the message stays first. */
	type = 0;
	size = 149;
	EXPECT_ERRNO(E2BIG, mbox_recv_wait(self->fd, id, &type, buf, &size,
					   IPCLAB_WAIT_NOWAIT, 0));
	EXPECT_EQ(0xcc, buf[0]);
	type = 4;
	size = 0;
	EXPECT_ERRNO(E2BIG, mbox_recv_wait(self->fd, id, &type, buf, &size, 0, 0));
	check_mbox(id, 2, 170, 0);

	/* With NOERROR: truncated to the buffer, nothing written past it. */
	type = 0;
	size = 10;
	ASSERT_OK(mbox_recv_wait(self->fd, id, &type, buf, &size,
				 IPCLAB_MSG_NOERROR | IPCLAB_WAIT_NOWAIT, 0));
	EXPECT_EQ(4, type);
	EXPECT_EQ(10, size);
	EXPECT_TRUE(text_ok(buf, 10, 77));
	EXPECT_EQ(0xcc, buf[10]);
	/* The whole message was consumed. */
	check_mbox(id, 1, 20, 0);

	/* NOERROR with a buffer big enough is an ordinary receive. */
	EXPECT_RECV(id, 0, IPCLAB_MSG_NOERROR, 5, 78, 20);

	/* NOERROR with a zero-sized buffer. */
	SEND_NOW(id, 6, 79, 30);
	type = 0;
	size = 0;
	ASSERT_OK(mbox_recv_wait(self->fd, id, &type, NULL, &size,
				 IPCLAB_MSG_NOERROR | IPCLAB_WAIT_NOWAIT, 0));
	EXPECT_EQ(6, type);
	EXPECT_EQ(0, size);
	check_mbox(id, 0, 0, 0);
}

/*
 * A waiting receiver whose buffer is too small gets E2BIG when a message
 * for it arrives, and the message goes to the next matching receiver.
 */
TEST_F(mbox, e2big_waiting_receivers)
{
	__u32 id = NEW_MBOX(4, 200, 800);
	struct rrec rec, two[2];
	pid_t a, b, c;
	int p[2];

	ASSERT_OK(pipe(p));
	a = spawn_recv(&self->cl, self->fd, id, 0, 16, 0, 0, 0, p[1]);
	ASSERT_LT(0, a);
	ASSERT_TRUE(wait_queued(self->fd, id, 1, a));
	b = spawn_recv(&self->cl, self->fd, id, 0, 16, IPCLAB_MSG_NOERROR, 0, 1, p[1]);
	ASSERT_LT(0, b);
	ASSERT_TRUE(wait_queued(self->fd, id, 2, b));
	c = spawn_recv(&self->cl, self->fd, id, 0, 200, 0, 0, 2, p[1]);
	ASSERT_LT(0, c);
	ASSERT_TRUE(wait_queued(self->fd, id, 3, c));

	/* a is too small: E2BIG; b truncates and takes it. */
	SEND_NOW(id, 1, 500, 100);
	EXPECT_KID(E2BIG, a, IPCLAB_SETTLE_MS);
	EXPECT_KID(0, b, IPCLAB_SETTLE_MS);
	/* Both were woken: their reports come in either order. */
	ASSERT_TRUE(read_rec(p[0], &two[0], IPCLAB_SETTLE_MS));
	ASSERT_TRUE(read_rec(p[0], &two[1], IPCLAB_SETTLE_MS));
	if (two[0].idx == 1) {
		rec = two[0];
		two[0] = two[1];
		two[1] = rec;
	}
	EXPECT_EQ(0, two[0].idx);
	EXPECT_EQ(E2BIG, two[0].err);
	EXPECT_EQ(1, two[1].idx);
	EXPECT_EQ(0, two[1].err);
	EXPECT_EQ(1, two[1].type);
	EXPECT_EQ(16, two[1].size);
	EXPECT_EQ(500, two[1].tag);
	EXPECT_TRUE(two[1].text_ok);
	EXPECT_TRUE(still_blocked(c, IPCLAB_BLOCKED_MS));
	check_mbox(id, 0, 0, 1);

	/* c takes the next one whole. */
	SEND_NOW(id, 1, 501, 150);
	EXPECT_KID(0, c, IPCLAB_SETTLE_MS);
	ASSERT_TRUE(read_rec(p[0], &rec, IPCLAB_SETTLE_MS));
	EXPECT_EQ(2, rec.idx);
	EXPECT_EQ(150, rec.size);
	EXPECT_EQ(501, rec.tag);
	EXPECT_TRUE(rec.text_ok);

	/* A lone small receiver: E2BIG, and the message is queued. */
	a = spawn_recv(&self->cl, self->fd, id, 0, 16, 0, 0, 3, p[1]);
	ASSERT_LT(0, a);
	ASSERT_TRUE(wait_queued(self->fd, id, 1, a));
	SEND_NOW(id, 2, 502, 17);
	EXPECT_KID(E2BIG, a, IPCLAB_SETTLE_MS);
	check_mbox(id, 1, 17, 0);
	EXPECT_RECV(id, 0, 0, 2, 502, 17);
	close(p[0]);
	close(p[1]);
}

/* ------------------------------------------------------------------ */
/* Lifetime of messages                                               */
/* ------------------------------------------------------------------ */

TEST_F(mbox, messages_outlive_sender)
{
	__u32 id = NEW_MBOX(8, 100, 800);
	struct ipclab_stat st;
	pid_t pid;

	pid = kids_fork(&self->cl);
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd = open(IPCLAB_DEVICE, O_RDWR | O_CLOEXEC);

		/* Its own session, closed by its exit. */
		if (fd < 0)
			_exit(CHILD_BROKEN);
		close(self->fd);
		CHILD_CHECK(send_tag(fd, id, 1, 10, 10, 0, 0), 0);
		CHILD_CHECK(send_tag(fd, id, 2, 11, 20, 0, 0), 0);
		CHILD_CHECK(send_tag(fd, id, 1, 12, 30, 0, 0), 0);
		_exit(0);
	}
	ASSERT_KID(0, pid, IPCLAB_SETTLE_MS);

	ASSERT_OK(ipclab_stat(self->fd, id, &st));
	EXPECT_EQ(3, st.mbox.msgs);
	EXPECT_EQ(60, st.mbox.bytes);
	EXPECT_EQ(pid, st.mbox.lspid);
	EXPECT_EQ(pid, st.perm.lpid);
	EXPECT_EQ(3, st.mbox.sent);
	usleep(100 * 1000);
	EXPECT_RECV(id, 0, 0, 1, 10, 10);
	EXPECT_RECV(id, 0, 0, 2, 11, 20);
	EXPECT_RECV(id, 0, 0, 1, 12, 30);
	check_mbox(id, 0, 0, 0);
}

/* ------------------------------------------------------------------ */
/* Blocking and waking                                                */
/* ------------------------------------------------------------------ */

TEST_F(mbox, send_blocks_when_full)
{
	__u32 id = NEW_MBOX(2, 100, 200);
	struct snap s;
	pid_t pid;

	SEND_NOW(id, 1, 1, 10);
	SEND_NOW(id, 1, 2, 10);
	pid = spawn_send(&self->cl, self->fd, id, 9, 3, 50, 0, 0, 0, -1);
	ASSERT_LT(0, pid);
	ASSERT_TRUE(wait_queued(self->fd, id, 1, pid));
	EXPECT_TRUE(still_blocked(pid, IPCLAB_BLOCKED_MS));

	ASSERT_OK(ipclab_snap(self->fd, id, &s));
	ASSERT_EQ(1, s.st.waiters_len);
	EXPECT_EQ(IPCLAB_WAITER_SEND, s.waiters[0].kind);
	EXPECT_EQ(pid, s.waiters[0].pid);
	EXPECT_EQ(pid, s.waiters[0].tid);
	EXPECT_STREQ("mbs0", s.waiters[0].comm);
	EXPECT_EQ(9, s.waiters[0].msgtype);
	EXPECT_EQ(50, s.waiters[0].msgsize);
	EXPECT_EQ(0, s.waiters[0].flags);
	EXPECT_EQ(0, s.waiters[0].first_op);
	EXPECT_EQ(0, s.waiters[0].nops);
	EXPECT_LT(0, s.waiters[0].ticket);
	EXPECT_LE(IPCLAB_BLOCKED_MS * NSEC_PER_MSEC, s.waiters[0].waited_ns);
	EXPECT_EQ(2, s.st.mbox.msgs);
	EXPECT_EQ(2, s.st.mbox.sent);

	/* One receive makes room: the sender's message goes in, last. */
	EXPECT_RECV(id, 0, 0, 1, 1, 10);
	EXPECT_KID(0, pid, IPCLAB_SETTLE_MS);
	check_mbox(id, 2, 60, 0);
	ASSERT_OK(ipclab_snap(self->fd, id, &s));
	EXPECT_EQ(pid, s.st.mbox.lspid);
	EXPECT_EQ(3, s.st.mbox.sent);
	EXPECT_RECV(id, 0, 0, 1, 2, 10);
	EXPECT_RECV(id, 0, 0, 9, 3, 50);
}

/* Full by bytes, with room for more messages. */
TEST_F(mbox, send_blocks_when_bytes_full)
{
	__u32 id = NEW_MBOX(10, 100, 100);
	pid_t pid;

	SEND_NOW(id, 1, 1, 60);
	EXPECT_ERRNO(EAGAIN, send_tag(self->fd, id, 1, 2, 41, IPCLAB_WAIT_NOWAIT, 0));
	pid = spawn_send(&self->cl, self->fd, id, 1, 2, 60, 0, 0, 0, -1);
	ASSERT_LT(0, pid);
	ASSERT_TRUE(wait_queued(self->fd, id, 1, pid));
	EXPECT_TRUE(still_blocked(pid, IPCLAB_BLOCKED_MS));
	check_mbox(id, 1, 60, 1);

	EXPECT_RECV(id, 0, 0, 1, 1, 60);
	EXPECT_KID(0, pid, IPCLAB_SETTLE_MS);
	check_mbox(id, 1, 60, 0);
	EXPECT_RECV(id, 0, 0, 1, 2, 60);
}

TEST_F(mbox, recv_blocks_when_empty)
{
	__u32 id = NEW_MBOX(4, 100, 400);
	struct rrec rec;
	struct snap s;
	pid_t pid;
	int p[2];

	ASSERT_OK(pipe(p));
	pid = spawn_recv(&self->cl, self->fd, id, 7, 60, IPCLAB_MSG_NOERROR, 0, 0, p[1]);
	ASSERT_LT(0, pid);
	ASSERT_TRUE(wait_queued(self->fd, id, 1, pid));
	EXPECT_TRUE(still_blocked(pid, IPCLAB_BLOCKED_MS));

	ASSERT_OK(ipclab_snap(self->fd, id, &s));
	ASSERT_EQ(1, s.st.waiters_len);
	EXPECT_EQ(IPCLAB_WAITER_RECV, s.waiters[0].kind);
	EXPECT_EQ(pid, s.waiters[0].pid);
	EXPECT_EQ(pid, s.waiters[0].tid);
	EXPECT_STREQ("mbr0", s.waiters[0].comm);
	EXPECT_EQ(7, s.waiters[0].msgtype);
	EXPECT_EQ(60, s.waiters[0].msgsize);
	EXPECT_EQ(IPCLAB_MSG_NOERROR, s.waiters[0].flags);
	EXPECT_LE(IPCLAB_BLOCKED_MS * NSEC_PER_MSEC, s.waiters[0].waited_ns);

	/* Messages of other types do not wake it; they are queued. */
	SEND_NOW(id, 6, 1, 10);
	SEND_NOW(id, 8, 2, 10);
	EXPECT_TRUE(still_blocked(pid, IPCLAB_BLOCKED_MS));
	check_mbox(id, 2, 20, 1);

	/* Its type wakes it, with the message handed over directly. */
	SEND_NOW(id, 7, 3, 40);
	EXPECT_KID(0, pid, IPCLAB_SETTLE_MS);
	ASSERT_TRUE(read_rec(p[0], &rec, IPCLAB_SETTLE_MS));
	EXPECT_EQ(0, rec.err);
	EXPECT_EQ(7, rec.type);
	EXPECT_EQ(40, rec.size);
	EXPECT_EQ(3, rec.tag);
	EXPECT_TRUE(rec.text_ok);
	check_mbox(id, 2, 20, 0);
	ASSERT_OK(ipclab_snap(self->fd, id, &s));
	EXPECT_EQ(pid, s.st.mbox.lrpid);
	EXPECT_EQ(1, s.st.mbox.received);
	EXPECT_EQ(3, s.st.mbox.sent);
	close(p[0]);
	close(p[1]);
}

/*
 * Handoff needs no room: with the mailbox full and a sender waiting, a
 * message for a waiting receiver goes straight to it.
 */
TEST_F(mbox, handoff_bypasses_full_mailbox)
{
	__u32 id = NEW_MBOX(1, 100, 100);
	pid_t snd, rcv;
	struct rrec rec;
	struct snap s;
	int p[2];

	ASSERT_OK(pipe(p));
	SEND_NOW(id, 1, 1, 10);
	snd = spawn_send(&self->cl, self->fd, id, 1, 2, 10, 0, 0, 0, -1);
	ASSERT_LT(0, snd);
	ASSERT_TRUE(wait_queued(self->fd, id, 1, snd));
	rcv = spawn_recv(&self->cl, self->fd, id, 7, 100, 0, 0, 0, p[1]);
	ASSERT_LT(0, rcv);
	ASSERT_TRUE(wait_queued(self->fd, id, 2, rcv));

	/* Senders' room first, then receivers'. */
	ASSERT_OK(ipclab_snap(self->fd, id, &s));
	ASSERT_EQ(2, s.st.waiters_len);
	EXPECT_EQ(IPCLAB_WAITER_SEND, s.waiters[0].kind);
	EXPECT_EQ(snd, s.waiters[0].pid);
	EXPECT_EQ(IPCLAB_WAITER_RECV, s.waiters[1].kind);
	EXPECT_EQ(rcv, s.waiters[1].pid);

	/* Even NOWAIT succeeds: nothing has to wait. */
	SEND_NOW(id, 7, 3, 20);
	EXPECT_KID(0, rcv, IPCLAB_SETTLE_MS);
	ASSERT_TRUE(read_rec(p[0], &rec, IPCLAB_SETTLE_MS));
	EXPECT_EQ(7, rec.type);
	EXPECT_EQ(3, rec.tag);
	EXPECT_TRUE(rec.text_ok);
	/* The sender still waits, the mailbox is as full as before. */
	EXPECT_TRUE(still_blocked(snd, IPCLAB_BLOCKED_MS));
	check_mbox(id, 1, 10, 1);
	/* And a message nobody waits for still may not overtake it. */
	EXPECT_ERRNO(EAGAIN, send_tag(self->fd, id, 8, 4, 0, IPCLAB_WAIT_NOWAIT, 0));

	EXPECT_RECV(id, 0, 0, 1, 1, 10);
	EXPECT_KID(0, snd, IPCLAB_SETTLE_MS);
	EXPECT_RECV(id, 0, 0, 1, 2, 10);
	close(p[0]);
	close(p[1]);
}

/*
 * A receiver that comes while a sender of its type waits for room waits
 * too (it looks at the queue only, as msgrcv(2) does); once room is made
 * the sender's message goes straight to it, not into the queue.
 */
TEST_F(mbox, admitted_sender_hands_to_receiver)
{
	__u32 id = NEW_MBOX(1, 100, 100);
	struct rrec rec;
	struct ipclab_stat st;
	pid_t snd, rcv;
	int p[2];

	ASSERT_OK(pipe(p));
	SEND_NOW(id, 1, 1, 10);
	snd = spawn_send(&self->cl, self->fd, id, 5, 2, 30, 0, 0, 0, -1);
	ASSERT_LT(0, snd);
	ASSERT_TRUE(wait_queued(self->fd, id, 1, snd));
	rcv = spawn_recv(&self->cl, self->fd, id, 5, 100, 0, 0, 0, p[1]);
	ASSERT_LT(0, rcv);
	ASSERT_TRUE(wait_queued(self->fd, id, 2, rcv));
	EXPECT_TRUE(still_blocked(rcv, IPCLAB_BLOCKED_MS));

	EXPECT_RECV(id, 1, 0, 1, 1, 10);
	EXPECT_KID(0, snd, IPCLAB_SETTLE_MS);
	EXPECT_KID(0, rcv, IPCLAB_SETTLE_MS);
	ASSERT_TRUE(read_rec(p[0], &rec, IPCLAB_SETTLE_MS));
	EXPECT_EQ(5, rec.type);
	EXPECT_EQ(2, rec.tag);
	EXPECT_EQ(30, rec.size);
	EXPECT_TRUE(rec.text_ok);
	ASSERT_OK(ipclab_stat(self->fd, id, &st));
	EXPECT_EQ(0, st.mbox.msgs);
	EXPECT_EQ(0, st.nwaiters);
	EXPECT_EQ(2, st.mbox.sent);
	EXPECT_EQ(2, st.mbox.received);
	EXPECT_EQ(snd, st.mbox.lspid);
	EXPECT_EQ(rcv, st.mbox.lrpid);
	close(p[0]);
	close(p[1]);
}

/* A timeout only matters when the call has to wait. */
TEST_F(mbox, timeout_only_when_waiting)
{
	__u32 id = NEW_MBOX(2, 100, 200);
	unsigned char buf[16];
	__u64 size;
	__s64 type;

	/* Room: a zero timeout or a past deadline do not stop a send. */
	ASSERT_OK(send_tag(self->fd, id, 1, 1, 10, IPCLAB_WAIT_TIMEOUT, 0));
	ASSERT_OK(send_tag(self->fd, id, 1, 2, 10, IPCLAB_WAIT_ABSTIME, 1));
	EXPECT_ERRNO(ETIMEDOUT, send_tag(self->fd, id, 1, 3, 10, IPCLAB_WAIT_ABSTIME, 1));
	/* A message: nor a receive. */
	type = 0;
	size = sizeof(buf);
	ASSERT_OK(mbox_recv_wait(self->fd, id, &type, buf, &size, IPCLAB_WAIT_TIMEOUT, 0));
	EXPECT_EQ(10, size);
	EXPECT_EQ(1, text_tag(buf));
	type = 0;
	size = sizeof(buf);
	ASSERT_OK(mbox_recv_wait(self->fd, id, &type, buf, &size, IPCLAB_WAIT_ABSTIME, 1));
	EXPECT_EQ(10, size);
	EXPECT_EQ(2, text_tag(buf));
	type = 0;
	size = sizeof(buf);
	EXPECT_ERRNO(ETIMEDOUT, mbox_recv_wait(self->fd, id, &type, buf, &size,
					       IPCLAB_WAIT_TIMEOUT, 0));
	check_mbox(id, 0, 0, 0);
}

/* ------------------------------------------------------------------ */
/* FIFO waiting rooms                                                 */
/* ------------------------------------------------------------------ */

TEST_F_TIMEOUT(mbox, fifo_senders, 120)
{
	const int n = 6;
	__u32 id = NEW_MBOX(1, 100, 100);
	pid_t pid[6];
	struct snap s;
	int i, p[2];

	ASSERT_OK(pipe(p));
	SEND_NOW(id, 1, 100, 10);
	for (i = 0; i < n; i++) {
		/* Different types and sizes, so STAT shows who is who. */
		pid[i] = spawn_send(&self->cl, self->fd, id, 10 + i, i, 10 + i,
				    0, 0, i, p[1]);
		ASSERT_LT(0, pid[i]);
		ASSERT_TRUE(wait_queued(self->fd, id, i + 1, pid[i]))
			TH_LOG("sender %d never queued", i);
	}

	ASSERT_OK(ipclab_snap(self->fd, id, &s));
	ASSERT_EQ(n, s.st.waiters_len);
	for (i = 0; i < n; i++) {
		char comm[16];

		snprintf(comm, sizeof(comm), "mbs%d", i);
		EXPECT_EQ(IPCLAB_WAITER_SEND, s.waiters[i].kind) TH_LOG("waiter %d", i);
		EXPECT_EQ(pid[i], s.waiters[i].pid) TH_LOG("waiter %d", i);
		EXPECT_STREQ(comm, s.waiters[i].comm);
		EXPECT_EQ(10 + i, s.waiters[i].msgtype);
		EXPECT_EQ(10 + i, s.waiters[i].msgsize);
		if (i > 0) {
			EXPECT_LT(s.waiters[i - 1].ticket, s.waiters[i].ticket);
			EXPECT_GE(s.waiters[i - 1].waited_ns, s.waiters[i].waited_ns);
		}
	}
	for (i = 0; i < n; i++)
		EXPECT_TRUE(kid_running(pid[i])) TH_LOG("sender %d", i);

	/* Each receive lets exactly the next sender in. */
	EXPECT_RECV(id, 0, 0, 1, 100, 10);
	for (i = 0; i < n; i++) {
		EXPECT_EQ(i, get_byte(p[0], IPCLAB_SETTLE_MS))
			TH_LOG("the %d-th sender let in was the wrong one", i);
		EXPECT_KID(0, pid[i], IPCLAB_SETTLE_MS);
		check_mbox(id, 1, 10 + i, n - 1 - i);
		EXPECT_RECV(id, 0, 0, 10 + i, i, 10 + i);
	}
	check_mbox(id, 0, 0, 0);
	close(p[0]);
	close(p[1]);
}

/* A later sender waits behind an earlier one even if its message fits. */
TEST_F(mbox, fifo_no_overtaking)
{
	__u32 id = NEW_MBOX(10, 100, 100);
	pid_t a, b;
	int p[2];

	ASSERT_OK(pipe(p));
	SEND_NOW(id, 1, 1, 60);
	a = spawn_send(&self->cl, self->fd, id, 2, 2, 60, 0, 0, 0, p[1]);
	ASSERT_LT(0, a);
	ASSERT_TRUE(wait_queued(self->fd, id, 1, a));

	/* 10 bytes would fit, but a sender waits. */
	EXPECT_ERRNO(EAGAIN, send_tag(self->fd, id, 3, 3, 10, IPCLAB_WAIT_NOWAIT, 0));
	EXPECT_ERRNO(EAGAIN, send_tag(self->fd, id, 3, 3, 0, IPCLAB_WAIT_NOWAIT, 0));
	b = spawn_send(&self->cl, self->fd, id, 3, 3, 10, 0, 0, 1, p[1]);
	ASSERT_LT(0, b);
	ASSERT_TRUE(wait_queued(self->fd, id, 2, b));
	EXPECT_TRUE(still_blocked(b, IPCLAB_BLOCKED_MS));
	EXPECT_TRUE(kid_running(a));
	check_mbox(id, 1, 60, 2);

	/*
	 * One receive lets both in (70 bytes), a first: the queue order
	 * shows it (their reports may come in either order).
	 */
	EXPECT_RECV(id, 0, 0, 1, 1, 60);
	EXPECT_EQ(1, get_byte(p[0], IPCLAB_SETTLE_MS) + get_byte(p[0], IPCLAB_SETTLE_MS));
	EXPECT_KID(0, a, IPCLAB_SETTLE_MS);
	EXPECT_KID(0, b, IPCLAB_SETTLE_MS);
	check_mbox(id, 2, 70, 0);
	EXPECT_RECV(id, 0, 0, 2, 2, 60);
	EXPECT_RECV(id, 0, 0, 3, 3, 10);
	close(p[0]);
	close(p[1]);
}

TEST_F_TIMEOUT(mbox, fifo_receivers, 120)
{
	const int n = 6;
	__u32 id = NEW_MBOX(4, 200, 800);
	struct rrec rec;
	pid_t pid[6];
	struct snap s;
	int i, p[2];

	ASSERT_OK(pipe(p));
	for (i = 0; i < n; i++) {
		pid[i] = spawn_recv(&self->cl, self->fd, id, 0, 100 + i,
				    i % 2 ? IPCLAB_MSG_NOERROR : 0, 0, i, p[1]);
		ASSERT_LT(0, pid[i]);
		ASSERT_TRUE(wait_queued(self->fd, id, i + 1, pid[i]))
			TH_LOG("receiver %d never queued", i);
	}

	ASSERT_OK(ipclab_snap(self->fd, id, &s));
	ASSERT_EQ(n, s.st.waiters_len);
	for (i = 0; i < n; i++) {
		char comm[16];

		snprintf(comm, sizeof(comm), "mbr%d", i);
		EXPECT_EQ(IPCLAB_WAITER_RECV, s.waiters[i].kind) TH_LOG("waiter %d", i);
		EXPECT_EQ(pid[i], s.waiters[i].pid) TH_LOG("waiter %d", i);
		EXPECT_STREQ(comm, s.waiters[i].comm);
		EXPECT_EQ(0, s.waiters[i].msgtype);
		EXPECT_EQ(100 + i, s.waiters[i].msgsize);
		EXPECT_EQ(i % 2 ? IPCLAB_MSG_NOERROR : 0, s.waiters[i].flags);
		if (i > 0) {
			EXPECT_LT(s.waiters[i - 1].ticket, s.waiters[i].ticket);
			EXPECT_GE(s.waiters[i - 1].waited_ns, s.waiters[i].waited_ns);
		}
	}

	/* Each message goes to the receiver that came first. */
	for (i = 0; i < n; i++) {
		SEND_NOW(id, 1 + i, 1000 + i, 20 + i);
		ASSERT_TRUE(read_rec(p[0], &rec, IPCLAB_SETTLE_MS))
			TH_LOG("nobody got message %d", i);
		EXPECT_EQ(i, rec.idx) TH_LOG("message %d went to the wrong one", i);
		EXPECT_EQ(0, rec.err);
		EXPECT_EQ(1 + i, rec.type);
		EXPECT_EQ(1000 + i, rec.tag);
		EXPECT_EQ(20 + i, rec.size);
		EXPECT_TRUE(rec.text_ok);
		EXPECT_KID(0, pid[rec.idx], IPCLAB_SETTLE_MS);
		check_mbox(id, 0, 0, n - 1 - i);
	}
	close(p[0]);
	close(p[1]);
}

/* A message goes to the first waiting receiver that it matches. */
TEST_F_TIMEOUT(mbox, handoff_first_matching, 60)
{
	/* Selectors and flags of the receivers, in arrival order. */
	static const struct { __s64 sel; __u32 flags; } r[] = {
		{ 2, 0 },			/* 0: type 2 */
		{ -1, 0 },			/* 1: type 1 */
		{ 2, IPCLAB_MSG_EXCEPT },	/* 2: anything but 2 */
		{ 0, 0 },			/* 3: anything */
		{ 2, 0 },			/* 4: type 2 */
	};
	const int n = ARRAY_SIZE(r);
	__u32 id = NEW_MBOX(4, 100, 400);
	struct rrec rec;
	pid_t pid[5];
	int i, p[2];

	ASSERT_OK(pipe(p));
	for (i = 0; i < n; i++) {
		pid[i] = spawn_recv(&self->cl, self->fd, id, r[i].sel, 100,
				    r[i].flags, 0, i, p[1]);
		ASSERT_LT(0, pid[i]);
		ASSERT_TRUE(wait_queued(self->fd, id, i + 1, pid[i]));
	}

#define EXPECT_TAKER(t, g, who) do {					\
	SEND_NOW(id, (t), (g), 8);					\
	ASSERT_TRUE(read_rec(p[0], &rec, IPCLAB_SETTLE_MS));		\
	EXPECT_EQ((who), rec.idx) TH_LOG("type %d", (t));		\
	EXPECT_EQ((t), rec.type);					\
	EXPECT_EQ((g), rec.tag);					\
	EXPECT_KID(0, pid[who], IPCLAB_SETTLE_MS);			\
} while (0)
	EXPECT_TAKER(3, 30, 2);		/* 0 and 1 do not match 3 */
	EXPECT_TAKER(2, 20, 0);
	EXPECT_TAKER(3, 31, 3);
	EXPECT_TAKER(1, 10, 1);
	EXPECT_TAKER(2, 21, 4);
#undef EXPECT_TAKER
	check_mbox(id, 0, 0, 0);
	close(p[0]);
	close(p[1]);
}

/* ------------------------------------------------------------------ */
/* Leaving a waiting room: signals, timeouts, death                    */
/* ------------------------------------------------------------------ */

TEST_F(mbox, signal_eintr)
{
	__u32 id = NEW_MBOX(1, 100, 100);
	struct ipclab_stat st;
	pid_t snd, rcv;

	/* A sender waiting on a full mailbox. */
	SEND_NOW(id, 1, 1, 10);
	snd = spawn_send_sig(&self->cl, self->fd, id, 1, 2, 10);
	ASSERT_LT(0, snd);
	ASSERT_TRUE(wait_queued(self->fd, id, 1, snd));
	/* A receiver waiting for a type that is not there. */
	rcv = spawn_recv_sig(&self->cl, self->fd, id, 5);
	ASSERT_LT(0, rcv);
	ASSERT_TRUE(wait_queued(self->fd, id, 2, rcv));

	/* SA_RESTART or not, the wait ends with EINTR. */
	kill(snd, SIGUSR1);
	EXPECT_KID(EINTR, snd, IPCLAB_SETTLE_MS);
	kill(rcv, SIGUSR1);
	EXPECT_KID(EINTR, rcv, IPCLAB_SETTLE_MS);

	/* Nothing was done. */
	ASSERT_OK(ipclab_stat(self->fd, id, &st));
	EXPECT_EQ(1, st.mbox.msgs);
	EXPECT_EQ(10, st.mbox.bytes);
	EXPECT_EQ(1, st.mbox.sent);
	EXPECT_EQ(0, st.mbox.received);
	EXPECT_EQ(0, st.nwaiters);
	EXPECT_RECV(id, 0, 0, 1, 1, 10);
	EXPECT_RECV_NONE(id, 0, 0);
}

/*
 * When the first waiting sender leaves (signal, timeout, death), the
 * senders behind it that fit go in at once.
 */
TEST_F(mbox, leaving_sender_lets_next_in)
{
	__u32 id = NEW_MBOX(10, 100, 100);
	pid_t a, b;

	SEND_NOW(id, 1, 1, 60);

	/* The head is interrupted. */
	a = spawn_send_sig(&self->cl, self->fd, id, 2, 2, 60);
	ASSERT_LT(0, a);
	ASSERT_TRUE(wait_queued(self->fd, id, 1, a));
	b = spawn_send(&self->cl, self->fd, id, 3, 3, 10, 0, 0, 1, -1);
	ASSERT_LT(0, b);
	ASSERT_TRUE(wait_queued(self->fd, id, 2, b));
	EXPECT_TRUE(still_blocked(b, IPCLAB_BLOCKED_MS));
	kill(a, SIGUSR1);
	EXPECT_KID(EINTR, a, IPCLAB_SETTLE_MS);
	EXPECT_KID(0, b, IPCLAB_SETTLE_MS);
	check_mbox(id, 2, 70, 0);
	EXPECT_RECV(id, 3, 0, 3, 3, 10);

	/* The head times out. */
	a = spawn_send(&self->cl, self->fd, id, 2, 4, 60, IPCLAB_WAIT_TIMEOUT,
		       2 * NSEC_PER_SEC, 0, -1);
	ASSERT_LT(0, a);
	ASSERT_TRUE(wait_queued(self->fd, id, 1, a));
	b = spawn_send(&self->cl, self->fd, id, 3, 5, 10, 0, 0, 1, -1);
	ASSERT_LT(0, b);
	ASSERT_TRUE(wait_queued(self->fd, id, 2, b));
	EXPECT_KID(ETIMEDOUT, a, IPCLAB_SETTLE_MS);
	EXPECT_KID(0, b, IPCLAB_SETTLE_MS);
	check_mbox(id, 2, 70, 0);
	EXPECT_RECV(id, 3, 0, 3, 5, 10);

	/* The head is killed. */
	a = spawn_send(&self->cl, self->fd, id, 2, 6, 60, 0, 0, 0, -1);
	ASSERT_LT(0, a);
	ASSERT_TRUE(wait_queued(self->fd, id, 1, a));
	b = spawn_send(&self->cl, self->fd, id, 3, 7, 10, 0, 0, 1, -1);
	ASSERT_LT(0, b);
	ASSERT_TRUE(wait_queued(self->fd, id, 2, b));
	EXPECT_EQ(KID_SIGNALED(SIGKILL), kids_kill(&self->cl, a, SIGKILL));
	EXPECT_KID(0, b, IPCLAB_SETTLE_MS);
	check_mbox(id, 2, 70, 0);
	EXPECT_RECV(id, 0, 0, 1, 1, 60);
	EXPECT_RECV(id, 0, 0, 3, 7, 10);
	check_mbox(id, 0, 0, 0);
}

/* A receiver that timed out or died is skipped by the next message. */
TEST_F(mbox, leaving_receiver_is_skipped)
{
	__u32 id = NEW_MBOX(4, 100, 400);
	struct rrec rec;
	pid_t a, b, c;
	int p[2];

	ASSERT_OK(pipe(p));
	a = spawn_recv(&self->cl, self->fd, id, 0, 100, IPCLAB_WAIT_TIMEOUT,
		       2 * NSEC_PER_SEC, 0, p[1]);
	ASSERT_LT(0, a);
	ASSERT_TRUE(wait_queued(self->fd, id, 1, a));
	b = spawn_recv(&self->cl, self->fd, id, 0, 100, 0, 0, 1, -1);
	ASSERT_LT(0, b);
	ASSERT_TRUE(wait_queued(self->fd, id, 2, b));
	c = spawn_recv(&self->cl, self->fd, id, 0, 100, 0, 0, 2, p[1]);
	ASSERT_LT(0, c);
	ASSERT_TRUE(wait_queued(self->fd, id, 3, c));

	EXPECT_KID(ETIMEDOUT, a, IPCLAB_SETTLE_MS);
	ASSERT_TRUE(read_rec(p[0], &rec, IPCLAB_SETTLE_MS));
	EXPECT_EQ(ETIMEDOUT, rec.err);
	EXPECT_EQ(KID_SIGNALED(SIGKILL), kids_kill(&self->cl, b, SIGKILL));
	ASSERT_TRUE(wait_for_waiters(self->fd, id, 1));

	SEND_NOW(id, 1, 9, 10);
	EXPECT_KID(0, c, IPCLAB_SETTLE_MS);
	ASSERT_TRUE(read_rec(p[0], &rec, IPCLAB_SETTLE_MS));
	EXPECT_EQ(2, rec.idx);
	EXPECT_EQ(9, rec.tag);
	check_mbox(id, 0, 0, 0);
	close(p[0]);
	close(p[1]);
}

/* ------------------------------------------------------------------ */
/* Removal                                                            */
/* ------------------------------------------------------------------ */

TEST_F_TIMEOUT(mbox, rmid_wakes_both_rooms, 60)
{
	__u32 id = NEW_MBOX(1, 100, 100);
	pid_t s0, s1, r0, r1, poller;
	unsigned char buf[8];
	__u64 size = sizeof(buf);
	__s64 type = 0;
	struct snap s;
	int ofd, i, ev, p[2];

	ASSERT_OK(pipe(p));
	SEND_NOW(id, 1, 1, 10);
	s0 = spawn_send(&self->cl, self->fd, id, 4, 2, 20, 0, 0, 0, -1);
	ASSERT_LT(0, s0);
	ASSERT_TRUE(wait_queued(self->fd, id, 1, s0));
	s1 = spawn_send(&self->cl, self->fd, id, 5, 3, 30, IPCLAB_WAIT_TIMEOUT,
			60 * NSEC_PER_SEC, 1, -1);
	ASSERT_LT(0, s1);
	ASSERT_TRUE(wait_queued(self->fd, id, 2, s1));
	r0 = spawn_recv(&self->cl, self->fd, id, 9, 50, 0, 0, 0, -1);
	ASSERT_LT(0, r0);
	ASSERT_TRUE(wait_queued(self->fd, id, 3, r0));
	/* With a timeout flag: STAT shows the IPCLAB_MSG_* flags only. */
	r1 = spawn_recv(&self->cl, self->fd, id, 1, 70,
			IPCLAB_MSG_EXCEPT | IPCLAB_MSG_NOERROR | IPCLAB_WAIT_TIMEOUT,
			60 * NSEC_PER_SEC, 1, -1);
	ASSERT_LT(0, r1);
	ASSERT_TRUE(wait_queued(self->fd, id, 4, r1));

	/* A poller waiting for room. */
	ASSERT_OK(obj_open(self->fd, id, IPCLAB_OPEN_READ, &ofd));
	poller = kids_fork(&self->cl);
	ASSERT_LE(0, poller);
	if (poller == 0) {
		ev = poll_fd(ofd, POLLOUT, 60 * 1000);
		if (write(p[1], &ev, sizeof(ev)) != sizeof(ev))
			_exit(CHILD_BROKEN);
		_exit(0);
	}

	ASSERT_OK(ipclab_snap(self->fd, id, &s));
	ASSERT_EQ(4, s.st.waiters_len);
	EXPECT_EQ(4, s.st.nwaiters);
	EXPECT_EQ(IPCLAB_WAITER_SEND, s.waiters[0].kind);
	EXPECT_EQ(s0, s.waiters[0].pid);
	EXPECT_EQ(4, s.waiters[0].msgtype);
	EXPECT_EQ(20, s.waiters[0].msgsize);
	EXPECT_EQ(IPCLAB_WAITER_SEND, s.waiters[1].kind);
	EXPECT_EQ(s1, s.waiters[1].pid);
	EXPECT_EQ(5, s.waiters[1].msgtype);
	EXPECT_EQ(30, s.waiters[1].msgsize);
	EXPECT_EQ(IPCLAB_WAITER_RECV, s.waiters[2].kind);
	EXPECT_EQ(r0, s.waiters[2].pid);
	EXPECT_EQ(9, s.waiters[2].msgtype);
	EXPECT_EQ(50, s.waiters[2].msgsize);
	EXPECT_EQ(0, s.waiters[2].flags);
	EXPECT_EQ(IPCLAB_WAITER_RECV, s.waiters[3].kind);
	EXPECT_EQ(r1, s.waiters[3].pid);
	EXPECT_EQ(1, s.waiters[3].msgtype);
	EXPECT_EQ(70, s.waiters[3].msgsize);
	EXPECT_EQ(IPCLAB_MSG_EXCEPT | IPCLAB_MSG_NOERROR, s.waiters[3].flags)
		TH_LOG("a receiver's flags are its IPCLAB_MSG_* flags");
	for (i = 1; i < 4; i++)
		EXPECT_LT(s.waiters[i - 1].ticket, s.waiters[i].ticket);
	usleep(IPCLAB_BLOCKED_MS * 1000);
	EXPECT_TRUE(kid_running(poller));

	ASSERT_OK(ipclab_rmid(self->fd, id));
	EXPECT_KID(EIDRM, s0, IPCLAB_SETTLE_MS);
	EXPECT_KID(EIDRM, s1, IPCLAB_SETTLE_MS);
	EXPECT_KID(EIDRM, r0, IPCLAB_SETTLE_MS);
	EXPECT_KID(EIDRM, r1, IPCLAB_SETTLE_MS);
	EXPECT_KID(0, poller, IPCLAB_SETTLE_MS);
	ev = 0;
	EXPECT_EQ(sizeof(ev), read(p[0], &ev, sizeof(ev)));
	EXPECT_EQ(POLLHUP | POLLERR, ev & (POLLHUP | POLLERR));
	EXPECT_EQ(0, ev & (POLLIN | POLLOUT));
	/* The fd still answers, the id is gone. */
	EXPECT_EQ(POLLHUP | POLLERR, poll_fd(ofd, POLLIN | POLLOUT, 0));
	EXPECT_ERRNO(EINVAL, ipclab_stat(self->fd, id, &s.st));
	EXPECT_ERRNO(EINVAL, send_tag(self->fd, id, 1, 1, 1, IPCLAB_WAIT_NOWAIT, 0));
	EXPECT_ERRNO(EINVAL, mbox_recv_wait(self->fd, id, &type, buf, &size,
					    IPCLAB_WAIT_NOWAIT, 0));
	EXPECT_ERRNO(EINVAL, obj_open(self->fd, id, IPCLAB_OPEN_READ, NULL));
	EXPECT_ERRNO(EINVAL, ipclab_rmid(self->fd, id));
	close(ofd);
	close(p[0]);
	close(p[1]);
}

/* ------------------------------------------------------------------ */
/* Limits                                                             */
/* ------------------------------------------------------------------ */

TEST_F(mbox, limit_max_waiters)
{
	__u32 id = NEW_MBOX(1, 100, 100);
	__u32 id2 = NEW_MBOX(1, 100, 100);
	unsigned char buf[100];
	pid_t k[4];
	__u64 size;
	__s64 type;
	int i;

	PARAM_CHANGE_OR_SKIP("max_waiters", 2);

	/* The senders' room. */
	SEND_NOW(id, 1, 1, 10);
	for (i = 0; i < 2; i++) {
		k[i] = spawn_send(&self->cl, self->fd, id, 1, 2 + i, 10, 0, 0, i, -1);
		ASSERT_LT(0, k[i]);
		ASSERT_TRUE(wait_queued(self->fd, id, i + 1, k[i]));
	}
	EXPECT_ERRNO(ENOSPC, send_tag(self->fd, id, 1, 9, 10, 0, 0));
	EXPECT_ERRNO(ENOSPC, send_tag(self->fd, id, 1, 9, 10, IPCLAB_WAIT_TIMEOUT,
				      NSEC_PER_SEC));
	/* NOWAIT never queues: EAGAIN. */
	EXPECT_ERRNO(EAGAIN, send_tag(self->fd, id, 1, 9, 10, IPCLAB_WAIT_NOWAIT, 0));
	check_mbox(id, 1, 10, 2);

	/* The receivers' room. */
	for (i = 2; i < 4; i++) {
		k[i] = spawn_recv(&self->cl, self->fd, id2, 0, 100, 0, 0, i, -1);
		ASSERT_LT(0, k[i]);
		ASSERT_TRUE(wait_queued(self->fd, id2, i - 1, k[i]));
	}
	type = 0;
	size = sizeof(buf);
	EXPECT_ERRNO(ENOSPC, mbox_recv_wait(self->fd, id2, &type, buf, &size, 0, 0));
	EXPECT_ERRNO(EAGAIN, mbox_recv_wait(self->fd, id2, &type, buf, &size,
					    IPCLAB_WAIT_NOWAIT, 0));
	check_mbox(id2, 0, 0, 2);

	/* Everybody still gets through. */
	EXPECT_RECV(id, 0, 0, 1, 1, 10);
	EXPECT_RECV(id, 0, 0, 1, 2, 10);
	EXPECT_RECV(id, 0, 0, 1, 3, 10);
	SEND_NOW(id2, 1, 1, 10);
	SEND_NOW(id2, 1, 2, 10);
	for (i = 0; i < 4; i++)
		EXPECT_KID(0, k[i], IPCLAB_SETTLE_MS) TH_LOG("child %d", i);
}

TEST_F(mbox, limit_params)
{
	struct ipclab_stat st;
	__u32 id;

	if (param_or("mbox_max_msgs", -1) < 0)
		SKIP(return, IPCLAB_PARAM_DIR "mbox_max_msgs is missing");
	PARAM_CHANGE_OR_SKIP("mbox_max_msgs", 4);
	PARAM_CHANGE_OR_SKIP("mbox_max_msgsz", 64);
	PARAM_CHANGE_OR_SKIP("mbox_max_bytes", 128);

	/* The new defaults. */
	id = NEW_MBOX(0, 0, 0);
	ASSERT_OK(ipclab_stat(self->fd, id, &st));
	EXPECT_EQ(4, st.mbox.max_msgs);
	EXPECT_EQ(64, st.mbox.max_msgsz);
	EXPECT_EQ(128, st.mbox.max_bytes);
	EXPECT_ERRNO(EINVAL, send_tag(self->fd, id, 1, 1, 65, IPCLAB_WAIT_NOWAIT, 0));
	SEND_NOW(id, 1, 1, 64);
	SEND_NOW(id, 1, 2, 64);
	EXPECT_ERRNO(EAGAIN, send_tag(self->fd, id, 1, 3, 1, IPCLAB_WAIT_NOWAIT, 0));
	EXPECT_RECV(id, 0, 0, 1, 1, 64);
	EXPECT_RECV(id, 0, 0, 1, 2, 64);
	SEND_NOW(id, 1, 1, 0);
	SEND_NOW(id, 1, 1, 0);
	SEND_NOW(id, 1, 1, 0);
	SEND_NOW(id, 1, 1, 0);
	EXPECT_ERRNO(EAGAIN, send_tag(self->fd, id, 1, 3, 0, IPCLAB_WAIT_NOWAIT, 0));

	/* The new ceilings. */
	EXPECT_ERRNO(EINVAL, mbox_get(self->fd, IPCLAB_KEY_PRIVATE, IPCLAB_CREAT,
				      0600, 5, 0, 0, &id));
	EXPECT_ERRNO(EINVAL, mbox_get(self->fd, IPCLAB_KEY_PRIVATE, IPCLAB_CREAT,
				      0600, 0, 65, 0, &id));
	EXPECT_ERRNO(EINVAL, mbox_get(self->fd, IPCLAB_KEY_PRIVATE, IPCLAB_CREAT,
				      0600, 0, 0, 129, &id));
	id = NEW_MBOX(4, 64, 128);
	id = NEW_MBOX(1, 32, 32);
}

/* ------------------------------------------------------------------ */
/* Permissions                                                        */
/* ------------------------------------------------------------------ */

/*
 * A child that becomes nobody and checks what it may do on the mailbox:
 * want_send and want_recv are 0 or EACCES.  The mailbox is empty: it
 * receives with NOWAIT first, so "allowed" shows as EAGAIN, then sends
 * one message (tag 1, type 1, 4 bytes).
 */
static pid_t spawn_nobody(struct ipclab_cleanup *cl, int fd, __u32 id,
			  int want_send, int want_recv)
{
	pid_t pid = kids_fork(cl);

	if (pid == 0) {
		struct ipclab_stat st;
		unsigned char buf[16];
		__u64 size = sizeof(buf);
		__s64 type = 0;
		int ofd;

		if (drop_to_nobody())
			_exit(CHILD_BROKEN);
		CHILD_CHECK(mbox_recv_wait(fd, id, &type, buf, &size,
					   IPCLAB_WAIT_NOWAIT, 0),
			    want_recv ? want_recv : EAGAIN);
		CHILD_CHECK(ipclab_stat(fd, id, &st), want_recv);
		CHILD_CHECK(obj_open(fd, id, IPCLAB_OPEN_READ, &ofd), want_recv);
		CHILD_CHECK(obj_open(fd, id, IPCLAB_OPEN_WRITE, &ofd), want_send);
		CHILD_CHECK(obj_open(fd, id, IPCLAB_OPEN_READ | IPCLAB_OPEN_WRITE, &ofd),
			    want_send ? want_send : want_recv);
		/* Permission is checked before "full" or "would wait". */
		CHILD_CHECK(send_tag(fd, id, 1, 1, 4, IPCLAB_WAIT_NOWAIT, 0), want_send);
		_exit(0);
	}
	return pid;
}

/* Run spawn_nobody() and take what it sent, if it could. */
#define NOBODY_MAY(id, want_send, want_recv) do {			\
	pid_t __pid = spawn_nobody(&self->cl, self->fd, (id),		\
				   (want_send), (want_recv));		\
	ASSERT_LT(0, __pid);						\
	EXPECT_KID(0, __pid, IPCLAB_SETTLE_MS);				\
	if (want_send) {						\
		check_mbox((id), 0, 0, 0);				\
	} else {							\
		check_mbox((id), 1, 4, 0);				\
		EXPECT_RECV((id), 0, 0, 1, 1, 4);			\
	}								\
} while (0)

TEST_F(mbox, permissions)
{
	__u32 id = NEW_MBOX(4, 100, 400);

	/* 0600: nobody may do nothing. */
	NOBODY_MAY(id, EACCES, EACCES);
	/* Others may write: send, not receive. */
	ASSERT_OK(ipclab_set(self->fd, id, 0, 0, 0602));
	NOBODY_MAY(id, 0, EACCES);
	/* Others may read: receive, not send. */
	ASSERT_OK(ipclab_set(self->fd, id, 0, 0, 0604));
	NOBODY_MAY(id, EACCES, 0);
	/* Both. */
	ASSERT_OK(ipclab_set(self->fd, id, 0, 0, 0606));
	NOBODY_MAY(id, 0, 0);
	/* Group bits for a member of the group. */
	ASSERT_OK(ipclab_set(self->fd, id, 0, IPCLAB_NOBODY, 0640));
	NOBODY_MAY(id, EACCES, 0);
	/* Owner bits for the owner. */
	ASSERT_OK(ipclab_set(self->fd, id, IPCLAB_NOBODY, 0, 0200));
	NOBODY_MAY(id, 0, EACCES);
	/* Execute bits mean nothing. */
	ASSERT_OK(ipclab_set(self->fd, id, 0, 0, 0611));
	NOBODY_MAY(id, EACCES, EACCES);
}

/*
 * As msgsnd(2) checks msgsz before the permission: a message bigger than
 * the mailbox's max_msgsz is EINVAL even for who may not write; one that
 * fits, EACCES.
 */
TEST_F(mbox, send_size_before_permission)
{
	__u32 id = NEW_MBOX(4, 100, 400);
	pid_t pid = kids_fork(&self->cl);

	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (drop_to_nobody())
			_exit(CHILD_BROKEN);
		CHILD_CHECK(send_tag(self->fd, id, 1, 1, 101, IPCLAB_WAIT_NOWAIT, 0),
			    EINVAL);
		CHILD_CHECK(send_tag(self->fd, id, 1, 1, 100, IPCLAB_WAIT_NOWAIT, 0),
			    EACCES);
		_exit(0);
	}
	EXPECT_KID(0, pid, IPCLAB_SETTLE_MS);
	check_mbox(id, 0, 0, 0);
}

/* A receiver waiting as nobody is fine; permission is checked on entry. */
TEST_F(mbox, permission_blocked_receiver)
{
	__u32 id = NEW_MBOX(4, 100, 400);
	pid_t pid;

	ASSERT_OK(ipclab_set(self->fd, id, 0, 0, 0604));
	pid = kids_fork(&self->cl);
	ASSERT_LE(0, pid);
	if (pid == 0) {
		unsigned char buf[100];
		__u64 size = sizeof(buf);
		__s64 type = 0;

		if (drop_to_nobody())
			_exit(CHILD_BROKEN);
		CHILD_CHECK(mbox_recv_wait(self->fd, id, &type, buf, &size, 0, 0), 0);
		if (type != 3 || size != 12 || !text_ok(buf, 12, 42))
			_exit(CHILD_CHECK_FAILED);
		_exit(0);
	}
	ASSERT_TRUE(wait_queued(self->fd, id, 1, pid));
	SEND_NOW(id, 3, 42, 12);
	EXPECT_KID(0, pid, IPCLAB_SETTLE_MS);
}

/* ------------------------------------------------------------------ */
/* STAT                                                               */
/* ------------------------------------------------------------------ */

TEST_F(mbox, stat_fields)
{
	__u32 id = NEW_MBOX(8, 100, 800);
	time_t t0 = time(NULL);
	struct ipclab_stat st;
	pid_t pid;

	SEND_NOW(id, 1, 1, 10);
	SEND_NOW(id, 2, 2, 20);
	SEND_NOW(id, 3, 3, 30);
	ASSERT_OK(ipclab_stat(self->fd, id, &st));
	EXPECT_EQ(3, st.mbox.msgs);
	EXPECT_EQ(60, st.mbox.bytes);
	EXPECT_EQ(3, st.mbox.sent);
	EXPECT_EQ(0, st.mbox.received);
	EXPECT_EQ(getpid(), st.mbox.lspid);
	EXPECT_EQ(0, st.mbox.lrpid);
	EXPECT_EQ(getpid(), st.perm.lpid);
	EXPECT_LE(t0, st.mbox.stime);
	EXPECT_GE(time(NULL), st.mbox.stime);
	EXPECT_EQ(0, st.mbox.rtime);
	EXPECT_LE(t0, st.perm.otime);

	/* A child receives one: it is the last receiver and the last pid. */
	pid = kids_fork(&self->cl);
	ASSERT_LE(0, pid);
	if (pid == 0) {
		unsigned char buf[100];
		__u64 size = sizeof(buf);
		__s64 type = 2;

		CHILD_CHECK(mbox_recv_wait(self->fd, id, &type, buf, &size,
					   IPCLAB_WAIT_NOWAIT, 0), 0);
		_exit(0);
	}
	ASSERT_KID(0, pid, IPCLAB_SETTLE_MS);
	ASSERT_OK(ipclab_stat(self->fd, id, &st));
	EXPECT_EQ(2, st.mbox.msgs);
	EXPECT_EQ(40, st.mbox.bytes);
	EXPECT_EQ(3, st.mbox.sent);
	EXPECT_EQ(1, st.mbox.received);
	EXPECT_EQ(getpid(), st.mbox.lspid);
	EXPECT_EQ(pid, st.mbox.lrpid);
	EXPECT_EQ(pid, st.perm.lpid);
	EXPECT_LE(t0, st.mbox.rtime);
	EXPECT_GE(time(NULL), st.mbox.rtime);

	/* Failed calls change nothing. */
	EXPECT_ERRNO(E2BIG, ({
		unsigned char b[4];
		__u64 size = sizeof(b);
		__s64 type = 0;

		mbox_recv_wait(self->fd, id, &type, b, &size, IPCLAB_WAIT_NOWAIT, 0);
	}));
	EXPECT_ERRNO(EINVAL, send_tag(self->fd, id, 1, 1, 101, IPCLAB_WAIT_NOWAIT, 0));
	ASSERT_OK(ipclab_stat(self->fd, id, &st));
	EXPECT_EQ(2, st.mbox.msgs);
	EXPECT_EQ(3, st.mbox.sent);
	EXPECT_EQ(1, st.mbox.received);
	EXPECT_EQ(pid, st.perm.lpid);

	/* The parent receives the rest. */
	EXPECT_RECV(id, 0, 0, 1, 1, 10);
	EXPECT_RECV(id, 0, 0, 3, 3, 30);
	ASSERT_OK(ipclab_stat(self->fd, id, &st));
	EXPECT_EQ(0, st.mbox.msgs);
	EXPECT_EQ(0, st.mbox.bytes);
	EXPECT_EQ(3, st.mbox.received);
	EXPECT_EQ(getpid(), st.mbox.lrpid);
	EXPECT_EQ(getpid(), st.perm.lpid);
}

/* A waiting room larger than the array: the length tells, STAT refills. */
TEST_F(mbox, stat_truncated_waiters)
{
	__u32 id = NEW_MBOX(1, 100, 100);
	struct ipclab_waiter w[2];
	struct ipclab_stat st;
	pid_t k[3];
	int i;

	SEND_NOW(id, 1, 1, 10);
	for (i = 0; i < 3; i++) {
		k[i] = spawn_send(&self->cl, self->fd, id, 1, 2 + i, 10, 0, 0, i, -1);
		ASSERT_LT(0, k[i]);
		ASSERT_TRUE(wait_queued(self->fd, id, i + 1, k[i]));
	}
	POISON(st);
	POISON(w);
	memset(&st, 0, offsetof(struct ipclab_stat, type));
	st.id = id;
	st.waiters = ptr_u64(w);
	st.waiters_len = 1;
	ASSERT_OK(ioctl(self->fd, IPCLAB_IOC_STAT, &st));
	EXPECT_EQ(3, st.waiters_len);
	EXPECT_EQ(3, st.nwaiters);
	EXPECT_EQ(k[0], w[0].pid);
	/* Only one entry was written. */
	EXPECT_EQ(0xcccccccc, (__u32)w[1].pid);
	for (i = 0; i < 3; i++)
		EXPECT_EQ(KID_SIGNALED(SIGKILL), kids_kill(&self->cl, k[i], SIGKILL));
	check_mbox(id, 1, 10, 0);
}

/* ------------------------------------------------------------------ */
/* Object fds: poll and epoll                                         */
/* ------------------------------------------------------------------ */

TEST_F(mbox, open_errors)
{
	__u32 id = NEW_MBOX(0, 0, 0);
	__u32 sem = NEW_SEM(1);
	__u32 mutex = NEW_MUTEX();
	struct ipclab_open o;
	__u32 gone;
	int ofd, fl;

	EXPECT_ERRNO(ENOTTY, obj_open(self->fd, sem, IPCLAB_OPEN_READ, &ofd));
	EXPECT_ERRNO(ENOTTY, obj_open(self->fd, mutex, IPCLAB_OPEN_READ, &ofd));
	EXPECT_ERRNO(EINVAL, obj_open(self->fd, id, 0x1, &ofd));
	EXPECT_ERRNO(EINVAL, obj_open(self->fd, id, 0x8, &ofd));
	EXPECT_ERRNO(EINVAL, obj_open(self->fd, id, IPCLAB_OPEN_READ | 0x80000000u, &ofd));
	memset(&o, 0, sizeof(o));
	o.id = id;
	o.flags = IPCLAB_OPEN_READ;
	o.pad = 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, IPCLAB_IOC_OPEN, &o));
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, IPCLAB_IOC_OPEN, (void *)8));
	EXPECT_ERRNO(EINVAL, obj_open(self->fd, id ^ 0x40000000, IPCLAB_OPEN_READ, &ofd));
	ASSERT_OK(mbox_get(self->fd, IPCLAB_KEY_PRIVATE, IPCLAB_CREAT, 0600,
			   0, 0, 0, &gone));
	ASSERT_OK(ipclab_rmid(self->fd, gone));
	EXPECT_ERRNO(EINVAL, obj_open(self->fd, gone, IPCLAB_OPEN_READ, &ofd));

	/* CLOEXEC is what it says. */
	ASSERT_OK(obj_open(self->fd, id, IPCLAB_OPEN_READ | IPCLAB_OPEN_CLOEXEC, &ofd));
	ASSERT_LE(0, ofd);
	fl = fcntl(ofd, F_GETFD);
	EXPECT_TRUE(fl >= 0 && (fl & FD_CLOEXEC));
	close(ofd);
	ASSERT_OK(obj_open(self->fd, id, IPCLAB_OPEN_READ | IPCLAB_OPEN_WRITE, &ofd));
	fl = fcntl(ofd, F_GETFD);
	EXPECT_TRUE(fl >= 0 && !(fl & FD_CLOEXEC));
	/* A mailbox fd cannot be mapped. */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ, MAP_SHARED, ofd, 0));
	close(ofd);
}

TEST_F(mbox, poll_transitions)
{
	__u32 id = NEW_MBOX(2, 100, 200);
	int ofd;

	ASSERT_OK(obj_open(self->fd, id, IPCLAB_OPEN_READ, &ofd));
	ASSERT_LE(0, ofd);
	/* Empty: writable only. */
	EXPECT_EQ(POLLOUT, poll_fd(ofd, POLLIN | POLLOUT, 0));
	EXPECT_EQ(0, poll_fd(ofd, POLLIN, 0));
	/* One message: both. */
	SEND_NOW(id, 1, 1, 10);
	EXPECT_EQ(POLLIN | POLLOUT, poll_fd(ofd, POLLIN | POLLOUT, 0));
	/* Full: readable only. */
	SEND_NOW(id, 1, 2, 10);
	EXPECT_EQ(POLLIN, poll_fd(ofd, POLLIN | POLLOUT, 0));
	EXPECT_EQ(0, poll_fd(ofd, POLLOUT, 0));
	/* And back. */
	EXPECT_RECV(id, 0, 0, 1, 1, 10);
	EXPECT_EQ(POLLIN | POLLOUT, poll_fd(ofd, POLLIN | POLLOUT, 0));
	EXPECT_RECV(id, 0, 0, 1, 2, 10);
	EXPECT_EQ(POLLOUT, poll_fd(ofd, POLLIN | POLLOUT, 0));
	/* The normal-data bits come along. */
	SEND_NOW(id, 1, 3, 10);
	EXPECT_EQ(POLLRDNORM | POLLWRNORM, poll_fd(ofd, POLLRDNORM | POLLWRNORM, 0));
	/* Removed: hang-up and error, nothing else. */
	ASSERT_OK(ipclab_rmid(self->fd, id));
	EXPECT_EQ(POLLHUP | POLLERR, poll_fd(ofd, POLLIN | POLLOUT, 0));
	EXPECT_EQ(POLLHUP | POLLERR, poll_fd(ofd, 0, 0));
	close(ofd);
}

/* An fd opened for neither reading nor writing can still be polled. */
TEST_F(mbox, poll_fd_opened_for_nothing)
{
	__u32 id = NEW_MBOX(1, 100, 100);
	unsigned char buf[4];
	int ofd;

	ASSERT_OK(obj_open(self->fd, id, 0, &ofd));
	ASSERT_LE(0, ofd);
	EXPECT_EQ(POLLOUT, poll_fd(ofd, POLLIN | POLLOUT, 0));
	SEND_NOW(id, 1, 1, 10);
	EXPECT_EQ(POLLIN, poll_fd(ofd, POLLIN | POLLOUT, 0));
	/* It is good for nothing else. */
	EXPECT_EQ(-1, read(ofd, buf, sizeof(buf)));
	EXPECT_EQ(-1, write(ofd, buf, sizeof(buf)));
	ASSERT_OK(ipclab_rmid(self->fd, id));
	EXPECT_EQ(POLLHUP | POLLERR, poll_fd(ofd, POLLIN | POLLOUT, 0));
	close(ofd);
}

/* A mailbox full by bytes (with fewer than max_msgs messages) is full. */
TEST_F(mbox, poll_full_by_bytes)
{
	__u32 id = NEW_MBOX(10, 100, 100);
	int ofd;

	ASSERT_OK(obj_open(self->fd, id, IPCLAB_OPEN_READ, &ofd));
	SEND_NOW(id, 1, 1, 100);
	EXPECT_ERRNO(EAGAIN, send_tag(self->fd, id, 1, 2, 1, IPCLAB_WAIT_NOWAIT, 0));
	EXPECT_EQ(POLLIN, poll_fd(ofd, POLLIN | POLLOUT, 0))
		TH_LOG("bytes == max_bytes: a send of one byte waits");
	close(ofd);
}

/* While a sender waits, a send would wait: not writable. */
TEST_F(mbox, poll_waiting_sender)
{
	__u32 id = NEW_MBOX(10, 100, 100);
	pid_t pid;
	int ofd;

	ASSERT_OK(obj_open(self->fd, id, IPCLAB_OPEN_READ, &ofd));
	SEND_NOW(id, 1, 1, 60);
	pid = spawn_send(&self->cl, self->fd, id, 1, 2, 60, 0, 0, 0, -1);
	ASSERT_LT(0, pid);
	ASSERT_TRUE(wait_queued(self->fd, id, 1, pid));
	EXPECT_EQ(POLLIN, poll_fd(ofd, POLLIN | POLLOUT, 0));
	EXPECT_RECV(id, 0, 0, 1, 1, 60);
	EXPECT_KID(0, pid, IPCLAB_SETTLE_MS);
	EXPECT_EQ(POLLIN | POLLOUT, poll_fd(ofd, POLLIN | POLLOUT, 0));
	close(ofd);
}

/*
 * A sender that gives up waiting lets the mailbox be writable again, and
 * a poller waiting for that is woken: max_bytes 100, 60 queued, a sender
 * of 60 waits (not writable) and times out (a 1-byte send fits again).
 */
TEST_F(mbox, poll_woken_by_leaving_sender)
{
	__u32 id = NEW_MBOX(10, 100, 100);
	pid_t sender, poller;
	int ofd, ev, p[2];

	ASSERT_OK(pipe(p));
	ASSERT_OK(obj_open(self->fd, id, IPCLAB_OPEN_READ, &ofd));
	SEND_NOW(id, 1, 1, 60);
	sender = spawn_send(&self->cl, self->fd, id, 1, 2, 60, IPCLAB_WAIT_TIMEOUT,
			    3000 * NSEC_PER_MSEC, 0, -1);
	ASSERT_LT(0, sender);
	ASSERT_TRUE(wait_queued(self->fd, id, 1, sender));
	EXPECT_EQ(POLLIN, poll_fd(ofd, POLLIN | POLLOUT, 0));
	poller = spawn_poller(&self->cl, ofd, POLLOUT, p[1]);
	ASSERT_LE(0, poller);
	EXPECT_TRUE(still_blocked(poller, IPCLAB_BLOCKED_MS));
	EXPECT_KID(ETIMEDOUT, sender, 10 * 1000);
	EXPECT_KID(0, poller, IPCLAB_SETTLE_MS);
	ASSERT_EQ(sizeof(ev), read(p[0], &ev, sizeof(ev)));
	EXPECT_EQ(POLLOUT, ev);
	check_mbox(id, 1, 60, 0);
	close(ofd);
	close(p[0]);
	close(p[1]);
}

/*
 * Pollers of many mailboxes (more than the module's poll wait queues, so
 * that some share one): a poller is woken by its own mailbox only, and
 * what the others do is never reported as its readiness.
 */
#define POLL_MANY	40
TEST_F(mbox, poll_many_mailboxes)
{
	struct pollfd pfd[POLL_MANY];
	__u32 ids[POLL_MANY];
	int i, n, ready;
	pid_t pid;

	for (i = 0; i < POLL_MANY; i++) {
		ids[i] = NEW_MBOX(1, 100, 100);
		ASSERT_OK(obj_open(self->fd, ids[i], IPCLAB_OPEN_READ, &pfd[i].fd));
		pfd[i].events = POLLIN;
		pfd[i].revents = 0;
	}
	/* The child polls the last one alone while the others are busy. */
	pid = kids_fork(&self->cl);
	ASSERT_LE(0, pid);
	if (pid == 0) {
		n = poll(&pfd[POLL_MANY - 1], 1, 60 * 1000);
		n = n == 1 && pfd[POLL_MANY - 1].revents == POLLIN ? 0 : CHILD_BROKEN;
		_exit(n);
	}
	for (i = 0; i < POLL_MANY - 1; i++) {
		SEND_NOW(ids[i], 1, i, 10);
		EXPECT_RECV(ids[i], 0, 0, 1, i, 10);
	}
	EXPECT_TRUE(still_blocked(pid, IPCLAB_BLOCKED_MS));
	SEND_NOW(ids[POLL_MANY - 1], 1, 7, 10);
	EXPECT_KID(0, pid, IPCLAB_SETTLE_MS);

	/* All at once: exactly those with a message are readable. */
	ready = 1;			/* the last one */
	for (i = 0; i < POLL_MANY - 1; i += 3, ready++)
		SEND_NOW(ids[i], 1, i, 10);
	EXPECT_EQ(ready, poll(pfd, POLL_MANY, 0));
	for (i = 0; i < POLL_MANY; i++)
		EXPECT_EQ(i % 3 == 0 || i == POLL_MANY - 1 ? POLLIN : 0, pfd[i].revents)
			TH_LOG("mailbox %d", i);
	for (i = 0; i < POLL_MANY; i++)
		close(pfd[i].fd);
}

/* poll() in a child sleeps until the mailbox becomes ready. */
TEST_F(mbox, poll_blocks_until_ready)
{
	__u32 id = NEW_MBOX(1, 100, 100);
	pid_t pid;
	int ofd, ev, p[2];

	ASSERT_OK(pipe(p));
	ASSERT_OK(obj_open(self->fd, id, IPCLAB_OPEN_READ, &ofd));

	/* Readable. */
	pid = spawn_poller(&self->cl, ofd, POLLIN, p[1]);
	ASSERT_LE(0, pid);
	EXPECT_TRUE(still_blocked(pid, IPCLAB_BLOCKED_MS));
	SEND_NOW(id, 1, 1, 10);
	EXPECT_KID(0, pid, IPCLAB_SETTLE_MS);
	ASSERT_EQ(sizeof(ev), read(p[0], &ev, sizeof(ev)));
	EXPECT_EQ(POLLIN, ev);

	/* Writable, now that it is full. */
	pid = spawn_poller(&self->cl, ofd, POLLOUT, p[1]);
	ASSERT_LE(0, pid);
	EXPECT_TRUE(still_blocked(pid, IPCLAB_BLOCKED_MS));
	EXPECT_RECV(id, 0, 0, 1, 1, 10);
	EXPECT_KID(0, pid, IPCLAB_SETTLE_MS);
	ASSERT_EQ(sizeof(ev), read(p[0], &ev, sizeof(ev)));
	EXPECT_EQ(POLLOUT, ev);

	/* Still readable while a sender waits and after it got in. */
	SEND_NOW(id, 1, 2, 10);
	pid = spawn_send(&self->cl, self->fd, id, 1, 3, 10, 0, 0, 0, -1);
	ASSERT_LT(0, pid);
	ASSERT_TRUE(wait_queued(self->fd, id, 1, pid));
	EXPECT_EQ(POLLIN, poll_fd(ofd, POLLIN | POLLOUT, 0));
	EXPECT_RECV(id, 0, 0, 1, 2, 10);
	EXPECT_KID(0, pid, IPCLAB_SETTLE_MS);
	EXPECT_EQ(POLLIN, poll_fd(ofd, POLLIN | POLLOUT, 0));
	close(ofd);
	close(p[0]);
	close(p[1]);
}

TEST_F(mbox, epoll)
{
	__u32 id = NEW_MBOX(2, 100, 200);
	struct epoll_event ev;
	int ofd, ep, p[2];
	__u32 events;
	pid_t pid;

	ASSERT_OK(pipe(p));
	ASSERT_OK(obj_open(self->fd, id, IPCLAB_OPEN_READ | IPCLAB_OPEN_CLOEXEC, &ofd));
	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.u32 = 42;
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, ofd, &ev));
	EXPECT_EQ(0, epoll_wait(ep, &ev, 1, 0));

	/* A child sleeps in epoll_wait() until a message comes. */
	pid = kids_fork(&self->cl);
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct epoll_event e;
		int n;

		memset(&e, 0, sizeof(e));
		n = epoll_wait(ep, &e, 1, 60 * 1000);
		if (n != 1 || e.data.u32 != 42)
			_exit(CHILD_CHECK_FAILED);
		_exit(write(p[1], &e.events, sizeof(e.events)) == sizeof(e.events) ?
		      0 : CHILD_BROKEN);
	}
	EXPECT_TRUE(still_blocked(pid, IPCLAB_BLOCKED_MS));
	SEND_NOW(id, 1, 1, 10);
	EXPECT_KID(0, pid, IPCLAB_SETTLE_MS);
	events = 0;
	ASSERT_EQ(sizeof(events), read(p[0], &events, sizeof(events)));
	EXPECT_EQ(EPOLLIN, events);
	memset(&ev, 0, sizeof(ev));
	EXPECT_EQ(1, epoll_wait(ep, &ev, 1, 0));
	EXPECT_EQ(EPOLLIN, ev.events);

	/* Level-triggered: gone once received. */
	EXPECT_RECV(id, 0, 0, 1, 1, 10);
	EXPECT_EQ(0, epoll_wait(ep, &ev, 1, 0));

	/* Edge-triggered for writability: one event per change. */
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | EPOLLOUT | EPOLLET;
	ev.data.u32 = 43;
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_MOD, ofd, &ev));
	EXPECT_EQ(1, epoll_wait(ep, &ev, 1, 0));
	EXPECT_EQ(EPOLLOUT, ev.events);
	EXPECT_EQ(0, epoll_wait(ep, &ev, 1, 0));
	SEND_NOW(id, 1, 2, 10);
	EXPECT_EQ(1, epoll_wait(ep, &ev, 1, 0));
	EXPECT_EQ(EPOLLIN | EPOLLOUT, ev.events);

	/* Removal: hang-up and error. */
	ASSERT_OK(ipclab_rmid(self->fd, id));
	memset(&ev, 0, sizeof(ev));
	EXPECT_EQ(1, epoll_wait(ep, &ev, 1, IPCLAB_SETTLE_MS));
	EXPECT_EQ(EPOLLHUP | EPOLLERR, ev.events & (EPOLLHUP | EPOLLERR));
	EXPECT_EQ(0, ev.events & (EPOLLIN | EPOLLOUT));
	close(ep);
	close(ofd);
	close(p[0]);
	close(p[1]);
}

/* Pass an fd over a unix socket (SCM_RIGHTS). */
static int send_fd(int sock, int fd)
{
	char c = 0;
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr m = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *cm;

	memset(&u, 0, sizeof(u));
	cm = CMSG_FIRSTHDR(&m);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &m, 0) == 1 ? 0 : -1;
}

static int recv_fd(int sock)
{
	char c;
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr m = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *cm;
	int fd;

	if (recvmsg(sock, &m, 0) != 1)
		return -1;
	cm = CMSG_FIRSTHDR(&m);
	if (!cm || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

/* An object fd keeps working after the process that opened it exits. */
TEST_F(mbox, fd_outlives_opener)
{
	__u32 id = NEW_MBOX(2, 100, 200);
	int ofd, sv[2];
	pid_t pid;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	pid = kids_fork(&self->cl);
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd;

		CHILD_CHECK(obj_open(self->fd, id, IPCLAB_OPEN_READ, &fd), 0);
		_exit(send_fd(sv[1], fd) ? CHILD_BROKEN : 0);
	}
	ASSERT_KID(0, pid, IPCLAB_SETTLE_MS);
	ofd = recv_fd(sv[0]);
	ASSERT_LE(0, ofd);
	EXPECT_EQ(POLLOUT, poll_fd(ofd, POLLIN | POLLOUT, 0));
	SEND_NOW(id, 1, 1, 10);
	EXPECT_EQ(POLLIN | POLLOUT, poll_fd(ofd, POLLIN | POLLOUT, 0));
	close(ofd);
	close(sv[0]);
	close(sv[1]);
}

/* ------------------------------------------------------------------ */
/* Load                                                               */
/* ------------------------------------------------------------------ */

#define LOAD_PRODUCERS	4
#define LOAD_CONSUMERS	4
#define LOAD_MAXPAY	300
#define LOAD_STOP_TYPE	(LOAD_PRODUCERS + 1)

/* The head of every load message; the payload follows. */
struct load_hdr {
	__u32 producer;		/* 0..LOAD_PRODUCERS-1, or ~0 for "stop" */
	__u32 seq;		/* 0..n-1 per producer */
	__u32 len;		/* payload bytes */
	__u32 csum;		/* FNV-1a of the payload */
};

/* What the consumers found, in MAP_SHARED memory. */
struct load_report {
	long got[LOAD_CONSUMERS][LOAD_PRODUCERS];
	long last_seq[LOAD_CONSUMERS][LOAD_PRODUCERS];
	long out_of_order[LOAD_CONSUMERS];
	long bad_sum[LOAD_CONSUMERS];
	long bad_head[LOAD_CONSUMERS];	/* size, type or producer wrong */
	long stops[LOAD_CONSUMERS];
	long timeouts[LOAD_CONSUMERS];
	long retries[LOAD_PRODUCERS];
	/* One counter per (producer, seq): how many times it was received. */
	unsigned char seen[];
};

static long load_iters(void)
{
	const char *e = getenv("IPCLAB_STRESS_ITERS");
	long n = e ? strtol(e, NULL, 0) : 0;

	return n > 0 ? n : 100000;
}

/* Payload length of message seq of producer p: 0..LOAD_MAXPAY. */
static __u32 load_len(__u32 p, __u32 seq)
{
	return (seq * 37 + p * 101 + (seq >> 3)) % (LOAD_MAXPAY + 1);
}

static void load_payload(unsigned char *buf, __u32 len, __u32 p, __u32 seq)
{
	__u64 x = ((__u64)p << 32 | seq) * 0x9e3779b97f4a7c15ULL + 1;
	__u32 i;

	for (i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		buf[i] = x >> 24;
	}
}

static __u32 fnv1a(const unsigned char *buf, __u32 len)
{
	__u32 h = 2166136261u;
	__u32 i;

	for (i = 0; i < len; i++) {
		h ^= buf[i];
		h *= 16777619u;
	}
	return h;
}

/*
 * Producer p sends n messages of type p + 1.  Producers 0 and 1 wait as
 * long as they must, producer 2 with a short timeout and producer 3 with
 * NOWAIT, both retrying (a failed send did nothing, so order is kept).
 */
static int load_producer(int fd, __u32 id, __u32 p, long n,
			 struct load_report *rep)
{
	unsigned char buf[sizeof(struct load_hdr) + LOAD_MAXPAY];
	struct load_hdr *h = (struct load_hdr *)buf;
	__u32 seq;

	for (seq = 0; seq < n; seq++) {
		__u32 flags = 0;
		__u64 timeout = 0;
		int ret;

		h->producer = p;
		h->seq = seq;
		h->len = load_len(p, seq);
		load_payload(buf + sizeof(*h), h->len, p, seq);
		h->csum = fnv1a(buf + sizeof(*h), h->len);
		if (p == 2) {
			flags = IPCLAB_WAIT_TIMEOUT;
			timeout = NSEC_PER_MSEC;
		} else if (p == 3) {
			flags = IPCLAB_WAIT_NOWAIT;
		}
		for (;;) {
			ret = mbox_send_wait(fd, id, p + 1, buf,
					     sizeof(*h) + h->len, flags, timeout);
			if (!ret)
				break;
			if (errno != ETIMEDOUT && errno != EAGAIN)
				return errno;
			rep->retries[p]++;
			if (errno == EAGAIN)
				usleep(200);
		}
	}
	return 0;
}

/*
 * Consumer c receives until it gets a stop message.  Each uses another
 * selector, all of which match every message: 0; the lowest type
 * <= LOAD_STOP_TYPE; anything but a type nobody sends; 0 with a timeout
 * (and NOERROR, which must never truncate here).
 */
static int load_consumer(int fd, __u32 id, int c, long n,
			 struct load_report *rep)
{
	unsigned char buf[sizeof(struct load_hdr) + LOAD_MAXPAY];
	struct load_hdr *h = (struct load_hdr *)buf;
	__u32 p;

	for (p = 0; p < LOAD_PRODUCERS; p++)
		rep->last_seq[c][p] = -1;
	for (;;) {
		__u64 size = sizeof(buf), timeout = 0;
		__u32 flags = 0;
		__s64 type = 0;

		switch (c) {
		case 1:
			type = -LOAD_STOP_TYPE;
			break;
		case 2:
			type = 1000;
			flags = IPCLAB_MSG_EXCEPT;
			break;
		case 3:
			flags = IPCLAB_WAIT_TIMEOUT | IPCLAB_MSG_NOERROR;
			timeout = 50 * NSEC_PER_MSEC;
			break;
		}
		if (mbox_recv_wait(fd, id, &type, buf, &size, flags, timeout)) {
			if (errno == ETIMEDOUT) {
				rep->timeouts[c]++;
				continue;
			}
			return errno;
		}
		if (size < sizeof(*h)) {
			rep->bad_head[c]++;
			continue;
		}
		if (h->producer == ~0u) {
			if (type != LOAD_STOP_TYPE)
				rep->bad_head[c]++;
			rep->stops[c]++;
			return 0;
		}
		p = h->producer;
		if (p >= LOAD_PRODUCERS || h->seq >= n || type != p + 1 ||
		    h->len > LOAD_MAXPAY || size != sizeof(*h) + h->len ||
		    h->len != load_len(p, h->seq)) {
			rep->bad_head[c]++;
			continue;
		}
		if (fnv1a(buf + sizeof(*h), h->len) != h->csum)
			rep->bad_sum[c]++;
		if ((long)h->seq <= rep->last_seq[c][p])
			rep->out_of_order[c]++;
		rep->last_seq[c][p] = h->seq;
		rep->got[c][p]++;
		__atomic_fetch_add(&rep->seen[(size_t)p * n + h->seq], 1,
				   __ATOMIC_RELAXED);
	}
}

/*
 * A send or receive that need not wait finds its mailbox without taking
 * a reference: children that never wait race the mailbox's removal, over
 * and over.  Each call works or fails as a vanished mailbox makes it fail
 * (EINVAL, EIDRM), and every message, queued when its mailbox went or
 * made for a mailbox gone by the time it was to go in, is given back.
 */
#define RACE_KIDS	4
#define RACE_ROUNDS	300
TEST_F_TIMEOUT(mbox, stress_removal_races_calls, 600)
{
	struct ipclab_info before, after;
	volatile __u32 *shared;
	pid_t kids[RACE_KIDS];
	__u32 id, next;
	int k, r;

	shared = mmap(NULL, 2 * sizeof(*shared), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, shared);
	ASSERT_OK(ipclab_info(self->fd, &before));
	ASSERT_OK(mbox_get(self->fd, IPCLAB_KEY_PRIVATE, IPCLAB_CREAT, 0600,
			   8, 64, 512, &id));
	shared[0] = id;
	shared[1] = 0;
	for (k = 0; k < RACE_KIDS; k++) {
		kids[k] = kids_fork(&self->cl);
		ASSERT_LE(0, kids[k]);
		if (kids[k] == 0) {
			unsigned char buf[64];
			__u64 size;
			__s64 type;
			int ret;

			while (!shared[1]) {
				size = sizeof(buf);
				type = 0;
				if (k % 2)
					ret = mbox_recv_wait(self->fd, shared[0], &type,
							     buf, &size,
							     IPCLAB_WAIT_NOWAIT, 0);
				else
					ret = send_tag(self->fd, shared[0], 1, k,
						       8 + k, IPCLAB_WAIT_NOWAIT, 0);
				if (ret && errno != EAGAIN && errno != EINVAL &&
				    errno != EIDRM)
					_exit(errno);
			}
			_exit(0);
		}
	}
	for (r = 0; r < RACE_ROUNDS; r++) {
		usleep(1000);
		ASSERT_OK(mbox_get(self->fd, IPCLAB_KEY_PRIVATE, IPCLAB_CREAT, 0600,
				   8, 64, 512, &next));
		shared[0] = next;
		ASSERT_OK(ipclab_rmid(self->fd, id));
		id = next;
	}
	shared[1] = 1;
	for (k = 0; k < RACE_KIDS; k++)
		EXPECT_KID(0, kids[k], 60 * 1000) TH_LOG("child %d", k);
	ASSERT_OK(ipclab_rmid(self->fd, id));
	ASSERT_OK(ipclab_info(self->fd, &after));
	EXPECT_EQ(before.user.msgs, after.user.msgs);
	EXPECT_EQ(before.user.msg_bytes, after.user.msg_bytes);
	EXPECT_EQ(before.user.waiters, after.user.waiters);
	munmap((void *)shared, 2 * sizeof(*shared));
}

TEST_F_TIMEOUT(mbox, load_producers_consumers, 1800)
{
	const long n = load_iters();
	const size_t rep_size = sizeof(struct load_report) + LOAD_PRODUCERS * n;
	pid_t prod[LOAD_PRODUCERS], cons[LOAD_CONSUMERS];
	/* Small, so that both rooms fill: 16 messages or 2 KiB. */
	__u32 id = NEW_MBOX(16, sizeof(struct load_hdr) + LOAD_MAXPAY, 2048);
	struct load_report *rep;
	long total = 0, lost = 0, dup = 0;
	struct load_hdr stop;
	struct snap s;
	__u64 t0, t1;
	int i, c, p;
	long k;

	rep = mmap(NULL, rep_size, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, rep);
	memset(rep, 0, rep_size);

	t0 = mono_ns();
	for (c = 0; c < LOAD_CONSUMERS; c++) {
		cons[c] = kids_fork(&self->cl);
		ASSERT_LE(0, cons[c]);
		if (cons[c] == 0) {
			set_comm("mbcons%d", c);
			_exit(load_consumer(self->fd, id, c, n, rep));
		}
	}
	for (p = 0; p < LOAD_PRODUCERS; p++) {
		prod[p] = kids_fork(&self->cl);
		ASSERT_LE(0, prod[p]);
		if (prod[p] == 0) {
			set_comm("mbprod%d", p);
			_exit(load_producer(self->fd, id, p, n, rep));
		}
	}
	for (p = 0; p < LOAD_PRODUCERS; p++)
		EXPECT_KID(0, prod[p], -1) TH_LOG("producer %d", p);

	/* All data is queued or taken: one stop per consumer. */
	memset(&stop, 0, sizeof(stop));
	stop.producer = ~0u;
	for (c = 0; c < LOAD_CONSUMERS; c++)
		ASSERT_OK(mbox_send(self->fd, id, LOAD_STOP_TYPE, &stop, sizeof(stop)));
	for (c = 0; c < LOAD_CONSUMERS; c++)
		EXPECT_KID(0, cons[c], 10 * 60 * 1000) TH_LOG("consumer %d", c);
	t1 = mono_ns();

	for (c = 0; c < LOAD_CONSUMERS; c++) {
		EXPECT_EQ(1, rep->stops[c]) TH_LOG("consumer %d", c);
		EXPECT_EQ(0, rep->bad_head[c]) TH_LOG("consumer %d", c);
		EXPECT_EQ(0, rep->bad_sum[c]) TH_LOG("consumer %d", c);
		EXPECT_EQ(0, rep->out_of_order[c]) TH_LOG("consumer %d", c);
		for (p = 0; p < LOAD_PRODUCERS; p++)
			total += rep->got[c][p];
	}
	EXPECT_EQ(LOAD_PRODUCERS * n, total);
	for (k = 0; k < LOAD_PRODUCERS * n; k++) {
		if (rep->seen[k] == 0)
			lost++;
		else if (rep->seen[k] > 1)
			dup++;
	}
	EXPECT_EQ(0, lost) TH_LOG("messages never received");
	EXPECT_EQ(0, dup) TH_LOG("messages received more than once");

	ASSERT_OK(ipclab_snap(self->fd, id, &s));
	EXPECT_EQ(0, s.st.mbox.msgs);
	EXPECT_EQ(0, s.st.mbox.bytes);
	EXPECT_EQ(0, s.st.nwaiters);
	EXPECT_EQ(0, s.st.waiters_len);
	EXPECT_EQ(LOAD_PRODUCERS * n + LOAD_CONSUMERS, s.st.mbox.sent);
	EXPECT_EQ(LOAD_PRODUCERS * n + LOAD_CONSUMERS, s.st.mbox.received);

	TH_LOG("%d producers x %ld messages to %d consumers in %.1f s (%.0f msg/s)",
	       LOAD_PRODUCERS, n, LOAD_CONSUMERS, (t1 - t0) / 1e9,
	       LOAD_PRODUCERS * n / ((t1 - t0) / 1e9));
	for (c = 0; c < LOAD_CONSUMERS; c++)
		TH_LOG("consumer %d got %ld %ld %ld %ld, %ld timeouts", c,
		       rep->got[c][0], rep->got[c][1], rep->got[c][2],
		       rep->got[c][3], rep->timeouts[c]);
	for (p = 0; p < LOAD_PRODUCERS; p++)
		TH_LOG("producer %d retried %ld times", p, rep->retries[p]);
	i = munmap(rep, rep_size);
	EXPECT_EQ(0, i);
}

/* ------------------------------------------------------------------ */
/* What the SysV layer needs: msg_qbytes, MSG_COPY, counting as SysV   */
/* ------------------------------------------------------------------ */

static int set_max_bytes(int fd, __u32 id, __u32 mode, __u32 flags, __u64 max_bytes)
{
	struct ipclab_set s = {
		.id = id, .mode = mode, .uid = geteuid(), .gid = getegid(),
		.flags = flags, .max_bytes = max_bytes,
	};

	return ioctl(fd, IPCLAB_IOC_SET, &s);
}

/* IPCLAB_SET_MAX_BYTES: its errors, and a raise lets a sender in. */
TEST_F(mbox, set_max_bytes)
{
	__u32 id = NEW_MBOX(0, 16, 64), sem;
	struct ipclab_set s;
	struct ipclab_stat st;
	pid_t pid;

	EXPECT_ERRNO(EINVAL, set_max_bytes(self->fd, id, 0600, IPCLAB_SET_MAX_BYTES,
					   IPCLAB_MBOX_BYTES_CEIL + 1));
	EXPECT_ERRNO(EINVAL, set_max_bytes(self->fd, id, 0600, 0x4, 32));
	EXPECT_ERRNO(EINVAL, set_max_bytes(self->fd, id, 0600, 0, 32));
	s = (struct ipclab_set){ .id = id, .mode = 0600, .uid = geteuid(),
				 .gid = getegid(), .flags = IPCLAB_SET_MAX_BYTES,
				 .pad = 1, .max_bytes = 32 };
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, IPCLAB_IOC_SET, &s));
	ASSERT_OK(ipclab_stat(self->fd, id, &st));
	EXPECT_EQ(64, st.mbox.max_bytes);

	/* Fill 16 of 16, then a sender waits for 16 more bytes. */
	ASSERT_OK(set_max_bytes(self->fd, id, 0640, IPCLAB_SET_MAX_BYTES, 16));
	ASSERT_OK(ipclab_stat(self->fd, id, &st));
	EXPECT_EQ(16, st.mbox.max_bytes);
	EXPECT_EQ(0640, st.perm.mode);
	SEND_NOW(id, 1, 1, 16);
	EXPECT_ERRNO(EAGAIN, send_tag(self->fd, id, 1, 2, 16, IPCLAB_WAIT_NOWAIT, 0));
	pid = kids_fork(&self->cl);
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(child_status(send_tag(self->fd, id, 1, 2, 16, 0, 0)));
	ASSERT_TRUE(wait_for_waiters(self->fd, id, 1));
	ASSERT_OK(set_max_bytes(self->fd, id, 0640, IPCLAB_SET_MAX_BYTES, 32));
	EXPECT_KID(0, pid, IPCLAB_SETTLE_MS);
	check_mbox(id, 2, 32, 0);

	/* Below what is queued: receiving still works, sending waits. */
	ASSERT_OK(set_max_bytes(self->fd, id, 0640, IPCLAB_SET_MAX_BYTES, 0));
	EXPECT_ERRNO(EAGAIN, send_tag(self->fd, id, 1, 3, 0, IPCLAB_WAIT_NOWAIT, 0));
	EXPECT_RECV(id, 0, 0, 1, 1, 16);
	EXPECT_RECV(id, 0, 0, 1, 2, 16);

	/* A semaphore set takes no such flag. */
	ASSERT_OK(ipclab_get(self->fd, IPCLAB_TYPE_SEM, IPCLAB_KEY_PRIVATE,
			     IPCLAB_CREAT, 0600, 1, &sem));
	cl_track(&self->cl, sem);
	EXPECT_ERRNO(EINVAL, set_max_bytes(self->fd, sem, 0600, IPCLAB_SET_MAX_BYTES, 16));
}

/* Above mbox_max_bytes needs CAP_SYS_RESOURCE; the owner check comes first. */
TEST_F(mbox, set_max_bytes_nobody)
{
	__u32 root_id = NEW_MBOX(0, 0, 0);
	pid_t pid;

	if (geteuid() != 0)
		SKIP(return, "needs root to become nobody");
	pid = kids_fork(&self->cl);
	ASSERT_LE(0, pid);
	if (pid == 0) {
		__u64 lim = param_or("mbox_max_bytes", DEF_MBOX_MAX_BYTES);
		struct ipclab_stat st;
		__u32 id;
		int fd;

		if (drop_to_nobody())
			_exit(CHILD_BROKEN);
		fd = open(IPCLAB_DEVICE, O_RDWR | O_CLOEXEC);
		if (fd < 0 || mbox_get(fd, IPCLAB_KEY_PRIVATE, IPCLAB_CREAT, 0600,
				       0, 0, 0, &id))
			_exit(CHILD_BROKEN);
		CHILD_CHECK(set_max_bytes(fd, root_id, 0600, IPCLAB_SET_MAX_BYTES, 16), EPERM);
		CHILD_CHECK(set_max_bytes(fd, id, 0644, IPCLAB_SET_MAX_BYTES, lim + 1), EPERM);
		CHILD_CHECK(ipclab_stat(fd, id, &st), 0);
		if (st.perm.mode != 0600 || st.mbox.max_bytes != lim)
			_exit(CHILD_CHECK_FAILED);	/* all or nothing */
		CHILD_CHECK(set_max_bytes(fd, id, 0600, IPCLAB_SET_MAX_BYTES, lim), 0);
		CHILD_CHECK(ipclab_rmid(fd, id), 0);
		_exit(0);
	}
	EXPECT_KID(0, pid, IPCLAB_SETTLE_MS);
}

static int recv_copy(int fd, __u32 id, __s64 pos, void *buf, __u64 size,
		     __u32 flags, __s64 *type, __u64 *got)
{
	struct ipclab_msgrcv r = {
		.id = id, .flags = flags, .type = pos,
		.text = ptr_u64(buf), .size = size,
	};
	int ret = ioctl(fd, IPCLAB_IOC_MBOX_RECV, &r);

	if (!ret) {
		*type = r.type;
		*got = r.size;
	}
	return ret;
}

/* IPCLAB_MSG_COPY: by position, the mailbox untouched; its errors. */
TEST_F(mbox, msg_copy)
{
	const __u32 copy = IPCLAB_MSG_COPY | IPCLAB_WAIT_NOWAIT;
	__u32 id = NEW_MBOX(0, 0, 0);
	unsigned char buf[64];
	struct ipclab_stat st;
	__s64 type = 0;
	__u64 got = 0;
	int i;

	for (i = 0; i < 3; i++)
		SEND_NOW(id, 10 + i, 100 + i, 8 + i);
	for (i = 0; i < 3; i++) {
		ASSERT_OK(recv_copy(self->fd, id, i, buf, sizeof(buf), copy, &type, &got));
		EXPECT_EQ(10 + i, type);
		EXPECT_EQ(8 + i, got);
		EXPECT_EQ(100 + i, text_tag(buf));
	}
	EXPECT_ERRNO(EAGAIN, recv_copy(self->fd, id, 3, buf, sizeof(buf), copy, &type, &got));
	EXPECT_ERRNO(EAGAIN, recv_copy(self->fd, id, -1, buf, sizeof(buf), copy, &type, &got));
	EXPECT_ERRNO(EAGAIN, recv_copy(self->fd, id, INT64_MIN, buf, sizeof(buf), copy,
				       &type, &got));
	EXPECT_ERRNO(EINVAL, recv_copy(self->fd, id, 0, buf, sizeof(buf), IPCLAB_MSG_COPY,
				       &type, &got));
	EXPECT_ERRNO(EINVAL, recv_copy(self->fd, id, 1, buf, sizeof(buf),
				       copy | IPCLAB_MSG_EXCEPT, &type, &got));
	EXPECT_ERRNO(E2BIG, recv_copy(self->fd, id, 2, buf, 4, copy, &type, &got));
	/* Natively, MSG_NOERROR truncates the copy. */
	ASSERT_OK(recv_copy(self->fd, id, 2, buf, 4, copy | IPCLAB_MSG_NOERROR, &type, &got));
	EXPECT_EQ(4, got);
	EXPECT_EQ(102, text_tag(buf));
	EXPECT_ERRNO(EFAULT, recv_copy(self->fd, id, 0, NULL, sizeof(buf), copy, &type, &got));
	EXPECT_ERRNO(EINVAL, recv_copy(self->fd, id + IPCLAB_ID_SLOTS, 0, buf, sizeof(buf),
				       copy, &type, &got));
	ASSERT_OK(ipclab_stat(self->fd, id, &st));
	EXPECT_EQ(3, st.mbox.msgs);
	EXPECT_EQ(27, st.mbox.bytes);
	EXPECT_EQ(0, st.mbox.received);
	EXPECT_EQ(0, st.mbox.lrpid);
	EXPECT_EQ(0, st.mbox.rtime);
	EXPECT_RECV(id, 0, 0, 10, 100, 8);
}

/* IPCLAB_MSG_COUNT_BYTES: as many messages as bytes, moved by SET. */
TEST_F(mbox, count_bytes)
{
	struct ipclab_stat st;
	__u32 id, bad;
	int i;

	EXPECT_ERRNO(EINVAL, mbox_get(self->fd, IPCLAB_KEY_PRIVATE, IPCLAB_MSG_COUNT_BYTES,
				      0600, 0, 0, 0, &bad));
	EXPECT_ERRNO(EINVAL, mbox_get(self->fd, IPCLAB_KEY_PRIVATE,
				      IPCLAB_CREAT | IPCLAB_MSG_COUNT_BYTES, 0600, 4, 0, 0, &bad));
	EXPECT_ERRNO(EINVAL, ipclab_get(self->fd, IPCLAB_TYPE_SEM, IPCLAB_KEY_PRIVATE,
					IPCLAB_CREAT | IPCLAB_MSG_COUNT_BYTES, 0600, 1, &bad));
	ASSERT_OK(mbox_get(self->fd, IPCLAB_KEY_PRIVATE, IPCLAB_CREAT | IPCLAB_MSG_COUNT_BYTES,
			   0600, 0, 4, 8, &id));
	cl_track(&self->cl, id);
	ASSERT_OK(ipclab_stat(self->fd, id, &st));
	EXPECT_EQ(8, st.mbox.max_msgs);
	EXPECT_EQ(IPCLAB_MSG_COUNT_BYTES, st.perm.flags);
	for (i = 0; i < 8; i++)
		SEND_NOW(id, 1, i, 0);
	EXPECT_ERRNO(EAGAIN, send_tag(self->fd, id, 1, 9, 0, IPCLAB_WAIT_NOWAIT, 0));
	ASSERT_OK(set_max_bytes(self->fd, id, 0600, IPCLAB_SET_MAX_BYTES, 9));
	ASSERT_OK(ipclab_stat(self->fd, id, &st));
	EXPECT_EQ(9, st.mbox.max_msgs);
	SEND_NOW(id, 1, 9, 0);
	EXPECT_ERRNO(EAGAIN, send_tag(self->fd, id, 1, 10, 0, IPCLAB_WAIT_NOWAIT, 0));
	check_mbox(id, 9, 0, 0);
}

TEST_HARNESS_MAIN
