/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A shared counter in SysV IPC: the interface between main.c (given) and
 * counter.c (yours).
 *
 * Workers add 1 to a counter in a shared memory segment, each of them
 * many times, one at a time thanks to a semaphore; each tells the parent
 * in a message when it is done.  Three SysV objects, made by setup():
 *	semid	a set of one semaphore, "lock": 1 while nobody is inside
 *	shmid	a shared memory segment holding struct shared, "counter"
 *	msqid	a message queue, "done": one struct done per worker
 */
#ifndef COUNTER_H
#define COUNTER_H

/* What the shared memory segment holds. */
struct shared {
	long counter;
};

/* A worker's message to the parent: it is done, after so many increments. */
#define DONE	1		/* the type of every message in "done" */
struct done {
	long mtype;		/* DONE */
	int worker;		/* 1, 2, ... */
	int increments;
};

/* semctl(2) says the caller defines it. */
union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
};

extern int semid, shmid, msqid;

void setup(void);			/* the parent, before the workers */
struct shared *attach(void);		/* NULL when it fails */
void detach(struct shared *s);
void enter(void);			/* P(lock) */
void leave(void);			/* V(lock) */
void report(int worker, int increments);	/* a worker: "I am done" */
int collect(int *increments);		/* the parent: one worker's message */
void cleanup(void);			/* the parent, at the end */

#endif
