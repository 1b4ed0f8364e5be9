// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libipclab-sysv: the System V IPC calls, with their exact signatures and
 * semantics, running on ipclab instead of the kernel's own SysV IPC.
 *
 *   LD_PRELOAD=libipclab-sysv.so ./prog      an unmodified dynamic program
 *   cc prog.c -lipclab-sysv -static          linked ahead of libc
 *
 * Each call maps onto ipclab commands; the translation is the whole of
 * this file, and every semctl/msgctl/shmctl command is answered from the
 * module's state (the *_INFO limits and usage, the *_STAT listings by
 * index), never from a guess of the library's.  Where ipclab and Linux
 * differ, the SysV answer is given:
 * semtimedop() times out with EAGAIN, msgrcv(IPC_NOWAIT) finds nothing
 * with ENOMSG, semctl() on a bad semaphore index is EINVAL, a set is
 * served as Linux serves it (no FIFO handoff, unless IPCLAB_SYSV_FIFO=1
 * asks for ipclab's), and a bad pointer is EFAULT, never a SIGSEGV in
 * here.  What stays different on purpose (the mailbox message-count
 * limit, ...) is listed in docs/sysv.md.
 */
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "ipclab.h"

/* The caller defines union semun, as semctl(2) says; so do we. */
union ipclab_semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
	struct seminfo *__buf;
};

static int fail(int err)
{
	errno = err;
	return -1;
}

/*
 * The session, which every call needs first.  Without /dev/ipclab (the
 * module is not loaded) a program gets ENOSYS, as from a kernel built
 * without SysV IPC: ENOENT would say that no object has the key, and a
 * program would go on to create it.  Its own message names only the
 * errno, so stderr gets the reason, once per process.
 */
static int device(void)
{
	static atomic_flag said = ATOMIC_FLAG_INIT;
	int fd = ipclab_fd();

	if (fd >= 0 || errno != ENOENT)
		return fd;
	if (!atomic_flag_test_and_set(&said))
		fputs("ipclab: /dev/ipclab is missing: is the ipclab module loaded?\n",
		      stderr);
	errno = ENOSYS;
	return -1;
}

/*
 * Without process_vm_readv() (a kernel built without
 * CROSS_MEMORY_ATTACH, a seccomp filter), a pipe does the same: write()
 * reads the source and read() writes the destination, each with EFAULT
 * for a bad address.  A page at a time, which a pipe always has room for.
 */
static int pipe_copy(void *to, const void *from, size_t n)
{
	size_t done = 0;
	int p[2], saved;
	ssize_t w, r;

	if (pipe2(p, O_CLOEXEC))
		return -1;
	while (done < n) {
		w = write(p[1], (const void *)((uintptr_t)from + done),
			  n - done < 4096 ? n - done : 4096);
		if (w <= 0)
			break;
		r = read(p[0], (void *)((uintptr_t)to + done), w);
		if (r != w)
			break;
		done += w;
	}
	saved = errno;
	close(p[0]);
	close(p[1]);
	errno = saved;
	return done == n ? 0 : fail(EFAULT);
}

/*
 * The caller's memory, read or written through the kernel: a system call
 * answers a bad address with EFAULT, where the library's own access
 * would be a SIGSEGV.
 */
static int user_copy(void *local, void *user, size_t n, int out)
{
	static atomic_int no_vm_copy;
	struct iovec l = { .iov_base = local, .iov_len = n };
	struct iovec u = { .iov_base = user, .iov_len = n };
	ssize_t done;

	if (!n)
		return 0;
	if (!atomic_load_explicit(&no_vm_copy, memory_order_relaxed)) {
		done = out ? process_vm_writev(getpid(), &l, 1, &u, 1, 0) :
			     process_vm_readv(getpid(), &l, 1, &u, 1, 0);
		if (done == (ssize_t)n)
			return 0;
		if (done >= 0 || (errno != ENOSYS && errno != EPERM))
			return fail(EFAULT);
		atomic_store_explicit(&no_vm_copy, 1, memory_order_relaxed);
	}
	return out ? pipe_copy(user, local, n) : pipe_copy(local, user, n);
}

/* Copy n bytes from the caller's from into our to: 0, or -1 with EFAULT. */
static int copy_in(void *to, const void *from, size_t n)
{
	return user_copy(to, (void *)from, n, 0);
}

/* Copy n bytes from our from to the caller's to: 0, or -1 with EFAULT. */
static int copy_out(void *to, const void *from, size_t n)
{
	return user_copy((void *)from, to, n, 1);
}

/* Can n bytes at the caller's p be read?  0, or -1 with EFAULT. */
static int readable(const void *p, size_t n)
{
	char buf[512];
	size_t done, step;

	for (done = 0; done < n; done += step) {
		step = n - done < sizeof(buf) ? n - done : sizeof(buf);
		if (copy_in(buf, (const void *)((uintptr_t)p + done), step))
			return -1;
	}
	return 0;
}

/* semget(2) and friends pass "IPC_CREAT | IPC_EXCL | mode" in one int. */
static int get_flags(int flg)
{
	return (flg & IPC_CREAT ? IPCLAB_CREAT : 0) |
	       (flg & IPC_EXCL ? IPCLAB_EXCL : 0);
}

/* Fill a struct ipc_perm from ipclab's; stat->perm must be valid. */
static void fill_perm(struct ipc_perm *p, const struct ipclab_stat *st)
{
	memset(p, 0, sizeof(*p));
	p->__key = st->perm.key;
	p->uid = st->perm.uid;
	p->gid = st->perm.gid;
	p->cuid = st->perm.cuid;
	p->cgid = st->perm.cgid;
	p->mode = st->perm.mode;
	p->__seq = st->perm.id / IPCLAB_ID_SLOTS;
}

/*
 * The object @id, which must be of @type.  With IPCLAB_STAT_INDEX, @id
 * is an index and st->perm.id the id found there; with IPCLAB_STAT_ANY,
 * no read permission is needed.
 */
static int stat_flags(int id, int type, unsigned int flags,
		      struct ipclab_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->id = id;
	st->flags = flags;
	if (ipclab_stat(st))
		return -1;
	if ((int)st->type != type) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

static int stat_type(int id, int type, struct ipclab_stat *st)
{
	return stat_flags(id, type, 0, st);
}

/*
 * *_STAT and *_STAT_ANY take an index, as ipcs walks them from 0 to
 * what *_INFO returned; as Linux's ipcid_to_idx(), an id works too,
 * for its index.  Read permission is checked unless *_STAT_ANY.
 */
static int stat_index(int idx, int type, int any, struct ipclab_stat *st)
{
	return stat_flags(idx % IPCLAB_ID_SLOTS, type, IPCLAB_STAT_INDEX |
			  (any ? IPCLAB_STAT_ANY : 0), st);
}

/*
 * What *_INFO return: the highest index in use by an object of @type
 * (0 if none), as Linux's ipc_get_maxidx().  IPCLAB_IOC_LIST gives the
 * ids in index order, so the last one has it.
 */
static int max_index(int type)
{
	struct ipclab_list l = { .type = type };
	int fd = ipclab_fd(), ret = -1;
	__u32 *ids = NULL;

	if (fd < 0 || ioctl(fd, IPCLAB_IOC_LIST, &l))
		return -1;
	/* Objects may be created meanwhile: room for some more. */
	while (l.len) {
		__u32 cap = l.len + 64;

		free(ids);
		ids = calloc(cap, sizeof(*ids));
		if (!ids)
			return -1;
		l.len = cap;
		l.ids = (uintptr_t)ids;
		if (ioctl(fd, IPCLAB_IOC_LIST, &l))
			goto out;
		if (l.len <= cap)
			break;
	}
	ret = l.len ? (int)(ids[l.len - 1] % IPCLAB_ID_SLOTS) : 0;
out:
	free(ids);
	return ret;
}

/* How many objects of one type one program can have: Linux's *MNI. */
/* A module limit in an int field of a SysV structure. */
static int clamp_int(uint64_t v)
{
	return v > INT_MAX ? INT_MAX : (int)v;
}

static int max_objects(const struct ipclab_limits *l)
{
	return clamp_int(l->max_objects < l->max_objects_per_user ?
			 l->max_objects : l->max_objects_per_user);
}

/*
 * Is @id an object of @type?  For IPC_RMID and IPC_SET, which SysV allows
 * to the owner without read permission.  STAT, which costs the same
 * however many objects exist, answers when the caller may read the
 * object; else IPCLAB_IOC_LIST, which needs no permission but walks
 * every object.
 */
static int check_type(int id, int type)
{
	struct ipclab_list l = { .type = type };
	__u32 fast[64], *ids = fast, cap = sizeof(fast) / sizeof(fast[0]);
	int fd = ipclab_fd(), ret = -1;
	struct ipclab_stat st;
	__u32 i;

	if (!stat_type(id, type, &st))
		return 0;
	if (errno != EACCES)
		return -1;
	if (fd < 0)
		return -1;
	l.len = cap;
	l.ids = (uintptr_t)ids;
	if (ioctl(fd, IPCLAB_IOC_LIST, &l))
		return -1;
	if (l.len > cap) {
		cap = l.len + 16;
		ids = calloc(cap, sizeof(*ids));
		if (!ids)
			return -1;
		l.len = cap;
		l.ids = (uintptr_t)ids;
		if (ioctl(fd, IPCLAB_IOC_LIST, &l))
			goto out;
	}
	errno = EINVAL;
	/* LIST says how many there are: more than fit, if some were made since. */
	for (i = 0; i < l.len && i < cap; i++)
		if ((int)ids[i] == id)
			ret = 0;
out:
	if (ids != fast) {
		int saved = errno;

		free(ids);
		errno = saved;
	}
	return ret;
}

/* IPC_SET: only uid, gid and the permission bits change, as in SysV. */
static int set_perm(int id, const struct ipc_perm *p)
{
	return ipclab_set(id, p->uid, p->gid, p->mode & 0777);
}

/* ---- semaphores ---------------------------------------------------- */

/*
 * Linux serves a set's waiters in no order: whatever fits goes, so a
 * request that fits is not held up behind one that waits (a course's
 * deadlock-free example stays deadlock-free).  ipclab's FIFO handoff is
 * for the program, or the environment, that asks: IPCLAB_SYSV_FIFO=1
 * when the set is created.
 */
static int sysv_fifo(void)
{
	const char *v = getenv("IPCLAB_SYSV_FIFO");

	return v && !strcmp(v, "1");
}

int semget(key_t key, int nsems, int semflg)
{
	int flags = get_flags(semflg);

	if (device() < 0)
		return -1;

	if (nsems < 0)
		return fail(EINVAL);
	/* IPC_PRIVATE always creates; a creation says how the set serves. */
	if ((key == IPC_PRIVATE || (semflg & IPC_CREAT)) && !sysv_fifo())
		flags |= IPCLAB_CREAT | IPCLAB_NOFIFO;
	return ipclab_sem_get(key, nsems, flags, semflg & 0777);
}

/*
 * The caller's sops go to the kernel as they are (IPCLAB_SEMOP_SYSV): a
 * bad array is the kernel's EFAULT, and a good one costs no copy here.
 * The checks come in Linux's order: the timeout is read first, then
 * the count, the operations, and the timeout's value.
 */
int semtimedop(int semid, struct sembuf *sops, size_t nsops,
	       const struct timespec *timeout)
{
	struct ipclab_semop arg = {
		.id = semid, .nops = nsops, .ops = (uintptr_t)sops,
		.flags = IPCLAB_SEMOP_SYSV,
	};
	struct timespec ts;
	int fd, ret;

	if (device() < 0)
		return -1;

	if (timeout && copy_in(&ts, timeout, sizeof(ts)))
		return -1;
	if (nsops > 0xffff)
		return fail(E2BIG);
	if (timeout) {
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000L) {
			/* Linux copies the operations before it looks at it. */
			if (nsops && readable(sops, nsops * sizeof(*sops)))
				return -1;
			return fail(EINVAL);
		}
		arg.flags |= IPCLAB_WAIT_TIMEOUT;
		arg.timeout = (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	}
	fd = ipclab_fd();
	if (fd < 0)
		return -1;
	ret = ioctl(fd, IPCLAB_IOC_SEM_OP, &arg);
	if (ret && errno == ETIMEDOUT)
		errno = EAGAIN;		/* semtimedop(2) says so */
	return ret;
}

int semop(int semid, struct sembuf *sops, size_t nsops)
{
	return semtimedop(semid, sops, nsops, NULL);
}

/* IPC_STAT, or SEM_STAT/SEM_STAT_ANY by index (which return the id). */
static int sem_stat(int semid, int cmd, struct semid_ds *buf)
{
	struct ipclab_stat st;
	struct semid_ds ds;

	if (cmd == IPC_STAT ? stat_type(semid, IPCLAB_TYPE_SEM, &st) :
	    stat_index(semid, IPCLAB_TYPE_SEM, cmd == SEM_STAT_ANY, &st))
		return -1;
	memset(&ds, 0, sizeof(ds));
	fill_perm(&ds.sem_perm, &st);
	ds.sem_otime = st.perm.otime;
	ds.sem_ctime = st.perm.ctime;
	ds.sem_nsems = st.sem.nsems;
	if (copy_out(buf, &ds, sizeof(ds)))
		return -1;
	return cmd == IPC_STAT ? 0 : (int)st.perm.id;
}

/*
 * IPC_INFO and SEM_INFO, from the module's limits and usage as
 * semctl_info() fills them from the namespace's: SEM_INFO puts the sets
 * and semaphores in use where IPC_INFO has SEMUSZ and SEMAEM.  The
 * fields Linux fills with constants derived from SEMMNS get ipclab's
 * max_sems_total.
 */
static int sem_info(int cmd, struct seminfo *buf)
{
	struct ipclab_info info;
	struct seminfo si;
	int max;

	if (ipclab_info(&info))
		return -1;
	max = max_index(IPCLAB_TYPE_SEM);
	if (max < 0)
		return -1;
	memset(&si, 0, sizeof(si));
	si.semmni = max_objects(&info.limits);
	si.semmsl = clamp_int(info.limits.max_sems);
	si.semmns = clamp_int(info.limits.max_sems_total);
	si.semmnu = si.semmns;
	si.semmap = si.semmns;
	si.semopm = clamp_int(info.limits.max_ops);
	si.semume = si.semopm;
	si.semvmx = clamp_int(info.limits.sem_max);
	if (cmd == SEM_INFO) {
		si.semusz = clamp_int(info.total.sem_sets);
		si.semaem = clamp_int(info.total.sems);
	} else {
		si.semusz = 20;			/* SEMUSZ */
		si.semaem = si.semvmx;		/* SEMAEM */
	}
	return copy_out(buf, &si, sizeof(si)) ?: max;
}

/*
 * GETALL/SETALL: SysV's unsigned short array against ipclab's __s32.
 * The caller's array is read after the set is found and written after
 * the values are read, as Linux does.
 */
static int sem_all(int semid, int cmd, unsigned short *array)
{
	struct ipclab_semctl c = { .id = semid };
	struct ipclab_stat st;
	unsigned short *sv;
	__s32 *vals;
	int i, ret;

	if (stat_type(semid, IPCLAB_TYPE_SEM, &st))
		return -1;
	vals = calloc(st.sem.nsems, sizeof(*vals) + sizeof(*sv));
	if (!vals)
		return -1;
	sv = (unsigned short *)(vals + st.sem.nsems);
	c.values = (uintptr_t)vals;
	c.nvalues = st.sem.nsems;
	if (cmd == SETALL) {
		ret = copy_in(sv, array, st.sem.nsems * sizeof(*sv));
		for (i = 0; !ret && i < (int)st.sem.nsems; i++)
			vals[i] = sv[i];
		c.cmd = IPCLAB_SEMCTL_SETALL;
		ret = ret ?: ipclab_semctl(&c);
	} else {
		c.cmd = IPCLAB_SEMCTL_GETALL;
		ret = ipclab_semctl(&c);
		for (i = 0; !ret && i < (int)st.sem.nsems; i++)
			sv[i] = vals[i];
		ret = ret ?: copy_out(array, sv, st.sem.nsems * sizeof(*sv));
	}
	i = errno;
	free(vals);
	errno = i;
	return ret;
}

static int sem_one(int semid, int semnum, int cmd, int val)
{
	static const int cmds[] = {
		[GETVAL] = IPCLAB_SEMCTL_GETVAL, [SETVAL] = IPCLAB_SEMCTL_SETVAL,
		[GETNCNT] = IPCLAB_SEMCTL_GETNCNT, [GETZCNT] = IPCLAB_SEMCTL_GETZCNT,
		[GETPID] = IPCLAB_SEMCTL_GETPID,
	};
	struct ipclab_semctl c = {
		.id = semid, .cmd = cmds[cmd], .num = semnum, .val = val,
	};

	if (semnum < 0)
		return fail(EINVAL);
	if (ipclab_semctl(&c)) {
		if (errno == EFBIG)
			errno = EINVAL;	/* semctl(2) on a bad index */
		return -1;
	}
	return cmd == SETVAL ? 0 : c.val;
}

int semctl(int semid, int semnum, int cmd, ...)
{
	union ipclab_semun arg = { 0 };
	struct semid_ds ds;
	va_list ap;

	if (device() < 0)
		return -1;

	va_start(ap, cmd);
	switch (cmd) {
	case IPC_STAT:
	case IPC_SET:
	case IPC_INFO:
	case SEM_INFO:
	case SEM_STAT:
	case SEM_STAT_ANY:
	case GETALL:
	case SETALL:
	case SETVAL:
		arg = va_arg(ap, union ipclab_semun);
		break;
	}
	va_end(ap);

	if (semid < 0)
		return fail(EINVAL);
	switch (cmd) {
	case IPC_RMID:
		return check_type(semid, IPCLAB_TYPE_SEM) ?: ipclab_remove(semid);
	case IPC_STAT:
	case SEM_STAT:
	case SEM_STAT_ANY:
		return sem_stat(semid, cmd, arg.buf);
	case IPC_INFO:
	case SEM_INFO:
		return sem_info(cmd, arg.__buf);
	case IPC_SET:
		/* Linux reads the buffer before it looks for the set. */
		if (copy_in(&ds, arg.buf, sizeof(ds)))
			return -1;
		return check_type(semid, IPCLAB_TYPE_SEM) ?:
		       set_perm(semid, &ds.sem_perm);
	case GETALL:
	case SETALL:
		return sem_all(semid, cmd, arg.array);
	case GETVAL:
	case GETNCNT:
	case GETZCNT:
	case GETPID:
	case SETVAL:
		return sem_one(semid, semnum, cmd, arg.val);
	default:
		return fail(EINVAL);
	}
}

/* ---- message queues ------------------------------------------------ */

/*
 * A queue counts its messages against msg_qbytes, as msg_fits() does
 * (IPCLAB_MSG_COUNT_BYTES), not against ipclab's mbox_max_msgs.
 */
int msgget(key_t key, int msgflg)
{
	int flags = get_flags(msgflg);

	if (device() < 0)
		return -1;

	if (key == IPC_PRIVATE || (msgflg & IPC_CREAT))
		flags |= IPCLAB_CREAT | IPCLAB_MSG_COUNT_BYTES;
	return ipclab_mbox_get(key, 0, 0, flags, msgflg & 0777);
}

/* struct msgbuf as msgsnd(2) shows it: the type, then the text. */
struct sysv_msg {
	long mtype;
	char mtext[];
};

/* The caller's msgp->mtext, without touching msgp. */
static void *mtext_of(const void *msgp)
{
	return (void *)((uintptr_t)msgp + offsetof(struct sysv_msg, mtext));
}

/*
 * The type is read first (EFAULT before anything else, as Linux reads
 * it); the text goes to the kernel as it is.
 */
int msgsnd(int msqid, const void *msgp, size_t msgsz, int msgflg)
{
	long type;

	if (device() < 0)
		return -1;

	if (copy_in(&type, msgp, sizeof(type)))
		return -1;
	return ipclab_send(msqid, type, mtext_of(msgp), msgsz,
			   msgflg & IPC_NOWAIT ? IPCLAB_WAIT_NOWAIT : 0);
}

/*
 * The kernel writes the text, or fails with EFAULT (the message is gone
 * then, as on Linux); the type is ours to write.  A text of at least one
 * byte written on the type's page proves the page writable; otherwise
 * the type goes through the kernel too.
 */
static int put_type(void *msgp, long type, ssize_t n)
{
	uintptr_t at = (uintptr_t)msgp, page = getpagesize();

	if (n > 0 && at / page == (at + sizeof(long)) / page) {
		((struct sysv_msg *)msgp)->mtype = type;
		return 0;
	}
	return copy_out(msgp, &type, sizeof(type));
}

/*
 * MSG_COPY, as do_msgrcv() does it: IPC_NOWAIT and no MSG_EXCEPT, then
 * the caller's buffer is read first (prepare_copy() loads up to MSGMAX
 * bytes of it: EFAULT before anything else), the message at position
 * msgtyp is copied and stays.  A message bigger than the buffer is
 * E2BIG, and EINVAL with MSG_NOERROR (copy_msg() will not truncate).
 */
static ssize_t msg_copy(int msqid, void *msgp, size_t msgsz, long msgtyp,
			int msgflg)
{
	struct ipclab_info info;
	long type = msgtyp;
	ssize_t n;

	if ((msgflg & MSG_EXCEPT) || !(msgflg & IPC_NOWAIT))
		return fail(EINVAL);
	if (ipclab_info(&info))
		return -1;
	if (readable(msgp, msgsz < info.limits.mbox_max_msgsz ?
		     msgsz : info.limits.mbox_max_msgsz))
		return -1;
	n = ipclab_receive(msqid, &type, mtext_of(msgp), msgsz,
			   IPCLAB_MSG_COPY | IPCLAB_WAIT_NOWAIT);
	if (n < 0) {
		if (errno == EAGAIN)
			errno = ENOMSG;
		else if (errno == E2BIG && (msgflg & MSG_NOERROR))
			errno = EINVAL;
		return -1;
	}
	return put_type(msgp, type, n) ?: n;
}

ssize_t msgrcv(int msqid, void *msgp, size_t msgsz, long msgtyp, int msgflg)
{
	unsigned int flags = 0;
	long type = msgtyp;
	ssize_t n;

	if (device() < 0)
		return -1;

	/* Other bits of msgflg mean nothing, and do_msgrcv() ignores them. */
	if (msqid < 0 || (ssize_t)msgsz < 0)
		return fail(EINVAL);
	if (msgflg & MSG_COPY)
		return msg_copy(msqid, msgp, msgsz, msgtyp, msgflg);
	if (msgflg & IPC_NOWAIT)
		flags |= IPCLAB_WAIT_NOWAIT;
	if (msgflg & MSG_NOERROR)
		flags |= IPCLAB_MSG_NOERROR;
	/* SysV ignores MSG_EXCEPT unless msgtyp > 0. */
	if ((msgflg & MSG_EXCEPT) && msgtyp > 0)
		flags |= IPCLAB_MSG_EXCEPT;

	n = ipclab_receive(msqid, &type, mtext_of(msgp), msgsz, flags);
	if (n < 0) {
		if (errno == EAGAIN && (msgflg & IPC_NOWAIT))
			errno = ENOMSG;
		return -1;
	}
	return put_type(msgp, type, n) ?: n;
}

/* IPC_STAT, or MSG_STAT/MSG_STAT_ANY by index (which return the id). */
static int msg_stat(int msqid, int cmd, struct msqid_ds *buf)
{
	struct ipclab_stat st;
	struct msqid_ds ds;

	if (cmd == IPC_STAT ? stat_type(msqid, IPCLAB_TYPE_MBOX, &st) :
	    stat_index(msqid, IPCLAB_TYPE_MBOX, cmd == MSG_STAT_ANY, &st))
		return -1;
	memset(&ds, 0, sizeof(ds));
	fill_perm(&ds.msg_perm, &st);
	ds.msg_stime = st.mbox.stime;
	ds.msg_rtime = st.mbox.rtime;
	ds.msg_ctime = st.perm.ctime;
	ds.__msg_cbytes = st.mbox.bytes;
	ds.msg_qnum = st.mbox.msgs;
	ds.msg_qbytes = st.mbox.max_bytes;
	ds.msg_lspid = st.mbox.lspid;
	ds.msg_lrpid = st.mbox.lrpid;
	if (copy_out(buf, &ds, sizeof(ds)))
		return -1;
	return cmd == IPC_STAT ? 0 : (int)st.perm.id;
}

/*
 * IPC_INFO and MSG_INFO, as msgctl_info() fills them: MSG_INFO puts the
 * queues, messages and bytes in use where IPC_INFO has the constants
 * MSGPOOL, MSGMAP and MSGTQL, which Linux derives from MSGMNI and
 * MSGMNB: here from ipclab's limits the same way.
 */
static int msg_info(int cmd, struct msginfo *buf)
{
	struct ipclab_info info;
	struct msginfo mi;
	int max;

	if (ipclab_info(&info))
		return -1;
	max = max_index(IPCLAB_TYPE_MBOX);
	if (max < 0)
		return -1;
	memset(&mi, 0, sizeof(mi));
	mi.msgmni = max_objects(&info.limits);
	mi.msgmax = clamp_int(info.limits.mbox_max_msgsz);
	mi.msgmnb = clamp_int(info.limits.mbox_max_bytes);
	mi.msgssz = 16;				/* MSGSSZ */
	mi.msgseg = 0xffff;			/* MSGSEG */
	if (cmd == MSG_INFO) {
		mi.msgpool = clamp_int(info.total.mboxes);
		mi.msgmap = clamp_int(info.total.msgs);
		mi.msgtql = clamp_int(info.total.msg_bytes);
	} else {
		mi.msgpool = clamp_int((uint64_t)mi.msgmni * mi.msgmnb / 1024);
		mi.msgmap = mi.msgmnb;
		mi.msgtql = mi.msgmnb;
	}
	return copy_out(buf, &mi, sizeof(mi)) ?: max;
}

/*
 * IPC_SET: owner, mode and msg_qbytes in one command, all or nothing;
 * above MSGMNB (mbox_max_bytes) it takes CAP_SYS_RESOURCE (EPERM).
 */
static int msg_set(int msqid, const struct msqid_ds *ds)
{
	struct ipclab_set arg = {
		.id = msqid, .uid = ds->msg_perm.uid, .gid = ds->msg_perm.gid,
		.mode = ds->msg_perm.mode & 0777,
		.flags = IPCLAB_SET_MAX_BYTES, .max_bytes = ds->msg_qbytes,
	};
	int fd = ipclab_fd();

	if (fd < 0)
		return -1;
	/* Past IPCLAB_MBOX_BYTES_CEIL (64 MiB), even root gets EINVAL. */
	return ioctl(fd, IPCLAB_IOC_SET, &arg);
}

int msgctl(int msqid, int cmd, struct msqid_ds *buf)
{
	struct msqid_ds ds;

	if (device() < 0)
		return -1;

	if (msqid < 0 || cmd < 0)
		return fail(EINVAL);
	switch (cmd) {
	case IPC_RMID:
		return check_type(msqid, IPCLAB_TYPE_MBOX) ?: ipclab_remove(msqid);
	case IPC_STAT:
	case MSG_STAT:
	case MSG_STAT_ANY:
		return msg_stat(msqid, cmd, buf);
	case IPC_INFO:
	case MSG_INFO:
		return msg_info(cmd, (struct msginfo *)buf);
	case IPC_SET:
		/* Linux reads the buffer before it looks for the queue. */
		if (copy_in(&ds, buf, sizeof(ds)))
			return -1;
		if (check_type(msqid, IPCLAB_TYPE_MBOX))
			return -1;
		return msg_set(msqid, &ds);
	default:
		return fail(EINVAL);
	}
}

/* ---- shared memory ------------------------------------------------- */

/*
 * shmdt(2) gets only an address, so shmat() remembers what it mapped.
 * After fork() the child has a copy of the list, as it has the mappings.
 */
struct attachment {
	struct attachment *next;
	void *addr;
	size_t size;
	unsigned long dev, ino;		/* its file's; 0, 0 if unknown */
};

/*
 * The file mapped at @addr from its start, as /proc/self/maps shows it
 * (major:minor and inode): what shmdt() checks is still the segment,
 * as Linux's looks for the segment's own mapping there.  0 if @addr
 * starts no mapping of a file's offset 0; -1 if /proc cannot say.
 */
static int mapped_file(void *addr, unsigned long *dev, unsigned long *ino)
{
	unsigned long start, end, off, major, minor, inode;
	char line[512];
	int ret = 0;
	FILE *f;

	f = fopen("/proc/self/maps", "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx %*s %lx %lx:%lx %lu", &start, &end, &off,
			   &major, &minor, &inode) != 6 || start != (uintptr_t)addr)
			continue;
		if (!off && inode) {
			*dev = major << 20 | minor;
			*ino = inode;
			ret = 1;
		}
		break;
	}
	fclose(f);
	return ret;
}

static struct attachment *attachments;
static pthread_mutex_t attachments_lock = PTHREAD_MUTEX_INITIALIZER;

/* Drop attachments that a new mapping at [addr, addr + size) replaced. */
static void forget_overlapping(void *addr, size_t size)
{
	struct attachment **pp = &attachments, *a;
	char *lo = addr, *hi = lo + size;

	while ((a = *pp)) {
		char *alo = a->addr, *ahi = alo + a->size;

		if (alo < hi && lo < ahi) {
			*pp = a->next;
			free(a);
		} else {
			pp = &a->next;
		}
	}
}

int shmget(key_t key, size_t size, int shmflg)
{
	if (device() < 0)
		return -1;
	/* Other flags (SHM_NORESERVE, ...) change nothing here. */
	if (shmflg & SHM_HUGETLB) {
		errno = EINVAL;
		return -1;
	}
	return ipclab_shbuf_get(key, size, get_flags(shmflg), shmflg & 0777);
}

void *shmat(int shmid, const void *shmaddr, int shmflg)
{
	uintptr_t addr = (uintptr_t)shmaddr;
	int rdonly = shmflg & SHM_RDONLY;
	struct attachment *a;
	struct ipclab_stat st;
	int mflags = MAP_SHARED;
	void *at;
	int fd, saved;

	if (device() < 0)
		return (void *)-1;

	/*
	 * do_shmat()'s checks, in its order: the id's sign, then the
	 * address, and only then the segment.  An address that SHM_RND
	 * rounds down to NULL must not become a MAP_FIXED at 0 with
	 * SHM_REMAP (Linux refuses it since CVE-2017-5669).
	 */
	if (shmid < 0)
		goto einval;
	if (addr) {
		if (addr & (SHMLBA - 1)) {
			if (!(shmflg & SHM_RND)) {
				if (addr & (getpagesize() - 1))
					goto einval;
			} else {
				addr &= ~((uintptr_t)SHMLBA - 1);
				if (!addr && (shmflg & SHM_REMAP))
					goto einval;
			}
		}
		mflags |= shmflg & SHM_REMAP ? MAP_FIXED : MAP_FIXED_NOREPLACE;
	} else if (shmflg & SHM_REMAP) {
		goto einval;
	}
	if (stat_type(shmid, IPCLAB_TYPE_SHBUF, &st))
		return (void *)-1;
	a = malloc(sizeof(*a));
	if (!a)
		return (void *)-1;
	fd = ipclab_open(shmid, IPCLAB_OPEN_READ | IPCLAB_OPEN_CLOEXEC |
			 (rdonly ? 0 : IPCLAB_OPEN_WRITE));
	if (fd < 0)
		goto err_free;
	at = mmap((void *)addr, st.shbuf.size,
		  PROT_READ | (rdonly ? 0 : PROT_WRITE), mflags, fd, 0);
	saved = errno;
	close(fd);
	errno = saved;
	if (at == MAP_FAILED) {
		if (errno == EEXIST)
			errno = EINVAL;
		goto err_free;
	}
	a->addr = at;
	a->size = st.shbuf.size;
	a->dev = a->ino = 0;
	saved = errno;
	if (mapped_file(at, &a->dev, &a->ino) != 1)
		a->dev = a->ino = 0;
	errno = saved;
	pthread_mutex_lock(&attachments_lock);
	forget_overlapping(at, a->size);	/* SHM_REMAP replaced them */
	a->next = attachments;
	attachments = a;
	pthread_mutex_unlock(&attachments_lock);
	return at;

err_free:
	saved = errno;
	free(a);
	errno = saved;
	return (void *)-1;
einval:
	errno = EINVAL;
	return (void *)-1;
}

/*
 * Only an attachment that is still the segment's mapping: one the
 * program unmapped itself, and perhaps mapped something else over, is
 * EINVAL, as on Linux (when /proc says nothing, the list alone decides).
 */
int shmdt(const void *shmaddr)
{
	struct attachment **pp, *a = NULL;
	unsigned long dev = 0, ino = 0;
	int known;

	if (device() < 0)
		return -1;

	pthread_mutex_lock(&attachments_lock);
	for (pp = &attachments; *pp; pp = &(*pp)->next) {
		if ((*pp)->addr == shmaddr) {
			a = *pp;
			*pp = a->next;
			break;
		}
	}
	pthread_mutex_unlock(&attachments_lock);
	if (!a) {
		errno = EINVAL;
		return -1;
	}
	known = a->ino ? mapped_file(a->addr, &dev, &ino) : -1;
	if (known == 0 || (known == 1 && (dev != a->dev || ino != a->ino))) {
		free(a);
		errno = EINVAL;
		return -1;
	}
	munmap(a->addr, a->size);
	free(a);
	return 0;
}

/* IPC_STAT, or SHM_STAT/SHM_STAT_ANY by index (which return the id). */
static int shm_stat(int shmid, int cmd, struct shmid_ds *buf)
{
	struct ipclab_stat st;
	struct shmid_ds ds;

	if (cmd == IPC_STAT ? stat_type(shmid, IPCLAB_TYPE_SHBUF, &st) :
	    stat_index(shmid, IPCLAB_TYPE_SHBUF, cmd == SHM_STAT_ANY, &st))
		return -1;
	memset(&ds, 0, sizeof(ds));
	fill_perm(&ds.shm_perm, &st);
	if (st.shbuf.flags & IPCLAB_SHBUF_DEST)
		ds.shm_perm.mode |= SHM_DEST;
	if (st.shbuf.flags & IPCLAB_SHBUF_LOCKED)
		ds.shm_perm.mode |= SHM_LOCKED;
	ds.shm_segsz = st.shbuf.size;
	ds.shm_atime = st.shbuf.atime;
	ds.shm_dtime = st.shbuf.dtime;
	ds.shm_ctime = st.perm.ctime;
	ds.shm_cpid = st.perm.cpid;
	ds.shm_lpid = st.perm.lpid;
	ds.shm_nattch = st.shbuf.nattch;
	if (copy_out(buf, &ds, sizeof(ds)))
		return -1;
	return cmd == IPC_STAT ? 0 : (int)st.perm.id;
}

/*
 * IPC_INFO (struct shminfo) and SHM_INFO (struct shm_info), as
 * shmctl_ipc_info() and shmctl_shm_info() fill them: limits, and the
 * buffers and their pages in use (by size, in memory, swapped out).
 */
static int shm_info(int cmd, void *buf)
{
	struct ipclab_info info;
	struct shminfo si;
	struct shm_info su;
	int max;

	if (ipclab_info(&info))
		return -1;
	max = max_index(IPCLAB_TYPE_SHBUF);
	if (max < 0)
		return -1;
	if (cmd == SHM_INFO) {
		memset(&su, 0, sizeof(su));
		su.used_ids = clamp_int(info.total.shbufs);
		su.shm_tot = info.total.shbuf_pages;
		su.shm_rss = info.total.shbuf_resident;
		su.shm_swp = info.total.shbuf_swapped;
		return copy_out(buf, &su, sizeof(su)) ?: max;
	}
	memset(&si, 0, sizeof(si));
	si.shmmax = info.limits.shbuf_max_size;
	si.shmmin = 1;				/* SHMMIN */
	si.shmmni = max_objects(&info.limits);
	if (si.shmmni > info.limits.max_shbufs_per_user)
		si.shmmni = info.limits.max_shbufs_per_user;
	si.shmseg = si.shmmni;			/* SHMSEG is SHMMNI */
	si.shmall = info.limits.max_shbuf_pages;
	return copy_out(buf, &si, sizeof(si)) ?: max;
}

int shmctl(int shmid, int cmd, struct shmid_ds *buf)
{
	struct shmid_ds ds;

	if (device() < 0)
		return -1;

	if (shmid < 0 || cmd < 0)
		return fail(EINVAL);
	switch (cmd) {
	case IPC_RMID:
		return check_type(shmid, IPCLAB_TYPE_SHBUF) ?: ipclab_remove(shmid);
	case IPC_STAT:
	case SHM_STAT:
	case SHM_STAT_ANY:
		return shm_stat(shmid, cmd, buf);
	case IPC_INFO:
	case SHM_INFO:
		return shm_info(cmd, buf);
	case SHM_LOCK:
	case SHM_UNLOCK:
		return ipclab_shbuf_lock(shmid, cmd == SHM_LOCK);
	case IPC_SET:
		/* Linux reads the buffer before it looks for the segment. */
		if (copy_in(&ds, buf, sizeof(ds)))
			return -1;
		return check_type(shmid, IPCLAB_TYPE_SHBUF) ?:
		       set_perm(shmid, &ds.shm_perm);
	default:
		return fail(EINVAL);
	}
}
