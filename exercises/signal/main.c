// SPDX-License-Identifier: GPL-2.0
/*
 * "X before Y": the given program, which runs your signal.c.
 *
 * x-process does the statement X (it prints "X") and then calls
 * after_x(); y-process calls before_y() and then does the statement Y
 * (it prints "Y").  Both write what they did, in the order it happened,
 * into a shared buffer: at the end it must say X, then Y.
 *
 * usage: signal [-x USEC] [-y USEC]
 *   -x x-process sleeps USEC before X (a slow X: y-process must wait);
 *   -y y-process sleeps USEC before it even calls before_y() (a late Y:
 *   X is long done, and the semaphore must remember it)
 */
#include <time.h>

#include "exercise.h"
#include "signaling.h"

/* What happened, in order: the shared buffer's contents. */
struct book {
	int n;			/* the next entry, taken atomically */
	char what[4];		/* 'X', 'Y' */
	double waited;		/* y-process's seconds in before_y() */
};

static int xdelay, ydelay;
static struct book *book;

static void happened(char what)
{
	int i = __atomic_fetch_add(&book->n, 1, __ATOMIC_SEQ_CST);

	if (i < (int)sizeof(book->what))
		book->what[i] = what;
	printf("%c\n", what);
	fflush(stdout);
}

static void x_process(int unused)
{
	(void)unused;
	if (xdelay)
		usleep(xdelay);
	happened('X');		/* the statement X */
	after_x();
}

static void y_process(int unused)
{
	double start;

	(void)unused;
	if (ydelay)
		usleep(ydelay);
	start = seconds();
	before_y();
	book->waited = seconds() - start;
	happened('Y');		/* the statement Y */
}

int main(int argc, char **argv)
{
	int c, shbuf, failed = 0, ok;
	pid_t x, y;
	char order[8];
	size_t size;

	while ((c = getopt(argc, argv, "x:y:")) != -1) {
		switch (c) {
		case 'x': xdelay = number(optarg, 10000000); break;
		case 'y': ydelay = number(optarg, 10000000); break;
		default:
			fprintf(stderr, "usage: %s [-x USEC] [-y USEC]\n", argv[0]);
			return 2;
		}
	}
	if (ipclab_fd() < 0)
		die("opening /dev/ipclab");

	setup();
	if (ipclab_sem_getval(x_done, 0) < 0)
		die("setup() made no semaphore: x_done = %d is none", x_done);
	name_object(x_done, "x_done");
	fact("init.x_done", "%d", ipclab_sem_getval(x_done, 0));
	printf("semaphore: x_done %d = %d\n", x_done, ipclab_sem_getval(x_done, 0));

	shbuf = ipclab_shbuf_get(IPCLAB_KEY_PRIVATE, sizeof(*book), IPCLAB_CREAT, 0600);
	if (shbuf < 0)
		die("creating the shared buffer");
	name_object(shbuf, "book");
	book = ipclab_attach(shbuf, 0, &size);
	if (!book)
		die("attaching shared buffer %d", shbuf);

	x = spawn("x-process", x_process, 0);
	y = spawn("y-process", y_process, 0);
	failed += reap(x, "x-process") != 0;
	failed += reap(y, "y-process") != 0;

	snprintf(order, sizeof(order), "%.*s", book->n < 4 ? book->n : 4, book->what);
	ok = !strcmp(order, "XY");
	fact("order", "%s", order[0] ? order : "-");
	fact("waited", "%.3f", book->waited);
	printf("order: %s%s (y-process waited %.3f s in before_y())\n",
	       order[0] ? order : "nothing", ok ? "" : ", not X then Y", book->waited);
	cleanup();
	ipclab_detach(book, size);
	ipclab_remove(shbuf);
	return failed || !ok;
}
