// SPDX-License-Identifier: GPL-2.0
/*
 * PingPong: the given program, which runs your pingpong.c.
 *
 * ping-process says "ping" ROUNDS times, pong-process "pong" as often,
 * each between its before_...() and after_...().  Both write what they
 * said into a shared buffer, at an index taken atomically: at the end it
 * must read ping, pong, ping, pong, ... and nothing else.
 *
 * usage: pingpong [-n ROUNDS] [-d USEC] [-D USEC] [-q]
 *   -n rounds of each process (default 100); -d ping-process pauses
 *   USEC before each round, -D pong-process (default 0: none);
 *   -q does not print the pings and pongs
 */
#include <time.h>

#include "exercise.h"
#include "pingpong.h"

#define ROUNDS_MAX	10000
#define PING		'i'
#define PONG		'o'

/* What was said, in order: the shared buffer's contents. */
struct book {
	int n;				/* the next entry, taken atomically */
	double waited[2];		/* seconds in before_...(): ping, pong */
	char said[2 * ROUNDS_MAX];	/* PING, PONG */
};

static int rounds = 100, pdelay, odelay, quiet;
static struct book *book;

static void say(char what)
{
	int i = __atomic_fetch_add(&book->n, 1, __ATOMIC_SEQ_CST);

	if (i < 2 * ROUNDS_MAX)
		book->said[i] = what;
	if (!quiet) {
		printf("%s\n", what == PING ? "ping" : "pong");
		fflush(stdout);
	}
}

static void ping_process(int unused)
{
	double start;
	int i;

	(void)unused;
	for (i = 0; i < rounds; i++) {
		if (pdelay)
			usleep(pdelay);
		start = seconds();
		before_ping();
		book->waited[0] += seconds() - start;
		say(PING);
		after_ping();
	}
}

static void pong_process(int unused)
{
	double start;
	int i;

	(void)unused;
	for (i = 0; i < rounds; i++) {
		if (odelay)
			usleep(odelay);
		start = seconds();
		before_pong();
		book->waited[1] += seconds() - start;
		say(PONG);
		after_pong();
	}
}

static const char *word(char c)
{
	return c == PING ? "ping" : c == PONG ? "pong" : "nothing";
}

int main(int argc, char **argv)
{
	int c, i, n, shbuf, failed = 0, bad = -1;
	pid_t pi, po;
	char why[128] = "";
	size_t size;

	while ((c = getopt(argc, argv, "n:d:D:q")) != -1) {
		switch (c) {
		case 'n': rounds = number(optarg, ROUNDS_MAX); break;
		case 'd': pdelay = number(optarg, 10000000); break;
		case 'D': odelay = number(optarg, 10000000); break;
		case 'q': quiet = 1; break;
		default:
			fprintf(stderr, "usage: %s [-n ROUNDS] [-d USEC] [-D USEC] [-q]\n", argv[0]);
			return 2;
		}
	}
	if (ipclab_fd() < 0)
		die("opening /dev/ipclab");

	setup();
	if (ipclab_sem_getval(ping, 0) < 0)
		die("setup() made no semaphore ping (ping = %d)", ping);
	if (ipclab_sem_getval(pong, 0) < 0 || pong == ping)
		die("setup() made no semaphore pong of its own (pong = %d)", pong);
	name_object(ping, "ping");
	name_object(pong, "pong");
	fact("init.ping", "%d", ipclab_sem_getval(ping, 0));
	fact("init.pong", "%d", ipclab_sem_getval(pong, 0));
	printf("semaphores: ping %d = %d, pong %d = %d\n", ping, ipclab_sem_getval(ping, 0),
	       pong, ipclab_sem_getval(pong, 0));

	shbuf = ipclab_shbuf_get(IPCLAB_KEY_PRIVATE, sizeof(*book), IPCLAB_CREAT, 0600);
	if (shbuf < 0)
		die("creating the shared buffer");
	name_object(shbuf, "book");
	book = ipclab_attach(shbuf, 0, &size);
	if (!book)
		die("attaching shared buffer %d", shbuf);

	pi = spawn("ping-process", ping_process, 0);
	po = spawn("pong-process", pong_process, 0);
	failed += reap(pi, "ping-process") != 0;
	failed += reap(po, "pong-process") != 0;

	n = book->n < 2 * ROUNDS_MAX ? book->n : 2 * ROUNDS_MAX;
	for (i = 0; i < n && bad < 0; i++)
		if (book->said[i] != (i % 2 ? PONG : PING))
			bad = i;
	if (bad == 0)
		snprintf(why, sizeof(why), "it began with %s", word(book->said[0]));
	else if (bad > 0)
		snprintf(why, sizeof(why), "%s followed %s at %d (round %d)",
			 word(book->said[bad]), word(book->said[bad - 1]), bad, bad / 2 + 1);
	else if (n != 2 * rounds)
		snprintf(why, sizeof(why), "%d pings and pongs, not %d", n, 2 * rounds);
	fact("rounds", "%d", rounds);
	fact("said", "%d", n);
	fact("bad", "%s", why[0] ? why : "none");
	fact("waited.ping-process", "%.3f", book->waited[0]);
	fact("waited.pong-process", "%.3f", book->waited[1]);
	printf("%d rounds: %s\n", rounds, why[0] ? why : "ping and pong strictly alternated");
	cleanup();
	ipclab_detach(book, size);
	ipclab_remove(shbuf);
	return failed || why[0];
}
