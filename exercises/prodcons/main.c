// SPDX-License-Identifier: GPL-2.0
/*
 * Producer/consumer: the given program, which runs your prodcons.c.
 *
 * Producers make the items 0, 1, 2, ... (each producer its own range)
 * and put() them; consumers take() them and count how often each item
 * arrived.  At the end every item must have arrived exactly once.
 *
 * usage: prodcons [-p PRODUCERS] [-c CONSUMERS] [-n ITEMS] [-d USEC] [-D USEC]
 *   -n items per producer (default 1000); -d a producer's pause before
 *   each item, -D a consumer's after each one (default 0: none)
 */
#include "exercise.h"
#include "prodcons.h"

static int producers = 2, consumers = 2, items = 1000, pdelay, cdelay;
static struct buffer *buf;
static unsigned char *seen;	/* seen[item]: how often it arrived */

static void producer(int p)
{
	int i;

	for (i = 0; i < items; i++) {
		if (pdelay)
			usleep(pdelay);
		put(buf, p * items + i);
	}
}

static void consumer(int n)
{
	unsigned int item, total = producers * items;
	int i;

	for (i = 0; i < n; i++) {
		item = take(buf);
		if (item < total)
			__atomic_fetch_add(&seen[item], 1, __ATOMIC_RELAXED);
		if (cdelay)
			usleep(cdelay);
	}
}

int main(int argc, char **argv)
{
	int c, i, total, lost = 0, twice = 0, failed = 0, shbuf;
	char name[64][24];	/* comm keeps 15 characters: consumer-32 fits */
	pid_t pid[64];
	size_t size;

	while ((c = getopt(argc, argv, "p:c:n:d:D:")) != -1) {
		switch (c) {
		case 'p': producers = number(optarg, 1000000); break;
		case 'c': consumers = number(optarg, 1000000); break;
		case 'n': items = number(optarg, 1000000); break;
		case 'd': pdelay = number(optarg, 1000000); break;
		case 'D': cdelay = number(optarg, 1000000); break;
		default:
			fprintf(stderr, "usage: %s [-p PRODUCERS] [-c CONSUMERS] [-n ITEMS] [-d USEC] [-D USEC]\n",
				argv[0]);
			return 2;
		}
	}
	if (producers < 1 || producers > 32 || consumers < 1 || consumers > 32) {
		fprintf(stderr, "prodcons: 1 to 32 producers and consumers\n");
		return 2;
	}
	total = producers * items;
	if (ipclab_fd() < 0)
		die("opening /dev/ipclab");

	setup();
	name_object(empty, "empty");
	name_object(filled, "filled");
	name_object(mutex, "mutex");
	fact("init.empty", "%d", ipclab_sem_getval(empty, 0));
	fact("init.filled", "%d", ipclab_sem_getval(filled, 0));
	fact("init.mutex", "%d", ipclab_sem_getval(mutex, 0));
	printf("semaphores: empty %d = %d, filled %d = %d, mutex %d = %d\n",
	       empty, ipclab_sem_getval(empty, 0), filled, ipclab_sem_getval(filled, 0),
	       mutex, ipclab_sem_getval(mutex, 0));

	shbuf = ipclab_shbuf_get(IPCLAB_KEY_PRIVATE, sizeof(*buf) + total, IPCLAB_CREAT, 0600);
	if (shbuf < 0)
		die("creating the shared buffer");
	name_object(shbuf, "buffer");
	buf = ipclab_attach(shbuf, 0, &size);
	if (!buf)
		die("attaching shared buffer %d", shbuf);
	seen = (unsigned char *)(buf + 1);

	for (i = 0; i < producers; i++) {
		snprintf(name[i], sizeof(name[i]), "producer-%d", i + 1);
		pid[i] = spawn(name[i], producer, i);
	}
	for (i = 0; i < consumers; i++) {
		c = producers + i;
		snprintf(name[c], sizeof(name[c]), "consumer-%d", i + 1);
		/* An equal share each; the first takes the rest. */
		pid[c] = spawn(name[c], consumer, total / consumers + (i ? 0 : total % consumers));
	}
	for (i = 0; i < producers + consumers; i++)
		failed += reap(pid[i], name[i]) != 0;

	for (i = 0; i < total; i++) {
		lost += !seen[i];
		twice += seen[i] > 1;
	}
	fact("items", "%d", total);
	fact("lost", "%d", lost);
	fact("twice", "%d", twice);
	printf("%d items: %d never arrived, %d arrived more than once\n", total, lost, twice);
	cleanup();
	ipclab_detach(buf, size);
	ipclab_remove(shbuf);
	return failed || lost || twice;
}
