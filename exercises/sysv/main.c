// SPDX-License-Identifier: GPL-2.0
/*
 * A shared counter in SysV IPC: the given program, which runs your
 * counter.c.
 *
 * WORKERS workers each add 1 to the shared counter TIMES times, between
 * enter() and leave(): read it, pause, write it back plus one (the pause,
 * -d microseconds, makes a lost update likely when nothing keeps the
 * workers apart).  Each one reports to the parent when it is done; the
 * parent collects the messages, checks that the counter is WORKERS x
 * TIMES and removes the objects.
 *
 * The program is linked with libipclab-sysv.a: its semget(), semop(),
 * shmat(), msgsnd() and the others are ipclab's, so that "ipclab ls",
 * "ipclab show" and the trace events show its objects.
 *
 * usage: counter [-w WORKERS] [-m TIMES] [-d USEC]
 */
#include <stdbool.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>

#include "exercise.h"
#include "counter.h"

static int workers = 4, times = 50, delay = 200;

static void worker(int w)
{
	struct shared *s = attach();
	long v;
	int i;

	if (!s) {
		fprintf(stderr, "worker-%d: attach() gave no memory\n", w);
		exit(1);
	}
	for (i = 0; i < times; i++) {
		enter();
		v = s->counter;
		if (delay)
			usleep(delay);
		s->counter = v + 1;
		leave();
	}
	report(w, times);
	detach(s);
}

/* Whether the object is still there after cleanup(). */
static bool sem_left(void)
{
	return semid >= 0 && semctl(semid, 0, GETVAL) >= 0;
}

static bool shm_left(void)
{
	struct shmid_ds ds;

	return shmid >= 0 && shmctl(shmid, IPC_STAT, &ds) == 0;
}

static bool msg_left(void)
{
	struct msqid_ds ds;

	return msqid >= 0 && msgctl(msqid, IPC_STAT, &ds) == 0;
}

int main(int argc, char **argv)
{
	int c, i, w, n, failed = 0, reports = 0, bogus = 0;
	char name[33][24];
	bool seen[33] = { false };
	struct shared *s;
	long counter = -1, expected;
	pid_t pid[33];

	while ((c = getopt(argc, argv, "w:m:d:")) != -1) {
		switch (c) {
		case 'w': workers = number(optarg, 1000000); break;
		case 'm': times = number(optarg, 1000000); break;
		case 'd': delay = number(optarg, 1000000); break;
		default:
			fprintf(stderr, "usage: %s [-w WORKERS] [-m TIMES] [-d USEC]\n", argv[0]);
			return 2;
		}
	}
	if (workers < 1 || workers > 32) {
		fprintf(stderr, "counter: 1 to 32 workers\n");
		return 2;
	}
	expected = (long)workers * times;
	fact("main", "%d", (int)getpid());

	setup();
	if (semid < 0 || shmid < 0 || msqid < 0) {
		fprintf(stderr, "counter: setup() made semid %d, shmid %d, msqid %d\n",
			semid, shmid, msqid);
		return 1;
	}
	name_object(semid, "lock");
	name_object(shmid, "counter");
	name_object(msqid, "done");
	/* Asked of ipclab itself: these are its objects, not the kernel's SysV ones. */
	fact("ipclab", "%d", ipclab_sem_getval(semid, 0) >= 0);
	fact("init.lock", "%d", semctl(semid, 0, GETVAL));
	printf("semaphore lock %d = %d, shared memory counter %d, message queue done %d\n",
	       semid, semctl(semid, 0, GETVAL), shmid, msqid);

	for (i = 1; i <= workers; i++) {
		snprintf(name[i], sizeof(name[i]), "worker-%d", i);
		pid[i] = spawn(name[i], worker, i);
	}
	for (i = 0; i < workers; i++) {
		w = collect(&n);
		if (w < 1 || w > workers || seen[w]) {
			fprintf(stderr, "counter: a message from worker %d\n", w);
			bogus++;
			continue;
		}
		seen[w] = true;
		reports++;
	}
	for (i = 1; i <= workers; i++)
		failed += reap(pid[i], name[i]) != 0;

	s = attach();
	if (s) {
		counter = s->counter;
		detach(s);
	}
	fact("reports", "%d", reports);
	fact("counter", "%ld", counter);
	fact("expected", "%ld", expected);
	printf("%d workers x %d: the counter is %ld (%s %ld); %d workers reported\n",
	       workers, times, counter, counter == expected ? "as expected:" : "expected", expected,
	       reports);

	cleanup();
	fact("left", "%s%s%s", sem_left() ? " lock" : "", shm_left() ? " counter" : "",
	     msg_left() ? " done" : "");
	return failed || bogus || reports != workers || counter != expected;
}
