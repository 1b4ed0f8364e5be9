// SPDX-License-Identifier: GPL-2.0
/*
 * 05 - Deadlock: two processes, two mutexes, opposite order.
 *
 *	P1:  lock(M1); lock(M2); ... unlock both
 *	P2:  lock(M2); lock(M1); ... unlock both
 *
 * If P1 gets M1 and P2 gets M2 before either gets its second mutex, P1
 * waits for P2 to unlock M2 and P2 waits for P1 to unlock M1: both wait
 * for good.  Here the unlucky timing is made certain (pipes hold each
 * process after its first lock until both have one).  All four of
 * Coffman's conditions hold, and a deadlock needs all four:
 *
 *   1. mutual exclusion  a mutex has at most one owner;
 *   2. hold and wait     each holds one mutex while it waits for another;
 *   3. no preemption     nobody can take a mutex from its owner; only the
 *                        owner unlocks it;
 *   4. circular wait     P1 waits for P2 (M2), P2 waits for P1 (M1).
 *
 * "ipclab deadlock" finds it in the kernel's state: who holds what, who
 * waits for what, and that no process can go on.  Nothing inside ends
 * it; from outside, killing one process does (its mutex is robust, so
 * the other gets it with EOWNERDEAD).
 *
 * With --refuse the mutexes are created with IPCLAB_REFUSE_DEADLOCK:
 * a lock that would close the cycle (condition 4) fails with EDEADLK
 * instead of waiting, and ipclab_last_cycle() says which cycle.  P2 then
 * gives up M2 and tries again later (no more hold and wait), and both
 * finish.  Taking the mutexes in the same order in every process would
 * prevent the cycle in the first place: that is --ordered, where both
 * lock M1 first.  P2 then waits for M1 holding nothing, no cycle can
 * form (condition 4 is broken), and both finish.
 *
 * The run names each condition where it shows it: mutual exclusion by a
 * trylock of M1 that is EBUSY, no preemption by an unlock of M1 from
 * outside that is EPERM, hold and wait and circular wait by what
 * "ipclab deadlock" reads in the kernel.
 *
 * With --step the interleaving is the teacher's: each process stops
 * before each lock (ipclab_point()) until "ipclab step" releases it.
 * P1, P2, P1, P2 is the deadlock; P1, P1, P2, P2 is none.
 *
 * usage: ipclab-ex-deadlock [--refuse | --ordered | --step]
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "example.h"

static int m1, m2;
static int ready[2];			/* a pipe: "I hold my first mutex" */

static const char *mname(int id)
{
	return id == m1 ? "M1" : "M2";
}

/*
 * Lock and say how it went.  Returns 0, or EDEADLK when the lock was
 * refused; any other error ends the process.
 */
static int lock(const char *who, int id)
{
	errno = 0;
	if (ipclab_lock(id) == 0) {
		printf("%s: lock(%s): ok\n", who, mname(id));
		return 0;
	}
	if (errno == EDEADLK)
		return EDEADLK;
	if (errno != EOWNERDEAD)
		ex_die("%s: locking mutex %d", who, id);
	printf("%s: lock(%s): EOWNERDEAD, %s has it now: its owner was killed\n",
	       who, mname(id), who);
	if (ipclab_consistent(id))
		ex_die("%s: making mutex %d consistent", who, id);
	return 0;
}

static void unlock_both(const char *who)
{
	if (ipclab_unlock(m1) || ipclab_unlock(m2))
		ex_die("%s: unlocking", who);
	printf("%s: unlock(M1), unlock(M2): done\n", who);
}

/* Print the cycle that made this process's lock fail with EDEADLK. */
static void print_cycle(void)
{
	struct ipclab_cycle_entry c[8];
	int n, i;

	n = ipclab_last_cycle(c, 8);
	if (n < 0)
		ex_die("asking for the cycle");
	for (i = 0; i < n && i < 8; i++) {
		if (c[i].flags & IPCLAB_CYCLE_HIDDEN) {
			printf("      (a process waiting for an object you may not read)\n");
			continue;
		}
		printf("      pid %d (%s) would wait for %s, which pid %d (%s) holds\n",
		       c[i].pid, c[i].comm, mname(c[i].id), c[(i + 1) % n].pid,
		       c[(i + 1) % n].comm);
	}
}

/* A process: first, then (after "go") second; go is its pipe's read end. */
static void process(const char *who, int first, int second, int go)
{
	char c;

	ipclab_point("lock first");
	if (lock(who, first))
		ex_die("%s: locking mutex %d", who, first);
	/* go < 0: no handshake (--ordered's P2, --step). */
	if (go >= 0 && (write(ready[1], "r", 1) != 1 || read(go, &c, 1) != 1))
		ex_die("%s: waiting for the go", who);

	ipclab_point("lock second");
	printf("%s: lock(%s) ...\n", who, mname(second));
	if (lock(who, second) == EDEADLK) {
		printf("%s: lock(%s): EDEADLK, waiting would close this cycle:\n",
		       who, mname(second));
		print_cycle();
		printf("%s: unlock(%s), and try again in the same order\n", who,
		       mname(first));
		if (ipclab_unlock(first))
			ex_die("%s: unlocking mutex %d", who, first);
		if (lock(who, first) || lock(who, second))
			ex_die("%s: locking again", who);
	}
	unlock_both(who);
}

/* The four conditions, each where this run shows it. */
static void conditions(void)
{
	printf("\nThe four conditions, all of them met:\n");
	errno = 0;
	if (ipclab_trylock(m1) == 0 || errno != EBUSY)
		ex_die("trying mutex %d", m1);
	printf("  1. mutual exclusion: M1 has one owner; a trylock of M1 here: EBUSY\n");
	printf("  2. hold and wait: P1 holds M1 and waits for M2, P2 holds M2 and waits\n"
	       "     for M1 (\"ipclab deadlock\" below reads it in the kernel)\n");
	errno = 0;
	if (ipclab_unlock(m1) == 0 || errno != EPERM)
		ex_die("unlocking mutex %d from outside", m1);
	printf("  3. no preemption: only its owner unlocks M1; an unlock here: EPERM\n");
	printf("  4. circular wait: P1 -> M2 -> P2 -> M1 -> P1\n");
}

/* Both wait for good: the conditions, the kernel's view, and the way out. */
static void deadlocked(pid_t p2)
{
	printf("\nP1 waits for P2 and P2 waits for P1: a deadlock.\n");
	conditions();
	ex_shell("ipclab deadlock");
	printf("\nNothing inside can end it.  From outside: kill P2 (SIGKILL).\n");
	kill(p2, SIGKILL);
	waitpid(p2, NULL, 0);
}

/* Does object id have a process in its waiting room? */
static bool has_waiter(int id)
{
	struct ipclab_stat st = { .id = id };

	if (ipclab_stat(&st))
		ex_die("looking at mutex %d", id);
	return st.nwaiters > 0;
}

/*
 * --step: the processes go as released; a deadlock is both mutexes with
 * a waiter, ended as without stepping; or both finish.
 */
static void stepped(void)
{
	pid_t p1, p2;
	int status;

	ex_step_setup();
	printf("Stepping: each process stops before each lock; release them with\n"
	       "'ipclab step P1' or 'ipclab step P2' in a second console.\n\n");
	p1 = ex_fork("P1");
	if (p1 == 0) {
		process("P1", m1, m2, -1);
		_exit(0);
	}
	p2 = ex_fork("P2");
	if (p2 == 0) {
		process("P2", m2, m1, -1);
		_exit(0);
	}
	for (;;) {
		if (waitpid(p1, &status, WNOHANG) == p1) {
			ex_wait(p2);
			printf("\nBoth finished: this interleaving made no deadlock.\n");
			return;
		}
		if (has_waiter(m1) && has_waiter(m2))
			break;
		usleep(10000);
	}
	deadlocked(p2);
	ex_wait(p1);
}

/* --ordered: both lock M1, then M2; P2 waits for M1 holding nothing. */
static void ordered(void)
{
	int go[2];
	pid_t p1, p2;
	char c;

	if (pipe(ready) || pipe(go))
		ex_die("pipe");
	p1 = ex_fork("P1");
	if (p1 == 0) {
		process("P1", m1, m2, go[0]);
		_exit(0);
	}
	if (read(ready[0], &c, 1) != 1)
		ex_die("waiting for P1");
	p2 = ex_fork("P2");
	if (p2 == 0) {
		printf("P2: lock(M1) ...\n");
		process("P2", m1, m2, -1);
		_exit(0);
	}
	ex_await_waiters(m1, 1);
	printf("\nP2 waits for M1 and holds nothing: no circular wait can form"
	       " (condition 4 broken).\n\n");
	if (write(go[1], "g", 1) != 1)
		ex_die("starting P1");
	ex_wait(p1);
	ex_wait(p2);
	printf("\nBoth finished: one order for all prevents the deadlock.\n");
}

int main(int argc, char **argv)
{
	int flags = IPCLAB_CREAT, go1[2], go2[2];
	bool refuse = false, in_order = false, step = false;
	pid_t p1, p2;
	char c;

	ex_init();
	if (argc == 2 && !strcmp(argv[1], "--refuse")) {
		refuse = true;
		flags |= IPCLAB_REFUSE_DEADLOCK;
	} else if (argc == 2 && !strcmp(argv[1], "--ordered")) {
		in_order = true;
	} else if (argc == 2 && !strcmp(argv[1], "--step")) {
		step = true;
	} else if (argc != 1) {
		fprintf(stderr, "usage: %s [--refuse | --ordered | --step]\n", argv[0]);
		return 2;
	}

	m1 = ipclab_mutex_get(IPCLAB_KEY_PRIVATE, flags, 0600);
	m2 = ipclab_mutex_get(IPCLAB_KEY_PRIVATE, flags, 0600);
	if (m1 < 0 || m2 < 0)
		ex_die("creating two mutexes");
	printf("M1 is mutex %d, M2 is mutex %d%s.\n"
	       "P1 locks M1, then M2; P2 locks %s.\n\n", m1, m2,
	       refuse ? ", both created with IPCLAB_REFUSE_DEADLOCK" : "",
	       in_order ? "M1, then M2 too" : "M2, then M1");
	if (in_order || step) {
		if (step)
			stepped();
		else
			ordered();
		if (ipclab_remove(m1) || ipclab_remove(m2))
			ex_die("removing mutexes %d and %d", m1, m2);
		return 0;
	}

	if (pipe(ready) || pipe(go1) || pipe(go2))
		ex_die("pipe");
	p1 = ex_fork("P1");
	if (p1 == 0) {
		process("P1", m1, m2, go1[0]);
		_exit(0);
	}
	p2 = ex_fork("P2");
	if (p2 == 0) {
		process("P2", m2, m1, go2[0]);
		_exit(0);
	}
	/* Both hold their first mutex: now P1 asks for M2, then P2 for M1. */
	if (read(ready[0], &c, 1) != 1 || read(ready[0], &c, 1) != 1)
		ex_die("waiting for P1 and P2");
	if (write(go1[1], "g", 1) != 1)
		ex_die("starting P1");
	ex_await_waiters(m2, 1);
	if (write(go2[1], "g", 1) != 1)
		ex_die("starting P2");

	if (!refuse) {
		ex_await_waiters(m1, 1);
		deadlocked(p2);
	} else {
		ex_wait(p2);
	}
	ex_wait(p1);

	if (ipclab_remove(m1) || ipclab_remove(m2))
		ex_die("removing mutexes %d and %d", m1, m2);
	return 0;
}
