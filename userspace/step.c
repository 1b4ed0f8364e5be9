// SPDX-License-Identifier: GPL-2.0
/*
 * ipclab step, ipclab run-to: choosing the interleaving.
 *
 * A program marks the moments that matter with ipclab_point("store
 * record").  Run with IPCLAB_STEP set to the key of a stepping board, each
 * process stops at each point until it is released here, so that a class
 * sees the race, the overtaking or the deadlock in the order the teacher
 * picks, every time.
 *
 * The board is an ipclab mailbox, so it can be looked at like any other
 * (ipclab show KEY's id: the waiting room is the processes at points).  A
 * process at a point has sent one message, its point's name with its pid
 * as the type, and waits to receive type IPCLAB_STEP_RELEASE + pid.  The
 * list below copies the messages without taking them (IPCLAB_MSG_COPY);
 * a release takes the pid's arrival and sends its release.  Removing the
 * board lets every process run free.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "ipclab.h"
#include "cli.h"

#define STEP_MAX	256		/* processes at points listed at once */

static double now(void);
static double settle_s = 10;	/* -s: how long a released process may run */

struct arrival {
	long pid;
	char point[IPCLAB_NAME_LEN];
};

/* The processes at points, oldest first: their number, or -1. */
static int arrivals(int board, struct arrival *a, int max)
{
	int n = 0;
	long pos;

	for (pos = 0; n < max; pos++) {
		struct ipclab_msgrcv r = {
			.id = board, .type = pos,
			.flags = IPCLAB_MSG_COPY | IPCLAB_WAIT_NOWAIT | IPCLAB_MSG_NOERROR,
			.text = (uintptr_t)a[n].point, .size = sizeof(a[n].point) - 1,
		};

		memset(a[n].point, 0, sizeof(a[n].point));
		if (ioctl(ipclab_fd(), IPCLAB_IOC_MBOX_RECV, &r))
			return errno == EAGAIN ? n : -1;
		if (r.type >= IPCLAB_STEP_RELEASE)
			continue;	/* a release not yet taken */
		a[n++].pid = r.type;
	}
	return n;
}

static void comm_of(long pid, char *buf, size_t n)
{
	char path[64];
	FILE *f;

	snprintf(buf, n, "?");
	snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
	f = fopen(path, "r");
	if (!f)
		return;
	if (fgets(buf, n, f))
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

static void list(const struct arrival *a, int n, bool json)
{
	char comm[32];
	int i;

	if (json) {
		printf("[");
		for (i = 0; i < n; i++) {
			comm_of(a[i].pid, comm, sizeof(comm));
			printf("%s\n  {\"pid\": %ld, \"comm\": ", i ? "," : "", a[i].pid);
			json_str(stdout, comm);
			printf(", \"point\": ");
			json_str(stdout, a[i].point);
			printf("}");
		}
		printf("%s]\n", n ? "\n" : "");
		return;
	}
	if (!n)
		printf("nobody is at a point\n");
	for (i = 0; i < n; i++) {
		comm_of(a[i].pid, comm, sizeof(comm));
		printf("%2d. pid %-6ld %-15s at \"%s\"\n", i + 1, a[i].pid, comm,
		       a[i].point);
	}
}

/* Is pid asleep in an ipclab waiting room (but the board's)? */
static bool waiting(int board, long pid)
{
	static __u32 ids[4096];
	struct ipclab_waiter w[64];
	struct ipclab_list l = { .len = 4096, .ids = (uintptr_t)ids };
	unsigned int i, k;

	if (ioctl(ipclab_fd(), IPCLAB_IOC_LIST, &l))
		return false;
	for (i = 0; i < l.len && i < 4096; i++) {
		struct ipclab_stat st = {
			.id = ids[i], .waiters = (uintptr_t)w, .waiters_len = 64,
		};

		if ((int)ids[i] == board || ipclab_stat(&st))
			continue;
		for (k = 0; k < st.waiters_len && k < 64; k++)
			if (w[k].pid == pid)
				return true;
	}
	return false;
}

/*
 * After a release: wait until pid stops again (at its next point, asleep
 * in a waiting room, or ended), so that the next step starts from a
 * state everybody can see; at most timeout seconds.
 */
static void settle(int board, long pid, double timeout)
{
	struct arrival a[STEP_MAX];
	double end = now() + timeout;
	char path[32];
	int n, i;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	while (now() < end) {
		FILE *f = fopen(path, "r");
		char state = 'X';

		if (f) {
			if (fscanf(f, "%*d (%*[^)]) %c", &state) != 1)
				state = 'X';
			fclose(f);
		}
		if (state == 'Z' || state == 'X')
			return;			/* it ended */
		n = arrivals(board, a, STEP_MAX);
		for (i = 0; i < n; i++)
			if (a[i].pid == pid)
				return;		/* at its next point */
		if (waiting(board, pid))
			return;
		usleep(10000);
	}
}

/* Let pid go on from its point. */
static int release(int board, const struct arrival *a, bool quiet)
{
	char buf[IPCLAB_NAME_LEN], comm[32];
	long type = a->pid;

	if (ipclab_receive(board, &type, buf, sizeof(buf), IPCLAB_WAIT_NOWAIT |
			   IPCLAB_MSG_NOERROR) < 0)
		return fail("taking the arrival of pid %ld from the board", a->pid);
	if (ipclab_send(board, IPCLAB_STEP_RELEASE + a->pid, "", 0, 0))
		return fail("releasing pid %ld", a->pid);
	if (!quiet) {
		comm_of(a->pid, comm, sizeof(comm));
		printf("released pid %ld (%s) from \"%s\"\n", a->pid, comm, a->point);
	}
	if (settle_s > 0)
		settle(board, a->pid, settle_s);
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Poll the board until test() finds what it wants, at most timeout
 * seconds: the index it returns, or -1 (ETIMEDOUT) or -2 (an error).
 */
static int await(int board, struct arrival *a, int *n, double timeout,
		 int (*test)(const struct arrival *a, int n, const void *arg),
		 const void *arg)
{
	double end = now() + timeout;
	int i;

	for (;;) {
		*n = arrivals(board, a, STEP_MAX);
		if (*n < 0)
			return -2;
		i = test(a, *n, arg);
		if (i >= 0)
			return i;
		if (now() > end) {
			errno = ETIMEDOUT;
			return -1;
		}
		usleep(10000);
	}
}

struct want {
	const char *who;	/* a pid, a point's name, or NULL: the oldest */
	int count;		/* --wait: so many at points */
};

/* Is a the one meant by who: a pid, a command name, a point's name? */
static bool matches(const struct arrival *a, const char *who)
{
	char *end, comm[32];
	long pid;

	if (!who)
		return true;
	pid = strtol(who, &end, 10);
	if (*who && !*end)
		return a->pid == pid;
	comm_of(a->pid, comm, sizeof(comm));
	return !strcmp(a->point, who) || !strcmp(comm, who);
}

static int first_match(const struct arrival *a, int n, const void *arg)
{
	const struct want *w = arg;
	int i;

	if (n < w->count)
		return -1;
	for (i = 0; i < n; i++)
		if (matches(&a[i], w->who))
			return i;
	return -1;
}

static int board_of(long key, bool create, int mode)
{
	int id = ipclab_mbox_get((int)key, 0, IPCLAB_NAME_LEN,
				 create ? IPCLAB_CREAT | IPCLAB_EXCL : 0, mode);

	if (id < 0) {
		if (errno == ENOENT)
			fprintf(stderr, "ipclab: no stepping board has key 0x%08lx: "
				"start one with 'ipclab step --start'\n", key);
		else
			fail("%s the stepping board, key 0x%08lx",
			     create ? "creating" : "opening", key);
		return -1;
	}
	return id;
}

static int cmd_step(const struct command *cmd, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "start", no_argument, NULL, 's' },
		{ "stop", no_argument, NULL, 'x' },
		{ "all", no_argument, NULL, 'a' },
		{ "wait", required_argument, NULL, 'w' },
		{ "timeout", required_argument, NULL, 't' },
		{ "settle", required_argument, NULL, 'S' },
		{ "mode", required_argument, NULL, 'm' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool run_to = !strcmp(argv[0], "run-to"), start = false, stop = false;
	bool all = false, json = false;
	struct arrival a[STEP_MAX];
	struct want w = { NULL, 0 };
	long key = IPCLAB_STEP_KEY;
	double timeout = 10;
	int c, board, n, i, mode = 0600;
	const char *env = getenv("IPCLAB_STEP");
	char *end;

	if (env && *env)
		key = strtol(env, NULL, 0);
	while ((c = getopt_long(argc, argv, "k:sxaw:t:m:jh", longopts, NULL)) != -1) {
		switch (c) {
		case 'k':
			key = strtol(optarg, &end, 0);
			if (*end || !*optarg) {
				fprintf(stderr, "ipclab: '%s' is no key\n", optarg);
				return 2;
			}
			break;
		case 's': start = true; break;
		case 'x': stop = true; break;
		case 'a': all = true; break;
		case 'j': json = true; break;
		case 'w':
			w.count = atoi(optarg);
			break;
		case 't':
			timeout = atof(optarg);
			break;
		case 'S':
			settle_s = atof(optarg);
			break;
		case 'm':
			mode = (int)strtol(optarg, NULL, 8);
			break;
		case 'h':
			command_usage(cmd, stdout);
			return 0;
		default:
			fprintf(stderr, "try 'ipclab %s -h'\n", argv[0]);
			return 2;
		}
	}
	if (optind < argc)
		w.who = argv[optind++];
	if (optind < argc || (run_to && !w.who) || (start && stop)) {
		command_usage(cmd, stderr);
		return 2;
	}

	if (start) {
		board = board_of(key, true, mode);
		if (board < 0)
			return 1;
		ipclab_name(board, "stepping board");
		printf("stepping board %d, key 0x%08lx: run the programs with\n"
		       "  export IPCLAB_STEP=0x%08lx\n"
		       "and release their points with 'ipclab step'\n", board, key, key);
		return 0;
	}
	board = board_of(key, false, 0);
	if (board < 0)
		return 1;
	if (stop) {
		if (ipclab_remove(board))
			return fail("removing the stepping board %d", board);
		printf("stepping board %d removed: every process runs free\n", board);
		return 0;
	}
	if (all) {
		n = arrivals(board, a, STEP_MAX);
		if (n < 0)
			return fail("reading the stepping board %d", board);
		for (i = 0; i < n; i++)
			if (release(board, &a[i], json))
				return 1;
		return 0;
	}
	if (run_to) {
		/* Release everyone else until the one wanted is at its point. */
		double end_time = now() + timeout;

		for (;;) {
			struct want any = { NULL, 1 };

			i = await(board, a, &n, end_time - now(), first_match, &any);
			if (i < 0)
				break;
			for (i = 0; i < n; i++)
				if (matches(&a[i], w.who)) {
					printf("pid %ld is at \"%s\"\n", a[i].pid, a[i].point);
					return 0;
				}
			if (release(board, &a[0], false))
				return 1;
		}
	} else if (w.who || w.count) {
		i = await(board, a, &n, timeout, first_match, &w);
		if (i >= 0)
			return w.who || !w.count ? release(board, &a[i], json) :
			       (list(a, n, json), 0);
	} else {
		n = arrivals(board, a, STEP_MAX);
		if (n < 0)
			return fail("reading the stepping board %d", board);
		list(a, n, json);
		return 0;
	}
	if (i == -2)
		return fail("reading the stepping board %d", board);
	fprintf(stderr, "ipclab: nobody came to %s%s within %g s\n",
		w.who ? "" : "a point", w.who ? w.who : "", timeout);
	return 1;
}

const struct command step_command = {
	.name = "step",
	.run = cmd_step,
	.synopsis = "step [--json]\nstep [-t S] PID|COMM|POINT\nstep --wait N [-t S] [PID|COMM|POINT]\n"
		    "step --all\nstep --start [-m MODE]\nstep --stop",
	.summary = "release processes stopped at ipclab_point()s, one by one",
	.help =
		"Programs run with IPCLAB_STEP=KEY stop at each ipclab_point(\"NAME\")\n"
		"until released here, so the interleaving is the one you choose.\n"
		"\n"
		"  (nothing)         list the processes at points, oldest first\n"
		"  PID|COMM|POINT    release that process, or the oldest at POINT\n"
		"                    (waiting up to -t seconds, default 10, for it)\n"
		"  --settle S        after a release, wait up to S seconds (10; 0: not at\n"
		"                    all) until the process stops again: at its next point,\n"
		"                    asleep in a waiting room, or ended; so each step starts\n"
		"                    from a state everybody can see\n"
		"  --wait N          wait until N processes are at points; with one named,\n"
		"                    then release it, else list them\n"
		"  --all             release every process now at a point\n"
		"  --start           create the board (mode 0600, -m to share it)\n"
		"  --stop            remove the board: every process runs free\n"
		"  -k KEY            the board's key (default $IPCLAB_STEP, else 0x57e9)\n"
		"  --json            the list as JSON\n"
		"\n"
		"Exit status: 0, 1 error or nobody came in time, 2 usage error.\n",
};

const struct command run_to_command = {
	.name = "run-to",
	.run = cmd_step,
	.synopsis = "run-to [-t S] PID|COMM|POINT",
	.summary = "release every other process until one reaches POINT",
	.help =
		"Release each process that comes to a point, oldest first, until one\n"
		"matching PID, COMM or POINT is at its point (left waiting there), at most\n"
		"-t seconds (default 10).  Takes the options of 'ipclab step'.\n",
};
