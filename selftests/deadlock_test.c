// SPDX-License-Identifier: GPL-2.0
/*
 * Deadlocks: IPCLAB_IOC_SNAPSHOT, IPCLAB_REFUSE_DEADLOCK and
 * IPCLAB_IOC_CYCLE, the trace events, and what "ipclab deadlock" and
 * "ipclab graph" (userspace/deadlock.c and its dl*.c) make of real
 * blocked processes.
 *
 * The command is run as a user runs it, from the PATH, with its standard
 * output and error read separately; its --json output is parsed by a
 * small JSON reader and its DOT output by a small parser of the DOT that
 * "ipclab graph" writes, and both are checked against the state the test
 * built.  The "matrices" tests need only the command, not the module.
 *
 * The processes of each scenario are forked children that hold what they
 * are told, report on a pipe, and block in an ioctl; the test waits until
 * IPCLAB_IOC_STAT shows each one queued before it looks.
 */
#include <ctype.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "ipclab_test.h"

#define OUT_MAX		(256 * 1024)
#define ERR_MAX		4096
/* Exit status of "ipclab deadlock" when it finds a deadlock. */
#define EXIT_DEADLOCK	3

/* ------------------------------------------------------------------ */
/* Running the command                                                 */
/* ------------------------------------------------------------------ */

struct run {
	int status;		/* exit status; -1: killed, 127: not found */
	char out[OUT_MAX];
	char err[ERR_MAX];
};

/* Read what is there from *fd into buf (up to n - 1); -1 at EOF. */
static void drain(int *fd, char *buf, size_t n, size_t *len)
{
	char junk[4096];
	ssize_t got;

	if (*len < n - 1)
		got = read(*fd, buf + *len, n - 1 - *len);
	else
		got = read(*fd, junk, sizeof(junk));	/* too much: drop it */
	if (got <= 0) {
		close(*fd);
		*fd = -1;
		return;
	}
	if (*len < n - 1)
		*len += got;
	buf[*len] = 0;
}

/*
 * Run argv (found on the PATH) with input on its standard input (NULL:
 * /dev/null), collect its standard output and error, and wait at most
 * 60 s for it.  Returns its exit status, also in r->status.
 */
static int run_argv(struct run *r, const char *input, const char *const argv[])
{
	int in[2], out[2], err[2], st = 0;
	size_t olen = 0, elen = 0;
	__u64 deadline = mono_ns() + 60 * NSEC_PER_SEC;
	pid_t pid;

	r->out[0] = r->err[0] = 0;
	r->status = -1;
	if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC))
		return -1;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(in[0], STDIN_FILENO);
		dup2(out[1], STDOUT_FILENO);
		dup2(err[1], STDERR_FILENO);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	close(err[1]);
	if (input && write(in[1], input, strlen(input)) != (ssize_t)strlen(input))
		fprintf(stderr, "# could not write the input of %s\n", argv[0]);
	close(in[1]);
	while (out[0] >= 0 || err[0] >= 0) {
		struct pollfd p[2] = {
			{ .fd = out[0], .events = POLLIN },
			{ .fd = err[0], .events = POLLIN },
		};

		if (mono_ns() > deadline) {
			kill(pid, SIGKILL);
			break;
		}
		if (poll(p, 2, 1000) <= 0)
			continue;
		if (p[0].revents)
			drain(&out[0], r->out, sizeof(r->out), &olen);
		if (p[1].revents)
			drain(&err[0], r->err, sizeof(r->err), &elen);
	}
	if (out[0] >= 0)
		close(out[0]);
	if (err[0] >= 0)
		close(err[0]);
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return r->status = -1;
	return r->status = WEXITSTATUS(st);
}

#define RUN(r, input, ...) \
	run_argv((r), (input), (const char *const[]){ __VA_ARGS__, NULL })

/*
 * With IPCLAB_SHOW_OUTPUT set, print what the command printed, as TAP
 * comments: how to see what ipclab says about a scenario.
 */
static void show_output(const char *what, const struct run *r)
{
	const char *p, *nl;

	if (!getenv("IPCLAB_SHOW_OUTPUT"))
		return;
	printf("# ---- %s (exit %d) ----\n", what, r->status);
	for (p = r->out; *p; p = nl + 1) {
		nl = strchrnul(p, '\n');
		printf("# %.*s\n", (int)(nl - p), p);
		if (!*nl)
			break;
	}
	fflush(stdout);
}

/* Skip unless "ipclab" can be run from the PATH. */
#define NEED_CLI() do {							\
	static struct run __r;						\
	if (RUN(&__r, NULL, "ipclab", "-h") == 127)			\
		SKIP(return, "the ipclab command is not on the PATH");	\
} while (0)

/* ------------------------------------------------------------------ */
/* A small JSON reader                                                 */
/* ------------------------------------------------------------------ */

enum { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

/* A parsed value.  Nothing is freed: each test is a process of its own. */
struct json {
	int type;
	long long num;		/* J_NUM (integers only), J_BOOL */
	char *str;		/* J_STR */
	unsigned int n;		/* J_ARR, J_OBJ: number of items */
	struct json **items;
	char **keys;		/* J_OBJ */
};

static struct json *json_parse_value(const char **p, int depth);

static void jws(const char **p)
{
	while (**p == ' ' || **p == '\n' || **p == '\t' || **p == '\r')
		(*p)++;
}

static char *json_parse_string(const char **p)
{
	size_t len = 0;
	char *s;

	if (**p != '"')
		return NULL;
	s = calloc(strlen(*p) + 1, 1);
	for ((*p)++; **p != '"'; (*p)++) {
		if (!**p || (unsigned char)**p < 0x20)
			return NULL;
		if (**p == '\\') {
			(*p)++;
			switch (**p) {
			case 'n':
				s[len++] = '\n';
				break;
			case 't':
				s[len++] = '\t';
				break;
			case 'u':
				for (int i = 1; i <= 4; i++)
					if (!isxdigit((unsigned char)(*p)[i]))
						return NULL;
				*p += 4;
				s[len++] = '?';
				break;
			case '"': case '\\': case '/':
				s[len++] = **p;
				break;
			default:
				return NULL;
			}
			continue;
		}
		s[len++] = **p;
	}
	(*p)++;
	return s;
}

static struct json *json_new(int type)
{
	struct json *j = calloc(1, sizeof(*j));

	j->type = type;
	return j;
}

static bool json_add(struct json *j, char *key, struct json *v)
{
	if (!v)
		return false;
	j->items = realloc(j->items, (j->n + 1) * sizeof(*j->items));
	j->keys = realloc(j->keys, (j->n + 1) * sizeof(*j->keys));
	j->items[j->n] = v;
	j->keys[j->n++] = key;
	return true;
}

static struct json *json_parse_list(const char **p, int type, int depth)
{
	struct json *j = json_new(type);
	char close = type == J_OBJ ? '}' : ']';

	(*p)++;
	jws(p);
	if (**p == close) {
		(*p)++;
		return j;
	}
	for (;;) {
		char *key = NULL;

		jws(p);
		if (type == J_OBJ) {
			key = json_parse_string(p);
			jws(p);
			if (!key || **p != ':')
				return NULL;
			(*p)++;
		}
		if (!json_add(j, key, json_parse_value(p, depth + 1)))
			return NULL;
		jws(p);
		if (**p == close) {
			(*p)++;
			return j;
		}
		if (**p != ',')
			return NULL;
		(*p)++;
	}
}

static struct json *json_parse_value(const char **p, int depth)
{
	struct json *j;
	char *end;

	if (depth > 32)
		return NULL;
	jws(p);
	switch (**p) {
	case '{':
		return json_parse_list(p, J_OBJ, depth);
	case '[':
		return json_parse_list(p, J_ARR, depth);
	case '"':
		j = json_new(J_STR);
		j->str = json_parse_string(p);
		return j->str ? j : NULL;
	case 't': case 'f': case 'n':
		if (!strncmp(*p, "true", 4) || !strncmp(*p, "null", 4)) {
			j = json_new(**p == 't' ? J_BOOL : J_NULL);
			j->num = **p == 't';
			*p += 4;
			return j;
		}
		if (!strncmp(*p, "false", 5)) {
			*p += 5;
			return json_new(J_BOOL);
		}
		return NULL;
	default:
		if (**p != '-' && !isdigit((unsigned char)**p))
			return NULL;
		j = json_new(J_NUM);
		errno = 0;
		j->num = strtoll(*p, &end, 10);
		if (errno || end == *p || *end == '.' || *end == 'e' || *end == 'E')
			return NULL;	/* only integers are expected here */
		*p = end;
		return j;
	}
}

/* The whole of s as one JSON value, or NULL if it is not JSON. */
static struct json *json_parse(const char *s)
{
	struct json *j = json_parse_value(&s, 0);

	if (!j)
		return NULL;
	jws(&s);
	return *s ? NULL : j;
}

/* o[key], or NULL. */
static struct json *jget(const struct json *o, const char *key)
{
	unsigned int i;

	if (!o || o->type != J_OBJ)
		return NULL;
	for (i = 0; i < o->n; i++)
		if (!strcmp(o->keys[i], key))
			return o->items[i];
	return NULL;
}

/* a[i], or NULL. */
static struct json *jat(const struct json *a, unsigned int i)
{
	if (!a || a->type != J_ARR || i >= a->n)
		return NULL;
	return a->items[i];
}

/* A number (or boolean) value, or def. */
static long long jnum(const struct json *v, long long def)
{
	return v && (v->type == J_NUM || v->type == J_BOOL) ? v->num : def;
}

/* o[key] as a number, or def. */
static long long jint(const struct json *o, const char *key, long long def)
{
	return jnum(jget(o, key), def);
}

static const char *jstr(const struct json *o, const char *key)
{
	const struct json *v = jget(o, key);

	return v && v->type == J_STR ? v->str : "";
}

/* Is a a JSON array of exactly these n numbers? */
static bool jvec_is(const struct json *a, const int *want, unsigned int n)
{
	unsigned int i;

	if (!a || a->type != J_ARR || a->n != n)
		return false;
	for (i = 0; i < n; i++)
		if (jnum(a->items[i], LLONG_MIN) != want[i])
			return false;
	return true;
}

/* "[1, 2, 3]" for a log message. */
static const char *jvec_str(const struct json *a)
{
	static char buf[4][256];
	static int k;
	char *b = buf[k++ % 4];
	size_t off = 0;
	unsigned int i;

	if (!a || a->type != J_ARR)
		return "(not an array)";
	off += snprintf(b, 256, "[");
	for (i = 0; i < a->n && off < 240; i++)
		off += snprintf(b + off, 256 - off, "%s%lld", i ? ", " : "",
				jnum(a->items[i], -999));
	snprintf(b + off, 256 - off, "]");
	return b;
}

#define EXPECT_JVEC(arr, ...) do {					\
	const int __w[] = { __VA_ARGS__ };				\
	EXPECT_TRUE(jvec_is((arr), __w, ARRAY_SIZE(__w)))		\
		TH_LOG("%s is %s, wanted (%s)", #arr, jvec_str(arr), #__VA_ARGS__); \
} while (0)

/* ------------------------------------------------------------------ */
/* What "ipclab deadlock --json" says, indexed                         */
/* ------------------------------------------------------------------ */

struct verdict {
	struct json *j;
	unsigned int nres, nproc;
};

/* The 0-based column of a resource by name ("sem 5[0]"), or -1. */
static int col_of(const struct verdict *v, const char *name)
{
	unsigned int i;

	for (i = 0; i < v->nres; i++)
		if (!strcmp(jstr(jat(jget(v->j, "resources"), i), "name"), name))
			return i;
	return -1;
}

static int sem_col(const struct verdict *v, __u32 id, __u32 num)
{
	char name[40];

	snprintf(name, sizeof(name), "sem %u[%u]", id, num);
	return col_of(v, name);
}

static int mutex_col(const struct verdict *v, __u32 id)
{
	char name[40];

	snprintf(name, sizeof(name), "mutex %u", id);
	return col_of(v, name);
}

/* The 0-based row of a pid, or -1. */
static int row_of(const struct verdict *v, pid_t pid)
{
	unsigned int i;

	for (i = 0; i < v->nproc; i++)
		if (jint(jat(jget(v->j, "processes"), i), "pid", -1) == pid)
			return i;
	return -1;
}

/* M[row][col] of matrix "C" or "R"; LLONG_MIN if there is none. */
static long long cell(const struct verdict *v, const char *M, int row, int col)
{
	if (row < 0 || col < 0)
		return LLONG_MIN;
	return jnum(jat(jat(jget(v->j, M), row), col), LLONG_MIN);
}

/* Is the process of this pid among "deadlocked"? */
static bool is_deadlocked(const struct verdict *v, pid_t pid)
{
	const struct json *d = jget(v->j, "deadlocked");
	unsigned int i;

	for (i = 0; d && i < d->n; i++)
		if (jint(d->items[i], "pid", -1) == pid)
			return true;
	return false;
}

/* Parse r->out; false if it is not JSON of the expected shape. */
static bool verdict_parse(struct verdict *v, const struct run *r)
{
	const struct json *res, *procs;

	memset(v, 0, sizeof(*v));
	v->j = json_parse(r->out);
	res = jget(v->j, "resources");
	procs = jget(v->j, "processes");
	if (!res || res->type != J_ARR || !procs || procs->type != J_ARR)
		return false;
	v->nres = res->n;
	v->nproc = procs->n;
	return jget(v->j, "E") && jget(v->j, "A") && jget(v->j, "C") &&
	       jget(v->j, "R") && jget(v->j, "steps") && jget(v->j, "deadlock") &&
	       jget(v->j, "deadlocked") && jget(v->j, "involved");
}

/* ------------------------------------------------------------------ */
/* A parser for the DOT that "ipclab graph" writes                     */
/* ------------------------------------------------------------------ */

/*
 * The subset: "digraph NAME { STMT... }", where a statement is
 * "graph|node|edge [ATTRS]", "ID [ATTRS]" (a node) or "ID -> ID [ATTRS]"
 * (an edge), each ending in ';'; ATTRS are "key=value" separated by
 * commas, a value an identifier or a quoted string; "//" comments.
 */
#define DOT_MAX		128
#define DOT_STR		160

struct dot_attrs {
	char shape[DOT_STR];
	char label[DOT_STR];
	char color[DOT_STR];
	char style[DOT_STR];
};

struct dot_node {
	char name[DOT_STR];
	struct dot_attrs a;
};

struct dot_edge {
	char from[DOT_STR], to[DOT_STR];
	struct dot_attrs a;
};

struct dot {
	char glabel[DOT_STR];
	int nnodes, nedges;
	struct dot_node nodes[DOT_MAX];
	struct dot_edge edges[DOT_MAX];
};

/* The next token into tok: an identifier, a string (unquoted), "->" or
 * one of "[]=,;{}"; "" at the end; false on a character outside DOT. */
static bool dot_token(const char **p, char *tok, size_t n, bool *quoted)
{
	size_t len = 0;

	*quoted = false;
	for (;;) {
		while (isspace((unsigned char)**p))
			(*p)++;
		if ((*p)[0] == '/' && (*p)[1] == '/') {
			while (**p && **p != '\n')
				(*p)++;
			continue;
		}
		break;
	}
	tok[0] = 0;
	if (!**p)
		return true;
	if ((*p)[0] == '-' && (*p)[1] == '>') {
		snprintf(tok, n, "->");
		*p += 2;
		return true;
	}
	if (strchr("[]=,;{}", **p)) {
		tok[0] = *(*p)++;
		tok[1] = 0;
		return true;
	}
	if (**p == '"') {
		*quoted = true;
		for ((*p)++; **p && **p != '"'; (*p)++) {
			if (**p == '\\' && ((*p)[1] == '"' || (*p)[1] == '\\'))
				(*p)++;
			if (len < n - 1)
				tok[len++] = **p;
		}
		tok[len] = 0;
		if (**p != '"')
			return false;
		(*p)++;
		return true;
	}
	while (isalnum((unsigned char)**p) || **p == '_' || **p == '.') {
		if (len < n - 1)
			tok[len++] = **p;
		(*p)++;
	}
	tok[len] = 0;
	return len > 0;
}

static bool dot_attrs(const char **p, struct dot_attrs *a, char *glabel)
{
	char key[32], val[DOT_STR], tok[DOT_STR];
	bool q;

	for (;;) {
		if (!dot_token(p, key, sizeof(key), &q))
			return false;
		if (!strcmp(key, "]"))
			return true;
		if (!strcmp(key, ","))
			continue;
		if (!dot_token(p, tok, sizeof(tok), &q) || strcmp(tok, "=") ||
		    !dot_token(p, val, sizeof(val), &q) || (!q && !val[0]))
			return false;
		if (!strcmp(key, "shape"))
			snprintf(a->shape, sizeof(a->shape), "%s", val);
		else if (!strcmp(key, "label") && glabel)
			snprintf(glabel, DOT_STR, "%s", val);
		else if (!strcmp(key, "label"))
			snprintf(a->label, sizeof(a->label), "%s", val);
		else if (!strcmp(key, "color"))
			snprintf(a->color, sizeof(a->color), "%s", val);
		else if (!strcmp(key, "style"))
			snprintf(a->style, sizeof(a->style), "%s", val);
	}
}

/* Parse s into d; false (with *why) if it is not the expected DOT. */
static bool dot_parse(const char *s, struct dot *d, const char **why)
{
	char t1[DOT_STR], t2[DOT_STR], t3[DOT_STR];
	struct dot_attrs scratch, *a;
	const char *p = s;
	bool q;

	memset(d, 0, sizeof(*d));
	*why = "no \"digraph NAME {\"";
	if (!dot_token(&p, t1, sizeof(t1), &q) || strcmp(t1, "digraph") ||
	    !dot_token(&p, t2, sizeof(t2), &q) ||
	    !dot_token(&p, t3, sizeof(t3), &q) || strcmp(t3, "{"))
		return false;
	for (;;) {
		*why = "a bad token";
		if (!dot_token(&p, t1, sizeof(t1), &q))
			return false;
		if (!strcmp(t1, "}"))
			break;
		*why = "a statement that does not start with a name";
		if (!t1[0] || strchr("[]=,;{", t1[0]))
			return false;
		if (!dot_token(&p, t2, sizeof(t2), &q))
			return false;
		a = &scratch;
		memset(a, 0, sizeof(*a));
		if (!strcmp(t2, "->")) {
			*why = "too many edges, or an edge without its end";
			if (d->nedges == DOT_MAX || !dot_token(&p, t3, sizeof(t3), &q) ||
			    !t3[0] || strchr("[]=,;{}", t3[0]))
				return false;
			snprintf(d->edges[d->nedges].from, DOT_STR, "%s", t1);
			snprintf(d->edges[d->nedges].to, DOT_STR, "%s", t3);
			a = &d->edges[d->nedges++].a;
			if (!dot_token(&p, t2, sizeof(t2), &q))
				return false;
		} else if (strcmp(t1, "graph") && strcmp(t1, "node") && strcmp(t1, "edge")) {
			*why = "too many nodes";
			if (d->nnodes == DOT_MAX)
				return false;
			snprintf(d->nodes[d->nnodes].name, DOT_STR, "%s", t1);
			a = &d->nodes[d->nnodes++].a;
		}
		if (!strcmp(t2, "[")) {
			*why = "bad attributes";
			if (!dot_attrs(&p, a, strcmp(t1, "graph") ? NULL : d->glabel) ||
			    !dot_token(&p, t2, sizeof(t2), &q))
				return false;
		}
		*why = "a statement without its ';'";
		if (strcmp(t2, ";"))
			return false;
	}
	*why = "text after the graph";
	if (!dot_token(&p, t1, sizeof(t1), &q) || t1[0])
		return false;
	return true;
}

static const struct dot_node *dot_node(const struct dot *d, const char *name)
{
	int i;

	for (i = 0; i < d->nnodes; i++)
		if (!strcmp(d->nodes[i].name, name))
			return &d->nodes[i];
	return NULL;
}

static const struct dot_edge *dot_edge(const struct dot *d, const char *from,
				       const char *to)
{
	int i;

	for (i = 0; i < d->nedges; i++)
		if (!strcmp(d->edges[i].from, from) && !strcmp(d->edges[i].to, to))
			return &d->edges[i];
	return NULL;
}

/* The instance dots (U+25CF) in a label. */
static int dot_dots(const char *label)
{
	const char *p = label;
	int n = 0;

	while ((p = strstr(p, "\u25cf"))) {
		n++;
		p += strlen("\u25cf");
	}
	return n;
}

/* printf into one of eight rotating buffers: for names in one expression. */
static const char * __attribute__((format(printf, 1, 2))) fmt(const char *f, ...)
{
	static char buf[8][64];
	static int k;
	char *b = buf[k++ % 8];
	va_list ap;

	va_start(ap, f);
	vsnprintf(b, 64, f, ap);
	va_end(ap);
	return b;
}

/* The DOT node names that "ipclab graph" gives. */
#define proc_node(pid)		fmt("p%d", (int)(pid))
#define mutex_node(id)		fmt("mutex_%u", (id))
#define sem_node(id, num)	fmt("sem_%u_%u", (id), (num))

/* A node: its shape, whether it is red, how many instance dots. */
#define EXPECT_DOT_NODE(d, name, want_shape, want_red) do {		\
	const struct dot_node *__n = dot_node((d), (name));		\
	EXPECT_NE(NULL, __n) TH_LOG("no node %s", (name));		\
	if (__n) {							\
		EXPECT_STREQ((want_shape), __n->a.shape) TH_LOG("node %s", (name)); \
		EXPECT_EQ((want_red), !strcmp(__n->a.color, "red"))	\
			TH_LOG("node %s color \"%s\"", (name), __n->a.color); \
	}								\
} while (0)

/* An edge from -> to, red or not. */
#define EXPECT_DOT_EDGE(d, from, to, want_red) do {			\
	const struct dot_edge *__e = dot_edge((d), (from), (to));	\
	EXPECT_NE(NULL, __e) TH_LOG("no edge %s -> %s", (from), (to));	\
	if (__e)							\
		EXPECT_EQ((want_red), !strcmp(__e->a.color, "red"))	\
			TH_LOG("edge %s -> %s color \"%s\"", (from), (to), __e->a.color); \
} while (0)

/* The line of s that contains needle, copied (without its newline). */
static const char *line_of(const char *s, const char *needle)
{
	static char buf[4][1024];
	static int k;
	char *b = buf[k++ % 4];
	const char *p = strstr(s, needle), *start, *end;

	if (!p)
		return NULL;
	for (start = p; start > s && start[-1] != '\n'; start--)
		;
	end = strchrnul(p, '\n');
	snprintf(b, 1024, "%.*s", (int)(end - start), start);
	return b;
}

/* out has a line with start, and that line has each of the other strings. */
#define EXPECT_LINE(out, start, ...) do {				\
	const char *__l = line_of((out), (start));			\
	const char *const __has[] = { __VA_ARGS__ };			\
	unsigned int __i;						\
	EXPECT_NE(NULL, __l) TH_LOG("no line with \"%s\" in:\n%s", (start), (out)); \
	for (__i = 0; __l && __i < ARRAY_SIZE(__has); __i++)		\
		EXPECT_NE(NULL, strstr(__l, __has[__i]))		\
			TH_LOG("no \"%s\" in \"%s\"", __has[__i], __l);	\
} while (0)

/* ------------------------------------------------------------------ */
/* Matrices from a file: the algorithm without the module              */
/* ------------------------------------------------------------------ */

/* The course's example (Tanenbaum, Modern Operating Systems, fig. 6-7). */
static const char slide[] =
	"# tape drives, plotters, scanners, Blu-ray drives\n"
	"E 4 2 3 1\n"
	"A 2 1 0 0\n"
	"C 0 0 1 0\n"
	"C 2 0 0 1\n"
	"C 0 1 2 0\n"
	"R 2 0 0 1\n"
	"R 1 0 1 0\n"
	"R 2 1 0 0   # process 3\n";

FIXTURE(matrices) {
	char path[64];
	char png[64];
};

FIXTURE_SETUP(matrices)
{
	self->path[0] = self->png[0] = 0;
	NEED_CLI();
}

FIXTURE_TEARDOWN(matrices)
{
	if (self->path[0])
		unlink(self->path);
	if (self->png[0])
		unlink(self->png);
}

/* Write text to the fixture's file (a new one each time). */
static const char *matrices_file(char *path, const char *text)
{
	int fd;

	if (path[0])
		unlink(path);
	snprintf(path, 64, "/tmp/ipclab-dl-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return NULL;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		close(fd);
		return NULL;
	}
	close(fd);
	return path;
}

#define MATRICES(text) ({						\
	const char *__p = matrices_file(self->path, (text));		\
	ASSERT_NE(NULL, __p) TH_LOG("writing a file in /tmp: %s", strerror(errno)); \
	__p;								\
})

/* The slide's state: P3, then P2, then P1 can finish: no deadlock. */
TEST_F(matrices, course_slide)
{
	static struct run r;
	const char *path = MATRICES(slide);
	struct verdict v;
	const struct json *steps;

	ASSERT_EQ(0, RUN(&r, NULL, "ipclab", "deadlock", "--matrices", path))
		TH_LOG("stderr: %s\nstdout: %s", r.err, r.out);
	EXPECT_STREQ("", r.err);
	EXPECT_NE(NULL, strstr(r.out, "E = (4 2 3 1)")) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "A = (2 1 0 0)")) TH_LOG("%s", r.out);
	/* The matrices, one row per process. */
	EXPECT_NE(NULL, strstr(r.out, "\n1  (0 0 1 0)")) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "\n2  (2 0 0 1)")) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "\n3  (0 1 2 0)")) TH_LOG("%s", r.out);
	/* The steps, in the course's order. */
	EXPECT_LINE(r.out, "1. process 3 requests (2 1 0 0)", "releases (0 1 2 0)",
		    "A = (2 2 2 0)");
	EXPECT_LINE(r.out, "2. process 2 requests (1 0 1 0)", "releases (2 0 0 1)",
		    "A = (4 2 2 1)");
	EXPECT_LINE(r.out, "3. process 1 requests (2 0 0 1)", "releases (0 0 1 0)",
		    "A = (4 2 3 1)");
	EXPECT_NE(NULL, strstr(r.out, "\nNo deadlock: every process can finish, "
			       "in the order 3, 2, 1.\n")) TH_LOG("%s", r.out);
	EXPECT_EQ(NULL, strstr(r.out, "DEADLOCK"));

	ASSERT_EQ(0, RUN(&r, NULL, "ipclab", "deadlock", "--json", "--matrices", path))
		TH_LOG("%s", r.err);
	ASSERT_TRUE(verdict_parse(&v, &r)) TH_LOG("not the expected JSON:\n%s", r.out);
	EXPECT_EQ(4, v.nres);
	EXPECT_EQ(3, v.nproc);
	EXPECT_JVEC(jget(v.j, "E"), 4, 2, 3, 1);
	EXPECT_JVEC(jget(v.j, "A"), 2, 1, 0, 0);
	EXPECT_JVEC(jat(jget(v.j, "C"), 0), 0, 0, 1, 0);
	EXPECT_JVEC(jat(jget(v.j, "C"), 1), 2, 0, 0, 1);
	EXPECT_JVEC(jat(jget(v.j, "C"), 2), 0, 1, 2, 0);
	EXPECT_JVEC(jat(jget(v.j, "R"), 0), 2, 0, 0, 1);
	EXPECT_JVEC(jat(jget(v.j, "R"), 1), 1, 0, 1, 0);
	EXPECT_JVEC(jat(jget(v.j, "R"), 2), 2, 1, 0, 0);
	steps = jget(v.j, "steps");
	ASSERT_EQ(3, steps ? steps->n : 0);
	EXPECT_EQ(3, jint(jat(steps, 0), "process", -1));
	EXPECT_JVEC(jget(jat(steps, 0), "releases"), 0, 1, 2, 0);
	EXPECT_JVEC(jget(jat(steps, 0), "A"), 2, 2, 2, 0);
	EXPECT_EQ(2, jint(jat(steps, 1), "process", -1));
	EXPECT_JVEC(jget(jat(steps, 1), "A"), 4, 2, 2, 1);
	EXPECT_EQ(1, jint(jat(steps, 2), "process", -1));
	EXPECT_JVEC(jget(jat(steps, 2), "A"), 4, 2, 3, 1);
	EXPECT_EQ(0, jint(v.j, "deadlock", -1));
	EXPECT_EQ(0, jget(v.j, "deadlocked")->n);

	/* The same from standard input. */
	ASSERT_EQ(0, RUN(&r, slide, "ipclab", "deadlock", "--matrices", "-"))
		TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.out, "in the order 3, 2, 1.")) TH_LOG("%s", r.out);
}

/*
 * The course's variant: process 3 also wants the Blu-ray drive.  No
 * request can be met: all three are deadlocked, over all four classes.
 */
TEST_F(matrices, course_slide_deadlock)
{
	static struct run r;
	const char *path;
	struct verdict v;
	const struct json *d;
	char *text = strdup(slide);

	memcpy(strstr(text, "R 2 1 0 0"), "R 2 1 0 1", 9);
	path = MATRICES(text);
	ASSERT_EQ(EXIT_DEADLOCK, RUN(&r, NULL, "ipclab", "deadlock", "--matrices", path))
		TH_LOG("%s%s", r.out, r.err);
	EXPECT_NE(NULL, strstr(r.out, "No request left is")) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "process 3 requests (2 1 0 1), short of class 4: 1 > 0"))
		TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "\nDEADLOCK: 3 processes are deadlocked:\n"))
		TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "\n  process 2 holds 2 of class 1, 1 of class 4; "
			       "waits for 1 of class 1, 1 of class 3\n")) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "\nResources involved: class 1, class 2, class 3, class 4\n"))
		TH_LOG("%s", r.out);

	ASSERT_EQ(EXIT_DEADLOCK, RUN(&r, NULL, "ipclab", "deadlock", "--matrices", path, "--json"));
	ASSERT_TRUE(verdict_parse(&v, &r)) TH_LOG("%s", r.out);
	EXPECT_EQ(1, jint(v.j, "deadlock", -1));
	EXPECT_EQ(0, jget(v.j, "steps")->n);
	d = jget(v.j, "deadlocked");
	ASSERT_EQ(3, d->n);
	EXPECT_EQ(1, jint(jat(d, 0), "process", -1));
	EXPECT_JVEC(jget(jat(d, 0), "holds"), 3);
	EXPECT_JVEC(jget(jat(d, 0), "waits_for"), 1, 4);
	EXPECT_EQ(3, jint(jat(d, 2), "process", -1));
	EXPECT_JVEC(jget(v.j, "involved"), 1, 2, 3, 4);
}

/*
 * Two processes deadlocked over single instances while a third can
 * finish; A left out is E minus what C holds; classes named.
 */
TEST_F(matrices, partial_deadlock)
{
	static struct run r;
	const char *path = MATRICES(
		"names printer tape disk\n"
		"E 1 1 1\n"
		"C 1 0 0\nR 0 1 0\n"
		"C 0 1 0\nR 1 0 0\n"
		"C 0 0 1\nR 0 0 0\n");
	struct verdict v;
	const struct json *d;

	ASSERT_EQ(EXIT_DEADLOCK, RUN(&r, NULL, "ipclab", "deadlock", "--matrices", path))
		TH_LOG("%s%s", r.out, r.err);
	EXPECT_NE(NULL, strstr(r.out, "A = (0 0 0)")) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "1. process 3 is not blocked")) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "process 1 holds 1 of printer; waits for 1 of tape\n"))
		TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "\nResources involved: printer, tape\n")) TH_LOG("%s", r.out);

	ASSERT_EQ(EXIT_DEADLOCK, RUN(&r, NULL, "ipclab", "deadlock", "--json", "--matrices", path));
	ASSERT_TRUE(verdict_parse(&v, &r)) TH_LOG("%s", r.out);
	EXPECT_JVEC(jget(v.j, "A"), 0, 0, 0);
	EXPECT_STREQ("tape", jstr(jat(jget(v.j, "resources"), 1), "name"));
	EXPECT_EQ(3, jint(jat(jget(v.j, "steps"), 0), "process", -1));
	EXPECT_JVEC(jget(jat(jget(v.j, "steps"), 0), "A"), 0, 0, 1);
	d = jget(v.j, "deadlocked");
	ASSERT_EQ(2, d->n);
	EXPECT_EQ(1, jint(jat(d, 0), "process", -1));
	EXPECT_EQ(2, jint(jat(d, 1), "process", -1));
	EXPECT_JVEC(jget(v.j, "involved"), 1, 2);
}

/* A bad file: exit 1, nothing on stdout, the line and the problem named. */
TEST_F(matrices, bad_files)
{
	static const struct {
		const char *text;
		int line;		/* 0: the message names no line */
		const char *says;
	} bad[] = {
		{ "E 1 2\nC 1\nR 0 0\n", 2, "this row of C has 1 numbers, E has 2" },
		{ "E 1 2\nC 1 0\nR 0 0 0\n", 3, "this row of R has 3 numbers, E has 2" },
		{ "E 2\nA 2\nC 1\nR 0\n", 2, "A = (2), but E minus the column sums of C is (1)" },
		{ "E 2 2\nA 1\n", 2, "A has 1 numbers, E has 2" },
		{ "E 1\nC 0\nC 0\nR 0\n", 3, "2 rows of C but 1 of R" },
		{ "E 1\nC 0\nR 0\nR 0\n", 4, "1 rows of C but 2 of R" },
		{ "E 1\nX 1\n", 2, "'X': a line starts with E, A, C, R or names" },
		{ "E 1 x\n", 1, "'x' is not a count of instances" },
		{ "E -1\n", 1, "'-1' is not a count of instances" },
		{ "E 1\nC 0\nR 1.5\n", 3, "'1.5' is not a count" },
		{ "# nothing\nC 1\nR 0\n", 0, "no E line" },
		{ "E\n", 1, "E has no numbers" },
		{ "E 1\nE 1\n", 2, "a second E line (the first is line 1)" },
		{ "E 1\nC 2\nR 0\n", 1, "class 1: C holds 2 instances but E says 1 exist" },
		{ "names a\nE 1 1\n", 1, "1 names for the 2 classes of E" },
	};
	static struct run r;
	char want[128];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		const char *path = MATRICES(bad[i].text);

		EXPECT_EQ(1, RUN(&r, NULL, "ipclab", "deadlock", "--matrices", path))
			TH_LOG("file %u: %s", i, r.out);
		EXPECT_STREQ("", r.out) TH_LOG("file %u", i);
		if (bad[i].line)
			snprintf(want, sizeof(want), "ipclab: %s:%d: ", path, bad[i].line);
		else
			snprintf(want, sizeof(want), "ipclab: %s: ", path);
		EXPECT_EQ(0, strncmp(r.err, want, strlen(want)))
			TH_LOG("file %u: wanted \"%s\" at the start of \"%s\"", i, want, r.err);
		EXPECT_NE(NULL, strstr(r.err, bad[i].says))
			TH_LOG("file %u: wanted \"%s\" in \"%s\"", i, bad[i].says, r.err);
		/* graph reads the file the same way. */
		EXPECT_EQ(1, RUN(&r, NULL, "ipclab", "graph", "--matrices", path));
		EXPECT_NE(NULL, strstr(r.err, bad[i].says)) TH_LOG("graph, file %u", i);
	}
	EXPECT_EQ(1, RUN(&r, NULL, "ipclab", "deadlock", "--matrices", "/nonexistent/m"));
	EXPECT_NE(NULL, strstr(r.err, "/nonexistent/m")) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.err, "ENOENT")) TH_LOG("%s", r.err);
}

/* Usage errors exit 2 with a message; -h documents the file and exits 0. */
TEST_F(matrices, usage)
{
	static const char *const bad[][5] = {
		{ "ipclab", "deadlock", "--bogus" },
		{ "ipclab", "deadlock", "extra" },
		{ "ipclab", "deadlock", "--matrices" },
		{ "ipclab", "deadlock", "--png", "x.png" },
		{ "ipclab", "deadlock", "--all", "--matrices", "-" },
		{ "ipclab", "graph", "--json" },
		{ "ipclab", "graph", "--png" },
		{ "ipclab", "graph", "extra" },
	};
	static struct run r;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(2, run_argv(&r, "", bad[i]))
			TH_LOG("%s %s %s", bad[i][1], bad[i][2], bad[i][3] ?: "");
		EXPECT_NE(0, r.err[0]) TH_LOG("case %u: nothing on stderr", i);
		EXPECT_STREQ("", r.out) TH_LOG("case %u", i);
	}
	ASSERT_EQ(0, RUN(&r, NULL, "ipclab", "deadlock", "-h"));
	EXPECT_NE(NULL, strstr(r.out, "usage: ipclab deadlock")) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "E 4 2 3 1")) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "3 deadlock found")) TH_LOG("%s", r.out);
	ASSERT_EQ(0, RUN(&r, NULL, "ipclab", "graph", "--help"));
	EXPECT_NE(NULL, strstr(r.out, "usage: ipclab graph")) TH_LOG("%s", r.out);
	ASSERT_EQ(0, RUN(&r, NULL, "ipclab", "-h"));
	EXPECT_NE(NULL, strstr(r.out, "deadlock --matrices FILE")) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "graph [--png FILE]")) TH_LOG("%s", r.out);
}

/* The graph of a file: circles, boxes with dots, arrows, red on the cycle. */
TEST_F(matrices, graph)
{
	static struct run r;
	const char *why = "";
	struct dot *d = calloc(1, sizeof(*d));
	const struct dot_node *n;
	const struct dot_edge *e;
	const char *path;

	/* Two processes, two single-instance classes, opposite order. */
	path = MATRICES("names m1 m2\nE 1 1\nC 1 0\nR 0 1\nC 0 1\nR 1 0\n");
	ASSERT_EQ(0, RUN(&r, NULL, "ipclab", "graph", "--matrices", path))
		TH_LOG("%s", r.err);
	ASSERT_TRUE(dot_parse(r.out, d, &why)) TH_LOG("%s in:\n%s", why, r.out);
	EXPECT_EQ(4, d->nnodes);
	EXPECT_EQ(4, d->nedges);
	EXPECT_NE(NULL, strstr(d->glabel, "deadlock: P1, P2")) TH_LOG("%s", d->glabel);
	EXPECT_DOT_NODE(d, "p1", "circle", true);
	EXPECT_DOT_NODE(d, "p2", "circle", true);
	EXPECT_DOT_NODE(d, "r1", "box", true);
	EXPECT_DOT_NODE(d, "r2", "box", true);
	n = dot_node(d, "r1");
	ASSERT_NE(NULL, n);
	EXPECT_EQ(0, strncmp(n->a.label, "m1\\n", 4)) TH_LOG("%s", n->a.label);
	EXPECT_EQ(1, dot_dots(n->a.label));
	n = dot_node(d, "p1");
	EXPECT_NE(NULL, strstr(n->a.style, "filled")) TH_LOG("deadlocked, not filled");
	EXPECT_DOT_EDGE(d, "r1", "p1", true);	/* P1 holds m1 */
	EXPECT_DOT_EDGE(d, "p1", "r2", true);	/* and waits for m2 */
	EXPECT_DOT_EDGE(d, "r2", "p2", true);
	EXPECT_DOT_EDGE(d, "p2", "r1", true);

	/* The slide: cycles, but enough instances; counts on the arrows. */
	path = MATRICES(slide);
	ASSERT_EQ(0, RUN(&r, NULL, "ipclab", "graph", "--matrices", path));
	ASSERT_TRUE(dot_parse(r.out, d, &why)) TH_LOG("%s in:\n%s", why, r.out);
	EXPECT_NE(NULL, strstr(d->glabel, "no deadlock")) TH_LOG("%s", d->glabel);
	EXPECT_EQ(4, dot_dots(dot_node(d, "r1")->a.label));
	EXPECT_EQ(2, dot_dots(dot_node(d, "r2")->a.label));
	EXPECT_EQ(3, dot_dots(dot_node(d, "r3")->a.label));
	EXPECT_EQ(1, dot_dots(dot_node(d, "r4")->a.label));
	e = dot_edge(d, "r1", "p2");		/* P2 holds 2 of class 1 */
	ASSERT_NE(NULL, e);
	EXPECT_STREQ("2", e->a.label);
	e = dot_edge(d, "p3", "r1");		/* P3 asks for 2 of class 1 */
	ASSERT_NE(NULL, e);
	EXPECT_STREQ("2", e->a.label);
	EXPECT_EQ(NULL, dot_edge(d, "p1", "r2"));
	EXPECT_EQ(5 + 6, d->nedges) TH_LOG("5 hold arrows, 6 wait arrows");
	n = dot_node(d, "p1");
	EXPECT_EQ(NULL, strstr(n->a.style, "filled")) TH_LOG("P1 is not deadlocked");

	/* A chain: P2 waits for what P1 holds.  No cycle, nothing red. */
	path = MATRICES("E 1\nC 1\nR 0\nC 0\nR 1\n");
	ASSERT_EQ(0, RUN(&r, NULL, "ipclab", "graph", "--matrices", path));
	ASSERT_TRUE(dot_parse(r.out, d, &why)) TH_LOG("%s in:\n%s", why, r.out);
	EXPECT_NE(NULL, strstr(d->glabel, "no cycle, no deadlock")) TH_LOG("%s", d->glabel);
	EXPECT_DOT_NODE(d, "p1", "circle", false);
	EXPECT_DOT_NODE(d, "p2", "circle", false);
	EXPECT_DOT_NODE(d, "r1", "box", false);
	EXPECT_DOT_EDGE(d, "r1", "p1", false);
	EXPECT_DOT_EDGE(d, "p2", "r1", false);
	free(d);
}

/* --png: a PNG with Graphviz, a clear error without it. */
TEST_F(matrices, png)
{
	static struct run r;
	const char *path = MATRICES(slide);
	char head[8] = "";
	int fd;

	snprintf(self->png, sizeof(self->png), "/tmp/ipclab-dl-%d.png", getpid());
	/* No dot on the PATH: ipclab itself is found first. */
	EXPECT_EQ(1, RUN(&r, NULL, "sh", "-c",
			 "p=$(command -v ipclab) && PATH=/nonexistent exec \"$p\" "
			 "graph --matrices \"$0\" --png \"$1\"", path, self->png));
	EXPECT_NE(NULL, strstr(r.err, "needs Graphviz's dot")) TH_LOG("%s", r.err);
	EXPECT_NE(0, access(self->png, F_OK));

	if (RUN(&r, NULL, "sh", "-c", "command -v dot") != 0)
		SKIP(return, "Graphviz's dot is not installed");
	ASSERT_EQ(0, RUN(&r, NULL, "ipclab", "graph", "--matrices", path, "--png", self->png))
		TH_LOG("%s", r.err);
	EXPECT_STREQ("", r.out);
	fd = open(self->png, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(8, read(fd, head, 8));
	close(fd);
	EXPECT_EQ(0, memcmp(head, "\x89PNG\r\n\x1a\n", 8));
}

/* ------------------------------------------------------------------ */
/* Live: processes that hold and wait                                  */
/* ------------------------------------------------------------------ */

FIXTURE(dl) {
	int fd;
	struct ipclab_cleanup cl;
};

FIXTURE_SETUP(dl)
{
	memset(&self->cl, 0, sizeof(self->cl));
	IPCLAB_OPEN_OR_SKIP(self->fd);
}

FIXTURE_TEARDOWN_PARENT(dl)
{
	ipclab_cleanup(&self->cl);
}

/* A new object with these flags (IPCLAB_REFUSE_DEADLOCK), removed by the teardown. */
#define NEW_OBJ_FLAGS(type, nsems, flags) ({				\
	__u32 __id = 0;							\
	ASSERT_OK(ipclab_get(self->fd, (type), IPCLAB_KEY_PRIVATE,	\
			     IPCLAB_CREAT | (flags), 0600, (nsems), &__id)) \
		TH_LOG("creating: %s", strerror(errno));		\
	cl_track(&self->cl, __id);					\
	__id;								\
})

/* Operations sign * v[k] on semaphore k, for the non-zero v[k]; how many. */
static unsigned int vec_ops(struct ipclab_sembuf *ops, const int *v,
			    unsigned int n, int sign)
{
	unsigned int k, nops = 0;

	for (k = 0; k < n; k++)
		if (v[k])
			ops[nops++] = sembuf(k, sign * v[k], 0);
	return nops;
}

/* One process of the course's example, driven through a rendezvous. */
struct actor {
	pid_t pid;
	struct rendezvous rv;
};

/*
 * A process of the course's example, named dl-pN: it takes hold[] of set
 * id and says 'h'.  Then, on 'r' it asks for req[] (waiting as long as it
 * must) and on 'n' without waiting, and says 'g' when it got it, or 'e'
 * and the errno; on 'f' it gives back all it has and exits 0.
 */
static void course_child(int fd, __u32 id, int n, const int *hold,
			 const int *req, struct rendezvous *rv)
{
	struct ipclab_sembuf ops[4];
	int all[4], k, c, ret;
	bool granted = false;

	rv_child(rv);
	set_comm("dl-p%d", n);
	k = vec_ops(ops, hold, 4, -1);
	if (k && sem_ops(fd, id, ops, k, 0, 0))
		_exit(child_status(-1));
	if (put_byte(rv->ready[1], 'h'))
		_exit(CHILD_BROKEN);
	for (;;) {
		c = get_byte(rv->go[0], 120 * 1000);
		if (c == 'r' || c == 'n') {
			k = vec_ops(ops, req, 4, -1);
			ret = sem_ops(fd, id, ops, k, c == 'n' ? IPCLAB_WAIT_NOWAIT : 0, 0);
			granted = !ret;
			if (put_byte(rv->ready[1], ret ? 'e' : 'g') ||
			    (ret && put_byte(rv->ready[1], errno)))
				_exit(CHILD_BROKEN);
		} else if (c == 'f') {
			for (k = 0; k < 4; k++)
				all[k] = hold[k] + (granted ? req[k] : 0);
			k = vec_ops(ops, all, 4, 1);
			_exit(child_status(k ? sem_ops(fd, id, ops, k, 0, 0) : 0));
		} else {
			_exit(0);	/* the test is over */
		}
	}
}

/* The set of the course's example: four classes of 4, 2, 3, 1 instances. */
static const __s32 course_E[4] = { 4, 2, 3, 1 };

/*
 * The set of the course's example in *id, and its three processes, each
 * holding its row of C and waiting for a command (see course_child()).
 * False if the test was skipped.
 */
static bool course_start(struct __test_metadata *_metadata, int fd,
			 struct ipclab_cleanup *cl, __u32 *id, struct actor *a,
			 __u32 sem_flags)
{
	static const int hold[3][4] = { { 0, 0, 1, 0 }, { 2, 0, 0, 1 }, { 0, 1, 2, 0 } };
	static const int req[3][4] = { { 2, 0, 0, 1 }, { 1, 0, 1, 0 }, { 2, 1, 0, 0 } };
	int n;

	ASSERT_OK(ipclab_get(fd, IPCLAB_TYPE_SEM, IPCLAB_KEY_PRIVATE,
			     IPCLAB_CREAT | sem_flags, 0600, 4, id));
	cl_track(cl, *id);
	ASSERT_OK(sem_setall(fd, *id, course_E, 4));

	for (n = 0; n < 3; n++) {
		ASSERT_OK(rv_open(&a[n].rv));
		a[n].pid = kids_fork(cl);
		ASSERT_LE(0, a[n].pid);
		if (a[n].pid == 0)
			course_child(fd, *id, n + 1, hold[n], req[n], &a[n].rv);
		rv_parent(&a[n].rv);
		ASSERT_EQ('h', get_byte(a[n].rv.ready[0], IPCLAB_SETTLE_MS))
			TH_LOG("process %d did not take what it holds", n + 1);
	}
	/* Rows are in pid order: P1, P2, P3 as the course numbers them. */
	if (a[0].pid > a[1].pid || a[1].pid > a[2].pid)
		SKIP(return false, "pids wrapped around: the rows would not be P1, P2, P3");
	return true;
}

/*
 * The course's example on live processes, in the course's order.  P1
 * holds one of class 3, P2 two of class 1 and one of class 4, P3 one of
 * class 2 and two of class 3.  P1 asks for (2 0 0 1) and blocks (class 4
 * is out), P2 for (1 0 1 0) and blocks (class 3 is out), P3 for
 * (2 1 0 0), which fits, and gets it at once: the set is created with
 * IPCLAB_NOFIFO, which grants whatever fits, as the course's model
 * assumes (with FIFO, P3 would queue behind P1 - see
 * course_example_p1_first).  ipclab deadlock reads E = (4 2 3 1),
 * A = (0 0 0 0), C and R, and finds that P3 is not blocked, then P2, then
 * P1 can finish: no deadlock.  And so it happens: when P3 gives
 * everything back P2 gets its request, then P1.
 */
TEST_F(dl, course_example_live)
{
	static struct run r;
	struct actor a[3];
	struct verdict v;
	const struct json *steps;
	char want[160];
	__u32 id;
	int n;

	if (!course_start(_metadata, self->fd, &self->cl, &id, a,
			  IPCLAB_NOFIFO))
		return;

	ASSERT_TRUE(put_byte(a[0].rv.go[1], 'r') == 0);
	ASSERT_TRUE(wait_for_waiters(self->fd, id, 1)) TH_LOG("P1 did not block");
	ASSERT_TRUE(put_byte(a[1].rv.go[1], 'r') == 0);
	ASSERT_TRUE(wait_for_waiters(self->fd, id, 2)) TH_LOG("P2 did not block");
	ASSERT_TRUE(put_byte(a[2].rv.go[1], 'n') == 0);
	ASSERT_EQ('g', get_byte(a[2].rv.ready[0], IPCLAB_SETTLE_MS))
		TH_LOG("P3's request (2 1 0 0) was not granted at once");
	check_sem_values(self->fd, id, 0, 0, 0, 0);

	NEED_CLI();
	ASSERT_EQ(0, RUN(&r, NULL, "ipclab", "deadlock", "--json"))
		TH_LOG("%s%s", r.out, r.err);
	ASSERT_TRUE(verdict_parse(&v, &r)) TH_LOG("not the expected JSON:\n%s", r.out);
	ASSERT_EQ(4, v.nres) TH_LOG("other resources are in use:\n%s", r.out);
	ASSERT_EQ(3, v.nproc) TH_LOG("other processes hold or wait:\n%s", r.out);
	for (n = 0; n < 4; n++)
		EXPECT_EQ(n, sem_col(&v, id, n)) TH_LOG("column of class %d", n + 1);
	for (n = 0; n < 3; n++) {
		EXPECT_EQ(n, row_of(&v, a[n].pid)) TH_LOG("row of P%d", n + 1);
		snprintf(want, sizeof(want), "dl-p%d", n + 1);
		EXPECT_STREQ(want, jstr(jat(jget(v.j, "processes"), n), "comm"));
	}
	EXPECT_JVEC(jget(v.j, "E"), 4, 2, 3, 1);
	EXPECT_JVEC(jget(v.j, "A"), 0, 0, 0, 0);
	EXPECT_JVEC(jat(jget(v.j, "C"), 0), 0, 0, 1, 0);
	EXPECT_JVEC(jat(jget(v.j, "C"), 1), 2, 0, 0, 1);
	EXPECT_JVEC(jat(jget(v.j, "C"), 2), 2, 2, 2, 0);	/* (0 1 2 0) + (2 1 0 0) */
	EXPECT_JVEC(jat(jget(v.j, "R"), 0), 2, 0, 0, 1);
	EXPECT_JVEC(jat(jget(v.j, "R"), 1), 1, 0, 1, 0);
	EXPECT_JVEC(jat(jget(v.j, "R"), 2), 0, 0, 0, 0);
	EXPECT_EQ(1, jint(jat(jget(v.j, "processes"), 0), "blocked", -1));
	EXPECT_EQ(1, jint(jat(jget(v.j, "processes"), 1), "blocked", -1));
	EXPECT_EQ(0, jint(jat(jget(v.j, "processes"), 2), "blocked", -1));
	steps = jget(v.j, "steps");
	ASSERT_EQ(3, steps ? steps->n : 0);
	EXPECT_EQ(a[2].pid, jint(jat(steps, 0), "pid", -1));
	EXPECT_JVEC(jget(jat(steps, 0), "A"), 2, 2, 2, 0);
	EXPECT_EQ(a[1].pid, jint(jat(steps, 1), "pid", -1));
	EXPECT_JVEC(jget(jat(steps, 1), "A"), 4, 2, 2, 1);
	EXPECT_EQ(a[0].pid, jint(jat(steps, 2), "pid", -1));
	EXPECT_JVEC(jget(jat(steps, 2), "A"), 4, 2, 3, 1);
	EXPECT_EQ(0, jint(v.j, "deadlock", -1));

	ASSERT_EQ(0, RUN(&r, NULL, "ipclab", "deadlock")) TH_LOG("%s%s", r.out, r.err);
	show_output("ipclab deadlock", &r);
	snprintf(want, sizeof(want), "sem %u[0]", id);
	EXPECT_NE(NULL, strstr(r.out, want)) TH_LOG("columns not named:\n%s", r.out);
	snprintf(want, sizeof(want), "pid %-7d dl-p1", a[0].pid);
	EXPECT_NE(NULL, strstr(r.out, want)) TH_LOG("rows not named:\n%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "E = (4 2 3 1)")) TH_LOG("%s", r.out);
	EXPECT_LINE(r.out, "1. process 3 is not blocked", "finishes and releases (2 2 2 0)",
		    "A = (2 2 2 0)");
	EXPECT_LINE(r.out, "2. process 2 requests (1 0 1 0)", "releases (2 0 0 1)",
		    "A = (4 2 2 1)");
	EXPECT_LINE(r.out, "3. process 1 requests (2 0 0 1)", "releases (0 0 1 0)",
		    "A = (4 2 3 1)");
	EXPECT_NE(NULL, strstr(r.out, "No deadlock: every process can finish, in the order 3, 2, 1."))
		TH_LOG("%s", r.out);

	/* And so it goes: P3 gives back, P2 gets its request, then P1. */
	ASSERT_TRUE(put_byte(a[2].rv.go[1], 'f') == 0);
	EXPECT_KID(0, a[2].pid, IPCLAB_SETTLE_MS);
	ASSERT_EQ('g', get_byte(a[1].rv.ready[0], IPCLAB_SETTLE_MS)) TH_LOG("P2 still waits");
	EXPECT_EQ(1, ipclab_nwaiters(self->fd, id)) TH_LOG("P1 should still wait");
	ASSERT_TRUE(put_byte(a[1].rv.go[1], 'f') == 0);
	EXPECT_KID(0, a[1].pid, IPCLAB_SETTLE_MS);
	ASSERT_EQ('g', get_byte(a[0].rv.ready[0], IPCLAB_SETTLE_MS)) TH_LOG("P1 still waits");
	ASSERT_TRUE(put_byte(a[0].rv.go[1], 'f') == 0);
	EXPECT_KID(0, a[0].pid, IPCLAB_SETTLE_MS);
	check_sem_values(self->fd, id, 4, 2, 3, 1);
	for (n = 0; n < 3; n++)
		rv_close(&a[n].rv);
}

/*
 * The same processes, asking in the order of the course's example (P1,
 * P2, then P3), on a default (FIFO) set.  P3's request fits in what is
 * available, but P1 already waits to take from class 1, and ipclab
 * serves waiters in FIFO order: P3 is not granted at once and, when it
 * waits, queues behind P1.  Nobody can ever go on: a deadlock the plain
 * matrix algorithm would not see (it assumes a request that fits is
 * granted).  ipclab deadlock names all three and says why.
 */
TEST_F(dl, course_example_p1_first)
{
	static struct run r;
	struct actor a[3];
	struct verdict v;
	const struct json *d;
	char want[160];
	__u32 id;
	int n;

	if (!course_start(_metadata, self->fd, &self->cl, &id, a, 0))
		return;
	ASSERT_TRUE(put_byte(a[0].rv.go[1], 'r') == 0);
	ASSERT_TRUE(wait_for_waiters(self->fd, id, 1));
	ASSERT_TRUE(put_byte(a[1].rv.go[1], 'r') == 0);
	ASSERT_TRUE(wait_for_waiters(self->fd, id, 2));
	check_sem_values(self->fd, id, 2, 1, 0, 0);
	ASSERT_TRUE(put_byte(a[2].rv.go[1], 'n') == 0);
	ASSERT_EQ('e', get_byte(a[2].rv.ready[0], IPCLAB_SETTLE_MS));
	EXPECT_EQ(EAGAIN, get_byte(a[2].rv.ready[0], IPCLAB_SETTLE_MS))
		TH_LOG("P3's request should wait behind P1's (FIFO)");
	ASSERT_TRUE(put_byte(a[2].rv.go[1], 'r') == 0);
	ASSERT_TRUE(wait_for_waiters(self->fd, id, 3));
	check_sem_values(self->fd, id, 2, 1, 0, 0);

	NEED_CLI();
	ASSERT_EQ(EXIT_DEADLOCK, RUN(&r, NULL, "ipclab", "deadlock", "--json"))
		TH_LOG("%s%s", r.out, r.err);
	ASSERT_TRUE(verdict_parse(&v, &r)) TH_LOG("%s", r.out);
	EXPECT_JVEC(jget(v.j, "A"), 2, 1, 0, 0);
	EXPECT_JVEC(jat(jget(v.j, "C"), 2), 0, 1, 2, 0);
	EXPECT_JVEC(jat(jget(v.j, "R"), 2), 2, 1, 0, 0);
	d = jget(v.j, "deadlocked");
	ASSERT_EQ(3, d ? d->n : 0);
	for (n = 0; n < 3; n++)
		EXPECT_TRUE(is_deadlocked(&v, a[n].pid)) TH_LOG("P%d", n + 1);
	EXPECT_EQ(1, jint(jat(d, 2), "queues_behind", -1)) TH_LOG("P3 queues behind P1");
	EXPECT_EQ(0, jget(v.j, "steps")->n);

	ASSERT_EQ(EXIT_DEADLOCK, RUN(&r, NULL, "ipclab", "deadlock"));
	show_output("ipclab deadlock", &r);
	snprintf(want, sizeof(want), "process 3 requests (2 1 0 0), which fits, but it "
		 "queues behind process 1 for sem %u[0]", id);
	EXPECT_NE(NULL, strstr(r.out, want)) TH_LOG("wanted \"%s\" in\n%s", want, r.out);
	EXPECT_NE(NULL, strstr(r.out, "DEADLOCK: 3 processes are deadlocked")) TH_LOG("%s", r.out);

	/* Really stuck. */
	usleep(IPCLAB_BLOCKED_MS * 1000);
	EXPECT_EQ(3, ipclab_nwaiters(self->fd, id));
	for (n = 0; n < 3; n++)
		EXPECT_TRUE(kid_running(a[n].pid));
	for (n = 0; n < 3; n++)
		rv_close(&a[n].rv);
}

/* Lock a mutex, or take one unit of semaphore 0 of a set. */
static int take(int fd, __u32 type, __u32 id)
{
	return type == IPCLAB_TYPE_MUTEX ? mutex_lock(fd, id) : sem_op1(fd, id, 0, -1, 0);
}

/*
 * A child named comm that takes first (a mutex or a set's semaphore 0,
 * by type), says 'l', waits for a byte, then takes second (waiting as
 * long as it must) and exits with the errno.
 */
static pid_t spawn_taker(struct ipclab_cleanup *cl, int fd, __u32 type, __u32 first,
			 __u32 second, const char *comm, struct rendezvous *rv)
{
	pid_t pid;

	if (rv_open(rv))
		return -1;
	pid = kids_fork(cl);
	if (pid == 0) {
		rv_child(rv);
		prctl(PR_SET_NAME, comm, 0, 0, 0);
		if (take(fd, type, first) || put_byte(rv->ready[1], 'l'))
			_exit(CHILD_BROKEN);
		if (get_byte(rv->go[0], 120 * 1000) < 0)
			_exit(0);
		_exit(child_status(take(fd, type, second)));
	}
	if (pid > 0)
		rv_parent(rv);
	return pid;
}

#define spawn_locker(cl, fd, first, second, comm, rv) \
	spawn_taker((cl), (fd), IPCLAB_TYPE_MUTEX, (first), (second), (comm), (rv))

/* Two processes, two mutexes, locked in opposite orders. */
TEST_F(dl, two_mutexes)
{
	static struct run r;
	struct rendezvous rva, rvb;
	struct dot *d = calloc(1, sizeof(*d));
	struct verdict v;
	char want[160], ma[32], mb[32];
	const char *l, *why = "";
	__u32 m1, m2;
	pid_t pa, pb;

	m1 = NEW_MUTEX();
	m2 = NEW_MUTEX();
	pa = spawn_locker(&self->cl, self->fd, m1, m2, "dl-a", &rva);
	ASSERT_LT(0, pa);
	pb = spawn_locker(&self->cl, self->fd, m2, m1, "dl-b", &rvb);
	ASSERT_LT(0, pb);
	ASSERT_EQ('l', get_byte(rva.ready[0], IPCLAB_SETTLE_MS));
	ASSERT_EQ('l', get_byte(rvb.ready[0], IPCLAB_SETTLE_MS));
	ASSERT_OK(put_byte(rva.go[1], 'g'));
	ASSERT_TRUE(wait_for_waiters(self->fd, m2, 1));
	ASSERT_OK(put_byte(rvb.go[1], 'g'));
	ASSERT_TRUE(wait_for_waiters(self->fd, m1, 1));

	NEED_CLI();
	snprintf(ma, sizeof(ma), "mutex %u", m1);
	snprintf(mb, sizeof(mb), "mutex %u", m2);
	ASSERT_EQ(EXIT_DEADLOCK, RUN(&r, NULL, "ipclab", "deadlock")) TH_LOG("%s%s", r.out, r.err);
	show_output("ipclab deadlock", &r);
	EXPECT_NE(NULL, strstr(r.out, "\nDEADLOCK: 2 processes are deadlocked:\n")) TH_LOG("%s", r.out);
	snprintf(want, sizeof(want), "(pid %d, dl-a) holds %s; waits for %s\n", pa, ma, mb);
	EXPECT_NE(NULL, strstr(r.out, want)) TH_LOG("wanted \"%s\" in\n%s", want, r.out);
	snprintf(want, sizeof(want), "(pid %d, dl-b) holds %s; waits for %s\n", pb, mb, ma);
	EXPECT_NE(NULL, strstr(r.out, want)) TH_LOG("wanted \"%s\" in\n%s", want, r.out);
	l = line_of(r.out, "Resources involved:");
	ASSERT_NE(NULL, l) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(l, ma)) TH_LOG("%s", l);
	EXPECT_NE(NULL, strstr(l, mb)) TH_LOG("%s", l);

	ASSERT_EQ(EXIT_DEADLOCK, RUN(&r, NULL, "ipclab", "deadlock", "--json"));
	ASSERT_TRUE(verdict_parse(&v, &r)) TH_LOG("%s", r.out);
	EXPECT_EQ(2, v.nres);
	EXPECT_EQ(2, v.nproc);
	EXPECT_TRUE(is_deadlocked(&v, pa));
	EXPECT_TRUE(is_deadlocked(&v, pb));
	EXPECT_EQ(1, cell(&v, "C", row_of(&v, pa), mutex_col(&v, m1)));
	EXPECT_EQ(1, cell(&v, "R", row_of(&v, pa), mutex_col(&v, m2)));
	EXPECT_EQ(1, cell(&v, "C", row_of(&v, pb), mutex_col(&v, m2)));
	EXPECT_EQ(1, cell(&v, "R", row_of(&v, pb), mutex_col(&v, m1)));
	EXPECT_JVEC(jget(v.j, "E"), 1, 1);
	EXPECT_JVEC(jget(v.j, "A"), 0, 0);
	EXPECT_JVEC(jget(v.j, "involved"), 1, 2);

	/* The picture: a red cycle through both. */
	ASSERT_EQ(0, RUN(&r, NULL, "ipclab", "graph")) TH_LOG("%s", r.err);
	show_output("ipclab graph", &r);
	ASSERT_TRUE(dot_parse(r.out, d, &why)) TH_LOG("%s in:\n%s", why, r.out);
	EXPECT_EQ(4, d->nnodes);
	EXPECT_EQ(4, d->nedges);
	EXPECT_DOT_NODE(d, proc_node(pa), "circle", true);
	EXPECT_DOT_NODE(d, proc_node(pb), "circle", true);
	EXPECT_DOT_NODE(d, mutex_node(m1), "box", true);
	EXPECT_DOT_NODE(d, mutex_node(m2), "box", true);
	EXPECT_EQ(1, dot_dots(dot_node(d, mutex_node(m1))->a.label));
	snprintf(want, sizeof(want), "%d\\ndl-a", pa);
	EXPECT_STREQ(want, dot_node(d, proc_node(pa))->a.label);
	EXPECT_DOT_EDGE(d, mutex_node(m1), proc_node(pa), true);	/* holds */
	EXPECT_DOT_EDGE(d, proc_node(pa), mutex_node(m2), true);	/* waits */
	EXPECT_DOT_EDGE(d, mutex_node(m2), proc_node(pb), true);
	EXPECT_DOT_EDGE(d, proc_node(pb), mutex_node(m1), true);
	snprintf(want, sizeof(want), "deadlock: pid %d, pid %d", pa, pb);
	EXPECT_STREQ(want, d->glabel);
	rv_close(&rva);
	rv_close(&rvb);
	free(d);
}

/*
 * Three processes in a cycle over three semaphores: each holds its own
 * and waits for the next one's.  A fourth holds a unit of another set
 * and is not blocked: it finishes, the three are deadlocked.
 */
TEST_F(dl, three_semaphores)
{
	static struct run r;
	struct rendezvous rv[4];
	struct dot *d = calloc(1, sizeof(*d));
	struct verdict v;
	const char *why = "";
	char comm[16];
	__u32 s[4];
	pid_t p[4];
	int i;

	for (i = 0; i < 4; i++) {
		s[i] = NEW_SEM(1);
		ASSERT_OK(sem_setval(self->fd, s[i], 0, i < 3 ? 1 : 2));
	}
	for (i = 0; i < 4; i++) {
		snprintf(comm, sizeof(comm), i < 3 ? "dl-ring%d" : "dl-bystander", i);
		p[i] = spawn_taker(&self->cl, self->fd, IPCLAB_TYPE_SEM, s[i],
				   i < 3 ? s[(i + 1) % 3] : s[3], comm, &rv[i]);
		ASSERT_LT(0, p[i]);
		ASSERT_EQ('l', get_byte(rv[i].ready[0], IPCLAB_SETTLE_MS));
	}
	for (i = 0; i < 3; i++) {
		ASSERT_OK(put_byte(rv[i].go[1], 'g'));
		ASSERT_TRUE(wait_for_waiters(self->fd, s[(i + 1) % 3], 1)) TH_LOG("ring %d", i);
	}

	NEED_CLI();
	ASSERT_EQ(EXIT_DEADLOCK, RUN(&r, NULL, "ipclab", "deadlock", "--json"))
		TH_LOG("%s%s", r.out, r.err);
	ASSERT_TRUE(verdict_parse(&v, &r)) TH_LOG("%s", r.out);
	EXPECT_EQ(4, v.nres);
	EXPECT_EQ(4, v.nproc);
	EXPECT_EQ(3, jget(v.j, "deadlocked")->n);
	for (i = 0; i < 3; i++) {
		EXPECT_TRUE(is_deadlocked(&v, p[i])) TH_LOG("ring %d", i);
		EXPECT_EQ(1, cell(&v, "C", row_of(&v, p[i]), sem_col(&v, s[i], 0)));
		EXPECT_EQ(1, cell(&v, "R", row_of(&v, p[i]), sem_col(&v, s[(i + 1) % 3], 0)));
	}
	EXPECT_FALSE(is_deadlocked(&v, p[3]));
	EXPECT_EQ(p[3], jint(jat(jget(v.j, "steps"), 0), "pid", -1));
	/* The bystander's set is not involved. */
	EXPECT_EQ(3, jget(v.j, "involved")->n);
	for (i = 0; i < 3; i++) {
		const struct json *inv = jget(v.j, "involved");
		bool found = false;
		unsigned int k;

		for (k = 0; inv && k < inv->n; k++)
			found |= jnum(inv->items[k], -1) == sem_col(&v, s[i], 0) + 1;
		EXPECT_TRUE(found) TH_LOG("sem %u not involved", s[i]);
	}

	ASSERT_EQ(EXIT_DEADLOCK, RUN(&r, NULL, "ipclab", "deadlock"));
	show_output("ipclab deadlock", &r);
	EXPECT_NE(NULL, strstr(r.out, "DEADLOCK: 3 processes are deadlocked:")) TH_LOG("%s", r.out);
	for (i = 0; i < 3; i++) {
		char want[96];

		snprintf(want, sizeof(want), "(pid %d, dl-ring%d) holds 1 of sem %u[0]; "
			 "waits for 1 of sem %u[0]\n", p[i], i, s[i], s[(i + 1) % 3]);
		EXPECT_NE(NULL, strstr(r.out, want)) TH_LOG("wanted \"%s\" in\n%s", want, r.out);
	}

	ASSERT_EQ(0, RUN(&r, NULL, "ipclab", "graph"));
	ASSERT_TRUE(dot_parse(r.out, d, &why)) TH_LOG("%s in:\n%s", why, r.out);
	for (i = 0; i < 3; i++) {
		EXPECT_DOT_NODE(d, proc_node(p[i]), "circle", true);
		EXPECT_DOT_NODE(d, sem_node(s[i], 0), "box", true);
		EXPECT_DOT_EDGE(d, sem_node(s[i], 0), proc_node(p[i]), true);
		EXPECT_DOT_EDGE(d, proc_node(p[i]), sem_node(s[(i + 1) % 3], 0), true);
	}
	EXPECT_DOT_NODE(d, proc_node(p[3]), "circle", false);
	EXPECT_DOT_NODE(d, sem_node(s[3], 0), "box", false);
	EXPECT_DOT_EDGE(d, sem_node(s[3], 0), proc_node(p[3]), false);
	EXPECT_EQ(2, dot_dots(dot_node(d, sem_node(s[3], 0))->a.label));
	EXPECT_EQ(7, d->nedges);
	for (i = 0; i < 4; i++)
		rv_close(&rv[i]);
	free(d);
}

/*
 * A process that holds a mutex and is merely slow (sleeping, not blocked
 * in ipclab) while another waits for it: no deadlock.
 */
TEST_F(dl, slow_is_not_deadlocked)
{
	static struct run r;
	struct rendezvous rv;
	struct dot *d = calloc(1, sizeof(*d));
	struct verdict v;
	const char *why = "";
	pid_t slow, waiter;
	__u32 m;
	int i;

	m = NEW_MUTEX();
	/* It locks m and then sleeps in poll(), waiting for a byte. */
	slow = spawn_locker(&self->cl, self->fd, m, m, "dl-slow", &rv);
	ASSERT_LT(0, slow);
	ASSERT_EQ('l', get_byte(rv.ready[0], IPCLAB_SETTLE_MS));
	waiter = kids_fork(&self->cl);
	ASSERT_LE(0, waiter);
	if (waiter == 0) {
		prctl(PR_SET_NAME, "dl-waiter", 0, 0, 0);
		_exit(child_status(mutex_lock(self->fd, m)));
	}
	ASSERT_TRUE(wait_for_waiters(self->fd, m, 1));

	NEED_CLI();
	ASSERT_EQ(0, RUN(&r, NULL, "ipclab", "deadlock")) TH_LOG("%s%s", r.out, r.err);
	EXPECT_NE(NULL, strstr(r.out, "No deadlock")) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "1. process 1 is not blocked")) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "2. process 2 requests (1)")) TH_LOG("%s", r.out);
	ASSERT_EQ(0, RUN(&r, NULL, "ipclab", "deadlock", "--json"));
	ASSERT_TRUE(verdict_parse(&v, &r)) TH_LOG("%s", r.out);
	EXPECT_EQ(0, jint(v.j, "deadlock", -1));
	EXPECT_EQ(slow, jint(jat(jget(v.j, "steps"), 0), "pid", -1));
	EXPECT_EQ(waiter, jint(jat(jget(v.j, "steps"), 1), "pid", -1));

	ASSERT_EQ(0, RUN(&r, NULL, "ipclab", "graph"));
	ASSERT_TRUE(dot_parse(r.out, d, &why)) TH_LOG("%s in:\n%s", why, r.out);
	EXPECT_STREQ("no cycle, no deadlock", d->glabel);
	for (i = 0; i < d->nnodes; i++)
		EXPECT_STRNE("red", d->nodes[i].a.color) TH_LOG("%s", d->nodes[i].name);
	EXPECT_DOT_EDGE(d, mutex_node(m), proc_node(slow), false);
	EXPECT_DOT_EDGE(d, proc_node(waiter), mutex_node(m), false);

	/* Slow, not stuck: it goes on, and so does the waiter. */
	ASSERT_OK(put_byte(rv.go[1], 'g'));
	EXPECT_KID(EDEADLK, slow, IPCLAB_SETTLE_MS) TH_LOG("its second lock of m");
	EXPECT_KID(EOWNERDEAD, waiter, IPCLAB_SETTLE_MS);
	rv_close(&rv);
	free(d);
}

/* ------------------------------------------------------------------ */
/* IPCLAB_REFUSE_DEADLOCK, IPCLAB_IOC_CYCLE                            */
/* ------------------------------------------------------------------ */

static int get_cycle(int fd, struct ipclab_cycle_entry *e, __u32 room, __u32 *len)
{
	struct ipclab_cycle c = { .len = room, .flags = 0, .entries = ptr_u64(e) };
	int ret;

	if (e)
		memset(e, 0xcc, room * sizeof(*e));
	ret = ioctl(fd, IPCLAB_IOC_CYCLE, &c);
	*len = c.len;
	return ret;
}

#define EXPECT_CYCLE_ENTRY(e, want_pid, want_tid, want_comm, want_id, want_num, want_type) do { \
	EXPECT_EQ((want_pid), (e)->pid);				\
	EXPECT_EQ((want_tid), (e)->tid);				\
	EXPECT_STREQ((want_comm), (e)->comm);				\
	EXPECT_EQ((want_id), (e)->id);					\
	EXPECT_EQ((want_num), (e)->num);				\
	EXPECT_EQ((want_type), (e)->type);				\
	EXPECT_EQ(0, (e)->flags);					\
} while (0)

/*
 * Mutexes that refuse deadlocks: A holds m1 and waits for m2; we hold m2,
 * and our lock of m1 would close the cycle.  It fails with EDEADLK,
 * changes nothing, and IPCLAB_IOC_CYCLE names both processes and both
 * mutexes in order.
 */
TEST_F(dl, refuse_mutex)
{
	struct ipclab_cycle_entry e[4];
	struct ipclab_cycle c;
	struct rendezvous rv;
	struct ipclab_stat st;
	char me[16];
	__u32 m1, m2, len;
	pid_t a, kid;

	get_comm(me);
	m1 = NEW_OBJ_FLAGS(IPCLAB_TYPE_MUTEX, 0, IPCLAB_REFUSE_DEADLOCK);
	m2 = NEW_OBJ_FLAGS(IPCLAB_TYPE_MUTEX, 0, IPCLAB_REFUSE_DEADLOCK);
	ASSERT_OK(ipclab_stat(self->fd, m1, &st));
	EXPECT_EQ(IPCLAB_REFUSE_DEADLOCK, st.perm.flags);

	/* Never refused yet: an empty cycle. */
	ASSERT_OK(get_cycle(self->fd, e, 4, &len));
	EXPECT_EQ(0, len);

	a = spawn_locker(&self->cl, self->fd, m1, m2, "dl-refuse-a", &rv);
	ASSERT_LT(0, a);
	ASSERT_EQ('l', get_byte(rv.ready[0], IPCLAB_SETTLE_MS));
	ASSERT_OK(mutex_lock(self->fd, m2));
	ASSERT_OK(put_byte(rv.go[1], 'g'));
	ASSERT_TRUE(wait_for_waiters(self->fd, m2, 1));

	EXPECT_ERRNO(EDEADLK, mutex_lock(self->fd, m1));
	/* Nothing changed: A owns m1 with nobody waiting, we own m2, A waits. */
	check_mutex_state(self->fd, m1, IPCLAB_MUTEX_LOCKED, a, 0);
	check_mutex_state(self->fd, m2, IPCLAB_MUTEX_LOCKED, getpid(), 1);
	EXPECT_TRUE(kid_running(a));

	ASSERT_OK(get_cycle(self->fd, e, 4, &len));
	ASSERT_EQ(2, len);
	EXPECT_CYCLE_ENTRY(&e[0], getpid(), gettid(), me, m1, 0, IPCLAB_TYPE_MUTEX);
	EXPECT_CYCLE_ENTRY(&e[1], a, a, "dl-refuse-a", m2, 0, IPCLAB_TYPE_MUTEX);
	/* Room for one: one entry written, the length says two. */
	ASSERT_OK(get_cycle(self->fd, e, 1, &len));
	EXPECT_EQ(2, len);
	EXPECT_EQ(getpid(), e[0].pid);
	/* No room: only the length. */
	ASSERT_OK(get_cycle(self->fd, NULL, 0, &len));
	EXPECT_EQ(2, len);
	/* Errors. */
	c = (struct ipclab_cycle){ .len = 4, .flags = 1, .entries = ptr_u64(e) };
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, IPCLAB_IOC_CYCLE, &c));
	c = (struct ipclab_cycle){ .len = 4, .entries = ptr_u64(e) };
	c.reserved[1] = 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, IPCLAB_IOC_CYCLE, &c));
	c = (struct ipclab_cycle){ .len = 4, .flags = 0, .entries = 8 };
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, IPCLAB_IOC_CYCLE, &c));
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, IPCLAB_IOC_CYCLE, (void *)8));

	/* The cycle is another process's business: a child has none. */
	kid = kids_fork(&self->cl);
	ASSERT_LE(0, kid);
	if (kid == 0) {
		CHILD_CHECK(get_cycle(self->fd, NULL, 0, &len), 0);
		_exit(len == 0 ? 0 : CHILD_CHECK_FAILED);
	}
	EXPECT_KID(0, kid, IPCLAB_SETTLE_MS);

	/* Unlock m2: A gets it, and goes. */
	ASSERT_OK(mutex_unlock(self->fd, m2));
	EXPECT_KID(0, a, IPCLAB_SETTLE_MS);
	rv_close(&rv);
}

/*
 * The same over semaphores of two refusing sets, and a waiter that would
 * only wait (no cycle) is not refused.
 */
/*
 * Processes that only looked (a wait for zero that did not wait) hold
 * nothing: however many there are, they cost the check nothing, and a P
 * of 500 semaphores nobody holds simply waits (here: times out).
 */
TEST_F(dl, refuse_idle_readers_cost_nothing)
{
	struct ipclab_sembuf ops[500];
	int go[2], ready[2], i, ret;
	__u32 id;

	id = NEW_OBJ_FLAGS(IPCLAB_TYPE_SEM, 500, IPCLAB_REFUSE_DEADLOCK);
	ASSERT_OK(pipe(go));
	ASSERT_OK(pipe(ready));
	/* 140 x 500 would pass the check's 2^16 steps if each cost one. */
	for (i = 0; i < 140; i++) {
		pid_t pid = kids_fork(&self->cl);

		ASSERT_LE(0, pid);
		if (pid == 0) {
			char c;

			close(go[1]);
			close(ready[0]);
			CHILD_CHECK(sem_op1(self->fd, id, 0, 0, IPCLAB_SEMBUF_NOWAIT), 0);
			CHILD_CHECK(put_byte(ready[1], 'r'), 0);
			CHILD_CHECK(read(go[0], &c, 1) < 0 ? -1 : 0, 0);
			_exit(0);
		}
	}
	close(ready[1]);
	for (i = 0; i < 140; i++)
		ASSERT_EQ('r', get_byte(ready[0], IPCLAB_SETTLE_MS)) TH_LOG("reader %d", i);
	for (i = 0; i < 500; i++)
		ops[i] = sembuf(i, -1, 0);
	ret = sem_ops(self->fd, id, ops, 500, IPCLAB_WAIT_TIMEOUT, 50 * NSEC_PER_MSEC);
	EXPECT_ERRNO(ETIMEDOUT, ret) TH_LOG("refused a wait that closes no cycle");
	close(go[0]);
	close(go[1]);
	close(ready[0]);
}

TEST_F(dl, refuse_semaphore)
{
	struct ipclab_cycle_entry e[4];
	struct rendezvous rv;
	struct snap *s = calloc(1, sizeof(*s));
	char me[16];
	__u32 s1, s2, len;
	pid_t a;

	get_comm(me);
	s1 = NEW_OBJ_FLAGS(IPCLAB_TYPE_SEM, 2, IPCLAB_REFUSE_DEADLOCK);
	s2 = NEW_OBJ_FLAGS(IPCLAB_TYPE_SEM, 1, IPCLAB_REFUSE_DEADLOCK);
	ASSERT_OK(sem_setval(self->fd, s1, 1, 1));
	ASSERT_OK(sem_setval(self->fd, s2, 0, 1));

	/* A takes s1[1], then waits for s2[0], which we take first. */
	ASSERT_OK(sem_op1(self->fd, s2, 0, -1, 0));
	ASSERT_OK(rv_open(&rv));
	a = kids_fork(&self->cl);
	ASSERT_LE(0, a);
	if (a == 0) {
		rv_child(&rv);
		prctl(PR_SET_NAME, "dl-refuse-s", 0, 0, 0);
		if (sem_op1(self->fd, s1, 1, -1, 0) || put_byte(rv.ready[1], 'h'))
			_exit(CHILD_BROKEN);
		_exit(child_status(sem_op1(self->fd, s2, 0, -1, 0)));
	}
	rv_parent(&rv);
	ASSERT_EQ('h', get_byte(rv.ready[0], IPCLAB_SETTLE_MS));
	ASSERT_TRUE(wait_for_waiters(self->fd, s2, 1));

	/* s1[0] is held by nobody: a plain wait, which times out. */
	EXPECT_ERRNO(ETIMEDOUT, sem_op1_wait(self->fd, s1, 0, -1, 0,
					     IPCLAB_WAIT_TIMEOUT, 20 * NSEC_PER_MSEC));
	/* s1[1] is held by A, which waits for us: refused. */
	EXPECT_ERRNO(EDEADLK, sem_op1(self->fd, s1, 1, -1, 0));
	ASSERT_OK(ipclab_snap(self->fd, s1, s));
	EXPECT_EQ(0, s->st.nwaiters);
	check_sem_values(self->fd, s1, 0, 0);
	EXPECT_EQ(1, snap_holder(s, a, 1) ? snap_holder(s, a, 1)->held : -1);
	ASSERT_OK(get_cycle(self->fd, e, 4, &len));
	ASSERT_EQ(2, len);
	EXPECT_CYCLE_ENTRY(&e[0], getpid(), gettid(), me, s1, 1, IPCLAB_TYPE_SEM);
	EXPECT_CYCLE_ENTRY(&e[1], a, a, "dl-refuse-s", s2, 0, IPCLAB_TYPE_SEM);

	ASSERT_OK(sem_op1(self->fd, s2, 0, 1, 0));
	EXPECT_KID(0, a, IPCLAB_SETTLE_MS);
	rv_close(&rv);
	free(s);
}

/* ------------------------------------------------------------------ */
/* IPCLAB_IOC_SNAPSHOT                                                 */
/* ------------------------------------------------------------------ */

#define SNAP_ROOM	64

struct whole {
	struct ipclab_snapshot s;
	struct ipclab_snap_res res[SNAP_ROOM];
	struct ipclab_snap_proc procs[SNAP_ROOM];
	struct ipclab_snap_edge edges[SNAP_ROOM];
};

/* IPCLAB_IOC_SNAPSHOT with room for SNAP_ROOM of each; arrays poisoned. */
static int snapshot(int fd, struct whole *w)
{
	POISON(*w);
	memset(&w->s, 0, sizeof(w->s));
	w->s.res = ptr_u64(w->res);
	w->s.procs = ptr_u64(w->procs);
	w->s.edges = ptr_u64(w->edges);
	w->s.res_len = w->s.procs_len = w->s.edges_len = SNAP_ROOM;
	return ioctl(fd, IPCLAB_IOC_SNAPSHOT, &w->s);
}

static int snap_res_index(const struct whole *w, __u32 id, __u32 num)
{
	__u32 i;

	for (i = 0; i < w->s.res_len && i < SNAP_ROOM; i++)
		if (w->res[i].id == id && w->res[i].num == num)
			return i;
	return -1;
}

static int snap_proc_index(const struct whole *w, pid_t pid)
{
	__u32 i;

	for (i = 0; i < w->s.procs_len && i < SNAP_ROOM; i++)
		if (w->procs[i].pid == pid)
			return i;
	return -1;
}

/* The edge of this kind between process pid and resource (id, num). */
static const struct ipclab_snap_edge *
snap_edge(const struct whole *w, __u32 kind, pid_t pid, __u32 id, __u32 num)
{
	int p = snap_proc_index(w, pid), r = snap_res_index(w, id, num);
	__u32 i;

	for (i = 0; i < w->s.edges_len && i < SNAP_ROOM; i++)
		if (w->edges[i].kind == kind && (int)w->edges[i].proc == p &&
		    (int)w->edges[i].res == r)
			return &w->edges[i];
	return NULL;
}

/* Flags, padding, reserved; bad pointers; truncated arrays. */
TEST_F(dl, snapshot_errors)
{
	struct whole *w = calloc(1, sizeof(*w));
	struct ipclab_snapshot a;
	void *bad;
	__u32 id, i, nres;

	id = NEW_SEM(5);
	ASSERT_OK(sem_setval(self->fd, id, 0, 3));
	ASSERT_OK(sem_op1(self->fd, id, 0, -1, 0));	/* a process, an edge */

	/* Sizes only. */
	memset(&a, 0, sizeof(a));
	ASSERT_OK(ioctl(self->fd, IPCLAB_IOC_SNAPSHOT, &a));
	EXPECT_LE(5, a.res_len);
	EXPECT_LE(1, a.procs_len);
	EXPECT_LE(1, a.edges_len);
	EXPECT_NE(0, a.taken_ns);
	nres = a.res_len;

	memset(&a, 0, sizeof(a));
	a.flags = 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, IPCLAB_IOC_SNAPSHOT, &a));
	memset(&a, 0, sizeof(a));
	a.flags = 0x80000000;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, IPCLAB_IOC_SNAPSHOT, &a));
	memset(&a, 0, sizeof(a));
	a.pad = 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, IPCLAB_IOC_SNAPSHOT, &a));
	memset(&a, 0, sizeof(a));
	a.pad2 = 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, IPCLAB_IOC_SNAPSHOT, &a));
	/* An output: what comes in is ignored, what goes out says "whole". */
	memset(&a, 0, sizeof(a));
	a.truncated = 7;
	EXPECT_OK(ioctl(self->fd, IPCLAB_IOC_SNAPSHOT, &a));
	EXPECT_EQ(0, a.truncated);
	for (i = 0; i < ARRAY_SIZE(a.reserved); i++) {
		memset(&a, 0, sizeof(a));
		a.reserved[i] = 1;
		EXPECT_ERRNO(EINVAL, ioctl(self->fd, IPCLAB_IOC_SNAPSHOT, &a))
			TH_LOG("reserved[%u]", i);
	}
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, IPCLAB_IOC_SNAPSHOT, (void *)8));

	/* A pointer to nowhere with room behind it. */
	bad = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, bad);
	memset(&a, 0, sizeof(a));
	a.res = ptr_u64(bad);
	a.res_len = 8;
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, IPCLAB_IOC_SNAPSHOT, &a));
	memset(&a, 0, sizeof(a));
	a.procs = ptr_u64(bad);
	a.procs_len = 8;
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, IPCLAB_IOC_SNAPSHOT, &a));
	memset(&a, 0, sizeof(a));
	a.edges = ptr_u64(bad);
	a.edges_len = 8;
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, IPCLAB_IOC_SNAPSHOT, &a));
	/* ... but without room it is not touched. */
	memset(&a, 0, sizeof(a));
	a.res = a.procs = a.edges = ptr_u64(bad);
	EXPECT_OK(ioctl(self->fd, IPCLAB_IOC_SNAPSHOT, &a));
	munmap(bad, 4096);

	/* Truncated: two resources written, the true numbers reported. */
	POISON(*w);
	memset(&w->s, 0, sizeof(w->s));
	w->s.res = ptr_u64(w->res);
	w->s.res_len = 2;
	w->s.procs = ptr_u64(w->procs);
	w->s.procs_len = 0;
	w->s.edges = ptr_u64(w->edges);
	w->s.edges_len = 0;
	ASSERT_OK(ioctl(self->fd, IPCLAB_IOC_SNAPSHOT, &w->s));
	EXPECT_EQ(nres, w->s.res_len);
	EXPECT_LE(1, w->s.procs_len);
	EXPECT_LE(1, w->s.edges_len);
	EXPECT_NE(0xcccccccc, w->res[1].id) TH_LOG("the second entry is not written");
	EXPECT_EQ(0xcccccccc, w->res[2].id) TH_LOG("an entry past the room was written");
	EXPECT_EQ((__s32)0xcccccccc, w->procs[0].pid);
	EXPECT_EQ(0xcccccccc, w->edges[0].kind);
	free(w);
}

/* A child that waits in the operations ops[0..nops) of set id, named comm. */
static pid_t spawn_ops(struct ipclab_cleanup *cl, int fd, __u32 id,
		       const struct ipclab_sembuf *ops, __u32 nops, const char *comm)
{
	pid_t pid = kids_fork(cl);

	if (pid == 0) {
		prctl(PR_SET_NAME, comm, 0, 0, 0);
		_exit(child_status(sem_ops(fd, id, ops, nops, 0, 0)));
	}
	return pid;
}

/*
 * What the snapshot says about a known state: a holder of two units and
 * of a mutex, a waiter for two semaphores at once (one ticket, two
 * edges), a waiter for zero; totals, availability, pids, tids and names.
 */
TEST_F(dl, snapshot_contents)
{
	struct whole *w = calloc(1, sizeof(*w));
	const struct ipclab_sembuf two[2] = { sembuf(0, -1, 0), sembuf(1, -2, 0) };
	const struct ipclab_sembuf zero = sembuf(0, 0, 0);
	const struct ipclab_snap_edge *e, *e2;
	char me[16];
	__u64 before, after;
	pid_t wt, zr;
	__u32 id, m;
	int r0, r1, rm, p;

	get_comm(me);
	id = NEW_SEM(2);
	m = NEW_MUTEX();
	ASSERT_OK(sem_setval(self->fd, id, 0, 3));
	ASSERT_OK(sem_op1_wait(self->fd, id, 0, -2, 0, 0, 0));	/* we hold 2, value 1 */
	ASSERT_OK(mutex_lock(self->fd, m));
	wt = spawn_ops(&self->cl, self->fd, id, two, 2, "dl-two");
	ASSERT_LT(0, wt);
	ASSERT_TRUE(wait_for_waiters(self->fd, id, 1));
	zr = spawn_ops(&self->cl, self->fd, id, &zero, 1, "dl-zero");
	ASSERT_LT(0, zr);
	ASSERT_TRUE(wait_for_waiters(self->fd, id, 2));

	before = mono_ns();
	ASSERT_OK(snapshot(self->fd, w));
	after = mono_ns();
	ASSERT_GE(SNAP_ROOM, w->s.res_len);
	ASSERT_GE(SNAP_ROOM, w->s.procs_len);
	ASSERT_GE(SNAP_ROOM, w->s.edges_len);
	EXPECT_LE(before, w->s.taken_ns);
	EXPECT_GE(after, w->s.taken_ns);
	EXPECT_EQ(0, w->s.hidden);
	EXPECT_EQ(0, w->s.flags);
	EXPECT_EQ(0, w->s.pad);

	r0 = snap_res_index(w, id, 0);
	r1 = snap_res_index(w, id, 1);
	rm = snap_res_index(w, m, 0);
	ASSERT_LE(0, r0);
	ASSERT_EQ(r0 + 1, r1) TH_LOG("a set's semaphores in order");
	ASSERT_LE(0, rm);
	EXPECT_EQ(IPCLAB_TYPE_SEM, w->res[r0].type);
	EXPECT_EQ(1, w->res[r0].avail);
	EXPECT_EQ(3, w->res[r0].total);
	EXPECT_EQ(0, w->res[r0].flags);
	EXPECT_EQ(0, w->res[r1].avail);
	EXPECT_EQ(0, w->res[r1].total);
	EXPECT_EQ(IPCLAB_TYPE_MUTEX, w->res[rm].type);
	EXPECT_EQ(0, w->res[rm].num);
	EXPECT_EQ(0, w->res[rm].avail);
	EXPECT_EQ(1, w->res[rm].total);
	/*
	 * Resources in table order, each object once, a set's semaphores
	 * together and in order.
	 */
	for (p = 1; p < (int)w->s.res_len; p++) {
		if (w->res[p - 1].id == w->res[p].id) {
			EXPECT_EQ(w->res[p - 1].num + 1, w->res[p].num) TH_LOG("entry %d", p);
		} else {
			EXPECT_EQ(p, snap_res_index(w, w->res[p].id, 0))
				TH_LOG("entry %d: object %u listed twice", p, w->res[p].id);
		}
	}

	p = snap_proc_index(w, getpid());
	ASSERT_LE(0, p);
	EXPECT_STREQ(me, w->procs[p].comm);
	EXPECT_EQ(0, w->procs[p].nwait);
	p = snap_proc_index(w, wt);
	ASSERT_LE(0, p);
	EXPECT_STREQ("dl-two", w->procs[p].comm);
	EXPECT_EQ(1, w->procs[p].nwait);
	p = snap_proc_index(w, zr);
	ASSERT_LE(0, p);
	EXPECT_EQ(1, w->procs[p].nwait);

	e = snap_edge(w, IPCLAB_EDGE_HOLD, getpid(), id, 0);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(2, e->count);
	EXPECT_EQ(0, e->tid);
	e = snap_edge(w, IPCLAB_EDGE_HOLD, getpid(), m, 0);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(1, e->count);
	e = snap_edge(w, IPCLAB_EDGE_WAIT, wt, id, 0);
	e2 = snap_edge(w, IPCLAB_EDGE_WAIT, wt, id, 1);
	ASSERT_NE(NULL, e);
	ASSERT_NE(NULL, e2);
	EXPECT_EQ(1, e->count);
	EXPECT_EQ(2, e2->count);
	EXPECT_EQ(wt, e->tid);
	EXPECT_EQ(e->ticket, e2->ticket) TH_LOG("one waiter, one ticket");
	EXPECT_LT(0, e->waited_ns);
	EXPECT_EQ(0, e->pad);
	e2 = snap_edge(w, IPCLAB_EDGE_WAIT, zr, id, 0);
	ASSERT_NE(NULL, e2);
	EXPECT_EQ(0, e2->count) TH_LOG("a wait for zero requests nothing");
	EXPECT_LT(e->ticket, e2->ticket);
	EXPECT_EQ(NULL, snap_edge(w, IPCLAB_EDGE_WAIT, zr, id, 1));
	/*
	 * An object's edges follow its resources, holdings first, then each
	 * waiter's requests together.
	 */
	for (p = 1; p < (int)w->s.edges_len; p++) {
		const struct ipclab_snap_edge *x = &w->edges[p - 1], *y = &w->edges[p];
		int ox = snap_res_index(w, w->res[x->res].id, 0);
		int oy = snap_res_index(w, w->res[y->res].id, 0);

		EXPECT_LE(ox, oy) TH_LOG("edge %d: objects out of order", p);
		if (ox == oy) {
			EXPECT_LE(x->kind, y->kind) TH_LOG("edge %d: a holding after a wait", p);
		}
	}
	/* The waiter's two requests are together, in its operations' order. */
	EXPECT_EQ(1, snap_edge(w, IPCLAB_EDGE_WAIT, wt, id, 1) -
		     snap_edge(w, IPCLAB_EDGE_WAIT, wt, id, 0));
	free(w);
}

/* Objects the caller may not read are left out and counted. */
TEST_F(dl, snapshot_hidden)
{
	pid_t kid;
	__u32 id;

	if (geteuid() != 0)
		SKIP(return, "needs root to become nobody");
	id = NEW_SEM(3);	/* mode 0600, root's */
	kid = kids_fork(&self->cl);
	ASSERT_LE(0, kid);
	if (kid == 0) {
		struct whole *w = calloc(1, sizeof(*w));

		if (!w || drop_to_nobody())
			_exit(CHILD_BROKEN);
		CHILD_CHECK(snapshot(self->fd, w), 0);
		if (w->s.hidden < 1 || snap_res_index(w, id, 0) >= 0) {
			fprintf(stderr, "# nobody's snapshot: hidden %u, set %s\n",
				w->s.hidden, snap_res_index(w, id, 0) >= 0 ? "shown" : "left out");
			_exit(CHILD_CHECK_FAILED);
		}
		_exit(0);
	}
	EXPECT_KID(0, kid, IPCLAB_SETTLE_MS);
}

/* ------------------------------------------------------------------ */
/* What the command makes of the harder cases                          */
/* ------------------------------------------------------------------ */

/*
 * A child named comm that takes n units of semaphore num of set id and
 * sleeps (not blocked in ipclab) until it is killed.  Returns its pid
 * once it holds them, or -1.
 */
static pid_t spawn_holder(struct ipclab_cleanup *cl, int fd, __u32 id, __u32 num,
			  int n, const char *comm)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		return -1;
	pid = kids_fork(cl);
	if (pid == 0) {
		close(p[0]);
		prctl(PR_SET_NAME, comm, 0, 0, 0);
		CHILD_CHECK(sem_op1(fd, id, num, -n, 0), 0);
		put_byte(p[1], 'h');
		pause();
		_exit(0);
	}
	close(p[1]);
	if (pid > 0 && get_byte(p[0], IPCLAB_SETTLE_MS) != 'h')
		pid = -1;
	close(p[0]);
	return pid;
}

/*
 * A semaphore used for signalling: we V it twice without P (held -2),
 * a child P's once.  Its total grew; the command says so.
 */
TEST_F(dl, signalling_semaphore)
{
	static struct run r;
	struct verdict v;
	const struct json *res;
	pid_t kid;
	__u32 id;
	int c;

	id = NEW_SEM(1);
	ASSERT_OK(sem_op1(self->fd, id, 0, 2, 0));
	kid = spawn_holder(&self->cl, self->fd, id, 0, 1, "dl-signalled");
	ASSERT_LT(0, kid);
	ASSERT_EQ(1, sem_getval(self->fd, id, 0));

	NEED_CLI();
	ASSERT_EQ(0, RUN(&r, NULL, "ipclab", "deadlock", "--json")) TH_LOG("%s%s", r.out, r.err);
	ASSERT_TRUE(verdict_parse(&v, &r)) TH_LOG("%s", r.out);
	c = sem_col(&v, id, 0);
	ASSERT_LE(0, c);
	res = jat(jget(v.j, "resources"), c);
	EXPECT_EQ(2, jint(res, "signalled", -1)) TH_LOG("%s", r.out);
	EXPECT_EQ(2, jnum(jat(jget(v.j, "E"), c), -1)) TH_LOG("value 1 + held 1");
	EXPECT_EQ(1, cell(&v, "C", row_of(&v, kid), c));
	EXPECT_EQ(-1, row_of(&v, getpid())) TH_LOG("a negative holding is no allocation");
	ASSERT_EQ(0, RUN(&r, NULL, "ipclab", "deadlock"));
	EXPECT_NE(NULL, strstr(r.out, "is used for signalling: processes gave 2 more units"))
		TH_LOG("%s", r.out);
}

/*
 * A wait for zero cannot be written in R: the command says so, and the
 * process counts as not blocked on a resource.
 */
TEST_F(dl, wait_for_zero)
{
	static struct run r;
	const struct ipclab_sembuf zero = sembuf(0, 0, 0);
	struct verdict v;
	const struct json *proc;
	pid_t zr;
	__u32 id;
	int c;

	id = NEW_SEM(1);
	ASSERT_OK(sem_setval(self->fd, id, 0, 2));
	ASSERT_OK(sem_op1(self->fd, id, 0, -1, 0));		/* we hold 1 */
	zr = spawn_ops(&self->cl, self->fd, id, &zero, 1, "dl-zero");
	ASSERT_LT(0, zr);
	ASSERT_TRUE(wait_for_waiters(self->fd, id, 1));

	NEED_CLI();
	ASSERT_EQ(0, RUN(&r, NULL, "ipclab", "deadlock", "--json")) TH_LOG("%s%s", r.out, r.err);
	ASSERT_TRUE(verdict_parse(&v, &r)) TH_LOG("%s", r.out);
	c = sem_col(&v, id, 0);
	proc = jat(jget(v.j, "processes"), row_of(&v, zr));
	ASSERT_NE(NULL, proc);
	EXPECT_EQ(1, jint(proc, "waits_for_zero", -1));
	EXPECT_EQ(1, jint(proc, "blocked", -1));
	EXPECT_EQ(0, cell(&v, "R", row_of(&v, zr), c));
	EXPECT_EQ(0, jint(v.j, "deadlock", -1));
	ASSERT_EQ(0, RUN(&r, NULL, "ipclab", "deadlock"));
	EXPECT_NE(NULL, strstr(r.out, "waits only for a value of zero")) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "cannot be written in R")) TH_LOG("%s", r.out);
}

static void *thread_p(void *arg)
{
	const __u32 *a = arg;	/* fd, id */

	sem_op1(a[0], a[1], 0, -1, 0);
	return NULL;
}

/* Two threads of one process blocked on one semaphore: R sums them. */
TEST_F(dl, threads_summed)
{
	static struct run r;
	struct verdict v;
	pid_t kid, holder;
	__u32 id;

	id = NEW_SEM(1);
	ASSERT_OK(sem_setval(self->fd, id, 0, 2));
	holder = spawn_holder(&self->cl, self->fd, id, 0, 2, "dl-holder");
	ASSERT_LT(0, holder);
	kid = kids_fork(&self->cl);
	ASSERT_LE(0, kid);
	if (kid == 0) {
		__u32 arg[2] = { self->fd, id };
		pthread_t t[2];

		prctl(PR_SET_NAME, "dl-threads", 0, 0, 0);
		pthread_create(&t[0], NULL, thread_p, arg);
		pthread_create(&t[1], NULL, thread_p, arg);
		pthread_join(t[0], NULL);
		pthread_join(t[1], NULL);
		_exit(0);
	}
	ASSERT_TRUE(wait_for_waiters(self->fd, id, 2));

	NEED_CLI();
	ASSERT_EQ(0, RUN(&r, NULL, "ipclab", "deadlock", "--json")) TH_LOG("%s%s", r.out, r.err);
	ASSERT_TRUE(verdict_parse(&v, &r)) TH_LOG("%s", r.out);
	EXPECT_EQ(2, cell(&v, "R", row_of(&v, kid), sem_col(&v, id, 0)));
	EXPECT_EQ(2, jint(jat(jget(v.j, "processes"), row_of(&v, kid)), "threads_blocked", -1));
	EXPECT_EQ(2, cell(&v, "C", row_of(&v, holder), sem_col(&v, id, 0)));
	EXPECT_EQ(0, jint(v.j, "deadlock", -1));
	ASSERT_EQ(0, RUN(&r, NULL, "ipclab", "deadlock"));
	EXPECT_NE(NULL, strstr(r.out, "blocked (2 threads)")) TH_LOG("%s", r.out);
}

/*
 * Which columns: a set one of whose semaphores is held shows all of its
 * semaphores; untouched objects only with --all.
 */
TEST_F(dl, columns)
{
	static struct run r;
	struct verdict v;
	__u32 used, idle, m;
	pid_t kid;
	int k;

	used = NEW_SEM(4);
	idle = NEW_SEM(3);
	m = NEW_MUTEX();
	ASSERT_OK(sem_setval(self->fd, used, 1, 1));
	kid = spawn_holder(&self->cl, self->fd, used, 1, 1, "dl-columns");
	ASSERT_LT(0, kid);

	NEED_CLI();
	ASSERT_EQ(0, RUN(&r, NULL, "ipclab", "deadlock", "--json")) TH_LOG("%s%s", r.out, r.err);
	ASSERT_TRUE(verdict_parse(&v, &r)) TH_LOG("%s", r.out);
	for (k = 0; k < 4; k++)
		EXPECT_LE(0, sem_col(&v, used, k)) TH_LOG("sem %u[%d] not shown", used, k);
	EXPECT_GT(0, sem_col(&v, idle, 0));
	EXPECT_GT(0, mutex_col(&v, m));
	EXPECT_EQ(1, cell(&v, "C", row_of(&v, kid), sem_col(&v, used, 1)));

	ASSERT_EQ(0, RUN(&r, NULL, "ipclab", "deadlock", "--json", "--all"));
	ASSERT_TRUE(verdict_parse(&v, &r)) TH_LOG("%s", r.out);
	for (k = 0; k < 3; k++)
		EXPECT_LE(0, sem_col(&v, idle, k)) TH_LOG("--all: sem %u[%d]", idle, k);
	EXPECT_LE(0, mutex_col(&v, m));
	EXPECT_EQ(1, jnum(jat(jget(v.j, "E"), mutex_col(&v, m)), -1));
	EXPECT_EQ(1, jnum(jat(jget(v.j, "A"), mutex_col(&v, m)), -1));
}

/* ------------------------------------------------------------------ */
/* Trace events                                                        */
/* ------------------------------------------------------------------ */

/*
 * The events go to a trace instance of our own, so that the global
 * buffer and whatever else traces are left alone.
 */
#define TRACE_INSTANCE	"ipclab_deadlock_test"

/*
 * Is there a line of event "name" whose fields include every "key=value"
 * of want (a space-separated list)?  The fields are the event's
 * TP_printk text: "key=value" words after "name: ".
 */
static bool trace_has(const char *trace, const char *name, const char *want)
{
	char tag[64], wbuf[256], *save, *w;
	const char *p = trace, *line, *end;
	bool all;

	snprintf(tag, sizeof(tag), " %s: ", name);
	while ((p = strstr(p, tag))) {
		line = p + strlen(tag);
		end = strchrnul(line, '\n');
		snprintf(wbuf, sizeof(wbuf), "%s", want);
		all = true;
		for (w = strtok_r(wbuf, " ", &save); w && all; w = strtok_r(NULL, " ", &save)) {
			const char *f = line;
			size_t n = strlen(w);

			all = false;
			while ((f = strstr(f, w)) && f < end) {
				if ((f == line || f[-1] == ' ') && (f[n] == ' ' || f + n == end)) {
					all = true;
					break;
				}
				f += n;
			}
		}
		if (all)
			return true;
		p = end;
	}
	return false;
}

static void sigusr1(int sig)
{
	(void)sig;
}

/*
 * Every ipclab event fires, with the right ids and pids: create and
 * remove, P and V, a blocked wait and its wake-up, a timeout, a signal,
 * an undo at exit, lock and unlock, send and receive, attach and detach,
 * and a refusal with EDEADLK.
 */
TEST_F(dl, tracepoints)
{
	static const char *const events[] = {
		"ipclab_create", "ipclab_remove", "ipclab_semop", "ipclab_lock",
		"ipclab_unlock", "ipclab_block", "ipclab_wake", "ipclab_timeout",
		"ipclab_signal", "ipclab_undo", "ipclab_send", "ipclab_receive",
		"ipclab_attach", "ipclab_detach", "ipclab_deadlock", "ipclab_world_stop",
	};
	char path[PATH_MAX + 64], want[160], buf[8];
	const char *root = tracefs();
	struct rendezvous rv;
	struct ipclab_get g;
	struct ipclab_open o;
	__u32 sem, gone, m1, m2, mbox, shbuf;
	pid_t me = getpid(), waiter, sigkid, undokid, a;
	char *trace, *inst;
	void *map;
	unsigned int i;

	if (!root)
		SKIP(return, "no tracefs with events/ipclab (CONFIG_TRACING?)");
	inst = calloc(1, PATH_MAX);
	snprintf(inst, PATH_MAX, "%s/instances/" TRACE_INSTANCE, root);
	rmdir(inst);	/* left over from an earlier run */
	if (mkdir(inst, 0700))
		SKIP(return, "cannot make a trace instance %s: %s", inst, strerror(errno));
	snprintf(path, sizeof(path), "%s/events/ipclab/enable", inst);
	ASSERT_OK(write_file(path, "1")) TH_LOG("%s: %s", path, strerror(errno));
	for (i = 0; i < ARRAY_SIZE(events); i++) {
		snprintf(path, sizeof(path), "%s/events/ipclab/%s/enable", inst, events[i]);
		EXPECT_OK(access(path, F_OK)) TH_LOG("no event %s", events[i]);
	}
	snprintf(path, sizeof(path), "%s/tracing_on", inst);
	ASSERT_OK(write_file(path, "1"));

	/* create, P and V, remove */
	sem = NEW_SEM(2);
	gone = NEW_SEM(1);
	ASSERT_OK(ipclab_rmid(self->fd, gone));
	ASSERT_OK(sem_op1(self->fd, sem, 1, 3, 0));
	ASSERT_OK(sem_op1(self->fd, sem, 1, -2, 0));

	/* a blocked wait, woken by our V */
	waiter = spawn_ops(&self->cl, self->fd, sem, &((struct ipclab_sembuf){ 0, -1, 0, 0 }),
			   1, "dl-trace-wait");
	ASSERT_LT(0, waiter);
	ASSERT_TRUE(wait_for_waiters(self->fd, sem, 1));
	ASSERT_OK(sem_op1(self->fd, sem, 0, 1, 0));
	EXPECT_KID(0, waiter, IPCLAB_SETTLE_MS);

	/* a timeout */
	EXPECT_ERRNO(ETIMEDOUT, sem_op1_wait(self->fd, sem, 0, -1, 0,
					     IPCLAB_WAIT_TIMEOUT, 5 * NSEC_PER_MSEC));

	/* a signal ends a wait */
	ASSERT_OK(rv_open(&rv));
	sigkid = kids_fork(&self->cl);
	ASSERT_LE(0, sigkid);
	if (sigkid == 0) {
		struct sigaction sa = { .sa_handler = sigusr1 };

		rv_child(&rv);
		sigaction(SIGUSR1, &sa, NULL);	/* no SA_RESTART */
		put_byte(rv.ready[1], 's');
		errno = 0;
		_exit(sem_op1(self->fd, sem, 0, -1, 0) == -1 && errno == EINTR ? 0 : 1);
	}
	rv_parent(&rv);
	ASSERT_EQ('s', get_byte(rv.ready[0], IPCLAB_SETTLE_MS));
	ASSERT_TRUE(wait_for_waiters(self->fd, sem, 1));
	kill(sigkid, SIGUSR1);
	EXPECT_KID(0, sigkid, IPCLAB_SETTLE_MS);
	rv_close(&rv);

	/* undo at exit: the child's +1 on semaphore 1 is taken back */
	undokid = kids_fork(&self->cl);
	ASSERT_LE(0, undokid);
	if (undokid == 0)
		_exit(child_status(sem_op1(self->fd, sem, 1, 1, IPCLAB_SEMBUF_UNDO)));
	EXPECT_KID(0, undokid, IPCLAB_SETTLE_MS);

	/* a mailbox: send and receive */
	memset(&g, 0, sizeof(g));
	g.type = IPCLAB_TYPE_MBOX;
	g.flags = IPCLAB_CREAT;
	g.mode = 0600;
	ASSERT_OK(ioctl(self->fd, IPCLAB_IOC_GET, &g));
	mbox = g.id;
	cl_track(&self->cl, mbox);
	{
		struct ipclab_msgsnd s = { .id = mbox, .type = 7, .text = ptr_u64("abc"), .size = 3 };
		struct ipclab_msgrcv rcv = { .id = mbox, .type = 0, .text = ptr_u64(buf), .size = sizeof(buf) };

		ASSERT_OK(ioctl(self->fd, IPCLAB_IOC_MBOX_SEND, &s));
		ASSERT_OK(ioctl(self->fd, IPCLAB_IOC_MBOX_RECV, &rcv));
	}

	/* a shared buffer: attach and detach */
	memset(&g, 0, sizeof(g));
	g.type = IPCLAB_TYPE_SHBUF;
	g.flags = IPCLAB_CREAT;
	g.mode = 0600;
	g.shbuf.size = 4096;
	ASSERT_OK(ioctl(self->fd, IPCLAB_IOC_GET, &g));
	shbuf = g.id;
	cl_track(&self->cl, shbuf);
	o = (struct ipclab_open){ .id = shbuf, .flags = IPCLAB_OPEN_READ | IPCLAB_OPEN_WRITE |
						       IPCLAB_OPEN_CLOEXEC };
	ASSERT_OK(ioctl(self->fd, IPCLAB_IOC_OPEN, &o));
	map = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, o.fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_OK(munmap(map, 4096));
	close(o.fd);

	/* lock, unlock, and a refusal */
	m1 = NEW_OBJ_FLAGS(IPCLAB_TYPE_MUTEX, 0, IPCLAB_REFUSE_DEADLOCK);
	m2 = NEW_OBJ_FLAGS(IPCLAB_TYPE_MUTEX, 0, IPCLAB_REFUSE_DEADLOCK);
	a = spawn_locker(&self->cl, self->fd, m1, m2, "dl-trace-a", &rv);
	ASSERT_LT(0, a);
	ASSERT_EQ('l', get_byte(rv.ready[0], IPCLAB_SETTLE_MS));
	ASSERT_OK(mutex_lock(self->fd, m2));
	ASSERT_OK(put_byte(rv.go[1], 'g'));
	ASSERT_TRUE(wait_for_waiters(self->fd, m2, 1));
	EXPECT_ERRNO(EDEADLK, mutex_lock(self->fd, m1));
	ASSERT_OK(mutex_unlock(self->fd, m2));
	EXPECT_KID(0, a, IPCLAB_SETTLE_MS);
	rv_close(&rv);

	snprintf(path, sizeof(path), "%s/tracing_on", inst);
	write_file(path, "0");
	snprintf(path, sizeof(path), "%s/trace", inst);
	trace = read_all(path);
	snprintf(path, sizeof(path), "%s/events/ipclab/enable", inst);
	write_file(path, "0");
	rmdir(inst);
	ASSERT_NE(NULL, trace);

#define EXPECT_EVENT(name, fmt, ...) do {				\
	snprintf(want, sizeof(want), fmt, __VA_ARGS__);			\
	EXPECT_TRUE(trace_has(trace, (name), want))			\
		TH_LOG("no %s with %s in the trace:\n%.6000s", (name), want, trace); \
} while (0)

	EXPECT_EVENT("ipclab_create", "id=%u type=sem pid=%d", sem, me);
	EXPECT_EVENT("ipclab_create", "id=%u type=mutex pid=%d", m1, me);
	EXPECT_EVENT("ipclab_create", "id=%u type=mbox pid=%d", mbox, me);
	EXPECT_EVENT("ipclab_create", "id=%u type=shbuf pid=%d", shbuf, me);
	EXPECT_EVENT("ipclab_remove", "id=%u type=sem pid=%d", gone, me);
	EXPECT_EVENT("ipclab_semop", "id=%u num=1 op=+3 value=3 pid=%d", sem, me);
	EXPECT_EVENT("ipclab_semop", "id=%u num=1 op=-2 value=1 pid=%d", sem, me);
	/* The waiter blocks; our V performs its P for it and wakes it. */
	EXPECT_EVENT("ipclab_block", "id=%u pid=%d tid=%d", sem, waiter, waiter);
	EXPECT_EVENT("ipclab_semop", "id=%u num=0 op=+1 value=1 pid=%d", sem, me);
	EXPECT_EVENT("ipclab_semop", "id=%u num=0 op=-1 value=0 pid=%d", sem, waiter);
	EXPECT_EVENT("ipclab_wake", "id=%u waker=%d/%d pid=%d tid=%d status=0", sem, me,
		     gettid(), waiter, waiter);
	EXPECT_EVENT("ipclab_block", "id=%u pid=%d", sem, me);		/* the timeout */
	EXPECT_EVENT("ipclab_timeout", "id=%u pid=%d tid=%d", sem, me, gettid());
	EXPECT_EVENT("ipclab_block", "id=%u pid=%d", sem, sigkid);
	EXPECT_EVENT("ipclab_signal", "id=%u pid=%d tid=%d", sem, sigkid, sigkid);
	EXPECT_EVENT("ipclab_semop", "id=%u num=1 op=+1 value=2 pid=%d", sem, undokid);
	EXPECT_EVENT("ipclab_undo", "id=%u num=1 op=-1 value=1 pid=%d", sem, undokid);
	EXPECT_EVENT("ipclab_send", "id=%u type=7 size=3 pid=%d", mbox, me);
	EXPECT_EVENT("ipclab_receive", "id=%u type=7 size=3 pid=%d", mbox, me);
	EXPECT_EVENT("ipclab_attach", "id=%u nattch=1 pid=%d", shbuf, me);
	EXPECT_EVENT("ipclab_detach", "id=%u nattch=0 pid=%d", shbuf, me);
	EXPECT_EVENT("ipclab_lock", "id=%u pid=%d", m1, a);
	EXPECT_EVENT("ipclab_lock", "id=%u pid=%d", m2, me);
	EXPECT_EVENT("ipclab_unlock", "id=%u pid=%d", m2, me);
	EXPECT_EVENT("ipclab_block", "id=%u pid=%d", m2, a);
	EXPECT_EVENT("ipclab_wake", "id=%u pid=%d status=0", m2, a);
	EXPECT_EVENT("ipclab_lock", "id=%u pid=%d", m2, a);
	EXPECT_EVENT("ipclab_deadlock", "id=%u pid=%d tid=%d cycle=2", m1, me, gettid());
	/* The check that refused it stopped the world first. */
	EXPECT_EVENT("ipclab_world_stop", "uid=%u pid=%d", getuid(), me);
	free(trace);
	free(inst);
}

TEST_HARNESS_MAIN
