// SPDX-License-Identifier: GPL-2.0
/*
 * "ipclab graph": the model as the course's resource-allocation graph,
 * in Graphviz DOT, or rendered to PNG by Graphviz's dot.  The cycles
 * (dl_cycles()) are drawn red, the deadlocked processes filled.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

/* DOT node names: p<pid> / p<row>, sem_<id>_<num>, mutex_<id>, r<column>. */
static void node_proc(char *buf, size_t n, const struct dl *m, unsigned int p)
{
	snprintf(buf, n, "p%d", m->source ? (int)p + 1 : m->proc[p].pid);
}

static void node_res(char *buf, size_t n, const struct dl *m, unsigned int r)
{
	const struct dl_res *d = &m->res[r];

	switch (d->kind) {
	case DL_SEM:
		snprintf(buf, n, "sem_%u_%u", d->id, d->num);
		break;
	case DL_MUTEX:
		snprintf(buf, n, "mutex_%u", d->id);
		break;
	case DL_CLASS:
		snprintf(buf, n, "r%u", r + 1);
		break;
	}
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

int dl_print_dot(FILE *out, const struct dl *m)
{
	char a[48], b[48];
	struct dl_cycles t;
	unsigned int p, r, i, ncycle = 0;

	if (dl_cycles(m, &t))
		return -1;
	for (p = 0; p < m->nproc; p++)
		ncycle += dl_on_cycle(&t, p);

	fprintf(out, "// The resource-allocation graph of %s, as \"ipclab graph\" draws it:\n"
		"// processes are circles, resources boxes with a dot per instance;\n"
		"// resource -> process: it holds that many; process -> resource: it\n"
		"// waits for that many (dotted: for the value zero).  Red: on a cycle.\n",
		m->source ? m->source : "/dev/ipclab");
	fprintf(out, "digraph ipclab {\n");
	fprintf(out, "\tgraph [labelloc=t, fontname=\"Helvetica\", label=\"");
	if (dl_deadlocked(m)) {
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
		if (dl_on_cycle(&t, p))
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
		if (dl_on_cycle(&t, m->nproc + r))
			fprintf(out, ", color=red, fontcolor=red, penwidth=2");
		fprintf(out, "];\n");
	}
	for (r = 0; r < m->nres; r++) {
		for (p = 0; p < m->nproc; p++) {
			int c = m->C[DL_CELL(m, p, r)], q = m->R[DL_CELL(m, p, r)];
			bool red;

			node_res(a, sizeof(a), m, r);
			node_proc(b, sizeof(b), m, p);
			if (c) {
				red = dl_arrow_on_cycle(&t, m->nproc + r, p);
				dot_arrow(out, a, b, c, red);
			}
			if (q) {
				red = dl_arrow_on_cycle(&t, p, m->nproc + r);
				dot_arrow(out, b, a, q, red);
			}
			if (m->Z[DL_CELL(m, p, r)])
				fprintf(out, "\t%s -> %s [label=\"=0\", style=dotted];\n", b, a);
		}
	}
	fprintf(out, "}\n");
	dl_cycles_free(&t);
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
int dl_render_png(const struct dl *m, const char *png)
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
	dl_print_dot(to, m);
	fclose(to);
	if (waitpid(pid, &st, 0) < 0)
		return fail("waiting for dot");
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		fprintf(stderr, "ipclab: dot failed to write %s\n", png);
		return 1;
	}
	return 0;
}

