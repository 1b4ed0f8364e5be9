// SPDX-License-Identifier: GPL-2.0
/*
 * The deadlock model of the machine's live state: IPCLAB_IOC_SNAPSHOT
 * gives, in one consistent snapshot, E (total), A (avail), the holdings
 * (C) and what each blocked thread asks for (R, summed over a process's
 * threads).  The resource classes are the semaphores of ipclab's
 * semaphore sets (a semaphore's units are its instances) and its mutexes
 * (one instance each); the rows are the processes.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "ipclab.h"
#include "cli.h"

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
		if (m->res[r].kind != DL_SEM || (r && m->res[r - 1].id == m->res[r].id &&
						 m->res[r - 1].kind == DL_SEM))
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
			dl_note(m, "%s is used for signalling: processes gave %ld more "
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
	unsigned int i, j, k, ncol = 0, nrow = 0, named = 0;
	char name[IPCLAB_NAME_LEN], label[IPCLAB_NAME_LEN];
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
		d->kind = s->type == IPCLAB_TYPE_MUTEX ? DL_MUTEX : DL_SEM;
		/* The program's names after the ids (none from before ABI 1.3). */
		if (s->id != named && ipclab_get_name(s->id, name, sizeof(name)))
			name[0] = '\0';
		named = s->id;
		if (s->type == IPCLAB_TYPE_MUTEX)
			snprintf(label, sizeof(label), "%s", name);
		else if (!ipclab_member_name(name, s->num, label, sizeof(label)))
			label[0] = '\0';
		if (s->type == IPCLAB_TYPE_MUTEX)
			snprintf(d->name, sizeof(d->name), "mutex %u", s->id);
		else
			snprintf(d->name, sizeof(d->name), "sem %u[%u]", s->id, s->num);
		if (label[0])
			snprintf(d->name + strlen(d->name),
				 sizeof(d->name) - strlen(d->name), " %s", label);
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
			m->C[DL_CELL(m, p, c)] += e->count;
		} else if (e->kind == IPCLAB_EDGE_WAIT && e->count > 0) {
			m->R[DL_CELL(m, p, c)] += e->count;
			m->waits[m->nwaits].proc = p;
			m->waits[m->nwaits].res = c;
			m->waits[m->nwaits++].ticket = e->ticket;
		} else if (e->kind == IPCLAB_EDGE_WAIT) {
			if (!m->Z[DL_CELL(m, p, c)])
				dl_note(m, "process %d (pid %d) waits for %s to become zero: "
				     "a wait for zero takes nothing and cannot be written "
				     "in R, so it is not counted as a request", p + 1,
				     m->proc[p].pid, m->res[c].name);
			m->Z[DL_CELL(m, p, c)] = true;
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
			a -= m->C[DL_CELL(m, j, col[i])];
		m->A[col[i]] = sn->res[i].avail;
		if (a != sn->res[i].avail)
			fprintf(stderr, "ipclab: warning: %s: E - held = %ld, but the "
				"snapshot says %d available; using %d\n",
				m->res[col[i]].name, a, sn->res[i].avail,
				sn->res[i].avail);
	}
	find_signalling(m);
	if (m->hidden)
		dl_note(m, "%u objects you may not read are left out", m->hidden);
	if (m->truncated)
		dl_note(m, "the machine holds more than %u resources, processes or "
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

int dl_read_live(struct dl *m, bool all)
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

