// SPDX-License-Identifier: GPL-2.0
/* The helpers of example.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "example.h"

void ex_init(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
}

noreturn void ex_die(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "%s: ", program_invocation_short_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s (%s)\n", strerror(err), ipclab_errname(err));
	exit(1);
}

pid_t ex_fork(const char *name)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		ex_die("fork for %s", name);
	if (pid == 0)
		prctl(PR_SET_NAME, name, 0, 0, 0);
	return pid;
}

void ex_wait(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		ex_die("waiting for child %d", pid);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return;
	fprintf(stderr, "%s: child %d failed (%s %d)\n",
		program_invocation_short_name, pid,
		WIFEXITED(status) ? "exit status" : "signal",
		WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	exit(1);
}

int ex_shell(const char *fmt, ...)
{
	char cmd[256];
	va_list ap;
	int status;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	printf("$ %s\n", cmd);
	fflush(NULL);
	status = system(cmd);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static double seconds(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

double ex_now(void)
{
	return seconds(CLOCK_MONOTONIC);
}

double ex_cpu_time(void)
{
	return seconds(CLOCK_PROCESS_CPUTIME_ID);
}

void ex_await_waiters(int id, unsigned int n)
{
	double deadline = ex_now() + 10;
	struct ipclab_stat st;

	for (;;) {
		memset(&st, 0, sizeof(st));
		st.id = id;
		if (ipclab_stat(&st))
			ex_die("looking at object %d", id);
		if (st.nwaiters == n)
			return;
		if (ex_now() > deadline) {
			errno = ETIMEDOUT;
			ex_die("waiting for %u waiters on object %d (%u there)",
			       n, id, st.nwaiters);
		}
		usleep(1000);
	}
}

long ex_number(const char *arg, long min)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 0);
	if (errno || !*arg || *end || v < min) {
		fprintf(stderr, "%s: '%s' is not a number >= %ld\n",
			program_invocation_short_name, arg, min);
		exit(2);
	}
	return v;
}

long ex_option(int argc, char **argv, char c, const char *name, long def)
{
	const char opts[] = { c, ':', 0 };
	long v = def;
	int got;

	while ((got = getopt(argc, argv, opts)) != -1) {
		if (got != c) {
			fprintf(stderr, "usage: %s [-%c %s]\n", argv[0], c, name);
			exit(2);
		}
		v = ex_number(optarg, 1);
	}
	if (optind != argc) {
		fprintf(stderr, "usage: %s [-%c %s]\n", argv[0], c, name);
		exit(2);
	}
	return v;
}

void P(int id, unsigned int num)
{
	if (ipclab_P(id, num))
		ex_die("P(%u) on semaphore set %d", num, id);
}

void V(int id, unsigned int num)
{
	if (ipclab_V(id, num))
		ex_die("V(%u) on semaphore set %d", num, id);
}

void ex_step_setup(void)
{
	char key[16];

	if (!getenv("IPCLAB_STEP")) {
		snprintf(key, sizeof(key), "%#x", IPCLAB_STEP_KEY);
		setenv("IPCLAB_STEP", key, 1);
	}
	if (ipclab_mbox_get(strtol(getenv("IPCLAB_STEP"), NULL, 0), 0, 0, 0, 0) < 0)
		ex_die("finding the stepping board %s (make it with 'ipclab step --start')",
		       getenv("IPCLAB_STEP"));
}
