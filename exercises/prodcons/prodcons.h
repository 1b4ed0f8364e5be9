/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Producer/consumer over a bounded buffer of 8 slots: the interface
 * between main.c (given) and prodcons.c (yours).
 */
#ifndef PRODCONS_H
#define PRODCONS_H

#define SLOTS 8

/* The bounded buffer, in a shared buffer every process maps. */
struct buffer {
	int in;				/* the next slot to fill */
	int out;			/* the next slot to empty */
	unsigned int slot[SLOTS];
};

/*
 * The three semaphores, each an ipclab semaphore set of one semaphore
 * (number 0), created by setup():
 *	empty	the free slots (SLOTS at the start)
 *	filled	the items in the buffer (0 at the start)
 *	mutex	1 while nobody changes the buffer
 */
extern int empty, filled, mutex;

void setup(void);
void put(struct buffer *b, unsigned int item);	/* a producer's one item */
unsigned int take(struct buffer *b);		/* a consumer's one item */
void cleanup(void);

#endif
