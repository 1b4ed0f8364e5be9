// SPDX-License-Identifier: GPL-2.0
/*
 * The three runners: the given program, which runs your runners.c.
 *
 * Three processes, runner-1, runner-2 and runner-3, each run ROUNDS legs:
 * wait_turn(i), the leg, hand_over(i).  Every leg takes its number from
 * one counter in a shared buffer (an atomic add) and writes down whose
 * leg it was, so that at the end the order of all the legs is known; it
 * must be 1, 2, 3, 1, 2, 3, ..., and no leg may start while another
 * runner is still running its own.
 *
 * usage: runners [-r ROUNDS] [-t USEC] [-d RUNNER=USEC]...
 *   -r rounds (default 50): every runner runs that many legs
 *   -t how long a leg takes (default 1000 microseconds)
 *   -d runner RUNNER (1, 2 or 3) comes USEC late to its start line,
 *      before every leg: e.g. -d 2=3000 makes runner 2 slow
 */
#include "exercise.h"
#include "runners.h"

#define MAXLEGS (3 * 10000)

/* What the runners write down, in a shared buffer. */
struct track {
	int legs;		/* the legs begun: the next leg's number */
	int inside;		/* the runners running a leg now */
	int overlap;		/* the first leg that began while another ran, + 1 */
	int overlap_with;	/* the runner who was still running then */
	int running;		/* the runner running now (1..3) */
	unsigned char order[MAXLEGS];	/* order[k]: whose leg k was (1..3) */
};

static int rounds = 50, legtime = 1000, late[RUNNERS];
static struct track *tr;

static void runner(int i)
{
	int r, k, other;

	for (r = 0; r < rounds; r++) {
		if (late[i])
			usleep(late[i]);
		wait_turn(i);
		/* The leg. */
		k = __atomic_fetch_add(&tr->legs, 1, __ATOMIC_SEQ_CST);
		other = __atomic_exchange_n(&tr->running, i + 1, __ATOMIC_SEQ_CST);
		if (__atomic_fetch_add(&tr->inside, 1, __ATOMIC_SEQ_CST) != 0) {
			int none = 0;

			if (__atomic_compare_exchange_n(&tr->overlap, &none, k + 1, 0,
							__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
				tr->overlap_with = other;
		}
		if (k < MAXLEGS)
			tr->order[k] = i + 1;
		if (legtime)
			usleep(legtime);
		__atomic_fetch_sub(&tr->inside, 1, __ATOMIC_SEQ_CST);
		hand_over(i);
	}
}

int main(int argc, char **argv)
{
	int c, i, k, legs, bad = -1, failed = 0, shbuf;
	char name[RUNNERS][16], order[3 * 24 + 1] = "";
	pid_t pid[RUNNERS];
	size_t size;

	while ((c = getopt(argc, argv, "r:t:d:")) != -1) {
		switch (c) {
		case 'r': rounds = number(optarg, 1000000); break;
		case 't': legtime = number(optarg, 1000000); break;
		case 'd':
			i = atoi(optarg);
			if (i < 1 || i > RUNNERS || !strchr(optarg, '=')) {
				fprintf(stderr, "runners: -d %s: RUNNER=USEC, RUNNER 1 to 3\n",
					optarg);
				return 2;
			}
			late[i - 1] = number(strchr(optarg, '=') + 1, 1000000);
			break;
		default:
			fprintf(stderr, "usage: %s [-r ROUNDS] [-t USEC] [-d RUNNER=USEC]...\n",
				argv[0]);
			return 2;
		}
	}
	if (rounds < 1 || rounds > MAXLEGS / RUNNERS) {
		fprintf(stderr, "runners: 1 to %d rounds\n", MAXLEGS / RUNNERS);
		return 2;
	}
	if (ipclab_fd() < 0)
		die("opening /dev/ipclab");

	setup();
	for (i = 0; i < RUNNERS; i++) {
		char key[16], sname[4];

		snprintf(sname, sizeof(sname), "s%d", i + 1);
		snprintf(key, sizeof(key), "sem.%d", i + 1);
		name_object(sem[i], sname);
		fact(key, "%d", sem[i]);
		snprintf(key, sizeof(key), "init.s%d", i + 1);
		fact(key, "%d", ipclab_sem_getval(sem[i], 0));
	}
	printf("semaphores: s1 %d = %d, s2 %d = %d, s3 %d = %d\n",
	       sem[0], ipclab_sem_getval(sem[0], 0), sem[1], ipclab_sem_getval(sem[1], 0),
	       sem[2], ipclab_sem_getval(sem[2], 0));

	shbuf = ipclab_shbuf_get(IPCLAB_KEY_PRIVATE, sizeof(*tr), IPCLAB_CREAT, 0600);
	if (shbuf < 0)
		die("creating the shared buffer");
	name_object(shbuf, "track");
	tr = ipclab_attach(shbuf, 0, &size);
	if (!tr)
		die("attaching shared buffer %d", shbuf);

	for (i = 0; i < RUNNERS; i++) {
		snprintf(name[i], sizeof(name[i]), "runner-%d", i + 1);
		pid[i] = spawn(name[i], runner, i);
	}
	for (i = 0; i < RUNNERS; i++)
		failed += reap(pid[i], name[i]) != 0;

	/* The order: 1, 2, 3, 1, ...; leg k is runner k % 3 + 1's. */
	legs = tr->legs < MAXLEGS ? tr->legs : MAXLEGS;
	for (k = 0; k < legs && bad < 0; k++)
		if (tr->order[k] != k % RUNNERS + 1)
			bad = k;
	for (k = 0; k < legs && k < 24; k++)
		snprintf(order + strlen(order), sizeof(order) - strlen(order), "%s%d",
			 k ? " " : "", tr->order[k]);
	fact("rounds", "%d", rounds);
	fact("legs", "%d", legs);
	fact("order", "%s", order);
	fact("bad", "%d", bad);
	if (bad >= 0) {
		fact("bad.runner", "%d", tr->order[bad]);
		fact("bad.after", "%d", bad ? tr->order[bad - 1] : 0);
	}
	fact("overlap", "%d", tr->overlap);
	if (tr->overlap) {
		fact("overlap.runner", "%d", tr->order[tr->overlap - 1]);
		fact("overlap.with", "%d", tr->overlap_with);
	}

	printf("order: %s%s\n", order, legs > 24 ? " ..." : "");
	if (bad < 0)
		printf("%d legs, all in the order 1, 2, 3\n", legs);
	else if (bad == 0)
		printf("leg 1 of %d was runner %d's, not runner 1's\n", legs, tr->order[0]);
	else
		printf("leg %d of %d: runner %d ran after runner %d\n", bad + 1, legs,
		       tr->order[bad], tr->order[bad - 1]);
	if (tr->overlap)
		printf("leg %d: runner %d started while runner %d was still running\n",
		       tr->overlap, tr->order[tr->overlap - 1], tr->overlap_with);
	failed = failed || bad >= 0 || tr->overlap || legs != RUNNERS * rounds;
	cleanup();
	ipclab_detach(tr, size);
	ipclab_remove(shbuf);
	return failed;
}
