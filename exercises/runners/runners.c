// SPDX-License-Identifier: GPL-2.0
/*
 * The three runners: the synchronization, yours to write.
 *
 * main.c runs three processes, runner-1, runner-2 and runner-3; each one,
 * for every round, calls wait_turn(i), runs its leg, and calls
 * hand_over(i).  Make the legs run in the order 1, 2, 3, 1, 2, 3, ...
 * whatever the timing: give every runner a semaphore of its own, on which
 * it waits until the runner before it lets it go.
 */
#include "runners.h"
#include "ipclab.h"

int sem[RUNNERS];

/* A private semaphore set of one semaphore, set to value. */
static inline int new_semaphore(int value)
{
	int id = ipclab_sem_get(IPCLAB_KEY_PRIVATE, 1, IPCLAB_CREAT, 0600);

	if (id >= 0 && ipclab_sem_setval(id, 0, value))
		return -1;
	return id;
}

void setup(void)
{
	/*
	 * TODO 1: create sem[0], sem[1] and sem[2].  Which runner may run
	 * before anybody has finished a leg?
	 */
	/* BEGIN SOLUTION */
	sem[0] = new_semaphore(1);
	sem[1] = new_semaphore(0);
	sem[2] = new_semaphore(0);
	/* END SOLUTION */
}

void wait_turn(int i)
{
	/* TODO 2: runner i waits at its own start line until it is its turn. */
	/* BEGIN SOLUTION */
	ipclab_P(sem[i], 0);
	/* END SOLUTION stub: (void)i; */
}

void hand_over(int i)
{
	/* TODO 3: runner i lets the next runner go (after runner 3: runner 1). */
	/* BEGIN SOLUTION */
	ipclab_V(sem[(i + 1) % RUNNERS], 0);
	/* END SOLUTION stub: (void)i; */
}

void cleanup(void)
{
	/* TODO 4: remove the semaphores. */
	/* BEGIN SOLUTION */
	int i;

	for (i = 0; i < RUNNERS; i++)
		ipclab_remove(sem[i]);
	/* END SOLUTION */
}
