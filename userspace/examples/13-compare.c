// SPDX-License-Identifier: GPL-2.0
/*
 * 13 - Four ways to communicate, compared.
 *
 * The same exchange four times: a sender passes the same data in chunks
 * of 4 KiB to a receiver, which checks every byte.
 *
 *  shared buffer  both processes map the same memory; the sender writes
 *                 a chunk straight into a ring of 8 slots, the receiver
 *                 reads it there.  No copying through the kernel, but no
 *                 synchronisation either: two semaphores (empty, filled:
 *                 producer/consumer, 09) tell who may touch which slot.
 *  mailbox        each chunk is a message, copied in by send and out by
 *                 receive; receive waits for a message, send for room.
 *  pipe           a byte stream through the kernel, with a buffer that
 *                 makes write wait when full and read when empty.  An
 *                 anonymous pipe has no name: only processes that inherit
 *                 it from a common ancestor can use it.
 *  UNIX socket    a byte stream like a pipe, but both ways, and found by
 *                 its address (here an abstract one), so any process can
 *                 connect.
 *
 * Then it prints the course's comparison table, row for row (memory- or
 * message-based, bidirectional, platform-independent, across computers,
 * related processes only, outlives its processes, synchronises itself),
 * with the throughput measured below it.  The table's properties are those of the four
 * ways in general; the throughput is this machine's, and in an emulated
 * VM only comparable with each other.
 *
 * usage: ipclab-ex-compare [-m MEBIBYTES]   data per way (default 8)
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "example.h"

#define CHUNK	4096
#define RING	8			/* slots of the shared buffer */
enum { EMPTY, FILLED };			/* its semaphores */

static int chunks;			/* 256 a MiB */

/* Chunk i is CHUNK bytes of the value i % 256. */
static void make_chunk(char *buf, int i)
{
	memset(buf, i & 0xff, CHUNK);
}

static bool chunk_ok(const char *buf, int i)
{
	char want[CHUNK];

	make_chunk(want, i);
	return !memcmp(buf, want, CHUNK);
}

/* ---- 1. shared buffer ---------------------------------------------- */

static int ring_id, ring_sem;
static char (*ring)[CHUNK];

static void shbuf_send(void)
{
	int i;

	for (i = 0; i < chunks; i++) {
		P(ring_sem, EMPTY);
		make_chunk(ring[i % RING], i);
		V(ring_sem, FILLED);
	}
}

static int shbuf_receive(void)
{
	int i, bad = 0;

	for (i = 0; i < chunks; i++) {
		P(ring_sem, FILLED);
		bad += !chunk_ok(ring[i % RING], i);
		V(ring_sem, EMPTY);
	}
	return bad;
}

/* ---- 2. mailbox ----------------------------------------------------- */

static int mbox;

static void mbox_send(void)
{
	char buf[CHUNK];
	int i;

	for (i = 0; i < chunks; i++) {
		make_chunk(buf, i);
		if (ipclab_send(mbox, 1, buf, CHUNK, 0))
			ex_die("sending to mailbox %d", mbox);
	}
}

static int mbox_receive(void)
{
	char buf[CHUNK];
	int i, bad = 0;
	long type;

	for (i = 0; i < chunks; i++) {
		type = 0;
		if (ipclab_receive(mbox, &type, buf, CHUNK, 0) != CHUNK)
			ex_die("receiving from mailbox %d", mbox);
		bad += !chunk_ok(buf, i);
	}
	return bad;
}

/* ---- 3. pipe and 4. UNIX socket: byte streams ----------------------- */

static int pipefd[2], listener;
static struct sockaddr_un address = { .sun_family = AF_UNIX };

/* A stream may take or give less than asked: loop. */
static void write_all(int fd, const char *buf, size_t n)
{
	ssize_t done;

	for (; n; buf += done, n -= done) {
		done = write(fd, buf, n);
		if (done <= 0)
			ex_die("writing to fd %d", fd);
	}
}

static void read_all(int fd, char *buf, size_t n)
{
	ssize_t done;

	for (; n; buf += done, n -= done) {
		done = read(fd, buf, n);
		if (done <= 0)
			ex_die("reading from fd %d", fd);
	}
}

static void stream_send(int fd)
{
	char buf[CHUNK];
	int i;

	for (i = 0; i < chunks; i++) {
		make_chunk(buf, i);
		write_all(fd, buf, CHUNK);
	}
}

static int stream_receive(int fd)
{
	char buf[CHUNK];
	int i, bad = 0;

	for (i = 0; i < chunks; i++) {
		read_all(fd, buf, CHUNK);
		bad += !chunk_ok(buf, i);
	}
	return bad;
}

static void pipe_send(void)
{
	stream_send(pipefd[1]);
}

static int pipe_receive(void)
{
	return stream_receive(pipefd[0]);
}

/* The sender finds the receiver by the socket's address, not by kinship. */
static void socket_send(void)
{
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	if (fd < 0 || connect(fd, (struct sockaddr *)&address, sizeof(address)))
		ex_die("connecting to the UNIX socket");
	stream_send(fd);
	close(fd);
}

static int socket_receive(void)
{
	int fd = accept(listener, NULL, NULL);

	if (fd < 0)
		ex_die("accepting on the UNIX socket");
	return stream_receive(fd);
}

/* ---- the measurement ------------------------------------------------ */

/* Run one exchange; how long it took. */
static double exchange(void (*send)(void), int (*receive)(void))
{
	double t0 = ex_now();
	pid_t sender, receiver;

	receiver = ex_fork("receiver");
	if (receiver == 0)
		_exit(receive() ? 1 : 0);	/* 1: bad data */
	sender = ex_fork("sender");
	if (sender == 0) {
		send();
		_exit(0);
	}
	ex_wait(sender);
	ex_wait(receiver);
	return ex_now() - t0;
}

/*
 * Its throughput in MB/s.  A first, shorter exchange is not counted: a
 * freshly booted machine, an emulated one above all, runs code and
 * touches memory slowly the first time.
 */
/* One row of the course's table. */
static void row(const char *what, const char *shm, const char *msg,
		const char *pipe, const char *sock)
{
	printf("%-24s %-15s %-15s %-15s %s\n", what, shm, msg, pipe, sock);
}

static double measure(void (*send)(void), int (*receive)(void))
{
	int all = chunks;

	chunks = all < 256 ? all : 256;		/* 1 MiB to warm up */
	exchange(send, receive);
	chunks = all;
	return (double)chunks * CHUNK / 1e6 / exchange(send, receive);
}

int main(int argc, char **argv)
{
	double mbs[4];
	size_t size;

	ex_init();
	chunks = ex_option(argc, argv, 'm', "MEBIBYTES", 8) * 256;
	printf("Passing %d MiB in chunks of %d bytes, four ways\n\n", chunks / 256, CHUNK);

	ring_id = ipclab_shbuf_get(IPCLAB_KEY_PRIVATE, RING * CHUNK, IPCLAB_CREAT, 0600);
	if (ring_id < 0)
		ex_die("creating a shared buffer");
	ring = ipclab_attach(ring_id, 0, &size);
	if (!ring)
		ex_die("attaching shared buffer %d", ring_id);
	ring_sem = ipclab_sem_get(IPCLAB_KEY_PRIVATE, 2, IPCLAB_CREAT, 0600);
	if (ring_sem < 0 || ipclab_sem_setval(ring_sem, EMPTY, RING))
		ex_die("creating a semaphore set");
	mbs[0] = measure(shbuf_send, shbuf_receive);
	if (ipclab_detach(ring, size) || ipclab_remove(ring_id) || ipclab_remove(ring_sem))
		ex_die("removing shared buffer %d and semaphore set %d", ring_id, ring_sem);

	mbox = ipclab_mbox_get(IPCLAB_KEY_PRIVATE, 0, CHUNK, IPCLAB_CREAT, 0600);
	if (mbox < 0)
		ex_die("creating a mailbox");
	mbs[1] = measure(mbox_send, mbox_receive);
	if (ipclab_remove(mbox))
		ex_die("removing mailbox %d", mbox);

	if (pipe(pipefd))
		ex_die("creating a pipe");
	mbs[2] = measure(pipe_send, pipe_receive);
	close(pipefd[0]);
	close(pipefd[1]);

	/* An abstract address (leading 0 byte): no file to clean up. */
	snprintf(address.sun_path + 1, sizeof(address.sun_path) - 1,
		 "ipclab-ex-compare-%d", getpid());
	listener = socket(AF_UNIX, SOCK_STREAM, 0);
	if (listener < 0 || bind(listener, (struct sockaddr *)&address, sizeof(address)) ||
	    listen(listener, 1))
		ex_die("creating a UNIX socket");
	mbs[3] = measure(socket_send, socket_receive);
	close(listener);

	/* The course's table, row for row; ipclab's objects stand for the first two. */
	printf("%-24s %-15s %-15s %-15s %s\n", "", "shared memory", "message queue",
	       "pipe", "socket");
	printf("%-24s %-15s %-15s %-15s %s\n", "", "(shared buffer)", "(mailbox)",
	       "(anonymous)", "(here UNIX)");
	row("based on", "memory", "messages", "messages", "messages");
	row("bidirectional", "yes", "no", "no", "yes");
	row("platform-independent", "no", "no", "no", "yes");
	row("across computers", "no", "no", "no", "yes");
	row("related processes only", "no", "no", "yes", "no");
	row("outlives its processes", "yes", "yes", "no", "no");
	row("synchronises itself", "no", "yes", "yes", "yes");
	printf("%-24s %9.1f MB/s %9.1f MB/s %9.1f MB/s %9.1f MB/s\n", "throughput measured",
	       mbs[0], mbs[1], mbs[2], mbs[3]);
	printf("\nbased on: processes share memory, or pass messages (a pipe or stream\n"
	       "socket passes bytes).  bidirectional: one object carries data both ways\n"
	       "(a message queue is read by whoever asks: two queues, or types, make a\n"
	       "dialogue).  platform-independent, across computers: sockets speak\n"
	       "protocols (TCP, UDP) that any system and any network carry.  related\n"
	       "only: an anonymous pipe is inherited, it has no name.  outlives: it and\n"
	       "the data in it stay until removed.  synchronises: a reader waits for\n"
	       "data and a writer for room without help; shared memory needs semaphores.\n"
	       "Every byte arrived intact in all four.\n");
	return 0;
}
