/* SPDX-License-Identifier: GPL-2.0 */
/*
 * "X before Y" (the exercise signal): the interface between main.c
 * (given) and signal.c (yours).  (Not signal.h: that name is the C
 * library's.)
 *
 * Two processes: x-process does the statement X, y-process the statement
 * Y, and Y must happen after X.  One semaphore says "X is done".
 */
#ifndef SIGNALING_H
#define SIGNALING_H

/*
 * The semaphore, an ipclab semaphore set of one semaphore (number 0),
 * created by setup(): 1 once X is done, 0 until then.
 */
extern int x_done;

void setup(void);
void after_x(void);	/* x-process, right after X */
void before_y(void);	/* y-process, right before Y: waits for X */
void cleanup(void);

#endif
