// SPDX-License-Identifier: GPL-2.0
/*
 * 15 - Signaling and locking with UNIX signals (no ipclab).
 *
 * Part 1, signaling.  Section X of process A must run before section Y
 * of process B.  A does X, then kill(B, SIGUSR1); B waits for the signal
 * and then does Y.  B blocks SIGUSR1 before anything else, so that a
 * signal that comes early is kept pending instead of lost, and waits
 * with sigsuspend(), which unblocks it and sleeps in one atomic step:
 *
 *	while (!got_signal)		while (!got_signal)
 *		pause();		    sigsuspend(&mask_without_SIGUSR1);
 *
 * On the left the signal can arrive after the test and before pause():
 * the handler sets got_signal, then pause() sleeps, waiting for a signal
 * that has already come: a lost wakeup, B sleeps for good.  On the right
 * the signal, blocked until sigsuspend(), can only be delivered inside
 * it.  B answers with SIGUSR1 the same way, so the rounds alternate: in
 * the odd ones A is slow and B already waits, in the even ones B is slow
 * and the signal waits (pending) for B.  X comes before Y every time.
 *
 * The naive alternative is to guess: B sleep()s for as long as it hopes
 * A needs.  A guess too short runs Y before X; a guess long enough
 * wastes the difference every time, and nothing makes it long enough on
 * a busier machine.
 *
 * Part 2, locking.  A controller lets one of two processes use the
 * printer and holds the other stopped: kill(pid, SIGSTOP), and later
 * kill(pid, SIGCONT).  A stopped process is in state T (/proc/PID/stat)
 * and does nothing at all, so the two never use it at once.  This lock
 * is coarse: the stopped process is frozen whatever it was doing (also
 * work that needs no printer), and the controller must know every
 * process that could use the printer, and decide for them when.
 *
 * usage: ipclab-ex-signals [-r ROUNDS]   rounds of part 1, turns of part 2 (4)
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "example.h"

static volatile sig_atomic_t got_signal;
static sigset_t unblocked;		/* the mask while in sigsuspend() */
static double t0;

static void on_sigusr1(int sig)
{
	(void)sig;
	got_signal = 1;
}

/* Sleep until SIGUSR1 has come (maybe already, pending); consume it. */
static void await_signal(void)
{
	while (!got_signal)
		sigsuspend(&unblocked);
	got_signal = 0;
}

static int pending(void)
{
	sigset_t set;

	sigpending(&set);
	return sigismember(&set, SIGUSR1);
}

static void signaling(int rounds)
{
	pid_t a = getpid(), b;
	int i;

	b = ex_fork("signals-B");
	if (b == 0) {
		for (i = 1; i <= rounds; i++) {
			if (i % 2 == 0)
				usleep(100 * 1000);	/* B is slow this round */
			printf("  round %d: B: waits in sigsuspend(), SIGUSR1 %s\n", i,
			       pending() ? "already pending" : "not yet there");
			await_signal();
			printf("  round %d: B: section Y\n", i);
			kill(a, SIGUSR1);
		}
		_exit(0);
	}
	for (i = 1; i <= rounds; i++) {
		if (i % 2 == 1)
			usleep(100 * 1000);	/* A is slow this round */
		printf("  round %d: A: section X, then kill(B, SIGUSR1)\n", i);
		kill(b, SIGUSR1);
		await_signal();			/* B's answer: Y is done */
	}
	ex_wait(b);
}

/*
 * B guesses how long A needs (A needs 300 ms) instead of being told.
 * Each writes its section's letter into a pipe when it runs it: the
 * pipe tells the order.  Returns 1 if X came first.
 */
static int guessing(int guess_ms)
{
	int order[2];
	char first;
	pid_t a, b;

	if (pipe(order))
		ex_die("creating a pipe");
	t0 = ex_now();
	a = ex_fork("signals-A");
	if (a == 0) {
		usleep(300 * 1000);
		printf("  A: section X at %.3f s\n", ex_now() - t0);
		_exit(write(order[1], "X", 1) != 1);
	}
	b = ex_fork("signals-B");
	if (b == 0) {
		usleep(guess_ms * 1000);
		printf("  B: section Y at %.3f s, after sleeping %d ms\n",
		       ex_now() - t0, guess_ms);
		_exit(write(order[1], "Y", 1) != 1);
	}
	if (read(order[0], &first, 1) != 1)
		ex_die("reading the pipe");
	ex_wait(a);
	ex_wait(b);
	close(order[0]);
	close(order[1]);
	return first == 'X';
}

/* The state letter in /proc/PID/stat: R running, S sleeping, T stopped. */
static char state(pid_t pid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		ex_die("opening %s", path);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = 0;
	p = strrchr(buf, ')');		/* "pid (name) S ...": name may hold blanks */
	return p && p[1] ? p[2] : '?';
}

/* Stop a process and wait until it is stopped: then it does nothing. */
static void stop(pid_t pid)
{
	int status;

	kill(pid, SIGSTOP);
	if (waitpid(pid, &status, WUNTRACED) != pid || !WIFSTOPPED(status))
		ex_die("stopping %d", pid);
}

static void locking(int turns, const char *log)
{
	pid_t pid[2];
	int i, fd, p, other, intruded = 0;
	struct stat st;
	char c;

	fd = open(log, O_CREAT | O_TRUNC | O_RDWR | O_APPEND, 0600);
	if (fd < 0)
		ex_die("creating %s", log);
	for (p = 0; p < 2; p++) {
		pid[p] = ex_fork(p ? "printer-P2" : "printer-P1");
		if (pid[p] == 0) {
			raise(SIGSTOP);		/* wait for the controller's turn */
			for (c = '1' + p;; usleep(1000))
				if (write(fd, &c, 1) != 1)	/* uses the printer */
					_exit(1);
		}
		if (waitpid(pid[p], NULL, WUNTRACED) != pid[p])
			ex_die("waiting for P%d to stop", p + 1);
	}
	printf("  P1 (pid %d) state %c, P2 (pid %d) state %c\n",
	       pid[0], state(pid[0]), pid[1], state(pid[1]));

	for (i = 0; i < turns; i++) {
		int uses[2] = { 0, 0 };
		off_t from;

		p = i % 2;
		other = 1 - p;
		fstat(fd, &st);
		from = st.st_size;
		kill(pid[p], SIGCONT);
		usleep(100 * 1000);
		printf("  turn %d: P%d runs (state %c), P%d stopped (state %c)",
		       i + 1, p + 1, state(pid[p]), other + 1, state(pid[other]));
		stop(pid[p]);
		/* Who used the printer during this turn? */
		while (pread(fd, &c, 1, from++) == 1)
			uses[c - '1']++;
		printf(": P%d used the printer %d times, P%d %d times\n",
		       p + 1, uses[p], other + 1, uses[other]);
		intruded += uses[other];
	}
	printf("  uses by the stopped process: %d: %s\n", intruded,
	       intruded ? "they overlapped" : "the two never overlapped");
	for (p = 0; p < 2; p++) {
		kill(pid[p], SIGKILL);		/* a stopped process dies too */
		waitpid(pid[p], NULL, 0);
	}
	close(fd);
	unlink(log);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_sigusr1 };
	char log[] = "/tmp/ipclab-ex-signals.XXXXXX";
	sigset_t usr1;
	int rounds, fd;

	ex_init();
	rounds = ex_option(argc, argv, 'r', "ROUNDS", 4);

	/* Blocked before B exists: B inherits the mask, nothing is lost. */
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, &unblocked);
	sigdelset(&unblocked, SIGUSR1);
	sigaction(SIGUSR1, &sa, NULL);

	printf("Part 1: X before Y with kill() and sigsuspend(), %d rounds\n", rounds);
	signaling(rounds);

	printf("\nInstead B sleeps and hopes that A (300 ms) is done:\n");
	if (guessing(50))
		printf("  a guess of 50 ms: X before Y, by luck\n");
	else
		printf("  a guess of 50 ms, too short: Y ran before X\n");
	if (guessing(600))
		printf("  a guess of 600 ms: X before Y, but B waited 300 ms longer than needed\n");
	else
		printf("  a guess of 600 ms, too short on this machine: Y ran before X\n");

	printf("\nPart 2: a controller locks with SIGSTOP and SIGCONT, %d turns\n", rounds);
	fd = mkstemp(log);
	if (fd < 0)
		ex_die("creating %s", log);
	close(fd);
	locking(rounds, log);
	return 0;
}
