// SPDX-License-Identifier: GPL-2.0
/*
 * ipclab-bench: shared memory, and the kernel memory each object costs.
 *
 * A shared buffer is timed step by step, each step a case of its own so
 * that each has its ratio: creation, mapping, the first touch of every
 * page, a memcpy() into it.  Its peers are SysV shm (shmget, shmat) and
 * a memfd (memfd_create and ftruncate, mmap); ipclab's buffer is made
 * and mapped as libipclab does it (ipclab_shbuf_get(), ipclab_attach():
 * a STAT, an OPEN of an object fd, mmap(), close()).
 *
 * Kernel memory is read in /proc/meminfo: what Slab, VmallocUsed,
 * PageTables and Shmem grow by while N objects (or the pages of one
 * buffer, touched) exist, over N, each reading after vm.stat_refresh
 * has folded the per-CPU counts in.  Before the first reading, the frees
 * of the last repetition get time to pass their RCU grace period and,
 * as root, every slab cache is shrunk (/sys/kernel/slab/<cache>/shrink),
 * so that the new objects find no empty slabs left over to hide in.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
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

/* ---- kernel memory ---------------------------------------------------- */

/*
 * Slab + VmallocUsed + PageTables + Shmem of /proc/meminfo, in bytes,
 * once the per-CPU differences of the counters are folded into them
 * (vm.stat_refresh, root only): otherwise each CPU may hold back a few
 * dozen pages' worth of what the objects took.
 */
static long long kernel_bytes(void)
{
	static const char *const fields[] = {
		"Slab:", "VmallocUsed:", "PageTables:", "Shmem:",
	};
	long long sum = 0, kb;
	char name[64];
	unsigned int i;
	int found = 0, fd;
	FILE *f;

	fd = open("/proc/sys/vm/stat_refresh", O_WRONLY);
	if (fd >= 0) {
		/* EINVAL: some counter went negative; it folded them all. */
		if (write(fd, "1", 1) != 1 && errno != EINVAL)
			die("write to /proc/sys/vm/stat_refresh");
		close(fd);
	}
	f = fopen("/proc/meminfo", "r");
	if (!f)
		die("open /proc/meminfo");
	while (fscanf(f, "%63s %lld%*[^\n]", name, &kb) == 2) {
		for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
			if (!strcmp(name, fields[i])) {
				sum += kb * 1024;
				found++;
			}
		}
	}
	fclose(f);
	if (found != sizeof(fields) / sizeof(fields[0])) {
		errno = ENOENT;
		die("/proc/meminfo: %d of Slab, VmallocUsed, PageTables, Shmem found",
		    found);
	}
	return sum;
}

/*
 * Let the last repetition's frees pass their grace period, then, as
 * root, shrink every slab cache.  Without /sys/kernel/slab, or not as
 * root, the figures are only noisier.
 */
static void settle(void)
{
	DIR *d;
	struct dirent *e;
	char path[512];
	int fd;

	usleep(200000);
	d = opendir("/sys/kernel/slab");
	if (!d)
		return;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/slab/%s/shrink", e->d_name);
		fd = open(path, O_WRONLY);
		if (fd < 0)
			continue;
		if (write(fd, "1", 1) != 1) {
			/* An alias of a cache already shrunk, or gone. */
		}
		close(fd);
	}
	closedir(d);
}

/* n objects of the kind, each made alone (semaphore sets of one). */
double run_kmem_objects(const struct kind *k, struct obj *o, long n,
			long param, double *fair)
{
	struct obj *objs = calloc(n, sizeof(*objs));
	long long before, after;
	long i;

	(void)param, (void)fair;
	if (!objs)
		die("calloc of %ld objects", n);
	for (i = 0; i < n; i++)
		objs[i] = *o;
	settle();
	before = kernel_bytes();
	for (i = 0; i < n; i++)
		k->create(&objs[i], 1, 0);
	after = kernel_bytes();
	for (i = 0; i < n; i++)
		k->destroy(&objs[i]);
	free(objs);
	return (double)(after - before) / n;
}

/* One buffer of n pages, mapped and touched: what each page costs. */
double run_kmem_pages(const struct kind *k, struct obj *o, long n, long param,
		      double *fair)
{
	long long before, after;

	(void)param, (void)fair;
	settle();
	before = kernel_bytes();
	k->create(o, 0, n * sysconf(_SC_PAGESIZE));
	k->map(o);
	touch_pages(o);
	after = kernel_bytes();
	k->unmap(o);
	k->destroy(o);
	return (double)(after - before) / n;
}
