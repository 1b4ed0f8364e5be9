/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What ipclab.c and deadlock.c share: the deadlock commands, and the
 * error and JSON helpers of the ipclab command.
 */
#ifndef IPCLAB_DEADLOCK_H
#define IPCLAB_DEADLOCK_H

#include <stdio.h>

/* Exit status of "ipclab deadlock" when it finds a deadlock. */
#define IPCLAB_EXIT_DEADLOCK	3

/* ipclab deadlock [--json] [--all] [--matrices FILE] (deadlock.c) */
int cmd_deadlock(int argc, char **argv);
/* ipclab graph [--png FILE] [--all] [--matrices FILE] (deadlock.c) */
int cmd_graph(int argc, char **argv);

/* "ipclab: WHAT: strerror (ENAME)" on stderr; returns 1 (ipclab.c). */
int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* s as a JSON string, quoted and escaped (ipclab.c). */
void json_str(FILE *out, const char *s);

#endif /* IPCLAB_DEADLOCK_H */
