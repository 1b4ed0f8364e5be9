// SPDX-License-Identifier: GPL-2.0
/*
 * 06 - Deadlock detection with matrices, on live processes.
 *
 * The course's example (Tanenbaum): four resource classes (tape drives,
 * plotters, scanners, Blu-ray drives) with E = (4 2 3 1) instances, and
 * three processes that hold C and request R:
 *
 *	     C (holds)     R (requests)
 *	1   (0 0 1 0)     (2 0 0 1)
 *	2   (2 0 0 1)     (1 0 1 0)
 *	3   (0 1 2 0)     (2 1 0 0)	    so A = E - holdings = (2 1 0 0)
 *
 * Detection: find a process whose request fits in A; it can get it,
 * finish and give everything back, so add its row of C to A; repeat.
 * Processes left over at the end are deadlocked.  Here process 3's
 * request fits, then process 2's, then process 1's: no deadlock.  The
 * program first runs the algorithm on these tables itself, with the
 * same code "ipclab deadlock" runs (dl_detect(), userspace/dlmodel.h).
 *
 * The classes are the four semaphores of one set (each semaphore's
 * units are the class's instances), and three processes really hold and
 * request them: each takes its C with one semop, then asks for its R
 * with another, in the order 1, 2, 3.  1 and 2 wait; 3's request fits
 * and is granted.  "ipclab deadlock" then reads E, A, C and R from the
 * kernel and runs the algorithm.  Then process 3 finishes, and the rest
 * happens as the algorithm said: 2 gets its request and finishes, then 1
 * (the processes report it themselves, nothing here orders them).
 *
 * The set is created with IPCLAB_NOFIFO, which grants any request
 * that fits, as the algorithm assumes.  With --fifo it is an ordinary
 * ipclab set, whose waiting room is FIFO: process 3's request fits but
 * queues behind process 1, which waits to take from class 1 too, and all
 * three are stuck.  "ipclab deadlock" says so, and why; removing the set
 * ends their wait (EIDRM).
 *
 * The slide's state on paper, before any request is granted, is in
 * 06-course.matrices: "ipclab deadlock --matrices" runs the algorithm on
 * it (the program prints, at the end, a command that gives it the same
 * matrices on its standard input, so it works wherever it is pasted).
 *
 * usage: ipclab-ex-detect [--fifo]
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "dlmodel.h"
#include "example.h"

#define CLASSES 4

static const int E[CLASSES] = { 4, 2, 3, 1 };
static const int C[3][CLASSES] = { { 0, 0, 1, 0 }, { 2, 0, 0, 1 }, { 0, 1, 2, 0 } };
static const int R[3][CLASSES] = { { 2, 0, 0, 1 }, { 1, 0, 1, 0 }, { 2, 1, 0, 0 } };

static int set;
static int report[2];			/* a pipe: "I hold my C", "I got my R" */

/* Take (sign -1) or give back (+1) v, and v2 if given, in one semop. */
static int take_or_give(int sign, const int *v, const int *v2)
{
	struct ipclab_sembuf ops[CLASSES];
	int k, n = 0;

	for (k = 0; k < CLASSES; k++) {
		int count = v[k] + (v2 ? v2[k] : 0);

		if (count)
			ops[n++] = (struct ipclab_sembuf){ .num = k, .op = sign * count };
	}
	return ipclab_semop(set, ops, n, 0, 0);
}

/* "(4 2 3 1)"; room for four at once, for one printf. */
static const char *vec(const int *v)
{
	static char buf[4][16];
	static int next;
	char *b = buf[next++ % 4];

	snprintf(b, 16, "(%d %d %d %d)", v[0], v[1], v[2], v[3]);
	return b;
}

/*
 * The command that runs "ipclab deadlock" on the slide's state, E, C and
 * R as above, on its standard input: a student can paste it anywhere.
 */
static void print_matrices(void)
{
	int i, k;

	printf("\nThe slide's state on paper, before process 3 got its request, for\n"
	       "\"ipclab deadlock\" (paste it; 06-course.matrices has it as a file):\n"
	       "  ipclab deadlock --matrices - <<'EOF'\n  E");
	for (k = 0; k < CLASSES; k++)
		printf(" %d", E[k]);
	for (i = 0; i < 6; i++) {
		printf("\n  %c", i < 3 ? 'C' : 'R');
		for (k = 0; k < CLASSES; k++)
			printf(" %d", i < 3 ? C[i][k] : R[i - 3][k]);
	}
	printf("\n  EOF\n");
}

/*
 * The algorithm on paper: E, C and R as above, A = E minus what C holds.
 * dl_detect() finds the order in which the processes can finish.
 */
static void on_paper(void)
{
	struct dl m = { 0 };
	unsigned int s;
	int i, k;

	if (dl_alloc(&m, CLASSES, 3))
		ex_die("the matrices");
	for (k = 0; k < CLASSES; k++) {
		m.E[k] = m.A[k] = E[k];
		for (i = 0; i < 3; i++) {
			m.C[DL_CELL(&m, i, k)] = C[i][k];
			m.R[DL_CELL(&m, i, k)] = R[i][k];
			m.A[k] -= C[i][k];
		}
	}
	dl_detect(&m);
	printf("On paper (A = %s) the algorithm finishes process", vec(m.A));
	for (s = 0; s < m.nsteps; s++)
		printf("%s %u", s ? ", then" : "", m.order[s] + 1);
	if (dl_deadlocked(&m))
		printf("%s: %u are deadlocked.\n\n", m.nsteps ? "" : " none",
		       m.nproc - m.nsteps);
	else
		printf(": no deadlock.\n\n");
	dl_free(&m);
}

/*
 * Process i (0-based): hold C[i]; after "go", request R[i]; once it has
 * it, finish (process 3 only when told to, so that the state can be seen
 * first) and give everything back.
 */
static void process(int i, int go, int finish)
{
	char c;

	if (take_or_give(-1, C[i], NULL))
		ex_die("process %d: taking %s", i + 1, vec(C[i]));
	if (write(report[1], "h", 1) != 1 || read(go, &c, 1) != 1)
		ex_die("process %d: waiting for the go", i + 1);

	printf("process %d (pid %d) holds %s, requests %s\n", i + 1, getpid(),
	       vec(C[i]), vec(R[i]));
	if (take_or_give(-1, R[i], NULL)) {
		printf("process %d: %s\n", i + 1, ipclab_errname(errno));
		return;				/* the set was removed */
	}
	printf("process %d: got %s\n", i + 1, vec(R[i]));
	if (i == 2 && (write(report[1], "g", 1) != 1 || read(finish, &c, 1) < 0))
		ex_die("process %d: waiting to finish", i + 1);

	printf("process %d finishes and gives back %s\n", i + 1,
	       vec((int[CLASSES]){ C[i][0] + R[i][0], C[i][1] + R[i][1],
				   C[i][2] + R[i][2], C[i][3] + R[i][3] }));
	if (take_or_give(+1, C[i], R[i]))
		ex_die("process %d: giving back", i + 1);
}

int main(int argc, char **argv)
{
	int go[3][2], finish[2], i, k;
	bool fifo = false;
	pid_t pid[3];
	char name[8], c;

	ex_init();
	if (argc == 2 && !strcmp(argv[1], "--fifo")) {
		fifo = true;
	} else if (argc != 1) {
		fprintf(stderr, "usage: %s [--fifo]\n", argv[0]);
		return 2;
	}

	set = ipclab_sem_get(IPCLAB_KEY_PRIVATE, CLASSES,
			     IPCLAB_CREAT | (fifo ? 0 : IPCLAB_NOFIFO), 0600);
	if (set < 0 || ipclab_name(set, "tape drives,plotters,scanners,Blu-ray drives"))
		ex_die("creating a semaphore set");
	for (k = 0; k < CLASSES; k++)
		if (ipclab_sem_setval(set, k, E[k]))
			ex_die("setting semaphore %d of set %d", k, set);
	printf("Semaphore set %d (%s): the classes tape drives, plotters, scanners,\n"
	       "Blu-ray drives, E = %s\n\n", set,
	       fifo ? "FIFO, ipclab's default" : "IPCLAB_NOFIFO", vec(E));
	on_paper();

	if (pipe(report) || pipe(finish))
		ex_die("pipe");
	for (i = 0; i < 3; i++) {
		if (pipe(go[i]))
			ex_die("pipe");
		snprintf(name, sizeof(name), "P%d", i + 1);
		pid[i] = ex_fork(name);
		if (pid[i] == 0) {
			process(i, go[i][0], finish[0]);
			_exit(0);
		}
	}

	/* Once all hold their C: the requests, 1, 2, 3, each after the last waits. */
	for (i = 0; i < 3; i++)
		if (read(report[0], &c, 1) != 1)
			ex_die("waiting for the processes to take C");
	for (i = 0; i < 3; i++) {
		if (write(go[i][1], "g", 1) != 1)
			ex_die("starting process %d", i + 1);
		if (i < 2 || fifo)
			ex_await_waiters(set, i + 1);
		else if (read(report[0], &c, 1) != 1)
			ex_die("waiting for process 3");
	}

	printf("\nWhat the kernel's state says:\n");
	ex_shell("ipclab deadlock");

	if (fifo) {
		printf("\nThey would wait for good.  Removing the set ends it:\n");
		if (ipclab_remove(set))
			ex_die("removing semaphore set %d", set);
		for (i = 0; i < 3; i++)
			ex_wait(pid[i]);
		return 0;
	}

	printf("\nNow process 3 may finish; what happens next is up to the kernel:\n");
	if (write(finish[1], "f", 1) != 1)
		ex_die("finishing process 3");
	for (i = 2; i >= 0; i--)
		ex_wait(pid[i]);
	printf("All finished; A = %s\n",
	       vec((int[CLASSES]){ ipclab_sem_getval(set, 0), ipclab_sem_getval(set, 1),
				   ipclab_sem_getval(set, 2), ipclab_sem_getval(set, 3) }));
	print_matrices();

	if (ipclab_remove(set))
		ex_die("removing semaphore set %d", set);
	return 0;
}
