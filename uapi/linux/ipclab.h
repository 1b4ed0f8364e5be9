/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * ipclab - inspectable IPC primitives for teaching operating systems.
 *
 * This header is the whole interface between the ipclab module and
 * userspace.  Everything goes through ioctl() (and, for shared buffers,
 * mmap()) on /dev/ipclab.
 *
 * Conventions, the same for every command:
 *  - Structures use only fixed-size types, are naturally aligned, and
 *    carry explicit padding.  Padding and reserved fields must be zero;
 *    the kernel rejects anything else with EINVAL so that they can be
 *    given a meaning later.
 *  - Pointers to userspace travel as __u64.
 *  - Unknown flags are rejected with EINVAL; unknown commands with ENOTTY.
 *  - A bad userspace pointer gives EFAULT.
 */
#ifndef _UAPI_LINUX_IPCLAB_H
#define _UAPI_LINUX_IPCLAB_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* The ioctl "magic" (type) of every ipclab command. */
#define IPCLAB_IOC_MAGIC	0xB9

/*
 * ABI version.  The major number changes when an existing command changes
 * incompatibly (programs built against another major must not run); the
 * minor number grows when commands or flags are added.
 */
#define IPCLAB_ABI_MAJOR	1
#define IPCLAB_ABI_MINOR	3

/**
 * struct ipclab_version - what IPCLAB_IOC_VERSION reports
 * @major: IPCLAB_ABI_MAJOR of the running module
 * @minor: IPCLAB_ABI_MINOR of the running module
 * @pad:   always written as zero
 */
struct ipclab_version {
	__u32 major;
	__u32 minor;
	__u64 pad;
};

/*
 * IPCLAB_IOC_VERSION - report the ABI version of the loaded module.
 *
 * Never fails on a valid pointer; EFAULT otherwise.  Call it first: a
 * program built against another major version should refuse to run.
 */
#define IPCLAB_IOC_VERSION	_IOR(IPCLAB_IOC_MAGIC, 0x00, struct ipclab_version)

/*
 * ------------------------------------------------------------------------
 * Objects: keys, ids, permissions (shared by every primitive)
 * ------------------------------------------------------------------------
 *
 * An object is found by a user-chosen key (like a SysV key_t) and then
 * addressed by the id the kernel assigned.  Keys are per type: semaphore
 * set 42 and mailbox 42 are different objects.  Objects persist until
 * removed with IPCLAB_IOC_RMID.  A stale id gives EINVAL; removal while a
 * process waits on the object gives it EIDRM.
 */

/* Object types. */
#define IPCLAB_TYPE_SEM		1	/* a set of counting semaphores */
#define IPCLAB_TYPE_MUTEX	2	/* a lock with an owner */
#define IPCLAB_TYPE_MBOX	3	/* a bounded mailbox */
#define IPCLAB_TYPE_SHBUF	4	/* a shared buffer */
/*
 * A primitive of one's own, built into the module with IPCLAB_EXTRA
 * (docs/adding-a-primitive.md; the kernel exercise exercises/dsem): the
 * module as shipped has none.  Its commands are 0xf0..0xff, its waiters'
 * kind IPCLAB_WAITER_EXTRA, and its structures its own header's.
 */
#define IPCLAB_TYPE_EXTRA	15

/* The key that always creates a new object no one else can find by key. */
#define IPCLAB_KEY_PRIVATE	0

/* ipclab_get.flags */
#define IPCLAB_CREAT		0x1	/* create the object if the key is free */
#define IPCLAB_EXCL		0x2	/* with CREAT: fail with EEXIST if it exists */
/*
 * With CREAT (EINVAL without), semaphore sets and mutexes only (EINVAL
 * for other types); ignored when the object exists: refuse a wait on this
 * object that would close a cycle in the wait-for graph, with EDEADLK,
 * instead of sleeping (see "Deadlocks" below).  Reported in perm.flags.
 */
#define IPCLAB_REFUSE_DEADLOCK	0x4
/*
 * With CREAT (EINVAL without), semaphore sets only: no FIFO.  A waiter
 * proceeds as soon as its operations can, and a newcomer whose operations
 * can proceed does so at once, even past waiters that need the same
 * semaphore: what Linux SysV does, and what Tanenbaum's deadlock
 * algorithm assumes.  A waiter that needs much can starve.  Reported in
 * perm.flags.
 */
#define IPCLAB_NOFIFO		0x8
/*
 * With CREAT (EINVAL without), mailboxes only (ABI 1.2): count messages
 * as SysV does, against the capacity in bytes: at most max_bytes
 * messages, as msg_qbytes bounds a queue's (mbox.max_msgs must be 0),
 * whatever mbox_max_msgs says; IPCLAB_SET_MAX_BYTES moves both.  The
 * SysV layer's msgget() creates mailboxes so.  Reported in perm.flags.
 */
#define IPCLAB_MSG_COUNT_BYTES	0x10

/* Permission bits of ipclab_get.mode and ipclab_set.mode, as SysV's. */
#define IPCLAB_MODE_MASK	0777

/**
 * struct ipclab_get - find or create an object (IPCLAB_IOC_GET)
 * @type:  IPCLAB_TYPE_*
 * @key:   the rendezvous key, or IPCLAB_KEY_PRIVATE
 * @flags: IPCLAB_CREAT, IPCLAB_EXCL, IPCLAB_REFUSE_DEADLOCK,
 *         IPCLAB_NOFIFO, IPCLAB_MSG_COUNT_BYTES
 * @mode:  permission bits (IPCLAB_MODE_MASK) for a new object; for an
 *         existing one, the access wanted, as SysV reads it: the rwx bits
 *         of all three triplets together (0 means "only look")
 * @id:    out: the object's id
 * @pad:   must be zero
 * @sem:   semaphore sets: @nsems, the number of semaphores (1..max_sems)
 *         when creating; when opening, 0 or at most the set's size
 *         (EINVAL); @pad must be zero
 * @mbox:  mailboxes: @max_msgs, the capacity in messages
 *         (1..mbox_max_msgs; 0 means mbox_max_msgs); @max_msgsz, the
 *         largest message in bytes (1..mbox_max_msgsz; 0 means
 *         mbox_max_msgsz); @max_bytes, the capacity in bytes of all
 *         messages (max_msgsz..mbox_max_bytes; 0 means mbox_max_bytes)
 * @shbuf: shared buffers: @size in bytes (1..shbuf_max_size; whole pages
 *         are allocated); when opening, at most the buffer's
 * @reserved: the room of the union: every byte beyond the member of
 *         @type must be zero
 *
 * Errors: EINVAL (bad type, flags, mode, size, non-zero padding or bytes
 * of the union beyond the type's member), ENOENT (no such key and no
 * IPCLAB_CREAT), EEXIST (CREAT|EXCL and the key exists), EACCES (mode
 * does not allow the access asked for), ENOSPC (too many objects in
 * total or for this user, or shared-buffer pages beyond max_shbuf_pages
 * or max_shbuf_pages_per_user, or semaphores beyond max_sems_total or
 * max_sems_per_user; checked before anything is allocated), ENOMEM.
 */
struct ipclab_get {
	__u32 type;
	__s32 key;
	__u32 flags;
	__u32 mode;
	__u32 id;
	__u32 pad;
	union {
		struct {
			__u32 nsems;
			__u32 pad;
		} sem;
		struct {
			__u32 max_msgs;
			__u32 max_msgsz;
			__u64 max_bytes;
		} mbox;
		struct {
			__u64 size;
		} shbuf;
		__u64 reserved[6];
	};
};

/**
 * struct ipclab_id - name one object (IPCLAB_IOC_RMID, mutex unlock, ...)
 * @id:    the object's id
 * @flags: must be zero
 */
struct ipclab_id {
	__u32 id;
	__u32 flags;
};

/*
 * ipclab_set.flags: mailboxes only (EINVAL for other types): also set the
 * capacity in bytes to @max_bytes, as msgctl(IPC_SET) sets msg_qbytes
 * (ABI 1.2).
 */
#define IPCLAB_SET_MAX_BYTES	0x1

/**
 * struct ipclab_set - change owner and mode (IPCLAB_IOC_SET, like IPC_SET)
 * @id:   the object's id
 * @mode: new permission bits
 * @uid:  new owner uid (in the caller's user namespace)
 * @gid:  new owner gid
 * @flags: IPCLAB_SET_MAX_BYTES, or zero
 * @pad:  must be zero
 * @max_bytes: with IPCLAB_SET_MAX_BYTES, the mailbox's new capacity in
 *        bytes: 0..mbox_max_bytes, or above it (up to the module's
 *        ceiling, IPCLAB_MBOX_BYTES_CEIL) only with CAP_SYS_RESOURCE
 *        (EPERM), as msg_qbytes above MSGMNB.  It may be below
 *        max_msgsz: a bigger message then waits, as on Linux.  Senders
 *        that fit now go on.  Otherwise must be zero.
 *
 * Only the owner, the creator or CAP_SYS_ADMIN may do this (EPERM).  All
 * of it changes at once, or nothing does.
 * Errors: EINVAL (bad id, mode, uid or gid, unknown flags, a flag the
 * object's type does not take, non-zero pad, @max_bytes without its flag
 * or above the ceiling), EPERM, EFAULT.
 */
struct ipclab_set {
	__u32 id;
	__u32 mode;
	__u32 uid;
	__u32 gid;
	__u32 flags;
	__u32 pad;
	__u64 max_bytes;
};

/*
 * ------------------------------------------------------------------------
 * Waiting: every blocking command takes the same flags and timeout
 * ------------------------------------------------------------------------
 *
 * Without a flag a command waits as long as it must.  IPCLAB_WAIT_NOWAIT
 * never waits (EAGAIN; EBUSY for a mutex, as pthread_mutex_trylock).
 * IPCLAB_WAIT_TIMEOUT waits at most 'timeout' nanoseconds;
 * IPCLAB_WAIT_ABSTIME waits until CLOCK_MONOTONIC reaches 'timeout'
 * nanoseconds; either gives ETIMEDOUT when the time is up.  Without a
 * timeout flag, 'timeout' must be 0.  A signal ends the wait with EINTR
 * and the command is not restarted (as semop(2)); nothing was done.
 */
#define IPCLAB_WAIT_NOWAIT	0x1
#define IPCLAB_WAIT_TIMEOUT	0x2
#define IPCLAB_WAIT_ABSTIME	0x4

/*
 * ------------------------------------------------------------------------
 * Semaphore sets
 * ------------------------------------------------------------------------
 *
 * A set holds nsems counting semaphores, each 0..sem_max (a module
 * parameter, 32767 by default like SEMVMX), all 0 when created.  One
 * IPCLAB_IOC_SEM_OP applies a list of operations atomically: all of them,
 * or (if any must wait) none of them while the caller waits.
 *
 * Waiting room: callers that must wait queue in arrival order.  Strict
 * FIFO handoff: while a caller waits to decrement semaphore k, no later
 * caller may decrement k before it, and whoever makes its operations
 * possible performs them on its behalf.  (Linux SysV lets any runnable
 * process take the units instead; a set created with IPCLAB_NOFIFO
 * does the same.)
 */

/*
 * ipclab_semop.flags, with IPCLAB_WAIT_*: ops points to nops struct sembuf
 * of <sys/sem.h> (sem_num, sem_op, sem_flg: SEM_UNDO and IPC_NOWAIT; other
 * bits are ignored, as semop(2) ignores them) instead of struct
 * ipclab_sembuf.  The SysV layer passes semop()'s array so (ABI 1.1).
 */
#define IPCLAB_SEMOP_SYSV	0x400

/* ipclab_sembuf.flags */
#define IPCLAB_SEMBUF_UNDO	0x1	/* revert this operation when the process ends */
#define IPCLAB_SEMBUF_NOWAIT	0x2	/* EAGAIN instead of waiting for this one */

/**
 * struct ipclab_sembuf - one operation on one semaphore (like struct sembuf)
 * @num:   index of the semaphore in the set (EFBIG if >= nsems)
 * @op:    > 0: V, add op; < 0: P, wait until the value is >= -op and
 *         subtract it; 0: wait until the value is 0
 * @flags: IPCLAB_SEMBUF_UNDO, IPCLAB_SEMBUF_NOWAIT
 * @pad:   must be zero
 */
struct ipclab_sembuf {
	__u32 num;
	__s32 op;
	__u32 flags;
	__u32 pad;
};

/**
 * struct ipclab_semop - apply operations atomically (IPCLAB_IOC_SEM_OP)
 * @id:      the set's id
 * @nops:    number of operations (1..max_ops, E2BIG above)
 * @ops:     pointer to nops struct ipclab_sembuf (struct sembuf with
 *           IPCLAB_SEMOP_SYSV)
 * @flags:   IPCLAB_WAIT_*, IPCLAB_SEMOP_SYSV
 * @pad:     must be zero
 * @timeout: see IPCLAB_WAIT_*
 *
 * Errors: EINVAL (bad id, flags, op, padding), EFBIG (num out of range),
 * E2BIG (too many ops), EACCES (no write permission; only read permission
 * when every operation waits for zero), EAGAIN (would wait
 * and NOWAIT), ETIMEDOUT, EINTR, EIDRM (set removed while waiting),
 * ERANGE (an op above sem_max, a value above sem_max, or an undo record
 * outside -(sem_max + 1)..sem_max, as SysV), ENOSPC (the
 * waiting room is full; the caller's user has max_waiters_per_user
 * threads waiting, or max_procs_per_user processes with state, or the
 * process's first use of this set would pass max_sem_records_per_user),
 * ENOSPC also when the set's waiters would hold more than max_queued_ops
 * operations, ENOMEM, EBADF (another thread closed the
 * process's last /dev/ipclab fd while this one waited: the process has
 * ended for ipclab, and so has the wait), EDEADLK (a set created with
 * IPCLAB_REFUSE_DEADLOCK: waiting would close a cycle; nothing was done).
 */
struct ipclab_semop {
	__u32 id;
	__u32 nops;
	__u64 ops;
	__u32 flags;
	__u32 pad;
	__u64 timeout;
};

/* ipclab_semctl.cmd: the semctl(2) commands about values and waiters */
#define IPCLAB_SEMCTL_GETVAL	1	/* val = value of semaphore num */
#define IPCLAB_SEMCTL_SETVAL	2	/* value of num = val; wakes who can go */
#define IPCLAB_SEMCTL_GETALL	3	/* values[0..nsems) = all values */
#define IPCLAB_SEMCTL_SETALL	4	/* all values = values[0..nsems) */
#define IPCLAB_SEMCTL_GETNCNT	5	/* val = waiters to decrement num */
#define IPCLAB_SEMCTL_GETZCNT	6	/* val = waiters for num to be zero */
#define IPCLAB_SEMCTL_GETPID	7	/* val = pid of the last operation on num */

/**
 * struct ipclab_semctl - read or set values (IPCLAB_IOC_SEM_CTL)
 * @id:      the set's id
 * @cmd:     IPCLAB_SEMCTL_*
 * @num:     the semaphore, for the commands about one semaphore
 * @val:     in for SETVAL, out for the GET commands that return a number
 * @values:  pointer to nvalues __s32, for GETALL and SETALL
 * @nvalues: GETALL/SETALL: length of values; must be the set's nsems
 * @flags:   must be zero
 *
 * SETVAL and SETALL reset the undo values and the holdings of every
 * process for the semaphores they set, as SysV resets semadj.
 * Errors: EINVAL, EFBIG (num), ERANGE (value < 0 or > sem_max), EACCES
 * (read permission for GET*, write permission for SET*), EFAULT.
 */
struct ipclab_semctl {
	__u32 id;
	__u32 cmd;
	__u32 num;
	__s32 val;
	__u64 values;
	__u32 nvalues;
	__u32 flags;
};

/*
 * ------------------------------------------------------------------------
 * Mutexes
 * ------------------------------------------------------------------------
 *
 * A mutex is a lock with an owner: the process that locked it.  Only the
 * owner may unlock (EPERM).  Locking it again while owning it is EDEADLK.
 * Waiters queue in FIFO order and the unlock hands the mutex to the first.
 *
 * Robust: when the owner ends while holding it (exit, SIGKILL), the next
 * locker gets the mutex together with the error EOWNERDEAD.  It should
 * repair the data the mutex protects and call IPCLAB_IOC_MUTEX_CONSISTENT;
 * if it unlocks without doing so, the mutex becomes unusable and every
 * lock returns ENOTRECOVERABLE (as POSIX robust mutexes).
 */

/**
 * struct ipclab_lock - lock a mutex (IPCLAB_IOC_MUTEX_LOCK)
 * @id:      the mutex's id
 * @flags:   IPCLAB_WAIT_* (NOWAIT is trylock: EBUSY when locked)
 * @timeout: see IPCLAB_WAIT_*
 * @reserved: must be zero
 *
 * Returns 0, or -1 with errno EOWNERDEAD when the mutex was acquired from
 * an owner that died.  Errors: EINVAL, EACCES (no write permission),
 * EDEADLK (the caller's process owns it already; or it was created with
 * IPCLAB_REFUSE_DEADLOCK and waiting would close a cycle), EBUSY,
 * ETIMEDOUT, EINTR, EIDRM, ENOTRECOVERABLE, ENOSPC (the waiting room
 * is full, or a per-user limit: max_waiters_per_user,
 * max_procs_per_user).
 */
struct ipclab_lock {
	__u32 id;
	__u32 flags;
	__u64 timeout;
	__u64 reserved[2];
};

/* ipclab_stat.mutex.state */
#define IPCLAB_MUTEX_UNLOCKED		0
#define IPCLAB_MUTEX_LOCKED		1
#define IPCLAB_MUTEX_OWNERDEAD		2	/* owner died; next lock gets EOWNERDEAD */
#define IPCLAB_MUTEX_INCONSISTENT	3	/* locked after EOWNERDEAD, not yet consistent */
#define IPCLAB_MUTEX_NOTRECOVERABLE	4

/*
 * ------------------------------------------------------------------------
 * Mailboxes
 * ------------------------------------------------------------------------
 *
 * A mailbox is a bounded FIFO of typed messages (like a SysV message
 * queue).  It holds at most max_msgs messages and max_bytes bytes; each
 * message has a type > 0 and 0..max_msgsz bytes of text.  Messages belong
 * to the mailbox, not to their sender: they stay until received or until
 * the mailbox is removed.
 *
 * Two waiting rooms, both FIFO.  A sender waits while the mailbox is full
 * (or while earlier senders wait: no later sender overtakes them).  A
 * receiver waits while no message matches what it asks for.  A message
 * sent while a matching receiver waits is handed to that receiver
 * directly, the first matching one in the room.
 *
 * Receive selects by type, as msgrcv(2) does with its argument t:
 *   t == 0   the oldest message
 *   t > 0    the oldest message of type t, or, with IPCLAB_MSG_EXCEPT,
 *            the oldest of any other type
 *   t < 0    the oldest message of the lowest type <= -t
 */

/* ipclab_msgrcv.flags, besides IPCLAB_WAIT_* */
#define IPCLAB_MSG_NOERROR	0x100	/* truncate a message too big for the buffer */
#define IPCLAB_MSG_EXCEPT	0x200	/* type > 0: any type but this one */
/*
 * Copy, do not take (ABI 1.2): @type is a position in the mailbox, 0 for
 * the oldest message, and the message there is copied out and stays, as
 * msgrcv(2)'s MSG_COPY.  Needs IPCLAB_WAIT_NOWAIT and no
 * IPCLAB_MSG_EXCEPT (EINVAL); EAGAIN when the mailbox holds fewer
 * messages (SysV says ENOMSG).  @type is then the message's type.
 */
#define IPCLAB_MSG_COPY		0x800

/* The most a mailbox can hold, by mbox_max_bytes or IPCLAB_SET_MAX_BYTES */
#define IPCLAB_MBOX_BYTES_CEIL	(64ULL << 20)

/**
 * struct ipclab_msgsnd - send a message (IPCLAB_IOC_MBOX_SEND)
 * @id:      the mailbox's id
 * @flags:   IPCLAB_WAIT_*
 * @type:    the message's type, > 0
 * @text:    pointer to the message's bytes
 * @size:    number of bytes, 0..max_msgsz
 * @timeout: see IPCLAB_WAIT_*
 *
 * Errors: EINVAL (bad id, type <= 0, size > max_msgsz, flags), EACCES (no
 * write permission), EAGAIN (full and NOWAIT), ETIMEDOUT, EINTR, EIDRM
 * (removed while waiting), ENOSPC (the senders' room is full; or the
 * sender's user keeps max_msgs_per_user messages or
 * max_msg_bytes_per_user bytes in the kernel already: checked before the
 * message is allocated), EFAULT.
 */
struct ipclab_msgsnd {
	__u32 id;
	__u32 flags;
	__s64 type;
	__u64 text;
	__u64 size;
	__u64 timeout;
};

/**
 * struct ipclab_msgrcv - receive a message (IPCLAB_IOC_MBOX_RECV)
 * @id:      the mailbox's id
 * @flags:   IPCLAB_WAIT_*, IPCLAB_MSG_NOERROR, IPCLAB_MSG_EXCEPT,
 *           IPCLAB_MSG_COPY
 * @type:    in: which message (see above; with IPCLAB_MSG_COPY, its
 *           position); out: the received message's type
 * @text:    pointer to the buffer
 * @size:    in: size of the buffer; out: bytes written to it
 * @timeout: see IPCLAB_WAIT_*
 *
 * Errors: EINVAL, EACCES (no read permission), E2BIG (the message is
 * bigger than the buffer and no NOERROR: it stays in the mailbox), EAGAIN
 * (no message and NOWAIT; SysV says ENOMSG), ETIMEDOUT, EINTR, EIDRM,
 * ENOSPC (the receivers' room is full), EFAULT (the message is lost, as
 * with msgrcv(2)).
 */
struct ipclab_msgrcv {
	__u32 id;
	__u32 flags;
	__s64 type;
	__u64 text;
	__u64 size;
	__u64 timeout;
};

/*
 * ------------------------------------------------------------------------
 * Object fds: a file for one object, for poll() and mmap()
 * ------------------------------------------------------------------------
 *
 * IPCLAB_IOC_OPEN returns a new file descriptor for one object.  On a
 * mailbox it supports poll/select/epoll: readable (EPOLLIN) when a message
 * is queued, writable (EPOLLOUT) when a send of a one-byte message would
 * not wait; EPOLLHUP and EPOLLERR once the mailbox is removed.  The fd
 * keeps the object's memory but not its name: removal still removes it.
 */

/*
 * On a shared buffer the fd supports mmap(MAP_SHARED) of whole pages
 * within the buffer (EINVAL past its end or for MAP_PRIVATE).  An fd
 * opened without IPCLAB_OPEN_WRITE maps read-only: PROT_WRITE fails with
 * EACCES, and so does a later mprotect(PROT_WRITE).  Each mapping counts
 * in nattch.  A mapping grown with mremap() gets SIGBUS past the end.
 */

/* ipclab_stat.shbuf.flags */
#define IPCLAB_SHBUF_DEST	0x1	/* removed; freed at the last unmap */
#define IPCLAB_SHBUF_LOCKED	0x2	/* held in memory (IPCLAB_SHBUF_CTL_LOCK) */

/* ipclab_shbufctl.cmd (ABI 1.2) */
#define IPCLAB_SHBUF_CTL_LOCK	1	/* keep its pages in memory: SHM_LOCK */
#define IPCLAB_SHBUF_CTL_UNLOCK	2	/* let them be swapped again: SHM_UNLOCK */

/**
 * struct ipclab_shbufctl - lock a buffer in memory (IPCLAB_IOC_SHBUF_CTL)
 * @id:    the buffer's id
 * @cmd:   IPCLAB_SHBUF_CTL_*
 * @flags: must be zero
 * @pad:   must be zero
 * @reserved: must be zero
 *
 * As shmctl(SHM_LOCK/SHM_UNLOCK): a locked buffer's pages, those it has
 * and those it gets, are never swapped out (not allocated by the lock,
 * though).  Allowed with CAP_IPC_LOCK; otherwise to the owner or the
 * creator, and LOCK only with a non-zero RLIMIT_MEMLOCK (EPERM).  The
 * whole buffer's size counts against the locking user's RLIMIT_MEMLOCK
 * until it is unlocked or freed (ENOMEM past it, unless CAP_IPC_LOCK).
 * Locking a locked buffer, or unlocking an unlocked one, does nothing.
 * Errors: EINVAL (bad id, cmd, non-zero fields), EPERM, ENOMEM, EFAULT.
 */
struct ipclab_shbufctl {
	__u32 id;
	__u32 cmd;
	__u32 flags;
	__u32 pad;
	__u64 reserved[2];
};

/* ipclab_open.flags */
#define IPCLAB_OPEN_READ	0x4	/* check read permission */
#define IPCLAB_OPEN_WRITE	0x2	/* check write permission */
#define IPCLAB_OPEN_CLOEXEC	0x100	/* close the new fd on exec */

/**
 * struct ipclab_open - get an fd for an object (IPCLAB_IOC_OPEN)
 * @id:    the object's id
 * @flags: IPCLAB_OPEN_*
 * @fd:    out: the new file descriptor
 * @pad:   must be zero
 *
 * Errors: EINVAL, EACCES, EMFILE/ENFILE (no fd left), ENOTTY (an object
 * type that has nothing to offer on a file: semaphores and mutexes).
 * IPCLAB_OPEN_READ is needed to mmap() at all, as for any file; an fd
 * opened with neither READ nor WRITE can only be polled, and needs read
 * permission all the same (polling shows the state, as IPCLAB_IOC_STAT).
 */
struct ipclab_open {
	__u32 id;
	__u32 flags;
	__s32 fd;
	__u32 pad;
};

/*
 * ------------------------------------------------------------------------
 * Looking inside: IPCLAB_IOC_STAT
 * ------------------------------------------------------------------------
 *
 * One call returns one consistent snapshot of an object, taken under its
 * lock: its permissions and times, and, into arrays the caller provides,
 * the semaphore values, the waiting room in queue order, and who holds
 * what.  For each array the caller passes a pointer and a capacity (0 and
 * 0 to skip it); the kernel fills at most that many entries and sets the
 * *_len field to the number that exist, so a caller can see a truncated
 * array and ask again with more room.
 */

/* ipclab_waiter.kind */
#define IPCLAB_WAITER_SEMOP	1	/* waiting in IPCLAB_IOC_SEM_OP */
#define IPCLAB_WAITER_LOCK	2	/* waiting in IPCLAB_IOC_MUTEX_LOCK */
#define IPCLAB_WAITER_SEND	3	/* waiting in IPCLAB_IOC_MBOX_SEND (full) */
#define IPCLAB_WAITER_RECV	4	/* waiting in IPCLAB_IOC_MBOX_RECV (empty) */
#define IPCLAB_WAITER_EXTRA	15	/* waiting in an IPCLAB_TYPE_EXTRA command */

/**
 * struct ipclab_waiter - one occupant of a waiting room
 * @pid:       process (thread group) id, in the reader's pid namespace
 * @tid:       the waiting thread
 * @comm:      its command name
 * @ticket:    arrival number: a smaller ticket arrived earlier
 * @waited_ns: how long it has waited when the snapshot was taken
 * @kind:      IPCLAB_WAITER_*
 * @first_op:  SEMOP: index of its first operation in the ops array
 * @nops:      SEMOP: number of its operations
 * @flags:     RECV: its IPCLAB_MSG_* flags
 * @msgtype:   SEND: the message's type; RECV: the type it asked for
 * @msgsize:   SEND: the message's size; RECV: the size of its buffer
 */
struct ipclab_waiter {
	__s32 pid;
	__s32 tid;
	char comm[16];
	__u64 ticket;
	__u64 waited_ns;
	__u32 kind;
	__u32 first_op;
	__u32 nops;
	__u32 flags;
	__s64 msgtype;
	__u64 msgsize;
};

/**
 * struct ipclab_holder - what one process holds of an object
 * @pid:   process id, in the reader's pid namespace
 * @num:   semaphore index (0 for a mutex)
 * @held:  semaphores: units this process took (P) minus units it gave (V)
 *         since it first used the set (negative if it gave more); mutex: 1
 * @undo:  semaphores: what will be added back when it ends (SysV semadj)
 * @comm:  its command name
 */
struct ipclab_holder {
	__s32 pid;
	__u32 num;
	__s32 held;
	__s32 undo;
	char comm[16];
};

/**
 * struct ipclab_perm - who may do what, and when things happened
 * @key:   the key (IPCLAB_KEY_PRIVATE for private objects)
 * @id:    the id
 * @uid:   owner
 * @gid:   owner's group
 * @cuid:  creator
 * @cgid:  creator's group
 * @mode:  permission bits
 * @cpid:  creator's process id
 * @lpid:  process id of the last operation
 * @flags: IPCLAB_REFUSE_DEADLOCK, IPCLAB_NOFIFO, IPCLAB_MSG_COUNT_BYTES:
 *         how it was created
 * @ctime: creation or last IPCLAB_IOC_SET/SETVAL/SETALL (seconds since the epoch)
 * @otime: last operation (seconds since the epoch, 0 if none)
 */
struct ipclab_perm {
	__s32 key;
	__u32 id;
	__u32 uid;
	__u32 gid;
	__u32 cuid;
	__u32 cgid;
	__u32 mode;
	__s32 cpid;
	__s32 lpid;
	__u32 flags;
	__s64 ctime;
	__s64 otime;
};

/*
 * ipclab_stat.flags (ABI 1.2), for listings by index as SEM_STAT and
 * SEM_STAT_ANY make them.
 */
/* @id is a slot, the id's remainder by IPCLAB_ID_SLOTS; out: the id there */
#define IPCLAB_STAT_INDEX	0x1
/*
 * No read permission needed, as SEM_STAT_ANY: only what /proc/sysvipc
 * shows anyone is filled: @perm without its flags, its pids (but for a
 * shared buffer's, which /proc/sysvipc/shm has) and its otime (but for a
 * set's); a set's @sem, a mailbox's counts, capacities, last pids and
 * times, a buffer's size, nattch, flags and times; of a mutex, @perm
 * alone.  @nwaiters is 0, and every array pointer and capacity must be
 * 0 (EINVAL).
 */
#define IPCLAB_STAT_ANY		0x2

/* An id is seq * IPCLAB_ID_SLOTS + slot (see docs/design.md). */
#define IPCLAB_ID_SLOTS		131072

/**
 * struct ipclab_stat - an object's state (IPCLAB_IOC_STAT)
 * @id:          in: the object's id (a slot with IPCLAB_STAT_INDEX);
 *               out: the id
 * @flags:       in: IPCLAB_STAT_INDEX, IPCLAB_STAT_ANY, or zero
 * @values:      in: pointer to __s32[values_len] (semaphore values), or 0
 * @waiters:     in: pointer to struct ipclab_waiter[waiters_len], or 0
 * @ops:         in: pointer to struct ipclab_sembuf[ops_len] (what the
 *               waiters asked for), or 0
 * @holders:     in: pointer to struct ipclab_holder[holders_len], or 0
 * @values_len:  in: capacity; out: number of semaphores
 * @waiters_len: in: capacity; out: number of waiters
 * @ops_len:     in: capacity; out: number of operations of all waiters
 * @holders_len: in: capacity; out: number of holder entries
 * @type:        out: IPCLAB_TYPE_*
 * @nwaiters:    out: waiters (same as waiters_len)
 * @perm:        out: permissions and times
 * @sem:         out, semaphore sets: @nsems
 * @mutex:       out, mutexes: @state (IPCLAB_MUTEX_*), owner's @pid,
 *               @tid and @comm (0 and "" when unlocked), @locks (how
 *               many times it was acquired)
 * @shbuf:       out, shared buffers: @size in bytes, @nattch (mappings
 *               now), @flags (IPCLAB_SHBUF_DEST once removed while mapped),
 *               @atime and @dtime (last attach and detach, seconds since
 *               the epoch), @attaches (mappings ever made); the last
 *               attaching or detaching process is perm.lpid
 * @mbox:        out, mailboxes: @msgs and @bytes queued, the capacities
 *               @max_msgs, @max_bytes and @max_msgsz, the last sender's
 *               and receiver's process ids @lspid and @lrpid and the
 *               times @stime and @rtime (seconds since the epoch, 0 if
 *               never); @sent and @received count all messages ever
 * @reserved:    out: zero
 *
 * Needs read permission (EACCES), unless IPCLAB_STAT_ANY.  Errors: EINVAL
 * (no object there, unknown flags, arrays with IPCLAB_STAT_ANY), EFAULT.
 */
struct ipclab_stat {
	__u32 id;
	__u32 flags;
	__u64 values;
	__u64 waiters;
	__u64 ops;
	__u64 holders;
	__u32 values_len;
	__u32 waiters_len;
	__u32 ops_len;
	__u32 holders_len;
	__u32 type;
	__u32 nwaiters;
	struct ipclab_perm perm;
	union {
		struct {
			__u32 nsems;
			__u32 pad;
		} sem;
		struct {
			__u32 state;
			__s32 pid;
			__s32 tid;
			__u32 pad;
			char comm[16];
			__u64 locks;
		} mutex;
		struct {
			__u32 msgs;
			__u32 max_msgs;
			__u64 bytes;
			__u64 max_bytes;
			__u32 max_msgsz;
			__s32 lspid;
			__s32 lrpid;
			__u32 pad;
			__s64 stime;
			__s64 rtime;
			__u64 sent;
			__u64 received;
		} mbox;
		struct {
			__u64 size;
			__u32 nattch;
			__u32 flags;
			__s64 atime;
			__s64 dtime;
			__u64 attaches;
		} shbuf;
		__u64 reserved[16];
	};
};

/**
 * struct ipclab_list - the ids of all objects (IPCLAB_IOC_LIST)
 * @type: in: IPCLAB_TYPE_*, or 0 for every type
 * @len:  in: room in @ids; out: how many objects there are (may be more
 *        than the room: ask again with more)
 * @ids:  in: pointer to __u32[len], filled in table (slot) order
 * @flags: must be zero
 * @pad:  must be zero
 * @reserved: must be zero
 *
 * Lists objects whatever their permissions (as ipcs does); IPCLAB_IOC_STAT
 * then needs read permission.  Errors: EINVAL, EFAULT, ENOMEM.
 */
struct ipclab_list {
	__u32 type;
	__u32 len;
	__u64 ids;
	__u32 flags;
	__u32 pad;
	__u64 reserved;
};

/*
 * ------------------------------------------------------------------------
 * Deadlocks: the whole machine's resource-allocation state
 * ------------------------------------------------------------------------
 *
 * IPCLAB_IOC_SNAPSHOT returns, in one consistent snapshot, what the
 * deadlock algorithms of the course read: the resources, which process
 * holds how many instances of each, and what each blocked process
 * requests.  Resources are every semaphore of every semaphore set (a
 * resource class whose instances are its units) and every mutex (a class
 * with one instance).  Mailboxes and shared buffers are not resources.
 *
 * A process "holds" units of a semaphore it took with P and has not given
 * back with V (struct ipclab_holder's held, when positive).  So for each
 * semaphore: total (the existing vector E) = value (the available vector
 * A) + the units all processes hold.  A semaphore used for signalling
 * rather than as a pool of resources (V by one process, P by another)
 * grows its total with every signal: the algorithm is meant for reusable
 * resources, and says so about such a semaphore.
 *
 * The snapshot is taken with every operation on semaphores and mutexes
 * held off (they wait for it, briefly); mailboxes and shared buffers run
 * on.  Objects the caller may not read are left out and counted in
 * @hidden.
 */

/* ipclab_snap_edge.kind */
#define IPCLAB_EDGE_HOLD	1	/* the process holds @count instances */
#define IPCLAB_EDGE_WAIT	2	/* a thread of it waits for @count more */

/**
 * struct ipclab_snap_res - one resource class
 * @id:    the object's id
 * @num:   semaphore index in the set (0 for a mutex)
 * @type:  IPCLAB_TYPE_SEM or IPCLAB_TYPE_MUTEX
 * @flags: the object's IPCLAB_REFUSE_DEADLOCK and IPCLAB_NOFIFO
 * @avail: instances available now (a semaphore's value; 1 for a mutex
 *         nobody owns, 0 for an owned or unrecoverable one)
 * @total: instances that exist: @avail plus what all processes hold
 */
struct ipclab_snap_res {
	__u32 id;
	__u32 num;
	__u32 type;
	__u32 flags;
	__s32 avail;
	__s32 total;
};

/**
 * struct ipclab_snap_proc - one process that holds or waits
 * @pid:     process id, in the reader's pid namespace
 * @nwait:   how many of its threads are blocked on a semaphore or mutex
 * @comm:    its command name
 */
struct ipclab_snap_proc {
	__s32 pid;
	__u32 nwait;
	char comm[16];
};

/**
 * struct ipclab_snap_edge - an arrow of the resource-allocation graph
 * @kind:      IPCLAB_EDGE_HOLD (resource -> process) or
 *             IPCLAB_EDGE_WAIT (process -> resource)
 * @proc:      index into the snapshot's procs
 * @res:       index into the snapshot's res
 * @count:     HOLD: instances held (> 0); WAIT: instances requested (the
 *             sum of the waiter's decrements of this semaphore; 0 when it
 *             waits for the value to become zero; 1 for a mutex)
 * @tid:       WAIT: the blocked thread; HOLD: 0
 * @pad:       zero
 * @ticket:    WAIT: the waiter's arrival number (one waiter that needs
 *             several semaphores at once has one ticket and several edges)
 * @waited_ns: WAIT: how long it has been waiting
 */
struct ipclab_snap_edge {
	__u32 kind;
	__u32 proc;
	__u32 res;
	__s32 count;
	__s32 tid;
	__u32 pad;
	__u64 ticket;
	__u64 waited_ns;
};

/**
 * struct ipclab_snapshot - the whole state (IPCLAB_IOC_SNAPSHOT)
 * @flags:     in: must be zero
 * @hidden:    out: objects left out because the caller may not read them
 * @res:       in: pointer to struct ipclab_snap_res[res_len], or 0
 * @procs:     in: pointer to struct ipclab_snap_proc[procs_len], or 0
 * @edges:     in: pointer to struct ipclab_snap_edge[edges_len], or 0
 * @res_len:   in: capacity; out: number of resources
 * @procs_len: in: capacity; out: number of processes
 * @edges_len: in: capacity; out: number of edges
 * @pad:       must be zero
 * @taken_ns:  out: CLOCK_MONOTONIC time of the snapshot
 * @truncated: out: 1 if the machine holds more than IPCLAB_SNAP_MAX
 *             resources, processes or edges: the walk stopped there, so
 *             the lengths count only what it saw; 0 otherwise
 * @pad2:      must be zero
 * @reserved:  must be zero
 *
 * As with IPCLAB_IOC_STAT, each array is filled up to its capacity and its
 * length says how many exist: if any is larger than its capacity, the
 * snapshot is incomplete and the caller asks again with more room.
 * Resources are in table order (as IPCLAB_IOC_LIST), a set's semaphores
 * in order; an object's edges follow its resources, holdings first, then
 * each waiter's requests together.  A pointer of 0 means no room.
 * @hidden, @taken_ns and @truncated are outputs: their values on input
 * are ignored, so the same structure can be passed again with more room.
 *
 * While the snapshot is taken, every semaphore and mutex operation on the
 * machine waits for it; so that no user can slow everybody down, the
 * world is stopped at most stop_percent percent of the time (a module
 * parameter, 10 by default): a snapshot that comes too soon after the
 * last one first sleeps, interruptibly, for its turn (EINTR).
 * Errors: EINVAL, EFAULT, EINTR, ENOMEM (a capacity above IPCLAB_SNAP_MAX
 * is treated as IPCLAB_SNAP_MAX).
 */
struct ipclab_snapshot {
	__u32 flags;
	__u32 hidden;
	__u64 res;
	__u64 procs;
	__u64 edges;
	__u32 res_len;
	__u32 procs_len;
	__u32 edges_len;
	__u32 pad;
	__u64 taken_ns;
	__u32 truncated;
	__u32 pad2;
	__u64 reserved[3];
};

/* The most entries of each kind a snapshot walks and returns. */
#define IPCLAB_SNAP_MAX		65536

/*
 * Prevention in the moment.  On an object created with
 * IPCLAB_REFUSE_DEADLOCK, a P (IPCLAB_IOC_SEM_OP) or lock that would have
 * to wait first looks for a path in the wait-for graph from the holders
 * of what it waits for back to the caller's own process, however long;
 * if there is one, the wait would close a cycle and the call fails with
 * EDEADLK, changing nothing.  (Processes are the nodes; P -> Q when a
 * thread of P waits for a mutex Q owns, or for a semaphore that it needs
 * more of than its value and Q holds units of, or for a semaphore that a
 * thread of Q waits to decrement ahead of it in the room (FIFO).  With
 * several instances per semaphore a cycle is necessary for a deadlock
 * but not sufficient: the refusal is the careful answer.)
 * IPCLAB_IOC_CYCLE then returns that cycle.
 *
 * The check runs when a call is about to wait.  A cycle that a wait
 * closes without a new waiter (a thread of a process that already waits
 * takes units with a P that does not wait; a mutex handed to a waiter)
 * is not refused: the guarantee holds for single-threaded processes.
 * Waits on objects without the flag are followed as edges but not
 * checked themselves; a wait for zero adds no edge.
 */

/**
 * struct ipclab_cycle_entry - one step of a cycle
 * @pid:  a process in the cycle
 * @tid:  its thread that waits (for entry 0: the thread that was refused)
 * @comm: its command name
 * @id:   the object it waits for, which the next entry's process holds
 *        or waits ahead of it for (the last entry's: entry 0's process)
 * @num:  the semaphore in that set (0 for a mutex)
 * @type: IPCLAB_TYPE_SEM or IPCLAB_TYPE_MUTEX
 * @flags: IPCLAB_CYCLE_HIDDEN when the caller may not read the object
 *        this entry waits for (now, when IPCLAB_IOC_CYCLE is called):
 *        then @pid, @tid, @comm, @id, @num and @type are all zero, as
 *        IPCLAB_IOC_SNAPSHOT leaves such objects out.  The entry still
 *        counts, so the cycle's length is true.
 */
struct ipclab_cycle_entry {
	__s32 pid;
	__s32 tid;
	char comm[16];
	__u32 id;
	__u32 num;
	__u32 type;
	__u32 flags;
};

/* ipclab_cycle_entry.flags */
#define IPCLAB_CYCLE_HIDDEN	0x1

/**
 * struct ipclab_cycle - the last refusal of the calling process (IPCLAB_IOC_CYCLE)
 * @len:     in: room in @entries; out: the cycle's length, 0 if no call
 *           of this process was ever refused with EDEADLK
 * @flags:   must be zero
 * @entries: in: pointer to struct ipclab_cycle_entry[len], or 0
 * @reserved: must be zero
 *
 * A wait-for graph too large to search (more than 65536 steps: far
 * beyond anything a class builds) is refused too, with EDEADLK and an
 * empty cycle: the check could not show the wait to be safe.
 *
 * Errors: EINVAL, EFAULT, ENOMEM.
 */
struct ipclab_cycle {
	__u32 len;
	__u32 flags;
	__u64 entries;
	__u64 reserved[2];
};

/*
 * ------------------------------------------------------------------------
 * Limits and usage: IPCLAB_IOC_INFO
 * ------------------------------------------------------------------------
 *
 * /dev/ipclab is shared by every user of the machine, so every resource a
 * user can make the kernel keep is limited, per user (an effective uid)
 * and, where the kernel's own IPC has one, for the whole machine.  Each
 * limit is a module parameter, readable by anyone in
 * /sys/module/ipclab/parameters/ and changed by root at run time; a call
 * that would pass one fails with ENOSPC before it does any work.
 * IPCLAB_IOC_INFO returns every limit, what the whole machine uses, and
 * what the caller's user uses, in one call.  docs/security.md explains
 * what each limit protects.
 */

/**
 * struct ipclab_usage - what is in use (by everyone, or by one user)
 * @objects:     objects of every type
 * @sem_sets:    semaphore sets
 * @mutexes:     mutexes
 * @mboxes:      mailboxes
 * @shbufs:      shared buffers
 * @procs:       processes ipclab keeps state for (a process that has
 *               used ipclab and not yet ended)
 * @waiters:     threads waiting in a waiting room
 * @msgs:        messages queued in mailboxes, or held by waiting senders
 *               (a message counts for the user who sent it)
 * @msg_bytes:   the bytes of those messages
 * @sems:        semaphores in all semaphore sets
 * @sem_records: per-process holdings and undo values kept, counted in
 *               semaphores: a process that has used a set of n
 *               semaphores keeps n (for its user)
 * @shbuf_pages: pages of all shared buffers, counted by their size (for
 *               their creator), whether or not they were touched yet
 * @shbuf_resident: of those, pages in memory now (SHM_INFO's shm_rss)
 * @shbuf_swapped: of those, pages swapped out now (SHM_INFO's shm_swp)
 * @reserved:    zero
 */
struct ipclab_usage {
	__u32 objects;
	__u32 sem_sets;
	__u32 mutexes;
	__u32 mboxes;
	__u32 shbufs;
	__u32 procs;
	__u32 waiters;
	__u32 msgs;
	__u64 msg_bytes;
	__u64 sems;
	__u64 sem_records;
	__u64 shbuf_pages;
	__u64 shbuf_resident;
	__u64 shbuf_swapped;
	__u64 reserved[2];
};

/**
 * struct ipclab_limits - every limit (the module parameters)
 * @max_objects:          objects on the machine
 * @max_objects_per_user: objects one user may have created
 * @max_sems:             semaphores in one set (like SEMMSL)
 * @max_ops:              operations in one IPCLAB_IOC_SEM_OP (like SEMOPM)
 * @max_waiters:          waiters in one object's waiting room
 * @sem_max:              the largest semaphore value (like SEMVMX)
 * @mbox_max_msgs:        the most messages one mailbox may hold
 * @mbox_max_msgsz:       the largest message (like MSGMAX)
 * @mbox_max_bytes:       the most bytes one mailbox may hold (like MSGMNB)
 * @shbuf_max_size:       the largest shared buffer in bytes (like SHMMAX)
 * @max_procs_per_user:   processes of one user ipclab keeps state for
 * @max_waiters_per_user: threads of one user waiting at once
 * @max_msgs_per_user:    messages one user's sends keep in the kernel
 * @stop_percent:         how much of the time, in percent, snapshots and
 *                        deadlock checks may keep the world stopped
 * @max_msg_bytes_per_user:   their bytes
 * @max_sem_records_per_user: semaphores' worth of holdings and undo values
 *                        one user's processes may keep (16 bytes each)
 * @max_shbuf_pages:      pages of all shared buffers on the machine (like
 *                        SHMALL)
 * @max_shbuf_pages_per_user: pages of the shared buffers one user created
 * @max_sems_per_user:    semaphores in all the sets one user created
 * @max_sems_total:       semaphores in all sets on the machine (like SEMMNS)
 * @max_queued_ops:       operations of all the waiters of one set
 * @max_shbufs_per_user:  shared buffers one user may have created (like
 *                        SHMMNI; ABI 1.2), within max_objects_per_user
 * @reserved:             zero
 */
struct ipclab_limits {
	__u32 max_objects;
	__u32 max_objects_per_user;
	__u32 max_sems;
	__u32 max_ops;
	__u32 max_waiters;
	__u32 sem_max;
	__u32 mbox_max_msgs;
	__u32 mbox_max_msgsz;
	__u64 mbox_max_bytes;
	__u64 shbuf_max_size;
	__u32 max_procs_per_user;
	__u32 max_waiters_per_user;
	__u32 max_msgs_per_user;
	__u32 stop_percent;
	__u64 max_msg_bytes_per_user;
	__u64 max_sem_records_per_user;
	__u64 max_shbuf_pages;
	__u64 max_shbuf_pages_per_user;
	__u64 max_sems_per_user;
	__u64 max_sems_total;
	__u32 max_queued_ops;
	__u32 max_shbufs_per_user;
	__u32 reserved[2];
};

/**
 * struct ipclab_info - limits and usage (IPCLAB_IOC_INFO)
 * @flags:  in: must be zero
 * @uid:    out: the user @user describes: the caller's effective uid (in
 *          the caller's user namespace)
 * @limits: out: every limit
 * @total:  out: what the whole machine uses
 * @user:   out: what the caller's user uses
 *
 * Needs no permission.  Errors: EINVAL, EFAULT, ENOMEM.
 */
struct ipclab_info {
	__u32 flags;
	__u32 uid;
	struct ipclab_limits limits;
	struct ipclab_usage total;
	struct ipclab_usage user;
};

/*
 * ------------------------------------------------------------------------
 * Names: IPCLAB_IOC_NAME (ABI 1.3)
 * ------------------------------------------------------------------------
 *
 * A program may give an object a short name, so that the tools that show
 * the object (ipclab show, watch, deadlock, graph, trace) say "empty"
 * where they would say "set 98305".  The name means nothing to the
 * module: it is not a key, two objects may have the same, and nothing
 * finds an object by it.  A semaphore set's name may name its semaphores:
 * "empty,filled,mutex" calls semaphore 0 empty, 1 filled and 2 mutex.
 *
 * A name is 0..IPCLAB_NAME_LEN - 1 printable ASCII characters (space to
 * '~'): other users' terminals show it, so it can hold no control
 * character or escape sequence.  An object has no name until one is set;
 * setting the empty name removes it.
 */
#define IPCLAB_NAME_LEN		64

/* ipclab_name.flags: set the name (without it: read it) */
#define IPCLAB_NAME_SET		0x1

/**
 * struct ipclab_name - an object's name (IPCLAB_IOC_NAME)
 * @id:    the object's id
 * @flags: IPCLAB_NAME_SET, or zero to read
 * @name:  with IPCLAB_NAME_SET, in: the new name, NUL-terminated, every
 *         byte after the NUL zero; without, out: the name ("" if none),
 *         NUL-padded
 *
 * Setting needs write permission, as a P or V does (the program that uses
 * the object names it); reading needs read permission, as IPCLAB_IOC_STAT.
 * Errors: EINVAL (no such object, unknown flags, a name that is not
 * NUL-terminated, has a byte outside ' '..'~' or non-zero bytes after its
 * NUL), EACCES, ENOMEM, EFAULT.
 */
struct ipclab_name {
	__u32 id;
	__u32 flags;
	char name[IPCLAB_NAME_LEN];
};

/*
 * The commands, in numeric order.  Every one takes a pointer to its
 * structure.  0x01..0x0f address any object; each primitive has a range
 * of 16 of its own: 0x10 semaphore sets, 0x20 mutexes, 0x30 mailboxes,
 * 0x40 shared buffers, 0xf0 an extra primitive (IPCLAB_TYPE_EXTRA).
 */
#define IPCLAB_IOC_GET		_IOWR(IPCLAB_IOC_MAGIC, 0x01, struct ipclab_get)
#define IPCLAB_IOC_RMID		_IOW(IPCLAB_IOC_MAGIC, 0x02, struct ipclab_id)
#define IPCLAB_IOC_SET		_IOW(IPCLAB_IOC_MAGIC, 0x03, struct ipclab_set)
#define IPCLAB_IOC_STAT		_IOWR(IPCLAB_IOC_MAGIC, 0x04, struct ipclab_stat)
#define IPCLAB_IOC_OPEN		_IOWR(IPCLAB_IOC_MAGIC, 0x05, struct ipclab_open)
#define IPCLAB_IOC_LIST		_IOWR(IPCLAB_IOC_MAGIC, 0x06, struct ipclab_list)
#define IPCLAB_IOC_SNAPSHOT	_IOWR(IPCLAB_IOC_MAGIC, 0x07, struct ipclab_snapshot)
#define IPCLAB_IOC_CYCLE	_IOWR(IPCLAB_IOC_MAGIC, 0x08, struct ipclab_cycle)
#define IPCLAB_IOC_INFO		_IOWR(IPCLAB_IOC_MAGIC, 0x09, struct ipclab_info)
#define IPCLAB_IOC_NAME		_IOWR(IPCLAB_IOC_MAGIC, 0x0a, struct ipclab_name)
#define IPCLAB_IOC_SEM_OP	_IOW(IPCLAB_IOC_MAGIC, 0x10, struct ipclab_semop)
#define IPCLAB_IOC_SEM_CTL	_IOWR(IPCLAB_IOC_MAGIC, 0x11, struct ipclab_semctl)
#define IPCLAB_IOC_MUTEX_LOCK	_IOW(IPCLAB_IOC_MAGIC, 0x20, struct ipclab_lock)
#define IPCLAB_IOC_MUTEX_UNLOCK	_IOW(IPCLAB_IOC_MAGIC, 0x21, struct ipclab_id)
#define IPCLAB_IOC_MUTEX_CONSISTENT _IOW(IPCLAB_IOC_MAGIC, 0x22, struct ipclab_id)
#define IPCLAB_IOC_MBOX_SEND	_IOW(IPCLAB_IOC_MAGIC, 0x30, struct ipclab_msgsnd)
#define IPCLAB_IOC_MBOX_RECV	_IOWR(IPCLAB_IOC_MAGIC, 0x31, struct ipclab_msgrcv)
#define IPCLAB_IOC_SHBUF_CTL	_IOW(IPCLAB_IOC_MAGIC, 0x40, struct ipclab_shbufctl)

#endif /* _UAPI_LINUX_IPCLAB_H */
