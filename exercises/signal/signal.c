// SPDX-License-Identifier: GPL-2.0
/*
 * "X before Y": the synchronization, yours to write.
 *
 * main.c runs x-process, which does X and then calls after_x(), and
 * y-process, which calls before_y() and then does Y.  Make Y happen after
 * X, whichever process comes first, with one semaphore x_done: x-process
 * signals it when X is done, y-process waits for that signal.  A waiting
 * process must sleep in the kernel, not spin.
 */
#include "signaling.h"
#include "ipclab.h"

int x_done;

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
	/* TODO 1: create x_done with the value that says "X is not done yet". */
	/* BEGIN SOLUTION */
	x_done = new_semaphore(0);
	/* END SOLUTION */
}

void after_x(void)
{
	/* TODO 2: X is done: say so (signal x_done). */
	/* BEGIN SOLUTION */
	ipclab_V(x_done, 0);
	/* END SOLUTION */
}

void before_y(void)
{
	/* TODO 3: wait until X is done (sleeping, not spinning). */
	/* BEGIN SOLUTION */
	ipclab_P(x_done, 0);
	/* END SOLUTION */
}

void cleanup(void)
{
	/* TODO 4: remove x_done. */
	/* BEGIN SOLUTION */
	ipclab_remove(x_done);
	/* END SOLUTION */
}
