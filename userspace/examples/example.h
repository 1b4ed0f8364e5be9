/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few helpers every example shares, so that each example shows its
 * idea and not its plumbing.  Nothing here hides an IPC operation: every
 * P, V, lock, send and attach is written out in the example itself.
 */
#ifndef IPCLAB_EXAMPLE_H
#define IPCLAB_EXAMPLE_H

#include <stdnoreturn.h>
#include <sys/types.h>

#include "ipclab.h"

/*
 * Call first.  Makes stdout line-buffered even into a pipe, so that the
 * lines of several processes arrive whole and in the order they were
 * printed.
 */
void ex_init(void);

/*
 * Print "program: WHAT: error text (ENAME)" for the current errno, one
 * line on stderr, and exit with status 1.  WHAT names the object, as in
 * ex_die("locking mutex %d", id).
 */
noreturn void ex_die(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/*
 * fork(), with the child named NAME (what "ipclab show" and ps print; at
 * most 15 characters).  Returns 0 in the child, the child's pid in the
 * parent.  Output not yet written is flushed first, so that it is not
 * printed twice.
 */
pid_t ex_fork(const char *name);

/* Wait for the child and exit with 1 if it did not exit with 0. */
void ex_wait(pid_t pid);

/*
 * Print "$ COMMAND" and run it with the shell, as a student would type
 * it.  Returns its exit status (127: not found).
 */
int ex_shell(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Seconds on CLOCK_MONOTONIC: for measuring how long something took. */
double ex_now(void);

/* CPU time this process has used so far, in seconds. */
double ex_cpu_time(void);

/*
 * Wait (polling, at most 10 s) until object id has n processes in its
 * waiting rooms; exit with 1 if it does not happen.  Examples use it to
 * show a waiting room at a moment when it is sure to be occupied.
 */
void ex_await_waiters(int id, unsigned int n);

/* A number from the command line, at least min; exit 2 otherwise. */
long ex_number(const char *arg, long min);

/*
 * For a program whose only option is "-c NAME" (a number >= 1): its
 * value, or def when it is not given.  Anything else prints "usage:
 * program [-c NAME]" and exits with 2.
 */
long ex_option(int argc, char **argv, char c, const char *name, long def);

/*
 * P and V on semaphore num of set id, as ipclab_P() and ipclab_V() do
 * them; when one fails, ex_die() says which.
 */
void P(int id, unsigned int num);
void V(int id, unsigned int num);

/*
 * For an example's --step: its processes stop at their ipclab_point()s on
 * the board of $IPCLAB_STEP (set to IPCLAB_STEP_KEY if unset), which must
 * exist ("ipclab step --start"); exit with 1 if it does not.
 */
void ex_step_setup(void);

#endif /* IPCLAB_EXAMPLE_H */
