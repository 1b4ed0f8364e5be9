/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The three runners (a relay): the interface between main.c (given) and
 * runners.c (yours).
 *
 * Runner 1 runs its leg, then runner 2, then runner 3, then runner 1
 * again, and so on for every round: runner i may start only when the
 * runner before it (runner 3 before runner 1) has finished.  The
 * runners are numbered 0, 1, 2 here (runner-1 is 0).
 */
#ifndef RUNNERS_H
#define RUNNERS_H

#define RUNNERS 3

/*
 * The semaphores, each an ipclab semaphore set of one semaphore (number
 * 0), created by setup(): sem[i] is runner i's start line, where it waits
 * for its turn.  main.c calls them s1, s2 and s3.
 */
extern int sem[RUNNERS];

void setup(void);
void wait_turn(int i);		/* runner i waits until it may run its leg */
void hand_over(int i);		/* runner i has run its leg: the next one may go */
void cleanup(void);

#endif
