/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The autograder's library: an exercise's checks (its check.c) run the
 * student's program in the lab VM, look at what it printed and at what the
 * kernel saw its processes do (ipclab's trace events: who did P and V on
 * which semaphore, who waited in which waiting room and who woke it), and
 * give points.
 *
 *	grade_begin("prodcons", argc, argv);	(--bin DIR: the programs)
 *	r = grade_run(10, "prodcons", "-p", "2", NULL);
 *	grade_check(3, r->status == 0, "every item arrives once",
 *		    "%s", r->out);
 *	return grade_score();			("score: N/M", exit status)
 *
 * A run that does not end in time is a hang: its processes' waiting rooms
 * and the deadlock detector's verdict ("ipclab deadlock") are kept in the
 * run, for the feedback, and then its processes are killed.  Between runs
 * every ipclab object is removed, so a run starts on an empty machine.
 */
#ifndef IPCLAB_GRADE_H
#define IPCLAB_GRADE_H

#include <stdbool.h>
#include <stddef.h>

/* One trace event: "semop", "block", "wake", "lock", "send", ... */
struct grade_ev {
	double t;		/* seconds since the run started */
	int tid;		/* the thread that caused it */
	char comm[17];
	char name[24];		/* without the "ipclab_" */
	char args[200];		/* "id=3 num=0 op=-1 value=0 pid=1234" */
};

/* What one run did. */
struct grade_run {
	int status;		/* exit status, or 128 + signal */
	bool hung;		/* still running at the timeout (then killed) */
	double wall, cpu;	/* seconds: its wall time, CPU of its processes */
	char *out, *err;	/* what it printed */
	struct grade_ev *ev;	/* what the kernel saw, in order */
	size_t nev;
	char *facts;		/* "key value" lines the exercise's main wrote */
	char *deadlock;		/* at a hang: "ipclab deadlock"'s verdict */
	char *rooms;		/* at a hang: "ipclab ls", the objects then */
};

void grade_begin(const char *exercise, int argc, char **argv);
/* Runs the submission's program PROG (in --bin) with its arguments. */
struct grade_run *grade_run(double timeout, const char *prog, ...)
	__attribute__((sentinel));
void grade_free(struct grade_run *r);

/* An event's argument ("op"), or dflt when it has none. */
long grade_arg(const struct grade_ev *e, const char *key, long dflt);
/* A fact the exercise's main reported (exercise.h's fact()), or NULL. */
const char *grade_fact(const struct grade_run *r, const char *key);
long grade_fact_num(const struct grade_run *r, const char *key, long dflt);
/*
 * The name of process pid (what spawn() called it), else its comm in the
 * events; and an object's name (name_object()), else "object ID".  Their
 * strings last for eight more calls (enough for one feedback line).
 */
const char *grade_comm(const struct grade_run *r, int pid);
const char *grade_obj(const struct grade_run *r, long id);

/* The pid spawn() gave the process called name, or 0. */
long grade_pid(const struct grade_run *r, const char *name);
/* The id of the object the given program named name (name_object()), or -1. */
long grade_named(const struct grade_run *r, const char *name);
/* Whether process pid's name (grade_comm()) begins with prefix ("consumer"). */
bool grade_is(const struct grade_run *r, long pid, const char *prefix);
/*
 * The events called name on object id (-1: any) of process pid (0: any;
 * the event's pid= field, which names the process an operation was for
 * even when another's V completed it).
 */
int grade_count(const struct grade_run *r, const char *name, long id, long pid);
/*
 * Of the processes whose name begins with prefix, the one that used the
 * most CPU (reap()'s cpu.NAME facts): its seconds, and its name in who.
 */
double grade_most_cpu(const struct grade_run *r, const char *prefix, char *who, size_t size);

/*
 * One check worth points: full points when ok, else none and the feedback
 * (printf-style, one line; the first line of a longer text).  Returns ok.
 */
bool grade_check(int points, bool ok, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/*
 * The feedback for a run that went wrong without a specific finding: the
 * hang with the detector's verdict, the signal, or the exit status and the
 * last line of stderr.  NULL when the run ended with status 0.
 */
const char *grade_why(const struct grade_run *r);
/*
 * For kernel exercises: a check that the kernel did not complain since the
 * grader began (lockdep, KASAN, UBSAN, a BUG or WARNING, ... the patterns
 * the lab VM fails a run for), and with unload, that unloading the module
 * and two kmemleak scans find no leak; the module is loaded again after.
 * The complaint is printed verbatim under the check.
 */
bool grade_kernel_quiet(int points, bool unload);
/* Prints "score: N/M"; the exit status: 0 only at full score. */
int grade_score(void);

#endif
