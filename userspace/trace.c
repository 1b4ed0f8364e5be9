// SPDX-License-Identifier: GPL-2.0
/*
 * ipclab trace -- COMMAND: what COMMAND's processes did with ipclab, as a
 * timeline with one column per process, the way the course draws the
 * spooler race.
 *
 * The module's trace events (ipclab:*) are recorded in a tracefs instance
 * of our own, so that another tracer on the machine is neither disturbed
 * nor seen, and only for COMMAND and its descendants (set_event_pid with
 * event-fork).  A program adds its own words with ipclab_note() (the
 * spooler: "store A0 in slot 0, overwriting B0"), which the library writes
 * to the instance's trace_marker when IPCLAB_TRACE_MARKER names it, and
 * ipclab_point() says where a process stops.  After COMMAND ends, the
 * events are read back and printed, or drawn as SVG.  Needs root (tracefs).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ipclab.h"
#include "cli.h"

#define TRACEFS		"/sys/kernel/tracing"
#define COLS_MAX	16		/* processes drawn; more are left out */
#define COL_WIDTH	30

struct ev {
	double t;		/* seconds since the first event */
	int col;
	char what[96];
};

struct timeline {
	int pids[COLS_MAX];
	char comms[COLS_MAX][17];
	int ncols, left_out;
	struct ev *evs;
	size_t n, room;
	int board;		/* the stepping board's id: its messages are points */
};

static int write_file(const char *dir, const char *file, const char *text)
{
	char path[256];
	int fd, ret = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (write(fd, text, strlen(text)) < 0)
		ret = -1;
	close(fd);
	return ret;
}

static int column(struct timeline *tl, int pid, const char *comm)
{
	int i;

	for (i = 0; i < tl->ncols; i++)
		if (tl->pids[i] == pid) {
			if (comm && !tl->comms[i][0])
				snprintf(tl->comms[i], sizeof(tl->comms[i]), "%s", comm);
			return i;
		}
	if (tl->ncols == COLS_MAX) {
		tl->left_out++;
		return -1;
	}
	tl->pids[i] = pid;
	snprintf(tl->comms[i], sizeof(tl->comms[i]), "%s", comm ? comm : "");
	return tl->ncols++;
}

static void add(struct timeline *tl, double t, int col, const char *what)
{
	if (col < 0)
		return;
	if (tl->n == tl->room) {
		size_t room = tl->room ? 2 * tl->room : 256;
		struct ev *evs = realloc(tl->evs, room * sizeof(*evs));

		if (!evs)
			return;
		tl->evs = evs;
		tl->room = room;
	}
	tl->evs[tl->n].t = t;
	tl->evs[tl->n].col = col;
	snprintf(tl->evs[tl->n].what, sizeof(tl->evs[tl->n].what), "%s", what);
	tl->n++;
}

/* "sem 5 empty": an object and the program's name for it, if it still has one. */
static void object(char *buf, size_t n, const char *kind, unsigned int id,
		   int num)
{
	char name[IPCLAB_NAME_LEN], label[IPCLAB_NAME_LEN];

	if (ipclab_get_name(id, name, sizeof(name)))
		name[0] = '\0';
	if (num >= 0) {
		if (!ipclab_member_name(name, num, label, sizeof(label)))
			snprintf(label, sizeof(label), "%u[%d]", id, num);
		snprintf(buf, n, "%s", label);
	} else if (name[0]) {
		snprintf(buf, n, "%s %s", kind, name);
	} else {
		snprintf(buf, n, "%s %u", kind, id);
	}
}

/* Value of "key=" in the event's fields, or def. */
static long long field(const char *f, const char *key, long long def)
{
	char pat[24];
	const char *p;

	snprintf(pat, sizeof(pat), " %s=", key);
	p = strstr(f, pat);
	if (!p && !strncmp(f, pat + 1, strlen(pat + 1)))
		p = f - 1;
	return p ? strtoll(p + strlen(pat), NULL, 10) : def;
}

/*
 * One line of the trace file:
 *   comm-tid [cpu] flags secs.usecs: event: fields
 */
static void parse_line(struct timeline *tl, const char *line, double *t0)
{
	char comm[64], event[48], what[256], obj[96];
	const char *p, *f;
	int tid, pid, id, len;
	double t;

	p = strstr(line, ": ");
	if (!p || line[0] == '#')
		return;
	if (sscanf(line, " %63[^[] [%*d] %*s %lf: %47[^:]: %n", comm, &t, event, &len) != 3)
		return;
	f = line + len;
	/* comm-tid: the comm may hold '-' itself; the tid follows the last. */
	p = strrchr(comm, '-');
	if (!p)
		return;
	tid = atoi(p + 1);
	comm[p - comm] = '\0';
	if (*t0 < 0)
		*t0 = t;
	t -= *t0;

	if (!strcmp(event, "tracing_mark_write")) {
		if (strncmp(f, "ipclab: ", 8))
			return;
		snprintf(what, sizeof(what), "%.*s", (int)strcspn(f + 8, "\n"), f + 8);
		add(tl, t, column(tl, tid, comm), what);
		return;
	}
	if (strncmp(event, "ipclab_", 7))
		return;
	id = (int)field(f, "id", 0);
	pid = (int)field(f, "pid", tid);
	if ((unsigned int)id == (unsigned int)tl->board && tl->board > 0)
		return;		/* the points say it better */
	what[0] = '\0';
	if (!strcmp(event, "ipclab_semop") || !strcmp(event, "ipclab_undo")) {
		int op = (int)field(f, "op", 0);

		object(obj, sizeof(obj), "sem", id, (int)field(f, "num", 0));
		if (!strcmp(event, "ipclab_undo"))
			snprintf(what, sizeof(what), "undo %+d on %s -> %lld", op, obj,
				 field(f, "value", 0));
		else if (op == -1 || op == 1)
			snprintf(what, sizeof(what), "%s(%s) -> %lld", op < 0 ? "P" : "V",
				 obj, field(f, "value", 0));
		else
			snprintf(what, sizeof(what), "%s(%s, %d) -> %lld", op < 0 ? "P" : "V",
				 obj, op < 0 ? -op : op, field(f, "value", 0));
	} else if (!strcmp(event, "ipclab_lock") || !strcmp(event, "ipclab_unlock")) {
		object(obj, sizeof(obj), "mutex", id, -1);
		snprintf(what, sizeof(what), "%s %s", event + 7, obj);
	} else if (!strcmp(event, "ipclab_send") || !strcmp(event, "ipclab_receive")) {
		object(obj, sizeof(obj), "mbox", id, -1);
		snprintf(what, sizeof(what), "%s type %lld %s %s", event + 7,
			 field(f, "type", 0), event[7] == 's' ? "to" : "from", obj);
	} else if (!strcmp(event, "ipclab_attach") || !strcmp(event, "ipclab_detach")) {
		object(obj, sizeof(obj), "shbuf", id, -1);
		snprintf(what, sizeof(what), "%s %s", event + 7, obj);
	} else if (!strcmp(event, "ipclab_block")) {
		object(obj, sizeof(obj), "object", id, -1);
		snprintf(what, sizeof(what), "blocks on %s", obj);
	} else if (!strcmp(event, "ipclab_wake")) {
		int waker = (int)field(f, "waker", 0);

		object(obj, sizeof(obj), "object", id, -1);
		if (field(f, "status", 0))
			snprintf(what, sizeof(what), "woken on %s (error %lld)", obj,
				 -field(f, "status", 0));
		else if (waker == pid)
			snprintf(what, sizeof(what), "goes on (%s)", obj);
		else
			snprintf(what, sizeof(what), "woken by %d (%s)", waker, obj);
	} else if (!strcmp(event, "ipclab_timeout") || !strcmp(event, "ipclab_signal")) {
		object(obj, sizeof(obj), "object", id, -1);
		snprintf(what, sizeof(what), "%s on %s",
			 event[7] == 't' ? "timed out" : "interrupted", obj);
	} else if (!strcmp(event, "ipclab_deadlock")) {
		object(obj, sizeof(obj), "object", id, -1);
		snprintf(what, sizeof(what), "EDEADLK on %s", obj);
	} else if (!strcmp(event, "ipclab_create") || !strcmp(event, "ipclab_remove")) {
		const char *type = strstr(f, "type=");

		type = type ? type + 5 : "?";
		snprintf(what, sizeof(what), "%s %.*s %d",
			 event[7] == 'c' ? "creates" : "removes",
			 (int)strcspn(type, " \n"), type, id);
	} else {
		return;
	}
	add(tl, t, column(tl, pid, pid == tid ? comm : NULL), what);
}

static void print_text(FILE *out, const struct timeline *tl)
{
	size_t i;
	int c;

	fprintf(out, "%10s", "ms");
	for (c = 0; c < tl->ncols; c++) {
		char head[40];

		snprintf(head, sizeof(head), "%s (%d)", tl->comms[c], tl->pids[c]);
		fprintf(out, "  %-*.*s", COL_WIDTH, COL_WIDTH, head);
	}
	fprintf(out, "\n");
	for (i = 0; i < tl->n; i++) {
		fprintf(out, "%10.3f", tl->evs[i].t * 1e3);
		for (c = 0; c < tl->evs[i].col; c++)
			fprintf(out, "  %-*s", COL_WIDTH, "|");
		fprintf(out, "  %s\n", tl->evs[i].what);
	}
	if (tl->left_out)
		fprintf(out, "(%d more processes left out: at most %d columns)\n",
			tl->left_out, COLS_MAX);
}

static void svg_text(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '<')
			fputs("&lt;", out);
		else if (*s == '>')
			fputs("&gt;", out);
		else if (*s == '&')
			fputs("&amp;", out);
		else
			fputc(*s, out);
	}
}

static int print_svg(const char *path, const struct timeline *tl)
{
	const int colw = 260, rowh = 20, top = 50, left = 80;
	FILE *out = fopen(path, "w");
	size_t i;
	int c;

	if (!out)
		return fail("writing %s", path);
	fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%zu\" "
		"font-family=\"monospace\" font-size=\"12\">\n",
		left + colw * (tl->ncols ? tl->ncols : 1), top + rowh * (tl->n + 1));
	fprintf(out, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
	for (c = 0; c < tl->ncols; c++) {
		int x = left + colw * c + colw / 2;

		fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%zu\" stroke=\"#bbb\"/>\n",
			x, top - 10, x, top + rowh * tl->n);
		fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-weight=\"bold\">",
			x, top - 20);
		svg_text(out, tl->comms[c]);
		fprintf(out, " (%d)</text>\n", tl->pids[c]);
	}
	for (i = 0; i < tl->n; i++) {
		int x = left + colw * tl->evs[i].col + colw / 2;
		size_t y = top + rowh * i + rowh / 2;

		fprintf(out, "<text x=\"4\" y=\"%zu\" fill=\"#666\">%.3f</text>\n", y + 4,
			tl->evs[i].t * 1e3);
		fprintf(out, "<rect x=\"%d\" y=\"%zu\" width=\"%d\" height=\"%d\" rx=\"4\" "
			"fill=\"#eef\" stroke=\"#88a\"/>\n", x - colw / 2 + 6, y - rowh / 2 + 2,
			colw - 12, rowh - 4);
		fprintf(out, "<text x=\"%d\" y=\"%zu\" text-anchor=\"middle\">", x, y + 4);
		svg_text(out, tl->evs[i].what);
		fprintf(out, "</text>\n");
	}
	fprintf(out, "</svg>\n");
	if (fclose(out))
		return fail("writing %s", path);
	return 0;
}

static int cmd_trace(const struct command *cmd, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "svg", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct timeline tl = { .board = -1 };
	const char *svg = NULL, *key;
	char inst[128], path[160], buf[64], *line = NULL;
	int c, go[2], status, ret = 1;
	double t0 = -1;
	size_t cap = 0;
	pid_t pid;
	FILE *f;

	while ((c = getopt_long(argc, argv, "+s:h", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			svg = optarg;
			break;
		case 'h':
			command_usage(cmd, stdout);
			return 0;
		default:
			fprintf(stderr, "try 'ipclab trace -h'\n");
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: ipclab trace [--svg FILE] [--] COMMAND [ARG...]\n"
			"try 'ipclab trace -h'\n");
		return 2;
	}
	if (ipclab_fd() < 0)
		return fail("opening /dev/ipclab");
	snprintf(inst, sizeof(inst), TRACEFS "/instances/ipclab-%d", getpid());
	if (mkdir(inst, 0700)) {
		if (errno == EACCES || errno == EPERM)
			fprintf(stderr, "ipclab: trace needs root: tracefs (%s) is root's\n",
				TRACEFS);
		else
			fail("creating the trace instance %s (is tracefs mounted?)", inst);
		return 1;
	}
	key = getenv("IPCLAB_STEP");
	if (key && *key)
		tl.board = ipclab_mbox_get((int)strtol(key, NULL, 0), 0, 0, 0, 0);

	if (pipe2(go, O_CLOEXEC))
		goto out_rmdir;
	pid = fork();
	if (pid < 0)
		goto out_rmdir;
	if (pid == 0) {
		char marker[160];

		close(go[1]);
		if (read(go[0], buf, 1) != 1)
			_exit(127);
		snprintf(marker, sizeof(marker), "%s/trace_marker", inst);
		setenv("IPCLAB_TRACE_MARKER", marker, 1);
		execvp(argv[optind], argv + optind);
		fprintf(stderr, "ipclab: running %s: %s\n", argv[optind], strerror(errno));
		_exit(127);
	}
	close(go[0]);
	snprintf(buf, sizeof(buf), "%d", pid);
	if (write_file(inst, "set_event_pid", buf) ||
	    write_file(inst, "options/event-fork", "1") ||
	    write_file(inst, "events/ipclab/enable", "1") ||
	    write_file(inst, "buffer_size_kb", "4096") ||
	    write_file(inst, "tracing_on", "1")) {
		fail("setting up the trace instance %s (is the ipclab module loaded?)", inst);
		kill(pid, SIGKILL);
		close(go[1]);
		waitpid(pid, NULL, 0);
		goto out_rmdir;
	}
	if (write(go[1], "g", 1) != 1)
		goto out_rmdir;
	close(go[1]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	write_file(inst, "tracing_on", "0");

	snprintf(path, sizeof(path), "%s/trace", inst);
	f = fopen(path, "r");
	if (!f) {
		fail("reading the trace");
		goto out_rmdir;
	}
	while (getline(&line, &cap, f) > 0)
		parse_line(&tl, line, &t0);
	free(line);
	fclose(f);

	fprintf(stderr, "ipclab trace: %s exited with status %d; %zu events\n",
		argv[optind], WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
		tl.n);
	print_text(stdout, &tl);
	ret = svg ? print_svg(svg, &tl) : 0;
	if (!ret && WIFEXITED(status))
		ret = WEXITSTATUS(status) ? 1 : 0;
out_rmdir:
	free(tl.evs);
	if (rmdir(inst))
		fprintf(stderr, "ipclab: removing the trace instance %s: %s\n", inst,
			strerror(errno));
	return ret;
}

const struct command trace_command = {
	.name = "trace",
	.run = cmd_trace,
	.synopsis = "trace [--svg FILE] [--] COMMAND [ARG...]",
	.summary = "run COMMAND, then its processes' ipclab operations as a timeline",
	.help =
		"Run COMMAND with ipclab's trace events recorded for it and its\n"
		"descendants, then print a timeline: one column per process, one row per\n"
		"event (P, V, lock, unlock, send, receive, attach, detach, block, woken by\n"
		"whom, timeout, EDEADLK), with milliseconds since the first one, and the\n"
		"programs' own notes (ipclab_note()) and points (ipclab_point()).\n"
		"Needs root (tracefs); uses a trace instance of its own.\n"
		"\n"
		"  --svg FILE        also draw the timeline as SVG\n"
		"\n"
		"Exit status: COMMAND's (1 if it failed), 1 error, 2 usage error.\n",
};
