// SPDX-License-Identifier: GPL-2.0
/*
 * The print spooler: the given program, which runs your spooler.c.
 *
 * Clients client-1, client-2, ... each submit() JOBS print jobs, named
 * "client-C/J", into one spooler directory in a shared buffer; they all
 * start at the same moment.  At the end the printer daemon (this
 * program) looks at the slots 0..in-1: every job must be there exactly
 * once.
 *
 * usage: spooler [-c CLIENTS] [-j JOBS] [-w USEC]
 *   -c clients (default 4), -j jobs each (default 50)
 *   -w window() sleeps USEC between reading in and writing it back
 *      (default 0: it only offers the CPU to another client, sched_yield())
 */
#include <sched.h>

#include "exercise.h"
#include "spooler.h"

static int clients = 4, jobs = 50, wdelay;
static struct spooler *sp;
static int start[2];		/* a pipe: the clients start when it closes */

void window(void)
{
	if (wdelay)
		usleep(wdelay);
	else
		sched_yield();
}

static void client(int c)
{
	char job[32], byte;
	int j;

	close(start[1]);
	if (read(start[0], &byte, 1) < 0)
		die("client-%d: waiting for the start", c + 1);
	for (j = 0; j < jobs; j++) {
		snprintf(job, sizeof(job), "client-%d/%d", c + 1, j);
		submit(sp, job);
	}
}

int main(int argc, char **argv)
{
	int c, i, j, k, in, total, lost = 0, twice = 0, failed = 0, shbuf, found;
	char name[32][16], job[32], first[32] = "";
	pid_t pid[32];
	size_t size;

	while ((c = getopt(argc, argv, "c:j:w:")) != -1) {
		switch (c) {
		case 'c': clients = number(optarg, 1000000); break;
		case 'j': jobs = number(optarg, 1000000); break;
		case 'w': wdelay = number(optarg, 1000000); break;
		default:
			fprintf(stderr, "usage: %s [-c CLIENTS] [-j JOBS] [-w USEC]\n", argv[0]);
			return 2;
		}
	}
	total = clients * jobs;
	if (clients < 1 || clients > 32 || jobs > 9999 || total > MAXJOBS) {
		fprintf(stderr, "spooler: 1 to 32 clients, at most %d jobs in all\n", MAXJOBS);
		return 2;
	}
	if (ipclab_fd() < 0)
		die("opening /dev/ipclab");

	setup();
	name_object(mutex, "spooler");
	fact("mutex", "%d", mutex);

	shbuf = ipclab_shbuf_get(IPCLAB_KEY_PRIVATE, sizeof(*sp), IPCLAB_CREAT, 0600);
	if (shbuf < 0)
		die("creating the shared buffer");
	name_object(shbuf, "directory");
	sp = ipclab_attach(shbuf, 0, &size);
	if (!sp)
		die("attaching shared buffer %d", shbuf);
	printf("%d clients submit %d jobs each into the directory (shared buffer %d), lock %d\n",
	       clients, jobs, shbuf, mutex);

	if (pipe(start))
		die("pipe");
	for (i = 0; i < clients; i++) {
		snprintf(name[i], sizeof(name[i]), "client-%d", i + 1);
		pid[i] = spawn(name[i], client, i);
	}
	close(start[0]);
	close(start[1]);		/* go */
	for (i = 0; i < clients; i++)
		failed += reap(pid[i], name[i]) != 0;

	/* The printer daemon: is every job in slots 0..in-1, once? */
	in = sp->in < 0 ? 0 : sp->in > MAXJOBS ? MAXJOBS : sp->in;
	for (i = 0; i < clients; i++) {
		for (j = 0; j < jobs; j++) {
			snprintf(job, sizeof(job), "client-%d/%d", i + 1, j);
			for (k = found = 0; k < in; k++)
				found += !strncmp(sp->slot[k], job, JOBNAME);
			if (!found && !lost++)
				snprintf(first, sizeof(first), "%s", job);
			twice += found > 1;
		}
	}
	fact("jobs", "%d", total);
	fact("in", "%d", sp->in);
	fact("lost", "%d", lost);
	fact("twice", "%d", twice);
	if (lost)
		fact("lost.first", "%s", first);
	printf("in = %d: %d of %d jobs are in the directory, %d lost%s%s, %d there twice\n",
	       sp->in, total - lost, total, lost, lost ? ", e.g. " : "", first, twice);
	failed = failed || lost || twice || sp->in != total;
	cleanup();
	ipclab_detach(sp, size);
	ipclab_remove(shbuf);
	return failed;
}
