// SPDX-License-Identifier: GPL-2.0
/*
 * 02 - Signaling, and busy waiting versus passive waiting.
 *
 * Part 1.  Section X of process A must run before section Y of process
 * B, whichever process gets to its section first.  A semaphore s,
 * initialised to 0, carries the signal:
 *
 *	A:  X;  V(s)			B:  P(s);  Y
 *
 * If B arrives first, its P finds s = 0 and B sleeps until A's V.  If A
 * arrives first, its V leaves s = 1 and B's P goes straight through.
 * Either way X comes before Y.  Here B arrives first: A is slow.
 *
 * Part 2.  B has to wait for A.  It can wait busily, asking again and
 * again in a loop whether A is done (a flag in shared memory), or
 * passively, asleep in a P until A's V wakes it.  Both wait equally long;
 * the difference is what the waiting costs.  The busy waiter burns a
 * whole CPU doing nothing useful; the passive waiter uses none, leaving
 * the CPU to A and everybody else.  B measures the CPU time it consumed
 * while it waited (CLOCK_PROCESS_CPUTIME_ID) and prints it.
 *
 * usage: ipclab-ex-signal [-t MILLISECONDS]   how long A takes (500)
 */
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

#include "example.h"

static int work_ms;

/* Part 1: X before Y. */
static void x_before_y(int sem)
{
	pid_t a, b;

	b = ex_fork("signal-B");
	if (b == 0) {
		printf("B: wants to run section Y; first P(s) on semaphore set %d\n", sem);
		P(sem, 0);
		printf("B: section Y\n");
		_exit(0);
	}
	a = ex_fork("signal-A");
	if (a == 0) {
		usleep(work_ms * 1000);		/* A is slow to get there */
		printf("A: section X, then V(s)\n");
		V(sem, 0);
		_exit(0);
	}
	ex_wait(a);
	ex_wait(b);
}

/* Part 2: how much CPU time does waiting cost? */
static void waiting(int sem, atomic_int *done, int passive)
{
	double t0, cpu0, t, cpu;
	pid_t a, b;

	atomic_store(done, 0);
	b = ex_fork(passive ? "wait-passive" : "wait-busy");
	if (b == 0) {
		t0 = ex_now();
		cpu0 = ex_cpu_time();
		if (passive) {
			P(sem, 0);		/* asleep until A's V */
		} else {
			while (!atomic_load(done))
				;		/* is A done yet?  is A done yet? ... */
		}
		t = ex_now() - t0;
		cpu = ex_cpu_time() - cpu0;
		printf("  %-16s B waited %.3f s and used %.3f s of CPU time (%.0f%%)\n",
		       passive ? "passive waiting:" : "busy waiting:", t, cpu,
		       100 * cpu / t);
		_exit(0);
	}
	a = ex_fork("signal-A");
	if (a == 0) {
		usleep(work_ms * 1000);		/* A's work */
		if (passive)
			V(sem, 0);
		else
			atomic_store(done, 1);
		_exit(0);
	}
	ex_wait(a);
	ex_wait(b);
}

int main(int argc, char **argv)
{
	atomic_int *done;
	size_t size;
	int sem, shbuf;

	ex_init();
	work_ms = ex_option(argc, argv, 't', "MILLISECONDS", 500);

	/* A new semaphore set of one semaphore starts at 0. */
	sem = ipclab_sem_get(IPCLAB_KEY_PRIVATE, 1, IPCLAB_CREAT, 0600);
	if (sem < 0 || ipclab_name(sem, "s"))
		ex_die("creating a semaphore set");
	shbuf = ipclab_shbuf_get(IPCLAB_KEY_PRIVATE, sizeof(*done), IPCLAB_CREAT, 0600);
	if (shbuf < 0)
		ex_die("creating a shared buffer");
	done = ipclab_attach(shbuf, 0, &size);
	if (!done)
		ex_die("attaching shared buffer %d", shbuf);

	printf("Part 1: section X of A before section Y of B, s = 0 at the start\n");
	x_before_y(sem);

	printf("\nPart 2: B waits for A, who works for %d ms\n", work_ms);
	waiting(sem, done, 0);
	waiting(sem, done, 1);

	if (ipclab_detach(done, size) || ipclab_remove(shbuf))
		ex_die("removing shared buffer %d", shbuf);
	if (ipclab_remove(sem))
		ex_die("removing semaphore set %d", sem);
	return 0;
}
