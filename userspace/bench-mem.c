// SPDX-License-Identifier: GPL-2.0
/*
 * ipclab-bench: shared memory.
 *
 * A shared buffer is timed step by step, each step a case of its own so
 * that each has its ratio: creation, mapping, the first touch of every
 * page, a memcpy() into it.  Its peers are SysV shm (shmget, shmat) and
 * a memfd (memfd_create and ftruncate, mmap); ipclab's buffer is made
 * and mapped as libipclab does it (ipclab_shbuf_get(), ipclab_attach():
 * a STAT, an OPEN of an object fd, mmap(), close()).
 */
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <unistd.h>

#include "ipclab.h"
#include "bench.h"

/* ---- the three kinds of shared memory --------------------------------- */

static void lab_shbuf_create(struct obj *o, unsigned int nsems, size_t size)
{
	(void)nsems;
	o->size = size;
	o->id = ipclab_shbuf_get(IPCLAB_KEY_PRIVATE, size, 0, 0600);
	if (o->id < 0)
		die("ipclab shared buffer of %zu bytes", size);
}

static void lab_shbuf_map(struct obj *o)
{
	o->addr = ipclab_attach(o->id, 0, NULL);
	if (!o->addr)
		die("ipclab attach of shared buffer %d", o->id);
}

static void munmap_obj(struct obj *o)
{
	if (munmap(o->addr, o->size))
		die("munmap of %zu bytes at %p", o->size, o->addr);
}

static void sysv_shm_create(struct obj *o, unsigned int nsems, size_t size)
{
	(void)nsems;
	o->size = size;
	o->id = shmget(IPC_PRIVATE, size, 0600);
	if (o->id < 0)
		die("SysV shmget of %zu bytes", size);
}

static void sysv_shm_destroy(struct obj *o)
{
	if (shmctl(o->id, IPC_RMID, NULL))
		die("SysV shmctl IPC_RMID %d", o->id);
}

static void sysv_shm_map(struct obj *o)
{
	o->addr = shmat(o->id, NULL, 0);
	if (o->addr == (void *)-1)
		die("SysV shmat %d", o->id);
}

static void sysv_shm_unmap(struct obj *o)
{
	if (shmdt(o->addr))
		die("SysV shmdt %d at %p", o->id, o->addr);
}

static void memfd_obj_create(struct obj *o, unsigned int nsems, size_t size)
{
	(void)nsems;
	o->size = size;
	o->fd[0][0] = memfd_create(PROG, MFD_CLOEXEC);
	if (o->fd[0][0] < 0)
		die("memfd_create");
	if (ftruncate(o->fd[0][0], size))
		die("ftruncate of memfd %d to %zu bytes", o->fd[0][0], size);
}

static void memfd_obj_destroy(struct obj *o)
{
	if (close(o->fd[0][0]))
		die("close of memfd %d", o->fd[0][0]);
}

static void memfd_map(struct obj *o)
{
	o->addr = mmap(NULL, o->size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       o->fd[0][0], 0);
	if (o->addr == MAP_FAILED)
		die("mmap of memfd %d, %zu bytes", o->fd[0][0], o->size);
}

#define SHM_KIND(n, c, d, m, u) \
	{ .name = n, .create = c, .destroy = d, .map = m, .unmap = u }

const struct kind k_lab_shbuf = SHM_KIND("ipclab shbuf", lab_shbuf_create,
	lab_destroy, lab_shbuf_map, munmap_obj);
const struct kind k_sysv_shm = SHM_KIND("SysV shm", sysv_shm_create,
	sysv_shm_destroy, sysv_shm_map, sysv_shm_unmap);
const struct kind k_memfd = SHM_KIND("memfd", memfd_obj_create,
	memfd_obj_destroy, memfd_map, munmap_obj);

/* ---- the steps of a shared buffer ------------------------------------- */

/* A write to each page: the first touch makes it. */
static void touch_pages(struct obj *o)
{
	size_t page = sysconf(_SC_PAGESIZE), off;
	volatile char *p = o->addr;

	for (off = 0; off < o->size; off += page)
		p[off] = 1;
}

/* Mapping alone, of the buffer the case made; the unmap is untimed. */
double run_shbuf_map(const struct kind *k, struct obj *o, long n, long size,
		     double *fair)
{
	double t = 0, t0;
	long i;

	(void)size, (void)fair;
	for (i = 0; i < n; i++) {
		t0 = now();
		k->map(o);
		t += now() - t0;
		k->unmap(o);
	}
	return t;
}

/* Each time a new buffer: only a buffer's first touch makes its pages. */
double run_shbuf_touch(const struct kind *k, struct obj *o, long n, long size,
		       double *fair)
{
	double t = 0, t0;
	long i;

	(void)fair;
	for (i = 0; i < n; i++) {
		k->create(o, 0, size);
		k->map(o);
		t0 = now();
		touch_pages(o);
		t += now() - t0;
		k->unmap(o);
		k->destroy(o);
	}
	return t;
}

/*
 * memcpy() of the whole buffer, its pages made beforehand, from private
 * memory made once (and kept: the next cases need not pay for it again).
 */
double run_shbuf_memcpy(const struct kind *k, struct obj *o, long n, long size,
			double *fair)
{
	static char *src;
	static size_t src_size;
	double t0;
	long i;

	(void)fair;
	if (src_size < (size_t)size) {
		if (src)
			munmap(src, src_size);
		src = mmap(NULL, size, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (src == MAP_FAILED)
			die("mmap of %ld bytes of private memory", size);
		src_size = size;
		memset(src, 'x', size);
	}
	k->map(o);
	touch_pages(o);
	t0 = now();
	for (i = 0; i < n; i++)
		memcpy(o->addr, src, size);
	t0 = now() - t0;
	k->unmap(o);
	return t0;
}
