// SPDX-License-Identifier: GPL-2.0
/*
 * PingPong: the synchronization, yours to write.
 *
 * main.c runs ping-process, which says "ping" between before_ping() and
 * after_ping(), and pong-process, which says "pong" between before_pong()
 * and after_pong(), each many times.  Make them take turns strictly,
 * ping first, with two semaphores: each process waits on its own and,
 * when its word is said, lets the other one go.  A waiting process must
 * sleep in the kernel, not spin.
 */
#include "pingpong.h"
#include "ipclab.h"

int ping, pong;

/* A private semaphore set of one semaphore, set to value. */
static inline int new_semaphore(int value)
{
	int id = ipclab_sem_get(IPCLAB_KEY_PRIVATE, 1, IPCLAB_CREAT, 0600);

	if (id >= 0 && ipclab_sem_setval(id, 0, value))
		return -1;
	return id;
}

void setup(void)
{
	/* TODO 1: create ping and pong, with the values that let ping begin. */
	/* BEGIN SOLUTION */
	ping = new_semaphore(1);
	pong = new_semaphore(0);
	/* END SOLUTION */
}

void before_ping(void)
{
	/* TODO 2: wait until it is ping's turn. */
	/* BEGIN SOLUTION */
	ipclab_P(ping, 0);
	/* END SOLUTION */
}

void after_ping(void)
{
	/* TODO 3: give the turn to pong. */
	/* BEGIN SOLUTION */
	ipclab_V(pong, 0);
	/* END SOLUTION */
}

void before_pong(void)
{
	/* TODO 4: wait until it is pong's turn. */
	/* BEGIN SOLUTION */
	ipclab_P(pong, 0);
	/* END SOLUTION */
}

void after_pong(void)
{
	/* TODO 5: give the turn back to ping. */
	/* BEGIN SOLUTION */
	ipclab_V(ping, 0);
	/* END SOLUTION */
}

void cleanup(void)
{
	/* TODO 6: remove ping and pong. */
	/* BEGIN SOLUTION */
	ipclab_remove(ping);
	ipclab_remove(pong);
	/* END SOLUTION */
}
