/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Deadlock detection with the course's matrices: the interface between
 * main.c (given), which reads E, A, C and R from a file, and detect.c
 * (yours), which runs the algorithm on them.
 */
#ifndef MATRICES_H
#define MATRICES_H

#include <stdbool.h>

#define MAX_PROCS	32	/* rows: processes */
#define MAX_CLASSES	16	/* columns: resource classes */

/*
 * The state, as the course writes it (Tanenbaum, "Deadlock detection
 * with multiple resources of each type").  Processes are rows 0 to
 * nproc - 1 here; main.c prints them as the course numbers them, from 1.
 */
struct matrices {
	int nproc, nres;
	int E[MAX_CLASSES];		/* existing: instances of each class */
	int A[MAX_CLASSES];		/* available: free now */
	int C[MAX_PROCS][MAX_CLASSES];	/* current allocation: row p holds */
	int R[MAX_PROCS][MAX_CLASSES];	/* request: row p waits for */
};

/*
 * Runs the course's algorithm on m.  Writes the processes that can finish
 * into order[], in the order the algorithm marks them, and sets
 * deadlocked[p] for every process p it could not mark (and clears it for
 * the others).  Returns how many processes it marked: order[0] to
 * order[n - 1].
 */
int detect(const struct matrices *m, int order[], bool deadlocked[]);

#endif
