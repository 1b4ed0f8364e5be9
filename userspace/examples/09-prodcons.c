// SPDX-License-Identifier: GPL-2.0
/*
 * 09 - Producer/consumer with a bounded buffer and three semaphores.
 *
 * Producers put items into a buffer of 8 slots; consumers take them out.
 * Three semaphores (one ipclab semaphore set of three) make it correct:
 *
 *	empty  = 8	free slots: a producer waits while there is none
 *	filled = 0	full slots: a consumer waits while there is none
 *	mutex  = 1	one process at a time changes in, out and the slots
 *
 *	producer:			consumer:
 *	    produce item		    P(filled)
 *	    P(empty)			    P(mutex)
 *	    P(mutex)			    take item from slot[out]
 *	    put item into slot[in]	    V(mutex)
 *	    V(mutex)			    V(empty)
 *	    V(filled)			    consume item
 *
 * The order matters: a producer that did P(mutex) before P(empty) would
 * sleep on a full buffer while holding the mutex, and no consumer could
 * ever get in to make room: a deadlock.
 *
 * Each item is a different number.  At the end the checksum (the sum) of
 * all items consumed must equal that of all items produced, every item
 * must have been consumed exactly once, and the buffer never held more
 * than 8.
 *
 * usage: ipclab-ex-prodcons [-p PRODUCERS] [-c CONSUMERS] [-n ITEMS]
 *   defaults: 2 producers, 2 consumers, 1000 items per producer
 */
#include <stdio.h>
#include <unistd.h>

#include "example.h"

#define SLOTS 8
enum { EMPTY, FILLED, MUTEX };	/* the semaphores of the set */

/* The bounded buffer and the bookkeeping, in a shared buffer. */
struct buffer {
	int in, out;			/* next slot to fill, next to empty */
	int count, most;		/* items in the buffer now, at most */
	unsigned long long consumed_sum;
	unsigned int slot[SLOTS];
	unsigned char seen[];		/* seen[item]: times consumed */
};

static int sem, producers = 2, consumers = 2, items = 1000;

static void producer(struct buffer *b, int p)
{
	unsigned int item;
	int i;

	for (i = 0; i < items; i++) {
		item = p * items + i;		/* produce */
		P(sem, EMPTY);
		P(sem, MUTEX);
		b->slot[b->in] = item;
		b->in = (b->in + 1) % SLOTS;
		if (++b->count > b->most)
			b->most = b->count;
		V(sem, MUTEX);
		V(sem, FILLED);
	}
}

static void consumer(struct buffer *b, int n)
{
	unsigned long long sum = 0;
	unsigned int item;
	int i;

	for (i = 0; i < n; i++) {
		P(sem, FILLED);
		P(sem, MUTEX);
		item = b->slot[b->out];
		b->out = (b->out + 1) % SLOTS;
		b->count--;
		V(sem, MUTEX);
		V(sem, EMPTY);
		b->seen[item]++;		/* consume */
		sum += item;
	}
	P(sem, MUTEX);
	b->consumed_sum += sum;
	V(sem, MUTEX);
}

int main(int argc, char **argv)
{
	unsigned long long produced_sum = 0;
	int c, i, shbuf, total, once = 0, ok;
	struct buffer *b;
	pid_t pid[64];
	char name[24];		/* ex_fork() keeps 15 characters */
	size_t size;

	ex_init();
	while ((c = getopt(argc, argv, "p:c:n:")) != -1) {
		switch (c) {
		case 'p':
			producers = ex_number(optarg, 1);
			break;
		case 'c':
			consumers = ex_number(optarg, 1);
			break;
		case 'n':
			items = ex_number(optarg, 1);
			break;
		default:
			fprintf(stderr, "usage: %s [-p PRODUCERS] [-c CONSUMERS] [-n ITEMS]\n",
				argv[0]);
			return 2;
		}
	}
	if (producers > 32)
		producers = 32;
	if (consumers > 32)
		consumers = 32;
	total = producers * items;

	sem = ipclab_sem_get(IPCLAB_KEY_PRIVATE, 3, IPCLAB_CREAT, 0600);
	/* Named so, "ipclab show" and "watch" say empty, filled, mutex. */
	if (sem < 0 || ipclab_name(sem, "empty,filled,mutex"))
		ex_die("creating a semaphore set");
	if (ipclab_sem_setval(sem, EMPTY, SLOTS) || ipclab_sem_setval(sem, MUTEX, 1))
		ex_die("setting the values of semaphore set %d", sem);
	shbuf = ipclab_shbuf_get(IPCLAB_KEY_PRIVATE, sizeof(*b) + total,
				 IPCLAB_CREAT, 0600);
	if (shbuf < 0)
		ex_die("creating a shared buffer");
	b = ipclab_attach(shbuf, 0, &size);
	if (!b)
		ex_die("attaching shared buffer %d", shbuf);

	printf("%d producers x %d items, %d consumers, a buffer of %d slots\n"
	       "semaphore set %d: empty = %d, filled = %d, mutex = %d\n",
	       producers, items, consumers, SLOTS, sem, ipclab_sem_getval(sem, EMPTY),
	       ipclab_sem_getval(sem, FILLED), ipclab_sem_getval(sem, MUTEX));

	for (i = 0; i < producers; i++) {
		snprintf(name, sizeof(name), "producer-%d", i + 1);
		pid[i] = ex_fork(name);
		if (pid[i] == 0) {
			producer(b, i);
			_exit(0);
		}
	}
	for (i = 0; i < consumers; i++) {
		snprintf(name, sizeof(name), "consumer-%d", i + 1);
		pid[producers + i] = ex_fork(name);
		if (pid[producers + i] == 0) {
			/* An equal share each; the first takes the rest. */
			consumer(b, total / consumers + (i ? 0 : total % consumers));
			_exit(0);
		}
	}
	for (i = 0; i < producers + consumers; i++)
		ex_wait(pid[i]);

	for (i = 0; i < total; i++) {
		produced_sum += i;
		once += b->seen[i] == 1;
	}
	printf("produced %d items, checksum %llu\n", total, produced_sum);
	printf("consumed %d items, checksum %llu: %s\n", total, b->consumed_sum,
	       b->consumed_sum == produced_sum ? "equal" : "DIFFERENT");
	printf("items consumed exactly once: %d of %d\n", once, total);
	printf("most items in the buffer at once: %d (of %d slots)\n", b->most, SLOTS);
	printf("semaphores at the end: empty = %d, filled = %d, mutex = %d\n",
	       ipclab_sem_getval(sem, EMPTY), ipclab_sem_getval(sem, FILLED),
	       ipclab_sem_getval(sem, MUTEX));
	ok = b->consumed_sum == produced_sum && once == total;

	if (ipclab_detach(b, size) || ipclab_remove(shbuf))
		ex_die("removing shared buffer %d", shbuf);
	if (ipclab_remove(sem))
		ex_die("removing semaphore set %d", sem);
	return ok ? 0 : 1;
}
