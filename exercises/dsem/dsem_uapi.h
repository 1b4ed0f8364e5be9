/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * dsem: Dijkstra's semaphore as an ipclab primitive of one's own
 * (IPCLAB_TYPE_EXTRA), the interface between the module's dsem.c and the
 * programs that use it.  Both include this header.
 *
 * A dsem is a count and one FIFO waiting room.  P takes a unit if the
 * count is positive, and else waits in the room, behind every earlier
 * waiter.  V hands its unit to the first waiter of the room, which returns
 * from its P with it (nobody can take the unit in between: no barging), or,
 * with nobody waiting, adds it to the count.
 *
 * Creation: IPCLAB_IOC_GET with type IPCLAB_TYPE_EXTRA and the initial
 * count in the union's reserved[0] (0..IPCLAB_DSEM_MAX; every other byte
 * of the union must be zero).  Opening an existing dsem by key takes 0 or
 * the count it was created with in reserved[0].  Errors of GET as for every
 * type, and EINVAL for a count beyond IPCLAB_DSEM_MAX, or, when opening,
 * another count.
 *
 * IPCLAB_IOC_STAT fills the union of struct ipclab_stat as a
 * struct ipclab_dsem_stat (read it through ipclab_dsem_stat_of()), and the
 * waiting room in arrival order, each waiter of kind IPCLAB_WAITER_EXTRA.
 * Removal (IPCLAB_IOC_RMID) fails every waiter with EIDRM.
 */
#ifndef _IPCLAB_DSEM_UAPI_H
#define _IPCLAB_DSEM_UAPI_H

#include <linux/types.h>
#include <linux/ioctl.h>
#include <linux/ipclab.h>

/* The largest count: a V that would pass it fails with EOVERFLOW. */
#define IPCLAB_DSEM_MAX		0x7fffffff	/* INT_MAX */

/**
 * struct ipclab_dsem_p - P: take a unit, waiting for it if need be
 * @id:       the dsem's id
 * @flags:    IPCLAB_WAIT_NOWAIT, IPCLAB_WAIT_TIMEOUT or IPCLAB_WAIT_ABSTIME
 * @timeout:  nanoseconds (see IPCLAB_WAIT_*); 0 without a timeout flag
 * @reserved: must be zero
 *
 * Returns 0 with a unit taken.  Needs write permission.  Errors: EINVAL
 * (no dsem of that id, unknown flags, both timeouts, a timeout without a
 * flag, non-zero reserved), EACCES, EFAULT, EAGAIN (IPCLAB_WAIT_NOWAIT and
 * the count is 0), ETIMEDOUT (the time was up first), EINTR (a signal
 * ended the wait; not restarted), EIDRM (the dsem was removed, before or
 * while waiting), ENOSPC (the waiting room is full: max_waiters,
 * max_waiters_per_user).  Every error leaves the count as it was.
 */
struct ipclab_dsem_p {
	__u32 id;
	__u32 flags;		/* IPCLAB_WAIT_* */
	__u64 timeout;
	__u64 reserved[2];
};

/**
 * struct ipclab_dsem_stat - the union of struct ipclab_stat for a dsem
 * @count: the units now (0 whenever somebody waits)
 * @init:  the count it was created with
 * @ps:    P's that returned with a unit
 * @vs:    V's done
 */
struct ipclab_dsem_stat {
	__u64 count;
	__u64 init;
	__u64 ps;
	__u64 vs;
};

#define ipclab_dsem_stat_of(st) ((struct ipclab_dsem_stat *)(st)->reserved)

/*
 * P: struct ipclab_dsem_p.  V: struct ipclab_id (@flags must be zero):
 * 0, or EINVAL (no dsem of that id, non-zero flags), EACCES (V needs write
 * permission), EFAULT, EIDRM (removed), EOVERFLOW (nobody waits and the
 * count is IPCLAB_DSEM_MAX already; nothing done).
 */
#define IPCLAB_IOC_DSEM_P	_IOW(IPCLAB_IOC_MAGIC, 0xf0, struct ipclab_dsem_p)
#define IPCLAB_IOC_DSEM_V	_IOW(IPCLAB_IOC_MAGIC, 0xf1, struct ipclab_id)

#endif /* _IPCLAB_DSEM_UAPI_H */
