// SPDX-License-Identifier: GPL-2.0
/*
 * The course's deadlock detection itself (userspace/dlmodel.c, the code
 * "ipclab deadlock" and ipclab-ex-detect run), on matrices the test
 * writes down: the order in which processes finish and A after each
 * step, the deadlocked processes and the resources involved, ipclab's
 * FIFO rule, and the cycles of the resource-allocation graph.  Pure
 * computation: it needs neither the module nor the command.
 * deadlock_test.c checks what the command makes of the live state.
 */
#include "kselftest_harness.h"

#include "dlmodel.h"

#define MAXN	8

/* A model of n classes and p processes from E, C and R; A = E minus C. */
static int model(struct dl *m, unsigned int n, unsigned int p, const int *E,
		 const int C[][MAXN], const int R[][MAXN])
{
	unsigned int i, r;

	memset(m, 0, sizeof(*m));
	if (dl_alloc(m, n, p))
		return -1;
	for (r = 0; r < n; r++) {
		m->E[r] = m->A[r] = E[r];
		for (i = 0; i < p; i++) {
			m->C[DL_CELL(m, i, r)] = C[i][r];
			m->R[DL_CELL(m, i, r)] = R[i][r];
			m->A[r] -= C[i][r];
		}
	}
	return 0;
}

static bool vec_is(const int *v, const int *want, unsigned int n)
{
	return !memcmp(v, want, n * sizeof(*v));
}

/* The slide: 3, then 2, then 1 finish; A grows by each one's row of C. */
TEST(course_example)
{
	static const int E[] = { 4, 2, 3, 1 };
	static const int C[][MAXN] = { { 0, 0, 1, 0 }, { 2, 0, 0, 1 }, { 0, 1, 2, 0 } };
	static const int R[][MAXN] = { { 2, 0, 0, 1 }, { 1, 0, 1, 0 }, { 2, 1, 0, 0 } };
	static const int A0[] = { 2, 1, 0, 0 }, A1[] = { 2, 2, 2, 0 },
		A2[] = { 4, 2, 2, 1 }, A3[] = { 4, 2, 3, 1 };
	unsigned int r;
	struct dl m;

	ASSERT_EQ(0, model(&m, 4, 3, E, C, R));
	EXPECT_TRUE(vec_is(m.A, A0, 4));
	dl_detect(&m);
	EXPECT_FALSE(dl_deadlocked(&m));
	ASSERT_EQ(3, m.nsteps);
	EXPECT_EQ(2, m.order[0]);
	EXPECT_EQ(1, m.order[1]);
	EXPECT_EQ(0, m.order[2]);
	EXPECT_TRUE(vec_is(dl_step_A(&m, 0), A1, 4));
	EXPECT_TRUE(vec_is(dl_step_A(&m, 1), A2, 4));
	EXPECT_TRUE(vec_is(dl_step_A(&m, 2), A3, 4));
	for (r = 0; r < 4; r++)
		EXPECT_FALSE(dl_involved(&m, r)) TH_LOG("class %u", r + 1);
	/* A is the input: the steps did not touch it. */
	EXPECT_TRUE(vec_is(m.A, A0, 4));
	dl_free(&m);
}

/* Two processes, two single resources, each holds what the other wants. */
TEST(two_hold_and_wait)
{
	static const int E[] = { 1, 1, 1 };
	static const int C[][MAXN] = { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } };
	static const int R[][MAXN] = { { 0, 1, 0 }, { 1, 0, 0 }, { 0, 0, 0 } };
	struct dl_cycles c;
	struct dl m;

	ASSERT_EQ(0, model(&m, 3, 3, E, C, R));
	dl_detect(&m);
	EXPECT_TRUE(dl_deadlocked(&m));
	/* Process 3 waits for nothing: it finishes, and that does not help. */
	ASSERT_EQ(1, m.nsteps);
	EXPECT_EQ(2, m.order[0]);
	EXPECT_FALSE(m.finished[0]);
	EXPECT_FALSE(m.finished[1]);
	EXPECT_TRUE(m.finished[2]);
	EXPECT_EQ(-1, m.behind[0]);
	EXPECT_EQ(-1, m.behind[1]);
	EXPECT_TRUE(dl_involved(&m, 0));
	EXPECT_TRUE(dl_involved(&m, 1));
	EXPECT_FALSE(dl_involved(&m, 2));

	/* Nodes: processes 0..2, then the resources 3..5. */
	ASSERT_EQ(0, dl_cycles(&m, &c));
	EXPECT_EQ(6, c.n);
	EXPECT_TRUE(dl_on_cycle(&c, 0));
	EXPECT_TRUE(dl_on_cycle(&c, 1));
	EXPECT_FALSE(dl_on_cycle(&c, 2));
	EXPECT_TRUE(dl_on_cycle(&c, 3));
	EXPECT_TRUE(dl_on_cycle(&c, 4));
	EXPECT_FALSE(dl_on_cycle(&c, 5));
	EXPECT_TRUE(dl_arrow_on_cycle(&c, 3, 0));	/* r1 held by p1 */
	EXPECT_TRUE(dl_arrow_on_cycle(&c, 0, 4));	/* p1 waits for r2 */
	EXPECT_FALSE(dl_arrow_on_cycle(&c, 5, 2));	/* r3 held by p3 */
	dl_cycles_free(&c);
	dl_free(&m);
}

/* A cycle, but a second instance lets the cycle's processes finish. */
TEST(cycle_without_deadlock)
{
	static const int E[] = { 2, 1 };
	static const int C[][MAXN] = { { 1, 0 }, { 0, 1 }, { 1, 0 } };
	static const int R[][MAXN] = { { 0, 1 }, { 1, 0 }, { 0, 0 } };
	struct dl_cycles c;
	struct dl m;

	ASSERT_EQ(0, model(&m, 2, 3, E, C, R));
	dl_detect(&m);
	EXPECT_FALSE(dl_deadlocked(&m));
	ASSERT_EQ(3, m.nsteps);
	EXPECT_EQ(2, m.order[0]);
	EXPECT_EQ(1, m.order[1]);
	EXPECT_EQ(0, m.order[2]);
	ASSERT_EQ(0, dl_cycles(&m, &c));
	EXPECT_TRUE(dl_on_cycle(&c, 0));
	EXPECT_TRUE(dl_on_cycle(&c, 1));
	EXPECT_FALSE(dl_on_cycle(&c, 2));
	EXPECT_FALSE(dl_arrow_on_cycle(&c, 3, 2));
	dl_cycles_free(&c);
	dl_free(&m);
}

/*
 * ipclab's FIFO rule: process 2's request fits in A, but process 1 came
 * first to take from the same semaphore and does not fit, so neither is
 * served.  On a set that is not FIFO, process 2 goes first, gives back
 * what it holds, and then process 1 fits.
 */
TEST(fifo_queues_behind)
{
	static const int E[] = { 2 };
	static const int C[][MAXN] = { { 0 }, { 1 } };
	static const int R[][MAXN] = { { 2 }, { 1 } };
	struct dl m;

	ASSERT_EQ(0, model(&m, 1, 2, E, C, R));
	m.res[0].kind = DL_SEM;
	m.waits = calloc(2, sizeof(*m.waits));
	ASSERT_NE(NULL, m.waits);
	m.waits[0] = (struct dl_wait){ .proc = 0, .res = 0, .ticket = 10 };
	m.waits[1] = (struct dl_wait){ .proc = 1, .res = 0, .ticket = 11 };
	m.nwaits = 2;

	dl_detect(&m);
	EXPECT_TRUE(dl_deadlocked(&m));
	EXPECT_EQ(0, m.nsteps);
	EXPECT_EQ(-1, m.behind[0]);		/* it does not fit */
	EXPECT_EQ(0, m.behind[1]);		/* it queues behind waits[0] */

	m.res[0].nofifo = true;
	dl_detect(&m);
	EXPECT_FALSE(dl_deadlocked(&m));
	ASSERT_EQ(2, m.nsteps);
	EXPECT_EQ(1, m.order[0]);
	EXPECT_EQ(0, m.order[1]);
	EXPECT_EQ(-1, m.behind[1]);
	dl_free(&m);
}

/* Among the processes that fit, the first in row order goes first. */
TEST(row_order)
{
	static const int E[] = { 3 };
	static const int C[][MAXN] = { { 1 }, { 1 }, { 1 } };
	static const int R[][MAXN] = { { 0 }, { 0 }, { 0 } };
	struct dl m;

	ASSERT_EQ(0, model(&m, 1, 3, E, C, R));
	dl_detect(&m);
	ASSERT_EQ(3, m.nsteps);
	EXPECT_EQ(0, m.order[0]);
	EXPECT_EQ(1, m.order[1]);
	EXPECT_EQ(2, m.order[2]);
	EXPECT_TRUE(dl_row_zero(&m, m.R, 1));
	EXPECT_FALSE(dl_row_zero(&m, m.C, 1));
	dl_free(&m);
}

/* Nobody holds or waits: nothing to do, no deadlock, no cycle. */
TEST(empty)
{
	struct dl_cycles c;
	struct dl m;

	memset(&m, 0, sizeof(m));
	ASSERT_EQ(0, dl_alloc(&m, 0, 0));
	dl_detect(&m);
	EXPECT_FALSE(dl_deadlocked(&m));
	EXPECT_EQ(0, m.nsteps);
	ASSERT_EQ(0, dl_cycles(&m, &c));
	EXPECT_EQ(0, c.n);
	dl_cycles_free(&c);
	dl_note(&m, "a note of %d words", 4);
	ASSERT_EQ(1, m.nnotes);
	EXPECT_STREQ("a note of 4 words", m.notes[0]);
	dl_free(&m);
	EXPECT_EQ(0, m.nnotes);
	EXPECT_EQ(NULL, m.notes);
}

TEST(kind_names)
{
	EXPECT_STREQ("sem", dl_kind_name(DL_SEM));
	EXPECT_STREQ("mutex", dl_kind_name(DL_MUTEX));
	EXPECT_STREQ("class", dl_kind_name(DL_CLASS));
}

TEST_HARNESS_MAIN
