/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the files of the ipclab command share: the table entry of a
 * command, the deadlock commands and the pieces they are made of, and
 * the error and JSON helpers.  The deadlock model itself is dlmodel.h.
 */
#ifndef IPCLAB_CLI_H
#define IPCLAB_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "dlmodel.h"

/* Exit status of "ipclab deadlock" when it finds a deadlock. */
#define IPCLAB_EXIT_DEADLOCK	3
#define IPCLAB_STR(x)		IPCLAB_STR_(x)
#define IPCLAB_STR_(x)		#x

/*
 * One command of the table in ipclab.c, which dispatches "ipclab NAME
 * ARGS" and writes "ipclab -h".  run gets argv[0] as typed (the name or
 * the alias) and returns the exit status; "NAME -h" prints the usage,
 * made of the synopsis and the help.
 */
struct command {
	const char *name;
	const char *alias;	/* another name for it, or NULL */
	int (*run)(const struct command *c, int argc, char **argv);
	const char *synopsis;	/* one line per form: "rm ID...\nrm -k KEY -t TYPE" */
	const char *summary;	/* one line for "ipclab -h" */
	const char *help;	/* what follows the synopsis in "ipclab NAME -h" */
};

/* "usage: ipclab FORM" for each form of c, then its help (ipclab.c). */
void command_usage(const struct command *c, FILE *out);
/*
 * A usage error: c's forms on one line and "try 'ipclab NAME -h'" on
 * stderr; returns 2, the exit status (ipclab.c).
 */
int command_misuse(const struct command *c);

/* ipclab deadlock, ipclab graph (deadlock.c) */
extern const struct command deadlock_command, graph_command;
/* ipclab step, ipclab run-to (step.c) */
extern const struct command step_command, run_to_command;
/* ipclab trace (trace.c) */
extern const struct command trace_command;

/*
 * The model of the live state (dlsnapshot.c): every resource with all,
 * else those held or requested and the other semaphores of their sets.
 * 0, or 1 after a message.
 */
int dl_read_live(struct dl *m, bool all);
/* The model of a matrices file, '-': stdin (dlmatrices.c).  0, or 1 after a message. */
int dl_read_matrices(struct dl *m, const char *path);

/* The model and the algorithm's steps and verdict, as text or JSON (dlprint.c). */
void dl_print_text(FILE *out, const struct dl *m);
void dl_print_json(FILE *out, const struct dl *m);

/* The resource-allocation graph in DOT (dlgraph.c); -1 on ENOMEM. */
int dl_print_dot(FILE *out, const struct dl *m);
/* The same rendered by Graphviz's dot; 0, or 1 after a message. */
int dl_render_png(const struct dl *m, const char *png);

/* "ipclab: WHAT: strerror (ENAME)" on stderr; returns 1 (ipclab.c). */
int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* s as a JSON string, quoted and escaped (ipclab.c). */
void json_str(FILE *out, const char *s);

#endif /* IPCLAB_CLI_H */
