// SPDX-License-Identifier: GPL-2.0
/*
 * Deadlock detection with the course's matrices: the given program, which
 * runs your detect.c.
 *
 * Reads E, A, C and R from a matrices file (the format of "ipclab deadlock
 * --matrices FILE": docs/deadlock.md), calls detect() and prints what it
 * found, the processes numbered from 1 as the course numbers them:
 *
 *	order: 3 2 1			the processes that can finish, in order
 *	deadlocked: none		(or "order: none", "deadlocked: 1 3")
 *
 * It exits with 0 when detect()'s answer is consistent (every process is
 * either in the order, once, or deadlocked), 1 when it is not, 2 when the
 * file cannot be read.  Whether the answer is right, "ipclab deadlock
 * --matrices FILE" says, step by step.
 *
 * usage: matrices FILE		(FILE "-": standard input)
 */
#include "exercise.h"
#include "matrices.h"

#define COUNT_MAX	1000000

static const char *path;

static void __attribute__((noreturn, format(printf, 2, 3)))
bad(int line, const char *fmt, ...)
{
	va_list ap;

	if (line)
		fprintf(stderr, "matrices: %s:%d: ", path, line);
	else
		fprintf(stderr, "matrices: %s: ", path);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

/* The numbers of a line after its first word; returns how many. */
static int numbers(int line, char *rest, int v[MAX_CLASSES])
{
	char *tok, *end;
	long x;
	int n = 0;

	for (tok = strtok(rest, " \t\r\n"); tok; tok = strtok(NULL, " \t\r\n")) {
		if (n == MAX_CLASSES)
			bad(line, "more than %d resource classes", MAX_CLASSES);
		errno = 0;
		x = strtol(tok, &end, 10);
		if (errno || *end || end == tok || x < 0 || x > COUNT_MAX)
			bad(line, "'%s' is not a count (0 to %d)", tok, COUNT_MAX);
		v[n++] = x;
	}
	return n;
}

/*
 * A matrices file: "#" starts a comment; a line starts with "names"
 * (ignored here), "E" (once), "A" (once, optional: E minus the column
 * sums of C), "C" or "R" (one of each per process, in order).
 */
static void read_matrices(FILE *in, struct matrices *m)
{
	int line = 0, lineE = 0, lineA = 0, nC = 0, nR = 0, n, p, r, held;
	int first = 0, len = 0;		/* the first vector's line and length */
	char buf[4096], *word, *rest;
	int v[MAX_CLASSES];

	memset(m, 0, sizeof(*m));
	while (fgets(buf, sizeof(buf), in)) {
		line++;
		if (!strchr(buf, '\n') && !feof(in))
			bad(line, "line too long");
		buf[strcspn(buf, "#")] = '\0';
		word = strtok(buf, " \t\r\n");
		if (!word || !strcmp(word, "names"))
			continue;
		rest = strtok(NULL, "");
		n = numbers(line, rest ? rest : (char[]){ "" }, v);
		if (!strcmp(word, "E") || !strcmp(word, "A")) {
			int *seen = word[0] == 'E' ? &lineE : &lineA;

			if (*seen)
				bad(line, "a second %s line (the first is line %d)", word, *seen);
			*seen = line;
			if (word[0] == 'E') {
				m->nres = n;
				memcpy(m->E, v, sizeof(v));
			} else {
				memcpy(m->A, v, sizeof(v));
			}
		} else if (!strcmp(word, "C") || !strcmp(word, "R")) {
			int *rows = word[0] == 'C' ? &nC : &nR;

			if (*rows == MAX_PROCS)
				bad(line, "more than %d processes", MAX_PROCS);
			memcpy(word[0] == 'C' ? m->C[*rows] : m->R[*rows], v, sizeof(v));
			(*rows)++;
		} else {
			bad(line, "'%s': a line starts with E, A, C, R or names", word);
		}
		/* Every vector as long as the first (and so as E). */
		if (!first) {
			first = line;
			len = n;
		} else if (n != len) {
			bad(line, "%d numbers, but line %d has %d", n, first, len);
		}
	}
	if (ferror(in))
		bad(0, "%s", strerror(errno));
	if (!lineE)
		bad(0, "no E line");
	if (!m->nres)
		bad(lineE, "E has no numbers");
	if (nC != nR)
		bad(0, "%d rows of C but %d of R: each process has one of each", nC, nR);
	m->nproc = nC;
	for (r = 0; r < m->nres; r++) {
		for (held = 0, p = 0; p < m->nproc; p++)
			held += m->C[p][r];
		if (!lineA)
			m->A[r] = m->E[r] - held;
		if (m->A[r] < 0)
			bad(lineE, "class %d: C holds %d but E says %d exist", r + 1, held, m->E[r]);
		if (m->A[r] != m->E[r] - held)
			bad(lineA, "class %d: A says %d, but E minus what C holds is %d",
			    r + 1, m->A[r], m->E[r] - held);
	}
}

/* "3 2 1", or "none". */
static void print_list(const char *title, const int *v, int n)
{
	int i;

	printf("%s:", title);
	for (i = 0; i < n; i++)
		printf(" %d", v[i] + 1);
	printf("%s\n", n ? "" : " none");
}

int main(int argc, char **argv)
{
	int order[MAX_PROCS], dead[MAX_PROCS], times[MAX_PROCS] = { 0 };
	bool deadlocked[MAX_PROCS];
	struct matrices m, copy;
	int n, ndead = 0, p, i;
	const char *wrong = NULL;
	FILE *in;

	if (argc != 2) {
		fprintf(stderr, "usage: %s FILE   (the format of ipclab deadlock --matrices; '-': stdin)\n",
			argv[0]);
		return 2;
	}
	path = argv[1];
	in = strcmp(path, "-") ? fopen(path, "r") : stdin;
	if (!in)
		die("matrices: %s", path);
	read_matrices(in, &m);
	if (in != stdin)
		fclose(in);

	copy = m;
	n = detect(&copy, order, deadlocked);

	if (n < 0 || n > m.nproc) {
		fprintf(stderr, "matrices: detect() returned %d: it marks 0 to %d processes\n",
			n, m.nproc);
		return 1;
	}
	for (i = 0; i < n; i++) {
		if (order[i] < 0 || order[i] >= m.nproc) {
			fprintf(stderr, "matrices: order[%d] is %d: the rows are 0 to %d\n",
				i, order[i], m.nproc - 1);
			return 1;
		}
		times[order[i]]++;
	}
	for (p = 0; p < m.nproc; p++)
		if (deadlocked[p])
			dead[ndead++] = p;
	print_list("order", order, n);
	print_list("deadlocked", dead, ndead);
	fact("finished", "%d", n);
	fact("deadlocked", "%d", ndead);

	for (p = 0; p < m.nproc; p++) {
		if (times[p] > 1)
			wrong = "is in the order more than once";
		else if (times[p] && deadlocked[p])
			wrong = "is in the order and deadlocked";
		else if (!times[p] && !deadlocked[p])
			wrong = "is neither in the order nor deadlocked";
		if (wrong) {
			fprintf(stderr, "matrices: process %d %s\n", p + 1, wrong);
			return 1;
		}
	}
	if (memcmp(&copy, &m, sizeof(m))) {
		fprintf(stderr, "matrices: detect() changed the matrices it was given\n");
		return 1;
	}
	return 0;
}
