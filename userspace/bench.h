/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ipclab-bench's parts: the variants (struct kind) and how they are
 * timed, shared by bench.c (the cases, the table, the goals, the JSON),
 * bench-mem.c (shared buffers and kernel memory per object) and
 * bench-scale.c (many objects: the limits they need and the filler).
 */
#ifndef IPCLAB_BENCH_H
#define IPCLAB_BENCH_H

#include <mqueue.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdbool.h>
#include <stddef.h>

#define PROG "ipclab-bench"
#define MAX_SEMS 3
#define MAX_VARIANTS 5
#define SKIP_LEN 200

/* Memory every forked process shares: POSIX objects, counters, the stop flag. */
struct shared {
	sem_t psem[MAX_SEMS];
	pthread_mutex_t mutex;
	volatile int stop;
	long counts[8];
};

/*
 * One object of one variant: the ipclab or SysV id, the eventfds or the
 * pipes standing for semaphores, the POSIX queue; a shared buffer's
 * size (id, or fd[0][0] for a memfd) and where it is mapped.
 */
struct obj {
	int id;
	int fd[MAX_SEMS][2];
	mqd_t mq;
	struct shared *sh;
	size_t size;
	void *addr;
};

/* A variant: how to make its object and use it.  Unused hooks stay NULL. */
struct kind {
	const char *name;
	void (*create)(struct obj *o, unsigned int nsems, size_t param);
	void (*destroy)(struct obj *o);
	void (*p)(struct obj *o, unsigned int num);
	void (*v)(struct obj *o, unsigned int num);
	int (*waiting)(struct obj *o, unsigned int num);
	void (*lock)(struct obj *o);
	void (*unlock)(struct obj *o);
	void (*send)(struct obj *o, const void *buf, size_t size);
	void (*recv)(struct obj *o, void *buf, size_t size);
	void (*map)(struct obj *o);		/* shared memory: sets o->addr */
	void (*unmap)(struct obj *o);
};

/*
 * A case's run: its object (made by the caller, unless the case makes
 * its own), n operations and the case's parameter.  It returns the
 * seconds the timed part took for the n, or, for a case that says
 * "direct", the figure per operation itself.  fair: the mutexes'
 * fairness.
 */
typedef double run_fn(const struct kind *k, struct obj *o, long n, long param,
		      double *fair);

/*
 * A case's preparation, once before its repetitions: skip[v] gets the
 * reason why variant v cannot run (left empty when it can), note a line
 * for the table and the JSON (what the preparation did).
 */
typedef void prepare_fn(const struct kind *const *kinds, long n, long param,
			char skip[][SKIP_LEN], char *note, size_t notelen);

void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
double now(void);

/* bench.c: the variants the other files use. */
extern const struct kind k_lab_sem, k_sysv_sem, k_lab_mbox_default, k_sysv_msg;
void lab_destroy(struct obj *o);
run_fn run_create;

/* bench-mem.c */
extern const struct kind k_lab_shbuf, k_sysv_shm, k_memfd;
run_fn run_shbuf_map, run_shbuf_touch, run_shbuf_memcpy;
run_fn run_kmem_objects, run_kmem_pages;

/* bench-scale.c */
prepare_fn prepare_scale, prepare_kmem;
void bench_cleanup(void);
void bench_cleanup_at_exit(void);

#endif /* IPCLAB_BENCH_H */
