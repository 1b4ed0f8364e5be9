// SPDX-License-Identifier: GPL-2.0
/*
 * 14 - Semaphore sets as Linux (System V) has them.
 *
 * Dijkstra's P and V change one semaphore by one.  Linux's semop(2), and
 * ipclab_semop() here, go further:
 *
 *  - a set holds several semaphores, and one call applies a list of
 *    operations to them atomically: all of them, or, if any of them
 *    would have to wait, none of them while the caller waits;
 *  - an operation may add or take more than one (op = +3, op = -2).
 *
 * So a process that needs two printers and a scanner asks for all three
 * in one call.  It never holds one printer while waiting for the rest,
 * which is how processes that take resources one at a time end up
 * waiting for each other forever (see the deadlock example).
 *
 * The set here has two semaphores: 0 counts free printers (3), 1 free
 * scanners (1).  "ipclab show" shows B waiting for its whole request,
 * and the values untouched meanwhile.
 *
 * usage: ipclab-ex-semset
 */
#include <errno.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "example.h"

enum { PRINTERS, SCANNERS };

static int set;

static void values(const char *when)
{
	printf("  %-34s printers = %d, scanners = %d\n", when,
	       ipclab_sem_getval(set, PRINTERS), ipclab_sem_getval(set, SCANNERS));
}

/* Take (count < 0) or give back (count > 0) printers and scanners at once. */
static int both(int printers, int scanners, unsigned int flags)
{
	struct ipclab_sembuf ops[2] = {
		{ .num = PRINTERS, .op = printers },
		{ .num = SCANNERS, .op = scanners },
	};

	return ipclab_semop(set, ops, 2, flags, 0);
}

int main(void)
{
	pid_t b;

	ex_init();
	prctl(PR_SET_NAME, "A", 0, 0, 0);
	set = ipclab_sem_get(IPCLAB_KEY_PRIVATE, 2, IPCLAB_CREAT, 0600);
	if (set < 0 || ipclab_name(set, "printers,scanners"))
		ex_die("creating a semaphore set");
	if (ipclab_sem_setval(set, PRINTERS, 3) || ipclab_sem_setval(set, SCANNERS, 1))
		ex_die("setting the values of semaphore set %d", set);
	printf("Semaphore set %d\n", set);
	values("at the start:");

	printf("A (pid %d) takes 2 printers and 1 scanner in one call\n", getpid());
	if (both(-2, -1, 0))
		ex_die("A: taking from semaphore set %d", set);
	values("A has them:");

	b = ex_fork("B");
	if (b == 0) {
		printf("B (pid %d) wants 2 printers and 1 scanner in one call: waits\n",
		       getpid());
		if (both(-2, -1, 0))
			ex_die("B: taking from semaphore set %d", set);
		printf("B got all three at once\n");
		if (both(+2, +1, 0))
			ex_die("B: giving back to semaphore set %d", set);
		printf("B gives them back in one call (+2, +1)\n");
		_exit(0);
	}
	ex_await_waiters(set, 1);
	values("B waits, and holds nothing:");
	ex_shell("ipclab show %d", set);

	printf("A tries to take 1 printer and 1 scanner without waiting: %s\n",
	       both(-1, -1, IPCLAB_WAIT_NOWAIT) ? ipclab_errname(errno) : "ok?!");
	values("and nothing was taken:");

	printf("A gives back 2 printers and 1 scanner in one call (+2, +1)\n");
	if (both(+2, +1, 0))
		ex_die("A: giving back to semaphore set %d", set);
	ex_wait(b);
	values("at the end:");

	if (ipclab_remove(set))
		ex_die("removing semaphore set %d", set);
	return 0;
}
