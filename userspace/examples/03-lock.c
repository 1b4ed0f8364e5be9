// SPDX-License-Identifier: GPL-2.0
/*
 * 03 - Locking a critical section.
 *
 * A mutex protects a critical section: a process calls lock before it
 * enters and unlock when it leaves.  While one process is inside (it
 * owns the mutex), any other process that calls lock does not get in:
 * it is put to sleep in the mutex's waiting room and uses no CPU.  The
 * unlock hands the mutex to the first process in the waiting room, which
 * wakes up inside the critical section.
 *
 * This process is A.  It locks the mutex, then starts process B, which
 * tries to lock it too.  While A is inside, "ipclab show" shows the mutex
 * from outside: its owner A, and B in the waiting room.  Then both enter
 * a few more times; the lines "enters" and "leaves" of one process are
 * never interleaved with the other's, because only one can be inside.
 *
 * usage: ipclab-ex-lock [-r ROUNDS]   times each process enters (3)
 */
#include <stdio.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "example.h"

static int mutex;

/* One visit to the critical section, which takes a little while. */
static void critical_section(const char *who)
{
	printf("%s: enters the critical section\n", who);
	usleep(20 * 1000);
	printf("%s: leaves, unlock\n", who);
}

static void lock(const char *who)
{
	if (ipclab_lock(mutex))
		ex_die("%s: locking mutex %d", who, mutex);
}

static void unlock(const char *who)
{
	if (ipclab_unlock(mutex))
		ex_die("%s: unlocking mutex %d", who, mutex);
}

int main(int argc, char **argv)
{
	int i, rounds;
	pid_t b;

	ex_init();
	rounds = ex_option(argc, argv, 'r', "ROUNDS", 3);
	prctl(PR_SET_NAME, "lock-A", 0, 0, 0);

	mutex = ipclab_mutex_get(IPCLAB_KEY_PRIVATE, IPCLAB_CREAT, 0600);
	if (mutex < 0 || ipclab_name(mutex, "critical section"))
		ex_die("creating a mutex");

	printf("A (pid %d): lock(mutex %d)\n", getpid(), mutex);
	lock("A");
	printf("A: enters the critical section\n");

	b = ex_fork("lock-B");
	if (b == 0) {
		printf("B (pid %d): lock(mutex %d) - A is inside, so B waits\n",
		       getpid(), mutex);
		for (i = 0; i < rounds; i++) {
			lock("B");
			critical_section("B");
			unlock("B");
		}
		_exit(0);
	}

	/* A is inside; once B is asleep in the waiting room, look. */
	ex_await_waiters(mutex, 1);
	printf("\nWhile A is inside, the mutex seen from outside:\n");
	ex_shell("ipclab show %d", mutex);
	printf("\nA: leaves, unlock\n");
	unlock("A");

	for (i = 1; i < rounds; i++) {
		lock("A");
		critical_section("A");
		unlock("A");
	}
	ex_wait(b);

	if (ipclab_remove(mutex))
		ex_die("removing mutex %d", mutex);
	return 0;
}
