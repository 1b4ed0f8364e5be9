// SPDX-License-Identifier: GPL-2.0
/*
 * The module's lifecycle: when it may be unloaded, and that loading and
 * unloading it leaves nothing behind.
 *
 * Needs root and the module file: IPCLAB_MODULE, /ipclab/ipclab.ko by
 * default (where the lab VM puts it; the VM loads it before the tests
 * run).  Each test skips, saying why, without them.  Every test ends with
 * the module loaded again, whatever happened: the teardown, which runs in
 * the harness's process even when the test died, inserts it if it is
 * missing, so the tests after these find /dev/ipclab.
 *
 * What delete_module(2) ("rmmod ipclab") does, situation by situation:
 *
 *  - a session fd of /dev/ipclab is open: refused, EAGAIN (EWOULDBLOCK):
 *    the open file holds a reference to the module (refcnt 1);
 *  - only an object fd is open (IPCLAB_IOC_OPEN, the session closed):
 *    refused, EAGAIN: the object fd is a file of the module too;
 *  - only a mapping of a shared buffer is left (its fd closed): refused,
 *    EAGAIN: the mapping holds the object fd's file;
 *  - a process is blocked in P: refused, EAGAIN: it waits through its
 *    session fd, which stays open while it waits;
 *  - objects exist, but no fd and no mapping: the module unloads, and the
 *    objects (values, queued messages, buffers, owner-dead mutexes) go
 *    with it; after the next insmod, IPCLAB_IOC_LIST is empty;
 *  - other processes keep opening the device and using it: refused while
 *    one has it open, clean in a gap; an open while it is out fails with
 *    ENOENT (the device node is gone);
 *  - a process that used the module is still alive but has no fd any
 *    more: the module unloads.  A process that closed its last session
 *    fd has ended for ipclab (its undo was applied at the close); a
 *    process that shares its fd table with another (CLONE_FILES without
 *    CLONE_THREAD) keeps its record until the unload, which frees it.
 *
 * A refusal changes nothing: every fd, mapping and waiter goes on working.
 * The lab VM's own checks after the run (kmemleak, kernel complaints,
 * the final rmmod) judge what 100 load/unload cycles leave behind.
 */
#include <sched.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "ipclab_test.h"

#define IPCLAB_MODULE_DEFAULT	"/ipclab/ipclab.ko"
#define SYS_MODULE		"/sys/module/ipclab"

static const char *module_path(void)
{
	const char *p = getenv("IPCLAB_MODULE");

	return p && *p ? p : IPCLAB_MODULE_DEFAULT;
}

static bool module_loaded(void)
{
	return access(SYS_MODULE, F_OK) == 0;
}

/*
 * The module's reference count (its open files), or -1: the file refcnt
 * beside its parameters/ directory.
 */
static long module_refcnt(void)
{
	long v;

	return param_read("../refcnt", &v) ? -1 : v;
}

/* delete_module(2), as "rmmod" does it: never waits. */
static int module_remove(void)
{
	return syscall(SYS_delete_module, "ipclab", O_NONBLOCK);
}

/*
 * finit_module(2) of the module file (init_module(2) of its contents on
 * a kernel without it), then wait until /dev/ipclab is there.
 */
static int module_insert(void)
{
	__u64 deadline = mono_ns() + IPCLAB_SETTLE_MS * NSEC_PER_MSEC;
	struct stat st;
	void *image;
	int fd, ret, err;

	fd = open(module_path(), O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ret = syscall(SYS_finit_module, fd, "", 0);
	if (ret && errno == ENOSYS && !fstat(fd, &st)) {
		image = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (image != MAP_FAILED) {
			ret = syscall(SYS_init_module, image, st.st_size, "");
			err = errno;
			munmap(image, st.st_size);
			errno = err;
		}
	}
	err = errno;
	close(fd);
	errno = err;
	if (ret)
		return ret;
	while (access(IPCLAB_DEVICE, F_OK)) {
		if (mono_ns() > deadline) {
			errno = ETIMEDOUT;
			return -1;
		}
		usleep(1000);
	}
	return 0;
}

FIXTURE(life) {
	struct ipclab_cleanup cl;
};

FIXTURE_SETUP(life)
{
	__u64 deadline;

	memset(&self->cl, 0, sizeof(self->cl));
	if (geteuid() != 0)
		SKIP(return, "needs root to load and unload the module");
	if (access(module_path(), R_OK))
		SKIP(return, "%s: %s (IPCLAB_MODULE names the module file)",
		     module_path(), strerror(errno));
	if (!module_loaded())
		ASSERT_OK(module_insert()) TH_LOG("insmod %s", module_path());
	if (access(SYS_MODULE "/refcnt", F_OK))
		SKIP(return, "ipclab is built into the kernel: it cannot be unloaded");
	/*
	 * The tests count the module's references: nobody else may hold one
	 * (a process of an earlier test may take a moment to end).
	 */
	deadline = mono_ns() + IPCLAB_SETTLE_MS * NSEC_PER_MSEC;
	while (module_refcnt() > 0 && mono_ns() < deadline)
		usleep(10 * 1000);
	ASSERT_EQ(0, module_refcnt())
		TH_LOG("something else has /dev/ipclab or an ipclab object open");
}

/* In the harness's process, after the test, however it ended. */
FIXTURE_TEARDOWN_PARENT(life)
{
	ipclab_cleanup(&self->cl);
	if (geteuid() == 0 && !access(module_path(), R_OK) && !module_loaded() &&
	    module_insert())
		fprintf(stderr, "# could not load %s again: %s\n", module_path(),
			strerror(errno));
}

/* A session, failing the test if the device cannot be opened. */
#define SESSION() ({							\
	int __fd = open(IPCLAB_DEVICE, O_RDWR | O_CLOEXEC);		\
	ASSERT_LE(0, __fd) TH_LOG(IPCLAB_DEVICE ": %s", strerror(errno)); \
	__fd;								\
})

/* Unloading is refused with EAGAIN, and the module stays as it was. */
#define EXPECT_UNLOAD_REFUSED(want_refcnt) do {				\
	EXPECT_ERRNO(EAGAIN, module_remove());				\
	EXPECT_TRUE(module_loaded());					\
	EXPECT_EQ(0, access(IPCLAB_DEVICE, F_OK));			\
	EXPECT_EQ((want_refcnt), module_refcnt());			\
} while (0)

/* ------------------------------------------------------------------ */
/* Refused: something still uses the module                           */
/* ------------------------------------------------------------------ */

TEST_F(life, refused_while_a_session_is_open)
{
	int fd = SESSION();
	__u32 id;

	EXPECT_EQ(1, module_refcnt());
	EXPECT_UNLOAD_REFUSED(1);
	/* The session still works. */
	ASSERT_OK(sem_create(fd, 1, &id));
	cl_track(&self->cl, id);
	EXPECT_OK(sem_op1(fd, id, 0, 1, 0));
	EXPECT_EQ(1, sem_getval(fd, id, 0));
	EXPECT_OK(ipclab_rmid(fd, id));
	close(fd);
	EXPECT_EQ(0, module_refcnt());
}

TEST_F(life, refused_while_an_object_fd_is_open)
{
	struct pollfd p;
	int fd = SESSION(), ofd;
	char text[4] = "msg";
	__u32 id;

	ASSERT_OK(mbox_create(fd, 4, 16, 64, &id));
	cl_track(&self->cl, id);
	ASSERT_OK(objfd_open(fd, id, IPCLAB_OPEN_CLOEXEC, &ofd));
	EXPECT_EQ(2, module_refcnt());
	close(fd);
	EXPECT_EQ(1, module_refcnt());
	EXPECT_UNLOAD_REFUSED(1);

	/* The object fd still works: it sees a message sent now. */
	p.fd = ofd;
	p.events = POLLIN | POLLOUT;
	EXPECT_EQ(1, poll(&p, 1, 0));
	EXPECT_EQ(POLLOUT, p.revents);
	fd = SESSION();
	EXPECT_OK(msg_send(fd, id, 1, text, sizeof(text), 0, 0));
	EXPECT_EQ(1, poll(&p, 1, 0));
	EXPECT_EQ(POLLIN | POLLOUT, p.revents);
	EXPECT_OK(ipclab_rmid(fd, id));
	close(fd);
	close(ofd);
	EXPECT_EQ(0, module_refcnt());
}

TEST_F(life, refused_while_a_buffer_is_mapped)
{
	int fd = SESSION();
	volatile __u64 *a, *b;
	struct ipclab_stat st;
	__u32 id;

	ASSERT_OK(shbuf_create(fd, 8192, &id));
	cl_track(&self->cl, id);
	a = shbuf_map(fd, id, 8192);
	ASSERT_NE(NULL, a);
	a[0] = 0x1234;
	close(fd);
	/* Neither a session nor an object fd: the mapping holds the file. */
	EXPECT_EQ(1, module_refcnt());
	EXPECT_UNLOAD_REFUSED(1);

	/* The mapping still works, and is the same memory as a new one. */
	a[1] = 0x5678;
	fd = SESSION();
	b = shbuf_map(fd, id, 8192);
	ASSERT_NE(NULL, b);
	EXPECT_EQ(0x1234, b[0]);
	EXPECT_EQ(0x5678, b[1]);
	b[1023] = 42;
	EXPECT_EQ(42, a[1023]);
	ASSERT_OK(ipclab_stat(fd, id, &st));
	EXPECT_EQ(2, st.shbuf.nattch);
	munmap((void *)b, 8192);
	munmap((void *)a, 8192);
	ASSERT_OK(ipclab_stat(fd, id, &st));
	EXPECT_EQ(0, st.shbuf.nattch);
	EXPECT_OK(ipclab_rmid(fd, id));
	close(fd);
	EXPECT_EQ(0, module_refcnt());
}

TEST_F(life, refused_while_blocked_in_p)
{
	int fd = SESSION();
	__u32 id;
	pid_t kid;

	ASSERT_OK(sem_create(fd, 1, &id));
	cl_track(&self->cl, id);
	kid = kids_fork(&self->cl);
	ASSERT_LE(0, kid);
	if (kid == 0)
		_exit(child_status(sem_op1(fd, id, 0, -1, IPCLAB_SEMBUF_UNDO)));
	ASSERT_TRUE(wait_for_waiters(fd, id, 1));
	/* Only the waiter's copy of the session is left. */
	close(fd);
	EXPECT_EQ(1, module_refcnt());
	EXPECT_UNLOAD_REFUSED(1);
	EXPECT_TRUE(still_blocked(kid, IPCLAB_BLOCKED_MS));

	/* The waiter is still in the room, and a V wakes it. */
	fd = SESSION();
	EXPECT_EQ(1, ipclab_nwaiters(fd, id));
	EXPECT_OK(sem_op1(fd, id, 0, 1, 0));
	EXPECT_KID(0, kid, IPCLAB_SETTLE_MS);
	/* It took the unit with undo and ended: the unit is back. */
	EXPECT_EQ(1, sem_getval(fd, id, 0));
	EXPECT_EQ(0, ipclab_nwaiters(fd, id));
	EXPECT_OK(ipclab_rmid(fd, id));
	close(fd);
	EXPECT_EQ(0, module_refcnt());
}

/* ------------------------------------------------------------------ */
/* Clean: objects without fds, processes without fds                  */
/* ------------------------------------------------------------------ */

/*
 * One object of each type with some state (values, a dead owner, queued
 * messages, a buffer's contents), created by key where a type has keys.
 * The session is closed; nothing maps anything.  Returns the semaphore
 * set's key.
 */
static __s32 make_objects(struct __test_metadata *_metadata,
			  struct ipclab_cleanup *cl, int n)
{
	int fd = SESSION();
	char text[16] = "left behind";
	struct ipclab_get g;
	__u32 sem, mtx, box, buf;
	volatile char *p;
	pid_t kid;

	memset(&g, 0, sizeof(g));
	g.type = IPCLAB_TYPE_SEM;
	g.key = test_key(n);
	g.flags = IPCLAB_CREAT | IPCLAB_EXCL;
	g.mode = 0600;
	g.sem.nsems = 3;
	ASSERT_OK(obj_get(fd, &g, &sem));
	ASSERT_OK(sem_setval(fd, sem, 1, 7));
	ASSERT_OK(mutex_create(fd, &mtx));
	ASSERT_OK(mbox_create(fd, 8, 64, 512, &box));
	ASSERT_OK(msg_send(fd, box, 1, text, sizeof(text), 0, 0));
	ASSERT_OK(msg_send(fd, box, 2, text, 4, 0, 0));
	ASSERT_OK(shbuf_create(fd, 3 * 4096, &buf));
	p = shbuf_map(fd, buf, 3 * 4096);
	ASSERT_NE(NULL, p);
	p[0] = 'x';
	p[2 * 4096] = 'y';
	ASSERT_EQ(0, munmap((void *)p, 3 * 4096));
	/* A dead owner: the mutex is left OWNERDEAD. */
	kid = kids_fork(cl);
	ASSERT_LE(0, kid);
	if (kid == 0)
		_exit(child_status(mutex_lock(fd, mtx)));
	ASSERT_EQ(0, kids_wait(cl, kid, IPCLAB_SETTLE_MS));
	check_mutex_state(fd, mtx, IPCLAB_MUTEX_OWNERDEAD, 0, 0);
	close(fd);
	return g.key;
}

/* After a fresh insmod: no object at all, and the old key is free. */
static void check_no_objects(struct __test_metadata *_metadata, __s32 key)
{
	int fd = SESSION();
	__u32 ids[8], id;

	EXPECT_EQ(0, list_ids(fd, 0, ids, 8));
	EXPECT_ERRNO(ENOENT, ipclab_get(fd, IPCLAB_TYPE_SEM, key, 0, 0, 0, &id));
	close(fd);
}

TEST_F(life, unload_with_objects_but_no_fd)
{
	__s32 key = make_objects(_metadata, &self->cl, 1);

	EXPECT_EQ(0, module_refcnt());
	ASSERT_OK(module_remove()) TH_LOG("rmmod with only objects left");
	EXPECT_FALSE(module_loaded());
	EXPECT_ERRNO(ENOENT, access(IPCLAB_DEVICE, F_OK));
	ASSERT_OK(module_insert()) TH_LOG("insmod %s", module_path());
	EXPECT_EQ(0, module_refcnt());
	check_no_objects(_metadata, key);
}

/*
 * A process that used a set with undo and still lives, in the two ways a
 * process can be without an fd: it closed its session (ended for
 * ipclab), or it shares its fd table with the test process, which closes
 * the session (its record stays until the unload).  Both are asked over
 * a pipe to stay, then (after the reload) to use the new module.
 */
struct lingerer {
	pid_t pid;
	int go[2];		/* test -> child: go on */
	int ready[2];		/* child -> test: done with this step */
};

static int lingerer_step(struct lingerer *l)
{
	char c = 'r';

	if (write(l->ready[1], &c, 1) != 1)
		return -1;
	return read(l->go[0], &c, 1) == 1 ? 0 : -1;
}

/* After the reload: the new module knows nothing of it, and serves it. */
static int lingerer_use_new_module(__u32 old_sem)
{
	int fd = open(IPCLAB_DEVICE, O_RDWR | O_CLOEXEC);
	__u32 id;

	if (fd < 0)
		return CHILD_BROKEN;
	/* The old id means nothing now (or another object: not a set of ours). */
	if (sem_op1_wait(fd, old_sem, 0, -1, IPCLAB_SEMBUF_UNDO,
			 IPCLAB_WAIT_NOWAIT, 0) == 0)
		return CHILD_CHECK_FAILED;
	if (sem_create(fd, 1, &id) ||
	    sem_op1(fd, id, 0, 1, IPCLAB_SEMBUF_UNDO) ||
	    sem_op1(fd, id, 0, -1, IPCLAB_SEMBUF_UNDO) ||
	    ipclab_rmid(fd, id))
		return child_status(-1);
	close(fd);
	return 0;
}

/* Ended for ipclab: it closes its own copy of the session. */
static pid_t spawn_closer(struct ipclab_cleanup *cl, struct lingerer *l, int fd,
			  __u32 sem, __u32 mtx)
{
	if (pipe2(l->go, O_CLOEXEC) || pipe2(l->ready, O_CLOEXEC))
		return -1;
	l->pid = kids_fork(cl);
	if (l->pid == 0) {
		if (sem_op1(fd, sem, 0, -1, IPCLAB_SEMBUF_UNDO) ||
		    mutex_lock(fd, mtx))
			_exit(child_status(-1));
		close(fd);
		if (lingerer_step(l))
			_exit(CHILD_BROKEN);
		_exit(lingerer_use_new_module(sem));
	}
	return l->pid;
}

/* Shares the test's fd table: the test's close of the session is its too. */
static pid_t spawn_sharer(struct ipclab_cleanup *cl, struct lingerer *l, int fd,
			  __u32 sem, __u32 mtx)
{
	if (pipe2(l->go, O_CLOEXEC) || pipe2(l->ready, O_CLOEXEC))
		return -1;
	fflush(stdout);
	fflush(stderr);
	/* fork(), but with the fd table shared. */
	l->pid = syscall(SYS_clone, CLONE_FILES | SIGCHLD, NULL, NULL, NULL, 0);
	if (l->pid == 0) {
		if (sem_op1(fd, sem, 1, -2, IPCLAB_SEMBUF_UNDO) ||
		    mutex_lock(fd, mtx))
			_exit(child_status(-1));
		if (lingerer_step(l))
			_exit(CHILD_BROKEN);
		_exit(lingerer_use_new_module(sem));
	}
	if (l->pid > 0 && cl->nkids < CL_MAX_KIDS)
		cl->kids[cl->nkids++] = l->pid;
	return l->pid;
}

static void lingerer_close(struct lingerer *l)
{
	close(l->go[0]);
	close(l->go[1]);
	close(l->ready[0]);
	close(l->ready[1]);
}

/*
 * One cycle: objects of every type, a buffer mapped and unmapped, two
 * processes that used the module and live on without an fd; unload
 * (which must succeed), load, and check that nothing is left.
 */
static void one_cycle(struct __test_metadata *_metadata,
		      struct ipclab_cleanup *cl, int n)
{
	static struct snap s;
	const struct ipclab_holder *h;
	struct lingerer closer, sharer;
	__u32 sem, mtx1, mtx2;
	__s32 key;
	char c;
	int fd;

	key = make_objects(_metadata, cl, n);
	fd = SESSION();
	ASSERT_OK(sem_create(fd, 2, &sem));
	ASSERT_OK(sem_setval(fd, sem, 0, 1));
	ASSERT_OK(sem_setval(fd, sem, 1, 2));
	ASSERT_OK(mutex_create(fd, &mtx1));
	ASSERT_OK(mutex_create(fd, &mtx2));
	ASSERT_LT(0, spawn_closer(cl, &closer, fd, sem, mtx1));
	ASSERT_LT(0, spawn_sharer(cl, &sharer, fd, sem, mtx2));
	ASSERT_EQ('r', get_byte(closer.ready[0], IPCLAB_SETTLE_MS));
	ASSERT_EQ('r', get_byte(sharer.ready[0], IPCLAB_SETTLE_MS));
	/* The closer has ended for ipclab: its undo is applied, its mutex dead. */
	EXPECT_EQ(1, sem_getval(fd, sem, 0));
	check_mutex_state(fd, mtx1, IPCLAB_MUTEX_OWNERDEAD, 0, 0);
	/* The sharer still holds its units and its mutex... */
	EXPECT_EQ(0, sem_getval(fd, sem, 1));
	check_mutex_state(fd, mtx2, IPCLAB_MUTEX_LOCKED, sharer.pid, 0);
	/* ...and goes on holding them when the shared table closes the session. */
	close(fd);
	fd = SESSION();
	ASSERT_OK(ipclab_snap(fd, sem, &s));
	h = snap_holder(&s, sharer.pid, 1);
	ASSERT_NE(NULL, h) TH_LOG("cycle %d: the sharer's record is gone", n);
	EXPECT_EQ(2, h->held);
	EXPECT_EQ(2, h->undo);
	check_mutex_state(fd, mtx2, IPCLAB_MUTEX_LOCKED, sharer.pid, 0);
	close(fd);
	EXPECT_EQ(0, module_refcnt());

	ASSERT_OK(module_remove()) TH_LOG("cycle %d: rmmod", n);
	EXPECT_FALSE(module_loaded());
	ASSERT_OK(module_insert()) TH_LOG("cycle %d: insmod %s", n, module_path());
	EXPECT_EQ(0, module_refcnt());
	check_no_objects(_metadata, key);

	/* Both lingerers use the new module, and end. */
	c = 'g';
	ASSERT_EQ(1, write(closer.go[1], &c, 1));
	ASSERT_EQ(1, write(sharer.go[1], &c, 1));
	EXPECT_EQ(0, kids_wait(cl, closer.pid, IPCLAB_SETTLE_MS)) TH_LOG("cycle %d", n);
	EXPECT_EQ(0, kids_wait(cl, sharer.pid, IPCLAB_SETTLE_MS)) TH_LOG("cycle %d", n);
	lingerer_close(&closer);
	lingerer_close(&sharer);
	EXPECT_EQ(0, module_refcnt());
}

TEST_F_TIMEOUT(life, load_unload_cycles, 1800)
{
	const long cycles = env_long("IPCLAB_LIFECYCLE_CYCLES", 100);
	__u64 t0 = mono_ns();
	long n;

	for (n = 0; n < cycles && !_metadata->exit_code; n++)
		one_cycle(_metadata, &self->cl, n);
	EXPECT_EQ(cycles, n);
	EXPECT_TRUE(module_loaded());
	TH_LOG("%ld unload/load cycles in %.1f s (IPCLAB_LIFECYCLE_CYCLES)",
	       n, (mono_ns() - t0) / 1e9);
}

/*
 * Unloading and loading while other processes keep opening the device
 * and using it: an unload is refused while one of them has it open, and
 * succeeds in a gap; an open while the module is out fails (ENOENT); a
 * session opened right after the load (while the load may still be
 * finishing) works.  Each racer counts what it got.
 */
#define RACERS	4

struct race_counts {
	long sessions;		/* opened and used */
	long absent;		/* the device was not there */
	long bad;		/* anything else */
	int bad_errno;
};

static void __attribute__((noreturn)) racer(struct race_counts *rc,
					    volatile int *stop)
{
	__u32 id;
	int fd;

	while (!*stop) {
		fd = open(IPCLAB_DEVICE, O_RDWR | O_CLOEXEC);
		if (fd < 0) {
			if (errno == ENOENT || errno == ENODEV || errno == ENXIO) {
				rc->absent++;
			} else {
				rc->bad++;
				rc->bad_errno = errno;
			}
			usleep(500);
			continue;
		}
		if (sem_create(fd, 1, &id) ||
		    sem_op1(fd, id, 0, 1, IPCLAB_SEMBUF_UNDO) ||
		    sem_op1(fd, id, 0, -1, IPCLAB_SEMBUF_UNDO) ||
		    ipclab_rmid(fd, id)) {
			rc->bad++;
			rc->bad_errno = errno;
		} else {
			rc->sessions++;
		}
		close(fd);
		usleep(500);
	}
	_exit(0);
}

TEST_F_TIMEOUT(life, reload_while_others_open, 600)
{
	const long cycles = env_long("IPCLAB_LIFECYCLE_CYCLES", 100) / 5 + 1;
	struct race_counts *rc;
	volatile int *stop;
	long n, refused = 0, tries;
	pid_t kid[RACERS];
	int i, ret;

	rc = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		  -1, 0);
	ASSERT_NE(MAP_FAILED, rc);
	memset(rc, 0, 4096);
	stop = (volatile int *)(rc + RACERS);
	for (i = 0; i < RACERS; i++) {
		kid[i] = kids_fork(&self->cl);
		ASSERT_LE(0, kid[i]);
		if (kid[i] == 0)
			racer(&rc[i], stop);
	}
	for (n = 0; n < cycles; n++) {
		/* A gap comes soon: nobody keeps the device open for long. */
		for (tries = 0; tries < 10000; tries++) {
			ret = module_remove();
			if (!ret || errno != EAGAIN)
				break;
			refused++;
			usleep(200);
		}
		ASSERT_OK(ret) TH_LOG("cycle %ld: rmmod after %ld refusals", n, tries);
		usleep(2000);
		ASSERT_OK(module_insert()) TH_LOG("cycle %ld: insmod", n);
		usleep(10000);
	}
	*stop = 1;
	for (i = 0; i < RACERS; i++) {
		EXPECT_KID(0, kid[i], IPCLAB_SETTLE_MS);
		EXPECT_EQ(0, rc[i].bad) TH_LOG("racer %d: last errno %d (%s)", i,
					       rc[i].bad_errno, strerror(rc[i].bad_errno));
		EXPECT_LT(0, rc[i].sessions);
	}
	EXPECT_TRUE(module_loaded());
	EXPECT_EQ(0, module_refcnt());
	TH_LOG("%ld cycles, %ld refusals; racer 0: %ld sessions, %ld opens without a device",
	       cycles, refused, rc[0].sessions, rc[0].absent);
	munmap(rc, 4096);
}

TEST_HARNESS_MAIN
