// SPDX-License-Identifier: GPL-2.0
/*
 * ipclab deadlocks: the whole machine's allocation state in one
 * consistent snapshot, and the check that refuses a wait closing a cycle.
 *
 * Both need the state of every semaphore set and mutex at one instant,
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
 * every semaphore and mutex operation on the machine while it walks.
 * Anybody may take a snapshot (students run "ipclab deadlock"), so the
 * price is rationed and bounded, whoever pays it and however often:
 *
 *  - one stopper at a time (ipclab_stop_lock), and the world stands still
 *    at most stop_percent of the time: a stop that lasted d makes the next
 *    one wait until d * (100 - stop_percent) / stop_percent has passed.
 *    The wait is interruptible, and it is the stopper's, not the world's.
 *  - every walk with the world stopped is bounded: a snapshot stops at
 *    IPCLAB_SNAP_MAX resources, processes or edges (and says it was
 *    truncated), a deadlock check after IPCLAB_DL_MAX_STEPS steps (and
 *    refuses, as it could not show the wait to be safe).
 *  - the walks run with preemption off, so that the stopper cannot be
 *    scheduled away (a nice 19 task among busy ones, say) while the world
 *    waits for it: they take no lock, no reference and never sleep, and
 *    their length is bounded as above.
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
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/percpu-rwsem.h>
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

/* One stopper at a time; the earliest start of the next stop (ns). */
static DEFINE_MUTEX(ipclab_stop_lock);
static u64 ipclab_stop_next;

/*
 * Not DEFINE_STATIC_PERCPU_RWSEM(): every write unlock queues an RCU
 * callback on the semaphore, and only percpu_free_rwsem() waits for it
 * before the module's memory goes away.
 */
struct percpu_rw_semaphore ipclab_world;

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

int ipclab_deadlock_init(void)
{
	return percpu_init_rwsem(&ipclab_world);
}

/* Module exit: after the last user; waits for the semaphore's RCU work. */
void ipclab_deadlock_exit(void)
{
	percpu_free_rwsem(&ipclab_world);
}

/*
 * Wait for this stopper's turn: the only one, and not before the last
 * stop's share of the time has passed.  Return: 0 with ipclab_stop_lock
 * held, or -EINTR.
 */
static int ipclab_stop_turn(void)
{
	ktime_t next;

	if (mutex_lock_interruptible(&ipclab_stop_lock))
		return -EINTR;
	next = ns_to_ktime(ipclab_stop_next);
	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (ktime_get() >= next)
			break;
		if (signal_pending(current)) {
			__set_current_state(TASK_RUNNING);
			mutex_unlock(&ipclab_stop_lock);
			return -EINTR;
		}
		schedule_hrtimeout(&next, HRTIMER_MODE_ABS);
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

/*
 * Stop the world; the stop counts from @start (ns), once it stands still:
 * the RCU grace period percpu_down_write() may wait for first holds
 * nobody up (readers only switch to their slow path meanwhile), so it is
 * the stopper's cost, not the world's, and is not rationed.
 */
static void ipclab_stop(u64 *start)
{
	lockdep_assert_held(&ipclab_stop_lock);
	percpu_down_write(&ipclab_world);
	*start = ktime_get_ns();
}

/* Let it run, and ration the next stop by how long this one took. */
static void ipclab_unstop(u64 start)
{
	u32 pct = clamp_t(u32, READ_ONCE(ipclab_stop_percent), 1, 100);
	u64 now;

	percpu_up_write(&ipclab_world);
	now = ktime_get_ns();
	ipclab_stop_next = now + div_u64((now - start) * (100 - pct), pct);
	mutex_unlock(&ipclab_stop_lock);
}

static void dl_free(struct ipclab_dl *dl)
{
	kvfree(dl->queue);
	kvfree(dl->cycle);
	memset(dl, 0, sizeof(*dl));
}

/**
 * ipclab_world_stop() - hold every semaphore and mutex still, for a check
 * @dl: the check's state, zeroed by the caller; gets its buffers
 *
 * The buffers are allocated first, for the processes that exist: the
 * world must not stand still through memory reclaim.  Processes created
 * after the stop cannot be in the graph (joining it takes the read
 * side), so the count read with the world stopped bounds the walk.
 *
 * Return: 0 with the world stopped, or -ENOMEM or -EINTR (waiting for
 * its turn) with it running.
 */
int ipclab_world_stop(struct ipclab_dl *dl)
{
	int ret = ipclab_stop_turn();

	if (ret)
		return ret;
	for (;;) {
		u32 cap = atomic_read(&ipclab_nprocs) + 1;

		dl->queue = kvmalloc_array(cap, sizeof(*dl->queue),
					   GFP_KERNEL_ACCOUNT);
		dl->cycle = kvmalloc_array(cap, sizeof(*dl->cycle),
					   GFP_KERNEL_ACCOUNT);
		if (!dl->queue || !dl->cycle) {
			dl_free(dl);
			mutex_unlock(&ipclab_stop_lock);
			return -ENOMEM;
		}
		dl->cap = cap;
		ipclab_stop(&dl->stop_start);
		if (atomic_read(&ipclab_nprocs) + 1 <= cap)
			break;
		ipclab_unstop(dl->stop_start);
		dl_free(dl);
		ret = ipclab_stop_turn();
		if (ret)
			return ret;
	}
	dl->gen = ++ipclab_dl_gen;
	return 0;
}

/**
 * ipclab_world_restart() - let the world run again after a check
 * @dl:   the check's state; its buffers are freed
 * @proc: the calling process
 * @ret:  what the checked operation returned; on -EDEADLK the cycle
 *        found is kept for IPCLAB_IOC_CYCLE
 */
void ipclab_world_restart(struct ipclab_dl *dl, struct ipclab_proc *proc,
			  int ret)
{
	struct ipclab_cycle_entry *cycle = NULL;
	bool keep = ret == -EDEADLK;

	ipclab_unstop(dl->stop_start);
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
 * @num:    which semaphore (0 for a mutex)
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
	e->type = w->obj->type;
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
 * the cycle cannot be kept (no memory), the refusal stands and
 * IPCLAB_IOC_CYCLE shows the one before.
 */
int ipclab_deadlock_check(struct ipclab_dl *dl, struct ipclab_waiter_base *w)
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
	w->obj->ops->holders(w->obj, w, dl);

	while (!dl->found && !dl->too_big && dl->head < dl->tail) {
		p = dl->queue[dl->head++];
		list_for_each_entry(wx, &p->waits, proc_node) {
			if (!ipclab_dl_step(dl))
				break;
			dl->cur = p;
			dl->cur_w = wx;
			wx->obj->ops->holders(wx->obj, wx, dl);
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
 * @num:   semaphore index, 0 for a mutex
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
		r->type = obj->type;
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
 * With the world stopped: every readable semaphore set and mutex.  Under
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
		/* Mailboxes and shared buffers are not resources. */
		if (!obj->ops->snapshot || obj->removed)
			continue;
		if (ipclab_perm_atomic(obj, IPCLAB_READ, owner_cap))
			hidden++;
		else
			obj->ops->snapshot(obj, s);
	}
	preempt_enable();
	rcu_read_unlock();
	return hidden;
}

long ipclab_ioc_snapshot(void __user *argp)
{
	struct ipclab_dl_snap s = {};
	struct ipclab_snapshot arg;
	int ret = -ENOMEM;
	bool owner_cap;
	u64 start;

	if (copy_from_user(&arg, argp, sizeof(arg)))
		return -EFAULT;
	/*
	 * hidden, taken_ns and truncated are outputs: asking again need not
	 * clear them.
	 */
	if (arg.flags || arg.pad || arg.pad2 ||
	    memchr_inv(arg.reserved, 0, sizeof(arg.reserved)))
		return -EINVAL;

	s.res_cap = arg.res_len;
	s.procs_cap = arg.procs_len;
	s.edges_cap = arg.edges_len;
	s.res = snap_alloc(arg.res, &s.res_cap, sizeof(*s.res));
	s.procs = snap_alloc(arg.procs, &s.procs_cap, sizeof(*s.procs));
	s.edges = snap_alloc(arg.edges, &s.edges_cap, sizeof(*s.edges));
	if ((s.res_cap && !s.res) || (s.procs_cap && !s.procs) ||
	    (s.edges_cap && !s.edges))
		goto out;

	owner_cap = ipclab_owner_cap();
	ret = ipclab_stop_turn();
	if (ret)
		goto out;
	ipclab_stop(&start);
	arg.hidden = snap_fill(&s, owner_cap);
	ipclab_unstop(start);

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
out:
	kvfree(s.res);
	kvfree(s.procs);
	kvfree(s.edges);
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

long ipclab_ioc_cycle(void __user *argp)
{
	struct ipclab_cycle_entry *buf = NULL;
	struct ipclab_proc *proc;
	struct ipclab_cycle arg;
	u32 n = 0, len = 0, i;
	int ret = 0;

	if (copy_from_user(&arg, argp, sizeof(arg)))
		return -EFAULT;
	if (arg.pad)
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
