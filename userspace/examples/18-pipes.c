// SPDX-License-Identifier: GPL-2.0
/*
 * 18 - Pipes: anonymous and named.
 *
 * An anonymous pipe is a one-way channel through the kernel.  pipe(fd)
 * gives two file descriptors: fd[0], the read end, and fd[1], the write
 * end.  As on the course's slide:
 *
 *	pipe(fd);
 *	if (fork() == 0) {			the child reads
 *		close(fd[1]);
 *		n = read(fd[0], buf, sizeof(buf));
 *	} else {				the parent writes
 *		close(fd[0]);
 *		write(fd[1], "Hallo Welt.", 11);
 *		close(fd[1]);
 *	}
 *
 * Each closes the end it does not use: read() returns 0 (end of file)
 * only when no write end is open any more.  Data flows one way: writing
 * on the read end is EBADF; an answer needs a second pipe.  The pipe has
 * no name, so only related processes can use it: the child has fd[0]
 * because fork() copied the parent's descriptors.
 *
 * A pipe synchronises itself.  read() on an empty pipe blocks until
 * there is data; write() on a full pipe blocks until a reader makes room.
 * How much fits (the capacity) shows a write end with O_NONBLOCK: it
 * takes bytes until the pipe is full, then fails with EAGAIN.
 *
 * A named pipe (FIFO) is a pipe with a name in the file system: mkfifo()
 * creates it, and unrelated processes that know the name can open() it,
 * one end each.  Here the writer is a new program (this one, started
 * again with exec): it inherits no pipe, only the name.  open() of one
 * end blocks until the other end is open too.  unlink() removes the name.
 *
 * usage: ipclab-ex-pipes
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "example.h"

#define DELAY	300000			/* µs the other side waits first */

/* Read until end of file, printing what each read() returns. */
static void read_all(const char *who, int fd)
{
	char buf[256];
	double t0 = ex_now();
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		printf("%s: read() = %zd bytes after %.2f s: \"%.*s\"\n", who, n,
		       ex_now() - t0, (int)n, buf);
		t0 = ex_now();
	}
	if (n < 0)
		ex_die("%s: reading fd %d", who, fd);
	printf("%s: read() = 0: end of file, the writer has closed its end\n", who);
}

/* 1. The slide: the parent writes, the child reads. */
static void anonymous_pipe(void)
{
	char link[32], name[64] = "";
	int fd[2];
	pid_t child;

	if (pipe(fd))
		ex_die("pipe");
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd[0]);
	if (readlink(link, name, sizeof(name) - 1) < 0)
		ex_die("readlink %s", link);
	printf("pipe(fd): fd[0] = %d (read end), fd[1] = %d (write end), called %s:\n"
	       "no name in the file system, only related processes can use it\n",
	       fd[0], fd[1], name);

	child = ex_fork("child");
	if (child == 0) {
		close(fd[1]);
		printf("child: has fd[0] and fd[1] from fork(); close(fd[1]);\n"
		       "child: read(fd[0]) on the empty pipe blocks ...\n");
		read_all("child", fd[0]);
		close(fd[0]);
		_exit(0);
	}
	close(fd[0]);
	usleep(DELAY);
	printf("parent: close(fd[0]); write(fd[1], \"Hallo Welt.\")\n");
	if (write(fd[1], "Hallo Welt.", 11) != 11)
		ex_die("parent: writing to the pipe");
	printf("parent: close(fd[1])\n");
	close(fd[1]);
	ex_wait(child);
}

/* 2. One way only, and how much a pipe holds before write() blocks. */
static void full_pipe(void)
{
	char chunk[4096] = { 0 };
	long total = 0;
	double t0;
	int fd[2];
	pid_t reader;

	if (pipe(fd))
		ex_die("pipe");
	if (write(fd[0], "x", 1) < 0 && errno == EBADF)
		printf("\nwrite(fd[0]) on the read end: EBADF: a pipe is one way\n");

	if (fcntl(fd[1], F_SETFL, O_NONBLOCK))
		ex_die("setting O_NONBLOCK");
	while (write(fd[1], chunk, 1024) == 1024)
		total += 1024;
	if (errno != EAGAIN)
		ex_die("filling the pipe");
	printf("write(fd[1]) of 1024 bytes at a time with O_NONBLOCK: EAGAIN after %ld bytes,\n"
	       "the pipe's capacity (fcntl(F_GETPIPE_SZ): %d)\n",
	       total, fcntl(fd[1], F_GETPIPE_SZ));

	if (fcntl(fd[1], F_SETFL, 0))
		ex_die("clearing O_NONBLOCK");
	reader = ex_fork("reader");
	if (reader == 0) {
		usleep(DELAY);
		if (read(fd[0], chunk, sizeof(chunk)) != sizeof(chunk))
			ex_die("reader: reading a page");
		_exit(0);
	}
	printf("write(fd[1]) of 1 more byte, without O_NONBLOCK, blocks ...\n");
	t0 = ex_now();
	if (write(fd[1], "x", 1) != 1)
		ex_die("writing to the full pipe");
	printf("... write() returned after %.2f s, when a reader had taken %zu bytes\n",
	       ex_now() - t0, sizeof(chunk));
	ex_wait(reader);
	close(fd[0]);
	close(fd[1]);
}

/* 3b. The other program: it knows the FIFO by its name only. */
static int fifo_writer(const char *path)
{
	int fd;

	ex_init();
	printf("writer: a new program (pid %d), it knows only the name\n", getpid());
	usleep(DELAY);
	printf("writer: open(\"%s\", O_WRONLY)\n", path);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		ex_die("writer: opening %s", path);
	printf("writer: write(\"Hallo FIFO.\"); close()\n");
	if (write(fd, "Hallo FIFO.", 11) != 11)
		ex_die("writer: writing to %s", path);
	close(fd);
	return 0;
}

/* 3a. mkfifo(), the writer started anew, the reader opens by name. */
static void named_pipe(const char *argv0)
{
	char dir[] = "/tmp/ipclab-ex-pipes-XXXXXX", path[64];
	double t0;
	pid_t writer;
	int fd;

	if (!mkdtemp(dir))
		ex_die("creating a directory in /tmp");
	snprintf(path, sizeof(path), "%s/fifo", dir);
	if (mkfifo(path, 0600))
		ex_die("mkfifo %s", path);
	printf("\nmkfifo(\"%s\"): a pipe with a name (type p)\n", path);
	ex_shell("ls -l %s", path);

	writer = ex_fork("writer");
	if (writer == 0) {
		execl("/proc/self/exe", argv0, "--fifo-writer", path, (char *)NULL);
		ex_die("exec of %s", argv0);
	}
	printf("reader: open(\"%s\", O_RDONLY) blocks ...\n", path);
	t0 = ex_now();
	fd = open(path, O_RDONLY);
	if (fd < 0)
		ex_die("reader: opening %s", path);
	printf("reader: ... open() returned after %.2f s, when the writer opened the other end\n",
	       ex_now() - t0);
	read_all("reader", fd);
	close(fd);
	ex_wait(writer);

	if (unlink(path) || rmdir(dir))
		ex_die("removing %s", path);
	printf("unlink(\"%s\"): the name is gone\n", path);
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--fifo-writer"))
		return fifo_writer(argv[2]);
	ex_init();
	if (argc != 1) {
		fprintf(stderr, "usage: %s\n", argv[0]);
		return 2;
	}
	anonymous_pipe();
	full_pipe();
	named_pipe(argv[0]);
	return 0;
}
