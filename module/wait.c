// SPDX-License-Identifier: GPL-2.0
/*
 * ipclab waiting: timeouts, sleeping, and handing a result to a waiter.
 *
 * Every primitive waits the same way.  The waiter queues itself under the
 * object's lock and sleeps in ipclab_sleep() until somebody decides its
 * fate with ipclab_waiter_done(), or until a signal or the timeout ends
 * the wait; in that case the waiter takes the object's lock again and
 * either leaves the queue or, if it was decided meanwhile, takes the
 * result it was given.
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
 * Called with the object's lock held, just before the waiter is queued,
 * so that the ticket orders waiters as the queue does; it only reads the
 * clock and the task's command name, neither of which sleeps.
 */
void ipclab_waiter_init(struct ipclab_waiter_base *w, struct ipclab_proc *proc,
			struct ipclab_obj *obj)
{
	INIT_LIST_HEAD(&w->node);
	INIT_LIST_HEAD(&w->proc_node);
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
 * ipclab_waiter_room() - whether the waiting room has room for @w
 * @w: the waiter, initialised; its object's lock is held
 *
 * ipclab_waiter_enter()'s check of the room, for a caller that must know
 * before it does work for the waiter (stopping the world, say).
 *
 * Return: 0, or -ENOSPC.
 */
int ipclab_waiter_room(const struct ipclab_waiter_base *w)
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
 * ipclab_waiter_enter() - count a waiter into its object's waiting room
 * @w: the waiter, initialised; its object's lock is held
 *
 * The room's list is the type's; this counts the waiter in the object's
 * nwaiters and for its user, within max_waiters and max_waiters_per_user.
 * A waiter that only looks, with read permission (w->reader: a semaphore
 * list that waits for zero and changes nothing), may take only half of
 * the room, so that looking is never enough to shut the object's writers
 * out.  (A receive takes a message: read permission on a mailbox is the
 * power to consume, so a receiver counts as any waiter.)  Every waiter counted in
 * leaves with ipclab_waiter_leave().
 *
 * Return: 0, or -ENOSPC (nothing counted).
 */
int ipclab_waiter_enter(struct ipclab_waiter_base *w)
{
	int ret = ipclab_waiter_room(w);

	if (ret)
		return ret;
	if (ipclab_charge(w->proc->user, IPCLAB_RES_WAITERS, 1,
			  READ_ONCE(ipclab_max_waiters_per_user), ULONG_MAX))
		return -ENOSPC;
	w->obj->nwaiters++;
	w->obj->nreaders += w->reader;
	return 0;
}

/**
 * ipclab_waiter_leave() - count a waiter out of its room
 * @w: a waiter counted in by ipclab_waiter_enter(); its object's lock is held
 */
void ipclab_waiter_leave(struct ipclab_waiter_base *w)
{
	lockdep_assert_held(&w->obj->lock);
	w->obj->nwaiters--;
	w->obj->nreaders -= w->reader;
	ipclab_uncharge(w->proc->user, IPCLAB_RES_WAITERS, 1);
}

/**
 * ipclab_waiter_link() - show a queued waiter in its process's waits
 * @w: a waiter on a semaphore set or mutex, queued under its object's lock
 *
 * The deadlock check walks from a process to what its threads wait for.
 * The trace shows the waiter blocked from here on.
 */
void ipclab_waiter_link(struct ipclab_waiter_base *w)
{
	lockdep_assert_held(&w->obj->lock);
	ipclab_world_assert_held();
	trace_ipclab_block(w);
	spin_lock(&w->proc->lock);
	list_add_tail(&w->proc_node, &w->proc->waits);
	spin_unlock(&w->proc->lock);
}

/* The waiter leaves its object's waiting room: under the object's lock. */
void ipclab_waiter_unlink(struct ipclab_waiter_base *w)
{
	lockdep_assert_held(&w->obj->lock);
	ipclab_world_assert_held();
	spin_lock(&w->proc->lock);
	list_del_init(&w->proc_node);
	spin_unlock(&w->proc->lock);
}

/**
 * ipclab_sleep() - wait until decided, interrupted, or out of time
 * @w: a queued waiter
 * @t: the timeout
 *
 * Return: 0 when somebody decided the waiter's fate (read w->status);
 * -EINTR or -ETIMEDOUT when the wait ended without a decision, in which
 * case the caller must take the object's lock and look again, because the
 * decision may have been made just now.
 */
int ipclab_sleep(struct ipclab_waiter_base *w, const struct ipclab_timeout *t)
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
 * ipclab_waiter_gave_up() - a waiter leaves its room undecided
 * @w:      the waiter, still queued (its object's lock is held)
 * @reason: -EINTR or -ETIMEDOUT from ipclab_sleep()
 *
 * For the trace: a wait that was decided while it was ending is a wake,
 * not a timeout or a signal.
 */
void ipclab_waiter_gave_up(const struct ipclab_waiter_base *w, int reason)
{
	if (reason == -ETIMEDOUT)
		trace_ipclab_timeout(w);
	else
		trace_ipclab_signal(w);
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
 * @kind:   IPCLAB_WAIT_*
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
