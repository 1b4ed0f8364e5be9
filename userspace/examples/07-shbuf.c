// SPDX-License-Identifier: GPL-2.0
/*
 * 07 - The life of a shared memory segment (an ipclab shared buffer).
 *
 *	create   ipclab_shbuf_get(key, size, IPCLAB_CREAT)	 (shmget)
 *	attach   ipclab_attach(id): map it into this process	 (shmat)
 *	write, read  with ordinary memory accesses, no system call
 *	detach   ipclab_detach(): unmap it			 (shmdt)
 *	erase    ipclab_remove(id)				 (shmctl IPC_RMID)
 *
 * The buffer belongs to no process.  It exists from create to erase,
 * whether or not a process has it attached: after the writer has
 * detached and even exited, "Hallo Welt." is still in it, and a later
 * process that finds it by its key reads it.  "ipclab ls" between the
 * steps shows nattch, the number of attachments (mappings) right now.
 *
 * A shared buffer gives processes the same memory, and nothing else: no
 * synchronisation.  Here the reader starts only after the writer has
 * ended, so no lock is needed.
 *
 * usage: ipclab-ex-shbuf [-k KEY]   the key to create it under (4711)
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "example.h"

static int key;

static void ls(void)
{
	ex_shell("ipclab ls -t shbuf");
	printf("\n");
}

/*
 * A later process finds the buffer by its key and attaches it: writable,
 * or (readonly) for reading only.  Returns where it is mapped.
 */
static char *find_and_attach(int readonly, int *id, size_t *size)
{
	char *mem;

	*id = ipclab_shbuf_get(key, 0, 0, readonly ? 0400 : 0600);
	if (*id < 0)
		ex_die("finding the shared buffer with key %d", key);
	mem = ipclab_attach(*id, readonly, size);
	if (!mem)
		ex_die("attaching shared buffer %d", *id);
	return mem;
}

/* Detach what find_and_attach() attached; "who" exits next. */
static void detach(char *mem, int id, size_t size, const char *who, int step)
{
	if (ipclab_detach(mem, size))
		ex_die("detaching shared buffer %d", id);
	printf("%d. %s (pid %d): detached, exits\n", step, who, getpid());
}

static void writer(void)
{
	size_t size;
	char *mem;
	int id;

	mem = find_and_attach(0, &id, &size);
	strcpy(mem, "Hallo Welt.");
	printf("2. writer (pid %d): attached shared buffer %d, wrote \"%s\"\n",
	       getpid(), id, mem);
	ls();
	detach(mem, id, size, "writer", 3);
}

static void reader(void)
{
	size_t size;
	char *mem;
	int id;

	mem = find_and_attach(1, &id, &size);
	printf("4. reader (pid %d): attached shared buffer %d read-only, read \"%s\"\n",
	       getpid(), id, mem);
	ls();
	detach(mem, id, size, "reader", 5);
}

int main(int argc, char **argv)
{
	pid_t pid;
	int id;

	ex_init();
	key = ex_option(argc, argv, 'k', "KEY", 4711);

	id = ipclab_shbuf_get(key, 4096, IPCLAB_CREAT | IPCLAB_EXCL, 0600);
	if (id < 0)
		ex_die("creating a shared buffer with key %d", key);
	printf("1. created shared buffer %d (key %d, 4096 bytes); nobody attached\n",
	       id, key);
	ls();

	pid = ex_fork("shbuf-writer");
	if (pid == 0) {
		writer();
		_exit(0);
	}
	ex_wait(pid);
	printf("   The writer is gone; the buffer and its contents stay:\n");
	ls();

	pid = ex_fork("shbuf-reader");
	if (pid == 0) {
		reader();
		_exit(0);
	}
	ex_wait(pid);

	if (ipclab_remove(id))
		ex_die("removing shared buffer %d", id);
	printf("6. erased shared buffer %d\n", id);
	ls();
	return 0;
}
