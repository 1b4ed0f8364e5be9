// SPDX-License-Identifier: GPL-2.0
/*
 * The ipclab command (userspace/ipclab.c): what "ipclab ls", "show"
 * (and "show --json") and "rm" print and how they exit, while real
 * processes wait on the objects, and each command's -h.
 *
 * The command is run as a user runs it, through popen() and the PATH;
 * when it is not on the PATH every test skips.  The waiters are forked
 * children that block in an ioctl on the test's session and exit with 0
 * or the errno they got (child_status()); the test waits until
 * IPCLAB_IOC_STAT shows each of them queued before it looks, so the
 * arrival order is known.
 */
#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <sys/sem.h>

#include "kselftest_harness.h"
#include "ipclab_test.h"

FIXTURE(cli) {
	int fd;
	struct ipclab_cleanup cl;
};

/* Is there an executable "name" in a directory of $PATH? */
static bool on_path(const char *name)
{
	const char *path = getenv("PATH") ?: "/usr/bin:/bin";
	char dir[PATH_MAX], file[PATH_MAX + 64];
	const char *p = path, *end;
	size_t len;

	for (; *p; p = *end ? end + 1 : end) {
		end = strchrnul(p, ':');
		len = end - p;
		if (!len || len >= sizeof(dir))
			continue;
		memcpy(dir, p, len);
		dir[len] = 0;
		snprintf(file, sizeof(file), "%s/%s", dir, name);
		if (!access(file, X_OK))
			return true;
	}
	return false;
}

FIXTURE_SETUP(cli)
{
	memset(&self->cl, 0, sizeof(self->cl));
	IPCLAB_OPEN_OR_SKIP(self->fd);
	if (!on_path("ipclab"))
		SKIP(return, "the ipclab command is not on the PATH");
}

FIXTURE_TEARDOWN_PARENT(cli)
{
	ipclab_cleanup(&self->cl);
}

/* ------------------------------------------------------------------ */
/* Running the command                                                 */
/* ------------------------------------------------------------------ */

#define OUT_MAX		65536

/* The line of out that starts (after blanks) with prefix, or NULL. */
static const char *line_with(const char *out, const char *needle)
{
	const char *p = strstr(out, needle);

	if (!p)
		return NULL;
	while (p > out && p[-1] != '\n')
		p--;
	return p;
}

/* The line after the one p is in, or NULL at the end. */
static const char *next_line(const char *p)
{
	p = strchr(p, '\n');
	return p && p[1] ? p + 1 : NULL;
}

/* One line of "ipclab ls". */
struct ls_line {
	char type[16];
	int key;
	unsigned int id;
	unsigned int uid;
	unsigned int mode;
	unsigned int waiters;
	int lpid;
	char state[128];
};

/* Find object id in "ipclab ls" output; false if it is not listed. */
static bool ls_find(const char *out, unsigned int id, struct ls_line *l)
{
	const char *p;
	int n;

	for (p = out; p; p = next_line(p)) {
		memset(l, 0, sizeof(*l));
		if (sscanf(p, "%15s %x %u %u %o %u %d %n", l->type, (unsigned int *)&l->key, &l->id,
			   &l->uid, &l->mode, &l->waiters, &l->lpid, &n) != 7 ||
		    l->id != id)
			continue;
		sscanf(p + n, "%127[^\n]", l->state);
		return true;
	}
	return false;
}

/*
 * The JSON object of "ipclab ls --json" that has "id": id, copied into
 * obj (from its '{' to its '}'); false if there is none.
 */
static bool json_object_of(const char *out, unsigned int id, char *obj, size_t n)
{
	char needle[32];
	const char *p, *open, *close;

	snprintf(needle, sizeof(needle), "\"id\": %u,", id);
	p = strstr(out, needle);
	if (!p)
		return false;
	for (open = p; open > out && *open != '{'; open--)
		;
	close = strchr(p, '}');
	if (*open != '{' || !close || (size_t)(close - open + 2) > n)
		return false;
	memcpy(obj, open, close - open + 1);
	obj[close - open + 1] = 0;
	return true;
}

/* ------------------------------------------------------------------ */
/* Objects and waiters                                                 */
/* ------------------------------------------------------------------ */

/* IPCLAB_IOC_GET of any type: nsems for a set, size for a buffer. */
static int get_obj(int fd, __u32 type, __s32 key, __u32 flags, __u32 nsems,
		   __u64 size, __u32 *id)
{
	struct ipclab_get g;
	int ret;

	memset(&g, 0, sizeof(g));
	g.type = type;
	g.key = key;
	g.flags = flags;
	g.mode = 0600;
	/* One member of the union: the size, if any, is a buffer's. */
	if (size)
		g.shbuf.size = size;
	else
		g.sem.nsems = nsems;
	ret = ioctl(fd, IPCLAB_IOC_GET, &g);
	*id = g.id;
	return ret;
}

/* A new object, mode 0600, removed by the teardown. */
#define NEW_OBJ(type, key, flags, nsems, size) ({			\
	__u32 __id = 0;							\
	ASSERT_OK(get_obj(self->fd, (type), (key), (flags), (nsems),	\
			  (size), &__id))				\
		TH_LOG("creating an object of type %d: %s", (type),	\
		       strerror(errno));				\
	cl_track(&self->cl, __id);					\
	__id;								\
})

static int mbox_recv(int fd, __u32 id, __s64 type, __u32 flags, __u64 size)
{
	char buf[256];
	struct ipclab_msgrcv r = {
		.id = id, .flags = flags, .type = type,
		.text = ptr_u64(buf), .size = size, .timeout = 0,
	};

	return ioctl(fd, IPCLAB_IOC_MBOX_RECV, &r);
}

/* A child named comm that waits in P(num) and exits with the errno. */
static pid_t spawn_p(struct ipclab_cleanup *cl, int fd, __u32 id, __u32 num,
		     const char *comm)
{
	pid_t pid = kids_fork(cl);

	if (pid == 0) {
		prctl(PR_SET_NAME, comm, 0, 0, 0);
		_exit(child_status(sem_op1(fd, id, num, -1, 0)));
	}
	return pid;
}

/* ------------------------------------------------------------------ */
/* ls and show                                                         */
/* ------------------------------------------------------------------ */

/*
 * Three children queue in P(0) one after another: ls shows 3 waiters,
 * show lists them in arrival order; rm fails them with EIDRM.
 */
TEST_F(cli, sem_waiting_room)
{
	static char out[OUT_MAX];
	char want[128], comm[16];
	__s32 key = test_key(1);
	struct ls_line l;
	const char *p;
	unsigned int pos;
	pid_t kids[3];
	__u32 id;
	int i, pid;

	id = NEW_OBJ(IPCLAB_TYPE_SEM, key, IPCLAB_CREAT | IPCLAB_EXCL, 2, 0);
	ASSERT_OK(sem_setval(self->fd, id, 1, 4));
	for (i = 0; i < 3; i++) {
		snprintf(comm, sizeof(comm), "cli-p%d", i);
		kids[i] = spawn_p(&self->cl, self->fd, id, 0, comm);
		ASSERT_LT(0, kids[i]);
		ASSERT_TRUE(wait_for_waiters(self->fd, id, i + 1))
			TH_LOG("child %d did not queue", i);
	}

	ASSERT_EQ(0, run_cmd(out, sizeof(out), "ipclab ls"));
	EXPECT_NE(NULL, strstr(out, "TYPE")) TH_LOG("no header:\n%s", out);
	ASSERT_TRUE(ls_find(out, id, &l)) TH_LOG("set %u not listed:\n%s", id, out);
	EXPECT_STREQ("sem", l.type);
	EXPECT_EQ(key, l.key);
	EXPECT_EQ(getuid(), l.uid);
	EXPECT_EQ(0600, l.mode);
	EXPECT_EQ(3, l.waiters);
	EXPECT_STREQ("values 0 4", l.state);

	ASSERT_EQ(0, run_cmd(out, sizeof(out), "ipclab ls -t sem"));
	EXPECT_TRUE(ls_find(out, id, &l));
	ASSERT_EQ(0, run_cmd(out, sizeof(out), "ipclab ls -t mutex"));
	EXPECT_FALSE(ls_find(out, id, &l));

	ASSERT_EQ(0, run_cmd(out, sizeof(out), "ipclab show %u", id));
	snprintf(want, sizeof(want), "sem %u, key 0x%08x, owner %u:%u, mode 0600, created by pid %d\n",
		 id, (unsigned int)key, getuid(), getgid(), getpid());
	EXPECT_EQ(0, strncmp(out, want, strlen(want))) TH_LOG("wanted \"%s\" in:\n%s", want, out);
	EXPECT_NE(NULL, strstr(out, "values: [0]=0 [1]=4\n")) TH_LOG("%s", out);
	p = line_with(out, "waiting room (FIFO, 3 waiting):");
	ASSERT_NE(NULL, p) TH_LOG("no waiting room of 3:\n%s", out);
	for (i = 0; i < 3; i++) {
		p = next_line(p);
		ASSERT_NE(NULL, p) TH_LOG("waiter %d missing:\n%s", i + 1, out);
		memset(comm, 0, sizeof(comm));
		ASSERT_EQ(3, sscanf(p, " %u. pid %d %15s", &pos, &pid, comm))
			TH_LOG("waiter line %d: %.80s", i + 1, p);
		EXPECT_EQ(i + 1, pos);
		EXPECT_EQ(kids[i], pid) TH_LOG("position %d", i + 1);
		snprintf(want, sizeof(want), "cli-p%d", i);
		EXPECT_STREQ(want, comm);
		EXPECT_NE(NULL, strstr(p, "wants P(0)")) TH_LOG("%.100s", p);
	}

	ASSERT_EQ(0, run_cmd(out, sizeof(out), "ipclab rm %u", id));
	EXPECT_STREQ("", out);
	for (i = 0; i < 3; i++)
		EXPECT_KID(EIDRM, kids[i], IPCLAB_SETTLE_MS) TH_LOG("child %d", i);
	EXPECT_EQ(1, run_cmd(out, sizeof(out), "ipclab show %u 2>/dev/null", id));
	ASSERT_EQ(0, run_cmd(out, sizeof(out), "ipclab ls"));
	EXPECT_FALSE(ls_find(out, id, &l));
}

/* A locked mutex with a waiter: show names both. */
TEST_F(cli, mutex_owner_and_waiter)
{
	static char out[OUT_MAX];
	struct rendezvous rv;
	char want[128], comm[16];
	struct ls_line l;
	const char *p;
	unsigned int pos;
	pid_t owner, waiter;
	__u32 id;
	int pid;

	id = NEW_OBJ(IPCLAB_TYPE_MUTEX, IPCLAB_KEY_PRIVATE, IPCLAB_CREAT, 0, 0);
	ASSERT_OK(rv_open(&rv));
	owner = kids_fork(&self->cl);
	ASSERT_LE(0, owner);
	if (owner == 0) {
		int st;

		rv_child(&rv);
		prctl(PR_SET_NAME, "cli-owner", 0, 0, 0);
		st = child_status(mutex_lock(self->fd, id));
		if (put_byte(rv.ready[1], 'l'))
			_exit(CHILD_BROKEN);
		get_byte(rv.go[0], 60 * 1000);
		if (!st)
			st = child_status(mutex_unlock(self->fd, id));
		_exit(st);
	}
	rv_parent(&rv);
	ASSERT_EQ('l', get_byte(rv.ready[0], IPCLAB_SETTLE_MS));
	waiter = kids_fork(&self->cl);
	ASSERT_LE(0, waiter);
	if (waiter == 0) {
		int st;

		prctl(PR_SET_NAME, "cli-waiter", 0, 0, 0);
		st = child_status(mutex_lock(self->fd, id));
		if (!st)
			st = child_status(mutex_unlock(self->fd, id));
		_exit(st);
	}
	ASSERT_TRUE(wait_for_waiters(self->fd, id, 1));

	ASSERT_EQ(0, run_cmd(out, sizeof(out), "ipclab ls -t mutex"));
	ASSERT_TRUE(ls_find(out, id, &l)) TH_LOG("mutex %u not listed:\n%s", id, out);
	EXPECT_STREQ("mutex", l.type);
	EXPECT_EQ(1, l.waiters);
	snprintf(want, sizeof(want), "locked by %d (cli-owner)", owner);
	EXPECT_STREQ(want, l.state);

	ASSERT_EQ(0, run_cmd(out, sizeof(out), "ipclab show %u", id));
	snprintf(want, sizeof(want), "state: locked, owner pid %d (cli-owner), thread %d;",
		 owner, owner);
	EXPECT_NE(NULL, strstr(out, want)) TH_LOG("wanted \"%s\" in:\n%s", want, out);
	p = line_with(out, "waiting room (FIFO, 1 waiting):");
	ASSERT_NE(NULL, p) TH_LOG("%s", out);
	p = next_line(p);
	ASSERT_NE(NULL, p);
	memset(comm, 0, sizeof(comm));
	ASSERT_EQ(3, sscanf(p, " %u. pid %d %15s", &pos, &pid, comm)) TH_LOG("%.80s", p);
	EXPECT_EQ(1, pos);
	EXPECT_EQ(waiter, pid);
	EXPECT_STREQ("cli-waiter", comm);
	EXPECT_NE(NULL, strstr(p, "wants the lock")) TH_LOG("%.100s", p);

	put_byte(rv.go[1], 'g');
	rv_close(&rv);
	EXPECT_KID(0, owner, IPCLAB_SETTLE_MS);
	EXPECT_KID(0, waiter, IPCLAB_SETTLE_MS);
	ASSERT_EQ(0, run_cmd(out, sizeof(out), "ipclab show %u", id));
	EXPECT_NE(NULL, strstr(out, "state: unlocked;")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "waiting room (FIFO, 0 waiting):")) TH_LOG("%s", out);
}

/* Blocked receivers appear in the receivers' room, in order. */
TEST_F(cli, mbox_receivers)
{
	static char out[OUT_MAX];
	char want[160], comm[16];
	struct ls_line l;
	const char *p;
	unsigned int pos;
	pid_t any, not7;
	__u32 id;
	int pid;

	id = NEW_OBJ(IPCLAB_TYPE_MBOX, test_key(2), IPCLAB_CREAT, 0, 0);
	any = kids_fork(&self->cl);
	ASSERT_LE(0, any);
	if (any == 0) {
		prctl(PR_SET_NAME, "cli-any", 0, 0, 0);
		_exit(child_status(mbox_recv(self->fd, id, 0, 0, 64)));
	}
	ASSERT_TRUE(wait_for_waiters(self->fd, id, 1));
	not7 = kids_fork(&self->cl);
	ASSERT_LE(0, not7);
	if (not7 == 0) {
		prctl(PR_SET_NAME, "cli-not7", 0, 0, 0);
		_exit(child_status(mbox_recv(self->fd, id, 7, IPCLAB_MSG_EXCEPT, 32)));
	}
	ASSERT_TRUE(wait_for_waiters(self->fd, id, 2));

	ASSERT_EQ(0, run_cmd(out, sizeof(out), "ipclab ls"));
	ASSERT_TRUE(ls_find(out, id, &l)) TH_LOG("mailbox %u not listed:\n%s", id, out);
	EXPECT_STREQ("mbox", l.type);
	EXPECT_EQ(test_key(2), l.key);
	EXPECT_EQ(2, l.waiters);
	EXPECT_EQ(0, strncmp(l.state, "0/", 2)) TH_LOG("state \"%s\"", l.state);

	ASSERT_EQ(0, run_cmd(out, sizeof(out), "ipclab show %u", id));
	snprintf(want, sizeof(want), "mbox %u, key 0x%08x,", id, (unsigned int)test_key(2));
	EXPECT_EQ(0, strncmp(out, want, strlen(want))) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "senders' waiting room (FIFO, 0 waiting):\n"))
		TH_LOG("%s", out);
	p = line_with(out, "receivers' waiting room (FIFO, 2 waiting):");
	ASSERT_NE(NULL, p) TH_LOG("%s", out);

	p = next_line(p);
	ASSERT_NE(NULL, p);
	memset(comm, 0, sizeof(comm));
	ASSERT_EQ(3, sscanf(p, " %u. pid %d %15s", &pos, &pid, comm)) TH_LOG("%.80s", p);
	EXPECT_EQ(1, pos);
	EXPECT_EQ(any, pid);
	EXPECT_STREQ("cli-any", comm);
	EXPECT_NE(NULL, strstr(p, "receives any type (buffer 64 bytes)")) TH_LOG("%.120s", p);

	p = next_line(p);
	ASSERT_NE(NULL, p);
	memset(comm, 0, sizeof(comm));
	ASSERT_EQ(3, sscanf(p, " %u. pid %d %15s", &pos, &pid, comm)) TH_LOG("%.80s", p);
	EXPECT_EQ(2, pos);
	EXPECT_EQ(not7, pid);
	EXPECT_STREQ("cli-not7", comm);
	EXPECT_NE(NULL, strstr(p,
		"receives type other than 7 (buffer 32 bytes)")) TH_LOG("%.120s", p);

	ASSERT_EQ(0, run_cmd(out, sizeof(out), "ipclab rm %u", id));
	EXPECT_KID(EIDRM, any, IPCLAB_SETTLE_MS);
	EXPECT_KID(EIDRM, not7, IPCLAB_SETTLE_MS);
}

/* ls --json is one JSON array in which each object can be found. */
TEST_F(cli, ls_json)
{
	static char out[OUT_MAX];
	char obj[1024], want[64];
	__s32 key = test_key(3);
	__u32 sem, mutex, mbox, shbuf;
	pid_t kid;

	sem = NEW_OBJ(IPCLAB_TYPE_SEM, key, IPCLAB_CREAT, 3, 0);
	mutex = NEW_OBJ(IPCLAB_TYPE_MUTEX, IPCLAB_KEY_PRIVATE, IPCLAB_CREAT, 0, 0);
	mbox = NEW_OBJ(IPCLAB_TYPE_MBOX, IPCLAB_KEY_PRIVATE, IPCLAB_CREAT, 0, 0);
	shbuf = NEW_OBJ(IPCLAB_TYPE_SHBUF, IPCLAB_KEY_PRIVATE, IPCLAB_CREAT, 0, 5000);
	kid = spawn_p(&self->cl, self->fd, sem, 2, "cli-json");
	ASSERT_LT(0, kid);
	ASSERT_TRUE(wait_for_waiters(self->fd, sem, 1));

	ASSERT_EQ(0, run_cmd(out, sizeof(out), "ipclab ls --json"));
	EXPECT_EQ('[', out[0]) TH_LOG("%.200s", out);
	EXPECT_TRUE(json_valid(out)) TH_LOG("not JSON:\n%s", out);

	ASSERT_TRUE(json_object_of(out, sem, obj, sizeof(obj))) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(obj, "\"type\": \"sem\"")) TH_LOG("%s", obj);
	snprintf(want, sizeof(want), "\"key\": %d,", key);
	EXPECT_NE(NULL, strstr(obj, want)) TH_LOG("%s", obj);
	EXPECT_NE(NULL, strstr(obj, "\"waiters\": 1")) TH_LOG("%s", obj);
	EXPECT_NE(NULL, strstr(obj, "\"values\": [0, 0, 0]")) TH_LOG("%s", obj);
	EXPECT_NE(NULL, strstr(obj, "\"mode\": \"0600\"")) TH_LOG("%s", obj);

	ASSERT_TRUE(json_object_of(out, mutex, obj, sizeof(obj))) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(obj, "\"type\": \"mutex\"")) TH_LOG("%s", obj);
	EXPECT_NE(NULL, strstr(obj, "\"state\": \"unlocked\"")) TH_LOG("%s", obj);
	ASSERT_TRUE(json_object_of(out, mbox, obj, sizeof(obj))) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(obj, "\"type\": \"mbox\"")) TH_LOG("%s", obj);
	EXPECT_NE(NULL, strstr(obj, "\"msgs\": 0,")) TH_LOG("%s", obj);
	ASSERT_TRUE(json_object_of(out, shbuf, obj, sizeof(obj))) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(obj, "\"type\": \"shbuf\"")) TH_LOG("%s", obj);
	EXPECT_NE(NULL, strstr(obj, "\"size\": 5000,")) TH_LOG("%s", obj);

	/* -t narrows it, and it is still JSON. */
	ASSERT_EQ(0, run_cmd(out, sizeof(out), "ipclab ls -t mbox --json"));
	EXPECT_TRUE(json_valid(out)) TH_LOG("not JSON:\n%s", out);
	EXPECT_TRUE(json_object_of(out, mbox, obj, sizeof(obj))) TH_LOG("%s", out);
	EXPECT_FALSE(json_object_of(out, sem, obj, sizeof(obj))) TH_LOG("%s", out);
}

/* Expect a printf-formatted needle in out. */
#define EXPECT_IN(out, ...) do {					\
	char __want[256];						\
	snprintf(__want, sizeof(__want), __VA_ARGS__);			\
	EXPECT_NE(NULL, strstr((out), __want))				\
		TH_LOG("no '%s' in:\n%s", __want, (out));		\
} while (0)

/*
 * show --json: one JSON object with what show prints.  A set of which
 * the test holds one unit of semaphore 1 (with undo), two children
 * queued in P(0); a mutex the test holds, with a child queued; a mailbox
 * with a receiver queued; a shared buffer never attached.
 */
TEST_F(cli, show_json)
{
	static char out[OUT_MAX];
	__s32 key = test_key(5);
	__u32 sem, mutex, mbox, shbuf;
	pid_t kids[2], waiter, recv;
	char comm[16];
	int i;

	sem = NEW_OBJ(IPCLAB_TYPE_SEM, key, IPCLAB_CREAT | IPCLAB_EXCL, 2, 0);
	ASSERT_OK(sem_setval(self->fd, sem, 1, 4));
	ASSERT_OK(sem_op1(self->fd, sem, 1, -1, IPCLAB_SEMBUF_UNDO));
	for (i = 0; i < 2; i++) {
		snprintf(comm, sizeof(comm), "cli-j%d", i);
		kids[i] = spawn_p(&self->cl, self->fd, sem, 0, comm);
		ASSERT_LT(0, kids[i]);
		ASSERT_TRUE(wait_for_waiters(self->fd, sem, i + 1));
	}
	ASSERT_EQ(0, run_cmd(out, sizeof(out), "ipclab show --json %u", sem));
	EXPECT_TRUE(json_valid(out)) TH_LOG("not JSON:\n%s", out);
	EXPECT_IN(out, "{\n  \"type\": \"sem\", \"key\": %d, \"key_hex\": \"0x%08x\", \"id\": %u, \"uid\": %u, "
		  "\"gid\": %u, \"mode\": \"0600\", \"cpid\": %d,", key, (unsigned int)key, sem, getuid(),
		  getgid(), getpid());
	EXPECT_IN(out, "\"waiters\": 2, \"values\": [0, 3]");
	EXPECT_IN(out, "\"holders\": [\n    {\"pid\": %d, \"comm\": ", getpid());
	EXPECT_IN(out, "\"num\": 1, \"held\": 1, \"undo\": 1}\n  ]");
	for (i = 0; i < 2; i++)
		EXPECT_IN(out, "{\"position\": %d, \"pid\": %d, \"tid\": %d, "
			  "\"comm\": \"cli-j%d\", \"waited_ns\": ", i + 1, kids[i],
			  kids[i], i);
	EXPECT_IN(out, "\"kind\": \"semop\", \"ops\": [{\"num\": 0, \"op\": -1, "
		  "\"undo\": false}]}");
	EXPECT_EQ(NULL, strstr(out, "\"otime\": null")) TH_LOG("%s", out);
	EXPECT_IN(out, "\"truncated\": false\n}\n");
	/* Options may follow the id. */
	ASSERT_EQ(0, run_cmd(out, sizeof(out), "ipclab show %u --json", sem));
	EXPECT_TRUE(json_valid(out)) TH_LOG("not JSON:\n%s", out);
	ASSERT_EQ(0, run_cmd(out, sizeof(out), "ipclab rm %u", sem));
	for (i = 0; i < 2; i++)
		EXPECT_KID(EIDRM, kids[i], IPCLAB_SETTLE_MS);

	mutex = NEW_OBJ(IPCLAB_TYPE_MUTEX, IPCLAB_KEY_PRIVATE, IPCLAB_CREAT, 0, 0);
	ASSERT_OK(mutex_lock(self->fd, mutex));
	waiter = kids_fork(&self->cl);
	ASSERT_LE(0, waiter);
	if (waiter == 0) {
		int st;

		prctl(PR_SET_NAME, "cli-jlock", 0, 0, 0);
		st = child_status(mutex_lock(self->fd, mutex));
		if (!st)
			st = child_status(mutex_unlock(self->fd, mutex));
		_exit(st);
	}
	ASSERT_TRUE(wait_for_waiters(self->fd, mutex, 1));
	ASSERT_EQ(0, run_cmd(out, sizeof(out), "ipclab show --json %u", mutex));
	EXPECT_TRUE(json_valid(out)) TH_LOG("not JSON:\n%s", out);
	EXPECT_IN(out, "\"type\": \"mutex\"");
	EXPECT_IN(out, "\"state\": \"locked\", \"owner\": %d, \"owner_comm\": ", getpid());
	EXPECT_IN(out, "\"owner_tid\": %d, \"locks\": 1", gettid());
	EXPECT_IN(out, "\"waiting_room\": [\n    {\"position\": 1, \"pid\": %d, "
		  "\"tid\": %d, \"comm\": \"cli-jlock\"", waiter, waiter);
	EXPECT_IN(out, "\"kind\": \"lock\"}\n  ]");
	ASSERT_OK(mutex_unlock(self->fd, mutex));
	EXPECT_KID(0, waiter, IPCLAB_SETTLE_MS);

	mbox = NEW_OBJ(IPCLAB_TYPE_MBOX, IPCLAB_KEY_PRIVATE, IPCLAB_CREAT, 0, 0);
	recv = kids_fork(&self->cl);
	ASSERT_LE(0, recv);
	if (recv == 0) {
		prctl(PR_SET_NAME, "cli-jrecv", 0, 0, 0);
		_exit(child_status(mbox_recv(self->fd, mbox, 7, IPCLAB_MSG_EXCEPT, 32)));
	}
	ASSERT_TRUE(wait_for_waiters(self->fd, mbox, 1));
	ASSERT_EQ(0, run_cmd(out, sizeof(out), "ipclab show --json %u", mbox));
	EXPECT_TRUE(json_valid(out)) TH_LOG("not JSON:\n%s", out);
	EXPECT_IN(out, "\"type\": \"mbox\"");
	EXPECT_IN(out, "\"msgs\": 0,");
	EXPECT_IN(out, "\"sent\": 0, \"lspid\": 0, \"stime\": null, \"received\": 0");
	EXPECT_IN(out, "\"senders_waiting_room\": []");
	EXPECT_IN(out, "\"receivers_waiting_room\": [\n    {\"position\": 1, \"pid\": %d,",
		  recv);
	EXPECT_IN(out, "\"kind\": \"receive\", \"msgtype\": 7, \"except\": true, "
		  "\"msgsize\": 32}\n  ]");
	ASSERT_EQ(0, run_cmd(out, sizeof(out), "ipclab rm %u", mbox));
	EXPECT_KID(EIDRM, recv, IPCLAB_SETTLE_MS);

	shbuf = NEW_OBJ(IPCLAB_TYPE_SHBUF, IPCLAB_KEY_PRIVATE, IPCLAB_CREAT, 0, 5000);
	ASSERT_EQ(0, run_cmd(out, sizeof(out), "ipclab show --json %u", shbuf));
	EXPECT_TRUE(json_valid(out)) TH_LOG("not JSON:\n%s", out);
	EXPECT_IN(out, "\"type\": \"shbuf\"");
	EXPECT_IN(out, "\"size\": 5000, \"nattch\": 0, \"dest\": false");
	EXPECT_IN(out, "\"attaches\": 0, \"atime\": null, \"dtime\": null");
	EXPECT_EQ(NULL, strstr(out, "waiting_room")) TH_LOG("%s", out);

	/* An object that is gone: exit 1, nothing on stdout. */
	ASSERT_OK(ipclab_rmid(self->fd, shbuf));
	EXPECT_EQ(1, run_cmd(out, sizeof(out), "ipclab show --json %u 2>/dev/null", shbuf));
	EXPECT_STREQ("", out);
}

/* ------------------------------------------------------------------ */
/* rm, errors and usage                                                */
/* ------------------------------------------------------------------ */

/* rm -k KEY -t TYPE removes that type's object only; its waiter fails. */
TEST_F(cli, rm_by_key)
{
	static char out[OUT_MAX];
	__s32 key = test_key(4);
	__u32 sem, mbox, id;
	char keystr[16];
	pid_t kid;

	sem = NEW_OBJ(IPCLAB_TYPE_SEM, key, IPCLAB_CREAT | IPCLAB_EXCL, 1, 0);
	mbox = NEW_OBJ(IPCLAB_TYPE_MBOX, key, IPCLAB_CREAT | IPCLAB_EXCL, 0, 0);
	kid = spawn_p(&self->cl, self->fd, sem, 0, "cli-key");
	ASSERT_LT(0, kid);
	ASSERT_TRUE(wait_for_waiters(self->fd, sem, 1));

	EXPECT_EQ(0, run_cmd(out, sizeof(out), "ipclab rm -k %d -t sem", key));
	EXPECT_KID(EIDRM, kid, IPCLAB_SETTLE_MS);
	EXPECT_ERRNO(ENOENT, ipclab_get(self->fd, IPCLAB_TYPE_SEM, key, 0, 0, 0, &id));
	ASSERT_OK(ipclab_get(self->fd, IPCLAB_TYPE_MBOX, key, 0, 0, 0, &id))
		TH_LOG("the mailbox with the same key went too");
	EXPECT_EQ(mbox, id);

	/* Keys may be given in hex, as ipcrm takes them. */
	EXPECT_EQ(0, run_cmd(out, sizeof(out), "ipclab rm -k %#x -t mbox", key));
	EXPECT_ERRNO(ENOENT, ipclab_get(self->fd, IPCLAB_TYPE_MBOX, key, 0, 0, 0, &id));

	/* A key nobody has: exit 1, and the message names the key. */
	EXPECT_EQ(1, run_cmd(out, sizeof(out), "ipclab rm -k %d -t sem 2>&1 >/dev/null", key));
	snprintf(keystr, sizeof(keystr), "%d", key);
	EXPECT_NE(NULL, strstr(out, keystr)) TH_LOG("stderr \"%s\" does not name %s", out, keystr);
}

/* rm of an id that does not exist: exit 1, a message naming it. */
TEST_F(cli, rm_missing)
{
	static char out[OUT_MAX];
	char idstr[16];
	__u32 stale, good;
	struct ipclab_stat st;

	stale = NEW_OBJ(IPCLAB_TYPE_SEM, IPCLAB_KEY_PRIVATE, IPCLAB_CREAT, 1, 0);
	ASSERT_OK(ipclab_rmid(self->fd, stale));
	snprintf(idstr, sizeof(idstr), "%u", stale);

	EXPECT_EQ(1, run_cmd(out, sizeof(out), "ipclab rm %u 2>&1 >/dev/null", stale));
	EXPECT_NE(NULL, strstr(out, idstr)) TH_LOG("stderr \"%s\" does not name %s", out, idstr);
	EXPECT_EQ(1, run_cmd(out, sizeof(out), "ipclab rm %u 2>/dev/null", stale));
	EXPECT_STREQ("", out) TH_LOG("the error went to stdout");
	EXPECT_EQ(1, run_cmd(out, sizeof(out), "ipclab show %u 2>&1 >/dev/null", stale));
	EXPECT_NE(NULL, strstr(out, idstr)) TH_LOG("stderr \"%s\" does not name %s", out, idstr);

	/* One good id and one missing: the good one goes, the exit is 1. */
	good = NEW_OBJ(IPCLAB_TYPE_MUTEX, IPCLAB_KEY_PRIVATE, IPCLAB_CREAT, 0, 0);
	EXPECT_EQ(1, run_cmd(out, sizeof(out), "ipclab rm %u %u 2>&1 >/dev/null", stale, good));
	EXPECT_NE(NULL, strstr(out, idstr)) TH_LOG("\"%s\"", out);
	EXPECT_ERRNO(EINVAL, ipclab_stat(self->fd, good, &st)) TH_LOG("the good id is still there");
}

/* Somebody else's object: rm fails with EPERM, and the object stays. */
TEST_F(cli, rm_not_owner)
{
	struct ipclab_stat st;
	pid_t kid;
	__u32 id;

	if (geteuid() != 0)
		SKIP(return, "needs root to become nobody");
	id = NEW_OBJ(IPCLAB_TYPE_SEM, IPCLAB_KEY_PRIVATE, IPCLAB_CREAT, 1, 0);
	ASSERT_OK(ipclab_set(self->fd, id, 0, 0, 0644));
	kid = kids_fork(&self->cl);
	ASSERT_LE(0, kid);
	if (kid == 0) {
		static char out[OUT_MAX];
		int st2;

		if (drop_to_nobody())
			_exit(CHILD_BROKEN);
		st2 = run_cmd(out, sizeof(out), "ipclab rm %u 2>&1", id);
		if (st2 != 1 || !strstr(out, "EPERM")) {
			fprintf(stderr, "# nobody's rm: exit %d, \"%s\"\n", st2, out);
			_exit(CHILD_CHECK_FAILED);
		}
		_exit(0);
	}
	EXPECT_KID(0, kid, IPCLAB_SETTLE_MS);
	EXPECT_OK(ipclab_stat(self->fd, id, &st));
}

/* Usage errors exit 2 and say something on stderr; -h exits 0. */
TEST_F(cli, usage)
{
	static char out[OUT_MAX];
	static const char *const bad[] = {
		"ipclab",
		"ipclab frobnicate",
		"ipclab ls --bogus",
		"ipclab ls -t nosuchtype",
		"ipclab show",
		"ipclab show 1 2",
		"ipclab show notanid",
		"ipclab rm",
		"ipclab rm notanid",
		"ipclab rm -k 5 -t nosuchtype",
		"ipclab rm -k 5 -t sem 7",
		"ipclab watch 1 2",
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(2, run_cmd(out, sizeof(out), "%s 2>&1 >/dev/null </dev/null", bad[i]))
			TH_LOG("%s", bad[i]);
		EXPECT_NE(0, out[0]) TH_LOG("%s: nothing on stderr", bad[i]);
	}
	EXPECT_EQ(0, run_cmd(out, sizeof(out), "ipclab -h"));
	EXPECT_NE(NULL, strstr(out, "usage:")) TH_LOG("%s", out);
	EXPECT_EQ(0, run_cmd(out, sizeof(out), "ipclab ls -h"));
	EXPECT_NE(NULL, strstr(out, "usage:")) TH_LOG("%s", out);
}

/*
 * Every command's -h and --help, wherever on the line: its usage on
 * stdout, nothing on stderr, exit 0; and "ipclab -h" lists them all.
 * Needs the command, not the module.
 */
TEST(help_of_each_command)
{
	static const char *const cmds[] = {
		"ls", "show", "watch", "rm", "version", "limits", "deadlock", "graph",
	};
	static char out[OUT_MAX], top[OUT_MAX];
	char want[64];
	unsigned int i;

	if (!on_path("ipclab"))
		SKIP(return, "the ipclab command is not on the PATH");
	ASSERT_EQ(0, run_cmd(top, sizeof(top), "ipclab --help"));
	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		snprintf(want, sizeof(want), "usage: ipclab %s", cmds[i]);
		EXPECT_EQ(0, run_cmd(out, sizeof(out), "ipclab %s -h 2>/dev/null", cmds[i]))
			TH_LOG("%s -h", cmds[i]);
		EXPECT_EQ(0, strncmp(out, want, strlen(want))) TH_LOG("%s -h:\n%s", cmds[i], out);
		EXPECT_EQ(0, run_cmd(out, sizeof(out), "ipclab %s --help", cmds[i]))
			TH_LOG("%s --help", cmds[i]);
		EXPECT_EQ(0, strncmp(out, want, strlen(want))) TH_LOG("%s --help:\n%s", cmds[i], out);
		EXPECT_EQ(0, run_cmd(out, sizeof(out), "ipclab %s -h 2>&1 >/dev/null", cmds[i]));
		EXPECT_STREQ("", out) TH_LOG("%s -h wrote on stderr", cmds[i]);
		snprintf(want, sizeof(want), "\n  %s", cmds[i]);
		EXPECT_NE(NULL, strstr(top, want)) TH_LOG("ipclab -h lacks %s:\n%s", cmds[i], top);
	}
	/* The alias, and -h after an argument or another option. */
	EXPECT_EQ(0, run_cmd(out, sizeof(out), "ipclab --version -h"));
	EXPECT_NE(NULL, strstr(out, "\n       ipclab --version\n")) TH_LOG("%s", out);
	EXPECT_EQ(0, run_cmd(out, sizeof(out), "ipclab show 1 -h"));
	EXPECT_EQ(0, strncmp(out, "usage: ipclab show [--json] ID\n", 31)) TH_LOG("%s", out);
	EXPECT_EQ(0, run_cmd(out, sizeof(out), "ipclab rm 1 2 --help"));
	EXPECT_EQ(0, strncmp(out, "usage: ipclab rm [-t TYPE] ID...\n       ipclab rm -k KEY [-t TYPE]\n",
			     66)) TH_LOG("%s", out);
	EXPECT_EQ(0, run_cmd(out, sizeof(out), "ipclab watch 5 -h"));
	EXPECT_EQ(0, strncmp(out, "usage: ipclab watch [ID]\n", 25)) TH_LOG("%s", out);
	EXPECT_EQ(0, run_cmd(out, sizeof(out), "ipclab deadlock --json -h"));
	EXPECT_NE(NULL, strstr(out, "--matrices FILE")) TH_LOG("%s", out);
	EXPECT_EQ(0, run_cmd(out, sizeof(out), "ipclab help"));
	EXPECT_STREQ(top, out);
}

/*
 * ipclab limits: every limit with its module parameter's value, and the
 * usage; --json for scripts.  A shared buffer of ours shows in both.
 */
TEST_F(cli, limits)
{
	static char out[OUT_MAX];
	struct ipclab_info info;
	struct ipclab_get g = {
		.type = IPCLAB_TYPE_SHBUF, .flags = IPCLAB_CREAT, .mode = 0600,
		.shbuf.size = 3 * 4096,
	};
	char want[128];
	const char *p;

	ASSERT_OK(ioctl(self->fd, IPCLAB_IOC_GET, &g));
	cl_track(&self->cl, g.id);
	ASSERT_OK(ipclab_info(self->fd, &info));

	ASSERT_EQ(0, run_cmd(out, sizeof(out), "ipclab limits"));
	p = strstr(out, "objects per user");
	ASSERT_NE(NULL, p) TH_LOG("%s", out);
	snprintf(want, sizeof(want), "%ld", param_or("max_objects_per_user", -1));
	EXPECT_NE(NULL, strstr(p, want)) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "max_shbuf_pages_per_user")) TH_LOG("%s", out);

	ASSERT_EQ(0, run_cmd(out, sizeof(out), "ipclab limits --json"));
	snprintf(want, sizeof(want), "{\"name\": \"max_shbuf_pages_per_user\", \"limit\": %llu, "
		 "\"per_user\": true, \"machine\": ",
		 (unsigned long long)info.limits.max_shbuf_pages_per_user);
	EXPECT_NE(NULL, strstr(out, want)) TH_LOG("%s", out);
	snprintf(want, sizeof(want), "\"yours\": %llu}",
		 (unsigned long long)info.user.shbuf_pages);
	EXPECT_NE(NULL, strstr(out, want)) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "\"name\": \"stop_percent\"")) TH_LOG("%s", out);

	EXPECT_EQ(0, run_cmd(out, sizeof(out), "ipclab limits -h"));
	EXPECT_NE(NULL, strstr(out, "usage: ipclab limits")) TH_LOG("%s", out);
	EXPECT_EQ(2, run_cmd(out, sizeof(out), "ipclab limits extra 2>/dev/null"));
}

TEST_F(cli, version)
{
	static char out[OUT_MAX];
	char want[64];

	ASSERT_EQ(0, run_cmd(out, sizeof(out), "ipclab version"));
	snprintf(want, sizeof(want), "ipclab ABI %u.%u", IPCLAB_ABI_MAJOR, IPCLAB_ABI_MINOR);
	EXPECT_EQ(0, strncmp(out, want, strlen(want))) TH_LOG("%s", out);
}

/*
 * A program's names for a set's semaphores show in show (values, wants,
 * holders), show --json and deadlock; a holding below zero is explained.
 */
TEST_F(cli, names)
{
	static char out[OUT_MAX];
	struct ipclab_name n = { .flags = IPCLAB_NAME_SET, .name = "empty,filled,mutex" };
	char want[128];
	pid_t kid;
	__u32 id;

	id = NEW_OBJ(IPCLAB_TYPE_SEM, IPCLAB_KEY_PRIVATE, IPCLAB_CREAT, 3, 0);
	n.id = id;
	ASSERT_EQ(0, ioctl(self->fd, IPCLAB_IOC_NAME, &n)) TH_LOG("%s", strerror(errno));
	ASSERT_OK(sem_op1(self->fd, id, 1, 1, 0));	/* V(filled): holds -1 */
	kid = spawn_p(&self->cl, self->fd, id, 0, "cli-consumer");
	ASSERT_LT(0, kid);
	ASSERT_TRUE(wait_for_waiters(self->fd, id, 1));

	ASSERT_EQ(0, run_cmd(out, sizeof(out), "ipclab show %u", id));
	EXPECT_NE(NULL, strstr(out, "\n  name: empty,filled,mutex\n")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "values: [0 empty]=0 [1 filled]=1 [2 mutex]=0\n"))
		TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(line_with(out, "cli-consumer") ?: "", "wants P(0 empty)"))
		TH_LOG("%s", out);
	snprintf(want, sizeof(want), "pid %-6d %-15.16s sem 1 filled holds -1, undo +0 "
		 "(gave more than it took", getpid(), "cli_test");
	EXPECT_NE(NULL, strstr(out, want)) TH_LOG("wanted \"%s\" in:\n%s", want, out);

	ASSERT_EQ(0, run_cmd(out, sizeof(out), "ipclab ls --json"));
	EXPECT_NE(NULL, strstr(out, "\"name\": \"empty,filled,mutex\"")) TH_LOG("%s", out);

	/* Nobody will V(empty): the consumer is deadlocked (exit 3). */
	ASSERT_EQ(3, run_cmd(out, sizeof(out), "ipclab deadlock"));
	snprintf(want, sizeof(want), "sem %u[0] empty", id);
	EXPECT_NE(NULL, strstr(out, want)) TH_LOG("wanted \"%s\" in:\n%s", want, out);

	/* Without a name, the numbers alone, as before. */
	memset(n.name, 0, sizeof(n.name));
	ASSERT_EQ(0, ioctl(self->fd, IPCLAB_IOC_NAME, &n));
	ASSERT_EQ(0, run_cmd(out, sizeof(out), "ipclab show %u", id));
	EXPECT_EQ(NULL, strstr(out, "name:")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "values: [0]=0 [1]=1 [2]=0\n")) TH_LOG("%s", out);
	ASSERT_OK(sem_op1(self->fd, id, 0, 1, 0));
	EXPECT_KID(0, kid, IPCLAB_SETTLE_MS);
}

/*
 * ipcs/ipcrm habits: keys in hex (either base accepted), the type words
 * and letters of ipcs/ipcrm, a key typed where an id belongs gets a hint,
 * one-line usage, no "never".
 */
TEST_F(cli, ipcs_habits)
{
	static char out[OUT_MAX];
	__s32 key = test_key(50), mkey = test_key(51);
	struct ipclab_stat st;
	struct ls_line l;
	__u32 id, mid;

	id = NEW_OBJ(IPCLAB_TYPE_SEM, key, IPCLAB_CREAT, 1, 0);
	mid = NEW_OBJ(IPCLAB_TYPE_SHBUF, mkey, IPCLAB_CREAT, 0, 4096);

	ASSERT_EQ(0, run_cmd(out, sizeof(out), "ipclab ls"));
	EXPECT_IN(out, "0x%08x", (unsigned int)key);
	ASSERT_TRUE(ls_find(out, id, &l));
	EXPECT_EQ(key, l.key);
	ASSERT_EQ(0, run_cmd(out, sizeof(out), "ipclab ls -s"));
	EXPECT_TRUE(ls_find(out, id, &l));
	EXPECT_FALSE(ls_find(out, mid, &l));
	ASSERT_EQ(0, run_cmd(out, sizeof(out), "ipclab ls -m"));
	EXPECT_TRUE(ls_find(out, mid, &l));
	EXPECT_FALSE(ls_find(out, id, &l));
	ASSERT_EQ(0, run_cmd(out, sizeof(out), "ipclab ls -t shm"));
	EXPECT_TRUE(ls_find(out, mid, &l));
	ASSERT_EQ(0, run_cmd(out, sizeof(out), "ipclab ls -t msg"));
	EXPECT_FALSE(ls_find(out, mid, &l));

	/* A key where an id belongs: no such object, and which one it is. */
	EXPECT_EQ(1, run_cmd(out, sizeof(out), "ipclab show %d 2>&1", key));
	EXPECT_IN(out, "no such object");
	EXPECT_IN(out, "key %d is sem ID %u: did you mean -k %d?", key, id, key);
	EXPECT_EQ(1, run_cmd(out, sizeof(out), "ipclab rm %d 2>&1", key));
	EXPECT_IN(out, "did you mean -k");
	EXPECT_OK(ipclab_stat(self->fd, id, &st));

	/* A fresh set's show has no "never" in it. */
	ASSERT_EQ(0, run_cmd(out, sizeof(out), "ipclab show %u", id));
	EXPECT_EQ(NULL, strstr(out, "never")) TH_LOG("%s", out);
	EXPECT_IN(out, "key 0x%08x", (unsigned int)key);

	/* Usage without arguments: one line and a hint, exit 2. */
	EXPECT_EQ(2, run_cmd(out, sizeof(out), "ipclab show 2>&1"));
	EXPECT_IN(out, "try 'ipclab show -h'");
	EXPECT_EQ(NULL, strchr(strchr(out, '\n') + 1, '\n') ?
		  strchr(strchr(strchr(out, '\n') + 1, '\n') + 1, '\n') : NULL)
		TH_LOG("more than two lines: %s", out);
	EXPECT_EQ(2, run_cmd(out, sizeof(out), "ipclab rm 2>&1"));
	EXPECT_IN(out, "try 'ipclab rm -h'");

	/* ipcrm's letters: -m ID, -S KEY in hex, -s of the wrong type refused. */
	EXPECT_NE(0, run_cmd(out, sizeof(out), "ipclab rm -s %u 2>&1", mid));
	EXPECT_OK(ipclab_stat(self->fd, mid, &st));
	EXPECT_EQ(0, run_cmd(out, sizeof(out), "ipclab rm -m %u 2>&1", mid)) TH_LOG("%s", out);
	EXPECT_EQ(-1, ipclab_stat(self->fd, mid, &st));
	EXPECT_EQ(0, run_cmd(out, sizeof(out), "ipclab rm -S 0x%x 2>&1", (unsigned int)key))
		TH_LOG("%s", out);
	EXPECT_EQ(-1, ipclab_stat(self->fd, id, &st));
}

/*
 * util-linux's ipcs and ipcrm are there to compare with (in the lab VM
 * too): a SysV set they list, and remove, beside ipclab's objects.
 */
TEST_F(cli, ipcs_ipcrm_beside)
{
	static char out[OUT_MAX];
	int semid;

	if (run_cmd(out, sizeof(out), "ipcs -V 2>&1") != 0 || !strstr(out, "util-linux"))
		SKIP(return, "no util-linux ipcs here: %.80s", out);
	semid = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
	ASSERT_LE(0, semid) TH_LOG("semget: %s", strerror(errno));
	ASSERT_EQ(0, run_cmd(out, sizeof(out), "ipcs -s"));
	EXPECT_IN(out, "Semaphore Arrays");
	EXPECT_IN(out, " %d ", semid);
	EXPECT_EQ(0, run_cmd(out, sizeof(out), "ipcrm -s %d 2>&1", semid)) TH_LOG("%s", out);
	EXPECT_EQ(-1, semctl(semid, 0, IPC_STAT, NULL));
}

/* rm -a removes what the caller may remove, keeps the rest and says so. */
TEST_F(cli, rm_all_nobody)
{
	struct ipclab_stat st;
	__u32 root_id, own;
	pid_t kid;
	int pipefd[2];

	if (geteuid() != 0)
		SKIP(return, "needs root to become nobody");
	root_id = NEW_OBJ(IPCLAB_TYPE_SEM, IPCLAB_KEY_PRIVATE, IPCLAB_CREAT, 1, 0);
	ASSERT_OK(ipclab_set(self->fd, root_id, 0, 0, 0666));
	ASSERT_EQ(0, pipe(pipefd));
	kid = kids_fork(&self->cl);
	ASSERT_LE(0, kid);
	if (kid == 0) {
		static char out[OUT_MAX];
		__u32 mine;
		int cfd, st2;

		if (drop_to_nobody())
			_exit(CHILD_BROKEN);
		cfd = open(IPCLAB_DEVICE, O_RDWR | O_CLOEXEC);
		if (cfd < 0 || ipclab_get(cfd, IPCLAB_TYPE_MUTEX, IPCLAB_KEY_PRIVATE,
					  IPCLAB_CREAT, 0600, 0, &mine))
			_exit(CHILD_BROKEN);
		if (write(pipefd[1], &mine, sizeof(mine)) != sizeof(mine))
			_exit(CHILD_BROKEN);
		st2 = run_cmd(out, sizeof(out), "ipclab rm -a 2>&1");
		snprintf(out + strlen(out), 64, "|");
		if (st2 != 0 || !strstr(out, "removed mutex") || !strstr(out, "kept") ||
		    !strstr(out, "(EPERM)")) {
			fprintf(stderr, "# nobody's rm -a: exit %d, \"%s\"\n", st2, out);
			_exit(CHILD_CHECK_FAILED);
		}
		_exit(0);
	}
	ASSERT_EQ(sizeof(own), read(pipefd[0], &own, sizeof(own)));
	EXPECT_KID(0, kid, IPCLAB_SETTLE_MS);
	EXPECT_OK(ipclab_stat(self->fd, root_id, &st));
	EXPECT_EQ(-1, ipclab_stat(self->fd, own, &st));
	EXPECT_EQ(EINVAL, errno);
	close(pipefd[0]);
	close(pipefd[1]);
}

TEST_HARNESS_MAIN
