// SPDX-License-Identifier: GPL-2.0
/*
 * 16 - Locking with a lock file (no ipclab).
 *
 * The oldest lock of UNIX needs nothing but the file system:
 *
 *	lock:	while (open(path, O_CREAT | O_EXCL | O_WRONLY, 0644) < 0
 *		       && errno == EEXIST)
 *			usleep(1000);		try again a little later
 *	unlock:	unlink(path);
 *
 * O_CREAT | O_EXCL creates the file only if it does not exist yet, in
 * one atomic step: of all processes that try at once, exactly one
 * succeeds and owns the lock; the others get EEXIST.  They have no way
 * to sleep until the owner unlinks the file, so they retry after a short
 * sleep: nearly busy waiting, each retry a system call and a wakeup.
 *
 * Several processes each enter a critical section a few times.  On the
 * way in and out each appends a line to a log ("A+" and "A-"); after
 * they are done the log tells how many were inside at once: 1 with the
 * lock file, and, with --no-lock, more.
 *
 * The stale lock file: the lock is a file, not a process, and the file
 * stays when its owner dies without unlinking it.  With --crash the
 * first owner is killed (SIGKILL) while it holds the lock; the others
 * retry until their timeout and never get in.  Somebody has to find out
 * that the pid written in the lock file is dead and remove the file by
 * hand (what tools such as lockfile(1) try to do with a lock's age).
 *
 * usage: ipclab-ex-lockfile [-p PROCESSES] [-n ENTRIES] [-t MILLISECONDS]
 *                           [--no-lock | --crash]
 *   -p  processes, 2..26 (3), named A, B, ...   -n  entries each (5)
 *   -t  how long a process retries before it gives up (2000)
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "example.h"

static char dir[] = "/tmp/ipclab-ex-lockfile.XXXXXX";
static char lockpath[64], logpath[64];
static int processes = 3, entries = 5, timeout_ms = 2000, use_lock = 1;

static void log_line(int log, char who, char what)
{
	char line[3] = { who, what, '\n' };

	if (write(log, line, 3) != 3)	/* O_APPEND: the lines stay whole */
		ex_die("writing %s", logpath);
}

/* Take the lock file; count the retries.  0, or -1 after the timeout. */
static int lock(long *retries)
{
	double deadline = ex_now() + timeout_ms / 1000.0;
	char pid[16];
	int fd;

	while ((fd = open(lockpath, O_CREAT | O_EXCL | O_WRONLY, 0644)) < 0) {
		if (errno != EEXIST)
			ex_die("creating %s", lockpath);
		if (ex_now() > deadline)
			return -1;
		(*retries)++;
		usleep(1000);
	}
	/* Who owns it, for whoever finds it stale. */
	snprintf(pid, sizeof(pid), "%d\n", getpid());
	if (write(fd, pid, strlen(pid)) < 0)
		ex_die("writing %s", lockpath);
	close(fd);
	return 0;
}

static void unlock(void)
{
	if (unlink(lockpath))
		ex_die("removing %s", lockpath);
}

/* Process who, once the start pipe is closed: all start together. */
static void worker(char who, int log, int start[2])
{
	long retries = 0;
	double t0;
	char c;
	int i;

	close(start[1]);
	if (read(start[0], &c, 1) != 0)
		ex_die("waiting at the start");
	t0 = ex_now();

	for (i = 0; i < entries; i++) {
		if (use_lock && lock(&retries)) {
			printf("  %c: gave up after %.2f s and %ld retries: %s is still there\n",
			       who, ex_now() - t0, retries, lockpath);
			_exit(0);
		}
		log_line(log, who, '+');
		usleep(5000);			/* the critical section */
		log_line(log, who, '-');
		if (use_lock)
			unlock();
		usleep(2000);			/* outside */
	}
	printf("  %c: entered %d times, %ld retries\n", who, entries, retries);
}

/* The crash: A takes the lock and is killed holding it. */
static void crash(void)
{
	long retries = 0;
	int held[2];
	char c;
	pid_t a;

	if (pipe(held))
		ex_die("creating a pipe");
	a = ex_fork("lockfile-A");
	if (a == 0) {
		lock(&retries);
		printf("  A (pid %d): holds the lock\n", getpid());
		if (write(held[1], "!", 1) != 1)	/* tell the parent */
			_exit(1);
		pause();
		_exit(0);
	}
	if (read(held[0], &c, 1) != 1)
		ex_die("waiting for A to hold the lock");
	kill(a, SIGKILL);
	waitpid(a, NULL, 0);
	close(held[0]);
	close(held[1]);
	printf("  A was killed with SIGKILL while holding the lock\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "no-lock", no_argument, NULL, 'N' },
		{ "crash", no_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	int c, p, log, start[2], crashed = 0, inside = 0, most = 0, overlaps = 0;
	pid_t pids[26];
	char line[8], name[16];
	FILE *f;

	ex_init();
	while ((c = getopt_long(argc, argv, "p:n:t:", longopts, NULL)) != -1) {
		if (c == 'p')
			processes = ex_number(optarg, 2);
		else if (c == 'n')
			entries = ex_number(optarg, 1);
		else if (c == 't')
			timeout_ms = ex_number(optarg, 1);
		else if (c == 'N')
			use_lock = 0;
		else if (c == 'c')
			crashed = 1;
		else {
			fprintf(stderr, "usage: %s [-p PROCESSES] [-n ENTRIES] [-t MILLISECONDS]"
				" [--no-lock | --crash]\n", argv[0]);
			return 2;
		}
	}
	if (processes > 26)
		processes = 26;
	if (!mkdtemp(dir))
		ex_die("creating %s", dir);
	snprintf(lockpath, sizeof(lockpath), "%s/lock", dir);
	snprintf(logpath, sizeof(logpath), "%s/log", dir);
	log = open(logpath, O_CREAT | O_WRONLY | O_APPEND, 0600);
	if (log < 0)
		ex_die("creating %s", logpath);

	printf("%d processes enter a critical section %d times each, %s\n",
	       processes, entries, use_lock ? "locked by the lock file" : "without a lock");
	if (crashed)
		crash();
	if (pipe(start))
		ex_die("creating a pipe");
	for (p = crashed; p < processes; p++) {
		snprintf(name, sizeof(name), "lockfile-%c", 'A' + p);
		pids[p] = ex_fork(name);
		if (pids[p] == 0) {
			worker('A' + p, log, start);
			_exit(0);
		}
	}
	close(start[1]);		/* the start: every read() sees the end */
	for (p = crashed; p < processes; p++)
		ex_wait(pids[p]);

	/* The log: how many were inside at once? */
	f = fopen(logpath, "r");
	if (!f)
		ex_die("reading %s", logpath);
	while (fgets(line, sizeof(line), f)) {
		inside += line[1] == '+' ? 1 : -1;
		if (line[1] == '+' && inside > 1)
			overlaps++;
		if (inside > most)
			most = inside;
	}
	fclose(f);
	printf("The log: at most %d inside at once, %d entries while another was inside\n",
	       most, overlaps);

	if (crashed && !access(lockpath, F_OK)) {
		f = fopen(lockpath, "r");
		if (f && fgets(line, sizeof(line), f) && kill(atoi(line), 0) && errno == ESRCH)
			printf("%s is stale: its owner, pid %d, is dead; removed by hand\n",
			       lockpath, atoi(line));
		if (f)
			fclose(f);
		unlink(lockpath);
	}
	unlink(logpath);
	rmdir(dir);
	return 0;
}
