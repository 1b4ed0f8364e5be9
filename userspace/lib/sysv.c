// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libipclab-sysv: the System V IPC calls, with their exact signatures and
 * semantics, running on ipclab instead of the kernel's own SysV IPC.
 *
 *   LD_PRELOAD=libipclab-sysv.so ./prog      an unmodified dynamic program
 *   cc prog.c -lipclab-sysv -static          linked ahead of libc
 *
 * Each call maps onto one ipclab command; the translation is the whole of
 * this file.  Where ipclab and Linux differ, the SysV answer is given:
 * semtimedop() times out with EAGAIN, msgrcv(IPC_NOWAIT) finds nothing
 * with ENOMSG, semctl() on a bad semaphore index is EINVAL.  What stays
 * different on purpose (FIFO handoff, mailbox message-count limit) is
 * listed in docs/sysv.md.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
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

/* The kernel answers a NULL argument with EFAULT; so do we, not SIGSEGV. */
static int efault(void)
{
	errno = EFAULT;
	return -1;
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
	p->__seq = st->perm.id / 32768;
}

static int stat_type(int id, int type, struct ipclab_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->id = id;
	if (ipclab_stat(st))
		return -1;
	if ((int)st->type != type) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

/*
 * Is @id an object of @type?  For IPC_RMID and IPC_SET, which SysV allows
 * to the owner without read permission: IPCLAB_IOC_LIST needs none.
 */
static int check_type(int id, int type)
{
	struct ipclab_list l = { .type = type };
	__u32 fast[64], *ids = fast;
	int fd = ipclab_fd(), ret = -1;
	__u32 i;

	if (fd < 0)
		return -1;
	l.len = sizeof(fast) / sizeof(fast[0]);
	l.ids = (uintptr_t)ids;
	if (ioctl(fd, IPCLAB_IOC_LIST, &l))
		return -1;
	if (l.len > sizeof(fast) / sizeof(fast[0])) {
		ids = calloc(l.len + 16, sizeof(*ids));
		if (!ids)
			return -1;
		l.len += 16;
		l.ids = (uintptr_t)ids;
		if (ioctl(fd, IPCLAB_IOC_LIST, &l))
			goto out;
	}
	errno = EINVAL;
	for (i = 0; i < l.len; i++)
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

int semget(key_t key, int nsems, int semflg)
{
	if (nsems < 0) {
		errno = EINVAL;
		return -1;
	}
	return ipclab_sem_get(key, nsems, get_flags(semflg), semflg & 0777);
}

int semtimedop(int semid, struct sembuf *sops, size_t nsops,
	       const struct timespec *timeout)
{
	struct ipclab_sembuf fast[16], *ops = fast;
	unsigned int flags = 0;
	uint64_t ns = 0;
	size_t i;
	int ret;

	if (nsops > 0xffff) {
		errno = E2BIG;
		return -1;
	}
	if (!sops && nsops)
		return efault();
	if (timeout) {
		if (timeout->tv_sec < 0 || timeout->tv_nsec < 0 ||
		    timeout->tv_nsec >= 1000000000L) {
			errno = EINVAL;
			return -1;
		}
		flags = IPCLAB_WAIT_TIMEOUT;
		ns = (uint64_t)timeout->tv_sec * 1000000000ULL + timeout->tv_nsec;
	}
	if (nsops > sizeof(fast) / sizeof(fast[0])) {
		ops = calloc(nsops, sizeof(*ops));
		if (!ops)
			return -1;
	}
	for (i = 0; i < nsops; i++) {
		ops[i] = (struct ipclab_sembuf) {
			.num = sops[i].sem_num,
			.op = sops[i].sem_op,
			.flags = (sops[i].sem_flg & SEM_UNDO ? IPCLAB_SEMBUF_UNDO : 0) |
				 (sops[i].sem_flg & IPC_NOWAIT ? IPCLAB_SEMBUF_NOWAIT : 0),
		};
	}
	ret = ipclab_semop(semid, ops, nsops, flags, ns);
	if (ret && errno == ETIMEDOUT)
		errno = EAGAIN;		/* semtimedop(2) says so */
	if (ops != fast) {
		int saved = errno;

		free(ops);
		errno = saved;
	}
	return ret;
}

int semop(int semid, struct sembuf *sops, size_t nsops)
{
	return semtimedop(semid, sops, nsops, NULL);
}

static int sem_stat(int semid, struct semid_ds *ds)
{
	struct ipclab_stat st;

	if (stat_type(semid, IPCLAB_TYPE_SEM, &st))
		return -1;
	memset(ds, 0, sizeof(*ds));
	fill_perm(&ds->sem_perm, &st);
	ds->sem_otime = st.perm.otime;
	ds->sem_ctime = st.perm.ctime;
	ds->sem_nsems = st.sem.nsems;
	return 0;
}

/* GETALL/SETALL: SysV's unsigned short array against ipclab's __s32. */
static int sem_all(int semid, int cmd, unsigned short *array)
{
	struct ipclab_semctl c = { .id = semid };
	struct ipclab_stat st;
	__s32 *vals;
	int i, ret;

	if (stat_type(semid, IPCLAB_TYPE_SEM, &st))
		return -1;
	vals = calloc(st.sem.nsems, sizeof(*vals));
	if (!vals)
		return -1;
	c.values = (uintptr_t)vals;
	c.nvalues = st.sem.nsems;
	if (cmd == SETALL) {
		for (i = 0; i < (int)st.sem.nsems; i++)
			vals[i] = array[i];
		c.cmd = IPCLAB_SEMCTL_SETALL;
		ret = ipclab_semctl(&c);
	} else {
		c.cmd = IPCLAB_SEMCTL_GETALL;
		ret = ipclab_semctl(&c);
		for (i = 0; !ret && i < (int)st.sem.nsems; i++)
			array[i] = vals[i];
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

	if (semnum < 0) {
		errno = EINVAL;
		return -1;
	}
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
	va_list ap;

	va_start(ap, cmd);
	switch (cmd) {
	case IPC_STAT:
	case IPC_SET:
	case GETALL:
	case SETALL:
	case SETVAL:
		arg = va_arg(ap, union ipclab_semun);
		break;
	}
	va_end(ap);

	switch (cmd) {
	case IPC_RMID:
		return check_type(semid, IPCLAB_TYPE_SEM) ?: ipclab_remove(semid);
	case IPC_STAT:
		if (!arg.buf)
			return efault();
		return sem_stat(semid, arg.buf);
	case IPC_SET:
		if (!arg.buf)
			return efault();
		return check_type(semid, IPCLAB_TYPE_SEM) ?:
		       set_perm(semid, &arg.buf->sem_perm);
	case GETALL:
	case SETALL:
		if (!arg.array)
			return efault();
		return sem_all(semid, cmd, arg.array);
	case GETVAL:
	case GETNCNT:
	case GETZCNT:
	case GETPID:
	case SETVAL:
		return sem_one(semid, semnum, cmd, arg.val);
	default:
		errno = EINVAL;
		return -1;
	}
}

/* ---- message queues ------------------------------------------------ */

int msgget(key_t key, int msgflg)
{
	return ipclab_mbox_get(key, 0, 0, get_flags(msgflg), msgflg & 0777);
}

/* struct msgbuf as msgsnd(2) shows it: the type, then the text. */
struct sysv_msg {
	long mtype;
	char mtext[];
};

int msgsnd(int msqid, const void *msgp, size_t msgsz, int msgflg)
{
	const struct sysv_msg *m = msgp;

	if (!m)
		return efault();
	return ipclab_send(msqid, m->mtype, m->mtext, msgsz,
			   msgflg & IPC_NOWAIT ? IPCLAB_WAIT_NOWAIT : 0);
}

ssize_t msgrcv(int msqid, void *msgp, size_t msgsz, long msgtyp, int msgflg)
{
	struct sysv_msg *m = msgp;
	unsigned int flags = 0;
	long type = msgtyp;
	ssize_t n;

	if (msgflg & ~(IPC_NOWAIT | MSG_NOERROR | MSG_EXCEPT)) {
		errno = EINVAL;		/* MSG_COPY and the like */
		return -1;
	}
	if ((ssize_t)msgsz < 0) {
		errno = EINVAL;
		return -1;
	}
	if (!m)
		return efault();
	if (msgflg & IPC_NOWAIT)
		flags |= IPCLAB_WAIT_NOWAIT;
	if (msgflg & MSG_NOERROR)
		flags |= IPCLAB_MSG_NOERROR;
	/* SysV ignores MSG_EXCEPT unless msgtyp > 0. */
	if ((msgflg & MSG_EXCEPT) && msgtyp > 0)
		flags |= IPCLAB_MSG_EXCEPT;

	n = ipclab_receive(msqid, &type, m->mtext, msgsz, flags);
	if (n < 0) {
		if (errno == EAGAIN && (msgflg & IPC_NOWAIT))
			errno = ENOMSG;
		return -1;
	}
	m->mtype = type;
	return n;
}

int msgctl(int msqid, int cmd, struct msqid_ds *buf)
{
	struct ipclab_stat st;

	switch (cmd) {
	case IPC_RMID:
		return check_type(msqid, IPCLAB_TYPE_MBOX) ?: ipclab_remove(msqid);
	case IPC_STAT:
		if (!buf)
			return efault();
		if (stat_type(msqid, IPCLAB_TYPE_MBOX, &st))
			return -1;
		memset(buf, 0, sizeof(*buf));
		fill_perm(&buf->msg_perm, &st);
		buf->msg_stime = st.mbox.stime;
		buf->msg_rtime = st.mbox.rtime;
		buf->msg_ctime = st.perm.ctime;
		buf->__msg_cbytes = st.mbox.bytes;
		buf->msg_qnum = st.mbox.msgs;
		buf->msg_qbytes = st.mbox.max_bytes;
		buf->msg_lspid = st.mbox.lspid;
		buf->msg_lrpid = st.mbox.lrpid;
		return 0;
	case IPC_SET:
		if (!buf)
			return efault();
		if (check_type(msqid, IPCLAB_TYPE_MBOX))
			return -1;
		/* A mailbox's capacity is fixed when it is created. */
		if (!stat_type(msqid, IPCLAB_TYPE_MBOX, &st) &&
		    buf->msg_qbytes != st.mbox.max_bytes) {
			errno = EINVAL;
			return -1;
		}
		return set_perm(msqid, &buf->msg_perm);
	default:
		errno = EINVAL;
		return -1;
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
};

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

int shmdt(const void *shmaddr)
{
	struct attachment **pp, *a = NULL;

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
	munmap(a->addr, a->size);
	free(a);
	return 0;
}

int shmctl(int shmid, int cmd, struct shmid_ds *buf)
{
	struct ipclab_stat st;

	switch (cmd) {
	case IPC_RMID:
		return check_type(shmid, IPCLAB_TYPE_SHBUF) ?: ipclab_remove(shmid);
	case IPC_STAT:
		if (!buf)
			return efault();
		if (stat_type(shmid, IPCLAB_TYPE_SHBUF, &st))
			return -1;
		memset(buf, 0, sizeof(*buf));
		fill_perm(&buf->shm_perm, &st);
		if (st.shbuf.flags & IPCLAB_SHBUF_DEST)
			buf->shm_perm.mode |= SHM_DEST;
		buf->shm_segsz = st.shbuf.size;
		buf->shm_atime = st.shbuf.atime;
		buf->shm_dtime = st.shbuf.dtime;
		buf->shm_ctime = st.perm.ctime;
		buf->shm_cpid = st.perm.cpid;
		buf->shm_lpid = st.perm.lpid;
		buf->shm_nattch = st.shbuf.nattch;
		return 0;
	case IPC_SET:
		if (!buf)
			return efault();
		return check_type(shmid, IPCLAB_TYPE_SHBUF) ?:
		       set_perm(shmid, &buf->shm_perm);
	default:
		errno = EINVAL;
		return -1;
	}
}
