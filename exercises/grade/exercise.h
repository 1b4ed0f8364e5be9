/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for an exercise's given program (its main.c, which calls the
 * functions the student writes): processes with names, errors that name
 * the object, and facts for the grader.
 *
 * A fact is a "key value" line the grader reads after the run (the file
 * GRADE_FACTS names; nothing when run by hand): what the program saw that
 * the kernel's events do not say, such as the items that arrived twice or
 * a process's CPU time.  name_object() names an object both for the tools
 * ("ipclab show" says "mutex") and for the grader's feedback.
 */
#ifndef IPCLAB_EXERCISE_H
#define IPCLAB_EXERCISE_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

#include "ipclab.h"

static inline void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", strerror(err));
	exit(1);
}

static inline void __attribute__((format(printf, 2, 3)))
fact(const char *key, const char *fmt, ...)
{
	const char *path = getenv("GRADE_FACTS");
	char value[512];
	va_list ap;
	int fd;

	if (!path || !*path)
		return;
	va_start(ap, fmt);
	vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0)
		return;
	dprintf(fd, "%s %s\n", key, value);
	close(fd);
}

static inline void name_object(int id, const char *name)
{
	char key[32];

	if (id < 0)
		return;
	ipclab_name(id, name);
	snprintf(key, sizeof(key), "name.%d", id);
	fact(key, "%s", name);
}

/* CLOCK_MONOTONIC, in seconds. */
static inline double seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* An option's number, 0 to max; anything else ends the program (status 2). */
static inline int number(const char *s, int max)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(s, &end, 10);
	if (errno || end == s || *end || n < 0 || n > max) {
		fprintf(stderr, "%s: %s: not a number from 0 to %d\n",
			program_invocation_short_name, s, max);
		exit(2);
	}
	return n;
}

/* A child process called name (its comm), running fn(arg). */
static inline pid_t spawn(const char *name, void (*fn)(int), int arg)
{
	char key[32];
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		die("fork for %s", name);
	if (pid == 0) {
		prctl(PR_SET_NAME, name, 0, 0, 0);
		fn(arg);
		fflush(NULL);
		_exit(0);
	}
	snprintf(key, sizeof(key), "pid.%d", (int)pid);
	fact(key, "%s", name);
	return pid;
}

/*
 * Waits for the child, says its CPU time as the fact "cpu.NAME", and
 * returns its exit status (128 + signal when killed).
 */
static inline int reap(pid_t pid, const char *name)
{
	struct rusage ru;
	char key[48];
	int status;

	while (wait4(pid, &status, 0, &ru) < 0)
		if (errno != EINTR)
			die("waiting for %s", name);
	snprintf(key, sizeof(key), "cpu.%s", name);
	fact(key, "%.3f", ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	     ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6);
	if (WIFSIGNALED(status)) {
		fprintf(stderr, "%s was killed by signal %d\n", name, WTERMSIG(status));
		return 128 + WTERMSIG(status);
	}
	if (WEXITSTATUS(status))
		fprintf(stderr, "%s exited with status %d\n", name, WEXITSTATUS(status));
	return WEXITSTATUS(status);
}

#endif
