// SPDX-License-Identifier: GPL-2.0
/*
 * Shared buffers: creation and size limits, mapping through object fds,
 * data shared between unrelated processes and across their lifetimes,
 * nattch as SysV counts it (mmap, fork, splits, munmap, exit), removal
 * while mapped (DEST), permissions and read-only mappings, mappings out
 * of range, mremap growth (SIGBUS), MADV_DONTNEED, a stress test of
 * four processes writing 64 MiB under an ipclab mutex, and the memory
 * cgroup the pages are charged to (the creator's, bounded by its
 * memory.max whoever touches them).
 *
 * Other processes are forked children; they report through their exit
 * code (0, the errno of the call that failed, or a signal) or a pipe.
 */
#include <limits.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "ipclab_test.h"

FIXTURE(shbuf) {
	int fd;
	long page;
	struct ipclab_cleanup cl;
};

FIXTURE_SETUP(shbuf)
{
	memset(&self->cl, 0, sizeof(self->cl));
	self->page = sysconf(_SC_PAGESIZE);
	IPCLAB_OPEN_OR_SKIP(self->fd);
}

FIXTURE_TEARDOWN_PARENT(shbuf)
{
	ipclab_cleanup(&self->cl);
}

#define DEF_SHBUF_MAX_SIZE	(128UL << 20)

/* ------------------------------------------------------------------ */
/* Wrappers (no harness macros: children use them too)                */
/* ------------------------------------------------------------------ */

static int shbuf_get(int fd, __s32 key, __u32 flags, __u32 mode, __u64 size,
		     __u32 *id)
{
	struct ipclab_get g;
	int ret;

	memset(&g, 0, sizeof(g));
	g.type = IPCLAB_TYPE_SHBUF;
	g.key = key;
	g.flags = flags;
	g.mode = mode;
	g.shbuf.size = size;
	memset(&g.id, 0xcc, sizeof(g.id));	/* the output */
	ret = ioctl(fd, IPCLAB_IOC_GET, &g);
	if (id)
		*id = g.id;
	return ret;
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

/* mmap() of an object fd; MAP_FAILED with errno on failure. */
static void *map_fd(int ofd, size_t len, int prot, off_t off)
{
	return mmap(NULL, len, prot, MAP_SHARED, ofd, off);
}

/* OPEN (flags) and map len bytes at off; NULL with errno on failure. */
static void *open_map(int fd, __u32 id, __u32 flags, size_t len, int prot,
		      off_t off)
{
	int ofd, err;
	void *p;

	if (obj_open(fd, id, flags, &ofd))
		return NULL;
	p = map_fd(ofd, len, prot, off);
	err = errno;
	close(ofd);
	errno = err;
	return p == MAP_FAILED ? NULL : p;
}

/* A pattern that names its writer and each 8-byte word's place. */
static __u64 pat(__u64 seed, size_t i)
{
	return seed * 0x9e3779b97f4a7c15ULL ^ (i * 0xff51afd7ed558ccdULL);
}

static void fill(void *buf, size_t len, __u64 seed)
{
	__u64 *w = buf;
	size_t i;

	for (i = 0; i < len / 8; i++)
		w[i] = pat(seed, i);
}

/* Index of the first word that is not the pattern, or -1. */
static long check(const void *buf, size_t len, __u64 seed)
{
	const volatile __u64 *w = buf;
	size_t i;

	for (i = 0; i < len / 8; i++)
		if (w[i] != pat(seed, i))
			return i;
	return -1;
}

static bool all_zero(const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i])
			return false;
	return true;
}

/* Wait (bounded) until *word == want; false on timeout. */
static bool wait_word(volatile __u64 *word, __u64 want, int ms)
{
	__u64 deadline = mono_ns() + (__u64)ms * NSEC_PER_MSEC;

	while (__atomic_load_n(word, __ATOMIC_ACQUIRE) != want) {
		if (mono_ns() > deadline)
			return false;
		usleep(1000);
	}
	return true;
}

/* ------------------------------------------------------------------ */
/* Macros for test bodies                                             */
/* ------------------------------------------------------------------ */

/* A new private buffer of size bytes, mode 0600, removed by the teardown. */
#define NEW_SHBUF(size) ({						\
	__u32 __id = 0;							\
	ASSERT_OK(shbuf_get(self->fd, IPCLAB_KEY_PRIVATE, IPCLAB_CREAT,	\
			    0600, (size), &__id))			\
		TH_LOG("creating a buffer of %llu bytes: %s",		\
		       (unsigned long long)(size), strerror(errno));	\
	cl_track(&self->cl, __id);					\
	__id;								\
})

/* OPEN with flags, or fail the test. */
#define OPEN_FD(id, flags) ({						\
	int __ofd = -1;							\
	ASSERT_OK(obj_open(self->fd, (id), (flags), &__ofd))		\
		TH_LOG("OPEN %#x: %s", (unsigned int)(flags), strerror(errno)); \
	ASSERT_LE(0, __ofd);						\
	__ofd;								\
})

/* mmap, or fail the test. */
#define MAP(ofd, len, prot, off) ({					\
	void *__p = map_fd((ofd), (len), (prot), (off));		\
	ASSERT_NE(MAP_FAILED, __p) TH_LOG("mmap %zu at %ld: %s",	\
					  (size_t)(len), (long)(off),	\
					  strerror(errno));		\
	(unsigned char *)__p;						\
})

/* mmap fails with errno err. */
#define EXPECT_MAP_FAILS(err, ofd, len, prot, flags, off) do {		\
	void *__p = mmap(NULL, (len), (prot), (flags), (ofd), (off));	\
	int __err = errno;						\
	EXPECT_EQ(MAP_FAILED, __p) TH_LOG("mmap %zu at %ld succeeded",	\
					  (size_t)(len), (long)(off));	\
	if (__p == MAP_FAILED) {					\
		EXPECT_EQ((err), __err) TH_LOG("mmap %zu at %ld: %s",	\
					       (size_t)(len), (long)(off), \
					       strerror(__err));	\
	} else {							\
		munmap(__p, (len));					\
	}								\
} while (0)

/* A buffer's size, nattch and flags. */
#define check_shbuf(id, want_size, want_nattch, want_flags) do {	\
	struct ipclab_stat __st;					\
	ASSERT_OK(ipclab_stat(self->fd, (id), &__st))			\
		TH_LOG("STAT: %s", strerror(errno));			\
	EXPECT_EQ(IPCLAB_TYPE_SHBUF, __st.type);			\
	EXPECT_EQ((__u64)(want_size), __st.shbuf.size);			\
	EXPECT_EQ((want_nattch), __st.shbuf.nattch) TH_LOG("nattch");	\
	EXPECT_EQ((want_flags), __st.shbuf.flags);			\
} while (0)

/* nattch alone. */
static int nattch(int fd, __u32 id)
{
	struct ipclab_stat st;

	if (ipclab_stat(fd, id, &st))
		return -1;
	return st.shbuf.nattch;
}

/* ------------------------------------------------------------------ */
/* Creation and limits                                                */
/* ------------------------------------------------------------------ */

TEST_F(shbuf, create_state)
{
	__u32 id = NEW_SHBUF(3 * self->page);
	struct snap s;
	int i;

	ASSERT_OK(ipclab_snap(self->fd, id, &s));
	EXPECT_EQ(IPCLAB_TYPE_SHBUF, s.st.type);
	EXPECT_EQ(id, s.st.perm.id);
	EXPECT_EQ(IPCLAB_KEY_PRIVATE, s.st.perm.key);
	EXPECT_EQ(0600, s.st.perm.mode);
	EXPECT_EQ(getpid(), s.st.perm.cpid);
	EXPECT_EQ(0, s.st.perm.uid);
	EXPECT_EQ(0, s.st.perm.cuid);
	EXPECT_EQ(3 * self->page, s.st.shbuf.size);
	EXPECT_EQ(0, s.st.shbuf.nattch);
	EXPECT_EQ(0, s.st.shbuf.flags);
	EXPECT_EQ(0, s.st.shbuf.atime);
	EXPECT_EQ(0, s.st.shbuf.dtime);
	EXPECT_EQ(0, s.st.shbuf.attaches);
	/* struct shbuf is 40 bytes: 5 of the 16 reserved words. */
	for (i = 5; i < 16; i++)
		EXPECT_EQ(0, s.st.reserved[i]) TH_LOG("reserved[%d]", i);
	EXPECT_EQ(0, s.st.nwaiters);
	EXPECT_EQ(0, s.st.waiters_len);
	EXPECT_EQ(0, s.st.values_len);
	EXPECT_EQ(0, s.st.ops_len);
	EXPECT_EQ(0, s.st.holders_len);
}

/*
 * STAT shows the size asked for (as shm_segsz); whole pages are
 * allocated, and the last one maps whole, zeroed past the size.
 */
TEST_F(shbuf, size_whole_pages)
{
	const long pg = self->page;
	static const long sizes[] = { 1, 4095, 4096, 4097, 3 * 4096 - 1 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		long size = sizes[i] * (pg / 4096);
		long pages = (size + pg - 1) / pg;
		__u32 id = NEW_SHBUF(size);
		unsigned char *p;
		int ofd;

		check_shbuf(id, size, 0, 0);
		ofd = OPEN_FD(id, IPCLAB_OPEN_READ | IPCLAB_OPEN_WRITE);
		EXPECT_MAP_FAILS(EINVAL, ofd, (pages + 1) * pg, PROT_READ, MAP_SHARED, 0);
		p = MAP(ofd, pages * pg, PROT_READ | PROT_WRITE, 0);
		EXPECT_TRUE(all_zero(p, pages * pg)) TH_LOG("size %ld", size);
		p[pages * pg - 1] = 1;
		EXPECT_EQ(0, munmap(p, pages * pg));
		close(ofd);
		check_shbuf(id, size, 0, 0);
	}
}

TEST_F(shbuf, create_errors)
{
	long max = param_or("shbuf_max_size", DEF_SHBUF_MAX_SIZE);
	struct ipclab_get g;
	__u32 id;

	EXPECT_ERRNO(EINVAL, shbuf_get(self->fd, IPCLAB_KEY_PRIVATE, IPCLAB_CREAT,
				       0600, 0, &id));
	EXPECT_ERRNO(EINVAL, shbuf_get(self->fd, IPCLAB_KEY_PRIVATE, IPCLAB_CREAT,
				       0600, (__u64)max + 1, &id));
	EXPECT_ERRNO(EINVAL, shbuf_get(self->fd, IPCLAB_KEY_PRIVATE, IPCLAB_CREAT,
				       0600, ~0ULL, &id));
	EXPECT_ERRNO(EINVAL, shbuf_get(self->fd, IPCLAB_KEY_PRIVATE, IPCLAB_CREAT,
				       0600, ~0ULL - 4095, &id));

	/* The union's bytes beyond the buffer's size must be zero. */
	memset(&g, 0, sizeof(g));
	g.type = IPCLAB_TYPE_SHBUF;
	g.flags = IPCLAB_CREAT;
	g.mode = 0600;
	g.shbuf.size = 4096;
	EXPECT_EQ(0, get_union_tail_accepted(self->fd, &g, sizeof(g.shbuf)));
	g.mbox.max_bytes = 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, IPCLAB_IOC_GET, &g));
	g.mbox.max_bytes = 0;
	g.reserved[1] = 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, IPCLAB_IOC_GET, &g));

	/* size on another type. */
	memset(&g, 0, sizeof(g));
	g.type = IPCLAB_TYPE_MBOX;
	g.flags = IPCLAB_CREAT;
	g.mode = 0600;
	g.shbuf.size = 4096;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, IPCLAB_IOC_GET, &g));
	g.type = IPCLAB_TYPE_MUTEX;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, IPCLAB_IOC_GET, &g));
}

TEST_F(shbuf, size_limit_param)
{
	__u32 id, bad;
	long max;

	if (param_read("shbuf_max_size", &max))
		SKIP(return, IPCLAB_PARAM_DIR "shbuf_max_size is missing");
	PARAM_CHANGE_OR_SKIP("shbuf_max_size", 1 << 20);
	id = NEW_SHBUF(1 << 20);
	check_shbuf(id, 1 << 20, 0, 0);
	EXPECT_ERRNO(EINVAL, shbuf_get(self->fd, IPCLAB_KEY_PRIVATE, IPCLAB_CREAT,
				       0600, (1 << 20) + 1, &bad));
	/* A limit that is not a whole number of pages. */
	PARAM_CHANGE_OR_SKIP("shbuf_max_size", 10000);
	id = NEW_SHBUF(10000);
	check_shbuf(id, 10000, 0, 0);
	EXPECT_ERRNO(EINVAL, shbuf_get(self->fd, IPCLAB_KEY_PRIVATE, IPCLAB_CREAT,
				       0600, 10001, &bad));
	/* Existing buffers are not affected. */
	PARAM_CHANGE_OR_SKIP("shbuf_max_size", self->page);
	{
		int ofd = OPEN_FD(id, IPCLAB_OPEN_READ | IPCLAB_OPEN_WRITE);
		unsigned char *p = MAP(ofd, 3 * self->page, PROT_READ | PROT_WRITE, 0);

		p[3 * self->page - 1] = 1;
		EXPECT_EQ(0, munmap(p, 3 * self->page));
		close(ofd);
	}
}

TEST_F(shbuf, key_lookup)
{
	__s32 key = test_key(1);
	__u32 id, id2, mb;

	ASSERT_OK(shbuf_get(self->fd, key, IPCLAB_CREAT | IPCLAB_EXCL, 0600,
			    2 * self->page, &id));
	cl_track(&self->cl, id);
	/* Opening needs no size, or at most the buffer's (as shmget). */
	EXPECT_OK(shbuf_get(self->fd, key, 0, 0600, 0, &id2));
	EXPECT_EQ(id, id2);
	EXPECT_OK(shbuf_get(self->fd, key, IPCLAB_CREAT, 0600, 1, &id2));
	EXPECT_EQ(id, id2);
	EXPECT_OK(shbuf_get(self->fd, key, 0, 0600, 2 * self->page, &id2));
	EXPECT_EQ(id, id2);
	EXPECT_ERRNO(EINVAL, shbuf_get(self->fd, key, 0, 0600, 2 * self->page + 1, &id2));
	EXPECT_ERRNO(EINVAL, shbuf_get(self->fd, key, IPCLAB_CREAT, 0600,
				       4 * self->page, &id2));
	EXPECT_ERRNO(EEXIST, shbuf_get(self->fd, key, IPCLAB_CREAT | IPCLAB_EXCL,
				       0600, self->page, &id2));
	EXPECT_ERRNO(ENOENT, shbuf_get(self->fd, test_key(2), 0, 0600, 0, &id2));
	/* Another type's key space. */
	ASSERT_OK(mutex_create(self->fd, &mb));
	cl_track(&self->cl, mb);
	ASSERT_OK(ipclab_get(self->fd, IPCLAB_TYPE_MUTEX, key,
			     IPCLAB_CREAT | IPCLAB_EXCL, 0600, 0, &mb));
	cl_track(&self->cl, mb);
	EXPECT_NE(id, mb);
}

/* ------------------------------------------------------------------ */
/* Mapping and sharing                                                */
/* ------------------------------------------------------------------ */

TEST_F(shbuf, zeroed_and_shared)
{
	const size_t len = 4 * self->page;
	__u32 id = NEW_SHBUF(len);
	int ofd1, ofd2;
	unsigned char *a, *b;

	ofd1 = OPEN_FD(id, IPCLAB_OPEN_READ | IPCLAB_OPEN_WRITE);
	ofd2 = OPEN_FD(id, IPCLAB_OPEN_READ | IPCLAB_OPEN_WRITE | IPCLAB_OPEN_CLOEXEC);
	a = MAP(ofd1, len, PROT_READ | PROT_WRITE, 0);
	b = MAP(ofd2, len, PROT_READ, 0);
	EXPECT_TRUE(all_zero(a, len));
	fill(a, len, 7);
	EXPECT_EQ(-1, check(b, len, 7));
	/* The fds may go: the mappings keep the buffer. */
	close(ofd1);
	close(ofd2);
	check_shbuf(id, len, 2, 0);
	a[len - 1] ^= 0xff;
	EXPECT_EQ(b[len - 1], a[len - 1]);
	EXPECT_EQ(0, munmap(a, len));
	EXPECT_EQ(0, munmap(b, len));
	check_shbuf(id, len, 0, 0);

	/* Mapped again later, the data is still there. */
	a = open_map(self->fd, id, IPCLAB_OPEN_READ, len, PROT_READ, 0);
	ASSERT_NE(NULL, a);
	b = malloc(len);
	ASSERT_NE(NULL, b);
	fill(b, len, 7);
	b[len - 1] ^= 0xff;
	EXPECT_EQ(0, memcmp(a, b, len));
	free(b);
	EXPECT_EQ(0, munmap(a, len));
}

/*
 * Two processes that share nothing but the key: each opens /dev/ipclab
 * itself, finds (or creates) the buffer by key, maps it, and they talk.
 */
TEST_F(shbuf, two_unrelated_processes)
{
	const size_t len = 2 * self->page;
	const __s32 key = test_key(3);
	struct ipclab_stat st;
	pid_t a = 0, b = 0;
	unsigned char *p;
	__u32 id;
	int role;

	for (role = 0; role < 2; role++) {
		pid_t pid = kids_fork(&self->cl);

		ASSERT_LE(0, pid);
		if (pid == 0) {
			__u64 deadline = mono_ns() + IPCLAB_SETTLE_MS * NSEC_PER_MSEC;
			volatile __u64 *flag;
			unsigned char *p;
			__u32 myid;
			int fd;

			close(self->fd);
			fd = open(IPCLAB_DEVICE, O_RDWR | O_CLOEXEC);
			if (fd < 0)
				_exit(CHILD_BROKEN);
			/* B looks for it without creating; A creates it. */
			while (shbuf_get(fd, key, role ? 0 : IPCLAB_CREAT, 0600,
					 role ? 0 : len, &myid)) {
				if (errno != ENOENT || mono_ns() > deadline)
					_exit(child_status(-1));
				usleep(1000);
			}
			p = open_map(fd, myid, IPCLAB_OPEN_READ | IPCLAB_OPEN_WRITE,
				     len, PROT_READ | PROT_WRITE, 0);
			if (!p)
				_exit(child_status(-1));
			flag = (volatile __u64 *)(p + self->page);
			if (role == 0) {
				/* A writes a page, raises the flag, waits for B's answer. */
				fill(p, self->page, 1);
				__atomic_store_n(&flag[0], 1, __ATOMIC_RELEASE);
				if (!wait_word(&flag[1], 2, IPCLAB_SETTLE_MS))
					_exit(CHILD_CHECK_FAILED);
				if (check(p, self->page, 2) != -1)
					_exit(CHILD_CHECK_FAILED);
			} else {
				/* B checks A's page and overwrites it. */
				if (!wait_word(&flag[0], 1, IPCLAB_SETTLE_MS))
					_exit(CHILD_CHECK_FAILED);
				if (check(p, self->page, 1) != -1)
					_exit(CHILD_CHECK_FAILED);
				fill(p, self->page, 2);
				__atomic_store_n(&flag[1], 2, __ATOMIC_RELEASE);
			}
			_exit(0);
		}
		if (role == 0)
			a = pid;
		else
			b = pid;
	}
	EXPECT_KID(0, a, 2 * IPCLAB_SETTLE_MS);
	EXPECT_KID(0, b, 2 * IPCLAB_SETTLE_MS);

	/* The buffer stays, unmapped, with what they wrote. */
	ASSERT_OK(shbuf_get(self->fd, key, 0, 0, 0, &id));
	cl_track(&self->cl, id);
	ASSERT_OK(ipclab_stat(self->fd, id, &st));
	EXPECT_EQ(key, st.perm.key);
	EXPECT_EQ(a, st.perm.cpid);
	EXPECT_EQ(len, st.shbuf.size);
	EXPECT_EQ(0, st.shbuf.nattch);
	EXPECT_EQ(2, st.shbuf.attaches);
	p = open_map(self->fd, id, IPCLAB_OPEN_READ, len, PROT_READ, 0);
	ASSERT_NE(NULL, p);
	EXPECT_EQ(-1, check(p, self->page, 2));
	EXPECT_EQ(2, ((__u64 *)(p + self->page))[1]);
	munmap(p, len);
}

/* The creator writes and exits; a later process reads it all back. */
TEST_F(shbuf, persists_after_creator)
{
	const size_t len = 8 * self->page;
	const __s32 key = test_key(4);
	struct ipclab_stat st;
	pid_t creator, reader;
	__u32 id;

	creator = kids_fork(&self->cl);
	ASSERT_LE(0, creator);
	if (creator == 0) {
		unsigned char *p;
		__u32 myid;

		CHILD_CHECK(shbuf_get(self->fd, key, IPCLAB_CREAT | IPCLAB_EXCL, 0644,
				      len, &myid), 0);
		p = open_map(self->fd, myid, IPCLAB_OPEN_READ | IPCLAB_OPEN_WRITE,
			     len, PROT_READ | PROT_WRITE, 0);
		if (!p)
			_exit(child_status(-1));
		fill(p, len, 42);
		/* Exits with the buffer mapped: exit unmaps it. */
		_exit(0);
	}
	ASSERT_KID(0, creator, IPCLAB_SETTLE_MS);

	ASSERT_OK(shbuf_get(self->fd, key, 0, 0, 0, &id));
	cl_track(&self->cl, id);
	ASSERT_OK(ipclab_stat(self->fd, id, &st));
	EXPECT_EQ(0, st.shbuf.nattch);
	EXPECT_EQ(0, st.shbuf.flags);
	EXPECT_EQ(creator, st.perm.cpid);
	EXPECT_EQ(creator, st.perm.lpid);
	EXPECT_EQ(1, st.shbuf.attaches);
	EXPECT_NE(0, st.shbuf.atime);
	EXPECT_LE(st.shbuf.atime, st.shbuf.dtime);

	usleep(100 * 1000);
	reader = kids_fork(&self->cl);
	ASSERT_LE(0, reader);
	if (reader == 0) {
		unsigned char *p;
		__u32 myid;
		int fd = open(IPCLAB_DEVICE, O_RDWR | O_CLOEXEC);

		if (fd < 0)
			_exit(CHILD_BROKEN);
		CHILD_CHECK(shbuf_get(fd, key, 0, 0400, 0, &myid), 0);
		p = open_map(fd, myid, IPCLAB_OPEN_READ, len, PROT_READ, 0);
		if (!p)
			_exit(child_status(-1));
		_exit(check(p, len, 42) == -1 ? 0 : CHILD_CHECK_FAILED);
	}
	EXPECT_KID(0, reader, IPCLAB_SETTLE_MS);
	ASSERT_OK(ipclab_stat(self->fd, id, &st));
	EXPECT_EQ(0, st.shbuf.nattch);
	EXPECT_EQ(2, st.shbuf.attaches);
	EXPECT_EQ(reader, st.perm.lpid);
}

/* ------------------------------------------------------------------ */
/* nattch                                                             */
/* ------------------------------------------------------------------ */

TEST_F(shbuf, nattch_map_fork_split_unmap)
{
	const long pg = self->page;
	__u32 id = NEW_SHBUF(4 * pg);
	time_t t0 = time(NULL);
	unsigned char *m1, *m2;
	struct ipclab_stat st;
	int ofd, go[2], ready[2];
	pid_t pid;

	ofd = OPEN_FD(id, IPCLAB_OPEN_READ | IPCLAB_OPEN_WRITE);
	/* Opening is not attaching. */
	check_shbuf(id, 4 * pg, 0, 0);

	m1 = MAP(ofd, 4 * pg, PROT_READ | PROT_WRITE, 0);
	ASSERT_OK(ipclab_stat(self->fd, id, &st));
	EXPECT_EQ(1, st.shbuf.nattch);
	EXPECT_EQ(1, st.shbuf.attaches);
	EXPECT_EQ(getpid(), st.perm.lpid);
	EXPECT_LE(t0, st.shbuf.atime);
	EXPECT_GE(time(NULL), st.shbuf.atime);
	EXPECT_EQ(0, st.shbuf.dtime);
	m2 = MAP(ofd, 2 * pg, PROT_READ | PROT_WRITE, 2 * pg);
	ASSERT_OK(ipclab_stat(self->fd, id, &st));
	EXPECT_EQ(2, st.shbuf.nattch);
	EXPECT_EQ(2, st.shbuf.attaches);
	/* Both map the same pages. */
	m1[2 * pg] = 0x5a;
	EXPECT_EQ(0x5a, m2[0]);

	/* fork: the child has both mappings too, shared, not copied. */
	ASSERT_OK(pipe(go));
	ASSERT_OK(pipe(ready));
	pid = kids_fork(&self->cl);
	ASSERT_LE(0, pid);
	if (pid == 0) {
		m2[1] = 0xa5;
		put_byte(ready[1], 'r');
		get_byte(go[0], 60 * 1000);
		_exit(0);
	}
	ASSERT_EQ('r', get_byte(ready[0], IPCLAB_SETTLE_MS));
	EXPECT_EQ(0xa5, m1[2 * pg + 1]);
	EXPECT_EQ(4, nattch(self->fd, id));
	ASSERT_OK(put_byte(go[1], 'g'));
	EXPECT_KID(0, pid, IPCLAB_SETTLE_MS);
	/* The child's exit unmapped its two. */
	ASSERT_OK(ipclab_stat(self->fd, id, &st));
	EXPECT_EQ(2, st.shbuf.nattch);
	EXPECT_EQ(pid, st.perm.lpid);
	EXPECT_LE(t0, st.shbuf.dtime);

	/* Unmapping the middle of m1 leaves two mappings of it: +1. */
	ASSERT_EQ(0, munmap(m1 + pg, pg));
	ASSERT_OK(ipclab_stat(self->fd, id, &st));
	EXPECT_EQ(3, st.shbuf.nattch);
	EXPECT_EQ(getpid(), st.perm.lpid);
	/* Unmapping the end of one piece: still one mapping there. */
	ASSERT_EQ(0, munmap(m1 + 3 * pg, pg));
	EXPECT_EQ(3, nattch(self->fd, id));
	EXPECT_EQ(0x5a, m1[2 * pg]);
	/* mprotect of part of a mapping splits it too: +1. */
	ASSERT_EQ(0, mprotect(m2, pg, PROT_READ));
	EXPECT_EQ(4, nattch(self->fd, id));
	/* One munmap over two pieces takes both away. */
	ASSERT_EQ(0, munmap(m2, 2 * pg));
	EXPECT_EQ(2, nattch(self->fd, id));
	ASSERT_EQ(0, munmap(m1, pg));
	EXPECT_EQ(1, nattch(self->fd, id));
	ASSERT_EQ(0, munmap(m1 + 2 * pg, pg));
	EXPECT_EQ(0, nattch(self->fd, id));

	/* Never negative, and the attach count only grows. */
	ASSERT_OK(ipclab_stat(self->fd, id, &st));
	EXPECT_LE(4, st.shbuf.attaches);
	EXPECT_EQ(0, st.shbuf.flags);
	close(ofd);
	close(go[0]);
	close(go[1]);
	close(ready[0]);
	close(ready[1]);
}

/*
 * Mappings of one buffer that touch, at adjacent offsets, are ones the
 * kernel may merge.  Each VMA is counted once whatever the kernel does:
 * the buffer, removed, goes with its last mapping.  (6.12 merged a VMA
 * whose ->mmap changed its flags into its neighbour without ->close, and
 * the buffer was never freed.)
 */
TEST_F(shbuf, nattch_when_mappings_touch)
{
	const long pg = self->page;
	__u32 id = NEW_SHBUF(4 * pg);
	struct ipclab_stat st;
	unsigned char *m, *resv;
	int ofd;

	ofd = OPEN_FD(id, IPCLAB_OPEN_READ | IPCLAB_OPEN_WRITE);
	/* Two mmaps side by side, offsets 0 and 2 pages. */
	resv = mmap(NULL, 4 * pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, resv);
	ASSERT_EQ(resv, mmap(resv, 2 * pg, PROT_READ | PROT_WRITE,
			     MAP_SHARED | MAP_FIXED, ofd, 0));
	ASSERT_EQ(resv + 2 * pg, mmap(resv + 2 * pg, 2 * pg, PROT_READ | PROT_WRITE,
				      MAP_SHARED | MAP_FIXED, ofd, 2 * pg));
	EXPECT_EQ(2, nattch(self->fd, id));
	resv[3 * pg] = 0x3c;
	ASSERT_OK(munmap(resv, 4 * pg));
	EXPECT_EQ(0, nattch(self->fd, id));

	/* One page remapped where it already was: the kernel may merge it. */
	m = MAP(ofd, 4 * pg, PROT_READ | PROT_WRITE, 0);
	m[pg] = 0x5a;
	ASSERT_OK(remap_file_pages(m + pg, pg, 0, 1, 0));
	EXPECT_EQ(0x5a, m[pg]);
	EXPECT_EQ(0x3c, m[3 * pg]);
	EXPECT_LE(1, nattch(self->fd, id));
	/* Removed while mapped: it lingers, then goes with the munmap. */
	ASSERT_OK(ipclab_rmid(self->fd, id));
	close(ofd);
	ASSERT_OK(munmap(m, 4 * pg));
	EXPECT_ERRNO(EINVAL, ipclab_stat(self->fd, id, &st))
		TH_LOG("the removed buffer outlived its last mapping");
}

/* A process that ends, however it ends, detaches everything. */
TEST_F(shbuf, nattch_exit)
{
	const long pg = self->page;
	__u32 id = NEW_SHBUF(4 * pg);
	int how, i, ready[2], go[2];

	ASSERT_OK(pipe(ready));
	ASSERT_OK(pipe(go));
	for (how = 0; how < 3; how++) {
		pid_t pid = kids_fork(&self->cl);

		ASSERT_LE(0, pid);
		if (pid == 0) {
			int ofd;

			if (obj_open(self->fd, id, IPCLAB_OPEN_READ | IPCLAB_OPEN_WRITE, &ofd))
				_exit(child_status(-1));
			for (i = 0; i < 3; i++)
				if (map_fd(ofd, pg, PROT_READ | PROT_WRITE, i * pg) == MAP_FAILED)
					_exit(child_status(-1));
			put_byte(ready[1], 'r');
			if (how < 2)
				get_byte(go[0], 60 * 1000);
			if (how == 0)
				_exit(0);
			if (how == 1)
				abort();
			pause();
			_exit(0);
		}
		ASSERT_EQ('r', get_byte(ready[0], IPCLAB_SETTLE_MS));
		EXPECT_EQ(3, nattch(self->fd, id));
		if (how < 2)
			ASSERT_OK(put_byte(go[1], 'g'));
		if (how == 2) {
			EXPECT_EQ(KID_SIGNALED(SIGKILL), kids_kill(&self->cl, pid, SIGKILL));
		} else {
			EXPECT_KID(how == 0 ? 0 : KID_SIGNALED(SIGABRT), pid,
				   IPCLAB_SETTLE_MS);
		}
		EXPECT_EQ(0, nattch(self->fd, id)) TH_LOG("how %d", how);
	}
	close(ready[0]);
	close(ready[1]);
	close(go[0]);
	close(go[1]);
}

/* ------------------------------------------------------------------ */
/* Removal                                                            */
/* ------------------------------------------------------------------ */

TEST_F(shbuf, rmid_while_mapped)
{
	const size_t len = 2 * self->page;
	const __s32 key = test_key(5);
	struct ipclab_stat st;
	unsigned char *p, *q;
	__u32 old, nid, id2;
	int ofd;
	pid_t pid;

	ASSERT_OK(shbuf_get(self->fd, key, IPCLAB_CREAT | IPCLAB_EXCL, 0600, len, &old));
	cl_track(&self->cl, old);
	ofd = OPEN_FD(old, IPCLAB_OPEN_READ | IPCLAB_OPEN_WRITE);
	p = MAP(ofd, len, PROT_READ | PROT_WRITE, 0);
	fill(p, len, 11);

	ASSERT_OK(ipclab_rmid(self->fd, old));
	/* Still there by id, marked, without its key. */
	ASSERT_OK(ipclab_stat(self->fd, old, &st));
	EXPECT_EQ(IPCLAB_SHBUF_DEST, st.shbuf.flags);
	EXPECT_EQ(IPCLAB_KEY_PRIVATE, st.perm.key);
	EXPECT_EQ(old, st.perm.id);
	EXPECT_EQ(1, st.shbuf.nattch);
	EXPECT_EQ(len, st.shbuf.size);

	/* The key is free at once. */
	EXPECT_ERRNO(ENOENT, shbuf_get(self->fd, key, 0, 0600, 0, &nid));
	ASSERT_OK(shbuf_get(self->fd, key, IPCLAB_CREAT | IPCLAB_EXCL, 0600,
			    self->page, &nid));
	cl_track(&self->cl, nid);
	EXPECT_NE(old, nid);
	check_shbuf(nid, self->page, 0, 0);
	EXPECT_OK(shbuf_get(self->fd, key, 0, 0600, 0, &id2));
	EXPECT_EQ(nid, id2);

	/* The old memory is still good, for reading and writing. */
	EXPECT_EQ(-1, check(p, len, 11));
	fill(p, len, 12);
	EXPECT_EQ(-1, check(p, len, 12));
	/* And not the new buffer's. */
	q = open_map(self->fd, nid, IPCLAB_OPEN_READ, self->page, PROT_READ, 0);
	ASSERT_NE(NULL, q);
	EXPECT_TRUE(all_zero(q, self->page));
	munmap(q, self->page);

	/* A fork adds a mapping of the removed buffer; the exit takes it. */
	pid = kids_fork(&self->cl);
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(check(p, len, 12) == -1 ? 0 : CHILD_CHECK_FAILED);
	EXPECT_KID(0, pid, IPCLAB_SETTLE_MS);
	check_shbuf(old, len, 1, IPCLAB_SHBUF_DEST);

	/* Removing it again changes nothing, and spares the key's new owner. */
	ipclab_rmid(self->fd, old);
	check_shbuf(old, len, 1, IPCLAB_SHBUF_DEST);
	EXPECT_OK(shbuf_get(self->fd, key, 0, 0600, 0, &id2));
	EXPECT_EQ(nid, id2);
	EXPECT_EQ(-1, check(p, len, 12));

	/* The last unmap (and close) ends it. */
	EXPECT_EQ(0, munmap(p, len));
	close(ofd);
	EXPECT_ERRNO(EINVAL, ipclab_stat(self->fd, old, &st));
	EXPECT_ERRNO(EINVAL, obj_open(self->fd, old, IPCLAB_OPEN_READ, &ofd));
	EXPECT_ERRNO(EINVAL, ipclab_rmid(self->fd, old));
	/* The new one is untouched. */
	check_shbuf(nid, self->page, 0, 0);
}

/* The last mapping may be another process's: its exit ends the buffer. */
TEST_F(shbuf, rmid_last_unmap_by_exit)
{
	const size_t len = self->page;
	__u32 id = NEW_SHBUF(len);
	int go[2], ready[2];
	pid_t pid;

	ASSERT_OK(pipe(go));
	ASSERT_OK(pipe(ready));
	pid = kids_fork(&self->cl);
	ASSERT_LE(0, pid);
	if (pid == 0) {
		unsigned char *p = open_map(self->fd, id,
					    IPCLAB_OPEN_READ | IPCLAB_OPEN_WRITE,
					    len, PROT_READ | PROT_WRITE, 0);

		if (!p)
			_exit(child_status(-1));
		fill(p, len, 3);
		put_byte(ready[1], 'r');
		get_byte(go[0], 60 * 1000);
		/* Removed meanwhile: the data is still here. */
		_exit(check(p, len, 3) == -1 ? 0 : CHILD_CHECK_FAILED);
	}
	ASSERT_EQ('r', get_byte(ready[0], IPCLAB_SETTLE_MS));
	ASSERT_OK(ipclab_rmid(self->fd, id));
	check_shbuf(id, len, 1, IPCLAB_SHBUF_DEST);
	ASSERT_OK(put_byte(go[1], 'g'));
	EXPECT_KID(0, pid, IPCLAB_SETTLE_MS);
	EXPECT_ERRNO(EINVAL, nattch(self->fd, id));
	close(go[0]);
	close(go[1]);
	close(ready[0]);
	close(ready[1]);
}

/* Removal with nothing mapped: gone at once, even with an fd open. */
TEST_F(shbuf, rmid_unmapped)
{
	const __s32 key = test_key(6);
	struct ipclab_stat st;
	__u32 id, nid;
	int ofd;

	ASSERT_OK(shbuf_get(self->fd, key, IPCLAB_CREAT | IPCLAB_EXCL, 0600,
			    self->page, &id));
	cl_track(&self->cl, id);
	ASSERT_OK(ipclab_rmid(self->fd, id));
	EXPECT_ERRNO(EINVAL, ipclab_stat(self->fd, id, &st));
	ASSERT_OK(shbuf_get(self->fd, key, IPCLAB_CREAT | IPCLAB_EXCL, 0600,
			    self->page, &nid));
	cl_track(&self->cl, nid);
	EXPECT_NE(id, nid);

	/* Mapped once, then unmapped: still an ordinary removal. */
	ofd = OPEN_FD(nid, IPCLAB_OPEN_READ);
	munmap(MAP(ofd, self->page, PROT_READ, 0), self->page);
	ASSERT_OK(ipclab_rmid(self->fd, nid));
	EXPECT_ERRNO(EINVAL, ipclab_stat(self->fd, nid, &st));
	close(ofd);
}

/* ------------------------------------------------------------------ */
/* Permissions                                                        */
/* ------------------------------------------------------------------ */

/* Root, or anybody, with an fd opened for reading only. */
TEST_F(shbuf, read_only_fd)
{
	const size_t len = 2 * self->page;
	__u32 id = NEW_SHBUF(len);
	unsigned char *w, *r;
	int ro, wo;

	w = open_map(self->fd, id, IPCLAB_OPEN_READ | IPCLAB_OPEN_WRITE, len,
		     PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(NULL, w);
	fill(w, len, 5);

	ro = OPEN_FD(id, IPCLAB_OPEN_READ);
	EXPECT_MAP_FAILS(EACCES, ro, len, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	EXPECT_MAP_FAILS(EACCES, ro, len, PROT_WRITE, MAP_SHARED, 0);
	r = MAP(ro, len, PROT_READ, 0);
	EXPECT_EQ(-1, check(r, len, 5));
	EXPECT_EQ(-1, mprotect(r, len, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(-1, mprotect(r, self->page, PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(0, mprotect(r, len, PROT_NONE));
	EXPECT_EQ(0, mprotect(r, len, PROT_READ));
	EXPECT_EQ(-1, check(r, len, 5));
	check_shbuf(id, len, 2, 0);

	/* A write through it is a fault. */
	{
		pid_t pid = kids_fork(&self->cl);

		ASSERT_LE(0, pid);
		if (pid == 0) {
			r[0] = 1;
			_exit(0);
		}
		EXPECT_KID(KID_SIGNALED(SIGSEGV), pid, IPCLAB_SETTLE_MS);
	}
	EXPECT_EQ(-1, check(r, len, 5));
	munmap(r, len);
	close(ro);

	/* Mapping at all needs IPCLAB_OPEN_READ. */
	wo = OPEN_FD(id, IPCLAB_OPEN_WRITE);
	EXPECT_MAP_FAILS(EACCES, wo, len, PROT_READ, MAP_SHARED, 0);
	EXPECT_MAP_FAILS(EACCES, wo, len, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	close(wo);
	munmap(w, len);
	check_shbuf(id, len, 0, 0);
}

/* An fd opened with no access flags ("only look") must not map. */
TEST_F(shbuf, no_access_fd_cannot_map)
{
	const size_t len = self->page;
	__u32 id = NEW_SHBUF(len);
	int ofd;

	ofd = OPEN_FD(id, 0);
	EXPECT_MAP_FAILS(EACCES, ofd, len, PROT_READ, MAP_SHARED, 0);
	EXPECT_MAP_FAILS(EACCES, ofd, len, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	close(ofd);
	check_shbuf(id, len, 0, 0);
}

/*
 * Somebody without read permission opens with no access flags (which
 * checks nothing): it must not get a mapping of the data either.
 */
TEST_F(shbuf, nobody_no_access_fd_cannot_map)
{
	const size_t len = self->page;
	__u32 id = NEW_SHBUF(len);
	unsigned char *p;
	pid_t pid;

	p = open_map(self->fd, id, IPCLAB_OPEN_READ | IPCLAB_OPEN_WRITE, len,
		     PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(NULL, p);
	memcpy(p, "secret", 7);
	pid = kids_fork(&self->cl);
	ASSERT_LE(0, pid);
	if (pid == 0) {
		void *q;
		int ofd;

		if (drop_to_nobody())
			_exit(CHILD_BROKEN);
		CHILD_CHECK(obj_open(self->fd, id, IPCLAB_OPEN_READ, &ofd), EACCES);
		if (obj_open(self->fd, id, 0, &ofd))
			_exit(0);	/* refused at OPEN: fine */
		q = map_fd(ofd, len, PROT_READ, 0);
		if (q != MAP_FAILED) {
			fprintf(stderr, "# child %d: mapped a 0600 buffer as nobody: \"%.6s\"\n",
				getpid(), (char *)q);
			_exit(CHILD_CHECK_FAILED);
		}
		_exit(errno == EACCES ? 0 : child_status(-1));
	}
	EXPECT_KID(0, pid, IPCLAB_SETTLE_MS);
	munmap(p, len);
}

/*
 * A child that becomes nobody and tries the buffer: want_read and
 * want_write are 0 or EACCES, for OPEN and then mmap.  If it can map for
 * writing it writes pattern 9, else if it can read it checks pattern 8.
 */
static pid_t spawn_nobody(struct ipclab_cleanup *cl, int fd, __u32 id,
			  size_t len, int want_read, int want_write)
{
	pid_t pid = kids_fork(cl);

	if (pid == 0) {
		unsigned char *p;
		int ofd;

		if (drop_to_nobody())
			_exit(CHILD_BROKEN);
		CHILD_CHECK(obj_open(fd, id, IPCLAB_OPEN_READ, &ofd), want_read);
		CHILD_CHECK(obj_open(fd, id, IPCLAB_OPEN_WRITE, &ofd), want_write);
		CHILD_CHECK(obj_open(fd, id, IPCLAB_OPEN_READ | IPCLAB_OPEN_WRITE, &ofd),
			    want_read ? want_read : want_write);
		if (!want_read && !want_write) {
			p = open_map(fd, id, IPCLAB_OPEN_READ | IPCLAB_OPEN_WRITE, len,
				     PROT_READ | PROT_WRITE, 0);
			if (!p)
				_exit(child_status(-1));
			fill(p, len, 9);
		} else if (!want_read) {
			p = open_map(fd, id, IPCLAB_OPEN_READ, len, PROT_READ, 0);
			if (!p)
				_exit(child_status(-1));
			if (check(p, len, 8) != -1)
				_exit(CHILD_CHECK_FAILED);
		}
		_exit(0);
	}
	return pid;
}

TEST_F(shbuf, permissions)
{
	const size_t len = 2 * self->page;
	__u32 id = NEW_SHBUF(len);
	unsigned char *p;
	pid_t pid;

	p = open_map(self->fd, id, IPCLAB_OPEN_READ | IPCLAB_OPEN_WRITE, len,
		     PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(NULL, p);
	fill(p, len, 8);

	/* 0600: nothing. */
	pid = spawn_nobody(&self->cl, self->fd, id, len, EACCES, EACCES);
	ASSERT_LT(0, pid);
	EXPECT_KID(0, pid, IPCLAB_SETTLE_MS);
	/* 0644: read-only mappings. */
	ASSERT_OK(ipclab_set(self->fd, id, 0, 0, 0644));
	pid = spawn_nobody(&self->cl, self->fd, id, len, 0, EACCES);
	ASSERT_LT(0, pid);
	EXPECT_KID(0, pid, IPCLAB_SETTLE_MS);
	/* 0640 with nobody's group: the same through the group bits. */
	ASSERT_OK(ipclab_set(self->fd, id, 0, IPCLAB_NOBODY, 0640));
	pid = spawn_nobody(&self->cl, self->fd, id, len, 0, EACCES);
	ASSERT_LT(0, pid);
	EXPECT_KID(0, pid, IPCLAB_SETTLE_MS);
	/* 0602: write but not read (cannot map at all). */
	ASSERT_OK(ipclab_set(self->fd, id, 0, 0, 0602));
	pid = spawn_nobody(&self->cl, self->fd, id, len, EACCES, 0);
	ASSERT_LT(0, pid);
	EXPECT_KID(0, pid, IPCLAB_SETTLE_MS);
	EXPECT_EQ(-1, check(p, len, 8));
	/* 0666: it writes, we see it. */
	ASSERT_OK(ipclab_set(self->fd, id, 0, 0, 0666));
	pid = spawn_nobody(&self->cl, self->fd, id, len, 0, 0);
	ASSERT_LT(0, pid);
	EXPECT_KID(0, pid, IPCLAB_SETTLE_MS);
	EXPECT_EQ(-1, check(p, len, 9));
	munmap(p, len);
	check_shbuf(id, len, 0, 0);
}

/* A read-only mapping by nobody faults on write. */
TEST_F(shbuf, nobody_read_only_mapping)
{
	const size_t len = self->page;
	__u32 id = NEW_SHBUF(len);
	pid_t pid;

	ASSERT_OK(ipclab_set(self->fd, id, 0, 0, 0644));
	pid = kids_fork(&self->cl);
	ASSERT_LE(0, pid);
	if (pid == 0) {
		unsigned char *p;
		int ofd;

		if (drop_to_nobody())
			_exit(CHILD_BROKEN);
		CHILD_CHECK(obj_open(self->fd, id, IPCLAB_OPEN_READ, &ofd), 0);
		CHILD_CHECK(map_fd(ofd, len, PROT_READ | PROT_WRITE, 0) == MAP_FAILED ?
			    -1 : 0, EACCES);
		p = map_fd(ofd, len, PROT_READ, 0);
		if (p == MAP_FAILED)
			_exit(child_status(-1));
		CHILD_CHECK(mprotect(p, len, PROT_READ | PROT_WRITE), EACCES);
		if (!all_zero(p, len))
			_exit(CHILD_CHECK_FAILED);
		p[0] = 1;	/* SIGSEGV */
		_exit(0);
	}
	EXPECT_KID(KID_SIGNALED(SIGSEGV), pid, IPCLAB_SETTLE_MS);
	check_shbuf(id, len, 0, 0);
}

/* ------------------------------------------------------------------ */
/* Mappings that do not fit                                           */
/* ------------------------------------------------------------------ */

TEST_F(shbuf, map_out_of_range)
{
	const long pg = self->page;
	__u32 id = NEW_SHBUF(3 * pg);
	__u32 one = NEW_SHBUF(1);
	struct ipclab_stat st;
	unsigned char *all, *p;
	int ofd, ofd1;

	ofd = OPEN_FD(id, IPCLAB_OPEN_READ | IPCLAB_OPEN_WRITE);
	EXPECT_MAP_FAILS(EINVAL, ofd, 4 * pg, PROT_READ, MAP_SHARED, 0);
	EXPECT_MAP_FAILS(EINVAL, ofd, pg, PROT_READ, MAP_SHARED, 3 * pg);
	EXPECT_MAP_FAILS(EINVAL, ofd, 2 * pg, PROT_READ, MAP_SHARED, 2 * pg);
	EXPECT_MAP_FAILS(EINVAL, ofd, pg, PROT_READ, MAP_SHARED, 1024 * pg);
	EXPECT_MAP_FAILS(EINVAL, ofd, pg, PROT_READ, MAP_SHARED, (off_t)1 << 40);
	EXPECT_MAP_FAILS(EINVAL, ofd, 0, PROT_READ, MAP_SHARED, 0);
	EXPECT_MAP_FAILS(EINVAL, ofd, pg, PROT_READ, MAP_SHARED, 1);
	/* Private mappings are refused, readable or writable. */
	EXPECT_MAP_FAILS(EINVAL, ofd, pg, PROT_READ, MAP_PRIVATE, 0);
	EXPECT_MAP_FAILS(EINVAL, ofd, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, 0);
	/* None of that attached anything. */
	ASSERT_OK(ipclab_stat(self->fd, id, &st));
	EXPECT_EQ(0, st.shbuf.nattch);
	EXPECT_EQ(0, st.shbuf.attaches);

	/* Inside is fine, and the offset is honoured. */
	all = MAP(ofd, 3 * pg, PROT_READ | PROT_WRITE, 0);
	fill(all, 3 * pg, 4);
	p = MAP(ofd, pg, PROT_READ, 2 * pg);
	EXPECT_EQ(0, memcmp(p, all + 2 * pg, pg));
	munmap(p, pg);
	p = MAP(ofd, 2 * pg, PROT_READ, pg);
	EXPECT_EQ(0, memcmp(p, all + pg, 2 * pg));
	munmap(p, 2 * pg);
	munmap(all, 3 * pg);
	/* MAP_SHARED_VALIDATE is MAP_SHARED. */
	p = mmap(NULL, pg, PROT_READ, MAP_SHARED_VALIDATE, ofd, 0);
	EXPECT_NE(MAP_FAILED, p);
	if (p != MAP_FAILED)
		munmap(p, pg);
	close(ofd);
	check_shbuf(id, 3 * pg, 0, 0);

	/* A one-byte buffer maps one page. */
	ofd1 = OPEN_FD(one, IPCLAB_OPEN_READ | IPCLAB_OPEN_WRITE);
	EXPECT_MAP_FAILS(EINVAL, ofd1, 2 * pg, PROT_READ, MAP_SHARED, 0);
	p = MAP(ofd1, pg, PROT_READ | PROT_WRITE, 0);
	p[pg - 1] = 1;
	munmap(p, pg);
	close(ofd1);
}

TEST_F(shbuf, mremap_grow_sigbus)
{
	const long pg = self->page;
	__u32 id = NEW_SHBUF(2 * pg);
	unsigned char *p, *q;
	int ofd, ready[2];
	pid_t pid;

	ASSERT_OK(pipe(ready));
	ofd = OPEN_FD(id, IPCLAB_OPEN_READ | IPCLAB_OPEN_WRITE);
	p = MAP(ofd, 2 * pg, PROT_READ | PROT_WRITE, 0);
	fill(p, 2 * pg, 6);
	q = mremap(p, 2 * pg, 4 * pg, MREMAP_MAYMOVE);
	ASSERT_NE(MAP_FAILED, q) TH_LOG("mremap: %s", strerror(errno));
	/* Still one mapping, with the same data. */
	EXPECT_EQ(1, nattch(self->fd, id));
	EXPECT_EQ(-1, check(q, 2 * pg, 6));

	/* Past the buffer's end: SIGBUS, reading or writing. */
	pid = kids_fork(&self->cl);
	ASSERT_LE(0, pid);
	if (pid == 0) {
		volatile unsigned char *v = q;

		v[2 * pg - 1] = v[0];
		put_byte(ready[1], 'r');
		(void)v[2 * pg];
		_exit(0);
	}
	EXPECT_KID(KID_SIGNALED(SIGBUS), pid, IPCLAB_SETTLE_MS);
	EXPECT_EQ('r', get_byte(ready[0], 0));
	pid = kids_fork(&self->cl);
	ASSERT_LE(0, pid);
	if (pid == 0) {
		volatile unsigned char *v = q;

		v[4 * pg - 1] = 1;
		_exit(0);
	}
	EXPECT_KID(KID_SIGNALED(SIGBUS), pid, IPCLAB_SETTLE_MS);

	/* Shrinking back is fine. */
	p = mremap(q, 4 * pg, pg, MREMAP_MAYMOVE);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(1, nattch(self->fd, id));
	EXPECT_EQ(-1, check(p, pg, 6));
	munmap(p, pg);
	EXPECT_EQ(0, nattch(self->fd, id));
	close(ofd);
	close(ready[0]);
	close(ready[1]);
}

TEST_F(shbuf, madv_dontneed_keeps_data)
{
	const size_t len = 16 * self->page;
	__u32 id = NEW_SHBUF(len);
	unsigned char *a, *b;
	int ofd;

	ofd = OPEN_FD(id, IPCLAB_OPEN_READ | IPCLAB_OPEN_WRITE);
	a = MAP(ofd, len, PROT_READ | PROT_WRITE, 0);
	b = MAP(ofd, len, PROT_READ, 0);
	fill(a, len, 13);
	EXPECT_EQ(-1, check(b, len, 13));
	EXPECT_EQ(0, madvise(a, len, MADV_DONTNEED));
	EXPECT_EQ(-1, check(a, len, 13));
	EXPECT_EQ(0, madvise(b, len, MADV_DONTNEED));
	EXPECT_EQ(-1, check(b, len, 13));
	/* Written after DONTNEED: still shared. */
	fill(a, len, 14);
	EXPECT_EQ(-1, check(b, len, 14));
	EXPECT_EQ(2, nattch(self->fd, id));
	munmap(a, len);
	munmap(b, len);
	/* And a new mapping sees it. */
	a = MAP(ofd, len, PROT_READ, 0);
	EXPECT_EQ(-1, check(a, len, 14));
	munmap(a, len);
	close(ofd);
}

/* ------------------------------------------------------------------ */
/* Stress: 64 MiB under an ipclab mutex                               */
/* ------------------------------------------------------------------ */

#define STRESS_PROCS	4
#define STRESS_SIZE	(64UL << 20)

/*
 * Word i of the buffer as writer w (1..STRESS_PROCS) leaves it in round
 * r.  All zero means nobody has written yet.
 */
static __u64 stress_word(__u64 w, __u64 r, size_t i)
{
	return w << 56 | r << 40 | (i & 0xffffffffffULL);
}

struct stress_report {
	int inside;			/* processes in the critical section */
	long overlaps;			/* times somebody found another inside */
	long sections;
	long torn[STRESS_PROCS];	/* found a mix of two writers */
	long bad_own[STRESS_PROCS];	/* own pattern did not read back */
	long seen_other[STRESS_PROCS];	/* found another's complete pattern */
};

/* Which writer and round a whole buffer holds, or -1 if it is mixed. */
static int stress_state(const __u64 *w, size_t n, __u64 *who, __u64 *round)
{
	size_t i;

	*who = w[0] >> 56;
	*round = (w[0] >> 40) & 0xffff;
	if (w[0] == 0) {
		for (i = 0; i < n; i++)
			if (w[i])
				return -1;
		return 0;
	}
	for (i = 0; i < n; i++)
		if (w[i] != stress_word(*who, *round, i))
			return -1;
	return 0;
}

static int stress_child(int fd, __u32 id, __u32 mutex, int me, int rounds,
			struct stress_report *rep)
{
	const size_t n = STRESS_SIZE / 8;
	__u64 who, round;
	__u64 *w;
	size_t i;
	int r;

	w = open_map(fd, id, IPCLAB_OPEN_READ | IPCLAB_OPEN_WRITE, STRESS_SIZE,
		     PROT_READ | PROT_WRITE, 0);
	if (!w)
		return child_status(-1);
	for (r = 1; r <= rounds; r++) {
		if (mutex_lock(fd, mutex))
			return child_status(-1);
		if (__atomic_add_fetch(&rep->inside, 1, __ATOMIC_SEQ_CST) != 1)
			__atomic_add_fetch(&rep->overlaps, 1, __ATOMIC_SEQ_CST);
		__atomic_add_fetch(&rep->sections, 1, __ATOMIC_SEQ_CST);

		/* Whoever was here before left a whole pattern. */
		if (stress_state(w, n, &who, &round))
			rep->torn[me]++;
		else if (who && who != (__u64)me + 1)
			rep->seen_other[me]++;

		for (i = 0; i < n; i++)
			w[i] = stress_word(me + 1, r, i);
		for (i = 0; i < n; i++)
			if (w[i] != stress_word(me + 1, r, i)) {
				rep->bad_own[me]++;
				break;
			}

		__atomic_sub_fetch(&rep->inside, 1, __ATOMIC_SEQ_CST);
		if (mutex_unlock(fd, mutex))
			return child_status(-1);
		sched_yield();
	}
	munmap(w, STRESS_SIZE);
	return 0;
}

TEST_F_TIMEOUT(shbuf, stress_64mib_mutex, 900)
{
	const char *e = getenv("IPCLAB_SHBUF_ROUNDS");
	const int rounds = e && atoi(e) > 0 ? atoi(e) : 4;
	__u32 id = NEW_SHBUF(STRESS_SIZE);
	__u32 mutex = NEW_MUTEX();
	struct stress_report *rep;
	pid_t pid[STRESS_PROCS];
	__u64 who, round, t0;
	long torn = 0, bad = 0, other = 0;
	struct ipclab_stat st;
	__u64 *w;
	int i;

	rep = mmap(NULL, sizeof(*rep), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, rep);
	memset(rep, 0, sizeof(*rep));

	t0 = mono_ns();
	for (i = 0; i < STRESS_PROCS; i++) {
		pid[i] = kids_fork(&self->cl);
		ASSERT_LE(0, pid[i]);
		if (pid[i] == 0) {
			set_comm("shbw%d", i);
			_exit(stress_child(self->fd, id, mutex, i, rounds, rep));
		}
	}
	for (i = 0; i < STRESS_PROCS; i++)
		EXPECT_KID(0, pid[i], -1) TH_LOG("writer %d", i);

	for (i = 0; i < STRESS_PROCS; i++) {
		torn += rep->torn[i];
		bad += rep->bad_own[i];
		other += rep->seen_other[i];
	}
	EXPECT_EQ(0, rep->overlaps);
	EXPECT_EQ(STRESS_PROCS * rounds, rep->sections);
	EXPECT_EQ(0, torn) TH_LOG("a writer found a mix of two patterns");
	EXPECT_EQ(0, bad) TH_LOG("a writer's own pattern did not read back");
	TH_LOG("%d writers x %d rounds of 64 MiB in %.1f s; %ld sections found another's pattern",
	       STRESS_PROCS, rounds, (mono_ns() - t0) / 1e9, other);

	/* The buffer holds the last writer's last round, whole. */
	w = open_map(self->fd, id, IPCLAB_OPEN_READ, STRESS_SIZE, PROT_READ, 0);
	ASSERT_NE(NULL, w);
	EXPECT_EQ(0, stress_state(w, STRESS_SIZE / 8, &who, &round));
	EXPECT_LE(1, who);
	EXPECT_GE(STRESS_PROCS, who);
	EXPECT_EQ(rounds, round);
	munmap(w, STRESS_SIZE);

	ASSERT_OK(ipclab_stat(self->fd, id, &st));
	EXPECT_EQ(0, st.shbuf.nattch);
	EXPECT_EQ(STRESS_PROCS + 1, st.shbuf.attaches);
	check_mutex_state(self->fd, mutex, IPCLAB_MUTEX_UNLOCKED, 0, 0);
	munmap(rep, sizeof(*rep));
}

/* ------------------------------------------------------------------ */
/* Memory cgroups: the creator's group pays, and bounds                */
/* ------------------------------------------------------------------ */

#define CG_ROOT		"/sys/fs/cgroup"
#define CG_SIZE		(16UL << 20)	/* the buffer the tests touch */
#define CG_LIMIT	(4UL << 20)	/* the creator's memory.max */

FIXTURE(memcg) {
	int fd;
	long page;
	bool mounted;			/* cgroup2 mounted by the test */
	char cg[3][96];			/* groups made, removed by the teardown */
	volatile long *touched;		/* pages a toucher wrote, shared */
	struct ipclab_cleanup cl;
};

static int cg_write(const char *cg, const char *file, const char *val)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/%s", cg, file);
	return write_file(path, val);
}

/* A number read from cg/file ("max" is LONG_MAX); -1 if unreadable. */
static long cg_read(const char *cg, const char *file)
{
	char path[160], buf[64] = "";
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", cg, file);
	f = fopen(path, "re");
	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	if (!strncmp(buf, "max", 3))
		return LONG_MAX;
	return buf[0] ? atol(buf) : -1;
}

/* A "key value" line of cg/file (memory.events), or -1. */
static long cg_read_key(const char *cg, const char *file, const char *key)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/%s", cg, file);
	return read_key_long(path, key, ' ');
}

/*
 * cgroup2 at CG_ROOT with the memory controller on for its children;
 * NULL, or why not (the test skips).
 */
static const char *cg_prepare(FIXTURE_DATA(memcg) *self)
{
	char ctl[256] = "";
	FILE *f;

	if (geteuid() != 0)
		return "needs root to make memory cgroups";
	if (access(CG_ROOT "/cgroup.controllers", F_OK)) {
		if (mount("none", CG_ROOT, "cgroup2", 0, NULL))
			return "cgroup2 is not mounted at " CG_ROOT
			       " and cannot be (CONFIG_CGROUPS?)";
		self->mounted = true;
	}
	f = fopen(CG_ROOT "/cgroup.controllers", "re");
	if (!f || !fgets(ctl, sizeof(ctl), f))
		ctl[0] = 0;
	if (f)
		fclose(f);
	if (!strstr(ctl, "memory"))
		return "no memory controller in cgroup2 (CONFIG_MEMCG?)";
	if (cg_write(CG_ROOT, "cgroup.subtree_control", "+memory"))
		return "cannot enable the memory controller";
	return NULL;
}

/* A new child group of CG_ROOT, removed by the teardown; its path. */
static const char *cg_make(FIXTURE_DATA(memcg) *self, int i, const char *what)
{
	snprintf(self->cg[i], sizeof(self->cg[i]), CG_ROOT "/ipclab-%d-%s",
		 getpid(), what);
	if (mkdir(self->cg[i], 0755)) {
		self->cg[i][0] = 0;
		return NULL;
	}
	return self->cg[i];
}

FIXTURE_SETUP(memcg)
{
	const char *why;

	memset(&self->cl, 0, sizeof(self->cl));
	memset(self->cg, 0, sizeof(self->cg));
	self->mounted = false;
	self->page = sysconf(_SC_PAGESIZE);
	self->touched = mmap(NULL, sizeof(*self->touched), PROT_READ | PROT_WRITE,
			     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->touched);
	IPCLAB_OPEN_OR_SKIP(self->fd);
	why = cg_prepare(self);
	if (why)
		SKIP(return, "%s", why);
}

/* The children first (a group with tasks cannot go), then the buffers. */
FIXTURE_TEARDOWN_PARENT(memcg)
{
	int i;

	ipclab_cleanup(&self->cl);
	for (i = 0; i < 3; i++)
		if (self->cg[i][0])
			rmdir(self->cg[i]);
	if (self->mounted)
		umount(CG_ROOT);
}

/*
 * In a child: join group cg and create a private buffer of len bytes,
 * send its id down the pipe and exit, leaving it behind.
 */
static void create_in(int fd, const char *cg, size_t len, int out)
{
	__u32 id;

	if (cg_write(cg, "cgroup.procs", "0"))
		_exit(CHILD_BROKEN);
	if (shbuf_get(fd, IPCLAB_KEY_PRIVATE, IPCLAB_CREAT, 0600, len, &id))
		_exit(child_status(-1));
	if (write(out, &id, sizeof(id)) != sizeof(id))
		_exit(CHILD_BROKEN);
	_exit(0);
}

/*
 * In a child: join group cg (unless NULL), map the buffer and write a
 * byte in each page, counting the pages in *touched; exit 0 when all
 * were.
 */
static void touch_in(const char *cg, __u32 id, size_t len, long page,
		     volatile long *touched)
{
	int fd = open(IPCLAB_DEVICE, O_RDWR | O_CLOEXEC);
	volatile unsigned char *p;
	size_t off;

	if (fd < 0 || (cg && cg_write(cg, "cgroup.procs", "0")))
		_exit(CHILD_BROKEN);
	p = open_map(fd, id, IPCLAB_OPEN_READ | IPCLAB_OPEN_WRITE, len,
		     PROT_READ | PROT_WRITE, 0);
	if (!p)
		_exit(child_status(-1));
	for (off = 0; off < len; off += page) {
		p[off] = 1;
		__atomic_store_n(touched, off / page + 1, __ATOMIC_RELEASE);
	}
	_exit(0);
}

/* A buffer made by a child in group cg, tracked for the teardown. */
#define NEW_SHBUF_IN(cg, len) ({					\
	int __p[2];							\
	__u32 __id = 0;							\
	pid_t __kid;							\
	ASSERT_OK(pipe(__p));						\
	__kid = kids_fork(&self->cl);					\
	ASSERT_LE(0, __kid);						\
	if (__kid == 0)							\
		create_in(self->fd, (cg), (len), __p[1]);		\
	ASSERT_KID(0, __kid, IPCLAB_SETTLE_MS);				\
	ASSERT_EQ(sizeof(__id), read(__p[0], &__id, sizeof(__id)));	\
	cl_track(&self->cl, __id);					\
	close(__p[0]);							\
	close(__p[1]);							\
	__id;								\
})

/*
 * The pages a process in another group touches are the creator's
 * group's memory, not the toucher's, and go with the buffer.
 */
TEST_F(memcg, pages_charged_to_creator)
{
	const char *a = cg_make(self, 0, "creator"), *b = cg_make(self, 1, "toucher");
	long a0, b0, a1, b1, a2;
	__u32 id;
	pid_t kid;

	ASSERT_NE(NULL, a) TH_LOG("mkdir: %s", strerror(errno));
	ASSERT_NE(NULL, b) TH_LOG("mkdir: %s", strerror(errno));
	id = NEW_SHBUF_IN(a, CG_SIZE);
	a0 = cg_read(a, "memory.current");
	b0 = cg_read(b, "memory.current");
	ASSERT_LE(0, a0);
	ASSERT_LE(0, b0);

	kid = kids_fork(&self->cl);
	ASSERT_LE(0, kid);
	if (kid == 0)
		touch_in(b, id, CG_SIZE, self->page, self->touched);
	ASSERT_KID(0, kid, IPCLAB_SETTLE_MS);
	a1 = cg_read(a, "memory.current");
	b1 = cg_read(b, "memory.current");
	/* All of it, give or take the per-cpu charge batches (256 KiB). */
	EXPECT_LE((long)(CG_SIZE - (1UL << 20)), a1 - a0)
		TH_LOG("the creator's group grew by %ld KiB of %lu", (a1 - a0) >> 10,
		       CG_SIZE >> 10);
	EXPECT_GE((long)(CG_SIZE + (2UL << 20)), a1 - a0);
	EXPECT_GT((long)(2UL << 20), b1 - b0)
		TH_LOG("the toucher's group grew by %ld KiB", (b1 - b0) >> 10);

	/* Removed, unmapped: the pages are given back. */
	ASSERT_OK(ipclab_rmid(self->fd, id));
	a2 = cg_read(a, "memory.current");
	EXPECT_LE((long)(CG_SIZE - (1UL << 20)), a1 - a2)
		TH_LOG("the creator's group gave back %ld KiB", (a1 - a2) >> 10);
}

/*
 * The creator's memory.max bounds the buffer whoever touches it: past
 * it the touch gets SIGBUS, and the group stays within its limit.
 */
TEST_F(memcg, creator_limit_bounds_touch)
{
	const char *c = cg_make(self, 2, "limited");
	char max[32];
	long cur, hits;
	__u32 id;
	pid_t kid;

	ASSERT_NE(NULL, c) TH_LOG("mkdir: %s", strerror(errno));
	snprintf(max, sizeof(max), "%lu", CG_LIMIT);
	ASSERT_OK(cg_write(c, "memory.max", max));
	cg_write(c, "memory.swap.max", "0");	/* absent without swap */
	id = NEW_SHBUF_IN(c, CG_SIZE);

	/* The toucher stays in the test's group, which has no limit. */
	*self->touched = 0;
	kid = kids_fork(&self->cl);
	ASSERT_LE(0, kid);
	if (kid == 0)
		touch_in(NULL, id, CG_SIZE, self->page, self->touched);
	EXPECT_KID(KID_SIGNALED(SIGBUS), kid, 60 * 1000);
	cur = cg_read(c, "memory.current");
	EXPECT_GE((long)CG_LIMIT, cur) TH_LOG("memory.current %ld", cur);
	/* It got as far as the limit lets it, not much less. */
	EXPECT_LE((long)(CG_LIMIT / 2), *self->touched * self->page)
		TH_LOG("SIGBUS after %ld pages", *self->touched);
	EXPECT_GT((long)CG_LIMIT, *self->touched * self->page)
		TH_LOG("%ld pages touched", *self->touched);
	hits = cg_read_key(c, "memory.events", "max");
	EXPECT_LT(0, hits);

	/* Without the limit, the same touch goes through. */
	ASSERT_OK(cg_write(c, "memory.max", "max"));
	kid = kids_fork(&self->cl);
	ASSERT_LE(0, kid);
	if (kid == 0)
		touch_in(NULL, id, CG_SIZE, self->page, self->touched);
	EXPECT_KID(0, kid, 60 * 1000);
	EXPECT_LE((long)(CG_SIZE - (1UL << 20)), cg_read(c, "memory.current"));
}

/* IPCLAB_IOC_SHBUF_CTL's errors; a lock shows, and comes undone. */
TEST_F(shbuf, lock_errors)
{
	struct ipclab_shbufctl a;
	struct ipclab_stat st;
	__u32 id, sem;
	int i;

	ASSERT_OK(ipclab_get_size(self->fd, IPCLAB_TYPE_SHBUF, IPCLAB_KEY_PRIVATE,
				  IPCLAB_CREAT, 0600, 0, 8192, &id));
	cl_track(&self->cl, id);
	ASSERT_OK(ipclab_get(self->fd, IPCLAB_TYPE_SEM, IPCLAB_KEY_PRIVATE,
			     IPCLAB_CREAT, 0600, 1, &sem));
	cl_track(&self->cl, sem);
	for (i = 0; i < 6; i++) {
		a = (struct ipclab_shbufctl){ .id = id, .cmd = IPCLAB_SHBUF_CTL_LOCK };
		if (i == 0)
			a.cmd = 0;
		else if (i == 1)
			a.cmd = 3;
		else if (i == 2)
			a.flags = 1;
		else if (i == 3)
			a.pad = 1;
		else if (i == 4)
			a.reserved[1] = 1;
		else
			a.id = sem;
		EXPECT_ERRNO(EINVAL, ioctl(self->fd, IPCLAB_IOC_SHBUF_CTL, &a)) TH_LOG("%d", i);
	}
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, IPCLAB_IOC_SHBUF_CTL, NULL));
	ASSERT_OK(ipclab_stat(self->fd, id, &st));
	EXPECT_EQ(0, st.shbuf.flags & IPCLAB_SHBUF_LOCKED);

	a = (struct ipclab_shbufctl){ .id = id, .cmd = IPCLAB_SHBUF_CTL_LOCK };
	ASSERT_OK(ioctl(self->fd, IPCLAB_IOC_SHBUF_CTL, &a));
	ASSERT_OK(ioctl(self->fd, IPCLAB_IOC_SHBUF_CTL, &a));
	ASSERT_OK(ipclab_stat(self->fd, id, &st));
	EXPECT_EQ(IPCLAB_SHBUF_LOCKED, st.shbuf.flags & IPCLAB_SHBUF_LOCKED);
	a.cmd = IPCLAB_SHBUF_CTL_UNLOCK;
	ASSERT_OK(ioctl(self->fd, IPCLAB_IOC_SHBUF_CTL, &a));
	ASSERT_OK(ipclab_stat(self->fd, id, &st));
	EXPECT_EQ(0, st.shbuf.flags & IPCLAB_SHBUF_LOCKED);
	/* A locked buffer removed: its charge goes with it (kmemleak, the exit check). */
	a.cmd = IPCLAB_SHBUF_CTL_LOCK;
	ASSERT_OK(ioctl(self->fd, IPCLAB_IOC_SHBUF_CTL, &a));
	ASSERT_OK(ipclab_rmid(self->fd, id));
}

TEST_HARNESS_MAIN
