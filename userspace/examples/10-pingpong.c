// SPDX-License-Identifier: GPL-2.0
/*
 * 10 - PingPong: two processes take strict turns.
 *
 * Process Ping prints "Ping", process Pong prints "Pong, ", and the
 * output must be "PingPong, PingPong, ..." however the scheduler runs
 * them.  Two semaphores pass the turn back and forth:
 *
 *	ping = 1, pong = 0
 *
 *	Ping:  loop { P(ping); print "Ping";   V(pong) }
 *	Pong:  loop { P(pong); print "Pong, "; V(ping) }
 *
 * At any moment at most one of the two semaphores is 1, and only the
 * process whose turn it is can get past its P.  Without them the words
 * would come in whatever order the processes happened to run.
 *
 * usage: ipclab-ex-pingpong [-n ROUNDS]   (default 10)
 */
#include <stdio.h>
#include <unistd.h>

#include "example.h"

enum { PING, PONG };		/* the semaphores of the set */

static int sem;

static void player(int mine, int other, const char *word, int rounds)
{
	int i;

	for (i = 0; i < rounds; i++) {
		P(sem, mine);
		printf("%s", word);
		fflush(stdout);
		V(sem, other);
	}
}

int main(int argc, char **argv)
{
	pid_t ping, pong;
	int rounds;

	ex_init();
	rounds = ex_option(argc, argv, 'n', "ROUNDS", 10);

	sem = ipclab_sem_get(IPCLAB_KEY_PRIVATE, 2, IPCLAB_CREAT, 0600);
	if (sem < 0 || ipclab_name(sem, "ping,pong"))
		ex_die("creating a semaphore set");
	if (ipclab_sem_setval(sem, PING, 1))
		ex_die("setting ping in semaphore set %d", sem);

	/* Pong starts first, and still has to wait for Ping. */
	pong = ex_fork("pong");
	if (pong == 0) {
		player(PONG, PING, "Pong, ", rounds);
		_exit(0);
	}
	ping = ex_fork("ping");
	if (ping == 0) {
		player(PING, PONG, "Ping", rounds);
		_exit(0);
	}
	ex_wait(ping);
	ex_wait(pong);
	printf("\n");

	if (ipclab_remove(sem))
		ex_die("removing semaphore set %d", sem);
	return 0;
}
