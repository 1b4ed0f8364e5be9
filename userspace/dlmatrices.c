// SPDX-License-Identifier: GPL-2.0
/*
 * The deadlock model of a matrices file: E, A, C and R as the course
 * writes them on paper, read and checked line by line, with a message
 * that names the line of each mistake.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* The largest count a matrices file may give, so that sums cannot overflow. */
#define MATRIX_MAX	1000000

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
			m->C[DL_CELL(m, i, r)] = f->C[i].v[r];
			m->R[DL_CELL(m, i, r)] = f->R[i].v[r];
		}
	}
	for (r = 0; r < n; r++) {
		m->res[r].kind = DL_CLASS;
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

int dl_read_matrices(struct dl *m, const char *path)
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

