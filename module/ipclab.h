/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ipclab private header: what the per-primitive files share with the core.
 *
 * Lifetime and locking, in short (docs/design.md has the long version):
 *
 *  - struct ipclab_obj is the part every object shares.  A kref counts the
 *    object table's reference (dropped by removal), one reference per
 *    ioctl that looked the object up, and one per object fd.  Objects are
 *    freed after an RCU grace period because lookups and the table walks
 *    run under RCU; a walker takes a reference before it sleeps or locks.
 *  - obj->lock protects the object's state and waiting rooms.  It is a
 *    spinlock: nothing sleeps, allocates, frees memory or copies to/from
 *    user under it.  What a change leaves to free is freed after unlock.
 *  - struct ipclab_proc is "a process" (thread group).  Its semaphore
 *    records and owned mutexes are under proc->lock.
 *  - struct ipclab_user counts what each user keeps (user.c); every limit
 *    is checked, by charging, before the work it limits is done.
 *  - Every change to the state of semaphores and mutexes (values,
 *    holdings, owners, waiting rooms) happens inside ipclab_world_enter()
 *    and ipclab_world_leave(), a per-cpu read lock that costs next to
 *    nothing.  A whole-machine snapshot and the deadlock check take it
 *    for writing: for that moment, that state stands still everywhere.
 *    They are rationed (stop_percent) and their walks are bounded.
 *  - Lock order, outermost first:
 *      ipclab_table_lock (mutex: creation, removal, keys)
 *      -> user->stop_busy (a bit lock, timed: one stopper per user)
 *      -> the world's turn (a FIFO line, timed: one stopper of the world;
 *         ipclab_stop_queue_lock, a spinlock, guards the line alone)
 *      -> ipclab_world (per-cpu rw semaphore)
 *      -> obj->lock (spinlock)
 *      -> proc->lock (spinlock)
 *      -> the poll wait queue's lock (mailboxes), the xarrays' own locks
 *    Taken on their own, never around another ipclab lock:
 *      ipclab_procs_lock (the process hash), ipclab_users_lock (the user
 *      hash), proc->cycle_lock (mutex: the last refused cycle).
 *  - Waiters live on the stack of the waiting task.  The task that makes a
 *    waiter's request possible performs it, takes the waiter off the list,
 *    collects the task in a struct ipclab_wake, and publishes the result
 *    with smp_store_release(&w->status); the waiter reads it with
 *    smp_load_acquire().  Wake-ups happen after obj->lock is dropped.
 */
#ifndef _IPCLAB_H
#define _IPCLAB_H

#include <linux/bits.h>
#include <linux/hashtable.h>
#include <linux/hrtimer.h>
#include <linux/ipclab.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/llist.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/percpu-rwsem.h>
#include <linux/pid.h>
#include <linux/poll.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/spinlock.h>
#include <linux/uidgid.h>
#include <linux/wait.h>
#include <uapi/linux/sched/types.h>

#define IPCLAB_NAME	"ipclab"

/* Ids are seq * IPCLAB_SLOTS + slot; slots index the object table. */
#define IPCLAB_SLOTS		32768
#define IPCLAB_NTYPES		5	/* IPCLAB_TYPE_* are 1..4 */
#define IPCLAB_SEM_MAX_CEIL	BIT(24)	/* keeps value + op + undo within int */
#define IPCLAB_SEMS_CEIL	32000	/* semaphores per set, as SEMMSL's limit */

/* ipclab_perm()'s access */
#define IPCLAB_READ		4
#define IPCLAB_WRITE		2

/*
 * Module parameters that root may change at run time, refused (EINVAL)
 * outside lo..hi so that no value can break an invariant:
 *
 *	unsigned int ipclab_max_foo = 8;
 *	static struct ipclab_uint_param ipclab_max_foo_param = {
 *		.var = &ipclab_max_foo, .lo = 1, .hi = 1024,
 *	};
 *	module_param_cb(max_foo, &ipclab_uint_param_ops,
 *			&ipclab_max_foo_param, 0644);
 *	MODULE_PARM_DESC(max_foo, "...");
 *
 * Every use reads the variable once, with READ_ONCE().
 */
struct ipclab_uint_param {
	unsigned int *var;
	unsigned int lo, hi;
};

struct ipclab_ulong_param {
	unsigned long *var;
	unsigned long lo, hi;
};

extern const struct kernel_param_ops ipclab_uint_param_ops;
extern const struct kernel_param_ops ipclab_ulong_param_ops;

/* Limits, module parameters, each in the file it limits: READ_ONCE(). */
extern unsigned int ipclab_max_objects;			/* table.c */
extern unsigned int ipclab_max_objects_per_user;
extern unsigned int ipclab_max_procs_per_user;		/* proc.c */
extern unsigned int ipclab_max_waiters;			/* wait.c */
extern unsigned int ipclab_max_waiters_per_user;
extern unsigned int ipclab_stop_percent;		/* deadlock.c */
extern unsigned int ipclab_max_sems;			/* sem.c */
extern unsigned int ipclab_max_ops;
extern unsigned int ipclab_sem_max;
extern unsigned long ipclab_max_sem_records_per_user;
extern unsigned int ipclab_max_queued_ops;
extern unsigned long ipclab_max_sems_per_user;
extern unsigned long ipclab_max_sems_total;
extern unsigned int ipclab_mbox_max_msgs;		/* mbox.c */
extern unsigned int ipclab_mbox_max_msgsz;
extern unsigned long ipclab_mbox_max_bytes;
extern unsigned int ipclab_max_msgs_per_user;
extern unsigned long ipclab_max_msg_bytes_per_user;
extern unsigned long ipclab_shbuf_max_size;		/* shbuf.c */
extern unsigned long ipclab_max_shbuf_pages;
extern unsigned long ipclab_max_shbuf_pages_per_user;

struct ipclab_obj;
struct ipclab_proc;
struct ipclab_wake;
struct ipclab_waiter_base;
struct seq_file;
struct file;
struct poll_table_struct;
struct vm_area_struct;
struct files_struct;

struct ipclab_dl;
struct ipclab_dl_snap;

/* user.c: what each user keeps */
enum {
	IPCLAB_RES_OBJECTS,		/* + IPCLAB_TYPE_*: objects of a type */
	IPCLAB_RES_PROCS = IPCLAB_NTYPES,
	IPCLAB_RES_WAITERS,
	IPCLAB_RES_MSGS,
	IPCLAB_RES_MSG_BYTES,
	IPCLAB_RES_SEMS,
	IPCLAB_RES_SEM_RECORDS,
	IPCLAB_RES_SHBUF_PAGES,
	IPCLAB_NRES
};

struct ipclab_user {
	struct hlist_node node;		/* in the user hash */
	struct rcu_head rcu;
	refcount_t ref;
	kuid_t uid;
	atomic_long_t used[IPCLAB_NRES];
	/* Stopping the world (deadlock.c): one of the user's at a time. */
	unsigned long stop_busy;	/* bit 0: one of its stoppers goes */
	wait_queue_head_t stop_wq;	/* the others wait here */
	u64 stop_next;			/* its next stop, not before (ns) */
};

struct ipclab_user *ipclab_user_get(kuid_t uid);
struct ipclab_user *ipclab_user_current(void);
void ipclab_user_put(struct ipclab_user *u);
int ipclab_charge(struct ipclab_user *u, unsigned int res, unsigned long n,
		  unsigned long limit, unsigned long total);
void ipclab_uncharge(struct ipclab_user *u, unsigned int res, unsigned long n);
unsigned long ipclab_used(unsigned int res);
long ipclab_ioc_info(void __user *argp);
void ipclab_users_exit(void);

/*
 * A snapshot under construction (IPCLAB_IOC_STAT).  The core allocates
 * the arrays with *_cap entries before taking the object's lock; the type
 * fills at most *_cap entries and counts every entry in n*.
 */
struct ipclab_snap {
	s32 *values;
	struct ipclab_waiter *waiters;
	struct ipclab_sembuf *ops;
	struct ipclab_holder *holders;
	u32 values_cap, waiters_cap, ops_cap, holders_cap;
	u32 nvalues, nwaiters, nops, nholders;
	u64 now_ns;
};

struct ipclab_type_ops {
	/*
	 * Under obj->lock, after obj->removed was set: fail every waiter with
	 * -EIDRM (queue them on @wq) and detach per-process records.
	 */
	void (*remove)(struct ipclab_obj *obj, struct ipclab_wake *wq);
	/*
	 * Optional, after remove() with no lock held: free what the removed
	 * object no longer needs (messages, records).  Nothing else touches
	 * that state once obj->removed is set.
	 */
	void (*removed)(struct ipclab_obj *obj);
	/* Under obj->lock: fill the type's part of @st and @snap. */
	void (*stat)(struct ipclab_obj *obj, struct ipclab_stat *st,
		     struct ipclab_snap *snap);
	/*
	 * Optional, under obj->lock, at IPCLAB_IOC_RMID: true if the object
	 * stays in the id table, marked removed, until its last user calls
	 * ipclab_obj_unlink() (shared buffers that are still mapped).
	 */
	bool (*linger)(struct ipclab_obj *obj);
	/* Object fds (optional): mmap() of the object. */
	int (*mmap)(struct ipclab_obj *obj, struct file *file,
		    struct vm_area_struct *vma);
	/* Object fds (optional): poll() without obj->lock held. */
	__poll_t (*poll)(struct ipclab_obj *obj, struct file *file,
			 struct poll_table_struct *pt);
	/*
	 * Semaphore sets and mutexes, with the world stopped (the object's
	 * lock not held: nothing changes), preemption off and no sleeping:
	 * add the object's resources and its hold and wait edges to @s, and
	 * stop when ipclab_dl_full() says so.
	 */
	void (*snapshot)(struct ipclab_obj *obj, struct ipclab_dl_snap *s);
	/*
	 * Semaphore sets and mutexes, with the world stopped and preemption
	 * off: report each process holding what waiter @w waits for with
	 * ipclab_dl_holder(), taking an ipclab_dl_step() per look.
	 */
	void (*holders)(struct ipclab_obj *obj,
			const struct ipclab_waiter_base *w, struct ipclab_dl *dl);
	/* Under obj->lock: the type's lines of the debugfs "objects" file. */
	void (*show)(struct ipclab_obj *obj, struct seq_file *m, u64 now_ns);
	/*
	 * Last reference gone: give back what the type charged, free what it
	 * allocated, and the object itself after an RCU grace period.
	 */
	void (*free)(struct ipclab_obj *obj);
};

struct ipclab_obj {
	struct kref ref;
	struct rcu_head rcu;
	const struct ipclab_type_ops *ops;
	struct ipclab_user *user;	/* the creator's, charged for it */
	u32 type;
	u32 id;
	s32 key;
	spinlock_t lock;	/* the object's state and waiting rooms */

	/*
	 * Protected by lock.  mode/uid/gid are also read without it, with
	 * READ_ONCE(), for permission checks (as ipcperms() does).
	 */
	bool removed;
	u32 flags;		/* IPCLAB_REFUSE_DEADLOCK, _SEM_NOFIFO: at creation */
	umode_t mode;
	kuid_t uid, cuid;
	kgid_t gid, cgid;
	struct pid *cpid;
	struct pid *lpid;
	time64_t ctime, otime;
	u32 nwaiters;		/* ipclab_waiter_enter()/_leave() */
	u32 nreaders;		/* ... of them, waiters that only look */
};

/* What every waiter has, embedded in the type's waiter. */
struct ipclab_waiter_base {
	struct list_head node;
	struct list_head proc_node;	/* semaphores, mutexes: proc->waits */
	struct task_struct *task;
	struct ipclab_proc *proc;
	struct ipclab_obj *obj;
	u64 ticket;
	u64 start_ns;
	char comm[TASK_COMM_LEN];
	bool reader;	/* it only looks (wait for zero): half the room */
	int status;	/* -EINPROGRESS until decided */
};

/*
 * Tasks to wake once the object's lock is dropped.  (The kernel's wake_q
 * is not exported to modules.)  Each entry holds a task reference; when
 * the batch is full, further tasks are woken at once, still correctly,
 * only a little less politely.
 */
#define IPCLAB_WAKE_BATCH	8
struct ipclab_wake {
	unsigned int n;
	struct task_struct *tasks[IPCLAB_WAKE_BATCH];
};

#define IPCLAB_DEFINE_WAKE(name) struct ipclab_wake name = { .n = 0 }

/* A validated IPCLAB_WAIT_* request. */
struct ipclab_timeout {
	bool nowait;
	bool forever;
	ktime_t expires;	/* CLOCK_MONOTONIC, when !forever */
};

/* table.c: objects, keys, ids, permissions */
struct ipclab_obj *ipclab_obj_lookup(u32 id, u32 type);
struct ipclab_obj *ipclab_obj_next(unsigned long *slot);
struct ipclab_obj *ipclab_obj_next_rcu(unsigned long *slot);
void ipclab_obj_put(struct ipclab_obj *obj);
void ipclab_obj_unlink(struct ipclab_obj *obj);
void ipclab_obj_init(struct ipclab_obj *obj, const struct ipclab_type_ops *ops,
		     u32 type, umode_t mode);
int ipclab_perm(struct ipclab_obj *obj, int access);
int ipclab_perm_atomic(struct ipclab_obj *obj, int access, bool owner_cap);
bool ipclab_owner_cap(void);
void ipclab_obj_touch(struct ipclab_obj *obj);
long ipclab_ioc_get(void __user *argp);
long ipclab_ioc_rmid(void __user *argp);
long ipclab_ioc_set(void __user *argp);
long ipclab_ioc_stat(void __user *argp);
long ipclab_ioc_list(void __user *argp);
void ipclab_table_exit(void);
void ipclab_debugfs_init(void);
void ipclab_debugfs_exit(void);
void ipclab_show_waiter(struct seq_file *m, const struct ipclab_waiter_base *w,
			u64 now_ns);
void ipclab_fill_holder(struct ipclab_holder *h, struct ipclab_proc *proc,
			u32 num, s32 held, s32 undo);

/* proc.c: what a process is */
#define IPCLAB_PROC_HASH_BITS	4

struct ipclab_proc {
	struct kref ref;
	struct hlist_node node;		/* in the process hash */
	struct rcu_head rcu;
	struct pid *tgid;
	struct ipclab_user *user;	/* charged for the record */
	char comm[TASK_COMM_LEN];
	spinlock_t lock;	/* the lists below */

	/* Protected by lock (read under RCU for lookups). */
	DECLARE_HASHTABLE(semprocs, IPCLAB_PROC_HASH_BITS); /* by set */
	struct list_head mutexes;	/* struct ipclab_mutex.owner_node */
	struct list_head waits;		/* its waiters on sems and mutexes */

	/* The end of the process: ipclab_procs_lock, and the exit hook. */
	bool hashed;
	wait_queue_entry_t exit_wait;	/* on tgid->wait_pidfd */
	struct llist_node exit_node;	/* queued for a look after a wake */
	unsigned long exit_queued;	/* bit 0: on the exit list */

	/* Scratch of the snapshot and the deadlock check (world stopped). */
	u64 dl_gen;
	u32 dl_index;
	u32 dl_num;
	struct ipclab_proc *dl_parent;
	const struct ipclab_waiter_base *dl_via;

	/* The cycle of its last EDEADLK refusal, under cycle_lock. */
	struct mutex cycle_lock;
	struct ipclab_cycle_entry *cycle;
	u32 cycle_len;
};

extern atomic_t ipclab_nprocs;

struct ipclab_proc *ipclab_proc_current(void);
struct ipclab_proc *ipclab_proc_find_current(void);
void ipclab_proc_put(struct ipclab_proc *proc);
void ipclab_proc_closed(struct files_struct *files);
void ipclab_procs_exit(void);

/* core.c */
bool ipclab_session_left(struct files_struct *files);

/* wait.c: sleeping and waking, shared by every primitive */
int ipclab_timeout_init(struct ipclab_timeout *t, u32 flags, u64 timeout);
void ipclab_waiter_init(struct ipclab_waiter_base *w, struct ipclab_proc *proc,
			struct ipclab_obj *obj);
int ipclab_waiter_room(const struct ipclab_waiter_base *w);
int ipclab_waiter_enter(struct ipclab_waiter_base *w);
void ipclab_waiter_leave(struct ipclab_waiter_base *w);
void ipclab_waiter_link(struct ipclab_waiter_base *w);
void ipclab_waiter_gave_up(const struct ipclab_waiter_base *w, int reason);
void ipclab_waiter_unlink(struct ipclab_waiter_base *w);
int ipclab_sleep(struct ipclab_waiter_base *w, const struct ipclab_timeout *t);
void ipclab_waiter_done(struct ipclab_waiter_base *w, int status,
			struct ipclab_wake *wq);
void ipclab_wake_up(struct ipclab_wake *wq);
void ipclab_fill_waiter(struct ipclab_waiter *out,
			const struct ipclab_waiter_base *w, u32 kind, u64 now_ns);

/* deadlock.c: the stopped world, snapshots, refusing deadlocks */
extern struct percpu_rw_semaphore ipclab_world;

/* Changing semaphore or mutex state: inside the world (or it is stopped). */
#define ipclab_world_assert_held()	lockdep_assert_held(&ipclab_world)
/* Reading other objects without their locks: the world is stopped. */
#define ipclab_world_assert_stopped()	lockdep_assert_held_write(&ipclab_world)

int ipclab_deadlock_init(void);
void ipclab_deadlock_exit(void);
void ipclab_world_enter_slow(void);

/**
 * ipclab_world_enter() - about to change semaphore or mutex state
 *
 * Inside, until ipclab_world_leave(), only spinlocks are taken, so the
 * section runs with preemption off, and the read side is taken only by a
 * running task (a trylock, and else a wait outside it for the stop to
 * end): a stopper waiting for the sections in flight to drain waits for
 * bounded work, never for a reader that the scheduler put aside (a
 * SCHED_IDLE task among busy ones, say, or one granted the read side as
 * it was woken) while every other reader waits.  On PREEMPT_RT, whose
 * spinlocks sleep, the read side is taken as it is.
 *
 * Context: process context; no spinlock held (it may wait for a snapshot).
 */
static inline void ipclab_world_enter(void)
	__acquires(ipclab_world)
{
	if (IS_ENABLED(CONFIG_PREEMPT_RT)) {
		percpu_down_read(&ipclab_world);
	} else {
		/* What lockdep and might_sleep() would see of a plain down. */
		might_sleep();
		might_lock_read(&ipclab_world);
		preempt_disable();
		if (unlikely(!percpu_down_read_trylock(&ipclab_world)))
			ipclab_world_enter_slow();
	}
	__acquire(ipclab_world);
}

/**
 * ipclab_world_leave() - done changing semaphore or mutex state
 */
static inline void ipclab_world_leave(void)
	__releases(ipclab_world)
{
	__release(ipclab_world);
	percpu_up_read(&ipclab_world);
	if (!IS_ENABLED(CONFIG_PREEMPT_RT))
		preempt_enable();
}

/* A stop of the world (deadlock.c): whose, since when, at what priority. */
struct ipclab_stop {
	struct ipclab_user *user;
	ktime_t deadline;		/* of the waits for a turn; 0: none */
	bool have_user, have_world;	/* the turns it holds */
	bool boosted;
	u64 start;
	struct sched_attr attr;		/* the stopper's own policy */
};

/* What the deadlock check needs while the world stands still. */
struct ipclab_dl {
	struct ipclab_proc **queue;
	struct ipclab_cycle_entry *cycle;
	u32 cap, head, tail, len;
	u64 gen;
	struct ipclab_stop stop;
	unsigned long steps;
	struct ipclab_proc *start;
	struct ipclab_proc *cur;
	const struct ipclab_waiter_base *cur_w;
	const struct ipclab_waiter_base *close_w;
	u32 close_num;
	bool found;
	bool too_big;
};

/*
 * Positive returns of the locked part of a P or lock on an object that
 * refuses deadlocks: "stop the world and call again", and, with the world
 * stopped, "check before queuing" (the waiter is ready, not queued).
 */
#define IPCLAB_STOP_WORLD	1
#define IPCLAB_CHECK		2

int ipclab_world_stop(struct ipclab_dl *dl, struct ipclab_user *user,
		      const struct ipclab_timeout *t);
void ipclab_world_restart(struct ipclab_dl *dl, struct ipclab_proc *proc,
			  int ret);
int ipclab_deadlock_check(struct ipclab_dl *dl, struct ipclab_waiter_base *w);
bool ipclab_dl_step(struct ipclab_dl *dl);
void ipclab_dl_holder(struct ipclab_dl *dl, struct ipclab_proc *holder, u32 num);
bool ipclab_dl_full(const struct ipclab_dl_snap *s);
u32 ipclab_dl_res(struct ipclab_dl_snap *s, struct ipclab_obj *obj, u32 num,
		  s32 avail, s32 total);
void ipclab_dl_edge(struct ipclab_dl_snap *s, u32 kind, struct ipclab_proc *proc,
		    u32 res, s32 count, const struct ipclab_waiter_base *w);
long ipclab_ioc_snapshot(void __user *argp);
long ipclab_ioc_cycle(void __user *argp);
void ipclab_proc_free_cycle(struct ipclab_proc *proc);

/* sem.c */
extern const struct ipclab_type_ops ipclab_sem_ops;
struct ipclab_obj *ipclab_sem_create(const struct ipclab_get *get,
				     struct ipclab_user *user);
int ipclab_sem_check_open(struct ipclab_obj *obj, const struct ipclab_get *get);
long ipclab_sem_op(void __user *argp);
long ipclab_sem_ctl(void __user *argp);
void ipclab_sem_proc_exit(struct ipclab_proc *proc);

/* mbox.c */
extern const struct ipclab_type_ops ipclab_mbox_ops;
struct ipclab_obj *ipclab_mbox_create(const struct ipclab_get *get,
				      struct ipclab_user *user);
long ipclab_mbox_send(void __user *argp);
long ipclab_mbox_recv(void __user *argp);

/* shbuf.c */
extern const struct ipclab_type_ops ipclab_shbuf_ops;
struct ipclab_obj *ipclab_shbuf_create(const struct ipclab_get *get,
				       struct ipclab_user *user);
int ipclab_shbuf_check_open(struct ipclab_obj *obj, const struct ipclab_get *get);

/* objfd.c */
long ipclab_ioc_open(void __user *argp);

/* mutex.c */
extern const struct ipclab_type_ops ipclab_mutex_ops;
struct ipclab_obj *ipclab_mutex_create(const struct ipclab_get *get,
				       struct ipclab_user *user);
long ipclab_mutex_lock(void __user *argp);
long ipclab_mutex_unlock(void __user *argp);
long ipclab_mutex_consistent(void __user *argp);
void ipclab_mutex_proc_exit(struct ipclab_proc *proc);

#endif /* _IPCLAB_H */
