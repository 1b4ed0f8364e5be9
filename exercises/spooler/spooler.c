// SPDX-License-Identifier: GPL-2.0
/*
 * The print spooler: the critical section, yours to protect.
 *
 * main.c runs clients that each call submit() for each of their jobs, on
 * one spooler directory.  submit() reads in, stores the job into that
 * slot and writes in + 1 back: if two clients read the same in, both
 * store into the same slot, and the job stored first is lost.  Make it
 * correct: only one client at a time between reading in and writing it
 * back.
 */
#include <stdio.h>

#include "spooler.h"
#include "ipclab.h"

int mutex;

void setup(void)
{
	/* TODO 1: create the lock of the directory (an ipclab mutex). */
	/* BEGIN SOLUTION */
	mutex = ipclab_mutex_get(IPCLAB_KEY_PRIVATE, IPCLAB_CREAT, 0600);
	/* END SOLUTION */
}

void submit(struct spooler *sp, const char *job)
{
	int next_free_slot;

	/* TODO 2: enter the critical section: no other client may be in it. */
	/* BEGIN SOLUTION */
	ipclab_lock(mutex);
	/* END SOLUTION */
	next_free_slot = sp->in;					/* (1) read in */
	window();				/* another client may run now */
	snprintf(sp->slot[next_free_slot], JOBNAME, "%s", job);	/* (2) store the job */
	sp->in = next_free_slot + 1;					/* (3) write in back */
	/* TODO 3: leave the critical section. */
	/* BEGIN SOLUTION */
	ipclab_unlock(mutex);
	/* END SOLUTION */
}

void cleanup(void)
{
	/* TODO 4: remove the lock. */
	/* BEGIN SOLUTION */
	ipclab_remove(mutex);
	/* END SOLUTION */
}
