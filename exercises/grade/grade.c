// SPDX-License-Identifier: GPL-2.0
/*
 * The autograder's library (grade.h): runs a submission's program with a
 * timeout, records ipclab's trace events while it runs, and keeps the
 * score.
 *
 * The events go to a trace instance of the grader's own
 * (instances/ipclab-grade), made and enabled once and then left enabled:
 * every run only empties its buffer and switches it on and off, so that
 * grading many submissions in one boot does not patch the kernel's text
 * for each run.  Nothing but the graded program uses ipclab while it runs
 * (the grader runs alone in the lab VM), so every event of the run is
 * the program's.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "grade.h"

#define INSTANCE	"/sys/kernel/tracing/instances/ipclab-grade"

static const char *bindir = ".";
static const char *exercise;
static bool traced;
static int got, max;

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "grade %s: ", exercise ? exercise : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", strerror(errno));
	exit(2);
}

static int write_file(const char *file, const char *text)
{
	char path[256];
	int fd, ret = 0;

	snprintf(path, sizeof(path), INSTANCE "/%s", file);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (write(fd, text, strlen(text)) < 0)
		ret = -1;
	close(fd);
	return ret;
}

/* The whole of a file, NUL-terminated ("" when it cannot be read). */
static char *read_all(const char *path)
{
	size_t n = 0, room = 4096;
	char *buf = malloc(room);
	ssize_t got_now;
	int fd;

	if (!buf)
		die("allocating");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	while (fd >= 0 && (got_now = read(fd, buf + n, room - n - 1)) > 0) {
		n += got_now;
		if (room - n < 2) {
			room *= 2;
			buf = realloc(buf, room);
			if (!buf)
				die("allocating");
		}
	}
	if (fd >= 0)
		close(fd);
	buf[n] = '\0';
	return buf;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void grade_begin(const char *name, int argc, char **argv)
{
	int i;

	exercise = name;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--bin") && i + 1 < argc) {
			bindir = argv[++i];
		} else {
			fprintf(stderr, "usage: %s [--bin DIR]\n", argv[0]);
			exit(2);
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("grade: %s (%s)\n", exercise, bindir);
	if (mkdir(INSTANCE, 0700) && errno != EEXIST) {
		printf("note: no trace instance (%s): graded without the kernel's events\n",
		       strerror(errno));
		return;
	}
	traced = !write_file("events/ipclab/enable", "1") &&
		 !write_file("buffer_size_kb", "4096");
	if (!traced)
		printf("note: the ipclab trace events cannot be enabled: graded without them\n");
}

/* "comm-tid [cpu] flags ts: ipclab_NAME: args" */
static void parse_event(struct grade_run *r, char *line, size_t *room, double *t0)
{
	struct grade_ev *e;
	char *ev = strstr(line, ": ipclab_"), *p, *dash, *bracket;
	double t;

	if (line[0] == '#' || !ev)
		return;
	bracket = strstr(line, " [");
	if (!bracket || bracket > ev)
		return;
	*bracket = '\0';
	dash = strrchr(line, '-');
	for (p = ev; p > bracket + 1 && p[-1] != ' '; p--)
		;
	t = strtod(p, NULL);
	if (!dash)
		return;
	if (r->nev == *room) {
		*room = *room ? 2 * *room : 256;
		r->ev = realloc(r->ev, *room * sizeof(*r->ev));
		if (!r->ev)
			die("allocating");
	}
	e = &r->ev[r->nev++];
	memset(e, 0, sizeof(*e));
	if (r->nev == 1)
		*t0 = t;
	e->t = t - *t0;
	e->tid = atoi(dash + 1);
	*dash = '\0';
	for (p = line; *p == ' '; p++)
		;
	snprintf(e->comm, sizeof(e->comm), "%s", p);
	ev += strlen(": ipclab_");
	p = strchr(ev, ':');
	if (!p)
		p = ev + strlen(ev);
	snprintf(e->name, sizeof(e->name), "%.*s", (int)(p - ev), ev);
	if (*p)
		p++;
	while (*p == ' ')
		p++;
	snprintf(e->args, sizeof(e->args), "%s", p);
	e->args[strcspn(e->args, "\n")] = '\0';
}

static void read_events(struct grade_run *r)
{
	char *text = read_all(INSTANCE "/trace"), *line, *next;
	double t0 = 0;
	size_t room = 0;

	for (line = text; *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		else
			next = line + strlen(line);
		parse_event(r, line, &room, &t0);
	}
	free(text);
}

/* COMMAND's output (stdout and stderr), as the lab VM's root runs it. */
static char *capture(const char *command)
{
	char path[] = "/tmp/grade-cmd-XXXXXX", cmd[512], *text;
	int fd = mkstemp(path);

	if (fd < 0)
		die("making a temporary file");
	close(fd);
	snprintf(cmd, sizeof(cmd), "%s >%s 2>&1", command, path);
	if (system(cmd) < 0)
		die("running %s", command);
	text = read_all(path);
	unlink(path);
	return text;
}

static int tmpfile_fd(char *path)
{
	int fd = mkstemp(path);

	if (fd < 0)
		die("making a temporary file");
	return fd;
}

struct grade_run *grade_run(double timeout, const char *prog, ...)
{
	char out[] = "/tmp/grade-out-XXXXXX", err[] = "/tmp/grade-err-XXXXXX";
	char facts[] = "/tmp/grade-facts-XXXXXX", path[512];
	struct grade_run *r = calloc(1, sizeof(*r));
	const char *argv[32];
	struct rusage ru;
	int fdo, fde, fdf, status = 0, n = 0;
	double start;
	va_list ap;
	pid_t pid, w;

	if (!r)
		die("allocating");
	snprintf(path, sizeof(path), "%s/%s", bindir, prog);
	argv[n++] = path;
	va_start(ap, prog);
	while (n < 31 && (argv[n] = va_arg(ap, const char *)))
		n++;
	va_end(ap);
	argv[n] = NULL;

	/* An empty machine: nothing left over from the run before. */
	if (system("ipclab rm -a >/dev/null 2>&1") < 0)
		die("running ipclab rm -a");
	fdo = tmpfile_fd(out);
	fde = tmpfile_fd(err);
	fdf = tmpfile_fd(facts);
	close(fdf);
	if (traced) {
		write_file("trace", "");
		write_file("tracing_on", "1");
	}
	fflush(stdout);
	start = now();
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		setpgid(0, 0);
		setenv("GRADE_FACTS", facts, 1);
		dup2(fdo, 1);
		dup2(fde, 2);
		execv(path, (char **)argv);
		fprintf(stderr, "grade: running %s: %s\n", path, strerror(errno));
		_exit(127);
	}
	setpgid(pid, pid);
	close(fdo);
	close(fde);
	for (;;) {
		w = wait4(pid, &status, WNOHANG, &ru);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR)
			die("waiting for %s", path);
		if (now() - start > timeout) {
			r->hung = true;
			if (traced)
				write_file("tracing_on", "0");
			r->deadlock = capture("ipclab deadlock");
			r->rooms = capture("ipclab ls");
			kill(-pid, SIGKILL);
			while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR)
				;
			break;
		}
		usleep(5000);
	}
	r->wall = now() - start;
	/* Children it did not wait for are the run's too: they go now. */
	kill(-pid, SIGKILL);
	if (traced) {
		write_file("tracing_on", "0");
		read_events(r);
	}
	r->cpu = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
		 ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	r->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	r->out = read_all(out);
	r->err = read_all(err);
	r->facts = read_all(facts);
	unlink(out);
	unlink(err);
	unlink(facts);
	return r;
}

void grade_free(struct grade_run *r)
{
	if (!r)
		return;
	free(r->out);
	free(r->err);
	free(r->ev);
	free(r->facts);
	free(r->deadlock);
	free(r->rooms);
	free(r);
}

long grade_arg(const struct grade_ev *e, const char *key, long dflt)
{
	size_t len = strlen(key);
	const char *p = e->args;

	while ((p = strstr(p, key))) {
		if ((p == e->args || p[-1] == ' ') && p[len] == '=')
			return strtol(p + len + 1, NULL, 0);
		p += len;
	}
	return dflt;
}

const char *grade_fact(const struct grade_run *r, const char *key)
{
	static char value[256];
	size_t len = strlen(key);
	const char *p = r->facts;

	while (p && *p) {
		if (!strncmp(p, key, len) && p[len] == ' ') {
			p += len + 1;
			snprintf(value, sizeof(value), "%.*s", (int)strcspn(p, "\n"), p);
			return value;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return NULL;
}

long grade_fact_num(const struct grade_run *r, const char *key, long dflt)
{
	const char *v = grade_fact(r, key);

	return v ? strtol(v, NULL, 0) : dflt;
}

/* Names for feedback: eight at once in one printf. */
#define RING_LEN	64
static char *ring(void)
{
	static char names[8][RING_LEN];
	static unsigned int next;

	return names[next++ % 8];
}

const char *grade_comm(const struct grade_run *r, int tid)
{
	char *name = ring();
	const char *v;
	char key[32];
	size_t i;

	snprintf(key, sizeof(key), "pid.%d", tid);
	v = grade_fact(r, key);
	if (v) {
		snprintf(name, RING_LEN, "%s", v);
		return name;
	}
	for (i = 0; i < r->nev; i++)
		if (r->ev[i].tid == tid)
			return r->ev[i].comm;
	snprintf(name, RING_LEN, "process %d", tid);
	return name;
}

const char *grade_obj(const struct grade_run *r, long id)
{
	char *name = ring();
	const char *v;
	char key[32];

	snprintf(key, sizeof(key), "name.%ld", id);
	v = grade_fact(r, key);
	if (v)
		snprintf(name, RING_LEN, "%s", v);
	else
		snprintf(name, RING_LEN, "object %ld", id);
	return name;
}

long grade_named(const struct grade_run *r, const char *name)
{
	const char *p = r->facts;
	char got[64];
	long id;

	while (p && *p) {
		if (sscanf(p, "name.%ld %63s", &id, got) == 2 && !strcmp(got, name))
			return id;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -1;
}

long grade_pid(const struct grade_run *r, const char *name)
{
	const char *p = r->facts;
	char who[64];
	long pid;

	while (p && *p) {
		if (sscanf(p, "pid.%ld %63s", &pid, who) == 2 && !strcmp(who, name))
			return pid;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return 0;
}

bool grade_is(const struct grade_run *r, long pid, const char *prefix)
{
	return !strncmp(grade_comm(r, pid), prefix, strlen(prefix));
}

int grade_count(const struct grade_run *r, const char *name, long id, long pid)
{
	size_t i;
	int n = 0;

	for (i = 0; i < r->nev; i++)
		if (!strcmp(r->ev[i].name, name) &&
		    (id < 0 || grade_arg(&r->ev[i], "id", -1) == id) &&
		    (!pid || grade_arg(&r->ev[i], "pid", 0) == pid))
			n++;
	return n;
}

double grade_most_cpu(const struct grade_run *r, const char *prefix, char *who, size_t size)
{
	const char *p = r->facts;
	double most = 0, cpu;
	char name[64];

	if (size)
		who[0] = '\0';
	while (p && *p) {
		if (sscanf(p, "cpu.%63s %lf", name, &cpu) == 2 &&
		    !strncmp(name, prefix, strlen(prefix)) && cpu >= most) {
			most = cpu;
			snprintf(who, size, "%s", name);
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return most;
}

bool grade_check(int points, bool ok, const char *what, const char *fmt, ...)
{
	char feedback[1024] = "";
	va_list ap;

	max += points;
	if (ok) {
		got += points;
		printf("PASS [%d/%d] %s\n", points, points, what);
		return true;
	}
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(feedback, sizeof(feedback), fmt, ap);
		va_end(ap);
	}
	feedback[strcspn(feedback, "\n")] = '\0';
	printf("FAIL [0/%d] %s\n", points, what);
	if (feedback[0])
		printf("     -> %s\n", feedback);
	return false;
}

/* The detector's lines after "DEADLOCK:", joined with "; ". */
static void deadlock_summary(const char *text, char *buf, size_t size)
{
	const char *p = strstr(text, "DEADLOCK:"), *end;
	size_t n = 0;

	buf[0] = '\0';
	if (!p) {
		p = strstr(text, "No deadlock");
		snprintf(buf, size, "%.*s", p ? (int)strcspn(p, "\n") : 0, p ? p : "");
		return;
	}
	p = strchr(p, '\n');
	while (p && p[1] == ' ' && n + 4 < size) {
		p++;
		while (*p == ' ')
			p++;
		end = p + strcspn(p, "\n");
		n += snprintf(buf + n, size - n, "%s%.*s", n ? "; " : "", (int)(end - p), p);
		p = *end ? end : NULL;
	}
	if (n + 16 < size)
		snprintf(buf + n, size - n, " -> deadlock");
}

const char *grade_why(const struct grade_run *r)
{
	static char why[1024];
	char verdict[900];
	const char *last;
	size_t len;

	if (r->hung) {
		deadlock_summary(r->deadlock ? r->deadlock : "", verdict, sizeof(verdict));
		snprintf(why, sizeof(why), "still running after %.0f s, killed; ipclab deadlock: %s",
			 r->wall, verdict[0] ? verdict : "(no verdict)");
		return why;
	}
	if (r->status == 0)
		return NULL;
	/* The last line of stderr says most often what went wrong. */
	len = strlen(r->err);
	while (len && r->err[len - 1] == '\n')
		len--;
	for (last = r->err + len; last > r->err && last[-1] != '\n'; last--)
		;
	if (r->status > 128)
		snprintf(why, sizeof(why), "killed by signal %d (%s)%s%.*s", r->status - 128,
			 strsignal(r->status - 128), len ? ": " : "",
			 (int)(r->err + len - last), last);
	else
		snprintf(why, sizeof(why), "exited with status %d%s%.*s", r->status,
			 len ? ": " : "", (int)(r->err + len - last), last);
	return why;
}

/* What makes the lab VM fail a run (scripts/vm-init's SPLATS). */
#define SPLATS	"BUG:|WARNING:|Oops|UBSAN:|KASAN:|kmemleak:|INFO: task .* blocked|soft lockup|" \
		"rcu.*stall|inconsistent lock state|possible (recursive|circular) locking|" \
		"suspicious RCU usage|sleeping function called from invalid context|" \
		"general protection fault|list_(add|del) corruption|ODEBUG:"
#define KMEMLEAK "/sys/kernel/debug/kmemleak"

/* Prints text under a check, each line indented, at most lines of it. */
static void print_verbatim(const char *text, int lines)
{
	const char *p = text, *end;

	while (*p && lines-- > 0) {
		end = p + strcspn(p, "\n");
		printf("     | %.*s\n", (int)(end - p), p);
		p = *end ? end + 1 : end;
	}
}

bool grade_kernel_quiet(int points, bool unload)
{
	char *splat, *leaks = NULL, first[256];
	bool ok;

	splat = capture("dmesg | grep -E -A 30 '" SPLATS "' | head -n 60");
	if (unload && !splat[0]) {
		if (system("rmmod ipclab") != 0) {
			free(splat);
			splat = strdup("rmmod ipclab failed: the module is still in use");
		} else if (access(KMEMLEAK, W_OK) == 0) {
			/* kmemleak ignores objects younger than 5 s. */
			sleep(6);
			leaks = capture("echo scan >" KMEMLEAK "; echo scan >" KMEMLEAK
					"; cat " KMEMLEAK);
		}
		if (system("insmod /ipclab/ipclab.ko") != 0)
			printf("note: loading /ipclab/ipclab.ko again failed\n");
	}
	ok = !splat[0] && (!leaks || !leaks[0]);
	snprintf(first, sizeof(first), "%.*s", (int)strcspn(splat[0] ? splat : leaks ? leaks : "",
							     "\n"), splat[0] ? splat : leaks ? leaks : "");
	grade_check(points, ok, unload ? "the kernel stayed quiet (lockdep, KASAN, kmemleak)" :
		    "the kernel stayed quiet (lockdep, KASAN)",
		    "%s%s", splat[0] ? "the kernel complained: " : "kmemleak: ", first);
	if (!ok)
		print_verbatim(splat[0] ? splat : leaks, 40);
	free(splat);
	free(leaks);
	return ok;
}

int grade_score(void)
{
	printf("score: %d/%d\n", got, max);
	return got == max ? 0 : 1;
}
