// SPDX-License-Identifier: GPL-2.0
/*
 * The grader of matrices: runs main.c with your detect.c on the course's
 * example and on generated cases, and compares what it found with what
 * "ipclab deadlock --matrices FILE --json" finds on the same file.  The
 * deadlocked processes must be the same; the order in which the others
 * finish may differ from ipclab's (often several orders work), but each
 * step must be possible: the grader replays it, request against A, and
 * gives back the process's row of C.
 *
 * The cases come from a fixed seed, so every run grades the same files;
 * they stay in /tmp (matrices-case-N.matrices) to be looked at.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <sys/wait.h>

#include "grade.h"

#define MAXP	32
#define MAXR	16
#define NCASES	40

struct state {
	int np, nr;
	int E[MAXR], A[MAXR], C[MAXP][MAXR], R[MAXP][MAXR];
};

/* What an algorithm found: the order of the n that finish, the rest. */
struct verdict {
	int n;
	int order[MAXP];
	bool dead[MAXP];
};

struct mcase {
	char title[96];		/* "case 7 (4 processes, 3 resources)" */
	char path[PATH_MAX];
	struct state s;
	bool built;		/* generated: dead[] is known by construction */
	bool dead[MAXP];
};

static struct mcase cases[NCASES];

/* snprintf(), for text that may be cut short: feedback is one line. */
static int __attribute__((format(printf, 3, 4)))
say(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n < 0 ? 0 : n;
}
static int ncases;
static const char *bindir = ".";

/* ------------------------------------------------------------------ */
/* The algorithm and its usual mistakes                                */
/* ------------------------------------------------------------------ */

static bool fits(const struct state *s, int p, const int *work, bool strict)
{
	int r;

	for (r = 0; r < s->nr; r++)
		if (strict ? s->R[p][r] >= work[r] : s->R[p][r] > work[r])
			return false;
	return true;
}

/* Does process p request nothing?  (It is not blocked.) */
static bool zero_row(const struct state *s, int p)
{
	int r;

	for (r = 0; r < s->nr; r++)
		if (s->R[p][r])
			return false;
	return true;
}

enum how { RIGHT, AGAINST_E, NO_GIVE_BACK, ONE_PASS, STRICT, NHOW };

/* The first process in row order that fits, again and again (as ipclab). */
static void run(const struct state *s, enum how how, struct verdict *v)
{
	int work[MAXR], p, r;

	memset(v, 0, sizeof(*v));
	memcpy(work, how == AGAINST_E ? s->E : s->A, sizeof(work));
	for (p = 0; p < s->np; p++)
		v->dead[p] = true;
	for (p = 0; p < s->np; p++) {
		if (!v->dead[p] || !fits(s, p, work, how == STRICT))
			continue;
		v->dead[p] = false;
		v->order[v->n++] = p;
		if (how != NO_GIVE_BACK && how != AGAINST_E)
			for (r = 0; r < s->nr; r++)
				work[r] += s->C[p][r];
		if (how != ONE_PASS)
			p = -1;
	}
}

static const char *const hint[NHOW] = {
	[AGAINST_E] = "as if the requests were compared with E, what exists, instead of A, what is free",
	[NO_GIVE_BACK] = "as if a process that finishes did not give back its row of C: A grows with each one",
	[ONE_PASS] = "as if the search stopped after one pass over the processes: look again after each one finishes, until none fits",
	[STRICT] = "as if a request had to be less than A: one equal to A fits, and a request of 0 fits even when nothing is free",
};

/* ------------------------------------------------------------------ */
/* Text                                                                */
/* ------------------------------------------------------------------ */

/* "(1 0 2)" */
static char *fmt_vec(char *buf, size_t size, const int *v, int n)
{
	size_t o = say(buf, size, "(");
	int i;

	for (i = 0; i < n && o < size; i++)
		o += say(buf + o, size - o, "%s%d", i ? " " : "", v[i]);
	if (o < size)
		say(buf + o, size - o, ")");
	return buf;
}

/* "1, 4" (rows from 0, printed from 1) */
static char *fmt_list(char *buf, size_t size, const int *v, int n)
{
	size_t o = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < n && o < size; i++)
		o += say(buf + o, size - o, "%s%d", i ? ", " : "", v[i] + 1);
	return buf;
}

/* The deadlocked rows of v as a list; returns how many. */
static int dead_list(const struct state *s, const struct verdict *v, int *list)
{
	int p, n = 0;

	for (p = 0; p < s->np; p++)
		if (v->dead[p])
			list[n++] = p;
	return n;
}

/* "process 2" or "processes 2, 3" */
static char *fmt_procs(char *buf, size_t size, const int *v, int n)
{
	char list[256];

	say(buf, size, "process%s %s", n == 1 ? "" : "es", fmt_list(list, sizeof(list), v, n));
	return buf;
}

/* "at the start" or "after process 4 finishes" or "after processes 1, 4 finish" */
static char *fmt_after(char *buf, size_t size, const int *order, int n)
{
	char procs[300];

	if (!n)
		say(buf, size, "at the start");
	else
		say(buf, size, "after %s finish%s", fmt_procs(procs, sizeof(procs), order, n),
		    n == 1 ? "es" : "");
	return buf;
}

/* What ipclab found, as the second half of a feedback line. */
static char *fmt_truth(char *buf, size_t size, const struct state *s, const struct verdict *t)
{
	char procs[300], list[256];
	int dead[MAXP], nd = dead_list(s, t, dead);

	if (!nd)
		say(buf, size, "ipclab deadlock finds no deadlock (its order: %s)",
		    fmt_list(list, sizeof(list), t->order, t->n));
	else
		say(buf, size, "ipclab deadlock finds %s deadlocked",
		    fmt_procs(procs, sizeof(procs), dead, nd));
	return buf;
}

/* ------------------------------------------------------------------ */
/* The cases                                                           */
/* ------------------------------------------------------------------ */

static unsigned long long seed = 20260312;

static int rnd(int n)
{
	seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
	return n > 0 ? (int)((seed >> 33) % (unsigned int)n) : 0;
}

static int small(int most)
{
	return rnd((most < 2 ? most : 2) + 1);
}

/*
 * A case of np processes and nr classes: nd of them deadlocked (0, or 2
 * or more: each holds what the next one asks for, beyond what the others
 * can ever give back), the others finishing in a random order.  chain:
 * each of these needs what the one before gives back, so that only one
 * order works.  nzero: the first ones to finish request nothing.
 * zeroA: one class has nothing free.
 */
static void build(int np, int nr, int nd, bool chain, int nzero, bool zeroA)
{
	struct mcase *c = &cases[ncases];
	struct state *s = &c->s;
	int perm[MAXP], ns = np - nd, *S = perm, *D = perm + ns;
	int link[MAXP], ring[MAXP], work[MAXR], i, j, k, p, q, r;
	bool sorted;

	memset(c, 0, sizeof(*c));
	s->np = np;
	s->nr = nr;
	do {
		for (i = 0; i < np; i++)
			perm[i] = i;
		for (i = np - 1; i > 0; i--) {
			j = rnd(i + 1);
			k = perm[i];
			perm[i] = perm[j];
			perm[j] = k;
		}
		/* With a chain, not simply in row order: one pass must not do. */
		for (sorted = true, i = 1; i < ns; i++)
			sorted &= S[i - 1] < S[i];
	} while (chain && ns > 2 && sorted);

	for (p = 0; p < np; p++)
		for (r = 0; r < nr; r++)
			s->C[p][r] = rnd(4) ? rnd(3) : 0;
	for (r = 0; r < nr; r++)
		s->A[r] = rnd(3);
	if (zeroA)
		s->A[rnd(nr)] = 0;
	for (k = 1; chain && k < ns; k++) {
		link[k] = rnd(nr);
		if (!s->C[S[k - 1]][link[k]])
			s->C[S[k - 1]][link[k]] = 1 + rnd(2);
	}
	for (k = 0; k < nd; k++) {
		ring[k] = rnd(nr);
		if (!s->C[D[k]][ring[k]])
			s->C[D[k]][ring[k]] = 1 + rnd(2);
	}

	memcpy(work, s->A, sizeof(work));
	for (k = 0; k < ns; k++) {
		p = S[k];
		for (r = 0; r < nr; r++)
			s->R[p][r] = k < nzero ? 0 : small(work[r]);
		if (chain && k && k >= nzero) {
			/* More than was free before S[k - 1] gave back. */
			q = S[k - 1];
			r = link[k];
			s->R[p][r] = work[r] - s->C[q][r] + 1 + rnd(s->C[q][r]);
		}
		for (r = 0; r < nr; r++)
			work[r] += s->C[p][r];
	}
	for (k = 0; k < nd; k++) {
		p = D[k];
		q = D[(k + nd - 1) % nd];
		for (r = 0; r < nr; r++)
			s->R[p][r] = small(work[r]);
		r = ring[(k + nd - 1) % nd];
		s->R[p][r] = work[r] + 1 + rnd(s->C[q][r]);
		c->dead[p] = true;
	}
	for (r = 0; r < nr; r++) {
		s->E[r] = s->A[r];
		for (p = 0; p < np; p++)
			s->E[r] += s->C[p][r];
	}
	c->built = true;
	ncases++;
	say(c->title, sizeof(c->title), "case %d (%d processes, %d resources)", ncases, np, nr);
	say(c->path, sizeof(c->path), "/tmp/matrices-case-%d.matrices", ncases);
}

static void write_row(FILE *f, const char *what, const int *v, int n, int p)
{
	int i;

	fprintf(f, "%s", what);
	for (i = 0; i < n; i++)
		fprintf(f, " %d", v[i]);
	if (p >= 0)
		fprintf(f, "\t# process %d", p + 1);
	fputc('\n', f);
}

/* In the --matrices format, with a different look for each case. */
static bool write_case(const struct mcase *c, const char *kind, int n)
{
	const struct state *s = &c->s;
	FILE *f = fopen(c->path, "w");
	int p, r;

	if (!f)
		return false;
	fprintf(f, "# The matrices grader's %s: %s.\n", c->title, kind);
	if (n % 4 == 1) {
		fprintf(f, "names");
		for (r = 0; r < s->nr; r++)
			fprintf(f, " r%d", r + 1);
		fputc('\n', f);
	}
	write_row(f, "E", s->E, s->nr, -1);
	if (n % 3)
		write_row(f, "A", s->A, s->nr, -1);
	for (p = 0; p < s->np; p++) {
		write_row(f, "C", s->C[p], s->nr, p);
		if (n % 2)
			write_row(f, "R", s->R[p], s->nr, p);
	}
	for (p = 0; !(n % 2) && p < s->np; p++)
		write_row(f, "R", s->R[p], s->nr, p);
	return !fclose(f);
}

/* ------------------------------------------------------------------ */
/* ipclab deadlock --matrices FILE --json                               */
/* ------------------------------------------------------------------ */

/* The numbers of "[1, 2, 3]" at p; returns what follows the ']'. */
static const char *json_ints(const char *p, int *v, int max, int *n)
{
	char *end;

	*n = 0;
	p = p ? strchr(p, '[') : NULL;
	if (!p)
		return NULL;
	for (p++; *p && *p != ']'; p = end) {
		while (*p == ' ' || *p == ',' || *p == '\n')
			p++;
		if (*p == ']')
			break;
		long x = strtol(p, &end, 10);

		if (end == p || *n == max)
			return NULL;
		v[(*n)++] = x;
	}
	return *p ? p + 1 : NULL;
}

/* The rows of "[[..], [..]]" after key. */
static int json_matrix(const char *json, const char *key, int M[MAXP][MAXR], int nr)
{
	const char *p = strstr(json, key);
	int rows = 0, n;

	if (!p || !(p = strchr(p, '[')))
		return -1;
	for (p++; *p == ' ' || *p == ','; p++)
		;
	while (*p == '[' && rows < MAXP) {
		p = json_ints(p, M[rows], MAXR, &n);
		if (!p || n != nr)
			return -1;
		rows++;
		while (*p == ' ' || *p == ',')
			p++;
	}
	return rows;
}

/* The "process": N of each object between from and to. */
static int json_procs(const char *json, const char *from, const char *to, int *v)
{
	const char *p = strstr(json, from), *end = p ? strstr(p, to) : NULL;
	int n = 0;

	while (p && end && (p = strstr(p, "\"process\": ")) && p < end && n < MAXP) {
		p += strlen("\"process\": ");
		v[n++] = atoi(p) - 1;
	}
	return n;
}

/*
 * ipclab's verdict on path (and, with s, the state it read).  NULL, or
 * what went wrong.
 */
static const char *ipclab(const char *path, struct verdict *v, struct state *s)
{
	static char why[300];
	char cmd[256], *json = NULL;
	int status, dead[MAXP], nd, i, n;
	size_t len = 0;
	FILE *f;

	say(cmd, sizeof(cmd), "ipclab deadlock --matrices '%s' --json 2>&1", path);
	f = popen(cmd, "r");
	if (!f)
		return "cannot run ipclab";
	{
		FILE *mem = open_memstream(&json, &len);
		int ch;

		while ((ch = fgetc(f)) != EOF)
			fputc(ch, mem);
		fclose(mem);
	}
	status = pclose(f);
	status = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
	if ((status != 0 && status != 3) || !strstr(json, "\"deadlocked\"")) {
		say(why, sizeof(why), "ipclab deadlock --matrices %s: status %d: %.*s", path,
		    status, (int)strcspn(json, "\n"), json);
		free(json);
		return why;
	}
	memset(v, 0, sizeof(*v));
	v->n = json_procs(json, "\"steps\"", "\"deadlock\":", v->order);
	nd = json_procs(json, "\"deadlocked\": [", "\"involved\"", dead);
	for (i = 0; i < nd; i++)
		if (dead[i] >= 0 && dead[i] < MAXP)
			v->dead[dead[i]] = true;
	if (s) {
		memset(s, 0, sizeof(*s));
		json_ints(strstr(json, "\"E\": "), s->E, MAXR, &s->nr);
		json_ints(strstr(json, "\"A\": "), s->A, MAXR, &n);
		s->np = json_matrix(json, "\"C\": ", s->C, s->nr);
		if (n != s->nr || s->np < 0 || json_matrix(json, "\"R\": ", s->R, s->nr) != s->np) {
			free(json);
			return "cannot read E, A, C and R in ipclab deadlock's JSON";
		}
	}
	free(json);
	if ((status == 3) != (nd > 0) || v->n + nd != (s ? s->np : v->n + nd))
		return "ipclab deadlock's JSON does not add up";
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Grading one case                                                    */
/* ------------------------------------------------------------------ */

/* The numbers after "title:" at the start of a line; -1 when missing. */
static int parse_line(const char *out, const char *title, int *v, int np)
{
	size_t len = strlen(title);
	const char *p = out;
	char *end;
	int n = 0;

	while (p && strncmp(p, title, len)) {
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	if (!p)
		return -1;
	p += len;
	while (*p == ' ')
		p++;
	if (!strncmp(p, "none", 4))
		return 0;
	while (*p && *p != '\n') {
		long x = strtol(p, &end, 10);

		if (end == p || x < 1 || x > np || n == MAXP)
			return -1;
		v[n++] = x - 1;
		for (p = end; *p == ' '; p++)
			;
	}
	return n;
}

static bool same(const struct verdict *a, const struct verdict *b, int np, bool order)
{
	int p;

	if (order && (a->n != b->n || memcmp(a->order, b->order, a->n * sizeof(int))))
		return false;
	for (p = 0; p < np; p++)
		if (a->dead[p] != b->dead[p])
			return false;
	return true;
}

/*
 * " (as if ...)" when exactly one usual mistake gives what the student
 * got (and ipclab did not); *nhint how many do.
 */
static const char *guess(const struct state *s, const struct verdict *got,
			 const struct verdict *truth, int *nhint)
{
	static char buf[256];
	struct verdict v;
	int how, which = -1;

	*nhint = 0;
	for (how = AGAINST_E; how < NHOW; how++) {
		run(s, how, &v);
		/*
		 * The order says which loop it was, except for STRICT (and
		 * marking nobody is what a search not written does, too).
		 */
		if (how == STRICT ? v.n && same(&v, got, s->np, false) &&
				    !same(&v, truth, s->np, false)
				  : same(&v, got, s->np, true)) {
			which = how;
			++*nhint;
		}
	}
	if (*nhint != 1)
		return "";
	say(buf, sizeof(buf), " (%s)", hint[which]);
	return buf;
}

/* Grades run r on case c against ipclab's truth; false with the feedback. */
static bool grade_case(const struct mcase *c, const struct grade_run *r,
		       const struct verdict *truth, char *fb, size_t size, int *nhint)
{
	const struct state *s = &c->s;
	char a[128], b[128], after[320], procs[320], t[400], lst[256];
	int order[MAXP], dead[MAXP], work[MAXR], n, nd, i, p, q, k;
	struct verdict got;

	*nhint = 0;
	if (r->hung || r->status >= 128) {
		say(fb, size, "%s: %s", c->title, grade_why(r));
		return false;
	}
	n = parse_line(r->out, "order:", order, s->np);
	nd = parse_line(r->out, "deadlocked:", dead, s->np);
	if (r->status || n < 0 || nd < 0) {
		say(fb, size, "%s: %s", c->title, r->status ? grade_why(r) :
		    "no \"order:\" and \"deadlocked:\" lines in the output");
		return false;
	}
	memset(&got, 0, sizeof(got));
	got.n = n;
	memcpy(got.order, order, sizeof(order));
	for (i = 0; i < nd; i++)
		got.dead[dead[i]] = true;

	/* Each step of the student's order, replayed. */
	memcpy(work, s->A, sizeof(work));
	for (i = 0; i < n; i++) {
		p = order[i];
		if (!fits(s, p, work, false)) {
			say(fb, size, "%s: your order %s is not possible: %s A = %s, and process %d's request %s does not fit; %s%s",
			    c->title, fmt_list(lst, sizeof(lst), order, n),
			    fmt_after(after, sizeof(after), order, i),
			    fmt_vec(a, sizeof(a), work, s->nr), p + 1,
			    fmt_vec(b, sizeof(b), s->R[p], s->nr),
			    fmt_truth(t, sizeof(t), s, truth), guess(s, &got, truth, nhint));
			return false;
		}
		for (k = 0; k < s->nr; k++)
			work[k] += s->C[p][k];
	}
	if (same(&got, truth, s->np, false))
		return true;

	/* A valid order that stops early: somebody fits what is free then. */
	for (q = 0; q < s->np && !(got.dead[q] && fits(s, q, work, false)); q++)
		;
	/* One that requests nothing says it best. */
	for (i = 0; i < s->np; i++)
		if (got.dead[i] && zero_row(s, i)) {
			q = i;
			break;
		}
	if (q == s->np) {
		/* Deadlocked processes that are not: cannot be after a valid order. */
		say(fb, size, "%s: you found %s deadlocked; %s", c->title,
		    nd ? fmt_procs(procs, sizeof(procs), dead, nd) : "none", fmt_truth(t, sizeof(t), s, truth));
		return false;
	}
	{
		int tdead[MAXP], tn = dead_list(s, truth, tdead);
		char tl[320];

		if (tn)
			say(tl, sizeof(tl), "ipclab deadlock finds only %s",
			    fmt_procs(t, sizeof(t), tdead, tn));
		else
			say(tl, sizeof(tl), "ipclab deadlock finds none");
		say(fb, size, "%s: you found %s deadlocked; %s: process %d's request %s fits A = %s %s%s%s",
		    c->title, fmt_procs(procs, sizeof(procs), dead, nd), tl, q + 1,
		    fmt_vec(b, sizeof(b), s->R[q], s->nr), fmt_vec(a, sizeof(a), work, s->nr),
		    fmt_after(after, sizeof(after), order, n),
		    zero_row(s, q) ? " (it requests nothing: it can always finish)" : "",
		    guess(s, &got, truth, nhint));
	}
	return false;
}

/* ------------------------------------------------------------------ */
/* The checks                                                          */
/* ------------------------------------------------------------------ */

/* The truth for case c: ipclab's, checked against the construction. */
static void truth_of(const struct mcase *c, struct verdict *t)
{
	struct verdict mine;
	const char *err = ipclab(c->path, t, NULL);

	run(&c->s, RIGHT, &mine);
	if (err) {
		printf("note: %s: %s; graded against the course's algorithm in the grader\n",
		       c->title, err);
		*t = mine;
		return;
	}
	if (!same(t, &mine, c->s.np, true))
		printf("note: %s: ipclab deadlock and the grader's own detection disagree\n", c->title);
	if (c->built && memcmp(mine.dead, c->dead, sizeof(mine.dead)))
		printf("note: %s: not built as meant\n", c->title);
}

/* Cases first to last of one check: all must pass. */
static void check_cases(int points, const char *what, int first, int last)
{
	char fb[1024] = "", one[1024];
	int i, failed = 0, nhint, best = 99;

	for (i = first; i <= last; i++) {
		struct mcase *c = &cases[i];
		struct grade_run *r;
		struct verdict t;

		truth_of(c, &t);
		r = grade_run(10, "matrices", c->path, NULL);
		if (!grade_case(c, r, &t, one, sizeof(one), &nhint)) {
			failed++;
			/* The first failure, or the first one that says why. */
			if (!fb[0] || (best != 1 && nhint == 1)) {
				say(fb, sizeof(fb), "%s", one);
				best = nhint;
			}
		}
		grade_free(r);
	}
	grade_check(points, !failed, what, "%s%s", fb,
		    failed > 1 ? " (and more cases)" : "");
}

static void course(void)
{
	struct mcase *c = &cases[NCASES - 1];
	struct grade_run *r;
	struct verdict t;
	char fb[1024];
	const char *err;
	int nhint;
	bool ok;

	memset(c, 0, sizeof(*c));
	say(c->path, sizeof(c->path), "%s/course.matrices", bindir);
	say(c->title, sizeof(c->title), "the course's example (course.matrices)");
	err = ipclab(c->path, &t, &c->s);
	if (err) {
		grade_check(3, false, "the course's example: process 3, then 2, then 1 finish",
			    "%s", err);
		return;
	}
	r = grade_run(10, "matrices", c->path, NULL);
	ok = grade_case(c, r, &t, fb, sizeof(fb), &nhint);
	grade_check(3, ok, "the course's example: process 3, then 2, then 1 finish", "%s", fb);
	grade_free(r);
}

int main(int argc, char **argv)
{
	static const char *const kinds[] = {
		"no deadlock, several orders work",
		"no deadlock, only one order works",
		"a deadlock",
		"processes that request nothing",
		"larger systems",
	};
	int i, g[6];

	for (i = 1; i + 1 < argc; i++)
		if (!strcmp(argv[i], "--bin"))
			bindir = argv[i + 1];
	grade_begin("matrices", argc, argv);

	g[0] = ncases;
	build(3, 3, 0, false, 0, false);
	build(4, 3, 0, false, 0, false);
	build(5, 4, 0, false, 0, false);
	build(6, 3, 0, false, 0, false);
	build(7, 4, 0, false, 0, false);
	g[1] = ncases;
	build(3, 2, 0, true, 0, false);
	build(4, 3, 0, true, 0, false);
	build(5, 3, 0, true, 0, false);
	build(6, 4, 0, true, 0, false);
	build(8, 3, 0, true, 0, false);
	g[2] = ncases;
	build(2, 2, 2, false, 0, false);
	build(3, 3, 2, false, 0, false);
	build(4, 3, 3, true, 0, false);
	build(5, 4, 2, true, 0, false);
	build(6, 3, 6, false, 0, false);
	build(7, 4, 3, true, 0, false);
	g[3] = ncases;
	build(3, 3, 0, true, 1, true);
	build(4, 2, 2, false, 1, true);
	build(5, 3, 0, true, 2, true);
	build(6, 4, 3, true, 1, true);
	g[4] = ncases;
	build(12, 5, 0, false, 0, false);
	build(14, 4, 0, true, 0, false);
	build(16, 6, 5, true, 0, false);
	build(20, 8, 4, true, 2, true);
	g[5] = ncases;
	for (i = 0; i < 5; i++) {
		int k;

		for (k = g[i]; k < g[i + 1]; k++)
			if (!write_case(&cases[k], kinds[i], k + 1)) {
				perror(cases[k].path);
				return 2;
			}
	}

	course();
	check_cases(2, "no deadlock, several orders work: yours is one of them", g[0], g[1] - 1);
	check_cases(3, "no deadlock, only one order works: yours", g[1], g[2] - 1);
	check_cases(3, "deadlocks: the same deadlocked processes as ipclab deadlock", g[2], g[3] - 1);
	check_cases(2, "processes that request nothing can always finish", g[3], g[4] - 1);
	check_cases(2, "larger systems (12 to 20 processes)", g[4], g[5] - 1);
	return grade_score();
}
