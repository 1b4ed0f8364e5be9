// SPDX-License-Identifier: GPL-2.0
/*
 * ipclab semaphore sets: Dijkstra's P and V, SysV-style atomic operation
 * lists, and a waiting room with strict FIFO handoff.
 *
 * A set has nsems semaphores.  One IPCLAB_IOC_SEM_OP applies a list of
 * operations all at once or not at all.  A caller that must wait queues
 * in the set's waiting room with its operations; whoever changes the set
 * runs sem_wake(), which walks the room in arrival order and performs
 * the operations of every waiter that can now proceed, on its behalf.
 *
 * FIFO: a waiter that wants to decrement semaphore k blocks every later
 * decrement of k, whether it arrives later (sems[k].ndec > 0) or waits
 * further back in the room (the scan's "blocked" bitmap).  Waits for zero
 * take nothing and block nobody.
 *
 * Per-process records (struct ipclab_semproc, one per process and set)
 * hold what each process took and gave (its holdings, read by the
 * deadlock detector) and its undo values (SysV's semadj).  A record is on
 * its set's list (set lock) and its process's list (process lock) and is
 * freed by whichever of set removal and process cleanup comes first.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/nospec.h>
#include <linux/overflow.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "ipclab.h"
#include "trace.h"

/* Operation lists up to this long are copied to the stack. */
#define IPCLAB_SEMOPS_FAST	8

struct ipclab_sem {
	int val;
	u32 ndec;		/* waiters in the room that decrement it */
	struct pid *lpid;	/* last process to operate on it */
};

struct ipclab_semproc {
	struct list_head set_node;	/* in set->semprocs, set lock */
	struct list_head proc_node;	/* in proc->semprocs, proc lock */
	struct ipclab_proc *proc;
	struct ipclab_sem_set *set;
	s32 vals[];			/* held[nsems], then undo[nsems] */
};

struct ipclab_sem_set {
	struct ipclab_obj obj;
	u32 nsems;

	/* Protected by obj.lock. */
	struct list_head waiters;	/* struct ipclab_sem_waiter, FIFO */
	struct list_head semprocs;	/* struct ipclab_semproc.set_node */
	u32 nops;			/* operations of all waiters */
	unsigned long *blocked;		/* scratch for sem_wake() */
	unsigned long *counted;		/* scratch for sem_count() */
	struct ipclab_sem sems[];
};

struct ipclab_sem_waiter {
	struct ipclab_waiter_base base;
	struct ipclab_semproc *sp;	/* the process's record, or NULL */
	const struct ipclab_sembuf *ops;
	u32 nops;
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

/* Is the set's waiting room FIFO (the default)? */
static bool sem_fifo(const struct ipclab_sem_set *set)
{
	return !(set->obj.flags & IPCLAB_SEM_NOFIFO);
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

/**
 * sem_apply() - try to perform a list of operations, all or nothing
 * @set:      the set, locked
 * @ops:      the operations (indices already checked)
 * @nops:     how many
 * @sp:       the process's record for holdings and undo, or NULL
 * @pid:      the process on whose behalf they are performed
 * @blocking: out: index of the operation that must wait
 *
 * State only: nobody is woken here.
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
		if ((ops[i].flags & IPCLAB_SEM_UNDO) && sp) {
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
		if (sp)
			sp_held(sp)[num] = sem_sat_sub(sp_held(sp)[num], ops[i].op);
		trace_ipclab_semop(set->obj.id, num, ops[i].op,
				   set->sems[num].val, pid_nr(pid));
	}
	return 0;

undo:
	while (i--) {
		set->sems[ops[i].num].val -= ops[i].op;
		if ((ops[i].flags & IPCLAB_SEM_UNDO) && sp)
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

/*
 * Count @w once in ndec of each semaphore it decrements (@d is +1 or -1),
 * for the FIFO rule.  set->counted is scratch space for this alone.
 */
static void sem_count(struct ipclab_sem_set *set,
		      const struct ipclab_sem_waiter *w, int d)
{
	u32 i;

	bitmap_zero(set->counted, set->nsems);
	for (i = 0; i < w->nops; i++)
		if (w->ops[i].op < 0 && !__test_and_set_bit(w->ops[i].num, set->counted))
			set->sems[w->ops[i].num].ndec += d;
}

static void sem_queue(struct ipclab_sem_set *set, struct ipclab_sem_waiter *w)
{
	lockdep_assert_held(&set->obj.lock);
	ipclab_world_assert_held();
	list_add_tail(&w->base.node, &set->waiters);
	ipclab_waiter_link(&w->base);
	set->obj.nwaiters++;
	set->nops += w->nops;
	sem_count(set, w, 1);
}

static void sem_dequeue(struct ipclab_sem_set *set, struct ipclab_sem_waiter *w)
{
	lockdep_assert_held(&set->obj.lock);
	ipclab_world_assert_held();
	list_del_init(&w->base.node);
	ipclab_waiter_unlink(&w->base);
	set->obj.nwaiters--;
	set->nops -= w->nops;
	sem_count(set, w, -1);
}

/*
 * Does an earlier waiter in this scan wait to decrement what @w
 * decrements?  Return the index of the first such operation, or -1.
 */
static int sem_fifo_blocked(struct ipclab_sem_set *set,
			    const struct ipclab_sem_waiter *w)
{
	u32 i;

	for (i = 0; i < w->nops; i++)
		if (w->ops[i].op < 0 && test_bit(w->ops[i].num, set->blocked))
			return i;
	return -1;
}

static void sem_mark_blocked(struct ipclab_sem_set *set,
			     const struct ipclab_sem_waiter *w)
{
	u32 i;

	for (i = 0; i < w->nops; i++)
		if (w->ops[i].op < 0)
			__set_bit(w->ops[i].num, set->blocked);
}

/**
 * sem_wake() - let every waiter that can proceed, in FIFO order, proceed
 * @set: the set, locked
 * @wq:  collects the tasks to wake after unlocking
 *
 * A waiter whose operations succeed may make an earlier waiter's possible
 * (it incremented, or brought a value to zero), so the scan starts over
 * after each success that changed a value.
 */
static void sem_wake(struct ipclab_sem_set *set, struct ipclab_wake *wq)
{
	struct ipclab_sem_waiter *w, *tmp;
	bool changed;
	int blocking, ret;

	lockdep_assert_held(&set->obj.lock);
restart:
	bitmap_zero(set->blocked, set->nsems);
	list_for_each_entry_safe(w, tmp, &set->waiters, base.node) {
		blocking = sem_fifo(set) ? sem_fifo_blocked(set, w) : -1;
		if (blocking >= 0) {
			w->blocking = blocking;
			sem_mark_blocked(set, w);
			continue;
		}
		ret = sem_apply(set, w->ops, w->nops, w->sp,
				task_tgid(w->base.task), &blocking);
		if (ret == -EAGAIN) {
			w->blocking = blocking;
			sem_mark_blocked(set, w);
			continue;
		}
		changed = !ret && sem_changes(w->ops, w->nops);
		sem_dequeue(set, w);
		if (!ret) {
			set->obj.otime = ktime_get_real_seconds();
			put_pid(set->obj.lpid);
			set->obj.lpid = get_pid(task_tgid(w->base.task));
		}
		/* w may vanish as soon as it has its result. */
		ipclab_waiter_done(&w->base, ret, wq);
		if (changed)
			goto restart;
	}
}

static struct ipclab_semproc *semproc_find(struct ipclab_sem_set *set,
					   struct ipclab_proc *proc)
{
	struct ipclab_semproc *sp;

	lockdep_assert_held(&set->obj.lock);
	list_for_each_entry(sp, &set->semprocs, set_node)
		if (sp->proc == proc)
			return sp;
	return NULL;
}

static void semproc_link(struct ipclab_sem_set *set, struct ipclab_semproc *sp,
			 struct ipclab_proc *proc)
{
	lockdep_assert_held(&set->obj.lock);
	ipclab_world_assert_held();
	sp->proc = proc;
	sp->set = set;
	list_add_tail(&sp->set_node, &set->semprocs);
	spin_lock(&proc->lock);
	list_add_tail(&sp->proc_node, &proc->semprocs);
	spin_unlock(&proc->lock);
}

static void semproc_unlink(struct ipclab_semproc *sp)
{
	lockdep_assert_held(&sp->set->obj.lock);
	ipclab_world_assert_held();
	spin_lock(&sp->proc->lock);
	list_del(&sp->proc_node);
	spin_unlock(&sp->proc->lock);
	list_del(&sp->set_node);
}

static int sem_ops_valid(struct ipclab_sembuf *ops, u32 nops, u32 nsems)
{
	const u32 known = IPCLAB_SEM_UNDO | IPCLAB_SEM_NOWAIT;
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

/* A waiter gave up (signal, timeout): leave, or take the result it got. */
static int sem_cancel(struct ipclab_sem_set *set, struct ipclab_sem_waiter *w,
		      int reason, struct ipclab_wake *wq)
{
	int ret = reason;

	ipclab_world_enter();
	spin_lock(&set->obj.lock);
	if (w->base.status == -EINPROGRESS) {
		ipclab_waiter_gave_up(&w->base, reason);
		sem_dequeue(set, w);
		/* Its place in line blocked others; they may go now. */
		sem_wake(set, wq);
	} else {
		ret = w->base.status;
	}
	spin_unlock(&set->obj.lock);
	ipclab_world_leave();
	return ret;
}

/**
 * sem_op_locked() - the locked part of IPCLAB_IOC_SEM_OP
 * @set:   the set, locked
 * @proc:  the calling process
 * @fresh: a new record for @proc, used (and cleared) if it has none
 * @ops:   the operations, validated
 * @nops:  how many
 * @t:     the wait request
 * @w:     the caller's waiter, queued if it must wait
 * @wq:    collects the tasks to wake
 * @stopped: the world is stopped (ipclab_world_stop())
 *
 * Return: 0 or an error if the call is over; -EINPROGRESS if @w was
 * queued and the caller must sleep; -ENOLINK if @proc has no record for
 * this set and @fresh is NULL (allocate one and call again);
 * IPCLAB_STOP_WORLD if it must wait on a set that refuses deadlocks (stop
 * the world and call again); IPCLAB_CHECK if, with the world stopped, it
 * must wait on such a set: @w is ready but not queued.
 */
static int sem_op_locked(struct ipclab_sem_set *set, struct ipclab_proc *proc,
			 struct ipclab_semproc **fresh,
			 const struct ipclab_sembuf *ops, u32 nops,
			 const struct ipclab_timeout *t,
			 struct ipclab_sem_waiter *w, struct ipclab_wake *wq,
			 bool stopped)
{
	struct ipclab_semproc *sp;
	int blocking;
	int ret;

	lockdep_assert_held(&set->obj.lock);
	if (set->obj.removed)
		return -EIDRM;
	sp = semproc_find(set, proc);
	if (!sp && !*fresh)
		return -ENOLINK;
	if (!sp) {
		sp = *fresh;
		*fresh = NULL;
		semproc_link(set, sp, proc);
	}

	/* FIFO: a decrement waits behind any waiting decrement of the same. */
	blocking = nops;
	if (sem_fifo(set))
		for (blocking = 0; blocking < nops; blocking++)
			if (ops[blocking].op < 0 &&
			    set->sems[ops[blocking].num].ndec)
				break;
	if (blocking < nops)
		ret = -EAGAIN;
	else
		ret = sem_apply(set, ops, nops, sp, task_tgid(current), &blocking);

	if (!ret) {
		ipclab_obj_touch(&set->obj);
		if (sem_changes(ops, nops))
			sem_wake(set, wq);
		return 0;
	}
	if (ret != -EAGAIN)
		return ret;
	if (t->nowait || (ops[blocking].flags & IPCLAB_SEM_NOWAIT))
		return -EAGAIN;
	if (set->obj.nwaiters >= READ_ONCE(ipclab_max_waiters))
		return -ENOSPC;

	ipclab_waiter_init(&w->base, proc, &set->obj);
	w->sp = sp;
	w->ops = ops;
	w->nops = nops;
	w->blocking = blocking;
	if (set->obj.flags & IPCLAB_REFUSE_DEADLOCK)
		return stopped ? IPCLAB_CHECK : IPCLAB_STOP_WORLD;
	sem_queue(set, w);
	return -EINPROGRESS;
}

long ipclab_sem_op(void __user *argp)
{
	struct ipclab_sembuf fast[IPCLAB_SEMOPS_FAST], *ops = fast;
	struct ipclab_semproc *fresh = NULL;
	struct ipclab_sem_waiter w = {};
	struct ipclab_dl dl = {};
	bool stopped = false;
	struct ipclab_sem_set *set;
	struct ipclab_proc *proc;
	struct ipclab_obj *obj;
	struct ipclab_semop arg;
	struct ipclab_timeout t;
	IPCLAB_DEFINE_WAKE(wq);
	int ret;

	if (copy_from_user(&arg, argp, sizeof(arg)))
		return -EFAULT;
	if (arg.pad || !arg.nops)
		return -EINVAL;
	if (arg.nops > READ_ONCE(ipclab_max_ops))
		return -E2BIG;
	ret = ipclab_timeout_init(&t, arg.flags, arg.timeout);
	if (ret)
		return ret;

	if (arg.nops > IPCLAB_SEMOPS_FAST) {
		ops = kvmalloc_array(arg.nops, sizeof(*ops), GFP_KERNEL_ACCOUNT);
		if (!ops)
			return -ENOMEM;
	}
	if (copy_from_user(ops, u64_to_user_ptr(arg.ops),
			   array_size(arg.nops, sizeof(*ops)))) {
		ret = -EFAULT;
		goto out_free;
	}

	obj = ipclab_obj_lookup(arg.id, IPCLAB_TYPE_SEM);
	if (!obj) {
		ret = -EINVAL;
		goto out_free;
	}
	set = to_set(obj);
	/* As semop(2): waiting for zero only needs to read. */
	ret = sem_ops_valid(ops, arg.nops, set->nsems) ?:
	      ipclab_perm(obj, sem_changes(ops, arg.nops) ? 2 : 4);
	if (ret)
		goto out_put;

	proc = ipclab_proc_current();
	if (IS_ERR(proc)) {
		ret = PTR_ERR(proc);
		goto out_put;
	}

	for (;;) {
		if (stopped) {
			ret = ipclab_world_stop(&dl);
			if (ret)
				break;
		} else {
			ipclab_world_enter();
		}
		spin_lock(&obj->lock);
		ret = sem_op_locked(set, proc, &fresh, ops, arg.nops, &t, &w,
				    &wq, stopped);
		spin_unlock(&obj->lock);
		if (ret == IPCLAB_CHECK) {
			/* Nothing changes while the world stands still. */
			ret = ipclab_deadlock_check(&dl, &w.base);
			if (!ret) {
				spin_lock(&obj->lock);
				sem_queue(set, &w);
				spin_unlock(&obj->lock);
				ret = -EINPROGRESS;
			}
		}
		if (stopped)
			ipclab_world_restart(&dl, proc, ret);
		else
			ipclab_world_leave();

		if (ret == IPCLAB_STOP_WORLD) {
			/* It must wait, and the set refuses deadlocks: look. */
			stopped = true;
		} else if (ret == -ENOLINK) {
			/* First use of this set by this process: a record. */
			fresh = kzalloc(struct_size(fresh, vals, 2 * set->nsems),
					GFP_KERNEL_ACCOUNT);
			if (!fresh) {
				ret = -ENOMEM;
				goto out_put_proc;
			}
		} else {
			break;
		}
	}

	if (ret == -EINPROGRESS) {
		ret = ipclab_sleep(&w.base, &t);
		if (ret)
			ret = sem_cancel(set, &w, ret, &wq);
		else
			ret = w.base.status;
	}
	ipclab_wake_up(&wq);
	kfree(fresh);
out_put_proc:
	ipclab_proc_put(proc);
out_put:
	ipclab_obj_put(obj);
out_free:
	if (ops != fast)
		kvfree(ops);
	return ret;
}

/* SETVAL/SETALL start the semaphore afresh: nobody holds or owes it. */
static void sem_reset_records(struct ipclab_sem_set *set, u32 num)
{
	struct ipclab_semproc *sp;

	list_for_each_entry(sp, &set->semprocs, set_node) {
		sp_held(sp)[num] = 0;
		sp_undo(sp)[num] = 0;
	}
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

	list_for_each_entry(w, &set->waiters, base.node) {
		const struct ipclab_sembuf *op = &w->ops[w->blocking];

		if (op->num == num && (zero ? op->op == 0 : op->op < 0))
			n++;
	}
	return n;
}

static int sem_ctl_locked(struct ipclab_sem_set *set, struct ipclab_semctl *arg,
			  s32 *values, struct ipclab_wake *wq)
{
	struct ipclab_sem *sem = &set->sems[arg->num];
	struct pid *me = task_tgid(current);
	u32 i;

	lockdep_assert_held(&set->obj.lock);
	ipclab_world_assert_held();
	switch (arg->cmd) {
	case IPCLAB_SEM_GETVAL:
		arg->val = sem->val;
		return 0;
	case IPCLAB_SEM_GETNCNT:
	case IPCLAB_SEM_GETZCNT:
		arg->val = sem_count_waiting(set, arg->num,
					     arg->cmd == IPCLAB_SEM_GETZCNT);
		return 0;
	case IPCLAB_SEM_GETPID:
		arg->val = sem->lpid ? pid_vnr(sem->lpid) : 0;
		return 0;
	case IPCLAB_SEM_GETALL:
		for (i = 0; i < set->nsems; i++)
			values[i] = set->sems[i].val;
		return 0;
	case IPCLAB_SEM_SETVAL:
		sem->val = arg->val;
		sem_set_lpid(sem, me);
		sem_reset_records(set, arg->num);
		break;
	case IPCLAB_SEM_SETALL:
		for (i = 0; i < set->nsems; i++) {
			set->sems[i].val = values[i];
			sem_set_lpid(&set->sems[i], me);
			sem_reset_records(set, i);
		}
		break;
	}
	set->obj.ctime = ktime_get_real_seconds();
	sem_wake(set, wq);
	return 0;
}

long ipclab_sem_ctl(void __user *argp)
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
	if (arg.pad || arg.cmd < IPCLAB_SEM_GETVAL || arg.cmd > IPCLAB_SEM_GETPID)
		return -EINVAL;
	all = arg.cmd == IPCLAB_SEM_GETALL || arg.cmd == IPCLAB_SEM_SETALL;
	set_cmd = arg.cmd == IPCLAB_SEM_SETVAL || arg.cmd == IPCLAB_SEM_SETALL;
	if (arg.cmd == IPCLAB_SEM_SETVAL && (arg.val < 0 || arg.val > sem_max()))
		return -ERANGE;

	obj = ipclab_obj_lookup(arg.id, IPCLAB_TYPE_SEM);
	if (!obj)
		return -EINVAL;
	set = to_set(obj);
	ret = ipclab_perm(obj, set_cmd ? 2 : 4);
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
	if (arg.cmd == IPCLAB_SEM_SETALL) {
		ret = -EFAULT;
		if (copy_from_user(values, u64_to_user_ptr(arg.values),
				   array_size(set->nsems, sizeof(*values))))
			goto out_free;
		ret = -ERANGE;
		for (i = 0; i < set->nsems; i++)
			if (values[i] < 0 || values[i] > sem_max())
				goto out_free;
	}

	ipclab_world_enter();
	spin_lock(&obj->lock);
	ret = obj->removed ? -EIDRM : sem_ctl_locked(set, &arg, values, &wq);
	spin_unlock(&obj->lock);
	ipclab_world_leave();
	ipclab_wake_up(&wq);
	if (ret)
		goto out_free;

	if (arg.cmd == IPCLAB_SEM_GETALL &&
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

int ipclab_sem_check_open(struct ipclab_obj *obj, const struct ipclab_get *get)
{
	return get->nsems > to_set(obj)->nsems ? -EINVAL : 0;
}

/* Apply a process's undo values, clamped to 0..sem_max as SysV clamps. */
static void sem_undo(struct ipclab_sem_set *set, struct ipclab_semproc *sp)
{
	int max = sem_max();
	u32 i;

	for (i = 0; i < set->nsems; i++) {
		struct ipclab_sem *sem = &set->sems[i];
		s32 adj = sp_undo(sp)[i];

		if (!adj)
			continue;
		sem->val = clamp(sem->val + adj, 0, max);
		sem_set_lpid(sem, sp->proc->tgid);
		trace_ipclab_undo(set->obj.id, i, adj, sem->val,
				  pid_nr(sp->proc->tgid));
	}
}

/**
 * ipclab_sem_proc_exit() - a process ended: undo, drop its records
 * @proc: the process
 *
 * Context: process context, no ipclab lock held.
 */
void ipclab_sem_proc_exit(struct ipclab_proc *proc)
{
	struct ipclab_sem_waiter *w, *tw;
	struct ipclab_semproc *sp;
	struct ipclab_sem_set *set;

	for (;;) {
		IPCLAB_DEFINE_WAKE(wq);

		spin_lock(&proc->lock);
		sp = list_first_entry_or_null(&proc->semprocs,
					      struct ipclab_semproc, proc_node);
		if (!sp) {
			spin_unlock(&proc->lock);
			return;
		}
		/* A linked record means the set is not yet released. */
		set = sp->set;
		kref_get(&set->obj.ref);
		spin_unlock(&proc->lock);

		ipclab_world_enter();
		spin_lock(&set->obj.lock);
		if (set->obj.removed) {
			/* Removal unlinked and freed the record. */
			sp = NULL;
		} else {
			sem_undo(set, sp);
			semproc_unlink(sp);
			/*
			 * A thread still waits here while another closed the
			 * process's last session: its session is gone, so is
			 * its wait (what it would take could never be undone).
			 */
			list_for_each_entry_safe(w, tw, &set->waiters, base.node) {
				if (w->sp != sp)
					continue;
				sem_dequeue(set, w);
				ipclab_waiter_done(&w->base, -EBADF, &wq);
			}
			sem_wake(set, &wq);
		}
		spin_unlock(&set->obj.lock);
		ipclab_world_leave();
		ipclab_wake_up(&wq);
		kfree(sp);
		ipclab_obj_put(&set->obj);
	}
}

static void sem_remove(struct ipclab_obj *obj, struct ipclab_wake *wq)
{
	struct ipclab_sem_set *set = to_set(obj);
	struct ipclab_sem_waiter *w, *tw;
	struct ipclab_semproc *sp, *tsp;

	lockdep_assert_held(&obj->lock);
	list_for_each_entry_safe(w, tw, &set->waiters, base.node) {
		sem_dequeue(set, w);
		ipclab_waiter_done(&w->base, -EIDRM, wq);
	}
	list_for_each_entry_safe(sp, tsp, &set->semprocs, set_node) {
		semproc_unlink(sp);
		kfree(sp);
	}
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

	list_for_each_entry(w, &set->waiters, base.node) {
		if (n < snap->waiters_cap) {
			ipclab_fill_waiter(&snap->waiters[n], &w->base,
					   IPCLAB_WAIT_SEMOP, snap->now_ns);
			snap->waiters[n].first_op = nops;
			snap->waiters[n].nops = w->nops;
		}
		for (i = 0; i < w->nops; i++, nops++)
			if (nops < snap->ops_cap)
				snap->ops[nops] = w->ops[i];
		n++;
	}
	snap->nwaiters = n;
	snap->nops = nops;

	list_for_each_entry(sp, &set->semprocs, set_node) {
		for (i = 0; i < set->nsems; i++) {
			if (!sp_held(sp)[i] && !sp_undo(sp)[i])
				continue;
			if (nh < snap->holders_cap)
				ipclab_fill_holder(&snap->holders[nh], sp->proc, i,
						   sp_held(sp)[i], sp_undo(sp)[i]);
			nh++;
		}
	}
	snap->nholders = nh;
}

/* The units @proc's record says it holds of semaphore @num, if any. */
static s32 sem_held(const struct ipclab_semproc *sp, u32 num)
{
	return max(sp->vals[num], 0);
}

/* The units waiter @w takes from semaphore ops[first].num, from @first on. */
static s64 sem_need(const struct ipclab_sem_waiter *w, u32 first)
{
	u32 num = w->ops[first].num, i;
	s64 need = 0;

	for (i = first; i < w->nops; i++)
		if (w->ops[i].num == num && w->ops[i].op < 0)
			need -= w->ops[i].op;
	return need;
}

/* Does waiter @w decrement semaphore @num? */
static bool sem_decrements(const struct ipclab_sem_waiter *w, u32 num)
{
	u32 i;

	for (i = 0; i < w->nops; i++)
		if (w->ops[i].num == num && w->ops[i].op < 0)
			return true;
	return false;
}

/*
 * World stopped (nothing here changes; the set's lock is not needed and
 * not held, so that a large set can take its time): each semaphore is a
 * resource class; its holders' positive holdings are allocations; each
 * waiter requests the sum of its decrements of each semaphore it names
 * (0: it only waits for zero).
 */
static void sem_snapshot(struct ipclab_obj *obj, struct ipclab_dl_snap *s)
{
	struct ipclab_sem_set *set = to_set(obj);
	struct ipclab_sem_waiter *w;
	struct ipclab_semproc *sp;
	u32 first = 0, i;

	ipclab_world_assert_stopped();
	for (i = 0; i < set->nsems; i++) {
		s32 total = set->sems[i].val;
		u32 res;

		list_for_each_entry(sp, &set->semprocs, set_node)
			total = sem_sat_sub(total, -sem_held(sp, i));
		res = ipclab_dl_res(s, obj, i, set->sems[i].val, total);
		if (!i)
			first = res;
		cond_resched();
	}
	list_for_each_entry(sp, &set->semprocs, set_node)
		for (i = 0; i < set->nsems; i++)
			if (sem_held(sp, i))
				ipclab_dl_edge(s, IPCLAB_EDGE_HOLD, sp->proc,
					       first + i, sem_held(sp, i), NULL);
	list_for_each_entry(w, &set->waiters, base.node) {
		bitmap_zero(set->counted, set->nsems);
		for (i = 0; i < w->nops; i++) {
			u32 num = w->ops[i].num;

			if (w->ops[i].op > 0 || __test_and_set_bit(num, set->counted))
				continue;
			ipclab_dl_edge(s, IPCLAB_EDGE_WAIT, w->base.proc,
				       first + num,
				       min_t(s64, sem_need(w, i), S32_MAX),
				       &w->base);
		}
		cond_resched();
	}
}

/*
 * World stopped: whom waiter @wb waits for.  For each semaphore it
 * decrements: the processes holding units of it, if it needs more than
 * the value; and, FIFO being FIFO, the other processes' waiters ahead of
 * it in the room that decrement it too.  (The caller's own waiter is not
 * queued yet: every queued waiter is ahead of it.)
 */
static void sem_holders(struct ipclab_obj *obj,
			const struct ipclab_waiter_base *wb, struct ipclab_dl *dl)
{
	const struct ipclab_sem_waiter *w =
		container_of(wb, struct ipclab_sem_waiter, base);
	struct ipclab_sem_set *set = to_set(obj);
	struct ipclab_sem_waiter *ahead;
	struct ipclab_semproc *sp;
	u32 i;

	ipclab_world_assert_stopped();
	bitmap_zero(set->counted, set->nsems);
	for (i = 0; i < w->nops; i++) {
		u32 num = w->ops[i].num;

		if (w->ops[i].op >= 0 || __test_and_set_bit(num, set->counted))
			continue;
		if (set->sems[num].val < sem_need(w, i))
			list_for_each_entry(sp, &set->semprocs, set_node)
				if (sem_held(sp, num))
					ipclab_dl_holder(dl, sp->proc, num);
		list_for_each_entry(ahead, &set->waiters, base.node) {
			if (ahead == w || !sem_fifo(set))
				break;
			if (ahead->base.proc != wb->proc &&
			    sem_decrements(ahead, num))
				ipclab_dl_holder(dl, ahead->base.proc, num);
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
	list_for_each_entry(w, &set->waiters, base.node) {
		ipclab_show_waiter(m, &w->base, now_ns);
		seq_puts(m, " ops");
		for (i = 0; i < w->nops; i++)
			seq_printf(m, " %u:%+d%s", w->ops[i].num, w->ops[i].op,
				   w->ops[i].flags & IPCLAB_SEM_UNDO ? "u" : "");
		seq_putc(m, '\n');
	}
	list_for_each_entry(sp, &set->semprocs, set_node)
		for (i = 0; i < set->nsems; i++)
			if (sp_held(sp)[i] || sp_undo(sp)[i])
				seq_printf(m, "  holder pid=%d comm=%s num=%u held=%d undo=%d\n",
					   pid_vnr(sp->proc->tgid), sp->proc->comm,
					   i, sp_held(sp)[i], sp_undo(sp)[i]);
}

static void sem_free(struct ipclab_obj *obj)
{
	struct ipclab_sem_set *set = to_set(obj);
	u32 i;

	for (i = 0; i < set->nsems; i++)
		put_pid(set->sems[i].lpid);
	bitmap_free(set->blocked);
	kvfree_rcu(set, obj.rcu);
}

const struct ipclab_type_ops ipclab_sem_ops = {
	.name	= "sem",
	.remove	= sem_remove,
	.stat	= sem_stat,
	.snapshot = sem_snapshot,
	.holders = sem_holders,
	.show	= sem_show,
	.free	= sem_free,
};

struct ipclab_obj *ipclab_sem_create(const struct ipclab_get *get)
{
	struct ipclab_sem_set *set;
	u32 n = get->nsems;

	if (!n || n > min(READ_ONCE(ipclab_max_sems), IPCLAB_SEMS_CEIL))
		return ERR_PTR(-EINVAL);

	set = kvzalloc(struct_size(set, sems, n), GFP_KERNEL_ACCOUNT);
	if (!set)
		return ERR_PTR(-ENOMEM);
	/* Both scratch bitmaps in one allocation. */
	set->blocked = bitmap_zalloc(2 * BITS_TO_LONGS(n) * BITS_PER_LONG,
				     GFP_KERNEL_ACCOUNT);
	if (!set->blocked) {
		kvfree(set);
		return ERR_PTR(-ENOMEM);
	}
	set->counted = set->blocked + BITS_TO_LONGS(n);
	set->nsems = n;
	INIT_LIST_HEAD(&set->waiters);
	INIT_LIST_HEAD(&set->semprocs);
	ipclab_obj_init(&set->obj, &ipclab_sem_ops, IPCLAB_TYPE_SEM, get->mode);
	return &set->obj;
}
