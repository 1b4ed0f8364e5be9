// SPDX-License-Identifier: GPL-2.0
/*
 * The grader of prodcons: runs main.c with your prodcons.c in several
 * shapes and reads what the kernel saw: the values of the semaphores
 * after each P and V, who waited in which waiting room, and how much CPU
 * each process used.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grade.h"

/* The ids main.c reported for the three semaphores. */
struct sems {
	long empty, filled, mutex;
};

static struct sems sems_of(const struct grade_run *r)
{
	struct sems s = {
		grade_named(r, "empty"), grade_named(r, "filled"), grade_named(r, "mutex"),
	};

	return s;
}

/*
 * The order of each process's P operations: before its P(mutex) a
 * producer must have done P(empty), a consumer P(filled).  Returns the
 * feedback for the first process of role that did not, or NULL.
 */
static const char *order(const struct grade_run *r, const struct sems *s, const char *role)
{
	static char why[256];
	long last[64] = { 0 }, pids[64] = { 0 };
	size_t i, n = 0, k;
	int seen = 0;

	for (i = 0; i < r->nev; i++) {
		const struct grade_ev *e = &r->ev[i];
		long id = grade_arg(e, "id", -1), op = grade_arg(e, "op", 0);
		long pid = grade_arg(e, "pid", 0);
		bool prod;

		if (strcmp(e->name, "semop") || op >= 0)
			continue;
		for (k = 0; k < n && pids[k] != pid; k++)
			;
		if (k == n) {
			if (n == 64)
				continue;
			pids[n++] = pid;
		}
		if (id == s->mutex) {
			if (!grade_is(r, pid, role))
				continue;
			prod = !strcmp(role, "producer");
			seen++;
			if (last[k] != (prod ? s->empty : s->filled)) {
				snprintf(why, sizeof(why),
					 "%s did P(mutex) before P(%s): when %s it sleeps holding mutex, and nobody can get in to change that",
					 grade_comm(r, pid), prod ? "empty" : "filled",
					 prod ? "the buffer is full" : "the buffer is empty");
				return why;
			}
		}
		last[k] = id;
	}
	if (!seen) {
		snprintf(why, sizeof(why), "the kernel saw no %s do P(mutex)", role);
		return why;
	}
	return NULL;
}

/* Number of times a process whose name starts with role blocked on id. */
static int blocked(const struct grade_run *r, long id, const char *role)
{
	size_t i;
	int n = 0;

	for (i = 0; i < r->nev; i++)
		if (!strcmp(r->ev[i].name, "block") && grade_arg(&r->ev[i], "id", -1) == id &&
		    grade_is(r, grade_arg(&r->ev[i], "pid", 0), role))
			n++;
	return n;
}

/* The P operations on id by the processes of role. */
static int downs_by(const struct grade_run *r, long id, const char *role)
{
	size_t i;
	int n = 0;

	for (i = 0; i < r->nev; i++)
		if (!strcmp(r->ev[i].name, "semop") && grade_arg(&r->ev[i], "id", -1) == id &&
		    grade_arg(&r->ev[i], "op", 0) < 0 &&
		    grade_is(r, grade_arg(&r->ev[i], "pid", 0), role))
			n++;
	return n;
}

/* The highest value a semaphore had after an operation, and the P's on it. */
static long highest(const struct grade_run *r, long id, int *downs)
{
	long most = -1;
	size_t i;

	*downs = 0;
	for (i = 0; i < r->nev; i++) {
		const struct grade_ev *e = &r->ev[i];

		if (strcmp(e->name, "semop") || grade_arg(e, "id", -1) != id)
			continue;
		if (grade_arg(e, "value", 0) > most)
			most = grade_arg(e, "value", 0);
		*downs += grade_arg(e, "op", 0) < 0;
	}
	return most;
}

int main(int argc, char **argv)
{
	struct grade_run *small, *many, *full, *starved;
	const char *why, *bad;
	struct sems s;
	char who[32] = "", fb[512];
	long most;
	int downs, items, pdowns, cdowns;
	double cpu;

	grade_begin("prodcons", argc, argv);

	small = grade_run(10, "prodcons", "-p", "1", "-c", "1", "-n", "100", NULL);
	grade_check(1, !small->status && !small->hung,
		    "one producer, one consumer, 100 items", "%s", grade_why(small));
	s = sems_of(small);
	grade_check(1, grade_fact_num(small, "init.empty", -1) == 8 &&
		    grade_fact_num(small, "init.filled", -1) == 0 &&
		    grade_fact_num(small, "init.mutex", -1) == 1,
		    "the semaphores start at empty = 8, filled = 0, mutex = 1",
		    "setup() gave empty = %ld, filled = %ld, mutex = %ld",
		    grade_fact_num(small, "init.empty", -1),
		    grade_fact_num(small, "init.filled", -1),
		    grade_fact_num(small, "init.mutex", -1));

	many = grade_run(15, "prodcons", "-p", "3", "-c", "3", "-n", "300", NULL);
	s = sems_of(many);
	why = grade_why(many);
	if (!why)
		snprintf(fb, sizeof(fb), "of %ld items, %ld never arrived and %ld arrived more than once",
			 grade_fact_num(many, "items", 0), grade_fact_num(many, "lost", 0),
			 grade_fact_num(many, "twice", 0));
	grade_check(3, !why && !grade_fact_num(many, "lost", 1) && !grade_fact_num(many, "twice", 1),
		    "3 producers, 3 consumers: every item arrives exactly once",
		    "%s", why ? why : fb);
	most = highest(many, s.mutex, &downs);
	items = grade_fact_num(many, "items", 900);
	pdowns = downs_by(many, s.mutex, "producer");
	cdowns = downs_by(many, s.mutex, "consumer");
	if (most > 1)
		snprintf(fb, sizeof(fb), "mutex reached %ld: more than one process could be inside at once",
			 most);
	else if (pdowns < items)
		snprintf(fb, sizeof(fb),
			 "the producers did %d P(mutex) for %d put() calls: put() changes the buffer unprotected",
			 pdowns, items);
	else
		snprintf(fb, sizeof(fb),
			 "the consumers did %d P(mutex) for %d take() calls: take() changes the buffer unprotected",
			 cdowns, items);
	grade_check(2, pdowns >= items && cdowns >= items && most <= 1,
		    "every put() and take() changes the buffer between P(mutex) and V(mutex)",
		    "%s", fb);

	/* A slow consumer: the buffer fills, and producers must wait. */
	full = grade_run(10, "prodcons", "-p", "2", "-c", "1", "-n", "30", "-D", "20000", NULL);
	s = sems_of(full);
	why = grade_why(full);
	bad = order(full, &s, "producer");
	most = highest(full, s.filled, &downs);
	if (why)
		snprintf(fb, sizeof(fb), "with a slow consumer: %s%s%s", why, bad ? "; " : "",
			 bad ? bad : "");
	else if (most > 8)
		snprintf(fb, sizeof(fb), "filled reached %ld: more items than the 8 slots", most);
	else
		snprintf(fb, sizeof(fb),
			 "the kernel saw no producer wait for empty, though the consumer was slow");
	grade_check(2, !why && most <= 8 && blocked(full, s.empty, "producer") > 0,
		    "a full buffer puts the producers to sleep in empty's waiting room", "%s", fb);
	grade_check(2, !bad, "producers do P(empty) before P(mutex)", "%s", bad);

	/* A slow producer: consumers must sleep, not spin. */
	starved = grade_run(10, "prodcons", "-p", "1", "-c", "2", "-n", "40", "-d", "20000", NULL);
	s = sems_of(starved);
	why = grade_why(starved);
	bad = order(starved, &s, "consumer");
	cpu = grade_most_cpu(starved, "consumer", who, sizeof(who));
	if (why)
		snprintf(fb, sizeof(fb), "with a slow producer: %s", why);
	else if (cpu >= 0.3 * starved->wall)
		snprintf(fb, sizeof(fb),
			 "%s used %.1f s of CPU in a %.1f s run, waiting for a slow producer: busy waiting",
			 who, cpu, starved->wall);
	else
		snprintf(fb, sizeof(fb),
			 "the kernel saw no consumer wait for filled, though the producer was slow");
	grade_check(2, !why && blocked(starved, s.filled, "consumer") > 0 &&
		    cpu < 0.3 * starved->wall,
		    "an empty buffer puts the consumers to sleep in filled's waiting room", "%s", fb);
	grade_check(2, !bad, "consumers do P(filled) before P(mutex)", "%s", bad);

	grade_free(small);
	grade_free(many);
	grade_free(full);
	grade_free(starved);
	return grade_score();
}
