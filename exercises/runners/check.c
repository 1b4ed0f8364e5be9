// SPDX-License-Identifier: GPL-2.0
/*
 * The grader of runners: runs main.c with your runners.c with each runner
 * in turn slow, and reads what the kernel saw: in which semaphore's
 * waiting room each runner slept, whose V woke it, and how much CPU the
 * runners used.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grade.h"

#define RUNNERS 3

/* The semaphore ids main.c reported: s[0] is s1, runner-1's. */
static void sems_of(const struct grade_run *r, long s[RUNNERS])
{
	char key[16];
	int i;

	for (i = 0; i < RUNNERS; i++) {
		snprintf(key, sizeof(key), "sem.%d", i + 1);
		s[i] = grade_fact_num(r, key, -1);
		/* Not a semaphore at all (setup() made none): no id. */
		snprintf(key, sizeof(key), "init.s%d", i + 1);
		if (grade_fact_num(r, key, -1) < 0)
			s[i] = -1;
	}
}

/* Which runner (0..2) process pid is, or -1. */
static int runner_of(const struct grade_run *r, long pid)
{
	const char *name = grade_comm(r, pid);

	if (strncmp(name, "runner-", 7) || name[7] < '1' || name[7] > '3' || name[8])
		return -1;
	return name[7] - '1';
}

/* The name of a semaphore id: s1, s2, s3, or what it is. */
static const char *sem_name(const struct grade_run *r, const long s[RUNNERS], long id)
{
	static char names[4][16];
	static int next;
	char *buf = names[next++ % 4];
	int i;

	for (i = 0; i < RUNNERS; i++)
		if (s[i] == id) {
			snprintf(buf, 16, "s%d", i + 1);
			return buf;
		}
	return grade_obj(r, id);
}

/*
 * Do two of the runners share one semaphore (one that setup() made)?
 * The feedback, or NULL.
 */
static const char *shared(const long s[RUNNERS])
{
	static char why[200];
	int i, j;

	if (s[0] >= 0 && s[0] == s[1] && s[1] == s[2])
		return "the three runners wait on one semaphore (s1, s2 and s3 are the same), and one semaphore cannot say whose turn it is";
	for (i = 0; i < RUNNERS; i++)
		for (j = i + 1; j < RUNNERS; j++)
			if (s[i] == s[j] && s[i] >= 0) {
				snprintf(why, sizeof(why),
					 "runner-%d and runner-%d wait on one semaphore (s%d and s%d are the same), and one semaphore cannot say whose turn it is",
					 i + 1, j + 1, i + 1, j + 1);
				return why;
			}
	return NULL;
}

/*
 * For a run that hung: the runners asleep at the end, each in which
 * waiting room, and whether anybody ever did V on that semaphore after
 * it went to sleep.
 */
static void asleep(const struct grade_run *r, const long s[RUNNERS], char *buf, size_t size)
{
	size_t i, j, n = 0;
	int k;

	buf[0] = '\0';
	for (k = 0; k < RUNNERS; k++) {
		long id = -1;
		size_t at = 0;

		for (i = 0; i < r->nev; i++) {
			const struct grade_ev *e = &r->ev[i];

			if (runner_of(r, grade_arg(e, "pid", 0)) != k)
				continue;
			if (!strcmp(e->name, "block")) {
				id = grade_arg(e, "id", -1);
				at = i;
			} else if (!strcmp(e->name, "wake")) {
				id = -1;
			}
		}
		if (id < 0 || n + 120 > size)
			continue;
		for (j = at; j < r->nev; j++)
			if (!strcmp(r->ev[j].name, "semop") && grade_arg(&r->ev[j], "id", -1) == id &&
			    grade_arg(&r->ev[j], "op", 0) > 0)
				break;
		n += snprintf(buf + n, size - n, "; runner-%d sleeps in %s's waiting room%s",
			      k + 1, sem_name(r, s, id),
			      j == r->nev ? " and nobody did V on it after" : "");
	}
}

/* Did the run go right? Its feedback, or NULL. */
static const char *legs_wrong(const struct grade_run *r)
{
	static char why[640];
	char more[400], order[128];
	const char *w = grade_why(r), *one;
	long s[RUNNERS];
	long bad = grade_fact_num(r, "bad", -1), legs = grade_fact_num(r, "legs", 0);
	long who = grade_fact_num(r, "bad.runner", 0), after = grade_fact_num(r, "bad.after", 0);

	sems_of(r, s);
	one = shared(s);
	if (s[0] < 0 && s[1] < 0 && s[2] < 0)
		one = "nothing makes a runner wait for its turn (setup() made no semaphores)";
	snprintf(order, sizeof(order), "%s", grade_fact(r, "order") ? grade_fact(r, "order") : "?");
	if (r->hung) {
		asleep(r, s, more, sizeof(more));
		snprintf(why, sizeof(why), "%s%s", w, more);
		return why;
	}
	if (bad >= 0) {
		if (bad == 0)
			snprintf(why, sizeof(why), "runner-%ld ran the first leg, before runner-1 (order %s)%s%s",
				 who, order, one ? ": " : "", one ? one : "");
		else
			snprintf(why, sizeof(why), "runner-%ld ran after runner-%ld (leg %ld of %ld; order %s)%s%s",
				 who, after, bad + 1, legs, order, one ? ": " : "", one ? one : "");
		return why;
	}
	if (grade_fact_num(r, "overlap", 0)) {
		snprintf(why, sizeof(why), "leg %ld: runner-%ld started while runner-%ld was still running",
			 grade_fact_num(r, "overlap", 0), grade_fact_num(r, "overlap.runner", 0),
			 grade_fact_num(r, "overlap.with", 0));
		return why;
	}
	if (w)
		return w;
	if (legs != 3 * grade_fact_num(r, "rounds", 0)) {
		snprintf(why, sizeof(why), "%ld legs were run, not %ld", legs,
			 3 * grade_fact_num(r, "rounds", 0));
		return why;
	}
	return NULL;
}

/*
 * Each runner sleeps only in its own semaphore's waiting room, and every
 * runner slept there at least once (in one of the runs).  The feedback,
 * or NULL.
 */
static const char *own_rooms(struct grade_run **runs, int nruns, int *slept)
{
	static char why[320];
	int k, n;
	size_t i;

	for (n = 0; n < nruns; n++) {
		const struct grade_run *r = runs[n];
		long s[RUNNERS];

		sems_of(r, s);
		for (i = 0; i < r->nev; i++) {
			const struct grade_ev *e = &r->ev[i];
			long id = grade_arg(e, "id", -1);

			if (strcmp(e->name, "block"))
				continue;
			k = runner_of(r, grade_arg(e, "pid", 0));
			if (k < 0)
				continue;
			slept[k]++;
			if (id != s[k] || shared(s)) {
				const char *one = shared(s);

				snprintf(why, sizeof(why), "runner-%d slept in %s's waiting room%s%s",
					 k + 1, sem_name(r, s, id),
					 one ? ": " : ", not in its own s",
					 one ? one : "");
				if (!one)
					snprintf(why + strlen(why), sizeof(why) - strlen(why), "%d", k + 1);
				return why;
			}
		}
	}
	for (k = 0; k < RUNNERS; k++)
		if (!slept[k]) {
			snprintf(why, sizeof(why),
				 "the kernel never saw runner-%d wait in s%d's waiting room, though the runner before it was slow",
				 k + 1, k + 1);
			return why;
		}
	return NULL;
}

/* Every wake of runner k is by runner k-1's V.  The feedback, or NULL. */
static const char *right_wakers(struct grade_run **runs, int nruns)
{
	static char why[320];
	int n, k, w;
	size_t i;

	for (n = 0; n < nruns; n++) {
		const struct grade_run *r = runs[n];
		long s[RUNNERS];

		sems_of(r, s);
		for (i = 0; i < r->nev; i++) {
			const struct grade_ev *e = &r->ev[i];

			if (strcmp(e->name, "wake") || grade_arg(e, "status", 0))
				continue;
			k = runner_of(r, grade_arg(e, "pid", 0));
			w = runner_of(r, grade_arg(e, "waker", 0));
			if (k < 0)
				continue;
			if (w != (k + RUNNERS - 1) % RUNNERS) {
				snprintf(why, sizeof(why), "runner-%d was woken by %s's V(%s), not by runner-%d's",
					 k + 1, grade_comm(r, grade_arg(e, "waker", 0)),
					 sem_name(r, s, grade_arg(e, "id", -1)),
					 (k + RUNNERS - 1) % RUNNERS + 1);
				return why;
			}
		}
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct grade_run *runs[3] = { NULL };
	const char *why, *skipped = "not run: the run before did not end";
	char who[32] = "", fb[512];
	int slept[RUNNERS] = { 0 }, n = 0, i;
	double cpu = 0;

	grade_begin("runners", argc, argv);

	runs[n] = grade_run(10, "runners", "-r", "50", NULL);
	why = legs_wrong(runs[n]);
	grade_check(3, !why, "50 rounds: the legs run 1, 2, 3, 1, 2, 3, ...", "%s", why);
	grade_check(1, grade_fact_num(runs[n], "init.s1", -1) == 1 &&
		    grade_fact_num(runs[n], "init.s2", -1) == 0 &&
		    grade_fact_num(runs[n], "init.s3", -1) == 0,
		    "the semaphores start at s1 = 1, s2 = 0, s3 = 0",
		    "setup() gave s1 = %ld, s2 = %ld, s3 = %ld",
		    grade_fact_num(runs[n], "init.s1", -1), grade_fact_num(runs[n], "init.s2", -1),
		    grade_fact_num(runs[n], "init.s3", -1));

	/* Runner 2 comes late: runner 3 is at its start line first. */
	if (!runs[n]->hung) {
		runs[++n] = grade_run(10, "runners", "-r", "50", "-d", "2=3000", NULL);
		why = legs_wrong(runs[n]);
	} else {
		why = skipped;
	}
	grade_check(2, !why, "runner-2 slow: still 1, 2, 3, ...", "%s", why);

	/* Runner 1 comes late, and the legs are long: the others wait. */
	if (!runs[n]->hung) {
		runs[++n] = grade_run(15, "runners", "-r", "20", "-t", "4000", "-d", "1=6000", NULL);
		why = legs_wrong(runs[n]);
	} else {
		why = skipped;
	}
	grade_check(2, !why, "runner-1 slow, long legs: still 1, 2, 3, ...", "%s", why);

	if (n == 2 && !runs[n]->hung) {
		cpu = grade_most_cpu(runs[n], "runner-", who, sizeof(who));
		snprintf(fb, sizeof(fb),
			 "%s used %.1f s of CPU in a %.1f s run, waiting for its turn: busy waiting",
			 who, cpu, runs[n]->wall);
	}
	grade_check(2, n == 2 && !runs[n]->hung && cpu < 0.3 * runs[n]->wall,
		    "a runner waiting for its turn sleeps (no busy waiting)", "%s",
		    n == 2 && !runs[n]->hung ? fb : skipped);

	why = own_rooms(runs, n + 1, slept);
	grade_check(2, !why, "each runner waits in its own semaphore's waiting room", "%s", why);
	why = right_wakers(runs, n + 1);
	grade_check(2, !why, "the V that wakes runner i comes from the runner before it", "%s", why);

	for (i = 0; i <= n; i++)
		grade_free(runs[i]);
	return grade_score();
}
