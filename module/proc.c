// SPDX-License-Identifier: GPL-2.0
/*
 * ipclab processes: who holds what, whose undo is whose, who owns a mutex.
 *
 * "A process" is a thread group.  struct ipclab_proc is created the first
 * time a process needs one and lives in a hash keyed by its struct pid
 * (which it holds a reference to, so the key cannot be reused).
 *
 * A process ends for ipclab when it closes its last /dev/ipclab session
 * fd; exit() does that, SIGKILL included (core.c sees it in ->flush).
 * ipclab_proc_exit() then unhashes the process and cleans up at once:
 * undo values are applied, holdings dropped, owned mutexes become
 * owner-dead.  The structure itself is freed when its last reference
 * goes; ioctls still running for the process (a sibling thread blocked
 * while another closes the fd) hold one, and whatever they add to the
 * process after the cleanup is cleaned up again at release.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hashtable.h>
#include <linux/slab.h>

#include "ipclab.h"

static DEFINE_HASHTABLE(ipclab_procs, 8);
static DEFINE_SPINLOCK(ipclab_procs_lock);

/* Live struct ipclab_proc, hashed or not: bounds the deadlock check's walk. */
atomic_t ipclab_nprocs = ATOMIC_INIT(0);

static void ipclab_proc_cleanup(struct ipclab_proc *proc)
{
	ipclab_sem_proc_exit(proc);
	ipclab_mutex_proc_exit(proc);
}

static void ipclab_proc_release(struct kref *ref)
{
	struct ipclab_proc *proc = container_of(ref, struct ipclab_proc, ref);

	ipclab_proc_cleanup(proc);
	ipclab_proc_free_cycle(proc);
	put_pid(proc->tgid);
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

/**
 * ipclab_proc_current() - the calling process, created on first use
 *
 * A process whose last session fd was closed while this ioctl was on its
 * way in gets a process that is not hashed: no ->flush would ever come to
 * end it, so it ends with this call's reference instead.  The check and
 * ipclab_proc_exit() both run under ipclab_procs_lock, so one of them
 * always sees the other.
 *
 * Return: a referenced process, or ERR_PTR(-ENOMEM).
 */
struct ipclab_proc *ipclab_proc_current(void)
{
	struct pid *tgid = task_tgid(current);
	struct ipclab_proc *proc, *fresh;

	rcu_read_lock();
	proc = ipclab_proc_find(tgid);
	rcu_read_unlock();
	if (proc)
		return proc;

	fresh = kzalloc(sizeof(*fresh), GFP_KERNEL_ACCOUNT);
	if (!fresh)
		return ERR_PTR(-ENOMEM);
	kref_init(&fresh->ref);		/* the caller's reference */
	spin_lock_init(&fresh->lock);
	INIT_LIST_HEAD(&fresh->semprocs);
	INIT_LIST_HEAD(&fresh->mutexes);
	INIT_LIST_HEAD(&fresh->waits);
	INIT_HLIST_NODE(&fresh->node);
	mutex_init(&fresh->cycle_lock);
	fresh->tgid = get_pid(tgid);
	get_task_comm(fresh->comm, current->group_leader);

	spin_lock(&ipclab_procs_lock);
	proc = ipclab_proc_find(tgid);
	if (!proc) {
		proc = fresh;
		fresh = NULL;
		atomic_inc(&ipclab_nprocs);
		if (ipclab_session_left(NULL)) {
			kref_get(&proc->ref);	/* the hash's reference */
			hash_add_rcu(ipclab_procs, &proc->node, (unsigned long)tgid);
		}
	}
	spin_unlock(&ipclab_procs_lock);

	if (fresh) {
		put_pid(fresh->tgid);
		kfree(fresh);
	}
	return proc;
}

/**
 * ipclab_proc_exit() - a session fd of the current process was closed
 * @tgid:  the process
 * @files: the fd table it was closed from
 *
 * If the process has no session fd left, it has ended for ipclab.
 *
 * Context: process context (->flush), no ipclab lock held.
 */
void ipclab_proc_exit(struct pid *tgid, struct files_struct *files)
{
	struct ipclab_proc *proc;

	spin_lock(&ipclab_procs_lock);
	proc = ipclab_session_left(files) ? NULL : ipclab_proc_find(tgid);
	if (proc)
		hash_del_rcu(&proc->node);
	spin_unlock(&ipclab_procs_lock);
	if (!proc)
		return;

	ipclab_proc_cleanup(proc);
	ipclab_proc_put(proc);		/* the hash's reference */
	ipclab_proc_put(proc);		/* ours */
}

/* Module unload: every session is closed, so every process has ended. */
void ipclab_procs_exit(void)
{
	struct ipclab_proc *proc;
	struct hlist_node *tmp;
	int bkt;

	spin_lock(&ipclab_procs_lock);
	hash_for_each_safe(ipclab_procs, bkt, tmp, proc, node) {
		hash_del_rcu(&proc->node);
		spin_unlock(&ipclab_procs_lock);
		ipclab_proc_put(proc);
		spin_lock(&ipclab_procs_lock);
	}
	spin_unlock(&ipclab_procs_lock);
}
