// SPDX-License-Identifier: GPL-2.0
/*
 * The grader of spooler: runs main.c with your spooler.c, counts the jobs
 * that got lost, and reads what the kernel saw: who locked and unlocked
 * the spooler's lock (or did P and V on it, when it is a semaphore), who
 * waited in its waiting room, and how much CPU the clients used.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grade.h"

#define MAXCLIENTS 32

static bool is_client(const struct grade_run *r, long pid)
{
	return !strncmp(grade_comm(r, pid), "client-", 7);
}

/* What the kernel saw on the lock, per client. */
struct locking {
	bool sem;			/* the lock is a semaphore */
	long id;
	int locks, unlocks, blocks;	/* of all clients: lock or P, unlock or V */
	long most;			/* a semaphore's highest value */
	long pid[MAXCLIENTS];
	int lk[MAXCLIENTS], ul[MAXCLIENTS];
	int n;
};

static void locking_of(const struct grade_run *r, struct locking *l)
{
	size_t i;
	int k;

	memset(l, 0, sizeof(*l));
	l->id = grade_fact_num(r, "mutex", -1);
	l->most = -1;
	for (i = 0; i < r->nev; i++)
		if (!strcmp(r->ev[i].name, "semop") && grade_arg(&r->ev[i], "id", -1) == l->id)
			l->sem = true;
	for (i = 0; i < r->nev; i++) {
		const struct grade_ev *e = &r->ev[i];
		long pid = grade_arg(e, "pid", 0);
		bool lock, unlock;

		if (grade_arg(e, "id", -1) != l->id || !is_client(r, pid))
			continue;
		if (!strcmp(e->name, "block")) {
			l->blocks++;
			continue;
		}
		if (l->sem) {
			if (strcmp(e->name, "semop"))
				continue;
			lock = grade_arg(e, "op", 0) < 0;
			unlock = grade_arg(e, "op", 0) > 0;
			if (grade_arg(e, "value", 0) > l->most)
				l->most = grade_arg(e, "value", 0);
		} else {
			lock = !strcmp(e->name, "lock");
			/* Not the kernel's unlock of a client that ended holding it. */
			unlock = !strcmp(e->name, "unlock") && !grade_arg(e, "status", 0);
		}
		if (!lock && !unlock)
			continue;
		for (k = 0; k < l->n && l->pid[k] != pid; k++)
			;
		if (k == l->n) {
			if (l->n == MAXCLIENTS)
				continue;
			l->pid[l->n++] = pid;
		}
		l->locks += lock;
		l->unlocks += unlock;
		l->lk[k] += lock;
		l->ul[k] += unlock;
	}
}

/* Every submit() between a lock and an unlock: the feedback, or NULL. */
static const char *unguarded(const struct grade_run *r, const struct locking *l)
{
	static char why[400];
	long jobs = grade_fact_num(r, "jobs", 0);
	const char *what = l->sem ? "P" : "ipclab_lock", *undo = l->sem ? "V" : "ipclab_unlock";
	int k;

	for (k = 0; k < l->n; k++)
		if (l->lk[k] > l->ul[k]) {
			char times[32] = "once", back[48];

			if (l->lk[k] > 1)
				snprintf(times, sizeof(times), "%d times", l->lk[k]);
			if (l->ul[k])
				snprintf(back, sizeof(back), "%s only %d times",
					 l->sem ? "did V on it" : "unlocked it", l->ul[k]);
			else
				snprintf(back, sizeof(back), "never %s",
					 l->sem ? "did V on it" : "unlocked it");
			snprintf(why, sizeof(why),
				 "%s %s %s %s and %s: a missing %s, so the others wait until it ends",
				 grade_comm(r, l->pid[k]), l->sem ? "did P on" : "locked",
				 grade_obj(r, l->id), times, back, undo);
			return why;
		} else if (l->lk[k] < l->ul[k]) {
			snprintf(why, sizeof(why),
				 "%s %s %s %d times and %s %d times: more %s than %s",
				 grade_comm(r, l->pid[k]), l->sem ? "did P on" : "locked",
				 grade_obj(r, l->id), l->lk[k], l->sem ? "V" : "unlocked it",
				 l->ul[k], undo, what);
			return why;
		}
	if (l->sem && l->most > 1) {
		snprintf(why, sizeof(why), "%s reached %ld: more than one client could be inside at once",
			 grade_obj(r, l->id), l->most);
		return why;
	}
	if (l->locks < jobs) {
		snprintf(why, sizeof(why),
			 "the kernel saw %d %s on %s for %ld submit() calls: nothing keeps two clients out of (1)..(3) at once",
			 l->locks, what, grade_obj(r, l->id), jobs);
		return why;
	}
	return NULL;
}

/* Did every job arrive once? The feedback, or NULL. */
static const char *lost(const struct grade_run *r)
{
	static char why[640];
	struct locking l;
	const char *w = grade_why(r);
	long jobs = grade_fact_num(r, "jobs", 0), n = grade_fact_num(r, "lost", -1);

	if (r->hung)
		return w;
	if (n > 0) {
		locking_of(r, &l);
		snprintf(why, sizeof(why),
			 "%ld of %ld jobs lost (%s among them; in = %ld at the end): two clients read the same in and stored into the same slot%s",
			 n, jobs, grade_fact(r, "lost.first") ? grade_fact(r, "lost.first") : "?",
			 grade_fact_num(r, "in", 0),
			 unguarded(r, &l) ? "" :
			 "; every submit() took the lock, so part of (1)..(3) is outside the critical section (in read before the lock?)");
		return why;
	}
	if (grade_fact_num(r, "twice", 0) > 0) {
		snprintf(why, sizeof(why), "%ld jobs are in the directory twice",
			 grade_fact_num(r, "twice", 0));
		return why;
	}
	if (w)
		return w;
	if (grade_fact_num(r, "in", -1) != jobs) {
		snprintf(why, sizeof(why), "in = %ld after %ld jobs", grade_fact_num(r, "in", -1), jobs);
		return why;
	}
	return NULL;
}

/* The CPU time of all the clients; who used the most, and how much. */
static double clients_cpu(const struct grade_run *r, char *who, size_t size, double *most)
{
	const char *p = r->facts;
	double all = 0, cpu;
	char name[32];

	*most = 0;
	while (p && *p) {
		if (sscanf(p, "cpu.%31s %lf", name, &cpu) == 2 && !strncmp(name, "client-", 7)) {
			all += cpu;
			if (cpu >= *most) {
				*most = cpu;
				snprintf(who, size, "%s", name);
			}
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return all;
}

int main(int argc, char **argv)
{
	struct grade_run *r1, *r2 = NULL, *r3 = NULL;
	const char *why, *skipped = "not run: the first run did not end";
	struct locking l;
	char who[32] = "", fb[512];
	double cpu = 0, most = 0;

	grade_begin("spooler", argc, argv);

	/* A short sleep between reading in and writing it back. */
	r1 = grade_run(15, "spooler", "-c", "4", "-j", "50", "-w", "200", NULL);
	why = lost(r1);
	grade_check(4, !why, "4 clients x 50 jobs: every job is in the directory once", "%s", why);
	if (!r1->hung) {
		r2 = grade_run(15, "spooler", "-c", "4", "-j", "50", NULL);
		why = lost(r2);
	} else {
		why = skipped;
	}
	grade_check(2, !why, "again, with sched_yield() in the window: every job once", "%s", why);

	locking_of(r1, &l);
	why = r1->hung ? grade_why(r1) : unguarded(r1, &l);
	grade_check(3, !why,
		    "every submit() changes the directory between a lock and an unlock", "%s", why);
	if (!l.blocks && r2) {
		struct locking l2;

		locking_of(r2, &l2);
		l.blocks = l2.blocks;
	}
	snprintf(fb, sizeof(fb),
		 "the kernel saw no client wait in %s's waiting room, though 4 clients submitted at once",
		 grade_obj(r1, l.id));
	grade_check(2, l.blocks > 0, "clients wait in the lock's waiting room", "%s", fb);

	/* A long window: most of the time, two clients of three wait. */
	if (!r1->hung) {
		r3 = grade_run(15, "spooler", "-c", "3", "-j", "25", "-w", "4000", NULL);
		cpu = clients_cpu(r3, who, sizeof(who), &most);
		why = r3->hung ? grade_why(r3) : NULL;
		if (!why) {
			snprintf(fb, sizeof(fb),
				 "the clients used %.1f s of CPU (%s %.1f s) in a %.1f s run, waiting for the lock: busy waiting",
				 cpu, who, most, r3->wall);
			/* Not the little that starting a process costs under emulation. */
			why = cpu >= 0.3 * r3->wall && cpu >= 0.25 ? fb : NULL;
		}
	} else {
		why = skipped;
	}
	grade_check(2, !why, "a client waiting for the lock sleeps (no busy waiting)", "%s", why);

	grade_free(r1);
	grade_free(r2);
	grade_free(r3);
	return grade_score();
}
