// SPDX-License-Identifier: GPL-2.0
/*
 * The example programs (userspace/examples/): does each one's output
 * show its concept?
 *
 * Each test runs one example as a student would, through the shell and
 * the PATH (every test skips when the examples are not on the PATH), with
 * parameters that keep it short, and checks what it printed: the numbers
 * that carry the concept must be there and must be right.  Where the
 * concept allows, the check is exact (PingPong alternates, the checksum
 * matches, the provoked runner overtakes every time, the detector
 * predicts the order the processes then finish in).  Where it is
 * statistical, the bound is stated at the test (the spooler's losses,
 * CPU time of busy and passive waiting, turns with and without FIFO).
 *
 * Every example must also clean up: the number of ipclab objects is the
 * same after it as before.
 */
#include <stdarg.h>
#include <sys/socket.h>

#include "kselftest_harness.h"
#include "ipclab_test.h"

/* Debug kernels run the examples 5-10 times slower. */
#define EXAMPLE_TEST(name) TEST_F_TIMEOUT(examples, name, 180)

#define OUT_SIZE 65536

FIXTURE(examples) {
	int fd;
	struct ipclab_cleanup cl;
	char out[OUT_SIZE];
};

/* How many ipclab objects exist, or -1. */
static int objects(int fd)
{
	struct ipclab_list l = { .type = 0, .len = 0, .ids = 0 };

	if (ioctl(fd, IPCLAB_IOC_LIST, &l))
		return -1;
	return l.len;
}

/* A shell command (printf-style), its stdout and stderr into out. */
#define run(out, size, fmt, ...) \
	run_cmd(out, size, fmt " 2>&1", ##__VA_ARGS__)

FIXTURE_SETUP(examples)
{
	memset(&self->cl, 0, sizeof(self->cl));
	IPCLAB_OPEN_OR_SKIP(self->fd);
	if (run(self->out, sizeof(self->out), "command -v ipclab-ex-pingpong") != 0)
		SKIP(return, "the examples are not on the PATH");
}

FIXTURE_TEARDOWN_PARENT(examples)
{
	ipclab_cleanup(&self->cl);
}

/*
 * Run an example (the command line after "ipclab-ex-"): it must exit with
 * 0 and leave no object behind.  Its output is in self->out.
 */
#define EXAMPLE(...) do {						\
	int __before = objects(self->fd);				\
	ASSERT_LE(0, __before);						\
	ASSERT_EQ(0, run(self->out, sizeof(self->out), "ipclab-ex-" __VA_ARGS__)) \
		TH_LOG("output:\n%s", self->out);			\
	EXPECT_EQ(__before, objects(self->fd))				\
		TH_LOG("objects left behind; output:\n%s", self->out); \
} while (0)

/* The line after the one p points into, or NULL. */
static const char *line_after(const char *p)
{
	p = strchr(p, '\n');
	return p && p[1] ? p + 1 : NULL;
}

/* Where the text first appears at or after from; NULL if it does not. */
static const char *after(const char *from, const char *text)
{
	return from ? strstr(from, text) : NULL;
}

/*
 * The line p points into, from p to its end, into buf, with each run of
 * blanks made one space: table columns become comparable words.
 */
static char *copy_line(const char *p, char *buf, size_t size)
{
	size_t n = 0;

	for (; *p && *p != '\n' && n + 1 < size; p++) {
		if (*p == ' ' && (n == 0 || buf[n - 1] == ' '))
			continue;
		buf[n++] = *p;
	}
	buf[n] = 0;
	return buf;
}

/* ------------------------------------------------------------------ */

/*
 * The spooler's counts must agree with each other: 'in' is the count the
 * processes kept, the jobs present are what the printer daemon found in
 * slots 0..in-1 (no slot can hold two jobs, so they are equal), and
 * present + lost are all jobs.  The lost jobs listed are the first 16 and
 * "... and N more" the rest.  With the lock none is lost.
 *
 * Without it, losses are the point but a matter of timing.  Measured
 * under TCG, 30 runs per kernel, with the sched_yield() in the window:
 * at least 3 (6.12), 93 (6.1), 31 (6.12-rt) and 141 (debug) of the 400
 * jobs lost in every run.  The test asks for at least one lost job in
 * one of three runs.
 */
static void check_round(struct __test_metadata *_metadata, const char *p,
			int total, int *lost)
{
	int in, present, all, listed = 0, more = 0;
	char line[512], *word, *save;
	const char *lost_line;

	ASSERT_NE(NULL, p);
	p = after(p, "  in = ");
	ASSERT_NE(NULL, p);
	ASSERT_EQ(4, sscanf(p, "  in = %d: %d of %d jobs are in the directory, %d lost",
			    &in, &present, &all, lost)) TH_LOG("%.100s", p);
	EXPECT_EQ(in, present);
	EXPECT_EQ(total, all);
	EXPECT_EQ(total, present + *lost);

	lost_line = line_after(p);
	if (!*lost) {
		EXPECT_TRUE(!lost_line || strncmp(lost_line, "  lost:", 7))
			TH_LOG("a lost list with 0 lost: %.100s", lost_line);
		return;
	}
	ASSERT_NE(NULL, lost_line);
	copy_line(lost_line, line, sizeof(line));
	ASSERT_EQ(0, strncmp(line, "lost: ", 6)) TH_LOG("%s", line);
	/* "lost: A3 B17 ... and 12 more": job names, then maybe the rest. */
	for (word = strtok_r(line + 6, " ", &save); word; word = strtok_r(NULL, " ", &save)) {
		if (!strcmp(word, "...")) {
			word = strtok_r(NULL, " ", &save);
			EXPECT_STREQ("and", word);
			word = strtok_r(NULL, " ", &save);
			ASSERT_NE(NULL, word);
			more = atoi(word);
			break;
		}
		EXPECT_TRUE(word[0] >= 'A' && word[0] <= 'Z' && word[1] >= '0' &&
			    word[1] <= '9') TH_LOG("not a job: \"%s\"", word);
		listed++;
	}
	EXPECT_EQ(*lost < 16 ? *lost : 16, listed) TH_LOG("%.200s", lost_line);
	EXPECT_EQ(*lost, listed + more) TH_LOG("%.200s", lost_line);
}

EXAMPLE_TEST(spooler)
{
	int lost, attempt, lost_any = 0;
	const char *p;

	EXAMPLE("spooler -p 2 -j 200");
	p = strstr(self->out, "Round 1, without a lock:");
	check_round(_metadata, p, 400, &lost);
	lost_any += lost;
	p = strstr(self->out, "Round 2, with mutex");
	check_round(_metadata, p, 400, &lost);
	EXPECT_EQ(0, lost) TH_LOG("jobs lost under the mutex:\n%s", self->out);

	/*
	 * The race needs both processes inside their windows at once: with
	 * a vCPU descheduled by a busy host (TCG) a run can lose nothing.
	 */
	for (attempt = 1; attempt < 6 && !lost_any; attempt++) {
		EXAMPLE("spooler -p 2 -j 200 --no-lock");
		check_round(_metadata, strstr(self->out, "Round 1"), 400, &lost);
		lost_any += lost;
	}
	EXPECT_LT(0, lost_any) TH_LOG("no job lost without a lock in %d runs", attempt);

	/* Three processes, with the lock only. */
	EXAMPLE("spooler -p 3 -j 100 --lock");
	EXPECT_EQ(NULL, strstr(self->out, "Round 1"));
	check_round(_metadata, strstr(self->out, "Round 2"), 300, &lost);
	EXPECT_EQ(0, lost);
}

/*
 * Run "PREFIX ipclab-ex-EXAMPLE" with IPCLAB_STEP set, and release its
 * processes in the order given (after --wait for the first n), as a
 * teacher in a second console would with "ipclab step"; its output ends
 * up in out.
 */
static void step_example(struct __test_metadata *_metadata, char *out, size_t size,
			 __s32 key, const char *prefix, const char *example,
			 int n, const char *const *order, unsigned int norder)
{
	char path[] = "/tmp/ipclab-step-XXXXXX", cmd[256];
	struct ipclab_cleanup cl = { 0 };
	unsigned int i;
	pid_t pid;
	int fd;

	ASSERT_EQ(0, run(out, size, "ipclab step --start -k %d", key)) TH_LOG("%s", out);
	fd = mkstemp(path);
	ASSERT_LE(0, fd);
	pid = kids_fork(&cl);
	ASSERT_LE(0, pid);
	if (pid == 0) {
		snprintf(cmd, sizeof(cmd), "IPCLAB_STEP=%d %s ipclab-ex-%s", key, prefix,
			 example);
		dup2(fd, 1);
		dup2(fd, 2);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	/* All of them at their first point; then one step after another. */
	EXPECT_EQ(0, run(out, size, "ipclab step -k %d --wait %d -t 60", key, n))
		TH_LOG("%s", out);
	for (i = 0; i < norder; i++)
		EXPECT_EQ(0, run(out, size, "ipclab step -k %d -t 60 %s", key, order[i]))
			TH_LOG("step %u: %s", i + 1, out);
	EXPECT_EQ(0, kids_wait(&cl, pid, 60000));
	EXPECT_EQ(0, run(out, size, "ipclab step -k %d --stop", key));
	ipclab_cleanup(&cl);
	ASSERT_EQ(0, run(out, size, "cat %s", path));
	unlink(path);
	close(fd);
}

/* How far p is from the start of its line (text starts at base). */
static int column_of(const char *base, const char *p)
{
	const char *q = p;

	while (q > base && q[-1] != '\n')
		q--;
	return p - q;
}

/* The spooler, stepped into the slide's interleaving: A (1), B (1), B (2), B (3), A (2), A (3). */
static void step_spooler(struct __test_metadata *_metadata, char *out, size_t size,
			 __s32 key, const char *prefix)
{
	static const char *const order[] = {
		"spooler-A", "spooler-B", "spooler-B", "spooler-B", "spooler-A", "spooler-A",
	};

	step_example(_metadata, out, size, key, prefix, "spooler -j 1 --no-lock --step", 2,
		     order, ARRAY_SIZE(order));
}

/* Each step says what it did, and B's job is lost to A's store, every time. */
EXAMPLE_TEST(spooler_step)
{
	static const char *const said[] = {
		"A: (1) read in = 0\n", "B: (1) read in = 0\n", "B: (2) store B0 in slot 0\n",
		"B: (3) write back in = 1\n", "A: (2) store A0 in slot 0, overwriting B0\n",
		"A: (3) write back in = 1\n",
		"  in = 1: 1 of 2 jobs are in the directory, 1 lost\n  lost: B0\n",
	};
	const char *p = self->out;
	unsigned int i;

	step_spooler(_metadata, self->out, sizeof(self->out), test_key(40), "");
	for (i = 0; i < ARRAY_SIZE(said); i++) {
		p = after(p, said[i]);
		ASSERT_NE(NULL, p) TH_LOG("no \"%s\" (in order) in:\n%s", said[i], self->out);
	}
}

/*
 * The same stepped race under "ipclab trace": a timeline with a column
 * for each spooler, the points where they stopped, and the store that
 * overwrote B's job in A's column after B's own; the SVG says it too.
 */
EXAMPLE_TEST(spooler_trace)
{
	static const char svg[] = "/tmp/ipclab-spooler-trace.svg";
	const char *p, *q, *head;
	char cmd[64];
	int cola, colb;

	snprintf(cmd, sizeof(cmd), "ipclab trace --svg %s --", svg);
	step_spooler(_metadata, self->out, sizeof(self->out), test_key(41), cmd);
	head = strstr(self->out, "        ms  ");
	ASSERT_NE(NULL, head) TH_LOG("no timeline:\n%s", self->out);
	p = strstr(head, "  spooler-A (");
	q = strstr(head, "  spooler-B (");
	ASSERT_TRUE(p && q && !memchr(head, '\n', (p > q ? p : q) - head))
		TH_LOG("no column for A and for B:\n%s", self->out);
	cola = column_of(head, p + 2);
	colb = column_of(head, q + 2);
	/* B's store, in B's column, then A's overwrite in A's. */
	p = strstr(head, "(2) store B0 in slot 0\n");
	ASSERT_NE(NULL, p) TH_LOG("%s", self->out);
	EXPECT_EQ(colb, column_of(head, p)) TH_LOG("%s", self->out);
	q = strstr(p, "(2) store A0 in slot 0, overwriting B0\n");
	ASSERT_NE(NULL, q) TH_LOG("%s", self->out);
	EXPECT_EQ(cola, column_of(head, q)) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(head, "at point \"(2) store\"")) TH_LOG("%s", self->out);
	ASSERT_EQ(0, run(self->out, sizeof(self->out), "cat %s", svg));
	EXPECT_NE(NULL, strstr(self->out, "overwriting B0</text>")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "spooler-A (")) TH_LOG("%s", self->out);
	unlink(svg);
}

/*
 * The three runners stepped: released 3, 2, 1 from the start line, runner
 * 3 overtakes on one semaphore (it waited first, FIFO) and cannot on two.
 */
EXAMPLE_TEST(runners_step)
{
	static const char *const order[] = { "runner-3", "runner-2", "runner-1" };

	step_example(_metadata, self->out, sizeof(self->out), test_key(42), "",
		     "runners --wrong --step", 3, order, ARRAY_SIZE(order));
	EXPECT_NE(NULL, strstr(self->out, "    order: 1 3 2: runner 3 overtook runner 2!\n"))
		TH_LOG("%s", self->out);
	step_example(_metadata, self->out, sizeof(self->out), test_key(42), "",
		     "runners --right --step", 3, order, ARRAY_SIZE(order));
	EXPECT_NE(NULL, strstr(self->out, "    order: 1 2 3: correct\n")) TH_LOG("%s", self->out);
}

/* The deadlock stepped: P1, P2, P1, P2 is the deadlock; P1, P1, P2, P2 none. */
EXAMPLE_TEST(deadlock_step)
{
	static const char *const crossed[] = { "P1", "P2", "P1", "P2" };
	static const char *const one_by_one[] = { "P1", "P1", "P2", "P2" };

	step_example(_metadata, self->out, sizeof(self->out), test_key(43), "",
		     "deadlock --step", 2, crossed, ARRAY_SIZE(crossed));
	EXPECT_NE(NULL, strstr(self->out, "P1 waits for P2 and P2 waits for P1: a deadlock.\n"))
		TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "  4. circular wait: P1 -> M2 -> P2 -> M1 -> P1\n"))
		TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "DEADLOCK: 2 processes are deadlocked:\n"))
		TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "P1: lock(M2): EOWNERDEAD")) TH_LOG("%s", self->out);

	step_example(_metadata, self->out, sizeof(self->out), test_key(43), "",
		     "deadlock --step", 2, one_by_one, ARRAY_SIZE(one_by_one));
	EXPECT_NE(NULL, strstr(self->out, "Both finished: this interleaving made no deadlock.\n"))
		TH_LOG("%s", self->out);
	EXPECT_EQ(NULL, strstr(self->out, "deadlocked")) TH_LOG("%s", self->out);
}

/*
 * X before Y: B prints that it waits before A's X (A is slow), and Y
 * comes after X.  Busy and passive waiting last as long as A works
 * (300 ms); the busy waiter must have used at least half of that as CPU
 * time (it spins on a CPU of its own: 100% measured), the passive one at
 * most a tenth (0% measured).
 */
EXAMPLE_TEST(signal)
{
	double busy_t, busy_cpu, passive_t, passive_cpu;
	const char *wait, *x, *y, *p;

	EXAMPLE("signal -t 300");
	wait = strstr(self->out, "B: wants to run section Y");
	x = strstr(self->out, "A: section X, then V(s)");
	y = strstr(self->out, "B: section Y");
	ASSERT_NE(NULL, wait) TH_LOG("%s", self->out);
	ASSERT_NE(NULL, x) TH_LOG("%s", self->out);
	ASSERT_NE(NULL, y) TH_LOG("%s", self->out);
	EXPECT_LT(x, y) TH_LOG("Y before X:\n%s", self->out);

	p = strstr(self->out, "busy waiting:");
	ASSERT_NE(NULL, p) TH_LOG("%s", self->out);
	ASSERT_EQ(2, sscanf(p, "busy waiting: B waited %lf s and used %lf s",
			    &busy_t, &busy_cpu)) TH_LOG("%.100s", p);
	p = strstr(self->out, "passive waiting:");
	ASSERT_NE(NULL, p) TH_LOG("%s", self->out);
	ASSERT_EQ(2, sscanf(p, "passive waiting: B waited %lf s and used %lf s",
			    &passive_t, &passive_cpu)) TH_LOG("%.100s", p);
	EXPECT_LE(0.25, busy_t);
	EXPECT_LE(0.25, passive_t);
	EXPECT_LE(busy_t / 2, busy_cpu) TH_LOG("busy: %.3f s CPU in %.3f s", busy_cpu, busy_t);
	EXPECT_GE(passive_t / 10, passive_cpu)
		TH_LOG("passive: %.3f s CPU in %.3f s", passive_cpu, passive_t);
}

/* The enters and leaves of a critical section, checked for overlap. */
static void check_no_overlap(struct __test_metadata *_metadata, const char *out,
			     int rounds)
{
	char inside = 0, who, what[8];
	int enters[2] = { 0, 0 };
	const char *p;

	for (p = out; p; p = line_after(p)) {
		if (sscanf(p, "%c: %7s", &who, what) != 2 || (who != 'A' && who != 'B'))
			continue;
		if (!strcmp(what, "enters")) {
			EXPECT_EQ(0, inside) TH_LOG("%c enters while %c is inside:\n%s",
						    who, inside, out);
			inside = who;
			enters[who - 'A']++;
		} else if (!strcmp(what, "leaves,")) {
			EXPECT_EQ(who, inside) TH_LOG("%c leaves, %c was inside", who, inside);
			inside = 0;
		}
	}
	EXPECT_EQ(0, inside);
	EXPECT_EQ(rounds, enters[0]);
	EXPECT_EQ(rounds, enters[1]);
}

/*
 * While A is inside, "ipclab show" names A as the owner and B in the
 * waiting room; then nobody enters while the other is inside.
 */
EXAMPLE_TEST(lock)
{
	char want[128];
	int a = 0, b = 0;
	const char *p;

	EXAMPLE("lock -r 4");
	p = strstr(self->out, "A (pid ");
	ASSERT_NE(NULL, p);
	ASSERT_EQ(1, sscanf(p, "A (pid %d)", &a));
	p = strstr(self->out, "B (pid ");
	ASSERT_NE(NULL, p);
	ASSERT_EQ(1, sscanf(p, "B (pid %d)", &b));

	snprintf(want, sizeof(want), "state: locked, owner pid %d (lock-A)", a);
	EXPECT_NE(NULL, strstr(self->out, want)) TH_LOG("no \"%s\" in:\n%s", want, self->out);
	p = strstr(self->out, "waiting room (FIFO, 1 waiting):");
	ASSERT_NE(NULL, p) TH_LOG("%s", self->out);
	p = line_after(p);
	snprintf(want, sizeof(want), "1. pid %d", b);
	ASSERT_NE(NULL, p);
	EXPECT_NE(NULL, strstr(p, want)) TH_LOG("%.100s", p);
	EXPECT_NE(NULL, strstr(p, "lock-B")) TH_LOG("%.100s", p);
	EXPECT_NE(NULL, strstr(p, "wants the lock")) TH_LOG("%.100s", p);

	check_no_overlap(_metadata, self->out, 4);
}

/* "big N turns, small-1 N, small-2 N" after label; the smaller small. */
static int turns(struct __test_metadata *_metadata, const char *out,
		 const char *label, int *big)
{
	const char *p = strstr(out, label);
	int small1 = -1, small2 = -1;

	EXPECT_NE(NULL, p) TH_LOG("no \"%s\" in:\n%s", label, out);
	if (!p || sscanf(p + strlen(label), " big %d turns, small-1 %d, small-2 %d",
			 big, &small1, &small2) != 3)
		return -1;
	return small1 < small2 ? small1 : small2;
}

/*
 * Part 1: the hog owns the mutex, both starving processes are in the
 * waiting room and give up with ETIMEDOUT after the timeout.
 *
 * Part 2: big needs both printers, the small ones one each.  Measured
 * over 500 ms: without FIFO big gets 2% to 15% of a small one's turns
 * (6.12 to debug), and once 41% on 6.12-rt (83 to 204), with FIFO
 * exactly as many.  The bounds: at most half without FIFO, in one of
 * three runs; at least half with it.
 */
EXAMPLE_TEST(starvation)
{
	int hog, i, big, small;
	const char *p, *gave;
	double waited;
	char want[128];

	EXAMPLE("starvation -t 500 -d 500");
	p = strstr(self->out, "hog (pid ");
	ASSERT_NE(NULL, p) TH_LOG("%s", self->out);
	ASSERT_EQ(1, sscanf(p, "hog (pid %d)", &hog));
	snprintf(want, sizeof(want), "state: locked, owner pid %d (hog)", hog);
	EXPECT_NE(NULL, strstr(self->out, want)) TH_LOG("no \"%s\" in:\n%s", want, self->out);
	p = strstr(self->out, "waiting room (FIFO, 2 waiting):");
	ASSERT_NE(NULL, p) TH_LOG("%s", self->out);
	for (i = 1; i <= 2; i++) {
		p = line_after(p);
		ASSERT_NE(NULL, p);
		snprintf(want, sizeof(want), "starving-%d", i);
		EXPECT_NE(NULL, strstr(p, want)) TH_LOG("%.100s", p);
		EXPECT_NE(NULL, strstr(p, "wants the lock")) TH_LOG("%.100s", p);

		snprintf(want, sizeof(want), "starving-%d (pid ", i);
		gave = strstr(self->out, want);
		ASSERT_NE(NULL, gave) TH_LOG("%s", self->out);
		gave = strstr(gave, "gave up after ");
		ASSERT_NE(NULL, gave);
		ASSERT_EQ(1, sscanf(gave, "gave up after %lf s", &waited));
		EXPECT_LE(0.45, waited);
		EXPECT_NE(NULL, strstr(gave, ": ETIMEDOUT\n")) TH_LOG("%.60s", gave);
	}

	/* A matter of scheduling: asked in one of three runs. */
	for (i = 0; i < 3; i++) {
		if (i)
			EXAMPLE("starvation -t 500 -d 500");
		small = turns(_metadata, self->out, "no FIFO (as Linux SysV):", &big);
		if (small > 20 && small / 2 >= big)
			break;
	}
	EXPECT_LT(20, small) TH_LOG("%s", self->out);
	EXPECT_GE(small / 2, big) TH_LOG("big was not starved without FIFO in %d runs:\n%s",
					 i, self->out);
	small = turns(_metadata, self->out, "FIFO (ipclab's default):", &big);
	EXPECT_LT(20, small) TH_LOG("%s", self->out);
	EXPECT_LE(small / 2, big) TH_LOG("big was starved under FIFO:\n%s", self->out);
}

/*
 * Two processes, two mutexes, opposite order: "ipclab deadlock" names
 * both processes and what each holds and waits for; killing P2 lets P1
 * finish (EOWNERDEAD).  With --refuse, P2's lock is EDEADLK, the cycle
 * it prints is P2 -> M1 (P1) -> M2 (P2), and both finish.
 */
EXAMPLE_TEST(deadlock)
{
	int m1, m2, p1 = 0, p2 = 0;
	const char *p;
	char want[160];

	EXAMPLE("deadlock");
	p = strstr(self->out, "M1 is mutex ");
	ASSERT_NE(NULL, p) TH_LOG("%s", self->out);
	ASSERT_EQ(2, sscanf(p, "M1 is mutex %d, M2 is mutex %d", &m1, &m2));
	p = strstr(self->out, "P1 waits for P2 and P2 waits for P1: a deadlock.");
	ASSERT_NE(NULL, p) TH_LOG("%s", self->out);
	/* Coffman's four conditions, each named where the run shows it. */
	p = after(p, "  1. mutual exclusion: M1 has one owner; a trylock of M1 here: EBUSY\n");
	p = after(p, "  2. hold and wait: P1 holds M1 and waits for M2, P2 holds M2 and waits\n");
	p = after(p, "  3. no preemption: only its owner unlocks M1; an unlock here: EPERM\n");
	p = after(p, "  4. circular wait: P1 -> M2 -> P2 -> M1 -> P1\n");
	ASSERT_NE(NULL, p) TH_LOG("the four conditions, in order, missing:\n%s", self->out);
	p = after(p, "$ ipclab deadlock\n");
	ASSERT_NE(NULL, p) TH_LOG("%s", self->out);
	p = after(p, "DEADLOCK: 2 processes are deadlocked:\n");
	ASSERT_NE(NULL, p) TH_LOG("%s", self->out);
	p = line_after(p);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(1, sscanf(p, "  process 1 (pid %d, P1)", &p1)) TH_LOG("%.100s", p);
	snprintf(want, sizeof(want), "holds mutex %d; waits for mutex %d\n", m1, m2);
	EXPECT_EQ(0, strncmp(strstr(p, "holds") ?: "", want, strlen(want))) TH_LOG("%.100s", p);
	p = line_after(p);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(1, sscanf(p, "  process 2 (pid %d, P2)", &p2)) TH_LOG("%.100s", p);
	snprintf(want, sizeof(want), "holds mutex %d; waits for mutex %d\n", m2, m1);
	EXPECT_EQ(0, strncmp(strstr(p, "holds") ?: "", want, strlen(want))) TH_LOG("%.100s", p);
	p = after(p, "P1: lock(M2): EOWNERDEAD");
	EXPECT_NE(NULL, after(p, "P1: unlock(M1), unlock(M2): done")) TH_LOG("%s", self->out);

	EXAMPLE("deadlock --refuse");
	EXPECT_NE(NULL, strstr(self->out, "both created with IPCLAB_REFUSE_DEADLOCK"));
	EXPECT_EQ(NULL, strstr(self->out, "deadlocked")) TH_LOG("%s", self->out);
	p = strstr(self->out, "P2: lock(M1): EDEADLK, waiting would close this cycle:\n");
	ASSERT_NE(NULL, p) TH_LOG("%s", self->out);
	p = line_after(p);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(2, sscanf(p, "      pid %d (P2) would wait for M1, which pid %d (P1) holds",
			    &p2, &p1)) TH_LOG("%.100s", p);
	p = line_after(p);
	ASSERT_NE(NULL, p);
	snprintf(want, sizeof(want), "      pid %d (P1) would wait for M2, which pid %d (P2) holds\n",
		 p1, p2);
	EXPECT_EQ(0, strncmp(p, want, strlen(want))) TH_LOG("%.100s", p);
	EXPECT_NE(NULL, strstr(p, "P1: unlock(M1), unlock(M2): done")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(p, "P2: unlock(M1), unlock(M2): done")) TH_LOG("%s", self->out);

	/* One order for both: P2 queues for M1 holding nothing, no cycle. */
	EXAMPLE("deadlock --ordered");
	EXPECT_EQ(NULL, strstr(self->out, "deadlocked")) TH_LOG("%s", self->out);
	p = strstr(self->out, "P2 waits for M1 and holds nothing: no circular wait");
	ASSERT_NE(NULL, p) TH_LOG("%s", self->out);
	p = after(p, "P1: lock(M2): ok\n");
	p = after(p, "P1: unlock(M1), unlock(M2): done\n");
	p = after(p, "P2: lock(M1): ok\n");
	p = after(p, "P2: lock(M2): ok\n");
	p = after(p, "P2: unlock(M1), unlock(M2): done\n");
	p = after(p, "Both finished: one order for all prevents the deadlock.\n");
	EXPECT_NE(NULL, p) TH_LOG("%s", self->out);
}

/*
 * The course's example: first on paper (the example's own tables, with
 * A = E minus C = (2 1 0 0)): 3, 2, 1.  Then "ipclab deadlock" reads
 * E = (4 2 3 1), A = 0, the C and R the processes hold and request, and
 * predicts 3, 2, 1 too; the
 * processes then report that order themselves.  With --fifo, process 3
 * queues behind process 1, all three are deadlocked, and removing the set
 * ends their wait with EIDRM.
 */
EXAMPLE_TEST(detect)
{
	static const char *const order[] = {
		"No deadlock: every process can finish, in the order 3, 2, 1.",
		"process 3 finishes and gives back (2 2 2 0)",
		"process 2: got (1 0 1 0)",
		"process 2 finishes and gives back (3 0 1 1)",
		"process 1: got (2 0 0 1)",
		"process 1 finishes and gives back (2 0 1 1)",
		"All finished; A = (4 2 3 1)",
	};
	const char *p, *q;
	unsigned int i;

	EXAMPLE("detect");
	p = strstr(self->out, "$ ipclab deadlock\n");
	ASSERT_NE(NULL, p) TH_LOG("%s", self->out);
	q = strstr(self->out, "On paper (A = (2 1 0 0)) the algorithm finishes "
		   "process 3, then 2, then 1: no deadlock.\n");
	EXPECT_NE(NULL, q) TH_LOG("%s", self->out);
	EXPECT_LT(q, p) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "process 3: got (2 1 0 0)")) TH_LOG("%s", self->out);
	EXPECT_LT(strstr(self->out, "process 3: got (2 1 0 0)"), p);
	EXPECT_NE(NULL, strstr(p, "E = (4 2 3 1)")) TH_LOG("%s", p);
	EXPECT_NE(NULL, strstr(p, "A = (0 0 0 0)")) TH_LOG("%s", p);
	EXPECT_NE(NULL, strstr(p, "1  (0 0 1 0)               (2 0 0 1)")) TH_LOG("%s", p);
	EXPECT_NE(NULL, strstr(p, "2  (2 0 0 1)               (1 0 1 0)")) TH_LOG("%s", p);
	EXPECT_NE(NULL, strstr(p, "3  (2 2 2 0)               (0 0 0 0)")) TH_LOG("%s", p);
	for (i = 0; i < ARRAY_SIZE(order); i++) {
		q = after(p, order[i]);
		EXPECT_NE(NULL, q) TH_LOG("no \"%s\" after what came before:\n%s",
					  order[i], self->out);
		if (q)
			p = q;
	}

	EXAMPLE("detect --fifo");
	p = strstr(self->out, "$ ipclab deadlock\n");
	ASSERT_NE(NULL, p) TH_LOG("%s", self->out);
	/* On paper the same: the course's algorithm knows no FIFO rooms. */
	EXPECT_NE(NULL, strstr(self->out, "then 1: no deadlock.\n")) TH_LOG("%s", self->out);
	EXPECT_EQ(NULL, strstr(self->out, ": got")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(p, "A = (2 1 0 0)")) TH_LOG("%s", p);
	EXPECT_NE(NULL, strstr(p, "DEADLOCK: 3 processes are deadlocked:")) TH_LOG("%s", p);
	EXPECT_NE(NULL, strstr(p, "it queues behind process 1")) TH_LOG("%s", p);
	for (i = 1; i <= 3; i++) {
		char want[32];

		snprintf(want, sizeof(want), "process %u: EIDRM\n", i);
		EXPECT_NE(NULL, strstr(p, want)) TH_LOG("%s", self->out);
	}
}

/*
 * The state of object "key" in each "ipclab ls" the example ran, in
 * order: the text after "kind" on its line (e.g. "4096 bytes nattch 1"),
 * or "" when the key is not listed.  Returns how many ls it ran.
 */
static int ls_states(const char *out, const char *cmd, const char *type, int key,
		     char states[][64], int max)
{
	const char *p = out, *line, *end;
	int n = 0, k;
	char t[16];

	while (n < max && (p = strstr(p, cmd))) {
		states[n][0] = 0;
		end = strstr(p + 1, "$ ");	/* the next command, if any */
		for (line = line_after(p); line && (!end || line < end); line = line_after(line)) {
			int off = 0;

			if (sscanf(line, "%15s %x %*u %*u %*o %*u %*d %n", t, (unsigned int *)&k, &off) == 2 &&
			    off && !strcmp(t, type) && k == key) {
				sscanf(line + off, "%63[^\n]", states[n]);
				break;
			}
		}
		n++;
		p++;
	}
	return n;
}

/*
 * The lifecycle, seen by "ipclab ls": created with nattch 0, nattch 1
 * while the writer is attached, 0 once it has exited (and the buffer is
 * still there), 1 while the reader is attached, gone after the erase.
 * The reader, a later process, reads what the writer wrote.
 */
EXAMPLE_TEST(shbuf)
{
	static const char *const want[] = {
		"4096 bytes nattch 0", "4096 bytes nattch 1", "4096 bytes nattch 0",
		"4096 bytes nattch 1", "",
	};
	int key = test_key(1), i, writer = 0, reader = 0;
	char states[8][64];
	const char *p;

	EXAMPLE("shbuf -k %d", key);
	ASSERT_EQ(5, ls_states(self->out, "$ ipclab ls -t shbuf", "shbuf", key, states, 8))
		TH_LOG("%s", self->out);
	for (i = 0; i < 5; i++)
		EXPECT_STREQ(want[i], states[i]) TH_LOG("ls number %d:\n%s", i + 1, self->out);

	p = strstr(self->out, "writer (pid ");
	ASSERT_NE(NULL, p);
	sscanf(p, "writer (pid %d)", &writer);
	EXPECT_NE(NULL, strstr(p, "wrote \"Hallo Welt.\"")) TH_LOG("%s", self->out);
	p = strstr(self->out, "reader (pid ");
	ASSERT_NE(NULL, p);
	sscanf(p, "reader (pid %d)", &reader);
	EXPECT_NE(NULL, strstr(p, "read-only, read \"Hallo Welt.\"\n")) TH_LOG("%s", self->out);
	EXPECT_NE(writer, reader);
	EXPECT_LT(strstr(self->out, "writer (pid "), strstr(self->out, "The writer is gone"));
	EXPECT_LT(strstr(self->out, "The writer is gone"), p);
}

/*
 * The messages outlive their sender: 2 queued after it exited, received
 * by a later process, type 2 first although type 1 is older; then a
 * non-blocking receive on the empty mailbox says EAGAIN; then it is gone.
 */
EXAMPLE_TEST(mbox)
{
	/* The byte capacity after the "/" is the module's default. */
	static const char *const want[] = {
		"0/8 msgs 0/", "2/8 msgs 21/", "0/8 msgs 0/", "",
	};
	int key = test_key(2), i;
	char states[8][64];
	const char *gone, *t2, *t1, *again;

	EXAMPLE("mbox -k %d", key);
	ASSERT_EQ(4, ls_states(self->out, "$ ipclab ls -t mbox", "mbox", key, states, 8))
		TH_LOG("%s", self->out);
	for (i = 0; i < 4; i++) {
		EXPECT_EQ(0, strncmp(want[i], states[i], strlen(want[i])))
			TH_LOG("ls number %d:\n%s", i + 1, self->out);
		EXPECT_EQ(!want[i][0], !states[i][0]) TH_LOG("ls number %d", i + 1);
	}

	gone = strstr(self->out, "The sender is gone");
	t2 = strstr(self->out, "got type 2, \"Hallo Welt.\"");
	t1 = strstr(self->out, "got type 1, \"Guten Tag.\"");
	again = strstr(self->out, "nothing there: EAGAIN");
	ASSERT_NE(NULL, gone) TH_LOG("%s", self->out);
	ASSERT_NE(NULL, t2) TH_LOG("%s", self->out);
	ASSERT_NE(NULL, t1) TH_LOG("%s", self->out);
	ASSERT_NE(NULL, again) TH_LOG("%s", self->out);
	EXPECT_LT(gone, t2);
	EXPECT_LT(t2, t1);
	EXPECT_LT(t1, again);
}

/* Exact: the checksums agree, every item once, never more than 8 inside. */
EXAMPLE_TEST(prodcons)
{
	unsigned long long produced, consumed;
	int np, nc, once, of, most, e, f, m;
	const char *p;

	EXAMPLE("prodcons -p 3 -c 2 -n 300");
	p = strstr(self->out, "produced ");
	ASSERT_NE(NULL, p) TH_LOG("%s", self->out);
	ASSERT_EQ(2, sscanf(p, "produced %d items, checksum %llu", &np, &produced));
	p = strstr(self->out, "consumed ");
	ASSERT_NE(NULL, p) TH_LOG("%s", self->out);
	ASSERT_EQ(2, sscanf(p, "consumed %d items, checksum %llu", &nc, &consumed));
	EXPECT_EQ(900, np);
	EXPECT_EQ(900, nc);
	EXPECT_EQ(900ULL * 899 / 2, produced);
	EXPECT_EQ(produced, consumed);
	EXPECT_NE(NULL, strstr(p, ": equal\n"));
	p = strstr(self->out, "items consumed exactly once: ");
	ASSERT_NE(NULL, p);
	ASSERT_EQ(2, sscanf(p, "items consumed exactly once: %d of %d", &once, &of));
	EXPECT_EQ(900, once);
	p = strstr(self->out, "most items in the buffer at once: ");
	ASSERT_NE(NULL, p);
	ASSERT_EQ(1, sscanf(p, "most items in the buffer at once: %d", &most));
	EXPECT_LE(1, most);
	EXPECT_GE(8, most);
	p = strstr(self->out, "semaphores at the end: ");
	ASSERT_NE(NULL, p);
	ASSERT_EQ(3, sscanf(p, "semaphores at the end: empty = %d, filled = %d, mutex = %d",
			    &e, &f, &m));
	EXPECT_EQ(8, e);
	EXPECT_EQ(0, f);
	EXPECT_EQ(1, m);
}

/* Exact: "PingPong, " 300 times and nothing else. */
EXAMPLE_TEST(pingpong)
{
	char *want = calloc(300, 10 + 1);
	int i;

	ASSERT_NE(NULL, want);
	for (i = 0; i < 300; i++)
		strcat(want, "PingPong, ");
	strcat(want, "\n");
	EXAMPLE("pingpong -n 300");
	EXPECT_STREQ(want, self->out);
	free(want);
}

/* "runner 3 overtook runner 2 in K of N races", and each race's order. */
static void check_races(struct __test_metadata *_metadata, const char *out,
			const char *order, int overtaken, int races)
{
	char want[64];
	const char *p;
	int n = 0;

	snprintf(want, sizeof(want), "order: %s: ", order);
	for (p = out; (p = strstr(p, "order: ")); p++) {
		EXPECT_EQ(0, strncmp(p, want, strlen(want))) TH_LOG("%.40s", p);
		n++;
	}
	EXPECT_EQ(races, n);
	snprintf(want, sizeof(want), "runner 3 overtook runner 2 in %d of %d races",
		 overtaken, races);
	EXPECT_NE(NULL, strstr(out, want)) TH_LOG("no \"%s\" in:\n%s", want, out);
}

/*
 * Provoked (runner 3 waits at the start line first), the wrong solution
 * lets runner 3 overtake in every race: FIFO hands runner 1's V to it.
 * The right one never, provoked or not.
 */
EXAMPLE_TEST(runners)
{
	EXAMPLE("runners --wrong -r 3");
	EXPECT_NE(NULL, strstr(self->out, "Wrong: one semaphore"));
	EXPECT_EQ(NULL, strstr(self->out, "Right:"));
	check_races(_metadata, self->out, "1 3 2", 3, 3);

	EXAMPLE("runners --right -r 3");
	EXPECT_NE(NULL, strstr(self->out, "Right: s1"));
	check_races(_metadata, self->out, "1 2 3", 0, 3);

	EXAMPLE("runners --right --no-provoke -r 5");
	EXPECT_EQ(NULL, strstr(self->out, "at the start line first"));
	check_races(_metadata, self->out, "1 2 3", 0, 5);
}

/*
 * Another process's V releases the semaphore; another process's unlock
 * of the mutex is EPERM; the owner's death gives the next locker
 * EOWNERDEAD, and after "consistent" the mutex works as before.
 */
EXAMPLE_TEST(semmutex)
{
	const char *v, *through, *p;

	EXAMPLE("semmutex");
	v = strstr(self->out, "): V(s)\n");
	through = strstr(self->out, "A: through: another process's V released it");
	ASSERT_NE(NULL, v) TH_LOG("%s", self->out);
	ASSERT_NE(NULL, through) TH_LOG("%s", self->out);
	EXPECT_LT(v, through);

	EXPECT_NE(NULL, strstr(self->out, "): unlock: EPERM, only the owner may unlock"))
		TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "A was killed by signal 9, holding the mutex"))
		TH_LOG("%s", self->out);
	p = strstr(self->out, "$ ipclab show ");
	ASSERT_NE(NULL, p) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(p, "state: owner dead;")) TH_LOG("%s", p);
	EXPECT_NE(NULL, strstr(p, "): lock: EOWNERDEAD, B owns the mutex")) TH_LOG("%s", p);
	EXPECT_NE(NULL, strstr(p, "accounts: 50 + 40 = 90, not 100: repair")) TH_LOG("%s", p);
	EXPECT_NE(NULL, strstr(p, "accounts: 50 + 50 = 100; consistent, unlock: ok"))
		TH_LOG("%s", p);
	EXPECT_NE(NULL, strstr(p, "): lock: ok, as if nothing had happened")) TH_LOG("%s", p);
}

/* The course's table, row for row, and a throughput for each way. */
EXAMPLE_TEST(compare)
{
	static const char *const rows[] = {
		"based on memory messages messages messages",
		"bidirectional yes no no yes",
		"platform-independent no no no yes",
		"across computers no no no yes",
		"related processes only no no yes no",
		"outlives its processes yes yes no no",
		"synchronises itself no yes yes yes",
	};
	double mbs[4];
	char line[256];
	const char *p;
	unsigned int i;

	EXAMPLE("compare -m 1");
	p = strstr(self->out, " shared memory ");
	ASSERT_NE(NULL, p) TH_LOG("%s", self->out);
	EXPECT_STREQ("shared memory message queue pipe socket", copy_line(p, line, sizeof(line)));
	p = line_after(p);
	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		p = line_after(p);
		ASSERT_NE(NULL, p) TH_LOG("%s", self->out);
		EXPECT_STREQ(rows[i], copy_line(p, line, sizeof(line)));
	}
	p = line_after(p);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(4, sscanf(p, "throughput measured %lf MB/s %lf MB/s %lf MB/s %lf MB/s",
			    &mbs[0], &mbs[1], &mbs[2], &mbs[3])) TH_LOG("%s", p);
	for (i = 0; i < 4; i++)
		EXPECT_LT(0.0, mbs[i]);
	EXPECT_NE(NULL, strstr(self->out, "Every byte arrived intact in all four."));
}

/*
 * All or nothing: B's request of two printers and a scanner waits while
 * one printer is free and takes nothing meanwhile; a NOWAIT request that
 * one semaphore cannot satisfy fails with EAGAIN and takes nothing from
 * the other; increments of 2 at once wake B.
 */
EXAMPLE_TEST(semset)
{
	static const struct {
		const char *when;
		int printers, scanners;
	} values[] = {
		{ "at the start:", 3, 1 },
		{ "A has them:", 1, 0 },
		{ "B waits, and holds nothing:", 1, 0 },
		{ "and nothing was taken:", 1, 0 },
		{ "at the end:", 3, 1 },
	};
	const char *p = self->out, *show;
	unsigned int i;
	int pr, sc;

	EXAMPLE("semset");
	for (i = 0; i < ARRAY_SIZE(values); i++) {
		p = strstr(p, values[i].when);
		ASSERT_NE(NULL, p) TH_LOG("no \"%s\" (in order) in:\n%s", values[i].when, self->out);
		p += strlen(values[i].when);
		ASSERT_EQ(2, sscanf(p, " printers = %d, scanners = %d", &pr, &sc));
		EXPECT_EQ(values[i].printers, pr) TH_LOG("%s", values[i].when);
		EXPECT_EQ(values[i].scanners, sc) TH_LOG("%s", values[i].when);
	}
	show = strstr(self->out, "$ ipclab show ");
	ASSERT_NE(NULL, show);
	/* The example names its semaphores; show says the names. */
	EXPECT_NE(NULL, strstr(show, "name: printers,scanners\n")) TH_LOG("%s", show);
	EXPECT_NE(NULL, strstr(show, "values: [0 printers]=1 [1 scanners]=0\n")) TH_LOG("%s", show);
	EXPECT_NE(NULL, strstr(show, "waiting room (FIFO, 1 waiting):")) TH_LOG("%s", show);
	EXPECT_NE(NULL, strstr(show, "wants P(0 printers, 2) P(1 scanners)")) TH_LOG("%s", show);
	EXPECT_NE(NULL, strstr(self->out, "without waiting: EAGAIN\n")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "B got all three at once")) TH_LOG("%s", self->out);
}

/*
 * Signaling: the X and Y lines strictly alternate, X first, in every
 * round; in the rounds where B is slow (it sleeps 100 ms, A only has to
 * call kill()) the signal is already pending when B starts to wait, in
 * the others (A sleeps 100 ms) not yet.  Guessing: 50 ms against A's
 * 300 ms puts Y first, 600 ms X.  Locking: in every turn the stopped
 * process is in state T and uses the printer 0 times, the other is not
 * stopped and uses it.
 */
EXAMPLE_TEST(signals)
{
	int n = 0, r, runner, other, uses, other_uses, i, r1, r2;
	char who, what[16], st1, st2;
	double x, y;
	const char *p;

	EXAMPLE("signals -r 4");
	/* The X and Y lines: X1 Y1 X2 Y2 ... */
	for (p = self->out; p; p = line_after(p)) {
		if (sscanf(p, "  round %d: %c: %15s", &r, &who, what) != 3)
			continue;
		if (!strcmp(what, "waits")) {
			EXPECT_NE(NULL, strstr(p, r % 2 ? "SIGUSR1 not yet there\n" :
					       "SIGUSR1 already pending\n")) TH_LOG("%.80s", p);
			continue;
		}
		EXPECT_EQ(n / 2 + 1, r) TH_LOG("%.80s", p);
		EXPECT_EQ(n % 2 ? 'B' : 'A', who) TH_LOG("out of order:\n%s", self->out);
		EXPECT_NE(NULL, strstr(p, n % 2 ? "B: section Y\n" : "A: section X, then kill"));
		n++;
	}
	EXPECT_EQ(8, n) TH_LOG("%s", self->out);

	p = strstr(self->out, "  B: section Y at ");
	ASSERT_NE(NULL, p) TH_LOG("%s", self->out);
	ASSERT_EQ(1, sscanf(p, "  B: section Y at %lf s, after sleeping 50 ms", &y));
	p = strstr(self->out, "  A: section X at ");
	ASSERT_NE(NULL, p);
	ASSERT_EQ(1, sscanf(p, "  A: section X at %lf", &x));
	EXPECT_LT(y, x);
	EXPECT_NE(NULL, strstr(self->out, "a guess of 50 ms, too short: Y ran before X\n"))
		TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "a guess of 600 ms: X before Y, but B waited"))
		TH_LOG("%s", self->out);

	p = strstr(self->out, "  P1 (pid ");
	ASSERT_NE(NULL, p) TH_LOG("%s", self->out);
	ASSERT_EQ(4, sscanf(p, "  P1 (pid %d) state %c, P2 (pid %d) state %c",
			    &r1, &st1, &r2, &st2));
	EXPECT_EQ('T', st1);
	EXPECT_EQ('T', st2);
	for (i = 1; i <= 4; i++) {
		int turn, u1, u2;

		p = line_after(p);
		ASSERT_NE(NULL, p);
		ASSERT_EQ(9, sscanf(p, "  turn %d: P%d runs (state %c), P%d stopped (state %c): "
				    "P%d used the printer %d times, P%d %d times",
				    &turn, &runner, &st1, &other, &st2, &u1, &uses, &u2,
				    &other_uses)) TH_LOG("%.120s", p);
		EXPECT_EQ(i, turn);
		EXPECT_EQ(i % 2 ? 1 : 2, runner);
		EXPECT_EQ(3 - runner, other);
		EXPECT_NE('T', st1) TH_LOG("%.120s", p);
		EXPECT_EQ('T', st2) TH_LOG("%.120s", p);
		EXPECT_EQ(runner, u1);
		EXPECT_EQ(other, u2);
		EXPECT_LT(0, uses) TH_LOG("%.120s", p);
		EXPECT_EQ(0, other_uses) TH_LOG("the stopped process used it: %.120s", p);
	}
	EXPECT_NE(NULL, strstr(self->out, "uses by the stopped process: 0: the two never overlapped\n"))
		TH_LOG("%s", self->out);
}

/* "The log: at most M inside at once, O entries while another was inside" */
static void lock_log(struct __test_metadata *_metadata, const char *out, int *most,
		     int *overlaps)
{
	const char *p = strstr(out, "The log: ");

	ASSERT_NE(NULL, p) TH_LOG("%s", out);
	ASSERT_EQ(2, sscanf(p, "The log: at most %d inside at once, %d entries while",
			    most, overlaps)) TH_LOG("%.100s", p);
}

/*
 * With the lock file: 1 inside at most, every process enters 5 times,
 * and the three, started together, retried (EEXIST) at least once in
 * all.  Without it: more than one inside (they start together and stay
 * inside 5 ms; asked in one of three runs).  With --crash: the others
 * give up after the timeout, nobody got in, and the lock file names
 * the killed A.
 */
EXAMPLE_TEST(lockfile)
{
	int most, overlaps, n, i, a = 0, dead = 0;
	long retries, all = 0;
	const char *p;
	double after;
	char who;

	EXAMPLE("lockfile -p 3 -n 5");
	lock_log(_metadata, self->out, &most, &overlaps);
	EXPECT_EQ(1, most) TH_LOG("%s", self->out);
	EXPECT_EQ(0, overlaps);
	for (i = 0; i < 3; i++) {
		char want[8];

		snprintf(want, sizeof(want), "  %c: ", 'A' + i);
		p = strstr(self->out, want);
		ASSERT_NE(NULL, p) TH_LOG("%s", self->out);
		ASSERT_EQ(3, sscanf(p, "  %c: entered %d times, %ld retries", &who, &n, &retries))
			TH_LOG("%.80s", p);
		EXPECT_EQ(5, n);
		all += retries;
	}
	EXPECT_LT(0, all) TH_LOG("no retries:\n%s", self->out);

	for (i = 0, most = 0; i < 3 && most < 2; i++) {
		EXAMPLE("lockfile -p 3 -n 5 --no-lock");
		EXPECT_NE(NULL, strstr(self->out, "without a lock\n"));
		EXPECT_NE(NULL, strstr(self->out, "entered 5 times, 0 retries"));
		lock_log(_metadata, self->out, &most, &overlaps);
	}
	EXPECT_LE(2, most) TH_LOG("never two inside without a lock:\n%s", self->out);
	EXPECT_LE(1, overlaps);

	EXAMPLE("lockfile -p 3 --crash -t 300");
	p = strstr(self->out, "  A (pid ");
	ASSERT_NE(NULL, p) TH_LOG("%s", self->out);
	ASSERT_EQ(1, sscanf(p, "  A (pid %d): holds the lock", &a));
	EXPECT_NE(NULL, strstr(p, "A was killed with SIGKILL while holding the lock\n"));
	for (i = 1; i < 3; i++) {
		char want[8];

		snprintf(want, sizeof(want), "  %c: ", 'A' + i);
		p = strstr(self->out, want);
		ASSERT_NE(NULL, p) TH_LOG("%s", self->out);
		ASSERT_EQ(2, sscanf(p + 5, "gave up after %lf s and %ld retries", &after, &retries))
			TH_LOG("%.100s", p);
		EXPECT_LE(0.29, after);
		EXPECT_LT(0, retries);
	}
	lock_log(_metadata, self->out, &most, &overlaps);
	EXPECT_EQ(0, most);
	p = strstr(self->out, "/lock is stale: its owner, pid ");
	ASSERT_NE(NULL, p) TH_LOG("%s", self->out);
	ASSERT_EQ(1, sscanf(p, "/lock is stale: its owner, pid %d, is dead", &dead));
	EXPECT_EQ(a, dead);
}

/* "LABEL counter = C of T: L lost" after from; L, or -1. */
static int lost_updates(struct __test_metadata *_metadata, const char *from,
			const char *label, int total)
{
	const char *p = strstr(from, label);
	int counter, all, lost;

	EXPECT_NE(NULL, p) TH_LOG("no \"%s\" in:\n%s", label, from);
	if (!p)
		return -1;
	EXPECT_EQ(3, sscanf(p + strlen(label), " counter = %d of %d: %d lost",
			    &counter, &all, &lost)) TH_LOG("%.100s", p);
	EXPECT_EQ(total, all);
	EXPECT_EQ(all - counter, lost);
	return lost;
}

/*
 * Threads and processes on a shared counter lose updates without a
 * lock (the sched_yield() in the window makes it all but certain;
 * asked in one of three runs), none with one.  A forked child's
 * increments of a global stay in its copy: the parent sees 0.
 */
EXAMPLE_TEST(threads)
{
	int i, threads_lost = 0, procs_lost = 0;
	const char *p;

	for (i = 0; i < 3 && (!threads_lost || !procs_lost); i++) {
		EXAMPLE("threads -n 500");
		threads_lost += lost_updates(_metadata, self->out,
					     "2 threads, without a lock:", 1000);
		EXPECT_EQ(0, lost_updates(_metadata, self->out,
					  "2 threads, with a pthread_mutex:", 1000));
		EXPECT_NE(NULL, strstr(self->out,
				       "  child: counted to 500 in its copy of the global\n"))
			TH_LOG("%s", self->out);
		EXPECT_NE(NULL, strstr(self->out, "  parent: sees counter = 0, 0 of the child's"
				       " 500 increments\n")) TH_LOG("%s", self->out);
		p = strstr(self->out, "the counter in shared buffer ");
		ASSERT_NE(NULL, p) TH_LOG("%s", self->out);
		procs_lost += lost_updates(_metadata, p, "2 processes, without a lock:", 1000);
		EXPECT_EQ(0, lost_updates(_metadata, p, "2 processes, with an ipclab mutex:",
					  1000));
	}
	EXPECT_LT(0, threads_lost) TH_LOG("no update lost among threads in %d runs", i);
	EXPECT_LT(0, procs_lost) TH_LOG("no update lost in the shared buffer in %d runs", i);
}

/* ---- 18 and 19: pipes and sockets ---------------------------------- */

/*
 * The number (seconds, bytes) printed right after text, which must be in
 * out at or after from; -1 if it is not.
 */
static double number_after(const char *from, const char *text)
{
	const char *p = after(from, text);
	double v;

	return p && sscanf(p + strlen(text), "%lf", &v) == 1 ? v : -1;
}

/*
 * The texts must appear in out in this order; the test stops at the
 * first missing one.
 */
#define EXPECT_IN_ORDER(out, ...) do {					\
	static const char *const __want[] = { __VA_ARGS__ };		\
	const char *__p = (out);					\
	unsigned int __i;						\
									\
	for (__i = 0; __i < ARRAY_SIZE(__want); __i++) {		\
		__p = after(__p, __want[__i]);				\
		ASSERT_NE(NULL, __p) TH_LOG("no \"%s\" (in order) in:\n%s", \
					    __want[__i], (out));	\
	}								\
} while (0)

/*
 * The slide's pipe: the child's read blocks on the empty pipe until the
 * parent writes (the parent waits 300 ms first: the test asks for 100 ms,
 * since the child may start late), returns the 11 bytes written, then 0
 * once the parent has closed.  Writing on the read end is EBADF; the
 * non-blocking writer's EAGAIN comes after as many bytes as F_GETPIPE_SZ
 * says; the blocking writer waits for the reader.  The FIFO: ls shows type
 * p, the reader's open() waits for the exec'd writer's, the data arrives,
 * and after the unlink the name does not exist.
 */
EXAMPLE_TEST(pipes)
{
	char path[128] = "";
	long fill, size;
	const char *p;

	EXAMPLE("pipes");
	EXPECT_NE(NULL, strstr(self->out, "(write end), called pipe:[")) TH_LOG("%s", self->out);
	EXPECT_IN_ORDER(self->out, "child: read(fd[0]) on the empty pipe blocks ...\n",
			"parent: close(fd[0]); write(fd[1], \"Hallo Welt.\")\n",
			"child: read() = 11 bytes after ", " s: \"Hallo Welt.\"\n",
			"child: read() = 0: end of file");
	EXPECT_LE(0.1, number_after(self->out, "child: read() = 11 bytes after "))
		TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "on the read end: EBADF: a pipe is one way\n"));

	p = strstr(self->out, "with O_NONBLOCK: EAGAIN after ");
	ASSERT_NE(NULL, p) TH_LOG("%s", self->out);
	ASSERT_EQ(2, sscanf(p, "with O_NONBLOCK: EAGAIN after %ld bytes,\n"
			    "the pipe's capacity (fcntl(F_GETPIPE_SZ): %ld)", &fill, &size))
		TH_LOG("%.200s", p);
	EXPECT_LT(0, fill);
	EXPECT_EQ(size, fill);
	EXPECT_LE(0.1, number_after(p, "... write() returned after ")) TH_LOG("%s", p);

	EXPECT_IN_ORDER(self->out, "$ ls -l /tmp/ipclab-ex-pipes-", "\np", "/fifo\n");
	EXPECT_IN_ORDER(self->out, "reader: open(\"/tmp/ipclab-ex-pipes-",
			"writer: a new program", "reader: ... open() returned after ",
			"reader: read() = 11 bytes after ", "\"Hallo FIFO.\"\n",
			"reader: read() = 0: end of file");
	EXPECT_LE(0.1, number_after(self->out, "reader: ... open() returned after "))
		TH_LOG("%s", self->out);
	p = strstr(self->out, "unlink(\"");
	ASSERT_NE(NULL, p) TH_LOG("%s", self->out);
	ASSERT_EQ(1, sscanf(p, "unlink(\"%127[^\"]\"): the name is gone", path));
	EXPECT_EQ(-1, access(path, F_OK)) TH_LOG("%s is still there", path);
}

/*
 * TCP: the client connects to the port getsockname() said, the server
 * accepts, every line comes back upper-cased, in order, and the server's
 * recv() is 0 after the client's close().  UDP: two sendto(), two
 * recvfrom() of 3 and 11 bytes from one port: the boundaries kept.
 * MSG_DONTWAIT: EAGAIN within 100 ms (measured: none); a blocking recv()
 * waits for the sender, who sends after 300 ms (the test asks for 100).
 */
EXAMPLE_TEST(sockets)
{
	int port, port2, from, from2, fd;
	const char *p;

	/* The debug kernel has UNIX sockets but no IPv4 (scripts/kconfig). */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 && errno == EAFNOSUPPORT)
		SKIP(return, "this kernel has no IPv4");
	if (fd >= 0)
		close(fd);
	EXAMPLE("sockets");
	p = strstr(self->out, "server: socket(SOCK_STREAM); bind(127.0.0.1, port 0); ");
	ASSERT_NE(NULL, p) TH_LOG("%s", self->out);
	ASSERT_EQ(1, sscanf(p, "server: socket(SOCK_STREAM); bind(127.0.0.1, port 0); "
			    "getsockname(): port %d", &port));
	EXPECT_LT(0, port);
	p = strstr(self->out, "client: socket(SOCK_STREAM); connect(127.0.0.1, port ");
	ASSERT_NE(NULL, p) TH_LOG("%s", self->out);
	ASSERT_EQ(1, sscanf(p, "client: socket(SOCK_STREAM); connect(127.0.0.1, port %d)",
			    &port2));
	EXPECT_EQ(port, port2);
	EXPECT_IN_ORDER(self->out, "server: listen(); accept() waits",
			"server: accept(): a new socket, connected to 127.0.0.1",
			"client: recv() = \"HALLO SERVER\"\n",
			"client: recv() = \"WIE GEHT'S?\"\n",
			"client: recv() = \"TSCHUESS\"\n",
			"server: recv() = 0: the client has closed");
	EXPECT_IN_ORDER(self->out, "client: close()", "server: recv() = 0");

	p = strstr(self->out, "server: socket(SOCK_DGRAM); bind(127.0.0.1, port 0); ");
	ASSERT_NE(NULL, p) TH_LOG("%s", self->out);
	ASSERT_EQ(1, sscanf(p, "server: socket(SOCK_DGRAM); bind(127.0.0.1, port 0); "
			    "getsockname(): port %d", &port));
	EXPECT_IN_ORDER(p, "client: sendto(127.0.0.1, port ", "\"one\")\n",
			"client: sendto(127.0.0.1, port ", "\"and another\")\n");
	p = strstr(p, "server: recvfrom() = ");
	ASSERT_NE(NULL, p) TH_LOG("%s", self->out);
	ASSERT_EQ(1, sscanf(p, "server: recvfrom() = 3 bytes from 127.0.0.1, port %d: \"one\"\n",
			    &from)) TH_LOG("%.100s", p);
	p = line_after(p);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(1, sscanf(p, "server: recvfrom() = 11 bytes from 127.0.0.1, port %d: "
			    "\"and another\"\n", &from2)) TH_LOG("%.100s", p);
	EXPECT_EQ(from, from2);
	EXPECT_NE(port, from);

	p = strstr(self->out, "server: ... EAGAIN after ");
	ASSERT_NE(NULL, p) TH_LOG("%s", self->out);
	EXPECT_GT(0.1, number_after(p, "EAGAIN after ")) TH_LOG("%.100s", p);
	EXPECT_IN_ORDER(p, "server: recv() on the empty socket blocks ...\n",
			"client: sendto(", "\"late\")\n", "server: ... recv() = 4 bytes after ",
			" s: \"late\"\n");
	EXPECT_LE(0.1, number_after(p, "server: ... recv() = 4 bytes after ")) TH_LOG("%s", p);
}

TEST_HARNESS_MAIN
