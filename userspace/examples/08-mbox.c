// SPDX-License-Identifier: GPL-2.0
/*
 * 08 - The life of a message queue (an ipclab mailbox).
 *
 *	create   ipclab_mbox_get(key, ..., IPCLAB_CREAT)	(msgget)
 *	send     ipclab_send(id, type, text, size, flags)	(msgsnd)
 *	receive  ipclab_receive(id, &type, buf, size, flags)	(msgrcv)
 *	erase    ipclab_remove(id)				(msgctl IPC_RMID)
 *
 * A message belongs to the mailbox, not to its sender: the sender may
 * exit, and the message waits until some later process receives it (or
 * the mailbox is erased).  Every message has a type, a number > 0; a
 * receiver may ask for the oldest message of one type and leave the
 * others where they are, or for type 0, the oldest of any type.
 *
 * Sender and receiver need not run at the same time, but the mailbox
 * synchronises them when they do: a receive on an empty mailbox waits
 * until a message arrives, and a send to a full one waits for room.
 * With IPCLAB_WAIT_NOWAIT a receive on an empty mailbox fails at once
 * with EAGAIN instead (msgrcv says ENOMSG).
 *
 * usage: ipclab-ex-mbox [-k KEY]   the key to create it under (4712)
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "example.h"

static int key;

static void ls(void)
{
	ex_shell("ipclab ls -t mbox");
	printf("\n");
}

static int find_mailbox(void)
{
	int id = ipclab_mbox_get(key, 0, 0, 0, 0600);

	if (id < 0)
		ex_die("finding the mailbox with key %d", key);
	return id;
}

static void send(int id, long type, const char *text)
{
	if (ipclab_send(id, type, text, strlen(text), 0))
		ex_die("sending to mailbox %d", id);
	printf("   sender (pid %d): sent type %ld, \"%s\"\n", getpid(), type, text);
}

/* Receive the oldest message of this type (0: of any type). */
static void receive(int id, long type, unsigned int flags)
{
	char text[64];
	ssize_t n;

	n = ipclab_receive(id, &type, text, sizeof(text) - 1, flags);
	if (n < 0) {
		printf("   receiver (pid %d): nothing there: %s\n", getpid(),
		       ipclab_errname(errno));
		return;
	}
	text[n] = 0;
	printf("   receiver (pid %d): got type %ld, \"%s\"\n", getpid(), type, text);
}

int main(int argc, char **argv)
{
	pid_t pid;
	int id;

	ex_init();
	key = ex_option(argc, argv, 'k', "KEY", 4712);

	id = ipclab_mbox_get(key, 8, 64, IPCLAB_CREAT | IPCLAB_EXCL, 0600);
	if (id < 0)
		ex_die("creating a mailbox with key %d", key);
	printf("1. created mailbox %d (key %d, room for 8 messages of up to 64 bytes)\n",
	       id, key);
	ls();

	printf("2. a sender sends two messages and exits\n");
	pid = ex_fork("mbox-sender");
	if (pid == 0) {
		id = find_mailbox();
		send(id, 1, "Guten Tag.");
		send(id, 2, "Hallo Welt.");
		_exit(0);
	}
	ex_wait(pid);
	printf("   The sender is gone; its messages wait in the mailbox:\n");
	ls();

	printf("3. a later process receives type 2 first, then any type, then once more\n"
	   "   without waiting\n");
	pid = ex_fork("mbox-receiver");
	if (pid == 0) {
		id = find_mailbox();
		receive(id, 2, 0);	/* type 2, though type 1 is older */
		receive(id, 0, 0);	/* the oldest of any type */
		receive(id, 0, IPCLAB_WAIT_NOWAIT);	/* empty: would wait */
		_exit(0);
	}
	ex_wait(pid);
	ls();

	if (ipclab_remove(id))
		ex_die("removing mailbox %d", id);
	printf("4. erased mailbox %d\n", id);
	ls();
	return 0;
}
