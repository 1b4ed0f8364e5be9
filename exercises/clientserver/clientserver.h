/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Client/server over two mailboxes: the interface between main.c (given)
 * and clientserver.c (yours).
 *
 * Every client sends its requests to the server's mailbox "requests";
 * the server answers each one in the ONE mailbox "replies", with the
 * client's pid as the message's type, so that each client can take out
 * of "replies" its own answers and nobody else's.
 */
#ifndef CLIENTSERVER_H
#define CLIENTSERVER_H

#define REQUEST	1	/* the type of every message in "requests" */
#define MSGS	16	/* what each mailbox holds at most */

/* A request: the number to square, and who asks (the type of its reply). */
struct request {
	long pid;
	long number;
};

/* A reply: the request's pid and number, and the answer. */
struct reply {
	long pid;
	long number;
	long answer;
};

/* The two mailboxes, created by setup(). */
extern int requests, replies;

void setup(void);
void ask(long number);			/* a client: send one request */
struct reply get_reply(void);		/* a client: wait for its own reply */
void serve(int total);			/* the server: answer total requests */
void cleanup(void);

/* Given (main.c): the server's work on one request. */
long compute(long number);

#endif
