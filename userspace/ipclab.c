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
#include <ctype.h>
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
	[IPCLAB_TYPE_EXTRA] = "extra",
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

/* The words a type is given by: ipclab's names, and ipcs's for the same. */
static const struct {
	const char *word;
	unsigned int type;
} type_words[] = {
	{ "sem", IPCLAB_TYPE_SEM }, { "set", IPCLAB_TYPE_SEM },
	{ "mutex", IPCLAB_TYPE_MUTEX },
	{ "mbox", IPCLAB_TYPE_MBOX }, { "msg", IPCLAB_TYPE_MBOX },
	{ "shbuf", IPCLAB_TYPE_SHBUF }, { "shm", IPCLAB_TYPE_SHBUF },
	{ "extra", IPCLAB_TYPE_EXTRA },
};

#define TYPE_BIT(t)	(1u << (t))
#define NR_TYPES	(sizeof(type_names) / sizeof(type_names[0]))

static int parse_type(const char *s)
{
	unsigned int i;

	for (i = 0; i < sizeof(type_words) / sizeof(type_words[0]); i++)
		if (!strcmp(s, type_words[i].word))
			return type_words[i].type;
	return -1;
}

/* -t TYPE (and ls -m, rm --all=TYPE): one more type in *types; 0, or -1 after a message. */
static int add_type(const char *s, unsigned int *types)
{
	int t = parse_type(s);

	if (t < 0) {
		fprintf(stderr, "ipclab: unknown type '%s' (sem or set, mutex, "
			"mbox or msg, shbuf or shm)\n", s);
		return -1;
	}
	*types |= TYPE_BIT(t);
	return 0;
}

/* A key as ipcs prints it: 0x00003039, IPCLAB_KEY_PRIVATE as 0x00000000. */
static const char *fmt_key(__s32 key, char *buf, size_t n)
{
	snprintf(buf, n, "0x%08x", (unsigned int)key);
	return buf;
}

/*
 * A key as ipcrm takes it: decimal, 0x hexadecimal or 0 octal, from
 * INT_MIN up to 0xffffffff (a key_t is an int: 0xffffffff is -1).
 */
static int parse_key(const char *s, __s32 *key)
{
	long long v;
	char *end;

	errno = 0;
	v = strtoll(s, &end, 0);
	if (errno || !*s || *end || v < INT32_MIN || v > (long long)UINT32_MAX) {
		fprintf(stderr, "ipclab: '%s' is not a key\n", s);
		return -1;
	}
	*key = (__s32)(__u32)v;
	return 0;
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

/*
 * All ids of the types in the mask (0: every type), one type after the
 * other as ipcs lists them.  Returns the count, or -1.
 */
static int list_types(unsigned int types, __u32 **ids)
{
	__u32 *part, *all = NULL, *grown;
	unsigned int t;
	int n, total = 0;

	if (!types)
		return list_ids(0, ids);
	*ids = NULL;
	for (t = 1; t < NR_TYPES; t++) {
		if (!(types & TYPE_BIT(t)))
			continue;
		n = list_ids(t, &part);
		if (n < 0) {
			free(all);
			return -1;
		}
		grown = realloc(all, (total + n + 1) * sizeof(*all));
		if (!grown) {
			free(part);
			free(all);
			return -1;
		}
		all = grown;
		memcpy(all + total, part, n * sizeof(*all));
		total += n;
		free(part);
	}
	*ids = all;
	return total;
}

/*
 * What everybody may read of an object (as /proc/sysvipc shows it): its
 * type and perm, with IPCLAB_STAT_ANY.  0, or -1 and errno.
 */
static int stat_any(unsigned int id, struct ipclab_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->id = id;
	st->flags = IPCLAB_STAT_ANY;
	return ipclab_stat(st);
}

/*
 * The ids (up to max in found) of the objects of the types in the mask
 * (0: every type) that have key.  Returns how many there are, or -1.
 */
static int ids_with_key(__s32 key, unsigned int types, __u32 *found, int max)
{
	struct ipclab_stat st;
	int n, i, count = 0;
	__u32 *ids;

	n = list_types(types, &ids);
	if (n < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (stat_any(ids[i], &st) || st.perm.key != key)
			continue;
		if (count < max)
			found[count] = ids[i];
		count++;
	}
	free(ids);
	return count;
}

static const char *fmt_time(__s64 t, char *buf, size_t n)
{
	struct tm tm;
	time_t tt = t;

	localtime_r(&tt, &tm);
	strftime(buf, n, "%H:%M:%S", &tm);
	return buf;
}

/*
 * Who did something last and when: "pid 160 at 12:00:01", "pid 160 (no
 * time recorded)", "at 12:00:01" or "none".
 */
static const char *fmt_last(int pid, __s64 t, char *buf, size_t n)
{
	char tb[16];

	if (pid && t)
		snprintf(buf, n, "pid %d at %s", pid, fmt_time(t, tb, sizeof(tb)));
	else if (pid)
		snprintf(buf, n, "pid %d (no time recorded)", pid);
	else if (t)
		snprintf(buf, n, "at %s", fmt_time(t, tb, sizeof(tb)));
	else
		snprintf(buf, n, "none");
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

	fprintf(out, "\"type\": \"%s\", \"key\": %d, \"key_hex\": \"0x%08x\", "
		"\"id\": %u, \"uid\": %u, \"gid\": %u, \"mode\": \"%04o\", "
		"\"cpid\": %d, \"lpid\": %d, \"waiters\": %u",
		type_name(st->type), st->perm.key, (unsigned int)st->perm.key,
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
	unsigned int types = 0;
	int n, i, c, ret = 0;
	char key[16];
	__u32 *ids;

	while ((c = getopt_long(argc, argv, "jt:mqsah", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 't':
			if (add_type(optarg, &types))
				return command_misuse(cmd);
			break;
		/* ipcs's letters: shared memory, message queues, semaphores, all */
		case 'm':
			types |= TYPE_BIT(IPCLAB_TYPE_SHBUF);
			break;
		case 'q':
			types |= TYPE_BIT(IPCLAB_TYPE_MBOX);
			break;
		case 's':
			types |= TYPE_BIT(IPCLAB_TYPE_SEM);
			break;
		case 'a':
			break;
		case 'h':
			command_usage(cmd, stdout);
			return 0;
		default:
			return command_misuse(cmd);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "ipclab: unexpected argument '%s'\n", argv[optind]);
		return command_misuse(cmd);
	}
	n = list_types(types, &ids);
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
			printf("%-6s %10s %8u %5u  %04o %5u %7d  %s\n", type_name(s.st.type),
			       fmt_key(s.st.perm.key, key, sizeof(key)), s.st.perm.id,
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
	case IPCLAB_WAITER_EXTRA:
		fprintf(out, "waits");
		break;
	}
	fprintf(out, "  [ticket %llu]\n", (unsigned long long)w->ticket);
}

static void show(FILE *out, const struct snap *s)
{
	const struct ipclab_stat *st = &s->st;
	char t1[48], t2[48], key[16], label[IPCLAB_NAME_LEN + 1];
	__s64 otime = st->perm.otime;
	unsigned int i, pos;

	/* A buffer's last pid is its last attach's or detach's. */
	if (st->type == IPCLAB_TYPE_SHBUF)
		otime = st->shbuf.atime > st->shbuf.dtime ? st->shbuf.atime :
			st->shbuf.dtime;

	fprintf(out, "%s %u, key %s, owner %u:%u, mode %04o, created by pid %d\n",
		type_name(st->type), st->perm.id,
		fmt_key(st->perm.key, key, sizeof(key)), st->perm.uid,
		st->perm.gid, st->perm.mode, st->perm.cpid);
	if (s->name[0])
		fprintf(out, "  name: %s\n", s->name);
	fprintf(out, "  last operation: %s; last change: %s\n",
		fmt_last(st->perm.lpid, otime, t1, sizeof(t1)),
		fmt_last(0, st->perm.ctime, t2, sizeof(t2)));

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
		fprintf(out, "  sent %llu (last: %s), received %llu (last: %s)\n",
			(unsigned long long)st->mbox.sent,
			fmt_last(st->mbox.lspid, st->mbox.stime, t1, sizeof(t1)),
			(unsigned long long)st->mbox.received,
			fmt_last(st->mbox.lrpid, st->mbox.rtime, t2, sizeof(t2)));
		break;
	case IPCLAB_TYPE_SHBUF:
		fprintf(out, "  %llu bytes, %u mappings now (%llu ever)%s\n",
			(unsigned long long)st->shbuf.size, st->shbuf.nattch,
			(unsigned long long)st->shbuf.attaches,
			st->shbuf.flags & IPCLAB_SHBUF_DEST ?
			", removed: freed at the last unmap" : "");
		fprintf(out, "  last attach: %s; last detach: %s\n",
			fmt_last(0, st->shbuf.atime, t1, sizeof(t1)),
			fmt_last(0, st->shbuf.dtime, t2, sizeof(t2)));
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
	case IPCLAB_WAITER_EXTRA:
		fprintf(out, "\"kind\": \"extra\"");
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
				return command_misuse(cmd);
			}
			*json = true;
			break;
		case 'h':
			command_usage(cmd, stdout);
			return 0;
		default:
			return command_misuse(cmd);
		}
	}
	return -1;
}

/*
 * The types in the mask, as a person says them: "shbuf", "sem or mbox".
 */
static const char *types_name(unsigned int types, char *buf, size_t n)
{
	size_t off = 0;
	unsigned int t;

	buf[0] = '\0';
	for (t = 1; t < NR_TYPES && off < n; t++)
		if (types & TYPE_BIT(t))
			off += snprintf(buf + off, n - off, "%s%s", off ? " or " : "",
					type_name(t));
	return buf;
}

/*
 * ID id (typed as arg) cannot be shown or removed (doing: "removing "
 * or ""): when the errno says there is no such object (EINVAL, or
 * EIDRM for an id whose object went), say so, and which object has
 * that number as its key if one does, since a key typed where an id is
 * expected fails this way.  Other errnos as fail() says them.  Returns 1.
 */
static int no_such_id(const char *doing, unsigned int id, const char *arg)
{
	int err = errno, n, i;
	struct ipclab_stat st;
	__u32 found[4];

	if (err != EINVAL && err != EIDRM)
		return fail("%sobject %u", doing, id);
	fprintf(stderr, "ipclab: %sID %u: no such object (%s)", doing, id,
		ipclab_errname(err));
	n = (__s32)id == IPCLAB_KEY_PRIVATE ? 0 : ids_with_key((__s32)id, 0, found, 4);
	if (n > 0)
		fprintf(stderr, "; key %s is", arg);
	for (i = 0; i < n && i < 4; i++)
		fprintf(stderr, "%s %s ID %u", i ? " and" : "",
			stat_any(found[i], &st) ? "object" : type_name(st.type), found[i]);
	if (n > 4)
		fprintf(stderr, " and %d more", n - 4);
	if (n > 0)
		fprintf(stderr, ": did you mean -k %s%s?", arg, n > 1 ? " -t TYPE" : "");
	fputc('\n', stderr);
	return 1;
}

/*
 * The id of the object that has KEY arg, of the types in the mask (or
 * of any type, if only one object has it).  0 with *id set; 1 after a
 * message when no object has it; 2 after a message for a usage error.
 */
static int id_of_key(const char *arg, unsigned int types, unsigned int *id)
{
	char names[64], k[16];
	__u32 found[4];
	__s32 key;
	int n, i;

	if (parse_key(arg, &key))
		return 2;
	if (key == IPCLAB_KEY_PRIVATE) {
		fprintf(stderr, "ipclab: key 0 is IPC_PRIVATE: a private object has "
			"no key, name it by its ID\n");
		return 2;
	}
	if (types && !(types & (types - 1))) {
		struct ipclab_get g = { .type = __builtin_ctz(types), .key = key };

		if (ipclab_get(&g) < 0)
			return fail("%s with key %s", type_name(g.type), arg);
		*id = g.id;
		return 0;
	}
	n = ids_with_key(key, types, found, 4);
	if (n < 0)
		return fail("listing objects");
	if (n == 0) {
		errno = ENOENT;
		return fail("%s with key %s (%s)", types ?
			    types_name(types, names, sizeof(names)) : "object", arg,
			    fmt_key(key, k, sizeof(k)));
	}
	if (n > 1) {
		fprintf(stderr, "ipclab: key %s: %d objects have it (IDs", arg, n);
		for (i = 0; i < n && i < 4; i++)
			fprintf(stderr, " %u", found[i]);
		fprintf(stderr, "%s): say which type with -t TYPE\n", n > 4 ? " ..." : "");
		return 2;
	}
	*id = found[0];
	return 0;
}

static int cmd_show(const struct command *cmd, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "key", required_argument, NULL, 'k' },
		{ "type", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *key = NULL;
	unsigned int types = 0, id;
	bool json = false;
	struct snap s;
	int c, ret;

	while ((c = getopt_long(argc, argv, "jk:t:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'k':
			key = optarg;
			break;
		case 't':
			if (add_type(optarg, &types))
				return command_misuse(cmd);
			break;
		case 'h':
			command_usage(cmd, stdout);
			return 0;
		default:
			return command_misuse(cmd);
		}
	}
	if (key ? optind != argc : (optind != argc - 1 || types))
		return command_misuse(cmd);
	if (key) {
		ret = id_of_key(key, types, &id);
		if (ret)
			return ret;
	} else if (parse_id(argv[optind], &id)) {
		return 2;
	}
	if (snap_take(id, &s)) {
		snap_free(&s);
		return key ? fail("object %u", id) : no_such_id("", id, argv[optind]);
	}
	if (json)
		show_json(stdout, &s);
	else
		show(stdout, &s);
	snap_free(&s);
	return 0;
}

/* "sem ID 65537 (key 0x00003039)", or "ID 65537" if it cannot be read. */
static const char *describe(unsigned int id, char *buf, size_t n)
{
	struct ipclab_stat st;
	char key[16];

	if (stat_any(id, &st))
		snprintf(buf, n, "ID %u", id);
	else
		snprintf(buf, n, "%s ID %u (key %s)", type_name(st.type), id,
			 fmt_key(st.perm.key, key, sizeof(key)));
	return buf;
}

/*
 * rm -a: every object of the types in the mask (0: every type) that the
 * caller may remove, as ipcrm -a; each removal said on stdout, and each
 * object that is not the caller's to remove (EPERM).  Only another
 * error makes the status 1.
 */
static int rm_all(unsigned int types)
{
	unsigned int removed = 0, kept = 0;
	char what[96];
	int n, i, ret = 0;
	__u32 *ids;

	n = list_types(types, &ids);
	if (n < 0)
		return fail("listing objects");
	for (i = 0; i < n; i++) {
		describe(ids[i], what, sizeof(what));
		if (!ipclab_remove(ids[i])) {
			printf("removed %s\n", what);
			removed++;
		} else if (errno == EPERM) {
			printf("kept %s: not yours to remove (EPERM)\n", what);
			kept++;
		} else if (errno != EINVAL && errno != EIDRM) {
			/* EINVAL, EIDRM: gone since the list */
			ret = fail("removing %s", what);
		}
	}
	free(ids);
	printf("%u removed, %u kept (EPERM)\n", removed, kept);
	return ret;
}

/*
 * Remove id (typed as arg); with types, only if it is of one of them,
 * as ipcrm -m checks that an id is a segment's.  0, or 1 after a message.
 */
static int rm_id(unsigned int id, unsigned int types, const char *arg)
{
	struct ipclab_stat st;
	char names[64];

	if (types) {
		if (stat_any(id, &st))
			return no_such_id("removing ", id, arg);
		if (!(types & TYPE_BIT(st.type))) {
			fprintf(stderr, "ipclab: removing ID %u: it is a %s, not a %s (EINVAL)\n",
				id, type_name(st.type), types_name(types, names, sizeof(names)));
			return 1;
		}
	}
	if (ipclab_remove(id))
		return no_such_id("removing ", id, arg);
	return 0;
}

/* One thing rm was asked to remove: an ID or a KEY, of the types in a mask. */
struct rm_what {
	bool key;
	unsigned int types;	/* 0: any type, or those of -t */
	const char *arg;
};

static int cmd_rm(const struct command *cmd, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "type", required_argument, NULL, 't' },
		{ "all", optional_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	/* ipcrm's letters: -m ID, -M KEY of shared memory; -q, -Q queues; -s, -S sets */
	static const char letters[] = "mMqQsS";
	static const unsigned int letter_type[] = {
		IPCLAB_TYPE_SHBUF, IPCLAB_TYPE_SHBUF, IPCLAB_TYPE_MBOX,
		IPCLAB_TYPE_MBOX, IPCLAB_TYPE_SEM, IPCLAB_TYPE_SEM,
	};
	unsigned int types = 0, id, n = 0, i;
	bool all = false, by_key = false;
	struct rm_what *what;
	char desc[96];
	int c, ret = 0, r;
	__s32 key;

	what = calloc(argc + 1, sizeof(*what));
	if (!what)
		return fail("rm");
	while ((c = getopt_long(argc, argv, "k:t:m:M:q:Q:s:S:ah", longopts, NULL)) != -1) {
		const char *l = c ? strchr(letters, c) : NULL;

		switch (c) {
		case 'k':
			what[n++] = (struct rm_what){ .key = true, .arg = optarg };
			by_key = true;
			break;
		case 't':
			if (add_type(optarg, &types))
				goto misuse;
			break;
		case 'a':
			all = true;
			if (optarg && add_type(optarg, &types))
				goto misuse;
			break;
		case 'h':
			free(what);
			command_usage(cmd, stdout);
			return 0;
		default:
			if (!l)
				goto misuse;
			what[n++] = (struct rm_what){
				.key = isupper((unsigned char)c),
				.types = TYPE_BIT(letter_type[l - letters]),
				.arg = optarg,
			};
		}
	}
	if (all) {
		free(what);
		if (n || optind < argc) {
			fprintf(stderr, "ipclab: rm -a takes no IDs or keys\n");
			return command_misuse(cmd);
		}
		return rm_all(types);
	}
	if (by_key && optind < argc) {
		fprintf(stderr, "ipclab: rm -k KEY takes no IDs\n");
		goto misuse;
	}
	for (i = optind; i < (unsigned int)argc; i++)
		what[n++] = (struct rm_what){ .arg = argv[i] };
	if (!n)
		goto misuse;
	/* Every argument is checked before anything is removed. */
	for (i = 0; i < n; i++) {
		if (!what[i].types)
			what[i].types = types;
		if (what[i].key ? parse_key(what[i].arg, &key) : parse_id(what[i].arg, &id)) {
			free(what);
			return 2;
		}
	}
	for (i = 0; i < n; i++) {
		if (what[i].key) {
			r = id_of_key(what[i].arg, what[i].types, &id);
			if (!r) {
				describe(id, desc, sizeof(desc));
				if (ipclab_remove(id))
					r = fail("removing %s", desc);
			}
		} else {
			parse_id(what[i].arg, &id);
			r = rm_id(id, what[i].types, what[i].arg);
		}
		if (r > ret)
			ret = r;
	}
	free(what);
	return ret;
misuse:
	free(what);
	return command_misuse(cmd);
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
	if (argc - optind > 1)
		return command_misuse(cmd);
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
		return command_misuse(cmd);
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
	if (optind < argc)
		return command_misuse(cmd);
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
	.synopsis = "ls [-t TYPE] [-m] [-q] [-s] [--json]",
	.summary = "list objects (TYPE: sem, mutex, mbox, shbuf)",
	.help =
		"Every object, or every object of the types asked for, one line each:\n"
		"its type, key (in hexadecimal, as ipcs prints it), id, owner uid,\n"
		"mode, how many threads wait on it, the pid of the last operation and\n"
		"its state.\n"
		"\n"
		"  -t, --type TYPE   the objects of TYPE: sem (or set), mutex, mbox (or\n"
		"                    msg), shbuf (or shm); repeatable\n"
		"  -m, -q, -s        as ipcs: shared buffers, mailboxes, semaphore sets\n"
		"  -a                every type (the default, as ipcs -a)\n"
		"  --json            the same as a JSON array of objects\n",
};

static const struct command show_command = {
	.name = "show",
	.run = cmd_show,
	.synopsis = "show [--json] ID\nshow [--json] -k KEY [-t TYPE]",
	.summary = "values, holders and waiting rooms of one object",
	.help =
		"One object: its key, owner, mode and times, its values or state,\n"
		"who holds what, and each waiting room in queue order with what\n"
		"every waiter asks for and how long it has waited.\n"
		"\n"
		"  -k, --key KEY     the object that has KEY (decimal, 0x hexadecimal\n"
		"                    or 0 octal) instead of an ID\n"
		"  -t, --type TYPE   its type, when objects of several types have KEY\n"
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
	.synopsis = "rm [-t TYPE] ID...\nrm -k KEY [-t TYPE]\n"
		    "rm [-m|-q|-s ID]... [-M|-Q|-S KEY]...\nrm -a [-t TYPE]",
	.summary = "remove objects by id or key, or all of yours",
	.help =
		"Remove objects, as ipcrm does: by ID, or the object that has KEY\n"
		"(decimal, 0x hexadecimal or 0 octal).  Removal wakes every waiter\n"
		"with EIDRM.  Every argument is checked first, then each object is\n"
		"tried; the exit status is 1 if any removal failed.\n"
		"\n"
		"  -t, --type TYPE   only objects of TYPE: sem (or set), mutex, mbox\n"
		"                    (or msg), shbuf (or shm); for -k, needed only\n"
		"                    when objects of several types have KEY\n"
		"  -k, --key KEY     the object that has KEY\n"
		"  -m ID, -M KEY     as ipcrm: a shared buffer by ID or KEY\n"
		"  -q ID, -Q KEY     a mailbox (message queue)\n"
		"  -s ID, -S KEY     a semaphore set\n"
		"  -a, --all[=TYPE]  every object (of TYPE, or of -t's) you may remove,\n"
		"                    each said on stdout; objects not yours are kept\n"
		"                    and said too (EPERM), which is no failure\n",
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

int command_misuse(const struct command *c)
{
	const char *form, *end;
	size_t name = strlen(c->name);
	bool first = true;

	fputs("usage: ipclab", stderr);
	for (form = c->synopsis; *form; form = *end ? end + 1 : end, first = false) {
		end = strchrnul(form, '\n');
		/* The name once: "rm ID... | -k KEY" */
		if (!first && !strncmp(form, c->name, name) && form[name] == ' ')
			form += name + 1;
		fprintf(stderr, "%s %.*s", first ? "" : " |", (int)(end - form), form);
	}
	fprintf(stderr, "\ntry 'ipclab %s -h' for more\n", c->name);
	return 2;
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
