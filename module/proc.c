// SPDX-License-Identifier: GPL-2.0
/*
 * ipclab processes: what the primitives keep for each process that uses
 * them -- what it holds, what it owes, what it owns, where it waits.
 *
 * "A process" is a thread group.  struct ipclab_proc is created the first
 * time a process needs one and lives in a hash keyed by its struct pid
 * (which it holds a reference to, so the key cannot be reused).
 *
 * The end.  A process ends for ipclab exactly once, by whichever comes
 * first:
 *
 *  - its exit.  Each record hooks a wait-queue entry onto its tgid's
 *    pidfd wait queue, which the kernel wakes when the thread group has
 *    exited (that is what makes a pidfd readable).  The wake-up, in atomic
 *    context, only queues the record for a look; a work item checks that
 *    the whole group is gone and ends it.  This does not depend on what
 *    became of the process's fds: shared with another process
 *    (CLONE_FILES), passed over a socket, still open anywhere.
 *  - the close of its last session fd, which ->flush sees (core.c tells
 *    whether one is left; where it cannot tell cheaply, the exit decides).
 *
 * Ending unhashes the record (under ipclab_procs_lock: that is what makes
 * it exactly once), unhooks the wait entry, and lets every primitive end
 * what it kept for the process (its type's proc_exit(): undo values
 * applied, holdings dropped, owned objects given up).  The structure is freed
 * when its last reference goes; ioctls still running for the process (a
 * sibling thread blocked while another closed the last fd) hold one, and
 * whatever they add after the end is cleaned up at release.  A thread
 * that keeps using ipclab after such an end gets a new record, which ends
 * at the exit at the latest.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hashtable.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "ipclab.h"

unsigned int ipclab_max_procs_per_user = 4096;
static struct ipclab_uint_param ipclab_max_procs_per_user_param = {
	.var = &ipclab_max_procs_per_user, .lo = 0, .hi = 1U << 22,
};
module_param_cb(max_procs_per_user, &ipclab_uint_param_ops, &ipclab_max_procs_per_user_param, 0644);
MODULE_PARM_DESC(max_procs_per_user, "Processes of one uid that ipclab keeps state for (ENOSPC)");

static DEFINE_HASHTABLE(ipclab_procs, 8);
static DEFINE_SPINLOCK(ipclab_procs_lock);	/* the hash and proc->hashed */

/* Live struct ipclab_proc, hashed or not: bounds the deadlock check's walk. */
atomic_t ipclab_nprocs = ATOMIC_INIT(0);

/* Records whose process's pidfd queue was woken: have a look. */
static LLIST_HEAD(ipclab_exits);
static void ipclab_exits_work(struct work_struct *work);
static DECLARE_WORK(ipclab_exit_work, ipclab_exits_work);

static void ipclab_proc_cleanup(struct ipclab_proc *proc)
{
	ipclab_types_proc_exit(proc);
}

static void ipclab_proc_release(struct kref *ref)
{
	struct ipclab_proc *proc = container_of(ref, struct ipclab_proc, ref);

	ipclab_proc_cleanup(proc);
	ipclab_proc_free_cycle(proc);
	put_pid(proc->tgid);
	ipclab_uncharge(proc->user, IPCLAB_RES_PROCS, 1);
	ipclab_user_put(proc->user);
	atomic_dec(&ipclab_nprocs);
	kfree_rcu(proc, rcu);
}

/**
 * ipclab_proc_put() - drop a reference to a process
 * @proc: the process
 *
 * Context: process context, no ipclab lock held: the last put cleans up.
 */
void ipclab_proc_put(struct ipclab_proc *proc)
{
	kref_put(&proc->ref, ipclab_proc_release);
}

static struct ipclab_proc *ipclab_proc_find(struct pid *tgid)
{
	struct ipclab_proc *proc;

	hash_for_each_possible_rcu(ipclab_procs, proc, node, (unsigned long)tgid)
		if (proc->tgid == tgid && kref_get_unless_zero(&proc->ref))
			return proc;
	return NULL;
}

/*
 * The tgid's pidfd wait queue was woken: the thread group may have
 * exited.  Atomic context (the waker holds tasklist_lock): queue the
 * record for ipclab_exits_work() and take a reference for the queue.
 * The entry is on the wait queue only while the record is hashed, which
 * holds a reference, so taking one here is safe.
 */
static int ipclab_proc_woken(struct wait_queue_entry *wait, unsigned int mode,
			     int sync, void *key)
{
	struct ipclab_proc *proc = container_of(wait, struct ipclab_proc,
						exit_wait);

	if (!test_and_set_bit(0, &proc->exit_queued)) {
		kref_get(&proc->ref);
		llist_add(&proc->exit_node, &ipclab_exits);
		queue_work(system_unbound_wq, &ipclab_exit_work);
	}
	return 0;
}

/* Has every thread of the process exited? */
static bool ipclab_proc_gone(struct ipclab_proc *proc)
{
	struct task_struct *leader;
	bool gone;

	rcu_read_lock();
	leader = pid_task(proc->tgid, PIDTYPE_TGID);
	gone = !leader || !atomic_read(&leader->signal->live);
	rcu_read_unlock();
	return gone;
}

/*
 * End @proc unless it has ended already.  Called by whoever noticed the
 * end; the caller holds a reference of its own.
 */
static void ipclab_proc_end(struct ipclab_proc *proc)
{
	bool mine;

	spin_lock(&ipclab_procs_lock);
	mine = proc->hashed;
	if (mine) {
		hash_del_rcu(&proc->node);
		proc->hashed = false;
	}
	spin_unlock(&ipclab_procs_lock);
	if (!mine)
		return;

	/* After this, no wake-up can queue the record again. */
	remove_wait_queue(&proc->tgid->wait_pidfd, &proc->exit_wait);
	ipclab_proc_cleanup(proc);
	ipclab_proc_put(proc);		/* the hash's reference */
}

static void ipclab_exits_work(struct work_struct *work)
{
	struct ipclab_proc *proc, *next;
	struct llist_node *list = llist_del_all(&ipclab_exits);

	llist_for_each_entry_safe(proc, next, list, exit_node) {
		/* A wake-up from now on queues it again. */
		clear_bit(0, &proc->exit_queued);
		/*
		 * Clear the bit before looking, so that an exit completing
		 * after the look queues the record for the next one (pairs
		 * with test_and_set_bit() in the wake-up).
		 */
		smp_mb__after_atomic();
		if (ipclab_proc_gone(proc))
			ipclab_proc_end(proc);
		ipclab_proc_put(proc);	/* the queue's reference */
		cond_resched();
	}
}

/**
 * ipclab_proc_find_current() - the calling process, if it has a record
 *
 * Return: a referenced process, or NULL.
 */
struct ipclab_proc *ipclab_proc_find_current(void)
{
	struct ipclab_proc *proc;

	rcu_read_lock();
	proc = ipclab_proc_find_current_rcu();
	rcu_read_unlock();
	return proc;
}

/**
 * ipclab_proc_find_current_rcu() - ipclab_proc_find_current() for a
 * caller already inside an RCU read-side section
 *
 * Context: rcu_read_lock() held.
 * Return: a referenced process, or NULL.
 */
struct ipclab_proc *ipclab_proc_find_current_rcu(void)
{
	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "ipclab processes looked up without RCU");
	return ipclab_proc_find(task_tgid(current));
}

/**
 * ipclab_proc_peek_rcu() - the calling process, without a reference
 *
 * For a caller that uses it only inside its RCU read-side section and
 * reaches what the process has only through records it finds under an
 * object's lock (the end of the process unlinks them under that lock):
 * the memory stays until the section ends, but the process may end
 * meanwhile.
 *
 * Context: rcu_read_lock() held.
 * Return: the process, or NULL if it has no record.
 */
struct ipclab_proc *ipclab_proc_peek_rcu(void)
{
	struct pid *tgid = task_tgid(current);
	struct ipclab_proc *proc;

	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "ipclab processes looked up without RCU");
	hash_for_each_possible_rcu(ipclab_procs, proc, node, (unsigned long)tgid)
		if (proc->tgid == tgid)
			return proc;
	return NULL;
}

static struct ipclab_proc *ipclab_proc_alloc(struct pid *tgid)
{
	struct ipclab_user *user = ipclab_user_current();
	struct ipclab_proc *proc;
	int ret;

	if (IS_ERR(user))
		return ERR_CAST(user);
	ret = ipclab_charge(user, IPCLAB_RES_PROCS, 1,
			    READ_ONCE(ipclab_max_procs_per_user), ULONG_MAX);
	if (ret) {
		ipclab_user_put(user);
		return ERR_PTR(ret);
	}
	proc = kzalloc(sizeof(*proc), GFP_KERNEL_ACCOUNT);
	if (!proc) {
		ipclab_uncharge(user, IPCLAB_RES_PROCS, 1);
		ipclab_user_put(user);
		return ERR_PTR(-ENOMEM);
	}
	kref_init(&proc->ref);		/* the caller's reference */
	spin_lock_init(&proc->lock);
	hash_init(proc->records);
	INIT_LIST_HEAD(&proc->owned);
	INIT_LIST_HEAD(&proc->waits);
	INIT_HLIST_NODE(&proc->node);
	init_waitqueue_func_entry(&proc->exit_wait, ipclab_proc_woken);
	mutex_init(&proc->cycle_lock);
	proc->tgid = get_pid(tgid);
	proc->user = user;
	get_task_comm(proc->comm, current->group_leader);
	atomic_inc(&ipclab_nprocs);
	return proc;
}

/**
 * ipclab_proc_current() - the calling process, created on first use
 *
 * A new record is hashed and hooked to the process's exit at once: the
 * caller is one of the process's threads, alive, so the exit is still
 * to come.
 *
 * Return: a referenced process, ERR_PTR(-ENOSPC) when its user has
 * max_procs_per_user processes with records, or ERR_PTR(-ENOMEM).
 */
struct ipclab_proc *ipclab_proc_current(void)
{
	struct pid *tgid = task_tgid(current);
	struct ipclab_proc *proc, *fresh;

	proc = ipclab_proc_find_current();
	if (proc)
		return proc;

	fresh = ipclab_proc_alloc(tgid);
	if (IS_ERR(fresh))
		return fresh;

	spin_lock(&ipclab_procs_lock);
	proc = ipclab_proc_find(tgid);
	if (!proc) {
		proc = fresh;
		fresh = NULL;
		kref_get(&proc->ref);	/* the hash's reference */
		proc->hashed = true;
		hash_add_rcu(ipclab_procs, &proc->node, (unsigned long)tgid);
		add_wait_queue(&tgid->wait_pidfd, &proc->exit_wait);
	}
	spin_unlock(&ipclab_procs_lock);

	if (fresh)
		ipclab_proc_put(fresh);
	return proc;
}

/**
 * ipclab_proc_closed() - a session fd of the current process was closed
 * @files: the fd table it was closed from
 *
 * If the process certainly has no session fd left, it has ended for
 * ipclab.
 *
 * Context: process context (->flush), no ipclab lock held.
 */
void ipclab_proc_closed(struct files_struct *files)
{
	struct ipclab_proc *proc = ipclab_proc_find_current();

	if (!proc)
		return;
	if (!ipclab_session_left(files))
		ipclab_proc_end(proc);
	ipclab_proc_put(proc);
}

/**
 * ipclab_procs_exit() - end every process, at module unload
 *
 * Every session is closed, but processes that used ipclab may still
 * live; they end now, and the exit work is drained.
 */
void ipclab_procs_exit(void)
{
	struct ipclab_proc *proc;
	int bkt;

	for (;;) {
		proc = NULL;
		spin_lock(&ipclab_procs_lock);
		hash_for_each(ipclab_procs, bkt, proc, node) {
			kref_get(&proc->ref);
			break;
		}
		spin_unlock(&ipclab_procs_lock);
		if (!proc)
			break;
		ipclab_proc_end(proc);
		ipclab_proc_put(proc);
	}
	/* Wake-ups that came before the entries were unhooked. */
	flush_work(&ipclab_exit_work);
	WARN_ON(atomic_read(&ipclab_nprocs));
}
