/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the files of the ipclab command share: the deadlock commands and
 * the pieces they are made of, and the error and JSON helpers.  The
 * model itself is dlmodel.h.
 */
#ifndef IPCLAB_DEADLOCK_H
#define IPCLAB_DEADLOCK_H

#include <stdbool.h>
#include <stdio.h>

#include "dlmodel.h"

/* Exit status of "ipclab deadlock" when it finds a deadlock. */
#define IPCLAB_EXIT_DEADLOCK	3

/* ipclab deadlock [--json] [--all] [--matrices FILE] (deadlock.c) */
int cmd_deadlock(int argc, char **argv);
/* ipclab graph [--png FILE] [--all] [--matrices FILE] (deadlock.c) */
int cmd_graph(int argc, char **argv);

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

#endif /* IPCLAB_DEADLOCK_H */
