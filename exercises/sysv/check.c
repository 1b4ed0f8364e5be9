// SPDX-License-Identifier: GPL-2.0
/*
 * The grader of sysv: runs main.c with your counter.c, whose SysV calls
 * go to ipclab (libipclab-sysv), and reads what the kernel saw: every
 * semop on the lock with the value after it, each process's attach of
 * the shared memory, the messages sent to and taken from the queue, who
 * slept in which waiting room, which objects were removed, and how much
 * CPU each worker used.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grade.h"

#define MAX_PROCS 33

/* What main.c said about a run: the objects' ids, the processes. */
struct world {
	long lock, counter, done;	/* the semaphore set, the segment, the queue */
	long parent;
	long worker[MAX_PROCS];		/* worker[w]: worker-w's pid */
	int workers;
};

static struct world world_of(const struct grade_run *r)
{
	struct world w = { .lock = -1, .counter = -1, .done = -1 };
	const char *p = r->facts;
	char role[32];
	long id;
	int k;

	w.parent = grade_fact_num(r, "main", 0);
	while (p && *p) {
		if (sscanf(p, "name.%ld %31s", &id, role) == 2) {
			if (!strcmp(role, "lock"))
				w.lock = id;
			else if (!strcmp(role, "counter"))
				w.counter = id;
			else if (!strcmp(role, "done"))
				w.done = id;
		} else if (sscanf(p, "pid.%ld worker-%d", &id, &k) == 2 && k > 0 && k < MAX_PROCS) {
			w.worker[k] = id;
			if (k > w.workers)
				w.workers = k;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return w;
}

/* Every ipclab semop of the run, on any object. */
static int semops(const struct grade_run *r)
{
	size_t i;
	int n = 0;

	for (i = 0; i < r->nev; i++)
		n += !strcmp(r->ev[i].name, "semop");
	return n;
}

/* The semops on the lock by pid going down (P) or up (V); the highest value. */
static int ops(const struct grade_run *r, long id, long pid, int down, long *most)
{
	size_t i;
	int n = 0;

	for (i = 0; i < r->nev; i++) {
		const struct grade_ev *e = &r->ev[i];
		long op = grade_arg(e, "op", 0);

		if (strcmp(e->name, "semop") || grade_arg(e, "id", -1) != id)
			continue;
		if (most && grade_arg(e, "value", 0) > *most)
			*most = grade_arg(e, "value", 0);
		if (grade_arg(e, "pid", 0) == pid && (down ? op < 0 : op > 0))
			n++;
	}
	return n;
}

/*
 * What went wrong in a run that did not end well: the lost increments
 * when the counter is wrong, else the hang, the signal or the status.
 */
static void lost(char *fb, size_t size, const struct grade_run *r, const struct world *w)
{
	long counter = grade_fact_num(r, "counter", -1);
	long expected = grade_fact_num(r, "expected", -1);

	if (!r->hung && counter >= 0 && counter != expected)
		snprintf(fb, size,
			 "the counter is %ld, not %ld: %ld increments were lost, two workers read the same value and both wrote it plus one%s",
			 counter, expected, expected - counter,
			 grade_count(r, "semop", w->lock, 0) ? "" : " (the kernel saw no semop on lock)");
	else
		snprintf(fb, size, "%s", grade_why(r) ? grade_why(r) : "");
}

int main(int argc, char **argv)
{
	struct grade_run *r, *slow;
	const char *why;
	struct world w;
	char fb[1024], who[32] = "";
	long counter, expected, most = -1, init;
	int k, times = 50, p, v, n, bad;
	double cpu;
	size_t len;

	grade_begin("sysv", argc, argv);

	r = grade_run(10, "counter", "-w", "4", "-m", "50", "-d", "200", NULL);
	w = world_of(r);
	why = grade_why(r);
	counter = grade_fact_num(r, "counter", -1);
	expected = grade_fact_num(r, "expected", 200);
	init = grade_fact_num(r, "init.lock", -1);
	if (why && init == 0)
		snprintf(fb, sizeof(fb),
			 "the lock semaphore started at 0: the first P of every worker sleeps for a V nobody makes; %s",
			 why);
	else
		lost(fb, sizeof(fb), r, &w);
	grade_check(3, !why && counter == expected,
		    "4 workers x 50 increments: the counter is 200, and the program ends", "%s", fb);
	grade_check(1, init == 1, "the lock semaphore starts at 1",
		    "setup() gave the lock semaphore the value %ld, not 1", init);

	/* The calls went to ipclab, and every increment was between P and V. */
	bad = 0;
	for (k = 1; k <= w.workers && !bad; k++) {
		p = ops(r, w.lock, w.worker[k], 1, &most);
		v = ops(r, w.lock, w.worker[k], 0, NULL);
		if (p < times || v < times) {
			snprintf(fb, sizeof(fb),
				 "the kernel saw worker-%d do %d P and %d V on lock for its %d increments",
				 k, p, v, times);
			bad = 1;
		}
	}
	if (!semops(r) && !grade_fact_num(r, "ipclab", 0)) {
		snprintf(fb, sizeof(fb),
			 "the kernel saw no ipclab semop: the SysV calls did not reach ipclab (is the program linked with libipclab-sysv.a?)");
		bad = 1;
	} else if (!bad && most > 1) {
		snprintf(fb, sizeof(fb), "lock reached %ld: more than one worker could be inside at once",
			 most);
		bad = 1;
	}
	grade_check(2, !bad && w.workers > 0,
		    "every increment is between P(lock) and V(lock), in ipclab's semop", "%s",
		    w.workers ? fb : "the program started no worker");

	/* Each worker attaches the segment, sends its message; the parent takes them. */
	bad = 0;
	for (k = 1; k <= w.workers && !bad; k++)
		if (!grade_count(r, "attach", w.counter, w.worker[k])) {
			snprintf(fb, sizeof(fb), "the kernel saw worker-%d never attach the shared memory counter",
				 k);
			bad = 1;
		}
	grade_check(1, !bad && w.workers > 0, "every worker attaches the shared memory", "%s",
		    w.workers ? fb : "the program started no worker");
	bad = 0;
	for (k = 1; k <= w.workers && !bad; k++)
		if (!grade_count(r, "send", w.done, w.worker[k])) {
			snprintf(fb, sizeof(fb), "the kernel saw worker-%d send no message to the queue done", k);
			bad = 1;
		}
	n = grade_count(r, "receive", w.done, w.parent);
	if (!bad && n != w.workers) {
		snprintf(fb, sizeof(fb), "the parent took %d messages out of the queue done, for %d workers",
			 n, w.workers);
		bad = 1;
	}
	grade_check(2, !bad && w.workers > 0,
		    "every worker sends a message to the queue done, and the parent takes each one",
		    "%s", w.workers ? fb : "the program started no worker");

	/* At the end, nothing is left. */
	len = 0;
	fb[0] = '\0';
	if (w.lock >= 0 && !grade_count(r, "remove", w.lock, 0))
		len += snprintf(fb + len, sizeof(fb) - len, "%sthe semaphore set lock (id %ld)",
				len ? ", " : "", w.lock);
	if (w.counter >= 0 && !grade_count(r, "remove", w.counter, 0))
		len += snprintf(fb + len, sizeof(fb) - len, "%sthe shared memory counter (id %ld)",
				len ? ", " : "", w.counter);
	if (w.done >= 0 && !grade_count(r, "remove", w.done, 0))
		len += snprintf(fb + len, sizeof(fb) - len, "%sthe message queue done (id %ld)",
				len ? ", " : "", w.done);
	if (len)
		snprintf(fb + len, sizeof(fb) - len, ": never removed (IPC_RMID), still in ipclab ls after the program");
	if (w.lock < 0 || w.counter < 0 || w.done < 0)
		snprintf(fb, sizeof(fb), "setup() did not make the three objects");
	else if (r->hung)
		snprintf(fb, sizeof(fb), "the program did not end");
	grade_check(2, !r->hung && !len && w.lock >= 0 && w.counter >= 0 && w.done >= 0,
		    "cleanup() removes the three objects", "%s", fb);

	/* A long critical section: the others must sleep in lock's waiting room. */
	slow = grade_run(10, "counter", "-w", "3", "-m", "10", "-d", "30000", NULL);
	w = world_of(slow);
	why = grade_why(slow);
	cpu = grade_most_cpu(slow, "worker", who, sizeof(who));
	n = 0;
	for (k = 1; k <= w.workers; k++)
		n += grade_count(slow, "block", w.lock, w.worker[k]);
	if (why) {
		strcpy(fb, "with a long critical section: ");
		lost(fb + strlen(fb), sizeof(fb) - strlen(fb), slow, &w);
	} else if (cpu >= 0.3 * slow->wall)
		snprintf(fb, sizeof(fb),
			 "%s used %.1f s of CPU in a %.1f s run, waiting for the lock: busy waiting",
			 who, cpu, slow->wall);
	else
		snprintf(fb, sizeof(fb),
			 "the kernel saw no worker sleep in lock's waiting room, though each one held it for 30 ms");
	grade_check(2, !why && n > 0 && cpu < 0.3 * slow->wall,
		    "a worker waiting for the lock sleeps in its waiting room", "%s", fb);

	grade_free(r);
	grade_free(slow);
	return grade_score();
}
