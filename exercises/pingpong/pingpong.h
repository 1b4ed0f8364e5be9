/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PingPong: the interface between main.c (given) and pingpong.c (yours).
 *
 * Two processes take turns: ping-process says "ping", pong-process
 * "pong", strictly one after the other, ping first.  Each round of a
 * process is
 *	before_ping(); say "ping"; after_ping();	(ping-process)
 *	before_pong(); say "pong"; after_pong();	(pong-process)
 */
#ifndef PINGPONG_H
#define PINGPONG_H

/*
 * The two semaphores, each an ipclab semaphore set of one semaphore
 * (number 0), created by setup():
 *	ping	1 when it is ping's turn (1 at the start: ping begins)
 *	pong	1 when it is pong's turn (0 at the start)
 */
extern int ping, pong;

void setup(void);
void before_ping(void);		/* ping-process: wait for its turn */
void after_ping(void);		/* ping-process: pass the turn on */
void before_pong(void);		/* pong-process: wait for its turn */
void after_pong(void);		/* pong-process: pass the turn on */
void cleanup(void);

#endif
