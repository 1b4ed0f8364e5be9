// SPDX-License-Identifier: GPL-2.0
/*
 * What a hostile user can do to ipclab, and must not be able to.
 *
 * /dev/ipclab is mode 0666 on machines a whole class shares.  Each test
 * here is an attack that once worked, or a limit that keeps one from
 * working:
 *
 *  - a process that shares its fd table with another (CLONE_FILES), or
 *    whose threads unshared theirs, or that passed its fds away, still
 *    ends exactly once: its undo is applied once, its robust mutexes
 *    become owner-dead, its record goes (no kernel memory pinned);
 *  - walking the object table (LIST, the debugfs file) while removed,
 *    mapped buffers leave it at their last unmap touches no freed object;
 *  - removing a mailbox that holds a message too big for kmalloc() frees
 *    it without sleeping under a spinlock;
 *  - IPCLAB_IOC_CYCLE shows nothing of an object the caller may not read;
 *  - every per-user limit is checked before the work, and says ENOSPC;
 *    shared-buffer pages cost nothing until they are touched;
 *  - a snapshot walks at most IPCLAB_SNAP_MAX entries of each kind.
 *
 * The debug kernel is the judge of the memory-safety ones (KASAN,
 * lockdep, "sleeping function called from invalid context"): the lab VM
 * fails the run on any such report.
 */
#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "ipclab_test.h"

FIXTURE(hostile) {
	int fd;
	struct ipclab_cleanup cl;
};

FIXTURE_SETUP(hostile)
{
	memset(&self->cl, 0, sizeof(self->cl));
	IPCLAB_OPEN_OR_SKIP(self->fd);
}

FIXTURE_TEARDOWN_PARENT(hostile)
{
	ipclab_cleanup(&self->cl);
}

#define SKIP_UNLESS_ROOT() do {						\
	if (geteuid() != 0)						\
		SKIP(return, "needs root (to change users or limits)");	\
} while (0)

/* The machine's process records now. */
static long info_procs(int fd)
{
	struct ipclab_info info;

	return ipclab_info(fd, &info) ? -1 : (long)info.total.procs;
}

/*
 * Wait (bounded) until the set's semaphore 0 is @val and the mutex is
 * owner-dead: the end of the process that held both has been seen.
 */
static bool wait_ended(int fd, __u32 sid, int val, __u32 mid)
{
	__u64 deadline = mono_ns() + IPCLAB_SETTLE_MS * NSEC_PER_MSEC;
	struct ipclab_stat st;

	for (;;) {
		if (sem_getval(fd, sid, 0) == val && !ipclab_stat(fd, mid, &st) &&
		    st.mutex.state == IPCLAB_MUTEX_OWNERDEAD)
			return true;
		if (mono_ns() > deadline)
			return false;
		usleep(1000);
	}
}

/* Wait (bounded) until the machine has @n process records. */
static bool wait_procs(int fd, long n)
{
	__u64 deadline = mono_ns() + IPCLAB_SETTLE_MS * NSEC_PER_MSEC;

	while (info_procs(fd) != n) {
		if (mono_ns() > deadline)
			return false;
		usleep(1000);
	}
	return true;
}

/* ------------------------------------------------------------------ */
/* The end of a process, however its fds are shared                   */
/* ------------------------------------------------------------------ */

struct clone_arg {
	int fd;
	__u32 sid, mid;
};

/* A clone(CLONE_FILES) child: take a unit with undo, lock, exit. */
static int clone_child(void *p)
{
	struct clone_arg *a = p;

	if (sem_op1(a->fd, a->sid, 0, -1, IPCLAB_SEMBUF_UNDO))
		_exit(child_status(-1));
	if (a->mid && mutex_lock(a->fd, a->mid))
		_exit(child_status(-1));
	_exit(0);
}

static pid_t clone_files(struct ipclab_cleanup *cl, struct clone_arg *a)
{
	static char stack[64 * 1024] __attribute__((aligned(16)));
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	/* No CLONE_VM: the child has its own copy of memory, stack included. */
	pid = clone(clone_child, stack + sizeof(stack), CLONE_FILES | SIGCHLD, a);
	if (pid > 0 && cl->nkids < CL_MAX_KIDS)
		cl->kids[cl->nkids++] = pid;
	return pid;
}

/*
 * A child that shares our fd table (CLONE_FILES without CLONE_THREAD)
 * never closes "its" session fd: the table, and the fd, live on in us.
 * Its exit is its end all the same.
 */
TEST_F(hostile, clone_files_child_ends_at_exit)
{
	struct clone_arg a = { .fd = self->fd, .sid = NEW_SEM(1), .mid = NEW_MUTEX() };
	long before = info_procs(self->fd);
	pid_t pid;

	ASSERT_LE(0, before);
	ASSERT_OK(sem_setval(self->fd, a.sid, 0, 1));
	pid = clone_files(&self->cl, &a);
	ASSERT_LT(0, pid);
	ASSERT_KID(0, pid, IPCLAB_SETTLE_MS);

	EXPECT_TRUE(wait_ended(self->fd, a.sid, 1, a.mid))
		TH_LOG("the child exited, but its undo and mutex stay");
	EXPECT_TRUE(wait_procs(self->fd, before))
		TH_LOG("its process record stays");
	EXPECT_ERRNO(EOWNERDEAD, mutex_lock(self->fd, a.mid));
	EXPECT_OK(mutex_consistent(self->fd, a.mid));
	EXPECT_OK(mutex_unlock(self->fd, a.mid));
}

/* Many such children pin nothing: every record goes, every undo comes back. */
TEST_F(hostile, clone_files_children_pin_nothing)
{
	struct clone_arg a = { .fd = self->fd, .sid = NEW_SEM(1) };
	const int n = 200;
	long before = info_procs(self->fd);

	pid_t pid;
	int i;

	ASSERT_LE(0, before);
	ASSERT_OK(sem_setval(self->fd, a.sid, 0, n));
	for (i = 0; i < n; i++) {
		pid = clone_files(&self->cl, &a);
		ASSERT_LT(0, pid);
		ASSERT_KID(0, pid, IPCLAB_SETTLE_MS);
	}
	EXPECT_TRUE(wait_procs(self->fd, before))
		TH_LOG("%ld process records left", info_procs(self->fd) - before);
	EXPECT_EQ(n, sem_getval(self->fd, a.sid, 0));
}

struct unshare_arg {
	int fd;
	__u32 sid, mid;
	int ret;
};

static void *unshare_thread(void *p)
{
	struct unshare_arg *a = p;

	a->ret = unshare(CLONE_FILES) ? errno :
		 call_errno(sem_op1(a->fd, a->sid, 0, -1, IPCLAB_SEMBUF_UNDO)) ?:
		 call_errno(mutex_lock(a->fd, a->mid));
	return NULL;
}

/*
 * A thread unshares its fd table (it gets a copy, with the session fd)
 * and takes a unit with undo and a mutex; then the process exits, both
 * tables are torn down, and the process ends once: the unit comes back
 * once (5, not 6).
 */
TEST_F(hostile, unshared_table_process_ends_once)
{
	struct unshare_arg a = { .fd = self->fd, .sid = NEW_SEM(1), .mid = NEW_MUTEX() };
	long before = info_procs(self->fd);
	pid_t pid;

	ASSERT_OK(sem_setval(self->fd, a.sid, 0, 5));
	pid = kids_fork(&self->cl);
	ASSERT_LE(0, pid);
	if (pid == 0) {
		pthread_t t;

		if (pthread_create(&t, NULL, unshare_thread, &a) ||
		    pthread_join(t, NULL))
			_exit(CHILD_BROKEN);
		_exit(a.ret);
	}
	ASSERT_KID(0, pid, IPCLAB_SETTLE_MS);
	EXPECT_TRUE(wait_ended(self->fd, a.sid, 5, a.mid));
	EXPECT_TRUE(wait_procs(self->fd, before));
	usleep(100 * 1000);
	EXPECT_EQ(5, sem_getval(self->fd, a.sid, 0)) TH_LOG("undo applied twice?");
}

static int send_fd(int sock, int fd)
{
	char byte = 'f', cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

static int recv_fd(int sock)
{
	char byte, cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c;
	int fd;

	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

/*
 * A child passes its only session fd to us over a UNIX socket and closes
 * its own: it has no session left, so it has ended (while it lives on),
 * though the file is open in our table.  Its exit changes nothing more.
 */
TEST_F(hostile, passed_fd_process_ends_once)
{
	__u32 sid = NEW_SEM(1), mid = NEW_MUTEX();
	struct rendezvous rv;
	int sv[2], got;
	pid_t pid;

	ASSERT_OK(sem_setval(self->fd, sid, 0, 5));
	ASSERT_OK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	ASSERT_OK(rv_open(&rv));
	pid = kids_fork(&self->cl);
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd;

		rv_child(&rv);
		close(self->fd);
		fd = open(IPCLAB_DEVICE, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			_exit(CHILD_BROKEN);
		CHILD_CHECK(sem_op1(fd, sid, 0, -1, IPCLAB_SEMBUF_UNDO), 0);
		CHILD_CHECK(mutex_lock(fd, mid), 0);
		CHILD_CHECK(send_fd(sv[1], fd), 0);
		CHILD_CHECK(close(fd), 0);
		if (put_byte(rv.ready[1], 'c'))
			_exit(CHILD_BROKEN);
		get_byte(rv.go[0], 60 * 1000);
		_exit(0);
	}
	rv_parent(&rv);
	got = recv_fd(sv[0]);
	ASSERT_LE(0, got);
	ASSERT_EQ('c', get_byte(rv.ready[0], IPCLAB_SETTLE_MS));
	ASSERT_TRUE(kid_running(pid));
	EXPECT_TRUE(wait_ended(self->fd, sid, 5, mid))
		TH_LOG("it closed its last session fd, and has not ended");

	/* The passed fd is an ordinary session of ours now. */
	EXPECT_OK(sem_op1(got, sid, 0, -1, 0));
	EXPECT_OK(sem_op1(got, sid, 0, 1, 0));
	ASSERT_OK(put_byte(rv.go[1], 'g'));
	EXPECT_KID(0, pid, IPCLAB_SETTLE_MS);
	usleep(100 * 1000);
	EXPECT_EQ(5, sem_getval(self->fd, sid, 0));
	close(got);
	close(sv[0]);
	close(sv[1]);
	rv_close(&rv);
}

/*
 * Closing session fds in other ways: dup2() over one of three copies is
 * not the end; close_range() over the rest is, once.
 */
TEST_F(hostile, dup2_and_close_range_end_once)
{
	__u32 sid = NEW_SEM(1), mid = NEW_MUTEX();
	struct rendezvous rv;
	pid_t pid;

	ASSERT_OK(sem_setval(self->fd, sid, 0, 5));
	ASSERT_OK(rv_open(&rv));
	pid = kids_fork(&self->cl);
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int first, fd, d1, d2, spare;

		rv_child(&rv);
		close(self->fd);
		spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
		/* The sessions are the highest fds (100..102), for close_range(). */
		first = open(IPCLAB_DEVICE, O_RDWR | O_CLOEXEC);
		fd = fcntl(first, F_DUPFD_CLOEXEC, 100);
		d1 = fcntl(fd, F_DUPFD_CLOEXEC, 101);
		d2 = fcntl(fd, F_DUPFD_CLOEXEC, 102);
		if (spare < 0 || first < 0 || fd != 100 || d1 != 101 || d2 != 102 ||
		    close(first))
			_exit(CHILD_BROKEN);
		CHILD_CHECK(sem_op1(fd, sid, 0, -1, IPCLAB_SEMBUF_UNDO), 0);
		CHILD_CHECK(mutex_lock(fd, mid), 0);
		if (put_byte(rv.ready[1], 'a'))
			_exit(CHILD_BROKEN);
		get_byte(rv.go[0], 60 * 1000);
		CHILD_CHECK(dup2(spare, d2) == d2 ? 0 : -1, 0);
		if (put_byte(rv.ready[1], 'b'))
			_exit(CHILD_BROKEN);
		get_byte(rv.go[0], 60 * 1000);
		CHILD_CHECK(syscall(SYS_close_range, fd, ~0U, 0), 0);
		if (put_byte(rv.ready[1], 'c'))
			_exit(CHILD_BROKEN);
		get_byte(rv.go[0], 60 * 1000);
		_exit(0);
	}
	rv_parent(&rv);
	ASSERT_EQ('a', get_byte(rv.ready[0], IPCLAB_SETTLE_MS));
	EXPECT_EQ(4, sem_getval(self->fd, sid, 0));
	ASSERT_OK(put_byte(rv.go[1], 'g'));
	ASSERT_EQ('b', get_byte(rv.ready[0], IPCLAB_SETTLE_MS));
	/* Two session fds are left: nothing has ended. */
	EXPECT_EQ(4, sem_getval(self->fd, sid, 0));
	check_mutex_state(self->fd, mid, IPCLAB_MUTEX_LOCKED, pid, 0);
	ASSERT_OK(put_byte(rv.go[1], 'g'));
	ASSERT_EQ('c', get_byte(rv.ready[0], IPCLAB_SETTLE_MS));
	EXPECT_TRUE(wait_ended(self->fd, sid, 5, mid));
	ASSERT_OK(put_byte(rv.go[1], 'g'));
	EXPECT_KID(0, pid, IPCLAB_SETTLE_MS);
	usleep(100 * 1000);
	EXPECT_EQ(5, sem_getval(self->fd, sid, 0));
	rv_close(&rv);
}

/*
 * The last close, decided while another thread moves a session fd: T1
 * closes session fd s while T2 dups a high session fd onto s (the lowest
 * free fd) and closes the high one.  The process keeps a session all
 * along, so it must not end: its undo must not be applied.  A table
 * shared by threads is scanned under its lock for that.
 */
struct mover {
	int s, high, moved;
	volatile int go;
};

static void *mover_thread(void *p)
{
	struct mover *m = p;

	while (!m->go)
		;
	while (fcntl(m->s, F_GETFD) != -1)	/* T1 has taken s out */
		;
	m->moved = dup(m->high);		/* lands on s */
	close(m->high);
	return NULL;
}

TEST_F_TIMEOUT(hostile, close_while_a_thread_moves_the_session, 120)
{
	struct ipclab_sembuf v = sembuf(0, 1, IPCLAB_SEMBUF_UNDO);
	int attempt, i, nul, bad = 0;
	struct rlimit rl;
	__u32 id;

	/* Fillers, so that a scan of the table takes a while. */
	ASSERT_OK(getrlimit(RLIMIT_NOFILE, &rl));
	if (rl.rlim_max < 20000)
		rl.rlim_max = 20000;	/* root may raise it */
	rl.rlim_cur = 20000;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		SKIP(return, "cannot have 20000 fds: %s", strerror(errno));
	nul = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, nul);
	for (i = 0; i < 15000; i++)
		ASSERT_EQ(100 + i, dup2(nul, 100 + i));
	for (attempt = 0; attempt < 10; attempt++) {
		struct mover m = { .high = 19000 };
		pthread_t t;

		m.s = open(IPCLAB_DEVICE, O_RDWR | O_CLOEXEC);
		ASSERT_LE(0, m.s);
		ASSERT_EQ(m.high, dup2(m.s, m.high));
		ASSERT_OK(sem_create(m.s, 1, &id));
		ASSERT_OK(sem_ops(m.s, id, &v, 1, 0, 0));	/* value 1, undo -1 */
		ASSERT_EQ(0, pthread_create(&t, NULL, mover_thread, &m));
		m.go = 1;
		close(m.s);
		pthread_join(t, NULL);
		ASSERT_LE(0, m.moved);
		if (sem_getval(m.moved, id, 0) != 1)
			bad++;
		ipclab_rmid(m.moved, id);
		close(m.moved);
	}
	EXPECT_EQ(0, bad) TH_LOG("%d of 10 closes ended a process that kept a session", bad);
}

/* ------------------------------------------------------------------ */
/* Walking the table while objects leave it                           */
/* ------------------------------------------------------------------ */

struct race {
	int fd;
	volatile bool stop;
	long rounds, errors;
	int err;	/* the first unexpected errno */
};

static void race_error(struct race *r, int err)
{
	if (!r->errors++)
		r->err = err;
}

/*
 * A shared buffer removed while mapped lingers in the table and leaves it
 * at its last unmap, from inside munmap(): that unlink races with every
 * walk of the table.
 */
static void *race_unmapper(void *p)
{
	struct ipclab_open o = { .flags = IPCLAB_OPEN_READ | IPCLAB_OPEN_WRITE };
	struct race *r = p;
	void *m;
	__u32 id;

	while (!r->stop) {
		if (shbuf_create(r->fd, 4096, &id)) {
			race_error(r, errno);
			continue;
		}
		o.id = id;
		if (ioctl(r->fd, IPCLAB_IOC_OPEN, &o)) {
			race_error(r, errno);
			ipclab_rmid(r->fd, id);
			continue;
		}
		m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, o.fd, 0);
		close(o.fd);
		if (m == MAP_FAILED) {
			race_error(r, errno);
			ipclab_rmid(r->fd, id);
			continue;
		}
		*(volatile char *)m = 1;
		if (ipclab_rmid(r->fd, id))
			race_error(r, errno);
		munmap(m, 4096);
		r->rounds++;
	}
	return NULL;
}

static void *race_lister(void *p)
{
	struct race *r = p;
	__u32 ids[256];
	struct ipclab_list l;

	while (!r->stop) {
		l = (struct ipclab_list){ .len = 256, .ids = ptr_u64(ids) };
		if (ioctl(r->fd, IPCLAB_IOC_LIST, &l))
			race_error(r, errno);
		r->rounds++;
	}
	return NULL;
}

static void *race_debugfs(void *p)
{
	struct race *r = p;
	char buf[4096];
	int fd;

	while (!r->stop) {
		fd = open("/sys/kernel/debug/ipclab/objects", O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return NULL;	/* no debugfs: the others go on */
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		close(fd);
		r->rounds++;
	}
	return NULL;
}

/*
 * The debugfs listing read a few bytes at a time, and with an object
 * whose lines are longer than seq_file's first buffer: every object's
 * line appears exactly once, as in one big read.
 */
static int count_in_listing(size_t chunk, __u32 id, char *buf, size_t len)
{
	char line[64];
	size_t n = 0;
	ssize_t r;
	int fd, hits = 0;
	char *p;

	fd = open("/sys/kernel/debug/ipclab/objects", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while (n + chunk < len && (r = read(fd, buf + n, chunk)) > 0)
		n += r;
	close(fd);
	buf[n] = '\0';
	snprintf(line, sizeof(line), " %u 600 ", id);	/* " id mode " */
	for (p = buf; (p = strstr(p, line)); p++)
		hits++;
	return hits;
}

TEST_F(hostile, debugfs_listing_in_small_reads)
{
	size_t len = 1 << 20;
	__u32 big = NEW_SEM(3000), small[3];
	char *buf;
	int i;

	SKIP_UNLESS_ROOT();
	if (access("/sys/kernel/debug/ipclab/objects", R_OK))
		SKIP(return, "no debugfs listing");
	for (i = 0; i < 3; i++)
		small[i] = NEW_SEM(1);
	buf = malloc(len);
	ASSERT_NE(NULL, buf);
	/* 3000 values of 2 bytes: past the first page seq_file tries. */
	EXPECT_EQ(1, count_in_listing(len / 2, big, buf, len));
	EXPECT_EQ(1, count_in_listing(7, big, buf, len));
	EXPECT_EQ(1, count_in_listing(4096, big, buf, len));
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(1, count_in_listing(7, small[i], buf, len));
		EXPECT_EQ(1, count_in_listing(100, small[i], buf, len));
	}
	free(buf);
}

/* Creation charges the user: it used to walk the table to count. */
static void *race_creator(void *p)
{
	struct race *r = p;
	__u32 id;

	while (!r->stop) {
		if (mutex_create(r->fd, &id)) {
			race_error(r, errno);
			continue;
		}
		if (ipclab_rmid(r->fd, id))
			race_error(r, errno);
		r->rounds++;
	}
	return NULL;
}

TEST_F_TIMEOUT(hostile, walks_race_unlink, 120)
{
	void *(*fn[])(void *) = {
		race_unmapper, race_unmapper, race_lister, race_debugfs,
		race_creator,
	};
	struct race r[ARRAY_SIZE(fn)];
	pthread_t t[ARRAY_SIZE(fn)];
	const char *e = getenv("IPCLAB_STRESS_ITERS");
	long iters = e ? atol(e) : 100000;
	unsigned int i;

	/* A few seconds at full size, less when the stress tests shrink. */
	for (i = 0; i < ARRAY_SIZE(fn); i++) {
		r[i] = (struct race){ .fd = self->fd };
		ASSERT_EQ(0, pthread_create(&t[i], NULL, fn[i], &r[i]));
	}
	usleep(iters >= 100000 ? 5000000 : 2000000);
	for (i = 0; i < ARRAY_SIZE(fn); i++)
		r[i].stop = true;
	for (i = 0; i < ARRAY_SIZE(fn); i++) {
		pthread_join(t[i], NULL);
		EXPECT_EQ(0, r[i].errors)
			TH_LOG("thread %u: %ld errors, the first %s", i,
			       r[i].errors, strerror(r[i].err));
	}
	TH_LOG("unmap rounds %ld + %ld, lists %ld, debugfs reads %ld, creations %ld",
	       r[0].rounds, r[1].rounds, r[2].rounds, r[3].rounds, r[4].rounds);
	EXPECT_LT(0, r[0].rounds);
	EXPECT_LT(0, r[2].rounds);
}

/* ------------------------------------------------------------------ */
/* Frees after unlock                                                 */
/* ------------------------------------------------------------------ */

/*
 * A message bigger than kmalloc() can give (4 MiB) is vmalloc()ed; its
 * vfree() may sleep, so removing the mailbox that holds it must free it
 * after dropping the mailbox's spinlock (the debug kernel reports the
 * sleep otherwise).  Root raises the limits for it.
 */
TEST_F(hostile, big_message_freed_after_unlock)
{
	const size_t size = (4 << 20) + 4096;
	struct ipclab_msgsnd snd = { .type = 1, .size = size };
	struct ipclab_info before, after;
	struct ipclab_get g = {
		.type = IPCLAB_TYPE_MBOX, .flags = IPCLAB_CREAT, .mode = 0600,
		.mbox.max_msgs = 4, .mbox.max_msgsz = size, .mbox.max_bytes = 2 * size,
	};
	char *text;

	SKIP_UNLESS_ROOT();
	PARAM_CHANGE_OR_SKIP("mbox_max_msgsz", size);
	PARAM_CHANGE_OR_SKIP("mbox_max_bytes", 2 * size);
	PARAM_CHANGE_OR_SKIP("max_msg_bytes_per_user", 4 * size);
	text = malloc(size);
	ASSERT_NE(NULL, text);
	memset(text, 'm', size);
	ASSERT_OK(ipclab_info(self->fd, &before));

	ASSERT_OK(ioctl(self->fd, IPCLAB_IOC_GET, &g));
	cl_track(&self->cl, g.id);
	snd.id = g.id;
	snd.text = ptr_u64(text);
	ASSERT_OK(ioctl(self->fd, IPCLAB_IOC_MBOX_SEND, &snd));
	ASSERT_OK(ioctl(self->fd, IPCLAB_IOC_MBOX_SEND, &snd));
	ASSERT_OK(ipclab_info(self->fd, &after));
	EXPECT_EQ(before.user.msgs + 2, after.user.msgs);
	EXPECT_EQ(before.user.msg_bytes + 2 * size, after.user.msg_bytes);

	ASSERT_OK(ipclab_rmid(self->fd, g.id));
	ASSERT_OK(ipclab_info(self->fd, &after));
	EXPECT_EQ(before.user.msgs, after.user.msgs);
	EXPECT_EQ(before.user.msg_bytes, after.user.msg_bytes);
	free(text);
}

/* ------------------------------------------------------------------ */
/* IPCLAB_IOC_CYCLE shows only what the caller may read               */
/* ------------------------------------------------------------------ */

/*
 * X is root's mutex, writable but not readable by others (0602); M is a
 * mutex everybody may use that refuses deadlocks.  Nobody (B) locks X;
 * root's process R locks M and then waits for X.  B's lock of M would
 * close the cycle B -> M (R) -> X (B): refused.  The cycle B reads back
 * names R and X in its second entry: B may not read X, so that entry is
 * hidden, as a snapshot would leave X out.
 */
TEST_F(hostile, cycle_hides_unreadable_objects)
{
	__u32 x, m;
	struct rendezvous rb, rr;
	pid_t b, r;

	SKIP_UNLESS_ROOT();
	ASSERT_OK(ipclab_get(self->fd, IPCLAB_TYPE_MUTEX, IPCLAB_KEY_PRIVATE,
			     IPCLAB_CREAT, 0602, 0, &x));
	cl_track(&self->cl, x);
	ASSERT_OK(ipclab_get(self->fd, IPCLAB_TYPE_MUTEX, IPCLAB_KEY_PRIVATE,
			     IPCLAB_CREAT | IPCLAB_REFUSE_DEADLOCK, 0666, 0, &m));
	cl_track(&self->cl, m);
	ASSERT_OK(rv_open(&rb));
	ASSERT_OK(rv_open(&rr));

	b = kids_fork(&self->cl);
	ASSERT_LE(0, b);
	if (b == 0) {
		struct ipclab_cycle_entry e[4];
		struct ipclab_cycle c = { .len = 4, .entries = ptr_u64(e) };
		struct ipclab_stat st;

		rv_child(&rb);
		if (drop_to_nobody())
			_exit(CHILD_BROKEN);
		CHILD_CHECK(ipclab_stat(self->fd, x, &st), EACCES);
		CHILD_CHECK(mutex_lock(self->fd, x), 0);
		if (put_byte(rb.ready[1], 'x'))
			_exit(CHILD_BROKEN);
		get_byte(rb.go[0], 60 * 1000);
		CHILD_CHECK(mutex_lock(self->fd, m), EDEADLK);
		memset(e, 0xcc, sizeof(e));
		CHILD_CHECK(ioctl(self->fd, IPCLAB_IOC_CYCLE, &c), 0);
		/* Entry 0 is ours, on M: shown.  Entry 1 is R's, on X: hidden. */
		CHILD_CHECK(c.len == 2 && e[0].pid == getpid() && e[0].id == m &&
			    !e[0].flags ? 0 : -1, 0);
		CHILD_CHECK(e[1].flags == IPCLAB_CYCLE_HIDDEN && !e[1].pid &&
			    !e[1].tid && !e[1].comm[0] && !e[1].id && !e[1].num &&
			    !e[1].type ? 0 : -1, 0);
		_exit(0);
	}
	rv_parent(&rb);
	ASSERT_EQ('x', get_byte(rb.ready[0], IPCLAB_SETTLE_MS));

	r = kids_fork(&self->cl);
	ASSERT_LE(0, r);
	if (r == 0) {
		rv_child(&rr);
		CHILD_CHECK(mutex_lock(self->fd, m), 0);
		if (put_byte(rr.ready[1], 'm'))
			_exit(CHILD_BROKEN);
		mutex_lock(self->fd, x);	/* waits until killed */
		_exit(0);
	}
	rv_parent(&rr);
	ASSERT_EQ('m', get_byte(rr.ready[0], IPCLAB_SETTLE_MS));
	ASSERT_TRUE(wait_for_waiters(self->fd, x, 1));

	ASSERT_OK(put_byte(rb.go[1], 'g'));
	EXPECT_KID(0, b, IPCLAB_SETTLE_MS)
		TH_LOG("the cycle showed what nobody may not read");
	kids_kill(&self->cl, r, SIGKILL);
	rv_close(&rb);
	rv_close(&rr);
}

/* ------------------------------------------------------------------ */
/* Limits come before the work                                        */
/* ------------------------------------------------------------------ */

TEST_F(hostile, info_reports_limits_and_usage)
{
	struct ipclab_info info;
	long v;

	ASSERT_OK(ipclab_info(self->fd, &info));
	EXPECT_EQ(geteuid(), info.uid);
	EXPECT_EQ(param_or("max_objects", -1), info.limits.max_objects);
	EXPECT_EQ(param_or("max_waiters_per_user", -1), info.limits.max_waiters_per_user);
	EXPECT_EQ(param_or("max_shbuf_pages_per_user", -1),
		  (long)info.limits.max_shbuf_pages_per_user);
	EXPECT_EQ(param_or("stop_percent", -1), info.limits.stop_percent);
	EXPECT_EQ(param_or("max_shbufs_per_user", -1), info.limits.max_shbufs_per_user);
	EXPECT_LE(info.user.objects, info.total.objects);
	EXPECT_LE(info.user.procs, info.total.procs);
	for (v = 0; v < (long)ARRAY_SIZE(info.limits.reserved); v++)
		EXPECT_EQ(0, info.limits.reserved[v]);

	info.flags = 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, IPCLAB_IOC_INFO, &info));
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, IPCLAB_IOC_INFO, NULL));
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, IPCLAB_IOC_INFO, (void *)8));
}

/* A parameter refuses a value outside its range, and keeps the old one. */
TEST_F(hostile, params_refuse_out_of_range)
{
	static const struct { const char *name; long bad; } cases[] = {
		{ "stop_percent", 0 }, { "stop_percent", 101 },
		{ "max_objects", 131073 }, { "max_sems", 0 }, { "max_sems", 32001 },
		{ "sem_max", (1 << 24) + 1 }, { "mbox_max_msgsz", 0 },
		{ "mbox_max_msgsz", (16 << 20) + 1 }, { "max_ops", 0 },
		{ "shbuf_max_size", 1 },
	};
	unsigned int i;
	long old;

	SKIP_UNLESS_ROOT();
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		ASSERT_OK(param_read(cases[i].name, &old)) TH_LOG("%s", cases[i].name);
		EXPECT_NE(0, param_write(cases[i].name, cases[i].bad))
			TH_LOG("%s = %ld was taken", cases[i].name, cases[i].bad);
		EXPECT_EQ(old, param_or(cases[i].name, -1)) TH_LOG("%s", cases[i].name);
	}
}

TEST_F(hostile, shbuf_pages_per_user)
{
	struct ipclab_info before, info;
	__u32 id;

	SKIP_UNLESS_ROOT();
	ASSERT_OK(ipclab_info(self->fd, &before));
	PARAM_CHANGE_OR_SKIP("max_shbuf_pages_per_user", before.user.shbuf_pages + 16);
	EXPECT_ERRNO(ENOSPC, shbuf_create(self->fd, 17 * 4096, &id));
	ASSERT_OK(shbuf_create(self->fd, 16 * 4096, &id));
	cl_track(&self->cl, id);
	ASSERT_OK(ipclab_info(self->fd, &info));
	EXPECT_EQ(before.user.shbuf_pages + 16, info.user.shbuf_pages);
	EXPECT_EQ(before.user.shbufs + 1, info.user.shbufs);
	EXPECT_ERRNO(ENOSPC, shbuf_create(self->fd, 1, &id));
	ASSERT_OK(ipclab_info(self->fd, &info));
	EXPECT_EQ(before.user.shbufs + 1, info.user.shbufs)
		TH_LOG("a refused creation counts");
}

TEST_F(hostile, msgs_per_user)
{
	struct ipclab_msgsnd snd = { .type = 1, .size = 8, .flags = IPCLAB_WAIT_NOWAIT };
	struct ipclab_msgrcv rcv = { .size = 8, .flags = IPCLAB_WAIT_NOWAIT };
	struct ipclab_info info;
	char text[8] = "message";
	__u32 id;

	SKIP_UNLESS_ROOT();
	ASSERT_OK(ipclab_info(self->fd, &info));
	PARAM_CHANGE_OR_SKIP("max_msgs_per_user", info.user.msgs + 2);
	ASSERT_OK(ipclab_get(self->fd, IPCLAB_TYPE_MBOX, IPCLAB_KEY_PRIVATE,
			     IPCLAB_CREAT, 0600, 0, &id));
	cl_track(&self->cl, id);
	snd.id = rcv.id = id;
	snd.text = rcv.text = ptr_u64(text);
	EXPECT_OK(ioctl(self->fd, IPCLAB_IOC_MBOX_SEND, &snd));
	EXPECT_OK(ioctl(self->fd, IPCLAB_IOC_MBOX_SEND, &snd));
	/* The mailbox has room; the user has none: not EAGAIN. */
	EXPECT_ERRNO(ENOSPC, ioctl(self->fd, IPCLAB_IOC_MBOX_SEND, &snd));
	EXPECT_OK(ioctl(self->fd, IPCLAB_IOC_MBOX_RECV, &rcv));
	EXPECT_OK(ioctl(self->fd, IPCLAB_IOC_MBOX_SEND, &snd));
}

TEST_F(hostile, sem_records_per_user)
{
	__u32 big = NEW_SEM(20), small = NEW_SEM(5);
	struct ipclab_info info;

	SKIP_UNLESS_ROOT();
	/*
	 * This test's process has no record yet: room for 24 semaphores'
	 * worth, enough for the big set or the small one, not for both.
	 */
	ASSERT_OK(ipclab_info(self->fd, &info));
	PARAM_CHANGE_OR_SKIP("max_sem_records_per_user", info.user.sem_records + 24);
	EXPECT_OK(sem_op1(self->fd, small, 0, 1, 0));
	EXPECT_ERRNO(ENOSPC, sem_op1(self->fd, big, 0, 1, 0));
	EXPECT_EQ(0, sem_getval(self->fd, big, 0)) TH_LOG("it did the work");
	ASSERT_OK(ipclab_rmid(self->fd, small));
	EXPECT_OK(sem_op1(self->fd, big, 0, 1, 0)) TH_LOG("removal gave it back");
}

TEST_F(hostile, sems_per_user)
{
	struct ipclab_info info;
	__u32 id;

	SKIP_UNLESS_ROOT();
	ASSERT_OK(ipclab_info(self->fd, &info));
	PARAM_CHANGE_OR_SKIP("max_sems_per_user", info.user.sems + 100);
	EXPECT_ERRNO(ENOSPC, sem_create(self->fd, 101, &id));
	ASSERT_OK(sem_create(self->fd, 100, &id));
	cl_track(&self->cl, id);
	EXPECT_ERRNO(ENOSPC, sem_create(self->fd, 1, &id));
	ASSERT_OK(ipclab_info(self->fd, &info));
	EXPECT_EQ(param_or("max_sems_per_user", -1), (long)info.limits.max_sems_per_user);
	EXPECT_EQ(info.limits.max_sems_per_user, info.user.sems);
}

/*
 * The operations waiting in one set are bounded: a waiter that would pass
 * max_queued_ops gets ENOSPC instead of queuing.
 */
TEST_F(hostile, queued_ops_per_set)
{
	struct ipclab_sembuf ops[8];
	__u32 id = NEW_SEM(8);
	pid_t kid;
	int i;

	SKIP_UNLESS_ROOT();
	PARAM_CHANGE_OR_SKIP("max_queued_ops", 12);
	for (i = 0; i < 8; i++)
		ops[i] = sembuf(i, -1, 0);
	kid = kids_fork(&self->cl);
	ASSERT_LE(0, kid);
	if (kid == 0)
		_exit(child_status(sem_ops(self->fd, id, ops, 8, 0, 0)));
	ASSERT_TRUE(wait_for_waiters(self->fd, id, 1));
	/* 8 wait already; 8 more would be 16 > 12. */
	EXPECT_ERRNO(ENOSPC, sem_ops(self->fd, id, ops, 8, IPCLAB_WAIT_TIMEOUT,
				     20 * NSEC_PER_MSEC));
	EXPECT_ERRNO(ETIMEDOUT, sem_ops(self->fd, id, ops, 4, IPCLAB_WAIT_TIMEOUT,
					20 * NSEC_PER_MSEC));
	kids_kill(&self->cl, kid, SIGKILL);
}

/* Two waiters per user: the third of nobody's gets ENOSPC, root's waits. */
TEST_F(hostile, waiters_per_user)
{
	__u32 id = NEW_SEM(1);
	pid_t kid[2];
	int i;

	SKIP_UNLESS_ROOT();
	ASSERT_OK(ipclab_set(self->fd, id, 0, 0, 0666));
	PARAM_CHANGE_OR_SKIP("max_waiters_per_user", 2);
	for (i = 0; i < 2; i++) {
		kid[i] = kids_fork(&self->cl);
		ASSERT_LE(0, kid[i]);
		if (kid[i] == 0) {
			if (drop_to_nobody())
				_exit(CHILD_BROKEN);
			_exit(child_status(sem_op1(self->fd, id, 0, -1, 0)));
		}
		ASSERT_TRUE(wait_for_waiters(self->fd, id, i + 1));
	}
	kid[0] = kids_fork(&self->cl);
	ASSERT_LE(0, kid[0]);
	if (kid[0] == 0) {
		if (drop_to_nobody())
			_exit(CHILD_BROKEN);
		_exit(child_status(sem_op1(self->fd, id, 0, -1, 0)));
	}
	EXPECT_KID(ENOSPC, kid[0], IPCLAB_SETTLE_MS);
	/* Root's own count is not nobody's. */
	EXPECT_ERRNO(ETIMEDOUT, sem_op1_wait(self->fd, id, 0, -1, 0,
					     IPCLAB_WAIT_TIMEOUT, 20 * NSEC_PER_MSEC));
	ASSERT_OK(sem_op1(self->fd, id, 0, 2, 0));
}

TEST_F(hostile, procs_per_user)
{
	__u32 id = NEW_SEM(1);
	struct rendezvous rv;
	pid_t kid;
	int had;

	SKIP_UNLESS_ROOT();
	ASSERT_OK(ipclab_set(self->fd, id, 0, 0, 0666));
	ASSERT_OK(rv_open(&rv));
	kid = kids_fork(&self->cl);
	ASSERT_LE(0, kid);
	if (kid == 0) {
		struct ipclab_info info;

		rv_child(&rv);
		if (drop_to_nobody() || ipclab_info(self->fd, &info) ||
		    put_byte(rv.ready[1], info.user.procs))
			_exit(CHILD_BROKEN);
		get_byte(rv.go[0], 60 * 1000);
		CHILD_CHECK(sem_op1(self->fd, id, 0, 1, 0), 0);
		if (put_byte(rv.ready[1], 'r'))
			_exit(CHILD_BROKEN);
		get_byte(rv.go[0], 60 * 1000);
		_exit(0);
	}
	rv_parent(&rv);
	/* Room for one more record of nobody's: the child's. */
	had = get_byte(rv.ready[0], IPCLAB_SETTLE_MS);
	ASSERT_LE(0, had);
	PARAM_CHANGE_OR_SKIP("max_procs_per_user", had + 1);
	ASSERT_OK(put_byte(rv.go[1], 'g'));
	ASSERT_EQ('r', get_byte(rv.ready[0], IPCLAB_SETTLE_MS));
	/* A second process of nobody may not get a record. */
	kid = kids_fork(&self->cl);
	ASSERT_LE(0, kid);
	if (kid == 0) {
		if (drop_to_nobody())
			_exit(CHILD_BROKEN);
		_exit(child_status(sem_op1(self->fd, id, 0, 1, 0)));
	}
	EXPECT_KID(ENOSPC, kid, IPCLAB_SETTLE_MS);
	EXPECT_EQ(1, sem_getval(self->fd, id, 0)) TH_LOG("the refused one did its V");
	ASSERT_OK(put_byte(rv.go[1], 'g'));
	rv_close(&rv);
}

/* A number from /proc/meminfo, in kB, or -1. */
static long meminfo_kb(const char *field)
{
	return read_key_long("/proc/meminfo", field, ':');
}

/*
 * A shared buffer is memory on demand, as SysV shm: creating 64 MiB costs
 * nothing resident; touching it makes shmem pages; removal and unmap give
 * them back.
 */
TEST_F(hostile, shbuf_pages_made_on_first_touch)
{
	const size_t size = 64 << 20;
	struct ipclab_open o = { .flags = IPCLAB_OPEN_READ | IPCLAB_OPEN_WRITE };
	long base, created, touched, gone;
	size_t i;
	char *p;

	base = meminfo_kb("Shmem");
	ASSERT_LE(0, base);
	ASSERT_OK(shbuf_create(self->fd, size, &o.id));
	cl_track(&self->cl, o.id);
	created = meminfo_kb("Shmem");
	EXPECT_GT(8 * 1024, created - base) TH_LOG("creating made %ld kB", created - base);

	ASSERT_OK(ioctl(self->fd, IPCLAB_IOC_OPEN, &o));
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, o.fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	close(o.fd);
	for (i = 0; i < size; i += 4096)
		p[i] = 1;
	touched = meminfo_kb("Shmem");
	EXPECT_LT(56 * 1024, touched - base) TH_LOG("touching made %ld kB", touched - base);

	ASSERT_OK(ipclab_rmid(self->fd, o.id));
	ASSERT_OK(munmap(p, size));
	gone = meminfo_kb("Shmem");
	EXPECT_GT(8 * 1024, gone - base) TH_LOG("%ld kB left", gone - base);
}

/*
 * A mapping re-made with remap_file_pages() stays ipclab's: it counts in
 * nattch, keeps the buffer (and its charge) alive until it goes, and a
 * buffer that has left the table maps no more.  (It once became a plain
 * shmem mapping that outlived the buffer and its charge.)
 */
TEST_F(hostile, remapped_buffer_stays_counted)
{
	struct ipclab_open o = { .flags = IPCLAB_OPEN_READ | IPCLAB_OPEN_WRITE };
	struct ipclab_info before, info;
	struct ipclab_stat st;
	char *p;

	ASSERT_OK(ipclab_info(self->fd, &before));
	ASSERT_OK(shbuf_create(self->fd, 4 * 4096, &o.id));
	cl_track(&self->cl, o.id);
	ASSERT_OK(ioctl(self->fd, IPCLAB_IOC_OPEN, &o));
	p = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, o.fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	close(o.fd);
	p[0] = 'a';
	p[3 * 4096] = 'd';

	/* The first page now shows the buffer's last one, still shared. */
	ASSERT_OK(remap_file_pages(p, 4096, 0, 3, 0));
	EXPECT_EQ('d', p[0]);
	ASSERT_OK(ipclab_stat(self->fd, o.id, &st));
	EXPECT_EQ(2, st.shbuf.nattch) TH_LOG("the remapped page is a mapping of its own");

	/* Removed while mapped: still counted, still charged. */
	ASSERT_OK(ipclab_rmid(self->fd, o.id));
	ASSERT_OK(ipclab_info(self->fd, &info));
	EXPECT_EQ(before.user.shbuf_pages + 4, info.user.shbuf_pages);
	EXPECT_EQ(before.user.shbufs + 1, info.user.shbufs);
	ASSERT_OK(munmap(p, 4 * 4096));
	ASSERT_OK(ipclab_info(self->fd, &info));
	EXPECT_EQ(before.user.shbuf_pages, info.user.shbuf_pages);
	EXPECT_EQ(before.user.shbufs, info.user.shbufs);
}

/*
 * Read permission lets one wait for zero, but not shut the writers out:
 * waiters that only look may take half of a waiting room.
 */
TEST_F(hostile, readers_take_half_the_room)
{
	__u32 id = NEW_SEM(1);
	pid_t kid[3];
	int i;

	SKIP_UNLESS_ROOT();
	ASSERT_OK(ipclab_set(self->fd, id, 0, 0, 0644));
	ASSERT_OK(sem_setval(self->fd, id, 0, 1));
	PARAM_CHANGE_OR_SKIP("max_waiters", 4);
	for (i = 0; i < 3; i++) {
		kid[i] = kids_fork(&self->cl);
		ASSERT_LE(0, kid[i]);
		if (kid[i] == 0) {
			if (drop_to_nobody())
				_exit(CHILD_BROKEN);
			_exit(child_status(sem_op1(self->fd, id, 0, 0, 0)));
		}
		if (i < 2)
			ASSERT_TRUE(wait_for_waiters(self->fd, id, i + 1));
	}
	EXPECT_KID(ENOSPC, kid[2], IPCLAB_SETTLE_MS) TH_LOG("a third looker got in");
	/* The owner's P still finds room (and times out: the value is 1, it wants 2). */
	EXPECT_ERRNO(ETIMEDOUT, sem_op1_wait(self->fd, id, 0, -2, 0,
					     IPCLAB_WAIT_TIMEOUT, 20 * NSEC_PER_MSEC));
	ASSERT_OK(sem_op1(self->fd, id, 0, -1, 0));
	for (i = 0; i < 2; i++)
		EXPECT_KID(0, kid[i], IPCLAB_SETTLE_MS);
}

/*
 * ... and half of the set's queued operations: a looker's list may repeat
 * one operation up to max_ops times, and the set's max_queued_ops is
 * shared by every waiter.
 */
TEST_F(hostile, readers_take_half_the_queued_ops)
{
	struct ipclab_sembuf ops[8];
	__u32 id = NEW_SEM(1);
	pid_t kid[2];
	int i;

	SKIP_UNLESS_ROOT();
	ASSERT_OK(ipclab_set(self->fd, id, 0, 0, 0644));
	ASSERT_OK(sem_setval(self->fd, id, 0, 1));
	PARAM_CHANGE_OR_SKIP("max_queued_ops", 16);
	for (i = 0; i < 8; i++)
		ops[i] = sembuf(0, 0, 0);
	for (i = 0; i < 2; i++) {
		kid[i] = kids_fork(&self->cl);
		ASSERT_LE(0, kid[i]);
		if (kid[i] == 0) {
			if (drop_to_nobody())
				_exit(CHILD_BROKEN);
			/* 8 waits for zero, then 1: 9 > 16 / 2. */
			_exit(child_status(sem_ops(self->fd, id, ops, i ? 1 : 8, 0, 0)));
		}
		if (i == 0)
			ASSERT_TRUE(wait_for_waiters(self->fd, id, 1));
	}
	EXPECT_KID(ENOSPC, kid[1], IPCLAB_SETTLE_MS) TH_LOG("a looker took more than half");
	/* A writer's 8 still fit: 8 + 8 = 16 (and time out, the value is 1). */
	for (i = 0; i < 8; i++)
		ops[i] = sembuf(0, -1, 0);
	EXPECT_ERRNO(ETIMEDOUT, sem_ops(self->fd, id, ops, 8, IPCLAB_WAIT_TIMEOUT,
					20 * NSEC_PER_MSEC));
	ASSERT_OK(sem_op1(self->fd, id, 0, -1, 0));
	EXPECT_KID(0, kid[0], IPCLAB_SETTLE_MS);
}

/*
 * Many threads of one user looping snapshots queue behind each other, not
 * in front of another user's deadlock check, whose timeout holds.
 */
static void *snapshot_loop(void *p)
{
	struct race *r = p;
	struct ipclab_snapshot a;

	while (!r->stop) {
		memset(&a, 0, sizeof(a));
		if (ioctl(r->fd, IPCLAB_IOC_SNAPSHOT, &a))
			race_error(r, errno);
		r->rounds++;
	}
	return NULL;
}

TEST_F_TIMEOUT(hostile, snapshots_keep_to_their_user, 120)
{
	struct race r[16];
	pthread_t t[16];
	__u32 mid;
	pid_t kid;
	__u64 t0, took;
	int i;

	SKIP_UNLESS_ROOT();
	ASSERT_OK(ipclab_get(self->fd, IPCLAB_TYPE_MUTEX, IPCLAB_KEY_PRIVATE,
			     IPCLAB_CREAT | IPCLAB_REFUSE_DEADLOCK, 0666, 0, &mid));
	cl_track(&self->cl, mid);
	ASSERT_OK(mutex_lock(self->fd, mid));
	for (i = 0; i < 16; i++) {
		r[i] = (struct race){ .fd = self->fd };
		ASSERT_EQ(0, pthread_create(&t[i], NULL, snapshot_loop, &r[i]));
	}
	kid = kids_fork(&self->cl);
	ASSERT_LE(0, kid);
	if (kid == 0) {
		if (drop_to_nobody())
			_exit(CHILD_BROKEN);
		/* Its check waits for its turn, then the lock times out. */
		_exit(child_status(mutex_lock_wait(self->fd, mid, IPCLAB_WAIT_TIMEOUT,
						   200 * NSEC_PER_MSEC)));
	}
	t0 = mono_ns();
	EXPECT_KID(ETIMEDOUT, kid, 60 * 1000);
	took = mono_ns() - t0;
	for (i = 0; i < 16; i++)
		r[i].stop = true;
	for (i = 0; i < 16; i++) {
		pthread_join(t[i], NULL);
		EXPECT_EQ(0, r[i].errors) TH_LOG("snapshot thread %d: %s", i,
						 strerror(r[i].err));
	}
	/* Generous: it is the timeout's order, not 16 snapshots' rations. */
	EXPECT_GT(5 * NSEC_PER_SEC, took) TH_LOG("the check waited %llu ms",
						(unsigned long long)took / NSEC_PER_MSEC);
	EXPECT_OK(mutex_unlock(self->fd, mid));
}

/*
 * The ration is the world's, not a user's: root's process and one of
 * nobody's that has no object at all (ipclab keeps nothing of its user
 * between its calls) loop snapshots, and every stop, whoever made it,
 * starts only once the ration of the one before has passed (as trace
 * event ipclab_world_stop shows: start_ns >= the previous next_ns).
 */
static void snapshots_for(int fd, __u64 ns)
{
	__u64 until = mono_ns() + ns;
	struct ipclab_snapshot a;

	while (mono_ns() < until) {
		memset(&a, 0, sizeof(a));
		if (ioctl(fd, IPCLAB_IOC_SNAPSHOT, &a))
			_exit(CHILD_BROKEN);
	}
	_exit(0);
}

struct stop_event {
	unsigned int uid;
	unsigned long long start, end, next;
};

static int stop_event_cmp(const void *a, const void *b)
{
	const struct stop_event *x = a, *y = b;

	return (x->start > y->start) - (x->start < y->start);
}

TEST_F_TIMEOUT(hostile, world_ration_holds_across_users, 120)
{
	char path[PATH_MAX + 64], inst[PATH_MAX];
	struct stop_event *ev = NULL;
	size_t nev = 0, cap = 0, i;
	const char *root = tracefs();
	int n = 0, early = 0, by_nobody = 0;
	char *trace, *p;
	pid_t kid[2];

	SKIP_UNLESS_ROOT();
	if (!root)
		SKIP(return, "no tracefs with events/ipclab (CONFIG_TRACING?)");
	PARAM_CHANGE_OR_SKIP("stop_percent", 20);
	snprintf(inst, sizeof(inst), "%s/instances/ipclab_hostile_test", root);
	rmdir(inst);
	ASSERT_OK(mkdir(inst, 0700));
	snprintf(path, sizeof(path), "%s/events/ipclab/ipclab_world_stop/enable", inst);
	ASSERT_OK(write_file(path, "1")) TH_LOG("%s: %s", path, strerror(errno));
	snprintf(path, sizeof(path), "%s/tracing_on", inst);
	ASSERT_OK(write_file(path, "1"));

	for (i = 0; i < 2; i++) {
		kid[i] = kids_fork(&self->cl);
		ASSERT_LE(0, kid[i]);
		if (kid[i] == 0) {
			if (i == 0 && drop_to_nobody())
				_exit(CHILD_BROKEN);
			snapshots_for(self->fd, 1500 * NSEC_PER_MSEC);
		}
	}
	for (i = 0; i < 2; i++)
		EXPECT_KID(0, kid[i], 30 * 1000);
	ASSERT_OK(write_file(path, "0"));

	snprintf(path, sizeof(path), "%s/trace", inst);
	trace = read_all(path);
	ASSERT_NE(NULL, trace);
	/* In the order of the stops (the trace clock is per CPU). */
	for (p = trace; (p = strstr(p, "ipclab_world_stop: ")); p++) {
		struct stop_event *e;

		if (nev == cap) {
			cap = cap ? 2 * cap : 256;
			ev = realloc(ev, cap * sizeof(*ev));
			ASSERT_NE(NULL, ev);
		}
		e = &ev[nev];
		if (sscanf(p, "ipclab_world_stop: uid=%u pid=%*d start_ns=%llu "
			   "end_ns=%llu next_ns=%llu", &e->uid, &e->start, &e->end,
			   &e->next) == 4)
			nev++;
	}
	qsort(ev, nev, sizeof(*ev), stop_event_cmp);
	for (i = 0; i < nev; i++) {
		if (i && ev[i].start < ev[i - 1].next) {
			if (!early++)
				TH_LOG("a stop of uid %u started %llu ns before its turn",
				       ev[i].uid, ev[i - 1].next - ev[i].start);
		}
		by_nobody += ev[i].uid == IPCLAB_NOBODY;
		EXPECT_LE(ev[i].start, ev[i].end);
		EXPECT_LE(ev[i].end, ev[i].next);
	}
	n = nev;
	free(ev);
	free(trace);
	rmdir(inst);
	EXPECT_EQ(0, early) TH_LOG("%d stops started before their turn", early);
	EXPECT_LE(4, n) TH_LOG("only %d stops traced", n);
	EXPECT_LT(0, by_nobody) TH_LOG("nobody's stops were never traced");
	EXPECT_LT(by_nobody, n) TH_LOG("root's stops were never traced");
	TH_LOG("%d stops in 1.5 s, %d of them nobody's", n, by_nobody);
}

/* ------------------------------------------------------------------ */
/* Bounded walks with the world stopped                               */
/* ------------------------------------------------------------------ */

/*
 * 3 x 32000 semaphores are more resources than a snapshot walks: it
 * stops at IPCLAB_SNAP_MAX and says so.
 */
TEST_F(hostile, snapshot_walk_is_bounded)
{
	struct ipclab_snapshot a;
	int i;

	if (param_or("max_sems", 0) < 32000)
		SKIP(return, "max_sems is below 32000");
	for (i = 0; i < 3; i++)
		NEW_SEM(32000);
	memset(&a, 0, sizeof(a));
	ASSERT_OK(ioctl(self->fd, IPCLAB_IOC_SNAPSHOT, &a));
	EXPECT_EQ(1, a.truncated);
	EXPECT_EQ(IPCLAB_SNAP_MAX, a.res_len);
}

TEST_HARNESS_MAIN
