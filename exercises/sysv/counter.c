// SPDX-License-Identifier: GPL-2.0
/*
 * A shared counter: the SysV IPC, yours to write, with the calls of
 * <sys/sem.h>, <sys/shm.h> and <sys/msg.h> only.
 *
 * main.c runs workers that each attach() the shared memory, add 1 to its
 * counter many times, each time between enter() and leave(), report()
 * to the parent and detach().  The parent collect()s one message per
 * worker, checks the counter and calls cleanup().  The increment reads
 * the counter, waits a little and writes it back: without the semaphore
 * two workers read the same value and one of the two increments is lost.
 */
#include <stddef.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>

#include "counter.h"

int semid = -1, shmid = -1, msqid = -1;

void setup(void)
{
	/*
	 * TODO 1: create (IPC_PRIVATE, IPC_CREAT, mode 0600) a set of one
	 * semaphore and give it its first value (semctl SETVAL), a shared
	 * memory segment of sizeof(struct shared), and a message queue.
	 */
	/* BEGIN SOLUTION */
	union semun arg = { .val = 1 };

	semid = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
	if (semid >= 0 && semctl(semid, 0, SETVAL, arg) < 0)
		semid = -1;
	shmid = shmget(IPC_PRIVATE, sizeof(struct shared), IPC_CREAT | 0600);
	msqid = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	/* END SOLUTION */
}

struct shared *attach(void)
{
	/* TODO 2: attach the segment; NULL if shmat() fails. */
	/* BEGIN SOLUTION */
	void *at = shmat(shmid, NULL, 0);

	return at == (void *)-1 ? NULL : at;
	/* END SOLUTION stub: return NULL; */
}

void detach(struct shared *s)
{
	/* TODO 3: detach it. */
	/* BEGIN SOLUTION */
	shmdt(s);
	/* END SOLUTION stub: (void)s; */
}

void enter(void)
{
	/* TODO 4: P on the semaphore (SEM_UNDO: given back if the worker dies). */
	/* BEGIN SOLUTION */
	struct sembuf p = { .sem_num = 0, .sem_op = -1, .sem_flg = SEM_UNDO };

	semop(semid, &p, 1);
	/* END SOLUTION */
}

void leave(void)
{
	/* TODO 5: V on the semaphore. */
	/* BEGIN SOLUTION */
	struct sembuf v = { .sem_num = 0, .sem_op = 1, .sem_flg = SEM_UNDO };

	semop(semid, &v, 1);
	/* END SOLUTION */
}

void report(int worker, int increments)
{
	struct done msg = { .mtype = DONE, .worker = worker, .increments = increments };

	/* TODO 6: send msg to the parent (the size excludes mtype). */
	/* BEGIN SOLUTION */
	msgsnd(msqid, &msg, sizeof(msg) - offsetof(struct done, worker), 0);
	/* END SOLUTION stub: (void)msg; */
}

int collect(int *increments)
{
	/* TODO 7: wait for a message of type DONE; return its worker (-1 on failure). */
	/* BEGIN SOLUTION */
	struct done msg;

	if (msgrcv(msqid, &msg, sizeof(msg) - offsetof(struct done, worker), DONE, 0) < 0)
		return -1;
	*increments = msg.increments;
	return msg.worker;
	/* END SOLUTION stub: (void)increments; return -1; */
}

void cleanup(void)
{
	/* TODO 8: remove the three objects (IPC_RMID). */
	/* BEGIN SOLUTION */
	semctl(semid, 0, IPC_RMID);
	shmctl(shmid, IPC_RMID, NULL);
	msgctl(msqid, IPC_RMID, NULL);
	/* END SOLUTION */
}
