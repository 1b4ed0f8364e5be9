// SPDX-License-Identifier: GPL-2.0
/*
 * 04 - Starvation.
 *
 * A process starves when it waits for something it never gets, although
 * the system as a whole goes on.
 *
 * Part 1.  The simplest cause: a process locks a mutex and never
 * unlocks it (a bug, or it hangs).  Every other process that wants the
 * mutex waits in its waiting room, forever.  Here this process is the
 * one that never unlocks, and the two waiters give up after a timeout
 * (ETIMEDOUT) so that the example ends; "ipclab show" shows them waiting
 * meanwhile.
 *
 * Part 2.  The other cause is an unfair wake-up policy.  A semaphore
 * counts 2 printers.  "big" needs both at once (P by 2), "small-1" and
 * "small-2" need one each; all three take what they need, print for a
 * millisecond, give it back and start again, for a while.
 *
 * On a set created with IPCLAB_NOFIFO, whatever fits goes, in any
 * order, as in Linux's SysV semaphores: a small one whose printer comes
 * back takes one again at once, the other small one still has its own,
 * and both printers are free at the same moment only by rare chance.
 * big waits nearly the whole time: it starves, although the printers
 * are busy printing.
 *
 * On a default ipclab set the waiting room is FIFO: once big waits for
 * its two printers, no later request may take a printer before it, so
 * the small ones queue behind big, and big gets its turn each round.
 * The counts of turns show both.
 *
 * usage: ipclab-ex-starvation [-t TIMEOUT_MS] [-d DURATION_MS]
 *   -t  how long the waiters of part 1 wait (default 1000)
 *   -d  how long the three of part 2 run, on each kind of set (500)
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "example.h"

/* Part 2's turns, each counted by its own process, in a shared buffer. */
struct turns {
	atomic_int stop;	/* set when the time is up */
	int count[3];		/* big, small-1, small-2 */
};

static const char *const names[3] = { "big", "small-1", "small-2" };
static int timeout_ms, duration_ms;

/* Part 1: this process locks the mutex and never unlocks it. */
static void never_unlocks(int mutex)
{
	pid_t waiters[2];
	char name[16];
	int i;

	if (ipclab_lock(mutex))
		ex_die("locking mutex %d", mutex);
	printf("hog (pid %d): locked mutex %d, and never unlocks it\n",
	       getpid(), mutex);

	for (i = 0; i < 2; i++) {
		snprintf(name, sizeof(name), "starving-%d", i + 1);
		waiters[i] = ex_fork(name);
		if (waiters[i] == 0) {
			double t0 = ex_now();

			if (ipclab_timedlock(mutex, timeout_ms * 1000000ULL) == 0)
				ex_die("%s got mutex %d", name, mutex);
			printf("%s (pid %d): gave up after %.2f s: %s\n", name,
			       getpid(), ex_now() - t0, ipclab_errname(errno));
			_exit(0);
		}
		ex_await_waiters(mutex, i + 1);
	}
	ex_shell("ipclab show %d", mutex);
	for (i = 0; i < 2; i++)
		ex_wait(waiters[i]);
}

/* Part 2: take n printers, print, give them back; until the time is up. */
static void printing(int set, struct turns *t, int me, int n)
{
	struct ipclab_sembuf take = { .num = 0, .op = -n };
	struct ipclab_sembuf give = { .num = 0, .op = n };

	for (;;) {
		if (ipclab_semop(set, &take, 1, 0, 0))
			ex_die("%s: taking %d from semaphore set %d", names[me], n, set);
		if (atomic_load(&t->stop))
			break;
		t->count[me]++;
		usleep(1000);				/* printing */
		if (ipclab_semop(set, &give, 1, 0, 0))
			ex_die("%s: giving back to semaphore set %d", names[me], set);
	}
	if (ipclab_semop(set, &give, 1, 0, 0))
		ex_die("%s: giving back to semaphore set %d", names[me], set);
}

static void printers(struct turns *t, int flags, const char *kind)
{
	int set, start[2], p;
	pid_t pids[3];

	set = ipclab_sem_get(IPCLAB_KEY_PRIVATE, 1, IPCLAB_CREAT | flags, 0600);
	if (set < 0 || ipclab_sem_setval(set, 0, 2))
		ex_die("creating a semaphore set");
	memset(t, 0, sizeof(*t));
	if (pipe(start))
		ex_die("pipe");
	for (p = 0; p < 3; p++) {
		pids[p] = ex_fork(names[p]);
		if (pids[p] == 0) {
			char c;

			close(start[1]);
			if (read(start[0], &c, 1) < 0)	/* all start together */
				ex_die("waiting for the start");
			printing(set, t, p, p == 0 ? 2 : 1);
			_exit(0);
		}
	}
	close(start[0]);
	close(start[1]);
	usleep(duration_ms * 1000);
	atomic_store(&t->stop, 1);
	for (p = 0; p < 3; p++)
		ex_wait(pids[p]);
	printf("  %-26s big %4d turns, small-1 %4d, small-2 %4d\n", kind,
	       t->count[0], t->count[1], t->count[2]);
	if (ipclab_remove(set))
		ex_die("removing semaphore set %d", set);
}

int main(int argc, char **argv)
{
	struct turns *t;
	int c, mutex, shbuf;
	size_t size;

	ex_init();
	timeout_ms = 1000;
	duration_ms = 500;
	while ((c = getopt(argc, argv, "t:d:")) != -1) {
		switch (c) {
		case 't':
			timeout_ms = ex_number(optarg, 1);
			break;
		case 'd':
			duration_ms = ex_number(optarg, 1);
			break;
		default:
			fprintf(stderr, "usage: %s [-t TIMEOUT_MS] [-d DURATION_MS]\n", argv[0]);
			return 2;
		}
	}
	prctl(PR_SET_NAME, "hog", 0, 0, 0);

	mutex = ipclab_mutex_get(IPCLAB_KEY_PRIVATE, IPCLAB_CREAT, 0600);
	if (mutex < 0)
		ex_die("creating a mutex");
	printf("Part 1: a process that never unlocks; two others wait %d ms\n",
	       timeout_ms);
	never_unlocks(mutex);
	if (ipclab_remove(mutex))	/* removing needs no lock */
		ex_die("removing mutex %d", mutex);

	shbuf = ipclab_shbuf_get(IPCLAB_KEY_PRIVATE, sizeof(*t), IPCLAB_CREAT, 0600);
	if (shbuf < 0)
		ex_die("creating a shared buffer");
	t = ipclab_attach(shbuf, 0, &size);
	if (!t)
		ex_die("attaching shared buffer %d", shbuf);
	printf("\nPart 2: 2 printers; big takes both at once, small-1 and small-2 one each;\n"
	       "%d ms on each kind of semaphore set\n", duration_ms);
	printers(t, IPCLAB_NOFIFO, "no FIFO (as Linux SysV):");
	printers(t, 0, "FIFO (ipclab's default):");

	if (ipclab_detach(t, size) || ipclab_remove(shbuf))
		ex_die("removing shared buffer %d", shbuf);
	return 0;
}
