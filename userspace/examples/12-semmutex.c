// SPDX-License-Identifier: GPL-2.0
/*
 * 12 - Semaphore versus mutex.
 *
 * A binary semaphore and a mutex can both guard a critical section, but
 * they are different things.
 *
 * Part 1.  A semaphore has no owner: it is a counter.  Any process may
 * do the V, not only the one that did the P.  That is what signaling
 * (02) relies on: process B releases process A.
 *
 * Part 2.  A mutex has an owner, the process that locked it, and only
 * the owner may unlock it.  An unlock by another process is refused
 * with EPERM, so a bug that unlocks someone else's lock shows up at
 * once instead of letting two processes into the critical section.
 *
 * Part 3.  Because the mutex knows its owner, it notices when the owner
 * ends while holding it (a crash, SIGKILL).  The mutex is robust: the
 * next process to lock it gets it, with the error EOWNERDEAD, which says
 * "the data this mutex protects may be half-changed".  Here the owner
 * was moving 10 from one account to another and died in between; the
 * new owner finds the total wrong, repairs it, and declares the mutex
 * consistent again.  (Had it unlocked without doing so, every later
 * lock would fail with ENOTRECOVERABLE.)  A semaphore cannot do this:
 * it does not know who took it.
 *
 * usage: ipclab-ex-semmutex
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "example.h"

/* What the mutex of part 3 protects: the total is always 100. */
struct accounts {
	int one, two;
};

static void part1_semaphore(void)
{
	pid_t b;
	int s;

	s = ipclab_sem_get(IPCLAB_KEY_PRIVATE, 1, IPCLAB_CREAT, 0600);
	if (s < 0 || ipclab_name(s, "s"))
		ex_die("creating a semaphore set");
	printf("Part 1: a semaphore has no owner (semaphore set %d, s = 0)\n", s);
	b = ex_fork("B");
	if (b == 0) {
		ex_await_waiters(s, 1);
		printf("  B (pid %d): V(s)\n", getpid());
		V(s, 0);
		_exit(0);
	}
	printf("  A (pid %d): P(s), waits\n", getpid());
	P(s, 0);
	printf("  A: through: another process's V released it\n");
	ex_wait(b);
	if (ipclab_remove(s))
		ex_die("removing semaphore set %d", s);
}

static void part2_owner(int m)
{
	pid_t b;

	printf("\nPart 2: a mutex has an owner (mutex %d)\n", m);
	if (ipclab_lock(m))
		ex_die("locking mutex %d", m);
	printf("  A (pid %d): lock: ok, A is the owner\n", getpid());
	b = ex_fork("B");
	if (b == 0) {
		if (ipclab_unlock(m) == 0)
			ex_die("B could unlock mutex %d", m);
		printf("  B (pid %d): unlock: %s, only the owner may unlock\n",
		       getpid(), ipclab_errname(errno));
		_exit(0);
	}
	ex_wait(b);
	if (ipclab_unlock(m))
		ex_die("unlocking mutex %d", m);
	printf("  A: unlock: ok\n");
}

static void part3_robust(int m, struct accounts *acc)
{
	int status;
	pid_t a, c;

	printf("\nPart 3: the owner dies holding mutex %d\n", m);
	acc->one = 60;
	acc->two = 40;
	printf("  accounts: %d + %d = %d\n", acc->one, acc->two, acc->one + acc->two);
	a = ex_fork("A");
	if (a == 0) {
		if (ipclab_lock(m))
			ex_die("locking mutex %d", m);
		printf("  A (pid %d): lock: ok; moves 10 from account one to two...\n",
		       getpid());
		acc->one -= 10;
		fflush(stdout);
		kill(getpid(), SIGKILL);	/* ... and dies half-way */
		_exit(1);
	}
	waitpid(a, &status, 0);
	printf("  A was killed by signal %d, holding the mutex\n",
	       WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	ex_shell("ipclab show %d", m);
	printf("\n");

	errno = 0;
	if (ipclab_lock(m) == 0 || errno != EOWNERDEAD)
		ex_die("locking mutex %d after its owner died", m);
	printf("  B (pid %d): lock: %s, B owns the mutex, the data may be half-changed\n",
	       getpid(), ipclab_errname(errno));
	printf("  B: accounts: %d + %d = %d, not 100: repair\n", acc->one, acc->two,
	       acc->one + acc->two);
	acc->two = 100 - acc->one;
	if (ipclab_consistent(m))
		ex_die("making mutex %d consistent", m);
	if (ipclab_unlock(m))
		ex_die("unlocking mutex %d", m);
	printf("  B: accounts: %d + %d = %d; consistent, unlock: ok\n", acc->one,
	       acc->two, acc->one + acc->two);

	c = ex_fork("C");
	if (c == 0) {
		if (ipclab_lock(m))
			ex_die("locking mutex %d", m);
		printf("  C (pid %d): lock: ok, as if nothing had happened\n", getpid());
		if (ipclab_unlock(m))
			ex_die("unlocking mutex %d", m);
		_exit(0);
	}
	ex_wait(c);
}

int main(void)
{
	struct accounts *acc;
	int m, shbuf;
	size_t size;

	ex_init();
	prctl(PR_SET_NAME, "A", 0, 0, 0);
	part1_semaphore();

	m = ipclab_mutex_get(IPCLAB_KEY_PRIVATE, IPCLAB_CREAT, 0600);
	if (m < 0)
		ex_die("creating a mutex");
	part2_owner(m);

	prctl(PR_SET_NAME, "B", 0, 0, 0);
	shbuf = ipclab_shbuf_get(IPCLAB_KEY_PRIVATE, sizeof(*acc), IPCLAB_CREAT, 0600);
	if (shbuf < 0)
		ex_die("creating a shared buffer");
	acc = ipclab_attach(shbuf, 0, &size);
	if (!acc)
		ex_die("attaching shared buffer %d", shbuf);
	part3_robust(m, acc);

	if (ipclab_detach(acc, size) || ipclab_remove(shbuf))
		ex_die("removing shared buffer %d", shbuf);
	if (ipclab_remove(m))
		ex_die("removing mutex %d", m);
	return 0;
}
