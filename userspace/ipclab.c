// SPDX-License-Identifier: GPL-2.0
/*
 * ipclab - look inside ipclab's IPC objects, in the spirit of ipcs/ipcrm.
 *
 *   ipclab ls [-t TYPE] [--json]     every object, one line each
 *   ipclab show [--json] ID          one object: values, holders, and its
 *                                    waiting rooms in queue order
 *   ipclab watch [ID]                the same, live (q or Ctrl-C quits)
 *   ipclab rm ID... | -k KEY -t TYPE remove objects
 *   ipclab version, ipclab --version the release and ABI of this program
 *                                    and of the loaded module
 *   ipclab limits [--json]           every limit and its usage (ipcs -l, -u)
 *   ipclab deadlock, ipclab graph    deadlock detection (deadlock.c)
 *
 * The table of commands at the end drives the dispatch, "ipclab -h" and
 * each command's -h.  Exit status: 0 success, 1 an operation failed, 2
 * usage error; ipclab deadlock: 3 when it finds a deadlock.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "ipclab.h"
#include "cli.h"

static const char *const type_names[] = {
	[IPCLAB_TYPE_SEM] = "sem",
	[IPCLAB_TYPE_MUTEX] = "mutex",
	[IPCLAB_TYPE_MBOX] = "mbox",
	[IPCLAB_TYPE_SHBUF] = "shbuf",
};

/* A type's name; a module newer than this program may have more types. */
static const char *type_name(unsigned int type)
{
	static char other[16];

	if (type < sizeof(type_names) / sizeof(type_names[0]) && type_names[type])
		return type_names[type];
	snprintf(other, sizeof(other), "type%u", type);
	return other;
}

static const char *const mutex_states[] = {
	[IPCLAB_MUTEX_UNLOCKED] = "unlocked",
	[IPCLAB_MUTEX_LOCKED] = "locked",
	[IPCLAB_MUTEX_OWNERDEAD] = "owner dead",
	[IPCLAB_MUTEX_INCONSISTENT] = "inconsistent",
	[IPCLAB_MUTEX_NOTRECOVERABLE] = "not recoverable",
};

/* One line naming the object and the errno. */
int fail(const char *fmt, ...)
{
	va_list ap;
	int err = errno;

	fputs("ipclab: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s (%s)%s\n", strerror(err), ipclab_errname(err),
		err == ENOENT && ipclab_fd() < 0 ?
		" - is the ipclab module loaded?" : "");
	return 1;
}

static int parse_type(const char *s)
{
	unsigned int t;

	for (t = 1; t < sizeof(type_names) / sizeof(type_names[0]); t++)
		if (!strcmp(s, type_names[t]))
			return t;
	return -1;
}

/* An object's whole snapshot, with arrays sized to fit. */
struct snap {
	struct ipclab_stat st;
	__s32 *values;
	struct ipclab_waiter *waiters;
	struct ipclab_sembuf *ops;
	struct ipclab_holder *holders;
	bool truncated;		/* a list was longer than the kernel returns */
	char name[IPCLAB_NAME_LEN];	/* the program's name for it, or "" */
};

/* " empty" for semaphore num of a set that names it so, else "". */
static const char *sem_label(const struct snap *s, unsigned int num,
			     char *buf, size_t n)
{
	if (n < 2 || !ipclab_member_name(s->name, num, buf + 1, n - 1))
		return "";
	buf[0] = ' ';
	return buf;
}

/* The kernel copies at most IPCLAB_SNAP_MAX entries of a list. */
static __u32 clamp_len(__u32 *len, bool *truncated)
{
	if (*len > IPCLAB_SNAP_MAX) {
		*len = IPCLAB_SNAP_MAX;
		*truncated = true;
	}
	return *len;
}

static void snap_free(struct snap *s)
{
	free(s->values);
	free(s->waiters);
	free(s->ops);
	free(s->holders);
	memset(s, 0, sizeof(*s));
}

/*
 * Take a snapshot: ask once for the sizes, then with arrays that fit
 * (plus some slack); if the object grew in between, ask again.
 */
static int snap_take(unsigned int id, struct snap *s)
{
	struct ipclab_stat need = { .id = id };
	int tries;

	memset(s, 0, sizeof(*s));
	if (ipclab_stat(&need))
		return -1;
	for (tries = 0; tries < 10; tries++) {
		struct ipclab_stat *st = &s->st;

		snap_free(s);
		st->id = id;
		st->values_len = need.values_len + 1;
		st->waiters_len = need.waiters_len + 4;
		st->ops_len = need.ops_len + 16;
		st->holders_len = need.holders_len + 4;
		s->values = calloc(st->values_len, sizeof(*s->values));
		s->waiters = calloc(st->waiters_len, sizeof(*s->waiters));
		s->ops = calloc(st->ops_len, sizeof(*s->ops));
		s->holders = calloc(st->holders_len, sizeof(*s->holders));
		if (!s->values || !s->waiters || !s->ops || !s->holders)
			return -1;
		st->values = (uintptr_t)s->values;
		st->waiters = (uintptr_t)s->waiters;
		st->ops = (uintptr_t)s->ops;
		st->holders = (uintptr_t)s->holders;
		need = *st;
		if (ipclab_stat(st))
			return -1;
		if (st->values_len <= need.values_len &&
		    st->waiters_len <= need.waiters_len &&
		    st->ops_len <= need.ops_len &&
		    st->holders_len <= need.holders_len) {
			/* A module before ABI 1.3 has no names: none then. */
			if (ipclab_get_name(id, s->name, sizeof(s->name)))
				s->name[0] = '\0';
			clamp_len(&st->values_len, &s->truncated);
			clamp_len(&st->waiters_len, &s->truncated);
			clamp_len(&st->ops_len, &s->truncated);
			clamp_len(&st->holders_len, &s->truncated);
			return 0;
		}
		need = *st;
	}
	errno = EAGAIN;
	return -1;
}

/* All ids, of one type or all (type 0).  Returns the count, or -1. */
static int list_ids(unsigned int type, __u32 **ids)
{
	struct ipclab_list l = { .type = type };
	int fd = ipclab_fd();

	*ids = NULL;
	if (fd < 0)
		return -1;
	for (;;) {
		__u32 room = l.len + 16;

		free(*ids);
		*ids = calloc(room, sizeof(**ids));
		if (!*ids)
			return -1;
		l.len = room;
		l.ids = (uintptr_t)*ids;
		if (ioctl(fd, IPCLAB_IOC_LIST, &l))
			return -1;
		if (l.len <= room)
			return l.len;
	}
}

static const char *fmt_time(__s64 t, char *buf, size_t n)
{
	struct tm tm;
	time_t tt = t;

	if (!t)
		return "never";
	localtime_r(&tt, &tm);
	strftime(buf, n, "%H:%M:%S", &tm);
	return buf;
}

/* The one-line summary of ls. */
static void summary(const struct snap *s, char *buf, size_t n)
{
	const struct ipclab_stat *st = &s->st;
	size_t off = 0;
	unsigned int i;

	switch (st->type) {
	case IPCLAB_TYPE_SEM:
		off += snprintf(buf + off, n - off, "values");
		for (i = 0; i < st->values_len && i < 8 && off < n; i++)
			off += snprintf(buf + off, n - off, " %d", s->values[i]);
		if (st->values_len > 8 && off < n)
			snprintf(buf + off, n - off, " ...");
		break;
	case IPCLAB_TYPE_MUTEX:
		if (st->mutex.pid)
			snprintf(buf, n, "%s by %d (%s)", mutex_states[st->mutex.state],
				 st->mutex.pid, st->mutex.comm);
		else
			snprintf(buf, n, "%s", mutex_states[st->mutex.state]);
		break;
	case IPCLAB_TYPE_MBOX:
		snprintf(buf, n, "%u/%u msgs %llu/%llu bytes", st->mbox.msgs,
			 st->mbox.max_msgs, (unsigned long long)st->mbox.bytes,
			 (unsigned long long)st->mbox.max_bytes);
		break;
	case IPCLAB_TYPE_SHBUF:
		snprintf(buf, n, "%llu bytes nattch %u%s",
			 (unsigned long long)st->shbuf.size, st->shbuf.nattch,
			 st->shbuf.flags & IPCLAB_SHBUF_DEST ? " dest" : "");
		break;
	default:
		snprintf(buf, n, "?");
	}
}

void json_str(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(out, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(out, "\\u%04x", *s);
		else
			fputc(*s, out);
	}
	fputc('"', out);
}

/* What ls --json says of an object, without the braces; show --json too. */
static void json_fields(FILE *out, const struct snap *s)
{
	const struct ipclab_stat *st = &s->st;
	unsigned int i;

	fprintf(out, "\"type\": \"%s\", \"key\": %d, \"id\": %u, "
		"\"uid\": %u, \"gid\": %u, \"mode\": \"%04o\", \"cpid\": %d, "
		"\"lpid\": %d, \"waiters\": %u",
		type_name(st->type), st->perm.key,
		st->perm.id, st->perm.uid, st->perm.gid, st->perm.mode,
		st->perm.cpid, st->perm.lpid, st->nwaiters);
	if (s->name[0]) {
		fprintf(out, ", \"name\": ");
		json_str(out, s->name);
	}
	switch (st->type) {
	case IPCLAB_TYPE_SEM:
		fprintf(out, ", \"values\": [");
		for (i = 0; i < st->values_len; i++)
			fprintf(out, "%s%d", i ? ", " : "", s->values[i]);
		fprintf(out, "]");
		break;
	case IPCLAB_TYPE_MUTEX:
		fprintf(out, ", \"state\": \"%s\", \"owner\": %d, \"owner_comm\": ",
			mutex_states[st->mutex.state], st->mutex.pid);
		json_str(out, st->mutex.comm);
		break;
	case IPCLAB_TYPE_MBOX:
		fprintf(out, ", \"msgs\": %u, \"bytes\": %llu, \"max_msgs\": %u, "
			"\"max_bytes\": %llu", st->mbox.msgs,
			(unsigned long long)st->mbox.bytes, st->mbox.max_msgs,
			(unsigned long long)st->mbox.max_bytes);
		break;
	case IPCLAB_TYPE_SHBUF:
		fprintf(out, ", \"size\": %llu, \"nattch\": %u, \"dest\": %s",
			(unsigned long long)st->shbuf.size, st->shbuf.nattch,
			st->shbuf.flags & IPCLAB_SHBUF_DEST ? "true" : "false");
		break;
	}
}

static void ls_json(FILE *out, const struct snap *s, bool first)
{
	fprintf(out, "%s\n  {", first ? "" : ",");
	json_fields(out, s);
	fprintf(out, "}");
}

static int cmd_ls(const struct command *cmd, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "type", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool json = false, first = true;
	int type = 0, n, i, c, ret = 0;
	__u32 *ids;

	while ((c = getopt_long(argc, argv, "jt:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 't':
			type = parse_type(optarg);
			if (type < 0) {
				fprintf(stderr, "ipclab: unknown type '%s'\n", optarg);
				return 2;
			}
			break;
		case 'h':
			command_usage(cmd, stdout);
			return 0;
		default:
			return 2;
		}
	}
	n = list_ids(type, &ids);
	if (n < 0)
		return fail("listing objects");

	if (json)
		printf("[");
	else
		printf("%-6s %10s %8s %5s %5s %5s %7s  %s\n", "TYPE", "KEY", "ID",
		       "UID", "PERMS", "WAIT", "LASTPID", "STATE");
	for (i = 0; i < n; i++) {
		struct snap s;
		char state[96];

		if (snap_take(ids[i], &s)) {
			/* Gone since the list, or not ours to read. */
			if (errno != EINVAL && !json)
				printf("%-6s %10s %8u %5s %5s %5s %7s  (%s)\n", "?", "?",
				       ids[i], "?", "?", "?", "?", strerror(errno));
			snap_free(&s);
			continue;
		}
		if (json) {
			ls_json(stdout, &s, first);
			first = false;
		} else {
			summary(&s, state, sizeof(state));
			printf("%-6s %10d %8u %5u  %04o %5u %7d  %s\n",
			       type_name(s.st.type), s.st.perm.key, s.st.perm.id,
			       s.st.perm.uid, s.st.perm.mode, s.st.nwaiters,
			       s.st.perm.lpid, state);
		}
		snap_free(&s);
	}
	if (json)
		printf("%s]\n", first ? "" : "\n");
	free(ids);
	return ret;
}

static void show_op(FILE *out, const struct snap *s,
		    const struct ipclab_sembuf *op)
{
	const char *name = op->op < 0 ? "P" : op->op > 0 ? "V" : "wait-zero";
	char buf[IPCLAB_NAME_LEN + 1];
	const char *label = sem_label(s, op->num, buf, sizeof(buf));

	if (op->op == -1 || op->op == 1 || op->op == 0)
		fprintf(out, " %s(%u%s)", name, op->num, label);
	else
		fprintf(out, " %s(%u%s, %lld)", name, op->num, label,
			op->op < 0 ? -(long long)op->op : (long long)op->op);
	if (op->flags & IPCLAB_SEMBUF_UNDO)
		fprintf(out, "+undo");
}

static void show_waiter(FILE *out, const struct snap *s, unsigned int i,
			unsigned int pos)
{
	const struct ipclab_waiter *w = &s->waiters[i];
	unsigned int k;

	fprintf(out, "    %2u. pid %-6d %-15.16s waited %8.3f s  ", pos, w->pid,
		w->comm, w->waited_ns / 1e9);
	switch (w->kind) {
	case IPCLAB_WAITER_SEMOP:
		fprintf(out, "wants");
		for (k = 0; k < w->nops && w->first_op + k < s->st.ops_len; k++)
			show_op(out, s, &s->ops[w->first_op + k]);
		break;
	case IPCLAB_WAITER_LOCK:
		fprintf(out, "wants the lock");
		break;
	case IPCLAB_WAITER_SEND:
		fprintf(out, "sends type %lld, %llu bytes", (long long)w->msgtype,
			(unsigned long long)w->msgsize);
		break;
	case IPCLAB_WAITER_RECV:
		if (w->msgtype == 0)
			fprintf(out, "receives any type");
		else if (w->msgtype < 0)
			fprintf(out, "receives lowest type <= %lld", -(long long)w->msgtype);
		else
			fprintf(out, "receives type %s%lld",
				w->flags & IPCLAB_MSG_EXCEPT ? "other than " : "",
				(long long)w->msgtype);
		fprintf(out, " (buffer %llu bytes)", (unsigned long long)w->msgsize);
		break;
	}
	fprintf(out, "  [ticket %llu]\n", (unsigned long long)w->ticket);
}

static void show(FILE *out, const struct snap *s)
{
	const struct ipclab_stat *st = &s->st;
	char t1[16], t2[16], label[IPCLAB_NAME_LEN + 1];
	unsigned int i, pos;

	fprintf(out, "%s %u, key %d, owner %u:%u, mode %04o, created by pid %d\n",
		type_name(st->type), st->perm.id, st->perm.key, st->perm.uid,
		st->perm.gid, st->perm.mode, st->perm.cpid);
	if (s->name[0])
		fprintf(out, "  name: %s\n", s->name);
	fprintf(out, "  last operation: pid %d at %s; last change %s\n",
		st->perm.lpid, fmt_time(st->perm.otime, t1, sizeof(t1)),
		fmt_time(st->perm.ctime, t2, sizeof(t2)));

	switch (st->type) {
	case IPCLAB_TYPE_SEM:
		fprintf(out, "  values:");
		for (i = 0; i < st->values_len; i++)
			fprintf(out, " [%u%s]=%d", i,
				sem_label(s, i, label, sizeof(label)), s->values[i]);
		fprintf(out, "\n  holders (units taken minus given; undo at exit):\n");
		for (i = 0; i < st->holders_len; i++) {
			const struct ipclab_holder *h = &s->holders[i];

			fprintf(out, "    pid %-6d %-15.16s sem %u%s holds %d, undo %+d%s\n",
				h->pid, h->comm, h->num,
				sem_label(s, h->num, label, sizeof(label)),
				h->held, h->undo, h->held < 0 ?
				" (gave more than it took: it signals, its V's wake others)" : "");
		}
		if (!st->holders_len)
			fprintf(out, "    nobody\n");
		break;
	case IPCLAB_TYPE_MUTEX:
		fprintf(out, "  state: %s", mutex_states[st->mutex.state]);
		if (st->mutex.pid)
			fprintf(out, ", owner pid %d (%s), thread %d", st->mutex.pid,
				st->mutex.comm, st->mutex.tid);
		fprintf(out, "; acquired %llu times\n",
			(unsigned long long)st->mutex.locks);
		break;
	case IPCLAB_TYPE_MBOX:
		fprintf(out, "  %u of %u messages, %llu of %llu bytes, messages up to %u bytes\n",
			st->mbox.msgs, st->mbox.max_msgs,
			(unsigned long long)st->mbox.bytes,
			(unsigned long long)st->mbox.max_bytes, st->mbox.max_msgsz);
		fprintf(out, "  sent %llu (last pid %d at %s), received %llu (last pid %d at %s)\n",
			(unsigned long long)st->mbox.sent, st->mbox.lspid,
			fmt_time(st->mbox.stime, t1, sizeof(t1)),
			(unsigned long long)st->mbox.received, st->mbox.lrpid,
			fmt_time(st->mbox.rtime, t2, sizeof(t2)));
		break;
	case IPCLAB_TYPE_SHBUF:
		fprintf(out, "  %llu bytes, %u mappings now (%llu ever)%s\n",
			(unsigned long long)st->shbuf.size, st->shbuf.nattch,
			(unsigned long long)st->shbuf.attaches,
			st->shbuf.flags & IPCLAB_SHBUF_DEST ?
			", removed: freed at the last unmap" : "");
		fprintf(out, "  last attach %s, last detach %s (pid %d)\n",
			fmt_time(st->shbuf.atime, t1, sizeof(t1)),
			fmt_time(st->shbuf.dtime, t2, sizeof(t2)), st->perm.lpid);
		return;
	}

	if (st->type == IPCLAB_TYPE_MBOX) {
		unsigned int ns = 0;

		for (i = 0; i < st->waiters_len; i++)
			ns += s->waiters[i].kind == IPCLAB_WAITER_SEND;
		fprintf(out, "  senders' waiting room (FIFO, %u waiting):\n", ns);
		for (i = 0, pos = 1; i < st->waiters_len; i++)
			if (s->waiters[i].kind == IPCLAB_WAITER_SEND)
				show_waiter(out, s, i, pos++);
		fprintf(out, "  receivers' waiting room (FIFO, %u waiting):\n",
			st->waiters_len - ns);
		for (i = 0, pos = 1; i < st->waiters_len; i++)
			if (s->waiters[i].kind == IPCLAB_WAITER_RECV)
				show_waiter(out, s, i, pos++);
		return;
	}
	fprintf(out, "  waiting room (FIFO, %u waiting):\n", st->waiters_len);
	for (i = 0; i < st->waiters_len; i++)
		show_waiter(out, s, i, i + 1);
	if (s->truncated)
		fprintf(out, "  (only the first %u of each list: the kernel returns no more)\n",
			IPCLAB_SNAP_MAX);
}

/* A time in seconds since the epoch, or null for "never". */
static void json_time(FILE *out, const char *name, __s64 t)
{
	if (t)
		fprintf(out, ", \"%s\": %lld", name, (long long)t);
	else
		fprintf(out, ", \"%s\": null", name);
}

static void json_waiter(FILE *out, const struct snap *s, unsigned int i,
			unsigned int pos)
{
	const struct ipclab_waiter *w = &s->waiters[i];
	unsigned int k;

	fprintf(out, "{\"position\": %u, \"pid\": %d, \"tid\": %d, \"comm\": ",
		pos, w->pid, w->tid);
	json_str(out, w->comm);
	fprintf(out, ", \"waited_ns\": %llu, \"ticket\": %llu, ",
		(unsigned long long)w->waited_ns, (unsigned long long)w->ticket);
	switch (w->kind) {
	case IPCLAB_WAITER_SEMOP:
		fprintf(out, "\"kind\": \"semop\", \"ops\": [");
		for (k = 0; k < w->nops && w->first_op + k < s->st.ops_len; k++) {
			const struct ipclab_sembuf *op = &s->ops[w->first_op + k];

			fprintf(out, "%s{\"num\": %u, \"op\": %d, \"undo\": %s}",
				k ? ", " : "", op->num, op->op,
				op->flags & IPCLAB_SEMBUF_UNDO ? "true" : "false");
		}
		fprintf(out, "]");
		break;
	case IPCLAB_WAITER_LOCK:
		fprintf(out, "\"kind\": \"lock\"");
		break;
	case IPCLAB_WAITER_SEND:
		fprintf(out, "\"kind\": \"send\", \"msgtype\": %lld, \"msgsize\": %llu",
			(long long)w->msgtype, (unsigned long long)w->msgsize);
		break;
	case IPCLAB_WAITER_RECV:
		fprintf(out, "\"kind\": \"receive\", \"msgtype\": %lld, \"except\": %s, "
			"\"msgsize\": %llu", (long long)w->msgtype,
			w->flags & IPCLAB_MSG_EXCEPT ? "true" : "false",
			(unsigned long long)w->msgsize);
		break;
	default:
		fprintf(out, "\"kind\": null");
	}
	fprintf(out, "}");
}

/* A waiting room in queue order: the waiters of that kind (0: all). */
static void json_room(FILE *out, const struct snap *s, const char *name,
		      __u32 kind)
{
	unsigned int i, pos = 0;

	fprintf(out, ",\n  \"%s\": [", name);
	for (i = 0; i < s->st.waiters_len; i++) {
		if (kind && s->waiters[i].kind != kind)
			continue;
		fprintf(out, "%s\n    ", pos ? "," : "");
		json_waiter(out, s, i, ++pos);
	}
	fprintf(out, "%s]", pos ? "\n  " : "");
}

/* What show prints, as one JSON object: ls --json's fields and more. */
static void show_json(FILE *out, const struct snap *s)
{
	const struct ipclab_stat *st = &s->st;
	unsigned int i;

	fprintf(out, "{\n  ");
	json_fields(out, s);
	fprintf(out, ",\n  \"cuid\": %u, \"cgid\": %u", st->perm.cuid, st->perm.cgid);
	json_time(out, "otime", st->perm.otime);
	json_time(out, "ctime", st->perm.ctime);
	switch (st->type) {
	case IPCLAB_TYPE_SEM:
		fprintf(out, ",\n  \"holders\": [");
		for (i = 0; i < st->holders_len; i++) {
			const struct ipclab_holder *h = &s->holders[i];

			fprintf(out, "%s\n    {\"pid\": %d, \"comm\": ", i ? "," : "", h->pid);
			json_str(out, h->comm);
			fprintf(out, ", \"num\": %u, \"held\": %d, \"undo\": %d}",
				h->num, h->held, h->undo);
		}
		fprintf(out, "%s]", st->holders_len ? "\n  " : "");
		json_room(out, s, "waiting_room", 0);
		break;
	case IPCLAB_TYPE_MUTEX:
		fprintf(out, ",\n  \"owner_tid\": %d, \"locks\": %llu", st->mutex.tid,
			(unsigned long long)st->mutex.locks);
		json_room(out, s, "waiting_room", 0);
		break;
	case IPCLAB_TYPE_MBOX:
		fprintf(out, ",\n  \"max_msgsz\": %u, \"sent\": %llu, \"lspid\": %d",
			st->mbox.max_msgsz, (unsigned long long)st->mbox.sent,
			st->mbox.lspid);
		json_time(out, "stime", st->mbox.stime);
		fprintf(out, ", \"received\": %llu, \"lrpid\": %d",
			(unsigned long long)st->mbox.received, st->mbox.lrpid);
		json_time(out, "rtime", st->mbox.rtime);
		json_room(out, s, "senders_waiting_room", IPCLAB_WAITER_SEND);
		json_room(out, s, "receivers_waiting_room", IPCLAB_WAITER_RECV);
		break;
	case IPCLAB_TYPE_SHBUF:
		fprintf(out, ",\n  \"attaches\": %llu",
			(unsigned long long)st->shbuf.attaches);
		json_time(out, "atime", st->shbuf.atime);
		json_time(out, "dtime", st->shbuf.dtime);
		break;
	}
	fprintf(out, ",\n  \"truncated\": %s\n}\n", s->truncated ? "true" : "false");
}

static int parse_id(const char *s, unsigned int *id)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || !*s || *end || v > 0xffffffffUL) {
		fprintf(stderr, "ipclab: '%s' is not an id\n", s);
		return -1;
	}
	*id = v;
	return 0;
}

/*
 * The options of a command that takes no others than -h and, if json is
 * not NULL, --json: -1 to go on, with optind at the first argument; else
 * the exit status.
 */
static int simple_opts(const struct command *cmd, int argc, char **argv,
		       bool *json)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, json ? "jh" : "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			if (!json) {
				fprintf(stderr, "ipclab: %s has no --json\n", cmd->name);
				return 2;
			}
			*json = true;
			break;
		case 'h':
			command_usage(cmd, stdout);
			return 0;
		default:
			return 2;
		}
	}
	return -1;
}

static int cmd_show(const struct command *cmd, int argc, char **argv)
{
	bool json = false;
	unsigned int id;
	struct snap s;
	int ret;

	ret = simple_opts(cmd, argc, argv, &json);
	if (ret >= 0)
		return ret;
	if (optind != argc - 1) {
		command_usage(cmd, stderr);
		return 2;
	}
	if (parse_id(argv[optind], &id))
		return 2;
	if (snap_take(id, &s)) {
		snap_free(&s);
		return fail("object %u", id);
	}
	if (json)
		show_json(stdout, &s);
	else
		show(stdout, &s);
	snap_free(&s);
	return 0;
}

static int cmd_rm(const struct command *cmd, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "type", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int type = 0, c, i, ret = 0;
	const char *key = NULL;
	unsigned int id;

	while ((c = getopt_long(argc, argv, "k:t:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'k':
			key = optarg;
			break;
		case 't':
			type = parse_type(optarg);
			if (type < 0) {
				fprintf(stderr, "ipclab: unknown type '%s'\n", optarg);
				return 2;
			}
			break;
		case 'h':
			command_usage(cmd, stdout);
			return 0;
		default:
			return 2;
		}
	}
	if (key) {
		struct ipclab_get g = { .type = type, .key = strtol(key, NULL, 0) };

		if (!type || optind != argc) {
			fprintf(stderr, "ipclab: rm -k KEY needs -t TYPE and no ids\n");
			return 2;
		}
		if (ipclab_get(&g) < 0)
			return fail("%s with key %s", type_name(type), key);
		if (ipclab_remove(g.id))
			return fail("removing %s %u (key %s)", type_name(type), g.id, key);
		return 0;
	}
	if (optind == argc) {
		command_usage(cmd, stderr);
		return 2;
	}
	for (i = optind; i < argc; i++) {
		if (parse_id(argv[i], &id))
			return 2;
		if (ipclab_remove(id))
			ret = fail("removing object %u", id);
	}
	return ret;
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* Draw a frame in place: home, each line cleared to its end, rest cleared. */
static void frame(int id)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	char line[32];
	time_t now = time(NULL);
	__u32 *ids;
	int n, i;

	if (!f)
		return;
	strftime(line, sizeof(line), "%H:%M:%S", localtime(&now));
	fprintf(f, "ipclab watch - %s - q quits\n\n", line);
	n = id >= 0 ? 1 : list_ids(0, &ids);
	if (id >= 0)
		ids = NULL;
	for (i = 0; i < n; i++) {
		struct snap s;

		if (snap_take(id >= 0 ? (unsigned int)id : ids[i], &s) == 0) {
			show(f, &s);
			fputc('\n', f);
		} else if (id >= 0) {
			fprintf(f, "object %d: %s\n", id, strerror(errno));
		}
		snap_free(&s);
	}
	if (n == 0)
		fprintf(f, "(no objects)\n");
	if (n < 0)
		fprintf(f, "cannot list objects: %s\n", strerror(errno));
	free(ids);
	fclose(f);

	fputs("\033[H", stdout);
	for (char *p = text, *nl; p && *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (!nl)
			break;
		fwrite(p, 1, nl - p, stdout);
		fputs("\033[K\n", stdout);
	}
	fputs("\033[J", stdout);
	fflush(stdout);
	free(text);
}

static int cmd_watch(const struct command *cmd, int argc, char **argv)
{
	struct termios saved, raw;
	bool tty = isatty(STDIN_FILENO);
	unsigned int uid;
	int id = -1, ret;

	ret = simple_opts(cmd, argc, argv, NULL);
	if (ret >= 0)
		return ret;
	if (argc - optind > 1) {
		command_usage(cmd, stderr);
		return 2;
	}
	if (optind < argc) {
		if (parse_id(argv[optind], &uid))
			return 2;
		id = uid;
	}
	if (ipclab_fd() < 0)
		return fail("opening /dev/ipclab");

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (tty) {
		tcgetattr(STDIN_FILENO, &saved);
		raw = saved;
		raw.c_lflag &= ~(ICANON | ECHO);
		tcsetattr(STDIN_FILENO, TCSANOW, &raw);
	}
	/* The alternate screen, no cursor: a flicker-free live view. */
	fputs("\033[?1049h\033[?25l\033[2J", stdout);
	while (!stop) {
		struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
		char c;

		frame(id);
		if (poll(&p, 1, 250) > 0 && read(STDIN_FILENO, &c, 1) == 1 &&
		    (c == 'q' || c == 'Q' || c == 3))
			break;
	}
	fputs("\033[?25h\033[?1049l", stdout);
	fflush(stdout);
	if (tty)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	return 0;
}

/* One line of "ipclab limits": a limit and what is used of it. */
struct limit_row {
	const char *what;	/* as a person says it */
	const char *param;	/* the module parameter */
	unsigned long long limit;
	const char *unit;
	int per_user;		/* 1: the limit is per user */
	long long total, user;	/* -1: nothing counted */
};

static void limits_rows(const struct ipclab_info *i, struct limit_row *r,
			unsigned int *n)
{
	const struct ipclab_limits *l = &i->limits;
	const struct ipclab_usage *t = &i->total, *u = &i->user;
	unsigned int k = 0;

#define ROW(w, p, lim, un, pu, tot, usr) \
	(r[k++] = (struct limit_row){ w, p, lim, un, pu, tot, usr })
	ROW("objects", "max_objects", l->max_objects, "", 0, t->objects, u->objects);
	ROW("objects per user", "max_objects_per_user", l->max_objects_per_user, "",
	    1, t->objects, u->objects);
	ROW("semaphores per set", "max_sems", l->max_sems, "", 0, -1, -1);
	ROW("semaphores in all sets", "max_sems_total", l->max_sems_total, "", 0,
	    t->sems, u->sems);
	ROW("semaphores per user", "max_sems_per_user", l->max_sems_per_user, "", 1,
	    t->sems, u->sems);
	ROW("operations waiting per set", "max_queued_ops", l->max_queued_ops, "",
	    0, -1, -1);
	ROW("operations per call", "max_ops", l->max_ops, "", 0, -1, -1);
	ROW("largest semaphore value", "sem_max", l->sem_max, "", 0, -1, -1);
	ROW("waiters per object", "max_waiters", l->max_waiters, "", 0, -1, -1);
	ROW("waiters per user", "max_waiters_per_user", l->max_waiters_per_user, "",
	    1, t->waiters, u->waiters);
	ROW("processes per user", "max_procs_per_user", l->max_procs_per_user, "",
	    1, t->procs, u->procs);
	ROW("semaphore records per user", "max_sem_records_per_user",
	    l->max_sem_records_per_user, " semaphores", 1, t->sem_records,
	    u->sem_records);
	ROW("messages per mailbox", "mbox_max_msgs", l->mbox_max_msgs, "", 0, -1, -1);
	ROW("largest message", "mbox_max_msgsz", l->mbox_max_msgsz, " bytes", 0, -1, -1);
	ROW("bytes per mailbox", "mbox_max_bytes", l->mbox_max_bytes, " bytes", 0, -1, -1);
	ROW("messages per user", "max_msgs_per_user", l->max_msgs_per_user, "", 1,
	    t->msgs, u->msgs);
	ROW("message bytes per user", "max_msg_bytes_per_user",
	    l->max_msg_bytes_per_user, " bytes", 1, t->msg_bytes, u->msg_bytes);
	ROW("largest shared buffer", "shbuf_max_size", l->shbuf_max_size, " bytes",
	    0, -1, -1);
	ROW("shared buffers per user", "max_shbufs_per_user", l->max_shbufs_per_user, "",
	    1, t->shbufs, u->shbufs);
	ROW("shared-buffer pages", "max_shbuf_pages", l->max_shbuf_pages, " pages",
	    0, t->shbuf_pages, u->shbuf_pages);
	ROW("shared-buffer pages per user", "max_shbuf_pages_per_user",
	    l->max_shbuf_pages_per_user, " pages", 1, t->shbuf_pages, u->shbuf_pages);
	ROW("time the world may stand still", "stop_percent", l->stop_percent, " %",
	    0, -1, -1);
#undef ROW
	*n = k;
}

static int cmd_limits(const struct command *cmd, int argc, char **argv)
{
	struct limit_row rows[32];
	struct ipclab_info info;
	unsigned int n, i;
	bool json = false;
	int ret;

	ret = simple_opts(cmd, argc, argv, &json);
	if (ret >= 0)
		return ret;
	if (optind < argc) {
		fprintf(stderr, "ipclab limits: no arguments expected\n");
		return 2;
	}
	if (ipclab_info(&info))
		return fail("limits of /dev/ipclab (IPCLAB_IOC_INFO)");
	limits_rows(&info, rows, &n);

	if (json) {
		printf("{\n  \"uid\": %u,\n  \"limits\": [", info.uid);
		for (i = 0; i < n; i++) {
			printf("%s\n    {\"name\": \"%s\", \"limit\": %llu, \"per_user\": %s",
			       i ? "," : "", rows[i].param, rows[i].limit,
			       rows[i].per_user ? "true" : "false");
			if (rows[i].total >= 0)
				printf(", \"machine\": %lld, \"yours\": %lld",
				       rows[i].total, rows[i].user);
			printf("}");
		}
		printf("\n  ],\n  \"objects\": {\"sem\": %u, \"mutex\": %u, "
		       "\"mbox\": %u, \"shbuf\": %u, \"semaphores\": %llu}\n}\n",
		       info.total.sem_sets, info.total.mutexes, info.total.mboxes,
		       info.total.shbufs, (unsigned long long)info.total.sems);
		return 0;
	}
	printf("%-32s %14s  %12s  %12s\n", "limit (module parameter)", "value",
	       "machine uses", "you use");
	for (i = 0; i < n; i++) {
		char lim[48], tot[24] = "", usr[24] = "";

		snprintf(lim, sizeof(lim), "%llu%s", rows[i].limit, rows[i].unit);
		if (rows[i].total >= 0) {
			snprintf(tot, sizeof(tot), "%lld", rows[i].total);
			snprintf(usr, sizeof(usr), "%lld", rows[i].user);
		}
		printf("%-32s %14s  %12s  %12s\n", rows[i].what, lim, tot, usr);
		printf("  %-30s\n", rows[i].param);
	}
	printf("\nobjects now: %u semaphore sets (%llu semaphores), %u mutexes, "
	       "%u mailboxes, %u shared buffers; you are uid %u\n",
	       info.total.sem_sets, (unsigned long long)info.total.sems,
	       info.total.mutexes, info.total.mboxes, info.total.shbufs, info.uid);
	return 0;
}

/*
 * The loaded module's release (its MODULE_VERSION, which sysfs shows), or
 * "unknown" for a module that has none (built before 0.4.0).
 */
static const char *module_release(char *buf, size_t size)
{
	FILE *f = fopen("/sys/module/ipclab/version", "r");
	bool ok = f && fgets(buf, size, f);

	if (f)
		fclose(f);
	if (!ok)
		return "unknown";
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

/*
 * "ipclab version" and "ipclab --version": two lines, the releases (of
 * this program and of the loaded module) and the ABIs (of both).  The
 * release line needs no module.  --version puts it first and succeeds
 * whatever the module; "version" puts the ABI first and fails when there
 * is no module or its ABI major is not this program's.
 */
static int cmd_version(const struct command *cmd, int argc, char **argv)
{
	bool gnu = !strcmp(argv[0], "--version");
	struct ipclab_version v;
	char rel[64], abi[128], mod[160];
	bool loaded;
	int fd, err, ret;

	ret = simple_opts(cmd, argc, argv, NULL);
	if (ret >= 0)
		return ret;
	fd = ipclab_fd();
	loaded = fd >= 0 && !ioctl(fd, IPCLAB_IOC_VERSION, &v);
	err = errno;
	if (loaded) {
		snprintf(mod, sizeof(mod), "%s", module_release(rel, sizeof(rel)));
		snprintf(abi, sizeof(abi), "ipclab ABI %u.%u (this program: %u.%u)",
			 v.major, v.minor, IPCLAB_ABI_MAJOR, IPCLAB_ABI_MINOR);
	} else {
		snprintf(mod, sizeof(mod), "%s", err == ENOENT ? "not loaded" :
			 strerror(err));
		snprintf(abi, sizeof(abi), "ipclab ABI of this program: %u.%u",
			 IPCLAB_ABI_MAJOR, IPCLAB_ABI_MINOR);
	}
	if (gnu) {
		printf("ipclab %s (module: %s)\n%s\n", ipclab_version(), mod, abi);
		return 0;
	}
	if (!loaded) {
		printf("ipclab %s (module: %s)\n", ipclab_version(), mod);
		errno = err;
		return fail("version of /dev/ipclab");
	}
	printf("%s\nipclab %s (module: %s)\n", abi, ipclab_version(), mod);
	return v.major == IPCLAB_ABI_MAJOR ? 0 : 1;
}

/* ------------------------------------------------------------------ */
/* The commands                                                        */
/* ------------------------------------------------------------------ */

static const struct command ls_command = {
	.name = "ls",
	.run = cmd_ls,
	.synopsis = "ls [-t TYPE] [--json]",
	.summary = "list objects (TYPE: sem, mutex, mbox, shbuf)",
	.help =
		"Every object, or every object of TYPE, one line each: its type, key,\n"
		"id, owner uid, mode, how many threads wait on it, the pid of the last\n"
		"operation and its state.\n"
		"\n"
		"  -t, --type TYPE   only the objects of TYPE: sem, mutex, mbox or shbuf\n"
		"  --json            the same as a JSON array of objects\n",
};

static const struct command show_command = {
	.name = "show",
	.run = cmd_show,
	.synopsis = "show [--json] ID",
	.summary = "values, holders and waiting rooms of one object",
	.help =
		"One object: its key, owner, mode and times, its values or state,\n"
		"who holds what, and each waiting room in queue order with what\n"
		"every waiter asks for and how long it has waited.\n"
		"\n"
		"  --json            the same as one JSON object\n",
};

static const struct command watch_command = {
	.name = "watch",
	.run = cmd_watch,
	.synopsis = "watch [ID]",
	.summary = "the same, refreshed live; q or Ctrl-C quits",
	.help =
		"\"ipclab ls\", or \"ipclab show ID\", redrawn four times a second\n"
		"until q, Ctrl-C or SIGTERM.\n",
};

static const struct command rm_command = {
	.name = "rm",
	.run = cmd_rm,
	.synopsis = "rm ID...\nrm -k KEY -t TYPE",
	.summary = "remove objects by id, or the one of TYPE with KEY",
	.help =
		"Remove objects by id, as ipcrm does, or the object of TYPE (sem, mutex,\n"
		"mbox, shbuf) that has KEY (decimal, 0x hexadecimal or 0 octal).\n"
		"Removal wakes every waiter with EIDRM.  Each id is tried; the exit\n"
		"status is 1 if any removal failed.\n"
		"\n"
		"  -k, --key KEY     the key of the object to remove\n"
		"  -t, --type TYPE   its type\n",
};

static const struct command version_command = {
	.name = "version",
	.alias = "--version",
	.run = cmd_version,
	.synopsis = "version\n--version",
	.summary = "release and ABI of this program and the module",
	.help =
		"The release and the ABI of this program and of the loaded module.\n"
		"\"version\" fails (1) without a module or when its ABI major is not\n"
		"this program's; \"--version\" always succeeds.\n",
};

static const struct command limits_command = {
	.name = "limits",
	.run = cmd_limits,
	.synopsis = "limits [--json]",
	.summary = "every limit, what the machine and you use of it",
	.help =
		"Every limit ipclab keeps (its module parameter, changed by root\n"
		"in /sys/module/ipclab/parameters/), what the whole machine uses\n"
		"of it and what your user uses.  A call that would pass a limit\n"
		"fails with ENOSPC (see docs/security.md).\n"
		"\n"
		"  --json            the same as one JSON object\n",
};

static const struct command *const commands[] = {
	&ls_command, &show_command, &watch_command, &rm_command,
	&version_command, &limits_command, &deadlock_command, &graph_command,
	&step_command, &run_to_command, &trace_command,
};

void command_usage(const struct command *c, FILE *out)
{
	const char *form, *end;

	for (form = c->synopsis; *form; form = *end ? end + 1 : end) {
		end = strchrnul(form, '\n');
		fprintf(out, "%s ipclab %.*s\n", form == c->synopsis ? "usage:" : "      ",
			(int)(end - form), form);
	}
	fprintf(out, "\n%s", c->help);
}

/* Each command's forms, and its summary beside the last (or below it). */
static void usage(FILE *out)
{
	const char *form, *end;
	unsigned int i;
	int len;

	fprintf(out, "usage: ipclab COMMAND [ARGS]\n\ncommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		const struct command *c = commands[i];

		for (form = c->synopsis; ; form = end + 1) {
			end = strchrnul(form, '\n');
			len = end - form;
			if (*end)
				fprintf(out, "  %.*s\n", len, form);
			else if (len < 25)
				fprintf(out, "  %-25.*s%s\n", len, form, c->summary);
			else
				fprintf(out, "  %.*s\n%27s%s\n", len, form, "", c->summary);
			if (!*end)
				break;
		}
	}
	fprintf(out, "\n"
		"Exit status: 0 success, 1 failure, 2 usage error; deadlock: %d when it\n"
		"finds a deadlock.  \"ipclab COMMAND -h\" says more about a command.\n",
		IPCLAB_EXIT_DEADLOCK);
}

static const struct command *find_command(const char *name)
{
	unsigned int i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(name, commands[i]->name) ||
		    (commands[i]->alias && !strcmp(name, commands[i]->alias)))
			return commands[i];
	return NULL;
}

int main(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : NULL;
	const struct command *c;

	if (!name) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(name, "-h") || !strcmp(name, "--help") || !strcmp(name, "help")) {
		usage(stdout);
		return 0;
	}
	c = find_command(name);
	if (!c) {
		fprintf(stderr, "ipclab: unknown command '%s'\n", name);
		usage(stderr);
		return 2;
	}
	return c->run(c, argc - 1, argv + 1);
}
