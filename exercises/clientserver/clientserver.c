// SPDX-License-Identifier: GPL-2.0
/*
 * Client/server: the messages, yours to write.
 *
 * main.c runs one server, which calls serve(), and clients, which call
 * ask() and then get_reply() for each number they want squared.  The
 * requests go to the mailbox "requests" (type REQUEST), the replies to
 * the mailbox "replies", each with the type of the client it is for: its
 * pid.  A client that takes any message out of "replies" may take
 * another client's answer; one that asks the kernel for the type of its
 * own pid gets its own answers, and sleeps until one is there.
 */
#include <unistd.h>

#include "clientserver.h"
#include "ipclab.h"

int requests = -1, replies = -1;

void setup(void)
{
	/*
	 * TODO 1: create the two mailboxes, each holding at most MSGS
	 * messages of the size of what goes into it.
	 */
	/* BEGIN SOLUTION */
	requests = ipclab_mbox_get(IPCLAB_KEY_PRIVATE, MSGS, sizeof(struct request),
				   IPCLAB_CREAT, 0600);
	replies = ipclab_mbox_get(IPCLAB_KEY_PRIVATE, MSGS, sizeof(struct reply),
				  IPCLAB_CREAT, 0600);
	/* END SOLUTION */
}

void ask(long number)
{
	struct request req = { .pid = getpid(), .number = number };

	/* TODO 2: send req to the server (type REQUEST). */
	/* BEGIN SOLUTION */
	ipclab_send(requests, REQUEST, &req, sizeof(req), 0);
	/* END SOLUTION stub: (void)req; */
}

struct reply get_reply(void)
{
	struct reply rep = { 0 };

	/*
	 * TODO 3: wait in "replies" for a reply to this client, and only
	 * to this client (ipclab_receive's *type says which type you want).
	 */
	/* BEGIN SOLUTION */
	long type = getpid();

	ipclab_receive(replies, &type, &rep, sizeof(rep), 0);
	/* END SOLUTION */
	return rep;
}

void serve(int total)
{
	/*
	 * TODO 4: total times: wait for a request, compute() its answer and
	 * send the reply to the client that asked, addressed by its type.
	 */
	/* BEGIN SOLUTION */
	struct request req;
	struct reply rep;
	int i;

	for (i = 0; i < total; i++) {
		long type = REQUEST;

		if (ipclab_receive(requests, &type, &req, sizeof(req), 0) < 0)
			break;
		rep.pid = req.pid;
		rep.number = req.number;
		rep.answer = compute(req.number);
		ipclab_send(replies, req.pid, &rep, sizeof(rep), 0);
	}
	/* END SOLUTION stub: (void)total; */
}

void cleanup(void)
{
	/* TODO 5: remove the two mailboxes. */
	/* BEGIN SOLUTION */
	ipclab_remove(requests);
	ipclab_remove(replies);
	/* END SOLUTION */
}
