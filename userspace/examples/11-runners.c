// SPDX-License-Identifier: GPL-2.0
/*
 * 11 - Three runners: a relay race, wrong with one semaphore and right
 *      with two.
 *
 * Runner 2 may start only when runner 1 has arrived, and runner 3 only
 * when runner 2 has arrived.
 *
 * The wrong solution uses one semaphore s = 0 for both handovers:
 *
 *	runner 1:  run; V(s)
 *	runner 2:  P(s); run; V(s)
 *	runner 3:  P(s); run
 *
 * Runner 1's V(s) says "a runner has arrived", but not which one, and it
 * lets one waiting runner go: runner 2 or runner 3.  If runner 3 waits at
 * the start line too, it may be the one that goes, overtaking runner 2.
 * On an ipclab set the runner that has waited longest goes (FIFO); in
 * Linux's SysV semaphores (and on a set created with IPCLAB_NOFIFO)
 * any of them may.  Either way the order depends on timing, which is
 * the bug.  (Runner 3 gets a V(s) of its own
 * here, so that runner 2 is not left waiting forever once overtaken.)
 *
 * The right solution gives each handover its own semaphore, s1 = s2 = 0:
 *
 *	runner 1:  run; V(s1)
 *	runner 2:  P(s1); run; V(s2)
 *	runner 3:  P(s2); run
 *
 * Now runner 3 can only be let go by runner 2.
 *
 * To provoke the bug rather than wait for bad luck, runner 3 comes to the
 * start line first: it is started, and the race begins only once it is
 * asleep in its P.  Then the wrong solution lets it go first, every
 * time, and the right one still runs 1, 2, 3.  The order is detected
 * from what the runners report as they run.
 *
 * With --step each runner stops at the start line (ipclab_point()) until
 * released with "ipclab step" from a second console: releasing runner 3,
 * then 2, then 1 makes runner 3 overtake on the wrong solution and not
 * on the right one, in the order the teacher picks.
 *
 * usage: ipclab-ex-runners [--wrong | --right] [--no-provoke] [--step] [-r RACES]
 *   --no-provoke  start the three runners together (the wrong solution
 *                 then fails only when the timing is unlucky)
 *   --step        each runner waits at the start line until released
 *   -r            races per solution (default 1)
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>

#include "example.h"

enum { S1, S2 };		/* the semaphores of the set */
#define S S1			/* the wrong solution's only one */

static int sem;
static int order[2];		/* a pipe: each runner writes its number */
static bool right;

static void run(char runner)
{
	printf("    runner %c runs\n", runner);
	if (write(order[1], &runner, 1) != 1)
		ex_die("reporting the order");
	usleep(50 * 1000);
}

static void runner(char n)
{
	ipclab_point("start line");
	if (!right) {
		if (n != '1')
			P(sem, S);
		run(n);
		V(sem, S);
	} else if (n == '1') {
		run(n);
		V(sem, S1);
	} else if (n == '2') {
		P(sem, S1);
		run(n);
		V(sem, S2);
	} else {
		P(sem, S2);
		run(n);
	}
}

static pid_t start_runner(char n)
{
	char name[16];
	pid_t pid;

	snprintf(name, sizeof(name), "runner-%c", n);
	pid = ex_fork(name);
	if (pid == 0) {
		close(order[0]);
		runner(n);
		_exit(0);
	}
	return pid;
}

/* One race.  True if runner 3 overtook runner 2. */
static bool race(bool provoke)
{
	char ran[4] = "";
	pid_t pid[3];
	int i;

	if (ipclab_sem_setval(sem, S1, 0) || ipclab_sem_setval(sem, S2, 0))
		ex_die("setting the values of semaphore set %d", sem);
	if (pipe(order))
		ex_die("pipe");
	if (provoke) {
		pid[2] = start_runner('3');
		ex_await_waiters(sem, 1);
		printf("    runner 3 is at the start line first, asleep in P(%s)\n",
		       right ? "s2" : "s");
		pid[0] = start_runner('1');
		pid[1] = start_runner('2');
	} else {
		for (i = 0; i < 3; i++)
			pid[i] = start_runner('1' + i);
	}
	close(order[1]);
	for (i = 0; i < 3; i++)
		ex_wait(pid[i]);
	if (read(order[0], ran, 3) != 3)
		ex_die("reading the order");
	close(order[0]);

	printf("    order: %c %c %c: %s\n", ran[0], ran[1], ran[2],
	       ran[1] == '3' ? "runner 3 overtook runner 2!" : "correct");
	return ran[1] == '3';
}

static void races(bool provoke, int n)
{
	int i, overtaken = 0;

	sem = ipclab_sem_get(IPCLAB_KEY_PRIVATE, 2, IPCLAB_CREAT, 0600);
	if (sem < 0 || ipclab_name(sem, right ? "s1,s2" : "s"))
		ex_die("creating a semaphore set");
	if (right)
		printf("Right: s1 from runner 1 to runner 2, s2 from runner 2 to runner 3"
		       " (semaphore set %d)\n", sem);
	else
		printf("Wrong: one semaphore s for both handovers (semaphore set %d)\n",
		       sem);
	for (i = 0; i < n; i++)
		overtaken += race(provoke);
	printf("  runner 3 overtook runner 2 in %d of %d races\n", overtaken, n);
	if (ipclab_remove(sem))
		ex_die("removing semaphore set %d", sem);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "wrong", no_argument, NULL, 'w' },
		{ "right", no_argument, NULL, 'R' },
		{ "no-provoke", no_argument, NULL, 'n' },
		{ "step", no_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	bool wrong_only = false, right_only = false, provoke = true;
	int c, n = 1;

	ex_init();
	while ((c = getopt_long(argc, argv, "r:", longopts, NULL)) != -1) {
		switch (c) {
		case 'w':
			wrong_only = true;
			break;
		case 'R':
			right_only = true;
			break;
		case 'n':
			provoke = false;
			break;
		case 's':
			/* The teacher picks the order: nothing is provoked. */
			ex_step_setup();
			provoke = false;
			printf("Stepping: each runner waits at the start line; release them with\n"
			       "'ipclab step runner-N' in a second console.\n");
			break;
		case 'r':
			n = ex_number(optarg, 1);
			break;
		default:
			fprintf(stderr, "usage: %s [--wrong | --right] [--no-provoke] [--step]"
				" [-r RACES]\n", argv[0]);
			return 2;
		}
	}

	if (!right_only) {
		right = false;
		races(provoke, n);
	}
	if (!wrong_only) {
		right = true;
		races(provoke, n);
	}
	return 0;
}
