// SPDX-License-Identifier: GPL-2.0
/*
 * sysv_prog - a plain System V IPC program, for sysv_test.
 *
 *   sysv_prog KEY [READY_FD GO_FD]
 *   sysv_prog --get KEY
 *
 * It uses semget/semop/semtimedop/semctl, msgget/msgsnd/msgrcv/msgctl and
 * shmget/shmat/shmdt/shmctl from libc, the way any SysV program does, on
 * one semaphore set, one message queue and one shared memory segment with
 * the key KEY, and prints what it sees: values, errnos by name, message
 * types and texts, nattch.  Never an id, a pid or a time, so two runs
 * print the same - whether the calls reach the kernel's SysV IPC or, with
 * LD_PRELOAD=libipclab-sysv.so, ipclab.
 *
 * With READY_FD and GO_FD it writes 'r' to READY_FD once all three
 * objects exist and waits for a byte (or EOF) on GO_FD before removing
 * them, so that its caller can look where the objects live.
 *
 * Built dynamically, unlike the tests: LD_PRELOAD needs the dynamic
 * loader.  Exit status: 0 when every step ran (whatever it printed), 1
 * when setup failed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
	struct seminfo *__buf;
};

struct msg {
	long mtype;
	char mtext[64];
};

static const char *err(int ret)
{
	static char buf[32];

	if (ret != -1)
		return "ok";
	switch (errno) {
	case EACCES: return "EACCES";
	case EAGAIN: return "EAGAIN";
	case E2BIG: return "E2BIG";
	case EEXIST: return "EEXIST";
	case EFBIG: return "EFBIG";
	case EIDRM: return "EIDRM";
	case EINTR: return "EINTR";
	case EINVAL: return "EINVAL";
	case ENOENT: return "ENOENT";
	case ENOSYS: return "ENOSYS";
	case ENOMSG: return "ENOMSG";
	case ENOSPC: return "ENOSPC";
	case EPERM: return "EPERM";
	case ERANGE: return "ERANGE";
	}
	snprintf(buf, sizeof(buf), "errno %d", errno);
	return buf;
}

static void die(const char *what)
{
	fprintf(stderr, "sysv_prog: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* Run fn in a child and print how it ended. */
static void in_child(const char *what, int (*fn)(void *), void *arg)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0)
		_exit(fn(arg));
	if (waitpid(pid, &status, 0) != pid)
		die("waitpid");
	if (WIFEXITED(status))
		printf("%s: child exited %d\n", what, WEXITSTATUS(status));
	else
		printf("%s: child killed by signal %d\n", what, WTERMSIG(status));
}

static int sem;

static void getall(const char *when)
{
	unsigned short v[2] = { 99, 99 };
	int ret = semctl(sem, 0, GETALL, (union semun){ .array = v });

	printf("sem: GETALL %s: %s %u %u\n", when, err(ret), v[0], v[1]);
}

static int one_op(int num, int op, int flg)
{
	struct sembuf b = { .sem_num = num, .sem_op = op, .sem_flg = flg };

	return semop(sem, &b, 1);
}

/* A child that gives with undo (reverted at its exit) and without. */
static int sem_child(void *arg)
{
	if (one_op(1, 1, SEM_UNDO) || one_op(0, 1, 0))
		return 1;
	return semctl(sem, 1, GETVAL) == 1 ? 0 : 2;
}

static void semaphores(key_t key)
{
	struct timespec t = { .tv_sec = 0, .tv_nsec = 20 * 1000000 };
	struct sembuf p1 = { .sem_num = 1, .sem_op = -1 };
	unsigned short init[2] = { 1, 0 };
	struct semid_ds ds;
	int ret;

	sem = semget(key, 2, IPC_CREAT | IPC_EXCL | 0600);
	if (sem < 0)
		die("semget");
	printf("sem: created\n");
	printf("sem: semget excl again: %s\n", err(semget(key, 2, IPC_CREAT | IPC_EXCL | 0600)));
	printf("sem: semget 3 of 2: %s\n", err(semget(key, 3, 0)));
	printf("sem: semget again finds it: %s\n", semget(key, 0, 0) == sem ? "yes" : "no");
	printf("sem: SETALL: %s\n", err(semctl(sem, 0, SETALL, (union semun){ .array = init })));
	getall("after SETALL");
	printf("sem: P(0) with undo: %s\n", err(one_op(0, -1, SEM_UNDO)));
	printf("sem: P(1) nowait: %s\n", err(one_op(1, -1, IPC_NOWAIT)));
	printf("sem: semtimedop P(1) 20 ms: %s\n", err(semtimedop(sem, &p1, 1, &t)));
	printf("sem: V(0) by 32767: %s\n", err(one_op(0, 32767, 0)));
	printf("sem: V(0) by 1 more: %s\n", err(one_op(0, 1, 0)));
	printf("sem: P(0) by 32767: %s\n", err(one_op(0, -32767, IPC_NOWAIT)));
	printf("sem: op on semaphore 2: %s\n", err(one_op(2, 1, 0)));
	printf("sem: GETVAL of semaphore 2: %s\n", err(semctl(sem, 2, GETVAL)));
	in_child("sem: V(1) with undo, V(0)", sem_child, NULL);
	getall("after the child");
	printf("sem: GETNCNT: %d GETZCNT: %d\n", semctl(sem, 0, GETNCNT), semctl(sem, 0, GETZCNT));
	ret = semctl(sem, 0, IPC_STAT, (union semun){ .buf = &ds });
	printf("sem: IPC_STAT: %s nsems %lu mode %o\n", err(ret),
	       (unsigned long)ds.sem_nsems, ds.sem_perm.mode);
	ret = semctl(sem, 0, SETVAL, (union semun){ .val = 40000 });
	printf("sem: SETVAL 40000: %s\n", err(ret));
}

static int msq;

static void send_msg(long type, const char *text)
{
	struct msg m = { .mtype = type };

	memcpy(m.mtext, text, strlen(text));
	printf("msg: send %ld \"%s\": %s\n", type, text, err(msgsnd(msq, &m, strlen(text), 0)));
}

static void receive(size_t size, long type, int flg)
{
	struct msg m;
	ssize_t n;

	memset(&m, 0, sizeof(m));
	n = msgrcv(msq, &m, size, type, flg);
	if (n < 0)
		printf("msg: receive %ld (flags %#x): %s\n", type, flg, err(-1));
	else
		printf("msg: receive %ld (flags %#x): type %ld \"%.*s\"\n", type, flg,
		       m.mtype, (int)n, m.mtext);
}

static void qstat(void)
{
	struct msqid_ds ds;
	int ret = msgctl(msq, IPC_STAT, &ds);

	printf("msg: IPC_STAT: %s qnum %lu cbytes %lu qbytes %lu mode %o\n", err(ret),
	       (unsigned long)ds.msg_qnum, (unsigned long)ds.__msg_cbytes,
	       (unsigned long)ds.msg_qbytes, ds.msg_perm.mode);
}

static void messages(key_t key)
{
	struct msg m = { .mtype = 0 };

	msq = msgget(key, IPC_CREAT | IPC_EXCL | 0600);
	if (msq < 0)
		die("msgget");
	printf("msg: created\n");
	printf("msg: msgget excl again: %s\n", err(msgget(key, IPC_CREAT | IPC_EXCL | 0600)));
	send_msg(2, "two");
	send_msg(1, "one");
	send_msg(3, "three");
	send_msg(1, "uno");
	qstat();
	receive(64, 1, 0);
	receive(64, -2, 0);
	receive(64, 2, MSG_EXCEPT);
	receive(2, 0, 0);
	receive(2, 0, MSG_NOERROR);
	receive(64, 0, IPC_NOWAIT);
	printf("msg: send type 0: %s\n", err(msgsnd(msq, &m, 1, 0)));
	qstat();
}

static int shm;
static char *mem;

static void sstat(const char *when)
{
	struct shmid_ds ds;
	int ret = shmctl(shm, IPC_STAT, &ds);

	printf("shm: IPC_STAT %s: %s", when, err(ret));
	if (!ret)
		printf(" segsz %zu nattch %lu mode %o%s", ds.shm_segsz,
		       (unsigned long)ds.shm_nattch, ds.shm_perm.mode & 0777,
		       ds.shm_perm.mode & SHM_DEST ? " dest" : "");
	printf("\n");
}

static int shm_child(void *arg)
{
	struct shmid_ds ds;

	if (shmctl(shm, IPC_STAT, &ds) || ds.shm_nattch != 2)
		return 1;
	mem[0] = 'J';
	return shmdt(mem) ? 2 : 0;
}

static void shared_memory(key_t key)
{
	char *ro;

	shm = shmget(key, 5000, IPC_CREAT | IPC_EXCL | 0600);
	if (shm < 0)
		die("shmget");
	printf("shm: created\n");
	printf("shm: shmget 6000 of 5000: %s\n", err(shmget(key, 6000, 0)));
	mem = shmat(shm, NULL, 0);
	if (mem == (void *)-1)
		die("shmat");
	strcpy(mem, "hello");
	sstat("attached");
	in_child("shm: write and shmdt", shm_child, NULL);
	printf("shm: reads \"%s\"\n", mem);
	sstat("after the child");
	ro = shmat(shm, NULL, SHM_RDONLY);
	printf("shm: read-only attach: %s, reads \"%s\"\n", err(ro == (void *)-1 ? -1 : 0),
	       ro == (void *)-1 ? "" : ro);
	sstat("attached twice");
	printf("shm: shmdt read-only: %s\n", err(shmdt(ro)));
	printf("shm: shmdt it again: %s\n", err(shmdt(ro)));
	sstat("attached once");
}

static void pause_for_caller(int argc, char **argv)
{
	char c;

	if (argc < 4)
		return;
	fflush(stdout);
	if (write(atoi(argv[2]), "r", 1) != 1)
		die("write READY_FD");
	if (read(atoi(argv[3]), &c, 1) < 0)
		die("read GO_FD");
}

static void removal(void)
{
	printf("shm: IPC_RMID while attached: %s\n", err(shmctl(shm, IPC_RMID, NULL)));
	sstat("removed");
	printf("shm: still reads \"%s\"\n", mem);
	printf("shm: shmdt: %s\n", err(shmdt(mem)));
	sstat("detached");
	printf("msg: IPC_RMID: %s\n", err(msgctl(msq, IPC_RMID, NULL)));
	printf("msg: IPC_RMID again: %s\n", err(msgctl(msq, IPC_RMID, NULL)));
	printf("sem: IPC_RMID: %s\n", err(semctl(sem, 0, IPC_RMID)));
	printf("sem: GETVAL after: %s\n", err(semctl(sem, 0, GETVAL)));
}

/*
 * --get: only semget, msgget and shmget, twice each, and what they
 * return: what a program sees where they fail (no ipclab module, with
 * LD_PRELOAD).  What they create is removed again.
 */
static int get_only(key_t key)
{
	int i, id;

	for (i = 0; i < 2; i++) {
		id = semget(key, 1, IPC_CREAT | 0600);
		printf("semget: %s\n", err(id));
		if (id >= 0)
			semctl(id, 0, IPC_RMID);
		id = msgget(key, IPC_CREAT | 0600);
		printf("msgget: %s\n", err(id));
		if (id >= 0)
			msgctl(id, IPC_RMID, NULL);
		id = shmget(key, 4096, IPC_CREAT | 0600);
		printf("shmget: %s\n", err(id));
		if (id >= 0)
			shmctl(id, IPC_RMID, NULL);
	}
	return 0;
}

int main(int argc, char **argv)
{
	key_t key;

	if (argc == 3 && !strcmp(argv[1], "--get"))
		return get_only(atoi(argv[2]));
	if (argc != 2 && argc != 4) {
		fprintf(stderr, "usage: sysv_prog KEY [READY_FD GO_FD]\n"
			"       sysv_prog --get KEY\n");
		return 1;
	}
	key = atoi(argv[1]);
	if (key == IPC_PRIVATE) {
		fprintf(stderr, "sysv_prog: KEY must not be 0\n");
		return 1;
	}
	setvbuf(stdout, NULL, _IOFBF, 0);
	semaphores(key);
	messages(key);
	shared_memory(key);
	pause_for_caller(argc, argv);
	removal();
	printf("done\n");
	return 0;
}
