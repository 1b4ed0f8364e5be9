// SPDX-License-Identifier: GPL-2.0
/*
 * ipclab-bench - ipclab's primitives timed against the kernel's own IPC,
 * in one boot, interleaved.
 *
 * Each case runs each of its variants REPS times, in turns (ipclab, the
 * first peer, the second peer, ..., ipclab again ...), so that whatever
 * the machine does meanwhile (a host under TCG, another guest) falls on
 * every variant alike.  For each variant it prints the median, the
 * fastest and the slowest repetition, and the ratio of ipclab's median
 * to that variant's: above 1, ipclab took longer (or, for kernel memory,
 * kept more).
 *
 *   uncontended     one process: P then V on a free semaphore
 *   ping-pong       two processes hand a turn back and forth; every step
 *                   blocks one and wakes the other
 *   wait-same-W     V wakes one of W sleepers on that semaphore, which
 *                   answers on another one (a round trip)
 *   wait-other-W    P then V on a free semaphore while W processes sleep
 *                   on another semaphore of the same set
 *   mutex-N         N processes lock, count, unlock for a fixed time;
 *                   fairness is the busiest process's count over the mean
 *   mbox-SIZE       one process sends, another receives SIZE-byte messages
 *   mbox-SIZE-4to4  four senders, four receivers
 *   shbuf-STEP      a 64 MiB shared buffer: its creation, a mapping, the
 *                   first touch of every page, a memcpy() into it
 *                   (bench-mem.c)
 *   kmem-OBJECT     the kernel memory one object costs (bench-mem.c)
 *   scale-create-N, scale-op-N
 *                   one creation, one P+V while N sets exist
 *                   (bench-scale.c)
 *
 * Then the goals: ratios of medians this boot measured, each with its
 * target and whether it was met.
 *
 * usage: ipclab-bench [-q] [-r REPS] [-c CASE]... [--json FILE]  (-h for more)
 * Figures measured under QEMU without KVM (the lab VM) compare with each
 * other, not with real hardware.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ipclab.h"
#include "bench.h"

#define MAX_PROCS 1000
#define MAX_REPS 101
#define MAX_MSG 4096
/* Senders and receivers of the mbox-*-4to4 cases. */
#define MBOX_PEERS 4

void die(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	fprintf(stderr, PROG ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s (%s)\n", strerror(err), ipclab_errname(err));
	exit(1);
}

double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static struct shared *sh;

/* CLOCK_MONOTONIC's resolution: 1 ns with high-resolution timers. */
static long clock_res_ns;

/* ---- ipclab ---------------------------------------------------------- */

static void lab_sem_create(struct obj *o, unsigned int nsems, size_t msgsz)
{
	(void)msgsz;
	o->id = ipclab_sem_get(IPCLAB_KEY_PRIVATE, nsems, 0, 0600);
	if (o->id < 0)
		die("ipclab semaphore set of %u", nsems);
}

void lab_destroy(struct obj *o)
{
	if (ipclab_remove(o->id))
		die("ipclab remove %d", o->id);
}

static void lab_p(struct obj *o, unsigned int num)
{
	if (ipclab_P(o->id, num))
		die("ipclab P on semaphore %d.%u", o->id, num);
}

static void lab_v(struct obj *o, unsigned int num)
{
	if (ipclab_V(o->id, num))
		die("ipclab V on semaphore %d.%u", o->id, num);
}

/* Waiters in the whole set: the cases wait on one semaphore at a time. */
static int lab_waiting(struct obj *o, unsigned int num)
{
	struct ipclab_stat st = { .id = o->id };

	(void)num;
	if (ipclab_stat(&st))
		die("ipclab stat %d", o->id);
	return st.nwaiters;
}

/* The floor: the cheapest ioctl there is, once for P and once for V. */
static void lab_floor_create(struct obj *o, unsigned int nsems, size_t msgsz)
{
	(void)o, (void)nsems, (void)msgsz;
}

static void lab_floor_destroy(struct obj *o)
{
	(void)o;
}

static void lab_floor_op(struct obj *o, unsigned int num)
{
	struct ipclab_version ver;

	(void)o, (void)num;
	if (ioctl(ipclab_fd(), IPCLAB_IOC_VERSION, &ver))
		die("ipclab IPCLAB_IOC_VERSION");
}

static void lab_mutex_create(struct obj *o, unsigned int nsems, size_t msgsz)
{
	(void)nsems, (void)msgsz;
	o->id = ipclab_mutex_get(IPCLAB_KEY_PRIVATE, 0, 0600);
	if (o->id < 0)
		die("ipclab mutex");
}

static void lab_lock(struct obj *o)
{
	if (ipclab_lock(o->id))
		die("ipclab lock %d", o->id);
}

static void lab_unlock(struct obj *o)
{
	if (ipclab_unlock(o->id))
		die("ipclab unlock %d", o->id);
}

static void lab_mbox_create(struct obj *o, unsigned int nsems, size_t msgsz)
{
	(void)nsems;
	/* Ten messages, as a POSIX queue holds by default. */
	o->id = ipclab_mbox_get(IPCLAB_KEY_PRIVATE, 10, msgsz, 0, 0600);
	if (o->id < 0)
		die("ipclab mailbox of %zu-byte messages", msgsz);
}

/* A mailbox of the module's defaults (mbox_max_msgs, mbox_max_bytes). */
static void lab_mbox_default_create(struct obj *o, unsigned int nsems, size_t param)
{
	(void)nsems, (void)param;
	o->id = ipclab_mbox_get(IPCLAB_KEY_PRIVATE, 0, 0, 0, 0600);
	if (o->id < 0)
		die("ipclab mailbox of the default size");
}

static void lab_send(struct obj *o, const void *buf, size_t size)
{
	if (ipclab_send(o->id, 1, buf, size, 0))
		die("ipclab send to mailbox %d", o->id);
}

static void lab_recv(struct obj *o, void *buf, size_t size)
{
	long type = 0;

	if (ipclab_receive(o->id, &type, buf, size, 0) != (ssize_t)size)
		die("ipclab receive from mailbox %d", o->id);
}

/* ---- SysV ------------------------------------------------------------ */

static void sysv_sem_create(struct obj *o, unsigned int nsems, size_t msgsz)
{
	(void)msgsz;
	o->id = semget(IPC_PRIVATE, nsems, 0600);
	if (o->id < 0)
		die("SysV semget of %u", nsems);
}

static void sysv_sem_destroy(struct obj *o)
{
	if (semctl(o->id, 0, IPC_RMID))
		die("SysV semctl IPC_RMID %d", o->id);
}

static void sysv_op(struct obj *o, unsigned int num, short op)
{
	struct sembuf b = { .sem_num = num, .sem_op = op };

	if (semop(o->id, &b, 1))
		die("SysV semop %+d on %d.%u", op, o->id, num);
}

static void sysv_p(struct obj *o, unsigned int num)
{
	sysv_op(o, num, -1);
}

static void sysv_v(struct obj *o, unsigned int num)
{
	sysv_op(o, num, 1);
}

static int sysv_waiting(struct obj *o, unsigned int num)
{
	int n = semctl(o->id, num, GETNCNT);

	if (n < 0)
		die("SysV semctl GETNCNT %d.%u", o->id, num);
	return n;
}

/* A binary semaphore used as a mutex: it starts at 1. */
static void sysv_mutex_create(struct obj *o, unsigned int nsems, size_t msgsz)
{
	sysv_sem_create(o, 1, msgsz);
	(void)nsems;
	sysv_v(o, 0);
}

static void sysv_lock(struct obj *o)
{
	sysv_p(o, 0);
}

static void sysv_unlock(struct obj *o)
{
	sysv_v(o, 0);
}

struct sysv_msg {
	long mtype;
	char text[MAX_MSG];
};

static void sysv_msg_create(struct obj *o, unsigned int nsems, size_t msgsz)
{
	(void)nsems, (void)msgsz;
	o->id = msgget(IPC_PRIVATE, 0600);
	if (o->id < 0)
		die("SysV msgget");
}

static void sysv_msg_destroy(struct obj *o)
{
	if (msgctl(o->id, IPC_RMID, NULL))
		die("SysV msgctl IPC_RMID %d", o->id);
}

static void sysv_send(struct obj *o, const void *buf, size_t size)
{
	static struct sysv_msg m = { .mtype = 1 };

	memcpy(m.text, buf, size);
	if (msgsnd(o->id, &m, size, 0))
		die("SysV msgsnd to %d", o->id);
}

static void sysv_recv(struct obj *o, void *buf, size_t size)
{
	static struct sysv_msg m;

	if (msgrcv(o->id, &m, size, 0, 0) != (ssize_t)size)
		die("SysV msgrcv from %d", o->id);
	memcpy(buf, m.text, size);
}

/* ---- POSIX ----------------------------------------------------------- */

static void posix_sem_create(struct obj *o, unsigned int nsems, size_t msgsz)
{
	unsigned int i;

	(void)msgsz;
	for (i = 0; i < nsems; i++)
		if (sem_init(&o->sh->psem[i], 1, 0))
			die("POSIX sem_init %u", i);
}

static void posix_sem_destroy(struct obj *o)
{
	unsigned int i;

	for (i = 0; i < MAX_SEMS; i++)
		sem_destroy(&o->sh->psem[i]);
}

static void posix_p(struct obj *o, unsigned int num)
{
	while (sem_wait(&o->sh->psem[num]))
		if (errno != EINTR)
			die("POSIX sem_wait %u", num);
}

static void posix_v(struct obj *o, unsigned int num)
{
	if (sem_post(&o->sh->psem[num]))
		die("POSIX sem_post %u", num);
}

static void pthread_mutex_create(struct obj *o, unsigned int nsems, size_t msgsz)
{
	pthread_mutexattr_t a;

	(void)nsems, (void)msgsz;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	errno = pthread_mutex_init(&o->sh->mutex, &a);
	if (errno)
		die("pthread_mutex_init");
	pthread_mutexattr_destroy(&a);
}

static void pthread_mutex_destroy_(struct obj *o)
{
	pthread_mutex_destroy(&o->sh->mutex);
}

static void pthread_lock(struct obj *o)
{
	errno = pthread_mutex_lock(&o->sh->mutex);
	if (errno)
		die("pthread_mutex_lock");
}

static void pthread_unlock(struct obj *o)
{
	errno = pthread_mutex_unlock(&o->sh->mutex);
	if (errno)
		die("pthread_mutex_unlock");
}

static void posix_mq_create(struct obj *o, unsigned int nsems, size_t msgsz)
{
	struct mq_attr a = { .mq_maxmsg = 10, .mq_msgsize = msgsz };
	char name[64];

	(void)nsems;
	snprintf(name, sizeof(name), "/" PROG "-%d", getpid());
	o->mq = mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, &a);
	if (o->mq == (mqd_t)-1)
		die("POSIX mq_open %s", name);
	mq_unlink(name);
}

static void posix_mq_destroy(struct obj *o)
{
	mq_close(o->mq);
}

static void posix_send(struct obj *o, const void *buf, size_t size)
{
	if (mq_send(o->mq, buf, size, 0))
		die("POSIX mq_send");
}

static void posix_recv(struct obj *o, void *buf, size_t size)
{
	if (mq_receive(o->mq, buf, size, NULL) != (ssize_t)size)
		die("POSIX mq_receive");
}

/* ---- eventfd (EFD_SEMAPHORE) and pipes, one fd pair per semaphore ----- */

static void efd_create(struct obj *o, unsigned int nsems, size_t msgsz)
{
	unsigned int i;

	(void)msgsz;
	for (i = 0; i < nsems; i++) {
		o->fd[i][0] = o->fd[i][1] = eventfd(0, EFD_SEMAPHORE | EFD_CLOEXEC);
		if (o->fd[i][0] < 0)
			die("eventfd %u", i);
	}
	for (; i < MAX_SEMS; i++)
		o->fd[i][0] = o->fd[i][1] = -1;
}

static void fds_destroy(struct obj *o)
{
	unsigned int i;

	for (i = 0; i < MAX_SEMS; i++) {
		if (o->fd[i][0] < 0)
			continue;
		close(o->fd[i][0]);
		if (o->fd[i][1] != o->fd[i][0])
			close(o->fd[i][1]);
	}
}

static void efd_p(struct obj *o, unsigned int num)
{
	uint64_t one;

	if (read(o->fd[num][0], &one, sizeof(one)) != sizeof(one))
		die("eventfd read %u", num);
}

static void efd_v(struct obj *o, unsigned int num)
{
	uint64_t one = 1;

	if (write(o->fd[num][1], &one, sizeof(one)) != sizeof(one))
		die("eventfd write %u", num);
}

static void pipe_create(struct obj *o, unsigned int nsems, size_t msgsz)
{
	unsigned int i;

	(void)msgsz;
	for (i = 0; i < MAX_SEMS; i++)
		o->fd[i][0] = o->fd[i][1] = -1;
	for (i = 0; i < (nsems ? nsems : 1); i++)
		if (pipe2(o->fd[i], O_CLOEXEC))
			die("pipe %u", i);
}

static void pipe_p(struct obj *o, unsigned int num)
{
	char c;

	if (read(o->fd[num][0], &c, 1) != 1)
		die("pipe read %u", num);
}

static void pipe_v(struct obj *o, unsigned int num)
{
	if (write(o->fd[num][1], "", 1) != 1)
		die("pipe write %u", num);
}

/* A message is one write of SIZE <= PIPE_BUF bytes: it arrives whole. */
static void pipe_send(struct obj *o, const void *buf, size_t size)
{
	if (write(o->fd[0][1], buf, size) != (ssize_t)size)
		die("pipe write of %zu bytes", size);
}

static void pipe_recv(struct obj *o, void *buf, size_t size)
{
	size_t got = 0;
	ssize_t n;

	while (got < size) {
		n = read(o->fd[0][0], (char *)buf + got, size - got);
		if (n <= 0)
			die("pipe read of %zu bytes", size);
		got += n;
	}
}

/* ---- the variants ----------------------------------------------------- */

#define SEM_KIND(n, c, d, pp, vv, w) \
	{ .name = n, .create = c, .destroy = d, .p = pp, .v = vv, .waiting = w }
#define MUTEX_KIND(n, c, d, l, u) \
	{ .name = n, .create = c, .destroy = d, .lock = l, .unlock = u }
#define MSG_KIND(n, c, d, s, r) \
	{ .name = n, .create = c, .destroy = d, .send = s, .recv = r }

const struct kind k_lab_sem = SEM_KIND("ipclab sem", lab_sem_create,
	lab_destroy, lab_p, lab_v, lab_waiting);
static const struct kind k_lab_floor = SEM_KIND("ipclab VERSION x2",
	lab_floor_create, lab_floor_destroy, lab_floor_op, lab_floor_op, NULL);
const struct kind k_sysv_sem = SEM_KIND("SysV sem", sysv_sem_create,
	sysv_sem_destroy, sysv_p, sysv_v, sysv_waiting);
static const struct kind k_posix_sem = SEM_KIND("POSIX sem_t", posix_sem_create,
	posix_sem_destroy, posix_p, posix_v, NULL);
static const struct kind k_efd = SEM_KIND("eventfd sem", efd_create,
	fds_destroy, efd_p, efd_v, NULL);
static const struct kind k_pipe = SEM_KIND("pipe", pipe_create, fds_destroy,
	pipe_p, pipe_v, NULL);
static const struct kind k_lab_mutex = MUTEX_KIND("ipclab mutex",
	lab_mutex_create, lab_destroy, lab_lock, lab_unlock);
static const struct kind k_sysv_mutex = MUTEX_KIND("SysV binary sem",
	sysv_mutex_create, sysv_sem_destroy, sysv_lock, sysv_unlock);
static const struct kind k_pthread = MUTEX_KIND("pthread mutex",
	pthread_mutex_create, pthread_mutex_destroy_, pthread_lock, pthread_unlock);
static const struct kind k_lab_mbox = MSG_KIND("ipclab mbox", lab_mbox_create,
	lab_destroy, lab_send, lab_recv);
const struct kind k_lab_mbox_default = MSG_KIND("ipclab mbox",
	lab_mbox_default_create, lab_destroy, lab_send, lab_recv);
static const struct kind k_posix_mq = MSG_KIND("POSIX mq", posix_mq_create,
	posix_mq_destroy, posix_send, posix_recv);
const struct kind k_sysv_msg = MSG_KIND("SysV msg", sysv_msg_create,
	sysv_msg_destroy, sysv_send, sysv_recv);
static const struct kind k_pipe_msg = MSG_KIND("pipe", pipe_create,
	fds_destroy, pipe_send, pipe_recv);

/* ---- the measurements -------------------------------------------------
 * Each takes its object, N operations and the case's parameter, returns
 * the seconds the timed part took and, for mutexes, the fairness.
 */

static pid_t spawn(void)
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork");
	return pid;
}

static void reap(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) < 0)
		die("waitpid %d", (int)pid);
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		fprintf(stderr, PROG ": child %d failed (status 0x%x)\n", (int)pid, st);
		exit(1);
	}
}

static void kill_all(pid_t *pids, int n)
{
	int i;

	for (i = 0; i < n; i++)
		kill(pids[i], SIGKILL);
	for (i = 0; i < n; i++)
		waitpid(pids[i], NULL, 0);
}

static double run_uncontended(const struct kind *k, struct obj *o, long n,
			      long param, double *fair)
{
	double t0;
	long i;

	(void)param, (void)fair;
	k->v(o, 0);
	t0 = now();
	for (i = 0; i < n; i++) {
		k->p(o, 0);
		k->v(o, 0);
	}
	return now() - t0;
}

static double run_pingpong(const struct kind *k, struct obj *o, long n,
			   long param, double *fair)
{
	double t0 = now();
	pid_t pid;
	long i;

	(void)param, (void)fair;
	pid = spawn();
	if (!pid) {
		for (i = 0; i < n; i++) {
			k->p(o, 1);
			k->v(o, 0);
		}
		_exit(0);
	}
	for (i = 0; i < n; i++) {
		k->v(o, 1);
		k->p(o, 0);
	}
	reap(pid);
	return now() - t0;
}

static pid_t waiters[MAX_PROCS];

/* Until the kernel shows W processes asleep on semaphore num. */
static void wait_asleep(const struct kind *k, struct obj *o, unsigned int num, int w)
{
	while (k->waiting(o, num) < w)
		usleep(1000);
}

static double run_wait_same(const struct kind *k, struct obj *o, long n,
			    long w, double *fair)
{
	double t0;
	long i;
	int j;

	(void)fair;
	for (j = 0; j < w; j++) {
		waiters[j] = spawn();
		if (!waiters[j]) {
			for (;;) {
				k->p(o, 0);
				k->v(o, 1);
			}
		}
	}
	wait_asleep(k, o, 0, w);
	t0 = now();
	for (i = 0; i < n; i++) {
		k->v(o, 0);
		k->p(o, 1);
	}
	t0 = now() - t0;
	kill_all(waiters, w);
	return t0;
}

static double run_wait_other(const struct kind *k, struct obj *o, long n,
			     long w, double *fair)
{
	double t0;
	long i;
	int j;

	(void)fair;
	for (j = 0; j < w; j++) {
		waiters[j] = spawn();
		if (!waiters[j]) {
			k->p(o, 1);
			_exit(0);
		}
	}
	wait_asleep(k, o, 1, w);
	k->v(o, 0);
	t0 = now();
	for (i = 0; i < n; i++) {
		k->p(o, 0);
		k->v(o, 0);
	}
	t0 = now() - t0;
	kill_all(waiters, w);
	return t0;
}

/*
 * A start line for processes: each waits in gate_wait() until the parent
 * calls gate_open(), so that what is timed leaves their fork()s out.
 */
static void gate_make(int go[2])
{
	if (pipe(go))
		die("pipe for the start line");
}

/* In a child: until the parent opens the gate (EOF on the pipe). */
static void gate_wait(int go[2])
{
	char c;

	close(go[1]);
	if (read(go[0], &c, 1) < 0)
		_exit(1);
}

/* In the parent, once every child is forked: it returns the start time. */
static double gate_open(int go[2])
{
	double t0;

	close(go[0]);
	usleep(10000);
	t0 = now();
	close(go[1]);
	return t0;
}

/*
 * N processes lock, count, unlock until the parent says stop, after
 * "n" microseconds; the result is in seconds per acquisition times n,
 * like the others: total time / acquisitions * n.
 */
static double run_mutex(const struct kind *k, struct obj *o, long usec,
			long nproc, double *fair)
{
	pid_t pids[8];
	int go[2], j;
	long total = 0, most = 0;
	double t0;

	gate_make(go);
	sh->stop = 0;
	for (j = 0; j < nproc; j++) {
		sh->counts[j] = 0;
		pids[j] = spawn();
		if (!pids[j]) {
			long mine = 0;

			gate_wait(go);
			while (!sh->stop) {
				k->lock(o);
				mine++;
				k->unlock(o);
			}
			sh->counts[j] = mine;
			_exit(0);
		}
	}
	t0 = gate_open(go);
	usleep(usec);
	sh->stop = 1;
	t0 = now() - t0;
	for (j = 0; j < nproc; j++)
		reap(pids[j]);
	for (j = 0; j < nproc; j++) {
		total += sh->counts[j];
		if (sh->counts[j] > most)
			most = sh->counts[j];
	}
	if (!total) {
		fprintf(stderr, PROG ": %s: no acquisition in %ld us\n", k->name, usec);
		exit(1);
	}
	*fair = (double)most / ((double)total / nproc);
	return t0 / total * usec;
}

static double run_mbox(const struct kind *k, struct obj *o, long n,
		       long size, double *fair)
{
	static char buf[MAX_MSG];
	double t0 = now();
	pid_t pid;
	long i;

	(void)fair;
	pid = spawn();
	if (!pid) {
		memset(buf, 'x', size);
		for (i = 0; i < n; i++)
			k->send(o, buf, size);
		_exit(0);
	}
	for (i = 0; i < n; i++)
		k->recv(o, buf, size);
	reap(pid);
	return now() - t0;
}

/*
 * MBOX_PEERS senders and as many receivers, n / MBOX_PEERS messages
 * each, through the one queue: from the start line until all are done.
 */
static double run_mbox_many(const struct kind *k, struct obj *o, long n,
			    long size, double *fair)
{
	static char buf[MAX_MSG];
	pid_t pids[2 * MBOX_PEERS];
	int go[2], j;
	double t0;
	long i;

	(void)fair;
	gate_make(go);
	for (j = 0; j < 2 * MBOX_PEERS; j++) {
		pids[j] = spawn();
		if (!pids[j]) {
			gate_wait(go);
			memset(buf, 'x', size);
			for (i = 0; i < n / MBOX_PEERS; i++) {
				if (j < MBOX_PEERS)
					k->send(o, buf, size);
				else
					k->recv(o, buf, size);
			}
			_exit(0);
		}
	}
	t0 = gate_open(go);
	for (j = 0; j < 2 * MBOX_PEERS; j++)
		reap(pids[j]);
	return now() - t0;
}

/* Creation alone, each object removed again untimed: n objects, n times. */
double run_create(const struct kind *k, struct obj *o, long n, long param,
		  double *fair)
{
	double t = 0, t0;
	long i;

	(void)fair;
	for (i = 0; i < n; i++) {
		t0 = now();
		k->create(o, 1, param);
		t += now() - t0;
		k->destroy(o);
	}
	return t;
}

/* ---- the cases -------------------------------------------------------- */

/* Which runs a case belongs to: the measurement, --quick, or both. */
#define FULL	0x1
#define QUICK	0x2
#define BOTH	(FULL | QUICK)

struct bench_case {
	const char *name;
	const char *unit;		/* what one "op" of the figures is */
	run_fn *run;
	prepare_fn *prepare;		/* once before the repetitions, or NULL */
	long n, qn;			/* ops per repetition; qn with --quick */
	long param, qparam;		/* waiters, processes, message or buffer
					 * size, objects; qparam with --quick */
	const char *per;		/* what n counts: "ops" unless said */
	unsigned int nsems;
	unsigned int modes;		/* FULL, QUICK */
	bool own_objects;		/* run() makes (and removes) its objects */
	bool direct;			/* run() returns the figure per op */
	bool size_param;		/* param is a buffer's size in bytes */
	const struct kind *kinds[MAX_VARIANTS];	/* [0] is ipclab's */
};

/*
 * W waiters: 1, 10, 100, 1000; --quick stops at 100, forking a thousand
 * sleepers per variant being most of its time on the debug kernel.
 */
#define WAIT_CASES(w, modes_) \
	{ .name = "wait-same-" #w, .unit = "ns per V + answer", \
	  .run = run_wait_same, .n = 5000, .qn = 50, .param = w, .nsems = 2, \
	  .modes = modes_, .kinds = { &k_lab_sem, &k_sysv_sem } }, \
	{ .name = "wait-other-" #w, .unit = "ns per P+V", \
	  .run = run_wait_other, .n = 5000, .qn = 50, .param = w, .nsems = 2, \
	  .modes = modes_, .kinds = { &k_lab_sem, &k_sysv_sem } }

#define MUTEX_CASE(p) \
	{ .name = "mutex-" #p, .unit = "ns per acquisition", .run = run_mutex, \
	  .n = 300000, .qn = 20000, .param = p, .per = "us", .nsems = 1, \
	  .modes = BOTH, .kinds = { &k_lab_mutex, &k_sysv_mutex, &k_pthread } }

#define MBOX_CASE(label, run_, size) \
	{ .name = "mbox-" label, .unit = "ns per message", .run = run_, \
	  .n = 20000, .qn = 200, .param = size, .nsems = 1, .modes = BOTH, \
	  .kinds = { &k_lab_mbox, &k_posix_mq, &k_sysv_msg, &k_pipe_msg } }

/* A 64 MiB buffer; 1 MiB with --quick. */
#define SHBUF_SIZE (64L << 20)
#define SHBUF_QSIZE (1L << 20)
#define SHBUF_CASE(step, unit_, run_, n_, qn_, own) \
	{ .name = "shbuf-" step, .unit = unit_, .run = run_, .n = n_, \
	  .qn = qn_, .param = SHBUF_SIZE, .qparam = SHBUF_QSIZE, \
	  .modes = BOTH, .own_objects = own, .size_param = true, \
	  .kinds = { &k_lab_shbuf, &k_sysv_shm, &k_memfd } }

/* N objects at once: 10000, 1000 with --quick. */
#define KMEM_CASE(what, unit_, run_, per_, lab, sysv) \
	{ .name = "kmem-" what, .unit = unit_, .run = run_, \
	  .prepare = prepare_kmem, .n = 10000, .qn = 1000, .per = per_, \
	  .modes = BOTH, .own_objects = true, .direct = true, \
	  .kinds = { lab, sysv } }

/*
 * One creation, one P+V while N sets exist: N = 1, 1000, 10000, 100000,
 * or 1 and 100 with --quick.
 */
#define SCALE_CASES(nobj, modes_) \
	{ .name = "scale-create-" #nobj, .unit = "ns per create", \
	  .run = run_create, .prepare = prepare_scale, .n = 200, .qn = 20, \
	  .param = nobj, .modes = modes_, .own_objects = true, \
	  .kinds = { &k_lab_sem, &k_sysv_sem } }, \
	{ .name = "scale-op-" #nobj, .unit = "ns per P+V", \
	  .run = run_uncontended, .prepare = prepare_scale, .n = 20000, \
	  .qn = 200, .param = nobj, .nsems = 1, .modes = modes_, \
	  .kinds = { &k_lab_sem, &k_sysv_sem } }

static const struct bench_case cases[] = {
	{ .name = "uncontended", .unit = "ns per P+V", .run = run_uncontended,
	  .n = 100000, .qn = 1000, .nsems = 1, .modes = BOTH,
	  .kinds = { &k_lab_sem, &k_sysv_sem, &k_posix_sem, &k_efd, &k_lab_floor } },
	{ .name = "ping-pong", .unit = "ns per round trip", .run = run_pingpong,
	  .n = 10000, .qn = 100, .nsems = 2, .modes = BOTH,
	  .kinds = { &k_lab_sem, &k_sysv_sem, &k_posix_sem, &k_efd, &k_pipe } },
	WAIT_CASES(1, BOTH), WAIT_CASES(10, BOTH), WAIT_CASES(100, BOTH),
	WAIT_CASES(1000, FULL),
	MUTEX_CASE(2), MUTEX_CASE(4), MUTEX_CASE(8),
	MBOX_CASE("64B", run_mbox, 64), MBOX_CASE("4KiB", run_mbox, 4096),
	MBOX_CASE("64B-4to4", run_mbox_many, 64),
	MBOX_CASE("4KiB-4to4", run_mbox_many, 4096),
	SHBUF_CASE("create", "ns per create", run_create, 50, 5, true),
	SHBUF_CASE("map", "ns per map", run_shbuf_map, 50, 5, false),
	SHBUF_CASE("touch", "ns per first touch of every page", run_shbuf_touch,
		   1, 1, true),
	SHBUF_CASE("memcpy", "ns per memcpy of the whole buffer",
		   run_shbuf_memcpy, 2, 1, false),
	KMEM_CASE("sem", "bytes per set of 1 semaphore", run_kmem_objects,
		  "objects", &k_lab_sem, &k_sysv_sem),
	KMEM_CASE("mbox", "bytes per empty queue", run_kmem_objects,
		  "objects", &k_lab_mbox_default, &k_sysv_msg),
	KMEM_CASE("shbuf-page", "bytes per page touched", run_kmem_pages,
		  "pages", &k_lab_shbuf, &k_sysv_shm),
	SCALE_CASES(1, BOTH), SCALE_CASES(100, QUICK), SCALE_CASES(1000, FULL),
	SCALE_CASES(10000, FULL), SCALE_CASES(100000, FULL),
};

#define NCASES (sizeof(cases) / sizeof(cases[0]))

/* What a case runs with: its figures in this mode. */
static long case_n(const struct bench_case *c, bool quick)
{
	return quick ? c->qn : c->n;
}

static long case_param(const struct bench_case *c, bool quick)
{
	return quick && c->qparam ? c->qparam : c->param;
}

static const char *case_per(const struct bench_case *c)
{
	return c->per ? c->per : "ops";
}

struct result {
	double ns[MAX_REPS];		/* per repetition */
	double fair[MAX_REPS];
	double med, min, max, fair_med;
	char skip[SKIP_LEN];		/* why this variant did not run */
};

/* One case's outcome: each variant's, what the preparation said. */
struct outcome {
	bool ran;
	long n, param;
	double seconds;			/* the case's wall time */
	char note[400];
	struct result res[MAX_VARIANTS];
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(const double *v, int n, double *min, double *max)
{
	double s[MAX_REPS];

	memcpy(s, v, n * sizeof(*v));
	qsort(s, n, sizeof(*s), cmp_double);
	if (min)
		*min = s[0];
	if (max)
		*max = s[n - 1];
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

static int nvariants(const struct bench_case *c)
{
	int n = 0;

	while (n < MAX_VARIANTS && c->kinds[n])
		n++;
	return n;
}

/*
 * ipclab's median over variant v's; 0 when either did not run, or is 0:
 * shorter than the clock's resolution (a kernel without high-resolution
 * timers, such as the debug kernel on jiffies).
 */
static double ratio(const struct outcome *out, int v)
{
	const struct result *r = out->res;

	if (r[0].skip[0] || r[v].skip[0] || r[0].med <= 0 || r[v].med <= 0)
		return 0;
	return r[0].med / r[v].med;
}

static void run_case(const struct bench_case *c, int reps, struct outcome *out)
{
	int nv = nvariants(c), r, v;
	struct result *res = out->res;
	char skip[MAX_VARIANTS][SKIP_LEN] = { { 0 } };
	double t0 = now();

	if (c->prepare)
		c->prepare(c->kinds, out->n, out->param, skip, out->note,
			   sizeof(out->note));
	for (v = 0; v < nv; v++)
		memcpy(res[v].skip, skip[v], SKIP_LEN);
	for (r = 0; r < reps; r++) {
		for (v = 0; v < nv; v++) {
			struct obj o = { .sh = sh };
			double fair = 0, t;

			if (res[v].skip[0])
				continue;
			if (!c->own_objects)
				c->kinds[v]->create(&o, c->nsems, out->param);
			t = c->run(c->kinds[v], &o, out->n, out->param, &fair);
			if (!c->own_objects)
				c->kinds[v]->destroy(&o);
			res[v].ns[r] = c->direct ? t : t / out->n * 1e9;
			res[v].fair[r] = fair;
		}
	}
	for (v = 0; v < nv; v++) {
		if (res[v].skip[0])
			continue;
		res[v].med = median(res[v].ns, reps, &res[v].min, &res[v].max);
		res[v].fair_med = median(res[v].fair, reps, NULL, NULL);
	}
	out->seconds = now() - t0;
	out->ran = true;
}

/* 64 MiB, 4 KiB, 100 B. */
static const char *human_size(long bytes, char *buf, size_t len)
{
	if (bytes >= 1L << 20 && !(bytes % (1L << 20)))
		snprintf(buf, len, "%ld MiB", bytes >> 20);
	else if (bytes >= 1L << 10 && !(bytes % (1L << 10)))
		snprintf(buf, len, "%ld KiB", bytes >> 10);
	else
		snprintf(buf, len, "%ld B", bytes);
	return buf;
}

static void print_case(const struct bench_case *c, const struct outcome *out)
{
	int nv = nvariants(c), v;
	bool mutex = c->run == run_mutex;
	const struct result *res = out->res;
	char size[32];

	printf("%s (%s", c->name, c->unit);
	if (c->size_param)
		printf(", a buffer of %s", human_size(out->param, size, sizeof(size)));
	printf(", %s per repetition %ld; %.1f s)\n", case_per(c), out->n,
	       out->seconds);
	if (out->note[0])
		printf("  (%s)\n", out->note);
	for (v = 0; v < nv; v++) {
		if (res[v].skip[0]) {
			printf("  %-18s skipped: %s\n", c->kinds[v]->name, res[v].skip);
			continue;
		}
		printf("  %-18s %12.0f %12.0f %12.0f", c->kinds[v]->name,
		       res[v].med, res[v].min, res[v].max);
		if (v && ratio(out, v))
			printf(" %8.2f", ratio(out, v));
		else
			printf(" %8s", "");
		if (mutex)
			printf(" %8.2f", res[v].fair_med);
		printf("\n");
	}
}

/* ---- the goals --------------------------------------------------------
 * Each is a ratio of two medians of this run: variant v of case num over
 * variant w of case den, met when at most target.
 */

struct goal {
	const char *what;
	const char *num;
	int v;
	const char *den;		/* NULL: the same case */
	int w;
	double target;
	unsigned int modes;
};

#define MBOX_GOALS(c) \
	{ c ": ipclab / POSIX mq, time per message", c, 0, NULL, 1, 1.0, BOTH }, \
	{ c ": ipclab / SysV msg, time per message", c, 0, NULL, 2, 1.0, BOTH }

#define WAIT_GOALS(w, modes_) \
	{ "V + answer, " #w " waiters on it / 1 waiter", "wait-same-" #w, 0, \
	  "wait-same-1", 0, 1.5, modes_ }, \
	{ "P+V, " #w " waiters on another / 1 waiter", "wait-other-" #w, 0, \
	  "wait-other-1", 0, 1.5, modes_ }

#define SCALE_GOALS(hi, lo, modes_) \
	{ "create with " #hi " sets / with " #lo, "scale-create-" #hi, 0, \
	  "scale-create-" #lo, 0, 1.2, modes_ }, \
	{ "P+V with " #hi " sets / with " #lo, "scale-op-" #hi, 0, \
	  "scale-op-" #lo, 0, 1.2, modes_ }

static const struct goal goals[] = {
	{ "uncontended P+V: ipclab / SysV semop pair", "uncontended", 0, NULL, 1, 1.0, BOTH },
	{ "uncontended P+V: ipclab / VERSION x2 floor", "uncontended", 0, NULL, 4, 1.3, BOTH },
	WAIT_GOALS(1000, FULL), WAIT_GOALS(100, QUICK),
	SCALE_GOALS(100000, 1000, FULL), SCALE_GOALS(100, 1, QUICK),
	{ "shbuf-create: ipclab / SysV shmget", "shbuf-create", 0, NULL, 1, 2.0, BOTH },
	MBOX_GOALS("mbox-64B"), MBOX_GOALS("mbox-4KiB"),
	MBOX_GOALS("mbox-64B-4to4"), MBOX_GOALS("mbox-4KiB-4to4"),
	{ "kmem-sem: ipclab / SysV, bytes per set", "kmem-sem", 0, NULL, 1, 1.0, BOTH },
	{ "kmem-mbox: ipclab / SysV, bytes per queue", "kmem-mbox", 0, NULL, 1, 1.0, BOTH },
	{ "kmem-shbuf-page: ipclab / SysV, bytes per page", "kmem-shbuf-page", 0,
	  NULL, 1, 1.0, BOTH },
};

#define NGOALS (sizeof(goals) / sizeof(goals[0]))

/* A goal's verdict: value, status, and why when it was not measured. */
struct verdict {
	double value;
	const char *status;		/* "met", "missed", "not measured" */
	char why[SKIP_LEN + 64];
};

static int case_index(const char *name)
{
	unsigned int c;

	for (c = 0; c < NCASES && strcmp(cases[c].name, name); c++)
		;
	return c < NCASES ? (int)c : -1;
}

/*
 * Not measured when a case did not run or a peer was skipped; missed
 * when ipclab itself could not run it (a limit it cannot raise is a
 * goal not reached).
 */
static void judge(const struct goal *g, const struct outcome *outs,
		  struct verdict *vd)
{
	int a = case_index(g->num), b = case_index(g->den ? g->den : g->num);
	const struct result *x, *y;

	vd->value = 0;
	vd->why[0] = '\0';
	vd->status = "not measured";
	/* Every return before the value says why in vd->why. */
	if (a < 0 || b < 0 || !outs[a].ran || !outs[b].ran) {
		snprintf(vd->why, sizeof(vd->why), "%s did not run",
			 a >= 0 && outs[a].ran ? cases[b].name : g->num);
		return;
	}
	x = &outs[a].res[g->v];
	y = &outs[b].res[g->w];
	if (x->skip[0] || y->skip[0]) {
		if ((g->v == 0 && x->skip[0]) || (g->w == 0 && y->skip[0]))
			vd->status = "missed";
		snprintf(vd->why, sizeof(vd->why), "%s: %s",
			 x->skip[0] ? g->num : cases[b].name,
			 x->skip[0] ? x->skip : y->skip);
		return;
	}
	if (x->med <= 0 || y->med <= 0) {
		snprintf(vd->why, sizeof(vd->why),
			 "a median of 0 in %s: below the clock's resolution, %ld ns",
			 x->med <= 0 ? g->num : cases[b].name, clock_res_ns);
		return;
	}
	/* Judged as printed, to 3 decimals: 1.0002 is 1.000, and met. */
	vd->value = round(x->med / y->med * 1000) / 1000;
	vd->status = vd->value <= g->target ? "met" : "missed";
}

static void print_goals(const struct verdict *vd, bool quick)
{
	unsigned int i, met = 0, missed = 0, unmeasured = 0;

	printf("\ngoals (ratios of medians of this run; met when at most the target)\n");
	for (i = 0; i < NGOALS; i++) {
		if (!(goals[i].modes & (quick ? QUICK : FULL)))
			continue;
		if (!vd[i].why[0])
			printf("  %-50s %8.3f  <= %4.2f  %s\n", goals[i].what,
			       vd[i].value, goals[i].target, vd[i].status);
		else
			printf("  %-50s %8s  <= %4.2f  %s (%s)\n", goals[i].what,
			       "-", goals[i].target, vd[i].status, vd[i].why);
		met += !strcmp(vd[i].status, "met");
		missed += !strcmp(vd[i].status, "missed");
		unmeasured += !strcmp(vd[i].status, "not measured");
	}
	printf("goals: %u met, %u missed, %u not measured\n", met, missed, unmeasured);
}

/* ---- JSON ------------------------------------------------------------- */

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void json_case(FILE *f, const struct bench_case *bc,
		      const struct outcome *out, int reps)
{
	int nv = nvariants(bc), v, r;

	fprintf(f, "\"name\": \"%s\", \"unit\": \"%s\", \"n\": %ld, "
		"\"param\": %ld, \"seconds\": %.2f, ", bc->name, bc->unit,
		out->n, out->param, out->seconds);
	if (out->note[0]) {
		fprintf(f, "\"note\": ");
		json_string(f, out->note);
		fprintf(f, ", ");
	}
	fprintf(f, "\"variants\": [\n");
	for (v = 0; v < nv; v++) {
		const struct result *x = &out->res[v];

		fprintf(f, "      {\"name\": ");
		json_string(f, bc->kinds[v]->name);
		if (x->skip[0]) {
			fprintf(f, ", \"skipped\": ");
			json_string(f, x->skip);
		} else {
			fprintf(f, ", \"median\": %.1f, \"min\": %.1f, \"max\": %.1f",
				x->med, x->min, x->max);
			if (v && ratio(out, v))
				fprintf(f, ", \"ratio\": %.3f", ratio(out, v));
			if (bc->run == run_mutex)
				fprintf(f, ", \"fairness\": %.3f", x->fair_med);
			fprintf(f, ", \"samples\": [");
			for (r = 0; r < reps; r++)
				fprintf(f, "%s%.1f", r ? ", " : "", x->ns[r]);
			fprintf(f, "]");
		}
		fprintf(f, "}%s\n", v + 1 < nv ? "," : "");
	}
	fprintf(f, "    ]");
}

static void write_json(const char *path, int reps, bool quick,
		       const struct outcome *outs, const struct verdict *vd)
{
	FILE *f = fopen(path, "w");
	struct utsname u;
	unsigned int c, i;
	bool first;

	if (!f)
		die("open %s", path);
	uname(&u);
	fprintf(f, "{\n  \"program\": \"" PROG "\",\n  \"version\": ");
	json_string(f, ipclab_version());
	fprintf(f, ",\n  \"kernel\": ");
	json_string(f, u.release);
	fprintf(f, ",\n  \"reps\": %d,\n  \"quick\": %s,\n  \"clock_resolution_ns\": %ld,"
		"\n  \"cases\": [", reps, quick ? "true" : "false", clock_res_ns);
	for (c = 0, first = true; c < NCASES; c++) {
		if (!outs[c].ran)
			continue;
		fprintf(f, "%s\n    {", first ? "" : ",");
		first = false;
		json_case(f, &cases[c], &outs[c], reps);
		fprintf(f, "}");
	}
	fprintf(f, "\n  ],\n  \"goals\": [");
	for (i = 0, first = true; i < NGOALS; i++) {
		if (!(goals[i].modes & (quick ? QUICK : FULL)))
			continue;
		fprintf(f, "%s\n    {\"goal\": ", first ? "" : ",");
		first = false;
		json_string(f, goals[i].what);
		if (!vd[i].why[0])
			fprintf(f, ", \"value\": %.3f", vd[i].value);
		else
			fprintf(f, ", \"value\": null");
		fprintf(f, ", \"target\": %.2f, \"status\": \"%s\"", goals[i].target,
			vd[i].status);
		if (vd[i].why[0]) {
			fprintf(f, ", \"why\": ");
			json_string(f, vd[i].why);
		}
		fprintf(f, "}");
	}
	fprintf(f, "\n  ]\n}\n");
	if (fclose(f))
		die("write %s", path);
}

/* ---- the command ------------------------------------------------------ */

static void usage(FILE *f)
{
	unsigned int c;
	size_t col = 0, len;

	fprintf(f,
		"usage: " PROG " [-q] [-r REPS] [-c CASE]... [--json FILE]\n"
		"\n"
		"Time ipclab's semaphores, mutexes, mailboxes and shared buffers\n"
		"against the kernel's own IPC (SysV, POSIX, eventfd, pipes, memfd),\n"
		"the variants of each case in turns, and weigh the kernel memory of\n"
		"each object.  Per variant: median, min and max of the repetitions,\n"
		"and ipclab's median over that variant's (above 1: ipclab took\n"
		"longer, or kept more).  Then the goals, each ratio with its target\n"
		"and met or missed.  As root, the limits of the scale and kmem cases\n"
		"are raised for them and put back; a variant whose limit cannot be\n"
		"raised far enough is skipped, and says why.\n"
		"\n"
		"  -q, --quick      a smoke test: few iterations, 3 repetitions,\n"
		"                   waiters up to 100, 1 MiB buffers, 1000 objects\n"
		"                   for kmem-*, scale-*-1 and scale-*-100 in place of\n"
		"                   the scale cases\n"
		"  -r, --reps N     repetitions per variant (default 5, at most %d)\n"
		"  -c, --case NAME  only this case, or every case whose name begins\n"
		"                   with NAME- (-c scale, -c shbuf); repeatable\n"
		"  -j, --json FILE  write every figure, sample and goal to FILE\n"
		"  -h, --help       this help\n"
		"\n"
		"Cases:", MAX_REPS);
	for (c = 0; c < NCASES; c++) {
		if (!(cases[c].modes & FULL))
			continue;
		len = strlen(cases[c].name);
		if (!col || col + 1 + len > 72) {
			fprintf(f, "\n ");
			col = 1;
		}
		fprintf(f, " %s", cases[c].name);
		col += 1 + len;
	}
	fprintf(f, "\n\nExit status: 0, 1 if an operation failed, 2 on a usage error.\n"
		"A missed goal is a figure, not a failure.\n");
}

/* Does -c NAME select case c (of this mode)?  See usage(). */
static bool selects(const char *name, unsigned int c, bool quick)
{
	size_t len = strlen(name);
	unsigned int mode = quick ? QUICK : FULL, i;

	if (!(cases[c].modes & mode))
		return false;
	if (!strcmp(name, cases[c].name))
		return true;
	for (i = 0; i < NCASES; i++)
		if ((cases[i].modes & mode) && !strcmp(name, cases[i].name))
			return false;
	return !strncmp(name, cases[c].name, len) && cases[c].name[len] == '-';
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "quick", no_argument, NULL, 'q' },
		{ "reps", required_argument, NULL, 'r' },
		{ "case", required_argument, NULL, 'c' },
		{ "json", required_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	static struct outcome outs[NCASES];
	static struct verdict vd[NGOALS];
	const char *json = NULL, *only[NCASES];
	int reps = 5, nonly = 0, opt, i;
	bool quick = false, reps_given = false, any;
	struct timespec res;
	unsigned int c;

	while ((opt = getopt_long(argc, argv, "qr:c:j:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'q':
			quick = true;
			break;
		case 'r':
			reps = atoi(optarg);
			reps_given = true;
			if (reps < 1 || reps > MAX_REPS) {
				fprintf(stderr, PROG ": --reps %s: 1..%d\n", optarg, MAX_REPS);
				return 2;
			}
			break;
		case 'c':
			if (nonly < (int)NCASES)
				only[nonly++] = optarg;
			break;
		case 'j':
			json = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	if (quick && !reps_given)
		reps = 3;
	for (i = 0; i < nonly; i++) {
		for (c = 0, any = false; c < NCASES; c++)
			any |= selects(only[i], c, quick);
		if (!any) {
			fprintf(stderr, PROG ": no case %s%s (-h lists them)\n", only[i],
				quick ? " with --quick" : "");
			return 2;
		}
	}
	if (ipclab_fd() < 0)
		die("open /dev/ipclab");
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		die("mmap of the shared page");
	/* A child that dies must not leave a parent blocked in write(). */
	signal(SIGPIPE, SIG_IGN);
	/* The scale and kmem cases' objects and limits, also on a failure. */
	bench_cleanup_at_exit();
	if (clock_getres(CLOCK_MONOTONIC, &res))
		die("clock_getres CLOCK_MONOTONIC");
	clock_res_ns = res.tv_sec * 1000000000L + res.tv_nsec;
	if (clock_res_ns > 1000)
		printf("clock: CLOCK_MONOTONIC resolves only %ld ns here (no high-resolution\n"
		       "timers): each figure is a multiple of it, one shorter reads 0 and has\n"
		       "no ratio.  Not a measurement.\n", clock_res_ns);

	printf("%-20s %12s %12s %12s %8s %8s\n", "case / variant", "median", "min",
	       "max", "ratio", "fairness");
	for (c = 0; c < NCASES; c++) {
		bool run = !nonly && (cases[c].modes & (quick ? QUICK : FULL));

		for (i = 0; i < nonly; i++)
			run |= selects(only[i], c, quick);
		if (!run)
			continue;
		outs[c].n = case_n(&cases[c], quick);
		outs[c].param = case_param(&cases[c], quick);
		run_case(&cases[c], reps, &outs[c]);
		print_case(&cases[c], &outs[c]);
		fflush(stdout);
	}
	bench_cleanup();
	for (i = 0; i < (int)NGOALS; i++)
		judge(&goals[i], outs, &vd[i]);
	print_goals(vd, quick);
	if (json)
		write_json(json, reps, quick, outs, vd);
	return 0;
}
