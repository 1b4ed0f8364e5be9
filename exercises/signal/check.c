// SPDX-License-Identifier: GPL-2.0
/*
 * The grader of signal ("X before Y"): runs main.c with your signal.c
 * with a slow X and with a late Y, and reads what the kernel saw: who
 * did P and V on x_done, who slept in its waiting room and who woke it,
 * and how much CPU y-process used while it waited.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grade.h"

/* The id main.c reported for x_done, or -1. */
static long sem_of(const struct grade_run *r)
{
	const char *p = r->facts;
	long id;
	char role[16];

	while (p && *p) {
		if (sscanf(p, "name.%ld %15s", &id, role) == 2 && !strcmp(role, "x_done"))
			return id;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -1;
}

/* The events called name on id for pid (0: anyone) whose op has sign (0: any). */
static int count(const struct grade_run *r, const char *name, long id, long pid, int sign)
{
	size_t i;
	int n = 0;

	for (i = 0; i < r->nev; i++) {
		const struct grade_ev *e = &r->ev[i];
		long op = grade_arg(e, "op", 0);

		if (strcmp(e->name, name) || grade_arg(e, "id", -1) != id)
			continue;
		if (pid && grade_arg(e, "pid", 0) != pid)
			continue;
		if ((sign > 0 && op <= 0) || (sign < 0 && op >= 0))
			continue;
		n++;
	}
	return n;
}

/* The value x_done had just before y-process's first P on it, or -1. */
static long before_first_p(const struct grade_run *r, long id, long y)
{
	size_t i;

	for (i = 0; i < r->nev; i++) {
		const struct grade_ev *e = &r->ev[i];

		if (!strcmp(e->name, "semop") && grade_arg(e, "id", -1) == id &&
		    grade_arg(e, "pid", 0) == y && grade_arg(e, "op", 0) < 0)
			return grade_arg(e, "value", 0) - grade_arg(e, "op", 0);
	}
	return -1;
}

/* Why the order of a run is wrong (or the run failed), or NULL. */
static const char *order_why(const struct grade_run *r, const char *shape)
{
	static char fb[512];
	const char *why = grade_why(r), *order = grade_fact(r, "order");
	long id = sem_of(r), y = grade_pid(r, "y-process");
	int ps = count(r, "semop", id, y, -1);

	if (order && !strcmp(order, "XY") && !why)
		return NULL;
	if (!order || !strcmp(order, "XY"))
		snprintf(fb, sizeof(fb), "%s: %s", shape, why ? why : "the program failed");
	else if (strcmp(order, "YX"))
		snprintf(fb, sizeof(fb), "%s: the order was %s, not X then Y%s%s", shape, order,
			 why ? "; " : "", why ? why : "");
	else if (!ps)
		snprintf(fb, sizeof(fb),
			 "%s: Y happened before X: the kernel saw no P(x_done) by y-process, so nothing made it wait for X",
			 shape);
	else
		snprintf(fb, sizeof(fb),
			 "%s: Y happened before X: y-process's P(x_done) found x_done = %ld before X and did not wait",
			 shape, before_first_p(r, id, y));
	return fb;
}

int main(int argc, char **argv)
{
	struct grade_run *slow, *late;
	const char *why;
	long id, x, y, init, waker = 0;
	int blocks, vs, ps;
	double cpu, waited;
	char fb[512];
	size_t i;

	grade_begin("signal", argc, argv);

	/* A slow X: y-process comes first and must wait. */
	slow = grade_run(15, "signal", "-x", "300000", NULL);
	why = order_why(slow, "with a slow X (-x 300000)");
	grade_check(3, !why, "with a slow X, Y happens after X", "%s", why);
	init = grade_fact_num(slow, "init.x_done", -1);
	if (!grade_fact(slow, "init.x_done"))
		snprintf(fb, sizeof(fb), "no x_done to look at: %s", grade_why(slow));
	else
		snprintf(fb, sizeof(fb),
			 "setup() gave x_done = %ld: at the start X is not done, so a P before X must wait",
			 init);
	grade_check(1, init == 0, "x_done starts at 0", "%s", fb);

	id = sem_of(slow);
	x = grade_pid(slow, "x-process");
	y = grade_pid(slow, "y-process");
	blocks = count(slow, "block", id, y, 0);
	for (i = 0; i < slow->nev; i++)
		if (!strcmp(slow->ev[i].name, "wake") && grade_arg(&slow->ev[i], "id", -1) == id &&
		    grade_arg(&slow->ev[i], "pid", 0) == y) {
			waker = grade_arg(&slow->ev[i], "waker", 0);
			if (waker == x)
				break;
		}
	if (!blocks)
		snprintf(fb, sizeof(fb),
			 "the kernel saw y-process never sleep in x_done's waiting room, though X came 0.3 s late");
	else if (!waker)
		snprintf(fb, sizeof(fb), "y-process slept in x_done's waiting room and nobody woke it");
	else
		snprintf(fb, sizeof(fb), "y-process was woken by %s, not by x-process's V(x_done)",
			 grade_comm(slow, waker));
	grade_check(2, blocks > 0 && waker == x,
		    "y-process sleeps in x_done's waiting room until x-process's V wakes it",
		    "%s", fb);

	cpu = atof(grade_fact(slow, "cpu.y-process") ? grade_fact(slow, "cpu.y-process") : "0");
	waited = atof(grade_fact(slow, "waited") ? grade_fact(slow, "waited") : "0");
	why = order_why(slow, "with a slow X");
	if (why && !slow->hung && grade_fact(slow, "order") &&
	    !strcmp(grade_fact(slow, "order"), "YX"))
		snprintf(fb, sizeof(fb), "with a slow X, y-process did not wait at all: Y came first");
	else if (why)
		snprintf(fb, sizeof(fb), "%s", why);
	else
		snprintf(fb, sizeof(fb), "y-process used %.2f s of CPU in a %.2f s wait: busy waiting",
			 cpu, waited);
	grade_check(2, !why && (cpu < 0.05 || cpu < 0.3 * waited),
		    "y-process uses no CPU while it waits", "%s", fb);

	vs = count(slow, "semop", id, x, 1);
	ps = count(slow, "semop", id, y, -1);
	grade_check(1, vs == 1 && ps == 1 && !count(slow, "semop", id, x, -1) &&
		    !count(slow, "semop", id, y, 1),
		    "x-process does one V(x_done), y-process one P(x_done)",
		    "the kernel saw x-process do %d V(x_done) and %d P(x_done), y-process %d P(x_done) and %d V(x_done)",
		    vs, count(slow, "semop", id, x, -1), ps, count(slow, "semop", id, y, 1));
	grade_check(1, id >= 0 && count(slow, "remove", id, 0, 0) == 1,
		    "cleanup() removes x_done",
		    "the kernel saw x_done removed %d times at the end", count(slow, "remove", id, 0, 0));

	/* A late Y: X is long done when y-process asks; the V must be remembered. */
	late = grade_run(15, "signal", "-y", "300000", NULL);
	why = order_why(late, "with a late Y (-y 300000)");
	grade_check(2, !why, "with a late Y, Y still happens after X (x_done remembers the V)",
		    "%s", why);

	grade_free(slow);
	grade_free(late);
	return grade_score();
}
