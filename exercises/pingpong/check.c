// SPDX-License-Identifier: GPL-2.0
/*
 * The grader of pingpong: runs main.c with your pingpong.c, quickly and
 * with one side slow, and reads what the kernel saw: on which semaphore
 * each process did its P and its V, in which order the V's came, who
 * slept in which waiting room and who woke it, and how much CPU a
 * waiting process used.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grade.h"

/* The ids main.c reported for the semaphores and the processes' pids. */
struct who {
	long ping, pong;	/* semaphores */
	long pi, po;		/* ping-process, pong-process */
};

static struct who who_of(const struct grade_run *r)
{
	struct who w = { -1, -1, 0, 0 };
	const char *p = r->facts;
	char name[32];
	long n;

	while (p && *p) {
		if (sscanf(p, "name.%ld %31s", &n, name) == 2) {
			if (!strcmp(name, "ping"))
				w.ping = n;
			else if (!strcmp(name, "pong"))
				w.pong = n;
		} else if (sscanf(p, "pid.%ld %31s", &n, name) == 2) {
			if (!strcmp(name, "ping-process"))
				w.pi = n;
			else if (!strcmp(name, "pong-process"))
				w.po = n;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return w;
}

static const char *sem_name(const struct who *w, long id)
{
	return id == w->ping ? "ping" : id == w->pong ? "pong" : "another semaphore";
}

/* Why the run did not alternate strictly for all its rounds, or NULL. */
static const char *alternation(const struct grade_run *r, const char *shape)
{
	static char fb[1200];
	const char *why = grade_why(r), *bad = grade_fact(r, "bad");

	if (r->hung)
		snprintf(fb, sizeof(fb), "%s: %s", shape, why);
	else if (bad && strcmp(bad, "none"))
		snprintf(fb, sizeof(fb), "%s: no strict alternation: %s", shape, bad);
	else if (why)
		snprintf(fb, sizeof(fb), "%s: %s", shape, why);
	else
		return NULL;
	return fb;
}

/*
 * Each process must P its own semaphore and V the other's: the first
 * operation that did not, or a count that does not fit the rounds.
 */
static const char *own_semaphores(const struct grade_run *r, long rounds)
{
	static char fb[512];
	struct who w = who_of(r);
	long counts[2][2] = { { 0 } };	/* [process][0: P own, 1: V other] */
	size_t i;

	for (i = 0; i < r->nev; i++) {
		const struct grade_ev *e = &r->ev[i];
		long id = grade_arg(e, "id", -1), pid = grade_arg(e, "pid", 0);
		long op = grade_arg(e, "op", 0);
		int k = pid == w.pi ? 0 : pid == w.po ? 1 : -1;
		long own = k ? w.pong : w.ping, other = k ? w.ping : w.pong;

		if (!strcmp(e->name, "block") && k >= 0)
			op = -1;	/* a P that waited (its semop comes when it succeeds) */
		else if (strcmp(e->name, "semop") || k < 0 || !op)
			continue;
		if (op < 0 && id != own) {
			snprintf(fb, sizeof(fb),
				 "%s did P(%s): it must wait on its own semaphore, %s",
				 grade_comm(r, pid), sem_name(&w, id), sem_name(&w, own));
			return fb;
		}
		if (op > 0 && id != other) {
			snprintf(fb, sizeof(fb),
				 "%s did V(%s): after its word it must let the other go, V(%s)",
				 grade_comm(r, pid), sem_name(&w, id), sem_name(&w, other));
			return fb;
		}
		if (!strcmp(e->name, "semop"))
			counts[k][op > 0]++;
	}
	if (counts[0][0] != rounds || counts[0][1] != rounds ||
	    counts[1][0] != rounds || counts[1][1] != rounds) {
		snprintf(fb, sizeof(fb),
			 "in %ld rounds the kernel saw ping-process do %ld P(ping) and %ld V(pong), pong-process %ld P(pong) and %ld V(ping)%s",
			 rounds, counts[0][0], counts[0][1], counts[1][0], counts[1][1],
			 r->hung ? ", before the run was killed" : "");
		return fb;
	}
	return NULL;
}

/* The V's must alternate: V(pong), V(ping), V(pong), ... */
static const char *v_order(const struct grade_run *r)
{
	static char fb[256];
	struct who w = who_of(r);
	long last = -1;
	size_t i;
	int n = 0;

	for (i = 0; i < r->nev; i++) {
		const struct grade_ev *e = &r->ev[i];
		long id = grade_arg(e, "id", -1);

		if (strcmp(e->name, "semop") || grade_arg(e, "op", 0) <= 0 ||
		    (id != w.ping && id != w.pong))
			continue;
		n++;
		if ((last < 0 && id != w.pong) || id == last) {
			snprintf(fb, sizeof(fb), "V number %d was V(%s)%s%s%s", n, sem_name(&w, id),
				 last < 0 ? ": the first V must be ping's V(pong)" : " after V(",
				 last < 0 ? "" : sem_name(&w, last), last < 0 ? "" : "): the turns did not alternate");
			return fb;
		}
		last = id;
	}
	if (!n)
		return "the kernel saw no V(ping) or V(pong)";
	return NULL;
}

/*
 * In a run where one side is slow, the other (waiter) must sleep in its
 * own semaphore's waiting room, be woken by the slow one, and use little
 * CPU.  Returns the feedback for the first that did not, or NULL; cpu_fb
 * gets the busy-waiting feedback when its CPU time was too high ("" when
 * it was not).
 */
static const char *slept(const struct grade_run *r, const char *shape, bool waiter_is_ping,
			 char *cpu_fb, size_t size)
{
	static char fb[1400];
	struct who w = who_of(r);
	long waiter = waiter_is_ping ? w.pi : w.po, waker = waiter_is_ping ? w.po : w.pi;
	long room = waiter_is_ping ? w.ping : w.pong;
	const char *name = waiter_is_ping ? "ping-process" : "pong-process";
	const char *bad = alternation(r, shape);
	char key[48];
	double cpu, waited;
	int blocks = 0, woken = 0;
	size_t i;

	cpu_fb[0] = '\0';
	snprintf(key, sizeof(key), "cpu.%s", name);
	cpu = grade_fact(r, key) ? atof(grade_fact(r, key)) : 0;
	snprintf(key, sizeof(key), "waited.%s", name);
	waited = grade_fact(r, key) ? atof(grade_fact(r, key)) : 0;
	if (!r->hung && grade_fact(r, key) && cpu >= 0.05 && cpu >= 0.3 * waited) {
		snprintf(cpu_fb, size, "%s: %s used %.2f s of CPU in %.2f s of waiting: busy waiting",
			 shape, name, cpu, waited);
	} else if (bad) {
		snprintf(cpu_fb, size, "%s", bad);
	}
	if (bad)
		return bad;
	for (i = 0; i < r->nev; i++) {
		const struct grade_ev *e = &r->ev[i];

		if (grade_arg(e, "id", -1) != room || grade_arg(e, "pid", 0) != waiter)
			continue;
		blocks += !strcmp(e->name, "block");
		woken += !strcmp(e->name, "wake") && grade_arg(e, "waker", 0) == waker;
	}
	if (!blocks)
		snprintf(fb, sizeof(fb), "%s: the kernel saw %s never sleep in %s's waiting room",
			 shape, name, sem_name(&w, room));
	else if (!woken)
		snprintf(fb, sizeof(fb), "%s: %s slept in %s's waiting room %d times, and %s never woke it",
			 shape, name, sem_name(&w, room), blocks,
			 waiter_is_ping ? "pong-process" : "ping-process");
	else
		return NULL;
	return fb;
}

int main(int argc, char **argv)
{
	struct grade_run *fast, *slowping, *slowpong;
	const char *why;
	char cpu1[1200], cpu2[1200];
	long ip, io;
	char fb[512];

	grade_begin("pingpong", argc, argv);

	fast = grade_run(10, "pingpong", "-q", "-n", "200", NULL);
	why = alternation(fast, "200 rounds");
	grade_check(3, !why, "200 rounds: ping, pong, ping, pong, ... strictly, ping first",
		    "%s", why);
	ip = grade_fact_num(fast, "init.ping", -1);
	io = grade_fact_num(fast, "init.pong", -1);
	if (!grade_fact(fast, "init.ping"))
		snprintf(fb, sizeof(fb), "no semaphores to look at: %s", grade_why(fast));
	else
		snprintf(fb, sizeof(fb), "setup() gave ping = %ld, pong = %ld%s", ip, io,
			 !ip && !io ? ": both wait, nobody begins" : "");
	grade_check(1, ip == 1 && io == 0, "the semaphores start at ping = 1, pong = 0", "%s", fb);
	why = own_semaphores(fast, 200);
	grade_check(2, !why, "each process does P on its own semaphore and V on the other's",
		    "%s", why);
	why = v_order(fast);
	grade_check(2, !why, "the V's alternate: V(pong), V(ping), V(pong), ...", "%s", why);

	/* A slow ping: pong-process must sleep in pong's waiting room. */
	slowping = grade_run(8, "pingpong", "-q", "-n", "30", "-d", "10000", NULL);
	why = slept(slowping, "with a slow ping (-d 10000)", false, cpu1, sizeof(cpu1));
	grade_check(2, !why, "with a slow ping, pong-process sleeps in pong's waiting room until ping-process wakes it",
		    "%s", why);

	/* A slow pong: ping-process must sleep in ping's waiting room. */
	slowpong = grade_run(8, "pingpong", "-q", "-n", "30", "-D", "10000", NULL);
	why = slept(slowpong, "with a slow pong (-D 10000)", true, cpu2, sizeof(cpu2));
	grade_check(2, !why, "with a slow pong, ping-process sleeps in ping's waiting room until pong-process wakes it",
		    "%s", why);
	grade_check(2, !cpu1[0] && !cpu2[0], "a waiting process uses no CPU", "%s",
		    cpu1[0] ? cpu1 : cpu2);

	grade_free(fast);
	grade_free(slowping);
	grade_free(slowpong);
	return grade_score();
}
