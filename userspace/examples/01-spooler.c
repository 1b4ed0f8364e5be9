// SPDX-License-Identifier: GPL-2.0
/*
 * 01 - A race condition: the print spooler.
 *
 * A process that wants a file printed enters the job into the spooler
 * directory, a table of slots in memory that all processes share, and
 * advances 'in', the number of the next free slot:
 *
 *	next_free_slot = in;			(1) read
 *	directory[next_free_slot] = job;	(2) store
 *	in = next_free_slot + 1;		(3) write back
 *
 * If process B does its (1) after A's (1) but before A's (3), both read
 * the same 'in' and store into the same slot: the later store overwrites
 * the earlier one, and that job is never printed.  Nobody gets an error;
 * the job is simply gone.  Whether it happens depends on the timing of
 * the two processes: a race condition.  (1)..(3) is a critical section,
 * code that must not run in two processes at once.
 *
 * To make the race likely rather than rare, each process calls
 * sched_yield() between (1) and (3), offering the CPU to another process
 * at the worst moment.  Without the yield the same jobs get lost, only
 * less often.  Preparing a job takes a varying amount of work (outside
 * the critical section), so that the processes do not march in step.
 *
 * Round 1 runs without a lock.  Round 2 puts an ipclab mutex around
 * (1)..(3): one process at a time in the critical section, no job lost.
 * After each round the printer daemon looks at the directory: which of
 * the jobs submitted are in slots 0..in-1?  Those that are not are lost.
 * (A job here is a number, shown as "B17": job 17 of process B.)
 *
 * With --step, each process stops before each of (1), (2) and (3) at a
 * named point (ipclab_point()) until the teacher releases it with "ipclab
 * step" in a second console, and says what it did: the interleaving of
 * the slide, A (1), B (1), B (2), B (3), A (2), A (3), shows A's store
 * overwriting B's job, every time.  See userspace/examples/README.md.
 *
 * usage: ipclab-ex-spooler [-p PROCESSES] [-j JOBS] [--lock | --no-lock] [--step]
 *   -p  processes that submit jobs, 2..26 (default 2), named A, B, ...
 *   -j  jobs each submits (default 200)
 *   --lock, --no-lock   run only that round
 *   --step  stop at the points (1), (2), (3) until released; needs a
 *           stepping board (ipclab step --start)
 */
#include <getopt.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "example.h"

/* What lives in the shared buffer. */
struct spooler {
	atomic_int ready;	/* processes at the start line */
	int in;			/* next free slot */
	int directory[];	/* job numbers (a real spooler keeps file names) */
};

static int processes = 2, jobs = 200;
static bool stepping;		/* --step: say each step, stop at each point */
static bool traced;		/* run by "ipclab trace": notes on its timeline */

/* Job j of process p (0 is A) is number p * jobs + j + 1; 0 is no job. */
static int job_number(int p, int j)
{
	return p * jobs + j + 1;
}

/* It is called "B17" in what is printed. */
static char *job_name(int job, char buf[16])
{
	snprintf(buf, 16, "%c%d", 'A' + (job - 1) / jobs, (job - 1) % jobs);
	return buf;
}

static void print_job(int job)
{
	char buf[16];

	printf(" %s", job_name(job, buf));
}

/*
 * What process p just did, as a note on the timeline of "ipclab trace"
 * and, with --step, printed: "B: (2) store B0 in slot 0".
 */
static void __attribute__((format(printf, 2, 3))) say(int p, const char *fmt, ...)
{
	char buf[128];
	va_list ap;

	if (!stepping && !traced)
		return;		/* the race runs as it would without */
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	ipclab_note("%s", buf);
	if (stepping)
		printf("%c: %s\n", 'A' + p, buf);
}

/* Process p submits its jobs; the mutex is -1 in the round without. */
static void submit_jobs(struct spooler *sp, int p, int mutex)
{
	unsigned int seed = getpid();
	volatile unsigned int work;
	int next_free_slot, j;
	char a[16], b[16];

	/* All start together: wait until every process is running. */
	atomic_fetch_add(&sp->ready, 1);
	while (atomic_load(&sp->ready) < processes)
		sched_yield();

	for (j = 0; j < jobs; j++) {
		for (work = rand_r(&seed) % 1000; work > 0; work--)
			;			/* prepare the job */

		if (mutex >= 0 && ipclab_lock(mutex))
			ex_die("locking mutex %d", mutex);

		ipclab_point("(1) read in");
		next_free_slot = sp->in;				/* (1) */
		say(p, "(1) read in = %d", next_free_slot);
		sched_yield();			/* the window: someone else may run now */
		ipclab_point("(2) store");
		if (sp->directory[next_free_slot])
			say(p, "(2) store %s in slot %d, overwriting %s",
			    job_name(job_number(p, j), a), next_free_slot,
			    job_name(sp->directory[next_free_slot], b));
		else
			say(p, "(2) store %s in slot %d", job_name(job_number(p, j), a),
			    next_free_slot);
		sp->directory[next_free_slot] = job_number(p, j);	/* (2) */
		ipclab_point("(3) write back");
		sp->in = next_free_slot + 1;				/* (3) */
		say(p, "(3) write back in = %d", sp->in);

		if (mutex >= 0 && ipclab_unlock(mutex))
			ex_die("unlocking mutex %d", mutex);
	}
}

/* Is this job in slots 0..in-1? */
static bool printed(const struct spooler *sp, int job)
{
	int i;

	for (i = 0; i < sp->in; i++)
		if (sp->directory[i] == job)
			return true;
	return false;
}

static void round_of(struct spooler *sp, bool with_lock)
{
	int total = processes * jobs, present = 0, lost = 0, mutex = -1;
	int p, j;
	char name[16];
	pid_t pids[26];

	if (with_lock) {
		mutex = ipclab_mutex_get(IPCLAB_KEY_PRIVATE, IPCLAB_CREAT, 0600);
		if (mutex < 0 || ipclab_name(mutex, "spooler"))
			ex_die("creating a mutex");
		printf("Round 2, with mutex %d around the critical section:\n", mutex);
	} else {
		printf("Round 1, without a lock:\n");
	}
	memset(sp, 0, sizeof(*sp) + total * sizeof(sp->directory[0]));

	for (p = 0; p < processes; p++) {
		snprintf(name, sizeof(name), "spooler-%c", 'A' + p);
		pids[p] = ex_fork(name);
		if (pids[p] == 0) {
			submit_jobs(sp, p, mutex);
			_exit(0);
		}
	}
	for (p = 0; p < processes; p++)
		ex_wait(pids[p]);

	/* The printer daemon: which jobs can it find? */
	for (p = 0; p < processes; p++) {
		for (j = 0; j < jobs; j++) {
			if (printed(sp, job_number(p, j)))
				present++;
			else
				lost++;
		}
	}
	printf("  in = %d: %d of %d jobs are in the directory, %d lost\n",
	       sp->in, present, total, lost);

	/* And which are lost: the first 16 of them. */
	if (lost) {
		int shown = 0;

		printf("  lost:");
		for (p = 0; p < processes; p++) {
			for (j = 0; j < jobs && shown < 16; j++) {
				if (!printed(sp, job_number(p, j))) {
					print_job(job_number(p, j));
					shown++;
				}
			}
		}
		if (lost > shown)
			printf(" ... and %d more", lost - shown);
		printf("\n");
	}
	if (mutex >= 0 && ipclab_remove(mutex))
		ex_die("removing mutex %d", mutex);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "lock", no_argument, NULL, 'l' },
		{ "no-lock", no_argument, NULL, 'n' },
		{ "step", no_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	bool without = true, with = true;
	struct spooler *sp;
	size_t size, mapped;
	int c, shbuf;

	ex_init();
	while ((c = getopt_long(argc, argv, "p:j:", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			processes = ex_number(optarg, 2);
			if (processes > 26)
				processes = 26;
			break;
		case 'j':
			jobs = ex_number(optarg, 1);
			break;
		case 'l':
			without = false;
			break;
		case 'n':
			with = false;
			break;
		case 's':
			stepping = true;
			break;
		default:
			fprintf(stderr, "usage: %s [-p PROCESSES] [-j JOBS] [--lock | --no-lock]"
				" [--step]\n", argv[0]);
			return 2;
		}
	}

	if (stepping) {
		ex_step_setup();
		printf("Stepping: each process stops before (1), (2) and (3); release them\n"
		       "one by one with 'ipclab step PROCESS' (e.g. spooler-A) in a second console.\n");
	}
	traced = getenv("IPCLAB_TRACE_MARKER");

	/* The directory: one slot for every job there is. */
	size = sizeof(*sp) + (size_t)processes * jobs * sizeof(sp->directory[0]);
	shbuf = ipclab_shbuf_get(IPCLAB_KEY_PRIVATE, size, IPCLAB_CREAT, 0600);
	if (shbuf < 0)
		ex_die("creating a shared buffer of %zu bytes", size);
	sp = ipclab_attach(shbuf, 0, &mapped);
	if (!sp)
		ex_die("attaching shared buffer %d", shbuf);

	printf("%d processes (A, B, ...) each submit %d jobs into one spooler directory\n"
	       "(shared buffer %d); a sched_yield() between reading and writing 'in'\n"
	       "makes the race likely.\n\n", processes, jobs, shbuf);
	if (without)
		round_of(sp, false);
	if (with)
		round_of(sp, true);

	if (ipclab_detach(sp, mapped) || ipclab_remove(shbuf))
		ex_die("removing shared buffer %d", shbuf);
	return 0;
}
