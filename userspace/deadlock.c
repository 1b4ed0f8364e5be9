// SPDX-License-Identifier: GPL-2.0
/*
 * ipclab deadlock, ipclab graph: the course's deadlock detection, on the
 * machine's real resource-allocation state or on matrices from a file.
 *
 * The algorithm is the one with two vectors and two matrices (Tanenbaum,
 * "Deadlock detection with multiple resources of each type"):
 *
 *   E   existing resources: how many instances of each class exist
 *   A   available resources: how many are free now
 *   C   current allocation: row i, what process i holds of each class
 *   R   request: row i, what process i waits for
 *
 *   1. Look for an unmarked process whose row of R is <= A.
 *   2. If there is one, it can get what it asks for, run to its end and
 *      give back everything: add its row of C to A, mark it, go to 1.
 *   3. If there is none, the unmarked processes are deadlocked.
 *
 * Step 1 takes the first such process in row order, so a run is
 * reproducible and matches the course's worked example.
 *
 * Live, the resource classes are the semaphores of ipclab's semaphore
 * sets (a semaphore's units are its instances) and its mutexes (one
 * instance each); IPCLAB_IOC_SNAPSHOT gives, in one consistent snapshot,
 * E (total), A (avail), the holdings (C) and what each blocked thread
 * asks for (R, summed over a process's threads).  "ipclab graph" draws
 * the same state as the course's resource-allocation graph, in DOT.
 */
#include <errno.h>
#include <getopt.h>
#include <langinfo.h>
#include <limits.h>
#include <locale.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ipclab.h"
#include "deadlock.h"

/* The largest count a matrices file may give, so that sums cannot overflow. */
#define MATRIX_MAX	1000000

/* ------------------------------------------------------------------ */
/* The model: E, A, C, R and who the rows and columns are              */
/* ------------------------------------------------------------------ */

struct dl_res {
	char name[40];		/* "sem 32768[0]", "mutex 65537", "class 1" */
	const char *kind;	/* "sem", "mutex" or "class" (from a file) */
	__u32 id;
	__u32 num;
	bool refuse;		/* created with IPCLAB_REFUSE_DEADLOCK */
	bool nofifo;		/* a set created with IPCLAB_NOFIFO */
	long signalled;		/* units given back beyond those taken */
};

/* A blocked thread's decrement of one resource, and when it arrived. */
struct dl_wait {
	unsigned int proc, res;
	__u64 ticket;
};

struct dl_proc {
	int pid;		/* 0 for a process of a matrices file */
	char comm[16];
	unsigned int nwait;	/* threads blocked on semaphores or mutexes */
	bool zero_wait;		/* a thread waits for a value of zero */
};

struct dl {
	const char *source;	/* NULL: the live state; else the file name */
	unsigned int nres, nproc;
	struct dl_res *res;
	struct dl_proc *proc;
	int *E, *A;		/* [nres] */
	int *C, *R;		/* [nproc * nres], one row per process */
	bool *Z;		/* [nproc * nres]: waits for the value zero */
	struct dl_wait *waits;	/* live: the decrements blocked threads wait for */
	unsigned int nwaits;
	unsigned int hidden;	/* objects the caller may not read */
	bool truncated;		/* the kernel's walk stopped at its limit */
	bool named;		/* a matrices file named its classes */
	char **notes;
	unsigned int nnotes;

	/* What the algorithm found. */
	unsigned int nsteps;
	unsigned int *order;	/* [nproc]: the rows that finished, in order */
	int *steps_A;		/* [nproc * nres]: A after each of them */
	bool *finished;		/* [nproc] */
	int *behind;		/* [nproc]: the waits index it queues behind, or -1 */
};

#define CELL(m, p, r)	((size_t)(p) * (m)->nres + (r))

static void dl_free(struct dl *m)
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

/* Room for nres classes and nproc processes, all zero.  -1 on ENOMEM. */
static int dl_alloc(struct dl *m, unsigned int nres, unsigned int nproc)
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
	    !m->order || !m->steps_A || !m->finished || !m->behind)
		return -1;
	return 0;
}

static void __attribute__((format(printf, 2, 3)))
note(struct dl *m, const char *fmt, ...)
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

static bool row_zero(const struct dl *m, const int *M, unsigned int p)
{
	unsigned int r;

	for (r = 0; r < m->nres; r++)
		if (M[CELL(m, p, r)])
			return false;
	return true;
}

static bool row_fits(const struct dl *m, unsigned int p, const int *avail)
{
	unsigned int r;

	for (r = 0; r < m->nres; r++)
		if (m->R[CELL(m, p, r)] > avail[r])
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

static void detect(struct dl *m)
{
	int *work = m->steps_A;	/* A so far: the last step's row */
	unsigned int p, r;

	m->nsteps = 0;
	for (p = 0; p < m->nproc; p++)
		m->finished[p] = false;
	for (;;) {
		const int *now = m->nsteps ?
			&m->steps_A[(size_t)(m->nsteps - 1) * m->nres] : m->A;

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
			work[r] = now[r] + m->C[CELL(m, p, r)];
		m->finished[p] = true;
		m->order[m->nsteps++] = p;
	}
}

static bool deadlocked(const struct dl *m)
{
	return m->nsteps < m->nproc;
}

/* ------------------------------------------------------------------ */
/* The live state                                                      */
/* ------------------------------------------------------------------ */

struct snapshot {
	struct ipclab_snapshot s;
	struct ipclab_snap_res *res;
	struct ipclab_snap_proc *procs;
	struct ipclab_snap_edge *edges;
};

static void snapshot_free(struct snapshot *sn)
{
	free(sn->res);
	free(sn->procs);
	free(sn->edges);
	memset(sn, 0, sizeof(*sn));
}

/*
 * IPCLAB_IOC_SNAPSHOT with arrays that fit: ask for the sizes, then with
 * that much room and some slack; if the state grew in between, again.
 */
static int snapshot_take(struct snapshot *sn)
{
	struct ipclab_snapshot need;
	int fd = ipclab_fd(), tries;

	memset(sn, 0, sizeof(*sn));
	memset(&need, 0, sizeof(need));
	if (fd < 0 || ioctl(fd, IPCLAB_IOC_SNAPSHOT, &need))
		return -1;
	for (tries = 0; tries < 16; tries++) {
		struct ipclab_snapshot *s = &sn->s;

		snapshot_free(sn);
		s->res_len = need.res_len + 16;
		s->procs_len = need.procs_len + 16;
		s->edges_len = need.edges_len + 64;
		sn->res = calloc(s->res_len, sizeof(*sn->res));
		sn->procs = calloc(s->procs_len, sizeof(*sn->procs));
		sn->edges = calloc(s->edges_len, sizeof(*sn->edges));
		if (!sn->res || !sn->procs || !sn->edges)
			return -1;
		s->res = (uintptr_t)sn->res;
		s->procs = (uintptr_t)sn->procs;
		s->edges = (uintptr_t)sn->edges;
		need = *s;
		if (ioctl(fd, IPCLAB_IOC_SNAPSHOT, s))
			return -1;
		if (s->res_len <= need.res_len && s->procs_len <= need.procs_len &&
		    s->edges_len <= need.edges_len)
			return 0;
		need = *s;
	}
	errno = EAGAIN;
	return -1;
}

/* The holder entries of one object (IPCLAB_IOC_STAT); the count, or -1. */
static int stat_holders(__u32 id, struct ipclab_holder **h)
{
	struct ipclab_stat st;
	__u32 room = 16;

	*h = NULL;
	for (;;) {
		free(*h);
		*h = calloc(room, sizeof(**h));
		if (!*h)
			return -1;
		memset(&st, 0, sizeof(st));
		st.id = id;
		st.holders = (uintptr_t)*h;
		st.holders_len = room;
		if (ipclab_stat(&st))
			return -1;
		if (st.holders_len <= room)
			return st.holders_len;
		room = st.holders_len + 16;
	}
}

static int by_pid(const void *a, const void *b)
{
	const struct ipclab_snap_proc *x = *(const struct ipclab_snap_proc *const *)a;
	const struct ipclab_snap_proc *y = *(const struct ipclab_snap_proc *const *)b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

/*
 * Semaphores that some process gave more units than it took (a negative
 * holding): their total grows with each such V, which the algorithm, made
 * for reusable resources, does not expect.  Found with IPCLAB_IOC_STAT,
 * as the snapshot shows only positive holdings.
 */
static void find_signalling(struct dl *m)
{
	struct ipclab_holder *h;
	unsigned int r, k;
	int n, i;

	for (r = 0; r < m->nres; r++) {
		if (strcmp(m->res[r].kind, "sem") || (r && m->res[r - 1].id == m->res[r].id &&
						      !strcmp(m->res[r - 1].kind, "sem")))
			continue;	/* one STAT per set */
		n = stat_holders(m->res[r].id, &h);
		for (i = 0; i < n; i++) {
			if (h[i].held >= 0)
				continue;
			for (k = r; k < m->nres && m->res[k].id == m->res[r].id; k++)
				if (m->res[k].num == h[i].num)
					m->res[k].signalled -= h[i].held;
		}
		free(h);
	}
	for (r = 0; r < m->nres; r++)
		if (m->res[r].signalled)
			note(m, "%s is used for signalling: processes gave %ld more "
			     "units than they took, and its total E grows with each "
			     "such V; the algorithm is meant for resources that are "
			     "taken and given back", m->res[r].name, m->res[r].signalled);
}

/*
 * Build the model from the snapshot.  Columns: every resource with
 * --all; else those somebody holds or waits for, and every semaphore of
 * their sets (a set used as the course's resource classes shows all of
 * its classes).  Rows: the processes with an edge to a column (all with
 * --all), by pid.
 */
static int model_from_snapshot(struct dl *m, const struct snapshot *sn, bool all)
{
	unsigned int nr = sn->s.res_len, np = sn->s.procs_len, ne = sn->s.edges_len;
	const struct ipclab_snap_proc **sorted = NULL;
	int *col = calloc(nr + 1, sizeof(int));
	int *row = calloc(np + 1, sizeof(int));
	bool *used = calloc(nr + 1, sizeof(bool));
	bool *pused = calloc(np + 1, sizeof(bool));
	unsigned int i, j, k, ncol = 0, nrow = 0;
	int ret = -1;

	if (!col || !row || !used || !pused)
		goto out;
	for (i = 0; i < ne; i++) {
		if (sn->edges[i].res >= nr || sn->edges[i].proc >= np) {
			fprintf(stderr, "ipclab: the snapshot has an edge to "
				"resource %u or process %u, which it does not list\n",
				sn->edges[i].res, sn->edges[i].proc);
			errno = EPROTO;
			goto out;
		}
		used[sn->edges[i].res] = true;
	}
	/* Resources come in id order, a set's semaphores together. */
	for (i = 0; i < nr; i = j) {
		bool any = all;

		for (j = i; j < nr && sn->res[j].id == sn->res[i].id; j++)
			any |= used[j];
		for (k = i; k < j; k++)
			col[k] = any ? (int)ncol++ : -1;
	}
	for (i = 0; i < ne; i++)
		if (col[sn->edges[i].res] >= 0)
			pused[sn->edges[i].proc] = true;
	sorted = calloc(np + 1, sizeof(*sorted));
	if (!sorted)
		goto out;
	for (i = 0; i < np; i++) {
		row[i] = -1;
		if (all || pused[i])
			sorted[nrow++] = &sn->procs[i];
	}
	qsort(sorted, nrow, sizeof(*sorted), by_pid);
	for (i = 0; i < nrow; i++)
		row[sorted[i] - sn->procs] = i;

	if (dl_alloc(m, ncol, nrow))
		goto out;
	m->waits = calloc(ne + 1, sizeof(*m->waits));
	if (!m->waits)
		goto out;
	m->hidden = sn->s.hidden;
	m->truncated = sn->s.truncated;
	for (i = 0; i < nr; i++) {
		const struct ipclab_snap_res *s = &sn->res[i];
		struct dl_res *d;

		if (col[i] < 0)
			continue;
		d = &m->res[col[i]];
		d->id = s->id;
		d->num = s->num;
		d->refuse = s->flags & IPCLAB_REFUSE_DEADLOCK;
		d->nofifo = s->flags & IPCLAB_NOFIFO;
		d->kind = s->type == IPCLAB_TYPE_MUTEX ? "mutex" : "sem";
		if (s->type == IPCLAB_TYPE_MUTEX)
			snprintf(d->name, sizeof(d->name), "mutex %u", s->id);
		else
			snprintf(d->name, sizeof(d->name), "sem %u[%u]", s->id, s->num);
		m->E[col[i]] = s->total;
	}
	for (i = 0; i < np; i++) {
		if (row[i] < 0)
			continue;
		m->proc[row[i]].pid = sn->procs[i].pid;
		memcpy(m->proc[row[i]].comm, sn->procs[i].comm, 15);
		m->proc[row[i]].nwait = sn->procs[i].nwait;
	}
	for (i = 0; i < ne; i++) {
		const struct ipclab_snap_edge *e = &sn->edges[i];
		int c = col[e->res], p = row[e->proc];

		if (c < 0 || p < 0)
			continue;
		if (e->kind == IPCLAB_EDGE_HOLD) {
			m->C[CELL(m, p, c)] += e->count;
		} else if (e->kind == IPCLAB_EDGE_WAIT && e->count > 0) {
			m->R[CELL(m, p, c)] += e->count;
			m->waits[m->nwaits].proc = p;
			m->waits[m->nwaits].res = c;
			m->waits[m->nwaits++].ticket = e->ticket;
		} else if (e->kind == IPCLAB_EDGE_WAIT) {
			if (!m->Z[CELL(m, p, c)])
				note(m, "process %d (pid %d) waits for %s to become zero: "
				     "a wait for zero takes nothing and cannot be written "
				     "in R, so it is not counted as a request", p + 1,
				     m->proc[p].pid, m->res[c].name);
			m->Z[CELL(m, p, c)] = true;
			m->proc[p].zero_wait = true;
		}
	}

	/* A = E - what C holds; the snapshot's avail must say the same. */
	for (i = 0; i < nr; i++) {
		long a;

		if (col[i] < 0)
			continue;
		a = m->E[col[i]];
		for (j = 0; j < m->nproc; j++)
			a -= m->C[CELL(m, j, col[i])];
		m->A[col[i]] = sn->res[i].avail;
		if (a != sn->res[i].avail)
			fprintf(stderr, "ipclab: warning: %s: E - held = %ld, but the "
				"snapshot says %d available; using %d\n",
				m->res[col[i]].name, a, sn->res[i].avail,
				sn->res[i].avail);
	}
	find_signalling(m);
	if (m->hidden)
		note(m, "%u objects you may not read are left out", m->hidden);
	if (m->truncated)
		note(m, "the machine holds more than %u resources, processes or "
		     "arrows: only the first are shown, so the verdict is about "
		     "them alone", IPCLAB_SNAP_MAX);
	ret = 0;
out:
	free(sorted);
	free(col);
	free(row);
	free(used);
	free(pused);
	return ret;
}

static int model_live(struct dl *m, bool all)
{
	struct snapshot sn;
	int ret;

	if (snapshot_take(&sn)) {
		snapshot_free(&sn);
		return fail("reading the state (IPCLAB_IOC_SNAPSHOT)");
	}
	ret = model_from_snapshot(m, &sn, all);
	snapshot_free(&sn);
	if (ret)
		return fail("reading the state");
	return 0;
}

/* ------------------------------------------------------------------ */
/* A matrices file                                                     */
/* ------------------------------------------------------------------ */

/*
 * The format (also in "ipclab deadlock -h" and docs/deadlock.md):
 *
 *   # Tanenbaum's example          comments start with '#'
 *   names tapes plotters scanners blu-rays     (optional)
 *   E 4 2 3 1                      existing, once
 *   A 2 1 0 0                      available, optional: E - sum of C
 *   C 0 0 1 0                      one C line per process, in order
 *   R 2 0 0 1                      one R line per process, in order
 */
struct vec {
	int line;
	unsigned int n;
	int *v;
	char **words;		/* names only */
};

struct mfile {
	const char *path;
	struct vec E, A, names;
	struct vec *C, *R;
	unsigned int nC, nR;
};

static void vec_free(struct vec *v)
{
	unsigned int i;

	free(v->v);
	for (i = 0; v->words && i < v->n; i++)
		free(v->words[i]);
	free(v->words);
}

static void mfile_free(struct mfile *f)
{
	unsigned int i;

	vec_free(&f->E);
	vec_free(&f->A);
	vec_free(&f->names);
	for (i = 0; i < f->nC; i++)
		vec_free(&f->C[i]);
	for (i = 0; i < f->nR; i++)
		vec_free(&f->R[i]);
	free(f->C);
	free(f->R);
}

static int __attribute__((format(printf, 3, 4)))
file_error(const struct mfile *f, int line, const char *fmt, ...)
{
	va_list ap;

	if (line)
		fprintf(stderr, "ipclab: %s:%d: ", f->path, line);
	else
		fprintf(stderr, "ipclab: %s: ", f->path);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

/* The words after the first of a line, as numbers (or names). */
static int parse_vec(const struct mfile *f, int line, char *rest, struct vec *v,
		     bool words)
{
	char *tok, *save = NULL, *end;
	long x;

	v->line = line;
	for (tok = strtok_r(rest, " \t\r", &save); tok; tok = strtok_r(NULL, " \t\r", &save)) {
		if (words) {
			char **w = realloc(v->words, (v->n + 1) * sizeof(*w));

			if (!w || !(w[v->n] = strdup(tok))) {
				if (w)
					v->words = w;
				return file_error(f, line, "out of memory");
			}
			v->words = w;
			v->n++;
			continue;
		} else {
			int *nv = realloc(v->v, (v->n + 1) * sizeof(*nv));

			if (!nv)
				return file_error(f, line, "out of memory");
			v->v = nv;
		}
		errno = 0;
		x = strtol(tok, &end, 10);
		if (errno || *end || end == tok || x < 0 || x > MATRIX_MAX)
			return file_error(f, line, "'%s' is not a count of instances "
					  "(0..%d)", tok, MATRIX_MAX);
		v->v[v->n++] = x;
	}
	return 0;
}

static void fmt_vec(char *buf, size_t n, const int *v, unsigned int len)
{
	size_t off = 0;
	unsigned int i;

	off += snprintf(buf + off, n - off, "(");
	for (i = 0; i < len && off < n; i++)
		off += snprintf(buf + off, n - off, "%s%d", i ? " " : "", v[i]);
	if (off < n)
		snprintf(buf + off, n - off, ")");
}

static int mfile_read(struct mfile *f, FILE *in)
{
	char *line = NULL, *p, *word, *save = NULL;
	size_t cap = 0;
	int lineno = 0, ret = 0;

	while (!ret && getline(&line, &cap, in) >= 0) {
		struct vec *v, **rows = NULL;
		unsigned int *nrows = NULL;

		lineno++;
		if ((p = strchr(line, '#')))
			*p = 0;
		if ((p = strchr(line, '\n')))
			*p = 0;
		word = strtok_r(line, " \t\r", &save);
		if (!word)
			continue;
		p = save;
		if (!strcmp(word, "E") || !strcmp(word, "A") || !strcmp(word, "names")) {
			v = word[0] == 'E' ? &f->E : word[0] == 'A' ? &f->A : &f->names;
			if (v->line) {
				ret = file_error(f, lineno, "a second %s line (the first "
						 "is line %d)", word, v->line);
				break;
			}
			ret = parse_vec(f, lineno, p ? p : "", v, v == &f->names);
			continue;
		}
		if (!strcmp(word, "C")) {
			rows = &f->C;
			nrows = &f->nC;
		} else if (!strcmp(word, "R")) {
			rows = &f->R;
			nrows = &f->nR;
		} else {
			ret = file_error(f, lineno, "'%s': a line starts with E, A, C, "
					 "R or names", word);
			break;
		}
		v = realloc(*rows, (*nrows + 1) * sizeof(**rows));
		if (!v) {
			ret = file_error(f, lineno, "out of memory");
			break;
		}
		*rows = v;
		memset(&v[*nrows], 0, sizeof(v[0]));
		ret = parse_vec(f, lineno, p ? p : "", &v[(*nrows)++], false);
	}
	free(line);
	if (!ret && ferror(in))
		ret = file_error(f, 0, "%s", strerror(errno));
	return ret;
}

/* Check a read file and build the model from it.  -1 after a message. */
static int mfile_check(struct mfile *f, struct dl *m)
{
	unsigned int n = f->E.n, i, r;
	char want[256], got[256];
	long *sum;

	if (!f->E.line)
		return file_error(f, 0, "no E line (the instances of each class: "
				  "\"E 4 2 3 1\")");
	if (!n)
		return file_error(f, f->E.line, "E has no numbers");
	if (f->A.line && f->A.n != n)
		return file_error(f, f->A.line, "A has %u numbers, E has %u", f->A.n, n);
	if (f->names.line && f->names.n != n)
		return file_error(f, f->names.line, "%u names for the %u classes of E",
				  f->names.n, n);
	for (i = 0; i < f->nC; i++)
		if (f->C[i].n != n)
			return file_error(f, f->C[i].line, "this row of C has %u numbers, "
					  "E has %u", f->C[i].n, n);
	for (i = 0; i < f->nR; i++)
		if (f->R[i].n != n)
			return file_error(f, f->R[i].line, "this row of R has %u numbers, "
					  "E has %u", f->R[i].n, n);
	if (f->nC != f->nR)
		return file_error(f, f->nC > f->nR ? f->C[f->nR].line : f->R[f->nC].line,
				  "%u rows of C but %u of R: each process has one of each",
				  f->nC, f->nR);

	sum = calloc(n, sizeof(*sum));
	if (!sum || dl_alloc(m, n, f->nC)) {
		free(sum);
		return file_error(f, 0, "out of memory");
	}
	for (i = 0; i < f->nC; i++)
		for (r = 0; r < n; r++)
			sum[r] += f->C[i].v[r];
	for (r = 0; r < n; r++) {
		m->E[r] = f->E.v[r];
		m->A[r] = f->A.line ? f->A.v[r] : (int)(m->E[r] - sum[r]);
		if (!f->A.line && sum[r] > m->E[r]) {
			long held = sum[r];

			free(sum);
			return file_error(f, f->E.line, "class %u: C holds %ld instances "
					  "but E says %d exist", r + 1, held, m->E[r]);
		}
	}
	for (r = 0; r < n; r++) {
		if (m->A[r] != m->E[r] - sum[r]) {
			int *d = calloc(n, sizeof(int));

			for (i = 0; d && i < n; i++)
				d[i] = m->E[i] - sum[i];
			fmt_vec(want, sizeof(want), d ? d : m->A, n);
			fmt_vec(got, sizeof(got), m->A, n);
			free(d);
			free(sum);
			return file_error(f, f->A.line, "A = %s, but E minus the column "
					  "sums of C is %s", got, want);
		}
	}
	free(sum);
	for (i = 0; i < f->nC; i++) {
		for (r = 0; r < n; r++) {
			m->C[CELL(m, i, r)] = f->C[i].v[r];
			m->R[CELL(m, i, r)] = f->R[i].v[r];
		}
	}
	for (r = 0; r < n; r++) {
		m->res[r].kind = "class";
		m->res[r].num = r;
		m->named = f->names.line;
		if (f->names.line)
			snprintf(m->res[r].name, sizeof(m->res[r].name), "%s",
				 f->names.words[r]);
		else
			snprintf(m->res[r].name, sizeof(m->res[r].name), "class %u", r + 1);
	}
	return 0;
}

static int model_file(struct dl *m, const char *path)
{
	struct mfile f;
	FILE *in;
	int ret;

	memset(&f, 0, sizeof(f));
	f.path = path;
	in = strcmp(path, "-") ? fopen(path, "re") : stdin;
	if (!in)
		return fail("%s", path);
	m->source = path;
	ret = mfile_read(&f, in);
	if (!ret)
		ret = mfile_check(&f, m);
	if (in != stdin)
		fclose(in);
	mfile_free(&f);
	return ret ? 1 : 0;
}

/* ------------------------------------------------------------------ */
/* Text                                                                */
/* ------------------------------------------------------------------ */

/* "→" on a UTF-8 terminal, "->" elsewhere; likewise "≤". */
static const char *arrow = "->", *le = "<=";

static void pick_symbols(void)
{
	setlocale(LC_CTYPE, "");
	if (!strcmp(nl_langinfo(CODESET), "UTF-8")) {
		arrow = "\u2192";
		le = "\u2264";
	}
}

static void print_vec(FILE *out, const int *v, unsigned int n, int width)
{
	unsigned int i;

	fputc('(', out);
	for (i = 0; i < n; i++)
		fprintf(out, "%s%*d", i ? " " : "", width, v[i]);
	fputc(')', out);
}

static int digits(long v)
{
	int d = v < 0 ? 2 : 1;

	while (v >= 10 || v <= -10) {
		v /= 10;
		d++;
	}
	return d;
}

/* "process 2 (pid 123, comm)" or "process 2" */
static void print_who(FILE *out, const struct dl *m, unsigned int p)
{
	fprintf(out, "process %u", p + 1);
	if (!m->source)
		fprintf(out, " (pid %d, %s)", m->proc[p].pid, m->proc[p].comm);
}

/* "mutex 65537" or "2 of sem 32768[0]" */
static void print_amount(FILE *out, const struct dl *m, unsigned int r, int n)
{
	if (!strcmp(m->res[r].kind, "mutex"))
		fprintf(out, "%s", m->res[r].name);
	else
		fprintf(out, "%d of %s", n, m->res[r].name);
}

/* A row of cells "(a b c)" padded with blanks to pad characters. */
static void print_cells(FILE *out, const int *v, unsigned int n, int w, int pad)
{
	print_vec(out, v, n, w);
	fprintf(out, "%*s", pad - (int)(n * (w + 1) + 1), "");
}

/* The column numbers above such a row. */
static void print_colnums(FILE *out, unsigned int n, int w, int pad)
{
	unsigned int r;

	fputc(' ', out);
	for (r = 0; r < n; r++)
		fprintf(out, "%s%*u", r ? " " : "", w, r + 1);
	if (pad > (int)(n * (w + 1)))
		fprintf(out, "%*s", pad - (int)(n * (w + 1)), "");
}

static void print_matrices(FILE *out, const struct dl *m)
{
	static const char ctitle[] = "Current allocation C";
	unsigned int p, r;
	int w = digits(m->nres), rw = digits(m->nproc), pad;

	for (r = 0; r < m->nres; r++) {
		if (digits(m->E[r]) > w)
			w = digits(m->E[r]);
		if (digits(m->A[r]) > w)
			w = digits(m->A[r]);
		for (p = 0; p < m->nproc; p++) {
			if (digits(m->C[CELL(m, p, r)]) > w)
				w = digits(m->C[CELL(m, p, r)]);
			if (digits(m->R[CELL(m, p, r)]) > w)
				w = digits(m->R[CELL(m, p, r)]);
		}
	}
	/* A row "(" cells ")" and a gap, at least as wide as the title. */
	pad = (int)(m->nres * (w + 1) + 1);
	if (pad < (int)sizeof(ctitle) - 1)
		pad = sizeof(ctitle) - 1;
	pad += 4;

	fprintf(out, "Existing resources   E = ");
	print_vec(out, m->E, m->nres, w);
	fprintf(out, "\nAvailable resources  A = ");
	print_vec(out, m->A, m->nres, w);
	fprintf(out, "\n\n%*s  %-*s%s\n", rw, "", pad, ctitle, "Request R");
	fprintf(out, "%*s  ", rw, "");
	print_colnums(out, m->nres, w, pad);
	print_colnums(out, m->nres, w, 0);
	fputc('\n', out);
	for (p = 0; p < m->nproc; p++) {
		fprintf(out, "%*u  ", rw, p + 1);
		print_cells(out, &m->C[CELL(m, p, 0)], m->nres, w, pad);
		print_vec(out, &m->R[CELL(m, p, 0)], m->nres, w);
		fputc('\n', out);
	}
}

static void print_legend(FILE *out, const struct dl *m)
{
	unsigned int p, r;

	fprintf(out, "Resource classes (the columns):\n");
	for (r = 0; r < m->nres; r++) {
		fprintf(out, "  %3u  %-18s %d instance%s", r + 1, m->res[r].name,
			m->E[r], m->E[r] == 1 ? "" : "s");
		if (m->res[r].refuse)
			fprintf(out, ", refuses deadlocks");
		if (m->res[r].nofifo)
			fprintf(out, ", not FIFO");
		fputc('\n', out);
	}
	if (m->source)
		return;
	fprintf(out, "Processes (the rows):\n");
	for (p = 0; p < m->nproc; p++) {
		fprintf(out, "  %3u  pid %-7d %-16s ", p + 1, m->proc[p].pid,
			m->proc[p].comm);
		if (m->proc[p].nwait > 1)
			fprintf(out, "blocked (%u threads)\n", m->proc[p].nwait);
		else
			fprintf(out, "%s\n", m->proc[p].nwait ? "blocked" : "not blocked");
	}
}

static void print_steps(FILE *out, const struct dl *m)
{
	const int *before = m->A;
	unsigned int s, p, r;

	fprintf(out, "Detection: look for a process whose request (its row of R) "
		"is %s A;\nit can finish and give back its row of C.  Repeat.\n", le);
	fprintf(out, "  A = ");
	print_vec(out, m->A, m->nres, 1);
	fputc('\n', out);
	for (s = 0; s < m->nsteps; s++) {
		const int *after = &m->steps_A[(size_t)s * m->nres];

		p = m->order[s];
		fprintf(out, "  %u. process %u ", s + 1, p + 1);
		if (!row_zero(m, m->R, p)) {
			fprintf(out, "requests ");
			print_vec(out, &m->R[CELL(m, p, 0)], m->nres, 1);
			fprintf(out, " %s A %s it gets them, finishes and releases ",
				le, arrow);
		} else {
			fprintf(out, "%s %s it finishes and releases ",
				m->proc[p].zero_wait ?
				"waits only for a value of zero (see the notes)" :
				"is not blocked", arrow);
		}
		print_vec(out, &m->C[CELL(m, p, 0)], m->nres, 1);
		fprintf(out, " %s A = ", arrow);
		print_vec(out, after, m->nres, 1);
		fputc('\n', out);
		before = after;
	}
	if (!deadlocked(m))
		return;
	fprintf(out, "  No request left is %s A = ", le);
	print_vec(out, before, m->nres, 1);
	fprintf(out, ":\n");
	for (p = 0; p < m->nproc; p++) {
		bool first = true;

		if (m->finished[p])
			continue;
		fprintf(out, "     process %u requests ", p + 1);
		print_vec(out, &m->R[CELL(m, p, 0)], m->nres, 1);
		if (m->behind[p] >= 0) {
			const struct dl_wait *w = &m->waits[m->behind[p]];

			fprintf(out, ", which fits, but it queues behind process %u "
				"for %s (ipclab serves waiters in FIFO order)\n",
				w->proc + 1, m->res[w->res].name);
			continue;
		}
		for (r = 0; r < m->nres; r++) {
			if (m->R[CELL(m, p, r)] <= before[r])
				continue;
			fprintf(out, "%s%s: %d > %d", first ? ", short of " : ", ",
				m->res[r].name, m->R[CELL(m, p, r)], before[r]);
			first = false;
		}
		fputc('\n', out);
	}
}

/* Resources held or requested by the deadlocked processes. */
static bool involved(const struct dl *m, unsigned int r)
{
	unsigned int p;

	for (p = 0; p < m->nproc; p++)
		if (!m->finished[p] && (m->C[CELL(m, p, r)] || m->R[CELL(m, p, r)]))
			return true;
	return false;
}

static void print_verdict(FILE *out, const struct dl *m)
{
	unsigned int p, r, n = 0;
	bool first;

	if (!m->nproc) {
		fprintf(out, "No deadlock: no process holds or waits for a resource.\n");
		return;
	}
	if (!deadlocked(m)) {
		fprintf(out, "No deadlock: every process can finish, in the order");
		for (p = 0; p < m->nsteps; p++)
			fprintf(out, "%s %u", p ? "," : "", m->order[p] + 1);
		fprintf(out, ".\n");
		return;
	}
	fprintf(out, "DEADLOCK: %u processes are deadlocked:\n", m->nproc - m->nsteps);
	for (p = 0; p < m->nproc; p++) {
		if (m->finished[p])
			continue;
		fprintf(out, "  ");
		print_who(out, m, p);
		first = true;
		for (r = 0; r < m->nres; r++) {
			if (!m->C[CELL(m, p, r)])
				continue;
			fprintf(out, first ? " holds " : ", ");
			print_amount(out, m, r, m->C[CELL(m, p, r)]);
			first = false;
		}
		if (first)
			fprintf(out, " holds nothing");
		first = true;
		for (r = 0; r < m->nres; r++) {
			if (!m->R[CELL(m, p, r)])
				continue;
			fprintf(out, first ? "; waits for " : ", ");
			print_amount(out, m, r, m->R[CELL(m, p, r)]);
			first = false;
		}
		if (m->behind[p] >= 0)
			fprintf(out, "; it queues behind process %u (FIFO)",
				m->waits[m->behind[p]].proc + 1);
		fputc('\n', out);
	}
	fprintf(out, "Resources involved:");
	for (r = 0; r < m->nres; r++)
		if (involved(m, r))
			fprintf(out, "%s %s", n++ ? "," : "", m->res[r].name);
	fputc('\n', out);
}

static void print_text(FILE *out, const struct dl *m)
{
	unsigned int i;

	if (m->source)
		fprintf(out, "Deadlock detection on the matrices of %s\n\n",
			strcmp(m->source, "-") ? m->source : "standard input");
	else
		fprintf(out, "Deadlock detection on the state of /dev/ipclab\n\n");
	if (!m->nres) {
		for (i = 0; i < m->nnotes; i++)
			fprintf(out, "Note: %s.\n", m->notes[i]);
		print_verdict(out, m);
		return;
	}
	if (!m->source || m->named) {
		print_legend(out, m);
		fputc('\n', out);
	}
	print_matrices(out, m);
	if (m->nnotes)
		fputc('\n', out);
	for (i = 0; i < m->nnotes; i++)
		fprintf(out, "Note: %s.\n", m->notes[i]);
	fputc('\n', out);
	print_steps(out, m);
	fputc('\n', out);
	print_verdict(out, m);
}

/* ------------------------------------------------------------------ */
/* JSON                                                                */
/* ------------------------------------------------------------------ */

static void json_vec(FILE *out, const int *v, unsigned int n)
{
	unsigned int i;

	fputc('[', out);
	for (i = 0; i < n; i++)
		fprintf(out, "%s%d", i ? ", " : "", v[i]);
	fputc(']', out);
}

static void json_matrix(FILE *out, const struct dl *m, const int *M)
{
	unsigned int p;

	fputc('[', out);
	for (p = 0; p < m->nproc; p++) {
		fprintf(out, "%s", p ? ", " : "");
		json_vec(out, &M[CELL(m, p, 0)], m->nres);
	}
	fputc(']', out);
}

/* The columns (1-based) where row p of M is non-zero. */
static void json_cols(FILE *out, const struct dl *m, const int *M, unsigned int p)
{
	unsigned int r, n = 0;

	fputc('[', out);
	for (r = 0; r < m->nres; r++)
		if (M[CELL(m, p, r)])
			fprintf(out, "%s%u", n++ ? ", " : "", r + 1);
	fputc(']', out);
}

static void print_json(FILE *out, const struct dl *m)
{
	unsigned int p, r, s, n;

	fprintf(out, "{\n  \"source\": ");
	json_str(out, m->source ? m->source : "live");
	fprintf(out, ",\n  \"hidden\": %u,\n  \"truncated\": %s,\n  \"resources\": [",
		m->hidden, m->truncated ? "true" : "false");
	for (r = 0; r < m->nres; r++) {
		const struct dl_res *d = &m->res[r];

		fprintf(out, "%s\n    {\"column\": %u, \"name\": ", r ? "," : "", r + 1);
		json_str(out, d->name);
		fprintf(out, ", \"type\": \"%s\"", d->kind);
		if (strcmp(d->kind, "class"))
			fprintf(out, ", \"id\": %u, \"num\": %u, \"refuse_deadlock\": %s, \"fifo\": %s",
				d->id, d->num, d->refuse ? "true" : "false",
				d->nofifo ? "false" : "true");
		fprintf(out, ", \"signalled\": %ld}", d->signalled);
	}
	fprintf(out, "%s],\n  \"processes\": [", m->nres ? "\n  " : "");
	for (p = 0; p < m->nproc; p++) {
		const struct dl_proc *d = &m->proc[p];

		fprintf(out, "%s\n    {\"row\": %u, ", p ? "," : "", p + 1);
		if (m->source) {
			fprintf(out, "\"pid\": null, \"comm\": null");
		} else {
			fprintf(out, "\"pid\": %d, \"comm\": ", d->pid);
			json_str(out, d->comm);
		}
		fprintf(out, ", \"blocked\": %s, \"threads_blocked\": %u, "
			"\"waits_for_zero\": %s}",
			(m->source ? !row_zero(m, m->R, p) : d->nwait > 0) ?
			"true" : "false", d->nwait, d->zero_wait ? "true" : "false");
	}
	fprintf(out, "%s],\n  \"E\": ", m->nproc ? "\n  " : "");
	json_vec(out, m->E, m->nres);
	fprintf(out, ",\n  \"A\": ");
	json_vec(out, m->A, m->nres);
	fprintf(out, ",\n  \"C\": ");
	json_matrix(out, m, m->C);
	fprintf(out, ",\n  \"R\": ");
	json_matrix(out, m, m->R);
	fprintf(out, ",\n  \"steps\": [");
	for (s = 0; s < m->nsteps; s++) {
		p = m->order[s];
		fprintf(out, "%s\n    {\"process\": %u, ", s ? "," : "", p + 1);
		if (m->source)
			fprintf(out, "\"pid\": null");
		else
			fprintf(out, "\"pid\": %d", m->proc[p].pid);
		fprintf(out, ", \"request\": ");
		json_vec(out, &m->R[CELL(m, p, 0)], m->nres);
		fprintf(out, ", \"releases\": ");
		json_vec(out, &m->C[CELL(m, p, 0)], m->nres);
		fprintf(out, ", \"A\": ");
		json_vec(out, &m->steps_A[(size_t)s * m->nres], m->nres);
		fprintf(out, "}");
	}
	fprintf(out, "%s],\n  \"deadlock\": %s,\n  \"deadlocked\": [",
		m->nsteps ? "\n  " : "", deadlocked(m) ? "true" : "false");
	for (p = 0, n = 0; p < m->nproc; p++) {
		if (m->finished[p])
			continue;
		fprintf(out, "%s\n    {\"process\": %u, ", n++ ? "," : "", p + 1);
		if (m->source) {
			fprintf(out, "\"pid\": null, \"comm\": null");
		} else {
			fprintf(out, "\"pid\": %d, \"comm\": ", m->proc[p].pid);
			json_str(out, m->proc[p].comm);
		}
		fprintf(out, ", \"holds\": ");
		json_cols(out, m, m->C, p);
		fprintf(out, ", \"waits_for\": ");
		json_cols(out, m, m->R, p);
		if (m->behind[p] >= 0)
			fprintf(out, ", \"queues_behind\": %u",
				m->waits[m->behind[p]].proc + 1);
		else
			fprintf(out, ", \"queues_behind\": null");
		fprintf(out, "}");
	}
	fprintf(out, "%s],\n  \"involved\": [", n ? "\n  " : "");
	for (r = 0, n = 0; r < m->nres; r++)
		if (involved(m, r))
			fprintf(out, "%s%u", n++ ? ", " : "", r + 1);
	fprintf(out, "],\n  \"notes\": [");
	for (s = 0; s < m->nnotes; s++) {
		fprintf(out, "%s\n    ", s ? "," : "");
		json_str(out, m->notes[s]);
	}
	fprintf(out, "%s]\n}\n", m->nnotes ? "\n  " : "");
}

/* ------------------------------------------------------------------ */
/* The commands                                                        */
/* ------------------------------------------------------------------ */

static void deadlock_usage(FILE *out)
{
	fprintf(out,
		"usage: ipclab deadlock [--json] [--all] [--matrices FILE]\n"
		"\n"
		"Print E (existing), A (available), C (current allocation) and R\n"
		"(requests) of ipclab's semaphores and mutexes, run the course's\n"
		"detection algorithm step by step, and say whether there is a deadlock\n"
		"and which processes and resources are in it.\n"
		"\n"
		"  --json            machine-readable E, A, C, R, processes, steps, verdict\n"
		"  --all             every resource, not only those held or requested\n"
		"                    (and the other semaphores of their sets)\n"
		"  --matrices FILE   the same on E, A, C and R from FILE ('-': stdin):\n"
		"                      E 4 2 3 1     existing instances of each class\n"
		"                      A 2 1 0 0     available (optional: E - sums of C)\n"
		"                      C 0 0 1 0     one C line per process, in order\n"
		"                      R 2 0 0 1     one R line per process, in order\n"
		"                      names a b c d optional: the classes' names\n"
		"                    '#' starts a comment.\n"
		"\n"
		"Exit status: 0 no deadlock, %d deadlock found, 1 error, 2 usage error.\n",
		IPCLAB_EXIT_DEADLOCK);
}

static void graph_usage(FILE *out)
{
	fprintf(out,
		"usage: ipclab graph [--png FILE] [--all] [--matrices FILE]\n"
		"\n"
		"Write the resource-allocation graph in Graphviz DOT: processes are\n"
		"circles, resources boxes with a dot per instance, an arrow from a\n"
		"resource to a process that holds it and from a process to a resource\n"
		"it waits for.  Nodes and arrows on a cycle are red; deadlocked\n"
		"processes are filled.\n"
		"\n"
		"  --png FILE        render it to FILE with Graphviz's dot instead\n"
		"  --all             every resource, not only those held or requested\n"
		"  --matrices FILE   the graph of E, A, C and R from FILE (see\n"
		"                    \"ipclab deadlock -h\")\n"
		"\n"
		"Exit status: 0 drawn (deadlock or not), 1 error, 2 usage error.\n");
}

struct dl_opts {
	bool json, all;
	const char *matrices, *png;
};

static int parse_opts(int argc, char **argv, struct dl_opts *o, bool graph)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "all", no_argument, NULL, 'a' },
		{ "matrices", required_argument, NULL, 'm' },
		{ "png", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	while ((c = getopt_long(argc, argv, "ham:", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			if (graph)
				goto bad;
			o->json = true;
			break;
		case 'a':
			o->all = true;
			break;
		case 'm':
			o->matrices = optarg;
			break;
		case 'p':
			if (!graph)
				goto bad;
			o->png = optarg;
			break;
		case 'h':
			(graph ? graph_usage : deadlock_usage)(stdout);
			return 0;
		default:
			goto bad;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "ipclab: unexpected argument '%s'\n", argv[optind]);
		goto bad;
	}
	if (o->matrices && o->all) {
		fprintf(stderr, "ipclab: --all is about the live state, not --matrices\n");
		goto bad;
	}
	return -1;	/* go on */
bad:
	(graph ? graph_usage : deadlock_usage)(stderr);
	return 2;
}

static int load(struct dl *m, const struct dl_opts *o)
{
	int ret;

	memset(m, 0, sizeof(*m));
	ret = o->matrices ? model_file(m, o->matrices) : model_live(m, o->all);
	if (!ret)
		detect(m);
	return ret;
}

int cmd_deadlock(int argc, char **argv)
{
	struct dl_opts o;
	struct dl m;
	int ret;

	ret = parse_opts(argc, argv, &o, false);
	if (ret >= 0)
		return ret;
	pick_symbols();
	ret = load(&m, &o);
	if (ret) {
		dl_free(&m);
		return ret;
	}
	if (o.json)
		print_json(stdout, &m);
	else
		print_text(stdout, &m);
	ret = deadlocked(&m) ? IPCLAB_EXIT_DEADLOCK : 0;
	dl_free(&m);
	if (fflush(stdout))
		return fail("writing the output");
	return ret;
}

/* ------------------------------------------------------------------ */
/* The graph                                                           */
/* ------------------------------------------------------------------ */

/*
 * Cycles of the resource-allocation graph: process p -> resource r when
 * p requests r, r -> p when p holds r (waits for zero request nothing and
 * are left out).  A node or an arrow is on a cycle exactly when both its
 * ends are in one strongly connected component of more than one node:
 * Tarjan's algorithm, without recursion.  Nodes 0..nproc-1 are the
 * processes, nproc.. the resources.
 */
struct scc {
	const struct dl *m;
	unsigned int n;
	int *index, *low, *comp, *stack, *size;
	unsigned int *next;	/* the next neighbour to look at */
	int *calls;		/* the DFS path */
	bool *onstack;
};

/* The k-th possible neighbour of v, or -1 if there is no arrow to it. */
static int scc_edge(const struct dl *m, unsigned int v, unsigned int k)
{
	if (v < m->nproc)
		return m->R[CELL(m, v, k)] > 0 ? (int)(m->nproc + k) : -1;
	return m->C[CELL(m, k, v - m->nproc)] > 0 ? (int)k : -1;
}

static unsigned int scc_degree(const struct dl *m, unsigned int v)
{
	return v < m->nproc ? m->nres : m->nproc;
}

static int scc_run(struct scc *t, const struct dl *m)
{
	unsigned int n = m->nproc + m->nres, v, root;
	int counter = 0, sp = 0, cp = 0, ncomp = 0;

	memset(t, 0, sizeof(*t));
	t->m = m;
	t->n = n;
	t->index = calloc(n + 1, sizeof(int));
	t->low = calloc(n + 1, sizeof(int));
	t->comp = calloc(n + 1, sizeof(int));
	t->stack = calloc(n + 1, sizeof(int));
	t->size = calloc(n + 1, sizeof(int));
	t->next = calloc(n + 1, sizeof(unsigned int));
	t->calls = calloc(n + 1, sizeof(int));
	t->onstack = calloc(n + 1, sizeof(bool));
	if (!t->index || !t->low || !t->comp || !t->stack || !t->size ||
	    !t->next || !t->calls || !t->onstack)
		return -1;
	for (v = 0; v < n; v++)
		t->index[v] = -1;
	for (root = 0; root < n; root++) {
		if (t->index[root] >= 0)
			continue;
		t->calls[cp++] = root;
		t->index[root] = t->low[root] = counter++;
		t->stack[sp++] = root;
		t->onstack[root] = true;
		while (cp) {
			int u = t->calls[cp - 1], w = -1;

			while (t->next[u] < scc_degree(m, u) && w < 0)
				w = scc_edge(m, u, t->next[u]++);
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
					t->comp[x] = ncomp;
					t->size[ncomp]++;
				} while (x != u);
				ncomp++;
			}
		}
	}
	return 0;
}

static void scc_free(struct scc *t)
{
	free(t->index);
	free(t->low);
	free(t->comp);
	free(t->stack);
	free(t->size);
	free(t->next);
	free(t->calls);
	free(t->onstack);
}

static bool on_cycle(const struct scc *t, unsigned int v)
{
	return t->size[t->comp[v]] > 1;
}

static bool arrow_on_cycle(const struct scc *t, unsigned int u, unsigned int v)
{
	return t->comp[u] == t->comp[v] && on_cycle(t, u);
}

/* DOT node names: p<pid> / p<row>, sem_<id>_<num>, mutex_<id>, r<column>. */
static void node_proc(char *buf, size_t n, const struct dl *m, unsigned int p)
{
	snprintf(buf, n, "p%d", m->source ? (int)p + 1 : m->proc[p].pid);
}

static void node_res(char *buf, size_t n, const struct dl *m, unsigned int r)
{
	const struct dl_res *d = &m->res[r];

	if (!strcmp(d->kind, "sem"))
		snprintf(buf, n, "sem_%u_%u", d->id, d->num);
	else if (!strcmp(d->kind, "mutex"))
		snprintf(buf, n, "mutex_%u", d->id);
	else
		snprintf(buf, n, "r%u", r + 1);
}

static void dot_escape(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		fputc(*s, out);
	}
}

/* An arrow, labelled with its count when that is more than one. */
static void dot_arrow(FILE *out, const char *from, const char *to, int count,
		      bool red)
{
	const char *sep = "";

	fprintf(out, "\t%s -> %s", from, to);
	if (count == 1 && !red) {
		fprintf(out, ";\n");
		return;
	}
	fprintf(out, " [");
	if (count > 1) {
		fprintf(out, "label=\"%d\"", count);
		sep = ", ";
	}
	if (red)
		fprintf(out, "%scolor=red, fontcolor=red, penwidth=2", sep);
	fprintf(out, "];\n");
}

static int print_dot(FILE *out, const struct dl *m)
{
	char a[48], b[48];
	struct scc t;
	unsigned int p, r, i, ncycle = 0;

	if (scc_run(&t, m)) {
		scc_free(&t);
		return -1;
	}
	for (p = 0; p < m->nproc; p++)
		ncycle += on_cycle(&t, p);

	fprintf(out, "// The resource-allocation graph of %s, as \"ipclab graph\" draws it:\n"
		"// processes are circles, resources boxes with a dot per instance;\n"
		"// resource -> process: it holds that many; process -> resource: it\n"
		"// waits for that many (dotted: for the value zero).  Red: on a cycle.\n",
		m->source ? m->source : "/dev/ipclab");
	fprintf(out, "digraph ipclab {\n");
	fprintf(out, "\tgraph [labelloc=t, fontname=\"Helvetica\", label=\"");
	if (deadlocked(m)) {
		fprintf(out, "deadlock:");
		for (p = 0, i = 0; p < m->nproc; p++) {
			if (m->finished[p])
				continue;
			if (m->source)
				fprintf(out, "%s P%u", i++ ? "," : "", p + 1);
			else
				fprintf(out, "%s pid %d", i++ ? "," : "", m->proc[p].pid);
		}
	} else if (ncycle) {
		fprintf(out, "a cycle, but no deadlock: enough instances to go round");
	} else {
		fprintf(out, "no cycle, no deadlock");
	}
	fprintf(out, "\"];\n");
	fprintf(out, "\tnode [fontname=\"Helvetica\"];\n\tedge [fontname=\"Helvetica\"];\n");

	for (p = 0; p < m->nproc; p++) {
		node_proc(a, sizeof(a), m, p);
		fprintf(out, "\t%s [shape=circle, label=\"", a);
		if (m->source)
			fprintf(out, "P%u", p + 1);
		else {
			fprintf(out, "%d\\n", m->proc[p].pid);
			dot_escape(out, m->proc[p].comm);
		}
		fprintf(out, "\"");
		if (on_cycle(&t, p))
			fprintf(out, ", color=red, fontcolor=red, penwidth=2");
		if (!m->finished[p])
			fprintf(out, ", style=filled, fillcolor=\"#ffd0d0\"");
		fprintf(out, "];\n");
	}
	for (r = 0; r < m->nres; r++) {
		node_res(a, sizeof(a), m, r);
		fprintf(out, "\t%s [shape=box, label=\"", a);
		dot_escape(out, m->res[r].name);
		fprintf(out, "\\n");
		if (m->E[r] <= 12)
			for (i = 0; i < (unsigned int)m->E[r]; i++)
				fprintf(out, "%s\u25cf", i ? " " : "");
		else
			fprintf(out, "%d \u00d7 \u25cf", m->E[r]);
		fprintf(out, "\"");
		if (on_cycle(&t, m->nproc + r))
			fprintf(out, ", color=red, fontcolor=red, penwidth=2");
		fprintf(out, "];\n");
	}
	for (r = 0; r < m->nres; r++) {
		for (p = 0; p < m->nproc; p++) {
			int c = m->C[CELL(m, p, r)], q = m->R[CELL(m, p, r)];
			bool red;

			node_res(a, sizeof(a), m, r);
			node_proc(b, sizeof(b), m, p);
			if (c) {
				red = arrow_on_cycle(&t, m->nproc + r, p);
				dot_arrow(out, a, b, c, red);
			}
			if (q) {
				red = arrow_on_cycle(&t, p, m->nproc + r);
				dot_arrow(out, b, a, q, red);
			}
			if (m->Z[CELL(m, p, r)])
				fprintf(out, "\t%s -> %s [label=\"=0\", style=dotted];\n", b, a);
		}
	}
	fprintf(out, "}\n");
	scc_free(&t);
	return 0;
}

/* Is there an executable "name" in a directory of $PATH? */
static bool on_path(const char *name)
{
	const char *p = getenv("PATH");
	char file[PATH_MAX];
	size_t len;

	for (p = p ? p : "/usr/bin:/bin"; *p; p += len + (p[len] == ':')) {
		len = strcspn(p, ":");
		if (len && len + strlen(name) + 2 <= sizeof(file)) {
			snprintf(file, sizeof(file), "%.*s/%s", (int)len, p, name);
			if (!access(file, X_OK))
				return true;
		}
	}
	return false;
}

/* Feed the DOT text to "dot -Tpng -o png". */
static int render_png(const struct dl *m, const char *png)
{
	int fds[2], st;
	FILE *to;
	pid_t pid;

	if (!on_path("dot")) {
		fprintf(stderr, "ipclab: --png needs Graphviz's dot, which is not on "
			"the PATH (apt-get install graphviz); \"ipclab graph > FILE.dot\" "
			"writes the DOT text without it\n");
		return 1;
	}
	if (pipe(fds))
		return fail("a pipe to dot");
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return fail("starting dot");
	if (pid == 0) {
		dup2(fds[0], STDIN_FILENO);
		close(fds[0]);
		close(fds[1]);
		execlp("dot", "dot", "-Tpng", "-o", png, (char *)NULL);
		fprintf(stderr, "ipclab: running dot: %s\n", strerror(errno));
		_exit(127);
	}
	close(fds[0]);
	to = fdopen(fds[1], "w");
	if (!to) {
		close(fds[1]);
		waitpid(pid, NULL, 0);
		return fail("a pipe to dot");
	}
	print_dot(to, m);
	fclose(to);
	if (waitpid(pid, &st, 0) < 0)
		return fail("waiting for dot");
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		fprintf(stderr, "ipclab: dot failed to write %s\n", png);
		return 1;
	}
	return 0;
}

int cmd_graph(int argc, char **argv)
{
	struct dl_opts o;
	struct dl m;
	int ret;

	ret = parse_opts(argc, argv, &o, true);
	if (ret >= 0)
		return ret;
	ret = load(&m, &o);
	if (!ret && o.png)
		ret = render_png(&m, o.png);
	else if (!ret && print_dot(stdout, &m))
		ret = fail("drawing the graph");
	dl_free(&m);
	if (!ret && fflush(stdout))
		return fail("writing the output");
	return ret;
}
