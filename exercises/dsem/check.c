// SPDX-License-Identifier: GPL-2.0
/*
 * The grader of dsem: runs the given dsem-test against the module with
 * your dsem.c, and reads what it saw (its facts) and what the kernel saw:
 * who entered the dsem's waiting room ("block" events), in which order V
 * let them go ("wake"), who gave up ("signal", "timeout").  At the end,
 * the kernel must have stayed quiet: no lockdep or KASAN report, and no
 * leak once the module is unloaded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grade.h"

static bool fact_is(const struct grade_run *r, const char *key, const char *want)
{
	const char *v = grade_fact(r, key);

	return v && !strcmp(v, want);
}

/* A fact's value, or "nothing": each lasts for seven more calls. */
static const char *fact_or(const struct grade_run *r, const char *key)
{
	static char ring[8][64];
	static unsigned int next;
	const char *v = grade_fact(r, key);
	char *out = ring[next++ % 8];

	snprintf(out, sizeof(ring[0]), "%s", v ? v : "nothing");
	return out;
}

/* The id of the object main.c named name, or -1. */
static long object_named(const struct grade_run *r, const char *name)
{
	const char *p = r->facts;
	char role[32];
	long id;

	while (p && *p) {
		if (sscanf(p, "name.%ld %31s", &id, role) == 2 && !strcmp(role, name))
			return id;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -1;
}

/* The pids of the events called name on id (status 0 for wakes), in order. */
static int pids_of(const struct grade_run *r, const char *name, long id, long *pids, int max)
{
	size_t i;
	int n = 0;

	for (i = 0; i < r->nev && n < max; i++) {
		const struct grade_ev *e = &r->ev[i];

		if (strcmp(e->name, name) || grade_arg(e, "id", -1) != id)
			continue;
		if (!strcmp(name, "wake") && grade_arg(e, "status", 0) != 0)
			continue;
		pids[n++] = grade_arg(e, "pid", 0);
	}
	return n;
}

static int count_events(const struct grade_run *r, const char *name, long id)
{
	long pids[64];

	return pids_of(r, name, id, pids, 64);
}

/*
 * Is the wake order the block order?  NULL, or the feedback naming the
 * first waiter woken out of turn.
 */
static const char *fifo_order(const struct grade_run *r, long id)
{
	static char why[256];
	long blocked[8], woken[8];
	int nb = pids_of(r, "block", id, blocked, 8);
	int nw = pids_of(r, "wake", id, woken, 8);
	int i, j;

	if (nb < 3) {
		snprintf(why, sizeof(why), "the kernel saw %d of the 3 waiters block in P", nb);
		return why;
	}
	if (nw == 0) {
		snprintf(why, sizeof(why),
			 "3 waiters blocked and V was done %s times, but the kernel saw V wake nobody (the count became %s): V must hand its unit to the first waiter",
			 fact_or(r, "fifo.vs"), fact_or(r, "fifo.count"));
		return why;
	}
	if (nw >= 3 && woken[0] == blocked[2] && woken[2] == blocked[0]) {
		snprintf(why, sizeof(why),
			 "%s blocked last but was woken first: the waiting room is LIFO, V must wake the first waiter",
			 grade_comm(r, blocked[2]));
		return why;
	}
	for (i = 0; i < nw && i < nb; i++) {
		if (woken[i] == blocked[i])
			continue;
		for (j = 0; j < nb && blocked[j] != woken[i]; j++)
			;
		snprintf(why, sizeof(why),
			 "%s blocked %s %s but was woken before it: V must wake the first waiter",
			 grade_comm(r, woken[i]), j > i ? "after" : "before",
			 grade_comm(r, blocked[i]));
		return why;
	}
	if (nw < 3) {
		snprintf(why, sizeof(why),
			 "3 waiters blocked and V was done %s times, but the kernel saw V wake only %d (the count became %s)",
			 fact_or(r, "fifo.vs"), nw, fact_or(r, "fifo.count"));
		return why;
	}
	return NULL;
}

/* The feedback for a P that gave up (EINTR or ETIMEDOUT), or NULL. */
static const char *gave_up(const struct grade_run *r, const char *what)
{
	static char why[256];

	if (grade_fact_num(r, "giveup.count", 0) < 0) {
		snprintf(why, sizeof(why),
			 "after the %s, the count is %s with %s waiting: the P that gave up is still counted, and the next V's unit goes to nobody",
			 what, fact_or(r, "giveup.count"), fact_or(r, "giveup.waiting"));
		return why;
	}
	if (!fact_is(r, "giveup.count", "0") || !fact_is(r, "giveup.waiting", "0")) {
		snprintf(why, sizeof(why),
			 "after the %s, the count is %s and %s wait: a P that gives up took no unit, and leaves the room",
			 what, fact_or(r, "giveup.count"), fact_or(r, "giveup.waiting"));
		return why;
	}
	if (!fact_is(r, "giveup.vp", "0")) {
		snprintf(why, sizeof(why),
			 "after the %s, V then P (NOWAIT) gave %s: the V's unit was lost, as if the waiter that gave up still waited (count after: %s)",
			 what, fact_or(r, "giveup.vp"), fact_or(r, "giveup.final"));
		return why;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct grade_run *r;
	const char *why;
	char fb[512];
	long id;

	grade_begin("dsem", argc, argv);

	/* P and V without waiting. */
	r = grade_run(10, "dsem-test", "count", NULL);
	why = grade_why(r);
	if (!fact_is(r, "count.ps", "3"))
		snprintf(fb, sizeof(fb), "of 3 P's (NOWAIT) on a dsem created with count 3, %s succeeded (the count is then %s)",
			 fact_or(r, "count.ps"), fact_or(r, "count.after3"));
	else if (!fact_is(r, "count.fourth", "EAGAIN"))
		snprintf(fb, sizeof(fb), "the 4th P with NOWAIT on a dsem of 3 gave %s, not EAGAIN",
			 fact_or(r, "count.fourth"));
	else
		snprintf(fb, sizeof(fb), "%s", why ? why : "");
	grade_check(2, fact_is(r, "count.ps", "3") && fact_is(r, "count.fourth", "EAGAIN"),
		    "created with 3: three P's take a unit each, the 4th (NOWAIT) gets EAGAIN", "%s", fb);
	if (!fact_is(r, "count.v", "0"))
		snprintf(fb, sizeof(fb), "V gave %s", fact_or(r, "count.v"));
	else if (!fact_is(r, "count.pafterv", "0"))
		snprintf(fb, sizeof(fb), "V on a dsem at 0 with nobody waiting, then P (NOWAIT): %s (the count after V was %s)",
			 fact_or(r, "count.pafterv"), fact_or(r, "count.afterv"));
	else
		snprintf(fb, sizeof(fb), "after two V's the count was %s, and %s of two P's succeeded",
			 fact_or(r, "count.two"), fact_or(r, "count.twops"));
	grade_check(2, !why && fact_is(r, "count.pafterv", "0") && fact_is(r, "count.two", "2") &&
		    fact_is(r, "count.twops", "2"),
		    "V with nobody waiting adds a unit to the count", "%s", why ? why : fb);
	grade_free(r);

	r = grade_run(10, "dsem-test", "limits", NULL);
	if (!fact_is(r, "limits.toobig", "EINVAL"))
		snprintf(fb, sizeof(fb), "creating a dsem with count INT_MAX + 1 gave %s, not EINVAL",
			 fact_or(r, "limits.toobig"));
	else if (!fact_is(r, "limits.overflow", "EOVERFLOW"))
		snprintf(fb, sizeof(fb), "V on a dsem at INT_MAX gave %s, not EOVERFLOW (the count is then %s)",
			 fact_or(r, "limits.overflow"), fact_or(r, "limits.overflow_count"));
	else
		snprintf(fb, sizeof(fb), "P with unknown flags gave %s, with a timeout but no flag %s (not EINVAL)",
			 fact_or(r, "limits.badflags"), fact_or(r, "limits.timeout_noflag"));
	grade_check(1, fact_is(r, "limits.toobig", "EINVAL") &&
		    fact_is(r, "limits.overflow", "EOVERFLOW") &&
		    fact_is(r, "limits.overflow_count", "2147483647") &&
		    fact_is(r, "limits.badflags", "EINVAL") &&
		    fact_is(r, "limits.timeout_noflag", "EINVAL"),
		    "count beyond INT_MAX: EINVAL; V at INT_MAX: EOVERFLOW; bad flags: EINVAL", "%s", fb);
	grade_free(r);

	/* Three waiters, one after the other; three V's. */
	r = grade_run(20, "dsem-test", "fifo", NULL);
	id = object_named(r, "dsem");
	why = grade_why(r);
	if (!fact_is(r, "fifo.blocked", "3"))
		snprintf(fb, sizeof(fb), "on a dsem at 0, only %s of 3 P's were seen waiting (the kernel saw %d block)",
			 fact_or(r, "fifo.blocked"), count_events(r, "block", id));
	else if (!fact_is(r, "fifo.woken", "3"))
		snprintf(fb, sizeof(fb), "%s", fifo_order(r, id) ? fifo_order(r, id) :
			 "not every waiter returned from its P after the V's");
	else
		snprintf(fb, sizeof(fb), "%s", why ? why : "");
	grade_check(2, fact_is(r, "fifo.blocked", "3") && fact_is(r, "fifo.woken", "3") &&
		    fact_is(r, "fifo.count", "0"),
		    "P at count 0 waits; each V lets one waiter go, and the count stays 0", "%s", fb);
	why = fifo_order(r, id);
	if (!why && !fact_is(r, "fifo.order", "1,2,3"))
		snprintf(fb, sizeof(fb), "the waiters returned from P in the order %s, not 1,2,3",
			 fact_or(r, "fifo.order"));
	grade_check(3, !why && fact_is(r, "fifo.order", "1,2,3"),
		    "V wakes the waiters in the order they came (FIFO)", "%s", why ? why : fb);
	grade_free(r);

	/* A signal. */
	r = grade_run(15, "dsem-test", "eintr", NULL);
	id = object_named(r, "dsem");
	grade_check(1, fact_is(r, "eintr.errno", "EINTR") && count_events(r, "signal", id) == 1,
		    "a signal ends a waiting P with EINTR",
		    "the waiting P, sent a signal, gave %s (the kernel saw %d waiter end by a signal)",
		    fact_or(r, "eintr.errno"), count_events(r, "signal", id));
	why = fact_is(r, "eintr.errno", "EINTR") ? gave_up(r, "interrupted P") :
	      "the waiting P was not interrupted (see above)";
	grade_check(2, !why, "an interrupted P takes nothing: the next V goes to the next P",
		    "%s", why);
	grade_free(r);

	/* A timeout. */
	r = grade_run(15, "dsem-test", "timeout", NULL);
	grade_check(1, fact_is(r, "timeout.errno", "ETIMEDOUT") &&
		    grade_fact_num(r, "timeout.ms", 0) >= 190 &&
		    grade_fact_num(r, "timeout.ms", 0) < 2000 &&
		    fact_is(r, "timeout.abs", "ETIMEDOUT"),
		    "P with a 200 ms timeout gives ETIMEDOUT after 200 ms (and with ABSTIME)",
		    "P with a 200 ms timeout gave %s after %s ms; with an absolute timeout %s",
		    fact_or(r, "timeout.errno"), fact_or(r, "timeout.ms"),
		    fact_or(r, "timeout.abs"));
	why = fact_is(r, "timeout.errno", "ETIMEDOUT") ? gave_up(r, "timed-out P") :
	      "the P did not time out (see above)";
	grade_check(1, !why, "a timed-out P takes nothing: the next V goes to the next P",
		    "%s", why);
	grade_free(r);

	/* Removal. */
	r = grade_run(15, "dsem-test", "eidrm", NULL);
	grade_check(1, fact_is(r, "eidrm.errno", "EIDRM"),
		    "removing the dsem ends a waiting P with EIDRM",
		    "the P waiting on a dsem that was removed gave %s%s%s",
		    fact_or(r, "eidrm.errno"), grade_why(r) ? ": " : "",
		    grade_why(r) ? grade_why(r) : "");
	grade_free(r);

	/* Many processes. */
	r = grade_run(30, "dsem-test", "stress", "-p", "4", "-c", "2", "-n", "100", NULL);
	why = grade_why(r);
	if (grade_fact_num(r, "stress.most", 0) > 2)
		snprintf(fb, sizeof(fb), "%ld processes were between P and V at once on a dsem of 2",
			 grade_fact_num(r, "stress.most", 0));
	else if (why)
		snprintf(fb, sizeof(fb), "4 processes doing P/V on a dsem of 2: %s", why);
	else
		snprintf(fb, sizeof(fb), "%s of %s rounds done, %s errors, count at the end %s (not 2)",
			 fact_or(r, "stress.rounds"), fact_or(r, "stress.expected"),
			 fact_or(r, "stress.errors"), fact_or(r, "stress.final"));
	grade_check(3, !why && grade_fact_num(r, "stress.most", 99) <= 2 &&
		    fact_is(r, "stress.final", "2") && fact_is(r, "stress.errors", "0"),
		    "4 processes, 400 rounds of P/V on a dsem of 2: never more than 2 inside",
		    "%s", fb);
	grade_free(r);

	grade_kernel_quiet(2, true);
	return grade_score();
}
