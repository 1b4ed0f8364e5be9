// SPDX-License-Identifier: GPL-2.0
/*
 * dlmodel: the course's deadlock detection on E, A, C and R, and the
 * cycles of the resource-allocation graph (dlmodel.h says what each
 * computes).  Pure computation: the live snapshot (dlsnapshot.c), the
 * matrices file (dlmatrices.c) and the examples and tests fill the model;
 * the printers (dlprint.c, dlgraph.c) show it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlmodel.h"

/* ------------------------------------------------------------------ */
/* The model                                                           */
/* ------------------------------------------------------------------ */

void dl_free(struct dl *m)
{
	unsigned int i;

	for (i = 0; i < m->nnotes; i++)
		free(m->notes[i]);
	free(m->notes);
	free(m->waits);
	free(m->res);
	free(m->proc);
	free(m->E);
	free(m->A);
	free(m->C);
	free(m->R);
	free(m->Z);
	free(m->order);
	free(m->steps_A);
	free(m->finished);
	free(m->behind);
	memset(m, 0, sizeof(*m));
}

int dl_alloc(struct dl *m, unsigned int nres, unsigned int nproc)
{
	size_t cells = (size_t)nres * nproc;

	m->nres = nres;
	m->nproc = nproc;
	/* +1: calloc(0) may return NULL. */
	m->res = calloc(nres + 1, sizeof(*m->res));
	m->proc = calloc(nproc + 1, sizeof(*m->proc));
	m->E = calloc(nres + 1, sizeof(int));
	m->A = calloc(nres + 1, sizeof(int));
	m->C = calloc(cells + 1, sizeof(int));
	m->R = calloc(cells + 1, sizeof(int));
	m->Z = calloc(cells + 1, sizeof(bool));
	m->order = calloc(nproc + 1, sizeof(unsigned int));
	m->steps_A = calloc(cells + 1, sizeof(int));
	m->finished = calloc(nproc + 1, sizeof(bool));
	m->behind = calloc(nproc + 1, sizeof(int));
	if (!m->res || !m->proc || !m->E || !m->A || !m->C || !m->R || !m->Z ||
	    !m->order || !m->steps_A || !m->finished || !m->behind) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

void dl_note(struct dl *m, const char *fmt, ...)
{
	char **n = realloc(m->notes, (m->nnotes + 1) * sizeof(*n));
	va_list ap;

	if (!n)
		return;
	m->notes = n;
	va_start(ap, fmt);
	if (vasprintf(&n[m->nnotes], fmt, ap) >= 0)
		m->nnotes++;
	va_end(ap);
}

const char *dl_kind_name(enum dl_kind kind)
{
	switch (kind) {
	case DL_SEM:
		return "sem";
	case DL_MUTEX:
		return "mutex";
	case DL_CLASS:
		break;
	}
	return "class";
}

bool dl_row_zero(const struct dl *m, const int *M, unsigned int p)
{
	unsigned int r;

	for (r = 0; r < m->nres; r++)
		if (M[DL_CELL(m, p, r)])
			return false;
	return true;
}

static bool row_fits(const struct dl *m, unsigned int p, const int *avail)
{
	unsigned int r;

	for (r = 0; r < m->nres; r++)
		if (m->R[DL_CELL(m, p, r)] > avail[r])
			return false;
	return true;
}

/* ------------------------------------------------------------------ */
/* The algorithm                                                       */
/* ------------------------------------------------------------------ */

/*
 * ipclab hands a semaphore's units out in FIFO order: a thread that
 * waits to take from semaphore k cannot be served before an earlier
 * waiter that also takes from k, even when what it asks for is there.
 * The course's algorithm assumes that a request that fits is granted;
 * on the live state, a process whose request fits still waits while an
 * unfinished process queues ahead of it.  Returns the index in m->waits
 * of the earlier waiter, or -1.  (A matrices file has no waits, and a set
 * created with IPCLAB_NOFIFO serves whoever fits, as the course
 * assumes: -1.)
 */
static int fifo_behind(const struct dl *m, unsigned int p)
{
	unsigned int i, j;

	for (i = 0; i < m->nwaits; i++) {
		if (m->waits[i].proc != p)
			continue;
		if (m->res[m->waits[i].res].nofifo)
			continue;
		for (j = 0; j < m->nwaits; j++)
			if (m->waits[j].res == m->waits[i].res &&
			    m->waits[j].ticket < m->waits[i].ticket &&
			    m->waits[j].proc != p && !m->finished[m->waits[j].proc])
				return j;
	}
	return -1;
}

void dl_detect(struct dl *m)
{
	int *work;
	unsigned int p, r;

	m->nsteps = 0;
	for (p = 0; p < m->nproc; p++)
		m->finished[p] = false;
	for (;;) {
		const int *now = m->nsteps ? dl_step_A(m, m->nsteps - 1) : m->A;

		for (p = 0; p < m->nproc; p++) {
			m->behind[p] = -1;
			if (m->finished[p] || !row_fits(m, p, now))
				continue;
			m->behind[p] = fifo_behind(m, p);
			if (m->behind[p] < 0)
				break;
		}
		if (p == m->nproc)
			return;
		work = &m->steps_A[(size_t)m->nsteps * m->nres];
		for (r = 0; r < m->nres; r++)
			work[r] = now[r] + m->C[DL_CELL(m, p, r)];
		m->finished[p] = true;
		m->order[m->nsteps++] = p;
	}
}

bool dl_deadlocked(const struct dl *m)
{
	return m->nsteps < m->nproc;
}

const int *dl_step_A(const struct dl *m, unsigned int s)
{
	return &m->steps_A[(size_t)s * m->nres];
}

bool dl_involved(const struct dl *m, unsigned int r)
{
	unsigned int p;

	for (p = 0; p < m->nproc; p++)
		if (!m->finished[p] &&
		    (m->C[DL_CELL(m, p, r)] || m->R[DL_CELL(m, p, r)]))
			return true;
	return false;
}

/* ------------------------------------------------------------------ */
/* The cycles: Tarjan's algorithm, without recursion                   */
/* ------------------------------------------------------------------ */

/* The k-th possible neighbour of v, or -1 if there is no arrow to it. */
static int graph_edge(const struct dl *m, unsigned int v, unsigned int k)
{
	if (v < m->nproc)
		return m->R[DL_CELL(m, v, k)] > 0 ? (int)(m->nproc + k) : -1;
	return m->C[DL_CELL(m, k, v - m->nproc)] > 0 ? (int)k : -1;
}

static unsigned int graph_degree(const struct dl *m, unsigned int v)
{
	return v < m->nproc ? m->nres : m->nproc;
}

/* The search's state besides the result. */
struct tarjan {
	int *index, *low, *stack;
	unsigned int *next;	/* the next neighbour to look at */
	int *calls;		/* the DFS path */
	bool *onstack;
};

static void tarjan_free(struct tarjan *t)
{
	free(t->index);
	free(t->low);
	free(t->stack);
	free(t->next);
	free(t->calls);
	free(t->onstack);
}

static void tarjan_run(struct tarjan *t, const struct dl *m, struct dl_cycles *c)
{
	unsigned int root;
	int counter = 0, sp = 0, cp = 0, ncomp = 0;

	for (root = 0; root < c->n; root++) {
		if (t->index[root] >= 0)
			continue;
		t->calls[cp++] = root;
		t->index[root] = t->low[root] = counter++;
		t->stack[sp++] = root;
		t->onstack[root] = true;
		while (cp) {
			int u = t->calls[cp - 1], w = -1;

			while (t->next[u] < graph_degree(m, u) && w < 0)
				w = graph_edge(m, u, t->next[u]++);
			if (w >= 0) {
				if (t->index[w] < 0) {
					t->index[w] = t->low[w] = counter++;
					t->stack[sp++] = w;
					t->onstack[w] = true;
					t->calls[cp++] = w;
				} else if (t->onstack[w] && t->index[w] < t->low[u]) {
					t->low[u] = t->index[w];
				}
				continue;
			}
			/* u is done. */
			cp--;
			if (cp && t->low[u] < t->low[t->calls[cp - 1]])
				t->low[t->calls[cp - 1]] = t->low[u];
			if (t->low[u] == t->index[u]) {
				int x;

				do {
					x = t->stack[--sp];
					t->onstack[x] = false;
					c->comp[x] = ncomp;
					c->size[ncomp]++;
				} while (x != u);
				ncomp++;
			}
		}
	}
}

int dl_cycles(const struct dl *m, struct dl_cycles *c)
{
	unsigned int n = m->nproc + m->nres, v;
	struct tarjan t;
	int ret = 0;

	c->n = n;
	c->comp = calloc(n + 1, sizeof(int));
	c->size = calloc(n + 1, sizeof(int));
	t.index = calloc(n + 1, sizeof(int));
	t.low = calloc(n + 1, sizeof(int));
	t.stack = calloc(n + 1, sizeof(int));
	t.next = calloc(n + 1, sizeof(unsigned int));
	t.calls = calloc(n + 1, sizeof(int));
	t.onstack = calloc(n + 1, sizeof(bool));
	if (!c->comp || !c->size || !t.index || !t.low || !t.stack || !t.next ||
	    !t.calls || !t.onstack) {
		dl_cycles_free(c);
		errno = ENOMEM;
		ret = -1;
	} else {
		for (v = 0; v < n; v++)
			t.index[v] = -1;
		tarjan_run(&t, m, c);
	}
	tarjan_free(&t);
	return ret;
}

void dl_cycles_free(struct dl_cycles *c)
{
	free(c->comp);
	free(c->size);
	memset(c, 0, sizeof(*c));
}

bool dl_on_cycle(const struct dl_cycles *c, unsigned int node)
{
	return c->size[c->comp[node]] > 1;
}

bool dl_arrow_on_cycle(const struct dl_cycles *c, unsigned int from,
		       unsigned int to)
{
	return c->comp[from] == c->comp[to] && dl_on_cycle(c, from);
}
