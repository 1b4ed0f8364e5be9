/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dlmodel - the course's deadlock detection, as pure computation: two
 * vectors and two matrices in, the steps of the algorithm and the cycles
 * of the resource-allocation graph out.  No I/O, no ioctls: whoever fills
 * the model (the live snapshot, a matrices file, an example's tables, a
 * test) also prints it.  Tanenbaum, "Deadlock detection with multiple
 * resources of each type":
 *
 *   E   existing resources: how many instances of each class exist
 *   A   available resources: how many are free now
 *   C   current allocation: row i, what process i holds of each class
 *   R   request: row i, what process i waits for
 *
 *   1. Look for an unmarked process whose row of R is <= A.
 *   2. If there is one, it can get what it asks for, run to its end and
 *      give back everything: add its row of C to A, mark it, go to 1.
 *   3. If there is none, the unmarked processes are deadlocked.
 *
 * Step 1 takes the first such process in row order, so a run is
 * reproducible and matches the course's worked example.
 *
 * Use: dl_alloc(), fill E, A, C and R (and, for live state, the resources'
 * and processes' descriptions and the waits), dl_detect(), read the
 * results, dl_free().
 */
#ifndef IPCLAB_DLMODEL_H
#define IPCLAB_DLMODEL_H

#include <stdbool.h>
#include <stddef.h>

/* What a column stands for. */
enum dl_kind {
	DL_CLASS,		/* a resource class of a matrices file */
	DL_SEM,			/* one semaphore of an ipclab set */
	DL_MUTEX,		/* an ipclab mutex (one instance) */
};

/* A column: a resource class. */
struct dl_res {
	char name[96];		/* "sem 131072[0] empty", "mutex 262145", "class 1" */
	enum dl_kind kind;
	unsigned int id;	/* the object's id (DL_SEM, DL_MUTEX) */
	unsigned int num;	/* the semaphore's index; a class's column */
	bool refuse;		/* created with IPCLAB_REFUSE_DEADLOCK */
	bool nofifo;		/* a set created with IPCLAB_NOFIFO */
	long signalled;		/* units given back beyond those taken */
};

/* A blocked thread's decrement of one resource, and when it arrived. */
struct dl_wait {
	unsigned int proc, res;
	unsigned long long ticket;
};

/* A row: a process. */
struct dl_proc {
	int pid;		/* 0 for a process of a matrices file */
	char comm[16];
	unsigned int nwait;	/* threads blocked on semaphores or mutexes */
	bool zero_wait;		/* a thread waits for a value of zero */
};

struct dl {
	const char *source;	/* NULL: the live state; else the file name */
	unsigned int nres, nproc;
	struct dl_res *res;
	struct dl_proc *proc;
	int *E, *A;		/* [nres] */
	int *C, *R;		/* [nproc * nres], one row per process */
	bool *Z;		/* [nproc * nres]: waits for the value zero */
	struct dl_wait *waits;	/* live: the decrements blocked threads wait for */
	unsigned int nwaits;
	unsigned int hidden;	/* objects the caller may not read */
	bool truncated;		/* the kernel's walk stopped at its limit */
	bool named;		/* a matrices file named its classes */
	char **notes;		/* what the reader of the state has to say */
	unsigned int nnotes;

	/* What dl_detect() found. */
	unsigned int nsteps;
	unsigned int *order;	/* [nproc]: the rows that finished, in order */
	int *steps_A;		/* [nproc * nres]: A after each of them */
	bool *finished;		/* [nproc] */
	int *behind;		/* [nproc]: the waits index it queues behind, or -1 */
};

/* The index of row p, column r in C, R, Z. */
#define DL_CELL(m, p, r)	((size_t)(p) * (m)->nres + (r))

/*
 * Room for nres classes and nproc processes, all zero (the other fields
 * of m are left as they are).  -1 with errno ENOMEM; dl_free() either way.
 */
int dl_alloc(struct dl *m, unsigned int nres, unsigned int nproc);
/* Free what dl_alloc(), dl_note() and the filler allocated; m is zeroed. */
void dl_free(struct dl *m);
/* Add a note (printf format); none when there is no memory for it. */
void dl_note(struct dl *m, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* "sem", "mutex" or "class". */
const char *dl_kind_name(enum dl_kind kind);
/* Is row p of M (m->C or m->R) all zero? */
bool dl_row_zero(const struct dl *m, const int *M, unsigned int p);

/*
 * Run the algorithm on E, A, C and R.  Live, ipclab hands a semaphore's
 * units out in FIFO order, so a process whose request fits is not taken
 * while an unfinished process queues ahead of it for the same semaphore
 * (m->behind names that waiter); a set created with IPCLAB_NOFIFO
 * serves whoever fits, as the course assumes, and a matrices file has no
 * waits.
 */
void dl_detect(struct dl *m);
/* After dl_detect(): are some processes deadlocked? */
bool dl_deadlocked(const struct dl *m);
/* After dl_detect(): A after step s (0-based). */
const int *dl_step_A(const struct dl *m, unsigned int s);
/* After dl_detect(): does a deadlocked process hold or request column r? */
bool dl_involved(const struct dl *m, unsigned int r);

/*
 * The cycles of the resource-allocation graph: process p -> resource r
 * when p requests r, r -> p when p holds r (a wait for zero requests
 * nothing).  Nodes 0..nproc-1 are the processes, nproc + r resource r.
 * A node or an arrow is on a cycle exactly when both its ends are in one
 * strongly connected component of more than one node.
 */
struct dl_cycles {
	unsigned int n;		/* nproc + nres */
	int *comp;		/* [n]: each node's component */
	int *size;		/* [n]: each component's number of nodes */
};

/* Find them (Tarjan's algorithm).  -1 with errno ENOMEM. */
int dl_cycles(const struct dl *m, struct dl_cycles *c);
void dl_cycles_free(struct dl_cycles *c);
bool dl_on_cycle(const struct dl_cycles *c, unsigned int node);
bool dl_arrow_on_cycle(const struct dl_cycles *c, unsigned int from,
		       unsigned int to);

#endif /* IPCLAB_DLMODEL_H */
