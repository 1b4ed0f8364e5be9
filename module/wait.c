// SPDX-License-Identifier: GPL-2.0
/*
 * ipclab waiting: waiting rooms, timeouts, sleeping, and handing a result
 * to a waiter.
 *
 * Every primitive waits the same way.  A waiting room (struct
 * ipclab_room) is a list of waiters in arrival order; an object has one
 * or more, and the object counts every waiter in any of them (nwaiters,
 * within max_waiters, and for its user within max_waiters_per_user): the
 * room functions alone keep those counts.  The waiter, on its task's
 * stack, enters a room under the object's lock (ipclab_room_add()) and
 * sleeps in ipclab_call_sleep() until somebody decides its fate with
 * ipclab_waiter_done(), having taken it out of the room, or until a
 * signal or the timeout ends the wait; in that case the waiter takes the
 * object's lock again and either leaves the room (its type's cancel())
 * or, if it was decided meanwhile, takes the result it was given.
 * Removal fails a room's waiters at once, and a primitive that lets a
 * whole room go does the same with its own status (ipclab_room_done_all()).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/timekeeping.h>

#include "ipclab.h"
#include "trace.h"

unsigned int ipclab_max_waiters = 1024;
static struct ipclab_uint_param ipclab_max_waiters_param = {
	.var = &ipclab_max_waiters, .lo = 0, .hi = 1U << 20,
};
module_param_cb(max_waiters, &ipclab_uint_param_ops, &ipclab_max_waiters_param, 0644);
MODULE_PARM_DESC(max_waiters, "Waiters in one object's waiting room (ENOSPC)");

unsigned int ipclab_max_waiters_per_user = 4096;
static struct ipclab_uint_param ipclab_max_waiters_per_user_param = {
	.var = &ipclab_max_waiters_per_user, .lo = 0, .hi = 1U << 22,
};
module_param_cb(max_waiters_per_user, &ipclab_uint_param_ops,
		&ipclab_max_waiters_per_user_param, 0644);
MODULE_PARM_DESC(max_waiters_per_user, "Threads of one uid waiting at once, in all rooms (ENOSPC)");

static atomic64_t ipclab_tickets = ATOMIC64_INIT(0);

/**
 * ipclab_timeout_init() - validate IPCLAB_WAIT_* flags and a timeout
 * @t:       the request to fill
 * @flags:   IPCLAB_WAIT_* from userspace
 * @timeout: nanoseconds, relative (WAIT_TIMEOUT) or absolute (WAIT_ABSTIME)
 *
 * Return: 0, or -EINVAL for unknown flags, both kinds of timeout, or a
 * timeout value without a timeout flag.
 */
int ipclab_timeout_init(struct ipclab_timeout *t, u32 flags, u64 timeout)
{
	const u32 known = IPCLAB_WAIT_NOWAIT | IPCLAB_WAIT_TIMEOUT |
			  IPCLAB_WAIT_ABSTIME;

	if (flags & ~known)
		return -EINVAL;
	if ((flags & IPCLAB_WAIT_TIMEOUT) && (flags & IPCLAB_WAIT_ABSTIME))
		return -EINVAL;

	t->nowait = flags & IPCLAB_WAIT_NOWAIT;
	t->forever = !(flags & (IPCLAB_WAIT_TIMEOUT | IPCLAB_WAIT_ABSTIME));
	if (t->forever)
		return timeout ? -EINVAL : 0;

	/* Clamp instead of wrapping: a huge timeout is simply very long. */
	if (timeout > KTIME_MAX)
		timeout = KTIME_MAX;
	if (flags & IPCLAB_WAIT_ABSTIME)
		t->expires = (ktime_t)timeout;
	else
		t->expires = ktime_add_safe(ktime_get(), (ktime_t)timeout);
	return 0;
}

/**
 * ipclab_waiter_init() - describe the current task as a waiter
 * @w:    the waiter, on the caller's stack
 * @proc: the caller's process; the caller keeps its reference
 * @obj:  the object it waits on; the caller keeps its reference
 *
 * Called with the object's lock held, before the waiter is queued in the
 * same locked section (or, on an object that refuses deadlocks, with the
 * world stopped, so that nobody queues in between): the ticket orders
 * waiters as the room does.  It only reads the clock and the task's
 * command name, neither of which sleeps.
 */
void ipclab_waiter_init(struct ipclab_waiter_base *w, struct ipclab_proc *proc,
			struct ipclab_obj *obj)
{
	INIT_LIST_HEAD(&w->node);
	INIT_LIST_HEAD(&w->proc_node);
	w->room = NULL;
	w->task = current;
	w->proc = proc;
	w->obj = obj;
	w->ticket = atomic64_inc_return(&ipclab_tickets);
	w->start_ns = ktime_get_ns();
	get_task_comm(w->comm, current);
	w->reader = false;
	w->status = -EINPROGRESS;
}

/**
 * ipclab_room_init() - an empty waiting room
 * @room: the room, in its object
 */
void ipclab_room_init(struct ipclab_room *room)
{
	INIT_LIST_HEAD(&room->waiters);
	room->n = 0;
}

/**
 * ipclab_room_stat() - a room's waiters for IPCLAB_IOC_STAT, in order
 * @room: the room; its object's lock is held
 * @snap: the snapshot: waiters are added after the snap->nwaiters there
 * @kind: IPCLAB_WAITER_* of every waiter of the room
 *
 * For a room of plain waiters; a type whose waiters say more (the
 * operations they wait to do, the message they carry) fills its own.
 */
void ipclab_room_stat(struct ipclab_room *room, struct ipclab_snap *snap,
		      u32 kind)
{
	struct ipclab_waiter_base *w;
	u32 n = snap->nwaiters;

	list_for_each_entry(w, &room->waiters, node) {
		lockdep_assert_held(&w->obj->lock);
		if (n < snap->waiters_cap)
			ipclab_fill_waiter(&snap->waiters[n], w, kind, snap->now_ns);
		n++;
	}
	snap->nwaiters = n;
}

/**
 * ipclab_room_space() - whether the object's rooms have space for @w
 * @w: the waiter, initialised; its object's lock is held
 *
 * ipclab_room_add()'s check of the object's count, for a caller that
 * must know before it does work for the waiter (stopping the world, say).
 * A waiter that only looks, with read permission (w->reader: a command
 * that changes nothing, such as a wait for zero), may take only half of
 * the room, so that looking is never enough to shut the object's writers
 * out.  (A command that consumes what it waits for counts as any
 * waiter, whatever permission it needs.)
 *
 * Return: 0, or -ENOSPC.
 */
int ipclab_room_space(const struct ipclab_waiter_base *w)
{
	u32 max = READ_ONCE(ipclab_max_waiters);

	lockdep_assert_held(&w->obj->lock);
	if (w->obj->nwaiters >= max)
		return -ENOSPC;
	if (w->reader && w->obj->nreaders >= max / 2)
		return -ENOSPC;
	return 0;
}

/**
 * ipclab_room_add() - a waiter enters a waiting room, last
 * @room: one of its object's rooms
 * @w:    the waiter, initialised; its object's lock is held
 *
 * Counts the waiter in its object's nwaiters and for its user, within
 * max_waiters and max_waiters_per_user.  A waiter on a resource of the
 * deadlock world also shows in its process's waits, which the deadlock
 * check walks from a process to what its threads wait for.  The trace
 * shows it blocked from here on.  Every waiter added leaves with
 * ipclab_room_del().
 *
 * Return: 0, or -ENOSPC (nothing done).
 */
int ipclab_room_add(struct ipclab_room *room, struct ipclab_waiter_base *w)
{
	int ret = ipclab_room_space(w);

	if (ret)
		return ret;
	if (ipclab_charge(w->proc->user, IPCLAB_RES_WAITERS, 1,
			  READ_ONCE(ipclab_max_waiters_per_user), ULONG_MAX))
		return -ENOSPC;
	w->obj->nwaiters++;
	w->obj->nreaders += w->reader;
	room->n++;
	w->room = room;
	list_add_tail(&w->node, &room->waiters);
	if (ipclab_obj_in_world(w->obj)) {
		ipclab_world_assert_held();
		spin_lock(&w->proc->lock);
		list_add_tail(&w->proc_node, &w->proc->waits);
		spin_unlock(&w->proc->lock);
	}
	trace_ipclab_block(w);
	return 0;
}

/**
 * ipclab_room_del() - a waiter leaves its waiting room
 * @w: a waiter added by ipclab_room_add(); its object's lock is held
 *
 * Whoever takes a waiter out decides its fate next (ipclab_waiter_done()),
 * unless it is the waiter itself, giving up.
 */
void ipclab_room_del(struct ipclab_waiter_base *w)
{
	lockdep_assert_held(&w->obj->lock);
	/* Taken out twice is a type's bug: counts would go wrong. */
	if (WARN_ON_ONCE(!w->room))
		return;
	list_del_init(&w->node);
	w->room->n--;
	w->room = NULL;
	if (ipclab_obj_in_world(w->obj)) {
		ipclab_world_assert_held();
		spin_lock(&w->proc->lock);
		list_del_init(&w->proc_node);
		spin_unlock(&w->proc->lock);
	}
	w->obj->nwaiters--;
	w->obj->nreaders -= w->reader;
	ipclab_uncharge(w->proc->user, IPCLAB_RES_WAITERS, 1);
}

/**
 * ipclab_room_done_all() - every waiter of a room gets @status, in order
 * @room:   the room; its object's lock is held
 * @status: what their commands return (-EIDRM at removal; 0 to let them
 *          all go)
 * @wq:     collects the tasks to wake after the unlock
 */
void ipclab_room_done_all(struct ipclab_room *room, int status,
			  struct ipclab_wake *wq)
{
	struct ipclab_waiter_base *w, *tmp;

	list_for_each_entry_safe(w, tmp, &room->waiters, node) {
		ipclab_room_del(w);
		ipclab_waiter_done(w, status, wq);
	}
}

/*
 * Wait until decided, interrupted, or out of time.  Return: 0 when
 * somebody decided the waiter's fate (read w->status); -EINTR or
 * -ETIMEDOUT when the wait ended without a decision, in which case the
 * caller must take the object's lock and look again, because the
 * decision may have been made just now.
 */
static int ipclab_sleep(struct ipclab_waiter_base *w, const struct ipclab_timeout *t)
{
	ktime_t expires = t->expires;
	int ret = 0;

	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		/* Pairs with ipclab_waiter_done(): the result, then the rest. */
		if (smp_load_acquire(&w->status) != -EINPROGRESS)
			break;
		if (signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		if (t->forever) {
			schedule();
		} else if (!schedule_hrtimeout_range(&expires,
						     current->timer_slack_ns,
						     HRTIMER_MODE_ABS)) {
			ret = -ETIMEDOUT;
			break;
		}
	}
	__set_current_state(TASK_RUNNING);
	return ret;
}

/**
 * ipclab_call_sleep() - sleep in the room until decided, or give up
 * @c: the call, its waiter queued by its type's enqueue()
 *
 * A signal or the timeout ends the wait: then, under the object's lock,
 * a waiter still undecided leaves the room (the type's cancel(), which
 * lets go whom its place held back), and one decided meanwhile takes its
 * result: a wait that was decided while it was ending is a wake, not a
 * timeout or a signal, for the caller and for the trace.
 *
 * Context: process context, no lock held.
 * Return: the waiter's result, or -EINTR or -ETIMEDOUT.
 */
int ipclab_call_sleep(struct ipclab_call *c)
{
	struct ipclab_waiter_base *w = c->w;
	int ret;

	ret = ipclab_sleep(w, &c->t);
	if (!ret)
		return w->status;

	ipclab_obj_lock(c->obj);
	if (w->status == -EINPROGRESS) {
		if (ret == -ETIMEDOUT)
			trace_ipclab_timeout(w);
		else
			trace_ipclab_signal(w);
		if (c->ops->cancel)
			c->ops->cancel(c);
		else
			ipclab_room_del(w);
	} else {
		ret = w->status;
	}
	ipclab_obj_unlock(c->obj);
	ipclab_wake_up(&c->wq);
	return ret;
}

/**
 * ipclab_waiter_done() - decide a waiter's fate and arrange its wake-up
 * @w:      a waiter that the caller has just taken off its queue
 * @status: what its ioctl returns
 * @wq:     where to collect the task, to wake after the lock is dropped
 *
 * After the release store the waiter may return and its stack is gone:
 * @w must not be touched again, and the task is reached only through the
 * reference taken first.
 */
void ipclab_waiter_done(struct ipclab_waiter_base *w, int status,
			struct ipclab_wake *wq)
{
	struct task_struct *task = get_task_struct(w->task);

	trace_ipclab_wake(w, status);
	/* Pairs with ipclab_sleep(): everything done for w, then status. */
	smp_store_release(&w->status, status);
	if (wq->n < IPCLAB_WAKE_BATCH) {
		wq->tasks[wq->n++] = task;
	} else {
		wake_up_process(task);
		put_task_struct(task);
	}
}

/**
 * ipclab_wake_up() - wake the tasks collected by ipclab_waiter_done()
 * @wq: the collection; empty afterwards
 */
void ipclab_wake_up(struct ipclab_wake *wq)
{
	unsigned int i;

	for (i = 0; i < wq->n; i++) {
		wake_up_process(wq->tasks[i]);
		put_task_struct(wq->tasks[i]);
	}
	wq->n = 0;
}

/**
 * ipclab_fill_waiter() - describe a waiter for IPCLAB_IOC_STAT
 * @out:    the entry to fill
 * @w:      the waiter (its object's lock is held)
 * @kind:   IPCLAB_WAITER_*
 * @now_ns: the snapshot's time
 */
void ipclab_fill_waiter(struct ipclab_waiter *out,
			const struct ipclab_waiter_base *w, u32 kind, u64 now_ns)
{
	memset(out, 0, sizeof(*out));
	out->pid = task_tgid_vnr(w->task);
	out->tid = task_pid_vnr(w->task);
	memcpy(out->comm, w->comm, sizeof(out->comm));
	out->ticket = w->ticket;
	out->waited_ns = now_ns - w->start_ns;
	out->kind = kind;
}
