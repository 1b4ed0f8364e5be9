// SPDX-License-Identifier: GPL-2.0
/*
 * What every ipclab object shares: keys and ids (IPCLAB_IOC_GET,
 * IPCLAB_IOC_RMID), ownership and permissions (IPCLAB_IOC_SET and the
 * access checks), the snapshot's common part, lifetime, and the limits on
 * the number of objects.
 *
 * Permission tests run the denied side in a child that switched to
 * nobody:nogroup (root has CAP_IPC_OWNER, which bypasses every mode).
 */
#include <pthread.h>

#include "kselftest_harness.h"
#include "ipclab_test.h"

FIXTURE(obj) {
	int fd;
	struct ipclab_cleanup cl;
};

FIXTURE_SETUP(obj)
{
	memset(&self->cl, 0, sizeof(self->cl));
	IPCLAB_OPEN_OR_SKIP(self->fd);
}

FIXTURE_TEARDOWN_PARENT(obj)
{
	ipclab_cleanup(&self->cl);
}

/* GET that creates, and tracks the object for the teardown. */
#define GET_NEW(type, key, flags, mode, nsems) ({			\
	__u32 __id = 0;							\
	ASSERT_EQ(0, ipclab_get(self->fd, (type), (key), (flags), (mode), \
				(nsems), &__id))			\
		TH_LOG("GET: %s", strerror(errno));			\
	cl_track(&self->cl, __id);					\
	__id;								\
})

/* GET with a raw struct, for the fields the wrapper always zeroes. */
static int get_raw(int fd, struct ipclab_get *g)
{
	return ioctl(fd, IPCLAB_IOC_GET, g);
}

static struct ipclab_get get_args(__u32 type, __s32 key, __u32 flags,
				  __u32 mode, __u32 nsems)
{
	struct ipclab_get g;

	memset(&g, 0, sizeof(g));
	g.type = type;
	g.key = key;
	g.flags = flags;
	g.mode = mode;
	g.sem.nsems = nsems;
	return g;
}

#define SKIP_IF_NOT_ROOT() do {						\
	if (geteuid() != 0)						\
		SKIP(return, "needs root (to switch to uid %d)", IPCLAB_NOBODY); \
} while (0)

/*
 * In a child: become nobody and open a session of its own (the permission
 * checks look at the caller, not at who opened the session; a fresh one
 * keeps the test independent of that).
 */
static int nobody_session(void)
{
	int fd;

	if (drop_to_nobody())
		_exit(CHILD_BROKEN);
	fd = open(IPCLAB_DEVICE, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		_exit(CHILD_BROKEN);
	return fd;
}

/* ------------------------------------------------------------------ */
/* Keys and ids                                                       */
/* ------------------------------------------------------------------ */

TEST_F(obj, create_and_open_by_key)
{
	const __u32 types[2] = { IPCLAB_TYPE_SEM, IPCLAB_TYPE_MUTEX };
	__u32 id, id2;
	int t;

	for (t = 0; t < 2; t++) {
		__u32 type = types[t];
		__u32 nsems = type == IPCLAB_TYPE_SEM ? 2 : 0;
		__s32 key = test_key(t + 1);
		struct ipclab_stat st;

		EXPECT_ERRNO(ENOENT, ipclab_get(self->fd, type, key, 0, 0600,
						nsems, &id));
		EXPECT_ERRNO(ENOENT, ipclab_get(self->fd, type, key, IPCLAB_EXCL,
						0600, nsems, &id));

		id = GET_NEW(type, key, IPCLAB_CREAT | IPCLAB_EXCL, 0640, nsems);
		EXPECT_OK(ipclab_get(self->fd, type, key, 0, 0600, nsems, &id2));
		EXPECT_EQ(id, id2);
		EXPECT_OK(ipclab_get(self->fd, type, key, 0, 0, 0, &id2));
		EXPECT_EQ(id, id2);
		EXPECT_OK(ipclab_get(self->fd, type, key, IPCLAB_CREAT, 0600,
				     nsems, &id2));
		EXPECT_EQ(id, id2);
		EXPECT_ERRNO(EEXIST, ipclab_get(self->fd, type, key,
						IPCLAB_CREAT | IPCLAB_EXCL,
						0600, nsems, &id2));

		ASSERT_OK(ipclab_stat(self->fd, id, &st));
		EXPECT_EQ(type, st.type);
		EXPECT_EQ(key, st.perm.key);
		EXPECT_EQ(id, st.perm.id);
		EXPECT_EQ(0640, st.perm.mode);
	}
}

/* IPCLAB_KEY_PRIVATE always makes a new object that no key finds. */
TEST_F(obj, private_key_always_new)
{
	__u32 ids[4], id;
	struct ipclab_stat st;
	int i, j;

	ids[0] = GET_NEW(IPCLAB_TYPE_SEM, IPCLAB_KEY_PRIVATE, IPCLAB_CREAT, 0600, 1);
	ids[1] = GET_NEW(IPCLAB_TYPE_SEM, IPCLAB_KEY_PRIVATE,
			 IPCLAB_CREAT | IPCLAB_EXCL, 0600, 1);
	ids[2] = GET_NEW(IPCLAB_TYPE_SEM, IPCLAB_KEY_PRIVATE, 0, 0600, 1);
	ids[3] = GET_NEW(IPCLAB_TYPE_MUTEX, IPCLAB_KEY_PRIVATE, 0, 0600, 0);
	for (i = 0; i < 4; i++) {
		ASSERT_OK(ipclab_stat(self->fd, ids[i], &st));
		EXPECT_EQ(IPCLAB_KEY_PRIVATE, st.perm.key);
		for (j = 0; j < i; j++) {
			EXPECT_NE(ids[j], ids[i]);
		}
	}
	/* Opening key 0 is creating, never finding. */
	id = GET_NEW(IPCLAB_TYPE_SEM, IPCLAB_KEY_PRIVATE, 0, 0, 1);
	for (i = 0; i < 4; i++) {
		EXPECT_NE(ids[i], id);
	}
}

/* Semaphore set 42 and mutex 42 are different objects. */
TEST_F(obj, keys_are_per_type)
{
	__s32 key = test_key(7);
	__u32 sid, mid, id;
	struct ipclab_stat st;

	sid = GET_NEW(IPCLAB_TYPE_SEM, key, IPCLAB_CREAT | IPCLAB_EXCL, 0600, 1);
	EXPECT_ERRNO(ENOENT, ipclab_get(self->fd, IPCLAB_TYPE_MUTEX, key, 0,
					0600, 0, &id));
	mid = GET_NEW(IPCLAB_TYPE_MUTEX, key, IPCLAB_CREAT | IPCLAB_EXCL, 0600, 0);
	EXPECT_NE(sid, mid);

	EXPECT_OK(ipclab_get(self->fd, IPCLAB_TYPE_SEM, key, 0, 0600, 1, &id));
	EXPECT_EQ(sid, id);
	EXPECT_OK(ipclab_get(self->fd, IPCLAB_TYPE_MUTEX, key, 0, 0600, 0, &id));
	EXPECT_EQ(mid, id);
	ASSERT_OK(ipclab_stat(self->fd, mid, &st));
	EXPECT_EQ(IPCLAB_TYPE_MUTEX, st.type);

	ASSERT_OK(ipclab_rmid(self->fd, sid));
	EXPECT_ERRNO(ENOENT, ipclab_get(self->fd, IPCLAB_TYPE_SEM, key, 0,
					0600, 1, &id));
	EXPECT_OK(ipclab_get(self->fd, IPCLAB_TYPE_MUTEX, key, 0, 0600, 0, &id));
	EXPECT_EQ(mid, id);
}

TEST_F(obj, get_einval)
{
	long max_sems = param_or("max_sems", IPCLAB_DEF_MAX_SEMS);
	__s32 key = test_key(3);
	struct ipclab_get g;
	__u32 id;
	int i;

	/* types */
	EXPECT_ERRNO(EINVAL, ipclab_get(self->fd, 0, key, IPCLAB_CREAT, 0600, 1, &id));
	EXPECT_ERRNO(EINVAL, ipclab_get(self->fd, 16, key, IPCLAB_CREAT, 0600, 1, &id));
	EXPECT_ERRNO(EINVAL, ipclab_get(self->fd, 0xffffffff, key, IPCLAB_CREAT,
					0600, 1, &id));
	/* flags */
	EXPECT_ERRNO(EINVAL, ipclab_get(self->fd, IPCLAB_TYPE_SEM, key,
					IPCLAB_CREAT | 0x10, 0600, 1, &id));
	/* refusing deadlocks means nothing for mailboxes and buffers */
	EXPECT_ERRNO(EINVAL, ipclab_get(self->fd, IPCLAB_TYPE_MBOX, key,
					IPCLAB_CREAT | IPCLAB_REFUSE_DEADLOCK,
					0600, 0, &id));
	EXPECT_ERRNO(EINVAL, ipclab_get(self->fd, IPCLAB_TYPE_SEM, key,
					IPCLAB_CREAT | 0x80000000, 0600, 1, &id));
	/* mode */
	EXPECT_ERRNO(EINVAL, ipclab_get(self->fd, IPCLAB_TYPE_SEM, key,
					IPCLAB_CREAT, 01000, 1, &id));
	EXPECT_ERRNO(EINVAL, ipclab_get(self->fd, IPCLAB_TYPE_MUTEX, key,
					IPCLAB_CREAT, 01600, 0, &id));
	EXPECT_ERRNO(EINVAL, ipclab_get(self->fd, IPCLAB_TYPE_SEM, key,
					IPCLAB_CREAT, 0xffffffff, 1, &id));
	/* nsems when creating */
	EXPECT_ERRNO(EINVAL, ipclab_get(self->fd, IPCLAB_TYPE_SEM, key,
					IPCLAB_CREAT, 0600, 0, &id));
	EXPECT_ERRNO(EINVAL, ipclab_get(self->fd, IPCLAB_TYPE_SEM, key,
					IPCLAB_CREAT, 0600, max_sems + 1, &id));
	EXPECT_ERRNO(EINVAL, ipclab_get(self->fd, IPCLAB_TYPE_SEM, key,
					IPCLAB_CREAT, 0600, 0xffffffff, &id));
	/* padding and reserved fields */
	g = get_args(IPCLAB_TYPE_SEM, key, IPCLAB_CREAT, 0600, 1);
	g.pad = 1;
	EXPECT_ERRNO(EINVAL, get_raw(self->fd, &g));
	g = get_args(IPCLAB_TYPE_SEM, key, IPCLAB_CREAT, 0600, 1);
	g.sem.pad = 1;
	EXPECT_ERRNO(EINVAL, get_raw(self->fd, &g));
	for (i = 0; i < (int)ARRAY_SIZE(g.reserved); i++) {
		g = get_args(IPCLAB_TYPE_SEM, key, IPCLAB_CREAT, 0600, 1);
		g.reserved[i] = 1ULL << 63;
		EXPECT_ERRNO(EINVAL, get_raw(self->fd, &g)) TH_LOG("reserved[%d]", i);
		g = get_args(IPCLAB_TYPE_MUTEX, key, IPCLAB_CREAT, 0600, 0);
		g.reserved[i] = 1;
		EXPECT_ERRNO(EINVAL, get_raw(self->fd, &g)) TH_LOG("reserved[%d]", i);
	}
	/* The union's bytes beyond the type's member must be zero. */
	g = get_args(IPCLAB_TYPE_SEM, key, IPCLAB_CREAT, 0600, 1);
	EXPECT_EQ(0, get_union_tail_accepted(self->fd, &g, sizeof(g.sem.nsems)));
	g = get_args(IPCLAB_TYPE_MUTEX, key, IPCLAB_CREAT, 0600, 0);
	EXPECT_EQ(0, get_union_tail_accepted(self->fd, &g, 0));
	g = get_args(IPCLAB_TYPE_MUTEX, key, IPCLAB_CREAT, 0600, 1);
	EXPECT_ERRNO(EINVAL, get_raw(self->fd, &g));
	g = get_args(IPCLAB_TYPE_MUTEX, key, IPCLAB_CREAT, 0600, 0);
	g.sem.pad = 1;
	EXPECT_ERRNO(EINVAL, get_raw(self->fd, &g));
	/* a bad pointer */
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, IPCLAB_IOC_GET, NULL));
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, IPCLAB_IOC_GET, (void *)1));

	/* None of these created anything. */
	EXPECT_ERRNO(ENOENT, ipclab_get(self->fd, IPCLAB_TYPE_SEM, key, 0, 0, 0, &id));
	EXPECT_ERRNO(ENOENT, ipclab_get(self->fd, IPCLAB_TYPE_MUTEX, key, 0, 0, 0, &id));

	/* Opening checks the mode too. */
	GET_NEW(IPCLAB_TYPE_SEM, key, IPCLAB_CREAT | IPCLAB_EXCL, 0600, 1);
	EXPECT_ERRNO(EINVAL, ipclab_get(self->fd, IPCLAB_TYPE_SEM, key, 0,
					01000, 0, &id));
	/* A creation option without IPCLAB_CREAT */
	EXPECT_ERRNO(EINVAL, ipclab_get(self->fd, IPCLAB_TYPE_SEM, key,
					IPCLAB_REFUSE_DEADLOCK, 0600, 0, &id));
}

/* nsems when opening an existing set: 0 or at most the set's size. */
TEST_F(obj, sem_nsems_on_open)
{
	__s32 key = test_key(4);
	__u32 id, id2;

	id = GET_NEW(IPCLAB_TYPE_SEM, key, IPCLAB_CREAT | IPCLAB_EXCL, 0600, 3);
	EXPECT_ERRNO(EINVAL, ipclab_get(self->fd, IPCLAB_TYPE_SEM, key, 0,
					0600, 4, &id2));
	EXPECT_ERRNO(EINVAL, ipclab_get(self->fd, IPCLAB_TYPE_SEM, key,
					IPCLAB_CREAT, 0600, 4, &id2));
	EXPECT_OK(ipclab_get(self->fd, IPCLAB_TYPE_SEM, key, 0, 0600, 3, &id2));
	EXPECT_EQ(id, id2);
	EXPECT_OK(ipclab_get(self->fd, IPCLAB_TYPE_SEM, key, 0, 0600, 1, &id2));
	EXPECT_EQ(id, id2);
	EXPECT_OK(ipclab_get(self->fd, IPCLAB_TYPE_SEM, key, 0, 0600, 0, &id2));
	EXPECT_EQ(id, id2);
	/* CREAT on an existing set is an open: 0 is fine there too. */
	EXPECT_OK(ipclab_get(self->fd, IPCLAB_TYPE_SEM, key, IPCLAB_CREAT,
			     0600, 0, &id2));
	EXPECT_EQ(id, id2);
}

/*
 * A removed object's id is stale: every command on it gives EINVAL, and
 * no later object gets the same id back.
 */
TEST_F(obj, stale_ids)
{
	const int n = 64;
	struct ipclab_sembuf b = sembuf(0, 1, 0);
	struct ipclab_stat st;
	__u32 ids[64], live;
	__s32 v;
	int i, j;

	for (i = 0; i < n; i++) {
		ASSERT_OK(i % 2 ? mutex_create(self->fd, &ids[i])
				: sem_create(self->fd, 1, &ids[i]));
		for (j = 0; j < i; j++) {
			EXPECT_NE(ids[j], ids[i]) TH_LOG("id %u given twice", ids[i]);
		}
		ASSERT_OK(ipclab_rmid(self->fd, ids[i]));
	}
	live = NEW_SEM(1);
	for (i = 0; i < n; i++) {
		EXPECT_NE(ids[i], live);
		EXPECT_ERRNO(EINVAL, ipclab_stat(self->fd, ids[i], &st));
		EXPECT_ERRNO(EINVAL, ipclab_rmid(self->fd, ids[i]));
		EXPECT_ERRNO(EINVAL, ipclab_set(self->fd, ids[i], 0, 0, 0600));
		EXPECT_ERRNO(EINVAL, sem_ops(self->fd, ids[i], &b, 1, 0, 0));
		EXPECT_ERRNO(EINVAL, sem_ctl(self->fd, ids[i], IPCLAB_SEMCTL_GETVAL, 0, &v));
		EXPECT_ERRNO(EINVAL, mutex_lock(self->fd, ids[i]));
		EXPECT_ERRNO(EINVAL, mutex_unlock(self->fd, ids[i]));
	}
	/* The live one was not disturbed by all that. */
	EXPECT_OK(sem_op1(self->fd, live, 0, 1, 0));
	EXPECT_EQ(1, sem_getval(self->fd, live, 0));
}

/* A removed key is free again at once. */
TEST_F(obj, key_reuse_after_rmid)
{
	__s32 key = test_key(5);
	__u32 old, id;

	old = GET_NEW(IPCLAB_TYPE_SEM, key, IPCLAB_CREAT | IPCLAB_EXCL, 0600, 2);
	ASSERT_OK(sem_setval(self->fd, old, 0, 9));
	ASSERT_OK(ipclab_rmid(self->fd, old));
	EXPECT_ERRNO(ENOENT, ipclab_get(self->fd, IPCLAB_TYPE_SEM, key, 0, 0, 0, &id));
	id = GET_NEW(IPCLAB_TYPE_SEM, key, IPCLAB_CREAT | IPCLAB_EXCL, 0600, 1);
	EXPECT_NE(old, id);
	/* A fresh object: new size, zero value. */
	EXPECT_EQ(0, sem_getval(self->fd, id, 0));
	EXPECT_ERRNO(EFBIG, sem_getval(self->fd, id, 1));
	EXPECT_ERRNO(EINVAL, sem_getval(self->fd, old, 0));
}

/* Objects outlive the process (and the session) that created them. */
TEST_F(obj, persist_after_creator_exits)
{
	__s32 skey = test_key(8), mkey = test_key(9);
	struct ipclab_stat st;
	__u32 sid, mid;
	pid_t pid;

	pid = kids_fork(&self->cl);
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd = open(IPCLAB_DEVICE, O_RDWR | O_CLOEXEC);
		__u32 id;

		close(self->fd);
		if (fd < 0)
			_exit(CHILD_BROKEN);
		CHILD_CHECK(ipclab_get(fd, IPCLAB_TYPE_SEM, skey,
				       IPCLAB_CREAT | IPCLAB_EXCL, 0600, 2, &id), 0);
		CHILD_CHECK(sem_setval(fd, id, 1, 7), 0);
		CHILD_CHECK(ipclab_get(fd, IPCLAB_TYPE_MUTEX, mkey,
				       IPCLAB_CREAT | IPCLAB_EXCL, 0600, 0, &id), 0);
		_exit(0);
	}
	EXPECT_KID(0, pid, IPCLAB_SETTLE_MS);

	ASSERT_OK(ipclab_get(self->fd, IPCLAB_TYPE_SEM, skey, 0, 0600, 0, &sid));
	cl_track(&self->cl, sid);
	ASSERT_OK(ipclab_get(self->fd, IPCLAB_TYPE_MUTEX, mkey, 0, 0600, 0, &mid));
	cl_track(&self->cl, mid);
	EXPECT_EQ(7, sem_getval(self->fd, sid, 1));
	ASSERT_OK(ipclab_stat(self->fd, sid, &st));
	EXPECT_EQ(pid, st.perm.cpid);
	ASSERT_OK(ipclab_stat(self->fd, mid, &st));
	EXPECT_EQ(pid, st.perm.cpid);
	EXPECT_EQ(IPCLAB_MUTEX_UNLOCKED, st.mutex.state);
}

TEST_F(obj, stat_perm_and_set)
{
	struct ipclab_list l;
	__u32 ids[4];
	__s32 key = test_key(10);
	struct ipclab_stat st;
	struct ipclab_id raw;
	time_t now = time(NULL);
	__u32 id;
	int i;

	id = GET_NEW(IPCLAB_TYPE_SEM, key, IPCLAB_CREAT, 0640, 3);
	ASSERT_OK(ipclab_stat(self->fd, id, &st));
	EXPECT_EQ(IPCLAB_TYPE_SEM, st.type);
	EXPECT_EQ(key, st.perm.key);
	EXPECT_EQ(id, st.perm.id);
	EXPECT_EQ(geteuid(), st.perm.uid);
	EXPECT_EQ(getegid(), st.perm.gid);
	EXPECT_EQ(geteuid(), st.perm.cuid);
	EXPECT_EQ(getegid(), st.perm.cgid);
	EXPECT_EQ(0640, st.perm.mode);
	EXPECT_EQ(getpid(), st.perm.cpid);
	EXPECT_EQ(0, st.perm.flags);
	EXPECT_LE(now - 5, st.perm.ctime);
	EXPECT_GE(now + 5, st.perm.ctime);
	EXPECT_EQ(0, st.perm.otime);
	EXPECT_EQ(0, st.nwaiters);
	EXPECT_EQ(3, st.sem.nsems);
	EXPECT_EQ(3, st.values_len);
	EXPECT_EQ(0, st.waiters_len);
	EXPECT_EQ(0, st.ops_len);
	EXPECT_EQ(0, st.holders_len);

	ASSERT_OK(ipclab_set(self->fd, id, 1234, 5678, 0604));
	ASSERT_OK(ipclab_stat(self->fd, id, &st));
	EXPECT_EQ(1234, st.perm.uid);
	EXPECT_EQ(5678, st.perm.gid);
	EXPECT_EQ(0604, st.perm.mode);
	EXPECT_EQ(geteuid(), st.perm.cuid);
	EXPECT_EQ(getegid(), st.perm.cgid);
	EXPECT_EQ(getpid(), st.perm.cpid);
	EXPECT_LE(now, st.perm.ctime);
	EXPECT_GE(now + 5, st.perm.ctime);
	/* The key still finds it. */
	EXPECT_OK(ipclab_get(self->fd, IPCLAB_TYPE_SEM, key, 0, 0, 0, &id));

	/* STAT, SET and RMID: flags, padding, pointers. */
	stat_prepare(&st, id);
	st.flags = 4;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, IPCLAB_IOC_STAT, &st));
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, IPCLAB_IOC_STAT, NULL));
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, IPCLAB_IOC_SET, NULL));
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, IPCLAB_IOC_RMID, NULL));
	raw = (struct ipclab_id){ .id = id, .flags = 1 };
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, IPCLAB_IOC_RMID, &raw));
	/*
	 * SET: unknown flags, a flag this type does not take, the pad, and
	 * a max_bytes without its flag are EINVAL; nothing changes.
	 */
	for (i = 0; i < 4; i++) {
		struct ipclab_set s = {
			.id = id, .mode = 0600, .uid = geteuid(), .gid = getegid(),
		};

		if (i == 0)
			s.flags = IPCLAB_SET_MAX_BYTES;
		else if (i == 1)
			s.flags = 0x80000000;
		else if (i == 2)
			s.pad = 1;
		else
			s.max_bytes = 1;
		EXPECT_ERRNO(EINVAL, ioctl(self->fd, IPCLAB_IOC_SET, &s)) TH_LOG("%d", i);
	}
	ASSERT_OK(ipclab_stat(self->fd, id, &st));
	EXPECT_EQ(0604, st.perm.mode);
	/* LIST: flags, pad and reserved; no primitive of a type number. */
	l = (struct ipclab_list){ .len = 4, .ids = ptr_u64(ids) };
	l.flags = 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, IPCLAB_IOC_LIST, &l));
	l.flags = 0;
	l.pad = 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, IPCLAB_IOC_LIST, &l));
	l.pad = 0;
	l.reserved = 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, IPCLAB_IOC_LIST, &l));
	l.reserved = 0;
	EXPECT_OK(ioctl(self->fd, IPCLAB_IOC_LIST, &l));
	/* LIST refuses exactly the numbers that GET knows no primitive of. */
	for (l.type = IPCLAB_TYPE_SHBUF + 1; l.type < 64; l.type++) {
		__u32 nid;

		if (ipclab_get(self->fd, l.type, IPCLAB_KEY_PRIVATE, IPCLAB_CREAT,
			       0600, 1, &nid) == 0) {
			ipclab_rmid(self->fd, nid);
			continue;
		}
		EXPECT_ERRNO(EINVAL, ioctl(self->fd, IPCLAB_IOC_LIST, &l)) TH_LOG("%u", l.type);
	}
	l.type = 0xffffffff;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, IPCLAB_IOC_LIST, &l));
	EXPECT_ERRNO(EINVAL, ipclab_set(self->fd, 0xffffffff, 0, 0, 0600));
	EXPECT_ERRNO(EINVAL, ipclab_rmid(self->fd, 0xffffffff));
	EXPECT_ERRNO(EINVAL, ipclab_stat(self->fd, 0xffffffff, &st));
	EXPECT_OK(ipclab_stat(self->fd, id, &st));
}

/*
 * STAT by slot (IPCLAB_STAT_INDEX), as SEM_STAT walks: the slot's object,
 * with its id; an empty or out-of-range slot is EINVAL.  IPCLAB_STAT_ANY
 * takes no arrays.
 */
TEST_F(obj, stat_index)
{
	__u32 id, mid, slot;
	struct ipclab_stat st;
	__s32 vals[2];

	id = GET_NEW(IPCLAB_TYPE_SEM, IPCLAB_KEY_PRIVATE, IPCLAB_CREAT, 0600, 2);
	mid = GET_NEW(IPCLAB_TYPE_MUTEX, IPCLAB_KEY_PRIVATE, IPCLAB_CREAT, 0600, 0);
	slot = id % IPCLAB_ID_SLOTS;

	stat_prepare(&st, slot);
	st.flags = IPCLAB_STAT_INDEX;
	ASSERT_OK(ioctl(self->fd, IPCLAB_IOC_STAT, &st));
	EXPECT_EQ(id, st.id);
	EXPECT_EQ(id, st.perm.id);
	EXPECT_EQ(IPCLAB_TYPE_SEM, st.type);
	EXPECT_EQ(2, st.sem.nsems);
	EXPECT_EQ(IPCLAB_STAT_INDEX, st.flags);

	/* With the arrays, as by id. */
	stat_prepare(&st, slot);
	st.flags = IPCLAB_STAT_INDEX;
	st.values = ptr_u64(vals);
	st.values_len = 2;
	ASSERT_OK(ioctl(self->fd, IPCLAB_IOC_STAT, &st));
	EXPECT_EQ(2, st.values_len);
	EXPECT_EQ(0, vals[0]);

	stat_prepare(&st, mid % IPCLAB_ID_SLOTS);
	st.flags = IPCLAB_STAT_INDEX | IPCLAB_STAT_ANY;
	ASSERT_OK(ioctl(self->fd, IPCLAB_IOC_STAT, &st));
	EXPECT_EQ(mid, st.id);
	EXPECT_EQ(IPCLAB_TYPE_MUTEX, st.type);

	/* A slot past the table, and an id, are not slots. */
	stat_prepare(&st, IPCLAB_ID_SLOTS);
	st.flags = IPCLAB_STAT_INDEX;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, IPCLAB_IOC_STAT, &st));
	stat_prepare(&st, id);
	st.flags = IPCLAB_STAT_INDEX;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, IPCLAB_IOC_STAT, &st));

	/* STAT_ANY: no array pointer or capacity. */
	stat_prepare(&st, id);
	st.flags = IPCLAB_STAT_ANY;
	st.values = ptr_u64(vals);
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, IPCLAB_IOC_STAT, &st));
	stat_prepare(&st, id);
	st.flags = IPCLAB_STAT_ANY;
	st.holders_len = 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, IPCLAB_IOC_STAT, &st));
	stat_prepare(&st, id);
	st.flags = IPCLAB_STAT_ANY;
	ASSERT_OK(ioctl(self->fd, IPCLAB_IOC_STAT, &st));
	EXPECT_EQ(2, st.sem.nsems);
	EXPECT_EQ(0, st.values_len);

	/* A removed object's slot is empty. */
	ASSERT_OK(ipclab_rmid(self->fd, id));
	stat_prepare(&st, slot);
	st.flags = IPCLAB_STAT_INDEX;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, IPCLAB_IOC_STAT, &st));
}

/* IPCLAB_IOC_NAME, with the 0xcc poison where the kernel must write. */
static int name_op(int fd, __u32 id, __u32 flags, const char *set, char *got)
{
	struct ipclab_name n;
	int ret;

	memset(&n, flags & IPCLAB_NAME_SET ? 0 : 0xcc, sizeof(n));
	n.id = id;
	n.flags = flags;
	if (set)
		memcpy(n.name, set, strnlen(set, sizeof(n.name)));
	ret = ioctl(fd, IPCLAB_IOC_NAME, &n);
	if (!ret && got)
		memcpy(got, n.name, sizeof(n.name));
	return ret;
}

/* A name is set, read back NUL-padded, replaced, removed, and checked. */
TEST_F(obj, name)
{
	char got[IPCLAB_NAME_LEN], zero[IPCLAB_NAME_LEN] = "", max[IPCLAB_NAME_LEN];
	__u32 id = GET_NEW(IPCLAB_TYPE_SEM, IPCLAB_KEY_PRIVATE, IPCLAB_CREAT, 0600, 3);
	__u32 mid = GET_NEW(IPCLAB_TYPE_MUTEX, IPCLAB_KEY_PRIVATE, IPCLAB_CREAT, 0600, 0);
	struct ipclab_name n;

	/* None at first: all zeroes, over the poison. */
	ASSERT_EQ(0, name_op(self->fd, id, 0, NULL, got));
	EXPECT_EQ(0, memcmp(got, zero, sizeof(got)));

	ASSERT_EQ(0, name_op(self->fd, id, IPCLAB_NAME_SET, "empty,filled,mutex", NULL));
	ASSERT_EQ(0, name_op(self->fd, id, 0, NULL, got));
	EXPECT_STREQ("empty,filled,mutex", got);
	EXPECT_EQ(0, memcmp(got + 18, zero, sizeof(got) - 18));
	/* Another object's is its own. */
	ASSERT_EQ(0, name_op(self->fd, mid, IPCLAB_NAME_SET, "printer", NULL));
	ASSERT_EQ(0, name_op(self->fd, id, 0, NULL, got));
	EXPECT_STREQ("empty,filled,mutex", got);
	ASSERT_EQ(0, name_op(self->fd, mid, 0, NULL, got));
	EXPECT_STREQ("printer", got);

	/* The longest: 63 characters; replacing a name; "" removes it. */
	memset(max, '~', sizeof(max) - 1);
	max[sizeof(max) - 1] = '\0';
	ASSERT_EQ(0, name_op(self->fd, id, IPCLAB_NAME_SET, max, NULL));
	ASSERT_EQ(0, name_op(self->fd, id, 0, NULL, got));
	EXPECT_STREQ(max, got);
	ASSERT_EQ(0, name_op(self->fd, id, IPCLAB_NAME_SET, " ", NULL));
	ASSERT_EQ(0, name_op(self->fd, id, 0, NULL, got));
	EXPECT_STREQ(" ", got);
	ASSERT_EQ(0, name_op(self->fd, id, IPCLAB_NAME_SET, "", NULL));
	ASSERT_EQ(0, name_op(self->fd, id, 0, NULL, got));
	EXPECT_EQ(0, memcmp(got, zero, sizeof(got)));

	/* What is refused changes nothing. */
	ASSERT_EQ(0, name_op(self->fd, id, IPCLAB_NAME_SET, "mutex", NULL));
	EXPECT_EQ(-1, name_op(self->fd, id, IPCLAB_NAME_SET | 0x2, "x", NULL));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, name_op(self->fd, id, 0x80000000, NULL, got));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, name_op(self->fd, id, IPCLAB_NAME_SET, "bell\a", NULL));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, name_op(self->fd, id, IPCLAB_NAME_SET, "esc\033[2J", NULL));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, name_op(self->fd, id, IPCLAB_NAME_SET, "tab\tx", NULL));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, name_op(self->fd, id, IPCLAB_NAME_SET, "del\177", NULL));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, name_op(self->fd, id, IPCLAB_NAME_SET, "high\200", NULL));
	EXPECT_EQ(EINVAL, errno);
	/* No NUL in the 64 bytes. */
	memset(&n, 'a', sizeof(n));
	n.id = id;
	n.flags = IPCLAB_NAME_SET;
	EXPECT_EQ(-1, ioctl(self->fd, IPCLAB_IOC_NAME, &n));
	EXPECT_EQ(EINVAL, errno);
	/* Bytes after the NUL. */
	memset(&n, 0, sizeof(n));
	n.id = id;
	n.flags = IPCLAB_NAME_SET;
	strcpy(n.name, "ab");
	n.name[IPCLAB_NAME_LEN - 1] = 'z';
	EXPECT_EQ(-1, ioctl(self->fd, IPCLAB_IOC_NAME, &n));
	EXPECT_EQ(EINVAL, errno);
	/* No such object; a stale id. */
	EXPECT_EQ(-1, name_op(self->fd, id + 1, 0, NULL, got));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, name_op(self->fd, 0, IPCLAB_NAME_SET, "x", NULL));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->fd, IPCLAB_IOC_NAME, NULL));
	EXPECT_EQ(EFAULT, errno);
	ASSERT_EQ(0, name_op(self->fd, id, 0, NULL, got));
	EXPECT_STREQ("mutex", got);

	/* Removed with its object: the id names nothing any more. */
	ASSERT_EQ(0, ipclab_rmid(self->fd, id));
	EXPECT_EQ(-1, name_op(self->fd, id, 0, NULL, got));
	EXPECT_EQ(EINVAL, errno);
}

/* Naming needs write permission, reading the name read permission. */
TEST_F(obj, name_perm)
{
	char got[IPCLAB_NAME_LEN];
	__u32 ro, wo;
	pid_t pid;

	SKIP_IF_NOT_ROOT();
	ro = GET_NEW(IPCLAB_TYPE_SEM, IPCLAB_KEY_PRIVATE, IPCLAB_CREAT, 0644, 1);
	wo = GET_NEW(IPCLAB_TYPE_MBOX, IPCLAB_KEY_PRIVATE, IPCLAB_CREAT, 0602, 0);
	ASSERT_EQ(0, name_op(self->fd, ro, IPCLAB_NAME_SET, "root's", NULL));
	pid = kids_fork(&self->cl);
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int cfd = nobody_session();

		CHILD_CHECK(name_op(cfd, ro, 0, NULL, got), 0);
		if (strcmp(got, "root's"))
			_exit(CHILD_CHECK_FAILED);
		CHILD_CHECK(name_op(cfd, ro, IPCLAB_NAME_SET, "nobody's", NULL), EACCES);
		CHILD_CHECK(name_op(cfd, wo, 0, NULL, got), EACCES);
		CHILD_CHECK(name_op(cfd, wo, IPCLAB_NAME_SET, "nobody's", NULL), 0);
		_exit(0);
	}
	EXPECT_KID(0, pid, IPCLAB_SETTLE_MS);
	ASSERT_EQ(0, name_op(self->fd, ro, 0, NULL, got));
	EXPECT_STREQ("root's", got);
	ASSERT_EQ(0, name_op(self->fd, wo, 0, NULL, got));
	EXPECT_STREQ("nobody's", got);
}

/* ------------------------------------------------------------------ */
/* Permissions (run the other side as nobody)                         */
/* ------------------------------------------------------------------ */

/* Mode 0600, root's: nobody may find it ("only look") but do nothing. */
TEST_F(obj, perm_other_denied)
{
	__s32 key = test_key(11), mkey = test_key(12);
	__u32 id, mid;
	pid_t pid;

	SKIP_IF_NOT_ROOT();
	id = GET_NEW(IPCLAB_TYPE_SEM, key, IPCLAB_CREAT, 0600, 2);
	mid = GET_NEW(IPCLAB_TYPE_MUTEX, mkey, IPCLAB_CREAT, 0600, 0);
	pid = kids_fork(&self->cl);
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int cfd = nobody_session();
		struct ipclab_sembuf b = sembuf(0, 1, 0);
		struct ipclab_stat st;
		__s32 v = 1, vals[2];
		__u32 got;

		CHILD_CHECK(ipclab_get(cfd, IPCLAB_TYPE_SEM, key, 0, 0, 0, &got), 0);
		if (got != id)
			_exit(CHILD_CHECK_FAILED);
		CHILD_CHECK(ipclab_get(cfd, IPCLAB_TYPE_SEM, key, 0, 0400, 0, &got), EACCES);
		CHILD_CHECK(ipclab_get(cfd, IPCLAB_TYPE_SEM, key, 0, 0200, 0, &got), EACCES);
		CHILD_CHECK(ipclab_get(cfd, IPCLAB_TYPE_SEM, key, 0, 0600, 0, &got), EACCES);
		CHILD_CHECK(ipclab_get(cfd, IPCLAB_TYPE_SEM, key, IPCLAB_CREAT,
				       0600, 2, &got), EACCES);
		CHILD_CHECK(ipclab_stat(cfd, id, &st), EACCES);
		stat_prepare(&st, id % IPCLAB_ID_SLOTS);
		st.flags = IPCLAB_STAT_INDEX;
		CHILD_CHECK(ioctl(cfd, IPCLAB_IOC_STAT, &st), EACCES);
		/* STAT_ANY shows what /proc/sysvipc would, to anyone. */
		stat_prepare(&st, id % IPCLAB_ID_SLOTS);
		st.flags = IPCLAB_STAT_INDEX | IPCLAB_STAT_ANY;
		CHILD_CHECK(ioctl(cfd, IPCLAB_IOC_STAT, &st), 0);
		if (st.id != id || st.sem.nsems != 2 || st.perm.mode != 0600)
			_exit(CHILD_CHECK_FAILED);
		stat_prepare(&st, id);
		st.flags = IPCLAB_STAT_ANY;
		st.values = ptr_u64(vals);
		st.values_len = 2;
		CHILD_CHECK(ioctl(cfd, IPCLAB_IOC_STAT, &st), EINVAL);
		CHILD_CHECK(sem_ops(cfd, id, &b, 1, 0, 0), EACCES);
		CHILD_CHECK(sem_ctl(cfd, id, IPCLAB_SEMCTL_GETVAL, 0, &v), EACCES);
		CHILD_CHECK(sem_ctl(cfd, id, IPCLAB_SEMCTL_GETNCNT, 0, &v), EACCES);
		CHILD_CHECK(sem_getall(cfd, id, vals, 2), EACCES);
		CHILD_CHECK(sem_setval(cfd, id, 0, 1), EACCES);
		CHILD_CHECK(ipclab_set(cfd, id, IPCLAB_NOBODY, IPCLAB_NOBODY, 0666), EPERM);
		CHILD_CHECK(ipclab_rmid(cfd, id), EPERM);

		CHILD_CHECK(ipclab_get(cfd, IPCLAB_TYPE_MUTEX, mkey, 0, 0600, 0, &got), EACCES);
		CHILD_CHECK(ipclab_stat(cfd, mid, &st), EACCES);
		CHILD_CHECK(mutex_lock(cfd, mid), EACCES);
		CHILD_CHECK(mutex_trylock(cfd, mid), EACCES);
		CHILD_CHECK(ipclab_rmid(cfd, mid), EPERM);
		_exit(0);
	}
	EXPECT_KID(0, pid, IPCLAB_SETTLE_MS);

	/* Nothing changed; root still does everything. */
	check_sem_values(self->fd, id, 0, 0);
	check_mutex_state(self->fd, mid, IPCLAB_MUTEX_UNLOCKED, 0, 0);
	EXPECT_OK(ipclab_get(self->fd, IPCLAB_TYPE_SEM, key, 0, 0600, 0, &id));
}

/*
 * Mode 0644: nobody may look (STAT, GET*, wait for zero) but not change
 * (P/V, SET*, lock).
 */
TEST_F(obj, perm_read_only)
{
	__s32 key = test_key(13);
	__u32 id, mid;
	pid_t pid;

	SKIP_IF_NOT_ROOT();
	id = GET_NEW(IPCLAB_TYPE_SEM, key, IPCLAB_CREAT, 0644, 2);
	mid = GET_NEW(IPCLAB_TYPE_MUTEX, test_key(14), IPCLAB_CREAT, 0644, 0);
	ASSERT_OK(sem_setval(self->fd, id, 1, 3));
	pid = kids_fork(&self->cl);
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int cfd = nobody_session();
		struct ipclab_sembuf b, zero_and_v[2];
		struct ipclab_stat st;
		__s32 v, vals[2];
		__u32 got;

		CHILD_CHECK(ipclab_get(cfd, IPCLAB_TYPE_SEM, key, 0, 0400, 0, &got), 0);
		CHILD_CHECK(ipclab_get(cfd, IPCLAB_TYPE_SEM, key, 0, 0444, 0, &got), 0);
		CHILD_CHECK(ipclab_get(cfd, IPCLAB_TYPE_SEM, key, 0, 0200, 0, &got), EACCES);
		CHILD_CHECK(ipclab_get(cfd, IPCLAB_TYPE_SEM, key, 0, 0600, 0, &got), EACCES);
		/* The access wanted is read from all three triplets, as SysV. */
		CHILD_CHECK(ipclab_get(cfd, IPCLAB_TYPE_SEM, key, 0, 0040, 0, &got), 0);
		CHILD_CHECK(ipclab_get(cfd, IPCLAB_TYPE_SEM, key, 0, 0004, 0, &got), 0);
		CHILD_CHECK(ipclab_get(cfd, IPCLAB_TYPE_SEM, key, 0, 0020, 0, &got), EACCES);
		CHILD_CHECK(ipclab_get(cfd, IPCLAB_TYPE_SEM, key, 0, 0002, 0, &got), EACCES);
		CHILD_CHECK(ipclab_get(cfd, IPCLAB_TYPE_SEM, key, 0, 0402, 0, &got), EACCES);
		CHILD_CHECK(ipclab_stat(cfd, id, &st), 0);
		if (sem_getval(cfd, id, 1) != 3)
			_exit(CHILD_CHECK_FAILED);
		CHILD_CHECK(sem_getall(cfd, id, vals, 2), 0);
		CHILD_CHECK(sem_ctl(cfd, id, IPCLAB_SEMCTL_GETNCNT, 0, &v), 0);
		CHILD_CHECK(sem_ctl(cfd, id, IPCLAB_SEMCTL_GETZCNT, 0, &v), 0);
		CHILD_CHECK(sem_ctl(cfd, id, IPCLAB_SEMCTL_GETPID, 0, &v), 0);
		b = sembuf(0, 1, 0);
		CHILD_CHECK(sem_ops(cfd, id, &b, 1, 0, 0), EACCES);
		b = sembuf(1, -1, 0);
		CHILD_CHECK(sem_ops(cfd, id, &b, 1, 0, 0), EACCES);
		/* Waiting for zero changes nothing: reading is enough. */
		b = sembuf(0, 0, 0);
		CHILD_CHECK(sem_ops(cfd, id, &b, 1, 0, 0), 0);
		b = sembuf(1, 0, 0);
		CHILD_CHECK(sem_ops(cfd, id, &b, 1, IPCLAB_WAIT_NOWAIT, 0), EAGAIN);
		zero_and_v[0] = sembuf(0, 0, 0);
		zero_and_v[1] = sembuf(1, 1, 0);
		CHILD_CHECK(sem_ops(cfd, id, zero_and_v, 2, 0, 0), EACCES);
		CHILD_CHECK(sem_setval(cfd, id, 0, 1), EACCES);
		CHILD_CHECK(sem_setall(cfd, id, vals, 2), EACCES);
		CHILD_CHECK(ipclab_rmid(cfd, id), EPERM);

		CHILD_CHECK(ipclab_stat(cfd, mid, &st), 0);
		CHILD_CHECK(mutex_lock(cfd, mid), EACCES);
		CHILD_CHECK(mutex_trylock(cfd, mid), EACCES);
		_exit(0);
	}
	EXPECT_KID(0, pid, IPCLAB_SETTLE_MS);
	check_sem_values(self->fd, id, 0, 3);
	check_mutex_state(self->fd, mid, IPCLAB_MUTEX_UNLOCKED, 0, 0);
}

/* Mode 0602: nobody may change (P/V, SETVAL, lock) but not look (nor wait for zero). */
TEST_F(obj, perm_write_only)
{
	__s32 key = test_key(15);
	__u32 id, mid;
	pid_t pid;

	SKIP_IF_NOT_ROOT();
	id = GET_NEW(IPCLAB_TYPE_SEM, key, IPCLAB_CREAT, 0602, 1);
	mid = GET_NEW(IPCLAB_TYPE_MUTEX, test_key(16), IPCLAB_CREAT, 0602, 0);
	pid = kids_fork(&self->cl);
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int cfd = nobody_session();
		struct ipclab_stat st;
		__s32 v;
		__u32 got;

		CHILD_CHECK(ipclab_get(cfd, IPCLAB_TYPE_SEM, key, 0, 0200, 0, &got), 0);
		CHILD_CHECK(ipclab_get(cfd, IPCLAB_TYPE_SEM, key, 0, 0400, 0, &got), EACCES);
		CHILD_CHECK(ipclab_stat(cfd, id, &st), EACCES);
		CHILD_CHECK(sem_ctl(cfd, id, IPCLAB_SEMCTL_GETVAL, 0, &v), EACCES);
		/* Waiting for zero needs read permission, as looking does. */
		CHILD_CHECK(sem_op1(cfd, id, 0, 0, 0), EACCES);
		CHILD_CHECK(sem_op1(cfd, id, 0, 2, 0), 0);
		CHILD_CHECK(sem_op1(cfd, id, 0, -1, 0), 0);
		CHILD_CHECK(sem_setval(cfd, id, 0, 5), 0);

		CHILD_CHECK(ipclab_stat(cfd, mid, &st), EACCES);
		CHILD_CHECK(mutex_lock(cfd, mid), 0);
		CHILD_CHECK(mutex_unlock(cfd, mid), 0);
		_exit(0);
	}
	EXPECT_KID(0, pid, IPCLAB_SETTLE_MS);
	check_sem_values(self->fd, id, 5);
	check_mutex_state(self->fd, mid, IPCLAB_MUTEX_UNLOCKED, 0, 0);
}

/* The group bits apply to members of the object's group. */
TEST_F(obj, perm_group)
{
	__u32 id = NEW_SEM(1);
	pid_t pid;

	SKIP_IF_NOT_ROOT();
	ASSERT_OK(ipclab_set(self->fd, id, 0, IPCLAB_NOBODY, 0060));
	pid = kids_fork(&self->cl);
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int cfd = nobody_session();
		struct ipclab_stat st;

		CHILD_CHECK(ipclab_stat(cfd, id, &st), 0);
		CHILD_CHECK(sem_op1(cfd, id, 0, 1, 0), 0);
		/* Group members are neither owner nor creator. */
		CHILD_CHECK(ipclab_set(cfd, id, IPCLAB_NOBODY, IPCLAB_NOBODY, 0666), EPERM);
		CHILD_CHECK(ipclab_rmid(cfd, id), EPERM);
		_exit(0);
	}
	EXPECT_KID(0, pid, IPCLAB_SETTLE_MS);
	check_sem_values(self->fd, id, 1);

	/* The same object, group bits off, other bits on: denied. */
	ASSERT_OK(ipclab_set(self->fd, id, 0, IPCLAB_NOBODY, 0006));
	pid = kids_fork(&self->cl);
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int cfd = nobody_session();
		struct ipclab_stat st;

		CHILD_CHECK(ipclab_stat(cfd, id, &st), EACCES);
		CHILD_CHECK(sem_op1(cfd, id, 0, 1, 0), EACCES);
		_exit(0);
	}
	EXPECT_KID(0, pid, IPCLAB_SETTLE_MS);
}

/* The owner set with IPCLAB_IOC_SET gets the owner bits and may SET/RMID. */
TEST_F(obj, perm_new_owner)
{
	__u32 id = NEW_SEM(1);
	pid_t pid;

	SKIP_IF_NOT_ROOT();
	ASSERT_OK(ipclab_set(self->fd, id, IPCLAB_NOBODY, 0, 0600));
	pid = kids_fork(&self->cl);
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int cfd = nobody_session();
		struct ipclab_stat st;

		CHILD_CHECK(ipclab_stat(cfd, id, &st), 0);
		CHILD_CHECK(sem_op1(cfd, id, 0, 1, 0), 0);
		CHILD_CHECK(ipclab_set(cfd, id, IPCLAB_NOBODY, IPCLAB_NOBODY, 0640), 0);
		CHILD_CHECK(ipclab_stat(cfd, id, &st), 0);
		if (st.perm.mode != 0640 || st.perm.gid != IPCLAB_NOBODY)
			_exit(CHILD_CHECK_FAILED);
		CHILD_CHECK(ipclab_rmid(cfd, id), 0);
		_exit(0);
	}
	EXPECT_KID(0, pid, IPCLAB_SETTLE_MS);
	EXPECT_ERRNO(EINVAL, sem_getval(self->fd, id, 0));
}

/*
 * The creator keeps the owner's rights after giving the object away, and
 * root (CAP_SYS_ADMIN, CAP_IPC_OWNER) may do anything to anyone's object.
 */
TEST_F(obj, perm_creator_and_root)
{
	struct rendezvous rv;
	struct ipclab_stat st;
	__u32 id = 0;
	pid_t pid;

	SKIP_IF_NOT_ROOT();
	ASSERT_OK(rv_open(&rv));
	pid = kids_fork(&self->cl);
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int cfd = nobody_session();
		__u32 nid;

		rv_child(&rv);
		CHILD_CHECK(sem_create(cfd, 1, &nid), 0);
		if (write(rv.ready[1], &nid, sizeof(nid)) != sizeof(nid))
			_exit(CHILD_BROKEN);
		get_byte(rv.go[0], 60 * 1000);	/* root gives it to uid 4321 */
		CHILD_CHECK(ipclab_stat(cfd, nid, &st), 0);
		if (st.perm.uid != 4321 || st.perm.cuid != IPCLAB_NOBODY)
			_exit(CHILD_CHECK_FAILED);
		CHILD_CHECK(sem_op1(cfd, nid, 0, 1, 0), 0);
		CHILD_CHECK(ipclab_set(cfd, nid, 4321, 4321, 0600), 0);
		CHILD_CHECK(ipclab_rmid(cfd, nid), 0);
		_exit(0);
	}
	rv_parent(&rv);
	ASSERT_EQ(sizeof(id), read(rv.ready[0], &id, sizeof(id)));
	cl_track(&self->cl, id);

	/* Root: mode 0000 does not stop it, nor being neither owner nor creator. */
	ASSERT_OK(ipclab_stat(self->fd, id, &st));
	EXPECT_EQ(IPCLAB_NOBODY, st.perm.uid);
	EXPECT_EQ(IPCLAB_NOBODY, st.perm.cuid);
	EXPECT_EQ(IPCLAB_NOBODY, st.perm.cgid);
	EXPECT_EQ(pid, st.perm.cpid);
	ASSERT_OK(ipclab_set(self->fd, id, 4321, 4321, 0000));
	EXPECT_OK(ipclab_stat(self->fd, id, &st));
	EXPECT_OK(sem_op1(self->fd, id, 0, 1, 0));
	EXPECT_EQ(1, sem_getval(self->fd, id, 0));
	EXPECT_OK(sem_op1(self->fd, id, 0, -1, 0));
	/* Give it to uid 4321; the creator keeps the owner bits. */
	ASSERT_OK(ipclab_set(self->fd, id, 4321, 4321, 0600));
	ASSERT_OK(put_byte(rv.go[1], 'g'));
	EXPECT_KID(0, pid, IPCLAB_SETTLE_MS);
	rv_close(&rv);
	EXPECT_ERRNO(EINVAL, ipclab_stat(self->fd, id, &st));
}

/* ------------------------------------------------------------------ */
/* Limits                                                             */
/* ------------------------------------------------------------------ */

/* Create private objects (alternating types) until one fails; count them. */
static int create_until_failure(int fd, struct ipclab_cleanup *cl, int most,
				int *err)
{
	__u32 id;
	int n;

	for (n = 0; n < most; n++) {
		if (n % 2 ? mutex_create(fd, &id) : sem_create(fd, 1, &id)) {
			*err = errno;
			return n;
		}
		cl_track(cl, id);
	}
	*err = 0;
	return n;
}

/*
 * The limits count creations only: at the limit, opening an existing
 * object still works, and removing one makes room for one.
 */
static void at_object_limit(struct __test_metadata *_metadata,
			    FIXTURE_DATA(obj) *self, int limit)
{
	__s32 key = test_key(20);
	__u32 kid, id;
	int n, err;

	kid = GET_NEW(IPCLAB_TYPE_SEM, key, IPCLAB_CREAT | IPCLAB_EXCL, 0600, 1);
	n = create_until_failure(self->fd, &self->cl, 50, &err);
	EXPECT_EQ(ENOSPC, err) TH_LOG("%s", strerror(err));
	EXPECT_EQ(limit - 1, n) TH_LOG("other ipclab objects exist here?");

	EXPECT_ERRNO(ENOSPC, sem_create(self->fd, 1, &id));
	EXPECT_ERRNO(ENOSPC, mutex_create(self->fd, &id));
	EXPECT_ERRNO(ENOSPC, ipclab_get(self->fd, IPCLAB_TYPE_SEM, test_key(22),
					IPCLAB_CREAT, 0600, 1, &id));
	EXPECT_OK(ipclab_get(self->fd, IPCLAB_TYPE_SEM, key, 0, 0600, 0, &id));
	EXPECT_EQ(kid, id);
	EXPECT_OK(ipclab_get(self->fd, IPCLAB_TYPE_SEM, key, IPCLAB_CREAT,
			     0600, 1, &id));
	EXPECT_EQ(kid, id);

	ASSERT_OK(ipclab_rmid(self->fd, kid));
	id = NEW_MUTEX();
	EXPECT_ERRNO(ENOSPC, sem_create(self->fd, 1, &id));
}

TEST_F(obj, limit_max_objects)
{
	PARAM_CHANGE_OR_SKIP("max_objects", 6);
	at_object_limit(_metadata, self, 6);
	ASSERT_OK(params_restore(&self->cl));
	NEW_SEM(1);
}

TEST_F(obj, limit_max_objects_per_user)
{
	pid_t pid;

	SKIP_IF_NOT_ROOT();
	PARAM_CHANGE_OR_SKIP("max_objects_per_user", 3);
	at_object_limit(_metadata, self, 3);

	/* Another user has a count of its own. */
	pid = kids_fork(&self->cl);
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int cfd = nobody_session();
		__u32 a, b, c, d;

		CHILD_CHECK(sem_create(cfd, 1, &a), 0);
		CHILD_CHECK(mutex_create(cfd, &b), 0);
		CHILD_CHECK(sem_create(cfd, 1, &c), 0);
		CHILD_CHECK(sem_create(cfd, 1, &d), ENOSPC);
		CHILD_CHECK(ipclab_rmid(cfd, a), 0);
		CHILD_CHECK(ipclab_rmid(cfd, b), 0);
		CHILD_CHECK(ipclab_rmid(cfd, c), 0);
		_exit(0);
	}
	EXPECT_KID(0, pid, IPCLAB_SETTLE_MS);
	ASSERT_OK(params_restore(&self->cl));
	NEW_SEM(1);
}

/*
 * max_shbufs_per_user bounds one user's shared buffers only: other
 * types still come, and a removed buffer makes room once it is freed.
 */
TEST_F(obj, limit_max_shbufs_per_user)
{
	struct ipclab_info info;
	__u32 ids[3], id;
	int i;

	PARAM_CHANGE_OR_SKIP("max_shbufs_per_user", 3);
	ASSERT_OK(ipclab_info(self->fd, &info));
	EXPECT_EQ(3, info.limits.max_shbufs_per_user);
	ASSERT_EQ(0, info.user.shbufs) TH_LOG("other shared buffers exist here?");
	for (i = 0; i < 3; i++) {
		ASSERT_OK(ipclab_get_size(self->fd, IPCLAB_TYPE_SHBUF, IPCLAB_KEY_PRIVATE,
					  IPCLAB_CREAT, 0600, 0, 4096, &ids[i]));
		cl_track(&self->cl, ids[i]);
	}
	EXPECT_ERRNO(ENOSPC, ipclab_get_size(self->fd, IPCLAB_TYPE_SHBUF, IPCLAB_KEY_PRIVATE,
					     IPCLAB_CREAT, 0600, 0, 4096, &id));
	NEW_SEM(1);
	ASSERT_OK(ipclab_rmid(self->fd, ids[0]));
	EXPECT_OK(ipclab_get_size(self->fd, IPCLAB_TYPE_SHBUF, IPCLAB_KEY_PRIVATE,
				  IPCLAB_CREAT, 0600, 0, 4096, &id));
	cl_track(&self->cl, id);
	ASSERT_OK(params_restore(&self->cl));
}

TEST_F(obj, limit_max_sems)
{
	__u32 id;

	PARAM_CHANGE_OR_SKIP("max_sems", 4);
	id = NEW_SEM(4);
	EXPECT_ERRNO(EINVAL, sem_create(self->fd, 5, &id));
	EXPECT_ERRNO(EINVAL, ipclab_get(self->fd, IPCLAB_TYPE_SEM, test_key(21),
					IPCLAB_CREAT, 0600, 5, &id));
	EXPECT_ERRNO(ENOENT, ipclab_get(self->fd, IPCLAB_TYPE_SEM, test_key(21),
					0, 0, 0, &id));
	ASSERT_OK(params_restore(&self->cl));
	NEW_SEM(5);
}

/* Two threads remove one object at once; each round's id and results. */
struct rmid_race {
	pthread_barrier_t go;
	int fd;
	int rounds;
	__u32 *ids;
	int *ret[2];
};

static void *rmid_racer(struct rmid_race *r, int me)
{
	int i;

	for (i = 0; i < r->rounds; i++) {
		pthread_barrier_wait(&r->go);
		r->ret[me][i] = call_errno(ipclab_rmid(r->fd, r->ids[i]));
	}
	return NULL;
}

static void *rmid_racer_1(void *arg)
{
	return rmid_racer(arg, 1);
}

/*
 * Exactly one of two concurrent removals of an object succeeds, the other
 * gets EINVAL, also while the first frees what the object held (a full
 * mailbox's messages, after the table lock), and nothing is left
 * counted.
 */
TEST_F(obj, rmid_race)
{
	enum { ROUNDS = 200, MSGS = 16 };
	static int ret0[ROUNDS], ret1[ROUNDS];
	static __u32 ids[ROUNDS];
	struct rmid_race r = {
		.fd = self->fd, .rounds = ROUNDS, .ids = ids, .ret = { ret0, ret1 },
	};
	struct ipclab_info before, after;
	char text[64] = "x";
	int i, j, bad = 0;
	pthread_t th;

	ASSERT_OK(ipclab_info(self->fd, &before));
	for (i = 0; i < ROUNDS; i++) {
		if (i % 2) {
			ASSERT_OK(sem_create(self->fd, 1, &ids[i]));
			continue;
		}
		ASSERT_OK(mbox_create(self->fd, MSGS, sizeof(text), 0, &ids[i]));
		for (j = 0; j < MSGS; j++)
			ASSERT_OK(msg_send(self->fd, ids[i], 1, text, sizeof(text),
					   IPCLAB_WAIT_NOWAIT, 0));
	}
	ASSERT_EQ(0, pthread_barrier_init(&r.go, NULL, 2));
	ASSERT_EQ(0, pthread_create(&th, NULL, rmid_racer_1, &r));
	rmid_racer(&r, 0);
	ASSERT_EQ(0, pthread_join(th, NULL));
	pthread_barrier_destroy(&r.go);

	for (i = 0; i < ROUNDS; i++) {
		int won = (ret0[i] == 0) + (ret1[i] == 0);
		int lost = (ret0[i] == EINVAL) + (ret1[i] == EINVAL);

		if ((won != 1 || lost != 1) && !bad++)
			TH_LOG("round %d (id %u): %s and %s", i, ids[i],
			       strerror(ret0[i]), strerror(ret1[i]));
	}
	EXPECT_EQ(0, bad);
	ASSERT_OK(ipclab_info(self->fd, &after));
	EXPECT_EQ(before.user.objects, after.user.objects);
	EXPECT_EQ(before.user.msgs, after.user.msgs);
}

/* ------------------------------------------------------------------ */
/* Many objects                                                       */
/* ------------------------------------------------------------------ */

/* docs/design.md: 2^17 slots; seq 1..2^14 - 1, so every id is an int > 0. */
#define ID_SLOTS	IPCLAB_ID_SLOTS
/* More objects than the table had slots before it grew to ID_SLOTS. */
#define MANY		(32768 + 4096)
/*
 * The last ones made, removed and made again: an id comes back only once
 * seq has gone round (16383 creations after the first object got it),
 * and these are made again 8192 creations after the first time.
 */
#define MANY_AGAIN	8192

FIXTURE(many) {
	int fd;
	pid_t creator;		/* the test's pid, once it creates */
	struct ipclab_cleanup cl;
};

FIXTURE_SETUP(many)
{
	memset(&self->cl, 0, sizeof(self->cl));
	self->creator = 0;
	IPCLAB_OPEN_OR_SKIP(self->fd);
}

/*
 * Too many objects for the cleanup's list: remove every object the test
 * process created, found by creator pid, then put the limits back.
 */
FIXTURE_TEARDOWN_PARENT(many)
{
	int fd = open(IPCLAB_DEVICE, O_RDWR | O_CLOEXEC), n, i;
	struct ipclab_stat st;
	__u32 *ids = NULL;

	if (fd >= 0 && self->creator) {
		n = list_ids(fd, 0, NULL, 0);
		ids = n > 0 ? calloc(n + 64, sizeof(*ids)) : NULL;
		n = ids ? list_ids(fd, 0, ids, n + 64) : 0;
		for (i = 0; i < n; i++)
			if (!ipclab_stat(fd, ids[i], &st) &&
			    st.perm.cpid == self->creator)
				ipclab_rmid(fd, ids[i]);
		free(ids);
	}
	if (fd >= 0)
		close(fd);
	ipclab_cleanup(&self->cl);
}

static int cmp_u32(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return x < y ? -1 : x > y;
}

/* How many of ids[n] are not a live object of the type created at i. */
static int count_not_found(int fd, const __u32 *ids, int n, __u32 *first)
{
	struct ipclab_stat st;
	int i, bad = 0;

	for (i = 0; i < n; i++) {
		if (!ipclab_stat(fd, ids[i], &st) && st.perm.id == ids[i] &&
		    st.type == (i % 2 ? IPCLAB_TYPE_MUTEX : IPCLAB_TYPE_SEM))
			continue;
		if (!bad++)
			*first = ids[i];
	}
	return bad;
}

/*
 * More objects than 32768 can exist at once, each with an id of its own
 * that is a positive int, in a slot of its own; each is found by its id
 * and listed; and the ids of removed ones stay invalid (EINVAL) while
 * new objects take their slots.
 */
TEST_F_TIMEOUT(many, more_than_32768_objects, 900)
{
	static __u32 ids[MANY], sorted[MANY], stale[MANY_AGAIN], listed[ID_SLOTS];
	struct ipclab_sembuf b = sembuf(0, 1, 0);
	struct ipclab_info info;
	int i, n, bad = 0, high = 0, reused = 0, before;
	__u32 first = 0;
	long old;

	if (geteuid() != 0)
		SKIP(return, "needs root to raise max_objects");
	if (param_read("max_objects", &old))
		SKIP(return, IPCLAB_PARAM_DIR "max_objects: %s", strerror(errno));
	/* The ceiling is the table's size: it must be taken. */
	ASSERT_OK(param_change(&self->cl, "max_objects", ID_SLOTS));
	ASSERT_OK(param_change(&self->cl, "max_objects_per_user", ID_SLOTS));
	ASSERT_OK(ipclab_info(self->fd, &info));
	ASSERT_EQ(ID_SLOTS, info.limits.max_objects);
	ASSERT_GE(ID_SLOTS - MANY, info.total.objects) TH_LOG("objects left over?");
	before = list_ids(self->fd, 0, NULL, 0);
	ASSERT_LE(0, before);

	self->creator = getpid();
	for (i = 0; i < MANY; i++)
		ASSERT_OK(i % 2 ? mutex_create(self->fd, &ids[i])
				: sem_create(self->fd, 1, &ids[i]))
			TH_LOG("object %d of %d: %s", i + 1, MANY, strerror(errno));

	/* Positive ints, in distinct slots, some past the old 32768. */
	for (i = 0; i < MANY; i++) {
		if ((int)ids[i] <= 0 && !bad++)
			first = ids[i];
		sorted[i] = ids[i] % ID_SLOTS;
		high += sorted[i] >= 32768;
	}
	EXPECT_EQ(0, bad) TH_LOG("id %u is not a positive int", first);
	EXPECT_LE(MANY - 32768, high);
	qsort(sorted, MANY, sizeof(sorted[0]), cmp_u32);
	for (i = 1, bad = 0; i < MANY; i++)
		bad += sorted[i] == sorted[i - 1];
	EXPECT_EQ(0, bad) TH_LOG("objects share a slot");

	/* Each is found by its id, and LIST has every one. */
	EXPECT_EQ(0, count_not_found(self->fd, ids, MANY, &first))
		TH_LOG("id %u not found", first);
	n = list_ids(self->fd, 0, listed, ID_SLOTS);
	ASSERT_EQ(before + MANY, n);
	qsort(listed, n, sizeof(listed[0]), cmp_u32);
	for (i = 0, bad = 0; i < MANY; i++)
		bad += !bsearch(&ids[i], listed, n, sizeof(listed[0]), cmp_u32);
	EXPECT_EQ(0, bad) TH_LOG("LIST misses %d of the ids", bad);

	/*
	 * Remove the last ones made, in slots past 32768, and make as many
	 * new objects: they take the freed slots, with other ids.
	 */
	for (i = 0; i < MANY_AGAIN; i++) {
		int at = MANY - MANY_AGAIN + i;

		stale[i] = ids[at];
		ASSERT_OK(ipclab_rmid(self->fd, ids[at]));
		/* Same type at the same index as before. */
		ASSERT_OK(at % 2 ? mutex_create(self->fd, &ids[at])
				 : sem_create(self->fd, 1, &ids[at]));
		reused += ids[at] % ID_SLOTS == stale[i] % ID_SLOTS;
	}
	/* The lowest free slot is taken: the one just freed. */
	EXPECT_EQ(MANY_AGAIN, reused);
	qsort(stale, MANY_AGAIN, sizeof(stale[0]), cmp_u32);
	for (i = 0, bad = 0; i < MANY; i++)
		bad += !!bsearch(&ids[i], stale, MANY_AGAIN, sizeof(stale[0]),
				 cmp_u32);
	EXPECT_EQ(0, bad) TH_LOG("%d new objects got a removed one's id", bad);
	for (i = 0, bad = 0; i < MANY_AGAIN; i++) {
		struct ipclab_stat st;

		if (call_errno(ipclab_stat(self->fd, stale[i], &st)) != EINVAL ||
		    call_errno(ipclab_rmid(self->fd, stale[i])) != EINVAL ||
		    call_errno(sem_ops(self->fd, stale[i], &b, 1, 0, 0)) != EINVAL ||
		    call_errno(mutex_unlock(self->fd, stale[i])) != EINVAL) {
			if (!bad++)
				first = stale[i];
		}
	}
	EXPECT_EQ(0, bad) TH_LOG("stale id %u did not give EINVAL", first);
	EXPECT_EQ(0, count_not_found(self->fd, ids, MANY, &first))
		TH_LOG("id %u not found after the removals", first);

	for (i = 0, bad = 0; i < MANY; i++)
		bad += !!ipclab_rmid(self->fd, ids[i]);
	EXPECT_EQ(0, bad) TH_LOG("%d objects would not go", bad);
	EXPECT_EQ(before, list_ids(self->fd, 0, NULL, 0));
	ASSERT_OK(params_restore(&self->cl));
}

TEST_HARNESS_MAIN
