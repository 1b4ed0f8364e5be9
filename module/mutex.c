// SPDX-License-Identifier: GPL-2.0
/*
 * ipclab mutexes: a lock with an owner, FIFO handoff, and robustness.
 *
 * The owner is a process (struct ipclab_proc); the mutex is on the
 * owner's list of owned objects (proc lock) so that the owner's end can
 * find it.  Unlock hands the mutex straight to the first waiter, which returns
 * from its lock ioctl as the new owner: nobody can barge in between.
 *
 * Robust states, as POSIX robust mutexes:
 *   LOCKED --owner ends--> OWNERDEAD (no waiter) or INCONSISTENT (first
 *   waiter gets it with -EOWNERDEAD); OWNERDEAD --lock--> INCONSISTENT
 *   (-EOWNERDEAD); INCONSISTENT --consistent--> LOCKED;
 *   INCONSISTENT --unlock--> NOTRECOVERABLE (every lock fails).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "ipclab.h"
#include "trace.h"
#define CREATE_TRACE_POINTS
#include "mutex_trace.h"

struct ipclab_mutex {
	struct ipclab_obj obj;

	/* Protected by obj.lock. */
	u32 state;			/* IPCLAB_MUTEX_* */
	struct ipclab_proc *owner;	/* NULL when no process owns it */
	struct ipclab_owned owned;	/* in owner->owned (also proc lock) */
	struct pid *owner_tid;		/* the thread that locked it */
	u64 locks;			/* times it was acquired */
	struct ipclab_room room;	/* struct ipclab_waiter_base, FIFO */
};

static inline struct ipclab_mutex *to_mutex(struct ipclab_obj *obj)
{
	return container_of(obj, struct ipclab_mutex, obj);
}

/* Make @proc the owner; @tid is the locking thread. */
static void mutex_set_owner(struct ipclab_mutex *m, struct ipclab_proc *proc,
			    struct pid *tid)
{
	lockdep_assert_held(&m->obj.lock);
	ipclab_world_assert_held();
	m->owner = proc;
	put_pid(m->owner_tid);
	m->owner_tid = get_pid(tid);
	m->locks++;
	spin_lock(&proc->lock);
	list_add_tail(&m->owned.node, &proc->owned);
	spin_unlock(&proc->lock);
}

static void mutex_clear_owner(struct ipclab_mutex *m)
{
	lockdep_assert_held(&m->obj.lock);
	ipclab_world_assert_held();
	spin_lock(&m->owner->lock);
	list_del_init(&m->owned.node);
	spin_unlock(&m->owner->lock);
	m->owner = NULL;
	put_pid(m->owner_tid);
	m->owner_tid = NULL;
}

/*
 * The owner let go (unlock, or it ended).  Give the mutex to the first
 * waiter with @status, or leave it without owner in @idle_state.
 */
static void mutex_handoff(struct ipclab_mutex *m, int status, u32 idle_state,
			  struct ipclab_wake *wq)
{
	struct ipclab_waiter_base *w;

	lockdep_assert_held(&m->obj.lock);
	mutex_clear_owner(m);
	w = ipclab_room_first(&m->room, struct ipclab_waiter_base, node);
	if (!w) {
		m->state = idle_state;
		return;
	}
	ipclab_room_del(w);
	mutex_set_owner(m, w->proc, task_pid(w->task));
	trace_ipclab_lock(m->obj.id, task_tgid_nr(w->task), status);
	m->state = status == -EOWNERDEAD ? IPCLAB_MUTEX_INCONSISTENT :
					    IPCLAB_MUTEX_LOCKED;
	m->obj.otime = ktime_get_real_seconds();
	put_pid(m->obj.lpid);
	m->obj.lpid = get_pid(task_tgid(w->task));
	ipclab_waiter_done(w, status, wq);
}

/* Take a mutex nobody owns.  Return: 0, or -EOWNERDEAD (it is ours). */
static int mutex_take(struct ipclab_mutex *m, struct ipclab_proc *proc)
{
	bool dead = m->state == IPCLAB_MUTEX_OWNERDEAD;

	lockdep_assert_held(&m->obj.lock);
	mutex_set_owner(m, proc, task_pid(current));
	ipclab_obj_touch(&m->obj);
	m->state = dead ? IPCLAB_MUTEX_INCONSISTENT : IPCLAB_MUTEX_LOCKED;
	trace_ipclab_lock(m->obj.id, task_tgid_nr(current),
			  dead ? -EOWNERDEAD : 0);
	return dead ? -EOWNERDEAD : 0;
}

/* The locked part of IPCLAB_IOC_MUTEX_LOCK (struct ipclab_call_ops). */
static int mutex_lock_try(struct ipclab_call *c)
{
	struct ipclab_mutex *m = to_mutex(c->obj);
	int ret;

	lockdep_assert_held(&c->obj->lock);
	if (c->obj->removed)
		return -EIDRM;
	if (m->state == IPCLAB_MUTEX_NOTRECOVERABLE)
		return -ENOTRECOVERABLE;
	if (m->owner == c->proc)
		return -EDEADLK;
	if (!m->owner)
		return mutex_take(m, c->proc);
	if (c->t.nowait)
		return -EBUSY;

	ipclab_waiter_init(c->w, c->proc, c->obj);
	ret = ipclab_room_space(c->w);
	if (ret)
		return ret;
	c->wait = true;
	return 0;
}

static int mutex_lock_enqueue(struct ipclab_call *c)
{
	return ipclab_room_add(&to_mutex(c->obj)->room, c->w);
}

static const struct ipclab_call_ops mutex_lock_ops = {
	.try		= mutex_lock_try,
	.enqueue	= mutex_lock_enqueue,
};

static long ipclab_mutex_lock(void __user *argp)
{
	struct ipclab_waiter_base w;
	struct ipclab_call c = { .ops = &mutex_lock_ops, .w = &w };
	struct ipclab_lock arg;
	int ret;

	if (copy_from_user(&arg, argp, sizeof(arg)))
		return -EFAULT;
	if (memchr_inv(arg.reserved, 0, sizeof(arg.reserved)))
		return -EINVAL;
	ret = ipclab_timeout_init(&c.t, arg.flags, arg.timeout);
	if (ret)
		return ret;

	return ipclab_call(&c, arg.id, IPCLAB_TYPE_MUTEX, IPCLAB_WRITE);
}

/* UNLOCK: the owner lets go, to the first waiter or to nobody. */
static int mutex_unlock_locked(struct ipclab_mutex *m, struct ipclab_proc *proc,
			       struct ipclab_wake *wq)
{
	lockdep_assert_held(&m->obj.lock);
	if (m->owner != proc)
		return -EPERM;
	trace_ipclab_unlock(m->obj.id, task_tgid_nr(current), 0);
	if (m->state == IPCLAB_MUTEX_INCONSISTENT) {
		/* Nobody repaired what the dead owner left: give up on it. */
		mutex_clear_owner(m);
		m->state = IPCLAB_MUTEX_NOTRECOVERABLE;
		ipclab_room_done_all(&m->room, -ENOTRECOVERABLE, wq);
	} else {
		mutex_handoff(m, 0, IPCLAB_MUTEX_UNLOCKED, wq);
	}
	ipclab_obj_touch(&m->obj);
	return 0;
}

/* CONSISTENT: the owner repaired what a dead owner left. */
static int mutex_consistent_locked(struct ipclab_mutex *m,
				   struct ipclab_proc *proc,
				   struct ipclab_wake *wq)
{
	lockdep_assert_held(&m->obj.lock);
	if (m->owner != proc)
		return -EPERM;
	if (m->state != IPCLAB_MUTEX_INCONSISTENT)
		return -EINVAL;
	m->state = IPCLAB_MUTEX_LOCKED;
	return 0;
}

/* UNLOCK and CONSISTENT: an owner's action on its mutex, never waiting. */
struct mutex_owner_call {
	struct ipclab_call c;
	int (*op)(struct ipclab_mutex *m, struct ipclab_proc *proc,
		  struct ipclab_wake *wq);
};

static int mutex_owner_try(struct ipclab_call *c)
{
	struct mutex_owner_call *oc = container_of(c, struct mutex_owner_call, c);

	lockdep_assert_held(&c->obj->lock);
	if (c->obj->removed)
		return -EIDRM;
	return oc->op(to_mutex(c->obj), c->proc, &c->wq);
}

static const struct ipclab_call_ops mutex_owner_ops = {
	.try		= mutex_owner_try,
};

/*
 * No permission is asked: the owner may let go of what it holds however
 * the mode changed meanwhile, and anybody else gets -EPERM.
 */
static long mutex_owner_op(void __user *argp,
			   int (*op)(struct ipclab_mutex *m,
				     struct ipclab_proc *proc,
				     struct ipclab_wake *wq))
{
	struct mutex_owner_call oc = {
		.c.ops = &mutex_owner_ops,
		.c.t.nowait = true,
		.op = op,
	};
	struct ipclab_id arg;

	if (copy_from_user(&arg, argp, sizeof(arg)))
		return -EFAULT;
	if (arg.flags)
		return -EINVAL;
	return ipclab_call(&oc.c, arg.id, IPCLAB_TYPE_MUTEX, 0);
}

static long ipclab_mutex_unlock(void __user *argp)
{
	return mutex_owner_op(argp, mutex_unlock_locked);
}

static long ipclab_mutex_consistent(void __user *argp)
{
	return mutex_owner_op(argp, mutex_consistent_locked);
}

/* A process ended: the mutexes it owns become owner-dead. */
static void mutex_proc_exit(struct ipclab_proc *proc)
{
	struct ipclab_owned *o;
	struct ipclab_mutex *m;

	for (;;) {
		IPCLAB_DEFINE_WAKE(wq);

		m = NULL;
		spin_lock(&proc->lock);
		list_for_each_entry(o, &proc->owned, node) {
			if (o->obj->type == &ipclab_mutex_type) {
				m = to_mutex(o->obj);
				break;
			}
		}
		if (!m) {
			spin_unlock(&proc->lock);
			return;
		}
		/* An owned mutex is not yet released: removal disowns first. */
		kref_get(&m->obj.ref);
		spin_unlock(&proc->lock);

		ipclab_obj_lock(&m->obj);
		if (m->owner == proc) {
			trace_ipclab_unlock(m->obj.id, pid_nr(proc->tgid),
					    -EOWNERDEAD);
			mutex_handoff(m, -EOWNERDEAD, IPCLAB_MUTEX_OWNERDEAD, &wq);
		}
		ipclab_obj_unlock(&m->obj);
		ipclab_wake_up(&wq);
		ipclab_obj_put(&m->obj);
	}
}

static void mutex_remove(struct ipclab_obj *obj, struct ipclab_wake *wq)
{
	struct ipclab_mutex *m = to_mutex(obj);

	lockdep_assert_held(&obj->lock);
	if (m->owner)
		mutex_clear_owner(m);
	ipclab_room_done_all(&m->room, -EIDRM, wq);
}

static void mutex_stat(struct ipclab_obj *obj, struct ipclab_stat *st,
		       struct ipclab_snap *snap)
{
	struct ipclab_mutex *m = to_mutex(obj);

	lockdep_assert_held(&obj->lock);
	st->mutex.state = m->state;
	st->mutex.locks = m->locks;
	if (m->owner) {
		st->mutex.pid = pid_vnr(m->owner->tgid);
		st->mutex.tid = pid_vnr(m->owner_tid);
		memcpy(st->mutex.comm, m->owner->comm, sizeof(st->mutex.comm));
		if (snap->holders_cap)
			ipclab_fill_holder(&snap->holders[0], m->owner, 0, 1, 0);
		snap->nholders = 1;
	}
	ipclab_room_stat(&m->room, snap, IPCLAB_WAITER_LOCK);
}

/*
 * World stopped: a resource class with one instance, or none once it is
 * not recoverable (nobody will ever have it again).
 */
static void mutex_snapshot(struct ipclab_obj *obj, struct ipclab_dl_snap *s)
{
	struct ipclab_mutex *m = to_mutex(obj);
	bool dead = m->state == IPCLAB_MUTEX_NOTRECOVERABLE;
	struct ipclab_waiter_base *w;
	u32 res;

	ipclab_world_assert_stopped();
	res = ipclab_dl_res(s, obj, 0, !m->owner && !dead, !dead);
	if (m->owner)
		ipclab_dl_edge(s, IPCLAB_EDGE_HOLD, m->owner, res, 1, NULL);
	ipclab_room_for_each(w, &m->room, node)
		ipclab_dl_edge(s, IPCLAB_EDGE_WAIT, w->proc, res, 1, w);
}

/* World stopped: a mutex's waiter waits for its owner. */
static void mutex_holders(struct ipclab_obj *obj,
			  const struct ipclab_waiter_base *w, struct ipclab_dl *dl)
{
	struct ipclab_mutex *m = to_mutex(obj);

	ipclab_world_assert_stopped();
	if (m->owner)
		ipclab_dl_holder(dl, m->owner, 0);
}

static void mutex_show(struct ipclab_obj *obj, struct seq_file *m, u64 now_ns)
{
	static const char *const states[] = {
		[IPCLAB_MUTEX_UNLOCKED] = "unlocked",
		[IPCLAB_MUTEX_LOCKED] = "locked",
		[IPCLAB_MUTEX_OWNERDEAD] = "ownerdead",
		[IPCLAB_MUTEX_INCONSISTENT] = "inconsistent",
		[IPCLAB_MUTEX_NOTRECOVERABLE] = "notrecoverable",
	};
	struct ipclab_mutex *mx = to_mutex(obj);
	struct ipclab_waiter_base *w;

	seq_printf(m, "  state=%s locks=%llu", states[mx->state], mx->locks);
	if (mx->owner)
		seq_printf(m, " owner pid=%d tid=%d comm=%s",
			   pid_vnr(mx->owner->tgid), pid_vnr(mx->owner_tid),
			   mx->owner->comm);
	seq_putc(m, '\n');
	ipclab_room_for_each(w, &mx->room, node) {
		ipclab_show_waiter(m, w, now_ns);
		seq_puts(m, " lock\n");
	}
}

static void mutex_free(struct ipclab_obj *obj)
{
	kfree_rcu(to_mutex(obj), obj.rcu);
}

static struct ipclab_obj *mutex_create(const struct ipclab_get *get,
				       struct ipclab_user *user)
{
	struct ipclab_mutex *m;

	m = kzalloc(sizeof(*m), GFP_KERNEL_ACCOUNT);
	if (!m)
		return ERR_PTR(-ENOMEM);
	ipclab_room_init(&m->room);
	INIT_LIST_HEAD(&m->owned.node);
	m->owned.obj = &m->obj;
	m->state = IPCLAB_MUTEX_UNLOCKED;
	ipclab_obj_init(&m->obj, &ipclab_mutex_type, get->mode);
	return &m->obj;
}

static void mutex_usage(struct ipclab_usage *u, const atomic_long_t *used)
{
	u->mutexes = atomic_long_read(&used[IPCLAB_RES_OBJECTS + IPCLAB_TYPE_MUTEX]);
}

static const struct ipclab_ioctl mutex_ioctls[] = {
	{ IPCLAB_IOC_MUTEX_LOCK, ipclab_mutex_lock },
	{ IPCLAB_IOC_MUTEX_UNLOCK, ipclab_mutex_unlock },
	{ IPCLAB_IOC_MUTEX_CONSISTENT, ipclab_mutex_consistent },
	{ }
};

const struct ipclab_type ipclab_mutex_type = {
	.name		= "mutex",
	.nr		= IPCLAB_TYPE_MUTEX,
	.create_flags	= IPCLAB_REFUSE_DEADLOCK,
	.get_size	= 0,
	.ioctls		= mutex_ioctls,
	.create		= mutex_create,
	.proc_exit	= mutex_proc_exit,
	.usage		= mutex_usage,
	.remove		= mutex_remove,
	.stat		= mutex_stat,
	.snapshot	= mutex_snapshot,
	.holders	= mutex_holders,
	.show		= mutex_show,
	.free		= mutex_free,
};
