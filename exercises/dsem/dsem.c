// SPDX-License-Identifier: GPL-2.0
/*
 * ipclab dsem: Dijkstra's semaphore, a primitive of one's own
 * (IPCLAB_TYPE_EXTRA, built with "make IPCLAB_EXTRA=dsem").
 *
 * A dsem is a count and one FIFO waiting room.  P takes a unit when the
 * count is positive, and otherwise waits at the end of the room.  V hands
 * its unit straight to the first waiter, which returns from its P with
 * it, so that nobody arriving later can take the unit first (no barging);
 * with nobody waiting, V adds the unit to the count.  Hence the invariant:
 * whenever the room is not empty, the count is 0.
 *
 * Lifetime: the object is the generic struct ipclab_obj with a count and
 * a room; the core looks it up, references it for each command, and frees
 * it (dsem_free()) after an RCU grace period.  Waiters live on their
 * tasks' stacks (struct ipclab_waiter_base), in the room only while they
 * wait: a waiter that gives up (signal, timeout) leaves the room in
 * ipclab_call_sleep(), and, since it held no unit and held nobody back,
 * that is all (no cancel()).
 *
 * Locking: obj.lock, a spinlock, protects the count, the statistics and
 * the room; every helper below that reads or changes them is called with
 * it held (lockdep_assert_held()).  Nothing sleeps, allocates or copies
 * to or from userspace under it.  A V decides its waiter's fate under the
 * lock (ipclab_room_del(), then ipclab_waiter_done(), after which the
 * waiter is never touched again) and the task is woken after the unlock,
 * through the call's wake list.  A dsem is not a resource of the deadlock
 * world (no snapshot()): ipclab_obj_lock() is the plain spinlock.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "ipclab.h"
#include "dsem_uapi.h"

struct ipclab_dsem {
	struct ipclab_obj obj;
	u32 init;			/* the count at creation; fixed */

	/* Protected by obj.lock. */
	u32 count;			/* 0..IPCLAB_DSEM_MAX */
	u64 ps, vs;			/* P's that got a unit, V's done */
	struct ipclab_room room;	/* struct ipclab_waiter_base, FIFO */
};

static inline struct ipclab_dsem *to_dsem(struct ipclab_obj *obj)
{
	return container_of(obj, struct ipclab_dsem, obj);
}

/* The threads waiting in P now. */
static u32 dsem_waiting(const struct ipclab_dsem *d)
{
	lockdep_assert_held(&d->obj.lock);
	return ipclab_room_count(&d->room);
}

/* P gets a unit from the count, now. */
static inline void dsem_take(struct ipclab_dsem *d)
{
	lockdep_assert_held(&d->obj.lock);
	d->count--;
	d->ps++;
	ipclab_obj_touch(&d->obj);
}

/*
 * The locked part of P (struct ipclab_call_ops): take a unit, or get the
 * caller's waiter ready to wait for one.
 */
static int dsem_p_try(struct ipclab_call *c)
{
	/*
	 * TODO 1: P.  Under the lock (assert it): a removed dsem is -EIDRM.
	 * If the count is positive, take a unit (dsem_take()) and return 0.
	 * Otherwise the caller must wait: with IPCLAB_WAIT_NOWAIT (c->t.nowait)
	 * that is -EAGAIN; else get the waiter c->w ready
	 * (ipclab_waiter_init(), then ipclab_room_space(), which may refuse
	 * with -ENOSPC), set c->wait and return 0 without queuing it: the
	 * generic code calls enqueue() next, and sleeps.
	 * (docs/adding-a-primitive.md, section 5; mutex_lock_try())
	 */
	/* BEGIN SOLUTION */
	struct ipclab_dsem *d = to_dsem(c->obj);
	int ret;

	lockdep_assert_held(&c->obj->lock);
	if (c->obj->removed)
		return -EIDRM;
	if (d->count > 0) {
		dsem_take(d);
		return 0;
	}
	if (c->t.nowait)
		return -EAGAIN;

	ipclab_waiter_init(c->w, c->proc, c->obj);
	ret = ipclab_room_space(c->w);
	if (ret)
		return ret;
	c->wait = true;
	return 0;
	/* END SOLUTION stub: return -ENOSYS; */
}

static int dsem_p_enqueue(struct ipclab_call *c)
{
	/*
	 * TODO 2: queue the ready waiter c->w at the END of the dsem's room
	 * (ipclab_room_add(): it counts the waiter and emits the "block"
	 * trace event), returning what it returns.
	 */
	/* BEGIN SOLUTION */
	lockdep_assert_held(&c->obj->lock);
	return ipclab_room_add(&to_dsem(c->obj)->room, c->w);
	/* END SOLUTION stub: return -ENOSYS; */
}

/* A waiter that gives up only leaves the room: no cancel(). */
static const struct ipclab_call_ops dsem_p_ops = {
	.try		= dsem_p_try,
	.enqueue	= dsem_p_enqueue,
};

static long ipclab_dsem_p(void __user *argp)
{
	struct ipclab_waiter_base w;
	struct ipclab_call c = { .ops = &dsem_p_ops, .w = &w };
	struct ipclab_dsem_p arg;
	int ret;

	if (copy_from_user(&arg, argp, sizeof(arg)))
		return -EFAULT;
	if (memchr_inv(arg.reserved, 0, sizeof(arg.reserved)))
		return -EINVAL;
	ret = ipclab_timeout_init(&c.t, arg.flags, arg.timeout);
	if (ret)
		return ret;

	return ipclab_call(&c, arg.id, IPCLAB_TYPE_EXTRA, IPCLAB_WRITE);
}

/*
 * V's unit to the first waiter, if there is one.  Return: true if a waiter
 * got it (and will return from its P with it).
 */
static inline bool dsem_handoff(struct ipclab_dsem *d, struct ipclab_wake *wq)
{
	/*
	 * TODO 3: the handoff.  Under the lock (assert it): take the FIRST
	 * waiter of the room (ipclab_room_first(), NULL when empty: return
	 * false), take it out of the room (ipclab_room_del()), count the P it
	 * completes (d->ps), and decide its fate with status 0
	 * (ipclab_waiter_done(w, 0, wq): that emits the "wake" trace event
	 * and collects the task, woken after the unlock).  Do not touch the
	 * waiter after ipclab_waiter_done().  Return true.
	 */
	/* BEGIN SOLUTION */
	struct ipclab_waiter_base *w;

	lockdep_assert_held(&d->obj.lock);
	w = ipclab_room_first(&d->room, struct ipclab_waiter_base, node);
	if (!w)
		return false;
	ipclab_room_del(w);
	d->ps++;
	ipclab_waiter_done(w, 0, wq);
	return true;
	/* END SOLUTION stub: return false; */
}

/* The locked part of V (struct ipclab_call_ops): it never waits. */
static int dsem_v_try(struct ipclab_call *c)
{
	/*
	 * TODO 4: V.  Under the lock (assert it): a removed dsem is -EIDRM.
	 * Hand the unit to the first waiter (dsem_handoff(), with the call's
	 * wake list &c->wq); with nobody waiting, add it to the count, unless
	 * the count is IPCLAB_DSEM_MAX already (-EOVERFLOW, nothing done).
	 * Count the V (d->vs), record it in the object (ipclab_obj_touch())
	 * and return 0.
	 */
	/* BEGIN SOLUTION */
	struct ipclab_dsem *d = to_dsem(c->obj);

	lockdep_assert_held(&c->obj->lock);
	if (c->obj->removed)
		return -EIDRM;
	if (!dsem_handoff(d, &c->wq)) {
		if (d->count >= IPCLAB_DSEM_MAX)
			return -EOVERFLOW;
		d->count++;
	}
	d->vs++;
	ipclab_obj_touch(&d->obj);
	return 0;
	/* END SOLUTION stub: return -ENOSYS; */
}

static const struct ipclab_call_ops dsem_v_ops = {
	.try		= dsem_v_try,
};

static long ipclab_dsem_v(void __user *argp)
{
	struct ipclab_call c = { .ops = &dsem_v_ops, .t.nowait = true };
	struct ipclab_id arg;

	if (copy_from_user(&arg, argp, sizeof(arg)))
		return -EFAULT;
	if (arg.flags)
		return -EINVAL;
	return ipclab_call(&c, arg.id, IPCLAB_TYPE_EXTRA, IPCLAB_WRITE);
}

static struct ipclab_obj *dsem_create(const struct ipclab_get *get,
				      struct ipclab_user *user)
{
	u64 count = get->reserved[0];
	struct ipclab_dsem *d;

	/* The rest of the union is for later: zero until it has a meaning. */
	if (count > IPCLAB_DSEM_MAX ||
	    memchr_inv(&get->reserved[1], 0, sizeof(get->reserved) - sizeof(get->reserved[0])))
		return ERR_PTR(-EINVAL);

	d = kzalloc(sizeof(*d), GFP_KERNEL_ACCOUNT);
	if (!d)
		return ERR_PTR(-ENOMEM);
	d->init = count;
	d->count = count;
	ipclab_room_init(&d->room);
	ipclab_obj_init(&d->obj, &ipclab_dsem_type, get->mode);
	return &d->obj;
}

/* Opening by key: a count of 0, or the one it was created with. */
static int dsem_check_open(struct ipclab_obj *obj, const struct ipclab_get *get)
{
	u64 count = get->reserved[0];

	return !count || count == to_dsem(obj)->init ? 0 : -EINVAL;
}

static void dsem_remove(struct ipclab_obj *obj, struct ipclab_wake *wq)
{
	lockdep_assert_held(&obj->lock);
	ipclab_room_done_all(&to_dsem(obj)->room, -EIDRM, wq);
}

static void dsem_stat(struct ipclab_obj *obj, struct ipclab_stat *st,
		      struct ipclab_snap *snap)
{
	struct ipclab_dsem_stat *ds = ipclab_dsem_stat_of(st);
	struct ipclab_dsem *d = to_dsem(obj);

	lockdep_assert_held(&obj->lock);
	ds->count = d->count;
	ds->init = d->init;
	ds->ps = d->ps;
	ds->vs = d->vs;
	ipclab_room_stat(&d->room, snap, IPCLAB_WAITER_EXTRA);
}

static void dsem_show(struct ipclab_obj *obj, struct seq_file *m, u64 now_ns)
{
	struct ipclab_dsem *d = to_dsem(obj);
	struct ipclab_waiter_base *w;

	lockdep_assert_held(&obj->lock);
	seq_printf(m, "  count=%u init=%u waiting=%u ps=%llu vs=%llu\n",
		   d->count, d->init, dsem_waiting(d), d->ps, d->vs);
	ipclab_room_for_each(w, &d->room, node) {
		ipclab_show_waiter(m, w, now_ns);
		seq_puts(m, " P\n");
	}
}

static void dsem_free(struct ipclab_obj *obj)
{
	kfree_rcu(to_dsem(obj), obj.rcu);
}

static const struct ipclab_ioctl dsem_ioctls[] = {
	{ IPCLAB_IOC_DSEM_P, ipclab_dsem_p },
	{ IPCLAB_IOC_DSEM_V, ipclab_dsem_v },
	{ }
};

const struct ipclab_type ipclab_dsem_type = {
	.name		= "dsem",
	.nr		= IPCLAB_TYPE_EXTRA,
	/* the count, reserved[0]: the core checks the rest is zero */
	.get_size	= sizeof_field(struct ipclab_get, reserved[0]),
	.ioctls		= dsem_ioctls,
	.create		= dsem_create,
	.check_open	= dsem_check_open,
	.remove		= dsem_remove,
	.stat		= dsem_stat,
	.show		= dsem_show,
	.free		= dsem_free,
};
