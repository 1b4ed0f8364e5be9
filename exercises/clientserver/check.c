// SPDX-License-Identifier: GPL-2.0
/*
 * The grader of clientserver: runs main.c with your clientserver.c and
 * reads what the kernel saw: every message sent to and received from the
 * two mailboxes with its type and the pid of who sent or took it, who
 * slept in which waiting room, and how much CPU each process used.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grade.h"

#define MAX_PROCS 33

/* What main.c said about a run: the mailboxes' ids, the processes. */
struct world {
	long requests, replies;
	long server;			/* the server's pid */
	long client[MAX_PROCS];		/* client[c]: client-c's pid */
	int clients;
};

static struct world world_of(const struct grade_run *r)
{
	struct world w = { .requests = -1, .replies = -1 };
	const char *p = r->facts;
	char role[32];
	long id;
	int c;

	while (p && *p) {
		if (sscanf(p, "name.%ld %31s", &id, role) == 2) {
			if (!strcmp(role, "requests"))
				w.requests = id;
			else if (!strcmp(role, "replies"))
				w.replies = id;
		} else if (sscanf(p, "pid.%ld %31s", &id, role) == 2) {
			if (!strcmp(role, "server"))
				w.server = id;
			else if (sscanf(role, "client-%d", &c) == 1 && c > 0 && c < MAX_PROCS) {
				w.client[c] = id;
				if (c > w.clients)
					w.clients = c;
			}
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return w;
}

/* client-c for pid, or 0 when it is no client's. */
static int client_of(const struct world *w, long pid)
{
	int c;

	for (c = 1; c <= w->clients; c++)
		if (w->client[c] == pid)
			return c;
	return 0;
}

/*
 * At a hang: what the kernel saw of the requests and the replies, and
 * which client asked more often than it got an answer.
 */
static const char *hang_story(const struct grade_run *r, const struct world *w)
{
	static char why[1024];
	char others[256] = "";
	int c, asked, got, sent = 0, waiting = 0, replies_sent, replies_taken;
	size_t n = 0, o = 0;

	for (c = 1; c <= w->clients; c++) {
		asked = grade_count(r, "send", w->requests, w->client[c]);
		got = grade_count(r, "receive", w->replies, w->client[c]);
		sent += asked;
		if (asked <= got)
			continue;
		if (!waiting++)
			n += snprintf(why + n, sizeof(why) - n,
				      "client-%d asked %d time%s and got %d repl%s: it sleeps in replies' waiting room",
				      c, asked, asked == 1 ? "" : "s", got, got == 1 ? "y" : "ies");
		else
			o += snprintf(others + o, sizeof(others) - o, "%sclient-%d",
				      o ? ", " : "", c);
	}
	if (waiting > 1)
		n += snprintf(why + n, sizeof(why) - n, "; %s sleep%s there too", others,
			      waiting > 2 ? "" : "s");
	replies_sent = grade_count(r, "send", w->replies, 0);
	replies_taken = grade_count(r, "receive", w->replies, 0);
	n += snprintf(why + n, sizeof(why) - n,
		      "%sthe clients sent %d requests, the server took %d and sent %d replies",
		      n ? "; " : "", sent, grade_count(r, "receive", w->requests, w->server),
		      replies_sent);
	if (replies_sent > replies_taken && n < sizeof(why))
		n += snprintf(why + n, sizeof(why) - n, ", %d of which nobody took",
			      replies_sent - replies_taken);
	if (n < sizeof(why))
		snprintf(why + n, sizeof(why) - n, "; %s", grade_why(r));
	return why;
}

/* The first client that got another's reply, as main.c saw it. */
static const char *stray(const struct grade_run *r, const struct world *w)
{
	static char why[512];
	long pid, number, answer;
	char key[48];
	const char *v;
	int c, owner;

	for (c = 1; c <= w->clients; c++) {
		snprintf(key, sizeof(key), "stray.client-%d", c);
		v = grade_fact(r, key);
		if (!v || sscanf(v, "%ld %ld %ld", &pid, &number, &answer) != 3)
			continue;
		owner = client_of(w, pid);
		snprintf(key, sizeof(key), "strays.client-%d", c);
		if (owner)
			snprintf(why, sizeof(why),
				 "client-%d got client-%d's reply (%ld squared is %ld), %ld of its %ld replies were not its own: the replies must be addressed to, and taken by, the client's type",
				 c, owner, number, answer, grade_fact_num(r, key, 1),
				 grade_fact_num(r, "requests", 0));
		else
			snprintf(why, sizeof(why),
				 "client-%d got a reply for pid %ld (%ld squared is %ld), not its own",
				 c, pid, number, answer);
		return why;
	}
	for (c = 1; c <= w->clients; c++) {
		snprintf(key, sizeof(key), "wrong.client-%d", c);
		v = grade_fact(r, key);
		if (v && sscanf(v, "%ld %ld %ld", &pid, &number, &answer) == 3) {
			snprintf(why, sizeof(why),
				 "client-%d asked for %ld and got the reply \"%ld squared is %ld\"",
				 c, pid, number, answer);
			return why;
		}
	}
	return NULL;
}

/* The first reply the server sent with a type that is no client's pid. */
static const char *reply_types(const struct grade_run *r, const struct world *w)
{
	static char why[512];
	long type, first = 0;
	int n = 0, bad = 0;
	size_t i;

	for (i = 0; i < r->nev; i++) {
		const struct grade_ev *e = &r->ev[i];

		if (strcmp(e->name, "send") || grade_arg(e, "id", -1) != w->replies)
			continue;
		n++;
		type = grade_arg(e, "type", 0);
		if (!client_of(w, type) && !bad++)
			first = type;
	}
	if (!n) {
		snprintf(why, sizeof(why), "the kernel saw no message sent to replies");
		return why;
	}
	if (!bad)
		return NULL;
	snprintf(why, sizeof(why),
		 "%d of the %d replies the server sent had a type that is no client's pid (the first: type %ld; client-1's pid is %ld)",
		 bad, n, first, w->client[1]);
	return why;
}

/* The first message a client took out of replies that was not of its type. */
static const char *taken_types(const struct grade_run *r, const struct world *w)
{
	static char why[512];
	long type, pid;
	int c, owner, n = 0;
	size_t i;

	for (i = 0; i < r->nev; i++) {
		const struct grade_ev *e = &r->ev[i];

		if (strcmp(e->name, "receive") || grade_arg(e, "id", -1) != w->replies)
			continue;
		pid = grade_arg(e, "pid", 0);
		type = grade_arg(e, "type", 0);
		c = client_of(w, pid);
		n++;
		if (!c || type == pid)
			continue;
		owner = client_of(w, type);
		if (owner)
			snprintf(why, sizeof(why),
				 "client-%d (pid %ld) took a message of type %ld out of replies: client-%d's reply",
				 c, pid, type, owner);
		else
			snprintf(why, sizeof(why),
				 "client-%d (pid %ld) took a message of type %ld out of replies, not of its type %ld",
				 c, pid, type, pid);
		return why;
	}
	if (!n) {
		snprintf(why, sizeof(why), "the kernel saw no client take a message out of replies");
		return why;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct grade_run *main_run, *slow_server, *slow_clients;
	const char *why, *bad;
	struct world w;
	char who[32] = "", fb[1024];
	double cpu;
	int c, blocks;

	grade_begin("clientserver", argc, argv);

	/* Four clients that come back for their answers at their own pace. */
	main_run = grade_run(10, "clientserver", "-c", "4", "-n", "20", "-t", "2000", NULL);
	w = world_of(main_run);
	bad = stray(main_run, &w);
	if (main_run->hung)
		why = hang_story(main_run, &w);
	else
		why = bad ? bad : grade_why(main_run);
	grade_check(4, !why && !grade_fact_num(main_run, "bad_clients", 1),
		    "4 clients x 20 requests: every client gets its own replies, and the program ends",
		    "%s", why ? why : "a client got a wrong reply");
	bad = reply_types(main_run, &w);
	grade_check(2, !bad, "the server sends each reply with the type of the client's pid",
		    "%s", bad);
	bad = taken_types(main_run, &w);
	grade_check(2, !bad, "each client takes out of replies only messages of its own type",
		    "%s", bad);

	/* A slow server: the clients must sleep for their replies, not spin. */
	slow_server = grade_run(10, "clientserver", "-c", "2", "-n", "8", "-t", "0",
				"-s", "20000", NULL);
	w = world_of(slow_server);
	why = slow_server->hung ? hang_story(slow_server, &w) : grade_why(slow_server);
	cpu = grade_most_cpu(slow_server, "client", who, sizeof(who));
	blocks = 0;
	for (c = 1; c <= w.clients; c++)
		blocks += grade_count(slow_server, "block", w.replies, w.client[c]);
	if (why)
		snprintf(fb, sizeof(fb), "with a slow server: %s", why);
	else if (cpu >= 0.3 * slow_server->wall)
		snprintf(fb, sizeof(fb),
			 "%s used %.1f s of CPU in a %.1f s run, waiting for a slow server: busy waiting",
			 who, cpu, slow_server->wall);
	else
		snprintf(fb, sizeof(fb),
			 "the kernel saw no client sleep in replies' waiting room, though the server was slow");
	grade_check(2, !why && blocks > 0 && cpu < 0.3 * slow_server->wall,
		    "a client waiting for its reply sleeps in replies' waiting room", "%s", fb);

	/* Slow clients: the server must sleep while nobody asks. */
	slow_clients = grade_run(10, "clientserver", "-c", "2", "-n", "8", "-t", "0",
				 "-d", "20000", NULL);
	w = world_of(slow_clients);
	why = slow_clients->hung ? hang_story(slow_clients, &w) : grade_why(slow_clients);
	cpu = grade_most_cpu(slow_clients, "server", who, sizeof(who));
	blocks = grade_count(slow_clients, "block", w.requests, w.server);
	if (why)
		snprintf(fb, sizeof(fb), "with slow clients: %s", why);
	else if (cpu >= 0.3 * slow_clients->wall)
		snprintf(fb, sizeof(fb),
			 "the server used %.1f s of CPU in a %.1f s run, waiting for slow clients: busy waiting",
			 cpu, slow_clients->wall);
	else
		snprintf(fb, sizeof(fb),
			 "the kernel saw the server never sleep in requests' waiting room, though the clients were slow");
	grade_check(2, !why && blocks > 0 && cpu < 0.3 * slow_clients->wall,
		    "an idle server sleeps in requests' waiting room", "%s", fb);

	grade_free(main_run);
	grade_free(slow_server);
	grade_free(slow_clients);
	return grade_score();
}
