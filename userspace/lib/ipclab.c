// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libipclab: see ipclab.h.  Each function fills one uapi structure and
 * makes one ioctl.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ipclab.h"

#ifndef IPCLAB_VERSION
#error "IPCLAB_VERSION is not defined: userspace/Makefile reads it from ../VERSION"
#endif

static atomic_int session = -1;

const char *ipclab_version(void)
{
	return IPCLAB_VERSION;
}

/*
 * The structures this library and its program were built with are the
 * uapi header's of IPCLAB_ABI_MAJOR: a module of another major would read
 * them wrongly.  Checked once, when the session opens; a mismatch is said
 * on stderr (a program cannot be expected to explain it) and fails the
 * call with EPROTO.
 */
static int check_abi(int fd)
{
	struct ipclab_version v = { 0 };

	if (ioctl(fd, IPCLAB_IOC_VERSION, &v)) {
		fprintf(stderr, "libipclab: /dev/ipclab does not say its ABI version (%s): "
			"load the ipclab module of this release (ABI %d.%d)\n",
			strerror(errno), IPCLAB_ABI_MAJOR, IPCLAB_ABI_MINOR);
		return -1;
	}
	if (v.major != IPCLAB_ABI_MAJOR || (int)v.minor < IPCLAB_ABI_MINOR) {
		fprintf(stderr, "libipclab: the loaded ipclab module speaks ABI %u.%u, "
			"this program was built for %d.%d: load the matching module "
			"or rebuild the program\n",
			v.major, v.minor, IPCLAB_ABI_MAJOR, IPCLAB_ABI_MINOR);
		return -1;
	}
	return 0;
}

int ipclab_fd(void)
{
	int fd = atomic_load(&session), expected = -1;

	if (fd >= 0)
		return fd;
	/*
	 * No O_CLOEXEC: the session must outlive exec() as SysV undo values
	 * do, and it is what tells ipclab this process is still alive.
	 */
	fd = open("/dev/ipclab", O_RDWR);
	if (fd < 0)
		return -1;
	if (check_abi(fd)) {
		close(fd);
		errno = EPROTO;
		return -1;
	}
	if (!atomic_compare_exchange_strong(&session, &expected, fd)) {
		close(fd);		/* another thread was quicker */
		fd = expected;
	}
	return fd;
}

static int lab_ioctl(unsigned long cmd, void *arg)
{
	int fd = ipclab_fd();

	if (fd < 0)
		return -1;
	return ioctl(fd, cmd, arg);
}

int ipclab_get(struct ipclab_get *g)
{
	if (lab_ioctl(IPCLAB_IOC_GET, g))
		return -1;
	return (int)g->id;
}

static int get_obj(struct ipclab_get *g, int type, int key, int flags, int mode)
{
	g->type = type;
	g->key = key;
	g->flags = flags;
	g->mode = mode;
	return ipclab_get(g);
}

int ipclab_sem_get(int key, unsigned int nsems, int flags, int mode)
{
	struct ipclab_get g = { .sem.nsems = nsems };

	return get_obj(&g, IPCLAB_TYPE_SEM, key, flags, mode);
}

int ipclab_mutex_get(int key, int flags, int mode)
{
	struct ipclab_get g = { 0 };

	return get_obj(&g, IPCLAB_TYPE_MUTEX, key, flags, mode);
}

int ipclab_mbox_get(int key, unsigned int max_msgs, unsigned int max_msgsz,
		    int flags, int mode)
{
	struct ipclab_get g = {
		.mbox.max_msgs = max_msgs,
		.mbox.max_msgsz = max_msgsz,
	};

	return get_obj(&g, IPCLAB_TYPE_MBOX, key, flags, mode);
}

int ipclab_shbuf_get(int key, size_t size, int flags, int mode)
{
	struct ipclab_get g = { .shbuf.size = size };

	return get_obj(&g, IPCLAB_TYPE_SHBUF, key, flags, mode);
}

int ipclab_remove(int id)
{
	struct ipclab_id arg = { .id = id };

	return lab_ioctl(IPCLAB_IOC_RMID, &arg);
}

int ipclab_set(int id, uid_t uid, gid_t gid, int mode)
{
	struct ipclab_set arg = { .id = id, .uid = uid, .gid = gid, .mode = mode };

	return lab_ioctl(IPCLAB_IOC_SET, &arg);
}

int ipclab_stat(struct ipclab_stat *st)
{
	return lab_ioctl(IPCLAB_IOC_STAT, st);
}

int ipclab_info(struct ipclab_info *info)
{
	memset(info, 0, sizeof(*info));
	return lab_ioctl(IPCLAB_IOC_INFO, info);
}

int ipclab_snapshot(struct ipclab_snapshot *snap)
{
	return lab_ioctl(IPCLAB_IOC_SNAPSHOT, snap);
}

int ipclab_last_cycle(struct ipclab_cycle_entry *entries, unsigned int len)
{
	struct ipclab_cycle c = {
		.len = len,
		.entries = (uintptr_t)entries,
	};

	if (lab_ioctl(IPCLAB_IOC_CYCLE, &c))
		return -1;
	return c.len;
}

int ipclab_semop(int id, struct ipclab_sembuf *ops, unsigned int nops,
		 unsigned int flags, uint64_t timeout_ns)
{
	struct ipclab_semop arg = {
		.id = id, .nops = nops, .ops = (uintptr_t)ops,
		.flags = flags, .timeout = timeout_ns,
	};

	return lab_ioctl(IPCLAB_IOC_SEM_OP, &arg);
}

static int sem_one(int id, unsigned int num, int op)
{
	struct ipclab_sembuf b = { .num = num, .op = op };

	return ipclab_semop(id, &b, 1, 0, 0);
}

int ipclab_P(int id, unsigned int num)
{
	return sem_one(id, num, -1);
}

int ipclab_V(int id, unsigned int num)
{
	return sem_one(id, num, 1);
}

int ipclab_semctl(struct ipclab_semctl *c)
{
	return lab_ioctl(IPCLAB_IOC_SEM_CTL, c);
}

int ipclab_sem_getval(int id, unsigned int num)
{
	struct ipclab_semctl c = { .id = id, .cmd = IPCLAB_SEMCTL_GETVAL, .num = num };

	return ipclab_semctl(&c) ? -1 : c.val;
}

int ipclab_sem_setval(int id, unsigned int num, int value)
{
	struct ipclab_semctl c = {
		.id = id, .cmd = IPCLAB_SEMCTL_SETVAL, .num = num, .val = value,
	};

	return ipclab_semctl(&c);
}

static int lock(int id, unsigned int flags, uint64_t timeout)
{
	struct ipclab_lock arg = { .id = id, .flags = flags, .timeout = timeout };

	return lab_ioctl(IPCLAB_IOC_MUTEX_LOCK, &arg);
}

int ipclab_lock(int id)
{
	return lock(id, 0, 0);
}

int ipclab_trylock(int id)
{
	return lock(id, IPCLAB_WAIT_NOWAIT, 0);
}

int ipclab_timedlock(int id, uint64_t timeout_ns)
{
	return lock(id, IPCLAB_WAIT_TIMEOUT, timeout_ns);
}

int ipclab_unlock(int id)
{
	struct ipclab_id arg = { .id = id };

	return lab_ioctl(IPCLAB_IOC_MUTEX_UNLOCK, &arg);
}

int ipclab_consistent(int id)
{
	struct ipclab_id arg = { .id = id };

	return lab_ioctl(IPCLAB_IOC_MUTEX_CONSISTENT, &arg);
}

int ipclab_send(int id, long type, const void *text, size_t size,
		unsigned int flags)
{
	struct ipclab_msgsnd arg = {
		.id = id, .flags = flags, .type = type,
		.text = (uintptr_t)text, .size = size,
	};

	return lab_ioctl(IPCLAB_IOC_MBOX_SEND, &arg);
}

ssize_t ipclab_receive(int id, long *type, void *buf, size_t size,
		       unsigned int flags)
{
	struct ipclab_msgrcv arg = {
		.id = id, .flags = flags, .type = type ? *type : 0,
		.text = (uintptr_t)buf, .size = size,
	};

	if (lab_ioctl(IPCLAB_IOC_MBOX_RECV, &arg))
		return -1;
	if (type)
		*type = arg.type;
	return (ssize_t)arg.size;
}

int ipclab_shbuf_lock(int id, int lock)
{
	struct ipclab_shbufctl arg = {
		.id = id,
		.cmd = lock ? IPCLAB_SHBUF_CTL_LOCK : IPCLAB_SHBUF_CTL_UNLOCK,
	};

	return lab_ioctl(IPCLAB_IOC_SHBUF_CTL, &arg);
}

/*
 * Notes for "ipclab trace": written to the trace_marker that
 * IPCLAB_TRACE_MARKER names, opened on first use; -1: not tracing.
 */
static int note_fd = -2;

void ipclab_note(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int saved = errno, n;

	if (note_fd == -2) {
		const char *path = getenv("IPCLAB_TRACE_MARKER");

		note_fd = path && *path ? open(path, O_WRONLY | O_CLOEXEC) : -1;
	}
	if (note_fd >= 0) {
		n = snprintf(buf, sizeof(buf), "ipclab: ");
		va_start(ap, fmt);
		vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
		va_end(ap);
		if (write(note_fd, buf, strlen(buf)) < 0)
			note_fd = -1;
	}
	errno = saved;
}

/*
 * Stepping.  The board is a mailbox: a process at a point sends "NAME"
 * with its pid as the type, then waits for a message of type
 * IPCLAB_STEP_RELEASE + pid, which "ipclab step" sends after taking the
 * arrival.  -1: stepping is off for this process (no IPCLAB_STEP, or the
 * board is gone); -2: not looked yet.
 */
static int step_board = -2;

static int step_open(void)
{
	const char *key = getenv("IPCLAB_STEP");
	char *end;
	long k;

	if (!key || !*key)
		return -1;
	k = strtol(key, &end, 0);
	if (*end || k == IPCLAB_KEY_PRIVATE) {
		fprintf(stderr, "libipclab: IPCLAB_STEP=%s is no key: stepping off\n", key);
		return -1;
	}
	return ipclab_mbox_get((int)k, 0, 0, 0, 0);
}

int ipclab_point(const char *name)
{
	int saved = errno, board = step_board;
	long type;
	char c;

	if (board == -2)
		board = step_board = step_open();
	if (board < 0)
		goto out;
	ipclab_note("at point \"%s\"", name);
	if (ipclab_send(board, getpid(), name, strlen(name), 0))
		goto off;
	for (;;) {
		type = IPCLAB_STEP_RELEASE + getpid();
		if (ipclab_receive(board, &type, &c, sizeof(c), IPCLAB_MSG_NOERROR) >= 0)
			goto out;
		if (errno != EINTR)
			break;
	}
off:
	/* The board was removed, or never fit: run free from now on. */
	step_board = -1;
out:
	errno = saved;
	return 0;
}

int ipclab_name(int id, const char *name)
{
	struct ipclab_name arg = { .id = id, .flags = IPCLAB_NAME_SET };

	if (strlen(name) >= sizeof(arg.name)) {
		errno = EINVAL;
		return -1;
	}
	strcpy(arg.name, name);
	return lab_ioctl(IPCLAB_IOC_NAME, &arg);
}

int ipclab_get_name(int id, char *buf, size_t size)
{
	struct ipclab_name arg = { .id = id };

	if (lab_ioctl(IPCLAB_IOC_NAME, &arg))
		return -1;
	snprintf(buf, size, "%.*s", (int)sizeof(arg.name), arg.name);
	return 0;
}

char *ipclab_member_name(const char *name, unsigned int num, char *buf,
			 size_t size)
{
	const char *end;

	for (; num; num--) {
		name = strchr(name, ',');
		if (!name)
			return NULL;
		name++;
	}
	end = strchrnul(name, ',');
	if (end == name || !size)
		return NULL;
	snprintf(buf, size, "%.*s", (int)(end - name), name);
	return buf;
}

int ipclab_open(int id, unsigned int flags)
{
	struct ipclab_open arg = { .id = id, .flags = flags };

	if (lab_ioctl(IPCLAB_IOC_OPEN, &arg))
		return -1;
	return arg.fd;
}

void *ipclab_attach(int id, int readonly, size_t *size)
{
	struct ipclab_stat st = { .id = id };
	int prot = PROT_READ | (readonly ? 0 : PROT_WRITE);
	void *addr;
	int fd;

	if (ipclab_stat(&st))
		return NULL;
	if (st.type != IPCLAB_TYPE_SHBUF) {
		errno = EINVAL;
		return NULL;
	}
	fd = ipclab_open(id, IPCLAB_OPEN_READ | IPCLAB_OPEN_CLOEXEC |
			 (readonly ? 0 : IPCLAB_OPEN_WRITE));
	if (fd < 0)
		return NULL;
	/* The mapping keeps what it needs; the fd can go. */
	addr = mmap(NULL, st.shbuf.size, prot, MAP_SHARED, fd, 0);
	close(fd);
	if (addr == MAP_FAILED)
		return NULL;
	if (size)
		*size = st.shbuf.size;
	return addr;
}

int ipclab_detach(void *addr, size_t size)
{
	return munmap(addr, size);
}

const char *ipclab_errname(int err)
{
	static const struct {
		int err;
		const char *name;
	} names[] = {
		{ EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { EINTR, "EINTR" },
		{ E2BIG, "E2BIG" }, { EBADF, "EBADF" }, { EAGAIN, "EAGAIN" },
		{ ENOMEM, "ENOMEM" }, { EACCES, "EACCES" }, { EFAULT, "EFAULT" },
		{ EBUSY, "EBUSY" }, { EEXIST, "EEXIST" }, { EINVAL, "EINVAL" },
		{ ENFILE, "ENFILE" }, { EMFILE, "EMFILE" }, { ENOTTY, "ENOTTY" },
		{ EFBIG, "EFBIG" }, { ENOSPC, "ENOSPC" }, { ERANGE, "ERANGE" },
		{ EDEADLK, "EDEADLK" }, { ENOMSG, "ENOMSG" }, { EIDRM, "EIDRM" },
		{ EPROTO, "EPROTO" }, { ETIMEDOUT, "ETIMEDOUT" },
		{ EOVERFLOW, "EOVERFLOW" }, { ENOSYS, "ENOSYS" },
		{ EOWNERDEAD, "EOWNERDEAD" },
		{ ENOTRECOVERABLE, "ENOTRECOVERABLE" },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].err == err)
			return names[i].name;
	return "E?";
}
