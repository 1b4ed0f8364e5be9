// SPDX-License-Identifier: GPL-2.0
/*
 * ipclab semaphore sets: Dijkstra's P and V, SysV-style atomic operation
 * lists, and waiting rooms with strict FIFO handoff.
 *
 * A set has nsems semaphores.  One IPCLAB_IOC_SEM_OP applies a list of
 * operations all at once or not at all.  A caller that must wait queues
 * with its operations; whoever makes them possible performs them on its
 * behalf (handoff) and wakes it.
 *
 * Waiting rooms, organised as ipc/sem.c organises its queues: each
 * semaphore has a list of the waiters that decrement it (dec) and one of
 * the waiters that wait for it to be zero (zero), each in arrival order.
 * A waiter is on the list of every semaphore it decrements or waits on
 * (one struct sem_link each), and on the set's list of all its waiters in
 * arrival order, which IPCLAB_IOC_STAT and the snapshot show.
 *
 * FIFO (the default): a waiter may proceed only while it is first on the
 * dec list of every semaphore it decrements, so no later caller takes
 * units of k while an earlier one waits for them; and a newcomer that
 * decrements k waits if anybody waits to decrement k.  Waits for zero take
 * nothing and block nobody.  A set created with IPCLAB_NOFIFO drops
 * the rule: whatever fits goes.
 *
 * Waking is driven by what changed, never by a rescan of the room: every
 * semaphore whose value changed, or whose first decrementer left, is
 * queued once (sem_changed()); sem_wake() takes the queued semaphores in
 * turn and tries the waiters that the change can help -- the first of its
 * dec list (NOFIFO: each, while units are left), the waiters for zero when
 * it is zero -- and of those only the ones whose last try stopped on this
 * semaphore (w->blocking): nothing else can have changed for the others,
 * so a waiter is tried once per change of its own semaphore, as ipc/sem.c
 * queues a waiter on the semaphore it blocks on.  Each success queues what
 * it changed.  The operations queued in one set are bounded
 * (max_queued_ops), and so is every walk of its lists.
 *
 * Per-process records (struct ipclab_semproc, one per process and set)
 * hold what each process took and gave (its holdings, read by the
 * deadlock detector) and its undo values (SysV's semadj).  A record is on
 * its set's list (set lock) and in its process's hash, keyed by set (set
 * lock, then process lock), so an operation finds it at once (the set
 * remembers the last one found, the next operation's most often).  It keeps
 * the semaphores whose holding or undo is not zero in a small index (nz),
 * so that STAT, the snapshot and the process's end cost what is there, not
 * the set's size; the set counts those entries (nholders) and each
 * semaphore the units held (held).  A record counts nsems for its user
 * (max_sem_records_per_user) and is freed by whichever of set removal and
 * process cleanup comes first, after the set's lock is dropped.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/nospec.h>
#include <linux/overflow.h>
#include <linux/sem.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "ipclab.h"
#include "trace.h"
#define CREATE_TRACE_POINTS
#include "sem_trace.h"

#define IPCLAB_SEM_MAX_CEIL	BIT(24)	/* keeps value + op + undo within int */
#define IPCLAB_SEMS_CEIL	32000	/* semaphores per set, as SEMMSL's limit */

static unsigned int ipclab_max_sems = 32000;
static struct ipclab_uint_param ipclab_max_sems_param = {
	.var = &ipclab_max_sems, .lo = 1, .hi = IPCLAB_SEMS_CEIL,
};
module_param_cb(max_sems, &ipclab_uint_param_ops, &ipclab_max_sems_param, 0644);
MODULE_PARM_DESC(max_sems, "Semaphores in one set, like SEMMSL, at most 32000 (EINVAL)");

static unsigned int ipclab_max_ops = 500;
static struct ipclab_uint_param ipclab_max_ops_param = {
	.var = &ipclab_max_ops, .lo = 1, .hi = 4096,
};
module_param_cb(max_ops, &ipclab_uint_param_ops, &ipclab_max_ops_param, 0644);
MODULE_PARM_DESC(max_ops, "Operations in one IPCLAB_IOC_SEM_OP, like SEMOPM (E2BIG)");

static unsigned int ipclab_sem_max = 32767;
static struct ipclab_uint_param ipclab_sem_max_param = {
	.var = &ipclab_sem_max, .lo = 1, .hi = IPCLAB_SEM_MAX_CEIL,
};
module_param_cb(sem_max, &ipclab_uint_param_ops, &ipclab_sem_max_param, 0644);
MODULE_PARM_DESC(sem_max, "Largest semaphore value, like SEMVMX, at most 2^24 (ERANGE)");

static unsigned long ipclab_max_sem_records_per_user = 1UL << 20;
static struct ipclab_ulong_param ipclab_max_sem_records_per_user_param = {
	.var = &ipclab_max_sem_records_per_user, .lo = 0, .hi = 1UL << 32,
};
module_param_cb(max_sem_records_per_user, &ipclab_ulong_param_ops,
		&ipclab_max_sem_records_per_user_param, 0644);
MODULE_PARM_DESC(max_sem_records_per_user, "Semaphores' worth of per-process records one uid's processes may keep, 16 bytes each (ENOSPC)");

static unsigned int ipclab_max_queued_ops = 16384;
static struct ipclab_uint_param ipclab_max_queued_ops_param = {
	.var = &ipclab_max_queued_ops, .lo = 1, .hi = 1U << 20,
};
module_param_cb(max_queued_ops, &ipclab_uint_param_ops,
		&ipclab_max_queued_ops_param, 0644);
MODULE_PARM_DESC(max_queued_ops, "Operations of all the waiters of one set (ENOSPC)");

static unsigned long ipclab_max_sems_per_user = 262144;
static struct ipclab_ulong_param ipclab_max_sems_per_user_param = {
	.var = &ipclab_max_sems_per_user, .lo = 0, .hi = 1UL << 32,
};
module_param_cb(max_sems_per_user, &ipclab_ulong_param_ops,
		&ipclab_max_sems_per_user_param, 0644);
MODULE_PARM_DESC(max_sems_per_user, "Semaphores in all the sets one uid created, about 60 bytes each (ENOSPC)");

static unsigned long ipclab_max_sems_total = 4194304;
static struct ipclab_ulong_param ipclab_max_sems_total_param = {
	.var = &ipclab_max_sems_total, .lo = 0, .hi = 1UL << 32,
};
module_param_cb(max_sems_total, &ipclab_ulong_param_ops,
		&ipclab_max_sems_total_param, 0644);
MODULE_PARM_DESC(max_sems_total, "Semaphores in all sets, like SEMMNS (ENOSPC)");

/* Operation lists up to this long are copied to the stack. */
#define IPCLAB_SEMOPS_FAST	8

struct ipclab_sem {
	int val;
	u32 nheld;		/* records that hold units of it */
	s64 held;		/* positive holdings of all processes */
	struct list_head dec;	/* struct sem_link: waiters that decrement it */
	struct list_head zero;	/* struct sem_link: waiters for it to be 0 */
	struct pid *lpid;	/* last process to operate on it */
};

struct ipclab_semproc {
	struct ipclab_record rec;	/* in proc->records, proc lock */
	struct list_head set_node;	/* in set->semprocs, set lock */
	struct list_head active_node;	/* in set->active while nnz, set lock */
	struct rcu_head rcu;
	struct ipclab_proc *proc;
	struct ipclab_sem_set *set;
	struct ipclab_user *user;	/* charged nsems records */
	bool linked;			/* on both lists; set lock */
	u32 nnz;			/* entries of nz */
	/* held[nsems], undo[nsems], then u32 nz[nsems] and pos[nsems] */
	s32 vals[];
};

struct ipclab_sem_set {
	struct ipclab_obj obj;
	u32 nsems;

	/* Protected by obj.lock. */
	struct ipclab_room room;	/* struct ipclab_sem_waiter, arrival order */
	struct list_head semprocs;	/* struct ipclab_semproc.set_node */
	struct list_head active;	/* .active_node: records holding or owing */
	struct list_head dead;		/* records of a removed set, to free */
	struct ipclab_semproc *last_sp;	/* linked: the last one found */
	u32 nops;			/* operations of all waiters */
	u32 nreader_ops;		/* ... of the waiters that only look */
	u32 nholders;			/* record entries with held or undo */
	u32 evq_head, evq_len;		/* sem_changed()'s queue in evq */
	/* Scratch, after sems[] in the same allocation (sem_set_size()). */
	u32 *evq;			/* semaphores to look at */
	unsigned long *evpend;		/* ... queued in evq */
	unsigned long *marks;		/* 2 * nsems bits */
	struct ipclab_sem sems[];
};

struct ipclab_sem_waiter;

/* A waiter on one semaphore's dec or zero list. */
struct sem_link {
	struct list_head node;
	struct ipclab_sem_waiter *w;
	u32 num;
	u32 op;		/* the first of the waiter's operations it stands for */
	bool zero;	/* on the zero list, not the dec list */
	s64 need;	/* dec: the units its operations take of num */
};

struct ipclab_sem_waiter {
	struct ipclab_waiter_base base;	/* in set->room */
	struct ipclab_semproc *sp;	/* the process's record */
	const struct ipclab_sembuf *ops;
	struct sem_link *links;		/* room for nops */
	u32 nops;
	u32 nlinks;
	u32 blocking;	/* the operation it waits for, as GETNCNT counts */
};

static inline struct ipclab_sem_set *to_set(struct ipclab_obj *obj)
{
	return container_of(obj, struct ipclab_sem_set, obj);
}

static inline s32 *sp_held(struct ipclab_semproc *sp)
{
	return sp->vals;
}

static inline s32 *sp_undo(struct ipclab_semproc *sp)
{
	return sp->vals + sp->set->nsems;
}

static inline u32 *sp_nz(struct ipclab_semproc *sp)
{
	return (u32 *)(sp->vals + 2 * sp->set->nsems);
}

static inline u32 *sp_pos(struct ipclab_semproc *sp)
{
	return (u32 *)(sp->vals + 3 * sp->set->nsems);
}

/* Is semaphore @num in @sp's index of non-zero entries? */
static bool sp_listed(struct ipclab_semproc *sp, u32 num)
{
	u32 i = sp_pos(sp)[num];

	return i < sp->nnz && sp_nz(sp)[i] == num;
}

/* Keep @sp's index true for @num after its held or undo changed. */
static void sp_sync(struct ipclab_semproc *sp, u32 num)
{
	struct ipclab_sem_set *set = sp->set;
	bool used = sp_held(sp)[num] || sp_undo(sp)[num];
	bool listed = sp_listed(sp, num);
	u32 i, last;

	lockdep_assert_held(&set->obj.lock);
	if (used && !listed) {
		if (!sp->nnz)
			list_add_tail(&sp->active_node, &set->active);
		sp_pos(sp)[num] = sp->nnz;
		sp_nz(sp)[sp->nnz++] = num;
		set->nholders++;
	} else if (!used && listed) {
		i = sp_pos(sp)[num];
		last = sp_nz(sp)[--sp->nnz];
		sp_nz(sp)[i] = last;
		sp_pos(sp)[last] = i;
		set->nholders--;
		if (!sp->nnz)
			list_del_init(&sp->active_node);
	}
}

/* Set @sp's holding of @num, keeping the semaphore's total true. */
static void sp_set_held(struct ipclab_semproc *sp, u32 num, s32 held)
{
	struct ipclab_sem *sem = &sp->set->sems[num];
	s32 old = sp_held(sp)[num];

	sem->held += (s64)max(held, 0) - max(old, 0);
	sem->nheld += (held > 0) - (old > 0);
	sp_held(sp)[num] = held;
}

/* Drop @sp's holding and undo of @num. */
static void sp_clear(struct ipclab_semproc *sp, u32 num)
{
	sp_set_held(sp, num, 0);
	sp_undo(sp)[num] = 0;
	sp_sync(sp, num);
}

/* Is the set's waiting room FIFO (the default)? */
static bool sem_fifo(const struct ipclab_sem_set *set)
{
	return !(set->obj.flags & IPCLAB_NOFIFO);
}

static int sem_max(void)
{
	return clamp_t(int, READ_ONCE(ipclab_sem_max), 1, IPCLAB_SEM_MAX_CEIL);
}

static void sem_set_lpid(struct ipclab_sem *sem, struct pid *pid)
{
	if (sem->lpid != pid) {
		put_pid(sem->lpid);
		sem->lpid = get_pid(pid);
	}
}

/* Add to a holding without wrapping: saturate instead. */
static s32 sem_sat_sub(s32 a, s32 b)
{
	s32 r;

	if (check_sub_overflow(a, b, &r))
		return b > 0 ? S32_MIN : S32_MAX;
	return r;
}

/* Semaphore @num changed (its value, or who waits first): look at it. */
static void sem_changed(struct ipclab_sem_set *set, u32 num)
{
	lockdep_assert_held(&set->obj.lock);
	/* Nobody waits (no queued operation): nobody to look at it for. */
	if (!set->nops || __test_and_set_bit(num, set->evpend))
		return;
	set->evq[(set->evq_head + set->evq_len++) % set->nsems] = num;
}

/**
 * sem_apply() - try to perform a list of operations, all or nothing
 * @set:      the set, locked
 * @ops:      the operations (indices already checked)
 * @nops:     how many
 * @sp:       the process's record for holdings and undo
 * @pid:      the process on whose behalf they are performed
 * @blocking: out: index of the operation that must wait
 *
 * State only: nobody is woken here, but every semaphore changed is queued
 * for sem_wake().
 *
 * Return: 0 if performed; -EAGAIN if one must wait (nothing changed);
 * -ERANGE if a value or undo value would leave 0..sem_max (nothing
 * changed).
 */
static int sem_apply(struct ipclab_sem_set *set, const struct ipclab_sembuf *ops,
		     u32 nops, struct ipclab_semproc *sp, struct pid *pid,
		     int *blocking)
{
	int max = sem_max();
	int ret = 0;
	u32 i;

	lockdep_assert_held(&set->obj.lock);
	ipclab_world_assert_held();

	/*
	 * Apply in order, values and undo together, so that each check sees
	 * what the earlier operations of the same list did.
	 */
	for (i = 0; i < nops; i++) {
		struct ipclab_sem *sem = &set->sems[ops[i].num];
		int op = ops[i].op;
		int result = sem->val + op;	/* both within +-2^24 */

		if (op == 0 ? sem->val != 0 : result < 0) {
			*blocking = i;
			ret = -EAGAIN;
			goto undo;
		}
		if (result > max) {
			ret = -ERANGE;
			goto undo;
		}
		if (ops[i].flags & IPCLAB_SEMBUF_UNDO) {
			int adj = sp_undo(sp)[ops[i].num] - op;

			/* SysV's range: -(SEMVMX + 1)..SEMVMX. */
			if (adj < -max - 1 || adj > max) {
				ret = -ERANGE;
				goto undo;
			}
			sp_undo(sp)[ops[i].num] = adj;
		}
		sem->val = result;
	}

	for (i = 0; i < nops; i++) {
		u32 num = ops[i].num;

		sem_set_lpid(&set->sems[num], pid);
		sp_set_held(sp, num, sem_sat_sub(sp_held(sp)[num], ops[i].op));
		sp_sync(sp, num);
		if (ops[i].op)
			sem_changed(set, num);
		trace_ipclab_semop(set->obj.id, num, ops[i].op,
				   set->sems[num].val, pid_nr(pid));
	}
	return 0;

undo:
	while (i--) {
		set->sems[ops[i].num].val -= ops[i].op;
		if (ops[i].flags & IPCLAB_SEMBUF_UNDO)
			sp_undo(sp)[ops[i].num] += ops[i].op;
	}
	return ret;
}

static bool sem_changes(const struct ipclab_sembuf *ops, u32 nops)
{
	u32 i;

	for (i = 0; i < nops; i++)
		if (ops[i].op)
			return true;
	return false;
}

static struct sem_link *sem_first_dec(struct ipclab_sem_set *set, u32 num)
{
	return list_first_entry_or_null(&set->sems[num].dec, struct sem_link,
					node);
}

/*
 * FIFO: the first of @w's operations on a semaphore that an earlier
 * waiter waits to decrement (@w is not first on its dec list), or -1.
 */
static int sem_fifo_blocked(struct ipclab_sem_set *set,
			    const struct ipclab_sem_waiter *w)
{
	u32 i;

	for (i = 0; i < w->nlinks; i++) {
		const struct sem_link *l = &w->links[i];

		if (!l->zero && sem_first_dec(set, l->num) != l)
			return l->op;
	}
	return -1;
}

/*
 * set->marks is scratch for one walk over a list of operations: whoever
 * sets bits clears them again, for the operations' semaphores only.
 */
static void sem_marks_clear(struct ipclab_sem_set *set,
			    const struct ipclab_sembuf *ops, u32 nops)
{
	unsigned long *zero = set->marks + BITS_TO_LONGS(set->nsems);
	u32 i;

	for (i = 0; i < nops; i++) {
		__clear_bit(ops[i].num, set->marks);
		__clear_bit(ops[i].num, zero);
	}
}

/* @w's dec link for @num (one exists); the latest links first. */
static struct sem_link *sem_link_dec(struct ipclab_sem_waiter *w, u32 num)
{
	u32 i = w->nlinks;

	while (i--)
		if (w->links[i].num == num && !w->links[i].zero)
			break;
	return &w->links[i];
}

/*
 * Describe @w's places in the room: a link for each semaphore it
 * decrements (with the units it takes of it) and for each it waits to be
 * zero, in the order of their first operation.  The set's lock is held
 * (for set->marks); nothing is queued yet.
 */
static void sem_links_build(struct ipclab_sem_set *set, struct ipclab_sem_waiter *w)
{
	unsigned long *dec = set->marks, *zero = set->marks + BITS_TO_LONGS(set->nsems);
	u32 i;

	lockdep_assert_held(&set->obj.lock);
	w->nlinks = 0;
	for (i = 0; i < w->nops; i++) {
		u32 num = w->ops[i].num;
		struct sem_link *l = &w->links[w->nlinks];

		if (w->ops[i].op < 0 && !__test_and_set_bit(num, dec)) {
			l->zero = false;
			l->need = -w->ops[i].op;
		} else if (!w->ops[i].op && !__test_and_set_bit(num, zero)) {
			l->zero = true;
			l->need = 0;
		} else {
			/* Another decrement of a semaphore it has a link for. */
			if (w->ops[i].op < 0)
				sem_link_dec(w, num)->need -= w->ops[i].op;
			continue;
		}
		l->w = w;
		l->num = num;
		l->op = i;
		w->nlinks++;
	}
	sem_marks_clear(set, w->ops, w->nops);
}

/*
 * Whether the room has room for @w: its count of waiters, and the set's
 * queued operations (max_queued_ops bounds every walk of the room and of
 * its lists), of which waiters that only look may take half, as they may
 * take half of the room.  Return: 0 or -ENOSPC.
 */
static int sem_room(struct ipclab_sem_set *set, struct ipclab_sem_waiter *w)
{
	u32 max = READ_ONCE(ipclab_max_queued_ops);

	lockdep_assert_held(&set->obj.lock);
	if (set->nops + w->nops > max)
		return -ENOSPC;
	if (w->base.reader && set->nreader_ops + w->nops > max / 2)
		return -ENOSPC;
	return ipclab_room_space(&w->base);
}

/*
 * Put @w, its links built, in the room: on the set's list and on the list
 * of each semaphore it decrements or waits on.  Return: 0, or -ENOSPC
 * when the room, the set's queued operations or the user's waiters are at
 * their limit (nothing queued).
 */
static int sem_queue(struct ipclab_sem_set *set, struct ipclab_sem_waiter *w)
{
	int ret;
	u32 i;

	lockdep_assert_held(&set->obj.lock);
	ipclab_world_assert_held();
	ret = sem_room(set, w) ?: ipclab_room_add(&set->room, &w->base);
	if (ret)
		return ret;
	for (i = 0; i < w->nlinks; i++) {
		struct sem_link *l = &w->links[i];

		list_add_tail(&l->node, l->zero ? &set->sems[l->num].zero :
						  &set->sems[l->num].dec);
	}
	set->nops += w->nops;
	if (w->base.reader)
		set->nreader_ops += w->nops;
	return 0;
}

/* Take @w out of the room; a new first decrementer is looked at. */
static void sem_dequeue(struct ipclab_sem_set *set, struct ipclab_sem_waiter *w)
{
	u32 i;

	lockdep_assert_held(&set->obj.lock);
	ipclab_world_assert_held();
	/* Before set->nops drops: sem_changed() ignores an empty room. */
	for (i = 0; i < w->nlinks; i++) {
		struct sem_link *l = &w->links[i];
		bool first = !l->zero && sem_first_dec(set, l->num) == l;

		list_del(&l->node);
		if (first && sem_fifo(set))
			sem_changed(set, l->num);
	}
	ipclab_room_del(&w->base);
	set->nops -= w->nops;
	if (w->base.reader)
		set->nreader_ops -= w->nops;
}

/*
 * Try @w's operations on its behalf.  Return: true if it left the room
 * (performed, or failed with -ERANGE): its result is handed over and it
 * must not be touched again.
 */
static bool sem_try(struct ipclab_sem_set *set, struct ipclab_sem_waiter *w,
		    struct ipclab_wake *wq)
{
	struct pid *pid = task_tgid(w->base.task);
	int blocking = -1, ret;

	if (sem_fifo(set))
		blocking = sem_fifo_blocked(set, w);
	if (blocking >= 0) {
		w->blocking = blocking;
		return false;
	}
	ret = sem_apply(set, w->ops, w->nops, w->sp, pid, &blocking);
	if (ret == -EAGAIN) {
		w->blocking = blocking;
		return false;
	}
	sem_dequeue(set, w);
	if (!ret) {
		set->obj.otime = ktime_get_real_seconds();
		if (set->obj.lpid != pid) {
			put_pid(set->obj.lpid);
			set->obj.lpid = get_pid(pid);
		}
	}
	/* w may vanish as soon as it has its result. */
	ipclab_waiter_done(&w->base, ret, wq);
	return true;
}

/*
 * Does a change of semaphore @num concern waiter @w?  Only if @num is
 * where it waits (the operation that stopped it last time): a change of
 * any other semaphore cannot let it proceed, so it is not tried again,
 * as ipc/sem.c keeps a waiter on the queue of the semaphore it blocks on.
 */
static bool sem_waits_on(const struct ipclab_sem_waiter *w, u32 num)
{
	return w->ops[w->blocking].num == num;
}

/* Try the waiters a change of semaphore @num can help. */
static void sem_wake_one(struct ipclab_sem_set *set, u32 num,
			 struct ipclab_wake *wq)
{
	/*
	 * TODO: semaphore @num of @set (locked) changed: its value, or who
	 * is first to decrement it.  Try, with sem_try(), the waiters this
	 * can help, oldest first, and only those that wait on @num
	 * (sem_waits_on()).  Of its dec list: FIFO (sem_fifo()), the first,
	 * then the next as long as each goes, whatever the value; with
	 * IPCLAB_NOFIFO, each in turn while the value is > 0.  Then, while
	 * the value is 0, each waiter of its zero list.  sem_try() performs
	 * a waiter's operations and wakes it only if all of them can go; a
	 * waiter that goes leaves the lists (and must not be touched again).
	 */
	/* BEGIN SOLUTION */
	struct ipclab_sem *sem = &set->sems[num];
	struct sem_link *l, *tmp;

	if (sem_fifo(set)) {
		/*
		 * The first decrementer, and the next if it went.  (Even at 0:
		 * a waiter that gives before it takes may go.)
		 */
		while ((l = sem_first_dec(set, num)) && sem_waits_on(l->w, num) &&
		       sem_try(set, l->w, wq))
			;
	} else if (sem->val > 0) {
		list_for_each_entry_safe(l, tmp, &sem->dec, node) {
			if (sem->val <= 0)
				break;
			if (sem_waits_on(l->w, num))
				sem_try(set, l->w, wq);
		}
	}
	list_for_each_entry_safe(l, tmp, &sem->zero, node) {
		if (sem->val)
			break;
		if (sem_waits_on(l->w, num))
			sem_try(set, l->w, wq);
	}
	/* END SOLUTION stub: (void)sem_try; (void)sem_waits_on; */
}

/**
 * sem_wake() - let every waiter that the changes made possible proceed
 * @set: the set, locked
 * @wq:  collects the tasks to wake after unlocking
 *
 * Takes the semaphores sem_changed() queued, in turn, until none is left.
 * (A try of a waiter only removes that waiter, so the safe iterations in
 * sem_wake_one() stay valid; its success queues what it changed.)
 */
static void sem_wake(struct ipclab_sem_set *set, struct ipclab_wake *wq)
{
	u32 num;

	lockdep_assert_held(&set->obj.lock);
	while (set->evq_len) {
		num = set->evq[set->evq_head];
		set->evq_head = (set->evq_head + 1) % set->nsems;
		set->evq_len--;
		__clear_bit(num, set->evpend);
		sem_wake_one(set, num, wq);
	}
}

/*
 * The record of @proc for @set, if it has one (set locked): the one the
 * last operation used, most often, else the one in the process's hash.
 */
static struct ipclab_semproc *semproc_find(struct ipclab_sem_set *set,
					   struct ipclab_proc *proc)
{
	struct ipclab_semproc *sp, *found = NULL;

	lockdep_assert_held(&set->obj.lock);
	if (set->last_sp && set->last_sp->proc == proc)
		return set->last_sp;
	rcu_read_lock();
	hash_for_each_possible_rcu(proc->records, sp, rec.node,
				   (unsigned long)&set->obj) {
		/* Linked records change only under the set's lock. */
		if (sp->rec.obj == &set->obj && READ_ONCE(sp->linked)) {
			found = sp;
			break;
		}
	}
	rcu_read_unlock();
	if (found)
		set->last_sp = found;
	return found;
}

/* A new record for @proc, charged to its user; not yet linked. */
static struct ipclab_semproc *semproc_alloc(struct ipclab_sem_set *set,
					    struct ipclab_proc *proc)
{
	struct ipclab_semproc *sp;
	int ret;

	ret = ipclab_charge(proc->user, IPCLAB_RES_SEM_RECORDS, set->nsems,
			    READ_ONCE(ipclab_max_sem_records_per_user), ULONG_MAX);
	if (ret)
		return ERR_PTR(ret);
	sp = kvzalloc(struct_size(sp, vals, 4 * (size_t)set->nsems),
		      GFP_KERNEL_ACCOUNT);
	if (!sp) {
		ipclab_uncharge(proc->user, IPCLAB_RES_SEM_RECORDS, set->nsems);
		return ERR_PTR(-ENOMEM);
	}
	refcount_inc(&proc->user->ref);
	sp->user = proc->user;
	sp->set = set;
	sp->rec.obj = &set->obj;
	INIT_LIST_HEAD(&sp->set_node);
	INIT_LIST_HEAD(&sp->active_node);
	return sp;
}

/* Free a record that is no longer linked.  No lock held. */
static void semproc_free(struct ipclab_semproc *sp, u32 nsems)
{
	if (!sp)
		return;
	ipclab_uncharge(sp->user, IPCLAB_RES_SEM_RECORDS, nsems);
	ipclab_user_put(sp->user);
	kvfree_rcu(sp, rcu);
}

static void semproc_link(struct ipclab_sem_set *set, struct ipclab_semproc *sp,
			 struct ipclab_proc *proc)
{
	lockdep_assert_held(&set->obj.lock);
	ipclab_world_assert_held();
	sp->proc = proc;
	list_add_tail(&sp->set_node, &set->semprocs);
	spin_lock(&proc->lock);
	hash_add_rcu(proc->records, &sp->rec.node, (unsigned long)&set->obj);
	WRITE_ONCE(sp->linked, true);
	spin_unlock(&proc->lock);
}

/* Unlink @sp and drop its holdings; the caller frees it after unlocking. */
static void semproc_unlink(struct ipclab_semproc *sp)
{
	struct ipclab_sem_set *set = sp->set;

	lockdep_assert_held(&set->obj.lock);
	ipclab_world_assert_held();
	while (sp->nnz)
		sp_clear(sp, sp_nz(sp)[0]);
	if (set->last_sp == sp)
		set->last_sp = NULL;
	spin_lock(&sp->proc->lock);
	hash_del_rcu(&sp->rec.node);
	WRITE_ONCE(sp->linked, false);
	spin_unlock(&sp->proc->lock);
	list_del_init(&sp->set_node);
}

static int sem_ops_valid(struct ipclab_sembuf *ops, u32 nops, u32 nsems)
{
	const u32 known = IPCLAB_SEMBUF_UNDO | IPCLAB_SEMBUF_NOWAIT;
	int max = sem_max();
	u32 i;

	for (i = 0; i < nops; i++) {
		if (ops[i].pad || (ops[i].flags & ~known))
			return -EINVAL;
		/* A P of more than sem_max just waits forever, as in SysV. */
		if (ops[i].op > max)
			return -ERANGE;
	}
	for (i = 0; i < nops; i++) {
		if (ops[i].num >= nsems)
			return -EFBIG;
		ops[i].num = array_index_nospec(ops[i].num, nsems);
	}
	return 0;
}

/* What one IPCLAB_IOC_SEM_OP works with. */
struct sem_call {
	struct ipclab_call c;
	struct ipclab_semproc *fresh;	/* a record, if it needed one */
	struct ipclab_sembuf *ops;	/* check() makes their indices safe */
	u32 nops;
	struct ipclab_sem_waiter *w;	/* filled in only to wait */
};

static inline struct sem_call *to_sem_call(struct ipclab_call *c)
{
	return container_of(c, struct sem_call, c);
}

/*
 * The locked part of IPCLAB_IOC_SEM_OP (struct ipclab_call_ops): perform
 * the operations if they can go now; else get the waiter ready.  The
 * process's first use of the set needs a record, allocated by
 * sem_op_prepare() with no lock held.
 */
static int sem_op_try(struct ipclab_call *c)
{
	struct ipclab_sem_set *set = to_set(c->obj);
	struct sem_call *sc = to_sem_call(c);
	const struct ipclab_sembuf *ops = sc->ops;
	struct ipclab_sem_waiter *w = sc->w;
	u32 nops = sc->nops;
	struct ipclab_semproc *sp;
	int blocking;
	int ret;

	lockdep_assert_held(&set->obj.lock);
	if (set->obj.removed)
		return -EIDRM;
	sp = semproc_find(set, c->proc);
	if (!sp && !sc->fresh) {
		c->again = true;
		return 0;
	}
	if (!sp) {
		sp = sc->fresh;
		sc->fresh = NULL;
		semproc_link(set, sp, c->proc);
	}

	/* FIFO: a decrement waits behind any waiting decrement of the same. */
	blocking = nops;
	if (sem_fifo(set))
		for (blocking = 0; blocking < nops; blocking++)
			if (ops[blocking].op < 0 &&
			    !list_empty(&set->sems[ops[blocking].num].dec))
				break;
	if (blocking < nops)
		ret = -EAGAIN;
	else
		ret = sem_apply(set, ops, nops, sp, task_tgid(current), &blocking);

	if (!ret) {
		ipclab_obj_touch(&set->obj);
		sem_wake(set, &c->wq);
		return 0;
	}
	if (ret != -EAGAIN)
		return ret;
	if (c->t.nowait || (ops[blocking].flags & IPCLAB_SEMBUF_NOWAIT))
		return -EAGAIN;

	ipclab_waiter_init(&w->base, c->proc, &set->obj);
	w->base.reader = !sem_changes(ops, nops);
	w->sp = sp;
	w->ops = ops;
	w->nops = nops;
	w->blocking = blocking;
	/* A full room refuses before any work is done for the wait. */
	ret = sem_room(set, w);
	if (ret)
		return ret;
	sem_links_build(set, w);
	c->wait = true;
	return 0;
}

/* The operations against the set: indices, before the permission check. */
static int sem_op_check(struct ipclab_call *c)
{
	struct sem_call *sc = to_sem_call(c);

	return sem_ops_valid(sc->ops, sc->nops, to_set(c->obj)->nsems);
}

/* First use of this set by this process: a record, charged, no lock held. */
static int sem_op_prepare(struct ipclab_call *c)
{
	struct sem_call *sc = to_sem_call(c);
	struct ipclab_semproc *sp = semproc_alloc(to_set(c->obj), c->proc);

	if (IS_ERR(sp))
		return PTR_ERR(sp);
	sc->fresh = sp;
	return 0;
}

static int sem_op_enqueue(struct ipclab_call *c)
{
	return sem_queue(to_set(c->obj), to_sem_call(c)->w);
}

/* A waiter gave up: its place in line blocked others; they may go now. */
static void sem_op_cancel(struct ipclab_call *c)
{
	struct ipclab_sem_set *set = to_set(c->obj);

	sem_dequeue(set, to_sem_call(c)->w);
	sem_wake(set, &c->wq);
}

static const struct ipclab_call_ops sem_op_ops = {
	.check		= sem_op_check,
	.try		= sem_op_try,
	.prepare	= sem_op_prepare,
	.enqueue	= sem_op_enqueue,
	.cancel		= sem_op_cancel,
	/* The fast path finds the process's record only if it is linked. */
	.rcu_proc	= true,
};

/*
 * Copy in @nops operations: ipclab's, or with IPCLAB_SEMOP_SYSV the struct
 * sembuf of semop(2), so that the SysV layer hands the kernel its
 * caller's array as it is (a bad one is EFAULT here, not a SIGSEGV in
 * the library).  A sembuf is smaller than an ipclab_sembuf: the array is
 * copied to the end of @ops and converted from the front, each one read
 * before its slot is written, which reaches no sembuf not yet read.
 * sem_flg bits other than SEM_UNDO and IPC_NOWAIT are ignored, as Linux
 * ignores them.
 */
static int sem_ops_copy(struct ipclab_sembuf *ops, const void __user *uops,
			u32 nops, bool sysv)
{
	struct sembuf *sops;
	u32 i;

	BUILD_BUG_ON(sizeof(*sops) > sizeof(*ops));
	if (!sysv)
		return copy_from_user(ops, uops, array_size(nops, sizeof(*ops))) ?
		       -EFAULT : 0;
	sops = (struct sembuf *)(ops + nops) - nops;
	if (copy_from_user(sops, uops, array_size(nops, sizeof(*sops))))
		return -EFAULT;
	for (i = 0; i < nops; i++) {
		struct sembuf sb = sops[i];

		ops[i] = (struct ipclab_sembuf) {
			.num = sb.sem_num,
			.op = sb.sem_op,
			.flags = (sb.sem_flg & SEM_UNDO ? IPCLAB_SEMBUF_UNDO : 0) |
				 (sb.sem_flg & IPC_NOWAIT ? IPCLAB_SEMBUF_NOWAIT : 0),
		};
	}
	return 0;
}

static long ipclab_sem_op(void __user *argp)
{
	/* Scratch, written before it is read: not zeroed at each call. */
	struct ipclab_sembuf fast[IPCLAB_SEMOPS_FAST] __uninitialized;
	struct sem_link fast_links[IPCLAB_SEMOPS_FAST] __uninitialized;
	struct ipclab_sem_waiter w __uninitialized;
	struct sem_call sc = {
		.c.ops = &sem_op_ops,
		.c.w = &w.base,
		.w = &w,
	};
	struct ipclab_sembuf *ops = fast;
	struct ipclab_semop arg;
	int access, ret;

	w.links = fast_links;
	if (copy_from_user(&arg, argp, sizeof(arg)))
		return -EFAULT;
	if (arg.pad || !arg.nops)
		return -EINVAL;
	if (arg.nops > READ_ONCE(ipclab_max_ops))
		return -E2BIG;
	ret = ipclab_timeout_init(&sc.c.t, arg.flags & ~IPCLAB_SEMOP_SYSV,
				  arg.timeout);
	if (ret)
		return ret;

	if (arg.nops > IPCLAB_SEMOPS_FAST) {
		/* The operations, then room for a link per operation. */
		ops = kvmalloc(array_size(arg.nops, sizeof(*ops) + sizeof(*w.links)),
			       GFP_KERNEL_ACCOUNT);
		if (!ops)
			return -ENOMEM;
		w.links = (struct sem_link *)(ops + arg.nops);
	}
	ret = sem_ops_copy(ops, u64_to_user_ptr(arg.ops), arg.nops,
			   arg.flags & IPCLAB_SEMOP_SYSV);
	if (ret)
		goto out_free;

	sc.ops = ops;
	sc.nops = arg.nops;
	/* As semop(2): waiting for zero only needs to read. */
	access = sem_changes(ops, arg.nops) ? IPCLAB_WRITE : IPCLAB_READ;

	if (ipclab_call_fast(&sc.c, arg.id, IPCLAB_TYPE_SEM, access, &ret))
		goto out_free;
	ret = ipclab_call_begin(&sc.c, arg.id, IPCLAB_TYPE_SEM, access);
	if (ret)
		goto out_free;
	ret = ipclab_call_run(&sc.c);
	semproc_free(sc.fresh, to_set(sc.c.obj)->nsems);
	ipclab_call_end(&sc.c);
out_free:
	if (ops != fast)
		kvfree(ops);
	return ret;
}

/* SETVAL/SETALL start the semaphore afresh: nobody holds or owes it. */
static void sem_reset_records(struct ipclab_sem_set *set, u32 num)
{
	struct ipclab_semproc *sp, *tsp;

	list_for_each_entry_safe(sp, tsp, &set->active, active_node)
		if (sp_listed(sp, num))
			sp_clear(sp, num);
}

/*
 * GETNCNT/GETZCNT: the waiters blocked on semaphore @num, each counted
 * where it waits (the operation that stopped it), as SUS asks and Linux
 * does since 3.16.
 */
static int sem_count_waiting(struct ipclab_sem_set *set, u32 num, bool zero)
{
	struct ipclab_sem_waiter *w;
	int n = 0;

	ipclab_room_for_each(w, &set->room, base.node) {
		const struct ipclab_sembuf *op = &w->ops[w->blocking];

		if (op->num == num && (zero ? op->op == 0 : op->op < 0))
			n++;
	}
	return n;
}

static void sem_setval(struct ipclab_sem_set *set, u32 num, int val,
		       struct pid *me)
{
	struct ipclab_sem *sem = &set->sems[num];

	if (sem->val != val)
		sem_changed(set, num);
	sem->val = val;
	sem_set_lpid(sem, me);
}

static int sem_ctl_locked(struct ipclab_sem_set *set, struct ipclab_semctl *arg,
			  s32 *values, struct ipclab_wake *wq)
{
	struct ipclab_sem *sem = &set->sems[arg->num];
	struct pid *me = task_tgid(current);
	struct ipclab_semproc *sp, *tsp;
	u32 i;

	lockdep_assert_held(&set->obj.lock);
	ipclab_world_assert_held();
	switch (arg->cmd) {
	case IPCLAB_SEMCTL_GETVAL:
		arg->val = sem->val;
		return 0;
	case IPCLAB_SEMCTL_GETNCNT:
	case IPCLAB_SEMCTL_GETZCNT:
		arg->val = sem_count_waiting(set, arg->num,
					     arg->cmd == IPCLAB_SEMCTL_GETZCNT);
		return 0;
	case IPCLAB_SEMCTL_GETPID:
		arg->val = sem->lpid ? pid_vnr(sem->lpid) : 0;
		return 0;
	case IPCLAB_SEMCTL_GETALL:
		for (i = 0; i < set->nsems; i++)
			values[i] = set->sems[i].val;
		return 0;
	case IPCLAB_SEMCTL_SETVAL:
		sem_setval(set, arg->num, arg->val, me);
		sem_reset_records(set, arg->num);
		break;
	case IPCLAB_SEMCTL_SETALL:
		for (i = 0; i < set->nsems; i++)
			sem_setval(set, i, values[i], me);
		/* Every record starts afresh: what is in the index goes. */
		list_for_each_entry_safe(sp, tsp, &set->active, active_node)
			while (sp->nnz)
				sp_clear(sp, sp_nz(sp)[0]);
		break;
	}
	set->obj.ctime = ktime_get_real_seconds();
	sem_wake(set, wq);
	return 0;
}

static long ipclab_sem_ctl(void __user *argp)
{
	struct ipclab_sem_set *set;
	struct ipclab_semctl arg;
	struct ipclab_obj *obj;
	s32 *values = NULL;
	IPCLAB_DEFINE_WAKE(wq);
	bool all, set_cmd;
	int ret;
	u32 i;

	if (copy_from_user(&arg, argp, sizeof(arg)))
		return -EFAULT;
	if (arg.flags || arg.cmd < IPCLAB_SEMCTL_GETVAL || arg.cmd > IPCLAB_SEMCTL_GETPID)
		return -EINVAL;
	all = arg.cmd == IPCLAB_SEMCTL_GETALL || arg.cmd == IPCLAB_SEMCTL_SETALL;
	set_cmd = arg.cmd == IPCLAB_SEMCTL_SETVAL || arg.cmd == IPCLAB_SEMCTL_SETALL;
	if (arg.cmd == IPCLAB_SEMCTL_SETVAL && (arg.val < 0 || arg.val > sem_max()))
		return -ERANGE;

	obj = ipclab_obj_lookup(arg.id, IPCLAB_TYPE_SEM);
	if (!obj)
		return -EINVAL;
	set = to_set(obj);
	ret = ipclab_perm(obj, set_cmd ? IPCLAB_WRITE : IPCLAB_READ);
	if (ret)
		goto out_put;

	if (all) {
		ret = -EINVAL;
		if (arg.nvalues != set->nsems)
			goto out_put;
		ret = -ENOMEM;
		values = kvcalloc(set->nsems, sizeof(*values), GFP_KERNEL_ACCOUNT);
		if (!values)
			goto out_put;
		arg.num = 0;
	} else if (arg.num >= set->nsems) {
		ret = -EFBIG;
		goto out_put;
	}
	arg.num = array_index_nospec(arg.num, set->nsems);
	if (arg.cmd == IPCLAB_SEMCTL_SETALL) {
		ret = -EFAULT;
		if (copy_from_user(values, u64_to_user_ptr(arg.values),
				   array_size(set->nsems, sizeof(*values))))
			goto out_free;
		ret = -ERANGE;
		for (i = 0; i < set->nsems; i++)
			if (values[i] < 0 || values[i] > sem_max())
				goto out_free;
	}

	ipclab_obj_lock(obj);
	ret = obj->removed ? -EIDRM : sem_ctl_locked(set, &arg, values, &wq);
	ipclab_obj_unlock(obj);
	ipclab_wake_up(&wq);
	if (ret)
		goto out_free;

	if (arg.cmd == IPCLAB_SEMCTL_GETALL &&
	    copy_to_user(u64_to_user_ptr(arg.values), values,
			 array_size(set->nsems, sizeof(*values))))
		ret = -EFAULT;
	else if (!all && !set_cmd && copy_to_user(argp, &arg, sizeof(arg)))
		ret = -EFAULT;
out_free:
	kvfree(values);
out_put:
	ipclab_obj_put(obj);
	return ret;
}

static int sem_check_open(struct ipclab_obj *obj, const struct ipclab_get *get)
{
	return get->sem.nsems > to_set(obj)->nsems ? -EINVAL : 0;
}

/* Apply a process's undo values, clamped to 0..sem_max as SysV clamps. */
static void sem_undo(struct ipclab_sem_set *set, struct ipclab_semproc *sp)
{
	int max = sem_max();
	u32 i;

	for (i = 0; i < sp->nnz; i++) {
		u32 num = sp_nz(sp)[i];
		struct ipclab_sem *sem = &set->sems[num];
		s32 adj = sp_undo(sp)[num];

		if (!adj)
			continue;
		sem->val = clamp(sem->val + adj, 0, max);
		sem_set_lpid(sem, sp->proc->tgid);
		sem_changed(set, num);
		trace_ipclab_undo(set->obj.id, num, adj, sem->val,
				  pid_nr(sp->proc->tgid));
	}
}

/* A process ended: undo, drop its records (no ipclab lock held). */
static void sem_proc_exit(struct ipclab_proc *proc)
{
	struct ipclab_sem_waiter *w, *tw;
	struct ipclab_semproc *sp;
	struct ipclab_record *rec;
	struct ipclab_sem_set *set;
	int bkt;

	for (;;) {
		IPCLAB_DEFINE_WAKE(wq);

		sp = NULL;
		spin_lock(&proc->lock);
		hash_for_each(proc->records, bkt, rec, node) {
			if (rec->obj->type == &ipclab_sem_type) {
				sp = container_of(rec, struct ipclab_semproc, rec);
				break;
			}
		}
		if (!sp) {
			spin_unlock(&proc->lock);
			return;
		}
		/* A linked record means the set is not yet released. */
		set = sp->set;
		kref_get(&set->obj.ref);
		spin_unlock(&proc->lock);

		ipclab_obj_lock(&set->obj);
		if (set->obj.removed) {
			/* Removal unlinked the record and frees it: hands off. */
			sp = NULL;
		} else {
			sem_undo(set, sp);
			/*
			 * A thread still waits here while another closed the
			 * process's last session: its session is gone, so is
			 * its wait (what it would take could never be undone).
			 */
			ipclab_room_for_each_safe(w, tw, &set->room, base.node) {
				if (w->sp != sp)
					continue;
				sem_dequeue(set, w);
				ipclab_waiter_done(&w->base, -EBADF, &wq);
			}
			semproc_unlink(sp);
			sem_wake(set, &wq);
		}
		ipclab_obj_unlock(&set->obj);
		ipclab_wake_up(&wq);
		semproc_free(sp, set->nsems);
		ipclab_obj_put(&set->obj);
		cond_resched();
	}
}

static void sem_remove(struct ipclab_obj *obj, struct ipclab_wake *wq)
{
	struct ipclab_sem_set *set = to_set(obj);
	struct ipclab_sem_waiter *w, *tw;
	struct ipclab_semproc *sp, *tsp;

	lockdep_assert_held(&obj->lock);
	ipclab_room_for_each_safe(w, tw, &set->room, base.node) {
		sem_dequeue(set, w);
		ipclab_waiter_done(&w->base, -EIDRM, wq);
	}
	/* Nothing is left to wake: forget what the dequeues queued. */
	bitmap_zero(set->evpend, set->nsems);
	set->evq_len = 0;
	list_for_each_entry_safe(sp, tsp, &set->semprocs, set_node) {
		semproc_unlink(sp);
		list_add_tail(&sp->set_node, &set->dead);
	}
}

/* After the removal's unlock: free the records it unlinked. */
static void sem_removed(struct ipclab_obj *obj)
{
	struct ipclab_sem_set *set = to_set(obj);
	struct ipclab_semproc *sp, *tsp;

	list_for_each_entry_safe(sp, tsp, &set->dead, set_node) {
		list_del(&sp->set_node);
		semproc_free(sp, set->nsems);
	}
}

/* /proc/sysvipc/sem: the size and otime, no values and no pids. */
static void sem_stat_any(struct ipclab_obj *obj, struct ipclab_stat *st)
{
	lockdep_assert_held(&obj->lock);
	st->perm.otime = obj->otime;
	st->sem.nsems = to_set(obj)->nsems;
}

static void sem_stat(struct ipclab_obj *obj, struct ipclab_stat *st,
		     struct ipclab_snap *snap)
{
	struct ipclab_sem_set *set = to_set(obj);
	struct ipclab_sem_waiter *w;
	struct ipclab_semproc *sp;
	u32 i, n = 0, nops = 0, nh = 0;

	lockdep_assert_held(&obj->lock);
	st->sem.nsems = set->nsems;

	snap->nvalues = set->nsems;
	for (i = 0; i < min(snap->values_cap, set->nsems); i++)
		snap->values[i] = set->sems[i].val;

	ipclab_room_for_each(w, &set->room, base.node) {
		if (n < snap->waiters_cap) {
			ipclab_fill_waiter(&snap->waiters[n], &w->base,
					   IPCLAB_WAITER_SEMOP, snap->now_ns);
			snap->waiters[n].first_op = nops;
			snap->waiters[n].nops = w->nops;
		}
		for (i = 0; i < w->nops && nops + i < snap->ops_cap; i++)
			snap->ops[nops + i] = w->ops[i];
		nops += w->nops;
		n++;
	}
	snap->nwaiters = n;
	snap->nops = nops;

	/* As many as asked for; the count comes from the set. */
	snap->nholders = set->nholders;
	list_for_each_entry(sp, &set->active, active_node) {
		for (i = 0; i < sp->nnz && nh < snap->holders_cap; i++, nh++) {
			u32 num = sp_nz(sp)[i];

			ipclab_fill_holder(&snap->holders[nh], sp->proc, num,
					   sp_held(sp)[num], sp_undo(sp)[num]);
		}
		if (nh >= snap->holders_cap)
			break;
	}
}

/* The units @sp's record says it holds of semaphore @num, if any. */
static s32 sem_held(struct ipclab_semproc *sp, u32 num)
{
	return max(sp_held(sp)[num], 0);
}

/*
 * World stopped (nothing here changes; the set's lock is not needed and
 * not held), preemption off: each semaphore is a resource class; its
 * holders' positive holdings are allocations; each waiter requests the
 * sum of its decrements of each semaphore it names (0: it only waits for
 * zero).  The walk stops when the snapshot is full.
 */
static void sem_snapshot(struct ipclab_obj *obj, struct ipclab_dl_snap *s)
{
	struct ipclab_sem_set *set = to_set(obj);
	struct ipclab_sem_waiter *w;
	struct ipclab_semproc *sp;
	u32 first = 0, i;

	ipclab_world_assert_stopped();
	for (i = 0; i < set->nsems && !ipclab_dl_full(s); i++) {
		struct ipclab_sem *sem = &set->sems[i];
		s64 total = sem->val + sem->held;
		u32 res;

		res = ipclab_dl_res(s, obj, i, sem->val,
				    clamp_t(s64, total, S32_MIN, S32_MAX));
		if (!i)
			first = res;
	}
	list_for_each_entry(sp, &set->active, active_node) {
		for (i = 0; i < sp->nnz && !ipclab_dl_full(s); i++) {
			u32 num = sp_nz(sp)[i];

			if (sem_held(sp, num))
				ipclab_dl_edge(s, IPCLAB_EDGE_HOLD, sp->proc,
					       first + num, sem_held(sp, num), NULL);
		}
	}
	/*
	 * A waiter's requests: what it takes of each semaphore it decrements,
	 * and 0 for each it only waits to be zero.
	 */
	ipclab_room_for_each(w, &set->room, base.node) {
		unsigned long *dec = set->marks;

		if (ipclab_dl_full(s))
			return;
		for (i = 0; i < w->nlinks; i++)
			if (!w->links[i].zero)
				__set_bit(w->links[i].num, dec);
		for (i = 0; i < w->nlinks; i++) {
			const struct sem_link *l = &w->links[i];

			if (l->zero && test_bit(l->num, dec))
				continue;
			ipclab_dl_edge(s, IPCLAB_EDGE_WAIT, w->base.proc,
				       first + l->num, min_t(s64, l->need, S32_MAX),
				       &w->base);
		}
		for (i = 0; i < w->nlinks; i++)
			__clear_bit(w->links[i].num, dec);
	}
}

/*
 * World stopped: whom waiter @wb waits for.  For each semaphore it
 * decrements: the processes holding units of it, if it needs more than
 * the value; and, FIFO being FIFO, the other processes' waiters ahead of
 * it on that semaphore's list.  (The caller's own waiter is not queued
 * yet: every queued decrementer is ahead of it.)  Each look is a step of
 * the check, which stops when told; a semaphore nobody holds costs no
 * walk, and the walk ends with its last holder.
 */
static void sem_holders(struct ipclab_obj *obj,
			const struct ipclab_waiter_base *wb, struct ipclab_dl *dl)
{
	const struct ipclab_sem_waiter *w =
		container_of(wb, struct ipclab_sem_waiter, base);
	struct ipclab_sem_set *set = to_set(obj);
	struct ipclab_semproc *sp;
	struct sem_link *ahead;
	u32 i, found;

	ipclab_world_assert_stopped();
	for (i = 0; i < w->nlinks && ipclab_dl_step(dl); i++) {
		const struct sem_link *l = &w->links[i];
		struct ipclab_sem *sem = &set->sems[l->num];

		if (l->zero)
			continue;
		if (sem->val < l->need && sem->nheld) {
			found = 0;
			list_for_each_entry(sp, &set->active, active_node) {
				if (!ipclab_dl_step(dl))
					break;
				if (!sem_held(sp, l->num))
					continue;
				ipclab_dl_holder(dl, sp->proc, l->num);
				if (++found == sem->nheld)
					break;
			}
		}
		if (!sem_fifo(set))
			continue;
		list_for_each_entry(ahead, &sem->dec, node) {
			if (ahead->w == w || !ipclab_dl_step(dl))
				break;
			if (ahead->w->base.proc != wb->proc)
				ipclab_dl_holder(dl, ahead->w->base.proc, l->num);
		}
	}
}

static void sem_show(struct ipclab_obj *obj, struct seq_file *m, u64 now_ns)
{
	struct ipclab_sem_set *set = to_set(obj);
	struct ipclab_sem_waiter *w;
	struct ipclab_semproc *sp;
	u32 i;

	seq_puts(m, "  values");
	for (i = 0; i < set->nsems; i++)
		seq_printf(m, " %d", set->sems[i].val);
	seq_putc(m, '\n');
	ipclab_room_for_each(w, &set->room, base.node) {
		ipclab_show_waiter(m, &w->base, now_ns);
		seq_puts(m, " ops");
		for (i = 0; i < w->nops; i++)
			seq_printf(m, " %u:%+d%s", w->ops[i].num, w->ops[i].op,
				   w->ops[i].flags & IPCLAB_SEMBUF_UNDO ? "u" : "");
		seq_putc(m, '\n');
	}
	list_for_each_entry(sp, &set->active, active_node) {
		for (i = 0; i < sp->nnz; i++) {
			u32 num = sp_nz(sp)[i];

			seq_printf(m, "  holder pid=%d comm=%s num=%u held=%d undo=%d\n",
				   pid_vnr(sp->proc->tgid), sp->proc->comm,
				   num, sp_held(sp)[num], sp_undo(sp)[num]);
		}
	}
}

/*
 * Sets of one semaphore, the common case (semget(key, 1, ...)), come from
 * a cache of their own: from kmalloc() they would cost the next size up,
 * 512 bytes.  Larger sets are kvzalloc()ed.
 */
static struct kmem_cache *sem_set1_cache;

/*
 * A set of @n semaphores is one allocation: the struct, its semaphores,
 * then the scratch of sem_changed() and the walks: the bitmaps marks
 * (2 @n bits) and evpend (@n bits), and the queue evq (@n entries).
 */
static size_t sem_set_size(u32 n)
{
	size_t bitmaps = array_size(3 * BITS_TO_LONGS(n), sizeof(unsigned long));

	return size_add(size_add(struct_size_t(struct ipclab_sem_set, sems, n),
				 bitmaps),
			array_size(n, sizeof(u32)));
}

static void sem_set_free_rcu(struct rcu_head *rcu)
{
	struct ipclab_sem_set *set = container_of(rcu, struct ipclab_sem_set, obj.rcu);

	if (set->nsems == 1)
		kmem_cache_free(sem_set1_cache, set);
	else
		kvfree(set);
}

static void sem_free(struct ipclab_obj *obj)
{
	struct ipclab_sem_set *set = to_set(obj);
	u32 i;

	for (i = 0; i < set->nsems; i++)
		put_pid(set->sems[i].lpid);
	ipclab_uncharge(obj->user, IPCLAB_RES_SEMS, set->nsems);
	call_rcu(&obj->rcu, sem_set_free_rcu);
}

static struct ipclab_obj *sem_create(const struct ipclab_get *get,
				     struct ipclab_user *user)
{
	struct ipclab_sem_set *set;
	u32 n = get->sem.nsems, i;
	size_t words;

	if (!n || n > min(READ_ONCE(ipclab_max_sems), IPCLAB_SEMS_CEIL))
		return ERR_PTR(-EINVAL);
	/* A set's memory grows with its semaphores: limited, as SEMMNS. */
	if (ipclab_charge(user, IPCLAB_RES_SEMS, n,
			  READ_ONCE(ipclab_max_sems_per_user),
			  READ_ONCE(ipclab_max_sems_total)))
		return ERR_PTR(-ENOSPC);

	if (n == 1)
		set = kmem_cache_zalloc(sem_set1_cache, GFP_KERNEL_ACCOUNT);
	else
		set = kvzalloc(sem_set_size(n), GFP_KERNEL_ACCOUNT);
	if (!set)
		goto err_uncharge;
	words = BITS_TO_LONGS(n);
	set->marks = (unsigned long *)&set->sems[n];
	set->evpend = set->marks + 2 * words;
	set->evq = (u32 *)(set->evpend + words);
	set->nsems = n;
	for (i = 0; i < n; i++) {
		INIT_LIST_HEAD(&set->sems[i].dec);
		INIT_LIST_HEAD(&set->sems[i].zero);
	}
	ipclab_room_init(&set->room);
	INIT_LIST_HEAD(&set->semprocs);
	INIT_LIST_HEAD(&set->active);
	INIT_LIST_HEAD(&set->dead);
	ipclab_obj_init(&set->obj, &ipclab_sem_type, get->mode);
	return &set->obj;

err_uncharge:
	ipclab_uncharge(user, IPCLAB_RES_SEMS, n);
	return ERR_PTR(-ENOMEM);
}

static int sem_init(void)
{
	sem_set1_cache = kmem_cache_create("ipclab_sem_set1", sem_set_size(1),
					   0, SLAB_ACCOUNT, NULL);
	return sem_set1_cache ? 0 : -ENOMEM;
}

/* After the last set's sem_free(): its memory is freed after a grace period. */
static void sem_exit(void)
{
	rcu_barrier();
	kmem_cache_destroy(sem_set1_cache);
}

static void sem_limits(struct ipclab_limits *l)
{
	l->max_sems = READ_ONCE(ipclab_max_sems);
	l->max_ops = READ_ONCE(ipclab_max_ops);
	l->sem_max = READ_ONCE(ipclab_sem_max);
	l->max_sem_records_per_user = READ_ONCE(ipclab_max_sem_records_per_user);
	l->max_sems_per_user = READ_ONCE(ipclab_max_sems_per_user);
	l->max_sems_total = READ_ONCE(ipclab_max_sems_total);
	l->max_queued_ops = READ_ONCE(ipclab_max_queued_ops);
}

static void sem_usage(struct ipclab_usage *u, const atomic_long_t *used)
{
	u->sem_sets = atomic_long_read(&used[IPCLAB_RES_OBJECTS + IPCLAB_TYPE_SEM]);
	u->sems = atomic_long_read(&used[IPCLAB_RES_SEMS]);
	u->sem_records = atomic_long_read(&used[IPCLAB_RES_SEM_RECORDS]);
}

static const struct ipclab_ioctl sem_ioctls[] = {
	{ IPCLAB_IOC_SEM_OP, ipclab_sem_op },
	{ IPCLAB_IOC_SEM_CTL, ipclab_sem_ctl },
	{ }
};

const struct ipclab_type ipclab_sem_type = {
	.name		= "sem",
	.nr		= IPCLAB_TYPE_SEM,
	.create_flags	= IPCLAB_REFUSE_DEADLOCK | IPCLAB_NOFIFO,
	/* sem.pad is not the type's: the core checks it is zero */
	.get_size	= sizeof_field(struct ipclab_get, sem.nsems),
	.ioctls		= sem_ioctls,
	.init		= sem_init,
	.exit		= sem_exit,
	.create		= sem_create,
	.check_open	= sem_check_open,
	.proc_exit	= sem_proc_exit,
	.limits		= sem_limits,
	.usage		= sem_usage,
	.remove		= sem_remove,
	.removed	= sem_removed,
	.stat		= sem_stat,
	.stat_any	= sem_stat_any,
	.snapshot	= sem_snapshot,
	.holders	= sem_holders,
	.show		= sem_show,
	.free		= sem_free,
};
