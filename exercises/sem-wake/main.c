// SPDX-License-Identifier: GPL-2.0
/*
 * sem-wake's test program (given): waiters queue on a semaphore set of
 * the module built with your sem.c, then main changes the values, one
 * step at a time, and looks at who is still waiting.
 *
 *   semwake SCENARIO      fifo | nofifo | zero | atomic | order | givetake
 *
 * Each waiter is a process named after it ("A", "B", ...) that does one
 * semop (a list of operations, all or nothing) with a timeout; it is
 * spawned only once the one before it waits.  A step is main's own semop
 * (never waiting), after which the set's values and its room (who still
 * waits, in arrival order) are compared with what they must be, as the
 * fact "s.SCENARIO.N WHAT|VALUES|WAITING|EXPECTED VALUES|EXPECTED WAITING".
 * A waiter's result is "w.SCENARIO.NAME RESULT EXPECTED" ("ok" or the
 * errno's name: EIDRM when it still waited at the end, when the set is
 * removed).  Exit status 0 only when all was as it must be.
 */
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "exercise.h"

#define NSEC_PER_MSEC	1000000ULL
#define MAX_OPS		3
#define MAX_WAITERS	6
#define MAX_STEPS	4

struct op {
	unsigned int num;
	int op;
};

struct waiter {
	const char *name;
	struct op ops[MAX_OPS];	/* up to the first op 0 of num 9 */
	int nops;
	int timeout_ms;		/* 0: 5000 */
	const char *expect;	/* its result: "ok" (NULL) or "ETIMEDOUT" */
};

struct step {
	const char *what;
	struct op ops[2];
	int nops;		/* 0: no operation, only wait_ms */
	int wait_ms;		/* until the room is as expected, at most */
	const char *values;	/* "1,0" */
	const char *waiting;	/* "A,B" or "-" */
};

struct scenario {
	const char *name;
	bool nofifo;
	int nsems;
	int init[2];
	struct waiter waiters[MAX_WAITERS];
	struct step steps[MAX_STEPS];
};

#define P(n, k)		{ (n), -(k) }
#define V(n, k)		{ (n), (k) }
#define Z(n)		{ (n), 0 }

static const struct scenario scenarios[] = {
	{ .name = "fifo", .nsems = 1, .init = { 0 },
	  .waiters = {
		{ .name = "A", .ops = { P(0, 2) }, .nops = 1 },
		{ .name = "B", .ops = { P(0, 1) }, .nops = 1 },
		{ .name = "C", .ops = { P(0, 1) }, .nops = 1 } },
	  .steps = {
		{ .what = "V(s0) by 1", .ops = { V(0, 1) }, .nops = 1,
		  .values = "1", .waiting = "A,B,C" },
		{ .what = "V(s0) by 1", .ops = { V(0, 1) }, .nops = 1,
		  .values = "0", .waiting = "B,C" },
		{ .what = "V(s0) by 2", .ops = { V(0, 2) }, .nops = 1,
		  .values = "0", .waiting = "-" } } },
	{ .name = "nofifo", .nofifo = true, .nsems = 1, .init = { 0 },
	  .waiters = {
		{ .name = "A", .ops = { P(0, 2) }, .nops = 1 },
		{ .name = "B", .ops = { P(0, 1) }, .nops = 1 } },
	  .steps = {
		{ .what = "V(s0) by 1", .ops = { V(0, 1) }, .nops = 1,
		  .values = "0", .waiting = "A" },
		{ .what = "V(s0) by 2", .ops = { V(0, 2) }, .nops = 1,
		  .values = "0", .waiting = "-" } } },
	{ .name = "zero", .nsems = 2, .init = { 1, 0 },
	  .waiters = {
		{ .name = "Z1", .ops = { Z(0) }, .nops = 1 },
		{ .name = "Z2", .ops = { Z(0) }, .nops = 1 },
		{ .name = "Z3", .ops = { Z(0) }, .nops = 1 },
		{ .name = "M", .ops = { Z(0), P(1, 1) }, .nops = 2 } },
	  .steps = {
		{ .what = "P(s0)", .ops = { P(0, 1) }, .nops = 1,
		  .values = "0,0", .waiting = "M" },
		{ .what = "V(s1)", .ops = { V(1, 1) }, .nops = 1,
		  .values = "0,0", .waiting = "-" } } },
	{ .name = "atomic", .nsems = 2, .init = { 1, 0 },
	  .waiters = {
		{ .name = "W", .ops = { P(0, 1), P(1, 1) }, .nops = 2 },
		{ .name = "X", .ops = { P(0, 1) }, .nops = 1 } },
	  .steps = {
		{ .what = "V(s1)", .ops = { V(1, 1) }, .nops = 1,
		  .values = "0,0", .waiting = "X" },
		{ .what = "V(s0)", .ops = { V(0, 1) }, .nops = 1,
		  .values = "0,0", .waiting = "-" } } },
	{ .name = "order", .nsems = 2, .init = { 0, 0 },
	  .waiters = {
		{ .name = "P0", .ops = { P(0, 1) }, .nops = 1 },
		{ .name = "Q1", .ops = { P(1, 1) }, .nops = 1 },
		{ .name = "R0", .ops = { P(0, 1) }, .nops = 1 } },
	  .steps = {
		{ .what = "V(s1)", .ops = { V(1, 1) }, .nops = 1,
		  .values = "0,0", .waiting = "P0,R0" },
		{ .what = "V(s0)", .ops = { V(0, 1) }, .nops = 1,
		  .values = "0,0", .waiting = "R0" },
		{ .what = "V(s0)", .ops = { V(0, 1) }, .nops = 1,
		  .values = "0,0", .waiting = "-" } } },
	{ .name = "givetake", .nsems = 1, .init = { 0 },
	  .waiters = {
		{ .name = "A", .ops = { P(0, 1) }, .nops = 1, .timeout_ms = 1000,
		  .expect = "ETIMEDOUT" },
		{ .name = "B", .ops = { V(0, 1), P(0, 1) }, .nops = 2, .timeout_ms = 8000 } },
	  .steps = {
		{ .what = "nothing: A's wait of 1 s ends", .wait_ms = 4000,
		  .values = "0", .waiting = "-" } } },
	{ NULL }
};

static const struct scenario *sc;
static int set;
static pid_t pids[MAX_WAITERS];
static int failed;

static const char *errname(int err)
{
	const char *s = strerrorname_np(err);

	return s ? s : "?";
}

static void run_waiter(int k)
{
	const struct waiter *w = &sc->waiters[k];
	struct ipclab_sembuf ops[MAX_OPS] = { 0 };
	int i, timeout = w->timeout_ms ? w->timeout_ms : 5000;
	const char *expect = w->expect ? w->expect : "ok";
	const char *got = "ok";
	char key[64];

	for (i = 0; i < w->nops; i++) {
		ops[i].num = w->ops[i].num;
		ops[i].op = w->ops[i].op;
	}
	if (ipclab_semop(set, ops, w->nops, IPCLAB_WAIT_TIMEOUT, timeout * NSEC_PER_MSEC))
		got = errname(errno);
	snprintf(key, sizeof(key), "w.%s.%s", sc->name, w->name);
	fact(key, "%s %s", got, expect);
	printf("%-3s semop returned %s, expected %s%s\n", w->name, got, expect,
	       strcmp(got, expect) ? "  WRONG" : "");
	exit(!!strcmp(got, expect));
}

/* The names of the waiters in the room, in arrival order ("-": none). */
static int room(char *out, size_t size)
{
	struct ipclab_waiter ws[16];
	struct ipclab_stat st;
	size_t n = 0;
	unsigned int i;
	int k;

	memset(&st, 0, sizeof(st));
	st.id = set;
	st.waiters = (uintptr_t)ws;
	st.waiters_len = 16;
	if (ipclab_stat(&st))
		die("looking at semaphore set %d", set);
	snprintf(out, size, "-");
	for (i = 0; i < st.waiters_len && i < 16; i++) {
		const char *name = "?";

		for (k = 0; k < MAX_WAITERS && sc->waiters[k].name; k++)
			if (pids[k] == ws[i].pid)
				name = sc->waiters[k].name;
		n += snprintf(out + n, size - n, "%s%s", i ? "," : "", name);
		if (n >= size)
			break;
	}
	return st.nwaiters;
}

static void values(char *out, size_t size)
{
	size_t n = 0;
	int i;

	for (i = 0; i < sc->nsems && n < size; i++)
		n += snprintf(out + n, size - n, "%s%d", i ? "," : "", ipclab_sem_getval(set, i));
}

/* Waits at most ms until the room holds n waiters. */
static int settle(int n, int ms)
{
	char who[128];
	int i, have = 0;

	for (i = 0; i <= ms / 10; i++) {
		have = room(who, sizeof(who));
		if (have == n)
			break;
		usleep(10000);
	}
	return have;
}

/* How many names "A,B" has ("-": none). */
static int count(const char *names)
{
	int n = 1;

	if (!strcmp(names, "-"))
		return 0;
	while ((names = strchr(names, ',')))
		n++, names++;
	return n;
}

int main(int argc, char **argv)
{
	char vals[64], who[128], key[64];
	int i, k, nw;

	for (sc = scenarios; argc == 2 && sc->name && strcmp(sc->name, argv[1]); sc++)
		;
	if (argc != 2 || !sc->name) {
		fprintf(stderr, "usage: %s fifo|nofifo|zero|atomic|order|givetake\n", argv[0]);
		return 2;
	}
	if (ipclab_fd() < 0)
		die("opening /dev/ipclab");
	set = ipclab_sem_get(IPCLAB_KEY_PRIVATE, sc->nsems,
			     IPCLAB_CREAT | (sc->nofifo ? IPCLAB_NOFIFO : 0), 0600);
	if (set < 0)
		die("creating the semaphore set");
	name_object(set, sc->nofifo ? "set (NOFIFO)" : "set");
	for (i = 0; i < sc->nsems; i++)
		if (ipclab_sem_setval(set, i, sc->init[i]))
			die("setting s%d", i);

	for (k = 0; k < MAX_WAITERS && sc->waiters[k].name; k++) {
		pids[k] = spawn(sc->waiters[k].name, run_waiter, k);
		snprintf(key, sizeof(key), "spawn.%s.%s", sc->name, sc->waiters[k].name);
		fact(key, "%d", settle(k + 1, 3000) == k + 1);
	}
	nw = k;
	values(vals, sizeof(vals));
	room(who, sizeof(who));
	printf("%s: %d waiters: %s; values %s\n", sc->name, nw, who, vals);

	for (i = 0; i < MAX_STEPS && sc->steps[i].what; i++) {
		const struct step *s = &sc->steps[i];
		struct ipclab_sembuf ops[2] = { 0 };
		bool ok;

		for (k = 0; k < s->nops; k++) {
			ops[k].num = s->ops[k].num;
			ops[k].op = s->ops[k].op;
		}
		if (s->nops && ipclab_semop(set, ops, s->nops, IPCLAB_WAIT_NOWAIT, 0))
			die("step %d, %s", i + 1, s->what);
		/* The waiters it wakes leave the room before the semop returns. */
		if (s->wait_ms)
			settle(count(s->waiting), s->wait_ms);
		values(vals, sizeof(vals));
		room(who, sizeof(who));
		ok = !strcmp(vals, s->values) && !strcmp(who, s->waiting);
		snprintf(key, sizeof(key), "s.%s.%d", sc->name, i + 1);
		fact(key, "%s|%s|%s|%s|%s", s->what, vals, who, s->values, s->waiting);
		printf("step %d, %s: values %s, waiting %s; expected %s, waiting %s%s\n", i + 1,
		       s->what, vals, who, s->values, s->waiting, ok ? "" : "  WRONG");
		failed += !ok;
	}

	/* Whoever still waits ends with EIDRM. */
	ipclab_remove(set);
	for (k = 0; k < nw; k++)
		failed += reap(pids[k], sc->waiters[k].name) != 0;
	return failed != 0;
}
