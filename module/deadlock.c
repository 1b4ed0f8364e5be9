// SPDX-License-Identifier: GPL-2.0
/*
 * ipclab deadlocks: the whole machine's allocation state in one
 * consistent snapshot, and the check that refuses a wait closing a cycle.
 *
 * Both need the state of every resource (every object of a type with a
 * snapshot() and holders()) at one instant,
 * and taking every object's lock at once is not an option (a spinlock
 * per object, thousands of objects).  Instead every change to that state
 * runs inside ipclab_world_enter()/ipclab_world_leave(), the read side of
 * a per-cpu rw semaphore: a per-cpu counter, no shared cache line, on the
 * fast path.  The snapshot and the deadlock check take the write side:
 * new changes wait, changes in flight finish, and for as long as it is
 * held nothing that the deadlock algorithms read can change anywhere.
 * Readers hold only spinlocks inside (waiters sleep outside), so the
 * writer waits only for critical sections already running.
 *
 * With the world stopped, objects are read without their locks: their
 * lists cannot change (only IPCLAB_IOC_STAT-style readers run), and every
 * process reachable from them stays allocated (a process is cleaned up
 * inside the read side, and freed only after that).  The table is walked
 * under RCU without references; an object removed before the stop is
 * skipped, and none can be removed during it (removal enters the world).
 *
 * The price: a snapshot or a check costs an RCU grace period and blocks
 * every operation on a resource on the machine while it walks.
 * Anybody may take a snapshot (students run "ipclab deadlock"), so the
 * price is rationed and bounded, whoever pays it and however often:
 *
 *  - one stopper of the world at a time, in the order they came
 *    (ipclab_stop_queue), and one per user in that line
 *    (user->stop_busy); a stop of d holds the
 *    next one, whoever makes it, until d * (100 - stop_percent) /
 *    stop_percent has passed, so that the world stands still at most
 *    stop_percent of the time however many users stop it, and the same
 *    user's next one too.  The waits are the stopper's
 *    (interruptible, and within a deadlock check's timeout), not the
 *    world's.  Only the user's one stopper allocates for its stop.
 *  - every walk with the world stopped is bounded: a snapshot stops at
 *    IPCLAB_SNAP_MAX resources, processes or edges (and says it was
 *    truncated), a deadlock check after IPCLAB_DL_MAX_STEPS steps (and
 *    refuses, as it could not show the wait to be safe).
 *  - the stopper cannot be scheduled away while the world waits for it
 *    (a nice 19 or SCHED_IDLE task among busy ones, say): from just
 *    before it asks for the write side until it has let go, it runs as
 *    SCHED_FIFO priority 1 (then gets its own policy back), and its walks
 *    run with preemption off: they take no lock, no reference and never
 *    sleep, and their length is bounded as above.
 *
 * On PREEMPT_RT the writer has no priority inheritance over readers.
 *
 * The check is a breadth-first search over processes: from the holders
 * of what the caller is about to wait for, through what their blocked
 * threads wait for, to its holders, and so on, until it comes back to the
 * caller's process (a cycle) or runs out of processes.  There is no hop
 * limit: each process is visited once, so the walk is bounded by the
 * number of processes, and its queue is allocated for that many before
 * the search starts.
 *
 * The primitives see none of this.  A blocking command is a struct
 * ipclab_call whose try() and enqueue() its type provides;
 * ipclab_call_run() runs them inside the world, or with it stopped when
 * the object refuses deadlocks, checks the wait, and sleeps.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/percpu-rwsem.h>
#include <linux/sched/prio.h>
#include <uapi/linux/sched/types.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "ipclab.h"
#include "trace.h"

/* Steps of one deadlock check before it gives up (and refuses). */
#define IPCLAB_DL_MAX_STEPS	BIT(16)

unsigned int ipclab_stop_percent = 10;
static struct ipclab_uint_param ipclab_stop_percent_param = {
	.var = &ipclab_stop_percent, .lo = 1, .hi = 100,
};
module_param_cb(stop_percent, &ipclab_uint_param_ops, &ipclab_stop_percent_param, 0644);
MODULE_PARM_DESC(stop_percent, "The most of the time, in percent, that snapshots and deadlock checks may stop the world");

/*
 * Not DEFINE_STATIC_PERCPU_RWSEM(): every write unlock queues an RCU
 * callback on the rw semaphore, and only percpu_free_rwsem() waits for it
 * before the module's memory goes away.
 */
struct percpu_rw_semaphore ipclab_world;

/* Readers that found the world stopped wait here for the stop's end. */
static DECLARE_WAIT_QUEUE_HEAD(ipclab_world_wq);

/**
 * ipclab_world_enter_slow() - enter the world once the stop is over
 *
 * The trylock of ipclab_world_enter() failed: a stopper blocks readers.
 * Wait for it with preemption on and without the read side, then try
 * again.
 *
 * Context: preemption disabled, as on return; the read side held on return.
 */
void ipclab_world_enter_slow(void)
{
	do {
		preempt_enable();
		wait_event(ipclab_world_wq, !percpu_is_write_locked(&ipclab_world));
		preempt_disable();
	} while (!percpu_down_read_trylock(&ipclab_world));
}

/* Marks visited processes; changed only with the world stopped. */
static u64 ipclab_dl_gen;

struct ipclab_dl_snap {
	struct ipclab_snap_res *res;
	struct ipclab_snap_proc *procs;
	struct ipclab_snap_edge *edges;
	u32 res_cap, procs_cap, edges_cap;
	u32 nres, nprocs, nedges;
	bool truncated;		/* an array reached IPCLAB_SNAP_MAX */
	const struct ipclab_waiter_base *last_w;
	u64 gen;
	u64 now_ns;
};

/**
 * ipclab_deadlock_init() - make the world's lock, at module load
 *
 * Return: 0 or -ENOMEM.
 */
int ipclab_deadlock_init(void)
{
	return percpu_init_rwsem(&ipclab_world);
}

/**
 * ipclab_deadlock_exit() - free the world's lock, at module unload
 *
 * After the last user; waits for the lock's RCU work.
 */
void ipclab_deadlock_exit(void)
{
	percpu_free_rwsem(&ipclab_world);
}

/*
 * Wait until @until (KTIME_MAX: never), or *@granted (NULL: never) turns
 * true, or @deadline (0: none), or a signal.  Return: 0 at @until or once
 * granted, -ETIMEDOUT at the deadline, -EINTR.
 */
static int ipclab_stop_sleep(ktime_t until, const bool *granted,
			     ktime_t deadline)
{
	ktime_t t;
	int ret = 0;

	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		/* Pairs with ipclab_stop_world_give()'s smp_store_release(). */
		if (granted && smp_load_acquire(granted))
			break;
		if (ktime_get() >= until)
			break;
		if (deadline && ktime_get() >= deadline) {
			ret = -ETIMEDOUT;
			break;
		}
		if (signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		t = deadline && deadline < until ? deadline : until;
		if (t == KTIME_MAX)
			schedule();
		else
			schedule_hrtimeout(&t, HRTIMER_MODE_ABS);
	}
	__set_current_state(TASK_RUNNING);
	return ret;
}

/* Take bit 0 of @word, if it is free: a bit lock that may be waited for. */
static bool ipclab_stop_take(unsigned long *word)
{
	return !test_and_set_bit_lock(0, word);
}

static void ipclab_stop_give(unsigned long *word, wait_queue_head_t *wq)
{
	clear_bit_unlock(0, word);
	wake_up_interruptible(wq);
}

/*
 * Wait for bit 0 of @word, within @deadline (0: none).  Return: 0 with it
 * taken, -ETIMEDOUT or -EINTR.
 */
static int ipclab_stop_wait_take(unsigned long *word, wait_queue_head_t *wq,
				 ktime_t deadline)
{
	long left;

	if (!deadline)
		return wait_event_interruptible(*wq, ipclab_stop_take(word)) ?
		       -EINTR : 0;
	left = wait_event_interruptible_hrtimeout(*wq, ipclab_stop_take(word),
						  ktime_sub(deadline, ktime_get()));
	if (left == -ETIME)
		return -ETIMEDOUT;
	return left ? -EINTR : 0;
}

/*
 * The world's turn: one stopper at a time, in the order they came (one
 * per user: ipclab_stop_user_turn() lets only one of a user's queue), so
 * that no user's stops can starve another's.  The holder gives the turn
 * to the first in line directly.
 */
struct ipclab_stop_waiter {
	struct list_head node;
	struct task_struct *task;
	bool granted;		/* smp_store_release() by the giver */
};

static DEFINE_SPINLOCK(ipclab_stop_queue_lock);
static LIST_HEAD(ipclab_stop_queue);	/* struct ipclab_stop_waiter.node */
static bool ipclab_stop_held;		/* under ipclab_stop_queue_lock */
static u64 ipclab_stop_next;	/* the world's next stop, not before (ns) */

/* Hand the world's turn to the first in line, or free it. */
static void ipclab_stop_world_give(void)
{
	struct ipclab_stop_waiter *w;
	struct task_struct *task = NULL;

	spin_lock(&ipclab_stop_queue_lock);
	w = list_first_entry_or_null(&ipclab_stop_queue,
				     struct ipclab_stop_waiter, node);
	if (w) {
		list_del_init(&w->node);
		/* Once granted, @w (on the waiter's stack) may be gone. */
		task = get_task_struct(w->task);
		/* Pairs with the waiter's smp_load_acquire(): the turn's state. */
		smp_store_release(&w->granted, true);
	} else {
		ipclab_stop_held = false;
	}
	spin_unlock(&ipclab_stop_queue_lock);
	if (task) {
		wake_up_process(task);
		put_task_struct(task);
	}
}

/*
 * Wait in line for the world's turn, within @deadline (0: none).
 * Return: 0 with the turn, -ETIMEDOUT or -EINTR without it.
 */
static int ipclab_stop_world_wait(ktime_t deadline)
{
	struct ipclab_stop_waiter w = { .task = current };
	int ret;

	spin_lock(&ipclab_stop_queue_lock);
	if (!ipclab_stop_held) {
		ipclab_stop_held = true;
		spin_unlock(&ipclab_stop_queue_lock);
		return 0;
	}
	list_add_tail(&w.node, &ipclab_stop_queue);
	spin_unlock(&ipclab_stop_queue_lock);

	ret = ipclab_stop_sleep(KTIME_MAX, &w.granted, deadline);
	if (!ret)
		return 0;
	spin_lock(&ipclab_stop_queue_lock);
	if (!w.granted) {
		list_del(&w.node);
		spin_unlock(&ipclab_stop_queue_lock);
		return ret;
	}
	spin_unlock(&ipclab_stop_queue_lock);
	/* Granted as it gave up: pass it on. */
	ipclab_stop_world_give();
	return ret;
}

/*
 * For as long as it is in line for the world's turn or holds it, no CPU
 * hog (nor a cgroup's CPU limit, nor SCHED_IDLE) may keep the stopper
 * from the CPU while others wait for it: run as SCHED_FIFO 1 unless
 * already real-time, and remember the policy to give back.  It sleeps
 * for most of that time, which costs nothing.  (If the kernel refuses, as
 * with real-time group scheduling and no budget, it goes on unboosted.)
 */
static void ipclab_stop_boost(struct ipclab_stop *st)
{
	struct sched_attr fifo = {
		.size = sizeof(fifo),
		.sched_policy = SCHED_FIFO,
		.sched_priority = 1,
	};

	st->boosted = false;
	if (current->policy != SCHED_NORMAL && current->policy != SCHED_BATCH &&
	    current->policy != SCHED_IDLE)
		return;
	st->attr = (struct sched_attr) {
		.size = sizeof(st->attr),
		.sched_policy = current->policy,
		.sched_nice = task_nice(current),
		.sched_flags = current->sched_reset_on_fork ?
			       SCHED_FLAG_RESET_ON_FORK : 0,
	};
	st->boosted = !sched_setattr_nocheck(current, &fifo);
}

/*
 * Give the stopper its policy back, unless somebody (root's chrt, say)
 * changed it during the stop: theirs stands.
 */
static void ipclab_stop_unboost(struct ipclab_stop *st)
{
	if (!st->boosted || current->policy != SCHED_FIFO ||
	    current->rt_priority != 1)
		return;
	WARN_ON_ONCE(sched_setattr_nocheck(current, &st->attr));
	st->boosted = false;
}

/* Give back the world's turn, if @st holds it, and the boost. */
static void ipclab_stop_world_leave(struct ipclab_stop *st)
{
	if (st->have_world)
		ipclab_stop_world_give();
	st->have_world = false;
	ipclab_stop_unboost(st);
}

/* Give back the turns @st holds, without stopping (again). */
static void ipclab_stop_release(struct ipclab_stop *st)
{
	ipclab_stop_world_leave(st);
	if (st->have_user)
		ipclab_stop_give(&st->user->stop_busy, &st->user->stop_wq);
	st->have_user = false;
}

/**
 * ipclab_stop_user_turn() - wait to be the user's one stopper
 * @st:   the stop, to be given to ipclab_stop_world_turn() next
 * @user: the stopping process's user
 * @t:    the waiting call's timeout, or NULL
 *
 * A user's stoppers go one at a time, each past the user's ration.  Only
 * this one may then allocate for its stop: stoppers that wait hold no
 * memory.
 *
 * Return: 0 with the user's turn (ipclab_stop_release() gives it back),
 * or -EINTR or -ETIMEDOUT without it.
 */
static int ipclab_stop_user_turn(struct ipclab_stop *st, struct ipclab_user *user,
				 const struct ipclab_timeout *t)
{
	int ret;

	*st = (struct ipclab_stop) { .user = user };
	/* An absolute timeout of 0 has passed: it is not "no deadline". */
	if (t && !t->forever)
		st->deadline = t->expires ?: 1;
	ret = ipclab_stop_wait_take(&user->stop_busy, &user->stop_wq,
				    st->deadline);
	if (ret)
		return ret;
	st->have_user = true;
	ret = ipclab_stop_sleep(ns_to_ktime(READ_ONCE(user->stop_next)), NULL,
				st->deadline);
	if (ret)
		ipclab_stop_release(st);
	return ret;
}

/**
 * ipclab_stop_world_turn() - wait to be the world's one stopper
 * @st: the stop, with its user's turn
 *
 * The world's turn comes in line, and then past the world's ration, so
 * that all stops together, whoever makes them, hold the world still at
 * most stop_percent of the time.  The holder sleeps out the ration with
 * the turn: nobody may stop the world before then anyway.  From joining
 * the line it runs boosted (ipclab_stop_boost()), so that it cannot sit
 * on its turn unscheduled while the others in line wait.
 *
 * Return: 0 with the world's turn (ipclab_stop() may follow), or -EINTR or
 * -ETIMEDOUT with only the user's.
 */
static int ipclab_stop_world_turn(struct ipclab_stop *st)
{
	int ret;

	ipclab_stop_boost(st);
	ret = ipclab_stop_world_wait(st->deadline);
	if (ret) {
		ipclab_stop_unboost(st);
		return ret;
	}
	st->have_world = true;
	ret = ipclab_stop_sleep(ns_to_ktime(READ_ONCE(ipclab_stop_next)), NULL,
				st->deadline);
	if (ret)
		ipclab_stop_world_leave(st);
	return ret;
}

/*
 * Stop the world (boosted since the line); the stop counts from once it
 * stands still.
 * The RCU grace period percpu_down_write() waits for first holds nobody
 * up (readers only switch to their slow path meanwhile), so it is the
 * stopper's cost, not the world's, and is not rationed; the drain of the
 * readers in flight that follows does hold new readers off, but a reader
 * holds the read side only while it runs, with preemption off
 * (ipclab_world_enter()), so the drain lasts as long as the longest of
 * their bounded sections (but on PREEMPT_RT).  Readers that find the
 * world stopped wait on ipclab_world_wq, woken by ipclab_unstop().
 */
static void __ipclab_stop(struct ipclab_stop *st)
{
	WARN_ON_ONCE(!st->have_world);
	percpu_down_write(&ipclab_world);
	st->start = ktime_get_ns();
}

/* Let the world run, give the turns and the boost back, ration the next. */
static void __ipclab_unstop(struct ipclab_stop *st)
{
	u32 pct = clamp_t(u32, READ_ONCE(ipclab_stop_percent), 1, 100);
	u64 now, next;

	percpu_up_write(&ipclab_world);
	wake_up_all(&ipclab_world_wq);
	now = ktime_get_ns();
	next = now + div_u64((now - st->start) * (100 - pct), pct);
	WRITE_ONCE(ipclab_stop_next, next);
	WRITE_ONCE(st->user->stop_next, next);
	trace_ipclab_world_stop(from_kuid(&init_user_ns, st->user->uid),
				st->start, now, next);
	ipclab_stop_release(st);
}

/* The same two, as sparse sees them: the world is held in between. */
static void ipclab_stop(struct ipclab_stop *st)
	__acquires(ipclab_world)
{
	__ipclab_stop(st);
	__acquire(ipclab_world);
}

static void ipclab_unstop(struct ipclab_stop *st)
	__releases(ipclab_world)
{
	__release(ipclab_world);
	__ipclab_unstop(st);
}

/* Free the check's buffers (not its stop). */
static void dl_free(struct ipclab_dl *dl)
{
	kvfree(dl->queue);
	kvfree(dl->cycle);
	dl->queue = NULL;
	dl->cycle = NULL;
	dl->cap = 0;
}

/**
 * ipclab_world_stop() - hold every resource still, for a check
 * @dl:   the check's state, zeroed by the caller; gets its buffers
 * @user: the user of the checking process, whose stops are rationed
 * @t:    the checked call's timeout, which its wait for a turn respects
 *
 * The buffers are allocated once the user's turn has come (so that a
 * user's waiting stoppers hold no memory) and before the world stops (it
 * must not stand still through memory reclaim), for the processes that
 * exist, with room to spare; again, before the stop, if processes came
 * while this one waited for the world's turn.  Processes created after
 * the stop cannot be in the graph (joining it takes the read side), so
 * the count read with the world stopped bounds the walk; if it grew past
 * the room, all over again.
 *
 * Return: 0 with the world stopped, or -ENOMEM, -EINTR or -ETIMEDOUT
 * (waiting for its turn) with it running.
 */
static int ipclab_world_stop(struct ipclab_dl *dl, struct ipclab_user *user,
			     const struct ipclab_timeout *t)
{
	unsigned int tries;
	int ret;

	ret = ipclab_stop_user_turn(&dl->stop, user, t);
	if (ret)
		return ret;
	for (tries = 0; ; tries++) {
		u32 n = atomic_read(&ipclab_nprocs) + 1;
		u32 cap = n + (n >> 2) + (16U << min(tries, 10U));

		dl->queue = kvmalloc_array(cap, sizeof(*dl->queue),
					   GFP_KERNEL_ACCOUNT);
		dl->cycle = kvmalloc_array(cap, sizeof(*dl->cycle),
					   GFP_KERNEL_ACCOUNT);
		ret = -ENOMEM;
		if (!dl->queue || !dl->cycle)
			goto err;
		dl->cap = cap;
		ret = ipclab_stop_world_turn(&dl->stop);
		if (ret)
			goto err;
		/*
		 * The line may have been long: room for who came meanwhile?
		 * If not, allocate again without the turn (and join again).
		 */
		if (atomic_read(&ipclab_nprocs) + 1 > cap) {
			ipclab_stop_world_leave(&dl->stop);
			dl_free(dl);
			continue;
		}
		__ipclab_stop(&dl->stop);
		if (atomic_read(&ipclab_nprocs) + 1 <= cap)
			break;
		/* Rationed like any stop: a growing world cannot loop it. */
		__ipclab_unstop(&dl->stop);
		dl_free(dl);
		ret = ipclab_stop_user_turn(&dl->stop, user, t);
		if (ret)
			return ret;
	}
	dl->gen = ++ipclab_dl_gen;
	return 0;

err:
	dl_free(dl);
	ipclab_stop_release(&dl->stop);
	return ret;
}

/**
 * ipclab_world_restart() - let the world run again after a check
 * @dl:   the check's state; its buffers are freed
 * @proc: the calling process
 * @keep: the check refused the wait: keep the cycle it found for
 *        IPCLAB_IOC_CYCLE (an EDEADLK of the command itself, such as a
 *        relock, leaves the last refusal as it was)
 */
static void ipclab_world_restart(struct ipclab_dl *dl, struct ipclab_proc *proc,
				 bool keep)
	__releases(ipclab_world)
{
	struct ipclab_cycle_entry *cycle = NULL;

	ipclab_unstop(&dl->stop);
	if (keep && dl->len) {
		trace_ipclab_deadlock(dl->cycle[0].id, dl->len);
		/* Keep what the cycle needs, not room for every process. */
		cycle = kvmalloc_array(dl->len, sizeof(*cycle),
				       GFP_KERNEL_ACCOUNT);
		if (cycle) {
			memcpy(cycle, dl->cycle, dl->len * sizeof(*cycle));
		} else {
			/* Keep the search's buffer, bigger: never lose a refusal. */
			cycle = dl->cycle;
			dl->cycle = NULL;
		}
	}
	if (keep) {
		/* A graph too big to search leaves an empty cycle. */
		mutex_lock(&proc->cycle_lock);
		swap(proc->cycle, cycle);
		proc->cycle_len = dl->len;
		mutex_unlock(&proc->cycle_lock);
	}
	kvfree(cycle);
	dl_free(dl);
}

/**
 * ipclab_proc_free_cycle() - forget a process's last refused cycle
 * @proc: the process, at its release
 */
void ipclab_proc_free_cycle(struct ipclab_proc *proc)
{
	kvfree(proc->cycle);
	proc->cycle = NULL;
	proc->cycle_len = 0;
}

/**
 * ipclab_dl_step() - count one step of a deadlock check's walk
 * @dl: the check
 *
 * Every loop of the walk, in deadlock.c and in the types' holders(),
 * takes a step per iteration and stops when this says so.
 *
 * Return: true to go on; false once the check is over (a cycle was found,
 * or IPCLAB_DL_MAX_STEPS were taken).
 */
bool ipclab_dl_step(struct ipclab_dl *dl)
{
	if (dl->found || dl->too_big)
		return false;
	if (++dl->steps > IPCLAB_DL_MAX_STEPS) {
		dl->too_big = true;
		return false;
	}
	return true;
}

/**
 * ipclab_dl_holder() - the check found that @holder holds what dl->cur_w
 *                      waits for
 * @dl:     the check
 * @holder: a process holding units of it
 * @num:    which of the object's resources (0 for an object with one)
 */
void ipclab_dl_holder(struct ipclab_dl *dl, struct ipclab_proc *holder, u32 num)
{
	if (!ipclab_dl_step(dl))
		return;
	if (holder == dl->start) {
		dl->found = true;
		dl->close_w = dl->cur_w;
		dl->close_num = num;
		return;
	}
	if (holder->dl_gen == dl->gen)
		return;
	/* Cannot happen: every process in the graph was counted in cap. */
	if (WARN_ON_ONCE(dl->tail >= dl->cap))
		return;
	holder->dl_gen = dl->gen;
	holder->dl_parent = dl->cur;
	holder->dl_via = dl->cur_w;
	holder->dl_num = num;
	dl->queue[dl->tail++] = holder;
}

static void dl_fill_entry(struct ipclab_cycle_entry *e, struct ipclab_proc *proc,
			  const struct ipclab_waiter_base *w, u32 num)
{
	memset(e, 0, sizeof(*e));
	e->pid = pid_vnr(proc->tgid);
	e->tid = task_pid_vnr(w->task);
	memcpy(e->comm, proc->comm, sizeof(e->comm));
	e->id = w->obj->id;
	e->num = num;
	e->type = w->obj->type->nr;
}

/* Write down the cycle: the caller first, each waiting for the next. */
static void dl_record_cycle(struct ipclab_dl *dl)
{
	struct ipclab_proc *p, *last = dl->cur;
	u32 n = 1, i;

	for (p = last; p != dl->start; p = p->dl_parent)
		n++;
	dl->len = n;
	i = n - 1;
	dl_fill_entry(&dl->cycle[i], last, dl->close_w, dl->close_num);
	for (p = last; p != dl->start; p = p->dl_parent)
		dl_fill_entry(&dl->cycle[--i], p->dl_parent, p->dl_via, p->dl_num);
}

/**
 * ipclab_deadlock_check() - would waiter @w close a cycle?
 * @dl: the check, with the world stopped by ipclab_world_stop()
 * @w:  the caller's waiter, filled in but not queued; no lock held
 *
 * Return: 0 if waiting closes no cycle; -EDEADLK if it would (the cycle
 * is in @dl), or if the graph was too big to search (dl->len is 0).  If
 * no memory is left to copy the cycle, ipclab_world_restart() keeps the
 * search's own buffer: a refusal is never lost.
 */
static int ipclab_deadlock_check(struct ipclab_dl *dl,
				 struct ipclab_waiter_base *w)
{
	const struct ipclab_waiter_base *wx;
	struct ipclab_proc *p;

	ipclab_world_assert_stopped();
	dl->start = w->proc;
	dl->start->dl_gen = dl->gen;
	dl->cur = dl->start;
	dl->cur_w = w;
	/* Bounded, and nothing sleeps: the stopper is not scheduled away. */
	preempt_disable();
	w->obj->type->holders(w->obj, w, dl);

	while (!dl->found && !dl->too_big && dl->head < dl->tail) {
		p = dl->queue[dl->head++];
		list_for_each_entry(wx, &p->waits, proc_node) {
			if (!ipclab_dl_step(dl))
				break;
			dl->cur = p;
			dl->cur_w = wx;
			wx->obj->type->holders(wx->obj, wx, dl);
		}
	}
	if (dl->found)
		dl_record_cycle(dl);
	preempt_enable();
	return dl->found || dl->too_big ? -EDEADLK : 0;
}

/**
 * ipclab_dl_full() - has the snapshot reached IPCLAB_SNAP_MAX somewhere?
 * @s: the snapshot
 *
 * The types' snapshot() stops walking when it has.
 *
 * Return: true if the snapshot is truncated.
 */
bool ipclab_dl_full(const struct ipclab_dl_snap *s)
{
	return s->truncated;
}

/* The snapshot's index of @proc, added on first sight; false when full. */
static bool dl_snap_proc(struct ipclab_dl_snap *s, struct ipclab_proc *proc,
			 u32 *index)
{
	struct ipclab_snap_proc *out;

	if (proc->dl_gen == s->gen) {
		*index = proc->dl_index;
		return true;
	}
	if (s->nprocs >= IPCLAB_SNAP_MAX) {
		s->truncated = true;
		return false;
	}
	proc->dl_gen = s->gen;
	proc->dl_index = s->nprocs++;
	if (proc->dl_index < s->procs_cap) {
		out = &s->procs[proc->dl_index];
		memset(out, 0, sizeof(*out));
		out->pid = pid_vnr(proc->tgid);
		memcpy(out->comm, proc->comm, sizeof(out->comm));
	}
	*index = proc->dl_index;
	return true;
}

/**
 * ipclab_dl_res() - add a resource class to a snapshot
 * @s:     the snapshot
 * @obj:   its object
 * @num:   which of the object's resources (0 for an object with one)
 * @avail: instances available
 * @total: instances in existence
 *
 * Return: its index, for edges (when the snapshot is full, a resource is
 * not added, and neither are the edges that would name it).
 */
u32 ipclab_dl_res(struct ipclab_dl_snap *s, struct ipclab_obj *obj, u32 num,
		  s32 avail, s32 total)
{
	u32 i;

	if (s->nres >= IPCLAB_SNAP_MAX) {
		s->truncated = true;
		return 0;
	}
	i = s->nres++;

	if (i < s->res_cap) {
		struct ipclab_snap_res *r = &s->res[i];

		memset(r, 0, sizeof(*r));
		r->id = obj->id;
		r->num = num;
		r->type = obj->type->nr;
		r->flags = obj->flags;
		r->avail = avail;
		r->total = total;
	}
	return i;
}

/**
 * ipclab_dl_edge() - add an arrow of the resource-allocation graph
 * @s:     the snapshot
 * @kind:  IPCLAB_EDGE_HOLD or IPCLAB_EDGE_WAIT
 * @proc:  the process
 * @res:   the resource's index
 * @count: instances held or requested
 * @w:     WAIT: the waiter; its edges must be added one after another
 */
void ipclab_dl_edge(struct ipclab_dl_snap *s, u32 kind, struct ipclab_proc *proc,
		    u32 res, s32 count, const struct ipclab_waiter_base *w)
{
	u32 p, i;

	if (s->truncated)
		return;
	if (s->nedges >= IPCLAB_SNAP_MAX) {
		s->truncated = true;
		return;
	}
	if (!dl_snap_proc(s, proc, &p))
		return;
	i = s->nedges++;

	if (w && w != s->last_w && p < s->procs_cap)
		s->procs[p].nwait++;
	if (w)
		s->last_w = w;
	if (i >= s->edges_cap)
		return;
	memset(&s->edges[i], 0, sizeof(s->edges[i]));
	s->edges[i].kind = kind;
	s->edges[i].proc = p;
	s->edges[i].res = res;
	s->edges[i].count = count;
	if (w) {
		s->edges[i].tid = task_pid_vnr(w->task);
		s->edges[i].ticket = w->ticket;
		s->edges[i].waited_ns = s->now_ns - w->start_ns;
	}
}

/* A user array of *cap entries at @uptr; no pointer, no room. */
static void *snap_alloc(u64 uptr, u32 *cap, size_t size)
{
	*cap = uptr ? min_t(u32, *cap, IPCLAB_SNAP_MAX) : 0;
	if (!*cap)
		return NULL;
	return kvcalloc(*cap, size, GFP_KERNEL_ACCOUNT);
}

static int snap_copy(u64 uptr, const void *buf, u32 cap, u32 n, size_t size)
{
	n = min(cap, n);
	if (n && copy_to_user(u64_to_user_ptr(uptr), buf, (size_t)n * size))
		return -EFAULT;
	return 0;
}

/*
 * With the world stopped: every readable resource object.  Under
 * RCU with preemption off (see the top of the file); @owner_cap is the
 * caller's CAP_IPC_OWNER, looked up before.
 */
static u32 snap_fill(struct ipclab_dl_snap *s, bool owner_cap)
{
	unsigned long slot = 0;
	struct ipclab_obj *obj;
	u32 hidden = 0;

	ipclab_world_assert_stopped();
	s->gen = ++ipclab_dl_gen;
	s->now_ns = ktime_get_ns();
	rcu_read_lock();
	preempt_disable();
	while (!s->truncated && (obj = ipclab_obj_next_rcu(&slot))) {
		/* Objects of other types are not resources. */
		if (!ipclab_obj_in_world(obj) || obj->removed)
			continue;
		if (ipclab_perm_atomic(obj, IPCLAB_READ, owner_cap))
			hidden++;
		else
			obj->type->snapshot(obj, s);
	}
	preempt_enable();
	rcu_read_unlock();
	return hidden;
}

/**
 * ipclab_ioc_snapshot() - IPCLAB_IOC_SNAPSHOT: the machine's allocation state
 * @argp: struct ipclab_snapshot from userspace
 *
 * Return: 0, -EINVAL, -EINTR (waiting for a turn), -ENOMEM or -EFAULT.
 */
long ipclab_ioc_snapshot(void __user *argp)
{
	struct ipclab_dl_snap s = {};
	struct ipclab_snapshot arg;
	struct ipclab_stop stop;
	struct ipclab_user *user;
	bool owner_cap;
	int ret;

	if (copy_from_user(&arg, argp, sizeof(arg)))
		return -EFAULT;
	/*
	 * hidden, taken_ns and truncated are outputs: asking again need not
	 * clear them.
	 */
	if (arg.flags || arg.pad || arg.pad2 ||
	    memchr_inv(arg.reserved, 0, sizeof(arg.reserved)))
		return -EINVAL;

	user = ipclab_user_current();
	if (IS_ERR(user))
		return PTR_ERR(user);
	owner_cap = ipclab_owner_cap();
	ret = ipclab_stop_user_turn(&stop, user, NULL);
	if (ret)
		goto out;
	/* Only the one stopper holds these: waiting ones hold no memory. */
	s.res_cap = arg.res_len;
	s.procs_cap = arg.procs_len;
	s.edges_cap = arg.edges_len;
	s.res = snap_alloc(arg.res, &s.res_cap, sizeof(*s.res));
	s.procs = snap_alloc(arg.procs, &s.procs_cap, sizeof(*s.procs));
	s.edges = snap_alloc(arg.edges, &s.edges_cap, sizeof(*s.edges));
	ret = -ENOMEM;
	if ((s.res_cap && !s.res) || (s.procs_cap && !s.procs) ||
	    (s.edges_cap && !s.edges))
		goto out_release;
	ret = ipclab_stop_world_turn(&stop);
	if (ret)
		goto out_release;
	ipclab_stop(&stop);
	arg.hidden = snap_fill(&s, owner_cap);
	ipclab_unstop(&stop);

	arg.taken_ns = s.now_ns;
	arg.truncated = s.truncated;
	arg.res_len = s.nres;
	arg.procs_len = s.nprocs;
	arg.edges_len = s.nedges;
	ret = snap_copy(arg.res, s.res, s.res_cap, s.nres, sizeof(*s.res)) ?:
	      snap_copy(arg.procs, s.procs, s.procs_cap, s.nprocs,
			sizeof(*s.procs)) ?:
	      snap_copy(arg.edges, s.edges, s.edges_cap, s.nedges,
			sizeof(*s.edges));
	if (!ret && copy_to_user(argp, &arg, sizeof(arg)))
		ret = -EFAULT;
	goto out;

out_release:
	ipclab_stop_release(&stop);
out:
	kvfree(s.res);
	kvfree(s.procs);
	kvfree(s.edges);
	ipclab_user_put(user);
	return ret;
}

/*
 * A cycle may pass through objects the caller may not read (a process of
 * another user waiting on its own object): show such an entry as hidden,
 * as the snapshot leaves such objects out.  Permissions are those of now.
 */
static void cycle_filter(struct ipclab_cycle_entry *e)
{
	struct ipclab_obj *obj = ipclab_obj_lookup(e->id, e->type);

	if (obj && !ipclab_perm(obj, IPCLAB_READ)) {
		e->flags = 0;
	} else {
		memset(e, 0, sizeof(*e));
		e->flags = IPCLAB_CYCLE_HIDDEN;
	}
	if (obj)
		ipclab_obj_put(obj);
}

/**
 * ipclab_ioc_cycle() - IPCLAB_IOC_CYCLE: the caller's last refused cycle
 * @argp: struct ipclab_cycle from userspace
 *
 * Return: 0, -EINVAL, -ENOMEM or -EFAULT.
 */
long ipclab_ioc_cycle(void __user *argp)
{
	struct ipclab_cycle_entry *buf = NULL;
	struct ipclab_proc *proc;
	struct ipclab_cycle arg;
	u32 n = 0, len = 0, i;
	int ret = 0;

	if (copy_from_user(&arg, argp, sizeof(arg)))
		return -EFAULT;
	if (arg.flags || memchr_inv(arg.reserved, 0, sizeof(arg.reserved)))
		return -EINVAL;
	/* A process that never used ipclab was never refused. */
	proc = ipclab_proc_find_current();
	if (proc) {
		mutex_lock(&proc->cycle_lock);
		len = proc->cycle_len;
		n = arg.entries ? min(arg.len, len) : 0;
		if (n) {
			buf = kvmalloc_array(n, sizeof(*buf), GFP_KERNEL_ACCOUNT);
			if (buf)
				memcpy(buf, proc->cycle, n * sizeof(*buf));
			else
				ret = -ENOMEM;
		}
		mutex_unlock(&proc->cycle_lock);
		ipclab_proc_put(proc);
	}
	for (i = 0; !ret && i < n; i++)
		cycle_filter(&buf[i]);
	if (!ret && n && copy_to_user(u64_to_user_ptr(arg.entries), buf,
				      array_size(n, sizeof(*buf))))
		ret = -EFAULT;
	kvfree(buf);
	arg.len = len;
	if (!ret && copy_to_user(argp, &arg, sizeof(arg)))
		ret = -EFAULT;
	return ret;
}

/*
 * One pass of a call inside the world: try, and queue at once unless the
 * object refuses deadlocks (then *check says so: the wait must be checked
 * first, with the world stopped).  Return: as try(), or enqueue()'s error.
 */
static int call_try(struct ipclab_call *c, bool *queued, bool *check)
{
	int ret;

	ipclab_obj_lock(c->obj);
	ret = c->ops->try(c);
	if (!ret && c->wait) {
		if (c->obj->flags & IPCLAB_REFUSE_DEADLOCK) {
			*check = true;
		} else {
			ret = c->ops->enqueue(c);
			*queued = !ret;
		}
	}
	ipclab_obj_unlock(c->obj);
	ipclab_wake_up(&c->wq);
	return ret;
}

/*
 * One pass with the world stopped: try again (it may go now), and if it
 * must still wait, queue it only if the wait closes no cycle.  Nothing
 * changes while the world stands still, so what the check saw is what
 * the queued waiter waits in.  Return: as try(), -EDEADLK, enqueue()'s
 * error, or the stop's (-EINTR, -ETIMEDOUT, -ENOMEM).
 */
static int call_checked(struct ipclab_call *c, bool *queued)
{
	struct ipclab_dl dl = {};
	bool refused = false;
	int ret;

	ret = ipclab_world_stop(&dl, c->proc->user, &c->t);
	if (ret)
		return ret;
	__acquire(ipclab_world);	/* stopped, until ipclab_world_restart() */
	ipclab_world_assert_stopped();
	spin_lock(&c->obj->lock);
	ret = c->ops->try(c);
	spin_unlock(&c->obj->lock);
	if (!ret && c->wait) {
		ret = ipclab_deadlock_check(&dl, c->w);
		refused = ret;
		if (!ret) {
			spin_lock(&c->obj->lock);
			ret = c->ops->enqueue(c);
			spin_unlock(&c->obj->lock);
			*queued = !ret;
		}
	}
	ipclab_world_restart(&dl, c->proc, refused);
	ipclab_wake_up(&c->wq);
	return ret;
}

/**
 * ipclab_call_begin() - find the object and the process for a call
 * @c:      the call
 * @id:     the object's id, from userspace
 * @type:   the IPCLAB_TYPE_* the command works on
 * @access: what the command needs: IPCLAB_READ and/or IPCLAB_WRITE
 *
 * The first steps of a blocking command: c->obj and c->proc referenced,
 * to be dropped by ipclab_call_end() (also after an error of
 * ipclab_call_run(), not after one of this).
 *
 * Return: 0, -EINVAL (no such object of that type), the error of the
 * type's check(), -EACCES, or an error of ipclab_proc_current()
 * (-ENOSPC, -ENOMEM).
 */
int ipclab_call_begin(struct ipclab_call *c, u32 id, u32 type, int access)
{
	int ret;

	c->obj = ipclab_obj_lookup(id, type);
	if (!c->obj)
		return -EINVAL;
	ret = c->ops->check ? c->ops->check(c) : 0;
	ret = ret ?: ipclab_perm(c->obj, access);
	if (ret)
		goto out_put;
	c->proc = ipclab_proc_current();
	if (IS_ERR(c->proc)) {
		ret = PTR_ERR(c->proc);
		goto out_put;
	}
	return 0;

out_put:
	ipclab_obj_put(c->obj);
	return ret;
}

/**
 * ipclab_call_fast() - a call decided at once, without references
 * @c:      the call: its ops and timeout (obj and proc are set here)
 * @id:     as for ipclab_call_begin()
 * @type:   as for ipclab_call_begin()
 * @access: as for ipclab_call_begin()
 * @ret:    out: the command's result, when decided
 *
 * The common case, done as ipc/sem.c does its simple operations: the
 * object is found under RCU and used inside that one read-side section
 * without a reference (objects are freed only after a grace period, and
 * try() sees under the object's lock whether it was removed), its lock
 * is taken once, and try() decides.  The process is referenced as in the
 * full path -- what try() does may keep it (a mutex's owner), and only a
 * reference keeps it from ending for good meanwhile -- unless the type
 * says (rcu_proc) that it reaches the process only through records it
 * finds under the object's lock.  Whatever is less
 * simple -- no such object, a permission only a capability grants, no
 * record of the process yet, a stop of the world in progress, a try()
 * that must wait or needs memory -- is left to the full path with
 * nothing changed, which finds it again and says what is wrong.
 *
 * Context: process context, no lock held.
 * Return: true if decided, with the command's result (try()'s, or
 * check()'s error) in *@ret; false if the full path must run:
 * ipclab_call_begin() and ipclab_call_run().  Either way c->obj and
 * c->proc are NULL on return.
 */
bool ipclab_call_fast(struct ipclab_call *c, u32 id, u32 type, int access,
		      int *ret)
{
	bool done = false;

	rcu_read_lock();
	if (c->ops->rcu_proc)
		c->proc = ipclab_proc_peek_rcu();
	else
		c->proc = ipclab_proc_find_current_rcu();
	if (!c->proc) {
		rcu_read_unlock();
		return false;
	}
	c->obj = ipclab_obj_find_rcu(id, type);
	if (!c->obj)
		goto out;
	if (c->ops->check) {
		*ret = c->ops->check(c);
		done = *ret != 0;
		if (done)
			goto out;
	}
	if (ipclab_perm_atomic(c->obj, access, false))
		goto out;
	if (!ipclab_obj_tryenter(c->obj))
		goto out;
	spin_lock(&c->obj->lock);
	c->fast = true;
	*ret = c->ops->try(c);
	c->fast = false;
	done = !c->wait && !c->again;
	ipclab_obj_unlock(c->obj);
out:
	rcu_read_unlock();
	ipclab_wake_up(&c->wq);
	if (!c->ops->rcu_proc)
		ipclab_proc_put(c->proc);
	c->obj = NULL;
	c->proc = NULL;
	c->wait = false;
	c->again = false;
	return done;
}

/**
 * ipclab_call() - the whole of a blocking command
 * @c:      the call: its ops, timeout and waiter filled in
 * @id:     as for ipclab_call_begin()
 * @type:   as for ipclab_call_begin()
 * @access: as for ipclab_call_begin()
 *
 * ipclab_call_fast(), and if that cannot decide, ipclab_call_begin(),
 * ipclab_call_run() and ipclab_call_end().
 *
 * Context: process context, no lock held.
 * Return: the command's result.
 */
int ipclab_call(struct ipclab_call *c, u32 id, u32 type, int access)
{
	int ret;

	if (ipclab_call_fast(c, id, type, access, &ret))
		return ret;
	ret = ipclab_call_begin(c, id, type, access);
	if (ret)
		return ret;
	ret = ipclab_call_run(c);
	ipclab_call_end(c);
	return ret;
}

/**
 * ipclab_call_end() - drop what ipclab_call_begin() took
 * @c: the call
 *
 * Context: process context, no lock held.
 */
void ipclab_call_end(struct ipclab_call *c)
{
	ipclab_proc_put(c->proc);
	ipclab_obj_put(c->obj);
}

/**
 * ipclab_call_run() - try a blocking command; else refuse, or wait
 * @c: the call: its ops, object, process, timeout and waiter filled in
 *
 * The one protocol of every blocking command.  The type's try() runs
 * under ipclab_obj_lock(); if the command can be done now, that is all.
 * If try() needs memory first, prepare() allocates it with no lock held
 * and try() runs again.  If the command must wait, its waiter is queued
 * (the type's enqueue()) in the same locked section -- unless the object
 * was created with IPCLAB_REFUSE_DEADLOCK: then the world is stopped
 * (rationed, within the call's timeout), try() runs once more, and the
 * waiter is queued only if waiting closes no cycle; otherwise the call
 * fails with -EDEADLK, changing nothing, and the cycle is kept for
 * IPCLAB_IOC_CYCLE.  A queued waiter sleeps in ipclab_call_sleep().
 * The tasks the type collected in c->wq are woken after every unlock.
 *
 * Context: process context, no lock held.
 * Return: the command's result.
 */
int ipclab_call_run(struct ipclab_call *c)
{
	bool check = false, queued = false;
	int ret;

	for (;;) {
		c->wait = false;
		c->again = false;
		if (check)
			ret = call_checked(c, &queued);
		else
			ret = call_try(c, &queued, &check);
		if (ret)
			return ret;
		if (c->again) {
			ret = c->ops->prepare(c);
			if (ret)
				return ret;
			continue;
		}
		if (queued)
			return ipclab_call_sleep(c);
		if (!c->wait)
			return 0;
		/* It must wait, and the object refuses deadlocks: check first. */
	}
}
