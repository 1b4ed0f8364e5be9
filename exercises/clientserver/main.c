// SPDX-License-Identifier: GPL-2.0
/*
 * Client/server: the given program, which runs your clientserver.c.
 *
 * One server and CLIENTS clients.  Client c asks for the squares of the
 * numbers c * 1000 + 0, 1, 2, ...: for each one it calls ask(), thinks
 * for a while (client c for (c - 1) * -t microseconds: the clients do not
 * come back for their answers in the order they asked), and calls
 * get_reply().  Each reply must be its own: its pid, its number, the
 * right square.  The server calls serve() once, for all the requests.
 *
 * usage: clientserver [-c CLIENTS] [-n REQUESTS] [-t USEC] [-d USEC] [-s USEC]
 *   -n requests per client (default 20); -t the think time step between
 *   a request and its reply (default 2000); -d a client's pause before
 *   each request, -s the server's time to compute an answer (default 0)
 */
#include "exercise.h"
#include "clientserver.h"

static int clients = 4, nreq = 20, think = 2000, cdelay, sdelay;

long compute(long number)
{
	if (sdelay)
		usleep(sdelay);
	return number * number;
}

static void server(int total)
{
	serve(total);
}

static void client(int c)
{
	int i, ok = 0, strays = 0, wrong = 0;
	char name[24], key[48];
	struct reply rep;
	long number;

	snprintf(name, sizeof(name), "client-%d", c);
	for (i = 0; i < nreq; i++) {
		number = c * 1000L + i;
		if (cdelay)
			usleep(cdelay);
		ask(number);
		if (think && c > 1)
			usleep((c - 1) * think);
		rep = get_reply();
		if (rep.pid != getpid()) {
			/* Somebody else's answer: say whose, the first time. */
			if (!strays++) {
				snprintf(key, sizeof(key), "stray.%s", name);
				fact(key, "%ld %ld %ld", rep.pid, rep.number, rep.answer);
				fprintf(stderr, "%s asked for %ld and got the reply for pid %ld (%ld: %ld)\n",
					name, number, rep.pid, rep.number, rep.answer);
			}
		} else if (rep.number != number || rep.answer != number * number) {
			if (!wrong++) {
				snprintf(key, sizeof(key), "wrong.%s", name);
				fact(key, "%ld %ld %ld", number, rep.number, rep.answer);
				fprintf(stderr, "%s asked for %ld and got %ld: %ld\n",
					name, number, rep.number, rep.answer);
			}
		} else {
			ok++;
		}
	}
	snprintf(key, sizeof(key), "ok.%s", name);
	fact(key, "%d", ok);
	snprintf(key, sizeof(key), "strays.%s", name);
	fact(key, "%d", strays);
	exit(ok == nreq ? 0 : 3);
}

int main(int argc, char **argv)
{
	int c, i, failed = 0, bad = 0;
	char name[33][24];
	pid_t pid[33];

	while ((c = getopt(argc, argv, "c:n:t:d:s:")) != -1) {
		switch (c) {
		case 'c': clients = number(optarg, 1000000); break;
		case 'n': nreq = number(optarg, 1000000); break;
		case 't': think = number(optarg, 1000000); break;
		case 'd': cdelay = number(optarg, 1000000); break;
		case 's': sdelay = number(optarg, 1000000); break;
		default:
			fprintf(stderr, "usage: %s [-c CLIENTS] [-n REQUESTS] [-t USEC] [-d USEC] [-s USEC]\n",
				argv[0]);
			return 2;
		}
	}
	if (clients < 1 || clients > 32 || nreq > 1000) {
		fprintf(stderr, "clientserver: 1 to 32 clients, at most 1000 requests each\n");
		return 2;
	}
	if (ipclab_fd() < 0)
		die("opening /dev/ipclab");

	setup();
	if (requests < 0 || replies < 0) {
		fprintf(stderr, "clientserver: setup() made the mailboxes requests %d, replies %d\n",
			requests, replies);
		return 1;
	}
	name_object(requests, "requests");
	name_object(replies, "replies");
	printf("mailboxes: requests %d, replies %d\n", requests, replies);
	fact("clients", "%d", clients);
	fact("requests", "%d", nreq);

	snprintf(name[0], sizeof(name[0]), "server");
	pid[0] = spawn(name[0], server, clients * nreq);
	for (i = 1; i <= clients; i++) {
		snprintf(name[i], sizeof(name[i]), "client-%d", i);
		pid[i] = spawn(name[i], client, i);
	}
	for (i = 1; i <= clients; i++) {
		c = reap(pid[i], name[i]);
		failed += c != 0;
		bad += c == 3;
	}
	failed += reap(pid[0], name[0]) != 0;
	fact("bad_clients", "%d", bad);
	printf("%d clients, %d requests each: %d got a wrong answer\n", clients, nreq, bad);
	cleanup();
	return failed != 0;
}
