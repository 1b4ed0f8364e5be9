/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The print spooler: the interface between main.c (given) and spooler.c
 * (yours).
 *
 * Clients submit print jobs into the spooler directory, a table of slots
 * in a shared buffer that every client maps: a job goes into the slot
 * that `in` names, and `in` moves on to the next one.
 */
#ifndef SPOOLER_H
#define SPOOLER_H

#define MAXJOBS	2048		/* slots in the directory */
#define JOBNAME	16		/* a job's name: "client-2/17" */

/* The spooler directory, in a shared buffer every process maps. */
struct spooler {
	int in;				/* the next free slot */
	char slot[MAXJOBS][JOBNAME];	/* the jobs' names, "" when free */
};

/*
 * The lock of the directory, created by setup(): an ipclab mutex
 * (ipclab_mutex_get), or a semaphore set of one semaphore used as one.
 * main.c calls it "spooler".
 */
extern int mutex;

void setup(void);
void submit(struct spooler *sp, const char *job);	/* a client's one job */
void cleanup(void);

/*
 * Given (main.c): called by submit() between reading in and writing it
 * back.  It lets another client run at the worst moment (sched_yield(),
 * or a short sleep with "spooler -w USEC"), so that a race that could
 * happen does happen.
 */
void window(void);

#endif
