// SPDX-License-Identifier: GPL-2.0
/*
 * Producer/consumer: the synchronization, yours to write.
 *
 * main.c runs producers that call put() and consumers that call take()
 * on one buffer of SLOTS slots.  Make it correct with three semaphores:
 * a producer waits while no slot is free, a consumer while there is no
 * item, and only one process at a time changes the buffer.
 */
#include "prodcons.h"
#include "ipclab.h"

int empty, filled, mutex;

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
	/* TODO 1: create empty, filled and mutex with their first values. */
	/* BEGIN SOLUTION */
	empty = new_semaphore(SLOTS);
	filled = new_semaphore(0);
	mutex = new_semaphore(1);
	/* END SOLUTION */
}

void put(struct buffer *b, unsigned int item)
{
	/* TODO 2: wait for a free slot, then for the buffer. */
	/* BEGIN SOLUTION */
	ipclab_P(empty, 0);
	ipclab_P(mutex, 0);
	/* END SOLUTION */
	b->slot[b->in] = item;
	b->in = (b->in + 1) % SLOTS;
	/* TODO 3: let go of the buffer, and say there is one item more. */
	/* BEGIN SOLUTION */
	ipclab_V(mutex, 0);
	ipclab_V(filled, 0);
	/* END SOLUTION */
}

unsigned int take(struct buffer *b)
{
	unsigned int item;

	/* TODO 4: wait for an item, then for the buffer. */
	/* BEGIN SOLUTION */
	ipclab_P(filled, 0);
	ipclab_P(mutex, 0);
	/* END SOLUTION */
	item = b->slot[b->out];
	b->out = (b->out + 1) % SLOTS;
	/* TODO 5: let go of the buffer, and say there is one free slot more. */
	/* BEGIN SOLUTION */
	ipclab_V(mutex, 0);
	ipclab_V(empty, 0);
	/* END SOLUTION */
	return item;
}

void cleanup(void)
{
	/* TODO 6: remove the three semaphores. */
	/* BEGIN SOLUTION */
	ipclab_remove(empty);
	ipclab_remove(filled);
	ipclab_remove(mutex);
	/* END SOLUTION */
}
