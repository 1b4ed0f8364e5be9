// SPDX-License-Identifier: GPL-2.0
/*
 * mbox-select's test program (given): sends typed messages to a mailbox
 * and receives them by type, through the module built with your mbox.c.
 *
 *   mbox queued    receives from a mailbox whose messages are already
 *                  there (never waiting: IPCLAB_WAIT_NOWAIT), one test
 *                  after another, each with a mailbox of its own
 *   mbox waiting   receivers that wait first, then the messages that
 *                  must go to them
 *
 * A message is "TYPE:LABEL": its type and a letter, its first byte.  For
 * every receive it says what it got and what it should have got, as the
 * fact "q.TEST.STEP WANT FLAGS QUEUE GOT EXPECTED" (queued) or
 * "w.RECEIVER WANT FLAGS GOT EXPECTED" (waiting), where GOT and EXPECTED
 * are "TYPE:LABEL", "none" (EAGAIN: nothing matched) or "err:NAME".
 * Exit status 0 only when every receive got what it should.
 */
#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <sys/ioctl.h>

#include "exercise.h"

#define NSEC_PER_SEC	1000000000ULL
#define MAX_MSGS	8
#define MAX_STEPS	6
#define BIG		40	/* bytes of a big message */

struct msg {
	long type;
	char label;
	int size;		/* 0: 8 bytes */
};

struct step {
	long want;
	bool except;
	int bufsize;		/* 0: 64 bytes */
	const char *expect;	/* "TYPE:LABEL", "none" or "err:E2BIG" */
};

struct test {
	const char *name;
	struct msg queue[MAX_MSGS];
	struct step steps[MAX_STEPS];
};

/* A message TYPE:LABEL, a big one, and receives (with except, into 16 bytes). */
#define M(t, l)		{ .type = (t), .label = (l) }
#define MBIG(t, l)	{ .type = (t), .label = (l), .size = BIG }
#define R(w, e)		{ .want = (w), .expect = (e) }
#define RX(w, e)	{ .want = (w), .except = true, .expect = (e) }
#define R16(w, e)	{ .want = (w), .bufsize = 16, .expect = (e) }

static const struct test tests[] = {
	{ "zero", { M(2, 'a'), M(1, 'b'), M(3, 'c') },
	  { R(0, "2:a"), R(0, "1:b"), R(0, "3:c"), R(0, "none") } },
	{ "positive", { M(1, 'a'), M(2, 'b'), M(3, 'c'), M(2, 'd') },
	  { R(2, "2:b"), R(2, "2:d"), R(2, "none") } },
	{ "positive-none", { M(1, 'a'), M(3, 'c') },
	  { R(2, "none") } },
	{ "negative-lowest", { M(3, 'a'), M(2, 'b'), M(1, 'c'), M(4, 'd') },
	  { R(-3, "1:c") } },
	{ "negative-bound", { M(5, 'a'), M(3, 'b'), M(4, 'c') },
	  { R(-3, "3:b") } },
	{ "negative-oldest", { M(2, 'a'), M(1, 'b'), M(1, 'c') },
	  { R(-2, "1:b"), R(-2, "1:c") } },
	{ "negative-none", { M(4, 'a'), M(5, 'b') },
	  { R(-3, "none") } },
	{ "except", { M(2, 'a'), M(2, 'b'), M(3, 'c'), M(1, 'd') },
	  { RX(2, "3:c"), RX(2, "1:d"), RX(2, "none") } },
	{ "except-none", { M(2, 'a'), M(2, 'b') },
	  { RX(2, "none") } },
	{ "mixed", { M(2, 'a'), M(1, 'b'), M(3, 'c'), M(1, 'd'), M(2, 'e') },
	  { R(1, "1:b"), R(-2, "1:d"), R(0, "2:a"), RX(2, "3:c"), R(0, "2:e"),
	    R(0, "none") } },
	{ "too-big", { MBIG(1, 'A'), M(1, 'b') },
	  { R16(1, "err:E2BIG"), R(1, "1:A") } },
	{ NULL }
};

static int failed;

static int new_mailbox(const char *name)
{
	int id = ipclab_mbox_get(IPCLAB_KEY_PRIVATE, 0, 0, IPCLAB_CREAT, 0600);

	if (id < 0)
		die("creating mailbox %s", name);
	name_object(id, name);
	return id;
}

static void send_msg(int id, const struct msg *m)
{
	char text[BIG];

	memset(text, m->label, sizeof(text));
	if (ipclab_send(id, m->type, text, m->size ? m->size : 8, 0))
		die("sending %ld:%c", m->type, m->label);
}

/* One receive, described in out ("TYPE:LABEL", "none", "err:NAME"). */
static void receive(int id, long want, bool except, int bufsize, unsigned int flags,
		    uint64_t timeout, char *out, size_t size)
{
	char buf[64] = "";
	struct ipclab_msgrcv r = {
		.id = id, .type = want, .text = (uintptr_t)buf,
		.size = bufsize ? bufsize : (int)sizeof(buf), .timeout = timeout,
		.flags = flags | (except ? IPCLAB_MSG_EXCEPT : 0),
	};

	if (ioctl(ipclab_fd(), IPCLAB_IOC_MBOX_RECV, &r) == 0)
		snprintf(out, size, "%lld:%c", (long long)r.type, r.size ? buf[0] : '?');
	else if (errno == EAGAIN)
		snprintf(out, size, "none");
	else
		snprintf(out, size, "err:%s", strerrorname_np(errno) ? strerrorname_np(errno) : "?");
}

static void queue_str(const struct msg *q, char *out, size_t size)
{
	size_t n = 0;
	int i;

	snprintf(out, size, "empty");
	for (i = 0; i < MAX_MSGS && q[i].type && n + 24 < size; i++)
		n += snprintf(out + n, size - n, "%s%ld:%c", i ? "," : "", q[i].type,
			      q[i].label);
}

/* The model: what is left once the expected message of a step is taken. */
static void take(struct msg *q, const char *expect)
{
	char label;
	long type;
	int i;

	if (sscanf(expect, "%ld:%c", &type, &label) != 2)
		return;
	for (i = 0; i < MAX_MSGS && q[i].type; i++)
		if (q[i].label == label)
			break;
	for (; i + 1 < MAX_MSGS; i++)
		q[i] = q[i + 1];
	q[MAX_MSGS - 1].type = 0;
}

static void queued(void)
{
	const struct test *t;
	char q[256], got[32], key[64];
	struct msg model[MAX_MSGS];
	int id, i;

	for (t = tests; t->name; t++) {
		id = new_mailbox(t->name);
		for (i = 0; i < MAX_MSGS && t->queue[i].type; i++)
			send_msg(id, &t->queue[i]);
		memcpy(model, t->queue, sizeof(model));
		for (i = 0; i < MAX_STEPS && t->steps[i].expect; i++) {
			const struct step *s = &t->steps[i];

			queue_str(model, q, sizeof(q));

			receive(id, s->want, s->except, s->bufsize, IPCLAB_WAIT_NOWAIT, 0,
				got, sizeof(got));
			snprintf(key, sizeof(key), "q.%s.%d", t->name, i + 1);
			fact(key, "%ld %s %s %s %s", s->want, s->except ? "except" : "-", q, got,
			     s->expect);
			printf("%-16s receive %d of type %ld%s from [%s]: got %s, expected %s%s\n",
			       t->name, i + 1, s->want, s->except ? " (except)" : "", q, got,
			       s->expect, strcmp(got, s->expect) ? "  WRONG" : "");
			failed += !!strcmp(got, s->expect);
			take(model, s->expect);
		}
		ipclab_remove(id);
	}
}

/* The waiting receivers: each waits for its type, at most 5 s. */
static const struct {
	const char *name;
	long want;
	bool except;
	const char *expect;
} receivers[] = {
	{ "want-3", 3, false, "3:c" },
	{ "want-upto-2", -2, false, "1:a" },
	{ "want-not-4", 4, true, "5:e" },
};
#define NRECV	(int)(sizeof(receivers) / sizeof(receivers[0]))

static int wid;

static void receiver(int k)
{
	char got[32], key[64];

	receive(wid, receivers[k].want, receivers[k].except, 0, IPCLAB_WAIT_TIMEOUT,
		5 * NSEC_PER_SEC, got, sizeof(got));
	snprintf(key, sizeof(key), "w.%s", receivers[k].name);
	fact(key, "%ld %s %s %s", receivers[k].want, receivers[k].except ? "except" : "-",
	     got, receivers[k].expect);
	printf("%-12s waited for type %ld%s: got %s, expected %s%s\n", receivers[k].name,
	       receivers[k].want, receivers[k].except ? " (except)" : "", got,
	       receivers[k].expect, strcmp(got, receivers[k].expect) ? "  WRONG" : "");
	exit(!!strcmp(got, receivers[k].expect));
}

/* Waits (at most 3 s) until the mailbox has n waiters. */
static bool waiters(int id, unsigned int n)
{
	struct ipclab_stat st;
	int i;

	for (i = 0; i < 300; i++) {
		memset(&st, 0, sizeof(st));
		st.id = id;
		if (ipclab_stat(&st))
			die("looking at mailbox %d", id);
		if (st.nwaiters == n)
			return true;
		usleep(10000);
	}
	return false;
}

static void waiting(void)
{
	static const struct msg before = M(4, 'q');
	static const struct msg sends[] = { M(5, 'e'), M(1, 'a'), M(3, 'c') };
	pid_t pid[NRECV];
	char got[32], key[64];
	int k;

	wid = new_mailbox("mailbox");
	/* Queued before anybody waits: none of the receivers wants it. */
	send_msg(wid, &before);
	for (k = 0; k < NRECV; k++) {
		pid[k] = spawn(receivers[k].name, receiver, k);
		snprintf(key, sizeof(key), "waited.%s", receivers[k].name);
		fact(key, "%d", waiters(wid, k + 1));
	}
	for (k = 0; k < (int)(sizeof(sends) / sizeof(sends[0])); k++) {
		send_msg(wid, &sends[k]);
		printf("sent %ld:%c\n", sends[k].type, sends[k].label);
	}
	for (k = 0; k < NRECV; k++)
		failed += reap(pid[k], receivers[k].name) != 0;
	/* What is left: the 4:q queued at first, nothing else. */
	receive(wid, 0, false, 0, IPCLAB_WAIT_NOWAIT, 0, got, sizeof(got));
	fact("w.left", "%s", got);
	printf("left in the mailbox: %s, expected 4:q\n", got);
	failed += !!strcmp(got, "4:q");
	ipclab_remove(wid);
}

int main(int argc, char **argv)
{
	if (argc != 2 || (strcmp(argv[1], "queued") && strcmp(argv[1], "waiting"))) {
		fprintf(stderr, "usage: %s queued|waiting\n", argv[0]);
		return 2;
	}
	if (ipclab_fd() < 0)
		die("opening /dev/ipclab");
	if (!strcmp(argv[1], "queued"))
		queued();
	else
		waiting();
	return failed != 0;
}
