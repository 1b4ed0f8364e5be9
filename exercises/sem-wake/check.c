// SPDX-License-Identifier: GPL-2.0
/*
 * The grader of sem-wake: runs main.c's scenarios against the module
 * built with your sem.c.  After each of main's steps (a V or a P that
 * never waits) it compares who still waits in the set's room, and the
 * values, with what they must be; the kernel's events say which of a
 * woken waiter's operations were performed for it, and in which order
 * the waiters were woken.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grade.h"

#define NSCEN 6
static const char *const names[NSCEN] = {
	"fifo", "nofifo", "zero", "atomic", "order", "givetake"
};
static struct grade_run *runs[NSCEN];

static struct grade_run *run_of(const char *scen)
{
	int i;

	for (i = 0; i < NSCEN; i++)
		if (!strcmp(names[i], scen))
			return runs[i];
	return NULL;
}

/* The semaphore operations the kernel performed for pid. */
static int semops_for(const struct grade_run *r, long pid)
{
	size_t i;
	int n = 0;

	for (i = 0; i < r->nev; i++)
		n += !strcmp(r->ev[i].name, "semop") && grade_arg(&r->ev[i], "pid", 0) == pid;
	return n;
}

static bool listed(const char *list, const char *name)
{
	size_t len = strlen(name);
	const char *p = list;

	while ((p = strstr(p, name))) {
		if ((p == list || p[-1] == ',') && (p[len] == ',' || !p[len]))
			return true;
		p += len;
	}
	return false;
}

/* Step n of a scenario: fact "s.SCEN.N WHAT|VALUES|WAITING|EXPVALUES|EXPWAITING". */
struct step {
	char what[64], vals[32], wait[128], evals[32], ewait[128];
};

static bool step_of(const struct grade_run *r, const char *scen, int n, struct step *s)
{
	char key[64];
	const char *v;

	snprintf(key, sizeof(key), "s.%s.%d", scen, n);
	v = r ? grade_fact(r, key) : NULL;
	return v && sscanf(v, "%63[^|]|%31[^|]|%127[^|]|%31[^|]|%127s", s->what, s->vals,
			   s->wait, s->evals, s->ewait) == 5;
}

/*
 * What went wrong at a step, in fb: the waiters woken that must still
 * wait (and whether the kernel performed their operations), those left
 * waiting that could go, the values.  False when it went right.
 */
static bool step_wrong(const struct grade_run *r, const char *scen, int n,
		       const char *rule, char *fb, size_t size)
{
	char wait[128], *name, *save;
	struct step s;
	size_t len = 0;

	if (!step_of(r, scen, n, &s)) {
		snprintf(fb, size, "scenario %s did not get to step %d: %s", scen, n,
			 r && grade_why(r) ? grade_why(r) : "no report");
		return true;
	}
	if (!strcmp(s.vals, s.evals) && !strcmp(s.wait, s.ewait))
		return false;
	len = snprintf(fb, size, "%s: after %s, ", scen, s.what);
	/* Woken though they must still wait. */
	snprintf(wait, sizeof(wait), "%s", s.ewait);
	for (name = strtok_r(wait, ",", &save); name && len < size;
	     name = strtok_r(NULL, ",", &save)) {
		if (!strcmp(name, "-") || listed(s.wait, name))
			continue;
		len += snprintf(fb + len, size - len, "%s was woken though it must still wait%s; ",
				name, semops_for(r, grade_pid(r, name)) ? "" :
				" (the kernel performed none of its operations)");
	}
	/* Still waiting though they can go. */
	snprintf(wait, sizeof(wait), "%s", s.wait);
	for (name = strtok_r(wait, ",", &save); name && len < size;
	     name = strtok_r(NULL, ",", &save)) {
		if (!strcmp(name, "-") || listed(s.ewait, name))
			continue;
		len += snprintf(fb + len, size - len, "%s still waited though it could go; ", name);
	}
	if (len < size)
		len += snprintf(fb + len, size - len, "values %s (expected %s), waiting %s (expected %s): %s",
				s.vals, s.evals, s.wait, s.ewait, rule);
	return true;
}

static void check_step(int points, const char *what, const char *scen, int n, const char *rule)
{
	char fb[768];

	grade_check(points, !step_wrong(run_of(scen), scen, n, rule, fb, sizeof(fb)), what,
		    "%s", fb);
}

/*
 * A step where some must NOT be woken: worth its points only if the step
 * after it (where they go) is right too, so that waking nobody at all
 * does not count as waking nobody wrongly.
 */
static void check_stays(int points, const char *what, const char *scen, int n,
			const char *rule, const char *next_rule)
{
	char fb[768];
	bool wrong = step_wrong(run_of(scen), scen, n, rule, fb, sizeof(fb)) ||
		     step_wrong(run_of(scen), scen, n + 1, next_rule, fb, sizeof(fb));

	grade_check(points, !wrong, what, "%s", fb);
}

/* fifo step 3: B and C go, B first (the kernel's wake events). */
static void check_order(void)
{
	const struct grade_run *r = run_of("fifo");
	long b = grade_pid(r, "B"), c = grade_pid(r, "C"), pid;
	const char *first = NULL;
	size_t i;

	for (i = 0; i < r->nev && !first; i++) {
		if (strcmp(r->ev[i].name, "wake") || grade_arg(&r->ev[i], "status", -1))
			continue;
		pid = grade_arg(&r->ev[i], "pid", 0);
		if (pid == b)
			first = "B";
		else if (pid == c)
			first = "C";
	}
	grade_check(1, first && !strcmp(first, "B"),
		    "fifo: waiters that can all go are woken in arrival order",
		    first ? "fifo: the kernel woke C before B, though B came first" :
		    "fifo: the kernel woke neither B nor C");
}

/* Every waiter's semop returned what it should: "w.SCEN.NAME GOT EXPECTED". */
static void check_results(void)
{
	char fb[256] = "", scen[16], name[16], got[32], expect[32];
	const char *p;
	int i;

	for (i = 0; i < NSCEN && !fb[0]; i++) {
		for (p = runs[i]->facts; p && *p && !fb[0]; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
			if (sscanf(p, "w.%15[^.].%15s %31s %31s", scen, name, got, expect) != 4 ||
			    !strcmp(got, expect))
				continue;
			snprintf(fb, sizeof(fb), "%s: %s's semop returned %s, expected %s%s", scen,
				 name, got, expect,
				 !strcmp(got, "EIDRM") ? " (it still waited when the set was removed)" :
				 !strcmp(got, "ETIMEDOUT") ? " (nobody woke it in time)" : "");
		}
	}
	grade_check(1, !fb[0], "every waiter's semop returns what it should", "%s", fb);
}

int main(int argc, char **argv)
{
	int i;

	grade_begin("sem-wake", argc, argv);
	for (i = 0; i < NSCEN; i++) {
		runs[i] = grade_run(20, "semwake", names[i], NULL);
		if (runs[i]->hung || runs[i]->status > 1)
			printf("note: semwake %s: %s\n", names[i], grade_why(runs[i]));
	}

	check_stays(2, "fifo: a later waiter does not pass an earlier one that cannot go yet",
		    "fifo", 1, "in a FIFO set a waiter goes only when it is the first of those waiting to decrement the semaphore",
		    "(and then the first goes as soon as its operations can)");
	check_step(1, "fifo: the first waiter goes once its units are there", "fifo", 2,
		   "the first decrementer goes as soon as its operations can");
	check_step(1, "fifo: one V that lets several go wakes them all", "fifo", 3,
		   "after the first goes, the next first is tried, and so on while they go");
	check_order();
	check_step(2, "NOFIFO: a waiter that fits goes, even past an earlier one", "nofifo", 1,
		   "in an IPCLAB_NOFIFO set every decrementer is tried while the value is > 0");
	check_step(1, "NOFIFO: the earlier waiter goes when its units are there", "nofifo", 2,
		   "in an IPCLAB_NOFIFO set every decrementer is tried while the value is > 0");
	{
		const struct grade_run *r = run_of("zero");
		struct step s;
		char fb[512] = "";
		bool have = step_of(r, "zero", 1, &s);
		const char *z[] = { "Z1", "Z2", "Z3" };
		int k;

		for (k = 0; k < 3 && have && !fb[0]; k++)
			if (listed(s.wait, z[k]))
				snprintf(fb, sizeof(fb),
					 "zero: after %s (value 0), %s still waited for s0 to be 0 (waiting: %s): every waiter of the zero list is tried when the value is 0",
					 s.what, z[k], s.wait);
		grade_check(2, have && !fb[0], "zero: all the waiters for zero go when the value reaches 0",
			    "%s", have ? fb : "zero: no report of step 1");
		fb[0] = '\0';
		if (have && !listed(s.wait, "M"))
			snprintf(fb, sizeof(fb),
				 "zero: after %s, M (s0 = 0 and P(s1), all or nothing) was woken though s1 was 0%s: a waiter goes only when all its operations can",
				 s.what, semops_for(r, grade_pid(r, "M")) ? "" :
				 "; the kernel performed none of its operations");
		else
			step_wrong(r, "zero", 2, "(M stayed; then V(s1) must let it go)", fb,
				   sizeof(fb));
		grade_check(2, have && !fb[0],
			    "zero: a waiter for zero whose other operation cannot go stays",
			    "%s", have ? fb : "zero: no report of step 1");
	}
	check_step(1, "zero: ... and goes when its other semaphore lets it", "zero", 2,
		   "a change of the semaphore it waits on now (s1) tries it again");
	check_step(2, "atomic: a waiter of two P's goes when its second can, both at once, ahead of a later one",
		   "atomic", 1, "the waiter first in line on s1 is tried when s1 changes; its P(s0) is done with it");
	check_step(1, "atomic: the later waiter goes next", "atomic", 2,
		   "once W took s0's unit, X waits for the next one");
	check_step(1, "order: a V of s1 wakes the waiter of s1, past earlier waiters of s0", "order", 1,
		   "each semaphore has its own line: a change of s1 helps s1's waiters");
	check_step(1, "order: then the waiters of s0 go one per V, in arrival order", "order", 2,
		   "the first of s0's line goes, the later one waits for the next V");
	check_step(1, "order: the last one goes at the last V", "order", 3,
		   "the first of s0's line goes when s0 changes");
	check_step(1, "givetake: a waiter that gives before it takes goes when it becomes first, even at value 0",
		   "givetake", 1, "when the waiter ahead gives up, the new first decrementer is tried whatever the value");
	check_results();

	grade_kernel_quiet(2, true);
	for (i = 0; i < NSCEN; i++)
		grade_free(runs[i]);
	return grade_score();
}
