// SPDX-License-Identifier: GPL-2.0
/*
 * ipclab mailboxes: bounded FIFOs of typed messages, with a waiting room
 * for senders (full) and one for receivers (nothing to take).
 *
 * A message is allocated and filled by its sender before any lock is
 * taken, and from then on belongs to the mailbox: it is on the message
 * list, in a waiting sender's hands, or handed to a waiting receiver.
 * Whoever holds it when the mailbox is removed frees it, with no lock
 * held (a big message is vmalloc()ed, and vfree() may sleep): queued
 * messages are freed by mbox_removed(), after the removal's unlock.
 *
 * Every message counts for its sender's user, from before it is
 * allocated (so a user at its limit costs nothing) until it is freed.
 *
 * Order.  Senders: while a sender waits, later senders wait behind it
 * (mbox_room() is false), and receives let waiting senders in, oldest
 * first, as long as each fits (mbox_admit_senders()).  Receivers: a
 * receiver waits only if no queued message matches it, and every message
 * is offered to the waiting receivers, oldest first, before it is queued
 * (mbox_deliver()), so no later receiver takes what an earlier one was
 * waiting for.  This is ipc/msg.c's pipelined send, kept FIFO on both
 * sides.
 *
 * Cost.  A send or receive that need not wait is done as ipc/msg.c does
 * it: in ipclab_call_fast(), with no reference to the mailbox or the
 * process; a send makes its message first, after a look under RCU that
 * the mailbox exists, takes the size and lets the caller write
 * (mbox_send_peek()), so that errors come in the same order either way.
 * Pollers wait in the mailbox's own wait queue, made by the first poll()
 * (mbox_poll_wq_get()): a mailbox nobody polls carries only the pointer,
 * and its changes wake nobody.  Only a process that may read a mailbox
 * can poll it (IPCLAB_IOC_OPEN checks), so nobody else can make its
 * changes dear by crowding its wait queue.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/poll.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include "ipclab.h"
#include "trace.h"
#define CREATE_TRACE_POINTS
#include "mbox_trace.h"

static unsigned int ipclab_mbox_max_msgs = 1024;
static struct ipclab_uint_param ipclab_mbox_max_msgs_param = {
	.var = &ipclab_mbox_max_msgs, .lo = 1, .hi = 1U << 20,
};
module_param_cb(mbox_max_msgs, &ipclab_uint_param_ops, &ipclab_mbox_max_msgs_param, 0644);
MODULE_PARM_DESC(mbox_max_msgs, "Most messages a mailbox may hold (EINVAL)");

static unsigned int ipclab_mbox_max_msgsz = 8192;
static struct ipclab_uint_param ipclab_mbox_max_msgsz_param = {
	.var = &ipclab_mbox_max_msgsz, .lo = 1, .hi = 16U << 20,
};
module_param_cb(mbox_max_msgsz, &ipclab_uint_param_ops, &ipclab_mbox_max_msgsz_param, 0644);
MODULE_PARM_DESC(mbox_max_msgsz, "Largest message, like MSGMAX, at most 16 MiB (EINVAL)");

/* A mailbox keeps its byte limit and count (up to as many) in u32s. */
#define MBOX_MAX_BYTES_CEIL	IPCLAB_MBOX_BYTES_CEIL
static_assert(MBOX_MAX_BYTES_CEIL <= U32_MAX);

static unsigned long ipclab_mbox_max_bytes = 16384;
static struct ipclab_ulong_param ipclab_mbox_max_bytes_param = {
	.var = &ipclab_mbox_max_bytes, .lo = 1, .hi = MBOX_MAX_BYTES_CEIL,
};
module_param_cb(mbox_max_bytes, &ipclab_ulong_param_ops, &ipclab_mbox_max_bytes_param, 0644);
MODULE_PARM_DESC(mbox_max_bytes, "Most bytes a mailbox may hold, like MSGMNB, at most 64 MiB (EINVAL)");

static unsigned int ipclab_max_msgs_per_user = 16384;
static struct ipclab_uint_param ipclab_max_msgs_per_user_param = {
	.var = &ipclab_max_msgs_per_user, .lo = 0, .hi = 1U << 24,
};
module_param_cb(max_msgs_per_user, &ipclab_uint_param_ops, &ipclab_max_msgs_per_user_param, 0644);
MODULE_PARM_DESC(max_msgs_per_user, "Messages one uid's sends may keep in the kernel (ENOSPC)");

static unsigned long ipclab_max_msg_bytes_per_user = 32UL << 20;
static struct ipclab_ulong_param ipclab_max_msg_bytes_per_user_param = {
	.var = &ipclab_max_msg_bytes_per_user, .lo = 0, .hi = 1UL << 40,
};
module_param_cb(max_msg_bytes_per_user, &ipclab_ulong_param_ops,
		&ipclab_max_msg_bytes_per_user_param, 0644);
MODULE_PARM_DESC(max_msg_bytes_per_user, "Bytes of the messages one uid's sends may keep (ENOSPC)");

struct ipclab_msg {
	struct list_head node;
	struct ipclab_user *user;	/* the sender's, charged for it */
	s64 type;
	size_t size;
	char text[];
};

/*
 * 256 bytes on 6.12 without lockdep, so that kmalloc() takes it from
 * kmalloc-256 as ipc/msg.c's queue is: the limits fit u32 (at most
 * 64 MiB of bytes), and the poll wait queue is made only when needed.
 * Bigger locks (PREEMPT_RT, lockdep) make it bigger.
 */
struct ipclab_mbox {
	struct ipclab_obj obj;
	/* Fixed at creation. */
	u32 max_msgsz;
	/*
	 * At most 64 MiB; fixed at creation but for IPCLAB_SET_MAX_BYTES,
	 * under obj.lock, which moves max_msgs too for a mailbox that counts
	 * as SysV (IPCLAB_MSG_COUNT_BYTES).
	 */
	u32 max_msgs;
	u32 max_bytes;
	/* Set once, by the first poll(); freed with the mailbox. */
	wait_queue_head_t *poll_wq;

	/* Protected by obj.lock. */
	u32 nmsgs;
	u32 nbytes;
	struct list_head msgs;		/* struct ipclab_msg, oldest first */
	struct ipclab_room senders;	/* struct ipclab_mbox_waiter, FIFO */
	struct ipclab_room receivers;	/* struct ipclab_mbox_waiter, FIFO */
	struct pid *lspid, *lrpid;
	time64_t stime, rtime;
	u64 sent, received;
};

struct ipclab_mbox_waiter {
	struct ipclab_waiter_base base;
	u32 kind;		/* IPCLAB_WAITER_SEND or IPCLAB_WAITER_RECV */
	u32 flags;		/* receivers: IPCLAB_MSG_* */
	s64 type;		/* receivers: the selector */
	size_t size;		/* receivers: the buffer's; senders: the message's */
	/* senders: theirs, until queued or handed over; receivers: theirs */
	struct ipclab_msg *msg;
};

static inline struct ipclab_mbox *to_mbox(struct ipclab_obj *obj)
{
	return container_of(obj, struct ipclab_mbox, obj);
}

static inline struct ipclab_mbox_waiter *to_mbox_waiter(struct ipclab_waiter_base *w)
{
	return container_of(w, struct ipclab_mbox_waiter, base);
}

#define MBOX_POLL_CHANGE	(EPOLLIN | EPOLLOUT | EPOLLRDNORM | EPOLLWRNORM)

/*
 * @mb's poll wait queue, made now if this is its first poll(): NULL if
 * there is no memory for it.  Two first pollers may race; one queue wins.
 */
static wait_queue_head_t *mbox_poll_wq_get(struct ipclab_mbox *mb)
{
	/* Pairs with the cmpxchg_release() below, of another poller. */
	wait_queue_head_t *wq = smp_load_acquire(&mb->poll_wq), *old;

	if (wq)
		return wq;
	wq = kmalloc(sizeof(*wq), GFP_KERNEL_ACCOUNT);
	if (!wq)
		return NULL;
	init_waitqueue_head(wq);
	/* Ordered: the queue is whole before a waker can see it. */
	old = cmpxchg_release(&mb->poll_wq, NULL, wq);
	if (old) {
		kfree(wq);
		return old;
	}
	return wq;
}

/*
 * What a poller of @mb sees changed: wake its pollers, if any.  A poller
 * joins the wait queue before it locks the mailbox to look (mbox_poll()),
 * so a change made under the lock is either seen by that look or sees the
 * poller queued.  The wait queue's lock nests inside the mailbox's.
 */
static void mbox_wake_pollers(struct ipclab_mbox *mb, __poll_t mask)
{
	/* Pairs with mbox_poll_wq_get()'s cmpxchg_release(). */
	wait_queue_head_t *wq = smp_load_acquire(&mb->poll_wq);

	lockdep_assert_held(&mb->obj.lock);
	/* Ordered by the mailbox's lock, which the poller takes to look. */
	if (wq && waitqueue_active(wq))
		wake_up_interruptible_poll(wq, mask);
}

static void mbox_changed(struct ipclab_mbox *mb)
{
	mbox_wake_pollers(mb, MBOX_POLL_CHANGE);
}

/*
 * A new message of @size bytes, charged to @user.  The caller's reference
 * to @user becomes the message's, kept until mbox_msg_free(), or is
 * dropped on failure.  Return: the message, or an ERR_PTR (-ENOSPC at a
 * limit, -ENOMEM).
 */
static struct ipclab_msg *mbox_msg_alloc(struct ipclab_user *user, size_t size)
{
	struct ipclab_msg *msg;
	int ret;

	ret = ipclab_charge(user, IPCLAB_RES_MSGS, 1,
			    READ_ONCE(ipclab_max_msgs_per_user), ULONG_MAX);
	if (ret) {
		ipclab_user_put(user);
		return ERR_PTR(ret);
	}
	ret = ipclab_charge(user, IPCLAB_RES_MSG_BYTES, size,
			    READ_ONCE(ipclab_max_msg_bytes_per_user), ULONG_MAX);
	if (ret)
		goto err_msgs;
	ret = -ENOMEM;
	msg = kvmalloc(struct_size(msg, text, size), GFP_KERNEL_ACCOUNT);
	if (!msg)
		goto err_bytes;
	msg->user = user;
	msg->size = size;
	return msg;

err_bytes:
	ipclab_uncharge(user, IPCLAB_RES_MSG_BYTES, size);
err_msgs:
	ipclab_uncharge(user, IPCLAB_RES_MSGS, 1);
	ipclab_user_put(user);
	return ERR_PTR(ret);
}

/* Free a message and give back its charge.  Never under a spinlock. */
static void mbox_msg_free(struct ipclab_msg *msg)
{
	if (!msg)
		return;
	might_sleep();
	ipclab_uncharge(msg->user, IPCLAB_RES_MSG_BYTES, msg->size);
	ipclab_uncharge(msg->user, IPCLAB_RES_MSGS, 1);
	ipclab_user_put(msg->user);
	kvfree(msg);
}

static void mbox_set_pid(struct pid **slot, struct pid *pid)
{
	if (*slot != pid) {
		put_pid(*slot);
		*slot = get_pid(pid);
	}
}

/* Does a message of @type answer a receiver asking for @want? */
static bool mbox_match(s64 type, s64 want, u32 flags)
{
	/*
	 * TODO 1: true if a message of @type answers a receiver asking for
	 * @want: @want 0 takes any type; @want > 0 takes only @want, or with
	 * IPCLAB_MSG_EXCEPT in @flags any type but @want; @want < 0 takes
	 * every type <= -@want.  (Waiting receivers are matched with it too.)
	 */
	/* BEGIN SOLUTION */
	if (want == 0)
		return true;
	if (want > 0)
		return (flags & IPCLAB_MSG_EXCEPT) ? type != want : type == want;
	return type <= -want;
	/* END SOLUTION stub: return false; */
}

/* The queued message a receiver asking for @want would get, or NULL. */
static struct ipclab_msg *mbox_find(struct ipclab_mbox *mb, s64 want, u32 flags)
{
	/*
	 * TODO 2: the message of mb->msgs (oldest first; @mb is locked) that
	 * a receiver asking for @want gets, or NULL if none matches: for
	 * @want >= 0 the oldest that matches; for @want < 0 the oldest of
	 * those of the lowest type.
	 */
	/* BEGIN SOLUTION */
	struct ipclab_msg *msg, *best = NULL;

	lockdep_assert_held(&mb->obj.lock);
	list_for_each_entry(msg, &mb->msgs, node) {
		if (!mbox_match(msg->type, want, flags))
			continue;
		if (want >= 0)
			return msg;
		/* Lowest type <= -want; the oldest of those. */
		if (!best || msg->type < best->type)
			best = msg;
	}
	return best;
	/* END SOLUTION stub: return NULL; */
}

/* Is there room for @size more bytes, with nobody waiting to send first? */
static bool mbox_room(struct ipclab_mbox *mb, size_t size)
{
	lockdep_assert_held(&mb->obj.lock);
	return ipclab_room_empty(&mb->senders) && mb->nmsgs < mb->max_msgs &&
	       mb->nbytes + size <= mb->max_bytes;
}

static void mbox_sent(struct ipclab_mbox *mb, struct pid *sender)
{
	mbox_set_pid(&mb->lspid, sender);
	mbox_set_pid(&mb->obj.lpid, sender);
	mb->stime = ktime_get_real_seconds();
	mb->obj.otime = mb->stime;
	mb->sent++;
}

static void mbox_received(struct ipclab_mbox *mb, struct pid *receiver)
{
	mbox_set_pid(&mb->lrpid, receiver);
	mbox_set_pid(&mb->obj.lpid, receiver);
	mb->rtime = ktime_get_real_seconds();
	mb->obj.otime = mb->rtime;
	mb->received++;
}

/**
 * mbox_deliver() - give a message to the first receiver that wants it
 * @mb:     the mailbox, locked
 * @msg:    the message
 * @sender: the process sending it
 * @wq:     collects the receivers to wake
 *
 * A waiting receiver whose buffer is too small (and who did not ask for
 * truncation) gets E2BIG, as msgrcv(2) does, and the next one is tried.
 *
 * Return: true if a receiver took @msg; false if the caller must queue it.
 */
static bool mbox_deliver(struct ipclab_mbox *mb, struct ipclab_msg *msg,
			 struct pid *sender, struct ipclab_wake *wq)
{
	struct ipclab_mbox_waiter *r, *tmp;

	lockdep_assert_held(&mb->obj.lock);
	ipclab_room_for_each_safe(r, tmp, &mb->receivers, base.node) {
		if (!mbox_match(msg->type, r->type, r->flags))
			continue;
		ipclab_room_del(&r->base);
		if (msg->size > r->size && !(r->flags & IPCLAB_MSG_NOERROR)) {
			ipclab_waiter_done(&r->base, -E2BIG, wq);
			continue;
		}
		r->msg = msg;
		trace_ipclab_send(mb->obj.id, msg->type, msg->size, pid_nr(sender));
		trace_ipclab_receive(mb->obj.id, msg->type, msg->size,
				     task_tgid_nr(r->base.task));
		mbox_received(mb, task_tgid(r->base.task));
		ipclab_waiter_done(&r->base, 0, wq);
		return true;
	}
	return false;
}

static void mbox_enqueue(struct ipclab_mbox *mb, struct ipclab_msg *msg)
{
	lockdep_assert_held(&mb->obj.lock);
	list_add_tail(&msg->node, &mb->msgs);
	mb->nmsgs++;
	mb->nbytes += msg->size;
}

/* Room was made: let waiting senders in, oldest first, while they fit. */
static void mbox_admit_senders(struct ipclab_mbox *mb, struct ipclab_wake *wq)
{
	struct ipclab_mbox_waiter *s;

	lockdep_assert_held(&mb->obj.lock);
	while ((s = ipclab_room_first(&mb->senders, struct ipclab_mbox_waiter,
				      base.node))) {
		if (mb->nmsgs >= mb->max_msgs ||
		    mb->nbytes + s->msg->size > mb->max_bytes)
			break;
		ipclab_room_del(&s->base);
		mbox_sent(mb, task_tgid(s->base.task));
		if (!mbox_deliver(mb, s->msg, task_tgid(s->base.task), wq)) {
			trace_ipclab_send(mb->obj.id, s->msg->type, s->msg->size,
					  task_tgid_nr(s->base.task));
			mbox_enqueue(mb, s->msg);
		}
		s->msg = NULL;
		ipclab_waiter_done(&s->base, 0, wq);
	}
}

/*
 * Get c->w ready to wait in one of the rooms (struct ipclab_call_ops);
 * in the fast path only say so: the full path tries again.
 */
static int mbox_must_wait(struct ipclab_call *c, u32 kind)
{
	int ret;

	if (c->t.nowait)
		return -EAGAIN;
	if (!c->fast) {
		ipclab_waiter_init(c->w, c->proc, c->obj);
		ret = ipclab_room_space(c->w);
		if (ret)
			return ret;
		to_mbox_waiter(c->w)->kind = kind;
	}
	c->wait = true;
	return 0;
}

/* The locked part of a send: hand the message over, queue it, or wait. */
static int mbox_send_try(struct ipclab_call *c)
{
	struct ipclab_mbox *mb = to_mbox(c->obj);
	struct ipclab_mbox_waiter *w = to_mbox_waiter(c->w);
	struct ipclab_msg *msg = w->msg;

	lockdep_assert_held(&mb->obj.lock);
	if (mb->obj.removed)
		return -EIDRM;
	/* A handoff takes no room, so it need not wait behind senders. */
	if (mbox_deliver(mb, msg, task_tgid(current), &c->wq)) {
		mbox_sent(mb, task_tgid(current));
		w->msg = NULL;		/* the receiver's now */
		return 0;
	}
	if (mbox_room(mb, msg->size)) {
		trace_ipclab_send(mb->obj.id, msg->type, msg->size,
				  task_tgid_nr(current));
		mbox_sent(mb, task_tgid(current));
		mbox_enqueue(mb, msg);
		mbox_changed(mb);
		w->msg = NULL;		/* the mailbox's now */
		return 0;
	}
	return mbox_must_wait(c, IPCLAB_WAITER_SEND);
}

static int mbox_send_enqueue(struct ipclab_call *c)
{
	return ipclab_room_add(&to_mbox(c->obj)->senders, c->w);
}

/* A sender gave up: it keeps its message, and the next may fit now. */
static void mbox_send_cancel(struct ipclab_call *c)
{
	struct ipclab_mbox *mb = to_mbox(c->obj);

	ipclab_room_del(c->w);
	mbox_admit_senders(mb, &c->wq);
	mbox_changed(mb);
}

/* The message's size, against the mailbox's largest (fixed at creation). */
static int mbox_send_check(struct ipclab_call *c)
{
	if (to_mbox_waiter(c->w)->size > to_mbox(c->obj)->max_msgsz)
		return -EINVAL;
	return 0;
}

static const struct ipclab_call_ops mbox_send_ops = {
	.check		= mbox_send_check,
	.try		= mbox_send_try,
	.enqueue	= mbox_send_enqueue,
	.cancel		= mbox_send_cancel,
	/* try() does not reach the process (c->fast: not even to wait). */
	.rcu_proc	= true,
};

/*
 * Before the message is made, the part of the fast path that needs no
 * lock: is there a mailbox @id that takes this size and lets the caller
 * write, and a record of the calling process?  Then the message can be
 * made now, for the user the process is charged to.
 *
 * Return: that user, referenced; or NULL, for the full path to find
 * again and say what is wrong.
 */
static struct ipclab_user *mbox_send_peek(struct ipclab_call *c, u32 id)
{
	struct ipclab_user *user = NULL;
	struct ipclab_proc *proc;

	rcu_read_lock();
	proc = ipclab_proc_peek_rcu();
	c->obj = ipclab_obj_find_rcu(id, IPCLAB_TYPE_MBOX);
	if (proc && c->obj && !mbox_send_check(c) &&
	    !ipclab_perm_atomic(c->obj, IPCLAB_WRITE, false) &&
	    refcount_inc_not_zero(&proc->user->ref))
		user = proc->user;
	rcu_read_unlock();
	c->obj = NULL;
	return user;
}

/*
 * Make the message of @arg, charged to @user, and copy its text in: no
 * lock is held.  The caller's reference to @user goes with it, as with
 * mbox_msg_alloc().  Return: 0, -ENOSPC, -ENOMEM or -EFAULT (w->msg is
 * then NULL, or for the caller to free).
 */
static int mbox_send_make(struct ipclab_mbox_waiter *w, struct ipclab_user *user,
			  const struct ipclab_msgsnd *arg)
{
	w->msg = mbox_msg_alloc(user, arg->size);
	if (IS_ERR(w->msg)) {
		int ret = PTR_ERR(w->msg);

		w->msg = NULL;
		return ret;
	}
	w->msg->type = arg->type;
	if (copy_from_user(w->msg->text, u64_to_user_ptr(arg->text), arg->size))
		return -EFAULT;
	return 0;
}

static long ipclab_mbox_send(void __user *argp)
{
	struct ipclab_mbox_waiter w = {};
	struct ipclab_call c = { .ops = &mbox_send_ops, .w = &w.base };
	struct ipclab_msgsnd arg;
	struct ipclab_user *user;
	int ret;

	if (copy_from_user(&arg, argp, sizeof(arg)))
		return -EFAULT;
	if (arg.type <= 0)
		return -EINVAL;
	ret = ipclab_timeout_init(&c.t, arg.flags, arg.timeout);
	if (ret)
		return ret;
	w.size = arg.size;

	/* The message is made, and charged, before any lock is taken. */
	user = mbox_send_peek(&c, arg.id);
	if (user) {
		ret = mbox_send_make(&w, user, &arg);
		if (ret)
			goto out_free;
		/* Nothing to find again in the full path when this waits. */
		if (ipclab_call_fast(&c, arg.id, IPCLAB_TYPE_MBOX, IPCLAB_WRITE,
				     &ret))
			goto out_wake;
	}
	ret = ipclab_call_begin(&c, arg.id, IPCLAB_TYPE_MBOX, IPCLAB_WRITE);
	if (ret)
		goto out_free;
	if (!w.msg) {
		refcount_inc(&c.proc->user->ref);
		ret = mbox_send_make(&w, c.proc->user, &arg);
	}
	if (!ret)
		ret = ipclab_call_run(&c);
	ipclab_call_end(&c);
out_wake:
out_free:
	/* NULL once queued or delivered; still ours otherwise. */
	mbox_msg_free(w.msg);
	return ret;
}

/* The locked part of a receive: take a matching message, or wait. */
static int mbox_recv_try(struct ipclab_call *c)
{
	struct ipclab_mbox *mb = to_mbox(c->obj);
	struct ipclab_mbox_waiter *w = to_mbox_waiter(c->w);
	struct ipclab_msg *msg;

	lockdep_assert_held(&mb->obj.lock);
	if (mb->obj.removed)
		return -EIDRM;
	msg = mbox_find(mb, w->type, w->flags);
	if (!msg)
		return mbox_must_wait(c, IPCLAB_WAITER_RECV);
	if (msg->size > w->size && !(w->flags & IPCLAB_MSG_NOERROR))
		return -E2BIG;
	list_del(&msg->node);
	mb->nmsgs--;
	mb->nbytes -= msg->size;
	trace_ipclab_receive(mb->obj.id, msg->type, msg->size,
			     task_tgid_nr(current));
	mbox_received(mb, task_tgid(current));
	mbox_admit_senders(mb, &c->wq);
	mbox_changed(mb);
	w->msg = msg;
	return 0;
}

static int mbox_recv_enqueue(struct ipclab_call *c)
{
	return ipclab_room_add(&to_mbox(c->obj)->receivers, c->w);
}

static const struct ipclab_call_ops mbox_recv_ops = {
	.try		= mbox_recv_try,
	.enqueue	= mbox_recv_enqueue,
	/* try() does not reach the process (c->fast: not even to wait). */
	.rcu_proc	= true,
};

/*
 * IPCLAB_MSG_COPY, msgrcv(2)'s MSG_COPY: the message at a position is
 * copied out and stays; nothing about the mailbox changes (ipc/msg.c
 * skips the unlink, the times and the wakeups too).  It never waits, so
 * it is no call: the copy is made before the lock, filled under it and
 * copied out after.
 */
static long mbox_recv_copy(struct ipclab_msgrcv *arg, void __user *argp)
{
	struct ipclab_msg *msg, *found = NULL;
	struct ipclab_obj *obj;
	struct ipclab_mbox *mb;
	size_t n = 0, room;
	s64 pos = 0;
	void *buf;
	int ret;

	obj = ipclab_obj_lookup(arg->id, IPCLAB_TYPE_MBOX);
	if (!obj)
		return -EINVAL;
	mb = to_mbox(obj);
	ret = ipclab_perm(obj, IPCLAB_READ);
	if (ret)
		goto out_put;
	/* No message is bigger than max_msgsz, fixed at creation. */
	room = min_t(u64, arg->size, mb->max_msgsz);
	buf = kvmalloc(max_t(size_t, room, 1), GFP_KERNEL_ACCOUNT);
	ret = -ENOMEM;
	if (!buf)
		goto out_put;

	spin_lock(&obj->lock);
	ret = -EIDRM;
	if (obj->removed)
		goto out_unlock;
	/* A negative position is none, as ipc/msg.c's count never is. */
	if (arg->type >= 0) {
		list_for_each_entry(msg, &mb->msgs, node) {
			if (pos++ == arg->type) {
				found = msg;
				break;
			}
		}
	}
	ret = -EAGAIN;
	if (!found)
		goto out_unlock;
	ret = -E2BIG;
	if (found->size > arg->size && !(arg->flags & IPCLAB_MSG_NOERROR))
		goto out_unlock;
	n = min_t(size_t, found->size, room);
	memcpy(buf, found->text, n);
	arg->type = found->type;
	ret = 0;
out_unlock:
	spin_unlock(&obj->lock);
	if (!ret) {
		arg->size = n;
		if (copy_to_user(u64_to_user_ptr(arg->text), buf, n) ||
		    copy_to_user(argp, arg, sizeof(*arg)))
			ret = -EFAULT;
	}
	kvfree(buf);
out_put:
	ipclab_obj_put(obj);
	return ret;
}

static long ipclab_mbox_recv(void __user *argp)
{
	const u32 known = IPCLAB_WAIT_NOWAIT | IPCLAB_WAIT_TIMEOUT |
			  IPCLAB_WAIT_ABSTIME | IPCLAB_MSG_NOERROR |
			  IPCLAB_MSG_EXCEPT | IPCLAB_MSG_COPY;
	struct ipclab_mbox_waiter w = {};
	struct ipclab_call c = { .ops = &mbox_recv_ops, .w = &w.base };
	struct ipclab_msgrcv arg;
	struct ipclab_msg *msg;
	int ret;

	if (copy_from_user(&arg, argp, sizeof(arg)))
		return -EFAULT;
	if ((arg.flags & ~known) ||
	    ((arg.flags & IPCLAB_MSG_EXCEPT) && arg.type <= 0))
		return -EINVAL;
	ret = ipclab_timeout_init(&c.t, arg.flags & ~(IPCLAB_MSG_NOERROR |
						      IPCLAB_MSG_EXCEPT |
						      IPCLAB_MSG_COPY),
				  arg.timeout);
	if (ret)
		return ret;
	if (arg.flags & IPCLAB_MSG_COPY) {
		if ((arg.flags & IPCLAB_MSG_EXCEPT) || !c.t.nowait)
			return -EINVAL;
		return mbox_recv_copy(&arg, argp);
	}
	if (arg.type == S64_MIN)	/* -type must exist */
		arg.type = -S64_MAX;

	w.type = arg.type;
	w.flags = arg.flags & (IPCLAB_MSG_NOERROR | IPCLAB_MSG_EXCEPT);
	w.size = arg.size;
	ret = ipclab_call(&c, arg.id, IPCLAB_TYPE_MBOX, IPCLAB_READ);

	/* The message is ours now: copied out with nothing held. */
	msg = w.msg;
	if (!ret && msg) {
		size_t n = min_t(size_t, msg->size, arg.size);

		arg.type = msg->type;
		arg.size = n;
		if (copy_to_user(u64_to_user_ptr(arg.text), msg->text, n) ||
		    copy_to_user(argp, &arg, sizeof(arg)))
			ret = -EFAULT;
	}
	mbox_msg_free(msg);
	return ret;
}

static __poll_t mbox_poll(struct ipclab_obj *obj, struct file *file,
			  struct poll_table_struct *pt)
{
	struct ipclab_mbox *mb = to_mbox(obj);
	wait_queue_head_t *wq = mbox_poll_wq_get(mb);
	__poll_t mask = 0;

	if (!wq)
		return EPOLLERR;
	/* Queued before the look under the lock: see mbox_wake_pollers(). */
	poll_wait(file, wq, pt);
	ipclab_obj_lock(obj);
	if (obj->removed) {
		mask = EPOLLERR | EPOLLHUP;
	} else {
		if (mb->nmsgs)
			mask |= EPOLLIN | EPOLLRDNORM;
		/* Writable: room for a message of at least one byte. */
		if (mbox_room(mb, 1))
			mask |= EPOLLOUT | EPOLLWRNORM;
	}
	ipclab_obj_unlock(obj);
	return mask;
}

static void mbox_remove(struct ipclab_obj *obj, struct ipclab_wake *wq)
{
	struct ipclab_mbox *mb = to_mbox(obj);

	lockdep_assert_held(&obj->lock);
	/* A waiting sender keeps its message and frees it on waking. */
	ipclab_room_done_all(&mb->senders, -EIDRM, wq);
	ipclab_room_done_all(&mb->receivers, -EIDRM, wq);
	/* The messages themselves go in mbox_removed(). */
	mb->nmsgs = 0;
	mb->nbytes = 0;
	/* Pollers see EPOLLHUP. */
	mbox_wake_pollers(mb, EPOLLHUP | EPOLLERR);
}

/* After the removal's unlock: nobody looks at the messages any more. */
static void mbox_removed(struct ipclab_obj *obj)
{
	struct ipclab_mbox *mb = to_mbox(obj);
	struct ipclab_msg *msg, *tmsg;

	list_for_each_entry_safe(msg, tmsg, &mb->msgs, node) {
		list_del(&msg->node);
		mbox_msg_free(msg);
		cond_resched();
	}
}

static void mbox_fill_waiter(struct ipclab_waiter *out,
			     const struct ipclab_mbox_waiter *w, u64 now_ns)
{
	ipclab_fill_waiter(out, &w->base, w->kind, now_ns);
	if (w->kind == IPCLAB_WAITER_SEND) {
		out->msgtype = w->msg->type;
		out->msgsize = w->msg->size;
	} else {
		out->msgtype = w->type;
		out->msgsize = w->size;
		out->flags = w->flags;
	}
}

/*
 * /proc/sysvipc/msg and MSG_STAT_ANY: the counts, capacities, last
 * pids and times, not the totals ever sent and received.
 */
static void mbox_stat_any(struct ipclab_obj *obj, struct ipclab_stat *st)
{
	struct ipclab_mbox *mb = to_mbox(obj);

	lockdep_assert_held(&obj->lock);
	st->mbox.msgs = mb->nmsgs;
	st->mbox.max_msgs = mb->max_msgs;
	st->mbox.bytes = mb->nbytes;
	st->mbox.max_bytes = mb->max_bytes;
	st->mbox.max_msgsz = mb->max_msgsz;
	st->mbox.lspid = mb->lspid ? pid_vnr(mb->lspid) : 0;
	st->mbox.lrpid = mb->lrpid ? pid_vnr(mb->lrpid) : 0;
	st->mbox.stime = mb->stime;
	st->mbox.rtime = mb->rtime;
}

static void mbox_stat(struct ipclab_obj *obj, struct ipclab_stat *st,
		      struct ipclab_snap *snap)
{
	struct ipclab_mbox *mb = to_mbox(obj);
	struct ipclab_mbox_waiter *w;
	struct ipclab_room *rooms[] = { &mb->senders, &mb->receivers };
	u32 n = 0;
	int i;

	lockdep_assert_held(&obj->lock);
	mbox_stat_any(obj, st);
	st->mbox.sent = mb->sent;
	st->mbox.received = mb->received;

	/* The senders' room in order, then the receivers'. */
	for (i = 0; i < ARRAY_SIZE(rooms); i++) {
		ipclab_room_for_each(w, rooms[i], base.node) {
			if (n < snap->waiters_cap)
				mbox_fill_waiter(&snap->waiters[n], w, snap->now_ns);
			n++;
		}
	}
	snap->nwaiters = n;
}

static void mbox_show(struct ipclab_obj *obj, struct seq_file *m, u64 now_ns)
{
	struct ipclab_mbox *mb = to_mbox(obj);
	struct ipclab_mbox_waiter *w;

	seq_printf(m, "  msgs=%u/%u bytes=%u/%u max_msgsz=%u sent=%llu received=%llu\n",
		   mb->nmsgs, mb->max_msgs, mb->nbytes, mb->max_bytes,
		   mb->max_msgsz, mb->sent, mb->received);
	ipclab_room_for_each(w, &mb->senders, base.node) {
		ipclab_show_waiter(m, &w->base, now_ns);
		seq_printf(m, " send type=%lld size=%zu\n", w->msg->type,
			   w->msg->size);
	}
	ipclab_room_for_each(w, &mb->receivers, base.node) {
		ipclab_show_waiter(m, &w->base, now_ns);
		seq_printf(m, " recv type=%lld%s size=%zu\n", w->type,
			   w->flags & IPCLAB_MSG_EXCEPT ? " except" : "", w->size);
	}
}

static void mbox_free(struct ipclab_obj *obj)
{
	struct ipclab_mbox *mb = to_mbox(obj);

	put_pid(mb->lspid);
	put_pid(mb->lrpid);
	/*
	 * The last reference: no fd polls it any more, and a waker of the
	 * fast path, which holds none, wakes under the lock before removal.
	 */
	kfree(mb->poll_wq);
	kfree_rcu(mb, obj.rcu);
}

/*
 * IPCLAB_SET_MAX_BYTES, msgctl(IPC_SET)'s msg_qbytes: above
 * mbox_max_bytes (MSGMNB's part) only with CAP_SYS_RESOURCE, as
 * msgctl_down() says; never above what a mailbox's u32 can hold.
 */
static int mbox_set_check(struct ipclab_obj *obj, const struct ipclab_set *arg)
{
	if (arg->max_bytes > MBOX_MAX_BYTES_CEIL)
		return -EINVAL;
	if (arg->max_bytes > READ_ONCE(ipclab_mbox_max_bytes) &&
	    !capable(CAP_SYS_RESOURCE))
		return -EPERM;
	return 0;
}

/* The new capacity, and the waiting senders it lets in (ss_wakeup()). */
static void mbox_set(struct ipclab_obj *obj, const struct ipclab_set *arg,
		     struct ipclab_wake *wq)
{
	struct ipclab_mbox *mb = to_mbox(obj);

	lockdep_assert_held(&obj->lock);
	mb->max_bytes = arg->max_bytes;
	if (obj->flags & IPCLAB_MSG_COUNT_BYTES)
		mb->max_msgs = mb->max_bytes;
	mbox_admit_senders(mb, wq);
	mbox_changed(mb);
}

static struct ipclab_obj *mbox_create(const struct ipclab_get *get,
				      struct ipclab_user *user)
{
	u32 lim_msgs = READ_ONCE(ipclab_mbox_max_msgs);
	u32 lim_msgsz = READ_ONCE(ipclab_mbox_max_msgsz);
	u64 lim_bytes = READ_ONCE(ipclab_mbox_max_bytes);
	u32 max_msgs = get->mbox.max_msgs ?: lim_msgs;
	u32 max_msgsz = get->mbox.max_msgsz ?: lim_msgsz;
	u64 max_bytes = get->mbox.max_bytes ?: max_t(u64, lim_bytes, max_msgsz);
	struct ipclab_mbox *mb;

	if (!max_msgs || max_msgs > lim_msgs || !max_msgsz ||
	    max_msgsz > lim_msgsz || max_bytes < max_msgsz ||
	    max_bytes > max_t(u64, lim_bytes, lim_msgsz))
		return ERR_PTR(-EINVAL);
	/* Counted as SysV: as many messages as bytes (msg_fits()). */
	if (get->flags & IPCLAB_MSG_COUNT_BYTES) {
		if (get->mbox.max_msgs)
			return ERR_PTR(-EINVAL);
		max_msgs = max_bytes;
	}

	mb = kzalloc(sizeof(*mb), GFP_KERNEL_ACCOUNT);
	if (!mb)
		return ERR_PTR(-ENOMEM);
	mb->max_msgs = max_msgs;
	mb->max_msgsz = max_msgsz;
	mb->max_bytes = max_bytes;
	INIT_LIST_HEAD(&mb->msgs);
	ipclab_room_init(&mb->senders);
	ipclab_room_init(&mb->receivers);
	ipclab_obj_init(&mb->obj, &ipclab_mbox_type, get->mode);
	return &mb->obj;
}

static void mbox_limits(struct ipclab_limits *l)
{
	l->mbox_max_msgs = READ_ONCE(ipclab_mbox_max_msgs);
	l->mbox_max_msgsz = READ_ONCE(ipclab_mbox_max_msgsz);
	l->mbox_max_bytes = READ_ONCE(ipclab_mbox_max_bytes);
	l->max_msgs_per_user = READ_ONCE(ipclab_max_msgs_per_user);
	l->max_msg_bytes_per_user = READ_ONCE(ipclab_max_msg_bytes_per_user);
}

static void mbox_usage(struct ipclab_usage *u, const atomic_long_t *used)
{
	u->mboxes = atomic_long_read(&used[IPCLAB_RES_OBJECTS + IPCLAB_TYPE_MBOX]);
	u->msgs = atomic_long_read(&used[IPCLAB_RES_MSGS]);
	u->msg_bytes = atomic_long_read(&used[IPCLAB_RES_MSG_BYTES]);
}

static const struct ipclab_ioctl mbox_ioctls[] = {
	{ IPCLAB_IOC_MBOX_SEND, ipclab_mbox_send },
	{ IPCLAB_IOC_MBOX_RECV, ipclab_mbox_recv },
	{ }
};

const struct ipclab_type ipclab_mbox_type = {
	.name		= "mbox",
	.nr		= IPCLAB_TYPE_MBOX,
	.get_size	= sizeof_field(struct ipclab_get, mbox),
	.ioctls		= mbox_ioctls,
	.create		= mbox_create,
	.limits		= mbox_limits,
	.usage		= mbox_usage,
	.remove		= mbox_remove,
	.removed	= mbox_removed,
	.stat		= mbox_stat,
	.stat_any	= mbox_stat_any,
	.show		= mbox_show,
	.poll		= mbox_poll,
	.free		= mbox_free,
	.create_flags	= IPCLAB_MSG_COUNT_BYTES,
	.set_flags	= IPCLAB_SET_MAX_BYTES,
	.set_check	= mbox_set_check,
	.set		= mbox_set,
};
