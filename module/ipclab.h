/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ipclab private header: what the primitives share with the generic code.
 *
 * The generic code -- the device and its dispatcher (core.c), the object
 * table (table.c), processes (proc.c), users and limits (user.c), waiting
 * rooms (wait.c), object fds (objfd.c), the stopped world and the
 * deadlock check (deadlock.c), debugfs (debugfs.c) and the trace events
 * (trace.h) -- names no primitive.  Each primitive lives in the one file
 * named after it and plugs in through one struct ipclab_type, listed on
 * one line of the registry (types.h).  docs/adding-a-primitive.md walks
 * through it.
 *
 * Lifetime and locking, in short (docs/design.md has the long version):
 *
 *  - struct ipclab_obj is the part every object shares.  A kref counts the
 *    object table's reference (dropped by removal), one reference per
 *    ioctl that looked the object up, and one per object fd.  Objects are
 *    freed after an RCU grace period because lookups and the table walks
 *    run under RCU; a walker takes a reference before it sleeps or locks,
 *    except the fast path of a blocking command (ipclab_call_fast()),
 *    which locks it inside its one RCU section and checks obj->removed.
 *  - obj->lock protects the object's state and waiting rooms.  It is a
 *    spinlock: nothing sleeps, allocates, frees memory or copies to/from
 *    user under it.  What a change leaves to free is freed after unlock.
 *    ipclab_obj_lock() and ipclab_obj_unlock() take and drop it.
 *  - struct ipclab_proc is "a process" (thread group).  The records the
 *    types keep for it and the objects it owns are under proc->lock.
 *  - struct ipclab_user counts what each user keeps (user.c); every limit
 *    is checked, by charging, before the work it limits is done.
 *  - The resources of the deadlock world are the objects whose type has
 *    a snapshot() (semaphore sets and mutexes).  Every change to their
 *    state (values, holdings, owners, waiting rooms) happens inside the
 *    world: ipclab_obj_lock() enters it for them, a per-cpu read lock
 *    that costs next to nothing.  A whole-machine snapshot and the
 *    deadlock check take it for writing: for that moment, that state
 *    stands still everywhere.  They are rationed (stop_percent) and their
 *    walks are bounded.
 *  - Lock order, outermost first:
 *      ipclab_table_lock (mutex: creation, removal, keys)
 *      -> proc->cycle_lock (mutex: the last refused cycle; taken alone
 *         today, after a check has let the world run)
 *      -> user->stop_busy (a bit lock, timed: one stopper per user)
 *      -> the world's turn (a FIFO line, timed: one stopper of the world)
 *      -> ipclab_world (per-cpu rw semaphore)
 *      -> obj->lock (spinlock)
 *      -> proc->lock (spinlock)
 *      -> the innermost: a poll wait queue's lock (mailboxes' pollers),
 *         ipclab_procs_lock (the process hash), ipclab_users_lock (the
 *         user hash), ipclab_stop_queue_lock (the world's line), the
 *         xarrays' own locks.  None of these is held around another
 *         ipclab lock.
 *  - Waiters live on the stack of the waiting task, in a waiting room
 *    (struct ipclab_room, wait.c).  The task that makes a waiter's
 *    request possible performs it, takes the waiter out of the room,
 *    collects the task in a struct ipclab_wake, and publishes the result
 *    with smp_store_release(&w->status); the waiter reads it with
 *    smp_load_acquire().  Wake-ups happen after obj->lock is dropped.
 *  - A blocking command is a struct ipclab_call: its type's try and
 *    enqueue callbacks, run by ipclab_call_run() (deadlock.c), which
 *    owns the refusal of deadlocks and the sleep (wait.c).
 */
#ifndef _IPCLAB_H
#define _IPCLAB_H

#include <linux/atomic.h>
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

/*
 * Ids are seq * IPCLAB_SLOTS + slot; slots index the object table, and
 * seq counts creations from 1 to IPCLAB_SEQS - 1, then starts again at
 * 1: an id is never 0, and always a positive int, which is what SysV
 * programs keep it in (semget() returns one).
 */
#define IPCLAB_SLOTS		BIT(17)
static_assert(IPCLAB_SLOTS == IPCLAB_ID_SLOTS);
#define IPCLAB_SEQS		BIT(14)
static_assert((u64)IPCLAB_SEQS * IPCLAB_SLOTS - 1 <= INT_MAX);
/* Room for IPCLAB_TYPE_* 1..15: the registry (types.h) may not pass it. */
#define IPCLAB_NTYPES		16

/* ipclab_perm()'s access */
#define IPCLAB_READ		4
#define IPCLAB_WRITE		2

/*
 * Module parameters that root may change at run time, refused (EINVAL)
 * outside lo..hi so that no value can break an invariant:
 *
 *	static unsigned int ipclab_max_foo = 8;
 *	static struct ipclab_uint_param ipclab_max_foo_param = {
 *		.var = &ipclab_max_foo, .lo = 1, .hi = 1024,
 *	};
 *	module_param_cb(max_foo, &ipclab_uint_param_ops,
 *			&ipclab_max_foo_param, 0644);
 *	MODULE_PARM_DESC(max_foo, "...");
 *
 * Every use reads the variable once, with READ_ONCE().  A limit lives in
 * the file of what it limits; IPCLAB_IOC_INFO asks each file for its own.
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

/* The generic limits, each in its file: READ_ONCE(). */
extern unsigned int ipclab_max_objects;			/* table.c */
extern unsigned int ipclab_max_objects_per_user;
extern unsigned int ipclab_max_procs_per_user;		/* proc.c */
extern unsigned int ipclab_max_waiters;			/* wait.c */
extern unsigned int ipclab_max_waiters_per_user;
extern unsigned int ipclab_stop_percent;		/* deadlock.c */

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

/*
 * user.c: what each user keeps.  A primitive that keeps memory of its own
 * for a user (records, messages, pages) has a counter here to charge.
 */
enum {
	IPCLAB_RES_OBJECTS,		/* + IPCLAB_TYPE_*: objects of a type */
	IPCLAB_RES_PROCS = IPCLAB_NTYPES,
	IPCLAB_RES_WAITERS,
	IPCLAB_RES_MSGS,
	IPCLAB_RES_MSG_BYTES,
	IPCLAB_RES_SEMS,
	IPCLAB_RES_SEM_RECORDS,
	IPCLAB_RES_SHBUF_PAGES,
	IPCLAB_RES_LOCKED_PAGES,	/* of buffers locked, for the locker */
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

/**
 * struct ipclab_ioctl - one command of a primitive
 * @cmd: IPCLAB_IOC_*
 * @fn:  its handler, given the ioctl's argument
 */
struct ipclab_ioctl {
	unsigned int cmd;
	long (*fn)(void __user *argp);
};

/**
 * struct ipclab_type - a primitive: what the generic code asks of it
 * @name:         its name in debugfs, the trace events and messages
 * @nr:           its IPCLAB_TYPE_*
 * @create_flags: the flags of IPCLAB_IOC_GET it accepts with IPCLAB_CREAT
 *                beyond CREAT and EXCL (IPCLAB_REFUSE_DEADLOCK only where
 *                it has @holders)
 * @get_size:     bytes of its member of struct ipclab_get's union: every
 *                byte after them must be zero (the core checks).  A member
 *                that ends in padding counts only up to its last field
 *                (sizeof_field(struct ipclab_get, sem.nsems)), so that the
 *                core checks the padding too
 * @init:         optional, at module load, before /dev/ipclab exists: set
 *                up what the type keeps for all its objects (a slab
 *                cache); 0 or an error, which fails the load
 * @exit:         optional, at module unload, after every object was freed
 *                and the module's processes ended: undo @init
 * @ioctls:       its commands, ended by an entry with @cmd 0
 * @create:       build a new object for @get, charged to @user, with no
 *                lock held; ERR_PTR(-EINVAL) for arguments out of range
 * @check_open:   optional: may an existing object be opened with @get?
 *                0, or an error such as -EINVAL
 * @proc_exit:    optional: a process ended; undo and drop what it kept
 *                (process context, no ipclab lock held)
 * @limits:       optional: fill its limits in IPCLAB_IOC_INFO's answer
 * @usage:        optional: fill its part of a struct ipclab_usage from
 *                the counters @used (a user's, or the whole machine's)
 * @remove:       under ipclab_obj_lock(), after obj->removed was set: fail
 *                every waiter with -EIDRM (collect them in @wq) and detach
 *                per-process records
 * @removed:      optional, after remove() with no lock held: free what the
 *                removed object no longer needs (messages, records);
 *                nothing else touches that state once obj->removed is set
 * @linger:       optional, under obj->lock, at removal: true if the object
 *                stays in the id table, marked removed, until its last
 *                user calls ipclab_obj_unlink() (a mapped shared buffer)
 * @stat:         under obj->lock, outside the world: read only, fill the
 *                type's part of @st and @snap
 * @stat_any:     optional, under obj->lock: for IPCLAB_STAT_ANY, fill
 *                only what /proc/sysvipc shows anyone of the SysV object
 *                the type plays (its part of @st, and st->perm's cpid and
 *                lpid, which are zero otherwise); without it, nothing
 * @mmap:         optional: mmap() of an object fd
 * @poll:         optional: poll() of an object fd, without obj->lock held
 * @snapshot:     optional; a type that has it is a resource of the
 *                deadlock world.  With the world stopped (the object's lock
 *                not held: nothing changes), preemption off and no
 *                sleeping: add the object's resources and its hold and wait
 *                edges to @s, and stop when ipclab_dl_full() says so
 * @holders:      with @snapshot: with the world stopped and preemption off,
 *                report each process holding what waiter @w waits for with
 *                ipclab_dl_holder(), taking an ipclab_dl_step() per look
 * @usage_obj:    optional, referenced, no lock held: add to @u what
 *                @obj uses now that no counter can keep (a buffer's pages
 *                in memory and in swap, which reclaim changes behind
 *                its back), for IPCLAB_IOC_INFO
 * @max_per_user: optional: the module parameter that bounds the objects
 *                of this type one user created (ENOSPC), within
 *                max_objects_per_user; read without a lock
 * @set_flags:    the IPCLAB_SET_* flags of IPCLAB_IOC_SET it takes: the
 *                core refuses any other with -EINVAL, and calls
 *                @set_check and @set only when one was given
 * @set_check:    with @set_flags, no lock held, after the owner check
 *                (-EPERM): may the caller make the change @arg asks for?
 *                0, -EINVAL or -EPERM.  It may sleep (capable() may
 *                audit); what it decides from holds for @set
 * @set:          with @set_flags, under ipclab_obj_lock(), the object not
 *                removed, its owner and mode just changed: apply
 *                what @arg's flags ask (it cannot fail, so all of the SET
 *                happens at once), collecting in @wq the waiters that
 *                this lets go (woken after the unlock)
 * @show:         under obj->lock, outside the world: read only, the type's
 *                lines of the debugfs "objects" file
 * @free:         last reference gone: give back what the type charged,
 *                free what it allocated, and the object itself after an
 *                RCU grace period
 *
 * The types are listed in the registry, types.h (one line each), from
 * which types.c builds the table; nothing else names them.
 */
struct ipclab_type {
	const char *name;
	u32 nr;
	u32 create_flags;
	size_t get_size;
	const struct ipclab_ioctl *ioctls;
	int (*init)(void);
	void (*exit)(void);
	struct ipclab_obj *(*create)(const struct ipclab_get *get,
				     struct ipclab_user *user);
	int (*check_open)(struct ipclab_obj *obj, const struct ipclab_get *get);
	void (*proc_exit)(struct ipclab_proc *proc);
	void (*limits)(struct ipclab_limits *l);
	void (*usage)(struct ipclab_usage *u, const atomic_long_t *used);
	void (*usage_obj)(struct ipclab_obj *obj, struct ipclab_usage *u);
	void (*remove)(struct ipclab_obj *obj, struct ipclab_wake *wq);
	void (*removed)(struct ipclab_obj *obj);
	bool (*linger)(struct ipclab_obj *obj);
	void (*stat)(struct ipclab_obj *obj, struct ipclab_stat *st,
		     struct ipclab_snap *snap);
	void (*stat_any)(struct ipclab_obj *obj, struct ipclab_stat *st);
	const unsigned int *max_per_user;
	u32 set_flags;
	int (*set_check)(struct ipclab_obj *obj, const struct ipclab_set *arg);
	void (*set)(struct ipclab_obj *obj, const struct ipclab_set *arg,
		    struct ipclab_wake *wq);
	int (*mmap)(struct ipclab_obj *obj, struct file *file,
		    struct vm_area_struct *vma);
	__poll_t (*poll)(struct ipclab_obj *obj, struct file *file,
			 struct poll_table_struct *pt);
	void (*snapshot)(struct ipclab_obj *obj, struct ipclab_dl_snap *s);
	void (*holders)(struct ipclab_obj *obj,
			const struct ipclab_waiter_base *w, struct ipclab_dl *dl);
	void (*show)(struct ipclab_obj *obj, struct seq_file *m, u64 now_ns);
	void (*free)(struct ipclab_obj *obj);
};

/* types.c: the registry */
extern const struct ipclab_type *const ipclab_types[IPCLAB_NTYPES];

int ipclab_types_check(void);
int ipclab_types_init(void);
void ipclab_types_exit(void);
const struct ipclab_type *ipclab_type_get(u32 type);
long ipclab_type_ioctl(unsigned int cmd, void __user *argp);
void ipclab_types_proc_exit(struct ipclab_proc *proc);
void ipclab_types_limits(struct ipclab_limits *l);
void ipclab_types_usage(struct ipclab_usage *u, const atomic_long_t *used);

/* Ordered so that no field leaves a hole (kref and id share 8 bytes). */
struct ipclab_obj {
	struct kref ref;
	u32 id;
	struct rcu_head rcu;
	const struct ipclab_type *type;
	struct ipclab_user *user;	/* the creator's, charged for it */
	s32 key;
	spinlock_t lock;	/* the object's state and waiting rooms */

	/*
	 * Protected by lock.  mode/uid/gid are also read without it, with
	 * READ_ONCE(), for permission checks (as ipcperms() does).
	 */
	u32 flags;		/* its create_flags given at creation */
	umode_t mode;
	bool removed;
	kuid_t uid, cuid;
	kgid_t gid, cgid;
	u32 nwaiters;		/* in all its rooms (wait.c) */
	u32 nreaders;		/* ... of them, waiters that only look */
	struct pid *cpid;
	struct pid *lpid;
	time64_t ctime, otime;
};

/*
 * Is @obj a resource of the deadlock world?  Then its state changes only
 * inside the world (ipclab_obj_lock()), and the world's stop reads it.
 */
static inline bool ipclab_obj_in_world(const struct ipclab_obj *obj)
{
	return obj->type->snapshot;
}

/* A waiting room: its waiters in arrival order (wait.c). */
struct ipclab_room {
	struct list_head waiters;	/* struct ipclab_waiter_base.node */
	u32 n;				/* how many */
};

/* What every waiter has, embedded in the type's waiter. */
struct ipclab_waiter_base {
	struct list_head node;		/* in room->waiters */
	struct list_head proc_node;	/* world resources: in proc->waits */
	struct ipclab_room *room;	/* while in one */
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
struct ipclab_obj *ipclab_obj_find_rcu(u32 id, u32 type);
struct ipclab_obj *ipclab_obj_next(unsigned long *slot);
struct ipclab_obj *ipclab_obj_next_rcu(unsigned long *slot);
void ipclab_obj_put(struct ipclab_obj *obj);
void ipclab_obj_unlink(struct ipclab_obj *obj);
void ipclab_obj_init(struct ipclab_obj *obj, const struct ipclab_type *type,
		     umode_t mode);
int ipclab_perm(struct ipclab_obj *obj, int access);
int ipclab_perm_atomic(struct ipclab_obj *obj, int access, bool owner_cap);
bool ipclab_owner_cap(void);
void ipclab_obj_touch(struct ipclab_obj *obj);
struct ipclab_obj *ipclab_obj_get(u32 id, u32 type, int access, int *err);
long ipclab_ioc_get(void __user *argp);
long ipclab_ioc_rmid(void __user *argp);
long ipclab_ioc_set(void __user *argp);
long ipclab_ioc_stat(void __user *argp);
long ipclab_ioc_list(void __user *argp);
long ipclab_ioc_name(void __user *argp);
void ipclab_name_free(struct ipclab_obj *obj);
void ipclab_table_exit(void);
void ipclab_fill_holder(struct ipclab_holder *h, struct ipclab_proc *proc,
			u32 num, s32 held, s32 undo);

/* debugfs.c */
void ipclab_debugfs_init(void);
void ipclab_debugfs_exit(void);
void ipclab_show_waiter(struct seq_file *m, const struct ipclab_waiter_base *w,
			u64 now_ns);

/* proc.c: what a process is */
#define IPCLAB_PROC_HASH_BITS	4

/*
 * What a type keeps for one process and one object starts with one of
 * these, in proc->records; an object a process owns, with the other, in
 * proc->owned.  Each names its object, so a type finds its own entries.
 */
struct ipclab_record {
	struct hlist_node node;		/* in proc->records, keyed by obj */
	struct ipclab_obj *obj;
};

struct ipclab_owned {
	struct list_head node;		/* in proc->owned */
	struct ipclab_obj *obj;
};

struct ipclab_proc {
	struct kref ref;
	struct hlist_node node;		/* in the process hash */
	struct rcu_head rcu;
	struct pid *tgid;
	struct ipclab_user *user;	/* charged for the record */
	char comm[TASK_COMM_LEN];
	spinlock_t lock;	/* the lists below */

	/*
	 * Protected by lock (records also read under RCU for lookups): what
	 * the types keep for the process, each in its own entries.
	 */
	DECLARE_HASHTABLE(records, IPCLAB_PROC_HASH_BITS); /* ipclab_record */
	struct list_head owned;		/* struct ipclab_owned */
	struct list_head waits;		/* its waiters on world resources */

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
struct ipclab_proc *ipclab_proc_find_current_rcu(void);
struct ipclab_proc *ipclab_proc_peek_rcu(void);
void ipclab_proc_put(struct ipclab_proc *proc);
void ipclab_proc_closed(struct files_struct *files);
void ipclab_procs_exit(void);

/* core.c */
bool ipclab_session_left(struct files_struct *files);

/* deadlock.c: the stopped world, snapshots, refusing deadlocks */
extern struct percpu_rw_semaphore ipclab_world;

/* Changing world resources' state: inside the world (or it is stopped). */
#define ipclab_world_assert_held()	lockdep_assert_held(&ipclab_world)
/* Reading other objects without their locks: the world is stopped. */
#define ipclab_world_assert_stopped()	lockdep_assert_held_write(&ipclab_world)

int ipclab_deadlock_init(void);
void ipclab_deadlock_exit(void);
void ipclab_world_enter_slow(void);

/**
 * ipclab_world_enter() - about to change the state of world resources
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
 * The primitives enter through ipclab_obj_lock(), which takes the read
 * side only for resources: sparse follows the object's lock there, and
 * lockdep the world's.
 *
 * Context: process context; no spinlock held (it may wait for a snapshot).
 */
static inline void ipclab_world_enter(void)
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
}

/**
 * ipclab_world_leave() - done changing the state of world resources
 */
static inline void ipclab_world_leave(void)
{
	percpu_up_read(&ipclab_world);
	if (!IS_ENABLED(CONFIG_PREEMPT_RT))
		preempt_enable();
}

/**
 * ipclab_obj_lock() - lock an object, to look at or change its state
 * @obj: the object, referenced
 *
 * A resource of the deadlock world is changed only inside the world:
 * this enters it first (ipclab_world_enter()).  Every primitive takes
 * its object's lock through here and drops it with ipclab_obj_unlock();
 * the generic code does too where it changes a type's state (removal,
 * SET), and takes the plain spinlock where it only reads it (STAT,
 * debugfs).
 *
 * Context: process context, no spinlock held.
 */
static inline void ipclab_obj_lock(struct ipclab_obj *obj)
	__acquires(&obj->lock)
{
	if (ipclab_obj_in_world(obj))
		ipclab_world_enter();
	spin_lock(&obj->lock);
}

/**
 * ipclab_obj_tryenter() - enter the world for @obj without waiting
 * @obj: the object, referenced or under RCU
 *
 * The first half of ipclab_obj_lock() for a caller that must not wait for
 * a stop of the world to end (the fast path, inside an RCU read-side
 * section): a trylock of the read side, for a resource of the world;
 * the caller then takes obj->lock with spin_lock() and drops both with
 * ipclab_obj_unlock().
 *
 * Context: process context, no spinlock held.
 * Return: true if entered (or @obj is no resource of the world); false,
 * with nothing taken, when a stop of the world is on.
 */
static inline bool ipclab_obj_tryenter(struct ipclab_obj *obj)
{
	if (!ipclab_obj_in_world(obj))
		return true;
	if (!IS_ENABLED(CONFIG_PREEMPT_RT))
		preempt_disable();
	if (likely(percpu_down_read_trylock(&ipclab_world)))
		return true;
	if (!IS_ENABLED(CONFIG_PREEMPT_RT))
		preempt_enable();
	return false;
}

/**
 * ipclab_obj_unlock() - unlock an object locked with ipclab_obj_lock()
 * @obj: the object
 */
static inline void ipclab_obj_unlock(struct ipclab_obj *obj)
	__releases(&obj->lock)
{
	spin_unlock(&obj->lock);
	if (ipclab_obj_in_world(obj))
		ipclab_world_leave();
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

struct ipclab_call;

/**
 * struct ipclab_call_ops - how a primitive does one blocking command
 * @check:   optional, before the permission check, no lock held (in
 *           the fast path, under RCU and before anybody looked at
 *           obj->removed: it must not sleep, and may read only what the
 *           object fixed at creation, in its own struct): check the
 *           command's arguments against the object; 0 or their errno
 * @try:     under ipclab_obj_lock() (or with the world stopped and the
 *           object's lock held): do the command if it can be done now
 *           and return 0 or its error; or, if it must wait, get the
 *           waiter c->w ready (ipclab_waiter_init(), its room checked
 *           with ipclab_room_space()) without queuing it, set c->wait and
 *           return 0 (in the fast path, c->fast, setting c->wait is
 *           enough); or, if it needs memory first, set c->again and
 *           return 0 (prepare() is called, then try() again).  It handles
 *           IPCLAB_WAIT_NOWAIT itself (its own errno).
 * @prepare: optional, no lock held: allocate what try() asked for
 * @enqueue: under the lock: queue the ready waiter c->w in its room;
 *           0, or -ENOSPC (nothing queued)
 * @cancel:  optional, under the lock: c->w gave up (signal, timeout)
 *           undecided and is still queued: take it out, and let go whom
 *           its place held back.  Without it: ipclab_room_del().
 * @rcu_proc: try() keeps no pointer to c->proc past the call and reaches
 *           what the process has only through records it finds under
 *           the object's lock: the fast path need not reference it
 */
struct ipclab_call_ops {
	int (*check)(struct ipclab_call *c);
	int (*try)(struct ipclab_call *c);
	int (*prepare)(struct ipclab_call *c);
	int (*enqueue)(struct ipclab_call *c);
	void (*cancel)(struct ipclab_call *c);
	bool rcu_proc;
};

/**
 * struct ipclab_call - one blocking command in flight
 * @ops:   the primitive's callbacks
 * @obj:   the object, referenced by the caller (in ipclab_call_fast(),
 *         under RCU only)
 * @proc:  the calling process, referenced by the caller (in
 *         ipclab_call_fast(), under RCU only if the ops say rcu_proc)
 * @t:     the wait request (IPCLAB_WAIT_*)
 * @w:     the caller's waiter, embedded in the primitive's own
 * @wq:    tasks to wake, woken after every unlock
 * @wait:  set by try(): it must wait
 * @again: set by try(): prepare(), then try again
 * @fast:  set while ipclab_call_fast() runs try(): a wait goes to the full
 *         path, which runs try() again, so try() may set @wait without
 *         getting the waiter ready
 */
struct ipclab_call {
	const struct ipclab_call_ops *ops;
	struct ipclab_obj *obj;
	struct ipclab_proc *proc;
	struct ipclab_timeout t;
	struct ipclab_waiter_base *w;
	struct ipclab_wake wq;
	bool wait;
	bool again;
	bool fast;
};

int ipclab_call_begin(struct ipclab_call *c, u32 id, u32 type, int access);
int ipclab_call_run(struct ipclab_call *c);
bool ipclab_call_fast(struct ipclab_call *c, u32 id, u32 type, int access,
		      int *ret);
int ipclab_call(struct ipclab_call *c, u32 id, u32 type, int access);
void ipclab_call_end(struct ipclab_call *c);

/* wait.c: waiting rooms, sleeping and waking, shared by every primitive */
int ipclab_timeout_init(struct ipclab_timeout *t, u32 flags, u64 timeout);
void ipclab_waiter_init(struct ipclab_waiter_base *w, struct ipclab_proc *proc,
			struct ipclab_obj *obj);
void ipclab_room_init(struct ipclab_room *room);
void ipclab_room_stat(struct ipclab_room *room, struct ipclab_snap *snap,
		      u32 kind);
int ipclab_room_space(const struct ipclab_waiter_base *w);
int ipclab_room_add(struct ipclab_room *room, struct ipclab_waiter_base *w);
void ipclab_room_del(struct ipclab_waiter_base *w);
void ipclab_room_done_all(struct ipclab_room *room, int status,
			  struct ipclab_wake *wq);
int ipclab_call_sleep(struct ipclab_call *c);
void ipclab_waiter_done(struct ipclab_waiter_base *w, int status,
			struct ipclab_wake *wq);
void ipclab_wake_up(struct ipclab_wake *wq);
void ipclab_fill_waiter(struct ipclab_waiter *out,
			const struct ipclab_waiter_base *w, u32 kind, u64 now_ns);

/* Is the room empty? */
static inline bool ipclab_room_empty(const struct ipclab_room *room)
{
	return list_empty(&room->waiters);
}

/* How many wait in the room (its object's lock is held). */
static inline u32 ipclab_room_count(const struct ipclab_room *room)
{
	return room->n;
}

/*
 * The waiters of a room as the type's waiters: @member is the path to the
 * list node of the embedded struct ipclab_waiter_base (base.node, or node
 * for a plain one).
 */
#define ipclab_room_first(room, type, member)				\
	list_first_entry_or_null(&(room)->waiters, type, member)

#define ipclab_room_for_each(pos, room, member)				\
	list_for_each_entry(pos, &(room)->waiters, member)

/* The same, for a walk that takes waiters out of the room as it goes. */
#define ipclab_room_for_each_safe(pos, tmp, room, member)		\
	list_for_each_entry_safe(pos, tmp, &(room)->waiters, member)

/* objfd.c */
long ipclab_ioc_open(void __user *argp);

/* Each primitive's struct ipclab_type, for the registry (types.h). */
#define IPCLAB_PRIMITIVE(type_nr, type) extern const struct ipclab_type type;
#include "types.h"
#undef IPCLAB_PRIMITIVE

#endif /* _IPCLAB_H */
