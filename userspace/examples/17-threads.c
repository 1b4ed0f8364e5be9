// SPDX-License-Identifier: GPL-2.0
/*
 * 17 - Threads share memory, processes do not: the spooler race again.
 *
 * The threads of one process share its whole address space: a global
 * variable is one variable for all of them.  Two threads that count
 * with
 *
 *	next = counter;		(1) read
 *	sched_yield();		    the window, as in 01-spooler.c
 *	counter = next + 1;	(2) write back
 *
 * run into the spooler's race condition: both read the same value, and
 * one increment overwrites the other, a lost update.  A pthread_mutex
 * around (1)..(2) makes it a critical section, and none is lost.
 *
 * Processes are different.  After fork() the child has a copy of the
 * parent's memory, not the same memory: what the child counts in its
 * copy of the global variable the parent never sees.  Without shared
 * memory there is nothing to race for (and no way to share the count).
 * Processes share memory only when they ask for it, as a shared buffer
 * (07-shbuf.c): a counter in an ipclab shared buffer is one counter for
 * both, and brings the same race, and the same cure: a lock, here an
 * ipclab mutex, as the process counterpart of the pthread_mutex.
 *
 * usage: ipclab-ex-threads [-n INCREMENTS]   each thread or process does (2000)
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <unistd.h>

#include "example.h"

static int increments, mutex;
static long counter;			/* a global: one per process */
static pthread_mutex_t counter_lock = PTHREAD_MUTEX_INITIALIZER;

/* The locks around the critical section: none, pthread's, ipclab's. */
struct lock {
	const char *name;
	void (*lock)(void), (*unlock)(void);
};

static void thread_lock(void)
{
	pthread_mutex_lock(&counter_lock);
}

static void thread_unlock(void)
{
	pthread_mutex_unlock(&counter_lock);
}

static void process_lock(void)
{
	if (ipclab_lock(mutex))
		ex_die("locking mutex %d", mutex);
}

static void process_unlock(void)
{
	if (ipclab_unlock(mutex))
		ex_die("unlocking mutex %d", mutex);
}

static const struct lock no_lock = { "without a lock:", NULL, NULL };
static const struct lock pthread_mutex = {
	"with a pthread_mutex:", thread_lock, thread_unlock };
static const struct lock ipclab_mutex = {
	"with an ipclab mutex:", process_lock, process_unlock };
static const struct lock *use;

/* The spooler's (1) and (2) on *c, with the window between. */
static void count(long *c)
{
	long next;
	int i;

	for (i = 0; i < increments; i++) {
		if (use->lock)
			use->lock();
		next = *c;				/* (1) */
		sched_yield();
		*c = next + 1;				/* (2) */
		if (use->unlock)
			use->unlock();
	}
}

static pthread_barrier_t start;		/* both threads start together */

static void *thread(void *arg)
{
	(void)arg;
	pthread_barrier_wait(&start);
	count(&counter);
	return NULL;
}

static void threads(const struct lock *lock)
{
	pthread_t t[2];
	int i;

	counter = 0;
	use = lock;
	if ((errno = pthread_barrier_init(&start, NULL, 2)))
		ex_die("making a barrier");
	for (i = 0; i < 2; i++)
		if ((errno = pthread_create(&t[i], NULL, thread, NULL)))
			ex_die("creating thread %d", i + 1);
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&start);
	printf("  2 threads, %-24s counter = %ld of %d: %ld lost\n",
	       use->name, counter, 2 * increments, 2L * increments - counter);
}

/* The child counts on the global; what does the parent see? */
static void private_global(void)
{
	pid_t child;

	counter = 0;
	use = &no_lock;
	child = ex_fork("threads-child");
	if (child == 0) {
		count(&counter);
		printf("  child: counted to %ld in its copy of the global\n", counter);
		_exit(0);
	}
	ex_wait(child);
	printf("  parent: sees counter = %ld, %ld of the child's %d increments\n",
	       counter, counter, increments);
}

/* Two processes count in a shared buffer. */
static void shared_buffer(long *shared, const struct lock *lock)
{
	pid_t pid[2];
	int i;

	int go[2];
	char c;

	*shared = 0;
	use = lock;
	/* Both start together, as the spooler's do: one may not be done first. */
	if (pipe(go))
		ex_die("pipe");
	for (i = 0; i < 2; i++) {
		pid[i] = ex_fork(i ? "threads-proc-2" : "threads-proc-1");
		if (pid[i] == 0) {
			close(go[1]);
			if (read(go[0], &c, 1) != 1)
				ex_die("waiting for the start");
			count(shared);
			_exit(0);
		}
	}
	close(go[0]);
	if (write(go[1], "gg", 2) != 2)
		ex_die("starting the processes");
	close(go[1]);
	for (i = 0; i < 2; i++)
		ex_wait(pid[i]);
	printf("  2 processes, %-22s counter = %ld of %d: %ld lost\n",
	       use->name, *shared, 2 * increments, 2L * increments - *shared);
}

int main(int argc, char **argv)
{
	size_t size;
	int shbuf;
	long *shared;

	ex_init();
	increments = ex_option(argc, argv, 'n', "INCREMENTS", 2000);

	printf("Threads of one process, a global counter, %d increments each:\n",
	       increments);
	threads(&no_lock);
	threads(&pthread_mutex);

	printf("\nProcesses after fork(), a global counter (not shared):\n");
	private_global();

	shbuf = ipclab_shbuf_get(IPCLAB_KEY_PRIVATE, sizeof(*shared), IPCLAB_CREAT, 0600);
	if (shbuf < 0)
		ex_die("creating a shared buffer");
	shared = ipclab_attach(shbuf, 0, &size);
	if (!shared)
		ex_die("attaching shared buffer %d", shbuf);
	mutex = ipclab_mutex_get(IPCLAB_KEY_PRIVATE, IPCLAB_CREAT, 0600);
	if (mutex < 0)
		ex_die("creating a mutex");

	printf("\nProcesses after fork(), the counter in shared buffer %d:\n", shbuf);
	shared_buffer(shared, &no_lock);
	shared_buffer(shared, &ipclab_mutex);

	if (ipclab_remove(mutex))
		ex_die("removing mutex %d", mutex);
	if (ipclab_detach(shared, size) || ipclab_remove(shbuf))
		ex_die("removing shared buffer %d", shbuf);
	return 0;
}
