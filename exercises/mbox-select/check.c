// SPDX-License-Identifier: GPL-2.0
/*
 * The grader of mbox-select: runs main.c against the module built with
 * your mbox.c.  "mbox queued" receives by type from mailboxes whose
 * messages are there already (mbox_find()); "mbox waiting" lets
 * receivers wait first and sends them their messages (mbox_deliver(),
 * which asks your mbox_match()).  What each receive got is main.c's fact;
 * who the kernel handed a message to is its receive event.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grade.h"

/* One receive of "mbox queued": fact "q.TEST.STEP WANT FLAGS QUEUE GOT EXPECTED". */
struct recv {
	char test[32];
	int step;
	long want;
	bool except;
	char queue[256], got[32], expect[32];
};

/* The receives of the tests whose names are in the list names, in order. */
static int receives(const struct grade_run *r, const char *const *names,
		    struct recv *out, int max)
{
	const char *p = r->facts;
	int n = 0, i;

	while (p && *p && n < max) {
		struct recv *v = &out[n];
		char flags[16];

		if (sscanf(p, "q.%31[^.].%d %ld %15s %255s %31s %31s", v->test, &v->step,
			   &v->want, flags, v->queue, v->got, v->expect) == 7) {
			v->except = !strcmp(flags, "except");
			for (i = 0; names[i]; i++)
				if (!strcmp(names[i], v->test))
					n++;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return n;
}

/* "got 3:a", "found nothing (EAGAIN)", "failed with E2BIG". */
static const char *said(const char *got, char *buf, size_t size)
{
	if (!strcmp(got, "none"))
		snprintf(buf, size, "found nothing (EAGAIN)");
	else if (!strncmp(got, "err:", 4))
		snprintf(buf, size, "failed with %s", got + 4);
	else
		snprintf(buf, size, "got %s", got);
	return buf;
}

/* The rule a receive of want follows, for the feedback. */
static const char *rule(const struct recv *v, const char *group, char *buf, size_t size)
{
	if (!strcmp(v->expect, "err:E2BIG"))
		snprintf(buf, size,
			 "the message selected is the oldest of type %ld, too big for the %s: E2BIG, and it stays queued (no other is taken instead)",
			 v->want, "buffer");
	else if (v->want == 0)
		snprintf(buf, size, "type 0 takes the oldest message, whatever its type");
	else if (v->want > 0 && v->except)
		snprintf(buf, size,
			 "with IPCLAB_MSG_EXCEPT, type %ld takes the oldest message of any type but %ld",
			 v->want, v->want);
	else if (v->want > 0)
		snprintf(buf, size, "type %ld takes the oldest message of type %ld, and only such",
			 v->want, v->want);
	else if (!strcmp(group, "negative-bound"))
		snprintf(buf, size, "negative types take the lowest type <= %ld, %ld itself included",
			 -v->want, -v->want);
	else if (!strcmp(group, "negative-oldest"))
		snprintf(buf, size,
			 "negative types take the lowest type <= %ld, and of several of that type the oldest",
			 -v->want);
	else
		snprintf(buf, size, "negative types take the lowest type <= %ld", -v->want);
	return buf;
}

/*
 * A check of points over the tests in names: every receive of theirs got
 * what it should.  The feedback names the first that did not.
 */
static void check_tests(const struct grade_run *r, int points, const char *what,
			const char *const *names)
{
	struct recv v[64];
	char g[64], e[128], why[256];
	int n = receives(r, names, v, 64), i;

	for (i = 0; i < n && !strcmp(v[i].got, v[i].expect); i++)
		;
	if (!n) {
		grade_check(points, false, what, "no receive of these tests was made: %s",
			    grade_why(r) ? grade_why(r) : "mbox queued said nothing");
		return;
	}
	if (i == n) {
		grade_check(points, true, what, NULL);
		return;
	}
	if (!strcmp(v[i].expect, "none"))
		snprintf(e, sizeof(e), "but no message matched");
	else if (!strncmp(v[i].expect, "err:", 4))
		snprintf(e, sizeof(e), "instead of failing with %s", v[i].expect + 4);
	else
		snprintf(e, sizeof(e), "but %s was queued", v[i].expect);
	grade_check(points, false, what,
		    "receive of type %ld%s from [%s] %s %s: %s", v[i].want,
		    v[i].except ? " (except)" : "", v[i].queue, said(v[i].got, g, sizeof(g)), e,
		    rule(&v[i], v[i].test, why, sizeof(why)));
}

/*
 * The waiting receiver (want-*) the kernel handed a message of type to,
 * or NULL: main's own receive at the end does not count.
 */
static const char *taker(const struct grade_run *r, long type)
{
	const char *who;
	size_t i;

	for (i = 0; i < r->nev; i++) {
		if (strcmp(r->ev[i].name, "receive") || grade_arg(&r->ev[i], "type", 0) != type)
			continue;
		who = grade_comm(r, grade_arg(&r->ev[i], "pid", 0));
		if (!strncmp(who, "want-", 5))
			return who;
	}
	return NULL;
}

static void check_waiting(const struct grade_run *r)
{
	static const char *const names[] = { "want-3", "want-upto-2", "want-not-4" };
	char key[64], flags[16], got[32], expect[32], g[64], kern[128], fb[512] = "";
	const char *v, *who;
	long want, type;
	int k, waited = 0;

	for (k = 0; k < 3; k++) {
		snprintf(key, sizeof(key), "waited.%s", names[k]);
		waited += grade_fact_num(r, key, 0) == 1;
	}
	for (k = 0; k < 3 && !fb[0]; k++) {
		snprintf(key, sizeof(key), "w.%s", names[k]);
		v = grade_fact(r, key);
		if (!v || sscanf(v, "%ld %15s %31s %31s", &want, flags, got, expect) != 4) {
			snprintf(fb, sizeof(fb), "%s did not say what it received: %s", names[k],
				 grade_why(r) ? grade_why(r) : "no fact");
			continue;
		}
		if (!strcmp(got, expect))
			continue;
		type = strtol(expect, NULL, 10);
		who = taker(r, type);
		if (!who)
			snprintf(kern, sizeof(kern), "the kernel handed it to no waiting receiver: it was queued");
		else if (strcmp(who, names[k]))
			snprintf(kern, sizeof(kern), "the kernel handed it to %s", who);
		else
			snprintf(kern, sizeof(kern), "the kernel did hand it over");
		snprintf(fb, sizeof(fb),
			 "%s, waiting for type %ld%s, %s, though %s was sent while it waited (%s): a message goes to the oldest waiting receiver that matches it",
			 names[k], want, strcmp(flags, "except") ? "" : " (except)",
			 said(got, g, sizeof(g)), expect, kern);
	}
	grade_check(3, !fb[0],
		    "waiting receivers get the messages sent for them (5:e to type 4 except, 1:a to -2, 3:c to 3)",
		    "%s", fb);

	v = grade_fact(r, "w.left");
	grade_check(1, waited == 3 && v && !strcmp(v, "4:q"),
		    "receivers wait when no queued message matches, and 4:q (wanted by none) stays",
		    waited < 3 ? "%s" : "after the waiting receivers, the mailbox held %s instead of 4:q alone",
		    waited < 3 ? "a receiver did not wait though only 4:q, which matches none of them, was queued" :
		    v ? v : "nothing known");
}

int main(int argc, char **argv)
{
	static const char *const zero[] = { "zero", NULL };
	static const char *const positive[] = { "positive", "positive-none", NULL };
	static const char *const lowest[] = { "negative-lowest", "negative-none", NULL };
	static const char *const bound[] = { "negative-bound", NULL };
	static const char *const oldest[] = { "negative-oldest", NULL };
	static const char *const except[] = { "except", "except-none", NULL };
	static const char *const mixed[] = { "mixed", NULL };
	static const char *const big[] = { "too-big", NULL };
	struct grade_run *q, *w;

	grade_begin("mbox-select", argc, argv);

	q = grade_run(20, "mbox", "queued", NULL);
	if (q->hung || q->status > 1)
		printf("note: mbox queued: %s\n", grade_why(q));
	check_tests(q, 2, "type 0 takes the oldest message", zero);
	check_tests(q, 2, "type > 0 takes the oldest message of that type, or none", positive);
	check_tests(q, 2, "type < 0 takes the lowest type <= |type|, or none", lowest);
	check_tests(q, 1, "type < 0: |type| itself counts", bound);
	check_tests(q, 1, "type < 0: of several of the lowest type, the oldest", oldest);
	check_tests(q, 2, "IPCLAB_MSG_EXCEPT takes the oldest of any other type, or none", except);
	check_tests(q, 1, "several receives by type from one mailbox", mixed);
	check_tests(q, 1, "a selected message too big for the buffer: E2BIG, and it stays", big);

	w = grade_run(20, "mbox", "waiting", NULL);
	check_waiting(w);

	grade_kernel_quiet(2, true);
	grade_free(q);
	grade_free(w);
	return grade_score();
}
