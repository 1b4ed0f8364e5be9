// SPDX-License-Identifier: GPL-2.0
/*
 * "ipclab deadlock" prints the model and what the algorithm found: as
 * text a student compares with the course's slides (the legend, E and A,
 * C and R side by side, each step and the verdict), or as JSON.
 */
#include <langinfo.h>
#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

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

/* "mutex 262145" or "2 of sem 131072[0]" */
static void print_amount(FILE *out, const struct dl *m, unsigned int r, int n)
{
	if (m->res[r].kind == DL_MUTEX)
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
			if (digits(m->C[DL_CELL(m, p, r)]) > w)
				w = digits(m->C[DL_CELL(m, p, r)]);
			if (digits(m->R[DL_CELL(m, p, r)]) > w)
				w = digits(m->R[DL_CELL(m, p, r)]);
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
		print_cells(out, &m->C[DL_CELL(m, p, 0)], m->nres, w, pad);
		print_vec(out, &m->R[DL_CELL(m, p, 0)], m->nres, w);
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
		const int *after = dl_step_A(m, s);

		p = m->order[s];
		fprintf(out, "  %u. process %u ", s + 1, p + 1);
		if (!dl_row_zero(m, m->R, p)) {
			fprintf(out, "requests ");
			print_vec(out, &m->R[DL_CELL(m, p, 0)], m->nres, 1);
			fprintf(out, " %s A %s it gets them, finishes and releases ",
				le, arrow);
		} else {
			fprintf(out, "%s %s it finishes and releases ",
				m->proc[p].zero_wait ?
				"waits only for a value of zero (see the notes)" :
				"is not blocked", arrow);
		}
		print_vec(out, &m->C[DL_CELL(m, p, 0)], m->nres, 1);
		fprintf(out, " %s A = ", arrow);
		print_vec(out, after, m->nres, 1);
		fputc('\n', out);
		before = after;
	}
	if (!dl_deadlocked(m))
		return;
	fprintf(out, "  No request left is %s A = ", le);
	print_vec(out, before, m->nres, 1);
	fprintf(out, ":\n");
	for (p = 0; p < m->nproc; p++) {
		bool first = true;

		if (m->finished[p])
			continue;
		fprintf(out, "     process %u requests ", p + 1);
		print_vec(out, &m->R[DL_CELL(m, p, 0)], m->nres, 1);
		if (m->behind[p] >= 0) {
			const struct dl_wait *w = &m->waits[m->behind[p]];

			fprintf(out, ", which fits, but it queues behind process %u "
				"for %s (ipclab serves waiters in FIFO order)\n",
				w->proc + 1, m->res[w->res].name);
			continue;
		}
		for (r = 0; r < m->nres; r++) {
			if (m->R[DL_CELL(m, p, r)] <= before[r])
				continue;
			fprintf(out, "%s%s: %d > %d", first ? ", short of " : ", ",
				m->res[r].name, m->R[DL_CELL(m, p, r)], before[r]);
			first = false;
		}
		fputc('\n', out);
	}
}

static void print_verdict(FILE *out, const struct dl *m)
{
	unsigned int p, r, n = 0;
	bool first;

	if (!m->nproc) {
		fprintf(out, "No deadlock: no process holds or waits for a resource.\n");
		return;
	}
	if (!dl_deadlocked(m)) {
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
			if (!m->C[DL_CELL(m, p, r)])
				continue;
			fprintf(out, first ? " holds " : ", ");
			print_amount(out, m, r, m->C[DL_CELL(m, p, r)]);
			first = false;
		}
		if (first)
			fprintf(out, " holds nothing");
		first = true;
		for (r = 0; r < m->nres; r++) {
			if (!m->R[DL_CELL(m, p, r)])
				continue;
			fprintf(out, first ? "; waits for " : ", ");
			print_amount(out, m, r, m->R[DL_CELL(m, p, r)]);
			first = false;
		}
		if (m->behind[p] >= 0)
			fprintf(out, "; it queues behind process %u (FIFO)",
				m->waits[m->behind[p]].proc + 1);
		fputc('\n', out);
	}
	fprintf(out, "Resources involved:");
	for (r = 0; r < m->nres; r++)
		if (dl_involved(m, r))
			fprintf(out, "%s %s", n++ ? "," : "", m->res[r].name);
	fputc('\n', out);
}

void dl_print_text(FILE *out, const struct dl *m)
{
	unsigned int i;

	pick_symbols();
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
		json_vec(out, &M[DL_CELL(m, p, 0)], m->nres);
	}
	fputc(']', out);
}

/* The columns (1-based) where row p of M is non-zero. */
static void json_cols(FILE *out, const struct dl *m, const int *M, unsigned int p)
{
	unsigned int r, n = 0;

	fputc('[', out);
	for (r = 0; r < m->nres; r++)
		if (M[DL_CELL(m, p, r)])
			fprintf(out, "%s%u", n++ ? ", " : "", r + 1);
	fputc(']', out);
}

void dl_print_json(FILE *out, const struct dl *m)
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
		fprintf(out, ", \"type\": \"%s\"", dl_kind_name(d->kind));
		if (d->kind != DL_CLASS)
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
			(m->source ? !dl_row_zero(m, m->R, p) : d->nwait > 0) ?
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
		json_vec(out, &m->R[DL_CELL(m, p, 0)], m->nres);
		fprintf(out, ", \"releases\": ");
		json_vec(out, &m->C[DL_CELL(m, p, 0)], m->nres);
		fprintf(out, ", \"A\": ");
		json_vec(out, dl_step_A(m, s), m->nres);
		fprintf(out, "}");
	}
	fprintf(out, "%s],\n  \"deadlock\": %s,\n  \"deadlocked\": [",
		m->nsteps ? "\n  " : "", dl_deadlocked(m) ? "true" : "false");
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
		if (dl_involved(m, r))
			fprintf(out, "%s%u", n++ ? ", " : "", r + 1);
	fprintf(out, "],\n  \"notes\": [");
	for (s = 0; s < m->nnotes; s++) {
		fprintf(out, "%s\n    ", s ? "," : "");
		json_str(out, m->notes[s]);
	}
	fprintf(out, "%s]\n}\n", m->nnotes ? "\n  " : "");
}

