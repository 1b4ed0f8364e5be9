// SPDX-License-Identifier: GPL-2.0
/*
 * Deadlock detection with the course's matrices: the algorithm, yours to
 * write.
 *
 * main.c reads E, A, C and R from a matrices file and calls detect().
 * Find the processes that can finish, one after the other, and so the
 * ones that are deadlocked.
 */
#include <string.h>

#include "matrices.h"

int detect(const struct matrices *m, int order[], bool deadlocked[])
{
	int work[MAX_CLASSES];	/* what is free as the search goes on */
	int n = 0;		/* marked so far: order[0] to order[n - 1] */
	int p;

	/* At the start nobody is marked or written down, and A is free. */
	for (p = 0; p < m->nproc; p++) {
		deadlocked[p] = true;
		order[p] = -1;
	}
	memcpy(work, m->A, sizeof(work));

	/*
	 * TODO 1: the course's algorithm, with work for A:
	 *   1. Look for an unmarked process p (deadlocked[p] still true)
	 *      whose request, row p of R, is <= work in every class.
	 *   2. If there is one, it can get what it asks for, run to its end
	 *      and give back everything it holds: add row p of C to work,
	 *      mark it (deadlocked[p] = false), write it down in order[n++],
	 *      and go to 1.
	 *   3. If there is none, stop: the processes still unmarked are the
	 *      deadlocked ones.
	 */
	/* BEGIN SOLUTION */
	bool found;

	do {
		found = false;
		for (p = 0; p < m->nproc; p++) {
			bool fits = deadlocked[p];
			int r;

			for (r = 0; r < m->nres && fits; r++)
				if (m->R[p][r] > work[r])
					fits = false;
			if (!fits)
				continue;
			for (r = 0; r < m->nres; r++)
				work[r] += m->C[p][r];
			deadlocked[p] = false;
			order[n++] = p;
			found = true;
		}
	} while (found);
	/* END SOLUTION */
	return n;
}
